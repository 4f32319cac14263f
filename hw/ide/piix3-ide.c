/*
 * piix3-ide.c - "piix3-ide", Intel 82371SB PIIX3 function 1, the IDE
 * controller (QEMU 7.2's hw/ide/piix.c; datasheet 290550, 2.3 and 5.1).
 *
 * 8086:7010, class 0101, programming interface 0x80 (bus master,
 * both channels in legacy "compatibility" mode, which the guest cannot
 * change); at 00:01.1 on the PC.  As QEMU's:
 *   - the legacy ports are decoded whatever the BARs and COMMAND.IO say:
 *     channel 0 at 0x1f0-0x1f7 and 0x3f6, IRQ 14; channel 1 at
 *     0x170-0x177 and 0x376, IRQ 15 (ISA IRQs of the ISA bus);
 *   - BAR 4 is the bus-master register block (16 bytes of I/O, channel
 *     i at i * 8: command, -, status, -, PRD address x 4), decoded only
 *     with COMMAND.IO; bus-master DMA reaches memory only with
 *     COMMAND.MASTER (hw/ide/pci.c);
 *   - no interrupt pin (the channels use IRQ 14/15 directly);
 *   - the PIIX timing registers (IDETIM 0x40-0x43, SIDETIM 0x44) and the
 *     rest of 0x40-0xff are plain read/write bytes (QEMU's default
 *     wmask), not interpreted;
 *   - reset: both buses reset, COMMAND 0, STATUS DEVSEL medium + fast
 *     back-to-back, BAR 4 back to its I/O type bit.
 * Not modelled: PIIX4 ("piix4-ide"), Xen's unplug ("piix3-ide-xen"),
 * vmstate.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/isa/isa.h"
#include "hw/ide/pci.h"

#define TYPE_PIIX3_IDE "piix3-ide"

typedef struct PIIX3IDEClass {
    PCIDeviceClass parent_class;
    DeviceReset parent_reset;
} PIIX3IDEClass;

/* --- BAR 4: command and status (the PRD address is bmdma_addr_ioport) --- */

static uint64_t piix3_ide_bmdma_read(void *opaque, hwaddr addr,
                                     unsigned size)
{
    BMDMAState *bm = opaque;

    if (size != 1) {
        return ((uint64_t)1 << (size * 8)) - 1;
    }
    switch (addr & 3) {
    case 0:
        return bm->cmd;
    case 2:
        return bm->status;
    default:
        return 0xff;
    }
}

static void piix3_ide_bmdma_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    BMDMAState *bm = opaque;

    if (size != 1) {
        return;
    }
    switch (addr & 3) {
    case 0:
        bmdma_cmd_writeb(bm, val);
        break;
    case 2:
        bmdma_status_writeb(bm, val);
        break;
    }
}

static const MemoryRegionOps piix3_ide_bmdma_ops = {
    .read = piix3_ide_bmdma_read,
    .write = piix3_ide_bmdma_write,
};

static void piix3_ide_setup_bar(PCIIDEState *d)
{
    memory_region_init(&d->bmdma_bar, OBJECT(d), "piix-bmdma-container", 16);
    for (int i = 0; i < 2; i++) {
        BMDMAState *bm = &d->bmdma[i];

        memory_region_init_io(&bm->extra_io, OBJECT(d), &piix3_ide_bmdma_ops,
                              bm, "piix-bmdma", 4);
        memory_region_add_subregion(&d->bmdma_bar, i * 8, &bm->extra_io);
        memory_region_init_io(&bm->addr_ioport, OBJECT(d),
                              &bmdma_addr_ioport_ops, bm, "bmdma", 4);
        memory_region_add_subregion(&d->bmdma_bar, i * 8 + 4,
                                    &bm->addr_ioport);
    }
}

/* --- life -------------------------------------------------------------- */

