/*
 * qcow2.c - the qcow2 image format (QEMU 7.2's block/qcow2.c,
 * qcow2-cluster.c, qcow2-refcount.c and qcow2-cache.c, reduced).
 *
 * Versions 2 and 3, refcounts of 1 to 64 bits (refcount_order 0..6,
 * QEMU's get/set_refcount_ro0..ro6), cluster sizes 512 B..2 MiB, zero
 * clusters, discard, zlib-compressed clusters (read; a write to one
 * copies it out), backing files with copy-on-write, lazy refcounts with
 * the dirty bit, and the metadata overlap check before every write.
 *
 * Requests: qomu has no coroutines.  The driver is synchronous inside:
 * every request is queued and a bottom half of the node's AioContext
 * runs the queue one request at a time (the CoMutex of QEMU, made
 * trivial), doing its I/O on the file and backing nodes with the
 * synchronous wrappers (bdrv_pread...), which run the loop until done.
 * Requests that arrive meanwhile (from completions run by that loop)
 * are appended and served by the same run.
 *
 * Crash safety, as QEMU's cache dependencies: a cluster's refcount is
 * increased (in the refcount block cache) before the L2 entry pointing
 * at it is changed (in the L2 cache); a dirty L2 table is written back
 * only after every dirty refcount block has been written and the file
 * flushed.  A new L2 table is flushed before the L1 entry naming it is
 * written.  Freeing goes the other way: the L2 entries are cleared and
 * flushed before the refcounts drop.  A crash thus leaves at most leaked
 * clusters.  With lazy refcounts the image is marked dirty before its
 * first allocation, refcounts are written lazily, and an image found
 * dirty at open is repaired by the check (QEMU's behaviour).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "block/block-int.h"
#include "block/file-posix.h"
#include "block/qcow2.h"

#include <fcntl.h>
#include <zlib.h>

#define QCOW_MAGIC 0x514649fbU
#define QCOW_OFLAG_COPIED     (UINT64_C(1) << 63)
#define QCOW_OFLAG_COMPRESSED (UINT64_C(1) << 62)
#define QCOW_OFLAG_ZERO       (UINT64_C(1) << 0)
#define L1E_OFFSET_MASK UINT64_C(0x00fffffffffffe00)
#define L2E_OFFSET_MASK UINT64_C(0x00fffffffffffe00)
#define L1E_RESERVED_MASK UINT64_C(0x7f000000000001ff)
#define L2E_STD_RESERVED_MASK UINT64_C(0x3f000000000001fe)
#define REFT_OFFSET_MASK UINT64_C(0xfffffffffffffe00)

#define QCOW2_INCOMPAT_DIRTY   (UINT64_C(1) << 0)
#define QCOW2_INCOMPAT_CORRUPT (UINT64_C(1) << 1)
#define QCOW2_INCOMPAT_MASK    (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (UINT64_C(1) << 0)

#define QCOW2_EXT_MAGIC_END 0
#define QCOW2_EXT_MAGIC_BACKING_FORMAT 0xe2792aca
#define QCOW2_EXT_MAGIC_FEATURE_TABLE 0x6803f857

#define QCOW_MAX_L1_SIZE (32 * 1024 * 1024)
#define QCOW_MAX_REFTABLE_SIZE (8 * 1024 * 1024)
#define QCOW_MAX_SNAPSHOTS 65536
#define HEADER_V3_SIZE 112

#ifndef ROUND_UP
#define ROUND_UP(n, d) (((n) + (d) - 1) & -(0 ? (n) : (d)))
#endif

static inline int ctz32(uint32_t v)
{
    return v ? __builtin_ctz(v) : 32;
}

/* Offsets of header fields */
#define HDR_L1_SIZE 36
#define HDR_L1_OFFSET 40
#define HDR_REFT_OFFSET 48
#define HDR_INCOMPAT 72

/* Metadata kinds for the overlap check (QEMU's QCow2MetadataOverlap) */
enum {
    QCOW2_OL_MAIN_HEADER = 1 << 0,
    QCOW2_OL_ACTIVE_L1 = 1 << 1,
    QCOW2_OL_ACTIVE_L2 = 1 << 2,
    QCOW2_OL_REFCOUNT_TABLE = 1 << 3,
    QCOW2_OL_REFCOUNT_BLOCK = 1 << 4,
    QCOW2_OL_SNAPSHOT_TABLE = 1 << 5,
};

static const char *const metadata_ol_names[] = {
    "qcow2_header", "active L1 table", "active L2 table", "refcount table",
    "refcount block", "snapshot table",
};

typedef enum {
    CT_UNALLOCATED, CT_ZERO_PLAIN, CT_ZERO_ALLOC, CT_NORMAL, CT_COMPRESSED,
} Qcow2ClusterType;

typedef struct Qcow2CacheEntry {
    uint64_t offset;            /* 0: free slot */
    uint8_t *data;
    bool dirty;
    uint64_t lru;
} Qcow2CacheEntry;

typedef struct Qcow2Cache {
    Qcow2CacheEntry *entries;
    int size;
    uint64_t lru_counter;
    int ol_type;                /* what it holds, for the overlap check */
} Qcow2Cache;

typedef enum { QR_READ, QR_WRITE, QR_FLUSH, QR_DISCARD, QR_ZERO } QReqType;

typedef struct Qcow2Req {
    QReqType type;
    int64_t offset, bytes;
    QEMUIOVector *qiov;
    BdrvRequestFlags flags;
    BlockCompletionFunc *cb;
    void *opaque;
} Qcow2Req;

/* QEMU's Qcow2GetRefcountFunc / Qcow2SetRefcountFunc */
typedef uint64_t Qcow2GetRefcountFunc(const void *refcount_array,
                                      uint64_t index);
typedef void Qcow2SetRefcountFunc(void *refcount_array, uint64_t index,
                                  uint64_t value);

typedef struct BDRVQcow2State {
    BlockDriverState *bs;
    int version;
    int cluster_bits;
    uint32_t cluster_size;
    int l2_bits;                /* entries per L2 table: 1 << l2_bits */
    int rb_bits;                /* entries per refcount block: 1 << rb_bits
                                 * (cluster_size * 8 / refcount bits) */
    int csize_shift;
    uint64_t csize_mask;
    uint64_t cluster_offset_mask;
    uint64_t size;              /* virtual */
    uint32_t header_length;
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t refcount_order;     /* as in the header: unsigned */
    uint64_t refcount_max;      /* (1 << refcount bits) - 1 */
    Qcow2GetRefcountFunc *get_refcount;
    Qcow2SetRefcountFunc *set_refcount;

    uint64_t l1_table_offset;
    uint32_t l1_size;
    uint64_t *l1_table;         /* host order */
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint64_t refcount_table_size;   /* entries */
    /* Entries from this one on are all zero (QEMU's
     * max_refcount_table_index + 1): bounds the overlap check's loop.
     * Raise it wherever an entry is set. */
    uint64_t refcount_table_used;
    uint64_t *refcount_table;   /* host order */
    uint64_t snapshots_offset;
    uint32_t nb_snapshots;

    char *backing_file;
    char *backing_fmt;
    bool dirty_at_open;
    bool use_lazy_refcounts;
    bool signaled_corruption;
    bool broken;                /* marked corrupt: refuse everything */

    Qcow2Cache l2_cache;
    Qcow2Cache rb_cache;
    bool rb_written_unflushed;  /* refcount blocks written, no flush yet */
    uint64_t free_cluster_index;

    /* compressed cluster cache */
    uint8_t *cluster_data;
    uint64_t cluster_cache_offset;  /* -1: none */

    /* during a repair: clusters the check found referenced (a refcount
     * array of the image's width, read with get_refcount) */
    void *repair_refs;
    uint64_t repair_nb;

    /* request queue */
    GQueue queue;
    bool busy;
    bool scheduled;
} BDRVQcow2State;

static int qcow2_update_refcount(BlockDriverState *bs, uint64_t cluster,
                                 uint64_t n, int delta);
static int update_refcount(BlockDriverState *bs, uint64_t cluster,
                           uint64_t n, uint64_t addend, bool decrease);
static int qcow2_flush_l2_cache(BlockDriverState *bs);

/* --- byte order ---------------------------------------------------------- */

static inline uint64_t ldq_be(const void *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return GUINT64_FROM_BE(v);
}
static inline uint32_t ldl_be(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return GUINT32_FROM_BE(v);
}
static inline uint16_t ldw_be(const void *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return GUINT16_FROM_BE(v);
}
static inline void stq_be(void *p, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, 8);
}
static inline void stl_be(void *p, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}
static inline void stw_be(void *p, uint16_t v)
{
    v = GUINT16_TO_BE(v);
    memcpy(p, &v, 2);
}

static inline uint64_t offset_into_cluster(BDRVQcow2State *s, uint64_t o)
{
    return o & (s->cluster_size - 1);
}

static inline uint64_t size_to_clusters(BDRVQcow2State *s, uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

static inline uint64_t size_to_l1(int cluster_bits, uint64_t size)
{
    int shift = cluster_bits + cluster_bits - 3;

    return (size + (1ULL << shift) - 1) >> shift;
}

static Qcow2ClusterType cluster_type(uint64_t l2e)
{
    if (l2e & QCOW_OFLAG_COMPRESSED) {
        return CT_COMPRESSED;
    } else if (l2e & QCOW_OFLAG_ZERO) {
        return (l2e & L2E_OFFSET_MASK) ? CT_ZERO_ALLOC : CT_ZERO_PLAIN;
    } else if (!(l2e & L2E_OFFSET_MASK)) {
        return CT_UNALLOCATED;
    }
    return CT_NORMAL;
}

static void parse_compressed(BDRVQcow2State *s, uint64_t l2e,
                             uint64_t *coffset, int *csize)
{
    *coffset = l2e & s->cluster_offset_mask;
    *csize = (((l2e >> s->csize_shift) & s->csize_mask) + 1) * 512 -
             (*coffset & 511);
}

/* --- file I/O ------------------------------------------------------------ */

static int file_pread(BlockDriverState *bs, uint64_t off, void *buf,
                      uint64_t len)
{
    return bdrv_pread(bs->file->bs, off, len, buf, 0);
}

void (*qcow2_debug_write_hook)(BlockDriverState *bs);

static int file_pwrite(BlockDriverState *bs, uint64_t off, const void *buf,
                       uint64_t len)
{
    int ret = bdrv_pwrite(bs->file->bs, off, len, buf, 0);

    if (ret == 0 && qcow2_debug_write_hook) {
        qcow2_debug_write_hook(bs);
    }
    return ret;
}

/* Vectored write of @qiov at @off (the data path: no bounce copy). */
static int file_pwritev(BlockDriverState *bs, uint64_t off,
                        QEMUIOVector *qiov)
{
    BlockDriverState *file = bs->file->bs;
    BdrvSyncOp op = { 0 };
    int ret;

    bdrv_aio_pwritev(file, off, qiov->size, qiov, 0, bdrv_sync_op_done, &op);
    ret = bdrv_sync_op_wait(file->aio_context, &op);
    if (ret == 0 && qcow2_debug_write_hook) {
        qcow2_debug_write_hook(bs);
    }
    return ret;
}

/* Zeroes at [@off, @off + @len) of the file the cheap way (fallocate),
 * or -ENOTSUP: QEMU's bdrv_co_pwrite_zeroes(BDRV_REQ_NO_FALLBACK). */
static int file_zero_no_fallback(BlockDriverState *bs, uint64_t off,
                                 uint64_t len)
{
    BlockDriverState *file = bs->file->bs;
    BdrvSyncOp op = { 0 };
    int ret;

    bdrv_aio_pwrite_zeroes(file, off, len, BDRV_REQ_NO_FALLBACK,
                           bdrv_sync_op_done, &op);
    ret = bdrv_sync_op_wait(file->aio_context, &op);
    if (ret == 0 && qcow2_debug_write_hook) {
        qcow2_debug_write_hook(bs);
    }
    return ret;
}

static int file_flush(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = bdrv_flush(bs->file->bs);

    if (ret == 0) {
        s->rb_written_unflushed = false;
    }
    return ret;
}

/* --- corruption ---------------------------------------------------------- */

static int write_incompat(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t buf[8];
    int ret;

    if (s->version < 3) {
        return 0;
    }
    stq_be(buf, s->incompatible_features);
    ret = file_pwrite(bs, HDR_INCOMPAT, buf, 8);
    if (ret < 0) {
        return ret;
    }
    return file_flush(bs);
}

/* QEMU's qcow2_signal_corruption (a fatal one: the node stops working) */
static void G_GNUC_PRINTF(3, 4)
qcow2_signal_corruption(BlockDriverState *bs, bool fatal, const char *fmt,
                        ...)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree char *message = NULL;
    va_list ap;

    /* QEMU: only a writable node is marked corrupt and stopped */
    fatal = fatal && !bs->read_only;
    if (s->signaled_corruption &&
        (!fatal || (s->incompatible_features & QCOW2_INCOMPAT_CORRUPT))) {
        return;
    }
    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (fatal) {
        fprintf(stderr, "qcow2: Marking image as corrupt: %s; further "
                "corruption events will be suppressed\n", message);
    } else {
        fprintf(stderr, "qcow2: Image is corrupt: %s; further non-fatal "
                "corruption events will be suppressed\n", message);
    }
    if (fatal) {
        s->incompatible_features |= QCOW2_INCOMPAT_CORRUPT;
        if (!bs->read_only) {
            write_incompat(bs);
        }
        s->broken = true;
    }
    s->signaled_corruption = true;
}

