/*
 * qdev-user.h - what -device, device_add and device-list-properties need
 * from qdev: choosing a device class from a user's driver name (with
 * QEMU's legacy aliases), placing a user-created device in the QOM tree,
 * and listing a device type's properties.  After QEMU 7.2's
 * softmmu/qdev-monitor.c and qom/qom-qmp-cmds.c.
 *
 * Placement, as QEMU:
 *   -device ...,id=disk0   ->  /machine/peripheral/disk0
 *   -device ... (no id)    ->  /machine/peripheral-anon/device[N]
 *   board-created devices without a parent, on realize
 *                          ->  /machine/unattached/device[N]  (qdev.c)
 *
 * Not modelled: the check that a sysbus device is allowed on the machine
 * (needs the machine class; the caller does it).
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_QDEV_USER_H
#define HW_CORE_QDEV_USER_H

#include "hw/core/qdev.h"

/* "/machine/peripheral" and "/machine/peripheral-anon" (created on first
 * use).  Borrowed. */
Object *qdev_get_peripheral(void);
Object *qdev_get_peripheral_anon(void);

/**
 * qdev_set_id: give an unrealized, parentless @dev its user id and its
 * place in the tree: child @id of /machine/peripheral, or with @id NULL,
 * child "device[N]" of /machine/peripheral-anon (N counts up, never
 * reused).
 * Takes ownership of @id (g_free-able), also on failure.
 * Returns the name of @dev in its new parent (borrowed, valid while it
 * stays there), or NULL with "Duplicate device ID 'ID'" if the id is
 * taken.
 */
const char *qdev_set_id(DeviceState *dev, char *id, Error **errp);

/**
 * qdev_get_device_class: the class -device/device_add should create for
 * the user's *@driver, which is replaced by the real type name when it was
 * an alias ("virtio-blk" -> "virtio-blk-pci").  Errors, as QEMU:
 *   "'D' is not a valid device model name"
 *   "'D' (alias 'T') is not a valid device model name"
 *   "Parameter 'driver' expects a non-abstract device type"
 *   "Parameter 'driver' expects a pluggable device type"
 *     (not user_creatable, or not hotpluggable once the machine is ready)
 * Returns a borrowed class, or NULL with @errp set.
 */
DeviceClass *qdev_get_device_class(const char **driver, Error **errp);

/* The legacy alias of @dc's type for this target ("virtio-blk"), or NULL. */
const char *qdev_class_get_alias(DeviceClass *dc);
/* The type a legacy @alias stands for, or NULL. */
const char *qdev_find_typename_by_alias(const char *alias);

/* One row of device-list-properties. */
typedef struct DevicePropertyInfo {
    char *name;
    char *type;                 /* "uint32", "bool", "link<pci-bus>" ... */
    char *description;          /* or NULL */
    GVariant *default_value;    /* a reference, or NULL if none */
} DevicePropertyInfo;

/**
 * qdev_device_list_properties: what QMP device-list-properties returns
 * for @typename: the properties of a temporary instance (so globals are
 * applied to it), minus "type", "realized", "hotpluggable", "hotplugged",
 * "parent_bus" and "legacy-*".  Order: instance properties, then class
 * properties from the leaf class up, each in the order added (QEMU's is
 * hash order).
 * Returns a GPtrArray of DevicePropertyInfo * that frees its elements:
 * release it with g_ptr_array_unref().  Or NULL with:
 *   "Device 'T' not found" (class DeviceNotFound), or
 *   "Parameter 'typename' expects a non-abstract device type".
 */
GPtrArray *qdev_device_list_properties(const char *typename, Error **errp);

#endif /* HW_CORE_QDEV_USER_H */
