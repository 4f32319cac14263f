/*
 * test-object.c - types, classes and instances: registration, lazy class
 * initialisation, construction and destruction order, reference counts,
 * casts (including through interfaces) and the checked-cast abort.
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "harness.h"
#include "fork-helper.h"

/* ---- a three-level hierarchy that records what ran, in order ---- */

#define TYPE_T_BASE "t-base"
#define TYPE_T_MID "t-mid"
#define TYPE_T_LEAF "t-leaf"
#define TYPE_T_OTHER "t-other"
#define TYPE_T_ABSTRACT "t-abstract"

static GString *trace;

static void record(const char *what)
{
    if (!trace) {
        trace = g_string_new(NULL);
    }
    g_string_append_printf(trace, "%s%s", trace->len ? " " : "", what);
}

static char *trace_take(void)
{
    char *s = trace ? g_string_free(trace, false) : g_strdup("");

    trace = NULL;
    return s;
}

typedef struct TBase {
    Object parent_obj;
    int base_field;
} TBase;

typedef struct TBaseClass {
    ObjectClass parent_class;
    int class_value;        /* set by t-base, overridden by t-leaf */
    int base_init_count;    /* incremented by class_base_init */
    const char *who;
} TBaseClass;

typedef struct TMid {
    TBase parent_obj;
    int mid_field;
} TMid;

typedef struct TLeaf {
    TMid parent_obj;
    int leaf_field;
} TLeaf;

static void t_base_class_init(ObjectClass *oc, void *data)
{
    TBaseClass *bc = (TBaseClass *)oc;

    (void)data;
    record("class_init(base)");
    bc->class_value = 1;
    bc->who = "base";
}

static void t_base_class_base_init(ObjectClass *oc, void *data)
{
    TBaseClass *bc = (TBaseClass *)oc;

    (void)data;
    bc->base_init_count++;
}

static void t_mid_class_init(ObjectClass *oc, void *data)
{
    (void)oc;
    (void)data;
    record("class_init(mid)");
}

static void t_leaf_class_init(ObjectClass *oc, void *data)
{
    TBaseClass *bc = (TBaseClass *)oc;

    record("class_init(leaf)");
    /* the parent's value must already be here: the class was copied */
    record(bc->class_value == 1 ? "inherited" : "not-inherited");
    bc->class_value = GPOINTER_TO_INT(data);
    bc->who = "leaf";
}

static void t_base_init(Object *obj)
{
    record("init(base)");
    ((TBase *)obj)->base_field = 10;
}

static void t_mid_init(Object *obj)
{
    /* the base part is initialised before the middle part */
    record(((TBase *)obj)->base_field == 10 ? "init(mid)" : "init(mid)!");
}

static void t_leaf_init(Object *obj)
{
    record("init(leaf)");
    ((TLeaf *)obj)->leaf_field = 30;
}

static void t_base_post_init(Object *obj)
{
    (void)obj;
    record("post(base)");
}

static void t_leaf_post_init(Object *obj)
{
    (void)obj;
    record("post(leaf)");
}

static void t_base_finalize(Object *obj)
{
    (void)obj;
    record("fin(base)");
}

static void t_mid_finalize(Object *obj)
{
    (void)obj;
    record("fin(mid)");
}

static void t_leaf_finalize(Object *obj)
{
    (void)obj;
    record("fin(leaf)");
}

/* ---- interfaces ---- */

#define TYPE_T_IFACE "t-iface"
#define TYPE_T_IFACE2 "t-iface2"
#define TYPE_T_SUB_IFACE "t-sub-iface"

typedef struct TIfaceClass {
    InterfaceClass parent_class;
    int (*answer)(Object *obj);
} TIfaceClass;

static int t_leaf_answer(Object *obj)
{
    return ((TLeaf *)obj)->leaf_field + 12;
}

