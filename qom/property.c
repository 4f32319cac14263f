/*
 * property.c - the property table and the one way values go in and out.
 *
 * Each object and each class owns a table of the properties it added: a
 * hash for lookup and an array for order (introspection lists properties
 * in the order they were added; QEMU lists them in hash order).  Lookups
 * go instance first, then class, then each ancestor class.  An instance's
 * table is created on first use, so most objects never pay for one.
 *
 * Values are GVariants (see object.h for the type of each kind of
 * property).  The typed C calls, the text front ends and the monitor's
 * JSON all end in object_property_set / object_property_get.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "qom-internal.h"

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

void object_property_free(gpointer data)
{
    ObjectProperty *prop = data;

    if (prop->defval) {
        g_variant_unref(prop->defval);
    }
    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    g_free(prop);
}

static ObjectProperty *property_new(const char *name, const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);

    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    return prop;
}

ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name)
{
    /* A class's table holds its ancestors' properties too (type.c). */
    return klass ? g_hash_table_lookup(klass->properties, name) : NULL;
}

ObjectProperty *object_class_property_find_err(ObjectClass *klass,
                                               const char *name,
                                               Error **errp)
{
    ObjectProperty *prop = object_class_property_find(klass, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_class_get_name(klass), name);
    }
    return prop;
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    if (obj->properties) {
        ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

        if (prop) {
            return prop;
        }
    }
    return object_class_property_find(obj->class, name);
}

ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return prop;
}

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp)
{
    ObjectProperty *prop;
    size_t name_len = strlen(name);

    if (name_len >= 3 && !memcmp(name + name_len - 3, "[*]", 4)) {
        g_autofree char *base = g_strndup(name, name_len - 3);

        for (int i = 0; i < INT16_MAX; i++) {
            g_autofree char *full = g_strdup_printf("%s[%d]", base, i);

            if (!object_property_find(obj, full)) {
                return object_property_try_add(obj, full, type, get, set,
                                               release, opaque, errp);
            }
        }
        g_assert_not_reached();
    }
    if (object_property_find(obj, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(obj));
        return NULL;
    }
    if (!obj->properties) {
        obj->properties = g_hash_table_new(g_str_hash, g_str_equal);
        obj->property_order = g_ptr_array_new_with_free_func(
            object_property_free);
    }
    prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(obj->properties, prop->name, prop);
    g_ptr_array_add(obj->property_order, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    return object_property_try_add(obj, name, type, get, set, release,
                                   opaque, &error_abort);
}

ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque)
{
    ObjectProperty *prop;

    if (object_class_property_find(klass, name)) {
        fprintf(stderr, "attempt to add duplicate property '%s' to class "
                "(type '%s')\n", name, object_class_get_name(klass));
        abort();
    }
    prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(klass->properties, prop->name, prop);
    g_ptr_array_add(klass->property_order, prop);
    type_class_property_added(klass, prop);
    return prop;
}

void object_property_del(Object *obj, const char *name)
{
    ObjectProperty *prop = obj->properties ?
        g_hash_table_lookup(obj->properties, name) : NULL;

    if (!prop) {
        return;
    }
    /* Unlink before release: release may look the table up again. */
    guint idx;

    g_hash_table_remove(obj->properties, name);
    if (g_ptr_array_find(obj->property_order, prop, &idx)) {
        g_ptr_array_steal_index(obj->property_order, idx);
    }
    if (prop->release) {
        prop->release(obj, prop->name, prop->opaque);
    }
    object_property_free(prop);
}

void object_property_del_all(Object *obj)
{
    ObjectClass *klass;

    /* Newest first: children added last usually depend on earlier state. */
    while (obj->property_order && obj->property_order->len) {
        ObjectProperty *prop = obj->property_order->pdata[
            obj->property_order->len - 1];

        object_property_del(obj, prop->name);
    }
    if (obj->properties) {
        g_hash_table_unref(obj->properties);
        g_ptr_array_unref(obj->property_order);
        obj->properties = NULL;
        obj->property_order = NULL;
    }
    /* Class properties release per-instance state (e.g. strong links). */
    for (klass = obj->class; klass; klass = object_class_get_parent(klass)) {
        GPtrArray *order = klass->property_order;

        for (guint i = 0; i < order->len; i++) {
            ObjectProperty *prop = order->pdata[i];

            if (prop->release) {
                prop->release(obj, prop->name, prop->opaque);
            }
        }
    }
}

