/*
 * test-bus.c - TYPE_BUS: QEMU's naming rules, the children list and its
 * "child[N]" links, realize/unrealize, max_dev, unparenting, walks,
 * check_address, moving a device between buses, lookups.
 *
 * Throwaway types: "TPCI" and "TIDE" buses (named "tpci.N" / "tide.N",
 * as QEMU's "PCI" and "IDE" give "pci.N" / "ide.N"), "TIDE-sub" (its own
 * counter), tb-ctrl (a device providing buses on demand), tb-dev (plugs
 * into TPCI; "addr" property checked by check_address).
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-user.h"
#include "harness.h"

#define TYPE_TPCI "TPCI"
#define TYPE_TIDE "TIDE"
#define TYPE_TIDE_SUB "TIDE-sub"
#define TYPE_TB_CTRL "tb-ctrl"
#define TYPE_TB_DEV "tb-dev"

static GString *events;

static void event(const char *what, const char *who)
{
    g_string_append_printf(events, "%s%s:%s", events->len ? " " : "",
                           what, who);
}

static const char *take_events(void)
{
    static char buf[1024];

    g_strlcpy(buf, events->str, sizeof(buf));
    g_string_truncate(events, 0);
    return buf;
}

typedef struct TbDev {
    DeviceState parent_obj;
    uint32_t addr;          /* property "addr"; 99 is refused */
    bool realize_fails;
} TbDev;
#define TB_DEV(obj) OBJECT_CHECK(TbDev, (obj), TYPE_TB_DEV)

static bool fail_bus_realize;   /* make the next bus realize fail */

static bool tpci_realize(BusState *bus, Error **errp)
{
    event("bus-realize", bus->name);
    if (fail_bus_realize) {
        error_setg(errp, "no bus today");
        return false;
    }
    return true;
}

static void tpci_unrealize(BusState *bus)
{
    event("bus-unrealize", bus->name);
}

static bool tpci_check_address(BusState *bus, DeviceState *dev,
                               Error **errp)
{
    if (TB_DEV(dev)->addr == 99) {
        error_setg(errp, "address 99 is taken");
        return false;
    }
    return true;
}

static char *tpci_get_dev_path(DeviceState *dev)
{
    return g_strdup_printf("tpci:%u", TB_DEV(dev)->addr);
}

static void tpci_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = BUS_CLASS(oc);

    bc->realize = tpci_realize;
    bc->unrealize = tpci_unrealize;
    bc->check_address = tpci_check_address;
    bc->get_dev_path = tpci_get_dev_path;
    bc->max_dev = 3;
}

static char *dev_label(DeviceState *dev)
{
    return g_strdup_printf("%u", TB_DEV(dev)->addr);
}

static bool tb_dev_realize(DeviceState *dev, Error **errp)
{
    g_autofree char *l = dev_label(dev);

    event("realize", l);
    return true;
}

static void tb_dev_unrealize(DeviceState *dev)
{
    g_autofree char *l = dev_label(dev);

    event("unrealize", l);
}

static Property tb_dev_props[] = {
    DEFINE_PROP_UINT32("addr", TbDev, addr, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void tb_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->bus_type = TYPE_TPCI;
    dc->realize = tb_dev_realize;
    dc->unrealize = tb_dev_unrealize;
    device_class_set_props(dc, tb_dev_props);
}

static const TypeInfo tb_types[] = {
    {
        .name = TYPE_TPCI,
        .parent = TYPE_BUS,
        .class_init = tpci_class_init,
    }, {
        .name = TYPE_TIDE,
        .parent = TYPE_BUS,
    }, {
        .name = TYPE_TIDE_SUB,
        .parent = TYPE_TIDE,
    }, {
        .name = TYPE_TB_CTRL,
        .parent = TYPE_DEVICE,
    }, {
        .name = TYPE_TB_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TbDev),
        .class_init = tb_dev_class_init,
    },
};

DEFINE_TYPES(tb_types)

/* --- helpers ---------------------------------------------------------- */

/* A controller placed at /test/<name>; object_unparent(test_parent())
 * frees everything. */
