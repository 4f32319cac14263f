/*
 * property-types.c - ready-made properties: bool, string, enum, integer
 * fields and aliases, each for instances and for classes.
 *
 * QEMU's object_property_add_bool and friends, with the same type names
 * ("bool", "string", the enum's name, "uint8".."uint64") so that
 * introspection reads the same.
 */
#include "util/osdep.h"
#include "qom-internal.h"

static void property_release_opaque(Object *obj, const char *name,
                                    void *opaque)
{
    (void)obj;
    (void)name;
    g_free(opaque);
}

/*
 * Every kind here has one setter, on a PropScalar: its ->set is the
 * generic object_property_set_scalar, which unboxes GVariants into
 * @set_scalar, while the typed and text front ends call it directly.
 * Adds such a property to @obj, or with @obj NULL to @klass: readable if
 * @get, writable if @set_scalar, @opaque holding its accessors.  An
 * instance property frees @opaque with itself; a class property's lives
 * as long as the class (QEMU does the same).
 */
static ObjectProperty *add_scalar_property(Object *obj, ObjectClass *klass,
                                           const char *name,
                                           const char *type,
                                           ObjectPropertyGet *get,
                                           ObjectPropertySetScalar *set_scalar,
                                           void *opaque)
{
    ObjectPropertySet *set = set_scalar ? object_property_set_scalar : NULL;
    ObjectProperty *prop;

    if (obj) {
        prop = object_property_add(obj, name, type, get, set,
                                   property_release_opaque, opaque);
    } else {
        prop = object_class_property_add(klass, name, type, get, set, NULL,
                                         opaque);
    }
    prop->set_scalar = set_scalar;
    return prop;
}

/* -- bool ------------------------------------------------------------- */

typedef struct BoolProperty {
    ObjectBoolGet *get;
    ObjectBoolSet *set;
} BoolProperty;

static GVariant *property_get_bool(Object *obj, ObjectProperty *prop,
                                   Error **errp)
{
    BoolProperty *bp = prop->opaque;
    Error *err = NULL;
    bool value = bp->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return g_variant_ref_sink(g_variant_new_boolean(value));
}

static bool property_set_bool(Object *obj, ObjectProperty *prop,
                              const PropScalar *value, Error **errp)
{
    BoolProperty *bp = prop->opaque;
    Error *err = NULL;
    bool b;

    if (!prop_scalar_bool(value, prop->name, &b, errp)) {
        return false;
    }
    bp->set(obj, b, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static ObjectProperty *add_bool(Object *obj, ObjectClass *klass,
                                const char *name, ObjectBoolGet *get,
                                ObjectBoolSet *set)
{
    BoolProperty *bp = g_new(BoolProperty, 1);

    bp->get = get;
    bp->set = set;
    return add_scalar_property(obj, klass, name, "bool",
                               get ? property_get_bool : NULL,
                               set ? property_set_bool : NULL, bp);
}

ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                                         ObjectBoolGet *get,
                                         ObjectBoolSet *set)
{
    return add_bool(obj, NULL, name, get, set);
}

ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                                               const char *name,
                                               ObjectBoolGet *get,
                                               ObjectBoolSet *set)
{
    return add_bool(NULL, klass, name, get, set);
}

/* -- string ----------------------------------------------------------- */

typedef struct StringProperty {
    ObjectStrGet *get;
    ObjectStrSet *set;
} StringProperty;

static GVariant *property_get_str(Object *obj, ObjectProperty *prop,
                                  Error **errp)
{
    StringProperty *sp = prop->opaque;
    Error *err = NULL;
    char *value = sp->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        g_free(value);
        return NULL;
    }
    return g_variant_ref_sink(g_variant_new_take_string(
        value ? value : g_strdup("")));
}

