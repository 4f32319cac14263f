/*
 * machine.c - TYPE_MACHINE, the abstract base of every board (QEMU 7.2's
 * hw/core/machine.c and the machine parts of softmmu/vl.c).
 *
 * What is modelled: the properties that matter to a KVM-only x86 VMM
 * ("kernel", "initrd", "append", "graphics", "smp", "memory") with
 * QEMU's names, types, descriptions and messages; finding a machine
 * class by name or alias; `-machine help`; the life cycle from creation
 * (/machine and its two address spaces) through board init to
 * teardown.
 * Not modelled: NUMA, memory backends (-machine memory-backend=), device
 * trees, boot order ("boot"), confidential guests, hotplug handlers.
 *
 * Why ram_size lives in the machine and not in a backend object: QEMU
 * 7.2 wraps RAM in a "memory-backend-ram" object so that -object can
 * replace it; with no -object yet, the board allocates ms->ram directly
 * (machine_memory_init_ram) under the class's default_ram_id.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/error-report.h"
#include "hw/core/qdev.h"
#include "hw/core/qdev-globals.h"
#include "hw/core/sysbus.h"
#include "system/runstate.h"
#include "system/qom-help.h"
#include "machine/machine.h"

static MachineState *current_machine;
/* The bus machine_creation_done() registered for system_reset. */
static BusState *reset_bus;

MachineState *current_machine_get(void)
{
    return current_machine;
}

/* --- string and bool properties ------------------------------------------ */

static char *machine_get_kernel(Object *obj, Error **errp)
{
    return g_strdup(MACHINE(obj)->kernel_filename);
}

static void machine_set_kernel(Object *obj, const char *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->kernel_filename);
    ms->kernel_filename = g_strdup(value);
}

static char *machine_get_initrd(Object *obj, Error **errp)
{
    return g_strdup(MACHINE(obj)->initrd_filename);
}

static void machine_set_initrd(Object *obj, const char *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->initrd_filename);
    ms->initrd_filename = g_strdup(value);
}

static char *machine_get_append(Object *obj, Error **errp)
{
    return g_strdup(MACHINE(obj)->kernel_cmdline);
}

static void machine_set_append(Object *obj, const char *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->kernel_cmdline);
    ms->kernel_cmdline = g_strdup(value);
}

static bool machine_get_graphics(Object *obj, Error **errp)
{
    return MACHINE(obj)->enable_graphics;
}

static void machine_set_graphics(Object *obj, bool value, Error **errp)
{
    MACHINE(obj)->enable_graphics = value;
}

/* --- "smp" --------------------------------------------------------------- */

static GVariant *machine_get_smp(Object *obj, ObjectProperty *prop,
                                 Error **errp)
{
    MachineState *ms = MACHINE(obj);
    GVariantDict d;

    g_variant_dict_init(&d, NULL);
    g_variant_dict_insert(&d, "cpus", "x", (int64_t)ms->smp.cpus);
    g_variant_dict_insert(&d, "sockets", "x", (int64_t)ms->smp.sockets);
    g_variant_dict_insert(&d, "dies", "x", (int64_t)ms->smp.dies);
    g_variant_dict_insert(&d, "clusters", "x", (int64_t)ms->smp.clusters);
    g_variant_dict_insert(&d, "cores", "x", (int64_t)ms->smp.cores);
    g_variant_dict_insert(&d, "threads", "x", (int64_t)ms->smp.threads);
    g_variant_dict_insert(&d, "maxcpus", "x", (int64_t)ms->smp.max_cpus);
    return g_variant_ref_sink(g_variant_dict_end(&d));
}

static bool machine_set_smp(Object *obj, ObjectProperty *prop,
                            GVariant *value, Error **errp)
{
    SMPConfiguration config;

    return smp_config_from_variant(value, prop->name, &config, errp) &&
           machine_parse_smp_config(MACHINE(obj), &config, errp);
}

/* --- "memory" (-m) ------------------------------------------------------- */

/* QEMU's MemorySizeConfiguration. */
typedef struct MemorySizeConfiguration {
    bool has_size, has_max_size, has_slots;
    uint64_t size, max_size, slots;
} MemorySizeConfiguration;

/* One member read the keyval visitor's way: "size" and "max-size" are
 * sizes, "slots" an integer; JSON gives numbers directly. */
static bool mem_member(GVariant *v, const char *full_name, bool is_size,
                       uint64_t *out, Error **errp)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        const char *s = g_variant_get_string(v, NULL);

        return is_size ? input_keyval_size(full_name, s, out, errp)
                       : input_keyval_uint64(full_name, s, out, errp);
    }
    if (g_variant_is_container(v)) {
        error_setg(errp, "Parameters '%s.*' are unexpected", full_name);
        return false;
    }
    return prop_value_uint64(v, full_name, out, errp);
}

