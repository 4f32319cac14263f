/*
 * object.h - the qomu object model (QOM), after QEMU's include/qom/object.h.
 *
 * Types are registered at start-up with a TypeInfo (type_init + a
 * constructor); a type's class is created lazily the first time it is
 * needed, parent first, by copying the parent class and running
 * class_base_init of every ancestor and then the type's own class_init.
 * Instances are created with object_new(): memory is zeroed, class
 * property defaults are applied, instance_init runs root to leaf,
 * instance_post_init leaf to root (as QEMU 7.2 does); finalize runs leaf
 * to root when the last reference goes.
 *
 * Properties are the one way the outside world reads and writes an
 * object.  Every property's accessors speak GVariant; three front ends sit
 * on top: typed C calls (object_property_set_int ...), strings from the
 * command line (object_property_parse) and JSON from the monitor, which
 * converts JSON to GVariant.  See docs/devel/qom.md.
 *
 * Threads: type registration happens before main(); everything else here
 * is main-thread (or big-lock) only, except object_ref/object_unref,
 * which are atomic, and the cast functions, which only read.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct TypeImpl *Type;
typedef struct Object Object;
typedef struct ObjectClass ObjectClass;
typedef struct InterfaceClass InterfaceClass;
typedef struct ObjectProperty ObjectProperty;
typedef struct TypeInfo TypeInfo;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"

/* ------------------------------------------------------------------ */
/* Properties                                                           */
/* ------------------------------------------------------------------ */

/**
 * ObjectPropertyGet:
 * Returns a new, non-floating reference to the property's value, or NULL
 * with @errp set.  Types by property kind: bool "b"; signed ints "x";
 * unsigned ints and sizes "t"; strings, enums, links and children "s".
 */
typedef GVariant *ObjectPropertyGet(Object *obj, ObjectProperty *prop,
                                    Error **errp);
/**
 * ObjectPropertySet:
 * @value is borrowed.  Setters must check its type (prop_value_* below do,
 * with QEMU's messages) because it may come straight from JSON.
 * Returns false with @errp set on failure; the object is unchanged then.
 */
typedef bool ObjectPropertySet(Object *obj, ObjectProperty *prop,
                               GVariant *value, Error **errp);
/* Called when the property is deleted (object finalize or explicit del). */
typedef void ObjectPropertyRelease(Object *obj, const char *name,
                                   void *opaque);
/* Class properties: apply the default to a new instance. */
typedef void ObjectPropertyInit(Object *obj, ObjectProperty *prop);

/* A QAPI-style enum: array[i] is the name of value i. */
typedef struct QEnumLookup {
    const char *const *array;
    int size;
} QEnumLookup;

/**
 * PropScalar: a plain C value, what the typed and text front ends have
 * in hand before they would box it in a GVariant.  Each kind stands for
 * one GVariant type: BOOL "b", INT "x", UINT "t", STR "s" (borrowed).
 * NONE is any other value (e.g. a container from JSON).
 */
typedef enum {
    PROP_SCALAR_NONE,
    PROP_SCALAR_BOOL,
    PROP_SCALAR_INT,
    PROP_SCALAR_UINT,
    PROP_SCALAR_STR,
} PropScalarKind;

typedef struct PropScalar {
    PropScalarKind kind;
    union {
        bool b;
        int64_t i;
        uint64_t u;
        const char *s;
    };
} PropScalar;

/**
 * ObjectPropertySetScalar:
 * Optional fast path beside ->set: the same setter for a value that is a
 * plain scalar, so object_property_set_int & co. and object_property_parse
 * need not allocate a GVariant.  Must behave exactly as ->set would with
 * the equivalent GVariant (check it with the prop_scalar_* helpers).
 */
typedef bool ObjectPropertySetScalar(Object *obj, ObjectProperty *prop,
                                     const PropScalar *value, Error **errp);

