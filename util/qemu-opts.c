/*
 * qemu-opts.c - QemuOpts, the option syntax of -m, -name, -accel,
 * -device, -chardev, -msg and -global (QEMU 7.2's util/qemu-option.c,
 * reduced to what the command line needs).  See include/util/qemu-opts.h.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/help-option.h"
#include "util/id.h"
#include "util/qemu-opts.h"

typedef struct QemuOpt {
    char *name;
    char *str;                  /* the value as given */
    const QemuOptDesc *desc;    /* NULL for lists that accept anything */
    union {
        bool boolean;
        uint64_t uint;          /* NUMBER and SIZE */
    } value;
} QemuOpt;

struct QemuOpts {
    char *id;
    QemuOptsList *list;
    Location loc;               /* where it was parsed (loc_save) */
    GQueue head;                /* QemuOpt *, in order given */
};

/* --- parsing one "name=value" -------------------------------------------- */

const char *get_opt_value(const char *p, char **value)
{
    GString *s = g_string_new(NULL);

    for (; *p; p++) {
        if (*p == ',') {
            if (p[1] != ',') {
                break;
            }
            p++;
        }
        g_string_append_c(s, *p);
    }
    *value = g_string_free(s, false);
    return p;
}

/*
 * QEMU's get_opt_name_value(): "name=value", or a bare "value" for
 * @firstname, or a bare flag "name" (on) / "noname" (off), which QEMU
 * 7.2 deprecates with a warning unless it is "help".
 */
static const char *get_opt_name_value(const char *params,
                                      const char *firstname,
                                      bool warn_on_flag, bool *help_wanted,
                                      char **name, char **value)
{
    size_t len = strcspn(params, "=,");
    const char *prefix = "";
    bool is_help = false;
    const char *p;

    if (params[len] != '=') {
        if (firstname) {
            *name = g_strdup(firstname);
            p = get_opt_value(params, value);
        } else {
            *name = g_strndup(params, len);
            p = params + len;
            if (g_str_has_prefix(*name, "no")) {
                memmove(*name, *name + 2, strlen(*name + 2) + 1);
                *value = g_strdup("off");
                prefix = "no";
            } else {
                *value = g_strdup("on");
                is_help = is_help_option(*name);
            }
            if (!is_help && warn_on_flag) {
                warn_report("short-form boolean option '%s%s' deprecated",
                            prefix, *name);
                error_printf("Please use %s=%s instead\n", *name, *value);
            }
        }
    } else {
        *name = g_strndup(params, len);
        p = get_opt_value(params + len + 1, value);
    }
    if (help_wanted && is_help) {
        *help_wanted = true;
    }
    return *p == ',' ? p + 1 : p;
}

/* --- the lists ----------------------------------------------------------- */

static const QemuOptDesc *find_desc(const QemuOptsList *list,
                                    const char *name)
{
    for (const QemuOptDesc *d = list->desc; d && d->name; d++) {
        if (!strcmp(d->name, name)) {
            return d;
        }
    }
    return NULL;
}

static void qemu_opt_free(QemuOpt *opt)
{
    g_free(opt->name);
    g_free(opt->str);
    g_free(opt);
}

void qemu_opts_del(QemuOpts *opts)
{
    QemuOpt *opt;

    while ((opt = g_queue_pop_head(&opts->head))) {
        qemu_opt_free(opt);
    }
    g_queue_remove(&opts->list->head, opts);
    g_free(opts->id);
    g_free(opts);
}

static QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id)
{
    for (GList *l = list->head.head; l; l = l->next) {
        QemuOpts *opts = l->data;

        if (!g_strcmp0(opts->id, id)) {
            return opts;
        }
    }
    return NULL;
}

QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           Error **errp)
{
    QemuOpts *opts;

    if (list->merge_lists) {
        if (id) {
            error_setg(errp, "Invalid parameter '%s'", "id");
            return NULL;
        }
        opts = qemu_opts_find(list, NULL);
        if (opts) {
            return opts;
        }
    } else if (id) {
        if (!id_wellformed(id)) {
            error_setg(errp, "Parameter '%s' expects %s", "id",
                       "an identifier");
            error_append_hint(errp, "Identifiers consist of letters, "
                              "digits, '-', '.', '_', starting with a "
                              "letter.\n");
            return NULL;
        }
        if (qemu_opts_find(list, id)) {
            error_setg(errp, "Duplicate ID '%s' for %s", id, list->name);
            return NULL;
        }
    }
    opts = g_new0(QemuOpts, 1);
    opts->id = g_strdup(id);
    opts->list = list;
    loc_save(&opts->loc);
    g_queue_init(&opts->head);
    g_queue_push_tail(&list->head, opts);
    return opts;
}

