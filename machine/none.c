/*
 * none.c - "-machine none", the empty machine (QEMU 7.2's
 * hw/core/null-machine.c): no devices, a CPU only if -cpu asks for one,
 * RAM at address 0 only if -m gives a size.  Useful to test device
 * models (-device) and the accelerator without a board around them.
 */
#include "util/osdep.h"
#include "machine/machine.h"

static bool machine_none_init(MachineState *ms, Error **errp)
{
    /* A CPU only if the user asked (-cpu): there is no default type. */
    if (ms->cpu_type) {
        machine_create_cpus(ms);
    }
    if (ms->ram) {
        memory_region_add_subregion(get_system_memory(), 0, ms->ram);
    }
    if (ms->kernel_filename) {
        error_setg(errp, "The -kernel parameter is not supported "
                   "(use the generic 'loader' device instead).");
        return false;
    }
    return true;
}

static void machine_none_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "empty machine";
    mc->init = machine_none_init;
    mc->max_cpus = 1;
    mc->default_ram_size = 0;
    mc->default_ram_id = "ram";
    mc->no_serial = true;
    mc->no_parallel = true;
    mc->no_floppy = true;
    mc->no_cdrom = true;
}

static const TypeInfo machine_none_info = {
    .name = MACHINE_TYPE_NAME("none"),
    .parent = TYPE_MACHINE,
    .class_init = machine_none_class_init,
};

static void machine_none_register_types(void)
{
    type_register_static(&machine_none_info);
}

type_init(machine_none_register_types)
