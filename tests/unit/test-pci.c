/*
 * test-pci.c - the PCI core (hw/pci/pci.c, pci-bus.c, pci-host.c,
 * pci-info.c): identity and write masks, write-1-to-clear, BAR sizing
 * and mapping (I/O, 32- and 64-bit memory, ROM) under COMMAND's decode
 * bits and QEMU's address rules, capabilities, INTx counting, the "addr"
 * property and slot placement with QEMU's messages, configuration
 * mechanism #1, `info qtree`/`info pci`/query-pci, bus-master DMA.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-user.h"
#include "hw/pci/pci-info.h"
#include "pci-helper.h"
#include "harness.h"

/* --- a throwaway host bridge on the fixture's spaces ------------------- */

#define TYPE_TEST_PCI_HOST "test-pci-host"

static bool test_host_realize(DeviceState *dev, Error **errp)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);

    memory_region_init_io(&s->conf_mem, OBJECT(dev), &pci_host_conf_le_ops,
                          s, "pci-conf-idx", 4);
    memory_region_init_io(&s->data_mem, OBJECT(dev), &pci_host_data_le_ops,
                          s, "pci-conf-data", 4);
    memory_region_add_subregion(s->bus->address_space_io, 0xcf8,
                                &s->conf_mem);
    memory_region_add_subregion(s->bus->address_space_io, 0xcfc,
                                &s->data_mem);
    return true;
}

static void test_host_unrealize(DeviceState *dev)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);

    memory_region_del_subregion(s->bus->address_space_io, &s->conf_mem);
    memory_region_del_subregion(s->bus->address_space_io, &s->data_mem);
}

static void test_host_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->realize = test_host_realize;
    DEVICE_CLASS(oc)->unrealize = test_host_unrealize;
}

static const TypeInfo test_host_info = {
    .name = TYPE_TEST_PCI_HOST,
    .parent = TYPE_PCI_HOST_BRIDGE,
    .class_init = test_host_class_init,
};

/* --- a throwaway PCI function: 4 BARs, INTA, a scratch register -------- */

#define TYPE_TEST_PCI_DEV "test-pci-dev"
OBJECT_DECLARE_SIMPLE_TYPE(TestPciDev, TEST_PCI_DEV)

struct TestPciDev {
    PCIDevice parent_obj;
    MemoryRegion io, mmio, mmio64, rom;
    uint32_t last_io_write;
};

static uint64_t test_bar_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xab000000u | (uint32_t)addr;
}

static void test_bar_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    TEST_PCI_DEV(opaque)->last_io_write = val;
}

static const MemoryRegionOps test_bar_ops = {
    .read = test_bar_read,
    .write = test_bar_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

static bool test_pci_realize(PCIDevice *dev, Error **errp)
{
    TestPciDev *s = TEST_PCI_DEV(dev);

    memory_region_init_io(&s->io, OBJECT(dev), &test_bar_ops, s, "tio",
                          0x40);
    memory_region_init_io(&s->mmio, OBJECT(dev), &test_bar_ops, s, "tmmio",
                          0x1000);
    memory_region_init_io(&s->mmio64, OBJECT(dev), &test_bar_ops, s,
                          "tmmio64", 0x100000);
    memory_region_init_io(&s->rom, OBJECT(dev), &test_bar_ops, s, "trom",
                          0x10000);
    pci_register_bar(dev, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    pci_register_bar(dev, 1, PCI_BASE_ADDRESS_MEM_TYPE_32, &s->mmio);
    pci_register_bar(dev, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &s->mmio64);
    pci_register_bar(dev, PCI_ROM_SLOT, 0, &s->rom);
    pci_config_set_interrupt_pin(dev->config, 1);
    return true;
}

static void test_pci_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = test_pci_realize;
    k->vendor_id = 0x1234;
    k->device_id = 0x5678;
    k->revision = 0x03;
    k->class_id = PCI_CLASS_NETWORK_ETHERNET;
}

static const TypeInfo test_pci_dev_info = {
    .name = TYPE_TEST_PCI_DEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPciDev),
    .class_init = test_pci_class_init,
};

/* A plain function: no BARs, no pin, a subsystem id of its own. */
#define TYPE_TEST_PCI_PLAIN "test-pci-plain"

static void test_plain_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->vendor_id = 0x1234;
    k->device_id = 0x0001;
    k->class_id = 0x1234;               /* no description: "Class 1234" */
    k->subsystem_vendor_id = 0xaaaa;
    k->subsystem_id = 0xbbbb;
}

static const TypeInfo test_pci_plain_info = {
    .name = TYPE_TEST_PCI_PLAIN,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .class_init = test_plain_class_init,
};

