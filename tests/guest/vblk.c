/*
 * vblk.c - a virtio-blk driver at CPL 3, through the legacy (virtio 0.9.5)
 * interface of a transitional virtio-blk-pci (1af4:1001): the first one
 * on bus 0, with BAR 0 placed at port 0xc100 by the guest itself.
 *
 *   reset, ACKNOWLEDGE|DRIVER, host features (printed), guest features
 *   (SEG_MAX, BLK_SIZE, FLUSH, CONFIG_WCE, DISCARD, WRITE_ZEROES, as
 *   offered), queue 0 (size, PFN), DRIVER_OK, the config space; then
 *   write COUNT sectors of the pattern at LBA, read them back, FLUSH,
 *   GET_ID, the ISR (read-to-clear), a read past the end (IOERR), an
 *   unknown request type (UNSUPP), write zeroes, and the write cache
 *   switched off and on through the config space.  Polls the used ring
 *   (CPL 3 takes no interrupts).
 *
 * Command line: lba=L (default 100), count=N sectors (1-64, default 16),
 * pattern=P (default 0x1234): the pattern of ata.c (tests/guest/
 * ata-pattern.py checks the image).  Exit 0 if every check passed.
 * crash=1 (check-crash.sh): after the write, FLUSH (unless flush=0),
 * print "vblk: flushed" ("vblk: written") and spin.
 * The driver itself is vblk-lib.[ch].
 */
#include "vblk-lib.h"

static uint8_t data[64 * 512] __attribute__((aligned(PAGE)));
static uint8_t back[64 * 512] __attribute__((aligned(PAGE)));
static struct {
    uint64_t sector;
    uint32_t num;
    uint32_t flags;
} dwz __attribute__((aligned(16)));

#define pci_read32 vblk_pci_read32
#define pci_write32 vblk_pci_write32
#define check vblk_check
#define request vblk_request
#define failures vblk_failures