static void t_leaf_iface_class_init(ObjectClass *oc, void *data)
{
    TIfaceClass *ic = (TIfaceClass *)object_class_dynamic_cast(oc,
                                                               TYPE_T_IFACE);
    t_leaf_class_init(oc, data);
    ic->answer = t_leaf_answer;
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_T_BASE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(TBase),
        .class_size = sizeof(TBaseClass),
        .class_init = t_base_class_init,
        .class_base_init = t_base_class_base_init,
        .instance_init = t_base_init,
        .instance_post_init = t_base_post_init,
        .instance_finalize = t_base_finalize,
    }, {
        .name = TYPE_T_MID,
        .parent = TYPE_T_BASE,
        .instance_size = sizeof(TMid),
        .class_init = t_mid_class_init,
        .instance_init = t_mid_init,
        .instance_finalize = t_mid_finalize,
        .abstract = true,
    }, {
        .name = TYPE_T_LEAF,
        .parent = TYPE_T_MID,
        .instance_size = sizeof(TLeaf),
        .class_init = t_leaf_iface_class_init,
        .class_data = GINT_TO_POINTER(42),
        .instance_init = t_leaf_init,
        .instance_post_init = t_leaf_post_init,
        .instance_finalize = t_leaf_finalize,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_T_IFACE },
            { TYPE_T_SUB_IFACE },
            { }
        },
    }, {
        .name = TYPE_T_OTHER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    }, {
        .name = TYPE_T_ABSTRACT,
        .parent = TYPE_OBJECT,
        .abstract = true,
    }, {
        .name = TYPE_T_IFACE,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(TIfaceClass),
    }, {
        .name = TYPE_T_IFACE2,
        .parent = TYPE_INTERFACE,
    }, {
        .name = TYPE_T_SUB_IFACE,
        .parent = TYPE_T_IFACE2,
    },
};

DEFINE_TYPES(test_types)

/* ---- tests ---- */

static void test_class_lazy_init_order(void)
{
    g_autofree char *t = NULL;
    TBaseClass *bc;

    /* Nothing has touched t-leaf yet: its classes are built now. */
    g_free(trace_take());
    bc = (TBaseClass *)object_class_by_name(TYPE_T_LEAF);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bc);
    t = trace_take();
    CU_ASSERT_STRING_EQUAL(t, "class_init(base) class_init(mid) "
                           "class_init(leaf) inherited");
    CU_ASSERT_EQUAL(bc->class_value, 42);
    CU_ASSERT_STRING_EQUAL(bc->who, "leaf");
    /* the second lookup initialises nothing */
    object_class_by_name(TYPE_T_LEAF);
    g_free(t);
    t = trace_take();
    CU_ASSERT_STRING_EQUAL(t, "");
}

static void test_class_base_init(void)
{
    TBaseClass *base = (TBaseClass *)object_class_by_name(TYPE_T_BASE);
    TBaseClass *mid = (TBaseClass *)object_class_by_name(TYPE_T_MID);
    TBaseClass *leaf = (TBaseClass *)object_class_by_name(TYPE_T_LEAF);

    g_free(trace_take());
    /* class_base_init of t-base runs for each descendant class, on top of
     * the copied count: not for t-base itself. */
    CU_ASSERT_EQUAL(base->base_init_count, 0);
    CU_ASSERT_EQUAL(mid->base_init_count, 1);
    CU_ASSERT_EQUAL(leaf->base_init_count, 2);
}

static void test_class_queries(void)
{
    ObjectClass *leaf = object_class_by_name(TYPE_T_LEAF);
    ObjectClass *mid = object_class_by_name(TYPE_T_MID);

    g_free(trace_take());
    CU_ASSERT_PTR_NULL(object_class_by_name("no-such-type"));
    CU_ASSERT_STRING_EQUAL(object_class_get_name(leaf), TYPE_T_LEAF);
    CU_ASSERT_PTR_EQUAL(object_class_get_parent(leaf), mid);
    CU_ASSERT_TRUE(object_class_is_abstract(mid));
    CU_ASSERT_FALSE(object_class_is_abstract(leaf));
    CU_ASSERT_TRUE(object_class_is_abstract(
        object_class_by_name(TYPE_T_ABSTRACT)));
    CU_ASSERT_TRUE(type_exists(TYPE_T_OTHER));
    CU_ASSERT_FALSE(type_exists("no-such-type"));
    CU_ASSERT_PTR_NULL(object_class_get_parent(
        object_class_by_name(TYPE_OBJECT)));
}