void object_class_property_init_all(Object *obj)
{
    ObjectClass *klass;

    for (klass = obj->class; klass; klass = object_class_get_parent(klass)) {
        GPtrArray *order = klass->property_order;

        for (guint i = 0; i < order->len; i++) {
            ObjectProperty *prop = order->pdata[i];

            if (prop->init) {
                prop->init(obj, prop);
            }
        }
    }
}

void object_property_set_description(Object *obj, const char *name,
                                     const char *description)
{
    ObjectProperty *prop = object_property_find_err(obj, name,
                                                    &error_abort);

    g_free(prop->description);
    prop->description = g_strdup(description);
}

void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description)
{
    ObjectProperty *prop = object_class_property_find_err(klass, name,
                                                          &error_abort);

    g_free(prop->description);
    prop->description = g_strdup(description);
}

/* ------------------------------------------------------------------ */
/* Defaults                                                             */
/* ------------------------------------------------------------------ */

static void object_property_init_defval(Object *obj, ObjectProperty *prop)
{
    bool ok;

    g_assert(prop->set);
    /* Unboxed once, in object_property_set_default: runs per instance. */
    if (prop->set_scalar && prop->defscalar.kind != PROP_SCALAR_NONE) {
        ok = prop->set_scalar(obj, prop, &prop->defscalar, NULL);
    } else {
        ok = prop->set(obj, prop, prop->defval, NULL);
    }
    if (!ok) {
        /* A default its own setter refuses is a bug in the type. */
        fprintf(stderr, "qomu: default of property '%s.%s' refused\n",
                object_get_typename(obj), prop->name);
        abort();
    }
}

void object_property_set_default(ObjectProperty *prop, GVariant *value)
{
    g_assert(!prop->defval);
    prop->defval = g_variant_ref_sink(value);
    prop_value_scalar(prop->defval, &prop->defscalar);  /* borrows defval */
    prop->init = object_property_init_defval;
}

void object_property_set_default_bool(ObjectProperty *prop, bool value)
{
    object_property_set_default(prop, g_variant_new_boolean(value));
}

void object_property_set_default_str(ObjectProperty *prop, const char *value)
{
    object_property_set_default(prop, g_variant_new_string(value));
}

void object_property_set_default_int(ObjectProperty *prop, int64_t value)
{
    object_property_set_default(prop, g_variant_new_int64(value));
}

void object_property_set_default_uint(ObjectProperty *prop, uint64_t value)
{
    object_property_set_default(prop, g_variant_new_uint64(value));
}

/* ------------------------------------------------------------------ */
/* Iteration                                                            */
/* ------------------------------------------------------------------ */

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj)
{
    iter->order = obj->property_order;
    iter->index = 0;
    iter->nextclass = obj->class;
}

void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass)
{
    iter->order = NULL;
    iter->index = 0;
    iter->nextclass = klass;
}

ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter)
{
    while (!iter->order || iter->index >= iter->order->len) {
        if (!iter->nextclass) {
            return NULL;
        }
        iter->order = iter->nextclass->property_order;
        iter->index = 0;
        iter->nextclass = object_class_get_parent(iter->nextclass);
    }
    return iter->order->pdata[iter->index++];
}

/* ------------------------------------------------------------------ */
/* Checking values (for setters)                                        */
/* ------------------------------------------------------------------ */

static void error_invalid_type(Error **errp, const char *name,
                               const char *expected)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               name, expected);
}

