/*
 * hmp.c - the human monitor: the HMP monitor on a chardev (banner,
 * prompt, line editing), command lookup, QEMU's argument syntax, help,
 * and the capture monitor behind human-monitor-command (QEMU 7.2's
 * monitor/hmp.c).  See include/monitor/hmp.h.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "util/qemu-opts.h"
#include "chardev/char.h"
#include "hw/core/cpu.h"
#include "monitor/hmp.h"
#include "monitor-internal.h"
#include "readline.h"

typedef struct MonitorHMP {
    Monitor common;
    ReadLineState *rs;
} MonitorHMP;

/* --- arguments (QEMU's monitor_parse_arguments) ----------------------- */

/* QEMU's get_str(): a word, or a quoted string with escapes.  Returns
 * NULL at end of line or on a bad string (after saying why: on the
 * VMM's stdout, not the monitor, as QEMU's printf() there). */
static char *get_str(Monitor *mon, const char **pp)
{
    const char *p = *pp;
    GString *buf = g_string_new(NULL);

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '\0') {
        goto fail;
    }
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\') {
                int c;

                p++;
                c = *p++;
                switch (c) {
                case 'n':
                    c = '\n';
                    break;
                case 'r':
                    c = '\r';
                    break;
                case '\\':
                case '\'':
                case '"':
                    break;
                default:
                    printf("unsupported escape code: '\\%c'\n", c);
                    fflush(stdout);
                    goto fail;
                }
                g_string_append_c(buf, c);
            } else {
                g_string_append_c(buf, *p++);
            }
        }
        if (*p != '"') {
            printf("unterminated string\n");
            fflush(stdout);
            goto fail;
        }
        p++;
    } else {
        while (*p && !g_ascii_isspace(*p)) {
            g_string_append_c(buf, *p++);
        }
    }
    *pp = p;
    return g_string_free(buf, false);

fail:
    *pp = p;
    g_string_free(buf, true);
    return NULL;
}

/* "-x" flags later in @typestr (QEMU's is_valid_option, for "-fd" style
 * runs of flags). */
static bool is_valid_option(const char *c, const char *typestr)
{
    char option[3] = { '-', *c, '\0' };

    return strstr(typestr, option) != NULL;
}

/* The "-device" style options of an 'O' argument, as a{sv} strings. */
static bool parse_opts_arg(Monitor *mon, const char *text,
                           GVariantBuilder *b)
{
    QemuOptsList list = { .name = "device", .implied_opt_name = "driver" };
    QemuOpts *opts = qemu_opts_parse_noisily(&list, text, true);
    g_autoptr(GVariant) dict = NULL;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    if (!opts) {
        qemu_opts_reset(&list);
        return false;
    }
    dict = qemu_opts_to_keyval(opts);
    qemu_opts_reset(&list);
    g_variant_iter_init(&iter, dict);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        g_variant_builder_add(b, "{sv}", key, value);
    }
    return true;
}

