/*
 * harness.c - CUnit 2.1-3 runner with a per-test QOM leak check and skips.
 *
 * How it hooks into CUnit (TestRun.c, run_single_test()): a suite added with
 * CU_add_suite_with_setup_and_teardown() has its setup run before and its
 * teardown run after every test, the teardown even when a fatal assertion
 * longjmp()ed out of the test. While the teardown runs, CUnit's current test
 * is still the test, and the test's failed/passed verdict is taken only
 * after the teardown: a failure recorded there fails that very test. So the
 * leak check lives in the teardown. A skip inside a test leaves it the way a
 * fatal assertion does, through the test's jump buffer (CU_Test.pJumpBuf).
 */
#include "util/osdep.h"
#include "qom/object.h"
#include "harness.h"

#include <setjmp.h>
#include <CUnit/Basic.h>

typedef struct HarnessTest {
    char *path;
    void (*fn)(void);
    char *skip_reason;          /* set when the test called harness_skip() */
} HarnessTest;

static GPtrArray *tests;        /* HarnessTest *, in registration order */
static char *skip_all_reason;   /* harness_skip() before harness_run() */
static unsigned (*live_count)(void) = object_live_count;

static HarnessTest *current;    /* the test being run */
static unsigned live_before;    /* live_count() when it started */

static void harness_test_free(gpointer p)
{
    HarnessTest *t = p;

    g_free(t->path);
    g_free(t->skip_reason);
    g_free(t);
}

void harness_add(const char *path, void (*fn)(void))
{
    HarnessTest *t;

    if (path[0] != '/' || g_str_has_suffix(path, "/") || !fn) {
        g_error("harness_add: bad test path '%s'", path);
    }
    if (!tests) {
        tests = g_ptr_array_new_with_free_func(harness_test_free);
    }
    for (guint i = 0; i < tests->len; i++) {
        if (!strcmp(((HarnessTest *)g_ptr_array_index(tests, i))->path, path)) {
            g_error("harness_add: test '%s' registered twice", path);
        }
    }
    t = g_new0(HarnessTest, 1);
    t->path = g_strdup(path);
    t->fn = fn;
    g_ptr_array_add(tests, t);
}

void harness_set_live_count_fn(unsigned (*fn)(void))
{
    live_count = fn;
}

void harness_skip(const char *why)
{
    CU_pTest cu_test = CU_get_current_test();

    if (!cu_test) {
        g_free(skip_all_reason);
        skip_all_reason = g_strdup(why);
        return;
    }
    g_assert(current && cu_test->pJumpBuf);
    current->skip_reason = g_strdup(why);
    /* CUnit's verbose line will still end in "passed"; say why first. */
    printf("(skipped: %s) ", why);
    longjmp(*cu_test->pJumpBuf, 1);
}

/* --- per-test setup and teardown, run by CUnit around every test --- */

static HarnessTest *find_test(CU_pTest cu_test)
{
    for (guint i = 0; i < tests->len; i++) {
        HarnessTest *t = g_ptr_array_index(tests, i);
        if (!strcmp(t->path, cu_test->pName)) {
            return t;
        }
    }
    g_assert_not_reached();
}

static void test_setup(void)
{
    current = find_test(CU_get_current_test());
    live_before = live_count();
}

static void test_teardown(void)
{
    unsigned live_after = live_count();

    if (live_after != live_before) {
        g_autofree char *msg = NULL;

        if (live_after > live_before) {
            msg = g_strdup_printf("test leaked %u QOM object(s): %u alive "
                                  "before the test, %u after",
                                  live_after - live_before,
                                  live_before, live_after);
        } else {
            msg = g_strdup_printf("test finalized %u QOM object(s) it did not "
                                  "create: %u alive before the test, %u after",
                                  live_before - live_after,
                                  live_before, live_after);
        }
        /* Not fatal: a longjmp from here would run the teardown again. */
        CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "",
                                CU_FALSE);
    }
    current = NULL;
}

/* --- running --- */

