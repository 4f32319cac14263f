/*
 * test-aio-engines.c - the three AIO engines (threads, io_uring, native),
 * first on their own (include/block/raw-aio.h), then under the block
 * layer with injected errors and werror/rerror.
 *
 * Each engine: many concurrent requests, each callback exactly once, in
 * the context's home thread, never inside the submit call; data as
 * written; kernel errors (EBADF from a file opened the wrong way, EINVAL
 * from a misaligned O_DIRECT request) delivered through the callback;
 * batching (plugged requests reach the kernel in batches of the
 * context's aio-max-batch, or the engine's default, and the rest at the
 * unplug); more
 * requests than the io_uring SQ ring holds.  Then, for each engine under
 * a BlockBackend: EIO injected by the blkdebug filter, and what each
 * werror/rerror setting does with it (report, ignore, stop: the I/O
 * status, the BLOCK_IO_ERROR event, the VM stopping).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/qemu-opts.h"
#include "block/blkdebug.h"
#include "block/drive.h"
#include "block/raw-aio.h"
#include "system/runstate.h"
#include "block-helper.h"

#include <fcntl.h>

#define NREQ 256
#define REQ_SIZE 4096

typedef enum { ENG_THREADS, ENG_IO_URING, ENG_NATIVE } Engine;

static const char *const engine_names[] = { "threads", "io_uring", "native" };

/* One request of the engine tests. */
typedef struct EngReq {
    int calls;
    int64_t ret;
    GThread *thread;
    bool inside_submit;
    QEMUIOVector qiov;
    uint8_t *buf;
} EngReq;

static bool submitting;
static int outstanding;

static void eng_done(void *opaque, int64_t ret)
{
    EngReq *r = opaque;

    r->calls++;
    r->ret = ret;
    r->thread = g_thread_self();
    r->inside_submit |= submitting;
    outstanding--;
}

/* fdatasync in a worker, for the pool. */
typedef struct PoolJob {
    int fd;
    int64_t offset;
    QEMUIOVector *qiov;
    bool write;
    GThread *ran_in;
} PoolJob;

static int64_t pool_rw(void *opaque)
{
    PoolJob *j = opaque;
    ssize_t n;

    j->ran_in = g_thread_self();
    n = j->write ? pwritev(j->fd, j->qiov->iov, j->qiov->niov, j->offset)
                 : preadv(j->fd, j->qiov->iov, j->qiov->niov, j->offset);
    return n < 0 ? -errno : n;
}

/* Submit one read/write of @r on @eng; 0 or -errno. */
static int eng_submit(Engine eng, int fd, int64_t offset, EngReq *r,
                      bool write, PoolJob *job)
{
    AioContext *ctx = qemu_get_aio_context();
    int ret;

    submitting = true;
    switch (eng) {
    case ENG_THREADS:
        *job = (PoolJob) { fd, offset, &r->qiov, write, NULL };
        ret = thread_pool_submit_aio(aio_get_thread_pool(ctx), pool_rw, job,
                                     eng_done, r);
        break;
    case ENG_IO_URING:
        ret = luring_submit(aio_get_linux_io_uring(ctx, &error_abort), fd,
                            offset, &r->qiov, write ? QEMU_AIO_WRITE
                                                    : QEMU_AIO_READ,
                            eng_done, r);
        break;
    default:
        ret = laio_submit(aio_get_linux_aio(ctx, &error_abort), fd, offset,
                          &r->qiov, write ? QEMU_AIO_WRITE : QEMU_AIO_READ,
                          eng_done, r);
        break;
    }
    submitting = false;
    if (ret == 0) {
        outstanding++;
    }
    return ret;
}

static void wait_outstanding(void)
{
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;

    while (outstanding > 0 && g_get_monotonic_time() < deadline) {
        aio_poll(qemu_get_aio_context(), true);
    }
    CU_ASSERT_EQUAL(outstanding, 0);
}

