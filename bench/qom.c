/*
 * bench/qom.c - qomu's object model against GObject, measured in one run.
 *
 * Every line times one qomu operation and the equivalent GObject (or, for
 * path resolution, plain GLib) operation on types that carry the same
 * state: a three-level hierarchy object -> A -> B -> C with four
 * properties (A: bool "enabled" = true, uint32 "count" = 4; B: string
 * "label" = "default"; C: enum "mode" = "fast"), B implementing an
 * interface, and an unrelated type for cast misses.
 *
 * Method: each side is warmed up and calibrated (iterations doubled until
 * a run takes >= 10 ms, then scaled to the target, ~100 ms by default);
 * then 5 timed runs per side and the median is printed.  Each run is cut
 * into 10 slices, alternating qomu and GObject, so that load from other
 * processes hits both sides alike.  clock_gettime(CLOCK_MONOTONIC).
 * Results go through an asm barrier so nothing is optimised away.
 *
 * GObject is measured twice where it has two idioms for defaults (see
 * "GObject types" below).  Path resolution has no GObject counterpart:
 * its anchor is a tree of GHashTables walked without allocating, i.e.
 * roughly the least work the operation needs.
 *
 *   make build/bench/qom && build/bench/qom [-t MS] [-r RUNS] [-f TEXT]
 *   build/bench/qom -n 100000 [-f TEXT]      fixed count, for callgrind
 *
 * ratio = qomu / GObject: below 1.00 qomu is faster.  The program fails
 * if any QOM object it created is still alive at the end.
 */
#include "util/osdep.h"
#include "qom/object.h"

#include <glib-object.h>
#include <time.h>

/* Keep @p alive and opaque to the optimiser. */
#define SINK(p) __asm__ volatile("" : : "r"(p) : "memory")
/* Make the compiler forget what it knows about @v (no hoisting). */
#define HIDE(v) __asm__ volatile("" : "+r"(v))

/* ------------------------------------------------------------------ */
/* qomu types                                                           */
/* ------------------------------------------------------------------ */

#define TYPE_BENCH_A "bench-a"
#define TYPE_BENCH_B "bench-b"
#define TYPE_BENCH_C "bench-c"
#define TYPE_BENCH_IFACE "bench-iface"
#define TYPE_BENCH_OTHER "bench-other"

typedef enum { BENCH_MODE_FAST, BENCH_MODE_SLOW, BENCH_MODE_OFF } BenchMode;

static const char *const bench_mode_names[] = { "fast", "slow", "off" };
static const QEnumLookup bench_mode_lookup = {
    .array = bench_mode_names,
    .size = ARRAY_SIZE(bench_mode_names),
};

OBJECT_DECLARE_TYPE(BenchA, BenchAClass, BENCH_A)
OBJECT_DECLARE_TYPE(BenchB, BenchBClass, BENCH_B)
OBJECT_DECLARE_TYPE(BenchC, BenchCClass, BENCH_C)

struct BenchA {
    Object parent_obj;
    bool enabled;
    uint32_t count;
};
struct BenchAClass {
    ObjectClass parent_class;
};
struct BenchB {
    BenchA parent_obj;
    char *label;
};
struct BenchBClass {
    BenchAClass parent_class;
};
struct BenchC {
    BenchB parent_obj;
    int mode;
};
struct BenchCClass {
    BenchBClass parent_class;
};

typedef struct BenchIfaceClass {
    InterfaceClass parent_class;
    int (*get_id)(Object *obj);
} BenchIfaceClass;

#define BENCH_IFACE(obj) OBJECT_CHECK(Object, (obj), TYPE_BENCH_IFACE)
#define BENCH_IFACE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(BenchIfaceClass, (obj), TYPE_BENCH_IFACE)

static bool a_get_enabled(Object *obj, Error **errp)
{
    (void)errp;
    return BENCH_A(obj)->enabled;
}

static void a_set_enabled(Object *obj, bool value, Error **errp)
{
    (void)errp;
    BENCH_A(obj)->enabled = value;
}

static char *b_get_label(Object *obj, Error **errp)
{
    (void)errp;
    return g_strdup(BENCH_B(obj)->label);
}

static void b_set_label(Object *obj, const char *value, Error **errp)
{
    BenchB *b = BENCH_B(obj);

    (void)errp;
    g_free(b->label);
    b->label = g_strdup(value);
}

static int c_get_mode(Object *obj, Error **errp)
{
    (void)errp;
    return BENCH_C(obj)->mode;
}

static void c_set_mode(Object *obj, int value, Error **errp)
{
    (void)errp;
    BENCH_C(obj)->mode = value;
}

static int b_get_id(Object *obj)
{
    (void)obj;
    return 42;
}

