/*
 * test-file-posix.c - the file protocol driver and the generic request
 * layer under it: O_DIRECT alignment (probed, and what happens to
 * requests that do not have it), end of file, fdatasync failures,
 * auto-read-only, discard and write-zeroes, format probing.
 *
 * Run over tmpfs and over a real disk.  Where a filesystem refuses
 * O_DIRECT (tmpfs before Linux 6.6), the O_DIRECT sub-case says so and
 * is not run; everything else still is.
 */
#include "util/osdep.h"
#include "block/blkdebug.h"
#include "block/file-posix.h"
#include "capture.h"
#include "block-helper.h"
#include "sync-count.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

static const char *const engines[] = { "threads", "io_uring", "native" };

/* The directories, with their labels. */
typedef struct Dir {
    const char *path;
    const char *label;
} Dir;

static int test_dirs(Dir dirs[2])
{
    const char *why;
    int n = 0;

    if ((dirs[n].path = bt_dir_tmpfs(&why))) {
        dirs[n++].label = "tmpfs";
    }
    if ((dirs[n].path = bt_dir_disk(&why))) {
        dirs[n++].label = "disk";
    }
    if (!n) {
        harness_skip("no tmpfs and no disk directory");
    }
    return n;
}

/* Open @path raw with O_DIRECT on @engine; NULL (and a note) if the
 * filesystem refuses O_DIRECT. */
static BlockBackend *open_direct(const Dir *d, const char *path,
                                 const char *engine, const char *extra)
{
    g_autofree char *spec = NULL;

    if (!bt_dir_odirect(d->path)) {
        printf("  %s: O_DIRECT refused by this filesystem, not run\n",
               d->label);
        return NULL;
    }
    spec = g_strdup_printf("driver=raw,cache.direct=on,file.aio=%s%s",
                           engine, extra ? extra : "");
    return bt_open(path, spec, &error_abort);
}

static void close_all(BlockBackend *blk)
{
    blk_unref(blk);
    CU_ASSERT_EQUAL(bdrv_live_count(), 0);
    qemu_aio_context_cleanup();
}

/* --- alignment ----------------------------------------------------------- */

static void test_alignment(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        g_autofree char *path = bt_image(dirs[i].path, "a.img", 65536, 0);
        BlockBackend *blk = bt_open(path, "driver=raw", &error_abort);
        BlockDriverState *file = bdrv_file_bs(blk_bs(blk));
        struct statx stx;
        uint32_t req;
        size_t mem;
        int fd;

        /* Buffered: no alignment at all */
        CU_ASSERT_EQUAL(bdrv_get_request_alignment(file), 1);
        close_all(blk);
        blk = open_direct(&dirs[i], path, "threads", NULL);
        if (!blk) {
            continue;
        }
        file = bdrv_file_bs(blk_bs(blk));
        req = bdrv_get_request_alignment(file);
        CU_ASSERT(req >= 1 && req <= 4096 && !(req & (req - 1)));
        /* What the filesystem says, where it says it */
        if (statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &stx) == 0 &&
            (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align) {
            CU_ASSERT_EQUAL(req, stx.stx_dio_offset_align);
            CU_ASSERT(bdrv_opt_mem_align(file) >= stx.stx_dio_mem_align);
        }
        /* The raw node above passes requests on unaligned */
        CU_ASSERT_EQUAL(bdrv_get_request_alignment(blk_bs(blk)), 1);
        close_all(blk);

        /* QEMU's probe by reading finds an alignment the kernel takes */
        fd = open(path, O_RDONLY | O_DIRECT);
        file_posix_probe_alignment_io(fd, &req, &mem);
        CU_ASSERT(req >= 512 && req <= 4096 && !(req & (req - 1)));
        CU_ASSERT(mem >= 1 && mem <= 4096 && !(mem & (mem - 1)));
        {
            uint8_t *buf = qemu_memalign(4096, 2 * 4096);

            CU_ASSERT_EQUAL(pread(fd, buf, req, req), (ssize_t)req);
            CU_ASSERT_EQUAL(pread(fd, buf + mem, req, 0), (ssize_t)req);
            qemu_vfree(buf);
        }
        close(fd);
        unlink(path);
    }
}

