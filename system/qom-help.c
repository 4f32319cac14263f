/*
 * qom-help.c - property help text for `-machine NAME,help` and
 * `-device DRIVER,help` (see include/system/qom-help.h).
 * The layout is QEMU 7.2's, so scripts that scrape it keep working.
 */
#include "util/osdep.h"
#include "system/qom-help.h"

/* A string as a JSON string literal (QEMU's qobject_to_json). */
static void json_append_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;

        switch (c) {
        case '"':  g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x20) {
                g_string_append_printf(out, "\\u%04X", c);
            } else {
                g_string_append_c(out, c);
            }
        }
    }
    g_string_append_c(out, '"');
}

/* A scalar default as JSON; anything else in GVariant text form. */
static void json_append_value(GString *out, GVariant *v)
{
    switch (g_variant_classify(v)) {
    case G_VARIANT_CLASS_BOOLEAN:
        g_string_append(out, g_variant_get_boolean(v) ? "true" : "false");
        break;
    case G_VARIANT_CLASS_BYTE:
        g_string_append_printf(out, "%u", g_variant_get_byte(v));
        break;
    case G_VARIANT_CLASS_INT16:
        g_string_append_printf(out, "%d", g_variant_get_int16(v));
        break;
    case G_VARIANT_CLASS_UINT16:
        g_string_append_printf(out, "%u", g_variant_get_uint16(v));
        break;
    case G_VARIANT_CLASS_INT32:
        g_string_append_printf(out, "%" PRId32, g_variant_get_int32(v));
        break;
    case G_VARIANT_CLASS_UINT32:
        g_string_append_printf(out, "%" PRIu32, g_variant_get_uint32(v));
        break;
    case G_VARIANT_CLASS_INT64:
        g_string_append_printf(out, "%" PRId64, g_variant_get_int64(v));
        break;
    case G_VARIANT_CLASS_UINT64:
        g_string_append_printf(out, "%" PRIu64, g_variant_get_uint64(v));
        break;
    case G_VARIANT_CLASS_STRING:
        json_append_string(out, g_variant_get_string(v, NULL));
        break;
    default: {
        g_autofree char *text = g_variant_print(v, false);

        g_string_append(out, text);
    }
    }
}

char *object_property_help(const char *name, const char *type,
                           GVariant *defval, const char *description)
{
    GString *str = g_string_new(NULL);

    g_string_append_printf(str, "  %s=<%s>", name, type);
    if (description || defval) {
        if (str->len < 24) {
            g_string_append_printf(str, "%*s", 24 - (int)str->len, "");
        }
        g_string_append(str, " - ");
    }
    if (description) {
        g_string_append(str, description);
    }
    if (defval) {
        g_string_append(str, " (default: ");
        json_append_value(str, defval);
        g_string_append_c(str, ')');
    }
    return g_string_free(str, false);
}

bool type_print_class_properties(GString *out, const char *typename)
{
    ObjectClass *klass = object_class_by_name(typename);
    g_autoptr(GPtrArray) lines = NULL;
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    if (!klass) {
        return false;
    }
    lines = g_ptr_array_new_with_free_func(g_free);
    object_class_property_iter_init(&iter, klass);
    while ((prop = object_property_iter_next(&iter))) {
        if (!prop->set) {
            continue;           /* read-only: nothing a user can set */
        }
        g_ptr_array_add(lines, object_property_help(prop->name, prop->type,
                                                    prop->defval,
                                                    prop->description));
    }
    help_print_sorted(out, typename, lines);
    return true;
}
