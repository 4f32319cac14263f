/*
 * virtio-blk-dataplane.c - virtio-blk's queues in an iothread (QEMU
 * 7.2's hw/block/dataplane/virtio-blk.c).  See
 * include/hw/virtio/virtio-blk-dataplane.h for who owns what.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/bql.h"
#include "accel/kvm.h"
#include "block/aio.h"
#include "block/block-backend.h"
#include "hw/virtio/virtio-bus.h"
#include "hw/virtio/virtio-blk-dataplane.h"
#include "system/iothread.h"

typedef struct VirtIOBlockDataPlaneQueue {
    IOThreadPollHandler poll;
    VirtIOBlockDataPlane *dp;
    VirtQueue *vq;
} VirtIOBlockDataPlaneQueue;

struct VirtIOBlockDataPlane {
    VirtIOBlock *s;
    IOThread *iothread;
    AioContext *ctx;
    bool started;                       /* atomic reads */
    bool stopping;                      /* atomic reads */
    bool polling;                       /* handlers registered (iothread) */
    unsigned nqueues;
    VirtIOBlockDataPlaneQueue *queues;
    uint64_t poll_hits;                 /* iothread */
};

static VirtioBusState *vblk_bus(VirtIOBlock *s)
{
    return VIRTIO_BUS(qdev_get_parent_bus(DEVICE(s)));
}

bool virtio_blk_data_plane_create(VirtIOBlock *s, Error **errp)
{
    VirtioBusState *bus = vblk_bus(s);
    VirtioBusClass *k = VIRTIO_BUS_GET_CLASS(bus);
    VirtIOBlockDataPlane *dp;

    if (!k->set_ioeventfd_ctx) {
        error_setg(errp, "device is incompatible with iothread");
        return false;
    }
    /* Without KVM there are no ioeventfds at all: kicks reach the
     * iothread as BHs.  With KVM, ioeventfd=off is refused (QEMU). */
    if (kvm_enabled() && !virtio_bus_ioeventfd_enabled(bus)) {
        error_setg(errp, "ioeventfd is required for iothread");
        return false;
    }
    dp = g_new0(VirtIOBlockDataPlane, 1);
    dp->s = s;
    dp->iothread = s->conf.iothread;
    dp->ctx = iothread_get_aio_context(dp->iothread);
    s->dataplane = dp;
    return true;
}

void virtio_blk_data_plane_destroy(VirtIOBlock *s)
{
    VirtIOBlockDataPlane *dp = s->dataplane;

    if (!dp) {
        return;
    }
    virtio_blk_data_plane_stop(s);
    g_free(dp->queues);
    g_free(dp);
    s->dataplane = NULL;
}

uint64_t virtio_blk_data_plane_poll_hits(VirtIOBlock *s)
{
    return s->dataplane ? __atomic_load_n(&s->dataplane->poll_hits,
                                          __ATOMIC_RELAXED) : 0;
}

/* --- kicks --- */

typedef struct VirtIOBlockKick {
    VirtIOBlockDataPlane *dp;
    VirtQueue *vq;
} VirtIOBlockKick;

static void virtio_blk_data_plane_kick_bh(void *opaque)
{
    VirtIOBlockKick *k = opaque;
    VirtIOBlockDataPlane *dp = k->dp;

    if (__atomic_load_n(&dp->started, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&dp->stopping, __ATOMIC_ACQUIRE)) {
        virtio_queue_notify_vq(k->vq);
    }
    g_free(k);
}

bool virtio_blk_data_plane_handle_kick(VirtIOBlock *s, VirtQueue *vq)
{
    VirtIOBlockDataPlane *dp = s->dataplane;
    VirtIOBlockKick *k;

    if (!dp || !__atomic_load_n(&dp->started, __ATOMIC_ACQUIRE)) {
        return false;
    }
    if (__atomic_load_n(&dp->stopping, __ATOMIC_ACQUIRE)) {
        return true;
    }
    if (iothread_is_self(dp->iothread)) {
        return false;
    }
    /* Only under the big lock (a vCPU's MMIO, the main loop): stop sets
     * stopping under it before it waits for the BHs queued so far. */
    k = g_new(VirtIOBlockKick, 1);
    k->dp = dp;
    k->vq = vq;
    aio_bh_schedule_oneshot(dp->ctx, virtio_blk_data_plane_kick_bh, k);
    return true;
}