/* Guest buffers at odd addresses go through a bounce buffer. */
static void test_bounce_misaligned_memory(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        for (size_t e = 0; e < G_N_ELEMENTS(engines); e++) {
            g_autofree char *path = bt_image(dirs[i].path, "b.img", 65536,
                                             1);
            BlockBackend *blk = open_direct(&dirs[i], path, engines[e],
                                            NULL);
            uint8_t *mem = g_malloc(8192 + 3);
            uint8_t *odd = mem + 3;
            g_autofree uint8_t *host = NULL;

            if (!blk) {
                g_free(mem);
                break;
            }
            memset(odd, 0x42, 4096);
            CU_ASSERT_EQUAL(blk_pwrite(blk, 4096, 4096, odd, 0), 0);
            memset(odd, 0, 8192);
            CU_ASSERT_EQUAL(blk_pread(blk, 0, 8192, odd, 0), 0);
            CU_ASSERT_TRUE(bt_check_pattern(odd, 0, 4096, 1));
            CU_ASSERT_EQUAL(odd[4096], 0x42);
            CU_ASSERT_EQUAL(odd[8191], 0x42);
            close_all(blk);
            host = bt_file_read(path, 4096, 4096);
            CU_ASSERT_EQUAL(host[17], 0x42);
            g_free(mem);
            unlink(path);
        }
    }
}

/* Unaligned offsets and lengths under O_DIRECT: padding, and
 * read-modify-write for writes. */
static void test_rmw_unaligned(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        for (size_t e = 0; e < G_N_ELEMENTS(engines); e++) {
            g_autofree char *path = bt_image(dirs[i].path, "r.img", 65536,
                                             2);
            BlockBackend *blk = open_direct(&dirs[i], path, engines[e],
                                            NULL);
            uint8_t buf[5000];
            g_autofree uint8_t *host = NULL;

            if (!blk) {
                break;
            }
            memset(buf, 0x77, sizeof(buf));
            CU_ASSERT_EQUAL(blk_pwrite(blk, 1000, 100, buf, 0), 0);
            /* across a block boundary, head and tail partial */
            CU_ASSERT_EQUAL(blk_pwrite(blk, 4000, 5000, buf, 0), 0);
            CU_ASSERT_EQUAL(blk_pread(blk, 77, 1333, buf, 0), 0);
            CU_ASSERT_TRUE(bt_check_pattern(buf, 77, 1000 - 77, 2));
            CU_ASSERT_EQUAL(buf[1000 - 77], 0x77);
            CU_ASSERT_EQUAL(buf[1099 - 77], 0x77);
            CU_ASSERT_TRUE(bt_check_pattern(buf + 1100 - 77, 1100,
                                            1410 - 1100, 2));
            close_all(blk);
            host = bt_file_read(path, 0, 65536);
            CU_ASSERT_TRUE(bt_check_pattern(host, 0, 1000, 2));
            CU_ASSERT_EQUAL(host[1000], 0x77);
            CU_ASSERT_TRUE(bt_check_pattern(host + 1100, 1100, 2900, 2));
            CU_ASSERT_EQUAL(host[4000], 0x77);
            CU_ASSERT_EQUAL(host[8999], 0x77);
            CU_ASSERT_TRUE(bt_check_pattern(host + 9000, 9000, 65536 - 9000,
                                            2));
            unlink(path);
        }
    }
}

/*
 * Overlapping requests on one 4 KiB block (alignment forced by blkdebug,
 * so this runs on any filesystem): an aligned write, then 64 one-byte
 * writes, all in flight at once.  Each read-modify-write must wait for
 * the older requests on the block, or it writes back stale bytes and
 * another write is lost.
 */
