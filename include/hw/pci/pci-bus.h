/*
 * pci-bus.h - the PCI bus, TYPE_PCI_BUS "PCI" (QEMU 7.2's
 * include/hw/pci/pci_bus.h and the bus half of hw/pci/pci.c).
 *
 * A root bus ("pci.0") belongs to a host bridge (pci-host.h), which
 * creates it with pci_root_bus_new() and gives it the memory and I/O
 * spaces BARs map into.  The bus holds up to 256 functions, indexed by
 * devfn.  Its interrupt wiring comes from whoever routes INTx (on the PC
 * the PIIX3, hw/isa/piix3.h): pci_bus_irqs() sets
 *   map_irq(dev, pin) -> line (0..nirq-1)   which line a device's pin is,
 *   set_irq(opaque, line, level)             the line's level changed,
 * and the bus counts, per line, how many pins assert it (QEMU's
 * irq_count), so a line stays up while any device holds it.
 *
 * `info qtree` lines (print_dev) and the device path ("0000:00:01.0",
 * get_dev_path) are QEMU's.  Not modelled: secondary buses (bridges),
 * PCIe buses, IOMMU hooks, slot reservation by the board beyond
 * slot_reserved_mask.
 *
 * Threads: big lock.
 */
#ifndef HW_PCI_PCI_BUS_H
#define HW_PCI_PCI_BUS_H

#include "hw/pci/pci.h"

typedef void (*pci_set_irq_fn)(void *opaque, int irq_num, int level);
typedef int (*pci_map_irq_fn)(PCIDevice *pci_dev, int irq_num);
typedef PCIINTxRoute (*pci_route_irq_fn)(void *opaque, int pin);

struct PCIBus {
    /* private: */
    BusState qbus;
    /* public: */

    uint8_t devfn_min;          /* first devfn auto-assignment may use */
    uint32_t slot_reserved_mask;    /* bit n: slot n refused ("reserved") */
    PCIDevice *devices[PCI_DEVFN_MAX];  /* not referenced: the bus's
                                         * children list holds them */
    PCIDevice *parent_dev;      /* bridge above; NULL for a root bus */
    MemoryRegion *address_space_mem;    /* where memory BARs map */
    MemoryRegion *address_space_io;     /* where I/O BARs map */

    /* INTx: set by pci_bus_irqs() */
    pci_set_irq_fn set_irq;
    pci_map_irq_fn map_irq;
    pci_route_irq_fn route_intx_to_irq;
    void *irq_opaque;
    int nirq;                   /* lines */
    int *irq_count;             /* per line: pins asserting it (g_new0) */
};

/**
 * pci_root_bus_new: create the root bus of host bridge @parent (named
 * @name, or "pci.N" as qbus_new names it) whose BARs map into @mem and
 * @io.  Functions below @devfn_min (a function-0 devfn) are only placed
 * by explicit address.  Returns the bus, borrowed (@parent owns it); it
 * is realized with @parent.  @parent must be a TYPE_PCI_HOST_BRIDGE; the
 * bus is listed by pci_host_bridges_foreach (query-pci).
 */
PCIBus *pci_root_bus_new(DeviceState *parent, const char *name,
                         MemoryRegion *mem, MemoryRegion *io,
                         uint8_t devfn_min, const char *typename);

/**
 * pci_bus_irqs: wire the bus's INTx (see the header comment).  @nirq
 * lines.  pci_bus_irqs_cleanup undoes it (called when the bus goes).
 */
void pci_bus_irqs(PCIBus *bus, pci_set_irq_fn set_irq,
                  pci_map_irq_fn map_irq, void *irq_opaque, int nirq);
void pci_bus_irqs_cleanup(PCIBus *bus);
void pci_bus_set_route_irq_fn(PCIBus *bus, pci_route_irq_fn route_intx_to_irq);

/* 1 if any pin asserts line @irq_num, else 0. */
int pci_bus_get_irq_level(PCIBus *bus, int irq_num);

/* The bus number: 0 for a root bus. */
int pci_bus_num(PCIBus *s);
bool pci_bus_is_root(PCIBus *bus);

#endif /* HW_PCI_PCI_BUS_H */
