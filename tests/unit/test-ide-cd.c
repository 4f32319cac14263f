/*
 * test-ide-cd.c - "ide-cd" and its ATAPI packet commands (hw/ide/atapi.c),
 * driven through the task-file registers as a guest would.
 */
#include "util/osdep.h"
#include "ide-helper.h"

#define CD_SECTORS 64                           /* of 2048 bytes */

static IdeFx fx;

static void cd_setup(bool medium)
{
    ide_fx_init(&fx);
    if (medium) {
        ide_fx_drive_full(&fx, "cd0", CD_SECTORS * 2048, false, true);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-cd", "drive=cd0",
                                                &error_abort));
    } else {
        CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-cd", "",
                                                &error_abort));
    }
}

/*
 * Send @pkt by PIO with byte count limit @bcl and read the reply into
 * @buf (at most @max bytes).  Returns the number of bytes read; the
 * final status is in *@status.
 */
static int atapi(const uint8_t *pkt, uint16_t bcl, uint8_t *buf, int max,
                 uint8_t *status)
{
    int got = 0;

    ata_w(&fx, ATA_IOPORT_WR_DEVICE_HEAD, 0);
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0);
    ata_w(&fx, ATA_IOPORT_WR_CYLINDER_LOW, bcl & 0xff);
    ata_w(&fx, ATA_IOPORT_WR_CYLINDER_HIGH, bcl >> 8);
    ata_cmd(&fx, WIN_PACKETCMD);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    /* interrupt reason: command packet expected */
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_COUNT) & 3,
                    ATAPI_INT_REASON_CD);
    ata_pio_out(&fx, pkt, ATAPI_PACKET_SIZE, false);
    for (;;) {
        int n;

        CU_ASSERT_TRUE(ide_fx_wait(&fx));
        if (!(ata_altstatus(&fx) & DRQ_STAT)) {
            break;
        }
        CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_SECTOR_COUNT) & 3,
                        ATAPI_INT_REASON_IO);
        n = ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW) |
            (ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH) << 8);
        CU_ASSERT_TRUE(n <= (bcl & ~1) || bcl == 0xffff);
        CU_ASSERT_FATAL(got + n <= max);
        ata_pio_in(&fx, buf + got, n, false);
        got += n;
    }
    *status = ata_r(&fx, ATA_IOPORT_RR_STATUS);
    return got;
}

static void pkt_simple(uint8_t *pkt, uint8_t op)
{
    memset(pkt, 0, ATAPI_PACKET_SIZE);
    pkt[0] = op;
}

/* REQUEST SENSE: the key and ASC */
static void sense(int *key, int *asc)
{
    uint8_t pkt[12], buf[32], st;

    pkt_simple(pkt, GPCMD_REQUEST_SENSE);
    pkt[4] = 18;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 18);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(buf[0], 0xf0);
    *key = buf[2];
    *asc = buf[12];
}

/* A command that fails: CHECK CONDITION with @key/@asc. */
static void expect_check(const uint8_t *pkt, int key, int asc)
{
    uint8_t buf[4096], st;
    int k, a;

    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), key << 4);
    sense(&k, &a);
    CU_ASSERT_EQUAL(k, key);
    CU_ASSERT_EQUAL(a, asc);
}

