/*
 * qemu-opts.h - QEMU's older option syntax, QemuOpts (util/qemu-option.c
 * in QEMU 7.2), for the options that still use it there: -m, -name,
 * -accel, -device, -chardev, -msg, -global.
 *
 * "isa-debug-exit,iobase=0xf4,id=x" with implied name "driver" gives the
 * options driver=isa-debug-exit, iobase=0xf4, and the id "x".  Unlike
 * keyval (util/keyval.h): keys are not checked as QAPI names, "key" alone
 * is a deprecated short-form boolean (key=on, "nokey" key=off, with
 * QEMU's warning), values are typed by the list's descriptions (or all
 * strings when the list has none), lists may merge repeated options into
 * one (-m 1G -m slots=2), and each option remembers where on the command
 * line it came from, for later error messages.
 *
 * Messages are QEMU's: "Invalid parameter 'K'", "Parameter 'id' expects
 * an identifier" (+ hint), "Duplicate ID 'X' for LIST", and the typed
 * values' (util/cutils.h: qapi_bool_parse, parse_option_number,
 * parse_option_size).
 *
 * Not modelled: -set, -readconfig, qemu_opts_from_qdict.
 * Threads: main thread only.
 */
#ifndef UTIL_QEMU_OPTS_H
#define UTIL_QEMU_OPTS_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"

typedef enum QemuOptType {
    QEMU_OPT_STRING = 0,        /* no parsing, the text as is */
    QEMU_OPT_BOOL,              /* on/off, yes/no, true/false, y/n */
    QEMU_OPT_NUMBER,            /* a 64-bit number, any base */
    QEMU_OPT_SIZE,              /* a size with optional k/M/G/... suffix */
} QemuOptType;

typedef struct QemuOptDesc {
    const char *name;
    QemuOptType type;
    const char *help;           /* for "...,help"; may be NULL */
} QemuOptDesc;

typedef struct QemuOpts QemuOpts;

/*
 * QemuOptsList: one kind of option (-m is "memory", -device "device").
 * @desc is terminated by an entry with a NULL name; NULL accepts any
 * name with a string value (the consumer validates later).
 * @head: the parsed QemuOpts *, in command-line order (state: zero it
 * with QEMU_OPTS_LIST_INIT or qemu_opts_reset).
 */
typedef struct QemuOptsList {
    const char *name;
    const char *implied_opt_name;   /* key of a leading "value" */
    bool merge_lists;           /* one QemuOpts for all occurrences */
    const QemuOptDesc *desc;
    GQueue head;
} QemuOptsList;

/**
 * get_opt_value: QEMU's function of that name: copy the value at @p up to
 * the first single ',' (",," is a literal comma) into *@value (g_free
 * it).  Returns a pointer to that ',' or to the terminating NUL.
 */
const char *get_opt_value(const char *p, char **value);

/**
 * qemu_opts_parse_noisily: parse @params into a new (or, for merge_lists,
 * the existing) QemuOpts of @list, as QEMU's function of that name.
 * @permit_abbrev: the first parameter may omit "implied_opt_name=".
 * The current error location (the option being parsed) is saved in the
 * result.  On a syntax error, prints it (error_report_err) and returns
 * NULL; on "help" (lists with descriptions), prints the help to stdout
 * and returns NULL.  Either way QEMU then exits with status 1.
 * Returns the options, owned by @list.
 */
QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev);

/**
 * qemu_opts_parse: as qemu_opts_parse_noisily, but a syntax error is
 * returned in @errp (NULL result) instead of printed, and "help" is no
 * help request: a bare "help" is an ordinary flag parameter (help=on),
 * rejected as usual by lists that do not describe it.  Deviation: short
 * forms like "key" still warn, as with qemu_opts_parse_noisily (QEMU's
 * qemu_opts_parse does not; its callers do not see user input).
 */
QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp);

/**
 * qemu_opts_create: a new, empty QemuOpts of @list with id @id (may be
 * NULL), remembering the current location; for merge_lists lists, the
 * existing one.  Errors as when parsing: a malformed or duplicate id.
 * Returns the options, owned by @list, or NULL with @errp set.
 */
QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           Error **errp);

/* Append @name=@value (copied) to @opts; it must be valid for @list
 * (a bug otherwise). */
void qemu_opt_set(QemuOpts *opts, const char *name, const char *value);

/* The last value given for @name, or NULL.  Borrowed (valid while @opts
 * lives). */
const char *qemu_opt_get(QemuOpts *opts, const char *name);
/* Typed getters: @defval if @name is absent.  The value was validated
 * when parsed, for names the list describes. */
bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval);
uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval);
uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval);
/* The id= given, or NULL. */
const char *qemu_opts_id(QemuOpts *opts);
/* True if a "help" or "?" parameter was given (lists without desc). */
bool qemu_opt_has_help_opt(QemuOpts *opts);

/* Iterate the parameters of @opts in order, with repeats: return false
 * from @fn to stop.  Returns false if @fn did. */
bool qemu_opt_foreach(QemuOpts *opts,
                      bool (*fn)(void *opaque, const char *name,
                                 const char *value),
                      void *opaque);

/**
 * qemu_opts_to_keyval: the options as a keyval-style a{sv} of strings,
 * "id" included (QEMU's qemu_opts_to_qdict): a repeated name keeps its
 * first position and takes its last value.  Returns a new reference.
 */
GVariant *qemu_opts_to_keyval(QemuOpts *opts);

/* Make the location @opts was parsed at the current one (QEMU's
 * qemu_opts_loc_restore); typically between loc_push_none / loc_pop. */
void qemu_opts_loc_restore(QemuOpts *opts);

/* The only QemuOpts of @list, or NULL (for merge_lists lists). */
QemuOpts *qemu_opts_find_first(QemuOptsList *list);

/* Print "LIST options:" and the sorted descriptions to stdout (QEMU's
 * qemu_opts_print_help with print_caption). */
void qemu_opts_print_help(QemuOptsList *list);

/* Remove @opts from its list and free it. */
void qemu_opts_del(QemuOpts *opts);

/* Delete every QemuOpts of @list. */
void qemu_opts_reset(QemuOptsList *list);

#endif /* UTIL_QEMU_OPTS_H */
