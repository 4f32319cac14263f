/*
 * test-monitor-qmp.c - the QMP monitor over a real Unix socket, against
 * an in-process pc machine (dummy accelerator): the transcript of a
 * session (greeting, negotiation, errors, events), each command, and
 * robustness (malformed, oversized and flooded input, clients that
 * leave mid-command or stop reading, several monitors at once).
 * Expected lines are QEMU 7.2's for the same requests.
 */
#include "util/osdep.h"
#include "monitor-helper.h"
#include "harness.h"

#define QSTATUS "{\"execute\": \"query-status\"}"

/* Send @request; the reply must be @expected exactly. */
#define CHECK_REPLY(c, request, expected) do { \
        g_autofree char *got_ = client_cmd((c), (request)); \
        if (g_strcmp0(got_, (expected))) { \
            printf("\n  request  %s\n  got      %s\n  expected %s\n", \
                   (request), got_, (expected)); \
        } \
        CU_ASSERT_STRING_EQUAL(got_ ? got_ : "(timeout)", (expected)); \
    } while (0)

/* A line must start with @prefix (events carry a varying timestamp). */
static void check_event(TestClient *c, const char *rest)
{
    g_autofree char *line = client_line(c);
    g_autofree char *tail = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    CU_ASSERT_TRUE(g_str_has_prefix(line, "{\"timestamp\": {\"seconds\": "));
    tail = g_strdup(strstr(line, "}, ") ? strstr(line, "}, ") + 3 : "");
    if (strcmp(tail, rest)) {
        printf("\n  event %s\n  expected ... %s\n", line, rest);
    }
    CU_ASSERT_STRING_EQUAL(tail, rest);
}

static TestClient *setup(char **path)
{
    helper_pc_machine(2);
    helper_monitor_socket("qmp0", true, path);
    return client_connect(*path);
}

static void teardown(TestClient *c, char *path)
{
    client_close(c);
    helper_machine_end();
    CU_ASSERT_EQUAL(monitor_count(), 0);
    /* The socket file goes with its chardev. */
    CU_ASSERT_FALSE(g_file_test(path, G_FILE_TEST_EXISTS));
    g_free(path);
}

/* --- the transcript of a session -------------------------------------- */

static void test_transcript(void)
{
    char *path;
    TestClient *c = setup(&path);
    g_autofree char *greeting = client_line(c);
    struct stat st;

    /* The socket is private to the VMM's user (0600). */
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_STRING_EQUAL(greeting, "{\"QMP\": {\"version\": {\"qemu\": "
        "{\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": "
        "\"qomu 0.1\"}, \"capabilities\": []}}");
    CHECK_REPLY(c, QSTATUS, "{\"error\": {\"class\": \"CommandNotFound\", "
                "\"desc\": \"Expecting capabilities negotiation with "
                "'qmp_capabilities'\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":"
                "{\"enable\":[\"oob\"]}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"Capability oob not available\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qmp_capabilities\",\"id\":1}",
                "{\"return\": {}, \"id\": 1}");
    CHECK_REPLY(c, "{\"execute\":\"qmp_capabilities\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"Capabilities negotiation is already complete, command "
                "ignored\"}}");
    CHECK_REPLY(c, "{\"execute\":\"query-status\",\"id\":\"x\"}",
                "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": "
                "false, \"running\": false}, \"id\": \"x\"}");
    CHECK_REPLY(c, "{\"execute\":\"nosuch\",\"id\":7}",
                "{\"id\": 7, \"error\": {\"class\": \"CommandNotFound\", "
                "\"desc\": \"The command nosuch has not been found\"}}");
    /* stop in prelaunch: no event, the state stays */
    CHECK_REPLY(c, "{\"execute\":\"stop\"}", "{\"return\": {}}");
    client_send(c, "{\"execute\":\"cont\"}");
    check_event(c, "\"event\": \"RESUME\"}");
    CHECK_REPLY(c, "", "{\"return\": {}}");
    client_send(c, "{\"execute\":\"stop\"}");
    check_event(c, "\"event\": \"STOP\"}");
    CHECK_REPLY(c, "", "{\"return\": {}}");
    /* The reset happens, and says so, before the reply (as QEMU). */
    client_send(c, "{\"execute\":\"system_reset\"}");
    check_event(c, "\"event\": \"RESET\", \"data\": {\"guest\": false, "
                "\"reason\": \"host-qmp-system-reset\"}}");
    CHECK_REPLY(c, "", "{\"return\": {}}");
    CHECK_REPLY(c, QSTATUS, "{\"return\": {\"status\": \"prelaunch\", "
                "\"singlestep\": false, \"running\": false}}");
    /* quit: SHUTDOWN, then the reply as the monitor goes away. */
    client_send(c, "{\"execute\":\"quit\"}");
    for (int i = 0; i < 1000 && !helper_loop_once(); i++) {
        g_usleep(1000);
    }
    check_event(c, "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, "
                "\"reason\": \"host-qmp-quit\"}}");
    monitor_cleanup();
    CHECK_REPLY(c, "", "{\"return\": {}}");
    teardown(c, path);
}

