/*
 * bus.c - TYPE_BUS: naming, the list of plugged devices, realize and
 * unrealize, walks and legacy reset.  After QEMU 7.2's hw/core/bus.c and
 * the bus half of hw/core/qdev.c; see include/hw/core/bus.h for what is
 * and is not modelled.
 *
 * Ownership web: a bus is a QOM child of its parent device (which thus
 * owns it); each plugged device holds a reference on its bus
 * (dev->parent_bus) and the bus one on each device (BusChild).  The
 * cycle is broken by unparenting: a device leaving the tree unplugs
 * itself, a bus leaving the tree unparents its devices first.
 */
#include "util/osdep.h"
#include "hw/core/qdev.h"
#include "qdev-internal.h"

/* --- the children list ------------------------------------------------ */

void bus_add_child(BusState *bus, DeviceState *child)
{
    BusChild *kid = g_new0(BusChild, 1);
    char name[32];

    bus->num_children++;
    kid->index = bus->max_index++;
    kid->child = child;
    object_ref(child);
    /* Newest first, as QEMU's QTAILQ_INSERT_HEAD: `info qtree` order. */
    bus->children = g_list_prepend(bus->children, kid);

    /* Read-only, not strong: the reference above is the bus's. */
    snprintf(name, sizeof(name), "child[%d]", kid->index);
    object_property_add_link(OBJECT(bus), name,
                             object_get_typename(OBJECT(child)),
                             (Object **)&kid->child, NULL,
                             OBJ_PROP_LINK_DIRECT);
}

void bus_remove_child(BusState *bus, DeviceState *child)
{
    for (GList *l = bus->children; l; l = l->next) {
        BusChild *kid = l->data;
        char name[32];

        if (kid->child != child) {
            continue;
        }
        snprintf(name, sizeof(name), "child[%d]", kid->index);
        bus->children = g_list_delete_link(bus->children, l);
        bus->num_children--;
        object_property_del(OBJECT(bus), name);
        object_unref(child);
        g_free(kid);
        return;
    }
}

void qbus_set_hotplug_handler(BusState *bus, Object *handler)
{
    bus->hotplug_handler = handler;
}

/* --- creation and naming ---------------------------------------------- */

static char *qbus_auto_name(BusState *bus, DeviceState *parent)
{
    BusClass *bc;
    char *name;

    if (parent && parent->id) {
        /* "ide0.1": the parent's id and how many buses it has so far */
        return g_strdup_printf("%s.%d", parent->id, parent->num_child_bus);
    }
    /* "pci.0": the type in lower case and a per-class counter */
    bc = BUS_GET_CLASS(bus);
    name = g_strdup_printf("%s.%d", object_get_typename(OBJECT(bus)),
                           bc->automatic_ids++);
    for (char *p = name; *p; p++) {
        *p = g_ascii_tolower(*p);
    }
    return name;
}

/* QEMU's qbus_init_internal. */
static void qbus_attach(BusState *bus, DeviceState *parent, const char *name)
{
    bus->parent = parent;
    bus->name = name ? g_strdup(name) : qbus_auto_name(bus, parent);

    if (parent) {
        parent->child_bus = g_list_prepend(parent->child_bus, bus);
        parent->num_child_bus++;
        object_property_add_child(OBJECT(parent), bus->name, OBJECT(bus));
        /* The child property now holds the only reference we need. */
        object_unref(bus);
    }
}

void qbus_init(void *bus, size_t size, const char *typename,
               DeviceState *parent, const char *name)
{
    object_initialize(bus, size, typename);
    qbus_attach(bus, parent, name);
}

BusState *qbus_new(const char *typename, DeviceState *parent,
                   const char *name)
{
    BusState *bus = BUS(object_new(typename));

    qbus_attach(bus, parent, name);
    return bus;
}

/*
 * TYPE_BUS unparent hook: the bus leaves its parent device.  Its devices
 * go first (each unrealized and unplugged), as in QEMU.
 */
static void bus_unparent(Object *obj)
{
    BusState *bus = BUS(obj);

    while (bus->children) {
        BusChild *kid = bus->children->data;
        Object *dev = OBJECT(kid->child);

        if (dev->parent) {
            object_unparent(dev);   /* runs qdev_detach */
        } else {
            /*
             * Plugged but never placed in the tree (qdev_set_parent_bus
             * without realize): QEMU would loop forever here.  Detach it
             * directly; the reference keeps it alive until we are done.
             */
            object_ref(dev);
            qdev_detach(DEVICE(dev));
            object_unref(dev);
        }
    }
    if (bus->parent) {
        bus->parent->child_bus = g_list_remove(bus->parent->child_bus, bus);
        bus->parent->num_child_bus--;
        bus->parent = NULL;
    }
}