/* --- fixture: the test host and its bus, INTx lines recorded ---------- */

static PCIBus *bus;
static int line_level[4], line_calls;

static void test_set_irq(void *opaque, int irq_num, int level)
{
    line_level[irq_num] = level;
    line_calls++;
}

/* Every pin of every device on line (slot + pin) & 3. */
static int test_map_irq(PCIDevice *d, int pin)
{
    return (PCI_SLOT(d->devfn) + pin) & 3;
}

static void begin(void)
{
    DeviceState *host = qdev_new(TYPE_TEST_PCI_HOST);

    pci_fixture_begin();
    bus = pci_root_bus_new(host, "pci.test", &pci_fx.sysmem, &pci_fx.sysio,
                           0, TYPE_PCI_BUS);
    PCI_HOST_BRIDGE(host)->bus = bus;
    object_property_add_child(qdev_get_machine(), "testhost", OBJECT(host));
    sysbus_realize_and_unref(SYS_BUS_DEVICE(host), &error_abort);
    pci_bus_irqs(bus, test_set_irq, test_map_irq, NULL, 4);
    memset(line_level, 0, sizeof(line_level));
    line_calls = 0;
}

static void end(void)
{
    object_unparent(object_resolve_path("/machine/testhost", NULL));
    bus = NULL;
    pci_fixture_end();
}

static PCIDevice *add(const char *type, const char *addr)
{
    DeviceState *dev = qdev_new(type);

    if (addr) {
        object_property_parse_keyval(OBJECT(dev), "addr", addr, &error_abort);
    }
    g_assert(!pci_fx_realize(dev, bus));
    return PCI_DEVICE(dev);
}

/* --- config space ------------------------------------------------------- */

static void test_identity(void)
{
    PCIDevice *d, *p;

    begin();
    d = add(TYPE_TEST_PCI_DEV, "3");
    p = add(TYPE_TEST_PCI_PLAIN, "4");
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x00, 4), 0x56781234);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x08, 4), 0x02000003);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x2c, 4), 0x11001af4);   /* QEMU's default */
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x2c, 4), 0xbbbbaaaa);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x0e, 1), 0x00);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x3d, 1), 1);            /* INTA */
    CU_ASSERT_EQUAL(d->devfn, PCI_DEVFN(3, 0));
    CU_ASSERT_STRING_EQUAL(p->name, TYPE_TEST_PCI_PLAIN);
    /* QEMU's static properties and defaults (bits 8 and 9 read true) */
    CU_ASSERT_TRUE(object_property_get_bool(OBJECT(d), "x-pcie-extcap-init",
                                            &error_abort));
    CU_ASSERT_TRUE(object_property_get_bool(OBJECT(d), "x-pcie-lnksta-dllla",
                                            &error_abort));
    CU_ASSERT_FALSE(object_property_get_bool(OBJECT(d), "multifunction",
                                             &error_abort));
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(d), "rombar",
                                             &error_abort), 1);
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(d), "romsize",
                                             &error_abort), 0xffffffff);
    end();
}

static void test_wmask(void)
{
    begin();
    add(TYPE_TEST_PCI_DEV, "3");
    cfg_wr(3, 0, 0x04, 0xffff, 2);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x04, 2), 0x0507);
    cfg_wr(3, 0, 0x04, 0, 2);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x04, 2), 0);
    cfg_wr(3, 0, 0x00, 0xffffffff, 4);                    /* read-only */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x00, 4), 0x56781234);
    cfg_wr(3, 0, 0x08, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x08, 4), 0x02000003);
    cfg_wr(3, 0, 0x3c, 0xffff, 2);        /* line writable, pin not */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x3c, 2), 0x01ff);
    cfg_wr(3, 0, 0x0c, 0x12345678, 4);    /* cache line size only */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x0c, 4), 0x00000078);
    cfg_wr(3, 0, 0x80, 0xdeadbeef, 4);    /* device-specific: writable */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x80, 4), 0xdeadbeef);
    cfg_wr(3, 0, 0x81, 0x55, 1);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x80, 4), 0xdead55ef);
    end();
}

static void test_w1c(void)
{
    PCIDevice *d;

    begin();
    d = add(TYPE_TEST_PCI_DEV, "3");
    /* Error bits set by the "hardware", plus CAP_LIST (read-only). */
    pci_set_word(d->config + PCI_STATUS, 0xf900 | PCI_STATUS_CAP_LIST);
    cfg_wr(3, 0, 0x06, 0x0000, 2);                        /* 0s: no effect */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x06, 2), 0xf910);
    cfg_wr(3, 0, 0x06, 0x2100, 2);                        /* clear two */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x06, 2), 0xd810);
    cfg_wr(3, 0, 0x06, 0xffff, 2);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x06, 2), 0x0010);
    /* A dword write to COMMAND also hits STATUS's W1C bits. */
    pci_set_word(d->config + PCI_STATUS, 0x8000);
    cfg_wr(3, 0, 0x04, 0x80000003, 4);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x04, 4), 0x00000003);
    end();
}

