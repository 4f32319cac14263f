/*
 * keyval.h - QEMU's KEY=VALUE,... option syntax (util/keyval.c in QEMU 7.2).
 *
 * "virtio-blk-pci,drive=d0,cache.direct=on" parses, with implied key
 * "driver", into the GVariant a{sv}
 *     {'driver': <'virtio-blk-pci'>, 'drive': <'d0'>,
 *      'cache': <{'direct': <'on'>}>}
 * Scalars are strings ('s'): keyval has no numbers or booleans, the
 * consumer converts ("on" -> true) when it knows the property's type.  A
 * dotted key makes a nested a{sv}; numeric fragments ("a.0=x,a.1=y") make
 * a list 'av'.  Members keep the order in which their key first appeared
 * (QEMU's QDict is a hash: we are ordered so output is deterministic); a
 * repeated key keeps its first position and takes the last value.
 * All functions here are pure: any thread may call them.
 */
#ifndef UTIL_KEYVAL_H
#define UTIL_KEYVAL_H

#include "util/osdep.h"
#include "util/error.h"

/**
 * keyval_parse: parse @params in QEMU's KEY=VALUE,... syntax.
 * @params: the text, e.g. "driver=e1000,mac=52:54:00:12:34:56".  A value
 *   may contain a comma written as ",,".  A trailing comma is ignored.
 * @implied_key: if non-NULL, the first parameter may omit "KEY=": it is then
 *   taken as @implied_key=VALUE (the VALUE can't be empty or contain ',' or
 *   '=').  May be dotted ("eins.zwei").  Must itself be a valid key.
 * @help: a parameter "help" or "?" without a value is not stored but is a
 *   help request: *@help is set to whether one was seen (always written on
 *   success).  If @help is NULL, a help request is an error ("Help is not
 *   available for this option").  "driver,help" with implied key "driver"
 *   gives {'driver': 'driver'} and *@help = true.
 * @errp: set on failure, with QEMU's messages verbatim:
 *   "Invalid parameter 'KEY'", "Parameter 'KEY' is too long",
 *   "Parameter fragment 'FRAG' is too long",
 *   "Expected '=' after parameter 'KEY'",
 *   "Parameters 'PREFIX.*' used inconsistently" (both scalar and dict,
 *   or both list index and member name), "Parameter 'LIST.N' missing"
 *   (gap in list indexes), "Help is not available for this option".
 *
 * Keys: each dot-separated fragment is 1..127 characters and is a QAPI name
 * (a letter, then letters, digits, '-' or '_'; optionally prefixed with a
 * downstream "__RFQDN_") or, except for the first fragment, a decimal list
 * index.  List indexes may come in any order but must have no gaps.
 *
 * Returns: a new a{sv} dictionary (a full, non-floating reference the
 * caller releases with g_variant_unref()), or NULL with *@errp set.  Empty
 * @params gives an empty dictionary.
 */
GVariant *keyval_parse(const char *params, const char *implied_key,
                       bool *help, Error **errp);

/*
 * Iterating a dictionary in order is plain GVariant:
 *     GVariantIter iter;
 *     const char *key;
 *     GVariant *value;
 *     g_variant_iter_init(&iter, dict);
 *     while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
 *         if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) ...
 *     }
 */

/**
 * keyval_get: look up a member of a keyval dictionary by dotted path.
 * @dict: an a{sv} dictionary such as keyval_parse() returns (borrowed).
 * @path: "drive", "cache.direct", or "list.1" (a numeric fragment indexes a
 *   list); "" names @dict itself.
 *
 * Returns: a new reference to the value (a string, dictionary or list
 * variant, never a 'v' box) that the caller must g_variant_unref(), or
 * NULL if the path does not exist.
 */
GVariant *keyval_get(GVariant *dict, const char *path);

/**
 * keyval_get_str: look up a string member of a keyval dictionary.
 * @dict: an a{sv} dictionary (borrowed).
 * @path: as for keyval_get().
 *
 * Returns: the string, or NULL if the path does not exist or does not
 * name a string.  The string is owned by @dict and stays valid as long as
 * @dict does (it points into @dict's serialised data).
 */
const char *keyval_get_str(GVariant *dict, const char *path);

#endif /* UTIL_KEYVAL_H */
