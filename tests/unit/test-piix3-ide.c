/*
 * test-piix3-ide.c - "piix3-ide" (hw/ide/piix3-ide.c) and the bus-master
 * DMA engine (hw/ide/pci.c): config space, the BMDMA registers, the
 * legacy ports and IRQs 14/15, and DMA through PRD tables - the edge
 * cases of the walk, tables and buffers outside RAM, COMMAND.MASTER off
 * - with ide-hd over a temporary file, all as a guest would drive them
 * through ports on the PC chipset (pci-helper.h: 1 MiB of RAM at 0).
 */
#include "util/osdep.h"
#include "util/main-loop.h"
#include "hw/ide/pci.h"
#include "harness.h"
#include "pci-helper.h"
#include "block-helper.h"

#define IDE_SLOT        1
#define IDE_FN          1
#define BM_BASE         0xc000          /* where the tests put BAR 4 */
#define PRD_TABLE       0x1000
#define DATA            0x20000
#define DISK_SIZE       (4 << 20)
#define SEED            5
#ifndef PCI_BASE_ADDRESS_4
#define PCI_BASE_ADDRESS_4 0x20
#endif

/* ATA */
#define REG_DATA        0x1f0
#define REG_NSECTOR     0x1f2
#define REG_LBA_LOW     0x1f3
#define REG_LBA_MID     0x1f4
#define REG_LBA_HIGH    0x1f5
#define REG_DEVICE      0x1f6
#define REG_CMD         0x1f7
#define REG_CTRL        0x3f6

static PCIIDEState *ide;
static BlockBackend *disk;
static char *disk_path;

static uint8_t *ram(hwaddr addr)
{
    return (uint8_t *)memory_region_get_ram_ptr(&pci_fx.ram) + addr;
}

/* The PC chipset plus piix3-ide at 00:01.1, reset; with a disk on ide.0
 * unit 0 if @with_disk. */
static void ide_begin(bool with_disk)
{
    PCIDevice *dev;

    pci_fixture_begin_pc();
    dev = pci_new(PCI_DEVFN(IDE_SLOT, IDE_FN), "piix3-ide");
    pci_realize_and_unref(dev, pci_fx.bus, &error_abort);
    ide = PCI_IDE(dev);
    if (with_disk) {
        const char *why;
        const char *dir = bt_dir_tmpfs(&why);
        DeviceState *hd;

        if (!dir) {
            dir = bt_dir_disk(&why);
        }
        g_assert(dir);
        disk_path = bt_image(dir, "ide.img", DISK_SIZE, SEED);
        disk = bt_open(disk_path, "driver=raw", &error_abort);
        monitor_add_blk(disk, "disk0", &error_abort);
        hd = qdev_new("ide-hd");
        qdev_prop_set_uint32(hd, "unit", 0);
        g_assert(object_property_set_str(OBJECT(hd), "drive", "disk0",
                                         &error_abort));
        g_assert(qdev_realize_and_unref(hd, BUS(&ide->bus[0]),
                                        &error_abort));
    }
    qdev_reset_all(DEVICE(dev));
}

static void ide_end(void)
{
    pci_fixture_end();
    ide = NULL;
    if (disk) {
        blk_drain(disk);
        monitor_remove_blk(disk);
        blk_unref(disk);
        disk = NULL;
        unlink(disk_path);
        g_clear_pointer(&disk_path, g_free);
    }
}

/* BAR 4 at BM_BASE, COMMAND = @command. */
static void ide_enable(uint16_t command)
{
    cfg_wr(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_4, BM_BASE, 4);
    cfg_wr(IDE_SLOT, IDE_FN, PCI_COMMAND, command, 2);
}

/* Run the main loop's block work until @cond or 10 s. */
#define WAIT_FOR(cond)                                                      \
    do {                                                                    \
        gint64 deadline_ = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND; \
        while (!(cond) && g_get_monotonic_time() < deadline_) {             \
            if (!aio_poll(qemu_get_aio_context(), false)) {                 \
                g_main_context_iteration(NULL, false);                      \
                g_usleep(50);                                               \
            }                                                               \
        }                                                                   \
        CU_ASSERT_TRUE(cond);                                               \
    } while (0)

static void prd_set(int i, uint32_t addr, uint32_t size)
{
    pci_set_long(ram(PRD_TABLE + i * 8), addr);
    pci_set_long(ram(PRD_TABLE + i * 8 + 4), size);
}

