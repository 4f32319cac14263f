/*
 * test-ide-hd.c - "ide-hd" and the ATA state machine (hw/ide/core.c),
 * driven through the task-file registers as a guest would.
 */
#include "util/osdep.h"
#include "ide-helper.h"

#define DISK_SIZE (8 << 20)
#define DISK_SECTORS (DISK_SIZE / 512)

static IdeFx fx;

static void hd_setup(const char *props)
{
    g_autofree char *all = g_strdup_printf("drive=d0%s%s",
                                           props ? "," : "",
                                           props ? props : "");

    ide_fx_init(&fx);
    ide_fx_drive(&fx, "d0", DISK_SIZE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd", all,
                                            &error_abort));
}

static void identify(uint16_t *id)
{
    int raises = fx.irq_raises;

    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, 0);
    ata_cmd(&fx, WIN_IDENTIFY);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    CU_ASSERT_EQUAL(fx.irq_raises, raises + 1);
    ata_pio_in(&fx, id, 512, false);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(fx.irq_level, 0);
}

static void test_identify(void)
{
    uint16_t id[256];
    g_autofree char *model = NULL, *fw = NULL, *serial = NULL;

    hd_setup(NULL);
    identify(id);
    model = ata_string(id, 27, 20);
    fw = ata_string(id, 23, 4);
    serial = ata_string(id, 10, 10);
    CU_ASSERT_STRING_EQUAL(model, "QEMU HARDDISK");
    CU_ASSERT_STRING_EQUAL(fw, "2.5+");
    CU_ASSERT_TRUE(g_str_has_prefix(serial, "QM") && strlen(serial) == 7);
    CU_ASSERT_EQUAL(id[0], 0x0040);
    CU_ASSERT_EQUAL(id[47], 0x8000 | MAX_MULT_SECTORS);
    CU_ASSERT_EQUAL(id[49], (1 << 11) | (1 << 9) | (1 << 8));
    CU_ASSERT_EQUAL(id[60] | (id[61] << 16), DISK_SECTORS);
    CU_ASSERT_EQUAL(id[100] | (id[101] << 16), DISK_SECTORS);
    CU_ASSERT_EQUAL(id[102] | id[103], 0);
    CU_ASSERT_EQUAL(id[83], (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10));
    CU_ASSERT_EQUAL(id[88], 0x3f | (1 << 13));
    /* 16 heads, 63 sectors */
    CU_ASSERT_EQUAL(id[3], 16);
    CU_ASSERT_EQUAL(id[6], 63);
    CU_ASSERT_EQUAL(id[1], DISK_SECTORS / (16 * 63));
    /* the backend has a write cache (cache=writeback) */
    CU_ASSERT_TRUE(blk_enable_write_cache(fx.blk[0]));
    CU_ASSERT_EQUAL(id[85], (1 << 14) | (1 << 5) | 1);
    ide_fx_done(&fx);

    /* write-cache=off: the backend and word 85 follow */
    hd_setup("write-cache=off,serial=ABC123,model=Disk X,ver=1.0,wwn=0x5000c500a1b2c3d4");
    identify(id);
    CU_ASSERT_FALSE(blk_enable_write_cache(fx.blk[0]));
    CU_ASSERT_EQUAL(id[85], (1 << 14) | 1);
    g_free(model);
    g_free(fw);
    g_free(serial);
    model = ata_string(id, 27, 20);
    fw = ata_string(id, 23, 4);
    serial = ata_string(id, 10, 10);
    CU_ASSERT_STRING_EQUAL(model, "Disk X");
    CU_ASSERT_STRING_EQUAL(fw, "1.0");
    CU_ASSERT_STRING_EQUAL(serial, "ABC123");
    CU_ASSERT_EQUAL(id[84], (1 << 14) | (1 << 8));
    CU_ASSERT_EQUAL(id[108], 0x5000);
    CU_ASSERT_EQUAL(id[111], 0xc3d4);
    ide_fx_done(&fx);
}

