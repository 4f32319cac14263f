/*
 * qdev-properties.c - static device properties backed by state fields
 * (QEMU 7.2's hw/core/qdev-properties.c, minus globals, which live in
 * qdev-globals.c).  See include/hw/core/qdev-properties.h.
 *
 * Every property here is an ObjectProperty whose opaque is its Property.
 * Getters return GVariants of the kinds object.h prescribes ("b", "t",
 * "x", "s"); setters check the value with the prop_value_* helpers, which
 * give QEMU's visitor messages.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"

void *object_field_prop_ptr(Object *obj, Property *prop)
{
    return (char *)obj + prop->offset;
}

static void *field_ptr(Object *obj, ObjectProperty *op)
{
    return object_field_prop_ptr(obj, op->opaque);
}

/* Getters hand out a full reference (object.h's ObjectPropertyGet). */
static GVariant *owned(GVariant *v)
{
    return g_variant_take_ref(v);
}

/* --- the realized check ----------------------------------------------- */

void qdev_prop_set_after_realize(DeviceState *dev, const char *name,
                                 Error **errp)
{
    if (dev->id) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", name, dev->id,
                   object_get_typename(OBJECT(dev)));
    } else {
        error_setg(errp, "Attempt to set property '%s' on anonymous device "
                   "(type '%s') after it was realized", name,
                   object_get_typename(OBJECT(dev)));
    }
}

void qdev_prop_allow_set_link_before_realize(const Object *obj,
                                             const char *name,
                                             Object *val, Error **errp)
{
    const DeviceState *dev = DEVICE(obj);

    if (dev->realized) {
        /* QEMU passes a NULL id to printf, which glibc prints "(null)". */
        error_setg(errp, "Attempt to set link property '%s' on device '%s' "
                   "(type '%s') after it was realized", name,
                   dev->id ? dev->id : "(null)", object_get_typename(obj));
    }
}

/* The setter of every field property: refuse once realized. */
static bool field_prop_set(Object *obj, ObjectProperty *op, GVariant *value,
                           Error **errp)
{
    Property *prop = op->opaque;
    DeviceState *dev = DEVICE(obj);

    if (dev->realized && !prop->info->realized_set_allowed) {
        qdev_prop_set_after_realize(dev, op->name, errp);
        return false;
    }
    return prop->info->set(obj, op, value, errp);
}

/* --- defaults --------------------------------------------------------- */

static void set_default_value_bool(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_bool(op, prop->defval.u);
}

void qdev_propinfo_set_default_value_int(ObjectProperty *op,
                                         const Property *prop)
{
    object_property_set_default_int(op, prop->defval.i);
}

void qdev_propinfo_set_default_value_uint(ObjectProperty *op,
                                          const Property *prop)
{
    object_property_set_default_uint(op, prop->defval.u);
}

void qdev_propinfo_set_default_value_enum(ObjectProperty *op,
                                          const Property *prop)
{
    object_property_set_default_str(op,
        qapi_enum_lookup(prop->info->enum_table, prop->defval.i));
}

/* --- bit and bit64 ---------------------------------------------------- */

static GVariant *prop_get_bit(Object *obj, ObjectProperty *op, Error **errp)
{
    Property *prop = op->opaque;
    uint32_t *p = field_ptr(obj, op);

    return owned(g_variant_new_boolean(!!(*p & (1u << prop->bitnr))));
}

static bool prop_set_bit(Object *obj, ObjectProperty *op, GVariant *value,
                         Error **errp)
{
    Property *prop = op->opaque;
    uint32_t *p = field_ptr(obj, op);
    bool v;

    if (!prop_value_bool(value, op->name, &v, errp)) {
        return false;
    }
    if (v) {
        *p |= 1u << prop->bitnr;
    } else {
        *p &= ~(1u << prop->bitnr);
    }
    return true;
}

const PropertyInfo qdev_prop_bit = {
    .name = "bool",
    .description = "on/off",
    .get = prop_get_bit,
    .set = prop_set_bit,
    .set_default_value = set_default_value_bool,
};