struct ObjectProperty {
    char *name;
    char *type;             /* "bool", "int", "uint32", "size", "str",
                             * "link<T>", "child<T>", or an enum's name */
    char *description;
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    ObjectPropertyRelease *release;
    ObjectPropertyInit *init;
    void *opaque;
    GVariant *defval;       /* default for introspection, or NULL */
    /* Optional: how object_property_parse turns text into a value, for
     * properties whose text form is not their type's (e.g. PCI "04.0"). */
    GVariant *(*parse)(Object *obj, ObjectProperty *prop,
                       const char *string, Error **errp);
    /* Enum properties: the names the value may take (else NULL). */
    const QEnumLookup *enum_lookup;
    /* Optional: the text form info qtree prints (g_free-able). */
    char *(*print)(Object *obj, ObjectProperty *prop, GVariant *value);
    /* Optional, only beside ->set: see ObjectPropertySetScalar. */
    ObjectPropertySetScalar *set_scalar;
    PropScalar defscalar;   /* defval unboxed (NONE if it is not a scalar) */
};

/* Returns the index of @name in @lookup, or -1. */
int qapi_enum_parse(const QEnumLookup *lookup, const char *name);
/* Returns the name of @val; aborts if out of range (a bug). */
const char *qapi_enum_lookup(const QEnumLookup *lookup, int val);

/**
 * prop_value_bool / _int64 / _uint64 / _str:
 * Check that @value is of the kind a setter wants and extract it.
 * @name is the property name, used in QEMU's messages:
 *   "Invalid parameter type for 'NAME', expected: boolean" (or integer,
 *   string).  _int64 accepts any signed or unsigned integer variant that
 *   fits; _uint64 rejects negative values.  _str returns a borrowed string.
 */
bool prop_value_bool(GVariant *value, const char *name, bool *out,
                     Error **errp);
bool prop_value_int64(GVariant *value, const char *name, int64_t *out,
                      Error **errp);
bool prop_value_uint64(GVariant *value, const char *name, uint64_t *out,
                       Error **errp);
bool prop_value_str(GVariant *value, const char *name, const char **out,
                    Error **errp);
/*
 * The same checks on a PropScalar (same messages), and the conversion
 * from GVariant: prop_value_scalar() fills @out from "b", "s" and any
 * integer variant, and sets PROP_SCALAR_NONE for anything else.
 * object_property_set_scalar() is a ready-made ->set for properties that
 * have a set_scalar: it unboxes and calls it.
 */
bool prop_scalar_bool(const PropScalar *value, const char *name, bool *out,
                      Error **errp);
bool prop_scalar_int64(const PropScalar *value, const char *name,
                       int64_t *out, Error **errp);
bool prop_scalar_uint64(const PropScalar *value, const char *name,
                        uint64_t *out, Error **errp);
bool prop_scalar_str(const PropScalar *value, const char *name,
                     const char **out, Error **errp);
bool prop_scalar_uint_range(const PropScalar *value, const char *name,
                            uint64_t max, const char *type_name,
                            uint64_t *out, Error **errp);
void prop_value_scalar(GVariant *value, PropScalar *out);
bool object_property_set_scalar(Object *obj, ObjectProperty *prop,
                                GVariant *value, Error **errp);
/* Range-checked versions: "Parameter 'NAME' expects TYPENAME" (uint8_t..). */
bool prop_value_int_range(GVariant *value, const char *name, int64_t min,
                          int64_t max, const char *type_name, int64_t *out,
                          Error **errp);
bool prop_value_uint_range(GVariant *value, const char *name, uint64_t max,
                           const char *type_name, uint64_t *out,
                           Error **errp);

/* ------------------------------------------------------------------ */
/* Types, classes, instances                                            */
/* ------------------------------------------------------------------ */

#define OBJECT_CLASS_CAST_CACHE 4

typedef void ObjectUnparent(Object *obj);
typedef void ObjectFree(void *obj);

/**
 * ObjectClass: the base of every class.
 * Class structs embed their parent class as the first member.
 */
struct ObjectClass {
    /* private: */
    Type type;
    GSList *interfaces;         /* InterfaceClass *, one per interface */
    const char *object_cast_cache[OBJECT_CLASS_CAST_CACHE];
    const char *class_cast_cache[OBJECT_CLASS_CAST_CACHE];
    const char *object_miss_cache[OBJECT_CLASS_CAST_CACHE];
    ObjectUnparent *unparent;   /* run when the object leaves its parent */
    GHashTable *properties;     /* this class's own: name -> ObjectProperty */
    GPtrArray *property_order;  /* the same, in the order added */
};