/* An LBA28 DMA command (0xc8 read, 0xca write) on ide.0 unit 0. */
static void ata_dma_cmd(uint8_t cmd, uint32_t lba, uint8_t count)
{
    port_out(REG_DEVICE, 0xe0 | (lba >> 24 & 0xf), 1);
    port_out(REG_NSECTOR, count, 1);
    port_out(REG_LBA_LOW, lba & 0xff, 1);
    port_out(REG_LBA_MID, lba >> 8 & 0xff, 1);
    port_out(REG_LBA_HIGH, lba >> 16 & 0xff, 1);
    port_out(REG_CMD, cmd, 1);
}

static uint8_t bm_status(int ch)
{
    return port_in(BM_BASE + ch * 8 + 2, 1);
}

/* The DMA command is over: no request in flight, neither BSY nor DRQ. */
static void dma_wait(void)
{
    WAIT_FOR(!ide->bus[0].dma->aiocb &&
             !(port_in(REG_CTRL, 1) & (BUSY_STAT | DRQ_STAT)));
}

/* A DMA transfer of @count sectors at @lba with the PRD table in place:
 * the command, then START (READ for reads), then wait for either IRQ 14
 * or ACTIVE clearing. */
static void dma_run(bool is_read, uint32_t lba, uint8_t count)
{
    port_out(BM_BASE + 4, PRD_TABLE, 4);
    port_out(BM_BASE, is_read ? BM_CMD_READ : 0, 1);
    ata_dma_cmd(is_read ? 0xc8 : 0xca, lba, count);
    port_out(BM_BASE, (is_read ? BM_CMD_READ : 0) | BM_CMD_START, 1);
    dma_wait();
}

/* --- config space ---------------------------------------------------------- */

static void test_config(void)
{
    ide_begin(false);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_VENDOR_ID, 4), 0x70108086);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_CLASS_DEVICE, 2), 0x0101);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_CLASS_PROG, 1), 0x80);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_REVISION_ID, 1), 0);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_INTERRUPT_PIN, 1), 0);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_COMMAND, 2), 0);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_STATUS, 2), 0x0280);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_SUBSYSTEM_VENDOR_ID, 4),
                    0x11001af4);
    /* BAR 4: 16 bytes of I/O; the others absent */
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_4, 4), 1);
    cfg_wr(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_4, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_4, 4),
                    0xfffffff1);
    cfg_wr(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_0, 4), 0);
    /* the PIIX timing registers (IDETIM, SIDETIM) and the rest of
     * 0x40-0xff: plain bytes */
    cfg_wr(IDE_SLOT, IDE_FN, 0x40, 0xa307e377, 4);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, 0x40, 4), 0xa307e377);
    cfg_wr(IDE_SLOT, IDE_FN, 0x44, 0x5a, 1);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, 0x44, 1), 0x5a);
    /* the class and IDs are read-only */
    cfg_wr(IDE_SLOT, IDE_FN, PCI_CLASS_PROG, 0x8f, 1);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_CLASS_PROG, 1), 0x80);
    /* reset: COMMAND, STATUS, BAR 4 */
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    qdev_reset_all(DEVICE(ide));
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_COMMAND, 2), 0);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_STATUS, 2), 0x0280);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_4, 4), 1);
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, 0x40, 4), 0xa307e377);
    ide_end();
}

/* --- the BMDMA registers ------------------------------------------------- */

