/*
 * pci.c - PCI configuration mechanism #1 (0xCF8/0xCFC, PCI Local Bus
 * Specification 3.0, 3.2.2.3.2) and the PC's chipset functions as a
 * guest sees them: enumerates bus 0, sizes every BAR, checks the write
 * masks of COMMAND, STATUS (write-1-to-clear) and INTERRUPT_LINE, the
 * read-only identity bytes, byte/word access to CONFIG_DATA, the enable
 * bit, absent functions, the PIIX3's PIRQ route registers (0x60-0x63)
 * and its reset control register (0xCF9).
 *
 * Command line:
 *   skip=SS.F[,SS.F...]  functions not to report at all (hex slot and
 *                        function), for what one VMM has and the other
 *                        does not yet (check-diff.sh says which and why)
 *   reset=1              end by resetting through 0xCF9 (bits 2 and 1):
 *                        with -no-reboot the VMM exits with status 0
 *   summary=1            print only the device lines (make demo)
 * What firmware leaves behind (BAR addresses, COMMAND, interrupt line)
 * is printed on "info:" lines, which the differential test ignores.
 */
#include "guest.h"

#define CONFIG_ADDRESS  0xcf8
#define CONFIG_DATA     0xcfc
#define RESET_CONTROL   0xcf9

#define MAX_SKIP        16

static uint8_t skip_devfn[MAX_SKIP];
static int nr_skip;

static uint32_t cfg_addr(int dev, int fn, int reg)
{
    return 0x80000000u | (uint32_t)dev << 11 | (uint32_t)fn << 8 |
           (reg & 0xfc);
}

static uint32_t cfg_read32(int dev, int fn, int reg)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    return inl(CONFIG_DATA);
}

static uint16_t cfg_read16(int dev, int fn, int reg)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    return inw(CONFIG_DATA + (reg & 2));
}

static uint8_t cfg_read8(int dev, int fn, int reg)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    return inb(CONFIG_DATA + (reg & 3));
}

static void cfg_write32(int dev, int fn, int reg, uint32_t v)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    outl(CONFIG_DATA, v);
}

static void cfg_write16(int dev, int fn, int reg, uint16_t v)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    outw(CONFIG_DATA + (reg & 2), v);
}

static void cfg_write8(int dev, int fn, int reg, uint8_t v)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    outb(CONFIG_DATA + (reg & 3), v);
}

/* "skip=01.1,01.3": parse into skip_devfn[]. */
static int hexdigit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static void parse_skip(void)
{
    const char *s = guest_cmdline();

    while (*s) {
        if (!strncmp(s, "skip=", 5)) {
            s += 5;
            while (nr_skip < MAX_SKIP) {
                int slot = 0, fn, d;

                while ((d = hexdigit(*s)) >= 0) {
                    slot = slot * 16 + d;
                    s++;
                }
                if (*s++ != '.' || (fn = hexdigit(*s++)) < 0) {
                    return;
                }
                skip_devfn[nr_skip++] = (slot & 31) << 3 | (fn & 7);
                if (*s != ',') {
                    return;
                }
                s++;
            }
            return;
        }
        while (*s && *s != ' ') {
            s++;
        }
        while (*s == ' ') {
            s++;
        }
    }
}

static int skipped(int dev, int fn)
{
    for (int i = 0; i < nr_skip; i++) {
        if (skip_devfn[i] == (dev << 3 | fn)) {
            return 1;
        }
    }
    return 0;
}

/* Size BAR register @reg: all-ones, read back, restore. */
static uint32_t size_bar(int dev, int fn, int reg)
{
    uint32_t old = cfg_read32(dev, fn, reg), v;

    cfg_write32(dev, fn, reg, 0xffffffff);
    v = cfg_read32(dev, fn, reg);
    cfg_write32(dev, fn, reg, old);
    return v;
}

static void print_bars(int dev, int fn)
{
    printf("  bars");
    for (int i = 0; i < 6; i++) {
        printf(" %x", size_bar(dev, fn, 0x10 + 4 * i));
    }
    printf(" rom %x\n", size_bar(dev, fn, 0x30));
    printf("info:   bar0 %x bar1 %x rom %x\n", cfg_read32(dev, fn, 0x10),
           cfg_read32(dev, fn, 0x14), cfg_read32(dev, fn, 0x30));
}

/* The standard header's masks, put back as found. */
static void check_masks(int dev, int fn)
{
    uint16_t cmd = cfg_read16(dev, fn, 0x04);
    uint32_t id = cfg_read32(dev, fn, 0x00);
    uint8_t line = cfg_read8(dev, fn, 0x3c);
    uint16_t status;

    printf("info:   command %04x status %04x line %d\n", cmd,
           cfg_read16(dev, fn, 0x06), line);
    cfg_write16(dev, fn, 0x04, 0xffff);
    printf("  command ffff -> %04x", cfg_read16(dev, fn, 0x04));
    cfg_write16(dev, fn, 0x04, 0x0000);
    printf(" sticky %04x", cfg_read16(dev, fn, 0x04));
    cfg_write16(dev, fn, 0x04, cmd);

    cfg_write16(dev, fn, 0x06, 0xffff);     /* W1C: clears error bits */
    status = cfg_read16(dev, fn, 0x06);
    printf(" status after w1c %04x", status);

    cfg_write8(dev, fn, 0x3c, 0x5a);
    printf(" line %02x", cfg_read8(dev, fn, 0x3c));
    cfg_write8(dev, fn, 0x3c, line);

    cfg_write32(dev, fn, 0x00, 0);          /* identity is read-only */
    printf(" id %s\n", cfg_read32(dev, fn, 0x00) == id ? "ro" : "CHANGED");
}