static Object *test_parent(void)
{
    return container_get(object_get_root(), "/test");
}

static DeviceState *new_ctrl(const char *name, const char *id)
{
    DeviceState *ctrl = qdev_new(TYPE_TB_CTRL);

    object_property_add_child(test_parent(), name, OBJECT(ctrl));
    object_unref(ctrl);
    ctrl->id = g_strdup(id);
    return ctrl;
}

static DeviceState *plug(BusState *bus, uint32_t addr)
{
    DeviceState *dev = qdev_new(TYPE_TB_DEV);

    qdev_prop_set_uint32(dev, "addr", addr);
    qdev_realize_and_unref(dev, bus, &error_abort);
    return dev;
}

/* The addr of each device on @bus, in list order. */
static char *bus_addrs(BusState *bus)
{
    GString *s = g_string_new(NULL);

    for (GList *l = bus->children; l; l = l->next) {
        BusChild *kid = l->data;

        g_string_append_printf(s, "%s%u@%d", s->len ? " " : "",
                               TB_DEV(kid->child)->addr, kid->index);
    }
    return g_string_free(s, false);
}

/* --- naming ----------------------------------------------------------- */

static void test_name_from_type(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    DeviceState *ide = new_ctrl("ide", NULL);
    BusState *pci0 = qbus_new(TYPE_TPCI, host, NULL);
    BusState *ide0 = qbus_new(TYPE_TIDE, ide, NULL);
    BusState *ide1 = qbus_new(TYPE_TIDE, ide, NULL);
    BusState *sub0 = qbus_new(TYPE_TIDE_SUB, ide, NULL);

    /* The type in lower case, numbered per class across the process. */
    CU_ASSERT_STRING_EQUAL(pci0->name, "tpci.0");
    CU_ASSERT_STRING_EQUAL(ide0->name, "tide.0");
    CU_ASSERT_STRING_EQUAL(ide1->name, "tide.1");
    CU_ASSERT_STRING_EQUAL(sub0->name, "tide-sub.0");
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/test/ide/tide.1", NULL),
                        OBJECT(ide1));
    CU_ASSERT_PTR_EQUAL(pci0->parent, host);
    CU_ASSERT_EQUAL(ide->num_child_bus, 3);
    /* Newest first, as QEMU's QLIST_INSERT_HEAD. */
    CU_ASSERT_PTR_EQUAL(ide->child_bus->data, sub0);
    CU_ASSERT_PTR_EQUAL(g_list_last(ide->child_bus)->data, ide0);
    CU_ASSERT_STRING_EQUAL(object_property_get_type(OBJECT(ide), "tide.0",
                                                    &error_abort),
                           "child<TIDE>");
    object_unparent(test_parent());
}

static void test_name_from_parent_id(void)
{
    DeviceState *ide = new_ctrl("ide", "ide0");
    BusState *b0 = qbus_new(TYPE_TIDE, ide, NULL);
    BusState *b1 = qbus_new(TYPE_TIDE, ide, NULL);
    BusState *named = qbus_new(TYPE_TIDE, ide, "mine");
    BusState *b3 = qbus_new(TYPE_TIDE, ide, NULL);

    CU_ASSERT_STRING_EQUAL(b0->name, "ide0.0");
    CU_ASSERT_STRING_EQUAL(b1->name, "ide0.1");
    CU_ASSERT_STRING_EQUAL(named->name, "mine");
    /* n is the parent's bus count so far, named ones included */
    CU_ASSERT_STRING_EQUAL(b3->name, "ide0.3");
    CU_ASSERT_PTR_EQUAL(qdev_get_child_bus(ide, "ide0.1"), b1);
    CU_ASSERT_PTR_EQUAL(qdev_get_child_bus(ide, "mine"), named);
    CU_ASSERT_PTR_NULL(qdev_get_child_bus(ide, "ide0.9"));
    object_unparent(test_parent());
}

