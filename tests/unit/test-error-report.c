/*
 * test-error-report.c - error_report(), locations, sinks
 * (util/error-report.c).
 *
 * Output is captured either by redirecting fd 2 to a temporary file (the
 * real stderr path, with program name) or through a sink (the monitor
 * path, without it), and compared byte for byte.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "harness.h"
#include "capture.h"
#include "fork-helper.h"

/* --- helpers --- */

static char *cmdline[] = {
    "qomu", "-device", "foo,bar=1", "-S", NULL
};

/* --- plain reports --- */

static void test_report_plain(void)
{
    StderrCapture cap;
    char *out;

    stderr_capture_begin(&cap);
    error_report("'%s' is not a valid device model name", "foo");
    warn_report("%d vCPUs is more than the host has", 64);
    info_report("listening on %s", "/tmp/sock");
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: 'foo' is not a valid device model name\n"
        "qomu: warning: 64 vCPUs is more than the host has\n"
        "qomu: info: listening on /tmp/sock\n");
    g_free(out);
}

static void QOMU_PRINTF(1, 2) call_vreports(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    warn_vreport(fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    info_vreport(fmt, ap);
    va_end(ap);
}

static void test_report_va(void)
{
    StderrCapture cap;
    char *out;

    stderr_capture_begin(&cap);
    call_vreports("v%d", 1);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "qomu: v1\nqomu: warning: v1\n"
                           "qomu: info: v1\n");
    g_free(out);
}

static void test_printf_raw(void)
{
    StderrCapture cap;
    char *out;
    int n;

    stderr_capture_begin(&cap);
    n = error_printf("no prefix %s", "here");
    error_printf("\n");
    out = stderr_capture_end(&cap);
    CU_ASSERT_EQUAL(n, 14);
    CU_ASSERT_STRING_EQUAL(out, "no prefix here\n");
    g_free(out);
}

static void test_progname(void)
{
    StderrCapture cap;
    char *out;

    CU_ASSERT_STRING_EQUAL(error_get_progname(), "qomu");
    error_init("/usr/local/bin/qomu-system-x86_64");
    CU_ASSERT_STRING_EQUAL(error_get_progname(), "qomu-system-x86_64");
    stderr_capture_begin(&cap);
    error_report("x");
    error_init("plain-name");
    error_report("y");
    out = stderr_capture_end(&cap);
    error_init("qomu");
    CU_ASSERT_STRING_EQUAL(out, "qomu-system-x86_64: x\nplain-name: y\n");
    g_free(out);
}

/* --- locations --- */

static void test_loc_cmdline(void)
{
    StderrCapture cap;
    Location loc;
    char *out;

    loc_push_none(&loc);
    loc_set_cmdline(cmdline, 1, 2);
    stderr_capture_begin(&cap);
    error_report("'%s' is not a valid device model name", "foo");
    warn_report("w");
    loc_set_cmdline(cmdline, 3, 1);
    error_report("one word");
    out = stderr_capture_end(&cap);
    loc_pop(&loc);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: -device foo,bar=1: 'foo' is not a valid device model name\n"
        "qomu: -device foo,bar=1: warning: w\n"
        "qomu: -S: one word\n");
    g_free(out);
}

static void test_loc_file(void)
{
    StderrCapture cap;
    Location loc;
    char *out;

    loc_push_none(&loc);
    stderr_capture_begin(&cap);
    loc_set_file("vm.cfg", 12);
    error_report("bad key");
    loc_set_file(NULL, 13);             /* same file, next line */
    error_report("bad value");
    loc_set_file("other.cfg", 0);       /* no line number */
    info_report("read");
    out = stderr_capture_end(&cap);
    loc_pop(&loc);
    /* QEMU prints no space between "prog:" and a file location. */
    CU_ASSERT_STRING_EQUAL(out,
        "qomu:vm.cfg:12: bad key\n"
        "qomu:vm.cfg:13: bad value\n"
        "qomu:other.cfg: info: read\n");
    g_free(out);
}

