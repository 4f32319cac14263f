/*
 * options.c - the option loop (QEMU 7.2's qemu_init() option passes in
 * softmmu/vl.c, for the options qomu implements).  See
 * include/system/options.h.
 *
 * Like QEMU, two passes: the first only checks that every option exists
 * and has its argument (so "-m x -foo" complains about -foo), the second
 * handles them in order.  Nothing is created here: options are recorded
 * in the QomuOptions, in the form QEMU keeps them (a keyval dictionary
 * for the machine, QemuOpts for -m/-device/-accel/...), and
 * machine/machine-init.c acts on them.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/keyval.h"
#include "util/help-option.h"
#include "util/log.h"
#include "hw/core/qdev-globals.h"
#include "accel/accel.h"
#include "machine/machine.h"
#include "monitor/monitor-opts.h"
#include "system/options.h"
#include "block/drive.h"
#include "qom/user-creatable.h"
#include "machine-opts.h"

#include <sys/prctl.h>

/* --- the table ----------------------------------------------------------- */

typedef enum QomuOptionIndex {
    OPT_h, OPT_version, OPT_machine, OPT_cpu, OPT_accel, OPT_smp, OPT_m,
    OPT_global, OPT_device, OPT_name, OPT_display, OPT_nographic,
    OPT_chardev, OPT_kernel, OPT_append, OPT_initrd, OPT_debugcon, OPT_S,
    OPT_d, OPT_D, OPT_enable_kvm, OPT_no_reboot, OPT_nodefaults, OPT_msg,
    OPT_monitor,                /* -qmp, -qmp-pretty, -monitor, -mon */
    OPT_serial,
    OPT_drive, OPT_hda, OPT_hdb, OPT_hdc, OPT_hdd, OPT_cdrom, OPT_snapshot,
    OPT_qtest, OPT_qtest_log, OPT_audio, OPT_object,
    OPT_UNSUPPORTED,            /* a QEMU option this build lacks */
} QomuOptionIndex;

typedef struct QomuOption {
    const char *name;           /* without the leading '-' */
    bool has_arg;
    QomuOptionIndex index;
} QomuOption;

static const QomuOption qomu_options[] = {
    { "h", false, OPT_h },
    { "help", false, OPT_h },
    { "version", false, OPT_version },
    { "machine", true, OPT_machine },
    { "M", true, OPT_machine },
    { "cpu", true, OPT_cpu },
    { "accel", true, OPT_accel },
    { "smp", true, OPT_smp },
    { "m", true, OPT_m },
    { "global", true, OPT_global },
    { "device", true, OPT_device },
    { "name", true, OPT_name },
    { "display", true, OPT_display },
    { "nographic", false, OPT_nographic },
    { "chardev", true, OPT_chardev },
    { "kernel", true, OPT_kernel },
    { "append", true, OPT_append },
    { "initrd", true, OPT_initrd },
    { "debugcon", true, OPT_debugcon },
    { "serial", true, OPT_serial },
    { "drive", true, OPT_drive },
    { "hda", true, OPT_hda },
    { "hdb", true, OPT_hdb },
    { "hdc", true, OPT_hdc },
    { "hdd", true, OPT_hdd },
    { "cdrom", true, OPT_cdrom },
    { "snapshot", false, OPT_snapshot },
    { "S", false, OPT_S },
    { "d", true, OPT_d },
    { "D", true, OPT_D },
    { "enable-kvm", false, OPT_enable_kvm },
    { "no-reboot", false, OPT_no_reboot },
    { "nodefaults", false, OPT_nodefaults },
    { "msg", true, OPT_msg },
    { "qmp", true, OPT_monitor },
    { "qmp-pretty", true, OPT_monitor },
    { "monitor", true, OPT_monitor },
    { "mon", true, OPT_monitor },
    { "qtest", true, OPT_qtest },
    { "qtest-log", true, OPT_qtest_log },
    { "audio", true, OPT_audio },
    { "object", true, OPT_object },
};