static void test_pio_rw(void)
{
    uint8_t buf[1024], back[1024];
    g_autofree uint8_t *file = NULL;

    hd_setup(NULL);
    for (int i = 0; i < (int)sizeof(buf); i++) {
        buf[i] = i * 7 + 3;
    }
    /* WRITE SECTORS: 2 sectors at LBA 5, 16-bit then 32-bit accesses */
    ata_lba28(&fx, 0, 5, 2);
    ata_cmd(&fx, WIN_WRITE);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    ata_pio_out(&fx, buf, 512, false);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    ata_pio_out(&fx, buf + 512, 512, true);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    /* the task file points after the transfer */
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_NUMBER), 7);
    CU_ASSERT_EQUAL(blk_flush(fx.blk[0]), 0);
    file = bt_file_read(fx.paths[0], 5 * 512, 1024);
    CU_ASSERT_EQUAL(memcmp(file, buf, 1024), 0);

    /* READ SECTORS back with 32-bit accesses */
    ata_lba28(&fx, 0, 5, 2);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    ata_pio_in(&fx, back, 512, true);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    ata_pio_in(&fx, back + 512, 512, false);
    CU_ASSERT_EQUAL(memcmp(back, buf, 1024), 0);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);

    /* sector count 0 means 256: READ at LBA 0, sector 9 is all 9s */
    ata_lba28(&fx, 0, 0, 0);
    ata_cmd(&fx, WIN_READ);
    for (int i = 0; i < 10; i++) {
        CU_ASSERT_TRUE(ide_fx_wait(&fx));
        ata_pio_in(&fx, back, 512, true);
    }
    CU_ASSERT_EQUAL(back[0], 9);
    CU_ASSERT_EQUAL(back[511], 9);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx) & DRQ_STAT, DRQ_STAT);   /* 246 left */
    ide_fx_done(&fx);
}

static void test_pio_idle_port(void)
{
    hd_setup(NULL);
    /* no transfer: reads give 0, writes are ignored */
    CU_ASSERT_EQUAL(ide_data_readw(fx.bus, 0), 0);
    CU_ASSERT_EQUAL(ide_data_readl(fx.bus, 0), 0);
    ide_data_writew(fx.bus, 0, 0x1234);
    ide_data_writel(fx.bus, 0, 0x12345678);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
    /* the data register as a byte register */
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_DATA), 0xff);
    /* a read during a PIO out (WRITE) gives 0 and does not advance */
    ata_lba28(&fx, 0, 1, 1);
    ata_cmd(&fx, WIN_WRITE);
    CU_ASSERT_EQUAL(ide_data_readw(fx.bus, 0), 0);
    CU_ASSERT_PTR_EQUAL(fx.bus->ifs[0].data_ptr, fx.bus->ifs[0].io_buffer);
    /* task-file writes are ignored while DRQ is set */
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_NUMBER, 0x55);
    CU_ASSERT_EQUAL(fx.bus->ifs[0].sector, 1);
    ide_fx_done(&fx);
}

static void test_lba48(void)
{
    const int64_t size = (int64_t)300 << 30;    /* sparse, > 2^28 sectors */
    const uint64_t lba = (1ull << 28) + 12345;
    uint16_t id[256];
    uint8_t buf[512], back[512];

    ide_fx_init(&fx);
    ide_fx_drive(&fx, "big", size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd", "drive=big",
                                            &error_abort));
    identify(id);
    /* LBA28 capacity clamped, LBA48 exact */
    CU_ASSERT_EQUAL(id[60] | (id[61] << 16), (1 << 28) - 1);
    CU_ASSERT_EQUAL((uint64_t)id[100] | ((uint64_t)id[101] << 16) |
                    ((uint64_t)id[102] << 32), size / 512);

    memset(buf, 0xa7, sizeof(buf));
    ata_lba48(&fx, 0, lba, 1);
    ata_cmd(&fx, WIN_WRITE_EXT);
    ata_pio_out(&fx, buf, 512, true);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);

    ata_lba48(&fx, 0, lba, 1);
    ata_cmd(&fx, WIN_READ_EXT);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    ata_pio_in(&fx, back, 512, true);
    CU_ASSERT_EQUAL(memcmp(buf, back, 512), 0);

    /* HOB: the high bytes read back with HOB set in device control */
    ide_ctrl_write(fx.bus, 0, IDE_CTRL_HOB);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_NUMBER),
                    ((lba + 1) >> 24) & 0xff);
    ide_ctrl_write(fx.bus, 0, 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_NUMBER),
                    (lba + 1) & 0xff);

    /* the last LBA28 sector is reachable with LBA28 commands */
    ata_lba28(&fx, 0, 0x0fffffff, 1);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    ata_pio_in(&fx, back, 512, true);

    /* READ NATIVE MAX ADDRESS EXT: the last sector */
    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, ATA_DEV_LBA);
    ata_cmd(&fx, WIN_READ_NATIVE_MAX_EXT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_NUMBER),
                    (size / 512 - 1) & 0xff);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH),
                    ((size / 512 - 1) >> 16) & 0xff);
    ide_fx_done(&fx);
}

