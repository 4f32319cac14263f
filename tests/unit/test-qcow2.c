/*
 * test-qcow2.c - the qcow2 driver (block/qcow2.c): creation, reopen,
 * I/O across cluster boundaries, allocation and refcount table growth,
 * zero clusters, discard, backing files, compressed clusters, images
 * made by qemu-img (v2/v3, several cluster sizes, with backing), lazy
 * refcounts with a dirty image repaired at open, corrupt headers, and
 * the overlap check.  Every image written is verified with Debian's
 * qemu-img (check, compare against a raw reference); without qemu-img
 * the suite is skipped.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/main-loop.h"
#include "util/error-report.h"
#include "block/block-int.h"
#include "block/qcow2.h"
#include "harness.h"

#include <fcntl.h>
#include <sys/wait.h>

static char *tdir;

static char *tpath(const char *name)
{
    return g_build_filename(tdir, name, NULL);
}

/* Run a shell command line; its exit status, output in *@out if given */
static int run(char **out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int run(char **out, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    g_autofree char *o = NULL, *e = NULL;
    int status = -1;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!g_spawn_command_line_sync(cmd, &o, &e, &status, NULL)) {
        return -1;
    }
    if (out) {
        *out = g_strconcat(o, e, NULL);
    }
    if (!WIFEXITED(status)) {
        return -1;
    }
    if (WEXITSTATUS(status) && !out) {
        fprintf(stderr, "'%s' failed:\n%s%s", cmd, o, e);
    }
    return WEXITSTATUS(status);
}

static void assert_check_clean(const char *path)
{
    g_autofree char *out = NULL;
    int ret = run(&out, "qemu-img check -f qcow2 %s", path);

    if (ret != 0 || !strstr(out, "No errors were found on the image.")) {
        fprintf(stderr, "qemu-img check %s: %d\n%s", path, ret, out);
    }
    CU_ASSERT_EQUAL(ret, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "No errors were found"));
}

static void assert_same(const char *qcow2, const uint8_t *ref, size_t size)
{
    g_autofree char *raw = g_strdup_printf("%s.ref", qcow2);

    CU_ASSERT_TRUE(g_file_set_contents(raw, (const char *)ref, size, NULL));
    CU_ASSERT_EQUAL(run(NULL, "qemu-img compare -f qcow2 -F raw %s %s",
                        qcow2, raw), 0);
    unlink(raw);
}

static BlockDriverState *q_open(const char *path, bool rw, const char *k,
                                const char *v, Error **errp)
{
    BlockOptions *o = bopts_new();

    bopts_set(o, "driver", "qcow2");
    if (k) {
        bopts_set(o, k, v);
    }
    return bdrv_open(path, o, rw ? BDRV_O_RDWR : 0, errp);
}

static void fill(GRand *r, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = g_rand_int(r);
    }
}

/* Random writes mirrored into @ref, then read everything back. */
static void random_io(BlockDriverState *bs, uint8_t *ref, uint64_t size,
                      int nwrites, uint32_t maxlen, uint32_t seed)
{
    GRand *r = g_rand_new_with_seed(seed);
    g_autofree uint8_t *buf = g_malloc(maxlen);
    g_autofree uint8_t *back = g_malloc(size);

    for (int i = 0; i < nwrites; i++) {
        uint32_t len = g_rand_int_range(r, 1, maxlen + 1);
        uint64_t off = g_rand_int_range(r, 0, size - len + 1);

        fill(r, buf, len);
        CU_ASSERT_EQUAL_FATAL(bdrv_pwrite(bs, off, len, buf, 0), 0);
        memcpy(ref + off, buf, len);
    }
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    g_rand_free(r);
}

/* --- create ------------------------------------------------------------- */

static void test_create_matches_qemu_img(void)
{
    static const struct { const char *qopts; Qcow2CreateOptions o; } t[] = {
        { "", { .size = 1 << 30 } },
        { "-o compat=0.10", { .size = 1 << 30, .version = 2 } },
        { "-o cluster_size=4096", { .size = 100 << 20,
                                    .cluster_size = 4096 } },
        { "-o lazy_refcounts=on", { .size = 1 << 20,
                                    .lazy_refcounts = true } },
        { "-o cluster_size=2M", { .size = 10 << 20,
                                  .cluster_size = 2 << 20 } },
        { "", { .size = 0 } },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        g_autofree char *a = tpath("mine.qcow2");
        g_autofree char *b = tpath("theirs.qcow2");

        CU_ASSERT_TRUE(qcow2_create(a, &t[i].o, &error_abort));
        CU_ASSERT_EQUAL(run(NULL, "qemu-img create -q -f qcow2 %s %s %"
                            PRIu64, t[i].qopts, b, t[i].o.size), 0);
        if (run(NULL, "cmp %s %s", a, b) != 0) {
            fprintf(stderr, "differs from qemu-img: '%s'\n", t[i].qopts);
            CU_FAIL("image differs from qemu-img's");
        }
        assert_check_clean(a);
    }
}