static int open_image(const char *dir, const char *name, int flags,
                      char **path)
{
    *path = bt_image(dir, name, NREQ * REQ_SIZE, 0);
    return open(*path, flags);
}

/* The system calls a plugged batch of NREQ requests takes, in batches of
 * @batch: full batches while plugged, the rest at the unplug. */
static void check_batches(uint64_t while_plugged, uint64_t at_unplug,
                          unsigned batch)
{
    CU_ASSERT_EQUAL(while_plugged, NREQ / batch);
    CU_ASSERT_EQUAL(at_unplug, NREQ % batch ? 1 : 0);
}

/* NREQ writes in flight together, then NREQ reads: data and callbacks.
 * Plugged, with aio-max-batch @max_batch (0: the engine's default). */
static void run_concurrent(Engine eng, int fd, bool plugged,
                           int64_t max_batch)
{
    AioContext *ctx = qemu_get_aio_context();
    EngReq *reqs = g_new0(EngReq, NREQ);
    PoolJob *jobs = g_new0(PoolJob, NREQ);
    GThread *main_thread = g_thread_self();
    uint64_t calls_before = 0, calls_plugged;

    aio_context_set_aio_params(ctx, max_batch);
    for (int pass = 0; pass < 2; pass++) {
        bool write = pass == 0;

        if (plugged && eng == ENG_IO_URING) {
            luring_io_plug(aio_get_linux_io_uring(ctx, &error_abort));
            calls_before = luring_submit_calls(
                aio_get_linux_io_uring(ctx, NULL));
        } else if (plugged && eng == ENG_NATIVE) {
            laio_io_plug(aio_get_linux_aio(ctx, &error_abort));
            calls_before = laio_submit_calls(aio_get_linux_aio(ctx, NULL));
        }
        for (int i = 0; i < NREQ; i++) {
            EngReq *r = &reqs[i];

            if (write) {
                r->buf = qemu_memalign(4096, REQ_SIZE);
                memset(r->buf, i & 0xff, REQ_SIZE);
                r->buf[0] = i >> 8;
            } else {
                memset(r->buf, 0, REQ_SIZE);
            }
            r->calls = 0;
            qemu_iovec_init_buf(&r->qiov, r->buf, REQ_SIZE);
            CU_ASSERT_EQUAL(eng_submit(eng, fd, (int64_t)i * REQ_SIZE, r,
                                       write, &jobs[i]), 0);
        }
        if (plugged && eng == ENG_IO_URING) {
            LuringState *s = aio_get_linux_io_uring(ctx, NULL);

            calls_plugged = luring_submit_calls(s) - calls_before;
            luring_io_unplug(s);
            check_batches(calls_plugged, luring_submit_calls(s) -
                          calls_before - calls_plugged,
                          MIN(max_batch ? max_batch
                                        : LURING_DEFAULT_MAX_BATCH, 128));
        } else if (plugged && eng == ENG_NATIVE) {
            LinuxAioState *s = aio_get_linux_aio(ctx, NULL);

            calls_plugged = laio_submit_calls(s) - calls_before;
            laio_io_unplug(s);
            /* at most 128 iocbs per io_submit */
            check_batches(calls_plugged, laio_submit_calls(s) -
                          calls_before - calls_plugged,
                          MIN(max_batch ? max_batch
                                        : LAIO_DEFAULT_MAX_BATCH, 128));
        }
        wait_outstanding();
        for (int i = 0; i < NREQ; i++) {
            EngReq *r = &reqs[i];

            CU_ASSERT_EQUAL(r->calls, 1);
            CU_ASSERT_EQUAL(r->ret, REQ_SIZE);
            CU_ASSERT_PTR_EQUAL(r->thread, main_thread);
            CU_ASSERT_FALSE(r->inside_submit);
            if (eng == ENG_THREADS) {
                /* the work itself ran in a worker */
                CU_ASSERT_PTR_NOT_EQUAL(jobs[i].ran_in, main_thread);
            }
            if (!write) {
                CU_ASSERT_EQUAL(r->buf[0], i >> 8);
                CU_ASSERT_EQUAL(r->buf[1], i & 0xff);
                CU_ASSERT_EQUAL(r->buf[REQ_SIZE - 1], i & 0xff);
            }
        }
    }
    for (int i = 0; i < NREQ; i++) {
        qemu_vfree(reqs[i].buf);
    }
    g_free(reqs);
    g_free(jobs);
    aio_context_set_aio_params(ctx, 0);
}

