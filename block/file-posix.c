/*
 * file-posix.c - the "file" protocol driver (regular files) and
 * "host_device" (block devices): QEMU 7.2's block/file-posix.c, reduced.
 *
 * Opening: O_RDWR or O_RDONLY, O_DIRECT with cache.direct=on; with
 * auto-read-only (on for -drive) a file that cannot be opened for writing
 * is opened read-only.  aio=threads|native|io_uring picks the engine
 * (include/block/raw-aio.h); aio=native needs O_DIRECT (QEMU's message).
 *
 * O_DIRECT alignment (QEMU's raw_probe_alignment): BLKSSZGET on a block
 * device, statx(STATX_DIOALIGN) where the filesystem reports it, else
 * probe by trying reads.  The generic layer pads requests to the request
 * alignment; buffers the guest gave that are not memory-aligned go
 * through an aligned bounce buffer here, as QEMU's thread pool path does.
 *
 * Transfers: the engines report what the kernel did; here a short read
 * is resubmitted for the rest, or zero-filled at end of file, and a short
 * write is resubmitted, or -ENOSPC if nothing was written, the same for
 * every engine.  Flushes are fdatasync (IORING_OP_FSYNC with DATASYNC for
 * io_uring).  A failed fdatasync without O_DIRECT makes every later flush
 * fail too: the kernel may have dropped the dirty pages it could not
 * write, so a later "successful" fdatasync would prove nothing (QEMU's
 * page_cache_inconsistent, applied here to every engine).
 *
 * Image locking (QEMU's, byte for byte, so that QEMU and qomu see each
 * other): the permissions the node's users hold (block.c) become shared
 * OFD locks on the image's fd - byte 100 + bit for each BLK_PERM_* held,
 * 200 + bit for each one not shared - and a new permission is only
 * granted if no other open file description (another process, or another
 * open of the same file here) holds the opposite byte (F_OFD_GETLK).
 * locking=auto (default) is on where OFD locks exist; locking=on without
 * them falls back to POSIX locks with QEMU's warning; locking=off.
 *
 * Not modelled: host_cdrom,
 * x-check-cache-dropped, pr-manager, preallocation, truncate.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "block/block-int.h"
#include "block/file-posix.h"
#include "block/raw-aio.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

typedef enum BlockdevAioOptions {
    BLOCKDEV_AIO_OPTIONS_THREADS,
    BLOCKDEV_AIO_OPTIONS_NATIVE,
    BLOCKDEV_AIO_OPTIONS_IO_URING,
} BlockdevAioOptions;

static const char *const aio_names[] = { "threads", "native", "io_uring",
                                         NULL };
static const char *const locking_names[] = { "on", "off", "auto", NULL };

typedef struct BDRVRawState {
    int fd;
    int open_flags;                 /* O_* the file was opened with */
    bool is_device;                 /* host_device */
    BlockdevAioOptions aio;
    bool needs_alignment;           /* O_DIRECT */
    uint32_t request_alignment;     /* probed at open */
    size_t buf_align;
    int page_cache_inconsistent;    /* errno of a failed fdatasync, or 0 */

    bool use_lock;                  /* locking=on/auto */
    uint64_t perm, shared_perm;     /* committed */
    uint64_t locked_perm;           /* bits whose byte 100+ we hold */
    uint64_t locked_shared_perm;    /* bits whose byte 200+ we hold */
} BDRVRawState;

/* --- image locking (QEMU's util/osdep.c and file-posix.c) ---------------- */

#define RAW_LOCK_PERM_BASE             100
#define RAW_LOCK_SHARED_BASE           200

#define PERM_FOREACH(i) \
    for ((i) = 0; (1ULL << (i)) <= BLK_PERM_ALL; i++)

static int fcntl_op_setlk = -1, fcntl_op_getlk = -1;

/* QEMU's qemu_probe_lock_ops(): OFD locks where the kernel has them */
static void qemu_probe_lock_ops(void)
{
    if (fcntl_op_setlk == -1) {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        struct flock fl = {
            .l_whence = SEEK_SET,
            .l_start = 0,
            .l_len = 0,
            .l_type = F_WRLCK,
        };

        fcntl_op_setlk = F_SETLK;
        fcntl_op_getlk = F_GETLK;
        if (fd >= 0 && fcntl(fd, F_OFD_GETLK, &fl) == 0) {
            fcntl_op_setlk = F_OFD_SETLK;
            fcntl_op_getlk = F_OFD_GETLK;
        }
        if (fd >= 0) {
            close(fd);
        }
    }
}

