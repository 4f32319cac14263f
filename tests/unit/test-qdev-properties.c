/*
 * test-qdev-properties.c - static properties: every DEFINE_PROP_* kind,
 * defaults, QOM types, range errors and set-after-realize errors verbatim,
 * OnOffAuto, strong links, bits sharing a field, instance (add_static)
 * properties, the qdev_prop_set_* helpers, and device-list-properties.
 *
 * Throwaway types: tp-dev (one property of each kind), tp-sub (no
 * properties of its own), tp-target (what the link points to).
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-user.h"
#include "harness.h"
#include "error-text.h"

#define TYPE_TP_DEV "tp-dev"
#define TYPE_TP_SUB "tp-sub"
#define TYPE_TP_TARGET "tp-target"

typedef struct TpDev {
    DeviceState parent_obj;
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    int64_t i64;
    uint64_t size;
    char *str;
    OnOffAuto ooa;
    uint32_t bits;
    uint64_t bits64;
    Object *target;
    uint16_t extra;         /* instance property "extra" */
} TpDev;
#define TP_DEV(obj) OBJECT_CHECK(TpDev, (obj), TYPE_TP_DEV)

static Property tp_props[] = {
    DEFINE_PROP_BOOL("b", TpDev, b, true),
    DEFINE_PROP_UINT8("u8", TpDev, u8, 8),
    DEFINE_PROP_UINT16("u16", TpDev, u16, 16),
    DEFINE_PROP_UINT32("u32", TpDev, u32, 32),
    DEFINE_PROP_INT32("i32", TpDev, i32, -32),
    DEFINE_PROP_UINT64("u64", TpDev, u64, 64),
    DEFINE_PROP_INT64("i64", TpDev, i64, -64),
    DEFINE_PROP_SIZE("size", TpDev, size, 4096),
    DEFINE_PROP_STRING("str", TpDev, str),
    DEFINE_PROP_ON_OFF_AUTO("ooa", TpDev, ooa, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BIT("bit0", TpDev, bits, 0, false),
    DEFINE_PROP_BIT("bit3", TpDev, bits, 3, true),
    DEFINE_PROP_BIT64("bit40", TpDev, bits64, 40, true),
    DEFINE_PROP_LINK("target", TpDev, target, TYPE_TP_TARGET, Object *),
    DEFINE_PROP_END_OF_LIST(),
};

static Property tp_extra_prop =
    DEFINE_PROP_UINT16("extra", TpDev, extra, 7);

static void tp_dev_init(Object *obj)
{
    qdev_property_add_static(DEVICE(obj), &tp_extra_prop);
}

static void tp_dev_class_init(ObjectClass *oc, void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), tp_props);
}

static const TypeInfo tp_types[] = {
    {
        .name = TYPE_TP_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TpDev),
        .instance_init = tp_dev_init,
        .class_init = tp_dev_class_init,
    }, {
        .name = TYPE_TP_SUB,
        .parent = TYPE_TP_DEV,
    }, {
        .name = TYPE_TP_TARGET,
        .parent = TYPE_OBJECT,
    },
};

DEFINE_TYPES(tp_types)

static Object *test_parent(void)
{
    return container_get(object_get_root(), "/test");
}

/* Set @name to the GVariant @v and return the error message (g_free),
 * or NULL on success. */
static char *set_err(DeviceState *dev, const char *name, GVariant *v)
{
    Error *err = NULL;

    object_property_set(OBJECT(dev), name, v, &err);
    return error_take_text(err);
}

static char *parse_err(DeviceState *dev, const char *name, const char *s)
{
    Error *err = NULL;

    object_property_parse(OBJECT(dev), name, s, &err);
    return error_take_text(err);
}

/* --- defaults and types ----------------------------------------------- */

