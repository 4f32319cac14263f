/*
 * disk-bench.c - 4 KiB random reads and writes by DMA on the PIIX3 IDE
 * primary master, queue depth 1, timed with the TSC.  bench/disk runs it
 * under qomu and QEMU on the same image, beside fio on the host.
 *
 * The disk: -drive file=IMG,format=raw,if=ide,... (ide0-hd0: 00:01.1,
 * legacy ports 0x1f0-0x1f7/0x3f6, bus master DMA in BAR4, which this
 * guest programs itself).  Its size comes from IDENTIFY DEVICE (LBA28
 * words 60-61, or LBA48 words 100-103 when the drive has it and LBA28
 * cannot address it all); the blocks are the 4 KiB-aligned ones.
 *
 * Setup (PCI, IDETIM decode, BAR4, IDENTIFY) is tests/guest/ata-lib's.
 * One operation, what a driver does for READ/WRITE DMA (ATA8-ACS 7.21,
 * 7.58; Intel 82371 PIIX3 datasheet, 2.7 bus master IDE registers):
 *   PRD entry (in RAM, no exit): the buffer, 4096 bytes, end of table
 *   taskfile: sector count 8, LBA bits 0-23, device (written only when
 *             LBA bits 24-27 change: the register keeps its value),
 *             command 0xc8 READ DMA / 0xca WRITE DMA (0x25/0x35 EXT,
 *             with the high-order bytes first, for LBA48)
 *   BMIC = direction | start               (one write)
 *   poll BMIS until its interrupt bit is set (each poll is one exit)
 *   BMIC = direction (stop), read the ATA status (clears INTRQ), write
 *   back BMIS (clears interrupt/error)
 * so 9 exits plus the polls (at least one) per 4 KiB, with LBA28 on a
 * disk under 8 GiB (the device register is then written once).  The
 * guest counts the polls and prints the exits per operation.
 * The guest runs at CPL 3 with IF=0: the IRQ 14 the drive raises is never
 * taken; the bus master status's interrupt bit is what is polled, as
 * Linux's ata_bmdma_irq does.
 *
 * Latency of one op: rdtsc before its first register write to rdtsc
 * after its status is cleared, i.e. the whole cycle; at queue depth 1
 * IOPS = ops / total time, so 1e6 / IOPS is the mean latency plus the
 * loop's few native instructions.
 *
 * Command line:
 *   op=read|write|mix   (default read; mix = 50% each, chosen at random)
 *   seconds=N           measure for N seconds (default 5), or
 *   ops=N               exactly N operations (overrides seconds)
 *   warmup=N            N unmeasured operations first (default 200)
 *   batch_ms=N          also time the run in batches of N ms (default
 *                       200) and print the best batch's IOPS: the rate
 *                       when the host leaves the vCPU alone
 *   seed=N              the PRNG seed for offsets and the mix (default 1)
 *   tsc_khz=K           the TSC rate (bench/disk passes the vCPU's,
 *                       KVM_GET_TSC_KHZ: KVM runs the guest's TSC at
 *                       that rate); if absent the guest measures it
 *                       against the RTC's seconds (calib=S seconds,
 *                       default 2: 1-3 s more run time; it agreed with
 *                       KVM's figure to 0.002% here)
 *   check=0             skip the self-check (a 4 KiB write, read back,
 *                       compare; on by default, so a "fast" disk that
 *                       moves no data fails)
 *   bmdma=0xPORT        where to put BAR4 (default 0xc000)
 *   path=lean|lib       lean (default): the sequence above, local to
 *                       this file; lib: ata-lib's ata_read_dma() /
 *                       ata_write_dma(), the general path (16 exits plus
 *                       the polls: see lean_dma())
 * Prints (debugcon) lines "bench: read ops ..., iops ..." with the
 * counts, IOPS and mean/p50/p99/min/max latency in microseconds (one for
 * read or write, three for mix: read, write, total), "bench: exits per
 * op ..." (path=lean) and "bench: best iops ..."; the other lines are the same under every VMM (run-diff.sh
 * and bench/disk compare them).
 * Exit codes: 0 ok, 2 no IDE controller, 3 no disk, 4 IDENTIFY failed,
 * 5 an I/O error or timeout, 6 the self-check read back other data,
 * 7 bad arguments.
 */
