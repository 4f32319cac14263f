/*
 * pci-host.c - the abstract PCI host bridge, TYPE_PCI_HOST_BRIDGE
 * (QEMU 7.2's hw/pci/pci_host.c): configuration mechanism #1 through
 * CONFIG_ADDRESS (0xCF8) and CONFIG_DATA (0xCFC), and the list of host
 * bridges that query-pci walks.  See include/hw/pci/pci-host.h.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/pci/pci-host.h"
#include "pci-internal.h"

#define CONFIG_ADDRESS_ENABLE (1u << 31)

/* The root buses of all host bridges, oldest first (QEMU's
 * pci_host_bridges, a process-wide registry like the ISA bus). */
static GSList *pci_root_buses;

void pci_host_bus_register(PCIBus *bus)
{
    pci_root_buses = g_slist_append(pci_root_buses, bus);
}

void pci_host_bus_unregister(PCIBus *bus)
{
    pci_root_buses = g_slist_remove(pci_root_buses, bus);
}

void pci_host_bridges_foreach(void (*fn)(PCIBus *bus, void *opaque),
                              void *opaque)
{
    for (GSList *l = pci_root_buses; l; l = l->next) {
        fn(l->data, opaque);
    }
}

const char *pci_root_bus_path(PCIDevice *dev)
{
    PCIBus *rootbus = pci_get_bus(dev);
    PCIHostState *host = PCI_HOST_BRIDGE(rootbus->qbus.parent);
    PCIHostBridgeClass *hc = PCI_HOST_BRIDGE_GET_CLASS(host);

    assert(pci_bus_is_root(rootbus));
    if (hc->root_bus_path) {
        return hc->root_bus_path(host, rootbus);
    }
    return rootbus->qbus.name;
}

/* --- config cycles ----------------------------------------------------------- */

/* Bus 23:16, devfn 15:8 of a CONFIG_ADDRESS value. */
static PCIDevice *pci_dev_find_by_addr(PCIBus *bus, uint32_t addr)
{
    return pci_find_device(bus, (addr >> 16) & 0xff, (addr >> 8) & 0xff);
}

void pci_data_write(PCIBus *s, uint32_t addr, uint32_t val, unsigned len)
{
    PCIDevice *pci_dev = pci_dev_find_by_addr(s, addr);
    uint32_t config_addr = addr & (PCI_CONFIG_SPACE_SIZE - 1);

    if (!pci_dev) {
        return;             /* master abort: the write goes nowhere */
    }
    assert(len >= 1 && len <= 4);
    /* A register offset with its low bits set (the guest may write them
     * into CONFIG_ADDRESS) can run past the end: clip, as QEMU. */
    pci_dev->config_write(pci_dev, config_addr, val,
                          MIN(len, PCI_CONFIG_SPACE_SIZE - config_addr));
}

uint32_t pci_data_read(PCIBus *s, uint32_t addr, unsigned len)
{
    PCIDevice *pci_dev = pci_dev_find_by_addr(s, addr);
    uint32_t config_addr = addr & (PCI_CONFIG_SPACE_SIZE - 1);

    if (!pci_dev) {
        return ~0u;         /* master abort: all-ones */
    }
    assert(len >= 1 && len <= 4);
    return pci_dev->config_read(pci_dev, config_addr,
                                MIN(len, PCI_CONFIG_SPACE_SIZE - config_addr));
}

/* CONFIG_ADDRESS: only a 32-bit write at 0xCF8 counts (QEMU). */
static void pci_host_config_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned len)
{
    PCIHostState *s = opaque;

    if (addr != 0 || len != 4) {
        return;             /* Linux's type 1 probe does this on purpose */
    }
    s->config_reg = val;
}

static uint64_t pci_host_config_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    return s->config_reg;   /* QEMU: the whole register, whatever @addr */
}

static void pci_host_data_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned len)
{
    PCIHostState *s = opaque;

    if (s->config_reg & CONFIG_ADDRESS_ENABLE) {
        pci_data_write(s->bus, s->config_reg | (addr & 3), val, len);
    }
}

static uint64_t pci_host_data_read(void *opaque, hwaddr addr, unsigned len)
{
    PCIHostState *s = opaque;

    if (!(s->config_reg & CONFIG_ADDRESS_ENABLE)) {
        return 0xffffffff;
    }
    return pci_data_read(s->bus, s->config_reg | (addr & 3), len);
}

const MemoryRegionOps pci_host_conf_le_ops = {
    .read = pci_host_config_read,
    .write = pci_host_config_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

const MemoryRegionOps pci_host_data_le_ops = {
    .read = pci_host_data_read,
    .write = pci_host_data_write,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

/* --- the type ------------------------------------------------------------------ */

static Property pci_host_properties_common[] = {
    DEFINE_PROP_BOOL("x-config-reg-migration-enabled", PCIHostState,
                     mig_enabled, true),
    DEFINE_PROP_BOOL("bypass-iommu", PCIHostState, bypass_iommu, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_host_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    device_class_set_props(dc, pci_host_properties_common);
    device_class_set_category(dc, DEVICE_CATEGORY_BRIDGE);
}

static const TypeInfo pci_host_type_info = {
    .name = TYPE_PCI_HOST_BRIDGE,
    .parent = TYPE_SYS_BUS_DEVICE,
    .abstract = true,
    .class_size = sizeof(PCIHostBridgeClass),
    .instance_size = sizeof(PCIHostState),
    .class_init = pci_host_class_init,
};

static void pci_host_register_types(void)
{
    type_register_static(&pci_host_type_info);
}

type_init(pci_host_register_types)
