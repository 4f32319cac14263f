/*
 * io.c - requests on a node: what every driver gets for free (QEMU 7.2's
 * block/io.c, as callbacks instead of coroutines).  See the contract in
 * include/block/block.h.
 *
 * Alignment.  A driver receives offsets and lengths aligned to its
 * bs->bl.request_alignment (file-posix with O_DIRECT: the logical block
 * size).  An unaligned request is padded to the blocks it touches: the
 * driver sees head padding + the caller's buffers + tail padding, so only
 * the partial blocks are copied (QEMU's bdrv_pad_request).  A read just
 * drops the padding.  A write first reads the partial blocks
 * (read-modify-write); it is made "serialising" over the whole blocks,
 * so that it waits for every older overlapping request, and every newer
 * overlapping request waits for it: no other write can land in those
 * blocks between our read and our write.  Requests only ever wait for
 * older ones (by sequence number), so waiting cannot deadlock.
 *
 * Flushes (QEMU's bdrv_co_flush).  Each node counts completed writes
 * (write_gen).  A flush remembers the count it started with; flushes of
 * a node run one at a time; a flush whose count was already flushed
 * skips the driver's sync; with cache.no-flush the sync never happens.
 * Then the writable children are flushed, in turn.  FUA writes on a
 * driver without FUA are followed by a flush of the node (that is how
 * cache=writethrough and directsync reach fdatasync).
 *
 * Every completion reaches the caller from the node's AioContext loop,
 * never from inside the call that started the request.
 */
#include "util/osdep.h"
#include "block/block-int.h"

#define ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define ALIGN_UP(n, m) ALIGN_DOWN((n) + (m) - 1, (m))

/* Largest zero buffer the write-zeroes fallback writes at a time. */
#define ZERO_CHUNK (1 * 1024 * 1024)

/* --- deferred completions ------------------------------------------------ */

typedef struct LaterCompletion {
    BlockCompletionFunc *cb;
    void *opaque;
    int ret;
} LaterCompletion;

static void later_completion_bh(void *opaque)
{
    LaterCompletion *c = opaque;

    c->cb(c->opaque, c->ret);
    g_free(c);
}

void bdrv_complete_later(BlockDriverState *bs, BlockCompletionFunc *cb,
                         void *opaque, int ret)
{
    LaterCompletion *c = g_new(LaterCompletion, 1);

    c->cb = cb;
    c->opaque = opaque;
    c->ret = ret;
    aio_bh_schedule_oneshot(bs->aio_context, later_completion_bh, c);
}

/* --- tracked requests ---------------------------------------------------- */

struct BdrvTrackedRequest {
    BlockDriverState *bs;
    uint64_t seq;                   /* order of arrival on bs */
    int64_t overlap_offset;         /* the range others must not touch */
    int64_t overlap_bytes;
    bool serialising;               /* read-modify-write in progress */
    bool tracked;                   /* in bs->tracked_requests */
    GQueue waiters;                 /* BdrvTrackedRequest * parked on us */
    void (*resume)(BdrvTrackedRequest *req);    /* set while waiting */
};

static void tracked_begin(BdrvTrackedRequest *req, BlockDriverState *bs,
                          int64_t offset, int64_t bytes)
{
    req->bs = bs;
    req->seq = bs->next_req_seq++;
    req->overlap_offset = offset;
    req->overlap_bytes = bytes;
    req->serialising = false;
    req->tracked = true;
    g_queue_init(&req->waiters);
    g_queue_push_tail(&bs->tracked_requests, req);
}

/* Widen @req to whole blocks of @align and make it serialising. */
static void tracked_make_serialising(BdrvTrackedRequest *req, int64_t align)
{
    int64_t end = ALIGN_UP(req->overlap_offset + req->overlap_bytes, align);

    req->overlap_offset = ALIGN_DOWN(req->overlap_offset, align);
    req->overlap_bytes = end - req->overlap_offset;
    req->serialising = true;
}

