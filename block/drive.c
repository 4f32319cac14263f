/*
 * drive.c - -drive and friends: QEMU 7.2's drive_new() and
 * blockdev_init() (blockdev.c) and configure_blockdev() (vl.c).
 * See include/block/drive.h.
 *
 * The steps, in QEMU's order (the order decides which message a command
 * line with several mistakes gets):
 *  1. "readonly" is renamed "read-only"; cache= becomes cache.writeback/
 *     direct/no-flush (the specific options win);
 *  2. the legacy keys (bus, unit, index, media, if, file, read-only,
 *     rerror, werror, copy-on-read) are taken and type-checked;
 *  3. media, if, bus/unit/index, the generated id, virtio's -device,
 *     werror/rerror against the interface;
 *  4. blockdev_init: the common keys (snapshot, aio, cache.writeback,
 *     format, ...); an empty drive if nothing else is left, else the
 *     image is opened with the rest as node options;
 *  5. the name, the DriveInfo.
 *
 * Not modelled: throttling (iops=, bps=, throttling.*: rejected as
 * unknown options), stats-intervals, cyls/heads/secs/trans (removed
 * before 7.2 anyway), if=floppy/sd default drives.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/error-report.h"
#include "block/block-int.h"
#include "block/drive.h"

static const char *const if_names[IF_COUNT] = {
    [IF_NONE] = "none",
    [IF_IDE] = "ide",
    [IF_SCSI] = "scsi",
    [IF_FLOPPY] = "floppy",
    [IF_PFLASH] = "pflash",
    [IF_MTD] = "mtd",
    [IF_SD] = "sd",
    [IF_VIRTIO] = "virtio",
    [IF_XEN] = "xen",
};

/* Units per bus (ABI: index= maps through it) */
static const int if_max_devs[IF_COUNT] = {
    [IF_IDE] = 2,
    [IF_SCSI] = 7,
};

const char *if_name(BlockInterfaceType type)
{
    return if_names[type];
}

/* --- the table ----------------------------------------------------------- */

static int drive_index_to_bus_id(BlockInterfaceType type, int index)
{
    int max_devs = if_max_devs[type];

    return max_devs ? index / max_devs : 0;
}

static int drive_index_to_unit_id(BlockInterfaceType type, int index)
{
    int max_devs = if_max_devs[type];

    return max_devs ? index % max_devs : index;
}

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit)
{
    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        DriveInfo *dinfo = blk_legacy_dinfo(blk);

        if (dinfo && dinfo->type == type && dinfo->bus == bus &&
            dinfo->unit == unit) {
            return dinfo;
        }
    }
    return NULL;
}

DriveInfo *drive_get_by_index(BlockInterfaceType type, int index)
{
    return drive_get(type, drive_index_to_bus_id(type, index),
                     drive_index_to_unit_id(type, index));
}

int drive_get_max_bus(BlockInterfaceType type)
{
    int max_bus = -1;

    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        DriveInfo *dinfo = blk_legacy_dinfo(blk);

        if (dinfo && dinfo->type == type && dinfo->bus > max_bus) {
            max_bus = dinfo->bus;
        }
    }
    return max_bus;
}

BlockBackend *blk_by_legacy_dinfo(DriveInfo *dinfo)
{
    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        if (blk_legacy_dinfo(blk) == dinfo) {
            return blk;
        }
    }
    g_assert_not_reached();
}

QemuOpts *drive_add(QemuOptsList *list, BlockInterfaceType type, int index,
                    const char *file, const char *optstr)
{
    QemuOpts *opts = qemu_opts_parse_noisily(list, optstr, false);

    if (!opts) {
        return NULL;
    }
    if (type != IF_DEFAULT) {
        qemu_opt_set(opts, "if", if_names[type]);
    }
    if (index >= 0) {
        g_autofree char *s = g_strdup_printf("%d", index);

        qemu_opt_set(opts, "index", s);
    }
    if (file) {
        qemu_opt_set(opts, "file", file);
    }
    return opts;
}

/* --- options ------------------------------------------------------------- */

static bool drive_opts_to_bopts(void *opaque, const char *name,
                                const char *value)
{
    bopts_set(opaque, name, value);
    return true;
}

/* QEMU's qemu_opt_rename(): @from becomes @to; both is an error. */
static bool drive_rename(BlockOptions *o, const char *from, const char *to,
                         Error **errp)
{
    g_autofree char *value = NULL;

    if (!bopts_has(o, from)) {
        return true;
    }
    if (bopts_has(o, to)) {
        error_setg(errp, "'%s' and its alias '%s' can't be used at the same "
                   "time", to, from);
        return false;
    }
    value = bopts_take(o, from);
    bopts_set(o, to, value);
    return true;
}