static bool mem_config_from_variant(GVariant *value, const char *name,
                                    MemorySizeConfiguration *mem,
                                    Error **errp)
{
    static const char *const members[] = { "size", "max-size", "slots" };
    bool *has[] = { &mem->has_size, &mem->has_max_size, &mem->has_slots };
    uint64_t *val[] = { &mem->size, &mem->max_size, &mem->slots };
    GVariantIter iter;
    const char *key;
    GVariant *member;

    if (!g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: object",
                   name);
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(members); i++) {
        g_autoptr(GVariant) v = g_variant_lookup_value(value, members[i],
                                                       NULL);
        g_autofree char *full = g_strdup_printf("%s.%s", name, members[i]);

        if (v && !mem_member(v, full, i < 2, val[i], errp)) {
            return false;
        }
        *has[i] = v != NULL;
    }
    g_variant_iter_init(&iter, value);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &member)) {
        if (!g_strv_contains(members, key)) {
            error_setg(errp, "Parameter '%s.%s' is unexpected", name, key);
            g_variant_unref(member);
            return false;
        }
    }
    return true;
}

static GVariant *machine_get_mem(Object *obj, ObjectProperty *prop,
                                 Error **errp)
{
    MachineState *ms = MACHINE(obj);
    GVariantDict d;

    g_variant_dict_init(&d, NULL);
    g_variant_dict_insert(&d, "size", "t", ms->ram_size);
    if (ms->ram_slots) {
        g_variant_dict_insert(&d, "max-size", "t", ms->maxram_size);
        g_variant_dict_insert(&d, "slots", "t", ms->ram_slots);
    }
    return g_variant_ref_sink(g_variant_dict_end(&d));
}

/* QEMU's machine_set_mem: defaults, 8 KiB alignment, maxmem checks. */
static bool machine_set_mem(Object *obj, ObjectProperty *prop,
                            GVariant *value, Error **errp)
{
    MachineState *ms = MACHINE(obj);
    MachineClass *mc = MACHINE_GET_CLASS(obj);
    MemorySizeConfiguration mem = { 0 };

    if (!mem_config_from_variant(value, prop->name, &mem, errp)) {
        return false;
    }
    if (!mem.has_size) {
        mem.size = mc->default_ram_size;
    }
    /* QEMU_ALIGN_UP(size, 8192): wraps to 0 near 2^64, as QEMU's does */
    mem.size = (mem.size + 8191) & ~(uint64_t)8191;
    if (mem.has_max_size) {
        if (mem.max_size < mem.size) {
            error_setg(errp, "invalid value of maxmem: maximum memory size "
                       "(0x%" PRIx64 ") must be at least the initial memory "
                       "size (0x%" PRIx64 ")", mem.max_size, mem.size);
            return false;
        }
        if (mem.has_slots && mem.slots && mem.max_size == mem.size) {
            error_setg(errp, "invalid value of maxmem: memory slots were "
                       "specified but maximum memory size (0x%" PRIx64 ") "
                       "is equal to the initial memory size (0x%" PRIx64 ")",
                       mem.max_size, mem.size);
            return false;
        }
        ms->maxram_size = mem.max_size;
    } else {
        if (mem.has_slots) {
            error_setg(errp, "slots specified but no max-size");
            return false;
        }
        ms->maxram_size = mem.size;
    }
    ms->ram_size = mem.size;
    ms->ram_slots = mem.has_slots ? mem.slots : 0;
    return true;
}

/* --- the type ------------------------------------------------------------ */

static void machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->default_ram_size = 128 << 20;   /* QEMU's default for every board */

    object_class_property_add_str(oc, "kernel", machine_get_kernel,
                                  machine_set_kernel);
    object_class_property_set_description(oc, "kernel",
                                          "Linux kernel image file");
    object_class_property_add_str(oc, "initrd", machine_get_initrd,
                                  machine_set_initrd);
    object_class_property_set_description(oc, "initrd",
                                          "Linux initial ramdisk file");
    object_class_property_add_str(oc, "append", machine_get_append,
                                  machine_set_append);
    object_class_property_set_description(oc, "append",
                                          "Linux kernel command line");
    object_class_property_add_bool(oc, "graphics", machine_get_graphics,
                                   machine_set_graphics);
    object_class_property_set_description(oc, "graphics",
        "Set on/off to enable/disable graphics emulation");
    object_class_property_add(oc, "smp", "SMPConfiguration",
                              machine_get_smp, machine_set_smp, NULL, NULL);
    object_class_property_set_description(oc, "smp", "CPU topology");
    object_class_property_add(oc, "memory", "MemorySizeConfiguration",
                              machine_get_mem, machine_set_mem, NULL, NULL);
    object_class_property_set_description(oc, "memory",
                                          "Memory size configuration");
}