static void test_rmw_serialised(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        for (size_t e = 0; e < 2; e++) {        /* threads, io_uring */
            g_autofree char *path = bt_image(dirs[i].path, "s.img", 65536,
                                             0);
            g_autofree char *spec = g_strdup_printf(
                "driver=raw,file.driver=blkdebug,file.align=4096,"
                "file.image.driver=file,file.image.filename=%s,"
                "file.image.aio=%s", path, engines[e]);
            BlockBackend *blk = bt_open(NULL, spec,
                                        &error_abort);
            uint8_t block[4096], bytes[64];
            BtCompletion done[65] = { 0 };
            QEMUIOVector qiov[65];
            g_autofree uint8_t *host = NULL;

            CU_ASSERT_EQUAL(bdrv_get_request_alignment(
                                bdrv_file_bs(blk_bs(blk))), 4096);
            memset(block, 0x11, sizeof(block));
            qemu_iovec_init_buf(&qiov[64], block, sizeof(block));
            blk_aio_pwritev(blk, 8192, &qiov[64], 0, bt_complete, &done[64]);
            for (int j = 0; j < 64; j++) {
                bytes[j] = 0x80 + j;
                qemu_iovec_init_buf(&qiov[j], &bytes[j], 1);
                blk_aio_pwritev(blk, 8192 + j * 64 + 3, &qiov[j], 0,
                                bt_complete, &done[j]);
            }
            blk_drain(blk);
            for (int j = 0; j < 65; j++) {
                CU_ASSERT_EQUAL(done[j].calls, 1);
                CU_ASSERT_EQUAL(done[j].ret, 0);
            }
            close_all(blk);
            host = bt_file_read(path, 8192, 4096);
            for (int j = 0; j < 4096; j++) {
                uint8_t want = (j % 64 == 3) ? 0x80 + j / 64 : 0x11;

                if (host[j] != want) {
                    CU_FAIL("a write to the block was lost");
                    printf("  %s/%s: byte %d is %#x, not %#x\n",
                           dirs[i].label, engines[e], j, host[j], want);
                    break;
                }
            }
            unlink(path);
        }
    }
}

/* --- end of file --------------------------------------------------------- */

/* An image whose size is not a multiple of 512 reads as rounded up, the
 * bytes past the end as zeroes (QEMU), with and without O_DIRECT. */
static void test_eof(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        for (int direct = 0; direct < 2; direct++) {
            g_autofree char *path = bt_image(dirs[i].path, "eof.img", 1000,
                                             4);
            BlockBackend *blk = direct
                ? open_direct(&dirs[i], path, "io_uring", NULL)
                : bt_open(path, "driver=raw", &error_abort);
            uint8_t buf[1024];

            if (!blk) {
                break;
            }
            CU_ASSERT_EQUAL(blk_getlength(blk), 1024);
            memset(buf, 0xff, sizeof(buf));
            CU_ASSERT_EQUAL(blk_pread(blk, 512, 512, buf, 0), 0);
            CU_ASSERT_TRUE(bt_check_pattern(buf, 512, 488, 4));
            CU_ASSERT_TRUE(buffer_is_zero(buf + 488, 24));
            CU_ASSERT_EQUAL(blk_pread(blk, 1000, 30, buf, 0), -EIO);
            close_all(blk);
            unlink(path);
        }
    }
}

/* --- fdatasync failure --------------------------------------------------- */

/*
 * After a failed fdatasync without O_DIRECT, the kernel may have marked
 * unwritten pages clean: every later flush fails too, even if the
 * kernel's next fdatasync would "succeed" (QEMU's page_cache_inconsistent).
 * With O_DIRECT there is no page cache to lose: the next flush may
 * succeed.  The failure is injected by the interposed fdatasync
 * (sync-count.h), so this runs on the thread pool.
 */
static void test_flush_error_sticky(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);

    if (!dir) {
        harness_skip(why);
    }
    for (int direct = 0; direct < 2; direct++) {
        g_autofree char *path = bt_image(dir, "fe.img", 65536, 0);
        Dir d = { dir, "disk" };
        BlockBackend *blk = direct ? open_direct(&d, path, "threads", NULL)
                                   : bt_open(path, "driver=raw",
                                             &error_abort);
        uint8_t buf[4096] = { 1 };

        if (!blk) {
            break;
        }
        sc_watch(path);
        CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 4096, buf, 0), 0);
        sc_fail_next(1, EIO);
        CU_ASSERT_EQUAL(blk_flush(blk), -EIO);
        CU_ASSERT_EQUAL(blk_pwrite(blk, 4096, 4096, buf, 0), 0);
        CU_ASSERT_EQUAL(blk_flush(blk), direct ? 0 : -EIO);
        CU_ASSERT_EQUAL(blk_flush(blk), direct ? 0 : -EIO);
        /* Sticky: later flushes do not even ask the kernel */
        CU_ASSERT_EQUAL(sc_count(), direct ? 2 : 1);
        sc_watch_ino = 0;
        {
            StderrCapture cap;
            g_autofree char *out = NULL;

            stderr_capture_begin(&cap);
            close_all(blk);
            out = stderr_capture_end(&cap);
            /* Said once, by the file's node, when data may be lost */
            if (direct) {
                CU_ASSERT_STRING_EQUAL(out, "");
            } else {
                CU_ASSERT_TRUE(g_str_has_prefix(out, "qomu: Failed to flush "
                                                "the node '#block"));
                CU_ASSERT_TRUE(g_str_has_suffix(out, "' on close: "
                                                "Input/output error\n"));
                CU_ASSERT_EQUAL(strchr(out, '\n') - out + 1,
                                (ptrdiff_t)strlen(out));
            }
        }
        unlink(path);
    }
}