static void expect_abort(int raises_before)
{
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    CU_ASSERT_EQUAL(fx.irq_raises, raises_before + 1);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
}

static void test_out_of_range(void)
{
    int raises;

    hd_setup(NULL);
    /* the first sector past the end */
    raises = fx.irq_raises;
    ata_lba28(&fx, 0, DISK_SECTORS, 1);
    ata_cmd(&fx, WIN_READ);
    expect_abort(raises);
    /* a range that crosses the end (write: before the data phase ends) */
    raises = fx.irq_raises;
    ata_lba28(&fx, 0, DISK_SECTORS - 1, 2);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));        /* the first sector is fine */
    {
        uint8_t b[512];

        ata_pio_in(&fx, b, 512, false);
    }
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
    /* LBA48 far out */
    raises = fx.irq_raises;
    ata_lba48(&fx, 0, 0xffffffffffffull, 0);
    ata_cmd(&fx, WIN_READ_EXT);
    expect_abort(raises);
    /* write past the end: the data phase happens, the write fails */
    raises = fx.irq_raises;
    ata_lba28(&fx, 0, DISK_SECTORS + 100, 1);
    ata_cmd(&fx, WIN_WRITE);
    {
        uint8_t b[512] = { 0 };

        ata_pio_out(&fx, b, 512, false);
    }
    expect_abort(raises);
    /* CHS sector 0 does not exist */
    raises = fx.irq_raises;
    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, 0);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 1);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_NUMBER, 0);
    ata_w(&fx, ATA_IOPORT_WR_CYLINDER_LOW, 0);
    ata_w(&fx, ATA_IOPORT_WR_CYLINDER_HIGH, 0);
    ata_cmd(&fx, WIN_READ);
    expect_abort(raises);
    ide_fx_done(&fx);
}

static void test_unsupported(void)
{
    static const uint8_t cmds[] = {
        WIN_NOP, WIN_PACKETCMD, WIN_PIDENTIFY, WIN_DEVICE_RESET,
        CFA_REQ_EXT_ERROR_CODE, WIN_SET_MAX, WIN_SECURITY_UNLOCK, 0xff, 0x01,
    };

    hd_setup(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        int raises = fx.irq_raises;

        ata_cmd(&fx, cmds[i]);
        expect_abort(raises);
    }
    /* DSM with a feature other than TRIM */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x02);
    ata_cmd(&fx, WIN_DSM);
    expect_abort(fx.irq_raises - 1);
    /* commands to an absent slave are ignored */
    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, ATA_DEV_SELECT);
    ata_cmd(&fx, WIN_IDENTIFY);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), 0);
    CU_ASSERT_EQUAL(fx.bus->ifs[1].status & DRQ_STAT, 0);
    ide_fx_done(&fx);
}