static void test_identify(void)
{
    uint16_t id[256];
    g_autofree char *model = NULL;

    cd_setup(true);
    /* the ATAPI signature after reset */
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW), 0x14);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH), 0xeb);
    /* IDENTIFY DEVICE aborts, leaving the signature */
    ata_w(&fx, ATA_IOPORT_WR_CYLINDER_LOW, 0);
    ata_cmd(&fx, WIN_IDENTIFY);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW), 0x14);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH), 0xeb);
    /* IDENTIFY PACKET DEVICE */
    ata_cmd(&fx, WIN_PIDENTIFY);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | SEEK_STAT | DRQ_STAT);
    ata_pio_in(&fx, id, 512, false);
    CU_ASSERT_EQUAL(id[0], 0x85c0);
    model = ata_string(id, 27, 20);
    CU_ASSERT_STRING_EQUAL(model, "QEMU DVD-ROM");
    CU_ASSERT_EQUAL(id[49], (1 << 9) | (1 << 8));
    /* ATA-only commands abort */
    ata_lba28(&fx, 0, 0, 1);
    ata_cmd(&fx, WIN_WRITE);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    ata_cmd(&fx, WIN_READ);         /* ATA4: aborts, with the signature */
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH), 0xeb);
    /* EXECUTE DEVICE DIAGNOSTIC: status 0, no interrupt (QEMU) */
    ata_cmd(&fx, WIN_DIAGNOSE);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), 1);
    /* DEVICE RESET, allowed even while DRQ is set */
    ata_cmd(&fx, WIN_PACKETCMD);
    CU_ASSERT_TRUE(ata_altstatus(&fx) & DRQ_STAT);
    ata_cmd(&fx, WIN_DEVICE_RESET);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), 0);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_LOW), 0x14);
    /* overlapped PACKET is refused */
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 0x02);
    ata_cmd(&fx, WIN_PACKETCMD);
    CU_ASSERT_EQUAL(ata_altstatus(&fx), READY_STAT | ERR_STAT);
    ide_fx_done(&fx);
}

static void test_inquiry(void)
{
    uint8_t pkt[12], buf[256], st;

    cd_setup(true);
    pkt_simple(pkt, GPCMD_INQUIRY);
    pkt[4] = 96;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 36);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(buf[0], 0x05);
    CU_ASSERT_EQUAL(buf[1], 0x80);
    CU_ASSERT_EQUAL(buf[4], 31);
    CU_ASSERT_EQUAL(memcmp(buf + 8, "QEMU    QEMU DVD-ROM    2.5+", 28), 0);
    /* allocation length 6: 6 bytes */
    pkt[4] = 6;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 6);
    /* a small byte count limit splits the transfer */
    pkt[4] = 36;
    CU_ASSERT_EQUAL(atapi(pkt, 8, buf, sizeof(buf), &st), 36);
    CU_ASSERT_EQUAL(memcmp(buf + 16, "QEMU DVD-ROM", 12), 0);
    /* VPD page 0x83 */
    pkt[1] = 1;
    pkt[2] = 0x83;
    pkt[4] = 254;           /* (an odd length cannot end by 16-bit PIO) */
    CU_ASSERT_TRUE(atapi(pkt, 0xfffe, buf, sizeof(buf), &st) >= 24);
    CU_ASSERT_EQUAL(buf[1], 0x83);
    /* an unknown VPD page */
    pkt[2] = 0x42;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
    /* byte count limit 0 for a data command: ABRT at the ATA level */
    pkt[1] = 0;
    pkt[2] = 0;
    pkt[4] = 36;
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, sizeof(buf), &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | ERR_STAT);
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_ERROR), ABRT_ERR);
    ide_fx_done(&fx);
}

static void test_read(void)
{
    uint8_t pkt[12], st;
    g_autofree uint8_t *buf = g_malloc(4 * 2048);

    cd_setup(true);
    /* TEST UNIT READY */
    pkt_simple(pkt, GPCMD_TEST_UNIT_READY);
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, 0, &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    /* READ CAPACITY */
    pkt_simple(pkt, GPCMD_READ_CDVD_CAPACITY);
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, 64, &st), 8);
    CU_ASSERT_EQUAL(ldl_be_p_(buf), CD_SECTORS - 1);
    CU_ASSERT_EQUAL(ldl_be_p_(buf + 4), 2048);
    /* READ(10): sectors 2 and 3 (their 512-byte parts were filled 8..15) */
    pkt_simple(pkt, GPCMD_READ_10);
    pkt[5] = 2;
    pkt[8] = 2;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, 4 * 2048, &st), 2 * 2048);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(buf[0], 8);
    CU_ASSERT_EQUAL(buf[2048 + 1536], 15);
    /* READ(12), with a byte count limit smaller than a sector */
    pkt_simple(pkt, GPCMD_READ_12);
    pkt[5] = 1;
    pkt[9] = 1;
    CU_ASSERT_EQUAL(atapi(pkt, 1000, buf, 4 * 2048, &st), 2048);
    CU_ASSERT_EQUAL(buf[0], 4);
    CU_ASSERT_EQUAL(buf[2047], 7);
    /* zero length: nothing, success */
    pkt_simple(pkt, GPCMD_READ_10);
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, 0, &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    /* out of range: past the end, crossing the end, 32-bit wrap */
    pkt_simple(pkt, GPCMD_READ_10);
    pkt[5] = CD_SECTORS;
    pkt[8] = 1;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
    pkt[5] = CD_SECTORS - 1;
    pkt[8] = 2;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
    pkt_simple(pkt, GPCMD_READ_12);
    pkt[5] = 5;
    pkt[6] = pkt[7] = pkt[8] = pkt[9] = 0xff;   /* 5 + 0xffffffff wraps */
    expect_check(pkt, ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
    /* SEEK past the end */
    pkt_simple(pkt, GPCMD_SEEK);
    pkt[2] = 0x10;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OOR);
    /* unknown opcodes */
    pkt_simple(pkt, 0xff);
    expect_check(pkt, ILLEGAL_REQUEST, ASC_ILLEGAL_OPCODE);
    pkt_simple(pkt, GPCMD_WRITE_10);
    expect_check(pkt, ILLEGAL_REQUEST, ASC_ILLEGAL_OPCODE);
    ide_fx_done(&fx);
}

