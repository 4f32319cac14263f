/*
 * block.h - block driver nodes (BlockDriverState): opening a graph of
 * them, and the request interface every node has (QEMU 7.2's
 * include/block/block*.h, without coroutines).
 *
 * A disk the guest sees is a BlockBackend (block-backend.h) over a
 * graph of nodes.  For "-drive file=disk.img,format=raw":
 *
 *     BlockBackend "ide0-hd0" -> raw (format) -> file (protocol, fd)
 *
 * With snapshot=on a temporary overlay node sits on top, with the image
 * as its read-only backing node.  Each node is a BlockDriverState run by
 * a BlockDriver (block-int.h); nodes are named ("node-name", or
 * "#blockNNN" generated as QEMU does).
 *
 * Requests on a node (bdrv_aio_*) are asynchronous.  The contract, as for
 * every call here that takes a callback: the call cannot fail (errors
 * come through @cb); @cb runs exactly once, later - never inside the
 * call - in the home thread of the node's AioContext.  The generic layer
 * (block/io.c) does for every node what QEMU's block/io.c does: pads
 * requests the driver cannot take unaligned (with read-modify-write
 * for writes, serialised against overlapping requests), counts write
 * generations so that a flush only syncs what needs it, emulates FUA
 * with a flush, and honours cache.no-flush, discard=unmap and
 * detect-zeroes.
 *
 * Threads: open/close and graph changes in the main thread with the big
 * lock; requests in the home thread of the node's AioContext.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/iov.h"
#include "block/aio.h"

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;
typedef struct BdrvChild BdrvChild;

/*
 * The callback of every asynchronous block operation: @ret is 0 on
 * success or a negative errno.
 */
typedef void BlockCompletionFunc(void *opaque, int ret);

/* --- open flags (QEMU's BDRV_O_*) --- */

#define BDRV_O_RDWR         0x0002  /* open for writing */
#define BDRV_O_SNAPSHOT     0x0008  /* writes go to a discarded overlay */
#define BDRV_O_TEMPORARY    0x0010  /* delete the file when closed */
#define BDRV_O_NOCACHE      0x0020  /* cache.direct: O_DIRECT */
#define BDRV_O_NATIVE_AIO   0x0080  /* aio=native */
#define BDRV_O_NO_FLUSH     0x0200  /* cache.no-flush: ignore flushes */
#define BDRV_O_COPY_ON_READ 0x0400  /* accepted, nothing to copy from */
#define BDRV_O_UNMAP        0x4000  /* discard=unmap: pass discards on */
#define BDRV_O_PROTOCOL     0x8000  /* the node opens a file, not a format */
#define BDRV_O_AUTO_RDONLY  0x20000 /* auto-read-only */
#define BDRV_O_IO_URING     0x40000 /* aio=io_uring */

#define BDRV_O_CACHE_MASK   (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH)

/* Option names with a meaning on every node (QEMU's BDRV_OPT_*). */
#define BDRV_OPT_CACHE_WB        "cache.writeback"
#define BDRV_OPT_CACHE_DIRECT    "cache.direct"
#define BDRV_OPT_CACHE_NO_FLUSH  "cache.no-flush"
#define BDRV_OPT_READ_ONLY       "read-only"
#define BDRV_OPT_AUTO_READ_ONLY  "auto-read-only"
#define BDRV_OPT_DISCARD         "discard"

/* Request flags. */
typedef enum BdrvRequestFlags {
    BDRV_REQ_MAY_UNMAP = 0x4,   /* write-zeroes may deallocate */
    BDRV_REQ_FUA = 0x10,        /* complete only once on stable storage */
    /* write-zeroes: fail with -ENOTSUP rather than write zero buffers
     * (QEMU's; for callers that have a cheaper fallback of their own) */
    BDRV_REQ_NO_FALLBACK = 0x100,
} BdrvRequestFlags;

/* detect-zeroes (QEMU's BlockdevDetectZeroesOptions). */
typedef enum BlockdevDetectZeroesOptions {
    BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF,
    BLOCKDEV_DETECT_ZEROES_OPTIONS_ON,
    BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP,
} BlockdevDetectZeroesOptions;

/* "off", "on", "unmap" */
const char *detect_zeroes_name(BlockdevDetectZeroesOptions value);

/*
 * bdrv_parse_cache_mode: QEMU's table.  "writeback" (default), "none"
 * (also "off"): O_DIRECT; "writethrough": flush after every write, the
 * guest sees no write cache; "directsync": both; "unsafe": flushes are
 * ignored.  Sets the BDRV_O_NOCACHE/NO_FLUSH bits of *@flags and
 * *@writethrough.  Returns 0, or -1 for an unknown mode.
 */
int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough);

/* "ignore"/"off": no BDRV_O_UNMAP; "unmap"/"on": BDRV_O_UNMAP.  0/-1. */
int bdrv_parse_discard_flags(const char *mode, int *flags);