/* Runs for every machine class before its class_init: the name comes
 * from the type name, and the CPU counts are at least 1. */
static void machine_class_base_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->max_cpus = mc->max_cpus ?: 1;
    mc->min_cpus = mc->min_cpus ?: 1;
    mc->default_cpus = mc->default_cpus ?: 1;
    if (!object_class_is_abstract(oc)) {
        const char *cname = object_class_get_name(oc);

        assert(g_str_has_suffix(cname, TYPE_MACHINE_SUFFIX));
        mc->name = g_strndup(cname,
                             strlen(cname) - strlen(TYPE_MACHINE_SUFFIX));
        /* Classes live for the whole process: never freed. */
        mc->compat_props = g_ptr_array_new();
    }
}

static void machine_instance_init(Object *obj)
{
    MachineState *ms = MACHINE(obj);
    MachineClass *mc = MACHINE_GET_CLASS(obj);

    container_get(obj, "/peripheral");
    container_get(obj, "/peripheral-anon");

    ms->enable_graphics = true;
    ms->kernel_cmdline = g_strdup("");
    ms->ram_size = mc->default_ram_size;
    ms->maxram_size = mc->default_ram_size;
    ms->smp = (CpuTopology) {
        .cpus = mc->default_cpus, .max_cpus = mc->default_cpus,
        .sockets = 1, .dies = 1, .clusters = 1, .cores = 1, .threads = 1,
    };
}

static void machine_instance_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->kernel_filename);
    g_free(ms->initrd_filename);
    g_free(ms->kernel_cmdline);
    g_free(ms->cpu_type);
}

static const TypeInfo machine_info = {
    .name = TYPE_MACHINE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .class_size = sizeof(MachineClass),
    .class_init = machine_class_init,
    .class_base_init = machine_class_base_init,
    .instance_size = sizeof(MachineState),
    .instance_init = machine_instance_init,
    .instance_finalize = machine_instance_finalize,
};

static void machine_register_types(void)
{
    type_register_static(&machine_info);
}

type_init(machine_register_types)

/* --- finding machines ---------------------------------------------------- */

MachineClass *machine_find_class(const char *name)
{
    GSList *machines = object_class_get_list(TYPE_MACHINE, false);
    MachineClass *found = NULL;

    for (GSList *el = machines; el && !found; el = el->next) {
        MachineClass *mc = el->data;

        if (!strcmp(mc->name, name) || !g_strcmp0(mc->alias, name)) {
            found = mc;
        }
    }
    g_slist_free(machines);
    return found;
}

MachineClass *machine_find_default(void)
{
    GSList *machines = object_class_get_list(TYPE_MACHINE, false);
    MachineClass *found = NULL;

    for (GSList *el = machines; el; el = el->next) {
        MachineClass *mc = el->data;

        if (mc->is_default) {
            assert(!found && "Multiple default machines");
            found = mc;
        }
    }
    g_slist_free(machines);
    return found;
}

/* QEMU's machine_class_cmp: families alphabetically (newest version
 * first inside one), then standalone machines by type name. */
static gint machine_class_cmp(gconstpointer a, gconstpointer b)
{
    const MachineClass *mc1 = a, *mc2 = b;
    int res;

    if (!mc1->family) {
        if (!mc2->family) {
            return strcmp(object_class_get_name(OBJECT_CLASS(mc1)),
                          object_class_get_name(OBJECT_CLASS(mc2)));
        }
        return 1;
    }
    if (!mc2->family) {
        return -1;
    }
    res = strcmp(mc1->family, mc2->family);
    if (res) {
        return res;
    }
    return strcmp(object_class_get_name(OBJECT_CLASS(mc2)),
                  object_class_get_name(OBJECT_CLASS(mc1)));
}

void machine_help(GString *out)
{
    GSList *machines = object_class_get_list(TYPE_MACHINE, false);

    g_string_append(out, "Supported machines are:\n");
    machines = g_slist_sort(machines, machine_class_cmp);
    for (GSList *el = machines; el; el = el->next) {
        MachineClass *mc = el->data;

        if (mc->alias) {
            g_string_append_printf(out, "%-20s %s (alias of %s)\n",
                                   mc->alias, mc->desc, mc->name);
        }
        g_string_append_printf(out, "%-20s %s%s%s\n", mc->name, mc->desc,
                               mc->is_default ? " (default)" : "",
                               mc->deprecation_reason ? " (deprecated)" : "");
    }
    g_slist_free(machines);
}

