/*
 * test-block-backend.c - BlockBackend, the device's end of the block
 * layer: the callback contract for every request type and engine, bounds,
 * empty and read-only drives, names, attaching a device, drain and
 * cancel, batching, flush generations, the snapshot overlay under
 * concurrency, an I/O thread's AioContext, and query-block's data.
 */
#include "util/osdep.h"
#include "util/thread.h"
#include "util/bql.h"
#include "system/runstate.h"
#include "hw/core/qdev.h"
#include "block/qapi.h"
#include "block/raw-aio.h"
#include "block-helper.h"
#include "sync-count.h"

static const char *const engines[] = { "threads", "io_uring", "native" };

static const char *disk_dir(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);

    if (!dir) {
        harness_skip(why);
    }
    return dir;
}

static void close_blk(BlockBackend *blk)
{
    blk_unref(blk);
    CU_ASSERT_EQUAL(blk_live_count(), 0);
    CU_ASSERT_EQUAL(bdrv_live_count(), 0);
    qemu_aio_context_cleanup();
}

/* --- the callback contract ----------------------------------------------- */

typedef void Submit(BlockBackend *blk, QEMUIOVector *qiov, BtCompletion *c);

static void submit_read(BlockBackend *blk, QEMUIOVector *qiov,
                        BtCompletion *c)
{
    blk_aio_preadv(blk, 4096, qiov, 0, bt_complete, c);
}

static void submit_write(BlockBackend *blk, QEMUIOVector *qiov,
                         BtCompletion *c)
{
    blk_aio_pwritev(blk, 4096, qiov, 0, bt_complete, c);
}

static void submit_flush(BlockBackend *blk, QEMUIOVector *qiov,
                         BtCompletion *c)
{
    blk_aio_flush(blk, bt_complete, c);
}

static void submit_discard(BlockBackend *blk, QEMUIOVector *qiov,
                           BtCompletion *c)
{
    blk_aio_pdiscard(blk, 0, 65536, bt_complete, c);
}

static void submit_zeroes(BlockBackend *blk, QEMUIOVector *qiov,
                          BtCompletion *c)
{
    blk_aio_pwrite_zeroes(blk, 8192, 8192, 0, bt_complete, c);
}

static Submit *const submits[] = {
    submit_read, submit_write, submit_flush, submit_discard, submit_zeroes,
};

/* Issue @submit, check the contract, return the result. */
static int run_one(BlockBackend *blk, Submit *submit, QEMUIOVector *qiov)
{
    BtCompletion c = { 0 };

    bt_submitting = true;
    submit(blk, qiov, &c);
    bt_submitting = false;
    /* Never inside the call; counted in flight until its callback
     * returned */
    CU_ASSERT_EQUAL(c.calls, 0);
    CU_ASSERT_EQUAL(blk_in_flight(blk), 1);
    blk_drain(blk);
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_FALSE(c.inside_submit);
    CU_ASSERT_PTR_EQUAL(c.thread, g_thread_self());
    CU_ASSERT_EQUAL(blk_in_flight(blk), 0);
    return c.ret;
}

static void test_contract(void)
{
    const char *dir = disk_dir();

    for (size_t e = 0; e < G_N_ELEMENTS(engines); e++) {
        g_autofree char *path = bt_image(dir, "c.img", 65536, 0);
        g_autofree char *spec = g_strdup_printf(
            "driver=raw,discard=unmap,file.aio=%s%s", engines[e],
            !strcmp(engines[e], "native") ? ",cache.direct=on" : "");
        BlockBackend *blk = bt_open(path, spec, &error_abort);
        uint8_t *buf = blk_blockalign(blk, 4096);
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, 4096);
        for (size_t s = 0; s < G_N_ELEMENTS(submits); s++) {
            CU_ASSERT_EQUAL(run_one(blk, submits[s], &qiov), 0);
        }
        qemu_vfree(buf);
        close_blk(blk);
        unlink(path);
    }
}