/* "threads", "native" (BDRV_O_NATIVE_AIO), "io_uring" (BDRV_O_IO_URING).
 * 0/-1. */
int bdrv_parse_aio(const char *mode, int *flags);

/* --- permissions (QEMU 7.2's BLK_PERM_*, include/block/block-common.h) ---
 *
 * What a user of a node does with it (perm) and what it lets others do
 * at the same time (shared).  The file driver turns the union of its
 * users' into OFD locks on bytes 100 + bit (taken) and 200 + bit (not
 * shared) of the image, as QEMU does, so that QEMU and qomu see each
 * other (docs/devel/block.md, "Image locking").
 */
enum {
    BLK_PERM_CONSISTENT_READ = 0x01,
    BLK_PERM_WRITE = 0x02,
    BLK_PERM_WRITE_UNCHANGED = 0x04,
    BLK_PERM_RESIZE = 0x08,
    BLK_PERM_ALL = 0x0f,
};

/* "consistent read, write" (QEMU's bdrv_perm_names); g_free. */
char *bdrv_perm_names(uint64_t perm);

/* --- options --- */

/*
 * BlockOptions: the options of a node and its children, flat, with
 * dotted keys and string values, in the order given (QEMU's flattened
 * QDict): "driver" = "raw", "file.filename" = "disk.img",
 * "cache.direct" = "on".  Opening a node consumes the keys it knows;
 * any left over is an error ("Block format 'raw' does not support the
 * option 'foo'").
 */
typedef struct BlockOptions BlockOptions;

BlockOptions *bopts_new(void);
void bopts_free(BlockOptions *o);
BlockOptions *bopts_clone(const BlockOptions *o);
/* Set @key (copied) to @value (copied); an existing key keeps its place. */
void bopts_set(BlockOptions *o, const char *key, const char *value);
/* Set @key only if it is absent. */
void bopts_set_default(BlockOptions *o, const char *key, const char *value);
/* The value of @key, or NULL.  Borrowed. */
const char *bopts_get(const BlockOptions *o, const char *key);
bool bopts_has(const BlockOptions *o, const char *key);
/* Remove @key and return its value (g_free), or NULL. */
char *bopts_take(BlockOptions *o, const char *key);
/* Move every "PREFIXrest" key into a new dict as "rest". */
BlockOptions *bopts_extract_prefix(BlockOptions *o, const char *prefix);
/* Whether any key starts with @prefix. */
bool bopts_has_prefix(const BlockOptions *o, const char *prefix);
unsigned bopts_size(const BlockOptions *o);
/* The first key, or NULL. */
const char *bopts_first_key(const BlockOptions *o);

/*
 * Typed takers with QEMU's messages: a bool is on/off/yes/no/true/false
 * ("Parameter 'KEY' expects 'on' or 'off'"); an enum one of @names
 * ("invalid parameter value: V").  Absent: *@out = @defval.  The key is
 * removed either way.
 */
bool bopts_take_bool(BlockOptions *o, const char *key, bool defval,
                     bool *out, Error **errp);
bool bopts_take_enum(BlockOptions *o, const char *key,
                     const char *const *names, int defval, int *out,
                     Error **errp);

/* --- nodes --- */

/**
 * bdrv_open: open a node and, as its driver needs, the nodes below it
 * (QEMU's bdrv_open).
 * @filename: the image ("disk.img", "file:disk.img", "/dev/sdb"), or
 *   NULL if @options name the file.
 * @options: consumed (freed) in all cases; NULL for none.  Keys:
 *   "driver" (the format; probed if absent), "node-name", "read-only",
 *   "auto-read-only", "cache.direct", "cache.no-flush", "discard",
 *   "detect-zeroes", "force-share", the driver's own ("aio", "locking"
 *   for file), and "file.*" for the protocol child.
 * @flags: BDRV_O_* defaults (BDRV_O_RDWR, BDRV_O_SNAPSHOT, ...), which
 *   the options override.
 * @errp: QEMU's messages: "Unknown driver 'foo'", "Could not open 'x':
 *   No such file or directory", "Block format 'raw' does not support the
 *   option 'foo'", "Must specify either driver or file", ...
 *
 * A format-less open reads the image's first bytes: an image that looks
 * like a format qomu lacks (qcow2, vmdk, ...) is refused; otherwise it is
 * raw, probed (with QEMU's warning if writable, and QEMU's protection of
 * block 0).
 * Returns a new node (one reference, the caller's: bdrv_unref()), in the
 * main AioContext, or NULL with @errp set.  Main thread.
 */
BlockDriverState *bdrv_open(const char *filename, BlockOptions *options,
                            int flags, Error **errp);

void bdrv_ref(BlockDriverState *bs);
/* Drop a reference; the last one drains, flushes and closes the node,
 * then drops its children.  Main thread. */
