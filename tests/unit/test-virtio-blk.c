/*
 * test-virtio-blk.c - "virtio-blk-device" (hw/virtio/virtio-blk.c) with
 * the real virtio core, on the fake transport of virtio-fake.h (a RAM
 * address space the test plays the driver in), over a raw image behind a
 * blkdebug node: every request type, bad sector ranges, malformed chains,
 * unsupported types, the write cache switch, werror=stop and restart,
 * batched completions with one notification, and a second queue.
 *
 * Layout (queue n at n * 0x4000): desc 0x1000, avail 0x2000, used 0x3000;
 * request headers at 0x8000 + 32 * i, status bytes at 0x9000 + i, data
 * from 0x10000 (the second RAM region).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "block/aio.h"
#include "block/blkdebug.h"
#include "system/runstate.h"
#include "hw/virtio/virtio-blk.h"
#include "block-helper.h"
#include "virtio-fake.h"

#define DESC    0x1000
#define AVAIL   0x2000
#define USED    0x3000
#define HDR     0x8000
#define STATUS  0x9000
#define DATA    0x10000
#define QSZ     16
#define DISK    (1 << 20)               /* image size: 2048 sectors */

#define FEAT(b) (1ULL << (b))

static uint16_t ldw_le(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t ldl_le(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t ldq_le(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static DeviceState *proxy;
static VirtIODevice *vdev;
static VirtIOBlock *vblk;
static BlockBackend *blk;
static BlockDriverState *dbg;
static char *img_path;
static TvRing rings[2];
static GString *errors;
static unsigned next_desc[2];
static const char *dbg_extra = "";      /* more blkdebug options */

static void capture(const char *text, void *opaque)
{
    g_string_append(errors, text);
}

/* The device on a raw image (pattern seed 3) behind blkdebug; @props are
 * "name=value" pairs for the device (NULL-terminated). */
static void fx_init_with(const char *const *props)
{
    const char *why;
    const char *dir = bt_dir_tmpfs(&why);
    g_autofree char *spec = NULL;
    BusState *bus;
    DeviceState *dev;

    if (!dir) {
        dir = g_get_tmp_dir();
    }
    img_path = bt_image(dir, "vblk.img", DISK, 3);
    spec = g_strdup_printf("driver=raw,file.driver=blkdebug,"
                           "file.image.driver=file,file.image.filename=%s%s",
                           img_path, dbg_extra);
    blk = blk_new_open(NULL, bt_opts(spec), BDRV_O_RDWR, &error_abort);
    dbg = bdrv_file_bs(blk_bs(blk));
    CU_ASSERT_STRING_EQUAL(bdrv_get_format_name(dbg), "blkdebug");
    CU_ASSERT_TRUE(monitor_add_blk(blk, "vd0", &error_abort));

    tv_space_init();
    proxy = qdev_new(TYPE_TV_PROXY);
    object_property_add_child(container_get(object_get_root(), "/test"),
                              "proxy", OBJECT(proxy));
    object_unref(proxy);
    qdev_realize(proxy, NULL, &error_abort);
    bus = qbus_new(TYPE_TV_BUS, proxy, "tv-bus.0");
    dev = qdev_new(TYPE_VIRTIO_BLK);
    object_property_parse(OBJECT(dev), "drive", "vd0", &error_abort);
    object_property_parse(OBJECT(dev), "queue-size", "16", &error_abort);
    for (int i = 0; props && props[i]; i += 2) {
        object_property_parse(OBJECT(dev), props[i], props[i + 1],
                              &error_abort);
    }
    qdev_realize_and_unref(dev, bus, &error_abort);
    vdev = VIRTIO_DEVICE(dev);
    vblk = VIRTIO_BLK(dev);
    /* the fake transport is legacy: offer what a modern one would */
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_BLK_F_SCSI));
    vdev->host_features |= FEAT(VIRTIO_F_VERSION_1);
    vdev->host_features &= ~FEAT(VIRTIO_BLK_F_SCSI);
    tv_notifies = 0;
    for (int q = 0; q < 2; q++) {
        rings[q] = (TvRing){ .desc = DESC + q * 0x4000,
                             .avail = AVAIL + q * 0x4000,
                             .used = USED + q * 0x4000, .num = QSZ };
        next_desc[q] = 0;
    }
    g_string_truncate(errors, 0);
    error_report_set_sink(capture, NULL);
}

static void fx_init(void)
{
    fx_init_with(NULL);
}

static void fx_done(void)
{
    error_report_set_sink(NULL, NULL);
    object_unparent(container_get(object_get_root(), "/test"));
    /* the batch bottom half holds a reference until it ran */
    while (aio_poll(qemu_get_aio_context(), false)) {
    }
    tv_space_done();
    monitor_remove_blk(blk);
    blk_unref(blk);
    unlink(img_path);
    g_free(img_path);
}

/* The driver: @features, queues 0..nq-1 set up, DRIVER_OK. */
static void drv_setup(uint64_t features, int nq)
{
    memset(tv_ram(0), 0, 0x10000);
    for (int q = 0; q < nq; q++) {
        rings[q].avail_idx = 0;
    }
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    CU_ASSERT_EQUAL(virtio_set_features(vdev, features), 0);
    CU_ASSERT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK), 0);
    for (int q = 0; q < nq; q++) {
        virtio_queue_set_num(vdev, q, QSZ);
        virtio_queue_set_rings(vdev, q, rings[q].desc, rings[q].avail,
                               rings[q].used);
    }
    CU_ASSERT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK |
                                      VIRTIO_CONFIG_S_DRIVER_OK), 0);
}

