/*
 * blkdebug.c - "blkdebug", a filter node for fault injection (QEMU
 * 7.2's block/blkdebug.c, reduced to error injection and alignment).
 *
 * The node passes every request to its "image" child unless a rule
 * (include/block/blkdebug.h) says to fail it; a failed request never
 * reaches the image.  The "align" option forces the node's request
 * alignment (a power of two), so that the generic layer's padding and
 * read-modify-write can be exercised on any host file; "max-transfer"
 * sets the node's max_transfer (what devices merge requests up to).
 *
 * Not modelled: QEMU's event/state machine ("inject-error.N.event"),
 * config files, "blkdebug:" file names, suspend/resume.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "block/block-int.h"
#include "block/blkdebug.h"

typedef struct BlkdebugRule {
    unsigned iotypes;
    int error;
    int64_t offset, bytes;          /* bytes < 0: any range */
    bool once;
} BlkdebugRule;

typedef struct BDRVBlkdebugState {
    uint32_t align;                 /* 0: the image's */
    uint32_t max_transfer;          /* 0: the image's */
    GQueue rules;                   /* BlkdebugRule * */
    unsigned counts[5];             /* per BlkdebugIOType bit */
} BDRVBlkdebugState;

static int blkdebug_open(BlockDriverState *bs, BlockOptions *options,
                         int flags, Error **errp)
{
    BDRVBlkdebugState *s = bs->opaque;
    g_autofree char *align = bopts_take(options, "align");
    g_autofree char *max_transfer = bopts_take(options, "max-transfer");
    BdrvChild *image;

    g_queue_init(&s->rules);
    if (align) {
        uint64_t value;

        if (!parse_option_number("align", align, &value, errp)) {
            return -EINVAL;
        }
        if (!value || value > INT32_MAX || (value & (value - 1))) {
            error_setg(errp, "Cannot meet constraints with align %" PRIu64,
                       value);
            return -EINVAL;
        }
        s->align = value;
    }
    if (max_transfer) {
        uint64_t value;

        if (!parse_option_number("max-transfer", max_transfer, &value,
                                 errp)) {
            return -EINVAL;
        }
        /* QEMU's check: below INT_MAX, a multiple of MAX(align, 512) */
        if (value && (value >= INT_MAX ||
                      value % MAX(s->align, 512u))) {
            error_setg(errp, "Cannot meet constraints with max-transfer %"
                       PRIu64, value);
            return -EINVAL;
        }
        s->max_transfer = value;
    }
    image = bdrv_open_child(NULL, options, "image", bs, false, errp);
    if (!image) {
        return -EINVAL;
    }
    bs->filename = g_strdup(image->bs->filename);
    return 0;
}

static void blkdebug_close(BlockDriverState *bs)
{
    blkdebug_clear_rules(bs);
}

static int64_t blkdebug_getlength(BlockDriverState *bs)
{
    BdrvChild *image = bs->children->data;

    return bdrv_getlength(image->bs);
}

static void blkdebug_refresh_limits(BlockDriverState *bs)
{
    BDRVBlkdebugState *s = bs->opaque;

    if (s->align) {
        bs->bl.request_alignment = s->align;
    }
    if (s->max_transfer) {
        bs->bl.max_transfer = s->max_transfer;
    }
}

static BlockDriverState *image_bs(BlockDriverState *bs)
{
    return ((BdrvChild *)bs->children->data)->bs;
}

/* The error to fail this request with, or 0. */
static int blkdebug_check(BlockDriverState *bs, BlkdebugIOType type,
                          int64_t offset, int64_t bytes)
{
    BDRVBlkdebugState *s = bs->opaque;

    s->counts[__builtin_ctz(type)]++;
    for (GList *l = s->rules.head; l; l = l->next) {
        BlkdebugRule *r = l->data;
        int error;

        if (!(r->iotypes & type)) {
            continue;
        }
        if (type != BLKDEBUG_IO_TYPE_FLUSH && r->bytes >= 0 &&
            !(offset < r->offset + r->bytes && r->offset < offset + bytes)) {
            continue;
        }
        error = r->error;
        if (r->once) {
            g_queue_delete_link(&s->rules, l);
            g_free(r);
        }
        return error;
    }
    return 0;
}

