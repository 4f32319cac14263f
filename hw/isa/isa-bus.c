/*
 * isa-bus.c - the ISA bus "ISA", the abstract "isa-device", and the
 * stand-in "isabus-bridge" (QEMU 7.2's hw/isa/isa-bus.c).  See
 * include/hw/isa/isa.h.
 */
#include "util/osdep.h"
#include "hw/isa/isa.h"

/* The one ISA bus (QEMU's isabus); cleared when it is finalized. */
static ISABus *isabus;

/* --- the bus ----------------------------------------------------------- */

/* `info qtree`, as QEMU's isabus_dev_print. */
static void isabus_dev_print(GString *out, DeviceState *dev, int indent)
{
    ISADevice *d = ISA_DEVICE(dev);

    if (d->isairq[1] != -1) {
        g_string_append_printf(out, "%*sisa irqs %d,%d\n", indent, "",
                               d->isairq[0], d->isairq[1]);
    } else if (d->isairq[0] != -1) {
        g_string_append_printf(out, "%*sisa irq %d\n", indent, "",
                               d->isairq[0]);
    }
}

static void isa_bus_class_init(ObjectClass *klass, void *data)
{
    BUS_CLASS(klass)->print_dev = isabus_dev_print;
}

static void isa_bus_finalize(Object *obj)
{
    if (ISA_BUS(obj) == isabus) {
        isabus = NULL;
    }
}

ISABus *isa_bus_new(DeviceState *dev, MemoryRegion *address_space_io,
                    Error **errp)
{
    if (isabus) {
        error_setg(errp, "Can't create a second ISA bus");
        return NULL;
    }
    if (!dev) {
        dev = qdev_new(TYPE_ISABUS_BRIDGE);
        if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
            return NULL;
        }
    }
    isabus = ISA_BUS(qbus_new(TYPE_ISA_BUS, dev, NULL));
    isabus->address_space_io = address_space_io;
    if (dev->realized && !qbus_realize(BUS(isabus), errp)) {
        object_unparent(OBJECT(isabus));
        return NULL;
    }
    return isabus;
}

ISABus *isa_bus_create_default(Error **errp)
{
    return isa_bus_new(NULL, get_system_io(), errp);
}

ISABus *isa_bus_get(void)
{
    return isabus;
}

MemoryRegion *isa_address_space_io(ISADevice *dev)
{
    if (dev) {
        return ISA_BUS(qdev_get_parent_bus(DEVICE(dev)))->address_space_io;
    }
    return isabus->address_space_io;
}

void isa_register_ioport(ISADevice *dev, MemoryRegion *io, uint16_t start)
{
    memory_region_add_subregion(isa_address_space_io(dev), start, io);
    dev->ioports = g_slist_prepend(dev->ioports, io);
    if (dev->ioport_id == 0 || start < dev->ioport_id) {
        dev->ioport_id = start;
    }
}

void isa_bus_irqs(ISABus *bus, qemu_irq *irqs)
{
    bus->irqs = irqs;
}

qemu_irq isa_get_irq(ISADevice *dev, unsigned isairq)
{
    ISABus *bus = dev ? ISA_BUS(qdev_get_parent_bus(DEVICE(dev))) : isabus;

    assert(isairq < ISA_NUM_IRQS);
    assert(bus);
    return bus->irqs ? bus->irqs[isairq] : NULL;
}

void isa_init_irq(ISADevice *dev, qemu_irq *p, unsigned isairq)
{
    int i = dev->isairq[0] == -1 ? 0 : 1;

    assert(dev->isairq[i] == -1);       /* at most two, as QEMU */
    dev->isairq[i] = isairq;
    *p = isa_get_irq(dev, isairq);
}

void isa_connect_gpio_out(ISADevice *isadev, int gpioirq, unsigned isairq)
{
    qemu_irq irq;

    isa_init_irq(isadev, &irq, isairq);
    qdev_connect_gpio_out(DEVICE(isadev), gpioirq, irq);
}

/* --- the device -------------------------------------------------------- */

static void isa_device_init(Object *obj)
{
    ISADevice *dev = ISA_DEVICE(obj);

    dev->isairq[0] = -1;
    dev->isairq[1] = -1;
}

static void isa_device_unrealize(DeviceState *d)
{
    ISADevice *dev = ISA_DEVICE(d);
    ISADeviceClass *idc = ISA_DEVICE_GET_CLASS(d);

    if (idc->parent_unrealize) {
        idc->parent_unrealize(d);
    }
    for (GSList *l = dev->ioports; l; l = l->next) {
        MemoryRegion *mr = l->data;

        if (memory_region_is_mapped(mr)) {
            memory_region_del_subregion(mr->container, mr);
        }
    }
    g_clear_pointer(&dev->ioports, g_slist_free);
    dev->ioport_id = 0;
}

static void isa_device_finalize(Object *obj)
{
    g_slist_free(ISA_DEVICE(obj)->ioports);
}

static void isa_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->bus_type = TYPE_ISA_BUS;
    device_class_set_parent_unrealize(dc, isa_device_unrealize,
                                      &ISA_DEVICE_CLASS(klass)->
                                      parent_unrealize);
}

/* --- the stand-in bridge ---------------------------------------------- */

static void isabus_bridge_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    device_class_set_category(dc, DEVICE_CATEGORY_BRIDGE);
}

static const TypeInfo isa_bus_types[] = {
    {
        .name = TYPE_ISA_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(ISABus),
        .instance_finalize = isa_bus_finalize,
        .class_init = isa_bus_class_init,
    },
    {
        .name = TYPE_ISA_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(ISADevice),
        .instance_init = isa_device_init,
        .instance_finalize = isa_device_finalize,
        .abstract = true,
        .class_size = sizeof(ISADeviceClass),
        .class_init = isa_device_class_init,
    },
    {
        .name = TYPE_ISABUS_BRIDGE,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(SysBusDevice),
        .class_init = isabus_bridge_class_init,
    },
};

DEFINE_TYPES(isa_bus_types)
