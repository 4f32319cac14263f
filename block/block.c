/*
 * block.c - the node graph: drivers, options, opening and closing nodes
 * (QEMU 7.2's block.c, reduced).  Requests are in block/io.c.
 * See include/block/block.h and include/block/block-int.h.
 *
 * Opening "-drive file=x.img,format=raw" (QEMU's bdrv_open_inherit):
 *  1. the protocol child is opened first, from "file.*" options or the
 *     filename (file-posix, or host_device for a /dev block device);
 *  2. without "driver" the format is probed from the child's first bytes;
 *  3. the node's own options (node-name, read-only, cache.*, discard,
 *     detect-zeroes) are parsed and the driver opens the node;
 *  4. options nobody took are an error;
 *  5. with snapshot=on, a temporary overlay goes on top: a qcow2 image
 *     (QEMU's bdrv_append_temp_snapshot), or temp-overlay.c in a build
 *     without qcow2.
 *
 * Permissions (QEMU's BLK_PERM_*, reduced): every link to a node (a
 * BdrvChild, a BlockBackend's root) says what its user takes and shares;
 * bdrv_refresh_perms() passes the union down the graph and lets the
 * drivers check it - file-posix turns it into QEMU's image locks.
 *
 * Not modelled: reopen, backing files named in images, bdrv_refresh_filename's
 * json:{} for anything but the overlay, node replacement and jobs.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "util/id.h"
#include "block/block-int.h"
#include "block/block-backend.h"
#include "block/qcow2.h"

/* qcow2 may not be built (Kconfig): then snapshot=on uses temp-overlay */
#pragma weak qcow2_create

/* --- options ------------------------------------------------------------- */

typedef struct BlockOption {
    char *key;
    char *value;
} BlockOption;

struct BlockOptions {
    GPtrArray *items;               /* BlockOption *, in order */
};

static void block_option_free(gpointer p)
{
    BlockOption *opt = p;

    g_free(opt->key);
    g_free(opt->value);
    g_free(opt);
}

BlockOptions *bopts_new(void)
{
    BlockOptions *o = g_new0(BlockOptions, 1);

    o->items = g_ptr_array_new_with_free_func(block_option_free);
    return o;
}

void bopts_free(BlockOptions *o)
{
    if (o) {
        g_ptr_array_unref(o->items);
        g_free(o);
    }
}

BlockOptions *bopts_clone(const BlockOptions *o)
{
    BlockOptions *c = bopts_new();

    for (guint i = 0; i < o->items->len; i++) {
        BlockOption *opt = o->items->pdata[i];

        bopts_set(c, opt->key, opt->value);
    }
    return c;
}

static int bopts_find(const BlockOptions *o, const char *key)
{
    for (guint i = 0; i < o->items->len; i++) {
        if (!strcmp(((BlockOption *)o->items->pdata[i])->key, key)) {
            return i;
        }
    }
    return -1;
}

void bopts_set(BlockOptions *o, const char *key, const char *value)
{
    int i = bopts_find(o, key);
    BlockOption *opt;

    if (i >= 0) {
        opt = o->items->pdata[i];
        g_free(opt->value);
        opt->value = g_strdup(value);
        return;
    }
    opt = g_new(BlockOption, 1);
    opt->key = g_strdup(key);
    opt->value = g_strdup(value);
    g_ptr_array_add(o->items, opt);
}

void bopts_set_default(BlockOptions *o, const char *key, const char *value)
{
    if (!bopts_has(o, key)) {
        bopts_set(o, key, value);
    }
}

const char *bopts_get(const BlockOptions *o, const char *key)
{
    int i = bopts_find(o, key);

    return i >= 0 ? ((BlockOption *)o->items->pdata[i])->value : NULL;
}

bool bopts_has(const BlockOptions *o, const char *key)
{
    return bopts_find(o, key) >= 0;
}

char *bopts_take(BlockOptions *o, const char *key)
{
    int i = bopts_find(o, key);
    BlockOption *opt;
    char *value;

    if (i < 0) {
        return NULL;
    }
    opt = o->items->pdata[i];
    value = g_steal_pointer(&opt->value);
    g_ptr_array_remove_index(o->items, i);
    return value;
}

BlockOptions *bopts_extract_prefix(BlockOptions *o, const char *prefix)
{
    BlockOptions *sub = bopts_new();
    size_t len = strlen(prefix);

    for (guint i = 0; i < o->items->len;) {
        BlockOption *opt = o->items->pdata[i];

        if (g_str_has_prefix(opt->key, prefix)) {
            bopts_set(sub, opt->key + len, opt->value);
            g_ptr_array_remove_index(o->items, i);
        } else {
            i++;
        }
    }
    return sub;
}

bool bopts_has_prefix(const BlockOptions *o, const char *prefix)
{
    for (guint i = 0; i < o->items->len; i++) {
        if (g_str_has_prefix(((BlockOption *)o->items->pdata[i])->key,
                             prefix)) {
            return true;
        }
    }
    return false;
}

unsigned bopts_size(const BlockOptions *o)
{
    return o->items->len;
}

const char *bopts_first_key(const BlockOptions *o)
{
    return o->items->len ? ((BlockOption *)o->items->pdata[0])->key : NULL;
}

bool bopts_take_bool(BlockOptions *o, const char *key, bool defval,
                     bool *out, Error **errp)
{
    g_autofree char *value = bopts_take(o, key);

    *out = defval;
    return !value || qapi_bool_parse(key, value, out, errp);
}

bool bopts_take_enum(BlockOptions *o, const char *key,
                     const char *const *names, int defval, int *out,
                     Error **errp)
{
    g_autofree char *value = bopts_take(o, key);

    *out = defval;
    if (!value) {
        return true;
    }
    for (int i = 0; names[i]; i++) {
        if (!strcmp(names[i], value)) {
            *out = i;
            return true;
        }
    }
    /* QEMU 7.2's qapi_enum_parse() message */
    error_setg(errp, "invalid parameter value: %s", value);
    return false;
}

/* --- mode strings -------------------------------------------------------- */