static void test_read_dma(void)
{
    uint8_t pkt[12];

    ide_fx_init(&fx);
    ide_fx_use_dma(&fx);
    ide_fx_drive_full(&fx, "cd0", CD_SECTORS * 2048, false, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ide_fx_add(&fx, "ide-cd", "drive=cd0",
                                            &error_abort));
    pkt_simple(pkt, GPCMD_READ_10);
    pkt[5] = 3;
    pkt[8] = 2;
    ata_w(&fx, ATA_IOPORT_WR_FEATURES, 1);          /* DMA */
    ata_cmd(&fx, WIN_PACKETCMD);
    ata_pio_out(&fx, pkt, ATAPI_PACKET_SIZE, false);
    CU_ASSERT_TRUE(fx.dma_active);
    ide_fx_dma_go(&fx, 0x4000, 2 * 2048);
    CU_ASSERT_TRUE(ide_fx_wait_dma(&fx));
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_STATUS), READY_STAT | SEEK_STAT);
    CU_ASSERT_EQUAL(fx.ram_ptr[0x4000], 12);
    CU_ASSERT_EQUAL(fx.ram_ptr[0x4000 + 2 * 2048 - 1], 19);
    ide_fx_done(&fx);
}

static void test_sense_and_pages(void)
{
    uint8_t pkt[12], buf[512], st;

    cd_setup(true);
    /* MODE SENSE(10), capabilities page */
    pkt_simple(pkt, GPCMD_MODE_SENSE_10);
    pkt[2] = 0x2a;
    pkt[8] = 64;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 30);
    CU_ASSERT_EQUAL(buf[8], 0x2a);
    CU_ASSERT_EQUAL(buf[14] & 2, 0);                /* not locked */
    /* saved values: not supported */
    pkt[2] = 0xc0 | 0x2a;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_SAVING_PARAMETERS_NOT_SUPPORTED);
    pkt[2] = 0x3f;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
    /* GET CONFIGURATION: current profile CD-ROM */
    pkt_simple(pkt, GPCMD_GET_CONFIGURATION);
    pkt[8] = 32;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 20);
    CU_ASSERT_EQUAL((buf[6] << 8) | buf[7], 0x0008);
    pkt[3] = 1;
    expect_check(pkt, ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
    /* GET EVENT STATUS NOTIFICATION, polled, media class */
    pkt_simple(pkt, GPCMD_GET_EVENT_STATUS_NOTIFICATION);
    pkt[1] = 1;
    pkt[4] = 1 << 4;
    pkt[8] = 8;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 8);
    CU_ASSERT_EQUAL(buf[2], 4);
    CU_ASSERT_EQUAL(buf[5], 2);                     /* media present */
    pkt[1] = 0;                                     /* async: refused */
    expect_check(pkt, ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
    /* READ TOC: one track, lead-out at the capacity */
    pkt_simple(pkt, GPCMD_READ_TOC_PMA_ATIP);
    pkt[8] = 100;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 20);
    CU_ASSERT_EQUAL(buf[6], 1);
    CU_ASSERT_EQUAL(buf[14], 0xaa);
    CU_ASSERT_EQUAL(ldl_be_p_(buf + 16), CD_SECTORS);
    pkt[6] = 5;                                     /* no such track */
    expect_check(pkt, ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CMD_PACKET);
    /* PREVENT MEDIUM REMOVAL, then eject: refused */
    pkt_simple(pkt, GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL);
    pkt[4] = 1;
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, 0, &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    CU_ASSERT_TRUE(blk_dev_is_medium_locked(fx.blk[0]));
    pkt_simple(pkt, GPCMD_START_STOP_UNIT);
    pkt[4] = 2;                                     /* eject */
    expect_check(pkt, NOT_READY, ASC_MEDIA_REMOVAL_PREVENTED);
    /* allow, eject: the tray opens, the medium is "gone" */
    pkt_simple(pkt, GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL);
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, 0, &st), 0);
    pkt_simple(pkt, GPCMD_START_STOP_UNIT);
    pkt[4] = 2;
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, 0, &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    CU_ASSERT_TRUE(blk_dev_is_tray_open(fx.blk[0]));
    pkt_simple(pkt, GPCMD_TEST_UNIT_READY);
    expect_check(pkt, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    /* load */
    pkt_simple(pkt, GPCMD_START_STOP_UNIT);
    pkt[4] = 3;
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, 0, &st), 0);
    pkt_simple(pkt, GPCMD_TEST_UNIT_READY);
    CU_ASSERT_EQUAL(atapi(pkt, 0, buf, 0, &st), 0);
    CU_ASSERT_EQUAL(st, READY_STAT | SEEK_STAT);
    ide_fx_done(&fx);
}