#define MODERN (FEAT(VIRTIO_F_VERSION_1) | FEAT(VIRTIO_BLK_F_CONFIG_WCE) | \
                FEAT(VIRTIO_BLK_F_FLUSH) | FEAT(VIRTIO_BLK_F_DISCARD) |   \
                FEAT(VIRTIO_BLK_F_WRITE_ZEROES))

/* A chain: header (@hdr_len bytes), data (@len bytes at @data, device
 * writes it if @dev_writes), status (@status_len bytes); either of the
 * lengths 0 leaves that descriptor out.  Returns the head. */
static uint16_t post(int q, int slot, uint32_t type, uint64_t sector,
                     uint32_t hdr_len, hwaddr data, uint32_t len,
                     bool dev_writes, uint32_t status_len)
{
    TvRing *r = &rings[q];
    hwaddr hdr = HDR + 32 * slot + q * 0x800;
    hwaddr status = STATUS + slot + q * 0x80;
    uint16_t head = next_desc[q];
    uint16_t d = head;
    uint8_t h[16];
    uint16_t descs[3];
    int n = 0;

    memcpy(h, &type, 4);
    memset(h + 4, 0, 4);
    memcpy(h + 8, &sector, 8);
    memcpy(tv_ram(hdr), h, 16);
    *tv_ram(status) = 0xee;
    if (hdr_len) {
        descs[n++] = d;
        tv_desc(r, r->desc, d++ % QSZ, hdr, hdr_len, 0, 0);
    }
    if (len) {
        descs[n++] = d;
        tv_desc(r, r->desc, d++ % QSZ, data, len,
                dev_writes ? VRING_DESC_F_WRITE : 0, 0);
    }
    if (status_len) {
        descs[n++] = d;
        tv_desc(r, r->desc, d++ % QSZ, status, status_len,
                VRING_DESC_F_WRITE, 0);
    }
    /* link them */
    for (int i = 0; i + 1 < n; i++) {
        uint8_t *p = tv_ram(r->desc + 16 * (descs[i] % QSZ));
        uint16_t flags, next = descs[i + 1] % QSZ;

        memcpy(&flags, p + 12, 2);
        flags |= VRING_DESC_F_NEXT;
        memcpy(p + 12, &flags, 2);
        memcpy(p + 14, &next, 2);
    }
    next_desc[q] = d;
    tv_avail_add(r, head % QSZ);
    return head % QSZ;
}

static uint8_t status_of(int q, int slot)
{
    return *tv_ram(STATUS + slot + q * 0x80);
}

/* Kick queue @q and run the block layer until @n more used entries. */
static bool kick_wait(int q, uint16_t n)
{
    uint16_t want = tv_used_idx(&rings[q]) + n;

    bql_lock();
    virtio_queue_notify(vdev, q);
    for (int i = 0; i < 20000 && tv_used_idx(&rings[q]) != want; i++) {
        blk_drain(blk);
        aio_poll(qemu_get_aio_context(), false);
    }
    bql_unlock();
    return tv_used_idx(&rings[q]) == want;
}

/* One request, kicked and completed: its status. */
static uint8_t run1(uint32_t type, uint64_t sector, hwaddr data, uint32_t len,
                    bool dev_writes)
{
    post(0, 0, type, sector, 16, data, len, dev_writes, 1);
    CU_ASSERT_TRUE(kick_wait(0, 1));
    return status_of(0, 0);
}

/* --- reads, writes, flush, get-id ------------------------------------- */

