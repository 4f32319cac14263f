/*
 * test-device.c - TYPE_DEVICE: realize and unrealize order, parent
 * realize chaining, every realize failure path and its rollback,
 * placement in the QOM tree (/machine/unattached, peripheral,
 * peripheral-anon), legacy reset, and qdev_get_device_class's messages.
 *
 * Throwaway types: td-dev (no bus; label/fail properties), td-leaf (plugs
 * into td-bus), td-bridge (provides buses "a" and "b"), td-sub (chains to
 * td-dev's realize), td-nohotplug, td-nouser, td-abstract.  Callbacks
 * append "what:label" to an event log the tests compare.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-user.h"
#include "harness.h"

/* --- the event log ---------------------------------------------------- */

static GString *events;

static void event(const char *what, const char *who)
{
    g_string_append_printf(events, "%s%s:%s", events->len ? " " : "",
                           what, who ? who : "?");
}

/* The log so far, which is then cleared.  Valid until the next call. */
static const char *take_events(void)
{
    static char buf[1024];

    g_strlcpy(buf, events->str, sizeof(buf));
    g_string_truncate(events, 0);
    return buf;
}

/* --- types ------------------------------------------------------------ */

#define TYPE_TD_BUS "td-bus"
typedef struct TdBus {
    BusState parent_obj;
    bool fail;              /* refuse realize */
} TdBus;
#define TD_BUS(obj) OBJECT_CHECK(TdBus, (obj), TYPE_TD_BUS)

static bool td_bus_realize(BusState *bus, Error **errp)
{
    event("bus-realize", bus->name);
    if (TD_BUS(bus)->fail) {
        error_setg(errp, "bus %s refused", bus->name);
        return false;
    }
    return true;
}

static void td_bus_unrealize(BusState *bus)
{
    event("bus-unrealize", bus->name);
}

static void td_bus_reset(BusState *bus)
{
    event("bus-reset", bus->name);
}

static void td_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = BUS_CLASS(oc);

    bc->realize = td_bus_realize;
    bc->unrealize = td_bus_unrealize;
    bc->reset = td_bus_reset;
}

#define TYPE_TD_DEV "td-dev"
typedef struct TdDev {
    DeviceState parent_obj;
    bool fail;              /* property "fail": refuse realize */
    char *label;            /* property "label": name in the event log */
} TdDev;
#define TD_DEV(obj) OBJECT_CHECK(TdDev, (obj), TYPE_TD_DEV)

static bool td_dev_realize(DeviceState *dev, Error **errp)
{
    TdDev *td = TD_DEV(dev);

    event("realize", td->label);
    if (td->fail) {
        error_setg(errp, "td-dev %s refused", td->label);
        return false;
    }
    return true;
}

static void td_dev_unrealize(DeviceState *dev)
{
    event("unrealize", TD_DEV(dev)->label);
}

static void td_dev_reset(DeviceState *dev)
{
    event("reset", TD_DEV(dev)->label);
}

static Property td_dev_props[] = {
    DEFINE_PROP_BOOL("fail", TdDev, fail, false),
    DEFINE_PROP_STRING("label", TdDev, label),
    DEFINE_PROP_END_OF_LIST(),
};

static void td_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = td_dev_realize;
    dc->unrealize = td_dev_unrealize;
    dc->reset = td_dev_reset;
    device_class_set_props(dc, td_dev_props);
}

#define TYPE_TD_LEAF "td-leaf"
static void td_leaf_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->bus_type = TYPE_TD_BUS;
}

#define TYPE_TD_BRIDGE "td-bridge"
typedef struct TdBridge {
    TdDev parent_obj;
    TdBus bus[2];           /* "a" then "b": list order is b, a */
} TdBridge;
#define TD_BRIDGE(obj) OBJECT_CHECK(TdBridge, (obj), TYPE_TD_BRIDGE)

