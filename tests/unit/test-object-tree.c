/*
 * test-object-tree.c - the composition tree: containers, child and link
 * properties, canonical paths, and absolute, partial and ambiguous path
 * resolution, with QEMU's link error messages.
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "harness.h"

#define TYPE_N_NODE "n-node"
#define TYPE_N_SPECIAL "n-special"

typedef struct NNode {
    Object parent_obj;
    Object *peer;           /* link<n-node>, weak */
    Object *owner;          /* link<n-special>, strong (class property) */
    int unparented;
} NNode;

#define N_NODE(obj) OBJECT_CHECK(NNode, (obj), TYPE_N_NODE)

static void n_refuse_self(const Object *obj, const char *name, Object *val,
                          Error **errp)
{
    if (val == obj) {
        error_setg(errp, "'%s' cannot point at itself", name);
    }
}

static void n_node_init(Object *obj)
{
    object_property_add_link(obj, "peer", TYPE_N_NODE, &N_NODE(obj)->peer,
                             n_refuse_self, OBJ_PROP_LINK_DIRECT);
}

static void n_node_unparent(Object *obj)
{
    N_NODE(obj)->unparented++;
}

static void n_node_class_init(ObjectClass *oc, void *data)
{
    (void)data;
    oc->unparent = n_node_unparent;
    object_class_property_add_link(oc, "owner", TYPE_N_SPECIAL,
                                   offsetof(NNode, owner),
                                   object_property_allow_set_link,
                                   OBJ_PROP_LINK_STRONG);
}

static const TypeInfo n_types[] = {
    {
        .name = TYPE_N_NODE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(NNode),
        .instance_init = n_node_init,
        .class_init = n_node_class_init,
    }, {
        .name = TYPE_N_SPECIAL,
        .parent = TYPE_N_NODE,
    },
};

DEFINE_TYPES(n_types)

/* Every test builds below /test and removes it at the end. */
static Object *test_root(void)
{
    return container_get(object_get_root(), "/test");
}

static void test_root_done(void)
{
    object_unparent(test_root());
}

static Object *add_node(Object *parent, const char *name, const char *type)
{
    Object *obj = object_new(type);

    object_property_add_child(parent, name, obj);
    object_unref(obj);
    return obj;
}

static void test_container_get(void)
{
    Object *root = object_get_root();
    Object *a = container_get(root, "/test/a/b");
    Object *again = container_get(root, "/test/a/b");
    g_autofree char *path = object_get_canonical_path(a);
    g_autofree char *root_path = object_get_canonical_path(root);

    CU_ASSERT_PTR_EQUAL(a, again);
    CU_ASSERT_STRING_EQUAL(path, "/test/a/b");
    CU_ASSERT_STRING_EQUAL(root_path, "/");
    CU_ASSERT_STRING_EQUAL(object_get_typename(a), TYPE_CONTAINER);
    CU_ASSERT_PTR_NULL(object_get_canonical_path_component(root));
    test_root_done();
}

static void test_objects_root(void)
{
    g_autofree char *path = object_get_canonical_path(
        object_get_objects_root());

    CU_ASSERT_STRING_EQUAL(path, "/objects");
}

static void test_child_refs_and_unparent(void)
{
    Object *parent = container_get(object_get_root(), "/test");
    Object *child = object_new(TYPE_N_NODE);
    ObjectProperty *prop;
    g_autofree char *value = NULL;

    prop = object_property_add_child(parent, "kid", child);
    CU_ASSERT_STRING_EQUAL(prop->type, "child<n-node>");
    CU_ASSERT_EQUAL(child->ref, 2);     /* ours and the property's */
    CU_ASSERT_PTR_EQUAL(child->parent, parent);
    value = object_property_get_str(parent, "kid", NULL);
    CU_ASSERT_STRING_EQUAL(value, "/test/kid");
    CU_ASSERT_STRING_EQUAL(object_get_canonical_path_component(child),
                           "kid");
    object_unparent(child);
    CU_ASSERT_EQUAL(N_NODE(child)->unparented, 1);
    CU_ASSERT_PTR_NULL(child->parent);
    CU_ASSERT_EQUAL(child->ref, 1);
    CU_ASSERT_PTR_NULL(object_property_find(parent, "kid"));
    {
        g_autofree char *gone = object_get_canonical_path(child);

        CU_ASSERT_PTR_NULL(gone);       /* no longer in the tree */
    }
    object_unref(child);
    test_root_done();
}