/*
 * QEMU 7.2 (x86) options qomu does not implement, so that they read
 * "Option not supported in this build" rather than "invalid option"
 * (and consume their argument, as in QEMU).
 */
typedef struct UnsupportedOption {
    const char *name;
    bool has_arg;
} UnsupportedOption;

static const UnsupportedOption unsupported_options[] = {
    { "acpitable", true }, { "action", true }, { "add-fd", true },
    { "async-teardown", false }, { "audio-help", false },
    { "audiodev", true }, { "bios", true }, { "blockdev", true },
    { "boot", true }, { "chroot", true },
    { "compat", true }, { "daemonize", false }, { "dfilter", true },
    { "dtb", true }, { "dump-vmstate", true },
    { "echr", true }, { "enable-sync-profile", false }, { "fda", true },
    { "fdb", true }, { "fsdev", true }, { "full-screen", false },
    { "fw_cfg", true }, { "g", true }, { "gdb", true },
    { "icount", true },
    { "incoming", true }, { "iscsi", true }, { "k", true }, { "L", true },
    { "loadvm", true }, { "mem-path", true }, { "mem-prealloc", false },
    { "mtdblock", true },
    { "net", true }, { "netdev", true }, { "nic", true },
    { "no-acpi", false }, { "no-fd-bootchk", false }, { "no-hpet", false },
    { "no-shutdown", false }, { "no-user-config", false },
    { "numa", true }, { "only-migratable", false },
    { "option-rom", true }, { "overcommit", true }, { "parallel", true },
    { "pflash", true }, { "pidfile", true }, { "plugin", true },
    { "portrait", false }, { "preconfig", false },
    { "readconfig", true }, { "rotate", true }, { "rtc", true },
    { "runas", true }, { "s", false }, { "sandbox", true },
    { "sd", true }, { "seed", true }, { "semihosting", false },
    { "semihosting-config", true }, { "set", true },
    { "singlestep", false }, { "smbios", true },
    { "spice", true }, { "tpmdev", true }, { "trace", true },
    { "usb", false }, { "usbdevice", true }, { "uuid", true },
    { "vga", true }, { "virtfs", true }, { "vnc", true },
    { "watchdog-action", true }, { "win2k-hack", false },
    { "xen-attach", false }, { "xen-domid", true },
    { "xen-domid-restrict", false },
};

static const QomuOption *find_option(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qomu_options); i++) {
        if (!strcmp(qomu_options[i].name, name)) {
            return &qomu_options[i];
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(unsupported_options); i++) {
        if (!strcmp(unsupported_options[i].name, name)) {
            static QomuOption unsupported;      /* main thread only */

            unsupported = (QomuOption) {
                .name = unsupported_options[i].name,
                .has_arg = unsupported_options[i].has_arg,
                .index = OPT_UNSUPPORTED,
            };
            return &unsupported;
        }
    }
    return NULL;
}

/*
 * QEMU's lookup_opt(): the option at argv[*optind] (also spelt "--name"),
 * and its argument.  Sets the error location to the option (and its
 * argument).  Reports and returns NULL for an unknown option or a
 * missing argument.
 */
static const QomuOption *lookup_opt(int argc, char **argv,
                                    const char **optarg, int *optind)
{
    const char *r = argv[*optind];
    const QomuOption *popt;

    loc_set_cmdline(argv, *optind, 1);
    (*optind)++;
    if (r[1] == '-') {
        r++;
    }
    popt = find_option(r + 1);
    if (!popt) {
        error_report("invalid option");
        return NULL;
    }
    *optarg = NULL;
    if (popt->has_arg) {
        if (*optind >= argc) {
            error_report("requires an argument");
            return NULL;
        }
        *optarg = argv[(*optind)++];
        loc_set_cmdline(argv, *optind - 2, 2);
    }
    return popt;
}

/* --- QemuOpts lists (QEMU's, with their descriptions) -------------------- */

static const QemuOptDesc memory_desc[] = {
    { "size", QEMU_OPT_SIZE, NULL },
    { "slots", QEMU_OPT_NUMBER, NULL },
    { "maxmem", QEMU_OPT_SIZE, NULL },
    { 0 }
};

