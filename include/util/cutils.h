/*
 * cutils.h - number/size/bool parsing with QEMU's exact semantics and
 * error messages.
 *
 * Two layers:
 *
 * 1. Strict strto*() wrappers (QEMU 7.2 util/cutils.c, same names):
 *    return 0, -EINVAL or -ERANGE; never touch errno's meaning for the
 *    caller.  Shared rules for qemu_strto*():
 *     - leading whitespace and a sign are accepted, as by strtol();
 *       base 0 accepts "0x" hex and "0" octal;
 *     - @nptr NULL: -EINVAL, *@endptr = NULL;
 *     - nothing converted: -EINVAL, *@endptr = @nptr;
 *     - @endptr NULL and trailing characters: -EINVAL (the whole string
 *       must be the number); @endptr non-NULL: it points past the number;
 *     - overflow: -ERANGE with the type's max (or min) stored.
 *    Unsigned variants behave like strtoul(): a leading '-' is accepted
 *    and the value negated in the result type, so qemu_strtou64("-1")
 *    returns 0 with UINT64_MAX.  That is QEMU's behaviour and the keyval
 *    (-device) and string (-global) paths inherit it.  parse_uint() is
 *    the variant that rejects negative numbers (-ERANGE).
 *
 * 2. Value parsers that set QEMU's message, one per QEMU input path.
 *    The same bad value gets a different message depending on how it
 *    arrived, and qomu reproduces that:
 *     - keyval visitor (qapi/qobject-input-visitor.c *_keyval):
 *       -device, -object, and -machine/-m/-smp after QEMU converts them
 *       to keyval.  input_keyval_*().
 *     - string input visitor (qapi/string-input-visitor.c): -global,
 *       object_property_parse(), HMP qom-set.  input_string_*().
 *     - QemuOpts typed options (util/qemu-option.c): the first parse of
 *       -m (QEMU_OPT_SIZE "size") and -smp (QEMU_OPT_NUMBER).
 *       parse_option_number(), parse_option_size(), qapi_bool_parse().
 *     - opts visitor (qapi/opts-visitor.c): -numa, -netdev legacy.
 *       input_opts_*().
 *    Then, for properties narrower than 64 bits, QEMU's visit_type_intN()
 *    / visit_type_uintN() range check: input_check_intN/uintN().
 *    On failure the parsers may have written *obj (as QEMU's keyval
 *    visitor does); callers must not use it.
 *
 * All functions are thread-safe (no state).
 */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include "util/osdep.h"
#include "util/error.h"

/* --- 1. strto*() wrappers --- */

/* int: -ERANGE stores INT_MAX / INT_MIN. */
int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result);
/* unsigned int: strtoul() rules; values outside [INT_MIN, UINT_MAX]
 * (after the unsigned wrap) are -ERANGE with UINT_MAX stored. */
int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result);
/* int64_t: -ERANGE stores INT64_MAX / INT64_MIN. */
int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result);
/* uint64_t: strtoull() rules ("-1" is UINT64_MAX); -ERANGE stores
 * UINT64_MAX. */
int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result);
/* double: -ERANGE on overflow (+-HUGE_VAL) and underflow (+-0.0). */
int qemu_strtod(const char *nptr, const char **endptr, double *result);
/* Like qemu_strtod(), but "nan"/"inf" are -EINVAL (nothing converted,
 * *result untouched). */
int qemu_strtod_finite(const char *nptr, const char **endptr,
                       double *result);

/*
 * parse_uint: strtoull() syntax, but a negative number is -ERANGE with
 * *@value = 0; nothing converted: -EINVAL, *@value = 0, *@endptr = @s;
 * overflow: -ERANGE, ULLONG_MAX.  *@endptr always points past the digits.
 * parse_uint_full: the whole string must be the number, else -EINVAL and
 * *@value = 0.
 */
int parse_uint(const char *s, unsigned long long *value, char **endptr,
               int base);
int parse_uint_full(const char *s, unsigned long long *value, int base);

/*
 * Sizes: "12345" (unit per variant), "64k", "1.5G", "0x1000".
 * Suffixes B K M G T P E (case-insensitive; 'B' = bytes) scale by 1024
 * (1000 for _metric).  A fraction needs a scale larger than bytes and
 * is rounded to the nearest byte; hex may not have a fraction; hex
 * with a suffix still works but warn_report()s "Using a multiplier
 * suffix on hex numbers is deprecated: STR"; exponents ("1e3"), a '-'
 * anywhere and octal are rejected.
 * -EINVAL: *@end = @nptr.  -ERANGE (>= 2^64): *@end advanced.
 * @end NULL: trailing characters are -EINVAL.  *@result is only written
 * on success.
 */
int qemu_strtosz(const char *nptr, const char **end, uint64_t *result);
/* As qemu_strtosz(), but a number without suffix means MiB (QEMU's
 * -m convention: "-m 1024" is 1 GiB). */