static void piix3_ide_reset(DeviceState *dev)
{
    PCIIDEState *d = PCI_IDE(dev);
    PCIDevice *pd = PCI_DEVICE(d);
    PIIX3IDEClass *pc = (PIIX3IDEClass *)object_get_class(OBJECT(dev));
    uint8_t *pci_conf = pd->config;

    if (dev->realized) {
        for (int i = 0; i < 2; i++) {
            ide_bus_reset(&d->bus[i]);
        }
        /* PCI command register default value (0x0) as per PIIX3/PIIX4
         * spec */
        pci_set_word(pci_conf + PCI_COMMAND, 0x0000);
        pci_set_word(pci_conf + PCI_STATUS,
                     PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);
        pci_set_byte(pci_conf + 0x20, 0x01);    /* BMIBA: 20-23h */
    }
    pc->parent_reset(dev);
}

static void piix3_ide_init_bus(PCIIDEState *d, unsigned i)
{
    static const struct {
        int iobase;
        int iobase2;
        int isairq;
    } port_info[] = {
        { 0x1f0, 0x3f6, 14 },
        { 0x170, 0x376, 15 },
    };

    ide_bus_init(&d->bus[i], sizeof(d->bus[i]), DEVICE(d), i, 2);
    ide_init_ioport(&d->bus[i], NULL, port_info[i].iobase,
                    port_info[i].iobase2);
    ide_bus_init_output_irq(&d->bus[i],
                            isa_get_irq(NULL, port_info[i].isairq));
    bmdma_init(&d->bus[i], &d->bmdma[i], d);
    d->bmdma[i].bus = &d->bus[i];
    ide_bus_register_restart_cb(&d->bus[i]);
}

static bool piix3_ide_realize(PCIDevice *dev, Error **errp)
{
    PCIIDEState *d = PCI_IDE(dev);

    /* The legacy ports and IRQs are the ISA bus's (QEMU would crash). */
    if (!isa_bus_get()) {
        error_setg(errp, "%s needs an ISA bus", object_get_typename(
                       OBJECT(dev)));
        return false;
    }
    dev->config[PCI_CLASS_PROG] = 0x80;     /* legacy ATA mode */

    piix3_ide_setup_bar(d);
    pci_register_bar(dev, 4, PCI_BASE_ADDRESS_SPACE_IO, &d->bmdma_bar);

    for (unsigned i = 0; i < 2; i++) {
        piix3_ide_init_bus(d, i);
    }
    return true;
}

static void piix3_ide_exit(PCIDevice *dev)
{
    PCIIDEState *d = PCI_IDE(dev);

    for (int i = 0; i < 2; i++) {
        bmdma_cleanup(&d->bmdma[i]);
        memory_region_del_subregion(&d->bmdma_bar, &d->bmdma[i].extra_io);
        memory_region_del_subregion(&d->bmdma_bar, &d->bmdma[i].addr_ioport);
    }
}

/* NOTE: for the PIIX3, the IRQs and IOports are hardcoded */
static void piix3_ide_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    device_class_set_parent_reset(dc, piix3_ide_reset,
                                  &((PIIX3IDEClass *)klass)->parent_reset);
    k->realize = piix3_ide_realize;
    k->exit = piix3_ide_exit;
    k->vendor_id = PCI_VENDOR_ID_INTEL;
    k->device_id = PCI_DEVICE_ID_INTEL_82371SB_1;
    k->class_id = PCI_CLASS_STORAGE_IDE;
    device_class_set_category(dc, DEVICE_CATEGORY_STORAGE);
    dc->hotpluggable = false;
}

static const TypeInfo piix3_ide_info = {
    .name = TYPE_PIIX3_IDE,
    .parent = TYPE_PCI_IDE,
    .class_size = sizeof(PIIX3IDEClass),
    .class_init = piix3_ide_class_init,
};

static void piix3_ide_register_types(void)
{
    type_register_static(&piix3_ide_info);
}

type_init(piix3_ide_register_types)