static bool qemu_has_ofd_lock(void)
{
    qemu_probe_lock_ops();
    return fcntl_op_setlk == F_OFD_SETLK;
}

static int qemu_lock_fcntl(int fd, int64_t start, int64_t len, int fl_type)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = start,
        .l_len = len,
        .l_type = fl_type,
    };

    qemu_probe_lock_ops();
    return fcntl(fd, fcntl_op_setlk, &fl) == -1 ? -errno : 0;
}

static int qemu_lock_fd(int fd, int64_t start, int64_t len, bool exclusive)
{
    return qemu_lock_fcntl(fd, start, len, exclusive ? F_WRLCK : F_RDLCK);
}

static int qemu_unlock_fd(int fd, int64_t start, int64_t len)
{
    return qemu_lock_fcntl(fd, start, len, F_UNLCK);
}

/* 0 if nobody else holds a lock that conflicts with ours, -EAGAIN if
 * someone does */
static int qemu_lock_fd_test(int fd, int64_t start, int64_t len,
                             bool exclusive)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = start,
        .l_len = len,
        .l_type = exclusive ? F_WRLCK : F_RDLCK,
    };

    qemu_probe_lock_ops();
    if (fcntl(fd, fcntl_op_getlk, &fl) == -1) {
        return -errno;
    }
    return fl.l_type == F_UNLCK ? 0 : -EAGAIN;
}

/* EAGAIN/EACCES: someone holds the byte, the common case: no errno text */
static void raw_lock_error_setg(Error **errp, int err, const char *fmt,
                                const char *arg)
{
    if (err == EAGAIN || err == EACCES) {
        error_setg(errp, fmt, arg);
    } else {
        error_setg_errno(errp, err, fmt, arg);
    }
}

/* Lock the bytes of @perm_lock_bits and @shared_perm_lock_bits (the
 * permissions NOT shared); with @unlock also drop the others. */
static int raw_apply_lock_bytes(BDRVRawState *s, int fd,
                                uint64_t perm_lock_bits,
                                uint64_t shared_perm_lock_bits,
                                bool unlock, Error **errp)
{
    int ret, i;

    PERM_FOREACH(i) {
        int off = RAW_LOCK_PERM_BASE + i;
        uint64_t bit = 1ULL << i;

        if ((perm_lock_bits & bit) && !(s->locked_perm & bit)) {
            ret = qemu_lock_fd(fd, off, 1, false);
            if (ret) {
                g_autofree char *o = g_strdup_printf("%d", off);

                raw_lock_error_setg(errp, -ret, "Failed to lock byte %s", o);
                return ret;
            }
            s->locked_perm |= bit;
        } else if (unlock && (s->locked_perm & bit) &&
                   !(perm_lock_bits & bit)) {
            ret = qemu_unlock_fd(fd, off, 1);
            if (ret) {
                error_setg_errno(errp, -ret, "Failed to unlock byte %d", off);
                return ret;
            }
            s->locked_perm &= ~bit;
        }
    }
    PERM_FOREACH(i) {
        int off = RAW_LOCK_SHARED_BASE + i;
        uint64_t bit = 1ULL << i;

        if ((shared_perm_lock_bits & bit) && !(s->locked_shared_perm & bit)) {
            ret = qemu_lock_fd(fd, off, 1, false);
            if (ret) {
                g_autofree char *o = g_strdup_printf("%d", off);

                raw_lock_error_setg(errp, -ret, "Failed to lock byte %s", o);
                return ret;
            }
            s->locked_shared_perm |= bit;
        } else if (unlock && (s->locked_shared_perm & bit) &&
                   !(shared_perm_lock_bits & bit)) {
            ret = qemu_unlock_fd(fd, off, 1);
            if (ret) {
                error_setg_errno(errp, -ret, "Failed to unlock byte %d", off);
                return ret;
            }
            s->locked_shared_perm &= ~bit;
        }
    }
    return 0;
}