/* --- BARs --------------------------------------------------------------- */

static void test_bar_sizing(void)
{
    begin();
    add(TYPE_TEST_PCI_DEV, "3");
    /* Type bits as registered, address 0. */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x10, 4), 0x00000001);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x14, 4), 0x00000000);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x18, 4), 0x0000000c);
    for (int reg = 0x10; reg <= 0x30; reg += 4) {
        cfg_wr(3, 0, reg, 0xffffffff, 4);
    }
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x10, 4), 0xffffffc1);   /* I/O, 64 */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x14, 4), 0xfffff000);   /* mem32, 4K */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x18, 4), 0xfff0000c);   /* mem64, 1M */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x1c, 4), 0xffffffff);   /* its high half */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x20, 4), 0);            /* none */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x24, 4), 0);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x30, 4), 0xffff0001);   /* ROM 64K + EN */
    end();
}

static void test_bar_decode(void)
{
    TestPciDev *s;

    begin();
    s = TEST_PCI_DEV(add(TYPE_TEST_PCI_DEV, "3"));
    cfg_wr(3, 0, 0x10, 0xc000, 4);
    cfg_wr(3, 0, 0x14, 0xfebf0000, 4);
    cfg_wr(3, 0, 0x18, 0x00000000, 4);
    cfg_wr(3, 0, 0x1c, 0x00000001, 4);                    /* 4 GiB */
    CU_ASSERT_EQUAL(port_in(0xc004, 4), 0xffffffff);      /* decode off */
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), 0), PCI_BAR_UNMAPPED);

    cfg_wr(3, 0, 0x04, PCI_COMMAND_IO, 2);
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), 0), 0xc000);
    CU_ASSERT_EQUAL(port_in(0xc004, 4), 0xab000004);
    port_out(0xc010, 0x77, 1);
    CU_ASSERT_EQUAL(s->last_io_write, 0x77);
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), 1), PCI_BAR_UNMAPPED);

    cfg_wr(3, 0, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), 1), 0xfebf0000);
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), 2), 0x100000000ULL);
    {
        uint32_t v = 0;

        address_space_read(&pci_fx.as_mem, 0xfebf0010, &v, 4);
        CU_ASSERT_EQUAL(v, 0xab000010);
        address_space_read(&pci_fx.as_mem, 0x100000020ULL, &v, 4);
        CU_ASSERT_EQUAL(v, 0xab000020);
    }
    /* Moving a BAR while decoding moves the mapping. */
    cfg_wr(3, 0, 0x10, 0xd000, 4);
    CU_ASSERT_EQUAL(port_in(0xc004, 4), 0xffffffff);
    CU_ASSERT_EQUAL(port_in(0xd004, 4), 0xab000004);
    /* The ROM needs its enable bit as well. */
    cfg_wr(3, 0, 0x30, 0xfeb00000, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), PCI_ROM_SLOT),
                    PCI_BAR_UNMAPPED);
    cfg_wr(3, 0, 0x30, 0xfeb00001, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), PCI_ROM_SLOT),
                    0xfeb00000);
    /* Decode off again: everything goes. */
    cfg_wr(3, 0, 0x04, 0, 2);
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        if (PCI_DEVICE(s)->io_regions[i].size) {
            CU_ASSERT_EQUAL(pci_get_bar_addr(PCI_DEVICE(s), i),
                            PCI_BAR_UNMAPPED);
        }
    }
    CU_ASSERT_EQUAL(port_in(0xd004, 4), 0xffffffff);
    end();
}