static bool tracked_overlap(const BdrvTrackedRequest *a,
                            const BdrvTrackedRequest *b)
{
    return a->overlap_offset < b->overlap_offset + b->overlap_bytes &&
           b->overlap_offset < a->overlap_offset + a->overlap_bytes;
}

/* An older request @req must wait for, or NULL. */
static BdrvTrackedRequest *tracked_conflict(BdrvTrackedRequest *req)
{
    for (GList *l = req->bs->tracked_requests.head; l; l = l->next) {
        BdrvTrackedRequest *other = l->data;

        if (other->seq >= req->seq) {
            break;                  /* the list is in arrival order */
        }
        if ((req->serialising || other->serialising) &&
            tracked_overlap(req, other)) {
            return other;
        }
    }
    return NULL;
}

/* If @req must wait, park it (@resume runs once it may go) and return
 * true; else return false and let the caller go on. */
static bool tracked_wait(BdrvTrackedRequest *req,
                         void (*resume)(BdrvTrackedRequest *req))
{
    BdrvTrackedRequest *blocker = tracked_conflict(req);

    if (!blocker) {
        return false;
    }
    req->resume = resume;
    g_queue_push_tail(&blocker->waiters, req);
    return true;
}

static void tracked_end(BdrvTrackedRequest *req)
{
    BdrvTrackedRequest *w;

    if (!req->tracked) {
        return;
    }
    req->tracked = false;
    g_queue_remove(&req->bs->tracked_requests, req);
    /* Waiters look again: another older request may still be in their
     * way. */
    while ((w = g_queue_pop_head(&req->waiters))) {
        if (!tracked_wait(w, w->resume)) {
            w->resume(w);
        }
    }
}

/* --- reads and writes ---------------------------------------------------- */

typedef struct BdrvRwReq {
    BdrvTrackedRequest tr;          /* first: resume() gets this back */
    BlockDriverState *bs;
    bool is_write;
    int64_t offset, bytes;          /* as asked */
    QEMUIOVector *qiov;             /* the caller's */
    BdrvRequestFlags flags;
    BlockCompletionFunc *cb;
    void *opaque;

    /* Padding: the request widened to [aligned_offset, +aligned_bytes). */
    bool padded;
    int64_t aligned_offset, aligned_bytes;
    int64_t head;                   /* bytes before offset in its block */
    int64_t tail_rem;               /* bytes of the last block used */
    uint8_t *pad_buf;               /* head block, then tail block */
    size_t pad_len;                 /* 1 or 2 blocks */
    QEMUIOVector pad_qiov;          /* head pad + caller's + tail pad */
    QEMUIOVector rmw_qiov[2];       /* the partial-block reads */
    int rmw_pending;                /* partial-block reads in flight */
    int ret;
} BdrvRwReq;

static void rw_finish(BdrvRwReq *req, int ret)
{
    BlockDriverState *bs = req->bs;

    tracked_end(&req->tr);
    if (req->padded) {
        qemu_iovec_destroy(&req->pad_qiov);
        qemu_vfree(req->pad_buf);
    }
    bs->in_flight--;
    req->cb(req->opaque, ret);
    g_free(req);
}

static void rw_finish_cb(void *opaque, int ret)
{
    rw_finish(opaque, ret);
}

/* Set up the padding of @req, if its alignment needs any. */
static void rw_pad(BdrvRwReq *req)
{
    int64_t align = req->bs->bl.request_alignment;
    int64_t end = req->offset + req->bytes;
    uint8_t *tail_block;

    req->head = req->offset % align;
    req->tail_rem = end % align;
    req->aligned_offset = req->offset - req->head;
    req->aligned_bytes = ALIGN_UP(end, align) - req->aligned_offset;
    if (!req->head && !req->tail_rem) {
        return;
    }
    req->padded = true;
    if (req->aligned_bytes == align) {
        req->pad_len = align;       /* head and tail share one block */
    } else {
        req->pad_len = (req->head ? align : 0) + (req->tail_rem ? align : 0);
    }
    req->pad_buf = qemu_blockalign(req->bs, req->pad_len);
    tail_block = req->pad_buf + req->pad_len - align;

    qemu_iovec_init(&req->pad_qiov, req->qiov->niov + 2);
    qemu_iovec_add(&req->pad_qiov, req->pad_buf, req->head);
    qemu_iovec_concat(&req->pad_qiov, req->qiov, 0, req->bytes);
    if (req->tail_rem) {
        qemu_iovec_add(&req->pad_qiov, tail_block + req->tail_rem,
                       align - req->tail_rem);
    }
    assert(req->pad_qiov.size == (size_t)req->aligned_bytes);
}

