/*
 * test-keyval.c - KEY=VALUE,... parsing, ported from QEMU 7.2
 * tests/unit/test-keyval.c (test_keyval_parse, test_keyval_parse_list).
 *
 * Every error case checks QEMU's exact message.  Whole results are checked
 * through g_variant_print(), which also pins down member order.  The QAPI
 * visitor tests of the QEMU file have no counterpart (no visitor here).
 */
#include "util/osdep.h"
#include "util/keyval.h"
#include "harness.h"

/* Compare strings, printing both on mismatch (CUnit prints only the
 * expression). */
#define CHECK_STR(actual, expected) do {                                  \
        const char *a_ = (actual), *e_ = (expected);                      \
        if (g_strcmp0(a_, e_)) {                                          \
            fprintf(stderr, "\n  %s:%d: got \"%s\", want \"%s\"\n",       \
                    __FILE__, __LINE__, a_ ? a_ : "(null)",               \
                    e_ ? e_ : "(null)");                                  \
        }                                                                 \
        CU_ASSERT(g_strcmp0(a_, e_) == 0);                                \
    } while (0)

/* Parse must fail with exactly @msg. */
static void check_err(const char *params, const char *implied, bool *help,
                      const char *msg)
{
    Error *err = NULL;
    GVariant *dict = keyval_parse(params, implied, help, &err);

    CU_ASSERT_PTR_NULL(dict);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CHECK_STR(error_get_pretty(err), msg);
    error_free(err);
}

/* Parse must succeed with the dictionary g_variant_print()ed as @expected. */
static void check_ok(const char *params, const char *implied, bool *help,
                     const char *expected)
{
    GVariant *dict = keyval_parse(params, implied, help, &error_abort);
    g_autofree char *printed = g_variant_print(dict, FALSE);

    CU_ASSERT_FALSE(g_variant_is_floating(dict));
    CU_ASSERT(g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT));
    CHECK_STR(printed, expected);
    g_variant_unref(dict);
}

/* --- /keyval/parse --- */

static void test_parse_nothing(void)
{
    check_ok("", NULL, NULL, "{}");
}

static void test_parse_empty_key(void)
{
    /* qemu_opts_parse() accepts this */
    check_err("=val", NULL, NULL, "Invalid parameter ''");
}

static void test_parse_empty_fragment(void)
{
    check_err(".", NULL, NULL, "Invalid parameter '.'");
    check_err("key.", NULL, NULL, "Invalid parameter 'key.'");
    check_err("a..b=1", NULL, NULL, "Invalid parameter 'a..b'");
}

static void test_parse_invalid_key(void)
{
    /* qemu_opts_parse() doesn't care */
    check_err("7up=val", NULL, NULL, "Invalid parameter '7up'");
    check_err("a b=1", NULL, NULL, "Invalid parameter 'a b'");
    check_err("a.-b=1", NULL, NULL, "Invalid parameter 'a.-b'");
}

static void test_parse_crap_after_key(void)
{
    check_err("key[0]=val", NULL, NULL, "Invalid parameter 'key[0]'");
}

static void test_parse_downstream_name(void)
{
    /* QAPI downstream extension prefix __RFQDN_ */
    check_ok("__com.redhat_foo=1", NULL, NULL,
             "{'__com.redhat_foo': <'1'>}");
    check_err("_foo=1", NULL, NULL, "Invalid parameter '_foo'");
    check_err("__com.redhat=1", NULL, NULL,
              "Invalid parameter '__com.redhat'");
}

/* 128 characters: one too many for a key fragment */
static char *long_key(size_t len)
{
    char *key = g_malloc(len + 1);

    memset(key, 'a', len - 1);
    key[len - 1] = 'z';
    key[len] = 0;
    return key;
}

static void test_parse_overlong_key(void)
{
    g_autofree char *key = long_key(128);
    g_autofree char *params = g_strdup_printf("%s=v", key);
    g_autofree char *msg =
        g_strdup_printf("Parameter '%s' is too long", key);

    check_err(params, NULL, NULL, msg);
}

static void test_parse_overlong_fragment(void)
{
    g_autofree char *key = long_key(128);
    g_autofree char *params = g_strdup_printf("k.%s=v", key);
    g_autofree char *msg =
        g_strdup_printf("Parameter fragment '%s' is too long", key);

    check_err(params, NULL, NULL, msg);
}