static void test_rw(void)
{
    g_autofree uint8_t *file = NULL;
    uint32_t id, len;

    fx_init();
    drv_setup(MODERN, 1);
    /* read 8 sectors at sector 4: the image's pattern */
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 4, DATA, 4096, true),
                    VIRTIO_BLK_S_OK);
    CU_ASSERT_TRUE(bt_check_pattern(tv_ram(DATA), 4 * 512, 4096, 3));
    tv_used_elem(&rings[0], 0, &id, &len);
    CU_ASSERT_EQUAL(len, 4096 + 1);     /* data + status */
    /* write 2 sectors at sector 100 */
    memset(tv_ram(DATA), 0x5a, 1024);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_OUT, 100, DATA, 1024, false),
                    VIRTIO_BLK_S_OK);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false),
                    VIRTIO_BLK_S_OK);
    file = bt_file_read(img_path, 100 * 512, 1024);
    CU_ASSERT_EQUAL(file[0], 0x5a);
    CU_ASSERT_EQUAL(file[1023], 0x5a);
    /* and read back */
    memset(tv_ram(DATA), 0, 1024);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 100, DATA, 1024, true),
                    VIRTIO_BLK_S_OK);
    CU_ASSERT_EQUAL(tv_ram(DATA)[511], 0x5a);
    /* the last sector is fine, one past it is not */
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, DISK / 512 - 1, DATA, 512, true),
                    VIRTIO_BLK_S_OK);
    fx_done();
}

static void test_get_id(void)
{
    static const char *const props[] = {
        "serial", "QOMU-0123456789abcdefXYZ", NULL
    };

    fx_init_with(props);
    drv_setup(MODERN, 1);
    memset(tv_ram(DATA), 0xff, 32);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_GET_ID, 0, DATA, 32, true),
                    VIRTIO_BLK_S_OK);
    /* 20 bytes, no NUL when the serial is that long */
    CU_ASSERT_EQUAL(memcmp(tv_ram(DATA), "QOMU-0123456789abcde", 20), 0);
    CU_ASSERT_EQUAL(tv_ram(DATA)[20], 0xff);
    /* a short buffer gets what fits */
    memset(tv_ram(DATA), 0xff, 32);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_GET_ID, 0, DATA, 4, true),
                    VIRTIO_BLK_S_OK);
    CU_ASSERT_EQUAL(memcmp(tv_ram(DATA), "QOMU", 4), 0);
    CU_ASSERT_EQUAL(tv_ram(DATA)[4], 0xff);
    fx_done();

    /* no serial: an empty string */
    fx_init();
    drv_setup(MODERN, 1);
    memset(tv_ram(DATA), 0xff, 32);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_GET_ID, 0, DATA, 32, true),
                    VIRTIO_BLK_S_OK);
    CU_ASSERT_EQUAL(tv_ram(DATA)[0], 0);
    CU_ASSERT_EQUAL(tv_ram(DATA)[1], 0xff);
    fx_done();
}

/* --- discard and write zeroes ----------------------------------------- */

static void put_dwz(hwaddr at, uint64_t sector, uint32_t num, uint32_t flags)
{
    memcpy(tv_ram(at), &sector, 8);
    memcpy(tv_ram(at + 8), &num, 4);
    memcpy(tv_ram(at + 12), &flags, 4);
}

