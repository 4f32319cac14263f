/*
 * qom-internal.h - what the files of qom/ share and nobody else sees.
 *
 * TypeImpl is the registered form of a TypeInfo; ObjectClass points at it.
 */
#ifndef QOM_INTERNAL_H
#define QOM_INTERNAL_H

#include "qom/object.h"

#define MAX_INTERFACES 32

typedef struct TypeImpl TypeImpl;

struct TypeImpl {
    const char *name;           /* never freed: TypeInfo's own pointer for
                                 * type_register_static, else a copy */
    const char *parent;         /* owned; NULL only for "object"/"interface" */
    TypeImpl *parent_type;      /* resolved lazily */

    size_t class_size;          /* 0 = inherit */
    size_t instance_size;       /* 0 = inherit (0 at the end = abstract) */
    size_t instance_align;

    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;

    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);

    bool abstract;
    bool is_interface;          /* "interface" or a descendant */

    ObjectClass *class;         /* NULL until type_initialize */
    bool subclassed;            /* some subclass has been initialised */
    bool hidden;                /* a "class::iface" type, not in the table */

    /*
     * Built with the class, read-only after: what a cast can answer by
     * comparing name pointers alone, as flat arrays (no pointer chasing).
     * ancestor_names: this type's name and its ancestors', leaf first.
     * iface_casts: every interface name the class implements (ancestors
     * of interfaces included) with the InterfaceClass a cast returns, or
     * NULL when two interfaces match (ambiguous, the cast fails).
     */
    int num_ancestor_names;
    const char **ancestor_names;
    int num_iface_casts;
    struct TypeIfaceCast {
        const char *name;
        ObjectClass *iface;
    } *iface_casts;

    int num_interfaces;
    const char *interfaces[MAX_INTERFACES];     /* owned names */
};

/*
 * Cast cache slots: single pointers that any thread reads and writes.
 * Relaxed accesses are enough -- a slot only ever holds a pointer that
 * lives for ever, and a lost update only costs a slow lookup -- and,
 * unlike g_atomic_pointer_set (a full barrier: xchg on x86), a relaxed
 * store is a plain store.
 */
#define qom_cache_get(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define qom_cache_set(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* type.c */
TypeImpl *type_get_by_name(const char *name);
/* True if @name is the registered type's own name pointer (which lives
 * for ever): only such pointers may be kept in the cast caches. */
/* object_class_dynamic_cast, also telling whether @typename is the
 * registered type's own name pointer (which lives for ever): only then
 * may the answer be cached by the pointer's address. */
ObjectClass *type_class_cast(ObjectClass *klass, const char *typename,
                             bool *canonical);
/* Makes a class property added late visible through subclasses too. */
void type_class_property_added(ObjectClass *klass, ObjectProperty *prop);
/* Initialises @ti's class (and its ancestors') if not done yet. */
void type_initialize(TypeImpl *ti);
TypeImpl *type_get_parent(TypeImpl *ti);
bool type_is_ancestor(TypeImpl *type, TypeImpl *target);

/* property.c */
void object_property_free(gpointer data);
/* Run every class property's init hook (defaults) on a new instance. */
void object_class_property_init_all(Object *obj);
/* Release and free every property of @obj (finalize). */
void object_property_del_all(Object *obj);

#endif /* QOM_INTERNAL_H */