/* Kernel errors come back through the callback, exactly once. */
static void run_errors(Engine eng, const char *path, bool direct)
{
    EngReq r = { 0 };
    PoolJob job;
    int fd;

    r.buf = qemu_memalign(4096, REQ_SIZE);
    qemu_iovec_init_buf(&r.qiov, r.buf, REQ_SIZE);
    /* Writing through a read-only fd: EBADF */
    fd = open(path, O_RDONLY | (direct ? O_DIRECT : 0));
    CU_ASSERT_EQUAL(eng_submit(eng, fd, 0, &r, true, &job), 0);
    wait_outstanding();
    CU_ASSERT_EQUAL(r.calls, 1);
    CU_ASSERT_EQUAL(r.ret, -EBADF);
    CU_ASSERT_FALSE(r.inside_submit);
    close(fd);
    /* Reading through a write-only fd: EBADF */
    fd = open(path, O_WRONLY | (direct ? O_DIRECT : 0));
    r.calls = 0;
    CU_ASSERT_EQUAL(eng_submit(eng, fd, 0, &r, false, &job), 0);
    wait_outstanding();
    CU_ASSERT_EQUAL(r.calls, 1);
    CU_ASSERT_EQUAL(r.ret, -EBADF);
    close(fd);
    if (direct) {
        /* O_DIRECT at an unaligned offset: EINVAL */
        fd = open(path, O_RDWR | O_DIRECT);
        r.calls = 0;
        CU_ASSERT_EQUAL(eng_submit(eng, fd, 1, &r, false, &job), 0);
        wait_outstanding();
        CU_ASSERT_EQUAL(r.calls, 1);
        CU_ASSERT_EQUAL(r.ret, -EINVAL);
        close(fd);
    }
    qemu_vfree(r.buf);
}

static void run_engine(Engine eng, bool direct)
{
    const char *why;
    const char *dir = direct ? bt_dir_disk(&why) : bt_dir_tmpfs(&why);
    g_autofree char *path = NULL;
    int fd;

    if (!dir) {
        harness_skip(why);
    }
    if (direct && !bt_dir_odirect(dir)) {
        harness_skip("the disk directory refuses O_DIRECT");
    }
    fd = open_image(dir, "engine.img", O_RDWR | (direct ? O_DIRECT : 0),
                    &path);
    CU_ASSERT_FATAL(fd >= 0);
    run_concurrent(eng, fd, false, 0);
    run_concurrent(eng, fd, true, 0);
    /* QEMU's aio-max-batch: 1 is no batching; 100 leaves 56 for the
     * unplug; 1000 is more than io_uring's SQ ring or an io_submit
     * takes (128: two full batches, nothing left) */
    run_concurrent(eng, fd, true, 1);
    run_concurrent(eng, fd, true, 100);
    run_concurrent(eng, fd, true, 1000);
    close(fd);
    run_errors(eng, path, direct);
    unlink(path);
    qemu_aio_context_cleanup();
}

static void test_threads_buffered(void) { run_engine(ENG_THREADS, false); }
static void test_threads_direct(void) { run_engine(ENG_THREADS, true); }
static void test_io_uring_buffered(void) { run_engine(ENG_IO_URING, false); }
static void test_io_uring_direct(void) { run_engine(ENG_IO_URING, true); }
static void test_native_direct(void) { run_engine(ENG_NATIVE, true); }

