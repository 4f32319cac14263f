/*
 * test-accel.c - choosing the accelerator (accel/accel.c): the order a
 * list is tried in, QEMU 7.2's messages exactly as printed (stderr is
 * captured), the default choice, `-accel help`, and kvm's "device"
 * property.  A missing /dev/kvm is faked by pointing kvm at a path that
 * does not exist ($QOMU_KVM_DEVICE).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "hw/core/memory.h"
#include "harness.h"
#include "vcpu-helper.h"
#include "error-text.h"

#define NO_KVM "/nonexistent/kvm"

/* kvm needs the machine's address spaces to listen to. */
static MemoryRegion sysmem, sysio;
static AddressSpace as_mem, as_io;

/* Runs accel_init_machine(@names) with stderr captured; returns the
 * output, and the error (if any) in *err_text. */
static char *init_captured(const char *names, bool *ok, char **err_text)
{
    StderrCapture cap;
    Error *err = NULL;

    stderr_capture_begin(&cap);
    *ok = accel_init_machine(names, NULL, &err);
    *err_text = error_take_text(err);
    return stderr_capture_end(&cap);
}

static void test_find(void)
{
    CU_ASSERT_STRING_EQUAL(accel_find("kvm")->name, "kvm");
    CU_ASSERT_STRING_EQUAL(accel_find("dummy")->name, "dummy");
    CU_ASSERT_PTR_NULL(accel_find("tcg"));
    CU_ASSERT_PTR_NULL(accel_find(""));
    CU_ASSERT_PTR_NULL(accel_find("accel"));    /* the abstract base */
    CU_ASSERT_PTR_NULL(current_accel());
    CU_ASSERT_PTR_NULL(current_accel_name());
}

static void test_select_dummy(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    out = init_captured("dummy", &ok, &err);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "dummy");
    accel_cleanup();
    CU_ASSERT_PTR_NULL(current_accel());
    accel_cleanup();                    /* without one: no-op */
}

static void test_select_invalid(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    out = init_captured("tcg", &ok, &err);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_STRING_EQUAL(err, "invalid accelerator tcg");
    CU_ASSERT_STRING_EQUAL(out, "");    /* the caller prints it */
    CU_ASSERT_PTR_NULL(current_accel());
}

static void test_select_all_invalid(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    out = init_captured("foo:bar", &ok, &err);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_STRING_EQUAL(out, "qomu: invalid accelerator foo\n");
    CU_ASSERT_STRING_EQUAL(err, "invalid accelerator bar");
}

static void test_select_invalid_then_dummy(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    out = init_captured("foo:dummy", &ok, &err);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_STRING_EQUAL(out, "qomu: invalid accelerator foo\n"
                                "qomu: falling back to dummy\n");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "dummy");
    accel_cleanup();
}

/* QEMU 7.2 without /dev/kvm: the first line has no program name (QEMU
 * prints it with fprintf). */
static void test_select_kvm_missing_fallback(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    g_setenv("QOMU_KVM_DEVICE", NO_KVM, true);
    out = init_captured("kvm:dummy", &ok, &err);
    g_unsetenv("QOMU_KVM_DEVICE");
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(out,
        "Could not access KVM kernel module: No such file or directory\n"
        "qomu: failed to initialize kvm: No such file or directory\n"
        "qomu: falling back to dummy\n");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "dummy");
    accel_cleanup();
}

static void test_select_kvm_missing_only(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    g_setenv("QOMU_KVM_DEVICE", NO_KVM, true);
    out = init_captured("kvm", &ok, &err);
    g_unsetenv("QOMU_KVM_DEVICE");
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_STRING_EQUAL(out, "Could not access KVM kernel module: "
                                "No such file or directory\n");
    CU_ASSERT_STRING_EQUAL(err, "failed to initialize kvm: "
                                "No such file or directory");
    CU_ASSERT_PTR_NULL(current_accel());
}

