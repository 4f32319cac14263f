/*
 * pci-bus.c - the PCI bus, TYPE_PCI_BUS "PCI" (QEMU 7.2's hw/pci/pci.c,
 * bus half): root bus creation, INTx line counting, `info qtree` lines
 * and device paths.  See include/hw/pci/pci-bus.h.
 */
#include "util/osdep.h"
#include "hw/pci/pci-bus.h"
#include "pci-internal.h"

/* --- INTx wiring ------------------------------------------------------------ */

void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq,
                  pci_map_irq_fn map_irq, void *irq_opaque, int nirq)
{
    assert(nirq > 0);
    bus->set_irq = set_irq;
    bus->map_irq = map_irq;
    bus->irq_opaque = irq_opaque;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
}

void pci_bus_irqs_cleanup(PCIBus *bus)
{
    bus->set_irq = NULL;
    bus->map_irq = NULL;
    bus->route_intx_to_irq = NULL;
    bus->irq_opaque = NULL;
    bus->nirq = 0;
    g_clear_pointer(&bus->irq_count, g_free);
}

void pci_bus_set_route_irq_fn(PCIBus *bus, pci_route_irq_fn route_intx_to_irq)
{
    bus->route_intx_to_irq = route_intx_to_irq;
}

int pci_bus_get_irq_level(PCIBus *bus, int irq_num)
{
    assert(irq_num >= 0 && irq_num < bus->nirq);
    return !!bus->irq_count[irq_num];
}

bool pci_bus_is_root(PCIBus *bus)
{
    return !bus->parent_dev;
}

int pci_bus_num(PCIBus *s)
{
    if (pci_bus_is_root(s)) {
        return 0;
    }
    return s->parent_dev->config[PCI_SECONDARY_BUS];
}

/* --- creating a root bus ---------------------------------------------------- */

PCIBus *pci_root_bus_new(DeviceState *parent, const char *name,
                         MemoryRegion *mem, MemoryRegion *io,
                         uint8_t devfn_min, const char *typename)
{
    PCIBus *bus;

    assert(PCI_FUNC(devfn_min) == 0);
    assert(object_dynamic_cast(OBJECT(parent), TYPE_PCI_HOST_BRIDGE));
    bus = PCI_BUS(qbus_new(typename, parent, name));
    bus->devfn_min = devfn_min;
    bus->address_space_mem = mem;
    bus->address_space_io = io;
    pci_host_bus_register(bus);
    return bus;
}

/* --- info qtree and device paths --------------------------------------------- */

/* QEMU's pcibus_dev_print. */
static void pcibus_dev_print(GString *out, DeviceState *dev, int indent)
{
    PCIDevice *d = PCI_DEVICE(dev);
    uint16_t class = pci_get_word(d->config + PCI_CLASS_DEVICE);
    const char *desc = pci_class_desc(class);
    g_autofree char *ctxt = desc ? g_strdup(desc)
                                 : g_strdup_printf("Class %04x", class);

    g_string_append_printf(out, "%*sclass %s, addr %02x:%02x.%x, "
                           "pci id %04x:%04x (sub %04x:%04x)\n",
                           indent, "", ctxt, pci_dev_bus_num(d),
                           PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                           pci_get_word(d->config + PCI_VENDOR_ID),
                           pci_get_word(d->config + PCI_DEVICE_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(d->config + PCI_SUBSYSTEM_ID));
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];

        if (!r->size) {
            continue;
        }
        g_string_append_printf(out, "%*sbar %d: %s at 0x%" FMT_PCIBUS
                               " [0x%" FMT_PCIBUS "]\n", indent, "", i,
                               r->type & PCI_BASE_ADDRESS_SPACE_IO ? "i/o"
                                                                   : "mem",
                               r->addr, r->addr + r->size - 1);
    }
}

/* QEMU's pcibus_get_dev_path: "0000:00:01.0" (root bus path, then
 * ":SS.F" per level; only the root level exists here). */
static char *pcibus_get_dev_path(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);

    return g_strdup_printf("%s:%02x.%x", pci_root_bus_path(d),
                           PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
}

/* After every device was reset (qbus_reset_all: children first), no pin
 * may be left counted. */
static void pcibus_reset(BusState *qbus)
{
    PCIBus *bus = PCI_BUS(qbus);

    for (int i = 0; i < bus->nirq; i++) {
        assert(bus->irq_count[i] == 0);
    }
}

static void pci_bus_finalize(Object *obj)
{
    PCIBus *bus = PCI_BUS(obj);

    pci_host_bus_unregister(bus);
    pci_bus_irqs_cleanup(bus);
}

static void pci_bus_class_init(ObjectClass *klass, void *data)
{
    BusClass *k = BUS_CLASS(klass);

    k->print_dev = pcibus_dev_print;
    k->get_dev_path = pcibus_get_dev_path;
    k->reset = pcibus_reset;
}

static const TypeInfo pci_bus_info = {
    .name = TYPE_PCI_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(PCIBus),
    .instance_finalize = pci_bus_finalize,
    .class_init = pci_bus_class_init,
};

static void pci_bus_register_types(void)
{
    type_register_static(&pci_bus_info);
}

type_init(pci_bus_register_types)