static BdrvRwReq *rw_req_new(BlockDriverState *bs, bool is_write,
                             int64_t offset, int64_t bytes,
                             QEMUIOVector *qiov, BdrvRequestFlags flags,
                             BlockCompletionFunc *cb, void *opaque)
{
    BdrvRwReq *req = g_new0(BdrvRwReq, 1);

    req->bs = bs;
    req->is_write = is_write;
    req->offset = offset;
    req->bytes = bytes;
    req->qiov = qiov;
    req->flags = flags;
    req->cb = cb;
    req->opaque = opaque;
    bs->in_flight++;
    return req;
}

/*
 * The checks before @req starts: no medium (-ENOMEDIUM), a write to a
 * read-only node (-EPERM), a bad range (-EIO); an empty request
 * succeeds at once.  Returns false if @req is done (its completion comes
 * later, from the loop), true if it should go on.
 */
static bool rw_check(BdrvRwReq *req)
{
    BlockDriverState *bs = req->bs;
    int ret;

    if (!bs->drv) {
        ret = -ENOMEDIUM;
    } else if (req->is_write && bs->read_only) {
        ret = -EPERM;
    } else if (req->offset < 0 || req->bytes < 0 ||
               req->qiov->size != (size_t)req->bytes) {
        ret = -EIO;
    } else if (req->bytes == 0) {
        ret = 0;
    } else {
        return true;
    }
    bdrv_complete_later(bs, rw_finish_cb, req, ret);
    return false;
}

static QEMUIOVector *rw_driver_qiov(BdrvRwReq *req)
{
    return req->padded ? &req->pad_qiov : req->qiov;
}

static void rw_read_issue(BdrvTrackedRequest *tr)
{
    BdrvRwReq *req = (BdrvRwReq *)tr;

    req->bs->drv->bdrv_preadv(req->bs, req->aligned_offset,
                              req->aligned_bytes, rw_driver_qiov(req),
                              req->flags, rw_finish_cb, req);
}

void bdrv_aio_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, BdrvRequestFlags flags,
                     BlockCompletionFunc *cb, void *opaque)
{
    BdrvRwReq *req = rw_req_new(bs, false, offset, bytes, qiov, flags, cb,
                                opaque);

    assert(aio_context_in_home_thread(bs->aio_context));
    if (!rw_check(req)) {
        return;
    }
    tracked_begin(&req->tr, bs, offset, bytes);
    rw_pad(req);
    if (!tracked_wait(&req->tr, rw_read_issue)) {
        rw_read_issue(&req->tr);
    }
}

/*
 * A write (of data or of zeroes) is done at the driver with @ret: count
 * it and, if the caller asked for FUA that the driver does not do
 * (@supported_flags: its supported_write_flags or supported_zero_flags),
 * flush before @cb runs.  The request stays tracked (and blocks
 * overlapping RMW) until it is stable: as QEMU, whose coroutine flushes
 * before it ends the request.
 */
static void write_done_fua(BlockDriverState *bs, int ret,
                           BdrvRequestFlags flags,
                           BdrvRequestFlags supported_flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    if (ret == 0) {
        bs->write_gen++;
        if ((flags & BDRV_REQ_FUA) && !(supported_flags & BDRV_REQ_FUA)) {
            bdrv_aio_flush(bs, cb, opaque);
            return;
        }
    }
    cb(opaque, ret);
}

/* The write is done at the driver: count it, emulate FUA. */
static void rw_write_done(void *opaque, int ret)
{
    BdrvRwReq *req = opaque;

    write_done_fua(req->bs, ret, req->flags, req->bs->supported_write_flags,
                   rw_finish_cb, req);
}

