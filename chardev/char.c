/*
 * char.c - the abstract chardev type, /chardevs, and creating chardevs
 * from -chardev options or the legacy short forms (QEMU 7.2's
 * chardev/char.c).  See include/chardev/char.h.
 *
 * Options: QEMU checks -chardev options against one table for all
 * backends (qemu_chardev_opts) when it parses them; our command line
 * hands us an unchecked dictionary, so qemu_chr_new_from_opts() checks it
 * against the table below first, with QEMU's messages.  The table lists
 * only what our backends implement: QEMU options for features we lack
 * (mux, logfile, telnet, ...) are "Invalid parameter", not silently
 * ignored.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/error-report.h"
#include "util/help-option.h"
#include "util/qemu-opts.h"            /* get_opt_value() */
#include "chardev/char-fe.h"

/* --- the abstract type ------------------------------------------------- */

Object *get_chardevs_root(void)
{
    return container_get(object_get_root(), "/chardevs");
}

static void char_init(Object *obj)
{
    g_mutex_init(&CHARDEV(obj)->chr_write_lock);
}

static void char_finalize(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    if (chr->be) {
        chr->be->chr = NULL;    /* the frontend is left unconnected */
    }
    g_free(chr->filename);
    g_free(chr->label);
    g_mutex_clear(&chr->chr_write_lock);
}

static const TypeInfo char_type_info = {
    .name = TYPE_CHARDEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Chardev),
    .instance_init = char_init,
    .instance_finalize = char_finalize,
    .abstract = true,
    .class_size = sizeof(ChardevClass),
};

static void char_register_types(void)
{
    type_register_static(&char_type_info);
}

type_init(char_register_types)

/* --- backend side ------------------------------------------------------ */

void qemu_chr_be_event(Chardev *s, QEMUChrEvent event)
{
    CharBackend *be = s->be;

    switch (event) {
    case CHR_EVENT_OPENED:
        s->be_open = true;
        break;
    case CHR_EVENT_CLOSED:
        s->be_open = false;
        break;
    default:
        break;
    }
    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

int qemu_chr_be_can_write(Chardev *s)
{
    CharBackend *be = s->be;

    if (!be || !be->chr_can_read) {
        return 0;
    }
    return be->chr_can_read(be->opaque);
}

void qemu_chr_be_write(Chardev *s, const uint8_t *buf, int len)
{
    CharBackend *be = s->be;

    if (be && be->chr_read) {
        be->chr_read(be->opaque, buf, len);
    }
}

int qemu_chr_write(Chardev *s, const uint8_t *buf, int len, bool write_all)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(s);
    int offset = 0;
    int res = 0;
    int saved_errno = 0;

    if (!cc->chr_write) {
        return len;             /* a backend without output: discard */
    }
    g_mutex_lock(&s->chr_write_lock);
    while (offset < len) {
        res = cc->chr_write(s, buf + offset, len - offset);
        if (res < 0 && errno == EINTR) {
            continue;
        }
        if (res < 0 && errno == EAGAIN && write_all) {
            g_usleep(100);      /* QEMU's back-off for a full channel */
            continue;
        }
        if (res <= 0) {
            saved_errno = errno;
            break;
        }
        offset += res;
        if (!write_all) {
            break;
        }
    }
    g_mutex_unlock(&s->chr_write_lock);
    if (res < 0 && offset == 0) {
        errno = saved_errno;
        return -1;
    }
    return offset;
}

/* --- options ----------------------------------------------------------- */

/* The -chardev options our backends know (QEMU's qemu_chardev_opts,
 * reduced to them). */
static const struct {
    const char *name;
    bool is_bool;
} chardev_opts[] = {
    { "backend", false }, { "id", false }, { "path", false },
    { "host", false }, { "port", false }, { "server", true },
    { "wait", true }, { "append", true }, { "signal", true },
};

/* The value of @name as a string: strings as is, booleans "on"/"off". */
const char *qemu_chr_opt_get(GVariant *opts, const char *name)
{
    g_autoptr(GVariant) v = g_variant_lookup_value(opts, name, NULL);

    if (!v) {
        return NULL;
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
        return g_variant_get_boolean(v) ? "on" : "off";
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        /* A member's data belongs to @opts, so this outlives @v. */
        return g_variant_get_string(v, NULL);
    }
    return NULL;
}

