/*
 * i440fx.c - Intel 82441FX PMC (the "i440FX" host bridge function) and
 * its sysbus side "i440FX-pcihost" (QEMU 7.2's hw/pci-host/i440fx.c and
 * hw/pci-host/pam.c; Intel 440FX PCIset datasheet 290549).
 *
 * Modelled: configuration mechanism #1 (pci-host.c) on bus "pci.0";
 * function 00:00.0 with QEMU's identity; PAM0-6 (0x59-0x5f): each of the
 * 13 segments of 0xc0000-0xfffff is PCI (0), read-only RAM (1), RAM (2
 * and 3: QEMU treats write-only as RAM), switched by enabling one of
 * four aliases, exactly as QEMU's pam.c; SMRAM (0x72, reset 0x02): kept,
 * and D_OPEN clear shows the PCI space at 0xa0000-0xbffff ("smram-region").
 * Not modelled: SMM itself (the SMRAM RAM is never visible: no SMM
 * address space), D_LCK, the DRAM controller registers (stored, no
 * effect), the 64-bit PCI hole properties beyond "pci-hole64-size".
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/qdev-properties.h"
#include "hw/pci-host/i440fx.h"

OBJECT_DECLARE_SIMPLE_TYPE(I440FXState, I440FX_PCI_HOST_BRIDGE)
OBJECT_DECLARE_SIMPLE_TYPE(PCII440FXState, I440FX_PCI_DEVICE)

#define SMRAM_D_OPEN            0x40    /* SMRAM visible outside SMM */
#define SMRAM_G_SMRAME          0x08
#define SMRAM_C_BASE_SEG        0x02    /* hardwired: 0xa0000 */

#define PAM_ATTR_MASK           0x3
#define I440FX_PCI_HOST_HOLE64_SIZE_DEFAULT (1ULL << 31)
#define GiB                     (1ULL << 30)

/* One PAM segment: four aliases, one enabled (QEMU's PAMMemoryRegion). */
typedef struct PAMMemoryRegion {
    MemoryRegion alias[4];      /* indexed by PAM attribute 0-3 */
    unsigned current;           /* the enabled one */
} PAMMemoryRegion;

struct I440FXState {
    PCIHostState parent_obj;
    uint64_t pci_hole64_size;   /* "pci-hole64-size", bytes (2 GiB) */
    uint32_t short_root_bus;    /* "short_root_bus": path "0000" if set */
    bool pci_hole64_fix;        /* "x-pci-hole64-fix" (accepted) */
    uint32_t below_4g_mem_size; /* "pci-hole-start": set by i440fx_init */
};

struct PCII440FXState {
    PCIDevice parent_obj;
    /* Set by i440fx_init, not referenced (the machine owns them): */
    MemoryRegion *system_memory;
    MemoryRegion *pci_address_space;
    MemoryRegion *ram_memory;
    bool mapped;                /* the windows below are initialised */
    PAMMemoryRegion pam_regions[PAM_REGIONS_COUNT];
    MemoryRegion smram_region;  /* PCI space at 0xa0000 unless D_OPEN */
};

/* --- PAM and SMRAM windows --------------------------------------------- */

/* QEMU's init_pam(): owner @owner, segment [start, start + size). */
static void init_pam(Object *owner, PAMMemoryRegion *mem,
                     MemoryRegion *ram, MemoryRegion *system_memory,
                     MemoryRegion *pci_space, uint32_t start, uint32_t size)
{
    memory_region_init_alias(&mem->alias[3], owner, "pam-ram", ram, start,
                             size);
    memory_region_init_alias(&mem->alias[1], owner, "pam-rom", ram, start,
                             size);
    memory_region_set_readonly(&mem->alias[1], true);
    memory_region_init_alias(&mem->alias[0], owner, "pam-pci", pci_space,
                             start, size);
    /* QEMU: "XXX: should distinguish read/write cases" */
    memory_region_init_alias(&mem->alias[2], owner, "pam-pci", ram, start,
                             size);
    memory_region_transaction_begin();
    for (int i = 0; i < 4; i++) {
        memory_region_set_enabled(&mem->alias[i], false);
        memory_region_add_subregion_overlap(system_memory, start,
                                            &mem->alias[i], 1);
    }
    mem->current = 0;
    memory_region_set_enabled(&mem->alias[0], true);
    memory_region_transaction_commit();
}

static void pam_update(PAMMemoryRegion *pam, int idx, uint8_t val)
{
    memory_region_set_enabled(&pam->alias[pam->current], false);
    /* segment 0 and odd segments: low nibble; even ones: high nibble */
    pam->current = (val >> (!(idx & 1) * 4)) & PAM_ATTR_MASK;
    memory_region_set_enabled(&pam->alias[pam->current], true);
}

