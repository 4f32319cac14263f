/*
 * user-creatable.c - the "user-creatable" interface and the creation of
 * -object / object-add objects under /objects (QEMU 7.2's
 * qom/object_interfaces.c, reduced).  See include/qom/user-creatable.h.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/cutils.h"
#include "util/id.h"
#include "util/help-option.h"
#include "util/keyval.h"
#include "qom/user-creatable.h"

bool user_creatable_type_ok(const char *typename)
{
    ObjectClass *oc = object_class_by_name(typename);

    return oc && !object_class_is_abstract(oc) &&
           object_class_dynamic_cast(oc, TYPE_USER_CREATABLE);
}

static void user_creatable_list_type(ObjectClass *klass, void *opaque)
{
    if (!object_class_is_abstract(klass)) {
        g_ptr_array_add(opaque, (gpointer)object_class_get_name(klass));
    }
}

static int user_creatable_strcmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool user_creatable_print_help(const char *type, bool help, GString *out)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    if (is_help_option(type)) {
        g_autoptr(GPtrArray) types = g_ptr_array_new();

        object_class_foreach(user_creatable_list_type, TYPE_USER_CREATABLE,
                             false, types);
        g_ptr_array_sort(types, user_creatable_strcmp);
        g_string_append(out, "List of user creatable objects:\n");
        for (guint i = 0; i < types->len; i++) {
            g_string_append_printf(out, "  %s\n", (char *)types->pdata[i]);
        }
        return true;
    }
    if (!help || !user_creatable_type_ok(type)) {
        return false;
    }
    object_class_property_iter_init(&iter, object_class_by_name(type));
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->set) {
            g_ptr_array_add(names, g_strdup_printf("  %s=<%s>", prop->name,
                                                   prop->type));
        }
    }
    g_ptr_array_sort(names, user_creatable_strcmp);
    g_string_append_printf(out, "%s options:\n", type);
    for (guint i = 0; i < names->len; i++) {
        g_string_append_printf(out, "%s\n", (char *)names->pdata[i]);
    }
    return true;
}

bool user_creatable_check_option(GVariant *dict, Error **errp)
{
    const char *type = keyval_get_str(dict, "qom-type");
    const char *id = keyval_get_str(dict, "id");
    ObjectClass *oc;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    if (!type) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return false;
    }
    if (!user_creatable_type_ok(type)) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type);
        return false;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return false;
    }
    oc = object_class_by_name(type);
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        ObjectProperty *prop;
        int64_t i64;

        if (!strcmp(key, "qom-type") || !strcmp(key, "id")) {
            continue;
        }
        prop = object_class_property_find(oc, key);
        if (!prop || !prop->set) {
            error_setg(errp, "Invalid parameter '%s'", key);
            g_variant_unref(value);
            return false;
        }
        if (!strcmp(prop->type, "int") &&
            (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING) ||
             !input_opts_int64(key, g_variant_get_string(value, NULL),
                               &i64, NULL))) {
            error_setg(errp, "Parameter '%s' expects an int64 value", key);
            g_variant_unref(value);
            return false;
        }
    }
    return true;
}

bool user_creatable_complete(UserCreatable *uc, Error **errp)
{
    UserCreatableClass *ucc = USER_CREATABLE_GET_CLASS(uc);

    return !ucc || !ucc->complete || ucc->complete(uc, errp);
}

Object *user_creatable_add_dict(GVariant *dict, Error **errp)
{
    const char *type = keyval_get_str(dict, "qom-type");
    const char *id = keyval_get_str(dict, "id");
    Object *parent = object_get_objects_root();
    Object *obj;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    if (!type || !user_creatable_type_ok(type)) {
        error_setg(errp, "Invalid parameter type for 'qom-type', "
                   "expected: user-creatable");
        return NULL;
    }
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    obj = object_new(type);
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        if (!strcmp(key, "qom-type") || !strcmp(key, "id")) {
            continue;
        }
        Error *err = NULL;
        ObjectProperty *prop = object_property_find(obj, key);
        int64_t i64;

        if (!prop || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            error_setg(&err, "Invalid parameter '%s'", key);
        } else if (!strcmp(prop->type, "int")) {
            if (input_opts_int64(key, g_variant_get_string(value, NULL),
                                 &i64, &err)) {
                object_property_set_int(obj, key, i64, &err);
            }
        } else {
            object_property_parse_keyval(obj, key,
                                         g_variant_get_string(value, NULL),
                                         &err);
        }
        if (err) {
            error_propagate(errp, err);
            g_variant_unref(value);
            object_unref(obj);
            return NULL;
        }
    }
    if (!object_property_try_add_child(parent, id, obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    if (!user_creatable_complete((UserCreatable *)obj, errp)) {
        object_unparent(obj);
        object_unref(obj);
        return NULL;
    }
    object_unref(obj);              /* /objects holds it */
    return obj;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                id);
    UserCreatableClass *ucc;

    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    ucc = USER_CREATABLE_GET_CLASS(obj);
    if (ucc && ucc->can_be_deleted &&
        !ucc->can_be_deleted((UserCreatable *)obj)) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_unparent(obj);
    return true;
}

static int user_creatable_collect(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, child);
    return 0;
}

void user_creatable_cleanup(void)
{
    /* not object_get_objects_root(): that would create /objects */
    Object *root = object_resolve_path_component(object_get_root(),
                                                 "objects");
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    if (!root) {
        return;
    }
    object_child_foreach(root, user_creatable_collect, all);
    for (guint i = 0; i < all->len; i++) {
        object_unparent(all->pdata[i]);
    }
}

static const TypeInfo user_creatable_info = {
    .name = TYPE_USER_CREATABLE,
    .parent = TYPE_INTERFACE,
    .class_size = sizeof(UserCreatableClass),
};

static void user_creatable_register_types(void)
{
    type_register_static(&user_creatable_info);
}

type_init(user_creatable_register_types)
