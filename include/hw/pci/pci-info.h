/*
 * pci-info.h - what `query-pci` and `info pci` report (QEMU 7.2's
 * qmp_query_pci in hw/pci/pci.c and hmp_info_pci in
 * hw/pci/pci-hmp-cmds.c), as plain C data for the monitor to format.
 *
 *   g_autoptr(PciInfoList) list = qmp_query_pci();
 *   for (GList *b = list->buses; b; b = b->next) {
 *       PciInfo *bus = b->data;           // bus number + devices
 *       for (GList *d = bus->devices; d; d = d->next) {
 *           PciDeviceInfo *dev = d->data; // as QEMU's PciDeviceInfo
 *       }
 *   }
 *
 * Field names follow QEMU's QAPI schema (qapi/pci.json), so the QMP
 * encoder maps them one to one ("class_info": {"class": q_class,
 * "desc": desc (omitted when NULL)}, "id": {"vendor", "device",
 * "subsystem-vendor", "subsystem" when has_subsystem}, "irq" when
 * has_irq, "irq_pin", "qdev_id", "regions": [{"bar", "type": "io" |
 * "memory", "address", "size", and for memory "prefetch",
 * "mem_type_64"}]).  No bridges exist, so "pci_bridge" never appears.
 *
 * hmp_info_pci_text() formats the same data exactly as QEMU 7.2's
 * `info pci`.  Threads: big lock.
 */
#ifndef HW_PCI_PCI_INFO_H
#define HW_PCI_PCI_INFO_H

#include "util/osdep.h"

typedef struct PciMemoryRegion {
    int64_t bar;                /* 0-5, 6 for the ROM */
    bool io;                    /* "type": "io" or "memory" */
    bool prefetch;              /* memory only */
    bool mem_type_64;           /* memory only */
    uint64_t address;           /* ~0 (0xffffffffffffffff) when unmapped */
    uint64_t size;
} PciMemoryRegion;

typedef struct PciDeviceInfo {
    int64_t bus, slot, function;
    int64_t q_class;            /* class_info.class: 0x0601 */
    char *desc;                 /* class_info.desc, or NULL */
    int64_t vendor, device;     /* id.vendor, id.device */
    bool has_subsystem;         /* type 0 header: subsystem ids valid */
    int64_t subsystem_vendor, subsystem;
    bool has_irq;               /* PCI_INTERRUPT_PIN != 0 */
    int64_t irq;                /* PCI_INTERRUPT_LINE */
    int64_t irq_pin;            /* PCI_INTERRUPT_PIN (0: none, 1 = A) */
    char *qdev_id;              /* the device's id, "" if none */
    GList *regions;             /* PciMemoryRegion *, by BAR */
} PciDeviceInfo;

typedef struct PciInfo {
    int64_t bus;                /* bus number */
    GList *devices;             /* PciDeviceInfo *, by devfn */
} PciInfo;

typedef struct PciInfoList {
    GList *buses;               /* PciInfo *, one per host bridge */
} PciInfoList;

/* Snapshot of every host bridge's root bus.  Never fails (no bus: an
 * empty list).  Free with qapi_free_PciInfoList (g_autoptr works). */
PciInfoList *qmp_query_pci(void);
void qapi_free_PciInfoList(PciInfoList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PciInfoList, qapi_free_PciInfoList)

/* Append QEMU 7.2's `info pci` text for @list (or, with @list NULL, for
 * a fresh qmp_query_pci()) to @out. */
void hmp_info_pci_text(GString *out, PciInfoList *list);

#endif /* HW_PCI_PCI_INFO_H */
