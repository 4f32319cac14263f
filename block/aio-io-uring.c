/*
 * aio-io-uring.c - aio=io_uring: one io_uring ring per AioContext
 * (QEMU 7.2's block/io_uring.c).  The only file that includes liburing.h:
 * everything else sees the small interface in include/block/raw-aio.h.
 *
 * Submission: each request takes an SQE (READV, WRITEV, or FSYNC with
 * IORING_FSYNC_DATASYNC) and is handed to the kernel at once, or, while
 * plugged, in batches of the context's aio-max-batch (default
 * LURING_DEFAULT_MAX_BATCH, raw-aio.h says why) and the rest by the last
 * unplug.  When the SQ ring is full the queued SQEs are submitted
 * and the request retried; requests that still find no room wait in a
 * software queue, drained as completions free space.
 * Completion: the context watches the ring's fd, which polls readable
 * while the CQ ring holds entries (QEMU's qemu_luring_completion_cb: no
 * eventfd to read per wake-up); luring_poll() reaps the CQ ring and runs
 * the callbacks there.
 *
 * Not modelled: QEMU's resubmission of short reads here (file-posix does
 * it for every engine), fixed buffers/files, SQPOLL.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "block/aio.h"
#include "block/raw-aio.h"

#include <liburing.h>

#define MAX_ENTRIES 128             /* SQ ring size, as QEMU */

typedef struct LuringAIOCB {
    RawAioType type;
    int fd;
    int64_t offset;
    QEMUIOVector *qiov;
    RawAioCompletionFunc *cb;
    void *opaque;
} LuringAIOCB;

struct LuringState {
    AioContext *ctx;
    struct io_uring ring;
    unsigned plugged;           /* plug nesting count */
    unsigned in_sq;             /* SQEs prepared, not yet submitted */
    unsigned in_flight;         /* submitted, completion not reaped */
    GQueue overflow;            /* LuringAIOCB * waiting for an SQE */
    uint64_t submit_calls;
};

static void luring_prep(struct io_uring_sqe *sqe, LuringAIOCB *cb)
{
    switch (cb->type) {
    case QEMU_AIO_READ:
        io_uring_prep_readv(sqe, cb->fd, cb->qiov->iov, cb->qiov->niov,
                            cb->offset);
        break;
    case QEMU_AIO_WRITE:
        io_uring_prep_writev(sqe, cb->fd, cb->qiov->iov, cb->qiov->niov,
                             cb->offset);
        break;
    case QEMU_AIO_FLUSH:
        io_uring_prep_fsync(sqe, cb->fd, IORING_FSYNC_DATASYNC);
        break;
    }
    io_uring_sqe_set_data(sqe, cb);
}

/* Hand the prepared SQEs to the kernel.  Failures are transient
 * (-EAGAIN, -EBUSY: no memory or CQ full) and leave the SQEs in the ring
 * for the next attempt, which a completion or unplug triggers. */
static void luring_flush_sq(LuringState *s)
{
    int ret;

    if (!s->in_sq) {
        return;
    }
    do {
        s->submit_calls++;
        ret = io_uring_submit(&s->ring);
    } while (ret == -EINTR);
    if (ret > 0) {
        s->in_sq -= MIN((unsigned)ret, s->in_sq);
        s->in_flight += ret;
    } else if (ret < 0 && ret != -EAGAIN && ret != -EBUSY) {
        error_report_once("io_uring_submit: %s", strerror(-ret));
    }
}

/* Take an SQE for @cb if there is room; false otherwise. */
static bool luring_try_queue(LuringState *s, LuringAIOCB *cb)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

    if (!sqe) {
        luring_flush_sq(s);         /* make room */
        sqe = io_uring_get_sqe(&s->ring);
        if (!sqe) {
            return false;
        }
    }
    luring_prep(sqe, cb);
    s->in_sq++;
    return true;
}

/* Move waiting requests into the ring while there is room. */
static void luring_drain_overflow(LuringState *s)
{
    LuringAIOCB *cb;

    while ((cb = g_queue_peek_head(&s->overflow))) {
        if (!luring_try_queue(s, cb)) {
            break;
        }
        g_queue_pop_head(&s->overflow);
    }
}

int luring_submit(LuringState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                  RawAioType type, RawAioCompletionFunc *cb, void *opaque)
{
    LuringAIOCB *acb;

    assert(aio_context_in_home_thread(s->ctx));
    if (type != QEMU_AIO_READ && type != QEMU_AIO_WRITE &&
        type != QEMU_AIO_FLUSH) {
        return -EINVAL;
    }
    acb = g_new(LuringAIOCB, 1);
    *acb = (LuringAIOCB) {
        .type = type, .fd = fd, .offset = offset, .qiov = qiov,
        .cb = cb, .opaque = opaque,
    };
    /* FIFO: nothing overtakes requests already waiting for room. */
    if (!g_queue_is_empty(&s->overflow) || !luring_try_queue(s, acb)) {
        g_queue_push_tail(&s->overflow, acb);
    }
    if (!s->plugged ||
        s->in_sq >= aio_context_max_batch(s->ctx, LURING_DEFAULT_MAX_BATCH,
                                          MAX_ENTRIES)) {
        luring_flush_sq(s);
    }
    return 0;
}

bool luring_poll(LuringState *s)
{
    struct io_uring_cqe *cqe;
    bool progress = false;

    while (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
        LuringAIOCB *acb = io_uring_cqe_get_data(cqe);
        int64_t ret = cqe->res;

        io_uring_cqe_seen(&s->ring, cqe);
        s->in_flight--;
        /* A callback may submit again: the ring is consistent here. */
        acb->cb(acb->opaque, ret);
        g_free(acb);
        progress = true;
    }
    if (progress || s->in_sq) {
        luring_drain_overflow(s);
        if (!s->plugged) {
            luring_flush_sq(s);
        }
    }
    return progress;
}

bool luring_cq_ready(LuringState *s)
{
    return io_uring_cq_ready(&s->ring) > 0;
}

void luring_io_plug(LuringState *s)
{
    assert(aio_context_in_home_thread(s->ctx));
    s->plugged++;
}

void luring_io_unplug(LuringState *s)
{
    assert(s->plugged > 0);
    if (--s->plugged == 0) {
        luring_drain_overflow(s);
        luring_flush_sq(s);
    }
}

int luring_get_fd(LuringState *s)
{
    return s->ring.ring_fd;
}

uint64_t luring_submit_calls(LuringState *s)
{
    return s->submit_calls;
}

LuringState *luring_init(AioContext *ctx, Error **errp)
{
    LuringState *s = g_new0(LuringState, 1);
    int ret = io_uring_queue_init(MAX_ENTRIES, &s->ring, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to init linux io_uring ring");
        g_free(s);
        return NULL;
    }
    s->ctx = ctx;
    g_queue_init(&s->overflow);
    return s;
}

void luring_cleanup(LuringState *s)
{
    assert(s->in_flight == 0 && s->in_sq == 0 &&
           g_queue_is_empty(&s->overflow));
    io_uring_queue_exit(&s->ring);
    g_free(s);
}