static void blkdebug_preadv(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, QEMUIOVector *qiov,
                            BdrvRequestFlags flags, BlockCompletionFunc *cb,
                            void *opaque)
{
    int err = blkdebug_check(bs, BLKDEBUG_IO_TYPE_READ, offset, bytes);

    if (err) {
        bdrv_complete_later(bs, cb, opaque, -err);
        return;
    }
    bdrv_aio_preadv(image_bs(bs), offset, bytes, qiov, flags, cb, opaque);
}

static void blkdebug_pwritev(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, QEMUIOVector *qiov,
                             BdrvRequestFlags flags, BlockCompletionFunc *cb,
                             void *opaque)
{
    int err = blkdebug_check(bs, BLKDEBUG_IO_TYPE_WRITE, offset, bytes);

    if (err) {
        bdrv_complete_later(bs, cb, opaque, -err);
        return;
    }
    bdrv_aio_pwritev(image_bs(bs), offset, bytes, qiov, flags, cb, opaque);
}

/* The node's own part of a flush: only the rule check (the generic layer
 * then flushes the image). */
static void blkdebug_flush_to_disk(BlockDriverState *bs,
                                   BlockCompletionFunc *cb, void *opaque)
{
    bdrv_complete_later(bs, cb, opaque,
                        -blkdebug_check(bs, BLKDEBUG_IO_TYPE_FLUSH, 0, 0));
}

static void blkdebug_pdiscard(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, BlockCompletionFunc *cb,
                              void *opaque)
{
    int err = blkdebug_check(bs, BLKDEBUG_IO_TYPE_DISCARD, offset, bytes);

    if (err) {
        bdrv_complete_later(bs, cb, opaque, -err);
        return;
    }
    bdrv_aio_pdiscard(image_bs(bs), offset, bytes, cb, opaque);
}

static void blkdebug_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes, BdrvRequestFlags flags,
                                   BlockCompletionFunc *cb, void *opaque)
{
    int err = blkdebug_check(bs, BLKDEBUG_IO_TYPE_WRITE_ZEROES, offset,
                             bytes);

    if (err) {
        bdrv_complete_later(bs, cb, opaque, -err);
        return;
    }
    bdrv_aio_pwrite_zeroes(image_bs(bs), offset, bytes, flags, cb, opaque);
}

/* --- rules --- */

void blkdebug_inject_error(BlockDriverState *bs, unsigned iotypes,
                           int error, int64_t offset, int64_t bytes,
                           bool once)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugRule *r = g_new(BlkdebugRule, 1);

    assert(!strcmp(bs->drv->format_name, "blkdebug") && error > 0);
    *r = (BlkdebugRule) { iotypes, error, offset, bytes, once };
    g_queue_push_tail(&s->rules, r);
}

void blkdebug_clear_rules(BlockDriverState *bs)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugRule *r;

    while ((r = g_queue_pop_head(&s->rules))) {
        g_free(r);
    }
}

unsigned blkdebug_request_count(BlockDriverState *bs, BlkdebugIOType iotype)
{
    BDRVBlkdebugState *s = bs->opaque;

    return s->counts[__builtin_ctz(iotype)];
}

static BlockDriver bdrv_blkdebug = {
    .format_name = "blkdebug",
    .instance_size = sizeof(BDRVBlkdebugState),
    .bdrv_open = blkdebug_open,
    .bdrv_close = blkdebug_close,
    .bdrv_getlength = blkdebug_getlength,
    .bdrv_refresh_limits = blkdebug_refresh_limits,
    .bdrv_child_perm = bdrv_filter_default_perms,
    .bdrv_preadv = blkdebug_preadv,
    .bdrv_pwritev = blkdebug_pwritev,
    .bdrv_flush_to_disk = blkdebug_flush_to_disk,
    .bdrv_pdiscard = blkdebug_pdiscard,
    .bdrv_pwrite_zeroes = blkdebug_pwrite_zeroes,
};

static void bdrv_blkdebug_init(void)
{
    bdrv_register(&bdrv_blkdebug);
}

block_init(bdrv_blkdebug_init)