static void bench_a_class_init(ObjectClass *klass, void *data)
{
    ObjectProperty *prop;

    (void)data;
    prop = object_class_property_add_bool(klass, "enabled", a_get_enabled,
                                          a_set_enabled);
    object_property_set_default_bool(prop, true);
    prop = object_class_property_add_uint32_ptr(klass, "count",
                                                offsetof(BenchA, count),
                                                OBJ_PROP_FLAG_READWRITE);
    object_property_set_default_uint(prop, 4);
}

static void bench_b_class_init(ObjectClass *klass, void *data)
{
    BenchIfaceClass *ic;
    ObjectProperty *prop;

    (void)data;
    prop = object_class_property_add_str(klass, "label", b_get_label,
                                         b_set_label);
    object_property_set_default_str(prop, "default");
    ic = (BenchIfaceClass *)object_class_dynamic_cast(klass,
                                                      TYPE_BENCH_IFACE);
    ic->get_id = b_get_id;
}

static void bench_b_finalize(Object *obj)
{
    g_free(BENCH_B(obj)->label);
}

static void bench_c_class_init(ObjectClass *klass, void *data)
{
    ObjectProperty *prop;

    (void)data;
    prop = object_class_property_add_enum(klass, "mode", "BenchMode",
                                          &bench_mode_lookup, c_get_mode,
                                          c_set_mode);
    object_property_set_default_str(prop, "fast");
}

static const TypeInfo bench_types[] = {
    {
        .name = TYPE_BENCH_IFACE,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(BenchIfaceClass),
    },
    {
        .name = TYPE_BENCH_A,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(BenchA),
        .class_size = sizeof(BenchAClass),
        .class_init = bench_a_class_init,
    },
    {
        .name = TYPE_BENCH_B,
        .parent = TYPE_BENCH_A,
        .instance_size = sizeof(BenchB),
        .class_size = sizeof(BenchBClass),
        .class_init = bench_b_class_init,
        .instance_finalize = bench_b_finalize,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_BENCH_IFACE },
            { NULL },
        },
    },
    {
        .name = TYPE_BENCH_C,
        .parent = TYPE_BENCH_B,
        .instance_size = sizeof(BenchC),
        .class_size = sizeof(BenchCClass),
        .class_init = bench_c_class_init,
    },
    {
        .name = TYPE_BENCH_OTHER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
};

DEFINE_TYPES(bench_types)

/* ------------------------------------------------------------------ */
/* GObject types                                                        */
/* ------------------------------------------------------------------ */

/*
 * The same hierarchy twice, from the same code:
 *  - "GBench*": properties flagged G_PARAM_CONSTRUCT, so g_object_new
 *    applies the ParamSpec defaults through set_property, exactly what
 *    qomu does with class property defaults;
 *  - "GBenchI*": the usual GObject idiom, plain READWRITE properties
 *    whose defaults instance_init writes straight into the fields.
 */
typedef struct GBenchA {
    GObject parent;
    gboolean enabled;
    guint count;
} GBenchA;
typedef struct GBenchAClass {
    GObjectClass parent_class;
    gboolean construct_defaults;
} GBenchAClass;
typedef struct GBenchB {
    GBenchA parent;
    char *label;
} GBenchB;
typedef struct GBenchBClass {
    GBenchAClass parent_class;
} GBenchBClass;
typedef struct GBenchC {
    GBenchB parent;
    int mode;
} GBenchC;
typedef struct GBenchCClass {
    GBenchBClass parent_class;
} GBenchCClass;

typedef struct GBenchIfaceInterface {
    GTypeInterface parent_iface;
    int (*get_id)(GObject *obj);
} GBenchIfaceInterface;

enum { PROP_A_0, PROP_A_ENABLED, PROP_A_COUNT };
enum { PROP_B_0, PROP_B_LABEL };
enum { PROP_C_0, PROP_C_MODE };

/* [0] = construct-defaults hierarchy, [1] = idiomatic one */
static GType gtype_a[2], gtype_b[2], gtype_c[2];
static GType gtype_mode, gtype_iface, gtype_other;

/* What G_DEFINE_TYPE's *_get_type() does: a g_once check per call.  Out
 * of line, as a get_type() from another file would be. */
static G_GNUC_NO_INLINE GType gbench_a_get_type(void)
{
    static gsize id;

    if (g_once_init_enter(&id)) {
        g_once_init_leave(&id, gtype_a[0]);
    }
    return id;
}

static G_GNUC_NO_INLINE GType gbench_iface_get_type(void)
{
    static gsize id;

    if (g_once_init_enter(&id)) {
        g_once_init_leave(&id, gtype_iface);
    }
    return id;
}