/* --- overlap check ------------------------------------------------------- */

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
                           uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* QEMU's qcow2_check_metadata_overlap: the first kind of metadata (not
 * in @ign) that [@offset, @offset + @size) hits, as a bit, or 0. */
static int qcow2_check_metadata_overlap(BlockDriverState *bs, int ign,
                                        uint64_t offset, uint64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;

    if (!size) {
        return 0;
    }
    if (!(ign & QCOW2_OL_MAIN_HEADER) && offset < cs) {
        return QCOW2_OL_MAIN_HEADER;
    }
    if (!(ign & QCOW2_OL_ACTIVE_L1) && s->l1_size &&
        ranges_overlap(offset, size, s->l1_table_offset,
                       (uint64_t)s->l1_size * 8)) {
        return QCOW2_OL_ACTIVE_L1;
    }
    if (!(ign & QCOW2_OL_REFCOUNT_TABLE) &&
        ranges_overlap(offset, size, s->refcount_table_offset,
                       (uint64_t)s->refcount_table_clusters * cs)) {
        return QCOW2_OL_REFCOUNT_TABLE;
    }
    if (!(ign & QCOW2_OL_SNAPSHOT_TABLE) && s->nb_snapshots &&
        ranges_overlap(offset, size, s->snapshots_offset, cs)) {
        return QCOW2_OL_SNAPSHOT_TABLE;
    }
    if (!(ign & QCOW2_OL_ACTIVE_L2) && s->l1_table) {
        for (uint32_t i = 0; i < s->l1_size; i++) {
            uint64_t l2 = s->l1_table[i] & L1E_OFFSET_MASK;

            if (l2 && ranges_overlap(offset, size, l2, cs)) {
                return QCOW2_OL_ACTIVE_L2;
            }
        }
    }
    if (!(ign & QCOW2_OL_REFCOUNT_BLOCK) && s->refcount_table) {
        for (uint64_t i = 0; i < s->refcount_table_used; i++) {
            uint64_t rb = s->refcount_table[i] & REFT_OFFSET_MASK;

            if (rb && ranges_overlap(offset, size, rb, cs)) {
                return QCOW2_OL_REFCOUNT_BLOCK;
            }
        }
    }
    return 0;
}

int qcow2_pre_write_overlap_check(BlockDriverState *bs, int ign,
                                  int64_t offset, int64_t size);

/* QEMU's qcow2_pre_write_overlap_check: -EIO (and the image marked
 * corrupt) if the write would hit metadata. */
int qcow2_pre_write_overlap_check(BlockDriverState *bs, int ign,
                                  int64_t offset, int64_t size)
{
    int ret = qcow2_check_metadata_overlap(bs, ign, offset, size);

    if (ret) {
        int bit = ctz32(ret);

        qcow2_signal_corruption(bs, true, "Preventing invalid write on "
                                "metadata (overlaps with %s)",
                                metadata_ol_names[bit]);
        return -EIO;
    }
    return 0;
}

static int meta_pwrite(BlockDriverState *bs, int ign, uint64_t off,
                       const void *buf, uint64_t len)
{
    int ret = qcow2_pre_write_overlap_check(bs, ign, off, len);

    return ret < 0 ? ret : file_pwrite(bs, off, buf, len);
}

/* --- caches -------------------------------------------------------------- */

static void cache_init(Qcow2Cache *c, int size, int ol_type, uint32_t cs)
{
    c->size = size;
    c->ol_type = ol_type;
    c->entries = g_new0(Qcow2CacheEntry, size);
    for (int i = 0; i < size; i++) {
        c->entries[i].data = g_malloc(cs);
    }
}

static void cache_destroy(Qcow2Cache *c)
{
    for (int i = 0; i < c->size; i++) {
        g_free(c->entries[i].data);
    }
    g_free(c->entries);
    c->entries = NULL;
}

static int cache_entry_writeback(BlockDriverState *bs, Qcow2Cache *c,
                                 Qcow2CacheEntry *e)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!e->dirty) {
        return 0;
    }
    if (c == &s->l2_cache && !(s->incompatible_features &
                               QCOW2_INCOMPAT_DIRTY)) {
        /* The dependency: refcounts reach the disk first */
        for (int i = 0; i < s->rb_cache.size; i++) {
            ret = cache_entry_writeback(bs, &s->rb_cache,
                                        &s->rb_cache.entries[i]);
            if (ret < 0) {
                return ret;
            }
        }
        if (s->rb_written_unflushed) {
            ret = file_flush(bs);
            if (ret < 0) {
                return ret;
            }
        }
    }
    ret = meta_pwrite(bs, c->ol_type, e->offset, e->data, s->cluster_size);
    if (ret < 0) {
        return ret;
    }
    if (c == &s->rb_cache) {
        s->rb_written_unflushed = true;
    }
    e->dirty = false;
    return 0;
}

static int cache_writeback_all(BlockDriverState *bs, Qcow2Cache *c)
{
    int ret = 0;

    for (int i = 0; i < c->size; i++) {
        int r = cache_entry_writeback(bs, c, &c->entries[i]);

        if (r < 0 && ret == 0) {
            ret = r;
        }
    }
    return ret;
}

/*
 * The cached table at @offset (read from the file unless @fresh: then
 * zeroed).  The pointer is valid until the next operation on @c.
 */
static int cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                     bool fresh, uint8_t **data)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2CacheEntry *victim = NULL;
    int ret;

    for (int i = 0; i < c->size; i++) {
        Qcow2CacheEntry *e = &c->entries[i];

        if (e->offset == offset) {
            e->lru = ++c->lru_counter;
            if (fresh) {
                memset(e->data, 0, s->cluster_size);
            }
            *data = e->data;
            return 0;
        }
        if (!victim || e->lru < victim->lru) {
            victim = e;
        }
    }
    ret = cache_entry_writeback(bs, c, victim);
    if (ret < 0) {
        return ret;
    }
    victim->offset = 0;
    if (fresh) {
        memset(victim->data, 0, s->cluster_size);
    } else {
        ret = file_pread(bs, offset, victim->data, s->cluster_size);
        if (ret < 0) {
            return ret;
        }
    }
    victim->offset = offset;
    victim->lru = ++c->lru_counter;
    *data = victim->data;
    return 0;
}

static void cache_mark_dirty(Qcow2Cache *c, uint8_t *data)
{
    for (int i = 0; i < c->size; i++) {
        if (c->entries[i].data == data) {
            c->entries[i].dirty = true;
            return;
        }
    }
    g_assert_not_reached();
}

/* Write back everything: refcounts, flush, L2 tables. */
static int qcow2_write_caches(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = cache_writeback_all(bs, &s->rb_cache);

    if (ret < 0) {
        return ret;
    }
    if (s->rb_written_unflushed) {
        ret = file_flush(bs);
        if (ret < 0) {
            return ret;
        }
    }
    return cache_writeback_all(bs, &s->l2_cache);
}

/* L2 entries durable (before refcounts drop or L1 points somewhere). */
static int qcow2_flush_l2_cache(BlockDriverState *bs)
{
    int ret = qcow2_write_caches(bs);

    return ret < 0 ? ret : file_flush(bs);
}

/* --- dirty bit ----------------------------------------------------------- */

static int qcow2_mark_dirty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (s->incompatible_features & QCOW2_INCOMPAT_DIRTY) {
        return 0;
    }
    ret = file_flush(bs);
    if (ret < 0) {
        return ret;
    }
    s->incompatible_features |= QCOW2_INCOMPAT_DIRTY;
    return write_incompat(bs);
}

static int qcow2_mark_clean(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!(s->incompatible_features & QCOW2_INCOMPAT_DIRTY)) {
        return 0;
    }
    ret = qcow2_flush_l2_cache(bs);
    if (ret < 0) {
        return ret;
    }
    s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
    return write_incompat(bs);
}

/* --- refcounts ----------------------------------------------------------- */

/*
 * QEMU's get_refcount_ro0..ro6 / set_refcount_ro0..ro6: entries of
 * 1 << refcount_order bits packed in a refcount block (or a check's
 * refcount array).  Sub-byte entries fill a byte from its least
 * significant bit (entry 0 of 1-bit refcounts is bit 0 of byte 0);
 * entries of 16 bits and more are big-endian.  Callers keep values
 * within refcount_max.
 */
static uint64_t get_refcount_ro0(const void *a, uint64_t i)
{
    return (((const uint8_t *)a)[i / 8] >> (i % 8)) & 0x1;
}

static void set_refcount_ro0(void *a, uint64_t i, uint64_t v)
{
    ((uint8_t *)a)[i / 8] &= ~(0x1 << (i % 8));
    ((uint8_t *)a)[i / 8] |= (v & 0x1) << (i % 8);
}

static uint64_t get_refcount_ro1(const void *a, uint64_t i)
{
    return (((const uint8_t *)a)[i / 4] >> (2 * (i % 4))) & 0x3;
}

static void set_refcount_ro1(void *a, uint64_t i, uint64_t v)
{
    ((uint8_t *)a)[i / 4] &= ~(0x3 << (2 * (i % 4)));
    ((uint8_t *)a)[i / 4] |= (v & 0x3) << (2 * (i % 4));
}

static uint64_t get_refcount_ro2(const void *a, uint64_t i)
{
    return (((const uint8_t *)a)[i / 2] >> (4 * (i % 2))) & 0xf;
}

static void set_refcount_ro2(void *a, uint64_t i, uint64_t v)
{
    ((uint8_t *)a)[i / 2] &= ~(0xf << (4 * (i % 2)));
    ((uint8_t *)a)[i / 2] |= (v & 0xf) << (4 * (i % 2));
}

static uint64_t get_refcount_ro3(const void *a, uint64_t i)
{
    return ((const uint8_t *)a)[i];
}

static void set_refcount_ro3(void *a, uint64_t i, uint64_t v)
{
    ((uint8_t *)a)[i] = v;
}

static uint64_t get_refcount_ro4(const void *a, uint64_t i)
{
    return ldw_be((const uint8_t *)a + 2 * i);
}

static void set_refcount_ro4(void *a, uint64_t i, uint64_t v)
{
    stw_be((uint8_t *)a + 2 * i, v);
}

static uint64_t get_refcount_ro5(const void *a, uint64_t i)
{
    return ldl_be((const uint8_t *)a + 4 * i);
}

static void set_refcount_ro5(void *a, uint64_t i, uint64_t v)
{
    stl_be((uint8_t *)a + 4 * i, v);
}

static uint64_t get_refcount_ro6(const void *a, uint64_t i)
{
    return ldq_be((const uint8_t *)a + 8 * i);
}

static void set_refcount_ro6(void *a, uint64_t i, uint64_t v)
{
    stq_be((uint8_t *)a + 8 * i, v);
}

static Qcow2GetRefcountFunc *const get_refcount_funcs[] = {
    get_refcount_ro0, get_refcount_ro1, get_refcount_ro2, get_refcount_ro3,
    get_refcount_ro4, get_refcount_ro5, get_refcount_ro6,
};

static Qcow2SetRefcountFunc *const set_refcount_funcs[] = {
    set_refcount_ro0, set_refcount_ro1, set_refcount_ro2, set_refcount_ro3,
    set_refcount_ro4, set_refcount_ro5, set_refcount_ro6,
};

