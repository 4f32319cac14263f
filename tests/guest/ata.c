/*
 * ata.c - the PIIX3 IDE function (00:01.1) with its disks and CD-ROMs,
 * driven through tests/guest/ata-lib.[ch]: IDENTIFY, PIO and bus-master
 * DMA transfers, FLUSH CACHE, SET FEATURES, error paths, ATAPI.
 *
 * Command line (-append):
 *   op=identify       (default) every drive position: model, serial,
 *                     sectors, write cache (word 85 bit 5), key IDENTIFY
 *                     words; on drive=N (an ATA disk): SET FEATURES write
 *                     cache off/on and a transfer mode, seen in IDENTIFY
 *   op=rw             the round trip: write the pattern by DMA at lba,
 *                     read it back by PIO and by DMA, write pattern+1 by
 *                     PIO at lba+count (48-bit commands), read that back
 *                     by DMA, FLUSH CACHE
 *   op=write-dma      write the pattern by DMA, FLUSH CACHE (flush=0: not),
 *                     read it back by DMA and by PIO
 *   op=write-pio      the same with PIO writes
 *   op=verify         read lba..lba+count-1 by PIO and by DMA: is the
 *                     pattern there (written by the host, or an earlier run)
 *   op=crash          write the pattern by DMA, FLUSH CACHE (flush=0: not),
 *                     print "ata: flushed" (or "ata: written"), then spin
 *                     until killed (check-crash.sh SIGKILLs the VMM)
 *   op=crash-loop     the crash test's workload (tests/check-qcow2.sh):
 *                     for i = 0..slots-1, write pattern+i by DMA at
 *                     lba + ((i * 97) % slots) * stride, FLUSH CACHE,
 *                     print "ata: flushed I." - then spin until killed
 *                     (slots default 64, a power of two; stride default
 *                     136 sectors)
 *   op=errors         error paths: past-the-end LBAs, unsupported commands,
 *                     a zero-length PRD (64 KiB), a PRD into unassigned
 *                     space, PRD lists shorter and longer than the transfer;
 *                     prints what the status/error/BMDMA registers say
 *   op=cdrom          the ATAPI drive=N: TEST UNIT READY, REQUEST SENSE,
 *                     INQUIRY, READ CAPACITY, READ(10) by PIO and DMA
 *                     (the pattern again, in 2048-byte blocks); without a
 *                     medium, the NOT READY sense
 *   drive=N           0 primary master (default), 1 primary slave,
 *                     2 secondary master, 3 secondary slave
 *   lba=N count=N     where and how many 512-byte sectors (default 0, 8;
 *                     count at most 512)
 *   pattern=P         32-bit seed of the data (default 0x1234)
 *   flush=0           write-dma, write-pio, crash: no FLUSH CACHE
 *   pio=0             write-dma, write-pio, verify: read back by DMA only
 *                     (a PIO sector is 128 exits: ~3 ms here)
 *
 * The pattern: 32-bit little-endian word k (0..127) of sector L is
 *   P ^ (L * 0x9e3779b1) ^ (k * 0x85ebca77)   (mod 2^32)
 * so a host script writes or checks it (ata-pattern.py) without the guest.
 *
 * Exit status (exit_guest code): 0 all as expected, 1 a data mismatch,
 * 2 no IDE function / no such drive, 3 a command failed (the registers
 * are printed).
 */
#include "ata-lib.h"

#define MAX_COUNT       512
#define UNASSIGNED      0x10000000u     /* above -m 64's RAM, below the PCI hole */

static uint8_t buf_a[MAX_COUNT * 512] __attribute__((aligned(4096)));
static uint8_t buf_b[MAX_COUNT * 512] __attribute__((aligned(4096)));

static uint32_t pattern;
static int failures;
static bool readback_pio = true;

/* --- command line --- */

/* The value of "key=word" (up to a blank) into @out, or @def. */
static const char *cmdline_word(const char *key, char *out, size_t size,
                                const char *def)
{
    size_t len = strlen(key);
    const char *s = guest_cmdline();

    while (*s) {
        if (!strncmp(s, key, len) && s[len] == '=') {
            size_t n = 0;

            s += len + 1;
            while (*s && *s != ' ' && n + 1 < size) {
                out[n++] = *s++;
            }
            out[n] = 0;
            return out;
        }
        while (*s && *s != ' ') {
            s++;
        }
        while (*s == ' ') {
            s++;
        }
    }
    return def;
}

