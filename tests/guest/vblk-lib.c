/*
 * vblk-lib.c - see vblk-lib.h.
 */
#include "vblk-lib.h"

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc

/* ~10 s at 2 GHz: a dead device is a failure, never a hung run */
#define VBLK_TIMEOUT_CYCLES 20000000000ull

static uint8_t vblk_ring_mem[4 * PAGE] __attribute__((aligned(PAGE)));
static struct vblk_hdr hdr __attribute__((aligned(16)));
static volatile uint8_t status;

unsigned vblk_qnum;
struct vring_desc *vblk_desc;
volatile uint16_t *vblk_avail;
volatile uint8_t *vblk_used;
uint16_t vblk_avail_idx, vblk_used_seen;
int vblk_failures;

static uint32_t cfg_addr(int dev, int reg)
{
    return 0x80000000u | (uint32_t)dev << 11 | (reg & 0xfc);
}

uint32_t vblk_pci_read32(int dev, int reg)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, reg));
    return inl(CONFIG_DATA);
}

void vblk_pci_write32(int dev, int reg, uint32_t v)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, reg));
    outl(CONFIG_DATA, v);
}

int vblk_find_device(void)
{
    for (int dev = 0; dev < 32; dev++) {
        if (vblk_pci_read32(dev, 0) == 0x10011af4) {
            return dev;
        }
    }
    return -1;
}

void vblk_pci_setup(int dev)
{
    vblk_pci_write32(dev, 0x10, VBLK_IO | 1);
    vblk_pci_write32(dev, 0x04, 0x5);   /* I/O + bus master */
}

void vblk_check(bool ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        vblk_failures++;
    }
}

uint32_t vblk_pattern_word(uint32_t pattern, uint64_t sec, unsigned k)
{
    return pattern ^ (uint32_t)(sec * 0x9e3779b1u) ^ (k * 0x85ebca77u);
}

static void legacy_kick(void)
{
    outw(VBLK_IO + R_QUEUE_NOTIFY, 0);
}

void (*vblk_kick)(void) = legacy_kick;

void vblk_ring_layout(unsigned qnum)
{
    memset(vblk_ring_mem, 0, sizeof(vblk_ring_mem));
    vblk_qnum = qnum;
    vblk_avail_idx = vblk_used_seen = 0;
    vblk_desc = (struct vring_desc *)vblk_ring_mem;
    vblk_avail = (volatile uint16_t *)(vblk_ring_mem + 16 * qnum);
    vblk_used = vblk_ring_mem +
                ((16 * qnum + 6 + 2 * qnum + PAGE - 1) & ~(PAGE - 1));
}

unsigned vblk_queue_setup(void)
{
    unsigned qnum;

    outw(VBLK_IO + R_QUEUE_SEL, 0);
    qnum = inw(VBLK_IO + R_QUEUE_NUM);
    if (qnum == 0 || qnum > QMAX) {
        return 0;
    }
    vblk_ring_layout(qnum);
    outl(VBLK_IO + R_QUEUE_PFN, (uint32_t)((uintptr_t)vblk_desc >> 12));
    return qnum;
}

uint32_t vblk_init_quiet(uint32_t want)
{
    uint32_t guest;

    outb(VBLK_IO + R_STATUS, 0);
    outb(VBLK_IO + R_STATUS, S_ACK);
    outb(VBLK_IO + R_STATUS, S_ACK | S_DRIVER);
    guest = inl(VBLK_IO + R_HOST_FEATURES) & want;
    outl(VBLK_IO + R_GUEST_FEATURES, guest);
    if (!vblk_queue_setup()) {
        return 0xffffffff;
    }
    outb(VBLK_IO + R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
    (void)inb(VBLK_IO + R_ISR);
    return guest;
}

void vblk_post(uint16_t head, uint16_t extra, bool kick)
{
    vblk_avail[2 + vblk_avail_idx % vblk_qnum] = head;
    __asm__ volatile("mfence" ::: "memory");
    vblk_avail_idx += 1 + extra;
    vblk_avail[1] = vblk_avail_idx;
    __asm__ volatile("mfence" ::: "memory");
    if (kick) {
        vblk_kick();
    }
}

bool vblk_poll_used(uint64_t max_cycles, uint32_t *id, uint32_t *len)
{
    uint64_t start = rdtsc();

    do {
        uint16_t idx = *(volatile uint16_t *)(vblk_used + 2);

        if (idx != vblk_used_seen) {
            volatile uint32_t *e = (volatile uint32_t *)
                (vblk_used + 4 + 8 * (vblk_used_seen % vblk_qnum));

            __asm__ volatile("lfence" ::: "memory");
            *id = e[0];
            *len = e[1];
            vblk_used_seen++;
            return true;
        }
        __asm__ volatile("pause");
    } while (rdtsc() - start < max_cycles);
    return false;
}

uint8_t vblk_request(uint32_t type, uint64_t sector, void *buf, uint32_t len,
                     bool dev_writes)
{
    uint32_t id, ulen;
    uint16_t n = 0;

    hdr.type = type;
    hdr.ioprio = 0;
    hdr.sector = sector;
    status = 0xee;
    vblk_desc[0] = (struct vring_desc){ (uint64_t)(uintptr_t)&hdr, 16,
                                        VRING_DESC_F_NEXT, 1 };
    if (len) {
        vblk_desc[1] = (struct vring_desc){
            (uint64_t)(uintptr_t)buf, len,
            VRING_DESC_F_NEXT | (dev_writes ? VRING_DESC_F_WRITE : 0), 2 };
        n = 2;
    } else {
        vblk_desc[0].next = 2;
        n = 2;
    }
    vblk_desc[n] = (struct vring_desc){ (uint64_t)(uintptr_t)&status, 1,
                                        VRING_DESC_F_WRITE, 0 };
    vblk_post(0, 0, true);
    if (vblk_poll_used(VBLK_TIMEOUT_CYCLES, &id, &ulen)) {
        vblk_check(id == 0, "used id");
        return status;
    }
    printf("timeout waiting for request type %u\n", type);
    vblk_failures++;
    return 0xff;
}
