/*
 * memory.h - the memory API: what a guest address means, after QEMU 7.2's
 * include/exec/memory.h.
 *
 * A MemoryRegion is RAM (host memory the guest maps directly), I/O
 * (callbacks for each access), an alias (a window onto part of another
 * region) or a container (subregions placed at offsets, with priorities;
 * a higher priority wins where subregions overlap).  An AddressSpace has a
 * root region; "flattening" it gives a FlatView, the sorted list of
 * non-overlapping ranges that is actually visible, and that is what
 * dispatch (a binary search) and the accelerator's memory slots use.
 *
 * Threads: the topology (add/del subregion, enable, set_address, ...)
 * changes under the big lock only.  address_space_rw and the
 * FlatView lookup may run on any thread (vCPU threads do): a FlatView is
 * immutable and reference-counted, swapped atomically on commit.  The
 * region's ops run with the big lock held, unless the region opts out
 * (memory_region_set_lockless), e.g. virtio notify.
 *
 * Not modelled: IOMMUs, endianness other than little, MemTxAttrs beyond
 * "unspecified", dirty logging, RAM migration.
 */
#ifndef HW_CORE_MEMORY_H
#define HW_CORE_MEMORY_H

#include "qom/object.h"

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;

#define TYPE_MEMORY_REGION "memory-region"
#define MEMORY_REGION(obj) OBJECT_CHECK(MemoryRegion, (obj), TYPE_MEMORY_REGION)

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,            /* device returned an error */
    MEMTX_DECODE_ERROR = 2,     /* nothing at that address */
} MemTxResult;

/**
 * MemoryRegionOps: how an I/O region is accessed.
 * @valid: what the guest may do: an access outside these sizes (or
 *   unaligned when !unaligned) is refused (reads return all-ones, writes
 *   are dropped, both logged under guest_errors).  0 means 1..4.
 * @impl: what the callbacks implement: larger accesses are split into
 *   several calls, smaller ones widened (read-modify for writes is NOT
 *   done: a narrow write becomes a wide write of the shifted value with
 *   only the accessed bytes meaningful, as QEMU does).  0 means 1..4.
 * Callbacks get the offset within the region and the size in bytes; the
 * value is little-endian in the low @size bytes.
 */
typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
} MemoryRegionOps;

struct MemoryRegion {
    Object parent_obj;
    /* private: */
    const MemoryRegionOps *ops;
    void *opaque;
    Object *owner;              /* the device this region belongs to */
    MemoryRegion *container;    /* where it is mapped, or NULL */
    MemoryRegion *alias;        /* alias target (holds a reference) */
    hwaddr alias_offset;
    uint64_t size;              /* bytes; UINT64_MAX... see int128 note */
    hwaddr addr;                /* offset within container */
    int priority;
    bool enabled;
    bool ram;
    bool readonly;              /* ROM: writes are ignored */
    bool lockless;              /* ops run without the big lock */
    bool is_container;
    bool terminates;            /* ram or io: ends the flattening */
    void *ram_ptr;              /* host memory for ram regions */
    size_t ram_mmap_size;       /* what to munmap, 0 if not ours */
    char *name;
    GQueue subregions;          /* MemoryRegion *, sorted by priority desc */
};

/* -- Initialisers: @owner may be NULL; the region becomes a child
 * "@name[*]" of @owner (or of /machine/unattached) as in QEMU. ------- */

/* A container with no content of its own; @size may be UINT64_MAX for
 * "the whole space" (treated as 2^64). */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* Anonymous host memory, zeroed, page aligned.  Fails (errp) if the host
 * cannot allocate it: "cannot set up guest memory 'NAME': <strerror>". */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
bool memory_region_init_rom(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);

/* -- Topology (big lock) ------------------------------------------- */

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_lockless(MemoryRegion *mr, bool lockless);

/* Batch several changes into one re-flattening (nestable). */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

uint64_t memory_region_size(MemoryRegion *mr);
const char *memory_region_name(const MemoryRegion *mr);
bool memory_region_is_ram(MemoryRegion *mr);
/* Host pointer to the start of a ram region (or of its alias target). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/* -- Address spaces -------------------------------------------------- */

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    FlatView *current;          /* atomic pointer; see address_space_get_flatview */
    GRWLock lock;               /* guards the swap of @current only */
    GSList *listeners;
};

/* The two spaces of the machine (created by the machine, see
 * machine.h): guest physical memory and x86 I/O ports. */
AddressSpace *address_space_memory_get(void);
AddressSpace *address_space_io_get(void);

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void address_space_destroy(AddressSpace *as);

/**
 * address_space_rw: a guest access of @len bytes at @addr.
 * RAM is copied; I/O regions get one or more callback calls sized as their
 * ops allow.  Unassigned addresses read as all-ones and ignore writes;
 * both are logged under guest_errors.  Any thread.
 * Returns MEMTX_OK or the worst result seen.
 */
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf,
                             hwaddr len, bool is_write);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len);

/**
 * address_space_map_ram: a host pointer for [addr, addr + len) if the
 * whole range is RAM and contiguous in one region (DMA fast path), else
 * NULL.  @is_write refuses ROM.  The pointer stays valid while the
 * region stays mapped (devices hold the big lock or pin the flatview).
 * Overflow-safe: a range that wraps is refused.
 */
void *address_space_map_ram(AddressSpace *as, hwaddr addr, hwaddr len,
                            bool is_write);

/* -- Flat views (what dispatch and listeners see) --------------------- */

typedef struct FlatRange {
    hwaddr start;               /* address in the space */
    uint64_t size;              /* bytes, > 0 */
    MemoryRegion *mr;           /* a terminating region (ram or io) */
    hwaddr offset_in_region;
    bool readonly;
} FlatRange;

struct FlatView {
    unsigned ref;
    unsigned nr;
    FlatRange *ranges;          /* sorted by start, non-overlapping */
};

/* A referenced snapshot of @as's view; release with flatview_unref. */
FlatView *address_space_get_flatview(AddressSpace *as);
void flatview_unref(FlatView *fv);
/* The range containing @addr, or NULL. */
const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr);

/**
 * MemoryListener: told about RAM ranges appearing and disappearing in an
 * address space (the KVM accelerator maps them into memory slots).
 * region_del is called for removed ranges before region_add for new ones;
 * ranges unchanged by a commit are not reported.  Called under the big
 * lock, in the thread that committed.
 */
struct MemoryListener {
    void (*region_add)(MemoryListener *l, const FlatRange *fr);
    void (*region_del)(MemoryListener *l, const FlatRange *fr);
    const char *name;
};

/* Registers @l on @as and replays the current RAM ranges as region_add. */
void memory_listener_register(MemoryListener *l, AddressSpace *as);
void memory_listener_unregister(MemoryListener *l, AddressSpace *as);

/* -- info mtree ------------------------------------------------------ */

/**
 * mtree_info: QEMU's `info mtree` text, appended to @out:
 *   address-space: memory
 *     0000000000000000-ffffffffffffffff (prio 0, i/o): system
 *       0000000000000000-0000000007ffffff (prio 0, ram): pc.ram
 * With @flatview, the flattened form (`info mtree -f`).
 */
void mtree_info(GString *out, bool flatview);

#endif /* HW_CORE_MEMORY_H */
