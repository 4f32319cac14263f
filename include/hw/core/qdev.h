/*
 * qdev.h - devices: QEMU 7.2's DeviceState/DeviceClass (include/hw/
 * qdev-core.h, hw/core/qdev.c) on top of the object model.
 *
 * Modelled: two-phase devices (instance_init, then the "realized"
 * property), realizing/unrealizing a device together with its child
 * buses and rolling back on failure, placement of parentless devices
 * under /machine/unattached, parent-bus plugging, globals applied at
 * instance_post_init, the machine init phases, legacy reset.
 * Not modelled: GPIOs/IRQs and clocks (hw/core/irq.h), vmstate,
 * Resettable's phases, device listeners, DEVICE_DELETED events, hotplug
 * handlers (see bus.h).
 *
 * Deviation: DeviceClass realize returns bool (true = success), where
 * QEMU's returns void and callers test *errp.
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_QDEV_H
#define HW_CORE_QDEV_H

#include "qom/object.h"
#include "hw/core/bus.h"

typedef struct Property Property;           /* hw/core/qdev-properties.h */

#define TYPE_DEVICE "device"
OBJECT_DECLARE_TYPE(DeviceState, DeviceClass, DEVICE)

/* Groups for `-device help` (QEMU's order and meaning). */
typedef enum DeviceCategory {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_USB,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_NETWORK,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_DISPLAY,
    DEVICE_CATEGORY_SOUND,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_CPU,
    DEVICE_CATEGORY_WATCHDOG,
    DEVICE_CATEGORY_MAX
} DeviceCategory;

/* Must set *errp exactly when returning false. */
typedef bool (*DeviceRealize)(DeviceState *dev, Error **errp);
typedef void (*DeviceUnrealize)(DeviceState *dev);
typedef void (*DeviceReset)(DeviceState *dev);

/**
 * DeviceClass:
 *
 * # Realization
 * Devices are constructed in two stages:
 * 1) object instantiation: object_new() / object_initialize(), which runs
 *    instance_init and may not fail (it also runs for introspection,
 *    e.g. device-list-properties);
 * 2) realization: setting the "realized" property to true, usually via
 *    qdev_realize(), which calls @realize and may fail with an Error.
 * Trivial field initialisation goes into instance_init; anything that
 * depends on static property values goes into @realize.  After
 * realization, setting a static property fails.  Devices create their
 * child buses and embedded children in instance_init (or realize) and
 * realizing the device realizes its child buses.
 *
 * A subclass that overrides @realize and still wants its parent's must
 * save it with device_class_set_parent_realize() and call it.  TYPE_DEVICE
 * has no realize of its own, so direct subclasses need not.
 *
 * If @realize fails the device is left exactly as before: @unrealize is
 * not called for it (it is called if a child bus fails afterwards).
 */
struct DeviceClass {
    /* private: */
    ObjectClass parent_class;
    /* public: */

    uint32_t categories;        /* bit (1u << DEVICE_CATEGORY_*) per group */
    const char *desc;           /* one line for `-device help` */
    /* This class's own static properties (device_class_set_props); the
     * parent classes' are in their classes.  Not inherited. */
    Property *props_;

    /*
     * Can this device be created with -device / device_add?  Devices
     * that only make sense as part of a board clear it, with a comment
     * saying why.  Default true.
     */
    bool user_creatable;
    /* Can it be plugged after machine init?  Default true. */
    bool hotpluggable;

    DeviceReset reset;          /* legacy reset; NULL: nothing to do */
    DeviceRealize realize;
    DeviceUnrealize unrealize;

    /* The bus type this device plugs into, or NULL for none. */
    const char *bus_type;
};

struct DeviceState {
    /* private: */
    Object parent_obj;
    /* public: */

    char *id;                   /* user's id= (qdev_set_id), or NULL; owned */
    bool realized;
    bool hotplugged;            /* created after PHASE_MACHINE_READY */
    BusState *parent_bus;       /* holds a reference; NULL if none */
    GList *child_bus;           /* BusState *, most recently added first */
    int num_child_bus;
};

/* Mark @dc as belonging to @cat / test it. */
static inline void device_class_set_category(DeviceClass *dc,
                                             DeviceCategory cat)
{
    dc->categories |= 1u << cat;
}

static inline bool device_class_has_category(const DeviceClass *dc,
                                             DeviceCategory cat)
{
    return dc->categories & (1u << cat);
}

/* ------------------------------------------------------------------ */
/* Creating, plugging, realizing                                        */
/* ------------------------------------------------------------------ */

/**
 * qdev_new: object_new(@name) as a device.  Returns a new reference the
 * caller owns; @name must be a registered, non-abstract device type.
 * qdev_try_new: the same, or NULL if no such type is registered.
 */
DeviceState *qdev_new(const char *name);
DeviceState *qdev_try_new(const char *name);

/**
 * qdev_set_parent_bus: plug @dev into @bus (moving it off its old bus).
 * @bus must be of @dev's DeviceClass bus_type.  The bus takes a reference
 * on @dev and @dev one on @bus.  Fails only if BusClass check_address
 * refuses @dev (its error is returned); @dev is then unchanged.
 */
