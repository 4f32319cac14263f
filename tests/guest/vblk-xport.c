/*
 * vblk-xport.c - see vblk-xport.h.
 */
#include "vblk-xport.h"

bool vblk_modern;
uint64_t vblk_host_features;
static uintptr_t common, notify, isr, devcfg;
static uint32_t notify_mult;
static uint16_t notify_off;

static void modern_kick(void)
{
    mmio_write16(notify + notify_off * notify_mult, 0);
}

static void wr64(uintptr_t at, uint64_t v)
{
    mmio_write32(at, (uint32_t)v);
    mmio_write32(at + 4, (uint32_t)(v >> 32));
}

const char *vblk_xport_name(void)
{
    return vblk_modern ? "modern" : "legacy";
}

bool vblk_open(bool modern)
{
    uint32_t want = modern ? 0x10421af4 : 0x10011af4;
    int dev = -1, pos;

    vblk_modern = modern;
    for (int d = 0; d < 32 && dev < 0; d++) {
        if (vblk_pci_read32(d, 0) == want) {
            dev = d;
        }
    }
    if (dev < 0) {
        printf("no virtio-blk-pci %04x:%04x on bus 0\n", want & 0xffff,
               want >> 16);
        return false;
    }
    if (!modern) {
        vblk_pci_setup(dev);
        vblk_pci_write32(dev, 0x04, 0x405);     /* + INTx disable */
        return true;
    }
    vblk_pci_write32(dev, 0x20, VBLK_BAR4);
    vblk_pci_write32(dev, 0x24, 0);
    vblk_pci_write32(dev, 0x04, 0x406);         /* mem, master, INTx off */
    pos = vblk_pci_read32(dev, 0x34) & 0xfc;
    for (int n = 0; pos && n < 48; n++) {
        uint32_t h = vblk_pci_read32(dev, pos);

        if ((h & 0xff) == 0x09 && (vblk_pci_read32(dev, pos + 4) & 0xff) == 4) {
            uintptr_t at = VBLK_BAR4 + vblk_pci_read32(dev, pos + 8);

            switch ((h >> 24) & 0xff) {
            case 1: common = at; break;
            case 2: notify = at;
                    notify_mult = vblk_pci_read32(dev, pos + 16); break;
            case 3: isr = at; break;
            case 4: devcfg = at; break;
            }
        }
        pos = (h >> 8) & 0xfc;
    }
    if (!common || !notify || !isr || !devcfg) {
        printf("missing a capability in BAR 4\n");
        return false;
    }
    vblk_kick = modern_kick;
    return true;
}

uint8_t vblk_get_status(void)
{
    return vblk_modern ? mmio_read8(common + C_STATUS)
                       : inb(VBLK_IO + R_STATUS);
}

void vblk_set_status(uint8_t st)
{
    if (vblk_modern) {
        mmio_write8(common + C_STATUS, st);
    } else {
        outb(VBLK_IO + R_STATUS, st);
    }
}

uint8_t vblk_isr(void)
{
    return vblk_modern ? mmio_read8(isr) : inb(VBLK_IO + R_ISR);
}

uint32_t vblk_cfg32(int off)
{
    return vblk_modern ? mmio_read32(devcfg + off) : inl(VBLK_IO + R_CONFIG + off);
}

uint8_t vblk_cfg8(int off)
{
    return vblk_modern ? mmio_read8(devcfg + off) : inb(VBLK_IO + R_CONFIG + off);
}

bool vblk_isr_wait(uint64_t max_cycles)
{
    uint64_t start = rdtsc();

    do {
        if (vblk_isr() & 1) {
            return true;
        }
    } while (rdtsc() - start < max_cycles);
    return false;
}

uint64_t vblk_setup(uint64_t want)
{
    uint64_t guest;
    unsigned qnum;

    vblk_set_status(0);
    vblk_set_status(S_ACK);
    vblk_set_status(S_ACK | S_DRIVER);
    if (!vblk_modern) {
        vblk_host_features = inl(VBLK_IO + R_HOST_FEATURES);
        guest = vblk_host_features & want & 0xffffffffu;
        outl(VBLK_IO + R_GUEST_FEATURES, (uint32_t)guest);
        if (!vblk_queue_setup()) {
            printf("queue 0 setup failed\n");
            return ~0ull;
        }
    } else {
        mmio_write32(common + C_DFSELECT, 0);
        vblk_host_features = mmio_read32(common + C_DF);
        mmio_write32(common + C_DFSELECT, 1);
        vblk_host_features |= (uint64_t)mmio_read32(common + C_DF) << 32;
        guest = vblk_host_features & (want | 1ull << F_VERSION_1);
        mmio_write32(common + C_GFSELECT, 0);
        mmio_write32(common + C_GF, (uint32_t)guest);
        mmio_write32(common + C_GFSELECT, 1);
        mmio_write32(common + C_GF, (uint32_t)(guest >> 32));
        vblk_set_status(S_ACK | S_DRIVER | S_FEATURES_OK);
        if (!(vblk_get_status() & S_FEATURES_OK)) {
            printf("FEATURES_OK not accepted\n");
            return ~0ull;
        }
        mmio_write16(common + C_QSELECT, 0);
        qnum = mmio_read16(common + C_QSIZE);
        notify_off = mmio_read16(common + C_QNOFF);
        if (qnum == 0 || qnum > QMAX) {
            printf("bad queue size %u\n", qnum);
            return ~0ull;
        }
        vblk_ring_layout(qnum);
        wr64(common + C_QDESC, (uintptr_t)vblk_desc);
        wr64(common + C_QAVAIL, (uintptr_t)vblk_avail);
        wr64(common + C_QUSED, (uintptr_t)vblk_used);
        mmio_write16(common + C_QENABLE, 1);
    }
    vblk_set_status(vblk_get_status() | S_ACK | S_DRIVER | S_DRIVER_OK);
    (void)vblk_isr();
    return guest;
}