static void test_child_duplicate(void)
{
    Object *parent = test_root();
    Object *a = object_new(TYPE_N_NODE);
    Object *b = object_new(TYPE_N_NODE);
    Error *err = NULL;

    object_property_add_child(parent, "x", a);
    CU_ASSERT_PTR_NULL(object_property_try_add_child(parent, "x", b, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "attempt to add duplicate property 'x' to object "
                           "(type 'container')");
    CU_ASSERT_PTR_NULL(b->parent);      /* nothing half-done */
    CU_ASSERT_EQUAL(b->ref, 1);
    error_free(err);
    object_unref(a);
    object_unref(b);
    test_root_done();
}

static int append_name(Object *child, void *opaque)
{
    g_string_append_printf(opaque, "%s ",
                           object_get_canonical_path_component(child));
    return 0;
}

static void test_children_numbered_and_foreach(void)
{
    Object *parent = test_root();
    GString *seen = g_string_new(NULL);

    add_node(parent, "device[*]", TYPE_N_NODE);
    add_node(parent, "device[*]", TYPE_N_NODE);
    add_node(parent, "other", TYPE_N_SPECIAL);
    CU_ASSERT_PTR_NOT_NULL(object_resolve_path("/test/device[1]", NULL));
    object_child_foreach(parent, append_name, seen);
    CU_ASSERT_STRING_EQUAL(seen->str, "device[0] device[1] other ");
    g_string_free(seen, true);
    test_root_done();
}

static int count_and_stop_at_other(Object *child, void *opaque)
{
    (*(int *)opaque)++;
    return strcmp(object_get_canonical_path_component(child), "other") ? 0
                                                                       : 7;
}

static void test_foreach_recursive_stops(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    int count = 0;

    add_node(a, "a1", TYPE_N_NODE);
    add_node(a, "other", TYPE_N_NODE);
    add_node(parent, "b", TYPE_N_NODE);
    /* depth first: a, a1, other (stop) -- b is never visited */
    CU_ASSERT_EQUAL(object_child_foreach_recursive(
        parent, count_and_stop_at_other, &count), 7);
    CU_ASSERT_EQUAL(count, 3);
    test_root_done();
}

static void test_resolve_absolute(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    Object *b = add_node(a, "b", TYPE_N_SPECIAL);

    CU_ASSERT_PTR_EQUAL(object_resolve_path("/test/a/b", NULL), b);
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/test//a/b/", NULL), b);
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/", NULL), object_get_root());
    CU_ASSERT_PTR_NULL(object_resolve_path("/test/a/nope", NULL));
    CU_ASSERT_PTR_NULL(object_resolve_path_type("/test/a", TYPE_N_SPECIAL,
                                                NULL));
    CU_ASSERT_PTR_EQUAL(object_resolve_path_type("/test/a/b", TYPE_N_NODE,
                                                 NULL), b);
    CU_ASSERT_PTR_EQUAL(object_resolve_path_at(a, "b"), b);
    CU_ASSERT_PTR_EQUAL(object_resolve_path_at(b, "/test/a"), a);
    CU_ASSERT_PTR_EQUAL(object_resolve_path_component(a, "b"), b);
    CU_ASSERT_PTR_NULL(object_resolve_path_component(a, "type"));
    test_root_done();
}

static void test_resolve_partial(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    Object *b = add_node(parent, "b", TYPE_N_NODE);
    Object *a_disk = add_node(a, "disk", TYPE_N_NODE);
    bool ambiguous = true;

    add_node(b, "disk", TYPE_N_SPECIAL);
    CU_ASSERT_PTR_EQUAL(object_resolve_path("a/disk", &ambiguous), a_disk);
    CU_ASSERT_FALSE(ambiguous);
    /* two objects end in "disk" */
    CU_ASSERT_PTR_NULL(object_resolve_path("disk", &ambiguous));
    CU_ASSERT_TRUE(ambiguous);
    CU_ASSERT_PTR_NULL(object_resolve_path("disk", NULL));
    /* ... but only one of them is an n-special */
    ambiguous = true;
    CU_ASSERT_PTR_NOT_NULL(object_resolve_path_type("disk", TYPE_N_SPECIAL,
                                                    &ambiguous));
    CU_ASSERT_FALSE(ambiguous);
    CU_ASSERT_PTR_NULL(object_resolve_path("no-such", &ambiguous));
    CU_ASSERT_FALSE(ambiguous);
    test_root_done();
}

static void test_link_weak(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    Object *b = add_node(parent, "b", TYPE_N_NODE);
    g_autofree char *value = NULL;
    unsigned ref = b->ref;

    CU_ASSERT_STRING_EQUAL(object_property_find(a, "peer")->type,
                           "link<n-node>");
    CU_ASSERT_TRUE(object_property_set_str(a, "peer", "/test/b", NULL));
    CU_ASSERT_PTR_EQUAL(N_NODE(a)->peer, b);
    CU_ASSERT_EQUAL(b->ref, ref);          /* weak: no reference */
    value = object_property_get_str(a, "peer", NULL);
    CU_ASSERT_STRING_EQUAL(value, "/test/b");
    CU_ASSERT_PTR_EQUAL(object_property_get_link(a, "peer", NULL), b);
    /* an absolute path may go through a link */
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/test/a/peer", NULL), b);
    /* "" clears */
    CU_ASSERT_TRUE(object_property_set_str(a, "peer", "", NULL));
    CU_ASSERT_PTR_NULL(N_NODE(a)->peer);
    CU_ASSERT_PTR_NULL(object_property_get_link(a, "peer", NULL));
    /* set_link from C */
    CU_ASSERT_TRUE(object_property_set_link(a, "peer", b, NULL));
    CU_ASSERT_PTR_EQUAL(N_NODE(a)->peer, b);
    test_root_done();
}

static void test_link_errors(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    Object *loose = object_new(TYPE_N_NODE);
    Error *err = NULL;

    add_node(parent, "c", TYPE_CONTAINER);
    add_node(a, "dup", TYPE_N_NODE);
    add_node(parent, "dup", TYPE_N_NODE);

    CU_ASSERT_FALSE(object_property_set_str(a, "peer", "/test/zz", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Device '/test/zz' not found");
    CU_ASSERT_EQUAL(error_get_class(err), ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_str(a, "peer", "/test/c", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'peer', expected: "
                           "n-node");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_str(a, "peer", "dup", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Path 'dup' does not uniquely identify an "
                           "object");
    error_free(err);
    err = NULL;
    /* the check callback can refuse */
    CU_ASSERT_FALSE(object_property_set_str(a, "peer", "/test/a", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "'peer' cannot point at itself");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_link(a, "peer", loose, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Object of type 'n-node' is not in the object "
                           "tree");
    error_free(err);
    CU_ASSERT_PTR_NULL(N_NODE(a)->peer);   /* every failure left it */
    object_unref(loose);
    test_root_done();
}

static void test_link_strong_class(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    Object *s = add_node(parent, "s", TYPE_N_SPECIAL);
    Object *s2 = add_node(parent, "s2", TYPE_N_SPECIAL);

    CU_ASSERT_EQUAL(s->ref, 1);
    CU_ASSERT_TRUE(object_property_set_link(a, "owner", s, NULL));
    CU_ASSERT_EQUAL(s->ref, 2);            /* strong: the link holds one */
    CU_ASSERT_TRUE(object_property_set_link(a, "owner", s2, NULL));
    CU_ASSERT_EQUAL(s->ref, 1);            /* released on change */
    CU_ASSERT_EQUAL(s2->ref, 2);
    /* the target outlives its parent's reference while linked */
    object_ref(s2);
    object_unparent(s2);
    CU_ASSERT_EQUAL(s2->ref, 2);
    object_unparent(a);                    /* finalize releases the link */
    CU_ASSERT_EQUAL(s2->ref, 1);
    object_unref(s2);
    test_root_done();
}

static void test_alias_of_child_is_link(void)
{
    Object *parent = test_root();
    Object *a = add_node(parent, "a", TYPE_N_NODE);
    Object *front = add_node(parent, "front", TYPE_N_NODE);
    ObjectProperty *prop;

    add_node(a, "inner", TYPE_N_SPECIAL);
    prop = object_property_add_alias(front, "inner", a, "inner");
    CU_ASSERT_STRING_EQUAL(prop->type, "link<n-special>");
    {
        g_autofree char *path = object_property_get_str(front, "inner",
                                                        NULL);

        CU_ASSERT_STRING_EQUAL(path, "/test/a/inner");
    }
    test_root_done();
}

static void test_new_with_props(void)
{
    Object *parent = test_root();
    Error *err = NULL;
    Object *obj;

    add_node(parent, "target", TYPE_N_NODE);
    obj = object_new_with_props(TYPE_N_NODE, parent, "made", &err,
                                "peer", "/test/target", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
    CU_ASSERT_EQUAL(obj->ref, 1);          /* held by the parent only */
    CU_ASSERT_PTR_EQUAL(N_NODE(obj)->peer,
                        object_resolve_path("/test/target", NULL));
    CU_ASSERT_PTR_NULL(object_new_with_props(TYPE_N_NODE, parent, "bad",
                                             &err, "peer", "/nowhere",
                                             NULL));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Device '/nowhere' not found");
    CU_ASSERT_PTR_NULL(object_resolve_path("/test/bad", NULL));
    error_free(err);
    err = NULL;
    CU_ASSERT_PTR_NULL(object_new_with_props(TYPE_N_NODE, parent, "made",
                                             &err, NULL));
    CU_ASSERT_PTR_NOT_NULL(err);
    error_free(err);
    test_root_done();
}

int main(int argc, char **argv)
{
    /* "/" and "/objects" live as long as the process: make them before
     * the harness starts counting objects. */
    object_get_objects_root();
    harness_add("/tree/container/get", test_container_get);
    harness_add("/tree/container/objects-root", test_objects_root);
    harness_add("/tree/child/refs-and-unparent", test_child_refs_and_unparent);
    harness_add("/tree/child/duplicate", test_child_duplicate);
    harness_add("/tree/child/numbered-and-foreach",
                test_children_numbered_and_foreach);
    harness_add("/tree/child/foreach-recursive-stops",
                test_foreach_recursive_stops);
    harness_add("/tree/resolve/absolute", test_resolve_absolute);
    harness_add("/tree/resolve/partial", test_resolve_partial);
    harness_add("/tree/link/weak", test_link_weak);
    harness_add("/tree/link/errors", test_link_errors);
    harness_add("/tree/link/strong-class", test_link_strong_class);
    harness_add("/tree/alias/child-is-link", test_alias_of_child_is_link);
    harness_add("/tree/new-with-props", test_new_with_props);
    return harness_run(argc, argv);
}