/* --- data --- */

static uint32_t pattern_word(uint32_t p, uint64_t lba, uint32_t k)
{
    return p ^ ((uint32_t)lba * 0x9e3779b1u) ^ (k * 0x85ebca77u);
}

static void fill(void *buf, uint32_t p, uint64_t lba, uint32_t count)
{
    uint32_t *w = buf;

    for (uint32_t s = 0; s < count; s++) {
        for (uint32_t k = 0; k < 128; k++) {
            *w++ = pattern_word(p, lba + s, k);
        }
    }
}

/* Compare @buf with the pattern; print the first difference. */
static bool check(const char *what, const void *buf, uint32_t p, uint64_t lba,
                  uint32_t count)
{
    const uint32_t *w = buf;

    for (uint32_t s = 0; s < count; s++) {
        for (uint32_t k = 0; k < 128; k++, w++) {
            uint32_t want = pattern_word(p, lba + s, k);

            if (*w != want) {
                printf("%s: MISMATCH at lba %lu word %u: %08x, expected %08x\n",
                       what, lba + s, k, *w, want);
                failures++;
                return false;
            }
        }
    }
    printf("%s: pattern %08x at lba %lu count %u: ok\n", what, p, lba, count);
    return true;
}

/* --- reporting --- */

static const char *const position[4] = {
    "primary master", "primary slave", "secondary master", "secondary slave",
};

static void regs(const struct ata_drive *d)
{
    printf("status %02x error %02x", d->last.status, d->last.error);
}

/* A command that must succeed: on failure print the registers, count it. */
static bool ok(const char *what, const struct ata_drive *d, int ret)
{
    if (!ret) {
        return true;
    }
    printf("%s: FAILED (%s): ", what, ata_strerror(ret));
    regs(d);
    printf(" bm %02x\n", d->last.bm_status);
    failures++;
    return false;
}

static void print_drive(int i, const struct ata_drive *d)
{
    const uint16_t *id;

    if (!d) {
        printf("drive %d (%s): none\n", i, position[i]);
        return;
    }
    id = d->id;
    printf("drive %d (%s): %s model \"%s\" serial \"%s\" firmware \"%s\"\n",
           i, position[i], d->atapi ? "atapi" : "ata", d->model, d->serial,
           d->firmware);
    if (d->atapi) {
        printf("  config %04x caps %04x fields %04x mwdma %04x pio %04x "
               "udma %04x major %04x\n", id[0], id[49], id[53], id[63],
               id[64], id[88], id[80]);
        return;
    }
    printf("  sectors %lu lba48 %d write cache %s (supported %d)\n",
           d->sectors, d->lba48, ata_wcache_enabled(d) ? "on" : "off",
           !!(id[82] & (1u << 5)));
    printf("  config %04x chs %u/%u/%u caps %04x fields %04x mwdma %04x "
           "pio %04x udma %04x\n", id[0], id[1], id[3], id[6], id[49], id[53],
           id[63], id[64], id[88]);
    printf("  major %04x cmdset %04x %04x %04x enabled %04x %04x %04x "
           "lba28 %u multiple %04x %04x\n", id[80], id[82], id[83], id[84],
           id[85], id[86], id[87], (uint32_t)id[60] | (uint32_t)id[61] << 16,
           id[47], id[59]);
}

static struct ata_drive *the_drive(bool want_atapi)
{
    int i = cmdline_uint("drive", 0) & 3;
    struct ata_drive *d = ata_probe(i);

    if (!d || d->atapi != want_atapi) {
        printf("drive %d (%s): no %s drive\n", i, position[i],
               want_atapi ? "ATAPI" : "ATA");
        return NULL;
    }
    return d;
}

/* --- op=identify --- */

