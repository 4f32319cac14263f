/*
 * qdev-properties-block.h - the "drive" static device property (QEMU
 * 7.2's DEFINE_PROP_DRIVE, hw/core/qdev-properties-system.c), in its own
 * file: it is the one place qdev meets the block layer.
 *
 *   typedef struct { DeviceState parent_obj; BlockBackend *blk; } FooState;
 *   DEFINE_PROP_DRIVE("drive", FooState, blk),
 *
 * The value is a drive id (-drive id=, or the generated "ide0-hd0") or a
 * node name; a node gets a new anonymous BlockBackend.  Setting it
 * attaches the device (blk_attach_dev), so errors are QEMU's:
 *   "Property 'T.drive' can't find value 'ID'"
 *   "Drive 'ID' is already in use because it has been automatically
 *    connected to another device (did you need 'if=none' in the drive
 *    options?)"                             (an if=ide/... drive)
 *   "Drive 'ID' is already in use by another device"
 * "" leaves it unset.  It reads back as the drive's name (the node name
 * for an anonymous backend), "" when unset.  Releasing the device
 * detaches it; the drive stays.
 * Threads: main thread (big lock).
 */
#ifndef HW_CORE_QDEV_PROPERTIES_BLOCK_H
#define HW_CORE_QDEV_PROPERTIES_BLOCK_H

#include "hw/core/qdev-properties.h"
#include "block/block-backend.h"

extern const PropertyInfo qdev_prop_drive;

#define DEFINE_PROP_DRIVE(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_drive, BlockBackend *)

#endif /* HW_CORE_QDEV_PROPERTIES_BLOCK_H */
