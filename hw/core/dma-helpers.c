/*
 * dma-helpers.c - scatter-gather DMA to and from block devices (QEMU
 * 7.2's softmmu/dma-helpers.c).  See include/hw/core/dma.h.
 *
 * dma_blk_io walks the list from a cursor (entry, byte within it).  Each
 * step maps as much of the rest as it can into one QEMUIOVector: RAM
 * directly (flatview_map_ram on a FlatView pinned until the request
 * completes, so the pointers stay valid even if the guest remaps
 * meanwhile), everything else through bounce buffers, as QEMU's
 * address_space_map does (read from the space at map time for
 * TO_DEVICE, written back with address_space_rw when the request is
 * done for FROM_DEVICE).  Unlike QEMU, whose single 4 KiB bounce buffer
 * makes a request wait when busy, each request gets its own, up to
 * DMA_BOUNCE_BUDGET bytes per step; then the step is submitted and the
 * walk continues when it completes.
 */
#include "util/osdep.h"
#include "hw/core/dma.h"

/* Bounce bytes one step of dma_blk_io may allocate. */
#define DMA_BOUNCE_BUDGET (1u << 20)
/* Unassigned space is bounced a page at a time (bounded lookups). */
#define DMA_PAGE_SIZE 4096u

void qemu_sglist_init(QEMUSGList *qsg, DeviceState *dev, int alloc_hint,
                      AddressSpace *as)
{
    if (alloc_hint < 1) {
        alloc_hint = 1;
    }
    qsg->sg = g_new(ScatterGatherEntry, alloc_hint);
    qsg->nsg = 0;
    qsg->nalloc = alloc_hint;
    qsg->size = 0;
    qsg->as = as;
    qsg->dev = dev;
    if (dev) {
        object_ref(OBJECT(dev));
    }
}

void qemu_sglist_add(QEMUSGList *qsg, dma_addr_t base, dma_addr_t len)
{
    if (qsg->nsg == qsg->nalloc) {
        qsg->nalloc = 2 * qsg->nalloc + 1;
        qsg->sg = g_renew(ScatterGatherEntry, qsg->sg, qsg->nalloc);
    }
    qsg->sg[qsg->nsg].base = base;
    qsg->sg[qsg->nsg].len = len;
    qsg->size += len;
    ++qsg->nsg;
}

void qemu_sglist_destroy(QEMUSGList *qsg)
{
    if (qsg->dev) {
        object_unref(OBJECT(qsg->dev));
    }
    g_free(qsg->sg);
    memset(qsg, 0, sizeof(*qsg));
}

/* --- dma_blk_io ---------------------------------------------------------- */

/* One piece of the current step's iovec that went through a bounce. */
typedef struct DMABounce {
    dma_addr_t addr;
    void *buf;
    size_t len;
} DMABounce;

typedef struct DMAAIOCB {
    BlockAIOCB common;
    AioContext *ctx;
    BlockAIOCB *acb;            /* the step in flight, or NULL */
    QEMUSGList *sg;
    uint32_t align;
    uint64_t offset;
    DMADirection dir;
    int sg_cur_index;
    dma_addr_t sg_cur_byte;
    QEMUIOVector iov;
    FlatView *fv;               /* pinned while the step's RAM is mapped */
    GArray *bounces;            /* DMABounce, this step's */
    DMAIOFunc *io_func;
    void *io_func_opaque;
    bool cancelled;
} DMAAIOCB;

/* End the step: write bounced data back (FROM_DEVICE, whatever the
 * result, as QEMU's address_space_unmap), free bounces, unpin RAM. */
static void dma_blk_unmap(DMAAIOCB *dbs)
{
    for (guint i = 0; i < dbs->bounces->len; i++) {
        DMABounce *b = &g_array_index(dbs->bounces, DMABounce, i);

        if (dbs->dir == DMA_DIRECTION_FROM_DEVICE) {
            address_space_write(dbs->sg->as, b->addr, b->buf, b->len);
        }
        g_free(b->buf);
    }
    g_array_set_size(dbs->bounces, 0);
    if (dbs->fv) {
        flatview_unref(dbs->fv);
        dbs->fv = NULL;
    }
    qemu_iovec_reset(&dbs->iov);
}

static void dma_complete(DMAAIOCB *dbs, int ret)
{
    assert(!dbs->acb);
    dma_blk_unmap(dbs);
    if (dbs->common.cb) {
        dbs->common.cb(dbs->common.opaque, ret);
    }
    qemu_iovec_destroy(&dbs->iov);
    g_array_free(dbs->bounces, true);
    qemu_aio_unref(dbs);
}

static void dma_complete_bh(void *opaque)
{
    DMAAIOCB *dbs = opaque;

    dma_complete(dbs, dbs->cancelled ? -ECANCELED : 0);
}

/*
 * How many bytes from @addr (at most @len, > 0) form one piece: RAM the
 * direction may access directly (*@ram set), or not (bounced).
 */
