/*
 * memory.c - memory regions: the QOM type, RAM, the topology of
 * subregions and aliases, transactions, and flattening into FlatViews.
 *
 * Modelled on QEMU 7.2's softmmu/memory.c.  A region is a QOM object
 * ("memory-region"), usually embedded in its owner's struct and a child
 * "NAME[*]" of the owner (or of /machine/unattached), so the owner's
 * death takes the region with it.  Rendering is QEMU's
 * render_memory_region(): subregions in priority order, each filling only
 * the gaps left by those before it, clipped by every container on the
 * way; then adjacent pieces of one region are merged (flatview_simplify).
 * Range arithmetic is 128-bit (Int128), so 2^64-byte roots are exact.
 *
 * Deliberate differences from QEMU: a region without an owner is
 * reference-counted itself (QEMU assumes such regions live forever,
 * which unit tests cannot); a subregion or alias target with the same
 * owner as its container takes no reference on it (QEMU 7.2 makes such
 * owners immortal; later QEMU fixed this the same way).
 * Not modelled: ROM devices, ioeventfds, coalesced MMIO, dirty logging,
 * IOMMU regions, RAM from files or host pointers.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "memory-internal.h"

#include <sys/mman.h>

/* --- transactions ---------------------------------------------------- */

/* Big lock: how deep in begin/commit we are, and whether a change that
 * may be visible was made since the last re-render. */
static unsigned transaction_depth;
static bool update_pending;

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    assert(transaction_depth);
    if (--transaction_depth) {
        return;
    }
    if (update_pending) {
        /* Cleared first: views freed below may finalize regions, whose
         * own (nested, complete) transactions must start clean. */
        update_pending = false;
        address_spaces_update_topology();
    }
    flatview_reclaim();
}

/* --- references ------------------------------------------------------ */

void memory_region_ref(MemoryRegion *mr)
{
    /* The owner keeps its embedded regions alive; an ownerless region
     * is counted itself. */
    if (mr) {
        object_ref(mr->owner ? mr->owner : OBJECT(mr));
    }
}

void memory_region_unref(MemoryRegion *mr)
{
    if (mr) {
        object_unref(mr->owner ? mr->owner : OBJECT(mr));
    }
}

/* A link from @from to @to must not reference @to when both belong to
 * the same owner: the owner would then keep itself alive forever. */
static bool memory_region_link_needs_ref(MemoryRegion *from,
                                         MemoryRegion *to)
{
    return !to->owner || to->owner != from->owner;
}

/* --- the QOM type ---------------------------------------------------- */

static bool unassigned_mem_accepts(void *opaque, hwaddr addr, unsigned size,
                                   bool is_write)
{
    return false;
}

/* Ops of regions that are not I/O (and of init_io with NULL ops): every
 * access that reaches them is refused, e.g. a write to ROM. */
static const MemoryRegionOps unassigned_mem_ops = {
    .valid.accepts = unassigned_mem_accepts,
};

static GVariant *mr_get_container(Object *obj, ObjectProperty *prop,
                                  Error **errp)
{
    MemoryRegion *mr = MEMORY_REGION(obj);
    g_autofree char *path = NULL;

    if (mr->container) {
        path = object_get_canonical_path(OBJECT(mr->container));
    }
    return g_variant_ref_sink(g_variant_new_string(path ? path : ""));
}

static GVariant *mr_get_priority(Object *obj, ObjectProperty *prop,
                                 Error **errp)
{
    return g_variant_ref_sink(g_variant_new_int64(MEMORY_REGION(obj)->priority));
}

static GVariant *mr_get_size(Object *obj, ObjectProperty *prop, Error **errp)
{
    return g_variant_ref_sink(
        g_variant_new_uint64(memory_region_size(MEMORY_REGION(obj))));
}

static void memory_region_initfn(Object *obj)
{
    MemoryRegion *mr = MEMORY_REGION(obj);

    mr->ops = &unassigned_mem_ops;
    mr->enabled = true;
    g_queue_init(&mr->subregions);

    /* QEMU's read-only introspection properties.  QEMU calls "priority"
     * a uint32 while storing an int32; it is an int32 here. */
    object_property_add(obj, "container", "link<" TYPE_MEMORY_REGION ">",
                        mr_get_container, NULL, NULL, NULL);
    object_property_add_uint64_ptr(obj, "addr", &mr->addr,
                                   OBJ_PROP_FLAG_READ);
    object_property_add(obj, "priority", "int32", mr_get_priority,
                        NULL, NULL, NULL);
    object_property_add(obj, "size", "uint64", mr_get_size, NULL, NULL,
                        NULL);
}

