/*
 * log.h - debug logging selected with -d ITEM,... and -D FILE.
 *
 * Modelled on QEMU 7.2's include/qemu/log.h and util/log.c: a global
 * mask of enabled items, a cheap inline test, qomu_log_mask() that
 * prints only if one of its bits is enabled, and a log file that is
 * stderr unless -D names one.  Bit values and item names are QEMU's, so
 * "-d guest_errors,unimp" means the same thing in both.
 *
 * Items: only those that mean something without TCG and user-mode
 * emulation are kept (int, cpu_reset, unimp, guest_errors).  QEMU's
 * TCG/user-mode items (in_asm, exec, strace, ...) and "tid" (per-thread
 * log files), "trace:PATTERN" and -dfilter are not modelled; asking for
 * them is an unknown item, as for any other bad name.
 *
 * Rate limiting (qomu addition; QEMU has none): messages whose mask
 * includes LOG_GUEST_ERROR or LOG_UNIMP are limited to
 * QOMU_LOG_RATELIMIT_BURST lines per call site per second.  A guest
 * controls how often those fire (a loop poking a bad register), so
 * without a limit it can fill the disk or stall a vCPU thread on log
 * I/O.  The limit is per call site, so one noisy device does not hide a
 * different message.  Suppressed lines are counted, and the next line
 * that gets through from that call site is preceded by
 * "... suppressed N messages\n".  (If the guest stops, the final count is
 * never printed; a timer would need the main loop, which util/ must not
 * depend on.)  Other masks are never limited: they are enabled on
 * purpose to see everything.
 *
 * Threads: every function here may be called from any thread; output
 * lines are written under one lock, so lines never interleave.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include "util/osdep.h"
#include "util/error.h"

/* Log items; values as QEMU's CPU_LOG_* / LOG_* bits. */
#define CPU_LOG_INT        (1 << 4)     /* "int": interrupts/exceptions */
#define CPU_LOG_RESET      (1 << 9)     /* "cpu_reset": CPU state at reset */
#define LOG_UNIMP          (1 << 10)    /* "unimp": unimplemented feature */
#define LOG_GUEST_ERROR    (1 << 11)    /* "guest_errors": invalid guest op */

/* Masks that are rate-limited per call site (see above). */
#define QOMU_LOG_RATELIMITED_MASKS  (LOG_GUEST_ERROR | LOG_UNIMP)
/* Lines let through per call site per window. */
#define QOMU_LOG_RATELIMIT_BURST    10
/* Window length in nanoseconds (1 s). */
#define QOMU_LOG_RATELIMIT_WINDOW_NS  1000000000LL

/* Private: the enabled mask.  Use qomu_loglevel_mask(). */
extern int qomu_loglevel;

/* True if any bit of @mask is enabled.  Inline and lock-free. */
static inline bool qomu_loglevel_mask(int mask)
{
    return (__atomic_load_n(&qomu_loglevel, __ATOMIC_RELAXED) & mask) != 0;
}

/* Per-call-site rate-limit state; qomu_log_mask() allocates one. */
typedef struct QomuLogRateLimit {
    int64_t window_start_ns;    /* monotonic start of the current window */
    unsigned printed;           /* lines let through in this window */
    unsigned suppressed;        /* lines dropped, not yet reported */
} QomuLogRateLimit;

/* True if qomu_log() writes somewhere (some item enabled, file open). */
bool qomu_log_enabled(void);

/* Print to the log unconditionally (if it is open).  No newline added. */
void qomu_log(const char *fmt, ...) QOMU_PRINTF(1, 2);

/*
 * qomu_log_mask(mask, fmt, ...): print if any bit of @mask is enabled.
 * Rate-limited if @mask includes a bit of QOMU_LOG_RATELIMITED_MASKS.
 * The format should end in "\n", as QEMU's.  Costs one load and a branch
 * when disabled.
 */
#define qomu_log_mask(MASK, FMT, ...)                                    \
    do {                                                                 \
        if (__builtin_expect(qomu_loglevel_mask(MASK), 0)) {             \
            static QomuLogRateLimit qomu_log_rl_;                        \
            qomu_log_mask_impl(&qomu_log_rl_, (MASK), FMT,               \
                               ## __VA_ARGS__);                          \
        }                                                                \
    } while (0)

/* Implementation of qomu_log_mask(); @rl is that call site's state. */
void qomu_log_mask_impl(QomuLogRateLimit *rl, int mask, const char *fmt,
                        ...) QOMU_PRINTF(3, 4);

/*
 * For multi-line output that must stay together (register dumps):
 * returns the log FILE with the log lock held, or NULL (lock not held) if
 * the log is closed.  Write with fprintf(), then qomu_log_unlock().
 */
FILE *qomu_log_trylock(void);
void qomu_log_unlock(FILE *logfile);

/*
 * Set the enabled items.  Opens the log (stderr, or the -D file) when
 * the mask becomes non-zero.  false + @errp if the -D file can't be
 * opened ("Error opening logfile NAME: strerror"); the mask is set
 * regardless, as QEMU.
 */
bool qomu_set_log(int log_flags, Error **errp);

/*
 * -D: log to @filename (NULL: back to stderr).  One "%d" in the name is
 * replaced by the process id; any other '%' is "Bad logfile template:
 * NAME".  The file is truncated, and only opened once some item is
 * enabled; a previously open file is closed.
 */
bool qomu_set_log_filename(const char *filename, Error **errp);

/* Both at once, as QEMU's qemu_set_log_filename_flags() (-d with -D). */
bool qomu_set_log_filename_flags(const char *filename, int log_flags,
                                 Error **errp);

/*
 * Parse a -d argument: comma-separated item names, or "all".  Returns the
 * mask, or 0 if any name is unknown (or the string is empty) - the caller
 * then prints qomu_print_log_usage() and exits, as QEMU does for both a
 * bad name and "-d help".
 */
int qomu_str_to_log_mask(const char *str);

/* Print "Log items (comma separated):" and one "%-15s %s" line per item. */
void qomu_print_log_usage(FILE *f);

/*
 * Tests only: replace the monotonic clock used by the rate limiter
 * (NULL restores it).  Returns nanoseconds.
 */
void qomu_log_set_clock_for_test(int64_t (*now_ns)(void));

#endif /* UTIL_LOG_H */