static void test_misc_commands(void)
{
    static const uint8_t ok[] = {
        WIN_IDLEIMMEDIATE, WIN_IDLEIMMEDIATE2, WIN_STANDBYNOW1, WIN_STANDBY,
        WIN_SETIDLE1, WIN_SEEK, WIN_SPECIFY, WIN_RECAL, WIN_VERIFY,
        WIN_VERIFY_EXT, WIN_SLEEPNOW1,
    };

    hd_setup(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        int raises = fx.irq_raises;

        ata_lba28(&fx, 0, 0, 1);
        ata_cmd(&fx, ok[i]);
        CU_ASSERT_EQUAL(ata_altstatus(&fx) & (ERR_STAT | BUSY_STAT | DRQ_STAT),
                        0);
        CU_ASSERT_EQUAL(fx.irq_raises, raises + 1);
        ata_r(&fx, ATA_IOPORT_RR_STATUS);
    }
    /* CHECK POWER MODE: active */
    ata_cmd(&fx, WIN_CHECKPOWERMODE1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_COUNT), 0xff);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    /* READ NATIVE MAX ADDRESS (LBA28) */
    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, ATA_DEV_LBA);
    ata_cmd(&fx, WIN_READ_NATIVE_MAX);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_NUMBER),
                    (DISK_SECTORS - 1) & 0xff);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW),
                    ((DISK_SECTORS - 1) >> 8) & 0xff);
    /* SET MULTIPLE MODE: powers of two up to 16 */
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 3);
    ata_cmd(&fx, WIN_SETMULT);
    expect_abort(fx.irq_raises - 1);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 32);
    ata_cmd(&fx, WIN_SETMULT);
    expect_abort(fx.irq_raises - 1);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 4);
    ata_cmd(&fx, WIN_SETMULT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    /* READ MULTIPLE: 8 sectors in blocks of 4 */
    ata_lba28(&fx, 0, 8, 8);
    ata_cmd(&fx, WIN_MULTREAD);
    for (int blk = 0; blk < 2; blk++) {
        uint8_t b[2048];

        CU_ASSERT_TRUE(ide_fx_wait(&fx));
        CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
        ata_pio_in(&fx, b, 2048, true);
        CU_ASSERT_EQUAL(b[0], 8 + blk * 4);
        CU_ASSERT_EQUAL(b[2047], 8 + blk * 4 + 3);
    }
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
    /* WRITE MULTIPLE: 5 sectors, 4 + 1 */
    {
        uint8_t b[5 * 512];
        g_autofree uint8_t *file = NULL;

        memset(b, 0x3c, sizeof(b));
        ata_lba28(&fx, 0, 20, 5);
        ata_cmd(&fx, WIN_MULTWRITE);
        ata_pio_out(&fx, b, 2048, true);
        CU_ASSERT_TRUE(ide_fx_wait(&fx));
        ata_pio_out(&fx, b + 2048, 512, true);
        CU_ASSERT_TRUE(ide_fx_wait(&fx));
        CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
        blk_flush(fx.blk[0]);
        file = bt_file_read(fx.paths[0], 20 * 512, sizeof(b));
        CU_ASSERT_EQUAL(memcmp(file, b, sizeof(b)), 0);
    }
    /* multiple mode off: READ MULTIPLE aborts */
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 0);
    ata_cmd(&fx, WIN_SETMULT);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
    ata_lba28(&fx, 0, 8, 8);
    ata_cmd(&fx, WIN_MULTREAD);
    expect_abort(fx.irq_raises - 1);
    ide_fx_done(&fx);
}

static void test_set_features(void)
{
    uint16_t id[256];

    hd_setup(NULL);
    identify(id);
    CU_ASSERT_EQUAL(id[85] & (1 << 5), 1 << 5);

    /* 0x82: write cache off (and a flush) */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x82);
    ata_cmd(&fx, WIN_SETFEATURES);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_FALSE(blk_enable_write_cache(fx.blk[0]));
    identify(id);
    CU_ASSERT_EQUAL(id[85] & (1 << 5), 0);

    /* 0x02: write cache on */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x02);
    ata_cmd(&fx, WIN_SETFEATURES);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_TRUE(blk_enable_write_cache(fx.blk[0]));
    identify(id);
    CU_ASSERT_EQUAL(id[85] & (1 << 5), 1 << 5);

    /* 0x03: transfer mode UDMA 2, then MDMA 1 */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x03);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 0x40 | 2);
    ata_cmd(&fx, WIN_SETFEATURES);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    identify(id);
    CU_ASSERT_EQUAL(id[88], 0x3f | (1 << 10));
    CU_ASSERT_EQUAL(id[63], 0x07);
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x03);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 0x20 | 1);
    ata_cmd(&fx, WIN_SETFEATURES);
    identify(id);
    CU_ASSERT_EQUAL(id[63], 0x07 | (1 << 9));
    CU_ASSERT_EQUAL(id[88], 0x3f);
    /* an unknown transfer mode and an unknown feature abort */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x03);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 0x18);
    ata_cmd(&fx, WIN_SETFEATURES);
    expect_abort(fx.irq_raises - 1);
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x77);
    ata_cmd(&fx, WIN_SETFEATURES);
    expect_abort(fx.irq_raises - 1);
    /* NOP-like features complete */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0xaa);
    ata_cmd(&fx, WIN_SETFEATURES);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    ide_fx_done(&fx);
}

