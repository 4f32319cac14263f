/*
 * isa-debug-exit.c - "isa-debug-exit": an I/O port whose write ends the
 * VMM (QEMU 7.2's hw/misc/debugexit.c), for test guests.
 *
 * A write of V (1 to 4 bytes) at any port of [iobase, iobase + iosize)
 * makes the VMM exit with status (V << 1) | 1, so a guest can report
 * success or failure and a status is never 0.  Reads return 0.
 *
 * QEMU calls exit() right in the vCPU thread.  We ask for an orderly
 * shutdown instead (qomu_system_exit_request, runstate.h): the request
 * also stops the writing vCPU before it runs another guest instruction,
 * and the main loop then tears the machine down and exits with the
 * status.
 *
 * Difference from QEMU: iosize must be 1..0x10000 and the range must fit
 * in the 64 KiB I/O space (QEMU accepts any value and maps a region that
 * is empty or partly unreachable); a bad one fails realize with a
 * message saying which.
 */
#include "util/osdep.h"
#include "hw/isa/isa.h"
#include "hw/core/qdev-properties.h"
#include "system/runstate.h"

#define TYPE_ISA_DEBUG_EXIT_DEVICE "isa-debug-exit"
OBJECT_DECLARE_SIMPLE_TYPE(ISADebugExitState, ISA_DEBUG_EXIT_DEVICE)

/* The size of the x86 I/O port space. */
#define ISA_IO_SPACE_SIZE 0x10000

struct ISADebugExitState {
    ISADevice parent_obj;

    uint32_t iobase;            /* "iobase": first port, default 0x501 */
    uint32_t iosize;            /* "iosize": ports, default 2 */
    MemoryRegion io;
};

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned width)
{
    /* The status is an int, as exit()'s; QEMU truncates the same way. */
    qomu_system_exit_request((int)((val << 1) | 1));
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .valid.min_access_size = 1,
    .valid.max_access_size = 4,
};

static bool debug_exit_realize(DeviceState *d, Error **errp)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT_DEVICE(d);

    if (s->iosize == 0 || s->iosize > ISA_IO_SPACE_SIZE) {
        error_setg(errp, "iosize 0x%" PRIx32 " is invalid: it must be "
                   "between 1 and 0x10000", s->iosize);
        return false;
    }
    if (s->iobase >= ISA_IO_SPACE_SIZE ||
        s->iosize > ISA_IO_SPACE_SIZE - s->iobase) {
        error_setg(errp, "I/O ports 0x%" PRIx32 "..0x%" PRIx64 " are "
                   "outside the I/O space (0x0..0xffff)", s->iobase,
                   (uint64_t)s->iobase + s->iosize - 1);
        return false;
    }
    memory_region_init_io(&s->io, OBJECT(d), &debug_exit_ops, s,
                          TYPE_ISA_DEBUG_EXIT_DEVICE, s->iosize);
    isa_register_ioport(ISA_DEVICE(d), &s->io, s->iobase);
    return true;
}

static Property debug_exit_properties[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", ISADebugExitState, iosize, 0x02),
    DEFINE_PROP_END_OF_LIST(),
};

static void debug_exit_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = debug_exit_realize;
    device_class_set_props(dc, debug_exit_properties);
    device_class_set_category(dc, DEVICE_CATEGORY_MISC);
}

static const TypeInfo debug_exit_info = {
    .name = TYPE_ISA_DEBUG_EXIT_DEVICE,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(ISADebugExitState),
    .class_init = debug_exit_class_init,
};

static void debug_exit_register_types(void)
{
    type_register_static(&debug_exit_info);
}

type_init(debug_exit_register_types)
