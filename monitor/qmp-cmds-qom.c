/*
 * qmp-cmds-qom.c - QMP's object tree and type commands: qom-list,
 * qom-get, qom-set, qom-list-types, qom-list-properties, object-add,
 * object-del (QEMU 7.2's qom/qom-qmp-cmds.c).  Properties are read and written through
 * object_property_get/set, whose GVariants are the codec's values, so
 * a property's own setter answers a wrong JSON type with QEMU's message.
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "qom/user-creatable.h"
#include "qmp-cmds.h"

/* ObjectPropertyInfo: name, type (then description, for types). */
static GVariant *property_info(ObjectProperty *prop, bool with_description)
{
    QmpDict d;

    qmp_dict_init(&d);
    qmp_dict_add_str(&d, "name", prop->name);
    qmp_dict_add_str(&d, "type", prop->type);
    if (with_description && prop->description) {
        qmp_dict_add_str(&d, "description", prop->description);
    }
    return qmp_dict_end(&d);
}

/* The ObjectPropertyInfo of every property object_property_iter walks
 * (instance, then the class and its ancestors), in QEMU's order. */
static GVariant *list_properties(ObjectPropertyIterator *iter,
                                 bool with_description)
{
    g_autoptr(GPtrArray) items = g_ptr_array_new();
    ObjectProperty *prop;

    while ((prop = object_property_iter_next(iter))) {
        g_ptr_array_add(items, property_info(prop, with_description));
    }
    return qmp_list_reverse(items);
}

GVariant *qmp_qom_list(GVariant *args, Error **errp)
{
    const char *path = qmp_arg_str(args, "path");
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    ObjectPropertyIterator iter;

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return NULL;
    }
    object_property_iter_init(&iter, obj);
    return list_properties(&iter, false);
}

/* A child or link reads as the path of its object (its getter's "s"). */
GVariant *qmp_qom_get(GVariant *args, Error **errp)
{
    const char *path = qmp_arg_str(args, "path");
    Object *obj = object_resolve_path(path, NULL);

    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", path);
        return NULL;
    }
    return object_property_get(obj, qmp_arg_str(args, "property"), errp);
}

GVariant *qmp_qom_set(GVariant *args, Error **errp)
{
    const char *path = qmp_arg_str(args, "path");
    Object *obj = object_resolve_path(path, NULL);
    g_autoptr(GVariant) value = qmp_arg_value(args, "value");

    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", path);
        return NULL;
    }
    if (!object_property_set(obj, qmp_arg_str(args, "property"), value,
                             errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

/* ObjectTypeInfo: name, abstract (only when true), parent. */
static void list_types_one(ObjectClass *klass, void *opaque)
{
    ObjectClass *parent = object_class_get_parent(klass);
    QmpDict d;

    qmp_dict_init(&d);
    qmp_dict_add_str(&d, "name", object_class_get_name(klass));
    if (object_class_is_abstract(klass)) {
        qmp_dict_add_bool(&d, "abstract", true);
    }
    if (parent) {
        qmp_dict_add_str(&d, "parent", object_class_get_name(parent));
    }
    g_ptr_array_add(opaque, qmp_dict_end(&d));
}

GVariant *qmp_qom_list_types(GVariant *args, Error **errp)
{
    g_autoptr(GPtrArray) items = g_ptr_array_new();

    object_class_foreach(list_types_one, qmp_arg_str(args, "implements"),
                         qmp_arg_bool(args, "abstract", false), items);
    return qmp_list_reverse(items);
}

/* The properties of a type: a temporary instance's, or for an abstract
 * type its classes' (QEMU 7.2 shows no defaults here). */
GVariant *qmp_qom_list_properties(GVariant *args, Error **errp)
{
    const char *typename = qmp_arg_str(args, "typename");
    ObjectClass *klass = object_class_by_name(typename);
    ObjectPropertyIterator iter;
    Object *obj = NULL;
    GVariant *list;

    if (!klass) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Class '%s' not found", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, TYPE_OBJECT)) {
        error_setg(errp, "Parameter 'typename' expects a QOM type");
        return NULL;
    }
    if (object_class_is_abstract(klass)) {
        object_class_property_iter_init(&iter, klass);
    } else {
        obj = object_new(typename);
        object_property_iter_init(&iter, obj);
    }
    list = list_properties(&iter, true);
    object_unref(obj);
    return list;
}

/*
 * object-add (QEMU's qmp_object_add): the arguments are typed JSON, as
 * QAPI's ObjectOptions checks them - qom-type, then id, then each
 * property of the type ("int" ones take JSON integers) - and then the
 * object is made as -object makes it.
 */
static bool object_add_arg_str(GVariant *args, const char *name,
                               const char **out, Error **errp)
{
    g_autoptr(GVariant) v = g_variant_lookup_value(args, name, NULL);

    if (!v) {
        error_setg(errp, "Parameter '%s' is missing", name);
        return false;
    }
    if (!g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: string",
                   name);
        return false;
    }
    *out = g_variant_get_string(v, NULL);   /* @args holds it */
    return true;
}

GVariant *qmp_object_add(GVariant *args, Error **errp)
{
    const char *type, *id;
    ObjectClass *klass;
    GVariantBuilder b;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    if (!object_add_arg_str(args, "qom-type", &type, errp)) {
        return NULL;
    }
    if (!user_creatable_type_ok(type)) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type);
        return NULL;
    }
    if (!object_add_arg_str(args, "id", &id, errp)) {
        return NULL;
    }
    klass = object_class_by_name(type);
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, args);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        ObjectProperty *prop = object_class_property_find(klass, key);
        g_autofree char *text = NULL;

        if (!strcmp(key, "qom-type") || !strcmp(key, "id")) {
            text = g_variant_dup_string(value, NULL);
        } else if (!prop) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
        } else if (!strcmp(prop->type, "int")) {
            if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64)) {
                text = g_strdup_printf("%" PRId64, g_variant_get_int64(value));
            } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64) &&
                       g_variant_get_uint64(value) <= INT64_MAX) {
                text = g_strdup_printf("%" PRIu64,
                                       g_variant_get_uint64(value));
            } else {
                error_setg(errp, "Invalid parameter type for '%s', "
                           "expected: integer", key);
            }
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            text = g_variant_dup_string(value, NULL);
        } else {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "string", key);
        }
        if (!text) {
            g_variant_unref(value);
            g_variant_builder_clear(&b);
            return NULL;
        }
        g_variant_builder_add(&b, "{sv}", key, g_variant_new_string(text));
    }
    {
        g_autoptr(GVariant) dict = g_variant_ref_sink(
            g_variant_builder_end(&b));

        if (!user_creatable_check_option(dict, errp) ||
            !user_creatable_add_dict(dict, errp)) {
            return NULL;
        }
    }
    return qmp_return_empty();
}

GVariant *qmp_object_del(GVariant *args, Error **errp)
{
    if (!user_creatable_del(qmp_arg_str(args, "id"), errp)) {
        return NULL;
    }
    return qmp_return_empty();
}