static void test_bmdma_regs(void)
{
    ide_begin(false);
    /* no decode until COMMAND.IO */
    cfg_wr(IDE_SLOT, IDE_FN, PCI_BASE_ADDRESS_4, BM_BASE, 4);
    CU_ASSERT_EQUAL(port_in(BM_BASE + 4, 4), 0xffffffff);
    port_out(BM_BASE + 4, 0x1234, 4);
    CU_ASSERT_EQUAL(ide->bmdma[0].addr, 0);
    ide_enable(PCI_COMMAND_IO);

    for (int ch = 0; ch < 2; ch++) {
        uint16_t base = BM_BASE + ch * 8;
        BMDMAState *bm = &ide->bmdma[ch];

        /* command: START and READ only */
        CU_ASSERT_EQUAL(port_in(base, 1), 0);
        port_out(base, 0xf6, 1);
        CU_ASSERT_EQUAL(port_in(base, 1), 0x00);
        port_out(base, 0x08, 1);
        CU_ASSERT_EQUAL(port_in(base, 1), 0x08);
        /* the bytes between, and wider accesses: all-ones */
        CU_ASSERT_EQUAL(port_in(base + 1, 1), 0xff);
        CU_ASSERT_EQUAL(port_in(base + 3, 1), 0xff);
        CU_ASSERT_EQUAL(port_in(base, 2), 0xffff);
        port_out(base, 0, 1);

        /* status: bits 5/6 plain, ACTIVE read-only, ERR/INT W1C */
        CU_ASSERT_EQUAL(port_in(base + 2, 1), 0);
        port_out(base + 2, 0xff, 1);
        CU_ASSERT_EQUAL(port_in(base + 2, 1), 0x60);
        port_out(base + 2, 0x20, 1);
        CU_ASSERT_EQUAL(port_in(base + 2, 1), 0x20);
        bm->status |= BM_STATUS_DMAING | BM_STATUS_ERROR | BM_STATUS_INT;
        port_out(base + 2, 0x20 | BM_STATUS_ERROR, 1);
        CU_ASSERT_EQUAL(port_in(base + 2, 1), 0x20 | BM_STATUS_DMAING |
                        BM_STATUS_INT);
        port_out(base + 2, BM_STATUS_INT, 1);
        CU_ASSERT_EQUAL(port_in(base + 2, 1), BM_STATUS_DMAING);
        port_out(base + 2, BM_STATUS_DMAING, 1);
        CU_ASSERT_EQUAL(port_in(base + 2, 1), BM_STATUS_DMAING);
        bm->status = 0;

        /* PRD table address: dword aligned, any width */
        port_out(base + 4, 0x12345677, 4);
        CU_ASSERT_EQUAL(port_in(base + 4, 4), 0x12345674);
        port_out(base + 4, 0xab, 1);
        CU_ASSERT_EQUAL(port_in(base + 4, 4), 0x123456a8);
        port_out(base + 6, 0xbeef, 2);
        CU_ASSERT_EQUAL(port_in(base + 4, 4), 0xbeef56a8);
        CU_ASSERT_EQUAL(port_in(base + 7, 1), 0xbe);
        CU_ASSERT_EQUAL(bm->addr, 0xbeef56a8);
    }
    /* the channels are separate */
    CU_ASSERT_NOT_EQUAL(ide->bmdma[0].addr, 0);
    port_out(BM_BASE + 4, 0, 4);
    CU_ASSERT_EQUAL(port_in(BM_BASE + 12, 4), 0xbeef56a8);

    /* reset clears them */
    qdev_reset_all(DEVICE(ide));
    CU_ASSERT_EQUAL(ide->bmdma[1].addr, 0);
    CU_ASSERT_EQUAL(ide->bmdma[1].status, 0);
    ide_end();
}

/* --- legacy ports and IRQs ------------------------------------------------ */

static void test_legacy_ports(void)
{
    ide_begin(true);
    /* decoded with COMMAND 0 and BAR 4 unset */
    CU_ASSERT_EQUAL(cfg_rd(IDE_SLOT, IDE_FN, PCI_COMMAND, 2), 0);
    port_out(REG_DEVICE, 0xa0, 1);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1), 0x50);        /* DRDY | DSC */
    CU_ASSERT_EQUAL(port_in(REG_CTRL, 1), 0x50);       /* alt status */
    port_out(REG_NSECTOR, 0x5a, 1);
    CU_ASSERT_EQUAL(port_in(REG_NSECTOR, 1), 0x5a);
    port_out(REG_LBA_MID, 0x33, 1);
    CU_ASSERT_EQUAL(port_in(REG_LBA_MID, 1), 0x33);
    /* channel 1 has no drive: status 0, not unassigned 0xff */
    CU_ASSERT_EQUAL(port_in(0x177, 1), 0);
    CU_ASSERT_EQUAL(port_in(0x376, 1), 0);
    port_out(0x172, 0x77, 1);
    CU_ASSERT_EQUAL(port_in(0x172, 1), 0);     /* no drives: 0, as QEMU */
    /* around them: nothing */
    CU_ASSERT_EQUAL(port_in(0x1f8, 1), 0xff);
    CU_ASSERT_EQUAL(port_in(0x3f7, 1), 0xff);
    CU_ASSERT_EQUAL(port_in(0x178, 1), 0xff);
    ide_end();
}

