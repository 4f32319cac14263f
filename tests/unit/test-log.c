/*
 * test-log.c - -d/-D logging (util/log.c): mask parsing as QEMU,
 * log files, rate limiting of guest-triggerable masks, threads.
 *
 * Every test starts and ends with logging off and on stderr
 * (log_reset()); files go to a per-test temporary directory.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "harness.h"
#include "capture.h"
#include "tmpfile.h"

/* --- helpers --- */

static char *tmpdir;

static void log_reset(void)
{
    qomu_set_log_filename_flags(NULL, 0, &error_abort);
    qomu_log_set_clock_for_test(NULL);
}

/* A fresh path in the temporary directory; g_free it. */
static char *tmp_path(const char *name)
{
    if (!tmpdir) {
        tmpdir = tmp_dir_new("test-log");
    }
    return g_build_filename(tmpdir, name, NULL);
}

/* Fake clock for the rate limiter. */
static int64_t fake_now_ns;

static int64_t fake_clock(void)
{
    return fake_now_ns;
}

/* --- mask parsing --- */

static void test_parse_names(void)
{
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("guest_errors"), LOG_GUEST_ERROR);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("unimp"), LOG_UNIMP);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("int"), CPU_LOG_INT);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("cpu_reset"), CPU_LOG_RESET);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("int,unimp,int"),
                    CPU_LOG_INT | LOG_UNIMP);
    /* QEMU's bit values, so masks are interchangeable with QEMU's. */
    CU_ASSERT_EQUAL(LOG_GUEST_ERROR, 1 << 11);
    CU_ASSERT_EQUAL(LOG_UNIMP, 1 << 10);
    CU_ASSERT_EQUAL(CPU_LOG_RESET, 1 << 9);
    CU_ASSERT_EQUAL(CPU_LOG_INT, 1 << 4);
}

static void test_parse_all(void)
{
    int all = CPU_LOG_INT | CPU_LOG_RESET | LOG_UNIMP | LOG_GUEST_ERROR;

    CU_ASSERT_EQUAL(qomu_str_to_log_mask("all"), all);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("unimp,all"), all);
}

static void test_parse_errors(void)
{
    /* As QEMU: any unknown part makes the whole string invalid (0). */
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("bogus"), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("guest_errors,bogus"), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("help"), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask(""), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask(","), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("unimp,"), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask(" unimp"), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("UNIMP"), 0);
    /* TCG-only items are not modelled. */
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("in_asm"), 0);
    CU_ASSERT_EQUAL(qomu_str_to_log_mask("trace:foo"), 0);
}

static void test_usage(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    qomu_print_log_usage(f);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf,
        "Log items (comma separated):\n"
        "int             show interrupts/exceptions in short format\n"
        "cpu_reset       show CPU state before CPU resets\n"
        "unimp           log unimplemented functionality\n"
        "guest_errors    log when the guest OS does something invalid "
        "(eg accessing a\nnon-existent register)\n");
    free(buf);
}

/* --- enabling and output --- */

static void test_disabled(void)
{
    StderrCapture cap;
    char *out;

    log_reset();
    CU_ASSERT_FALSE(qomu_log_enabled());
    CU_ASSERT_FALSE(qomu_loglevel_mask(LOG_GUEST_ERROR));
    CU_ASSERT_PTR_NULL(qomu_log_trylock());
    stderr_capture_begin(&cap);
    qomu_log("unconditional, but the log is closed\n");
    qomu_log_mask(LOG_GUEST_ERROR, "masked\n");
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out, "");
    g_free(out);
}