#include "ata-lib.h"

#define BLOCK_SIZE      4096
#define BLOCK_SECTORS   (BLOCK_SIZE / 512)

enum { EXIT_NO_IDE = 2, EXIT_NO_DISK, EXIT_IDENTIFY, EXIT_IO, EXIT_CHECK,
       EXIT_ARGS };

/* Physical = virtual below 4 GiB; neither may cross a 64 KiB boundary. */
static struct ata_prd prd_table __attribute__((aligned(64)));
static uint8_t rbuf[BLOCK_SIZE] __attribute__((aligned(BLOCK_SIZE)));
static uint8_t wbuf[BLOCK_SIZE] __attribute__((aligned(BLOCK_SIZE)));

static struct ata_drive *disk;
static bool use_lib;                    /* path=lib: ata_read/write_dma() */
static int cur_device = -1;             /* last value written to DEVICE */
static uint64_t tsc_khz;
static uint64_t timeout_ticks;          /* for one operation: 5 s */
static uint64_t lean_exits;             /* port accesses by lean_dma() */

/*
 * The lean path (path=lean, the default): one 4 KiB READ/WRITE DMA of
 * block @blk into rbuf or from wbuf, with only the register accesses the
 * protocol needs (see the top of the file).  ata-lib's ata_cmd_dma() is
 * the general form, for any PRD table and any drive: it also re-points
 * BMDMA's PRD register, writes the feature register, reads the
 * alternate status before the command and after the stop, writes the
 * direction and START separately, and always writes the device register
 * (16 exits plus the polls, against 9 here); path=lib uses it.
 * Returns 0, or an error description.
 */
static const char *lean_dma(uint64_t blk, bool write)
{
    uint16_t tf = ata.cmd_base[disk->channel];
    uint16_t bm = ata_bm_port(disk, 0);
    uint64_t lba = blk * BLOCK_SECTORS, t0;
    uint8_t dir = write ? 0 : ATA_BM_CMD_READ, bst, st;
    bool ext = disk->use_ext || lba + BLOCK_SECTORS > 0x0fffffff;
    int dev = ATA_DEV_OBS | ATA_DEV_LBA | disk->unit << 4;

    prd_table.addr = (uint32_t)(uintptr_t)(write ? wbuf : rbuf);
    prd_table.len = BLOCK_SIZE | ATA_PRD_EOT;
    __asm__ volatile("" ::: "memory");  /* PRD in RAM before the command */

    if (ext) {
        /* high-order bytes first: each register is a 2-deep FIFO */
        outb(tf + ATA_REG_NSECT, 0);
        outb(tf + ATA_REG_LBAL, lba >> 24);
        outb(tf + ATA_REG_LBAM, lba >> 32);
        outb(tf + ATA_REG_LBAH, lba >> 40);
    } else {
        dev |= (lba >> 24) & 0xf;
    }
    outb(tf + ATA_REG_NSECT, BLOCK_SECTORS);
    outb(tf + ATA_REG_LBAL, lba);
    outb(tf + ATA_REG_LBAM, lba >> 8);
    outb(tf + ATA_REG_LBAH, lba >> 16);
    if (dev != cur_device) {
        outb(tf + ATA_REG_DEVICE, dev);
        cur_device = dev;
        lean_exits++;
    }
    outb(tf + ATA_REG_COMMAND,
         ext ? (write ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT)
             : (write ? ATA_CMD_WRITE_DMA : ATA_CMD_READ_DMA));
    outb(bm + ATA_BM_CMD, dir | ATA_BM_CMD_START);
    /* taskfile, command, start; then stop, status, BMIS; the polls */
    lean_exits += (ext ? 4 : 0) + 4 + 1 + 1 + 3;
    t0 = rdtsc();
    while (lean_exits++, !((bst = inb(bm + ATA_BM_STATUS)) & ATA_BM_SR_INTR)) {
        if (rdtsc() - t0 > timeout_ticks) {
            outb(bm + ATA_BM_CMD, dir);
            return "timed out (no interrupt in the bus master status)";
        }
    }
    outb(bm + ATA_BM_CMD, dir);         /* stop */
    st = inb(tf + ATA_REG_STATUS);      /* acknowledges INTRQ */
    outb(bm + ATA_BM_STATUS, bst);      /* write-1-to-clear INTR and ERR */
    if (bst & ATA_BM_SR_ERR) {
        return "bus master error";
    }
    if (st & (ATA_SR_BSY | ATA_SR_DRQ | ATA_SR_DF | ATA_SR_ERR)) {
        return "ATA status error";
    }
    return 0;
}

