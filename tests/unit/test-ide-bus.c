/*
 * test-ide-bus.c - the IDE bus "IDE" (hw/ide/ide-bus.c) and the placement
 * and checks of ide-device (hw/ide/ide-device.c): unit numbering, QEMU's
 * errors, removal.
 */
#include "util/osdep.h"
#include "ide-helper.h"

static IdeFx fx;

static void expect_error(const char *type, const char *props,
                         const char *msg)
{
    Error *err = NULL;

    CU_ASSERT_PTR_NULL(ide_fx_add(&fx, type, props, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (strcmp(error_get_pretty(err), msg)) {
        printf("\n  got \"%s\"\n  expected \"%s\"\n", error_get_pretty(err),
               msg);
    }
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), msg);
    error_free(err);
}

static void test_units(void)
{
    DeviceState *a, *b;
    uint32_t unit;

    ide_fx_init(&fx);
    CU_ASSERT_TRUE(g_str_has_prefix(fx.bus->qbus.name, "ide."));
    ide_fx_drive(&fx, "d0", 1 << 20);
    ide_fx_drive(&fx, "d1", 1 << 20);
    ide_fx_drive(&fx, "d2", 1 << 20);
    /* the first device is the master, the next the slave */
    a = ide_fx_add(&fx, "ide-hd", "drive=d0", &error_abort);
    b = ide_fx_add(&fx, "ide-cd", "", &error_abort);
    unit = object_property_get_uint(OBJECT(a), "unit", &error_abort);
    CU_ASSERT_EQUAL(unit, 0);
    unit = object_property_get_uint(OBJECT(b), "unit", &error_abort);
    CU_ASSERT_EQUAL(unit, 1);
    CU_ASSERT_PTR_EQUAL(fx.bus->master, IDE_DEVICE(a));
    CU_ASSERT_PTR_EQUAL(fx.bus->slave, IDE_DEVICE(b));
    CU_ASSERT_PTR_EQUAL(fx.bus->ifs[0].blk, fx.blk[0]);
    CU_ASSERT_EQUAL(fx.bus->ifs[1].drive_kind, IDE_CD);
    /* the bus is full */
    expect_error("ide-hd", "drive=d2", "IDE unit 1 is in use");
    expect_error("ide-hd", "drive=d2,unit=0", "IDE unit 0 is in use");
    expect_error("ide-hd", "drive=d2,unit=2",
                 "Can't create IDE unit 2, bus supports only 2 units");
    /* the failed devices released the drive */
    CU_ASSERT_PTR_NULL(blk_get_attached_dev(fx.blk[2]));
    /* a drive in use */
    expect_error("ide-hd", "drive=d0,unit=1",
                 "Drive 'd0' is already in use by another device");

    /* removing the slave frees its unit */
    object_unparent(OBJECT(b));
    fx.ndev--;
    CU_ASSERT_PTR_NULL(fx.bus->slave);
    CU_ASSERT_PTR_NULL(fx.bus->ifs[1].blk);
    CU_ASSERT_PTR_NOT_NULL(ide_fx_add(&fx, "ide-hd", "drive=d2",
                                      &error_abort));
    CU_ASSERT_PTR_EQUAL(fx.bus->ifs[1].blk, fx.blk[2]);
    ide_fx_done(&fx);
}

static void test_errors(void)
{
    BlockBackend *empty;

    ide_fx_init(&fx);
    ide_fx_drive_full(&fx, "ro", 1 << 20, false, true);
    ide_fx_drive(&fx, "d0", 1 << 20);
    expect_error("ide-hd", "", "No drive specified");
    expect_error("ide-hd", "drive=ro", "Block node is read-only");
    expect_error("ide-hd", "drive=nope",
                 "Property 'ide-hd.drive' can't find value 'nope'");
    expect_error("ide-hd", "drive=d0,logical_block_size=4096",
                 "logical_block_size > physical_block_size not supported");
    expect_error("ide-hd", "drive=d0,logical_block_size=4096,"
                 "physical_block_size=4096",
                 "discard_granularity must be a multiple of "
                 "logical_block_size");
    expect_error("ide-hd", "drive=d0,logical_block_size=4096,"
                 "physical_block_size=4096,discard_granularity=0",
                 "logical_block_size must be 512 for IDE");
    expect_error("ide-hd", "drive=d0,discard_granularity=4096",
                 "discard_granularity must be 512 for ide");
    expect_error("ide-hd", "drive=d0,heads=17,cyls=10,secs=10",
                 "heads must be between 1 and 16");
    expect_error("ide-hd", "drive=d0,write-cache=maybe",
                 "Parameter 'write-cache' does not accept value 'maybe'");
    expect_error("ide-hd", "drive=d0,werror=never",
                 "Parameter 'werror' does not accept value 'never'");
    /* an empty drive: fine for a CD-ROM, not for a disk */
    empty = blk_new_empty(BDRV_O_RDWR);
    CU_ASSERT_TRUE(monitor_add_blk(empty, "empty", &error_abort));
    expect_error("ide-hd", "drive=empty",
                 "Device needs media, but drive is empty");
    /* a read-only CD-ROM drive is fine */
    CU_ASSERT_PTR_NOT_NULL(ide_fx_add(&fx, "ide-cd", "drive=ro",
                                      &error_abort));
    CU_ASSERT_PTR_NOT_NULL(ide_fx_add(&fx, "ide-cd", "drive=empty",
                                      &error_abort));
    ide_fx_done(&fx);
    monitor_remove_blk(empty);
    blk_unref(empty);
}