/* cache=MODE sets the three cache.* options it stands for, unless they
 * are given themselves (QEMU's drive_new). */
static bool drive_cache_option(BlockOptions *o, Error **errp)
{
    g_autofree char *mode = bopts_take(o, "cache");
    bool writethrough;
    int flags = 0;

    if (!mode) {
        return true;
    }
    if (bdrv_parse_cache_mode(mode, &flags, &writethrough) != 0) {
        error_setg(errp, "invalid cache option");
        return false;
    }
    bopts_set_default(o, BDRV_OPT_CACHE_WB, writethrough ? "off" : "on");
    bopts_set_default(o, BDRV_OPT_CACHE_DIRECT,
                      flags & BDRV_O_NOCACHE ? "on" : "off");
    bopts_set_default(o, BDRV_OPT_CACHE_NO_FLUSH,
                      flags & BDRV_O_NO_FLUSH ? "on" : "off");
    return true;
}

/* Typed keys, taken out of @o and checked as QemuOpts would (QEMU's
 * qemu_opts_absorb_qdict into a described list). */
typedef struct DriveKeys {
    const char *names[16];          /* NULL-terminated */
    QemuOptType types[16];
    char *values[16];               /* taken values (g_free), or NULL */
} DriveKeys;

static bool drive_keys_absorb(DriveKeys *k, BlockOptions *o, Error **errp)
{
    for (int i = 0; k->names[i]; i++) {
        uint64_t number;
        bool b;

        k->values[i] = bopts_take(o, k->names[i]);
        if (!k->values[i]) {
            continue;
        }
        if (k->types[i] == QEMU_OPT_BOOL &&
            !qapi_bool_parse(k->names[i], k->values[i], &b, errp)) {
            return false;
        }
        if (k->types[i] == QEMU_OPT_NUMBER &&
            !parse_option_number(k->names[i], k->values[i], &number,
                                 errp)) {
            return false;
        }
    }
    return true;
}

static const char *drive_key(DriveKeys *k, const char *name)
{
    for (int i = 0; k->names[i]; i++) {
        if (!strcmp(k->names[i], name)) {
            return k->values[i];
        }
    }
    g_assert_not_reached();
}

static bool drive_key_bool(DriveKeys *k, const char *name, bool defval)
{
    const char *v = drive_key(k, name);
    bool b = defval;

    if (v) {
        qapi_bool_parse(name, v, &b, &error_abort);
    }
    return b;
}

static int64_t drive_key_number(DriveKeys *k, const char *name,
                                int64_t defval)
{
    const char *v = drive_key(k, name);
    uint64_t n;

    if (!v) {
        return defval;
    }
    parse_option_number(name, v, &n, &error_abort);
    return (int64_t)n;
}

static void drive_keys_free(DriveKeys *k)
{
    for (int i = 0; k->names[i]; i++) {
        g_free(k->values[i]);
    }
}

/* QEMU's qemu_legacy_drive_opts */
static void legacy_keys_init(DriveKeys *k)
{
    *k = (DriveKeys) {
        .names = { "bus", "unit", "index", "media", "if", "file",
                   BDRV_OPT_READ_ONLY, "rerror", "werror", "copy-on-read" },
        .types = { QEMU_OPT_NUMBER, QEMU_OPT_NUMBER, QEMU_OPT_NUMBER,
                   QEMU_OPT_STRING, QEMU_OPT_STRING, QEMU_OPT_STRING,
                   QEMU_OPT_BOOL, QEMU_OPT_STRING, QEMU_OPT_STRING,
                   QEMU_OPT_BOOL },
    };
}

/* QEMU's qemu_common_drive_opts (without throttling) */
static void common_keys_init(DriveKeys *k)
{
    *k = (DriveKeys) {
        .names = { "snapshot", "aio", BDRV_OPT_CACHE_WB, "format", "rerror",
                   "werror", BDRV_OPT_READ_ONLY, "copy-on-read",
                   "detect-zeroes", "stats-account-invalid",
                   "stats-account-failed" },
        .types = { QEMU_OPT_BOOL, QEMU_OPT_STRING, QEMU_OPT_BOOL,
                   QEMU_OPT_STRING, QEMU_OPT_STRING, QEMU_OPT_STRING,
                   QEMU_OPT_BOOL, QEMU_OPT_BOOL, QEMU_OPT_STRING,
                   QEMU_OPT_BOOL, QEMU_OPT_BOOL },
    };
}