/* --- the request's shape ---------------------------------------------- */

static void test_request_errors(void)
{
    char *path;
    TestClient *c;

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    CHECK_REPLY(c, "[1,2]", "{\"error\": {\"class\": \"GenericError\", "
                "\"desc\": \"QMP input must be a JSON object\"}}");
    CHECK_REPLY(c, "42\n", "{\"error\": {\"class\": \"GenericError\", "
                "\"desc\": \"QMP input must be a JSON object\"}}");
    CHECK_REPLY(c, "{\"execute\":1}", "{\"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"QMP input member 'execute' "
                "must be a string\"}}");
    CHECK_REPLY(c, "{\"execute\":\"query-status\",\"arguments\":[]}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
                "input member 'arguments' must be an object\"}}");
    CHECK_REPLY(c, "{\"execute\":\"query-status\",\"foo\":1}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP "
                "input member 'foo' is unexpected\"}}");
    CHECK_REPLY(c, "{\"arguments\":{}}", "{\"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"QMP input lacks member "
                "'execute'\"}}");
    CHECK_REPLY(c, "{\"execute\":\"query-status\",\"arguments\":{\"x\":1}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"Parameter 'x' is unexpected\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":"
                "{\"path\":\"/machine\"}}", "{\"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"Parameter 'property' is "
                "missing\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":1,"
                "\"property\":\"x\"}}", "{\"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"Invalid parameter type for "
                "'path', expected: string\"}}");
    CHECK_REPLY(c, "{\"execute\":\"query-status\",\"id\":{\"a\":[1,2]}}",
                "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": "
                "false, \"running\": false}, \"id\": {\"a\": [1, 2]}}");
    CHECK_REPLY(c, "{foo}", "{\"error\": {\"class\": \"GenericError\", "
                "\"desc\": \"JSON parse error, invalid keyword 'foo'\"}}");
    /* The client's bytes in a message stay valid UTF-8 (QEMU's writer
     * prints U+FFFD for them too). */
    CHECK_REPLY(c, "\xff", "{\"error\": {\"class\": \"GenericError\", "
                "\"desc\": \"JSON parse error, stray '\\uFFFD'\"}}");
    CHECK_REPLY(c, "{'execute':'query-status'}", "{\"return\": {\"status\": "
                "\"prelaunch\", \"singlestep\": false, \"running\": false}}");
    /* A request split over several sends, then two in one send. */
    client_send(c, "{\"exec");
    helper_loop_once();
    client_send(c, "ute\": \"query-");
    helper_loop_once();
    CHECK_REPLY(c, "kvm\"}", "{\"return\": {\"enabled\": false, "
                "\"present\": true}}");
    client_send(c, "{\"execute\":\"query-kvm\",\"id\":1}"
                   "{\"execute\":\"query-kvm\",\"id\":2}");
    {
        g_autofree char *a = client_line(c);
        g_autofree char *b = client_line(c);

        CU_ASSERT_STRING_EQUAL(a, "{\"return\": {\"enabled\": false, "
                               "\"present\": true}, \"id\": 1}");
        CU_ASSERT_STRING_EQUAL(b, "{\"return\": {\"enabled\": false, "
                               "\"present\": true}, \"id\": 2}");
    }
    teardown(c, path);
}

