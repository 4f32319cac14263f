/*
 * memory-dispatch.c - guest accesses to an address space: reads and
 * writes split over RAM, I/O and holes, and the DMA fast path.
 *
 * Modelled on QEMU 7.2's softmmu/physmem.c (flatview_read_continue,
 * flatview_write_continue, memory_access_size, address_space_map) and
 * softmmu/memory.c (memory_region_access_valid,
 * access_with_adjusted_size).  An access is cut at range boundaries: RAM
 * is copied; I/O goes to the region's ops in pieces of at most
 * valid.max_access_size (0: 4) bytes, cut at the address's alignment,
 * each checked against ops->valid and then split or widened to what
 * ops->impl says, under the big lock unless the region is lockless.
 * Writes to ROM go the I/O way and are refused, as in QEMU.  Holes and
 * refused accesses read 0, as QEMU 7.2's unassigned_mem_read (a DMA from
 * a hole writes zeros to disk there; guests and differential tests see
 * the same); unassigned *ports* read all-ones through the I/O root's
 * unassigned_io_ops.  Holes are logged as QEMU logs them
 * ("region '(null)'").  Every refusal is logged under
 * guest_errors, rate-limited by util/log.
 *
 * Not modelled: IOMMU translation, MemTxAttrs, big-endian devices,
 * bounce buffers for DMA to I/O (address_space_map_ram refuses it).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "memory-internal.h"

/* --- one I/O access -------------------------------------------------- */

/* QEMU's memory_region_access_valid, with its guest_errors messages. */
static bool memory_region_access_valid(MemoryRegion *mr, hwaddr addr,
                                       unsigned size, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    const char *rw = is_write ? "write" : "read";
    const char *name = mr->name ? mr->name : "(null)";

    if (ops->valid.accepts &&
        !ops->valid.accepts(mr->opaque, addr, size, is_write)) {
        qomu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" HWADDR_PRIX
                      ", size %u, region '%s', reason: rejected\n",
                      rw, addr, size, name);
        return false;
    }
    if (!ops->valid.unaligned && (addr & (size - 1))) {
        qomu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" HWADDR_PRIX
                      ", size %u, region '%s', reason: unaligned\n",
                      rw, addr, size, name);
        return false;
    }
    if (!ops->valid.max_access_size) {
        return true;            /* "compatibility": any size is valid */
    }
    if (size > ops->valid.max_access_size ||
        size < ops->valid.min_access_size) {
        qomu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" HWADDR_PRIX
                      ", size %u, region '%s', reason: invalid size "
                      "(min:%u max:%u)\n", rw, addr, size, name,
                      ops->valid.min_access_size,
                      ops->valid.max_access_size);
        return false;
    }
    return true;
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

/*
 * QEMU's access_with_adjusted_size (little-endian): the access of @size
 * bytes becomes calls of MAX(MIN(size, impl.max), impl.min) bytes at
 * addr, addr + n, ...; each call's value lands at byte i of *value.  A
 * widened access starts at @addr itself, not at an aligned address
 * (QEMU 7.2's "FIXME: support unaligned access?").
 */
static void access_with_adjusted_size(MemoryRegion *mr, hwaddr addr,
                                      uint64_t *value, unsigned size,
                                      bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops->impl.min_access_size ? ops->impl.min_access_size : 1;
    unsigned max = ops->impl.max_access_size ? ops->impl.max_access_size : 4;
    unsigned access_size = MAX(MIN(size, max), min);
    uint64_t mask = size_mask(access_size);

    for (unsigned i = 0; i < size; i += access_size) {
        if (is_write) {
            if (ops->write) {
                ops->write(mr->opaque, addr + i, (*value >> (i * 8)) & mask,
                           access_size);
            }
        } else {
            uint64_t tmp = ops->read ? ops->read(mr->opaque, addr + i,
                                                 access_size) : 0;

            *value |= (tmp & mask) << (i * 8);
        }
    }
}

/* Largest power of two <= @n (n > 0). */
static unsigned pow2floor(unsigned n)
{
    return 1u << (31 - __builtin_clz(n));
}