/* --- opening ------------------------------------------------------------- */

static char *open_error(const char *path, const char *spec)
{
    Error *err = NULL;
    BlockBackend *blk = bt_open(path, spec, &err);
    char *msg;

    CU_ASSERT_PTR_NULL(blk);
    if (blk) {
        blk_unref(blk);
        return g_strdup("");
    }
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    CU_ASSERT_EQUAL(bdrv_live_count(), 0);
    return msg;
}

#define CHECK_OPEN_ERROR(path, spec, expected)                  \
    do {                                                        \
        g_autofree char *msg_ = open_error((path), (spec));     \
        CU_ASSERT_STRING_EQUAL(msg_, (expected));               \
    } while (0)

static void test_open_errors(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *missing = NULL;
    g_autofree char *msg = NULL;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "o.img", 65536, 0);
    missing = g_build_filename(dir, "missing.img", NULL);
    msg = g_strdup_printf("Could not open '%s': No such file or directory",
                          missing);
    CHECK_OPEN_ERROR(missing, "driver=raw", msg);
    g_free(msg);
    msg = g_strdup_printf("'file' driver requires '%s' to be a regular file",
                          dir);
    CHECK_OPEN_ERROR(dir, "driver=raw,read-only=on", msg);
    CHECK_OPEN_ERROR(path, "driver=raw,file.aio=native",
                     "aio=native was specified, but it requires "
                     "cache.direct=on, which was not specified.");
    CHECK_OPEN_ERROR(path, "driver=raw,file.aio=foo",
                     "invalid parameter value: foo");
    CHECK_OPEN_ERROR(path, "driver=raw,file.foo=1",
                     "Block protocol 'file' doesn't support the option "
                     "'foo'");
    CHECK_OPEN_ERROR(path, "driver=raw,foo=1",
                     "Block format 'raw' does not support the option 'foo'");
    CHECK_OPEN_ERROR(path, "driver=vmdk", "Unknown driver 'vmdk'");
    CHECK_OPEN_ERROR(NULL, "driver=raw",
                     "A block device must be specified for \"file\"");
    CHECK_OPEN_ERROR(NULL, "", "Must specify either driver or file");
    CHECK_OPEN_ERROR("nbd:localhost", "driver=raw",
                     "Unknown protocol 'nbd'");
    CHECK_OPEN_ERROR(path, "driver=raw,cache.direct=maybe",
                     "Parameter 'cache.direct' expects 'on' or 'off'");
    CHECK_OPEN_ERROR(path, "driver=raw,discard=maybe",
                     "Invalid discard option");
    CHECK_OPEN_ERROR(path, "driver=raw,node-name=1x",
                     "Invalid node-name: '1x'");
    CHECK_OPEN_ERROR(path, "driver=raw,detect-zeroes=unmap",
                     "setting detect-zeroes to unmap is not allowed without "
                     "setting discard operation to unmap");
    unlink(path);
}

/* "file:" prefixes name the file itself (QEMU). */
static void test_file_prefix(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *prefixed = NULL;
    BlockBackend *blk;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "p.img", 4096, 0);
    prefixed = g_strdup_printf("file:%s", path);
    blk = bt_open(prefixed, "driver=raw", &error_abort);
    CU_ASSERT_STRING_EQUAL(bdrv_get_filename(blk_bs(blk)), path);
    close_all(blk);
    unlink(path);
}

/*
 * auto-read-only (the -drive default): a file that cannot be opened for
 * writing is opened read-only and the drive is read-only; without it the
 * open fails.  Made unwritable with chmod as a user, with the immutable
 * flag as root (root ignores permissions).
 */