static void test_flush(void)
{
    BlockBackend *blk;
    int raises;

    ide_fx_init(&fx);
    blk = ide_fx_drive_full(&fx, "d0", DISK_SIZE, true, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd", "drive=d0",
                                            &error_abort));
    /* (a flush reaches the image only after a write) */
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, fx.ram_ptr, 0), 0);
    raises = fx.irq_raises;
    ata_cmd(&fx, WIN_FLUSH_CACHE);
    CU_ASSERT_TRUE(ata_altstatus(&fx) & BUSY_STAT);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(fx.irq_raises, raises + 1);
    CU_ASSERT_EQUAL(blkdebug_request_count(ide_fx_dbg(blk),
                                           BLKDEBUG_IO_TYPE_FLUSH), 1);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, fx.ram_ptr, 0), 0);
    ata_cmd(&fx, WIN_FLUSH_CACHE_EXT);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(blkdebug_request_count(ide_fx_dbg(blk),
                                           BLKDEBUG_IO_TYPE_FLUSH), 2);
    /* a failing flush with werror=report: ABRT */
    blkdebug_inject_error(ide_fx_dbg(blk), BLKDEBUG_IO_TYPE_FLUSH, EIO, 0, -1,
                          true);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, fx.ram_ptr, 0), 0);
    raises = fx.irq_raises;
    ata_cmd(&fx, WIN_FLUSH_CACHE);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    expect_abort(raises);
    ide_fx_done(&fx);
}

/* A DSM TRIM range list in the fake DMA RAM at 0x1000. */
static void put_trim_entry(int i, uint64_t lba, uint16_t count)
{
    uint64_t e = GUINT64_TO_LE(lba | ((uint64_t)count << 48));

    memcpy(fx.ram_ptr + 0x1000 + i * 8, &e, 8);
}

static void trim(uint16_t nsect)
{
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, DSM_TRIM);
    ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, nsect);
    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, ATA_DEV_LBA);
    ata_cmd(&fx, WIN_DSM);
    CU_ASSERT_TRUE(fx.dma_active);
    ide_fx_dma_go(&fx, 0x1000, 512 * nsect);
    CU_ASSERT_TRUE(ide_fx_wait_dma(&fx));
}

static void test_trim(void)
{
    BlockBackend *blk;
    BlockDriverState *dbg;

    ide_fx_init(&fx);
    ide_fx_use_dma(&fx);
    blk = ide_fx_drive_full(&fx, "d0", DISK_SIZE, true, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd", "drive=d0",
                                            &error_abort));
    dbg = ide_fx_dbg(blk);

    /* two ranges and an empty entry */
    memset(fx.ram_ptr + 0x1000, 0, 512);
    put_trim_entry(0, 100, 8);
    put_trim_entry(1, 0, 0);
    put_trim_entry(2, 200, 1);
    trim(1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_DISCARD), 2);

    /* a range past the end: the command fails, nothing after it is done */
    memset(fx.ram_ptr + 0x1000, 0, 512);
    put_trim_entry(0, 10, 1);
    put_trim_entry(1, DISK_SECTORS - 1, 2);
    put_trim_entry(2, 20, 1);
    trim(1);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_DISCARD), 3);

    /* an LBA with all 48 bits set */
    memset(fx.ram_ptr + 0x1000, 0, 512);
    put_trim_entry(0, 0xffffffffffffull, 0xffff);
    trim(1);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);

    /* only empty entries: completes */
    memset(fx.ram_ptr + 0x1000, 0, 512);
    trim(1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_DISCARD), 3);
    ide_fx_done(&fx);
}

