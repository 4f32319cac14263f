/*
 * virtio-blk.h - "virtio-blk-device", the virtio block device (QEMU 7.2's
 * include/hw/virtio/virtio-blk.h, hw/block/virtio-blk.c).
 *
 * The device sits on a virtio bus (virtio-blk-pci's "virtio-bus") and
 * serves the requests of num-queues virtqueues: IN, OUT, FLUSH, GET_ID,
 * DISCARD and WRITE_ZEROES (anything else: VIRTIO_BLK_S_UNSUPP).  Each
 * request is a descriptor chain: a 16-byte header the device reads
 * (struct virtio_blk_outhdr), the data, and a last byte the device writes
 * (the status).  Requests go to the block layer asynchronously, one
 * plugged batch per kick (blk_io_plug/unplug); their completions are
 * collected and published on the used ring together, with one
 * notification per queue (a main-loop bottom half), which RING_EVENT_IDX
 * may suppress further.
 *
 * Errors: a chain without the header or the status byte is a broken
 * device (virtio_error: DEVICE_NEEDS_RESET); a sector range that is
 * misaligned, too long or outside the disk is VIRTIO_BLK_S_IOERR; an I/O
 * error follows werror/rerror: report (IOERR), ignore (OK), stop (the
 * request is kept and re-issued when the VM runs again).
 *
 * Threads: the main loop (big lock) for everything; no iothread yet.
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_H
#define HW_VIRTIO_VIRTIO_BLK_H

#include "hw/virtio/virtio.h"
#include "block/block-backend.h"
#include "hw/block/block.h"
#include "util/iov.h"

#include <linux/virtio_blk.h>

#define TYPE_VIRTIO_BLK "virtio-blk-device"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOBlock, VIRTIO_BLK)

/* num-queues default: one per vCPU, decided by the transport (QEMU) */
#define VIRTIO_BLK_AUTO_NUM_QUEUES UINT16_MAX

/* The config space as QEMU 7.2 lays it out (its linux headers' layout up
 * to write_zeroes_may_unmap; later kernels append fields QEMU 7.2 does not
 * offer). */
#define VIRTIO_BLK_CFG_SIZE 36          /* up to num_queues */
#define VIRTIO_BLK_CFG_DISCARD_END 48   /* .. discard_sector_alignment */
#define VIRTIO_BLK_CFG_WZ_END 57        /* .. write_zeroes_may_unmap */
#define VIRTIO_BLK_CFG_MAX 60

typedef struct VirtIOBlkConf {
    BlockConf conf;                     /* drive, block, error, CHS */
    char *serial;
    uint32_t request_merging;
    uint16_t num_queues;
    uint16_t queue_size;
    bool seg_max_adjust;
    bool report_discard_granularity;
    uint32_t max_discard_sectors;
    uint32_t max_write_zeroes_sectors;
    bool x_enable_wce_if_config_wce;
    struct IOThread *iothread;          /* iothread= (a strong link) */
} VirtIOBlkConf;

typedef struct VirtIOBlockReq VirtIOBlockReq;

struct VirtIOBlock {
    VirtIODevice parent_obj;
    BlockBackend *blk;
    VirtIOBlkConf conf;
    uint64_t host_features;             /* the feature properties */
    size_t config_size;
    uint64_t sector_mask;
    bool original_wce;
    VirtIOBlockReq *rq;                 /* stopped by werror=stop */
    bool listening;                     /* run state listener added */
    bool restart_scheduled;
    /* Completions waiting to be published: per queue, the number of
     * used-ring entries filled and not yet flushed. */
    unsigned *batch_count;
    bool batch_scheduled;
    /* iothread=: hw/virtio/virtio-blk-dataplane.c, NULL without */
    struct VirtIOBlockDataPlane *dataplane;
};

/* What virtio-blk's requests are in the used ring / the tests see. */
struct VirtIOBlockReq {
    VirtQueueElement elem;              /* first: virtqueue_pop's block */
    VirtIOBlock *dev;
    VirtQueue *vq;
    struct virtio_blk_outhdr out;
    uint32_t type;
    uint8_t *status;                    /* the last byte of the chain */
    size_t in_len;                      /* all the device may write */
    int64_t sector_num;
    uint32_t nb_bytes;                  /* DISCARD/WRITE_ZEROES */
    uint32_t dwz_flags;
    struct iovec *iov;                  /* the data buffers (copy) */
    unsigned niov;
    QEMUIOVector qiov;
    VirtIOBlockReq *next;               /* VirtIOBlock.rq */
};

#endif /* HW_VIRTIO_VIRTIO_BLK_H */
