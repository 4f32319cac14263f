/*
 * pci-host.h - PCI host bridges, TYPE_PCI_HOST_BRIDGE (QEMU 7.2's
 * include/hw/pci/pci_host.h, hw/pci/pci_host.c).
 *
 * A host bridge is a sysbus device that owns a root PCI bus and the
 * configuration mechanism #1 ports (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2): CONFIG_ADDRESS at 0xCF8 (a 32-bit register: bit 31 enable,
 * bus 23:16, device 15:11, function 10:8, register 7:2) and CONFIG_DATA
 * at 0xCFC-0xCFF (byte, word or dword accesses at the byte the low
 * address bits name).  A concrete bridge (i440FX) creates the regions
 * with pci_host_conf_le_ops / pci_host_data_le_ops and maps them.
 *
 * As QEMU: CONFIG_ADDRESS takes only 32-bit writes at 0xCF8 (narrower
 * ones are ignored; a byte at 0xCF9 is the PIIX3's reset register);
 * CONFIG_DATA with the enable bit clear reads all-ones and ignores
 * writes; an absent function reads all-ones.
 *
 * Threads: the ops run in vCPU threads under the big lock.
 */
#ifndef HW_PCI_PCI_HOST_H
#define HW_PCI_PCI_HOST_H

#include "hw/core/sysbus.h"
#include "hw/pci/pci-bus.h"

#define TYPE_PCI_HOST_BRIDGE "pci-host-bridge"
OBJECT_DECLARE_TYPE(PCIHostState, PCIHostBridgeClass, PCI_HOST_BRIDGE)

struct PCIHostState {
    /* private: */
    SysBusDevice busdev;
    /* public: */

    MemoryRegion conf_mem;      /* "pci-conf-idx", 4 bytes at 0xCF8 */
    MemoryRegion data_mem;      /* "pci-conf-data", 4 bytes at 0xCFC */
    uint32_t config_reg;        /* CONFIG_ADDRESS as last written */
    bool mig_enabled;           /* "x-config-reg-migration-enabled" */
    bool bypass_iommu;          /* "bypass-iommu" (no IOMMU: unused) */
    PCIBus *bus;                /* the root bus (the bridge owns it) */
};

struct PCIHostBridgeClass {
    SysBusDeviceClass parent_class;

    /* The root bus's name in device paths ("0000:00"); NULL: its name. */
    const char *(*root_bus_path)(PCIHostState *host, PCIBus *rootbus);
};

/* The 0xCF8 and 0xCFC register blocks, opaque = the PCIHostState. */
extern const MemoryRegionOps pci_host_conf_le_ops;
extern const MemoryRegionOps pci_host_data_le_ops;

/**
 * pci_data_write / pci_data_read: a config access through a CONFIG_ADDRESS
 * value @addr (enable bit ignored) of @len bytes (1, 2 or 4; @addr's low
 * bits give the byte).  Absent functions read ~0 and ignore writes.
 */
void pci_data_write(PCIBus *s, uint32_t addr, uint32_t val, unsigned len);
uint32_t pci_data_read(PCIBus *s, uint32_t addr, unsigned len);

/* The root bus's path component of device paths (see root_bus_path). */
const char *pci_root_bus_path(PCIDevice *dev);

/* Calls @fn on every host bridge's root bus, in creation order. */
void pci_host_bridges_foreach(void (*fn)(PCIBus *bus, void *opaque),
                              void *opaque);

#endif /* HW_PCI_PCI_HOST_H */
