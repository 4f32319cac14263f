/*
 * monitor-opts.c - -qmp, -qmp-pretty, -monitor and -mon (QEMU 7.2's
 * monitor_parse() and mon_init_func() in softmmu/vl.c).  See
 * include/monitor/monitor-opts.h.
 */
#include "util/osdep.h"
#include "util/qemu-opts.h"
#include "chardev/char.h"
#include "monitor/monitor.h"
#include "monitor/monitor-opts.h"

/* QEMU's qemu_mon_opts. */
static const QemuOptDesc mon_desc[] = {
    { "mode", QEMU_OPT_STRING, NULL },
    { "chardev", QEMU_OPT_STRING, NULL },
    { "pretty", QEMU_OPT_BOOL, NULL },
    { 0 }
};

static void monitor_option_free(gpointer p)
{
    MonitorOption *m = p;

    g_free(m->chardev_spec);
    g_free(m->label);
    if (m->opts) {
        g_variant_unref(m->opts);
    }
    g_free(m);
}

GPtrArray *monitor_options_new(void)
{
    return g_ptr_array_new_with_free_func(monitor_option_free);
}

static void monitor_option_add(GPtrArray *monitors, char *spec, char *label,
                               GVariant *opts)
{
    MonitorOption *m = g_new0(MonitorOption, 1);

    m->chardev_spec = spec;
    m->label = label;
    m->opts = g_variant_ref_sink(opts);
    loc_save(&m->loc);
    g_ptr_array_add(monitors, m);
}

/* QEMU's monitor_parse(): "chardev:ID", or a legacy chardev created as
 * compat_monitorN (N counts every -qmp/-monitor). */
static void monitor_parse(GPtrArray *monitors, const char *str,
                          const char *mode, bool pretty)
{
    static int monitor_device_index;    /* main thread only */
    char *label, *spec = NULL;
    GVariantBuilder b;

    if (g_str_has_prefix(str, "chardev:")) {
        label = g_strdup(str + strlen("chardev:"));
    } else {
        label = g_strdup_printf("compat_monitor%d", monitor_device_index);
        spec = g_strdup(str);
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add(&b, "{sv}", "mode", g_variant_new_string(mode));
    g_variant_builder_add(&b, "{sv}", "chardev", g_variant_new_string(label));
    if (!strcmp(mode, "control")) {
        g_variant_builder_add(&b, "{sv}", "pretty",
                              g_variant_new_string(pretty ? "on" : "off"));
    }
    monitor_option_add(monitors, spec, g_strdup(label),
                       g_variant_builder_end(&b));
    g_free(label);
    monitor_device_index++;
}

int monitor_parse_option(GPtrArray *monitors, const char *option,
                         const char *optarg)
{
    if (!strcmp(option, "qmp") || !strcmp(option, "qmp-pretty")) {
        monitor_parse(monitors, optarg, "control",
                      !strcmp(option, "qmp-pretty"));
    } else if (!strcmp(option, "monitor")) {
        if (strncmp(optarg, "none", 4)) {
            monitor_parse(monitors, optarg, "readline", false);
        }
    } else {
        QemuOptsList list = { .name = "mon", .implied_opt_name = "chardev",
                              .desc = mon_desc };
        QemuOpts *opts = qemu_opts_parse_noisily(&list, optarg, true);

        if (!opts) {
            qemu_opts_reset(&list);
            return 1;
        }
        /* qemu_opts_to_keyval() returns a full reference; the option
         * takes its own (monitor_option_add sinks or refs). */
        g_autoptr(GVariant) kv = qemu_opts_to_keyval(opts);

        monitor_option_add(monitors, NULL, NULL, kv);
        qemu_opts_reset(&list);
    }
    return -1;
}

/* The legacy chardev of -qmp/-monitor; QEMU reports a form it cannot
 * parse twice ("'x' is not a valid char driver", "parse error: x"). */
static bool create_compat_chardev(MonitorOption *m)
{
    g_autofree char *bad = g_strdup_printf("'%s' is not a valid char "
                                           "driver", m->chardev_spec);
    Error *err = NULL;

    if (qemu_chr_new(m->label, m->chardev_spec, &err)) {
        return true;
    }
    if (!strcmp(error_get_pretty(err), bad)) {
        error_report_err(err);
        error_report("parse error: %s", m->chardev_spec);
    } else {
        error_report_err(err);
    }
    return false;
}

bool monitor_create_from_options(GPtrArray *monitors)
{
    for (guint i = 0; i < monitors->len; i++) {
        MonitorOption *m = monitors->pdata[i];
        Error *err = NULL;
        bool ok;

        loc_push_restore(&m->loc);
        ok = (!m->chardev_spec || create_compat_chardev(m)) &&
             monitor_init_opts(m->opts, &err);
        if (err) {
            error_report_err(err);
        }
        loc_pop(&m->loc);
        if (!ok) {
            return false;
        }
    }
    return true;
}