static void test_create_errors(void)
{
    g_autofree char *p = tpath("err.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 1000 };
    Error *err = NULL;

    CU_ASSERT_FALSE(qcow2_create(p, &o, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Cluster size must be a "
                           "power of two between 512 and 2048k");
    error_free(err);
    err = NULL;
    o = (Qcow2CreateOptions) { .size = 1 << 20, .version = 2,
                               .lazy_refcounts = true };
    CU_ASSERT_FALSE(qcow2_create(p, &o, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(error_get_pretty(err), "Lazy refcounts"));
    error_free(err);
    err = NULL;
    o = (Qcow2CreateOptions) { .size = 1 << 20, .backing_fmt = "raw" };
    CU_ASSERT_FALSE(qcow2_create(p, &o, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Backing format cannot be "
                           "used without backing file");
    error_free(err);
}

static void test_create_reopen_info(void)
{
    g_autofree char *p = tpath("info.qcow2");
    Qcow2CreateOptions o = { .size = 64 << 20, .cluster_size = 65536 };
    BlockDriverState *bs;
    Qcow2Info info;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_STRING_EQUAL(bdrv_get_format_name(bs), "qcow2");
    CU_ASSERT_EQUAL(bdrv_getlength(bs), 64 << 20);
    CU_ASSERT_TRUE(qcow2_get_info(bs, &info));
    CU_ASSERT_EQUAL(info.virtual_size, 64 << 20);
    CU_ASSERT_EQUAL(info.cluster_size, 65536);
    CU_ASSERT_EQUAL(info.version, 3);
    CU_ASSERT_STRING_EQUAL(info.compat, "1.1");
    CU_ASSERT_PTR_NULL(info.backing_file);
    CU_ASSERT_FALSE(info.corrupt);
    CU_ASSERT_FALSE(info.dirty);
    CU_ASSERT_EQUAL(info.refcount_bits, 16);
    CU_ASSERT_FALSE(qcow2_get_info(bdrv_file_bs(bs), &info));
    bdrv_unref(bs);
}

/* --- I/O ---------------------------------------------------------------- */

static void roundtrip(int version, uint32_t cs, uint64_t size, int nwrites,
                      uint32_t maxlen)
{
    g_autofree char *p = tpath("rt.qcow2");
    g_autofree uint8_t *ref = g_malloc0(size);
    Qcow2CreateOptions o = { .size = size, .cluster_size = cs,
                             .version = version };
    BlockDriverState *bs;
    Qcow2CheckResult res;

    CU_ASSERT_TRUE_FATAL(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    random_io(bs, ref, size, nwrites, maxlen, cs + version);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_EQUAL(res.corruptions, 0);
    CU_ASSERT_EQUAL(res.leaks, 0);
    CU_ASSERT_TRUE(res.allocated_clusters > 0);
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, size);

    /* reopen, read again */
    bs = q_open(p, false, NULL, NULL, &error_abort);
    {
        g_autofree uint8_t *back = g_malloc(size);

        CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
        CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    }
    bdrv_unref(bs);
}

static void test_rw_v3_64k(void)
{
    roundtrip(3, 65536, 8 << 20, 200, 200000);
}

static void test_rw_v2_4k(void)
{
    roundtrip(2, 4096, 4 << 20, 300, 20000);
}

/* 512-byte clusters: the refcount table (64 entries x 256 clusters)
 * must grow past 8 MiB of image */
static void test_rw_512_reftable_growth(void)
{
    roundtrip(3, 512, 12 << 20, 40, 1 << 20);
}

static void test_rw_2m(void)
{
    roundtrip(3, 2 << 20, 16 << 20, 30, 3 << 20);
}

/* Many requests at once: the queue serialises them */
static int done_count;
static void count_cb(void *opaque, int ret)
{
    CU_ASSERT_EQUAL(ret, 0);
    done_count++;
}

static void test_concurrent(void)
{
    g_autofree char *p = tpath("conc.qcow2");
    Qcow2CreateOptions o = { .size = 4 << 20, .cluster_size = 4096 };
    enum { N = 64, LEN = 6000 };
    g_autofree uint8_t *ref = g_malloc0(4 << 20);
    g_autofree uint8_t *back = g_malloc0(4 << 20);
    uint8_t *bufs[N];
    QEMUIOVector qiov[N];
    BlockDriverState *bs;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    done_count = 0;
    for (int i = 0; i < N; i++) {
        bufs[i] = g_malloc(LEN);
        memset(bufs[i], i + 1, LEN);
        memcpy(ref + i * 65000, bufs[i], LEN);
        qemu_iovec_init_buf(&qiov[i], bufs[i], LEN);
        bdrv_aio_pwritev(bs, i * 65000, LEN, &qiov[i], 0, count_cb, NULL);
    }
    bdrv_aio_flush(bs, count_cb, NULL);
    bdrv_drain(bs);
    CU_ASSERT_EQUAL(done_count, N + 1);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, 4 << 20, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, 4 << 20), 0);
    for (int i = 0; i < N; i++) {
        g_free(bufs[i]);
    }
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, 4 << 20);
}

/* A completion that drains the node (blk_drain from a device's
 * completion handler) while more requests are queued behind it */
static BlockDriverState *drain_bs;
static void drain_cb(void *opaque, int ret)
{
    CU_ASSERT_EQUAL(ret, 0);
    if (done_count++ == 0) {
        bdrv_drain(drain_bs);
        CU_ASSERT_EQUAL(done_count, 8);
    }
}

static void test_drain_in_callback(void)
{
    g_autofree char *p = tpath("drain.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20 };
    uint8_t buf[4096];
    QEMUIOVector qiov;

    memset(buf, 0x42, sizeof(buf));
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    drain_bs = q_open(p, true, NULL, NULL, &error_abort);
    done_count = 0;
    for (int i = 0; i < 8; i++) {
        bdrv_aio_pwritev(drain_bs, i * 70000, 4096, &qiov, 0, drain_cb,
                         NULL);
    }
    bdrv_drain(drain_bs);
    CU_ASSERT_EQUAL(done_count, 8);
    bdrv_unref(drain_bs);
    assert_check_clean(p);
}

static void test_zero_clusters(void)
{
    g_autofree char *p = tpath("zero.qcow2");
    uint64_t size = 2 << 20;
    g_autofree uint8_t *ref = g_malloc0(size);
    g_autofree uint8_t *back = g_malloc0(size);
    Qcow2CreateOptions o = { .size = size, .cluster_size = 65536 };
    BlockDriverState *bs;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    memset(ref, 0x5a, size);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, size, ref, 0), 0);
    /* whole clusters: zero flag (allocation kept), then unmapped */
    {
        BdrvSyncOp op = { 0 };

        bdrv_aio_pwrite_zeroes(bs, 65536, 3 * 65536, 0, bdrv_sync_op_done,
                               &op);
        CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
        memset(ref + 65536, 0, 3 * 65536);
        op = (BdrvSyncOp) { 0 };
        bdrv_aio_pwrite_zeroes(bs, 10 * 65536, 2 * 65536, BDRV_REQ_MAY_UNMAP,
                               bdrv_sync_op_done, &op);
        CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
        memset(ref + 10 * 65536, 0, 2 * 65536);
        /* unaligned: the generic layer writes zero buffers */
        op = (BdrvSyncOp) { 0 };
        bdrv_aio_pwrite_zeroes(bs, 20 * 65536 + 100, 5000, 0,
                               bdrv_sync_op_done, &op);
        CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
        memset(ref + 20 * 65536 + 100, 0, 5000);
    }
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    /* write into a zero cluster (preallocated) and an unmapped one */
    memset(ref + 65536 + 10, 0x77, 100);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 65536 + 10, 100, ref + 65536 + 10, 0),
                    0);
    memset(ref + 10 * 65536 + 10, 0x78, 100);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 10 * 65536 + 10, 100,
                                ref + 10 * 65536 + 10, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, size);
    {
        g_autofree char *out = NULL;

        run(&out, "qemu-img map --output=json -f qcow2 %s", p);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"zero\": true"));
    }
}

