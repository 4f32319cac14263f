/*
 * hmp.h - the human monitor: commands, their argument syntax, and the
 * text formats of the "info" commands (QEMU 7.2's monitor/hmp.c,
 * hmp-commands.hx, hmp-commands-info.hx).
 *
 * A command is one HmpCommand table entry plus a handler, as in QEMU's
 * .hx files:
 *
 *   { .name = "qom-get", .args_type = "path:s,property:s",
 *     .params = "path property", .help = "print QOM property",
 *     .cmd = hmp_qom_get },
 *
 * args_type is QEMU's little language, the subset qomu's commands use:
 *   NAME:s   one word, or a "quoted string" with \n \r \\ \' \" escapes
 *   NAME:B   a block device name: the same as s
 *   NAME:S   the rest of the line
 *   NAME:O   the rest of the line as -device style options (driver=...)
 *   NAME:-X  a flag "-X" (true when given)
 *   a '?' after the type makes the argument optional.
 * Errors are QEMU's ("qom-get: string expected", "mtree: unsupported
 * option -x", "... extraneous characters at the end of line", each
 * followed by 'Try "help qom-get" for more information').
 * Parsed arguments reach the handler as an a{sv}: strings "s", flags
 * "b"; an optional argument that was not given is absent.
 *
 * Threads: main thread, big lock held.
 */
#ifndef MONITOR_HMP_H
#define MONITOR_HMP_H

#include "qom/object.h"
#include "monitor/monitor.h"

typedef struct HmpCommand HmpCommand;

struct HmpCommand {
    const char *name;           /* "stop|s": aliases after '|' */
    const char *args_type;      /* see above; "" for none */
    const char *params;         /* for help: "path property" */
    const char *help;           /* for help: one line */
    void (*cmd)(Monitor *mon, GVariant *args);
    const HmpCommand *sub_table;    /* "info": its subcommands (NULL-named
                                     * entry ends the table) */
};

/* qomu's commands and "info" subcommands, sorted by name, each table
 * ending with an entry whose name is NULL (monitor/hmp-commands.c). */
extern const HmpCommand hmp_cmds[];
extern const HmpCommand hmp_info_cmds[];

/**
 * hmp_handle_command: parse and run one command line on @mon, as QEMU's
 * handle_hmp_command(): output (and error_report() of the command) goes
 * to @mon.
 */
void hmp_handle_command(Monitor *mon, const char *cmdline);

/**
 * hmp_run_capture: run @cmdline in a temporary monitor and return what
 * it printed (g_free), as QMP's human-monitor-command does; "\n" is
 * "\r\n" there, as in QEMU.  @cpu_index < 0 keeps the default CPU.
 */
char *hmp_run_capture(const char *cmdline, int cpu_index);

/* Helpers for handlers: print "Error: MSG\n" for @err (consumed), as
 * QEMU's hmp_handle_error(); no-op for NULL. */
void hmp_handle_error(Monitor *mon, Error *err);
/* Argument @name (borrowed), or NULL if absent. */
const char *hmp_arg_str(GVariant *args, const char *name);
bool hmp_arg_flag(GVariant *args, const char *name);

/* --- the formatters behind the info commands (also for tests) --- */

/* `info qtree`: the device tree from the main system bus. */
void hmp_format_qtree(GString *out);
/* `info qom-tree [path]`: the composition tree below @obj. */
void hmp_format_qom_tree(GString *out, Object *obj);

#endif /* MONITOR_HMP_H */
