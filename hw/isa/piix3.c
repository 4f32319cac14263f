/*
 * piix3.c - Intel 82371SB PIIX3 function 0, the PCI-to-ISA bridge
 * "PIIX3" (QEMU 7.2's hw/isa/piix3.c; datasheet 290550, 2.2 and 4.1).
 *
 * Modelled: the identity 8086:7000 class 0601 (multifunction, at 00:01.0
 * on the PC); PIRQ routing (PIRQRC[A-D], 0x60-0x63): the PCI bus's four
 * INTx lines, each counted over all devices by the bus, are routed to
 * ISA IRQs with QEMU's per-IRQ level tracking (pic_levels), re-evaluated
 * when a route changes; the Reset Control Register at 0xCF9; the ISA bus
 * "isa.0".  Config space otherwise stores what is written, reset to
 * QEMU's values.  Not modelled: see include/hw/isa/piix3.h.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "system/runstate.h"
#include "hw/pci/pci-bus.h"
#include "hw/isa/piix3.h"

#define RCR_SYS_RST             0x02    /* hard (1) / soft (0) reset */
#define RCR_RST_CPU             0x04    /* 0 -> 1: reset */

/* --- PIRQ routing ----------------------------------------------------------- */

/* ISA IRQ @pic_irq's level: any PIRQ routed to it and asserted. */
static void piix3_set_irq_pic(PIIX3State *piix3, int pic_irq)
{
    qemu_irq irq = piix3->pic ? piix3->pic[pic_irq] : NULL;

    qemu_set_irq(irq, !!(piix3->pic_levels &
                         (((1ULL << PIIX_NUM_PIRQS) - 1) <<
                          (pic_irq * PIIX_NUM_PIRQS))));
}

static void piix3_set_irq_level_internal(PIIX3State *piix3, int pirq,
                                         int level)
{
    int pic_irq = piix3->dev.config[PIIX_PIRQCA + pirq];
    uint64_t mask;

    if (pic_irq >= PIIX_NUM_PIC_IRQS) {
        return;             /* route disabled (bit 7) */
    }
    mask = 1ULL << ((pic_irq * PIIX_NUM_PIRQS) + pirq);
    piix3->pic_levels &= ~mask;
    piix3->pic_levels |= mask * !!level;
}

static void piix3_set_irq_level(PIIX3State *piix3, int pirq, int level)
{
    int pic_irq = piix3->dev.config[PIIX_PIRQCA + pirq];

    if (pic_irq >= PIIX_NUM_PIC_IRQS) {
        return;
    }
    piix3_set_irq_level_internal(piix3, pirq, level);
    piix3_set_irq_pic(piix3, pic_irq);
}

/* The PCI bus's set_irq: line @pirq is now @level. */
static void piix3_set_irq(void *opaque, int pirq, int level)
{
    piix3_set_irq_level(opaque, pirq, level);
}

/* The PCI bus's map_irq. */
static int piix3_map_irq(PCIDevice *pci_dev, int pci_intx)
{
    return piix3_pci_slot_get_pirq(PCI_SLOT(pci_dev->devfn), pci_intx);
}

static PCIINTxRoute piix3_route_intx_pin_to_irq(void *opaque, int pin)
{
    PIIX3State *piix3 = opaque;
    int irq = piix3->dev.config[PIIX_PIRQCA + pin];
    PCIINTxRoute route;

    if (irq < PIIX_NUM_PIC_IRQS) {
        route.mode = PCI_INTX_ENABLED;
        route.irq = irq;
    } else {
        route.mode = PCI_INTX_DISABLED;
        route.irq = -1;
    }
    return route;
}

/* A route changed: rebuild pic_levels from the bus's line levels. */
static void piix3_update_irq_levels(PIIX3State *piix3)
{
    PCIBus *bus = pci_get_bus(&piix3->dev);

    piix3->pic_levels = 0;
    for (int pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
        piix3_set_irq_level(piix3, pirq, pci_bus_get_irq_level(bus, pirq));
    }
}