static void test_discard(void)
{
    g_autofree char *p = tpath("discard.qcow2");
    uint64_t size = 1 << 20;
    g_autofree uint8_t *ref = g_malloc0(size);
    g_autofree uint8_t *back = g_malloc0(size);
    Qcow2CreateOptions o = { .size = size, .cluster_size = 4096 };
    BlockDriverState *bs;
    BdrvSyncOp op = { 0 };
    Qcow2CheckResult res;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, "discard", "unmap", &error_abort);
    memset(ref, 0x33, size);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, size, ref, 0), 0);
    bdrv_aio_pdiscard(bs, 4096 * 5 + 100, 4096 * 10, bdrv_sync_op_done, &op);
    CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
    memset(ref + 4096 * 6, 0, 4096 * 9);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    /* the freed clusters are reused by the next allocation */
    memset(ref + 4096 * 6, 0x44, 4096 * 9);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 4096 * 6, 4096 * 9, ref + 4096 * 6, 0),
                    0);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_EQUAL(res.corruptions + res.leaks, 0);
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, size);
}

/* --- backing ------------------------------------------------------------ */

static void test_backing_cow(void)
{
    g_autofree char *base = tpath("base.raw");
    g_autofree char *top = tpath("top.qcow2");
    uint64_t size = 1 << 20;
    g_autofree uint8_t *ref = g_malloc(size);
    g_autofree uint8_t *back = g_malloc(size);
    GRand *r = g_rand_new_with_seed(7);
    Qcow2CreateOptions o = { .size = size, .cluster_size = 65536,
                             .backing_file = "base.raw",
                             .backing_fmt = "raw" };
    BlockDriverState *bs;
    Qcow2Info info;

    fill(r, ref, size);
    g_rand_free(r);
    CU_ASSERT_TRUE(g_file_set_contents(base, (char *)ref, size, NULL));
    CU_ASSERT_TRUE(qcow2_create(top, &o, &error_abort));
    bs = q_open(top, true, NULL, NULL, &error_abort);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bdrv_backing_bs(bs));
    CU_ASSERT_TRUE(bdrv_is_read_only(bdrv_backing_bs(bs)));
    CU_ASSERT_TRUE(qcow2_get_info(bs, &info));
    CU_ASSERT_STRING_EQUAL(info.backing_file, "base.raw");
    CU_ASSERT_STRING_EQUAL(info.backing_fmt, "raw");
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    /* partial-cluster writes: the rest of the cluster comes from base */
    memset(ref + 70000, 0xee, 1000);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 70000, 1000, ref + 70000, 0), 0);
    memset(ref + 65536 * 3 - 10, 0xdd, 20);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 65536 * 3 - 10, 20,
                                ref + 65536 * 3 - 10, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    bdrv_unref(bs);
    assert_check_clean(top);
    assert_same(top, ref, size);
    {
        g_autofree char *out = NULL;

        run(&out, "qemu-img info %s", top);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "backing file: base.raw"));
    }
    /* backing=null: the header's backing file is not opened */
    bs = q_open(top, false, "backing", "null", &error_abort);
    CU_ASSERT_PTR_NULL(bdrv_backing_bs(bs));
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, 4096, back, 0), 0);
    CU_ASSERT_TRUE(buffer_is_zero(back, 4096));
    bdrv_unref(bs);
}

