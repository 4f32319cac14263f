/*
 * pc.c - "pc-i440fx-7.2" (alias "pc"), the default x86 machine (QEMU
 * 7.2's hw/i386/pc_piix.c pc_init1 and hw/i386/pc.c pc_memory_init).
 *
 * What is modelled: QEMU's guest physical memory layout (RAM below
 * 3.5 GiB, or below 3 GiB with the rest above 4 GiB for larger guests,
 * as "ram-below-4g"/"ram-above-4g" aliases of "pc.ram"); the CPUs with
 * QEMU's APIC ids; the ISA bus; -kernel with a Multiboot v1 image,
 * loaded directly (QEMU goes through SeaBIOS and an option ROM; the
 * guest sees the same Multiboot entry state).
 * Not modelled (yet): firmware (without -kernel there is nothing to
 * run), the i440FX host bridge and PIIX3 (PCI), ACPI ("acpi" is
 * accepted for command-line compatibility and does nothing), the Linux
 * boot protocol, PVH, HPET, RTC, the 8259/8254 (KVM's in-kernel ones
 * are used), SMM.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/x86-cpu.h"
#include "hw/isa/isa.h"
#include "machine/machine.h"

#define TYPE_PC_MACHINE MACHINE_TYPE_NAME("pc-i440fx-7.2")
OBJECT_DECLARE_SIMPLE_TYPE(PCMachineState, PC_MACHINE)

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)

/* Where RAM above 4 GiB starts (QEMU's x86ms->above_4g_mem_start). */
#define PC_ABOVE_4G_START (4 * GiB)
/* QEMU's default max_ram_below_4g: the PCI hole starts at 3.5 GiB. */
#define PC_DEFAULT_MAX_RAM_BELOW_4G UINT64_C(0xe0000000)

struct PCMachineState {
    MachineState parent_obj;

    uint64_t max_ram_below_4g;  /* "max-ram-below-4g", bytes; 0: default */
    OnOffAuto acpi;             /* "acpi": accepted, not modelled */
    uint64_t below_4g_mem_size; /* computed by pc_memory_init */
    uint64_t above_4g_mem_size;
    MemoryRegion ram_below_4g;  /* aliases of ms->ram */
    MemoryRegion ram_above_4g;
};

/* --- memory -------------------------------------------------------------- */

/*
 * QEMU's split (pc_init1, gigabyte_align on): up to max_ram_below_4g
 * below 4 GiB; a guest that large keeps only 3 GiB low (1 GiB aligned,
 * which KVM and the host's huge pages like) and the rest goes above.
 */
static void pc_split_ram(PCMachineState *pcms)
{
    MachineState *ms = MACHINE(pcms);
    uint64_t lowmem = pcms->max_ram_below_4g ?: PC_DEFAULT_MAX_RAM_BELOW_4G;

    if (ms->ram_size >= lowmem) {
        if (lowmem > 3 * GiB) {
            lowmem = 3 * GiB;
        }
        if (lowmem & (GiB - 1)) {
            warn_report("Large machine and max_ram_below_4g (%" PRIu64
                        ") not a multiple of 1G; possible bad performance.",
                        pcms->max_ram_below_4g);
        }
    }
    if (ms->ram_size >= lowmem) {
        pcms->above_4g_mem_size = ms->ram_size - lowmem;
        pcms->below_4g_mem_size = lowmem;
    } else {
        pcms->above_4g_mem_size = 0;
        pcms->below_4g_mem_size = ms->ram_size;
    }
}

/* QEMU's pc_memory_init(), the RAM part. */
static void pc_memory_init(PCMachineState *pcms)
{
    MachineState *ms = MACHINE(pcms);
    MemoryRegion *system_memory = get_system_memory();

    pc_split_ram(pcms);
    memory_region_init_alias(&pcms->ram_below_4g, NULL, "ram-below-4g",
                             ms->ram, 0, pcms->below_4g_mem_size);
    memory_region_add_subregion(system_memory, 0, &pcms->ram_below_4g);
    if (pcms->above_4g_mem_size > 0) {
        memory_region_init_alias(&pcms->ram_above_4g, NULL, "ram-above-4g",
                                 ms->ram, pcms->below_4g_mem_size,
                                 pcms->above_4g_mem_size);
        memory_region_add_subregion(system_memory, PC_ABOVE_4G_START,
                                    &pcms->ram_above_4g);
    }
}

