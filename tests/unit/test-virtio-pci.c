/*
 * test-virtio-pci.c - the virtio PCI transport (hw/virtio/virtio-pci.c,
 * virtio-blk-pci.c, hw/pci/msix.c) on the PC chipset of pci-helper.h,
 * driven through config mechanism #1, ports and MMIO as a guest would:
 * identity and capability list, BAR sizing, the legacy register file,
 * the modern common config and a request through it, the ISR's
 * read-to-clear and the INTx level, the PCI_CFG window, MSI-X masking.
 *
 * virtio-blk-pci at 00:03.0; BAR 0 at 0xc000, BAR 1 at 0xe0100000,
 * BAR 4 at 0xe0000000; rings at 0x10000 in RAM, data at 0x20000.
 */
#include "util/osdep.h"
#include "block/aio.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-blk.h"
#include "block-helper.h"
#include "pci-helper.h"

#include <linux/virtio_pci.h>

#define SLOT 3
#define IO 0xc000
#define MSIX_BAR 0xe0100000u
#define MEM 0xe0000000u
#define RING 0x10000
#define DATA 0x20000
#define MSI_ADDR 0x30000                /* where MSI writes land (RAM) */

static BlockBackend *disk;
static char *disk_path;
static PCIDevice *pdev;

static uint8_t *ram(hwaddr addr)
{
    return (uint8_t *)memory_region_get_ram_ptr(&pci_fx.ram) + addr;
}

static void mem_wr(hwaddr a, uint32_t v, unsigned size)
{
    address_space_write(&pci_fx.as_mem, a, &v, size);
}

static uint32_t mem_rd(hwaddr a, unsigned size)
{
    uint32_t v = 0;

    address_space_read(&pci_fx.as_mem, a, &v, size);
    return v;
}

static void vp_begin(const char *extra_prop, const char *extra_val)
{
    const char *why;
    const char *dir = bt_dir_tmpfs(&why);
    DeviceState *dev;

    if (!dir) {
        dir = g_get_tmp_dir();
    }
    pci_fixture_begin_pc();
    disk_path = bt_image(dir, "vpci.img", 1 << 20, 5);
    disk = bt_open(disk_path, "driver=raw", &error_abort);
    monitor_add_blk(disk, "vd0", &error_abort);
    dev = qdev_new("virtio-blk-pci");
    qdev_prop_set_int32(dev, "addr", PCI_DEVFN(SLOT, 0));
    object_property_parse(OBJECT(dev), "drive", "vd0", &error_abort);
    if (extra_prop) {
        object_property_parse(OBJECT(dev), extra_prop, extra_val,
                              &error_abort);
    }
    g_assert(qdev_realize_and_unref(dev, BUS(pci_fx.bus), &error_abort));
    pdev = PCI_DEVICE(dev);
    qdev_reset_all(dev);
}

static void vp_end(void)
{
    pci_fixture_end();
    while (aio_poll(qemu_get_aio_context(), false)) {
    }
    monitor_remove_blk(disk);
    blk_unref(disk);
    disk = NULL;
    unlink(disk_path);
    g_clear_pointer(&disk_path, g_free);
    pdev = NULL;
}

static uint32_t cfg(int reg, unsigned size)
{
    return cfg_rd(SLOT, 0, reg, size);
}

static void bars_on(void)
{
    cfg_wr(SLOT, 0, PCI_BASE_ADDRESS_0, IO, 4);
    cfg_wr(SLOT, 0, PCI_BASE_ADDRESS_0 + 4, MSIX_BAR, 4);
    cfg_wr(SLOT, 0, (PCI_BASE_ADDRESS_0 + 16), MEM, 4);
    cfg_wr(SLOT, 0, (PCI_BASE_ADDRESS_0 + 16) + 4, 0, 4);
    cfg_wr(SLOT, 0, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
           PCI_COMMAND_MASTER, 2);
}

/* --- identity, capabilities, BARs ------------------------------------- */