/* --- realize ---------------------------------------------------------- */

bool qbus_realize(BusState *bus, Error **errp)
{
    return object_property_set_bool(OBJECT(bus), "realized", true, errp);
}

void qbus_unrealize(BusState *bus)
{
    object_property_set_bool(OBJECT(bus), "realized", false, &error_abort);
}

static bool bus_get_realized(Object *obj, Error **errp)
{
    return BUS(obj)->realized;
}

static void bus_set_realized(Object *obj, bool value, Error **errp)
{
    BusState *bus = BUS(obj);
    BusClass *bc = BUS_GET_CLASS(bus);

    if (value && !bus->realized) {
        if (bc->realize) {
            Error *local_err = NULL;
            bool ok = bc->realize(bus, &local_err);

            assert(ok == !local_err);   /* the BusRealize contract */
            if (!ok) {
                /* QEMU 7.2 sets realized anyway; we stay unrealized. */
                error_propagate(errp, local_err);
                return;
            }
        }
        /* As QEMU: devices on the bus are realized by whoever plugs them. */
        bus->realized = true;
    } else if (!value && bus->realized) {
        for (GList *l = bus->children; l; l = l->next) {
            qdev_unrealize(((BusChild *)l->data)->child);
        }
        if (bc->unrealize) {
            bc->unrealize(bus);
        }
        bus->realized = false;
    }
}

/* --- walks and reset -------------------------------------------------- */

int qbus_walk_children(BusState *bus,
                       qdev_walkerfn *pre_devfn, qbus_walkerfn *pre_busfn,
                       qdev_walkerfn *post_devfn, qbus_walkerfn *post_busfn,
                       void *opaque)
{
    int err;

    if (pre_busfn) {
        err = pre_busfn(bus, opaque);
        if (err) {
            return err;
        }
    }
    for (GList *l = bus->children; l; l = l->next) {
        err = qdev_walk_children(((BusChild *)l->data)->child,
                                 pre_devfn, pre_busfn,
                                 post_devfn, post_busfn, opaque);
        if (err < 0) {
            return err;
        }
    }
    if (post_busfn) {
        err = post_busfn(bus, opaque);
        if (err) {
            return err;
        }
    }
    return 0;
}

static int qdev_reset_one(DeviceState *dev, void *opaque)
{
    device_legacy_reset(dev);
    return 0;
}

static int qbus_reset_one(BusState *bus, void *opaque)
{
    BusClass *bc = BUS_GET_CLASS(bus);

    if (bc->reset) {
        bc->reset(bus);
    }
    return 0;
}

void qbus_reset_all(BusState *bus)
{
    qbus_walk_children(bus, NULL, NULL, qdev_reset_one, qbus_reset_one,
                       NULL);
}

void qbus_reset_all_fn(void *opaque)
{
    qbus_reset_all(opaque);
}

void qdev_reset_all(DeviceState *dev)
{
    qdev_walk_children(dev, NULL, NULL, qdev_reset_one, qbus_reset_one,
                       NULL);
}

void qdev_reset_all_fn(void *opaque)
{
    qdev_reset_all(DEVICE(opaque));
}

/* --- the type --------------------------------------------------------- */

static void qbus_finalize(Object *obj)
{
    BusState *bus = BUS(obj);

    /* Each plugged device holds a reference on us: none can be left. */
    assert(!bus->children);
    g_free(bus->name);
}

/*
 * Each class counts its own automatic names from 0.  QEMU copies the
 * parent's counter into a subclass, but initialises every class at
 * start-up, before any bus exists, so it is always 0 there; our classes
 * are initialised on first use, hence the explicit reset.
 */
static void bus_class_base_init(ObjectClass *klass, void *data)
{
    BUS_CLASS(klass)->automatic_ids = 0;
}

static void bus_class_init(ObjectClass *klass, void *data)
{
    klass->unparent = bus_unparent;
    object_class_property_add_bool(klass, "realized", bus_get_realized,
                                   bus_set_realized);
}

static const TypeInfo bus_info = {
    .name = TYPE_BUS,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(BusState),
    .abstract = true,
    .class_size = sizeof(BusClass),
    .instance_finalize = qbus_finalize,
    .class_base_init = bus_class_base_init,
    .class_init = bus_class_init,
};

static void bus_register_types(void)
{
    type_register_static(&bus_info);
}

type_init(bus_register_types)
