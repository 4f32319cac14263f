/*
 * qdev-properties.h - static device properties: a table of Property
 * entries, each backed by a field of the device state struct (QEMU 7.2's
 * include/hw/qdev-properties.h, hw/core/qdev-properties.c).
 *
 *   static Property foo_properties[] = {
 *       DEFINE_PROP_UINT32("irq", FooState, irq, 4),
 *       DEFINE_PROP_BOOL("msi", FooState, msi_enabled, true),
 *       DEFINE_PROP_STRING("serial", FooState, serial),
 *       DEFINE_PROP_END_OF_LIST(),
 *   };
 *   ... in class_init: device_class_set_props(dc, foo_properties);
 *
 * Each entry becomes a class property with the QOM type named by its
 * PropertyInfo ("uint32", "bool", "str", "OnOffAuto", "link<T>"),
 * range-checked setters with QEMU's messages ("Parameter 'irq' expects
 * uint8_t"), its default (applied by object_new and shown by
 * device-list-properties) and, once the device is realized, the refusal
 * "Attempt to set property 'irq' on device 'ID' (type 'T') after it was
 * realized" ("on anonymous device" when it has no id).
 *
 * Not modelled: array properties, legacy "legacy-*" string properties,
 * and the system types of qdev-properties-system.c (drive, chardev,
 * netdev, pci-devfn ...), which their subsystems define with the
 * helpers at the end of this file.
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_QDEV_PROPERTIES_H
#define HW_CORE_QDEV_PROPERTIES_H

#include "hw/core/qdev.h"

typedef struct PropertyInfo PropertyInfo;

/**
 * Property: one static property.  Built with the DEFINE_PROP_* macros.
 * @offset: of the backing field in the instance struct.
 * @bitnr: for bit properties, the bit within the field.
 * @set_default: apply @defval (through info->set_default_value); if false
 *   the field keeps what instance_init put there.
 * @link_type: for link properties, the target type.
 */
struct Property {
    const char *name;
    const PropertyInfo *info;
    ptrdiff_t offset;
    uint8_t bitnr;
    bool set_default;
    union {
        int64_t i;
        uint64_t u;
    } defval;
    const char *link_type;
};

/**
 * PropertyInfo: how a kind of static property behaves.
 * @name: the QOM property type ("uint32"); enums use their type name.
 * @description: shown by help/introspection, or NULL.
 * @enum_table: for enum properties.
 * @realized_set_allowed: setting stays allowed after realize.
 * @set_default_value: record prop->defval as @op's default.
 * @create: add the class property yourself (links); else @get/@set/
 *   @release/@parse/@print are used, with the Property as the
 *   ObjectProperty opaque.  The setter runs only if the device is not
 *   realized.
 * @parse, @print: optional text forms (see ObjectProperty), for kinds
 *   whose text is not their type's (a PCI devfn "04.0").
 */
struct PropertyInfo {
    const char *name;
    const char *description;
    const QEnumLookup *enum_table;
    bool realized_set_allowed;
    void (*set_default_value)(ObjectProperty *op, const Property *prop);
    ObjectProperty *(*create)(ObjectClass *oc, const char *name,
                              Property *prop);
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    ObjectPropertyRelease *release;
    GVariant *(*parse)(Object *obj, ObjectProperty *op, const char *string,
                       Error **errp);
    char *(*print)(Object *obj, ObjectProperty *op, GVariant *value);
};

extern const PropertyInfo qdev_prop_bit;
extern const PropertyInfo qdev_prop_bit64;
extern const PropertyInfo qdev_prop_bool;
extern const PropertyInfo qdev_prop_uint8;
extern const PropertyInfo qdev_prop_uint16;
extern const PropertyInfo qdev_prop_uint32;
extern const PropertyInfo qdev_prop_int32;
extern const PropertyInfo qdev_prop_uint64;
extern const PropertyInfo qdev_prop_int64;
extern const PropertyInfo qdev_prop_size;
extern const PropertyInfo qdev_prop_string;
extern const PropertyInfo qdev_prop_on_off_auto;
extern const PropertyInfo qdev_prop_link;

/* QAPI's OnOffAuto (qapi/common.json): values and their names. */
typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
    ON_OFF_AUTO__MAX,
} OnOffAuto;
extern const QEnumLookup OnOffAuto_lookup;

/* ------------------------------------------------------------------ */
/* DEFINE_PROP_*                                                        */
/* ------------------------------------------------------------------ */

/* Compile-time check that a field has the type a macro expects: pointer
 * subtraction between different pointee types does not compile. */
#define qdev_prop_type_check(t1, t2) ((t1 *)0 - (t2 *)0)
#define qdev_prop_typeof_field(type, field) typeof(((type *)0)->field)

#define DEFINE_PROP(_name, _state, _field, _prop, _type, ...) {      \
        .name   = (_name),                                           \
        .info   = &(_prop),                                          \
        .offset = offsetof(_state, _field)                           \
            + qdev_prop_type_check(_type,                            \
                    qdev_prop_typeof_field(_state, _field)),         \
        __VA_ARGS__                                                  \
    }