static void test_config(void)
{
    static const struct {
        uint8_t off, id, type;
        uint32_t bar_off;
    } caps[] = {
        { 0x98, PCI_CAP_ID_MSIX, 0, 0 },
        { 0x84, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_PCI_CFG, 0 },
        { 0x70, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_NOTIFY_CFG, 0x3000 },
        { 0x60, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_DEVICE_CFG, 0x2000 },
        { 0x50, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_ISR_CFG, 0x1000 },
        { 0x40, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_COMMON_CFG, 0 },
    };
    uint8_t next;

    vp_begin(NULL, NULL);
    CU_ASSERT_EQUAL(cfg(0, 4), 0x10011af4);
    CU_ASSERT_EQUAL(cfg(PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00021af4);
    CU_ASSERT_EQUAL(cfg(PCI_CLASS_REVISION, 4), 0x01000000);
    CU_ASSERT_EQUAL(cfg(PCI_INTERRUPT_PIN, 1), 1);
    CU_ASSERT(cfg(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    next = cfg(PCI_CAPABILITY_LIST, 1);
    for (unsigned i = 0; i < G_N_ELEMENTS(caps); i++) {
        CU_ASSERT_EQUAL(next, caps[i].off);
        CU_ASSERT_EQUAL(cfg(next, 1), caps[i].id);
        if (caps[i].id == PCI_CAP_ID_VNDR) {
            CU_ASSERT_EQUAL(cfg(next + 3, 1), caps[i].type);
            if (caps[i].type != VIRTIO_PCI_CAP_PCI_CFG) {
                CU_ASSERT_EQUAL(cfg(next + 4, 1), 4);       /* BAR 4 */
                CU_ASSERT_EQUAL(cfg(next + 8, 4), caps[i].bar_off);
            }
            if (caps[i].type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
                CU_ASSERT_EQUAL(cfg(next + 2, 1), 20);
                CU_ASSERT_EQUAL(cfg(next + 16, 4), 4);
            }
        } else {
            CU_ASSERT_EQUAL(cfg(next + 2, 2), 1);   /* 2 vectors */
            CU_ASSERT_EQUAL(cfg(next + 4, 4), 1);   /* table: BAR 1 + 0 */
            CU_ASSERT_EQUAL(cfg(next + 8, 4), 0x801);
        }
        next = cfg(next + 1, 1);
    }
    CU_ASSERT_EQUAL(next, 0);

    /* BAR sizing */
    cfg_wr(SLOT, 0, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg(PCI_BASE_ADDRESS_0, 4), 0xffffff81);   /* 128 B io */
    cfg_wr(SLOT, 0, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg(PCI_BASE_ADDRESS_0 + 4, 4), 0xfffff000);
    cfg_wr(SLOT, 0, (PCI_BASE_ADDRESS_0 + 16), 0xffffffff, 4);
    cfg_wr(SLOT, 0, (PCI_BASE_ADDRESS_0 + 16) + 4, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg((PCI_BASE_ADDRESS_0 + 16), 4), 0xffffc00c);   /* 16K pf64 */
    CU_ASSERT_EQUAL(cfg((PCI_BASE_ADDRESS_0 + 16) + 4, 4), 0xffffffff);
    CU_ASSERT_EQUAL(cfg(PCI_BASE_ADDRESS_0 + 8, 4), 0);          /* BAR 2 */
    vp_end();

    /* modern only: 1af4:1042 revision 1, no I/O BAR */
    vp_begin("disable-legacy", "on");
    CU_ASSERT_EQUAL(cfg(0, 4), 0x10421af4);
    CU_ASSERT_EQUAL(cfg(PCI_REVISION_ID, 1), 1);
    CU_ASSERT_EQUAL(cfg(PCI_SUBSYSTEM_ID, 2), 0x1100);
    CU_ASSERT_EQUAL(cfg(PCI_BASE_ADDRESS_0, 4), 0);
    vp_end();

    /* legacy only: no capabilities but MSI-X */
    vp_begin("disable-modern", "on");
    CU_ASSERT_EQUAL(cfg(PCI_CAPABILITY_LIST, 1), 0x40);
    CU_ASSERT_EQUAL(cfg(0x40, 1), PCI_CAP_ID_MSIX);
    CU_ASSERT_EQUAL(cfg((PCI_BASE_ADDRESS_0 + 16), 4), 0);
    vp_end();
}

/* --- legacy ----------------------------------------------------------- */

static void test_legacy(void)
{
    uint32_t host;

    vp_begin("vectors", "0");
    bars_on();
    host = port_in(IO + VIRTIO_PCI_HOST_FEATURES, 4);
    CU_ASSERT(host & (1u << VIRTIO_BLK_F_FLUSH));
    CU_ASSERT(host & (1u << VIRTIO_F_BAD_FEATURE));
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_QUEUE_NUM, 2), 256);
    port_out(IO + VIRTIO_PCI_QUEUE_SEL, 1, 2);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_QUEUE_NUM, 2), 0);
    port_out(IO + VIRTIO_PCI_QUEUE_SEL, 1024, 2);  /* out of range: kept */
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_QUEUE_SEL, 2), 1);
    port_out(IO + VIRTIO_PCI_QUEUE_SEL, 0, 2);
    /* config at 20 without MSI-X: the capacity */
    CU_ASSERT_EQUAL(port_in(IO + 20, 4), 2048);
    port_out(IO + VIRTIO_PCI_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
             VIRTIO_CONFIG_S_DRIVER, 1);
    port_out(IO + VIRTIO_PCI_GUEST_FEATURES, 1u << VIRTIO_BLK_F_FLUSH, 4);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_GUEST_FEATURES, 4),
                    1u << VIRTIO_BLK_F_FLUSH);
    /* bit 30: assume nothing */
    port_out(IO + VIRTIO_PCI_GUEST_FEATURES, 1u << VIRTIO_F_BAD_FEATURE, 4);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_GUEST_FEATURES, 4), 0);
    port_out(IO + VIRTIO_PCI_QUEUE_PFN, RING >> 12, 4);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_QUEUE_PFN, 4), RING >> 12);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_STATUS, 1),
                    VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    /* PFN 0 resets */
    port_out(IO + VIRTIO_PCI_QUEUE_PFN, 0, 4);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_STATUS, 1), 0);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_PCI_QUEUE_PFN, 4), 0);
    /* no MSI-X: offset 20 is the config space, not the vector */
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_MSI_CONFIG_VECTOR, 2), 0x800);
    /* the BAR is 128 bytes: past the config, all-ones */
    CU_ASSERT_EQUAL(port_in(IO + 20 + 60, 4), 0xffffffff);
    vp_end();
}