static void td_bridge_init(Object *obj)
{
    TdBridge *br = TD_BRIDGE(obj);

    qbus_init(&br->bus[0], sizeof(br->bus[0]), TYPE_TD_BUS, DEVICE(obj),
              "a");
    qbus_init(&br->bus[1], sizeof(br->bus[1]), TYPE_TD_BUS, DEVICE(obj),
              "b");
}

#define TYPE_TD_SUB "td-sub"
typedef struct TdSubClass {
    DeviceClass parent_class;
    DeviceRealize parent_realize;
    DeviceUnrealize parent_unrealize;
    DeviceReset parent_reset;
} TdSubClass;
#define TD_SUB_GET_CLASS(obj) \
    OBJECT_GET_CLASS(TdSubClass, (obj), TYPE_TD_SUB)

static bool td_sub_realize(DeviceState *dev, Error **errp)
{
    event("sub-realize", TD_DEV(dev)->label);
    return TD_SUB_GET_CLASS(dev)->parent_realize(dev, errp);
}

static void td_sub_unrealize(DeviceState *dev)
{
    event("sub-unrealize", TD_DEV(dev)->label);
    TD_SUB_GET_CLASS(dev)->parent_unrealize(dev);
}

static void td_sub_reset(DeviceState *dev)
{
    event("sub-reset", TD_DEV(dev)->label);
    TD_SUB_GET_CLASS(dev)->parent_reset(dev);
}

static void td_sub_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    TdSubClass *sc = (TdSubClass *)oc;

    device_class_set_parent_realize(dc, td_sub_realize, &sc->parent_realize);
    device_class_set_parent_unrealize(dc, td_sub_unrealize,
                                      &sc->parent_unrealize);
    device_class_set_parent_reset(dc, td_sub_reset, &sc->parent_reset);
}

static void td_nohotplug_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->hotpluggable = false;
}

static void td_nouser_class_init(ObjectClass *oc, void *data)
{
    /* a board-only part: cannot be created with -device */
    DEVICE_CLASS(oc)->user_creatable = false;
}

static const TypeInfo td_types[] = {
    {
        .name = TYPE_TD_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(TdBus),
        .class_init = td_bus_class_init,
    }, {
        .name = TYPE_TD_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TdDev),
        .class_init = td_dev_class_init,
    }, {
        .name = TYPE_TD_LEAF,
        .parent = TYPE_TD_DEV,
        .class_init = td_leaf_class_init,
    }, {
        .name = TYPE_TD_BRIDGE,
        .parent = TYPE_TD_DEV,
        .instance_size = sizeof(TdBridge),
        .instance_init = td_bridge_init,
    }, {
        .name = TYPE_TD_SUB,
        .parent = TYPE_TD_DEV,
        .class_size = sizeof(TdSubClass),
        .class_init = td_sub_class_init,
    }, {
        .name = "td-nohotplug",
        .parent = TYPE_TD_DEV,
        .class_init = td_nohotplug_class_init,
    }, {
        .name = "td-nouser",
        .parent = TYPE_TD_DEV,
        .class_init = td_nouser_class_init,
    }, {
        .name = "td-abstract",
        .parent = TYPE_TD_DEV,
        .abstract = true,
    },
};

DEFINE_TYPES(td_types)

/* --- helpers ---------------------------------------------------------- */

static DeviceState *new_dev(const char *type, const char *label)
{
    DeviceState *dev = qdev_new(type);

    qdev_prop_set_string(dev, "label", label);
    return dev;
}

static BusState *bridge_bus(DeviceState *br, int i)
{
    return BUS(&TD_BRIDGE(br)->bus[i]);
}

/* N if @obj is /machine/unattached/device[N], else -1. */
static int unattached_index(Object *obj)
{
    g_autofree char *path = object_get_canonical_path(obj);
    int n, end = 0;

    if (!path || sscanf(path, "/machine/unattached/device[%d]%n", &n,
                        &end) != 1 || path[end]) {
        return -1;
    }
    return n;
}

