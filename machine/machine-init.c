/*
 * machine-init.c - from a parsed command line to a machine ready to run,
 * and back (QEMU 7.2's softmmu/vl.c after the option loop, and
 * qemu_cleanup()).  See include/machine/machine-init.h.
 *
 * Each step reports its own errors, with the location QEMU gives them:
 * the machine's properties and the board have none (QEMU cleared it
 * after the option loop); -accel, -device, -serial and -debugcon restore
 * the location of their option first.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/keyval.h"
#include "accel/accel.h"
#include "accel/qtest.h"
#include "chardev/char.h"
#include "qom/user-creatable.h"
#include "hw/core/cpu.h"
#include "hw/core/qdev-globals.h"
#include "hw/i386/x86-cpu.h"
#include "machine/machine.h"
#include "monitor/monitor.h"
#include "monitor/monitor-opts.h"
#include "system/cpus.h"
#include "system/qdev-monitor.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "machine/machine-init.h"
#include "block/drive.h"

/* --- the machine type ---------------------------------------------------- */

/* QEMU's select_machine(). */
static MachineClass *select_machine(GVariant *machine_opts)
{
    const char *type = keyval_get_str(machine_opts, "type");
    MachineClass *mc;
    Error *err = NULL;

    if (type) {
        mc = machine_find_class(type);
        if (!mc) {
            error_setg(&err, "unsupported machine type");
        }
    } else {
        mc = machine_find_default();
        if (!mc) {
            error_setg(&err, "No machine specified, and there is no default");
        }
    }
    if (err) {
        error_append_hint(&err,
                          "Use -machine help to list supported machines\n");
        error_report_err(err);
    }
    return mc;
}

/* --- the machine's properties -------------------------------------------- */

/* QEMU's keyval_dashify() plus qemu_apply_legacy_machine_options(): the
 * top-level keys with '_' spelt '-', without "type" (used) and "accel"
 * (the legacy accelerator list, returned in *@accel, g_free). */
static GVariant *machine_opts_normalize(GVariant *opts, char **accel,
                                        Error **errp)
{
    GVariantBuilder b;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    *accel = NULL;
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, opts);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        g_autofree char *dashed = g_strdelimit(g_strdup(key), "_", '-');
        g_autoptr(GVariant) clash = strcmp(key, dashed) ?
            g_variant_lookup_value(opts, dashed, NULL) : NULL;

        if (clash) {
            error_setg(errp, "Conflict between '%s' and '%s'", key, dashed);
            g_variant_unref(value);
            g_variant_builder_clear(&b);
            return NULL;
        }
        if (!strcmp(dashed, "type")) {
            continue;
        }
        if (!strcmp(dashed, "accel") &&
            g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            g_free(*accel);
            *accel = g_variant_dup_string(value, NULL);
            continue;
        }
        g_variant_builder_add(&b, "{sv}", dashed, value);
    }
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* Properties whose value is a structure: "smp.cpus=2" sets "smp". */
static bool property_is_struct(const char *type)
{
    return !strcmp(type, "SMPConfiguration") ||
           !strcmp(type, "MemorySizeConfiguration");
}

/* One -machine key, as QEMU's keyval input visitor sets it. */
static bool machine_set_one(Object *obj, const char *key, GVariant *value,
                            Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, key, errp);

    if (!prop) {
        return false;
    }
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
        return object_property_parse_keyval(obj, key,
                                            g_variant_get_string(value, NULL),
                                            errp);
    }
    if (!property_is_struct(prop->type)) {
        error_setg(errp, "Parameters '%s.*' are unexpected", key);
        return false;
    }
    return object_property_set(obj, key, value, errp);
}

/* QEMU's qemu_apply_machine_options().  *@accel: "-machine accel=". */
static bool machine_apply_options(MachineState *ms, GVariant *opts,
                                  char **accel)
{
    g_autoptr(GVariant) props = NULL;
    Error *err = NULL;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    props = machine_opts_normalize(opts, accel, &err);
    if (!props) {
        error_report_err(err);
        return false;
    }
    g_variant_iter_init(&iter, props);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        if (!machine_set_one(OBJECT(ms), key, value, &err)) {
            error_report_err(err);
            g_variant_unref(value);
            return false;
        }
    }
    return true;
}

