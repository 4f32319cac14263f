/*
 * test-qcow2.c - the qcow2 driver (block/qcow2.c): creation, reopen,
 * I/O across cluster boundaries, allocation and refcount table growth,
 * zero clusters, discard, allocating writes (zeroed or merged COW, no
 * whole-cluster copy; runs of clusters), backing files, compressed
 * clusters, images made by qemu-img (v2/v3, several cluster sizes, with
 * backing), lazy refcounts with a dirty image repaired at open, corrupt
 * headers, and the overlap check.  Every image written is verified with Debian's
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
#include "capture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

/* Close @bs; then qemu-img finds @path clean and holding @ref. */
static void close_and_compare(BlockDriverState *bs, const char *path,
                              const uint8_t *ref, size_t size)
{
    bdrv_unref(bs);
    assert_check_clean(path);
    assert_same(path, ref, size);
}

/* @bs reads back @ref whole. */
static void assert_reads(BlockDriverState *bs, const uint8_t *ref,
                         size_t size)
{
    g_autofree uint8_t *back = g_malloc(size);

    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, size, back, 0), 0);
    CU_ASSERT_EQUAL(memcmp(back, ref, size), 0);
}

/* qomu's own check finds @bs clean. */
static void assert_qcow2_check_clean(BlockDriverState *bs)
{
    Qcow2CheckResult res;

    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_EQUAL(res.corruptions + res.leaks, 0);
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

    for (int i = 0; i < nwrites; i++) {
        uint32_t len = g_rand_int_range(r, 1, maxlen + 1);
        uint64_t off = g_rand_int_range(r, 0, size - len + 1);

        fill(r, buf, len);
        CU_ASSERT_EQUAL_FATAL(bdrv_pwrite(bs, off, len, buf, 0), 0);
        memcpy(ref + off, buf, len);
    }
    assert_reads(bs, ref, size);
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
        /* every refcount width (QEMU's refcount_order 0..6) */
        { "-o refcount_bits=1", { .size = 1 << 30, .refcount_bits = 1 } },
        { "-o refcount_bits=2,cluster_size=512",
          { .size = 1 << 20, .cluster_size = 512, .refcount_bits = 2 } },
        { "-o refcount_bits=4,cluster_size=4k",
          { .size = 100 << 20, .cluster_size = 4096, .refcount_bits = 4 } },
        { "-o refcount_bits=8,lazy_refcounts=on",
          { .size = 1 << 20, .refcount_bits = 8, .lazy_refcounts = true } },
        { "-o refcount_bits=32,cluster_size=2M",
          { .size = 10 << 20, .cluster_size = 2 << 20,
            .refcount_bits = 32 } },
        { "-o refcount_bits=64", { .size = 1 << 30, .refcount_bits = 64 } },
        { "-o refcount_bits=64,cluster_size=512",
          { .size = 8 << 20, .cluster_size = 512, .refcount_bits = 64 } },
        { "-o refcount_bits=64,cluster_size=4k",
          { .size = 64ULL << 30, .cluster_size = 4096,
            .refcount_bits = 64 } },
        { "-o refcount_bits=1,cluster_size=512",
          { .size = 0, .cluster_size = 512, .refcount_bits = 1 } },
        { "-o refcount_bits=16,compat=0.10",
          { .size = 1 << 20, .version = 2, .refcount_bits = 16 } },
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
    /* qemu-img create -o refcount_bits=3 (and 0, 128, -1) */
    for (int bits = -1; bits <= 128; bits++) {
        err = NULL;
        o = (Qcow2CreateOptions) { .size = 1 << 20, .refcount_bits = bits };
        if (bits == 0 || (bits > 0 && bits <= 64 && !(bits & (bits - 1)))) {
            continue;
        }
        CU_ASSERT_FALSE(qcow2_create(p, &o, &err));
        CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Refcount width must "
                               "be a power of two and may not exceed 64 "
                               "bits");
        error_free(err);
    }
    err = NULL;
    o = (Qcow2CreateOptions) { .size = 1 << 20, .version = 2,
                               .refcount_bits = 8 };
    CU_ASSERT_FALSE(qcow2_create(p, &o, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Different refcount widths "
                           "than 16 bits require compatibility level 1.1 or "
                           "above (use version=v3 or greater)");
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
    close_and_compare(bs, p, ref, size);

    /* reopen, read again */
    bs = q_open(p, false, NULL, NULL, &error_abort);
    {
        g_autofree uint8_t *back = g_malloc(size);

        assert_reads(bs, ref, size);
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
    assert_reads(bs, ref, 4 << 20);
    for (int i = 0; i < N; i++) {
        g_free(bufs[i]);
    }
    close_and_compare(bs, p, ref, 4 << 20);
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
    assert_reads(bs, ref, size);
    /* write into a zero cluster (preallocated) and an unmapped one */
    memset(ref + 65536 + 10, 0x77, 100);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 65536 + 10, 100, ref + 65536 + 10, 0),
                    0);
    memset(ref + 10 * 65536 + 10, 0x78, 100);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 10 * 65536 + 10, 100,
                                ref + 10 * 65536 + 10, 0), 0);
    assert_reads(bs, ref, size);
    close_and_compare(bs, p, ref, size);
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
    Qcow2CreateOptions o = { .size = size, .cluster_size = 4096 };
    BlockDriverState *bs;
    BdrvSyncOp op = { 0 };

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, "discard", "unmap", &error_abort);
    memset(ref, 0x33, size);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, size, ref, 0), 0);
    bdrv_aio_pdiscard(bs, 4096 * 5 + 100, 4096 * 10, bdrv_sync_op_done, &op);
    CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
    memset(ref + 4096 * 6, 0, 4096 * 9);
    assert_reads(bs, ref, size);
    /* the freed clusters are reused by the next allocation */
    memset(ref + 4096 * 6, 0x44, 4096 * 9);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 4096 * 6, 4096 * 9, ref + 4096 * 6, 0),
                    0);
    assert_qcow2_check_clean(bs);
    close_and_compare(bs, p, ref, size);
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
    assert_reads(bs, ref, size);
    /* partial-cluster writes: the rest of the cluster comes from base */
    memset(ref + 70000, 0xee, 1000);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 70000, 1000, ref + 70000, 0), 0);
    memset(ref + 65536 * 3 - 10, 0xdd, 20);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 65536 * 3 - 10, 20,
                                ref + 65536 * 3 - 10, 0), 0);
    assert_reads(bs, ref, size);
    close_and_compare(bs, top, ref, size);
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
    close_and_compare(bs, p, ref, size);
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
    BlockDriverState *bs;
    Qcow2CheckResult res;

    for (uint64_t i = 0; i < size; i++) {
        ref[i] = (i / 1000) * 7 + (i % 13 == 0);
    }
    CU_ASSERT_TRUE(g_file_set_contents(raw, (char *)ref, size, NULL));
    CU_ASSERT_EQUAL(run(NULL, "qemu-img convert -c -O qcow2 -o "
                        "cluster_size=65536 %s %s", raw, p), 0);
    bs = q_open(p, true, NULL, NULL, &error_abort);
    assert_reads(bs, ref, size);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_TRUE(res.compressed_clusters > 0);
    CU_ASSERT_EQUAL(res.corruptions + res.leaks, 0);
    /* writing a compressed cluster copies it out */
    memset(ref + 100000, 0xab, 300);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 100000, 300, ref + 100000, 0), 0);
    assert_reads(bs, ref, size);
    close_and_compare(bs, p, ref, size);
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
    close_and_compare(bs, p, ref, size);
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
        { 40, 8, 0x30001, "Active L1 table offset invalid" },
        { 40, 8, 0x7fffffffffff0000ULL, "L1 table offset invalid" },
        { 48, 8, 0x10001, "Reference count table offset invalid" },
        { 48, 8, 0x7fffffffffff0000ULL,
          "Reference count table offset invalid" },
        { 56, 4, 0x10000000, "Reference count table too large" },
        { 96, 4, 7, "Reference count entry width too large; may not exceed "
          "64 bits" },
        /* unsigned, as in QEMU (found by tests/fuzz/qcow2-fuzz.c) */
        { 96, 4, 0xffff0004, "Reference count entry width too large; may "
          "not exceed 64 bits" },
        { 72, 8, 2, "qcow2: Image is corrupt; cannot be opened read/write" },
        { 72, 8, 4, "Unsupported qcow2 feature(s): external data file" },
        { 72, 8, 0x8000000000000000ULL, "Unsupported qcow2 feature(s): "
          "Unknown incompatible feature: 8000000000000000" },
        { 60, 4, 70000, "Too many snapshots" },
        { 112 + 4, 4, 0x100000, "Header extension too large" },
        /* an extension header cut by the end of the cluster: QEMU
         * reads on past it and refuses it the same way */
        { 100, 4, 65532, "Header extension too large" },
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