/* --- images made by qemu-img -------------------------------------------- */

static void qemu_img_image(const char *opts, uint64_t size, bool backing)
{
    g_autofree char *p = tpath("qi.qcow2");
    g_autofree char *base = tpath("qi-base.qcow2");
    g_autofree uint8_t *ref = g_malloc0(size);
    BlockDriverState *bs;

    if (backing) {
        /* a qcow2 base with data written by qemu-io-less means: convert */
        g_autofree char *raw = tpath("qi-base.raw");
        GRand *r = g_rand_new_with_seed(99);

        for (uint64_t i = 0; i < size; i += 4096) {
            if (g_rand_int_range(r, 0, 3) == 0) {
                fill(r, ref + i, 4096);
            }
        }
        g_rand_free(r);
        CU_ASSERT_TRUE(g_file_set_contents(raw, (char *)ref, size, NULL));
        CU_ASSERT_EQUAL(run(NULL, "qemu-img convert -O qcow2 %s %s %s",
                            opts, raw, base), 0);
        CU_ASSERT_EQUAL(run(NULL, "qemu-img create -q -f qcow2 %s -b %s "
                            "-F qcow2 %s", opts, base, p), 0);
    } else {
        CU_ASSERT_EQUAL(run(NULL, "qemu-img create -q -f qcow2 %s %s %"
                            PRIu64, opts, p, size), 0);
    }
    bs = q_open(p, true, NULL, NULL, &error_abort);
    random_io(bs, ref, size, 100, 100000, 1234);
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, size);
}

static void test_qemu_img_v3(void)
{
    qemu_img_image("", 8 << 20, false);
}

static void test_qemu_img_v2(void)
{
    qemu_img_image("-o compat=0.10", 8 << 20, false);
}

static void test_qemu_img_512(void)
{
    qemu_img_image("-o cluster_size=512", 4 << 20, false);
}

static void test_qemu_img_2m(void)
{
    qemu_img_image("-o cluster_size=2M", 12 << 20, false);
}

static void test_qemu_img_backing(void)
{
    qemu_img_image("-o cluster_size=16k", 4 << 20, true);
}

static void test_qemu_img_backing_v2(void)
{
    qemu_img_image("-o compat=0.10", 4 << 20, true);
}

static void test_compressed(void)
{
    g_autofree char *raw = tpath("c.raw");
    g_autofree char *p = tpath("c.qcow2");
    uint64_t size = 2 << 20;
    g_autofree uint8_t *ref = g_malloc0(size);
    g_autofree uint8_t *back = g_malloc0(size);
    BlockDriverState *bs;
    Qcow2CheckResult res;

    for (uint64_t i = 0; i < size; i++) {
        ref[i] = (i / 1000) * 7 + (i % 13 == 0);
    }
    CU_ASSERT_TRUE(g_file_set_contents(raw, (char *)ref, size, NULL));
    CU_ASSERT_EQUAL(run(NULL, "qemu-img convert -c -O qcow2 -o "
                        "cluster_size=65536 %s %s", raw, p), 0);
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_TRUE(res.compressed_clusters > 0);
    CU_ASSERT_EQUAL(res.corruptions + res.leaks, 0);
    /* writing a compressed cluster copies it out */
    memset(ref + 100000, 0xab, 300);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 100000, 300, ref + 100000, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, size);
}

