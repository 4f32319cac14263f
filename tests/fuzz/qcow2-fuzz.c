/*
 * qcow2-fuzz.c - libFuzzer target for the qcow2 driver's parsing of
 * corrupt images (block/qcow2.c): header and extensions, L1/L2 tables,
 * refcount table and blocks, then requests and qcow2_check on whatever
 * survives the open.
 *
 * Four valid base images are made once per process with qcow2_create()
 * (and a few writes, a write-zeroes and a discard, so that L2 tables,
 * refcount blocks, data and zero clusters exist); each input picks one,
 * patches it, writes it to a file on tmpfs (/dev/shm, rewritten per
 * input), opens it through the block layer (driver=qcow2, read-write
 * unless asked, discard=unmap, backing=null), runs a few requests,
 * qcow2_check and closes it.  Every failure must be a clean error:
 * ASan/UBSan catch the rest, and a node left alive aborts.
 *
 * Input (missing bytes read as 0):
 *   byte 0   base image (% 4): 0 v3 512 B clusters, 1 v3 4 KiB,
 *            2 v2 4 KiB, 3 v3 64 KiB lazy refcounts
 *   byte 1   flags: bit 0 lazy-refcounts=on, bit 1 lazy-refcounts=off,
 *            bit 2 open read-only, bit 3 qcow2_check repairs leaks,
 *            bit 4 truncate the file (u16 * 512 bytes follow)
 *   byte 2   number of patches (% 33), then the patches:
 *            b = region (b & 7) and mode ((b >> 3) & 3), u16 offset in
 *            the region (modulo its size), then
 *              mode 0: n = (u8 % 16) + 1 raw bytes
 *              mode 1: a be64 table entry: u8 cluster index * cluster
 *                      size, u8 flags (bit 0 COPIED, 1 COMPRESSED,
 *                      2 zero flag, 3 +1 byte misaligned, 4 +2^56)
 *              mode 2: a be16 refcount (u8: 0, 1, 2, 0xffff or u16)
 *              mode 3: a be32 (u32; header fields)
 *            Regions: 0 the header's first 256 bytes, 1 the header
 *            cluster, 2 the L1 table, 3 the first L2 table, 4 the
 *            refcount table, 5 the first refcount block, 6 the last L2
 *            table, 7 anywhere in the file.
 *   then up to 32 requests: u8 op (% 6: read, write, discard,
 *            write-zeroes, flush, write-zeroes with MAY_UNMAP), offset
 *            (u8 selector: cluster index, u32 % size, size - u16, raw
 *            u64), u16 length.
 *
 * The driver's messages (corruption events, check output) go to
 * /dev/null while an input runs, sanitizer reports to the real stderr;
 * QCOW2_FUZZ_VERBOSE=1 keeps everything; QCOW2_FUZZ_SAVE=<file> also
 * saves the patched image there (to compare with `qemu-img check`).
 *
 * The image file lives on a real file system's terms: at most
 * FUZZ_MAX_FILE (1 GiB) long.  A corrupt table entry can point anywhere
 * below 2^56 and the driver, like QEMU's, writes metadata (a refcount
 * block, an L2 table) where the image says it is, so the file grows to
 * that offset.  On ext4 (16 TiB), XFS (8 EiB but the device fills) and
 * every other real file system that write fails (EFBIG, ENOSPC) and the
 * request fails cleanly; tmpfs has no limit, so the sparse file would
 * grow to ~2^56 bytes and qcow2_check would then size and walk its
 * per-cluster table from that length (QEMU too: minutes of loop, or
 * -EFBIG past INT_MAX clusters).  That is a property of tmpfs, not a
 * driver bug, so the target caps the file with RLIMIT_FSIZE and ignores
 * SIGXFSZ: a write past the cap fails with EFBIG, which file-posix
 * returns to the driver as for any other write error.  1 GiB is far
 * above every image the inputs can describe legitimately (16 MiB base
 * images, requests up to 256 KiB).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "block/aio.h"
#include "block/block.h"
#include "block/qcow2.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include "fuzz-input.h"

#define NBASE       4
#define MAX_PATCHES 32
#define MAX_OPS     32
#define MAX_LEN     (256 * 1024)
#define FUZZ_MAX_FILE (UINT64_C(1) << 30)   /* see the header comment */

