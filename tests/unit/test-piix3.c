/*
 * test-piix3.c - the PIIX3 PCI-to-ISA bridge (hw/isa/piix3.c): identity
 * and reset values, PIRQ routing of every slot's INTA-D
 * ((pin + slot - 1) & 3) to ISA IRQs with QEMU's level tracking (shared
 * lines, several PIRQs on one IRQ, re-routing while asserted, disabled
 * routes, INTx disable), the firmware-style setup, the ISA bus and its
 * IRQs, and the reset control register at 0xCF9.
 */
#include "util/osdep.h"
#include "system/runstate.h"
#include "util/bql.h"
#include "hw/core/qdev-properties.h"
#include "hw/pci/pci-info.h"
#include "pci-helper.h"
#include "harness.h"

/* --- a PCI function with a pin of our choice ("pin" property) ---------- */

#define TYPE_TEST_INTX_DEV "test-intx-dev"

typedef struct TestIntxDev {
    PCIDevice parent_obj;
    uint8_t pin;                /* "pin": 1-4 = INTA-D */
} TestIntxDev;

static bool test_intx_realize(PCIDevice *dev, Error **errp)
{
    TestIntxDev *s = (TestIntxDev *)dev;

    pci_config_set_interrupt_pin(dev->config, s->pin);
    return true;
}

static Property test_intx_props[] = {
    DEFINE_PROP_UINT8("pin", TestIntxDev, pin, 1),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_intx_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = test_intx_realize;
    k->vendor_id = 0x1234;
    k->device_id = 0x4321;
    k->class_id = PCI_CLASS_STORAGE_OTHER;
    device_class_set_props(DEVICE_CLASS(oc), test_intx_props);
}

static const TypeInfo test_intx_info = {
    .name = TYPE_TEST_INTX_DEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestIntxDev),
    .class_init = test_intx_class_init,
};

static PCIDevice *add(int slot, int pin)
{
    DeviceState *dev = qdev_new(TYPE_TEST_INTX_DEV);

    qdev_prop_set_int32(dev, "addr", PCI_DEVFN(slot, 0));
    qdev_prop_set_uint8(dev, "pin", pin);
    g_assert(!pci_fx_realize(dev, pci_fx.bus));
    return PCI_DEVICE(dev);
}

#define PIIX 1                  /* its slot */

static void route(int pirq, uint8_t irq)
{
    cfg_wr(PIIX, 0, 0x60 + pirq, irq, 1);
}

/* --- tests ---------------------------------------------------------------- */

static void test_identity(void)
{
    DeviceState *dev;
    BusState *isa;

    pci_fixture_begin_pc();
    dev = DEVICE(pci_fx.piix3);
    CU_ASSERT_EQUAL(pci_fx.piix3->dev.devfn, PCI_DEVFN(1, 0));
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x00, 4), 0x70008086);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x08, 4), 0x06010000);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x0e, 1), 0x80);      /* multifunction */
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x60, 4), 0x80808080);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x04, 4), 0x02000007);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x4c, 4), 0x0003004d);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x68, 4), 0x00000200);
    /* the ISA bus is its child bus */
    isa = BUS(isa_bus_get());
    CU_ASSERT_PTR_NOT_NULL_FATAL(isa);
    CU_ASSERT_PTR_EQUAL(isa->parent, dev);
    CU_ASSERT_TRUE(g_str_has_prefix(isa->name, "isa."));
    CU_ASSERT_PTR_EQUAL(qdev_get_child_bus(dev, isa->name), isa);
    CU_ASSERT_FALSE(DEVICE_GET_CLASS(dev)->user_creatable);
    CU_ASSERT_STRING_EQUAL(DEVICE_GET_CLASS(dev)->desc, "ISA bridge");
    {
        /* QEMU 7.2's `info pci` for -M pc,acpi=off, minus the IDE */
        GString *out = g_string_new(NULL);

        hmp_info_pci_text(out, NULL);
        CU_ASSERT_STRING_EQUAL(out->str,
            "  Bus  0, device   0, function 0:\n"
            "    Host bridge: PCI device 8086:1237\n"
            "      PCI subsystem 1af4:1100\n"
            "      id \"\"\n"
            "  Bus  0, device   1, function 0:\n"
            "    ISA bridge: PCI device 8086:7000\n"
            "      PCI subsystem 1af4:1100\n"
            "      id \"\"\n");
        g_string_free(out, true);
    }
    pci_fixture_end();
}

/* After a system reset (the bus walk): QEMU's values, and COMMAND 0 (the
 * generic PCI reset runs after the PIIX3's, as in QEMU). */
