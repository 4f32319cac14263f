/*
 * pci.c - "pci-ide", the abstract PCI IDE function, and the bus-master
 * DMA engine (QEMU 7.2's hw/ide/pci.c).  See include/hw/ide/pci.h.
 *
 * Every guest-supplied value is bounded here: a PRD walk reads at most
 * one page of entries per call, through the bus-master address space
 * (whatever the entries point at - RAM, MMIO, nothing - is then
 * accessed by dma-helpers.c through address_space_rw or a RAM mapping
 * it checked), and an engine with no drive selected ignores START.
 */
#include "util/osdep.h"
#include "hw/ide/pci.h"

#define BMDMA_PAGE_SIZE 4096

static void pci_dma_sglist_init(QEMUSGList *qsg, PCIDevice *dev,
                                int alloc_hint)
{
    qemu_sglist_init(qsg, DEVICE(dev), alloc_hint,
                     pci_get_address_space(dev));
}

static void bmdma_start_dma(const IDEDMA *dma, IDEState *s,
                            BlockCompletionFunc *dma_cb)
{
    BMDMAState *bm = container_of(dma, BMDMAState, dma);
    IDEState *active;

    bm->dma_cb = dma_cb;
    bm->cur_prd_last = 0;
    bm->cur_prd_addr = 0;
    bm->cur_prd_len = 0;

    active = bmdma_active_if(bm);
    if ((bm->status & BM_STATUS_DMAING) && active) {
        bm->dma_cb(active, 0);
    }
}

/* Read the PRD at cur_addr into the current-PRD state. */
static void bmdma_fetch_prd(BMDMAState *bm, PCIDevice *pci_dev)
{
    uint8_t prd[8];
    uint32_t size;
    uint32_t len;

    pci_dma_read(pci_dev, bm->cur_addr, prd, 8);
    bm->cur_addr += 8;
    size = pci_get_long(prd + 4);
    len = size & 0xfffe;
    if (len == 0) {
        len = 0x10000;
    }
    bm->cur_prd_len = len;
    bm->cur_prd_addr = pci_get_long(prd);
    bm->cur_prd_last = size & 0x80000000;
}

/* The end of the table, with QEMU's fail safe of one page of PRDs. */
static bool bmdma_table_end(BMDMAState *bm)
{
    return bm->cur_prd_last ||
           (uint32_t)(bm->cur_addr - bm->addr) >= BMDMA_PAGE_SIZE;
}

/**
 * Prepare an sglist based on available PRDs.
 * @limit: How many bytes to prepare total.
 *
 * Returns the number of bytes prepared (<= @limit).
 * IDEState.io_buffer_size will contain the number of bytes described
 * by the PRDs, whether or not we added them to the sglist.
 */
static int32_t bmdma_prepare_buf(const IDEDMA *dma, int32_t limit)
{
    BMDMAState *bm = container_of(dma, BMDMAState, dma);
    IDEState *s = bmdma_active_if(bm);
    PCIDevice *pci_dev = PCI_DEVICE(bm->pci_dev);

    if (!s) {
        return -1;
    }
    if (limit < 0) {
        limit = 0;
    }
    pci_dma_sglist_init(&s->sg, pci_dev,
                        s->nsector / (BMDMA_PAGE_SIZE / 512) + 1);
    s->io_buffer_size = 0;
    for (;;) {
        if (bm->cur_prd_len == 0) {
            /* end of table (with a fail safe of one page) */
            if (bmdma_table_end(bm)) {
                return s->sg.size;
            }
            bmdma_fetch_prd(bm, pci_dev);
        }
        /* Don't add extra bytes to the SGList; consume any remaining
         * PRDs from the guest, but ignore them. */
        uint32_t l = bm->cur_prd_len;
        uint64_t sg_len = MIN((uint64_t)limit - s->sg.size, l);

        if (sg_len) {
            qemu_sglist_add(&s->sg, bm->cur_prd_addr, sg_len);
        }
        bm->cur_prd_addr += l;
        bm->cur_prd_len -= l;
        s->io_buffer_size += l;
    }
}

/* Copy between s->io_buffer and the PRDs (ATAPI): @is_write writes
 * guest memory.  Returns 0 if the PRDs ran out first, else 1. */
static int bmdma_rw_buf(const IDEDMA *dma, bool is_write)
{
    BMDMAState *bm = container_of(dma, BMDMAState, dma);
    IDEState *s = bmdma_active_if(bm);
    PCIDevice *pci_dev = PCI_DEVICE(bm->pci_dev);
    int l;

    if (!s) {
        return 0;
    }
    for (;;) {
        l = s->io_buffer_size - s->io_buffer_index;
        if (l <= 0) {
            break;
        }
        if (bm->cur_prd_len == 0) {
            /* end of table (with a fail safe of one page) */
            if (bmdma_table_end(bm)) {
                return 0;
            }
            bmdma_fetch_prd(bm, pci_dev);
        }
        if ((uint32_t)l > bm->cur_prd_len) {
            l = bm->cur_prd_len;
        }
        if (l > 0) {
            if (is_write) {
                pci_dma_write(pci_dev, bm->cur_prd_addr,
                              s->io_buffer + s->io_buffer_index, l);
            } else {
                pci_dma_read(pci_dev, bm->cur_prd_addr,
                             s->io_buffer + s->io_buffer_index, l);
            }
            bm->cur_prd_addr += l;
            bm->cur_prd_len -= l;
            s->io_buffer_index += l;
        }
    }
    return 1;
}

