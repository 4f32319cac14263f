/*
 * isa-irq.c - the legacy devices' interrupts reach the CPU: COM1's THRE
 * interrupt (IRQ 4), the i8042's output buffer (IRQ 1) and the RTC's
 * periodic interrupt (IRQ 8), each routed through the IOAPIC to its own
 * vector and seen pending in the local APIC's IRR.
 *
 * The guest runs at CPL 3 with IF=0 and cannot take an interrupt (see
 * docs/devel/test-guests.md), but the IOAPIC and the local APIC are
 * MMIO, which it can reach: so it programs a redirection entry per IRQ
 * (edge, fixed, physical, to APIC 0), enables the local APIC, makes the
 * device raise its line, and reads the IRR bit of the vector.  The
 * interrupt stays pending (it is never accepted): each IRQ gets its own
 * vector.
 */
#include "guest.h"

#define IOAPIC          0xfec00000u
#define IOAPIC_SEL      0x00
#define IOAPIC_WIN      0x10
#define LAPIC           0xfee00000u
#define LAPIC_SVR       0x0f0
#define LAPIC_IRR       0x200

#define COM1            0x3f8

static void ioapic_write(uint8_t reg, uint32_t v)
{
    mmio_write32(IOAPIC + IOAPIC_SEL, reg);
    mmio_write32(IOAPIC + IOAPIC_WIN, v);
}

/* ISA IRQ @irq (GSI @irq: no override for 1, 4, 8) -> @vector. */
static void route(unsigned irq, uint8_t vector)
{
    ioapic_write(0x10 + 2 * irq + 1, 0);            /* destination APIC 0 */
    ioapic_write(0x10 + 2 * irq, vector);           /* edge, high, fixed */
}

static void mask(unsigned irq)
{
    ioapic_write(0x10 + 2 * irq, 1u << 16);
}

static bool pending(uint8_t vector)
{
    uint32_t irr = mmio_read32(LAPIC + LAPIC_IRR + 0x10 * (vector / 32));

    return irr & (1u << (vector % 32));
}

/* Poll the IRR bit of @vector (bounded: an MMIO read is an exit). */
static bool wait_pending(uint8_t vector)
{
    for (int i = 0; i < 20000; i++) {
        if (pending(vector)) {
            return true;
        }
    }
    return false;
}

static void report(const char *what, unsigned irq, uint8_t vector,
                   bool before, bool after)
{
    printf("irq %u (%s) -> vector 0x%x: pending %s -> %s\n", irq, what,
           vector, before ? "yes" : "no", after ? "yes" : "no");
}

static int serial_thre(void)
{
    bool before, after;

    outb(COM1 + 1, 0);                  /* IER: nothing, the line low */
    route(4, 0x40);
    before = pending(0x40);
    outb(COM1 + 1, 0x02);               /* THRI: THR is empty, IRQ 4 */
    after = wait_pending(0x40);
    report("serial THRE", 4, 0x40, before, after);
    printf("serial: iir %02x\n", inb(COM1 + 2));
    outb(COM1 + 1, 0);
    mask(4);
    return !before && after ? 0 : 1;
}

static int i8042_obf(void)
{
    bool before, after;

    for (int i = 0; i < 16 && (inb(0x64) & 1); i++) {
        inb(0x60);                      /* drain what firmware left */
    }
    outb(0x64, 0x60);
    outb(0x60, 0x01);                   /* command byte: IRQ 1 only */
    route(1, 0x41);
    before = pending(0x41);
    outb(0x64, 0x20);                   /* read it back: OBF, IRQ 1 */
    after = wait_pending(0x41);
    report("i8042 output buffer", 1, 0x41, before, after);
    printf("i8042: data %02x\n", inb(0x60));
    mask(1);
    return !before && after ? 0 : 1;
}

static uint8_t cmos_read(uint8_t index)
{
    outb(0x70, index);
    return inb(0x71);
}

static void cmos_write(uint8_t index, uint8_t v)
{
    outb(0x70, index);
    outb(0x71, v);
}

static int rtc_periodic(void)
{
    uint8_t b = cmos_read(0x0b), c;
    bool before, after;

    cmos_write(0x0b, b & ~0x70);        /* no RTC interrupts */
    cmos_read(0x0c);                    /* flags cleared, line low */
    route(8, 0x42);
    before = pending(0x42);
    cmos_write(0x0a, 0x26);             /* 1024 Hz */
    cmos_write(0x0b, (b & ~0x70) | 0x40);   /* PIE */
    after = wait_pending(0x42);
    c = cmos_read(0x0c);
    report("RTC periodic", 8, 0x42, before, after);
    printf("rtc: register c has irqf and pf: %s\n",
           (c & 0xc0) == 0xc0 ? "yes" : "no");
    cmos_write(0x0b, b & ~0x70);
    cmos_read(0x0c);
    mask(8);
    return !before && after ? 0 : 1;
}

int main(void)
{
    int bad = 0;

    /* Software-enable the local APIC (spurious vector 0xff). */
    mmio_write32(LAPIC + LAPIC_SVR, 0x1ff);
    bad |= serial_thre();
    bad |= i8042_obf();
    bad |= rtc_periodic();
    printf("isa-irq: %s\n", bad ? "FAILED" : "ok");
    return bad;
}