/* Bytes of a refcount array of @entries entries (QEMU's
 * refcount_array_byte_size) */
static uint64_t refcount_array_byte_size(BDRVQcow2State *s, uint64_t entries)
{
    return DIV_ROUND_UP(entries << s->refcount_order, 8);
}

static int refblock_offset(BlockDriverState *bs, uint64_t index,
                           uint64_t *off)
{
    BDRVQcow2State *s = bs->opaque;

    *off = 0;
    if (index >= s->refcount_table_size) {
        return 0;
    }
    *off = s->refcount_table[index] & REFT_OFFSET_MASK;
    if (offset_into_cluster(s, *off)) {
        qcow2_signal_corruption(bs, true, "Refblock offset %#" PRIx64
                                " unaligned (reftable index: %#" PRIx64 ")",
                                *off, index);
        return -EIO;
    }
    return 0;
}

/* QEMU's qcow2_get_refcount: 0 and *@refcount, or -errno */
static int qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster,
                              uint64_t *refcount)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rb;
    uint8_t *data;
    int ret = refblock_offset(bs, cluster >> s->rb_bits, &rb);

    *refcount = 0;
    if (ret < 0) {
        return ret;
    }
    if (!rb) {
        return 0;
    }
    ret = cache_get(bs, &s->rb_cache, rb, false, &data);
    if (ret < 0) {
        return ret;
    }
    *refcount = s->get_refcount(data, cluster & ((1ULL << s->rb_bits) - 1));
    return 0;
}

static bool repair_used(BDRVQcow2State *s, uint64_t cluster)
{
    return s->repair_refs && cluster < s->repair_nb &&
           s->get_refcount(s->repair_refs, cluster);
}

/* Grow the refcount table so that it has an entry for refblock @index:
 * a new table and the refblocks describing it go past every cluster the
 * old table can cover (QEMU's qcow2_refcount_area, simplified). */
static int grow_refcount_table(BlockDriverState *bs, uint64_t index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    uint64_t per_rb = 1ULL << s->rb_bits;
    uint64_t start = s->refcount_table_size * per_rb;
    uint64_t entries = MAX(index + 1, s->refcount_table_size * 2);
    uint64_t tc, nb = 1, first, last;
    uint64_t old_off = s->refcount_table_offset;
    uint32_t old_clusters = s->refcount_table_clusters;
    g_autofree uint64_t *table = NULL;
    g_autofree uint8_t *buf = NULL;
    uint8_t hdr[12];
    int ret;

    if (s->repair_refs && s->repair_nb > start) {
        start = s->repair_nb;
    }
    for (;;) {
        tc = DIV_ROUND_UP(entries * 8, cs);
        first = start >> s->rb_bits;
        last = (start + tc + nb - 1) >> s->rb_bits;
        if (last - first + 1 == nb && last < entries) {
            break;
        }
        nb = last - first + 1;
        entries = MAX(entries, last + 1);
    }
    if (tc * cs > QCOW_MAX_REFTABLE_SIZE) {
        return -EFBIG;
    }
    /* The new refblocks, counting the new table and themselves */
    buf = g_malloc0(nb * cs);
    for (uint64_t c = start; c < start + tc + nb; c++) {
        s->set_refcount(buf + ((c >> s->rb_bits) - first) * cs,
                        c & (per_rb - 1), 1);
    }
    table = g_malloc0(tc * cs);
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        table[i] = GUINT64_TO_BE(s->refcount_table[i]);
    }
    for (uint64_t i = 0; i < nb; i++) {
        table[first + i] = GUINT64_TO_BE((start + tc + i) * cs);
    }
    ret = meta_pwrite(bs, 0, (start + tc) * cs, buf, nb * cs);
    if (ret < 0) {
        return ret;
    }
    ret = meta_pwrite(bs, 0, start * cs, table, tc * cs);
    if (ret < 0) {
        return ret;
    }
    ret = file_flush(bs);
    if (ret < 0) {
        return ret;
    }
    stq_be(hdr, start * cs);
    stl_be(hdr + 8, tc);
    ret = meta_pwrite(bs, QCOW2_OL_MAIN_HEADER, HDR_REFT_OFFSET, hdr, 12);
    if (ret < 0) {
        return ret;
    }
    ret = file_flush(bs);
    if (ret < 0) {
        return ret;
    }
    g_free(s->refcount_table);
    s->refcount_table = g_new0(uint64_t, tc * cs / 8);
    for (uint64_t i = 0; i < tc * cs / 8; i++) {
        s->refcount_table[i] = GUINT64_FROM_BE(table[i]);
        if (s->refcount_table[i]) {
            s->refcount_table_used = i + 1;
        }
    }
    s->refcount_table_offset = start * cs;
    s->refcount_table_clusters = tc;
    s->refcount_table_size = tc * cs / 8;
    /* The old table is free now */
    return qcow2_update_refcount(bs, old_off >> s->cluster_bits,
                                 old_clusters, -1);
}

/* Make sure refblock @index exists (QEMU's alloc_refcount_block): a new
 * one goes into the range it describes, which is all free. */
static int ensure_refblock(BlockDriverState *bs, uint64_t index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t per_rb = 1ULL << s->rb_bits;
    uint64_t rb, c, cs = s->cluster_size;
    g_autofree uint8_t *buf = NULL;
    uint8_t entry[8];
    int ret;

    ret = refblock_offset(bs, index, &rb);
    if (ret < 0 || rb) {
        return ret;
    }
    if (index >= s->refcount_table_size) {
        ret = grow_refcount_table(bs, index);
        if (ret < 0) {
            return ret;
        }
        return ensure_refblock(bs, index);
    }
    for (c = index * per_rb; c < (index + 1) * per_rb; c++) {
        if (!repair_used(s, c)) {
            break;
        }
    }
    if (c == (index + 1) * per_rb) {
        return -ENOSPC;
    }
    buf = g_malloc0(cs);
    s->set_refcount(buf, c & (per_rb - 1), 1);
    ret = meta_pwrite(bs, 0, c * cs, buf, cs);
    if (ret < 0) {
        return ret;
    }
    ret = file_flush(bs);
    if (ret < 0) {
        return ret;
    }
    stq_be(entry, c * cs);
    ret = meta_pwrite(bs, QCOW2_OL_REFCOUNT_TABLE,
                      s->refcount_table_offset + index * 8, entry, 8);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[index] = c * cs;
    s->refcount_table_used = MAX(s->refcount_table_used, index + 1);
    return 0;
}

/*
 * QEMU's update_refcount: add @addend to (or with @decrease, subtract it
 * from) the refcounts of clusters [@cluster, @cluster + @n).  A result
 * below 0 or above refcount_max (an overflow: at 1 bit, a second
 * reference) is -EINVAL, as QEMU's, and the clusters already changed
 * are changed back.
 */
static int update_refcount(BlockDriverState *bs, uint64_t cluster,
                           uint64_t n, uint64_t addend, bool decrease)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t per_rb = 1ULL << s->rb_bits;
    uint64_t c;
    int ret = 0;

    for (c = cluster; c < cluster + n; c++) {
        uint64_t rb, v;
        uint8_t *data;

        ret = ensure_refblock(bs, c >> s->rb_bits);
        if (ret < 0) {
            break;
        }
        ret = refblock_offset(bs, c >> s->rb_bits, &rb);
        if (ret < 0) {
            break;
        }
        ret = cache_get(bs, &s->rb_cache, rb, false, &data);
        if (ret < 0) {
            break;
        }
        v = s->get_refcount(data, c & (per_rb - 1));
        if (decrease ? v < addend
                     : v + addend < v || v + addend > s->refcount_max) {
            ret = -EINVAL;
            break;
        }
        v = decrease ? v - addend : v + addend;
        s->set_refcount(data, c & (per_rb - 1), v);
        cache_mark_dirty(&s->rb_cache, data);
        if (v == 0 && c < s->free_cluster_index) {
            s->free_cluster_index = c;
        }
    }
    if (ret < 0 && c > cluster) {
        /* undo, as QEMU does */
        (void)update_refcount(bs, cluster, c - cluster, addend, !decrease);
    }
    return ret;
}

static int qcow2_update_refcount(BlockDriverState *bs, uint64_t cluster,
                                 uint64_t n, int delta)
{
    return update_refcount(bs, cluster, n, delta < 0 ? -(uint64_t)delta
                                                     : (uint64_t)delta,
                           delta < 0);
}

/* @n contiguous free clusters, their refcounts raised to 1: the offset,
 * or -errno. */
static int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t hint = s->free_cluster_index;
    uint64_t start = hint;
    uint64_t i = 0;
    int ret;

    while (i < n) {
        uint64_t c = start + i;
        uint64_t rc;

        if ((c << s->cluster_bits) >= (UINT64_C(1) << 56)) {
            return -EFBIG;
        }
        ret = ensure_refblock(bs, c >> s->rb_bits);
        if (ret < 0) {
            return ret;
        }
        ret = qcow2_get_refcount(bs, c, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc || repair_used(s, c)) {
            start = c + 1;
            i = 0;
            continue;
        }
        i++;
    }
    ret = qcow2_update_refcount(bs, start, n, 1);
    if (ret < 0) {
        return ret;
    }
    /* Past everything just scanned, as QEMU's alloc_clusters_noref
     * moves it: not back over the used clusters on every allocation (a
     * free run too short for @n is found again once something below is
     * freed: freeing lowers the hint). */
    if (s->free_cluster_index == hint) {
        s->free_cluster_index = start + n;
    }
    return start << s->cluster_bits;
}

/*
 * Drop the references an L2 entry held (after the L2 change is on disk):
 * QEMU's qcow2_free_any_cluster.  As QEMU's qcow2_free_clusters, a
 * failure (a refcount that would go below 0 on a corrupt image, an I/O
 * error) is printed and does not fail the request: the guest's change
 * is already on disk, and the cluster is at worst leaked, which a check
 * finds.
 */
static void qcow2_free_l2_entry(BlockDriverState *bs, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first, n;
    int ret;

    switch (cluster_type(l2e)) {
    case CT_COMPRESSED: {
        uint64_t coffset;
        int csize;

        /* the clusters [coffset, coffset + csize) touches, as
         * QEMU's qcow2_free_clusters (and the check) count them */
        parse_compressed(s, l2e, &coffset, &csize);
        first = coffset >> s->cluster_bits;
        n = ((coffset + csize - 1) >> s->cluster_bits) - first + 1;
        break;
    }
    case CT_NORMAL:
    case CT_ZERO_ALLOC:
        first = (l2e & L2E_OFFSET_MASK) >> s->cluster_bits;
        n = 1;
        break;
    default:
        return;
    }
    ret = qcow2_update_refcount(bs, first, n, -1);
    if (ret < 0) {
        fprintf(stderr, "qcow2_free_clusters failed: %s\n", strerror(-ret));
    }
}

/* --- L1/L2 --------------------------------------------------------------- */

/*
 * The L2 table for guest offset @offset: *@l2_offset (0 if none and not
 * @alloc).  With @alloc a missing table is created, made durable, and
 * linked into L1.
 */
static int get_l2_offset(BlockDriverState *bs, uint64_t offset, bool alloc,
                         uint64_t *l2_offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->l2_bits + s->cluster_bits);
    uint64_t l1e, l2;
    uint8_t *data, buf[8];
    int64_t new;
    int ret;

    if (l1_index >= s->l1_size) {
        *l2_offset = 0;
        return alloc ? -EIO : 0;
    }
    l1e = s->l1_table[l1_index];
    l2 = l1e & L1E_OFFSET_MASK;
    if (offset_into_cluster(s, l2)) {
        qcow2_signal_corruption(bs, true, "L2 table offset %#" PRIx64
                                " unaligned (L1 index: %#" PRIx64 ")",
                                l2, l1_index);
        return -EIO;
    }
    if (l2 && alloc && !(l1e & QCOW_OFLAG_COPIED)) {
        /* A shared L2 table (internal snapshots): not supported */
        return -ENOTSUP;
    }
    if (l2 || !alloc) {
        *l2_offset = l2;
        return 0;
    }
    if (s->use_lazy_refcounts) {
        ret = qcow2_mark_dirty(bs);
        if (ret < 0) {
            return ret;
        }
    }
    new = qcow2_alloc_clusters(bs, 1);
    if (new < 0) {
        return new;
    }
    ret = cache_get(bs, &s->l2_cache, new, true, &data);
    if (ret < 0) {
        return ret;
    }
    cache_mark_dirty(&s->l2_cache, data);
    /* The table must not overlap L2 itself while unlinked: write it with
     * the check ignoring L2 (it is not in L1 yet). */
    ret = qcow2_flush_l2_cache(bs);
    if (ret < 0) {
        return ret;
    }
    stq_be(buf, new | QCOW_OFLAG_COPIED);
    ret = meta_pwrite(bs, QCOW2_OL_ACTIVE_L1,
                      s->l1_table_offset + l1_index * 8, buf, 8);
    if (ret < 0) {
        return ret;
    }
    s->l1_table[l1_index] = new | QCOW_OFLAG_COPIED;
    *l2_offset = new;
    return 0;
}