static void test_defaults(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    TpDev *tp = TP_DEV(dev);

    CU_ASSERT_TRUE(tp->b);
    CU_ASSERT_EQUAL(tp->u8, 8);
    CU_ASSERT_EQUAL(tp->u16, 16);
    CU_ASSERT_EQUAL(tp->u32, 32);
    CU_ASSERT_EQUAL(tp->i32, -32);
    CU_ASSERT_EQUAL(tp->u64, 64);
    CU_ASSERT_EQUAL(tp->i64, -64);
    CU_ASSERT_EQUAL(tp->size, 4096);
    CU_ASSERT_PTR_NULL(tp->str);
    CU_ASSERT_EQUAL(tp->ooa, ON_OFF_AUTO_AUTO);
    CU_ASSERT_EQUAL(tp->bits, 1u << 3);
    CU_ASSERT_EQUAL(tp->bits64, 1ull << 40);
    CU_ASSERT_PTR_NULL(tp->target);
    CU_ASSERT_EQUAL(tp->extra, 7);
    object_unref(dev);
}

static void test_types(void)
{
    static const char *const expect[][2] = {
        { "b", "bool" }, { "u8", "uint8" }, { "u16", "uint16" },
        { "u32", "uint32" }, { "i32", "int32" }, { "u64", "uint64" },
        { "i64", "int64" }, { "size", "size" }, { "str", "str" },
        { "ooa", "OnOffAuto" }, { "bit0", "bool" }, { "bit40", "bool" },
        { "target", "link<tp-target>" }, { "extra", "uint16" },
    };
    DeviceState *dev = qdev_new(TYPE_TP_DEV);

    for (size_t i = 0; i < G_N_ELEMENTS(expect); i++) {
        const char *type = object_property_get_type(OBJECT(dev),
                                                    expect[i][0], NULL);

        CU_ASSERT_PTR_NOT_NULL(type);
        if (type) {
            CU_ASSERT_STRING_EQUAL(type, expect[i][1]);
        }
    }
    /* The class remembers its table for info qtree; subclasses have none */
    CU_ASSERT_PTR_EQUAL(DEVICE_GET_CLASS(dev)->props_, tp_props);
    CU_ASSERT_PTR_NULL(DEVICE_CLASS(object_class_by_name(TYPE_TP_SUB))
                       ->props_);
    object_unref(dev);
}

/* --- get and set ------------------------------------------------------ */

static void test_set_get_each(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    Object *obj = OBJECT(dev);
    TpDev *tp = TP_DEV(dev);
    g_autofree char *s = NULL, *e = NULL;

    object_property_set_bool(obj, "b", false, &error_abort);
    object_property_set_uint(obj, "u8", 255, &error_abort);
    object_property_set_uint(obj, "u16", 65535, &error_abort);
    object_property_set_uint(obj, "u32", UINT32_MAX, &error_abort);
    object_property_set_int(obj, "i32", INT32_MIN, &error_abort);
    object_property_set_uint(obj, "u64", UINT64_MAX, &error_abort);
    object_property_set_int(obj, "i64", INT64_MIN, &error_abort);
    object_property_set_uint(obj, "size", 1ull << 40, &error_abort);
    object_property_set_str(obj, "str", "hello", &error_abort);
    object_property_set_str(obj, "ooa", "off", &error_abort);
    object_property_set_bool(obj, "bit0", true, &error_abort);
    object_property_set_bool(obj, "bit3", false, &error_abort);
    object_property_set_bool(obj, "bit40", false, &error_abort);

    CU_ASSERT_FALSE(tp->b);
    CU_ASSERT_EQUAL(tp->u8, 255);
    CU_ASSERT_EQUAL(tp->u16, 65535);
    CU_ASSERT_EQUAL(tp->u32, UINT32_MAX);
    CU_ASSERT_EQUAL(tp->i32, INT32_MIN);
    CU_ASSERT_EQUAL(tp->u64, UINT64_MAX);
    CU_ASSERT_EQUAL(tp->i64, INT64_MIN);
    CU_ASSERT_EQUAL(tp->size, 1ull << 40);
    CU_ASSERT_STRING_EQUAL(tp->str, "hello");
    CU_ASSERT_EQUAL(tp->ooa, ON_OFF_AUTO_OFF);
    CU_ASSERT_EQUAL(tp->bits, 1u);
    CU_ASSERT_EQUAL(tp->bits64, 0);

    CU_ASSERT_FALSE(object_property_get_bool(obj, "b", &error_abort));
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "u8", &error_abort), 255);
    CU_ASSERT_EQUAL(object_property_get_int(obj, "i32", &error_abort),
                    INT32_MIN);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "u64", &error_abort),
                    UINT64_MAX);
    CU_ASSERT_EQUAL(object_property_get_int(obj, "i64", &error_abort),
                    INT64_MIN);
    s = object_property_get_str(obj, "str", &error_abort);
    CU_ASSERT_STRING_EQUAL(s, "hello");
    e = object_property_get_str(obj, "ooa", &error_abort);
    CU_ASSERT_STRING_EQUAL(e, "off");
    CU_ASSERT_TRUE(object_property_get_bool(obj, "bit0", &error_abort));
    CU_ASSERT_FALSE(object_property_get_bool(obj, "bit3", &error_abort));
    /* Setting the string twice frees the first (ASan checks). */
    object_property_set_str(obj, "str", "again", &error_abort);
    object_unref(dev);
}

