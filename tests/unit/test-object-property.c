/*
 * test-object-property.c - properties: the table (add, find, numbering,
 * duplicates, delete, iteration order), the ready-made kinds (bool,
 * string, enum, integer fields, alias), class properties and defaults,
 * and the three front ends (typed C, text in two dialects, GVariant as
 * JSON arrives) with QEMU's error messages.
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "harness.h"
#include "error-text.h"

#define TYPE_P_DUMMY "p-dummy"
#define TYPE_P_SUB "p-sub"

typedef enum { COLOR_RED, COLOR_GREEN, COLOR_BLUE, COLOR__MAX } Color;

static const char *const color_names[] = { "red", "green", "blue" };
static const QEnumLookup color_lookup = { color_names, COLOR__MAX };

typedef struct PDummy {
    Object parent_obj;
    bool flag;
    char *label;
    Color color;
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
    int released;       /* counts release callbacks seen */
} PDummy;

#define P_DUMMY(obj) OBJECT_CHECK(PDummy, (obj), TYPE_P_DUMMY)

static bool p_get_flag(Object *obj, Error **errp)
{
    (void)errp;
    return P_DUMMY(obj)->flag;
}

static void p_set_flag(Object *obj, bool value, Error **errp)
{
    (void)errp;
    P_DUMMY(obj)->flag = value;
}

static char *p_get_label(Object *obj, Error **errp)
{
    (void)errp;
    return g_strdup(P_DUMMY(obj)->label);
}

static void p_set_label(Object *obj, const char *value, Error **errp)
{
    if (!strcmp(value, "forbidden")) {
        error_setg(errp, "label 'forbidden' is reserved");
        return;
    }
    g_free(P_DUMMY(obj)->label);
    P_DUMMY(obj)->label = g_strdup(value);
}

static int p_get_color(Object *obj, Error **errp)
{
    (void)errp;
    return P_DUMMY(obj)->color;
}

static void p_set_color(Object *obj, int value, Error **errp)
{
    (void)errp;
    P_DUMMY(obj)->color = value;
}

static void p_dummy_init(Object *obj)
{
    PDummy *d = P_DUMMY(obj);

    object_property_add_uint8_ptr(obj, "u8", &d->u8,
                                  OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "u64-ro", &d->u64,
                                   OBJ_PROP_FLAG_READ);
}

static void p_dummy_finalize(Object *obj)
{
    g_free(P_DUMMY(obj)->label);
}

static void p_dummy_class_init(ObjectClass *oc, void *data)
{
    ObjectProperty *op;

    (void)data;
    op = object_class_property_add_bool(oc, "flag", p_get_flag, p_set_flag);
    object_property_set_default_bool(op, true);
    op = object_class_property_add_str(oc, "label", p_get_label,
                                       p_set_label);
    object_property_set_default_str(op, "unnamed");
    object_class_property_set_description(oc, "label", "What it is called");
    op = object_class_property_add_enum(oc, "color", "Color", &color_lookup,
                                        p_get_color, p_set_color);
    object_property_set_default_str(op, "green");
    op = object_class_property_add_uint32_ptr(oc, "u32",
                                              offsetof(PDummy, u32),
                                              OBJ_PROP_FLAG_READWRITE);
    object_property_set_default_uint(op, 7);
    object_class_property_add_str(oc, "write-only", NULL, p_set_label);
}

static void p_sub_class_init(ObjectClass *oc, void *data)
{
    (void)data;
    object_class_property_add_uint64_ptr(oc, "u64",
                                         offsetof(PDummy, u64),
                                         OBJ_PROP_FLAG_READWRITE);
}

static const TypeInfo p_types[] = {
    {
        .name = TYPE_P_DUMMY,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(PDummy),
        .instance_init = p_dummy_init,
        .instance_finalize = p_dummy_finalize,
        .class_init = p_dummy_class_init,
    }, {
        .name = TYPE_P_SUB,
        .parent = TYPE_P_DUMMY,
        .class_init = p_sub_class_init,
    },
};

DEFINE_TYPES(p_types)