static const char *disk_dma(uint64_t blk, bool write)
{
    int ret;

    if (!use_lib) {
        return lean_dma(blk, write);
    }
    ret = write ? ata_write_dma(disk, blk * BLOCK_SECTORS, BLOCK_SECTORS, wbuf)
                : ata_read_dma(disk, blk * BLOCK_SECTORS, BLOCK_SECTORS, rbuf);
    return ret ? ata_strerror(ret) : 0;
}

/* Before the lean path's first command: BMDMA at our PRD entry, stopped,
 * INTR/ERR clear (the capable bits kept); the device register as
 * ata-lib left it is unknown, so the first command writes it. */
static void lean_setup(void)
{
    uint16_t bm = ata_bm_port(disk, 0);

    outb(bm + ATA_BM_CMD, 0);
    outl(bm + ATA_BM_PRDT, (uint32_t)(uintptr_t)&prd_table);
    outb(bm + ATA_BM_STATUS, ATA_BM_SR_DRV0_DMA | ATA_BM_SR_DRV1_DMA |
                             ATA_BM_SR_ERR | ATA_BM_SR_INTR);
    cur_device = -1;
}

/* --- arguments, randomness, time ---------------------------------------- */

/* The value of "key=" in the command line, copied into @out (size @n). */
static bool cmdline_word(const char *key, char *out, size_t n)
{
    const char *p = guest_cmdline();
    size_t klen = strlen(key);

    while (*p) {
        while (*p == ' ') {
            p++;
        }
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            size_t i = 0;

            p += klen + 1;
            while (p[i] && p[i] != ' ' && i + 1 < n) {
                out[i] = p[i];
                i++;
            }
            out[i] = 0;
            return true;
        }
        while (*p && *p != ' ') {
            p++;
        }
    }
    return false;
}

/* Heap sort: up to millions of uint32_t, natively, no extra memory. */
static void sift_down(uint32_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        uint32_t t;

        if (child >= n) {
            return;
        }
        if (child + 1 < n && a[child + 1] > a[child]) {
            child++;
        }
        if (a[root] >= a[child]) {
            return;
        }
        t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_u32(uint32_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;) {
        sift_down(a, i, n);
    }
    for (size_t end = n; end-- > 1;) {
        uint32_t t = a[0];

        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end);
    }
}

/* "12.3" microseconds, from TSC ticks */
static void print_us(const char *label, uint64_t ticks)
{
    uint64_t ns10 = ticks * 10000 / tsc_khz;   /* tenths of a microsecond */

    printf(" %s %lu.%lu", label, ns10 / 10, ns10 % 10);
}

/* Latencies (TSC ticks) live in RAM from 8 MiB up, outside the image. */
#define LAT_BASE        0x800000ull
enum { OP_READ, OP_WRITE, NR_OPS };

typedef struct Stats {
    uint32_t *lat;
    uint64_t n, sum, max_n;
} Stats;

static Stats stats[NR_OPS];

static void report(const char *what, Stats *s, uint64_t elapsed)
{
    uint64_t iops10;

    if (!s->n) {
        return;
    }
    sort_u32(s->lat, s->n);
    iops10 = s->n * tsc_khz * 10000 / elapsed;
    printf("bench: %-5s ops %lu in %lu ms, iops %lu.%lu, latency us:", what,
           s->n, elapsed / tsc_khz, iops10 / 10, iops10 % 10);
    print_us("mean", s->sum / s->n);
    print_us("p50", s->lat[(s->n * 50 + 99) / 100 - 1]);
    print_us("p99", s->lat[(s->n * 99 + 99) / 100 - 1]);
    print_us("min", s->lat[0]);
    print_us("max", s->lat[s->n - 1]);
    printf("\n");
}

