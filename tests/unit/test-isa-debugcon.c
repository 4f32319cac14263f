/*
 * test-isa-debugcon.c - "isa-debugcon" (hw/char/isa-debugcon.c) and the
 * "chardev" device property (hw/core/qdev-properties-system.c): QEMU's
 * property names, defaults and messages, port writes reaching a file
 * chardev, readback, 1-byte-only access, and the chardev being released
 * when the device goes.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "chardev/char-fe.h"
#include "util/main-loop.h"
#include "isa-helper.h"
#include "harness.h"

static char *tmpdir;
static char *out_path;          /* the file chardev's file */

/* A file chardev "con" writing to out_path. */
static Chardev *new_file_chardev(const char *id)
{
    GVariantBuilder b;
    g_autoptr(GVariant) opts = NULL;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&b, "{sv}", "backend", g_variant_new_string("file"));
    g_variant_builder_add(&b, "{sv}", "id", g_variant_new_string(id));
    g_variant_builder_add(&b, "{sv}", "path", g_variant_new_string(out_path));
    opts = g_variant_ref_sink(g_variant_builder_end(&b));
    return qemu_chr_new_from_opts(opts, &error_abort);
}

static char *out_contents(void)
{
    gchar *s = NULL;

    g_file_get_contents(out_path, &s, NULL, NULL);
    return s;
}

/* Set "chardev" on a new debugcon; the error text or NULL. */
static char *set_chardev(DeviceState *dev, const char *value)
{
    Error *err = NULL;
    char *msg = NULL;

    if (!object_property_set_str(OBJECT(dev), "chardev", value, &err)) {
        msg = g_strdup(error_get_pretty(err));
        error_free(err);
    }
    return msg;
}

static void test_defaults(void)
{
    Object *obj = object_new("isa-debugcon");
    g_autofree char *chr = object_property_get_str(obj, "chardev",
                                                   &error_abort);

    CU_ASSERT_EQUAL(object_property_get_uint(obj, "iobase", &error_abort),
                    0xe9);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "readback", &error_abort),
                    0xe9);
    CU_ASSERT_STRING_EQUAL(chr, "");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "chardev",
                                                    &error_abort), "str");
    CU_ASSERT_STRING_EQUAL(DEVICE_GET_CLASS(obj)->bus_type, "ISA");
    object_unref(obj);
}

static void test_output(void)
{
    g_autofree char *text = NULL;
    g_autofree char *label = NULL;
    DeviceState *dev;
    Chardev *chr;

    isa_fixture_begin(true);
    chr = new_file_chardev("con");
    dev = qdev_new("isa-debugcon");
    CU_ASSERT_PTR_NULL(set_chardev(dev, "con"));
    label = object_property_get_str(OBJECT(dev), "chardev", &error_abort);
    CU_ASSERT_STRING_EQUAL(label, "con");
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    CU_ASSERT_PTR_EQUAL(chr->be != NULL, true);

    for (const char *p = "Hello\n"; *p; p++) {
        port_write(0xe9, (uint8_t)*p, 1);
    }
    text = out_contents();
    CU_ASSERT_STRING_EQUAL(text, "Hello\n");
    CU_ASSERT_EQUAL(port_read(0xe9, 1), 0xe9);  /* "readback" */

    /* Only byte accesses are valid: a word write is split, as QEMU's
     * address_space_rw does, the high byte going to 0xea (nothing). */
    port_write(0xe9, 0x4241, 2);
    g_free(text);
    text = out_contents();
    CU_ASSERT_STRING_EQUAL(text, "Hello\nA");

    /* Destroying the device frees the chardev for another frontend. */
    object_unparent(OBJECT(dev));
    CU_ASSERT_PTR_NULL(chr->be);
    CU_ASSERT_PTR_EQUAL(qemu_chr_find("con"), chr);
    qemu_chr_cleanup();
    isa_fixture_end();
}

static void test_iobase_readback(void)
{
    DeviceState *dev;

    isa_fixture_begin(true);
    new_file_chardev("con");
    dev = qdev_new("isa-debugcon");
    CU_ASSERT_PTR_NULL(set_chardev(dev, "con"));
    qdev_prop_set_uint32(dev, "iobase", 0x402);
    qdev_prop_set_uint32(dev, "readback", 0x42);
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    CU_ASSERT_EQUAL(port_read(0x402, 1), 0x42);
    CU_ASSERT_EQUAL(port_read(0xe9, 1), 0xff);  /* nothing there */
    port_write(0x402, 'A', 1);
    g_autofree char *text = out_contents();
    CU_ASSERT_STRING_EQUAL(text, "A");
    isa_fixture_end();
    qemu_chr_cleanup();
}

static void test_errors(void)
{
    DeviceState *dev;
    char *msg;

    isa_fixture_begin(true);
    new_file_chardev("c");

    dev = qdev_new("isa-debugcon");
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "Can't create debugcon device, empty char "
                           "device");
    g_free(msg);

    dev = qdev_new("isa-debugcon");
    CU_ASSERT_PTR_NULL(set_chardev(dev, ""));       /* "" leaves it unset */
    msg = set_chardev(dev, "nope");
    CU_ASSERT_STRING_EQUAL(msg, "Property 'isa-debugcon.chardev' can't find "
                           "value 'nope'");
    g_free(msg);
    CU_ASSERT_PTR_NULL(set_chardev(dev, "c"));
    msg = set_chardev(dev, "c");
    CU_ASSERT_STRING_EQUAL(msg, "chardev property already set");
    g_free(msg);
    CU_ASSERT_PTR_NULL(isa_realize(dev));

    /* A chardev serves one frontend. */
    dev = qdev_new("isa-debugcon");
    msg = set_chardev(dev, "c");
    CU_ASSERT_STRING_EQUAL(msg, "Property 'isa-debugcon.chardev' can't take "
                           "value 'c': Device 'c' is in use");
    g_free(msg);
    object_unref(dev);

    dev = qdev_new("isa-debugcon");
    new_file_chardev("c2");
    set_chardev(dev, "c2");
    qdev_prop_set_uint32(dev, "iobase", 0x10000);
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "I/O port 0x10000 is outside the I/O space "
                           "(0x0..0xffff)");
    g_free(msg);
    /* The failed device released its chardev. */
    CU_ASSERT_PTR_NULL(qemu_chr_find("c2")->be);

    isa_fixture_end();
    qemu_chr_cleanup();
}

int main(int argc, char **argv)
{
    int ret;

    main_loop_init();
    get_chardevs_root();
    isa_helper_main_init();
    tmpdir = g_dir_make_tmp("test-isa-debugcon-XXXXXX", NULL);
    g_assert(tmpdir);
    out_path = g_build_filename(tmpdir, "out.txt", NULL);

    harness_add("/isa-debugcon/defaults", test_defaults);
    harness_add("/isa-debugcon/output", test_output);
    harness_add("/isa-debugcon/iobase-readback", test_iobase_readback);
    harness_add("/isa-debugcon/errors", test_errors);
    ret = harness_run(argc, argv);

    unlink(out_path);
    rmdir(tmpdir);
    g_free(out_path);
    g_free(tmpdir);
    return ret;
}
