/*
 * tree.c - the composition tree: child and link properties, paths.
 *
 * Every object that matters hangs below the root ("/") through child<>
 * properties; an object's canonical path is the chain of child property
 * names from the root.  link<> properties point across the tree.  Path
 * resolution follows QEMU 7.2 exactly: absolute paths walk children and
 * links; a partial path matches wherever it fits below any node of the
 * tree and must match only once.
 */
#include "util/osdep.h"
#include "qom-internal.h"

/* ------------------------------------------------------------------ */
/* Children                                                             */
/* ------------------------------------------------------------------ */

static GVariant *object_get_child_property(Object *obj, ObjectProperty *prop,
                                           Error **errp)
{
    g_autofree char *path = object_get_canonical_path(prop->opaque);

    (void)obj;
    (void)errp;
    return g_variant_ref_sink(g_variant_new_string(path ? path : ""));
}

static void object_finalize_child_property(Object *obj, const char *name,
                                           void *opaque)
{
    Object *child = opaque;

    (void)obj;
    (void)name;
    if (child->class->unparent) {
        child->class->unparent(child);
    }
    child->parent = NULL;
    object_unref(child);
}

ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp)
{
    g_autofree char *type = NULL;
    ObjectProperty *op;

    g_assert(!child->parent);
    type = g_strdup_printf("child<%s>", object_get_typename(child));
    op = object_property_try_add(obj, name, type, object_get_child_property,
                                 NULL, object_finalize_child_property, child,
                                 errp);
    if (!op) {
        return NULL;
    }
    object_ref(child);
    child->parent = obj;
    return op;
}

ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child)
{
    return object_property_try_add_child(obj, name, child, &error_abort);
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    if (!obj->property_order) {
        return 0;
    }
    /* @fn may unparent the child: walk a snapshot, holding references. */
    g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func(
        object_unref);
    int ret = 0;

    for (guint i = 0; i < obj->property_order->len; i++) {
        ObjectProperty *prop = obj->property_order->pdata[i];

        if (object_property_is_child(prop)) {
            g_ptr_array_add(children, object_ref(prop->opaque));
        }
    }
    for (guint i = 0; i < children->len && !ret; i++) {
        ret = fn(children->pdata[i], opaque);
    }
    return ret;
}

typedef struct ChildWalk {
    int (*fn)(Object *child, void *opaque);
    void *opaque;
} ChildWalk;

static int child_walk_recursive(Object *child, void *opaque)
{
    ChildWalk *walk = opaque;
    int ret = walk->fn(child, walk->opaque);

    return ret ? ret : object_child_foreach(child, child_walk_recursive,
                                            walk);
}

int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    ChildWalk walk = { fn, opaque };

    return object_child_foreach(obj, child_walk_recursive, &walk);
}

/* ------------------------------------------------------------------ */
/* Links                                                                */
/* ------------------------------------------------------------------ */

typedef struct LinkProperty {
    union {
        Object **targetp;
        ptrdiff_t offset;       /* OBJ_PROP_LINK_CLASS */
    };
    ObjectLinkCheck *check;
    ObjectPropertyLinkFlags flags;
} LinkProperty;

static Object **link_targetp(Object *obj, LinkProperty *lp)
{
    if (lp->flags & OBJ_PROP_LINK_CLASS) {
        return (Object **)((char *)obj + lp->offset);
    }
    return lp->targetp;
}

void object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *val, Error **errp)
{
    (void)obj;
    (void)name;
    (void)val;
    (void)errp;
}

static GVariant *object_get_link_property(Object *obj, ObjectProperty *prop,
                                          Error **errp)
{
    Object *target = *link_targetp(obj, prop->opaque);
    g_autofree char *path = target ? object_get_canonical_path(target) : NULL;

    (void)errp;
    return g_variant_ref_sink(g_variant_new_string(path ? path : ""));
}