/* --- the board ----------------------------------------------------------- */

/*
 * -kernel: QEMU's x86_load_linux() tries Multiboot first, then the Linux
 * boot protocol and PVH; qomu has only the first so far.
 */
static bool pc_load_kernel(MachineState *ms, Error **errp)
{
    switch (multiboot_probe(ms->kernel_filename, errp)) {
    case 1:
        return multiboot_load(ms, ms->kernel_filename, ms->kernel_cmdline,
                              x86_boot_state(), errp);
    case 0:
        error_setg(errp, "linux boot protocol not supported yet");
        error_append_hint(errp, "'%s' has no Multiboot header: -kernel "
                          "loads Multiboot v1 kernels only\n",
                          ms->kernel_filename);
        return false;
    default:
        return false;
    }
}

/* QEMU's pc_init1(), the parts qomu has (see the header comment). */
static bool pc_init1(MachineState *ms, Error **errp)
{
    PCMachineState *pcms = PC_MACHINE(ms);

    machine_create_cpus(ms);
    pc_memory_init(pcms);
    /* Until the PIIX3 PCI-ISA bridge exists, a plain bridge provides
     * the ISA bus (isa-debugcon, isa-debug-exit plug in there). */
    if (!isa_bus_create_default(errp)) {
        return false;
    }
    if (ms->kernel_filename) {
        return pc_load_kernel(ms, errp);
    }
    /* QEMU would run SeaBIOS here. */
    warn_report("no firmware: without -kernel the guest has nothing to "
                "run");
    return true;
}

/* --- properties ---------------------------------------------------------- */

static GVariant *pc_get_max_ram_below_4g(Object *obj, ObjectProperty *prop,
                                         Error **errp)
{
    return g_variant_ref_sink(
        g_variant_new_uint64(PC_MACHINE(obj)->max_ram_below_4g));
}

static bool pc_set_max_ram_below_4g(Object *obj, ObjectProperty *prop,
                                    GVariant *value, Error **errp)
{
    uint64_t v;

    if (!prop_value_uint64(value, prop->name, &v, errp)) {
        return false;
    }
    if (v > 4 * GiB) {
        error_setg(errp, "Machine option 'max-ram-below-4g=%" PRIu64
                   "' expects size less than or equal to 4G", v);
        return false;
    }
    if (v < 1 * MiB) {
        warn_report("Only %" PRIu64 " bytes of RAM below the 4GiB boundary,"
                    "BIOS may not work with less than 1MiB", v);
    }
    PC_MACHINE(obj)->max_ram_below_4g = v;
    return true;
}

static int pc_get_acpi(Object *obj, Error **errp)
{
    return PC_MACHINE(obj)->acpi;
}

static void pc_set_acpi(Object *obj, int value, Error **errp)
{
    PC_MACHINE(obj)->acpi = value;
}

/* --- the type ------------------------------------------------------------ */

static void pc_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->alias = "pc";
    mc->desc = "Standard PC (i440FX + PIIX, 1996)";
    mc->family = "pc_piix";
    mc->is_default = true;
    mc->init = pc_init1;
    mc->max_cpus = 255;
    mc->default_cpu_type = X86_CPU_TYPE_NAME("qemu64");
    mc->default_ram_id = "pc.ram";
    /* Since QEMU 4.1 a PC models dies; clusters are an ARM thing. */
    mc->smp_props.dies_supported = true;

    object_class_property_add(oc, "max-ram-below-4g", "size",
                              pc_get_max_ram_below_4g,
                              pc_set_max_ram_below_4g, NULL, NULL);
    object_class_property_set_description(oc, "max-ram-below-4g",
        "Maximum ram below the 4G boundary (32bit boundary)");
    object_class_property_add_enum(oc, "acpi", "OnOffAuto",
                                   &OnOffAuto_lookup, pc_get_acpi,
                                   pc_set_acpi);
    object_class_property_set_description(oc, "acpi", "Enable ACPI");
}

static const TypeInfo pc_machine_info = {
    .name = TYPE_PC_MACHINE,
    .parent = TYPE_MACHINE,
    .instance_size = sizeof(PCMachineState),
    .class_init = pc_machine_class_init,
};

static void pc_machine_register_types(void)
{
    type_register_static(&pc_machine_info);
}

type_init(pc_machine_register_types)
