/*
 * hmp-info.c - HMP's "info" subcommands: block, cpus, kvm, mtree,
 * qom-tree, qtree, status, version, in QEMU 7.2's formats
 * (monitor/hmp-cmds.c, block/monitor/block-hmp-cmds.c, softmmu/memory.c,
 * qdev-monitor.c).
 */
#include "util/osdep.h"
#include "block/qapi.h"
#include "system/iothread.h"
#include "hw/core/cpu.h"
#include "hw/core/memory.h"
#include "system/options.h"
#include "system/runstate.h"
#include "monitor/hmp.h"
#include "monitor-internal.h"
#include "qmp-cmds.h"

/* `info block [-n] [-v] [device]`: block/qapi.c has the text. */
void hmp_info_block_cmd(Monitor *mon, GVariant *args)
{
    g_autoptr(GString) out = g_string_new(NULL);

    hmp_info_block(out, hmp_arg_str(args, "device"),
                   hmp_arg_flag(args, "verbose"), hmp_arg_flag(args, "nodes"));
    monitor_puts(mon, out->str);
}

/* "* CPU #0: thread_id=1234": '*' marks the monitor's CPU. */
void hmp_info_cpus(Monitor *mon, GVariant *args)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        monitor_printf(mon, "%c CPU #%d: thread_id=%d\n",
                       cpu->cpu_index == monitor_get_cpu_index(mon) ? '*'
                                                                    : ' ',
                       cpu->cpu_index, (int)cpu->thread_id);
    }
}

/* QEMU's hmp_info_iothreads(): one block per iothread, query-iothreads'
 * order. */
void hmp_info_iothreads(Monitor *mon, GVariant *args)
{
    g_autoptr(GVariant) list =
        g_variant_ref_sink(qmp_query_iothreads(NULL, NULL));

    for (gsize i = 0; i < g_variant_n_children(list); i++) {
        g_autoptr(GVariant) box = g_variant_get_child_value(list, i);
        g_autoptr(GVariant) info = g_variant_get_variant(box);
        const char *id = "";
        gint64 tid = 0, max_ns = 0, grow = 0, shrink = 0, batch = 0;

        g_variant_lookup(info, "id", "&s", &id);
        g_variant_lookup(info, "thread-id", "x", &tid);
        g_variant_lookup(info, "poll-max-ns", "x", &max_ns);
        g_variant_lookup(info, "poll-grow", "x", &grow);
        g_variant_lookup(info, "poll-shrink", "x", &shrink);
        g_variant_lookup(info, "aio-max-batch", "x", &batch);
        monitor_printf(mon, "%s:\n", id);
        monitor_printf(mon, "  thread_id=%" PRId64 "\n", tid);
        monitor_printf(mon, "  poll-max-ns=%" PRId64 "\n", max_ns);
        monitor_printf(mon, "  poll-grow=%" PRId64 "\n", grow);
        monitor_printf(mon, "  poll-shrink=%" PRId64 "\n", shrink);
        monitor_printf(mon, "  aio-max-batch=%" PRId64 "\n", batch);
    }
}

void hmp_info_kvm(Monitor *mon, GVariant *args)
{
    g_autoptr(GVariant) info = g_variant_ref_sink(qmp_query_kvm(NULL, NULL));
    gboolean enabled = false, present = false;

    g_variant_lookup(info, "enabled", "b", &enabled);
    g_variant_lookup(info, "present", "b", &present);
    monitor_printf(mon, "kvm support: ");
    if (present) {
        monitor_printf(mon, "%s\n", enabled ? "enabled" : "disabled");
    } else {
        monitor_printf(mon, "not compiled\n");
    }
}

/* -d (the dispatch tree) is accepted and prints nothing more: qomu's
 * dispatch is a binary search over the flat view, not QEMU's radix
 * tree. */
void hmp_info_mtree(Monitor *mon, GVariant *args)
{
    g_autoptr(GString) out = g_string_new(NULL);

    mtree_info_full(out, hmp_arg_flag(args, "flatview"),
                    hmp_arg_flag(args, "owner"),
                    hmp_arg_flag(args, "disabled"));
    monitor_puts(mon, out->str);
}

void hmp_info_qom_tree(Monitor *mon, GVariant *args)
{
    const char *path = hmp_arg_str(args, "path");
    g_autoptr(GString) out = g_string_new(NULL);
    bool ambiguous = false;
    Object *obj;

    if (path) {
        obj = object_resolve_path(path, &ambiguous);
        if (!obj) {
            monitor_printf(mon, "Path '%s' could not be resolved.\n", path);
            return;
        }
        if (ambiguous) {
            monitor_printf(mon, "Warning: Path '%s' is ambiguous.\n", path);
            return;
        }
    } else {
        obj = qdev_get_machine();
    }
    hmp_format_qom_tree(out, obj);
    monitor_puts(mon, out->str);
}

void hmp_info_qtree(Monitor *mon, GVariant *args)
{
    g_autoptr(GString) out = g_string_new(NULL);

    hmp_format_qtree(out);
    monitor_puts(mon, out->str);
}

/* "VM status: running", "VM status: paused (prelaunch)". */
void hmp_info_status(Monitor *mon, GVariant *args)
{
    RunState state = runstate_get();
    bool running = runstate_is_running();

    monitor_printf(mon, "VM status: %s", running ? "running" : "paused");
    if (!running && state != RUN_STATE_PAUSED) {
        monitor_printf(mon, " (%s)", runstate_name(state));
    }
    monitor_printf(mon, "\n");
}

/* QEMU prints major.minor.micro and the package with nothing between
 * ("7.2.22Debian 1:7.2+dfsg-7"); so does qomu. */
void hmp_info_version(Monitor *mon, GVariant *args)
{
    monitor_printf(mon, "%s%s\n", QOMU_QEMU_VERSION, "qomu " QOMU_VERSION);
}