static void test_stderr_default(void)
{
    StderrCapture cap;
    FILE *f;
    char *out;

    log_reset();
    CU_ASSERT_TRUE(qomu_set_log(LOG_UNIMP, &error_abort));
    CU_ASSERT_TRUE(qomu_log_enabled());
    CU_ASSERT_TRUE(qomu_loglevel_mask(LOG_UNIMP));
    CU_ASSERT_TRUE(qomu_loglevel_mask(LOG_UNIMP | CPU_LOG_INT));
    CU_ASSERT_FALSE(qomu_loglevel_mask(LOG_GUEST_ERROR));
    stderr_capture_begin(&cap);
    qomu_log_mask(LOG_UNIMP, "%s: unimplemented register 0x%x\n", "dev", 4);
    qomu_log_mask(LOG_GUEST_ERROR, "not enabled\n");
    qomu_log("raw %d\n", 1);
    f = qomu_log_trylock();
    CU_ASSERT_PTR_EQUAL(f, stderr);
    fprintf(f, "dump line 1\n");
    qomu_log("nested qomu_log is fine\n");  /* the lock is recursive */
    qomu_log_unlock(f);
    out = stderr_capture_end(&cap);
    log_reset();
    CU_ASSERT_STRING_EQUAL(out, "dev: unimplemented register 0x4\n"
                           "raw 1\n"
                           "dump line 1\n"
                           "nested qomu_log is fine\n");
    g_free(out);
}

static void test_file_write(void)
{
    char *path = tmp_path("write.log");
    char *contents;

    log_reset();
    CU_ASSERT_TRUE(qomu_set_log_filename_flags(path, LOG_GUEST_ERROR,
                                               &error_abort));
    qomu_log_mask(LOG_GUEST_ERROR, "bad access at 0x%x\n", 0x10);
    qomu_log_mask(CPU_LOG_INT, "not enabled\n");
    /* Written through at once: readable before the file is closed. */
    contents = tmp_file_read(path);
    CU_ASSERT_STRING_EQUAL(contents, "bad access at 0x10\n");
    g_free(contents);
    log_reset();
    g_free(path);
}

static void test_file_opened_lazily(void)
{
    char *path = tmp_path("lazy.log");
    char *contents;

    log_reset();
    /* -D without -d: QEMU creates no file. */
    CU_ASSERT_TRUE(qomu_set_log_filename(path, &error_abort));
    CU_ASSERT_FALSE(g_file_test(path, G_FILE_TEST_EXISTS));
    CU_ASSERT_FALSE(qomu_log_enabled());
    CU_ASSERT_TRUE(qomu_set_log(CPU_LOG_RESET, &error_abort));
    CU_ASSERT_TRUE(g_file_test(path, G_FILE_TEST_EXISTS));
    qomu_log_mask(CPU_LOG_RESET, "CPU Reset (CPU %d)\n", 0);
    contents = tmp_file_read(path);
    CU_ASSERT_STRING_EQUAL(contents, "CPU Reset (CPU 0)\n");
    g_free(contents);
    log_reset();
    g_free(path);
}

static void test_file_truncated(void)
{
    char *path = tmp_path("trunc.log");
    char *contents;

    g_assert(g_file_set_contents(path, "old contents\n", -1, NULL));
    log_reset();
    CU_ASSERT_TRUE(qomu_set_log_filename_flags(path, LOG_UNIMP, &error_abort));
    qomu_log_mask(LOG_UNIMP, "new\n");
    contents = tmp_file_read(path);
    CU_ASSERT_STRING_EQUAL(contents, "new\n");
    g_free(contents);
    log_reset();
    g_free(path);
}

static void test_file_switch(void)
{
    StderrCapture cap;
    char *a = tmp_path("a.log"), *b = tmp_path("b.log");
    char *ca, *cb, *out;

    log_reset();
    CU_ASSERT_TRUE(qomu_set_log_filename_flags(a, LOG_UNIMP, &error_abort));
    qomu_log("to a\n");
    CU_ASSERT_TRUE(qomu_set_log_filename(b, &error_abort));  /* keeps mask */
    qomu_log("to b\n");
    stderr_capture_begin(&cap);
    CU_ASSERT_TRUE(qomu_set_log_filename(NULL, &error_abort));
    qomu_log("to stderr\n");
    out = stderr_capture_end(&cap);
    ca = tmp_file_read(a);
    cb = tmp_file_read(b);
    CU_ASSERT_STRING_EQUAL(ca, "to a\n");
    CU_ASSERT_STRING_EQUAL(cb, "to b\n");
    CU_ASSERT_STRING_EQUAL(out, "to stderr\n");
    log_reset();
    g_free(ca);
    g_free(cb);
    g_free(out);
    g_free(a);
    g_free(b);
}