int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result);
/* As qemu_strtosz(), but suffixes are powers of 1000. */
int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result);

/* "1 KiB", "1.5 GiB", "1000 B" -> "0.977 KiB": QEMU's size_to_str().
 * Caller g_free()s. */
char *size_to_str(uint64_t val);

/* --- 2. Value parsers with QEMU's messages --- */

/*
 * qapi_bool_parse: "on" "yes" "true" "y" -> true, "off" "no" "false" "n"
 * -> false (case-sensitive); else "Parameter 'NAME' expects 'on' or
 * 'off'".  (QEMU 7.2 qapi/qapi-util.c; used as-is by QemuOpts bool
 * options and the string visitor.)
 */
bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp);

/*
 * QemuOpts QEMU_OPT_NUMBER: qemu_strtou64(value, NULL, 0).
 *   -ERANGE: "Value 'VALUE' is too large for parameter 'NAME'"
 *   else:    "Parameter 'NAME' expects a number"
 */
bool parse_option_number(const char *name, const char *value,
                         uint64_t *ret, Error **errp);

/*
 * QemuOpts QEMU_OPT_SIZE (also the string visitor's size):
 * qemu_strtosz(value, NULL).
 *   -ERANGE: "Value 'VALUE' is out of range for parameter 'NAME'"
 *   else:    "Parameter 'NAME' expects a non-negative number below 2^64"
 *            with hint "Optional suffix k, M, G, T, P or E means kilo-,
 *            mega-, giga-, tera-, peta-\nand exabytes, respectively.\n"
 */
bool parse_option_size(const char *name, const char *value, uint64_t *ret,
                       Error **errp);

/*
 * Keyval visitor.  @name is the full dotted name ("drive.file.size").
 *   int64/uint64: qemu_strtoi64/u64(str, NULL, 0); any failure
 *                 (including -ERANGE) "Parameter 'NAME' expects integer"
 *   size:    qemu_strtosz(str, NULL); "Parameter 'NAME' expects size"
 *   bool:    qapi_bool_parse words; "Parameter 'NAME' expects 'on' or 'off'"
 *   number:  qemu_strtod_finite(str, NULL);
 *            "Invalid parameter type for 'NAME', expected: number"
 */
bool input_keyval_int64(const char *name, const char *str, int64_t *obj,
                        Error **errp);
bool input_keyval_uint64(const char *name, const char *str, uint64_t *obj,
                         Error **errp);
bool input_keyval_size(const char *name, const char *str, uint64_t *obj,
                       Error **errp);
bool input_keyval_bool(const char *name, const char *str, bool *obj,
                       Error **errp);
bool input_keyval_number(const char *name, const char *str, double *obj,
                         Error **errp);

/*
 * String visitor (scalars only; QEMU's int lists/ranges not modelled).
 * @name NULL prints as "null", as QEMU.
 *   int64:  "Parameter 'NAME' expects int64"
 *   uint64: "Parameter 'NAME' expects uint64"
 *   size:   parse_option_size()
 *   bool:   qapi_bool_parse()
 */
bool input_string_int64(const char *name, const char *str, int64_t *obj,
                        Error **errp);
bool input_string_uint64(const char *name, const char *str, uint64_t *obj,
                         Error **errp);
bool input_string_size(const char *name, const char *str, uint64_t *obj,
                       Error **errp);
bool input_string_bool(const char *name, const char *str, bool *obj,
                       Error **errp);

/*
 * Opts visitor (scalars only; ranges "1-3" not modelled).  A missing
 * value (@str NULL, "-numa node,size") parses as "".
 *   int64:  strtoll(), "Parameter 'NAME' expects an int64 value"
 *   uint64: parse_uint() - negatives rejected -
 *           "Parameter 'NAME' expects a uint64 value"
 *   size:   qemu_strtosz(), "Parameter 'NAME' expects a size value"
 */
bool input_opts_int64(const char *name, const char *str, int64_t *obj,
                      Error **errp);
bool input_opts_uint64(const char *name, const char *str, uint64_t *obj,
                       Error **errp);
bool input_opts_size(const char *name, const char *str, uint64_t *obj,
                     Error **errp);

/*
 * QEMU's visit_type_uintN()/intN() range check after a 64-bit parse:
 * "Parameter 'NAME' expects TYPE", TYPE being "uint8_t", "uint16_t",
 * "uint32_t", "int8_t", ...  @name NULL prints as "null".
 */
bool input_check_uintN(const char *name, uint64_t value, uint64_t max,
                       const char *type, Error **errp);
bool input_check_intN(const char *name, int64_t value, int64_t min,
                      int64_t max, const char *type, Error **errp);

#endif /* UTIL_CUTILS_H */
