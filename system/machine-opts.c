/*
 * machine-opts.c - QEMU's machine_opts_dict: the one keyval dictionary
 * that -machine/-M, -smp, -m, -kernel/-initrd/-append, -nographic and
 * -enable-kvm all write into, merged in command-line order as QEMU's
 * keyval_parse_into() and keyval_merge() do (util/keyval.c in QEMU 7.2;
 * qomu's util/keyval.c parses but does not merge).  The dictionary is
 * an immutable GVariant, so each change builds a new one: a command line
 * has a handful of options, so this costs nothing.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "machine-opts.h"

typedef enum { KV_STRING, KV_DICT, KV_LIST } KvKind;

static KvKind kv_kind(GVariant *v)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARDICT)) {
        return KV_DICT;
    }
    return g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ? KV_STRING
                                                          : KV_LIST;
}

/*
 * Merge @src into @dest (both a{sv}); a new a{sv}.  Keys keep their first
 * position; sub-dictionaries merge, scalars (and lists) are replaced.
 * A key that is a dictionary on one side and not on the other fails:
 * with @parse_into, as QEMU's keyval_parse_into() says it ("Parameters
 * 'PATH.*' used inconsistently"), else as keyval_merge() ("Parameter
 * 'PATH' used inconsistently").
 */
static GVariant *kv_merge(GVariant *dest, GVariant *src, const char *path,
                          bool parse_into, Error **errp);

/* One member of @dest merged with @src's (@other, may be NULL) into @b. */
static bool kv_merge_member(GVariantBuilder *b, const char *key,
                            GVariant *value, GVariant *other,
                            const char *path, bool parse_into, Error **errp)
{
    g_autofree char *sub = g_strdup_printf("%s%s", path, key);
    g_autofree char *subpath = NULL;
    g_autoptr(GVariant) merged = NULL;

    if (!other) {
        g_variant_builder_add(b, "{sv}", key, value);
        return true;
    }
    if (kv_kind(other) != kv_kind(value)) {
        if (parse_into) {
            error_setg(errp, "Parameters '%s.*' used inconsistently", sub);
        } else {
            error_setg(errp, "Parameter '%s' used inconsistently", sub);
        }
        return false;
    }
    if (kv_kind(other) != KV_DICT) {
        /* Scalars: the new value wins.  (QEMU appends lists; no option
         * qomu has takes one.) */
        g_variant_builder_add(b, "{sv}", key, other);
        return true;
    }
    subpath = g_strdup_printf("%s.", sub);
    merged = kv_merge(value, other, subpath, parse_into, errp);
    if (!merged) {
        return false;
    }
    g_variant_builder_add(b, "{sv}", key, merged);
    return true;
}

static GVariant *kv_merge(GVariant *dest, GVariant *src, const char *path,
                          bool parse_into, Error **errp)
{
    GVariantBuilder b;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, dest);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        g_autoptr(GVariant) other = g_variant_lookup_value(src, key, NULL);

        if (!kv_merge_member(&b, key, value, other, path, parse_into,
                             errp)) {
            g_variant_unref(value);
            g_variant_builder_clear(&b);
            return NULL;
        }
    }
    g_variant_iter_init(&iter, src);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        g_autoptr(GVariant) old = g_variant_lookup_value(dest, key, NULL);

        if (!old) {
            g_variant_builder_add(&b, "{sv}", key, value);
        }
    }
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

bool machine_opts_merge(QomuOptions *o, GVariant *src,
                               bool parse_into)
{
    Error *err = NULL;
    GVariant *merged = kv_merge(o->machine_opts, src, "", parse_into, &err);

    g_variant_unref(src);
    if (!merged) {
        error_report_err(err);
        return false;
    }
    g_variant_unref(o->machine_opts);
    o->machine_opts = merged;
    return true;
}

void machine_opts_put_str(QomuOptions *o, const char *key,
                                 const char *value)
{
    GVariantBuilder b;
    GVariantIter iter;
    const char *k;
    GVariant *v;
    bool put = false;

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, o->machine_opts);
    while (g_variant_iter_loop(&iter, "{&sv}", &k, &v)) {
        if (!strcmp(k, key)) {
            g_variant_builder_add(&b, "{sv}", k, g_variant_new_string(value));
            put = true;
        } else {
            g_variant_builder_add(&b, "{sv}", k, v);
        }
    }
    if (!put) {
        g_variant_builder_add(&b, "{sv}", key, g_variant_new_string(value));
    }
    g_variant_unref(o->machine_opts);
    o->machine_opts = g_variant_ref_sink(g_variant_builder_end(&b));
}

GVariant *kv_wrap(const char *name, GVariant *prop)
{
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add(&b, "{sv}", name, prop);
    g_variant_unref(prop);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}
