/*
 * qmp-commands.c - the table of qomu's QMP commands.  Adding a command
 * is one line here plus its handler in the file of its group (see
 * docs/devel/monitor.md); argument declarations are checked by the
 * dispatcher (include/monitor/qmp-commands.h).
 *
 * The set is a subset of QEMU 7.2's, each command with QEMU's name,
 * arguments and answer.
 */
#include "util/osdep.h"
#include "qmp-cmds.h"
#include "system/iothread.h"

static const QmpCommand qmp_builtin_commands[] = {
    { .name = "qmp_capabilities", .fn = qmp_qmp_capabilities,
      .args = "*enable:[str]" },
    { .name = "query-version", .fn = qmp_query_version },
    { .name = "query-commands", .fn = qmp_query_commands },
    { .name = "query-status", .fn = qmp_query_status },
    { .name = "stop", .fn = qmp_stop },
    { .name = "cont", .fn = qmp_cont },
    { .name = "system_reset", .fn = qmp_system_reset },
    { .name = "quit", .fn = qmp_quit },
    { .name = "query-kvm", .fn = qmp_query_kvm },
    { .name = "query-block", .fn = qmp_query_block_cmd },
    { .name = "query-iothreads", .fn = qmp_query_iothreads },
    { .name = "human-monitor-command", .fn = qmp_human_monitor_command,
      .args = "command-line:str,*cpu-index:int" },
    { .name = "qom-list", .fn = qmp_qom_list, .args = "path:str" },
    { .name = "qom-get", .fn = qmp_qom_get, .args = "path:str,property:str" },
    { .name = "qom-set", .fn = qmp_qom_set,
      .args = "path:str,property:str,value:any" },
    { .name = "qom-list-types", .fn = qmp_qom_list_types,
      .args = "*implements:str,*abstract:bool" },
    { .name = "qom-list-properties", .fn = qmp_qom_list_properties,
      .args = "typename:str" },
    { .name = "query-machines", .fn = qmp_query_machines },
    { .name = "query-cpus-fast", .fn = qmp_query_cpus_fast },
    { .name = "device-list-properties", .fn = qmp_device_list_properties,
      .args = "typename:str" },
    { .name = "device_add", .fn = qmp_device_add, .flags = QMP_CMD_ARGS_ANY },
    { .name = "object-add", .fn = qmp_object_add, .flags = QMP_CMD_ARGS_ANY },
    { .name = "object-del", .fn = qmp_object_del, .args = "id:str" },
};

static void qmp_register_builtin_commands(void)
{
    qmp_register_commands(qmp_builtin_commands,
                          G_N_ELEMENTS(qmp_builtin_commands));
}

/* At start-up, like type registration: nothing else depends on it. */
static void __attribute__((constructor)) qmp_commands_init(void)
{
    qmp_register_builtin_commands();
}

GVariant *qmp_list_reverse(GPtrArray *items)
{
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("av"));
    for (guint i = items->len; i-- > 0;) {
        g_variant_builder_add(&b, "v", items->pdata[i]);
    }
    return g_variant_builder_end(&b);
}

/* QEMU's qmp_query_commands(): [{"name": ...}], reverse registration
 * order (it prepends while walking its list). */
GVariant *qmp_query_commands(GVariant *args, Error **errp)
{
    GPtrArray *cmds = qmp_commands();
    g_autoptr(GPtrArray) items = g_ptr_array_new();

    for (guint i = 0; i < cmds->len; i++) {
        const QmpCommand *cmd = cmds->pdata[i];
        QmpDict d;

        qmp_dict_init(&d);
        qmp_dict_add_str(&d, "name", cmd->name);
        g_ptr_array_add(items, qmp_dict_end(&d));
    }
    return qmp_list_reverse(items);
}