static void test_unset_string_reads_empty(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    g_autofree char *s = object_property_get_str(OBJECT(dev), "str",
                                                 &error_abort);

    CU_ASSERT_STRING_EQUAL(s, "");
    object_unref(dev);
}

static void test_parse(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    Object *obj = OBJECT(dev);
    TpDev *tp = TP_DEV(dev);

    object_property_parse(obj, "size", "64M", &error_abort);
    object_property_parse(obj, "u16", "0x10", &error_abort);
    object_property_parse(obj, "b", "off", &error_abort);
    object_property_parse(obj, "ooa", "on", &error_abort);
    object_property_parse(obj, "bit0", "on", &error_abort);
    object_property_parse(obj, "i32", "-5", &error_abort);
    CU_ASSERT_EQUAL(tp->size, 64 * 1024 * 1024);
    CU_ASSERT_EQUAL(tp->u16, 16);
    CU_ASSERT_FALSE(tp->b);
    CU_ASSERT_EQUAL(tp->ooa, ON_OFF_AUTO_ON);
    CU_ASSERT_EQUAL(tp->bits, (1u << 3) | 1u);
    CU_ASSERT_EQUAL(tp->i32, -5);
    object_unref(dev);
}

/* --- errors ----------------------------------------------------------- */

static void test_range_errors(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    TpDev *tp = TP_DEV(dev);

    CHECK_ERR(set_err(dev, "u8", g_variant_new_uint64(256)),
              "Parameter 'u8' expects uint8_t");
    CHECK_ERR(set_err(dev, "u8", g_variant_new_int64(-1)),
              "Parameter 'u8' expects uint8_t");
    CHECK_ERR(set_err(dev, "u16", g_variant_new_uint64(65536)),
              "Parameter 'u16' expects uint16_t");
    CHECK_ERR(set_err(dev, "u32", g_variant_new_uint64(1ull << 32)),
              "Parameter 'u32' expects uint32_t");
    CHECK_ERR(set_err(dev, "i32", g_variant_new_int64(INT32_MAX + 1ll)),
              "Parameter 'i32' expects int32_t");
    CHECK_ERR(set_err(dev, "i32", g_variant_new_int64(INT32_MIN - 1ll)),
              "Parameter 'i32' expects int32_t");
    CHECK_ERR(parse_err(dev, "u8", "300"),
              "Parameter 'u8' expects uint8_t");
    /* Nothing changed. */
    CU_ASSERT_EQUAL(tp->u8, 8);
    CU_ASSERT_EQUAL(tp->u16, 16);
    CU_ASSERT_EQUAL(tp->u32, 32);
    CU_ASSERT_EQUAL(tp->i32, -32);
    object_unref(dev);
}