static GVariant *prop_get_bit64(Object *obj, ObjectProperty *op,
                                Error **errp)
{
    Property *prop = op->opaque;
    uint64_t *p = field_ptr(obj, op);

    return owned(g_variant_new_boolean(!!(*p & (1ull << prop->bitnr))));
}

static bool prop_set_bit64(Object *obj, ObjectProperty *op, GVariant *value,
                           Error **errp)
{
    Property *prop = op->opaque;
    uint64_t *p = field_ptr(obj, op);
    bool v;

    if (!prop_value_bool(value, op->name, &v, errp)) {
        return false;
    }
    if (v) {
        *p |= 1ull << prop->bitnr;
    } else {
        *p &= ~(1ull << prop->bitnr);
    }
    return true;
}

const PropertyInfo qdev_prop_bit64 = {
    .name = "bool",
    .description = "on/off",
    .get = prop_get_bit64,
    .set = prop_set_bit64,
    .set_default_value = set_default_value_bool,
};

/* --- bool ------------------------------------------------------------- */

static GVariant *get_bool(Object *obj, ObjectProperty *op, Error **errp)
{
    bool *ptr = field_ptr(obj, op);

    return owned(g_variant_new_boolean(*ptr));
}

static bool set_bool(Object *obj, ObjectProperty *op, GVariant *value,
                     Error **errp)
{
    return prop_value_bool(value, op->name, field_ptr(obj, op), errp);
}

const PropertyInfo qdev_prop_bool = {
    .name = "bool",
    .get = get_bool,
    .set = set_bool,
    .set_default_value = set_default_value_bool,
};

/* --- integers --------------------------------------------------------- */

/*
 * One getter/setter pair per C type; the setters take the range and the
 * type name QEMU's visitors use in "Parameter 'x' expects uint8_t".
 */
