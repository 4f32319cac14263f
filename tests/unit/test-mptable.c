/*
 * test-mptable.c - the MP spec 1.4 tables (hw/i386/mptable.c): checksums
 * and pointers, entry counts and order for 1 and 4 CPUs, the processor,
 * bus, IOAPIC, ISA, PCI INTx and local interrupt entries, and the
 * variants (no PCI, no IRQ0 override, APIC ids an MP table cannot hold).
 * Entries are walked the way Linux's mpparse.c walks them.
 */
#include "util/osdep.h"
#include "hw/i386/mptable.h"
#include "harness.h"

#define BASE 0xf0000u

static uint16_t get16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

/* The pc's configuration with @n CPUs (APIC ids 0, 1, ...). */
static MPTableConfig pc_config(unsigned n, uint32_t *ids)
{
    for (unsigned i = 0; i < n; i++) {
        ids[i] = i;
    }
    return (MPTableConfig) {
        .nr_cpus = n, .apic_ids = ids, .cpu_signature = 0xf6b1,
        .pci = true, .irq0_override = true,
        .pirq_irq = MPTABLE_SEABIOS_PIRQ_IRQS,
        .pci_irq_mask = MPTABLE_SEABIOS_PCI_IRQ_MASK,
    };
}

/* A table's entries by type, as Linux's smp_read_mpc() walks them. */
typedef struct Parsed {
    unsigned count[5];
    const uint8_t *cpu[8], *bus[4], *ioapic, *intsrc[256], *local[4];
    bool in_order;              /* types never decrease */
    bool sizes_ok;              /* walked exactly to the table's end */
} Parsed;

static const uint8_t *check_headers(GByteArray *t, uint16_t *entries)
{
    const uint8_t *fp = t->data, *hdr = t->data + MPTABLE_FLOATING_SIZE;

    CU_ASSERT_EQUAL(memcmp(fp, "_MP_", 4), 0);
    CU_ASSERT_EQUAL(get32(fp + 4), BASE + MPTABLE_FLOATING_SIZE);
    CU_ASSERT_EQUAL(fp[8], 1);
    CU_ASSERT_EQUAL(fp[9], 4);
    CU_ASSERT_EQUAL(sum(fp, MPTABLE_FLOATING_SIZE), 0);
    CU_ASSERT_EQUAL(fp[11], 0);                 /* config table present */
    CU_ASSERT_EQUAL(fp[12], 0);                 /* IMCRP: virtual wire */
    CU_ASSERT_EQUAL(memcmp(hdr, "PCMP", 4), 0);
    CU_ASSERT_EQUAL(get16(hdr + 4), t->len - MPTABLE_FLOATING_SIZE);
    CU_ASSERT_EQUAL(hdr[6], 4);
    CU_ASSERT_EQUAL(sum(hdr, t->len - MPTABLE_FLOATING_SIZE), 0);
    CU_ASSERT_EQUAL(memcmp(hdr + 8, "BOCHSCPU", 8), 0);
    CU_ASSERT_EQUAL(get32(hdr + 36), 0xfee00000);
    CU_ASSERT_EQUAL(get16(hdr + 40), 0);        /* no extended table */
    *entries = get16(hdr + 34);
    return hdr;
}

static void parse(GByteArray *t, Parsed *p)
{
    uint16_t entries;
    const uint8_t *hdr = check_headers(t, &entries);
    const uint8_t *e = hdr + MPTABLE_HEADER_SIZE;
    const uint8_t *end = hdr + get16(hdr + 4);
    int last = -1;

    memset(p, 0, sizeof(*p));
    p->in_order = true;
    for (unsigned i = 0; i < entries && e < end; i++) {
        uint8_t type = e[0];

        CU_ASSERT_FATAL(type <= MPT_TYPE_LOCAL_INT);
        p->in_order &= type >= last;
        last = type;
        switch (type) {
        case MPT_TYPE_CPU:
            if (p->count[0] < 8) {
                p->cpu[p->count[0]] = e;
            }
            break;
        case MPT_TYPE_BUS:
            p->bus[p->count[1]] = e;
            break;
        case MPT_TYPE_IOAPIC:
            p->ioapic = e;
            break;
        case MPT_TYPE_INTSRC:
            p->intsrc[p->count[3]] = e;
            break;
        default:
            p->local[p->count[4]] = e;
            break;
        }
        p->count[type]++;
        e += type == MPT_TYPE_CPU ? MPTABLE_CPU_ENTRY_SIZE
                                  : MPTABLE_ENTRY_SIZE;
    }
    p->sizes_ok = e == end;
}