static void test_parse_long_key(void)
{
    /* 127 characters is fine (qemu_opts_parse() truncates silently) */
    g_autofree char *key = long_key(127);
    g_autofree char *params = g_strdup_printf("%s=v", key);
    g_autofree char *dotted = g_strdup_printf("k.%s=v", key);
    g_autofree char *path = g_strdup_printf("k.%s", key);
    GVariant *dict;

    dict = keyval_parse(params, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(g_variant_n_children(dict), 1);
    CHECK_STR(keyval_get_str(dict, key), "v");
    g_variant_unref(dict);

    dict = keyval_parse(dotted, NULL, NULL, &error_abort);
    CU_ASSERT_EQUAL(g_variant_n_children(dict), 1);
    CHECK_STR(keyval_get_str(dict, path), "v");
    g_variant_unref(dict);
}

static void test_parse_last_wins(void)
{
    /* "a" keeps its first position but takes the last value */
    check_ok("a=1,b=2,,x,a=3", NULL, NULL, "{'a': <'3'>, 'b': <'2,x'>}");
    /* Even when it doesn't in qemu_opts_parse() */
    check_ok("id=foo,id=bar", NULL, NULL, "{'id': <'bar'>}");
}

static void test_parse_dotted(void)
{
    check_ok("a.b.c=1,a.b.c=2,d=3", NULL, NULL,
             "{'a': <{'b': <{'c': <'2'>}>}>, 'd': <'3'>}");
    check_ok("cache.direct=on,cache.no-flush=off", NULL, NULL,
             "{'cache': <{'direct': <'on'>, 'no-flush': <'off'>}>}");
}

static void test_parse_inconsistent(void)
{
    check_err("a.b=1,a=2", NULL, NULL,
              "Parameters 'a.*' used inconsistently");
    check_err("a=2,a.b=1", NULL, NULL,
              "Parameters 'a.*' used inconsistently");
    check_err("a.b=1,a.b.c=2", NULL, NULL,
              "Parameters 'a.b.*' used inconsistently");
}

static void test_parse_trailing_comma(void)
{
    check_ok("x=y,", NULL, NULL, "{'x': <'y'>}");
    /* Except when it isn't */
    check_err(",", NULL, NULL, "Invalid parameter ''");
    /* ",," is an escaped comma, then the trailing one */
    check_ok("x=y,,,", NULL, NULL, "{'x': <'y,'>}");
}

static void test_parse_escaped_comma(void)
{
    /* Value containing ,id= not misinterpreted as qemu_opts_parse() does */
    check_ok("x=,,id=bar", NULL, NULL, "{'x': <',id=bar'>}");
    check_ok("x=a,,,,b,y=c", NULL, NULL, "{'x': <'a,,b'>, 'y': <'c'>}");
    check_ok("x=a,,,y=b", NULL, NULL, "{'x': <'a,'>, 'y': <'b'>}");
    check_ok("x=,,", NULL, NULL, "{'x': <','>}");
    /* '=' and '.' are ordinary characters in a value */
    check_ok("x=a=b.c", NULL, NULL, "{'x': <'a=b.c'>}");
}

static void test_parse_empty_value(void)
{
    check_ok("x=,y=", NULL, NULL, "{'x': <''>, 'y': <''>}");
}

static void test_parse_antisocial_id(void)
{
    /* qemu_opts_parse() rejects it; keyval leaves it to the caller */
    check_ok("id=666", NULL, NULL, "{'id': <'666'>}");
}

static void test_parse_no_implied_value(void)
{
    /* Implied value not supported (unlike qemu_opts_parse()) */
    check_err("an,noaus,noaus=", NULL, NULL,
              "Expected '=' after parameter 'an'");
    /* qemu_opts_parse(): negated empty key */
    check_err("no", NULL, NULL, "Expected '=' after parameter 'no'");
    check_err("a.b", NULL, NULL, "Expected '=' after parameter 'a.b'");
}

static void test_parse_order(void)
{
    GVariant *dict = keyval_parse("z=1,a=2,m.y=3,m.b=4,k=5", NULL, NULL,
                                  &error_abort);
    static const char *const expected[] = { "z", "a", "m", "k" };
    GVariantIter iter;
    const char *key;
    GVariant *value;
    size_t i = 0;

    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        CU_ASSERT_FATAL(i < ARRAY_SIZE(expected));
        CHECK_STR(key, expected[i]);
        i++;
    }
    CU_ASSERT_EQUAL(i, ARRAY_SIZE(expected));
    g_variant_unref(dict);
}

