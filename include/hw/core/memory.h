/*
 * memory.h - the memory API: what a guest address means, after QEMU 7.2's
 * include/exec/memory.h.
 *
 * A MemoryRegion is RAM (host memory the guest maps directly), I/O
 * (callbacks for each access), an alias (a window onto part of another
 * region) or a container (subregions placed at offsets, with priorities;
 * a higher priority wins where subregions overlap, and among equal
 * priorities the subregion added last wins, as in QEMU).  An AddressSpace
 * has a root region; "flattening" it gives a FlatView, the sorted list of
 * non-overlapping ranges that is actually visible, and that is what
 * dispatch (a binary search) and the accelerator's memory slots use.
 *
 * Threads: the topology (add/del subregion, enable, set_address, ...)
 * changes under the big lock only (unit tests, being single-threaded,
 * may skip it).  address_space_rw and the FlatView lookup may run on any
 * thread (vCPU threads do): a FlatView is immutable and
 * reference-counted; a commit swaps the space's current view under a
 * spin lock held only for the pointer swap (readers hold it for one load
 * and one increment), so readers never wait for a re-render.  Dropping
 * a view's last reference only queues it: it is freed (releasing the
 * regions, and maybe their owners, it showed) under
 * the big lock, at the end of the next commit, in address_space_destroy
 * or by a main-loop bottom half, as QEMU's RCU callbacks are.  The
 * region's ops run with the big lock held, unless the region opts out
 * (memory_region_set_lockless), e.g. virtio notify.
 *
 * Sizes: a uint64_t size of UINT64_MAX means 2^64 (the whole space), as
 * in QEMU; internally all range arithmetic is 128-bit (__int128), so
 * nothing wraps.
 *
 * Not modelled: IOMMUs, endianness other than little, MemTxAttrs beyond
 * "unspecified", dirty logging, RAM migration, ROM devices (romd mode),
 * ioeventfds, coalesced MMIO, RAM from files.
 */
#ifndef HW_CORE_MEMORY_H
#define HW_CORE_MEMORY_H

#include "qom/object.h"

typedef uint64_t hwaddr;
#define HWADDR_PRIx PRIx64
#define HWADDR_PRIX PRIX64

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;
typedef struct FlatView FlatView;
typedef struct MemoryListener MemoryListener;

#define TYPE_MEMORY_REGION "memory-region"
#define MEMORY_REGION(obj) OBJECT_CHECK(MemoryRegion, (obj), TYPE_MEMORY_REGION)

/* Results are bits, OR-ed together over the pieces of one access (QEMU). */
typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,            /* device returned an error */
    MEMTX_DECODE_ERROR = 2,     /* nothing at that address, or refused */
} MemTxResult;

/**
 * MemoryRegionOps: how an I/O region is accessed.
 * @valid: what the guest may do (QEMU's memory_region_access_valid):
 *   an access that @accepts refuses, that is unaligned when !unaligned,
 *   or whose size is outside min..max is refused: reads return 0 (QEMU),
 *   writes are dropped, both logged under guest_errors.  max 0 means any
 *   size; address_space_rw never issues more than max (0: 4) bytes per
 *   call and splits at the address's alignment, so 0 means 1..4 there.
 *   @accepts may be NULL.
 * @impl: what the callbacks implement: larger accesses are split into
 *   several calls, smaller ones widened (read-modify for writes is NOT
 *   done: a narrow write becomes a wide write of the shifted value with
 *   only the accessed bytes meaningful, as QEMU does).  0 means 1..4.
 * Callbacks get the offset within the region and the size in bytes; the
 * value is little-endian in the low @size bytes.  A NULL @read reads 0,
 * a NULL @write ignores the value.
 */
typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
        bool (*accepts)(void *opaque, hwaddr addr, unsigned size,
                        bool is_write);
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
} MemoryRegionOps;

/* QEMU's ops of the "io" root: unassigned ports read all-ones, writes are
 * ignored, silently (guests probe ports all the time). */
extern const MemoryRegionOps unassigned_io_ops;

struct MemoryRegion {
    Object parent_obj;
    /* private: */
    const MemoryRegionOps *ops;
    void *opaque;
    Object *owner;              /* the device this region belongs to */
    MemoryRegion *container;    /* where it is mapped, or NULL */
    MemoryRegion *alias;        /* alias target (holds a reference) */
    hwaddr alias_offset;
    uint64_t size;              /* bytes; UINT64_MAX means 2^64 */
    hwaddr addr;                /* offset within container */
    int priority;
    bool enabled;
    bool ram;
    bool readonly;              /* ROM: writes are ignored */
    bool lockless;              /* ops run without the big lock */
    bool is_container;          /* made by memory_region_init */
    bool terminates;            /* ram or io: ends the flattening */
    void *ram_ptr;              /* host memory for ram regions */
    size_t ram_mmap_size;       /* what to munmap, 0 if not ours */
    char *name;
    GQueue subregions;          /* MemoryRegion *, sorted by priority desc;
                                 * equal priorities: newest first */
};

