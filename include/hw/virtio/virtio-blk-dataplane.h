/*
 * virtio-blk-dataplane.h - virtio-blk's queues served by an iothread
 * (QEMU 7.2's hw/block/dataplane/virtio-blk.[ch]).
 *
 * With iothread=ID, when the driver sets DRIVER_OK the device "starts
 * the dataplane": its BlockBackend moves to the iothread's AioContext
 * (blk_set_aio_context, after a drain), the transport watches the
 * queues' ioeventfds on that context (virtio_bus_set_ioeventfd_ctx), and
 * the iothread polls the queues' avail rings (adaptive polling, with
 * guest notifications suppressed meanwhile).  Requests are then popped,
 * submitted, completed and published in the iothread.  A reset, a
 * status without DRIVER_OK, or unrealize "stops" it: the ioeventfds go
 * back to the main loop, the iothread drains the drive and runs its
 * pending BHs, and the drive comes back to the main context.
 *
 * Who owns what:
 *  - start/stop, create/destroy: main thread or a vCPU thread, big lock
 *    held.  Stop releases the big lock while it waits for the iothread.
 *  - while started, the virtqueues, the request state (VirtIOBlock's rq,
 *    batch_count, batch_scheduled) and the drive belong to the iothread.
 *    A kick that reaches another thread (an MMIO notify without
 *    ioeventfd, a kick read while the transport stops its ioeventfds) is
 *    passed to the iothread as a BH; while stopping, kicks are dropped
 *    (every stop reason forgets the rings).
 *  - interrupts: the iothread takes the big lock around virtio_notify()
 *    (INTx and the ISR are big-lock state; MSI-X would not need it).
 *  - started/stopping are written under the big lock, read atomically.
 *  Deviation: QEMU also stops the dataplane while the VM is stopped;
 *  here it stays, and the block layer drains/flushes the drive in the
 *  iothread (blk_drain, aio_wait_bh_oneshot).
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_DATAPLANE_H
#define HW_VIRTIO_VIRTIO_BLK_DATAPLANE_H

#include "hw/virtio/virtio-blk.h"

typedef struct VirtIOBlockDataPlane VirtIOBlockDataPlane;

/* At realize, with conf.iothread set: "ioeventfd is required for
 * iothread" (ioeventfd=off with KVM), "device is incompatible with
 * iothread" (a transport without set_ioeventfd_ctx). */
bool virtio_blk_data_plane_create(VirtIOBlock *s, Error **errp);
void virtio_blk_data_plane_destroy(VirtIOBlock *s);
void virtio_blk_data_plane_start(VirtIOBlock *s);
void virtio_blk_data_plane_stop(VirtIOBlock *s);
/* The queue handler's entry: true if the kick was passed to the
 * iothread (or dropped while stopping), false to process it here. */
bool virtio_blk_data_plane_handle_kick(VirtIOBlock *s, VirtQueue *vq);
/* Stats for tests: polls that found work, kicks bounced. */
uint64_t virtio_blk_data_plane_poll_hits(VirtIOBlock *s);

#endif /* HW_VIRTIO_VIRTIO_BLK_DATAPLANE_H */