/* A worker job that blocks until a byte arrives on the pipe. */
static int64_t pool_read_pipe(void *opaque)
{
    PoolJob *j = opaque;
    ssize_t n = read(j->fd, j->qiov->iov[0].iov_base, 1);

    return n < 0 ? -errno : n;
}

/* The pool starts workers on demand and joins them all when freed. */
static void test_thread_pool_workers(void)
{
    AioContext *ctx = qemu_get_aio_context();
    ThreadPool *pool = aio_get_thread_pool(ctx);
    int pipefd[2];
    EngReq reqs[8] = { 0 };
    PoolJob jobs[8];
    uint8_t c;

    /* Eight reads that block until we write to the pipe: eight workers */
    CU_ASSERT_EQUAL_FATAL(pipe(pipefd), 0);
    for (int i = 0; i < 8; i++) {
        reqs[i].buf = g_malloc(1);
        qemu_iovec_init_buf(&reqs[i].qiov, reqs[i].buf, 1);
        jobs[i] = (PoolJob) { pipefd[0], -1, &reqs[i].qiov, false, NULL };
        CU_ASSERT_EQUAL(thread_pool_submit_aio(pool, pool_read_pipe,
                                               &jobs[i], eng_done, &reqs[i]),
                        0);
        outstanding++;
    }
    while (thread_pool_worker_count(pool) < 8) {
        g_usleep(1000);
    }
    CU_ASSERT_EQUAL(thread_pool_worker_count(pool), 8);
    c = 'x';
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(write(pipefd[1], &c, 1), 1);
    }
    wait_outstanding();
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(reqs[i].calls, 1);
        CU_ASSERT_EQUAL(reqs[i].ret, 1);
        g_free(reqs[i].buf);
    }
    close(pipefd[0]);
    close(pipefd[1]);
    qemu_aio_context_cleanup();
}

/* --- under the block layer: injected errors, werror/rerror --- */

static QemuOptsList drives = DRIVE_OPTS_LIST_INIT;
static QemuOptsList devices = { .name = "device" };

/* Events the block layer emitted, as "NAME: key=value ..." lines. */
static GString *events;

static void record_event(const char *name, GVariant *data, void *opaque)
{
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_string_append_printf(events, "%s:", name);
    g_variant_iter_init(&iter, data);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        g_autofree char *text = g_variant_is_of_type(value,
                                                     G_VARIANT_TYPE_STRING)
            ? g_strdup(g_variant_get_string(value, NULL))
            : g_variant_print(value, FALSE);

        g_string_append_printf(events, " %s=%s", key, text);
    }
    g_string_append(events, "\n");
}

/* A drive over blkdebug over the image, on @engine. */
static BlockBackend *faulty_drive(const char *path, const char *engine,
                                  const char *extra, BlockDriverState **dbg)
{
    g_autofree char *spec = g_strdup_printf(
        "format=raw,if=none,id=d0,file.driver=blkdebug,"
        "file.image.driver=file,file.image.filename=%s,file.image.aio=%s%s%s",
        path, engine, !strcmp(engine, "native") ? ",cache=none" : "",
        extra);
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(&drives, spec, false, &error_abort);
    DriveInfo *dinfo = drive_new(opts, IF_NONE, &devices, &err);
    BlockBackend *blk;

    if (!dinfo) {
        printf("%s: %s\n", spec, error_get_pretty(err));
        error_free(err);
        return NULL;
    }
    blk = blk_by_legacy_dinfo(dinfo);
    *dbg = bdrv_file_bs(blk_bs(blk));
    CU_ASSERT_STRING_EQUAL(bdrv_get_format_name(*dbg), "blkdebug");
    return blk;
}

static void faulty_close(void)
{
    blockdev_close_all();
    qemu_opts_reset(&drives);
    qemu_opts_reset(&devices);
    CU_ASSERT_EQUAL(blk_live_count(), 0);
    CU_ASSERT_EQUAL(bdrv_live_count(), 0);
}