/**
 * Object: the base of every instance.
 * Instance structs embed their parent instance as the first member
 * (named parent_obj by convention).
 */
struct Object {
    /* private: */
    ObjectClass *class;
    ObjectFree *free;           /* set when object_new allocated us */
    GHashTable *properties;     /* instance properties; NULL until needed */
    GPtrArray *property_order;
    uint32_t ref;
    Object *parent;
};

/**
 * TypeInfo: what a type registers.  Any field may be zero.
 * @instance_size defaults to the parent's; @class_size likewise.
 * @class_init runs once, after the parent class has been copied in and
 * every ancestor's @class_base_init has run on the new class.
 * @interfaces is an array terminated by { NULL }.
 */
typedef struct InterfaceInfo {
    const char *type;
} InterfaceInfo;

struct TypeInfo {
    const char *name;
    const char *parent;

    size_t instance_size;
    size_t instance_align;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);

    bool abstract;
    size_t class_size;

    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;

    InterfaceInfo *interfaces;
};

/**
 * InterfaceClass: the class of an interface as seen through an object's
 * class.  object_class_dynamic_cast(klass, "iface") returns one of these;
 * concrete_class is the implementing class.
 */
struct InterfaceClass {
    ObjectClass parent_class;
    /* private: */
    ObjectClass *concrete_class;
    Type interface_type;
};

/*
 * type_init(fn): run fn at start-up (before main) to register types.
 * Registration only records the TypeInfo; nothing is initialised until a
 * class is first used, so the order of constructors does not matter.
 */
#define type_init(function) \
    static void __attribute__((constructor)) do_qom_init_##function(void) \
    { \
        function(); \
    }

/**
 * type_register_static / type_register:
 * Records @info (which must stay valid forever for _static; type_register
 * copies it).  Registering a name twice is a bug and aborts.
 */
Type type_register_static(const TypeInfo *info);
Type type_register(const TypeInfo *info);
/* Registers @n types from an array (QEMU's type_register_static_array). */
void type_register_static_array(const TypeInfo *infos, int nr_infos);

/**
 * DEFINE_TYPES(array): register every TypeInfo of a static array.
 */
#define DEFINE_TYPES(type_array) \
    static void do_qom_init_ ## type_array(void) \
    { \
        type_register_static_array(type_array, ARRAY_SIZE(type_array)); \
    } \
    type_init(do_qom_init_ ## type_array)

/* -- Checked casts ------------------------------------------------- */

/*
 * The checked casts abort with QEMU's message:
 *   "FILE:LINE:FUNC: Object 0x... is not an instance of type T"
 * They are for programming errors only; use object_dynamic_cast to test.
 */
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(class) ((ObjectClass *)(class))

#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), \
                                        __FILE__, __LINE__, __func__))
#define OBJECT_CLASS_CHECK(class_type, class, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(class), \
                    (name), __FILE__, __LINE__, __func__))
#define OBJECT_GET_CLASS(class, obj, name) \
    OBJECT_CLASS_CHECK(class, object_get_class(OBJECT(obj)), name)

/*
 * OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME) generates:
 *   typedef struct InstanceType InstanceType;
 *   typedef struct ClassType ClassType;
 *   g_autoptr(InstanceType) support (drops a reference);
 *   static inline InstanceType *MODULE_OBJ_NAME(const void *obj);
 *   static inline ClassType *MODULE_OBJ_NAME_GET_CLASS(const void *obj);
 *   static inline ClassType *MODULE_OBJ_NAME_CLASS(const void *klass);
 * all checking against TYPE_MODULE_OBJ_NAME, which must be #defined to
 * the type's name string.
 * OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME) is the same
 * for types with no class struct of their own (only the instance cast).
 */
#define DECLARE_INSTANCE_CHECKER(InstanceType, OBJ_NAME, TYPENAME) \
    static inline G_GNUC_UNUSED InstanceType *OBJ_NAME(const void *obj) \
    { return OBJECT_CHECK(InstanceType, obj, TYPENAME); }