/* QEMU's pci_bar_address: what stays unmapped whatever COMMAND says. */
static void test_bar_invalid(void)
{
    PCIDevice *d;

    begin();
    d = add(TYPE_TEST_PCI_DEV, "3");
    cfg_wr(3, 0, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    /* address 0 */
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 0), PCI_BAR_UNMAPPED);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 1), PCI_BAR_UNMAPPED);
    /* a 32-bit BAR touching 4 GiB */
    cfg_wr(3, 0, 0x14, 0xfffff000, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 1), PCI_BAR_UNMAPPED);
    cfg_wr(3, 0, 0x14, 0xffffe000, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 1), 0xffffe000);
    /* an I/O BAR beyond the 64 KiB port space: mapped (QEMU), unreachable */
    cfg_wr(3, 0, 0x10, 0x12340, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 0), 0x12340);
    CU_ASSERT_EQUAL(port_in(0x2340, 4), 0xffffffff);
    /* an I/O BAR at the top of the 32-bit range */
    cfg_wr(3, 0, 0x10, 0xffffffc0, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 0), PCI_BAR_UNMAPPED);
    /* a 64-bit BAR ending at 2^64 - 1 */
    cfg_wr(3, 0, 0x18, 0xfff00000, 4);
    cfg_wr(3, 0, 0x1c, 0xffffffff, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 2), PCI_BAR_UNMAPPED);
    cfg_wr(3, 0, 0x18, 0xffe00000, 4);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 2), 0xffffffffffe00000ULL);
    /* the low bits of an address are not in the mask */
    cfg_wr(3, 0, 0x14, 0x12345fff, 4);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x14, 4), 0x12345000);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 1), 0x12345000);
    end();
}

static void test_bar_reset(void)
{
    PCIDevice *d;

    begin();
    d = add(TYPE_TEST_PCI_DEV, "3");
    cfg_wr(3, 0, 0x10, 0xc000, 4);
    cfg_wr(3, 0, 0x3c, 11, 1);
    cfg_wr(3, 0, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 0), 0xc000);
    qbus_reset_all(BUS(bus));
    CU_ASSERT_EQUAL(pci_get_bar_addr(d, 0), PCI_BAR_UNMAPPED);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x10, 4), 0x00000001);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x04, 2), 0);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x3c, 2), 0x0100);      /* line 0, pin A */
    CU_ASSERT_EQUAL(port_in(0xc004, 4), 0xffffffff);
    end();
}

/* --- capabilities ------------------------------------------------------- */

static void test_capabilities(void)
{
    PCIDevice *d;
    Error *err = NULL;

    begin();
    d = add(TYPE_TEST_PCI_PLAIN, "4");
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x06, 2) & PCI_STATUS_CAP_LIST, 0);
    CU_ASSERT_EQUAL(pci_add_capability(d, PCI_CAP_ID_PM, 0, 8,
                                       &error_abort), 0x40);
    CU_ASSERT_EQUAL(pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 5,
                                       &error_abort), 0x48);
    CU_ASSERT_EQUAL(pci_add_capability(d, PCI_CAP_ID_MSI, 0x60, 10,
                                       &error_abort), 0x60);
    /* newest first */
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x34, 1), 0x60);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x60, 2), 0x4805);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x48, 2), 0x4009);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x40, 2), 0x0001);
    CU_ASSERT_NOT_EQUAL(cfg_rd(4, 0, 0x06, 2) & PCI_STATUS_CAP_LIST, 0);
    CU_ASSERT_EQUAL(pci_find_capability(d, PCI_CAP_ID_VNDR), 0x48);
    CU_ASSERT_EQUAL(pci_find_capability(d, PCI_CAP_ID_EXP), 0);
    /* read-only to the guest */
    cfg_wr(4, 0, 0x40, 0xffffffff, 4);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x40, 4), 0x00000001);
    /* overlap: QEMU's message */
    CU_ASSERT_EQUAL(pci_add_capability(d, PCI_CAP_ID_MSIX, 0x44, 8, &err),
                    -EINVAL);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "pci.test:00:04.0 Attempt to add PCI capability 11"
                           " at offset 44 overlaps existing capability 40 at "
                           "offset 44");
    error_free(err);
    /* delete from the middle */
    pci_del_capability(d, PCI_CAP_ID_VNDR, 5);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x61, 1), 0x40);
    CU_ASSERT_EQUAL(pci_find_capability(d, PCI_CAP_ID_VNDR), 0);
    CU_ASSERT_EQUAL(pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 4,
                                       &error_abort), 0x48);
    pci_del_capability(d, PCI_CAP_ID_VNDR, 4);
    pci_del_capability(d, PCI_CAP_ID_MSI, 10);
    pci_del_capability(d, PCI_CAP_ID_PM, 8);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x34, 1), 0);
    CU_ASSERT_EQUAL(cfg_rd(4, 0, 0x06, 2) & PCI_STATUS_CAP_LIST, 0);
    end();
}

/* --- INTx ----------------------------------------------------------------- */