static bool property_set_str(Object *obj, ObjectProperty *prop,
                             const PropScalar *value, Error **errp)
{
    StringProperty *sp = prop->opaque;
    Error *err = NULL;
    const char *s;

    if (!prop_scalar_str(value, prop->name, &s, errp)) {
        return false;
    }
    sp->set(obj, s, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static ObjectProperty *add_str(Object *obj, ObjectClass *klass,
                               const char *name, ObjectStrGet *get,
                               ObjectStrSet *set)
{
    StringProperty *sp = g_new(StringProperty, 1);

    sp->get = get;
    sp->set = set;
    return add_scalar_property(obj, klass, name, "string",
                               get ? property_get_str : NULL,
                               set ? property_set_str : NULL, sp);
}

ObjectProperty *object_property_add_str(Object *obj, const char *name,
                                        ObjectStrGet *get, ObjectStrSet *set)
{
    return add_str(obj, NULL, name, get, set);
}

ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                                              const char *name,
                                              ObjectStrGet *get,
                                              ObjectStrSet *set)
{
    return add_str(NULL, klass, name, get, set);
}

/* -- enum ------------------------------------------------------------- */

typedef struct EnumProperty {
    const QEnumLookup *lookup;
    ObjectEnumGet *get;
    ObjectEnumSet *set;
} EnumProperty;

static GVariant *property_get_enum(Object *obj, ObjectProperty *prop,
                                   Error **errp)
{
    EnumProperty *ep = prop->opaque;
    Error *err = NULL;
    int value = ep->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return g_variant_ref_sink(g_variant_new_string(
        qapi_enum_lookup(ep->lookup, value)));
}

static bool property_set_enum(Object *obj, ObjectProperty *prop,
                              const PropScalar *value, Error **errp)
{
    EnumProperty *ep = prop->opaque;
    Error *err = NULL;
    const char *s;
    int v;

    if (!prop_scalar_str(value, prop->name, &s, errp)) {
        return false;
    }
    v = qapi_enum_parse(ep->lookup, s);
    if (v < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   prop->name, s);
        return false;
    }
    ep->set(obj, v, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static ObjectProperty *add_enum(Object *obj, ObjectClass *klass,
                                const char *name, const char *typename,
                                const QEnumLookup *lookup,
                                ObjectEnumGet *get, ObjectEnumSet *set)
{
    EnumProperty *ep = g_new(EnumProperty, 1);
    ObjectProperty *prop;

    ep->lookup = lookup;
    ep->get = get;
    ep->set = set;
    prop = add_scalar_property(obj, klass, name, typename,
                               get ? property_get_enum : NULL,
                               set ? property_set_enum : NULL, ep);
    prop->enum_lookup = lookup;
    return prop;
}

ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                                         const char *typename,
                                         const QEnumLookup *lookup,
                                         ObjectEnumGet *get,
                                         ObjectEnumSet *set)
{
    return add_enum(obj, NULL, name, typename, lookup, get, set);
}

ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                                               const char *name,
                                               const char *typename,
                                               const QEnumLookup *lookup,
                                               ObjectEnumGet *get,
                                               ObjectEnumSet *set)
{
    return add_enum(NULL, klass, name, typename, lookup, get, set);
}

/* -- integer fields --------------------------------------------------- */

/*
 * One implementation for every width: the opaque says where the field is
 * (a pointer for instance properties, an offset for class ones) and how
 * wide it is.
 */
typedef struct FieldProperty {
    const void *ptr;            /* instance: the field itself */
    ptrdiff_t offset;           /* class: offset in the instance */
    bool is_class;
    unsigned size;              /* 1, 2, 4 or 8 bytes */
} FieldProperty;

static void *field_ptr(Object *obj, FieldProperty *fp)
{
    return fp->is_class ? (char *)obj + fp->offset : (void *)fp->ptr;
}

static GVariant *property_get_field(Object *obj, ObjectProperty *prop,
                                    Error **errp)
{
    FieldProperty *fp = prop->opaque;
    void *p = field_ptr(obj, fp);
    uint64_t v = 0;

    (void)errp;
    switch (fp->size) {
    case 1: v = *(uint8_t *)p; break;
    case 2: v = *(uint16_t *)p; break;
    case 4: v = *(uint32_t *)p; break;
    case 8: v = *(uint64_t *)p; break;
    }
    return g_variant_ref_sink(g_variant_new_uint64(v));
}

static bool property_set_field(Object *obj, ObjectProperty *prop,
                               const PropScalar *value, Error **errp)
{
    static const char *const type_names[] = {
        [1] = "uint8_t", [2] = "uint16_t", [4] = "uint32_t", [8] = "uint64_t",
    };
    FieldProperty *fp = prop->opaque;
    uint64_t max = fp->size == 8 ? UINT64_MAX : (1ULL << (fp->size * 8)) - 1;
    void *p = field_ptr(obj, fp);
    uint64_t v;

    if (!prop_scalar_uint_range(value, prop->name, max, type_names[fp->size],
                               &v, errp)) {
        return false;
    }
    switch (fp->size) {
    case 1: *(uint8_t *)p = v; break;
    case 2: *(uint16_t *)p = v; break;
    case 4: *(uint32_t *)p = v; break;
    case 8: *(uint64_t *)p = v; break;
    }
    return true;
}