/* --- a request through the modern interface, INTx, ISR ---------------- */

static void ring_request(uint16_t slot, uint64_t sector)
{
    uint8_t *hdr = ram(DATA);
    uint32_t type = VIRTIO_BLK_T_IN;
    uint64_t desc = RING, avail = RING + 0x1000;

    memcpy(hdr, &type, 4);
    memset(hdr + 4, 0, 4);
    memcpy(hdr + 8, &sector, 8);
    /* 0: header, 1: 512 bytes in, 2: status */
    {
        uint64_t a[3] = { DATA, DATA + 0x100, DATA + 0x80 };
        uint32_t l[3] = { 16, 512, 1 };
        uint16_t f[3] = { VRING_DESC_F_NEXT,
                          VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
                          VRING_DESC_F_WRITE };
        uint16_t n[3] = { 1, 2, 0 };

        for (int i = 0; i < 3; i++) {
            uint8_t *d = ram(desc + 16 * i);

            memcpy(d, &a[i], 8);
            memcpy(d + 8, &l[i], 4);
            memcpy(d + 12, &f[i], 2);
            memcpy(d + 14, &n[i], 2);
        }
    }
    *ram(DATA + 0x80) = 0xee;
    memset(ram(avail + 4 + 2 * slot), 0, 2);
    slot++;
    memcpy(ram(avail + 2), &slot, 2);
}

#define WAIT_FOR(cond)                                                      \
    do {                                                                    \
        gint64 deadline_ = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND; \
        while (!(cond) && g_get_monotonic_time() < deadline_) {             \
            if (!aio_poll(qemu_get_aio_context(), false)) {                 \
                g_usleep(50);                                               \
            }                                                               \
        }                                                                   \
        CU_ASSERT_TRUE(cond);                                               \
    } while (0)

static uint16_t used_idx(void)
{
    uint16_t v;

    memcpy(&v, ram(RING + 0x2000 + 2), 2);
    return v;
}