static const QemuOptDesc name_desc[] = {
    { "guest", QEMU_OPT_STRING,
      "Sets the name of the guest.\n"
      "This name will be displayed in the SDL window caption.\n"
      "The name will also be used for the VNC server" },
    { "process", QEMU_OPT_STRING,
      "Sets the name of the QEMU process, as shown in top etc" },
    { "debug-threads", QEMU_OPT_BOOL,
      "When enabled, name the individual threads; defaults off.\n"
      "NOTE: The thread names are for debugging and not a\n"
      "stable API." },
    { 0 }
};

static const QemuOptDesc msg_desc[] = {
    { "timestamp", QEMU_OPT_BOOL, NULL },
    { "guest-name", QEMU_OPT_BOOL,
      "Prepends guest name for error messages but only if "
      "-name guest is set otherwise option is ignored\n" },
    { 0 }
};

/* -smp's QemuOpts list exists in QEMU only for "-smp help". */
static const QemuOptDesc smp_desc[] = {
    { "cpus", QEMU_OPT_NUMBER, NULL }, { "sockets", QEMU_OPT_NUMBER, NULL },
    { "dies", QEMU_OPT_NUMBER, NULL }, { "clusters", QEMU_OPT_NUMBER, NULL },
    { "cores", QEMU_OPT_NUMBER, NULL }, { "threads", QEMU_OPT_NUMBER, NULL },
    { "maxcpus", QEMU_OPT_NUMBER, NULL }, { 0 }
};

void qomu_options_init(QomuOptions *o)
{
    memset(o, 0, sizeof(*o));
    o->machine_opts = g_variant_ref_sink(
        g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0));
    o->autostart = true;
    o->defaults = true;
    o->debugcon = g_ptr_array_new();
    o->monitors = monitor_options_new();
    o->serial = g_ptr_array_new();
    o->accel_opts = (QemuOptsList) { .name = "accel",
                                     .implied_opt_name = "accel" };
    o->device_opts = (QemuOptsList) { .name = "device",
                                      .implied_opt_name = "driver" };
    o->chardev_opts = (QemuOptsList) { .name = "chardev",
                                       .implied_opt_name = "backend" };
    o->memory_opts = (QemuOptsList) { .name = "memory",
                                      .implied_opt_name = "size",
                                      .merge_lists = true,
                                      .desc = memory_desc };
    o->name_opts = (QemuOptsList) { .name = "name",
                                    .implied_opt_name = "guest",
                                    .merge_lists = true,
                                    .desc = name_desc };
    o->msg_opts = (QemuOptsList) { .name = "msg", .desc = msg_desc };
    o->drive_opts = (QemuOptsList) DRIVE_OPTS_LIST_INIT;
}

void qomu_options_free(QomuOptions *o)
{
    g_clear_pointer(&o->machine_opts, g_variant_unref);
    g_clear_pointer(&o->display_unavailable, g_free);
    for (guint i = 0; o->debugcon && i < o->debugcon->len; i++) {
        DebugconOption *d = o->debugcon->pdata[i];

        g_free(d->chardev);
        g_free(d);
    }
    g_clear_pointer(&o->debugcon, g_ptr_array_unref);
    g_clear_pointer(&o->monitors, g_ptr_array_unref);
    for (guint i = 0; o->serial && i < o->serial->len; i++) {
        DebugconOption *d = o->serial->pdata[i];

        g_free(d->chardev);
        g_free(d);
    }
    g_clear_pointer(&o->serial, g_ptr_array_unref);
    g_clear_pointer(&o->objects, g_ptr_array_unref);
    qemu_opts_reset(&o->accel_opts);
    qemu_opts_reset(&o->device_opts);
    qemu_opts_reset(&o->chardev_opts);
    qemu_opts_reset(&o->memory_opts);
    qemu_opts_reset(&o->name_opts);
    qemu_opts_reset(&o->msg_opts);
    qemu_opts_reset(&o->drive_opts);
}

/* --- option handlers: return -1 to go on, else an exit status ------------ */