/*
 * QEMU's memory_access_size: how many of the @l bytes at @addr one
 * dispatch may take: at most valid.max (0: 4), at most the alignment of
 * @addr unless impl.unaligned, and a power of two.
 */
static unsigned access_size_bound(unsigned max, bool impl_unaligned,
                                  hwaddr l, hwaddr addr)
{
    if (max == 0) {
        max = 4;
    }
    max = MIN(max, 8u);         /* one access is at most a uint64_t */
    if (!impl_unaligned) {
        hwaddr align = addr & -addr;

        if (align != 0 && align < max) {
            max = align;
        }
    }
    return pow2floor(MIN(l, (hwaddr)max));
}

static unsigned memory_access_size(MemoryRegion *mr, hwaddr l, hwaddr addr)
{
    return access_size_bound(mr->ops->valid.max_access_size,
                             mr->ops->impl.unaligned, l, addr);
}

static void store_le(uint8_t *buf, uint64_t val, unsigned l)
{
    for (unsigned i = 0; i < l; i++) {
        buf[i] = val >> (i * 8);
    }
}

static uint64_t load_le(const uint8_t *buf, unsigned l)
{
    uint64_t val = 0;

    for (unsigned i = 0; i < l; i++) {
        val |= (uint64_t)buf[i] << (i * 8);
    }
    return val;
}

/* --- pieces of an access --------------------------------------------- */

/* One I/O access of @l (1..8) bytes at @addr in @mr, under the big lock
 * unless lockless; a refused access reads 0 (QEMU's unassigned_mem_read). */
static MemTxResult io_access(MemoryRegion *mr, hwaddr addr, uint8_t *buf,
                             unsigned l, bool is_write)
{
    bool unlock = false;
    MemTxResult r = MEMTX_OK;
    uint64_t val = is_write ? load_le(buf, l) : 0;

    if (!__atomic_load_n(&mr->lockless, __ATOMIC_RELAXED) && !bql_locked()) {
        bql_lock();             /* a vCPU thread: devices expect the lock */
        unlock = true;
    }
    if (memory_region_access_valid(mr, addr, l, is_write)) {
        access_with_adjusted_size(mr, addr, &val, l, is_write);
    } else {
        val = 0;
        r = MEMTX_DECODE_ERROR;
    }
    if (unlock) {
        bql_unlock();
    }
    if (!is_write) {
        store_le(buf, val, l);
    }
    return r;
}

/* Nothing mapped at @addr: QEMU's io_mem_unassigned, which has no name
 * and refuses everything; reads return 0 as QEMU's do. */
static MemTxResult unassigned_access(hwaddr addr, uint8_t *buf, unsigned l,
                                     bool is_write)
{
    qomu_log_mask(LOG_GUEST_ERROR, "Invalid %s at addr 0x%" HWADDR_PRIX
                  ", size %u, region '(null)', reason: rejected\n",
                  is_write ? "write" : "read", addr, l);
    if (!is_write) {
        memset(buf, 0, l);
    }
    return MEMTX_DECODE_ERROR;
}

/* The part of the access at @addr (of @len bytes) that one range, or one
 * hole, covers; then dispatched.  Returns its result, *done its length. */
