/*
 * qdev-properties-system.c - the "chardev" static property (QEMU 7.2's
 * hw/core/qdev-properties-system.c, chardev part).  See
 * include/hw/core/qdev-properties-system.h.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties-system.h"

static GVariant *get_chr(Object *obj, ObjectProperty *op, Error **errp)
{
    CharBackend *be = object_field_prop_ptr(obj, op->opaque);
    const char *label = be->chr && be->chr->label ? be->chr->label : "";

    return g_variant_take_ref(g_variant_new_string(label));
}

static bool set_chr(Object *obj, ObjectProperty *op, GVariant *value,
                    Error **errp)
{
    ERRP_GUARD();
    CharBackend *be = object_field_prop_ptr(obj, op->opaque);
    const char *str;
    Chardev *s;

    if (!prop_value_str(value, op->name, &str, errp)) {
        return false;
    }
    /* QEMU's TODO: a second assignment would have to release the first. */
    if (be->chr) {
        error_setg(errp, "chardev property already set");
        return false;
    }
    if (!*str) {
        return true;
    }
    s = qemu_chr_find(str);
    if (!s) {
        error_setg(errp, "Property '%s.%s' can't find value '%s'",
                   object_get_typename(obj), op->name, str);
        return false;
    }
    if (!qemu_chr_fe_init(be, s, errp)) {
        error_prepend(errp, "Property '%s.%s' can't take value '%s': ",
                      object_get_typename(obj), op->name, str);
        return false;
    }
    return true;
}

static void release_chr(Object *obj, const char *name, void *opaque)
{
    qemu_chr_fe_deinit(object_field_prop_ptr(obj, opaque), false);
}

const PropertyInfo qdev_prop_chr = {
    .name = "str",
    .description = "ID of a chardev to use as a backend",
    .get = get_chr,
    .set = set_chr,
    .release = release_chr,
};