/* Requests outside the medium fail with EIO, through the callback. */
static void test_bounds(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "b.img", 65536, 0);
    BlockBackend *blk = bt_open(path, "driver=raw", &error_abort);
    uint8_t buf[1024];
    BtCompletion c = { 0 };

    CU_ASSERT_EQUAL(blk_getlength(blk), 65536);
    CU_ASSERT_EQUAL(blk_pread(blk, 65536 - 512, 1024, buf, 0), -EIO);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 65536 - 512, 1024, buf, 0), -EIO);
    CU_ASSERT_EQUAL(blk_pread(blk, -512, 512, buf, 0), -EIO);
    CU_ASSERT_EQUAL(blk_pread(blk, 65536, 0, buf, 0), 0);
    blk_aio_pdiscard(blk, 65536, 512, bt_complete, &c);
    blk_drain(blk);
    CU_ASSERT_EQUAL(c.ret, -EIO);
    c = (BtCompletion) { 0 };
    blk_aio_pwrite_zeroes(blk, 65000, 1024, 0, bt_complete, &c);
    blk_drain(blk);
    CU_ASSERT_EQUAL(c.ret, -EIO);
    close_blk(blk);
    unlink(path);
}

/* An empty drive (a CD-ROM without a disc): everything is ENOMEDIUM. */
static void test_empty(void)
{
    BlockBackend *blk = blk_new_empty(0);
    uint8_t buf[512];

    CU_ASSERT_FALSE(blk_is_inserted(blk));
    CU_ASSERT_TRUE(blk_is_read_only(blk));
    CU_ASSERT_EQUAL(blk_getlength(blk), -ENOMEDIUM);
    CU_ASSERT_EQUAL(blk_pread(blk, 0, 512, buf, 0), -ENOMEDIUM);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, buf, 0), -ENOMEDIUM);
    CU_ASSERT_EQUAL(blk_flush(blk), -ENOMEDIUM);
    close_blk(blk);
}

static void test_read_only(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "ro.img", 65536, 9);
    BlockBackend *blk = bt_open(path, "driver=raw,read-only=on",
                                &error_abort);
    uint8_t buf[512];
    BtCompletion c = { 0 };

    CU_ASSERT_TRUE(blk_is_read_only(blk));
    CU_ASSERT_FALSE(blk_is_writable(blk));
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, buf, 0), -EPERM);
    blk_aio_pwrite_zeroes(blk, 0, 512, 0, bt_complete, &c);
    blk_drain(blk);
    CU_ASSERT_EQUAL(c.ret, -EPERM);
    /* Reading works; flushing a read-only drive has nothing to do */
    CU_ASSERT_EQUAL(blk_pread(blk, 0, 512, buf, 0), 0);
    CU_ASSERT_TRUE(bt_check_pattern(buf, 0, 512, 9));
    CU_ASSERT_EQUAL(blk_flush(blk), 0);
    close_blk(blk);
    unlink(path);
}

/* --- names and devices --------------------------------------------------- */

static char *add_error(BlockBackend *blk, const char *name)
{
    Error *err = NULL;
    char *msg;

    CU_ASSERT_FALSE(monitor_add_blk(blk, name, &err));
    msg = g_strdup(err ? error_get_pretty(err) : "");
    error_free(err);
    return msg;
}

static void test_names(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "n.img", 65536, 0);
    BlockBackend *a = bt_open(path, "driver=raw,node-name=node0",
                              &error_abort);
    BlockBackend *b = blk_new_empty(0);
    BlockBackend *c = blk_new_empty(0);
    g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;

    CU_ASSERT_STRING_EQUAL(blk_name(a), "");
    CU_ASSERT_TRUE(monitor_add_blk(a, "disk0", &error_abort));
    m1 = add_error(b, "0disk");
    CU_ASSERT_STRING_EQUAL(m1, "Invalid device name");
    m2 = add_error(b, "disk0");
    CU_ASSERT_STRING_EQUAL(m2, "Device with id 'disk0' already exists");
    m3 = add_error(b, "node0");
    CU_ASSERT_STRING_EQUAL(m3, "Device name 'node0' conflicts with an "
                               "existing node name");
    CU_ASSERT_TRUE(monitor_add_blk(c, "cd0", &error_abort));
    CU_ASSERT_TRUE(monitor_add_blk(b, "b0", &error_abort));
    /* Named ones, in naming order */
    CU_ASSERT_PTR_EQUAL(blk_next(NULL), a);
    CU_ASSERT_PTR_EQUAL(blk_next(a), c);
    CU_ASSERT_PTR_EQUAL(blk_next(c), b);
    CU_ASSERT_PTR_EQUAL(blk_by_name("cd0"), c);
    CU_ASSERT_PTR_EQUAL(bdrv_find_node("node0"), blk_bs(a));
    blk_unref(b);
    blk_unref(c);
    CU_ASSERT_PTR_NULL(blk_by_name("cd0"));
    close_blk(a);
    unlink(path);
}