static int report_function(int dev, int fn, int summary)
{
    uint32_t id = cfg_read32(dev, fn, 0x00);
    uint32_t class = cfg_read32(dev, fn, 0x08);
    uint8_t hdr = cfg_read8(dev, fn, 0x0e);

    if ((id & 0xffff) == 0xffff || skipped(dev, fn)) {
        return 0;
    }
    printf("00:%02x.%d %04x:%04x class %04x", dev, fn, id & 0xffff,
           id >> 16, class >> 16);
    if (summary) {
        printf("\n");
        return 1;
    }
    printf(" prog %02x rev %02x hdr %02x sub %04x:%04x pin %d\n",
           (class >> 8) & 0xff, class & 0xff, hdr,
           cfg_read16(dev, fn, 0x2c), cfg_read16(dev, fn, 0x2e),
           cfg_read8(dev, fn, 0x3d));
    print_bars(dev, fn);
    check_masks(dev, fn);
    return 1;
}

static int enumerate(int summary)
{
    int found = 0;

    for (int dev = 0; dev < 32; dev++) {
        uint32_t id = cfg_read32(dev, 0, 0x00);

        if ((id & 0xffff) == 0xffff) {
            continue;
        }
        found += report_function(dev, 0, summary);
        if (cfg_read8(dev, 0, 0x0e) & 0x80) {
            for (int fn = 1; fn < 8; fn++) {
                found += report_function(dev, fn, summary);
            }
        }
    }
    return found;
}

/* CONFIG_ADDRESS/CONFIG_DATA corner cases. */
static void check_mechanism(void)
{
    outl(CONFIG_ADDRESS, 0x80000000);
    printf("cf8 %08x", inl(CONFIG_ADDRESS));
    printf(" words %04x %04x bytes %02x %02x", inw(CONFIG_DATA),
           inw(CONFIG_DATA + 2), inb(CONFIG_DATA + 1), inb(CONFIG_DATA + 3));
    outl(CONFIG_ADDRESS, 0x00000000);       /* enable bit clear */
    printf(" disabled %08x", inl(CONFIG_DATA));
    outl(CONFIG_ADDRESS, cfg_addr(31, 7, 0));
    printf(" absent %08x", inl(CONFIG_DATA));
    outl(CONFIG_ADDRESS, 0x80010000);       /* bus 1: no such bus */
    printf(" bus1 %08x\n", inl(CONFIG_DATA));
}

/* PIIX3 at 00:01.0: PIRQRC[A-D] read back what is written. */
static void check_pirq(void)
{
    static const uint8_t vals[4] = { 0x0b, 0x05, 0x80, 0x8f };
    uint32_t old = cfg_read32(1, 0, 0x60);

    printf("info: pirq routes %08x\n", old);
    for (int i = 0; i < 4; i++) {
        cfg_write8(1, 0, 0x60 + i, vals[i]);
    }
    printf("pirq %08x", cfg_read32(1, 0, 0x60));
    cfg_write32(1, 0, 0x60, 0x80808080);
    printf(" disabled %08x", cfg_read32(1, 0, 0x60));
    cfg_write32(1, 0, 0x60, old);
    printf(" restored %s\n", cfg_read32(1, 0, 0x60) == old ? "yes" : "no");
}

static void check_rcr(void)
{
    uint8_t old = inb(RESET_CONTROL);

    printf("rcr %02x", old);
    outb(RESET_CONTROL, 0x02);              /* hard reset type, no reset */
    printf(" %02x", inb(RESET_CONTROL));
    outb(RESET_CONTROL, 0xf9 & ~0x04);      /* only bit 1 is kept */
    printf(" %02x\n", inb(RESET_CONTROL));
    outb(RESET_CONTROL, old);
}

int main(void)
{
    int summary = cmdline_uint("summary", 0) != 0;
    int found;

    parse_skip();
    found = enumerate(summary);
    if (summary) {
        printf("%d PCI functions on bus 0\n", found);
        return found >= 2 ? 0 : 1;
    }
    check_mechanism();
    if ((cfg_read32(1, 0, 0x00) & 0xffff) == 0x8086) {
        check_pirq();
        check_rcr();
    }
    if (cmdline_uint("reset", 0)) {
        outb(RESET_CONTROL, 0x06);          /* hard reset, now */
        for (uint64_t i = 0; i < 100000000; i++) {
            cpu_relax();
        }
        printf("still here after the reset request\n");
        return 2;
    }
    return found >= 2 ? 0 : 1;
}