static void test_intx_counting(void)
{
    PCIDevice *a, *b;

    begin();
    a = add(TYPE_TEST_PCI_DEV, "3");        /* INTA -> line 3 */
    b = add(TYPE_TEST_PCI_DEV, "7");        /* INTA -> line 3 too */
    pci_irq_assert(a);
    CU_ASSERT_EQUAL(line_level[3], 1);
    CU_ASSERT_NOT_EQUAL(cfg_rd(3, 0, 0x06, 2) & PCI_STATUS_INTERRUPT, 0);
    pci_irq_assert(b);
    pci_irq_assert(b);                      /* no change, not counted */
    CU_ASSERT_EQUAL(pci_bus_get_irq_level(bus, 3), 1);
    CU_ASSERT_EQUAL(bus->irq_count[3], 2);
    pci_irq_deassert(a);
    CU_ASSERT_EQUAL(line_level[3], 1);      /* b still holds it */
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x06, 2) & PCI_STATUS_INTERRUPT, 0);
    /* INTX_DISABLE takes b's pin off the line, and puts it back */
    cfg_wr(7, 0, 0x04, PCI_COMMAND_INTX_DISABLE, 2);
    CU_ASSERT_EQUAL(line_level[3], 0);
    CU_ASSERT_NOT_EQUAL(cfg_rd(7, 0, 0x06, 2) & PCI_STATUS_INTERRUPT, 0);
    cfg_wr(7, 0, 0x04, 0, 2);
    CU_ASSERT_EQUAL(line_level[3], 1);
    pci_irq_deassert(b);
    CU_ASSERT_EQUAL(line_level[3], 0);
    CU_ASSERT_EQUAL(bus->irq_count[3], 0);
    /* A qemu_irq for the pin works the same. */
    {
        qemu_irq irq = pci_allocate_irq(a);

        qemu_irq_raise(irq);
        CU_ASSERT_EQUAL(line_level[3], 1);
        qemu_irq_lower(irq);
        CU_ASSERT_EQUAL(line_level[3], 0);
        qemu_free_irq(irq);
    }
    /* Reset deasserts (the bus asserts no count is left). */
    pci_irq_assert(a);
    qbus_reset_all(BUS(bus));
    CU_ASSERT_EQUAL(line_level[3], 0);
    /* Unrealize too. */
    pci_irq_assert(b);
    object_unparent(OBJECT(b));
    CU_ASSERT_EQUAL(line_level[3], 0);
    end();
}

/* --- the "addr" property and placement ------------------------------------ */

static char *set_addr(const char *text, int32_t *out)
{
    DeviceState *dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    Error *err = NULL;
    char *msg = NULL;

    if (!object_property_parse_keyval(OBJECT(dev), "addr", text, &err)) {
        msg = g_strdup(error_get_pretty(err));
        error_free(err);
    }
    *out = PCI_DEVICE(dev)->devfn;
    object_unref(dev);
    return msg;
}

static void test_devfn_parse(void)
{
    static const struct { const char *text; int32_t devfn; } good[] = {
        { "0x4", 0x20 }, { "04.1", 0x21 }, { "4", 0x20 }, { "1f.7", 0xff },
        { "0x1f.7", 0xff }, { "a", 0x50 }, { "00.0", 0 },
    };
    static const char *const bad[] = {
        "zz", "3.8", "32", "-1", "4.1x", "", "4.", ".1", "0x20",
    };
    int32_t devfn;

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        CU_ASSERT_PTR_NULL(set_addr(good[i].text, &devfn));
        CU_ASSERT_EQUAL(devfn, good[i].devfn);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *msg = set_addr(bad[i], &devfn);
        g_autofree char *want = g_strdup_printf(
            "Property 'test-pci-plain.addr' doesn't take value '%s'", bad[i]);

        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_STRING_EQUAL(msg, want);
        CU_ASSERT_EQUAL(devfn, -1);
    }
}

static void test_devfn_int(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    Error *err = NULL;
    g_autofree char *shown = NULL;

    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(dev), "addr",
                                            &error_abort), -1);
    shown = object_property_print(OBJECT(dev), "addr", true, &error_abort);
    CU_ASSERT_STRING_EQUAL(shown, "<unset>");
    g_clear_pointer(&shown, g_free);
    /* an integer is the raw devfn (QMP's "addr": 25) */
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(dev), "addr", 25,
                                           &error_abort));
    shown = object_property_print(OBJECT(dev), "addr", true, &error_abort);
    CU_ASSERT_STRING_EQUAL(shown, "03.1");
    CU_ASSERT_FALSE(object_property_set_int(OBJECT(dev), "addr", 256, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'addr' expects a value between -1 and "
                           "255");
    error_free(err);
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(dev), "addr", -1,
                                           &error_abort));
    object_unref(dev);
}