static void i440fx_update_memory_mappings(PCII440FXState *d)
{
    PCIDevice *pd = PCI_DEVICE(d);

    if (!d->mapped) {
        return;
    }
    memory_region_transaction_begin();
    for (int i = 0; i < PAM_REGIONS_COUNT; i++) {
        pam_update(&d->pam_regions[i], i,
                   pd->config[I440FX_PAM + (i + 1) / 2]);
    }
    memory_region_set_enabled(&d->smram_region,
                              !(pd->config[I440FX_SMRAM] & SMRAM_D_OPEN));
    memory_region_transaction_commit();
}

static void i440fx_unmap_windows(PCII440FXState *d)
{
    if (!d->mapped) {
        return;
    }
    d->mapped = false;
    memory_region_transaction_begin();
    for (int i = 0; i < PAM_REGIONS_COUNT; i++) {
        for (int j = 0; j < 4; j++) {
            memory_region_del_subregion(d->system_memory,
                                        &d->pam_regions[i].alias[j]);
        }
    }
    memory_region_del_subregion(d->system_memory, &d->smram_region);
    if (d->pci_address_space->container == d->system_memory) {
        memory_region_del_subregion(d->system_memory, d->pci_address_space);
    }
    memory_region_transaction_commit();
    for (int i = 0; i < PAM_REGIONS_COUNT; i++) {
        for (int j = 0; j < 4; j++) {
            object_unparent(OBJECT(&d->pam_regions[i].alias[j]));
        }
    }
    object_unparent(OBJECT(&d->smram_region));
}

/* --- the PCI function: config writes -------------------------------------- */

static void i440fx_write_config(PCIDevice *dev, uint32_t address,
                                uint32_t val, int len)
{
    PCII440FXState *d = I440FX_PCI_DEVICE(dev);

    /* QEMU: "XXX: implement SMRAM.D_LOCK" */
    pci_default_write_config(dev, address, val, len);
    if ((address < I440FX_PAM + I440FX_PAM_SIZE &&
         I440FX_PAM < address + len) ||
        (address <= I440FX_SMRAM && I440FX_SMRAM < address + len)) {
        i440fx_update_memory_mappings(d);
    }
}

static bool i440fx_realize(PCIDevice *dev, Error **errp)
{
    dev->config[I440FX_SMRAM] = SMRAM_C_BASE_SEG;
    return true;
}

static void i440fx_exit(PCIDevice *dev)
{
    i440fx_unmap_windows(I440FX_PCI_DEVICE(dev));
}

static void i440fx_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = i440fx_realize;
    k->exit = i440fx_exit;
    k->config_write = i440fx_write_config;
    k->vendor_id = PCI_VENDOR_ID_INTEL;
    k->device_id = PCI_DEVICE_ID_INTEL_82441;
    k->revision = 0x02;
    k->class_id = PCI_CLASS_BRIDGE_HOST;
    dc->desc = "Host bridge";
    device_class_set_category(dc, DEVICE_CATEGORY_BRIDGE);
    /* Part of the PC's chipset: pc_init1 (i440fx_init) must wire it. */
    dc->user_creatable = false;
    dc->hotpluggable = false;
}

/* --- the host bridge ------------------------------------------------------------ */

static const char *i440fx_pcihost_root_bus_path(PCIHostState *host_bridge,
                                                PCIBus *rootbus)
{
    /* QEMU: "For backwards compat with old device paths" */
    return I440FX_PCI_HOST_BRIDGE(host_bridge)->short_root_bus ? "0000"
                                                               : "0000:00";
}

static GVariant *i440fx_get_pci_hole_start(Object *obj, ObjectProperty *prop,
                                           Error **errp)
{
    return g_variant_take_ref(g_variant_new_uint64(
        I440FX_PCI_HOST_BRIDGE(obj)->below_4g_mem_size));
}

static GVariant *i440fx_get_pci_hole_end(Object *obj, ObjectProperty *prop,
                                         Error **errp)
{
    return g_variant_take_ref(g_variant_new_uint64(IO_APIC_DEFAULT_ADDRESS));
}

static void i440fx_pcihost_initfn(Object *obj)
{
    PCIHostState *s = PCI_HOST_BRIDGE(obj);

    memory_region_init_io(&s->conf_mem, obj, &pci_host_conf_le_ops, s,
                          "pci-conf-idx", 4);
    memory_region_init_io(&s->data_mem, obj, &pci_host_data_le_ops, s,
                          "pci-conf-data", 4);
    object_property_add(obj, "pci-hole-start", "uint32",
                        i440fx_get_pci_hole_start, NULL, NULL, NULL);
    object_property_add(obj, "pci-hole-end", "uint32",
                        i440fx_get_pci_hole_end, NULL, NULL, NULL);
}