static void test_file_pid_template(void)
{
    char *tmpl = tmp_path("pid-%d.log");
    char *name = g_strdup_printf("pid-%d.log", (int)getpid());
    char *path = tmp_path(name);

    log_reset();
    CU_ASSERT_TRUE(qomu_set_log_filename_flags(tmpl, LOG_UNIMP,
                                               &error_abort));
    CU_ASSERT_TRUE(g_file_test(path, G_FILE_TEST_EXISTS));
    log_reset();
    g_free(tmpl);
    g_free(name);
    g_free(path);
}

static void check_bad_template(const char *name)
{
    char *want = g_strdup_printf("Bad logfile template: %s", name);
    Error *err = NULL;

    CU_ASSERT_FALSE(qomu_set_log_filename(name, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), want);
    error_free(err);
    g_free(want);
}

static void test_file_bad_template(void)
{
    log_reset();
    check_bad_template("log-%s");
    check_bad_template("log-%d-%d");
    check_bad_template("log-%");
    check_bad_template("%%d");
    CU_ASSERT_FALSE(qomu_set_log_filename("x-%s", NULL));  /* errp NULL */
    log_reset();
}

static void test_file_open_error(void)
{
    const char *path = "/nonexistent-qomu-dir/x.log";
    Error *err = NULL;

    log_reset();
    CU_ASSERT_FALSE(qomu_set_log_filename_flags(path, LOG_UNIMP, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Error opening logfile /nonexistent-qomu-dir/x.log:"
                           " No such file or directory");
    error_free(err);
    /* As QEMU, the mask is set even though there is nowhere to log. */
    CU_ASSERT_TRUE(qomu_loglevel_mask(LOG_UNIMP));
    CU_ASSERT_FALSE(qomu_log_enabled());
    qomu_log_mask(LOG_UNIMP, "goes nowhere\n");
    log_reset();
}

/* --- rate limiting --- */

/* One call site, so one rate-limit state. */
static void guest_error_site_a(int i)
{
    qomu_log_mask(LOG_GUEST_ERROR, "site a %d\n", i);
}

static void guest_error_site_b(int i)
{
    qomu_log_mask(LOG_GUEST_ERROR, "site b %d\n", i);
}

static void unimp_site(int i)
{
    qomu_log_mask(LOG_UNIMP, "unimp %d\n", i);
}

static void int_site(int i)
{
    qomu_log_mask(CPU_LOG_INT, "int %d\n", i);
}

/* Expected text for lines [from, to) of a site. */
static void expect_lines(GString *s, const char *site, int from, int to)
{
    int i;

    for (i = from; i < to; i++) {
        g_string_append_printf(s, "%s %d\n", site, i);
    }
}

static void test_ratelimit_burst(void)
{
    StderrCapture cap;
    GString *want = g_string_new(NULL);
    char *out;
    int i;

    log_reset();
    qomu_log_set_clock_for_test(fake_clock);
    fake_now_ns = 5 * QOMU_LOG_RATELIMIT_WINDOW_NS;
    qomu_set_log(LOG_GUEST_ERROR, &error_abort);
    stderr_capture_begin(&cap);
    for (i = 0; i < 25; i++) {                  /* 10 pass, 15 dropped */
        guest_error_site_a(i);
    }
    fake_now_ns += QOMU_LOG_RATELIMIT_WINDOW_NS - 1;
    guest_error_site_a(25);                     /* same window: dropped */
    fake_now_ns += 1;
    guest_error_site_a(26);                     /* new window */
    guest_error_site_a(27);
    out = stderr_capture_end(&cap);
    log_reset();

    expect_lines(want, "site a", 0, QOMU_LOG_RATELIMIT_BURST);
    g_string_append(want, "... suppressed 16 messages\n");
    expect_lines(want, "site a", 26, 28);
    CU_ASSERT_STRING_EQUAL(out, want->str);
    g_string_free(want, TRUE);
    g_free(out);
}

static void test_ratelimit_per_site(void)
{
    StderrCapture cap;
    GString *want = g_string_new(NULL);
    char *out;
    int i;

    log_reset();
    qomu_log_set_clock_for_test(fake_clock);
    fake_now_ns = 100 * QOMU_LOG_RATELIMIT_WINDOW_NS;
    qomu_set_log(LOG_GUEST_ERROR | LOG_UNIMP, &error_abort);
    stderr_capture_begin(&cap);
    for (i = 0; i < 12; i++) {
        guest_error_site_b(i);
        unimp_site(i);                          /* unimp is limited too */
    }
    out = stderr_capture_end(&cap);
    log_reset();

    for (i = 0; i < QOMU_LOG_RATELIMIT_BURST; i++) {
        g_string_append_printf(want, "site b %d\nunimp %d\n", i, i);
    }
    CU_ASSERT_STRING_EQUAL(out, want->str);
    g_string_free(want, TRUE);
    g_free(out);
}

static void test_ratelimit_other_masks(void)
{
    StderrCapture cap;
    GString *want = g_string_new(NULL);
    char *out;
    int i;

    log_reset();
    qomu_log_set_clock_for_test(fake_clock);
    fake_now_ns = 0;
    qomu_set_log(CPU_LOG_INT, &error_abort);
    stderr_capture_begin(&cap);
    for (i = 0; i < 50; i++) {
        int_site(i);
    }
    out = stderr_capture_end(&cap);
    log_reset();

    expect_lines(want, "int", 0, 50);
    CU_ASSERT_STRING_EQUAL(out, want->str);
    g_string_free(want, TRUE);
    g_free(out);
}

/* --- threads --- */

#define N_THREADS 4
#define N_LINES   250

static void *thread_log(void *opaque)
{
    int i, id = GPOINTER_TO_INT(opaque);

    for (i = 0; i < N_LINES; i++) {
        qomu_log_mask(CPU_LOG_INT, "vcpu %d irq %d delivered to the lapic\n",
                      id, i);
    }
    return NULL;
}

static void test_threads(void)
{
    char *path = tmp_path("threads.log");
    GThread *t[N_THREADS];
    char *contents;
    int i;

    log_reset();
    qomu_set_log_filename_flags(path, CPU_LOG_INT, &error_abort);
    for (i = 0; i < N_THREADS; i++) {
        t[i] = g_thread_new("vcpu", thread_log, GINT_TO_POINTER(i));
    }
    for (i = 0; i < N_THREADS; i++) {
        g_thread_join(t[i]);
    }
    log_reset();
    contents = tmp_file_read(path);
    check_whole_lines(contents, "^vcpu [0-9] irq [0-9]+ delivered to the "
                      "lapic$", N_THREADS * N_LINES);
    g_free(contents);
    g_free(path);
}

int main(int argc, char **argv)
{
    int ret;

    harness_add("/log/mask/parse/names", test_parse_names);
    harness_add("/log/mask/parse/all", test_parse_all);
    harness_add("/log/mask/parse/errors", test_parse_errors);
    harness_add("/log/mask/usage", test_usage);
    harness_add("/log/output/disabled", test_disabled);
    harness_add("/log/output/stderr-default", test_stderr_default);
    harness_add("/log/file/write", test_file_write);
    harness_add("/log/file/opened-lazily", test_file_opened_lazily);
    harness_add("/log/file/truncated", test_file_truncated);
    harness_add("/log/file/switch", test_file_switch);
    harness_add("/log/file/pid-template", test_file_pid_template);
    harness_add("/log/file/bad-template", test_file_bad_template);
    harness_add("/log/file/open-error", test_file_open_error);
    harness_add("/log/ratelimit/burst", test_ratelimit_burst);
    harness_add("/log/ratelimit/per-site", test_ratelimit_per_site);
    harness_add("/log/ratelimit/other-masks", test_ratelimit_other_masks);
    harness_add("/log/threads/whole-lines", test_threads);
    ret = harness_run(argc, argv);
    tmp_dir_remove(tmpdir);
    return ret;
}
