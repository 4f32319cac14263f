/*
 * monitor-internal.h - what the files of monitor/ share: the Monitor
 * base (a chardev frontend with an output buffer), the QMP and HMP
 * monitors built on it, and the QMP event hook.
 *
 * Output path: monitor_puts() appends to outbuf ("\n" as "\r\n") and
 * tries to write it at once with qemu_chr_fe_write(), which never blocks
 * (a socket client that does not read makes it fail with EAGAIN).  What
 * is left waits for a retry timer.  While more than MONITOR_OUTBUF_PAUSE
 * bytes wait, the monitor reads no more commands (a client that sends
 * but does not read stops itself, not the VMM); if events alone push it
 * past MONITOR_OUTBUF_MAX, the client is considered gone: its output is
 * dropped until it reconnects.
 *
 * Threads: main thread, big lock held (events may be emitted by any
 * thread holding the big lock).
 */
#ifndef MONITOR_MONITOR_INTERNAL_H
#define MONITOR_MONITOR_INTERNAL_H

#include "chardev/char-fe.h"
#include "util/main-loop.h"
#include "monitor/monitor.h"
#include "monitor/qmp-json.h"

/* Stop reading input while this much output waits for the client. */
#define MONITOR_OUTBUF_PAUSE (64 * 1024)
/* Give up on a client that leaves this much output unread. */
#define MONITOR_OUTBUF_MAX (4 * 1024 * 1024)
/* How often output the client could not take is retried. */
#define MONITOR_FLUSH_RETRY_NS (10 * 1000 * 1000)

struct Monitor {
    CharBackend chr;
    bool is_qmp;
    bool capture;               /* no chardev: output stays in outbuf
                                 * (human-monitor-command) */
    GString *outbuf;            /* not yet written */
    bool overflowed;            /* client gone: drop output until it
                                 * reconnects */
    QomuTimer *flush_timer;     /* retries a partial write */
    int suspend_cnt;            /* > 0: read no input */
    int cpu_index;              /* HMP's current CPU */
    /* Per kind: more input may be taken (flow control changed). */
    void (*update_input)(Monitor *mon);
    /* Per kind: free what the kind added (the base is freed after). */
    void (*destroy)(Monitor *mon);
};

/* --- monitor.c: the base --- */

/* Initialise @mon (embedded first in its kind's struct) and attach it to
 * @chr (NULL: a capture monitor); add it to the list of monitors. */
bool monitor_data_init(Monitor *mon, Chardev *chr, bool is_qmp,
                       Error **errp);
/* Free a capture monitor (not in the list). */
void monitor_data_destroy(Monitor *mon);
/* Write what outbuf holds, as far as the client takes it. */
void monitor_flush(Monitor *mon);
/* Bytes waiting for the client. */
size_t monitor_outbuf_pending(Monitor *mon);
/* The client connected again: forget the overflow state and old output. */
void monitor_reset_output(Monitor *mon);
/* Make @mon current for the duration of a command (error_report goes to
 * it if it is HMP); returns the previous one for monitor_set_cur. */
Monitor *monitor_set_cur(Monitor *mon);
/* Every monitor, in creation order (borrowed). */
GList *monitor_list(void);

/* --- qmp-dispatch.c --- */

/* qmp_dispatch() with only the command @only available (others are
 * CommandNotFound): the negotiation phase. */
GVariant *qmp_dispatch_only(GVariant *request, const char *only);

/* --- qmp.c --- */

/* Send @event (with @data, an a{sv}, or NULL) to every QMP monitor that
 * finished negotiation: {"timestamp": ..., "event": ..., "data": ...}. */
void monitor_qapi_event_emit(const char *event, GVariant *data);

/* qmp_capabilities on the current monitor (qmp-cmds-misc.c calls it). */
bool monitor_qmp_negotiate(Monitor *mon, GVariant *args, Error **errp);

/* --- events.c --- */

/* Register the run state listener (once). */
void monitor_events_init(void);

/* --- hmp-info.c: the handlers of HMP's "info" subcommands --- */

void hmp_info_block_cmd(Monitor *mon, GVariant *args);
void hmp_info_cpus(Monitor *mon, GVariant *args);
void hmp_info_kvm(Monitor *mon, GVariant *args);
void hmp_info_iothreads(Monitor *mon, GVariant *args);
void hmp_info_mtree(Monitor *mon, GVariant *args);
void hmp_info_qom_tree(Monitor *mon, GVariant *args);
void hmp_info_qtree(Monitor *mon, GVariant *args);
void hmp_info_status(Monitor *mon, GVariant *args);
void hmp_info_version(Monitor *mon, GVariant *args);

/* --- hmp.c --- */

/* QEMU's help_cmd(): `help [cmd]`, and `info` without a subcommand
 * (@name "info"). */
void hmp_help_cmd(Monitor *mon, const char *name);

/* The ' * CPU #0: thread_id=N' marker and the like need the monitor's
 * CPU; the capture monitor of human-monitor-command gets one too. */
Monitor *hmp_capture_new(void);

#endif /* MONITOR_MONITOR_INTERNAL_H */