static Object *object_resolve_link(const char *type, const char *name,
                                   const char *path, Error **errp)
{
    /* "link<TYPE>" -> "TYPE" */
    g_autofree char *target_type = g_strndup(type + 5, strlen(type) - 6);
    bool ambiguous = false;
    Object *target = object_resolve_path_type(path, target_type, &ambiguous);

    if (ambiguous) {
        error_setg(errp, "Path '%s' does not uniquely identify an object",
                   path);
        return NULL;
    }
    if (!target) {
        target = object_resolve_path(path, &ambiguous);
        if (target || ambiguous) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       name, target_type);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return NULL;
    }
    return target;
}

static bool object_set_link_property(Object *obj, ObjectProperty *prop,
                                     GVariant *value, Error **errp)
{
    LinkProperty *lp = prop->opaque;
    Object **targetp = link_targetp(obj, lp);
    Object *old_target = *targetp;
    Object *new_target = NULL;
    Error *err = NULL;
    const char *path;

    if (!prop_value_str(value, prop->name, &path, errp)) {
        return false;
    }
    if (*path) {
        new_target = object_resolve_link(prop->type, prop->name, path, errp);
        if (!new_target) {
            return false;
        }
    }
    lp->check(obj, prop->name, new_target, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    *targetp = new_target;
    if (lp->flags & OBJ_PROP_LINK_STRONG) {
        object_ref(new_target);
        object_unref(old_target);
    }
    return true;
}

static void object_release_link_property(Object *obj, const char *name,
                                         void *opaque)
{
    LinkProperty *lp = opaque;
    Object **targetp = link_targetp(obj, lp);

    (void)name;
    if ((lp->flags & OBJ_PROP_LINK_STRONG) && *targetp) {
        object_unref(*targetp);
        *targetp = NULL;
    }
    if (!(lp->flags & OBJ_PROP_LINK_CLASS)) {
        g_free(lp);     /* instance links own their LinkProperty */
    }
}

ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type, Object **targetp,
                                         ObjectLinkCheck *check,
                                         ObjectPropertyLinkFlags flags)
{
    LinkProperty *lp = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);

    g_assert(!(flags & OBJ_PROP_LINK_CLASS));
    lp->targetp = targetp;
    lp->check = check;
    lp->flags = flags;
    return object_property_add(obj, name, full_type,
                               object_get_link_property,
                               check ? object_set_link_property : NULL,
                               object_release_link_property, lp);
}

ObjectProperty *object_class_property_add_link(ObjectClass *klass,
                                               const char *name,
                                               const char *type,
                                               ptrdiff_t offset,
                                               ObjectLinkCheck *check,
                                               ObjectPropertyLinkFlags flags)
{
    LinkProperty *lp = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);

    lp->offset = offset;
    lp->check = check;
    lp->flags = flags | OBJ_PROP_LINK_CLASS;
    return object_class_property_add(klass, name, full_type,
                                     object_get_link_property,
                                     check ? object_set_link_property : NULL,
                                     object_release_link_property, lp);
}

bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp)
{
    g_autofree char *path = NULL;

    if (value) {
        path = object_get_canonical_path(value);
        if (!path) {
            /* QEMU silently clears the link here; an object outside the
             * tree cannot be named, so say so instead. */
            error_setg(errp, "Object of type '%s' is not in the object tree",
                       object_get_typename(value));
            return false;
        }
    }
    return object_property_set_str(obj, name, path ? path : "", errp);
}

Object *object_property_get_link(Object *obj, const char *name, Error **errp)
{
    g_autofree char *path = object_property_get_str(obj, name, errp);

    if (!path || !*path) {
        return NULL;
    }
    return object_resolve_path(path, NULL);
}

/* ------------------------------------------------------------------ */
/* Paths                                                                */
/* ------------------------------------------------------------------ */

Object *object_get_root(void)
{
    static Object *root;

    if (!root) {
        root = object_new(TYPE_CONTAINER);
    }
    return root;
}

Object *object_get_objects_root(void)
{
    return container_get(object_get_root(), "/objects");
}

