/*
 * error.h - QEMU's Error object: how the configuration layer reports failure.
 *
 * The contract (identical to QEMU's include/qapi/error.h):
 *  - A function that can fail takes `Error **errp` last and returns bool
 *    (false = failure) or a pointer (NULL = failure).  On failure it sets
 *    *errp exactly once; on success it leaves *errp alone.
 *  - errp may be NULL (caller ignores the error), &error_fatal (print and
 *    exit(1)), &error_abort (print and abort()), or the address of a local
 *    `Error *err = NULL` that the caller then inspects/propagates/frees.
 *  - Messages are one phrase: no trailing newline, no trailing punctuation.
 */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include "util/osdep.h"

typedef struct Error Error;

/* Classes as in QMP's {"error": {"class": ...}} */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
} ErrorClass;

/* Special values for errp: see the contract above. */
extern Error *error_fatal;
extern Error *error_abort;

#define error_setg(errp, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __func__, \
                        (fmt), ## __VA_ARGS__)
#define error_setg_errno(errp, os_errno, fmt, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__, \
                              (os_errno), (fmt), ## __VA_ARGS__)
#define error_set(errp, err_class, fmt, ...) \
    error_set_internal((errp), __FILE__, __LINE__, __func__, \
                       (err_class), (fmt), ## __VA_ARGS__)

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
    QOMU_PRINTF(5, 6);
/* Appends ": strerror(os_errno)" to the message. */
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
    QOMU_PRINTF(6, 7);
void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...)
    QOMU_PRINTF(6, 7);

/* Text of the message; owned by err. */
const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
/* QMP spelling of the class: "GenericError", "CommandNotFound", ... */
const char *error_class_name(ErrorClass klass);

/* Hand local_err to dst_errp (which may be &error_fatal etc.); takes
 * ownership of local_err.  If *dst_errp is already set, local_err is freed. */
void error_propagate(Error **dst_errp, Error *local_err);
/* Like error_propagate + error_prepend. */
void error_propagate_prepend(Error **dst_errp, Error *local_err,
                             const char *fmt, ...) QOMU_PRINTF(3, 4);
/* Prefix *errp's message (if errp and *errp are non-NULL). */
void error_prepend(Error **errp, const char *fmt, ...) QOMU_PRINTF(2, 3);
/*
 * Append a hint, printed after the message by error_report_err() and
 * &error_fatal.  The hint is free text: end each line with "\n".  errp
 * may be NULL (no-op); otherwise *errp must be set, and errp must not be
 * &error_fatal/&error_abort (asserts, as QEMU) - a function that wants its
 * hints to survive &error_fatal starts with ERRP_GUARD().
 */
void error_append_hint(Error **errp, const char *fmt, ...) QOMU_PRINTF(2, 3);

Error *error_copy(const Error *err);
void error_free(Error *err);
/* Free *errp and set it to NULL. */
void error_free_or_abort(Error **errp);
/* error_report the message (with hint), then free. */
void error_report_err(Error *err);
void warn_report_err(Error *err);

/* --- Extensions beyond the original header (all as in QEMU 7.2) --- */

/* error_setg_errno(errp, os_errno, "Could not open '%s'", filename) */
#define error_setg_file_open(errp, os_errno, filename) \
    error_setg_errno((errp), (os_errno), "Could not open '%s'", (filename))

/* va_list form of error_prepend(). */
void error_vprepend(Error **errp, const char *fmt, va_list ap)
    QOMU_PRINTF(2, 0);

/* error_prepend(&err, fmt, ...) then error_report_err(err) / warn_... */
void error_reportf_err(Error *err, const char *fmt, ...) QOMU_PRINTF(2, 3);
void warn_reportf_err(Error *err, const char *fmt, ...) QOMU_PRINTF(2, 3);

/*
 * ERRP_GUARD(): put first in a function taking `Error **errp` that
 * dereferences errp (to test *errp, error_prepend() or
 * error_append_hint()).  If the caller passed NULL or &error_fatal, errp
 * is redirected to a local Error that is propagated to the original
 * errp when the function returns, so hints reach the &error_fatal report
 * and `if (*errp)` works with NULL.  &error_abort is left alone so that
 * the abort still points at the first error_setg().
 */
typedef struct ErrorPropagator {
    Error *local_err;
    Error **errp;
} ErrorPropagator;

static inline void error_propagator_cleanup(ErrorPropagator *prop)
{
    error_propagate(prop->errp, prop->local_err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ErrorPropagator, error_propagator_cleanup)

#define ERRP_GUARD()                                            \
    g_auto(ErrorPropagator) _auto_errp_prop = {.errp = errp};   \
    do {                                                        \
        if (!errp || errp == &error_fatal) {                    \
            errp = &_auto_errp_prop.local_err;                  \
        }                                                       \
    } while (0)

/* Convenience for ERRP_GUARD-less code: true if errp is set. */
static inline bool error_is_set(Error **errp)
{
    return errp && *errp;
}

#endif /* UTIL_ERROR_H */
