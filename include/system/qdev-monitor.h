/*
 * qdev-monitor.h - -device and device_add: creating a device from the
 * user's options, finding its bus, and `-device help` (QEMU 7.2's
 * softmmu/qdev-monitor.c; the driver lookup and placement helpers are in
 * hw/core/qdev-user.h).
 *
 * Threads: main thread (big lock) only.
 */
#ifndef SYSTEM_QDEV_MONITOR_H
#define SYSTEM_QDEV_MONITOR_H

#include "hw/core/qdev.h"
#include "util/qemu-opts.h"

/**
 * qbus_find: the bus a "bus=" path names (QEMU's qbus_find): "pci.0",
 * "/i440FX-pcihost/pci.0", "ide.0", or a device id whose only child bus
 * is meant ("bridge0").  Errors, as QEMU: "Bus 'B' not found", "Device
 * 'D' not found" (with a hint listing the devices there), "Device 'D'
 * has multiple child buses" (hint: the buses), "Device 'D' has no child
 * bus", "Bus 'PATH' is full".
 * Returns a borrowed bus, or NULL with @errp set.
 */
BusState *qbus_find(const char *path, Error **errp);

/**
 * qdev_device_add_from_keyval: create, configure and realize a device
 * from @opts, an a{sv} of strings with "driver", optionally "bus" and
 * "id", and property values (QEMU's qdev_device_add_from_qdict with
 * from_json false: values are parsed as keyval text,
 * object_property_parse_keyval).  The device is placed as
 * /machine/peripheral/ID or /machine/peripheral-anon/device[N].
 * Errors: qdev_get_device_class's, qbus_find's, "Parameter 'driver' is
 * missing", "Device 'D' can't go on T bus", "No 'T' bus found for device
 * 'D'", "Bus 'B' does not support hotplugging" (after machine creation),
 * "Duplicate device ID 'X'", a property's or realize's error.  On failure
 * nothing is left behind.
 * Returns a new reference to the device (its parent holds another), or
 * NULL with @errp set.
 */
DeviceState *qdev_device_add_from_keyval(GVariant *opts, Error **errp);

/* The same from parsed -device options (QEMU's qdev_device_add). */
DeviceState *qdev_device_add(QemuOpts *opts, Error **errp);

/**
 * qdev_device_help: `-device help` (every user-creatable device, by
 * category, as QEMU lists them) or `-device DRIVER,help` (its properties,
 * QEMU's format), printed to stdout.  A bad DRIVER is reported
 * (error_report) as QEMU does.
 * Returns true if @opts asked for help (the VMM then exits, status 0).
 */
bool qdev_device_help(QemuOpts *opts);

/* The `-device help` list, appended to @out; with @show_no_user, also
 * devices that -device refuses (HMP's info qdm). */
void qdev_print_devinfos(GString *out, bool show_no_user);

#endif /* SYSTEM_QDEV_MONITOR_H */