static bool i440fx_pcihost_realize(DeviceState *dev, Error **errp)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    if (!s->bus) {
        error_setg(errp, "i440FX-pcihost has no PCI bus (use i440fx_init)");
        return false;
    }
    memory_region_add_subregion(s->bus->address_space_io, 0xcf8,
                                &s->conf_mem);
    sysbus_init_ioports(sbd, 0xcf8, 4);
    memory_region_add_subregion(s->bus->address_space_io, 0xcfc,
                                &s->data_mem);
    sysbus_init_ioports(sbd, 0xcfc, 4);
    return true;
}

static void i440fx_pcihost_unrealize(DeviceState *dev)
{
    PCIHostState *s = PCI_HOST_BRIDGE(dev);

    if (memory_region_is_mapped(&s->conf_mem)) {
        memory_region_del_subregion(s->conf_mem.container, &s->conf_mem);
    }
    if (memory_region_is_mapped(&s->data_mem)) {
        memory_region_del_subregion(s->data_mem.container, &s->data_mem);
    }
}

static Property i440fx_props[] = {
    DEFINE_PROP_SIZE("pci-hole64-size", I440FXState, pci_hole64_size,
                     I440FX_PCI_HOST_HOLE64_SIZE_DEFAULT),
    DEFINE_PROP_UINT32("short_root_bus", I440FXState, short_root_bus, 0),
    DEFINE_PROP_BOOL("x-pci-hole64-fix", I440FXState, pci_hole64_fix, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void i440fx_pcihost_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIHostBridgeClass *hc = PCI_HOST_BRIDGE_CLASS(klass);

    hc->root_bus_path = i440fx_pcihost_root_bus_path;
    dc->realize = i440fx_pcihost_realize;
    dc->unrealize = i440fx_pcihost_unrealize;
    device_class_set_props(dc, i440fx_props);
    /* Reason: needs to be wired up by pc_init1 */
    dc->user_creatable = false;
}

/* --- board helper ------------------------------------------------------------------ */

PCIBus *i440fx_init(MemoryRegion *address_space_mem,
                    MemoryRegion *address_space_io, uint64_t ram_size,
                    uint64_t below_4g_mem_size, uint64_t above_4g_mem_size,
                    MemoryRegion *pci_address_space,
                    MemoryRegion *ram_memory, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_I440FX_PCI_HOST_BRIDGE);
    PCIHostState *s = PCI_HOST_BRIDGE(dev);
    I440FXState *i440fx = I440FX_PCI_HOST_BRIDGE(dev);
    PCII440FXState *f;
    PCIDevice *d;
    uint64_t ram_8m;

    s->bus = pci_root_bus_new(dev, NULL, pci_address_space,
                              address_space_io, 0, TYPE_PCI_BUS);
    object_property_add_child(qdev_get_machine(), "i440fx", OBJECT(dev));
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    i440fx->below_4g_mem_size = below_4g_mem_size;

    d = pci_new(0, TYPE_I440FX_PCI_DEVICE);
    if (!pci_realize_and_unref(d, s->bus, errp)) {
        return NULL;
    }
    f = I440FX_PCI_DEVICE(d);
    f->system_memory = address_space_mem;
    f->pci_address_space = pci_address_space;
    f->ram_memory = ram_memory;

    /* QEMU's pc_pci_as_mapping_init: PCI space under everything else. */
    memory_region_add_subregion_overlap(address_space_mem, 0,
                                        pci_address_space, -1);

    /* if *disabled* show SMRAM to all CPUs */
    memory_region_init_alias(&f->smram_region, OBJECT(d), "smram-region",
                             pci_address_space, 0xa0000, 0x20000);
    memory_region_add_subregion_overlap(address_space_mem, 0xa0000,
                                        &f->smram_region, 1);
    init_pam(OBJECT(dev), &f->pam_regions[0], ram_memory, address_space_mem,
             pci_address_space, PAM_BIOS_BASE, PAM_BIOS_SIZE);
    for (int i = 0; i < PAM_REGIONS_COUNT - 1; i++) {
        init_pam(OBJECT(dev), &f->pam_regions[i + 1], ram_memory,
                 address_space_mem, pci_address_space,
                 PAM_EXPAN_BASE + i * PAM_EXPAN_SIZE, PAM_EXPAN_SIZE);
    }
    f->mapped = true;

    ram_8m = ram_size / 8 / 1024 / 1024;
    d->config[I440FX_COREBOOT_RAM_SIZE] = MIN(ram_8m, 255);
    i440fx_update_memory_mappings(f);
    (void)above_4g_mem_size;    /* the 64-bit hole is not modelled */
    return s->bus;
}

static const TypeInfo i440fx_types[] = {
    {
        .name = TYPE_I440FX_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCII440FXState),
        .class_init = i440fx_class_init,
    },
    {
        .name = TYPE_I440FX_PCI_HOST_BRIDGE,
        .parent = TYPE_PCI_HOST_BRIDGE,
        .instance_size = sizeof(I440FXState),
        .instance_init = i440fx_pcihost_initfn,
        .class_init = i440fx_pcihost_class_init,
    },
};

DEFINE_TYPES(i440fx_types)
