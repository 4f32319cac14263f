/*
 * accel.c - TYPE_ACCEL and choosing the accelerator (QEMU 7.2's
 * accel/accel-common.c, accel/accel-softmmu.c accel_init_machine, and
 * softmmu/vl.c configure_accelerators / do_configure_accelerator).
 *
 * Modelled: the colon-separated list of -machine accel= (each name tried
 * in order, QEMU's messages and their order), the default choice,
 * current_accel(), `-accel help`.  Not modelled: accelerator properties
 * given on the command line (-accel kvm,prop=val: kvm's "device" is set
 * from $QOMU_KVM_DEVICE instead), compat props, icount.
 * The default differs from QEMU's (which is "tcg"): kvm, else dummy with
 * one warning line, since qomu has no TCG.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "accel/accel.h"

static AccelState *accel_current;

AccelState *current_accel(void)
{
    return accel_current;
}

const char *current_accel_name(void)
{
    return accel_current ? ACCEL_GET_CLASS(accel_current)->name : NULL;
}

AccelClass *accel_find(const char *name)
{
    g_autofree char *typename = g_strconcat(name, ACCEL_CLASS_SUFFIX, NULL);
    ObjectClass *oc = object_class_by_name(typename);

    if (!oc || object_class_is_abstract(oc) ||
        !object_class_dynamic_cast(oc, TYPE_ACCEL)) {
        return NULL;
    }
    return ACCEL_CLASS(oc);
}

/* Create and initialise one accelerator; it becomes current on success.
 * The error is QEMU's "failed to initialize NAME: REASON". */
static bool accel_try(AccelClass *ac, MachineState *ms, Error **errp)
{
    AccelState *accel = ACCEL(object_new_with_class(OBJECT_CLASS(ac)));
    Error *err = NULL;

    if (!ac->init_machine(accel, ms, &err)) {
        object_unref(accel);
        error_propagate_prepend(errp, err, "failed to initialize %s: ",
                                ac->name);
        return false;
    }
    accel_current = accel;
    return true;
}

/*
 * QEMU reports every failure and then exits; we report every failure but
 * the last, which goes to @errp when nothing is left to try, so that the
 * caller's &error_fatal prints it in the same place.
 */
static void accel_failed(Error *err, bool last, Error **errp)
{
    if (last) {
        error_propagate(errp, err);
    } else {
        error_report_err(err);
    }
}

static bool accel_init_list(char **names, MachineState *ms, Error **errp)
{
    int n = g_strv_length(names), valid = 0, tried = 0;
    bool failed = false;

    /* QEMU filters unknown names first, each reported at once. */
    for (int i = 0; i < n; i++) {
        valid += accel_find(names[i]) != NULL;
    }
    for (int i = 0, bad = 0; i < n; i++) {
        if (!accel_find(names[i])) {
            Error *err = NULL;

            error_setg(&err, "invalid accelerator %s", names[i]);
            accel_failed(err, !valid && ++bad == n - valid, errp);
            failed = true;
        }
    }
    for (int i = 0; i < n && !accel_current; i++) {
        AccelClass *ac = accel_find(names[i]);
        Error *err = NULL;

        if (!ac) {
            continue;
        }
        if (!accel_try(ac, ms, &err)) {
            accel_failed(err, ++tried == valid, errp);
            failed = true;
        }
    }
    if (accel_current && failed) {
        error_report("falling back to %s", current_accel_name());
    }
    if (!n) {
        error_setg(errp, "no accelerator found");
    }
    return accel_current;
}

/* Keeps the first line printed while probing KVM quietly. */
static void capture_first_line(const char *text, void *opaque)
{
    GString *first = opaque;

    if (!first->len) {
        g_string_append_len(first, text, strcspn(text, "\n"));
    }
}

/* No -accel: kvm if it works, else dummy and one line saying why. */
static bool accel_init_default(MachineState *ms, Error **errp)
{
    g_autoptr(GString) detail = g_string_new(NULL);
    ErrorReportSink *old_sink;
    void *old_opaque;
    Error *err = NULL;
    bool ok;

    old_sink = error_report_get_sink(&old_opaque);
    error_report_set_sink(capture_first_line, detail);
    ok = accel_try(accel_find("kvm"), ms, &err);
    error_report_set_sink(old_sink, old_opaque);
    if (ok) {
        return true;
    }
    warn_report("%s; falling back to dummy: no guest code will run",
                detail->len ? detail->str : error_get_pretty(err));
    error_free(err);
    return accel_try(accel_find("dummy"), ms, errp);
}

bool accel_init_machine(const char *names, MachineState *ms, Error **errp)
{
    g_auto(GStrv) list = NULL;

    assert(!accel_current);
    if (!names) {
        return accel_init_default(ms, errp);
    }
    /* As QEMU 7.2: every piece, even an empty one, is a name. */
    list = g_strsplit(names, ":", 0);
    return accel_init_list(list, ms, errp);
}

void accel_cleanup(void)
{
    AccelState *accel = accel_current;

    accel_current = NULL;
    object_unref(accel);                /* finalize closes the VM */
}

static void accel_help_one(ObjectClass *oc, void *opaque)
{
    const char *name = ACCEL_CLASS(oc)->name;

    if (g_strcmp0(name, "qtest")) {     /* for tests only, as in QEMU */
        g_string_append_printf(opaque, "%s\n", name);
    }
}

void accel_help(GString *out)
{
    g_string_append(out, "Accelerators supported in QEMU binary:\n");
    object_class_foreach(accel_help_one, TYPE_ACCEL, false, out);
}

static const TypeInfo accel_type = {
    .name = TYPE_ACCEL,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(AccelState),
    .class_size = sizeof(AccelClass),
    .abstract = true,
};

static void accel_register_types(void)
{
    type_register_static(&accel_type);
}

type_init(accel_register_types)