static void test_type_errors(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);

    CHECK_ERR(set_err(dev, "b", g_variant_new_string("yes")),
              "Invalid parameter type for 'b', expected: boolean");
    CHECK_ERR(set_err(dev, "bit3", g_variant_new_uint64(1)),
              "Invalid parameter type for 'bit3', expected: boolean");
    CHECK_ERR(set_err(dev, "str", g_variant_new_boolean(true)),
              "Invalid parameter type for 'str', expected: string");
    CHECK_ERR(set_err(dev, "i64", g_variant_new_string("1")),
              "Invalid parameter type for 'i64', expected: integer");
    CHECK_ERR(set_err(dev, "ooa", g_variant_new_uint64(1)),
              "Invalid parameter type for 'ooa', expected: string");
    object_unref(dev);
}

static void test_on_off_auto(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    TpDev *tp = TP_DEV(dev);

    CU_ASSERT_EQUAL(qapi_enum_parse(&OnOffAuto_lookup, "auto"),
                    ON_OFF_AUTO_AUTO);
    CU_ASSERT_STRING_EQUAL(qapi_enum_lookup(&OnOffAuto_lookup,
                                            ON_OFF_AUTO_OFF), "off");
    CHECK_ERR(parse_err(dev, "ooa", "maybe"),
              "Parameter 'ooa' does not accept value 'maybe'");
    CU_ASSERT_EQUAL(tp->ooa, ON_OFF_AUTO_AUTO);
    qdev_prop_set_enum(dev, "ooa", ON_OFF_AUTO_ON);
    CU_ASSERT_EQUAL(tp->ooa, ON_OFF_AUTO_ON);
    /* Static enum properties record their table for the typed getter. */
    CU_ASSERT_EQUAL(object_property_get_enum(OBJECT(dev), "ooa", "OnOffAuto",
                                             &error_abort), ON_OFF_AUTO_ON);
    object_unref(dev);
}

static void test_after_realize_anonymous(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);

    qdev_realize(dev, NULL, &error_abort);
    CHECK_ERR(set_err(dev, "u8", g_variant_new_uint64(1)),
              "Attempt to set property 'u8' on anonymous device "
              "(type 'tp-dev') after it was realized");
    /* The realized check comes before the value check, as QEMU. */
    CHECK_ERR(set_err(dev, "b", g_variant_new_string("x")),
              "Attempt to set property 'b' on anonymous device "
              "(type 'tp-dev') after it was realized");
    CHECK_ERR(parse_err(dev, "extra", "1"),
              "Attempt to set property 'extra' on anonymous device "
              "(type 'tp-dev') after it was realized");
    CHECK_ERR(set_err(dev, "target", g_variant_new_string("")),
              "Attempt to set link property 'target' on device '(null)' "
              "(type 'tp-dev') after it was realized");
    CU_ASSERT_EQUAL(TP_DEV(dev)->u8, 8);
    /* Getting still works. */
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(dev), "u8",
                                             &error_abort), 8);
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

static void test_after_realize_with_id(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_SUB);

    qdev_set_id(dev, g_strdup("d1"), &error_abort);
    qdev_realize(dev, NULL, &error_abort);
    CHECK_ERR(parse_err(dev, "str", "x"),
              "Attempt to set property 'str' on device 'd1' "
              "(type 'tp-sub') after it was realized");
    CHECK_ERR(set_err(dev, "target", g_variant_new_string("")),
              "Attempt to set link property 'target' on device 'd1' "
              "(type 'tp-sub') after it was realized");
    /* Unrealized, properties may be set again. */
    qdev_unrealize(dev);
    object_property_parse(OBJECT(dev), "str", "x", &error_abort);
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

/* --- links ------------------------------------------------------------ */

