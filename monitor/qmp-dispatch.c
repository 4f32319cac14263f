/*
 * qmp-dispatch.c - from a parsed request to a response: the checks of
 * QEMU 7.2's qapi/qmp-dispatch.c (the request's members), those of its
 * generated marshallers (the command's arguments), the command registry
 * and the helpers handlers use.  See include/monitor/qmp-commands.h.
 *
 * Members are checked in the order QEMU's QDict iterates them, so that
 * of two problems the same one is reported (qmp_json_dict_order).
 */
#include "util/osdep.h"
#include "monitor/qmp-commands.h"
#include "monitor-internal.h"

static GPtrArray *commands;     /* const QmpCommand *, registration order */
static GHashTable *by_name;     /* name -> const QmpCommand * */

void qmp_register_commands(const QmpCommand *table, size_t n)
{
    if (!commands) {
        commands = g_ptr_array_new();
        by_name = g_hash_table_new(g_str_hash, g_str_equal);
    }
    for (size_t i = 0; i < n; i++) {
        if (g_hash_table_contains(by_name, table[i].name)) {
            g_error("QMP command '%s' registered twice", table[i].name);
        }
        g_ptr_array_add(commands, (gpointer)&table[i]);
        g_hash_table_insert(by_name, (gpointer)table[i].name,
                            (gpointer)&table[i]);
    }
}

const QmpCommand *qmp_find_command(const char *name)
{
    return by_name ? g_hash_table_lookup(by_name, name) : NULL;
}

GPtrArray *qmp_commands(void)
{
    if (!commands) {
        qmp_register_commands(NULL, 0);
    }
    return commands;
}

/* --- building answers ------------------------------------------------ */

GVariant *qmp_return_empty(void)
{
    return g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);
}

void qmp_dict_init(QmpDict *d)
{
    g_variant_builder_init(d, G_VARIANT_TYPE_VARDICT);
}

void qmp_dict_add(QmpDict *d, const char *key, GVariant *value)
{
    g_variant_builder_add(d, "{sv}", key, value);
}

void qmp_dict_add_str(QmpDict *d, const char *key, const char *value)
{
    qmp_dict_add(d, key, g_variant_new_string(value));
}

void qmp_dict_add_int(QmpDict *d, const char *key, int64_t value)
{
    qmp_dict_add(d, key, g_variant_new_int64(value));
}

void qmp_dict_add_bool(QmpDict *d, const char *key, bool value)
{
    qmp_dict_add(d, key, g_variant_new_boolean(value));
}

GVariant *qmp_dict_end(QmpDict *d)
{
    return g_variant_builder_end(d);
}

/* --- reading checked arguments --------------------------------------- */

GVariant *qmp_arg_value(GVariant *args, const char *name)
{
    return args ? g_variant_lookup_value(args, name, NULL) : NULL;
}

bool qmp_arg_has(GVariant *args, const char *name)
{
    g_autoptr(GVariant) v = qmp_arg_value(args, name);

    return v != NULL;
}

const char *qmp_arg_str(GVariant *args, const char *name)
{
    const char *s = NULL;

    /* The string lives in @args: "&s" borrows it. */
    if (args && g_variant_lookup(args, name, "&s", &s)) {
        return s;
    }
    return NULL;
}

bool qmp_arg_bool(GVariant *args, const char *name, bool def)
{
    gboolean b;

    return args && g_variant_lookup(args, name, "b", &b) ? b : def;
}

int64_t qmp_arg_int(GVariant *args, const char *name, int64_t def)
{
    g_autoptr(GVariant) v = qmp_arg_value(args, name);

    if (!v) {
        return def;
    }
    return g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)
           ? g_variant_get_int64(v) : (int64_t)g_variant_get_uint64(v);
}

/* --- checking a command's arguments ---------------------------------- */

/* What QEMU's input visitor calls each type in its messages. */
static bool arg_type_ok(const char *type, GVariant *v, const char *name,
                        Error **errp)
{
    const char *expected;

    if (!strcmp(type, "any")) {
        return true;
    }
    if (!strcmp(type, "str")) {
        if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
            return true;
        }
        expected = "string";
    } else if (!strcmp(type, "bool")) {
        if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
            return true;
        }
        expected = "boolean";
    } else if (!strcmp(type, "int")) {
        /* An int64: a uint64 beyond it, or a float, is no integer. */
        if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
            return true;
        }
        expected = "integer";
    } else if (!strcmp(type, "[str]")) {
        if (!g_variant_is_of_type(v, G_VARIANT_TYPE("av"))) {
            expected = "array";
        } else {
            for (gsize i = 0; i < g_variant_n_children(v); i++) {
                g_autoptr(GVariant) e = g_variant_get_child_value(v, i);
                g_autoptr(GVariant) inner = g_variant_get_variant(e);

                if (!g_variant_is_of_type(inner, G_VARIANT_TYPE_STRING)) {
                    error_setg(errp, "Invalid parameter type for '%s[%zu]', "
                               "expected: string", name, i);
                    return false;
                }
            }
            return true;
        }
    } else {
        g_assert_not_reached();
    }
    error_setg(errp, "Invalid parameter type for '%s', expected: %s", name,
               expected);
    return false;
}

