/*
 * vblk-msix.c - MSI-X on virtio-blk-pci at CPL 3: the capability, the
 * vector table and the PBA (BAR 1, placed at 0xfe008000 by the guest),
 * the legacy VIRTIO_MSI_CONFIG_VECTOR / VIRTIO_MSI_QUEUE_VECTOR
 * registers, entries pointed at the local APIC (0xfee00000, fixed,
 * physical, APIC 0).  The guest runs with IF=0 and takes no interrupt:
 * a delivered message stays pending in the local APIC's IRR, where it is
 * read (as isa-irq.c does), so every step uses a vector of its own.
 *
 *   unmasked        a request; its vector pending, PBA clear
 *   masked          the entry masked and given a new vector: a request
 *                   leaves the IRR alone and sets the PBA bit; unmasking
 *                   delivers it and clears the bit
 *   function mask   the same with the control word's MASKALL
 *   not polled      masked, a request, unmasked without reading the PBA
 *   readback        NO_VECTOR and out-of-range vectors read back 0xffff
 *   reset           status 0: the vectors read back NO_VECTOR
 * and with strict=1 (qomu only: QEMU 7.2 differs or aborts, see strict())
 *   rewrite         a new vector written while unmasked is used
 *   no vector       queue vector VIRTIO_MSI_NO_VECTOR: nothing sent, the
 *                   ISR says why; the vector set again: sent again
 *   disable         MSI-X off: no message; on again: messages again
 *
 * Under qomu with KVM the vectors go through KVM irqfds; under QEMU 7.2
 * through msix_notify: the output must be the same.  Exit 0 if every
 * check passed.
 */
#include "vblk-lib.h"

#define LAPIC           0xfee00000u
#define LAPIC_SVR       0x0f0
#define LAPIC_IRR       0x200

#define MSIX_BAR        0xfe008000u
#define BAR4_ADDR       0xfe000000u

/* legacy registers with MSI-X on */
#define R_MSI_CONFIG_VECTOR 20
#define R_MSI_QUEUE_VECTOR  22
#define NO_VECTOR 0xffff

#define MSIX_ENABLE  0x8000
#define MSIX_MASKALL 0x4000

static int dev, cap;
static uintptr_t table, pba;
static uint8_t buf[512] __attribute__((aligned(PAGE)));

#define check vblk_check

static bool irr(uint8_t vector)
{
    uint32_t v = mmio_read32(LAPIC + LAPIC_IRR + 0x10 * (vector / 32));

    return v & (1u << (vector % 32));
}

/* Poll the IRR bit of @vector, @tries reads (each an exit). */
static bool wait_irr(uint8_t vector, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (irr(vector)) {
            return true;
        }
    }
    return false;
}

static bool pba_bit(unsigned entry)
{
    return mmio_read32(pba + 4 * (entry / 32)) & (1u << (entry % 32));
}

static bool wait_pba(unsigned entry, int tries)
{
    for (int i = 0; i < tries; i++) {
        if (pba_bit(entry)) {
            return true;
        }
    }
    return false;
}

static void entry_write(unsigned entry, uint8_t vector, bool masked)
{
    uintptr_t e = table + 16 * entry;

    mmio_write32(e + 12, 1);                    /* mask while changing */
    mmio_write32(e + 0, LAPIC);                 /* APIC 0, physical */
    mmio_write32(e + 4, 0);
    mmio_write32(e + 8, vector);                /* fixed, edge */
    mmio_write32(e + 12, masked ? 1 : 0);
}

static void entry_mask(unsigned entry, bool masked)
{
    mmio_write32(table + 16 * entry + 12, masked ? 1 : 0);
}

static void control(uint16_t ctrl)
{
    uint32_t d = vblk_pci_read32(dev, cap);

    vblk_pci_write32(dev, cap, (d & 0xffff) | (uint32_t)ctrl << 16);
}

static uint16_t control_read(void)
{
    return vblk_pci_read32(dev, cap) >> 16;
}