/* --- commands ----------------------------------------------------------- */

static bool reply_list_has(const char *line, const char *needle)
{
    return line && strstr(line, needle) != NULL;
}

static void test_queries(void)
{
    char *path;
    TestClient *c;
    g_autofree char *cmds = NULL, *machines = NULL, *cpu_list = NULL;
    CPUState *cpu;

    helper_pc_machine(2);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    CHECK_REPLY(c, "{\"execute\":\"query-version\"}", "{\"return\": "
                "{\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                "\"package\": \"qomu 0.1\"}}");
    cmds = client_cmd(c, "{\"execute\":\"query-commands\"}");
    CU_ASSERT_TRUE(g_str_has_prefix(cmds, "{\"return\": [{\"name\": "
                                    "\"object-del\"}, "));
    CU_ASSERT_TRUE(reply_list_has(cmds, "{\"name\": \"qom-get\"}"));
    CU_ASSERT_TRUE(reply_list_has(cmds, "{\"name\": \"qmp_capabilities\"}"));
    machines = client_cmd(c, "{\"execute\":\"query-machines\"}");
    CU_ASSERT_TRUE(reply_list_has(machines, "{\"hotpluggable-cpus\": false, "
        "\"name\": \"pc-i440fx-7.2\", \"numa-mem-supported\": false, "
        "\"default-cpu-type\": \"qemu64-x86_64-cpu\", \"is-default\": true, "
        "\"cpu-max\": 255, \"deprecated\": false, \"default-ram-id\": "
        "\"pc.ram\", \"alias\": \"pc\"}"));
    /* query-cpus-fast: the real thread ids of the vCPU threads */
    cpu_list = client_cmd(c, "{\"execute\":\"query-cpus-fast\"}");
    CPU_FOREACH(cpu) {
        g_autofree char *qom_path = object_get_canonical_path(OBJECT(cpu));
        g_autofree char *want = g_strdup_printf(
            "{\"thread-id\": %d, \"props\": {\"core-id\": %d, "
            "\"thread-id\": 0, \"socket-id\": 0}, \"qom-path\": "
            "\"%s\", \"cpu-index\": %d, \"target\": \"x86_64\"}",
            (int)cpu->thread_id, cpu->cpu_index, qom_path, cpu->cpu_index);

        CU_ASSERT(cpu->thread_id > 0);
        CU_ASSERT_TRUE(reply_list_has(cpu_list, want));
    }
    CHECK_REPLY(c, "{\"execute\":\"human-monitor-command\",\"arguments\":"
                "{\"command-line\":\"info status\"}}",
                "{\"return\": \"VM status: paused (prelaunch)\\r\\n\"}");
    {
        g_autofree char *want = g_strdup_printf(
            "{\"return\": \"  CPU #0: thread_id=%d\\r\\n"
            "* CPU #1: thread_id=%d\\r\\n\"}",
            (int)((CPUState *)g_ptr_array_index(cpus, 0))->thread_id,
            (int)((CPUState *)g_ptr_array_index(cpus, 1))->thread_id);

        CHECK_REPLY(c, "{\"execute\":\"human-monitor-command\","
                    "\"arguments\":{\"command-line\":\"info cpus\","
                    "\"cpu-index\":1}}", want);
    }
    CHECK_REPLY(c, "{\"execute\":\"human-monitor-command\",\"arguments\":"
                "{\"command-line\":\"info cpus\",\"cpu-index\":9}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"Parameter 'cpu-index' expects a CPU number\"}}");
    teardown(c, path);
}