static inline unsigned l2_index(BDRVQcow2State *s, uint64_t offset)
{
    return (offset >> s->cluster_bits) & ((1U << s->l2_bits) - 1);
}

static int get_l2_entry(BlockDriverState *bs, uint64_t offset, uint64_t *l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2;
    uint8_t *data;
    int ret = get_l2_offset(bs, offset, false, &l2);

    *l2e = 0;
    if (ret < 0 || !l2) {
        return ret;
    }
    ret = cache_get(bs, &s->l2_cache, l2, false, &data);
    if (ret < 0) {
        return ret;
    }
    *l2e = ldq_be(data + 8 * l2_index(s, offset));
    return 0;
}

static int set_l2_entry(BlockDriverState *bs, uint64_t offset, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2;
    uint8_t *data;
    int ret = get_l2_offset(bs, offset, true, &l2);

    if (ret < 0) {
        return ret;
    }
    if (s->use_lazy_refcounts) {
        ret = qcow2_mark_dirty(bs);
        if (ret < 0) {
            return ret;
        }
    }
    ret = cache_get(bs, &s->l2_cache, l2, false, &data);
    if (ret < 0) {
        return ret;
    }
    stq_be(data + 8 * l2_index(s, offset), l2e);
    cache_mark_dirty(&s->l2_cache, data);
    return 0;
}

/* Validate a data cluster's L2 entry (QEMU's checks in
 * qcow2_get_host_offset). */
static int check_l2_entry(BlockDriverState *bs, uint64_t offset,
                          uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2ClusterType t = cluster_type(l2e);
    uint64_t l1i = offset >> (s->cluster_bits + s->l2_bits);
    /* for QEMU's messages: the L2 table the entry came from */
    uint64_t l2_off = l1i < s->l1_size ?
                      s->l1_table[l1i] & L1E_OFFSET_MASK : 0;

    if (t == CT_COMPRESSED) {
        return 0;
    }
    if ((t == CT_ZERO_PLAIN || t == CT_ZERO_ALLOC) && s->version < 3) {
        qcow2_signal_corruption(bs, true, "Zero cluster entry found in "
                                "pre-v3 image (L2 offset: %#" PRIx64
                                ", L2 index: %#x)", l2_off,
                                l2_index(s, offset));
        return -EIO;
    }
    if ((t == CT_NORMAL || t == CT_ZERO_ALLOC) &&
        offset_into_cluster(s, l2e & L2E_OFFSET_MASK)) {
        qcow2_signal_corruption(bs, true, "Cluster allocation offset %#"
                                PRIx64 " unaligned (L2 offset: %#" PRIx64
                                ", L2 index: %#x)", l2e & L2E_OFFSET_MASK,
                                l2_off, l2_index(s, offset));
        return -EIO;
    }
    return 0;
}

/* --- compressed clusters ------------------------------------------------- */

static int decompress_cluster(BlockDriverState *bs, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t coffset;
    int csize, ret;
    g_autofree uint8_t *in = NULL;
    z_stream strm = { 0 };

    parse_compressed(s, l2e, &coffset, &csize);
    if (s->cluster_cache_offset == coffset) {
        return 0;
    }
    in = g_malloc(csize);
    ret = file_pread(bs, coffset, in, csize);
    if (ret < 0) {
        return ret;
    }
    if (inflateInit2(&strm, -12) != Z_OK) {
        return -EIO;
    }
    strm.next_in = in;
    strm.avail_in = csize;
    strm.next_out = s->cluster_data;
    strm.avail_out = s->cluster_size;
    ret = inflate(&strm, Z_FINISH);
    if ((ret != Z_STREAM_END && ret != Z_BUF_ERROR) || strm.avail_out) {
        ret = -EIO;
    } else {
        ret = 0;
    }
    inflateEnd(&strm);
    if (ret < 0) {
        s->cluster_cache_offset = -1;
        return ret;
    }
    s->cluster_cache_offset = coffset;
    return 0;
}

/* --- reading ------------------------------------------------------------- */

static int read_backing(BlockDriverState *bs, uint64_t offset, uint8_t *buf,
                        uint64_t n)
{
    int64_t len;
    uint64_t avail = 0;

    if (bs->backing) {
        len = bdrv_getlength(bs->backing->bs);
        if (len < 0) {
            return len;
        }
        if ((uint64_t)len > offset) {
            avail = MIN(n, (uint64_t)len - offset);
        }
    }
    if (avail) {
        int ret = bdrv_pread(bs->backing->bs, offset, avail, buf, 0);

        if (ret < 0) {
            return ret;
        }
    }
    memset(buf + avail, 0, n - avail);
    return 0;
}

/* The guest's data at [offset, offset + n) inside one cluster, given
 * its L2 entry. */
static int read_cluster_part(BlockDriverState *bs, uint64_t offset,
                             uint64_t l2e, uint8_t *buf, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = check_l2_entry(bs, offset, l2e);

    if (ret < 0) {
        return ret;
    }
    switch (cluster_type(l2e)) {
    case CT_UNALLOCATED:
        return read_backing(bs, offset, buf, n);
    case CT_ZERO_PLAIN:
    case CT_ZERO_ALLOC:
        memset(buf, 0, n);
        return 0;
    case CT_COMPRESSED:
        ret = decompress_cluster(bs, l2e);
        if (ret < 0) {
            return ret;
        }
        memcpy(buf, s->cluster_data + offset_into_cluster(s, offset), n);
        return 0;
    case CT_NORMAL:
        return file_pread(bs, (l2e & L2E_OFFSET_MASK) +
                          offset_into_cluster(s, offset), buf, n);
    }
    return -EIO;
}

static int qcow2_do_read(BlockDriverState *bs, uint64_t offset,
                         uint64_t bytes, QEMUIOVector *qiov)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *buf = g_malloc(s->cluster_size);
    uint64_t done = 0;

    while (done < bytes) {
        uint64_t off = offset + done;
        uint64_t n = MIN(bytes - done,
                         s->cluster_size - offset_into_cluster(s, off));
        uint64_t l2e;
        int ret;

        if (off >= s->size) {
            qemu_iovec_memset(qiov, done, 0, bytes - done);
            break;
        }
        ret = get_l2_entry(bs, off, &l2e);
        if (ret < 0) {
            return ret;
        }
        ret = read_cluster_part(bs, off, l2e, buf, n);
        if (ret < 0) {
            return ret;
        }
        qemu_iovec_from_buf(qiov, done, buf, n);
        done += n;
    }
    return 0;
}

/* --- writing ------------------------------------------------------------- */

/* Clusters one allocating write covers at most (QEMU: an L2 slice). */
#define QCOW2_MAX_ALLOC_RUN 256

/* Whether a cluster with L2 entry @l2e needs a new host cluster for a
 * write (QEMU's cluster_needs_new_alloc): all but the clusters this image
 * owns alone. */
static bool needs_new_cluster(uint64_t l2e)
{
    Qcow2ClusterType t = cluster_type(l2e);

    return !((t == CT_NORMAL || t == CT_ZERO_ALLOC) &&
             (l2e & QCOW_OFLAG_COPIED));
}

/* Whether the guest's [@off, @off + @n) of a cluster with L2 entry @l2e
 * is known to read as zeroes without reading it (QEMU's is_zero_cow,
 * from the cluster type instead of block status): zero clusters, and
 * unallocated ones with nothing in a backing file there. */
static bool cow_reads_zero(BlockDriverState *bs, uint64_t l2e, uint64_t off,
                           uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t len;

    if (!n || off >= s->size) {
        return true;
    }
    switch (cluster_type(l2e)) {
    case CT_ZERO_PLAIN:
    case CT_ZERO_ALLOC:
        return true;
    case CT_UNALLOCATED:
        if (!bs->backing) {
            return true;
        }
        len = bdrv_getlength(bs->backing->bs);
        return len >= 0 && (uint64_t)len <= off;
    default:
        return false;
    }
}

/* The guest's data at [@off, @off + @n) inside one cluster (L2 entry
 * @l2e), zeroes past the virtual size: a copy-on-write region. */
static int read_cow(BlockDriverState *bs, uint64_t off, uint64_t l2e,
                    uint8_t *buf, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t vlen = off < s->size ? MIN(n, s->size - off) : 0;

    memset(buf + vlen, 0, n - vlen);
    return vlen ? read_cluster_part(bs, off, l2e, buf, vlen) : 0;
}

/*
 * An allocating write (QEMU's qcow2_alloc_host_offset + handle_alloc_space
 * + merge_cow + qcow2_alloc_cluster_link_l2): the guest's [@off, @off +
 * @n) from @qiov at @qoff covers @nb consecutive clusters of one L2
 * table whose old L2 entries are @old, the first from @off on, the last
 * up to @off + @n, the ones between whole.
 *
 * Either @nb new contiguous clusters get the data, or (one preallocated
 * zero cluster, ZERO_ALLOC|COPIED) the old cluster does.  The parts of
 * the first and last cluster the guest does not write (the COW regions)
 * keep what they read as: if both are known to be zeroes, the new range
 * is zeroed with one fallocate (nothing at all past the end of the file,
 * which reads as zeroes) and only the guest's bytes are written;
 * otherwise one vectored write carries COW head + data + COW tail.  Then
 * the L2 entries change (in the cache: written back after the refcounts,
 * see the top of the file), and old clusters lose their reference once
 * the new entries are on disk.
 */
static int qcow2_write_alloc(BlockDriverState *bs, uint64_t off, uint64_t n,
                             QEMUIOVector *qiov, size_t qoff,
                             const uint64_t *old, unsigned nb)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    uint64_t cstart = off & ~(cs - 1);
    uint64_t end = off + n;
    uint64_t head = off - cstart;
    uint64_t tail = cstart + nb * cs - end;
    bool in_place = !needs_new_cluster(old[0]);
    uint8_t *hbuf = NULL, *tbuf = NULL;
    bool zeroed = false, need_free = false;
    QEMUIOVector v;
    uint64_t new, l2;
    int64_t r;
    int ret;

    assert(!in_place || nb == 1);
    qemu_iovec_init(&v, qiov->niov + 2);
    if (s->use_lazy_refcounts) {
        ret = qcow2_mark_dirty(bs);
        if (ret < 0) {
            goto out;
        }
    }
    if (in_place) {
        new = old[0] & L2E_OFFSET_MASK;
    } else {
        /* The L2 table first: the data clusters follow it */
        ret = get_l2_offset(bs, off, true, &l2);
        if (ret < 0) {
            goto out;
        }
        /* refcounts first (in the cache), then the data, then L2 */
        r = qcow2_alloc_clusters(bs, nb);
        if (r < 0) {
            ret = r;
            goto out;
        }
        new = r;
    }
    ret = qcow2_pre_write_overlap_check(bs, 0, new, nb * cs);
    if (ret < 0) {
        goto out_free;
    }

    if ((head || tail) && cow_reads_zero(bs, old[0], cstart, head) &&
        cow_reads_zero(bs, old[nb - 1], end, tail)) {
        /* QEMU's handle_alloc_space */
        /* the file's real length (bdrv_getlength() is the one at open) */
        r = bdrv_refresh_total_sectors(bs->file->bs);
        if (r == 0) {
            r = bdrv_getlength(bs->file->bs);
        }
        if (r >= 0 && new >= (uint64_t)r) {
            zeroed = true;          /* a hole: reads as zeroes */
        } else {
            ret = file_zero_no_fallback(bs, new, nb * cs);
            if (ret == 0) {
                zeroed = true;
            } else if (ret != -ENOTSUP && ret != -EAGAIN && ret != -EINVAL) {
                goto out_free;
            }
        }
    }
    if (!zeroed && head) {
        hbuf = qemu_blockalign(bs->file->bs, head);
        ret = read_cow(bs, cstart, old[0], hbuf, head);
        if (ret < 0) {
            goto out_free;
        }
        qemu_iovec_add(&v, hbuf, head);
    }
    qemu_iovec_concat(&v, qiov, qoff, n);
    if (!zeroed && tail) {
        tbuf = qemu_blockalign(bs->file->bs, tail);
        ret = read_cow(bs, end, old[nb - 1], tbuf, tail);
        if (ret < 0) {
            goto out_free;
        }
        qemu_iovec_add(&v, tbuf, tail);
    }
    /* QEMU's merge_cow: one write for all of it */
    ret = file_pwritev(bs, zeroed ? new + head : new, &v);
    if (ret < 0) {
        goto out_free;
    }

    for (unsigned i = 0; i < nb; i++) {
        ret = set_l2_entry(bs, cstart + i * cs, (new + i * cs) |
                           QCOW_OFLAG_COPIED);
        if (ret < 0) {
            goto out;
        }
        if (!in_place && cluster_type(old[i]) != CT_UNALLOCATED &&
            cluster_type(old[i]) != CT_ZERO_PLAIN) {
            need_free = true;
        }
    }
    if (need_free) {
        /* The old clusters lose these references once the new entries
         * are on disk */
        ret = qcow2_flush_l2_cache(bs);
        if (ret < 0) {
            goto out;
        }
        for (unsigned i = 0; i < nb; i++) {
            if (cluster_type(old[i]) == CT_COMPRESSED) {
                s->cluster_cache_offset = -1;
            }
            qcow2_free_l2_entry(bs, old[i]);
        }
    }
    goto out;

