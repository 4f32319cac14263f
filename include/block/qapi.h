/*
 * qapi.h - what the monitor shows about block devices: query-block's
 * data and `info block`'s text (QEMU 7.2's block/qapi.c and
 * block/monitor/block-hmp-cmds.c).
 *
 * The monitor owns the commands; it calls these and converts the
 * GVariant to JSON (a{sv} -> object, av/aa{sv} -> array, s -> string,
 * b -> bool, x -> number).
 * Threads: main thread, big lock.
 */
#ifndef BLOCK_QAPI_H
#define BLOCK_QAPI_H

#include "util/osdep.h"

/*
 * qmp_query_block: one BlockInfo per named BlockBackend (and per unnamed
 * one a device uses), in creation order, with QEMU's members: "device",
 * "qdev" (if attached), "type" ("unknown"), "removable", "locked",
 * "tray_open" (devices with a tray), "io-status" (when enabled),
 * "inserted" (when a medium is in: "file", "node-name", "ro", "drv",
 * "backing_file", "backing_file_depth", "encrypted", "detect_zeroes",
 * "bps"... "iops_wr" (all 0: no throttling), "cache" {"writeback",
 * "direct", "no-flush"}, "write_threshold", "image" {"filename",
 * "format", "virtual-size", "actual-size", "dirty-flag",
 * "backing-image"...}).
 * Returns a new reference to an aa{sv}.
 */
GVariant *qmp_query_block(void);

/*
 * hmp_info_block: append `info block [-n] [-v] [device]` to @out,
 * exactly as QEMU 7.2 prints it ("\n" line ends; the monitor adds its
 * own "\r").
 * @device: only the backend (or, failing that, node) of that name; NULL
 *   for all.
 * @verbose: -v, add each image's details ("Images:").
 * @nodes: -n, list the nodes instead of the backends.
 */
void hmp_info_block(GString *out, const char *device, bool verbose,
                    bool nodes);

#endif /* BLOCK_QAPI_H */