static void test_qom(void)
{
    char *path, *req;
    TestClient *c;
    g_autofree char *list = NULL, *cpu_path = NULL;

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    /* QEMU's order: "type" first, the object's own children last. */
    list = client_cmd(c, "{\"execute\":\"qom-list\",\"arguments\":"
                         "{\"path\":\"/machine\"}}");
    CU_ASSERT_TRUE(g_str_has_prefix(list, "{\"return\": [{\"name\": "
                                    "\"type\", \"type\": \"string\"}, "));
    CU_ASSERT_TRUE(reply_list_has(list, "{\"name\": \"unattached\", "
                                  "\"type\": \"child<container>\"}"));
    CU_ASSERT_TRUE(reply_list_has(list, "{\"name\": \"peripheral\", "
                                  "\"type\": \"child<container>\"}]}"));
    CHECK_REPLY(c, "{\"execute\":\"qom-list\",\"arguments\":"
                "{\"path\":\"/nonexist\"}}", "{\"error\": {\"class\": "
                "\"DeviceNotFound\", \"desc\": \"Device '/nonexist' not "
                "found\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-list\",\"arguments\":{\"path\":\"\"}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Path "
                "'' is ambiguous\"}}");
    cpu_path = object_get_canonical_path(OBJECT(g_ptr_array_index(cpus, 0)));
    req = g_strdup_printf("{\"execute\":\"qom-get\",\"arguments\":"
                          "{\"path\":\"%s\",\"property\":\"realized\"}}",
                          cpu_path);
    CHECK_REPLY(c, req, "{\"return\": true}");
    g_free(req);
    /* a child reads as its path, an empty link as "" */
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":"
                "\"/machine\",\"property\":\"unattached\"}}",
                "{\"return\": \"/machine/unattached\"}");
    req = g_strdup_printf("{\"execute\":\"qom-get\",\"arguments\":"
                          "{\"path\":\"%s\",\"property\":\"parent_bus\"}}",
                          cpu_path);
    CHECK_REPLY(c, req, "{\"return\": \"\"}");
    g_free(req);
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":"
                "\"/machine\",\"property\":\"nope\"}}", "{\"error\": "
                "{\"class\": \"GenericError\", \"desc\": \"Property "
                "'pc-i440fx-7.2-machine.nope' not found\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":"
                "\"/nonexist\",\"property\":\"x\"}}", "{\"error\": "
                "{\"class\": \"DeviceNotFound\", \"desc\": \"Device "
                "'/nonexist' not found\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":"
                "\"machine\",\"property\":\"type\"}}",
                "{\"return\": \"pc-i440fx-7.2-machine\"}");
    /* qom-set: a writable property, and the setter's type check */
    CHECK_REPLY(c, "{\"execute\":\"qom-set\",\"arguments\":{\"path\":"
                "\"/machine\",\"property\":\"graphics\",\"value\":false}}",
                "{\"return\": {}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-get\",\"arguments\":{\"path\":"
                "\"/machine\",\"property\":\"graphics\"}}",
                "{\"return\": false}");
    CHECK_REPLY(c, "{\"execute\":\"qom-set\",\"arguments\":{\"path\":"
                "\"/machine\",\"property\":\"graphics\",\"value\":\"x\"}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"Invalid parameter type for 'graphics', expected: "
                "boolean\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-set\",\"arguments\":{\"path\":"
                "\"/machine\",\"property\":\"graphics\"}}", "{\"error\": "
                "{\"class\": \"GenericError\", \"desc\": \"Parameter "
                "'value' is missing\"}}");
    CHECK_REPLY(c, "{\"execute\":\"qom-set\",\"arguments\":{\"path\":"
                "\"/machine/peripheral-anon\",\"property\":\"type\","
                "\"value\":\"x\"}}", "{\"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"Insufficient permission to "
                "perform this operation\"}}");
    teardown(c, path);
}