static void test_no_medium(void)
{
    uint8_t pkt[12], buf[512], st;
    int key, asc;

    cd_setup(false);
    CU_ASSERT_FALSE(blk_is_inserted(fx.bus->ifs[0].blk));
    /* the drive answers */
    CU_ASSERT_EQUAL(ata_r(&fx, ATA_IOPORT_RR_CYLINDER_HIGH), 0xeb);
    pkt_simple(pkt, GPCMD_INQUIRY);
    pkt[4] = 36;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 36);
    /* but has nothing to read */
    pkt_simple(pkt, GPCMD_TEST_UNIT_READY);
    expect_check(pkt, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    pkt_simple(pkt, GPCMD_READ_CDVD_CAPACITY);
    expect_check(pkt, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    pkt_simple(pkt, GPCMD_READ_10);
    pkt[8] = 1;
    expect_check(pkt, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    pkt_simple(pkt, GPCMD_READ_TOC_PMA_ATIP);
    pkt[8] = 12;
    expect_check(pkt, NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    /* GESN: no medium */
    pkt_simple(pkt, GPCMD_GET_EVENT_STATUS_NOTIFICATION);
    pkt[1] = 1;
    pkt[4] = 1 << 4;
    pkt[8] = 8;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 8);
    CU_ASSERT_EQUAL(buf[5], 0);
    /* GET CONFIGURATION: no current profile */
    pkt_simple(pkt, GPCMD_GET_CONFIGURATION);
    pkt[8] = 32;
    CU_ASSERT_EQUAL(atapi(pkt, 0xfffe, buf, sizeof(buf), &st), 20);
    CU_ASSERT_EQUAL((buf[6] << 8) | buf[7], 0);
    /* REQUEST SENSE keeps the last error */
    sense(&key, &asc);
    CU_ASSERT_EQUAL(key, NOT_READY);
    /* FLUSH CACHE is fine without a medium? (QEMU: flushes the backend) */
    ata_cmd(&fx, WIN_FLUSH_CACHE);
    CU_ASSERT_TRUE(ide_fx_wait(&fx));
    ide_fx_done(&fx);
}

int main(int argc, char **argv)
{
    if (ide_fx_main_init() < 0) {
        return harness_run(argc, argv);
    }
    harness_add("/ide-cd/identify", test_identify);
    harness_add("/ide-cd/inquiry", test_inquiry);
    harness_add("/ide-cd/read", test_read);
    harness_add("/ide-cd/read-dma", test_read_dma);
    harness_add("/ide-cd/sense-and-pages", test_sense_and_pages);
    harness_add("/ide-cd/no-medium", test_no_medium);
    return harness_run(argc, argv);
}