static void test_discard_write_zeroes(void)
{
    g_autofree uint8_t *file = NULL;

    fx_init();
    drv_setup(MODERN, 1);
    put_dwz(DATA, 10, 4, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA, 16, false),
                    VIRTIO_BLK_S_OK);
    file = bt_file_read(img_path, 10 * 512, 4 * 512);
    CU_ASSERT_TRUE(buffer_is_zero(file, 4 * 512));
    g_free(file);
    file = bt_file_read(img_path, 14 * 512, 512);
    CU_ASSERT_TRUE(bt_check_pattern(file, 14 * 512, 512, 3));

    put_dwz(DATA, 20, 8, 0);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_DISCARD, 0, DATA, 16, false),
                    VIRTIO_BLK_S_OK);
    /* discard with UNMAP, unknown flags: UNSUPP */
    put_dwz(DATA, 20, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_DISCARD, 0, DATA, 16, false),
                    VIRTIO_BLK_S_UNSUPP);
    put_dwz(DATA, 20, 8, 0x80);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA, 16, false),
                    VIRTIO_BLK_S_UNSUPP);
    /* two segments: UNSUPP (QEMU) */
    put_dwz(DATA, 20, 8, 0);
    put_dwz(DATA + 16, 30, 8, 0);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_DISCARD, 0, DATA, 32, false),
                    VIRTIO_BLK_S_UNSUPP);
    /* out of range, too many sectors, overflowing: IOERR */
    put_dwz(DATA, DISK / 512 - 2, 4, 0);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA, 16, false),
                    VIRTIO_BLK_S_IOERR);
    put_dwz(DATA, 0, 0x400000, 0);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_DISCARD, 0, DATA, 16, false),
                    VIRTIO_BLK_S_IOERR);
    put_dwz(DATA, UINT64_MAX - 1, 4, 0);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA, 16, false),
                    VIRTIO_BLK_S_IOERR);
    /* a header cut short breaks the device */
    CU_ASSERT_EQUAL(status_of(0, 0), VIRTIO_BLK_S_IOERR);
    post(0, 0, VIRTIO_BLK_T_DISCARD, 0, 16, DATA, 8, false, 1);
    bql_lock();
    virtio_queue_notify(vdev, 0);
    bql_unlock();
    CU_ASSERT_PTR_NOT_NULL(strstr(errors->str, "virtio-blk discard/"
                                  "write_zeroes header too short"));
    CU_ASSERT_TRUE(vdev->broken);
    fx_done();

    /* discard=off: served all the same (QEMU 7.2 does not look at the
     * feature; tests/guest/vblk-dwz.c compares it with QEMU) */
    {
        static const char *const props[] = { "discard", "off", NULL };

        fx_init_with(props);
        drv_setup(MODERN & ~FEAT(VIRTIO_BLK_F_DISCARD), 1);
        CU_ASSERT_EQUAL(vdev->config_len, VIRTIO_BLK_CFG_WZ_END);
        put_dwz(DATA, 20, 8, 0);
        CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_DISCARD, 0, DATA, 16, false),
                        VIRTIO_BLK_S_OK);
        fx_done();
    }
}

/* --- what the guest gets wrong ---------------------------------------- */

static void test_bad_ranges(void)
{
    fx_init();
    drv_setup(MODERN, 1);
    /* past the end, straddling it, wrapping */
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, DISK / 512, DATA, 512, true),
                    VIRTIO_BLK_S_IOERR);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_OUT, DISK / 512 - 1, DATA, 1024,
                         false), VIRTIO_BLK_S_IOERR);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, UINT64_MAX, DATA, 512, true),
                    VIRTIO_BLK_S_IOERR);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, UINT64_MAX - 1, DATA, 1024, true),
                    VIRTIO_BLK_S_IOERR);
    /* not whole sectors */
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_OUT, 0, DATA, 100, false),
                    VIRTIO_BLK_S_IOERR);
    /* unsupported types: UNSUPP; SCSI on a short chain: IOERR */
    CU_ASSERT_EQUAL(run1(0x12, 0, DATA, 512, true), VIRTIO_BLK_S_UNSUPP);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_SCSI_CMD, 0, DATA, 512, true),
                    VIRTIO_BLK_S_IOERR);
    CU_ASSERT_EQUAL(errors->len, 0);
    CU_ASSERT_FALSE(vdev->broken);
    fx_done();

    /* 4 KiB logical blocks: a 512-byte aligned request is not enough */
    {
        static const char *const props[] = {
            "logical_block_size", "4096", "physical_block_size", "4096",
            NULL
        };

        fx_init_with(props);
        drv_setup(MODERN, 1);
        CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 1, DATA, 4096, true),
                        VIRTIO_BLK_S_IOERR);
        CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 8, DATA, 512, true),
                        VIRTIO_BLK_S_IOERR);
        CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 8, DATA, 4096, true),
                        VIRTIO_BLK_S_OK);
        fx_done();
    }
}

static void expect_broken(const char *msg)
{
    bql_lock();
    virtio_queue_notify(vdev, 0);
    bql_unlock();
    if (!strstr(errors->str, msg)) {
        fprintf(stderr, "expected \"%s\", got \"%s\"\n", msg, errors->str);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(errors->str, msg));
    CU_ASSERT_TRUE(vdev->broken);
    CU_ASSERT_TRUE(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    /* a reset and the device works again */
    g_string_truncate(errors, 0);
    bql_lock();
    virtio_reset(vdev);
    bql_unlock();
    next_desc[0] = 0;
    drv_setup(MODERN, 1);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 0, DATA, 512, true),
                    VIRTIO_BLK_S_OK);
}

