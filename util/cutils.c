/*
 * cutils.c - strict number/size parsing and QEMU's parse-error messages.
 *
 * The qemu_strto*(), parse_uint*() and qemu_strtosz*() functions follow
 * QEMU 7.2's util/cutils.c line by line in behaviour; the message
 * helpers follow the QEMU 7.2 visitors named in include/util/cutils.h.
 * Not modelled: qemu_strtol/ul (use the 64-bit forms), the Windows-only
 * "0x" workaround in check_strtox_error(), list/range parsing of the
 * string and opts visitors.  libm is deliberately not needed.
 */
#include "util/osdep.h"
#include <math.h>              /* isfinite(): a macro, no libm */
#include "util/cutils.h"
#include "util/error-report.h"

/* --- strto*() wrappers --- */

/*
 * Common tail of the strto*() wrappers: "nothing converted" and
 * "trailing garbage when the caller wanted the whole string" become
 * -EINVAL; otherwise libc's errno (0 or ERANGE) is the answer.
 */
static int check_strtox_error(const char *nptr, char *ep,
                              const char **endptr, int libc_errno)
{
    assert(ep >= nptr);
    if (endptr) {
        *endptr = ep;
    }
    if (libc_errno == 0 && ep == nptr) {
        return -EINVAL;
    }
    if (!endptr && *ep) {
        return -EINVAL;
    }
    return -libc_errno;
}

/* NULL input: no conversion. */
static int null_input(const char **endptr)
{
    if (endptr) {
        *endptr = NULL;
    }
    return -EINVAL;
}

int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result)
{
    char *ep;
    long long lresult;

    assert((unsigned)base <= 36 && base != 1);
    if (!nptr) {
        return null_input(endptr);
    }
    errno = 0;
    lresult = strtoll(nptr, &ep, base);
    if (lresult < INT_MIN) {
        *result = INT_MIN;
        errno = ERANGE;
    } else if (lresult > INT_MAX) {
        *result = INT_MAX;
        errno = ERANGE;
    } else {
        *result = lresult;
    }
    return check_strtox_error(nptr, ep, endptr, errno);
}

int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result)
{
    char *ep;
    long long lresult;

    assert((unsigned)base <= 36 && base != 1);
    if (!nptr) {
        return null_input(endptr);
    }
    errno = 0;
    /*
     * As QEMU: strtoull() then reinterpret as signed, so "-1" (ULLONG_MAX)
     * is -1 and wraps to UINT_MAX without error, while "-4294967296" is
     * below INT_MIN and out of range.
     */
    lresult = strtoull(nptr, &ep, base);
    if (errno == ERANGE) {
        *result = -1;
    } else if (lresult > UINT_MAX || lresult < INT_MIN) {
        *result = UINT_MAX;
        errno = ERANGE;
    } else {
        *result = lresult;
    }
    return check_strtox_error(nptr, ep, endptr, errno);
}

int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result)
{
    char *ep;

    assert((unsigned)base <= 36 && base != 1);
    if (!nptr) {
        return null_input(endptr);
    }
    G_STATIC_ASSERT(sizeof(int64_t) == sizeof(long long));
    errno = 0;
    *result = strtoll(nptr, &ep, base);
    return check_strtox_error(nptr, ep, endptr, errno);
}

int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result)
{
    char *ep;

    assert((unsigned)base <= 36 && base != 1);
    if (!nptr) {
        return null_input(endptr);
    }
    G_STATIC_ASSERT(sizeof(uint64_t) == sizeof(unsigned long long));
    errno = 0;
    *result = strtoull(nptr, &ep, base);
    if (errno == ERANGE) {
        *result = -1;
    }
    return check_strtox_error(nptr, ep, endptr, errno);
}

int qemu_strtod(const char *nptr, const char **endptr, double *result)
{
    char *ep;

    if (!nptr) {
        return null_input(endptr);
    }
    errno = 0;
    *result = strtod(nptr, &ep);
    return check_strtox_error(nptr, ep, endptr, errno);
}