out_free:
    if (!in_place) {
        /* Nothing points at them yet (QEMU frees them too) */
        qcow2_update_refcount(bs, new >> s->cluster_bits, nb, -1);
    }
out:
    qemu_iovec_destroy(&v);
    qemu_vfree(hbuf);
    qemu_vfree(tbuf);
    return ret;
}

static int qcow2_do_write(BlockDriverState *bs, uint64_t offset,
                          uint64_t bytes, QEMUIOVector *qiov)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    uint64_t old[QCOW2_MAX_ALLOC_RUN];
    uint64_t done = 0;

    if (offset + bytes > s->size) {
        return -EIO;
    }
    while (done < bytes) {
        uint64_t off = offset + done;
        uint64_t n = MIN(bytes - done, cs - offset_into_cluster(s, off));
        uint64_t l2e, next;
        unsigned nb = 1;
        int ret;

        ret = get_l2_entry(bs, off, &l2e);
        if (ret < 0) {
            return ret;
        }
        ret = check_l2_entry(bs, off, l2e);
        if (ret < 0) {
            return ret;
        }
        /*
         * A run of clusters of one L2 table that take one host write:
         * ones we own, contiguous on the host; or ones that all need new
         * clusters (QEMU's handle_copied / handle_alloc).
         */
        old[0] = l2e;
        while (done + n < bytes && l2_index(s, off + n) != 0 &&
               (cluster_type(l2e) == CT_NORMAL || needs_new_cluster(l2e)) &&
               nb < QCOW2_MAX_ALLOC_RUN &&
               /* every refblock lies in the range it describes: a run
                * of new clusters must fit beside it (64-bit refcounts
                * with 512 B clusters: 64 per refblock, 64 per L2) */
               (!needs_new_cluster(l2e) ||
                nb < (UINT64_C(1) << s->rb_bits) / 2)) {
            ret = get_l2_entry(bs, off + n, &next);
            if (ret < 0) {
                return ret;
            }
            if (needs_new_cluster(l2e)) {
                if (!needs_new_cluster(next)) {
                    break;
                }
            } else if (cluster_type(next) != CT_NORMAL ||
                       !(next & QCOW_OFLAG_COPIED) ||
                       (next & L2E_OFFSET_MASK) !=
                       (l2e & L2E_OFFSET_MASK) + nb * cs) {
                break;
            }
            ret = check_l2_entry(bs, off + n, next);
            if (ret < 0) {
                return ret;
            }
            old[nb++] = next;
            n += MIN(bytes - done - n, cs);
        }
        if (cluster_type(l2e) == CT_NORMAL && !needs_new_cluster(l2e)) {
            uint64_t host = (l2e & L2E_OFFSET_MASK) +
                            offset_into_cluster(s, off);
            QEMUIOVector v;

            ret = qcow2_pre_write_overlap_check(bs, 0, host, n);
            if (ret == 0) {
                qemu_iovec_init(&v, qiov->niov);
                qemu_iovec_concat(&v, qiov, done, n);
                ret = file_pwritev(bs, host, &v);
                qemu_iovec_destroy(&v);
            }
        } else {
            ret = qcow2_write_alloc(bs, off, n, qiov, done, old, nb);
        }
        if (ret < 0) {
            return ret;
        }
        done += n;
    }
    return 0;
}

/* Discard or write zeroes over whole clusters [offset, offset + bytes):
 * QEMU's discard_in_l2_slice / zero_in_l2_slice. */
static int qcow2_do_zero_or_discard(BlockDriverState *bs, uint64_t offset,
                                    uint64_t bytes, bool discard,
                                    bool may_unmap)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    uint64_t end = MIN(offset + bytes, s->size);
    GArray *freed = g_array_new(false, false, sizeof(uint64_t));
    int ret = 0;

    for (uint64_t off = offset; off < end; off += cs) {
        uint64_t l2e, new;
        Qcow2ClusterType t;

        ret = get_l2_entry(bs, off, &l2e);
        if (ret < 0) {
            goto out;
        }
        t = cluster_type(l2e);
        if (discard) {
            if (!bs->backing && t == CT_UNALLOCATED) {
                continue;
            }
            if (t == CT_ZERO_PLAIN) {
                continue;
            }
            new = s->version >= 3 ? QCOW_OFLAG_ZERO : 0;
        } else {
            if (t == CT_ZERO_PLAIN ||
                (t == CT_UNALLOCATED && !bs->backing)) {
                continue;
            }
            if (!may_unmap && t == CT_NORMAL &&
                (l2e & QCOW_OFLAG_COPIED)) {
                new = l2e | QCOW_OFLAG_ZERO;
            } else if (!may_unmap && t == CT_ZERO_ALLOC) {
                continue;
            } else {
                new = QCOW_OFLAG_ZERO;
            }
        }
        ret = set_l2_entry(bs, off, new);
        if (ret < 0) {
            goto out;
        }
        if (cluster_type(new) != CT_ZERO_ALLOC && t != CT_UNALLOCATED &&
            t != CT_ZERO_PLAIN) {
            g_array_append_val(freed, l2e);
        }
    }
    if (freed->len) {
        ret = qcow2_flush_l2_cache(bs);
        if (ret < 0) {
            goto out;
        }
        for (guint i = 0; i < freed->len; i++) {
            uint64_t l2e = g_array_index(freed, uint64_t, i);

            if (cluster_type(l2e) == CT_COMPRESSED) {
                s->cluster_cache_offset = -1;
            }
            qcow2_free_l2_entry(bs, l2e);
        }
    }
out:
    g_array_free(freed, true);
    return ret;
}

static int qcow2_do_flush(BlockDriverState *bs)
{
    return qcow2_write_caches(bs);
}

/* --- request queue ------------------------------------------------------- */

static int qcow2_run_req(BlockDriverState *bs, Qcow2Req *r)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;

    if (s->broken) {
        return -EIO;
    }
    switch (r->type) {
    case QR_READ:
        return qcow2_do_read(bs, r->offset, r->bytes, r->qiov);
    case QR_WRITE:
        return qcow2_do_write(bs, r->offset, r->bytes, r->qiov);
    case QR_FLUSH:
        return qcow2_do_flush(bs);
    case QR_DISCARD:
        if (offset_into_cluster(s, r->offset) ||
            (offset_into_cluster(s, r->offset + r->bytes) &&
             (uint64_t)(r->offset + r->bytes) < s->size)) {
            return -ENOTSUP;
        }
        return qcow2_do_zero_or_discard(bs, r->offset, r->bytes, true,
                                        true);
    case QR_ZERO:
        if (s->version < 3 || offset_into_cluster(s, r->offset) ||
            (offset_into_cluster(s, r->offset + r->bytes) &&
             (uint64_t)(r->offset + r->bytes) != s->size)) {
            return -ENOTSUP;
        }
        if ((uint64_t)(r->offset + r->bytes) > s->size) {
            return -EIO;
        }
        (void)cs;
        return qcow2_do_zero_or_discard(bs, r->offset, r->bytes, false,
                                        r->flags & BDRV_REQ_MAY_UNMAP);
    }
    return -EINVAL;
}

/*
 * One request per run: its completion is called with nothing of ours on
 * the stack (busy clear, the next run already scheduled), so that a
 * callback may drain the node (blk_drain from a completion) without
 * waiting on itself.
 */
static void qcow2_run_queue(void *opaque, int unused)
{
    BlockDriverState *bs = opaque;
    BDRVQcow2State *s = bs->opaque;
    Qcow2Req *r;
    int ret;

    s->scheduled = false;
    if (s->busy || !(r = g_queue_pop_head(&s->queue))) {
        return;
    }
    s->busy = true;
    ret = qcow2_run_req(bs, r);
    s->busy = false;
    if (!g_queue_is_empty(&s->queue) && !s->scheduled) {
        s->scheduled = true;
        bdrv_complete_later(bs, qcow2_run_queue, bs, 0);
    }
    r->cb(r->opaque, ret);
    g_free(r);
}

static void qcow2_submit(BlockDriverState *bs, QReqType type, int64_t offset,
                         int64_t bytes, QEMUIOVector *qiov,
                         BdrvRequestFlags flags, BlockCompletionFunc *cb,
                         void *opaque)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2Req *r = g_new0(Qcow2Req, 1);

    r->type = type;
    r->offset = offset;
    r->bytes = bytes;
    r->qiov = qiov;
    r->flags = flags;
    r->cb = cb;
    r->opaque = opaque;
    g_queue_push_tail(&s->queue, r);
    if (!s->busy && !s->scheduled) {
        s->scheduled = true;
        bdrv_complete_later(bs, qcow2_run_queue, bs, 0);
    }
}

static void qcow2_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         QEMUIOVector *qiov, BdrvRequestFlags flags,
                         BlockCompletionFunc *cb, void *opaque)
{
    qcow2_submit(bs, QR_READ, offset, bytes, qiov, flags, cb, opaque);
}

static void qcow2_pwritev(BlockDriverState *bs, int64_t offset,
                          int64_t bytes, QEMUIOVector *qiov,
                          BdrvRequestFlags flags, BlockCompletionFunc *cb,
                          void *opaque)
{
    qcow2_submit(bs, QR_WRITE, offset, bytes, qiov, flags, cb, opaque);
}

static void qcow2_flush_to_disk(BlockDriverState *bs, BlockCompletionFunc *cb,
                                void *opaque)
{
    qcow2_submit(bs, QR_FLUSH, 0, 0, NULL, 0, cb, opaque);
}

static void qcow2_pdiscard(BlockDriverState *bs, int64_t offset,
                           int64_t bytes, BlockCompletionFunc *cb,
                           void *opaque)
{
    qcow2_submit(bs, QR_DISCARD, offset, bytes, NULL, 0, cb, opaque);
}

static void qcow2_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                int64_t bytes, BdrvRequestFlags flags,
                                BlockCompletionFunc *cb, void *opaque)
{
    qcow2_submit(bs, QR_ZERO, offset, bytes, NULL, flags, cb, opaque);
}

/* --- check --------------------------------------------------------------- */

typedef struct CheckState {
    Qcow2CheckResult *res;
    void *refs;                 /* refcount array of the image's width */
    uint64_t nb;                /* clusters counted (QEMU's nb_clusters) */
    int64_t file_len;           /* the array has room for nb_file + 1 */
} CheckState;

/* QEMU's qcow2_inc_refcounts_imrt.  The last cluster of an image may be
 * semi-allocated, so a reference a little past the end of the file is
 * fine; one cluster or more past it is a corruption, never counted (so
 * the array never grows past the cluster after the file's last one). */