/* --- /keyval/implied --- */

static void test_implied_key(void)
{
    check_ok("an,aus=off,noaus=", "implied", NULL,
             "{'implied': <'an'>, 'aus': <'off'>, 'noaus': <''>}");
    /* Explicit KEY= for the first parameter is fine too */
    check_ok("aus=off", "implied", NULL, "{'aus': <'off'>}");
    check_ok("implied=x,a=1", "implied", NULL,
             "{'implied': <'x'>, 'a': <'1'>}");
}

static void test_implied_device(void)
{
    GVariant *dict = keyval_parse("virtio-blk-pci,drive=d0,bus=pci.0",
                                  "driver", NULL, &error_abort);

    CHECK_STR(keyval_get_str(dict, "driver"), "virtio-blk-pci");
    CHECK_STR(keyval_get_str(dict, "drive"), "d0");
    CHECK_STR(keyval_get_str(dict, "bus"), "pci.0");
    g_variant_unref(dict);
}

static void test_implied_dotted(void)
{
    check_ok("val", "eins.zwei", NULL, "{'eins': <{'zwei': <'val'>}>}");
    /* The implied value may contain '.', which is not a key here */
    check_ok("a.b", "implied", NULL, "{'implied': <'a.b'>}");
}

static void test_implied_only_first(void)
{
    /* Only the first parameter may omit KEY= */
    check_err("a,b", "implied", NULL, "Expected '=' after parameter 'b'");
}

static void test_implied_empty_value(void)
{
    /* qemu_opts_parse() accepts this */
    check_err(",", "implied", NULL, "Invalid parameter ''");
    /* qemu_opts_parse(): implied key with comma value */
    check_err(",,,a=1", "implied", NULL, "Invalid parameter ''");
}

static void test_implied_no_comma(void)
{
    /* Implied key's value can't have comma (qemu_opts_parse(): it can) */
    check_err("val,,ue", "implied", NULL, "Invalid parameter ''");
}

static void test_implied_empty_key(void)
{
    /* Empty key is not an implied key */
    check_err("=val", "implied", NULL, "Invalid parameter ''");
}

/* --- /keyval/help --- */

static void test_help_alone(void)
{
    bool help = false;

    check_ok("help", NULL, &help, "{}");
    CU_ASSERT_TRUE(help);
    help = false;
    check_ok("help", "implied", &help, "{}");
    CU_ASSERT_TRUE(help);
    help = false;
    check_ok("?", NULL, &help, "{}");
    CU_ASSERT_TRUE(help);
    help = false;
    check_ok("help,", "implied", &help, "{}");
    CU_ASSERT_TRUE(help);
}

static void test_help_unavailable(void)
{
    check_err("help", NULL, NULL, "Help is not available for this option");
    check_err("help", "implied", NULL,
              "Help is not available for this option");
    check_err("a=1,?", NULL, NULL, "Help is not available for this option");
}

static void test_help_key_named_help(void)
{
    bool help = true;

    /* *help is written on success even when false */
    check_ok("help=on", NULL, &help, "{'help': <'on'>}");
    CU_ASSERT_FALSE(help);
}

static void test_help_followed_by_crap(void)
{
    bool help = true;

    check_err("help.abc", NULL, &help,
              "Expected '=' after parameter 'help.abc'");
    check_err("helpme", NULL, &help, "Expected '=' after parameter 'helpme'");
    /* With an implied key, it is that key's value */
    check_ok("help.abc", "implied", &help, "{'implied': <'help.abc'>}");
    CU_ASSERT_FALSE(help);
}

static void test_help_with_other_params(void)
{
    bool help = false;

    check_ok("number=42,help,foo=bar", NULL, &help,
             "{'number': <'42'>, 'foo': <'bar'>}");
    CU_ASSERT_TRUE(help);
    help = false;
    check_ok("val,help,foo=bar", "implied", &help,
             "{'implied': <'val'>, 'foo': <'bar'>}");
    CU_ASSERT_TRUE(help);
}