int qemu_strtod_finite(const char *nptr, const char **endptr, double *result)
{
    double tmp;
    int ret;

    ret = qemu_strtod(nptr, endptr, &tmp);
    if (!ret && !isfinite(tmp)) {
        if (endptr) {
            *endptr = nptr;
        }
        ret = -EINVAL;
    }
    if (ret != -EINVAL) {
        *result = tmp;
    }
    return ret;
}

int parse_uint(const char *s, unsigned long long *value, char **endptr,
               int base)
{
    int r = 0;
    char *endp = (char *)s;
    unsigned long long val = 0;

    assert((unsigned)base <= 36 && base != 1);
    if (!s) {
        r = -EINVAL;
        goto out;
    }
    errno = 0;
    val = strtoull(s, &endp, base);
    if (errno) {
        r = -errno;
        goto out;
    }
    if (endp == s) {
        r = -EINVAL;
        goto out;
    }
    /* strtoull() silently negates; this is the one that refuses. */
    while (g_ascii_isspace(*s)) {
        s++;
    }
    if (*s == '-') {
        val = 0;
        r = -ERANGE;
    }
out:
    *value = val;
    *endptr = endp;
    return r;
}

int parse_uint_full(const char *s, unsigned long long *value, int base)
{
    char *endp;
    int r;

    r = parse_uint(s, value, &endp, base);
    if (r < 0) {
        return r;
    }
    if (*endp) {
        *value = 0;
        return -EINVAL;
    }
    return 0;
}

/* --- sizes --- */

static int64_t suffix_mul(char suffix, int64_t unit)
{
    switch (g_ascii_toupper(suffix)) {
    case 'B':
        return 1;
    case 'K':
        return unit;
    case 'M':
        return unit * unit;
    case 'G':
        return unit * unit * unit;
    case 'T':
        return unit * unit * unit * unit;
    case 'P':
        return unit * unit * unit * unit * unit;
    case 'E':
        return unit * unit * unit * unit * unit * unit;
    }
    return -1;
}

/* 64 x 64 -> 128-bit multiply: *plow, *phigh = a * b (QEMU's mulu64()). */
static void mulu64(uint64_t *plow, uint64_t *phigh, uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b;

    *plow = r;
    *phigh = r >> 64;
}

/*
 * QEMU's do_strtosz().  The integral part is parsed exactly as an integer
 * and the fraction as a 0.64 fixed-point number, so "1.5G" is exact and
 * values up to 2^64 - 1 survive (no trip through double).
 */
