/*
 * qmp-cmds.h - the handlers of qomu's QMP commands, private to
 * monitor/: one file per group (qmp-cmds-misc.c, qmp-cmds-qom.c,
 * qmp-cmds-machine.c, qmp-cmds-block.c), one table listing them all
 * (qmp-commands.c).
 * Each takes its checked arguments and returns its "return" value or
 * NULL with @errp set (see include/monitor/qmp-commands.h).
 */
#ifndef MONITOR_QMP_CMDS_H
#define MONITOR_QMP_CMDS_H

#include "monitor/qmp-commands.h"

/* qmp-cmds-misc.c: the protocol, the run state, HMP passthrough */
GVariant *qmp_qmp_capabilities(GVariant *args, Error **errp);
GVariant *qmp_query_version(GVariant *args, Error **errp);
GVariant *qmp_query_commands(GVariant *args, Error **errp);
GVariant *qmp_query_status(GVariant *args, Error **errp);
GVariant *qmp_stop(GVariant *args, Error **errp);
GVariant *qmp_cont(GVariant *args, Error **errp);
GVariant *qmp_system_reset(GVariant *args, Error **errp);
GVariant *qmp_quit(GVariant *args, Error **errp);
GVariant *qmp_query_kvm(GVariant *args, Error **errp);
GVariant *qmp_human_monitor_command(GVariant *args, Error **errp);

/* qmp-cmds-qom.c: the object tree and the types */
GVariant *qmp_qom_list(GVariant *args, Error **errp);
GVariant *qmp_qom_get(GVariant *args, Error **errp);
GVariant *qmp_qom_set(GVariant *args, Error **errp);
GVariant *qmp_object_add(GVariant *args, Error **errp);
GVariant *qmp_object_del(GVariant *args, Error **errp);
GVariant *qmp_qom_list_types(GVariant *args, Error **errp);
GVariant *qmp_qom_list_properties(GVariant *args, Error **errp);

/* qmp-cmds-machine.c: machines, CPUs, devices */
GVariant *qmp_query_machines(GVariant *args, Error **errp);
GVariant *qmp_query_cpus_fast(GVariant *args, Error **errp);
GVariant *qmp_device_list_properties(GVariant *args, Error **errp);
GVariant *qmp_device_add(GVariant *args, Error **errp);

/* qmp-cmds-block.c: block devices (qmp_query_block itself is the block
 * layer's data, include/block/qapi.h) */
GVariant *qmp_query_block_cmd(GVariant *args, Error **errp);

/*
 * QEMU builds its answer lists with QAPI_LIST_PREPEND while it walks, so
 * they come out in reverse walk order; qomu's lists follow the same rule
 * (qomu walks in insertion or name order where QEMU walks a hash
 * table).  qmp_list_reverse() ends such a list: @items are GVariant *
 * (floating), in walk order; returns the av.
 */
GVariant *qmp_list_reverse(GPtrArray *items);

#endif /* MONITOR_QMP_CMDS_H */