/* QEMU 7.2: -device e1000,addr=0x0 on a pc gives exactly this. */
static void test_slot_taken(void)
{
    DeviceState *dev;
    char *msg;

    begin();
    add(TYPE_TEST_PCI_DEV, "0");
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "addr", "0x0", &error_abort);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "PCI: slot 0 function 0 not available for "
                           "test-pci-plain, in use by test-pci-dev,"
                           "id=(null)");
    g_free(msg);
    /* with an id */
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    qdev_set_id(dev, g_strdup("p1"), &error_abort);
    object_property_parse_keyval(OBJECT(dev), "addr", "5", &error_abort);
    g_assert(!pci_fx_realize(dev, bus));
    dev = qdev_new(TYPE_TEST_PCI_DEV);
    object_property_parse_keyval(OBJECT(dev), "addr", "05.0", &error_abort);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "PCI: slot 5 function 0 not available for "
                           "test-pci-dev, in use by test-pci-plain,id=p1");
    g_free(msg);
    object_unparent(object_resolve_path("/machine/peripheral/p1", NULL));
    /* a reserved slot */
    bus->slot_reserved_mask = 1u << 9;
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "addr", "9", &error_abort);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "PCI: slot 9 function 0 not available for "
                           "test-pci-plain, reserved");
    g_free(msg);
    end();
}

static void test_slot_auto(void)
{
    PCIDevice *a, *b;
    DeviceState *dev;
    char *msg;

    begin();
    add(TYPE_TEST_PCI_PLAIN, "0");
    add(TYPE_TEST_PCI_PLAIN, "2");
    bus->slot_reserved_mask = 1u << 1;
    a = add(TYPE_TEST_PCI_PLAIN, NULL);
    b = add(TYPE_TEST_PCI_PLAIN, NULL);
    CU_ASSERT_EQUAL(a->devfn, PCI_DEVFN(3, 0));
    CU_ASSERT_EQUAL(b->devfn, PCI_DEVFN(4, 0));
    for (int slot = 5; slot < 32; slot++) {
        add(TYPE_TEST_PCI_PLAIN, NULL);
    }
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "PCI: no slot/function available for "
                           "test-pci-plain, all in use or reserved");
    g_free(msg);
    end();
}

static void test_multifunction(void)
{
    DeviceState *dev;
    char *msg;

    begin();
    /* function 1 first: allowed while function 0 is absent */
    add(TYPE_TEST_PCI_PLAIN, "3.1");
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "addr", "3.0", &error_abort);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "PCI: 3.0 indicates single function, but "
                           "3.1 is already populated.");
    g_free(msg);
    CU_ASSERT_PTR_NULL(bus->devices[PCI_DEVFN(3, 0)]);  /* slot left free */
    /* single-function 0, then a function 1 */
    add(TYPE_TEST_PCI_PLAIN, "4.0");
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "addr", "4.1", &error_abort);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "PCI: single function device can't be "
                           "populated in function 4.1");
    g_free(msg);
    /* multifunction=on: the header type says so */
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "addr", "6.0", &error_abort);
    object_property_parse_keyval(OBJECT(dev), "multifunction", "on",
                                 &error_abort);
    g_assert(!pci_fx_realize(dev, bus));
    add(TYPE_TEST_PCI_PLAIN, "6.7");
    CU_ASSERT_EQUAL(cfg_rd(6, 0, 0x0e, 1), 0x80);
    CU_ASSERT_EQUAL(cfg_rd(6, 7, 0x00, 4), 0x00011234);
    end();
}

static void test_romsize(void)
{
    DeviceState *dev;
    char *msg;

    begin();
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "romsize", "3", &error_abort);
    msg = pci_fx_realize(dev, bus);
    CU_ASSERT_STRING_EQUAL(msg, "ROM size 3 is not a power of two");
    g_free(msg);
    /* romfile is accepted (and not loaded) */
    dev = qdev_new(TYPE_TEST_PCI_PLAIN);
    object_property_parse_keyval(OBJECT(dev), "romfile", "efi-e1000.rom",
                                 &error_abort);
    CU_ASSERT_PTR_NULL(pci_fx_realize(dev, bus));
    end();
}

/* --- configuration mechanism #1 ----------------------------------------- */