static uint64_t file_be64(const char *path, off_t off)
{
    uint64_t v = 0;
    int fd = open(path, O_RDONLY);

    CU_ASSERT_EQUAL(pread(fd, &v, 8, off), 8);
    close(fd);
    return GUINT64_FROM_BE(v);
}

/*
 * The overlap check knows refcount blocks created while the image is
 * open (its loop over the refcount table stops after the last entry in
 * use): an L2 entry pointed at one this session made is refused.
 */
static void test_overlap_new_refblock(void)
{
    g_autofree char *p = tpath("olnew.qcow2");
    Qcow2CreateOptions o = { .size = 4 << 20, .cluster_size = 512 };
    g_autofree uint8_t *buf = g_malloc0(200 * 1024);
    uint64_t x = 3 << 20, l2, rb;
    BlockDriverState *bs;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, x, 512, buf, 0), 0);
    bdrv_unref(bs);
    /* 200 KiB of 512 B clusters: refcount blocks past the first one */
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, 200 * 1024, buf, 0), 0);
    l2 = file_be64(p, file_be64(p, 40) + 8 * (x >> 15)) &
         0x00fffffffffffe00ULL;
    rb = file_be64(p, file_be64(p, 48) + 8);
    CU_ASSERT_TRUE_FATAL(rb != 0 && l2 != 0);
    /* x's L2 table is not in this session's cache: it is read anew */
    patch_be64(p, l2, rb | (1ULL << 63));
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, x, 512, buf, 0), -EIO);
    bdrv_unref(bs);
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

