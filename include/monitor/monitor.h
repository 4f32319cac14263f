/*
 * monitor.h - the monitors: QMP (JSON, for programs) and HMP (text, for
 * people), each on its own chardev (QEMU 7.2's include/monitor/monitor.h,
 * monitor/monitor.c).
 *
 *   -qmp unix:/tmp/q.sock,server=on,wait=off     a QMP monitor
 *   -qmp-pretty stdio                             QMP, pretty-printed
 *   -monitor stdio                                an HMP monitor
 *   -chardev socket,id=m,path=P,server=on,wait=off -mon chardev=m,mode=control
 *
 * Every monitor runs on the main loop with the big lock held, like any
 * other main-loop handler: commands run there, never in a vCPU thread,
 * and a monitor never blocks the loop (input is paced, output that the
 * client does not take is kept and retried; see monitor.c).  Several
 * monitors may exist at once; each has its own state.
 *
 * Not modelled: out-of-band execution and the monitor I/O thread,
 * multiplexed chardevs (mon:stdio), -mon id=, the default monitor QEMU
 * creates without -nodefaults, HMP tab completion, passwords.
 *
 * Threads: main thread, big lock held, except where noted.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct Monitor Monitor;
typedef struct Chardev Chardev;

/* The version QMP and HMP report: QEMU's, so that QEMU's clients accept
 * qomu; "package" says what it really is. */
#define QOMU_QEMU_VERSION_MAJOR 7
#define QOMU_QEMU_VERSION_MINOR 2
#define QOMU_QEMU_VERSION_MICRO 0
#define QOMU_QEMU_VERSION "7.2.0"

/* --- creating monitors --- */

/**
 * monitor_init_qmp / monitor_init_hmp: a QMP (pretty-printing if
 * @pretty) or HMP monitor on @chr, which becomes its frontend.  Fails
 * with "Device 'ID' is in use" if @chr has one already.  The greeting
 * (QMP) or banner and prompt (HMP) go out when the chardev opens (at
 * once if it is open).  The monitor lives until monitor_cleanup().
 */
bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp);
bool monitor_init_hmp(Chardev *chr, Error **errp);

/**
 * monitor_init_opts: QEMU's monitor_init_opts() for one -mon option:
 * @opts is a keyval a{sv} of strings: "chardev" (required), "mode"
 * ("readline" or "control"; default readline), "pretty" (on/off,
 * control only), "id" (ignored).  Errors, QEMU's:
 *   "Parameter 'chardev' is missing", "chardev \"X\" not found",
 *   "Parameter 'mode' does not accept value 'V'",
 *   "'pretty' is not compatible with HMP monitors", "Device 'X' is in use".
 */
bool monitor_init_opts(GVariant *opts, Error **errp);

/* Flush and destroy every monitor (a reply still pending, such as the
 * one to "quit", goes out first); they detach from their chardevs.
 * Before qemu_chr_cleanup().  Safe without monitors. */
void monitor_cleanup(void);

/* --- output, for HMP command handlers --- */

/* Text to @mon ("\n" goes out as "\r\n", as QEMU's monitor_puts). */
int monitor_puts(Monitor *mon, const char *str);
int monitor_printf(Monitor *mon, const char *fmt, ...) QOMU_PRINTF(2, 3);
int monitor_vprintf(Monitor *mon, const char *fmt, va_list ap)
    QOMU_PRINTF(2, 0);

/* The monitor whose command is running, or NULL (QEMU's monitor_cur). */
Monitor *monitor_cur(void);
bool monitor_is_qmp(const Monitor *mon);

/* The CPU HMP commands act on (info cpus marks it with '*'); the first
 * CPU unless human-monitor-command's cpu-index chose another. */
int monitor_get_cpu_index(Monitor *mon);

/* Number of monitors alive (tests). */
unsigned monitor_count(void);

#endif /* MONITOR_MONITOR_H */
