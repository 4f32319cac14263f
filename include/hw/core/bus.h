/*
 * bus.h - qdev buses: where devices plug in (QEMU 7.2's BusState/BusClass,
 * include/hw/qdev-core.h and hw/core/bus.c).
 *
 * A bus is a QOM object, normally a child of the device that provides it
 * (a PCI host bridge owns "pci.0", an IDE controller "ide.0" and "ide.1").
 * A device plugs into a bus with qdev_realize(dev, bus, errp); the bus
 * then holds a reference on it and shows it as the read-only link
 * property "child[N]".
 *
 * Modelled: QEMU's bus naming rules, the children list (newest first, the
 * order `info qtree` prints), "realized" (unrealizing a bus unrealizes its
 * devices), max_dev/full, walks and legacy reset.
 * Not modelled: hotplug handlers as objects (a bus is hotpluggable when
 * hotplug_handler is set, nothing calls it), Resettable's three phases,
 * RCU (everything here runs under the big lock).
 *
 * Deviation: a BusClass realize returns bool, and a bus whose realize
 * fails stays unrealized (QEMU 7.2 marks it realized anyway).
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_BUS_H
#define HW_CORE_BUS_H

#include "qom/object.h"

typedef struct DeviceState DeviceState;     /* hw/core/qdev.h */

#define TYPE_BUS "bus"
OBJECT_DECLARE_TYPE(BusState, BusClass, BUS)

/* Must set *errp exactly when returning false. */
typedef bool (*BusRealize)(BusState *bus, Error **errp);
typedef void (*BusUnrealize)(BusState *bus);

struct BusClass {
    ObjectClass parent_class;

    /*
     * `info qtree`: append bus-specific lines about @dev to @out, each
     * indented by @indent spaces (PCI prints "addr = 01.0" etc.).
     */
    void (*print_dev)(GString *out, DeviceState *dev, int indent);
    /* A g_free-able path naming @dev on this bus (QEMU's get_dev_path). */
    char *(*get_dev_path)(DeviceState *dev);
    /* Refuse @dev before it is plugged (e.g. PCI slot already taken). */
    bool (*check_address)(BusState *bus, DeviceState *dev, Error **errp);
    /* Legacy reset of the bus itself, after its devices (qbus_reset_all). */
    void (*reset)(BusState *bus);
    BusRealize realize;
    BusUnrealize unrealize;

    /* Maximum number of devices on one bus of this class; 0: no limit. */
    int max_dev;
    /* Next N for automatically named buses "<type>.N"; per class, and
     * shared by every bus of exactly this class in the process. */
    int automatic_ids;
};

/* One device plugged into a bus. */
typedef struct BusChild {
    DeviceState *child;     /* holds a reference */
    int index;              /* N in the bus's "child[N]" property */
} BusChild;

struct BusState {
    /* private: */
    Object obj;
    /* public: */
    DeviceState *parent;    /* device providing the bus; NULL: root bus */
    char *name;             /* "pci.0"; owned */
    Object *hotplug_handler;   /* not referenced; NULL: no hotplug */
    int max_index;          /* next "child[N]" index, never reused */
    bool realized;
    bool full;              /* set by qbus_mark_full() */
    int num_children;
    GList *children;        /* BusChild *, most recently plugged first */
};

/**
 * qbus_init: initialise a bus embedded in @bus (@size bytes) as type
 * @typename, and attach it to @parent under @name.
 * @parent: the device providing the bus, or NULL for a root bus.
 * @name: the bus name, or NULL to have one made up (see qbus_new).
 * Ownership: with a @parent, the parent's child property holds the only
 * reference, so the bus goes away with the parent; without one, the
 * caller owns the initial reference.
 */
void qbus_init(void *bus, size_t size, const char *typename,
               DeviceState *parent, const char *name);

/**
 * qbus_new: create a bus of type @typename and attach it to @parent.
 * With @name NULL the bus is named, as in QEMU:
 *   "<parent id>.<n>" if @parent has an id, n = @parent's number of
 *   child buses so far ("ide0.1");
 *   else "<typename in lower case>.<n>", n counting the buses of this
 *   class created so far in the process ("pci.0", "ide.1").
 * Returns the bus: borrowed if @parent is set (the parent holds it),
 * otherwise a new reference the caller owns.  The bus is not realized:
 * realizing @parent realizes it.
 */
BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name);

/**
 * qbus_realize: set @bus "realized" to true (calls BusClass realize).
 * Devices already on the bus are not realized (as in QEMU).
 * Returns false with @errp set, @bus still unrealized, if realize fails.
 */
bool qbus_realize(BusState *bus, Error **errp);

/**
 * qbus_unrealize: unrealize every device on @bus (newest first) and then
 * the bus itself.  Cannot fail.
 */
void qbus_unrealize(BusState *bus);

/* True if no more devices fit (marked full, or max_dev reached). */
static inline bool qbus_is_full(BusState *bus)
{
    BusClass *bc;

    if (bus->full) {
        return true;
    }
    bc = BUS_GET_CLASS(bus);
    return bc->max_dev && bus->num_children >= bc->max_dev;
}

/* Refuse further devices, whatever max_dev says. */
static inline void qbus_mark_full(BusState *bus)
{
    bus->full = true;
}

/* A bus accepts hot-plugged devices when it has a hotplug handler. */
static inline bool qbus_is_hotpluggable(BusState *bus)
{
    return bus->hotplug_handler != NULL;
}

/* Record @handler (not referenced: it must outlive @bus) or NULL. */
void qbus_set_hotplug_handler(BusState *bus, Object *handler);

/*
 * Walkers: return 0 to walk the children, > 0 to skip them, < 0 to stop
 * the whole walk.
 */
typedef int (qbus_walkerfn)(BusState *bus, void *opaque);
typedef int (qdev_walkerfn)(DeviceState *dev, void *opaque);

/**
 * qbus_walk_children: depth-first walk of @bus, its devices (in list
 * order, newest first), their buses and so on.  pre_* functions run
 * before a node's children, post_* after; any may be NULL.
 * Returns > 0 if a walker skipped somewhere, < 0 if one stopped the
 * walk, 0 otherwise.  The walkers must not unplug devices.
 */
int qbus_walk_children(BusState *bus,
                       qdev_walkerfn *pre_devfn, qbus_walkerfn *pre_busfn,
                       qdev_walkerfn *post_devfn, qbus_walkerfn *post_busfn,
                       void *opaque);

/**
 * qbus_reset_all: legacy reset of everything below @bus, children first:
 * each device's DeviceClass reset, then each bus's BusClass reset.
 * qbus_reset_all_fn takes the bus as an opaque (for reset handlers).
 */
void qbus_reset_all(BusState *bus);
void qbus_reset_all_fn(void *opaque);

#endif /* HW_CORE_BUS_H */