static void test_auto_read_only(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *msg = NULL;
    uint8_t buf[512] = { 0 };
    BlockBackend *blk;
    int fd, attr, err;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "ro.img", 65536, 0);
    if (geteuid() == 0) {
        fd = open(path, O_RDONLY);
        attr = 0;
        ioctl(fd, FS_IOC_GETFLAGS, &attr);
        attr |= FS_IMMUTABLE_FL;
        if (ioctl(fd, FS_IOC_SETFLAGS, &attr) < 0) {
            close(fd);
            unlink(path);
            harness_skip("cannot make the image immutable here");
        }
        err = EPERM;
    } else {
        chmod(path, 0444);
        fd = -1;
        err = EACCES;
    }
    blk = bt_open(path, "driver=raw,auto-read-only=on", &error_abort);
    CU_ASSERT_TRUE(blk_is_read_only(blk));
    CU_ASSERT_EQUAL(bt_fd_flags(path) & O_ACCMODE, O_RDONLY);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, buf, 0), -EPERM);
    CU_ASSERT_EQUAL(blk_pread(blk, 0, 512, buf, 0), 0);
    close_all(blk);
    msg = g_strdup_printf("Could not open '%s': %s", path, strerror(err));
    CHECK_OPEN_ERROR(path, "driver=raw", msg);
    if (fd >= 0) {
        attr &= ~FS_IMMUTABLE_FL;
        ioctl(fd, FS_IOC_SETFLAGS, &attr);
        close(fd);
    }
    unlink(path);
}

/* --- discard and write-zeroes -------------------------------------------- */

static int64_t allocated(const char *path)
{
    struct stat st;

    g_assert(stat(path, &st) == 0);
    return (int64_t)st.st_blocks * 512;
}

static void test_discard(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        for (int unmap = 0; unmap < 2; unmap++) {
            g_autofree char *path = bt_image(dirs[i].path, "d.img",
                                             1 << 20, 5);
            BlockBackend *blk = bt_open(path, unmap ? "driver=raw,"
                                        "discard=unmap" : "driver=raw",
                                        &error_abort);
            int64_t before = allocated(path);
            BtCompletion c = { 0 };
            uint8_t buf[4096];

            blk_aio_pdiscard(blk, 256 * 1024, 512 * 1024, bt_complete, &c);
            CU_ASSERT_TRUE(bt_wait_flag(blk_get_aio_context(blk), &c.done));
            CU_ASSERT_EQUAL(c.ret, 0);
            CU_ASSERT_EQUAL(blk_pread(blk, 300 * 1024, 4096, buf, 0), 0);
            if (unmap) {
                /* The host freed the space; the range reads as zeroes */
                CU_ASSERT(allocated(path) <= before - 512 * 1024);
                CU_ASSERT_TRUE(buffer_is_zero(buf, sizeof(buf)));
            } else {
                /* discard=ignore (the default): nothing happened */
                CU_ASSERT_EQUAL(allocated(path), before);
                CU_ASSERT_TRUE(bt_check_pattern(buf, 300 * 1024, 4096, 5));
            }
            close_all(blk);
            unlink(path);
        }
    }
}

/* Write-zeroes: fallocate where the filesystem can (ZERO_RANGE, or a
 * hole with may-unmap), zero buffers where it cannot (tmpfs has no
 * ZERO_RANGE), read-modify-write at unaligned edges. */
static void test_write_zeroes(void)
{
    Dir dirs[2];
    int n = test_dirs(dirs);

    for (int i = 0; i < n; i++) {
        for (int variant = 0; variant < 3; variant++) {
            g_autofree char *path = bt_image(dirs[i].path, "z.img", 1 << 20,
                                             6);
            BlockBackend *blk;
            BtCompletion c = { 0 };
            g_autofree uint8_t *host = NULL;
            int64_t off = 100 * 1024 + (variant == 2 ? 100 : 0);
            int64_t len = 200 * 1024 + (variant == 2 ? 50 : 0);
            int64_t before = allocated(path);

            if (variant == 2) {
                Dir d = dirs[i];

                blk = open_direct(&d, path, "threads", NULL);
                if (!blk) {
                    break;
                }
            } else {
                blk = bt_open(path, variant ? "driver=raw,discard=unmap"
                                            : "driver=raw", &error_abort);
            }
            blk_aio_pwrite_zeroes(blk, off, len,
                                  variant == 1 ? BDRV_REQ_MAY_UNMAP : 0,
                                  bt_complete, &c);
            CU_ASSERT_TRUE(bt_wait_flag(blk_get_aio_context(blk), &c.done));
            CU_ASSERT_EQUAL(c.ret, 0);
            close_all(blk);
            host = bt_file_read(path, 0, 1 << 20);
            CU_ASSERT_TRUE(bt_check_pattern(host, 0, off, 6));
            CU_ASSERT_TRUE(buffer_is_zero(host + off, len));
            CU_ASSERT_TRUE(bt_check_pattern(host + off + len, off + len,
                                            (1 << 20) - off - len, 6));
            if (variant == 1) {
                /* may-unmap with discard=unmap: the space went too */
                CU_ASSERT(allocated(path) < before);
            }
            unlink(path);
        }
    }
}

