/*
 * temp-overlay.c - snapshot=on: a temporary copy-on-write overlay whose
 * writes are thrown away when the drive goes (QEMU 7.2's
 * bdrv_append_temp_snapshot, which uses a qcow2 overlay).
 *
 * qomu has no qcow2, so the overlay is the simplest thing that works: a
 * sparse temporary file the size of the image, and an in-memory bitmap
 * of the 4 KiB clusters written to it.  Reads come from the overlay file
 * for written clusters and from the image (the read-only "backing"
 * child) for the rest.  The node's request alignment is the cluster, so
 * a partial-cluster write is a read-modify-write done by the generic
 * layer, whose serialisation also keeps two writes to a new cluster from
 * racing (block/io.c).  A cluster is marked written when its write
 * completes.
 *
 * The temporary file (in $TMPDIR, else /var/tmp, "vl.XXXXXX" as QEMU) is
 * unlinked as soon as it is open, so not even a SIGKILL leaves it behind
 * (QEMU deletes it at close).  Its node has cache.no-flush: flushing data
 * that will be discarded is pointless, and guest flushes end there.
 *
 * Deviation: `info block` shows driver "temp-overlay" where QEMU shows
 * "qcow2", with the same json:{} shape of file name.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "block/block-int.h"

#define OVERLAY_CLUSTER_BITS 12
#define OVERLAY_CLUSTER (1 << OVERLAY_CLUSTER_BITS)

typedef struct BDRVOverlayState {
    uint64_t *bitmap;               /* 1 bit per cluster: in the overlay */
    int64_t nb_clusters;
} BDRVOverlayState;

static bool cluster_written(BDRVOverlayState *s, int64_t c)
{
    return c < s->nb_clusters && (s->bitmap[c / 64] >> (c % 64)) & 1;
}

static void cluster_set_written(BDRVOverlayState *s, int64_t c)
{
    if (c < s->nb_clusters) {
        s->bitmap[c / 64] |= 1ULL << (c % 64);
    }
}

static int overlay_open(BlockDriverState *bs, BlockOptions *options,
                        int flags, Error **errp)
{
    BdrvChild *file = bdrv_open_child(NULL, options, "file", bs, false,
                                      errp);

    return file ? 0 : -EINVAL;
}

static void overlay_close(BlockDriverState *bs)
{
    BDRVOverlayState *s = bs->opaque;

    g_free(s->bitmap);
    s->bitmap = NULL;
}

static int64_t overlay_getlength(BlockDriverState *bs)
{
    return bs->backing ? bdrv_getlength(bs->backing->bs) : 0;
}

static void overlay_refresh_limits(BlockDriverState *bs)
{
    bs->bl.request_alignment = OVERLAY_CLUSTER;
}

/* --- reads: split by where each run of clusters lives --- */

typedef struct OverlayRead {
    int pending;                    /* sub-reads in flight, +1 while issuing */
    int ret;
    GPtrArray *qiovs;               /* QEMUIOVector * of the sub-reads */
    BlockCompletionFunc *cb;
    void *opaque;
} OverlayRead;

static void overlay_read_put(OverlayRead *r)
{
    if (--r->pending > 0) {
        return;
    }
    for (guint i = 0; i < r->qiovs->len; i++) {
        qemu_iovec_destroy(r->qiovs->pdata[i]);
        g_free(r->qiovs->pdata[i]);
    }
    g_ptr_array_unref(r->qiovs);
    r->cb(r->opaque, r->ret);
    g_free(r);
}

static void overlay_read_done(void *opaque, int ret)
{
    OverlayRead *r = opaque;

    if (ret < 0 && r->ret == 0) {
        r->ret = ret;
    }
    overlay_read_put(r);
}