#define DECLARE_CLASS_CHECKERS(ClassType, OBJ_NAME, TYPENAME) \
    static inline G_GNUC_UNUSED ClassType *OBJ_NAME##_GET_CLASS(const void *obj) \
    { return OBJECT_GET_CLASS(ClassType, obj, TYPENAME); } \
    static inline G_GNUC_UNUSED ClassType *OBJ_NAME##_CLASS(const void *klass) \
    { return OBJECT_CLASS_CHECK(ClassType, klass, TYPENAME); }

#define DECLARE_OBJ_CHECKERS(InstanceType, ClassType, OBJ_NAME, TYPENAME) \
    DECLARE_INSTANCE_CHECKER(InstanceType, OBJ_NAME, TYPENAME) \
    DECLARE_CLASS_CHECKERS(ClassType, OBJ_NAME, TYPENAME)

#define OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME) \
    typedef struct InstanceType InstanceType; \
    typedef struct ClassType ClassType; \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref) \
    DECLARE_OBJ_CHECKERS(InstanceType, ClassType, \
                         MODULE_OBJ_NAME, TYPE_##MODULE_OBJ_NAME)

#define OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME) \
    typedef struct InstanceType InstanceType; \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref) \
    DECLARE_INSTANCE_CHECKER(InstanceType, MODULE_OBJ_NAME, \
                             TYPE_##MODULE_OBJ_NAME)

/* -- Classes --------------------------------------------------------- */

/* Returns the class of @typename (initialising it), or NULL if unknown. */
ObjectClass *object_class_by_name(const char *typename);
/* Like object_class_by_name. (QEMU's module loading has no equivalent.) */
ObjectClass *module_object_class_by_name(const char *typename);
ObjectClass *object_class_get_parent(ObjectClass *klass);
const char *object_class_get_name(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/*
 * Returns @klass viewed as @typename: @klass itself if it derives from
 * @typename, the InterfaceClass if it implements interface @typename, or
 * NULL.  Never fails for a NULL klass (returns NULL).
 */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
/* Calls @fn for every type deriving from (or implementing) @implements_type
 * (NULL = all); abstract ones only if @include_abstract.  Sorted by name. */
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque);
/* The same as a list (free with g_slist_free), sorted by type name. */
GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract);
GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract);
/* True if a type of that name is registered. */
bool type_exists(const char *typename);

/* -- Instances ------------------------------------------------------- */

/**
 * object_new: creates an instance of @typename.
 * Returns a new reference owned by the caller (refcount 1, no parent).
 * @typename must be registered and not abstract: anything else is a bug
 * (callers handling user input check with object_class_by_name first).
 */
Object *object_new(const char *typename);
Object *object_new_with_class(ObjectClass *klass);
/**
 * object_initialize: initialises an instance embedded in caller memory of
 * @size bytes.  The object is freed by nobody: its owner must drop the
 * last reference before the memory goes away.
 */
void object_initialize(void *obj, size_t size, const char *typename);
/**
 * object_initialize_child: object_initialize + object_property_add_child,
 * then drops the initial reference, so the parent's child property holds
 * the only one (QEMU's object_initialize_child).
 */
void object_initialize_child(Object *parentobj, const char *propname,
                             void *childobj, size_t size,
                             const char *type);
/**
 * object_new_with_props: object_new, set each "name", "value" string pair
 * (NULL-terminated varargs) with object_property_parse, then add as child
 * @id of @parent.  Returns a borrowed pointer (the parent owns it), or NULL
 * with @errp set (nothing left behind).
 */
Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;

/* Takes a reference; returns @obj.  Thread-safe. */
Object *object_ref(void *obj);
/* Drops a reference; the last one finalizes.  NULL is ignored. */
void object_unref(void *obj);
/* Removes @obj from its parent (dropping the parent's reference). */
void object_unparent(Object *obj);

ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(const Object *obj);
/* Returns @obj if it is (or implements) @typename, else NULL. */
Object *object_dynamic_cast(Object *obj, const char *typename);

