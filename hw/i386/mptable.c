/*
 * mptable.c - MP spec 1.4 tables (include/hw/i386/mptable.h), as
 * SeaBIOS's src/fw/mptable.c builds them for QEMU, with the differences
 * the header lists.  Pure data: the caller writes the bytes to guest RAM.
 */
#include "util/osdep.h"
#include "hw/i386/mptable.h"
#include "hw/isa/piix3.h"

#define MP_SPEC_REV 4                   /* 1.4 */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* The byte that makes @len bytes from @p sum to 0 (mod 256). */
static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += p[i];
    }
    return -sum;
}

static uint8_t *add_entry(GByteArray *t, unsigned size, uint8_t type,
                          unsigned *count)
{
    guint off = t->len;

    g_byte_array_set_size(t, off + size);
    memset(t->data + off, 0, size);
    t->data[off] = type;
    (*count)++;
    return t->data + off;
}

/* An I/O interrupt or local interrupt assignment entry (MP spec 4.3.4,
 * 4.3.5): type, interrupt type, flags, source bus and IRQ, destination
 * APIC and its input. */
static void add_irq(GByteArray *t, unsigned *count, uint8_t type,
                    uint8_t irqtype, uint16_t flags, uint8_t bus,
                    uint8_t busirq, uint8_t dstapic, uint8_t dstirq)
{
    uint8_t *e = add_entry(t, MPTABLE_ENTRY_SIZE, type, count);

    e[1] = irqtype;
    put16(e + 2, flags);
    e[4] = bus;
    e[5] = busirq;
    e[6] = dstapic;
    e[7] = dstirq;
}

static void add_bus(GByteArray *t, unsigned *count, uint8_t id,
                    const char *name)
{
    uint8_t *e = add_entry(t, MPTABLE_ENTRY_SIZE, MPT_TYPE_BUS, count);

    e[1] = id;
    memcpy(e + 2, name, 6);             /* blank padded, no NUL */
}

GByteArray *mptable_build(const MPTableConfig *cfg, uint32_t addr)
{
    GByteArray *t = g_byte_array_new();
    unsigned count = 0;
    uint8_t pci_bus = 0, isa_bus = cfg->pci ? 1 : 0;
    uint8_t *e, *fp, *hdr;
    bool bsp = true;

    /* Room for the floating pointer and the header; filled in last. */
    g_byte_array_set_size(t, MPTABLE_FLOATING_SIZE + MPTABLE_HEADER_SIZE);
    memset(t->data, 0, t->len);

    /* Processors (4.3.1). */
    for (unsigned i = 0; i < cfg->nr_cpus; i++) {
        if (cfg->apic_ids[i] > 254) {
            continue;                   /* not expressible: 8-bit ids */
        }
        e = add_entry(t, MPTABLE_CPU_ENTRY_SIZE, MPT_TYPE_CPU, &count);
        e[1] = cfg->apic_ids[i];
        e[2] = cfg->lapic_version ?: 0x14;
        e[3] = 0x01 | (bsp ? 0x02 : 0);     /* EN, BP */
        put32(e + 4, cfg->cpu_signature ?: 0x600);
        put32(e + 8, cfg->cpu_features ?: 0x201);
        bsp = false;
    }
    /* Buses (4.3.2). */
    if (cfg->pci) {
        add_bus(t, &count, pci_bus, "PCI   ");
    }
    add_bus(t, &count, isa_bus, "ISA   ");
    /* The I/O APIC (4.3.3). */
    e = add_entry(t, MPTABLE_ENTRY_SIZE, MPT_TYPE_IOAPIC, &count);
    e[1] = cfg->ioapic_id;
    e[2] = 0x11;
    e[3] = 0x01;                        /* EN */
    put32(e + 4, MPTABLE_IOAPIC_ADDR);
    /* PCI INTx: source bus IRQ = device << 2 | pin (INTA = 0), routed
     * through the PIRQ the PIIX3 wires that slot and pin to. */
    for (unsigned slot = 0; cfg->pci && slot < MPTABLE_PCI_SLOTS; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            add_irq(t, &count, MPT_TYPE_INTSRC, MP_INT_INT,
                    MP_IRQ_POLARITY_HIGH | MP_IRQ_TRIGGER_LEVEL, pci_bus,
                    slot << 2 | pin, cfg->ioapic_id,
                    cfg->pirq_irq[piix3_pci_slot_get_pirq(slot, pin)]);
        }
    }
    /* ISA IRQs, conforming to the bus (edge, active high). */
    for (unsigned irq = 0; irq < 16; irq++) {
        if ((cfg->pci && (cfg->pci_irq_mask & (1u << irq))) ||
            (cfg->irq0_override && irq == 2)) {
            continue;
        }
        add_irq(t, &count, MPT_TYPE_INTSRC, MP_INT_INT, 0, isa_bus, irq,
                cfg->ioapic_id, irq == 0 && cfg->irq0_override ? 2 : irq);
    }
    /* Local interrupts (4.3.5): the 8259 through LINT0 of the BSP (apic
     * id 0, SeaBIOS's), NMI to LINT1 of every local APIC. */
    add_irq(t, &count, MPT_TYPE_LOCAL_INT, MP_INT_EXTINT, 0, isa_bus, 0,
            0, 0);
    add_irq(t, &count, MPT_TYPE_LOCAL_INT, MP_INT_NMI, 0, isa_bus, 0,
            0xff, 1);

    /* The configuration table header (4.2). */
    hdr = t->data + MPTABLE_FLOATING_SIZE;
    memcpy(hdr, "PCMP", 4);
    put16(hdr + 4, t->len - MPTABLE_FLOATING_SIZE);
    hdr[6] = MP_SPEC_REV;
    memcpy(hdr + 8, "BOCHSCPU", 8);
    memcpy(hdr + 16, "0.1         ", 12);
    put16(hdr + 34, count);
    put32(hdr + 36, MPTABLE_LAPIC_ADDR);
    hdr[7] = checksum(hdr, t->len - MPTABLE_FLOATING_SIZE);

    /* The floating pointer structure (4.1). */
    fp = t->data;
    memcpy(fp, "_MP_", 4);
    put32(fp + 4, addr + MPTABLE_FLOATING_SIZE);
    fp[8] = 1;                          /* length in 16-byte units */
    fp[9] = MP_SPEC_REV;
    fp[10] = checksum(fp, MPTABLE_FLOATING_SIZE);
    return t;
}
