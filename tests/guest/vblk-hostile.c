/*
 * vblk-hostile.c - a hostile driver for virtio-blk-pci, legacy interface
 * (vblk-lib): chains a device must refuse without crashing, hanging or
 * touching memory it should not.  Each case, on a freshly set-up device:
 *
 *   post the hostile chain, then a good request (a read of sector 0), one
 *   kick; wait up to wait=M million TSC cycles (default 1000, ~0.5 s) for
 *   both; print which completed (and their status bytes) and the device
 *   status; then reset the device, set it up again and check that a good
 *   request is served.
 *
 * The device may either complete the hostile request with an error status
 * and go on serving, or stop (QEMU's virtio_error(): the device is broken
 * until reset; with VIRTIO_F_VERSION_1 the status gets DEVICE_NEEDS_RESET,
 * legacy shows nothing but a queue that stopped).  Recovering after a
 * reset is required.  QEMU 7.2's answers are the expected ones (run-diff):
 *
 *   loop        two device-readable descriptors pointing at each other
 *               (QEMU: "Looped descriptor")
 *   out-of-ram  a 64 KiB buffer at 1 GiB, outside -m 64 (QEMU: "virtio:
 *               bogus descriptor or out of resources")
 *   bad-head    avail ring entry = queue size ("Guest says index %u is
 *               available")
 *   past-end    a write of 2 sectors from capacity-1, and a read at sector
 *               2^64-8: VIRTIO_BLK_S_IOERR, the device goes on
 *   no-status   header and data, nothing device-writable ("virtio-blk
 *               missing headers")
 *   short-hdr   an 8-byte header ("virtio-blk request outhdr too short")
 *
 * strict=1 adds the cases where qomu validates more than QEMU 7.2 (see
 * docs/devel/virtio.md), so they run under qomu only (check-diff.sh's
 * qomu-only list):
 *
 *   avail-ahead avail->idx moved queue size + 1 ahead, every entry a good
 *               head ("Guest moved used index from %u to %u"); QEMU 7.2's
 *               pop does not check this and serves stale entries
 */
#include "vblk-lib.h"

#define HOSTILE 8                       /* first descriptor of a hostile chain */
#define GOOD 0

static uint8_t buf[PAGE] __attribute__((aligned(PAGE)));
static uint8_t gbuf[512] __attribute__((aligned(512)));
static struct vblk_hdr hhdr __attribute__((aligned(16)));
static struct vblk_hdr ghdr __attribute__((aligned(16)));
static volatile uint8_t hstatus, gstatus;
static uint64_t capacity;
static uint64_t wait_cycles;

#define ADDR(p) ((uint64_t)(uintptr_t)(p))

static void setup(void)
{
    if (vblk_init_quiet(1u << F_FLUSH) == 0xffffffff) {
        printf("FAIL: queue 0 setup\n");
        exit_guest(4);
    }
}

/* descriptors GOOD..GOOD+2: read sector 0 into gbuf */
static void good_chain(void)
{
    ghdr = (struct vblk_hdr){ T_IN, 0, 0 };
    gstatus = 0xee;
    vblk_desc[GOOD] = (struct vring_desc){ ADDR(&ghdr), 16,
                                           VRING_DESC_F_NEXT, GOOD + 1 };
    vblk_desc[GOOD + 1] = (struct vring_desc){
        ADDR(gbuf), 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, GOOD + 2 };
    vblk_desc[GOOD + 2] = (struct vring_desc){ ADDR(&gstatus), 1,
                                               VRING_DESC_F_WRITE, 0 };
}

/* hostile header + status helpers */
static void hdr_desc(int i, uint32_t type, uint64_t sector, uint32_t len,
                     int next)
{
    hhdr = (struct vblk_hdr){ type, 0, sector };
    vblk_desc[i] = (struct vring_desc){ ADDR(&hhdr), len,
                                        next >= 0 ? VRING_DESC_F_NEXT : 0,
                                        next >= 0 ? next : 0 };
}

static void status_desc(int i)
{
    hstatus = 0xee;
    vblk_desc[i] = (struct vring_desc){ ADDR(&hstatus), 1,
                                        VRING_DESC_F_WRITE, 0 };
}

/*
 * Post hostile head (hostile_head < 0: none), then the good request
 * (unless good is false), kick, and report.  extra: how much further
 * avail->idx moves with the hostile head.
 */