/* A throwaway device to attach. */
#define TYPE_TEST_DISK "test-disk"

static const TypeInfo test_disk_info = {
    .name = TYPE_TEST_DISK,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(DeviceState),
};

static void test_disk_register(void)
{
    type_register_static(&test_disk_info);
}

type_init(test_disk_register)

static bool tray_open_cb(void *opaque)
{
    return *(bool *)opaque;
}

static void change_media_cb(void *opaque, bool load)
{
}

static const BlockDevOps cd_ops = {
    .change_media_cb = change_media_cb,
    .is_tray_open = tray_open_cb,
};

static void test_attach(void)
{
    BlockBackend *blk = blk_new_empty(0);
    DeviceState *dev = DEVICE(object_new(TYPE_TEST_DISK));
    DeviceState *other = DEVICE(object_new(TYPE_TEST_DISK));
    g_autofree char *id = NULL;
    bool tray = true;

    CU_ASSERT_TRUE(blk_dev_has_removable_media(blk));    /* no device */
    CU_ASSERT_EQUAL(blk_attach_dev(blk, dev), 0);
    CU_ASSERT_EQUAL(blk_attach_dev(blk, other), -EBUSY);
    CU_ASSERT_PTR_EQUAL(blk_get_attached_dev(blk), dev);
    dev->id = g_strdup("disk0");
    id = blk_get_attached_dev_id(blk);
    CU_ASSERT_STRING_EQUAL(id, "disk0");
    /* A hard disk: not removable; a CD-ROM: removable, with a tray */
    CU_ASSERT_FALSE(blk_dev_has_removable_media(blk));
    blk_set_dev_ops(blk, &cd_ops, &tray);
    CU_ASSERT_TRUE(blk_dev_has_removable_media(blk));
    CU_ASSERT_TRUE(blk_dev_is_tray_open(blk));
    blk_detach_dev(blk, dev);
    CU_ASSERT_PTR_NULL(blk_get_attached_dev(blk));
    object_unref(OBJECT(dev));
    object_unref(OBJECT(other));
    close_blk(blk);
}

/* --- drain, cancel, batching --------------------------------------------- */

static void test_cancel(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "x.img", 1 << 20, 0);
    BlockBackend *blk = bt_open(path, "driver=raw", &error_abort);
    g_autofree uint8_t *buf = g_malloc(1 << 20);
    BtCompletion c = { 0 };
    QEMUIOVector qiov;
    BlockAIOCB *acb;

    qemu_iovec_init_buf(&qiov, buf, 1 << 20);
    acb = blk_aio_preadv(blk, 0, &qiov, 0, bt_complete, &c);
    blk_aio_cancel(acb);
    /* Host I/O cannot be recalled: cancel waits for it */
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_EQUAL(c.ret, 0);
    close_blk(blk);
    unlink(path);
}

