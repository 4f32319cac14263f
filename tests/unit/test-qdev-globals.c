/*
 * test-qdev-globals.c - global properties: which devices a global applies
 * to, precedence (accelerator < machine compat < sugar < -global), optional
 * globals, the three ways a bad global fails (fatal, warning, returned),
 * the unused-global warnings, and -global parsing with QEMU's messages.
 *
 * Throwaway types: tg-dev (prop1, prop2, name), tg-sub, tg-nohotplug and
 * tg-hotplug (prop).  Warnings are captured through an error-report sink,
 * which (as a QEMU monitor) gets them without the program name.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "hw/core/qdev-globals.h"
#include "hw/core/qdev-properties.h"
#include "harness.h"
#include "capture.h"
#include "error-text.h"
#include "fork-helper.h"

#define TYPE_TG_DEV "tg-dev"

typedef struct TgDev {
    DeviceState parent_obj;
    uint32_t prop1, prop2, prop;
    char *name;
} TgDev;
#define TG_DEV(obj) OBJECT_CHECK(TgDev, (obj), TYPE_TG_DEV)

static Property tg_dev_props[] = {
    DEFINE_PROP_UINT32("prop1", TgDev, prop1, 1),
    DEFINE_PROP_UINT32("prop2", TgDev, prop2, 2),
    DEFINE_PROP_STRING("name", TgDev, name),
    DEFINE_PROP_END_OF_LIST(),
};

static Property tg_plug_props[] = {
    DEFINE_PROP_UINT32("prop", TgDev, prop, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void tg_dev_class_init(ObjectClass *oc, void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), tg_dev_props);
}

static void tg_nohotplug_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->hotpluggable = false;
    device_class_set_props(DEVICE_CLASS(oc), tg_plug_props);
}

static void tg_hotplug_class_init(ObjectClass *oc, void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), tg_plug_props);
}

static const TypeInfo tg_types[] = {
    {
        .name = TYPE_TG_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TgDev),
        .class_init = tg_dev_class_init,
    }, {
        .name = "tg-sub",
        .parent = TYPE_TG_DEV,
    }, {
        .name = "tg-nohotplug",
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TgDev),
        .class_init = tg_nohotplug_class_init,
    }, {
        .name = "tg-hotplug",
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TgDev),
        .class_init = tg_hotplug_class_init,
    },
};

DEFINE_TYPES(tg_types)

/* --- helpers ---------------------------------------------------------- */

/* Designated, so -Wextra does not want "used" and "optional" spelled out. */
#define GP(d, p, v) { .driver = (d), .property = (p), .value = (v) }

/* tg-nohotplug and tg-hotplug share TgDev without deriving from tg-dev. */
static TgDev *new_tg(const char *type)
{
    return (TgDev *)qdev_new(type);
}

static void go_hotplug_phase(void)
{
    phase_advance(PHASE_MACHINE_CREATED);
    phase_advance(PHASE_ACCEL_CREATED);
    phase_advance(PHASE_MACHINE_INITIALIZED);
    phase_advance(PHASE_MACHINE_READY);
}

/* The message of a failing qemu_global_option(), g_free'd by the caller. */
static char *global_option_err(const char *str)
{
    Error *err = NULL;

    qemu_global_option(str, &err);
    return error_take_text(err);
}

/* --- applying --------------------------------------------------------- */

static void test_apply_type_and_subtypes(void)
{
    GlobalProperty g = GP("tg-dev", "prop1", "100");
    TgDev *sub, *other;

    qdev_prop_register_global(&g);
    other = new_tg("tg-nohotplug");
    CU_ASSERT_FALSE(g.used);
    sub = new_tg("tg-sub");
    CU_ASSERT_EQUAL(sub->prop1, 100);
    CU_ASSERT_EQUAL(sub->prop2, 2);
    CU_ASSERT_TRUE(g.used);
    CU_ASSERT_PTR_EQUAL(qdev_find_global_prop(OBJECT(sub), "prop1"), &g);
    CU_ASSERT_PTR_NULL(qdev_find_global_prop(OBJECT(sub), "prop2"));
    CU_ASSERT_PTR_NULL(qdev_find_global_prop(OBJECT(other), "prop1"));
    object_unref(sub);
    object_unref(other);
    qdev_globals_reset_for_test();
}