static void loc_file_null_not_file(void)
{
    Location loc;

    loc_push_none(&loc);
    loc_set_file(NULL, 1);      /* no current file to keep */
}

static void test_loc_file_null_asserts(void)
{
    char *err;

    CU_ASSERT_TRUE(fork_aborted(fork_run(loc_file_null_not_file, &err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "fname || loc->kind == LOC_FILE"));
    g_free(err);
}

static void test_loc_push_pop(void)
{
    StderrCapture cap;
    Location outer, inner;
    char *out;

    stderr_capture_begin(&cap);
    loc_push_none(&outer);
    loc_set_cmdline(cmdline, 1, 2);
    loc_push_none(&inner);              /* nested: starts at nowhere */
    error_report("inner");
    loc_set_file("f", 1);
    error_report("inner file");
    loc_pop(&inner);
    error_report("outer again");
    loc_pop(&outer);
    error_report("bottom");
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: inner\n"
        "qomu:f:1: inner file\n"
        "qomu: -device foo,bar=1: outer again\n"
        "qomu: bottom\n");
    g_free(out);
}

static void test_loc_save_restore(void)
{
    StderrCapture cap;
    Location loc, saved, pushed;
    char *out;

    loc_push_none(&loc);
    loc_set_cmdline(cmdline, 1, 2);
    loc_save(&saved);
    CU_ASSERT_PTR_NULL(saved.prev);
    loc_set_none();
    stderr_capture_begin(&cap);
    error_report("none");
    loc_restore(&saved);
    error_report("restored");
    loc_set_none();
    loc_push_restore(&saved);           /* push a copy of the saved one */
    pushed = saved;
    error_report("pushed");
    loc_pop(&saved);
    error_report("popped");
    out = stderr_capture_end(&cap);
    loc_pop(&loc);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: none\n"
        "qomu: -device foo,bar=1: restored\n"
        "qomu: -device foo,bar=1: pushed\n"
        "qomu: popped\n");
    CU_ASSERT_PTR_EQUAL(pushed.prev, &loc);
    g_free(out);
}

static void pop_not_top(void)
{
    Location a, b;

    loc_push_none(&a);
    loc_push_none(&b);
    loc_pop(&a);
}

static void pop_bottom(void)
{
    Location saved;

    /* The thread's own bottom entry cannot be popped. */
    loc_save(&saved);
    loc_push_restore(&saved);
    loc_pop(&saved);
    loc_pop(&saved);
}

static void push_twice(void)
{
    Location a;

    loc_push_none(&a);
    loc_push_restore(&a);       /* already on the stack */
}