typedef struct Region {
    uint64_t start, size;
} Region;

typedef struct Base {
    Qcow2CreateOptions o;
    uint8_t *img;
    size_t len;
    Region r[8];
} Base;

static Base bases[NBASE] = {
    { .o = { .size = 1 << 20, .cluster_size = 512, .version = 3 } },
    { .o = { .size = 4 << 20, .cluster_size = 4096, .version = 3 } },
    { .o = { .size = 4 << 20, .cluster_size = 4096, .version = 2 } },
    { .o = { .size = 16 << 20, .cluster_size = 65536, .version = 3,
             .lazy_refcounts = true } },
};

static char *img_path;
static int img_fd = -1;
static int saved_stderr = -1, devnull = -1;
static bool verbose;
static const char *save_path;
static uint8_t *buf;

/* Present when built with a sanitizer: its reports bypass the silencing */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static void quiet(const char *text, void *opaque)
{
}

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static BlockDriverState *open_img(bool rw, uint8_t flags, Error **errp)
{
    BlockOptions *o = bopts_new();

    bopts_set(o, "driver", "qcow2");
    bopts_set(o, "discard", "unmap");
    bopts_set(o, "backing", "null");
    if (flags & 1) {
        bopts_set(o, "lazy-refcounts", "on");
    } else if (flags & 2) {
        bopts_set(o, "lazy-refcounts", "off");
    }
    return bdrv_open(img_path, o, rw ? BDRV_O_RDWR : 0, errp);
}

typedef struct Done {
    bool done;
    int ret;
} Done;

static void done_cb(void *opaque, int ret)
{
    Done *d = opaque;

    d->done = true;
    d->ret = ret;
}

static int wait_done(Done *d)
{
    AioContext *ctx = qemu_get_aio_context();

    while (!d->done) {
        aio_poll(ctx, true);
    }
    return d->ret;
}

static int do_discard(BlockDriverState *bs, int64_t off, int64_t len)
{
    Done d = { 0 };

    bdrv_aio_pdiscard(bs, off, len, done_cb, &d);
    return wait_done(&d);
}

static int do_zeroes(BlockDriverState *bs, int64_t off, int64_t len,
                     BdrvRequestFlags flags)
{
    Done d = { 0 };

    bdrv_aio_pwrite_zeroes(bs, off, len, flags, done_cb, &d);
    return wait_done(&d);
}

static void write_file(const uint8_t *data, size_t len)
{
    if (ftruncate(img_fd, 0) < 0 ||
        pwrite(img_fd, data, len, 0) != (ssize_t)len) {
        perror(img_path);
        abort();
    }
}

