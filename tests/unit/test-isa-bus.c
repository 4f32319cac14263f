/*
 * test-isa-bus.c - the ISA bus (hw/isa/isa-bus.c): the default bus on
 * its stand-in bridge, one bus at a time, ports mapped into the I/O
 * space and unmapped at unrealize, `info qtree`'s irq lines.
 */
#include "util/osdep.h"
#include "isa-helper.h"
#include "harness.h"

/* --- a throwaway ISA device: 4 ports at "iobase", a scratch register --- */

#define TYPE_TEST_ISA_DEV "test-isa-dev"
OBJECT_DECLARE_SIMPLE_TYPE(TestIsaDev, TEST_ISA_DEV)

struct TestIsaDev {
    ISADevice parent_obj;
    MemoryRegion io;
    uint8_t reg[4];
};

static uint64_t test_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return ((TestIsaDev *)opaque)->reg[addr];
}

static void test_io_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    ((TestIsaDev *)opaque)->reg[addr] = val;
}

static const MemoryRegionOps test_io_ops = {
    .read = test_io_read,
    .write = test_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

static bool test_isa_dev_realize(DeviceState *dev, Error **errp)
{
    TestIsaDev *s = TEST_ISA_DEV(dev);

    memory_region_init_io(&s->io, OBJECT(dev), &test_io_ops, s, "test-io",
                          4);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, 0x300);
    return true;
}

static void test_isa_dev_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->realize = test_isa_dev_realize;
}

static const TypeInfo test_isa_dev_info = {
    .name = TYPE_TEST_ISA_DEV,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(TestIsaDev),
    .class_init = test_isa_dev_class_init,
};

/* --- tests ------------------------------------------------------------- */

static void test_default_bus(void)
{
    DeviceState *bridge;
    g_autofree char *path = NULL;
    BusState *bus;

    isa_fixture_begin(true);
    bus = BUS(isa_fx.bus);
    CU_ASSERT_PTR_EQUAL(isa_bus_get(), isa_fx.bus);
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(bus)), "ISA");
    CU_ASSERT_TRUE(g_str_has_prefix(bus->name, "isa."));
    CU_ASSERT_TRUE(bus->realized);
    CU_ASSERT_PTR_EQUAL(isa_fx.bus->address_space_io, get_system_io());
    CU_ASSERT_PTR_EQUAL(isa_address_space_io(NULL), get_system_io());

    /* Provided by an "isabus-bridge" on the main system bus. */
    bridge = bus->parent;
    CU_ASSERT_PTR_NOT_NULL_FATAL(bridge);
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(bridge)),
                           "isabus-bridge");
    CU_ASSERT_PTR_EQUAL(qdev_get_parent_bus(bridge), sysbus_get_default());
    path = object_get_canonical_path(OBJECT(bridge));
    CU_ASSERT_TRUE(g_str_has_prefix(path, "/machine/unattached/device["));
    CU_ASSERT_PTR_EQUAL(qdev_get_child_bus(bridge, bus->name), bus);
    isa_fixture_end();
}

static void test_second_bus(void)
{
    Error *err = NULL;

    isa_fixture_begin(true);
    CU_ASSERT_PTR_NULL(isa_bus_create_default(&err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Can't create a second ISA bus");
    error_free(err);
    isa_fixture_end();
    /* Once it is gone, a new one may be made. */
    isa_fixture_begin(true);
    CU_ASSERT_PTR_NOT_NULL(isa_fx.bus);
    isa_fixture_end();
}

static void test_class_defaults(void)
{
    DeviceClass *dc = DEVICE_CLASS(object_class_by_name(TYPE_TEST_ISA_DEV));
    DeviceClass *bridge = DEVICE_CLASS(object_class_by_name("isabus-bridge"));

    CU_ASSERT_TRUE(object_class_is_abstract(
                       object_class_by_name(TYPE_ISA_DEVICE)));
    CU_ASSERT_STRING_EQUAL(dc->bus_type, "ISA");
    CU_ASSERT_TRUE(device_class_has_category(bridge,
                                             DEVICE_CATEGORY_BRIDGE));
    CU_ASSERT_FALSE(bridge->user_creatable);
}

static void test_register_ioport(void)
{
    DeviceState *dev;
    TestIsaDev *s;
    unsigned live;

    isa_fixture_begin(true);
    live = object_live_count();
    dev = qdev_new(TYPE_TEST_ISA_DEV);
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    s = TEST_ISA_DEV(dev);
    CU_ASSERT_EQUAL(ISA_DEVICE(dev)->ioport_id, 0x300);
    CU_ASSERT_EQUAL(ISA_DEVICE(dev)->isairq[0], -1);

    port_write(0x302, 0x5a, 1);
    CU_ASSERT_EQUAL(s->reg[2], 0x5a);
    CU_ASSERT_EQUAL(port_read(0x302, 1), 0x5a);
    CU_ASSERT_EQUAL(port_read(0x304, 1), 0xff);  /* past the device */

    /* Unrealized: the ports are free again, and the device can go. */
    qdev_unrealize(dev);
    CU_ASSERT_FALSE(memory_region_is_mapped(&s->io));
    CU_ASSERT_EQUAL(port_read(0x302, 1), 0xff);
    object_unparent(OBJECT(dev));
    CU_ASSERT_EQUAL(object_live_count(), live);
    isa_fixture_end();
}

static void test_qtree_print(void)
{
    DeviceState *dev;
    GString *out = g_string_new(NULL);
    BusClass *bc;

    isa_fixture_begin(true);
    dev = qdev_new(TYPE_TEST_ISA_DEV);
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    bc = BUS_GET_CLASS(isa_fx.bus);
    bc->print_dev(out, dev, 4);
    CU_ASSERT_STRING_EQUAL(out->str, "");       /* no IRQ: nothing */
    ISA_DEVICE(dev)->isairq[0] = 4;
    bc->print_dev(out, dev, 4);
    CU_ASSERT_STRING_EQUAL(out->str, "    isa irq 4\n");
    g_string_truncate(out, 0);
    ISA_DEVICE(dev)->isairq[1] = 3;
    bc->print_dev(out, dev, 2);
    CU_ASSERT_STRING_EQUAL(out->str, "  isa irqs 4,3\n");
    g_string_free(out, true);
    isa_fixture_end();
}

int main(int argc, char **argv)
{
    type_register_static(&test_isa_dev_info);
    isa_helper_main_init();

    harness_add("/isa-bus/default-bus", test_default_bus);
    harness_add("/isa-bus/second-bus", test_second_bus);
    harness_add("/isa-bus/class-defaults", test_class_defaults);
    harness_add("/isa-bus/register-ioport", test_register_ioport);
    harness_add("/isa-bus/qtree-print", test_qtree_print);
    return harness_run(argc, argv);
}