static void test_link_strong(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    Object *t1 = object_new(TYPE_TP_TARGET);
    Object *t2 = object_new(TYPE_TP_TARGET);
    Object *other = object_new(TYPE_CONTAINER);
    Error *err = NULL;

    object_property_add_child(test_parent(), "t1", t1);
    object_property_add_child(test_parent(), "t2", t2);
    object_property_add_child(test_parent(), "other", other);
    object_property_set_link(OBJECT(dev), "target", t1, &error_abort);
    CU_ASSERT_PTR_EQUAL(TP_DEV(dev)->target, t1);
    CU_ASSERT_EQUAL(t1->ref, 3);            /* ours, parent's, the link's */
    object_property_set_str(OBJECT(dev), "target", "/test/t2", &error_abort);
    CU_ASSERT_PTR_EQUAL(TP_DEV(dev)->target, t2);
    CU_ASSERT_EQUAL(t1->ref, 2);
    CU_ASSERT_EQUAL(t2->ref, 3);
    CU_ASSERT_FALSE(object_property_set_link(OBJECT(dev), "target", other,
                                             &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'target', expected: "
                           "tp-target");
    error_free(err);
    /* The device's finalize drops the link's reference. */
    object_unref(dev);
    CU_ASSERT_EQUAL(t2->ref, 2);
    object_unref(t1);
    object_unref(t2);
    object_unref(other);
    object_unparent(test_parent());
}

/* --- helpers and instance properties ---------------------------------- */

static void test_set_helpers(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_SUB);
    TpDev *tp = TP_DEV(dev);

    qdev_prop_set_bit(dev, "b", false);
    qdev_prop_set_uint8(dev, "u8", 1);
    qdev_prop_set_uint16(dev, "u16", 2);
    qdev_prop_set_uint32(dev, "u32", 3);
    qdev_prop_set_int32(dev, "i32", -4);
    qdev_prop_set_uint64(dev, "u64", 5);
    qdev_prop_set_string(dev, "str", "six");
    qdev_prop_set_enum(dev, "ooa", ON_OFF_AUTO_OFF);    /* parent's table */
    qdev_prop_set_uint16(dev, "extra", 8);
    CU_ASSERT_FALSE(tp->b);
    CU_ASSERT_EQUAL(tp->u8, 1);
    CU_ASSERT_EQUAL(tp->u16, 2);
    CU_ASSERT_EQUAL(tp->u32, 3);
    CU_ASSERT_EQUAL(tp->i32, -4);
    CU_ASSERT_EQUAL(tp->u64, 5);
    CU_ASSERT_STRING_EQUAL(tp->str, "six");
    CU_ASSERT_EQUAL(tp->ooa, ON_OFF_AUTO_OFF);
    CU_ASSERT_EQUAL(tp->extra, 8);
    object_unref(dev);
}