int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough)
{
    *flags &= ~BDRV_O_CACHE_MASK;
    if (!strcmp(mode, "off") || !strcmp(mode, "none")) {
        *writethrough = false;
        *flags |= BDRV_O_NOCACHE;
    } else if (!strcmp(mode, "directsync")) {
        *writethrough = true;
        *flags |= BDRV_O_NOCACHE;
    } else if (!strcmp(mode, "writeback")) {
        *writethrough = false;
    } else if (!strcmp(mode, "unsafe")) {
        *writethrough = false;
        *flags |= BDRV_O_NO_FLUSH;
    } else if (!strcmp(mode, "writethrough")) {
        *writethrough = true;
    } else {
        return -1;
    }
    return 0;
}

int bdrv_parse_discard_flags(const char *mode, int *flags)
{
    *flags &= ~BDRV_O_UNMAP;
    if (!strcmp(mode, "off") || !strcmp(mode, "ignore")) {
        /* nothing */
    } else if (!strcmp(mode, "on") || !strcmp(mode, "unmap")) {
        *flags |= BDRV_O_UNMAP;
    } else {
        return -1;
    }
    return 0;
}

int bdrv_parse_aio(const char *mode, int *flags)
{
    *flags &= ~(BDRV_O_NATIVE_AIO | BDRV_O_IO_URING);
    if (!strcmp(mode, "native")) {
        *flags |= BDRV_O_NATIVE_AIO;
    } else if (!strcmp(mode, "io_uring")) {
        *flags |= BDRV_O_IO_URING;
    } else if (strcmp(mode, "threads")) {
        return -1;
    }
    return 0;
}

static const char *const detect_zeroes_names[] = { "off", "on", "unmap",
                                                   NULL };

const char *detect_zeroes_name(BlockdevDetectZeroesOptions value)
{
    return detect_zeroes_names[value];
}

/* --- drivers ------------------------------------------------------------- */

static GPtrArray *block_drivers;    /* BlockDriver *, registration order */

void bdrv_register(BlockDriver *drv)
{
    if (!block_drivers) {
        block_drivers = g_ptr_array_new();
    }
    g_ptr_array_add(block_drivers, drv);
}

BlockDriver *bdrv_find_format(const char *format_name)
{
    for (guint i = 0; block_drivers && i < block_drivers->len; i++) {
        BlockDriver *drv = block_drivers->pdata[i];

        if (!strcmp(drv->format_name, format_name)) {
            return drv;
        }
    }
    return NULL;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void bdrv_iterate_format(void (*fn)(void *opaque, const char *name),
                         void *opaque)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    for (guint i = 0; block_drivers && i < block_drivers->len; i++) {
        g_ptr_array_add(names, (char *)((BlockDriver *)
                                        block_drivers->pdata[i])->format_name);
    }
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        fn(opaque, names->pdata[i]);
    }
}

/* "nbd:host" -> "nbd"; "./a:b" and "a" have none (QEMU's
 * path_has_protocol: a ':' before any '/'). */
static char *filename_protocol(const char *filename)
{
    const char *colon = strchr(filename, ':');
    const char *slash = strchr(filename, '/');

    if (!colon || (slash && slash < colon)) {
        return NULL;
    }
    return g_strndup(filename, colon - filename);
}

/* QEMU's bdrv_find_protocol(): a device driver that claims the name,
 * else "proto:" prefixes, else "file". */
static BlockDriver *bdrv_find_protocol(const char *filename, Error **errp)
{
    g_autofree char *protocol = filename_protocol(filename);
    int best = 0;
    BlockDriver *found = NULL;

    for (guint i = 0; i < block_drivers->len; i++) {
        BlockDriver *drv = block_drivers->pdata[i];
        int score;

        if (drv->bdrv_probe_device &&
            (score = drv->bdrv_probe_device(filename)) > best) {
            best = score;
            found = drv;
        }
    }
    if (found) {
        return found;
    }
    if (!protocol) {
        return bdrv_find_format("file");
    }
    found = bdrv_find_format(protocol);
    if (!found || !found->protocol) {
        error_setg(errp, "Unknown protocol '%s'", protocol);
        return NULL;
    }
    return found;
}

/* --- nodes: life --------------------------------------------------------- */

static GList *all_bdrv_states;      /* BlockDriverState *, creation order */
static unsigned live_nodes;
static uint64_t node_name_counter;

unsigned bdrv_live_count(void)
{
    return live_nodes;
}

static BlockDriverState *bdrv_new(void)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);

    bs->refcnt = 1;
    /* The main context lives for good and is not counted. */
    bs->aio_context = qemu_get_aio_context();
    g_queue_init(&bs->tracked_requests);
    g_queue_init(&bs->flush_queue);
    bs->bl.request_alignment = 1;
    bs->bl.min_mem_alignment = 1;
    bs->bl.opt_mem_alignment = 1;
    live_nodes++;
    return bs;
}

void bdrv_ref(BlockDriverState *bs)
{
    bs->refcnt++;
}

static void bdrv_child_free(BdrvChild *child)
{
    BlockDriverState *bs = child->bs;
    bool survives = bs->refcnt > 1;

    bs->parents = g_list_remove(bs->parents, child);
    g_free(child->name);
    g_free(child);
    bdrv_unref(bs);
    if (survives) {
        /* Fewer users: only loosens, cannot conflict */
        bdrv_refresh_perms(bs, NULL);
    }
}

static void bdrv_close(BlockDriverState *bs)
{
    if (bs->drv) {
        bdrv_drain(bs);
        /* QEMU's bdrv_close(): what the guest wrote and did not flush
         * still reaches the disk on an orderly close (not with
         * cache.no-flush).  QEMU ignores a failure here; data may be
         * lost, so say so - once, from the node that holds the storage
         * (a format's flush fails through its file's, which closes
         * next). */
        if (!bs->read_only) {
            int ret = bdrv_flush(bs);

            if (ret < 0 && !bs->children) {
                error_report("Failed to flush the node '%s' on close: %s",
                             bs->node_name, strerror(-ret));
            }
        }
        if (bs->drv->bdrv_close) {
            bs->drv->bdrv_close(bs);
        }
        bs->drv = NULL;
    }
    /* Children after the parent: its close may still use them. */
    while (bs->children) {
        BdrvChild *child = bs->children->data;

        bs->children = g_list_delete_link(bs->children, bs->children);
        bdrv_child_free(child);
    }
    bs->file = bs->backing = NULL;
}