static void test_reset(void)
{
    PCIDevice *d;

    pci_fixture_begin_pc();
    d = add(3, 1);
    route(2, 11);
    cfg_wr(PIIX, 0, 0x80, 0x55, 1);
    pci_irq_assert(d);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    qbus_reset_all(BUS(pci_fx.bus));
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 0);
    CU_ASSERT_EQUAL(pci_fx.piix3->pic_levels, 0);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x60, 4), 0x80808080);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x80, 1), 0x00);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x04, 4), 0x02000000);
    pci_fixture_end();
}

/* (pin + slot - 1) & 3, checked through the routing of every slot/pin. */
static void test_swizzle(void)
{
    pci_fixture_begin_pc();
    route(0, 5);
    route(1, 6);
    route(2, 7);
    route(3, 9);
    for (int slot = 2; slot < 6; slot++) {
        for (int pin = 1; pin <= 4; pin++) {
            PCIDevice *d = add(slot, pin);
            static const int irq_of_pirq[4] = { 5, 6, 7, 9 };
            int want = irq_of_pirq[(pin - 1 + slot - 1) & 3];
            PCIINTxRoute r = pci_device_route_intx_to_irq(d, pin - 1);

            CU_ASSERT_EQUAL(piix3_pci_slot_get_pirq(slot, pin - 1),
                            (pin - 1 + slot - 1) & 3);
            CU_ASSERT_EQUAL(r.mode, PCI_INTX_ENABLED);
            CU_ASSERT_EQUAL(r.irq, want);
            pci_irq_assert(d);
            CU_ASSERT_EQUAL(pci_fx.gsi_level[want], 1);
            pci_irq_deassert(d);
            CU_ASSERT_EQUAL(pci_fx.gsi_level[want], 0);
            object_unparent(OBJECT(d));
        }
    }
    /* slot 1 INTA is PIRQA, slot 0 INTA PIRQD */
    CU_ASSERT_EQUAL(piix3_pci_slot_get_pirq(1, 0), 0);
    CU_ASSERT_EQUAL(piix3_pci_slot_get_pirq(0, 0), 3);
    pci_fixture_end();
}

/* Two devices on one PIRQ: the line stays up while either holds it. */
static void test_shared_line(void)
{
    PCIDevice *a, *b;

    pci_fixture_begin_pc();
    a = add(3, 1);                          /* PIRQC */
    b = add(7, 1);                          /* (0 + 6) & 3 = PIRQC too */
    route(2, 11);
    pci_irq_assert(a);
    pci_irq_assert(b);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    pci_irq_deassert(a);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    pci_irq_deassert(b);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 0);
    /* INTx disable drops the device's contribution */
    pci_irq_assert(a);
    cfg_wr(3, 0, 0x04, PCI_COMMAND_INTX_DISABLE, 2);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 0);
    cfg_wr(3, 0, 0x04, 0, 2);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    pci_irq_deassert(a);
    pci_fixture_end();
}

/* Two PIRQs routed to one ISA IRQ (SeaBIOS's 10, 10, 11, 11). */
static void test_pirqs_share_irq(void)
{
    PCIDevice *a, *b;

    pci_fixture_begin_pc();
    a = add(1 + 1, 1);                      /* slot 2 INTA: PIRQB */
    b = add(1 + 0 + 4, 1);                  /* slot 5 INTA: PIRQA */
    route(0, 10);
    route(1, 10);
    pci_irq_assert(a);
    pci_irq_assert(b);
    CU_ASSERT_EQUAL(pci_fx.piix3->pic_levels, 3ULL << (10 * 4));
    pci_irq_deassert(a);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[10], 1);
    pci_irq_deassert(b);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[10], 0);
    pci_fixture_end();
}

/* Changing a route while the line is up moves the level (QEMU's
 * piix3_update_irq_levels); a disabled route drives nothing. */
static void test_reroute(void)
{
    PCIDevice *d;
    PCIINTxRoute r;

    pci_fixture_begin_pc();
    d = add(3, 1);                          /* PIRQC */
    pci_irq_assert(d);                      /* route disabled: nothing */
    for (int i = 0; i < 16; i++) {
        CU_ASSERT_EQUAL(pci_fx.gsi_level[i], 0);
    }
    r = pci_device_route_intx_to_irq(d, 0);
    CU_ASSERT_EQUAL(r.mode, PCI_INTX_DISABLED);
    CU_ASSERT_EQUAL(r.irq, -1);
    route(2, 10);                           /* enabling delivers it */
    CU_ASSERT_EQUAL(pci_fx.gsi_level[10], 1);
    route(2, 11);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[10], 0);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    route(2, 0x8b);                         /* bit 7: disabled */
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 0);
    CU_ASSERT_EQUAL(pci_fx.piix3->pic_levels, 0);
    route(2, 0x0b);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    /* a dword write to 0x60 routes all four at once */
    cfg_wr(PIIX, 0, 0x60, 0x05808080, 4);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 0);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[5], 0);
    cfg_wr(PIIX, 0, 0x60, 0x80058080, 4);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[5], 1);
    pci_irq_deassert(d);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[5], 0);
    pci_fixture_end();
}