static void test_loc_misuse_asserts(void)
{
    char *err;

    CU_ASSERT_TRUE(fork_aborted(fork_run(pop_not_top, &err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "current_loc() == loc && loc->prev"));
    g_free(err);
    CU_ASSERT_TRUE(fork_aborted(fork_run(pop_bottom, &err)));
    g_free(err);
    CU_ASSERT_TRUE(fork_aborted(fork_run(push_twice, &err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "!loc->prev"));
    g_free(err);
}

static void *thread_report(void *opaque)
{
    (void)opaque;
    error_report("from thread");
    return NULL;
}

static void test_loc_per_thread(void)
{
    StderrCapture cap;
    Location loc;
    GThread *t;
    char *out;

    loc_push_none(&loc);
    loc_set_cmdline(cmdline, 1, 2);
    stderr_capture_begin(&cap);
    t = g_thread_new("reporter", thread_report, NULL);
    g_thread_join(t);
    out = stderr_capture_end(&cap);
    loc_pop(&loc);
    /* The main thread's location does not leak into other threads. */
    CU_ASSERT_STRING_EQUAL(out, "qomu: from thread\n");
    g_free(out);
}

/* --- sinks (the monitor path) --- */

static void test_sink_basic(void)
{
    StderrCapture cap;
    GString *buf = g_string_new(NULL);
    ErrorReportSink *fn;
    void *opaque = NULL;
    Location loc;
    char *out;

    stderr_capture_begin(&cap);
    error_report_set_sink(gstring_sink, buf);
    fn = error_report_get_sink(&opaque);
    CU_ASSERT_PTR_EQUAL(fn, gstring_sink);
    CU_ASSERT_PTR_EQUAL(opaque, buf);

    error_report("Device '%s' not found", "d0");
    warn_report("w");
    loc_push_none(&loc);
    loc_set_cmdline(cmdline, 1, 2);
    error_report("with cmdline");
    loc_set_file("vm.cfg", 3);
    error_report("with file");
    loc_pop(&loc);
    error_printf("raw %d\n", 1);

    error_report_set_sink(NULL, NULL);
    CU_ASSERT_PTR_NULL(error_report_get_sink(&opaque));
    CU_ASSERT_PTR_NULL(opaque);
    out = stderr_capture_end(&cap);

    /* As QEMU with a monitor: no program name, nothing on stderr. */
    CU_ASSERT_STRING_EQUAL(buf->str,
        "Device 'd0' not found\n"
        "warning: w\n"
        "-device foo,bar=1: with cmdline\n"
        "vm.cfg:3: with file\n"
        "raw 1\n");
    CU_ASSERT_STRING_EQUAL(out, "");
    g_string_free(buf, TRUE);
    g_free(out);
}

static void test_sink_per_thread(void)
{
    StderrCapture cap;
    GString *buf = g_string_new(NULL);
    GThread *t;
    char *out;

    stderr_capture_begin(&cap);
    error_report_set_sink(gstring_sink, buf);
    t = g_thread_new("reporter", thread_report, NULL);
    g_thread_join(t);
    error_report("main");
    error_report_set_sink(NULL, NULL);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(buf->str, "main\n");
    CU_ASSERT_STRING_EQUAL(out, "qomu: from thread\n");
    g_string_free(buf, TRUE);
    g_free(out);
}

/* --- once, timestamps, GLib --- */

static void test_once(void)
{
    StderrCapture cap;
    bool printed = false;
    char *out;
    int i;

    stderr_capture_begin(&cap);
    for (i = 0; i < 3; i++) {
        error_report_once("once %d", i);
        warn_report_once("warn once %d", i);
    }
    CU_ASSERT_TRUE(error_report_once_cond(&printed, "cond"));
    CU_ASSERT_TRUE(printed);
    CU_ASSERT_FALSE(error_report_once_cond(&printed, "cond"));
    printed = false;
    CU_ASSERT_TRUE(warn_report_once_cond(&printed, "wcond"));
    CU_ASSERT_FALSE(warn_report_once_cond(&printed, "wcond"));
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "qomu: once 0\nqomu: warning: warn once 0\n"
                           "qomu: cond\nqomu: warning: wcond\n");
    g_free(out);
}

static void test_timestamp(void)
{
    StderrCapture cap;
    GString *buf = g_string_new(NULL);
    char *out;

    error_report_set_timestamp(true);
    stderr_capture_begin(&cap);
    error_report("stamped");
    out = stderr_capture_end(&cap);
    error_report_set_sink(gstring_sink, buf);
    error_report("monitor");                /* no timestamp to a monitor */
    error_report_set_sink(NULL, NULL);
    error_report_set_timestamp(false);

    CU_ASSERT_TRUE(g_regex_match_simple(
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
        "\\.[0-9]{6}Z qomu: stamped\n$", out, 0, 0));
    CU_ASSERT_STRING_EQUAL(buf->str, "monitor\n");
    g_string_free(buf, TRUE);
    g_free(out);
}

static void test_glib_messages(void)
{
    StderrCapture cap;
    char *out;

    unsetenv("G_MESSAGES_DEBUG");
    error_init("qomu");
    stderr_capture_begin(&cap);
    g_message("a message");
    g_warning("a warning");
    g_critical("a critical");
    g_debug("hidden debug");
    g_log("mydom", G_LOG_LEVEL_WARNING, "domain warning");
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: info: a message\n"
        "qomu: warning: a warning\n"
        "qomu: a critical\n"
        "qomu: warning: mydom: domain warning\n");
    g_free(out);
}

