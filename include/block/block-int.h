/*
 * block-int.h - what a block driver implements and sees (QEMU 7.2's
 * include/block/block_int-common.h, reduced): the BlockDriver table,
 * BlockDriverState's fields, and helpers for drivers.  Devices use
 * block-backend.h instead; tests may look inside.
 *
 * A driver's request functions get requests the generic layer
 * (block/io.c) has already aligned to bs->bl.request_alignment and
 * tracked.  They must call @cb exactly once, later (never from inside
 * the call: bdrv_complete_later() helps), in the node's AioContext.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include "block/block.h"

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#endif

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1ULL << BDRV_SECTOR_BITS)
/* Bytes read from an image to guess its format (QEMU's value). */
#define BLOCK_PROBE_BUF_SIZE 512
/* Largest alignment O_DIRECT is probed for. */
#define MAX_BLOCKSIZE 4096

typedef struct BlockLimits {
    /* Offset and length alignment of requests reaching the driver: a
     * power of two >= 1 (O_DIRECT: the logical block size). */
    uint32_t request_alignment;
    /* Memory alignment the driver needs of buffers (O_DIRECT), and the
     * alignment bounce buffers get; powers of two >= 1. */
    size_t min_mem_alignment;
    size_t opt_mem_alignment;
    /* Discards are dropped outside multiples of this (0: request
     * alignment). */
    uint32_t pdiscard_alignment;
    /* Largest request the node wants, in bytes (0: no limit; QEMU's
     * max_transfer, the smallest of the children's).  Devices merge
     * requests up to it (blk_get_max_transfer); io.c does not split. */
    uint32_t max_transfer;
    /* Most iovec elements a request should have (QEMU's max_iov:
     * IOV_MAX unless a driver or child says less). */
    int max_iov;
} BlockLimits;

struct BlockDriver {
    const char *format_name;        /* "raw", "file" */
    size_t instance_size;           /* bs->opaque, zeroed at open */
    bool protocol;                  /* opens a filename (BDRV_O_PROTOCOL) */

    /* Format probing: a score (higher wins), 0 if @buf is not ours. */
    int (*bdrv_probe)(const uint8_t *buf, int buf_size,
                      const char *filename);
    /* Protocols: whether @filename is a device this driver handles
     * (host_device for /dev/...). */
    int (*bdrv_probe_device)(const char *filename);

    /*
     * Open: take the options the driver knows from @options (leave the
     * rest: the caller reports them), open children with
     * bdrv_open_child(), fill in bs->filename.  @flags are the node's
     * BDRV_O_*.  Returns 0, or -errno with @errp set.
     */
    int (*bdrv_open)(BlockDriverState *bs, BlockOptions *options,
                     int flags, Error **errp);
    void (*bdrv_close)(BlockDriverState *bs);
    /* Length in bytes, or -errno. */
    int64_t (*bdrv_getlength)(BlockDriverState *bs);
    int64_t (*bdrv_get_allocated_file_size)(BlockDriverState *bs);
    /* Set bs->bl from the children's (already merged) and the driver's
     * own needs. */
    void (*bdrv_refresh_limits)(BlockDriverState *bs);

    void (*bdrv_preadv)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, BdrvRequestFlags flags,
                        BlockCompletionFunc *cb, void *opaque);
    void (*bdrv_pwritev)(BlockDriverState *bs, int64_t offset,
                         int64_t bytes, QEMUIOVector *qiov,
                         BdrvRequestFlags flags, BlockCompletionFunc *cb,
                         void *opaque);
    /* Flush this node's own data to stable storage (the children are
     * flushed by the generic layer); NULL: nothing of its own. */
    void (*bdrv_flush_to_disk)(BlockDriverState *bs, BlockCompletionFunc *cb,
                               void *opaque);
    /* NULL: discards are dropped; -ENOTSUP counts as done. */
    void (*bdrv_pdiscard)(BlockDriverState *bs, int64_t offset,
                          int64_t bytes, BlockCompletionFunc *cb,
                          void *opaque);
    /* NULL or -ENOTSUP: the generic layer writes zero buffers. */
    void (*bdrv_pwrite_zeroes)(BlockDriverState *bs, int64_t offset,
                               int64_t bytes, BdrvRequestFlags flags,
                               BlockCompletionFunc *cb, void *opaque);
    void (*bdrv_io_plug)(BlockDriverState *bs);
    void (*bdrv_io_unplug)(BlockDriverState *bs);
};

/* A link from a parent node to a child ("file", "backing", "image"). */
struct BdrvChild {
    char *name;
    BlockDriverState *bs;           /* holds a reference */
    BlockDriverState *parent;
};

typedef struct BdrvTrackedRequest BdrvTrackedRequest;