static MemTxResult flatview_rw_piece(FlatView *fv, hwaddr addr, uint8_t *buf,
                                     hwaddr len, bool is_write, hwaddr *done)
{
    unsigned i = flatview_bsearch(fv, addr);
    const FlatRange *fr = i < fv->nr ? &fv->ranges[i] : NULL;
    hwaddr l, addr1;

    if (!fr || fr->start > addr) {
        /* A hole up to the next range, or to the end of the space
         * (-addr bytes; 0 means all 2^64). */
        hwaddr room = fr ? fr->start - addr : -addr;

        l = (room && room < len) ? room : len;
        /* Pieces as for an I/O region with default ops. */
        l = access_size_bound(0, false, l, addr);
        *done = l;
        return unassigned_access(addr, buf, l, is_write);
    }
    /* Bytes left in the range, without overflowing at 2^64. */
    l = MIN(len - 1, fr->last - addr) + 1;
    addr1 = addr - fr->start + fr->offset_in_region;
    if (fr->mr->ram && !(is_write && fr->readonly)) {
        uint8_t *ram = (uint8_t *)fr->mr->ram_ptr + addr1;

        if (is_write) {
            memcpy(ram, buf, l);
        } else {
            memcpy(buf, ram, l);
        }
        *done = l;
        return MEMTX_OK;
    }
    /* I/O, or a write to ROM: RAM regions have ops that refuse all, so
     * it is logged and dropped exactly as QEMU does.
     * The piece is bounded by the region, not by the range: QEMU's
     * address_space_translate_internal() limits it to mr->size - addr,
     * so an access that starts in a region goes to it whole even where
     * a higher-priority region covers its later bytes (a dword OUT to
     * 0xCF8 reaches CONFIG_ADDRESS although the PIIX3's reset register
     * overlays 0xCF9). */
    if (fr->mr->size != UINT64_MAX) {
        l = MIN(len - 1, fr->mr->size - addr1 - 1) + 1;
    } else {
        l = len;
    }
    l = memory_access_size(fr->mr, l, addr1);
    *done = l;
    return io_access(fr->mr, addr1, buf, l, is_write);
}

static MemTxResult flatview_rw(FlatView *fv, hwaddr addr, uint8_t *buf,
                               hwaddr len, bool is_write)
{
    MemTxResult result = MEMTX_OK;

    while (len > 0) {
        hwaddr done;

        result |= flatview_rw_piece(fv, addr, buf, len, is_write, &done);
        buf += done;
        len -= done;
        addr += done;           /* wraps at 2^64, as QEMU's hwaddr does */
    }
    return result;
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, void *buf,
                             hwaddr len, bool is_write)
{
    FlatView *fv;
    MemTxResult r;

    if (len == 0) {
        return MEMTX_OK;
    }
    fv = address_space_get_flatview(as);
    r = flatview_rw(fv, addr, buf, len, is_write);
    flatview_unref(fv);
    return r;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len)
{
    return address_space_rw(as, addr, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len)
{
    /* Writes only read from @buf. */
    return address_space_rw(as, addr, (void *)buf, len, true);
}

/* --- the DMA fast path ------------------------------------------------- */

void *flatview_map_ram(FlatView *fv, hwaddr addr, hwaddr len, bool is_write)
{
    unsigned i = flatview_bsearch(fv, addr);
    const FlatRange *fr;
    hwaddr last;

    if (len == 0 || len - 1 > UINT64_MAX - addr) {
        return NULL;            /* empty, or wraps past 2^64 - 1 */
    }
    last = addr + (len - 1);
    if (i >= fv->nr || fv->ranges[i].start > addr) {
        return NULL;
    }
    fr = &fv->ranges[i];
    if (!fr->mr->ram || (is_write && fr->readonly)) {
        return NULL;
    }
    /* Ranges of one region that simplify could not merge (readonly
     * differs) are still one piece of host memory for a read. */
    for (; fv->ranges[i].last < last; i++) {
        const FlatRange *cur = &fv->ranges[i], *next = &fv->ranges[i + 1];

        if (i + 1 >= fv->nr || next->start != cur->last + 1 ||
            next->mr != fr->mr ||
            next->offset_in_region != cur->offset_in_region +
                                      (cur->last - cur->start + 1) ||
            (is_write && next->readonly)) {
            return NULL;
        }
    }
    return (uint8_t *)fr->mr->ram_ptr + (addr - fr->start) +
           fr->offset_in_region;
}

void *address_space_map_ram(AddressSpace *as, hwaddr addr, hwaddr len,
                            bool is_write)
{
    FlatView *fv = address_space_get_flatview(as);
    void *ptr = flatview_map_ram(fv, addr, len, is_write);

    flatview_unref(fv);
    return ptr;
}
