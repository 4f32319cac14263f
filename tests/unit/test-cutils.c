/*
 * test-cutils.c - number/size/bool parsing (util/cutils.c).
 *
 * Expected values follow QEMU 7.2's semantics, including the surprising
 * ones (qemu_strtou64("-1") succeeds; "1e3" as a size is 1 EiB followed
 * by "3").  Every error message is asserted verbatim.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "harness.h"
#include "capture.h"

#include <math.h>

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)
#define PiB (1ULL << 50)
#define EiB (1ULL << 60)

/* --- helpers --- */

/* Assert that @err holds @msg, then free it. */
static void check_error(Error *err, const char *msg)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), msg);
    error_free(err);
}

/* --- qemu_strtoi / qemu_strtoui --- */

static void test_strtoi_ok(void)
{
    const char *s = "  -123xyz", *end = NULL;
    int r = 0;

    CU_ASSERT_EQUAL(qemu_strtoi("12345", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, 12345);
    CU_ASSERT_EQUAL(qemu_strtoi(s, &end, 10, &r), 0);
    CU_ASSERT_EQUAL(r, -123);
    CU_ASSERT_PTR_EQUAL(end, s + 6);
    CU_ASSERT_EQUAL(qemu_strtoi("0x1f", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, 31);
    CU_ASSERT_EQUAL(qemu_strtoi("1f", NULL, 16, &r), 0);
    CU_ASSERT_EQUAL(r, 31);
    CU_ASSERT_EQUAL(qemu_strtoi("0755", NULL, 0, &r), 0);   /* octal */
    CU_ASSERT_EQUAL(r, 0755);
    CU_ASSERT_EQUAL(qemu_strtoi("2147483647", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, INT_MAX);
    CU_ASSERT_EQUAL(qemu_strtoi("-2147483648", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, INT_MIN);
}

static void test_strtoi_invalid(void)
{
    const char *s, *end;
    int r = 7;

    s = "";
    CU_ASSERT_EQUAL(qemu_strtoi(s, &end, 0, &r), -EINVAL);
    CU_ASSERT_PTR_EQUAL(end, s);
    s = "   ";
    CU_ASSERT_EQUAL(qemu_strtoi(s, &end, 0, &r), -EINVAL);
    CU_ASSERT_PTR_EQUAL(end, s);
    s = "abc";
    CU_ASSERT_EQUAL(qemu_strtoi(s, &end, 0, &r), -EINVAL);
    CU_ASSERT_PTR_EQUAL(end, s);
    end = "x";
    CU_ASSERT_EQUAL(qemu_strtoi(NULL, &end, 0, &r), -EINVAL);
    CU_ASSERT_PTR_NULL(end);
    /* Without endptr the whole string must be consumed. */
    CU_ASSERT_EQUAL(qemu_strtoi("123xyz", NULL, 0, &r), -EINVAL);
    CU_ASSERT_EQUAL(qemu_strtoi("123 ", NULL, 0, &r), -EINVAL);
}

static void test_strtoi_range(void)
{
    const char *s = "2147483648", *end;
    int r;

    CU_ASSERT_EQUAL(qemu_strtoi(s, &end, 0, &r), -ERANGE);
    CU_ASSERT_EQUAL(r, INT_MAX);
    CU_ASSERT_PTR_EQUAL(end, s + strlen(s));
    CU_ASSERT_EQUAL(qemu_strtoi("-2147483649", NULL, 0, &r), -ERANGE);
    CU_ASSERT_EQUAL(r, INT_MIN);
    CU_ASSERT_EQUAL(qemu_strtoi("99999999999999999999", NULL, 0, &r),
                    -ERANGE);
    CU_ASSERT_EQUAL(r, INT_MAX);
}

static void test_strtoui(void)
{
    unsigned int r;

    CU_ASSERT_EQUAL(qemu_strtoui("4294967295", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, UINT_MAX);
    CU_ASSERT_EQUAL(qemu_strtoui("4294967296", NULL, 0, &r), -ERANGE);
    CU_ASSERT_EQUAL(r, UINT_MAX);
    /* strtoul() rules: "-1" wraps to UINT_MAX, no error. */
    CU_ASSERT_EQUAL(qemu_strtoui("-1", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, UINT_MAX);
    CU_ASSERT_EQUAL(qemu_strtoui("-2147483648", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, 2147483648u);
    CU_ASSERT_EQUAL(qemu_strtoui("-4294967296", NULL, 0, &r), -ERANGE);
    CU_ASSERT_EQUAL(r, UINT_MAX);
    CU_ASSERT_EQUAL(qemu_strtoui("-18446744073709551616", NULL, 0, &r),
                    -ERANGE);
    CU_ASSERT_EQUAL(r, UINT_MAX);
    CU_ASSERT_EQUAL(qemu_strtoui("x", NULL, 0, &r), -EINVAL);
}

/* --- 64-bit --- */

static void test_strtoi64(void)
{
    int64_t r;

    CU_ASSERT_EQUAL(qemu_strtoi64("9223372036854775807", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, INT64_MAX);
    CU_ASSERT_EQUAL(qemu_strtoi64("-9223372036854775808", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, INT64_MIN);
    CU_ASSERT_EQUAL(qemu_strtoi64("9223372036854775808", NULL, 0, &r),
                    -ERANGE);
    CU_ASSERT_EQUAL(r, INT64_MAX);
    CU_ASSERT_EQUAL(qemu_strtoi64("-9223372036854775809", NULL, 0, &r),
                    -ERANGE);
    CU_ASSERT_EQUAL(r, INT64_MIN);
    CU_ASSERT_EQUAL(qemu_strtoi64("-0x10", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, -16);
    CU_ASSERT_EQUAL(qemu_strtoi64("1 ", NULL, 0, &r), -EINVAL);
    CU_ASSERT_EQUAL(qemu_strtoi64(NULL, NULL, 0, &r), -EINVAL);
}

static void test_strtou64(void)
{
    const char *s, *end;
    uint64_t r;

    CU_ASSERT_EQUAL(qemu_strtou64("18446744073709551615", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, UINT64_MAX);
    CU_ASSERT_EQUAL(qemu_strtou64("0xffffffffffffffff", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, UINT64_MAX);
    CU_ASSERT_EQUAL(qemu_strtou64("18446744073709551616", NULL, 0, &r),
                    -ERANGE);
    CU_ASSERT_EQUAL(r, UINT64_MAX);
    /* QEMU's qemu_strtou64 accepts negative numbers, like strtoull(). */
    CU_ASSERT_EQUAL(qemu_strtou64("-1", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, UINT64_MAX);
    CU_ASSERT_EQUAL(qemu_strtou64(" -2", NULL, 0, &r), 0);
    CU_ASSERT_EQUAL(r, UINT64_MAX - 1);
    CU_ASSERT_EQUAL(qemu_strtou64("-18446744073709551616", NULL, 0, &r),
                    -ERANGE);
    CU_ASSERT_EQUAL(r, UINT64_MAX);
    /* "0x" with nothing after: the 0 converts, "x" is left over. */
    s = "0x";
    CU_ASSERT_EQUAL(qemu_strtou64(s, &end, 16, &r), 0);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_PTR_EQUAL(end, s + 1);
    CU_ASSERT_EQUAL(qemu_strtou64(s, NULL, 16, &r), -EINVAL);
    end = "x";
    CU_ASSERT_EQUAL(qemu_strtou64(NULL, &end, 0, &r), -EINVAL);
    CU_ASSERT_PTR_NULL(end);
}

static void test_strtod(void)
{
    const char *s, *end;
    double d = 42;

    CU_ASSERT_EQUAL(qemu_strtod("1.5", NULL, &d), 0);
    CU_ASSERT_EQUAL(d, 1.5);
    CU_ASSERT_EQUAL(qemu_strtod("1e400", NULL, &d), -ERANGE);
    CU_ASSERT_EQUAL(d, HUGE_VAL);
    CU_ASSERT_EQUAL(qemu_strtod("-1e400", NULL, &d), -ERANGE);
    CU_ASSERT_EQUAL(d, -HUGE_VAL);
    CU_ASSERT_EQUAL(qemu_strtod("1e-400", NULL, &d), -ERANGE);
    CU_ASSERT_EQUAL(d, 0.0);
    CU_ASSERT_EQUAL(qemu_strtod("x", NULL, &d), -EINVAL);
    CU_ASSERT_EQUAL(qemu_strtod("nan", NULL, &d), 0);
    CU_ASSERT_TRUE(isnan(d));

    /* _finite: nan/inf are "no conversion", result untouched. */
    d = 42;
    s = "inf";
    CU_ASSERT_EQUAL(qemu_strtod_finite(s, &end, &d), -EINVAL);
    CU_ASSERT_PTR_EQUAL(end, s);
    CU_ASSERT_EQUAL(d, 42);
    CU_ASSERT_EQUAL(qemu_strtod_finite("nan", NULL, &d), -EINVAL);
    CU_ASSERT_EQUAL(d, 42);
    CU_ASSERT_EQUAL(qemu_strtod_finite("1e400", NULL, &d), -ERANGE);
    CU_ASSERT_EQUAL(d, HUGE_VAL);
    CU_ASSERT_EQUAL(qemu_strtod_finite("2.5", NULL, &d), 0);
    CU_ASSERT_EQUAL(d, 2.5);
}

static void test_parse_uint(void)
{
    const char *s;
    unsigned long long v;
    char *end;

    CU_ASSERT_EQUAL(parse_uint("123", &v, &end, 0), 0);
    CU_ASSERT_EQUAL(v, 123);
    s = "12abc";
    CU_ASSERT_EQUAL(parse_uint(s, &v, &end, 0), 0);
    CU_ASSERT_PTR_EQUAL(end, s + 2);
    /* Unlike qemu_strtou64, negative numbers are refused. */
    s = " -1x";
    CU_ASSERT_EQUAL(parse_uint(s, &v, &end, 0), -ERANGE);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_PTR_EQUAL(end, s + 3);
    CU_ASSERT_EQUAL(parse_uint("-0", &v, &end, 0), -ERANGE);
    s = "";
    CU_ASSERT_EQUAL(parse_uint(s, &v, &end, 0), -EINVAL);
    CU_ASSERT_PTR_EQUAL(end, s);
    CU_ASSERT_EQUAL(parse_uint(NULL, &v, &end, 0), -EINVAL);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_PTR_NULL(end);
    CU_ASSERT_EQUAL(parse_uint("18446744073709551616", &v, &end, 0),
                    -ERANGE);
    CU_ASSERT_EQUAL(v, ULLONG_MAX);

    CU_ASSERT_EQUAL(parse_uint_full("0x20", &v, 0), 0);
    CU_ASSERT_EQUAL(v, 32);
    CU_ASSERT_EQUAL(parse_uint_full("12abc", &v, 0), -EINVAL);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(parse_uint_full("-5", &v, 0), -ERANGE);
}

/* --- sizes --- */

/* qemu_strtosz(@s, NULL): whole string, returns the result or errno. */
static int sz(const char *s, uint64_t *r)
{
    return qemu_strtosz(s, NULL, r);
}

static void test_strtosz_suffixes(void)
{
    uint64_t r;

    CU_ASSERT_EQUAL(sz("12345", &r), 0);
    CU_ASSERT_EQUAL(r, 12345);
    CU_ASSERT_EQUAL(sz("0", &r), 0);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_EQUAL(sz("1B", &r), 0);
    CU_ASSERT_EQUAL(r, 1);
    CU_ASSERT_EQUAL(sz("1b", &r), 0);
    CU_ASSERT_EQUAL(r, 1);
    CU_ASSERT_EQUAL(sz("1k", &r), 0);
    CU_ASSERT_EQUAL(r, KiB);
    CU_ASSERT_EQUAL(sz("1K", &r), 0);
    CU_ASSERT_EQUAL(r, KiB);
    CU_ASSERT_EQUAL(sz("2M", &r), 0);
    CU_ASSERT_EQUAL(r, 2 * MiB);
    CU_ASSERT_EQUAL(sz("3g", &r), 0);
    CU_ASSERT_EQUAL(r, 3 * GiB);
    CU_ASSERT_EQUAL(sz("4T", &r), 0);
    CU_ASSERT_EQUAL(r, 4 * TiB);
    CU_ASSERT_EQUAL(sz("5P", &r), 0);
    CU_ASSERT_EQUAL(r, 5 * PiB);
    CU_ASSERT_EQUAL(sz("15E", &r), 0);
    CU_ASSERT_EQUAL(r, 15 * EiB);
    CU_ASSERT_EQUAL(sz(" 12k", &r), 0);         /* leading blanks */
    CU_ASSERT_EQUAL(r, 12 * KiB);
    CU_ASSERT_EQUAL(sz("18446744073709551615", &r), 0);
    CU_ASSERT_EQUAL(r, UINT64_MAX);
}

static void test_strtosz_fraction(void)
{
    uint64_t r;

    CU_ASSERT_EQUAL(sz("1.5G", &r), 0);
    CU_ASSERT_EQUAL(r, GiB + GiB / 2);
    CU_ASSERT_EQUAL(sz("0.5k", &r), 0);
    CU_ASSERT_EQUAL(r, 512);
    /* Rounded to the nearest byte: 12.345 MiB = 12944670.72 */
    CU_ASSERT_EQUAL(sz("12.345M", &r), 0);
    CU_ASSERT_EQUAL(r, 12944671);
    CU_ASSERT_EQUAL(sz("1.k", &r), 0);          /* no fraction digits */
    CU_ASSERT_EQUAL(r, KiB);
    CU_ASSERT_EQUAL(sz("1.", &r), 0);
    CU_ASSERT_EQUAL(r, 1);
    CU_ASSERT_EQUAL(sz("15.9999E", &r), 0);     /* just below 2^64 */
    CU_ASSERT_TRUE(r > 15 * EiB);
}

static void test_strtosz_hex(void)
{
    StderrCapture cap;
    uint64_t r;
    char *out;

    CU_ASSERT_EQUAL(sz("0x1000", &r), 0);
    CU_ASSERT_EQUAL(r, 4096);
    CU_ASSERT_EQUAL(sz("0X10", &r), 0);
    CU_ASSERT_EQUAL(r, 16);
    CU_ASSERT_EQUAL(sz("0x1.8k", &r), -EINVAL);   /* no hex fractions */
    CU_ASSERT_EQUAL(sz("0x", &r), -EINVAL);
    stderr_capture_begin(&cap);
    CU_ASSERT_EQUAL(sz("0x2k", &r), 0);
    out = stderr_capture_end(&cap);
    CU_ASSERT_EQUAL(r, 2 * KiB);
    CU_ASSERT_STRING_EQUAL(out, "qomu: warning: Using a multiplier suffix "
                           "on hex numbers is deprecated: 0x2k\n");
    g_free(out);
}

static void test_strtosz_invalid(void)
{
    static const char *const bad[] = {
        "", " ", "k", "-1", "-0", " -1k", "1-", "1.5", "1.5B", ".5k",
        "1.5e3k", "1e3", "12 ", "inf", "nan", "1kk", "0x1.8", "12Q",
    };
    const char *end;
    uint64_t r = 0xdead;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        CU_ASSERT_EQUAL(qemu_strtosz(bad[i], NULL, &r), -EINVAL);
    }
    CU_ASSERT_EQUAL(r, 0xdead);         /* never written on error */

    /* -EINVAL leaves *end at the start... */
    end = NULL;
    CU_ASSERT_EQUAL(qemu_strtosz("-1k", &end, &r), -EINVAL);
    CU_ASSERT_STRING_EQUAL(end, "-1k");
    CU_ASSERT_EQUAL(qemu_strtosz("1.5", &end, &r), -EINVAL);
    CU_ASSERT_STRING_EQUAL(end, "1.5");
    CU_ASSERT_EQUAL(qemu_strtosz("", &end, &r), -EINVAL);
    CU_ASSERT_STRING_EQUAL(end, "");
}

static void test_strtosz_endptr(void)
{
    const char *end;
    uint64_t r;

    CU_ASSERT_EQUAL(qemu_strtosz("123foo", &end, &r), 0);
    CU_ASSERT_EQUAL(r, 123);
    CU_ASSERT_STRING_EQUAL(end, "foo");
    CU_ASSERT_EQUAL(qemu_strtosz("1kfoo", &end, &r), 0);
    CU_ASSERT_EQUAL(r, KiB);
    CU_ASSERT_STRING_EQUAL(end, "foo");
    CU_ASSERT_EQUAL(qemu_strtosz("12 ", &end, &r), 0);
    CU_ASSERT_STRING_EQUAL(end, " ");
    /* QEMU quirk: 'e' is the exabyte suffix, so "1e3" is 1 EiB + "3". */
    CU_ASSERT_EQUAL(qemu_strtosz("1e3", &end, &r), 0);
    CU_ASSERT_EQUAL(r, EiB);
    CU_ASSERT_STRING_EQUAL(end, "3");
}

static void test_strtosz_range(void)
{
    const char *end;
    uint64_t r = 0xdead;

    /* -ERANGE advances *end past the number and suffix. */
    CU_ASSERT_EQUAL(qemu_strtosz("16E", &end, &r), -ERANGE);
    CU_ASSERT_STRING_EQUAL(end, "");
    CU_ASSERT_EQUAL(qemu_strtosz("16384P", NULL, &r), -ERANGE);
    CU_ASSERT_EQUAL(qemu_strtosz("16.0E", NULL, &r), -ERANGE);
    CU_ASSERT_EQUAL(qemu_strtosz("18446744073709551616", &end, &r), -ERANGE);
    CU_ASSERT_STRING_EQUAL(end, "");
    CU_ASSERT_EQUAL(qemu_strtosz("18446744073709551616x", NULL, &r),
                    -EINVAL);   /* trailing junk wins without end */
    CU_ASSERT_EQUAL(r, 0xdead);
}

static void test_strtosz_mib_metric(void)
{
    uint64_t r;

    /* -m convention: a bare number is MiB. */
    CU_ASSERT_EQUAL(qemu_strtosz_MiB("1024", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, GiB);
    CU_ASSERT_EQUAL(qemu_strtosz_MiB("1.5", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, MiB + MiB / 2);
    CU_ASSERT_EQUAL(qemu_strtosz_MiB("2G", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, 2 * GiB);
    CU_ASSERT_EQUAL(qemu_strtosz_MiB("512b", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, 512);
    CU_ASSERT_EQUAL(qemu_strtosz_MiB("-1", NULL, &r), -EINVAL);

    CU_ASSERT_EQUAL(qemu_strtosz_metric("12345", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, 12345);
    CU_ASSERT_EQUAL(qemu_strtosz_metric("1k", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, 1000);
    CU_ASSERT_EQUAL(qemu_strtosz_metric("1.5M", NULL, &r), 0);
    CU_ASSERT_EQUAL(r, 1500000);
}

static void check_size_str(uint64_t val, const char *want)
{
    char *s = size_to_str(val);

    CU_ASSERT_STRING_EQUAL(s, want);
    g_free(s);
}

static void test_size_to_str(void)
{
    check_size_str(0, "0 B");
    check_size_str(1, "1 B");
    check_size_str(999, "999 B");
    check_size_str(1000, "0.977 KiB");          /* switch at >= 1000 */
    check_size_str(1023, "0.999 KiB");
    check_size_str(1536, "1.5 KiB");
    check_size_str(GiB, "1 GiB");
    check_size_str(3 * TiB / 2, "1.5 TiB");
    check_size_str(UINT64_MAX, "16 EiB");
}

/* --- bool and messages by input path --- */

static void test_bool_parse(void)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    static const char *const bad[] = { "ON", "True", "1", "0", "", "of" };
    Error *err = NULL;
    bool b;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        b = false;
        CU_ASSERT_TRUE(qapi_bool_parse("x", yes[i], &b, &error_abort));
        CU_ASSERT_TRUE(b);
    }
    for (i = 0; i < ARRAY_SIZE(no); i++) {
        b = true;
        CU_ASSERT_TRUE(qapi_bool_parse("x", no[i], &b, &error_abort));
        CU_ASSERT_FALSE(b);
    }
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        b = true;
        CU_ASSERT_FALSE(qapi_bool_parse("kvm", bad[i], &b, &err));
        CU_ASSERT_TRUE(b);              /* untouched on error */
        check_error(err, "Parameter 'kvm' expects 'on' or 'off'");
        err = NULL;
    }
    CU_ASSERT_FALSE(qapi_bool_parse("x", "maybe", &b, NULL));
}

static void test_option_number(void)
{
    Error *err = NULL;
    uint64_t v = 0;

    CU_ASSERT_TRUE(parse_option_number("cpus", "0x10", &v, &error_abort));
    CU_ASSERT_EQUAL(v, 16);
    /* Inherits qemu_strtou64: -1 is accepted as 2^64-1. */
    CU_ASSERT_TRUE(parse_option_number("cpus", "-1", &v, &error_abort));
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    v = 5;
    CU_ASSERT_FALSE(parse_option_number("cpus", "four", &v, &err));
    check_error(err, "Parameter 'cpus' expects a number");
    err = NULL;
    CU_ASSERT_FALSE(parse_option_number("cpus", "", &v, &err));
    check_error(err, "Parameter 'cpus' expects a number");
    err = NULL;
    CU_ASSERT_FALSE(parse_option_number("cpus", "18446744073709551616", &v,
                                        &err));
    check_error(err, "Value '18446744073709551616' is too large for "
                "parameter 'cpus'");
    CU_ASSERT_EQUAL(v, 5);
}

static void test_option_size(void)
{
    StderrCapture cap;
    Error *err = NULL;
    uint64_t v = 0;
    char *out;

    CU_ASSERT_TRUE(parse_option_size("size", "1G", &v, &error_abort));
    CU_ASSERT_EQUAL(v, GiB);
    CU_ASSERT_FALSE(parse_option_size("size", "16E", &v, &err));
    check_error(err, "Value '16E' is out of range for parameter 'size'");
    err = NULL;
    CU_ASSERT_FALSE(parse_option_size("size", "-1k", &v, &err));
    /* The hint is part of the error: check it through error_report_err. */
    stderr_capture_begin(&cap);
    error_report_err(err);
    out = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: Parameter 'size' expects a non-negative number below 2^64\n"
        "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, "
        "tera-, peta-\nand exabytes, respectively.\n");
    g_free(out);
    CU_ASSERT_EQUAL(v, GiB);
}

static void test_keyval_values(void)
{
    Error *err = NULL;
    int64_t i64;
    uint64_t u64;
    double d;
    bool b;

    CU_ASSERT_TRUE(input_keyval_int64("x", "-0x10", &i64, &error_abort));
    CU_ASSERT_EQUAL(i64, -16);
    CU_ASSERT_TRUE(input_keyval_uint64("x", "-1", &u64, &error_abort));
    CU_ASSERT_EQUAL(u64, UINT64_MAX);
    CU_ASSERT_TRUE(input_keyval_size("x", "1.5G", &u64, &error_abort));
    CU_ASSERT_EQUAL(u64, GiB + GiB / 2);
    CU_ASSERT_TRUE(input_keyval_bool("x", "yes", &b, &error_abort));
    CU_ASSERT_TRUE(b);
    CU_ASSERT_TRUE(input_keyval_number("x", "2.5", &d, &error_abort));
    CU_ASSERT_EQUAL(d, 2.5);

    CU_ASSERT_FALSE(input_keyval_int64("drive.x", "abc", &i64, &err));
    check_error(err, "Parameter 'drive.x' expects integer");
    err = NULL;
    /* Out of range gets the same message (QEMU's TODO). */
    CU_ASSERT_FALSE(input_keyval_int64("x", "9223372036854775808", &i64,
                                       &err));
    check_error(err, "Parameter 'x' expects integer");
    err = NULL;
    CU_ASSERT_FALSE(input_keyval_uint64("x", "18446744073709551616", &u64,
                                        &err));
    check_error(err, "Parameter 'x' expects integer");
    err = NULL;
    CU_ASSERT_FALSE(input_keyval_size("x", "1.5", &u64, &err));
    check_error(err, "Parameter 'x' expects size");
    err = NULL;
    CU_ASSERT_FALSE(input_keyval_bool("x", "maybe", &b, &err));
    check_error(err, "Parameter 'x' expects 'on' or 'off'");
    err = NULL;
    CU_ASSERT_FALSE(input_keyval_number("x", "inf", &d, &err));
    check_error(err, "Invalid parameter type for 'x', expected: number");
}

static void test_string_values(void)
{
    Error *err = NULL;
    int64_t i64;
    uint64_t u64;
    bool b;

    CU_ASSERT_TRUE(input_string_int64("x", "42", &i64, &error_abort));
    CU_ASSERT_EQUAL(i64, 42);
    CU_ASSERT_TRUE(input_string_uint64("x", "0x2a", &u64, &error_abort));
    CU_ASSERT_EQUAL(u64, 42);
    CU_ASSERT_TRUE(input_string_size("x", "4k", &u64, &error_abort));
    CU_ASSERT_EQUAL(u64, 4096);
    CU_ASSERT_TRUE(input_string_bool("x", "off", &b, &error_abort));
    CU_ASSERT_FALSE(b);

    CU_ASSERT_FALSE(input_string_int64("x", "1.0", &i64, &err));
    check_error(err, "Parameter 'x' expects int64");
    err = NULL;
    CU_ASSERT_FALSE(input_string_int64(NULL, "z", &i64, &err));
    check_error(err, "Parameter 'null' expects int64");
    err = NULL;
    CU_ASSERT_FALSE(input_string_uint64("x", "z", &u64, &err));
    check_error(err, "Parameter 'x' expects uint64");
    err = NULL;
    CU_ASSERT_FALSE(input_string_size("x", "16E", &u64, &err));
    check_error(err, "Value '16E' is out of range for parameter 'x'");
    err = NULL;
    CU_ASSERT_FALSE(input_string_size("x", "z", &u64, &err));
    check_error(err, "Parameter 'x' expects a non-negative number "
                "below 2^64");
    err = NULL;
    CU_ASSERT_FALSE(input_string_bool(NULL, "z", &b, &err));
    check_error(err, "Parameter 'null' expects 'on' or 'off'");
}

static void test_opts_values(void)
{
    Error *err = NULL;
    int64_t i64;
    uint64_t u64;

    CU_ASSERT_TRUE(input_opts_int64("x", "-5", &i64, &error_abort));
    CU_ASSERT_EQUAL(i64, -5);
    CU_ASSERT_TRUE(input_opts_uint64("x", "5", &u64, &error_abort));
    CU_ASSERT_EQUAL(u64, 5);
    CU_ASSERT_TRUE(input_opts_size("size", "2G", &u64, &error_abort));
    CU_ASSERT_EQUAL(u64, 2 * GiB);

    CU_ASSERT_FALSE(input_opts_int64("x", "5x", &i64, &err));
    check_error(err, "Parameter 'x' expects an int64 value");
    err = NULL;
    CU_ASSERT_FALSE(input_opts_int64("x", NULL, &i64, &err));
    check_error(err, "Parameter 'x' expects an int64 value");
    err = NULL;
    /* The opts visitor, unlike keyval, refuses negative unsigned values. */
    CU_ASSERT_FALSE(input_opts_uint64("x", "-1", &u64, &err));
    check_error(err, "Parameter 'x' expects a uint64 value");
    err = NULL;
    CU_ASSERT_FALSE(input_opts_uint64("x", NULL, &u64, &err));
    check_error(err, "Parameter 'x' expects a uint64 value");
    err = NULL;
    CU_ASSERT_FALSE(input_opts_size("size", "1.5", &u64, &err));
    check_error(err, "Parameter 'size' expects a size value");
    err = NULL;
    CU_ASSERT_FALSE(input_opts_size("size", NULL, &u64, &err));
    check_error(err, "Parameter 'size' expects a size value");
}

static void test_check_ranges(void)
{
    Error *err = NULL;

    CU_ASSERT_TRUE(input_check_uintN("x", 255, UINT8_MAX, "uint8_t",
                                     &error_abort));
    CU_ASSERT_FALSE(input_check_uintN("x", 256, UINT8_MAX, "uint8_t", &err));
    check_error(err, "Parameter 'x' expects uint8_t");
    err = NULL;
    CU_ASSERT_FALSE(input_check_uintN(NULL, UINT64_MAX, UINT32_MAX,
                                      "uint32_t", &err));
    check_error(err, "Parameter 'null' expects uint32_t");
    err = NULL;
    CU_ASSERT_TRUE(input_check_intN("x", -128, INT8_MIN, INT8_MAX, "int8_t",
                                    &error_abort));
    CU_ASSERT_FALSE(input_check_intN("x", -129, INT8_MIN, INT8_MAX, "int8_t",
                                     &err));
    check_error(err, "Parameter 'x' expects int8_t");
    err = NULL;
    CU_ASSERT_FALSE(input_check_intN("x", 32768, INT16_MIN, INT16_MAX,
                                     "int16_t", &err));
    check_error(err, "Parameter 'x' expects int16_t");
}

int main(int argc, char **argv)
{
    harness_add("/cutils/strtoi/ok", test_strtoi_ok);
    harness_add("/cutils/strtoi/invalid", test_strtoi_invalid);
    harness_add("/cutils/strtoi/range", test_strtoi_range);
    harness_add("/cutils/strtoui/wrap-and-range", test_strtoui);
    harness_add("/cutils/strtoi64/range", test_strtoi64);
    harness_add("/cutils/strtou64/negative-and-range", test_strtou64);
    harness_add("/cutils/strtod/finite", test_strtod);
    harness_add("/cutils/parse-uint/rejects-negative", test_parse_uint);
    harness_add("/cutils/strtosz/suffixes", test_strtosz_suffixes);
    harness_add("/cutils/strtosz/fraction", test_strtosz_fraction);
    harness_add("/cutils/strtosz/hex", test_strtosz_hex);
    harness_add("/cutils/strtosz/invalid", test_strtosz_invalid);
    harness_add("/cutils/strtosz/endptr", test_strtosz_endptr);
    harness_add("/cutils/strtosz/range", test_strtosz_range);
    harness_add("/cutils/strtosz/mib-metric", test_strtosz_mib_metric);
    harness_add("/cutils/size-to-str", test_size_to_str);
    harness_add("/cutils/bool/words", test_bool_parse);
    harness_add("/cutils/option/number", test_option_number);
    harness_add("/cutils/option/size", test_option_size);
    harness_add("/cutils/input/keyval", test_keyval_values);
    harness_add("/cutils/input/string", test_string_values);
    harness_add("/cutils/input/opts", test_opts_values);
    harness_add("/cutils/input/check-ranges", test_check_ranges);
    return harness_run(argc, argv);
}