static int find_cap(uint8_t id)
{
    int p = vblk_pci_read32(dev, 0x34) & 0xfc;

    for (int n = 0; p && n < 48; n++) {
        uint32_t d = vblk_pci_read32(dev, p);

        if ((d & 0xff) == id) {
            return p;
        }
        p = (d >> 8) & 0xfc;
    }
    return -1;
}

/* A read of sector 0, its completion seen in the used ring. */
static void request(void)
{
    uint8_t st = vblk_request(T_IN, 0, buf, sizeof(buf), true);

    check(st == 0, "request status");
}

static void queue_vector(uint16_t v)
{
    outw(VBLK_IO + R_QUEUE_SEL, 0);
    outw(VBLK_IO + R_MSI_QUEUE_VECTOR, v);
}

static uint16_t queue_vector_read(void)
{
    outw(VBLK_IO + R_QUEUE_SEL, 0);
    return inw(VBLK_IO + R_MSI_QUEUE_VECTOR);
}

static void strict(void);
static void readback(void);

static void report(const char *what, uint8_t vector, bool got, bool want,
                   bool pba_now, bool pba_want)
{
    printf("%s: vector 0x%x %s, pba %u\n", what, vector,
           got ? "pending" : "not pending", pba_now);
    check(got == want && pba_now == pba_want, what);
}

int main(void)
{
    uint32_t tinfo, pinfo;
    uint16_t ctrl;
    bool got, p;

    dev = vblk_find_device();
    if (dev < 0) {
        printf("no virtio-blk-pci (1af4:1001) on bus 0\n");
        return 3;
    }
    vblk_pci_write32(dev, 0x10, VBLK_IO | 1);
    vblk_pci_write32(dev, 0x14, MSIX_BAR);
    vblk_pci_write32(dev, 0x20, BAR4_ADDR | 0xc);
    vblk_pci_write32(dev, 0x24, 0);
    vblk_pci_write32(dev, 0x04, 0x7);   /* I/O, memory, bus master */

    cap = find_cap(0x11);
    if (cap < 0) {
        printf("no MSI-X capability\n");
        return 4;
    }
    ctrl = control_read();
    tinfo = vblk_pci_read32(dev, cap + 4);
    pinfo = vblk_pci_read32(dev, cap + 8);
    printf("msix: cap 0x%x, control %04x (%u vectors), table %08x, "
           "pba %08x\n", cap, ctrl, (ctrl & 0x7ff) + 1, tinfo, pinfo);
    if ((tinfo & 7) != 1 || (pinfo & 7) != 1) {
        printf("table or PBA not in BAR 1\n");
        return 4;
    }
    table = MSIX_BAR + (tinfo & ~7u);
    pba = MSIX_BAR + (pinfo & ~7u);
    printf("msix: entry 0 ctrl %x, entry 1 ctrl %x, pba %x\n",
           mmio_read32(table + 12), mmio_read32(table + 16 + 12),
           mmio_read32(pba));

    /* software-enable the local APIC (spurious vector 0xff) */
    mmio_write32(LAPIC + LAPIC_SVR, 0x1ff);

    /* handshake, MSI-X on and the vectors before DRIVER_OK (as Linux) */
    outb(VBLK_IO + R_STATUS, 0);
    outb(VBLK_IO + R_STATUS, S_ACK);
    outb(VBLK_IO + R_STATUS, S_ACK | S_DRIVER);
    outl(VBLK_IO + R_GUEST_FEATURES, 0);
    if (!vblk_queue_setup()) {
        printf("queue 0 not set up\n");
        return 5;
    }
    control(MSIX_ENABLE);
    printf("msix: control %04x after enable\n", control_read());
    entry_write(0, 0x50, true);
    entry_write(1, 0x51, false);
    outw(VBLK_IO + R_MSI_CONFIG_VECTOR, 0);
    queue_vector(1);
    printf("vectors: config %u, queue 0 %u\n",
           inw(VBLK_IO + R_MSI_CONFIG_VECTOR), queue_vector_read());
    outb(VBLK_IO + R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);

    /* unmasked */
    request();
    got = wait_irr(0x51, 20000);
    report("unmasked", 0x51, got, true, pba_bit(1), false);

    /* masked: held in the PBA, delivered on unmask */
    entry_write(1, 0x52, true);
    request();
    p = wait_pba(1, 2000);
    got = irr(0x52);
    report("masked", 0x52, got, false, p, true);
    entry_mask(1, false);
    got = wait_irr(0x52, 20000);
    report("unmask", 0x52, got, true, pba_bit(1), false);

    /* the function mask */
    control(MSIX_ENABLE | MSIX_MASKALL);
    entry_write(1, 0x53, false);
    request();
    p = wait_pba(1, 2000);
    got = irr(0x53);
    report("function masked", 0x53, got, false, p, true);
    control(MSIX_ENABLE);
    got = wait_irr(0x53, 20000);
    report("function unmasked", 0x53, got, true, pba_bit(1), false);

    /* masked, unmasked without a look at the PBA in between */
    entry_write(1, 0x54, true);
    request();
    entry_mask(1, false);
    got = wait_irr(0x54, 20000);
    report("not polled", 0x54, got, true, pba_bit(1), false);

    if (cmdline_uint("strict", 0)) {
        strict();
    }
    readback();

    /* reset: the vectors are gone */
    outb(VBLK_IO + R_STATUS, 0);
    printf("reset: config vector %x, queue vector %x\n",
           inw(VBLK_IO + R_MSI_CONFIG_VECTOR), queue_vector_read());
    control(0);

    printf("vblk-msix: %s\n", vblk_failures ? "FAILED" : "ok");
    return vblk_failures ? 1 : 0;
}