static G_GNUC_NO_INLINE GType gbench_other_get_type(void)
{
    static gsize id;

    if (g_once_init_enter(&id)) {
        g_once_init_leave(&id, gtype_other);
    }
    return id;
}

/* The idiomatic instance casts of each level, as G_DECLARE_* generates
 * them (checked against the instance's own hierarchy). */
#define GBENCH_A(o) G_TYPE_CHECK_INSTANCE_CAST((o), gtype_a_of(o), GBenchA)
#define GBENCH_B(o) G_TYPE_CHECK_INSTANCE_CAST((o), gtype_b_of(o), GBenchB)
#define GBENCH_C(o) G_TYPE_CHECK_INSTANCE_CAST((o), gtype_c_of(o), GBenchC)

/* 0 for the construct-defaults hierarchy, 1 for the idiomatic one. */
static inline int gbench_variant(gpointer obj)
{
    return !((GBenchAClass *)((GTypeInstance *)obj)->g_class)
        ->construct_defaults;
}

static inline GType gtype_a_of(gpointer o)
{
    return gtype_a[gbench_variant(o)];
}

static inline GType gtype_b_of(gpointer o)
{
    return gtype_b[gbench_variant(o)];
}

static inline GType gtype_c_of(gpointer o)
{
    return gtype_c[gbench_variant(o)];
}