static void test_root_bus(void)
{
    unsigned before = object_live_count();
    BusState *root = qbus_new(TYPE_TPCI, NULL, "main-system-bus");
    DeviceState *dev;

    CU_ASSERT_STRING_EQUAL(root->name, "main-system-bus");
    CU_ASSERT_PTR_NULL(root->parent);
    CU_ASSERT_EQUAL(OBJECT(root)->ref, 1);          /* the caller's */
    qbus_realize(root, &error_abort);
    dev = plug(root, 1);
    CU_ASSERT_EQUAL(OBJECT(root)->ref, 2);          /* + the device's */
    /* Devices on a root bus leave only when unparented (as QEMU). */
    object_unparent(OBJECT(dev));
    CU_ASSERT_EQUAL(OBJECT(root)->ref, 1);
    qbus_unrealize(root);
    object_unref(root);
    CU_ASSERT_EQUAL(object_live_count(), before);
    take_events();
}

/* --- children --------------------------------------------------------- */

static void test_children_order_and_links(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    g_autofree char *addrs = NULL, *link = NULL, *dev_path = NULL;
    DeviceState *d1, *d2, *d3;

    d1 = plug(bus, 1);
    d2 = plug(bus, 2);
    d3 = plug(bus, 3);
    addrs = bus_addrs(bus);
    CU_ASSERT_STRING_EQUAL(addrs, "3@2 2@1 1@0");
    CU_ASSERT_EQUAL(bus->num_children, 3);
    CU_ASSERT_STRING_EQUAL(object_property_get_type(OBJECT(bus), "child[1]",
                                                    &error_abort),
                           "link<tb-dev>");
    CU_ASSERT_PTR_EQUAL(object_property_get_link(OBJECT(bus), "child[1]",
                                                 &error_abort), OBJECT(d2));
    link = object_property_get_str(OBJECT(bus), "child[0]", &error_abort);
    dev_path = object_get_canonical_path(OBJECT(d1));
    CU_ASSERT_STRING_EQUAL(link, dev_path);
    CU_ASSERT_PTR_EQUAL(d3->parent_bus, bus);
    /* The bus and each device hold a reference on each other. */
    CU_ASSERT_EQUAL(OBJECT(bus)->ref, 4);
    CU_ASSERT_EQUAL(OBJECT(d1)->ref, 2);    /* unattached + bus */
    object_unparent(test_parent());
    take_events();
}

static void test_children_index_not_reused(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    g_autofree char *addrs = NULL;
    DeviceState *d2;

    plug(bus, 1);
    d2 = plug(bus, 2);
    plug(bus, 3);
    object_unparent(OBJECT(d2));
    CU_ASSERT_PTR_NULL(object_property_find(OBJECT(bus), "child[1]"));
    CU_ASSERT_EQUAL(bus->num_children, 2);
    plug(bus, 4);
    addrs = bus_addrs(bus);
    CU_ASSERT_STRING_EQUAL(addrs, "4@3 3@2 1@0");
    CU_ASSERT_EQUAL(bus->max_index, 4);
    object_unparent(test_parent());
    take_events();
}

static void test_children_full(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    BusState *ide = qbus_new(TYPE_TIDE, host, "ide");

    CU_ASSERT_FALSE(qbus_is_full(bus));
    plug(bus, 1);
    plug(bus, 2);
    CU_ASSERT_FALSE(qbus_is_full(bus));
    plug(bus, 3);
    CU_ASSERT_TRUE(qbus_is_full(bus));              /* max_dev = 3 */
    CU_ASSERT_FALSE(qbus_is_full(ide));             /* max_dev 0: no limit */
    qbus_mark_full(ide);
    CU_ASSERT_TRUE(qbus_is_full(ide));
    object_unparent(test_parent());
    take_events();
}

/* --- realize ---------------------------------------------------------- */

static void test_realize_failure_stays_unrealized(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    Error *err = NULL;

    fail_bus_realize = true;
    CU_ASSERT_FALSE(qbus_realize(bus, &err));
    fail_bus_realize = false;
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "no bus today");
    CU_ASSERT_FALSE(bus->realized);
    CU_ASSERT_FALSE(object_property_get_bool(OBJECT(bus), "realized",
                                             &error_abort));
    error_free(err);
    /* Unrealizing an unrealized bus calls nothing. */
    qbus_unrealize(bus);
    CU_ASSERT_STRING_EQUAL(take_events(), "bus-realize:pci");
    CU_ASSERT_TRUE(qbus_realize(bus, &error_abort));
    CU_ASSERT_TRUE(bus->realized);
    object_unparent(test_parent());
    CU_ASSERT_STRING_EQUAL(take_events(), "bus-realize:pci");
}

