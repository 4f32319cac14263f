/*
 * hmp-commands.c - HMP's command tables and the commands that are not
 * "info" (QEMU 7.2's hmp-commands.hx and the matching hmp_* functions of
 * monitor/hmp-cmds.c, qom/qom-hmp-cmds.c, softmmu/qdev-monitor.c).
 * Adding a command is one table entry plus its handler; names, syntax
 * and help lines are QEMU's.  Most handlers call the QMP command, as
 * QEMU's do.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "util/cutils.h"
#include "util/keyval.h"
#include "qom/object.h"
#include "qom/user-creatable.h"
#include "system/qdev-monitor.h"
#include "system/runstate.h"
#include "monitor/hmp.h"
#include "monitor/qmp-json.h"
#include "monitor-internal.h"
#include "qmp-cmds.h"

/* Run QMP handler @fn with arguments @args (a{sv} text, floating). */
static GVariant *qmp_call(QmpCommandFn *fn, GVariant *args, Error **errp)
{
    g_autoptr(GVariant) a = g_variant_ref_sink(args);
    GVariant *ret = fn(a, errp);

    /* Floating or not, the reference is now ours. */
    return ret ? g_variant_take_ref(ret) : NULL;
}

static GVariant *args_path(const char *path)
{
    return g_variant_new_parsed("{'path': <%s>}", path);
}

/* --- the commands ----------------------------------------------------- */

static void hmp_help(Monitor *mon, GVariant *args)
{
    hmp_help_cmd(mon, hmp_arg_str(args, "name"));
}

/* `info` alone lists the info subcommands. */
static void hmp_info_help(Monitor *mon, GVariant *args)
{
    hmp_help_cmd(mon, "info");
}

static void hmp_stop(Monitor *mon, GVariant *args)
{
    g_autoptr(GVariant) r = qmp_call(qmp_stop, qmp_return_empty(), NULL);
}

static void hmp_cont(Monitor *mon, GVariant *args)
{
    Error *err = NULL;
    g_autoptr(GVariant) r = qmp_call(qmp_cont, qmp_return_empty(), &err);

    hmp_handle_error(mon, err);
}

static void hmp_system_reset(Monitor *mon, GVariant *args)
{
    g_autoptr(GVariant) r = qmp_call(qmp_system_reset, qmp_return_empty(),
                                     NULL);
}

/* No more input and no prompt: the VMM is going away. */
static void hmp_quit(Monitor *mon, GVariant *args)
{
    g_autoptr(GVariant) r = NULL;

    mon->suspend_cnt++;
    r = qmp_call(qmp_quit, qmp_return_empty(), NULL);
}

/* QEMU's hmp_qom_list(): "NAME (TYPE)" lines; no path prints "/". */
static void hmp_qom_list(Monitor *mon, GVariant *args)
{
    const char *path = hmp_arg_str(args, "path");
    Error *err = NULL;
    g_autoptr(GVariant) list = NULL;

    if (!path) {
        monitor_printf(mon, "/\n");
        return;
    }
    list = qmp_call(qmp_qom_list, args_path(path), &err);
    for (gsize i = 0; list && i < g_variant_n_children(list); i++) {
        g_autoptr(GVariant) v = g_variant_get_child_value(list, i);
        g_autoptr(GVariant) info = g_variant_get_variant(v);
        const char *name, *type;

        g_variant_lookup(info, "name", "&s", &name);
        g_variant_lookup(info, "type", "&s", &type);
        monitor_printf(mon, "%s (%s)\n", name, type);
    }
    hmp_handle_error(mon, err);
}

/* QEMU's hmp_qom_get(): the value as pretty JSON. */
static void hmp_qom_get(Monitor *mon, GVariant *args)
{
    Error *err = NULL;
    g_autoptr(GVariant) v = qmp_call(qmp_qom_get, g_variant_new_parsed(
        "{'path': <%s>, 'property': <%s>}", hmp_arg_str(args, "path"),
        hmp_arg_str(args, "property")), &err);

    if (v) {
        g_autofree char *json = qmp_json_to_string(v, true);

        monitor_printf(mon, "%s\n", json);
    }
    hmp_handle_error(mon, err);
}

