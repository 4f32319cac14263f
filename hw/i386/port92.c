/*
 * port92.c - "port92": the PS/2 "system control port A" at 0x92 (QEMU
 * 7.2's hw/i386/port92.c; IBM PS/2 technical reference, "System Control
 * Port A").
 *
 * Bit 1 drives the A20 gate (the "a20" GPIO output); setting bit 0
 * (from 0 to 1) is a fast reset: a system reset request.  Reads return
 * the last value written, as QEMU's (a PS/2 returns the A20 and reset
 * bits; the rest are reserved).  Under KVM the A20 line changes nothing:
 * the address bus always has A20, as QEMU's KVM CPUs do.
 * The device is part of the board (not user-creatable, as QEMU): the
 * board wires its A20 line.
 */
#include "util/osdep.h"
#include "hw/isa/isa.h"
#include "system/runstate.h"

#define TYPE_PORT92 "port92"
#define PORT92_A20_LINE "a20"
OBJECT_DECLARE_SIMPLE_TYPE(Port92State, PORT92)

struct Port92State {
    ISADevice parent_obj;

    uint8_t outport;            /* last value written */
    qemu_irq a20_out;           /* GPIO output "a20" */
    MemoryRegion io;
};

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    Port92State *s = opaque;

    return s->outport;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->outport;

    s->outport = val;
    qemu_set_irq(s->a20_out, (val >> 1) & 1);
    /* The reset is on the rising edge of bit 0. */
    if ((val & 1) && !(old & 1)) {
        qomu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

static void port92_reset(DeviceState *d)
{
    PORT92(d)->outport &= ~1;
}

static void port92_init(Object *obj)
{
    Port92State *s = PORT92(obj);

    memory_region_init_io(&s->io, obj, &port92_ops, s, "port92", 1);
    qdev_init_gpio_out_named(DEVICE(obj), &s->a20_out, PORT92_A20_LINE, 1);
}

static bool port92_realize(DeviceState *dev, Error **errp)
{
    isa_register_ioport(ISA_DEVICE(dev), &PORT92(dev)->io, 0x92);
    return true;
}

static void port92_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = port92_realize;
    dc->reset = port92_reset;
    /* Its A20 output must be wired by the board (QEMU's reason). */
    dc->user_creatable = false;
}

static const TypeInfo port92_info = {
    .name = TYPE_PORT92,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(Port92State),
    .instance_init = port92_init,
    .class_init = port92_class_init,
};

static void port92_register_types(void)
{
    type_register_static(&port92_info);
}

type_init(port92_register_types)