/* --- lazy refcounts ----------------------------------------------------- */

static void patch(const char *path, off_t off, const void *buf, size_t len);

/* What a crash with lazy refcounts leaves: the dirty bit set and
 * refcounts behind the L2 tables (here: the data cluster's refcount and
 * the L2 table's never written).  A read-write open repairs it. */
static void test_lazy_refcounts_repair(void)
{
    g_autofree char *p = tpath("lazy.qcow2");
    uint64_t size = 1 << 20;
    g_autofree uint8_t *ref = g_malloc0(size);
    Qcow2CreateOptions o = { .size = size, .cluster_size = 4096,
                             .lazy_refcounts = true };
    BlockDriverState *bs;
    Qcow2Info info;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    memset(ref + 5000, 0x61, 30000);
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 5000, 30000, ref + 5000, 0), 0);
    bdrv_unref(bs);
    /* clusters 0-3: header, reftable, refblock, L1; 4: L2; 5..: data */
    patch(p, 2 * 4096 + 2 * 4, "\0\0\0\0\0\0", 6);
    patch(p, 79, "\1", 1);
    {
        g_autofree char *out = NULL;

        /* qemu-img sees the missing refcounts (exit 2: corruptions) */
        CU_ASSERT_EQUAL(run(&out, "qemu-img check -f qcow2 %s", p), 2);
    }
    bs = q_open(p, false, NULL, NULL, &error_abort);
    CU_ASSERT_TRUE(qcow2_get_info(bs, &info));
    CU_ASSERT_TRUE(info.dirty);
    CU_ASSERT_TRUE(info.lazy_refcounts);
    bdrv_unref(bs);
    /* read-write open repairs it */
    bs = q_open(p, true, NULL, NULL, &error_abort);
    bdrv_unref(bs);
    assert_check_clean(p);
    assert_same(p, ref, size);
    bs = q_open(p, false, NULL, NULL, &error_abort);
    CU_ASSERT_TRUE(qcow2_get_info(bs, &info));
    CU_ASSERT_FALSE(info.dirty);
    bdrv_unref(bs);
}

/* A clean close of a lazy image clears the dirty bit */
static void test_lazy_refcounts_clean_close(void)
{
    g_autofree char *p = tpath("lazy2.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .lazy_refcounts = true };
    BlockDriverState *bs;
    uint8_t buf[512];

    memset(buf, 1, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, 512, buf, 0), 0);
    bdrv_unref(bs);
    assert_check_clean(p);
}

/* --- corrupt images ----------------------------------------------------- */

static void patch(const char *path, off_t off, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY);

    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(pwrite(fd, buf, len, off), (ssize_t)len);
    close(fd);
}

static void patch_be32(const char *path, off_t off, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    patch(path, off, &v, 4);
}

static void patch_be64(const char *path, off_t off, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    patch(path, off, &v, 8);
}

static void expect_open_error(const char *path, bool rw, const char *msg)
{
    Error *err = NULL;
    BlockDriverState *bs = q_open(path, rw, NULL, NULL, &err);

    CU_ASSERT_PTR_NULL(bs);
    if (bs) {
        bdrv_unref(bs);
        return;
    }
    if (strcmp(error_get_pretty(err), msg)) {
        fprintf(stderr, "got '%s', want '%s'\n", error_get_pretty(err), msg);
    }
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), msg);
    error_free(err);
}

