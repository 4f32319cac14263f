/*
 * test-error.c - the Error object (util/error.c).
 *
 * Messages are asserted byte for byte.  Paths that end the process
 * (&error_fatal, &error_abort, contract violations) run in a forked
 * child whose stderr is captured; the parent checks the exit status and
 * the exact output.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "harness.h"
#include "capture.h"
#include "fork-helper.h"


/* --- error_setg and friends --- */

static void test_setg_message(void)
{
    Error *err = NULL;

    error_setg(&err, "bad value %d for '%s'", 7, "x");
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "bad value 7 for 'x'");
    CU_ASSERT_EQUAL(error_get_class(err), ERROR_CLASS_GENERIC_ERROR);
    CU_ASSERT_TRUE(error_is_set(&err));
    error_free(err);
}

static void test_setg_null_errp(void)
{
    Error **errp = NULL;

    /* Caller ignores errors: nothing allocated, nothing printed. */
    error_setg(errp, "ignored");
    error_setg_errno(errp, ENOENT, "ignored");
    error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "ignored");
    CU_ASSERT_FALSE(error_is_set(errp));
}

static void test_setg_errno(void)
{
    Error *err = NULL;

    error_setg_errno(&err, ENOENT, "Could not open '%s'", "/x");
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Could not open '/x': No such file or directory");
    error_free(err);
}

static void test_setg_errno_zero(void)
{
    Error *err = NULL;

    /* os_errno 0 means "no OS error to append". */
    error_setg_errno(&err, 0, "plain");
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "plain");
    error_free(err);
}

static void test_setg_file_open(void)
{
    Error *err = NULL;

    error_setg_file_open(&err, EACCES, "disk.img");
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Could not open 'disk.img': Permission denied");
    error_free(err);
}

static void test_setg_preserves_errno(void)
{
    Error *err = NULL;

    errno = EBUSY;
    error_setg(&err, "x");
    CU_ASSERT_EQUAL(errno, EBUSY);
    error_free(err);
    err = NULL;
    errno = EAGAIN;
    error_setg_errno(&err, ENOENT, "x");
    CU_ASSERT_EQUAL(errno, EAGAIN);
    error_append_hint(&err, "hint\n");
    CU_ASSERT_EQUAL(errno, EAGAIN);
    error_free(err);
}

static void setg_twice(void)
{
    Error *err = NULL;

    error_setg(&err, "first");
    error_setg(&err, "second");
}

