/*
 * qom-help.h - the text of `-machine NAME,help`, `-device DRIVER,help`
 * and QemuOpts `...,help`: one "  name=<type> - description (default: x)"
 * line per property, sorted, after a "TYPE options:" caption (QEMU 7.2's
 * object_property_help() and type_print_class_properties() in
 * qom/object_interfaces.c, qemu_opts_print_help() in util/qemu-option.c).
 *
 * Threads: main thread only (reads classes).
 */
#ifndef SYSTEM_QOM_HELP_H
#define SYSTEM_QOM_HELP_H

#include "qom/object.h"

/**
 * object_property_help: one help line, without newline:
 * "  NAME=<TYPE>", then, if there is a description or default, padding
 * to column 24 and " - DESCRIPTION (default: JSON)".  @defval (borrowed,
 * may be NULL) prints as QEMU's JSON: true, 1281, "str".
 * Returns a string the caller g_free()s.
 */
char *object_property_help(const char *name, const char *type,
                           GVariant *defval, const char *description);

/**
 * help_print_sorted: sort @lines (char *, owned by the array) as QEMU's
 * qemu_pstrcmp0 does and append to @out "CAPTION options:\n" and one line
 * each, or "There are no options for CAPTION.\n" if @lines is empty.
 */
void help_print_sorted(GString *out, const char *caption, GPtrArray *lines);

/**
 * type_print_class_properties: the help of every settable class property
 * of @typename and its parents (QEMU's function of that name), appended
 * to @out.  Returns false (nothing appended) if there is no such type.
 */
bool type_print_class_properties(GString *out, const char *typename);

#endif /* SYSTEM_QOM_HELP_H */
