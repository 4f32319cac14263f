/*
 * test-port92.c - "port92" (hw/i386/port92.c): reads return what was
 * written, bit 1 drives the "a20" output, a rising bit 0 asks for a
 * system reset (a shutdown with -no-reboot), a device reset clears bit 0.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "legacy-helper.h"
#include "harness.h"

static int a20_level = -1;

static void a20_handler(void *opaque, int n, int level)
{
    a20_level = level;
}

static void test_class(void)
{
    ObjectClass *oc = object_class_by_name("port92");
    Object *obj = object_new("port92");

    CU_ASSERT_FALSE(DEVICE_CLASS(oc)->user_creatable);
    CU_ASSERT_STRING_EQUAL(DEVICE_CLASS(oc)->bus_type, "ISA");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "a20[0]",
                                                    &error_abort),
                           "link<irq>");
    object_unref(obj);
}

static void test_port(void)
{
    qemu_irq a20 = qemu_allocate_irq(a20_handler, NULL, 0);
    DeviceState *dev;

    legacy_fixture_begin();
    object_property_add_child(legacy_irq_container(), "a20", OBJECT(a20));
    dev = qdev_new("port92");
    qdev_connect_gpio_out_named(dev, "a20", 0, a20);
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    qomu_set_no_reboot(true);

    CU_ASSERT_EQUAL(port_read(0x92, 1), 0x00);
    port_write(0x92, 0x02, 1);                  /* A20 on */
    CU_ASSERT_EQUAL(a20_level, 1);
    CU_ASSERT_EQUAL(port_read(0x92, 1), 0x02);
    CU_ASSERT_FALSE(legacy_take_requests());
    port_write(0x92, 0x00, 1);
    CU_ASSERT_EQUAL(a20_level, 0);

    /* Fast reset: on the rising edge of bit 0 only. */
    port_write(0x92, 0x03, 1);
    CU_ASSERT_TRUE(legacy_take_requests());
    port_write(0x92, 0x03, 1);
    CU_ASSERT_FALSE(legacy_take_requests());
    CU_ASSERT_EQUAL(port_read(0x92, 1), 0x03);
    /* A device reset clears bit 0 (and keeps the rest). */
    qbus_reset_all(BUS(isa_fx.bus));
    CU_ASSERT_EQUAL(port_read(0x92, 1), 0x02);
    port_write(0x92, 0x03, 1);
    CU_ASSERT_TRUE(legacy_take_requests());
    /* One port only: 0x93 is not it. */
    CU_ASSERT_EQUAL(port_read(0x93, 1), 0xff);

    /* Without -no-reboot the request is a system reset. */
    qomu_set_no_reboot(false);
    port_write(0x92, 0x00, 1);
    port_write(0x92, 0x01, 1);
    CU_ASSERT_FALSE(legacy_take_requests());
    legacy_fixture_end();
    object_unparent(OBJECT(a20));
    qemu_free_irq(a20);
}

int main(int argc, char **argv)
{
    legacy_helper_main_init();
    harness_add("/port92/class", test_class);
    harness_add("/port92/port", test_port);
    return harness_run(argc, argv);
}