/* Sets through the text front end and returns the error text or NULL. */
static char *parse_err(Object *obj, const char *name, const char *value,
                       bool keyval)
{
    Error *err = NULL;
    bool ok = keyval ? object_property_parse_keyval(obj, name, value, &err)
                     : object_property_parse(obj, name, value, &err);

    CU_ASSERT_EQUAL(ok, err == NULL);
    return error_take_text(err);
}

#define ASSERT_PARSE_ERR(obj, name, value, keyval, expected) do { \
        char *m_ = parse_err((obj), (name), (value), (keyval)); \
        CU_ASSERT_PTR_NOT_NULL(m_); \
        if (m_) { \
            CU_ASSERT_STRING_EQUAL(m_, (expected)); \
        } \
        g_free(m_); \
    } while (0)

#define ASSERT_PARSE_OK(obj, name, value, keyval) do { \
        char *m_ = parse_err((obj), (name), (value), (keyval)); \
        CU_ASSERT_PTR_NULL(m_); \
        g_free(m_); \
    } while (0)

/* ---- defaults and class properties ---- */

static void test_defaults(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    PDummy *d = P_DUMMY(obj);

    CU_ASSERT_TRUE(d->flag);
    CU_ASSERT_STRING_EQUAL(d->label, "unnamed");
    CU_ASSERT_EQUAL(d->color, COLOR_GREEN);
    CU_ASSERT_EQUAL(d->u32, 7);
    CU_ASSERT_EQUAL(d->u8, 0);
    object_unref(obj);
}

static void test_inherited_class_properties(void)
{
    Object *obj = object_new(TYPE_P_SUB);

    /* the parent's defaults apply to the subclass too */
    CU_ASSERT_EQUAL(P_DUMMY(obj)->u32, 7);
    CU_ASSERT_TRUE(object_property_set_uint(obj, "u64", 1ULL << 40, NULL));
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "u64", &error_abort),
                    1ULL << 40);
    CU_ASSERT_PTR_NOT_NULL(object_property_find(obj, "flag"));
    CU_ASSERT_PTR_NOT_NULL(object_class_property_find(
        object_class_by_name(TYPE_P_SUB), "label"));
    CU_ASSERT_PTR_NULL(object_class_property_find(
        object_class_by_name(TYPE_P_DUMMY), "u64"));
    object_unref(obj);
}

/* ---- typed C front end ---- */

static void test_typed_roundtrip(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    g_autofree char *label = NULL;

    CU_ASSERT_TRUE(object_property_set_bool(obj, "flag", false, NULL));
    CU_ASSERT_FALSE(object_property_get_bool(obj, "flag", &error_abort));
    CU_ASSERT_TRUE(object_property_set_str(obj, "label", "disk", NULL));
    label = object_property_get_str(obj, "label", &error_abort);
    CU_ASSERT_STRING_EQUAL(label, "disk");
    CU_ASSERT_TRUE(object_property_set_str(obj, "color", "blue", NULL));
    CU_ASSERT_EQUAL(object_property_get_enum(obj, "color", "Color",
                                             &error_abort), COLOR_BLUE);
    CU_ASSERT_TRUE(object_property_set_int(obj, "u8", 200, NULL));
    CU_ASSERT_EQUAL(object_property_get_int(obj, "u8", &error_abort), 200);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "u32", &error_abort), 7);
    object_unref(obj);
}