static void test_class_list(void)
{
    GSList *all = object_class_get_list(TYPE_T_BASE, false);
    GSList *with_abstract = object_class_get_list(TYPE_T_BASE, true);
    GSList *impl = object_class_get_list(TYPE_T_IFACE, false);

    g_free(trace_take());
    /* concrete: base and leaf; abstract adds mid; sorted by name */
    CU_ASSERT_EQUAL(g_slist_length(all), 2);
    CU_ASSERT_STRING_EQUAL(object_class_get_name(all->data), TYPE_T_BASE);
    CU_ASSERT_STRING_EQUAL(object_class_get_name(all->next->data),
                           TYPE_T_LEAF);
    CU_ASSERT_EQUAL(g_slist_length(with_abstract), 3);
    CU_ASSERT_EQUAL(g_slist_length(impl), 1);
    CU_ASSERT_STRING_EQUAL(object_class_get_name(impl->data), TYPE_T_LEAF);
    g_slist_free(all);
    g_slist_free(with_abstract);
    g_slist_free(impl);
}

static void test_new_init_order(void)
{
    Object *obj;
    g_autofree char *t = NULL;

    object_class_by_name(TYPE_T_LEAF);
    g_free(trace_take());
    obj = object_new(TYPE_T_LEAF);
    t = trace_take();
    /* instance_init root to leaf; post_init leaf to root (QEMU 7.2) */
    CU_ASSERT_STRING_EQUAL(t, "init(base) init(mid) init(leaf) "
                           "post(leaf) post(base)");
    CU_ASSERT_EQUAL(((TLeaf *)obj)->leaf_field, 30);
    CU_ASSERT_STRING_EQUAL(object_get_typename(obj), TYPE_T_LEAF);
    CU_ASSERT_EQUAL(obj->ref, 1);
    object_unref(obj);
    g_free(t);
    t = trace_take();
    CU_ASSERT_STRING_EQUAL(t, "fin(leaf) fin(mid) fin(base)");
}

static void test_new_live_count(void)
{
    unsigned before = object_live_count();
    Object *a = object_new(TYPE_T_OTHER);
    Object *b = object_new(TYPE_T_OTHER);

    CU_ASSERT_EQUAL(object_live_count(), before + 2);
    object_unref(a);
    CU_ASSERT_EQUAL(object_live_count(), before + 1);
    object_unref(b);
    CU_ASSERT_EQUAL(object_live_count(), before);
}

static void test_ref_counting(void)
{
    Object *obj = object_new(TYPE_T_LEAF);

    g_free(trace_take());
    CU_ASSERT_PTR_EQUAL(object_ref(obj), obj);
    CU_ASSERT_EQUAL(obj->ref, 2);
    object_unref(obj);
    CU_ASSERT_EQUAL(obj->ref, 1);
    {
        g_autofree char *t = trace_take();

        CU_ASSERT_STRING_EQUAL(t, "");      /* not finalized yet */
    }
    object_unref(obj);
    {
        g_autofree char *t = trace_take();

        CU_ASSERT_STRING_EQUAL(t, "fin(leaf) fin(mid) fin(base)");
    }
    object_unref(NULL);     /* allowed, like g_object_unref's NULL check */
    CU_ASSERT_PTR_NULL(object_ref(NULL));
}

static void test_initialize_embedded(void)
{
    /* An object in caller memory: never freed by qom */
    TLeaf storage;

    memset(&storage, 0xa5, sizeof(storage));
    object_initialize(&storage, sizeof(storage), TYPE_T_LEAF);
    CU_ASSERT_PTR_NULL(OBJECT(&storage)->free);
    CU_ASSERT_EQUAL(storage.parent_obj.mid_field, 0);   /* zeroed */
    CU_ASSERT_EQUAL(storage.leaf_field, 30);
    object_unref(&storage);
    g_free(trace_take());
}

static void test_initialize_child(void)
{
    Object *parent = object_new(TYPE_T_OTHER);
    TLeaf child;

    object_initialize_child(parent, "kid", &child, sizeof(child),
                            TYPE_T_LEAF);
    /* the child property holds the only reference */
    CU_ASSERT_EQUAL(OBJECT(&child)->ref, 1);
    CU_ASSERT_PTR_EQUAL(OBJECT(&child)->parent, parent);
    object_unparent(OBJECT(&child));
    {
        g_autofree char *t = trace_take();

        CU_ASSERT_TRUE(g_str_has_suffix(t, "fin(leaf) fin(mid) fin(base)"));
    }
    object_unref(parent);
}