/* Any GVariant integer, widened.  *is_unsigned tells how to read *raw. */
static bool variant_integer(GVariant *value, uint64_t *raw, bool *is_unsigned)
{
    *is_unsigned = false;
    switch (g_variant_classify(value)) {
    case G_VARIANT_CLASS_INT64:
        *raw = (uint64_t)g_variant_get_int64(value);
        return true;
    case G_VARIANT_CLASS_INT32:
        *raw = (uint64_t)(int64_t)g_variant_get_int32(value);
        return true;
    case G_VARIANT_CLASS_INT16:
        *raw = (uint64_t)(int64_t)g_variant_get_int16(value);
        return true;
    case G_VARIANT_CLASS_UINT64:
        *raw = g_variant_get_uint64(value);
        break;
    case G_VARIANT_CLASS_UINT32:
        *raw = g_variant_get_uint32(value);
        break;
    case G_VARIANT_CLASS_UINT16:
        *raw = g_variant_get_uint16(value);
        break;
    case G_VARIANT_CLASS_BYTE:
        *raw = g_variant_get_byte(value);
        break;
    default:
        return false;
    }
    *is_unsigned = true;
    return true;
}

/* Every check is written once, on a PropScalar; the GVariant versions
 * unbox first.  g_variant_classify only reads the type's first byte. */
void prop_value_scalar(GVariant *value, PropScalar *out)
{
    uint64_t raw;
    bool is_unsigned;

    switch (g_variant_classify(value)) {
    case G_VARIANT_CLASS_BOOLEAN:
        out->kind = PROP_SCALAR_BOOL;
        out->b = g_variant_get_boolean(value);
        return;
    case G_VARIANT_CLASS_STRING:
        out->kind = PROP_SCALAR_STR;
        out->s = g_variant_get_string(value, NULL);
        return;
    default:
        break;
    }
    if (!variant_integer(value, &raw, &is_unsigned)) {
        out->kind = PROP_SCALAR_NONE;
    } else if (is_unsigned) {
        out->kind = PROP_SCALAR_UINT;
        out->u = raw;
    } else {
        out->kind = PROP_SCALAR_INT;
        out->i = (int64_t)raw;
    }
}

bool prop_scalar_bool(const PropScalar *value, const char *name, bool *out,
                      Error **errp)
{
    if (value->kind != PROP_SCALAR_BOOL) {
        error_invalid_type(errp, name, "boolean");
        return false;
    }
    *out = value->b;
    return true;
}

bool prop_scalar_str(const PropScalar *value, const char *name,
                     const char **out, Error **errp)
{
    if (value->kind != PROP_SCALAR_STR) {
        error_invalid_type(errp, name, "string");
        return false;
    }
    *out = value->s;
    return true;
}

bool prop_scalar_int64(const PropScalar *value, const char *name,
                       int64_t *out, Error **errp)
{
    switch (value->kind) {
    case PROP_SCALAR_INT:
        *out = value->i;
        return true;
    case PROP_SCALAR_UINT:
        if (value->u > INT64_MAX) {
            error_setg(errp, "Parameter '%s' expects int64", name);
            return false;
        }
        *out = (int64_t)value->u;
        return true;
    default:
        error_invalid_type(errp, name, "integer");
        return false;
    }
}

bool prop_scalar_uint64(const PropScalar *value, const char *name,
                        uint64_t *out, Error **errp)
{
    switch (value->kind) {
    case PROP_SCALAR_INT:
        /* Negative values wrap, as QEMU accepts them "for backward
         * compatibility"; range-checked callers then reject them. */
        *out = (uint64_t)value->i;
        return true;
    case PROP_SCALAR_UINT:
        *out = value->u;
        return true;
    default:
        /* QEMU's qobject input visitor words this one differently. */
        error_setg(errp, "Parameter '%s' expects uint64", name);
        return false;
    }
}

bool prop_scalar_uint_range(const PropScalar *value, const char *name,
                            uint64_t max, const char *type_name,
                            uint64_t *out, Error **errp)
{
    uint64_t v;

    if (!prop_scalar_uint64(value, name, &v, errp) ||
        !input_check_uintN(name, v, max, type_name, errp)) {
        return false;
    }
    *out = v;
    return true;
}

bool prop_value_bool(GVariant *value, const char *name, bool *out,
                     Error **errp)
{
    PropScalar v;

    prop_value_scalar(value, &v);
    return prop_scalar_bool(&v, name, out, errp);
}

bool prop_value_str(GVariant *value, const char *name, const char **out,
                    Error **errp)
{
    PropScalar v;

    prop_value_scalar(value, &v);
    return prop_scalar_str(&v, name, out, errp);
}