/* Whether another user holds the bytes that forbid @perm / ~@shared */
static int raw_check_lock_bytes(int fd, uint64_t perm, uint64_t shared,
                                Error **errp)
{
    int ret, i;

    PERM_FOREACH(i) {
        uint64_t p = 1ULL << i;

        if (perm & p) {
            ret = qemu_lock_fd_test(fd, RAW_LOCK_SHARED_BASE + i, 1, true);
            if (ret) {
                g_autofree char *name = bdrv_perm_names(p);

                raw_lock_error_setg(errp, -ret, "Failed to get \"%s\" lock",
                                    name);
                return ret;
            }
        }
    }
    PERM_FOREACH(i) {
        uint64_t p = 1ULL << i;

        if (!(shared & p)) {
            ret = qemu_lock_fd_test(fd, RAW_LOCK_PERM_BASE + i, 1, true);
            if (ret) {
                g_autofree char *name = bdrv_perm_names(p);

                raw_lock_error_setg(errp, -ret,
                                    "Failed to get shared \"%s\" lock", name);
                return ret;
            }
        }
    }
    return 0;
}

/*
 * QEMU's raw_co_create for the file protocol: open (create) @filename
 * without truncating it, take the WRITE and RESIZE lock bytes and
 * refuse RESIZE to others, check that nobody holds a conflicting lock,
 * and only then truncate it to 0 and to @size.  Returns the fd, which
 * holds the locks until the caller closes it, or -1 with *errp set (a
 * lock conflict with QEMU's hint "Is another process using the image
 * [FILE]?").
 */
int file_posix_create(const char *filename, int64_t size, Error **errp)
{
    BDRVRawState st = { 0 };        /* only its lock bookkeeping */
    uint64_t perm = BLK_PERM_WRITE | BLK_PERM_RESIZE;
    uint64_t shared = BLK_PERM_ALL & ~BLK_PERM_RESIZE;
    int fd = open(filename, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create '%s'", filename);
        return -1;
    }
    if (raw_apply_lock_bytes(&st, fd, perm, ~shared, false, errp) < 0) {
        goto fail;
    }
    if (raw_check_lock_bytes(fd, perm, shared, errp) < 0) {
        error_append_hint(errp, "Is another process using the image [%s]?\n",
                          filename);
        goto fail;
    }
    if (ftruncate(fd, 0) < 0 || ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "Could not resize file");
        goto fail;
    }
    return fd;

fail:
    close(fd);                      /* drops the OFD locks */
    return -1;
}

typedef enum {
    RAW_PL_PREPARE,
    RAW_PL_COMMIT,
    RAW_PL_ABORT,
} RawPermLockOp;

static int raw_handle_perm_lock(BlockDriverState *bs, RawPermLockOp op,
                                uint64_t new_perm, uint64_t new_shared,
                                Error **errp)
{
    BDRVRawState *s = bs->opaque;
    Error *local_err = NULL;
    int ret = 0;

    if (!s->use_lock || s->fd < 0) {
        return 0;
    }
    switch (op) {
    case RAW_PL_PREPARE:
        if ((s->perm | new_perm) == s->perm &&
            (s->shared_perm & new_shared) == s->shared_perm) {
            /* only unlocking: cannot conflict */
            return 0;
        }
        ret = raw_apply_lock_bytes(s, s->fd, s->perm | new_perm,
                                   ~s->shared_perm | ~new_shared, false,
                                   errp);
        if (!ret) {
            ret = raw_check_lock_bytes(s->fd, new_perm, new_shared, errp);
            if (!ret) {
                return 0;
            }
            error_append_hint(errp,
                              "Is another process using the image [%s]?\n",
                              bs->filename);
        }
        /* back to the committed bytes */
        /* fall through */
    case RAW_PL_ABORT:
        raw_apply_lock_bytes(s, s->fd, s->perm, ~s->shared_perm, true,
                             &local_err);
        break;
    case RAW_PL_COMMIT:
        raw_apply_lock_bytes(s, s->fd, new_perm, ~new_shared, true,
                             &local_err);
        break;
    }
    if (local_err) {
        /* Only unlocking: should not fail (QEMU warns too) */
        warn_report_err(local_err);
    }
    return ret;
}

static int raw_check_perm(BlockDriverState *bs, uint64_t perm,
                          uint64_t shared, Error **errp)
{
    return raw_handle_perm_lock(bs, RAW_PL_PREPARE, perm, shared, errp);
}

static void raw_set_perm(BlockDriverState *bs, uint64_t perm,
                         uint64_t shared)
{
    BDRVRawState *s = bs->opaque;

    raw_handle_perm_lock(bs, RAW_PL_COMMIT, perm, shared, NULL);
    s->perm = perm;
    s->shared_perm = shared;
}