static void test_unrealize_unrealizes_devices(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    DeviceState *d1, *d2;

    qbus_realize(bus, &error_abort);
    d1 = plug(bus, 1);
    d2 = plug(bus, 2);
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "bus-realize:pci realize:1 realize:2");
    qbus_unrealize(bus);
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "unrealize:2 unrealize:1 bus-unrealize:pci");
    CU_ASSERT_FALSE(d1->realized || d2->realized || bus->realized);
    /* Still plugged. */
    CU_ASSERT_EQUAL(bus->num_children, 2);
    object_unparent(test_parent());
    CU_ASSERT_STRING_EQUAL(take_events(), "");
}

/* --- unparent --------------------------------------------------------- */

static void test_unparent_takes_devices(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    unsigned before;

    qbus_realize(bus, &error_abort);
    plug(bus, 1);
    plug(bus, 2);
    take_events();
    before = object_live_count();
    object_unparent(OBJECT(bus));
    CU_ASSERT_STRING_EQUAL(take_events(),
                           "unrealize:2 unrealize:1");
    CU_ASSERT_EQUAL(object_live_count(), before - 3);
    CU_ASSERT_EQUAL(host->num_child_bus, 0);
    CU_ASSERT_PTR_NULL(host->child_bus);
    CU_ASSERT_PTR_NULL(qdev_get_child_bus(host, "pci"));
    object_unparent(test_parent());
}

/* Plugged with qdev_set_parent_bus but never realized (no QOM parent). */
static void test_unparent_parentless_device(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    DeviceState *dev = qdev_new(TYPE_TB_DEV);

    CU_ASSERT_TRUE(qdev_set_parent_bus(dev, bus, &error_abort));
    CU_ASSERT_PTR_NULL(OBJECT(dev)->parent);
    object_unparent(test_parent());
    CU_ASSERT_PTR_NULL(dev->parent_bus);
    CU_ASSERT_EQUAL(OBJECT(dev)->ref, 1);
    object_unref(dev);
    CU_ASSERT_STRING_EQUAL(take_events(), "");
}

/* --- plugging --------------------------------------------------------- */

