/*
 * memory-mtree.c - `info mtree`: the memory topology as text.
 *
 * Byte for byte QEMU 7.2's mtree_info() (softmmu/memory.c): the tree of
 * every address space (spaces sharing a root printed together, their
 * names sorted), subregions sorted by address then priority, aliases as
 * "alias NAME @TARGET START-END", then one "memory-region:" section per
 * alias target; or, with -f, every FlatView and the spaces that use it.
 * Printing a disabled region is skipped (unless -D) but its subregions
 * are still printed, as QEMU does.
 *
 * One difference: QEMU walks spaces and views out of pointer-keyed hash
 * tables, so their order changes from run to run; here it is the order in
 * which the spaces were initialised.  Not modelled: -d (dispatch tree),
 * "nv-" (non-volatile) and the "romd"/"ramd" kinds (no such regions).
 */
#include "util/osdep.h"
#include "hw/core/qdev.h"
#include "memory-internal.h"

#define MTREE_INDENT "  "
#define FMT_plx "%016" PRIx64

/* The accelerator that `info mtree -f` names after ranges it maps. */
static const char *accel_name;
static bool (*accel_has_memory)(AddressSpace *as, hwaddr start,
                                hwaddr size);

void mtree_set_accel(const char *name,
                     bool (*has_memory)(AddressSpace *as, hwaddr start,
                                        hwaddr size))
{
    accel_name = has_memory ? name : NULL;
    accel_has_memory = has_memory;
}

/* QEMU prints a missing name through printf's "(null)". */
static const char *mr_name(const MemoryRegion *mr)
{
    const char *name = memory_region_name(mr);

    return name ? name : "(null)";
}

static const char *memory_region_type(const MemoryRegion *mr)
{
    if (mr->alias) {
        return memory_region_type(mr->alias);
    }
    if (mr->ram && mr->readonly) {
        return "rom";
    }
    return mr->ram ? "ram" : "i/o";
}

/* QEMU's MR_SIZE: the offset of the last byte (0 for an empty region). */
static hwaddr mr_size_last(const MemoryRegion *mr)
{
    if (mr->size == 0) {
        return 0;
    }
    if (mr->size == UINT64_MAX) {
        return UINT64_MAX;      /* 2^64 bytes */
    }
    return mr->size - 1;
}

static void mtree_expand_owner(GString *out, const char *label, Object *obj)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    g_string_append_printf(out, " %s:{%s", label, dev ? "dev" : "obj");
    if (dev && dev->id) {
        g_string_append_printf(out, " id=%s", dev->id);
    } else {
        g_autofree char *path = object_get_canonical_path(obj);

        if (path) {
            g_string_append_printf(out, " path=%s", path);
        } else {
            g_string_append_printf(out, " type=%s",
                                   object_get_typename(obj));
        }
    }
    g_string_append(out, "}");
}

static void mtree_print_mr_owner(GString *out, const MemoryRegion *mr)
{
    Object *owner = mr->owner;
    Object *parent = mr->parent_obj.parent;

    if (!owner && !parent) {
        g_string_append(out, " orphan");
        return;
    }
    if (owner) {
        mtree_expand_owner(out, "owner", owner);
    }
    if (parent && parent != owner) {
        mtree_expand_owner(out, "parent", parent);
    }
}

typedef struct MtreeOpts {
    GString *out;
    GPtrArray *aliases;         /* alias targets still to print */
    bool owner;
    bool disabled;
} MtreeOpts;