/* A container for devices that should not be unattached; freed by the
 * test with object_unparent. */
static Object *test_parent(void)
{
    return container_get(object_get_root(), "/test");
}

/* --- realize and unrealize order -------------------------------------- */

static void test_realize_order(void)
{
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    DeviceState *l1 = new_dev(TYPE_TD_LEAF, "l1");
    DeviceState *l2 = new_dev(TYPE_TD_LEAF, "l2");
    DeviceState *l3 = new_dev(TYPE_TD_LEAF, "l3");

    /* The device first, then its buses, newest bus first. */
    CU_ASSERT_TRUE(qdev_realize_and_unref(br, NULL, &error_abort));
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "realize:br bus-realize:b bus-realize:a");
    CU_ASSERT_TRUE(br->realized);
    CU_ASSERT_TRUE(bridge_bus(br, 0)->realized);
    CU_ASSERT_TRUE(bridge_bus(br, 1)->realized);

    CU_ASSERT_TRUE(qdev_realize_and_unref(l1, bridge_bus(br, 0),
                                          &error_abort));
    CU_ASSERT_TRUE(qdev_realize_and_unref(l2, bridge_bus(br, 0),
                                          &error_abort));
    CU_ASSERT_TRUE(qdev_realize_and_unref(l3, bridge_bus(br, 1),
                                          &error_abort));
    CU_ASSERT_STRING_EQUAL(take_events(), "realize:l1 realize:l2 realize:l3");

    /* Children first: each bus's devices newest first, then the bus. */
    qdev_unrealize(br);
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "unrealize:l3 bus-unrealize:b "
                           "unrealize:l2 unrealize:l1 bus-unrealize:a "
                           "unrealize:br");
    CU_ASSERT_FALSE(br->realized || l1->realized || l2->realized ||
                    l3->realized);
    CU_ASSERT_FALSE(bridge_bus(br, 0)->realized);

    object_unparent(OBJECT(br));
    CU_ASSERT_STRING_EQUAL(take_events(), "");
}

static void test_realize_twice_is_noop(void)
{
    DeviceState *dev = new_dev(TYPE_TD_DEV, "d");

    CU_ASSERT_TRUE(qdev_realize(dev, NULL, &error_abort));
    CU_ASSERT_TRUE(object_property_set_bool(OBJECT(dev), "realized", true,
                                            &error_abort));
    CU_ASSERT_STRING_EQUAL(take_events(), "realize:d");
    qdev_unrealize(dev);
    qdev_unrealize(dev);
    CU_ASSERT_STRING_EQUAL(take_events(), "unrealize:d");
    CU_ASSERT_TRUE(object_property_get_bool(OBJECT(dev), "realized",
                                            &error_abort) == false);
    /* Unrealized, it may be realized again. */
    CU_ASSERT_TRUE(object_property_set_bool(OBJECT(dev), "realized", true,
                                            &error_abort));
    CU_ASSERT_STRING_EQUAL(take_events(), "realize:d");
    object_unparent(OBJECT(dev));
    CU_ASSERT_STRING_EQUAL(take_events(), "unrealize:d");
    object_unref(dev);
}