static void rw_write_issue(BdrvRwReq *req)
{
    req->bs->drv->bdrv_pwritev(req->bs, req->aligned_offset,
                               req->aligned_bytes, rw_driver_qiov(req),
                               req->flags & req->bs->supported_write_flags,
                               rw_write_done, req);
}

static void rw_rmw_read_done(void *opaque, int ret)
{
    BdrvRwReq *req = opaque;

    if (ret < 0 && req->ret == 0) {
        req->ret = ret;
    }
    if (--req->rmw_pending > 0) {
        return;
    }
    if (req->ret < 0) {
        rw_finish(req, req->ret);
        return;
    }
    rw_write_issue(req);
}

/* Read one partial block of a padded write into @buf. */
static void rw_rmw_read(BdrvRwReq *req, int64_t offset, uint8_t *buf,
                        QEMUIOVector *qiov)
{
    int64_t align = req->bs->bl.request_alignment;

    qemu_iovec_init_buf(qiov, buf, align);
    req->bs->drv->bdrv_preadv(req->bs, offset, align, qiov, 0,
                              rw_rmw_read_done, req);
}

static void rw_write_start(BdrvTrackedRequest *tr)
{
    BdrvRwReq *req = (BdrvRwReq *)tr;
    int64_t align = req->bs->bl.request_alignment;
    int64_t last_block = req->aligned_offset + req->aligned_bytes - align;
    bool head = req->head || req->aligned_bytes == align;
    bool tail = req->tail_rem && req->aligned_bytes != align;

    if (!req->padded) {
        rw_write_issue(req);
        return;
    }
    /* Count both before issuing either: completions are never
     * synchronous, but keep the count right regardless. */
    req->rmw_pending = head + tail;
    if (head) {
        rw_rmw_read(req, req->aligned_offset, req->pad_buf,
                    &req->rmw_qiov[0]);
    }
    if (tail) {
        rw_rmw_read(req, last_block, req->pad_buf + req->pad_len - align,
                    &req->rmw_qiov[1]);
    }
}

/* detect-zeroes: an all-zero write becomes a write-zeroes request. */
static bool rw_detect_zeroes(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, QEMUIOVector *qiov,
                             BdrvRequestFlags flags,
                             BlockCompletionFunc *cb, void *opaque)
{
    if (bs->detect_zeroes == BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF ||
        !bs->drv || bs->read_only || bytes <= 0 ||
        qiov->size != (size_t)bytes ||
        !qemu_iovec_is_zero(qiov, 0, bytes)) {
        return false;
    }
    if (bs->detect_zeroes == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP) {
        flags |= BDRV_REQ_MAY_UNMAP;
    }
    bdrv_aio_pwrite_zeroes(bs, offset, bytes, flags, cb, opaque);
    return true;
}

/* @detect: apply detect-zeroes (not for the zero buffers that
 * write-zeroes itself writes). */
static void bdrv_pwritev_common(BlockDriverState *bs, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags,
                                BlockCompletionFunc *cb, void *opaque,
                                bool detect)
{
    BdrvRwReq *req;

    assert(aio_context_in_home_thread(bs->aio_context));
    if (detect &&
        rw_detect_zeroes(bs, offset, bytes, qiov, flags, cb, opaque)) {
        return;
    }
    req = rw_req_new(bs, true, offset, bytes, qiov, flags, cb, opaque);
    if (!rw_check(req)) {
        return;
    }
    tracked_begin(&req->tr, bs, offset, bytes);
    rw_pad(req);
    if (req->padded) {
        tracked_make_serialising(&req->tr, bs->bl.request_alignment);
    }
    if (!tracked_wait(&req->tr, rw_write_start)) {
        rw_write_start(&req->tr);
    }
}

void bdrv_aio_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, BdrvRequestFlags flags,
                      BlockCompletionFunc *cb, void *opaque)
{
    bdrv_pwritev_common(bs, offset, bytes, qiov, flags, cb, opaque, true);
}

