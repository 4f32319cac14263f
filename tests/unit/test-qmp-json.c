/*
 * test-qmp-json.c - the QMP codec (monitor/qmp-json.c, json-streamer.c):
 * the streaming reader (values split across reads, several per read,
 * bounded buffer, oversized and malformed input with QEMU 7.2's
 * messages) and the writer (QEMU's wire format and member order).
 * Expected strings were recorded from qemu-system-x86_64 7.2.
 */
#include "util/osdep.h"
#include "monitor/qmp-json.h"
#include "harness.h"

/* Feed @text in chunks of @chunk bytes; collect each result as JSON
 * text or "error: MSG", joined by "\n". */
static char *read_all(const char *text, size_t chunk)
{
    QmpJsonReader *r = qmp_json_reader_new(QMP_JSON_MAX_VALUE_SIZE);
    GString *out = g_string_new(NULL);
    size_t len = strlen(text), pos = 0;
    GVariant *v;
    Error *err = NULL;

    while (pos < len) {
        size_t n = MIN(MIN(chunk, len - pos), qmp_json_reader_space(r));

        g_assert(n > 0);
        qmp_json_reader_feed(r, text + pos, n);
        pos += n;
        while (qmp_json_reader_next(r, &v, &err)) {
            if (out->len) {
                g_string_append_c(out, '\n');
            }
            if (err) {
                g_string_append_printf(out, "error: %s",
                                       error_get_pretty(err));
                g_clear_pointer(&err, error_free);
            } else {
                qmp_json_append(out, v, false);
                g_variant_unref(v);
            }
        }
    }
    qmp_json_reader_free(r);
    return g_string_free(out, false);
}

static void check_read(const char *in, const char *expected)
{
    /* Whole, byte by byte, and in odd chunks: the same results. */
    static const size_t chunks[] = { 1 << 20, 1, 3, 7 };

    for (size_t i = 0; i < G_N_ELEMENTS(chunks); i++) {
        g_autofree char *got = read_all(in, chunks[i]);

        if (strcmp(got, expected)) {
            printf("input %s (chunk %zu)\n  got      %s\n  expected %s\n",
                   in, chunks[i], got, expected);
        }
        CU_ASSERT_STRING_EQUAL(got, expected);
    }
}

static void test_read_values(void)
{
    check_read("{\"execute\": \"qmp_capabilities\"}\n",
               "{\"execute\": \"qmp_capabilities\"}");
    /* Several in one read, with and without separators. */
    check_read("{\"a\":1}{\"b\":[true,false,null]}\r\n[]",
               "{\"a\": 1}\n{\"b\": [true, false, null]}\n[]");
    /* Scalars at top level end at the next delimiter. */
    check_read("42 \"s\" -1.5 ", "42\n\"s\"\n-1.5");
    /* QEMU's extensions: single quotes, \' */
    check_read("{'execute':'it\\'s \"ok\"'}",
               "{\"execute\": \"it's \\\"ok\\\"\"}");
}

static void test_read_numbers(void)
{
    g_autoptr(GVariant) v = NULL;

    check_read("[9223372036854775807,9223372036854775808,"
               "18446744073709551615,18446744073709551616,"
               "-9223372036854775808,-9223372036854775809,1e3,0.1,-0]",
               "[9223372036854775807, 9223372036854775808, "
               "18446744073709551615, 1.8446744073709552e+19, "
               "-9223372036854775808, -9.2233720368547758e+18, 1000, "
               "0.10000000000000001, 0]");
    v = qmp_json_parse("[1, 18446744073709551615, 1.5]", &error_abort);
    CU_ASSERT_STRING_EQUAL(g_variant_get_type_string(v), "av");
    {
        g_autoptr(GVariant) a = g_variant_get_child_value(v, 0);
        g_autoptr(GVariant) b = g_variant_get_child_value(v, 1);
        g_autoptr(GVariant) c = g_variant_get_child_value(v, 2);
        g_autoptr(GVariant) ia = g_variant_get_variant(a);
        g_autoptr(GVariant) ib = g_variant_get_variant(b);
        g_autoptr(GVariant) ic = g_variant_get_variant(c);

        CU_ASSERT_STRING_EQUAL(g_variant_get_type_string(ia), "x");
        CU_ASSERT_STRING_EQUAL(g_variant_get_type_string(ib), "t");
        CU_ASSERT_EQUAL(g_variant_get_uint64(ib), UINT64_MAX);
        CU_ASSERT_STRING_EQUAL(g_variant_get_type_string(ic), "d");
    }
}

