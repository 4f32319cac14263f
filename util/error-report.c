/*
 * error-report.c - error_report(), the Location stack, report sinks.
 *
 * Modelled on QEMU 7.2's util/qemu-error.c; the formatting of a report
 * (program name, location, "warning: "/"info: " prefix) is byte-for-byte
 * the same.  What differs (per-thread location stack and sink, default
 * program name, one write per report line) and why is described in
 * include/util/error-report.h.
 */
#include "util/osdep.h"
#include "util/error-report.h"

typedef enum {
    REPORT_TYPE_ERROR,
    REPORT_TYPE_WARNING,
    REPORT_TYPE_INFO,
} ReportType;

/* Set once at startup (error_init(), -msg); read by every thread. */
static char *progname;
static bool message_with_timestamp;
static char *glog_domains;         /* G_MESSAGES_DEBUG at error_init() */

/*
 * Per-thread state.  Each thread starts at its own "nowhere" location;
 * a NULL cur_loc means "not yet initialised", so no constructor is needed
 * for threads created later.
 */
static __thread Location std_loc;
static __thread Location *cur_loc;
static __thread ErrorReportSink *cur_sink;
static __thread void *cur_sink_opaque;

static Location *current_loc(void)
{
    if (!cur_loc) {
        std_loc.kind = LOC_NONE;
        cur_loc = &std_loc;
    }
    return cur_loc;
}

/* --- Locations --- */

Location *loc_push_restore(Location *loc)
{
    assert(!loc->prev);
    loc->prev = current_loc();
    cur_loc = loc;
    return loc;
}

Location *loc_push_none(Location *loc)
{
    loc->kind = LOC_NONE;
    loc->prev = NULL;
    return loc_push_restore(loc);
}

Location *loc_pop(Location *loc)
{
    /* Popping anything but the top, or the bottom itself, is a bug. */
    assert(current_loc() == loc && loc->prev);
    cur_loc = loc->prev;
    loc->prev = NULL;
    return loc;
}

Location *loc_save(Location *loc)
{
    *loc = *current_loc();
    loc->prev = NULL;
    return loc;
}

void loc_restore(Location *loc)
{
    Location *prev = current_loc()->prev;

    assert(!loc->prev);
    *cur_loc = *loc;
    cur_loc->prev = prev;
}

void loc_set_none(void)
{
    current_loc()->kind = LOC_NONE;
}

void loc_set_cmdline(char **argv, int idx, int cnt)
{
    Location *loc = current_loc();

    loc->kind = LOC_CMDLINE;
    loc->num = cnt;
    loc->ptr = argv + idx;
}

void loc_set_file(const char *fname, int lno)
{
    Location *loc = current_loc();

    assert(fname || loc->kind == LOC_FILE);
    loc->kind = LOC_FILE;
    loc->num = lno;
    if (fname) {
        loc->ptr = fname;
    }
}

/* --- Output --- */

/*
 * Send @text to this thread's sink, or to stderr in one locked write so
 * that a line from one thread is never split by a line from another.
 */
static void emit(const char *text, size_t len)
{
    if (cur_sink) {
        cur_sink(text, cur_sink_opaque);
        return;
    }
    flockfile(stderr);
    fwrite(text, 1, len, stderr);
    fflush(stderr);
    funlockfile(stderr);
}

int error_vprintf(const char *fmt, va_list ap)
{
    char *text = g_strdup_vprintf(fmt, ap);
    int len = strlen(text);

    emit(text, len);
    g_free(text);
    return len;
}

int error_printf(const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = error_vprintf(fmt, ap);
    va_end(ap);
    return ret;
}

/* QEMU's print_loc(), appending to @out instead of printing piecemeal. */
static void append_loc(GString *out)
{
    const Location *loc = current_loc();
    const char *sep = "";
    int i;

    /* As QEMU: the program name is left out when talking to a monitor. */
    if (!cur_sink) {
        g_string_append_printf(out, "%s:", error_get_progname());
        sep = " ";
    }
    switch (loc->kind) {
    case LOC_CMDLINE: {
        const char *const *argp = loc->ptr;

        for (i = 0; i < loc->num; i++) {
            g_string_append_printf(out, "%s%s", sep, argp[i]);
            sep = " ";
        }
        g_string_append(out, ": ");
        break;
    }
    case LOC_FILE:
        /* "prog:file:12: " - QEMU puts no space after "prog:" here. */
        g_string_append_printf(out, "%s:", (const char *)loc->ptr);
        if (loc->num) {
            g_string_append_printf(out, "%d:", loc->num);
        }
        g_string_append_c(out, ' ');
        break;
    default:
        g_string_append(out, sep);
    }
}