static void test_check_address_refuses(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *bus = qbus_new(TYPE_TPCI, host, "pci");
    DeviceState *dev = qdev_new(TYPE_TB_DEV);
    Error *err = NULL;

    qdev_prop_set_uint32(dev, "addr", 99);
    CU_ASSERT_FALSE(qdev_realize(dev, bus, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "address 99 is taken");
    CU_ASSERT_PTR_NULL(dev->parent_bus);
    CU_ASSERT_EQUAL(bus->num_children, 0);
    CU_ASSERT_PTR_NULL(OBJECT(dev)->parent);
    CU_ASSERT_STRING_EQUAL(take_events(), "");
    error_free(err);
    object_unref(dev);
    object_unparent(test_parent());
}

static void test_move_between_buses(void)
{
    DeviceState *host = new_ctrl("host", NULL);
    BusState *a = qbus_new(TYPE_TPCI, host, "a");
    BusState *b = qbus_new(TYPE_TPCI, host, "b");
    DeviceState *dev = plug(a, 7);
    g_autofree char *path = NULL;

    CU_ASSERT_EQUAL(OBJECT(a)->ref, 2);
    CU_ASSERT_TRUE(qdev_set_parent_bus(dev, b, &error_abort));
    CU_ASSERT_PTR_EQUAL(dev->parent_bus, b);
    CU_ASSERT_EQUAL(a->num_children, 0);
    CU_ASSERT_EQUAL(b->num_children, 1);
    CU_ASSERT_EQUAL(OBJECT(a)->ref, 1);
    CU_ASSERT_EQUAL(OBJECT(b)->ref, 2);
    CU_ASSERT_EQUAL(OBJECT(dev)->ref, 2);
    path = qdev_get_dev_path(dev);
    CU_ASSERT_STRING_EQUAL(path, "tpci:7");
    object_unparent(test_parent());
    take_events();
}

/* --- walks and lookups ------------------------------------------------ */

static int pre_dev(DeviceState *dev, void *opaque)
{
    g_string_append_printf(opaque, " <d:%s", dev->id ? dev->id : "-");
    return dev->id && strcmp(dev->id, "skip") == 0 ? 1 : 0;
}

static int post_dev(DeviceState *dev, void *opaque)
{
    g_string_append_printf(opaque, " d:%s>", dev->id ? dev->id : "-");
    return dev->id && strcmp(dev->id, "stop") == 0 ? -1 : 0;
}

static int pre_bus(BusState *bus, void *opaque)
{
    g_string_append_printf(opaque, " <b:%s", bus->name);
    return 0;
}

static int post_bus(BusState *bus, void *opaque)
{
    g_string_append_printf(opaque, " b:%s>", bus->name);
    return 0;
}

static void test_walk(void)
{
    DeviceState *host = new_ctrl("host", "host");
    BusState *pci = qbus_new(TYPE_TPCI, host, NULL);
    DeviceState *d1 = plug(pci, 1);
    DeviceState *d2 = plug(pci, 2);
    g_autoptr(GString) s = g_string_new(NULL);

    d1->id = g_strdup("one");
    qbus_new(TYPE_TIDE, d1, "sub");
    d2->id = g_strdup("two");
    CU_ASSERT_EQUAL(qdev_walk_children(host, pre_dev, pre_bus, post_dev,
                                       post_bus, s), 0);
    CU_ASSERT_STRING_EQUAL(s->str, " <d:host <b:host.0 <d:two d:two> "
                           "<d:one <b:sub b:sub> d:one> b:host.0> d:host>");
    CU_ASSERT_PTR_EQUAL(qdev_find_recursive(pci, "one"), d1);
    CU_ASSERT_PTR_NULL(qdev_find_recursive(pci, "host"));

    /* > 0 skips a subtree (and its post function) */
    g_string_truncate(s, 0);
    g_free(d1->id);
    d1->id = g_strdup("skip");
    CU_ASSERT_EQUAL(qbus_walk_children(pci, pre_dev, pre_bus, post_dev,
                                       post_bus, s), 0);
    CU_ASSERT_STRING_EQUAL(s->str, " <b:host.0 <d:two d:two> <d:skip "
                           "b:host.0>");
    /* < 0 stops everything */
    g_string_truncate(s, 0);
    g_free(d2->id);
    d2->id = g_strdup("stop");
    CU_ASSERT_EQUAL(qbus_walk_children(pci, pre_dev, pre_bus, post_dev,
                                       post_bus, s), -1);
    CU_ASSERT_STRING_EQUAL(s->str, " <b:host.0 <d:stop d:stop>");
    object_unparent(test_parent());
    take_events();
}

int main(int argc, char **argv)
{
    events = g_string_new(NULL);
    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");

    harness_add("/bus/name/from-type", test_name_from_type);
    harness_add("/bus/name/from-parent-id", test_name_from_parent_id);
    harness_add("/bus/name/root-bus", test_root_bus);
    harness_add("/bus/children/order-and-links",
                test_children_order_and_links);
    harness_add("/bus/children/index-not-reused",
                test_children_index_not_reused);
    harness_add("/bus/children/full", test_children_full);
    harness_add("/bus/realize/failure-stays-unrealized",
                test_realize_failure_stays_unrealized);
    harness_add("/bus/unrealize/unrealizes-devices",
                test_unrealize_unrealizes_devices);
    harness_add("/bus/unparent/takes-devices", test_unparent_takes_devices);
    harness_add("/bus/unparent/parentless-device",
                test_unparent_parentless_device);
    harness_add("/bus/plug/check-address-refuses",
                test_check_address_refuses);
    harness_add("/bus/plug/move-between-buses", test_move_between_buses);
    harness_add("/bus/walk/order-skip-stop", test_walk);
    return harness_run(argc, argv);
}