static int op_identify(void)
{
    struct ata_drive *d;
    int n = 0, want = cmdline_uint("drive", 0) & 3;
    bool wc;

    for (int i = 0; i < 4; i++) {
        d = ata_probe(i);
        n += d != NULL;
        print_drive(i, d);
    }
    printf("%d drives\n", n);
    d = &ata.drive[want];
    if (!d->present || d->atapi) {
        return 0;
    }

    /* SET FEATURES: the write cache off and on, then a transfer mode. */
    wc = ata_wcache_enabled(d);
    if (ok("set features wcache off", d,
           ata_set_features(d, ATA_SF_DISABLE_WCACHE, 0)) &&
        ok("identify", d, ata_identify(d))) {
        printf("set features: write cache off -> word 85 %04x\n", d->id[85]);
    }
    if (ok("set features wcache on", d,
           ata_set_features(d, ATA_SF_ENABLE_WCACHE, 0)) &&
        ok("identify", d, ata_identify(d))) {
        printf("set features: write cache on -> word 85 %04x\n", d->id[85]);
    }
    if (!wc) {
        ok("set features wcache restore", d,
           ata_set_features(d, ATA_SF_DISABLE_WCACHE, 0));
    }
    if (ok("set features udma2", d,
           ata_set_features(d, ATA_SF_SET_XFER_MODE, ATA_XFER_UDMA | 2)) &&
        ok("identify", d, ata_identify(d))) {
        printf("set features: udma2 -> mwdma %04x udma %04x\n", d->id[63],
               d->id[88]);
    }
    if (ok("set features mwdma2", d,
           ata_set_features(d, ATA_SF_SET_XFER_MODE, ATA_XFER_MWDMA | 2)) &&
        ok("identify", d, ata_identify(d))) {
        printf("set features: mwdma2 -> mwdma %04x udma %04x\n", d->id[63],
               d->id[88]);
    }
    /* An unknown subcommand aborts. */
    printf("set features 0x77: %s, ",
           ata_strerror(ata_set_features(d, 0x77, 0)));
    regs(d);
    printf("\n");
    return failures ? 3 : 0;
}

/* --- transfers --- */

static bool write_dma(struct ata_drive *d, uint32_t p, uint64_t lba,
                      uint32_t count)
{
    fill(buf_a, p, lba, count);
    if (!ok("write dma", d, ata_write_dma(d, lba, count, buf_a))) {
        return false;
    }
    printf("write dma: pattern %08x at lba %lu count %u: %s\n", p, lba, count,
           ata_strerror(0));
    return true;
}

static bool write_pio(struct ata_drive *d, uint32_t p, uint64_t lba,
                      uint32_t count)
{
    fill(buf_a, p, lba, count);
    if (!ok("write pio", d, ata_write_pio(d, lba, count, buf_a))) {
        return false;
    }
    printf("write pio: pattern %08x at lba %lu count %u: %s\n", p, lba, count,
           ata_strerror(0));
    return true;
}

static bool verify(struct ata_drive *d, uint32_t p, uint64_t lba,
                   uint32_t count, bool pio, bool dma)
{
    bool good = true;

    if (pio && readback_pio) {
        memset(buf_b, 0xee, count * 512);
        good = ok("read pio", d, ata_read_pio(d, lba, count, buf_b)) &&
               check("read pio", buf_b, p, lba, count);
    }
    if (dma) {
        memset(buf_b, 0xee, count * 512);
        good = ok("read dma", d, ata_read_dma(d, lba, count, buf_b)) &&
               check("read dma", buf_b, p, lba, count) && good;
    }
    return good;
}

static bool flush(struct ata_drive *d)
{
    if (!ok("flush cache", d, ata_flush(d))) {
        return false;
    }
    printf("flush cache: ");
    regs(d);
    printf("\n");
    return true;
}

static int result(void)
{
    return failures ? 1 : 0;
}