/* --- write zeroes -------------------------------------------------------- */

/*
 * Three pieces, in turn: the unaligned head and tail go through the write
 * path (padding, read-modify-write) as zero buffers; the aligned middle
 * is one tracked request that asks the driver to write zeroes
 * (fallocate) and, if it cannot, writes zero buffers itself, ZERO_CHUNK
 * at a time.
 */
typedef struct BdrvZeroReq {
    BdrvTrackedRequest tr;          /* the middle piece, when tracked */
    BlockDriverState *bs;
    int64_t offset, bytes;          /* what is left to do */
    BdrvRequestFlags flags;
    BlockCompletionFunc *cb;
    void *opaque;
    int64_t piece_offset, piece_bytes;  /* the piece under way */
    int64_t fallback_done;          /* middle written by zero buffers */
    uint8_t *zero_buf;              /* ZERO_CHUNK or less, zeroed */
    size_t zero_len;
    QEMUIOVector zero_qiov;
} BdrvZeroReq;

static void zero_next_piece(BdrvZeroReq *req);

static void zero_finish(BdrvZeroReq *req, int ret)
{
    BlockDriverState *bs = req->bs;

    tracked_end(&req->tr);
    qemu_vfree(req->zero_buf);
    bs->in_flight--;
    req->cb(req->opaque, ret);
    g_free(req);
}

static void zero_finish_cb(void *opaque, int ret)
{
    zero_finish(opaque, ret);
}

/* A zero buffer of at least @len bytes (up to ZERO_CHUNK). */
static size_t zero_buffer(BdrvZeroReq *req, int64_t len)
{
    size_t want = MIN(len, ZERO_CHUNK);

    if (req->zero_len < want) {
        qemu_vfree(req->zero_buf);
        req->zero_len = MAX(want, bdrv_opt_mem_align(req->bs));
        req->zero_buf = qemu_blockalign0(req->bs, req->zero_len);
    }
    return want;
}

static void zero_piece_done(void *opaque, int ret)
{
    BdrvZeroReq *req = opaque;

    if (ret < 0) {
        zero_finish(req, ret);
        return;
    }
    req->offset += req->piece_bytes;
    req->bytes -= req->piece_bytes;
    zero_next_piece(req);
}

/* The middle piece is done at the driver. */
static void zero_middle_stable(void *opaque, int ret)
{
    BdrvZeroReq *req = opaque;

    tracked_end(&req->tr);
    zero_piece_done(req, ret);
}

static void zero_middle_written(BdrvZeroReq *req, int ret)
{
    write_done_fua(req->bs, ret, req->flags, req->bs->supported_zero_flags,
                   zero_middle_stable, req);
}

static void zero_fallback_step(void *opaque, int ret);

/* The driver could not write zeroes: write zero buffers ourselves, at
 * the driver (we hold the tracked request for the range). */
static void zero_fallback_next(BdrvZeroReq *req)
{
    BlockDriverState *bs = req->bs;
    int64_t left = req->piece_bytes - req->fallback_done;
    size_t len;

    if (left == 0) {
        zero_middle_written(req, 0);
        return;
    }
    len = zero_buffer(req, left);
    len = ALIGN_DOWN(len, bs->bl.request_alignment);
    assert(len > 0);
    qemu_iovec_init_buf(&req->zero_qiov, req->zero_buf, len);
    bs->drv->bdrv_pwritev(bs, req->piece_offset + req->fallback_done, len,
                          &req->zero_qiov, 0, zero_fallback_step, req);
}

static void zero_fallback_step(void *opaque, int ret)
{
    BdrvZeroReq *req = opaque;

    if (ret < 0) {
        zero_middle_written(req, ret);
        return;
    }
    req->fallback_done += req->zero_qiov.size;
    zero_fallback_next(req);
}

static void zero_driver_done(void *opaque, int ret)
{
    BdrvZeroReq *req = opaque;

    if (ret == -ENOTSUP && !(req->flags & BDRV_REQ_NO_FALLBACK)) {
        req->fallback_done = 0;
        zero_fallback_next(req);
        return;
    }
    zero_middle_written(req, ret);
}