#define DEFINE_PROP_SIGNED(_name, _state, _field, _defval, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type,                     \
                .set_default = true, .defval.i = (_type)(_defval))

#define DEFINE_PROP_UNSIGNED(_name, _state, _field, _defval, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type,                       \
                .set_default = true, .defval.u = (_type)(_defval))

#define DEFINE_PROP_UNSIGNED_NODEFAULT(_name, _state, _field, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type)

/* A bool stored as bit @_bit of a uint32_t field. */
#define DEFINE_PROP_BIT(_name, _state, _field, _bit, _defval)        \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bit, uint32_t,      \
                .bitnr = (_bit), .set_default = true,                \
                .defval.u = (bool)(_defval))

/* A bool stored as bit @_bit of a uint64_t field. */
#define DEFINE_PROP_BIT64(_name, _state, _field, _bit, _defval)      \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bit64, uint64_t,    \
                .bitnr = (_bit), .set_default = true,                \
                .defval.u = (bool)(_defval))

#define DEFINE_PROP_BOOL(_name, _state, _field, _defval)             \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bool, bool,         \
                .set_default = true, .defval.u = (bool)(_defval))

#define DEFINE_PROP_UINT8(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint8, uint8_t)
#define DEFINE_PROP_UINT16(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint16, uint16_t)
#define DEFINE_PROP_UINT32(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint32, uint32_t)
#define DEFINE_PROP_INT32(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_int32, int32_t)
#define DEFINE_PROP_UINT64(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint64, uint64_t)
#define DEFINE_PROP_INT64(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_int64, int64_t)
/* A byte count; the command line accepts suffixes ("64M"). */
#define DEFINE_PROP_SIZE(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_size, uint64_t)
/* A char * field, g_free'd with the device; no default (reads as ""). */
#define DEFINE_PROP_STRING(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_string, char *)
#define DEFINE_PROP_ON_OFF_AUTO(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_on_off_auto, OnOffAuto)
/*
 * A strong link<@_type> stored in a @_ptr_type field: the device holds a
 * reference on the target, dropped when the link changes or the device
 * goes away.  Settable only before realize.
 */
#define DEFINE_PROP_LINK(_name, _state, _field, _type, _ptr_type)    \
    DEFINE_PROP(_name, _state, _field, qdev_prop_link, _ptr_type,    \
                .link_type = (_type))

#define DEFINE_PROP_END_OF_LIST() {}

/* ------------------------------------------------------------------ */
/* Registering and setting                                              */
/* ------------------------------------------------------------------ */

/**
 * device_class_set_props: add each entry of @props (ending with
 * DEFINE_PROP_END_OF_LIST) to @dc as a class property, and record @props
 * as dc->props_ for `info qtree`.  @props must stay valid forever (a
 * static array).  A duplicate name aborts.  Call from class_init.
 */
void device_class_set_props(DeviceClass *dc, Property *props);

/**
 * qdev_property_add_static: add @prop to @dev alone, as an instance
 * property, and apply its default now.  @prop must outlive @dev and must
 * not be a link.  Typically called from instance_init.
 */
void qdev_property_add_static(DeviceState *dev, Property *prop);

/*
 * qdev_prop_set_*: set a property the board knows exists and accepts the
 * value; any failure is a bug and aborts (&error_abort).
 */
void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value);
void qdev_prop_set_uint16(DeviceState *dev, const char *name,
                          uint16_t value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name,
                          uint32_t value);
void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value);
void qdev_prop_set_uint64(DeviceState *dev, const char *name,
                          uint64_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value);
/* @value indexes the enum table of @name's PropertyInfo. */
void qdev_prop_set_enum(DeviceState *dev, const char *name, int value);

/* ------------------------------------------------------------------ */
/* For PropertyInfo implementers                                        */
/* ------------------------------------------------------------------ */

/* The field behind @prop in @obj. */
void *object_field_prop_ptr(Object *obj, Property *prop);

/* Set *errp to QEMU's "Attempt to set property ... after it was realized". */
void qdev_prop_set_after_realize(DeviceState *dev, const char *name,
                                 Error **errp);

/* ObjectLinkCheck refusing changes once @obj (a device) is realized. */
void qdev_prop_allow_set_link_before_realize(const Object *obj,
                                             const char *name,
                                             Object *val, Error **errp);

/*
 * Accessors for an int-sized enum field whose names are in
 * prop->info->enum_table: get returns the name; set takes a name and
 * fails with "Parameter 'NAME' does not accept value 'V'".  The default
 * setters record defval.i (enum), .i (signed) or .u (unsigned).
 */
GVariant *qdev_propinfo_get_enum(Object *obj, ObjectProperty *op,
                                 Error **errp);
bool qdev_propinfo_set_enum(Object *obj, ObjectProperty *op,
                            GVariant *value, Error **errp);
void qdev_propinfo_set_default_value_enum(ObjectProperty *op,
                                          const Property *prop);
void qdev_propinfo_set_default_value_int(ObjectProperty *op,
                                         const Property *prop);
void qdev_propinfo_set_default_value_uint(ObjectProperty *op,
                                          const Property *prop);

#endif /* HW_CORE_QDEV_PROPERTIES_H */