static void piix3_write_config(PCIDevice *dev, uint32_t address,
                               uint32_t val, int len)
{
    PIIX3State *piix3 = PIIX3_PCI_DEVICE(dev);

    pci_default_write_config(dev, address, val, len);
    if (address < PIIX_PIRQCA + 4 && PIIX_PIRQCA < address + len) {
        piix3_update_irq_levels(piix3);
        /* An IRQ that lost its last PIRQ must go down too. */
        for (int pic_irq = 0; pic_irq < PIIX_NUM_PIC_IRQS; pic_irq++) {
            piix3_set_irq_pic(piix3, pic_irq);
        }
    }
}

void piix3_bios_setup_irqs(PIIX3State *piix3, const uint8_t irqs[4])
{
    PCIDevice *dev = &piix3->dev;
    PCIBus *bus = pci_get_bus(dev);

    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        dev->config_write(dev, PIIX_PIRQCA + i, irqs[i], 1);
    }
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = bus->devices[devfn];
        int pin;

        if (!d || !(pin = d->config[PCI_INTERRUPT_PIN]) || pin > 4) {
            continue;
        }
        d->config_write(d, PCI_INTERRUPT_LINE,
                        irqs[piix3_map_irq(d, pin - 1)], 1);
    }
}

/* --- Reset Control Register (0xCF9) ---------------------------------------- */

static void rcr_write(void *opaque, hwaddr addr, uint64_t val, unsigned len)
{
    PIIX3State *d = opaque;

    if (val & RCR_RST_CPU) {
        /* Soft or hard, a VM resets the same way (QEMU). */
        qomu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        return;
    }
    d->rcr = val & RCR_SYS_RST;     /* keep System Reset type only */
}

static uint64_t rcr_read(void *opaque, hwaddr addr, unsigned len)
{
    return ((PIIX3State *)opaque)->rcr;
}

