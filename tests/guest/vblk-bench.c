/*
 * vblk-bench.c - virtio-blk-pci throughput at queue depth 32, timed with
 * the TSC.  bench/disk's virtio section runs it under qomu and QEMU on
 * the same image, beside fio (iodepth=32) on the host file.
 *
 * The disk: -drive file=IMG,if=none,id=d0,format=raw,... -device
 * virtio-blk-pci,drive=d0 (the first 1af4:1001 on bus 0), driven through
 * the legacy (virtio 0.9.5) interface of the transitional device, BAR 0
 * placed at port 0xc100 by the guest: tests/guest/vblk-lib's setup
 * (vblk_init_quiet(): no features negotiated, queue 0 in the legacy
 * layout) and its ring pointers and vblk_post()/vblk_poll_used().
 *
 * Requests: NR_SLOTS (32) slots, each a fixed 3-descriptor chain (header,
 * data, status) whose head is 3 * slot, so a used entry's id names its
 * slot.  All 32 are posted, then the guest polls used->idx in RAM (no
 * exit): for each completion it checks the status byte and reposts the
 * slot with a new offset (vblk_post(): avail->idx moves at once); after
 * a batch of completions it kicks (one port write, QUEUE_NOTIFY) only
 * when the device has not set VRING_USED_F_NO_NOTIFY.  VRING_AVAIL_F_NO_INTERRUPT
 * is set: CPL 3 takes no interrupts, so the device need not raise any.
 * After the measuring time no new request is posted; the ones in flight
 * are drained and counted, and the time ends at the last completion.
 *
 * Ops (op=, one per boot):
 *   randread   4 KiB reads at random 4 KiB-aligned offsets
 *   randwrite  4 KiB writes of random data at random 4 KiB-aligned offsets
 *   seqread    128 KiB reads, consecutive, wrapping at the end of the disk
 *
 * Command line:
 *   op=randread|randwrite|seqread   (default randread)
 *   seconds=N     measure for N seconds (default 5)
 *   depth=N       requests in flight, 1-32 (default 32)
 *   batch_ms=N    also time the run in batches of N ms (default 100) and
 *                 print the best batch's IOPS
 *   seed=N        the PRNG seed (default 1)
 *   tsc_khz=K     the TSC rate (bench/disk passes KVM_GET_TSC_KHZ); if
 *                 absent, measured against the RTC (2 s)
 *   check=0       skip the self-check (4 KiB written, read back, compared)
 * Prints "bench: OP ops N in M ms, iops X, MB/s Y, kicks per op K",
 * "bench: best iops ..."; the other lines are the same under every VMM.
 * Exit codes: 0 ok, 2 bad arguments, 3 no device, 4 setup failed,
 * 5 an I/O error or timeout, 6 the self-check read back other data.
 */
#include "vblk-lib.h"

#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

#define NR_SLOTS 32
#define SMALL 4096
#define LARGE (128 * 1024)

enum { EXIT_ARGS = 2, EXIT_NO_DEV, EXIT_SETUP, EXIT_IO, EXIT_CHECK };
enum { OP_RANDREAD, OP_RANDWRITE, OP_SEQREAD };

static uint8_t bufs[NR_SLOTS][LARGE] __attribute__((aligned(PAGE)));
static struct vblk_hdr hdrs[NR_SLOTS] __attribute__((aligned(16)));
static volatile uint8_t statuses[NR_SLOTS];

static uint64_t kicks;
static uint64_t tsc_khz;

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

/* Fill slot @s's chain for @type at @sector, @len bytes, and post its
 * head (avail->idx moves; no kick yet). */
static void post(unsigned s, uint32_t type, uint64_t sector, uint32_t len)
{
    struct vring_desc *d = &vblk_desc[3 * s];

    hdrs[s].type = type;
    hdrs[s].ioprio = 0;
    hdrs[s].sector = sector;
    statuses[s] = 0xee;
    d[0] = (struct vring_desc){ (uint64_t)(uintptr_t)&hdrs[s], 16,
                                VRING_DESC_F_NEXT, 3 * s + 1 };
    d[1] = (struct vring_desc){ (uint64_t)(uintptr_t)bufs[s], len,
                                VRING_DESC_F_NEXT |
                                (type == T_IN ? VRING_DESC_F_WRITE : 0),
                                3 * s + 2 };
    d[2] = (struct vring_desc){ (uint64_t)(uintptr_t)&statuses[s], 1,
                                VRING_DESC_F_WRITE, 0 };
    vblk_post(3 * s, 0, false);
}