static void test_plug(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "plug.img", 1 << 20, 0);
    BlockBackend *blk = bt_open(path, "driver=raw,file.aio=io_uring",
                                &error_abort);
    LuringState *ring = aio_get_linux_io_uring(blk_get_aio_context(blk),
                                               &error_abort);
    BtCompletion c[32] = { { 0 } };
    QEMUIOVector qiov[32];
    uint8_t *buf = blk_blockalign(blk, 32 * 4096);
    uint64_t before;

    /* A batch limit above the 32 requests (aio-max-batch) */
    aio_context_set_aio_params(blk_get_aio_context(blk), 64);
    blk_io_plug(blk);
    before = luring_submit_calls(ring);
    for (int i = 0; i < 32; i++) {
        qemu_iovec_init_buf(&qiov[i], buf + i * 4096, 4096);
        blk_aio_pwritev(blk, i * 8192, &qiov[i], 0, bt_complete, &c[i]);
    }
    CU_ASSERT_EQUAL(luring_submit_calls(ring), before);
    blk_io_unplug(blk);
    /* One io_uring_enter for the batch */
    CU_ASSERT_EQUAL(luring_submit_calls(ring), before + 1);
    aio_context_set_aio_params(blk_get_aio_context(blk), 0);
    blk_drain(blk);
    for (int i = 0; i < 32; i++) {
        CU_ASSERT_EQUAL(c[i].calls, 1);
        CU_ASSERT_EQUAL(c[i].ret, 0);
    }
    qemu_vfree(buf);
    close_blk(blk);
    unlink(path);
}

/*
 * Flush generations: a flush with nothing new written since the last one
 * does not sync; several flushes at once sync once (they run one at a
 * time, and the later ones find the work done).
 */
static void test_flush_generations(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "g.img", 65536, 0);
    BlockBackend *blk = bt_open(path, "driver=raw", &error_abort);
    BtCompletion c[8] = { { 0 } };
    uint8_t buf[512] = { 0 };

    sc_watch(path);
    CU_ASSERT_EQUAL(blk_flush(blk), 0);         /* nothing written yet */
    CU_ASSERT_EQUAL(sc_count(), 0);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, buf, 0), 0);
    for (int i = 0; i < 8; i++) {
        blk_aio_flush(blk, bt_complete, &c[i]);
    }
    blk_drain(blk);
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(c[i].ret, 0);
    }
    CU_ASSERT_EQUAL(sc_count(), 1);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 512, 512, buf, 0), 0);
    CU_ASSERT_EQUAL(blk_flush(blk), 0);
    CU_ASSERT_EQUAL(sc_count(), 2);
    sc_watch_ino = 0;
    close_blk(blk);
    unlink(path);
}

/* Concurrent partial writes to one new cluster of the snapshot overlay:
 * each copies the cluster up from the image; none may undo another. */
static void test_snapshot_concurrent(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "sn.img", 1 << 20, 8);
    BlockBackend *blk = blk_new_open(path, bt_opts("driver=raw"),
                                     BDRV_O_RDWR | BDRV_O_SNAPSHOT,
                                     &error_abort);
    BtCompletion c[16] = { { 0 } };
    QEMUIOVector qiov[16];
    uint8_t bytes[16], block[4096];
    g_autofree uint8_t *host = NULL;

    /* QEMU's temporary qcow2 overlay (temp-overlay without qcow2) */
    CU_ASSERT_STRING_EQUAL(bdrv_get_format_name(blk_bs(blk)), "qcow2");
    for (int i = 0; i < 16; i++) {
        bytes[i] = 0xc0 + i;
        qemu_iovec_init_buf(&qiov[i], &bytes[i], 1);
        blk_aio_pwritev(blk, 20480 + i * 200, &qiov[i], 0, bt_complete,
                        &c[i]);
    }
    blk_drain(blk);
    CU_ASSERT_EQUAL(blk_pread(blk, 20480, 4096, block, 0), 0);
    for (int i = 0; i < 4096; i++) {
        bool mine = i % 200 == 0 && i / 200 < 16;
        uint8_t want = mine ? 0xc0 + i / 200 : bt_pattern(20480 + i, 8);

        if (block[i] != want) {
            CU_FAIL("the overlay lost a write");
            break;
        }
    }
    close_blk(blk);
    host = bt_file_read(path, 0, 1 << 20);
    CU_ASSERT_TRUE(bt_check_pattern(host, 0, 1 << 20, 8));
    unlink(path);
}