static void test_corrupt_headers(void)
{
    g_autofree char *p = tpath("bad.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 30 };
    static const struct {
        off_t off;
        int width;
        uint64_t value;
        const char *msg;
    } t[] = {
        { 0, 4, 0x12345678, "Image is not in qcow2 format" },
        { 4, 4, 4, "Unsupported qcow2 version 4" },
        { 4, 4, 1, "Unsupported qcow2 version 1" },
        { 20, 4, 8, "Unsupported cluster size: 2^8" },
        { 20, 4, 30, "Unsupported cluster size: 2^30" },
        { 100, 4, 50, "qcow2 header too short" },
        { 100, 4, 70000, "qcow2 header exceeds cluster size" },
        { 8, 8, 70000, "Invalid backing file offset" },
        { 36, 4, 1, "L1 table is too small" },
        { 36, 4, 0x1000000, "Active L1 table too large" },
        { 40, 8, 0x30001, "L1 table offset invalid" },
        { 40, 8, 0x7fffffffffff0000ULL, "L1 table offset invalid" },
        { 48, 8, 0x10001, "Reference count table offset invalid" },
        { 48, 8, 0x7fffffffffff0000ULL,
          "Reference count table offset invalid" },
        { 56, 4, 0x10000000, "Reference count table too large" },
        { 96, 4, 7, "Reference count entry width too large; may not exceed "
          "64 bits" },
        { 72, 8, 2, "qcow2: Image is corrupt; cannot be opened read/write" },
        { 72, 8, 4, "Unsupported qcow2 feature(s): external data file" },
        { 72, 8, 0x8000000000000000ULL, "Unsupported qcow2 feature(s): "
          "Unknown incompatible feature: 8000000000000000" },
        { 96, 4, 5, "Unsupported refcount width: 32 bits (qomu supports "
          "16 bits only)" },
        { 60, 4, 70000, "Too many snapshots" },
        { 112 + 4, 4, 0x100000, "Header extension too large" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        CU_ASSERT_TRUE_FATAL(qcow2_create(p, &o, &error_abort));
        if (t[i].width == 4) {
            patch_be32(p, t[i].off, t[i].value);
        } else {
            patch_be64(p, t[i].off, t[i].value);
        }
        expect_open_error(p, true, t[i].msg);
    }
}

/* Pointing an L2 entry at metadata: the write is refused, the image is
 * marked corrupt (and then cannot be opened read-write). */
static void overlap_case(uint64_t target)
{
    g_autofree char *p = tpath("ol.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 65536 };
    uint8_t buf[4096];
    BlockDriverState *bs;
    uint8_t hdr[80];
    int fd;

    memset(buf, 0x11, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, 4096, buf, 0), 0);
    bdrv_unref(bs);
    /* L2 table is cluster 4 (after header, reftable, refblock, L1) */
    patch_be64(p, 4 * 65536, target | (1ULL << 63));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, 4096, buf, 0), -EIO);
    /* and everything after it fails */
    CU_ASSERT_EQUAL(bdrv_pread(bs, 65536, 512, buf, 0), -EIO);
    bdrv_unref(bs);
    fd = open(p, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
    close(fd);
    CU_ASSERT_EQUAL(hdr[79] & 2, 2);
    expect_open_error(p, true,
                      "qcow2: Image is corrupt; cannot be opened read/write");
    /* still readable read-only; the reference table is intact */
    bs = q_open(p, false, NULL, NULL, &error_abort);
    bdrv_unref(bs);
}

static void test_overlap_l1(void)
{
    overlap_case(3 * 65536);
}

static void test_overlap_reftable(void)
{
    overlap_case(1 * 65536);
}

static void test_overlap_refblock(void)
{
    overlap_case(2 * 65536);
}

static void test_zero_in_v2_is_corruption(void)
{
    g_autofree char *p = tpath("z2.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .version = 2 };
    uint8_t buf[512] = { 1 };
    BlockDriverState *bs;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, 512, buf, 0), 0);
    bdrv_unref(bs);
    patch_be64(p, 4 * 65536, 5 * 65536 | 1);
    bs = q_open(p, false, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, 512, buf, 0), -EIO);
    bdrv_unref(bs);
}

static void test_probe(void)
{
    uint8_t buf[512] = { 0 };
    g_autofree char *p = tpath("probe.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20 };
    int fd;

    CU_ASSERT_EQUAL(qcow2_probe(buf, sizeof(buf), "x"), 0);
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    fd = open(p, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
    close(fd);
    CU_ASSERT_EQUAL(qcow2_probe(buf, sizeof(buf), "x"), 100);
    CU_ASSERT_EQUAL(qcow2_probe(buf, 50, "x"), 0);
}

/* Random damage to the metadata of an image with data: opening,
 * reading, writing, checking and closing must fail cleanly, never crash
 * (a small in-tree version of a fuzzer; run it under ASan). */
static void test_corrupt_random(void)
{
    g_autofree char *good = tpath("fz-good.qcow2");
    g_autofree char *p = tpath("fz.qcow2");
    Qcow2CreateOptions o = { .size = 4 << 20, .cluster_size = 4096 };
    g_autofree uint8_t *img = NULL;
    g_autofree uint8_t *buf = g_malloc(65536);
    GRand *r = g_rand_new_with_seed(2024);
    gsize len;
    BlockDriverState *bs;
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);

    CU_ASSERT_TRUE(qcow2_create(good, &o, &error_abort));
    bs = q_open(good, true, NULL, NULL, &error_abort);
    for (int i = 0; i < 20; i++) {
        memset(buf, i, 8192);
        CU_ASSERT_EQUAL(bdrv_pwrite(bs, i * 200000, 8192, buf, 0), 0);
    }
    bdrv_unref(bs);
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(good, (char **)&img, &len,
                                             NULL));
    dup2(devnull, 2);
    for (int iter = 0; iter < 300; iter++) {
        g_autofree uint8_t *bad = g_memdup2(img, len);
        int flips = g_rand_int_range(r, 1, 8);
        Error *err = NULL;

        for (int f = 0; f < flips; f++) {
            /* mostly the metadata clusters at the start */
            gsize at = g_rand_int_range(r, 0, MIN(len, 8 * 4096));

            bad[at] = g_rand_int(r);
        }
        CU_ASSERT_TRUE(g_file_set_contents(p, (char *)bad, len, NULL));
        bs = q_open(p, true, NULL, NULL, &err);
        if (!bs) {
            error_free(err);
            continue;
        }
        for (int i = 0; i < 8; i++) {
            uint64_t off = g_rand_int_range(r, 0, (4 << 20) - 65536);

            bdrv_pread(bs, off, 65536, buf, 0);
            bdrv_pwrite(bs, off, 5000, buf, 0);
        }
        {
            Qcow2CheckResult res;

            qcow2_check(bs, &res, false, NULL);
        }
        bdrv_unref(bs);
    }
    dup2(saved, 2);
    close(saved);
    close(devnull);
    g_rand_free(r);
}