/* --- the accelerator ----------------------------------------------------- */

/* -accel NAME,PROP=V: QEMU sets PROP on the accelerator object.  qomu's
 * accelerators have no properties, so any is an error (QEMU's message
 * when the property does not exist). */
typedef struct AccelPropCheck {
    AccelClass *ac;
    Error **errp;
} AccelPropCheck;

static bool accel_check_prop(void *opaque, const char *name,
                             const char *value)
{
    AccelPropCheck *c = opaque;

    if (!strcmp(name, "accel")) {
        return true;
    }
    if (object_class_property_find_err(OBJECT_CLASS(c->ac), name, c->errp)) {
        error_setg(c->errp, "Property '%s' cannot be set on an accelerator "
                   "in this build", name);
    }
    return false;
}

/*
 * One -accel option, its location current (QEMU's
 * do_configure_accelerator).  Returns 1 if it is now the accelerator, 0
 * if it failed (reported; the next -accel is tried), -1 for a fatal
 * error (a bad property: QEMU exits at once).
 */
static int configure_one_accel(QemuOpts *opts, MachineState *ms)
{
    const char *name = qemu_opt_get(opts, "accel");
    AccelClass *ac = accel_find(name);
    Error *err = NULL;
    AccelPropCheck check = { ac, &err };

    if (!ac) {
        error_report("invalid accelerator %s", name);
        return 0;
    }
    if (!qemu_opt_foreach(opts, accel_check_prop, &check)) {
        error_report_err(err);
        return -1;
    }
    if (!accel_init_machine(name, ms, &err)) {
        error_report_err(err);
        return 0;
    }
    return 1;
}

/* QEMU's configure_accelerators(): -accel options in order, or the
 * -machine accel= list, or the default. */
static bool configure_accelerators(QomuOptions *o, const char *machine_accel,
                                   MachineState *ms)
{
    bool init_failed = false;
    Error *err = NULL;
    int ret = 0;

    if (g_queue_is_empty(&o->accel_opts.head)) {
        /* -qtest without an accelerator means the qtest one (QEMU 7.2
         * would take its default, tcg; qomu's, kvm, would run the guest
         * under the test's feet). */
        if (!machine_accel && o->qtest_chrdev) {
            machine_accel = "qtest";
        }
        if (!accel_init_machine(machine_accel, ms, &err)) {
            error_report_err(err);
            return false;
        }
        return true;
    }
    if (machine_accel) {
        error_report("The -accel and \"-machine accel=\" options are "
                     "incompatible");
        return false;
    }
    for (GList *l = o->accel_opts.head.head; l && ret == 0; l = l->next) {
        Location loc;

        loc_push_none(&loc);
        qemu_opts_loc_restore(l->data);
        ret = configure_one_accel(l->data, ms);
        loc_pop(&loc);
        init_failed |= ret == 0;
    }
    if (ret <= 0) {
        if (ret == 0 && !init_failed) {
            error_report("no accelerator found");
        }
        return false;
    }
    if (init_failed && !o->qtest_chrdev) {      /* QEMU's condition */
        error_report("falling back to %s", current_accel_name());
    }
    return true;
}

/* --- the CPU type -------------------------------------------------------- */

/* "-cpu help": QEMU's list_cpus() for x86, the model names. */
static void list_cpus(void)
{
    GSList *list = object_class_get_list(TYPE_X86_CPU, false);

    printf("Available CPUs:\n");
    for (GSList *l = list; l; l = l->next) {
        const char *type = object_class_get_name(l->data);
        g_autofree char *name = g_strndup(type, strlen(type) -
                                          strlen(X86_CPU_TYPE_SUFFIX));
        const char *desc = DEVICE_CLASS(l->data)->desc;

        printf("x86 %-20s  %-58s\n", name, desc ? desc : "");
    }
    g_slist_free(list);
}

