/*
 * address-space.c - address spaces: their FlatViews and the listeners
 * told about RAM ranges; the machine's two spaces.
 *
 * Modelled on QEMU 7.2's softmmu/memory.c (address spaces, listeners,
 * flatviews_reset) and physmem.c (memory_map_init).  Guest accesses are
 * in memory-dispatch.c.
 *
 * FlatView life cycle, QEMU's RCU without RCU:
 *  - a commit renders one view per distinct flatview root, and swaps each
 *    space's view under the space's spin lock, held only for the pointer
 *    store;
 *  - readers (vCPU threads) take it just long enough to reference the
 *    current view (address_space_get_flatview), then dispatch with no
 *    lock held: a view never changes once built.  A spin lock, not a
 *    GRWLock: both sides hold it for a few instructions, and the GRWLock
 *    (a lazily allocated pthread_rwlock_t, two library calls) cost ~500
 *    cycles of cold misses on every guest exit (bench/exit), ~1% of an
 *    exit on this host, against ~150 for the spin lock;
 *  - the view's last reference may be dropped by any thread, but the view
 *    is only queued then; it is freed (dropping its region references,
 *    which may finalize devices) under the big lock, at the end of the
 *    next commit or by a main-loop bottom half, as QEMU's call_rcu
 *    callbacks run under its big lock.
 *
 * Not modelled: ioeventfds, coalesced MMIO, dirty-log listener hooks,
 * listener priorities.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/main-loop.h"
#include "memory-internal.h"

#include <sched.h>

GQueue memory_address_spaces = G_QUEUE_INIT;

/* --- FlatView references and deferred freeing ------------------------ */

static GMutex zombie_lock;          /* guards zombie_views */
static GSList *zombie_views;        /* FlatView *, refcount 0, to free */
static QomuBH *reclaim_bh;          /* frees them on the main loop */

void flatview_ref(FlatView *fv)
{
    g_atomic_int_inc(&fv->ref);
}

void flatview_unref(FlatView *fv)
{
    QomuBH *bh;

    if (!g_atomic_int_dec_and_test(&fv->ref)) {
        return;
    }
    /* Freeing may finalize devices: never here, where the caller may be a
     * vCPU thread without the big lock, or a commit half-way through. */
    g_mutex_lock(&zombie_lock);
    zombie_views = g_slist_prepend(zombie_views, fv);
    g_mutex_unlock(&zombie_lock);
    bh = g_atomic_pointer_get(&reclaim_bh);
    if (bh) {
        qomu_bh_schedule(bh);
    }
}

static void flatview_destroy(FlatView *fv)
{
    for (unsigned i = 0; i < fv->nr; i++) {
        memory_region_unref(fv->ranges[i].mr);
    }
    g_free(fv->ranges);
    memory_region_unref(fv->root);
    g_free(fv);
}

void flatview_reclaim(void)
{
    static bool reclaiming;     /* big lock; finalizers may commit */

    if (reclaiming) {
        return;                 /* the loop below will see new zombies */
    }
    reclaiming = true;
    for (;;) {
        GSList *list;

        g_mutex_lock(&zombie_lock);
        list = zombie_views;
        zombie_views = NULL;
        g_mutex_unlock(&zombie_lock);
        if (!list) {
            break;
        }
        g_slist_free_full(list, (GDestroyNotify)flatview_destroy);
    }
    reclaiming = false;
}

static void flatview_reclaim_bh(void *opaque)
{
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    flatview_reclaim();
    if (!locked) {
        bql_unlock();
    }
}

/* as->lock: every holder keeps it for a few instructions, so spin; yield
 * now and then in case the holder was preempted. */
static void as_lock(AddressSpace *as)
{
    unsigned spins = 0;

    while (__atomic_exchange_n(&as->lock, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&as->lock, __ATOMIC_RELAXED)) {
            if (++spins % 128 == 0) {
                sched_yield();
            } else {
                __builtin_ia32_pause();
            }
        }
    }
}

static void as_unlock(AddressSpace *as)
{
    __atomic_store_n(&as->lock, 0, __ATOMIC_RELEASE);
}

FlatView *address_space_get_flatview(AddressSpace *as)
{
    FlatView *fv;

    /* The writer drops its reference only after the swap, under the
     * lock, so the view seen here has a count of at least 1. */
    as_lock(as);
    fv = as->current;
    flatview_ref(fv);
    as_unlock(as);
    return fv;
}