static void test_bad_chains(void)
{
    fx_init();
    drv_setup(MODERN, 1);
    /* header shorter than 16 bytes */
    post(0, 0, VIRTIO_BLK_T_IN, 0, 8, DATA, 512, true, 1);
    expect_broken("virtio-blk request outhdr too short");
    /* no status byte: nothing the device may write */
    post(0, 0, VIRTIO_BLK_T_OUT, 0, 16, DATA, 512, false, 0);
    expect_broken("virtio-blk missing headers");
    /* nothing to read */
    post(0, 0, VIRTIO_BLK_T_IN, 0, 0, DATA, 512, true, 1);
    expect_broken("virtio-blk missing headers");
    CU_ASSERT_EQUAL(errors->len, 0);
    fx_done();
}

/* --- config, write cache ---------------------------------------------- */

static void test_config_wce(void)
{
    uint8_t cfg[64];

    fx_init();
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_BLK_F_CONFIG_WCE));
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_BLK_F_FLUSH));
    CU_ASSERT_FALSE(virtio_host_has_feature(vdev, VIRTIO_BLK_F_MQ));
    CU_ASSERT_EQUAL(vdev->config_len, VIRTIO_BLK_CFG_WZ_END);
    for (unsigned i = 0; i < vdev->config_len; i++) {
        cfg[i] = virtio_config_readb(vdev, i);
    }
    CU_ASSERT_EQUAL(ldq_le(cfg), DISK / 512);             /* capacity */
    CU_ASSERT_EQUAL(ldl_le(cfg + 12), QSZ - 2);           /* seg_max */
    CU_ASSERT_EQUAL(ldl_le(cfg + 20), 512);               /* blk_size */
    CU_ASSERT_EQUAL(cfg[32], 1);                          /* wce */
    CU_ASSERT_EQUAL(ldl_le(cfg + 36), 4194303);           /* max discard */
    CU_ASSERT_EQUAL(ldl_le(cfg + 48), 4194303);           /* max wz */
    CU_ASSERT_EQUAL(cfg[56], 1);
    CU_ASSERT_EQUAL(ldw_le(cfg + 16), 2);                 /* cylinders */
    /* the driver switches the cache off and on (CONFIG_WCE) */
    drv_setup(MODERN, 1);
    virtio_config_writeb(vdev, 32, 0);
    CU_ASSERT_FALSE(blk_enable_write_cache(blk));
    CU_ASSERT_EQUAL(virtio_config_readb(vdev, 32), 0);
    virtio_config_writeb(vdev, 32, 1);
    CU_ASSERT_TRUE(blk_enable_write_cache(blk));
    /* without CONFIG_WCE, the FLUSH feature decides at DRIVER_OK */
    bql_lock();
    virtio_reset(vdev);
    bql_unlock();
    drv_setup(FEAT(VIRTIO_F_VERSION_1), 1);
    CU_ASSERT_FALSE(blk_enable_write_cache(blk));
    bql_lock();
    virtio_reset(vdev);                 /* back to the drive's setting */
    bql_unlock();
    CU_ASSERT_TRUE(blk_enable_write_cache(blk));
    fx_done();
}

/* --- werror=stop ------------------------------------------------------ */

static void test_werror_stop(void)
{
    static const char *const props[] = { "werror", "stop", NULL };
    g_autofree uint8_t *file = NULL;

    fx_init_with(props);
    drv_setup(MODERN, 1);
    runstate_set(RUN_STATE_RUNNING);
    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_WRITE, EIO, -1, -1, true);
    memset(tv_ram(DATA), 0x77, 512);
    post(0, 0, VIRTIO_BLK_T_OUT, 50, 16, DATA, 512, false, 1);
    CU_ASSERT_FALSE(kick_wait(0, 1));   /* kept, not completed */
    CU_ASSERT_EQUAL(status_of(0, 0), 0xee);
    CU_ASSERT_PTR_NOT_NULL(vblk->rq);
    CU_ASSERT_EQUAL(blk_iostatus(blk), BLOCK_DEVICE_IO_STATUS_FAILED);
    /* the stop request runs from the main loop */
    bql_lock();
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_IO_ERROR);
    /* cont: the request is issued again and completes */
    vm_start();
    bql_unlock();
    CU_ASSERT_TRUE(kick_wait(0, 1));
    CU_ASSERT_EQUAL(status_of(0, 0), VIRTIO_BLK_S_OK);
    CU_ASSERT_PTR_NULL(vblk->rq);
    file = bt_file_read(img_path, 50 * 512, 512);
    CU_ASSERT_EQUAL(file[0], 0x77);
    runstate_set(RUN_STATE_PRELAUNCH);
    fx_done();
}