int main(void)
{
    char op[8] = "read", path[8];
    uint64_t blocks, seconds, ops, warmup, mem_top, deadline, start, elapsed, done;
    uint64_t batch_ms, batch_ticks, batch_start, batch_ops = 0, best10 = 0;
    uint64_t nr_batches = 0;
    const struct multiboot_info *mbi = multiboot_info();
    uint16_t bmdma;
    int mode;
    const char *err;

    cmdline_word("op", op, sizeof(op));
    if (!strcmp(op, "read")) {
        mode = OP_READ;
    } else if (!strcmp(op, "write")) {
        mode = OP_WRITE;
    } else if (!strcmp(op, "mix")) {
        mode = NR_OPS;
    } else {
        printf("disk-bench: op=%s: expected read, write or mix\n", op);
        return EXIT_ARGS;
    }
    seconds = cmdline_uint("seconds", 5);
    ops = cmdline_uint("ops", 0);
    warmup = cmdline_uint("warmup", 200);
    batch_ms = cmdline_uint("batch_ms", 200) ?: 1;
    guest_rng_seed(cmdline_uint("seed", 1) * 0x9e3779b97f4a7c15ull + 1);
    bmdma = cmdline_uint("bmdma", ATA_BMDMA_DEFAULT) & 0xfff0;
    if (cmdline_word("path", path, sizeof(path)) && strcmp(path, "lean")) {
        if (strcmp(path, "lib")) {
            printf("disk-bench: path=%s: expected lean or lib\n", path);
            return EXIT_ARGS;
        }
        use_lib = true;
    }
    tsc_khz = cmdline_uint("tsc_khz", 0);

    /* Timeouts need a TSC rate before the first register access. */
    timeout_ticks = 5ull * 1000 * (tsc_khz ? tsc_khz : 4000000);
    if (!tsc_khz) {
        tsc_khz = guest_tsc_khz_from_rtc(cmdline_uint("calib", 2) ?: 1);
        timeout_ticks = 5ull * 1000 * tsc_khz;
        printf("bench: tsc %lu kHz, measured against the RTC\n", tsc_khz);
    } else {
        printf("bench: tsc %lu kHz, given\n", tsc_khz);
    }

    if (ata_init(bmdma)) {
        printf("disk-bench: no PIIX3 IDE (8086:7010) at 00:01.1\n");
        return EXIT_NO_IDE;
    }
    disk = ata_probe(0);
    if (!disk || disk->atapi) {
        printf("disk-bench: no ATA disk on the primary master "
               "(-drive ...,if=ide,index=0)\n");
        return EXIT_NO_DISK;
    }
    blocks = disk->sectors / BLOCK_SECTORS;
    if (!(disk->id[49] & (1 << 8)) || !blocks) {
        printf("disk-bench: IDENTIFY: %s\n", blocks ? "no DMA" : "no sectors");
        return EXIT_IDENTIFY;
    }
    disk->use_ext = disk->lba48 && disk->sectors > 0x0fffffff;
    printf("info: model \"%s\"\n", disk->model);
    printf("disk-bench: op=%s path=%s, 4096-byte blocks at random, queue "
           "depth 1, %lu blocks (%lu MiB, LBA%d)\n", op, use_lib ? "lib" : "lean",
           blocks, blocks >> 8, disk->use_ext ? 48 : 28);
    if (!use_lib) {
        lean_setup();
    }

    /* Room for the latencies: RAM from 8 MiB to the top (-m 64: 56 MiB). */
    mem_top = mbi && (mbi->flags & MULTIBOOT_INFO_MEMORY)
              ? (uint64_t)(mbi->mem_upper + 1024) * 1024 : 0;
    if (mem_top <= LAT_BASE + (1 << 20)) {
        printf("disk-bench: needs more than %llu MiB of RAM\n",
               (LAT_BASE >> 20) + 1);
        return EXIT_ARGS;
    }
    stats[OP_READ].max_n = stats[OP_WRITE].max_n =
        (mem_top - LAT_BASE) / 2 / sizeof(uint32_t);
    stats[OP_READ].lat = (uint32_t *)LAT_BASE;
    stats[OP_WRITE].lat = stats[OP_READ].lat + stats[OP_READ].max_n;

    for (int i = 0; i < BLOCK_SIZE; i++) {
        wbuf[i] = guest_rng_next() >> 56;
    }
    if (cmdline_uint("check", 1)) {
        uint64_t blk = guest_rng_next() % blocks;

        memset(rbuf, 0, sizeof(rbuf));
        if ((err = disk_dma(blk, true)) || (err = disk_dma(blk, false))) {
            printf("disk-bench: self-check: %s\n", err);
            return EXIT_IO;
        }
        if (memcmp(rbuf, wbuf, BLOCK_SIZE)) {
            printf("disk-bench: self-check: block %lu read back other data\n",
                   blk);
            return EXIT_CHECK;
        }
        printf("disk-bench: self-check passed (4 KiB written, read back, "
               "equal)\n");
    }

    for (uint64_t i = 0; i < warmup; i++) {
        bool w = mode == NR_OPS ? guest_rng_next() >> 63 : mode == OP_WRITE;

        if ((err = disk_dma(guest_rng_next() % blocks, w))) {
            printf("disk-bench: warm-up: %s\n", err);
            return EXIT_IO;
        }
    }

    deadline = seconds * 1000 * tsc_khz;
    batch_ticks = batch_ms * tsc_khz;
    lean_exits = 0;
    start = batch_start = rdtsc();
    for (done = 0; ops ? done < ops : rdtsc() - start < deadline; done++) {
        bool w = mode == NR_OPS ? guest_rng_next() >> 63 : mode == OP_WRITE;
        uint64_t blk = guest_rng_next() % blocks, t0, t;
        Stats *s = &stats[w];

        t0 = rdtsc();
        err = disk_dma(blk, w);
        t = rdtsc() - t0;
        if (err) {
            printf("disk-bench: %s of block %lu: %s\n", w ? "write" : "read",
                   blk, err);
            return EXIT_IO;
        }
        if (s->n == s->max_n) {
            break;                      /* out of room: stop early */
        }
        s->lat[s->n++] = t > UINT32_MAX ? UINT32_MAX : t;
        s->sum += t;
        /* batches: the best one is the rate without host interference */
        batch_ops++;
        if (t0 + t - batch_start >= batch_ticks) {
            uint64_t b10 = batch_ops * tsc_khz * 10000 / (t0 + t - batch_start);

            best10 = b10 > best10 ? b10 : best10;
            nr_batches++;
            batch_ops = 0;
            batch_start = rdtsc();
        }
    }
    elapsed = rdtsc() - start;
    if (mode != OP_WRITE) {
        report("read", &stats[OP_READ], elapsed);
    }
    if (mode != OP_READ) {
        report("write", &stats[OP_WRITE], elapsed);
    }
    if (mode == NR_OPS) {
        Stats all = { .lat = stats[OP_READ].lat,
                      .n = stats[OP_READ].n + stats[OP_WRITE].n,
                      .sum = stats[OP_READ].sum + stats[OP_WRITE].sum };

        /* the write latencies follow the reads': make them contiguous */
        memmove(all.lat + stats[OP_READ].n, stats[OP_WRITE].lat,
                stats[OP_WRITE].n * sizeof(uint32_t));
        report("total", &all, elapsed);
    }
    if (!use_lib && stats[OP_READ].n + stats[OP_WRITE].n) {
        uint64_t x10 = lean_exits * 10 / (stats[OP_READ].n + stats[OP_WRITE].n);

        printf("bench: exits per op %lu.%lu\n", x10 / 10, x10 % 10);
    }
    if (nr_batches) {
        printf("bench: best  iops %lu.%lu (best of %lu batches of %lu ms)\n",
               best10 / 10, best10 % 10, nr_batches, batch_ms);
    }
    printf("disk-bench: done\n");
    return 0;
}
