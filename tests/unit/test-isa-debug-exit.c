/*
 * test-isa-debug-exit.c - "isa-debug-exit" (hw/misc/isa-debug-exit.c):
 * QEMU's property names and defaults, a port write becoming an exit
 * request with status (value << 1) | 1 (system/runstate.c records it),
 * reads, the port range, and the realize errors.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "system/runstate.h"
#include "isa-helper.h"
#include "harness.h"

static DeviceState *new_debug_exit(const char *iobase, const char *iosize,
                                   char **msg)
{
    DeviceState *dev = qdev_new("isa-debug-exit");

    if (iobase) {
        object_property_parse(OBJECT(dev), "iobase", iobase, &error_abort);
    }
    if (iosize) {
        object_property_parse(OBJECT(dev), "iosize", iosize, &error_abort);
    }
    *msg = isa_realize(dev);
    return *msg ? NULL : dev;
}

static void test_defaults(void)
{
    Object *obj = object_new("isa-debug-exit");
    DeviceClass *dc = DEVICE_GET_CLASS(obj);

    CU_ASSERT_EQUAL(object_property_get_uint(obj, "iobase", &error_abort),
                    0x501);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "iosize", &error_abort),
                    0x02);
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "iobase",
                                                    &error_abort), "uint32");
    CU_ASSERT_STRING_EQUAL(dc->bus_type, "ISA");
    CU_ASSERT_TRUE(dc->user_creatable);
    CU_ASSERT_TRUE(device_class_has_category(dc, DEVICE_CATEGORY_MISC));
    object_unref(obj);
}

static void test_exit_status(void)
{
    g_autofree char *msg = NULL;

    isa_fixture_begin(true);
    runstate_reset_for_test();
    CU_ASSERT_PTR_NOT_NULL(new_debug_exit(NULL, NULL, &msg));
    CU_ASSERT_EQUAL(port_read(0x501, 1), 0);        /* reads return 0 */
    CU_ASSERT_EQUAL(qomu_system_exit_status(), 0);
    port_write(0x503, 5, 1);                        /* not ours */
    CU_ASSERT_EQUAL(qomu_system_exit_status(), 0);
    port_write(0x502, 5, 1);                        /* the second port */
    CU_ASSERT_EQUAL(qomu_system_exit_status(), 11);
    /* The request ends the VMM: handled by the main loop. */
    CU_ASSERT_TRUE(main_loop_should_exit());
    runstate_reset_for_test();
    isa_fixture_end();
}

/* The test guests' setting: iobase=0xf4,iosize=4, 32-bit writes. */
static void test_wide_write(void)
{
    g_autofree char *msg = NULL;

    isa_fixture_begin(true);
    runstate_reset_for_test();
    CU_ASSERT_PTR_NOT_NULL(new_debug_exit("0xf4", "4", &msg));
    port_write(0xf4, 0x10, 4);
    CU_ASSERT_EQUAL(qomu_system_exit_status(), 0x21);
    runstate_reset_for_test();
    port_write(0xf4, 0, 2);
    CU_ASSERT_EQUAL(qomu_system_exit_status(), 1);  /* 0 -> 1: "passed" */
    runstate_reset_for_test();
    isa_fixture_end();
}

static void test_bad_range(void)
{
    g_autofree char *msg = NULL;

    isa_fixture_begin(true);
    CU_ASSERT_PTR_NULL(new_debug_exit(NULL, "0", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "iosize 0x0 is invalid: it must be between "
                           "1 and 0x10000");
    g_free(msg);
    CU_ASSERT_PTR_NULL(new_debug_exit("0xffff", "2", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "I/O ports 0xffff..0x10000 are outside the "
                           "I/O space (0x0..0xffff)");
    g_free(msg);
    CU_ASSERT_PTR_NULL(new_debug_exit("0x10000", NULL, &msg));
    CU_ASSERT_STRING_EQUAL(msg, "I/O ports 0x10000..0x10001 are outside the "
                           "I/O space (0x0..0xffff)");
    g_free(msg);
    /* The whole space is fine. */
    CU_ASSERT_PTR_NOT_NULL(new_debug_exit("0", "0x10000", &msg));
    isa_fixture_end();
}

static void test_property_errors(void)
{
    Object *obj = object_new("isa-debug-exit");
    Error *err = NULL;

    CU_ASSERT_FALSE(object_property_parse_keyval(obj, "iobase", "-1", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'iobase' expects uint32_t");
    error_free(err);
    object_unref(obj);
}

int main(int argc, char **argv)
{
    isa_helper_main_init();

    harness_add("/isa-debug-exit/defaults", test_defaults);
    harness_add("/isa-debug-exit/exit-status", test_exit_status);
    harness_add("/isa-debug-exit/wide-write", test_wide_write);
    harness_add("/isa-debug-exit/bad-range", test_bad_range);
    harness_add("/isa-debug-exit/property-errors", test_property_errors);
    return harness_run(argc, argv);
}