/* --- allocating writes --------------------------------------------------- */

static int alloc_writes;

static void count_writes_hook(BlockDriverState *bs)
{
    alloc_writes++;
}

static int64_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? st.st_size : -1;
}

static void q_discard(BlockDriverState *bs, int64_t off, int64_t len)
{
    BdrvSyncOp op = { 0 };

    bdrv_aio_pdiscard(bs, off, len, bdrv_sync_op_done, &op);
    CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
}

/*
 * A partial-cluster write into a fresh image: no copy-on-write of the
 * whole cluster (QEMU's handle_alloc_space).  Past the end of the file
 * nothing is zeroed: one write of the guest's bytes, the file grows by
 * just those; the rest of the cluster reads as zeroes.  A cluster reused
 * inside the file (after a discard) is zeroed first, so its stale data
 * never shows.
 */
static void test_alloc_zero_cow(void)
{
    g_autofree char *p = tpath("alloc.qcow2");
    uint64_t cs = 65536, size = 4 << 20;
    g_autofree uint8_t *ref = g_malloc0(size);
    Qcow2CreateOptions o = { .size = size, .cluster_size = cs };
    BlockDriverState *bs;
    int64_t before;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, "discard", "unmap", &error_abort);
    /* the L2 table exists first: the next allocation is a data cluster */
    memset(ref, 0x11, 512);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, 512, ref, 0), 0);
    CU_ASSERT_EQUAL(bdrv_flush(bs), 0);

    before = file_size(p);
    CU_ASSERT_EQUAL(before % cs, 512);  /* the first data cluster: 512 B */
    alloc_writes = 0;
    qcow2_debug_write_hook = count_writes_hook;
    memset(ref + 5 * cs + 8192, 0x22, 4096);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 5 * cs + 8192, 4096,
                                ref + 5 * cs + 8192, 0), 0);
    qcow2_debug_write_hook = NULL;
    CU_ASSERT_EQUAL(alloc_writes, 1);   /* the data, nothing else */
    /* the new cluster starts at the next cluster boundary of the file;
     * the file ends right after the guest's bytes */
    CU_ASSERT_EQUAL(file_size(p), (before + cs - 1) / cs * cs + 8192 + 4096);
    assert_reads(bs, ref, size);
    assert_qcow2_check_clean(bs);

    /* stale data in a freed cluster: fill one, discard it, allocate */
    memset(ref + 8 * cs, 0xaa, cs);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 8 * cs, cs, ref + 8 * cs, 0), 0);
    q_discard(bs, 8 * cs, cs);
    memset(ref + 8 * cs, 0, cs);
    before = file_size(p);
    memset(ref + 20 * cs + 100, 0x33, 3000);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 20 * cs + 100, 3000,
                                ref + 20 * cs + 100, 0), 0);
    CU_ASSERT_EQUAL(file_size(p), before);  /* reused the freed cluster */
    assert_reads(bs, ref, size);
    assert_qcow2_check_clean(bs);
    close_and_compare(bs, p, ref, size);
}

/*
 * One request over several unallocated clusters gets contiguous host
 * clusters and one write (QEMU allocates them together), with the COW
 * head and tail from the backing file where it has data, zeroes past
 * its end.
 */
static void test_alloc_multi_cluster(void)
{
    g_autofree char *base = tpath("multi-base.raw");
    g_autofree char *p = tpath("multi.qcow2");
    g_autofree char *out = NULL;
    uint64_t cs = 65536, size = 2 << 20, blen = 600000;
    g_autofree uint8_t *ref = g_malloc0(size);
    GRand *r = g_rand_new_with_seed(11);
    Qcow2CreateOptions o = { .size = size, .cluster_size = cs,
                             .backing_file = "multi-base.raw",
                             .backing_fmt = "raw" };
    BlockDriverState *bs;

    /* a backing file shorter than the image: 600000 bytes of data */
    fill(r, ref, blen);
    g_rand_free(r);
    CU_ASSERT_TRUE(g_file_set_contents(base, (char *)ref, blen, NULL));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    /* the L2 table first */
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, size - 512, 512, ref + size - 512, 0), 0);

    /* clusters 2..5, partial at both ends: backing data around it */
    alloc_writes = 0;
    qcow2_debug_write_hook = count_writes_hook;
    memset(ref + 2 * cs + 1000, 0x44, 3 * cs);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 2 * cs + 1000, 3 * cs,
                                ref + 2 * cs + 1000, 0), 0);
    CU_ASSERT_EQUAL(alloc_writes, 1);   /* head + data + tail at once */
    /* clusters 12..14, past the backing file's end: zero COW */
    alloc_writes = 0;
    memset(ref + 12 * cs + 4096, 0x55, 2 * cs);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 12 * cs + 4096, 2 * cs,
                                ref + 12 * cs + 4096, 0), 0);
    CU_ASSERT_EQUAL(alloc_writes, 1);
    qcow2_debug_write_hook = NULL;
    /* and over allocated and unallocated clusters mixed */
    memset(ref + 3 * cs, 0x66, 8 * cs);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 3 * cs, 8 * cs, ref + 3 * cs, 0), 0);
    assert_reads(bs, ref, size);
    assert_qcow2_check_clean(bs);
    close_and_compare(bs, p, ref, size);
    /* clusters 2..5 are one extent of the file */
    run(&out, "qemu-img map --output=json -f qcow2 %s", p);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"start\": 131072, \"length\": "
                                  "262144, \"depth\": 0"));
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