static void test_bios_setup(void)
{
    static const uint8_t irqs[4] = PIIX3_BIOS_PIRQ_IRQS;
    PCIDevice *a, *b, *c, *nopin;

    pci_fixture_begin_pc();
    a = add(2, 1);                          /* PIRQB -> 10 */
    b = add(3, 1);                          /* PIRQC -> 11 */
    c = add(4, 2);                          /* (1 + 3) & 3 = PIRQA -> 10 */
    nopin = add(5, 0);
    piix3_bios_setup_irqs(pci_fx.piix3, irqs);
    CU_ASSERT_EQUAL(cfg_rd(PIIX, 0, 0x60, 4), 0x0b0b0a0a);
    CU_ASSERT_EQUAL(a->config[PCI_INTERRUPT_LINE], 10);
    CU_ASSERT_EQUAL(b->config[PCI_INTERRUPT_LINE], 11);
    CU_ASSERT_EQUAL(c->config[PCI_INTERRUPT_LINE], 10);
    CU_ASSERT_EQUAL(nopin->config[PCI_INTERRUPT_LINE], 0);
    pci_irq_assert(b);
    CU_ASSERT_EQUAL(pci_fx.gsi_level[11], 1);
    pci_irq_deassert(b);
    pci_fixture_end();
}

/* ISA devices get their IRQs from the lines the board gave the bus. */
static void test_isa_irqs(void)
{
    pci_fixture_begin_pc();
    CU_ASSERT_PTR_EQUAL(isa_get_irq(NULL, 4), pci_fx.gsi[4]);
    qemu_irq_raise(isa_get_irq(NULL, 4));
    CU_ASSERT_EQUAL(pci_fx.gsi_level[4], 1);
    qemu_irq_lower(isa_get_irq(NULL, 4));
    pci_fixture_end();
}

/* 0xCF9: bit 1 kept, bit 2 resets (with -no-reboot: shuts down). */
static void test_reset_control(void)
{
    bool shutdown;

    pci_fixture_begin_pc();
    CU_ASSERT_EQUAL(port_in(0xcf9, 1), 0);
    port_out(0xcf9, 0x02, 1);
    CU_ASSERT_EQUAL(port_in(0xcf9, 1), 0x02);
    port_out(0xcf9, 0xf9, 1);
    CU_ASSERT_EQUAL(port_in(0xcf9, 1), 0x00);
    /* 0xCF8 still takes dwords: the overlap is only 0xCF9 */
    port_out(0xcf8, 0x80000800, 4);
    CU_ASSERT_EQUAL(port_in(0xcf8, 4), 0x80000800);
    CU_ASSERT_EQUAL(port_in(0xcfc, 4), 0x70008086);
    CU_ASSERT_EQUAL(port_in(0xcf9, 1), 0x00);
    bql_lock();
    CU_ASSERT_FALSE(main_loop_should_exit());
    bql_unlock();

    qomu_set_no_reboot(true);
    port_out(0xcf9, 0x06, 1);
    bql_lock();
    shutdown = main_loop_should_exit();
    bql_unlock();
    CU_ASSERT_TRUE(shutdown);
    runstate_reset_for_test();
    pci_fixture_end();
}

int main(int argc, char **argv)
{
    pci_helper_main_init();
    type_register_static(&test_intx_info);
    harness_add("/piix3/identity", test_identity);
    harness_add("/piix3/reset", test_reset);
    harness_add("/piix3/pirq/swizzle", test_swizzle);
    harness_add("/piix3/pirq/shared-line", test_shared_line);
    harness_add("/piix3/pirq/pirqs-share-irq", test_pirqs_share_irq);
    harness_add("/piix3/pirq/reroute", test_reroute);
    harness_add("/piix3/pirq/bios-setup", test_bios_setup);
    harness_add("/piix3/isa-irqs", test_isa_irqs);
    harness_add("/piix3/reset-control", test_reset_control);
    return harness_run(argc, argv);
}