/* QEMU's parse_block_error_action() */
static int parse_block_error_action(const char *buf, bool is_read,
                                    Error **errp)
{
    if (!strcmp(buf, "ignore")) {
        return BLOCKDEV_ON_ERROR_IGNORE;
    } else if (!is_read && !strcmp(buf, "enospc")) {
        return BLOCKDEV_ON_ERROR_ENOSPC;
    } else if (!strcmp(buf, "stop")) {
        return BLOCKDEV_ON_ERROR_STOP;
    } else if (!strcmp(buf, "report")) {
        return BLOCKDEV_ON_ERROR_REPORT;
    }
    error_setg(errp, "'%s' invalid %s error action", buf,
               is_read ? "read" : "write");
    return -1;
}

static void print_format(void *opaque, const char *name)
{
    printf(" %s", name);
}

/* --- blockdev_init ------------------------------------------------------- */

/*
 * Step 4: a BlockBackend from @file and @bs_opts (consumed).  NULL with
 * @errp set on error; NULL without after format=help.
 */
static BlockBackend *blockdev_init(const char *file, BlockOptions *bs_opts,
                                   Error **errp)
{
    g_autofree char *id = bopts_take(bs_opts, "id");
    BlockdevDetectZeroesOptions detect_zeroes;
    int on_read_error, on_write_error;
    bool writethrough, read_only;
    BlockBackend *blk = NULL;
    int bdrv_flags = 0;
    const char *buf;
    DriveKeys k;
    int dz;

    common_keys_init(&k);
    if (!drive_keys_absorb(&k, bs_opts, errp)) {
        goto out;
    }
    writethrough = !drive_key_bool(&k, BDRV_OPT_CACHE_WB, true);
    if (drive_key_bool(&k, "copy-on-read", false)) {
        bdrv_flags |= BDRV_O_COPY_ON_READ;
    }
    buf = drive_key(&k, "aio");
    if (buf && bdrv_parse_aio(buf, &bdrv_flags) < 0) {
        error_setg(errp, "invalid aio option");
        goto out;
    }
    buf = drive_key(&k, "detect-zeroes");
    dz = BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF;
    if (buf) {
        static const char *const names[] = { "off", "on", "unmap", NULL };

        dz = -1;
        for (int i = 0; names[i]; i++) {
            if (!strcmp(buf, names[i])) {
                dz = i;
            }
        }
        if (dz < 0) {
            error_setg(errp, "invalid parameter value: %s", buf);
            goto out;
        }
    }
    detect_zeroes = dz;

    buf = drive_key(&k, "format");
    if (buf) {
        if (!strcmp(buf, "help") || !strcmp(buf, "?")) {
            printf("Supported formats:");
            bdrv_iterate_format(print_format, NULL);
            printf("\nSupported formats (read-only):");
            bdrv_iterate_format(print_format, NULL);
            printf("\n");
            goto out;
        }
        if (bopts_has(bs_opts, "driver")) {
            error_setg(errp, "Cannot specify both 'driver' and 'format'");
            goto out;
        }
        bopts_set(bs_opts, "driver", buf);
    }

    on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    buf = drive_key(&k, "werror");
    if (buf && (on_write_error = parse_block_error_action(buf, false,
                                                          errp)) < 0) {
        goto out;
    }
    on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    buf = drive_key(&k, "rerror");
    if (buf && (on_read_error = parse_block_error_action(buf, true,
                                                         errp)) < 0) {
        goto out;
    }
    if (drive_key_bool(&k, "snapshot", false)) {
        bdrv_flags |= BDRV_O_SNAPSHOT;
    }
    read_only = drive_key_bool(&k, BDRV_OPT_READ_ONLY, false);

    if ((!file || !*file) && bopts_size(bs_opts) == 0) {
        /* An empty drive: what a medium would be opened with */
        blk = blk_new_empty(bdrv_flags | (read_only ? 0 : BDRV_O_RDWR));
    } else {
        if (file && !*file) {
            file = NULL;
        }
        /* The -drive defaults (QEMU's): auto-read-only for humans */
        bopts_set_default(bs_opts, BDRV_OPT_CACHE_DIRECT, "off");
        bopts_set_default(bs_opts, BDRV_OPT_CACHE_NO_FLUSH, "off");
        bopts_set_default(bs_opts, BDRV_OPT_READ_ONLY,
                          read_only ? "on" : "off");
        bopts_set_default(bs_opts, BDRV_OPT_AUTO_READ_ONLY, "on");
        blk = blk_new_open(file, g_steal_pointer(&bs_opts), bdrv_flags,
                           errp);
        if (!blk) {
            goto out;
        }
        bdrv_set_detect_zeroes(blk_bs(blk), detect_zeroes);
    }
    blk_set_enable_write_cache(blk, !writethrough);
    blk_set_on_error(blk, on_read_error, on_write_error);
    if (!monitor_add_blk(blk, id, errp)) {
        blk_unref(blk);
        blk = NULL;
    }

out:
    drive_keys_free(&k);
    bopts_free(bs_opts);
    return blk;
}