struct BlockDriverState {
    BlockDriver *drv;
    void *opaque;                   /* driver state, drv->instance_size */
    int refcnt;
    char node_name[32];
    bool implicit_name;             /* node_name was generated */
    /* What info block prints: the file name, or a json:{} description */
    char *filename;
    int open_flags;                 /* BDRV_O_* */
    bool read_only;
    bool probed;                    /* format guessed, not given */
    BlockdevDetectZeroesOptions detect_zeroes;
    int64_t total_sectors;          /* length / 512, rounded up */
    BlockLimits bl;
    BdrvRequestFlags supported_write_flags;   /* handled by the driver */
    BdrvRequestFlags supported_zero_flags;
    AioContext *aio_context;        /* holds a reference */

    BdrvChild *file;                /* protocol child, or NULL */
    BdrvChild *backing;             /* backing child, or NULL */
    GList *children;                /* BdrvChild *, in the order added */
    /* During open: the "file" node opened for probing, which the
     * driver's bdrv_open_child("file") takes (QEMU passes its node name
     * back in the options instead). */
    BlockDriverState *probe_file;

    /* Requests (block/io.c; home thread of aio_context) */
    int in_flight;                  /* started, not completed */
    GQueue tracked_requests;        /* BdrvTrackedRequest * */
    uint64_t next_req_seq;
    uint64_t write_gen;             /* writes completed so far */
    uint64_t flushed_gen;           /* write_gen covered by the last flush */
    bool active_flush;
    GQueue flush_queue;             /* flushes waiting for active_flush */
    unsigned plugged;
};

/* --- for drivers --- */

/* Registration, from a constructor (block_init). */
void bdrv_register(BlockDriver *drv);
#define block_init(function) \
    static void __attribute__((constructor)) block_init_ ## function(void) \
    { function(); }

/* A driver by format/protocol name, or NULL. */
BlockDriver *bdrv_find_format(const char *format_name);

/*
 * bdrv_open_child: open the child @name of @parent from the "@name.*"
 * keys of @options (extracted) or, if there are none, @filename.  The
 * child inherits cache.direct, cache.no-flush, read-only, discard and
 * aio from @parent's flags unless its options set them.  Adds it to
 * parent->children (parent->file for "file", parent->backing for
 * "backing").  Returns the link, or NULL with @errp set.
 */
BdrvChild *bdrv_open_child(const char *filename, BlockOptions *options,
                           const char *name, BlockDriverState *parent,
                           bool allow_none, Error **errp);

/* Attach an already open @child_bs (takes over a reference). */
BdrvChild *bdrv_attach_child(BlockDriverState *parent,
                             BlockDriverState *child_bs, const char *name);

/* Run @cb(@opaque, @ret) later in @bs's AioContext (for completions
 * known at submission). */
void bdrv_complete_later(BlockDriverState *bs, BlockCompletionFunc *cb,
                         void *opaque, int ret);

/*
 * The synchronous wrappers (bdrv_pread, blk_pread...): submit with
 * bdrv_sync_op_done and a zeroed BdrvSyncOp as callback and opaque, then
 * bdrv_sync_op_wait() runs @ctx until the callback has run and returns
 * its result.
 */
typedef struct BdrvSyncOp {
    bool done;
    int ret;
} BdrvSyncOp;
void bdrv_sync_op_done(void *opaque, int ret);
int bdrv_sync_op_wait(AioContext *ctx, BdrvSyncOp *op);

/* Probe the format of the opened protocol node @file_bs: the driver
 * with the best score for its first bytes.  *@unsupported gets the name
 * of a format qomu recognises but has no driver for, if that is what it
 * looks like.  Returns raw otherwise; NULL with @errp on a read error. */
BlockDriver *bdrv_probe_format(BlockDriverState *file_bs,
                               const char **unsupported, Error **errp);
/* The name of a format qomu lacks that @buf looks like, or NULL. */
const char *bdrv_probe_unsupported(const uint8_t *buf, int buf_size);

/* Re-read the driver's length into bs->total_sectors (rounded up to
 * 512).  0 or -errno. */
int bdrv_refresh_total_sectors(BlockDriverState *bs);

/*
 * snapshot=on: put a temporary overlay on top of @bs - a qcow2 image as
 * QEMU's, or temp-overlay.c in a build without qcow2 - which gets @bs as
 * its read-only backing child (the overlay takes its own reference).  @flags: the overlay's BDRV_O_*.  Returns the overlay (a
 * new reference) or NULL with @errp set.
 */
BlockDriverState *bdrv_append_temp_snapshot(BlockDriverState *bs, int flags,
                                            Error **errp);
/* For bdrv_append_temp_snapshot(): make @base the overlay's backing. */
void temp_overlay_attach_backing(BlockDriverState *bs,
                                 BlockDriverState *base);

#endif /* BLOCK_BLOCK_INT_H */