/* QEMU's hmp_qom_set(): the value as text (QEMU's string visitor,
 * object_property_parse), or with -j as JSON. */
static void hmp_qom_set(Monitor *mon, GVariant *args)
{
    const char *path = hmp_arg_str(args, "path");
    const char *property = hmp_arg_str(args, "property");
    const char *value = hmp_arg_str(args, "value");
    Error *err = NULL;

    if (!hmp_arg_flag(args, "json")) {
        Object *obj = object_resolve_path(path, NULL);

        if (!obj) {
            error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        } else {
            object_property_parse(obj, property, value, &err);
        }
    } else {
        g_autoptr(GVariant) v = qmp_json_parse(value, &err);

        if (v) {
            QmpDict d;
            g_autoptr(GVariant) r = NULL;

            qmp_dict_init(&d);
            qmp_dict_add_str(&d, "path", path);
            qmp_dict_add_str(&d, "property", property);
            qmp_dict_add(&d, "value", v);
            r = qmp_call(qmp_qom_set, qmp_dict_end(&d), &err);
        }
    }
    hmp_handle_error(mon, err);
}

/* QEMU's hmp_device_add(): "help" lists the devices, DRIVER,help a
 * device's properties; otherwise -device's rules. */
static void hmp_device_add(Monitor *mon, GVariant *args)
{
    const char *driver = hmp_arg_str(args, "driver");
    Error *err = NULL;
    DeviceState *dev;

    if (driver && (!strcmp(driver, "help") || !strcmp(driver, "?"))) {
        g_autoptr(GString) out = g_string_new(NULL);

        qdev_print_devinfos(out, false);
        monitor_puts(mon, out->str);
        return;
    }
    dev = qdev_device_add_from_keyval(args, &err);
    if (dev) {
        object_unref(OBJECT(dev));
    }
    hmp_handle_error(mon, err);
}

/*
 * QEMU's hmp_object_add(): "help" and TYPE,help as -object; otherwise
 * the keyval string becomes object-add's arguments, each value of an
 * "int" property parsed as an integer (QEMU's keyval visitor: "Parameter
 * 'P' expects integer"), and object-add does the rest.
 */
static void hmp_object_add(Monitor *mon, GVariant *args)
{
    const char *spec = hmp_arg_str(args, "object");
    g_autoptr(GVariant) dict = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    ObjectClass *klass = NULL;
    const char *type, *key;
    Error *err = NULL;
    GVariantBuilder b;
    GVariantIter iter;
    GVariant *value;
    bool help = false;

    dict = keyval_parse(spec, "qom-type", &help, &err);
    if (!dict) {
        hmp_handle_error(mon, err);
        return;
    }
    type = keyval_get_str(dict, "qom-type");
    if (!type && help) {
        type = "help";
    }
    if (type && user_creatable_print_help(type, help, out)) {
        monitor_puts(mon, out->str);
        return;
    }
    if (type && user_creatable_type_ok(type)) {
        klass = object_class_by_name(type);
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        ObjectProperty *prop = klass ? object_class_property_find(klass, key)
                                     : NULL;
        const char *text = g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)
                           ? g_variant_get_string(value, NULL) : NULL;
        int64_t i64;

        if (prop && text && !strcmp(prop->type, "int")) {
            if (qemu_strtoi64(text, NULL, 0, &i64) < 0) {
                error_setg(&err, "Parameter '%s' expects integer", key);
                g_variant_unref(value);
                break;
            }
            g_variant_builder_add(&b, "{sv}", key, g_variant_new_int64(i64));
        } else {
            g_variant_builder_add(&b, "{sv}", key, value);
        }
    }
    if (err) {
        g_variant_builder_clear(&b);
    } else {
        g_autoptr(GVariant) r = qmp_call(qmp_object_add,
                                         g_variant_builder_end(&b), &err);
    }
    hmp_handle_error(mon, err);
}

