/*
 * pci-internal.h - what the hw/pci/ files share and nothing else needs.
 */
#ifndef HW_PCI_PCI_INTERNAL_H
#define HW_PCI_PCI_INTERNAL_H

#include "hw/pci/pci-host.h"

/* pci-host.c: the list pci_host_bridges_foreach walks.  A root bus is
 * added when created and removed when finalized. */
void pci_host_bus_register(PCIBus *bus);
void pci_host_bus_unregister(PCIBus *bus);

#endif /* HW_PCI_PCI_INTERNAL_H */
