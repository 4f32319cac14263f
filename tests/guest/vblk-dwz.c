/*
 * vblk-dwz.c - DISCARD and WRITE_ZEROES on virtio-blk-pci at CPL 3,
 * legacy (modern=0) or modern (modern=1) interface, with the features on
 * or off (-device virtio-blk-pci,discard=off,write-zeroes=off): what the
 * device offers and shows in its config space, and the status every
 * request gets whether or not the feature was offered (the driver asks
 * for both; a device without them must still answer).
 *
 *   write the pattern over 4 sectors at LBA; WRITE_ZEROES at LBA;
 *   DISCARD at LBA+1; WRITE_ZEROES with UNMAP at LBA+2; DISCARD with
 *   UNMAP (UNSUPP by the spec); WRITE_ZEROES with an unknown flag;
 *   two segments in one request; DISCARD without the OUT bit (type 10);
 *   then read the 4 sectors back and print which hold the pattern and
 *   which zeroes (check-diff.sh also compares the images).
 *
 * Command line: modern=0|1, lba=L (default 60), pattern=P (default
 * 0xd15c).  Exit 0 unless a request timed out.
 */
#include "vblk-xport.h"

static uint8_t data[4 * 512] __attribute__((aligned(PAGE)));
static uint8_t back[4 * 512] __attribute__((aligned(PAGE)));
static struct {
    uint64_t sector;
    uint32_t num;
    uint32_t flags;
} seg[2] __attribute__((aligned(16)));

static uint8_t dwz(const char *what, uint32_t type, uint64_t sector,
                   uint32_t flags, int nseg)
{
    uint8_t s;

    for (int i = 0; i < 2; i++) {
        seg[i].sector = sector + i;
        seg[i].num = 1;
        seg[i].flags = flags;
    }
    s = vblk_request(type, 0, seg, 16 * nseg, false);
    printf("%s: status %u\n", what, s);
    return s;
}

int main(void)
{
    uint64_t lba = cmdline_uint("lba", 60);
    uint32_t pattern = cmdline_uint("pattern", 0xd15c);
    uint32_t *w = (uint32_t *)data;
    uint64_t f;
    uint8_t s;

    if (!vblk_open(cmdline_uint("modern", 0))) {
        return 3;
    }
    f = vblk_setup((1u << F_FLUSH) | (1u << F_DISCARD) |
                   (1u << F_WRITE_ZEROES));
    if (f == ~0ull) {
        return 4;
    }
    printf("%s interface: discard offered %s, write_zeroes offered %s\n",
           vblk_xport_name(), f & (1u << F_DISCARD) ? "yes" : "no",
           f & (1u << F_WRITE_ZEROES) ? "yes" : "no");
    printf("config: max_discard_sectors %08x, max_discard_seg %08x, "
           "discard_sector_alignment %08x\n", vblk_cfg32(36), vblk_cfg32(40),
           vblk_cfg32(44));
    printf("config: max_write_zeroes_sectors %08x, max_write_zeroes_seg %08x, "
           "write_zeroes_may_unmap %02x\n", vblk_cfg32(48), vblk_cfg32(52),
           vblk_cfg8(56));

    for (unsigned s4 = 0; s4 < 4; s4++) {
        for (unsigned k = 0; k < 128; k++) {
            w[s4 * 128 + k] = vblk_pattern_word(pattern, lba + s4, k);
        }
    }
    s = vblk_request(T_OUT, lba, data, sizeof(data), false);
    printf("write 4 sectors at %llu: status %u\n", (unsigned long long)lba, s);

    dwz("write zeroes at LBA", T_WRITE_ZEROES, lba, 0, 1);
    dwz("discard at LBA+1", T_DISCARD, lba + 1, 0, 1);
    dwz("write zeroes with UNMAP at LBA+2", T_WRITE_ZEROES, lba + 2, 1, 1);
    dwz("discard with UNMAP at LBA+3", T_DISCARD, lba + 3, 1, 1);
    dwz("write zeroes with flag 2 at LBA+3", T_WRITE_ZEROES, lba + 3, 2, 1);
    dwz("write zeroes, 2 segments at LBA+3", T_WRITE_ZEROES, lba + 3, 0, 2);
    dwz("discard without the OUT bit (type 10) at LBA+3", T_DISCARD & ~1u,
        lba + 3, 0, 1);

    memset(back, 0xaa, sizeof(back));
    s = vblk_request(T_IN, lba, back, sizeof(back), true);
    printf("read back: status %u;", s);
    for (unsigned i = 0; i < 4; i++) {
        static const uint8_t zero[512];

        printf(" LBA+%u %s", i,
               !memcmp(back + 512 * i, data + 512 * i, 512) ? "pattern" :
               !memcmp(back + 512 * i, zero, 512) ? "zeroes" : "other");
    }
    printf("\n");
    vblk_set_status(0);
    printf("%s\n", vblk_failures ? "vblk-dwz: FAILED" : "vblk-dwz: ok");
    return vblk_failures ? 1 : 0;
}