static void raw_abort_perm_update(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    raw_handle_perm_lock(bs, RAW_PL_ABORT, s->perm, s->shared_perm, NULL);
}

/* --- alignment ----------------------------------------------------------- */

static bool raw_is_io_aligned(int fd, void *buf, size_t len)
{
    ssize_t ret = pread(fd, buf, len, 0);

    if (ret >= 0) {
        return true;
    }
    /* The read failed for another reason than alignment: take it as
     * aligned, the real error will show on real I/O (QEMU). */
    return errno != EINVAL;
}

void file_posix_probe_alignment_io(int fd, uint32_t *request_alignment,
                                   size_t *buf_align)
{
    static const size_t alignments[] = { 1, 512, 1024, 2048, 4096 };
    size_t max_align = MAX(MAX_BLOCKSIZE, (size_t)getpagesize());
    uint8_t *buf = qemu_memalign(max_align, 2 * max_align);

    *request_alignment = 0;
    *buf_align = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(alignments); i++) {
        if (raw_is_io_aligned(fd, buf, alignments[i])) {
            *request_alignment = alignments[i] != 1 ? alignments[i]
                                                    : max_align;
            break;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(alignments); i++) {
        if (raw_is_io_aligned(fd, buf + alignments[i], max_align)) {
            *buf_align = alignments[i] != 1 ? alignments[i]
                                            : *request_alignment;
            break;
        }
    }
    qemu_vfree(buf);
    if (!*request_alignment) {
        *request_alignment = max_align;
    }
    if (!*buf_align) {
        *buf_align = max_align;
    }
}