static void test_types(void)
{
    char *path;
    TestClient *c;
    g_autofree char *types = NULL, *abstract = NULL, *props = NULL;

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    types = client_cmd(c, "{\"execute\":\"qom-list-types\",\"arguments\":"
                          "{\"implements\":\"isa-device\"}}");
    CU_ASSERT_TRUE(reply_list_has(types, "{\"name\": \"isa-debug-exit\", "
                                  "\"parent\": \"isa-device\"}"));
    CU_ASSERT_FALSE(reply_list_has(types, "\"abstract\""));
    abstract = client_cmd(c, "{\"execute\":\"qom-list-types\",\"arguments\":"
                             "{\"implements\":\"device\",\"abstract\":true}}");
    CU_ASSERT_TRUE(reply_list_has(abstract, "{\"abstract\": true, \"name\": "
                                  "\"isa-device\", \"parent\": "
                                  "\"device\"}"));
    CHECK_REPLY(c, "{\"execute\":\"qom-list-types\",\"arguments\":"
                "{\"implements\":\"nosuch\"}}", "{\"return\": []}");
    props = client_cmd(c, "{\"execute\":\"qom-list-properties\","
                          "\"arguments\":{\"typename\":\"isa-debug-exit\"}}");
    CU_ASSERT_TRUE(g_str_has_prefix(props, "{\"return\": [{\"name\": "
                                    "\"type\", \"type\": \"string\"}, "));
    CU_ASSERT_TRUE(reply_list_has(props, "{\"name\": \"iobase\", \"type\": "
                                  "\"uint32\"}"));
    CHECK_REPLY(c, "{\"execute\":\"qom-list-properties\",\"arguments\":"
                "{\"typename\":\"nosuch\"}}", "{\"error\": {\"class\": "
                "\"DeviceNotFound\", \"desc\": \"Class 'nosuch' not "
                "found\"}}");
    CHECK_REPLY(c, "{\"execute\":\"device-list-properties\",\"arguments\":"
                "{\"typename\":\"isa-debug-exit\"}}", "{\"return\": "
                "[{\"default-value\": 1281, \"name\": \"iobase\", "
                "\"type\": \"uint32\"}, {\"default-value\": 2, \"name\": "
                "\"iosize\", \"type\": \"uint32\"}]}");
    CHECK_REPLY(c, "{\"execute\":\"device-list-properties\",\"arguments\":"
                "{\"typename\":\"nosuch\"}}", "{\"error\": {\"class\": "
                "\"DeviceNotFound\", \"desc\": \"Device 'nosuch' not "
                "found\"}}");
    CHECK_REPLY(c, "{\"execute\":\"device-list-properties\",\"arguments\":"
                "{\"typename\":\"device\"}}", "{\"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"Parameter 'typename' expects "
                "a non-abstract device type\"}}");
    teardown(c, path);
}

/* -S: the machine is ready, so this is hot-plug; ISA has none (QEMU's
 * answers, word for word). */