static void gbench_a_set_property(GObject *object, guint id,
                                  const GValue *value, GParamSpec *pspec)
{
    GBenchA *a = GBENCH_A(object);

    switch (id) {
    case PROP_A_ENABLED:
        a->enabled = g_value_get_boolean(value);
        break;
    case PROP_A_COUNT:
        a->count = g_value_get_uint(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static void gbench_a_get_property(GObject *object, guint id, GValue *value,
                                  GParamSpec *pspec)
{
    GBenchA *a = GBENCH_A(object);

    switch (id) {
    case PROP_A_ENABLED:
        g_value_set_boolean(value, a->enabled);
        break;
    case PROP_A_COUNT:
        g_value_set_uint(value, a->count);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static void gbench_b_set_property(GObject *object, guint id,
                                  const GValue *value, GParamSpec *pspec)
{
    GBenchB *b = GBENCH_B(object);

    switch (id) {
    case PROP_B_LABEL:
        g_free(b->label);
        b->label = g_value_dup_string(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static void gbench_b_get_property(GObject *object, guint id, GValue *value,
                                  GParamSpec *pspec)
{
    GBenchB *b = GBENCH_B(object);

    switch (id) {
    case PROP_B_LABEL:
        g_value_set_string(value, b->label);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static void gbench_c_set_property(GObject *object, guint id,
                                  const GValue *value, GParamSpec *pspec)
{
    GBenchC *c = GBENCH_C(object);

    switch (id) {
    case PROP_C_MODE:
        c->mode = g_value_get_enum(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static void gbench_c_get_property(GObject *object, guint id, GValue *value,
                                  GParamSpec *pspec)
{
    GBenchC *c = GBENCH_C(object);

    switch (id) {
    case PROP_C_MODE:
        g_value_set_enum(value, c->mode);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static GParamFlags gbench_flags(gpointer klass)
{
    return G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
        (((GBenchAClass *)klass)->construct_defaults ? G_PARAM_CONSTRUCT : 0);
}

static void gbench_a_class_init(gpointer klass, gpointer data)
{
    GObjectClass *oc = G_OBJECT_CLASS(klass);

    ((GBenchAClass *)klass)->construct_defaults = GPOINTER_TO_INT(data);
    oc->set_property = gbench_a_set_property;
    oc->get_property = gbench_a_get_property;
    g_object_class_install_property(oc, PROP_A_ENABLED,
        g_param_spec_boolean("enabled", NULL, NULL, TRUE,
                             gbench_flags(klass)));
    g_object_class_install_property(oc, PROP_A_COUNT,
        g_param_spec_uint("count", NULL, NULL, 0, G_MAXUINT32, 4,
                          gbench_flags(klass)));
}

static void gbench_a_init(GTypeInstance *instance, gpointer klass)
{
    GBenchA *a = (GBenchA *)instance;

    if (!((GBenchAClass *)klass)->construct_defaults) {
        a->enabled = TRUE;
        a->count = 4;
    }
}

static gpointer gbench_b_parent_class[2];

static void gbench_b_finalize(GObject *object)
{
    int v = gbench_variant(object);

    g_free(GBENCH_B(object)->label);
    G_OBJECT_CLASS(gbench_b_parent_class[v])->finalize(object);
}

static int gbench_b_get_id(GObject *obj)
{
    (void)obj;
    return 42;
}

static void gbench_b_iface_init(gpointer g_iface, gpointer data)
{
    (void)data;
    ((GBenchIfaceInterface *)g_iface)->get_id = gbench_b_get_id;
}

static void gbench_b_class_init(gpointer klass, gpointer data)
{
    GObjectClass *oc = G_OBJECT_CLASS(klass);

    gbench_b_parent_class[!GPOINTER_TO_INT(data)] =
        g_type_class_peek_parent(klass);
    oc->set_property = gbench_b_set_property;
    oc->get_property = gbench_b_get_property;
    oc->finalize = gbench_b_finalize;
    g_object_class_install_property(oc, PROP_B_LABEL,
        g_param_spec_string("label", NULL, NULL, "default",
                            gbench_flags(klass)));
}

static void gbench_b_init(GTypeInstance *instance, gpointer klass)
{
    if (!((GBenchAClass *)klass)->construct_defaults) {
        ((GBenchB *)instance)->label = g_strdup("default");
    }
}

static void gbench_c_class_init(gpointer klass, gpointer data)
{
    GObjectClass *oc = G_OBJECT_CLASS(klass);

    (void)data;
    oc->set_property = gbench_c_set_property;
    oc->get_property = gbench_c_get_property;
    g_object_class_install_property(oc, PROP_C_MODE,
        g_param_spec_enum("mode", NULL, NULL, gtype_mode, BENCH_MODE_FAST,
                          gbench_flags(klass)));
}

static void gbench_c_init(GTypeInstance *instance, gpointer klass)
{
    if (!((GBenchAClass *)klass)->construct_defaults) {
        ((GBenchC *)instance)->mode = BENCH_MODE_FAST;
    }
}

static void gbench_register_types(void)
{
    static const GEnumValue mode_values[] = {
        { BENCH_MODE_FAST, "BENCH_MODE_FAST", "fast" },
        { BENCH_MODE_SLOW, "BENCH_MODE_SLOW", "slow" },
        { BENCH_MODE_OFF, "BENCH_MODE_OFF", "off" },
        { 0, NULL, NULL },
    };
    static const GTypeInfo iface_info = {
        .class_size = sizeof(GBenchIfaceInterface),
    };
    static const GInterfaceInfo b_iface_info = {
        .interface_init = gbench_b_iface_init,
    };
    static const char *const names[2][3] = {
        { "GBenchA", "GBenchB", "GBenchC" },
        { "GBenchIA", "GBenchIB", "GBenchIC" },
    };

    gtype_mode = g_enum_register_static("GBenchMode", mode_values);
    gtype_iface = g_type_register_static(G_TYPE_INTERFACE, "GBenchIface",
                                         &iface_info, 0);
    g_type_interface_add_prerequisite(gtype_iface, G_TYPE_OBJECT);
    gtype_other = g_type_register_static_simple(G_TYPE_OBJECT, "GBenchOther",
                                                sizeof(GObjectClass), NULL,
                                                sizeof(GObject), NULL, 0);
    for (int v = 0; v < 2; v++) {
        /* class_data: 1 = construct defaults (hierarchy 0) */
        gpointer data = GINT_TO_POINTER(v == 0);
        GTypeInfo a = {
            .class_size = sizeof(GBenchAClass),
            .class_init = gbench_a_class_init,
            .class_data = data,
            .instance_size = sizeof(GBenchA),
            .instance_init = gbench_a_init,
        };
        GTypeInfo b = {
            .class_size = sizeof(GBenchBClass),
            .class_init = gbench_b_class_init,
            .class_data = data,
            .instance_size = sizeof(GBenchB),
            .instance_init = gbench_b_init,
        };
        GTypeInfo c = {
            .class_size = sizeof(GBenchCClass),
            .class_init = gbench_c_class_init,
            .class_data = data,
            .instance_size = sizeof(GBenchC),
            .instance_init = gbench_c_init,
        };

        gtype_a[v] = g_type_register_static(G_TYPE_OBJECT, names[v][0], &a, 0);
        gtype_b[v] = g_type_register_static(gtype_a[v], names[v][1], &b, 0);
        g_type_add_interface_static(gtype_b[v], gtype_iface, &b_iface_info);
        gtype_c[v] = g_type_register_static(gtype_b[v], names[v][2], &c, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Shared state for the loops                                           */
/* ------------------------------------------------------------------ */

static Object *q_obj;           /* a bench-c instance */
static GObject *g_obj;          /* a GBenchC instance */
static const char *q_abs_path = "/machine/peripheral/dev0";
static const char *q_partial_path = "dev0";

/* The path anchor: a tree of GHashTables (name -> node), walked without
 * allocating.  GObject has nothing that resolves paths. */
typedef struct HNode {
    GHashTable *children;
} HNode;
static HNode *h_root;

static HNode *hnode_new(void)
{
    HNode *n = g_new0(HNode, 1);

    n->children = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        NULL);
    return n;
}

static HNode *hnode_add(HNode *parent, const char *name)
{
    HNode *n = hnode_new();

    g_hash_table_insert(parent->children, g_strdup(name), n);
    return n;
}

static void hnode_free(gpointer p)
{
    HNode *n = p;
    GHashTableIter it;
    gpointer child;

    g_hash_table_iter_init(&it, n->children);
    while (g_hash_table_iter_next(&it, NULL, &child)) {
        hnode_free(child);
    }
    g_hash_table_unref(n->children);
    g_free(n);
}

static HNode *hnode_resolve(HNode *n, const char *path)
{
    char buf[64];
    const char *p = path;

    while (*p == '/') {
        p++;
    }
    while (n && *p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        g_assert(len < sizeof(buf));
        memcpy(buf, p, len);
        buf[len] = '\0';
        n = g_hash_table_lookup(n->children, buf);
        p += end ? len + 1 : len;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* The measured loops                                                   */
/* ------------------------------------------------------------------ */

#define LOOP(name, body) \
    static G_GNUC_NO_INLINE void name(uint64_t n) \
    { \
        for (uint64_t i = 0; i < n; i++) { \
            body \
        } \
    }

/* 1. creation */
LOOP(q_new_unref, {
    Object *o = object_new(TYPE_BENCH_C);
    SINK(o);
    object_unref(o);
})
LOOP(g_new_unref_construct, {
    GObject *o = g_object_new(gtype_c[0], NULL);
    SINK(o);
    g_object_unref(o);
})
LOOP(g_new_unref_idiom, {
    GObject *o = g_object_new(gtype_c[1], NULL);
    SINK(o);
    g_object_unref(o);
})
LOOP(q_new_set4_unref, {
    Object *o = object_new(TYPE_BENCH_C);
    object_property_set_bool(o, "enabled", false, &error_abort);
    object_property_set_uint(o, "count", 7, &error_abort);
    object_property_set_str(o, "label", "xyz", &error_abort);
    object_property_set_str(o, "mode", "slow", &error_abort);
    SINK(o);
    object_unref(o);
})
LOOP(g_new_props_unref_construct, {
    GObject *o = g_object_new(gtype_c[0], "enabled", FALSE, "count", 7,
                              "label", "xyz", "mode", BENCH_MODE_SLOW, NULL);
    SINK(o);
    g_object_unref(o);
})
LOOP(g_new_props_unref_idiom, {
    GObject *o = g_object_new(gtype_c[1], "enabled", FALSE, "count", 7,
                              "label", "xyz", "mode", BENCH_MODE_SLOW, NULL);
    SINK(o);
    g_object_unref(o);
})

/* 2. casts */
LOOP(q_cast_hit, {
    Object *o = q_obj;
    HIDE(o);
    SINK(object_dynamic_cast(o, TYPE_BENCH_A));
})
LOOP(q_cast_hit_macro, {
    Object *o = q_obj;
    HIDE(o);
    SINK(BENCH_A(o));
})
LOOP(g_cast_hit, {
    GObject *o = g_obj;
    HIDE(o);
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, gbench_a_get_type(), GBenchA));
})
LOOP(q_cast_miss, {
    Object *o = q_obj;
    HIDE(o);
    SINK(object_dynamic_cast(o, TYPE_BENCH_OTHER));
})
LOOP(g_cast_miss, {
    GObject *o = g_obj;
    gboolean r;
    HIDE(o);
    r = G_TYPE_CHECK_INSTANCE_TYPE(o, gbench_other_get_type());
    SINK(r);
})
LOOP(q_cast_iface, {
    Object *o = q_obj;
    HIDE(o);
    SINK(object_dynamic_cast(o, TYPE_BENCH_IFACE));
})
LOOP(g_cast_iface, {
    GObject *o = g_obj;
    HIDE(o);
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, gbench_iface_get_type(), GObject));
})
LOOP(q_iface_class, {
    Object *o = q_obj;
    HIDE(o);
    SINK(BENCH_IFACE_GET_CLASS(o));
})
LOOP(g_iface_class, {
    GObject *o = g_obj;
    HIDE(o);
    SINK(G_TYPE_INSTANCE_GET_INTERFACE(o, gbench_iface_get_type(),
                                       GBenchIfaceInterface));
})
/* Five different targets in turn (C, B, A, object, interface): real code
 * casts one class to many types; qomu's per-class caches hold 4. */
LOOP(q_cast_rotate, {
    Object *o = q_obj;
    HIDE(o);
    SINK(object_dynamic_cast(o, TYPE_BENCH_C));
    SINK(object_dynamic_cast(o, TYPE_BENCH_B));
    SINK(object_dynamic_cast(o, TYPE_BENCH_A));
    SINK(object_dynamic_cast(o, TYPE_OBJECT));
    SINK(object_dynamic_cast(o, TYPE_BENCH_IFACE));
})
LOOP(g_cast_rotate, {
    GObject *o = g_obj;
    HIDE(o);
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, gtype_c[0], GObject));
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, gtype_b[0], GObject));
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, gbench_a_get_type(), GObject));
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, G_TYPE_OBJECT, GObject));
    SINK(G_TYPE_CHECK_INSTANCE_CAST(o, gbench_iface_get_type(), GObject));
})

/* 3. setting properties */
LOOP(q_parse_int, {
    object_property_parse(q_obj, "count", "123", &error_abort);
})
LOOP(q_parse_bool, {
    object_property_parse(q_obj, "enabled", "on", &error_abort);
})
LOOP(q_set_int, {
    object_property_set_uint(q_obj, "count", 123, &error_abort);
})
LOOP(q_set_bool, {
    object_property_set_bool(q_obj, "enabled", true, &error_abort);
})
LOOP(q_parse_str, {
    object_property_parse(q_obj, "label", "xyz", &error_abort);
})
LOOP(q_parse_enum, {
    object_property_parse(q_obj, "mode", "slow", &error_abort);
})
LOOP(g_set_int, {
    g_object_set(g_obj, "count", 123, NULL);
})
LOOP(g_set_bool, {
    g_object_set(g_obj, "enabled", TRUE, NULL);
})
LOOP(g_set_str, {
    g_object_set(g_obj, "label", "xyz", NULL);
})
LOOP(g_set_enum, {
    g_object_set(g_obj, "mode", BENCH_MODE_SLOW, NULL);
})

/* 4. paths */
LOOP(q_resolve_abs, {
    SINK(object_resolve_path(q_abs_path, NULL));
})
LOOP(q_resolve_partial, {
    SINK(object_resolve_path(q_partial_path, NULL));
})
LOOP(h_resolve_abs, {
    SINK(hnode_resolve(h_root, q_abs_path));
})

/* ------------------------------------------------------------------ */
/* Timing                                                               */
/* ------------------------------------------------------------------ */

typedef void BenchFn(uint64_t n);

static double target_ns = 100e6;   /* per timed run */
static int runs = 5;
static uint64_t profile_iters;      /* -n: fixed count, nothing timed */
static const char *filter;          /* -f: only lines containing this */
#define SLICES 10

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double time_run(BenchFn *fn, uint64_t n)
{
    double t0 = now_ns();

    fn(n);
    return now_ns() - t0;
}

/* Warms @fn up and returns the iteration count for one ~target_ns run. */
static uint64_t calibrate(BenchFn *fn)
{
    uint64_t n = 1;
    double t;

    fn(100);                                /* classes, caches, allocator */
    for (;;) {
        t = time_run(fn, n);
        if (t >= 10e6) {
            break;
        }
        n *= 2;
    }
    n = (uint64_t)(n * target_ns / t);
    return n ? n : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct Line {
    const char *section;        /* printed before the line when set */
    const char *name;
    BenchFn *qomu;
    BenchFn *anchor;            /* NULL: no equivalent ("n/a") */
    int ops;                    /* operations per loop iteration */
} Line;

static void measure(const Line *l)
{
    uint64_t nq, na = 0;
    double tq[runs], ta[runs];
    double mq, ma = 0;

    if (filter && !strstr(l->name, filter)) {
        return;
    }
    if (profile_iters) {
        /* For callgrind/perf: run each side a fixed number of times. */
        printf("  %s\n", l->name);
        l->qomu(profile_iters);
        if (l->anchor) {
            l->anchor(profile_iters);
        }
        return;
    }
    nq = calibrate(l->qomu);
    if (l->anchor) {
        na = calibrate(l->anchor);
    }
    /* Each run is cut into SLICES alternating slices, qomu then GObject,
     * so that a burst of load from elsewhere hits both sides alike. */
    for (int r = 0; r < runs; r++) {
        uint64_t sq = (nq + SLICES - 1) / SLICES;
        uint64_t sa = (na + SLICES - 1) / SLICES;
        double q = 0, a = 0;

        for (int s = 0; s < SLICES; s++) {
            q += time_run(l->qomu, sq);
            if (l->anchor) {
                a += time_run(l->anchor, sa);
            }
        }
        tq[r] = q / (sq * SLICES * l->ops);
        if (l->anchor) {
            ta[r] = a / (sa * SLICES * l->ops);
        }
    }
    mq = median(tq, runs);
    if (l->section) {
        printf("%s\n", l->section);
    }
    if (l->anchor) {
        ma = median(ta, runs);
        printf("  %-50s %9.1f %9.1f %7.2f\n", l->name, mq, ma, mq / ma);
    } else {
        printf("  %-50s %9.1f %9s %7s\n", l->name, mq, "n/a", "n/a");
    }
    fflush(stdout);
}

static const Line lines[] = {
    { "1. create + unref bench-c (object -> A -> B -> C, 4 props)",
      "new+unref, defaults [GObject: CONSTRUCT pspecs]",
      q_new_unref, g_new_unref_construct, 1 },
    { NULL, "new+unref, defaults [GObject: instance_init]",
      q_new_unref, g_new_unref_idiom, 1 },
    { NULL, "new+4 sets+unref [GObject: new w/ 4, CONSTRUCT]",
      q_new_set4_unref, g_new_props_unref_construct, 1 },
    { NULL, "new+4 sets+unref [GObject: new w/ 4, idiom]",
      q_new_set4_unref, g_new_props_unref_idiom, 1 },
    { "2. casts (C instance) [GObject: G_TYPE_CHECK_INSTANCE_*]",
      "dynamic_cast hit (-> A) [CAST]", q_cast_hit, g_cast_hit, 1 },
    { NULL, "checked cast BENCH_A(obj) [CAST]",
      q_cast_hit_macro, g_cast_hit, 1 },
    { NULL, "dynamic_cast miss (-> unrelated) [TYPE]",
      q_cast_miss, g_cast_miss, 1 },
    { NULL, "dynamic_cast -> interface [CAST]",
      q_cast_iface, g_cast_iface, 1 },
    { NULL, "interface class IFACE_GET_CLASS [GET_INTERFACE]",
      q_iface_class, g_iface_class, 1 },
    { NULL, "dynamic_cast, 5 targets in turn [CAST]",
      q_cast_rotate, g_cast_rotate, 5 },
    { "3. set a property [GObject: g_object_set with a typed value]",
      "parse uint32 \"123\"", q_parse_int, g_set_int, 1 },
    { NULL, "parse bool \"on\"", q_parse_bool, g_set_bool, 1 },
    { NULL, "parse string \"xyz\"", q_parse_str, g_set_str, 1 },
    { NULL, "parse enum \"slow\"", q_parse_enum, g_set_enum, 1 },
    { NULL, "set_uint 123 (typed)", q_set_int, g_set_int, 1 },
    { NULL, "set_bool true (typed)", q_set_bool, g_set_bool, 1 },
    { "4. resolve a path [anchor: GHashTable tree walk, not GObject]",
      "absolute /machine/peripheral/dev0",
      q_resolve_abs, h_resolve_abs, 1 },
    { NULL, "partial \"dev0\" (whole tree, 22 objects)",
      q_resolve_partial, NULL, 1 },
};

/* ------------------------------------------------------------------ */
/* Setup, checks, teardown                                              */
/* ------------------------------------------------------------------ */

/* The tree for section 4, the same shape in qomu and as GHashTables:
 * /machine/{peripheral/dev0..7, unattached/device[0..7], peripheral-anon}
 * and /objects. */
static Object *build_tree(void)
{
    Object *root = object_get_root();
    Object *machine, *per, *unatt;

    g_assert(!object_resolve_path("/machine", NULL));
    machine = container_get(root, "/machine");
    per = container_get(machine, "peripheral");
    unatt = container_get(machine, "unattached");
    container_get(machine, "peripheral-anon");
    container_get(root, "/objects");

    h_root = hnode_new();
    HNode *hm = hnode_add(h_root, "machine");
    HNode *hp = hnode_add(hm, "peripheral");
    HNode *hu = hnode_add(hm, "unattached");
    hnode_add(hm, "peripheral-anon");
    hnode_add(h_root, "objects");

    for (int i = 0; i < 8; i++) {
        g_autofree char *dev = g_strdup_printf("dev%d", i);
        Object *o = object_new(TYPE_BENCH_C);

        object_property_add_child(per, dev, o);
        object_unref(o);
        o = object_new(TYPE_BENCH_C);
        object_property_add_child(unatt, "device[*]", o);
        object_unref(o);
        hnode_add(hp, dev);
        g_autofree char *udev = g_strdup_printf("device[%d]", i);
        hnode_add(hu, udev);
    }
    return machine;
}

static void check_equivalence(void)
{
    Object *q = object_new(TYPE_BENCH_C);
    GObject *g0 = g_object_new(gtype_c[0], NULL);
    GObject *g1 = g_object_new(gtype_c[1], NULL);
    GObject *gs[] = { g0, g1 };

    /* Same defaults on every side. */
    g_assert(BENCH_A(q)->enabled && BENCH_A(q)->count == 4);
    g_assert_cmpstr(BENCH_B(q)->label, ==, "default");
    g_assert(BENCH_C(q)->mode == BENCH_MODE_FAST);
    for (int i = 0; i < 2; i++) {
        GBenchC *c = (GBenchC *)gs[i];

        g_assert(c->parent.parent.enabled && c->parent.parent.count == 4);
        g_assert_cmpstr(c->parent.label, ==, "default");
        g_assert(c->mode == BENCH_MODE_FAST);
        g_object_unref(gs[i]);
    }
    /* The casts answer what the table says they do. */
    g_assert(object_dynamic_cast(q, TYPE_BENCH_A) == q);
    g_assert(object_dynamic_cast(q, TYPE_BENCH_OTHER) == NULL);
    g_assert(object_dynamic_cast(q, TYPE_BENCH_IFACE) == q);
    g_assert(BENCH_IFACE_GET_CLASS(q)->get_id(q) == 42);
    g_assert(G_TYPE_CHECK_INSTANCE_TYPE(g_obj, gbench_a_get_type()));
    g_assert(!G_TYPE_CHECK_INSTANCE_TYPE(g_obj, gbench_other_get_type()));
    g_assert(G_TYPE_CHECK_INSTANCE_TYPE(g_obj, gbench_iface_get_type()));
    g_assert(G_TYPE_INSTANCE_GET_INTERFACE(g_obj, gbench_iface_get_type(),
                                           GBenchIfaceInterface)
             ->get_id(g_obj) == 42);
    /* Parsing sets what g_object_set sets. */
    object_property_parse(q, "count", "123", &error_abort);
    object_property_parse(q, "enabled", "off", &error_abort);
    object_property_parse(q, "mode", "slow", &error_abort);
    g_assert(BENCH_A(q)->count == 123 && !BENCH_A(q)->enabled);
    g_assert(BENCH_C(q)->mode == BENCH_MODE_SLOW);
    object_unref(q);
    /* Both path lookups find dev0. */
    g_assert(object_resolve_path(q_abs_path, NULL) ==
             object_resolve_path(q_partial_path, NULL));
    g_assert(object_dynamic_cast(object_resolve_path(q_abs_path, NULL),
                                 TYPE_BENCH_C));
    g_assert(hnode_resolve(h_root, q_abs_path));
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [-t MS_PER_RUN] [-r RUNS] [-f TEXT] [-n ITERS]\n"
            "  -t  target duration of one timed run (default 100)\n"
            "  -r  timed runs per side; the median is printed (default 5)\n"
            "  -f  only the lines whose name contains TEXT\n"
            "  -n  profiling: run each loop ITERS times, time nothing, e.g.\n"
            "      valgrind --tool=callgrind --toggle-collect=q_new_unref\n",
            argv0);
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned live_start;
    Object *machine;
    int opt;

    while ((opt = getopt(argc, argv, "t:r:f:n:h")) != -1) {
        switch (opt) {
        case 't':
            target_ns = atof(optarg) * 1e6;
            break;
        case 'r':
            runs = atoi(optarg);
            break;
        case 'f':
            filter = optarg;
            break;
        case 'n':
            profile_iters = strtoull(optarg, NULL, 0);
            break;
        default:
            usage(argv[0]);
        }
    }
    if (target_ns < 1e6 || runs < 1 || runs > 99 || optind != argc) {
        usage(argv[0]);
    }

    object_get_root();          /* lives for the whole process */
    live_start = object_live_count();
    gbench_register_types();
    machine = build_tree();
    q_obj = object_new(TYPE_BENCH_C);
    g_obj = g_object_new(gtype_c[0], NULL);
    check_equivalence();

    if (profile_iters) {
        printf("profile mode: every loop runs %" PRIu64 " times, untimed\n",
               profile_iters);
    } else {
        printf("qomu object model vs GObject %u.%u.%u: ns/op, median of %d "
               "runs of ~%.0f ms each\nratio = qomu / GObject "
               "(< 1.00: qomu faster)\n\n", glib_major_version,
               glib_minor_version, glib_micro_version, runs,
               target_ns / 1e6);
        printf("  %-50s %9s %9s %7s\n", "operation", "qomu", "GObject",
               "ratio");
    }
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
        measure(&lines[i]);
    }

    object_unref(q_obj);
    g_object_unref(g_obj);
    object_unparent(machine);
    object_unparent(object_resolve_path("/objects", NULL));
    hnode_free(h_root);
    if (object_live_count() != live_start) {
        fprintf(stderr, "bench/qom: %u QOM objects leaked\n",
                object_live_count() - live_start);
        return 1;
    }
    g_assert(object_live_count() == live_start);
    return 0;
}