static void test_realize_parent_chaining(void)
{
    DeviceState *dev = new_dev(TYPE_TD_SUB, "s");

    CU_ASSERT_TRUE(qdev_realize(dev, NULL, &error_abort));
    CU_ASSERT_STRING_EQUAL(take_events(), "sub-realize:s realize:s");
    qdev_reset_all(dev);
    CU_ASSERT_STRING_EQUAL(take_events(), "sub-reset:s reset:s");
    qdev_unrealize(dev);
    CU_ASSERT_STRING_EQUAL(take_events(), "sub-unrealize:s unrealize:s");
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

/* The parent's failure comes back through the chain unchanged. */
static void test_realize_parent_chaining_failure(void)
{
    DeviceState *dev = new_dev(TYPE_TD_SUB, "s");
    Error *err = NULL;

    qdev_prop_set_bit(dev, "fail", true);
    CU_ASSERT_FALSE(qdev_realize(dev, NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "td-dev s refused");
    CU_ASSERT_STRING_EQUAL(take_events(), "sub-realize:s realize:s");
    error_free(err);
    object_unref(dev);
}

/* --- failure paths ---------------------------------------------------- */

static void test_realize_failure_unattached(void)
{
    DeviceState *ok = new_dev(TYPE_TD_DEV, "ok");
    DeviceState *bad = new_dev(TYPE_TD_DEV, "bad");
    Error *err = NULL;
    int n;

    CU_ASSERT_TRUE(qdev_realize(ok, NULL, &error_abort));
    n = unattached_index(OBJECT(ok));
    CU_ASSERT_TRUE(n >= 0);

    qdev_prop_set_bit(bad, "fail", true);
    CU_ASSERT_FALSE(qdev_realize(bad, NULL, &err));
    /* The callback's error, as is; no unrealize for a failed realize. */
    CU_ASSERT_EQUAL(error_get_class(err), ERROR_CLASS_GENERIC_ERROR);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "td-dev bad refused");
    CU_ASSERT_STRING_EQUAL(take_events(), "realize:ok realize:bad");
    CU_ASSERT_FALSE(bad->realized);
    /* Its unattached placement was undone, and its number given back. */
    CU_ASSERT_PTR_NULL(OBJECT(bad)->parent);
    error_free(err);

    qdev_prop_set_bit(bad, "fail", false);
    CU_ASSERT_TRUE(qdev_realize(bad, NULL, &error_abort));
    CU_ASSERT_EQUAL(unattached_index(OBJECT(bad)), n + 1);

    object_unparent(OBJECT(ok));
    object_unparent(OBJECT(bad));
    object_unref(ok);
    object_unref(bad);
    take_events();
}

/* A failed device that was plugged and unattached comes off its bus. */
static void test_realize_failure_unplugs(void)
{
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    DeviceState *leaf = new_dev(TYPE_TD_LEAF, "leaf");
    Error *err = NULL;

    qdev_realize(br, NULL, &error_abort);
    qdev_prop_set_bit(leaf, "fail", true);
    object_ref(leaf);
    CU_ASSERT_FALSE(qdev_realize_and_unref(leaf, bridge_bus(br, 0), &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "td-dev leaf refused");
    CU_ASSERT_PTR_NULL(leaf->parent_bus);
    CU_ASSERT_EQUAL(bridge_bus(br, 0)->num_children, 0);
    CU_ASSERT_PTR_NULL(bridge_bus(br, 0)->children);
    CU_ASSERT_PTR_NULL(object_property_find(OBJECT(bridge_bus(br, 0)),
                                            "child[0]"));
    CU_ASSERT_EQUAL(OBJECT(leaf)->ref, 1);     /* only ours is left */
    error_free(err);
    object_unref(leaf);
    object_unparent(OBJECT(br));
    object_unref(br);
    take_events();
}

/* A device that already has a parent keeps it (and its buses) on failure. */
static void test_realize_rollback_on_child_bus_failure(void)
{
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    Error *err = NULL;

    object_property_add_child(test_parent(), "br", OBJECT(br));
    TD_BUS(bridge_bus(br, 0))->fail = true;       /* "a", realized last */
    CU_ASSERT_FALSE(qdev_realize(br, NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "bus a refused");
    /* b was realized, a refused: undo b, then the device. */
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "realize:br bus-realize:b bus-realize:a "
                           "bus-unrealize:b unrealize:br");
    CU_ASSERT_FALSE(br->realized);
    CU_ASSERT_FALSE(bridge_bus(br, 0)->realized);
    CU_ASSERT_FALSE(bridge_bus(br, 1)->realized);
    CU_ASSERT_PTR_EQUAL(OBJECT(br)->parent, test_parent());
    CU_ASSERT_EQUAL(br->num_child_bus, 2);
    error_free(err);

    /* Fixed, it realizes. */
    TD_BUS(bridge_bus(br, 0))->fail = false;
    CU_ASSERT_TRUE(qdev_realize(br, NULL, &error_abort));
    CU_ASSERT_TRUE(bridge_bus(br, 0)->realized);
    object_unref(br);
    object_unparent(test_parent());
    take_events();
}

/* Unattached, QEMU's rollback unparents the device: its buses go too. */
static void test_realize_rollback_unattached_destroys_buses(void)
{
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    Error *err = NULL;

    TD_BUS(bridge_bus(br, 1))->fail = true;       /* "b", realized first */
    CU_ASSERT_FALSE(qdev_realize(br, NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "bus b refused");
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "realize:br bus-realize:b unrealize:br");
    CU_ASSERT_PTR_NULL(OBJECT(br)->parent);
    CU_ASSERT_EQUAL(br->num_child_bus, 0);
    CU_ASSERT_PTR_NULL(br->child_bus);
    CU_ASSERT_PTR_NULL(object_property_find(OBJECT(br), "a"));
    error_free(err);
    object_unref(br);
}

static void test_realize_hotplug_refused(void)
{
    DeviceState *dev;
    Error *err = NULL;

    phase_advance(PHASE_MACHINE_CREATED);
    phase_advance(PHASE_ACCEL_CREATED);
    phase_advance(PHASE_MACHINE_INITIALIZED);
    phase_advance(PHASE_MACHINE_READY);
    CU_ASSERT_FALSE(qdev_machine_modified());

    dev = new_dev("td-nohotplug", "n");
    CU_ASSERT_TRUE(dev->hotplugged);
    CU_ASSERT_TRUE(object_property_get_bool(OBJECT(dev), "hotplugged",
                                            &error_abort));
    CU_ASSERT_FALSE(object_property_get_bool(OBJECT(dev), "hotpluggable",
                                             &error_abort));
    CU_ASSERT_TRUE(qdev_machine_modified());
    CU_ASSERT_FALSE(qdev_realize(dev, NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Device 'td-nohotplug' does not support "
                           "hotplugging");
    CU_ASSERT_STRING_EQUAL(take_events(), "");
    CU_ASSERT_PTR_NULL(OBJECT(dev)->parent);
    error_free(err);
    object_unref(dev);

    /* A hotpluggable device is fine. */
    dev = new_dev(TYPE_TD_DEV, "h");
    CU_ASSERT_TRUE(dev->hotplugged);
    CU_ASSERT_TRUE(qdev_realize(dev, NULL, &error_abort));
    object_unparent(OBJECT(dev));
    object_unref(dev);
    take_events();
    phase_reset_for_test();
}

/* --- unparent --------------------------------------------------------- */

static void test_unparent_unrealizes_and_frees(void)
{
    unsigned before = object_live_count();
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    DeviceState *leaf = new_dev(TYPE_TD_LEAF, "leaf");

    qdev_realize_and_unref(br, NULL, &error_abort);
    qdev_realize_and_unref(leaf, bridge_bus(br, 1), &error_abort);
    take_events();
    /* device + 2 buses + leaf */
    CU_ASSERT_EQUAL(object_live_count(), before + 4);

    object_unparent(OBJECT(br));
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "unrealize:leaf bus-unrealize:b bus-unrealize:a "
                           "unrealize:br");
    CU_ASSERT_EQUAL(object_live_count(), before);
}

/* --- placement -------------------------------------------------------- */

static void test_placement_unattached(void)
{
    DeviceState *d0 = new_dev(TYPE_TD_DEV, "d0");
    DeviceState *d1 = new_dev(TYPE_TD_DEV, "d1");
    g_autofree char *path = NULL;
    int n;

    CU_ASSERT_PTR_NULL(object_get_canonical_path(OBJECT(d0)));
    qdev_realize(d0, NULL, &error_abort);
    qdev_realize(d1, NULL, &error_abort);
    n = unattached_index(OBJECT(d0));
    CU_ASSERT_TRUE(n >= 0);
    CU_ASSERT_EQUAL(unattached_index(OBJECT(d1)), n + 1);
    path = g_strdup_printf("/machine/unattached/device[%d]", n);
    CU_ASSERT_PTR_EQUAL(object_resolve_path(path, NULL), OBJECT(d0));

    object_unparent(OBJECT(d0));
    object_unparent(OBJECT(d1));
    object_unref(d0);
    object_unref(d1);
    take_events();
}

static void test_placement_existing_parent_kept(void)
{
    DeviceState *dev = new_dev(TYPE_TD_DEV, "d");
    g_autofree char *path = NULL;

    object_property_add_child(test_parent(), "mine", OBJECT(dev));
    qdev_realize_and_unref(dev, NULL, &error_abort);
    path = object_get_canonical_path(OBJECT(dev));
    CU_ASSERT_STRING_EQUAL(path, "/test/mine");
    object_unparent(test_parent());
    CU_ASSERT_STRING_EQUAL(take_events(), "realize:d unrealize:d");
}

static void test_placement_peripheral_id(void)
{
    DeviceState *dev = new_dev(TYPE_TD_DEV, "d");
    g_autofree char *path = NULL;
    const char *name;

    name = qdev_set_id(dev, g_strdup("disk0"), &error_abort);
    CU_ASSERT_STRING_EQUAL(name, "disk0");
    CU_ASSERT_STRING_EQUAL(dev->id, "disk0");
    qdev_realize(dev, NULL, &error_abort);
    path = object_get_canonical_path(OBJECT(dev));
    CU_ASSERT_STRING_EQUAL(path, "/machine/peripheral/disk0");
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/machine/peripheral/disk0",
                                            NULL), OBJECT(dev));
    object_unparent(OBJECT(dev));
    object_unref(dev);
    take_events();
}