/* "/a/b" selects "/a/b" and "/a/b/...", not "/a/bc"; "/" selects all. */
static bool path_selected(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    if (!prefix[0] || !strcmp(prefix, "/")) {
        return true;
    }
    if (prefix[n - 1] == '/') {
        n--;
    }
    return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static bool test_failed(CU_pTest cu_test)
{
    for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext) {
        if (f->pTest == cu_test) {
            return true;
        }
    }
    return false;
}

static int usage(const char *exe)
{
    fprintf(stderr, "usage: %s [--list] [/test/path/prefix]\n", exe);
    return 2;
}

int harness_run(int argc, char **argv)
{
    g_autofree char *exe = g_path_get_basename(argc > 0 ? argv[0] : "test");
    const char *prefix = "";
    bool list = false;
    CU_pSuite suite;
    unsigned selected = 0, run, failed, skipped = 0;
    int status;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list") || !strcmp(argv[i], "-l")) {
            list = true;
        } else if (argv[i][0] == '/' && !prefix[0]) {
            prefix = argv[i];
        } else {
            status = usage(exe);
            goto out;
        }
    }
    if (!tests) {
        tests = g_ptr_array_new_with_free_func(harness_test_free);
    }

    /*
     * Unbuffered, so that output is in order with stderr (assertion
     * messages, sanitizer reports) and a crash log ends at the right test.
     */
    setvbuf(stdout, NULL, _IONBF, 0);

    if (skip_all_reason) {
        printf("%s: skipped: %s\n", exe, skip_all_reason);
        status = 77;
        goto out;
    }
    if (list) {
        for (guint i = 0; i < tests->len; i++) {
            HarnessTest *t = g_ptr_array_index(tests, i);
            if (path_selected(t->path, prefix)) {
                printf("%s\n", t->path);
            }
        }
        status = 0;
        goto out;
    }

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "%s: CUnit: %s\n", exe, CU_get_error_msg());
        status = 1;
        goto out;
    }
    suite = CU_add_suite_with_setup_and_teardown(exe, NULL, NULL,
                                                 test_setup, test_teardown);
    if (!suite) {
        fprintf(stderr, "%s: CUnit: %s\n", exe, CU_get_error_msg());
        status = 1;
        goto out_registry;
    }
    for (guint i = 0; i < tests->len; i++) {
        HarnessTest *t = g_ptr_array_index(tests, i);
        if (!path_selected(t->path, prefix)) {
            continue;
        }
        if (!CU_add_test(suite, t->path, t->fn)) {
            fprintf(stderr, "%s: CUnit: %s: %s\n", exe, t->path,
                    CU_get_error_msg());
            status = 1;
            goto out_registry;
        }
        selected++;
    }
    if (prefix[0] && !selected) {
        fprintf(stderr, "%s: no test matches '%s' (see --list)\n",
                exe, prefix);
        status = 1;
        goto out_registry;
    }

    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS) {
        fprintf(stderr, "%s: CUnit: %s\n", exe, CU_get_error_msg());
        status = 1;
        goto out_registry;
    }

    /*
     * A test fails if it recorded a failure; suite-level failures (none
     * expected: the suite has no init/cleanup) count as one failed test.
     */
    run = CU_get_number_of_tests_run();
    failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
    printf("\n");
    for (CU_pTest cu_test = suite->pTest; cu_test; cu_test = cu_test->pNext) {
        HarnessTest *t = find_test(cu_test);
        if (t->skip_reason && !test_failed(cu_test)) {
            printf("%s: skipped %s: %s\n", exe, t->path, t->skip_reason);
            skipped++;
        }
    }
    printf("%s: %u passed, %u failed\n", exe,
           run > failed + skipped ? run - failed - skipped : 0, failed);
    status = failed ? 1 : 0;

out_registry:
    CU_cleanup_registry();
out:
    g_clear_pointer(&tests, g_ptr_array_unref);
    g_clear_pointer(&skip_all_reason, g_free);
    return status;
}