#define DEFINE_UINT_ACCESSORS(bits, max)                                  \
static GVariant *get_uint##bits(Object *obj, ObjectProperty *op,          \
                                Error **errp)                             \
{                                                                         \
    uint##bits##_t *ptr = field_ptr(obj, op);                             \
    return owned(g_variant_new_uint64(*ptr));                             \
}                                                                         \
static bool set_uint##bits(Object *obj, ObjectProperty *op,               \
                           GVariant *value, Error **errp)                 \
{                                                                         \
    uint##bits##_t *ptr = field_ptr(obj, op);                             \
    uint64_t v;                                                           \
    if (!prop_value_uint_range(value, op->name, (max),                    \
                               "uint" #bits "_t", &v, errp)) {            \
        return false;                                                     \
    }                                                                     \
    *ptr = v;                                                             \
    return true;                                                          \
}

DEFINE_UINT_ACCESSORS(8, UINT8_MAX)
DEFINE_UINT_ACCESSORS(16, UINT16_MAX)
DEFINE_UINT_ACCESSORS(32, UINT32_MAX)

static GVariant *get_int32(Object *obj, ObjectProperty *op, Error **errp)
{
    int32_t *ptr = field_ptr(obj, op);

    return owned(g_variant_new_int64(*ptr));
}

static bool set_int32(Object *obj, ObjectProperty *op, GVariant *value,
                      Error **errp)
{
    int32_t *ptr = field_ptr(obj, op);
    int64_t v;

    if (!prop_value_int_range(value, op->name, INT32_MIN, INT32_MAX,
                              "int32_t", &v, errp)) {
        return false;
    }
    *ptr = v;
    return true;
}

static GVariant *get_uint64(Object *obj, ObjectProperty *op, Error **errp)
{
    uint64_t *ptr = field_ptr(obj, op);

    return owned(g_variant_new_uint64(*ptr));
}

static bool set_uint64(Object *obj, ObjectProperty *op, GVariant *value,
                       Error **errp)
{
    return prop_value_uint64(value, op->name, field_ptr(obj, op), errp);
}

static GVariant *get_int64(Object *obj, ObjectProperty *op, Error **errp)
{
    int64_t *ptr = field_ptr(obj, op);

    return owned(g_variant_new_int64(*ptr));
}

static bool set_int64(Object *obj, ObjectProperty *op, GVariant *value,
                      Error **errp)
{
    return prop_value_int64(value, op->name, field_ptr(obj, op), errp);
}

const PropertyInfo qdev_prop_uint8 = {
    .name = "uint8",
    .get = get_uint8,
    .set = set_uint8,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

const PropertyInfo qdev_prop_uint16 = {
    .name = "uint16",
    .get = get_uint16,
    .set = set_uint16,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

const PropertyInfo qdev_prop_uint32 = {
    .name = "uint32",
    .get = get_uint32,
    .set = set_uint32,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

const PropertyInfo qdev_prop_int32 = {
    .name = "int32",
    .get = get_int32,
    .set = set_int32,
    .set_default_value = qdev_propinfo_set_default_value_int,
};

const PropertyInfo qdev_prop_uint64 = {
    .name = "uint64",
    .get = get_uint64,
    .set = set_uint64,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

const PropertyInfo qdev_prop_int64 = {
    .name = "int64",
    .get = get_int64,
    .set = set_int64,
    .set_default_value = qdev_propinfo_set_default_value_int,
};

/* A uint64 whose QOM type "size" makes the string front end take "64M". */
const PropertyInfo qdev_prop_size = {
    .name = "size",
    .get = get_uint64,
    .set = set_uint64,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

/* --- string ----------------------------------------------------------- */

static void release_string(Object *obj, const char *name, void *opaque)
{
    Property *prop = opaque;

    g_free(*(char **)object_field_prop_ptr(obj, prop));
}

static GVariant *get_string(Object *obj, ObjectProperty *op, Error **errp)
{
    char **ptr = field_ptr(obj, op);

    /* An unset string reads as "" (`info qtree` shows it as <null>). */
    return owned(g_variant_new_string(*ptr ? *ptr : ""));
}

static bool set_string(Object *obj, ObjectProperty *op, GVariant *value,
                       Error **errp)
{
    char **ptr = field_ptr(obj, op);
    const char *str;

    if (!prop_value_str(value, op->name, &str, errp)) {
        return false;
    }
    g_free(*ptr);
    *ptr = g_strdup(str);
    return true;
}

const PropertyInfo qdev_prop_string = {
    .name = "str",
    .release = release_string,
    .get = get_string,
    .set = set_string,
};

/* --- enums and OnOffAuto ---------------------------------------------- */

GVariant *qdev_propinfo_get_enum(Object *obj, ObjectProperty *op,
                                 Error **errp)
{
    Property *prop = op->opaque;
    int *ptr = field_ptr(obj, op);

    return owned(g_variant_new_string(
                     qapi_enum_lookup(prop->info->enum_table, *ptr)));
}

bool qdev_propinfo_set_enum(Object *obj, ObjectProperty *op, GVariant *value,
                            Error **errp)
{
    Property *prop = op->opaque;
    int *ptr = field_ptr(obj, op);
    const char *str;
    int v;

    if (!prop_value_str(value, op->name, &str, errp)) {
        return false;
    }
    v = qapi_enum_parse(prop->info->enum_table, str);
    if (v < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   op->name, str);
        return false;
    }
    *ptr = v;
    return true;
}

static const char *const OnOffAuto_names[] = {
    [ON_OFF_AUTO_AUTO] = "auto",
    [ON_OFF_AUTO_ON] = "on",
    [ON_OFF_AUTO_OFF] = "off",
};

const QEnumLookup OnOffAuto_lookup = {
    .array = OnOffAuto_names,
    .size = ON_OFF_AUTO__MAX,
};

/* Enum fields are accessed as int. */
G_STATIC_ASSERT(sizeof(OnOffAuto) == sizeof(int));

const PropertyInfo qdev_prop_on_off_auto = {
    .name = "OnOffAuto",
    .description = "on/off/auto",
    .enum_table = &OnOffAuto_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

/* --- link ------------------------------------------------------------- */

static ObjectProperty *create_link_property(ObjectClass *oc,
                                            const char *name,
                                            Property *prop)
{
    return object_class_property_add_link(oc, name, prop->link_type,
                                          prop->offset,
                                          qdev_prop_allow_set_link_before_realize,
                                          OBJ_PROP_LINK_STRONG |
                                          OBJ_PROP_LINK_CLASS);
}

const PropertyInfo qdev_prop_link = {
    .name = "link",
    .create = create_link_property,
};

/* --- registration ----------------------------------------------------- */

/* What every field property gets besides get/set/release. */
static void field_prop_setup(ObjectProperty *op, Property *prop)
{
    if (prop->info->parse) {
        op->parse = prop->info->parse;
    }
    if (prop->info->print) {
        op->print = prop->info->print;
    }
    op->enum_lookup = prop->info->enum_table;
    if (prop->set_default) {
        prop->info->set_default_value(op, prop);
    }
}

static void qdev_class_add_property(DeviceClass *klass, const char *name,
                                    Property *prop)
{
    ObjectClass *oc = OBJECT_CLASS(klass);
    ObjectProperty *op;

    if (prop->info->create) {
        op = prop->info->create(oc, name, prop);
    } else {
        op = object_class_property_add(oc, name, prop->info->name,
                                       prop->info->get,
                                       prop->info->set ? field_prop_set
                                                       : NULL,
                                       prop->info->release, prop);
    }
    field_prop_setup(op, prop);
    if (prop->info->description) {
        object_class_property_set_description(oc, name,
                                              prop->info->description);
    }
}

void device_class_set_props(DeviceClass *dc, Property *props)
{
    dc->props_ = props;
    for (Property *prop = props; prop && prop->name; prop++) {
        qdev_class_add_property(dc, prop->name, prop);
    }
}

void qdev_property_add_static(DeviceState *dev, Property *prop)
{
    Object *obj = OBJECT(dev);
    ObjectProperty *op;

    assert(!prop->info->create);
    op = object_property_add(obj, prop->name, prop->info->name,
                             prop->info->get,
                             prop->info->set ? field_prop_set : NULL,
                             prop->info->release, prop);
    if (prop->info->description) {
        object_property_set_description(obj, prop->name,
                                        prop->info->description);
    }
    field_prop_setup(op, prop);
    if (op->defval) {
        /* object_new applies class defaults only: apply this one now. */
        object_property_set(obj, prop->name, op->defval, &error_abort);
    }
}

/* --- board convenience setters ---------------------------------------- */

void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value)
{
    object_property_set_bool(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint16(DeviceState *dev, const char *name,
                          uint16_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name,
                          uint32_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value)
{
    object_property_set_int(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint64(DeviceState *dev, const char *name,
                          uint64_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value)
{
    object_property_set_str(OBJECT(dev), name, value, &error_abort);
}

/* The static Property @name of @dev's class or an ancestor, or NULL. */
static Property *qdev_prop_find(DeviceState *dev, const char *name)
{
    ObjectClass *device_class = object_class_by_name(TYPE_DEVICE);

    for (ObjectClass *oc = object_get_class(OBJECT(dev));
         oc != device_class; oc = object_class_get_parent(oc)) {
        for (Property *p = DEVICE_CLASS(oc)->props_; p && p->name; p++) {
            if (strcmp(p->name, name) == 0) {
                return p;
            }
        }
    }
    return NULL;
}

void qdev_prop_set_enum(DeviceState *dev, const char *name, int value)
{
    Property *prop = qdev_prop_find(dev, name);

    assert(prop && prop->info->enum_table);
    object_property_set_str(OBJECT(dev), name,
                            qapi_enum_lookup(prop->info->enum_table, value),
                            &error_abort);
}