/* op=write-dma, op=write-pio, op=verify, op=rw */
static int op_transfer(const char *op, uint64_t lba, uint32_t count)
{
    struct ata_drive *d = the_drive(false);
    bool do_flush = cmdline_uint("flush", 1) != 0;

    if (!d) {
        return 2;
    }
    if (lba + 2 * count > d->sectors) {
        printf("lba %lu count %u: past the end of %lu sectors\n", lba, count,
               d->sectors);
        return 2;
    }
    printf("drive %d: %lu sectors, write cache %s\n",
           d->channel * 2 + d->unit, d->sectors,
           ata_wcache_enabled(d) ? "on" : "off");
    if (!strcmp(op, "verify")) {
        verify(d, pattern, lba, count, true, true);
        return result();
    }
    if (!strcmp(op, "write-pio")) {
        if (!write_pio(d, pattern, lba, count) ||
            (do_flush && !flush(d))) {
            return 3;
        }
        verify(d, pattern, lba, count, true, true);
        return result();
    }
    if (!write_dma(d, pattern, lba, count)) {
        return 3;
    }
    if (!strcmp(op, "write-dma")) {
        if (do_flush && !flush(d)) {
            return 3;
        }
        verify(d, pattern, lba, count, true, true);
        return result();
    }
    /* op=rw */
    verify(d, pattern, lba, count, true, true);
    d->use_ext = true;
    if (!write_pio(d, pattern + 1, lba + count, count)) {
        return 3;
    }
    verify(d, pattern + 1, lba + count, count, false, true);
    if (!flush(d)) {
        return 3;
    }
    d->use_ext = false;
    return result();
}

/* op=crash: write, flush, say so, spin. */
static int op_crash(uint64_t lba, uint32_t count)
{
    struct ata_drive *d = the_drive(false);
    bool do_flush = cmdline_uint("flush", 1) != 0;
    uint64_t start;

    if (!d) {
        return 2;
    }
    if (!write_dma(d, pattern, lba, count) || (do_flush && !flush(d))) {
        return 3;
    }
    printf("ata: %s\n", do_flush ? "flushed" : "written");
    /* Spin at CPL 3 (no exits) until the VMM is killed; give up after
     * about 2^38 TSC ticks (over a minute) rather than run forever. */
    start = rdtsc();
    while (rdtsc() - start < (1ull << 38)) {
        cpu_relax();
    }
    printf("ata: not killed\n");
    return 4;
}

/* op=crash-loop: many write+flush rounds, each announced once flushed;
 * the host SIGKILLs the VMM at a random moment. */
static int op_crash_loop(uint64_t lba, uint32_t count)
{
    struct ata_drive *d = the_drive(false);
    uint32_t slots = cmdline_uint("slots", 64);
    uint64_t stride = cmdline_uint("stride", 136);
    uint64_t start;

    if (!d) {
        return 2;
    }
    if (!slots || (slots & (slots - 1)) || stride < count ||
        lba + slots * stride > d->sectors) {
        printf("slots=%u stride=%lu: bad, or past the end of %lu sectors\n",
               slots, stride, d->sectors);
        return 2;
    }
    for (uint32_t i = 0; i < slots; i++) {
        uint64_t at = lba + ((uint64_t)i * 97 % slots) * stride;

        if (!write_dma(d, pattern + i, at, count) || !flush(d)) {
            return 3;
        }
        printf("ata: flushed %u.\n", i);
    }
    printf("ata: loop done\n");
    start = rdtsc();
    while (rdtsc() - start < (1ull << 38)) {
        cpu_relax();
    }
    printf("ata: not killed\n");
    return 4;
}

/* --- op=errors --- */

static void report(const char *what, const struct ata_drive *d, int ret)
{
    printf("%s: %s, ", what, ata_strerror(ret));
    regs(d);
    printf(" bm %02x\n", d->last.bm_status);
}