/* qcow2_check (no repair) of @p finds @corruptions errors and @leaks
 * leaks, and so does Debian's qemu-img check (7.2) */
static void check_like_qemu_img(const char *p, int corruptions, int leaks,
                                int64_t end)
{
    g_autofree char *out = NULL;
    g_autofree char *want = NULL;
    BlockDriverState *bs = q_open(p, false, NULL, NULL, &error_abort);
    Qcow2CheckResult res;
    int ret;

    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_EQUAL(res.corruptions, corruptions);
    CU_ASSERT_EQUAL(res.leaks, leaks);
    CU_ASSERT_EQUAL(res.check_errors, 0);
    CU_ASSERT_EQUAL(res.image_end_offset, end);
    bdrv_unref(bs);

    ret = run(&out, "qemu-img check -f qcow2 %s", p);
    if (res.corruptions != corruptions || res.leaks != leaks ||
        res.image_end_offset != end) {
        fprintf(stderr, "qcow2_check: %d corruptions, %d leaks, end %"
                PRId64 "; qemu-img check %s:\n%s", res.corruptions,
                res.leaks, res.image_end_offset, p, out);
    }
    CU_ASSERT_EQUAL(ret, corruptions ? 2 : leaks ? 3 : 0);
    want = corruptions ? g_strdup_printf("\n%d errors were found", corruptions)
                       : g_strdup("No errors were found");
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    g_free(want);
    want = g_strdup_printf("\n%d leaked clusters were found", leaks);
    CU_ASSERT_EQUAL(strstr(out, want) != NULL, leaks != 0);
    g_free(want);
    want = g_strdup_printf("Image end offset: %" PRId64 "\n", end);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    if (!strstr(out, want)) {
        fprintf(stderr, "qemu-img check %s:\n%s", p, out);
    }
    g_free(want);
    /* the fragmentation line (printed when something is allocated) */
    want = g_strdup_printf("%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, "
                           "%0.2f%% fragmented, %0.2f%% compressed clusters",
                           res.allocated_clusters, res.total_clusters,
                           res.allocated_clusters * 100.0 /
                           res.total_clusters,
                           res.fragmented_clusters * 100.0 /
                           MAX(res.allocated_clusters, 1),
                           res.compressed_clusters * 100.0 /
                           MAX(res.allocated_clusters, 1));
    CU_ASSERT_EQUAL(strstr(out, want) != NULL, res.allocated_clusters != 0);
    if (!strstr(out, want) && res.allocated_clusters) {
        fprintf(stderr, "want '%s', qemu-img check %s:\n%s", want, p, out);
    }
}

/* A 64 KiB-cluster image of @bits-wide refcounts with one data
 * cluster: header, reftable, refblock, L1, L2 (cluster 4), data
 * (cluster 5) */
static void make_one_cluster_image_bits(const char *p, int bits)
{
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 65536,
                             .refcount_bits = bits };
    uint8_t buf[4096];
    BlockDriverState *bs;

    memset(buf, 0x5a, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, sizeof(buf), buf, 0), 0);
    bdrv_unref(bs);
}

static void make_one_cluster_image(const char *p)
{
    make_one_cluster_image_bits(p, 16);
}

/* QEMU's qcow2_inc_refcounts_imrt: a region reaching one cluster or
 * more past the end of the file is a corruption and is not counted (the
 * check's per-cluster table never grows with a corrupt offset); less
 * than one cluster past it is a semi-allocated last cluster, fine. */
static void test_check_region_past_eof(void)
{
    g_autofree char *p = tpath("pasteof.qcow2");

    /* L2 entry 0 -> 1 TiB: that reference, the COPIED flag of an entry
     * whose refcount is 0, and the data cluster it held leaks */
    make_one_cluster_image(p);
    patch_be64(p, 4 * 65536, (1ULL << 63) | (1ULL << 40));
    check_like_qemu_img(p, 2, 1, 6 * 65536);

    /* the data cluster is half in the file: fine */
    make_one_cluster_image(p);
    CU_ASSERT_EQUAL(truncate(p, 5 * 65536 + 512), 0);
    check_like_qemu_img(p, 0, 0, 6 * 65536);
    /* and wholly past its end: one cluster past */
    CU_ASSERT_EQUAL(truncate(p, 5 * 65536), 0);
    check_like_qemu_img(p, 1, 0, 5 * 65536);

    /* An L1 table of 8192 entries, all but the first pointing at L2
     * tables past the end of the file: each is one corruption; their
     * contents read as zeroes (the check does not walk them: with
     * thousands of them that took seconds) */
    make_one_cluster_image(p);
    {
        g_autofree uint64_t *l1 = g_new0(uint64_t, 8192);

        l1[0] = GUINT64_TO_BE((1ULL << 63) | 4 * 65536);
        for (int i = 1; i < 8192; i++) {
            l1[i] = GUINT64_TO_BE((1ULL << 40) + i * 65536ULL);
        }
        patch(p, 3 * 65536, l1, 8192 * 8);
        patch_be32(p, 36, 8192);
    }
    check_like_qemu_img(p, 8191, 0, 6 * 65536);
}

