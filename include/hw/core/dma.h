/*
 * dma.h - scatter-gather DMA between guest memory and a block device
 * (QEMU 7.2's include/sysemu/dma.h and softmmu/dma-helpers.c, without
 * MemTxAttrs: every access is "unspecified").
 *
 * A device that does DMA (the IDE bus master, AHCI, SCSI HBAs) collects
 * the guest's descriptors (PRDs) into a QEMUSGList of (bus address,
 * length) pairs in the address space its accesses go to - for a PCI
 * function, pci_get_address_space(dev), which reaches guest memory only
 * while COMMAND.MASTER is set - and then either
 *
 *   - moves a buffer it holds to or from the list (dma_buf_read: device
 *     to guest memory; dma_buf_write: guest memory to device), or
 *   - has the block layer transfer the list directly (dma_blk_read /
 *     dma_blk_write / dma_blk_io): guest RAM is mapped and given to the
 *     block layer as it is (zero copy); the pieces that are not RAM
 *     (MMIO, unassigned space, writes to ROM, beyond the end of RAM) go
 *     through a bounce buffer accessed with address_space_rw, as QEMU's
 *     address_space_map bounce does: unassigned space reads as 0 (QEMU)
 *     and ignores writes.  No guest-supplied address or length can make
 *     the VMM touch memory outside guest RAM.
 *
 * dma_blk_io() follows the block layer's callback contract
 * (block-backend.h): it cannot fail, @cb runs exactly once, later (never
 * inside the call - not even for an empty list), in the home thread of
 * @ctx.  The returned BlockAIOCB can be cancelled with blk_aio_cancel()
 * (waits for @cb) or blk_aio_cancel_async() (see below).
 *
 * Threads: the home thread of the AioContext (for the main context, any
 * thread holding the big lock: a vCPU dispatching a register write).
 */
#ifndef HW_CORE_DMA_H
#define HW_CORE_DMA_H

#include "hw/core/qdev.h"
#include "hw/core/memory.h"
#include "block/block-backend.h"
#include "block/aiocb.h"

typedef enum DMADirection {
    DMA_DIRECTION_TO_DEVICE = 0,        /* guest memory -> device (write) */
    DMA_DIRECTION_FROM_DEVICE = 1,      /* device -> guest memory (read) */
} DMADirection;

/* A bus address, as the device sees it. */
typedef uint64_t dma_addr_t;

#define DMA_ADDR_BITS 64
#define DMA_ADDR_FMT "%" PRIx64

typedef struct ScatterGatherEntry {
    dma_addr_t base;
    dma_addr_t len;
} ScatterGatherEntry;

typedef struct QEMUSGList {
    ScatterGatherEntry *sg;
    int nsg;
    int nalloc;
    size_t size;                /* sum of the lengths */
    DeviceState *dev;           /* holds a reference */
    AddressSpace *as;           /* where the addresses are */
} QEMUSGList;

/* --- single accesses (QEMU's dma_memory_*) --- */

static inline MemTxResult dma_memory_rw(AddressSpace *as, dma_addr_t addr,
                                        void *buf, dma_addr_t len,
                                        DMADirection dir)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* QEMU's dma_barrier */
    return address_space_rw(as, addr, buf, len,
                            dir == DMA_DIRECTION_FROM_DEVICE);
}

static inline MemTxResult dma_memory_read(AddressSpace *as, dma_addr_t addr,
                                          void *buf, dma_addr_t len)
{
    return dma_memory_rw(as, addr, buf, len, DMA_DIRECTION_TO_DEVICE);
}

static inline MemTxResult dma_memory_write(AddressSpace *as,
                                           dma_addr_t addr, const void *buf,
                                           dma_addr_t len)
{
    return dma_memory_rw(as, addr, (void *)buf, len,
                         DMA_DIRECTION_FROM_DEVICE);
}

/* --- scatter-gather lists --- */

/* Start an empty list over @as, for @dev (referenced until destroy);
 * @alloc_hint entries are allocated at first. */
void qemu_sglist_init(QEMUSGList *qsg, DeviceState *dev, int alloc_hint,
                      AddressSpace *as);
/* Append [base, base + len).  Zero-length entries are kept (and
 * transfer nothing). */
void qemu_sglist_add(QEMUSGList *qsg, dma_addr_t base, dma_addr_t len);
/* Free the entries, drop the device reference, zero the struct. */
void qemu_sglist_destroy(QEMUSGList *qsg);

/* --- block transfers --- */

/*
 * DMAIOFunc: issue one request of @iov->size bytes at @offset of the
 * device, completing with @cb(@cb_opaque, ret) under the block-layer
 * contract; @opaque is dma_blk_io's @io_func_opaque.  Returns the
 * request's AIOCB (never NULL).
 */
typedef BlockAIOCB *DMAIOFunc(int64_t offset, QEMUIOVector *iov,
                              BlockCompletionFunc *cb, void *cb_opaque,
                              void *opaque);

/*
 * dma_blk_io: transfer @sg to (@dir TO_DEVICE) or from (FROM_DEVICE) the
 * device at byte @offset, with as few @io_func requests as the list
 * allows (one unless the bounce budget runs out).  Every request is a
 * multiple of @align bytes (a power of two, >= 1; IDE passes 512): a
 * list whose length is not a multiple loses its tail, which is not
 * transferred (QEMU's intent; see docs/devel/ide.md).  @sg must stay
 * valid and unchanged until @cb has run.
 *
 * @cb gets 0, the first failing request's -errno (nothing more is
 * issued), or -ECANCELED after a cancel (below).
 *
 * Cancel (blk_aio_cancel / blk_aio_cancel_async on the returned AIOCB):
 * host I/O cannot be recalled, so the request in flight completes; no
 * further one is issued and @cb gets -ECANCELED - or that request's own
 * result if it was the last.  blk_aio_cancel() returns once @cb has run.
 */
BlockAIOCB *dma_blk_io(AioContext *ctx, QEMUSGList *sg, uint64_t offset,
                       uint32_t align, DMAIOFunc *io_func,
                       void *io_func_opaque, BlockCompletionFunc *cb,
                       void *opaque, DMADirection dir);
/* dma_blk_io over blk_aio_preadv (guest memory is written). */
BlockAIOCB *dma_blk_read(BlockBackend *blk, QEMUSGList *sg, uint64_t offset,
                         uint32_t align, BlockCompletionFunc *cb,
                         void *opaque);
/* dma_blk_io over blk_aio_pwritev (guest memory is read). */
BlockAIOCB *dma_blk_write(BlockBackend *blk, QEMUSGList *sg,
                          uint64_t offset, uint32_t align,
                          BlockCompletionFunc *cb, void *opaque);

/* --- buffer transfers --- */

/*
 * dma_buf_read: copy min(@len, sg->size) bytes of @ptr into the guest
 * memory the list describes (device -> memory).  dma_buf_write: the
 * other way (memory -> device).  *@residual (if not NULL) gets
 * sg->size minus the bytes copied.  Returns the OR of the accesses'
 * MemTxResults.  Synchronous.
 */
MemTxResult dma_buf_read(void *ptr, dma_addr_t len, dma_addr_t *residual,
                         QEMUSGList *sg);
MemTxResult dma_buf_write(void *ptr, dma_addr_t len, dma_addr_t *residual,
                          QEMUSGList *sg);

#endif /* HW_CORE_DMA_H */
