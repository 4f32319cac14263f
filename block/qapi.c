/*
 * qapi.c - query-block and `info block` (QEMU 7.2's block/qapi.c
 * bdrv_query_info/bdrv_block_device_info/bdrv_query_image_info and
 * block-hmp-cmds.c print_block_info/hmp_info_block).
 * See include/block/qapi.h.
 *
 * Both are built from one description per backend/node, as in QEMU, so
 * they cannot disagree.  Format-specific data: qcow2's.  Not modelled:
 * throttling figures (always 0), dirty bitmaps, snapshots.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "block/block-int.h"
#include "block/block-backend.h"
#include "block/qapi.h"
#include "block/qcow2.h"

/* qcow2 may not be built (Kconfig): then no image is qcow2 */
#pragma weak qcow2_get_info

/* --- the data ------------------------------------------------------------ */

static void put_str(GVariantBuilder *b, const char *key, const char *value)
{
    g_variant_builder_add(b, "{sv}", key, g_variant_new_string(value));
}

static void put_bool(GVariantBuilder *b, const char *key, bool value)
{
    g_variant_builder_add(b, "{sv}", key, g_variant_new_boolean(value));
}

static void put_int(GVariantBuilder *b, const char *key, int64_t value)
{
    g_variant_builder_add(b, "{sv}", key, g_variant_new_int64(value));
}

/* QEMU's path_combine(): @name relative to the directory of @base */
static char *path_combine(const char *base, const char *name)
{
    const char *slash;

    if (g_path_is_absolute(name) || !(slash = strrchr(base, '/'))) {
        return g_strdup(name);
    }
    return g_strdup_printf("%.*s%s", (int)(slash - base + 1), base, name);
}

/* QEMU's ImageInfo, with the backing chain below it. */
static GVariant *image_info(BlockDriverState *bs)
{
    GVariantBuilder b;
    int64_t actual = bdrv_get_allocated_file_size(bs);
    Qcow2Info qi;
    bool qcow2 = qcow2_get_info && qcow2_get_info(bs, &qi);

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    put_str(&b, "filename", bdrv_get_filename(bs));
    put_str(&b, "format", bdrv_get_format_name(bs));
    put_bool(&b, "dirty-flag", qcow2 && qi.dirty);
    if (actual >= 0) {
        put_int(&b, "actual-size", actual);
    }
    put_int(&b, "virtual-size", bdrv_getlength(bs));
    if (qcow2) {
        GVariantBuilder spec, data;

        put_int(&b, "cluster-size", qi.cluster_size);
        if (qi.backing_file) {
            g_autofree char *full = path_combine(bdrv_get_filename(bs),
                                                 qi.backing_file);

            put_str(&b, "backing-filename", qi.backing_file);
            put_str(&b, "full-backing-filename", full);
            if (qi.backing_fmt) {
                put_str(&b, "backing-filename-format", qi.backing_fmt);
            }
        }
        /* ImageInfoSpecificQCow2 */
        g_variant_builder_init(&data, G_VARIANT_TYPE_VARDICT);
        put_str(&data, "compat", qi.compat);
        if (qi.version >= 3) {
            put_bool(&data, "lazy-refcounts", qi.lazy_refcounts);
            put_bool(&data, "corrupt", qi.corrupt);
            put_bool(&data, "extended-l2", false);
        }
        put_int(&data, "refcount-bits", qi.refcount_bits);
        put_str(&data, "compression-type", "zlib");
        g_variant_builder_init(&spec, G_VARIANT_TYPE_VARDICT);
        put_str(&spec, "type", "qcow2");
        g_variant_builder_add(&spec, "{sv}", "data",
                              g_variant_builder_end(&data));
        g_variant_builder_add(&b, "{sv}", "format-specific",
                              g_variant_builder_end(&spec));
    }
    if (bdrv_backing_bs(bs)) {
        g_variant_builder_add(&b, "{sv}", "backing-image",
                              image_info(bdrv_backing_bs(bs)));
    }
    return g_variant_builder_end(&b);
}