/*
 * Crash at every point: the image file is copied after each write the
 * driver makes (what a crash there leaves, page cache included) during a
 * workload of allocating writes, partial-cluster writes, discards,
 * write-zeroes and flushes; qemu-img check must find no corruption in
 * any copy (leaked clusters are allowed: exit status 0 or 3).
 */
static const char *crash_src;
static int crash_n;

static void crash_hook(BlockDriverState *bs)
{
    g_autofree char *dst = NULL;
    g_autofree char *data = NULL;
    gsize len;

    if (crash_n >= 400) {
        return;
    }
    dst = g_strdup_printf("%s.crash%03d", crash_src, crash_n++);
    CU_ASSERT_TRUE(g_file_get_contents(crash_src, &data, &len, NULL));
    CU_ASSERT_TRUE(g_file_set_contents(dst, data, len, NULL));
}

static void crash_workload(uint32_t cs, bool backing)
{
    g_autofree char *p = tpath("crash.qcow2");
    g_autofree char *base = tpath("crash-base.raw");
    uint64_t size = 4 << 20;
    Qcow2CreateOptions o = { .size = size, .cluster_size = cs,
                             .backing_file = backing ? base : NULL };
    g_autofree uint8_t *buf = g_malloc(200000);
    GRand *r = g_rand_new_with_seed(cs);
    BlockDriverState *bs;
    int bad = 0;

    if (backing) {
        g_autofree uint8_t *b = g_malloc(size);

        memset(b, 0xbb, size);
        CU_ASSERT_TRUE(g_file_set_contents(base, (char *)b, size, NULL));
        o.backing_fmt = "raw";
    }
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, "discard", "unmap", &error_abort);
    crash_src = p;
    crash_n = 0;
    qcow2_debug_write_hook = crash_hook;
    for (int i = 0; i < 60 && crash_n < 400; i++) {
        uint32_t len = g_rand_int_range(r, 1, 200000);
        uint64_t off = g_rand_int_range(r, 0, size - len);
        BdrvSyncOp op = { 0 };

        switch (g_rand_int_range(r, 0, 6)) {
        case 0:
            bdrv_aio_pdiscard(bs, off, len, bdrv_sync_op_done, &op);
            bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op);
            break;
        case 1:
            bdrv_aio_pwrite_zeroes(bs, off, len,
                                   g_rand_boolean(r) ? BDRV_REQ_MAY_UNMAP : 0,
                                   bdrv_sync_op_done, &op);
            CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op),
                            0);
            break;
        case 2:
            CU_ASSERT_EQUAL(bdrv_flush(bs), 0);
            break;
        default:
            fill(r, buf, len);
            CU_ASSERT_EQUAL(bdrv_pwrite(bs, off, len, buf, 0), 0);
        }
    }
    bdrv_unref(bs);
    qcow2_debug_write_hook = NULL;
    CU_ASSERT_TRUE(crash_n > 20);
    printf("(%d crash points) ", crash_n);
    for (int i = 0; i < crash_n; i++) {
        g_autofree char *c = g_strdup_printf("%s.crash%03d", p, i);
        g_autofree char *out = NULL;
        int ret = run(&out, "qemu-img check -f qcow2 %s", c);

        if (ret != 0 && ret != 3) {
            if (bad++ < 3) {
                fprintf(stderr, "crash point %d: qemu-img check %d\n%s", i,
                        ret, out);
            }
        }
        unlink(c);
    }
    CU_ASSERT_EQUAL(bad, 0);
    g_rand_free(r);
}

static void test_crash_points_4k(void)
{
    crash_workload(4096, false);
}

static void test_crash_points_64k_backing(void)
{
    crash_workload(65536, true);
}