static void test_irq(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 0);
    /* IDENTIFY DEVICE: data ready, IRQ 14, and INT in the BM status */
    port_out(REG_DEVICE, 0xa0, 1);
    port_out(REG_CMD, 0xec, 1);
    WAIT_FOR(pci_fx.gsi_level[14] == 1);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[15], 0);
    CU_ASSERT(bm_status(0) & BM_STATUS_INT);
    CU_ASSERT_FALSE(bm_status(1) & BM_STATUS_INT);
    /* the alternate status does not acknowledge, the status does */
    port_in(REG_CTRL, 1);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 1);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1) & 0x08, 0x08);     /* DRQ */
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 0);
    /* INT stays until written 1 */
    CU_ASSERT(bm_status(0) & BM_STATUS_INT);
    port_out(BM_BASE + 2, BM_STATUS_INT, 1);
    CU_ASSERT_FALSE(bm_status(0) & BM_STATUS_INT);
    for (int i = 0; i < 256; i++) {
        port_in(REG_DATA, 2);
    }
    /* nIEN: no interrupt */
    port_out(REG_CTRL, 0x02, 1);
    port_out(REG_CMD, 0xec, 1);
    WAIT_FOR(port_in(REG_CTRL, 1) & 0x08);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 0);
    ide_end();
}

/* IRQ 15 for channel 1 (a CD-ROM there). */
static void test_irq15(void)
{
    DeviceState *cd;

    ide_begin(false);
    ide_enable(PCI_COMMAND_IO);
    cd = qdev_new("ide-cd");
    qdev_prop_set_uint32(cd, "unit", 0);
    g_assert(qdev_realize_and_unref(cd, BUS(&ide->bus[1]), &error_abort));
    qdev_reset_all(DEVICE(ide));
    ide_enable(PCI_COMMAND_IO);
    port_out(0x176, 0xa0, 1);
    port_out(0x177, 0xa1, 1);                  /* IDENTIFY PACKET DEVICE */
    WAIT_FOR(pci_fx.gsi_level[15] == 1);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 0);
    CU_ASSERT(bm_status(1) & BM_STATUS_INT);
    port_in(0x177, 1);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[15], 0);
    ide_end();
}

/* --- DMA ------------------------------------------------------------------ */

static void test_dma_read_write(void)
{
    g_autofree uint8_t *back = NULL;

    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    /* read 8 sectors at LBA 16 into two PRDs */
    prd_set(0, DATA, 0x800);
    prd_set(1, DATA + 0x10000, 0x800 | 0x80000000);
    memset(ram(DATA), 0, 0x20000);
    dma_run(true, 16, 8);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 1);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);   /* ACTIVE cleared */
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 16 * 512, 0x800, SEED));
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA + 0x10000), 16 * 512 + 0x800,
                                    0x800, SEED));
    CU_ASSERT_EQUAL(ram(DATA + 0x800)[0], 0);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1), 0x50);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 0);
    port_out(BM_BASE, 0, 1);
    port_out(BM_BASE + 2, BM_STATUS_INT, 1);

    /* write 3 sectors at LBA 100 */
    memset(ram(DATA), 0xab, 3 * 512);
    prd_set(0, DATA, 3 * 512 | 0x80000000);
    dma_run(false, 100, 3);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1), 0x50);
    port_out(BM_BASE, 0, 1);
    blk_drain(disk);
    back = bt_file_read(disk_path, 99 * 512, 5 * 512);
    CU_ASSERT_TRUE(bt_check_pattern(back, 99 * 512, 512, SEED));
    CU_ASSERT_EQUAL(back[512], 0xab);
    CU_ASSERT_EQUAL(back[4 * 512 - 1], 0xab);
    CU_ASSERT_TRUE(bt_check_pattern(back + 4 * 512, 103 * 512, 512, SEED));
    ide_end();
}

/* Byte count 0 means 64 KiB; bit 0 of the count is ignored. */
static void test_dma_prd_64k(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    prd_set(0, DATA, 0x80000000);                   /* 64 KiB, EOT */
    dma_run(true, 0, 128);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 0, 0x10000, SEED));
    port_out(BM_BASE, 0, 1);
    port_out(BM_BASE + 2, BM_STATUS_INT, 1);
    port_in(REG_CMD, 1);

    /* 0x201 bytes = 0x200 */
    memset(ram(DATA), 0, 0x400);
    prd_set(0, DATA, 0x201 | 0x80000000);
    dma_run(true, 1, 1);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 512, 512, SEED));
    CU_ASSERT_EQUAL(ram(DATA + 512)[0], 0);
    ide_end();
}