/* -machine / -M: QEMU's keyval_parse_into(machine_opts_dict, ...,
 * "type"); "help" lists the machines, or a machine's properties. */
static int opt_machine(QomuOptions *o, const char *optarg)
{
    Error *err = NULL;
    bool help = false;
    GVariant *dict = keyval_parse(optarg, "type", &help, &err);
    const char *type;
    g_autoptr(GString) out = NULL;
    MachineClass *mc;

    if (!dict) {
        error_report_err(err);
        return 1;
    }
    if (!machine_opts_merge(o, dict, true)) {
        return 1;
    }
    if (!help) {
        return -1;
    }
    out = g_string_new(NULL);
    type = keyval_get_str(o->machine_opts, "type");
    mc = type ? machine_find_class(type) : NULL;
    if (mc) {
        machine_class_help(mc, out);
    } else {
        machine_help(out);
    }
    fputs(out->str, stdout);
    return 0;
}

/* -accel: QemuOpts; no name or "help" lists the accelerators. */
static int opt_accel(QomuOptions *o, const char *optarg)
{
    QemuOpts *opts = qemu_opts_parse_noisily(&o->accel_opts, optarg, true);
    const char *name;

    if (!opts) {
        return 1;
    }
    name = qemu_opt_get(opts, "accel");
    if (!name || !strcmp(name, "help") || !strcmp(name, "?")) {
        g_autoptr(GString) out = g_string_new(NULL);

        accel_help(out);
        fputs(out->str, stdout);
        return 0;
    }
    return -1;
}

/* -smp: QEMU's machine_parse_property_opt(): keyval with implied key
 * "cpus", merged into the machine's options as "smp". */
static int opt_smp(QomuOptions *o, const char *optarg)
{
    Error *err = NULL;
    bool help = false;
    GVariant *prop = keyval_parse(optarg, "cpus", &help, &err);

    if (!prop) {
        error_report_err(err);
        return 1;
    }
    if (help) {
        QemuOptsList smp = { .name = "smp-opts", .desc = smp_desc };

        g_variant_unref(prop);
        qemu_opts_print_help(&smp);
        return 0;
    }
    return machine_opts_merge(o, kv_wrap("smp", prop), false) ? -1 : 1;
}

/* -display: QEMU's parse_display(), for the one display qomu has.
 * Types QEMU knows but qomu lacks fail later, as an unavailable display
 * module does in QEMU. */
static int opt_display(QomuOptions *o, const char *optarg);

/* -debugcon DEV: remembered with its location, created after the
 * machine (QEMU's add_device_config(DEV_DEBUGCON, ...)). */
static int opt_debugcon(QomuOptions *o, const char *optarg)
{
    DebugconOption *d = g_new0(DebugconOption, 1);

    d->chardev = g_strdup(optarg);
    loc_save(&d->loc);
    g_ptr_array_add(o->debugcon, d);
    return -1;
}

/* -serial DEV: the same, for the board's serial ports (QEMU's
 * add_device_config(DEV_SERIAL, ...)); any -serial, even "none", drops
 * the default serial port. */
static int opt_serial(QomuOptions *o, const char *optarg)
{
    DebugconOption *d = g_new0(DebugconOption, 1);

    d->chardev = g_strdup(optarg);
    loc_save(&d->loc);
    g_ptr_array_add(o->serial, d);
    return -1;
}

static int opt_device(QomuOptions *o, const char *optarg)
{
    if (optarg[0] == '{') {
        /* QEMU accepts JSON here; qomu's only JSON parser is the QMP
         * codec's, and there is no monitor yet. */
        error_report("JSON syntax for -device is not supported in this "
                     "build");
        return 1;
    }
    return qemu_opts_parse_noisily(&o->device_opts, optarg, true) ? -1 : 1;
}

/*
 * -object TYPE,id=ID[,PROP=VALUE...] (QEMU 7.2's object_option_parse):
 * checked now, with the option's location (qom/user-creatable.h), and
 * created before the machine (machine-init.c).  "-object help" lists the
 * user-creatable types, "-object TYPE,help" their properties.  JSON is
 * not supported.
 */
