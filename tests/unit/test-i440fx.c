/*
 * test-i440fx.c - the i440FX host bridge (hw/pci-host/i440fx.c): where it
 * sits in the tree, function 00:00.0's identity, configuration through
 * 0xCF8/0xCFC, PAM (RAM or PCI at 0xc0000-0xfffff), SMRAM's D_OPEN, the
 * device path and `info qtree` line, and that it all goes away cleanly.
 */
#include "util/osdep.h"
#include "pci-helper.h"
#include "harness.h"

static uint8_t *ram;
static MemoryRegion pci_thing;      /* VGA/option ROMs stand-in */

static uint64_t pci_thing_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xab000000u | (uint32_t)addr;
}

static const MemoryRegionOps pci_thing_ops = {
    .read = pci_thing_read,
};

/* The chipset, and something in the PCI space at 0xa0000-0xfffff (as
 * QEMU's pc.rom/isa-bios/VGA): where PAM or SMRAM selects PCI, that is
 * what a read finds; where nothing is, RAM shows through, as in QEMU. */
static void begin(void)
{
    pci_fixture_begin_pc();
    ram = memory_region_get_ram_ptr(&pci_fx.ram);
    memory_region_init_io(&pci_thing, NULL, &pci_thing_ops, NULL,
                          "pci-thing", 0x60000);
    memory_region_add_subregion(&pci_fx.pci_memory, 0xa0000, &pci_thing);
}

static void end(void)
{
    memory_region_del_subregion(&pci_fx.pci_memory, &pci_thing);
    object_unparent(OBJECT(&pci_thing));
    pci_fixture_end();
}

static uint32_t mem_rd(hwaddr addr)
{
    uint32_t v = 0;

    address_space_read(&pci_fx.as_mem, addr, &v, 4);
    return v;
}

static void mem_wr(hwaddr addr, uint32_t v)
{
    address_space_write(&pci_fx.as_mem, addr, &v, 4);
}

static void test_tree(void)
{
    Object *host, *fn;
    g_autofree char *path = NULL;

    begin();
    host = object_resolve_path("/machine/i440fx", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(host);
    CU_ASSERT_STRING_EQUAL(object_get_typename(host), "i440FX-pcihost");
    CU_ASSERT_PTR_EQUAL(PCI_HOST_BRIDGE(host)->bus, pci_fx.bus);
    CU_ASSERT_PTR_EQUAL(BUS(pci_fx.bus)->parent, DEVICE(host));
    CU_ASSERT_TRUE(g_str_has_prefix(BUS(pci_fx.bus)->name, "pci."));
    fn = OBJECT(pci_fx.bus->devices[0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fn);
    CU_ASSERT_STRING_EQUAL(object_get_typename(fn), "i440FX");
    path = qdev_get_dev_path(DEVICE(fn));
    CU_ASSERT_STRING_EQUAL(path, "0000:00:00.0");
    /* QEMU's properties on the host */
    CU_ASSERT_EQUAL(object_property_get_uint(host, "pci-hole64-size",
                                             &error_abort), 1ULL << 31);
    CU_ASSERT_EQUAL(object_property_get_uint(host, "pci-hole-start",
                                             &error_abort), PCI_FX_RAM_SIZE);
    CU_ASSERT_EQUAL(object_property_get_uint(host, "pci-hole-end",
                                             &error_abort), 0xfec00000);
    CU_ASSERT_TRUE(object_property_get_bool(host,
                                            "x-config-reg-migration-enabled",
                                            &error_abort));
    CU_ASSERT_FALSE(DEVICE_GET_CLASS(fn)->user_creatable);
    CU_ASSERT_FALSE(DEVICE_GET_CLASS(host)->user_creatable);
    end();
}

static void test_identity(void)
{
    GString *out = g_string_new(NULL);

    begin();
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x00, 4), 0x12378086);
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x08, 4), 0x06000002);   /* rev 2 */
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x0e, 1), 0x00);
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x2c, 4), 0x11001af4);
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x72, 1), 0x02);         /* SMRAM */
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x57, 1), 0);            /* 1 MiB / 8 MiB */
    for (int i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x59 + i, 1), 0);    /* PAM: PCI */
    }
    BUS_GET_CLASS(pci_fx.bus)->print_dev(out, DEVICE(pci_fx.bus->devices[0]),
                                         8);
    CU_ASSERT_STRING_EQUAL(out->str, "        class Host bridge, addr "
                           "00:00.0, pci id 8086:1237 (sub 1af4:1100)\n");
    g_string_free(out, true);
    end();
}