static dma_addr_t dma_piece(FlatView *fv, dma_addr_t addr, dma_addr_t len,
                            bool is_write, bool *ram)
{
    const FlatRange *fr = flatview_lookup(fv, addr);
    dma_addr_t n;

    *ram = fr && memory_region_is_ram(fr->mr) && !(is_write && fr->readonly);
    if (fr) {
        /* to the end of the range (fr->last is exact; no wrap) */
        n = fr->last - addr + 1;
        if (n == 0) {           /* the range covers all 2^64 bytes */
            n = len;
        }
    } else {
        n = DMA_PAGE_SIZE - (addr & (DMA_PAGE_SIZE - 1));
    }
    n = MIN(n, len);
    /* An access never wraps past 2^64 - 1 within one piece. */
    if (addr + n < addr && addr + n != 0) {
        n = -addr;
    }
    return n;
}

/* Map the rest of the list (from the cursor) into dbs->iov. */
static void dma_blk_map(DMAAIOCB *dbs)
{
    bool is_write = dbs->dir == DMA_DIRECTION_FROM_DEVICE;
    size_t bounced = 0;

    dbs->fv = address_space_get_flatview(dbs->sg->as);
    while (dbs->sg_cur_index < dbs->sg->nsg) {
        ScatterGatherEntry *e = &dbs->sg->sg[dbs->sg_cur_index];
        dma_addr_t cur_addr = e->base + dbs->sg_cur_byte;
        dma_addr_t cur_len = e->len - dbs->sg_cur_byte;
        bool ram;
        void *mem;

        if (cur_len == 0) {
            dbs->sg_cur_byte = 0;
            dbs->sg_cur_index++;
            continue;
        }
        cur_len = dma_piece(dbs->fv, cur_addr, cur_len, is_write, &ram);
        mem = ram ? flatview_map_ram(dbs->fv, cur_addr, cur_len, is_write)
                  : NULL;
        if (!mem) {
            DMABounce b;

            if (bounced >= DMA_BOUNCE_BUDGET && dbs->iov.size > 0) {
                break;
            }
            cur_len = MIN(cur_len, (dma_addr_t)DMA_BOUNCE_BUDGET);
            b.addr = cur_addr;
            b.len = cur_len;
            b.buf = g_malloc0(cur_len);
            if (!is_write) {
                address_space_read(dbs->sg->as, cur_addr, b.buf, cur_len);
            }
            g_array_append_val(dbs->bounces, b);
            bounced += cur_len;
            mem = b.buf;
        }
        qemu_iovec_add(&dbs->iov, mem, cur_len);
        dbs->sg_cur_byte += cur_len;
        if (dbs->sg_cur_byte == e->len) {
            dbs->sg_cur_byte = 0;
            dbs->sg_cur_index++;
        }
    }
}

/* Drop the last @n bytes of the step: from the iovec and the bounces,
 * and move the cursor back so that they are mapped again next step. */
static void dma_blk_discard_back(DMAAIOCB *dbs, size_t n)
{
    size_t left = n;

    while (left > 0) {
        struct iovec *v = &dbs->iov.iov[dbs->iov.niov - 1];
        size_t cut = MIN(left, v->iov_len);
        DMABounce *b = dbs->bounces->len
            ? &g_array_index(dbs->bounces, DMABounce, dbs->bounces->len - 1)
            : NULL;

        if (b && b->buf == v->iov_base) {
            b->len -= cut;
            if (b->len == 0) {
                g_free(b->buf);
                g_array_set_size(dbs->bounces, dbs->bounces->len - 1);
            }
        }
        v->iov_len -= cut;
        dbs->iov.size -= cut;
        if (v->iov_len == 0) {
            dbs->iov.niov--;
        }
        left -= cut;
    }
    /* the cursor */
    left = n;
    while (left > 0) {
        if (dbs->sg_cur_byte == 0) {
            dbs->sg_cur_index--;
            dbs->sg_cur_byte = dbs->sg->sg[dbs->sg_cur_index].len;
            continue;
        }
        size_t back = MIN(left, dbs->sg_cur_byte);
        dbs->sg_cur_byte -= back;
        left -= back;
    }
}

static void dma_blk_cb(void *opaque, int ret);

/* Map and submit the next step (or complete from a BH if nothing is
 * left: never inside dma_blk_io). */
static void dma_blk_next(DMAAIOCB *dbs)
{
    dma_blk_unmap(dbs);
    dma_blk_map(dbs);

    /* Whole multiples of @align only: a tail shorter than that at the end
     * of the list is not transferred. */
    if (dbs->iov.size % dbs->align) {
        dma_blk_discard_back(dbs, dbs->iov.size % dbs->align);
    }
    if (dbs->iov.size == 0) {
        /* Nothing left worth a request (only a short tail, or only
         * zero-length entries): done. */
        dbs->sg_cur_index = dbs->sg->nsg;
        dma_blk_unmap(dbs);
        aio_bh_schedule_oneshot(dbs->ctx, dma_complete_bh, dbs);
        return;
    }
    dbs->acb = dbs->io_func(dbs->offset, &dbs->iov, dma_blk_cb, dbs,
                            dbs->io_func_opaque);
    assert(dbs->acb);
}