/* libc setenv(): GLib's g_setenv() complains once threads exist (they have
 * all been joined by now). */
static void test_glib_debug_domains(void)
{
    StderrCapture cap;
    char *out, *out2;

    setenv("G_MESSAGES_DEBUG", "mydom", 1);
    error_init("qomu");
    stderr_capture_begin(&cap);
    g_log("mydom", G_LOG_LEVEL_DEBUG, "shown");
    g_log("otherdom", G_LOG_LEVEL_INFO, "hidden");
    g_debug("no domain: hidden");
    out = stderr_capture_end(&cap);
    setenv("G_MESSAGES_DEBUG", "all", 1);
    error_init("qomu");
    stderr_capture_begin(&cap);
    g_log("otherdom", G_LOG_LEVEL_INFO, "all shown");
    out2 = stderr_capture_end(&cap);
    unsetenv("G_MESSAGES_DEBUG");
    error_init("qomu");
    CU_ASSERT_STRING_EQUAL(out, "qomu: info: mydom: shown\n");
    CU_ASSERT_STRING_EQUAL(out2, "qomu: info: otherdom: all shown\n");
    g_free(out);
    g_free(out2);
}

/* --- concurrency: lines never interleave --- */

#define N_THREADS 4
#define N_LINES   200

static void *thread_spam(void *opaque)
{
    int i, id = GPOINTER_TO_INT(opaque);

    for (i = 0; i < N_LINES; i++) {
        error_report("thread %d line %d of a reasonably long message", id, i);
    }
    return NULL;
}

static void test_threads_whole_lines(void)
{
    StderrCapture cap;
    GThread *t[N_THREADS];
    char *out;
    int i;

    stderr_capture_begin(&cap);
    for (i = 0; i < N_THREADS; i++) {
        t[i] = g_thread_new("spam", thread_spam, GINT_TO_POINTER(i));
    }
    for (i = 0; i < N_THREADS; i++) {
        g_thread_join(t[i]);
    }
    out = stderr_capture_end(&cap);
    check_whole_lines(out, "^qomu: thread [0-9] line [0-9]+ of a "
                      "reasonably long message$", N_THREADS * N_LINES);
    g_free(out);
}

int main(int argc, char **argv)
{
    harness_add("/error-report/report/plain", test_report_plain);
    harness_add("/error-report/report/va-list", test_report_va);
    harness_add("/error-report/report/printf-raw", test_printf_raw);
    harness_add("/error-report/report/progname", test_progname);
    harness_add("/error-report/loc/cmdline", test_loc_cmdline);
    harness_add("/error-report/loc/file", test_loc_file);
    harness_add("/error-report/loc/file-null-asserts",
                test_loc_file_null_asserts);
    harness_add("/error-report/loc/push-pop", test_loc_push_pop);
    harness_add("/error-report/loc/save-restore", test_loc_save_restore);
    harness_add("/error-report/loc/misuse-asserts", test_loc_misuse_asserts);
    harness_add("/error-report/loc/per-thread", test_loc_per_thread);
    harness_add("/error-report/sink/basic", test_sink_basic);
    harness_add("/error-report/sink/per-thread", test_sink_per_thread);
    harness_add("/error-report/once", test_once);
    harness_add("/error-report/timestamp", test_timestamp);
    harness_add("/error-report/glib/messages", test_glib_messages);
    harness_add("/error-report/glib/debug-domains", test_glib_debug_domains);
    harness_add("/error-report/threads/whole-lines",
                test_threads_whole_lines);
    return harness_run(argc, argv);
}