static void test_rerror_report(void)
{
    fx_init();
    drv_setup(MODERN, 1);
    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_READ, EIO, -1, -1, true);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 0, DATA, 512, true),
                    VIRTIO_BLK_S_IOERR);
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 0, DATA, 512, true),
                    VIRTIO_BLK_S_OK);
    fx_done();
}

/* --- batching and queues ---------------------------------------------- */

/* Slots 0..@n-1's 1 KiB reads (data at DATA + i KiB) completed OK, each
 * with the data of its own sector @sectors[i]. */
static void assert_reads_ok(const uint64_t *sectors, int n)
{
    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), VIRTIO_BLK_S_OK);
        CU_ASSERT_TRUE(bt_check_pattern(tv_ram(DATA + i * 1024),
                                        sectors[i] * 512, 1024, 3));
    }
}

static void test_batch(void)
{
    static const uint64_t sectors[] = { 0, 2, 4, 121, 128 };

    fx_init();
    drv_setup(MODERN | FEAT(VIRTIO_RING_F_EVENT_IDX), 1);
    /* five reads (three adjacent: merged) and a write, one kick */
    for (int i = 0; i < 5; i++) {
        post(0, i, VIRTIO_BLK_T_IN, sectors[i], 16, DATA + i * 1024, 1024,
             true, 1);
    }
    tv_notifies = 0;
    CU_ASSERT_TRUE(kick_wait(0, 5));
    assert_reads_ok(sectors, 5);
    /* one notification for the batch */
    CU_ASSERT_EQUAL(tv_notifies, 1);
    fx_done();
}

/* --- request merging (QEMU's virtio_blk_submit_multireq) ------------- */

/* Post @n 1 KiB requests of @type at sectors @sectors[i] (slot i, data
 * DATA + i KiB) and kick once; returns the blkdebug count of @iotype
 * requests they made. */
static unsigned merge_run(uint32_t type, const uint64_t *sectors, int n,
                          BlkdebugIOType iotype)
{
    unsigned before = blkdebug_request_count(dbg, iotype);

    for (int i = 0; i < n; i++) {
        post(0, i, type, sectors[i], 16, DATA + i * 1024, 1024,
             type == VIRTIO_BLK_T_IN, 1);
    }
    CU_ASSERT_TRUE(kick_wait(0, n));
    return blkdebug_request_count(dbg, iotype) - before;
}

static void test_merge(void)
{
    /* out of order: sorted into a run of 4 adjacent ones and a loner */
    static const uint64_t rd[] = { 6, 0, 2, 40, 4 };
    /* 3 + 2 adjacent */
    static const uint64_t wr[] = { 82, 54, 50, 80, 52 };
    g_autofree uint8_t *file = NULL;
    unsigned reads;

    fx_init();
    drv_setup(MODERN, 1);
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_IN, rd, 5,
                              BLKDEBUG_IO_TYPE_READ), 2);
    assert_reads_ok(rd, 5);
    /* writes too: each lands where its own header says */
    for (int i = 0; i < 5; i++) {
        memset(tv_ram(DATA + i * 1024), 0x10 + i, 1024);
    }
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_OUT, wr, 5,
                              BLKDEBUG_IO_TYPE_WRITE), 2);
    file = bt_file_read(img_path, 0, DISK);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), VIRTIO_BLK_S_OK);
        CU_ASSERT_EQUAL(file[wr[i] * 512], 0x10 + i);
        CU_ASSERT_EQUAL(file[wr[i] * 512 + 1023], 0x10 + i);
    }
    CU_ASSERT_TRUE(bt_check_pattern(file + 56 * 512, 56 * 512, 512, 3));
    /* a write then an adjacent read: the direction changes, no merge */
    reads = blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_READ);
    post(0, 0, VIRTIO_BLK_T_OUT, 200, 16, DATA, 1024, false, 1);
    post(0, 1, VIRTIO_BLK_T_IN, 202, 16, DATA + 1024, 1024, true, 1);
    CU_ASSERT_TRUE(kick_wait(0, 2));
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_READ),
                    reads + 1);
    CU_ASSERT_TRUE(bt_check_pattern(tv_ram(DATA + 1024), 202 * 512, 1024,
                                    3));
    fx_done();
}

static void test_merge_off(void)
{
    static const char *const props[] = { "request-merging", "off", NULL };
    static const uint64_t sectors[] = { 0, 2, 4, 6 };

    fx_init_with(props);
    drv_setup(MODERN, 1);
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_IN, sectors, 4,
                              BLKDEBUG_IO_TYPE_READ), 4);
    assert_reads_ok(sectors, 4);
    fx_done();
}