/* One -cpu feature ("+f", "-f", "f", "f=v") as a global on @type, as
 * QEMU's x86_cpu_parse_featurestr() registers them. */
static bool cpu_feature_global(const char *type, const char *feat)
{
    g_autofree char *global = NULL;
    Error *err = NULL;

    if (feat[0] == '+' || feat[0] == '-') {
        global = g_strdup_printf("%s.%s=%s", type, feat + 1,
                                 feat[0] == '+' ? "on" : "off");
    } else if (strchr(feat, '=')) {
        global = g_strdup_printf("%s.%s", type, feat);
    } else {
        global = g_strdup_printf("%s.%s=on", type, feat);
    }
    if (!qemu_global_option(global, &err)) {
        error_report_err(err);
        return false;
    }
    return true;
}

/* QEMU's parse_cpu_option(): "model[,feature...]" -> ms->cpu_type.  x86
 * is the only target, so models resolve to "MODEL-x86_64-cpu". */
static bool parse_cpu_option(const char *cpu_option, MachineState *ms)
{
    g_auto(GStrv) pieces = g_strsplit(cpu_option, ",", 0);
    g_autofree char *type = x86_cpu_type_name(pieces[0]);
    ObjectClass *oc = object_class_by_name(type);

    if (!oc || object_class_is_abstract(oc) ||
        !object_class_dynamic_cast(oc, TYPE_X86_CPU)) {
        error_report("unable to find CPU model '%s'", pieces[0]);
        return false;
    }
    for (int i = 1; pieces[i]; i++) {
        if (pieces[i][0] && !cpu_feature_global(type, pieces[i])) {
            return false;
        }
    }
    g_free(ms->cpu_type);
    ms->cpu_type = g_steal_pointer(&type);
    return true;
}

/* --- character devices --------------------------------------------------- */

/* QEMU's chardev_init_func() for each -chardev, with its location.
 * Returns -1 if all were created, 0 after "-chardev help", 1 on error. */
static int create_chardevs(QomuOptions *o)
{
    for (GList *l = o->chardev_opts.head.head; l; l = l->next) {
        g_autoptr(GVariant) dict = qemu_opts_to_keyval(l->data);
        Error *err = NULL;
        Location loc;
        Chardev *chr;

        loc_push_none(&loc);
        qemu_opts_loc_restore(l->data);
        chr = qemu_chr_new_from_opts(dict, &err);
        if (err) {
            error_report_err(err);
        }
        loc_pop(&loc);
        if (!chr) {
            return err ? 1 : 0;         /* no error: help was printed */
        }
    }
    return -1;
}

/*
 * QEMU's debugcon_parse() for each -debugcon DEV: chardev "debugcon"
 * from DEV, and "-device isa-debugcon,chardev=debugcon" with id
 * "debugcon", created with the other devices.
 */
static bool create_debugcons(QomuOptions *o)
{
    for (guint i = 0; i < o->debugcon->len; i++) {
        DebugconOption *d = o->debugcon->pdata[i];
        Error *err = NULL;
        QemuOpts *opts = NULL;

        loc_push_restore(&d->loc);
        /* A second -debugcon: QEMU's compat parser fails quietly on the
         * taken id, leaving only the line below. */
        if (qemu_chr_find("debugcon") ||
            !qemu_chr_new("debugcon", d->chardev, &err)) {
            if (err) {
                error_report_err(err);
            }
            error_report("invalid character backend '%s'", d->chardev);
        } else if (!(opts = qemu_opts_create(&o->device_opts, "debugcon",
                                             NULL))) {
            error_report("already have a debugcon device");
        } else {
            qemu_opt_set(opts, "driver", "isa-debugcon");
            qemu_opt_set(opts, "chardev", "debugcon");
        }
        loc_pop(&d->loc);
        if (!opts) {
            return false;
        }
    }
    return true;
}

/* --- serial ports -------------------------------------------------------- */

/* The chardev of each serial port (QEMU's serial_hds): Chardev * or
 * NULL ("-serial none"), by index; the chardevs are /chardevs'. */