/* Number of objects alive right now (created and not yet finalized);
 * the unit-test harness fails a test that leaks any. */
unsigned object_live_count(void);

/* ------------------------------------------------------------------ */
/* Property table                                                       */
/* ------------------------------------------------------------------ */

/**
 * object_property_try_add / object_property_add:
 * Adds an instance property.  A name ending in "[*]" is numbered: the
 * first free "name[0]", "name[1]", ... is taken.  try_add fails with
 * "attempt to add duplicate property 'NAME' to object (type 'T')";
 * object_property_add aborts on that (a bug).  Returns the property.
 */
ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp);
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque);
/* Adds a class property, shared by every instance of the class and of
 * its subclasses.  Duplicate names abort. */
ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque);
/* Deletes an instance property (running its release). */
void object_property_del(Object *obj, const char *name);

/* Finds a property (instance first, then the class chain), or NULL. */
ObjectProperty *object_property_find(Object *obj, const char *name);
/* ... or fails with "Property 'TYPE.NAME' not found". */
ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp);
ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name);
ObjectProperty *object_class_property_find_err(ObjectClass *klass,
                                               const char *name,
                                               Error **errp);

void object_property_set_description(Object *obj, const char *name,
                                     const char *description);
void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description);
/* Record @value (sunk if floating) as @prop's default: shown by
 * introspection and, for class properties, applied by object_new. */
void object_property_set_default(ObjectProperty *prop, GVariant *value);
void object_property_set_default_bool(ObjectProperty *prop, bool value);
void object_property_set_default_str(ObjectProperty *prop,
                                     const char *value);
void object_property_set_default_int(ObjectProperty *prop, int64_t value);
void object_property_set_default_uint(ObjectProperty *prop, uint64_t value);

/**
 * ObjectPropertyIterator: walks instance properties (in the order added),
 * then the class's, then each ancestor's.  Properties must not be added
 * or removed while iterating.
 *
 *   ObjectPropertyIterator iter;
 *   ObjectProperty *prop;
 *   object_property_iter_init(&iter, obj);
 *   while ((prop = object_property_iter_next(&iter))) { ... }
 */
typedef struct ObjectPropertyIterator {
    GPtrArray *order;
    guint index;
    ObjectClass *nextclass;
} ObjectPropertyIterator;

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj);
void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass);
ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter);

/* ------------------------------------------------------------------ */
/* Reading and writing properties                                       */
/* ------------------------------------------------------------------ */

/*
 * object_property_get / object_property_set: the one mechanism.
 * get returns a new non-floating reference (g_variant_unref it) or NULL.
 * set accepts a floating or owned @value and does not steal it (a floating
 * value is sunk and released).  Errors:
 *   "Property 'TYPE.NAME' not found"
 *   "Insufficient permission to perform this operation" (no accessor)
 *   whatever the accessor reports.
 */
GVariant *object_property_get(Object *obj, const char *name, Error **errp);
bool object_property_set(Object *obj, const char *name, GVariant *value,
                         Error **errp);

/* Typed C front end. get_str returns a g_free-able copy. */
bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp);
bool object_property_set_uint(Object *obj, const char *name, uint64_t value,
                              Error **errp);
bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp);
/* Sets a link property to @value's canonical path ("" for NULL). */
bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp);
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
int64_t object_property_get_int(Object *obj, const char *name, Error **errp);
uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp);
char *object_property_get_str(Object *obj, const char *name, Error **errp);
/* Resolves the path a link or child property holds; borrowed, or NULL. */
Object *object_property_get_link(Object *obj, const char *name,
                                 Error **errp);
/* Value of an enum property as an index into @typename's table, or -1. */
int object_property_get_enum(Object *obj, const char *name,
                             const char *typename, Error **errp);