static int do_strtosz(const char *nptr, const char **end,
                      const char default_suffix, int64_t unit,
                      uint64_t *result)
{
    int retval;
    const char *endptr, *f;
    unsigned char c;
    bool hex = false;
    uint64_t val, valf = 0;
    int64_t mul;

    /* Parse integral portion as decimal. */
    retval = qemu_strtou64(nptr, &endptr, 10, &val);
    if (retval) {
        goto out;
    }
    /* qemu_strtou64() accepts "-1"; a size never does. */
    if (memchr(nptr, '-', endptr - nptr) != NULL) {
        endptr = nptr;
        retval = -EINVAL;
        goto out;
    }
    if (val == 0 && (*endptr == 'x' || *endptr == 'X')) {
        /* Looks like hex: reparse, and insist on no fraction. */
        retval = qemu_strtou64(nptr, &endptr, 16, &val);
        if (retval) {
            goto out;
        }
        if (*endptr == '.') {
            endptr = nptr;
            retval = -EINVAL;
            goto out;
        }
        hex = true;
    } else if (*endptr == '.') {
        /*
         * A fraction.  "1.k" (no digits) is accepted as 1k; an exponent
         * makes the whole input invalid.
         */
        double fraction;

        f = endptr;
        retval = qemu_strtod_finite(f, &endptr, &fraction);
        if (retval) {
            endptr++;
        } else if (memchr(f, 'e', endptr - f) || memchr(f, 'E', endptr - f)) {
            endptr = nptr;
            retval = -EINVAL;
            goto out;
        } else {
            /* Extract into a 64-bit fixed-point fraction. */
            valf = (uint64_t)(fraction * 0x1p64);
        }
    }
    c = *endptr;
    mul = suffix_mul(c, unit);
    if (mul > 0) {
        if (hex) {
            warn_report("Using a multiplier suffix on hex numbers "
                        "is deprecated: %s", nptr);
        }
        endptr++;
    } else {
        mul = suffix_mul(default_suffix, unit);
        assert(mul > 0);
    }
    if (mul == 1) {
        /* A fraction of a byte makes no sense: a scale is required. */
        if (valf != 0) {
            endptr = nptr;
            retval = -EINVAL;
            goto out;
        }
    } else {
        uint64_t valh, tmp;

        /* Exact result: 64.64 x 64.0 -> 128.64 fixed point. */
        mulu64(&val, &valh, val, mul);
        mulu64(&valf, &tmp, valf, mul);
        val += tmp;
        valh += val < tmp;

        /* Round 0.5 upward. */
        tmp = valf >> 63;
        val += tmp;
        valh += val < tmp;

        if (valh != 0) {
            retval = -ERANGE;
            goto out;
        }
    }
    retval = 0;

out:
    if (end) {
        *end = endptr;
    } else if (*endptr) {
        retval = -EINVAL;
    }
    if (retval == 0) {
        *result = val;
    }
    return retval;
}

int qemu_strtosz(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', 1024, result);
}

int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'M', 1024, result);
}

int qemu_strtosz_metric(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', 1000, result);
}

char *size_to_str(uint64_t val)
{
    static const char *const prefixes[] = {
        "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"
    };
    double x = val / (1000.0 / 1024.0);
    uint64_t div;
    int i = 0;

    /*
     * QEMU: frexp(val * 1024 / 1000, &i) - the binary exponent, scaled so
     * that we switch to the next unit once the integer part reaches
     * 1000 ("1000 KiB" prints as "0.977 MiB").  Computed by halving to
     * avoid libm.
     */
    while (x >= 1.0) {
        x /= 2;
        i++;
    }
    i = (i - 1) / 10 * 10;
    div = 1ULL << i;
    return g_strdup_printf("%0.3g %sB", (double)val / div, prefixes[i / 10]);
}

/* --- value parsers with QEMU's messages --- */

bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp)
{
    if (g_str_equal(value, "on") || g_str_equal(value, "yes") ||
        g_str_equal(value, "true") || g_str_equal(value, "y")) {
        *obj = true;
        return true;
    }
    if (g_str_equal(value, "off") || g_str_equal(value, "no") ||
        g_str_equal(value, "false") || g_str_equal(value, "n")) {
        *obj = false;
        return true;
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}

bool parse_option_number(const char *name, const char *value,
                         uint64_t *ret, Error **errp)
{
    uint64_t number;
    int err;

    err = qemu_strtou64(value, NULL, 0, &number);
    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is too large for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a number", name);
        return false;
    }
    *ret = number;
    return true;
}

bool parse_option_size(const char *name, const char *value, uint64_t *ret,
                       Error **errp)
{
    uint64_t size;
    int err;

    err = qemu_strtosz(value, NULL, &size);
    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is out of range for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a non-negative number "
                   "below 2^64", name);
        error_append_hint(errp, "Optional suffix k, M, G, T, P or E means"
                          " kilo-, mega-, giga-, tera-, peta-\n"
                          "and exabytes, respectively.\n");
        return false;
    }
    *ret = size;
    return true;
}

/*
 * The end of the visitors' whole-string number parsers (the qemu_strto*()
 * result @ret): any failure, -ERANGE included, is QEMU's
 * QERR_INVALID_PARAMETER_VALUE "Parameter '@name' expects @what"
 * (QEMU: "TODO report -ERANGE more nicely" - it doesn't, neither do we).
 */
