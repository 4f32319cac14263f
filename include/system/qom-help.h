/*
 * qom-help.h - the text of `-machine NAME,help` and `-device DRIVER,help`:
 * one "  name=<type> - description (default: x)" line per property,
 * sorted, after a "TYPE options:" caption (QEMU 7.2's
 * object_property_help() and type_print_class_properties() in
 * qom/object_interfaces.c).  The sorted listing itself, shared with
 * QemuOpts `...,help`, is help_print_sorted() in util/help-option.h.
 *
 * Threads: main thread only (reads classes).
 */
#ifndef SYSTEM_QOM_HELP_H
#define SYSTEM_QOM_HELP_H

#include "qom/object.h"
#include "util/help-option.h"     /* help_print_sorted() */

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
 * type_print_class_properties: the help of every settable class property
 * of @typename and its parents (QEMU's function of that name), appended
 * to @out.  Returns false (nothing appended) if there is no such type.
 */
bool type_print_class_properties(GString *out, const char *typename);

#endif /* SYSTEM_QOM_HELP_H */