static int backing_depth(BlockDriverState *bs)
{
    int depth = 0;

    for (bs = bdrv_backing_bs(bs); bs; bs = bdrv_backing_bs(bs)) {
        depth++;
    }
    return depth;
}

/* QEMU's BlockDeviceInfo of node @bs, seen through @blk (may be NULL). */
static GVariant *block_device_info(BlockBackend *blk, BlockDriverState *bs)
{
    static const char *const throttle[] = {
        "bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr",
    };
    GVariantBuilder b, cache;
    int flags = bdrv_get_flags(bs);

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    put_str(&b, "file", bdrv_get_filename(bs));
    put_str(&b, "node-name", bdrv_get_node_name(bs));
    put_bool(&b, "ro", bdrv_is_read_only(bs));
    put_str(&b, "drv", bdrv_get_format_name(bs));
    if (bdrv_backing_bs(bs)) {
        /* QEMU's bs->backing_file: the image's own name for it if any */
        Qcow2Info qi;

        put_str(&b, "backing_file",
                qcow2_get_info && qcow2_get_info(bs, &qi) && qi.backing_file
                ? qi.backing_file : bdrv_get_filename(bdrv_backing_bs(bs)));
    }
    put_int(&b, "backing_file_depth", backing_depth(bs));
    put_bool(&b, "encrypted", false);
    put_str(&b, "detect_zeroes",
            detect_zeroes_name(bdrv_get_detect_zeroes(bs)));
    for (size_t i = 0; i < G_N_ELEMENTS(throttle); i++) {
        put_int(&b, throttle[i], 0);
    }
    g_variant_builder_add(&b, "{sv}", "image", image_info(bs));
    g_variant_builder_init(&cache, G_VARIANT_TYPE_VARDICT);
    put_bool(&cache, "writeback", blk ? blk_enable_write_cache(blk) : true);
    put_bool(&cache, "direct", flags & BDRV_O_NOCACHE);
    put_bool(&cache, "no-flush", flags & BDRV_O_NO_FLUSH);
    g_variant_builder_add(&b, "{sv}", "cache",
                          g_variant_builder_end(&cache));
    put_int(&b, "write_threshold", 0);
    return g_variant_builder_end(&b);
}

/* QEMU's BlockInfo of @blk. */
static GVariant *block_info(BlockBackend *blk)
{
    g_autofree char *qdev = blk_get_attached_dev_id(blk);
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    put_str(&b, "device", blk_name(blk));
    if (qdev) {
        put_str(&b, "qdev", qdev);
    }
    put_str(&b, "type", "unknown");
    put_bool(&b, "removable", blk_dev_has_removable_media(blk));
    put_bool(&b, "locked", blk_dev_is_medium_locked(blk));
    if (blk_dev_has_tray(blk)) {
        put_bool(&b, "tray_open", blk_dev_is_tray_open(blk));
    }
    if (blk_iostatus_is_enabled(blk)) {
        put_str(&b, "io-status",
                block_device_io_status_name(blk_iostatus(blk)));
    }
    if (blk_is_inserted(blk)) {
        g_variant_builder_add(&b, "{sv}", "inserted",
                              block_device_info(blk, blk_bs(blk)));
    }
    return g_variant_builder_end(&b);
}

/* The backends query-block lists (QEMU's qmp_query_block loop). */
static GPtrArray *listed_backends(void)
{
    GPtrArray *list = g_ptr_array_new();

    for (BlockBackend *blk = blk_all_next(NULL); blk;
         blk = blk_all_next(blk)) {
        if (*blk_name(blk) || blk_get_attached_dev(blk)) {
            g_ptr_array_add(list, blk);
        }
    }
    return list;
}

