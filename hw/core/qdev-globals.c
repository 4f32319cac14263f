/*
 * qdev-globals.c - global properties (-global, machine and accelerator
 * compat props): QEMU 7.2's object_apply_global_props() and compat-prop
 * slots from qom/object.c, the globals half of hw/core/qdev-properties.c
 * and qemu_global_option() from softmmu/qdev-monitor.c.  See
 * include/hw/core/qdev-globals.h.
 *
 * Deviation: QEMU parses -global into QemuOpts and registers them later
 * (qemu_add_globals); we register each at once, and "help" is not a help
 * request (qemu_opts_parse, not qemu_opts_parse_noisily).
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "util/qemu-opts.h"
#include "hw/core/qdev-globals.h"

/*
 * Compat props, applied in slot order, later overriding earlier:
 *   0: accelerator's, 1: machine's, 2: sugar from legacy options.
 * Slots 0 and 1 are borrowed; slot 2 is ours.
 */
static GPtrArray *object_compat_props[3];

/* User globals (-global); GlobalProperty *, borrowed. */
static GPtrArray *user_globals;

/* GlobalProperty * that we allocated (sugar and parsed -global). */
static GPtrArray *owned_globals;

/* QEMU's qemu_global_opts: the long form's keys (-global with an id
 * keeps its QemuOpts here, so that ids stay unique). */
static const QemuOptDesc global_opts_desc[] = {
    { .name = "driver", .type = QEMU_OPT_STRING },
    { .name = "property", .type = QEMU_OPT_STRING },
    { .name = "value", .type = QEMU_OPT_STRING },
    { /* end of list */ }
};

static QemuOptsList qemu_global_opts = {
    .name = "global",
    .desc = global_opts_desc,
};

static void global_prop_free(gpointer p)
{
    GlobalProperty *g = p;

    g_free((char *)g->driver);
    g_free((char *)g->property);
    g_free((char *)g->value);
    g_free(g);
}

/* A GlobalProperty with copies of the strings, freed by the reset. */
static GlobalProperty *global_prop_new(const char *driver,
                                       const char *property,
                                       const char *value, bool optional)
{
    GlobalProperty *g = g_new0(GlobalProperty, 1);

    g->driver = g_strdup(driver);
    g->property = g_strdup(property);
    g->value = g_strdup(value);
    g->optional = optional;
    if (!owned_globals) {
        owned_globals = g_ptr_array_new_with_free_func(global_prop_free);
    }
    g_ptr_array_add(owned_globals, g);
    return g;
}

static GPtrArray *global_props(void)
{
    if (!user_globals) {
        user_globals = g_ptr_array_new();
    }
    return user_globals;
}

/* --- applying --------------------------------------------------------- */

bool object_apply_global_props(Object *obj, const GPtrArray *props,
                               Error **errp)
{
    if (!props) {
        return true;
    }
    for (guint i = 0; i < props->len; i++) {
        GlobalProperty *p = g_ptr_array_index(props, i);
        Error *err = NULL;

        if (!object_dynamic_cast(obj, p->driver)) {
            continue;
        }
        if (p->optional && !object_property_find(obj, p->property)) {
            continue;
        }
        p->used = true;
        if (!object_property_parse(obj, p->property, p->value, &err)) {
            error_prepend(&err, "can't apply global %s.%s=%s: ",
                          p->driver, p->property, p->value);
            /* With errp NULL: warn and go on with the other globals. */
            if (errp) {
                error_propagate(errp, err);
                return false;
            }
            warn_report_err(err);
        }
    }
    return true;
}

void object_apply_compat_props(Object *obj)
{
    for (size_t i = 0; i < G_N_ELEMENTS(object_compat_props); i++) {
        /* A bad machine/accel compat prop is a bug; bad sugar, a user
         * mistake. */
        object_apply_global_props(obj, object_compat_props[i],
                                  i == 2 ? &error_fatal : &error_abort);
    }
}

void object_set_machine_compat_props(GPtrArray *compat_props)
{
    assert(!object_compat_props[1]);
    object_compat_props[1] = compat_props;
}

void object_set_accelerator_compat_props(GPtrArray *compat_props)
{
    assert(!object_compat_props[0]);
    object_compat_props[0] = compat_props;
}

void object_register_sugar_prop(const char *driver, const char *prop,
                                const char *value, bool optional)
{
    if (!object_compat_props[2]) {
        object_compat_props[2] = g_ptr_array_new();
    }
    g_ptr_array_add(object_compat_props[2],
                    global_prop_new(driver, prop, value, optional));
}

void qdev_prop_register_global(GlobalProperty *prop)
{
    g_ptr_array_add(global_props(), prop);
}

void qdev_prop_set_globals(DeviceState *dev)
{
    /* Fatal at cold plug; a hot-plugged device only gets warnings. */
    object_apply_global_props(OBJECT(dev), global_props(),
                              dev->hotplugged ? NULL : &error_fatal);
}

const GlobalProperty *qdev_find_global_prop(Object *obj, const char *name)
{
    GPtrArray *props = global_props();

    for (guint i = 0; i < props->len; i++) {
        const GlobalProperty *p = g_ptr_array_index(props, i);

        if (object_dynamic_cast(obj, p->driver) &&
            strcmp(p->property, name) == 0) {
            return p;
        }
    }
    return NULL;
}

int qdev_prop_check_globals(void)
{
    GPtrArray *props = global_props();
    int ret = 0;

    for (guint i = 0; i < props->len; i++) {
        GlobalProperty *prop = g_ptr_array_index(props, i);
        ObjectClass *oc;

        if (prop->used) {
            continue;
        }
        oc = object_class_dynamic_cast(object_class_by_name(prop->driver),
                                       TYPE_DEVICE);
        if (!oc) {
            warn_report("global %s.%s has invalid class name",
                        prop->driver, prop->property);
            ret = 1;
            continue;
        }
        /* A hot-pluggable device may still come along and use it. */
        if (!DEVICE_CLASS(oc)->hotpluggable) {
            warn_report("global %s.%s=%s not used",
                        prop->driver, prop->property, prop->value);
            ret = 1;
        }
    }
    return ret;
}

void qdev_globals_reset_for_test(void)
{
    object_compat_props[0] = NULL;
    object_compat_props[1] = NULL;
    g_clear_pointer(&object_compat_props[2], g_ptr_array_unref);
    g_clear_pointer(&user_globals, g_ptr_array_unref);
    g_clear_pointer(&owned_globals, g_ptr_array_unref);
    qemu_opts_reset(&qemu_global_opts);
}

/* --- -global parsing -------------------------------------------------- */

bool qemu_global_option(const char *str, Error **errp)
{
    char driver[64], property[64];
    const char *drv, *prop, *val;
    QemuOpts *opts;
    int offset = 0;

    /* The short form, exactly as QEMU matches it. */
    if (sscanf(str, "%63[^.=].%63[^=]%n", driver, property, &offset) == 2 &&
        str[offset] == '=') {
        qdev_prop_register_global(global_prop_new(driver, property,
                                                  str + offset + 1, false));
        return true;
    }

    opts = qemu_opts_parse(&qemu_global_opts, str, false, errp);
    if (!opts) {
        return false;
    }
    drv = qemu_opt_get(opts, "driver");
    prop = qemu_opt_get(opts, "property");
    val = qemu_opt_get(opts, "value");
    if (!drv || !prop || !val) {
        error_setg(errp, "options 'driver', 'property', and 'value'"
                   " are required");
        qemu_opts_del(opts);            /* QEMU exits instead */
        return false;
    }
    qdev_prop_register_global(global_prop_new(drv, prop, val, false));
    return true;
}