static void test_setg_twice_asserts(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(setg_twice, &err);

    CU_ASSERT_TRUE(fork_aborted(status));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Assertion `*errp == NULL' failed"));
}

static void test_set_class(void)
{
    Error *err = NULL;

    error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
              "d0");
    CU_ASSERT_EQUAL(error_get_class(err), ERROR_CLASS_DEVICE_NOT_FOUND);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Device 'd0' not found");
    error_free(err);
}

static void test_class_names(void)
{
    CU_ASSERT_STRING_EQUAL(error_class_name(ERROR_CLASS_GENERIC_ERROR),
                           "GenericError");
    CU_ASSERT_STRING_EQUAL(error_class_name(ERROR_CLASS_COMMAND_NOT_FOUND),
                           "CommandNotFound");
    CU_ASSERT_STRING_EQUAL(error_class_name(ERROR_CLASS_DEVICE_NOT_ACTIVE),
                           "DeviceNotActive");
    CU_ASSERT_STRING_EQUAL(error_class_name(ERROR_CLASS_DEVICE_NOT_FOUND),
                           "DeviceNotFound");
    CU_ASSERT_STRING_EQUAL(error_class_name(ERROR_CLASS_KVM_MISSING_CAP),
                           "KVMMissingCap");
}

/* --- &error_fatal --- */

static void fatal_setg(void)
{
    error_setg(&error_fatal, "'%s' is not a valid device model name", "foo");
}

static void test_fatal_exits(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(fatal_setg, &err);

    CU_ASSERT_TRUE(fork_exited_with(status, 1));
    CU_ASSERT_STRING_EQUAL(err,
                           "qomu: 'foo' is not a valid device model name\n");
}

static char *fatal_argv[] = { "qomu", "-device", "foo", NULL };

static void fatal_with_location(void)
{
    Location loc;

    loc_push_none(&loc);
    loc_set_cmdline(fatal_argv, 1, 2);
    fatal_setg();
}

static void test_fatal_location(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(fatal_with_location, &err);

    CU_ASSERT_TRUE(fork_exited_with(status, 1));
    CU_ASSERT_STRING_EQUAL(err, "qomu: -device foo: "
                           "'foo' is not a valid device model name\n");
}

/* A function with a hint, written the QEMU way. */
static bool set_size_with_hint(Error **errp)
{
    ERRP_GUARD();

    error_setg(errp, "Parameter 'size' expects a non-negative number");
    error_append_hint(errp, "Optional suffix k, M, G means kilo-, mega-,\n");
    error_append_hint(errp, "giga-, respectively.\n");
    return false;
}

static void fatal_hint(void)
{
    set_size_with_hint(&error_fatal);
}

static void test_fatal_hint_via_guard(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(fatal_hint, &err);

    CU_ASSERT_TRUE(fork_exited_with(status, 1));
    CU_ASSERT_STRING_EQUAL(err,
        "qomu: Parameter 'size' expects a non-negative number\n"
        "Optional suffix k, M, G means kilo-, mega-,\n"
        "giga-, respectively.\n");
}

static void fatal_propagate(void)
{
    Error *local = NULL;

    error_setg(&local, "propagated %s", "late");
    error_propagate(&error_fatal, local);
}

static void test_fatal_propagate(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(fatal_propagate, &err);

    CU_ASSERT_TRUE(fork_exited_with(status, 1));
    CU_ASSERT_STRING_EQUAL(err, "qomu: propagated late\n");
}

static void fatal_propagate_prepend(void)
{
    Error *local = NULL;

    error_setg(&local, "No such file");
    error_propagate_prepend(&error_fatal, local, "drive '%s': ", "d0");
}

static void test_fatal_propagate_prepend(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(fatal_propagate_prepend, &err);

    CU_ASSERT_TRUE(fork_exited_with(status, 1));
    CU_ASSERT_STRING_EQUAL(err, "qomu: drive 'd0': No such file\n");
}

/* --- &error_abort --- */

static void abort_setg(void)
{
    error_setg(&error_abort, "impossible %d", 3);
}
enum { ABORT_SETG_LINE = __LINE__ - 2 };   /* the error_setg() above */

static void test_abort_setg(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(abort_setg, &err);
    char *want = g_strdup_printf("Unexpected error in abort_setg() at %s:%d:\n"
                                 "qomu: impossible 3\n",
                                 __FILE__, ABORT_SETG_LINE);

    CU_ASSERT_TRUE(fork_aborted(status));
    CU_ASSERT_STRING_EQUAL(err, want);
    g_free(want);
}

static void make_error(Error **errp)
{
    error_setg(errp, "from make_error");
    error_append_hint(errp, "a hint\n");
}
enum { MAKE_ERROR_LINE = __LINE__ - 3 };

static void abort_propagate(void)
{
    Error *local = NULL;

    make_error(&local);
    error_propagate(&error_abort, local);
}

static void test_abort_propagate(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(abort_propagate, &err);
    /* The location is where the error was created, not propagated. */
    char *want = g_strdup_printf("Unexpected error in make_error() at %s:%d:\n"
                                 "qomu: from make_error\n"
                                 "a hint\n",
                                 __FILE__, MAKE_ERROR_LINE);

    CU_ASSERT_TRUE(fork_aborted(status));
    CU_ASSERT_STRING_EQUAL(err, want);
    g_free(want);
}

static void abort_guarded(void)
{
    Error **errp = &error_abort;
    ERRP_GUARD();

    /* ERRP_GUARD leaves &error_abort alone: abort at the error_setg. */
    error_setg(errp, "guarded");
    error_append_hint(errp, "never reached\n");
}
enum { ABORT_GUARDED_LINE = __LINE__ - 3 };

static void test_abort_errp_guard(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(abort_guarded, &err);
    char *want = g_strdup_printf("Unexpected error in abort_guarded() at "
                                 "%s:%d:\nqomu: guarded\n",
                                 __FILE__, ABORT_GUARDED_LINE);

    CU_ASSERT_TRUE(fork_aborted(status));
    CU_ASSERT_STRING_EQUAL(err, want);
    g_free(want);
}

/* --- error_propagate --- */

static void test_propagate_into_local(void)
{
    Error *local = NULL, *dst = NULL;

    error_setg(&local, "inner");
    error_propagate(&dst, local);
    CU_ASSERT_PTR_EQUAL(dst, local);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(dst), "inner");
    error_free(dst);
}

static void test_propagate_into_null(void)
{
    Error *local = NULL;

    /* Ownership passes even when ignored: ASan reports a leak if not. */
    error_setg(&local, "dropped");
    error_propagate(NULL, local);
}

static void test_propagate_first_wins(void)
{
    Error *first = NULL, *second = NULL;

    error_setg(&first, "first");
    error_setg(&second, "second");
    error_propagate(&first, second);    /* second is freed */
    CU_ASSERT_STRING_EQUAL(error_get_pretty(first), "first");
    error_free(first);
}

static void test_propagate_null_local(void)
{
    Error *dst = NULL;

    error_propagate(&dst, NULL);
    CU_ASSERT_PTR_NULL(dst);
    error_propagate(&error_fatal, NULL);    /* no error: no exit */
    error_propagate(&error_abort, NULL);
}

static void test_propagate_prepend(void)
{
    Error *local = NULL, *dst = NULL;

    error_setg(&local, "No such file");
    error_propagate_prepend(&dst, local, "drive '%s': ", "d0");
    CU_ASSERT_STRING_EQUAL(error_get_pretty(dst), "drive 'd0': No such file");
    error_free(dst);
}

static void test_propagate_prepend_ignored(void)
{
    Error *first = NULL, *local = NULL;

    error_setg(&first, "first");
    error_setg(&local, "second");
    error_propagate_prepend(&first, local, "unused: ");
    CU_ASSERT_STRING_EQUAL(error_get_pretty(first), "first");
    error_free(first);
    local = NULL;
    error_setg(&local, "to null");
    error_propagate_prepend(NULL, local, "unused: ");
}

/* --- error_prepend --- */

static void test_prepend(void)
{
    Error *err = NULL;

    error_setg(&err, "Permission denied");
    error_prepend(&err, "Could not open '%s': ", "f");
    error_prepend(&err, "drive %d: ", 2);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "drive 2: Could not open 'f': Permission denied");
    error_free(err);
}

static void test_prepend_unset(void)
{
    Error *err = NULL;

    error_prepend(NULL, "x");
    error_prepend(&err, "x");           /* nothing to prefix: no-op */
    CU_ASSERT_PTR_NULL(err);
    error_prepend(&error_fatal, "x");   /* never holds an error */
}

/* --- hints --- */

static void test_hint_report(void)
{
    StderrCapture cap;
    Error *err = NULL;
    char *out;

    error_setg(&err, "Property 'x' not found");
    error_append_hint(&err, "Valid properties: %s\n", "a, b");
    error_append_hint(&err, "See -device foo,help\n");
    stderr_capture_begin(&cap);
    error_report_err(err);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "qomu: Property 'x' not found\n"
                           "Valid properties: a, b\n"
                           "See -device foo,help\n");
    g_free(out);
}

static void test_hint_null_errp(void)
{
    error_append_hint(NULL, "nobody hears this\n");
}

static void hint_on_fatal(void)
{
    error_append_hint(&error_fatal, "x\n");
}

static void test_hint_fatal_asserts(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(hint_on_fatal, &err);

    CU_ASSERT_TRUE(fork_aborted(status));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "Assertion `err && errp != "
                                  "&error_abort && errp != &error_fatal' "
                                  "failed"));
}