static void memory_region_finalize(Object *obj)
{
    MemoryRegion *mr = MEMORY_REGION(obj);

    if (mr->container) {
        /* Only a subregion of a container with the same owner can die
         * mapped (it holds no reference there): the owner is going. */
        assert(!memory_region_link_needs_ref(mr->container, mr));
        memory_region_del_subregion(mr->container, mr);
    }
    /* Nothing shows this region any more (no container, and a root is
     * referenced by its space), so the subregions can go without a
     * re-render: disabling first keeps del_subregion from asking one. */
    mr->enabled = false;
    memory_region_transaction_begin();
    while (!g_queue_is_empty(&mr->subregions)) {
        memory_region_del_subregion(mr, g_queue_peek_head(&mr->subregions));
    }
    memory_region_transaction_commit();

    if (mr->alias && memory_region_link_needs_ref(mr, mr->alias)) {
        memory_region_unref(mr->alias);
    }
    if (mr->ram_mmap_size) {
        munmap(mr->ram_ptr, mr->ram_mmap_size);
    }
    g_free(mr->name);
}

static const TypeInfo memory_region_info = {
    .name = TYPE_MEMORY_REGION,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(MemoryRegion),
    .instance_init = memory_region_initfn,
    .instance_finalize = memory_region_finalize,
};

static void memory_register_types(void)
{
    type_register_static(&memory_region_info);
}

type_init(memory_register_types)

/* --- initialisers ---------------------------------------------------- */

static bool memory_region_need_escape(char c)
{
    return c == '/' || c == '[' || c == '\\' || c == ']';
}

/* QEMU's memory_region_escape_name: "/", "[", "]" and "\" become \xNN so
 * that the name is a valid path component. */
static char *memory_region_escape_name(const char *name)
{
    GString *s = g_string_sized_new(strlen(name));

    for (const char *p = name; *p; p++) {
        if (memory_region_need_escape(*p)) {
            g_string_append_printf(s, "\\x%02x", (unsigned char)*p);
        } else {
            g_string_append_c(s, *p);
        }
    }
    return g_string_free(s, false);
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    object_initialize(mr, sizeof(*mr), TYPE_MEMORY_REGION);
    mr->size = size;
    mr->name = g_strdup(name);
    mr->owner = owner;
    mr->is_container = true;

    if (name) {
        g_autofree char *escaped = memory_region_escape_name(name);
        g_autofree char *child = g_strdup_printf("%s[*]", escaped);
        Object *parent = owner;

        if (!parent) {
            parent = container_get(object_get_root(), "/machine/unattached");
        }
        object_property_add_child(parent, child, OBJECT(mr));
        object_unref(OBJECT(mr));      /* the child property holds it */
    }
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    memory_region_init(mr, owner, name, size);
    mr->is_container = false;
    mr->ops = ops ? ops : &unassigned_mem_ops;
    mr->opaque = opaque;
    mr->terminates = true;
}

#define RAM_HUGE_ALIGN ((size_t)2 << 20)    /* QEMU_VMALLOC_ALIGN, x86-64 */

/* Anonymous, private, lazily-populated host memory for the guest. */
static bool memory_region_alloc_ram(MemoryRegion *mr, Error **errp)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t size = mr->size;
    void *ptr;

    if (size == 0) {
        errno = EINVAL;
        goto fail;
    }
    /* UINT64_MAX (2^64) and anything that cannot be rounded up to a page
     * in a size_t is more than any host has. */
    if (size > SIZE_MAX - (page - 1) || size == UINT64_MAX) {
        errno = ENOMEM;
        goto fail;
    }
    mr->ram_mmap_size = (size + page - 1) & ~(page - 1);
    /* QEMU's qemu_ram_mmap + ram_block_add: 2 MiB aligned (when that is
     * possible) and MADV_HUGEPAGE, so that with THP "madvise" the guest's
     * RAM gets huge pages: fewer (nested) EPT misses, cheaper page
     * pinning for O_DIRECT I/O into guest buffers. */
    if (mr->ram_mmap_size >= RAM_HUGE_ALIGN &&
        mr->ram_mmap_size <= SIZE_MAX - RAM_HUGE_ALIGN) {
        size_t total = mr->ram_mmap_size + RAM_HUGE_ALIGN;
        uint8_t *raw = mmap(NULL, total, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                            -1, 0);

        if (raw != MAP_FAILED) {
            uint8_t *aligned = (uint8_t *)(((uintptr_t)raw + RAM_HUGE_ALIGN -
                                            1) & ~(RAM_HUGE_ALIGN - 1));
            size_t head = aligned - raw;

            /* keep [aligned, +ram_mmap_size), give back the rest */
            if (head) {
                munmap(raw, head);
            }
            munmap(aligned + mr->ram_mmap_size,
                   total - head - mr->ram_mmap_size);
            madvise(aligned, mr->ram_mmap_size, MADV_HUGEPAGE);
            mr->ram_ptr = aligned;
            return true;
        }
    }
    ptr = mmap(NULL, mr->ram_mmap_size, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ptr == MAP_FAILED) {
        mr->ram_mmap_size = 0;
        goto fail;
    }
    mr->ram_ptr = ptr;
    return true;