/* PRDs describing more than the transfer: it completes with an
 * interrupt, ACTIVE stays set, the rest of the buffer is untouched. */
static void test_dma_prd_too_long(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    memset(ram(DATA), 0, 0x3000);
    prd_set(0, DATA, 0x2000 | 0x80000000);
    dma_run(true, 8, 8);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 1);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT | BM_STATUS_DMAING);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 8 * 512, 0x1000, SEED));
    CU_ASSERT_EQUAL(ram(DATA + 0x1000)[0], 0);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1), 0x50);
    /* the guest stops the engine: ACTIVE clears */
    port_out(BM_BASE, 0, 1);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    ide_end();
}

/* PRDs describing less than the transfer: nothing is transferred, no
 * interrupt, ACTIVE cleared, the drive ready (QEMU's ide_dma_cb). */
static void check_too_short(void)
{
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 0);
    CU_ASSERT_EQUAL(bm_status(0), 0);
    CU_ASSERT_EQUAL(port_in(REG_CTRL, 1), 0x50);
    CU_ASSERT_EQUAL(ram(DATA)[0], 0);
}

static void test_dma_prd_too_short(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    memset(ram(DATA), 0, 0x2000);
    prd_set(0, DATA, 0x800 | 0x80000000);
    dma_run(true, 8, 8);
    check_too_short();

    /* EOT ends the table: the second PRD is not used */
    port_out(BM_BASE, 0, 1);
    prd_set(0, DATA, 0x800 | 0x80000000);
    prd_set(1, DATA + 0x800, 0x800 | 0x80000000);
    dma_run(true, 8, 8);
    check_too_short();
    ide_end();
}

/* At most one page of PRDs (512) is walked, EOT or not. */
static void test_dma_prd_page(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    /* 512 PRDs of 128 bytes, no EOT: one page, 64 KiB = 128 sectors */
    for (int i = 0; i < 512; i++) {
        prd_set(i, DATA + i * 128, 128);
    }
    /* a 513th, beyond the page, that would make 129 sectors */
    prd_set(512, DATA + 0x10000, 512 | 0x80000000);
    memset(ram(DATA), 0, 0x20000);
    dma_run(true, 0, 128);
    /* exactly the transfer: done, interrupt, ACTIVE cleared */
    CU_ASSERT_EQUAL(pci_fx.gsi_level[14], 1);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 0, 128 * 512, SEED));
    port_in(REG_CMD, 1);
    port_out(BM_BASE, 0, 1);
    port_out(BM_BASE + 2, BM_STATUS_INT, 1);

    /* 129 sectors: the walk stops at the page, the table is too short */
    memset(ram(DATA), 0, 0x20000);
    dma_run(true, 0, 129);
    check_too_short();
    CU_ASSERT_EQUAL(ram(DATA + 0x10000)[0], 0);
    ide_end();
}

/* A PRD table in unassigned space, and PRDs pointing beyond RAM: reads
 * 0 (QEMU), writes go nowhere; nothing breaks. */