static int op_errors(uint64_t lba)
{
    struct ata_drive *d = the_drive(false);
    struct ata_prd *prd = ata_prd_table();
    uint64_t end;
    int ret;

    if (!d) {
        return 2;
    }
    end = d->sectors;
    if (lba + 256 > end) {
        printf("lba %lu: needs 256 sectors before the end of %lu\n", lba, end);
        return 2;
    }
    printf("drive %d: %lu sectors\n", d->channel * 2 + d->unit, end);

    /* Past the end of the medium. */
    report("read pio at the end", d,
           ata_cmd_pio_in(d, ATA_CMD_READ_SECTORS, end, 1, false, buf_b, 1));
    report("read pio across the end", d,
           ata_cmd_pio_in(d, ATA_CMD_READ_SECTORS, end - 1, 2, false, buf_b, 2));
    report("read pio ext at the end", d,
           ata_cmd_pio_in(d, ATA_CMD_READ_SECTORS_EXT, end, 1, true, buf_b, 1));
    fill(buf_a, pattern, end, 1);
    report("write pio at the end", d,
           ata_cmd_pio_out(d, ATA_CMD_WRITE_SECTORS, end, 1, false, buf_a, 1));
    report("read dma at the end", d,
           ata_cmd_dma(d, ATA_CMD_READ_DMA, end, 1, false,
                       ata_prd_build(buf_b, 512), true));
    report("read dma across the end", d,
           ata_cmd_dma(d, ATA_CMD_READ_DMA, end - 1, 2, false,
                       ata_prd_build(buf_b, 1024), true));
    report("write dma at the end", d,
           ata_cmd_dma(d, ATA_CMD_WRITE_DMA, end, 1, false,
                       ata_prd_build(buf_a, 512), false));
    report("write dma ext at the end", d,
           ata_cmd_dma(d, ATA_CMD_WRITE_DMA_EXT, end, 1, true,
                       ata_prd_build(buf_a, 512), false));
    report("read dma lba 2^28 (28-bit wraps)", d,
           ata_cmd_dma(d, ATA_CMD_READ_DMA_EXT, 1ull << 28, 1, true,
                       ata_prd_build(buf_b, 512), true));

    /* Commands the device does not have. */
    report("command 0x00 (nop)", d, ata_cmd_nodata(d, 0x00, 0, 0, 0, false));
    report("command 0x5c (trusted receive)", d,
           ata_cmd_nodata(d, 0x5c, 0, 0, 0, false));
    report("command 0xa0 (packet) on a disk", d,
           ata_cmd_nodata(d, ATA_CMD_PACKET, 0, 0, 0, false));
    report("command 0xa1 (identify packet) on a disk", d,
           ata_cmd_nodata(d, ATA_CMD_IDENTIFY_PACKET, 0, 0, 0, false));
    report("check power mode", d,
           ata_cmd_nodata(d, ATA_CMD_CHECK_POWER_MODE, 0, 0, 0, false));
    report("read verify", d,
           ata_cmd_nodata(d, ATA_CMD_READ_VERIFY, 0, lba, 4, false));

    /* A PRD byte count of 0 means 64 KiB. */
    fill(buf_a, pattern, lba, 128);
    ok("write dma 64 KiB", d, ata_write_dma(d, lba, 128, buf_a));
    memset(buf_b, 0xee, 65536 + 512);
    prd[0].addr = (uint32_t)(uintptr_t)buf_b;
    prd[0].len = 0 | ATA_PRD_EOT;
    ret = ata_cmd_dma(d, ATA_CMD_READ_DMA, lba, 128, false, prd, true);
    report("read dma, one prd of length 0 (64 KiB)", d, ret);
    check("read dma, prd length 0", buf_b, pattern, lba, 128);
    printf("byte after 64 KiB: %02x\n", buf_b[65536]);

    /* A PRD pointing at unassigned space: into it, and out of it. */
    prd[0].addr = UNASSIGNED;
    prd[0].len = 512 | ATA_PRD_EOT;
    report("read dma into unassigned space", d,
           ata_cmd_dma(d, ATA_CMD_READ_DMA, lba, 1, false, prd, true));
    report("write dma from unassigned space", d,
           ata_cmd_dma(d, ATA_CMD_WRITE_DMA, lba + 200, 1, false, prd, false));
    memset(buf_b, 0xee, 512);
    if (ok("read back", d, ata_read_pio(d, lba + 200, 1, buf_b))) {
        printf("written from unassigned space: %02x %02x ... %02x\n",
               buf_b[0], buf_b[1], buf_b[511]);
    }

    /* PRD list shorter than the transfer: 2 sectors of 8. */
    memset(buf_b, 0xee, 8 * 512);
    ret = ata_cmd_dma(d, ATA_CMD_READ_DMA, lba, 8, false,
                      ata_prd_build(buf_b, 1024), true);
    report("read dma, prds for 2 of 8 sectors", d, ret);
    printf("buffer: sectors 0-1 %s, sector 2 %s\n",
           !memcmp(buf_b, buf_a, 1024) ? "read" :
           buf_b[0] == 0xee && buf_b[1023] == 0xee ? "untouched" : "other",
           buf_b[1024] == 0xee && buf_b[2047] == 0xee ? "untouched" : "written");
    fill(buf_b, ~pattern, lba + 210, 8);
    ok("write pio", d, ata_write_pio(d, lba + 210, 8, buf_b));
    fill(buf_a, pattern, lba + 210, 8);
    ret = ata_cmd_dma(d, ATA_CMD_WRITE_DMA, lba + 210, 8, false,
                      ata_prd_build(buf_a, 1024), false);
    report("write dma, prds for 2 of 8 sectors", d, ret);
    memset(buf_b, 0xee, 8 * 512);
    if (ok("read back", d, ata_read_pio(d, lba + 210, 8, buf_b))) {
        printf("disk: sectors 0-1 %s, sector 2 %s\n",
               !memcmp(buf_b, buf_a, 1024) ? "written" : "unchanged",
               !memcmp(buf_b + 1024, buf_a + 1024, 512) ? "written" : "unchanged");
    }
    fill(buf_a, pattern, lba, 8);

    /* PRD list longer than the transfer: ACTIVE stays set with INTR. */
    memset(buf_b, 0xee, 4096);
    ret = ata_cmd_dma(d, ATA_CMD_READ_DMA, lba, 1, false,
                      ata_prd_build(buf_b, 4096), true);
    report("read dma, prds for 8 sectors, 1 read", d, ret);
    check("read dma, longer prds", buf_b, pattern, lba, 1);
    printf("sector 1 of the buffer %s\n",
           buf_b[512] == 0xee ? "untouched" : "written");

    /* Two PRDs, the first of an odd sector-crossing size. */
    prd[0].addr = (uint32_t)(uintptr_t)buf_b;
    prd[0].len = 700;
    prd[1].addr = (uint32_t)(uintptr_t)buf_b + 700;
    prd[1].len = (2048 - 700) | ATA_PRD_EOT;
    memset(buf_b, 0xee, 4096);
    report("read dma, prds of 700 and 1348 bytes", d,
           ata_cmd_dma(d, ATA_CMD_READ_DMA, lba, 4, false, prd, true));
    check("read dma, split prds", buf_b, pattern, lba, 4);

    /* Everything still works afterwards. */
    ok("flush", d, ata_flush(d));
    verify(d, pattern, lba, 4, true, true);
    return failures ? 1 : 0;
}