static void test_properties(void)
{
    DeviceState *dev;
    g_autofree char *serial = NULL, *ver = NULL;

    ide_fx_init(&fx);
    ide_fx_drive(&fx, "d0", 16 << 20);
    dev = ide_fx_add(&fx, "ide-hd",
                     "drive=d0,cyls=100,heads=4,secs=32,bios-chs-trans=lba,"
                     "rerror=stop,werror=enospc,physical_block_size=4096",
                     &error_abort);
    CU_ASSERT_EQUAL(fx.bus->ifs[0].cylinders, 100);
    CU_ASSERT_EQUAL(fx.bus->ifs[0].heads, 4);
    CU_ASSERT_EQUAL(fx.bus->ifs[0].sectors, 32);
    CU_ASSERT_EQUAL(ide_get_bios_chs_trans(&fx.bus->qbus, 0),
                    BIOS_ATA_TRANSLATION_LBA);
    CU_ASSERT_EQUAL(blk_get_on_error(fx.blk[0], true),
                    BLOCKDEV_ON_ERROR_STOP);
    CU_ASSERT_EQUAL(blk_get_on_error(fx.blk[0], false),
                    BLOCKDEV_ON_ERROR_ENOSPC);
    /* serial and ver read back what the drive got */
    serial = object_property_get_str(OBJECT(dev), "serial", &error_abort);
    ver = object_property_get_str(OBJECT(dev), "ver", &error_abort);
    CU_ASSERT_TRUE(g_str_has_prefix(serial, "QM"));
    CU_ASSERT_STRING_EQUAL(ver, "2.5+");
    {
        int16_t c;
        int8_t h, s;

        CU_ASSERT_EQUAL(ide_get_geometry(&fx.bus->qbus, 0, &c, &h, &s), 0);
        CU_ASSERT_EQUAL(c, 100);
        CU_ASSERT_EQUAL(ide_get_geometry(&fx.bus->qbus, 1, &c, &h, &s), -1);
    }
    /* IDENTIFY word 106: 8 logical sectors per physical */
    {
        uint16_t id[256];

        ata_cmd(&fx, WIN_IDENTIFY);
        ata_pio_in(&fx, id, 512, false);
        CU_ASSERT_EQUAL(id[106], 0x6000 | 3);
        CU_ASSERT_EQUAL(id[1], 100);
        CU_ASSERT_EQUAL(id[169], 1);        /* TRIM supported */
    }
    ide_fx_done(&fx);
}

static void test_reset(void)
{
    ide_fx_init(&fx);
    ide_fx_drive(&fx, "d0", 1 << 20);
    ide_fx_add(&fx, "ide-hd", "drive=d0", &error_abort);
    /* a controller reset in the middle of a transfer */
    ata_lba28(&fx, 0, 1, 2);
    ata_cmd(&fx, WIN_READ);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    CU_ASSERT_TRUE(ata_altstatus(&fx) & DRQ_STAT);
    ide_ctrl_write(fx.bus, 0, IDE_CTRL_DISABLE_IRQ);
    ide_bus_reset(fx.bus);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(fx.bus->cmd, 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_COUNT), 1);
    CU_ASSERT_EQUAL(ide_data_readw(fx.bus, 0), 0);
    ide_fx_done(&fx);
}

int main(int argc, char **argv)
{
    if (ide_fx_main_init() < 0) {
        return harness_run(argc, argv);
    }
    harness_add("/ide-bus/units", test_units);
    harness_add("/ide-bus/errors", test_errors);
    harness_add("/ide-bus/properties", test_properties);
    harness_add("/ide-bus/reset", test_reset);
    return harness_run(argc, argv);
}