/*
 * The marshaller's checks: each declared member in declaration order
 * (missing, wrong type), then the first member nobody declared.
 */
static bool qmp_check_args(const QmpCommand *cmd, GVariant *args,
                           Error **errp)
{
    g_auto(GStrv) specs = g_strsplit(cmd->args ? cmd->args : "", ",", 0);
    g_autoptr(GArray) order = NULL;
    g_autoptr(GHashTable) declared = g_hash_table_new_full(g_str_hash,
                                                           g_str_equal,
                                                           g_free, NULL);

    if (cmd->flags & QMP_CMD_ARGS_ANY) {
        return true;
    }
    for (int i = 0; specs[i] && specs[i][0]; i++) {
        bool optional = specs[i][0] == '*';
        g_autofree char *name = g_strdup(specs[i] + optional);
        char *type = strchr(name, ':');
        g_autoptr(GVariant) v = NULL;

        assert(type);
        *type++ = '\0';
        v = g_variant_lookup_value(args, name, NULL);
        if (!v) {
            if (!optional) {
                error_setg(errp, "Parameter '%s' is missing", name);
                return false;
            }
        } else if (!arg_type_ok(type, v, name, errp)) {
            return false;
        }
        g_hash_table_add(declared, g_strdup(name));
    }
    order = qmp_json_dict_order(args);
    for (guint i = 0; i < order->len; i++) {
        const char *key;

        g_variant_get_child(args, g_array_index(order, guint, i), "{&sv}",
                            &key, NULL);
        if (!g_hash_table_contains(declared, key)) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            return false;
        }
    }
    return true;
}

/* --- the request ------------------------------------------------------ */

/* QEMU's qmp_dispatch_check_obj(); returns the command name. */
static const char *qmp_check_request(GVariant *req, Error **errp)
{
    g_autoptr(GArray) order = qmp_json_dict_order(req);
    const char *exec = NULL;

    for (guint i = 0; i < order->len; i++) {
        g_autoptr(GVariant) value = NULL;
        const char *key;

        g_variant_get_child(req, g_array_index(order, guint, i), "{&sv}",
                            &key, &value);
        if (!strcmp(key, "execute")) {
            if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
                error_setg(errp, "QMP input member 'execute' must be a "
                           "string");
                return NULL;
            }
            exec = g_variant_get_string(value, NULL);
        } else if (!strcmp(key, "arguments")) {
            if (!g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT)) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                           "object");
                return NULL;
            }
        } else if (strcmp(key, "id")) {
            /* "exec-oob" too: qomu has no out-of-band execution. */
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return NULL;
        }
    }
    if (!exec) {
        error_setg(errp, "QMP input lacks member 'execute'");
    }
    return exec;                /* borrowed from @req */
}

static GVariant *qmp_run(GVariant *req, const char *only, Error **errp)
{
    const char *name = qmp_check_request(req, errp);
    const QmpCommand *cmd;
    g_autoptr(GVariant) args = NULL;
    GVariant *ret;

    if (!name) {
        return NULL;
    }
    cmd = (!only || !strcmp(name, only)) ? qmp_find_command(name) : NULL;
    if (!cmd) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "The command %s has not been found", name);
        return NULL;
    }
    args = g_variant_lookup_value(req, "arguments", G_VARIANT_TYPE_VARDICT);
    if (!args) {
        args = g_variant_ref_sink(qmp_return_empty());
    }
    if (!qmp_check_args(cmd, args, errp)) {
        return NULL;
    }
    ret = cmd->fn(args, errp);
    assert(!ret == !!*errp);
    /* Floating or not, the reference is now ours. */
    return ret ? g_variant_take_ref(ret) : NULL;
}

GVariant *qmp_dispatch_only(GVariant *request, const char *only)
{
    Error *err = NULL;
    g_autoptr(GVariant) ret = NULL;
    g_autoptr(GVariant) id = NULL;
    QmpDict rsp;

    if (!g_variant_is_of_type(request, G_VARIANT_TYPE_VARDICT)) {
        error_setg(&err, "QMP input must be a JSON object");
    } else {
        id = g_variant_lookup_value(request, "id", NULL);
        ret = qmp_run(request, only, &err);
    }
    qmp_dict_init(&rsp);
    if (err) {
        g_autofree char *desc = g_utf8_make_valid(error_get_pretty(err), -1);
        QmpDict e;

        qmp_dict_init(&e);
        qmp_dict_add_str(&e, "class", error_class_name(error_get_class(err)));
        qmp_dict_add_str(&e, "desc", desc);
        qmp_dict_add(&rsp, "error", qmp_dict_end(&e));
        error_free(err);
    } else {
        qmp_dict_add(&rsp, "return", ret);
    }
    if (id) {
        qmp_dict_add(&rsp, "id", id);
    }
    return g_variant_ref_sink(qmp_dict_end(&rsp));
}

GVariant *qmp_dispatch(GVariant *request)
{
    return qmp_dispatch_only(request, NULL);
}