/* --- op=cdrom --- */

static void sense(struct ata_drive *d, const char *what)
{
    struct atapi_sense s;
    int ret = atapi_request_sense(d, &s);

    printf("%s: request sense %s: key %x asc %02x ascq %02x\n", what,
           ata_strerror(ret), s.key, s.asc, s.ascq);
}

static int packet(struct ata_drive *d, const char *what, const uint8_t *cdb,
                  void *buf, uint32_t len, bool dma)
{
    uint32_t got;
    int ret = atapi_packet(d, cdb, buf, len, &got, dma);

    printf("%s: %s, status %02x error %02x ireason %02x, %u bytes\n", what,
           ata_strerror(ret), d->last.status, d->last.error, d->last.nsect,
           got);
    return ret;
}

static int op_cdrom(uint64_t lba, uint32_t count)
{
    static const uint8_t tur[12] = { 0x00 };
    static const uint8_t inquiry[12] = { 0x12, 0, 0, 0, 36 };
    static const uint8_t capacity[12] = { 0x25 };
    uint8_t read10[12] = { 0x28 };
    struct ata_drive *d = the_drive(true);
    uint8_t *b = buf_b;
    uint32_t blocks = (count + 3) / 4, last = 0;
    uint64_t first = lba / 4;

    if (!d) {
        return 2;
    }
    print_drive(d->channel * 2 + d->unit, d);
    if (blocks > MAX_COUNT / 4) {
        blocks = MAX_COUNT / 4;
    }

    /* The first commands after power-on (QEMU: possibly a unit
     * attention), until TEST UNIT READY settles. */
    for (int i = 0; i < 3; i++) {
        int ret = packet(d, "test unit ready", tur, NULL, 0, false);

        if (ret == ATA_EDEVICE) {
            sense(d, "test unit ready");
        }
    }

    memset(b, 0, 64);
    if (!packet(d, "inquiry", inquiry, b, 36, false)) {
        char vendor[9], product[17], rev[5];

        memcpy(vendor, b + 8, 8);
        vendor[8] = 0;
        memcpy(product, b + 16, 16);
        product[16] = 0;
        memcpy(rev, b + 32, 4);
        rev[4] = 0;
        printf("inquiry: type %02x rmb %02x version %02x format %02x "
               "additional %u vendor \"%s\" product \"%s\" revision \"%s\"\n",
               b[0], b[1], b[2], b[3], b[4], vendor, product, rev);
    }

    memset(b, 0, 8);
    if (packet(d, "read capacity", capacity, b, 8, false)) {
        sense(d, "read capacity");
        /* No medium: READ(10) must fail the same way. */
        read10[8] = 1;
        packet(d, "read(10)", read10, buf_b, 2048, false);
        sense(d, "read(10)");
        return failures ? 1 : 0;
    }
    last = ata_be32(b);
    printf("read capacity: last lba %u block size %u\n", last, ata_be32(b + 4));

    read10[2] = first >> 24;
    read10[3] = first >> 16;
    read10[4] = first >> 8;
    read10[5] = first;
    read10[7] = blocks >> 8;
    read10[8] = blocks;
    memset(buf_b, 0xee, blocks * 2048);
    if (!packet(d, "read(10) pio", read10, buf_b, blocks * 2048, false)) {
        check("read(10) pio", buf_b, pattern, first * 4, blocks * 4);
    }
    memset(buf_b, 0xee, blocks * 2048);
    if (!packet(d, "read(10) dma", read10, buf_b, blocks * 2048, true)) {
        check("read(10) dma", buf_b, pattern, first * 4, blocks * 4);
    }

    /* Past the last block: ILLEGAL REQUEST, LBA out of range. */
    read10[2] = (last + 1) >> 24;
    read10[3] = (last + 1) >> 16;
    read10[4] = (last + 1) >> 8;
    read10[5] = last + 1;
    read10[7] = 0;
    read10[8] = 1;
    if (packet(d, "read(10) past the end", read10, buf_b, 2048, false)) {
        sense(d, "read(10) past the end");
    }
    return failures ? 1 : 0;
}