/* The I/O interrupt entry for (@bus, @busirq), or NULL. */
static const uint8_t *find_intsrc(const Parsed *p, uint8_t bus,
                                  uint8_t busirq)
{
    for (unsigned i = 0; i < p->count[MPT_TYPE_INTSRC]; i++) {
        if (p->intsrc[i][4] == bus && p->intsrc[i][5] == busirq) {
            return p->intsrc[i];
        }
    }
    return NULL;
}

static void test_one_cpu(void)
{
    uint32_t ids[1];
    MPTableConfig cfg = pc_config(1, ids);
    g_autoptr(GByteArray) t = mptable_build(&cfg, BASE);
    Parsed p;

    parse(t, &p);
    CU_ASSERT_TRUE(p.in_order);
    CU_ASSERT_TRUE(p.sizes_ok);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_CPU], 1);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_BUS], 2);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_IOAPIC], 1);
    /* 32 slots x 4 pins, ISA 0-15 minus IRQ 2 and 5, 9, 10, 11 */
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_INTSRC], 128 + 11);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_LOCAL_INT], 2);
    CU_ASSERT_EQUAL(t->len, 16 + 44 + 20 + 8 * (2 + 1 + 139 + 2));
    /* The BSP: enabled, bootstrap; KVM's LAPIC version, the CPUID. */
    CU_ASSERT_EQUAL(p.cpu[0][1], 0);
    CU_ASSERT_EQUAL(p.cpu[0][2], 0x14);
    CU_ASSERT_EQUAL(p.cpu[0][3], 0x03);
    CU_ASSERT_EQUAL(get32(p.cpu[0] + 4), 0xf6b1);
    CU_ASSERT_EQUAL(get32(p.cpu[0] + 8), 0x201);
    /* Buses: PCI 0, ISA 1. */
    CU_ASSERT_EQUAL(p.bus[0][1], 0);
    CU_ASSERT_EQUAL(memcmp(p.bus[0] + 2, "PCI   ", 6), 0);
    CU_ASSERT_EQUAL(p.bus[1][1], 1);
    CU_ASSERT_EQUAL(memcmp(p.bus[1] + 2, "ISA   ", 6), 0);
    /* The IOAPIC. */
    CU_ASSERT_EQUAL(p.ioapic[1], 0);
    CU_ASSERT_EQUAL(p.ioapic[2], 0x11);
    CU_ASSERT_EQUAL(p.ioapic[3], 1);
    CU_ASSERT_EQUAL(get32(p.ioapic + 4), 0xfec00000);
    /* Local interrupts: ExtINT -> BSP LINT0, NMI -> all LINT1. */
    CU_ASSERT_EQUAL(p.local[0][1], MP_INT_EXTINT);
    CU_ASSERT_EQUAL(p.local[0][6], 0);
    CU_ASSERT_EQUAL(p.local[0][7], 0);
    CU_ASSERT_EQUAL(p.local[1][1], MP_INT_NMI);
    CU_ASSERT_EQUAL(p.local[1][6], 0xff);
    CU_ASSERT_EQUAL(p.local[1][7], 1);
}

static void test_four_cpus(void)
{
    uint32_t ids[4];
    MPTableConfig cfg = pc_config(4, ids);
    g_autoptr(GByteArray) t = NULL;
    Parsed p;

    ids[2] = 4;                 /* e.g. -smp 4,threads=... gaps */
    ids[3] = 5;
    t = mptable_build(&cfg, BASE);
    parse(t, &p);
    CU_ASSERT_TRUE(p.in_order);
    CU_ASSERT_TRUE(p.sizes_ok);
    CU_ASSERT_EQUAL_FATAL(p.count[MPT_TYPE_CPU], 4);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_INTSRC], 139);
    CU_ASSERT_EQUAL(p.cpu[0][3], 0x03);
    CU_ASSERT_EQUAL(p.cpu[1][1], 1);
    CU_ASSERT_EQUAL(p.cpu[1][3], 0x01);
    CU_ASSERT_EQUAL(p.cpu[2][1], 4);
    CU_ASSERT_EQUAL(p.cpu[3][1], 5);
    CU_ASSERT_EQUAL(p.cpu[3][3], 0x01);
}

/* Every slot x pin, through PIRQ (slot - 1 + pin) & 3 (the PIIX3's wiring,
 * QEMU's pci_slot_get_pirq), level, active high. */