/* Make base image @b: create, write some data, read it back. */
static void make_base(Base *b)
{
    uint32_t cs = b->o.cluster_size;
    BlockDriverState *bs;
    gchar *data;
    gsize len;
    uint32_t rt_clusters;
    uint64_t l1_off, rt_off, l1_size, l2_first = 0, l2_last = 0, rb = 0;

    qcow2_create(img_path, &b->o, &error_abort);
    bs = open_img(true, 0, &error_abort);
    memset(buf, 0xa5, 3 * cs);
    bdrv_pwrite(bs, 0, 3 * cs, buf, 0);
    bdrv_pwrite(bs, b->o.size / 2 + 100, cs, buf, 0);
    bdrv_pwrite(bs, b->o.size - cs, cs, buf, 0);
    if (b->o.version == 3) {
        do_zeroes(bs, cs, cs, 0);
    }
    do_discard(bs, 2 * cs, cs);
    bdrv_flush(bs);
    bdrv_unref(bs);
    if (!g_file_get_contents(img_path, &data, &len, NULL)) {
        abort();
    }
    b->img = (uint8_t *)data;
    b->len = len;

    l1_size = be32(b->img + 36);
    l1_off = be64(b->img + 40);
    rt_off = be64(b->img + 48);
    rt_clusters = be32(b->img + 56);
    for (uint64_t i = 0; i < l1_size && l1_off + 8 * i + 8 <= len; i++) {
        uint64_t e = be64(b->img + l1_off + 8 * i) & 0x00fffffffffffe00ULL;

        if (e) {
            l2_first = l2_first ? l2_first : e;
            l2_last = e;
        }
    }
    if (rt_off + 8 <= len) {
        rb = be64(b->img + rt_off) & ~(uint64_t)(cs - 1);
    }
    b->r[0] = (Region) { 0, 256 };
    b->r[1] = (Region) { 0, cs };
    b->r[2] = (Region) { l1_off, MAX(l1_size * 8, 8) };
    b->r[3] = (Region) { l2_first, cs };
    b->r[4] = (Region) { rt_off, (uint64_t)rt_clusters * cs };
    b->r[5] = (Region) { rb, cs };
    b->r[6] = (Region) { l2_last, cs };
    b->r[7] = (Region) { 0, len };
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void)
{
    if (img_path) {
        g_autofree char *dir = g_path_get_dirname(img_path);

        unlink(img_path);
        rmdir(dir);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct statfs st;
    const char *base = statfs("/dev/shm", &st) == 0 &&
                       st.f_type == 0x01021994 ? "/dev/shm" : g_get_tmp_dir();
    g_autofree char *tmpl = g_build_filename(base, "qomu-qcow2fuzz-XXXXXX",
                                             NULL);
    struct rlimit fsize = { FUZZ_MAX_FILE, FUZZ_MAX_FILE };
    char *dir;

    /* A write past the cap fails with EFBIG instead of killing us */
    signal(SIGXFSZ, SIG_IGN);
    if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 &&
        fsize.rlim_cur > FUZZ_MAX_FILE) {
        fsize.rlim_cur = FUZZ_MAX_FILE;
    }
    if (setrlimit(RLIMIT_FSIZE, &fsize) < 0) {
        perror("setrlimit(RLIMIT_FSIZE)");
        exit(1);
    }
    error_init("qcow2-fuzz");
    main_loop_init();
    verbose = g_getenv("QCOW2_FUZZ_VERBOSE") != NULL;
    save_path = g_getenv("QCOW2_FUZZ_SAVE");
    dir = g_mkdtemp(g_steal_pointer(&tmpl));
    if (!dir) {
        perror("mkdtemp");
        exit(1);
    }
    img_path = g_build_filename(dir, "fuzz.qcow2", NULL);
    g_free(dir);
    atexit(cleanup);
    buf = g_malloc(MAX_LEN);
    for (int i = 0; i < NBASE; i++) {
        make_base(&bases[i]);
    }
    img_fd = open(img_path, O_RDWR | O_CREAT, 0600);
    if (img_fd < 0) {
        perror(img_path);
        exit(1);
    }
    if (!verbose) {
        saved_stderr = dup(2);
        devnull = open("/dev/null", O_WRONLY);
        if (__sanitizer_set_report_fd) {
            __sanitizer_set_report_fd((void *)(intptr_t)saved_stderr);
        }
        error_report_set_sink(quiet, NULL);
    }
    return 0;
}