static void zero_middle_issue(BdrvTrackedRequest *tr)
{
    BdrvZeroReq *req = (BdrvZeroReq *)tr;
    BlockDriverState *bs = req->bs;

    if (bs->drv->bdrv_pwrite_zeroes) {
        bs->drv->bdrv_pwrite_zeroes(bs, req->piece_offset, req->piece_bytes,
                                    req->flags & (bs->supported_zero_flags |
                                                  BDRV_REQ_MAY_UNMAP),
                                    zero_driver_done, req);
    } else if (req->flags & BDRV_REQ_NO_FALLBACK) {
        zero_middle_written(req, -ENOTSUP);
    } else {
        req->fallback_done = 0;
        zero_fallback_next(req);
    }
}

static void zero_next_piece(BdrvZeroReq *req)
{
    BlockDriverState *bs = req->bs;
    int64_t align = bs->bl.request_alignment;
    int64_t end = req->offset + req->bytes;

    if (req->bytes == 0) {
        zero_finish(req, 0);
        return;
    }
    req->piece_offset = req->offset;
    if (req->offset % align || end - req->offset < align) {
        /* Unaligned head (or a request inside one block): up to the next
         * boundary, through the write path. */
        req->piece_bytes = MIN(ALIGN_UP(req->offset + 1, align), end) -
                           req->offset;
    } else if (ALIGN_DOWN(end, align) > req->offset) {
        /* The aligned middle */
        req->piece_bytes = ALIGN_DOWN(end, align) - req->offset;
        tracked_begin(&req->tr, bs, req->piece_offset, req->piece_bytes);
        if (!tracked_wait(&req->tr, zero_middle_issue)) {
            zero_middle_issue(&req->tr);
        }
        return;
    } else {
        req->piece_bytes = req->bytes;      /* the unaligned tail */
    }
    if (req->flags & BDRV_REQ_NO_FALLBACK) {
        zero_finish(req, -ENOTSUP);         /* only zero buffers would do */
        return;
    }
    zero_buffer(req, req->piece_bytes);
    qemu_iovec_init_buf(&req->zero_qiov, req->zero_buf, req->piece_bytes);
    bdrv_pwritev_common(bs, req->piece_offset, req->piece_bytes,
                        &req->zero_qiov, req->flags & BDRV_REQ_FUA,
                        zero_piece_done, req, false);
}

static void zero_start(void *opaque, int ret)
{
    zero_next_piece(opaque);
}

void bdrv_aio_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque)
{
    BdrvZeroReq *req = g_new0(BdrvZeroReq, 1);

    assert(aio_context_in_home_thread(bs->aio_context));
    req->bs = bs;
    req->offset = offset;
    req->bytes = bytes;
    /* May-unmap only where discards are allowed (QEMU) */
    req->flags = flags & ((bs->open_flags & BDRV_O_UNMAP) ?
                          (BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP) : BDRV_REQ_FUA);
    req->flags |= flags & BDRV_REQ_NO_FALLBACK;
    req->cb = cb;
    req->opaque = opaque;
    bs->in_flight++;
    if (!bs->drv) {
        bdrv_complete_later(bs, zero_finish_cb, req, -ENOMEDIUM);
    } else if (bs->read_only) {
        bdrv_complete_later(bs, zero_finish_cb, req, -EPERM);
    } else if (offset < 0 || bytes < 0) {
        bdrv_complete_later(bs, zero_finish_cb, req, -EIO);
    } else {
        /* Start from the loop: the first piece may finish at once. */
        bdrv_complete_later(bs, zero_start, req, 0);
    }
}

/* --- discard ------------------------------------------------------------- */

typedef struct BdrvDiscardReq {
    BdrvTrackedRequest tr;
    BlockCompletionFunc *cb;
    void *opaque;
} BdrvDiscardReq;

