/*
 * isa-debugcon.c - "isa-debugcon": Bochs' "port E9" debug console (QEMU
 * 7.2's hw/char/debugcon.c).  Each byte the guest writes to the port goes
 * to the chardev; a read returns "readback" (0xe9 by default, so a guest
 * can detect the port).
 *
 * Writes run in the vCPU thread with the big lock held; the chardev
 * write may block (a terminal, a file, a socket client not reading):
 * see chardev/char-fd.c.  The byte is written with write_all so that it
 * is not lost to a short write (QEMU uses a single attempt).
 * Accesses are 1 byte (valid.max_access_size = 1, as QEMU): the memory
 * core splits a wider one, so "outw" to 0xe9 prints its low byte and the
 * high byte goes to port 0xea.
 */
#include "util/osdep.h"
#include "hw/isa/isa.h"
#include "hw/core/qdev-properties-system.h"

#define TYPE_ISA_DEBUGCON_DEVICE "isa-debugcon"
OBJECT_DECLARE_SIMPLE_TYPE(ISADebugconState, ISA_DEBUGCON_DEVICE)

struct ISADebugconState {
    ISADevice parent_obj;

    uint32_t iobase;            /* "iobase": the port, default 0xe9 */
    uint32_t readback;          /* "readback": what reads return, 0xe9 */
    CharBackend chr;            /* "chardev" */
    MemoryRegion io;
};

static void debugcon_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned width)
{
    ISADebugconState *s = opaque;
    uint8_t ch = val;

    qemu_chr_fe_write_all(&s->chr, &ch, 1);
}

static uint64_t debugcon_ioport_read(void *opaque, hwaddr addr,
                                     unsigned width)
{
    ISADebugconState *s = opaque;

    return s->readback;
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_ioport_read,
    .write = debugcon_ioport_write,
    .valid.min_access_size = 1,
    .valid.max_access_size = 1,
};

static bool debugcon_isa_realize(DeviceState *dev, Error **errp)
{
    ISADebugconState *s = ISA_DEBUGCON_DEVICE(dev);

    if (!qemu_chr_fe_backend_connected(&s->chr)) {
        error_setg(errp, "Can't create debugcon device, empty char device");
        return false;
    }
    if (s->iobase > 0xffff) {
        /* (QEMU maps it anyway, where no guest can reach it.) */
        error_setg(errp, "I/O port 0x%" PRIx32 " is outside the I/O space "
                   "(0x0..0xffff)", s->iobase);
        return false;
    }
    /* No input: the console only prints. */
    qemu_chr_fe_set_handlers(&s->chr, NULL, NULL, NULL, s, true);
    memory_region_init_io(&s->io, OBJECT(dev), &debugcon_ops, s,
                          TYPE_ISA_DEBUGCON_DEVICE, 1);
    isa_register_ioport(ISA_DEVICE(dev), &s->io, s->iobase);
    return true;
}

static Property debugcon_isa_properties[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugconState, iobase, 0xe9),
    DEFINE_PROP_CHR("chardev", ISADebugconState, chr),
    DEFINE_PROP_UINT32("readback", ISADebugconState, readback, 0xe9),
    DEFINE_PROP_END_OF_LIST(),
};

static void debugcon_isa_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = debugcon_isa_realize;
    device_class_set_props(dc, debugcon_isa_properties);
    device_class_set_category(dc, DEVICE_CATEGORY_MISC);
}

static const TypeInfo debugcon_isa_info = {
    .name = TYPE_ISA_DEBUGCON_DEVICE,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISADebugconState),
    .class_init = debugcon_isa_class_init,
};

static void debugcon_register_types(void)
{
    type_register_static(&debugcon_isa_info);
}

type_init(debugcon_register_types)