static GPtrArray *serial_hds;

Chardev *serial_hd(int i)
{
    if (!serial_hds || i < 0 || (guint)i >= serial_hds->len) {
        return NULL;
    }
    return serial_hds->pdata[i];
}

int serial_hds_add(Chardev *chr)
{
    if (!serial_hds) {
        serial_hds = g_ptr_array_new();
    }
    g_ptr_array_add(serial_hds, chr);
    return serial_hds->len - 1;
}

void serial_hds_clear(void)
{
    g_clear_pointer(&serial_hds, g_ptr_array_unref);
}

/*
 * The default serial port (QEMU's qemu_create_default_devices): none
 * with -nodefaults, after any -serial, on a board without serial ports,
 * or with "-device isa-serial".  Otherwise QEMU uses "mon:stdio" with
 * -nographic (the monitor multiplexed in) and "vc" without (a text
 * console, which -display none shows nowhere).  qomu has no multiplexer
 * and no text console: "stdio" and "null".
 */
static const char *default_serial(QomuOptions *o, MachineClass *mc)
{
    if (!o->defaults || o->serial->len || mc->no_serial) {
        return NULL;
    }
    for (GList *l = o->device_opts.head.head; l; l = l->next) {
        const char *driver = qemu_opt_get(l->data, "driver");

        if (driver && !strcmp(driver, "isa-serial")) {
            return NULL;
        }
    }
    return o->nographic ? "stdio" : "null";
}

/* One serial port from DEV (QEMU's serial_parse): chardev "serialN", or
 * a hole for "none".  Reports errors as QEMU does. */
static bool serial_parse(const char *devname)
{
    g_autofree char *label = NULL;
    Error *err = NULL;
    Chardev *chr;

    if (!strcmp(devname, "none")) {
        serial_hds_add(NULL);
        return true;
    }
    label = g_strdup_printf("serial%u", serial_hds ? serial_hds->len : 0);
    chr = qemu_chr_new(label, devname, &err);
    if (!chr) {
        /* QEMU says nothing more for a "chardev:ID" it cannot find. */
        if (err && !g_str_has_prefix(devname, "chardev:")) {
            error_report_err(err);
        } else {
            error_free(err);
        }
        error_report("could not connect serial device to character "
                     "backend '%s'", devname);
        return false;
    }
    serial_hds_add(chr);
    return true;
}

/* -serial, each with its location, or the default (before -debugcon, in
 * QEMU's qemu_create_late_backends order). */