/* The line of @mr itself (not printed if disabled, unless -D). */
static void mtree_print_mr_line(MtreeOpts *o, const MemoryRegion *mr,
                                unsigned level, hwaddr start, hwaddr end)
{
    if (!mr->enabled && !o->disabled) {
        return;
    }
    for (unsigned i = 0; i < level; i++) {
        g_string_append(o->out, MTREE_INDENT);
    }
    g_string_append_printf(o->out, FMT_plx "-" FMT_plx " (prio %d, %s): ",
                           start, end, mr->priority, memory_region_type(mr));
    if (mr->alias) {
        g_string_append_printf(o->out, "alias %s @%s " FMT_plx "-" FMT_plx,
                               mr_name(mr), mr_name(mr->alias),
                               mr->alias_offset,
                               mr->alias_offset + mr_size_last(mr));
    } else {
        g_string_append(o->out, mr_name(mr));
    }
    if (!mr->enabled) {
        g_string_append(o->out, " [disabled]");
    }
    if (o->owner) {
        mtree_print_mr_owner(o->out, mr);
    }
    g_string_append(o->out, "\n");
}

/* @mr's subregions by address, then by descending priority; ties keep
 * the subregion list's order (QEMU's insertion into submr_print_queue). */
static GPtrArray *mtree_sorted_subregions(const MemoryRegion *mr)
{
    GPtrArray *sorted = g_ptr_array_new();

    for (GList *l = mr->subregions.head; l; l = l->next) {
        const MemoryRegion *sub = l->data;
        guint pos = sorted->len;

        for (guint i = 0; i < sorted->len; i++) {
            const MemoryRegion *other = sorted->pdata[i];

            if (sub->addr < other->addr ||
                (sub->addr == other->addr && sub->priority > other->priority)) {
                pos = i;
                break;
            }
        }
        g_ptr_array_insert(sorted, pos, (gpointer)sub);
    }
    return sorted;
}

static void mtree_print_mr(MtreeOpts *o, const MemoryRegion *mr,
                           unsigned level, hwaddr base)
{
    hwaddr cur_start = base + mr->addr;         /* hwaddr arithmetic, */
    hwaddr cur_end = cur_start + mr_size_last(mr);  /* as QEMU's */
    g_autoptr(GPtrArray) subs = NULL;

    /* QEMU's warning for a region that wraps past 2^64 - 1. */
    if (cur_start < base || cur_end < cur_start) {
        g_string_append(o->out, "[DETECTED OVERFLOW!] ");
    }
    if (mr->alias && !g_ptr_array_find(o->aliases, mr->alias, NULL)) {
        g_ptr_array_add(o->aliases, mr->alias);
    }
    mtree_print_mr_line(o, mr, level, cur_start, cur_end);

    subs = mtree_sorted_subregions(mr);
    for (guint i = 0; i < subs->len; i++) {
        mtree_print_mr(o, subs->pdata[i], level + 1, cur_start);
    }
}

/* `info mtree`: spaces grouped by root, then the alias targets. */
static void mtree_info_as(GString *out, bool owner, bool disabled)
{
    MtreeOpts o = {
        .out = out, .aliases = g_ptr_array_new(),
        .owner = owner, .disabled = disabled,
    };
    GPtrArray *roots = g_ptr_array_new();
    GHashTable *names = g_hash_table_new(g_direct_hash, g_direct_equal);

    for (GList *a = memory_address_spaces.head; a; a = a->next) {
        AddressSpace *as = a->data;
        GSList *list = g_hash_table_lookup(names, as->root);

        if (!list) {
            g_ptr_array_add(roots, as->root);
        }
        list = g_slist_insert_sorted(list, as->name,
                                     (GCompareFunc)g_strcmp0);
        g_hash_table_insert(names, as->root, list);
    }
    for (guint i = 0; i < roots->len; i++) {
        GSList *list = g_hash_table_lookup(names, roots->pdata[i]);

        for (GSList *l = list; l; l = l->next) {
            g_string_append_printf(out, "address-space: %s\n",
                                   (char *)l->data);
        }
        mtree_print_mr(&o, roots->pdata[i], 1, 0);
        g_string_append(out, "\n");
        g_slist_free(list);
    }
    /* The array grows while printed: targets of aliases in targets. */
    for (guint i = 0; i < o.aliases->len; i++) {
        const MemoryRegion *mr = o.aliases->pdata[i];

        g_string_append_printf(out, "memory-region: %s\n", mr_name(mr));
        mtree_print_mr(&o, mr, 1, 0);
        g_string_append(out, "\n");
    }
    g_hash_table_unref(names);
    g_ptr_array_unref(roots);
    g_ptr_array_unref(o.aliases);
}

