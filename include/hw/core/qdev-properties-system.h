/*
 * qdev-properties-system.h - static device properties that name objects
 * of other subsystems (QEMU 7.2's include/hw/qdev-properties-system.h,
 * hw/core/qdev-properties-system.c).  So far: "chardev".
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

#endif /* HW_CORE_QDEV_PROPERTIES_SYSTEM_H */
