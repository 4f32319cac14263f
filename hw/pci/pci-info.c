/*
 * pci-info.c - query-pci data and `info pci` text (QEMU 7.2's
 * qmp_query_pci, hw/pci/pci.c, and hmp_info_pci,
 * hw/pci/pci-hmp-cmds.c).  See include/hw/pci/pci-info.h.
 */
#include "util/osdep.h"
#include "hw/pci/pci-host.h"
#include "hw/pci/pci-info.h"

/* --- query-pci --------------------------------------------------------------- */

static GList *query_pci_regions(const PCIDevice *dev)
{
    GList *head = NULL;

    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        const PCIIORegion *r = &dev->io_regions[i];
        PciMemoryRegion *region;

        if (!r->size) {
            continue;
        }
        region = g_new0(PciMemoryRegion, 1);
        region->bar = i;
        region->io = r->type & PCI_BASE_ADDRESS_SPACE_IO;
        if (!region->io) {
            region->prefetch = r->type & PCI_BASE_ADDRESS_MEM_PREFETCH;
            region->mem_type_64 = r->type & PCI_BASE_ADDRESS_MEM_TYPE_64;
        }
        region->address = r->addr;
        region->size = r->size;
        head = g_list_append(head, region);
    }
    return head;
}

static void query_pci_device(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    PciInfo *bus_info = opaque;
    PciDeviceInfo *info = g_new0(PciDeviceInfo, 1);
    const char *desc;
    uint8_t type;

    info->bus = bus_info->bus;
    info->slot = PCI_SLOT(dev->devfn);
    info->function = PCI_FUNC(dev->devfn);
    info->q_class = pci_get_word(dev->config + PCI_CLASS_DEVICE);
    desc = pci_class_desc(info->q_class);
    info->desc = g_strdup(desc);
    info->vendor = pci_get_word(dev->config + PCI_VENDOR_ID);
    info->device = pci_get_word(dev->config + PCI_DEVICE_ID);
    info->regions = query_pci_regions(dev);
    info->qdev_id = g_strdup(DEVICE(dev)->id ? DEVICE(dev)->id : "");
    info->irq_pin = dev->config[PCI_INTERRUPT_PIN];
    if (dev->config[PCI_INTERRUPT_PIN] != 0) {
        info->has_irq = true;
        info->irq = dev->config[PCI_INTERRUPT_LINE];
    }
    type = dev->config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MULTI_FUNCTION;
    if (type == PCI_HEADER_TYPE_NORMAL) {
        info->has_subsystem = true;
        info->subsystem = pci_get_word(dev->config + PCI_SUBSYSTEM_ID);
        info->subsystem_vendor =
            pci_get_word(dev->config + PCI_SUBSYSTEM_VENDOR_ID);
    }
    bus_info->devices = g_list_append(bus_info->devices, info);
}

static void query_pci_bus(PCIBus *bus, void *opaque)
{
    PciInfoList *list = opaque;
    PciInfo *info = g_new0(PciInfo, 1);

    info->bus = pci_bus_num(bus);
    pci_for_each_device(bus, info->bus, query_pci_device, info);
    list->buses = g_list_append(list->buses, info);
}

PciInfoList *qmp_query_pci(void)
{
    PciInfoList *list = g_new0(PciInfoList, 1);

    pci_host_bridges_foreach(query_pci_bus, list);
    return list;
}

static void free_device_info(gpointer p)
{
    PciDeviceInfo *info = p;

    g_free(info->desc);
    g_free(info->qdev_id);
    g_list_free_full(info->regions, g_free);
    g_free(info);
}

static void free_bus_info(gpointer p)
{
    PciInfo *info = p;

    g_list_free_full(info->devices, free_device_info);
    g_free(info);
}

void qapi_free_PciInfoList(PciInfoList *list)
{
    if (list) {
        g_list_free_full(list->buses, free_bus_info);
        g_free(list);
    }
}

/* --- info pci ------------------------------------------------------------------ */

static void hmp_info_pci_device(GString *out, const PciDeviceInfo *dev)
{
    g_string_append_printf(out, "  Bus %2" PRId64 ", ", dev->bus);
    g_string_append_printf(out, "device %3" PRId64 ", function %" PRId64
                           ":\n", dev->slot, dev->function);
    g_string_append(out, "    ");
    if (dev->desc) {
        g_string_append(out, dev->desc);
    } else {
        g_string_append_printf(out, "Class %04" PRId64, dev->q_class);
    }
    g_string_append_printf(out, ": PCI device %04" PRIx64 ":%04" PRIx64
                           "\n", dev->vendor, dev->device);
    if (dev->has_subsystem) {
        g_string_append_printf(out, "      PCI subsystem %04" PRIx64
                               ":%04" PRIx64 "\n", dev->subsystem_vendor,
                               dev->subsystem);
    }
    if (dev->has_irq) {
        g_string_append_printf(out, "      IRQ %" PRId64 ", pin %c\n",
                               dev->irq, (char)('A' + dev->irq_pin - 1));
    }
    for (GList *l = dev->regions; l; l = l->next) {
        const PciMemoryRegion *r = l->data;

        g_string_append_printf(out, "      BAR%" PRId64 ": ", r->bar);
        if (r->io) {
            g_string_append_printf(out, "I/O at 0x%04" PRIx64
                                   " [0x%04" PRIx64 "].\n",
                                   r->address, r->address + r->size - 1);
        } else {
            g_string_append_printf(out, "%d bit%s memory at 0x%08" PRIx64
                                   " [0x%08" PRIx64 "].\n",
                                   r->mem_type_64 ? 64 : 32,
                                   r->prefetch ? " prefetchable" : "",
                                   r->address, r->address + r->size - 1);
        }
    }
    g_string_append_printf(out, "      id \"%s\"\n", dev->qdev_id);
}

void hmp_info_pci_text(GString *out, PciInfoList *list)
{
    g_autoptr(PciInfoList) own = list ? NULL : qmp_query_pci();

    for (GList *b = (list ? list : own)->buses; b; b = b->next) {
        PciInfo *bus = b->data;

        for (GList *d = bus->devices; d; d = d->next) {
            hmp_info_pci_device(out, d->data);
        }
    }
}