int main(void)
{
    uint64_t lba = cmdline_uint("lba", 100);
    uint32_t count = cmdline_uint("count", 16);
    uint32_t pattern = cmdline_uint("pattern", 0x1234);
    bool crash = cmdline_uint("crash", 0);
    bool flush = cmdline_uint("flush", 1);
    uint32_t host, guest, *w;
    uint64_t capacity;
    uint8_t st, isr;
    char id[21];
    unsigned qnum;
    int dev;

    if (count < 1 || count > 64) {
        printf("count must be 1-64\n");
        return 2;
    }
    dev = vblk_find_device();
    if (dev < 0) {
        printf("no virtio-blk-pci (1af4:1001) on bus 0\n");
        return 3;
    }
    printf("virtio-blk-pci at 00:%02x.0, subsystem %08x, class %08x\n", dev,
           pci_read32(dev, 0x2c), pci_read32(dev, 0x08));
    vblk_pci_setup(dev);

    /* reset, then the handshake */
    outb(VBLK_IO + R_STATUS, 0);
    check(inb(VBLK_IO + R_STATUS) == 0, "status after reset");
    outb(VBLK_IO + R_STATUS, S_ACK);
    outb(VBLK_IO + R_STATUS, S_ACK | S_DRIVER);
    host = inl(VBLK_IO + R_HOST_FEATURES);
    printf("host features %08x\n", host);
    guest = host & ((1u << F_SEG_MAX) | (1u << F_BLK_SIZE) | (1u << F_FLUSH) |
                    (1u << F_CONFIG_WCE) | (1u << F_DISCARD) |
                    (1u << F_WRITE_ZEROES));
    outl(VBLK_IO + R_GUEST_FEATURES, guest);
    printf("guest features %08x\n", inl(VBLK_IO + R_GUEST_FEATURES));

    /* queue 0: the legacy layout, 4 KiB aligned used ring */
    qnum = vblk_queue_setup();
    outw(VBLK_IO + R_QUEUE_SEL, 0);
    printf("queue 0 size %u\n", inw(VBLK_IO + R_QUEUE_NUM));
    outw(VBLK_IO + R_QUEUE_SEL, 1);
    printf("queue 1 size %u\n", inw(VBLK_IO + R_QUEUE_NUM));
    outw(VBLK_IO + R_QUEUE_SEL, 0);
    if (qnum == 0) {
        printf("bad queue size\n");
        return 4;
    }
    check(inl(VBLK_IO + R_QUEUE_PFN) != 0, "PFN");
    outb(VBLK_IO + R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
    printf("status %02x\n", inb(VBLK_IO + R_STATUS));

    /* config space */
    capacity = inl(VBLK_IO + R_CONFIG) |
               (uint64_t)inl(VBLK_IO + R_CONFIG + 4) << 32;
    printf("capacity %llu sectors, seg_max %u, blk_size %u, "
           "geometry %u/%u/%u, wce %u, num_queues %u\n",
           (unsigned long long)capacity, inl(VBLK_IO + R_CONFIG + 12),
           inl(VBLK_IO + R_CONFIG + 20), inw(VBLK_IO + R_CONFIG + 16),
           inb(VBLK_IO + R_CONFIG + 18), inb(VBLK_IO + R_CONFIG + 19),
           inb(VBLK_IO + R_CONFIG + 32), inw(VBLK_IO + R_CONFIG + 34));
    printf("max_discard_sectors %u, max_write_zeroes_sectors %u\n",
           inl(VBLK_IO + R_CONFIG + 36), inl(VBLK_IO + R_CONFIG + 48));
    (void)inb(VBLK_IO + R_ISR);

    /* write the pattern, read it back */
    w = (uint32_t *)data;
    for (uint32_t s = 0; s < count; s++) {
        for (unsigned k = 0; k < 128; k++) {
            w[s * 128 + k] = vblk_pattern_word(pattern, lba + s, k);
        }
    }
    st = request(T_OUT, lba, data, count * 512, false);
    printf("write %u sectors at %llu: status %u\n", count,
           (unsigned long long)lba, st);
    check(st == 0, "write");
    if (crash) {
        /* check-crash.sh: the write (and the flush) completed; the VMM is
         * SIGKILLed while the guest spins */
        if (flush) {
            st = request(T_FLUSH, 0, 0, 0, false);
            check(st == 0, "flush");
        }
        printf(failures ? "vblk: FAILED\n" :
               flush ? "vblk: flushed\n" : "vblk: written\n");
        for (;;) {
            __asm__ volatile("pause");
        }
    }
    isr = inb(VBLK_IO + R_ISR);
    printf("isr %u then %u\n", isr, inb(VBLK_IO + R_ISR));
    check(isr == 1, "ISR after a completion");
    memset(back, 0, sizeof(back));
    st = request(T_IN, lba, back, count * 512, true);
    printf("read back: status %u, %s\n", st,
           memcmp(back, data, count * 512) ? "DIFFERENT" : "same data");
    check(st == 0 && !memcmp(back, data, count * 512), "read back");
    st = request(T_FLUSH, 0, 0, 0, false);
    printf("flush: status %u\n", st);
    check(st == 0, "flush");

    /* GET_ID (-device ...,serial=) */
    memset(id, 0, sizeof(id));
    st = request(T_GET_ID, 0, id, 20, true);
    printf("get-id: status %u, \"%s\"\n", st, id);
    check(st == 0, "get-id");

    /* errors: past the end, an unknown type */
    st = request(T_IN, capacity, back, 512, true);
    printf("read past the end: status %u\n", st);
    check(st == 1, "IOERR past the end");
    st = request(0x42, 0, back, 512, true);
    printf("type 0x42: status %u\n", st);
    check(st == 2, "UNSUPP");

    /* write zeroes over the last sector written (legacy: one segment) */
    if (guest & (1u << F_WRITE_ZEROES)) {
        dwz.sector = lba + count;
        dwz.num = 1;
        dwz.flags = 0;
        st = request(T_WRITE_ZEROES, 0, &dwz, 16, false);
        printf("write zeroes at %llu: status %u\n",
               (unsigned long long)(lba + count), st);
        check(st == 0, "write zeroes");
    }

    /* the write cache, switched through the config space */
    if (guest & (1u << F_CONFIG_WCE)) {
        outb(VBLK_IO + R_CONFIG + 32, 0);
        printf("wce after writing 0: %u\n", inb(VBLK_IO + R_CONFIG + 32));
        outb(VBLK_IO + R_CONFIG + 32, 1);
        printf("wce after writing 1: %u\n", inb(VBLK_IO + R_CONFIG + 32));
    }

    /* a reset forgets the queue */
    outb(VBLK_IO + R_STATUS, 0);
    printf("after reset: status %u, pfn %u\n", inb(VBLK_IO + R_STATUS),
           inl(VBLK_IO + R_QUEUE_PFN));
    printf("%s\n", failures ? "vblk: FAILED" : "vblk: ok");
    return failures ? 1 : 0;
}