static void raw_probe_alignment(BDRVRawState *s)
{
    struct statx stx;
    int sector_size;

    if (!s->needs_alignment) {
        s->request_alignment = 1;
        s->buf_align = 1;
        return;
    }
    if (s->is_device && ioctl(s->fd, BLKSSZGET, &sector_size) == 0 &&
        sector_size > 0) {
        s->request_alignment = sector_size;
        s->buf_align = sector_size;
        return;
    }
    if (statx(s->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
        (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align &&
        stx.stx_dio_mem_align) {
        s->request_alignment = stx.stx_dio_offset_align;
        s->buf_align = stx.stx_dio_mem_align;
        return;
    }
    file_posix_probe_alignment_io(s->fd, &s->request_alignment,
                                  &s->buf_align);
}

static void raw_refresh_limits(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    bs->bl.request_alignment = s->request_alignment;
    bs->bl.min_mem_alignment = s->buf_align;
    bs->bl.opt_mem_alignment = MAX(s->buf_align, (size_t)getpagesize());
}

/* --- open/close ---------------------------------------------------------- */

static int raw_open_common(BlockDriverState *bs, BlockOptions *options,
                           int flags, bool device, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    g_autofree char *filename = bopts_take(options, "filename");
    int aio_default, aio, locking;
    struct stat st;

    s->fd = -1;
    s->is_device = device;
    aio_default = (flags & BDRV_O_NATIVE_AIO) ? BLOCKDEV_AIO_OPTIONS_NATIVE
                  : (flags & BDRV_O_IO_URING) ? BLOCKDEV_AIO_OPTIONS_IO_URING
                  : BLOCKDEV_AIO_OPTIONS_THREADS;
    if (!bopts_take_enum(options, "aio", aio_names, aio_default, &aio,
                         errp) ||
        !bopts_take_enum(options, "locking", locking_names, 2, &locking,
                         errp)) {
        return -EINVAL;
    }
    s->aio = aio;
    switch (locking) {
    case 0:                         /* on */
        s->use_lock = true;
        if (!qemu_has_ofd_lock()) {
            warn_report("File lock requested but OFD locking syscall is "
                        "unavailable, falling back to POSIX file locks");
            error_printf("Due to the implementation, locks can be lost "
                         "unexpectedly.\n");
        }
        break;
    case 1:                         /* off */
        s->use_lock = false;
        break;
    default:                        /* auto */
        s->use_lock = qemu_has_ofd_lock();
        break;
    }
    s->perm = 0;
    s->shared_perm = BLK_PERM_ALL;
    if (!filename) {
        error_setg(errp, "Parameter 'filename' is missing");
        return -EINVAL;
    }
    bs->filename = g_strdup(filename);

    s->open_flags = O_CLOEXEC | (bs->read_only ? O_RDONLY : O_RDWR) |
                    ((flags & BDRV_O_NOCACHE) ? O_DIRECT : 0);
    s->fd = open(filename, s->open_flags);
    if (s->fd < 0 && !bs->read_only && (flags & BDRV_O_AUTO_RDONLY)) {
        /* auto-read-only: settle for reading (QEMU opens such files
         * read-only until a writer needs them). */
        s->open_flags = (s->open_flags & ~O_RDWR) | O_RDONLY;
        s->fd = open(filename, s->open_flags);
        if (s->fd >= 0) {
            bs->read_only = true;
            bs->open_flags &= ~BDRV_O_RDWR;
        }
    }
    if (s->fd < 0) {
        int err = errno;

        error_setg_file_open(errp, err, filename);
        return -err;
    }

    if (s->aio == BLOCKDEV_AIO_OPTIONS_NATIVE) {
        /* Linux AIO is only asynchronous with O_DIRECT */
        if (!(s->open_flags & O_DIRECT)) {
            error_setg(errp, "aio=native was specified, but it requires "
                       "cache.direct=on, which was not specified.");
            goto fail;
        }
        if (!aio_get_linux_aio(bdrv_get_aio_context(bs), errp)) {
            error_prepend(errp, "Unable to use native AIO: ");
            goto fail;
        }
    } else if (s->aio == BLOCKDEV_AIO_OPTIONS_IO_URING) {
        if (!aio_get_linux_io_uring(bdrv_get_aio_context(bs), errp)) {
            error_prepend(errp, "Unable to use io_uring: ");
            goto fail;
        }
    }

    if (fstat(s->fd, &st) < 0) {
        error_setg_errno(errp, errno, "Could not stat file");
        goto fail;
    }
    if (!device && !S_ISREG(st.st_mode)) {
        error_setg(errp, "'%s' driver requires '%s' to be a regular file",
                   bs->drv->format_name, filename);
        goto fail;
    }
    if (device && !S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
        error_setg(errp, "'%s' driver requires '%s' to be either a "
                   "character or block device", bs->drv->format_name,
                   filename);
        goto fail;
    }
    s->needs_alignment = s->open_flags & O_DIRECT;
    raw_probe_alignment(s);
    return 0;

fail:
    close(s->fd);
    s->fd = -1;
    return -EINVAL;
}

static int raw_open(BlockDriverState *bs, BlockOptions *options, int flags,
                    Error **errp)
{
    return raw_open_common(bs, options, flags, false, errp);
}

static int hdev_open(BlockDriverState *bs, BlockOptions *options, int flags,
                     Error **errp)
{
    return raw_open_common(bs, options, flags, true, errp);
}

static void raw_close(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;
    uint64_t size;

    if (s->is_device && ioctl(s->fd, BLKGETSIZE64, &size) == 0) {
        return size;
    }
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return st.st_size;
}

static int64_t raw_get_allocated_file_size(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

/* /dev/... block devices belong to host_device (QEMU's hdev_probe_device). */
static int hdev_probe_device(const char *filename)
{
    struct stat st;

    if (g_str_has_prefix(filename, "/dev/") && stat(filename, &st) == 0 &&
        S_ISBLK(st.st_mode)) {
        return 100;
    }
    return 0;
}

/* --- reads and writes ---------------------------------------------------- */

typedef struct RawRwReq {
    BlockDriverState *bs;
    RawAioType type;
    int64_t offset, bytes;
    QEMUIOVector *qiov;             /* what the engine reads/writes */
    QEMUIOVector *guest_qiov;       /* the caller's */
    uint8_t *bounce;                /* aligned copy, or NULL */
    QEMUIOVector bounce_qiov;
    int64_t done;                   /* bytes transferred so far */
    QEMUIOVector rest_qiov;         /* the part still to do */
    bool rest_init;
    BlockCompletionFunc *cb;
    void *opaque;
} RawRwReq;

static void raw_rw_submit(RawRwReq *req);

static void raw_rw_finish(RawRwReq *req, int ret)
{
    if (req->bounce) {
        if (ret == 0 && req->type == QEMU_AIO_READ) {
            qemu_iovec_from_buf(req->guest_qiov, 0, req->bounce, req->bytes);
        }
        qemu_vfree(req->bounce);
    }
    if (req->rest_init) {
        qemu_iovec_destroy(&req->rest_qiov);
    }
    req->cb(req->opaque, ret);
    g_free(req);
}

/* Whether the rest of a short transfer may go to the kernel as is: with
 * O_DIRECT its offset must be aligned (its memory then is too). */
static bool raw_rest_aligned(RawRwReq *req)
{
    BDRVRawState *s = req->bs->opaque;

    return !s->needs_alignment || req->done % s->request_alignment == 0;
}

/* The engine's result: see the header comment. */
static void raw_rw_complete(void *opaque, int64_t ret)
{
    RawRwReq *req = opaque;
    int64_t left = req->bytes - req->done;

    if (ret == -EINTR || ret == -EAGAIN) {
        raw_rw_submit(req);
        return;
    }
    if (ret < 0) {
        raw_rw_finish(req, ret);
        return;
    }
    req->done += MIN(ret, left);
    left = req->bytes - req->done;
    if (left == 0) {
        raw_rw_finish(req, 0);
    } else if (req->type == QEMU_AIO_READ) {
        if (ret > 0 && raw_rest_aligned(req)) {
            raw_rw_submit(req);
        } else {
            /* End of file: the rest reads as zeroes */
            qemu_iovec_memset(req->qiov, req->done, 0, left);
            raw_rw_finish(req, 0);
        }
    } else if (ret > 0 && raw_rest_aligned(req)) {
        raw_rw_submit(req);
    } else {
        raw_rw_finish(req, ret == 0 ? -ENOSPC : -EIO);
    }
}

/* Thread pool body: one preadv/pwritev (EINTR retried). */
static int64_t raw_rw_worker(void *opaque)
{
    RawRwReq *req = opaque;
    BDRVRawState *s = req->bs->opaque;
    QEMUIOVector *q = req->done ? &req->rest_qiov : req->qiov;
    ssize_t n;

    do {
        n = req->type == QEMU_AIO_READ
            ? preadv(s->fd, q->iov, q->niov, req->offset + req->done)
            : pwritev(s->fd, q->iov, q->niov, req->offset + req->done);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

static void raw_rw_fail(void *opaque, int ret)
{
    raw_rw_finish(opaque, ret);
}

static void raw_rw_submit(RawRwReq *req)
{
    BlockDriverState *bs = req->bs;
    BDRVRawState *s = bs->opaque;
    AioContext *ctx = bdrv_get_aio_context(bs);
    QEMUIOVector *q = req->qiov;
    int ret = -ENOTSUP;

    if (req->done) {
        if (!req->rest_init) {
            qemu_iovec_init(&req->rest_qiov, req->qiov->niov);
            req->rest_init = true;
        }
        qemu_iovec_reset(&req->rest_qiov);
        qemu_iovec_concat(&req->rest_qiov, req->qiov, req->done,
                          req->bytes - req->done);
        q = &req->rest_qiov;
    }
    if (s->aio == BLOCKDEV_AIO_OPTIONS_IO_URING) {
        LuringState *ring = aio_get_linux_io_uring(ctx, NULL);

        if (ring) {
            ret = luring_submit(ring, s->fd, req->offset + req->done, q,
                                req->type, raw_rw_complete, req);
        }
    } else if (s->aio == BLOCKDEV_AIO_OPTIONS_NATIVE) {
        LinuxAioState *laio = aio_get_linux_aio(ctx, NULL);

        if (laio) {
            ret = laio_submit(laio, s->fd, req->offset + req->done, q,
                              req->type, raw_rw_complete, req);
        }
    }
    /* aio=threads, or the engine is not there in this context */
    if (ret == -ENOTSUP) {
        ret = thread_pool_submit_aio(aio_get_thread_pool(ctx), raw_rw_worker,
                                     req, raw_rw_complete, req);
    }
    if (ret < 0) {
        /* Not submitted: complete through the loop, never from inside
         * the caller's call. */
        bdrv_complete_later(bs, raw_rw_fail, req, ret);
    }
}

static void raw_rw(BlockDriverState *bs, RawAioType type, int64_t offset,
                   int64_t bytes, QEMUIOVector *qiov,
                   BlockCompletionFunc *cb, void *opaque)
{
    BDRVRawState *s = bs->opaque;
    RawRwReq *req = g_new0(RawRwReq, 1);

    req->bs = bs;
    req->type = type;
    req->offset = offset;
    req->bytes = bytes;
    req->qiov = req->guest_qiov = qiov;
    req->cb = cb;
    req->opaque = opaque;
    /* O_DIRECT wants aligned memory; preadv takes at most IOV_MAX
     * elements.  Otherwise copy through an aligned buffer. */
    if ((s->needs_alignment && !qemu_iovec_is_aligned(qiov, s->buf_align)) ||
        qiov->niov > IOV_MAX) {
        req->bounce = qemu_blockalign(bs, bytes);
        if (type == QEMU_AIO_WRITE) {
            qemu_iovec_to_buf(qiov, 0, req->bounce, bytes);
        }
        qemu_iovec_init_buf(&req->bounce_qiov, req->bounce, bytes);
        req->qiov = &req->bounce_qiov;
    }
    raw_rw_submit(req);
}

static void raw_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, BdrvRequestFlags flags,
                       BlockCompletionFunc *cb, void *opaque)
{
    raw_rw(bs, QEMU_AIO_READ, offset, bytes, qiov, cb, opaque);
}

static void raw_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, BdrvRequestFlags flags,
                        BlockCompletionFunc *cb, void *opaque)
{
    raw_rw(bs, QEMU_AIO_WRITE, offset, bytes, qiov, cb, opaque);
}

/* --- flush, discard, write-zeroes ---------------------------------------- */

typedef struct RawMiscReq {
    BlockDriverState *bs;
    int fd;
    int64_t offset, bytes;
    int mode;                       /* fallocate mode, or ioctl */
    BlockCompletionFunc *cb;
    void *opaque;
} RawMiscReq;

static void raw_misc_complete(void *opaque, int64_t ret)
{
    RawMiscReq *req = opaque;

    req->cb(req->opaque, ret);
    g_free(req);
}

static void raw_misc_fail(void *opaque, int ret)
{
    raw_misc_complete(opaque, ret);
}

static void raw_flush_complete(void *opaque, int64_t ret)
{
    RawMiscReq *req = opaque;
    BDRVRawState *s = req->bs->opaque;

    /* See the header comment: after a failed fdatasync we cannot know
     * what is on disk any more.  O_DIRECT bypasses the page cache. */
    if (ret < 0 && !(s->open_flags & O_DIRECT) &&
        !s->page_cache_inconsistent) {
        s->page_cache_inconsistent = -ret;
    }
    raw_misc_complete(req, ret);
}

static int64_t raw_flush_worker(void *opaque)
{
    RawMiscReq *req = opaque;

    return fdatasync(req->fd) < 0 ? -errno : 0;
}

static void raw_flush_to_disk(BlockDriverState *bs, BlockCompletionFunc *cb,
                              void *opaque)
{
    BDRVRawState *s = bs->opaque;
    AioContext *ctx = bdrv_get_aio_context(bs);
    RawMiscReq *req = g_new0(RawMiscReq, 1);
    int ret = -ENOTSUP;

    req->bs = bs;
    req->fd = s->fd;
    req->cb = cb;
    req->opaque = opaque;
    if (s->page_cache_inconsistent) {
        bdrv_complete_later(bs, raw_misc_fail, req,
                            -s->page_cache_inconsistent);
        return;
    }
    if (s->aio == BLOCKDEV_AIO_OPTIONS_IO_URING) {
        LuringState *ring = aio_get_linux_io_uring(ctx, NULL);

        if (ring) {
            ret = luring_submit(ring, s->fd, 0, NULL, QEMU_AIO_FLUSH,
                                raw_flush_complete, req);
        }
    }
    /* Linux AIO has no usable fdatasync: the pool does it (QEMU too) */
    if (ret == -ENOTSUP) {
        ret = thread_pool_submit_aio(aio_get_thread_pool(ctx),
                                     raw_flush_worker, req,
                                     raw_flush_complete, req);
    }
    if (ret < 0) {
        bdrv_complete_later(bs, raw_misc_fail, req, ret);
    }
}

/* fallocate() for a file, the BLK* ioctls for a device. */
static int64_t raw_misc_worker(void *opaque)
{
    RawMiscReq *req = opaque;
    int ret;

    if (req->mode < 0) {
        uint64_t range[2] = { req->offset, req->bytes };

        ret = ioctl(req->fd, req->mode == -1 ? BLKDISCARD : BLKZEROOUT,
                    range);
    } else {
        do {
            ret = fallocate(req->fd, req->mode, req->offset, req->bytes);
        } while (ret < 0 && errno == EINTR);
    }
    if (ret < 0) {
        return errno == EOPNOTSUPP || errno == ENOTTY ? -ENOTSUP : -errno;
    }
    return 0;
}

static void raw_misc_submit(BlockDriverState *bs, int mode, int64_t offset,
                            int64_t bytes, BlockCompletionFunc *cb,
                            void *opaque)
{
    BDRVRawState *s = bs->opaque;
    RawMiscReq *req = g_new0(RawMiscReq, 1);
    int ret;

    req->bs = bs;
    req->fd = s->fd;
    req->mode = mode;
    req->offset = offset;
    req->bytes = bytes;
    req->cb = cb;
    req->opaque = opaque;
    ret = thread_pool_submit_aio(aio_get_thread_pool(bdrv_get_aio_context(bs)),
                                 raw_misc_worker, req, raw_misc_complete,
                                 req);
    if (ret < 0) {
        bdrv_complete_later(bs, raw_misc_fail, req, ret);
    }
}

static void raw_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         BlockCompletionFunc *cb, void *opaque)
{
    BDRVRawState *s = bs->opaque;

    raw_misc_submit(bs, s->is_device ? -1
                        : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    offset, bytes, cb, opaque);
}

static void raw_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, BdrvRequestFlags flags,
                              BlockCompletionFunc *cb, void *opaque)
{
    BDRVRawState *s = bs->opaque;
    int mode;

    if (s->is_device) {
        mode = -2;                  /* BLKZEROOUT */
    } else if (flags & BDRV_REQ_MAY_UNMAP) {
        /* A hole reads as zeroes and frees the space */
        mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
    } else {
        mode = FALLOC_FL_ZERO_RANGE;
    }
    raw_misc_submit(bs, mode, offset, bytes, cb, opaque);
}

/* --- batching ------------------------------------------------------------ */

/* Plug (@plug) or unplug the engine @bs submits to: the io_uring ring or
 * the Linux AIO context of its AioContext (the thread pool does not
 * batch). */
static void raw_io_plug_unplug(BlockDriverState *bs, bool plug)
{
    BDRVRawState *s = bs->opaque;
    AioContext *ctx = bdrv_get_aio_context(bs);

    if (s->aio == BLOCKDEV_AIO_OPTIONS_IO_URING) {
        LuringState *ring = aio_get_linux_io_uring(ctx, NULL);

        if (ring) {
            (plug ? luring_io_plug : luring_io_unplug)(ring);
        }
    } else if (s->aio == BLOCKDEV_AIO_OPTIONS_NATIVE) {
        LinuxAioState *laio = aio_get_linux_aio(ctx, NULL);

        if (laio) {
            (plug ? laio_io_plug : laio_io_unplug)(laio);
        }
    }
}

static void raw_io_plug(BlockDriverState *bs)
{
    raw_io_plug_unplug(bs, true);
}

static void raw_io_unplug(BlockDriverState *bs)
{
    raw_io_plug_unplug(bs, false);
}

/* --- the drivers --------------------------------------------------------- */

/* What "file" and "host_device" share: all but opening. */
#define RAW_POSIX_DRIVER_COMMON                                         \
    .instance_size = sizeof(BDRVRawState),                              \
    .protocol = true,                                                   \
    .bdrv_close = raw_close,                                            \
    .bdrv_getlength = raw_getlength,                                    \
    .bdrv_get_allocated_file_size = raw_get_allocated_file_size,        \
    .bdrv_refresh_limits = raw_refresh_limits,                          \
    .bdrv_preadv = raw_preadv,                                          \
    .bdrv_pwritev = raw_pwritev,                                        \
    .bdrv_flush_to_disk = raw_flush_to_disk,                            \
    .bdrv_pdiscard = raw_pdiscard,                                      \
    .bdrv_pwrite_zeroes = raw_pwrite_zeroes,                            \
    .bdrv_io_plug = raw_io_plug,                                        \
    .bdrv_io_unplug = raw_io_unplug,                                    \
    .bdrv_check_perm = raw_check_perm,                                  \
    .bdrv_set_perm = raw_set_perm,                                      \
    .bdrv_abort_perm_update = raw_abort_perm_update

static BlockDriver bdrv_file = {
    .format_name = "file",
    .bdrv_open = raw_open,
    RAW_POSIX_DRIVER_COMMON,
};

static BlockDriver bdrv_host_device = {
    .format_name = "host_device",
    .bdrv_probe_device = hdev_probe_device,
    .bdrv_open = hdev_open,
    RAW_POSIX_DRIVER_COMMON,
};

static void bdrv_file_init(void)
{
    bdrv_register(&bdrv_file);
    bdrv_register(&bdrv_host_device);
}

block_init(bdrv_file_init)