/* Autoclear features (a persistent bitmap here) are cleared by qomu's
 * first read-write open: QEMU then ignores the stale bitmap. */
static void test_autoclear_bitmaps(void)
{
    g_autofree char *p = tpath("bm.qcow2");
    g_autofree char *out = NULL;
    uint8_t buf[4096] = { 7 };
    BlockDriverState *bs;
    int ret;

    CU_ASSERT_EQUAL(run(NULL, "qemu-img create -q -f qcow2 %s 1M", p), 0);
    if (run(NULL, "qemu-img bitmap --add %s b0", p) != 0) {
        return;
    }
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, sizeof(buf), buf, 0), 0);
    bdrv_unref(bs);
    ret = run(&out, "qemu-img check -f qcow2 %s", p);
    CU_ASSERT_TRUE(ret == 0 || ret == 3);     /* leaks at most */
    g_free(out);
    out = NULL;
    run(&out, "qemu-img info %s", p);
    CU_ASSERT_PTR_NULL(strstr(out, "b0"));
}

static void test_check_reports_leak(void)
{
    g_autofree char *p = tpath("leak.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 65536 };
    BlockDriverState *bs;
    Qcow2CheckResult res;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    /* refcount 2 for the L1 table's cluster (3), referenced once */
    patch(p, 2 * 65536 + 6, "\0\2", 2);
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_EQUAL(res.leaks, 1);
    CU_ASSERT_EQUAL(res.corruptions, 0);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, true, &error_abort), 0);
    CU_ASSERT_EQUAL(res.leaks, 0);
    CU_ASSERT_EQUAL(res.leaks_fixed, 1);
    bdrv_unref(bs);
    assert_check_clean(p);
}

int main(int argc, char **argv)
{
    g_autofree char *out = NULL;
    int ret;

    error_init("qomu");
    main_loop_init();
    if (run(&out, "qemu-img --version") != 0) {
        printf("SKIP: qemu-img (qemu-utils) is not installed\n");
        return 77;
    }
    tdir = g_dir_make_tmp("qomu-qcow2-XXXXXX", NULL);
    harness_add("/qcow2/create/matches-qemu-img",
                test_create_matches_qemu_img);
    harness_add("/qcow2/create/errors", test_create_errors);
    harness_add("/qcow2/create/reopen-info", test_create_reopen_info);
    harness_add("/qcow2/probe", test_probe);
    harness_add("/qcow2/rw/v3-64k", test_rw_v3_64k);
    harness_add("/qcow2/rw/v2-4k", test_rw_v2_4k);
    harness_add("/qcow2/rw/512-reftable-growth", test_rw_512_reftable_growth);
    harness_add("/qcow2/rw/2m", test_rw_2m);
    harness_add("/qcow2/rw/concurrent", test_concurrent);
    harness_add("/qcow2/rw/drain-in-callback", test_drain_in_callback);
    harness_add("/qcow2/zero-clusters", test_zero_clusters);
    harness_add("/qcow2/discard", test_discard);
    harness_add("/qcow2/backing/cow", test_backing_cow);
    harness_add("/qcow2/qemu-img/v3", test_qemu_img_v3);
    harness_add("/qcow2/qemu-img/v2", test_qemu_img_v2);
    harness_add("/qcow2/qemu-img/512", test_qemu_img_512);
    harness_add("/qcow2/qemu-img/2m", test_qemu_img_2m);
    harness_add("/qcow2/qemu-img/backing", test_qemu_img_backing);
    harness_add("/qcow2/qemu-img/backing-v2", test_qemu_img_backing_v2);
    harness_add("/qcow2/compressed", test_compressed);
    harness_add("/qcow2/lazy-refcounts/repair", test_lazy_refcounts_repair);
    harness_add("/qcow2/lazy-refcounts/clean-close",
                test_lazy_refcounts_clean_close);
    harness_add("/qcow2/corrupt/headers", test_corrupt_headers);
    harness_add("/qcow2/corrupt/zero-in-v2", test_zero_in_v2_is_corruption);
    harness_add("/qcow2/overlap/l1", test_overlap_l1);
    harness_add("/qcow2/overlap/reftable", test_overlap_reftable);
    harness_add("/qcow2/overlap/refblock", test_overlap_refblock);
    harness_add("/qcow2/check/leak", test_check_reports_leak);
    harness_add("/qcow2/autoclear-bitmaps", test_autoclear_bitmaps);
    harness_add("/qcow2/crash/every-write-4k", test_crash_points_4k);
    harness_add("/qcow2/crash/every-write-64k-backing",
                test_crash_points_64k_backing);
    harness_add("/qcow2/corrupt/random", test_corrupt_random);
    ret = harness_run(argc, argv);
    run(NULL, "rm -rf %s", tdir);
    g_free(tdir);
    return ret;
}
