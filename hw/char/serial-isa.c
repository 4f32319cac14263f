/*
 * serial-isa.c - "isa-serial": a 16550A on the ISA bus, the PC's COM1-4
 * (QEMU 7.2's hw/char/serial-isa.c).  The UART itself is the "serial"
 * core (hw/char/serial.c), the QOM child "serial"; this file gives it 8
 * ports and an ISA interrupt.
 *
 * Properties, as QEMU: "index" picks the port's defaults (COM1-4:
 * iobase 0x3f8, 0x2f8, 0x3e8, 0x2e8 and irq 4, 3, 4, 3); unset, it is
 * the number of isa-serial devices realized before on the bus (QEMU
 * counts them in a static, which comes to the same on one bus).
 * "iobase" and "irq" override the defaults; "chardev", "baudbase" and
 * "wakeup" are the core's, forwarded.
 * Difference from QEMU (which asserts or maps ports nobody can reach):
 * an irq above 15 or ports outside the I/O space fail realize.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/isa/isa.h"
#include "hw/char/serial.h"

OBJECT_DECLARE_TYPE(ISASerialState, ISASerialClass, ISA_SERIAL)

/* "unset" for index, iobase and irq (QEMU's default, -1 as uint32) */
#define ISA_SERIAL_UNSET UINT32_MAX

struct ISASerialState {
    ISADevice parent_obj;

    uint32_t index;             /* "index": 0..3, COM1..COM4 */
    uint32_t iobase;            /* "iobase": first of 8 ports */
    uint32_t isairq;            /* "irq": ISA IRQ 0..15 */
    SerialState state;          /* child "serial": the UART */
};

struct ISASerialClass {
    ISADeviceClass parent_class;
    DeviceUnrealize parent_unrealize;
};

static const uint16_t isa_serial_io[MAX_ISA_SERIAL_PORTS] = {
    0x3f8, 0x2f8, 0x3e8, 0x2e8
};
static const uint8_t isa_serial_irq[MAX_ISA_SERIAL_PORTS] = {
    4, 3, 4, 3
};

/* isa-serial devices already realized on @dev's bus. */
static uint32_t serial_isa_count_realized(DeviceState *dev)
{
    BusState *bus = qdev_get_parent_bus(dev);
    uint32_t n = 0;

    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *other = ((BusChild *)l->data)->child;

        if (other != dev && other->realized &&
            object_dynamic_cast(OBJECT(other), TYPE_ISA_SERIAL)) {
            n++;
        }
    }
    return n;
}

static void serial_isa_init(Object *obj)
{
    static const char *const core_props[] = { "baudbase", "chardev",
                                              "wakeup" };
    ISASerialState *isa = ISA_SERIAL(obj);

    object_initialize_child(obj, "serial", &isa->state, sizeof(isa->state),
                            TYPE_SERIAL);
    /* QEMU's qdev_alias_all_properties(): the core's static properties,
     * with their defaults for `-device isa-serial,help` */
    for (size_t i = 0; i < ARRAY_SIZE(core_props); i++) {
        ObjectProperty *target = object_property_find(OBJECT(&isa->state),
                                                      core_props[i]);
        ObjectProperty *alias = object_property_add_alias(
            obj, core_props[i], OBJECT(&isa->state), core_props[i]);

        if (target->defval && !alias->defval) {
            object_property_set_default(alias, target->defval);
        }
    }
}

static bool serial_isa_realize(DeviceState *dev, Error **errp)
{
    ISADevice *isadev = ISA_DEVICE(dev);
    ISASerialState *isa = ISA_SERIAL(dev);
    SerialState *s = &isa->state;

    if (isa->index == ISA_SERIAL_UNSET) {
        isa->index = serial_isa_count_realized(dev);
    }
    if (isa->index >= MAX_ISA_SERIAL_PORTS) {
        error_setg(errp, "Max. supported number of ISA serial ports is %d.",
                   MAX_ISA_SERIAL_PORTS);
        return false;
    }
    if (isa->iobase == ISA_SERIAL_UNSET) {
        isa->iobase = isa_serial_io[isa->index];
    }
    if (isa->isairq == ISA_SERIAL_UNSET) {
        isa->isairq = isa_serial_irq[isa->index];
    }
    if (isa->iobase > 0x10000 - 8) {
        error_setg(errp, "I/O ports 0x%" PRIx32 "..0x%" PRIx64 " are "
                   "outside the I/O space (0x0..0xffff)", isa->iobase,
                   (uint64_t)isa->iobase + 7);
        return false;
    }
    if (isa->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "Maximum value for \"irq\" is: %u",
                   ISA_NUM_IRQS - 1);
        return false;
    }
    if (!qdev_realize(DEVICE(s), NULL, errp)) {
        return false;
    }
    isa_init_irq(isadev, &s->irq, isa->isairq);
    memory_region_init_io(&s->io, OBJECT(isa), &serial_io_ops, s, "serial",
                          8);
    isa_register_ioport(isadev, &s->io, isa->iobase);
    return true;
}

static void serial_isa_unrealize(DeviceState *dev)
{
    ISASerialState *isa = ISA_SERIAL(dev);

    qdev_unrealize(DEVICE(&isa->state));
    ISA_SERIAL_GET_CLASS(dev)->parent_unrealize(dev);
}

static Property serial_isa_properties[] = {
    DEFINE_PROP_UINT32("index", ISASerialState, index, ISA_SERIAL_UNSET),
    DEFINE_PROP_UINT32("iobase", ISASerialState, iobase, ISA_SERIAL_UNSET),
    DEFINE_PROP_UINT32("irq", ISASerialState, isairq, ISA_SERIAL_UNSET),
    DEFINE_PROP_END_OF_LIST(),
};

static void serial_isa_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = serial_isa_realize;
    device_class_set_parent_unrealize(dc, serial_isa_unrealize,
                                      &ISA_SERIAL_CLASS(klass)->
                                      parent_unrealize);
    device_class_set_props(dc, serial_isa_properties);
    device_class_set_category(dc, DEVICE_CATEGORY_INPUT);
}

static const TypeInfo serial_isa_info = {
    .name = TYPE_ISA_SERIAL,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISASerialState),
    .instance_init = serial_isa_init,
    .class_size = sizeof(ISASerialClass),
    .class_init = serial_isa_class_init,
};

static void serial_isa_register_types(void)
{
    type_register_static(&serial_isa_info);
}

type_init(serial_isa_register_types)