/* detect-zeroes=unmap turns an all-zero write into freeing space. */
static void test_detect_zeroes(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree uint8_t *zeroes = g_malloc0(256 * 1024);
    BlockBackend *blk;
    int64_t before;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "dz.img", 1 << 20, 6);
    blk = bt_open(path, "driver=raw,discard=unmap,detect-zeroes=unmap",
                  &error_abort);
    before = allocated(path);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 256 * 1024, 256 * 1024, zeroes, 0), 0);
    CU_ASSERT(allocated(path) <= before - 256 * 1024);
    close_all(blk);
    unlink(path);
}

/* --- format probing ------------------------------------------------------ */

static void test_probing(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *out = NULL;
    uint8_t sector[512] = { 0 };
    StderrCapture cap;
    BlockBackend *blk;
    Error *err = NULL;

    if (!dir) {
        harness_skip(why);
    }
    /* A raw image: guessed raw, with QEMU's warning */
    path = bt_image(dir, "probe.img", 65536, 0);
    stderr_capture_begin(&cap);
    blk = bt_open(path, "", &error_abort);
    out = stderr_capture_end(&cap);
    expected = g_strdup_printf(
        "WARNING: Image format was not specified for '%s' and probing "
        "guessed raw.\n"
        "         Automatically detecting the format is dangerous for raw "
        "images, write operations on block 0 will be restricted.\n"
        "         Specify the 'raw' format explicitly to remove the "
        "restrictions.\n", path);
    CU_ASSERT_STRING_EQUAL(out, expected);
    CU_ASSERT_STRING_EQUAL(bdrv_get_format_name(blk_bs(blk)), "raw");
    /* Block 0 is protected; requests there are whole sectors */
    CU_ASSERT_EQUAL(bdrv_get_request_alignment(blk_bs(blk)), 512);
    memcpy(sector, "QFI\xfb\0\0\0\x03", 8);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, sector, 0), -EPERM);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 8, sector, 0), -EPERM);
    memset(sector, 0x33, sizeof(sector));
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, sector, 0), 0);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 1, 3, sector, 0), 0);
    close_all(blk);

    /* A read-only probed image: no warning */
    stderr_capture_begin(&cap);
    blk = bt_open(path, "read-only=on", &error_abort);
    g_free(out);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "");
    close_all(blk);

    /* An image in a format qomu lacks is refused, not used as raw */
    {
        int fd = open(path, O_WRONLY);

        CU_ASSERT_EQUAL(pwrite(fd, "KDMV", 4, 0), 4);
        close(fd);
    }
    CU_ASSERT_PTR_NULL(bt_open(path, "", &err));
    g_free(expected);
    expected = g_strdup_printf("Image '%s' is in vmdk format, which this "
                               "build does not support", path);
    CU_ASSERT_STRING_EQUAL(err ? error_get_pretty(err) : "", expected);
    error_free(err);
    /* ... unless the user says raw */
    blk = bt_open(path, "driver=raw", &error_abort);
    close_all(blk);
    unlink(path);
}

int main(int argc, char **argv)
{
    int ret;

    error_init("qomu");
    main_loop_init();
    harness_add("/file-posix/alignment", test_alignment);
    harness_add("/file-posix/bounce/misaligned-memory",
                test_bounce_misaligned_memory);
    harness_add("/file-posix/rmw/unaligned", test_rmw_unaligned);
    harness_add("/file-posix/rmw/serialised", test_rmw_serialised);
    harness_add("/file-posix/eof", test_eof);
    harness_add("/file-posix/flush-error-sticky", test_flush_error_sticky);
    harness_add("/file-posix/open/errors", test_open_errors);
    harness_add("/file-posix/open/file-prefix", test_file_prefix);
    harness_add("/file-posix/open/auto-read-only", test_auto_read_only);
    harness_add("/file-posix/discard", test_discard);
    harness_add("/file-posix/write-zeroes", test_write_zeroes);
    harness_add("/file-posix/detect-zeroes", test_detect_zeroes);
    harness_add("/file-posix/probing", test_probing);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
