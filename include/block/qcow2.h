/*
 * qcow2.h - the qcow2 image format (QEMU 7.2's block/qcow2*.c): the
 * "qcow2" block driver, image creation, consistency check and image
 * information, for qomu-img, probing and query-block.
 *
 * Opening: bdrv_open() with "driver" = "qcow2" (or QCOW2_FORMAT_NAME).
 * Options the driver takes:
 *   "file.*"      the protocol child (as for raw);
 *   "backing"     "null" (QEMU's backing=null): do not open the backing
 *                 file named in the header; the caller may then attach
 *                 one with bdrv_attach_child(bs, base, "backing") (takes
 *                 over a reference) - that is how a snapshot=on overlay
 *                 gets the image below it;
 *   "backing.*"   options for the backing node (e.g. "backing.driver");
 *                 by default the backing file of the header is opened
 *                 read-only, relative to the image's directory, with the
 *                 header's backing format (probed if there is none).
 *   "lazy-refcounts" on/off (default: from the header).
 * Reads of the whole virtual disk work at any offset; requests are
 * serialised inside the driver (one at a time; a simple queue).
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block.h"

#define QCOW2_FORMAT_NAME "qcow2"

/* QEMU's defaults */
#define QCOW2_DEFAULT_CLUSTER_SIZE 65536
#define QCOW2_MIN_CLUSTER_SIZE     512
#define QCOW2_MAX_CLUSTER_SIZE     (2 * 1024 * 1024)

typedef struct Qcow2CreateOptions {
    uint64_t size;              /* virtual size in bytes (rounded up to 512) */
    uint32_t cluster_size;      /* 0: 65536; a power of two, 512 B..2 MiB */
    int version;                /* 0 or 3: compat=1.1; 2: compat=0.10 */
    const char *backing_file;   /* NULL: none; stored as given */
    const char *backing_fmt;    /* NULL: none (then no extension) */
    bool lazy_refcounts;        /* version 3 only ("Lazy refcounts only
                                 * supported with compatibility level 1.1
                                 * and above") */
    int refcount_bits;          /* 0: 16; 1, 2, 4, ... 64 (others, e.g.
                                 * -1: "Refcount width must be a power of
                                 * two and may not exceed 64 bits"); not
                                 * 16 needs version 3 */
} Qcow2CreateOptions;

/*
 * qcow2_create: create (truncate) @filename as an empty qcow2 image, the
 * layout QEMU 7.2's qcow2_co_create gives (header cluster, refcount table
 * cluster, refcount block, L1 table).  A zero size with a backing file
 * is NOT resolved here (the caller passes the backing file's size).
 * Returns true, or false with @errp set (QEMU's messages: "Cluster size
 * must be a power of two between 512 and 2048k", "Backing format
 * cannot be used without backing file", ...).
 */
bool qcow2_create(const char *filename, const Qcow2CreateOptions *opts,
                  Error **errp);

/* Probe score, as QEMU's qcow_probe: 100 for a qcow2 header (magic and
 * version >= 2), else 0. */
int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename);

/* What QEMU's BdrvCheckResult holds. */
typedef struct Qcow2CheckResult {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    int64_t image_end_offset;
    /* BlockFragInfo */
    uint64_t allocated_clusters;
    uint64_t total_clusters;
    uint64_t fragmented_clusters;
    uint64_t compressed_clusters;
} Qcow2CheckResult;

/*
 * qcow2_check: QEMU's qcow2_check (qemu-img check) on an open qcow2 node
 * @bs.  Fills *@res (zeroed first) and prints QEMU's per-problem lines
 * ("ERROR cluster 5 refcount=1 reference=0", "Leaked cluster 7
 * refcount=1 reference=0", ...) on stderr as qemu-img does.  @fix:
 * repair leaks (BDRV_FIX_LEAKS: the node must be writable).
 * Returns 0, or -errno with @errp set when the check itself could not
 * run (the counters then are partial).
 */
int qcow2_check(BlockDriverState *bs, Qcow2CheckResult *res, bool fix,
                Error **errp);

/* Image information (qemu-img info "Format specific information",
 * query-block).  Strings are borrowed from the open node. */
typedef struct Qcow2Info {
    uint64_t virtual_size;
    uint32_t cluster_size;
    int version;                /* 2 or 3 */
    const char *compat;         /* "0.10" or "1.1" */
    const char *backing_file;   /* NULL: none */
    const char *backing_fmt;    /* NULL: none */
    bool lazy_refcounts;
    bool corrupt;
    bool dirty;                 /* the dirty bit, now */
    int refcount_bits;
    const char *compression_type;   /* "zlib" (v3 only in qemu-img info) */
    bool extended_l2;           /* always false: refused at open */
} Qcow2Info;

/* Fill *@info for the qcow2 node @bs; false if @bs is not qcow2. */
bool qcow2_get_info(BlockDriverState *bs, Qcow2Info *info);

/*
 * For tests (QEMU's blkdebug events, reduced): called after every write
 * the driver makes to the image file (data and metadata), in the order
 * issued.  Crash tests copy the file there: each copy is what a crash at
 * that point leaves.  NULL (the default): nothing.
 */
extern void (*qcow2_debug_write_hook)(BlockDriverState *bs);

#endif /* BLOCK_QCOW2_H */