/*
 * Where QEMU 7.2 (whose virtio-blk uses irqfds too) is not the oracle:
 * it keeps an unmasked vector's old route when the data is rewritten,
 * keeps a queue's irqfd when its vector changes after DRIVER_OK, and
 * aborts (msix_fire_vector_notifier) when MSI-X is switched off and on.
 */
static void strict(void)
{
    bool got;

    /* the data rewritten while unmasked */
    mmio_write32(table + 16 + 8, 0x55);
    request();
    got = wait_irr(0x55, 20000);
    report("rewrite", 0x55, got, true, pba_bit(1), false);

    /* no vector: nothing sent; the ISR still says "queue" */
    entry_write(1, 0x56, false);
    queue_vector(NO_VECTOR);
    request();
    got = wait_irr(0x56, 2000);
    printf("no vector: isr %u\n", inb(VBLK_IO + R_ISR));
    report("no vector", 0x56, got, false, pba_bit(1), false);
    queue_vector(1);
    request();
    got = wait_irr(0x56, 20000);
    report("vector again", 0x56, got, true, pba_bit(1), false);

    /* MSI-X off: INTx (not routed here), no message */
    entry_write(1, 0x57, false);
    control(0);
    request();
    got = wait_irr(0x57, 2000);
    printf("disabled: isr %u\n", inb(VBLK_IO + R_ISR));
    report("disabled", 0x57, got, false, pba_bit(1), false);
    control(MSIX_ENABLE);
    got = wait_irr(0x57, 2000);
    report("enabled again", 0x57, got, false, pba_bit(1), false);
    request();
    got = wait_irr(0x57, 20000);
    report("enabled, a request", 0x57, got, true, pba_bit(1), false);
}

/* What the vector registers read back (QEMU: out of range -> NO_VECTOR) */
static void readback(void)
{
    queue_vector(2);
    printf("readback: queue vector 2 -> %x\n", queue_vector_read());
    queue_vector(0x7ff);
    printf("readback: queue vector 0x7ff -> %x\n", queue_vector_read());
    queue_vector(NO_VECTOR);
    printf("readback: queue vector 0xffff -> %x\n", queue_vector_read());
    outw(VBLK_IO + R_MSI_CONFIG_VECTOR, 0x1234);
    printf("readback: config vector 0x1234 -> %x\n",
           inw(VBLK_IO + R_MSI_CONFIG_VECTOR));
    outw(VBLK_IO + R_MSI_CONFIG_VECTOR, 1);
    queue_vector(1);
    printf("readback: config vector 1, queue vector 1 -> %x, %x\n",
           inw(VBLK_IO + R_MSI_CONFIG_VECTOR), queue_vector_read());
}