static void run_case(const char *name, int hostile_head, uint16_t extra,
                     bool good)
{
    int expect = (hostile_head >= 0) + good, got = 0;
    bool hdone = false, gdone = false;
    uint64_t start;
    uint32_t id, len;
    uint8_t st;

    good_chain();
    if (hostile_head >= 0) {
        vblk_post(hostile_head, extra, !good);
    }
    if (good) {
        vblk_post(GOOD, 0, true);
    }
    start = rdtsc();
    while (got < expect) {
        uint64_t spent = rdtsc() - start;

        if (spent >= wait_cycles ||
            !vblk_poll_used(wait_cycles - spent, &id, &len)) {
            break;
        }
        got++;
        if (id == GOOD && good) {
            gdone = true;
        } else if ((int)id == hostile_head) {
            hdone = true;
        } else {
            printf("%s: used id %u\n", name, id);
        }
    }
    printf("%s: ", name);
    if (hostile_head >= 0) {
        if (hdone) {
            printf("hostile completed, status %u; ", hstatus);
        } else {
            printf("hostile not completed; ");
        }
    }
    if (good) {
        if (gdone) {
            printf("good served, status %u; ", gstatus);
        } else {
            printf("good not served; ");
        }
    }
    printf("device status %02x%s\n", inb(VBLK_IO + R_STATUS),
           inb(VBLK_IO + R_STATUS) & S_NEEDS_RESET ? " (NEEDS_RESET)" : "");

    /* recovery: reset, set up again, a good request */
    setup();
    st = vblk_request(T_IN, 0, gbuf, 512, true);
    printf("%s: after reset, a good read: status %u\n", name, st);
    vblk_check(st == 0, "good request after reset");
}

int main(void)
{
    bool strict = cmdline_uint("strict", 0);
    int dev;
    uint8_t st;

    wait_cycles = cmdline_uint("wait", 1000) * 1000000ull;
    dev = vblk_find_device();
    if (dev < 0) {
        printf("no virtio-blk-pci (1af4:1001) on bus 0\n");
        return 3;
    }
    vblk_pci_setup(dev);
    setup();
    capacity = inl(VBLK_IO + R_CONFIG) |
               (uint64_t)inl(VBLK_IO + R_CONFIG + 4) << 32;
    printf("queue size %u, capacity %llu sectors\n", vblk_qnum,
           (unsigned long long)capacity);
    st = vblk_request(T_IN, 0, gbuf, 512, true);
    printf("first read: status %u\n", st);
    vblk_check(st == 0, "first read");

    /* a loop: 8 -> 9 -> 8 -> ..., both device-readable */
    hdr_desc(HOSTILE, T_OUT, 0, 16, HOSTILE + 1);
    vblk_desc[HOSTILE + 1] = (struct vring_desc){ ADDR(buf), 512,
                                                  VRING_DESC_F_NEXT, HOSTILE };
    run_case("loop", HOSTILE, 0, true);

    /* a buffer outside guest RAM */
    hdr_desc(HOSTILE, T_OUT, 0, 16, HOSTILE + 1);
    vblk_desc[HOSTILE + 1] = (struct vring_desc){ 0x40000000, 65536,
                                                  VRING_DESC_F_NEXT,
                                                  HOSTILE + 2 };
    status_desc(HOSTILE + 2);
    run_case("out-of-ram", HOSTILE, 0, true);

    /* a head index >= the queue size */
    run_case("bad-head", vblk_qnum, 0, true);

    /* past the end: 2 sectors from the last one; sector 2^64 - 8 */
    hdr_desc(HOSTILE, T_OUT, capacity - 1, 16, HOSTILE + 1);
    vblk_desc[HOSTILE + 1] = (struct vring_desc){ ADDR(buf), 1024,
                                                  VRING_DESC_F_NEXT,
                                                  HOSTILE + 2 };
    status_desc(HOSTILE + 2);
    run_case("past-end-write", HOSTILE, 0, true);
    hdr_desc(HOSTILE, T_IN, ~0ull - 7, 16, HOSTILE + 1);
    vblk_desc[HOSTILE + 1] = (struct vring_desc){
        ADDR(buf), 4096, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, HOSTILE + 2 };
    status_desc(HOSTILE + 2);
    run_case("past-end-wrap", HOSTILE, 0, true);

    /* no status byte: header and data, nothing device-writable */
    hdr_desc(HOSTILE, T_OUT, 0, 16, HOSTILE + 1);
    vblk_desc[HOSTILE + 1] = (struct vring_desc){ ADDR(buf), 512, 0, 0 };
    run_case("no-status", HOSTILE, 0, true);

    /* a header of 8 bytes */
    hdr_desc(HOSTILE, T_IN, 0, 8, HOSTILE + 1);
    status_desc(HOSTILE + 1);
    run_case("short-hdr", HOSTILE, 0, true);

    if (strict) {
        /* every avail entry a good head, avail->idx size + 1 ahead */
        good_chain();
        for (unsigned i = 0; i < vblk_qnum; i++) {
            vblk_avail[2 + i] = GOOD;
        }
        run_case("avail-ahead", GOOD, vblk_qnum, false);
    }

    printf("%s\n", vblk_failures ? "vblk-hostile: FAILED" : "vblk-hostile: ok");
    return vblk_failures ? 1 : 0;
}