/* Run the main loop's GLib sources once (the VM-stop bottom half). */
static void run_main_loop_once(void)
{
    bql_lock();
    while (g_main_context_iteration(NULL, FALSE)) {
        /* until idle */
    }
    bql_unlock();
}

/* One failed request and what the device would do about it. */
static void check_action(const char *engine, const char *dir, bool is_read,
                         const char *policy, int error,
                         BlockErrorAction expected)
{
    g_autofree char *path = bt_image(dir, "faulty.img", 65536, 7);
    g_autofree char *extra = g_strdup_printf(",%s=%s",
                                             is_read ? "rerror" : "werror",
                                             policy);
    g_autofree uint8_t *host = NULL;
    BlockDriverState *dbg;
    BlockBackend *blk = faulty_drive(path, engine, extra, &dbg);
    uint8_t *buf = qemu_memalign(4096, 4096);
    g_autofree char *expected_event = NULL;
    BtCompletion c = { 0 };
    QEMUIOVector qiov;
    BlockErrorAction action;

    CU_ASSERT_PTR_NOT_NULL_FATAL(blk);
    blk_iostatus_enable(blk);
    blkdebug_inject_error(dbg, is_read ? BLKDEBUG_IO_TYPE_READ
                                       : BLKDEBUG_IO_TYPE_WRITE,
                          error, 4096, 4096, true);
    memset(buf, 0xab, 4096);
    qemu_iovec_init_buf(&qiov, buf, 4096);
    bt_submitting = true;
    if (is_read) {
        blk_aio_preadv(blk, 4096, &qiov, 0, bt_complete, &c);
    } else {
        blk_aio_pwritev(blk, 4096, &qiov, 0, bt_complete, &c);
    }
    bt_submitting = false;
    CU_ASSERT_TRUE(bt_wait_flag(blk_get_aio_context(blk), &c.done));
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_EQUAL(c.ret, -error);
    CU_ASSERT_FALSE(c.inside_submit);

    /* What the device does in its completion (QEMU's IDE/virtio) */
    action = blk_get_error_action(blk, is_read, error);
    CU_ASSERT_EQUAL(action, expected);
    g_string_truncate(events, 0);
    runstate_set(RUN_STATE_RUNNING);
    blk_error_action(blk, action, is_read, error);
    expected_event = g_strdup_printf(
        "BLOCK_IO_ERROR: device=d0 node-name=%s operation=%s action=%s "
        "nospace=%s reason=%s\n", bdrv_get_node_name(blk_bs(blk)),
        is_read ? "read" : "write", block_error_action_name(expected),
        error == ENOSPC ? "true" : "false", strerror(error));
    CU_ASSERT_STRING_EQUAL(events->str, expected_event);
    /* The stop happens from the main loop, not inside the completion */
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_RUNNING);
    run_main_loop_once();
    if (expected == BLOCK_ERROR_ACTION_STOP) {
        CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_IO_ERROR);
        CU_ASSERT_EQUAL(blk_iostatus(blk), error == ENOSPC
                        ? BLOCK_DEVICE_IO_STATUS_NOSPACE
                        : BLOCK_DEVICE_IO_STATUS_FAILED);
    } else {
        CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_RUNNING);
        CU_ASSERT_EQUAL(blk_iostatus(blk), BLOCK_DEVICE_IO_STATUS_OK);
    }
    runstate_set(RUN_STATE_PRELAUNCH);

    /* The failed write never reached the image; the next one does (the
     * rule was "once") */
    c = (BtCompletion) { 0 };
    blk_aio_pwritev(blk, 4096, &qiov, 0, bt_complete, &c);
    CU_ASSERT_TRUE(bt_wait_flag(blk_get_aio_context(blk), &c.done));
    CU_ASSERT_EQUAL(c.ret, 0);
    CU_ASSERT_EQUAL(blkdebug_request_count(dbg, is_read
                                           ? BLKDEBUG_IO_TYPE_READ
                                           : BLKDEBUG_IO_TYPE_WRITE),
                    is_read ? 1 : 2);
    qemu_vfree(buf);
    faulty_close();
    host = bt_file_read(path, 4096, 4096);
    CU_ASSERT_EQUAL(host[0], 0xab);
    unlink(path);
}

