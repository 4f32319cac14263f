/*
 * log.c - -d/-D debug logging (include/util/log.h).
 *
 * Modelled on QEMU 7.2's util/log.c: the item table and its help text,
 * qemu_str_to_log_mask() (0 = error), -D file templates with "%d" = pid,
 * the file opened (truncated) only once some item is enabled, and the
 * "Bad logfile template"/"Error opening logfile" messages.
 * Differences: one recursive mutex instead of RCU around the log FILE
 * (simpler, and logging is not a hot path once enabled); per-call-site
 * rate limiting of guest-triggerable masks (see log.h); no per-thread
 * files ("tid"), no daemonize handling, no trace: items.
 */
#include "util/osdep.h"
#include "util/log.h"

typedef struct LogItem {
    int mask;
    const char *name;
    const char *help;
} LogItem;

/* QEMU's names and help text, in QEMU's order. */
static const LogItem log_items[] = {
    { CPU_LOG_INT, "int",
      "show interrupts/exceptions in short format" },
    { CPU_LOG_RESET, "cpu_reset",
      "show CPU state before CPU resets" },
    { LOG_UNIMP, "unimp",
      "log unimplemented functionality" },
    { LOG_GUEST_ERROR, "guest_errors",
      "log when the guest OS does something invalid (eg accessing a\n"
      "non-existent register)" },
    { 0, NULL, NULL },
};

int qomu_loglevel;

/*
 * log_lock covers log_file, log_filename and every QomuLogRateLimit.
 * Recursive so that qomu_log() works between qomu_log_trylock() and
 * qomu_log_unlock(), as it does in QEMU (flockfile is recursive).
 * A static GRecMutex needs no initialisation.
 */
static GRecMutex log_lock;
static FILE *log_file;             /* NULL: logging off */
static char *log_filename;         /* -D name after %d expansion, or NULL */
static int64_t (*log_clock)(void); /* test hook; NULL = monotonic */

static int64_t log_now_ns(void)
{
    return log_clock ? log_clock() : g_get_monotonic_time() * 1000;
}

bool qomu_log_enabled(void)
{
    bool ret;

    g_rec_mutex_lock(&log_lock);
    ret = log_file != NULL;
    g_rec_mutex_unlock(&log_lock);
    return ret;
}

FILE *qomu_log_trylock(void)
{
    g_rec_mutex_lock(&log_lock);
    if (!log_file) {
        g_rec_mutex_unlock(&log_lock);
        return NULL;
    }
    return log_file;
}

void qomu_log_unlock(FILE *logfile)
{
    if (logfile) {
        fflush(logfile);
        g_rec_mutex_unlock(&log_lock);
    }
}

void qomu_log(const char *fmt, ...)
{
    FILE *f = qomu_log_trylock();
    va_list ap;

    if (f) {
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        qomu_log_unlock(f);
    }
}

/*
 * Decide whether this call site may print now; called with log_lock held.
 * Fixed windows: the first line starts a window, BURST lines pass, the
 * rest are counted until a line arrives after the window has ended.
 */
static bool ratelimit_pass(QomuLogRateLimit *rl, FILE *f)
{
    int64_t now = log_now_ns();

    /* printed == 0 only before this call site's first line. */
    if (rl->printed == 0 ||
        now - rl->window_start_ns >= QOMU_LOG_RATELIMIT_WINDOW_NS) {
        rl->window_start_ns = now;
        rl->printed = 0;
    }
    if (rl->printed >= QOMU_LOG_RATELIMIT_BURST) {
        rl->suppressed++;
        return false;
    }
    rl->printed++;
    if (rl->suppressed) {
        fprintf(f, "... suppressed %u messages\n", rl->suppressed);
        rl->suppressed = 0;
    }
    return true;
}