/* --- drive_new ----------------------------------------------------------- */

DriveInfo *drive_new(QemuOpts *all_opts, BlockInterfaceType block_default_type,
                     QemuOptsList *device_opts, Error **errp)
{
    BlockOptions *bs_opts = bopts_new();
    BlockInterfaceType type;
    DriveInfo *dinfo = NULL;
    bool media_cd = false, read_only, copy_on_read;
    int max_devs, bus_id, unit_id, index;
    const char *value, *werror, *rerror;
    g_autofree char *new_id = NULL;
    BlockBackend *blk;
    DriveKeys k;

    legacy_keys_init(&k);
    /* Step 1 */
    qemu_opt_foreach(all_opts, drive_opts_to_bopts, bs_opts);
    if (qemu_opts_id(all_opts)) {
        bopts_set(bs_opts, "id", qemu_opts_id(all_opts));
    }
    if (!drive_rename(bs_opts, "readonly", BDRV_OPT_READ_ONLY, errp) ||
        !drive_cache_option(bs_opts, errp)) {
        goto fail;
    }
    /* Step 2 */
    if (!drive_keys_absorb(&k, bs_opts, errp)) {
        goto fail;
    }

    /* Step 3: media */
    value = drive_key(&k, "media");
    if (value) {
        if (!strcmp(value, "cdrom")) {
            media_cd = true;
        } else if (strcmp(value, "disk")) {
            error_setg(errp, "'%s' invalid media", value);
            goto fail;
        }
    }
    /* A CD-ROM is read-only; copy-on-read needs a writable drive */
    read_only = media_cd || drive_key_bool(&k, BDRV_OPT_READ_ONLY, false);
    copy_on_read = drive_key_bool(&k, "copy-on-read", false);
    if (read_only && copy_on_read) {
        warn_report("disabling copy-on-read on read-only drive");
        copy_on_read = false;
    }
    bopts_set(bs_opts, BDRV_OPT_READ_ONLY, read_only ? "on" : "off");
    bopts_set(bs_opts, "copy-on-read", copy_on_read ? "on" : "off");

    /* The interface */
    value = drive_key(&k, "if");
    if (value) {
        for (type = 0; type < IF_COUNT && strcmp(value, if_names[type]);
             type++) {
        }
        if (type == IF_COUNT) {
            error_setg(errp, "unsupported bus type '%s'", value);
            goto fail;
        }
    } else {
        type = block_default_type;
    }

    /* Where: bus/unit, or index, or the first free unit */
    bus_id = drive_key_number(&k, "bus", 0);
    unit_id = drive_key_number(&k, "unit", -1);
    index = drive_key_number(&k, "index", -1);
    max_devs = if_max_devs[type];
    if (index != -1) {
        if (bus_id != 0 || unit_id != -1) {
            error_setg(errp, "index cannot be used with bus and unit");
            goto fail;
        }
        bus_id = drive_index_to_bus_id(type, index);
        unit_id = drive_index_to_unit_id(type, index);
    }
    if (unit_id == -1) {
        unit_id = 0;
        while (drive_get(type, bus_id, unit_id) != NULL) {
            unit_id++;
            if (max_devs && unit_id >= max_devs) {
                unit_id -= max_devs;
                bus_id++;
            }
        }
    }
    if (max_devs && unit_id >= max_devs) {
        error_setg(errp, "unit %d too big (max is %d)", unit_id,
                   max_devs - 1);
        goto fail;
    }
    if (drive_get(type, bus_id, unit_id) != NULL) {
        error_setg(errp, "drive with bus=%d, unit=%d (index=%d) exists",
                   bus_id, unit_id, index);
        goto fail;
    }

    /* No id: QEMU's generated one ("ide0-hd0", "ide1-cd0", "virtio0") */
    if (!qemu_opts_id(all_opts)) {
        const char *mediastr = "";

        if (type == IF_IDE || type == IF_SCSI) {
            mediastr = media_cd ? "-cd" : "-hd";
        }
        if (max_devs) {
            new_id = g_strdup_printf("%s%i%s%i", if_names[type], bus_id,
                                     mediastr, unit_id);
        } else {
            new_id = g_strdup_printf("%s%s%i", if_names[type], mediastr,
                                     unit_id);
        }
        bopts_set(bs_opts, "id", new_id);
    }

    /* if=virtio: the device comes with the drive */
    if (type == IF_VIRTIO) {
        QemuOpts *devopts = qemu_opts_create(device_opts, NULL,
                                             &error_abort);

        qemu_opt_set(devopts, "driver", "virtio-blk");
        qemu_opt_set(devopts, "drive", bopts_get(bs_opts, "id"));
    }

    werror = drive_key(&k, "werror");
    if (werror) {
        if (type != IF_IDE && type != IF_SCSI && type != IF_VIRTIO &&
            type != IF_NONE) {
            error_setg(errp, "werror is not supported by this bus type");
            goto fail;
        }
        bopts_set(bs_opts, "werror", werror);
    }
    rerror = drive_key(&k, "rerror");
    if (rerror) {
        if (type != IF_IDE && type != IF_VIRTIO && type != IF_SCSI &&
            type != IF_NONE) {
            error_setg(errp, "rerror is not supported by this bus type");
            goto fail;
        }
        bopts_set(bs_opts, "rerror", rerror);
    }

    /* Step 4 */
    blk = blockdev_init(drive_key(&k, "file"), g_steal_pointer(&bs_opts),
                        errp);
    if (!blk) {
        goto fail;
    }

    /* Step 5 */
    dinfo = g_new0(DriveInfo, 1);
    dinfo->opts = all_opts;
    dinfo->type = type;
    dinfo->bus = bus_id;
    dinfo->unit = unit_id;
    if (type == IF_IDE || type == IF_SCSI || type == IF_XEN ||
        type == IF_NONE) {
        dinfo->media_cd = media_cd;
    }
    blk_set_legacy_dinfo(blk, dinfo);

fail:
    drive_keys_free(&k);
    bopts_free(bs_opts);
    return dinfo;
}

