/*
 * qdev-properties-system.c - the "chardev" static property (QEMU 7.2's
 * hw/core/qdev-properties-system.c, chardev and pci-devfn parts).  See
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

/* --- pci-devfn ----------------------------------------------------------- */

static GVariant *get_pci_devfn(Object *obj, ObjectProperty *op, Error **errp)
{
    int32_t *ptr = object_field_prop_ptr(obj, op->opaque);

    return g_variant_take_ref(g_variant_new_int64(*ptr));
}

/* Text stays text: set_pci_devfn parses it, as QEMU's visitor does. */
static GVariant *parse_pci_devfn(Object *obj, ObjectProperty *op,
                                 const char *string, Error **errp)
{
    return g_variant_take_ref(g_variant_new_string(string));
}

static bool set_pci_devfn(Object *obj, ObjectProperty *op, GVariant *value,
                          Error **errp)
{
    int32_t *ptr = object_field_prop_ptr(obj, op->opaque);
    unsigned int slot, fn;
    int n = 0;
    const char *str;
    int64_t v;

    if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
        if (!prop_value_int_range(value, op->name, INT32_MIN, INT32_MAX,
                                  "int32_t", &v, errp)) {
            return false;
        }
        if (v < -1 || v > 255) {
            error_setg(errp, "Parameter '%s' expects %s", op->name,
                       "a value between -1 and 255");
            return false;
        }
        *ptr = v;
        return true;
    }
    str = g_variant_get_string(value, NULL);
    /* QEMU's sscanf patterns, so "0x4" and " 4" are what QEMU makes of
     * them too. */
    if (sscanf(str, "%x.%x%n", &slot, &fn, &n) != 2) {
        fn = 0;
        if (sscanf(str, "%x%n", &slot, &n) != 1) {
            goto invalid;
        }
    }
    if (str[n] != '\0' || fn > 7 || slot > 31) {
        goto invalid;
    }
    *ptr = slot << 3 | fn;
    return true;

invalid:
    error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
               object_get_typename(obj), op->name, str);
    return false;
}

static char *print_pci_devfn(Object *obj, ObjectProperty *op,
                             GVariant *value)
{
    int64_t v = g_variant_get_int64(value);

    if (v == -1) {
        return g_strdup("<unset>");
    }
    return g_strdup_printf("%02x.%x", (int)(v >> 3), (int)(v & 7));
}

const PropertyInfo qdev_prop_pci_devfn = {
    .name = "int32",
    .description = "Slot and optional function number, example: 06.0 or 06",
    .get = get_pci_devfn,
    .set = set_pci_devfn,
    .parse = parse_pci_devfn,
    .print = print_pci_devfn,
    .set_default_value = qdev_propinfo_set_default_value_int,
};
