/*
 * qmp-commands.h - QMP commands: how one is declared, how its arguments
 * are checked, and how it answers (QEMU 7.2's qapi/qmp-dispatch.c and
 * the marshallers its QAPI generator writes).  docs/devel/monitor.md
 * walks through adding one.
 *
 * A command is one QmpCommand table entry plus a handler:
 *
 *   static GVariant *qmp_query_kvm(GVariant *args, Error **errp) { ... }
 *   { .name = "query-kvm", .fn = qmp_query_kvm },            no arguments
 *   { .name = "qom-get", .fn = qmp_qom_get,
 *     .args = "path:str,property:str" },
 *   { .name = "qom-list-types", .fn = qmp_qom_list_types,
 *     .args = "*implements:str,*abstract:bool" },            '*': optional
 *
 * The dispatcher checks the arguments against the declaration before the
 * handler runs, with the messages of QEMU's generated marshallers:
 *   "Parameter 'property' is missing"
 *   "Invalid parameter type for 'path', expected: string"
 *   "Parameter 'x' is unexpected"
 * Types: str, bool, int (a signed 64-bit integer), any (any JSON value,
 * null included), [str] (a list of strings).  So a handler reads its
 * arguments with the getters below without checking them again.
 *
 * Values are GVariants in the codec's mapping (monitor/qmp-json.h):
 * objects are a{sv}, arrays av, integers x (or t), strings s.  A handler
 * returns its "return" value (a floating or a full reference: the
 * dispatcher takes it either way, g_variant_take_ref),
 * or NULL with @errp set; the error's class and message go to the client
 * as {"error": {"class": ..., "desc": ...}}.
 *
 * Threads: handlers run in the main thread with the big lock held.
 */
#ifndef MONITOR_QMP_COMMANDS_H
#define MONITOR_QMP_COMMANDS_H

#include "util/osdep.h"
#include "util/error.h"

typedef GVariant *QmpCommandFn(GVariant *args, Error **errp);

typedef enum QmpCommandFlags {
    /* Skip the argument check: the handler takes any members (QEMU's
     * 'gen': false commands, e.g. device_add). */
    QMP_CMD_ARGS_ANY = 1 << 0,
} QmpCommandFlags;

typedef struct QmpCommand {
    const char *name;           /* "qom-get" */
    QmpCommandFn *fn;
    const char *args;           /* "name:type,*name:type", or NULL: none */
    unsigned flags;             /* QmpCommandFlags */
} QmpCommand;

/*
 * qmp_register_commands: add @n commands from @table (static, kept by
 * reference) to the commands QMP knows.  qomu's own table is
 * monitor/qmp-commands.c; a test or an optional subsystem may add more.
 * A name already registered is a bug (aborts).
 */
void qmp_register_commands(const QmpCommand *table, size_t n);

/* The command called @name, or NULL. */
const QmpCommand *qmp_find_command(const char *name);

/* Every command, in registration order (borrowed). */
GPtrArray *qmp_commands(void);

/*
 * qmp_dispatch: run one request (a parsed JSON value): QEMU's
 * qmp_dispatch() after capabilities negotiation.  Returns the response
 * ({"return": ...} or {"error": ...}, with "id" echoed), a new
 * reference.  Main thread, big lock held.  For monitors and tests; the
 * monitor adds negotiation on top (monitor/qmp.c).
 */
GVariant *qmp_dispatch(GVariant *request);

/* --- reading checked arguments --- */

/* String argument @name, or NULL if it is optional and absent. */
const char *qmp_arg_str(GVariant *args, const char *name);
/* Boolean / integer argument, @def if optional and absent. */
bool qmp_arg_bool(GVariant *args, const char *name, bool def);
int64_t qmp_arg_int(GVariant *args, const char *name, int64_t def);
/* True if @name was given. */
bool qmp_arg_has(GVariant *args, const char *name);
/* Any argument's value (a new reference), or NULL if absent. */
GVariant *qmp_arg_value(GVariant *args, const char *name);

/* --- building answers --- */

/* {} (what commands without a result return). */
GVariant *qmp_return_empty(void);

/*
 * QmpDict: an a{sv} under construction.  Members are added in QEMU's
 * schema order: it decides the order they are printed in (see
 * qmp_json_dict_order), so add them in the order of the QAPI schema.
 */
typedef GVariantBuilder QmpDict;
void qmp_dict_init(QmpDict *d);
void qmp_dict_add(QmpDict *d, const char *key, GVariant *value);
void qmp_dict_add_str(QmpDict *d, const char *key, const char *value);
void qmp_dict_add_int(QmpDict *d, const char *key, int64_t value);
void qmp_dict_add_bool(QmpDict *d, const char *key, bool value);
GVariant *qmp_dict_end(QmpDict *d);

#endif /* MONITOR_QMP_COMMANDS_H */