/* Type the value by its description (QEMU's opt_validate). */
static bool opt_validate(QemuOptsList *list, QemuOpt *opt, Error **errp)
{
    if (!list->desc) {
        return true;            /* accepts anything, as strings */
    }
    opt->desc = find_desc(list, opt->name);
    if (!opt->desc) {
        error_setg(errp, "Invalid parameter '%s'", opt->name);
        return false;
    }
    switch (opt->desc->type) {
    case QEMU_OPT_STRING:
        return true;
    case QEMU_OPT_BOOL:
        return qapi_bool_parse(opt->name, opt->str, &opt->value.boolean,
                               errp);
    case QEMU_OPT_NUMBER:
        return parse_option_number(opt->name, opt->str, &opt->value.uint,
                                   errp);
    case QEMU_OPT_SIZE:
        return parse_option_size(opt->name, opt->str, &opt->value.uint,
                                 errp);
    }
    g_assert_not_reached();
}

/* The id, found by a first scan as QEMU's opts_parse_id() does. */
static char *opts_parse_id(const char *params)
{
    for (const char *p = params; *p;) {
        char *name, *value;

        p = get_opt_name_value(p, NULL, false, NULL, &name, &value);
        if (!strcmp(name, "id")) {
            g_free(name);
            return value;
        }
        g_free(name);
        g_free(value);
    }
    return NULL;
}

static bool opts_do_parse(QemuOpts *opts, const char *params,
                          const char *firstname, bool *help_wanted,
                          Error **errp)
{
    for (const char *p = params; *p;) {
        QemuOpt *opt = g_new0(QemuOpt, 1);

        p = get_opt_name_value(p, firstname, true, help_wanted, &opt->name,
                               &opt->str);
        firstname = NULL;
        if ((help_wanted && *help_wanted) || !strcmp(opt->name, "id")) {
            qemu_opt_free(opt);
            if (help_wanted && *help_wanted) {
                return false;
            }
            continue;
        }
        g_queue_push_tail(&opts->head, opt);
        if (!opt_validate(opts->list, opt, errp)) {
            return false;
        }
    }
    return true;
}

/*
 * QEMU's opts_parse(): with @help_wanted NULL, "help" is an ordinary
 * parameter; otherwise a help request stops the parse (NULL, *@help_wanted
 * set, @errp untouched).
 */
static QemuOpts *opts_parse(QemuOptsList *list, const char *params,
                            bool permit_abbrev, bool *help_wanted,
                            Error **errp)
{
    const char *firstname = permit_abbrev ? list->implied_opt_name : NULL;
    g_autofree char *id = opts_parse_id(params);
    QemuOpts *opts;

    opts = qemu_opts_create(list, id, errp);
    if (!opts) {
        return NULL;
    }
    if (!opts_do_parse(opts, params, firstname, help_wanted, errp)) {
        /* As QEMU: a merged list loses its earlier options too (the
         * caller exits anyway). */
        qemu_opts_del(opts);
        return NULL;
    }
    return opts;
}

QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp)
{
    return opts_parse(list, params, permit_abbrev, NULL, errp);
}

QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev)
{
    bool help_wanted = false;
    Error *err = NULL;
    QemuOpts *opts;

    /* Help only for lists that describe their options (QEMU passes no
     * help_wanted for lists that accept anything: -device DRIVER,help is
     * then an option "help=on" that qdev looks for). */
    opts = opts_parse(list, params, permit_abbrev,
                      list->desc ? &help_wanted : NULL, &err);
    if (!opts) {
        if (help_wanted) {
            qemu_opts_print_help(list);
        } else {
            error_report_err(err);
        }
    }
    return opts;
}