static void test_precedence(void)
{
    GlobalProperty accel[] = {
        GP("tg-dev", "prop1", "1000"), GP("tg-dev", "prop2", "2000"),
    };
    GlobalProperty machine[] = {
        GP("tg-sub", "prop1", "10"), GP("tg-dev", "prop2", "20"),
    };
    GlobalProperty user = GP("tg-dev", "prop1", "30");
    g_autoptr(GPtrArray) accel_arr = g_ptr_array_new();
    g_autoptr(GPtrArray) machine_arr = g_ptr_array_new();
    TgDev *dev;

    compat_props_add(accel_arr, accel, G_N_ELEMENTS(accel));
    compat_props_add(machine_arr, machine, G_N_ELEMENTS(machine));
    object_set_accelerator_compat_props(accel_arr);
    object_set_machine_compat_props(machine_arr);
    qdev_prop_register_global(&user);

    /* The list decides, not how specific the driver is: the user's
     * tg-dev global beats the machine's tg-sub one. */
    dev = new_tg("tg-sub");
    CU_ASSERT_EQUAL(dev->prop1, 30);
    CU_ASSERT_EQUAL(dev->prop2, 20);
    object_unref(dev);

    object_register_sugar_prop("tg-dev", "prop2", "40", false);
    dev = new_tg("tg-sub");
    CU_ASSERT_EQUAL(dev->prop2, 40);
    object_unref(dev);
    CU_ASSERT_TRUE(accel[0].used && accel[1].used && machine[0].used &&
                   machine[1].used && user.used);
    qdev_globals_reset_for_test();
}

static void test_last_user_global_wins(void)
{
    TgDev *dev;

    qemu_global_option("tg-dev.prop2=5", &error_abort);
    qemu_global_option("tg-dev.prop2=6", &error_abort);
    dev = new_tg(TYPE_TG_DEV);
    CU_ASSERT_EQUAL(dev->prop2, 6);
    object_unref(dev);
    qdev_globals_reset_for_test();
}

static void test_optional(void)
{
    GlobalProperty machine[] = {
        { .driver = "tg-dev", .property = "no-such-prop", .value = "1",
          .optional = true },
        { .driver = "tg-dev", .property = "prop1", .value = "11",
          .optional = true },
    };
    g_autoptr(GPtrArray) arr = g_ptr_array_new();
    TgDev *dev;

    compat_props_add(arr, machine, G_N_ELEMENTS(machine));
    object_set_machine_compat_props(arr);
    dev = new_tg(TYPE_TG_DEV);
    CU_ASSERT_FALSE(machine[0].used);
    CU_ASSERT_TRUE(machine[1].used);
    CU_ASSERT_EQUAL(dev->prop1, 11);
    object_unref(dev);
    qdev_globals_reset_for_test();
}

/* --- failures --------------------------------------------------------- */

static void create_with_bad_global(void)
{
    qemu_global_option("tg-dev.prop1=abc", &error_abort);
    qdev_new(TYPE_TG_DEV);
}

static void test_error_fatal_at_cold_plug(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(create_with_bad_global, &err);

    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "can't apply global tg-dev.prop1=abc: "
                                  "Parameter 'prop1' expects uint64\n"));
}

static void test_error_warns_when_hotplugged(void)
{
    ReportCapture cap;
    g_autofree char *out = NULL;
    TgDev *dev;

    qemu_global_option("tg-dev.prop1=abc", &error_abort);
    qemu_global_option("tg-dev.prop2=300", &error_abort);
    go_hotplug_phase();
    report_capture_begin(&cap);
    dev = new_tg(TYPE_TG_DEV);
    out = report_capture_end(&cap);
    /* Warned, and the walk went on to the next global. */
    CU_ASSERT_STRING_EQUAL(out, "warning: can't apply global "
                           "tg-dev.prop1=abc: Parameter 'prop1' expects "
                           "uint64\n");
    CU_ASSERT_EQUAL(dev->prop1, 1);
    CU_ASSERT_EQUAL(dev->prop2, 300);
    object_unref(dev);
    phase_reset_for_test();
    qdev_globals_reset_for_test();
}