/* Stopping the VM drains and flushes every drive (QEMU's do_vm_stop). */
static void test_vm_stop_flushes(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "stop.img", 65536, 0);
    BlockBackend *blk = bt_open(path, "driver=raw", &error_abort);
    uint8_t *buf = blk_blockalign(blk, 4096);
    BtCompletion c = { 0 };
    QEMUIOVector qiov;

    sc_watch(path);
    memset(buf, 0x3c, 4096);
    qemu_iovec_init_buf(&qiov, buf, 4096);
    blk_aio_pwritev(blk, 0, &qiov, 0, bt_complete, &c);
    CU_ASSERT_EQUAL(c.calls, 0);
    runstate_set(RUN_STATE_RUNNING);
    bql_lock();
    vm_stop(RUN_STATE_PAUSED);
    bql_unlock();
    /* Stopped: the write completed, then it was synced */
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_EQUAL(blk_in_flight(blk), 0);
    CU_ASSERT_EQUAL(sc_count(), 1);
    runstate_set(RUN_STATE_PRELAUNCH);
    sc_watch_ino = 0;
    qemu_vfree(buf);
    close_blk(blk);
    unlink(path);
}

/* --- an I/O thread ------------------------------------------------------- */

typedef struct IOThread {
    GMainContext *gctx;
    AioContext *ctx;
    BlockBackend *blk;
    BtCompletion write, read;
    uint8_t *buf;
    GThread *self;
} IOThread;

/* The I/O thread: owns its GMainContext, submits, runs its loop. */
static void *iothread_run(void *opaque)
{
    IOThread *t = opaque;
    QEMUIOVector qiov;

    g_main_context_acquire(t->gctx);
    t->self = g_thread_self();
    qemu_iovec_init_buf(&qiov, t->buf, 4096);
    memset(t->buf, 0x99, 4096);
    blk_aio_pwritev(t->blk, 0, &qiov, 0, bt_complete, &t->write);
    bt_wait_flag(t->ctx, &t->write.done);
    memset(t->buf, 0, 4096);
    blk_aio_preadv(t->blk, 0, &qiov, 0, bt_complete, &t->read);
    bt_wait_flag(t->ctx, &t->read.done);
    /* Back to the main loop before the thread goes */
    blk_set_aio_context(t->blk, qemu_get_aio_context());
    aio_context_unref(t->ctx);
    g_main_context_release(t->gctx);
    return NULL;
}

static void test_iothread(void)
{
    const char *dir = disk_dir();

    for (size_t e = 0; e < G_N_ELEMENTS(engines); e++) {
        g_autofree char *path = bt_image(dir, "io.img", 65536, 0);
        g_autofree char *spec = g_strdup_printf(
            "driver=raw,file.aio=%s%s", engines[e],
            !strcmp(engines[e], "native") ? ",cache.direct=on" : "");
        IOThread t = { 0 };
        QomuThread *thread;

        t.blk = bt_open(path, spec, &error_abort);
        t.gctx = g_main_context_new();
        t.ctx = aio_context_new(t.gctx, &error_abort);
        t.buf = blk_blockalign(t.blk, 4096);
        blk_set_aio_context(t.blk, t.ctx);
        CU_ASSERT_PTR_EQUAL(blk_get_aio_context(t.blk), t.ctx);
        thread = qomu_thread_create("test-iothread", iothread_run, &t,
                                    &error_abort);
        qomu_thread_join(thread);
        /* Both completions ran in the I/O thread, once */
        CU_ASSERT_EQUAL(t.write.calls, 1);
        CU_ASSERT_EQUAL(t.write.ret, 0);
        CU_ASSERT_EQUAL(t.read.calls, 1);
        CU_ASSERT_EQUAL(t.read.ret, 0);
        CU_ASSERT_PTR_EQUAL(t.write.thread, t.self);
        CU_ASSERT_PTR_EQUAL(t.read.thread, t.self);
        CU_ASSERT_PTR_NOT_EQUAL(t.self, g_thread_self());
        CU_ASSERT_EQUAL(t.buf[4095], 0x99);
        CU_ASSERT_PTR_EQUAL(blk_get_aio_context(t.blk),
                            qemu_get_aio_context());
        qemu_vfree(t.buf);
        close_blk(t.blk);
        g_main_context_unref(t.gctx);
        unlink(path);
    }
}