static void inc_refs(BDRVQcow2State *s, CheckState *cs, uint64_t offset,
                     uint64_t size)
{
    uint64_t first, last;

    if (!size) {
        return;
    }
    if (offset > INT64_MAX - size ||
        (int64_t)(offset + size) - cs->file_len >= (int64_t)s->cluster_size) {
        fprintf(stderr, "ERROR: counting reference for region exceeding the "
                "end of the file by one cluster or more: offset 0x%" PRIx64
                " size 0x%" PRIx64 "\n", offset, size);
        cs->res->corruptions++;
        return;
    }
    first = offset >> s->cluster_bits;
    last = (offset + size - 1) >> s->cluster_bits;
    if (last >= cs->nb) {
        /* already zeroed: see qcow2_check_refcounts */
        cs->nb = last + 1;
    }
    for (uint64_t c = first; c <= last; c++) {
        uint64_t rc = s->get_refcount(cs->refs, c);

        if (rc == s->refcount_max) {
            fprintf(stderr, "ERROR: overflow cluster offset=0x%" PRIx64
                    "\n", c << s->cluster_bits);
            fprintf(stderr, "Use qemu-img amend to increase the refcount "
                    "entry width or qemu-img convert to create a clean copy "
                    "if the image cannot be opened for writing\n");
            cs->res->corruptions++;
            continue;
        }
        s->set_refcount(cs->refs, c, rc + 1);
    }
}

/* QEMU's check_refcounts_l2 (fragmentation counted per L2 table) */
static int check_l2(BlockDriverState *bs, CheckState *cs, uint64_t l2_off)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *l2 = NULL;
    Qcow2CheckResult *res = cs->res;
    uint64_t next_contiguous = 0;
    int ret;

    /* Wholly past the end of the file it reads as zeroes: nothing to
     * count.  (QEMU reads and walks it all the same, to the same effect;
     * thousands of corrupt L1 entries made that take seconds.) */
    if (l2_off >= (uint64_t)cs->file_len) {
        return 0;
    }
    l2 = g_malloc(s->cluster_size);
    ret = file_pread(bs, l2_off, l2, s->cluster_size);
    if (ret < 0) {
        fprintf(stderr, "ERROR: I/O error in check_refcounts_l2\n");
        res->check_errors++;
        return ret;
    }
    for (unsigned i = 0; i < (1U << s->l2_bits); i++) {
        uint64_t e = ldq_be(l2 + 8 * i);
        uint64_t off = e & L2E_OFFSET_MASK;

        if (cluster_type(e) != CT_COMPRESSED &&
            (e & L2E_STD_RESERVED_MASK)) {
            fprintf(stderr, "ERROR found l2 entry with reserved bits set: "
                    "%" PRIx64 "\n", e);
            res->corruptions++;
        }
        switch (cluster_type(e)) {
        case CT_COMPRESSED: {
            uint64_t coffset;
            int csize;

            if (e & QCOW_OFLAG_COPIED) {
                fprintf(stderr, "ERROR: coffset=0x%" PRIx64 ": copied flag "
                        "must never be set for compressed clusters\n",
                        e & s->cluster_offset_mask);
                res->corruptions++;
            }
            parse_compressed(s, e, &coffset, &csize);
            res->allocated_clusters++;
            res->compressed_clusters++;
            /* fragmented by nature (QEMU) */
            res->fragmented_clusters++;
            inc_refs(s, cs, coffset, csize);
            break;
        }
        case CT_ZERO_ALLOC:
        case CT_NORMAL:
            /* counted all the same, as QEMU does */
            if (offset_into_cluster(s, off)) {
                fprintf(stderr, "ERROR offset=%" PRIx64 ": %s cluster is "
                        "not properly aligned; L2 entry corrupted.\n", off,
                        (e & QCOW_OFLAG_ZERO) ? "Preallocated" : "Data");
                res->corruptions++;
            }
            res->allocated_clusters++;
            if (next_contiguous && off != next_contiguous) {
                res->fragmented_clusters++;
            }
            next_contiguous = off + s->cluster_size;
            inc_refs(s, cs, off, s->cluster_size);
            break;
        default:
            break;
        }
    }
    return 0;
}

/* QEMU's check_oflag_copied: COPIED must be set iff refcount == 1 */
static int check_oflag_copied(BlockDriverState *bs, Qcow2CheckResult *res,
                              int64_t file_len)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *l2 = g_malloc(s->cluster_size);

    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l1e = s->l1_table[i];
        uint64_t l2_off = l1e & L1E_OFFSET_MASK;
        uint64_t rc;

        /* (QEMU looks at misaligned tables and entries too) */
        if (!l2_off) {
            continue;
        }
        if (qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc) < 0) {
            continue;
        }
        if ((rc == 1) != ((l1e & QCOW_OFLAG_COPIED) != 0)) {
            fprintf(stderr, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u "
                    "l1_entry=%" PRIx64 " refcount=%" PRIu64 "\n",
                    i, l1e, rc);
            res->corruptions++;
        }
        /* past the end of the file: zeroes, see check_l2() */
        if (l2_off >= (uint64_t)file_len) {
            continue;
        }
        if (file_pread(bs, l2_off, l2, s->cluster_size) < 0) {
            res->check_errors++;
            continue;
        }
        for (unsigned j = 0; j < (1U << s->l2_bits); j++) {
            uint64_t e = ldq_be(l2 + 8 * j);
            Qcow2ClusterType t = cluster_type(e);

            if (t == CT_NORMAL || t == CT_ZERO_ALLOC) {
                if (qcow2_get_refcount(bs, (e & L2E_OFFSET_MASK) >>
                                       s->cluster_bits, &rc) < 0) {
                    continue;
                }
                if ((rc == 1) != ((e & QCOW_OFLAG_COPIED) != 0)) {
                    fprintf(stderr, "ERROR OFLAG_COPIED data cluster: "
                            "l2_entry=%" PRIx64 " refcount=%" PRIu64 "\n",
                            e, rc);
                    res->corruptions++;
                }
            }
        }
    }
    return 0;
}

static int qcow2_check_refcounts(BlockDriverState *bs, Qcow2CheckResult *res,
                                 bool fix_leaks, bool fix_errors)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_len;
    CheckState cs = { .res = res };
    uint64_t highest = 0, nb_file;
    bool fixed_any = false;

    bdrv_refresh_total_sectors(bs->file->bs);
    file_len = bdrv_getlength(bs->file->bs);
    if (file_len < 0) {
        res->check_errors++;
        return file_len;
    }
    nb_file = size_to_clusters(s, file_len);
    if (nb_file > INT_MAX) {
        res->check_errors++;
        return -EFBIG;
    }
    cs.file_len = file_len;
    cs.nb = MAX(nb_file, 1);
    /* inc_refs counts at most one cluster past the end of the file */
    cs.refs = g_try_malloc0(refcount_array_byte_size(s, cs.nb + 1));
    if (!cs.refs) {
        res->check_errors++;
        return -ENOMEM;
    }
    res->total_clusters = size_to_clusters(s, s->size);

    inc_refs(s, &cs, 0, s->cluster_size);
    /* active L1 and its L2 tables */
    inc_refs(s, &cs, s->l1_table_offset, (uint64_t)s->l1_size * 8);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1_table[i] & L1E_OFFSET_MASK;

        /* QEMU's check_refcounts_l1: a misaligned table is counted and
         * checked all the same */
        if (!s->l1_table[i]) {
            continue;
        }
        if (s->l1_table[i] & L1E_RESERVED_MASK) {
            fprintf(stderr, "ERROR found L1 entry with reserved bits set: "
                    "%" PRIx64 "\n", s->l1_table[i]);
            res->corruptions++;
        }
        inc_refs(s, &cs, l2_off, s->cluster_size);
        if (offset_into_cluster(s, l2_off)) {
            fprintf(stderr, "ERROR l2_offset=%" PRIx64 ": Table is not "
                    "cluster aligned; L1 entry corrupted\n", l2_off);
            res->corruptions++;
        }
        check_l2(bs, &cs, l2_off);
    }
    /* refcount table and blocks */
    inc_refs(s, &cs, s->refcount_table_offset,
             (uint64_t)s->refcount_table_clusters * s->cluster_size);
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t off = s->refcount_table[i] & REFT_OFFSET_MASK;
        uint64_t c = off >> s->cluster_bits;

        if (s->refcount_table[i] & ~REFT_OFFSET_MASK) {
            fprintf(stderr, "ERROR refcount table entry %" PRIu64 " has "
                    "reserved bits set\n", i);
            res->corruptions++;
            continue;
        }
        if (!off) {
            continue;
        }
        if (offset_into_cluster(s, off)) {
            fprintf(stderr, "ERROR refcount block %" PRIu64 " is not "
                    "cluster aligned; refcount table entry corrupted\n", i);
            res->corruptions++;
            continue;
        }
        if (c >= cs.nb) {
            fprintf(stderr, "ERROR refcount block %" PRIu64 " is outside "
                    "image\n", i);
            res->corruptions++;
            continue;
        }
        inc_refs(s, &cs, off, s->cluster_size);
        if (s->get_refcount(cs.refs, c) != 1) {
            fprintf(stderr, "ERROR refcount block %" PRIu64 " refcount=%"
                    PRIu64 "\n", i, s->get_refcount(cs.refs, c));
            res->corruptions++;
        }
    }

    /* compare */
    if (fix_errors || fix_leaks) {
        s->repair_refs = cs.refs;
        s->repair_nb = cs.nb;
    }
    for (uint64_t i = 0; i < MAX(cs.nb, nb_file); i++) {
        uint64_t rc1;
        uint64_t rc2 = i < cs.nb ? s->get_refcount(cs.refs, i) : 0;
        int ret = qcow2_get_refcount(bs, i, &rc1);

        if (ret < 0) {
            fprintf(stderr, "Can't get refcount for cluster %" PRIu64 ": %s\n",
                    i, strerror(-ret));
            res->check_errors++;
            continue;
        }
        if (rc1 > 0 || rc2 > 0) {
            highest = i;
        }
        if (rc1 != rc2) {
            bool leak = rc1 > rc2;

            if (leak ? fix_leaks : fix_errors) {
                fprintf(stderr, "Repairing cluster %" PRIu64 " refcount=%"
                        PRIu64 " reference=%" PRIu64 "\n", i, rc1, rc2);
                if (update_refcount(bs, i, 1, leak ? rc1 - rc2 : rc2 - rc1,
                                    leak) == 0) {
                    if (leak) {
                        res->leaks_fixed++;
                    } else {
                        res->corruptions_fixed++;
                    }
                    fixed_any = true;
                    continue;
                }
            } else {
                fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRIu64
                        " reference=%" PRIu64 "\n",
                        leak ? "Leaked" : "ERROR", i, rc1, rc2);
            }
            if (leak) {
                res->leaks++;
            } else {
                res->corruptions++;
            }
        }
    }
    s->repair_refs = NULL;
    s->repair_nb = 0;
    if (fixed_any) {
        int ret = qcow2_flush_l2_cache(bs);

        if (ret < 0) {
            res->check_errors++;
        }
    }
    res->image_end_offset = (highest + 1) * s->cluster_size;
    g_free(cs.refs);
    check_oflag_copied(bs, res, file_len);
    return 0;
}

int qcow2_check(BlockDriverState *bs, Qcow2CheckResult *res, bool fix,
                Error **errp)
{
    BDRVQcow2State *s;
    int ret;

    memset(res, 0, sizeof(*res));
    if (!bs->drv || strcmp(bs->drv->format_name, QCOW2_FORMAT_NAME)) {
        error_setg(errp, "Node '%s' is not a qcow2 image",
                   bdrv_get_node_name(bs));
        return -EINVAL;
    }
    s = bs->opaque;
    if (s->nb_snapshots) {
        error_setg(errp, "Checking qcow2 images with internal snapshots is "
                   "not supported");
        return -ENOTSUP;
    }
    if (fix && bs->read_only) {
        error_setg(errp, "Cannot repair a read-only image");
        return -EPERM;
    }
    bdrv_drain(bs);
    ret = qcow2_write_caches(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write back the qcow2 "
                         "metadata caches");
        return ret;
    }
    ret = qcow2_check_refcounts(bs, res, fix, false);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not check the image");
        return ret;
    }
    if (fix && !res->check_errors && !res->corruptions) {
        ret = qcow2_mark_clean(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not mark the image clean");
            return ret;
        }
    }
    (void)s;
    return 0;
}