static void test_read_strings(void)
{
    check_read("\"a\\/b\\u00e9\\ud83d\\ude00\\t\\u001f\"",
               "\"a/b\\u00E9\\uD83D\\uDE00\\t\\u001F\"");
    check_read("\"\xc3\xa9\"", "\"\\u00E9\"");
    check_read("\"\\x\"", "error: JSON parse error, invalid escape "
               "sequence in string");
    check_read("\"\\ud800\"", "error: JSON parse error, \\ud800 is not a "
               "valid Unicode character");
    /* A byte that cannot be in a string ends it as QEMU's lexer does:
     * the error quotes the token so far. */
    check_read("\"\xff\"", "error: JSON parse error, stray '\"\xff'");
    check_read("\"\xc3\x28\"", "error: JSON parse error, invalid UTF-8 "
               "sequence in string");
    /* U+0000 cannot live in a GVariant string (a documented deviation:
     * QEMU keeps it as modified UTF-8). */
    check_read("\"\\u0000\"", "error: JSON parse error, \\u0000 is not a "
               "valid Unicode character");
}

/* QEMU 7.2's messages for the same inputs (see the file comment). */
static void test_read_malformed(void)
{
    check_read("{foo}", "error: JSON parse error, invalid keyword 'foo'");
    check_read("{\"execute\": \"query-status\" xyz}",
               "error: JSON parse error, expected separator in dict");
    check_read("{\"execute\":\"query-status\"}}",
               "{\"execute\": \"query-status\"}\n"
               "error: JSON parse error, expecting value");
    check_read("]", "error: JSON parse error, expecting value");
    check_read("[1 2]", "error: JSON parse error, expected separator in "
               "list");
    check_read("{\"a\":1,}", "error: JSON parse error, expecting value");
    check_read("{\"a\" 1}", "error: JSON parse error, missing : in object "
               "pair");
    check_read("{1:2}", "error: JSON parse error, key is not a string in "
               "object");
    check_read("{\"a\":1,\"a\":2}", "error: JSON parse error, duplicate "
               "key");
    check_read("{\"a\":}", "error: JSON parse error, expecting value");
    check_read("[1,]", "error: JSON parse error, expecting value");
    check_read("01 ", "error: JSON parse error, stray '01'");
    /* After a lexical error, QEMU resynchronises at the next structural
     * character; what follows is read afresh. */
    check_read("{\"a\": @ } {\"b\":2}",
               "error: JSON parse error, stray '@'\n"
               "error: JSON parse error, expecting value\n"
               "{\"b\": 2}");
    check_read("\xff{\"ok\":true}",
               "error: JSON parse error, stray '\xff'\n{\"ok\": true}");
}

static void test_read_limits(void)
{
    GString *deep = g_string_new(NULL);
    GString *big = g_string_new("[\"");
    g_autofree char *got = NULL;

    for (int i = 0; i <= 1024; i++) {
        g_string_append_c(deep, '[');
    }
    got = read_all(deep->str, 4096);
    CU_ASSERT_STRING_EQUAL(got, "error: JSON nesting depth limit exceeded");
    g_string_free(deep, true);
    g_clear_pointer(&got, g_free);

    /* A value larger than the limit: one error, memory stays bounded,
     * and the reader goes on afterwards. */
    while (big->len < QMP_JSON_MAX_VALUE_SIZE + 10) {
        g_string_append(big, "xxxxxxxxxxxxxxxx");
    }
    g_string_append(big, "\"]\n{\"after\": 1}");
    got = read_all(big->str, 4096);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "error: JSON token size limit "
                                  "exceeded"));
    CU_ASSERT_PTR_NOT_NULL(g_str_has_suffix(got, "{\"after\": 1}") ? got
                                                                  : NULL);
    g_string_free(big, true);
}

/* The buffer is bounded: feed stops being accepted until next() ran. */
static void test_read_backpressure(void)
{
    QmpJsonReader *r = qmp_json_reader_new(QMP_JSON_MAX_VALUE_SIZE);
    GString *many = g_string_new(NULL);
    GVariant *v;
    size_t space;
    int n = 0;

    while (many->len < 10000) {
        g_string_append(many, "{\"execute\":\"x\"}");
    }
    space = qmp_json_reader_space(r);
    CU_ASSERT(space > 0 && space < many->len);
    qmp_json_reader_feed(r, many->str, space);
    CU_ASSERT_EQUAL(qmp_json_reader_space(r), 0);
    /* Taking one value frees only what it used. */
    CU_ASSERT_TRUE(qmp_json_reader_next(r, &v, &error_abort));
    g_variant_unref(v);
    n++;
    CU_ASSERT(qmp_json_reader_space(r) > 0);
    CU_ASSERT(qmp_json_reader_space(r) < 100);
    while (qmp_json_reader_next(r, &v, &error_abort)) {
        g_variant_unref(v);
        n++;
    }
    CU_ASSERT_EQUAL(n, (int)(space / strlen("{\"execute\":\"x\"}")));
    qmp_json_reader_free(r);
    g_string_free(many, true);
}

