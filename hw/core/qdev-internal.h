/*
 * qdev-internal.h - what qdev.c and bus.c share and nobody else needs.
 */
#ifndef HW_CORE_QDEV_INTERNAL_H
#define HW_CORE_QDEV_INTERNAL_H

#include "hw/core/qdev.h"

/*
 * Plug @child into @bus: the bus takes a reference on @child and adds the
 * read-only link "child[N]".  @child->parent_bus is the caller's job.
 */
void bus_add_child(BusState *bus, DeviceState *child);

/* Undo bus_add_child: delete "child[N]", drop the bus's reference. */
void bus_remove_child(BusState *bus, DeviceState *child);

/*
 * Take @dev out of the device tree: unrealize it, destroy its child
 * buses, unplug it from its parent bus.  This is TYPE_DEVICE's unparent
 * hook; bus.c also calls it for a device that has no QOM parent.
 * The caller must hold a reference on @dev.
 */
void qdev_detach(DeviceState *dev);

#endif /* HW_CORE_QDEV_INTERNAL_H */