static void test_errors_verbatim(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    Error *err = NULL;

    CU_ASSERT_FALSE(object_property_set_bool(obj, "nope", true, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Property 'p-dummy.nope' not found");
    error_free(err);
    err = NULL;
    CU_ASSERT_PTR_NULL(object_property_get(obj, "write-only", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Insufficient permission to perform this "
                           "operation");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_uint(obj, "u64-ro", 1, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Insufficient permission to perform this "
                           "operation");
    error_free(err);
    err = NULL;
    /* the wrong kind of value, as a QMP client could send */
    CU_ASSERT_FALSE(object_property_set_str(obj, "flag", "yes", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'flag', expected: "
                           "boolean");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_bool(obj, "label", true, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'label', expected: "
                           "string");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_str(obj, "u8", "1", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'u8' expects uint64");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_uint(obj, "u8", 256, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'u8' expects uint8_t");
    error_free(err);
    err = NULL;
    /* negative wraps (QEMU accepts it "for backward compatibility") and
     * then fails the range check */
    CU_ASSERT_FALSE(object_property_set_int(obj, "u8", -1, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'u8' expects uint8_t");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_str(obj, "color", "purple", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'color' does not accept value "
                           "'purple'");
    error_free(err);
    err = NULL;
    /* a setter's own error comes through unchanged, the value unchanged */
    CU_ASSERT_FALSE(object_property_set_str(obj, "label", "forbidden", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "label 'forbidden' is reserved");
    CU_ASSERT_STRING_EQUAL(P_DUMMY(obj)->label, "unnamed");
    error_free(err);
    err = NULL;
    CU_ASSERT_EQUAL(object_property_get_enum(obj, "label", "Color", &err),
                    -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Property 'label' on object 'p-dummy' is not "
                           "'Color' enum type");
    error_free(err);
    CU_ASSERT_EQUAL(P_DUMMY(obj)->u8, 0);
    object_unref(obj);
}

/* ---- the text front ends ---- */

static void test_parse_string_dialect(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    PDummy *d = P_DUMMY(obj);

    /* QEMU's string input visitor (-global): checked against QEMU 7.2,
     * "-global e1000.autonegotiation=YES" */
    ASSERT_PARSE_OK(obj, "flag", "no", false);
    CU_ASSERT_FALSE(d->flag);
    ASSERT_PARSE_OK(obj, "flag", "true", false);
    CU_ASSERT_TRUE(d->flag);
    ASSERT_PARSE_ERR(obj, "flag", "YES", false,
                     "Parameter 'flag' expects 'on' or 'off'");
    ASSERT_PARSE_OK(obj, "u32", "0x10", false);
    CU_ASSERT_EQUAL(d->u32, 16);
    ASSERT_PARSE_ERR(obj, "u32", "ten", false,
                     "Parameter 'u32' expects uint64");
    ASSERT_PARSE_ERR(obj, "u32", "4294967296", false,
                     "Parameter 'u32' expects uint32_t");
    ASSERT_PARSE_OK(obj, "color", "red", false);
    CU_ASSERT_EQUAL(d->color, COLOR_RED);
    ASSERT_PARSE_OK(obj, "label", "a,b c", false);
    CU_ASSERT_STRING_EQUAL(d->label, "a,b c");
    ASSERT_PARSE_ERR(obj, "nope", "1", false,
                     "Property 'p-dummy.nope' not found");
    object_unref(obj);
}

static void test_parse_keyval_dialect(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    PDummy *d = P_DUMMY(obj);

    /* QEMU's keyval visitor (-device): checked against QEMU 7.2,
     * "-device e1000,autonegotiation=y" is accepted, "=On" is not */
    ASSERT_PARSE_OK(obj, "flag", "off", true);
    CU_ASSERT_FALSE(d->flag);
    ASSERT_PARSE_OK(obj, "flag", "y", true);
    CU_ASSERT_TRUE(d->flag);
    ASSERT_PARSE_ERR(obj, "flag", "On", true,
                     "Parameter 'flag' expects 'on' or 'off'");
    ASSERT_PARSE_ERR(obj, "u32", "ten", true,
                     "Parameter 'u32' expects integer");
    ASSERT_PARSE_ERR(obj, "u8", "300", true,
                     "Parameter 'u8' expects uint8_t");
    ASSERT_PARSE_OK(obj, "u8", "255", true);
    CU_ASSERT_EQUAL(d->u8, 255);
    object_unref(obj);
}

static void test_value_from_string(void)
{
    Error *err = NULL;
    GVariant *v;

    v = object_property_value_from_string("size", "sz", "2M", true, NULL);
    CU_ASSERT_EQUAL(g_variant_get_uint64(v), 2 * 1024 * 1024);
    g_variant_unref(v);
    v = object_property_value_from_string("size", "sz", "1.5k", false, NULL);
    CU_ASSERT_EQUAL(g_variant_get_uint64(v), 1536);
    g_variant_unref(v);
    CU_ASSERT_PTR_NULL(object_property_value_from_string("size", "sz", "x",
                                                         true, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'sz' expects size");
    error_free(err);
    err = NULL;
    CU_ASSERT_PTR_NULL(object_property_value_from_string("size", "sz", "x",
                                                         false, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'sz' expects a non-negative number "
                           "below 2^64");
    error_free(err);
    err = NULL;
    v = object_property_value_from_string("int32", "i", "-5", true, NULL);
    CU_ASSERT_EQUAL(g_variant_get_int64(v), -5);
    g_variant_unref(v);
    CU_ASSERT_PTR_NULL(object_property_value_from_string("int32", "i", "5x",
                                                         false, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'i' expects int64");
    error_free(err);
}

static void test_print(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    g_autofree char *flag = object_property_print(obj, "flag", false, NULL);
    g_autofree char *color = object_property_print(obj, "color", false,
                                                   NULL);
    g_autofree char *u32 = object_property_print(obj, "u32", true, NULL);
    g_autofree char *sz = NULL;
    GVariant *v = g_variant_ref_sink(g_variant_new_uint64(1536));

    CU_ASSERT_STRING_EQUAL(flag, "true");
    CU_ASSERT_STRING_EQUAL(color, "green");
    CU_ASSERT_STRING_EQUAL(u32, "7");
    sz = object_property_value_to_string("size", v, true);
    CU_ASSERT_STRING_EQUAL(sz, "1.5 KiB");
    g_variant_unref(v);
    CU_ASSERT_PTR_NULL(object_property_print(obj, "write-only", false,
                                             NULL));
    object_unref(obj);
}

/* ---- the table ---- */

static int release_count;

static void count_release(Object *obj, const char *name, void *opaque)
{
    (void)obj;
    (void)name;
    (void)opaque;
    release_count++;
}

static void test_add_find_delete(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    Error *err = NULL;
    ObjectProperty *prop;

    release_count = 0;
    prop = object_property_add(obj, "extra", "str", NULL, NULL,
                               count_release, NULL);
    CU_ASSERT_PTR_EQUAL(object_property_find(obj, "extra"), prop);
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "extra", NULL),
                           "str");
    CU_ASSERT_PTR_NULL(object_property_try_add(obj, "extra", "str", NULL,
                                               NULL, NULL, NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "attempt to add duplicate property 'extra' to "
                           "object (type 'p-dummy')");
    error_free(err);
    err = NULL;
    /* an instance property may not shadow a class property either */
    CU_ASSERT_PTR_NULL(object_property_try_add(obj, "flag", "bool", NULL,
                                               NULL, NULL, NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    error_free(err);
    object_property_del(obj, "extra");
    CU_ASSERT_EQUAL(release_count, 1);
    CU_ASSERT_PTR_NULL(object_property_find(obj, "extra"));
    object_property_del(obj, "extra");     /* already gone: no-op */
    CU_ASSERT_EQUAL(release_count, 1);
    object_property_add(obj, "again", "str", NULL, NULL, count_release,
                        NULL);
    object_unref(obj);                      /* finalize releases it */
    CU_ASSERT_EQUAL(release_count, 2);
}

static void test_auto_numbering(void)
{
    Object *obj = object_new(TYPE_P_DUMMY);
    ObjectProperty *a, *b, *c;

    a = object_property_add(obj, "slot[*]", "str", NULL, NULL, NULL, NULL);
    b = object_property_add(obj, "slot[*]", "str", NULL, NULL, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(a->name, "slot[0]");
    CU_ASSERT_STRING_EQUAL(b->name, "slot[1]");
    object_property_del(obj, "slot[0]");
    c = object_property_add(obj, "slot[*]", "str", NULL, NULL, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(c->name, "slot[0]");     /* first free index */
    object_unref(obj);
}

static void test_iteration_order(void)
{
    Object *obj = object_new(TYPE_P_SUB);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    GString *names = g_string_new(NULL);

    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        g_string_append_printf(names, "%s ", prop->name);
    }
    /* instance properties in the order added, then the class's, then
     * each ancestor's */
    CU_ASSERT_STRING_EQUAL(names->str,
                           "u8 u64-ro u64 flag label color u32 write-only "
                           "type ");
    g_string_truncate(names, 0);
    object_class_property_iter_init(&iter, object_class_by_name(TYPE_P_SUB));
    while ((prop = object_property_iter_next(&iter))) {
        g_string_append_printf(names, "%s ", prop->name);
    }
    CU_ASSERT_STRING_EQUAL(names->str,
                           "u64 flag label color u32 write-only type ");
    g_string_free(names, true);
    object_unref(obj);
}

static void test_description_and_default(void)
{
    ObjectClass *oc = object_class_by_name(TYPE_P_DUMMY);
    ObjectProperty *label = object_class_property_find(oc, "label");
    ObjectProperty *u32 = object_class_property_find(oc, "u32");

    CU_ASSERT_STRING_EQUAL(label->description, "What it is called");
    CU_ASSERT_STRING_EQUAL(g_variant_get_string(label->defval, NULL),
                           "unnamed");
    CU_ASSERT_EQUAL(g_variant_get_uint64(u32->defval), 7);
    CU_ASSERT_STRING_EQUAL(u32->type, "uint32");
    CU_ASSERT_STRING_EQUAL(object_class_property_find(oc, "type")->type,
                           "string");
}

static void test_type_property(void)
{
    Object *obj = object_new(TYPE_P_SUB);
    g_autofree char *type = object_property_get_str(obj, "type", NULL);

    CU_ASSERT_STRING_EQUAL(type, TYPE_P_SUB);
    object_unref(obj);
}

static void test_alias(void)
{
    Object *target = object_new(TYPE_P_DUMMY);
    Object *front = object_new(TYPE_P_DUMMY);
    ObjectProperty *alias;

    alias = object_property_add_alias(front, "target-label", target,
                                      "label");
    CU_ASSERT_STRING_EQUAL(alias->type, "string");
    CU_ASSERT_STRING_EQUAL(alias->description, "What it is called");
    CU_ASSERT_TRUE(object_property_set_str(front, "target-label", "x",
                                           NULL));
    CU_ASSERT_STRING_EQUAL(P_DUMMY(target)->label, "x");
    CU_ASSERT_STRING_EQUAL(P_DUMMY(front)->label, "unnamed");
    object_property_add_alias(front, "target-flag", target, "flag");
    ASSERT_PARSE_OK(front, "target-flag", "off", false);
    CU_ASSERT_FALSE(P_DUMMY(target)->flag);
    object_unref(front);
    object_unref(target);
}

static void test_json_like_values(void)
{
    /* The monitor hands over what JSON gives: int64 for every number */
    Object *obj = object_new(TYPE_P_DUMMY);
    Error *err = NULL;

    CU_ASSERT_TRUE(object_property_set(obj, "u32",
                                       g_variant_new_int64(12), NULL));
    CU_ASSERT_EQUAL(P_DUMMY(obj)->u32, 12);
    CU_ASSERT_FALSE(object_property_set(obj, "flag",
                                        g_variant_new_int64(1), &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'flag', expected: "
                           "boolean");
    error_free(err);
    object_unref(obj);
}

int main(int argc, char **argv)
{
    harness_add("/property/class/defaults", test_defaults);
    harness_add("/property/class/inherited", test_inherited_class_properties);
    harness_add("/property/class/description-default",
                test_description_and_default);
    harness_add("/property/class/type", test_type_property);
    harness_add("/property/typed/roundtrip", test_typed_roundtrip);
    harness_add("/property/typed/errors", test_errors_verbatim);
    harness_add("/property/text/string-dialect", test_parse_string_dialect);
    harness_add("/property/text/keyval-dialect", test_parse_keyval_dialect);
    harness_add("/property/text/value-from-string", test_value_from_string);
    harness_add("/property/text/print", test_print);
    harness_add("/property/variant/json-like", test_json_like_values);
    harness_add("/property/table/add-find-delete", test_add_find_delete);
    harness_add("/property/table/auto-numbering", test_auto_numbering);
    harness_add("/property/table/iteration-order", test_iteration_order);
    harness_add("/property/alias/forward", test_alias);
    return harness_run(argc, argv);
}