const char *object_get_canonical_path_component(const Object *obj)
{
    Object *parent = obj->parent;

    if (!parent) {
        return NULL;
    }
    for (guint i = 0; i < parent->property_order->len; i++) {
        ObjectProperty *prop = parent->property_order->pdata[i];

        if (prop->opaque == obj && object_property_is_child(prop)) {
            return prop->name;
        }
    }
    g_assert_not_reached();     /* a parent always holds its child */
}

char *object_get_canonical_path(const Object *obj)
{
    Object *root = object_get_root();
    GString *path;

    if (obj == root) {
        return g_strdup("/");
    }
    path = g_string_new(NULL);
    do {
        const char *component = object_get_canonical_path_component(obj);

        if (!component) {
            /* Not connected to the root: there is no canonical path. */
            g_string_free(path, true);
            return NULL;
        }
        g_string_prepend(path, component);
        g_string_prepend_c(path, '/');
        obj = obj->parent;
    } while (obj != root);
    return g_string_free(path, false);
}

Object *object_resolve_path_component(Object *parent, const char *part)
{
    ObjectProperty *prop = object_property_find(parent, part);

    if (!prop) {
        return NULL;
    }
    if (object_property_is_child(prop)) {
        return prop->opaque;
    }
    if (object_property_is_link(prop) && prop->get == object_get_link_property) {
        return *link_targetp(parent, prop->opaque);
    }
    return NULL;
}

static Object *object_resolve_abs_path(Object *parent, char **parts,
                                       const char *typename)
{
    for (; *parts; parts++) {
        if (**parts == '\0') {
            continue;       /* "a//b" and a trailing "/" */
        }
        parent = object_resolve_path_component(parent, *parts);
        if (!parent) {
            return NULL;
        }
    }
    return object_dynamic_cast(parent, typename);
}

static Object *object_resolve_partial_path(Object *parent, char **parts,
                                           const char *typename,
                                           bool *ambiguous)
{
    Object *obj = object_resolve_abs_path(parent, parts, typename);

    if (!parent->property_order) {
        return obj;
    }
    for (guint i = 0; i < parent->property_order->len; i++) {
        ObjectProperty *prop = parent->property_order->pdata[i];
        Object *found;

        if (!object_property_is_child(prop)) {
            continue;
        }
        found = object_resolve_partial_path(prop->opaque, parts, typename,
                                            ambiguous);
        if (found) {
            if (obj) {
                *ambiguous = true;
                return NULL;
            }
            obj = found;
        }
        if (*ambiguous) {
            return NULL;
        }
    }
    return obj;
}

/* An absolute walk over @path ("a/b/c", empty components skipped) in
 * place: no g_strsplit, so no allocation for the usual short names. */
static Object *object_resolve_abs_path_str(Object *parent, const char *path,
                                           const char *typename)
{
    char buf[128];

    while (*path) {
        const char *end = strchr(path, '/');
        size_t len = end ? (size_t)(end - path) : strlen(path);

        if (len) {
            g_autofree char *heap = NULL;
            char *part = len < sizeof(buf) ? buf : (heap = g_malloc(len + 1));

            memcpy(part, path, len);
            part[len] = '\0';
            parent = object_resolve_path_component(parent, part);
            if (!parent) {
                return NULL;
            }
        }
        path += len + (end != NULL);
    }
    return object_dynamic_cast(parent, typename);
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguousp)
{
    bool ambiguous = false;
    Object *obj;

    if (path[0] == '/') {
        obj = object_resolve_abs_path_str(object_get_root(), path + 1,
                                          typename);
    } else {
        g_auto(GStrv) parts = g_strsplit(path, "/", 0);

        obj = object_resolve_partial_path(object_get_root(), parts, typename,
                                          &ambiguous);
    }
    if (ambiguousp) {
        *ambiguousp = ambiguous;
    }
    return obj;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, TYPE_OBJECT, ambiguous);
}

Object *object_resolve_path_at(Object *parent, const char *path)
{
    if (*path == '/') {
        return object_resolve_abs_path_str(object_get_root(), path + 1,
                                           TYPE_OBJECT);
    }
    return object_resolve_abs_path_str(parent, path, TYPE_OBJECT);
}