static void mtree_print_flatrange(GString *out, const FlatRange *fr,
                                  GPtrArray *spaces, bool owner)
{
    const MemoryRegion *mr = fr->mr;

    g_string_append_printf(out, MTREE_INDENT FMT_plx "-" FMT_plx
                           " (prio %d, %s): %s", fr->start, fr->last,
                           mr->priority,
                           fr->readonly ? "rom" : memory_region_type(mr),
                           mr_name(mr));
    if (fr->offset_in_region) {
        g_string_append_printf(out, " @" FMT_plx, fr->offset_in_region);
    }
    if (owner) {
        mtree_print_mr_owner(out, mr);
    }
    if (accel_has_memory) {
        for (guint i = 0; i < spaces->len; i++) {
            /* The size wraps to 0 for a 2^64 range, as QEMU's. */
            if (accel_has_memory(spaces->pdata[i], fr->start,
                                 fr->last - fr->start + 1)) {
                g_string_append_printf(out, " %s", accel_name);
            }
        }
    }
    g_string_append(out, "\n");
}

static void mtree_print_flatview(GString *out, unsigned n, FlatView *fv,
                                 GPtrArray *spaces, bool owner)
{
    g_string_append_printf(out, "FlatView #%u\n", n);
    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = spaces->pdata[i];

        g_string_append_printf(out, " AS \"%s\", root: %s", as->name,
                               mr_name(as->root));
        if (as->root->alias) {
            g_string_append_printf(out, ", alias %s",
                                   mr_name(as->root->alias));
        }
        g_string_append(out, "\n");
    }
    g_string_append_printf(out, " Root memory region: %s\n",
                           fv->root ? mr_name(fv->root) : "(none)");
    if (fv->nr == 0) {
        g_string_append(out, MTREE_INDENT "No rendered FlatView\n\n");
        return;
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        mtree_print_flatrange(out, &fv->ranges[i], spaces, owner);
    }
    g_string_append(out, "\n");
}

/* `info mtree -f`: every distinct view, with the spaces showing it. */
static void mtree_info_flatview(GString *out, bool owner)
{
    GPtrArray *views = g_ptr_array_new();
    GHashTable *spaces = g_hash_table_new_full(g_direct_hash,
                                               g_direct_equal, NULL,
                                               (GDestroyNotify)g_ptr_array_unref);

    for (GList *a = memory_address_spaces.head; a; a = a->next) {
        FlatView *fv = address_space_get_flatview(a->data);
        GPtrArray *list = g_hash_table_lookup(spaces, fv);

        if (!list) {
            list = g_ptr_array_new();
            g_hash_table_insert(spaces, fv, list);
            g_ptr_array_add(views, fv);
        } else {
            flatview_unref(fv);         /* one reference per view */
        }
        g_ptr_array_add(list, a->data);
    }
    for (guint i = 0; i < views->len; i++) {
        mtree_print_flatview(out, i, views->pdata[i],
                             g_hash_table_lookup(spaces, views->pdata[i]),
                             owner);
    }
    g_hash_table_unref(spaces);
    g_ptr_array_set_free_func(views, (GDestroyNotify)flatview_unref);
    g_ptr_array_unref(views);
}

void mtree_info_full(GString *out, bool flatview, bool owner, bool disabled)
{
    if (flatview) {
        mtree_info_flatview(out, owner);
    } else {
        mtree_info_as(out, owner, disabled);
    }
}

void mtree_info(GString *out, bool flatview)
{
    mtree_info_full(out, flatview, false, false);
}
