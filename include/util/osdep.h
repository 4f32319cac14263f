/*
 * osdep.h - the first include of every qomu source file.
 *
 * Pulls in the C library and GLib so that no file has to repeat the same
 * dozen includes, and defines the few helper macros everything uses.
 */
#ifndef UTIL_OSDEP_H
#define UTIL_OSDEP_H

/* Linux-only code: gettid(), pthread_setname_np(), O_DIRECT, memfd... */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#ifndef container_of
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define QOMU_NORETURN __attribute__((noreturn))
#define QOMU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define QOMU_UNUSED __attribute__((unused))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* UTIL_OSDEP_H */