bool qcow2_get_info(BlockDriverState *bs, Qcow2Info *info)
{
    BDRVQcow2State *s;

    if (!bs || !bs->drv || strcmp(bs->drv->format_name, QCOW2_FORMAT_NAME)) {
        return false;
    }
    s = bs->opaque;
    info->virtual_size = s->size;
    info->cluster_size = s->cluster_size;
    info->version = s->version;
    info->compat = s->version >= 3 ? "1.1" : "0.10";
    info->backing_file = s->backing_file;
    info->backing_fmt = s->backing_fmt;
    info->lazy_refcounts = !!(s->compatible_features &
                              QCOW2_COMPAT_LAZY_REFCOUNTS);
    info->corrupt = !!(s->incompatible_features & QCOW2_INCOMPAT_CORRUPT);
    info->dirty = !!(s->incompatible_features & QCOW2_INCOMPAT_DIRTY);
    info->refcount_bits = 1 << s->refcount_order;
    info->compression_type = "zlib";
    info->extended_l2 = false;
    return true;
}

/* --- open/close ---------------------------------------------------------- */

int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    if (buf_size >= HEADER_V3_SIZE && ldl_be(buf) == QCOW_MAGIC &&
        ldl_be(buf + 4) >= 2) {
        return 100;
    }
    return 0;
}

/* QEMU's report_unsupported_feature: names from the image's feature
 * table, the rest as a mask. */
static void report_unsupported_feature(Error **errp, const uint8_t *table,
                                       int table_len, uint64_t mask)
{
    g_autoptr(GString) features = g_string_new("");

    for (int i = 0; table && i + 48 <= table_len && table[i + 2]; i += 48) {
        if (table[i] == 0 && table[i + 1] < 64 &&
            (mask & (UINT64_C(1) << table[i + 1]))) {
            if (features->len) {
                g_string_append(features, ", ");
            }
            g_string_append_printf(features, "%.46s",
                                   (const char *)table + i + 2);
            mask &= ~(UINT64_C(1) << table[i + 1]);
        }
    }
    if (mask) {
        if (features->len) {
            g_string_append(features, ", ");
        }
        g_string_append_printf(features, "Unknown incompatible feature: %"
                               PRIx64, mask);
    }
    error_setg(errp, "Unsupported qcow2 feature(s): %s", features->str);
}

/* QEMU's qcow2_read_extensions: backing format and feature table. */
static int qcow2_read_extensions(BlockDriverState *bs, uint8_t *hdr,
                                 uint64_t start, uint64_t end,
                                 uint8_t **feature_table, int *ft_len,
                                 Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t offset = start;

    while (offset < end) {
        uint32_t magic, len;

        /* QEMU reads the 8-byte header even across the end, then
         * refuses it: a header cut by the end is "too large" as well */
        if (offset + 8 > end) {
            error_setg(errp, "Header extension too large");
            return -EINVAL;
        }
        magic = ldl_be(hdr + offset);
        len = ldl_be(hdr + offset + 4);
        offset += 8;
        if (len > end - offset) {
            error_setg(errp, "Header extension too large");
            return -EINVAL;
        }
        switch (magic) {
        case QCOW2_EXT_MAGIC_END:
            return 0;
        case QCOW2_EXT_MAGIC_BACKING_FORMAT:
            if (len >= 16) {
                error_setg(errp, "ERROR: ext_backing_format: len=%" PRIu32
                           " too large (>=%zu)", len, (size_t)16);
                return -EINVAL;
            }
            g_free(s->backing_fmt);
            s->backing_fmt = g_strndup((char *)hdr + offset, len);
            break;
        case QCOW2_EXT_MAGIC_FEATURE_TABLE:
            if (feature_table && !*feature_table) {
                *feature_table = g_memdup2(hdr + offset, len);
                *ft_len = len;
            }
            break;
        default:
            break;
        }
        offset += (len + 7ULL) & ~7ULL;
    }
    return 0;
}

static int validate_table(BDRVQcow2State *s, uint64_t offset,
                          uint64_t entries, size_t entry_len,
                          uint64_t max_bytes, const char *name, Error **errp)
{
    if (entries > max_bytes / entry_len) {
        error_setg(errp, "%s too large", name);
        return -EFBIG;
    }
    if (INT64_MAX - entries * entry_len < offset ||
        offset_into_cluster(s, offset)) {
        error_setg(errp, "%s offset invalid", name);
        return -EINVAL;
    }
    return 0;
}

static int qcow2_open_backing(BlockDriverState *bs, BlockOptions *options,
                              Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree char *backing_opt = bopts_take(options, "backing");
    g_autofree char *path = NULL;

    if (backing_opt && (!strcmp(backing_opt, "null") || !*backing_opt)) {
        return 0;
    }
    if (!s->backing_file && !bopts_has_prefix(options, "backing.")) {
        return 0;
    }
    if (s->backing_file) {
        const char *base = bs->file->bs->filename;

        if (g_path_is_absolute(s->backing_file) || !base ||
            strchr(s->backing_file, ':')) {
            path = g_strdup(s->backing_file);
        } else {
            g_autofree char *dir = g_path_get_dirname(base);

            path = g_build_filename(dir, s->backing_file, NULL);
        }
    }
    bopts_set_default(options, "backing." BDRV_OPT_READ_ONLY, "on");
    if (s->backing_fmt && !bopts_has(options, "backing.driver")) {
        bopts_set(options, "backing.driver", s->backing_fmt);
    }
    if (!bdrv_open_child(path, options, "backing", bs, true, errp)) {
        return -EINVAL;
    }
    return 0;
}

static int qcow2_do_open(BlockDriverState *bs, BlockOptions *options,
                         int flags, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    BdrvChild *file = bdrv_open_child(NULL, options, "file", bs, false, errp);
    g_autofree uint8_t *hdr = NULL;
    g_autofree uint8_t *feature_table = NULL;
    int ft_len = 0;
    uint64_t ext_end, backing_off, l1_vm_state_index;
    uint32_t backing_len;
    int64_t file_len;
    bool lazy;
    int ret;

    if (!file) {
        return -EINVAL;
    }
    s->bs = bs;
    g_queue_init(&s->queue);
    s->cluster_cache_offset = -1;
    bs->filename = g_strdup(file->bs->filename);

    hdr = g_malloc0(HEADER_V3_SIZE);
    ret = file_pread(bs, 0, hdr, HEADER_V3_SIZE);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    if (ldl_be(hdr) != QCOW_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return -EINVAL;
    }
    s->version = ldl_be(hdr + 4);
    if (s->version < 2 || s->version > 3) {
        error_setg(errp, "Unsupported qcow2 version %d", s->version);
        return -ENOTSUP;
    }
    s->cluster_bits = ldl_be(hdr + 20);
    if (s->cluster_bits < 9 || s->cluster_bits > 21) {
        error_setg(errp, "Unsupported cluster size: 2^%" PRIu32,
                   (uint32_t)s->cluster_bits);
        return -EINVAL;
    }
    s->cluster_size = 1U << s->cluster_bits;
    if (s->version == 2) {
        s->refcount_order = 4;
        s->header_length = 72;
    } else {
        s->incompatible_features = ldq_be(hdr + 72);
        s->compatible_features = ldq_be(hdr + 80);
        s->autoclear_features = ldq_be(hdr + 88);
        s->refcount_order = ldl_be(hdr + 96);
        s->header_length = ldl_be(hdr + 100);
        if (s->header_length < 104) {
            error_setg(errp, "qcow2 header too short");
            return -EINVAL;
        }
    }
    if (s->header_length > s->cluster_size) {
        error_setg(errp, "qcow2 header exceeds cluster size");
        return -EINVAL;
    }
    backing_off = ldq_be(hdr + 8);
    backing_len = ldl_be(hdr + 16);
    if (backing_off > s->cluster_size) {
        error_setg(errp, "Invalid backing file offset");
        return -EINVAL;
    }
    ext_end = backing_off ? backing_off : s->cluster_size;

    /* The whole header cluster, for the extensions */
    g_free(hdr);
    hdr = g_malloc0(s->cluster_size);
    ret = file_pread(bs, 0, hdr, s->cluster_size);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    if (s->version == 3 && s->header_length >= 105 && hdr[104] != 0 &&
        !(s->incompatible_features & (UINT64_C(1) << 3))) {
        error_setg(errp, "compression_type field is non-zero but "
                   "compression type bit is not set");
        return -EINVAL;
    }
    if (s->incompatible_features & ~QCOW2_INCOMPAT_MASK) {
        Error *ignored = NULL;

        qcow2_read_extensions(bs, hdr, s->header_length, ext_end,
                              &feature_table, &ft_len, &ignored);
        error_free(ignored);
        report_unsupported_feature(errp, feature_table, ft_len,
                                   s->incompatible_features &
                                   ~QCOW2_INCOMPAT_MASK);
        return -ENOTSUP;
    }
    if ((s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        (flags & BDRV_O_RDWR)) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened "
                   "read/write");
        return -EACCES;
    }
    if (s->refcount_order > 6) {
        error_setg(errp, "Reference count entry width too large; may not "
                   "exceed 64 bits");
        return -EINVAL;
    }
    /* QEMU's qcow2_do_open: 1 << refcount_order bits, 2^bits - 1 at most
     * (UINT64_MAX for 64 bits) */
    s->get_refcount = get_refcount_funcs[s->refcount_order];
    s->set_refcount = set_refcount_funcs[s->refcount_order];
    s->refcount_max = UINT64_C(1) << ((1 << s->refcount_order) - 1);
    s->refcount_max += s->refcount_max - 1;
    if (ldl_be(hdr + 32)) {
        error_setg(errp, "Encrypted qcow2 images are not supported");
        return -ENOTSUP;
    }
    s->l2_bits = s->cluster_bits - 3;
    s->rb_bits = s->cluster_bits - s->refcount_order + 3;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1ULL << (s->cluster_bits - 8)) - 1;
    s->cluster_offset_mask = (1ULL << s->csize_shift) - 1;
    s->size = ldq_be(hdr + 24);
    if (s->size > (UINT64_C(1) << 62)) {
        error_setg(errp, "Image is too big");
        return -EFBIG;
    }

    s->refcount_table_offset = ldq_be(hdr + 48);
    s->refcount_table_clusters = ldl_be(hdr + 56);
    ret = validate_table(s, s->refcount_table_offset,
                         s->refcount_table_clusters, s->cluster_size,
                         QCOW_MAX_REFTABLE_SIZE, "Reference count table",
                         errp);
    if (ret < 0) {
        return ret;
    }
    if (!s->refcount_table_clusters) {
        error_setg(errp, "Image does not contain a reference count table");
        return -EINVAL;
    }
    s->nb_snapshots = ldl_be(hdr + 60);
    s->snapshots_offset = ldq_be(hdr + 64);
    if (s->nb_snapshots > QCOW_MAX_SNAPSHOTS) {
        error_setg(errp, "Too many snapshots");
        return -EINVAL;
    }
    ret = validate_table(s, s->snapshots_offset, s->nb_snapshots, 40,
                         INT64_MAX, "Snapshot table", errp);
    if (ret < 0) {
        return ret;
    }
    if (s->nb_snapshots && (flags & BDRV_O_RDWR)) {
        error_setg(errp, "qcow2 images with internal snapshots can only be "
                   "opened read-only here");
        return -ENOTSUP;
    }

    s->l1_size = ldl_be(hdr + HDR_L1_SIZE);
    s->l1_table_offset = ldq_be(hdr + HDR_L1_OFFSET);
    if (s->l1_size > QCOW_MAX_L1_SIZE / 8) {
        error_setg(errp, "Active L1 table too large");
        return -EFBIG;
    }
    l1_vm_state_index = size_to_l1(s->cluster_bits, s->size);
    if (l1_vm_state_index > INT_MAX) {
        error_setg(errp, "Image is too big");
        return -EFBIG;
    }
    if (s->l1_size < l1_vm_state_index) {
        error_setg(errp, "L1 table is too small");
        return -EINVAL;
    }
    ret = validate_table(s, s->l1_table_offset, s->l1_size, 8,
                         QCOW_MAX_L1_SIZE, "Active L1 table", errp);
    if (ret < 0) {
        return ret;
    }
    file_len = bdrv_getlength(file->bs);
    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not get the image size");
        return file_len;
    }
    /* Tables must lie inside the file (reads past the end give zeroes,
     * which would hide a truncated image) */
    if (s->refcount_table_offset +
        (uint64_t)s->refcount_table_clusters * s->cluster_size >
        (uint64_t)file_len) {
        error_setg(errp, "Reference count table offset invalid");
        return -EINVAL;
    }
    if (s->l1_size && s->l1_table_offset + (uint64_t)s->l1_size * 8 >
        (uint64_t)file_len) {
        error_setg(errp, "L1 table offset invalid");
        return -EINVAL;
    }

    s->l1_table = g_new0(uint64_t, MAX(s->l1_size, 1));
    if (s->l1_size) {
        ret = file_pread(bs, s->l1_table_offset, s->l1_table,
                         (uint64_t)s->l1_size * 8);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not read L1 table");
            return ret;
        }
        for (uint32_t i = 0; i < s->l1_size; i++) {
            s->l1_table[i] = GUINT64_FROM_BE(s->l1_table[i]);
        }
    }
    s->refcount_table_size =
        (uint64_t)s->refcount_table_clusters << (s->cluster_bits - 3);
    s->refcount_table = g_new0(uint64_t, s->refcount_table_size);
    ret = file_pread(bs, s->refcount_table_offset, s->refcount_table,
                     s->refcount_table_size * 8);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not initialize refcount "
                         "handling");
        return ret;
    }
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        s->refcount_table[i] = GUINT64_FROM_BE(s->refcount_table[i]);
        if (s->refcount_table[i]) {
            s->refcount_table_used = i + 1;
        }
    }

    ret = qcow2_read_extensions(bs, hdr, s->header_length, ext_end, NULL,
                                NULL, errp);
    if (ret < 0) {
        return ret;
    }
    if (backing_off) {
        if (backing_len > MIN(1023, s->cluster_size - backing_off) ||
            backing_len >= 1024) {
            error_setg(errp, "Backing file name too long");
            return -EINVAL;
        }
        s->backing_file = g_strndup((char *)hdr + backing_off, backing_len);
    }

    if (!bopts_take_bool(options, "lazy-refcounts",
                         !!(s->compatible_features &
                            QCOW2_COMPAT_LAZY_REFCOUNTS), &lazy, errp)) {
        return -EINVAL;
    }
    if (lazy && s->version < 3) {
        error_setg(errp, "Lazy refcounts require a qcow2 image with at least "
                   "qemu 1.1 compatibility level");
        return -EINVAL;
    }
    s->use_lazy_refcounts = lazy;
    s->dirty_at_open = !!(s->incompatible_features & QCOW2_INCOMPAT_DIRTY);

    cache_init(&s->l2_cache, s->cluster_size <= 65536 ? 16 : 8,
               QCOW2_OL_ACTIVE_L2, s->cluster_size);
    cache_init(&s->rb_cache, 4, QCOW2_OL_REFCOUNT_BLOCK, s->cluster_size);
    s->cluster_data = g_malloc(s->cluster_size);

    ret = qcow2_open_backing(bs, options, errp);
    if (ret < 0) {
        return ret;
    }

    bs->supported_zero_flags = BDRV_REQ_MAY_UNMAP;
    bs->total_sectors = DIV_ROUND_UP(s->size, BDRV_SECTOR_SIZE);

    /* Autoclear features qomu does not maintain (all of them: bitmaps,
     * raw external data) are cleared by a writer, as the format
     * requires; QEMU then ignores the stale extension. */
    if ((flags & BDRV_O_RDWR) && s->version >= 3 && s->autoclear_features) {
        uint8_t zero[8] = { 0 };

        ret = file_pwrite(bs, 88, zero, 8);
        if (ret == 0) {
            ret = file_flush(bs);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            return ret;
        }
        s->autoclear_features = 0;
    }

    if ((flags & BDRV_O_RDWR) && s->dirty_at_open) {
        Qcow2CheckResult res;

        s->repair_refs = NULL;
        ret = qcow2_check_refcounts(bs, &res, true, true);
        if (ret == 0 && !res.check_errors && !res.corruptions) {
            ret = qcow2_mark_clean(bs);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not repair dirty image");
            return ret;
        }
    }
    return 0;
}