bool qemu_chr_opt_has(GVariant *opts, const char *name)
{
    return qemu_chr_opt_get(opts, name) != NULL;
}

bool qemu_chr_opt_get_bool(GVariant *opts, const char *name, bool defval)
{
    const char *s = qemu_chr_opt_get(opts, name);
    bool value = defval;

    if (s && !qapi_bool_parse(name, s, &value, NULL)) {
        value = defval;
    }
    return value;
}

/* Check every member of @opts against chardev_opts. */
static bool chr_opts_validate(GVariant *opts, Error **errp)
{
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_variant_iter_init(&iter, opts);
    while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
        g_autoptr(GVariant) v = value;
        const char *str;
        size_t i;
        bool b;

        for (i = 0; i < ARRAY_SIZE(chardev_opts); i++) {
            if (!strcmp(chardev_opts[i].name, key)) {
                break;
            }
        }
        if (i == ARRAY_SIZE(chardev_opts)) {
            error_setg(errp, "Invalid parameter '%s'", key);
            return false;
        }
        if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
            if (!chardev_opts[i].is_bool) {
                error_setg(errp, "Invalid parameter type for '%s', "
                           "expected: string", key);
                return false;
            }
            continue;
        }
        if (!g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       key, chardev_opts[i].is_bool ? "boolean" : "string");
            return false;
        }
        str = g_variant_get_string(v, NULL);
        if (chardev_opts[i].is_bool && !qapi_bool_parse(key, str, &b, errp)) {
            return false;
        }
    }
    return true;
}

/* --- creating ---------------------------------------------------------- */

static void help_append(ObjectClass *oc, void *opaque)
{
    /* "chardev-file" -> "file" */
    g_string_append_printf(opaque, "\n  %s",
                           object_class_get_name(oc) + strlen("chardev-"));
}

void qemu_chr_help(GString *out)
{
    g_string_append(out, "Available chardev backend types: ");
    object_class_foreach(help_append, TYPE_CHARDEV, false, out);
    g_string_append_c(out, '\n');
}

/* QEMU's char_get_class(). */
static ObjectClass *char_get_class(const char *driver, Error **errp)
{
    g_autofree char *typename = g_strdup_printf("chardev-%s", driver);
    ObjectClass *oc = object_class_by_name(typename);

    if (!object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc)) {
        /* (QEMU reports abstract ones differently; ours are internal.) */
        error_setg(errp, "'%s' is not a valid char driver name", driver);
        return NULL;
    }
    return oc;
}

static Chardev *chardev_new(const char *id, ObjectClass *oc, GVariant *opts,
                            Error **errp)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);
    Chardev *chr = CHARDEV(object_new_with_class(oc));
    bool be_opened = true;

    chr->label = g_strdup(id);
    if (cc->open && !cc->open(chr, opts, &be_opened, errp)) {
        object_unref(chr);
        return NULL;
    }
    if (!chr->filename) {
        chr->filename = g_strdup(object_class_get_name(oc) +
                                 strlen("chardev-"));
    }
    object_property_add_child(get_chardevs_root(), id, OBJECT(chr));
    object_unref(chr);          /* /chardevs holds it now */
    if (be_opened) {
        qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    }
    return chr;
}

Chardev *qemu_chr_new_from_opts(GVariant *opts, Error **errp)
{
    const char *backend, *id;
    ObjectClass *oc;

    g_return_val_if_fail(g_variant_is_of_type(opts, G_VARIANT_TYPE("a{sv}")),
                         NULL);
    if (!chr_opts_validate(opts, errp)) {
        return NULL;
    }
    backend = qemu_chr_opt_get(opts, "backend");
    id = qemu_chr_opt_get(opts, "id");
    if (backend && is_help_option(backend)) {
        g_autoptr(GString) help = g_string_new(NULL);

        qemu_chr_help(help);
        fputs(help->str, stdout);
        fflush(stdout);
        return NULL;
    }
    if (!id) {
        error_setg(errp, "chardev: no id specified");
        return NULL;
    }
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    oc = char_get_class(backend, errp);
    if (!oc) {
        return NULL;
    }
    if (qemu_chr_find(id)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", id);
        return NULL;
    }
    return chardev_new(id, oc, opts, errp);
}

Chardev *qemu_chr_find(const char *name)
{
    Object *obj = object_resolve_path_component(get_chardevs_root(), name);

    return obj ? (Chardev *)object_dynamic_cast(obj, TYPE_CHARDEV) : NULL;
}

