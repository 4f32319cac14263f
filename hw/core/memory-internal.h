/*
 * memory-internal.h - what memory.c, address-space.c, memory-dispatch.c
 * and memory-mtree.c share and nobody else sees: 128-bit range arithmetic, the list of
 * address spaces, rendering and the FlatView life cycle.
 */
#ifndef HW_CORE_MEMORY_INTERNAL_H
#define HW_CORE_MEMORY_INTERNAL_H

#include "hw/core/memory.h"

/*
 * Int128: QEMU's type for addresses and sizes that may reach 2^64.  Signed,
 * because rendering an alias subtracts the alias offset from a base that
 * may be smaller (QEMU's AddrRange note); values stay within +-2^66, far
 * from overflow.
 */
typedef __int128 Int128;

static inline Int128 int128_2_64(void)
{
    return (Int128)1 << 64;
}

/* A region's size as a number: UINT64_MAX stands for 2^64. */
static inline Int128 mr_size128(const MemoryRegion *mr)
{
    return mr->size == UINT64_MAX ? int128_2_64() : (Int128)mr->size;
}

/* One past the last byte of @fr, exact even for a 2^64 range. */
static inline Int128 flatrange_end(const FlatRange *fr)
{
    return (Int128)fr->last + 1;
}

/* --- memory.c -------------------------------------------------------- */

/* Renders @physmr (may be NULL: an empty view) into a new view, refcount
 * 1, with adjacent pieces merged (QEMU's generate_memory_topology). */
FlatView *flatview_render(MemoryRegion *physmr);
/* QEMU's memory_region_get_flatview_root: the region whose rendering
 * equals @mr's (looking through whole-region aliases and lone children),
 * or NULL if nothing is visible; spaces with the same one share a view. */
MemoryRegion *memory_region_get_flatview_root(MemoryRegion *mr);

/* --- address-space.c ------------------------------------------------- */

/* Every initialised AddressSpace *, in init order.  Big lock. */
extern GQueue memory_address_spaces;

/* Re-renders every space and tells listeners (commit time). */
void address_spaces_update_topology(void);
void flatview_ref(FlatView *fv);
/* Index of the first range whose last byte is at or after @addr (nr if
 * none): the range containing @addr, or the one after the hole there. */
unsigned flatview_bsearch(const FlatView *fv, hwaddr addr);
/* Frees the views whose last reference was dropped (big lock). */
void flatview_reclaim(void);

#endif /* HW_CORE_MEMORY_INTERNAL_H */