/* A device that opens but is not KVM: the API version ioctl fails. */
static void test_select_kvm_not_kvm(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    g_setenv("QOMU_KVM_DEVICE", "/dev/null", true);
    out = init_captured("kvm", &ok, &err);
    g_unsetenv("QOMU_KVM_DEVICE");
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_STRING_EQUAL(out, "kvm version too old\n");
    CU_ASSERT_STRING_EQUAL(err, "failed to initialize kvm: "
                                "Inappropriate ioctl for device");
}

static void test_select_empty(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    out = init_captured("", &ok, &err);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_STRING_EQUAL(err, "no accelerator found");
    CU_ASSERT_STRING_EQUAL(out, "");
    g_free(err);
    g_free(out);
    /* an empty piece is a name, as in QEMU 7.2 */
    out = init_captured("dummy:", &ok, &err);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(out, "qomu: invalid accelerator \n"
                                "qomu: falling back to dummy\n");
    accel_cleanup();
}

/* The first that works wins; later names are not tried. */
static void test_select_order(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    out = init_captured("dummy:kvm", &ok, &err);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "dummy");
    accel_cleanup();
}

static void test_default_without_kvm(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    g_setenv("QOMU_KVM_DEVICE", NO_KVM, true);
    out = init_captured(NULL, &ok, &err);
    g_unsetenv("QOMU_KVM_DEVICE");
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: warning: Could not access KVM kernel module: No such file "
        "or directory; falling back to dummy: no guest code will run\n");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "dummy");
    accel_cleanup();
}

static void test_default_with_kvm(void)
{
    g_autofree char *err = NULL, *out = NULL;
    bool ok;

    if (!kvm_usable()) {
        harness_skip("/dev/kvm not accessible");
    }
    memory_map_init(&sysmem, &sysio, &as_mem, &as_io);
    out = init_captured(NULL, &ok, &err);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "kvm");
    bql_lock();
    accel_cleanup();
    bql_unlock();
    memory_map_cleanup(&sysmem, &sysio, &as_mem, &as_io);
}

static void test_help(void)
{
    g_autoptr(GString) out = g_string_new(NULL);

    accel_help(out);
    CU_ASSERT_STRING_EQUAL(out->str, "Accelerators supported in QEMU binary:\n"
                                     "dummy\nkvm\n");
}

static void test_kvm_device_property(void)
{
    Object *obj;
    g_autofree char *dev = NULL, *dev2 = NULL;

    obj = object_new(ACCEL_CLASS_NAME("kvm"));
    dev = object_property_get_str(obj, "device", &error_abort);
    CU_ASSERT_STRING_EQUAL(dev, "/dev/kvm");
    object_property_set_str(obj, "device", "/dev/other", &error_abort);
    dev2 = object_property_get_str(obj, "device", &error_abort);
    CU_ASSERT_STRING_EQUAL(dev2, "/dev/other");
    object_unref(obj);
}

int main(int argc, char **argv)
{
    g_unsetenv("QOMU_KVM_DEVICE");
    /* The memory API's containers live as long as the process. */
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/accel/find", test_find);
    harness_add("/accel/select/dummy", test_select_dummy);
    harness_add("/accel/select/invalid", test_select_invalid);
    harness_add("/accel/select/all-invalid", test_select_all_invalid);
    harness_add("/accel/select/invalid-then-dummy",
                test_select_invalid_then_dummy);
    harness_add("/accel/select/kvm-missing/fallback",
                test_select_kvm_missing_fallback);
    harness_add("/accel/select/kvm-missing/only", test_select_kvm_missing_only);
    harness_add("/accel/select/kvm-not-kvm", test_select_kvm_not_kvm);
    harness_add("/accel/select/empty", test_select_empty);
    harness_add("/accel/select/first-wins", test_select_order);
    harness_add("/accel/default/without-kvm", test_default_without_kvm);
    harness_add("/accel/default/with-kvm", test_default_with_kvm);
    harness_add("/accel/help", test_help);
    harness_add("/accel/kvm/device-property", test_kvm_device_property);
    return harness_run(argc, argv);
}