static void hint_unset(void)
{
    Error *err = NULL;

    error_append_hint(&err, "x\n");
}

static void test_hint_unset_asserts(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(hint_unset, &err);

    CU_ASSERT_TRUE(fork_aborted(status));
}

/* --- ERRP_GUARD --- */

static bool check_deref(Error **errp)
{
    ERRP_GUARD();

    set_size_with_hint(errp);
    /* Dereferencing errp is only safe because of ERRP_GUARD. */
    return *errp != NULL;
}

static void test_errp_guard_null(void)
{
    /* The local error is freed on return: ASan checks for a leak. */
    CU_ASSERT_TRUE(check_deref(NULL));
}

static void test_errp_guard_local(void)
{
    Error *err = NULL;

    CU_ASSERT_TRUE(check_deref(&err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'size' expects a non-negative number");
    error_free_or_abort(&err);
    CU_ASSERT_PTR_NULL(err);
}

/* --- copy, free, report helpers --- */

static void test_copy(void)
{
    StderrCapture cap;
    Error *err = NULL, *copy;
    char *out;

    error_set(&err, ERROR_CLASS_KVM_MISSING_CAP, "no %s", "cap");
    error_append_hint(&err, "upgrade the kernel\n");
    copy = error_copy(err);
    error_free(err);                    /* the copy is independent */
    CU_ASSERT_STRING_EQUAL(error_get_pretty(copy), "no cap");
    CU_ASSERT_EQUAL(error_get_class(copy), ERROR_CLASS_KVM_MISSING_CAP);
    stderr_capture_begin(&cap);
    error_report_err(copy);             /* hint was copied too */
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "qomu: no cap\nupgrade the kernel\n");
    g_free(out);
}

static void test_free_null(void)
{
    error_free(NULL);
}

static void free_or_abort_unset(void)
{
    Error *err = NULL;

    error_free_or_abort(&err);
}

static void test_free_or_abort_unset(void)
{
    g_autofree char *err = NULL;
    int status = fork_run(free_or_abort_unset, &err);

    CU_ASSERT_TRUE(fork_aborted(status));
}

static void test_warn_report_err(void)
{
    StderrCapture cap;
    Error *err = NULL;
    char *out;

    error_setg(&err, "deprecated option");
    error_append_hint(&err, "use -foo instead\n");
    stderr_capture_begin(&cap);
    warn_report_err(err);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "qomu: warning: deprecated option\n"
                           "use -foo instead\n");
    g_free(out);
}

