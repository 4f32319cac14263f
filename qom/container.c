/*
 * container.c - TYPE_CONTAINER, the plain node of the object tree.
 *
 * "/", "/objects", "/machine/peripheral" and friends are containers: an
 * object with no state whose only purpose is to hold children.
 */
#include "util/osdep.h"
#include "qom/object.h"

Object *container_get(Object *root, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);
    Object *obj = root;

    /* parts[0] is "" for an absolute path; start below the root then. */
    for (int i = 0; parts[i]; i++) {
        Object *child;

        if (!*parts[i]) {
            continue;
        }
        child = object_resolve_path_component(obj, parts[i]);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_property_add_child(obj, parts[i], child);
            object_unref(child);        /* the parent holds it */
        }
        obj = child;
    }
    return obj;
}

static const TypeInfo container_info = {
    .name = TYPE_CONTAINER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

static void container_register_types(void)
{
    type_register_static(&container_info);
}

type_init(container_register_types)