/* The node's max_transfer (blkdebug max-transfer=) bounds a merge. */
static void test_merge_max_transfer(void)
{
    static const uint64_t sectors[] = { 0, 2, 4, 6, 8 };

    dbg_extra = ",file.max-transfer=2048";
    fx_init();
    dbg_extra = "";
    CU_ASSERT_EQUAL(blk_get_max_transfer(blk), 2048);
    drv_setup(MODERN, 1);
    /* 5 KiB: 2 + 2 + 1 */
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_IN, sectors, 5,
                              BLKDEBUG_IO_TYPE_READ), 3);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_TRUE(bt_check_pattern(tv_ram(DATA + i * 1024),
                                        sectors[i] * 512, 1024, 3));
    }
    fx_done();
    /* without: INT_MAX rounded down to the alignment, IOV_MAX */
    fx_init();
    CU_ASSERT_EQUAL(blk_get_max_transfer(blk),
                    INT_MAX / blk_get_request_alignment(blk) *
                    blk_get_request_alignment(blk));
    CU_ASSERT_EQUAL(blk_get_max_iov(blk), IOV_MAX);
    /* blkdebug takes multiples of 512 (or of align=) below INT_MAX */
    {
        Error *err = NULL;
        g_autofree char *bad = g_strdup_printf(
            "driver=raw,file.driver=blkdebug,file.max-transfer=1000,"
            "file.image.driver=file,file.image.filename=%s", img_path);

        CU_ASSERT_PTR_NULL(blk_new_open(NULL, bt_opts(bad), BDRV_O_RDWR,
                                        &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                               "Cannot meet constraints with max-transfer "
                               "1000");
        error_free(err);
    }
    fx_done();
}

/* A merged request that fails fails every request in it (rerror=report);
 * werror=ignore completes them all as done. */
static void test_merge_error(void)
{
    static const uint64_t sectors[] = { 10, 12, 14, 16 };
    static const char *const props[] = { "werror", "ignore", NULL };

    fx_init();
    drv_setup(MODERN, 1);
    /* the error hits the last 1 KiB only: all four are one request */
    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_READ, EIO, 16 * 512, 512,
                          true);
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_IN, sectors, 4,
                              BLKDEBUG_IO_TYPE_READ), 1);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), VIRTIO_BLK_S_IOERR);
    }
    /* and again, without the error: all OK */
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_IN, sectors, 4,
                              BLKDEBUG_IO_TYPE_READ), 1);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), VIRTIO_BLK_S_OK);
    }
    fx_done();

    fx_init_with(props);
    drv_setup(MODERN, 1);
    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_WRITE, ENOSPC, -1, -1, true);
    CU_ASSERT_EQUAL(merge_run(VIRTIO_BLK_T_OUT, sectors, 4,
                              BLKDEBUG_IO_TYPE_WRITE), 1);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), VIRTIO_BLK_S_OK);
    }
    fx_done();
}

/* werror=stop on a merged write: every request is kept; cont issues
 * them again, merged again, and each completes */
static void test_merge_werror_stop(void)
{
    static const char *const props[] = { "werror", "stop", NULL };
    static const uint64_t sectors[] = { 34, 30, 32 };
    g_autofree uint8_t *file = NULL;
    unsigned writes;

    fx_init_with(props);
    drv_setup(MODERN, 1);
    runstate_set(RUN_STATE_RUNNING);
    blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_WRITE, EIO, -1, -1, true);
    writes = blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_WRITE);
    for (int i = 0; i < 3; i++) {
        memset(tv_ram(DATA + i * 1024), 0x60 + i, 1024);
        post(0, i, VIRTIO_BLK_T_OUT, sectors[i], 16, DATA + i * 1024, 1024,
             false, 1);
    }
    CU_ASSERT_FALSE(kick_wait(0, 1));   /* all kept */
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_WRITE),
                    writes + 1);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), 0xee);
    }
    bql_lock();
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_IO_ERROR);
    vm_start();
    bql_unlock();
    /* the restart: one merged write again */
    bql_lock();
    for (int i = 0; i < 20000 && tv_used_idx(&rings[0]) != 3; i++) {
        blk_drain(blk);
        aio_poll(qemu_get_aio_context(), false);
    }
    bql_unlock();
    CU_ASSERT_EQUAL(tv_used_idx(&rings[0]), 3);
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_WRITE),
                    writes + 2);
    file = bt_file_read(img_path, 0, DISK);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(status_of(0, i), VIRTIO_BLK_S_OK);
        CU_ASSERT_EQUAL(file[sectors[i] * 512], 0x60 + i);
        CU_ASSERT_EQUAL(file[sectors[i] * 512 + 1023], 0x60 + i);
    }
    CU_ASSERT_PTR_NULL(vblk->rq);
    runstate_set(RUN_STATE_PRELAUNCH);
    fx_done();
}