static void discard_done(void *opaque, int ret)
{
    BdrvDiscardReq *req = opaque;
    BlockDriverState *bs = req->tr.bs;

    if (ret == -ENOTSUP) {
        ret = 0;                    /* a hint the host cannot take */
    }
    if (ret == 0) {
        bs->write_gen++;
    }
    tracked_end(&req->tr);
    bs->in_flight--;
    req->cb(req->opaque, ret);
    g_free(req);
}

static void discard_issue(BdrvTrackedRequest *tr)
{
    BlockDriverState *bs = tr->bs;

    bs->drv->bdrv_pdiscard(bs, tr->overlap_offset, tr->overlap_bytes,
                           discard_done, tr);
}

void bdrv_aio_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       BlockCompletionFunc *cb, void *opaque)
{
    BdrvDiscardReq *req = g_new0(BdrvDiscardReq, 1);
    int64_t align = MAX(bs->bl.pdiscard_alignment, bs->bl.request_alignment);
    int64_t start, end;

    assert(aio_context_in_home_thread(bs->aio_context));
    req->cb = cb;
    req->opaque = opaque;
    req->tr.bs = bs;
    bs->in_flight++;
    if (!bs->drv) {
        bdrv_complete_later(bs, discard_done, req, -ENOMEDIUM);
        return;
    }
    if (bs->read_only) {
        bdrv_complete_later(bs, discard_done, req, -EPERM);
        return;
    }
    if (offset < 0 || bytes < 0) {
        bdrv_complete_later(bs, discard_done, req, -EIO);
        return;
    }
    start = ALIGN_UP(offset, align);
    end = ALIGN_DOWN(offset + bytes, align);
    /* discard=ignore (the default), nothing whole to discard, or a driver
     * that cannot: done, as QEMU's bdrv_co_pdiscard. */
    if (!(bs->open_flags & BDRV_O_UNMAP) || start >= end ||
        !bs->drv->bdrv_pdiscard) {
        bdrv_complete_later(bs, discard_done, req, 0);
        return;
    }
    tracked_begin(&req->tr, bs, start, end - start);
    if (!tracked_wait(&req->tr, discard_issue)) {
        discard_issue(&req->tr);
    }
}

/* --- flush --------------------------------------------------------------- */

typedef struct BdrvFlushReq {
    BlockDriverState *bs;
    uint64_t gen;                   /* write_gen when the flush started */
    GList *next_child;              /* children still to flush */
    bool went_async;                /* a completion is already deferred */
    int ret;
    BlockCompletionFunc *cb;
    void *opaque;
} BdrvFlushReq;

static void flush_start(BdrvFlushReq *req);

static void flush_complete(void *opaque, int ret)
{
    BdrvFlushReq *req = opaque;
    BlockDriverState *bs = req->bs;

    bs->in_flight--;
    req->cb(req->opaque, ret);
    g_free(req);
}

static void flush_done(BdrvFlushReq *req, int ret)
{
    BlockDriverState *bs = req->bs;
    BdrvFlushReq *next;

    if (ret == 0) {
        bs->flushed_gen = req->gen;
    }
    bs->active_flush = false;
    next = g_queue_pop_head(&bs->flush_queue);
    if (next) {
        flush_start(next);
    }
    if (req->went_async) {
        flush_complete(req, ret);
    } else {
        bdrv_complete_later(bs, flush_complete, req, ret);
    }
}

static void flush_children(BdrvFlushReq *req);

static void flush_child_done(void *opaque, int ret)
{
    BdrvFlushReq *req = opaque;

    if (ret < 0 && req->ret == 0) {
        req->ret = ret;
    }
    flush_children(req);
}

/* The writable children, in turn; then done. */
static void flush_children(BdrvFlushReq *req)
{
    while (req->next_child) {
        BdrvChild *child = req->next_child->data;

        req->next_child = req->next_child->next;
        if (!child->bs->read_only) {
            req->went_async = true;
            bdrv_aio_flush(child->bs, flush_child_done, req);
            return;
        }
    }
    flush_done(req, req->ret);
}

static void flush_own_done(void *opaque, int ret)
{
    BdrvFlushReq *req = opaque;

    if (ret < 0) {
        flush_done(req, ret);
        return;
    }
    flush_children(req);
}