static int opt_object(QomuOptions *o, const char *optarg)
{
    g_autoptr(GVariant) dict = NULL;
    Error *err = NULL;
    const char *type, *id;
    bool help = false;

    if (optarg[0] == '{') {
        error_report("JSON syntax for -object is not supported in this "
                     "build");
        return 1;
    }
    dict = keyval_parse(optarg, "qom-type", &help, &err);
    if (!dict) {
        error_report_err(err);
        return 1;
    }
    type = keyval_get_str(dict, "qom-type");
    if (!type && help) {
        type = "help";
    }
    if (type) {
        g_autoptr(GString) out = g_string_new(NULL);

        if (user_creatable_print_help(type, help, out)) {
            fputs(out->str, stdout);
            return 0;
        }
    }
    if (!user_creatable_check_option(dict, &err)) {
        error_report_err(err);
        return 1;
    }
    id = keyval_get_str(dict, "id");
    if (!o->objects) {
        o->objects = g_ptr_array_new_with_free_func(
            (GDestroyNotify)g_variant_unref);
    }
    for (guint i = 0; i < o->objects->len; i++) {
        if (!strcmp(keyval_get_str(o->objects->pdata[i], "id"), id)) {
            error_report("Duplicate ID '%s' for object", id);
            return 1;
        }
    }
    g_ptr_array_add(o->objects, g_steal_pointer(&dict));
    return -1;
}

/* -msg: applied at once (QEMU's configure_msg), so that it affects the
 * messages of the options after it.  guest-name is not modelled. */
static int opt_msg(QomuOptions *o, const char *optarg)
{
    QemuOpts *opts = qemu_opts_parse_noisily(&o->msg_opts, optarg, false);

    if (!opts) {
        return 1;
    }
    error_report_set_timestamp(qemu_opt_get_bool(opts, "timestamp", false));
    return -1;
}

/*
 * -audio [driver=]DRIVER[,model=MODEL][,id=ID][,timer-period=N]: QEMU
 * 7.2's, for the one driver qomu has, "none", which plays nothing; qomu
 * has no sound cards, so the option changes nothing.  As QEMU 8 (whose
 * libqtest passes "-audio none"), model= may be left out; QEMU 7.2
 * wants it ("Parameter 'model' is missing").  The in.* and out.*
 * per-direction options are not checked.
 */
static int opt_audio(const char *optarg)
{
    static const char *const drivers[] = {
        "none", "alsa", "coreaudio", "dbus", "dsound", "jack", "oss", "pa",
        "sdl", "spice", "wav", NULL
    };
    static const char *const keys[] = {
        "driver", "id", "model", "timer-period", "in", "out", NULL
    };
    Error *err = NULL;
    bool help = false;
    g_autoptr(GVariant) dict = keyval_parse(optarg, "driver", &help, &err);
    const char *driver, *model, *period, *key;
    GVariantIter iter;
    GVariant *v;
    uint64_t n;

    if (!dict) {
        error_report_err(err);
        return 1;
    }
    driver = keyval_get_str(dict, "driver");
    if (help || (driver && is_help_option(driver))) {
        printf("Available audio drivers:\nnone\n");
        return 0;
    }
    model = keyval_get_str(dict, "model");
    if (model && is_help_option(model)) {
        printf("Valid sound card names (comma separated):\n");
        return 0;
    }
    if (!driver) {
        error_report("Parameter 'driver' is missing");
        return 1;
    }
    if (!g_strv_contains(drivers, driver)) {
        error_report("Parameter 'driver' does not accept value '%s'", driver);
        return 1;
    }
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &v)) {
        if (!g_strv_contains(keys, key)) {
            error_report("Parameter '%s' is unexpected", key);
            g_variant_unref(v);
            return 1;
        }
    }
    period = keyval_get_str(dict, "timer-period");
    if (period && (qemu_strtou64(period, NULL, 0, &n) < 0 ||
                   n > UINT32_MAX)) {
        error_report("Parameter 'timer-period' expects uint32_t");
        return 1;
    }
    if (strcmp(driver, "none") != 0) {
        error_report("Unknown audio driver `%s'", driver);
        return 1;
    }
    if (model) {
        error_report("Unknown sound card name `%s'", model);
        error_printf("Valid sound card names (comma separated):\n");
        return 1;
    }
    return -1;
}