static void test_device_add(void)
{
    char *path;
    TestClient *c;
    g_autofree char *want = NULL;

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    /* (QEMU's bus is isa.0; bus numbers count up in this process) */
    want = g_strdup_printf("{\"error\": {\"class\": \"GenericError\", "
                           "\"desc\": \"Bus '%s' does not support "
                           "hotplugging\"}}", BUS(isa_bus_get())->name);
    CHECK_REPLY(c, "{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
                "\"isa-debug-exit\",\"iobase\":244}}", want);
    CHECK_REPLY(c, "{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
                "\"nosuch\"}}", "{\"error\": {\"class\": \"GenericError\", "
                "\"desc\": \"'nosuch' is not a valid device model name\"}}");
    CHECK_REPLY(c, "{\"execute\":\"device_add\",\"arguments\":{}}",
                "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"Parameter 'driver' is missing\"}}");
    CHECK_REPLY(c, "{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
                "\"isa-debug-exit\",\"id\":\"1bad\"}}", "{\"error\": "
                "{\"class\": \"GenericError\", \"desc\": \"Parameter 'id' "
                "expects an identifier\"}}");
    CHECK_REPLY(c, "{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
                "\"device\"}}", "{\"error\": {\"class\": \"GenericError\", "
                "\"desc\": \"Parameter 'driver' expects a non-abstract "
                "device type\"}}");
    teardown(c, path);
}

/* --- robustness --------------------------------------------------------- */

