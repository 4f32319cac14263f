/*
 * test-memory-region.c - memory regions (hw/core/memory.c): the QOM type
 * and lifetimes, RAM, flattening (priorities, overlap, aliases, disabled
 * regions, clipping, merging), transactions, and `info mtree` text
 * (hw/core/memory-mtree.c) checked verbatim against what QEMU 7.2 prints.
 *
 * Every test builds regions with the helpers below and those of
 * memory-fixture.h (ownerless, so they live under /machine/unattached)
 * and an address space "test" rooted at a 2^64 container; fixture_done()
 * destroys the space and unparents every region, so the harness sees no
 * leaked object.
 */
#include "util/osdep.h"
#include "hw/core/memory.h"
#include "harness.h"
#include "memory-fixture.h"

/* --- fixture ---------------------------------------------------------- */

static uint64_t test_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static const MemoryRegionOps test_io_ops = {
    .read = test_io_read,
};

static MemoryRegion *new_io(const char *name, uint64_t size)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init_io(mr, NULL, &test_io_ops, NULL, name, size);
    return mr;
}

static MemoryRegion *new_ram(const char *name, uint64_t size)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init_ram(mr, NULL, name, size, &error_abort);
    return mr;
}

static MemoryRegion *new_rom(const char *name, uint64_t size)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init_rom(mr, NULL, name, size, &error_abort);
    return mr;
}

/* The current view of @as as "START-LAST NAME[@OFFSET][ ro], ...". */
static char *fv_str(AddressSpace *as)
{
    FlatView *fv = address_space_get_flatview(as);
    GString *s = g_string_new("");

    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];

        g_string_append_printf(s, "%s%" PRIx64 "-%" PRIx64 " %s",
                               i ? ", " : "", fr->start, fr->last,
                               memory_region_name(fr->mr));
        if (fr->offset_in_region) {
            g_string_append_printf(s, "@%" PRIx64, fr->offset_in_region);
        }
        if (fr->readonly) {
            g_string_append(s, " ro");
        }
    }
    flatview_unref(fv);
    return g_string_free(s, false);
}

#define ASSERT_VIEW(as, expected) \
    do { \
        g_autofree char *view_ = fv_str(as); \
        CU_ASSERT_STRING_EQUAL(view_, expected); \
        if (strcmp(view_, expected)) { \
            fprintf(stderr, "\n  view: %s\n  want: %s\n", view_, expected); \
        } \
    } while (0)

/* --- QOM and lifetimes --------------------------------------------------- */

static void test_qom_unattached_paths(void)
{
    MemoryRegion *a = new_ram("ram", 0x1000);
    MemoryRegion *b = new_io("ram", 0x10);
    MemoryRegion *c = new_io("a/b[c]\\", 0x10);
    g_autofree char *pa = object_get_canonical_path(OBJECT(a));
    g_autofree char *pb = object_get_canonical_path(OBJECT(b));
    g_autofree char *pc = object_get_canonical_path(OBJECT(c));

    CU_ASSERT_STRING_EQUAL(pa, "/machine/unattached/ram[0]");
    CU_ASSERT_STRING_EQUAL(pb, "/machine/unattached/ram[1]");
    /* QEMU's memory_region_escape_name */
    CU_ASSERT_STRING_EQUAL(pc,
        "/machine/unattached/a\\x2fb\\x5bc\\x5d\\x5c[0]");
    CU_ASSERT_STRING_EQUAL(memory_region_name(c), "a/b[c]\\");
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(a)), "memory-region");
    CU_ASSERT_PTR_EQUAL(memory_region_owner(a),
                        object_resolve_path("/machine/unattached", NULL));
    fixture_done();
}

static void test_qom_properties(void)
{
    MemoryRegion *c, *io;
    g_autofree char *path = NULL;
    g_autofree char *none = NULL;

    fixture_init();
    c = new_container("box", 0x10000);
    io = new_io("dev", 0x100);
    none = object_property_get_str(OBJECT(io), "container", &error_abort);
    CU_ASSERT_STRING_EQUAL(none, "");
    memory_region_add_subregion(root, 0x20000, c);
    memory_region_add_subregion_overlap(c, 0x300, io, -2);
    path = object_property_get_str(OBJECT(io), "container", &error_abort);
    CU_ASSERT_STRING_EQUAL(path, "/machine/unattached/box[0]");
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(io), "addr",
                                             &error_abort), 0x300);
    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(io), "priority",
                                            &error_abort), -2);
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(io), "size",
                                             &error_abort), 0x100);
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(root), "size",
                                             &error_abort), UINT64_MAX);
    CU_ASSERT_TRUE(memory_region_is_mapped(io));
    fixture_done();
}

/* A device that embeds its regions, as devices do. */
#define TYPE_TEST_OWNER "test-mr-owner"

typedef struct TestOwner {
    Object parent_obj;
    MemoryRegion container;
    MemoryRegion ram;
    MemoryRegion io;
    MemoryRegion alias;
} TestOwner;

#define TEST_OWNER(obj) OBJECT_CHECK(TestOwner, (obj), TYPE_TEST_OWNER)

static int owners_finalized;

static void test_owner_finalize(Object *obj)
{
    owners_finalized++;
}

static const TypeInfo test_owner_info = {
    .name = TYPE_TEST_OWNER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(TestOwner),
    .instance_finalize = test_owner_finalize,
};