static const char *field_type_name(unsigned size)
{
    switch (size) {
    case 1: return "uint8";
    case 2: return "uint16";
    case 4: return "uint32";
    default: return "uint64";
    }
}

/* The field at @v in @obj's instance, or with @obj NULL at @offset in
 * every instance of @klass. */
static ObjectProperty *add_field(Object *obj, ObjectClass *klass,
                                 const char *name, const void *v,
                                 ptrdiff_t offset, unsigned size,
                                 ObjectPropertyFlags flags)
{
    FieldProperty *fp = g_new0(FieldProperty, 1);

    fp->ptr = v;
    fp->offset = offset;
    fp->is_class = !obj;
    fp->size = size;
    return add_scalar_property(obj, klass, name, field_type_name(size),
        (flags & OBJ_PROP_FLAG_READ) ? property_get_field : NULL,
        (flags & OBJ_PROP_FLAG_WRITE) ? property_set_field : NULL, fp);
}

ObjectProperty *object_property_add_uint8_ptr(Object *obj, const char *name,
                                              const uint8_t *v,
                                              ObjectPropertyFlags flags)
{
    return add_field(obj, NULL, name, v, 0, 1, flags);
}

ObjectProperty *object_property_add_uint16_ptr(Object *obj, const char *name,
                                               const uint16_t *v,
                                               ObjectPropertyFlags flags)
{
    return add_field(obj, NULL, name, v, 0, 2, flags);
}

ObjectProperty *object_property_add_uint32_ptr(Object *obj, const char *name,
                                               const uint32_t *v,
                                               ObjectPropertyFlags flags)
{
    return add_field(obj, NULL, name, v, 0, 4, flags);
}

ObjectProperty *object_property_add_uint64_ptr(Object *obj, const char *name,
                                               const uint64_t *v,
                                               ObjectPropertyFlags flags)
{
    return add_field(obj, NULL, name, v, 0, 8, flags);
}

ObjectProperty *object_class_property_add_uint32_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags f)
{
    return add_field(NULL, klass, name, NULL, offset, 4, f);
}

ObjectProperty *object_class_property_add_uint64_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags f)
{
    return add_field(NULL, klass, name, NULL, offset, 8, f);
}

/* -- alias ------------------------------------------------------------ */

typedef struct AliasProperty {
    Object *target_obj;
    char *target_name;
} AliasProperty;

static GVariant *property_get_alias(Object *obj, ObjectProperty *prop,
                                    Error **errp)
{
    AliasProperty *ap = prop->opaque;

    (void)obj;
    return object_property_get(ap->target_obj, ap->target_name, errp);
}

static bool property_set_alias(Object *obj, ObjectProperty *prop,
                               GVariant *value, Error **errp)
{
    AliasProperty *ap = prop->opaque;

    (void)obj;
    return object_property_set(ap->target_obj, ap->target_name, value, errp);
}

static GVariant *property_parse_alias(Object *obj, ObjectProperty *prop,
                                      const char *string, Error **errp)
{
    AliasProperty *ap = prop->opaque;
    ObjectProperty *target = object_property_find(ap->target_obj,
                                                  ap->target_name);

    (void)obj;
    if (target && target->parse) {
        return target->parse(ap->target_obj, target, string, errp);
    }
    return object_property_value_from_string(prop->type, prop->name, string,
                                             false, errp);
}

static void property_release_alias(Object *obj, const char *name,
                                   void *opaque)
{
    AliasProperty *ap = opaque;

    (void)obj;
    (void)name;
    g_free(ap->target_name);
    g_free(ap);
}

ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target_obj,
                                          const char *target_name)
{
    ObjectProperty *target = object_property_find_err(target_obj,
                                                      target_name,
                                                      &error_abort);
    g_autofree char *type = NULL;
    AliasProperty *ap = g_new(AliasProperty, 1);
    ObjectProperty *prop;

    /* An alias of a child is a link: only the parent owns the child. */
    if (object_property_is_child(target)) {
        type = g_strdup_printf("link%s", target->type + strlen("child"));
    } else {
        type = g_strdup(target->type);
    }
    ap->target_obj = target_obj;
    ap->target_name = g_strdup(target_name);
    prop = object_property_add(obj, name, type,
                               target->get ? property_get_alias : NULL,
                               target->set ? property_set_alias : NULL,
                               property_release_alias, ap);
    prop->parse = property_parse_alias;
    prop->print = target->print;
    prop->description = g_strdup(target->description);
    return prop;
}
