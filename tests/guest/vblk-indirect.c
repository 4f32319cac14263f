/*
 * vblk-indirect.c - indirect descriptors (VIRTIO_RING_F_INDIRECT_DESC) on
 * virtio-blk-pci at CPL 3, through the legacy (modern=0) or the modern
 * (modern=1: disable-legacy=on) interface (vblk-lib + vblk-xport).
 *
 * By default: a write whose header, 3 data segments and status
 * byte are all in one indirect table; the read back through a table whose
 * chain is out of table order (unused entries are junk the device must
 * not look at); GET_ID and FLUSH through tables; four requests in flight
 * at once, two direct and two indirect; a table longer than the queue; a
 * chain longer than the queue (queue size + 2 descriptors, in a table);
 * an indirect head with NEXT set (the device ignores NEXT).
 *
 * hostile=1: on a freshly set-up device, post a hostile chain and a good
 * read, one kick, wait (wait=M million TSC cycles, default 200; with
 * modern=1 the wait ends at DEVICE_NEEDS_RESET), print what completed and
 * the status, reset, check a good read is served.  QEMU 7.2 and qomu make
 * the device broken (virtio_error) for: a table of length 0, of 40 bytes
 * (not a multiple of 16), outside RAM, a next index past the table, a
 * loop inside the table, a nested INDIRECT in the table (QEMU maps it as
 * a plain out buffer: "virtio-blk missing headers"; qomu: "Nested indirect
 * descriptor") and an INDIRECT descriptor after a direct one (a plain
 * buffer for both).  strict=1 adds what qomu refuses and QEMU 7.2 serves
 * (docs/devel/virtio.md, additions): a nested INDIRECT|WRITE descriptor
 * used as the status buffer, a table of 1025 entries.
 *
 * Command line: modern=0|1, hostile=0|1, lba=L (default 40),
 * pattern=P (default 0x1d1d), strict=0|1, wait=M.  Exit 0 if every check
 * passed.
 */
#include "vblk-xport.h"

#define ADDR(p) ((uint64_t)(uintptr_t)(p))
#define NSEC 8                          /* sectors per data request */
#define BIG (2 * QMAX + 2)

static uint8_t data[NSEC * 512] __attribute__((aligned(PAGE)));
static uint8_t back[NSEC * 512] __attribute__((aligned(PAGE)));
static uint8_t back2[NSEC * 512] __attribute__((aligned(PAGE)));
static struct vring_desc tbl[4][8] __attribute__((aligned(16)));
static struct vring_desc big[1040] __attribute__((aligned(16)));
static struct vblk_hdr hdr[4] __attribute__((aligned(16)));
static volatile uint8_t st[4];
static uint64_t lba, capacity, wait_cycles;
static unsigned done_mask;

#define check vblk_check

static struct vring_desc D(const volatile void *p, uint32_t len,
                           uint16_t flags, uint16_t next)
{
    return (struct vring_desc){ ADDR(p), len, flags, next };
}

/*
 * Table @t as the plain request of slot @k: its header, one buffer of
 * @len bytes (written by the device when @in), its status byte.
 */
static void tbl_plain(struct vring_desc *t, int k, const volatile void *buf,
                      uint32_t len, bool in)
{
    t[0] = D(&hdr[k], 16, VRING_DESC_F_NEXT, 1);
    t[1] = D(buf, len, VRING_DESC_F_NEXT | (in ? VRING_DESC_F_WRITE : 0), 2);
    t[2] = D(&st[k], 1, VRING_DESC_F_WRITE, 0);
}

/* Request slot k's header and status byte. */
static void hdr_set(int k, uint32_t type, uint64_t sector)
{
    hdr[k] = (struct vblk_hdr){ type, 0, sector };
    st[k] = 0xee;
}

/* Wait for n used entries (or wait_cycles); done_mask |= 1 << id. */
static int wait_used(int n, uint64_t cycles)
{
    uint64_t start = rdtsc();
    uint32_t id, len;
    int got = 0;

    while (got < n) {
        uint64_t spent = rdtsc() - start;

        if (spent >= cycles || !vblk_poll_used(cycles - spent, &id, &len)) {
            break;
        }
        done_mask |= 1u << (id & 31);
        got++;
    }
    return got;
}

/* Post an indirect head at descriptor head pointing at n entries of t. */
static void post_indirect(int head, struct vring_desc *t, unsigned n,
                          uint16_t extra_flags, uint16_t next, bool kick)
{
    vblk_desc[head] = D(t, n * 16, VRING_DESC_F_INDIRECT | extra_flags, next);
    vblk_post(head, 0, kick);
}