fail:
    error_setg_errno(errp, errno, "cannot set up guest memory '%s'",
                     mr->name);
    return false;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp)
{
    assert(name);
    memory_region_init(mr, owner, name, size);
    mr->is_container = false;
    mr->ram = true;
    mr->terminates = true;
    if (!memory_region_alloc_ram(mr, errp)) {
        /* As QEMU: the half-made region goes away with its child link. */
        mr->size = 0;
        object_unparent(OBJECT(mr));
        return false;
    }
    return true;
}

bool memory_region_init_rom(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp)
{
    if (!memory_region_init_ram(mr, owner, name, size, errp)) {
        return false;
    }
    mr->readonly = true;
    return true;
}

void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size)
{
    assert(orig);
    memory_region_init(mr, owner, name, size);
    mr->is_container = false;
    mr->alias = orig;
    mr->alias_offset = offset;
    if (memory_region_link_needs_ref(mr, orig)) {
        memory_region_ref(orig);
    }
}

/* --- topology -------------------------------------------------------- */

/* Inserts @subregion (whose container and priority are set) before the
 * first sibling of lower or equal priority: so the newest of equal
 * priority comes first, and rendering, which lets earlier siblings win,
 * shows it (QEMU's memory_region_update_container_subregions). */
static void memory_region_update_container_subregions(MemoryRegion *subregion)
{
    MemoryRegion *mr = subregion->container;
    GList *link;

    memory_region_transaction_begin();
    if (memory_region_link_needs_ref(mr, subregion)) {
        memory_region_ref(subregion);
    }
    for (link = mr->subregions.head; link; link = link->next) {
        MemoryRegion *other = link->data;

        if (subregion->priority >= other->priority) {
            break;
        }
    }
    if (link) {
        g_queue_insert_before(&mr->subregions, link, subregion);
    } else {
        g_queue_push_tail(&mr->subregions, subregion);
    }
    if (mr->enabled && subregion->enabled) {
        update_pending = true;
    }
    memory_region_transaction_commit();
}

static void memory_region_add_subregion_common(MemoryRegion *mr,
                                               hwaddr offset,
                                               MemoryRegion *subregion)
{
    assert(!subregion->container);
    assert(subregion != mr);
    subregion->container = mr;
    subregion->addr = offset;
    memory_region_update_container_subregions(subregion);
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    subregion->priority = 0;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority)
{
    subregion->priority = priority;
    memory_region_add_subregion_common(mr, offset, subregion);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    bool visible = mr->enabled && subregion->enabled;

    memory_region_transaction_begin();
    assert(subregion->container == mr);
    subregion->container = NULL;
    g_queue_remove(&mr->subregions, subregion);
    if (visible) {
        update_pending = true;
    }
    if (memory_region_link_needs_ref(mr, subregion)) {
        memory_region_unref(subregion);     /* may finalize it */
    }
    memory_region_transaction_commit();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (enabled == mr->enabled) {
        return;
    }
    memory_region_transaction_begin();
    mr->enabled = enabled;
    update_pending = true;
    memory_region_transaction_commit();
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    if (size == mr->size) {
        return;
    }
    /* The flat ranges of a RAM region index its host memory. */
    assert(!mr->ram_mmap_size ||
           (size != UINT64_MAX && size <= mr->ram_mmap_size));
    memory_region_transaction_begin();
    mr->size = size;
    update_pending = true;
    memory_region_transaction_commit();
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    MemoryRegion *container = mr->container;

    if (addr == mr->addr) {
        return;
    }
    if (!container) {
        mr->addr = addr;
        return;
    }
    /* Re-add, so that the sibling order is that of a fresh add (QEMU's
     * memory_region_readd_subregion); the extra reference keeps the
     * region alive while it is out. */
    memory_region_transaction_begin();
    memory_region_ref(mr);
    memory_region_del_subregion(container, mr);
    mr->container = container;
    mr->addr = addr;
    memory_region_update_container_subregions(mr);
    memory_region_unref(mr);
    memory_region_transaction_commit();
}

