/*
 * sysbus.c - the system bus "System" and the abstract "sys-bus-device"
 * (QEMU 7.2's hw/core/sysbus.c).  See include/hw/core/sysbus.h.
 */
#include "util/osdep.h"
#include "hw/core/sysbus.h"

/* The one main system bus (QEMU's main_system_bus); cleared when it is
 * finalized, so a later machine gets a new one. */
static BusState *main_system_bus;

/* --- the bus ----------------------------------------------------------- */

/* `info qtree`: "mmio ADDR/SIZE" per region, as QEMU (TARGET_FMT_plx). */
static void sysbus_dev_print(GString *out, DeviceState *dev, int indent)
{
    SysBusDevice *s = SYS_BUS_DEVICE(dev);

    for (int i = 0; i < s->num_mmio; i++) {
        g_string_append_printf(out, "%*smmio %016" PRIx64 "/%016" PRIx64 "\n",
                               indent, "", s->mmio[i].addr,
                               memory_region_size(s->mmio[i].memory));
    }
}

static void system_bus_class_init(ObjectClass *klass, void *data)
{
    BUS_CLASS(klass)->print_dev = sysbus_dev_print;
}

static void system_bus_finalize(Object *obj)
{
    if (BUS(obj) == main_system_bus) {
        main_system_bus = NULL;
    }
}

BusState *sysbus_get_default(void)
{
    Object *unattached;

    if (main_system_bus) {
        return main_system_bus;
    }
    main_system_bus = qbus_new(TYPE_SYSTEM_BUS, NULL, "main-system-bus");
    unattached = container_get(qdev_get_machine(), "/unattached");
    object_property_add_child(unattached, "sysbus", OBJECT(main_system_bus));
    object_unref(main_system_bus);  /* /machine/unattached holds it */
    /* A root bus: nothing else would realize it. */
    qbus_realize(main_system_bus, &error_abort);
    return main_system_bus;
}

/* --- the device -------------------------------------------------------- */

void sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *memory)
{
    int n = dev->num_mmio++;

    assert(n < QDEV_MAX_MMIO);
    dev->mmio[n].addr = (hwaddr)-1;
    dev->mmio[n].memory = memory;
}

MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n)
{
    assert(n >= 0 && n < dev->num_mmio);
    return dev->mmio[n].memory;
}

bool sysbus_is_mmio_mapped(SysBusDevice *dev, int n)
{
    return n >= 0 && n < dev->num_mmio &&
           memory_region_is_mapped(dev->mmio[n].memory);
}

static void sysbus_mmio_map_common(SysBusDevice *dev, int n, hwaddr addr,
                                   bool may_overlap, int priority)
{
    MemoryRegion *mr = sysbus_mmio_get_region(dev, n);

    if (dev->mmio[n].addr == addr && memory_region_is_mapped(mr)) {
        return;                 /* already there */
    }
    if (memory_region_is_mapped(mr)) {
        memory_region_del_subregion(get_system_memory(), mr);
    }
    dev->mmio[n].addr = addr;
    if (may_overlap) {
        memory_region_add_subregion_overlap(get_system_memory(), addr, mr,
                                            priority);
    } else {
        memory_region_add_subregion(get_system_memory(), addr, mr);
    }
}

void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr)
{
    sysbus_mmio_map_common(dev, n, addr, false, 0);
}

void sysbus_mmio_map_overlap(SysBusDevice *dev, int n, hwaddr addr,
                             int priority)
{
    sysbus_mmio_map_common(dev, n, addr, true, priority);
}

void sysbus_init_ioports(SysBusDevice *dev, uint32_t ioport, uint32_t size)
{
    for (uint32_t i = 0; i < size; i++) {
        assert(dev->num_pio < QDEV_MAX_PIO);
        dev->pio[dev->num_pio++] = ioport++;
    }
}

bool sysbus_realize(SysBusDevice *dev, Error **errp)
{
    return qdev_realize(DEVICE(dev), sysbus_get_default(), errp);
}

bool sysbus_realize_and_unref(SysBusDevice *dev, Error **errp)
{
    return qdev_realize_and_unref(DEVICE(dev), sysbus_get_default(), errp);
}

/* A mapped region references its owner: unmap so the device can go. */
static void sysbus_device_unrealize(DeviceState *dev)
{
    SysBusDevice *s = SYS_BUS_DEVICE(dev);
    SysBusDeviceClass *sbc = SYS_BUS_DEVICE_GET_CLASS(dev);

    if (sbc->parent_unrealize) {
        sbc->parent_unrealize(dev);
    }
    for (int i = 0; i < s->num_mmio; i++) {
        if (memory_region_is_mapped(s->mmio[i].memory)) {
            memory_region_del_subregion(s->mmio[i].memory->container,
                                        s->mmio[i].memory);
            s->mmio[i].addr = (hwaddr)-1;
        }
    }
}

static void sysbus_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->bus_type = TYPE_SYSTEM_BUS;
    /*
     * As in QEMU: a sysbus device needs a board to map its regions and
     * wire its interrupts, so -device cannot create one unless its type
     * says otherwise.
     */
    dc->user_creatable = false;
    device_class_set_parent_unrealize(dc, sysbus_device_unrealize,
                                      &SYS_BUS_DEVICE_CLASS(klass)->
                                      parent_unrealize);
}

static const TypeInfo sysbus_types[] = {
    {
        .name = TYPE_SYSTEM_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(BusState),
        .instance_finalize = system_bus_finalize,
        .class_init = system_bus_class_init,
    },
    {
        .name = TYPE_SYS_BUS_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(SysBusDevice),
        .abstract = true,
        .class_size = sizeof(SysBusDeviceClass),
        .class_init = sysbus_device_class_init,
    },
};

DEFINE_TYPES(sysbus_types)
