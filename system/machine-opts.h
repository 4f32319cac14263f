/*
 * machine-opts.h - merging options into the machine's keyval dictionary
 * (system/ private; see machine-opts.c).  Main thread only.
 */
#ifndef SYSTEM_MACHINE_OPTS_H
#define SYSTEM_MACHINE_OPTS_H

#include "system/options.h"

/*
 * machine_opts_merge: replace o->machine_opts by its merge with @src (an
 * a{sv}; the reference is consumed): keys keep their first position,
 * sub-dictionaries merge, scalars are replaced.  A key that is a
 * dictionary on one side only is reported, with @parse_into as QEMU's
 * keyval_parse_into() says it ("Parameters 'PATH.*' used
 * inconsistently": -machine), else as keyval_merge() ("Parameter 'PATH'
 * used inconsistently": -smp, -m); false is then returned.
 */
bool machine_opts_merge(QomuOptions *o, GVariant *src, bool parse_into);

/* QEMU's qdict_put_str(machine_opts_dict, @key, @value): set or replace
 * a top-level string. */
void machine_opts_put_str(QomuOptions *o, const char *key,
                          const char *value);

/* { @name: @prop } (consumes @prop; a new reference). */
GVariant *kv_wrap(const char *name, GVariant *prop);

#endif /* SYSTEM_MACHINE_OPTS_H */
