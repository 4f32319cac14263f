/*
 * id.h - user-given identifiers (QEMU 7.2's include/qemu/id.h): the ids
 * of -device, -chardev, -global ... (QemuOpts) and block node names.
 *
 * Threads: any (no state).
 */
#ifndef UTIL_ID_H
#define UTIL_ID_H

#include "util/osdep.h"

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static inline bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

#endif /* UTIL_ID_H */
