/*
 * vblk-modern.c - virtio-blk-pci through the modern (virtio 1.0) interface
 * at CPL 3: a device with disable-legacy=on (1af4:1042), its vendor
 * capabilities (COMMON, NOTIFY, ISR, DEVICE, PCI_CFG) found in the PCI
 * capability list, BAR 4 (64-bit memory) placed at 0xfe000000 by the
 * guest itself, VIRTIO_F_VERSION_1 negotiated with FEATURES_OK.  Then:
 * write the ata pattern, read it back, FLUSH, GET_ID, a read past the
 * end (IOERR); a looping chain, after which a VERSION_1 device must show
 * DEVICE_NEEDS_RESET (QEMU's virtio_error()); a reset; a good request.
 * Rings and requests are vblk-lib's (legacy layout, notify through the
 * NOTIFY capability).
 *
 * Command line: lba=L (default 100), count=N (1-64, default 16),
 * pattern=P (default 0x1234), as vblk.c.  Exit 0 if every check passed.
 */
#include "vblk-lib.h"

#define BAR4_ADDR 0xfe000000u

static uint8_t data[64 * 512] __attribute__((aligned(PAGE)));
static uint8_t back[64 * 512] __attribute__((aligned(PAGE)));
static uintptr_t common, notify, isr, devcfg;
static uint32_t notify_mult;
static uint16_t notify_off;

#define check vblk_check

static void modern_kick(void)
{
    mmio_write16(notify + notify_off * notify_mult, 0);
}

static uint8_t rd8(uintptr_t base, int off) { return mmio_read8(base + off); }
static uint16_t rd16(uintptr_t base, int off) { return mmio_read16(base + off); }
static uint32_t rd32(uintptr_t base, int off) { return mmio_read32(base + off); }
static void wr8(uintptr_t base, int off, uint8_t v) { mmio_write8(base + off, v); }
static void wr16(uintptr_t base, int off, uint16_t v) { mmio_write16(base + off, v); }
static void wr32(uintptr_t base, int off, uint32_t v) { mmio_write32(base + off, v); }

static void wr64(uintptr_t base, int off, uint64_t v)
{
    wr32(base, off, (uint32_t)v);
    wr32(base, off + 4, (uint32_t)(v >> 32));
}