static void test_host_config_ports(void)
{
    begin();
    add(TYPE_TEST_PCI_DEV, "3.0");
    /* CONFIG_ADDRESS: dword writes only, reads back whole */
    port_out(0xcf8, 0x80001800, 4);
    CU_ASSERT_EQUAL(port_in(0xcf8, 4), 0x80001800);
    port_out(0xcf8, 0x12, 1);
    port_out(0xcfa, 0x3456, 2);
    CU_ASSERT_EQUAL(port_in(0xcf8, 4), 0x80001800);
    /* byte and word reads anywhere in CONFIG_DATA */
    CU_ASSERT_EQUAL(port_in(0xcfc, 4), 0x56781234);
    CU_ASSERT_EQUAL(port_in(0xcfd, 1), 0x12);
    CU_ASSERT_EQUAL(port_in(0xcfe, 2), 0x5678);
    CU_ASSERT_EQUAL(port_in(0xcff, 1), 0x56);
    /* enable bit clear: all-ones, writes dropped */
    port_out(0xcf8, 0x00001804, 4);
    CU_ASSERT_EQUAL(port_in(0xcfc, 4), 0xffffffff);
    port_out(0xcfc, 0x7, 2);
    CU_ASSERT_EQUAL(cfg_rd(3, 0, 0x04, 2), 0);
    /* absent function, absent bus */
    CU_ASSERT_EQUAL(cfg_rd(3, 1, 0x00, 4), 0xffffffff);
    port_out(0xcf8, 0x80011800, 4);
    CU_ASSERT_EQUAL(port_in(0xcfc, 4), 0xffffffff);
    port_out(0xcfc, 0, 4);              /* ignored, no crash */
    /* register bits 1:0 in CONFIG_ADDRESS + an offset past the end */
    port_out(0xcf8, 0x800018ff, 4);
    CU_ASSERT_EQUAL(port_in(0xcfc, 4), 0x00);           /* 1 byte: 0xff */
    port_out(0xcfc, 0xffffffff, 4);
    end();
}

/* --- introspection --------------------------------------------------------- */

static void test_qtree_and_path(void)
{
    PCIDevice *d;
    GString *out = g_string_new(NULL);
    g_autofree char *path = NULL;

    begin();
    d = add(TYPE_TEST_PCI_DEV, "3.0");
    add(TYPE_TEST_PCI_PLAIN, "4");
    cfg_wr(3, 0, 0x10, 0xc000, 4);
    cfg_wr(3, 0, 0x04, PCI_COMMAND_IO, 2);
    BUS_GET_CLASS(bus)->print_dev(out, DEVICE(d), 8);
    CU_ASSERT_STRING_EQUAL(out->str,
        "        class Ethernet controller, addr 00:03.0, pci id 1234:5678 "
        "(sub 1af4:1100)\n"
        "        bar 0: i/o at 0xc000 [0xc03f]\n"
        "        bar 1: mem at 0xffffffffffffffff [0xffe]\n"
        "        bar 2: mem at 0xffffffffffffffff [0xffffe]\n"
        "        bar 6: mem at 0xffffffffffffffff [0xfffe]\n");
    g_string_truncate(out, 0);
    BUS_GET_CLASS(bus)->print_dev(out, DEVICE(bus->devices[0x20]), 2);
    CU_ASSERT_STRING_EQUAL(out->str,
        "  class Class 1234, addr 00:04.0, pci id 1234:0001 "
        "(sub aaaa:bbbb)\n");
    path = qdev_get_dev_path(DEVICE(d));
    CU_ASSERT_STRING_EQUAL(path, "pci.test:03.0");
    g_string_free(out, true);
    end();
}