/* Parse @cmd's arguments from *@pp; NULL after printing the problem. */
static GVariant *parse_arguments(Monitor *mon, const char **pp,
                                 const HmpCommand *cmd)
{
    g_auto(GStrv) specs = g_strsplit(cmd->args_type, ",", 0);
    const char *p = *pp;
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    for (int i = 0; specs[i] && specs[i][0]; i++) {
        g_autofree char *key = g_strdup(specs[i]);
        char *typestr = strchr(key, ':');
        char type;
        bool optional;

        *typestr++ = '\0';
        type = *typestr++;
        optional = *typestr == '?';
        switch (type) {
        case 'B':               /* a block device name */
        case 's': {
            char *s;

            while (g_ascii_isspace(*p)) {
                p++;
            }
            if (optional && *p == '\0') {
                break;
            }
            s = get_str(mon, &p);
            if (!s) {
                monitor_printf(mon, "%s: %s expected\n", cmd->name,
                               type == 'B' ? "block device name" : "string");
                goto fail;
            }
            g_variant_builder_add(&b, "{sv}", key, g_variant_new_take_string(s));
            break;
        }
        case 'S':
            while (g_ascii_isspace(*p)) {
                p++;
            }
            if (*p == '\0') {
                if (optional) {
                    break;
                }
                monitor_printf(mon, "%s: string expected\n", cmd->name);
                goto fail;
            }
            g_variant_builder_add(&b, "{sv}", key, g_variant_new_string(p));
            p += strlen(p);
            break;
        case 'O': {
            g_autofree char *s = NULL;

            while (g_ascii_isspace(*p)) {
                p++;
            }
            if (!*p) {
                break;
            }
            s = get_str(mon, &p);
            if (!s || !parse_opts_arg(mon, s, &b)) {
                goto fail;
            }
            break;
        }
        case '-': {
            const char *tmp = p;
            char c = *typestr;

            while (g_ascii_isspace(*p)) {
                p++;
            }
            if (*p == '-') {
                p++;
                if (c != *p) {
                    if (!is_valid_option(p, cmd->args_type)) {
                        monitor_printf(mon, "%s: unsupported option -%c\n",
                                       cmd->name, *p);
                        goto fail;
                    }
                    p = tmp;    /* a later flag: leave it */
                } else {
                    p++;
                    g_variant_builder_add(&b, "{sv}", key,
                                          g_variant_new_boolean(true));
                }
            }
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p) {
        monitor_printf(mon, "%s: extraneous characters at the end of line\n",
                       cmd->name);
        goto fail;
    }
    *pp = p;
    return g_variant_ref_sink(g_variant_builder_end(&b));

fail:
    /* *pp stays after the command name: "Try \"help NAME\"" uses it. */
    g_variant_builder_clear(&b);
    return NULL;
}

/* --- commands -------------------------------------------------------- */

/* "cont|c" matches "cont" and "c". */
static bool compare_cmd(const char *name, const char *list)
{
    g_auto(GStrv) names = g_strsplit(list, "|", 0);

    return g_strv_contains((const char *const *)names, name);
}

static const HmpCommand *search_table(const HmpCommand *table,
                                      const char *name)
{
    for (const HmpCommand *cmd = table; cmd->name; cmd++) {
        if (compare_cmd(name, cmd->name)) {
            return cmd;
        }
    }
    return NULL;
}

/* QEMU's monitor_parse_command(): descends into "info"'s table. */
static const HmpCommand *parse_command(Monitor *mon, const char *start,
                                       const char **cmdp,
                                       const HmpCommand *table)
{
    const char *p = *cmdp, *name;
    g_autofree char *cmdname = NULL;
    const HmpCommand *cmd;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '\0') {
        return NULL;
    }
    name = p;
    while (*p && *p != '/' && !g_ascii_isspace(*p)) {
        p++;
    }
    cmdname = g_strndup(name, p - name);
    cmd = search_table(table, cmdname);
    if (!cmd) {
        monitor_printf(mon, "unknown command: '%.*s'\n", (int)(p - start),
                       start);
        return NULL;
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    *cmdp = p;
    if (cmd->sub_table && *p) {
        return parse_command(mon, start, cmdp, cmd->sub_table);
    }
    return cmd;
}

void hmp_handle_command(Monitor *mon, const char *cmdline)
{
    const char *start = cmdline;
    const HmpCommand *cmd = parse_command(mon, cmdline, &cmdline, hmp_cmds);
    g_autoptr(GVariant) args = NULL;
    Monitor *old;

    if (!cmd) {
        return;
    }
    args = parse_arguments(mon, &cmdline, cmd);
    if (!args) {
        while (cmdline > start && g_ascii_isspace(cmdline[-1])) {
            cmdline--;
        }
        monitor_printf(mon, "Try \"help %.*s\" for more information\n",
                       (int)(cmdline - start), start);
        return;
    }
    old = monitor_set_cur(mon);
    cmd->cmd(mon, args);
    monitor_set_cur(old);
}

/* --- help (QEMU's help_cmd) ------------------------------------------- */

static void help_dump_one(Monitor *mon, const HmpCommand *cmd,
                          char **prefix, int nb_prefix)
{
    for (int i = 0; i < nb_prefix; i++) {
        monitor_printf(mon, "%s ", prefix[i]);
    }
    monitor_printf(mon, "%s %s -- %s\n", cmd->name, cmd->params, cmd->help);
}

static void help_dump(Monitor *mon, const HmpCommand *cmds, char **args,
                      int nb_args, int arg_index)
{
    if (arg_index >= nb_args) {
        for (const HmpCommand *cmd = cmds; cmd->name; cmd++) {
            help_dump_one(mon, cmd, args, arg_index);
        }
        return;
    }
    for (const HmpCommand *cmd = cmds; cmd->name; cmd++) {
        if (compare_cmd(args[arg_index], cmd->name)) {
            if (cmd->sub_table) {
                help_dump(mon, cmd->sub_table, args, nb_args, arg_index + 1);
            } else {
                help_dump_one(mon, cmd, args, arg_index);
            }
            return;
        }
    }
    monitor_printf(mon, "unknown command: '");
    for (int i = 0; i <= arg_index; i++) {
        monitor_printf(mon, "%s%s", args[i], i == arg_index ? "'\n" : " ");
    }
}

void hmp_help_cmd(Monitor *mon, const char *name)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) words = g_strsplit_set(name ? name : "", " \t", 0);

    for (int i = 0; words[i]; i++) {
        if (words[i][0]) {
            g_ptr_array_add(args, g_strdup(words[i]));
        }
    }
    help_dump(mon, hmp_cmds, (char **)args->pdata, args->len, 0);
}