bool prop_value_int64(GVariant *value, const char *name, int64_t *out,
                      Error **errp)
{
    PropScalar v;

    prop_value_scalar(value, &v);
    return prop_scalar_int64(&v, name, out, errp);
}

bool prop_value_uint64(GVariant *value, const char *name, uint64_t *out,
                       Error **errp)
{
    PropScalar v;

    prop_value_scalar(value, &v);
    return prop_scalar_uint64(&v, name, out, errp);
}

bool prop_value_int_range(GVariant *value, const char *name, int64_t min,
                          int64_t max, const char *type_name, int64_t *out,
                          Error **errp)
{
    int64_t v;

    if (!prop_value_int64(value, name, &v, errp) ||
        !input_check_intN(name, v, min, max, type_name, errp)) {
        return false;
    }
    *out = v;
    return true;
}

bool prop_value_uint_range(GVariant *value, const char *name, uint64_t max,
                           const char *type_name, uint64_t *out,
                           Error **errp)
{
    PropScalar v;

    prop_value_scalar(value, &v);
    return prop_scalar_uint_range(&v, name, max, type_name, out, errp);
}

bool object_property_set_scalar(Object *obj, ObjectProperty *prop,
                                GVariant *value, Error **errp)
{
    PropScalar v;

    prop_value_scalar(value, &v);
    return prop->set_scalar(obj, prop, &v, errp);
}

int qapi_enum_parse(const QEnumLookup *lookup, const char *name)
{
    for (int i = 0; name && i < lookup->size; i++) {
        if (!strcmp(lookup->array[i], name)) {
            return i;
        }
    }
    return -1;
}

const char *qapi_enum_lookup(const QEnumLookup *lookup, int val)
{
    g_assert(val >= 0 && val < lookup->size);
    return lookup->array[val];
}

/* ------------------------------------------------------------------ */
/* Get and set                                                          */
/* ------------------------------------------------------------------ */

GVariant *object_property_get(Object *obj, const char *name, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return NULL;
    }
    if (!prop->get) {
        error_setg(errp, "Insufficient permission to perform this operation");
        return NULL;
    }
    return prop->get(obj, prop, errp);
}

bool object_property_set(Object *obj, const char *name, GVariant *value,
                         Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    bool ok = false;

    g_variant_ref_sink(value);
    if (!prop) {
        goto out;
    }
    if (!prop->set) {
        error_setg(errp, "Insufficient permission to perform this operation");
        goto out;
    }
    ok = prop->set(obj, prop, value, errp);
out:
    g_variant_unref(value);
    return ok;
}

/*
 * The two boolean values, made once and shared: a GVariant is immutable
 * and its reference count atomic, so nobody can tell, and setting a bool
 * no longer costs the three allocations of g_variant_new_boolean.
 * Returns a borrowed, non-floating reference.
 */
static GVariant *variant_bool(bool b)
{
    static GVariant *values[2];
    GVariant *v = g_atomic_pointer_get(&values[b]);

    if (!v) {
        GVariant *fresh = g_variant_ref_sink(g_variant_new_boolean(b));

        if (!g_atomic_pointer_compare_and_exchange(&values[b], NULL,
                                                   fresh)) {
            g_variant_unref(fresh);
        }
        v = g_atomic_pointer_get(&values[b]);
    }
    return v;
}

/* A new non-floating GVariant holding @v. */
static GVariant *scalar_to_variant(const PropScalar *v)
{
    switch (v->kind) {
    case PROP_SCALAR_BOOL:
        return g_variant_ref(variant_bool(v->b));
    case PROP_SCALAR_INT:
        return g_variant_ref_sink(g_variant_new_int64(v->i));
    case PROP_SCALAR_UINT:
        return g_variant_ref_sink(g_variant_new_uint64(v->u));
    case PROP_SCALAR_STR:
        return g_variant_ref_sink(g_variant_new_string(v->s));
    default:
        g_assert_not_reached();
    }
}

/* The last step of object_property_set for a scalar: no GVariant when
 * the property has a set_scalar (the built-in kinds do). */