static void qcow2_free_state(BDRVQcow2State *s)
{
    if (s->l2_cache.entries) {
        cache_destroy(&s->l2_cache);
        cache_destroy(&s->rb_cache);
    }
    g_free(s->cluster_data);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    g_free(s->backing_file);
    g_free(s->backing_fmt);
    s->cluster_data = NULL;
    s->l1_table = NULL;
    s->refcount_table = NULL;
    s->backing_file = s->backing_fmt = NULL;
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->l2_cache.entries && !bs->read_only && !s->broken) {
        if (qcow2_write_caches(bs) == 0 && s->use_lazy_refcounts) {
            qcow2_mark_clean(bs);
        }
    }
    qcow2_free_state(s);
}

static int qcow2_open(BlockDriverState *bs, BlockOptions *options, int flags,
                      Error **errp)
{
    int ret = qcow2_do_open(bs, options, flags, errp);

    if (ret < 0) {
        /* the driver cleans up after itself (nothing was written but a
         * repair's own updates) */
        qcow2_free_state(bs->opaque);
    }
    return ret;
}

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->size;
}

static int64_t qcow2_get_allocated_file_size(BlockDriverState *bs)
{
    return bdrv_get_allocated_file_size(bs->file->bs);
}

static void qcow2_refresh_limits(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    bs->bl.request_alignment = 1;
    bs->bl.pdiscard_alignment = s->cluster_size;
}

/* --- create -------------------------------------------------------------- */

bool qcow2_create(const char *filename, const Qcow2CreateOptions *opts,
                  Error **errp)
{
    uint32_t cs = opts->cluster_size ? opts->cluster_size
                                     : QCOW2_DEFAULT_CLUSTER_SIZE;
    int version = opts->version ? opts->version : 3;
    int refcount_bits = opts->refcount_bits ? opts->refcount_bits : 16;
    uint64_t size = ROUND_UP(opts->size, BDRV_SECTOR_SIZE);
    int cluster_bits, refcount_order;
    uint64_t l1_size, l1_clusters, per_rb, t = 1, b = 1, hdr_len, off;
    g_autofree uint8_t *buf = NULL;
    uint64_t total_meta;
    int fd;

    if (cs < QCOW2_MIN_CLUSTER_SIZE || cs > QCOW2_MAX_CLUSTER_SIZE ||
        (cs & (cs - 1))) {
        error_setg(errp, "Cluster size must be a power of two between %d and "
                   "%dk", QCOW2_MIN_CLUSTER_SIZE,
                   QCOW2_MAX_CLUSTER_SIZE / 1024);
        return false;
    }
    if (version != 2 && version != 3) {
        error_setg(errp, "Invalid parameter 'version'");
        return false;
    }
    if (version < 3 && opts->lazy_refcounts) {
        error_setg(errp, "Lazy refcounts only supported with compatibility "
                   "level 1.1 and above (use version=v3 or greater)");
        return false;
    }
    if (refcount_bits <= 0 || refcount_bits > 64 ||
        (refcount_bits & (refcount_bits - 1))) {
        error_setg(errp, "Refcount width must be a power of two and may not "
                   "exceed 64 bits");
        return false;
    }
    if (version < 3 && refcount_bits != 16) {
        error_setg(errp, "Different refcount widths than 16 bits require "
                   "compatibility level 1.1 or above (use version=v3 or "
                   "greater)");
        return false;
    }
    if (opts->backing_fmt && !opts->backing_file) {
        error_setg(errp, "Backing format cannot be used without backing "
                   "file");
        return false;
    }
    cluster_bits = ctz32(cs);
    l1_size = size_to_l1(cluster_bits, size);
    if (l1_size > QCOW_MAX_L1_SIZE / 8) {
        error_setg(errp, "Could not resize image: Active L1 table too large");
        return false;
    }
    l1_clusters = DIV_ROUND_UP(l1_size * 8, cs);
    refcount_order = ctz32(refcount_bits);
    per_rb = (uint64_t)cs * 8 / refcount_bits;
    for (;;) {
        uint64_t nb = DIV_ROUND_UP(1 + t + b + l1_clusters, per_rb);
        uint64_t nt = DIV_ROUND_UP(nb * 8, cs);

        if (nb == b && nt == t) {
            break;
        }
        b = nb;
        t = nt;
    }
    total_meta = 1 + t + b + l1_clusters;
    buf = g_malloc0((1 + t + b) * cs);

    /* header */
    stl_be(buf, QCOW_MAGIC);
    stl_be(buf + 4, version);
    stl_be(buf + 20, cluster_bits);
    stq_be(buf + 24, size);
    stl_be(buf + 36, l1_size);
    stq_be(buf + 40, l1_size ? (1 + t + b) * cs : 0);
    stq_be(buf + 48, cs);
    stl_be(buf + 56, t);
    hdr_len = 72;
    if (version >= 3) {
        stq_be(buf + 80, opts->lazy_refcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS
                                              : 0);
        stl_be(buf + 96, refcount_order);
        stl_be(buf + 100, HEADER_V3_SIZE);
        hdr_len = HEADER_V3_SIZE;
    }
    off = hdr_len;
    if (opts->backing_fmt) {
        size_t len = strlen(opts->backing_fmt);

        if (len >= 16) {
            error_setg(errp, "Backing format name too long");
            return false;
        }
        stl_be(buf + off, QCOW2_EXT_MAGIC_BACKING_FORMAT);
        stl_be(buf + off + 4, len);
        memcpy(buf + off + 8, opts->backing_fmt, len);
        off += 8 + ROUND_UP(len, 8);
    }
    if (version >= 3) {
        static const struct { uint8_t type, bit; const char *name; } ft[] = {
            { 0, 0, "dirty bit" }, { 0, 1, "corrupt bit" },
            { 0, 2, "external data file" }, { 0, 3, "compression type" },
            { 0, 4, "extended L2 entries" }, { 1, 0, "lazy refcounts" },
            { 2, 0, "bitmaps" }, { 2, 1, "raw external data" },
        };

        if (cs <= 4096) {
            /* QEMU 7.2 writes no feature table with small clusters, to
             * leave room for the rest of the header */
        } else {
            stl_be(buf + off, QCOW2_EXT_MAGIC_FEATURE_TABLE);
            stl_be(buf + off + 4, 48 * G_N_ELEMENTS(ft));
            off += 8;
            for (size_t i = 0; i < G_N_ELEMENTS(ft); i++) {
                buf[off] = ft[i].type;
                buf[off + 1] = ft[i].bit;
                strncpy((char *)buf + off + 2, ft[i].name, 46);
                off += 48;
            }
        }
    }
    off += 8;   /* end of extensions */
    if (opts->backing_file) {
        size_t len = strlen(opts->backing_file);

        if (len > 1023 || off + len > cs) {
            error_setg(errp, "Backing file name too long");
            return false;
        }
        memcpy(buf + off, opts->backing_file, len);
        stq_be(buf + 8, off);
        stl_be(buf + 16, len);
    }
    /* refcount table and blocks */
    for (uint64_t i = 0; i < b; i++) {
        stq_be(buf + cs + 8 * i, (1 + t + i) * cs);
    }
    for (uint64_t c = 0; c < total_meta; c++) {
        set_refcount_funcs[refcount_order](buf + (1 + t) * cs, c, 1);
    }

    fd = file_posix_create(filename, 0, errp);
    if (fd < 0) {
        return false;
    }
    if (pwrite(fd, buf, (1 + t + b) * cs, 0) != (ssize_t)((1 + t + b) * cs) ||
        (l1_size && ftruncate(fd, (1 + t + b) * cs + l1_size * 8) < 0)) {
        error_setg_errno(errp, errno ? errno : EIO, "Could not write qcow2 "
                         "header");
        close(fd);
        return false;
    }
    close(fd);
    return true;
}

static BlockDriver bdrv_qcow2 = {
    .format_name = QCOW2_FORMAT_NAME,
    .instance_size = sizeof(BDRVQcow2State),
    .bdrv_probe = qcow2_probe,
    .bdrv_open = qcow2_open,
    .bdrv_close = qcow2_close,
    .bdrv_getlength = qcow2_getlength,
    .bdrv_get_allocated_file_size = qcow2_get_allocated_file_size,
    .bdrv_refresh_limits = qcow2_refresh_limits,
    .bdrv_preadv = qcow2_preadv,
    .bdrv_pwritev = qcow2_pwritev,
    .bdrv_flush_to_disk = qcow2_flush_to_disk,
    .bdrv_pdiscard = qcow2_pdiscard,
    .bdrv_pwrite_zeroes = qcow2_pwrite_zeroes,
};

static void bdrv_qcow2_init(void)
{
    bdrv_register(&bdrv_qcow2);
}

block_init(bdrv_qcow2_init)