/* --- polling (iothread) --- */

static bool vblk_poll(void *opaque)
{
    VirtIOBlockDataPlaneQueue *q = opaque;

    return !virtio_queue_empty(q->vq);
}

static void vblk_poll_ready(void *opaque)
{
    VirtIOBlockDataPlaneQueue *q = opaque;

    q->dp->poll_hits++;
    virtio_queue_notify_vq(q->vq);
}

static void vblk_poll_begin(void *opaque)
{
    VirtIOBlockDataPlaneQueue *q = opaque;

    virtio_queue_set_notification(q->vq, 0);
}

static bool vblk_poll_end(void *opaque)
{
    VirtIOBlockDataPlaneQueue *q = opaque;

    virtio_queue_set_notification(q->vq, 1);
    return !virtio_queue_empty(q->vq);
}

static void virtio_blk_data_plane_attach_bh(void *opaque)
{
    VirtIOBlockDataPlane *dp = opaque;

    for (unsigned i = 0; i < dp->nqueues; i++) {
        VirtIOBlockDataPlaneQueue *q = &dp->queues[i];

        iothread_add_poll_handler(dp->iothread, &q->poll);
    }
    dp->polling = true;
    /* Whatever the guest queued before the switch */
    for (unsigned i = 0; i < dp->nqueues; i++) {
        if (!virtio_queue_empty(dp->queues[i].vq)) {
            virtio_queue_notify_vq(dp->queues[i].vq);
        }
    }
}

static void virtio_blk_data_plane_detach_bh(void *opaque)
{
    VirtIOBlockDataPlane *dp = opaque;
    AioContext *ctx = dp->ctx;

    if (dp->polling) {
        for (unsigned i = 0; i < dp->nqueues; i++) {
            iothread_remove_poll_handler(dp->iothread, &dp->queues[i].poll);
            virtio_queue_set_notification(dp->queues[i].vq, 1);
        }
        dp->polling = false;
    }
    /* Everything in flight, then what it scheduled (the used-ring
     * batch, the transport's ioeventfd frees) */
    blk_drain(dp->s->blk);
    while (aio_poll(ctx, false)) {
        /* run them */
    }
}

/* --- start / stop (big lock) --- */

void virtio_blk_data_plane_start(VirtIOBlock *s)
{
    VirtIOBlockDataPlane *dp = s->dataplane;
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    if (!dp || dp->started || dp->stopping) {
        return;
    }
    if (!dp->queues) {
        dp->nqueues = s->conf.num_queues;
        dp->queues = g_new0(VirtIOBlockDataPlaneQueue, dp->nqueues);
        for (unsigned i = 0; i < dp->nqueues; i++) {
            VirtIOBlockDataPlaneQueue *q = &dp->queues[i];

            q->dp = dp;
            q->vq = virtio_get_queue(vdev, i);
            q->poll = (IOThreadPollHandler) {
                .poll = vblk_poll, .ready = vblk_poll_ready,
                .begin = vblk_poll_begin, .end = vblk_poll_end,
                .opaque = q,
            };
        }
    }
    /* Main thread: the drive drains here, then lives in the iothread */
    blk_set_aio_context(s->blk, dp->ctx);
    __atomic_store_n(&dp->started, true, __ATOMIC_RELEASE);
    virtio_bus_set_ioeventfd_ctx(vblk_bus(s), dp->ctx);
    iothread_run_sync(dp->iothread, virtio_blk_data_plane_attach_bh, dp);
}

void virtio_blk_data_plane_stop(VirtIOBlock *s)
{
    VirtIOBlockDataPlane *dp = s->dataplane;

    if (!dp || !dp->started || dp->stopping) {
        return;
    }
    __atomic_store_n(&dp->stopping, true, __ATOMIC_RELEASE);
    /* ioeventfds back to the main loop (kicks are dropped meanwhile) */
    virtio_bus_set_ioeventfd_ctx(vblk_bus(s), NULL);
    iothread_run_sync(dp->iothread, virtio_blk_data_plane_detach_bh, dp);
    blk_set_aio_context(s->blk, qemu_get_aio_context());
    __atomic_store_n(&dp->started, false, __ATOMIC_RELEASE);
    __atomic_store_n(&dp->stopping, false, __ATOMIC_RELEASE);
}
