/*
 * qdev-properties-system.h - static device properties that name objects
 * of other subsystems (QEMU 7.2's include/hw/qdev-properties-system.h,
 * hw/core/qdev-properties-system.c).  So far: "chardev", PCI "addr".
 *
 *   typedef struct { ISADevice parent_obj; CharBackend chr; } FooState;
 *   DEFINE_PROP_CHR("chardev", FooState, chr),
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_QDEV_PROPERTIES_SYSTEM_H
#define HW_CORE_QDEV_PROPERTIES_SYSTEM_H

#include "hw/core/qdev-properties.h"
#include "chardev/char-fe.h"

/*
 * qdev_prop_chr: a CharBackend field, set by chardev id (QOM type "str";
 * it reads back as the chardev's id, "" when unset).  Setting it connects
 * the frontend (qemu_chr_fe_init), so errors are QEMU's:
 *   "Property 'T.NAME' can't find value 'ID'"
 *   "Property 'T.NAME' can't take value 'ID': Device 'ID' is in use"
 *   "chardev property already set" (a second assignment)
 * "" leaves it unset.  Releasing the device disconnects the frontend
 * (the chardev stays, for another frontend to use).
 */
extern const PropertyInfo qdev_prop_chr;

#define DEFINE_PROP_CHR(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_chr, CharBackend)

/*
 * qdev_prop_pci_devfn: a PCI slot and function in an int32_t field (QOM
 * type "int32", -1 = unset), as QEMU's DEFINE_PROP_PCI_DEVFN:
 *   text "SLOT[.FN]", both hex, sscanf-style ("04.1", "0x4", "4",
 *   "1f.7"): slot <= 31, fn <= 7, nothing after; otherwise
 *   "Property 'T.NAME' doesn't take value 'V'";
 *   an integer is the raw devfn, -1..255, else
 *   "Parameter 'NAME' expects a value between -1 and 255".
 * `info qtree` prints it "03.1" ("<unset>" for -1).
 */
extern const PropertyInfo qdev_prop_pci_devfn;

#define DEFINE_PROP_PCI_DEVFN(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_pci_devfn, int32_t)

#endif /* HW_CORE_QDEV_PROPERTIES_SYSTEM_H */