/* Too large a request: one error, and the connection goes on. */
static void test_oversized(void)
{
    char *path;
    TestClient *c;
    GString *big = g_string_new("{\"execute\": \"query-status\", \"id\": \"");

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    while (big->len < QMP_JSON_MAX_VALUE_SIZE + 100) {
        g_string_append(big, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
    g_string_append(big, "\"}\n");
    client_send_len(c, big->str, big->len);
    {
        g_autofree char *err = client_line(c);

        CU_ASSERT_STRING_EQUAL(err, "{\"error\": {\"class\": \"GenericError\", "
                               "\"desc\": \"JSON token size limit "
                               "exceeded\"}}");
    }
    /* what followed the huge token is read afresh; drain its errors */
    client_send(c, "\n{\"execute\":\"query-kvm\",\"id\":\"after\"}");
    for (int i = 0; i < 10; i++) {
        g_autofree char *line = client_line(c);

        CU_ASSERT_PTR_NOT_NULL_FATAL(line);
        if (strstr(line, "\"id\": \"after\"")) {
            break;
        }
    }
    g_string_free(big, true);
    teardown(c, path);
}

/* Many requests at once, read as they come: every one answered, in
 * order. */
static void test_flood(void)
{
    char *path;
    TestClient *c;
    GString *many = g_string_new(NULL);
    int n = 2000;

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    for (int i = 0; i < n; i++) {
        g_string_append_printf(many, "{\"execute\":\"query-kvm\",\"id\":%d}",
                               i);
    }
    client_send_len(c, many->str, many->len);
    for (int i = 0; i < n; i++) {
        g_autofree char *line = client_line(c);
        g_autofree char *want = g_strdup_printf("{\"return\": {\"enabled\": "
                                                "false, \"present\": true}, "
                                                "\"id\": %d}", i);

        CU_ASSERT_STRING_EQUAL_FATAL(line ? line : "(timeout)", want);
    }
    g_string_free(many, true);
    teardown(c, path);
}

/*
 * A client that floods requests and reads nothing does not stop the VMM:
 * its monitor stops reading, the main loop goes on, and a second
 * monitor answers meanwhile.
 */
static void test_stalled_client(void)
{
    char *path_a, *path_b;
    TestClient *a, *b;
    GString *chunk = g_string_new(NULL);
    size_t sent = 0;

    helper_pc_machine(1);
    helper_monitor_socket("qmpa", true, &path_a);
    helper_monitor_socket("qmpb", true, &path_b);
    a = qmp_client_negotiated(path_a);
    b = qmp_client_negotiated(path_b);
    while (chunk->len < 65536) {
        g_string_append(chunk, "{\"execute\":\"query-machines\"}");
    }
    /* Until the kernel's buffers are full in both directions. */
    for (int idle = 0; idle < 50;) {
        ssize_t n = send(a->fd, chunk->str, chunk->len,
                         MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n > 0) {
            sent += n;
            idle = 0;
        } else {
            idle++;
        }
        helper_loop_once();
    }
    CU_ASSERT(sent > 0);
    CHECK_REPLY(b, QSTATUS, "{\"return\": {\"status\": \"prelaunch\", "
                "\"singlestep\": false, \"running\": false}}");
    /* The stalled client leaves; the other goes on. */
    client_close(a);
    for (int i = 0; i < 100; i++) {
        helper_loop_once();
    }
    CHECK_REPLY(b, QSTATUS, "{\"return\": {\"status\": \"prelaunch\", "
                "\"singlestep\": false, \"running\": false}}");
    g_string_free(chunk, true);
    g_free(path_a);
    teardown(b, path_b);
}

/* A client that leaves mid-command; the next one starts afresh. */
static void test_disconnect(void)
{
    char *path;
    TestClient *c;

    helper_pc_machine(1);
    helper_monitor_socket("qmp0", true, &path);
    c = qmp_client_negotiated(path);
    client_send(c, "{\"execute\":\"query-machines\"}{\"execute\":\"qom-li");
    client_close(c);
    for (int i = 0; i < 50; i++) {
        helper_loop_once();
    }
    c = client_connect(path);
    {
        g_autofree char *greeting = client_line(c);

        CU_ASSERT_TRUE(g_str_has_prefix(greeting, "{\"QMP\": "));
    }
    /* negotiation is per connection */
    CHECK_REPLY(c, QSTATUS, "{\"error\": {\"class\": \"CommandNotFound\", "
                "\"desc\": \"Expecting capabilities negotiation with "
                "'qmp_capabilities'\"}}");
    teardown(c, path);
}

/* Several monitors: each its own negotiation; events reach all that
 * negotiated; an HMP monitor beside them. */
static void test_several_monitors(void)
{
    char *p1, *p2, *p3;
    TestClient *c1, *c2, *h;

    helper_pc_machine(1);
    helper_monitor_socket("qmp1", true, &p1);
    helper_monitor_socket("qmp2", true, &p2);
    helper_monitor_socket("hmp", false, &p3);
    CU_ASSERT_EQUAL(monitor_count(), 3);
    c1 = qmp_client_negotiated(p1);
    c2 = qmp_client_negotiated(p2);
    h = client_connect(p3);
    {
        g_autofree char *banner = client_line(h);

        CU_ASSERT_STRING_EQUAL(banner, "QEMU 7.2.0 monitor - type 'help' "
                               "for more information");
    }
    client_send(c1, "{\"execute\":\"cont\"}");
    check_event(c1, "\"event\": \"RESUME\"}");
    check_event(c2, "\"event\": \"RESUME\"}");
    CHECK_REPLY(c1, "", "{\"return\": {}}");
    /* stop from HMP: the QMP clients see it */
    client_send(h, "stop\n");
    check_event(c1, "\"event\": \"STOP\"}");
    check_event(c2, "\"event\": \"STOP\"}");
    CHECK_REPLY(c2, QSTATUS, "{\"return\": {\"status\": \"paused\", "
                "\"singlestep\": false, \"running\": false}}");
    client_close(h);
    client_close(c2);
    g_free(p2);
    g_free(p3);
    teardown(c1, p1);
}

int main(int argc, char **argv)
{
    monitor_helper_main_init();
    harness_add("/monitor-qmp/transcript", test_transcript);
    harness_add("/monitor-qmp/request-errors", test_request_errors);
    harness_add("/monitor-qmp/queries", test_queries);
    harness_add("/monitor-qmp/qom", test_qom);
    harness_add("/monitor-qmp/types", test_types);
    harness_add("/monitor-qmp/device-add", test_device_add);
    harness_add("/monitor-qmp/robust/oversized", test_oversized);
    harness_add("/monitor-qmp/robust/flood", test_flood);
    harness_add("/monitor-qmp/robust/stalled-client", test_stalled_client);
    harness_add("/monitor-qmp/robust/disconnect", test_disconnect);
    harness_add("/monitor-qmp/several-monitors", test_several_monitors);
    return harness_run(argc, argv);
}