static void QOMU_PRINTF(2, 0) vreport(ReportType type, const char *fmt,
                                      va_list ap)
{
    GString *out = g_string_new(NULL);

    if (message_with_timestamp && !cur_sink) {
        GDateTime *dt = g_date_time_new_now_utc();
        char *timestr = g_date_time_format_iso8601(dt);

        g_string_append_printf(out, "%s ", timestr);
        g_free(timestr);
        g_date_time_unref(dt);
    }

    append_loc(out);

    switch (type) {
    case REPORT_TYPE_ERROR:
        break;
    case REPORT_TYPE_WARNING:
        g_string_append(out, "warning: ");
        break;
    case REPORT_TYPE_INFO:
        g_string_append(out, "info: ");
        break;
    }

    g_string_append_vprintf(out, fmt, ap);
    g_string_append_c(out, '\n');
    emit(out->str, out->len);
    g_string_free(out, TRUE);
}

void error_vreport(const char *fmt, va_list ap)
{
    vreport(REPORT_TYPE_ERROR, fmt, ap);
}

void warn_vreport(const char *fmt, va_list ap)
{
    vreport(REPORT_TYPE_WARNING, fmt, ap);
}

void info_vreport(const char *fmt, va_list ap)
{
    vreport(REPORT_TYPE_INFO, fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(REPORT_TYPE_ERROR, fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(REPORT_TYPE_WARNING, fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(REPORT_TYPE_INFO, fmt, ap);
    va_end(ap);
}

bool error_report_once_cond(bool *printed, const char *fmt, ...)
{
    va_list ap;

    assert(printed);
    if (*printed) {
        return false;
    }
    *printed = true;
    va_start(ap, fmt);
    vreport(REPORT_TYPE_ERROR, fmt, ap);
    va_end(ap);
    return true;
}

bool warn_report_once_cond(bool *printed, const char *fmt, ...)
{
    va_list ap;

    assert(printed);
    if (*printed) {
        return false;
    }
    *printed = true;
    va_start(ap, fmt);
    vreport(REPORT_TYPE_WARNING, fmt, ap);
    va_end(ap);
    return true;
}

/* --- Setup --- */

/*
 * GLib's default handler prints "** (prog:pid): WARNING **: ..." in its
 * own format; route libraries' messages through ours instead, with the
 * same level mapping and G_MESSAGES_DEBUG filtering as QEMU.
 */
static void glog_handler(const char *log_domain, GLogLevelFlags log_level,
                         const char *message, void *user_data)
{
    (void)user_data;

    switch (log_level & G_LOG_LEVEL_MASK) {
    case G_LOG_LEVEL_DEBUG:
    case G_LOG_LEVEL_INFO:
        if (!glog_domains) {
            break;
        }
        if (strcmp(glog_domains, "all") != 0 &&
            (!log_domain || !strstr(glog_domains, log_domain))) {
            break;
        }
        /* fall through */
    case G_LOG_LEVEL_MESSAGE:
        info_report("%s%s%s", log_domain ?: "", log_domain ? ": " : "",
                    message);
        break;
    case G_LOG_LEVEL_WARNING:
        warn_report("%s%s%s", log_domain ?: "", log_domain ? ": " : "",
                    message);
        break;
    case G_LOG_LEVEL_CRITICAL:
    case G_LOG_LEVEL_ERROR:
        error_report("%s%s%s", log_domain ?: "", log_domain ? ": " : "",
                     message);
        break;
    }
}

void error_init(const char *argv0)
{
    const char *p = strrchr(argv0, '/');

    g_free(progname);
    progname = g_strdup(p ? p + 1 : argv0);
    g_set_prgname(progname);

    g_log_set_default_handler(glog_handler, NULL);
    g_free(glog_domains);
    glog_domains = g_strdup(g_getenv("G_MESSAGES_DEBUG"));
}

const char *error_get_progname(void)
{
    return progname ? progname : "qomu";
}

void error_report_set_timestamp(bool on)
{
    message_with_timestamp = on;
}

void error_report_set_sink(ErrorReportSink *fn, void *opaque)
{
    cur_sink = fn;
    cur_sink_opaque = fn ? opaque : NULL;
}

ErrorReportSink *error_report_get_sink(void **opaque)
{
    if (opaque) {
        *opaque = cur_sink_opaque;
    }
    return cur_sink;
}
