/*
 * qmp-cmds-block.c - QMP's block commands: query-block (QEMU 7.2's
 * block/qapi.c qmp_query_block).  The block layer builds the answer
 * (include/block/qapi.h); the monitor's codec writes it as QEMU does.
 */
#include "util/osdep.h"
#include "block/qapi.h"
#include "qmp-cmds.h"

/* [BlockInfo, ...]: an aa{sv}, written as a JSON array of objects. */
GVariant *qmp_query_block_cmd(GVariant *args, Error **errp)
{
    return qmp_query_block();
}