/* -- Initialisers: @owner may be NULL; the region becomes a child
 * "@name[*]" of @owner (or of /machine/unattached) as in QEMU, so the
 * owner's finalize (or object_unparent of the region) drops it.  A region
 * with a NULL @name is not put in the tree: the caller holds its only
 * reference and drops it with object_unref.  Main thread / big lock. -- */

/* A container with no content of its own; @size may be UINT64_MAX for
 * "the whole space" (treated as 2^64). */
void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);
/* @ops NULL: every access is refused (QEMU's unassigned_mem_ops). */
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* Anonymous host memory, zeroed, page aligned.  Fails (errp) if the host
 * cannot allocate it: "cannot set up guest memory 'NAME': <strerror>";
 * the region is then unparented (finalized) as in QEMU: do not use it.
 * @name must not be NULL. */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
bool memory_region_init_rom(MemoryRegion *mr, Object *owner,
                            const char *name, uint64_t size, Error **errp);
/* A window of @size bytes onto @orig starting at @offset; holds a
 * reference on @orig (on its owner) until finalized. */
void memory_region_init_alias(MemoryRegion *mr, Object *owner,
                              const char *name, MemoryRegion *orig,
                              hwaddr offset, uint64_t size);

/* -- Topology (big lock) ------------------------------------------- */

/* Maps @subregion at @offset in @mr (priority 0).  @subregion must not be
 * mapped elsewhere.  Takes a reference on @subregion's owner (on the
 * region itself if it has none) unless both regions have the same owner
 * (which would make the owner keep itself alive). */
void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion,
                                         int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
/* A RAM region cannot grow past what was allocated (asserted). */
void memory_region_set_size(MemoryRegion *mr, uint64_t size);
void memory_region_set_alias_offset(MemoryRegion *mr, hwaddr offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_lockless(MemoryRegion *mr, bool lockless);

/* Batch several changes into one re-flattening (nestable): only the
 * outermost commit re-renders, and only if something visible changed. */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* Size in bytes; UINT64_MAX for a 2^64 region. */
uint64_t memory_region_size(MemoryRegion *mr);
/* The name given at init; for an unnamed region, NULL. */
const char *memory_region_name(const MemoryRegion *mr);
bool memory_region_is_ram(MemoryRegion *mr);
bool memory_region_is_rom(MemoryRegion *mr);         /* ram && readonly */
bool memory_region_is_mapped(MemoryRegion *mr);      /* has a container */
/* QEMU's: the region's QOM parent (its owner, /machine/unattached for
 * an ownerless one, NULL if unnamed); borrowed. */
Object *memory_region_owner(MemoryRegion *mr);
/* Host pointer to the start of a ram region (or of its alias target). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);
/* QEMU's: reference the region's owner (the region itself if it has
 * none), so that it stays alive while used outside the big lock. */
void memory_region_ref(MemoryRegion *mr);
void memory_region_unref(MemoryRegion *mr);

/* -- Address spaces -------------------------------------------------- */

struct AddressSpace {
    /* private: */
    char *name;
    MemoryRegion *root;         /* holds a reference */
    FlatView *current;          /* guarded by @lock; see
                                 * address_space_get_flatview */
    int lock;                   /* spin lock: guards @current's swap and
                                 * a reader's reference taking, only */
    GSList *listeners;          /* MemoryListener *, in registration order */
};

/*
 * The two spaces of the machine, guest physical memory ("memory", root
 * "system") and x86 I/O ports ("I/O", root "io"): a registry the machine
 * fills with address_space_set_system() (the structs live in its
 * MachineState; memory_map_init() builds them as QEMU does).  NULL until
 * set.  The getters may be called from any thread once set.
 */
AddressSpace *address_space_memory_get(void);
AddressSpace *address_space_io_get(void);
/* Registers the machine's spaces (NULL, NULL to clear).  Big lock. */
void address_space_set_system(AddressSpace *memory, AddressSpace *io);
/* The roots of the registered spaces (QEMU's get_system_memory/io). */
MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);
/*
 * memory_map_init: QEMU's memory_map_init(): @system_memory becomes the
 * container "system" (2^64), @system_io the I/O region "io" (65536 bytes,
 * unassigned_io_ops), @as_memory the space "memory" and @as_io "I/O";
 * both are registered.  Regions have no owner (/machine/unattached).
 * memory_map_cleanup() undoes it (unregisters, destroys, unparents).
 */
void memory_map_init(MemoryRegion *system_memory, MemoryRegion *system_io,
                     AddressSpace *as_memory, AddressSpace *as_io);
void memory_map_cleanup(MemoryRegion *system_memory,
                        MemoryRegion *system_io,
                        AddressSpace *as_memory, AddressSpace *as_io);

