/*
 * qdev.c - TYPE_DEVICE: the "realized" property, plugging into a parent
 * bus, placement of parentless devices, machine init phases.  After QEMU
 * 7.2's hw/core/qdev.c; see include/hw/core/qdev.h for what is and is
 * not modelled.
 *
 * Lifecycle of a board device:
 *   dev = qdev_new("foo");             instance_init, globals applied
 *   qdev_prop_set_uint32(dev, ...);    static properties
 *   qdev_realize_and_unref(dev, bus, &error_fatal);
 *        -> plugged into bus, placed at /machine/unattached/device[N],
 *           realize, child buses realized
 *   ...
 *   object_unparent(OBJECT(dev));      unrealize, unplug, free
 */
#include "util/osdep.h"
#include "hw/core/qdev.h"
#include "hw/core/qdev-globals.h"
#include "qdev-internal.h"

/* N of the next /machine/unattached/device[N]; QEMU's unattached_count. */
static int unattached_count;
static MachineInitPhase machine_phase;
static bool qdev_hot_added;
static bool qdev_hot_removed;

/* --- creation and plugging -------------------------------------------- */

DeviceState *qdev_new(const char *name)
{
    return DEVICE(object_new(name));
}

DeviceState *qdev_try_new(const char *name)
{
    if (!object_class_by_name(name)) {
        return NULL;
    }
    return DEVICE(object_new(name));
}

static bool bus_check_address(BusState *bus, DeviceState *child,
                              Error **errp)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    return !bc->check_address || bc->check_address(bus, child, errp);
}

bool qdev_set_parent_bus(DeviceState *dev, BusState *bus, Error **errp)
{
    BusState *old_parent_bus = dev->parent_bus;
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    assert(dc->bus_type && object_dynamic_cast(OBJECT(bus), dc->bus_type));

    if (!bus_check_address(bus, dev, errp)) {
        return false;
    }
    if (old_parent_bus) {
        /* Keep @dev alive while it is on no bus, and the old bus too. */
        object_ref(dev);
        bus_remove_child(old_parent_bus, dev);
    }
    dev->parent_bus = bus;
    object_ref(bus);
    bus_add_child(bus, dev);
    if (old_parent_bus) {
        object_unref(old_parent_bus);
        object_unref(dev);
    }
    return true;
}

BusState *qdev_get_parent_bus(DeviceState *dev)
{
    return dev->parent_bus;
}

BusState *qdev_get_child_bus(DeviceState *dev, const char *name)
{
    Object *child = object_resolve_path_component(OBJECT(dev), name);
    BusState *bus = (BusState *)object_dynamic_cast(child, TYPE_BUS);

    if (bus) {
        return bus;
    }
    for (GList *l = dev->child_bus; l; l = l->next) {
        bus = l->data;
        if (strcmp(name, bus->name) == 0) {
            return bus;
        }
    }
    return NULL;
}

/* --- realize ---------------------------------------------------------- */

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    assert(!dev->realized && !dev->parent_bus);

    if (bus) {
        if (!qdev_set_parent_bus(dev, bus, errp)) {
            return false;
        }
    } else {
        assert(!DEVICE_GET_CLASS(dev)->bus_type);
    }
    return object_property_set_bool(OBJECT(dev), "realized", true, errp);
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ret = qdev_realize(dev, bus, errp);

    object_unref(dev);
    return ret;
}

void qdev_unrealize(DeviceState *dev)
{
    object_property_set_bool(OBJECT(dev), "realized", false, &error_abort);
}

static void qdev_unrealize_child_buses(DeviceState *dev)
{
    for (GList *l = dev->child_bus; l; l = l->next) {
        qbus_unrealize(l->data);
    }
}

/*
 * Realize @dev, then its child buses (QEMU's device_set_realized, value
 * true).  On failure, undo in reverse order and return the error as is.
 */