static void run_actions(const char *engine)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);

    if (!dir) {
        harness_skip(why);
    }
    if (!strcmp(engine, "native") && !bt_dir_odirect(dir)) {
        harness_skip("the disk directory refuses O_DIRECT");
    }
    check_action(engine, dir, false, "report", EIO,
                 BLOCK_ERROR_ACTION_REPORT);
    check_action(engine, dir, false, "ignore", EIO,
                 BLOCK_ERROR_ACTION_IGNORE);
    check_action(engine, dir, false, "stop", EIO, BLOCK_ERROR_ACTION_STOP);
    /* The default, werror=enospc: stop only for a full disk */
    check_action(engine, dir, false, "enospc", EIO,
                 BLOCK_ERROR_ACTION_REPORT);
    check_action(engine, dir, false, "enospc", ENOSPC,
                 BLOCK_ERROR_ACTION_STOP);
    check_action(engine, dir, true, "report", EIO, BLOCK_ERROR_ACTION_REPORT);
    check_action(engine, dir, true, "ignore", EIO, BLOCK_ERROR_ACTION_IGNORE);
    check_action(engine, dir, true, "stop", EIO, BLOCK_ERROR_ACTION_STOP);
}

static void test_actions_threads(void) { run_actions("threads"); }
static void test_actions_io_uring(void) { run_actions("io_uring"); }
static void test_actions_native(void) { run_actions("native"); }

/* A failed flush is reported, for each engine. */
static void test_flush_error(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);

    if (!dir) {
        harness_skip(why);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(engine_names); i++) {
        g_autofree char *path = bt_image(dir, "flush.img", 65536, 0);
        BlockDriverState *dbg;
        BlockBackend *blk = faulty_drive(path, engine_names[i], "", &dbg);
        uint8_t buf[512] = { 0 };

        CU_ASSERT_PTR_NOT_NULL_FATAL(blk);
        blkdebug_inject_error(dbg, BLKDEBUG_IO_TYPE_FLUSH, EIO, 0, -1, true);
        CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, buf, 0), 0);
        CU_ASSERT_EQUAL(blk_flush(blk), -EIO);
        /* Nothing was flushed: the next flush still has work to do */
        CU_ASSERT_EQUAL(blk_flush(blk), 0);
        CU_ASSERT_EQUAL(blkdebug_request_count(dbg, BLKDEBUG_IO_TYPE_FLUSH),
                        2);
        faulty_close();
        unlink(path);
    }
}

int main(int argc, char **argv)
{
    int ret;

    error_init("qomu");
    main_loop_init();
    events = g_string_new(NULL);
    block_event_set_handler(record_event, NULL);
    harness_add("/aio-engines/threads/buffered", test_threads_buffered);
    harness_add("/aio-engines/threads/direct", test_threads_direct);
    harness_add("/aio-engines/io_uring/buffered", test_io_uring_buffered);
    harness_add("/aio-engines/io_uring/direct", test_io_uring_direct);
    harness_add("/aio-engines/native/direct", test_native_direct);
    harness_add("/aio-engines/threads/workers", test_thread_pool_workers);
    harness_add("/aio-engines/error-action/threads", test_actions_threads);
    harness_add("/aio-engines/error-action/io_uring", test_actions_io_uring);
    harness_add("/aio-engines/error-action/native", test_actions_native);
    harness_add("/aio-engines/flush-error", test_flush_error);
    ret = harness_run(argc, argv);
    block_event_set_handler(NULL, NULL);
    g_string_free(events, true);
    bt_dirs_cleanup();
    return ret;
}