static int opt_global(QomuOptions *o, const char *optarg)
{
    Error *err = NULL;

    if (!qemu_global_option(optarg, &err)) {
        error_report_err(err);
        return 1;
    }
    return -1;
}

/* The options that only record something; -1 if @index is not one. */
static int opt_simple(QomuOptions *o, QomuOptionIndex index,
                      const char *optarg)
{
    switch (index) {
    case OPT_cpu:
        o->cpu_option = optarg;
        return -1;
    case OPT_kernel:
        machine_opts_put_str(o, "kernel", optarg);
        return -1;
    case OPT_initrd:
        machine_opts_put_str(o, "initrd", optarg);
        return -1;
    case OPT_append:
        machine_opts_put_str(o, "append", optarg);
        return -1;
    case OPT_nographic:
        machine_opts_put_str(o, "graphics", "off");
        o->nographic = true;
        o->display = DISPLAY_TYPE_NONE;
        g_clear_pointer(&o->display_unavailable, g_free);
        return -1;
    case OPT_enable_kvm:
        machine_opts_put_str(o, "accel", "kvm");
        return -1;
    case OPT_S:
        o->autostart = false;
        return -1;
    case OPT_d:
        o->log_mask = optarg;
        return -1;
    case OPT_D:
        o->log_file = optarg;
        return -1;
    case OPT_no_reboot:
        o->no_reboot = true;
        return -1;
    case OPT_nodefaults:
        o->defaults = false;
        return -1;
    default:
        g_assert_not_reached();
    }
}

static int handle_option(QomuOptions *o, const QomuOption *popt,
                         const char *optarg)
{
    switch (popt->index) {
    case OPT_h:
        qomu_print_help(stdout);
        return 0;
    case OPT_version:
        qomu_print_version(stdout);
        return 0;
    case OPT_machine:
        return opt_machine(o, optarg);
    case OPT_accel:
        return opt_accel(o, optarg);
    case OPT_smp:
        return opt_smp(o, optarg);
    case OPT_m:
        return qemu_opts_parse_noisily(&o->memory_opts, optarg, true) ? -1
                                                                     : 1;
    case OPT_name:
        return qemu_opts_parse_noisily(&o->name_opts, optarg, true) ? -1 : 1;
    case OPT_msg:
        return opt_msg(o, optarg);
    case OPT_chardev:
        return qemu_opts_parse_noisily(&o->chardev_opts, optarg, true) ? -1
                                                                      : 1;
    case OPT_device:
        return opt_device(o, optarg);
    case OPT_global:
        return opt_global(o, optarg);
    case OPT_display:
        return opt_display(o, optarg);
    case OPT_debugcon:
        return opt_debugcon(o, optarg);
    case OPT_monitor:
        return monitor_parse_option(o->monitors, popt->name, optarg);
    case OPT_serial:
        return opt_serial(o, optarg);
    case OPT_drive:
        /* QEMU: no abbreviation ("-drive foo" is the flag foo=on) */
        return qemu_opts_parse_noisily(&o->drive_opts, optarg, false) ? -1
                                                                     : 1;
    case OPT_hda:
    case OPT_hdb:
    case OPT_hdc:
    case OPT_hdd:
        return drive_add(&o->drive_opts, IF_DEFAULT, popt->index - OPT_hda,
                         optarg, "media=disk") ? -1 : 1;
    case OPT_cdrom:
        return drive_add(&o->drive_opts, IF_DEFAULT, 2, optarg,
                         "media=cdrom") ? -1 : 1;
    case OPT_snapshot:
        o->snapshot = true;
        return -1;
    case OPT_qtest:
        o->qtest_chrdev = optarg;
        return -1;
    case OPT_qtest_log:
        o->qtest_log = optarg;
        return -1;
    case OPT_audio:
        return opt_audio(optarg);
    case OPT_object:
        return opt_object(o, optarg);
    case OPT_UNSUPPORTED:
        error_report("Option not supported in this build");
        return 1;
    default:
        return opt_simple(o, popt->index, optarg);
    }
}