static void test_modern(void)
{
    hwaddr common = MEM, isr = MEM + 0x1000, device = MEM + 0x2000;
    hwaddr notify = MEM + 0x3000;

    vp_begin("vectors", "0");
    bars_on();
    memset(ram(RING), 0, 0x3000);
    /* features: VERSION_1 is bit 0 of the high word */
    mem_wr(common + VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
    CU_ASSERT(mem_rd(common + VIRTIO_PCI_COMMON_DF, 4) & 1);
    mem_wr(common + VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
    CU_ASSERT_FALSE(mem_rd(common + VIRTIO_PCI_COMMON_DF, 4) &
                    (1u << VIRTIO_F_BAD_FEATURE));     /* legacy only */
    mem_wr(common + VIRTIO_PCI_COMMON_DFSELECT, 2, 4);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_DF, 4), 0);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_NUMQ, 2), 1);
    mem_wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
           VIRTIO_CONFIG_S_DRIVER, 1);
    mem_wr(common + VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
    mem_wr(common + VIRTIO_PCI_COMMON_GF, 1, 4);
    mem_wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
           VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK, 1);
    CU_ASSERT(mem_rd(common + VIRTIO_PCI_COMMON_STATUS, 1) &
              VIRTIO_CONFIG_S_FEATURES_OK);
    /* queue 0: 16 entries */
    mem_wr(common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_Q_SIZE, 2), 256);
    mem_wr(common + VIRTIO_PCI_COMMON_Q_SIZE, 16, 2);
    mem_wr(common + VIRTIO_PCI_COMMON_Q_DESCLO, RING, 4);
    mem_wr(common + VIRTIO_PCI_COMMON_Q_AVAILLO, RING + 0x1000, 4);
    mem_wr(common + VIRTIO_PCI_COMMON_Q_USEDLO, RING + 0x2000, 4);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_Q_USEDLO, 4),
                    RING + 0x2000);
    mem_wr(common + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
    mem_wr(common + VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
           VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
           VIRTIO_CONFIG_S_DRIVER_OK, 1);
    /* the device config: capacity */
    CU_ASSERT_EQUAL(mem_rd(device, 4), 2048);
    /* a read of sector 3, kicked through the notify region */
    CU_ASSERT_EQUAL(pdev->irq_state, 0);
    ring_request(0, 3);
    mem_wr(notify, 0, 2);
    WAIT_FOR(used_idx() == 1);
    CU_ASSERT_EQUAL(*ram(DATA + 0x80), VIRTIO_BLK_S_OK);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA + 0x100), 3 * 512, 512, 5));
    /* INTx A is up, STATUS.INTERRUPT shows it; the ISR read drops both */
    WAIT_FOR(pdev->irq_state == 1);
    CU_ASSERT(cfg(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    CU_ASSERT_EQUAL(mem_rd(isr, 1), 1);
    CU_ASSERT_EQUAL(pdev->irq_state, 0);
    CU_ASSERT_FALSE(cfg(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    CU_ASSERT_EQUAL(mem_rd(isr, 1), 0);
    /* the PCI_CFG window: the status byte, 1 byte at BAR 4 + 20 */
    cfg_wr(SLOT, 0, 0x84 + 4, 4, 1);
    cfg_wr(SLOT, 0, 0x84 + 8, VIRTIO_PCI_COMMON_STATUS, 4);
    cfg_wr(SLOT, 0, 0x84 + 12, 1, 4);
    CU_ASSERT_EQUAL(cfg(0x84 + 16, 1), 0x0f);
    /* ... a bad length does nothing */
    cfg_wr(SLOT, 0, 0x84 + 12, 3, 4);
    cfg_wr(SLOT, 0, 0x84 + 16, 0, 4);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_STATUS, 1), 0x0f);
    /* queue_enable with a bad value breaks the device */
    mem_wr(common + VIRTIO_PCI_COMMON_Q_ENABLE, 2, 2);
    CU_ASSERT(mem_rd(common + VIRTIO_PCI_COMMON_STATUS, 1) &
              VIRTIO_CONFIG_S_NEEDS_RESET);
    /* status 0 resets everything */
    mem_wr(common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_STATUS, 1), 0);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
    CU_ASSERT_EQUAL(mem_rd(common + VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
    vp_end();
}

/* --- MSI-X -------------------------------------------------------------- */

static void test_msix(void)
{
    hwaddr table = MSIX_BAR;
    uint32_t msg;

    vp_begin(NULL, NULL);
    bars_on();
    /* enable MSI-X: the legacy config moves to 24 */
    cfg_wr(SLOT, 0, 0x98 + 2, 0x8000, 2);
    CU_ASSERT_EQUAL(port_in(IO + 24, 4), 2048);
    /* vectors: in range is kept, out of range reads NO_VECTOR */
    port_out(IO + VIRTIO_MSI_CONFIG_VECTOR, 5, 2);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_MSI_CONFIG_VECTOR, 2), 0xffff);
    port_out(IO + VIRTIO_MSI_CONFIG_VECTOR, 1, 2);
    CU_ASSERT_EQUAL(port_in(IO + VIRTIO_MSI_CONFIG_VECTOR, 2), 1);
    /* vector 1's message: a write of 0x4242 to MSI_ADDR (RAM here) */
    mem_wr(table + 16 + PCI_MSIX_ENTRY_LOWER_ADDR, MSI_ADDR, 4);
    mem_wr(table + 16 + PCI_MSIX_ENTRY_UPPER_ADDR, 0, 4);
    mem_wr(table + 16 + PCI_MSIX_ENTRY_DATA, 0x4242, 4);
    CU_ASSERT_EQUAL(mem_rd(table + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), 1);
    memset(ram(MSI_ADDR), 0, 4);
    /* masked: pending, not sent */
    virtio_notify_config(virtio_bus_get_device(&VIRTIO_PCI(pdev)->bus));
    port_out(IO + VIRTIO_PCI_STATUS, VIRTIO_CONFIG_S_DRIVER_OK, 1);
    virtio_notify_config(virtio_bus_get_device(&VIRTIO_PCI(pdev)->bus));
    memcpy(&msg, ram(MSI_ADDR), 4);
    CU_ASSERT_EQUAL(msg, 0);
    CU_ASSERT_EQUAL(mem_rd(MSIX_BAR + 0x800, 4), 2);    /* PBA bit 1 */
    /* unmask: sent, no longer pending */
    mem_wr(table + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
    memcpy(&msg, ram(MSI_ADDR), 4);
    CU_ASSERT_EQUAL(msg, 0x4242);
    CU_ASSERT_EQUAL(mem_rd(MSIX_BAR + 0x800, 4), 0);
    CU_ASSERT_EQUAL(pdev->irq_state, 0);                /* no INTx */
    /* function mask */
    memset(ram(MSI_ADDR), 0, 4);
    cfg_wr(SLOT, 0, 0x98 + 2, 0xc000, 2);
    virtio_notify_config(virtio_bus_get_device(&VIRTIO_PCI(pdev)->bus));
    memcpy(&msg, ram(MSI_ADDR), 4);
    CU_ASSERT_EQUAL(msg, 0);
    cfg_wr(SLOT, 0, 0x98 + 2, 0x8000, 2);
    memcpy(&msg, ram(MSI_ADDR), 4);
    CU_ASSERT_EQUAL(msg, 0x4242);
    /* reset: MSI-X off, vectors masked */
    qdev_reset_all(DEVICE(pdev));
    CU_ASSERT_EQUAL(cfg(0x98 + 2, 2), 1);
    vp_end();
}

/*
 * msix's vector notifiers (what virtio-pci's irqfds follow): unmask and
 * mask of an entry and of the function, a new message for an unmasked
 * entry, the PBA poll and what it sets.  The device's own notifiers are
 * replaced by loggers.
 */
static GString *notes;
static bool poll_sets;

static int note_use(PCIDevice *dev, unsigned vector, MSIMessage msg)
{
    g_string_append_printf(notes, "use %u %" PRIx64 "/%x; ", vector,
                           msg.address, msg.data);
    return 0;
}

static void note_release(PCIDevice *dev, unsigned vector)
{
    g_string_append_printf(notes, "release %u; ", vector);
}

static void note_poll(PCIDevice *dev, unsigned start, unsigned end)
{
    g_string_append_printf(notes, "poll %u-%u; ", start, end);
    if (poll_sets) {
        msix_set_pending(&VIRTIO_PCI(dev)->msix, 0);
    }
}

static const char *notes_take(void)
{
    static char *last;

    g_free(last);
    last = g_string_free(notes, false);
    notes = g_string_new("");
    return last;
}

static void test_msix_notifiers(void)
{
    MSIXState *m;
    hwaddr e1 = MSIX_BAR + 16;

    vp_begin(NULL, NULL);
    bars_on();
    m = &VIRTIO_PCI(pdev)->msix;
    notes = g_string_new("");
    msix_unset_vector_notifiers(m);
    CU_ASSERT_EQUAL(msix_set_vector_notifiers(m, note_use, note_release,
                                              note_poll), 0);
    mem_wr(e1 + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000, 4);
    mem_wr(e1 + PCI_MSIX_ENTRY_DATA, 0x51, 4);
    /* all masked: enabling tells nothing; unmasking entry 1 does */
    cfg_wr(SLOT, 0, 0x98 + 2, 0x8000, 2);
    CU_ASSERT_STRING_EQUAL(notes_take(), "");
    mem_wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
    CU_ASSERT_STRING_EQUAL(notes_take(), "use 1 fee00000/51; ");
    /* a new message while unmasked (QEMU: only at the next unmask) */
    mem_wr(e1 + PCI_MSIX_ENTRY_DATA, 0x52, 4);
    CU_ASSERT_STRING_EQUAL(notes_take(), "use 1 fee00000/52; ");
    mem_wr(e1 + PCI_MSIX_ENTRY_DATA, 0x52, 4);          /* no change */
    CU_ASSERT_STRING_EQUAL(notes_take(), "");
    /* masked: release; a masked entry's message changes silently */
    mem_wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 1, 4);
    CU_ASSERT_STRING_EQUAL(notes_take(), "release 1; ");
    mem_wr(e1 + PCI_MSIX_ENTRY_DATA, 0x53, 4);
    CU_ASSERT_STRING_EQUAL(notes_take(), "");
    mem_wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
    CU_ASSERT_STRING_EQUAL(notes_take(), "use 1 fee00000/53; ");
    /* the function mask: each unmasked entry */
    cfg_wr(SLOT, 0, 0x98 + 2, 0xc000, 2);
    CU_ASSERT_STRING_EQUAL(notes_take(), "release 1; ");
    cfg_wr(SLOT, 0, 0x98 + 2, 0x8000, 2);
    CU_ASSERT_STRING_EQUAL(notes_take(), "use 1 fee00000/53; ");
    /* the PBA read polls its vectors first; what the poll sets is read */
    CU_ASSERT_EQUAL(mem_rd(MSIX_BAR + 0x800, 4), 0);
    CU_ASSERT_STRING_EQUAL(notes_take(), "poll 0-2; ");
    poll_sets = true;
    CU_ASSERT_EQUAL(mem_rd(MSIX_BAR + 0x800, 4), 1);
    CU_ASSERT_TRUE(msix_is_pending(m, 0));
    notes_take();
    poll_sets = false;
    /* out of range: nothing */
    msix_set_pending(m, 2);
    msix_set_pending(m, 5000);
    CU_ASSERT_EQUAL(mem_rd(MSIX_BAR + 0x800, 4), 1);
    notes_take();
    /* the message of an entry */
    CU_ASSERT_EQUAL(msix_get_message(m, 1).address, 0xfee00000);
    CU_ASSERT_EQUAL(msix_get_message(m, 1).data, 0x53);
    /* removed: release for what was unmasked, then silence */
    msix_unset_vector_notifiers(m);
    CU_ASSERT_STRING_EQUAL(notes_take(), "release 1; ");
    mem_wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 1, 4);
    CU_ASSERT_STRING_EQUAL(notes_take(), "");
    /* installed while MSI-X is on: use for the unmasked ones at once */
    mem_wr(e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 0, 4);
    CU_ASSERT_EQUAL(msix_set_vector_notifiers(m, note_use, note_release,
                                              note_poll), 0);
    CU_ASSERT_STRING_EQUAL(notes_take(), "use 1 fee00000/53; ");
    msix_unset_vector_notifiers(m);
    notes_take();
    g_string_free(notes, true);
    notes = NULL;
    vp_end();
}