/**
 * object_property_parse: the string front end.  Converts @string
 * according to the property's type (or its ->parse hook), then sets it.
 * Two dialects, as QEMU has two visitors for text (util/cutils.h
 * input_string_* and input_keyval_* have the exact rules and messages):
 *  - object_property_parse: QEMU's string input visitor (-global,
 *    HMP qom-set): ints "Parameter 'N' expects int64" / "... uint64";
 *    sizes "Parameter 'N' expects a non-negative number below 2^64" + hint.
 *  - object_property_parse_keyval: QEMU's keyval input visitor (-device,
 *    -object, -machine keys): ints "Parameter 'N' expects integer";
 *    sizes "Parameter 'N' expects size".
 * Both take bools as on/yes/true/y or off/no/false/n, case-sensitive
 * ("Parameter 'N' expects 'on' or 'off'"), as QEMU 7.2 does.
 * Strings, enums, links: the text as is (the setter validates).
 */
bool object_property_parse(Object *obj, const char *name,
                           const char *string, Error **errp);
bool object_property_parse_keyval(Object *obj, const char *name,
                                  const char *string, Error **errp);
/**
 * object_property_print: the value as text; returns a g_free-able string
 * or NULL.  Booleans print "true"/"false" (QEMU's string output visitor);
 * with @human, sizes print with a unit suffix as QEMU's info qtree does.
 */
char *object_property_print(Object *obj, const char *name, bool human,
                            Error **errp);
/* The same conversions for a property of type @type named @name;
 * returns a new non-floating value or NULL. */
GVariant *object_property_value_from_string(const char *type,
                                            const char *name,
                                            const char *string,
                                            bool keyval, Error **errp);
char *object_property_value_to_string(const char *type, GVariant *value,
                                      bool human);

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp);
bool object_property_is_child(ObjectProperty *prop);
bool object_property_is_link(ObjectProperty *prop);

/* ------------------------------------------------------------------ */
/* Property helpers: typed accessors backed by C callbacks or fields    */
/* ------------------------------------------------------------------ */

typedef enum {
    OBJ_PROP_FLAG_READ = 1 << 0,
    OBJ_PROP_FLAG_WRITE = 1 << 1,
    OBJ_PROP_FLAG_READWRITE = OBJ_PROP_FLAG_READ | OBJ_PROP_FLAG_WRITE,
} ObjectPropertyFlags;

/* Callbacks as in QEMU: a setter reports failure through errp. */
typedef bool ObjectBoolGet(Object *obj, Error **errp);
typedef void ObjectBoolSet(Object *obj, bool value, Error **errp);
typedef char *ObjectStrGet(Object *obj, Error **errp);  /* g_free-able */
typedef void ObjectStrSet(Object *obj, const char *value, Error **errp);
typedef int ObjectEnumGet(Object *obj, Error **errp);
typedef void ObjectEnumSet(Object *obj, int value, Error **errp);

ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                                         ObjectBoolGet *get,
                                         ObjectBoolSet *set);
ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                                               const char *name,
                                               ObjectBoolGet *get,
                                               ObjectBoolSet *set);
ObjectProperty *object_property_add_str(Object *obj, const char *name,
                                        ObjectStrGet *get,
                                        ObjectStrSet *set);
ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                                              const char *name,
                                              ObjectStrGet *get,
                                              ObjectStrSet *set);
/* Enum properties are strings restricted to @lookup's names: a bad one
 * fails with "Parameter 'NAME' does not accept value 'V'"... as QEMU. */
ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                                         const char *typename,
                                         const QEnumLookup *lookup,
                                         ObjectEnumGet *get,
                                         ObjectEnumSet *set);
ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                                               const char *name,
                                               const char *typename,
                                               const QEnumLookup *lookup,
                                               ObjectEnumGet *get,
                                               ObjectEnumSet *set);

/* Properties backed by an integer field of the instance (QEMU's
 * object_property_add_uintN_ptr); @v must live as long as @obj. */
ObjectProperty *object_property_add_uint8_ptr(Object *obj, const char *name,
                                              const uint8_t *v,
                                              ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint16_ptr(Object *obj,
                                               const char *name,
                                               const uint16_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint32_ptr(Object *obj,
                                               const char *name,
                                               const uint32_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint64_ptr(Object *obj,
                                               const char *name,
                                               const uint64_t *v,
                                               ObjectPropertyFlags flags);
/* Class versions take the field's offset in the instance struct. */
ObjectProperty *object_class_property_add_uint32_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags f);
ObjectProperty *object_class_property_add_uint64_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags f);

/**
 * object_property_add_alias: @name on @obj reads and writes
 * @target_name on @target_obj (which must outlive @obj's property).
 */
ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target_obj,
                                          const char *target_name);