/* --- -display ------------------------------------------------------------ */

/* QEMU 7.2's DisplayType names. */
static const char *const display_types[] = {
    "default", "none", "gtk", "sdl", "egl-headless", "curses", "cocoa",
    "spice-app", "dbus", NULL
};

/* The members every display type has (QEMU's DisplayOptions base). */
static bool display_check_common(GVariant *dict, Error **errp)
{
    static const char *const bools[] = {
        "full-screen", "window-close", "show-cursor"
    };
    static const char *const gl_modes[] = { "off", "on", "core", "es", NULL };
    const char *gl;

    for (size_t i = 0; i < G_N_ELEMENTS(bools); i++) {
        const char *v = keyval_get_str(dict, bools[i]);
        bool b;

        if (v && !input_keyval_bool(bools[i], v, &b, errp)) {
            return false;
        }
    }
    gl = keyval_get_str(dict, "gl");
    if (gl && !g_strv_contains(gl_modes, gl)) {
        error_setg(errp, "Parameter 'gl' does not accept value '%s'", gl);
        return false;
    }
    return true;
}

static bool display_parse(QomuOptions *o, const char *optarg, Error **errp)
{
    static const char *const common[] = {
        "type", "full-screen", "window-close", "show-cursor", "gl", NULL
    };
    g_autoptr(GVariant) dict = keyval_parse(optarg, "type", NULL, errp);
    GVariantIter iter;
    const char *key, *type;
    GVariant *v;

    if (!dict) {
        return false;
    }
    type = keyval_get_str(dict, "type");
    if (!type) {
        error_setg(errp, "Parameter 'type' is missing");
        return false;
    }
    if (!g_strv_contains(display_types, type)) {
        error_setg(errp, "Parameter 'type' does not accept value '%s'", type);
        return false;
    }
    if (strcmp(type, "none") && strcmp(type, "default")) {
        /* A display QEMU has and qomu lacks: its options are not
         * checked (qomu does not know them); it fails after the loop. */
        g_free(o->display_unavailable);
        o->display_unavailable = g_strdup(type);
        return true;
    }
    if (!display_check_common(dict, errp)) {
        return false;
    }
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &v)) {
        if (!g_strv_contains(common, key)) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            g_variant_unref(v);
            return false;
        }
    }
    o->display = !strcmp(type, "none") ? DISPLAY_TYPE_NONE
                                       : DISPLAY_TYPE_DEFAULT;
    g_clear_pointer(&o->display_unavailable, g_free);   /* the last wins */
    return true;
}

static int opt_display(QomuOptions *o, const char *optarg)
{
    Error *err = NULL;

    if (!strcmp(optarg, "help") || !strcmp(optarg, "?")) {
        printf("Available display backend types:\nnone\n");
        return 0;
    }
    if (g_str_has_prefix(optarg, "vnc")) {
        error_report(optarg[3] == '=' ? "VNC support is disabled"
                     : "VNC requires a display argument vnc=<display>");
        return 1;
    }
    if (!display_parse(o, optarg, &err)) {
        error_report_err(err);
        return 1;
    }
    return -1;
}

/* --- the loop ------------------------------------------------------------ */

/* QEMU's first pass: every option must exist and have its argument. */
static bool check_options(int argc, char **argv)
{
    for (int optind = 1; optind < argc;) {
        const char *optarg;

        if (argv[optind][0] != '-') {
            optind++;           /* a disk image: the second pass says */
        } else if (!lookup_opt(argc, argv, &optarg, &optind)) {
            return false;
        }
    }
    return true;
}