static void test_parse_whole(void)
{
    Error *err = NULL;
    g_autoptr(GVariant) v = qmp_json_parse(" true ", &error_abort);

    CU_ASSERT_TRUE(g_variant_get_boolean(v));
    CU_ASSERT_PTR_NULL(qmp_json_parse("1 2", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Expecting at most one JSON value");
    g_clear_pointer(&err, error_free);
    CU_ASSERT_PTR_NULL(qmp_json_parse("  ", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "JSON parse error, expecting value");
    g_clear_pointer(&err, error_free);
    CU_ASSERT_PTR_NULL(qmp_json_parse("xx", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "JSON parse error, invalid keyword 'xx'");
    g_clear_pointer(&err, error_free);
    CU_ASSERT_PTR_NULL(qmp_json_parse("[1,", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "JSON parse error, premature EOI");
    error_free(err);
}

/* Members come out in QEMU's QDict order, whatever order they were
 * added in: these lines are QEMU 7.2's own output. */
static void test_write_qemu_order(void)
{
    g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_new_parsed(
        "{'QMP': <{'version': <{'qemu': <{'major': <int64 7>, "
        "'minor': <int64 2>, 'micro': <int64 0>}>, "
        "'package': <'qomu 0.1'>}>, 'capabilities': <@av []>}>}"));
    g_autoptr(GVariant) e = g_variant_ref_sink(g_variant_new_parsed(
        "{'event': <'SHUTDOWN'>, 'timestamp': <{'seconds': <int64 1>, "
        "'microseconds': <int64 2>}>, 'data': <{'guest': <false>, "
        "'reason': <'host-qmp-quit'>}>}"));
    g_autoptr(GVariant) s = g_variant_ref_sink(g_variant_new_parsed(
        "{'return': <{'running': <false>, 'singlestep': <false>, "
        "'status': <'prelaunch'>}>, 'id': <'x'>}"));
    g_autofree char *jv = qmp_json_to_string(v, false);
    g_autofree char *je = qmp_json_to_string(e, false);
    g_autofree char *js = qmp_json_to_string(s, false);

    CU_ASSERT_STRING_EQUAL(jv, "{\"QMP\": {\"version\": {\"qemu\": "
                           "{\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                           "\"package\": \"qomu 0.1\"}, "
                           "\"capabilities\": []}}");
    CU_ASSERT_STRING_EQUAL(je, "{\"timestamp\": {\"seconds\": 1, "
                           "\"microseconds\": 2}, \"event\": \"SHUTDOWN\", "
                           "\"data\": {\"guest\": false, \"reason\": "
                           "\"host-qmp-quit\"}}");
    CU_ASSERT_STRING_EQUAL(js, "{\"return\": {\"status\": \"prelaunch\", "
                           "\"singlestep\": false, \"running\": false}, "
                           "\"id\": \"x\"}");
}

/* QEMU's pretty layout (HMP qom-get, -qmp-pretty). */
static void test_write_pretty(void)
{
    g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_new_parsed(
        "{'size': <uint64 134217728>, 'l': <[<1>, <'a'>]>, "
        "'e': <@a{sv} {}>, 'n': <@mv nothing>}"));
    g_autofree char *p = qmp_json_to_string(v, true);
    g_autoptr(GVariant) s = g_variant_ref_sink(g_variant_new_string("x"));
    g_autofree char *ps = qmp_json_to_string(s, true);

    CU_ASSERT_STRING_EQUAL(p, "{\n    \"n\": null,\n    \"e\": {},\n"
                           "    \"size\": 134217728,\n    \"l\": [\n"
                           "        1,\n        \"a\"\n    ]\n}");
    CU_ASSERT_STRING_EQUAL(ps, "\"x\"");
}

int main(int argc, char **argv)
{
    harness_add("/qmp-json/read/values", test_read_values);
    harness_add("/qmp-json/read/numbers", test_read_numbers);
    harness_add("/qmp-json/read/strings", test_read_strings);
    harness_add("/qmp-json/read/malformed", test_read_malformed);
    harness_add("/qmp-json/read/limits", test_read_limits);
    harness_add("/qmp-json/read/backpressure", test_read_backpressure);
    harness_add("/qmp-json/parse/whole", test_parse_whole);
    harness_add("/qmp-json/write/qemu-order", test_write_qemu_order);
    harness_add("/qmp-json/write/pretty", test_write_pretty);
    return harness_run(argc, argv);
}