static void test_dma_rw(void)
{
    g_autofree uint8_t *file = NULL;

    ide_fx_init(&fx);
    ide_fx_use_dma(&fx);
    ide_fx_drive(&fx, "d0", DISK_SIZE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd", "drive=d0",
                                            &error_abort));
    /* READ DMA: sectors 3..6 */
    ata_lba28(&fx, 0, 3, 4);
    ata_cmd(&fx, WIN_READDMA);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    CU_ASSERT_EQUAL(fx.dma_starts, 1);
    ide_fx_dma_go(&fx, 0x8000, 4 * 512);
    CU_ASSERT_TRUE(ide_fx_wait_dma(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(fx.ram_ptr[0x8000 + i * 512], 3 + i);
    }
    /* WRITE DMA EXT */
    memset(fx.ram_ptr + 0x9000, 0x5a, 1024);
    ata_lba48(&fx, 0, 40, 2);
    ata_cmd(&fx, WIN_WRITEDMA_EXT);
    ide_fx_dma_go(&fx, 0x9000, 1024);
    CU_ASSERT_TRUE(ide_fx_wait_dma(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    blk_flush(fx.blk[0]);
    file = bt_file_read(fx.paths[0], 40 * 512, 1024);
    CU_ASSERT_EQUAL(file[0], 0x5a);
    CU_ASSERT_EQUAL(file[1023], 0x5a);
    /* a DMA read past the end fails */
    ata_lba28(&fx, 0, DISK_SECTORS - 1, 2);
    ata_cmd(&fx, WIN_READDMA);
    ide_fx_dma_go(&fx, 0x8000, 1024);
    CU_ASSERT_TRUE(ide_fx_wait_dma(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    ide_fx_done(&fx);
}

static void test_diagnostic(void)
{
    int raises;

    hd_setup(NULL);
    ata_lba28(&fx, 0, 0x123456, 7);
    raises = fx.irq_raises;
    ata_cmd(&fx, WIN_DIAGNOSE);
    CU_ASSERT_EQUAL(fx.irq_raises, raises + 1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), 0x01);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_COUNT), 1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_NUMBER), 1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW), 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH), 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);

    /* software reset: BSY until the reset has run, then the signature */
    ata_lba28(&fx, 0, 0x123456, 7);
    ide_ctrl_write(fx.bus, 0, IDE_CTRL_RESET);
    CU_ASSERT_TRUE(ata_altstatus(&fx) & BUSY_STAT);
    ide_ctrl_write(fx.bus, 0, 0);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_COUNT), 1);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW), 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), 0x01);
    /* a reset in the middle of a PIO transfer ends it */
    ata_lba28(&fx, 0, 1, 4);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_TRUE(ata_altstatus(&fx) & DRQ_STAT);
    ide_ctrl_write(fx.bus, 0, IDE_CTRL_RESET);
    ide_ctrl_write(fx.bus, 0, 0);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(ide_data_readw(fx.bus, 0), 0);
    ide_fx_done(&fx);
}

static void test_irq(void)
{
    uint16_t id[256];

    hd_setup(NULL);
    CU_ASSERT_EQUAL(fx.irq_level, 0);
    /* a command raises the line; the status register lowers it, the
     * alternate status does not */
    ata_cmd(&fx, WIN_CHECKPOWERMODE1);
    CU_ASSERT_EQUAL(fx.irq_level, 1);
    ata_altstatus(&fx);
    CU_ASSERT_EQUAL(fx.irq_level, 1);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
    CU_ASSERT_EQUAL(fx.irq_level, 0);
    /* writing a command lowers it too */
    ata_cmd(&fx, WIN_CHECKPOWERMODE1);
    CU_ASSERT_EQUAL(fx.irq_level, 1);
    ata_cmd(&fx, WIN_CHECKPOWERMODE1);
    CU_ASSERT_EQUAL(fx.irq_raises, 3);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
    /* nIEN: no interrupt */
    ide_ctrl_write(fx.bus, 0, IDE_CTRL_DISABLE_IRQ);
    ata_cmd(&fx, WIN_IDENTIFY);
    CU_ASSERT_EQUAL(fx.irq_level, 0);
    ata_pio_in(&fx, id, 512, false);
    ata_lba28(&fx, 0, 0, 1);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(fx.irq_level, 0);
    CU_ASSERT_TRUE(ata_altstatus(&fx) & DRQ_STAT);
    ata_pio_in(&fx, id, 512, false);
    /* nIEN off again */
    ide_ctrl_write(fx.bus, 0, 0);
    ata_cmd(&fx, WIN_CHECKPOWERMODE1);
    CU_ASSERT_EQUAL(fx.irq_level, 1);
    ata_r(&fx, ATA_IOPORT_RR_STATUS);
    CU_ASSERT_EQUAL(fx.irq_level, 0);
    ide_fx_done(&fx);
}

static bool vm_running(IdeFx *f)
{
    return runstate_is_running();
}

static bool error_pending(IdeFx *f)
{
    return runstate_get() != RUN_STATE_IO_ERROR;
}