static void test_cast_hit_and_miss(void)
{
    Object *obj = object_new(TYPE_T_LEAF);

    CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, TYPE_T_LEAF), obj);
    CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, TYPE_T_MID), obj);
    CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, TYPE_T_BASE), obj);
    CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, TYPE_OBJECT), obj);
    CU_ASSERT_PTR_NULL(object_dynamic_cast(obj, TYPE_T_OTHER));
    CU_ASSERT_PTR_NULL(object_dynamic_cast(obj, "no-such-type"));
    CU_ASSERT_PTR_NULL(object_dynamic_cast(NULL, TYPE_T_LEAF));
    /* a second round answers from the caches, and the same way */
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, TYPE_T_MID), obj);
        CU_ASSERT_PTR_NULL(object_dynamic_cast(obj, TYPE_T_OTHER));
    }
    /* a name equal in text but not in pointer goes the slow way */
    {
        g_autofree char *name = g_strdup(TYPE_T_BASE);

        CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, name), obj);
    }
    object_unref(obj);
    g_free(trace_take());
}

static void test_cast_heap_names(void)
{
    /* The caches must not remember a caller's string by its address: a
     * freed name's address is soon reused for another name. */
    Object *obj = object_new(TYPE_T_LEAF);

    for (int i = 0; i < 64; i++) {
        char *hit = g_strdup(TYPE_T_BASE);
        char *miss;

        CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, hit), obj);
        g_free(hit);
        miss = g_strdup(TYPE_T_OTHER);
        CU_ASSERT_PTR_NULL(object_dynamic_cast(obj, miss));
        g_free(miss);
    }
    object_unref(obj);
    g_free(trace_take());
}

static void test_cast_cache_many_names(void)
{
    /* More names than the 4-entry caches hold: answers stay right. */
    static const char *const names[] = {
        TYPE_T_LEAF, TYPE_T_MID, TYPE_T_BASE, TYPE_OBJECT, TYPE_T_IFACE,
        TYPE_T_IFACE2, TYPE_T_SUB_IFACE,
    };
    static const char *const misses[] = {
        TYPE_T_OTHER, TYPE_T_ABSTRACT, TYPE_CONTAINER, TYPE_INTERFACE,
        "no-such-type",
    };
    Object *obj = object_new(TYPE_T_LEAF);

    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
            CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, names[i]), obj);
        }
        for (size_t i = 0; i < ARRAY_SIZE(misses); i++) {
            CU_ASSERT_PTR_NULL(object_dynamic_cast(obj, misses[i]));
        }
    }
    object_unref(obj);
    g_free(trace_take());
}

static void test_cast_interface(void)
{
    Object *obj = object_new(TYPE_T_LEAF);
    ObjectClass *oc = object_get_class(obj);
    ObjectClass *ic = object_class_dynamic_cast(oc, TYPE_T_IFACE);
    ObjectClass *ic2 = object_class_dynamic_cast(oc, TYPE_T_IFACE2);

    /* the object casts to the interface as itself ... */
    CU_ASSERT_PTR_EQUAL(object_dynamic_cast(obj, TYPE_T_IFACE), obj);
    /* ... its class casts to the InterfaceClass, which knows the class */
    CU_ASSERT_PTR_NOT_NULL_FATAL(ic);
    CU_ASSERT_PTR_NOT_EQUAL(ic, oc);
    CU_ASSERT_PTR_EQUAL(((InterfaceClass *)ic)->concrete_class, oc);
    CU_ASSERT_EQUAL(((TIfaceClass *)ic)->answer(obj), 42);
    /* an interface derived from another counts as both */
    CU_ASSERT_PTR_NOT_NULL(ic2);
    CU_ASSERT_PTR_NOT_NULL(object_class_dynamic_cast(oc, TYPE_T_SUB_IFACE));
    /* a type that does not implement it */
    CU_ASSERT_PTR_NULL(object_class_dynamic_cast(
        object_class_by_name(TYPE_T_BASE), TYPE_T_IFACE));
    CU_ASSERT_PTR_NULL(object_class_dynamic_cast(NULL, TYPE_T_IFACE));
    object_unref(obj);
    g_free(trace_take());
}

static void test_checked_cast_ok(void)
{
    Object *obj = object_new(TYPE_T_LEAF);

    CU_ASSERT_PTR_EQUAL(OBJECT_CHECK(TMid, obj, TYPE_T_MID), (TMid *)obj);
    CU_ASSERT_PTR_EQUAL(OBJECT_CLASS_CHECK(TBaseClass, obj->class,
                                           TYPE_T_BASE),
                        (TBaseClass *)obj->class);
    CU_ASSERT_PTR_NULL(OBJECT_CHECK(TMid, NULL, TYPE_T_MID));
    object_unref(obj);
    g_free(trace_take());
}