void qemu_opt_set(QemuOpts *opts, const char *name, const char *value)
{
    QemuOpt *opt = g_new0(QemuOpt, 1);

    opt->name = g_strdup(name);
    opt->str = g_strdup(value);
    g_queue_push_tail(&opts->head, opt);
    if (!opt_validate(opts->list, opt, NULL)) {
        g_assert_not_reached();         /* a bug in the caller */
    }
}

/* --- reading ------------------------------------------------------------- */

static QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name)
{
    for (GList *l = opts->head.tail; l; l = l->prev) {
        QemuOpt *opt = l->data;

        if (!strcmp(opt->name, name)) {
            return opt;
        }
    }
    return NULL;
}

const char *qemu_opt_get(QemuOpts *opts, const char *name)
{
    QemuOpt *opt = qemu_opt_find(opts, name);

    return opt ? opt->str : NULL;
}

bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval)
{
    QemuOpt *opt = qemu_opt_find(opts, name);

    assert(!opt || (opt->desc && opt->desc->type == QEMU_OPT_BOOL));
    return opt ? opt->value.boolean : defval;
}

uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval)
{
    QemuOpt *opt = qemu_opt_find(opts, name);

    assert(!opt || (opt->desc && opt->desc->type == QEMU_OPT_NUMBER));
    return opt ? opt->value.uint : defval;
}

uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval)
{
    QemuOpt *opt = qemu_opt_find(opts, name);

    assert(!opt || (opt->desc && opt->desc->type == QEMU_OPT_SIZE));
    return opt ? opt->value.uint : defval;
}

const char *qemu_opts_id(QemuOpts *opts)
{
    return opts->id;
}

bool qemu_opt_has_help_opt(QemuOpts *opts)
{
    for (GList *l = opts->head.head; l; l = l->next) {
        if (is_help_option(((QemuOpt *)l->data)->name)) {
            return true;
        }
    }
    return false;
}

bool qemu_opt_foreach(QemuOpts *opts,
                      bool (*fn)(void *opaque, const char *name,
                                 const char *value),
                      void *opaque)
{
    for (GList *l = opts->head.head; l; l = l->next) {
        QemuOpt *opt = l->data;

        if (!fn(opaque, opt->name, opt->str)) {
            return false;
        }
    }
    return true;
}

GVariant *qemu_opts_to_keyval(QemuOpts *opts)
{
    GVariantBuilder b;
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    if (opts->id) {
        g_ptr_array_add(names, "id");
    }
    for (GList *l = opts->head.head; l; l = l->next) {
        QemuOpt *opt = l->data;

        if (!g_ptr_array_find_with_equal_func(names, opt->name, g_str_equal,
                                              NULL)) {
            g_ptr_array_add(names, opt->name);
        }
    }
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        const char *value = !strcmp(name, "id") ? opts->id
                                                 : qemu_opt_get(opts, name);

        g_variant_builder_add(&b, "{sv}", name, g_variant_new_string(value));
    }
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

void qemu_opts_loc_restore(QemuOpts *opts)
{
    loc_restore(&opts->loc);
}

QemuOpts *qemu_opts_find_first(QemuOptsList *list)
{
    return g_queue_peek_head(&list->head);
}

static const char *opt_type_to_string(QemuOptType type)
{
    switch (type) {
    case QEMU_OPT_STRING:
        return "str";
    case QEMU_OPT_BOOL:
        return "bool (on/off)";
    case QEMU_OPT_NUMBER:
        return "num";
    case QEMU_OPT_SIZE:
        return "size";
    }
    g_assert_not_reached();
}

void qemu_opts_print_help(QemuOptsList *list)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) out = g_string_new(NULL);

    for (const QemuOptDesc *d = list->desc; d && d->name; d++) {
        GString *str = g_string_new(NULL);

        g_string_append_printf(str, "  %s=<%s>", d->name,
                               opt_type_to_string(d->type));
        if (d->help) {
            if (str->len < 24) {
                g_string_append_printf(str, "%*s", 24 - (int)str->len, "");
            }
            g_string_append_printf(str, " - %s", d->help);
        }
        g_ptr_array_add(lines, g_string_free(str, false));
    }
    help_print_sorted(out, list->name, lines);
    fputs(out->str, stdout);
}

void qemu_opts_reset(QemuOptsList *list)
{
    QemuOpts *opts;

    while ((opts = g_queue_peek_head(&list->head))) {
        qemu_opts_del(opts);
    }
}