int main(void)
{
    char opbuf[16];
    const char *op = cmdline_word("op", opbuf, sizeof(opbuf), "identify");
    uint64_t lba = cmdline_uint("lba", 0);
    uint32_t count = cmdline_uint("count", 8);

    pattern = cmdline_uint("pattern", 0x1234);
    readback_pio = cmdline_uint("pio", 1) != 0;
    if (count == 0 || count > MAX_COUNT) {
        printf("count=%u: 1..%d\n", count, MAX_COUNT);
        return 2;
    }
    if (ata_init(0)) {
        printf("no 8086:7010 at 00:01.1\n");
        return 2;
    }
    printf("ata: op=%s\n", op);
    if (!strcmp(op, "identify")) {
        return op_identify();
    }
    if (!strcmp(op, "rw") || !strcmp(op, "write-dma") ||
        !strcmp(op, "write-pio") || !strcmp(op, "verify")) {
        return op_transfer(op, lba, count);
    }
    if (!strcmp(op, "crash")) {
        return op_crash(lba, count);
    }
    if (!strcmp(op, "crash-loop")) {
        return op_crash_loop(lba, count);
    }
    if (!strcmp(op, "errors")) {
        return op_errors(lba ? lba : 64);
    }
    if (!strcmp(op, "cdrom")) {
        return op_cdrom(lba, count);
    }
    printf("unknown op=%s\n", op);
    return 2;
}