void bdrv_unref(BlockDriverState *bs)
{
    if (!bs) {
        return;
    }
    assert(bs->refcnt > 0);
    if (--bs->refcnt > 0) {
        return;
    }
    bdrv_close(bs);
    all_bdrv_states = g_list_remove(all_bdrv_states, bs);
    g_free(bs->opaque);
    g_free(bs->filename);
    if (bs->aio_context != qemu_get_aio_context()) {
        aio_context_unref(bs->aio_context);
    }
    g_free(bs);
    live_nodes--;
}

/* --- names --------------------------------------------------------------- */

BlockDriverState *bdrv_find_node(const char *name)
{
    for (GList *l = all_bdrv_states; l; l = l->next) {
        BlockDriverState *bs = l->data;

        if (!strcmp(bs->node_name, name)) {
            return bs;
        }
    }
    return NULL;
}

GList *bdrv_named_nodes(void)
{
    GList *list = NULL;

    for (GList *l = all_bdrv_states; l; l = l->next) {
        BlockDriverState *bs = l->data;

        if (bs->node_name[0]) {
            list = g_list_append(list, bs);
        }
    }
    return list;
}

/* QEMU's bdrv_assign_node_name(): the user's name, checked, or
 * "#block" + counter + two random digits (QEMU's gen_id()). */
static bool bdrv_assign_node_name(BlockDriverState *bs, const char *name,
                                  Error **errp)
{
    g_autofree char *gen = NULL;

    if (!name) {
        gen = g_strdup_printf("#block%" PRIu64 "%02d", node_name_counter++,
                              g_random_int_range(0, 100));
        name = gen;
        bs->implicit_name = true;
    } else {
        if (!id_wellformed(name)) {
            error_setg(errp, "Invalid node-name: '%s'", name);
            return false;
        }
        if (blk_by_name(name)) {
            error_setg(errp, "node-name=%s is conflicting with a device id",
                       name);
            return false;
        }
        if (bdrv_find_node(name)) {
            error_setg(errp, "Duplicate nodes with node-name='%s'", name);
            return false;
        }
        if (strlen(name) >= sizeof(bs->node_name)) {
            error_setg(errp, "Node name too long");
            return false;
        }
    }
    g_strlcpy(bs->node_name, name, sizeof(bs->node_name));
    return true;
}

/* --- accessors ----------------------------------------------------------- */

const char *bdrv_get_node_name(const BlockDriverState *bs)
{
    return bs->node_name;
}

const char *bdrv_get_filename(const BlockDriverState *bs)
{
    return bs->filename ? bs->filename : "";
}

const char *bdrv_get_format_name(const BlockDriverState *bs)
{
    return bs->drv ? bs->drv->format_name : NULL;
}

int64_t bdrv_getlength(BlockDriverState *bs)
{
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    return bs->total_sectors * BDRV_SECTOR_SIZE;
}

int64_t bdrv_get_allocated_file_size(BlockDriverState *bs)
{
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (bs->drv->bdrv_get_allocated_file_size) {
        return bs->drv->bdrv_get_allocated_file_size(bs);
    }
    /* A format's size is its file's, as QEMU counts it. */
    return bs->file ? bdrv_get_allocated_file_size(bs->file->bs) : -ENOTSUP;
}

bool bdrv_is_read_only(const BlockDriverState *bs)
{
    return bs->read_only;
}

int bdrv_get_flags(const BlockDriverState *bs)
{
    return bs->open_flags;
}

BlockdevDetectZeroesOptions bdrv_get_detect_zeroes(const BlockDriverState
                                                   *bs)
{
    return bs->detect_zeroes;
}

void bdrv_set_detect_zeroes(BlockDriverState *bs,
                            BlockdevDetectZeroesOptions value)
{
    bs->detect_zeroes = value;
}

BlockDriverState *bdrv_file_bs(const BlockDriverState *bs)
{
    return bs->file ? bs->file->bs : NULL;
}

BlockDriverState *bdrv_backing_bs(const BlockDriverState *bs)
{
    return bs->backing ? bs->backing->bs : NULL;
}

uint32_t bdrv_get_request_alignment(const BlockDriverState *bs)
{
    return bs->bl.request_alignment;
}

size_t bdrv_opt_mem_align(const BlockDriverState *bs)
{
    return MAX(bs->bl.opt_mem_alignment, 1);
}

AioContext *bdrv_get_aio_context(const BlockDriverState *bs)
{
    return bs->aio_context;
}

void bdrv_set_aio_context(BlockDriverState *bs, AioContext *ctx)
{
    assert(bs->in_flight == 0);
    for (GList *l = bs->children; l; l = l->next) {
        bdrv_set_aio_context(((BdrvChild *)l->data)->bs, ctx);
    }
    if (bs->aio_context == ctx) {
        return;
    }
    /* The main context is not counted (it lives for good). */
    if (ctx != qemu_get_aio_context()) {
        aio_context_ref(ctx);
    }
    if (bs->aio_context != qemu_get_aio_context()) {
        aio_context_unref(bs->aio_context);
    }
    bs->aio_context = ctx;
}

/* --- memory -------------------------------------------------------------- */

void *qemu_memalign(size_t alignment, size_t size)
{
    void *ptr;

    alignment = MAX(alignment, sizeof(void *));
    if (posix_memalign(&ptr, alignment, MAX(size, 1))) {
        g_error("qemu_memalign: cannot allocate %zu bytes", size);
    }
    return ptr;
}

void qemu_vfree(void *ptr)
{
    free(ptr);
}

void *qemu_blockalign(BlockDriverState *bs, size_t size)
{
    return qemu_memalign(bdrv_opt_mem_align(bs), size);
}

void *qemu_blockalign0(BlockDriverState *bs, size_t size)
{
    return memset(qemu_blockalign(bs, size), 0, size);
}

/* --- limits -------------------------------------------------------------- */