/* A step completed. */
static void dma_blk_cb(void *opaque, int ret)
{
    DMAAIOCB *dbs = opaque;

    dbs->acb = NULL;
    dbs->offset += dbs->iov.size;

    if (dbs->sg_cur_index == dbs->sg->nsg || ret < 0) {
        dma_complete(dbs, ret);
        return;
    }
    if (dbs->cancelled) {
        dma_complete(dbs, -ECANCELED);
        return;
    }
    dma_blk_next(dbs);
}

static void dma_aio_cancel(BlockAIOCB *acb)
{
    DMAAIOCB *dbs = container_of(acb, DMAAIOCB, common);

    /* The step in flight completes (host I/O cannot be recalled); then
     * dma_blk_cb ends the transfer with -ECANCELED. */
    dbs->cancelled = true;
    if (dbs->acb) {
        blk_aio_cancel_async(dbs->acb);
    }
}

static AioContext *dma_get_aio_context(BlockAIOCB *acb)
{
    DMAAIOCB *dbs = container_of(acb, DMAAIOCB, common);

    return dbs->ctx;
}

static const AIOCBInfo dma_aiocb_info = {
    .aiocb_size = sizeof(DMAAIOCB),
    .cancel_async = dma_aio_cancel,
    .get_aio_context = dma_get_aio_context,
};

BlockAIOCB *dma_blk_io(AioContext *ctx, QEMUSGList *sg, uint64_t offset,
                       uint32_t align, DMAIOFunc *io_func,
                       void *io_func_opaque, BlockCompletionFunc *cb,
                       void *opaque, DMADirection dir)
{
    DMAAIOCB *dbs = qemu_aio_get(&dma_aiocb_info, NULL, cb, opaque);

    assert(align >= 1 && (align & (align - 1)) == 0);
    dbs->acb = NULL;
    dbs->sg = sg;
    dbs->ctx = ctx;
    dbs->offset = offset;
    dbs->align = align;
    dbs->sg_cur_index = 0;
    dbs->sg_cur_byte = 0;
    dbs->dir = dir;
    dbs->io_func = io_func;
    dbs->io_func_opaque = io_func_opaque;
    dbs->bounces = g_array_new(false, false, sizeof(DMABounce));
    qemu_iovec_init(&dbs->iov, sg->nsg > 0 ? sg->nsg : 1);
    dma_blk_next(dbs);
    return &dbs->common;
}

static BlockAIOCB *dma_blk_read_io_func(int64_t offset, QEMUIOVector *iov,
                                        BlockCompletionFunc *cb,
                                        void *cb_opaque, void *opaque)
{
    BlockBackend *blk = opaque;

    return blk_aio_preadv(blk, offset, iov, 0, cb, cb_opaque);
}

BlockAIOCB *dma_blk_read(BlockBackend *blk, QEMUSGList *sg, uint64_t offset,
                         uint32_t align, BlockCompletionFunc *cb,
                         void *opaque)
{
    return dma_blk_io(blk_get_aio_context(blk), sg, offset, align,
                      dma_blk_read_io_func, blk, cb, opaque,
                      DMA_DIRECTION_FROM_DEVICE);
}

static BlockAIOCB *dma_blk_write_io_func(int64_t offset, QEMUIOVector *iov,
                                         BlockCompletionFunc *cb,
                                         void *cb_opaque, void *opaque)
{
    BlockBackend *blk = opaque;

    return blk_aio_pwritev(blk, offset, iov, 0, cb, cb_opaque);
}

BlockAIOCB *dma_blk_write(BlockBackend *blk, QEMUSGList *sg,
                          uint64_t offset, uint32_t align,
                          BlockCompletionFunc *cb, void *opaque)
{
    return dma_blk_io(blk_get_aio_context(blk), sg, offset, align,
                      dma_blk_write_io_func, blk, cb, opaque,
                      DMA_DIRECTION_TO_DEVICE);
}

/* --- buffers ------------------------------------------------------------- */

static MemTxResult dma_buf_rw(void *buf, dma_addr_t len,
                              dma_addr_t *residual, QEMUSGList *sg,
                              DMADirection dir)
{
    uint8_t *ptr = buf;
    dma_addr_t xresidual = sg->size;
    int sg_cur_index = 0;
    MemTxResult res = MEMTX_OK;

    len = MIN(len, xresidual);
    while (len > 0) {
        ScatterGatherEntry entry = sg->sg[sg_cur_index++];
        dma_addr_t xfer = MIN(len, entry.len);

        res |= dma_memory_rw(sg->as, entry.base, ptr, xfer, dir);
        ptr += xfer;
        len -= xfer;
        xresidual -= xfer;
    }
    if (residual) {
        *residual = xresidual;
    }
    return res;
}

MemTxResult dma_buf_read(void *ptr, dma_addr_t len, dma_addr_t *residual,
                         QEMUSGList *sg)
{
    return dma_buf_rw(ptr, len, residual, sg, DMA_DIRECTION_FROM_DEVICE);
}

MemTxResult dma_buf_write(void *ptr, dma_addr_t len, dma_addr_t *residual,
                          QEMUSGList *sg)
{
    return dma_buf_rw(ptr, len, residual, sg, DMA_DIRECTION_TO_DEVICE);
}
