/*
 * monitor-opts.h - the monitor options of the command line, as QEMU 7.2
 * reads them (softmmu/vl.c monitor_parse(), qemu_mon_opts,
 * mon_init_func()):
 *
 *   -qmp DEV          a QMP monitor on chardev DEV, created as
 *                     "compat_monitorN" from QEMU's legacy chardev forms
 *                     (stdio, unix:PATH,server=on,wait=off, tcp:H:P,...)
 *   -qmp-pretty DEV   the same, pretty-printing
 *   -monitor DEV      an HMP monitor ("none": no monitor)
 *   -mon [chardev=]ID[,mode=readline|control][,pretty=on|off]
 *                     a monitor on an existing -chardev
 * "chardev:ID" as DEV names an existing chardev.  Options are recorded
 * while the command line is read and acted on by
 * monitor_create_from_options(), after the accelerator and before the
 * board, as QEMU's late backends are.
 *
 * Threads: main thread.
 */
#ifndef MONITOR_MONITOR_OPTS_H
#define MONITOR_MONITOR_OPTS_H

#include "util/osdep.h"
#include "util/error-report.h"

typedef struct MonitorOption {
    char *chardev_spec;         /* legacy form to create, or NULL */
    char *label;                /* that chardev's id ("compat_monitor0") */
    GVariant *opts;             /* -mon's keyval a{sv}: chardev, mode, ... */
    Location loc;               /* where it was given */
} MonitorOption;

/* A GPtrArray for MonitorOption *s (frees them). */
GPtrArray *monitor_options_new(void);

/**
 * monitor_parse_option: record @option ("qmp", "qmp-pretty", "monitor",
 * "mon") with argument @optarg in @monitors, the current location being
 * that option's.  Returns -1 to go on, or 1 after reporting an error
 * (-mon's QemuOpts syntax: "Invalid parameter 'foo'").
 */
int monitor_parse_option(GPtrArray *monitors, const char *option,
                         const char *optarg);

/**
 * monitor_create_from_options: create the chardevs and monitors, in
 * command-line order.  Errors are reported with their option's location
 * ("qomu: -mon chardev=x: chardev \"x\" not found"); returns false after
 * the first.
 */
bool monitor_create_from_options(GPtrArray *monitors);

#endif /* MONITOR_MONITOR_OPTS_H */