/* --- query-block --------------------------------------------------------- */

static void test_query_block(void)
{
    const char *dir = disk_dir();
    g_autofree char *path = bt_image(dir, "q.img", 1 << 20, 0);
    BlockBackend *blk = bt_open(path, "driver=raw,cache.direct=on",
                                &error_abort);
    BlockBackend *empty = blk_new_empty(0);
    g_autoptr(GVariant) list = NULL;
    g_autoptr(GVariant) info = NULL;
    g_autoptr(GVariant) inserted = NULL;
    g_autoptr(GVariant) image = NULL;
    g_autoptr(GVariant) cache = NULL;
    const char *s;
    gint64 size;
    gboolean b;

    monitor_add_blk(blk, "d0", &error_abort);
    monitor_add_blk(empty, "cd0", &error_abort);
    blk_set_enable_write_cache(blk, false);
    list = qmp_query_block();
    CU_ASSERT_EQUAL(g_variant_n_children(list), 2);
    info = g_variant_get_child_value(list, 0);
    CU_ASSERT_TRUE(g_variant_lookup(info, "device", "&s", &s) &&
                   !strcmp(s, "d0"));
    CU_ASSERT_TRUE(g_variant_lookup(info, "type", "&s", &s) &&
                   !strcmp(s, "unknown"));
    CU_ASSERT_TRUE(g_variant_lookup(info, "removable", "b", &b) && b);
    CU_ASSERT_FALSE(g_variant_lookup(info, "io-status", "&s", &s));
    inserted = g_variant_lookup_value(info, "inserted", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(inserted);
    CU_ASSERT_TRUE(g_variant_lookup(inserted, "file", "&s", &s) &&
                   !strcmp(s, path));
    CU_ASSERT_TRUE(g_variant_lookup(inserted, "drv", "&s", &s) &&
                   !strcmp(s, "raw"));
    CU_ASSERT_TRUE(g_variant_lookup(inserted, "ro", "b", &b) && !b);
    cache = g_variant_lookup_value(inserted, "cache", NULL);
    CU_ASSERT_TRUE(g_variant_lookup(cache, "writeback", "b", &b) && !b);
    CU_ASSERT_TRUE(g_variant_lookup(cache, "direct", "b", &b) && b);
    CU_ASSERT_TRUE(g_variant_lookup(cache, "no-flush", "b", &b) && !b);
    image = g_variant_lookup_value(inserted, "image", NULL);
    CU_ASSERT_TRUE(g_variant_lookup(image, "virtual-size", "x", &size) &&
                   size == 1 << 20);
    CU_ASSERT_TRUE(g_variant_lookup(image, "format", "&s", &s) &&
                   !strcmp(s, "raw"));
    g_variant_unref(info);
    /* The empty one: no "inserted" */
    info = g_variant_get_child_value(list, 1);
    CU_ASSERT_FALSE(g_variant_lookup(info, "inserted", "@a{sv}", NULL));
    blk_unref(empty);
    close_blk(blk);
    unlink(path);
}

int main(int argc, char **argv)
{
    int ret;

    error_init("qomu");
    main_loop_init();
    harness_add("/block-backend/contract", test_contract);
    harness_add("/block-backend/bounds", test_bounds);
    harness_add("/block-backend/empty", test_empty);
    harness_add("/block-backend/read-only", test_read_only);
    harness_add("/block-backend/names", test_names);
    harness_add("/block-backend/attach", test_attach);
    harness_add("/block-backend/cancel", test_cancel);
    harness_add("/block-backend/plug", test_plug);
    harness_add("/block-backend/flush-generations", test_flush_generations);
    harness_add("/block-backend/snapshot-concurrent",
                test_snapshot_concurrent);
    harness_add("/block-backend/vm-stop-flushes", test_vm_stop_flushes);
    harness_add("/block-backend/iothread", test_iothread);
    harness_add("/block-backend/query-block", test_query_block);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