static void test_werror_stop(void)
{
    BlockBackend *blk;
    uint8_t buf[512];
    g_autofree uint8_t *file = NULL;

    ide_fx_init(&fx);
    blk = ide_fx_drive_full(&fx, "d0", DISK_SIZE, true, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd",
                                            "drive=d0,werror=stop",
                                            &error_abort));
    CU_ASSERT_EQUAL(blk_get_on_error(blk, false), BLOCKDEV_ON_ERROR_STOP);
    bql_lock();
    vm_start();
    CU_ASSERT_TRUE(runstate_is_running());
    /* the resume's restart BH finds nothing to do */
    for (int i = 0; i < 100 && fx.bus->bh; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    CU_ASSERT_PTR_NULL(fx.bus->bh);

    blkdebug_inject_error(ide_fx_dbg(blk), BLKDEBUG_IO_TYPE_WRITE, EIO, 0, -1,
                          true);
    memset(buf, 0xe1, sizeof(buf));
    ata_lba28(&fx, 0, 30, 1);
    ata_cmd(&fx, WIN_WRITE);
    ata_pio_out(&fx, buf, 512, false);
    /* the write fails: the VM stops, the request is kept, no error */
    CU_ASSERT_TRUE(ide_fx_wait_cond(&fx, error_pending));
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_IO_ERROR);
    CU_ASSERT_EQUAL(fx.bus->error_status, IDE_RETRY_PIO);
    CU_ASSERT_EQUAL(ata_altstatus(&fx) & ERR_STAT, 0);
    CU_ASSERT_EQUAL(blk_iostatus(blk), BLOCK_DEVICE_IO_STATUS_FAILED);

    /* resume: the write is issued again and succeeds */
    vm_start();
    CU_ASSERT_TRUE(vm_running(&fx));
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    /* let the restart BH run */
    for (int i = 0; i < 100 && fx.bus->bh; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(fx.bus->error_status, 0);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
    blk_flush(blk);
    file = bt_file_read(fx.paths[0], 30 * 512, 512);
    CU_ASSERT_EQUAL(memcmp(file, buf, 512), 0);
    vm_stop(RUN_STATE_PAUSED);
    ide_fx_done(&fx);
    bql_unlock();
}

static void test_rerror_report_ignore(void)
{
    BlockBackend *blk;
    uint8_t b[512];

    ide_fx_init(&fx);
    blk = ide_fx_drive_full(&fx, "d0", DISK_SIZE, true, false);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-hd",
                                            "drive=d0,rerror=ignore",
                                            &error_abort));
    /* ignore: the read "succeeds" */
    blkdebug_inject_error(ide_fx_dbg(blk), BLKDEBUG_IO_TYPE_READ, EIO, 0, -1,
                          true);
    ata_lba28(&fx, 0, 1, 1);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    ata_pio_in(&fx, b, 512, false);
    /* report (the default for werror with raw): ABRT */
    blkdebug_inject_error(ide_fx_dbg(blk), BLKDEBUG_IO_TYPE_WRITE, ENOSPC, 0,
                          -1, true);
    blk_set_on_error(blk, BLOCKDEV_ON_ERROR_REPORT, BLOCKDEV_ON_ERROR_REPORT);
    ata_lba28(&fx, 0, 1, 1);
    ata_cmd(&fx, WIN_WRITE);
    ata_pio_out(&fx, b, 512, false);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    ide_fx_done(&fx);
}

static void test_no_drives(void)
{
    ide_fx_init(&fx);
    /* an empty bus reads 0 everywhere (no pull-ups modelled) */
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW), 0);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), 0);
    ata_cmd(&fx, WIN_IDENTIFY);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), 0);
    ide_fx_done(&fx);
}

int main(int argc, char **argv)
{
    if (ide_fx_main_init() < 0) {
        return harness_run(argc, argv);
    }
    harness_add("/ide-hd/identify", test_identify);
    harness_add("/ide-hd/pio/rw", test_pio_rw);
    harness_add("/ide-hd/pio/idle-port", test_pio_idle_port);
    harness_add("/ide-hd/lba48", test_lba48);
    harness_add("/ide-hd/out-of-range", test_out_of_range);
    harness_add("/ide-hd/unsupported", test_unsupported);
    harness_add("/ide-hd/misc-commands", test_misc_commands);
    harness_add("/ide-hd/set-features", test_set_features);
    harness_add("/ide-hd/flush", test_flush);
    harness_add("/ide-hd/trim", test_trim);
    harness_add("/ide-hd/dma/rw", test_dma_rw);
    harness_add("/ide-hd/diagnostic", test_diagnostic);
    harness_add("/ide-hd/irq", test_irq);
    harness_add("/ide-hd/werror/stop", test_werror_stop);
    harness_add("/ide-hd/rerror/ignore-report", test_rerror_report_ignore);
    harness_add("/ide-hd/no-drives", test_no_drives);
    return harness_run(argc, argv);
}
