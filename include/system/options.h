/*
 * options.h - the command line, in QEMU 7.2's spelling (softmmu/vl.c's
 * option loop and qemu-options.hx, for the options qomu implements).
 *
 * qomu_options_parse() is the option loop: it reads argv once, in order,
 * and records what each option asks for in a QomuOptions (nothing is
 * created yet); syntax errors, and the help options that QEMU answers
 * during the loop (-h, -version, -machine help, -accel help, -smp help,
 * QemuOpts "...,help"), end it with an exit status.  Each error message
 * carries the option's location ("qomu: -m foo: Parameter 'size'
 * expects ..."), and options whose values are checked later (-device,
 * -accel, -debugcon) remember theirs.  machine/machine-init.c then builds
 * the machine from the QomuOptions.
 *
 * Unknown options: "qomu: -foo: invalid option", exit 1.  QEMU options
 * that qomu knows but does not implement: "qomu: -netdev x: Option not
 * supported in this build" (QEMU's message for options a build lacks).
 *
 * Threads: main thread only.
 */
#ifndef SYSTEM_OPTIONS_H
#define SYSTEM_OPTIONS_H

#include "util/osdep.h"
#include "util/error-report.h"
#include "util/qemu-opts.h"

/* -debugcon DEV (or -serial DEV), with where it was given. */
typedef struct DebugconOption {
    char *chardev;              /* the chardev spec ("stdio", "file:x") */
    Location loc;
} DebugconOption;

/* -display */
typedef enum DisplayType {
    DISPLAY_TYPE_DEFAULT,       /* no -display: none for qomu */
    DISPLAY_TYPE_NONE,
} DisplayType;

typedef struct QomuOptions {
    /*
     * The machine's options, QEMU's machine_opts_dict: -machine/-M keyval
     * merged in order, "smp" from -smp, "kernel"/"initrd"/"append",
     * "graphics" (-nographic), "accel" (-enable-kvm, -machine accel=),
     * and, once qomu_options_finish() ran, "memory" from -m.  An a{sv}
     * (a new reference, never NULL).
     */
    GVariant *machine_opts;
    const char *cpu_option;     /* -cpu, or NULL */
    bool autostart;             /* false with -S */
    bool defaults;              /* false with -nodefaults */
    bool nographic;
    bool no_reboot;
    DisplayType display;
    char *display_unavailable;  /* -display gtk etc.: QEMU has it, qomu
                                 * not; reported after the loop */
    const char *log_mask;       /* -d */
    const char *log_file;       /* -D */
    GPtrArray *debugcon;        /* DebugconOption *, in order */
    GPtrArray *serial;          /* -serial DEV: DebugconOption *, in order
                                 * ("none" keeps its index, as QEMU) */
    /* QemuOpts lists, QEMU's names ("accel", "device", ...). */
    QemuOptsList accel_opts;    /* -accel, each separate */
    QemuOptsList device_opts;   /* -device (and -debugcon's device) */
    QemuOptsList chardev_opts;  /* -chardev */
    QemuOptsList memory_opts;   /* -m, merged */
    QemuOptsList name_opts;     /* -name, merged */
    QemuOptsList msg_opts;      /* -msg */
    QemuOptsList drive_opts;    /* -drive, -hda..-hdd, -cdrom, disk images
                                 * (block/drive.h) */
    bool snapshot;              /* -snapshot: drives default to snapshot=on */
    const char *qtest_chrdev;   /* -qtest CHARDEV (system/qtest.h), or NULL */
    const char *qtest_log;      /* -qtest-log FILE, or NULL (stderr) */
    GPtrArray *objects;         /* -object: keyval a{sv} (GVariant *), in
                                 * order, checked; NULL if none */
    GPtrArray *monitors;        /* -qmp, -qmp-pretty, -monitor, -mon:
                                 * MonitorOption * (monitor/monitor-opts.h) */
} QomuOptions;

/* Initialise @o to "no options given" (QEMU's defaults). */
void qomu_options_init(QomuOptions *o);
/* Free what @o holds (the argv strings are borrowed, not freed). */
void qomu_options_free(QomuOptions *o);

/**
 * qomu_options_parse: the option loop over @argv[1..@argc-1].
 * @argv must stay valid while @o is used (values and error locations
 * point into it).
 * Returns -1 when the VMM should go on to build the machine; otherwise
 * the status to exit with: 0 after printing help or the version (to
 * stdout), 1 after a reported error (to stderr, with its location).
 * Warnings (QEMU's deprecations) are printed and parsing goes on.
 */
int qomu_options_parse(QomuOptions *o, int argc, char **argv);

/**
 * qomu_options_finish: QEMU's checks and conversions after the loop, in
 * its order: -append/-initrd need -kernel; -m into the machine options
 * ("memory.size", with a bare number meaning MiB); -d/-D applied
 * (an unknown -d item prints the item list to stdout).  Prints the
 * error and returns false if one fails (the VMM exits with status 1).
 */
bool qomu_options_finish(QomuOptions *o);

/* `-h`: QEMU's help layout, for the options qomu implements. */
void qomu_print_help(FILE *f);
/* `-version` */
void qomu_print_version(FILE *f);

/* The program's version ("0.1"). */
#define QOMU_VERSION "0.1"

#endif /* SYSTEM_OPTIONS_H */