static bool create_serials(QomuOptions *o, MachineState *ms)
{
    const char *dflt = default_serial(o, MACHINE_GET_CLASS(ms));

    if (dflt) {
        return serial_parse(dflt);
    }
    for (guint i = 0; i < o->serial->len; i++) {
        DebugconOption *d = o->serial->pdata[i];
        bool ok;

        loc_push_restore(&d->loc);
        ok = serial_parse(d->chardev);
        loc_pop(&d->loc);
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* --- devices ------------------------------------------------------------- */

/* QEMU's qemu_process_help_options(): -cpu help, -device [DRIVER,]help. */
static int process_help_options(QomuOptions *o)
{
    if (o->cpu_option && (!strcmp(o->cpu_option, "help") ||
                          !strcmp(o->cpu_option, "?"))) {
        list_cpus();
        return 0;
    }
    for (GList *l = o->device_opts.head.head; l; l = l->next) {
        if (qdev_device_help(l->data)) {
            return 0;
        }
    }
    return -1;
}

/* QEMU's qemu_create_cli_devices(): -device, in order, each reported
 * with its own location. */
static bool create_cli_devices(QomuOptions *o)
{
    for (GList *l = o->device_opts.head.head; l; l = l->next) {
        Error *err = NULL;
        DeviceState *dev;
        Location loc;

        loc_push_none(&loc);
        qemu_opts_loc_restore(l->data);
        dev = qdev_device_add(l->data, &err);
        if (!dev) {
            error_report_err(err);
            loc_pop(&loc);
            return false;
        }
        object_unref(OBJECT(dev));
        loc_pop(&loc);
    }
    return true;
}

/* --- the whole sequence -------------------------------------------------- */

/* Up to the accelerator: QEMU's qemu_create_machine() ...
 * configure_accelerators().  On failure *@status is the exit status. */
static bool create_machine(QomuOptions *o, MachineState **pms, int *status)
{
    MachineClass *mc = select_machine(o->machine_opts);
    g_autofree char *accel = NULL;
    MachineState *ms;

    *status = 1;
    if (!mc) {
        return false;
    }
    ms = *pms = machine_create(mc);
    *status = create_chardevs(o);
    if (*status >= 0) {
        return false;
    }
    /* QEMU's object_create_early(): -object (iothreads); errors without
     * the option's location, as QEMU's */
    *status = 1;
    for (guint i = 0; o->objects && i < o->objects->len; i++) {
        Error *err = NULL;

        if (!user_creatable_add_dict(o->objects->pdata[i], &err)) {
            error_report_err(err);
            return false;
        }
    }
    /* QEMU's qemu_create_early_backends(): drives before the machine's
     * properties, so that those can name them. */
    *status = configure_blockdev(&o->drive_opts, &o->device_opts,
                                 mc->block_default_type, o->snapshot,
                                 o->defaults && !mc->no_cdrom);
    if (*status >= 0) {
        return false;
    }
    *status = 1;
    if (!machine_apply_options(ms, o->machine_opts, &accel) ||
        !configure_accelerators(o, accel, ms)) {
        return false;
    }
    phase_advance(PHASE_ACCEL_CREATED);
    if (mc->deprecation_reason) {
        warn_report("Machine type '%s' is deprecated: %s", mc->name,
                    mc->deprecation_reason);
    }
    return true;
}

int qomu_machine_init(QomuOptions *o)
{
    MachineState *ms = NULL;
    Error *err = NULL;
    int status = process_help_options(o);

    if (status >= 0) {
        return status;
    }
    qomu_set_no_reboot(o->no_reboot);
    if (!create_machine(o, &ms, &status)) {
        return status;
    }
    /* QEMU's qemu_create_late_backends(): the qtest server, the monitors
     * (they are served once the main loop runs), then serial ports,
     * debugcons. */
    if (o->qtest_chrdev &&
        !qtest_server_init(o->qtest_chrdev, o->qtest_log, &err)) {
        error_report_err(err);
        return 1;
    }
    if (!monitor_create_from_options(o->monitors)) {
        return 1;
    }
    if (!create_serials(o, ms) || !create_debugcons(o) ||
        (o->cpu_option && !parse_cpu_option(o->cpu_option, ms))) {
        return 1;
    }
    if (!machine_run_board_init(ms, &err)) {
        error_report_err(err);
        return 1;
    }
    if (!create_cli_devices(o)) {
        return 1;
    }
    /* QEMU's qemu_machine_creation_done(): drives nothing took */
    if (!drive_check_orphans()) {
        return 1;
    }
    machine_creation_done(ms);
    return -1;
}

void qomu_machine_teardown(void)
{
    if (current_machine_get()) {
        vm_shutdown();
    }
    cpus_stop_all_and_join();
    /* The qtest server undoes its IRQ interceptions while the devices
     * are all there. */
    qtest_server_cleanup();
    /* Before the machine: the accelerator listens to its address
     * space, which cannot go while a listener is registered. */
    accel_cleanup();
    machine_destroy();
    /* -object / object-add objects (iothreads: joined here, after the
     * devices that used them) */
    user_creatable_cleanup();
    /* The devices let go of their drives: close them, flushing what the
     * guest wrote (QEMU's bdrv_close_all in qemu_cleanup). */
    blockdev_close_all();
    /* Monitors are frontends too (QEMU's monitor_cleanup); the reply to
     * "quit" goes out here, after SHUTDOWN. */
    monitor_cleanup();
    /* Their frontends went with the machine's devices. */
    serial_hds_clear();
    qemu_chr_cleanup();
}