void machine_class_help(MachineClass *mc, GString *out)
{
    type_print_class_properties(out,
                                object_class_get_name(OBJECT_CLASS(mc)));
}

/* --- life cycle ---------------------------------------------------------- */

MachineState *machine_create(MachineClass *mc)
{
    MachineState *ms;

    assert(!current_machine && !phase_check(PHASE_MACHINE_CREATED));
    object_set_machine_compat_props(mc->compat_props);
    ms = MACHINE(object_new_with_class(OBJECT_CLASS(mc)));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(OBJECT(ms));       /* /machine holds it now */
    current_machine = ms;

    /* QEMU's cpu_exec_init_all(): the accelerator listens to these, so
     * they exist before it is initialised. */
    memory_map_init(&ms->system_memory, &ms->system_io,
                    &ms->as_memory, &ms->as_io);
    ms->memory_initialized = true;
    phase_advance(PHASE_MACHINE_CREATED);
    return ms;
}

bool machine_memory_init_ram(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);

    assert(mc->default_ram_id && !ms->ram);
    /* On failure the memory API has already unparented (finalized) it. */
    if (!memory_region_init_ram(&ms->ram_storage, OBJECT(ms),
                                mc->default_ram_id, ms->ram_size, errp)) {
        return false;
    }
    ms->ram = &ms->ram_storage;
    return true;
}

bool machine_run_board_init(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);

    assert(phase_check(PHASE_ACCEL_CREATED) &&
           !phase_check(PHASE_MACHINE_INITIALIZED));
    if (!ms->cpu_type && mc->default_cpu_type) {
        ms->cpu_type = g_strdup(mc->default_cpu_type);
    }
    /* QEMU's create_default_memdev(): the main RAM exists before init,
     * which only maps it. */
    if (mc->default_ram_id && ms->ram_size &&
        !machine_memory_init_ram(ms, errp)) {
        return false;
    }
    if (!mc->init(ms, errp)) {
        return false;
    }
    phase_advance(PHASE_MACHINE_INITIALIZED);
    return true;
}

void machine_creation_done(MachineState *ms)
{
    qdev_prop_check_globals();
    phase_advance(PHASE_MACHINE_READY);
    /*
     * As QEMU's qdev_machine_creation_done(): a system reset resets
     * everything on the system bus (and, recursively, on the buses
     * below it); then the machine starts from a reset.
     */
    reset_bus = sysbus_get_default();
    qomu_register_reset(qbus_reset_all_fn, reset_bus);
    qomu_system_reset(SHUTDOWN_CAUSE_NONE);
}

static void machine_unparent_child(Object *ms, const char *name)
{
    Object *child = object_resolve_path_component(ms, name);

    if (child) {
        object_unparent(child);
    }
}

/* Referenced: unparenting one child may destroy another (a sysbus device
 * that is a direct child of /machine, like /machine/i440fx, goes when
 * the main system bus in /machine/unattached goes). */
static int collect_child(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, object_ref(child));
    return 0;
}

void machine_destroy(void)
{
    MachineState *ms = current_machine;
    g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func(
        object_unref);

    if (!ms) {
        return;
    }
    /* The address spaces first: their containers hold references on
     * the devices whose regions are mapped.  Then everything below
     * /machine, which breaks the cycles through the machine (an alias of
     * its RAM, in /machine/unattached, references the machine), user
     * devices before the board's (they sit on the board's buses).  Then
     * the machine. */
    if (ms->memory_initialized) {
        memory_map_cleanup(&ms->system_memory, &ms->system_io,
                           &ms->as_memory, &ms->as_io);
        ms->memory_initialized = false;
    }
    machine_unparent_child(OBJECT(ms), "peripheral");
    machine_unparent_child(OBJECT(ms), "peripheral-anon");
    object_child_foreach(OBJECT(ms), collect_child, children);
    for (guint i = 0; i < children->len; i++) {
        if (OBJECT(children->pdata[i])->parent) {
            object_unparent(children->pdata[i]);
        }
    }
    g_ptr_array_set_size(children, 0);
    if (reset_bus) {
        qomu_unregister_reset(qbus_reset_all_fn, reset_bus);
        reset_bus = NULL;
    }
    current_machine = NULL;
    object_unparent(OBJECT(ms));
    /* QEMU never destroys a machine; qomu does (tests, clean exit), so
     * the next machine starts from scratch: PHASE_NO_MACHINE, and no
     * compat or -global properties (they described this machine). */
    phase_reset_for_test();
    qdev_globals_reset_for_test();
}