static void overlay_preadv(BlockDriverState *bs, int64_t offset,
                           int64_t bytes, QEMUIOVector *qiov,
                           BdrvRequestFlags flags, BlockCompletionFunc *cb,
                           void *opaque)
{
    BDRVOverlayState *s = bs->opaque;
    OverlayRead *r = g_new0(OverlayRead, 1);
    int64_t pos = 0;

    r->cb = cb;
    r->opaque = opaque;
    r->qiovs = g_ptr_array_new();
    /* Hold one count while issuing: sub-reads complete later anyway,
     * but this keeps the request alive until all are issued. */
    r->pending = 1;
    while (pos < bytes) {
        int64_t c = (offset + pos) >> OVERLAY_CLUSTER_BITS;
        bool written = cluster_written(s, c);
        int64_t run = 0;
        QEMUIOVector *sub = g_new(QEMUIOVector, 1);

        while (pos + run < bytes &&
               cluster_written(s, (offset + pos + run) >>
                                  OVERLAY_CLUSTER_BITS) == written) {
            run += OVERLAY_CLUSTER;
        }
        run = MIN(run, bytes - pos);
        qemu_iovec_init(sub, qiov->niov);
        qemu_iovec_concat(sub, qiov, pos, run);
        g_ptr_array_add(r->qiovs, sub);
        r->pending++;
        bdrv_aio_preadv(written ? bs->file->bs : bs->backing->bs,
                        offset + pos, run, sub, 0, overlay_read_done, r);
        pos += run;
    }
    overlay_read_put(r);
}

/* --- writes: always to the overlay file --- */

typedef struct OverlayWrite {
    BlockDriverState *bs;
    int64_t offset, bytes;
    BlockCompletionFunc *cb;
    void *opaque;
} OverlayWrite;

static void overlay_write_done(void *opaque, int ret)
{
    OverlayWrite *w = opaque;

    if (ret == 0) {
        BDRVOverlayState *s = w->bs->opaque;

        for (int64_t c = w->offset >> OVERLAY_CLUSTER_BITS;
             c < DIV_ROUND_UP(w->offset + w->bytes, OVERLAY_CLUSTER); c++) {
            cluster_set_written(s, c);
        }
    }
    w->cb(w->opaque, ret);
    g_free(w);
}

static void overlay_pwritev(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, QEMUIOVector *qiov,
                            BdrvRequestFlags flags, BlockCompletionFunc *cb,
                            void *opaque)
{
    OverlayWrite *w = g_new(OverlayWrite, 1);

    /* Whole clusters (the request alignment): no partial cluster can be
     * marked written with only part of its data in the file. */
    assert(offset % OVERLAY_CLUSTER == 0 && bytes % OVERLAY_CLUSTER == 0);
    w->bs = bs;
    w->offset = offset;
    w->bytes = bytes;
    w->cb = cb;
    w->opaque = opaque;
    bdrv_aio_pwritev(bs->file->bs, offset, bytes, qiov, 0,
                     overlay_write_done, w);
}

static BlockDriver bdrv_temp_overlay = {
    .format_name = "temp-overlay",
    .instance_size = sizeof(BDRVOverlayState),
    .bdrv_open = overlay_open,
    .bdrv_close = overlay_close,
    .bdrv_getlength = overlay_getlength,
    .bdrv_refresh_limits = overlay_refresh_limits,
    .bdrv_preadv = overlay_preadv,
    .bdrv_pwritev = overlay_pwritev,
};

/*
 * Called by bdrv_append_temp_snapshot() once the overlay node is open:
 * @base becomes its backing child (the reference is taken over), the
 * bitmap covers @base's length.
 */
void temp_overlay_attach_backing(BlockDriverState *bs,
                                 BlockDriverState *base)
{
    BDRVOverlayState *s = bs->opaque;

    bdrv_attach_child(bs, base, "backing");
    bdrv_refresh_total_sectors(bs);
    s->nb_clusters = DIV_ROUND_UP(bdrv_getlength(bs), OVERLAY_CLUSTER);
    s->bitmap = g_new0(uint64_t, DIV_ROUND_UP(s->nb_clusters, 64) + 1);
}

static void bdrv_temp_overlay_init(void)
{
    bdrv_register(&bdrv_temp_overlay);
}

block_init(bdrv_temp_overlay_init)