static void test_pci_intx(void)
{
    uint32_t ids[1];
    MPTableConfig cfg = pc_config(1, ids);
    g_autoptr(GByteArray) t = mptable_build(&cfg, BASE);
    static const uint8_t pirq[4] = MPTABLE_SEABIOS_PIRQ_IRQS;
    unsigned wrong = 0;
    Parsed p;

    parse(t, &p);
    for (unsigned slot = 0; slot < 32; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            const uint8_t *e = find_intsrc(&p, 0, slot << 2 | pin);

            if (!e || e[1] != MP_INT_INT ||
                get16(e + 2) != (MP_IRQ_POLARITY_HIGH |
                                 MP_IRQ_TRIGGER_LEVEL) ||
                e[6] != 0 || e[7] != pirq[(slot + 3 + pin) & 3]) {
                wrong++;
            }
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    /* 00:03.0 INTA (the first -device on a pc): PIRQC -> IRQ 11; 00:01.0
     * INTA: PIRQA -> IRQ 10; 00:00.0 INTA: PIRQD -> IRQ 11. */
    CU_ASSERT_EQUAL(find_intsrc(&p, 0, 3 << 2)[7], 11);
    CU_ASSERT_EQUAL(find_intsrc(&p, 0, 1 << 2)[7], 10);
    CU_ASSERT_EQUAL(find_intsrc(&p, 0, 0)[7], 11);
}

static void test_isa(void)
{
    uint32_t ids[1];
    MPTableConfig cfg = pc_config(1, ids);
    g_autoptr(GByteArray) t = mptable_build(&cfg, BASE);
    Parsed p;

    parse(t, &p);
    CU_ASSERT_EQUAL(find_intsrc(&p, 1, 0)[7], 2);       /* IRQ0 override */
    CU_ASSERT_PTR_NULL(find_intsrc(&p, 1, 2));
    for (unsigned irq = 0; irq < 16; irq++) {
        const uint8_t *e = find_intsrc(&p, 1, irq);

        if (irq == 2 || irq == 5 || irq == 9 || irq == 10 || irq == 11) {
            CU_ASSERT_PTR_NULL(e);
        } else {
            CU_ASSERT_PTR_NOT_NULL_FATAL(e);
            CU_ASSERT_EQUAL(get16(e + 2), 0);           /* conforming */
            CU_ASSERT(irq == 0 || e[7] == irq);
        }
    }
}

/* Without PCI: ISA is bus 0, all 16 ISA IRQs (no override: IRQ 2 too). */
static void test_no_pci(void)
{
    uint32_t ids[1] = { 0 };
    MPTableConfig cfg = {
        .nr_cpus = 1, .apic_ids = ids, .pci_irq_mask = 0x0e20,
    };
    g_autoptr(GByteArray) t = mptable_build(&cfg, BASE);
    Parsed p;

    parse(t, &p);
    CU_ASSERT_TRUE(p.sizes_ok);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_BUS], 1);
    CU_ASSERT_EQUAL(memcmp(p.bus[0] + 2, "ISA   ", 6), 0);
    CU_ASSERT_EQUAL(p.bus[0][1], 0);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_INTSRC], 16);
    CU_ASSERT_EQUAL(find_intsrc(&p, 0, 0)[7], 0);
    CU_ASSERT_EQUAL(get32(p.cpu[0] + 4), 0x600);        /* SeaBIOS default */
    CU_ASSERT_EQUAL(p.local[0][4], 0);
}

/* An MP table holds 8-bit APIC ids; 255 is the broadcast id. */
static void test_big_apic_ids(void)
{
    uint32_t ids[3] = { 0, 255, 300 };
    MPTableConfig cfg = pc_config(3, ids);
    g_autoptr(GByteArray) t = NULL;
    Parsed p;

    ids[1] = 255;
    ids[2] = 300;
    t = mptable_build(&cfg, BASE);
    parse(t, &p);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_CPU], 1);
    CU_ASSERT_TRUE(p.sizes_ok);
}

/* The biggest pc (255 CPUs) still fits the 64 KiB BIOS area. */
static void test_many_cpus(void)
{
    uint32_t ids[255];
    MPTableConfig cfg = pc_config(255, ids);
    g_autoptr(GByteArray) t = mptable_build(&cfg, BASE);
    Parsed p;

    parse(t, &p);
    CU_ASSERT_EQUAL(p.count[MPT_TYPE_CPU], 255);
    CU_ASSERT_TRUE(p.sizes_ok);
    CU_ASSERT(t->len < 0x10000);
}

int main(int argc, char **argv)
{
    harness_add("/mptable/one-cpu", test_one_cpu);
    harness_add("/mptable/four-cpus", test_four_cpus);
    harness_add("/mptable/pci-intx", test_pci_intx);
    harness_add("/mptable/isa", test_isa);
    harness_add("/mptable/no-pci", test_no_pci);
    harness_add("/mptable/big-apic-ids", test_big_apic_ids);
    harness_add("/mptable/many-cpus", test_many_cpus);
    return harness_run(argc, argv);
}