/* First range whose last byte is at or after @addr (nr if none). */
unsigned flatview_bsearch(const FlatView *fv, hwaddr addr)
{
    unsigned lo = 0, hi = fv->nr;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (fv->ranges[mid].last < addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr)
{
    unsigned i = flatview_bsearch(fv, addr);

    if (i < fv->nr && fv->ranges[i].start <= addr) {
        return &fv->ranges[i];
    }
    return NULL;
}

/* --- listeners ------------------------------------------------------- */

/* Calls region_add (registration order) or region_del (reverse order,
 * as QEMU) of @as's listeners; only RAM ranges are their business. */
static void listeners_notify(AddressSpace *as, const FlatRange *fr,
                             bool add)
{
    guint n, i = 0;
    g_autofree MemoryListener **ls = NULL;

    if (!fr->mr->ram) {
        return;
    }
    n = g_slist_length(as->listeners);
    ls = g_new(MemoryListener *, n);
    for (GSList *l = as->listeners; l; l = l->next) {
        ls[i++] = l->data;
    }
    for (i = 0; i < n; i++) {
        MemoryListener *l = ls[add ? i : n - 1 - i];

        if (add && l->region_add) {
            l->region_add(l, fr);
        } else if (!add && l->region_del) {
            l->region_del(l, fr);
        }
    }
}

/* begin or commit of every listener of every space (QEMU's
 * MEMORY_LISTENER_CALL_GLOBAL). */
static void listeners_call_global(bool begin)
{
    for (GList *a = memory_address_spaces.head; a; a = a->next) {
        AddressSpace *as = a->data;

        for (GSList *l = as->listeners; l; l = l->next) {
            MemoryListener *ml = l->data;

            if (begin && ml->begin) {
                ml->begin(ml);
            } else if (!begin && ml->commit) {
                ml->commit(ml);
            }
        }
    }
}

static bool flatrange_equal(const FlatRange *a, const FlatRange *b)
{
    return a->mr == b->mr && a->start == b->start && a->last == b->last &&
           a->offset_in_region == b->offset_in_region &&
           a->readonly == b->readonly;
}

/*
 * QEMU's address_space_update_topology_pass: walk both sorted views at
 * once; a range only in @old (or changed) is deleted in the first pass,
 * a range only in @new (or changed) is added in the second.
 */
static void address_space_update_topology_pass(AddressSpace *as,
                                               const FlatView *old,
                                               const FlatView *new,
                                               bool adding)
{
    unsigned iold = 0, inew = 0;

    while (iold < old->nr || inew < new->nr) {
        const FlatRange *frold = iold < old->nr ? &old->ranges[iold] : NULL;
        const FlatRange *frnew = inew < new->nr ? &new->ranges[inew] : NULL;

        if (frold && (!frnew || frold->start < frnew->start ||
                      (frold->start == frnew->start &&
                       !flatrange_equal(frold, frnew)))) {
            if (!adding) {
                listeners_notify(as, frold, false);
            }
            iold++;
        } else if (frold && frnew && flatrange_equal(frold, frnew)) {
            iold++;
            inew++;
        } else {
            if (adding) {
                listeners_notify(as, frnew, true);
            }
            inew++;
        }
    }
}

void memory_listener_register(MemoryListener *l, AddressSpace *as)
{
    FlatView *fv;

    assert(!l->address_space);
    l->address_space = as;
    as->listeners = g_slist_append(as->listeners, l);
    if (l->begin) {
        l->begin(l);
    }
    fv = address_space_get_flatview(as);
    for (unsigned i = 0; i < fv->nr; i++) {
        if (fv->ranges[i].mr->ram && l->region_add) {
            l->region_add(l, &fv->ranges[i]);
        }
    }
    flatview_unref(fv);
    if (l->commit) {
        l->commit(l);
    }
}

void memory_listener_unregister(MemoryListener *l, AddressSpace *as)
{
    FlatView *fv;

    if (!l->address_space) {
        return;
    }
    assert(l->address_space == as);
    if (l->begin) {
        l->begin(l);
    }
    fv = address_space_get_flatview(as);
    for (unsigned i = 0; i < fv->nr; i++) {
        if (fv->ranges[i].mr->ram && l->region_del) {
            l->region_del(l, &fv->ranges[i]);
        }
    }
    flatview_unref(fv);
    if (l->commit) {
        l->commit(l);
    }
    as->listeners = g_slist_remove(as->listeners, l);
    l->address_space = NULL;
}

/* --- topology updates ------------------------------------------------ */

/* The views of the last render, by flatview root (NULL: the empty view);
 * each holds a reference.  Big lock. */
static GHashTable *flat_views;

static GHashTable *flat_views_new(void)
{
    return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                 (GDestroyNotify)flatview_unref);
}

/* The view for @as's current root, rendering it if no space shares it. */
static FlatView *flat_views_get(AddressSpace *as)
{
    MemoryRegion *physmr = memory_region_get_flatview_root(as->root);
    FlatView *fv;

    if (!flat_views) {
        flat_views = flat_views_new();
    }
    fv = g_hash_table_lookup(flat_views, physmr);
    if (!fv) {
        fv = flatview_render(physmr);
        g_hash_table_insert(flat_views, physmr, fv);
    }
    return fv;
}