/* QEMU's check_refcounts_l1/l2: reserved bits of L1 and L2 entries; a
 * misaligned L2 table or data cluster is reported and still counted
 * (both clusters it covers), as is the fragmentation, per L2 table */
static void test_check_l1_l2_entries(void)
{
    g_autofree char *p = tpath("l1l2.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 512 };
    uint8_t buf[1536];
    BlockDriverState *bs;

    /* 512 B clusters: an L2 table covers 32 KiB; data in three tables,
     * contiguous within each: no fragmentation (QEMU counts it per L2
     * table) */
    memset(buf, 0x5a, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 1 << 19, 512, buf, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, (1 << 20) - 512, 512, buf, 0), 0);
    bdrv_unref(bs);
    check_like_qemu_img(p, 0, 0, 12 * 512);

    /* 64 KiB clusters, L2 table in cluster 4, data in cluster 5 */
    make_one_cluster_image(p);
    /* reserved bits 1-8 (and 56-61) of a standard L2 entry */
    patch_be64(p, 4 * 65536, (1ULL << 63) | 5 * 65536 | 2);
    check_like_qemu_img(p, 1, 0, 6 * 65536);
    /* a misaligned data cluster: counted over clusters 5 and 6 */
    make_one_cluster_image(p);
    patch_be64(p, 4 * 65536, (1ULL << 63) | (5 * 65536 + 512));
    CU_ASSERT_EQUAL(truncate(p, 7 * 65536), 0);
    check_like_qemu_img(p, 2, 0, 7 * 65536);
    /* reserved bits of an L1 entry (bit 0) */
    make_one_cluster_image(p);
    patch_be64(p, 3 * 65536, (1ULL << 63) | 4 * 65536 | 1);
    check_like_qemu_img(p, 1, 0, 6 * 65536);
    /* a misaligned L2 table: counted over clusters 4 and 5 and read
     * from there all the same (zeroes: the data cluster's head too) */
    make_one_cluster_image(p);
    memset(buf, 0, 512);
    patch(p, 5 * 65536, buf, 512);
    patch_be64(p, 3 * 65536, (1ULL << 63) | (4 * 65536 + 512));
    check_like_qemu_img(p, 1, 0, 6 * 65536);
}

/* QEMU's qcow2_signal_corruption: on a read-only node a corruption is
 * not fatal: the request fails, the node keeps working, nothing is
 * marked in the image */
static void test_corrupt_read_only_not_fatal(void)
{
    g_autofree char *p = tpath("rocorrupt.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 65536 };
    uint8_t buf[4096];
    uint8_t hdr[80];
    BlockDriverState *bs;
    int fd;

    memset(buf, 7, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 65536, sizeof(buf), buf, 0), 0);
    bdrv_unref(bs);
    /* L2 entry 0 -> cluster 5 + 512: misaligned */
    patch_be64(p, 4 * 65536, (1ULL << 63) | (5 * 65536 + 512));

    /* qemu-io -r: "read failed: Input/output error", then 64k reads */
    bs = q_open(p, false, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, sizeof(buf), buf, 0), -EIO);
    memset(buf, 0, sizeof(buf));
    CU_ASSERT_EQUAL(bdrv_pread(bs, 65536, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(buf[4095], 7);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, sizeof(buf), buf, 0), -EIO);
    bdrv_unref(bs);
    fd = open(p, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
    close(fd);
    CU_ASSERT_EQUAL(hdr[79] & 2, 0);

    /* read-write: fatal, every later request fails */
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, sizeof(buf), buf, 0), -EIO);
    CU_ASSERT_NOT_EQUAL(bdrv_pread(bs, 65536, sizeof(buf), buf, 0), 0);
    bdrv_unref(bs);
}