static void test_error_returned(void)
{
    GlobalProperty props[] = {
        GP("tg-dev", "prop1", "5000000000"),
        GP("tg-dev", "prop2", "7"),
        GP("tg-dev", "nope", "1"),
    };
    g_autoptr(GPtrArray) arr = g_ptr_array_new();
    TgDev *dev = new_tg(TYPE_TG_DEV);
    Error *err = NULL;

    compat_props_add(arr, props, G_N_ELEMENTS(props));
    CU_ASSERT_FALSE(object_apply_global_props(OBJECT(dev), arr, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "can't apply global tg-dev.prop1=5000000000: "
                           "Parameter 'prop1' expects uint32_t");
    error_free_or_abort(&err);
    /* It stopped at the first failure. */
    CU_ASSERT_FALSE(props[1].used);
    CU_ASSERT_EQUAL(dev->prop2, 2);

    g_ptr_array_remove_index(arr, 0);
    CU_ASSERT_FALSE(object_apply_global_props(OBJECT(dev), arr, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "can't apply global tg-dev.nope=1: "
                           "Property 'tg-dev.nope' not found");
    error_free_or_abort(&err);
    CU_ASSERT_EQUAL(dev->prop2, 7);
    CU_ASSERT_TRUE(object_apply_global_props(OBJECT(dev), NULL, &err));
    object_unref(dev);
}

/* --- the unused-globals check ----------------------------------------- */

static void test_check_unused(void)
{
    ReportCapture cap;
    g_autofree char *out = NULL;
    TgDev *dev;

    qemu_global_option("nonexistent.x=1", &error_abort);
    qemu_global_option("container.x=1", &error_abort);
    qemu_global_option("tg-nohotplug.prop=5", &error_abort);
    qemu_global_option("tg-hotplug.prop=5", &error_abort);
    qemu_global_option("tg-dev.prop1=3", &error_abort);
    dev = new_tg("tg-sub");

    report_capture_begin(&cap);
    CU_ASSERT_EQUAL(qdev_prop_check_globals(), 1);
    out = report_capture_end(&cap);
    /* A hot-pluggable type's global may still be used later: no warning. */
    CU_ASSERT_STRING_EQUAL(out,
                           "warning: global nonexistent.x has invalid class "
                           "name\n"
                           "warning: global container.x has invalid class "
                           "name\n"
                           "warning: global tg-nohotplug.prop=5 not used\n");
    object_unref(dev);
    qdev_globals_reset_for_test();

    qemu_global_option("tg-hotplug.prop=5", &error_abort);
    CU_ASSERT_EQUAL(qdev_prop_check_globals(), 0);
    qdev_globals_reset_for_test();
}

/* --- -global parsing -------------------------------------------------- */

static void test_parse_short_form(void)
{
    TgDev *dev;

    CU_ASSERT_TRUE(qemu_global_option("tg-dev.prop1=7", &error_abort));
    /* Everything after the first '=' is the value. */
    CU_ASSERT_TRUE(qemu_global_option("tg-dev.name=a=b,c", &error_abort));
    dev = new_tg(TYPE_TG_DEV);
    CU_ASSERT_EQUAL(dev->prop1, 7);
    CU_ASSERT_STRING_EQUAL(dev->name, "a=b,c");
    object_unref(dev);
    qdev_globals_reset_for_test();
}

static void test_parse_long_form(void)
{
    TgDev *dev;

    CU_ASSERT_TRUE(qemu_global_option("driver=tg-dev,property=name,"
                                      "value=a,,b", &error_abort));
    /* Any order; a repeated key counts once, the last one. */
    CU_ASSERT_TRUE(qemu_global_option("value=9,driver=x,property=prop2,"
                                      "driver=tg-dev", &error_abort));
    /* An id is accepted (and otherwise unused). */
    CU_ASSERT_TRUE(qemu_global_option("id=g0,driver=tg-dev,property=prop1,"
                                      "value=4", &error_abort));
    dev = new_tg(TYPE_TG_DEV);
    CU_ASSERT_STRING_EQUAL(dev->name, "a,b");
    CU_ASSERT_EQUAL(dev->prop2, 9);
    CU_ASSERT_EQUAL(dev->prop1, 4);
    object_unref(dev);
    qdev_globals_reset_for_test();
}

static void test_parse_errors(void)
{
    ReportCapture cap;
    g_autofree char *long_driver = g_strnfill(70, 'd');
    g_autofree char *long_opt = g_strdup_printf("%s.p=v", long_driver);
    g_autofree char *long_msg = g_strdup_printf("Invalid parameter '%s.p'",
                                                long_driver);
    g_autofree char *out = NULL;
    TgDev *dev;

    CHECK_ERR(global_option_err("driver=tg-dev,property=prop1"),
              "options 'driver', 'property', and 'value' are required");
    CHECK_ERR(global_option_err(""),
              "options 'driver', 'property', and 'value' are required");
    CHECK_ERR(global_option_err("driver=tg-dev,property=prop1,value=1,"
                                "bogus=2"),
              "Invalid parameter 'bogus'");
    CHECK_ERR(global_option_err("="), "Invalid parameter ''");
    /* A driver too long for the short form is taken as a QemuOpts key. */
    CHECK_ERR(global_option_err(long_opt), long_msg);

    report_capture_begin(&cap);
    CHECK_ERR(global_option_err("tg-dev"), "Invalid parameter 'tg-dev'");
    /* "noKEY" is KEY=off */
    CU_ASSERT_TRUE(qemu_global_option("driver=tg-dev,property=name,novalue",
                                      &error_abort));
    out = report_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out,
                           "warning: short-form boolean option 'tg-dev' "
                           "deprecated\n"
                           "Please use tg-dev=on instead\n"
                           "warning: short-form boolean option 'novalue' "
                           "deprecated\n"
                           "Please use value=off instead\n");

    /* Only the flag form that set value=off registered something. */
    dev = new_tg(TYPE_TG_DEV);
    CU_ASSERT_PTR_NULL(qdev_find_global_prop(OBJECT(dev), "prop1"));
    CU_ASSERT_STRING_EQUAL(dev->name, "off");
    object_unref(dev);
    qdev_globals_reset_for_test();
}

/* QemuOpts ids, as QEMU checks them for -global. */
static void test_parse_ids(void)
{
    CU_ASSERT_TRUE(qemu_global_option("id=g0,driver=tg-dev,property=prop1,"
                                      "value=1", &error_abort));
    CHECK_ERR(global_option_err("id=g0,driver=tg-dev,property=prop2,"
                                "value=2"),
              "Duplicate ID 'g0' for global");
    CHECK_ERR(global_option_err("id=0g,driver=tg-dev,property=prop2,"
                                "value=2"),
              "Parameter 'id' expects an identifier");
    /* A failed -global does not keep its id. */
    CHECK_ERR(global_option_err("id=g1,driver=tg-dev"),
              "options 'driver', 'property', and 'value' are required");
    CU_ASSERT_TRUE(qemu_global_option("id=g1,driver=tg-dev,property=prop2,"
                                      "value=2", &error_abort));
    qdev_globals_reset_for_test();
    /* The reset forgets the ids too. */
    CU_ASSERT_TRUE(qemu_global_option("id=g0,driver=tg-dev,property=prop1,"
                                      "value=1", &error_abort));
    qdev_globals_reset_for_test();
}

int main(int argc, char **argv)
{
    harness_add("/qdev-globals/apply/type-and-subtypes",
                test_apply_type_and_subtypes);
    harness_add("/qdev-globals/precedence/user-over-compat",
                test_precedence);
    harness_add("/qdev-globals/precedence/last-user-global-wins",
                test_last_user_global_wins);
    harness_add("/qdev-globals/apply/optional", test_optional);
    harness_add("/qdev-globals/error/fatal-at-cold-plug",
                test_error_fatal_at_cold_plug);
    harness_add("/qdev-globals/error/warns-when-hotplugged",
                test_error_warns_when_hotplugged);
    harness_add("/qdev-globals/error/returned", test_error_returned);
    harness_add("/qdev-globals/check/unused", test_check_unused);
    harness_add("/qdev-globals/parse/short-form", test_parse_short_form);
    harness_add("/qdev-globals/parse/long-form", test_parse_long_form);
    harness_add("/qdev-globals/parse/errors", test_parse_errors);
    harness_add("/qdev-globals/parse/ids", test_parse_ids);
    return harness_run(argc, argv);
}