/* One indirect request at descriptor 0; its status byte (0xff: timeout). */
static uint8_t run_one(struct vring_desc *t, unsigned n, int k)
{
    done_mask = 0;
    post_indirect(0, t, n, 0, 0, true);
    if (wait_used(1, 20000000000ull) != 1) {
        printf("timeout\n");
        vblk_failures++;
        return 0xff;
    }
    return st[k];
}

static void fill_pattern(uint32_t pattern)
{
    uint32_t *w = (uint32_t *)data;

    for (unsigned s = 0; s < NSEC; s++) {
        for (unsigned k = 0; k < 128; k++) {
            w[s * 128 + k] = vblk_pattern_word(pattern, lba + s, k);
        }
    }
}

static const char *same(const void *a, const void *b, size_t n)
{
    return memcmp(a, b, n) ? "DIFFERENT" : "same data";
}

static int op_good(void)
{
    char id[21];
    uint8_t s;
    unsigned n, q = vblk_qnum, seg;

    /* header, 3 data segments, status: all in the table */
    hdr_set(0, T_OUT, lba);
    tbl[0][0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 1);
    tbl[0][1] = D(data, 512, VRING_DESC_F_NEXT, 2);
    tbl[0][2] = D(data + 512, 2560, VRING_DESC_F_NEXT, 3);
    tbl[0][3] = D(data + 3072, 1024, VRING_DESC_F_NEXT, 4);
    tbl[0][4] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
    s = run_one(tbl[0], 5, 0);
    printf("indirect write of %u sectors at %llu in 3 segments: status %u\n",
           NSEC, (unsigned long long)lba, s);
    check(s == 0, "indirect write");

    /* read back: chain 0 -> 5 -> 2 -> 7 -> 1 -> 6, junk in 3 and 4 */
    memset(back, 0, sizeof(back));
    hdr_set(1, T_IN, lba);
    tbl[1][0] = D(&hdr[1], 16, VRING_DESC_F_NEXT, 5);
    tbl[1][5] = D(back, 1024, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    tbl[1][2] = D(back + 1024, 1024, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 7);
    tbl[1][7] = D(back + 2048, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    tbl[1][1] = D(back + 2560, 1536, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 6);
    tbl[1][6] = D(&st[1], 1, VRING_DESC_F_WRITE, 0);
    tbl[1][3] = D((void *)0x40000000, 0, VRING_DESC_F_INDIRECT | 0x80, 99);
    tbl[1][4] = D((void *)0xfffffffffff0ull, 4096, VRING_DESC_F_NEXT, 4);
    s = run_one(tbl[1], 8, 1);
    printf("indirect read back in 4 segments, chain out of table order: "
           "status %u, %s\n", s, same(back, data, sizeof(data)));
    check(s == 0 && !memcmp(back, data, sizeof(data)), "indirect read");

    /* GET_ID and FLUSH through tables */
    memset(id, 0, sizeof(id));
    hdr_set(0, T_GET_ID, 0);
    tbl_plain(tbl[0], 0, id, 20, true);
    s = run_one(tbl[0], 3, 0);
    printf("indirect get-id: status %u, \"%s\"\n", s, id);
    check(s == 0, "indirect get-id");
    hdr_set(0, T_FLUSH, 0);
    tbl[0][0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 1);
    tbl[0][1] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
    s = run_one(tbl[0], 2, 0);
    printf("indirect flush: status %u\n", s);
    check(s == 0, "indirect flush");

    /* four in flight, one kick: direct write lba+8 (descs 0-2), indirect
     * write lba+16 (desc 3), indirect read lba (desc 4), direct read lba
     * (descs 5-7) */
    memset(back, 0, sizeof(back));
    memset(back2, 0, sizeof(back2));
    hdr_set(0, T_OUT, lba + NSEC);
    vblk_desc[0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 1);
    vblk_desc[1] = D(data, 512, VRING_DESC_F_NEXT, 2);
    vblk_desc[2] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
    hdr_set(1, T_OUT, lba + 2 * NSEC);
    tbl_plain(tbl[0], 1, data + 512, 512, false);
    hdr_set(2, T_IN, lba);
    tbl_plain(tbl[1], 2, back, sizeof(back), true);
    hdr_set(3, T_IN, lba);
    vblk_desc[5] = D(&hdr[3], 16, VRING_DESC_F_NEXT, 6);
    vblk_desc[6] = D(back2, sizeof(back2), VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 7);
    vblk_desc[7] = D(&st[3], 1, VRING_DESC_F_WRITE, 0);
    done_mask = 0;
    vblk_post(0, 0, false);
    post_indirect(3, tbl[0], 3, 0, 0, false);
    post_indirect(4, tbl[1], 3, 0, 0, false);
    vblk_post(5, 0, true);
    n = wait_used(4, 20000000000ull);
    printf("4 in flight (direct, indirect, indirect, direct): %u completed, "
           "heads %s, status %u %u %u %u, reads %s, %s\n", n,
           done_mask == 0x39 ? "0 3 4 5" : "WRONG", st[0], st[1], st[2], st[3],
           same(back, data, sizeof(data)), same(back2, data, sizeof(data)));
    check(n == 4 && done_mask == 0x39 && !st[0] && !st[1] && !st[2] && !st[3] &&
          !memcmp(back, data, sizeof(data)) && !memcmp(back2, data, sizeof(data)),
          "mixed direct and indirect");

    /* a table of 2 x queue size entries, the chain at its end */
    memset(big, 0, sizeof(big));
    memset(back, 0, sizeof(back));
    n = 2 * q;
    hdr_set(0, T_IN, lba + NSEC);
    big[0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, n - 2);
    big[n - 2] = D(back, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, n - 1);
    big[n - 1] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
    s = run_one(big, n, 0);
    printf("table of 2 x queue size entries: status %u, %s\n", s,
           same(back, data, 512));
    check(s == 0 && !memcmp(back, data, 512), "table longer than the queue");

    /* a chain of queue size + 2 descriptors: q data segments */
    memset(back, 0, sizeof(back));
    seg = sizeof(back) / q;
    hdr_set(0, T_IN, lba);
    big[0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 1);
    for (unsigned i = 0; i < q; i++) {
        big[1 + i] = D(back + i * seg, seg,
                       VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 + i);
    }
    big[q + 1] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
    s = run_one(big, q + 2, 0);
    printf("chain of queue size + 2 descriptors in a table: status %u, %s\n",
           s, same(back, data, sizeof(data)));
    check(s == 0 && !memcmp(back, data, sizeof(data)), "long indirect chain");

    /* NEXT on an indirect head: ignored (desc 9 is junk) */
    memset(back, 0, sizeof(back));
    vblk_desc[9] = D((void *)0x40000000, 0, 0, 0x7777);
    hdr_set(0, T_IN, lba + 2 * NSEC);
    tbl_plain(tbl[0], 0, back, 512, true);
    done_mask = 0;
    post_indirect(0, tbl[0], 3, VRING_DESC_F_NEXT, 9, true);
    n = wait_used(1, 20000000000ull);
    printf("indirect head with NEXT set: %s, status %u, %s\n",
           n ? "completed" : "not completed", st[0],
           same(back, data + 512, 512));
    check(n == 1 && st[0] == 0 && !memcmp(back, data + 512, 512),
          "indirect head with NEXT");
    printf("device status %02x\n", vblk_get_status());
    return 0;
}

/* hostile: descriptor 8 (+ tables), then a good read at descriptors 0-2 */
static void hostile(const char *name)
{
    bool hdone, gdone;
    uint64_t start;
    uint8_t status;

    hdr_set(3, T_IN, 0);
    vblk_desc[0] = D(&hdr[3], 16, VRING_DESC_F_NEXT, 1);
    vblk_desc[1] = D(back2, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    vblk_desc[2] = D(&st[3], 1, VRING_DESC_F_WRITE, 0);
    done_mask = 0;
    vblk_post(8, 0, false);
    vblk_post(0, 0, true);
    start = rdtsc();
    while (rdtsc() - start < wait_cycles && (done_mask & 0x101) != 0x101) {
        if (vblk_modern && (vblk_get_status() & S_NEEDS_RESET)) {
            break;
        }
        wait_used(1, 1000000);
    }
    hdone = done_mask & 0x100;
    gdone = done_mask & 1;
    status = vblk_get_status();
    printf("%s: hostile %s", name, hdone ? "completed" : "not completed");
    if (hdone) {
        printf(" (status %u)", st[0]);
    }
    printf("; good %s; device status %02x%s\n",
           gdone ? "served" : "not served", status,
           status & S_NEEDS_RESET ? " (NEEDS_RESET)" : "");
    if (vblk_setup(1ull << F_INDIRECT_DESC) == ~0ull) {
        exit_guest(5);
    }
    hdr_set(3, T_IN, 0);
    tbl_plain(tbl[3], 3, back2, 512, true);
    status = run_one(tbl[3], 3, 3);
    printf("%s: after reset, an indirect read: status %u\n", name, status);
    check(status == 0, "read after reset");
}

/* hdr (slot 0), read 512 bytes into back, status: entries 0-2 of t */
static void good_table(struct vring_desc *t)
{
    hdr_set(0, T_IN, lba);
    t[0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 1);
    t[1] = D(back, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    t[2] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
}

static int op_hostile(bool strict)
{
    good_table(tbl[0]);
    vblk_desc[8] = D(tbl[0], 0, VRING_DESC_F_INDIRECT, 0);
    hostile("zero-length table");
    vblk_desc[8] = D(tbl[0], 40, VRING_DESC_F_INDIRECT, 0);
    hostile("table of 40 bytes");
    vblk_desc[8] = D((void *)0x40000000, 48, VRING_DESC_F_INDIRECT, 0);
    hostile("table outside RAM");
    good_table(tbl[0]);
    tbl[0][2].flags |= VRING_DESC_F_NEXT;
    tbl[0][2].next = 3;
    vblk_desc[8] = D(tbl[0], 48, VRING_DESC_F_INDIRECT, 0);
    hostile("next past the table");
    good_table(tbl[0]);
    tbl[0][1] = D(back, 512, VRING_DESC_F_NEXT, 0);     /* 0 -> 1 -> 0 */
    vblk_desc[8] = D(tbl[0], 48, VRING_DESC_F_INDIRECT, 0);
    hostile("loop in the table");
    /* nested: [hdr, INDIRECT -> (data, status)] */
    hdr_set(0, T_IN, lba);
    tbl[1][0] = D(back, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
    tbl[1][1] = D(&st[0], 1, VRING_DESC_F_WRITE, 0);
    tbl[0][0] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 1);
    tbl[0][1] = D(tbl[1], 32, VRING_DESC_F_INDIRECT, 0);
    vblk_desc[8] = D(tbl[0], 32, VRING_DESC_F_INDIRECT, 0);
    hostile("nested table");
    /* direct header, then an INDIRECT descriptor (a plain buffer) */
    vblk_desc[8] = D(&hdr[0], 16, VRING_DESC_F_NEXT, 9);
    vblk_desc[9] = D(tbl[1], 32, VRING_DESC_F_INDIRECT, 0);
    hostile("indirect after a direct descriptor");
    if (strict) {
        /* nested INDIRECT|WRITE as the status buffer: QEMU 7.2 writes the
         * status into the last byte of those 16 bytes */
        good_table(tbl[0]);
        tbl[0][2] = D(tbl[2], 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
        vblk_desc[8] = D(tbl[0], 48, VRING_DESC_F_INDIRECT, 0);
        hostile("nested write table");
        memset(big, 0, sizeof(big));
        good_table(big);
        vblk_desc[8] = D(big, 1025 * 16, VRING_DESC_F_INDIRECT, 0);
        hostile("table of 1025 entries");
    }
    return 0;
}

int main(void)
{
    bool modern = cmdline_uint("modern", 0);
    bool hostile_op = cmdline_uint("hostile", 0);
    uint64_t f;

    lba = cmdline_uint("lba", 40);
    wait_cycles = cmdline_uint("wait", 200) * 1000000ull;
    if (!vblk_open(modern)) {
        return 3;
    }
    f = vblk_setup((1ull << F_INDIRECT_DESC) | (1u << F_FLUSH));
    if (f == ~0ull) {
        return 4;
    }
    capacity = vblk_cfg32(0) | (uint64_t)vblk_cfg32(4) << 32;
    printf("%s interface, queue size %u, capacity %llu sectors; "
           "indirect_desc offered %s, negotiated %s\n", vblk_xport_name(),
           vblk_qnum, (unsigned long long)capacity,
           vblk_host_features & (1ull << F_INDIRECT_DESC) ? "yes" : "no",
           f & (1ull << F_INDIRECT_DESC) ? "yes" : "no");
    fill_pattern(cmdline_uint("pattern", 0x1d1d));
    if (hostile_op) {
        op_hostile(cmdline_uint("strict", 0));
    } else {
        op_good();
    }
    vblk_set_status(0);
    printf("%s\n", vblk_failures ? "vblk-indirect: FAILED" : "vblk-indirect: ok");
    return vblk_failures ? 1 : 0;
}
