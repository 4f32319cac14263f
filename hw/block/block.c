/*
 * block.c - the BlockConf helpers block device models share (QEMU 7.2's
 * hw/block/block.c, and the BlockdevOnError property of
 * hw/core/qdev-properties-system.c).  See include/hw/block/block.h.
 * Threads: main thread (big lock).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/block/block.h"

/* QAPI's BlockdevOnError as a device property ("auto": keep the drive's) */
static const char *const blockdev_on_error_names[] = {
    [BLOCKDEV_ON_ERROR_REPORT] = "report",
    [BLOCKDEV_ON_ERROR_IGNORE] = "ignore",
    [BLOCKDEV_ON_ERROR_ENOSPC] = "enospc",
    [BLOCKDEV_ON_ERROR_STOP] = "stop",
    [BLOCKDEV_ON_ERROR_AUTO] = "auto",
};

static const QEnumLookup blockdev_on_error_lookup = {
    .array = blockdev_on_error_names,
    .size = G_N_ELEMENTS(blockdev_on_error_names),
};

const PropertyInfo qdev_prop_blockdev_on_error = {
    .name = "BlockdevOnError",
    .description = "Error handling policy, report/ignore/enospc/stop/auto",
    .enum_table = &blockdev_on_error_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

/* QEMU's set_blocksize() range check, done at realize */
static bool blkconf_check_blocksize(const char *name, uint64_t value,
                                    Error **errp)
{
    if (value < 512 || value > 2 * 1024 * 1024 || (value & (value - 1))) {
        error_setg(errp, "Property .%s doesn't take value %" PRIu64,
                   name, value);
        return false;
    }
    return true;
}

bool blkconf_blocksizes(BlockConf *conf, Error **errp)
{
    if (!conf->logical_block_size) {
        conf->logical_block_size = 512;
    }
    if (!conf->physical_block_size) {
        /* what QEMU probes for an image file */
        conf->physical_block_size = 512;
    }
    if (!blkconf_check_blocksize("logical_block_size",
                                 conf->logical_block_size, errp) ||
        !blkconf_check_blocksize("physical_block_size",
                                 conf->physical_block_size, errp)) {
        return false;
    }
    if (conf->logical_block_size > conf->physical_block_size) {
        error_setg(errp,
                   "logical_block_size > physical_block_size not supported");
        return false;
    }
    if (conf->min_io_size % conf->logical_block_size) {
        error_setg(errp,
                   "min_io_size must be a multiple of logical_block_size");
        return false;
    }
    if (conf->opt_io_size % conf->logical_block_size) {
        error_setg(errp,
                   "opt_io_size must be a multiple of logical_block_size");
        return false;
    }
    if (conf->discard_granularity != 0xffffffffu &&
        conf->discard_granularity % conf->logical_block_size) {
        error_setg(errp, "discard_granularity must be "
                   "a multiple of logical_block_size");
        return false;
    }
    return true;
}

bool blkconf_geometry(BlockConf *conf, int *ptrans,
                      unsigned cyls_max, unsigned heads_max,
                      unsigned secs_max, Error **errp)
{
    uint64_t nb_sectors;

    if (!conf->cyls && !conf->heads && !conf->secs) {
        /* hd_geometry_guess(): the LBA-assisted translation QEMU's
         * guess ends in for an unpartitioned disk */
        blk_get_geometry(conf->blk, &nb_sectors);
        conf->heads = 16;
        conf->secs = 63;
        conf->cyls = nb_sectors / (16 * 63);
        if (conf->cyls > 16383) {
            conf->cyls = 16383;
        } else if (conf->cyls < 2) {
            conf->cyls = 2;
        }
        if (ptrans && *ptrans == BIOS_ATA_TRANSLATION_AUTO) {
            *ptrans = conf->cyls * conf->heads * conf->secs > 1024 * 16 * 63 ?
                BIOS_ATA_TRANSLATION_LBA : BIOS_ATA_TRANSLATION_NONE;
        }
    } else if (ptrans && *ptrans == BIOS_ATA_TRANSLATION_AUTO) {
        *ptrans = BIOS_ATA_TRANSLATION_NONE;
    }
    if (conf->cyls || conf->heads || conf->secs) {
        if (conf->cyls < 1 || conf->cyls > cyls_max) {
            error_setg(errp, "cyls must be between 1 and %u", cyls_max);
            return false;
        }
        if (conf->heads < 1 || conf->heads > heads_max) {
            error_setg(errp, "heads must be between 1 and %u", heads_max);
            return false;
        }
        if (conf->secs < 1 || conf->secs > secs_max) {
            error_setg(errp, "secs must be between 1 and %u", secs_max);
            return false;
        }
    }
    return true;
}

bool blkconf_apply_backend_options(BlockConf *conf, bool readonly,
                                   bool resizable, Error **errp)
{
    BlockBackend *blk = conf->blk;
    BlockdevOnError rerror, werror;
    uint64_t perm, shared_perm;
    bool wce;

    if (!readonly && blk_is_inserted(blk) && blk_is_read_only(blk)) {
        /* QEMU's write permission request fails */
        error_setg(errp, "Block node is read-only");
        return false;
    }

    perm = BLK_PERM_CONSISTENT_READ;
    if (!readonly) {
        perm |= BLK_PERM_WRITE;
    }
    shared_perm = BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
    if (resizable) {
        shared_perm |= BLK_PERM_RESIZE;
    }
    if (conf->share_rw) {
        shared_perm |= BLK_PERM_WRITE;
    }
    if (blk_set_perm(blk, perm, shared_perm, errp) < 0) {
        return false;
    }

    switch (conf->wce) {
    case ON_OFF_AUTO_ON:
        wce = true;
        break;
    case ON_OFF_AUTO_OFF:
        wce = false;
        break;
    default:
        wce = blk_enable_write_cache(blk);
        break;
    }

    rerror = conf->rerror == BLOCKDEV_ON_ERROR_AUTO
        ? blk_get_on_error(blk, true) : (BlockdevOnError)conf->rerror;
    werror = conf->werror == BLOCKDEV_ON_ERROR_AUTO
        ? blk_get_on_error(blk, false) : (BlockdevOnError)conf->werror;

    blk_set_enable_write_cache(blk, wce);
    blk_set_on_error(blk, rerror, werror);
    return true;
}