static bool property_set_scalar(Object *obj, ObjectProperty *prop,
                                const PropScalar *v, Error **errp)
{
    g_autoptr(GVariant) boxed = NULL;

    if (!prop->set) {
        error_setg(errp, "Insufficient permission to perform this operation");
        return false;
    }
    if (prop->set_scalar) {
        return prop->set_scalar(obj, prop, v, errp);
    }
    boxed = scalar_to_variant(v);
    return prop->set(obj, prop, boxed, errp);
}

static bool property_set_scalar_by_name(Object *obj, const char *name,
                                        const PropScalar *v, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    return prop && property_set_scalar(obj, prop, v, errp);
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    PropScalar v = { .kind = PROP_SCALAR_BOOL, .b = value };

    return property_set_scalar_by_name(obj, name, &v, errp);
}

bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp)
{
    PropScalar v = { .kind = PROP_SCALAR_INT, .i = value };

    return property_set_scalar_by_name(obj, name, &v, errp);
}

bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp)
{
    PropScalar v = { .kind = PROP_SCALAR_UINT, .u = value };

    return property_set_scalar_by_name(obj, name, &v, errp);
}

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp)
{
    PropScalar v = { .kind = PROP_SCALAR_STR, .s = value };

    return property_set_scalar_by_name(obj, name, &v, errp);
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    g_autoptr(GVariant) v = object_property_get(obj, name, errp);
    bool b = false;

    if (v && !prop_value_bool(v, name, &b, errp)) {
        return false;
    }
    return b;
}

int64_t object_property_get_int(Object *obj, const char *name, Error **errp)
{
    g_autoptr(GVariant) v = object_property_get(obj, name, errp);
    int64_t i = -1;

    if (v && !prop_value_int64(v, name, &i, errp)) {
        return -1;
    }
    return i;
}

uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp)
{
    g_autoptr(GVariant) v = object_property_get(obj, name, errp);
    uint64_t u = 0;

    if (v && !prop_value_uint64(v, name, &u, errp)) {
        return 0;
    }
    return u;
}

char *object_property_get_str(Object *obj, const char *name, Error **errp)
{
    g_autoptr(GVariant) v = object_property_get(obj, name, errp);
    const char *s;

    if (!v || !prop_value_str(v, name, &s, errp)) {
        return NULL;
    }
    return g_strdup(s);
}

int object_property_get_enum(Object *obj, const char *name,
                             const char *typename, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    const QEnumLookup *lookup;
    g_autofree char *str = NULL;
    int ret;

    if (!prop) {
        return -1;
    }
    if (strcmp(prop->type, typename) != 0 || !prop->enum_lookup) {
        error_setg(errp, "Property '%s' on object '%s' is not '%s' enum type",
                   name, object_class_get_name(obj->class), typename);
        return -1;
    }
    lookup = prop->enum_lookup;
    g_assert(lookup);   /* every enum property records its table */
    str = object_property_get_str(obj, name, errp);
    if (!str) {
        return -1;
    }
    ret = qapi_enum_parse(lookup, str);
    if (ret < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   name, str);
    }
    return ret;
}

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    return prop ? prop->type : NULL;
}

bool object_property_is_child(ObjectProperty *prop)
{
    return g_str_has_prefix(prop->type, "child<");
}

bool object_property_is_link(ObjectProperty *prop)
{
    return g_str_has_prefix(prop->type, "link<");
}

/* ------------------------------------------------------------------ */
/* Text front ends                                                      */
/* ------------------------------------------------------------------ */

typedef enum {
    PROP_KIND_STR,
    PROP_KIND_BOOL,
    PROP_KIND_INT,
    PROP_KIND_UINT,
    PROP_KIND_SIZE,
} PropKind;

/* "bool", "size", "int", "int8".."int64", "uint", "uint8".."uint64";
 * anything else is text.  Switch on the first byte: this runs on every
 * object_property_parse and used to be up to twelve strcmp calls. */
static bool is_int_suffix(const char *s)
{
    return !*s || !strcmp(s, "8") || !strcmp(s, "16") || !strcmp(s, "32") ||
           !strcmp(s, "64");
}

