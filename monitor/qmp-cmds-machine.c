/*
 * qmp-cmds-machine.c - QMP's machine, CPU and device commands:
 * query-machines, query-cpus-fast, device-list-properties, device_add
 * (QEMU 7.2's hw/core/machine-qmp-cmds.c, qom/qom-qmp-cmds.c,
 * softmmu/qdev-monitor.c).
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "hw/core/cpu.h"
#include "hw/core/qdev-user.h"
#include "machine/machine.h"
#include "system/qdev-monitor.h"
#include "util/qemu-opts.h"
#include "qmp-cmds.h"

/* MachineInfo, QEMU's member order.  qomu has no CPU hotplug and no
 * NUMA, so both flags are false. */
GVariant *qmp_query_machines(GVariant *args, Error **errp)
{
    GSList *machines = object_class_get_list(TYPE_MACHINE, false);
    g_autoptr(GPtrArray) items = g_ptr_array_new();

    for (GSList *l = machines; l; l = l->next) {
        MachineClass *mc = l->data;
        QmpDict d;

        qmp_dict_init(&d);
        qmp_dict_add_str(&d, "name", mc->name);
        if (mc->alias) {
            qmp_dict_add_str(&d, "alias", mc->alias);
        }
        if (mc->is_default) {
            qmp_dict_add_bool(&d, "is-default", true);
        }
        qmp_dict_add_int(&d, "cpu-max", mc->max_cpus ? mc->max_cpus : 1);
        qmp_dict_add_bool(&d, "hotpluggable-cpus", false);
        qmp_dict_add_bool(&d, "numa-mem-supported", false);
        qmp_dict_add_bool(&d, "deprecated", mc->deprecation_reason != NULL);
        if (mc->default_cpu_type) {
            qmp_dict_add_str(&d, "default-cpu-type", mc->default_cpu_type);
        }
        if (mc->default_ram_id) {
            qmp_dict_add_str(&d, "default-ram-id", mc->default_ram_id);
        }
        g_ptr_array_add(items, qmp_dict_end(&d));
    }
    g_slist_free(machines);
    return qmp_list_reverse(items);
}

/*
 * CpuInstanceProperties of an x86 CPU: QEMU's x86_topo_ids_from_idx()
 * on the -smp topology ("die-id" only with several dies).  QEMU's
 * "none" machine has no such mapping and shows no "props"; nor does
 * qomu's.
 */
static GVariant *cpu_props(MachineState *ms, CPUState *cpu)
{
    unsigned dies = ms->smp.dies ? ms->smp.dies : 1;
    unsigned cores = ms->smp.cores ? ms->smp.cores : 1;
    unsigned threads = ms->smp.threads ? ms->smp.threads : 1;
    unsigned idx = cpu->cpu_index;
    QmpDict d;

    qmp_dict_init(&d);
    qmp_dict_add_int(&d, "socket-id", idx / (dies * cores * threads));
    if (dies > 1) {
        qmp_dict_add_int(&d, "die-id", idx / (cores * threads) % dies);
    }
    qmp_dict_add_int(&d, "core-id", idx / threads % cores);
    qmp_dict_add_int(&d, "thread-id", idx % threads);
    return qmp_dict_end(&d);
}

/* CpuInfoFast: cpu-index, qom-path, thread-id (the vCPU thread's kernel
 * tid), props, target. */
GVariant *qmp_query_cpus_fast(GVariant *args, Error **errp)
{
    MachineState *ms = current_machine_get();
    bool has_props = ms && strcmp(MACHINE_GET_CLASS(ms)->name, "none");
    GVariantBuilder b;
    CPUState *cpu;

    g_variant_builder_init(&b, G_VARIANT_TYPE("av"));
    CPU_FOREACH(cpu) {
        g_autofree char *path = object_get_canonical_path(OBJECT(cpu));
        QmpDict d;

        qmp_dict_init(&d);
        qmp_dict_add_int(&d, "cpu-index", cpu->cpu_index);
        qmp_dict_add_str(&d, "qom-path", path ? path : "");
        qmp_dict_add_int(&d, "thread-id", cpu->thread_id);
        if (has_props) {
            qmp_dict_add(&d, "props", cpu_props(ms, cpu));
        }
        qmp_dict_add_str(&d, "target", "x86_64");
        g_variant_builder_add(&b, "v", qmp_dict_end(&d));
    }
    return g_variant_builder_end(&b);
}

/* ObjectPropertyInfo with default-value, in the order of
 * qdev_device_list_properties() (which stands for QEMU's hash order;
 * for the devices qomu has it is QEMU's order). */
GVariant *qmp_device_list_properties(GVariant *args, Error **errp)
{
    g_autoptr(GPtrArray) props = qdev_device_list_properties(
        qmp_arg_str(args, "typename"), errp);
    GVariantBuilder b;

    if (!props) {
        return NULL;
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE("av"));
    for (guint i = 0; i < props->len; i++) {
        DevicePropertyInfo *p = props->pdata[i];
        QmpDict d;

        qmp_dict_init(&d);
        qmp_dict_add_str(&d, "name", p->name);
        qmp_dict_add_str(&d, "type", p->type);
        if (p->description) {
            qmp_dict_add_str(&d, "description", p->description);
        }
        if (p->default_value) {
            qmp_dict_add(&d, "default-value", p->default_value);
        }
        g_variant_builder_add(&b, "v", qmp_dict_end(&d));
    }
    return g_variant_builder_end(&b);
}

/*
 * QEMU 7.2's device_add goes through QemuOpts (qemu_opts_from_qdict):
 * strings stay, numbers and booleans become text ("244", "on"), other
 * values are ignored; the id must be an identifier.  The device is then
 * made as -device makes it, so errors are -device's.  Once the machine
 * is ready (with -S too) this is hot-plug, and a bus without hotplug
 * (ISA) answers "Bus 'isa.0' does not support hotplugging", as QEMU.
 */
GVariant *qmp_device_add(GVariant *args, Error **errp)
{
    QemuOptsList check = { .name = "device" };
    g_autoptr(GVariant) id = g_variant_lookup_value(args, "id",
                                                    G_VARIANT_TYPE_STRING);
    GVariantBuilder b;
    GVariantIter iter;
    const char *key;
    GVariant *value;
    DeviceState *dev;
    bool ok;

    ok = qemu_opts_create(&check, id ? g_variant_get_string(id, NULL)
                                     : NULL, errp) != NULL;
    qemu_opts_reset(&check);
    if (!ok) {
        return NULL;
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, args);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        g_autofree char *text = NULL;

        if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            text = g_variant_dup_string(value, NULL);
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
            text = g_strdup(g_variant_get_boolean(value) ? "on" : "off");
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64)) {
            text = g_strdup_printf("%" PRId64, g_variant_get_int64(value));
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64)) {
            text = g_strdup_printf("%" PRIu64, g_variant_get_uint64(value));
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE)) {
            text = g_strdup_printf("%.17g", g_variant_get_double(value));
        } else {
            continue;
        }
        g_variant_builder_add(&b, "{sv}", key, g_variant_new_string(text));
    }
    {
        g_autoptr(GVariant) opts = g_variant_ref_sink(
            g_variant_builder_end(&b));

        dev = qdev_device_add_from_keyval(opts, errp);
    }
    if (!dev) {
        return NULL;
    }
    object_unref(OBJECT(dev));
    return qmp_return_empty();
}