/* After a batch of posts: kick unless the device asked not to be
 * (vblk_post()'s mfence orders avail->idx before this read). */
static void publish(void)
{
    if (!(*(volatile uint16_t *)vblk_used & VRING_USED_F_NO_NOTIFY)) {
        vblk_kick();
        kicks++;
    }
}

/* The next completion's slot, or -1 if none is there. */
static int reap(void)
{
    uint32_t id, len;

    if (!vblk_poll_used(0, &id, &len)) {
        return -1;
    }
    return id % 3 == 0 && id / 3 < NR_SLOTS ? (int)(id / 3) : -2;
}

/* One request, synchronously: its status, or 0xff on a timeout. */
static uint8_t request_sync(uint32_t type, uint64_t sector, uint32_t len)
{
    uint64_t t0 = rdtsc();
    int s;

    post(0, type, sector, len);
    publish();
    while ((s = reap()) == -1) {
        if (rdtsc() - t0 > 5000 * tsc_khz) {
            return 0xff;
        }
        cpu_relax();
    }
    return s == 0 ? statuses[0] : 0xfe;
}

int main(void)
{
    static const char *const names[] = { "randread", "randwrite", "seqread" };
    char opname[12] = "randread";
    uint64_t seconds, depth, batch_ms, capacity, blocks, seq_next = 0;
    uint64_t start, deadline, batch_ticks, batch_start, last, now, elapsed;
    uint64_t done = 0, batch_done = 0, best10 = 0, nr_batches = 0;
    uint64_t iops10, mbps10, k100, idle_since;
    uint32_t len, type;
    unsigned inflight;
    int dev, op = -1;

    cmdline_word("op", opname, sizeof(opname));
    for (int i = 0; i < 3; i++) {
        if (!strcmp(opname, names[i])) {
            op = i;
        }
    }
    if (op < 0) {
        printf("vblk-bench: op=%s: expected randread, randwrite or seqread\n",
               opname);
        return EXIT_ARGS;
    }
    seconds = cmdline_uint("seconds", 5);
    depth = cmdline_uint("depth", NR_SLOTS);
    batch_ms = cmdline_uint("batch_ms", 100) ?: 1;
    guest_rng_seed(cmdline_uint("seed", 1) * 0x9e3779b97f4a7c15ull + 1);
    if (depth < 1 || depth > NR_SLOTS) {
        printf("vblk-bench: depth=%lu: expected 1-%d\n", depth, NR_SLOTS);
        return EXIT_ARGS;
    }
    tsc_khz = cmdline_uint("tsc_khz", 0);
    if (!tsc_khz) {
        tsc_khz = guest_tsc_khz_from_rtc(2);
        printf("bench: tsc %lu kHz, measured against the RTC\n", tsc_khz);
    } else {
        printf("bench: tsc %lu kHz, given\n", tsc_khz);
    }

    /* setup: vblk-lib's, without features */
    dev = vblk_find_device();
    if (dev < 0) {
        printf("vblk-bench: no virtio-blk-pci (1af4:1001) on bus 0\n");
        return EXIT_NO_DEV;
    }
    vblk_pci_setup(dev);
    if (vblk_init_quiet(0) == 0xffffffff || vblk_qnum < 3 * NR_SLOTS) {
        printf("vblk-bench: queue 0: size %u, expected %d-%d\n",
               inw(VBLK_IO + R_QUEUE_NUM), 3 * NR_SLOTS, QMAX);
        return EXIT_SETUP;
    }
    printf("info: queue 0 size %u\n", vblk_qnum);
    vblk_avail[0] = VRING_AVAIL_F_NO_INTERRUPT;
    capacity = inl(VBLK_IO + R_CONFIG) |
               (uint64_t)inl(VBLK_IO + R_CONFIG + 4) << 32;
    len = op == OP_SEQREAD ? LARGE : SMALL;
    type = op == OP_RANDWRITE ? T_OUT : T_IN;
    blocks = capacity / (len / 512);
    if (blocks < NR_SLOTS) {
        printf("vblk-bench: disk of %lu sectors: too small\n", capacity);
        return EXIT_SETUP;
    }
    printf("vblk-bench: op=%s, %u-byte requests, %lu in flight, "
           "%lu MiB disk\n", names[op], len, depth, capacity >> 11);

    for (unsigned s = 0; s < NR_SLOTS; s++) {
        for (unsigned i = 0; i < LARGE; i += 8) {
            *(uint64_t *)&bufs[s][i] = guest_rng_next();
        }
    }
    if (cmdline_uint("check", 1)) {
        uint64_t sec = guest_rng_next() % (capacity / 8) * 8;
        uint8_t st;

        memcpy(bufs[1], bufs[0], SMALL);
        st = request_sync(T_OUT, sec, SMALL);
        if (st) {
            printf("vblk-bench: self-check write: status %u\n", st);
            return EXIT_IO;
        }
        memset(bufs[0], 0, SMALL);
        st = request_sync(T_IN, sec, SMALL);
        if (st) {
            printf("vblk-bench: self-check read: status %u\n", st);
            return EXIT_IO;
        }
        if (memcmp(bufs[0], bufs[1], SMALL)) {
            printf("vblk-bench: self-check: sector %lu read back other "
                   "data\n", sec);
            return EXIT_CHECK;
        }
        printf("vblk-bench: self-check passed (4 KiB written, read back, "
               "equal)\n");
    }

    deadline = seconds * 1000 * tsc_khz;
    batch_ticks = batch_ms * tsc_khz;
    kicks = 0;
    start = batch_start = last = idle_since = rdtsc();
    for (unsigned s = 0; s < depth; s++) {
        post(s, type, op == OP_SEQREAD ? (seq_next++ % blocks) * (LARGE / 512)
                                       : (guest_rng_next() % blocks) * (len / 512),
             len);
    }
    inflight = depth;
    publish();
    while (inflight) {
        bool more = rdtsc() - start < deadline;
        unsigned n = 0;
        int s;

        while ((s = reap()) != -1) {
            if (s < 0) {
                printf("vblk-bench: used ring: bad id\n");
                return EXIT_IO;
            }
            if (statuses[s]) {
                printf("vblk-bench: %s: status %u\n", names[op], statuses[s]);
                return EXIT_IO;
            }
            done++;
            batch_done++;
            n++;
            inflight--;
            if (more) {
                post(s, type, op == OP_SEQREAD
                              ? (seq_next++ % blocks) * (LARGE / 512)
                              : (guest_rng_next() % blocks) * (len / 512), len);
                inflight++;
            }
        }
        now = rdtsc();
        if (n) {
            last = idle_since = now;
            if (more) {
                publish();
            }
            if (now - batch_start >= batch_ticks) {
                uint64_t b10 = batch_done * tsc_khz * 10000 /
                               (now - batch_start);

                best10 = b10 > best10 ? b10 : best10;
                nr_batches++;
                batch_done = 0;
                batch_start = now;
            }
        } else if (now - idle_since > 5000 * tsc_khz) {
            printf("vblk-bench: %s: timed out (%u requests in flight, no "
                   "completion for 5 s)\n", names[op], inflight);
            return EXIT_IO;
        } else {
            cpu_relax();
        }
    }
    elapsed = last - start;
    iops10 = done * tsc_khz * 10000 / elapsed;
    mbps10 = done * len * tsc_khz / elapsed / 100;    /* 10^6 bytes/s */
    k100 = kicks * 100 / done;
    printf("bench: %s ops %lu in %lu ms, iops %lu.%lu, MB/s %lu.%lu, "
           "kicks per op %lu.%02lu\n", names[op], done, elapsed / tsc_khz,
           iops10 / 10, iops10 % 10, mbps10 / 10, mbps10 % 10,
           k100 / 100, k100 % 100);
    if (nr_batches) {
        printf("bench: best iops %lu.%lu (best of %lu batches of %lu ms)\n",
               best10 / 10, best10 % 10, nr_batches, batch_ms);
    }
    (void)inb(VBLK_IO + R_ISR);
    outb(VBLK_IO + R_STATUS, 0);
    printf("vblk-bench: done\n");
    return 0;
}