/* Gives @as the view of its root, telling its listeners what changed. */
static void address_space_set_flatview(AddressSpace *as)
{
    FlatView *old = as->current;    /* only writers store it: big lock */
    FlatView *new = flat_views_get(as);

    if (old == new) {
        return;
    }
    flatview_ref(new);
    if (as->listeners) {
        FlatView empty = { .nr = 0 };
        const FlatView *old2 = old ? old : &empty;

        address_space_update_topology_pass(as, old2, new, false);
        address_space_update_topology_pass(as, old2, new, true);
    }
    as_lock(as);
    as->current = new;
    as_unlock(as);
    if (old) {
        flatview_unref(old);
    }
}

void address_spaces_update_topology(void)
{
    GHashTable *old = flat_views;

    if (g_queue_is_empty(&memory_address_spaces)) {
        g_clear_pointer(&flat_views, g_hash_table_unref);
        return;
    }
    /* Render afresh; the old table's views live on in the spaces that
     * still use them until they are swapped out below. */
    flat_views = flat_views_new();
    for (GList *a = memory_address_spaces.head; a; a = a->next) {
        flat_views_get(a->data);
    }
    if (old) {
        g_hash_table_unref(old);
    }
    listeners_call_global(true);
    for (GList *a = memory_address_spaces.head; a; a = a->next) {
        address_space_set_flatview(a->data);
    }
    listeners_call_global(false);
}

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    if (!reclaim_bh) {
        /* Here, in the main thread, before any vCPU thread can read it. */
        g_atomic_pointer_set(&reclaim_bh,
                             qomu_bh_new(flatview_reclaim_bh, NULL));
    }
    memory_region_ref(root);
    as->root = root;
    as->current = NULL;
    as->lock = 0;
    as->listeners = NULL;
    as->name = g_strdup(name ? name : "anonymous");
    g_queue_push_tail(&memory_address_spaces, as);
    address_space_set_flatview(as);
}

/* A cached view that no space shows any more. */
static gboolean flat_view_unused(gpointer key, gpointer value,
                                 gpointer opaque)
{
    for (GList *a = memory_address_spaces.head; a; a = a->next) {
        if (((AddressSpace *)a->data)->current == value) {
            return false;
        }
    }
    return true;
}

void address_space_destroy(AddressSpace *as)
{
    MemoryRegion *root = as->root;
    FlatView *fv;

    assert(!as->listeners);
    g_queue_remove(&memory_address_spaces, as);
    as_lock(as);
    fv = as->current;
    as->current = NULL;
    as_unlock(as);
    flatview_unref(fv);
    /* Drop cached views that only this space used: they reference its
     * regions, which must be able to die now. */
    if (flat_views) {
        g_hash_table_foreach_remove(flat_views, flat_view_unused, NULL);
        if (!g_hash_table_size(flat_views)) {
            g_clear_pointer(&flat_views, g_hash_table_unref);
        }
    }
    g_clear_pointer(&as->name, g_free);
    as->root = NULL;
    memory_region_unref(root);
    flatview_reclaim();
}

/* --- the machine's spaces -------------------------------------------- */

static AddressSpace *system_as_memory;
static AddressSpace *system_as_io;

AddressSpace *address_space_memory_get(void)
{
    return g_atomic_pointer_get(&system_as_memory);
}

AddressSpace *address_space_io_get(void)
{
    return g_atomic_pointer_get(&system_as_io);
}

void address_space_set_system(AddressSpace *memory, AddressSpace *io)
{
    g_atomic_pointer_set(&system_as_memory, memory);
    g_atomic_pointer_set(&system_as_io, io);
}

MemoryRegion *get_system_memory(void)
{
    AddressSpace *as = address_space_memory_get();

    return as ? as->root : NULL;
}

MemoryRegion *get_system_io(void)
{
    AddressSpace *as = address_space_io_get();

    return as ? as->root : NULL;
}

static uint64_t unassigned_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return UINT64_MAX;
}

static void unassigned_io_write(void *opaque, hwaddr addr, uint64_t data,
                                unsigned size)
{
}

const MemoryRegionOps unassigned_io_ops = {
    .read = unassigned_io_read,
    .write = unassigned_io_write,
};

void memory_map_init(MemoryRegion *system_memory, MemoryRegion *system_io,
                     AddressSpace *as_memory, AddressSpace *as_io)
{
    memory_region_init(system_memory, NULL, "system", UINT64_MAX);
    address_space_init(as_memory, system_memory, "memory");
    memory_region_init_io(system_io, NULL, &unassigned_io_ops, NULL, "io",
                          65536);
    /* Ports nothing decodes reach these stateless ops: no big lock
     * (a third of qomu's own cost per such exit, bench/exit). */
    memory_region_set_lockless(system_io, true);
    address_space_init(as_io, system_io, "I/O");
    address_space_set_system(as_memory, as_io);
}

void memory_map_cleanup(MemoryRegion *system_memory,
                        MemoryRegion *system_io,
                        AddressSpace *as_memory, AddressSpace *as_io)
{
    if (address_space_memory_get() == as_memory) {
        address_space_set_system(NULL, NULL);
    }
    address_space_destroy(as_io);
    address_space_destroy(as_memory);
    object_unparent(OBJECT(system_io));
    object_unparent(OBJECT(system_memory));
}
