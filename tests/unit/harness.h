/*
 * harness.h - the unit-test harness: CUnit 2.1-3 plus the qomu rules.
 *
 * One executable per unit, tests/unit/test-<name>.c, whose main() registers
 * its tests and returns harness_run():
 *
 *     static void test_new_init_order(void) { ... CU_ASSERT_EQUAL(a, b); ... }
 *
 *     int main(int argc, char **argv)
 *     {
 *         harness_add("/object/new/init-order", test_new_init_order);
 *         return harness_run(argc, argv);
 *     }
 *
 * Tests use CUnit's assertions (CU_ASSERT*, from <CUnit/CUnit.h>, included
 * here). All tests of an executable form one CUnit suite named after the
 * executable (e.g. "test-object") and run in registration order; the
 * hierarchy lives in the test paths ("/<unit>/<behaviour>/<case>").
 *
 * Leak check: the harness records object_live_count() before each test and
 * fails the test if the count differs afterwards, saying how many QOM
 * objects leaked. The check runs even when a fatal assertion (CU_ASSERT_FATAL)
 * ended the test early.
 *
 * Command line of every test executable:
 *     test-foo               run all tests
 *     test-foo /a/b          run only /a/b and the tests below it (/a/b/...)
 *     test-foo --list        print the test paths
 *
 * Output: CUnit's verbose basic report, then one line per skipped test
 *     "<exe>: skipped <path>: <why>"
 * and always, last, the summary (passed does not count skipped tests):
 *     "<exe>: N passed, N failed"
 * Exit status: 0 if no test failed, 1 otherwise, 77 if the executable was
 * skipped as a whole (line "<exe>: skipped: <why>"), 2 on a usage error.
 * scripts/run-tests.sh relies on this protocol.
 *
 * Tests run in the main thread, one after the other.
 */
#ifndef TESTS_UNIT_HARNESS_H
#define TESTS_UNIT_HARNESS_H

#include <CUnit/CUnit.h>

/*
 * harness_add: register a test.
 * @path: "/unit/behaviour/case": starts with '/', unique in the executable;
 *        copied.
 * @fn: the test body.
 * Call before harness_run(). A duplicate or malformed path aborts.
 */
void harness_add(const char *path, void (*fn)(void));

/*
 * harness_run: run the registered tests (see the header comment for the
 * command line, output and exit status).
 * Returns the exit status for main() to return.
 */
int harness_run(int argc, char **argv);

/*
 * harness_skip: skip, printing @why (one phrase, e.g. "/dev/kvm not
 * accessible").
 * - Called before harness_run() (typically from main() after probing for
 *   something the whole executable needs): harness_run() then runs nothing
 *   and returns 77.
 * - Called from inside a running test: ends that test at once (does not
 *   return) and reports it as skipped. Any CU_ASSERT that already failed in
 *   the test still fails it; the leak check still runs.
 */
void harness_skip(const char *why);

/*
 * harness_set_live_count_fn: replace object_live_count() as the source of
 * the leak check. Only for the harness's own tests (test-harness.c).
 */
void harness_set_live_count_fn(unsigned (*fn)(void));

#endif /* TESTS_UNIT_HARNESS_H */