void qomu_log_mask_impl(QomuLogRateLimit *rl, int mask, const char *fmt,
                        ...)
{
    FILE *f = qomu_log_trylock();
    va_list ap;

    if (!f) {
        return;
    }
    if (!(mask & QOMU_LOG_RATELIMITED_MASKS) || ratelimit_pass(rl, f)) {
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
    }
    qomu_log_unlock(f);
}

/*
 * Expand a -D template: at most one '%', which must be "%d" (the pid).
 * Returns the new name, or NULL with @errp set.
 */
static char *expand_filename(const char *filename, Error **errp)
{
    const char *pct = strchr(filename, '%');

    if (!pct) {
        return g_strdup(filename);
    }
    if (pct[1] != 'd' || strchr(pct + 2, '%')) {
        error_setg(errp, "Bad logfile template: %s", filename);
        return NULL;
    }
    return g_strdup_printf("%.*s%d%s", (int)(pct - filename), filename,
                           (int)getpid(), pct + 2);
}

/* QEMU's qemu_set_log_internal() minus per-thread and daemon cases. */
static bool set_log_internal(const char *filename, bool changed_name,
                             int log_flags, Error **errp)
{
    Error *err = NULL;
    char *newname = NULL;

    if (changed_name && filename) {
        newname = expand_filename(filename, errp);
        if (!newname) {
            return false;
        }
    }

    g_rec_mutex_lock(&log_lock);
    if (changed_name) {
        g_free(log_filename);
        log_filename = newname;
    }
    __atomic_store_n(&qomu_loglevel, log_flags, __ATOMIC_RELAXED);

    if (log_file) {
        fflush(log_file);
        if (changed_name) {
            if (log_file != stderr) {
                fclose(log_file);
            }
            log_file = NULL;
        }
    }
    /* The file is only opened once there is something to log. */
    if (!log_file && log_flags) {
        if (log_filename) {
            log_file = fopen(log_filename, "w");
            if (!log_file) {
                error_setg_errno(&err, errno, "Error opening logfile %s",
                                 log_filename);
            }
        } else {
            log_file = stderr;
        }
    }
    g_rec_mutex_unlock(&log_lock);

    /* Outside the lock: errp may be &error_fatal, which exits. */
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

bool qomu_set_log(int log_flags, Error **errp)
{
    return set_log_internal(NULL, false, log_flags, errp);
}

bool qomu_set_log_filename(const char *filename, Error **errp)
{
    return set_log_internal(filename, true,
                            __atomic_load_n(&qomu_loglevel, __ATOMIC_RELAXED),
                            errp);
}

bool qomu_set_log_filename_flags(const char *filename, int log_flags,
                                 Error **errp)
{
    return set_log_internal(filename, true, log_flags, errp);
}

int qomu_str_to_log_mask(const char *str)
{
    const LogItem *item;
    char **parts = g_strsplit(str, ",", 0);
    char **tmp;
    int mask = 0;

    /* As QEMU: "" splits into no parts and yields 0, i.e. an error. */
    for (tmp = parts; *tmp; tmp++) {
        if (g_str_equal(*tmp, "all")) {
            for (item = log_items; item->mask; item++) {
                mask |= item->mask;
            }
            continue;
        }
        for (item = log_items; item->mask; item++) {
            if (g_str_equal(*tmp, item->name)) {
                break;
            }
        }
        if (!item->mask) {
            g_strfreev(parts);
            return 0;
        }
        mask |= item->mask;
    }
    g_strfreev(parts);
    return mask;
}

void qomu_print_log_usage(FILE *f)
{
    const LogItem *item;

    fprintf(f, "Log items (comma separated):\n");
    for (item = log_items; item->mask; item++) {
        fprintf(f, "%-15s %s\n", item->name, item->help);
    }
}

void qomu_log_set_clock_for_test(int64_t (*now_ns)(void))
{
    g_rec_mutex_lock(&log_lock);
    log_clock = now_ns;
    g_rec_mutex_unlock(&log_lock);
}