/* ------------------------------------------------------------------ */
/* The object tree: children, links, paths                              */
/* ------------------------------------------------------------------ */

/**
 * object_property_try_add_child / object_property_add_child:
 * Adds @child as child property @name ("child<TYPE>") of @obj, taking a
 * reference that the property holds until it is deleted; @child must have
 * no parent yet.  Its value reads as @child's canonical path.  "[*]" in
 * @name numbers it.  Returns the property, or NULL (try_ only) with errp
 * set; object_property_add_child aborts on a duplicate name (a bug).
 */
ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp);
ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child);

typedef enum {
    OBJ_PROP_LINK_DIRECT = 0x0,
    /* the link holds a reference on its target (released on change/del) */
    OBJ_PROP_LINK_STRONG = 0x1,
    /* @targetp is an offset from the instance (class properties) */
    OBJ_PROP_LINK_CLASS = 0x2,
} ObjectPropertyLinkFlags;

/* Called before a link changes; fail to refuse the new target. */
typedef void ObjectLinkCheck(const Object *obj, const char *name,
                             Object *val, Error **errp);
/* Allows any change. */
void object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *val, Error **errp);

/**
 * object_property_add_link: property @name of type "link<@type>" stored in
 * *@targetp.  Set with a path: "" clears; a path that resolves to no
 * object fails with "Device 'PATH' not found" (DeviceNotFound); to an
 * object of another type with "Invalid parameter type for 'NAME',
 * expected: TYPE"; an ambiguous partial path with "Path 'PATH' does not
 * uniquely identify an object".  @check NULL means read-only.
 */
ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type,
                                         Object **targetp,
                                         ObjectLinkCheck *check,
                                         ObjectPropertyLinkFlags flags);
ObjectProperty *object_class_property_add_link(ObjectClass *klass,
                                               const char *name,
                                               const char *type,
                                               ptrdiff_t offset,
                                               ObjectLinkCheck *check,
                                               ObjectPropertyLinkFlags flags);

/* The root of the tree ("/"), a container created on first use. */
Object *object_get_root(void);
/* "/objects", where -object puts user-created objects. */
Object *object_get_objects_root(void);
/* "/machine/unattached" etc.: see hw/core/qdev.h. */

/* The name of @obj in its parent (borrowed), or NULL without a parent. */
const char *object_get_canonical_path_component(const Object *obj);
/* "/machine/peripheral/d0" (g_free), or NULL if @obj is not in the tree.
 * The root's path is "/". */
char *object_get_canonical_path(const Object *obj);

/**
 * object_resolve_path: looks up @path.
 * An absolute path ("/machine/unattached/device[0]") walks child and link
 * properties from the root.  A partial path ("device[0]" or "ide/drive")
 * matches any object in the tree whose path ends with it (links are not
 * followed, as in QEMU); if more than one matches, returns NULL and sets
 * *@ambiguous (which may be NULL).  Returns a borrowed pointer.
 */
Object *object_resolve_path(const char *path, bool *ambiguous);
/* The same, but only objects of (or implementing) @typename count. */
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
/* An absolute-style walk of @path relative to @parent. */
Object *object_resolve_path_at(Object *parent, const char *path);
/* Child property @part of @parent (or a link's target), or NULL. */
Object *object_resolve_path_component(Object *parent, const char *part);

/* Calls @fn on each child of @obj, in the order added; stops at the first
 * non-zero return, which it returns.  _recursive walks depth first. */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);
int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque);

/* ------------------------------------------------------------------ */
/* Containers                                                           */
/* ------------------------------------------------------------------ */

#define TYPE_CONTAINER "container"

/**
 * container_get: returns the object at @path below @root, creating
 * "container" objects for every missing component.  Borrowed.
 */
Object *container_get(Object *root, const char *path);

#endif /* QOM_OBJECT_H */