static void bdrv_refresh_limits(BlockDriverState *bs)
{
    BlockLimits bl = {
        .request_alignment = 1,
        .min_mem_alignment = 1,
        .opt_mem_alignment = 1,
        .max_iov = IOV_MAX,
    };

    /* Memory alignment is the strictest of the children's: a buffer
     * passes through unchanged.  Request alignment is not inherited: the
     * child pads what it gets (QEMU's bdrv_merge_limits); max_transfer
     * and max_iov are the smallest non-zero ones. */
    for (GList *l = bs->children; l; l = l->next) {
        BlockDriverState *c = ((BdrvChild *)l->data)->bs;

        bl.min_mem_alignment = MAX(bl.min_mem_alignment,
                                   c->bl.min_mem_alignment);
        bl.opt_mem_alignment = MAX(bl.opt_mem_alignment,
                                   c->bl.opt_mem_alignment);
        if (c->bl.max_transfer &&
            (!bl.max_transfer || c->bl.max_transfer < bl.max_transfer)) {
            bl.max_transfer = c->bl.max_transfer;
        }
        if (c->bl.max_iov && c->bl.max_iov < bl.max_iov) {
            bl.max_iov = c->bl.max_iov;
        }
    }
    bs->bl = bl;
    if (bs->drv->bdrv_refresh_limits) {
        bs->drv->bdrv_refresh_limits(bs);
    }
    assert(bs->bl.request_alignment &&
           !(bs->bl.request_alignment & (bs->bl.request_alignment - 1)));
}

int bdrv_refresh_total_sectors(BlockDriverState *bs)
{
    int64_t len;

    if (!bs->drv->bdrv_getlength) {
        return 0;
    }
    len = bs->drv->bdrv_getlength(bs);
    if (len < 0) {
        return len;
    }
    bs->total_sectors = DIV_ROUND_UP(len, BDRV_SECTOR_SIZE);
    return 0;
}

/* --- permissions --------------------------------------------------------- */

char *bdrv_perm_names(uint64_t perm)
{
    static const struct {
        uint64_t perm;
        const char *name;
    } permissions[] = {
        { BLK_PERM_CONSISTENT_READ, "consistent read" },
        { BLK_PERM_WRITE, "write" },
        { BLK_PERM_WRITE_UNCHANGED, "write unchanged" },
        { BLK_PERM_RESIZE, "resize" },
    };
    GString *result = g_string_sized_new(30);

    for (size_t i = 0; i < G_N_ELEMENTS(permissions); i++) {
        if (perm & permissions[i].perm) {
            if (result->len > 0) {
                g_string_append(result, ", ");
            }
            g_string_append(result, permissions[i].name);
        }
    }
    return g_string_free(result, FALSE);
}

void bdrv_get_cumulative_perm(BlockDriverState *bs, uint64_t *perm,
                              uint64_t *shared)
{
    *perm = 0;
    *shared = BLK_PERM_ALL;
    for (GList *l = bs->parents; l; l = l->next) {
        BdrvChild *c = l->data;

        *perm |= c->perm;
        *shared &= c->shared_perm;
    }
}

void bdrv_filter_default_perms(BlockDriverState *bs, BdrvChild *c,
                               uint64_t perm, uint64_t shared,
                               uint64_t *nperm, uint64_t *nshared)
{
    *nperm = perm & BLK_PERM_ALL;
    *nshared = shared & BLK_PERM_ALL;
}

void bdrv_default_perms(BlockDriverState *bs, BdrvChild *c,
                        uint64_t perm, uint64_t shared,
                        uint64_t *nperm, uint64_t *nshared)
{
    if (!strcmp(c->name, "backing")) {
        /* QEMU's bdrv_default_perms_for_cow: only reads go there */
        perm &= BLK_PERM_CONSISTENT_READ;
        shared = (shared & BLK_PERM_WRITE)
                 ? BLK_PERM_WRITE | BLK_PERM_RESIZE : 0;
        shared |= BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
    } else {
        /* bdrv_default_perms_for_storage, metadata + data (qcow2's file):
         * the format writes metadata whenever it is writable, and nobody
         * else may write or resize under it */
        if (!bs->read_only) {
            perm |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
        }
        perm |= BLK_PERM_CONSISTENT_READ;
        shared &= ~(BLK_PERM_WRITE | BLK_PERM_RESIZE);
        if (perm & BLK_PERM_WRITE_UNCHANGED) {
            perm |= BLK_PERM_WRITE;
        }
        if (perm & BLK_PERM_WRITE) {
            perm |= BLK_PERM_RESIZE;
        }
    }
    *nperm = perm & BLK_PERM_ALL;
    *nshared = shared & BLK_PERM_ALL;
}

/* QEMU's bdrv_child_perm(): the driver's mapping, then force-share */
static void bdrv_child_perm(BlockDriverState *bs, BdrvChild *c,
                            uint64_t perm, uint64_t shared,
                            uint64_t *nperm, uint64_t *nshared)
{
    if (bs->drv->bdrv_child_perm) {
        bs->drv->bdrv_child_perm(bs, c, perm, shared, nperm, nshared);
    } else {
        bdrv_default_perms(bs, c, perm, shared, nperm, nshared);
    }
    if (c->bs->force_share) {
        *nshared = BLK_PERM_ALL;
    }
}

/* One permission update: the nodes whose driver prepared it, the links
 * whose perms changed (old values saved in them). */
typedef struct BdrvPermTxn {
    GSList *checked;
    GSList *children;
} BdrvPermTxn;