static void flush_start(BdrvFlushReq *req)
{
    BlockDriverState *bs = req->bs;

    bs->active_flush = true;
    req->next_child = bs->children;
    /* Even with cache=unsafe the children are visited (they skip too):
     * QEMU's flush_children. */
    if (!(bs->open_flags & BDRV_O_NO_FLUSH) &&
        bs->flushed_gen != req->gen && bs->drv &&
        bs->drv->bdrv_flush_to_disk) {
        req->went_async = true;
        bs->drv->bdrv_flush_to_disk(bs, flush_own_done, req);
        return;
    }
    flush_children(req);
}

void bdrv_aio_flush(BlockDriverState *bs, BlockCompletionFunc *cb,
                    void *opaque)
{
    BdrvFlushReq *req = g_new0(BdrvFlushReq, 1);

    assert(aio_context_in_home_thread(bs->aio_context));
    req->bs = bs;
    req->cb = cb;
    req->opaque = opaque;
    req->gen = bs->write_gen;
    bs->in_flight++;
    /* Nothing to flush on a read-only or empty node (QEMU) */
    if (!bs->drv || bs->read_only) {
        bdrv_complete_later(bs, flush_complete, req, 0);
        return;
    }
    if (bs->active_flush) {
        /* Its completion will come from the active flush's. */
        req->went_async = true;
        g_queue_push_tail(&bs->flush_queue, req);
        return;
    }
    flush_start(req);
}

/* --- plugging, draining -------------------------------------------------- */

void bdrv_io_plug(BlockDriverState *bs)
{
    for (GList *l = bs->children; l; l = l->next) {
        bdrv_io_plug(((BdrvChild *)l->data)->bs);
    }
    if (bs->plugged++ == 0 && bs->drv && bs->drv->bdrv_io_plug) {
        bs->drv->bdrv_io_plug(bs);
    }
}

void bdrv_io_unplug(BlockDriverState *bs)
{
    assert(bs->plugged > 0);
    if (--bs->plugged == 0 && bs->drv && bs->drv->bdrv_io_unplug) {
        bs->drv->bdrv_io_unplug(bs);
    }
    for (GList *l = bs->children; l; l = l->next) {
        bdrv_io_unplug(((BdrvChild *)l->data)->bs);
    }
}

void bdrv_drain(BlockDriverState *bs)
{
    AIO_WAIT_WHILE(bs->aio_context, bs->in_flight > 0);
}

/* --- synchronous wrappers ------------------------------------------------ */

void bdrv_sync_op_done(void *opaque, int ret)
{
    BdrvSyncOp *op = opaque;

    op->ret = ret;
    op->done = true;
}

int bdrv_sync_op_wait(AioContext *ctx, BdrvSyncOp *op)
{
    AIO_WAIT_WHILE(ctx, !op->done);
    return op->ret;
}

int bdrv_pread(BlockDriverState *bs, int64_t offset, int64_t bytes,
               void *buf, BdrvRequestFlags flags)
{
    QEMUIOVector qiov;
    BdrvSyncOp op = { 0 };

    qemu_iovec_init_buf(&qiov, buf, bytes);
    bdrv_aio_preadv(bs, offset, bytes, &qiov, flags, bdrv_sync_op_done, &op);
    return bdrv_sync_op_wait(bs->aio_context, &op);
}

int bdrv_pwrite(BlockDriverState *bs, int64_t offset, int64_t bytes,
                const void *buf, BdrvRequestFlags flags)
{
    QEMUIOVector qiov;
    BdrvSyncOp op = { 0 };

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    bdrv_aio_pwritev(bs, offset, bytes, &qiov, flags, bdrv_sync_op_done, &op);
    return bdrv_sync_op_wait(bs->aio_context, &op);
}

int bdrv_flush(BlockDriverState *bs)
{
    BdrvSyncOp op = { 0 };

    bdrv_aio_flush(bs, bdrv_sync_op_done, &op);
    return bdrv_sync_op_wait(bs->aio_context, &op);
}