static PropKind prop_kind(const char *type)
{
    switch (type[0]) {
    case 'b':
        return strcmp(type, "bool") ? PROP_KIND_STR : PROP_KIND_BOOL;
    case 's':
        return strcmp(type, "size") ? PROP_KIND_STR : PROP_KIND_SIZE;
    case 'i':
        if (!strncmp(type, "int", 3) && is_int_suffix(type + 3)) {
            return PROP_KIND_INT;
        }
        break;
    case 'u':
        if (!strncmp(type, "uint", 4) && is_int_suffix(type + 4)) {
            return PROP_KIND_UINT;
        }
        break;
    }
    return PROP_KIND_STR;
}

/*
 * The parsers themselves live in util/cutils.c, one family per QEMU
 * visitor, so that every text path in qomu words its errors the same way.
 */
/* The text of a property of type @type as a scalar (strings borrowed). */
static bool scalar_from_string(const char *type, const char *name,
                               const char *string, bool keyval,
                               PropScalar *out, Error **errp)
{
    switch (prop_kind(type)) {
    case PROP_KIND_BOOL:
        out->kind = PROP_SCALAR_BOOL;
        return (keyval ? input_keyval_bool : input_string_bool)(
            name, string, &out->b, errp);
    case PROP_KIND_SIZE:
        out->kind = PROP_SCALAR_UINT;
        return (keyval ? input_keyval_size : input_string_size)(
            name, string, &out->u, errp);
    case PROP_KIND_INT:
        out->kind = PROP_SCALAR_INT;
        return (keyval ? input_keyval_int64 : input_string_int64)(
            name, string, &out->i, errp);
    case PROP_KIND_UINT:
        out->kind = PROP_SCALAR_UINT;
        return (keyval ? input_keyval_uint64 : input_string_uint64)(
            name, string, &out->u, errp);
    case PROP_KIND_STR:
        break;
    }
    out->kind = PROP_SCALAR_STR;
    out->s = string;
    return true;
}

GVariant *object_property_value_from_string(const char *type,
                                            const char *name,
                                            const char *string,
                                            bool keyval, Error **errp)
{
    PropScalar v;

    if (!scalar_from_string(type, name, string, keyval, &v, errp)) {
        return NULL;
    }
    return scalar_to_variant(&v);
}

static bool property_parse(Object *obj, const char *name, const char *string,
                           bool keyval, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autoptr(GVariant) value = NULL;
    PropScalar v;

    if (!prop) {
        return false;
    }
    if (!prop->parse) {
        /* The usual case: no GVariant unless the setter wants one. */
        return scalar_from_string(prop->type, name, string, keyval, &v,
                                  errp) &&
               property_set_scalar(obj, prop, &v, errp);
    }
    value = prop->parse(obj, prop, string, errp);
    if (!value) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, "Insufficient permission to perform this operation");
        return false;
    }
    return prop->set(obj, prop, value, errp);
}

bool object_property_parse(Object *obj, const char *name,
                           const char *string, Error **errp)
{
    return property_parse(obj, name, string, false, errp);
}

bool object_property_parse_keyval(Object *obj, const char *name,
                                  const char *string, Error **errp)
{
    return property_parse(obj, name, string, true, errp);
}

char *object_property_value_to_string(const char *type, GVariant *value,
                                      bool human)
{
    uint64_t raw;
    bool is_unsigned;

    if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
        return g_strdup(g_variant_get_boolean(value) ? "true" : "false");
    }
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
        return g_strdup(g_variant_get_string(value, NULL));
    }
    if (variant_integer(value, &raw, &is_unsigned)) {
        if (!is_unsigned) {
            return g_strdup_printf("%" PRId64, (int64_t)raw);
        }
        if (human && !strcmp(type, "size")) {
            return size_to_str(raw);
        }
        return g_strdup_printf("%" PRIu64, raw);
    }
    return g_variant_print(value, false);
}

char *object_property_print(Object *obj, const char *name, bool human,
                            Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autoptr(GVariant) value = NULL;

    if (!prop) {
        return NULL;
    }
    value = object_property_get(obj, name, errp);
    if (!value) {
        return NULL;
    }
    if (human && prop->print) {
        return prop->print(obj, prop, value);
    }
    return object_property_value_to_string(prop->type, value, human);
}