static int bdrv_node_check_perm(BlockDriverState *bs, BdrvPermTxn *t,
                                Error **errp)
{
    uint64_t perm, shared;

    if (!bs->drv) {
        return 0;                   /* closing */
    }
    bdrv_get_cumulative_perm(bs, &perm, &shared);
    if (bs->drv->bdrv_check_perm && !g_slist_find(t->checked, bs)) {
        int ret = bs->drv->bdrv_check_perm(bs, perm, shared, errp);

        if (ret < 0) {
            return ret;
        }
        t->checked = g_slist_prepend(t->checked, bs);
    }
    for (GList *l = bs->children; l; l = l->next) {
        BdrvChild *c = l->data;
        int ret;

        if (!g_slist_find(t->children, c)) {
            c->old_perm = c->perm;
            c->old_shared = c->shared_perm;
            t->children = g_slist_prepend(t->children, c);
        }
        bdrv_child_perm(bs, c, perm, shared, &c->perm, &c->shared_perm);
        ret = bdrv_node_check_perm(c->bs, t, errp);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static void bdrv_perm_txn_end(BdrvPermTxn *t, bool commit)
{
    if (!commit) {
        for (GSList *l = t->children; l; l = l->next) {
            BdrvChild *c = l->data;

            c->perm = c->old_perm;
            c->shared_perm = c->old_shared;
        }
    }
    for (GSList *l = t->checked; l; l = l->next) {
        BlockDriverState *bs = l->data;

        if (commit) {
            uint64_t perm, shared;

            bdrv_get_cumulative_perm(bs, &perm, &shared);
            if (bs->drv->bdrv_set_perm) {
                bs->drv->bdrv_set_perm(bs, perm, shared);
            }
        } else if (bs->drv->bdrv_abort_perm_update) {
            bs->drv->bdrv_abort_perm_update(bs);
        }
    }
    g_slist_free(t->checked);
    g_slist_free(t->children);
}

int bdrv_refresh_perms(BlockDriverState *bs, Error **errp)
{
    BdrvPermTxn t = { 0 };
    int ret = bdrv_node_check_perm(bs, &t, errp);

    bdrv_perm_txn_end(&t, ret == 0);
    return ret;
}

int bdrv_child_try_set_perm(BdrvChild *c, uint64_t perm, uint64_t shared,
                            Error **errp)
{
    uint64_t old_perm = c->perm, old_shared = c->shared_perm;
    int ret;

    c->perm = perm;
    c->shared_perm = shared;
    ret = bdrv_refresh_perms(c->bs, errp);
    if (ret < 0) {
        c->perm = old_perm;
        c->shared_perm = old_shared;
    }
    return ret;
}

BdrvChild *bdrv_root_attach_child(BlockDriverState *bs, uint64_t perm,
                                  uint64_t shared, Error **errp)
{
    BdrvChild *child = g_new0(BdrvChild, 1);

    child->name = g_strdup("root");
    child->bs = bs;
    child->perm = perm;
    child->shared_perm = shared;
    bs->parents = g_list_append(bs->parents, child);
    if (bdrv_refresh_perms(bs, errp) < 0) {
        bs->parents = g_list_remove(bs->parents, child);
        g_free(child->name);
        g_free(child);
        return NULL;
    }
    return child;
}

void bdrv_root_detach_child(BdrvChild *child)
{
    BlockDriverState *bs = child->bs;

    bs->parents = g_list_remove(bs->parents, child);
    g_free(child->name);
    g_free(child);
    bdrv_refresh_perms(bs, NULL);
}

/* --- children ------------------------------------------------------------ */

BdrvChild *bdrv_attach_child(BlockDriverState *parent,
                             BlockDriverState *child_bs, const char *name)
{
    BdrvChild *child = g_new0(BdrvChild, 1);

    child->name = g_strdup(name);
    child->bs = child_bs;
    child->parent = parent;
    /* Takes nothing until the parent's perms are refreshed (QEMU takes
     * them here; the callers refresh once the link is complete) */
    child->shared_perm = BLK_PERM_ALL;
    parent->children = g_list_append(parent->children, child);
    child_bs->parents = g_list_append(child_bs->parents, child);
    if (!strcmp(name, "file")) {
        parent->file = child;
    } else if (!strcmp(name, "backing")) {
        parent->backing = child;
    }
    bdrv_set_aio_context(child_bs, parent->aio_context);
    return child;
}

/*
 * The flags a child gets from its parent (QEMU's bdrv_inherited_options
 * for a child of a format): cache and read-only settings and the AIO
 * engine carry over; discards are passed on (the top node filters them);
 * a "file" child is a protocol.
 */
static int bdrv_child_flags(int parent_flags, const char *name)
{
    int flags = parent_flags & (BDRV_O_RDWR | BDRV_O_NOCACHE |
                                BDRV_O_NO_FLUSH | BDRV_O_AUTO_RDONLY |
                                BDRV_O_NATIVE_AIO | BDRV_O_IO_URING);

    flags |= BDRV_O_UNMAP;
    /* Not format-probed (QEMU's bdrv_inherited_options): a "file"
     * child, and the children of a protocol node other than backing
     * files (blkdebug's "image": a filter passes the protocol on). */
    if (!strcmp(name, "file") ||
        ((parent_flags & BDRV_O_PROTOCOL) && strcmp(name, "backing"))) {
        flags |= BDRV_O_PROTOCOL;
    }
    return flags;
}

static BlockDriverState *bdrv_open_inherit(const char *filename,
                                           BlockOptions *options,
                                           int flags,
                                           BlockDriverState *parent,
                                           Error **errp);

/* Open (not attach) child @name of @parent; NULL without error if there
 * is nothing to open and @allow_none. */
static BlockDriverState *bdrv_open_child_bs(const char *filename,
                                            BlockOptions *options,
                                            const char *name,
                                            BlockDriverState *parent,
                                            bool allow_none, Error **errp)
{
    g_autofree char *prefix = g_strdup_printf("%s.", name);
    BlockOptions *child_opts = bopts_extract_prefix(options, prefix);
    const char *force_share = bopts_get(options, "force-share");

    /* force-share is inherited (QEMU's bdrv_inherited_options); before
     * the parent's own options are parsed it is still in @options */
    if (force_share || parent->force_share) {
        bopts_set_default(child_opts, "force-share",
                          force_share ? force_share : "on");
    }

    if (!filename && bopts_size(child_opts) == 0) {
        bopts_free(child_opts);
        if (!allow_none) {
            error_setg(errp, "A block device must be specified for \"%s\"",
                       name);
        }
        return NULL;
    }
    return bdrv_open_inherit(filename, child_opts,
                             bdrv_child_flags(parent->open_flags, name),
                             parent, errp);
}

BdrvChild *bdrv_open_child(const char *filename, BlockOptions *options,
                           const char *name, BlockDriverState *parent,
                           bool allow_none, Error **errp)
{
    BlockDriverState *bs;

    if (!strcmp(name, "file") && parent->probe_file) {
        bs = g_steal_pointer(&parent->probe_file);
    } else {
        bs = bdrv_open_child_bs(filename, options, name, parent, allow_none,
                                errp);
    }
    return bs ? bdrv_attach_child(parent, bs, name) : NULL;
}



/* --- probing ------------------------------------------------------------- */

/*
 * Formats qomu has no driver for, recognised by their magic so that a
 * format-less open does not hand the guest (and its writes) a qcow2 file
 * as a raw disk; the raw driver also refuses to let a guest write these
 * into block 0 of a probed image (QEMU's probing protection).
 */
typedef struct FormatMagic {
    const char *name;
    int offset;
    const char *magic;
    int len;
} FormatMagic;

static const FormatMagic format_magics[] = {
    { "qcow2", 0, "QFI\xfb\0\0\0\x02", 8 },
    { "qcow2", 0, "QFI\xfb\0\0\0\x03", 8 },
    { "qcow", 0, "QFI\xfb\0\0\0\x01", 8 },
    { "vmdk", 0, "KDMV", 4 },
    { "vmdk", 0, "COWD", 4 },
    { "vmdk", 0, "# Disk DescriptorFile", 21 },
    { "vdi", 64, "\x7f\x10\xda\xbe", 4 },
    { "vhdx", 0, "vhdxfile", 8 },
    { "vpc", 0, "conectix", 8 },
    { "qed", 0, "QED\0", 4 },
    { "luks", 0, "LUKS\xba\xbe", 6 },
    { "parallels", 0, "WithoutFreeSpace", 16 },
    { "parallels", 0, "WithouFreSpacExt", 16 },
    { "bochs", 0, "Bochs Virtual HD Image", 22 },
};

const char *bdrv_probe_unsupported(const uint8_t *buf, int buf_size)
{
    for (size_t i = 0; i < G_N_ELEMENTS(format_magics); i++) {
        const FormatMagic *m = &format_magics[i];

        if (m->offset + m->len <= buf_size &&
            !memcmp(buf + m->offset, m->magic, m->len)) {
            return m->name;
        }
    }
    return NULL;
}

BlockDriver *bdrv_probe_format(BlockDriverState *file_bs,
                               const char **unsupported, Error **errp)
{
    uint8_t buf[2048] = { 0 };
    int64_t len = bdrv_getlength(file_bs);
    BlockDriver *best = bdrv_find_format("raw");
    int best_score = 0;
    int ret;

    *unsupported = NULL;
    /* QEMU's find_image_format(): an empty image is raw. */
    if (len <= 0) {
        return best;
    }
    ret = bdrv_pread(file_bs, 0, MIN(len, (int64_t)sizeof(buf)), buf, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read image for determining "
                         "its format");
        return NULL;
    }
    *unsupported = bdrv_probe_unsupported(buf, sizeof(buf));
    for (guint i = 0; i < block_drivers->len; i++) {
        BlockDriver *drv = block_drivers->pdata[i];
        int score;

        if (drv->bdrv_probe &&
            (score = drv->bdrv_probe(buf, sizeof(buf), file_bs->filename)) >
            best_score) {
            best_score = score;
            best = drv;
        }
    }
    /* A format this build has a driver for (qcow2) is not "unsupported" */
    if (*unsupported && !strcmp(best->format_name, *unsupported)) {
        *unsupported = NULL;
    }
    return best;
}

/* --- opening ------------------------------------------------------------- */

/* The options every node takes (QEMU's bdrv_runtime_opts), into
 * bs->open_flags etc.  *@node_name: g_free. */
static bool bdrv_take_common_options(BlockDriverState *bs,
                                     BlockOptions *options,
                                     char **node_name, Error **errp)
{
    g_autofree char *discard = NULL;
    bool direct, no_flush, read_only, auto_ro, force_share;
    int dz;

    if (!bopts_take_bool(options, BDRV_OPT_CACHE_DIRECT,
                         bs->open_flags & BDRV_O_NOCACHE, &direct, errp) ||
        !bopts_take_bool(options, BDRV_OPT_CACHE_NO_FLUSH,
                         bs->open_flags & BDRV_O_NO_FLUSH, &no_flush,
                         errp) ||
        !bopts_take_bool(options, BDRV_OPT_READ_ONLY,
                         !(bs->open_flags & BDRV_O_RDWR), &read_only,
                         errp) ||
        !bopts_take_bool(options, BDRV_OPT_AUTO_READ_ONLY,
                         bs->open_flags & BDRV_O_AUTO_RDONLY, &auto_ro,
                         errp) ||
        !bopts_take_bool(options, "force-share", false, &force_share,
                         errp)) {
        return false;
    }
    bs->open_flags &= ~(BDRV_O_NOCACHE | BDRV_O_NO_FLUSH | BDRV_O_RDWR |
                        BDRV_O_AUTO_RDONLY);
    bs->open_flags |= (direct ? BDRV_O_NOCACHE : 0) |
                      (no_flush ? BDRV_O_NO_FLUSH : 0) |
                      (read_only ? 0 : BDRV_O_RDWR) |
                      (auto_ro ? BDRV_O_AUTO_RDONLY : 0);
    bs->read_only = read_only;
    bs->force_share = force_share;
    if (force_share && !read_only) {
        error_setg(errp, "force-share=on can only be used with read-only "
                   "images");
        return false;
    }
    discard = bopts_take(options, BDRV_OPT_DISCARD);
    if (discard && bdrv_parse_discard_flags(discard, &bs->open_flags)) {
        error_setg(errp, "Invalid discard option");
        return false;
    }
    if (!bopts_take_enum(options, "detect-zeroes", detect_zeroes_names,
                         BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF, &dz, errp)) {
        return false;
    }
    if (dz == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP &&
        !(bs->open_flags & BDRV_O_UNMAP)) {
        error_setg(errp, "setting detect-zeroes to unmap is not allowed "
                   "without setting discard operation to unmap");
        return false;
    }
    bs->detect_zeroes = dz;
    *node_name = bopts_take(options, "node-name");
    return true;
}

/* Close a node whose open failed after its driver opened: nothing was
 * written, so no flush. */
static void bdrv_open_abort(BlockDriverState *bs)
{
    if (bs->drv && bs->drv->bdrv_close) {
        bs->drv->bdrv_close(bs);
    }
    bs->drv = NULL;
    bdrv_unref(g_steal_pointer(&bs->probe_file));
    bdrv_unref(bs);
}

/* Step 3: the node's own options, then the driver (QEMU's
 * bdrv_open_common + bdrv_open_driver). */
static bool bdrv_open_common(BlockDriverState *bs, BlockDriver *drv,
                             BlockOptions *options, Error **errp)
{
    g_autofree char *node_name = NULL;
    int ret;

    if (!bdrv_take_common_options(bs, options, &node_name, errp)) {
        return false;
    }
    g_free(bopts_take(options, "driver"));
    if (!bdrv_assign_node_name(bs, node_name, errp)) {
        return false;
    }
    bs->drv = drv;
    bs->opaque = g_malloc0(MAX(drv->instance_size, 1));
    ret = drv->bdrv_open(bs, options, bs->open_flags, errp);
    if (ret < 0) {
        /* The driver cleaned up after itself. */
        bs->drv = NULL;
        return false;
    }
    /* auto-read-only (on for -drive): a file that could only be opened
     * read-only makes its format node read-only too. */
    if (!bs->read_only && (bs->open_flags & BDRV_O_AUTO_RDONLY) &&
        bs->file && bs->file->bs->read_only) {
        bs->read_only = true;
        bs->open_flags &= ~BDRV_O_RDWR;
    }
    ret = bdrv_refresh_total_sectors(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not refresh total sector count");
        return false;
    }
    bdrv_refresh_limits(bs);
    return true;
}

/* Which driver a node gets before probing (QEMU's bdrv_fill_options):
 * "driver", or for a protocol node the filename's protocol.  Sets
 * BDRV_O_PROTOCOL in *@flags for protocol drivers and puts the file name
 * into "filename".  *@drv stays NULL when the format must be probed. */
static bool bdrv_fill_options(const char *filename, BlockOptions *options,
                              int *flags, BlockDriver **drv, Error **errp)
{
    const char *drvname = bopts_get(options, "driver");

    *drv = NULL;
    if (drvname) {
        *drv = bdrv_find_format(drvname);
        if (!*drv) {
            error_setg(errp, "Unknown driver '%s'", drvname);
            return false;
        }
        if ((*drv)->protocol) {
            *flags |= BDRV_O_PROTOCOL;
        }
    }
    if (!(*flags & BDRV_O_PROTOCOL)) {
        return true;
    }
    if (filename) {
        if (bopts_has(options, "filename")) {
            error_setg(errp, "Can't specify 'file' and 'filename' options "
                       "at the same time");
            return false;
        }
        if (!*drv && !(*drv = bdrv_find_protocol(filename, errp))) {
            return false;
        }
        /* "file:x" is the file "x" (QEMU's raw_parse_filename) */
        if (!strcmp((*drv)->format_name, "file") &&
            g_str_has_prefix(filename, "file:")) {
            filename += strlen("file:");
        }
        bopts_set(options, "filename", filename);
    } else if (!*drv) {
        const char *fname = bopts_get(options, "filename");

        if (!fname) {
            error_setg(errp, "Must specify either driver or file");
            return false;
        }
        if (!(*drv = bdrv_find_protocol(fname, errp))) {
            return false;
        }
    }
    return true;
}

/*
 * The options a child inherits, applied to *@flags before the node's own
 * options are parsed (step 3), because the protocol child is opened
 * first (step 1): "cache=none" must reach the file.  Invalid values are
 * left for step 3 to report.  (QEMU copies the option strings into the
 * child's options instead, bdrv_inherited_options.)
 */
static void bdrv_peek_inherited_options(BlockOptions *options, int *flags)
{
    static const struct {
        const char *key;
        int flag;
        bool inverted;
    } inherited[] = {
        { BDRV_OPT_CACHE_DIRECT, BDRV_O_NOCACHE, false },
        { BDRV_OPT_CACHE_NO_FLUSH, BDRV_O_NO_FLUSH, false },
        { BDRV_OPT_READ_ONLY, BDRV_O_RDWR, true },
        { BDRV_OPT_AUTO_READ_ONLY, BDRV_O_AUTO_RDONLY, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(inherited); i++) {
        const char *value = bopts_get(options, inherited[i].key);
        bool on;

        if (value && qapi_bool_parse(inherited[i].key, value, &on, NULL)) {
            if (on != inherited[i].inverted) {
                *flags |= inherited[i].flag;
            } else {
                *flags &= ~inherited[i].flag;
            }
        }
    }
}

static BlockDriverState *bdrv_open_inherit(const char *filename,
                                           BlockOptions *options,
                                           int flags,
                                           BlockDriverState *parent,
                                           Error **errp)
{
    BlockDriverState *bs;
    BlockDriver *drv;
    int snapshot_flags = 0;
    Error *local_err = NULL;

    if (!options) {
        options = bopts_new();
    }
    if (flags & BDRV_O_SNAPSHOT) {
        /* The image becomes the overlay's read-only backing node. */
        snapshot_flags = (flags & ~BDRV_O_SNAPSHOT) | BDRV_O_RDWR;
        flags &= ~(BDRV_O_SNAPSHOT | BDRV_O_RDWR | BDRV_O_COPY_ON_READ);
        bopts_set(options, BDRV_OPT_READ_ONLY, "on");
    }
    if (!bdrv_fill_options(filename, options, &flags, &drv, errp)) {
        bopts_free(options);
        return NULL;
    }
    bdrv_peek_inherited_options(options, &flags);

    bs = bdrv_new();
    bs->open_flags = flags;

    /* Step 1: the protocol child, for probing and for the driver. */
    if (!(flags & BDRV_O_PROTOCOL)) {
        bs->probe_file = bdrv_open_child_bs(filename, options, "file", bs,
                                            true, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            goto fail;
        }
    }

    /* Step 2: probing */
    bs->probed = !drv;
    if (!drv && bs->probe_file) {
        const char *unsupported;

        drv = bdrv_probe_format(bs->probe_file, &unsupported, errp);
        if (!drv) {
            goto fail;
        }
        if (unsupported) {
            error_setg(errp, "Image '%s' is in %s format, which this build "
                       "does not support", bs->probe_file->filename,
                       unsupported);
            error_append_hint(errp, "Give format=raw to open it as a raw "
                              "image anyway.\n");
            goto fail;
        }
    } else if (!drv) {
        error_setg(errp, "Must specify either driver or file");
        goto fail;
    }

    /* Step 3 */
    if (!bdrv_open_common(bs, drv, options, errp)) {
        goto fail;
    }
    /* A driver that wants no file child leaves the probed one. */
    bdrv_unref(g_steal_pointer(&bs->probe_file));

    /* Step 4 */
    if (bopts_size(options)) {
        if (drv->protocol) {
            error_setg(errp, "Block protocol '%s' doesn't support the option "
                       "'%s'", drv->format_name, bopts_first_key(options));
        } else {
            error_setg(errp, "Block format '%s' does not support the option "
                       "'%s'", drv->format_name, bopts_first_key(options));
        }
        goto fail;
    }
    /* What the node takes on its children (image locks) */
    if (bdrv_refresh_perms(bs, errp) < 0) {
        goto fail;
    }
    bopts_free(options);
    all_bdrv_states = g_list_append(all_bdrv_states, bs);

    /* Step 5 */
    if (snapshot_flags) {
        BlockDriverState *overlay = bdrv_append_temp_snapshot(
            bs, snapshot_flags, errp);

        bdrv_unref(bs);
        return overlay;
    }
    return bs;

fail:
    bopts_free(options);
    bdrv_open_abort(bs);
    return NULL;
}

/* --- snapshot=on --------------------------------------------------------- */

/* QEMU's get_tmp_filename(): a new empty file in $TMPDIR (or /var/tmp),
 * its name returned (g_free), or NULL with @errp set. */
static char *bdrv_get_tmp_filename(Error **errp)
{
    const char *tmpdir = g_getenv("TMPDIR") ? g_getenv("TMPDIR")
                                            : "/var/tmp";
    char *path = g_strdup_printf("%s/vl.XXXXXX", tmpdir);
    int fd = mkstemp(path);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not get temporary filename");
        g_free(path);
        return NULL;
    }
    close(fd);
    return path;
}

/*
 * The end of both temporary overlays, @bs already its backing child:
 * the permissions (locks) and limits of the new graph, and QEMU's
 * json: filename naming the overlay's driver and the (unlinked) @path.
 * Returns @overlay, or NULL (and frees it) if the permissions fail.
 */
static BlockDriverState *bdrv_temp_overlay_finish(BlockDriverState *overlay,
                                                  BlockDriverState *bs,
                                                  const char *path,
                                                  Error **errp)
{
    if (bdrv_refresh_perms(overlay, errp) < 0) {
        bdrv_unref(overlay);
        return NULL;
    }
    bdrv_refresh_limits(overlay);
    g_free(overlay->filename);
    overlay->filename = g_strdup_printf(
        "json:{\"backing\": {\"driver\": \"%s\", \"file\": {\"driver\": "
        "\"%s\", \"filename\": \"%s\"}}, \"driver\": \"%s\", "
        "\"file\": {\"driver\": \"file\", \"filename\": \"%s\"}}",
        bs->drv->format_name,
        bs->file ? bs->file->bs->drv->format_name : "file",
        bs->filename, overlay->drv->format_name, path);
    return overlay;
}

/*
 * QEMU's bdrv_append_temp_snapshot(): an empty qcow2 image of @bs's size
 * in a temporary file (unlinked at once), opened cache=unsafe with no
 * backing file of its own, then @bs attached as its backing child.
 */
static BlockDriverState *bdrv_append_temp_qcow2(BlockDriverState *bs,
                                                int flags, Error **errp)
{
    int64_t total_size = bdrv_getlength(bs);
    Qcow2CreateOptions copts = { 0 };
    g_autofree char *path = NULL;
    BlockDriverState *overlay;
    BlockOptions *opts;

    if (total_size < 0) {
        error_setg_errno(errp, -total_size, "Could not get image size");
        return NULL;
    }
    path = bdrv_get_tmp_filename(errp);
    if (!path) {
        return NULL;
    }
    copts.size = total_size & ~(BDRV_SECTOR_SIZE - 1);
    if (!qcow2_create(path, &copts, errp)) {
        unlink(path);
        return NULL;
    }
    opts = bopts_new();
    bopts_set(opts, "driver", QCOW2_FORMAT_NAME);
    bopts_set(opts, "file.driver", "file");
    bopts_set(opts, "file.filename", path);
    bopts_set(opts, "backing", "null");
    bopts_set(opts, BDRV_OPT_CACHE_DIRECT, "off");
    bopts_set(opts, BDRV_OPT_CACHE_NO_FLUSH, "on");
    overlay = bdrv_open_inherit(NULL, opts,
                                (flags | BDRV_O_TEMPORARY) &
                                ~BDRV_O_NATIVE_AIO, NULL, errp);
    unlink(path);
    if (!overlay) {
        return NULL;
    }
    bdrv_ref(bs);
    bdrv_attach_child(overlay, bs, "backing");
    return bdrv_temp_overlay_finish(overlay, bs, path, errp);
}

/* Without qcow2: the raw temporary overlay (temp-overlay.c) */
static BlockDriverState *bdrv_append_temp_overlay(BlockDriverState *bs,
                                                  int flags, Error **errp)
{
    g_autofree char *path = bdrv_get_tmp_filename(errp);
    BlockDriverState *overlay;
    BlockOptions *opts;

    if (!path) {
        return NULL;
    }
    /* A temporary file never needs flushing (QEMU's
     * bdrv_temp_snapshot_options: cache=unsafe); without O_DIRECT
     * aio=native would be refused, so the overlay uses the pool. */
    opts = bopts_new();
    bopts_set(opts, "driver", "temp-overlay");
    bopts_set(opts, "file.driver", "file");
    bopts_set(opts, "file.filename", path);
    bopts_set(opts, BDRV_OPT_CACHE_DIRECT, "off");
    bopts_set(opts, BDRV_OPT_CACHE_NO_FLUSH, "on");
    overlay = bdrv_open_inherit(NULL, opts,
                                (flags | BDRV_O_TEMPORARY) &
                                ~BDRV_O_NATIVE_AIO, NULL, errp);
    /* Open or not, the file goes now: nothing to clean up later. */
    unlink(path);
    if (!overlay) {
        return NULL;
    }
    bdrv_ref(bs);
    temp_overlay_attach_backing(overlay, bs);
    return bdrv_temp_overlay_finish(overlay, bs, path, errp);
}

BlockDriverState *bdrv_append_temp_snapshot(BlockDriverState *bs, int flags,
                                            Error **errp)
{
    if (qcow2_create && bdrv_find_format(QCOW2_FORMAT_NAME)) {
        return bdrv_append_temp_qcow2(bs, flags, errp);
    }
    return bdrv_append_temp_overlay(bs, flags, errp);
}

BlockDriverState *bdrv_open(const char *filename, BlockOptions *options,
                            int flags, Error **errp)
{
    assert(qomu_in_main_thread());
    return bdrv_open_inherit(filename, options, flags, NULL, errp);
}