static void test_help_driver(void)
{
    bool help = false;

    /* -device e1000,help and -device e1000,? */
    check_ok("e1000,help", "driver", &help, "{'driver': <'e1000'>}");
    CU_ASSERT_TRUE(help);
    help = false;
    check_ok("e1000,?", "driver", &help, "{'driver': <'e1000'>}");
    CU_ASSERT_TRUE(help);
}

/* --- /keyval/list --- */

static void test_list_root(void)
{
    /* Root can't be a list */
    check_err("0=1", NULL, NULL, "Invalid parameter '0'");
}

static void test_list_unordered(void)
{
    /* List elements need not be in order */
    check_ok("list.0=null,list.2=zwei,list.1=eins", NULL, NULL,
             "{'list': <[<'null'>, <'eins'>, <'zwei'>]>}");
}

static void test_list_last_wins(void)
{
    /* Multiple indexes ("1" and "01" are both index 1), last one wins */
    check_ok("list.1=goner,list.0=null,list.01=eins,list.2=zwei", NULL, NULL,
             "{'list': <[<'null'>, <'eins'>, <'zwei'>]>}");
}

static void test_list_nested(void)
{
    /* List at deeper nesting */
    check_ok("a.list.1=eins,a.list.00=null,a.list.2=zwei", NULL, NULL,
             "{'a': <{'list': <[<'null'>, <'eins'>, <'zwei'>]>}>}");
}

static void test_list_of_dicts(void)
{
    GVariant *dict = keyval_parse("drive.1.file=b,drive.0.file=a,"
                                  "drive.0.cache.direct=on",
                                  NULL, NULL, &error_abort);
    g_autofree char *printed = g_variant_print(dict, FALSE);

    CHECK_STR(printed, "{'drive': <[<{'file': <'a'>, 'cache': "
              "<{'direct': <'on'>}>}>, <{'file': <'b'>}>]>}");
    CHECK_STR(keyval_get_str(dict, "drive.0.cache.direct"), "on");
    CHECK_STR(keyval_get_str(dict, "drive.1.file"), "b");
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "drive.2.file"));
    g_variant_unref(dict);
}

static void test_list_inconsistent(void)
{
    /* Both list and dictionary */
    check_err("a.b.c=1,a.b.0=2", NULL, NULL,
              "Parameters 'a.b.*' used inconsistently");
    check_err("a.0.c=1,a.b.c=2", NULL, NULL,
              "Parameters 'a.*' used inconsistently");
    /* As in QEMU, members are checked before their parent list */
    check_err("l.1.a=1,l.1.0=2", NULL, NULL,
              "Parameters 'l.1.*' used inconsistently");
}

static void test_list_missing(void)
{
    check_err("list.1=lonely", NULL, NULL, "Parameter 'list.0' missing");
    check_err("list.0=null,list.2=eins,list.02=zwei", NULL, NULL,
              "Parameter 'list.1' missing");
    check_err("a.l.0=x,a.l.3=y", NULL, NULL, "Parameter 'a.l.1' missing");
}

static void test_list_huge_index(void)
{
    /* Indexes saturate at INT_MAX rather than wrapping */
    check_err("list.0=a,list.99999999999999999999=b", NULL, NULL,
              "Parameter 'list.1' missing");
}

/* --- /keyval/get --- */

static void test_get_str(void)
{
    GVariant *dict = keyval_parse("a.b=x,c=y,l.0=z", NULL, NULL,
                                  &error_abort);

    CHECK_STR(keyval_get_str(dict, "a.b"), "x");
    CHECK_STR(keyval_get_str(dict, "c"), "y");
    CHECK_STR(keyval_get_str(dict, "l.0"), "z");
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "a"));      /* a dictionary */
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "l"));      /* a list */
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "nope"));
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "a.b.c"));  /* through a leaf */
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "l.1"));
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "l.x"));
    CU_ASSERT_PTR_NULL(keyval_get_str(dict, "a..b"));
    g_variant_unref(dict);
}

