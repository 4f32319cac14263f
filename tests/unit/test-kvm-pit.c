/*
 * test-kvm-pit.c - the in-kernel PIT as a device (hw/i386/kvm-pit.c),
 * without KVM: properties with QEMU's names and messages, its ports in
 * the I/O space, the HPET-legacy GPIO input, unrealize.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/i386/ioapic.h"
#include "hw/core/qdev-properties.h"
#include "pci-helper.h"
#include "harness.h"

static DeviceState *new_pit(void)
{
    DeviceState *dev = qdev_new(TYPE_KVM_PIT);

    qdev_prop_set_uint32(dev, "iobase", PIT_IOBASE);
    return dev;
}

static void test_properties(void)
{
    DeviceState *dev = qdev_new(TYPE_KVM_PIT);
    Error *err = NULL;
    g_autofree char *policy = NULL;

    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(dev), "iobase",
                                             &error_abort), 0xffffffff);
    policy = object_property_get_str(OBJECT(dev), "lost_tick_policy",
                                     &error_abort);
    CU_ASSERT_STRING_EQUAL(policy, "delay");
    CU_ASSERT_TRUE(object_property_parse(OBJECT(dev), "lost_tick_policy",
                                         "discard", &error_abort));
    CU_ASSERT_FALSE(object_property_parse(OBJECT(dev), "lost_tick_policy",
                                          "bogus", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'lost_tick_policy' does not accept "
                           "value 'bogus'");
    error_free(err);
    CU_ASSERT_FALSE(DEVICE_GET_CLASS(dev)->user_creatable);
    object_unref(dev);
}

static void test_realize(void)
{
    DeviceState *dev;
    char *msg;

    pci_fixture_begin_pc();
    dev = new_pit();
    object_property_parse(OBJECT(dev), "lost_tick_policy", "slew",
                          &error_abort);
    msg = pci_fx_realize(dev, BUS(isa_bus_get()));
    CU_ASSERT_STRING_EQUAL(msg, "Lost tick policy not supported.");
    g_free(msg);

    dev = new_pit();
    CU_ASSERT_PTR_NULL(pci_fx_realize(dev, BUS(isa_bus_get())));
    CU_ASSERT_EQUAL(ISA_DEVICE(dev)->ioport_id, 0x40);
    CU_ASSERT_EQUAL(qdev_get_gpio_in_count(dev, NULL), 1);
    /* HPET legacy mode: recorded without KVM, and reset clears it */
    qemu_irq_lower(qdev_get_gpio_in(dev, 0));
    qbus_reset_all(BUS(isa_bus_get()));
    /* KVM answers the ports; the region refuses accesses, which read 0
     * as QEMU's refused accesses do (unassigned_mem_read) */
    CU_ASSERT_EQUAL(port_in(0x40, 1), 0);
    pci_fixture_end();
}

int main(int argc, char **argv)
{
    pci_helper_main_init();
    harness_add("/kvm-pit/properties", test_properties);
    harness_add("/kvm-pit/realize", test_realize);
    return harness_run(argc, argv);
}