static void hmp_object_del(Monitor *mon, GVariant *args)
{
    Error *err = NULL;

    user_creatable_del(hmp_arg_str(args, "id"), &err);
    hmp_handle_error(mon, err);
}

/* --- the tables (sorted by name, as QEMU's) --------------------------- */

const HmpCommand hmp_info_cmds[] = {
    { .name = "block", .args_type = "nodes:-n,verbose:-v,device:B?",
      .params = "[-n] [-v] [device]",
      .help = "show info of one block device or all block devices "
              "(-n: show named nodes; -v: show details)",
      .cmd = hmp_info_block_cmd },
    { .name = "cpus", .args_type = "", .params = "",
      .help = "show infos for each CPU", .cmd = hmp_info_cpus },
    { .name = "iothreads", .args_type = "", .params = "",
      .help = "show iothreads", .cmd = hmp_info_iothreads },
    { .name = "kvm", .args_type = "", .params = "",
      .help = "show KVM information", .cmd = hmp_info_kvm },
    { .name = "mtree",
      .args_type = "flatview:-f,dispatch_tree:-d,owner:-o,disabled:-D",
      .params = "[-f][-d][-o][-D]",
      .help = "show memory tree (-f: dump flat view for address spaces;"
              "-d: dump dispatch tree, valid with -f only);"
              "-o: dump region owners/parents;"
              "-D: dump disabled regions",
      .cmd = hmp_info_mtree },
    { .name = "qom-tree", .args_type = "path:s?", .params = "[path]",
      .help = "show QOM composition tree", .cmd = hmp_info_qom_tree },
    { .name = "qtree", .args_type = "", .params = "",
      .help = "show device tree", .cmd = hmp_info_qtree },
    { .name = "status", .args_type = "", .params = "",
      .help = "show the current VM status (running|paused)",
      .cmd = hmp_info_status },
    { .name = "version", .args_type = "", .params = "",
      .help = "show the version of QEMU", .cmd = hmp_info_version },
    { .name = NULL },
};

const HmpCommand hmp_cmds[] = {
    { .name = "cont|c", .args_type = "", .params = "",
      .help = "resume emulation", .cmd = hmp_cont },
    { .name = "device_add", .args_type = "device:O",
      .params = "driver[,prop=value][,...]",
      .help = "add device, like -device on the command line",
      .cmd = hmp_device_add },
    { .name = "help|?", .args_type = "name:S?", .params = "[cmd]",
      .help = "show the help", .cmd = hmp_help },
    { .name = "info", .args_type = "item:s?", .params = "[subcommand]",
      .help = "show various information about the system state",
      .cmd = hmp_info_help, .sub_table = hmp_info_cmds },
    { .name = "object_add", .args_type = "object:S",
      .params = "[qom-type=]type,id=str[,prop=value][,...]",
      .help = "create QOM object", .cmd = hmp_object_add },
    { .name = "object_del", .args_type = "id:s", .params = "id",
      .help = "destroy QOM object", .cmd = hmp_object_del },
    { .name = "qom-get", .args_type = "path:s,property:s",
      .params = "path property", .help = "print QOM property",
      .cmd = hmp_qom_get },
    { .name = "qom-list", .args_type = "path:s?", .params = "path",
      .help = "list QOM properties", .cmd = hmp_qom_list },
    { .name = "qom-set", .args_type = "json:-j,path:s,property:s,value:S",
      .params = "[-j] path property value",
      .help = "set QOM property.\n\t\t\t"
              "-j: the value is specified in json format.",
      .cmd = hmp_qom_set },
    { .name = "quit|q", .args_type = "", .params = "",
      .help = "quit the emulator", .cmd = hmp_quit },
    { .name = "stop|s", .args_type = "", .params = "",
      .help = "stop emulation", .cmd = hmp_stop },
    { .name = "system_reset", .args_type = "", .params = "",
      .help = "reset the system", .cmd = hmp_system_reset },
    { .name = NULL },
};