static void bad_cast(void)
{
    Object *obj = object_new(TYPE_T_OTHER);

    OBJECT_CHECK(TBase, obj, TYPE_T_BASE);
}

static void bad_class_cast(void)
{
    OBJECT_CLASS_CHECK(TBaseClass, object_class_by_name(TYPE_T_OTHER),
                       TYPE_T_BASE);
}

static void test_checked_cast_abort(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(bad_cast, &err);

    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "test-object.c:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ":bad_cast: Object 0x"));
    CU_ASSERT_TRUE(g_str_has_suffix(err, " is not an instance of type "
                                    "t-base\n"));
    g_free(err);
    status = fork_run(bad_class_cast, &err);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT_TRUE(g_str_has_suffix(err, " is not an instance of type "
                                    "t-base\n"));
}

static void new_abstract(void)
{
    object_new(TYPE_T_MID);
}

static void new_unknown(void)
{
    object_new("no-such-type");
}

static void test_new_bugs_abort(void)
{
    g_autofree char *err = NULL;
    g_autofree char *err2 = NULL;
    int status = fork_run(new_abstract, &err);

    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT_STRING_EQUAL(err, "qomu: cannot instantiate abstract type "
                           "'t-mid'\n");
    status = fork_run(new_unknown, &err2);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT_STRING_EQUAL(err2, "qomu: unknown type 'no-such-type'\n");
}

static void register_duplicate(void)
{
    static const TypeInfo dup = {
        .name = TYPE_T_OTHER,
        .parent = TYPE_OBJECT,
    };

    type_register_static(&dup);
}

static void register_orphan(void)
{
    static const TypeInfo orphan = {
        .name = "t-orphan",
        .parent = "t-missing-parent",
    };

    type_register_static(&orphan);
    object_class_by_name("t-orphan");
}

static void test_register_bugs_abort(void)
{
    g_autofree char *err = NULL;
    g_autofree char *err2 = NULL;
    int status = fork_run(register_duplicate, &err);

    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT_STRING_EQUAL(err, "Registering 't-other' which already "
                           "exists\n");
    status = fork_run(register_orphan, &err2);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CU_ASSERT_STRING_EQUAL(err2, "Type 't-orphan' is missing its parent "
                           "'t-missing-parent'\n");
}

static void test_type_register_copies(void)
{
    /* type_register keeps no pointer into a TypeInfo on the stack */
    char name[] = "t-dynamic";
    TypeInfo info = {
        .name = name,
        .parent = TYPE_T_OTHER,
    };
    Object *obj;

    type_register(&info);
    memset(name, 'x', sizeof(name) - 1);
    obj = object_new("t-dynamic");
    CU_ASSERT_STRING_EQUAL(object_get_typename(obj), "t-dynamic");
    CU_ASSERT_PTR_NOT_NULL(object_dynamic_cast(obj, TYPE_T_OTHER));
    object_unref(obj);
}

int main(int argc, char **argv)
{
    harness_add("/object/class/lazy-init-order", test_class_lazy_init_order);
    harness_add("/object/class/base-init", test_class_base_init);
    harness_add("/object/class/queries", test_class_queries);
    harness_add("/object/class/list", test_class_list);
    harness_add("/object/new/init-order", test_new_init_order);
    harness_add("/object/new/live-count", test_new_live_count);
    harness_add("/object/new/bugs-abort", test_new_bugs_abort);
    harness_add("/object/ref/counting", test_ref_counting);
    harness_add("/object/initialize/embedded", test_initialize_embedded);
    harness_add("/object/initialize/child", test_initialize_child);
    harness_add("/object/cast/hit-and-miss", test_cast_hit_and_miss);
    harness_add("/object/cast/cache-many-names", test_cast_cache_many_names);
    harness_add("/object/cast/heap-names", test_cast_heap_names);
    harness_add("/object/cast/interface", test_cast_interface);
    harness_add("/object/cast/checked-ok", test_checked_cast_ok);
    harness_add("/object/cast/checked-abort", test_checked_cast_abort);
    harness_add("/object/register/bugs-abort", test_register_bugs_abort);
    harness_add("/object/register/copies", test_type_register_copies);
    return harness_run(argc, argv);
}