/* QEMU 7.2's `info pci` for the same layout. */
static void test_info_pci(void)
{
    GString *out = g_string_new(NULL);
    DeviceState *dev;
    PciDeviceInfo *info;
    PciMemoryRegion *r;
    g_autoptr(PciInfoList) list = NULL;

    begin();
    dev = qdev_new(TYPE_TEST_PCI_DEV);
    qdev_set_id(dev, g_strdup("nic0"), &error_abort);
    object_property_parse_keyval(OBJECT(dev), "addr", "3", &error_abort);
    g_assert(!pci_fx_realize(dev, bus));
    add(TYPE_TEST_PCI_PLAIN, "4");
    cfg_wr(3, 0, 0x10, 0xc000, 4);
    cfg_wr(3, 0, 0x14, 0xfebf0000, 4);
    cfg_wr(3, 0, 0x3c, 11, 1);
    cfg_wr(3, 0, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);

    list = qmp_query_pci();
    CU_ASSERT_EQUAL_FATAL(g_list_length(list->buses), 1);
    CU_ASSERT_EQUAL(((PciInfo *)list->buses->data)->bus, 0);
    info = ((PciInfo *)list->buses->data)->devices->data;
    CU_ASSERT_EQUAL(info->slot, 3);
    CU_ASSERT_EQUAL(info->q_class, 0x0200);
    CU_ASSERT_STRING_EQUAL(info->desc, "Ethernet controller");
    CU_ASSERT_TRUE(info->has_irq);
    CU_ASSERT_EQUAL(info->irq, 11);
    CU_ASSERT_EQUAL(info->irq_pin, 1);
    CU_ASSERT_STRING_EQUAL(info->qdev_id, "nic0");
    CU_ASSERT_EQUAL(g_list_length(info->regions), 4);
    r = g_list_nth_data(info->regions, 2);
    CU_ASSERT_EQUAL(r->bar, 2);
    CU_ASSERT_FALSE(r->io);
    CU_ASSERT_TRUE(r->prefetch);
    CU_ASSERT_TRUE(r->mem_type_64);
    CU_ASSERT_EQUAL(r->address, UINT64_MAX);
    CU_ASSERT_EQUAL(r->size, 0x100000);

    hmp_info_pci_text(out, list);
    if (getenv("TEST_PCI_DUMP")) {
        printf("%s", out->str);
    }
    CU_ASSERT_STRING_EQUAL(out->str,
        "  Bus  0, device   3, function 0:\n"
        "    Ethernet controller: PCI device 1234:5678\n"
        "      PCI subsystem 1af4:1100\n"
        "      IRQ 11, pin A\n"
        "      BAR0: I/O at 0xc000 [0xc03f].\n"
        "      BAR1: 32 bit memory at 0xfebf0000 [0xfebf0fff].\n"
        "      BAR2: 64 bit prefetchable memory at 0xffffffffffffffff "
        "[0x000ffffe].\n"
        "      BAR6: 32 bit memory at 0xffffffffffffffff "
        "[0x0000fffe].\n"
        "      id \"nic0\"\n"
        "  Bus  0, device   4, function 0:\n"
        "    Class 4660: PCI device 1234:0001\n"
        "      PCI subsystem aaaa:bbbb\n"
        "      id \"\"\n");
    g_string_free(out, true);
    object_unparent(OBJECT(dev));
    end();
}

/* --- DMA ------------------------------------------------------------------- */

static void test_bus_master(void)
{
    PCIDevice *d;
    uint32_t v = 0x11223344, back = 0;
    uint8_t *ram;

    begin();
    d = add(TYPE_TEST_PCI_DEV, "3");
    ram = memory_region_get_ram_ptr(&pci_fx.ram);
    /* MASTER clear: the write goes nowhere */
    CU_ASSERT_NOT_EQUAL(pci_dma_write(d, 0x1000, &v, 4), MEMTX_OK);
    CU_ASSERT_EQUAL(ram[0x1000], 0);
    cfg_wr(3, 0, 0x04, PCI_COMMAND_MASTER, 2);
    CU_ASSERT_EQUAL(pci_dma_write(d, 0x1000, &v, 4), MEMTX_OK);
    CU_ASSERT_EQUAL(ram[0x1000], 0x44);
    CU_ASSERT_EQUAL(pci_dma_read(d, 0x1000, &back, 4), MEMTX_OK);
    CU_ASSERT_EQUAL(back, v);
    cfg_wr(3, 0, 0x04, 0, 2);
    CU_ASSERT_NOT_EQUAL(pci_dma_read(d, 0x1000, &back, 4), MEMTX_OK);
    end();
}

int main(int argc, char **argv)
{
    pci_helper_main_init();
    qdev_get_peripheral();          /* lives as long as the process */
    type_register_static(&test_host_info);
    type_register_static(&test_pci_dev_info);
    type_register_static(&test_pci_plain_info);

    harness_add("/pci/config/identity", test_identity);
    harness_add("/pci/config/wmask", test_wmask);
    harness_add("/pci/config/w1c", test_w1c);
    harness_add("/pci/bar/sizing", test_bar_sizing);
    harness_add("/pci/bar/decode", test_bar_decode);
    harness_add("/pci/bar/invalid", test_bar_invalid);
    harness_add("/pci/bar/reset", test_bar_reset);
    harness_add("/pci/capabilities", test_capabilities);
    harness_add("/pci/intx/counting", test_intx_counting);
    harness_add("/pci/addr/parse", test_devfn_parse);
    harness_add("/pci/addr/int", test_devfn_int);
    harness_add("/pci/addr/slot-taken", test_slot_taken);
    harness_add("/pci/addr/auto", test_slot_auto);
    harness_add("/pci/addr/multifunction", test_multifunction);
    harness_add("/pci/realize/romsize", test_romsize);
    harness_add("/pci/host/config-ports", test_host_config_ports);
    harness_add("/pci/introspection/qtree", test_qtree_and_path);
    harness_add("/pci/introspection/info-pci", test_info_pci);
    harness_add("/pci/dma/bus-master", test_bus_master);
    return harness_run(argc, argv);
}
