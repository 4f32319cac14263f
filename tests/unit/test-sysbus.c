/*
 * test-sysbus.c - the system bus and sysbus devices (hw/core/sysbus.c):
 * the main bus's place and name, MMIO regions mapped into system memory
 * and unmapped when the device goes, `info qtree`'s mmio lines, the
 * class defaults.
 */
#include "util/osdep.h"
#include "hw/core/sysbus.h"
#include "isa-helper.h"
#include "harness.h"

/* --- a throwaway sysbus device with one 4 KiB register window ---------- */

#define TYPE_TEST_SYSBUS_DEV "test-sysbus-dev"
OBJECT_DECLARE_SIMPLE_TYPE(TestSysbusDev, TEST_SYSBUS_DEV)

struct TestSysbusDev {
    SysBusDevice parent_obj;
    MemoryRegion mmio;
    uint64_t last_write;
};

static uint64_t test_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x1000 + addr;
}

static void test_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    ((TestSysbusDev *)opaque)->last_write = val;
}

static const MemoryRegionOps test_mmio_ops = {
    .read = test_mmio_read,
    .write = test_mmio_write,
};

static void test_sysbus_dev_init(Object *obj)
{
    TestSysbusDev *s = TEST_SYSBUS_DEV(obj);

    memory_region_init_io(&s->mmio, obj, &test_mmio_ops, s, "test-mmio",
                          0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->mmio);
}

static const TypeInfo test_sysbus_dev_info = {
    .name = TYPE_TEST_SYSBUS_DEV,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(TestSysbusDev),
    .instance_init = test_sysbus_dev_init,
};

static TestSysbusDev *new_test_dev(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_SYSBUS_DEV);

    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_abort);
    return TEST_SYSBUS_DEV(dev);
}

static uint32_t mem_read32(hwaddr addr)
{
    uint32_t v = 0xdeadbeef;        /* poison: a read must store */

    address_space_read(address_space_memory_get(), addr, &v, 4);
    return v;
}

static char *qtree_lines(DeviceState *dev)
{
    GString *out = g_string_new(NULL);

    BUS_GET_CLASS(qdev_get_parent_bus(dev))->print_dev(out, dev, 2);
    return g_string_free(out, false);
}

/* --- tests ------------------------------------------------------------- */

static void test_default_bus(void)
{
    BusState *bus = sysbus_get_default();
    g_autofree char *path = object_get_canonical_path(OBJECT(bus));

    CU_ASSERT_PTR_EQUAL(sysbus_get_default(), bus);
    CU_ASSERT_STRING_EQUAL(path, "/machine/unattached/sysbus");
    CU_ASSERT_STRING_EQUAL(bus->name, "main-system-bus");
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(bus)), "System");
    CU_ASSERT_TRUE(bus->realized);
    CU_ASSERT_PTR_NULL(bus->parent);
}

static void test_class_defaults(void)
{
    ObjectClass *oc = object_class_by_name(TYPE_SYS_BUS_DEVICE);
    DeviceClass *dc = DEVICE_CLASS(object_class_by_name(TYPE_TEST_SYSBUS_DEV));

    CU_ASSERT_TRUE(object_class_is_abstract(oc));
    CU_ASSERT_STRING_EQUAL(dc->bus_type, "System");
    /* A board must wire sysbus devices: not for -device. */
    CU_ASSERT_FALSE(dc->user_creatable);
}

static void test_mmio_map(void)
{
    TestSysbusDev *s;
    SysBusDevice *sbd;
    g_autofree char *path = NULL;
    g_autofree char *lines = NULL;
    unsigned live;

    isa_fixture_begin(false);
    live = object_live_count();
    s = new_test_dev();
    sbd = SYS_BUS_DEVICE(s);
    path = object_get_canonical_path(OBJECT(s));
    CU_ASSERT_TRUE(g_str_has_prefix(path, "/machine/unattached/device["));
    CU_ASSERT_PTR_EQUAL(qdev_get_parent_bus(DEVICE(s)), sysbus_get_default());
    CU_ASSERT_EQUAL(sbd->num_mmio, 1);
    CU_ASSERT_PTR_EQUAL(sysbus_mmio_get_region(sbd, 0), &s->mmio);
    CU_ASSERT_FALSE(sysbus_is_mmio_mapped(sbd, 0));
    lines = qtree_lines(DEVICE(s));
    CU_ASSERT_STRING_EQUAL(lines,
                           "  mmio ffffffffffffffff/0000000000001000\n");

    sysbus_mmio_map(sbd, 0, 0xfed00000);
    CU_ASSERT_TRUE(sysbus_is_mmio_mapped(sbd, 0));
    CU_ASSERT_EQUAL(mem_read32(0xfed00010), 0x1010);
    g_free(lines);
    lines = qtree_lines(DEVICE(s));
    CU_ASSERT_STRING_EQUAL(lines,
                           "  mmio 00000000fed00000/0000000000001000\n");

    /* Moving it: the old place is empty. */
    sysbus_mmio_map(sbd, 0, 0xfee00000);
    CU_ASSERT_EQUAL(mem_read32(0xfee00004), 0x1004);
    CU_ASSERT_EQUAL(mem_read32(0xfed00010), 0);     /* a hole: QEMU's 0 */

    /* Destroying the device unmaps the window and frees it all. */
    object_unparent(OBJECT(s));
    CU_ASSERT_EQUAL(mem_read32(0xfee00004), 0);
    CU_ASSERT_EQUAL(object_live_count(), live);
    isa_fixture_end();
}

static void test_mmio_overlap(void)
{
    TestSysbusDev *a, *b;

    isa_fixture_begin(false);
    a = new_test_dev();
    b = new_test_dev();
    sysbus_mmio_map(SYS_BUS_DEVICE(a), 0, 0x10000);
    sysbus_mmio_map_overlap(SYS_BUS_DEVICE(b), 0, 0x10800, 1);
    address_space_write(address_space_memory_get(), 0x10900,
                        &(uint32_t){ 7 }, 4);
    CU_ASSERT_EQUAL(b->last_write, 7);         /* the higher priority */
    CU_ASSERT_EQUAL(a->last_write, 0);
    object_unparent(OBJECT(a));
    object_unparent(OBJECT(b));
    isa_fixture_end();
}

static void test_ioports(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_SYSBUS_DEV);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    sysbus_init_ioports(sbd, 0x3f8, 2);
    CU_ASSERT_EQUAL(sbd->num_pio, 2);
    CU_ASSERT_EQUAL(sbd->pio[0], 0x3f8);
    CU_ASSERT_EQUAL(sbd->pio[1], 0x3f9);
    object_unref(dev);
}

int main(int argc, char **argv)
{
    type_register_static(&test_sysbus_dev_info);
    isa_helper_main_init();

    harness_add("/sysbus/default-bus", test_default_bus);
    harness_add("/sysbus/class-defaults", test_class_defaults);
    harness_add("/sysbus/mmio/map", test_mmio_map);
    harness_add("/sysbus/mmio/overlap", test_mmio_overlap);
    harness_add("/sysbus/ioports", test_ioports);
    return harness_run(argc, argv);
}