/* --- configure_blockdev -------------------------------------------------- */

/* -snapshot: snapshot=on unless the drive says otherwise. */
static void drive_enable_snapshot(QemuOpts *opts)
{
    if (!qemu_opt_get(opts, "snapshot")) {
        qemu_opt_set(opts, "snapshot", "on");
    }
}

int configure_blockdev(QemuOptsList *drive_opts, QemuOptsList *device_opts,
                       BlockInterfaceType default_type, bool snapshot,
                       bool default_cdrom)
{
    for (GList *l = drive_opts->head.head; l; l = l->next) {
        QemuOpts *opts = l->data;
        Error *err = NULL;
        DriveInfo *dinfo;
        Location loc;

        if (snapshot) {
            drive_enable_snapshot(opts);
        }
        loc_push_none(&loc);
        qemu_opts_loc_restore(opts);
        dinfo = drive_new(opts, default_type, device_opts, &err);
        if (err) {
            error_report_err(err);
        }
        loc_pop(&loc);
        if (!dinfo) {
            return err ? 1 : 0;     /* no error: help was printed */
        }
    }
    /* QEMU's default_drive(): the empty CD-ROM boards used to have */
    if (default_cdrom && !drive_get_by_index(default_type, 2)) {
        QemuOpts *opts = drive_add(drive_opts, default_type, 2, NULL,
                                   "media=cdrom");
        DriveInfo *dinfo;

        if (snapshot) {
            drive_enable_snapshot(opts);
        }
        dinfo = drive_new(opts, default_type, device_opts, &error_abort);
        dinfo->is_default = true;
    }
    return -1;
}

bool drive_check_orphans(void)
{
    bool orphans = false;

    for (BlockBackend *blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        DriveInfo *dinfo = blk_legacy_dinfo(blk);
        Location loc;

        /* Default drives are the board's business, not the user's */
        if (dinfo && !dinfo->is_default && dinfo->type != IF_NONE &&
            !blk_get_attached_dev(blk)) {
            loc_push_none(&loc);
            qemu_opts_loc_restore(dinfo->opts);
            error_report("machine type does not support if=%s,bus=%d,unit=%d",
                         if_names[dinfo->type], dinfo->bus, dinfo->unit);
            loc_pop(&loc);
            orphans = true;
        }
    }
    return !orphans;
}

void blockdev_close_all(void)
{
    BlockBackend *blk;

    /* Unname first so that the walk does not see a half-gone list. */
    while ((blk = blk_next(NULL))) {
        DriveInfo *dinfo = blk_legacy_dinfo(blk);

        monitor_remove_blk(blk);
        if (dinfo) {
            blk_set_legacy_dinfo(blk, NULL);
            g_free(dinfo);
            blk_unref(blk);
        }
    }
    qemu_aio_context_cleanup();
}
