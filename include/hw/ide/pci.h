/*
 * hw/ide/pci.h - PCI IDE controllers and their bus-master DMA engine
 * (QEMU 7.2's include/hw/ide/pci.h, hw/ide/pci.c).
 *
 * "pci-ide" is the abstract base of PCI IDE functions: two IDE buses
 * ("ide.0", "ide.1"), each with a bus-master DMA engine (BMDMAState,
 * the SFF-8038i "BMIDE" registers: command, status, PRD table address)
 * that implements the core's IDEDMA interface (internal.h).  A subtype
 * (piix3-ide) maps the registers (16 bytes: channel i at i * 8) and
 * wires the buses.
 *
 * The engine, as QEMU's:
 *   - the guest writes the PRD table address (dword aligned: the low two
 *     bits read 0), then an ATA DMA command to the drive, then START
 *     (with READ = the direction, which QEMU ignores: the command says);
 *   - bmdma_prepare_buf walks the PRD table (8 bytes each: 32-bit
 *     address, 16-bit byte count with 0 = 64 KiB and bit 0 ignored,
 *     bit 31 = end of table) from the current position, through the
 *     function's bus-master address space (nothing unless COMMAND.MASTER
 *     is set: all-ones reads), until the end of the table or one page
 *     (512 entries) past its start, and puts at most the transfer's
 *     length into the drive's QEMUSGList; bytes described beyond that
 *     are consumed and ignored;
 *   - PRDs longer than the transfer: the transfer completes, ACTIVE
 *     stays set, INT is set; shorter: the transfer ends without an
 *     interrupt, ACTIVE cleared (ide_dma_cb in the core decides both);
 *   - clearing START while a request is in flight waits for it
 *     (ide_cancel_dma_sync), then clears ACTIVE;
 *   - status: ACTIVE (bit 0) read-only, ERR (1) and INT (2)
 *     write-one-to-clear, bits 5 and 6 (drive 0/1 DMA capable) plain
 *     read/write, the rest 0; INT is set whenever the bus raises its
 *     interrupt.
 *
 * Threads: big lock (register accesses from vCPUs, completions from the
 * main loop).
 */
#ifndef HW_IDE_PCI_H
#define HW_IDE_PCI_H

#include "hw/ide/internal.h"
#include "hw/pci/pci.h"

#define BM_STATUS_DMAING 0x01
#define BM_STATUS_ERROR  0x02
#define BM_STATUS_INT    0x04

#define BM_CMD_START     0x01
#define BM_CMD_READ      0x08

typedef struct PCIIDEState PCIIDEState;

typedef struct BMDMAState {
    IDEDMA dma;
    uint8_t cmd;                /* START and READ only */
    uint8_t status;
    uint32_t addr;              /* PRD table, dword aligned */

    IDEBus *bus;
    /* current transfer state */
    uint32_t cur_addr;          /* next PRD to fetch */
    uint32_t cur_prd_last;      /* the fetched PRD had EOT */
    uint32_t cur_prd_addr;
    uint32_t cur_prd_len;       /* bytes left in the fetched PRD */
    BlockCompletionFunc *dma_cb;    /* set by start_dma until inactive */
    MemoryRegion addr_ioport;   /* "bmdma": the PRD address, 4 bytes */
    MemoryRegion extra_io;      /* "piix-bmdma": command and status */
    qemu_irq irq;               /* the bus's real output */
    qemu_irq bmdma_irq;         /* what the bus drives instead (sets INT) */

    PCIIDEState *pci_dev;
} BMDMAState;

#define TYPE_PCI_IDE "pci-ide"
#define PCI_IDE(obj) OBJECT_CHECK(PCIIDEState, (obj), TYPE_PCI_IDE)

struct PCIIDEState {
    /*< private >*/
    PCIDevice parent_obj;
    /*< public >*/

    IDEBus bus[2];
    BMDMAState bmdma[2];
    MemoryRegion bmdma_bar;     /* BAR 4 (piix3-ide) */
};

/* The drive the engine transfers for (the one that started DMA), or
 * NULL if none (QEMU asserts). */
static inline IDEState *bmdma_active_if(BMDMAState *bmdma)
{
    uint8_t unit = bmdma->bus->retry_unit;

    return unit < 2 ? bmdma->bus->ifs + unit : NULL;
}

/* Make @bm the DMA engine of @bus (after ide_bus_init_output_irq): its
 * IDEDMA ops, and an interrupt hook that sets BM_STATUS_INT. */
void bmdma_init(IDEBus *bus, BMDMAState *bm, PCIIDEState *d);
/* Undo bmdma_init's allocation (unrealize). */
void bmdma_cleanup(BMDMAState *bm);
/* The command register (offset 0) and status register (offset 2). */
void bmdma_cmd_writeb(BMDMAState *bm, uint32_t val);
void bmdma_status_writeb(BMDMAState *bm, uint32_t val);
/* The PRD table address register (offset 4, 4 bytes). */
extern const MemoryRegionOps bmdma_addr_ioport_ops;

/* -drive if=ide,index=0..3 onto the two buses (ide-hd, or ide-cd for
 * media=cdrom), as QEMU's pci_ide_create_devs(). */
void pci_ide_create_devs(PCIDevice *dev);

#endif /* HW_IDE_PCI_H */