void bdrv_unref(BlockDriverState *bs);

/* Node name ("#block153" or the user's node-name); borrowed. */
const char *bdrv_get_node_name(const BlockDriverState *bs);
/* The node named @name, or NULL. */
BlockDriverState *bdrv_find_node(const char *name);
/* Every node with a name, oldest first (borrowed; g_list_free the
 * list). */
GList *bdrv_named_nodes(void);
/* What `info block` shows as the image: "disk.img", "json:{...}". */
const char *bdrv_get_filename(const BlockDriverState *bs);
/* The driver's name: "raw", "file", "temp-overlay". */
const char *bdrv_get_format_name(const BlockDriverState *bs);
/* Length in bytes (a multiple of 512, as QEMU's), or -errno. */
int64_t bdrv_getlength(BlockDriverState *bs);
/* Bytes the image takes on the host (st_blocks), or -errno. */
int64_t bdrv_get_allocated_file_size(BlockDriverState *bs);
bool bdrv_is_read_only(const BlockDriverState *bs);
/* BDRV_O_* the node was opened with. */
int bdrv_get_flags(const BlockDriverState *bs);
BlockdevDetectZeroesOptions bdrv_get_detect_zeroes(const BlockDriverState
                                                   *bs);
void bdrv_set_detect_zeroes(BlockDriverState *bs,
                            BlockdevDetectZeroesOptions value);
/* The node's file (protocol) child and backing child, or NULL. */
BlockDriverState *bdrv_file_bs(const BlockDriverState *bs);
BlockDriverState *bdrv_backing_bs(const BlockDriverState *bs);
/* The alignment requests reaching the node's driver have (bytes). */
uint32_t bdrv_get_request_alignment(const BlockDriverState *bs);
/* The memory alignment for buffers given to the node (bytes). */
size_t bdrv_opt_mem_align(const BlockDriverState *bs);

/* Memory for I/O on @bs: aligned for O_DIRECT.  qemu_vfree() it. */
void *qemu_blockalign(BlockDriverState *bs, size_t size);
void *qemu_blockalign0(BlockDriverState *bs, size_t size);
void *qemu_memalign(size_t alignment, size_t size);
void qemu_vfree(void *ptr);

AioContext *bdrv_get_aio_context(const BlockDriverState *bs);
/* Move @bs and its children to @ctx: nothing may be in flight. */
void bdrv_set_aio_context(BlockDriverState *bs, AioContext *ctx);

/* Live nodes (tests check for leaks). */
unsigned bdrv_live_count(void);

/* Call @fn with the name of every driver, sorted (format=help). */
void bdrv_iterate_format(void (*fn)(void *opaque, const char *name),
                         void *opaque);

/* --- requests (block/io.c) --- */

/*
 * Read @bytes at @offset into @qiov (@qiov->size == @bytes).  @qiov's
 * buffers must stay valid until @cb runs.  See the contract at the top.
 */
void bdrv_aio_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, BdrvRequestFlags flags,
                     BlockCompletionFunc *cb, void *opaque);
/* Write; -EPERM on a read-only node. */
void bdrv_aio_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, BdrvRequestFlags flags,
                      BlockCompletionFunc *cb, void *opaque);
/*
 * Flush: every write to @bs that completed before this call reaches
 * stable storage before @cb runs with 0 (fdatasync on the file), unless
 * the node has cache.no-flush.  Flushes of a node run one at a time, and
 * one with nothing new to sync skips the sync.
 */
void bdrv_aio_flush(BlockDriverState *bs, BlockCompletionFunc *cb,
                    void *opaque);
/* Discard (a hint): does nothing without discard=unmap; unaligned edges
 * are dropped; 0 if the host cannot. */
void bdrv_aio_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       BlockCompletionFunc *cb, void *opaque);
/* Write zeroes: fallocate where the host can, else writes zeroes
 * (with BDRV_REQ_NO_FALLBACK: fails with -ENOTSUP instead). */
void bdrv_aio_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque);

/* Batch submissions (see raw-aio.h); nests.  Home thread. */
void bdrv_io_plug(BlockDriverState *bs);
void bdrv_io_unplug(BlockDriverState *bs);

/* Wait until nothing is in flight on @bs.  Home thread. */
void bdrv_drain(BlockDriverState *bs);

/* Synchronous wrappers: issue, then aio_poll() until done.  0/-errno.
 * Home thread (also from inside a completion callback). */
int bdrv_pread(BlockDriverState *bs, int64_t offset, int64_t bytes,
               void *buf, BdrvRequestFlags flags);
int bdrv_pwrite(BlockDriverState *bs, int64_t offset, int64_t bytes,
                const void *buf, BdrvRequestFlags flags);
int bdrv_flush(BlockDriverState *bs);

#endif /* BLOCK_BLOCK_H */