GVariant *qmp_query_block(void)
{
    g_autoptr(GPtrArray) list = listed_backends();
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
    for (guint i = 0; i < list->len; i++) {
        g_variant_builder_add_value(&b, block_info(list->pdata[i]));
    }
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* --- the text ------------------------------------------------------------ */

static const char *dict_str(GVariant *dict, const char *key)
{
    const char *s = NULL;

    g_variant_lookup(dict, key, "&s", &s);
    return s;
}

static bool dict_bool(GVariant *dict, const char *key)
{
    gboolean v = FALSE;

    g_variant_lookup(dict, key, "b", &v);
    return v;
}

static int64_t dict_int(GVariant *dict, const char *key)
{
    gint64 v = 0;

    g_variant_lookup(dict, key, "x", &v);
    return v;
}

/* QEMU's bdrv_image_info_dump() for a raw-like image ("disk size:
 * unavailable" when the driver cannot tell, as blkdebug). */
static void image_info_dump(GString *out, GVariant *image)
{
    g_autofree char *vsize = size_to_str(dict_int(image, "virtual-size"));
    g_autofree char *dsize = NULL;
    gint64 actual;

    if (g_variant_lookup(image, "actual-size", "x", &actual)) {
        dsize = size_to_str(actual);
    }
    g_string_append_printf(out, "image: %s\nfile format: %s\n"
                           "virtual size: %s (%" PRId64 " bytes)\n"
                           "disk size: %s\n",
                           dict_str(image, "filename"),
                           dict_str(image, "format"), vsize,
                           dict_int(image, "virtual-size"),
                           dsize ? dsize : "unavailable");
    if (g_variant_lookup(image, "cluster-size", "x", &actual)) {
        g_string_append_printf(out, "cluster_size: %" PRId64 "\n", actual);
    }
    if (dict_bool(image, "dirty-flag")) {
        g_string_append(out, "cleanly shut down: no\n");
    }
    if (dict_str(image, "backing-filename")) {
        const char *bf = dict_str(image, "backing-filename");
        const char *full = dict_str(image, "full-backing-filename");

        g_string_append_printf(out, "backing file: %s", bf);
        if (!full) {
            g_string_append(out, " (cannot determine actual path)");
        } else if (strcmp(bf, full)) {
            g_string_append_printf(out, " (actual path: %s)", full);
        }
        g_string_append(out, "\n");
        if (dict_str(image, "backing-filename-format")) {
            g_string_append_printf(out, "backing file format: %s\n",
                                   dict_str(image,
                                            "backing-filename-format"));
        }
    }
    {
        g_autoptr(GVariant) spec = g_variant_lookup_value(
            image, "format-specific", G_VARIANT_TYPE_VARDICT);
        g_autoptr(GVariant) data = spec ? g_variant_lookup_value(
            spec, "data", G_VARIANT_TYPE_VARDICT) : NULL;
        /* QEMU's dump_qdict() walks its hash order: this one */
        static const char *const order[] = {
            "compat", "compression-type", "lazy-refcounts", "refcount-bits",
            "corrupt", "extended-l2",
        };

        if (!data) {
            return;
        }
        g_string_append(out, "Format specific information:\n");
        for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
            g_autoptr(GVariant) v = g_variant_lookup_value(data, order[i],
                                                           NULL);
            g_autofree char *key = g_strdup(order[i]);

            if (!v) {
                continue;
            }
            g_strdelimit(key, "-", ' ');
            if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
                g_string_append_printf(out, "    %s: %s\n", key,
                                       g_variant_get_boolean(v) ? "true"
                                                                : "false");
            } else if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
                g_string_append_printf(out, "    %s: %" PRId64 "\n", key,
                                       g_variant_get_int64(v));
            } else {
                g_string_append_printf(out, "    %s: %s\n", key,
                                       g_variant_get_string(v, NULL));
            }
        }
    }
}

/* QEMU's print_block_info(): @info a BlockInfo or NULL, @inserted a
 * BlockDeviceInfo or NULL. */