static void test_multiqueue(void)
{
    static const char *const props[] = { "num-queues", "2", NULL };

    fx_init_with(props);
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_BLK_F_MQ));
    CU_ASSERT_EQUAL(virtio_config_readw(vdev, 34), 2);
    drv_setup(MODERN | FEAT(VIRTIO_BLK_F_MQ), 2);
    post(1, 0, VIRTIO_BLK_T_IN, 7, 16, DATA + 0x8000, 512, true, 1);
    CU_ASSERT_TRUE(kick_wait(1, 1));
    CU_ASSERT_EQUAL(status_of(1, 0), VIRTIO_BLK_S_OK);
    CU_ASSERT_TRUE(bt_check_pattern(tv_ram(DATA + 0x8000), 7 * 512, 512, 3));
    CU_ASSERT_EQUAL(run1(VIRTIO_BLK_T_IN, 9, DATA, 512, true),
                    VIRTIO_BLK_S_OK);
    fx_done();
}

static void test_realize_errors(void)
{
    static const struct {
        const char *prop, *val, *msg;
    } cases[] = {
        { "num-queues", "0", "num-queues property must be larger than 0" },
        { "queue-size", "2", "invalid queue-size property (2), must be > 2" },
        { "queue-size", "24", "invalid queue-size property (24), must be a "
                              "power of 2 (max 1024)" },
        { "max-discard-sectors", "0", "invalid max-discard-sectors property "
                                      "(0), must be between 1 and 4194303" },
        { "logical_block_size", "4096", "logical_block_size > "
                                        "physical_block_size not supported" },
    };
    DeviceState *dev;
    Error *err = NULL;
    BlockBackend *blk2;
    BusState *bus;

    fx_init();
    /* the fixture's device writes the image and does not share that
     * (QEMU would refuse a second writer too): no locking for this one */
    blk2 = bt_open(img_path, "driver=raw,file.locking=off", &error_abort);
    CU_ASSERT_TRUE(monitor_add_blk(blk2, "vd1", &error_abort));
    bus = qbus_new(TYPE_TV_BUS, proxy, "tv-bus.1");
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        dev = qdev_new(TYPE_VIRTIO_BLK);
        object_property_parse(OBJECT(dev), "drive", "vd1", &error_abort);
        object_property_parse(OBJECT(dev), cases[i].prop, cases[i].val,
                              &error_abort);
        CU_ASSERT_FALSE(qdev_realize_and_unref(dev, bus, &err));
        CU_ASSERT_STRING_EQUAL(error_get_pretty(err), cases[i].msg);
        error_free(err);
        err = NULL;
    }
    /* no drive */
    dev = qdev_new(TYPE_VIRTIO_BLK);
    CU_ASSERT_FALSE(qdev_realize_and_unref(dev, bus, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "drive property not set");
    error_free(err);
    fx_done();
    monitor_remove_blk(blk2);
    blk_unref(blk2);
}

int main(int argc, char **argv)
{
    errors = g_string_new(NULL);
    error_init("qomu");
    main_loop_init();
    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");

    harness_add("/virtio-blk/rw", test_rw);
    harness_add("/virtio-blk/get-id", test_get_id);
    harness_add("/virtio-blk/discard-write-zeroes",
                test_discard_write_zeroes);
    harness_add("/virtio-blk/bad/ranges", test_bad_ranges);
    harness_add("/virtio-blk/bad/chains", test_bad_chains);
    harness_add("/virtio-blk/config-wce", test_config_wce);
    harness_add("/virtio-blk/error/werror-stop", test_werror_stop);
    harness_add("/virtio-blk/error/rerror-report", test_rerror_report);
    harness_add("/virtio-blk/batch", test_batch);
    harness_add("/virtio-blk/merge/sorted", test_merge);
    harness_add("/virtio-blk/merge/off", test_merge_off);
    harness_add("/virtio-blk/merge/max-transfer", test_merge_max_transfer);
    harness_add("/virtio-blk/merge/error", test_merge_error);
    harness_add("/virtio-blk/merge/werror-stop", test_merge_werror_stop);
    harness_add("/virtio-blk/multiqueue", test_multiqueue);
    harness_add("/virtio-blk/realize-errors", test_realize_errors);
    return harness_run(argc, argv);
}
