/*
 * cmos.c - the RTC and CMOS RAM (mc146818rtc at 0x70/0x71) as firmware
 * and Linux read them: registers A-D, the bytes QEMU's pc fills (memory
 * sizes, equipment, boot order, CPU count, century), the time in valid
 * BCD, UIP and the update it announces, CMOS RAM read/write, and the
 * keyboard controller and port 0x92 as the PC has them.
 *
 * The time itself differs from run to run, so only facts about it are
 * printed ("valid bcd", "advanced by 1").
 */
#include "guest.h"

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

static bool bcd_ok(uint8_t v, unsigned max)
{
    return (v & 0x0f) <= 9 && (v >> 4) <= 9 &&
           (unsigned)((v >> 4) * 10 + (v & 0x0f)) <= max;
}

static unsigned word(uint8_t lo)
{
    return cmos_read(lo) | cmos_read(lo + 1) << 8;
}

static unsigned from_bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0x0f);
}

/*
 * Watch two updates: poll the seconds (and UIP) until they have changed
 * twice; each change must be by one.  Register C is read
 * first: with UF clear the RTC runs its update timer every second, which
 * latches UIP until the update is done.  Bounded: 60000 polls of ~4 port
 * accesses, a few seconds.
 */
static void check_update(void)
{
    uint8_t sec[3];
    bool uip = false, by_one = true;
    int polls = 0;

    cmos_read(0x0c);
    sec[0] = cmos_read(0x00);
    for (int n = 1; n < 3; n++) {
        for (;;) {
            sec[n] = cmos_read(0x00);
            if (sec[n] != sec[n - 1] || ++polls >= 60000) {
                break;
            }
            uip |= (cmos_read(0x0a) & 0x80) != 0;
        }
        by_one &= (from_bcd(sec[n - 1]) + 1) % 60 == from_bcd(sec[n]);
    }
    /* Whether a poll hit the 244 us of UIP depends on how fast exits are
     * (a loaded host makes them slower), so it is only information;
     * tests/unit/test-mc146818rtc.c checks UIP on a controlled clock. */
    printf("info: seconds %02x %02x %02x after %d polls, uip seen: %s\n",
           sec[0], sec[1], sec[2], polls, uip ? "yes" : "no");
    printf("seconds advanced by 1: %s\n",
           by_one && polls < 60000 ? "yes" : "no");
}

int main(void)
{
    uint8_t b = cmos_read(0x0b);

    printf("cmos: index port reads %02x\n", inb(0x70));
    /* C's UF and AF depend on when it was last read */
    printf("reg a %02x b %02x c %02x d %02x\n", cmos_read(0x0a) & 0x7f, b,
           cmos_read(0x0c) & 0xcf, cmos_read(0x0d));
    printf("base memory %u KiB, extended %u KiB (0x30: %u), "
           "16M-4G %u x 64 KiB, above 4G %u x 64 KiB\n", word(0x15),
           word(0x17), word(0x30), word(0x34),
           word(0x5b) | cmos_read(0x5d) << 16);
    printf("equipment %02x floppy %02x hd %02x boot %02x %02x cpus-1 %02x "
           "century %02x\n", cmos_read(0x14), cmos_read(0x10),
           cmos_read(0x12), cmos_read(0x3d), cmos_read(0x38),
           cmos_read(0x5f), cmos_read(0x32));
    printf("time valid bcd: %s\n",
           !(b & 0x04) && bcd_ok(cmos_read(0x00), 59) &&
           bcd_ok(cmos_read(0x02), 59) && bcd_ok(cmos_read(0x04), 23) &&
           bcd_ok(cmos_read(0x07), 31) && bcd_ok(cmos_read(0x08), 12) &&
           bcd_ok(cmos_read(0x09), 99) ? "yes" : "no");
    check_update();

    cmos_write(0x50, 0x5a);
    cmos_write(0xd1, 0xa5);             /* bit 7: the NMI mask */
    printf("ram: %02x %02x; century alias 0x37: %02x\n", cmos_read(0x50),
           cmos_read(0x51), cmos_read(0x37));
    cmos_write(0x50, 0);
    cmos_write(0x51, 0);

    /* the rest of the PC's legacy ports, from a known state (firmware
     * has been at them under QEMU) */
    outb(0x64, 0xaa);
    printf("i8042: self test %02x,", inb(0x60));
    outb(0x64, 0x60);
    outb(0x60, 0x47);
    outb(0x64, 0x20);
    printf(" status %02x, command byte %02x\n", inb(0x64), inb(0x60));
    outb(0x64, 0xd0);
    printf("i8042: output port %02x\n", inb(0x60));
    outb(0x92, 0x02);
    printf("port 0x92 %02x; port 0x80 %02x; unassigned %02x %04x %08x\n",
           inb(0x92), inb(0x80), inb(0x5555), inw(0x5556), inl(0x5558));
    return 0;
}
