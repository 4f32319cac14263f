/*
 * test-harness.c - tests of the unit-test harness itself.
 *
 * A harness cannot watch its own run from inside, so each test re-executes
 * this program with QOMU_HARNESS_CHILD set: the child registers the fixture
 * tests below (/child/...) instead of the real ones, counts live objects with
 * a fake counter instead of object_live_count(), and runs under a path
 * filter. The parent checks the child's exit status and output lines, i.e.
 * exactly what scripts/run-tests.sh relies on.
 */
#include "util/osdep.h"
#include "harness.h"

#include <sys/wait.h>

/* --- the child: fixture tests with known outcomes --- */

static unsigned fake_live;      /* stands in for the QOM live-object count */

static unsigned fake_live_count(void)
{
    return fake_live;
}

static void child_pass_one(void)
{
    CU_ASSERT_EQUAL(1 + 1, 2);
}

static void child_pass_balanced(void)
{
    fake_live += 3;             /* "creates" three objects... */
    CU_ASSERT_EQUAL(fake_live_count(), 3);
    fake_live -= 3;             /* ...and releases them */
}

static void child_passive(void)
{
    CU_PASS("only selected by a filter that names it");
}

static void child_fail(void)
{
    CU_ASSERT_EQUAL(1 + 1, 3);
}

static void child_leak(void)
{
    fake_live += 2;
}

static void child_fatal_leak(void)
{
    fake_live += 1;
    CU_ASSERT_FATAL(false);
    fake_live -= 1;             /* not reached */
}

static void child_skip(void)
{
    harness_skip("no frobnicator");
    CU_FAIL("reached after harness_skip()");
}

static int child_main(const char *mode, int argc, char **argv)
{
    if (!strcmp(mode, "skip-all")) {
        harness_skip("no frobnicator anywhere");
    }
    harness_set_live_count_fn(fake_live_count);
    harness_add("/child/pass/one", child_pass_one);
    harness_add("/child/pass/balanced", child_pass_balanced);
    harness_add("/child/passive", child_passive);
    harness_add("/child/fail", child_fail);
    harness_add("/child/leak", child_leak);
    harness_add("/child/fatal-leak", child_fatal_leak);
    harness_add("/child/skip", child_skip);
    return harness_run(argc, argv);
}

/* --- the parent: run the child, check what it reports --- */

typedef struct ChildResult {
    int status;                 /* exit status, or -1 if it did not exit */
    char *out;                  /* stdout followed by stderr */
} ChildResult;

static ChildResult run_child(const char *mode, const char *filter)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    char *argv[] = { self, (char *)filter, NULL };
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(),
                                          "QOMU_HARNESS_CHILD", mode, TRUE);
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) error = NULL;
    ChildResult r = { .status = -1 };
    int wait_status;

    if (!g_spawn_sync(NULL, argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                      &out, &err, &wait_status, &error)) {
        r.out = g_strdup_printf("spawn failed: %s", error->message);
        return r;
    }
    if (WIFEXITED(wait_status)) {
        r.status = WEXITSTATUS(wait_status);
    }
    r.out = g_strconcat(out, err, NULL);
    return r;
}

static bool has_line(const char *text, const char *line)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (char **l = lines; *l; l++) {
        if (!strcmp(*l, line)) {
            return true;
        }
    }
    return false;
}

/* What a child run must produce. Lists end at the first NULL. */
typedef struct Expect {
    const char *mode;           /* QOMU_HARNESS_CHILD */
    const char *filter;         /* the child's argv[1] */
    int status;                 /* exit status */
    const char *lines[3];       /* whole output lines */
    const char *contains[3];    /* substrings of the output */
    const char *absent[3];      /* substrings that must not appear */
} Expect;

static void check_child(const Expect *e)
{
    unsigned failures = CU_get_number_of_failures();
    ChildResult r = run_child(e->mode, e->filter);

    CU_ASSERT_EQUAL(r.status, e->status);
    for (int i = 0; i < 3 && e->lines[i]; i++) {
        CU_ASSERT(has_line(r.out, e->lines[i]));
    }
    for (int i = 0; i < 3 && e->contains[i]; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(r.out, e->contains[i]));
    }
    for (int i = 0; i < 3 && e->absent[i]; i++) {
        CU_ASSERT_PTR_NULL(strstr(r.out, e->absent[i]));
    }
    if (CU_get_number_of_failures() != failures) {
        fprintf(stderr, "\n--- child output (filter %s) ---\n%s--- end ---\n",
                e->filter, r.out);
    }
    g_free(r.out);
}

static void test_pass(void)
{
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/pass", .status = 0,
        .lines = { "test-harness: 2 passed, 0 failed" },
        .absent = { "/child/passive" },
    });
}

static void test_fail(void)
{
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/fail", .status = 1,
        .lines = { "test-harness: 0 passed, 1 failed" },
    });
}

static void test_leak_detected(void)
{
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/leak", .status = 1,
        .lines = { "test-harness: 0 passed, 1 failed" },
        .contains = { "test leaked 2 QOM object(s)" },
    });
}

static void test_leak_after_fatal(void)
{
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/fatal-leak", .status = 1,
        .lines = { "test-harness: 0 passed, 1 failed" },
        .contains = { "test leaked 1 QOM object(s)" },
    });
}

static void test_skip_test(void)
{
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/skip", .status = 0,
        .lines = { "test-harness: skipped /child/skip: no frobnicator",
                   "test-harness: 0 passed, 0 failed" },
        .absent = { "reached after harness_skip()" },
    });
}

static void test_skip_executable(void)
{
    check_child(&(Expect) {
        .mode = "skip-all", .filter = "/child/pass", .status = 77,
        .lines = { "test-harness: skipped: no frobnicator anywhere" },
        .absent = { " passed, ", "Test: " },
    });
}

static void test_filter_exact(void)
{
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/pass/one", .status = 0,
        .lines = { "test-harness: 1 passed, 0 failed" },
    });
}

static void test_filter_no_match(void)
{
    /* "/child/pas" is not a path component of "/child/pass/one". */
    check_child(&(Expect) {
        .mode = "1", .filter = "/child/pas", .status = 1,
        .contains = { "no test matches '/child/pas'" },
        .absent = { " passed, " },
    });
}

static void test_all_counts(void)
{
    /* 3 pass; fail, leak and fatal-leak fail; skip is skipped. */
    check_child(&(Expect) {
        .mode = "1", .filter = "/", .status = 1,
        .lines = { "test-harness: skipped /child/skip: no frobnicator",
                   "test-harness: 3 passed, 3 failed" },
    });
}

int main(int argc, char **argv)
{
    const char *mode = g_getenv("QOMU_HARNESS_CHILD");

    if (mode) {
        return child_main(mode, argc, argv);
    }
    harness_add("/harness/pass", test_pass);
    harness_add("/harness/fail", test_fail);
    harness_add("/harness/leak/detected", test_leak_detected);
    harness_add("/harness/leak/after-fatal-assert", test_leak_after_fatal);
    harness_add("/harness/skip/test", test_skip_test);
    harness_add("/harness/skip/executable", test_skip_executable);
    harness_add("/harness/filter/exact", test_filter_exact);
    harness_add("/harness/filter/no-match", test_filter_no_match);
    harness_add("/harness/all-counts", test_all_counts);
    return harness_run(argc, argv);
}