static void test_owner_register(void)
{
    type_register_static(&test_owner_info);
}

type_init(test_owner_register)

static void test_qom_owner_finalizes_regions(void)
{
    TestOwner *d = TEST_OWNER(object_new(TYPE_TEST_OWNER));
    Object *obj = OBJECT(d);

    fixture_init();
    owners_finalized = 0;
    memory_region_init(&d->container, obj, "bar", 0x10000);
    memory_region_init_ram(&d->ram, obj, "bar-ram", 0x1000, &error_abort);
    memory_region_init_io(&d->io, obj, &test_io_ops, d, "bar-io", 0x10);
    memory_region_init_alias(&d->alias, obj, "bar-alias", &d->ram, 0,
                             0x800);
    CU_ASSERT_STRING_EQUAL(
        object_get_canonical_path_component(OBJECT(&d->ram)), "bar-ram[0]");
    CU_ASSERT_EQUAL(obj->ref, 1);

    /* Subregions and alias targets of the same owner take no reference
     * (the owner would keep itself alive); the outside mapping does. */
    memory_region_add_subregion(&d->container, 0, &d->ram);
    memory_region_add_subregion(&d->container, 0x1000, &d->io);
    memory_region_add_subregion(&d->container, 0x2000, &d->alias);
    CU_ASSERT_EQUAL(obj->ref, 1);
    memory_region_add_subregion(root, 0x100000, &d->container);
    CU_ASSERT_EQUAL(obj->ref, 1 + 1 + 3);   /* mapping + 3 flat ranges */
    ASSERT_VIEW(&test_as, "100000-100fff bar-ram, 101000-10100f bar-io, "
                "102000-1027ff bar-ram");

    /* Dropping the device while mapped: the mapping keeps it alive. */
    object_unref(obj);
    CU_ASSERT_EQUAL(owners_finalized, 0);
    memory_region_del_subregion(root, &d->container);
    CU_ASSERT_EQUAL(owners_finalized, 1);
    fixture_done();
}

/* An owner's children are deleted newest first: a container may die
 * before its subregion of the same owner, or the subregion first, still
 * mapped in the container (it then unmaps itself). */
static void test_qom_owner_child_order(void)
{
    TestOwner *d = TEST_OWNER(object_new(TYPE_TEST_OWNER));
    Object *obj = OBJECT(d);

    memory_region_init_io(&d->io, obj, &test_io_ops, d, "early", 0x10);
    memory_region_init(&d->container, obj, "late", 0x100);
    memory_region_add_subregion(&d->container, 0, &d->io);
    owners_finalized = 0;
    object_unref(obj);
    CU_ASSERT_EQUAL(owners_finalized, 1);

    d = TEST_OWNER(object_new(TYPE_TEST_OWNER));
    obj = OBJECT(d);
    memory_region_init(&d->container, obj, "early", 0x100);
    memory_region_init_io(&d->io, obj, &test_io_ops, d, "late", 0x10);
    memory_region_add_subregion(&d->container, 0, &d->io);
    object_unref(obj);
    CU_ASSERT_EQUAL(owners_finalized, 2);
}

/* An alias keeps its target alive (QEMU leaves that to the owners). */
static void test_qom_alias_holds_target(void)
{
    MemoryRegion *target = new_io("target", 0x100);
    MemoryRegion *alias = new_alias("alias", target, 0x10, 0x10);

    CU_ASSERT_EQUAL(OBJECT(target)->ref, 2);
    object_unparent(OBJECT(target));
    CU_ASSERT_EQUAL(OBJECT(target)->ref, 1);
    CU_ASSERT_STRING_EQUAL(memory_region_name(alias->alias), "target");
    object_unparent(OBJECT(alias));     /* takes the target with it */
    fixture_done();
}

static void test_qom_unnamed(void)
{
    MemoryRegion mr;

    memory_region_init_io(&mr, NULL, &test_io_ops, NULL, NULL, 0x10);
    CU_ASSERT_PTR_NULL(OBJECT(&mr)->parent);
    CU_ASSERT_PTR_NULL(memory_region_name(&mr));
    CU_ASSERT_EQUAL(OBJECT(&mr)->ref, 1);
    object_unref(&mr);
}

/* --- RAM ------------------------------------------------------------------ */

static void test_ram_zeroed_aligned(void)
{
    MemoryRegion *ram = new_ram("ram", 0x2800);
    MemoryRegion *rom = new_rom("rom", 0x1000);
    MemoryRegion *alias = new_alias("win", ram, 0x1000, 0x800);
    MemoryRegion *alias2 = new_alias("win2", alias, 0x10, 0x10);
    uint8_t *p = memory_region_get_ram_ptr(ram);
    uint8_t zero[0x2800] = { 0 };

    CU_ASSERT_EQUAL((uintptr_t)p % sysconf(_SC_PAGESIZE), 0);
    CU_ASSERT_EQUAL(memcmp(p, zero, sizeof(zero)), 0);
    p[0x27ff] = 1;                  /* the whole size is usable */
    CU_ASSERT_TRUE(memory_region_is_ram(ram));
    CU_ASSERT_FALSE(memory_region_is_rom(ram));
    CU_ASSERT_TRUE(memory_region_is_rom(rom));
    CU_ASSERT_FALSE(memory_region_is_ram(alias));
    CU_ASSERT_PTR_EQUAL(memory_region_get_ram_ptr(alias), p + 0x1000);
    CU_ASSERT_PTR_EQUAL(memory_region_get_ram_ptr(alias2), p + 0x1010);
    CU_ASSERT_EQUAL(memory_region_size(ram), 0x2800);
    fixture_done();
}