bool qdev_set_parent_bus(DeviceState *dev, BusState *bus, Error **errp);

/**
 * qdev_realize: plug @dev into @bus (if non-NULL), then realize it.
 * @dev must not be realized or plugged yet.  @bus must be NULL exactly
 * when @dev's class has no bus_type.
 * If @dev has no QOM parent it becomes /machine/unattached/device[N].
 * Realizing calls DeviceClass realize, then realizes @dev's child
 * buses; if anything fails, what was done is undone (child buses and
 * the device unrealized, an unattached placement removed, which also
 * unplugs @dev and destroys its child buses, as QEMU does).
 * Returns false with @errp set to the failing callback's error, as is.
 * Ownership: the caller keeps its reference (see qdev_realize_and_unref).
 */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);

/**
 * qdev_realize_and_unref: qdev_realize, then drop the caller's reference
 * (whatever the outcome): on success the parent (or bus) keeps @dev
 * alive; on failure an unattached @dev is freed.
 */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);

/**
 * qdev_unrealize: set "realized" to false: unrealize @dev's child buses
 * (and so their devices), then call DeviceClass unrealize.  Aborts if
 * that is refused (a hot-plugged device of a non-hotpluggable class).
 * @dev stays plugged and in the tree; object_unparent() removes it.
 */
void qdev_unrealize(DeviceState *dev);

/* The bus @dev is plugged into (borrowed), or NULL. */
BusState *qdev_get_parent_bus(DeviceState *dev);

/**
 * qdev_get_child_bus: @dev's child bus named @name (the QOM child of that
 * name first, else by BusState name), borrowed, or NULL.
 */
BusState *qdev_get_child_bus(DeviceState *dev, const char *name);

/**
 * qdev_walk_children: like qbus_walk_children (bus.h), starting at @dev
 * and walking its child buses.
 */
int qdev_walk_children(DeviceState *dev,
                       qdev_walkerfn *pre_devfn, qbus_walkerfn *pre_busfn,
                       qdev_walkerfn *post_devfn, qbus_walkerfn *post_busfn,
                       void *opaque);

/* The first device below @bus (depth first) whose id is @id; borrowed. */
DeviceState *qdev_find_recursive(BusState *bus, const char *id);

/* The parent bus's get_dev_path for @dev (g_free), or NULL. */
char *qdev_get_dev_path(DeviceState *dev);

/* ------------------------------------------------------------------ */
/* Class helpers                                                        */
/* ------------------------------------------------------------------ */

/**
 * device_class_set_parent_realize: install @dev_realize as @dc's realize,
 * saving the one it replaces (the parent class's) in *@parent_realize for
 * @dev_realize to call.  Same for unrealize and reset.  Call from
 * class_init.
 */
void device_class_set_parent_realize(DeviceClass *dc,
                                     DeviceRealize dev_realize,
                                     DeviceRealize *parent_realize);
void device_class_set_parent_unrealize(DeviceClass *dc,
                                       DeviceUnrealize dev_unrealize,
                                       DeviceUnrealize *parent_unrealize);
void device_class_set_parent_reset(DeviceClass *dc, DeviceReset dev_reset,
                                   DeviceReset *parent_reset);

/* ------------------------------------------------------------------ */
/* Reset (legacy, single phase)                                         */
/* ------------------------------------------------------------------ */

/* Call @dev's DeviceClass reset, if any; not its children. */
void device_legacy_reset(DeviceState *dev);

/**
 * qdev_reset_all: reset @dev and everything below it, children first
 * (see qbus_reset_all).  qdev_reset_all_fn takes the device as opaque.
 */
void qdev_reset_all(DeviceState *dev);
void qdev_reset_all_fn(void *opaque);

/* ------------------------------------------------------------------ */
/* The machine container and init phases                                */
/* ------------------------------------------------------------------ */

/**
 * qdev_get_machine: the object at "/machine" (the machine once it has
 * been added there, else a container created on first use).  Borrowed.
 * Parentless devices are put in its "unattached" container on realize.
 */
Object *qdev_get_machine(void);

/* Where machine creation is; devices created at PHASE_MACHINE_READY or
 * later are hot-plugged. */
typedef enum MachineInitPhase {
    PHASE_NO_MACHINE,           /* no machine object yet */
    PHASE_MACHINE_CREATED,      /* machine object exists, no accelerator */
    PHASE_ACCEL_CREATED,        /* accelerator exists, board not built */
    PHASE_MACHINE_INITIALIZED,  /* board built: devices are cold-plugged */
    PHASE_MACHINE_READY,        /* ready to run: devices are hot-plugged */
} MachineInitPhase;

/* True if machine creation has reached @phase. */
bool phase_check(MachineInitPhase phase);
/* Move to @phase, which must be the next one (a bug otherwise). */
void phase_advance(MachineInitPhase phase);
/* Back to PHASE_NO_MACHINE, forgetting hot-plug history: unit tests only. */
void phase_reset_for_test(void);

/* True if a device was hot-added or hot-removed since start-up. */
bool qdev_machine_modified(void);
/* Record that a device was hot-removed (for qdev_machine_modified). */
void qdev_note_hot_removed(void);

#endif /* HW_CORE_QDEV_H */