static void test_reportf_err(void)
{
    StderrCapture cap;
    Error *err = NULL;
    char *out;

    stderr_capture_begin(&cap);
    error_setg(&err, "inner");
    error_reportf_err(err, "outer %d: ", 1);
    err = NULL;
    error_setg(&err, "inner");
    warn_reportf_err(err, "outer %d: ", 2);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "qomu: outer 1: inner\n"
                           "qomu: warning: outer 2: inner\n");
    g_free(out);
}

int main(int argc, char **argv)
{
    harness_add("/error/setg/message", test_setg_message);
    harness_add("/error/setg/null-errp", test_setg_null_errp);
    harness_add("/error/setg/errno", test_setg_errno);
    harness_add("/error/setg/errno-zero", test_setg_errno_zero);
    harness_add("/error/setg/file-open", test_setg_file_open);
    harness_add("/error/setg/preserves-errno", test_setg_preserves_errno);
    harness_add("/error/setg/twice-asserts", test_setg_twice_asserts);
    harness_add("/error/set/class", test_set_class);
    harness_add("/error/set/class-names", test_class_names);
    harness_add("/error/fatal/exits", test_fatal_exits);
    harness_add("/error/fatal/location", test_fatal_location);
    harness_add("/error/fatal/hint-via-guard", test_fatal_hint_via_guard);
    harness_add("/error/fatal/propagate", test_fatal_propagate);
    harness_add("/error/fatal/propagate-prepend",
                test_fatal_propagate_prepend);
    harness_add("/error/abort/setg", test_abort_setg);
    harness_add("/error/abort/propagate", test_abort_propagate);
    harness_add("/error/abort/errp-guard", test_abort_errp_guard);
    harness_add("/error/propagate/into-local", test_propagate_into_local);
    harness_add("/error/propagate/into-null", test_propagate_into_null);
    harness_add("/error/propagate/first-wins", test_propagate_first_wins);
    harness_add("/error/propagate/null-local", test_propagate_null_local);
    harness_add("/error/propagate/prepend", test_propagate_prepend);
    harness_add("/error/propagate/prepend-ignored",
                test_propagate_prepend_ignored);
    harness_add("/error/prepend/nested", test_prepend);
    harness_add("/error/prepend/unset", test_prepend_unset);
    harness_add("/error/hint/report", test_hint_report);
    harness_add("/error/hint/null-errp", test_hint_null_errp);
    harness_add("/error/hint/fatal-asserts", test_hint_fatal_asserts);
    harness_add("/error/hint/unset-asserts", test_hint_unset_asserts);
    harness_add("/error/errp-guard/null", test_errp_guard_null);
    harness_add("/error/errp-guard/local", test_errp_guard_local);
    harness_add("/error/copy/independent", test_copy);
    harness_add("/error/free/null", test_free_null);
    harness_add("/error/free/or-abort-unset", test_free_or_abort_unset);
    harness_add("/error/report/warn-err", test_warn_report_err);
    harness_add("/error/report/reportf-err", test_reportf_err);
    return harness_run(argc, argv);
}