static void test_ram_alloc_failure(void)
{
    MemoryRegion *mr = mr_alloc();
    Error *err = NULL;

    /* More than any user address space: mmap fails whatever overcommit. */
    CU_ASSERT_FALSE(memory_region_init_ram(mr, NULL, "huge",
                                           UINT64_C(1) << 60, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
        "cannot set up guest memory 'huge': Cannot allocate memory");
    error_free(err);
    err = NULL;
    /* QEMU: the failed region is unparented, i.e. gone. */
    CU_ASSERT_PTR_NULL(OBJECT(mr)->parent);

    mr = mr_alloc();
    CU_ASSERT_FALSE(memory_region_init_rom(mr, NULL, "empty", 0, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
        "cannot set up guest memory 'empty': Invalid argument");
    error_free(err);
    mr = mr_alloc();
    CU_ASSERT_FALSE(memory_region_init_ram(mr, NULL, "all", UINT64_MAX,
                                           NULL));
    fixture_done();
}

/* --- flattening --------------------------------------------------------- */

static void test_flatten_empty(void)
{
    FlatView *fv;

    fixture_init();
    fv = address_space_get_flatview(&test_as);
    CU_ASSERT_EQUAL(fv->nr, 0);
    CU_ASSERT_PTR_NULL(fv->root);       /* QEMU's "(none)" */
    CU_ASSERT_PTR_NULL(flatview_lookup(fv, 0));
    flatview_unref(fv);
    fixture_done();
}

static void test_flatten_priority_overlap(void)
{
    MemoryRegion *a, *b;

    fixture_init();
    a = new_ram("a", 0x2000);
    b = new_io("b", 0x2000);
    memory_region_add_subregion(root, 0, a);
    memory_region_add_subregion_overlap(root, 0x1000, b, 1);
    ASSERT_VIEW(&test_as, "0-fff a, 1000-2fff b");
    memory_region_del_subregion(root, b);
    memory_region_add_subregion_overlap(root, 0x1000, b, -1);
    ASSERT_VIEW(&test_as, "0-1fff a, 2000-2fff b@1000");
    /* Lookups */
    {
        FlatView *fv = address_space_get_flatview(&test_as);

        CU_ASSERT_PTR_EQUAL(flatview_lookup(fv, 0x1fff)->mr, a);
        CU_ASSERT_PTR_EQUAL(flatview_lookup(fv, 0x2000)->mr, b);
        CU_ASSERT_PTR_EQUAL(flatview_lookup(fv, 0x2fff)->mr, b);
        CU_ASSERT_PTR_NULL(flatview_lookup(fv, 0x3000));
        CU_ASSERT_PTR_NULL(flatview_lookup(fv, UINT64_MAX));
        flatview_unref(fv);
    }
    fixture_done();
}

/* Equal priority: QEMU inserts a new subregion before its equals, and
 * the first rendered wins, so the one added last is on top. */
static void test_flatten_equal_priority_later_wins(void)
{
    MemoryRegion *a, *b;

    fixture_init();
    a = new_io("a", 0x2000);
    b = new_io("b", 0x2000);
    memory_region_add_subregion(root, 0, a);
    memory_region_add_subregion(root, 0x1000, b);
    ASSERT_VIEW(&test_as, "0-fff a, 1000-2fff b");
    memory_region_del_subregion(root, a);
    memory_region_add_subregion(root, 0, a);
    ASSERT_VIEW(&test_as, "0-1fff a, 2000-2fff b@1000");
    /* set_address re-adds: the moved one comes out on top */
    memory_region_set_address(b, 0x1800);
    ASSERT_VIEW(&test_as, "0-17ff a, 1800-37ff b");
    fixture_done();
}

static void test_flatten_alias_window(void)
{
    MemoryRegion *ram, *win, *big;

    fixture_init();
    ram = new_ram("ram", 0x4000);
    win = new_alias("win", ram, 0x1000, 0x2000);
    /* an alias larger than what remains of its target is clipped by it */
    big = new_alias("big", ram, 0x3000, 0x8000);
    memory_region_add_subregion(root, 0x100000, ram);
    memory_region_add_subregion(root, 0x10000, win);
    memory_region_add_subregion(root, 0x20000, big);
    ASSERT_VIEW(&test_as, "10000-11fff ram@1000, 20000-20fff ram@3000, "
                "100000-103fff ram");
    memory_region_set_alias_offset(win, 0x2000);
    ASSERT_VIEW(&test_as, "10000-11fff ram@2000, 20000-20fff ram@3000, "
                "100000-103fff ram");
    /* the target moving does not move the window */
    memory_region_set_address(ram, 0x200000);
    ASSERT_VIEW(&test_as, "10000-11fff ram@2000, 20000-20fff ram@3000, "
                "200000-203fff ram");
    fixture_done();
}

static void test_flatten_alias_of_container(void)
{
    MemoryRegion *c, *x, *y, *win;

    fixture_init();
    c = new_container("pci", UINT64_MAX);
    x = new_io("x", 0x1000);
    y = new_io("y", 0x1000);
    memory_region_add_subregion(c, 0x4000, x);
    memory_region_add_subregion(c, 0x6000, y);
    win = new_alias("pci-win", c, 0x3000, 0x2000);
    memory_region_add_subregion(root, 0x20000, win);
    /* the window shows x; the empty rest of the container is see-through */
    ASSERT_VIEW(&test_as, "21000-21fff x");
    fixture_done();
}

static void test_flatten_disabled(void)
{
    MemoryRegion *low, *high, *box, *inner;

    fixture_init();
    low = new_ram("low", 0x3000);
    high = new_io("high", 0x1000);
    box = new_container("box", 0x1000);
    inner = new_io("inner", 0x100);
    memory_region_add_subregion(root, 0, low);
    memory_region_add_subregion_overlap(root, 0x1000, high, 1);
    memory_region_add_subregion(root, 0x10000, box);
    memory_region_add_subregion(box, 0, inner);
    ASSERT_VIEW(&test_as, "0-fff low, 1000-1fff high, 2000-2fff low@2000, "
                "10000-100ff inner");
    memory_region_set_enabled(high, false);
    memory_region_set_enabled(box, false);
    /* and the pieces of low merge back into one range */
    ASSERT_VIEW(&test_as, "0-2fff low");
    memory_region_set_enabled(box, true);
    ASSERT_VIEW(&test_as, "0-2fff low, 10000-100ff inner");
    fixture_done();
}

static void test_flatten_nested_containers(void)
{
    MemoryRegion *outer, *mid, *ram, *io;

    fixture_init();
    outer = new_container("outer", 0x100000);
    mid = new_container("mid", 0x1000);
    ram = new_ram("ram", 0x2000);
    io = new_io("io", 0x10);
    memory_region_add_subregion(root, 0x40000000, outer);
    memory_region_add_subregion(outer, 0x5000, mid);
    /* the container's size clips its children */
    memory_region_add_subregion(mid, 0x800, ram);
    memory_region_add_subregion_overlap(mid, 0x900, io, 1);
    ASSERT_VIEW(&test_as, "40005800-400058ff ram, 40005900-4000590f io, "
                "40005910-40005fff ram@110");
    memory_region_set_size(mid, 0x10000);
    ASSERT_VIEW(&test_as, "40005800-400058ff ram, 40005900-4000590f io, "
                "40005910-400077ff ram@110");
    memory_region_set_address(mid, 0xfff000);   /* outside outer */
    ASSERT_VIEW(&test_as, "");
    fixture_done();
}

static void test_flatten_adjacent_merge(void)
{
    MemoryRegion *ram, *lo, *hi, *swapped;

    fixture_init();
    ram = new_ram("ram", 0x2000);
    lo = new_alias("lo", ram, 0, 0x1000);
    hi = new_alias("hi", ram, 0x1000, 0x1000);
    memory_region_add_subregion(root, 0x10000, lo);
    memory_region_add_subregion(root, 0x11000, hi);
    /* two aliases that happen to be one piece: one range */
    ASSERT_VIEW(&test_as, "10000-11fff ram");
    /* not contiguous in the region: two ranges */
    swapped = new_alias("swapped", ram, 0, 0x1000);
    memory_region_add_subregion(root, 0x12000, swapped);
    ASSERT_VIEW(&test_as, "10000-11fff ram, 12000-12fff ram");
    /* same region and contiguous, but read-only differs: not merged */
    memory_region_set_readonly(hi, true);
    ASSERT_VIEW(&test_as, "10000-10fff ram, 11000-11fff ram@1000 ro, "
                "12000-12fff ram");
    fixture_done();
}

static void test_flatten_readonly_inherited(void)
{
    MemoryRegion *box, *ram, *rom;

    fixture_init();
    box = new_container("box", 0x10000);
    ram = new_ram("ram", 0x1000);
    rom = new_rom("rom", 0x1000);
    memory_region_add_subregion(box, 0, ram);
    memory_region_add_subregion(root, 0, box);
    memory_region_add_subregion(root, 0x20000, rom);
    ASSERT_VIEW(&test_as, "0-fff ram, 20000-20fff rom ro");
    memory_region_set_readonly(box, true);
    ASSERT_VIEW(&test_as, "0-fff ram ro, 20000-20fff rom ro");
    fixture_done();
}

/* Sizes of 2^64 and regions that run past the end of the space. */
static void test_flatten_full_2_64(void)
{
    MemoryRegion *all, *top;
    FlatView *fv;

    fixture_init();
    all = new_io("all", UINT64_MAX);            /* 2^64 */
    top = new_ram("top", 0x2000);
    memory_region_add_subregion_overlap(root, 0, all, -1);
    fv = address_space_get_flatview(&test_as);
    CU_ASSERT_EQUAL(fv->nr, 1);
    CU_ASSERT_EQUAL(fv->ranges[0].start, 0);
    CU_ASSERT_EQUAL(fv->ranges[0].last, UINT64_MAX);
    CU_ASSERT_EQUAL(fv->ranges[0].size, UINT64_MAX);   /* saturated */
    CU_ASSERT_PTR_EQUAL(fv->root, all);    /* a lone child shown whole */
    flatview_unref(fv);

    /* clipped at 2^64 - 1 */
    memory_region_add_subregion(root, UINT64_C(0xfffffffffffff000), top);
    ASSERT_VIEW(&test_as, "0-ffffffffffffefff all, "
                "fffffffffffff000-ffffffffffffffff top");
    fv = address_space_get_flatview(&test_as);
    CU_ASSERT_EQUAL(fv->ranges[0].size, UINT64_C(0xfffffffffffff000));
    CU_ASSERT_EQUAL(fv->ranges[0].last, UINT64_C(0xffffffffffffefff));
    flatview_unref(fv);
    fixture_done();
}

/* Spaces whose roots render alike share one view (QEMU's flatview root):
 * an alias showing a whole region, a container with one child at 0. */
static void test_flatten_shared_view(void)
{
    AddressSpace as2, as3;
    MemoryRegion *wrap, *whole;
    FlatView *v1, *v2, *v3;

    fixture_init();
    memory_region_add_subregion(root, 0x1000, new_io("a", 0x10));
    memory_region_add_subregion(root, 0x2000, new_io("b", 0x10));
    wrap = new_container("wrap", UINT64_MAX);
    whole = new_alias("whole", root, 0, UINT64_MAX);
    memory_region_add_subregion(wrap, 0, whole);
    address_space_init(&as2, wrap, "wrapped");
    address_space_init(&as3, root, "same-root");
    v1 = address_space_get_flatview(&test_as);
    v2 = address_space_get_flatview(&as2);
    v3 = address_space_get_flatview(&as3);
    CU_ASSERT_PTR_EQUAL(v1, v2);
    CU_ASSERT_PTR_EQUAL(v1, v3);
    CU_ASSERT_PTR_EQUAL(v1->root, root);
    flatview_unref(v1);
    flatview_unref(v2);
    flatview_unref(v3);
    fixture_done_spaces(&as2, &as3, NULL);
}

/* --- transactions ------------------------------------------------------- */

typedef struct CountingListener {
    MemoryListener l;
    int begins, commits, adds, dels;
} CountingListener;

static void cl_begin(MemoryListener *l)
{
    container_of(l, CountingListener, l)->begins++;
}

static void cl_commit(MemoryListener *l)
{
    container_of(l, CountingListener, l)->commits++;
}

static void cl_add(MemoryListener *l, const FlatRange *fr)
{
    container_of(l, CountingListener, l)->adds++;
}

static void cl_del(MemoryListener *l, const FlatRange *fr)
{
    container_of(l, CountingListener, l)->dels++;
}

static CountingListener counting = {
    .l = { .begin = cl_begin, .commit = cl_commit, .region_add = cl_add,
           .region_del = cl_del, .name = "counting" },
};

static void counting_reset(void)
{
    counting.begins = counting.commits = counting.adds = counting.dels = 0;
}

static void test_transaction_batched(void)
{
    MemoryRegion *a, *b;

    fixture_init();
    a = new_ram("a", 0x1000);
    b = new_ram("b", 0x1000);
    memory_listener_register(&counting.l, &test_as);
    counting_reset();

    /* unbatched: three re-renders */
    memory_region_add_subregion(root, 0, a);
    memory_region_set_address(a, 0x1000);
    memory_region_set_address(a, 0x2000);
    CU_ASSERT_EQUAL(counting.commits, 3);
    CU_ASSERT_EQUAL(counting.adds, 3);
    CU_ASSERT_EQUAL(counting.dels, 2);

    /* batched: one, reporting only the net change */
    counting_reset();
    memory_region_transaction_begin();
    memory_region_add_subregion(root, 0x10000, b);
    memory_region_set_address(b, 0x11000);
    memory_region_set_address(a, 0x3000);
    memory_region_set_address(a, 0x2000);       /* back where it was */
    CU_ASSERT_EQUAL(counting.commits, 0);
    memory_region_transaction_commit();
    CU_ASSERT_EQUAL(counting.begins, 1);
    CU_ASSERT_EQUAL(counting.commits, 1);
    CU_ASSERT_EQUAL(counting.adds, 1);          /* b at 0x11000 */
    CU_ASSERT_EQUAL(counting.dels, 0);          /* a did not change */
    ASSERT_VIEW(&test_as, "2000-2fff a, 11000-11fff b");
    memory_listener_unregister(&counting.l, &test_as);
    fixture_done();
}

static void test_transaction_nested(void)
{
    MemoryRegion *a;
    FlatView *before, *during, *after;

    fixture_init();
    a = new_io("a", 0x10);
    before = address_space_get_flatview(&test_as);
    memory_region_transaction_begin();
    memory_region_transaction_begin();
    memory_region_add_subregion(root, 0, a);
    memory_region_transaction_commit();
    during = address_space_get_flatview(&test_as);
    CU_ASSERT_PTR_EQUAL(before, during);        /* inner commit: nothing */
    memory_region_transaction_commit();
    after = address_space_get_flatview(&test_as);
    CU_ASSERT_PTR_NOT_EQUAL(before, after);
    CU_ASSERT_EQUAL(after->nr, 1);
    flatview_unref(before);
    flatview_unref(during);
    flatview_unref(after);
    fixture_done();
}

/* A change nothing can see does not re-render. */
static void test_transaction_invisible_change(void)
{
    MemoryRegion *off;
    FlatView *before, *after;

    fixture_init();
    off = new_io("off", 0x10);
    memory_region_set_enabled(off, false);
    memory_listener_register(&counting.l, &test_as);
    counting_reset();
    before = address_space_get_flatview(&test_as);
    memory_region_add_subregion(root, 0, off);
    memory_region_set_enabled(off, false);
    memory_region_set_readonly(off, true);
    memory_region_set_address(new_io("loose", 0x10), 0x1000);
    after = address_space_get_flatview(&test_as);
    CU_ASSERT_PTR_EQUAL(before, after);
    CU_ASSERT_EQUAL(counting.begins, 0);
    flatview_unref(before);
    flatview_unref(after);
    memory_listener_unregister(&counting.l, &test_as);
    fixture_done();
}

/* --- info mtree ------------------------------------------------------- */

#define ASSERT_TEXT(got, want) \
    do { \
        CU_ASSERT_STRING_EQUAL(got, want); \
        if (strcmp(got, want)) { \
            fprintf(stderr, "\n--- got:\n%s--- want:\n%s---\n", got, want); \
        } \
    } while (0)

static char *mtree(bool flatview, bool owner, bool disabled)
{
    GString *out = g_string_new("");

    mtree_info_full(out, flatview, owner, disabled);
    return g_string_free(out, false);
}

/* `qemu-system-x86_64 -machine none`: checked against QEMU 7.2.22, but
 * for the order of the two spaces (QEMU's varies from run to run). */
static void test_mtree_machine_none(void)
{
    MemoryRegion sysmem, sysio;
    AddressSpace as_mem, as_io;
    g_autofree char *tree = NULL;
    g_autofree char *flat = NULL;

    memory_map_init(&sysmem, &sysio, &as_mem, &as_io);
    tree = mtree(false, false, false);
    flat = mtree(true, false, false);
    ASSERT_TEXT(tree,
        "address-space: memory\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
        "\n"
        "address-space: I/O\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
        "\n");
    ASSERT_TEXT(flat,
        "FlatView #0\n"
        " AS \"memory\", root: system\n"
        " Root memory region: (none)\n"
        "  No rendered FlatView\n"
        "\n"
        "FlatView #1\n"
        " AS \"I/O\", root: io\n"
        " Root memory region: io\n"
        "  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
        "\n");
    memory_map_cleanup(&sysmem, &sysio, &as_mem, &as_io);
}

/* A slice of the pc machine (QEMU 7.2 -machine pc -nodefaults, whose
 * `info mtree` has these very lines). */
typedef struct PcLike {
    MemoryRegion sysmem, sysio;
    AddressSpace as_mem, as_io, as_cpu;
} PcLike;

static void pc_like_init(PcLike *pc)
{
    MemoryRegion *pci, *bios, *rtc;

    memory_map_init(&pc->sysmem, &pc->sysio, &pc->as_mem, &pc->as_io);
    address_space_init(&pc->as_cpu, &pc->sysmem, "cpu-memory-0");
    new_ram("pc.ram", 0x8000000);
    memory_region_add_subregion(&pc->sysmem, 0,
        new_alias("ram-below-4g", regions->pdata[0], 0, 0x8000000));
    pci = new_container("pci", UINT64_MAX);
    memory_region_add_subregion_overlap(&pc->sysmem, 0, pci, -1);
    bios = new_rom("pc.bios", 0x40000);
    memory_region_add_subregion(pci, 0xfffc0000, bios);
    memory_region_add_subregion_overlap(pci, 0xe0000,
        new_alias("isa-bios", bios, 0x20000, 0x20000), 1);
    memory_region_add_subregion_overlap(pci, 0xc0000,
                                        new_rom("pc.rom", 0x20000), 1);
    memory_region_add_subregion_overlap(&pc->sysmem, 0xa0000,
        new_alias("smram-region", pci, 0xa0000, 0x20000), 1);
    memory_region_add_subregion_overlap(&pc->sysmem, 0xc0000,
        new_alias("pam-pci", pci, 0xc0000, 0x40000), 1);
    memory_region_add_subregion(&pc->sysmem, 0xfec00000,
                                new_io("ioapic", 0x1000));
    rtc = new_io("rtc", 2);
    memory_region_add_subregion(rtc, 0, new_io("rtc-index", 1));
    memory_region_add_subregion(&pc->sysio, 0x70, rtc);
    memory_region_add_subregion(&pc->sysio, 0x3f8, new_io("serial", 8));
}

static void pc_like_done(PcLike *pc)
{
    address_space_destroy(&pc->as_cpu);
    memory_map_cleanup(&pc->sysmem, &pc->sysio, &pc->as_mem, &pc->as_io);
    fixture_done();
}

static void test_mtree_pc_like(void)
{
    PcLike pc;
    g_autofree char *tree = NULL;

    pc_like_init(&pc);
    tree = mtree(false, false, false);
    ASSERT_TEXT(tree,
"address-space: cpu-memory-0\n"
"address-space: memory\n"
"  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n"
"    0000000000000000-0000000007ffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-0000000007ffffff\n"
"    0000000000000000-ffffffffffffffff (prio -1, i/o): pci\n"
"      00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
"      00000000000e0000-00000000000fffff (prio 1, rom): alias isa-bios @pc.bios 0000000000020000-000000000003ffff\n"
"      00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
"    00000000000a0000-00000000000bffff (prio 1, i/o): alias smram-region @pci 00000000000a0000-00000000000bffff\n"
"    00000000000c0000-00000000000fffff (prio 1, i/o): alias pam-pci @pci 00000000000c0000-00000000000fffff\n"
"    00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n"
"\n"
"address-space: I/O\n"
"  0000000000000000-000000000000ffff (prio 0, i/o): io\n"
"    0000000000000070-0000000000000071 (prio 0, i/o): rtc\n"
"      0000000000000070-0000000000000070 (prio 0, i/o): rtc-index\n"
"    00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
"\n"
"memory-region: pc.ram\n"
"  0000000000000000-0000000007ffffff (prio 0, ram): pc.ram\n"
"\n"
"memory-region: pc.bios\n"
"  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
"\n"
"memory-region: pci\n"
"  0000000000000000-ffffffffffffffff (prio -1, i/o): pci\n"
"    00000000000c0000-00000000000dffff (prio 1, rom): pc.rom\n"
"    00000000000e0000-00000000000fffff (prio 1, rom): alias isa-bios @pc.bios 0000000000020000-000000000003ffff\n"
"    00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
"\n");
    pc_like_done(&pc);
}

/* Also checked against QEMU 7.2.22 (-accel kvm: the same ranges, plus
 * " KVM"; see test_mtree_accel_hook). */
static const char pc_like_flat[] =
"FlatView #0\n"
" AS \"memory\", root: system\n"
" AS \"cpu-memory-0\", root: system\n"
" Root memory region: system\n"
"  0000000000000000-00000000000bffff (prio 0, ram): pc.ram%1$s\n"
"  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom%1$s\n"
"  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000%1$s\n"
"  0000000000100000-0000000007ffffff (prio 0, ram): pc.ram @0000000000100000%1$s\n"
"  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n"
"  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios%1$s\n"
"\n"
"FlatView #1\n"
" AS \"I/O\", root: io\n"
" Root memory region: io\n"
"  0000000000000000-000000000000006f (prio 0, i/o): io\n"
"  0000000000000070-0000000000000070 (prio 0, i/o): rtc-index\n"
"  0000000000000071-0000000000000071 (prio 0, i/o): rtc @0000000000000001\n"
"  0000000000000072-00000000000003f7 (prio 0, i/o): io @0000000000000072\n"
"  00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
"  0000000000000400-000000000000ffff (prio 0, i/o): io @0000000000000400\n"
"\n";

static void test_mtree_flatview_pc_like(void)
{
    PcLike pc;
    g_autofree char *flat = NULL;
    g_autofree char *want = g_strdup_printf(pc_like_flat, "");

    pc_like_init(&pc);
    flat = mtree(true, false, false);
    ASSERT_TEXT(flat, want);
    pc_like_done(&pc);
}

static AddressSpace *kvm_space;

static bool fake_kvm_has_memory(AddressSpace *as, hwaddr start, hwaddr size)
{
    const FlatRange *fr;
    FlatView *fv;
    bool ram;

    if (as != kvm_space) {
        return false;
    }
    fv = address_space_get_flatview(as);
    fr = flatview_lookup(fv, start);
    ram = fr && fr->mr->ram && fr->last - fr->start + 1 == size;
    flatview_unref(fv);
    return ram;
}

static void test_mtree_accel_hook(void)
{
    PcLike pc;
    g_autofree char *flat = NULL;
    g_autofree char *want = g_strdup_printf(pc_like_flat, " KVM");

    pc_like_init(&pc);
    kvm_space = &pc.as_mem;     /* only the space KVM listens to */
    mtree_set_accel("KVM", fake_kvm_has_memory);
    flat = mtree(true, false, false);
    mtree_set_accel(NULL, NULL);
    ASSERT_TEXT(flat, want);
    pc_like_done(&pc);
}

/* QEMU skips a disabled region's line but not its subregions'. */
static void test_mtree_disabled(void)
{
    MemoryRegion *box, *win;
    g_autofree char *tree = NULL;
    g_autofree char *all = NULL;

    fixture_init();
    box = new_container("acpi", 0x40);
    memory_region_add_subregion(box, 0, new_io("acpi-evt", 4));
    memory_region_add_subregion(box, 4, new_io("acpi-cnt", 2));
    memory_region_add_subregion(root, 0x600, box);
    memory_region_set_enabled(box, false);
    win = new_alias("win", box, 0, 4);
    memory_region_add_subregion(root, 0x1000, win);
    memory_region_set_enabled(win, false);
    tree = mtree(false, false, false);
    all = mtree(false, false, true);
    ASSERT_TEXT(tree,
        "address-space: test\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): root\n"
        "      0000000000000600-0000000000000603 (prio 0, i/o): acpi-evt\n"
        "      0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
        "\n"
        "memory-region: acpi\n"
        "    0000000000000600-0000000000000603 (prio 0, i/o): acpi-evt\n"
        "    0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
        "\n");
    ASSERT_TEXT(all,
        "address-space: test\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): root\n"
        "    0000000000000600-000000000000063f (prio 0, i/o): acpi [disabled]\n"
        "      0000000000000600-0000000000000603 (prio 0, i/o): acpi-evt\n"
        "      0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
        "    0000000000001000-0000000000001003 (prio 0, i/o): alias win @acpi 0000000000000000-0000000000000003 [disabled]\n"
        "\n"
        "memory-region: acpi\n"
        "  0000000000000600-000000000000063f (prio 0, i/o): acpi [disabled]\n"
        "    0000000000000600-0000000000000603 (prio 0, i/o): acpi-evt\n"
        "    0000000000000604-0000000000000605 (prio 0, i/o): acpi-cnt\n"
        "\n");
    fixture_done();
}

static void test_mtree_owner(void)
{
    Object *dev = object_new(TYPE_CONTAINER);
    MemoryRegion *io = mr_alloc();
    MemoryRegion unnamed;
    g_autofree char *tree = NULL;
    g_autofree char *flat = NULL;

    fixture_init();
    object_property_add_child(container_get(object_get_root(), "/test"),
                              "dev", dev);
    object_unref(dev);
    memory_region_init_io(io, dev, &test_io_ops, NULL, "dev-io", 0x10);
    memory_region_init_io(&unnamed, NULL, &test_io_ops, NULL, NULL, 0x10);
    memory_region_add_subregion(root, 0x1000, io);
    memory_region_add_subregion(root, 0x2000, &unnamed);
    tree = mtree(false, true, false);
    flat = mtree(true, true, false);
    ASSERT_TEXT(tree,
        "address-space: test\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): root parent:{obj path=/machine/unattached}\n"
        "    0000000000001000-000000000000100f (prio 0, i/o): dev-io owner:{obj path=/test/dev}\n"
        "    0000000000002000-000000000000200f (prio 0, i/o): (null) orphan\n"
        "\n");
    ASSERT_TEXT(flat,
        "FlatView #0\n"
        " AS \"test\", root: root\n"
        " Root memory region: root\n"
        "  0000000000001000-000000000000100f (prio 0, i/o): dev-io owner:{obj path=/test/dev}\n"
        "  0000000000002000-000000000000200f (prio 0, i/o): (null) orphan\n"
        "\n");
    memory_region_del_subregion(root, &unnamed);
    object_unref(&unnamed);
    /* An owned region must be unmapped before its owner goes. */
    memory_region_del_subregion(root, io);
    object_unparent(container_get(object_get_root(), "/test"));
    fixture_done();
}

/* QEMU's warning for a region running past 2^64 - 1. */
static void test_mtree_overflow(void)
{
    g_autofree char *tree = NULL;

    fixture_init();
    memory_region_add_subregion(root, UINT64_C(0xfffffffffffff000),
                                new_io("top", 0x2000));
    tree = mtree(false, false, false);
    ASSERT_TEXT(tree,
        "address-space: test\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): root\n"
        "[DETECTED OVERFLOW!]     fffffffffffff000-0000000000000fff (prio 0, i/o): top\n"
        "\n");
    fixture_done();
}

int main(int argc, char **argv)
{
    /* Containers made by container_get live as long as the process:
     * make them before the harness counts objects. */
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/memory/qom/unattached-paths", test_qom_unattached_paths);
    harness_add("/memory/qom/properties", test_qom_properties);
    harness_add("/memory/qom/owner-finalizes-regions",
                test_qom_owner_finalizes_regions);
    harness_add("/memory/qom/owner-child-order", test_qom_owner_child_order);
    harness_add("/memory/qom/alias-holds-target",
                test_qom_alias_holds_target);
    harness_add("/memory/qom/unnamed", test_qom_unnamed);
    harness_add("/memory/ram/zeroed-aligned", test_ram_zeroed_aligned);
    harness_add("/memory/ram/alloc-failure", test_ram_alloc_failure);
    harness_add("/memory/flatten/empty", test_flatten_empty);
    harness_add("/memory/flatten/priority-overlap",
                test_flatten_priority_overlap);
    harness_add("/memory/flatten/equal-priority-later-wins",
                test_flatten_equal_priority_later_wins);
    harness_add("/memory/flatten/alias-window", test_flatten_alias_window);
    harness_add("/memory/flatten/alias-of-container",
                test_flatten_alias_of_container);
    harness_add("/memory/flatten/disabled", test_flatten_disabled);
    harness_add("/memory/flatten/nested-containers",
                test_flatten_nested_containers);
    harness_add("/memory/flatten/adjacent-merge",
                test_flatten_adjacent_merge);
    harness_add("/memory/flatten/readonly-inherited",
                test_flatten_readonly_inherited);
    harness_add("/memory/flatten/full-2-64", test_flatten_full_2_64);
    harness_add("/memory/flatten/shared-view", test_flatten_shared_view);
    harness_add("/memory/transaction/batched", test_transaction_batched);
    harness_add("/memory/transaction/nested", test_transaction_nested);
    harness_add("/memory/transaction/invisible-change",
                test_transaction_invisible_change);
    harness_add("/memory/mtree/machine-none", test_mtree_machine_none);
    harness_add("/memory/mtree/pc-like", test_mtree_pc_like);
    harness_add("/memory/mtree/flatview-pc-like",
                test_mtree_flatview_pc_like);
    harness_add("/memory/mtree/accel-hook", test_mtree_accel_hook);
    harness_add("/memory/mtree/disabled", test_mtree_disabled);
    harness_add("/memory/mtree/owner", test_mtree_owner);
    harness_add("/memory/mtree/overflow", test_mtree_overflow);
    return harness_run(argc, argv);
}