/* @name is copied; NULL gives "anonymous".  Takes a reference on @root.
 * Big lock. */
void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
/* Every listener must have been unregistered.  Big lock. */
void address_space_destroy(AddressSpace *as);

/**
 * address_space_rw: a guest access of @len bytes at @addr.
 * RAM is copied; I/O regions get one or more callback calls sized as their
 * ops allow.  Unassigned addresses read as 0 and ignore writes (QEMU; ports
 * read all-ones through the I/O root's ops);
 * both are logged under guest_errors, as are writes to ROM (ignored).
 * An access past 2^64 - 1 wraps to address 0, as QEMU's does.  Any
 * thread; the big lock is taken around callbacks if the caller does not
 * hold it (and the region is not lockless).
 * Returns MEMTX_OK or the OR of the results of the pieces.
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
 * region stays mapped (devices hold the big lock or pin the flatview and
 * use flatview_map_ram).  @len 0, or a range that wraps past 2^64 - 1,
 * is refused.  Any thread.
 */
void *address_space_map_ram(AddressSpace *as, hwaddr addr, hwaddr len,
                            bool is_write);

/* -- Flat views (what dispatch and listeners see) --------------------- */

typedef struct FlatRange {
    hwaddr start;               /* address in the space */
    uint64_t size;              /* bytes, > 0; a range covering all 2^64
                                 * bytes says UINT64_MAX (use @last) */
    hwaddr last;                /* start + size - 1, exact */
    MemoryRegion *mr;           /* a terminating region (ram or io) */
    hwaddr offset_in_region;
    bool readonly;
} FlatRange;

struct FlatView {
    /* private: */
    unsigned ref;
    unsigned nr;
    unsigned nr_allocated;
    FlatRange *ranges;          /* sorted by start, non-overlapping */
    MemoryRegion *root;         /* what was rendered (QEMU's flatview root:
                                 * NULL if nothing is visible); spaces
                                 * with the same root share the view */
};

/* A referenced snapshot of @as's view; release with flatview_unref.
 * Any thread; never blocks on a re-render. */
FlatView *address_space_get_flatview(AddressSpace *as);
/* Any thread. */
void flatview_unref(FlatView *fv);
/* The range containing @addr, or NULL. */
const FlatRange *flatview_lookup(const FlatView *fv, hwaddr addr);
/* address_space_map_ram on a pinned view: the pointer stays valid until
 * @fv is unreferenced. */
void *flatview_map_ram(FlatView *fv, hwaddr addr, hwaddr len,
                       bool is_write);

/**
 * MemoryListener: told about RAM ranges appearing and disappearing in an
 * address space (the KVM accelerator maps them into memory slots).
 * region_del is called for removed ranges before region_add for new ones;
 * ranges unchanged by a commit are not reported.  ROM ranges are reported
 * with readonly set; I/O ranges never are.  @begin and @commit (optional)
 * bracket each re-render that changed some space (QEMU calls them for
 * every listener, whatever space it listens to).  Called under the big
 * lock, in the thread that committed.  The FlatRange is only valid during
 * the call.
 */
struct MemoryListener {
    void (*begin)(MemoryListener *l);
    void (*commit)(MemoryListener *l);
    void (*region_add)(MemoryListener *l, const FlatRange *fr);
    void (*region_del)(MemoryListener *l, const FlatRange *fr);
    const char *name;
    /* private: */
    AddressSpace *address_space;    /* set while registered */
};

/* Registers @l on @as and replays the current RAM ranges as region_add. */
void memory_listener_register(MemoryListener *l, AddressSpace *as);
/* Reports every current RAM range as region_del, then unregisters (QEMU). */
void memory_listener_unregister(MemoryListener *l, AddressSpace *as);

/* -- info mtree ------------------------------------------------------ */

/**
 * mtree_info: QEMU 7.2's `info mtree` text, appended to @out:
 *   address-space: memory
 *     0000000000000000-ffffffffffffffff (prio 0, i/o): system
 *       0000000000000000-0000000007ffffff (prio 0, ram): pc.ram
 * With @flatview, the flattened form (`info mtree -f`).  Spaces are
 * listed in the order they were initialised (QEMU's order is that of a
 * pointer hash table, i.e. it varies from run to run).  Big lock.
 */
void mtree_info(GString *out, bool flatview);
/* The same with `info mtree`'s -o (@owner) and -D (@disabled) flags. */
void mtree_info_full(GString *out, bool flatview, bool owner,
                     bool disabled);
/*
 * The accelerator's hook for `info mtree -f`: after each range, QEMU
 * prints " NAME" once for every space of the view where @has_memory
 * says the accelerator maps it (" KVM").  NULL @has_memory removes it.
 */
void mtree_set_accel(const char *name,
                     bool (*has_memory)(AddressSpace *as, hwaddr start,
                                        hwaddr size));

#endif /* HW_CORE_MEMORY_H */