static void test_realize_errors(void)
{
    DeviceState *dev;
    char *msg;

    pci_fixture_begin_pc();
    dev = qdev_new("virtio-blk-pci");
    object_property_parse(OBJECT(dev), "disable-legacy", "on", &error_abort);
    object_property_parse(OBJECT(dev), "disable-modern", "on", &error_abort);
    msg = pci_fx_realize(dev, pci_fx.bus);
    CU_ASSERT_STRING_EQUAL(msg, "device cannot work as neither modern nor "
                           "legacy mode is enabled");
    g_free(msg);
    dev = qdev_new("virtio-blk-pci");
    msg = pci_fx_realize(dev, pci_fx.bus);
    CU_ASSERT_STRING_EQUAL(msg, "drive property not set");
    g_free(msg);
    pci_fixture_end();
}

int main(int argc, char **argv)
{
    int ret;

    main_loop_init();
    pci_helper_main_init();
    harness_add("/virtio-pci/config", test_config);
    harness_add("/virtio-pci/legacy", test_legacy);
    harness_add("/virtio-pci/modern", test_modern);
    harness_add("/virtio-pci/msix", test_msix);
    harness_add("/virtio-pci/msix/notifiers", test_msix_notifiers);
    harness_add("/virtio-pci/realize-errors", test_realize_errors);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
