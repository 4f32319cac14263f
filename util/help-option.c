/*
 * help-option.c - the sorted "CAPTION options:" listing shared by
 * QemuOpts and QOM property help (see include/util/help-option.h).
 */
#include "util/osdep.h"
#include "util/help-option.h"

static gint pstrcmp(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

void help_print_sorted(GString *out, const char *caption, GPtrArray *lines)
{
    g_ptr_array_sort(lines, pstrcmp);
    if (lines->len > 0) {
        g_string_append_printf(out, "%s options:\n", caption);
    } else {
        g_string_append_printf(out, "There are no options for %s.\n",
                               caption);
    }
    for (guint i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n", (char *)lines->pdata[i]);
    }
}
