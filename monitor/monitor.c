/*
 * monitor.c - what QMP and HMP monitors share (QEMU 7.2's
 * monitor/monitor.c): the list of monitors, the output buffer and its
 * flushing, the current monitor, -mon options, cleanup.  See
 * monitor-internal.h for the output rules.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "util/keyval.h"
#include "util/cutils.h"
#include "chardev/char.h"
#include "monitor-internal.h"

static GList *monitors;             /* Monitor *, in creation order */
static Monitor *cur_mon;            /* whose command runs now */

GList *monitor_list(void)
{
    return monitors;
}

unsigned monitor_count(void)
{
    return g_list_length(monitors);
}

Monitor *monitor_cur(void)
{
    return cur_mon;
}

bool monitor_is_qmp(const Monitor *mon)
{
    return mon->is_qmp;
}

int monitor_get_cpu_index(Monitor *mon)
{
    return mon->cpu_index;
}

/* error_report() while an HMP command runs: to that monitor, without
 * program name (QEMU's error_vprintf prints to the current HMP monitor;
 * QMP commands' reports still go to stderr, as in QEMU). */
static void monitor_error_sink(const char *text, void *opaque)
{
    monitor_puts(opaque, text);
}

Monitor *monitor_set_cur(Monitor *mon)
{
    Monitor *old = cur_mon;

    cur_mon = mon;
    if (mon && !mon->is_qmp) {
        error_report_set_sink(monitor_error_sink, mon);
    } else {
        error_report_set_sink(NULL, NULL);
    }
    return old;
}

/* --- output ---------------------------------------------------------- */

static void monitor_flush_timer_cb(void *opaque)
{
    monitor_flush(opaque);
}

size_t monitor_outbuf_pending(Monitor *mon)
{
    return mon->outbuf->len;
}

void monitor_reset_output(Monitor *mon)
{
    mon->overflowed = false;
    g_string_truncate(mon->outbuf, 0);
    if (mon->flush_timer) {
        timer_del(mon->flush_timer);
    }
}

void monitor_flush(Monitor *mon)
{
    bool was_paused = mon->outbuf->len > MONITOR_OUTBUF_PAUSE;

    if (mon->capture) {
        return;
    }
    while (mon->outbuf->len) {
        int n = qemu_chr_fe_write(&mon->chr, (const uint8_t *)mon->outbuf->str,
                                  MIN(mon->outbuf->len, (gsize)INT_MAX));

        if (n > 0) {
            g_string_erase(mon->outbuf, 0, n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            /* The client is gone (EPIPE): its chardev will say so. */
            g_string_truncate(mon->outbuf, 0);
            break;
        }
        /* The client does not take more now: try again later. */
        timer_mod(mon->flush_timer, qomu_clock_get_ns(QEMU_CLOCK_REALTIME) +
                                    MONITOR_FLUSH_RETRY_NS);
        break;
    }
    /* Input may flow again.  (An event emitted by a vCPU thread leaves
     * this to the chardev, which asks again every 10 ms.) */
    if (was_paused && mon->outbuf->len <= MONITOR_OUTBUF_PAUSE &&
        mon->update_input && qomu_in_main_thread()) {
        mon->update_input(mon);
    }
}

int monitor_puts(Monitor *mon, const char *str)
{
    size_t start = mon->outbuf->len;

    if (mon->overflowed) {
        return 0;
    }
    for (const char *p = str; *p; p++) {
        if (*p == '\n') {
            g_string_append_c(mon->outbuf, '\r');
        }
        g_string_append_c(mon->outbuf, *p);
    }
    if (!mon->capture && mon->outbuf->len > MONITOR_OUTBUF_MAX) {
        /* A client this far behind is not reading: drop it (see the
         * header comment) rather than grow without bound. */
        mon->overflowed = true;
        g_string_truncate(mon->outbuf, 0);
        return 0;
    }
    monitor_flush(mon);
    return mon->outbuf->len >= start ? (int)strlen(str) : 0;
}

int monitor_vprintf(Monitor *mon, const char *fmt, va_list ap)
{
    g_autofree char *buf = g_strdup_vprintf(fmt, ap);

    return monitor_puts(mon, buf);
}

int monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = monitor_vprintf(mon, fmt, ap);
    va_end(ap);
    return ret;
}

/* --- life cycle ------------------------------------------------------ */

bool monitor_data_init(Monitor *mon, Chardev *chr, bool is_qmp,
                       Error **errp)
{
    mon->is_qmp = is_qmp;
    mon->capture = chr == NULL;
    if (chr && !qemu_chr_fe_init(&mon->chr, chr, errp)) {
        return false;
    }
    mon->outbuf = g_string_new(NULL);
    if (chr) {
        mon->flush_timer = timer_new_ns(QEMU_CLOCK_REALTIME,
                                        monitor_flush_timer_cb, mon);
        monitors = g_list_append(monitors, mon);
    }
    return true;
}

void monitor_data_destroy(Monitor *mon)
{
    if (mon->destroy) {
        mon->destroy(mon);
    }
    qemu_chr_fe_deinit(&mon->chr, false);
    timer_free(mon->flush_timer);
    g_string_free(mon->outbuf, true);
    g_free(mon);
}

/* Last words to a client: bounded, so that one that never reads cannot
 * hold up the exit. */
static void monitor_final_flush(Monitor *mon)
{
    for (int i = 0; i < 100 && mon->outbuf->len && !mon->capture; i++) {
        monitor_flush(mon);
        if (mon->outbuf->len) {
            g_usleep(10 * 1000);
        }
    }
}

void monitor_cleanup(void)
{
    while (monitors) {
        Monitor *mon = monitors->data;

        monitors = g_list_delete_link(monitors, monitors);
        if (cur_mon == mon) {
            monitor_set_cur(NULL);
        }
        /* The kind's destroy sends what it still owes (the reply to
         * "quit"), then the rest goes out. */
        if (mon->destroy) {
            mon->destroy(mon);
            mon->destroy = NULL;
        }
        monitor_final_flush(mon);
        monitor_data_destroy(mon);
    }
}

/* --- -mon ------------------------------------------------------------ */

bool monitor_init_opts(GVariant *opts, Error **errp)
{
    const char *chardev = keyval_get_str(opts, "chardev");
    const char *mode = keyval_get_str(opts, "mode");
    const char *pretty_str = keyval_get_str(opts, "pretty");
    bool pretty = false;
    Chardev *chr;

    /* QEMU's visitor checks the members in schema order first. */
    if (!chardev) {
        error_setg(errp, "Parameter 'chardev' is missing");
        return false;
    }
    if (mode && strcmp(mode, "readline") && strcmp(mode, "control")) {
        error_setg(errp, "Parameter 'mode' does not accept value '%s'",
                   mode);
        return false;
    }
    if (pretty_str && !input_keyval_bool("pretty", pretty_str, &pretty,
                                         errp)) {
        return false;
    }
    chr = qemu_chr_find(chardev);
    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", chardev);
        return false;
    }
    if (mode && !strcmp(mode, "control")) {
        return monitor_init_qmp(chr, pretty, errp);
    }
    if (pretty) {
        error_setg(errp, "'pretty' is not compatible with HMP monitors");
        return false;
    }
    return monitor_init_hmp(chr, errp);
}
