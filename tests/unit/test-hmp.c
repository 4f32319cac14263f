/*
 * test-hmp.c - the human monitor: QEMU 7.2's text formats, compared with
 * golden text for a known machine (tests/unit/hmp-golden/, the machine
 * of helper_golden_machine: "-M none -m 16M -cpu qemu64" with an ISA bus,
 * isa-debug-exit and isa-debugcon), the argument syntax and its errors,
 * help, and an HMP monitor on a socket with its line editor.
 *
 * To regenerate the golden files after an intended change:
 *   QOMU_HMP_GOLDEN_UPDATE=1 build/tests/unit/test-hmp
 * and review the diff.
 */
#include "util/osdep.h"
#include "monitor/hmp.h"
#include "monitor-helper.h"
#include "harness.h"

/* Where the golden files are, from this file's path at compile time
 * (tests run from the top of the tree). */
static char *golden_path(const char *name)
{
    g_autofree char *dir = g_path_get_dirname(__FILE__);

    return g_strdup_printf("%s/hmp-golden/%s", dir, name);
}

/* Thread ids change from run to run: "thread_id=N" -> "thread_id=TID". */
static char *mask_tids(const char *text)
{
    g_autoptr(GRegex) re = g_regex_new("thread_id=[0-9]+", 0, 0, NULL);

    return g_regex_replace_literal(re, text, -1, 0, "thread_id=TID", 0,
                                   NULL);
}

/* Run @cmdline; its output (CRs removed) must equal golden file @name. */
static void check_golden(const char *cmdline, const char *name)
{
    g_autofree char *raw = hmp_run_capture(cmdline, -1);
    g_autofree char *masked = mask_tids(raw);
    g_autoptr(GString) got = g_string_new(NULL);
    g_autofree char *path = golden_path(name);
    g_autofree char *want = NULL;

    for (const char *p = masked; *p; p++) {
        if (*p != '\r') {
            g_string_append_c(got, *p);
        } else {
            /* Every line of monitor output ends "\r\n", as QEMU's. */
            CU_ASSERT_EQUAL(p[1], '\n');
        }
    }
    {
        gsize lines = 0;

        for (const char *p = got->str; *p; p++) {
            lines += *p == '\n';
        }
        CU_ASSERT_EQUAL(strlen(masked) - got->len, lines);
    }
    if (g_getenv("QOMU_HMP_GOLDEN_UPDATE")) {
        g_file_set_contents(path, got->str, got->len, NULL);
    }
    if (!g_file_get_contents(path, &want, NULL, NULL)) {
        printf("\n  missing golden file %s\n", path);
        CU_FAIL("golden file");
        return;
    }
    if (strcmp(got->str, want)) {
        printf("\n  %s differs from %s:\n%s\n", cmdline, path, got->str);
    }
    CU_ASSERT_STRING_EQUAL(got->str, want);
}

static void test_golden(void)
{
    helper_golden_machine();
    check_golden("info qtree", "info-qtree.txt");
    check_golden("info qom-tree", "info-qom-tree.txt");
    check_golden("info mtree", "info-mtree.txt");
    check_golden("info mtree -f", "info-mtree-f.txt");
    check_golden("info cpus", "info-cpus.txt");
    check_golden("info status", "info-status.txt");
    check_golden("help", "help.txt");
    check_golden("info", "help-info.txt");
    check_golden("info qom-tree /machine/peripheral", "info-qom-tree-path.txt");
    helper_machine_end();
}

/* Capture @cmdline's output without CRs. */
static char *run(const char *cmdline)
{
    g_autofree char *raw = hmp_run_capture(cmdline, -1);
    GString *out = g_string_new(NULL);

    for (const char *p = raw; *p; p++) {
        if (*p != '\r') {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, false);
}

#define CHECK_HMP(cmdline, expected) do { \
        g_autofree char *got_ = run(cmdline); \
        if (strcmp(got_, (expected))) { \
            printf("\n  %s\n  got      [%s]\n  expected [%s]\n", (cmdline), \
                   got_, (expected)); \
        } \
        CU_ASSERT_STRING_EQUAL(got_, (expected)); \
    } while (0)