static void test_get_value(void)
{
    GVariant *dict = keyval_parse("a.b=x,l.0=z", NULL, NULL, &error_abort);
    GVariant *sub = keyval_get(dict, "a");
    GVariant *list = keyval_get(dict, "l");

    CU_ASSERT_FATAL(sub && list);
    CU_ASSERT(g_variant_is_of_type(sub, G_VARIANT_TYPE_VARDICT));
    CU_ASSERT(g_variant_is_of_type(list, G_VARIANT_TYPE("av")));
    CU_ASSERT_FALSE(g_variant_is_floating(sub));
    CHECK_STR(keyval_get_str(sub, "b"), "x");
    CU_ASSERT_PTR_NULL(keyval_get(dict, "zzz"));
    /* The empty path names the dictionary itself */
    g_variant_unref(sub);
    sub = keyval_get(dict, "");
    CU_ASSERT_PTR_EQUAL(sub, dict);
    g_variant_unref(sub);
    g_variant_unref(list);
    g_variant_unref(dict);
}

static void test_get_str_lifetime(void)
{
    /* The string stays valid while the dictionary lives, even after the
     * temporaries of the lookup are gone (ASan checks this). */
    GVariant *dict = keyval_parse("a.b.c=deep,x=flat", NULL, NULL,
                                  &error_abort);
    const char *deep = keyval_get_str(dict, "a.b.c");
    const char *flat = keyval_get_str(dict, "x");
    GVariant *sub = keyval_get(dict, "a");

    g_variant_unref(sub);
    CHECK_STR(deep, "deep");
    CHECK_STR(flat, "flat");
    g_variant_unref(dict);
}

int main(int argc, char **argv)
{
    harness_add("/keyval/parse/nothing", test_parse_nothing);
    harness_add("/keyval/parse/empty-key", test_parse_empty_key);
    harness_add("/keyval/parse/empty-fragment", test_parse_empty_fragment);
    harness_add("/keyval/parse/invalid-key", test_parse_invalid_key);
    harness_add("/keyval/parse/crap-after-key", test_parse_crap_after_key);
    harness_add("/keyval/parse/downstream-name", test_parse_downstream_name);
    harness_add("/keyval/parse/overlong-key", test_parse_overlong_key);
    harness_add("/keyval/parse/overlong-fragment",
                test_parse_overlong_fragment);
    harness_add("/keyval/parse/long-key", test_parse_long_key);
    harness_add("/keyval/parse/last-wins", test_parse_last_wins);
    harness_add("/keyval/parse/dotted", test_parse_dotted);
    harness_add("/keyval/parse/inconsistent", test_parse_inconsistent);
    harness_add("/keyval/parse/trailing-comma", test_parse_trailing_comma);
    harness_add("/keyval/parse/escaped-comma", test_parse_escaped_comma);
    harness_add("/keyval/parse/empty-value", test_parse_empty_value);
    harness_add("/keyval/parse/antisocial-id", test_parse_antisocial_id);
    harness_add("/keyval/parse/no-implied-value",
                test_parse_no_implied_value);
    harness_add("/keyval/parse/order", test_parse_order);
    harness_add("/keyval/implied/key", test_implied_key);
    harness_add("/keyval/implied/device", test_implied_device);
    harness_add("/keyval/implied/dotted", test_implied_dotted);
    harness_add("/keyval/implied/only-first", test_implied_only_first);
    harness_add("/keyval/implied/empty-value", test_implied_empty_value);
    harness_add("/keyval/implied/no-comma", test_implied_no_comma);
    harness_add("/keyval/implied/empty-key", test_implied_empty_key);
    harness_add("/keyval/help/alone", test_help_alone);
    harness_add("/keyval/help/unavailable", test_help_unavailable);
    harness_add("/keyval/help/key-named-help", test_help_key_named_help);
    harness_add("/keyval/help/followed-by-crap", test_help_followed_by_crap);
    harness_add("/keyval/help/with-other-params",
                test_help_with_other_params);
    harness_add("/keyval/help/driver", test_help_driver);
    harness_add("/keyval/list/root", test_list_root);
    harness_add("/keyval/list/unordered", test_list_unordered);
    harness_add("/keyval/list/last-wins", test_list_last_wins);
    harness_add("/keyval/list/nested", test_list_nested);
    harness_add("/keyval/list/of-dicts", test_list_of_dicts);
    harness_add("/keyval/list/inconsistent", test_list_inconsistent);
    harness_add("/keyval/list/missing", test_list_missing);
    harness_add("/keyval/list/huge-index", test_list_huge_index);
    harness_add("/keyval/get/str", test_get_str);
    harness_add("/keyval/get/value", test_get_value);
    harness_add("/keyval/get/str-lifetime", test_get_str_lifetime);
    return harness_run(argc, argv);
}