static void device_realize_tree(DeviceState *dev, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Object *obj = OBJECT(dev);
    bool unattached_parent = false;
    Error *local_err = NULL;

    if (!obj->parent) {
        g_autofree char *name =
            g_strdup_printf("device[%d]", unattached_count++);

        object_property_add_child(container_get(qdev_get_machine(),
                                                "/unattached"),
                                  name, obj);
        unattached_parent = true;
    }

    if (dc->realize) {
        bool ok = dc->realize(dev, &local_err);

        assert(ok == !local_err);       /* the DeviceRealize contract */
        if (!ok) {
            goto fail;
        }
    }
    for (GList *l = dev->child_bus; l; l = l->next) {
        if (!qbus_realize(l->data, &local_err)) {
            goto child_realize_fail;
        }
    }
    dev->realized = true;
    return;

child_realize_fail:
    qdev_unrealize_child_buses(dev);    /* no-op for the unrealized ones */
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
fail:
    error_propagate(errp, local_err);
    if (unattached_parent) {
        /*
         * Beware, this does not just undo object_property_add_child():
         * as in QEMU it also unplugs @dev and destroys its child buses.
         */
        object_unparent(obj);
        unattached_count--;
    }
}

/* Children first: the device must not vanish from under its buses. */
static void device_unrealize_tree(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    dev->realized = false;
    qdev_unrealize_child_buses(dev);
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
}

static bool device_get_realized(Object *obj, Error **errp)
{
    return DEVICE(obj)->realized;
}

static void device_set_realized(Object *obj, bool value, Error **errp)
{
    DeviceState *dev = DEVICE(obj);
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (dev->hotplugged && !dc->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(obj));
        return;
    }
    if (value && !dev->realized) {
        device_realize_tree(dev, errp);
    } else if (!value && dev->realized) {
        device_unrealize_tree(dev);
    }
}

static bool device_get_hotpluggable(Object *obj, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(obj);
    DeviceState *dev = DEVICE(obj);

    return dc->hotpluggable && (dev->parent_bus == NULL ||
                                qbus_is_hotpluggable(dev->parent_bus));
}

static bool device_get_hotplugged(Object *obj, Error **errp)
{
    return DEVICE(obj)->hotplugged;
}

/* --- walks ------------------------------------------------------------ */

int qdev_walk_children(DeviceState *dev,
                       qdev_walkerfn *pre_devfn, qbus_walkerfn *pre_busfn,
                       qdev_walkerfn *post_devfn, qbus_walkerfn *post_busfn,
                       void *opaque)
{
    int err;

    if (pre_devfn) {
        err = pre_devfn(dev, opaque);
        if (err) {
            return err;
        }
    }
    for (GList *l = dev->child_bus; l; l = l->next) {
        err = qbus_walk_children(l->data, pre_devfn, pre_busfn,
                                 post_devfn, post_busfn, opaque);
        if (err < 0) {
            return err;
        }
    }
    if (post_devfn) {
        err = post_devfn(dev, opaque);
        if (err) {
            return err;
        }
    }
    return 0;
}

DeviceState *qdev_find_recursive(BusState *bus, const char *id)
{
    for (GList *k = bus->children; k; k = k->next) {
        DeviceState *dev = ((BusChild *)k->data)->child;

        if (dev->id && strcmp(dev->id, id) == 0) {
            return dev;
        }
        for (GList *b = dev->child_bus; b; b = b->next) {
            DeviceState *ret = qdev_find_recursive(b->data, id);

            if (ret) {
                return ret;
            }
        }
    }
    return NULL;
}

char *qdev_get_dev_path(DeviceState *dev)
{
    BusClass *bc;

    if (!dev || !dev->parent_bus) {
        return NULL;
    }
    bc = BUS_GET_CLASS(dev->parent_bus);
    return bc->get_dev_path ? bc->get_dev_path(dev) : NULL;
}

/* --- class helpers and reset ------------------------------------------ */

void device_class_set_parent_realize(DeviceClass *dc,
                                     DeviceRealize dev_realize,
                                     DeviceRealize *parent_realize)
{
    *parent_realize = dc->realize;
    dc->realize = dev_realize;
}