static void test_dma_prd_unassigned(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    /* table at 0xe0000000 (the PCI hole, nothing there): every PRD reads
     * as addr 0xffffffff, 0xfffe bytes, EOT (all zeros in QEMU: a page
     * of 64 KiB PRDs at 0); either way more than the transfer */
    port_out(BM_BASE + 4, 0xe0000000, 4);
    port_out(BM_BASE, BM_CMD_READ, 1);
    ata_dma_cmd(0xc8, 0, 8);
    port_out(BM_BASE, BM_CMD_READ | BM_CMD_START, 1);
    WAIT_FOR(pci_fx.gsi_level[14] == 1);
    /* too long */
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT | BM_STATUS_DMAING);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1), 0x50);
    port_out(BM_BASE, 0, 1);
    port_out(BM_BASE + 2, BM_STATUS_INT, 1);

    /* data across the end of RAM (1 MiB), and far beyond it */
    memset(ram(PCI_FX_RAM_SIZE - 0x800), 0, 0x800);
    prd_set(0, PCI_FX_RAM_SIZE - 0x800, 0x1000);
    prd_set(1, 0xfffff000, 0x1000 | 0x80000000);    /* crosses 4 GiB */
    dma_run(true, 16, 16);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    CU_ASSERT_TRUE(bt_check_pattern(ram(PCI_FX_RAM_SIZE - 0x800), 16 * 512,
                                    0x800, SEED));
    port_in(REG_CMD, 1);
    port_out(BM_BASE, 0, 1);
    port_out(BM_BASE + 2, BM_STATUS_INT, 1);

    /* and a write from there: the disk gets what the space reads there
     * (all-ones in qomu's memory core; QEMU 7.2's reads 0) */
    prd_set(0, 0xe0000000, 512 | 0x80000000);
    dma_run(false, 200, 1);
    CU_ASSERT_EQUAL(bm_status(0), BM_STATUS_INT);
    blk_drain(disk);
    {
        g_autofree uint8_t *back = bt_file_read(disk_path, 200 * 512, 512);
        uint8_t hole = 0x5a;

        address_space_read(&pci_fx.as_mem, 0xe0000000, &hole, 1);
        CU_ASSERT_EQUAL(back[0], hole);
        CU_ASSERT_EQUAL(back[511], hole);
    }
    ide_end();
}

/* COMMAND.MASTER off: the engine's accesses reach nothing. */
static void test_dma_master_off(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO);
    prd_set(0, DATA, 0x1000 | 0x80000000);
    memset(ram(DATA), 0, 0x1000);
    /* the table reads as nothing there does: no PRD reaches RAM */
    dma_run(true, 0, 8);
    CU_ASSERT_EQUAL(ram(DATA)[0], 0);
    CU_ASSERT_EQUAL(ram(DATA + 0xfff)[0], 0);
    CU_ASSERT_EQUAL(port_in(REG_CMD, 1), 0x50);
    port_out(BM_BASE, 0, 1);
    /* MASTER on again: the same transfer lands */
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    dma_run(true, 0, 8);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 0, 0x1000, SEED));
    ide_end();
}

/* START 1 -> 0 while the request is in flight waits for it, then clears
 * ACTIVE. */
static void test_dma_stop(void)
{
    ide_begin(true);
    ide_enable(PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    prd_set(0, DATA, 0x80000000);
    memset(ram(DATA), 0, 0x10000);
    port_out(BM_BASE + 4, PRD_TABLE, 4);
    ata_dma_cmd(0xc8, 0, 128);
    port_out(BM_BASE, BM_CMD_READ | BM_CMD_START, 1);
    CU_ASSERT(bm_status(0) & BM_STATUS_DMAING);
    port_out(BM_BASE, BM_CMD_READ, 1);
    CU_ASSERT_FALSE(bm_status(0) & BM_STATUS_DMAING);
    CU_ASSERT_PTR_NULL(ide->bus[0].dma->aiocb);
    CU_ASSERT_TRUE(bt_check_pattern(ram(DATA), 0, 0x10000, SEED));
    /* START again with nothing pending: ACTIVE, no transfer */
    port_out(BM_BASE, BM_CMD_READ | BM_CMD_START, 1);
    CU_ASSERT(bm_status(0) & BM_STATUS_DMAING);
    ide_end();
}

int main(int argc, char **argv)
{
    int ret;

    main_loop_init();
    pci_helper_main_init();
    harness_add("/piix3-ide/config", test_config);
    harness_add("/piix3-ide/bmdma/regs", test_bmdma_regs);
    harness_add("/piix3-ide/legacy-ports", test_legacy_ports);
    harness_add("/piix3-ide/irq/14", test_irq);
    harness_add("/piix3-ide/irq/15", test_irq15);
    harness_add("/piix3-ide/dma/read-write", test_dma_read_write);
    harness_add("/piix3-ide/dma/prd-64k", test_dma_prd_64k);
    harness_add("/piix3-ide/dma/prd-too-long", test_dma_prd_too_long);
    harness_add("/piix3-ide/dma/prd-too-short", test_dma_prd_too_short);
    harness_add("/piix3-ide/dma/prd-page", test_dma_prd_page);
    harness_add("/piix3-ide/dma/prd-unassigned", test_dma_prd_unassigned);
    harness_add("/piix3-ide/dma/master-off", test_dma_master_off);
    harness_add("/piix3-ide/dma/stop", test_dma_stop);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
