/*
 * raw-format.c - the "raw" format: the image is the disk, byte for byte
 * (QEMU 7.2's block/raw-format.c, without its offset/size options).
 *
 * Requests pass straight to the "file" child.  When the format was
 * guessed rather than given ("-drive file=x" without format=), QEMU warns
 * on a writable image and guards block 0: a guest that writes something
 * there that looks like another image format (a qcow2 header, say) would
 * make the next format-less start open the disk as that format, and read
 * host files named in it.  Such writes fail with EPERM; requests on a
 * probed image are aligned to 512 bytes so that block 0 is always written
 * whole.  The formats recognised are listed in block.c.
 */
#include "util/osdep.h"
#include "block/block-int.h"

static int raw_open(BlockDriverState *bs, BlockOptions *options, int flags,
                    Error **errp)
{
    BdrvChild *file = bdrv_open_child(NULL, options, "file", bs, false,
                                      errp);

    if (!file) {
        return -EINVAL;
    }
    bs->filename = g_strdup(file->bs->filename);
    /* FUA and may-unmap pass through when the file takes them */
    bs->supported_write_flags = file->bs->supported_write_flags &
                                BDRV_REQ_FUA;
    bs->supported_zero_flags = file->bs->supported_zero_flags &
                               (BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP);
    if (bs->probed && !bs->read_only) {
        /* QEMU's exact text, on stderr without the program name */
        fprintf(stderr,
                "WARNING: Image format was not specified for '%s' and "
                "probing guessed raw.\n"
                "         Automatically detecting the format is dangerous "
                "for raw images, write operations on block 0 will be "
                "restricted.\n"
                "         Specify the 'raw' format explicitly to remove the "
                "restrictions.\n", file->bs->filename);
    }
    return 0;
}

/* Lowest positive score: raw when nothing else claims the image. */
static int raw_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    return 1;
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    return bdrv_getlength(bs->file->bs);
}

static void raw_refresh_limits(BlockDriverState *bs)
{
    if (bs->probed) {
        bs->bl.request_alignment = MAX(bs->bl.request_alignment,
                                       BLOCK_PROBE_BUF_SIZE);
    }
}

static void raw_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, BdrvRequestFlags flags,
                       BlockCompletionFunc *cb, void *opaque)
{
    bdrv_aio_preadv(bs->file->bs, offset, bytes, qiov, flags, cb, opaque);
}

static void raw_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, BdrvRequestFlags flags,
                        BlockCompletionFunc *cb, void *opaque)
{
    if (bs->probed && offset < BLOCK_PROBE_BUF_SIZE && bytes) {
        uint8_t buf[BLOCK_PROBE_BUF_SIZE];

        /* Alignment is 512 when probed: block 0 is written whole */
        assert(offset == 0 && bytes >= BLOCK_PROBE_BUF_SIZE);
        qemu_iovec_to_buf(qiov, 0, buf, sizeof(buf));
        if (bdrv_probe_unsupported(buf, sizeof(buf))) {
            bdrv_complete_later(bs, cb, opaque, -EPERM);
            return;
        }
    }
    bdrv_aio_pwritev(bs->file->bs, offset, bytes, qiov, flags, cb, opaque);
}

static void raw_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         BlockCompletionFunc *cb, void *opaque)
{
    bdrv_aio_pdiscard(bs->file->bs, offset, bytes, cb, opaque);
}

static void raw_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, BdrvRequestFlags flags,
                              BlockCompletionFunc *cb, void *opaque)
{
    bdrv_aio_pwrite_zeroes(bs->file->bs, offset, bytes, flags, cb, opaque);
}

static BlockDriver bdrv_raw = {
    .format_name = "raw",
    .bdrv_probe = raw_probe,
    .bdrv_open = raw_open,
    .bdrv_getlength = raw_getlength,
    .bdrv_refresh_limits = raw_refresh_limits,
    .bdrv_child_perm = bdrv_filter_default_perms,
    .bdrv_preadv = raw_preadv,
    .bdrv_pwritev = raw_pwritev,
    .bdrv_pdiscard = raw_pdiscard,
    .bdrv_pwrite_zeroes = raw_pwrite_zeroes,
};

static void bdrv_raw_init(void)
{
    bdrv_register(&bdrv_raw);
}

block_init(bdrv_raw_init)