static bool parsed_or_error(int ret, const char *name, const char *what,
                            Error **errp)
{
    if (ret < 0) {
        error_setg(errp, "Parameter '%s' expects %s", name, what);
        return false;
    }
    return true;
}

bool input_keyval_int64(const char *name, const char *str, int64_t *obj,
                        Error **errp)
{
    return parsed_or_error(qemu_strtoi64(str, NULL, 0, obj), name,
                           "integer", errp);
}

bool input_keyval_uint64(const char *name, const char *str, uint64_t *obj,
                         Error **errp)
{
    return parsed_or_error(qemu_strtou64(str, NULL, 0, obj), name,
                           "integer", errp);
}

bool input_keyval_size(const char *name, const char *str, uint64_t *obj,
                       Error **errp)
{
    return parsed_or_error(qemu_strtosz(str, NULL, obj), name, "size",
                           errp);
}

bool input_keyval_bool(const char *name, const char *str, bool *obj,
                       Error **errp)
{
    return qapi_bool_parse(name, str, obj, errp);
}

bool input_keyval_number(const char *name, const char *str, double *obj,
                         Error **errp)
{
    double val;

    /* QEMU uses the "type" message here, unlike the integer cases. */
    if (qemu_strtod_finite(str, NULL, &val)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: number",
                   name);
        return false;
    }
    *obj = val;
    return true;
}

bool input_string_int64(const char *name, const char *str, int64_t *obj,
                        Error **errp)
{
    return parsed_or_error(qemu_strtoi64(str, NULL, 0, obj), name ?: "null",
                           "int64", errp);
}

bool input_string_uint64(const char *name, const char *str, uint64_t *obj,
                         Error **errp)
{
    return parsed_or_error(qemu_strtou64(str, NULL, 0, obj), name ?: "null",
                           "uint64", errp);
}

bool input_string_size(const char *name, const char *str, uint64_t *obj,
                       Error **errp)
{
    /* QEMU passes @name through unchanged here, even if NULL. */
    return parse_option_size(name ?: "(null)", str, obj, errp);
}

bool input_string_bool(const char *name, const char *str, bool *obj,
                       Error **errp)
{
    return qapi_bool_parse(name ?: "null", str, obj, errp);
}

bool input_opts_int64(const char *name, const char *str, int64_t *obj,
                      Error **errp)
{
    long long val;
    char *endptr;

    str = str ?: "";
    errno = 0;
    val = strtoll(str, &endptr, 0);
    if (errno == 0 && endptr > str && *endptr == '\0') {
        *obj = val;
        return true;
    }
    error_setg(errp, "Parameter '%s' expects an int64 value", name);
    return false;
}

bool input_opts_uint64(const char *name, const char *str, uint64_t *obj,
                       Error **errp)
{
    unsigned long long val;
    char *endptr;

    if (parse_uint(str, &val, &endptr, 0) == 0 && *endptr == '\0') {
        *obj = val;
        return true;
    }
    error_setg(errp, "Parameter '%s' expects a uint64 value", name);
    return false;
}

bool input_opts_size(const char *name, const char *str, uint64_t *obj,
                     Error **errp)
{
    return parsed_or_error(qemu_strtosz(str ?: "", NULL, obj), name,
                           "a size value", errp);
}

bool input_check_uintN(const char *name, uint64_t value, uint64_t max,
                       const char *type, Error **errp)
{
    if (value > max) {
        error_setg(errp, "Parameter '%s' expects %s", name ?: "null", type);
        return false;
    }
    return true;
}

bool input_check_intN(const char *name, int64_t value, int64_t min,
                      int64_t max, const char *type, Error **errp)
{
    if (value < min || value > max) {
        error_setg(errp, "Parameter '%s' expects %s", name ?: "null", type);
        return false;
    }
    return true;
}