/* QEMU's check_refblocks: reserved bits (0-8) of a reftable entry */
static void test_check_reftable_reserved_bits(void)
{
    g_autofree char *p = tpath("rtres.qcow2");
    uint8_t buf[512];
    BlockDriverState *bs;

    make_one_cluster_image(p);
    patch_be64(p, 65536, 2 * 65536 | 1);
    check_like_qemu_img(p, 1, 1, 6 * 65536);
    /* the driver ignores them (QEMU masks them off too) */
    bs = q_open(p, false, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 0, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(buf[511], 0x5a);
    bdrv_unref(bs);
}

/* QEMU's check_refblocks: a refblock past the end of the file is
 * reported, not counted, and the clusters it should describe read as
 * refcount 0 */
static void test_check_refblock_outside_image(void)
{
    g_autofree char *p = tpath("rbout.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 65536 };

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    patch_be64(p, 65536, 1ULL << 40);
    /* "outside image", then clusters 0, 1, 3 have refcount 0 */
    check_like_qemu_img(p, 4, 0, 4 * 65536);
}

/* QEMU's qcow2_check_refcounts: more than INT_MAX clusters in the file
 * (1 TiB of 512-byte clusters, sparse) fails the check with -EFBIG
 * instead of sizing a table from it */
static void test_check_huge_file(void)
{
    g_autofree char *p = tpath("huge.qcow2");
    g_autofree char *out = NULL;
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 512 };
    BlockDriverState *bs;
    Qcow2CheckResult res;
    Error *err = NULL;

    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    if (truncate(p, 1LL << 40) < 0) {
        printf("(no 1 TiB sparse file here: %s) ", strerror(errno));
        return;
    }
    bs = q_open(p, false, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &err), -EFBIG);
    CU_ASSERT_EQUAL(res.check_errors, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Could not check the image: File too large");
    error_free(err);
    bdrv_unref(bs);
    CU_ASSERT_EQUAL(run(&out, "qemu-img check -f qcow2 %s", p), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Check failed: File too large"));
    unlink(p);
}

/* An L2 table far past the end of the file: QEMU, and the driver, write
 * it there.  Where the file system refuses that size (ext4: 16 TiB;
 * here RLIMIT_FSIZE, as in tests/fuzz/qcow2-fuzz.c) writing it back
 * fails with that error, and the node still works. */
static void test_write_past_max_file_size(void)
{
    g_autofree char *p = tpath("maxsize.qcow2");
    Qcow2CreateOptions o = { .size = 1 << 20, .cluster_size = 65536 };
    struct rlimit old, lim;
    void (*old_handler)(int);
    uint8_t buf[4096];
    BlockDriverState *bs;
    struct stat st;

    memset(buf, 0x33, sizeof(buf));
    CU_ASSERT_TRUE(qcow2_create(p, &o, &error_abort));
    /* L1[0] -> an L2 table at 1 TiB (reads as zeroes: unallocated) */
    patch_be64(p, 3 * 65536, (1ULL << 63) | (1ULL << 40));
    CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 16 << 20;
    old_handler = signal(SIGXFSZ, SIG_IGN);
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);

    bs = q_open(p, true, NULL, NULL, &error_abort);
    /* the L2 update waits in the cache (qemu-io -t writeback: the
     * same), writing it back fails */
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 0, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(bdrv_flush(bs), -EFBIG);
    /* the node still serves what it can */
    CU_ASSERT_EQUAL(bdrv_pwrite(bs, 1 << 19, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(bdrv_pread(bs, 1 << 19, sizeof(buf), buf, 0), 0);
    CU_ASSERT_EQUAL(buf[0], 0x33);
    bdrv_unref(bs);

    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    CU_ASSERT_EQUAL(stat(p, &st), 0);
    CU_ASSERT_TRUE(st.st_size <= 16 << 20);
}

/* --- refcount widths ---------------------------------------------------- */

/* What qcow2_check() prints on stderr for @p (read-only open) */
static char *check_stderr(const char *p, Qcow2CheckResult *res)
{
    g_autofree char *log = tpath("check.log");
    BlockDriverState *bs = q_open(p, false, NULL, NULL, &error_abort);
    int fd = open(log, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int saved = dup(2);
    char *out = NULL;

    fflush(stderr);
    dup2(fd, 2);
    CU_ASSERT_EQUAL(qcow2_check(bs, res, false, &error_abort), 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    bdrv_unref(bs);
    CU_ASSERT_TRUE(g_file_get_contents(log, &out, NULL, NULL));
    return out;
}

/* The lines of @a containing @what are in @b too */
static void assert_lines_in(const char *a, const char *b, const char *what)
{
    g_auto(GStrv) lines = g_strsplit(a, "\n", -1);
    bool found = false;

    for (int i = 0; lines[i]; i++) {
        if (strstr(lines[i], what)) {
            found = true;
            if (!strstr(b, lines[i])) {
                fprintf(stderr, "'%s' missing from:\n%s", lines[i], b);
                CU_FAIL("line missing");
            }
        }
    }
    CU_ASSERT_TRUE(found);
}

/*
 * One refcount width: qemu-img create -o refcount_bits=@bits and
 * qcow2_create make the same bytes; the driver then writes the whole
 * disk (512 B clusters: more refcount blocks, and at 64 bits a grown
 * refcount table), discards half of it, writes again (reusing freed
 * clusters) and overwrites; qcow2_check, qemu-img check and qemu-img
 * compare agree.
 */
static void refcount_width_rw(int bits)
{
    g_autofree char *a = tpath("rw-mine.qcow2");
    g_autofree char *b = tpath("rw-theirs.qcow2");
    uint64_t size = 4 << 20;
    g_autofree uint8_t *ref = g_malloc(size);
    Qcow2CreateOptions o = { .size = size, .cluster_size = 512,
                             .refcount_bits = bits };
    BlockDriverState *bs;
    BdrvSyncOp op = { 0 };
    Qcow2CheckResult res;
    Qcow2Info info;
    GRand *r = g_rand_new_with_seed(bits);
    g_autofree char *out = NULL;

    CU_ASSERT_TRUE_FATAL(qcow2_create(a, &o, &error_abort));
    CU_ASSERT_EQUAL(run(NULL, "qemu-img create -q -f qcow2 -o "
                        "cluster_size=512,refcount_bits=%d %s %" PRIu64,
                        bits, b, size), 0);
    CU_ASSERT_EQUAL(run(NULL, "cmp %s %s", a, b), 0);

    bs = q_open(b, true, "discard", "unmap", &error_abort);
    CU_ASSERT_TRUE(qcow2_get_info(bs, &info));
    CU_ASSERT_EQUAL(info.refcount_bits, bits);
    fill(r, ref, size);
    CU_ASSERT_EQUAL_FATAL(bdrv_pwrite(bs, 0, size, ref, 0), 0);
    bdrv_aio_pdiscard(bs, 0, size / 2, bdrv_sync_op_done, &op);
    CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
    memset(ref, 0, size / 2);
    random_io(bs, ref, size, 100, 20000, bits);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, false, &error_abort), 0);
    CU_ASSERT_EQUAL(res.corruptions, 0);
    CU_ASSERT_EQUAL(res.leaks, 0);
    CU_ASSERT_EQUAL(res.check_errors, 0);
    close_and_compare(bs, b, ref, size);
    run(&out, "qemu-img info %s", b);
    {
        g_autofree char *want = g_strdup_printf("refcount bits: %d", bits);

        CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
    }
    g_rand_free(r);
}

static void test_refcount_width_1(void) { refcount_width_rw(1); }
static void test_refcount_width_2(void) { refcount_width_rw(2); }
static void test_refcount_width_4(void) { refcount_width_rw(4); }
static void test_refcount_width_8(void) { refcount_width_rw(8); }
static void test_refcount_width_16(void) { refcount_width_rw(16); }
static void test_refcount_width_32(void) { refcount_width_rw(32); }
static void test_refcount_width_64(void) { refcount_width_rw(64); }

/*
 * 1-bit refcounts: a data cluster referenced by two L2 entries
 * overflows the check's count (QEMU's qcow2_inc_refcounts_imrt: "ERROR:
 * overflow cluster offset=0x50000" and the hint to amend or convert),
 * one corruption; qemu-img check says the same.  The bit of cluster n
 * is bit n % 8 of byte n / 8 of the refcount block (QEMU's
 * get_refcount_ro0).
 */
static void test_refcount_overflow_1bit(void)
{
    g_autofree char *p = tpath("ovf.qcow2");
    g_autofree char *mine = NULL;
    g_autofree char *theirs = NULL;
    Qcow2CheckResult res;
    uint8_t rb;
    int fd;

    make_one_cluster_image_bits(p, 1);
    /* clusters 0..5 in use: bits 0..5 of the refblock's first byte */
    fd = open(p, O_RDONLY);
    CU_ASSERT_EQUAL(pread(fd, &rb, 1, 2 * 65536), 1);
    close(fd);
    CU_ASSERT_EQUAL(rb, 0x3f);
    /* guest cluster 1 -> the data cluster of guest cluster 0 */
    patch_be64(p, 4 * 65536 + 8, (1ULL << 63) | (5 * 65536));
    check_like_qemu_img(p, 1, 0, 6 * 65536);
    mine = check_stderr(p, &res);
    run(&theirs, "qemu-img check -f qcow2 %s", p);
    CU_ASSERT_PTR_NOT_NULL(strstr(mine, "ERROR: overflow cluster "
                                  "offset=0x50000\n"));
    assert_lines_in(mine, theirs, "overflow");
    assert_lines_in(mine, theirs, "amend");

    /* At runtime a refcount leaving 0..refcount_max is -EINVAL, as in
     * QEMU's update_refcount.  Discarding guest clusters 0 and 1 frees
     * cluster 5 twice: the second drop (below 0) is printed, as QEMU's
     * qcow2_free_clusters prints it, and the discard succeeds; the L2
     * entries are cleared, the refcount is 0: clean.  qemu-io does the
     * same to a copy of the image. */
    {
        g_autofree char *copy = g_strconcat(p, ".qemu", NULL);
        g_autofree char *theirs_io = NULL;
        g_autofree char *err = NULL;
        BlockDriverState *bs;
        BdrvSyncOp op = { 0 };
        StderrCapture cap;

        CU_ASSERT_EQUAL(run(NULL, "cp %s %s", p, copy), 0);
        bs = q_open(p, true, "discard", "unmap", &error_abort);
        stderr_capture_begin(&cap);
        bdrv_aio_pdiscard(bs, 0, 2 * 65536, bdrv_sync_op_done, &op);
        CU_ASSERT_EQUAL(bdrv_sync_op_wait(bdrv_get_aio_context(bs), &op), 0);
        err = stderr_capture_end(&cap);
        CU_ASSERT_STRING_EQUAL(err, "qcow2_free_clusters failed: Invalid "
                                    "argument\n");
        bdrv_unref(bs);
        assert_check_clean(p);
        CU_ASSERT_EQUAL(run(&theirs_io, "qemu-io -f qcow2 -c 'discard 0 128k' "
                            "%s", copy), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(theirs_io, err));
        CU_ASSERT_PTR_NOT_NULL(strstr(theirs_io, "discard 131072/131072 "
                                                 "bytes"));
        assert_check_clean(copy);
        unlink(copy);
    }
}

/*
 * 64-bit refcounts: the maximum is UINT64_MAX (QEMU's refcount_max);
 * a refcount above INT64_MAX is read and printed unsigned, as by
 * qemu-img check, and a repair brings it back to 1.
 */
static void test_refcount_64bit(void)
{
    g_autofree char *p = tpath("r64.qcow2");
    g_autofree char *mine = NULL;
    g_autofree char *theirs = NULL;
    BlockDriverState *bs;
    Qcow2CheckResult res;

    make_one_cluster_image_bits(p, 64);
    /* the L1 table's cluster (3): 2^63 + 1 */
    patch_be64(p, 2 * 65536 + 3 * 8, (1ULL << 63) + 1);
    mine = check_stderr(p, &res);
    CU_ASSERT_EQUAL(res.leaks, 1);
    CU_ASSERT_EQUAL(res.corruptions, 0);
    CU_ASSERT_EQUAL(res.image_end_offset, 6 * 65536);
    CU_ASSERT_PTR_NOT_NULL(strstr(mine, "Leaked cluster 3 "
                                  "refcount=9223372036854775809 "
                                  "reference=1\n"));
    CU_ASSERT_EQUAL(run(&theirs, "qemu-img check -f qcow2 %s", p), 3);
    assert_lines_in(mine, theirs, "Leaked cluster");
    CU_ASSERT_PTR_NOT_NULL(strstr(theirs, "Image end offset: 393216\n"));
    /* UINT64_MAX itself is a valid refcount */
    patch_be64(p, 2 * 65536 + 3 * 8, UINT64_MAX);
    g_free(mine);
    mine = check_stderr(p, &res);
    CU_ASSERT_EQUAL(res.leaks, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(mine, "Leaked cluster 3 "
                                  "refcount=18446744073709551615 "
                                  "reference=1\n"));
    bs = q_open(p, true, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(qcow2_check(bs, &res, true, &error_abort), 0);
    CU_ASSERT_EQUAL(res.leaks_fixed, 1);
    CU_ASSERT_EQUAL(res.leaks, 0);
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
    harness_add("/qcow2/alloc/zero-cow", test_alloc_zero_cow);
    harness_add("/qcow2/alloc/multi-cluster", test_alloc_multi_cluster);
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
    harness_add("/qcow2/overlap/new-refblock", test_overlap_new_refblock);
    harness_add("/qcow2/check/leak", test_check_reports_leak);
    harness_add("/qcow2/check/region-past-eof", test_check_region_past_eof);
    harness_add("/qcow2/check/reftable-reserved-bits",
                test_check_reftable_reserved_bits);
    harness_add("/qcow2/check/refblock-outside-image",
                test_check_refblock_outside_image);
    harness_add("/qcow2/check/huge-file", test_check_huge_file);
    harness_add("/qcow2/check/l1-l2-entries", test_check_l1_l2_entries);
    harness_add("/qcow2/corrupt/read-only-not-fatal",
                test_corrupt_read_only_not_fatal);
    harness_add("/qcow2/write/past-max-file-size",
                test_write_past_max_file_size);
    harness_add("/qcow2/autoclear-bitmaps", test_autoclear_bitmaps);
    harness_add("/qcow2/crash/every-write-4k", test_crash_points_4k);
    harness_add("/qcow2/crash/every-write-64k-backing",
                test_crash_points_64k_backing);
    harness_add("/qcow2/corrupt/random", test_corrupt_random);
    harness_add("/qcow2/refcount-bits/1", test_refcount_width_1);
    harness_add("/qcow2/refcount-bits/2", test_refcount_width_2);
    harness_add("/qcow2/refcount-bits/4", test_refcount_width_4);
    harness_add("/qcow2/refcount-bits/8", test_refcount_width_8);
    harness_add("/qcow2/refcount-bits/16", test_refcount_width_16);
    harness_add("/qcow2/refcount-bits/32", test_refcount_width_32);
    harness_add("/qcow2/refcount-bits/64", test_refcount_width_64);
    harness_add("/qcow2/refcount-bits/overflow-1bit",
                test_refcount_overflow_1bit);
    harness_add("/qcow2/refcount-bits/64bit-max", test_refcount_64bit);
    ret = harness_run(argc, argv);
    run(NULL, "rm -rf %s", tdir);
    g_free(tdir);
    return ret;
}
