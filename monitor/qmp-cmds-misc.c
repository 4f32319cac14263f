/*
 * qmp-cmds-misc.c - QMP's protocol and run state commands:
 * qmp_capabilities, query-version, query-status, stop, cont,
 * system_reset, quit, query-kvm, human-monitor-command (QEMU 7.2's
 * monitor/qmp-cmds.c, qmp-cmds-control.c, softmmu/runstate.c).
 */
#include "util/osdep.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "block/block-backend.h"
#include "hw/core/cpu.h"
#include "system/options.h"
#include "system/runstate.h"
#include "monitor/hmp.h"
#include "monitor-internal.h"
#include "qmp-cmds.h"

GVariant *qmp_qmp_capabilities(GVariant *args, Error **errp)
{
    Monitor *mon = monitor_cur();

    /* Outside a QMP monitor (a test calling qmp_dispatch), there is
     * nothing to negotiate. */
    if (mon && monitor_is_qmp(mon) &&
        !monitor_qmp_negotiate(mon, args, errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

/* VersionInfo: QEMU's version, so that QEMU's clients accept us, and
 * qomu's in "package". */
GVariant *qmp_query_version(GVariant *args, Error **errp)
{
    QmpDict qemu, info;

    qmp_dict_init(&qemu);
    qmp_dict_add_int(&qemu, "major", QOMU_QEMU_VERSION_MAJOR);
    qmp_dict_add_int(&qemu, "minor", QOMU_QEMU_VERSION_MINOR);
    qmp_dict_add_int(&qemu, "micro", QOMU_QEMU_VERSION_MICRO);
    qmp_dict_init(&info);
    qmp_dict_add(&info, "qemu", qmp_dict_end(&qemu));
    qmp_dict_add_str(&info, "package", "qomu " QOMU_VERSION);
    return qmp_dict_end(&info);
}

/* StatusInfo: running, singlestep (always false: KVM), status. */
GVariant *qmp_query_status(GVariant *args, Error **errp)
{
    QmpDict info;

    qmp_dict_init(&info);
    qmp_dict_add_bool(&info, "running", runstate_is_running());
    qmp_dict_add_bool(&info, "singlestep", false);
    qmp_dict_add_str(&info, "status", runstate_name(runstate_get()));
    return qmp_dict_end(&info);
}

/* QEMU's qmp_stop(): vm_stop() changes nothing unless the vCPUs run, so
 * a stop in "prelaunch" stays in "prelaunch". */
GVariant *qmp_stop(GVariant *args, Error **errp)
{
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
    return qmp_return_empty();
}

/* QEMU's qmp_cont(), without migration: the drives' I/O status goes
 * back to "ok" (a VM stopped by werror=stop retries its request). */
GVariant *qmp_cont(GVariant *args, Error **errp)
{
    RunState state = runstate_get();

    if (state == RUN_STATE_INTERNAL_ERROR || state == RUN_STATE_SHUTDOWN) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return NULL;
    }
    blk_iostatus_reset_all();
    vm_start();
    return qmp_return_empty();
}

/* A request: the main loop resets, emits RESET, then the reply goes. */
GVariant *qmp_system_reset(GVariant *args, Error **errp)
{
    qomu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return qmp_return_empty();
}

GVariant *qmp_quit(GVariant *args, Error **errp)
{
    qomu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return qmp_return_empty();
}

/* KvmInfo: enabled (in use), present (built in). */
GVariant *qmp_query_kvm(GVariant *args, Error **errp)
{
    QmpDict info;

    qmp_dict_init(&info);
    qmp_dict_add_bool(&info, "enabled", kvm_enabled());
    qmp_dict_add_bool(&info, "present", accel_find("kvm") != NULL);
    return qmp_dict_end(&info);
}

/* QEMU's qmp_human_monitor_command(): the HMP output as a string. */
GVariant *qmp_human_monitor_command(GVariant *args, Error **errp)
{
    int64_t cpu_index = qmp_arg_int(args, "cpu-index", -1);
    g_autofree char *out = NULL;

    if (qmp_arg_has(args, "cpu-index")) {
        bool found = false;
        CPUState *cpu;

        CPU_FOREACH(cpu) {
            found |= cpu->cpu_index == cpu_index;
        }
        if (!found) {
            error_setg(errp, "Parameter 'cpu-index' expects a CPU number");
            return NULL;
        }
    }
    out = hmp_run_capture(qmp_arg_str(args, "command-line"), cpu_index);
    return g_variant_new_string(out);
}