/* PAM1 low nibble: 0xc0000-0xc3fff; PAM0 high nibble: 0xf0000-0xfffff. */
static void test_pam(void)
{
    begin();
    memcpy(ram + 0xc0000, "\x11\x22\x33\x44", 4);
    memcpy(ram + 0xf0010, "\x55\x66\x77\x88", 4);
    memcpy(ram + 0xc4000, "\x99\xaa\xbb\xcc", 4);
    /* 0: the PCI space */
    CU_ASSERT_EQUAL(mem_rd(0xc0000), 0xab020000);
    CU_ASSERT_EQUAL(mem_rd(0xf0010), 0xab050010);

    cfg_wr(0, 0, 0x5a, 0x03, 1);                          /* PAM1: RAM */
    CU_ASSERT_EQUAL(mem_rd(0xc0000), 0x44332211);
    CU_ASSERT_EQUAL(mem_rd(0xc4000), 0xab024000);         /* PAM1 high */
    mem_wr(0xc0000, 0xdeadbeef);
    CU_ASSERT_EQUAL(memcmp(ram + 0xc0000, "\xef\xbe\xad\xde", 4), 0);

    cfg_wr(0, 0, 0x5a, 0x31, 1);          /* low: read-only, high: RAM */
    CU_ASSERT_EQUAL(mem_rd(0xc0000), 0xdeadbeef);
    mem_wr(0xc0000, 0x01020304);                          /* ignored */
    CU_ASSERT_EQUAL(mem_rd(0xc0000), 0xdeadbeef);
    CU_ASSERT_EQUAL(mem_rd(0xc4000), 0xccbbaa99);

    cfg_wr(0, 0, 0x59, 0x30, 1);                          /* PAM0 high */
    CU_ASSERT_EQUAL(mem_rd(0xf0010), 0x88776655);
    cfg_wr(0, 0, 0x59, 0x00, 1);
    CU_ASSERT_EQUAL(mem_rd(0xf0010), 0xab050010);
    /* a dword write reaches PAM0-3 at once */
    cfg_wr(0, 0, 0x58, 0x00333000, 4);    /* 0x59 = 0x30, 0x5a = 0x33 */
    CU_ASSERT_EQUAL(mem_rd(0xf0010), 0x88776655);
    CU_ASSERT_EQUAL(mem_rd(0xc4000), 0xccbbaa99);
    end();
}

static void test_smram(void)
{
    begin();
    memcpy(ram + 0xa0000, "\x01\x02\x03\x04", 4);
    /* D_OPEN clear (reset): the PCI space (VGA) answers at 0xa0000 */
    CU_ASSERT_EQUAL(mem_rd(0xa0000), 0xab000000);
    cfg_wr(0, 0, 0x72, 0x42, 1);                          /* D_OPEN */
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x72, 1), 0x42);
    CU_ASSERT_EQUAL(mem_rd(0xa0000), 0x04030201);
    cfg_wr(0, 0, 0x72, 0x02, 1);
    CU_ASSERT_EQUAL(mem_rd(0xa0000), 0xab000000);
    /* RAM below stays RAM */
    memcpy(ram + 0x9fff0, "\x0a\x0b\x0c\x0d", 4);
    CU_ASSERT_EQUAL(mem_rd(0x9fff0), 0x0d0c0b0a);
    end();
}

/* Device reset keeps PAM (QEMU's i440FX has no reset of its own). */
static void test_reset(void)
{
    begin();
    cfg_wr(0, 0, 0x5a, 0x33, 1);
    cfg_wr(0, 0, 0x04, 0x0006, 2);
    qbus_reset_all(BUS(pci_fx.bus));
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x5a, 1), 0x33);
    CU_ASSERT_EQUAL(cfg_rd(0, 0, 0x04, 2), 0);
    end();
}

int main(int argc, char **argv)
{
    pci_helper_main_init();
    harness_add("/i440fx/tree", test_tree);
    harness_add("/i440fx/identity", test_identity);
    harness_add("/i440fx/pam", test_pam);
    harness_add("/i440fx/smram", test_smram);
    harness_add("/i440fx/reset", test_reset);
    return harness_run(argc, argv);
}