void device_class_set_parent_unrealize(DeviceClass *dc,
                                       DeviceUnrealize dev_unrealize,
                                       DeviceUnrealize *parent_unrealize)
{
    *parent_unrealize = dc->unrealize;
    dc->unrealize = dev_unrealize;
}

void device_class_set_parent_reset(DeviceClass *dc, DeviceReset dev_reset,
                                   DeviceReset *parent_reset)
{
    *parent_reset = dc->reset;
    dc->reset = dev_reset;
}

/* qdev_reset_all() is in bus.c, next to qbus_reset_all(): same walk. */
void device_legacy_reset(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (dc->reset) {
        dc->reset(dev);
    }
}

/* --- machine container and phases ------------------------------------- */

Object *qdev_get_machine(void)
{
    /* Not cached (QEMU caches): tests may tear the tree down. */
    return container_get(object_get_root(), "/machine");
}

bool phase_check(MachineInitPhase phase)
{
    return machine_phase >= phase;
}

void phase_advance(MachineInitPhase phase)
{
    assert(machine_phase == phase - 1);
    machine_phase = phase;
}

void phase_reset_for_test(void)
{
    machine_phase = PHASE_NO_MACHINE;
    qdev_hot_added = false;
    qdev_hot_removed = false;
}

bool qdev_machine_modified(void)
{
    return qdev_hot_added || qdev_hot_removed;
}

void qdev_note_hot_removed(void)
{
    qdev_hot_removed = true;
}

/* --- the type --------------------------------------------------------- */

void qdev_detach(DeviceState *dev)
{
    if (dev->realized) {
        qdev_unrealize(dev);
    }
    while (dev->child_bus) {
        object_unparent(OBJECT(dev->child_bus->data));  /* unlinks itself */
    }
    if (dev->parent_bus) {
        BusState *bus = dev->parent_bus;

        dev->parent_bus = NULL;
        bus_remove_child(bus, dev);
        object_unref(bus);
    }
}

static void device_unparent(Object *obj)
{
    qdev_detach(DEVICE(obj));
}

static void device_initfn(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    if (phase_check(PHASE_MACHINE_READY)) {
        dev->hotplugged = true;
        qdev_hot_added = true;
    }
}

static void device_post_init(Object *obj)
{
    /* Ordered so that the user's globals take precedence. */
    object_apply_compat_props(obj);
    qdev_prop_set_globals(DEVICE(obj));
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    /* A parent bus or child bus would hold a reference: none are left. */
    assert(!dev->parent_bus && !dev->child_bus);
    g_free(dev->id);
}

static void device_class_base_init(ObjectClass *klass, void *data)
{
    /* Static properties are looked up class by class: don't inherit. */
    DEVICE_CLASS(klass)->props_ = NULL;
}

static void device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    klass->unparent = device_unparent;
    /* Every device is hot-pluggable and user-creatable unless its class
     * says otherwise (with a comment saying why). */
    dc->hotpluggable = true;
    dc->user_creatable = true;

    object_class_property_add_bool(klass, "realized", device_get_realized,
                                   device_set_realized);
    object_class_property_add_bool(klass, "hotpluggable",
                                   device_get_hotpluggable, NULL);
    object_class_property_add_bool(klass, "hotplugged",
                                   device_get_hotplugged, NULL);
    object_class_property_add_link(klass, "parent_bus", TYPE_BUS,
                                   offsetof(DeviceState, parent_bus), NULL,
                                   OBJ_PROP_LINK_CLASS);
}

static const TypeInfo device_type_info = {
    .name = TYPE_DEVICE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(DeviceState),
    .instance_init = device_initfn,
    .instance_post_init = device_post_init,
    .instance_finalize = device_finalize,
    .class_base_init = device_class_base_init,
    .class_init = device_class_init,
    .abstract = true,
    .class_size = sizeof(DeviceClass),
};

static void qdev_register_types(void)
{
    type_register_static(&device_type_info);
}

type_init(qdev_register_types)
