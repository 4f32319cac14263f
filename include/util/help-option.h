/*
 * help-option.h - recognising and printing option help (QEMU 7.2's
 * include/qemu/help_option.h, and the sorted listing that
 * qemu_opts_print_help() in util/qemu-option.c and
 * type_print_class_properties() in qom/object_interfaces.c print).
 *
 * A help request is the parameter "help" or "?": QemuOpts and chardev
 * backends compare the whole parameter (is_help_option), keyval its
 * leading key (starts_with_help_option).
 *
 * Threads: any (no state).
 */
#ifndef UTIL_HELP_OPTION_H
#define UTIL_HELP_OPTION_H

#include "util/osdep.h"

/* True if @s is exactly "help" or "?". */
static inline bool is_help_option(const char *s)
{
    return !strcmp(s, "?") || !strcmp(s, "help");
}

/* The length of a leading "?" (1) or "help" (4) in @s, else 0. */
static inline size_t starts_with_help_option(const char *s)
{
    if (*s == '?') {
        return 1;
    }
    if (g_str_has_prefix(s, "help")) {
        return 4;
    }
    return 0;
}

/**
 * help_print_sorted: sort @lines (char *, owned by the array) as QEMU's
 * qemu_pstrcmp0 does and append to @out "CAPTION options:\n" and one line
 * each, or "There are no options for CAPTION.\n" if @lines is empty.
 */
void help_print_sorted(GString *out, const char *caption, GPtrArray *lines);

#endif /* UTIL_HELP_OPTION_H */