static void test_add_static_is_per_instance(void)
{
    DeviceState *dev = qdev_new(TYPE_TP_DEV);
    ObjectClass *oc = object_get_class(OBJECT(dev));
    ObjectProperty *op = object_property_find(OBJECT(dev), "extra");

    CU_ASSERT_PTR_NULL(object_class_property_find(oc, "extra"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    CU_ASSERT_EQUAL(g_variant_get_uint64(op->defval), 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(object_class_property_find(oc, "u8"));
    object_unref(dev);
}

/* --- device-list-properties ------------------------------------------- */

static const DevicePropertyInfo *find_info(GPtrArray *list, const char *name)
{
    for (guint i = 0; i < list->len; i++) {
        const DevicePropertyInfo *info = g_ptr_array_index(list, i);

        if (strcmp(info->name, name) == 0) {
            return info;
        }
    }
    return NULL;
}

static void test_list_properties(void)
{
    unsigned before = object_live_count();
    GPtrArray *list = qdev_device_list_properties(TYPE_TP_SUB, &error_abort);
    const DevicePropertyInfo *info;
    GString *names = g_string_new(NULL);

    /* The temporary instance is gone. */
    CU_ASSERT_EQUAL(object_live_count(), before);
    for (guint i = 0; i < list->len; i++) {
        info = g_ptr_array_index(list, i);
        g_string_append_printf(names, "%s%s", i ? " " : "", info->name);
    }
    /* Instance properties, then the class's, then the ancestors'. */
    CU_ASSERT_STRING_EQUAL(names->str,
                           "extra b u8 u16 u32 i32 u64 i64 size str ooa "
                           "bit0 bit3 bit40 target");
    g_string_free(names, true);

    info = find_info(list, "u8");
    CU_ASSERT_STRING_EQUAL(info->type, "uint8");
    CU_ASSERT_PTR_NULL(info->description);
    CU_ASSERT_EQUAL(g_variant_get_uint64(info->default_value), 8);
    info = find_info(list, "i32");
    CU_ASSERT_EQUAL(g_variant_get_int64(info->default_value), -32);
    info = find_info(list, "ooa");
    CU_ASSERT_STRING_EQUAL(info->type, "OnOffAuto");
    CU_ASSERT_STRING_EQUAL(info->description, "on/off/auto");
    CU_ASSERT_STRING_EQUAL(g_variant_get_string(info->default_value, NULL),
                           "auto");
    info = find_info(list, "bit3");
    CU_ASSERT_STRING_EQUAL(info->type, "bool");
    CU_ASSERT_STRING_EQUAL(info->description, "on/off");
    CU_ASSERT_TRUE(g_variant_get_boolean(info->default_value));
    info = find_info(list, "str");
    CU_ASSERT_STRING_EQUAL(info->type, "str");
    CU_ASSERT_PTR_NULL(info->default_value);
    info = find_info(list, "target");
    CU_ASSERT_STRING_EQUAL(info->type, "link<tp-target>");
    CU_ASSERT_PTR_NULL(info->default_value);
    g_ptr_array_unref(list);
}

static void check_list_error(const char *type, const char *msg,
                             ErrorClass klass)
{
    Error *err = NULL;

    CU_ASSERT_PTR_NULL(qdev_device_list_properties(type, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), msg);
    CU_ASSERT_EQUAL(error_get_class(err), klass);
    error_free(err);
}

static void test_list_properties_errors(void)
{
    check_list_error("nope", "Device 'nope' not found",
                     ERROR_CLASS_DEVICE_NOT_FOUND);
    check_list_error(TYPE_TP_TARGET,
                     "Parameter 'typename' expects a non-abstract device "
                     "type", ERROR_CLASS_GENERIC_ERROR);
    check_list_error(TYPE_DEVICE,
                     "Parameter 'typename' expects a non-abstract device "
                     "type", ERROR_CLASS_GENERIC_ERROR);
}

int main(int argc, char **argv)
{
    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");
    qdev_get_peripheral();

    harness_add("/qdev-properties/defaults", test_defaults);
    harness_add("/qdev-properties/types", test_types);
    harness_add("/qdev-properties/set-get/each-kind", test_set_get_each);
    harness_add("/qdev-properties/set-get/unset-string-reads-empty",
                test_unset_string_reads_empty);
    harness_add("/qdev-properties/set-get/parse", test_parse);
    harness_add("/qdev-properties/error/range", test_range_errors);
    harness_add("/qdev-properties/error/type", test_type_errors);
    harness_add("/qdev-properties/on-off-auto", test_on_off_auto);
    harness_add("/qdev-properties/after-realize/anonymous",
                test_after_realize_anonymous);
    harness_add("/qdev-properties/after-realize/with-id",
                test_after_realize_with_id);
    harness_add("/qdev-properties/link/strong", test_link_strong);
    harness_add("/qdev-properties/set-helpers", test_set_helpers);
    harness_add("/qdev-properties/add-static/per-instance",
                test_add_static_is_per_instance);
    harness_add("/qdev-properties/list/contents", test_list_properties);
    harness_add("/qdev-properties/list/errors",
                test_list_properties_errors);
    return harness_run(argc, argv);
}