void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset)
{
    assert(mr->alias);
    if (offset == mr->alias_offset) {
        return;
    }
    memory_region_transaction_begin();
    mr->alias_offset = offset;
    update_pending |= mr->enabled;
    memory_region_transaction_commit();
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    memory_region_transaction_begin();
    mr->readonly = readonly;
    update_pending |= mr->enabled;
    memory_region_transaction_commit();
}

void memory_region_set_lockless(MemoryRegion *mr, bool lockless)
{
    /* Read by vCPU threads at dispatch, without the big lock. */
    __atomic_store_n(&mr->lockless, lockless, __ATOMIC_RELAXED);
}

/* --- accessors ------------------------------------------------------- */

uint64_t memory_region_size(MemoryRegion *mr)
{
    return mr->size;
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

bool memory_region_is_ram(MemoryRegion *mr)
{
    return mr->ram;
}

bool memory_region_is_rom(MemoryRegion *mr)
{
    return mr->ram && mr->readonly;
}

bool memory_region_is_mapped(MemoryRegion *mr)
{
    return mr->container != NULL;
}

Object *memory_region_owner(MemoryRegion *mr)
{
    return OBJECT(mr)->parent;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    hwaddr offset = 0;

    while (mr->alias) {
        offset += mr->alias_offset;
        mr = mr->alias;
    }
    assert(mr->ram_ptr);
    return (uint8_t *)mr->ram_ptr + offset;
}

/* --- flattening ------------------------------------------------------ */

/* [start, start + size): QEMU's AddrRange, in 128 bits. */
typedef struct AddrRange {
    Int128 start;
    Int128 size;
} AddrRange;

static Int128 addrrange_end(AddrRange r)
{
    return r.start + r.size;
}

static bool addrrange_contains(AddrRange r, Int128 addr)
{
    return addr >= r.start && addr < addrrange_end(r);
}

static bool addrrange_intersects(AddrRange r1, AddrRange r2)
{
    return addrrange_contains(r1, r2.start) ||
           addrrange_contains(r2, r1.start);
}

static AddrRange addrrange_intersection(AddrRange r1, AddrRange r2)
{
    Int128 start = MAX(r1.start, r2.start);
    Int128 end = MIN(addrrange_end(r1), addrrange_end(r2));

    return (AddrRange) { start, end - start };
}

/* Inserts a range of @mr at @pos (the caller keeps the order); the view
 * references the region. */
static void flatview_insert(FlatView *view, unsigned pos, MemoryRegion *mr,
                            Int128 start, Int128 size, Int128 offset,
                            bool readonly)
{
    FlatRange *fr;

    if (view->nr == view->nr_allocated) {
        view->nr_allocated = MAX(2 * view->nr, 10);
        view->ranges = g_renew(FlatRange, view->ranges, view->nr_allocated);
    }
    memmove(view->ranges + pos + 1, view->ranges + pos,
            (view->nr - pos) * sizeof(FlatRange));
    fr = &view->ranges[pos];
    fr->start = (hwaddr)start;
    fr->last = (hwaddr)(start + size - 1);
    fr->size = size >= int128_2_64() ? UINT64_MAX : (uint64_t)size;
    fr->mr = mr;
    fr->offset_in_region = (hwaddr)offset;
    fr->readonly = readonly;
    memory_region_ref(mr);
    view->nr++;
}

/* Puts @mr's part of @clip (whose first byte is at @offset in @mr) into
 * the gaps between the ranges already in @view: those win. */
static void flatview_fill_gaps(FlatView *view, MemoryRegion *mr,
                               AddrRange clip, Int128 offset, bool readonly)
{
    Int128 base = clip.start, remain = clip.size, now;
    unsigned i;

    for (i = 0; i < view->nr && remain > 0; i++) {
        Int128 fr_start = view->ranges[i].start;

        if (base >= flatrange_end(&view->ranges[i])) {
            continue;
        }
        if (base < fr_start) {
            now = MIN(remain, fr_start - base);
            flatview_insert(view, i, mr, base, now, offset, readonly);
            i++;
            base += now;
            offset += now;
            remain -= now;
        }
        /* skip what range i (after the insert, the same one) covers */
        now = MIN(base + remain, flatrange_end(&view->ranges[i])) - base;
        base += now;
        offset += now;
        remain -= now;
    }
    if (remain > 0) {
        flatview_insert(view, i, mr, base, remain, offset, readonly);
    }
}

/* QEMU's render_memory_region: renders the part of @mr that falls in
 * @clip into the gaps of @view.  @base is the address of @mr's
 * container; @readonly is inherited from the containers and aliases on
 * the way. */
static void render_memory_region(FlatView *view, MemoryRegion *mr,
                                 Int128 base, AddrRange clip, bool readonly)
{
    AddrRange tmp;

    if (!mr->enabled) {
        return;
    }
    base += mr->addr;
    readonly |= mr->readonly;
    tmp = (AddrRange) { base, mr_size128(mr) };
    if (!addrrange_intersects(tmp, clip)) {
        return;
    }
    clip = addrrange_intersection(tmp, clip);

    if (mr->alias) {
        /* The target is drawn as if its own container sat so that the
         * window's first byte lands at alias_offset of the target. */
        base -= mr->alias->addr;
        base -= mr->alias_offset;
        render_memory_region(view, mr->alias, base, clip, readonly);
        return;
    }
    /* Highest priority first: each fills only what is still free. */
    for (GList *l = mr->subregions.head; l; l = l->next) {
        render_memory_region(view, l->data, base, clip, readonly);
    }
    if (mr->terminates) {
        flatview_fill_gaps(view, mr, clip, clip.start - base, readonly);
    }
}

static bool flatrange_can_merge(const FlatRange *r1, const FlatRange *r2)
{
    return flatrange_end(r1) == (Int128)r2->start &&
           r1->mr == r2->mr &&
           (Int128)r1->offset_in_region + flatrange_end(r1) -
               r1->start == (Int128)r2->offset_in_region &&
           r1->readonly == r2->readonly;
}

/* QEMU's flatview_simplify: merge neighbours that are one piece of one
 * region (a region split by a subregion that was then clipped away, or
 * an alias next to its own target). */
static void flatview_simplify(FlatView *view)
{
    unsigned i = 0, j, k;

    while (i < view->nr) {
        j = i + 1;
        while (j < view->nr &&
               flatrange_can_merge(&view->ranges[j - 1], &view->ranges[j])) {
            Int128 size = flatrange_end(&view->ranges[j]) -
                          view->ranges[i].start;

            view->ranges[i].last = view->ranges[j].last;
            view->ranges[i].size = size >= int128_2_64() ? UINT64_MAX
                                                          : (uint64_t)size;
            j++;
        }
        i++;
        for (k = i; k < j; k++) {
            memory_region_unref(view->ranges[k].mr);
        }
        memmove(&view->ranges[i], &view->ranges[j],
                (view->nr - j) * sizeof(view->ranges[j]));
        view->nr -= j - i;
    }
}

MemoryRegion *memory_region_get_flatview_root(MemoryRegion *mr)
{
    while (mr && mr->enabled) {
        if (mr->alias) {
            if (!mr->alias_offset && mr_size128(mr) >= mr_size128(mr->alias)) {
                /* The whole target shows through: render it instead,
                 * so that more spaces share one view. */
                mr = mr->alias;
                continue;
            }
        } else if (!mr->terminates) {
            unsigned found = 0;
            MemoryRegion *next = NULL;

            for (GList *l = mr->subregions.head; l; l = l->next) {
                MemoryRegion *child = l->data;

                if (!child->enabled) {
                    continue;
                }
                if (++found > 1) {
                    next = NULL;
                    break;
                }
                if (!child->addr && mr_size128(mr) >= mr_size128(child)) {
                    next = child;   /* a lone child shown whole */
                }
            }
            if (found == 0) {
                return NULL;
            }
            if (next) {
                mr = next;
                continue;
            }
        }
        return mr;
    }
    return NULL;
}

FlatView *flatview_render(MemoryRegion *physmr)
{
    FlatView *view = g_new0(FlatView, 1);

    view->ref = 1;
    view->root = physmr;
    memory_region_ref(physmr);
    if (physmr) {
        render_memory_region(view, physmr, 0,
                             (AddrRange) { 0, int128_2_64() }, false);
    }
    flatview_simplify(view);
    return view;
}
