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
    const char *name;           /* owned (g_strdup) */
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

    int num_interfaces;
    const char *interfaces[MAX_INTERFACES];     /* owned names */
};

/* type.c */
TypeImpl *type_get_by_name(const char *name);
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
