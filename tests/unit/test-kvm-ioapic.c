/*
 * test-kvm-ioapic.c - the machine's GSI inputs (hw/i386/kvm-ioapic.c):
 * ioapic_init_gsi's placement and wiring, 24 level-holding inputs that
 * tests (and a qtest "irq_intercept_in ioapic") can observe, the MMIO
 * window, and the routing call without KVM.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/i386/ioapic.h"
#include "pci-helper.h"
#include "harness.h"

static int seen_n = -1, seen_level = -1, seen_calls;

static void observe(void *opaque, int n, int level)
{
    seen_n = n;
    seen_level = level;
    seen_calls++;
}

static void test_gsi_inputs(void)
{
    Object *parent = object_new(TYPE_CONTAINER);
    qemu_irq gsi[IOAPIC_NUM_PINS];
    DeviceState *dev;
    GString *out = g_string_new(NULL);

    pci_fixture_begin();            /* the system memory to map into */
    object_property_add_child(qdev_get_machine(), "testchip", parent);
    object_unref(parent);
    dev = ioapic_init_gsi(gsi, parent, &error_abort);
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/machine/testchip/ioapic",
                                            NULL), OBJECT(dev));
    /* a partial path finds it, as qtest's "irq_intercept_in ioapic" */
    CU_ASSERT_PTR_EQUAL(object_resolve_path("ioapic", NULL), OBJECT(dev));
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(dev)), "kvm-ioapic");
    CU_ASSERT_EQUAL(qdev_get_gpio_in_count(dev, NULL), 24);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        CU_ASSERT_PTR_EQUAL(gsi[i], qdev_get_gpio_in(dev, i));
    }
    CU_ASSERT_TRUE(sysbus_is_mmio_mapped(SYS_BUS_DEVICE(dev), 0));
    CU_ASSERT_EQUAL(SYS_BUS_DEVICE(dev)->mmio[0].addr, 0xfec00000);
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(dev), "gsi_base",
                                             &error_abort), 0);

    /* levels are held and observable (ISA IRQ 14 = GSI 14) */
    CU_ASSERT_EQUAL(qdev_intercept_gpio_in(dev, NULL, observe, NULL), 24);
    qemu_irq_raise(gsi[14]);
    CU_ASSERT_EQUAL(seen_n, 14);
    CU_ASSERT_EQUAL(seen_level, 1);
    CU_ASSERT_EQUAL(gsi[14]->level, 1);
    qemu_irq_raise(gsi[14]);
    CU_ASSERT_EQUAL(seen_calls, 2);         /* the observer sees each call */
    qemu_irq_lower(gsi[14]);
    CU_ASSERT_EQUAL(gsi[14]->level, 0);
    CU_ASSERT_EQUAL(gsi[11]->level, 0);

    qdev_print_gpios(out, dev, 4);
    CU_ASSERT_STRING_EQUAL(out->str, "    gpio-in \"\" 24\n");
    g_string_free(out, true);
    CU_ASSERT_FALSE(DEVICE_GET_CLASS(dev)->user_creatable);
    object_unparent(parent);
    pci_fixture_end();
}

static void test_routing_without_kvm(void)
{
    CU_ASSERT_EQUAL(kvm_pc_setup_irq_routing(true), 0);
    CU_ASSERT_EQUAL(kvm_pc_set_elcr(0x0c00), 0);
}

int main(int argc, char **argv)
{
    pci_helper_main_init();
    harness_add("/kvm-ioapic/gsi-inputs", test_gsi_inputs);
    harness_add("/kvm-ioapic/routing-without-kvm", test_routing_without_kvm);
    return harness_run(argc, argv);
}