static void bmdma_set_inactive(const IDEDMA *dma, bool more)
{
    BMDMAState *bm = container_of(dma, BMDMAState, dma);

    bm->dma_cb = NULL;
    if (more) {
        bm->status |= BM_STATUS_DMAING;
    } else {
        bm->status &= ~BM_STATUS_DMAING;
    }
}

static void bmdma_restart_dma(const IDEDMA *dma)
{
    BMDMAState *bm = container_of(dma, BMDMAState, dma);

    bm->cur_addr = bm->addr;
}

static void bmdma_cancel(BMDMAState *bm)
{
    if (bm->status & BM_STATUS_DMAING) {
        /* cancel DMA request */
        bmdma_set_inactive(&bm->dma, false);
    }
}

static void bmdma_reset(const IDEDMA *dma)
{
    BMDMAState *bm = container_of(dma, BMDMAState, dma);

    bmdma_cancel(bm);
    bm->cmd = 0;
    bm->status = 0;
    bm->addr = 0;
    bm->cur_addr = 0;
    bm->cur_prd_last = 0;
    bm->cur_prd_addr = 0;
    bm->cur_prd_len = 0;
}

static void bmdma_irq(void *opaque, int n, int level)
{
    BMDMAState *bm = opaque;

    if (!level) {
        /* pass through lower */
        qemu_set_irq(bm->irq, level);
        return;
    }
    bm->status |= BM_STATUS_INT;
    /* trigger the real irq */
    qemu_set_irq(bm->irq, level);
}

void bmdma_cmd_writeb(BMDMAState *bm, uint32_t val)
{
    /* Ignore writes to SSBM if it keeps the old value */
    if ((val & BM_CMD_START) != (bm->cmd & BM_CMD_START)) {
        if (!(val & BM_CMD_START)) {
            /* QEMU cannot cancel a scatter-gather request half way
             * without a partial transfer reaching the disk: it waits for
             * it, as if it had completed before the guest stopped it. */
            ide_cancel_dma_sync(ide_bus_active_if(bm->bus));
            bm->status &= ~BM_STATUS_DMAING;
        } else {
            bm->cur_addr = bm->addr;
            if (!(bm->status & BM_STATUS_DMAING)) {
                IDEState *s = bmdma_active_if(bm);

                bm->status |= BM_STATUS_DMAING;
                /* start dma transfer if possible */
                if (bm->dma_cb && s) {
                    bm->dma_cb(s, 0);
                }
            }
        }
    }
    bm->cmd = val & 0x09;
}

void bmdma_status_writeb(BMDMAState *bm, uint32_t val)
{
    bm->status = (val & 0x60) | (bm->status & BM_STATUS_DMAING) |
                 (bm->status & ~val & (BM_STATUS_ERROR | BM_STATUS_INT));
}

static uint64_t bmdma_addr_read(void *opaque, hwaddr addr, unsigned width)
{
    BMDMAState *bm = opaque;
    uint32_t mask = (1ULL << (width * 8)) - 1;

    if (addr >= 4) {
        return mask;
    }
    return (bm->addr >> (addr * 8)) & mask;
}

static void bmdma_addr_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned width)
{
    BMDMAState *bm = opaque;
    int shift = addr * 8;
    uint32_t mask = (1ULL << (width * 8)) - 1;

    if (addr >= 4) {
        return;
    }
    bm->addr &= ~(mask << shift);
    bm->addr |= ((data & mask) << shift) & ~3;
}

const MemoryRegionOps bmdma_addr_ioport_ops = {
    .read = bmdma_addr_read,
    .write = bmdma_addr_write,
};

static const IDEDMAOps bmdma_ops = {
    .start_dma = bmdma_start_dma,
    .prepare_buf = bmdma_prepare_buf,
    .rw_buf = bmdma_rw_buf,
    .restart_dma = bmdma_restart_dma,
    .set_inactive = bmdma_set_inactive,
    .reset = bmdma_reset,
};

void bmdma_init(IDEBus *bus, BMDMAState *bm, PCIIDEState *d)
{
    if (bus->dma == &bm->dma) {
        return;
    }
    bm->dma.ops = &bmdma_ops;
    bus->dma = &bm->dma;
    bm->irq = bus->irq;
    bm->bmdma_irq = qemu_allocate_irq(bmdma_irq, bm, 0);
    bus->irq = bm->bmdma_irq;
    bm->pci_dev = d;
}

void bmdma_cleanup(BMDMAState *bm)
{
    if (bm->bmdma_irq) {
        if (bm->bus && bm->bus->irq == bm->bmdma_irq) {
            bm->bus->irq = bm->irq;
        }
        qemu_free_irq(bm->bmdma_irq);
        bm->bmdma_irq = NULL;
    }
}

void pci_ide_create_devs(PCIDevice *dev)
{
    PCIIDEState *d = PCI_IDE(dev);
    DriveInfo *hd_table[2 * MAX_IDE_DEVS];
    static const int bus[4] = { 0, 0, 1, 1 };
    static const int unit[4] = { 0, 1, 0, 1 };

    ide_drive_get(hd_table, ARRAY_SIZE(hd_table));
    for (int i = 0; i < 4; i++) {
        if (hd_table[i]) {
            ide_bus_create_drive(d->bus + bus[i], unit[i], hd_table[i]);
        }
    }
}

static const TypeInfo pci_ide_type_info = {
    .name = TYPE_PCI_IDE,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIIDEState),
    .abstract = true,
};

static void pci_ide_register_types(void)
{
    type_register_static(&pci_ide_type_info);
}

type_init(pci_ide_register_types)