int qomu_options_parse(QomuOptions *o, int argc, char **argv)
{
    int status = -1;

    if (!check_options(argc, argv)) {
        loc_set_none();
        return 1;
    }
    for (int optind = 1; optind < argc && status < 0;) {
        const QomuOption *popt;
        const char *optarg;

        if (argv[optind][0] != '-') {
            /* A disk image: QEMU's -hda ARG */
            loc_set_cmdline(argv, optind, 1);
            status = drive_add(&o->drive_opts, IF_DEFAULT, 0, argv[optind++],
                               "media=disk") ? -1 : 1;
            continue;
        }
        popt = lookup_opt(argc, argv, &optarg, &optind);
        status = popt ? handle_option(o, popt, optarg) : 1;
    }
    /* As QEMU: clear the location left behind by the loop. */
    loc_set_none();
    return status;
}

/* --- after the loop ------------------------------------------------------ */

/* QEMU's qemu_validate_options(). */
static bool validate_options(QomuOptions *o)
{
    if (!keyval_get_str(o->machine_opts, "kernel")) {
        if (keyval_get_str(o->machine_opts, "append")) {
            error_report("-append only allowed with -kernel option");
            return false;
        }
        if (keyval_get_str(o->machine_opts, "initrd")) {
            error_report("-initrd only allowed with -kernel option");
            return false;
        }
    }
    return true;
}

/* -name (QEMU's parse_name).  Threads are always named in qomu, so
 * debug-threads has nothing to switch. */
static void apply_name(QomuOptions *o)
{
    QemuOpts *name = qemu_opts_find_first(&o->name_opts);
    const char *proc_name = name ? qemu_opt_get(name, "process") : NULL;

    if (proc_name) {
        prctl(PR_SET_NAME, proc_name);
    }
}

/* -d / -D: QEMU's log set-up in qemu_process_early_options(). */
static bool apply_log_options(QomuOptions *o)
{
    Error *err = NULL;
    int mask = 0;

    if (o->log_mask) {
        mask = qomu_str_to_log_mask(o->log_mask);
        if (!mask) {
            qomu_print_log_usage(stdout);
            return false;
        }
    }
    if (!qomu_set_log_filename_flags(o->log_file, mask, &err)) {
        error_report_err(err);
        return false;
    }
    return true;
}

/* QEMU's parse_memory_options(): -m into "memory"; a size without a
 * suffix gets "M" (QEMU's legacy MiB default). */
static bool parse_memory_options(QomuOptions *o)
{
    QemuOpts *opts = qemu_opts_find_first(&o->memory_opts);
    GVariantBuilder b;
    Location loc;
    bool ok;

    loc_push_none(&loc);
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    if (opts) {
        const char *size = qemu_opt_get(opts, "size");

        qemu_opts_loc_restore(opts);
        if (qemu_opt_get_size(opts, "size", 0) != 0) {
            g_autofree char *mib = NULL;

            if (g_ascii_isdigit(size[strlen(size) - 1])) {
                size = mib = g_strdup_printf("%sM", size);
            }
            g_variant_builder_add(&b, "{sv}", "size",
                                  g_variant_new_string(size));
        }
        if (qemu_opt_get(opts, "maxmem")) {
            g_variant_builder_add(&b, "{sv}", "max-size", g_variant_new_string(
                                  qemu_opt_get(opts, "maxmem")));
        }
        if (qemu_opt_get(opts, "slots")) {
            g_variant_builder_add(&b, "{sv}", "slots", g_variant_new_string(
                                  qemu_opt_get(opts, "slots")));
        }
    }
    ok = machine_opts_merge(o, kv_wrap("memory", g_variant_ref_sink(
                                       g_variant_builder_end(&b))), false);
    loc_pop(&loc);
    return ok;
}

bool qomu_options_finish(QomuOptions *o)
{
    if (!validate_options(o)) {
        return false;
    }
    apply_name(o);
    if (o->display_unavailable) {
        /* QEMU's qemu_display_early_init(), for a display module that
         * is not there. */
        error_report("Display '%s' is not available.",
                     o->display_unavailable);
        return false;
    }
    return apply_log_options(o) && parse_memory_options(o);
}