/* QEMU 7.2's answers to the same command lines. */
static void test_commands(void)
{
    helper_golden_machine();
    CHECK_HMP("info status", "VM status: paused (prelaunch)\n");
    CHECK_HMP("qom-get /machine/peripheral/dbg iobase", "233\n");
    CHECK_HMP("qom-get /machine/peripheral/dbg chardev", "\"dc\"\n");
    CHECK_HMP("qom-get /machine unattached", "\"/machine/unattached\"\n");
    CHECK_HMP("qom-get /machine memory", "{\n    \"size\": 16777216\n}\n");
    CHECK_HMP("qom-get /nosuch x", "Error: Device '/nosuch' not found\n");
    CHECK_HMP("qom-get /machine nosuch",
              "Error: Property 'none-machine.nosuch' not found\n");
    CHECK_HMP("qom-get", "qom-get: string expected\n"
              "Try \"help qom-get\" for more information\n");
    CHECK_HMP("qom-list", "/\n");
    CHECK_HMP("qom-list /machine/peripheral", "type (string)\n"
              "dbg (child<isa-debugcon>)\n");
    CHECK_HMP("qom-list /nosuch", "Error: Device '/nosuch' not found\n");
    CHECK_HMP("qom-list /machine extra", "qom-list: extraneous characters at "
              "the end of line\nTry \"help qom-list\" for more "
              "information\n");
    CHECK_HMP("qom-set /machine graphics off", "");
    CHECK_HMP("qom-get /machine graphics", "false\n");
    CHECK_HMP("qom-set /machine graphics xyz",
              "Error: Parameter 'graphics' expects 'on' or 'off'\n");
    CHECK_HMP("qom-set -j /machine graphics true", "");
    CHECK_HMP("qom-get /machine graphics", "true\n");
    CHECK_HMP("qom-set -j /machine graphics xx",
              "Error: JSON parse error, invalid keyword 'xx'\n");
    CHECK_HMP("qom-set /machine kernel \"a b\"", "");
    CHECK_HMP("qom-get /machine kernel", "\"\\\"a b\\\"\"\n");
    CHECK_HMP("qom-set /machine graphics", "qom-set: string expected\n"
              "Try \"help qom-set\" for more information\n");
    CHECK_HMP("nosuch", "unknown command: 'nosuch'\n");
    CHECK_HMP("info nosuch", "unknown command: 'info nosuch'\n");
    CHECK_HMP("info mtree -x", "mtree: unsupported option -x\n"
              "Try \"help info mtree\" for more information\n");
    CHECK_HMP("info cpus extra", "cpus: extraneous characters at the end of "
              "line\nTry \"help info cpus\" for more information\n");
    CHECK_HMP("info qom-tree /nosuch",
              "Path '/nosuch' could not be resolved.\n");
    CHECK_HMP("help qom-get", "qom-get path property -- print QOM property\n");
    CHECK_HMP("help info cpus", "info cpus  -- show infos for each CPU\n");
    CHECK_HMP("help nosuch", "unknown command: 'nosuch'\n");
    CHECK_HMP("", "");
    CHECK_HMP("  info   status  ", "VM status: paused (prelaunch)\n");
    CHECK_HMP("info version", "7.2.0qomu 0.1\n");
    {
        g_autofree char *want = g_strdup_printf(
            "Error: Bus '%s' does not support hotplugging\n",
            BUS(isa_bus_get())->name);

        CHECK_HMP("device_add isa-debug-exit,iobase=0xf8", want);
    }
    CHECK_HMP("device_add nosuch",
              "Error: 'nosuch' is not a valid device model name\n");
    CHECK_HMP("device_add", "Error: Parameter 'driver' is missing\n");
    /* run state: the commands, and what info status says after */
    CHECK_HMP("stop", "");
    CHECK_HMP("info status", "VM status: paused (prelaunch)\n");
    CHECK_HMP("c", "");
    CHECK_HMP("info status", "VM status: running\n");
    CHECK_HMP("s", "");
    CHECK_HMP("info status", "VM status: paused\n");
    helper_machine_end();
}

/* An HMP monitor on a socket: banner, prompt, QEMU's line redraws. */
static void test_socket(void)
{
    char *path;
    TestClient *c;
    g_autofree char *banner = NULL, *echo = NULL, *status = NULL;

    helper_golden_machine();
    helper_monitor_socket("hmp0", false, &path);
    c = client_connect(path);
    banner = client_line(c);
    CU_ASSERT_STRING_EQUAL(banner, "QEMU 7.2.0 monitor - type 'help' for "
                           "more information");
    client_send(c, "info status\n");
    echo = client_line(c);
    /* "(qemu) ", then each key redraws the line: "i\e[K\e[Din\e[K..." */
    CU_ASSERT_TRUE(g_str_has_prefix(echo, "(qemu) i\033[K\033[Din\033[K"));
    CU_ASSERT_TRUE(g_str_has_suffix(echo, "info status\033[K"));
    status = client_line(c);
    CU_ASSERT_STRING_EQUAL(status, "VM status: paused (prelaunch)");
    /* history: up-arrow brings the line back */
    client_send(c, "\033[A\n");
    {
        g_autofree char *line = client_line(c);
        g_autofree char *again = client_line(c);

        CU_ASSERT_TRUE(g_str_has_suffix(line, "info status\033[K"));
        CU_ASSERT_STRING_EQUAL(again, "VM status: paused (prelaunch)");
    }
    client_close(c);
    helper_machine_end();
    g_free(path);
}

int main(int argc, char **argv)
{
    monitor_helper_main_init();
    harness_add("/hmp/golden", test_golden);
    harness_add("/hmp/commands", test_commands);
    harness_add("/hmp/socket", test_socket);
    return harness_run(argc, argv);
}
