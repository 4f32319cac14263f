/*
 * memory-fixture.h - the memory API tests' fixture (test-memory-region.c,
 * test-address-space.c): an address space "test" (test_as) rooted at a
 * 2^64 container (root), and regions allocated through mr_alloc() so that
 * fixture_done() can destroy them.
 *
 * fixture_init() at the start of a test, fixture_done() (or
 * fixture_done_spaces() for tests that made more spaces) at its end: it
 * destroys the spaces, unparents every region (ownerless regions live
 * under /machine/unattached) and frees them, so the harness sees no leaked
 * object.  One test at a time: the state is file-static.
 */
#ifndef TESTS_UNIT_MEMORY_FIXTURE_H
#define TESTS_UNIT_MEMORY_FIXTURE_H

#include "util/osdep.h"
#include "hw/core/memory.h"

static GPtrArray *regions;      /* MemoryRegion *, g_new0'd, in order */
static AddressSpace test_as;
static MemoryRegion *root;

/* A zeroed region for the test to init, freed by fixture_done(). */
static inline MemoryRegion *mr_alloc(void)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    if (!regions) {
        regions = g_ptr_array_new();
    }
    g_ptr_array_add(regions, mr);
    return mr;
}

static inline MemoryRegion *new_container(const char *name, uint64_t size)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init(mr, NULL, name, size);
    return mr;
}

static inline MemoryRegion *new_alias(const char *name, MemoryRegion *orig,
                                      hwaddr offset, uint64_t size)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init_alias(mr, NULL, name, orig, offset, size);
    return mr;
}

static inline void fixture_init(void)
{
    root = new_container("root", UINT64_MAX);
    address_space_init(&test_as, root, "test");
}

/* Destroys every space the test made (@extra, NULL-terminated), then
 * every region; the later ones first, as an owner would. */
static inline void fixture_done_spaces(AddressSpace *extra, ...)
{
    va_list ap;

    va_start(ap, extra);
    for (AddressSpace *as = extra; as; as = va_arg(ap, AddressSpace *)) {
        address_space_destroy(as);
    }
    va_end(ap);
    if (root) {
        address_space_destroy(&test_as);
        root = NULL;
    }
    for (guint i = regions ? regions->len : 0; i-- > 0;) {
        MemoryRegion *mr = regions->pdata[i];

        if (OBJECT(mr)->parent) {
            object_unparent(OBJECT(mr));
        }
    }
    if (regions) {
        g_ptr_array_set_free_func(regions, g_free);
        g_clear_pointer(&regions, g_ptr_array_unref);
    }
}

static inline void fixture_done(void)
{
    fixture_done_spaces(NULL);
}

#endif /* TESTS_UNIT_MEMORY_FIXTURE_H */