static void test_placement_peripheral_anon(void)
{
    DeviceState *d0 = new_dev(TYPE_TD_DEV, "d0");
    DeviceState *d1 = new_dev(TYPE_TD_DEV, "d1");
    g_autofree char *p0 = NULL, *p1 = NULL, *want = NULL;
    const char *name;
    int n, end = 0;

    name = qdev_set_id(d0, NULL, &error_abort);
    CU_ASSERT_TRUE(sscanf(name, "device[%d]%n", &n, &end) == 1 &&
                   !name[end]);
    CU_ASSERT_PTR_NULL(d0->id);
    qdev_set_id(d1, NULL, &error_abort);
    p0 = object_get_canonical_path(OBJECT(d0));
    p1 = object_get_canonical_path(OBJECT(d1));
    want = g_strdup_printf("/machine/peripheral-anon/device[%d]", n);
    CU_ASSERT_STRING_EQUAL(p0, want);
    g_free(want);
    want = g_strdup_printf("/machine/peripheral-anon/device[%d]", n + 1);
    CU_ASSERT_STRING_EQUAL(p1, want);
    object_unparent(OBJECT(d0));
    object_unparent(OBJECT(d1));
    object_unref(d0);
    object_unref(d1);
}

static void test_placement_duplicate_id(void)
{
    DeviceState *d0 = new_dev(TYPE_TD_DEV, "d0");
    DeviceState *d1 = new_dev(TYPE_TD_DEV, "d1");
    Error *err = NULL;

    qdev_set_id(d0, g_strdup("net0"), &error_abort);
    CU_ASSERT_PTR_NULL(qdev_set_id(d1, g_strdup("net0"), &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Duplicate device ID 'net0'");
    CU_ASSERT_PTR_NULL(d1->id);
    CU_ASSERT_PTR_NULL(OBJECT(d1)->parent);
    error_free(err);
    object_unparent(OBJECT(d0));
    object_unref(d0);
    object_unref(d1);
}

/* --- generic properties, class defaults, reset ------------------------ */

static void test_generic_properties(void)
{
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    DeviceState *leaf = new_dev(TYPE_TD_LEAF, "leaf");
    DeviceClass *dc = DEVICE_GET_CLASS(leaf);
    g_autofree char *bus_path = NULL;
    Error *err = NULL;

    CU_ASSERT_TRUE(dc->user_creatable);
    CU_ASSERT_TRUE(dc->hotpluggable);
    CU_ASSERT_EQUAL(dc->categories, 0);
    device_class_set_category(dc, DEVICE_CATEGORY_STORAGE);
    CU_ASSERT_TRUE(device_class_has_category(dc, DEVICE_CATEGORY_STORAGE));
    CU_ASSERT_FALSE(device_class_has_category(dc, DEVICE_CATEGORY_USB));
    dc->categories = 0;

    CU_ASSERT_STRING_EQUAL(object_property_get_type(OBJECT(leaf), "parent_bus",
                                                    &error_abort),
                           "link<bus>");
    qdev_realize_and_unref(br, NULL, &error_abort);
    qdev_realize(leaf, bridge_bus(br, 0), &error_abort);
    bus_path = object_property_get_str(OBJECT(leaf), "parent_bus",
                                       &error_abort);
    CU_ASSERT_TRUE(g_str_has_prefix(bus_path, "/machine/unattached/"));
    CU_ASSERT_TRUE(g_str_has_suffix(bus_path, "/a"));
    CU_ASSERT_PTR_EQUAL(qdev_get_parent_bus(leaf), bridge_bus(br, 0));
    /* read-only */
    CU_ASSERT_FALSE(object_property_set_str(OBJECT(leaf), "parent_bus", "",
                                            &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Insufficient permission to perform this "
                           "operation");
    error_free(err);
    /* a bus without a hotplug handler makes its devices not hotpluggable */
    CU_ASSERT_FALSE(object_property_get_bool(OBJECT(leaf), "hotpluggable",
                                             &error_abort));
    qbus_set_hotplug_handler(bridge_bus(br, 0), OBJECT(br));
    CU_ASSERT_TRUE(object_property_get_bool(OBJECT(leaf), "hotpluggable",
                                            &error_abort));
    CU_ASSERT_FALSE(object_property_get_bool(OBJECT(leaf), "hotplugged",
                                             &error_abort));
    object_unparent(OBJECT(br));
    object_unref(leaf);
    take_events();
}

static void test_reset_children_first(void)
{
    DeviceState *br = new_dev(TYPE_TD_BRIDGE, "br");
    DeviceState *leaf = new_dev(TYPE_TD_LEAF, "leaf");

    qdev_realize_and_unref(br, NULL, &error_abort);
    qdev_realize_and_unref(leaf, bridge_bus(br, 0), &error_abort);
    take_events();
    qdev_reset_all(br);
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "bus-reset:b reset:leaf bus-reset:a reset:br");
    qbus_reset_all(bridge_bus(br, 0));
    CU_ASSERT_STRING_EQUAL(take_events(), "reset:leaf bus-reset:a");
    device_legacy_reset(br);
    CU_ASSERT_STRING_EQUAL(take_events(), "reset:br");
    object_unparent(OBJECT(br));
    take_events();
}

/* --- qdev_get_device_class -------------------------------------------- */

static void check_device_class_error(const char *driver, const char *msg)
{
    const char *d = driver;
    Error *err = NULL;

    CU_ASSERT_PTR_NULL(qdev_get_device_class(&d, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), msg);
    error_free(err);
}

static void test_get_device_class(void)
{
    const char *driver = TYPE_TD_DEV;

    CU_ASSERT_PTR_EQUAL(qdev_get_device_class(&driver, &error_abort),
                        DEVICE_CLASS(object_class_by_name(TYPE_TD_DEV)));
    CU_ASSERT_STRING_EQUAL(driver, TYPE_TD_DEV);

    check_device_class_error("no-such-thing",
                             "'no-such-thing' is not a valid device model "
                             "name");
    check_device_class_error(TYPE_TD_BUS,
                             "'td-bus' is not a valid device model name");
    check_device_class_error("virtio-rng",
                             "'virtio-rng' (alias 'virtio-rng-pci') is not "
                             "a valid device model name");
    check_device_class_error("td-abstract",
                             "Parameter 'driver' expects a non-abstract "
                             "device type");
    check_device_class_error(TYPE_DEVICE,
                             "Parameter 'driver' expects a non-abstract "
                             "device type");
    check_device_class_error("td-nouser",
                             "Parameter 'driver' expects a pluggable "
                             "device type");

    CU_ASSERT_STRING_EQUAL(qdev_find_typename_by_alias("virtio-net"),
                           "virtio-net-pci");
    CU_ASSERT_PTR_NULL(qdev_find_typename_by_alias("virtio-net-pci"));
    CU_ASSERT_PTR_NULL(qdev_class_get_alias(
                           DEVICE_CLASS(object_class_by_name(TYPE_TD_DEV))));
}

static void test_get_device_class_hotplug_phase(void)
{
    const char *driver = "td-nohotplug";

    CU_ASSERT_PTR_NOT_NULL(qdev_get_device_class(&driver, &error_abort));
    phase_advance(PHASE_MACHINE_CREATED);
    phase_advance(PHASE_ACCEL_CREATED);
    phase_advance(PHASE_MACHINE_INITIALIZED);
    CU_ASSERT_PTR_NOT_NULL(qdev_get_device_class(&driver, &error_abort));
    phase_advance(PHASE_MACHINE_READY);
    check_device_class_error("td-nohotplug",
                             "Parameter 'driver' expects a pluggable "
                             "device type");
    phase_reset_for_test();
}

int main(int argc, char **argv)
{
    events = g_string_new(NULL);
    /* Containers live for the whole run: create them before any test's
     * leak check starts counting. */
    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");
    qdev_get_peripheral();
    qdev_get_peripheral_anon();

    harness_add("/device/realize/order", test_realize_order);
    harness_add("/device/realize/twice-is-noop", test_realize_twice_is_noop);
    harness_add("/device/realize/parent-chaining",
                test_realize_parent_chaining);
    harness_add("/device/realize/parent-chaining-failure",
                test_realize_parent_chaining_failure);
    harness_add("/device/realize/failure/unattached",
                test_realize_failure_unattached);
    harness_add("/device/realize/failure/unplugs",
                test_realize_failure_unplugs);
    harness_add("/device/realize/rollback-on-child-bus-failure",
                test_realize_rollback_on_child_bus_failure);
    harness_add("/device/realize/rollback-unattached-destroys-buses",
                test_realize_rollback_unattached_destroys_buses);
    harness_add("/device/realize/failure/hotplug-refused",
                test_realize_hotplug_refused);
    harness_add("/device/unparent/unrealizes-and-frees",
                test_unparent_unrealizes_and_frees);
    harness_add("/device/placement/unattached", test_placement_unattached);
    harness_add("/device/placement/existing-parent-kept",
                test_placement_existing_parent_kept);
    harness_add("/device/placement/peripheral-id",
                test_placement_peripheral_id);
    harness_add("/device/placement/peripheral-anon",
                test_placement_peripheral_anon);
    harness_add("/device/placement/duplicate-id",
                test_placement_duplicate_id);
    harness_add("/device/properties/generic", test_generic_properties);
    harness_add("/device/reset/children-first", test_reset_children_first);
    harness_add("/device/get-device-class/errors", test_get_device_class);
    harness_add("/device/get-device-class/hotplug-phase",
                test_get_device_class_hotplug_phase);
    return harness_run(argc, argv);
}