static void print_block_info(GString *out, GVariant *info,
                             GVariant *inserted, bool verbose)
{
    const char *device = info ? dict_str(info, "device") : NULL;

    if (device && *device) {
        g_string_append(out, device);
        if (inserted && dict_str(inserted, "node-name")) {
            g_string_append_printf(out, " (%s)",
                                   dict_str(inserted, "node-name"));
        }
    } else {
        g_string_append(out, inserted && dict_str(inserted, "node-name")
                        ? dict_str(inserted, "node-name")
                        : info && dict_str(info, "qdev")
                        ? dict_str(info, "qdev") : "<anonymous>");
    }
    if (inserted) {
        g_string_append_printf(out, ": %s (%s%s%s)\n",
                               dict_str(inserted, "file"),
                               dict_str(inserted, "drv"),
                               dict_bool(inserted, "ro") ? ", read-only" : "",
                               dict_bool(inserted, "encrypted")
                               ? ", encrypted" : "");
    } else {
        g_string_append(out, ": [not inserted]\n");
    }

    if (info) {
        const char *io_status = dict_str(info, "io-status");

        if (dict_str(info, "qdev")) {
            g_string_append_printf(out, "    Attached to:      %s\n",
                                   dict_str(info, "qdev"));
        }
        if (io_status && strcmp(io_status, "ok")) {
            g_string_append_printf(out, "    I/O status:       %s\n",
                                   io_status);
        }
        if (dict_bool(info, "removable")) {
            g_string_append_printf(out, "    Removable device: %slocked, "
                                   "tray %s\n",
                                   dict_bool(info, "locked") ? "" : "not ",
                                   dict_bool(info, "tray_open") ? "open"
                                                                : "closed");
        }
    }
    if (!inserted) {
        return;
    }

    {
        g_autoptr(GVariant) cache = g_variant_lookup_value(
            inserted, "cache", G_VARIANT_TYPE_VARDICT);

        g_string_append_printf(out, "    Cache mode:       %s%s%s\n",
                               dict_bool(cache, "writeback") ? "writeback"
                                                             : "writethrough",
                               dict_bool(cache, "direct") ? ", direct" : "",
                               dict_bool(cache, "no-flush")
                               ? ", ignore flushes" : "");
    }
    if (dict_str(inserted, "backing_file")) {
        g_string_append_printf(out, "    Backing file:     %s "
                               "(chain depth: %" PRId64 ")\n",
                               dict_str(inserted, "backing_file"),
                               dict_int(inserted, "backing_file_depth"));
    }
    if (strcmp(dict_str(inserted, "detect_zeroes"), "off")) {
        g_string_append_printf(out, "    Detect zeroes:    %s\n",
                               dict_str(inserted, "detect_zeroes"));
    }
    if (verbose) {
        g_autoptr(GVariant) image = g_variant_lookup_value(
            inserted, "image", G_VARIANT_TYPE_VARDICT);

        g_string_append(out, "\nImages:\n");
        while (image) {
            GVariant *backing = g_variant_lookup_value(
                image, "backing-image", G_VARIANT_TYPE_VARDICT);

            image_info_dump(out, image);
            g_variant_unref(image);
            image = backing;
        }
    }
}

void hmp_info_block(GString *out, const char *device, bool verbose,
                    bool nodes)
{
    bool printed = false;

    if (!nodes) {
        g_autoptr(GPtrArray) list = listed_backends();

        for (guint i = 0; i < list->len; i++) {
            BlockBackend *blk = list->pdata[i];
            g_autoptr(GVariant) info = NULL;
            g_autoptr(GVariant) inserted = NULL;

            if (device && strcmp(device, blk_name(blk))) {
                continue;
            }
            /* QEMU separates from the first listed, printed or not */
            if (i != 0) {
                g_string_append(out, "\n");
            }
            info = g_variant_ref_sink(block_info(blk));
            inserted = g_variant_lookup_value(info, "inserted",
                                              G_VARIANT_TYPE_VARDICT);
            print_block_info(out, info, inserted, verbose);
            printed = true;
        }
    }
    if ((!device && !nodes) || printed) {
        return;
    }

    /* The nodes, newest first (QEMU builds the list by prepending) */
    {
        GList *named = bdrv_named_nodes();
        GList *last = g_list_last(named);

        for (GList *l = last; l; l = l->prev) {
            BlockDriverState *bs = l->data;
            g_autoptr(GVariant) inserted = NULL;

            if (device && strcmp(device, bdrv_get_node_name(bs))) {
                continue;
            }
            if (l != last) {
                g_string_append(out, "\n");
            }
            inserted = g_variant_ref_sink(block_device_info(NULL, bs));
            print_block_info(out, NULL, inserted, verbose);
        }
        g_list_free(named);
    }
}