/* The handshake up to DRIVER_OK; prints what it sees if verbose. */
static bool setup(bool verbose)
{
    uint32_t f0, f1, g0;
    uint8_t st;
    unsigned qnum;

    wr8(common, C_STATUS, 0);
    check(rd8(common, C_STATUS) == 0, "status after reset");
    wr8(common, C_STATUS, S_ACK);
    wr8(common, C_STATUS, S_ACK | S_DRIVER);
    wr32(common, C_DFSELECT, 0);
    f0 = rd32(common, C_DF);
    wr32(common, C_DFSELECT, 1);
    f1 = rd32(common, C_DF);
    g0 = f0 & ((1u << F_SEG_MAX) | (1u << F_BLK_SIZE) | (1u << F_FLUSH));
    wr32(common, C_GFSELECT, 0);
    wr32(common, C_GF, g0);
    wr32(common, C_GFSELECT, 1);
    wr32(common, C_GF, f1 & 1);         /* VIRTIO_F_VERSION_1 (bit 32) */
    wr8(common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    st = rd8(common, C_STATUS);
    if (verbose) {
        printf("device features %08x %08x, num_queues %u\n", f1, f0,
               rd16(common, C_NUMQ));
        printf("driver features %08x %08x, status %02x\n", f1 & 1, g0, st);
    }
    if (!(st & S_FEATURES_OK)) {
        printf("FEATURES_OK not accepted\n");
        return false;
    }
    wr16(common, C_QSELECT, 0);
    qnum = rd16(common, C_QSIZE);
    notify_off = rd16(common, C_QNOFF);
    if (verbose) {
        printf("queue 0 size %u, notify_off %u, enabled %u\n", qnum,
               notify_off, rd16(common, C_QENABLE));
    }
    if (qnum == 0 || qnum > QMAX) {
        printf("bad queue size\n");
        return false;
    }
    vblk_ring_layout(qnum);
    wr64(common, C_QDESC, (uintptr_t)vblk_desc);
    wr64(common, C_QAVAIL, (uintptr_t)vblk_avail);
    wr64(common, C_QUSED, (uintptr_t)vblk_used);
    wr16(common, C_QENABLE, 1);
    wr8(common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    st = rd8(common, C_STATUS);
    if (verbose) {
        printf("queue 0 enabled %u, status %02x\n", rd16(common, C_QENABLE),
               st);
    }
    (void)rd8(isr, 0);
    return true;
}

int main(void)
{
    uint64_t lba = cmdline_uint("lba", 100);
    uint32_t count = cmdline_uint("count", 16);
    uint32_t pattern = cmdline_uint("pattern", 0x1234);
    uint64_t capacity, start;
    uint32_t *w, id, len;
    int dev = -1, pos;
    char idstr[21];
    uint8_t st, isr_val;
    bool moved;

    if (count < 1 || count > 64) {
        printf("count must be 1-64\n");
        return 2;
    }
    for (int d = 0; d < 32; d++) {
        if (vblk_pci_read32(d, 0) == 0x10421af4) {
            dev = d;
            break;
        }
    }
    if (dev < 0) {
        printf("no modern virtio-blk-pci (1af4:1042) on bus 0\n");
        return 3;
    }
    printf("virtio-blk-pci (modern) at 00:%02x.0, subsystem %08x, "
           "class %08x, revision %u\n", dev, vblk_pci_read32(dev, 0x2c),
           vblk_pci_read32(dev, 0x08) >> 8, vblk_pci_read32(dev, 0x08) & 0xff);
    check(vblk_pci_read32(dev, 0x10) == 0, "no legacy I/O BAR 0");
    vblk_pci_write32(dev, 0x20, BAR4_ADDR);
    vblk_pci_write32(dev, 0x24, 0);
    vblk_pci_write32(dev, 0x04, 0x6);   /* memory + bus master */
    check(vblk_pci_read32(dev, 0x04) & 0x100000, "capability list");

    /* the vendor capabilities */
    pos = vblk_pci_read32(dev, 0x34) & 0xfc;
    for (int n = 0; pos && n < 48; n++) {
        uint32_t h = vblk_pci_read32(dev, pos);

        if ((h & 0xff) == 0x09) {
            uint32_t type = (h >> 24) & 0xff;
            uint32_t bar = vblk_pci_read32(dev, pos + 4) & 0xff;
            uint32_t off = vblk_pci_read32(dev, pos + 8);
            uint32_t length = vblk_pci_read32(dev, pos + 12);
            uintptr_t at = BAR4_ADDR + off;

            printf("cap at %02x: cfg_type %u, bar %u, offset %05x, length %u",
                   pos, type, bar, off, length);
            if (type == 2) {
                notify_mult = vblk_pci_read32(dev, pos + 16);
                printf(", notify_off_multiplier %u", notify_mult);
            }
            printf("\n");
            if (bar == 4) {
                if (type == 1) {
                    common = at;
                } else if (type == 2) {
                    notify = at;
                } else if (type == 3) {
                    isr = at;
                } else if (type == 4) {
                    devcfg = at;
                }
            }
        } else {
            printf("cap at %02x: id %02x\n", pos, h & 0xff);
        }
        pos = (h >> 8) & 0xfc;
    }
    if (!common || !notify || !isr || !devcfg) {
        printf("missing a capability in BAR 4\n");
        return 4;
    }
    vblk_kick = modern_kick;
    if (!setup(true)) {
        return 5;
    }
    capacity = rd32(devcfg, 0) | (uint64_t)rd32(devcfg, 4) << 32;
    printf("capacity %llu sectors, seg_max %u, blk_size %u, generation %u\n",
           (unsigned long long)capacity, rd32(devcfg, 12), rd32(devcfg, 20),
           rd8(common, C_GEN));

    w = (uint32_t *)data;
    for (uint32_t s = 0; s < count; s++) {
        for (unsigned k = 0; k < 128; k++) {
            w[s * 128 + k] = vblk_pattern_word(pattern, lba + s, k);
        }
    }
    st = vblk_request(T_OUT, lba, data, count * 512, false);
    printf("write %u sectors at %llu: status %u\n", count,
           (unsigned long long)lba, st);
    check(st == 0, "write");
    st = rd8(isr, 0);
    printf("isr %u then %u\n", st, rd8(isr, 0));
    check(st == 1, "ISR after a completion");
    memset(back, 0, sizeof(back));
    st = vblk_request(T_IN, lba, back, count * 512, true);
    printf("read back: status %u, %s\n", st,
           memcmp(back, data, count * 512) ? "DIFFERENT" : "same data");
    check(st == 0 && !memcmp(back, data, count * 512), "read back");
    st = vblk_request(T_FLUSH, 0, 0, 0, false);
    printf("flush: status %u\n", st);
    check(st == 0, "flush");
    memset(idstr, 0, sizeof(idstr));
    st = vblk_request(T_GET_ID, 0, idstr, 20, true);
    printf("get-id: status %u, \"%s\"\n", st, idstr);
    st = vblk_request(T_IN, capacity, back, 512, true);
    printf("read past the end: status %u\n", st);
    check(st == 1, "IOERR past the end");

    /* a looping chain: VERSION_1, so DEVICE_NEEDS_RESET and a config
     * interrupt (ISR bit 1) */
    vblk_desc[8] = (struct vring_desc){ (uintptr_t)data, 16,
                                        VRING_DESC_F_NEXT, 9 };
    vblk_desc[9] = (struct vring_desc){ (uintptr_t)back, 512,
                                        VRING_DESC_F_NEXT, 8 };
    vblk_post(8, 0, true);
    start = rdtsc();
    while (!(rd8(common, C_STATUS) & S_NEEDS_RESET) &&
           rdtsc() - start < 20000000000ull) {
        __asm__ volatile("pause");
    }
    st = rd8(common, C_STATUS);
    isr_val = rd8(isr, 0);
    moved = vblk_poll_used(0, &id, &len);
    printf("looping chain: status %02x%s, isr %u, used %s\n", st,
           st & S_NEEDS_RESET ? " (NEEDS_RESET)" : "", isr_val,
           moved ? "moved" : "not moved");
    check(st & S_NEEDS_RESET, "NEEDS_RESET after a looping chain");

    /* reset, set up again, a good request */
    if (!setup(false)) {
        return 6;
    }
    st = vblk_request(T_IN, lba, back, 512, true);
    printf("after reset: status %02x, read: status %u, %s\n",
           rd8(common, C_STATUS), st,
           memcmp(back, data, 512) ? "DIFFERENT" : "same data");
    check(st == 0 && !memcmp(back, data, 512), "read after reset");
    wr8(common, C_STATUS, 0);
    printf("%s\n", vblk_failures ? "vblk-modern: FAILED" : "vblk-modern: ok");
    return vblk_failures ? 1 : 0;
}