static int chr_unparent_one(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, child);
    return 0;
}

void qemu_chr_cleanup(void)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    /* Collect first: unparenting while iterating the children would
     * change the list under the walk. */
    object_child_foreach(get_chardevs_root(), chr_unparent_one, all);
    for (guint i = 0; i < all->len; i++) {
        object_unparent(g_ptr_array_index(all, i));
    }
}

/* --- the legacy short forms (QEMU's qemu_chr_parse_compat) ------------- */

/*
 * Parse "a=b,flag,noflag,c=d" (",," is a literal comma) into @d, as
 * QemuOpts does: with @implied, a leading bare value is @implied=value;
 * other bare words are deprecated boolean flags.
 */
static void chr_parse_legacy_params(GVariantDict *d, const char *params,
                                    const char *implied)
{
    const char *p = params;
    bool first = true;

    while (*p) {
        g_autofree char *item = NULL;
        const char *eq;

        p = get_opt_value(p, &item);
        if (*p == ',') {
            p++;
        }
        eq = strchr(item, '=');
        if (eq) {
            g_autofree char *name = g_strndup(item, eq - item);

            g_variant_dict_insert(d, name, "s", eq + 1);
        } else if (first && implied) {
            g_variant_dict_insert(d, implied, "s", item);
        } else if (*item) {
            bool no = g_str_has_prefix(item, "no");
            const char *name = no ? item + 2 : item;
            const char *value = no ? "off" : "on";

            warn_report("short-form boolean option '%s' deprecated", item);
            error_printf("Please use %s=%s instead\n", name, value);
            g_variant_dict_insert(d, name, "s", value);
        }
        first = false;
    }
}

/* Fill @d from @filename; false (with @errp) if it is not a known form. */
static bool chr_parse_compat(GVariantDict *d, const char *filename,
                             Error **errp)
{
    char host[65], port[33];
    const char *p;
    int pos = 0;

    if (g_str_has_prefix(filename, "mon:")) {
        error_setg(errp, "'mon:' is not supported: qomu has no chardev "
                   "multiplexer");
        return false;
    }
    if (!strcmp(filename, "null") || !strcmp(filename, "stdio")) {
        g_variant_dict_insert(d, "backend", "s", filename);
        return true;
    }
    if (g_str_has_prefix(filename, "file:")) {
        g_variant_dict_insert(d, "backend", "s", "file");
        g_variant_dict_insert(d, "path", "s", filename + 5);
        return true;
    }
    if (g_str_has_prefix(filename, "tcp:")) {
        p = filename + 4;
        if (sscanf(p, "%64[^:]:%32[^,]%n", host, port, &pos) < 2) {
            host[0] = 0;
            if (sscanf(p, ":%32[^,]%n", port, &pos) < 1) {
                goto fail;
            }
        }
        g_variant_dict_insert(d, "backend", "s", "socket");
        g_variant_dict_insert(d, "host", "s", host);
        g_variant_dict_insert(d, "port", "s", port);
        if (p[pos] == ',') {
            chr_parse_legacy_params(d, p + pos + 1, NULL);
        }
        return true;
    }
    if (g_str_has_prefix(filename, "unix:")) {
        g_variant_dict_insert(d, "backend", "s", "socket");
        chr_parse_legacy_params(d, filename + 5, "path");
        return true;
    }
fail:
    error_setg(errp, "'%s' is not a valid char driver", filename);
    return false;
}

Chardev *qemu_chr_new(const char *label, const char *filename,
                      Error **errp)
{
    g_auto(GVariantDict) d = G_VARIANT_DICT_INIT(NULL);
    g_autoptr(GVariant) opts = NULL;
    const char *p;

    if (g_str_has_prefix(filename, "chardev:")) {
        Chardev *chr;

        p = filename + strlen("chardev:");
        chr = qemu_chr_find(p);
        if (!chr) {
            error_setg(errp, "chardev '%s' not found", p);
        }
        return chr;
    }
    if (!chr_parse_compat(&d, filename, errp)) {
        return NULL;
    }
    g_variant_dict_insert(&d, "id", "s", label);
    opts = g_variant_ref_sink(g_variant_dict_end(&d));
    return qemu_chr_new_from_opts(opts, errp);
}