static void apply_patch(Input *in, const Base *b, uint8_t *img, size_t len)
{
    uint8_t sel = in8(in);
    const Region *r = &b->r[sel & 7];
    uint64_t at = r->start + in16(in) % r->size;
    uint32_t cs = b->o.cluster_size;
    uint8_t val[16];
    size_t n;

    switch ((sel >> 3) & 3) {
    case 0:
        n = in8(in) % 16 + 1;
        for (size_t i = 0; i < n; i++) {
            val[i] = in8(in);
        }
        break;
    case 1: {
        uint64_t e = (uint64_t)in8(in) * cs;
        uint8_t f = in8(in);

        e |= (f & 1) ? 1ULL << 63 : 0;
        e |= (f & 2) ? 1ULL << 62 : 0;
        e |= (f & 4) ? 1 : 0;
        e += (f & 8) ? 1 : 0;
        e += (f & 16) ? 1ULL << 56 : 0;
        for (int i = 0; i < 8; i++) {
            val[i] = e >> (56 - 8 * i);
        }
        n = 8;
        break;
    }
    case 2: {
        static const uint16_t rc[] = { 0, 1, 2, 0xffff };
        uint8_t s = in8(in);
        uint16_t v = s < 4 ? rc[s] : in16(in);

        val[0] = v >> 8;
        val[1] = v;
        n = 2;
        break;
    }
    default: {
        uint32_t v = in32(in);

        val[0] = v >> 24;
        val[1] = v >> 16;
        val[2] = v >> 8;
        val[3] = v;
        n = 4;
        break;
    }
    }
    for (size_t i = 0; i < n && at + i < len; i++) {
        img[at + i] = val[i];
    }
}

static int64_t req_offset(Input *in, const Base *b)
{
    uint8_t s = in8(in);

    switch (s % 4) {
    case 0:
        return (int64_t)in8(in) * b->o.cluster_size;
    case 1:
        return in32(in) % b->o.size;
    case 2:
        return b->o.size - in16(in);
    default:
        return (int64_t)(in64(in) >> 2);   /* past the end, no overflow */
    }
}

static void run_input(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    const Base *b = &bases[in8(&in) % NBASE];
    uint8_t flags = in8(&in);
    unsigned npatch = in8(&in) % (MAX_PATCHES + 1);
    g_autofree uint8_t *img = g_memdup2(b->img, b->len);
    size_t len = b->len;
    BlockDriverState *bs;
    Error *err = NULL;
    Qcow2CheckResult res;
    bool rw = !(flags & 4);

    if (flags & 16) {
        size_t t = (size_t)in16(&in) * 512;

        len = MIN(len, t);
    }
    for (unsigned i = 0; i < npatch; i++) {
        apply_patch(&in, b, img, len);
    }
    write_file(img, len);
    if (save_path) {
        g_file_set_contents(save_path, (const char *)img, len, NULL);
    }

    bs = open_img(rw, flags, &err);
    if (!bs) {
        error_free(err);
        return;
    }
    for (unsigned i = 0; i < MAX_OPS && in.left; i++) {
        uint8_t op = in8(&in);
        int64_t off = req_offset(&in, b);
        int64_t n = in16(&in);

        switch (op % 6) {
        case 0:
            if (off >= 0 && n <= MAX_LEN) {
                bdrv_pread(bs, off, n, buf, 0);
            }
            break;
        case 1:
            if (off >= 0 && n <= MAX_LEN) {
                memset(buf, op, n);
                bdrv_pwrite(bs, off, n, buf, (op & 0x80) ? BDRV_REQ_FUA : 0);
            }
            break;
        case 2:
            do_discard(bs, off, n * 8);
            break;
        case 3:
            do_zeroes(bs, off, n * 8, 0);
            break;
        case 4:
            bdrv_flush(bs);
            break;
        default:
            do_zeroes(bs, off, n * 8, BDRV_REQ_MAY_UNMAP);
            break;
        }
    }
    if (qcow2_check(bs, &res, rw && (flags & 8), &err) < 0) {
        error_free(err);
        err = NULL;
    }
    bdrv_unref(bs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!verbose) {
        fflush(stderr);
        dup2(devnull, 2);
    }
    run_input(data, size);
    if (!verbose) {
        fflush(stderr);
        dup2(saved_stderr, 2);
    }
    if (bdrv_live_count()) {
        fprintf(stderr, "qcow2-fuzz: %u block nodes left alive\n",
                bdrv_live_count());
        abort();
    }
    return 0;
}