static const MemoryRegionOps rcr_ops = {
    .read = rcr_read,
    .write = rcr_write,
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* --- reset, realize, class ----------------------------------------------------- */

/* QEMU's piix3_reset: the datasheet's defaults for what QEMU keeps. */
static void piix3_reset_config(PIIX3State *d)
{
    uint8_t *pci_conf = d->dev.config;

    pci_conf[0x04] = 0x07; /* master, memory and I/O */
    pci_conf[0x05] = 0x00;
    pci_conf[0x06] = 0x00;
    pci_conf[0x07] = 0x02; /* PCI_status_devsel_medium */
    pci_conf[0x4c] = 0x4d;
    pci_conf[0x4e] = 0x03;
    pci_conf[0x4f] = 0x00;
    pci_conf[0x60] = 0x80;
    pci_conf[0x61] = 0x80;
    pci_conf[0x62] = 0x80;
    pci_conf[0x63] = 0x80;
    pci_conf[0x69] = 0x02;
    pci_conf[0x70] = 0x80;
    pci_conf[0x76] = 0x0c;
    pci_conf[0x77] = 0x0c;
    pci_conf[0x78] = 0x02;
    pci_conf[0x79] = 0x00;
    pci_conf[0x80] = 0x00;
    pci_conf[0x82] = 0x00;
    pci_conf[0xa0] = 0x08;
    pci_conf[0xa2] = 0x00;
    pci_conf[0xa3] = 0x00;
    pci_conf[0xa4] = 0x00;
    pci_conf[0xa5] = 0x00;
    pci_conf[0xa6] = 0x00;
    pci_conf[0xa7] = 0x00;
    pci_conf[0xa8] = 0x0f;
    pci_conf[0xaa] = 0x00;
    pci_conf[0xab] = 0x00;
    pci_conf[0xac] = 0x00;
    pci_conf[0xae] = 0x00;

    d->pic_levels = 0;
    d->rcr = 0;
}

typedef struct PIIX3Class {
    PCIDeviceClass parent_class;
    DeviceReset parent_reset;
} PIIX3Class;

static void piix3_reset(DeviceState *dev)
{
    PIIX3State *d = PIIX3_PCI_DEVICE(dev);
    PIIX3Class *pc = (PIIX3Class *)object_get_class(OBJECT(dev));

    /* QEMU runs piix3_reset (a qemu_register_reset hook) before the PCI
     * bus reset, which then clears the COMMAND bits it set: a guest sees
     * COMMAND 0 after reset.  Same order here. */
    if (dev->realized) {
        piix3_reset_config(d);
    }
    pc->parent_reset(dev);
    if (!dev->realized) {
        return;
    }
    /* Routes are disabled now: drop whatever the ISA IRQs showed. */
    for (int pic_irq = 0; pic_irq < PIIX_NUM_PIC_IRQS; pic_irq++) {
        piix3_set_irq_pic(d, pic_irq);
    }
}

static bool piix3_realize(PCIDevice *dev, Error **errp)
{
    PIIX3State *d = PIIX3_PCI_DEVICE(dev);
    PCIBus *pci_bus = pci_get_bus(dev);

    if (!isa_bus_new(DEVICE(d), pci_address_space_io(dev), errp)) {
        return false;
    }
    memory_region_init_io(&d->rcr_mem, OBJECT(dev), &rcr_ops, d,
                          "piix3-reset-control", 1);
    /* Priority 1: over the host bridge's 4-byte CONFIG_ADDRESS at 0xCF8
     * (only dword accesses reach that one). */
    memory_region_add_subregion_overlap(pci_address_space_io(dev),
                                        PIIX_RCR_IOPORT, &d->rcr_mem, 1);
    pci_bus_irqs(pci_bus, piix3_set_irq, piix3_map_irq, d, PIIX_NUM_PIRQS);
    pci_bus_set_route_irq_fn(pci_bus, piix3_route_intx_pin_to_irq);
    piix3_reset_config(d);
    return true;
}

static void piix3_exit(PCIDevice *dev)
{
    PIIX3State *d = PIIX3_PCI_DEVICE(dev);
    PCIBus *pci_bus = pci_get_bus(dev);

    if (pci_bus->irq_opaque == d) {
        pci_bus_irqs_cleanup(pci_bus);
    }
    if (memory_region_is_mapped(&d->rcr_mem)) {
        memory_region_del_subregion(d->rcr_mem.container, &d->rcr_mem);
    }
    object_unparent(OBJECT(&d->rcr_mem));
}

static void pci_piix3_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->config_write = piix3_write_config;
    dc->desc = "ISA bridge";
    dc->hotpluggable = false;
    k->vendor_id = PCI_VENDOR_ID_INTEL;
    /* 82371SB PIIX3 PCI-to-ISA bridge (Step A1) */
    k->device_id = PCI_DEVICE_ID_INTEL_82371SB_0;
    k->class_id = PCI_CLASS_BRIDGE_ISA;
    device_class_set_category(dc, DEVICE_CATEGORY_BRIDGE);
    device_class_set_parent_reset(dc, piix3_reset,
                                  &((PIIX3Class *)klass)->parent_reset);
    /* Reason: part of PIIX3 southbridge, needs to be wired up by
     * pc_piix.c's pc_init1() */
    dc->user_creatable = false;
}

static void piix3_class_init(ObjectClass *klass, void *data)
{
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = piix3_realize;
    k->exit = piix3_exit;
}

static const TypeInfo piix3_types[] = {
    {
        .name = TYPE_PIIX3_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PIIX3State),
        .class_size = sizeof(PIIX3Class),
        .class_init = pci_piix3_class_init,
        .abstract = true,
    },
    {
        .name = TYPE_PIIX3_DEVICE,
        .parent = TYPE_PIIX3_PCI_DEVICE,
        .class_init = piix3_class_init,
    },
};

DEFINE_TYPES(piix3_types)
