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

    /*
     * Permissions (QEMU's, two-phase).  bdrv_check_perm: the node's
     * users now want @perm and share @shared (their union/intersection):
     * prepare it (file-posix takes the new lock bytes and tests the
     * others'), or fail with QEMU's message.  Then exactly one of
     * bdrv_set_perm (commit) or bdrv_abort_perm_update (roll back to
     * the last committed state).  NULL: nothing to do.
     */
    int (*bdrv_check_perm)(BlockDriverState *bs, uint64_t perm,
                           uint64_t shared, Error **errp);
    void (*bdrv_set_perm)(BlockDriverState *bs, uint64_t perm,
                          uint64_t shared);
    void (*bdrv_abort_perm_update)(BlockDriverState *bs);
    /*
     * What the node takes on its child @c when its own users take
     * @perm and share @shared.  NULL: bdrv_default_perms().
     */
    void (*bdrv_child_perm)(BlockDriverState *bs, BdrvChild *c,
                            uint64_t perm, uint64_t shared,
                            uint64_t *nperm, uint64_t *nshared);
};

/* A link from a parent node to a child ("file", "backing", "image"). */
struct BdrvChild {
    char *name;
    BlockDriverState *bs;           /* holds a reference (not a root's) */
    BlockDriverState *parent;       /* NULL: a BlockBackend's root */
    uint64_t perm, shared_perm;     /* what the parent takes on bs */
    uint64_t old_perm, old_shared;  /* during a permission update */
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
    GList *parents;                 /* BdrvChild * whose bs is this node */
    bool force_share;               /* force-share=on: share everything */
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

/*
 * Permissions.  A node's users are its parents (BdrvChild.perm and
 * shared_perm, BlockBackend roots included); bdrv_refresh_perms()
 * recomputes what @bs's users want (union of perm, intersection of
 * shared), passes it down to the children through the drivers'
 * bdrv_child_perm, and lets every driver check it (two-phase, QEMU's
 * bdrv_refresh_perms): on failure nothing changed and @errp has the
 * driver's message ("Failed to get \"write\" lock").
 */
int bdrv_refresh_perms(BlockDriverState *bs, Error **errp);
/* Union / intersection over @bs's parents. */
void bdrv_get_cumulative_perm(BlockDriverState *bs, uint64_t *perm,
                              uint64_t *shared);
/* A filter's child: everything passes through (raw, blkdebug). */
void bdrv_filter_default_perms(BlockDriverState *bs, BdrvChild *c,
                               uint64_t perm, uint64_t shared,
                               uint64_t *nperm, uint64_t *nshared);
/* QEMU's bdrv_default_perms for a format: "backing" gets the COW
 * permissions (consistent read only), any other child the storage
 * ones (metadata and data: writes and resizes when the node is
 * writable, never shares write/resize). */
void bdrv_default_perms(BlockDriverState *bs, BdrvChild *c,
                        uint64_t perm, uint64_t shared,
                        uint64_t *nperm, uint64_t *nshared);
/* A BlockBackend's root link: no reference of its own; the perms are
 * taken at once (NULL with @errp set if they conflict). */
BdrvChild *bdrv_root_attach_child(BlockDriverState *bs, uint64_t perm,
                                  uint64_t shared, Error **errp);
void bdrv_root_detach_child(BdrvChild *child);
/* Change what @c takes; on failure @c keeps its old perms. */
int bdrv_child_try_set_perm(BdrvChild *c, uint64_t perm, uint64_t shared,
                            Error **errp);

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