/* --- helpers for handlers --------------------------------------------- */

void hmp_handle_error(Monitor *mon, Error *err)
{
    if (err) {
        error_reportf_err(err, "Error: ");
    }
}

const char *hmp_arg_str(GVariant *args, const char *name)
{
    const char *s = NULL;

    return g_variant_lookup(args, name, "&s", &s) ? s : NULL;
}

bool hmp_arg_flag(GVariant *args, const char *name)
{
    gboolean b = false;

    g_variant_lookup(args, name, "b", &b);
    return b;
}

/* --- the capture monitor (human-monitor-command) ---------------------- */

Monitor *hmp_capture_new(void)
{
    MonitorHMP *mon = g_new0(MonitorHMP, 1);

    monitor_data_init(&mon->common, NULL, false, &error_abort);
    return &mon->common;
}

char *hmp_run_capture(const char *cmdline, int cpu_index)
{
    Monitor *mon = hmp_capture_new();
    char *out;

    if (cpu_index >= 0) {
        mon->cpu_index = cpu_index;
    }
    hmp_handle_command(mon, cmdline);
    out = g_strdup(mon->outbuf->str);
    monitor_data_destroy(mon);
    return out;
}

/* --- the HMP monitor on a chardev ------------------------------------- */

static void hmp_readline_print(void *opaque, const char *text)
{
    monitor_puts(opaque, text);
}

static void hmp_readline_line(void *opaque, const char *line)
{
    MonitorHMP *mon = opaque;

    hmp_handle_command(&mon->common, line);
    /* "quit" suspends the monitor: no prompt after it, as in QEMU. */
    if (!mon->common.suspend_cnt) {
        readline_show_prompt(mon->rs);
    }
}

static int hmp_can_read(void *opaque)
{
    MonitorHMP *mon = opaque;

    /* QEMU reads one byte at a time while not suspended; a few more per
     * read is the same to the line editor. */
    return mon->common.suspend_cnt ||
           monitor_outbuf_pending(&mon->common) > MONITOR_OUTBUF_PAUSE
           ? 0 : 256;
}

static void hmp_read(void *opaque, const uint8_t *buf, int size)
{
    MonitorHMP *mon = opaque;

    for (int i = 0; i < size && !mon->common.suspend_cnt; i++) {
        readline_handle_byte(mon->rs, buf[i]);
    }
}

static void hmp_event(void *opaque, QEMUChrEvent event)
{
    MonitorHMP *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        monitor_reset_output(&mon->common);
        mon->common.suspend_cnt = 0;
        monitor_printf(&mon->common, "QEMU %s monitor - type 'help' for "
                       "more information\n", QOMU_QEMU_VERSION);
        readline_restart(mon->rs);
        readline_show_prompt(mon->rs);
        break;
    case CHR_EVENT_CLOSED:
        readline_restart(mon->rs);
        monitor_reset_output(&mon->common);
        break;
    default:
        break;
    }
}

static void hmp_update_input(Monitor *common)
{
    qemu_chr_fe_accept_input(&common->chr);
}

static void hmp_destroy(Monitor *common)
{
    MonitorHMP *mon = (MonitorHMP *)common;

    if (!common->capture) {
        qemu_chr_fe_set_handlers(&common->chr, NULL, NULL, NULL, NULL, true);
    }
    readline_free(mon->rs);
    mon->rs = NULL;
}

bool monitor_init_hmp(Chardev *chr, Error **errp)
{
    MonitorHMP *mon = g_new0(MonitorHMP, 1);

    if (!monitor_data_init(&mon->common, chr, false, errp)) {
        g_free(mon);
        return false;
    }
    monitor_events_init();
    mon->rs = readline_init(hmp_readline_print, hmp_readline_line, mon,
                            "(qemu) ");
    mon->common.update_input = hmp_update_input;
    mon->common.destroy = hmp_destroy;
    qemu_chr_fe_set_handlers(&mon->common.chr, hmp_can_read, hmp_read,
                             hmp_event, mon, true);
    return true;
}
