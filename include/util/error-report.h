/*
 * error-report.h - human-readable diagnostics: error_report() and friends.
 *
 * Modelled on QEMU 7.2's include/qemu/error-report.h and
 * util/qemu-error.c.  A report is one line:
 *
 *     [timestamp ]prog: [location: ][warning: |info: ]message\n
 *
 * e.g. "qomu: -device foo: 'foo' is not a valid device model name".
 * The location comes from a stack of Location records, so that code
 * which parses a command-line option or a config file line can say
 * "errors from here on are about this" once, and everything it calls
 * (error_report(), or an Error that reaches &error_fatal) is prefixed
 * automatically.
 *
 * Modelled: the Location stack (LOC_NONE, LOC_CMDLINE, LOC_FILE) and its
 * exact formatting, including QEMU's "prog:file:line: " (no space after
 * the program name for file locations); "warning: "/"info: " prefixes;
 * error_report_once(); -msg timestamp=on; GLib log messages rerouted
 * through these functions by error_init().
 *
 * Deviations, and why:
 *  - QEMU prints to the current monitor if there is one, else stderr.
 *    qomu has a per-thread "sink" (error_report_set_sink()) that the
 *    monitor installs while it runs a command; as in QEMU, output that
 *    goes to a sink carries neither the program name nor a timestamp.
 *  - The location stack is per thread (QEMU's is global, protected by
 *    the BQL).  A vCPU thread reporting an error is therefore never
 *    attributed to whatever option the main thread happens to be
 *    parsing, and no lock is needed.
 *  - The program name defaults to "qomu" before error_init() is called
 *    (QEMU prints no name at all until then).
 *  - Each error_report() line reaches stderr in one write, so lines from
 *    concurrent threads do not interleave mid-line.
 *  - Not modelled: -msg guest-name=on, error_printf_unless_qmp().
 */
#ifndef UTIL_ERROR_REPORT_H
#define UTIL_ERROR_REPORT_H

#include "util/osdep.h"

/* --- Locations --- */

/*
 * Where the thing being reported about came from.  Callers allocate a
 * Location (usually on the stack), push it, set it, and pop it when done;
 * the fields are private to error-report.c.
 */
typedef struct Location {
    enum { LOC_NONE, LOC_CMDLINE, LOC_FILE } kind;
    int num;                    /* LOC_CMDLINE: argc span; LOC_FILE: line */
    const void *ptr;            /* LOC_CMDLINE: char **; LOC_FILE: name */
    struct Location *prev;      /* next older entry on the stack */
} Location;

/*
 * Push @loc (previously filled by loc_save()) on this thread's location
 * stack; it becomes the current location.  Needs a matching loc_pop().
 * Returns @loc.
 */
Location *loc_push_restore(Location *loc);

/* Initialise @loc to "nowhere" and push it.  Needs a matching loc_pop(). */
Location *loc_push_none(Location *loc);

/* Pop @loc, which must be the current location (top of stack). */
Location *loc_pop(Location *loc);

/* Copy the current location into @loc (for a later loc_restore() or
 * loc_push_restore()); returns @loc. */
Location *loc_save(Location *loc);

/* Make the current location equal to the one saved in @loc. */
void loc_restore(Location *loc);

/* Change the current location to "nowhere in particular". */
void loc_set_none(void);

/*
 * Change the current location to argv[idx .. idx+cnt-1]; reports then
 * start "prog: -device foo,bar=1: ".  @argv must stay valid while the
 * location is current (it is referenced, not copied).
 */
void loc_set_cmdline(char **argv, int idx, int cnt);

/*
 * Change the current location to file @fname, line @lno; reports then
 * start "prog:fname:lno: " (just "prog:fname: " if @lno is 0).  @fname
 * NULL keeps the current file name and only changes the line; @fname is
 * referenced, not copied.
 */
void loc_set_file(const char *fname, int lno);

/* --- Reporting --- */

/*
 * Print a raw string to the current sink (stderr if none): no prefix, no
 * newline added.  Used for hints and multi-line help.  Returns the number
 * of bytes printed.  Any thread.
 */
int error_vprintf(const char *fmt, va_list ap) QOMU_PRINTF(1, 0);
int error_printf(const char *fmt, ...) QOMU_PRINTF(1, 2);

/*
 * Report an error / warning / informational message: prefix as described
 * at the top of this file, then the message, then "\n".  The message is
 * one phrase, no trailing newline or punctuation.  Any thread.
 */
void error_vreport(const char *fmt, va_list ap) QOMU_PRINTF(1, 0);
void warn_vreport(const char *fmt, va_list ap) QOMU_PRINTF(1, 0);
void info_vreport(const char *fmt, va_list ap) QOMU_PRINTF(1, 0);
void error_report(const char *fmt, ...) QOMU_PRINTF(1, 2);
void warn_report(const char *fmt, ...) QOMU_PRINTF(1, 2);
void info_report(const char *fmt, ...) QOMU_PRINTF(1, 2);

/*
 * Like error_report()/warn_report(), but only if *@printed is false; then
 * set it.  Returns whether the message was printed.  Not atomic: two
 * threads racing on the same flag may both print.
 */
bool error_report_once_cond(bool *printed, const char *fmt, ...)
    QOMU_PRINTF(2, 3);
bool warn_report_once_cond(bool *printed, const char *fmt, ...)
    QOMU_PRINTF(2, 3);

/* Print this message at most once per call site per process. */
#define error_report_once(fmt, ...)                                     \
    ({                                                                  \
        static bool print_once_;                                        \
        error_report_once_cond(&print_once_, fmt, ## __VA_ARGS__);      \
    })
#define warn_report_once(fmt, ...)                                      \
    ({                                                                  \
        static bool print_once_;                                        \
        warn_report_once_cond(&print_once_, fmt, ## __VA_ARGS__);       \
    })

/* --- Setup --- */

/*
 * Set the program name used as prefix to basename(@argv0), and route
 * GLib's g_message()/g_warning()/g_critical() (and g_debug()/g_info()
 * for domains listed in G_MESSAGES_DEBUG) through info_report(),
 * warn_report() and error_report().  Call early in main(), before other
 * threads exist.  May be called again (tests do).
 */
void error_init(const char *argv0);

/* The program name used as prefix ("qomu" until error_init()). */
const char *error_get_progname(void);

/*
 * -msg timestamp=on: prefix stderr reports with an ISO 8601 UTC time
 * ("2023-01-02T03:04:05.123456Z ").  Main thread, before vCPUs start.
 */
void error_report_set_timestamp(bool on);

/*
 * Where reports go instead of stderr (QEMU: the current monitor).
 * @text is a chunk of output: a whole report line including its "\n",
 * or whatever one error_printf() call produced.  It is only valid
 * during the call.
 */
typedef void ErrorReportSink(const char *text, void *opaque);

/*
 * Install @fn as this thread's sink (NULL: back to stderr).  There is no
 * stack: a caller that may nest saves the previous sink with
 * error_report_get_sink() (which also returns its opaque) and restores it.
 * Per thread, so a vCPU thread's warnings keep going to stderr while the
 * main thread runs a monitor command.
 */
void error_report_set_sink(ErrorReportSink *fn, void *opaque);
ErrorReportSink *error_report_get_sink(void **opaque);

#endif /* UTIL_ERROR_REPORT_H */
