/*
 * ide-device.c - the abstract "ide-device": what ide-hd and ide-cd share
 * (QEMU 7.2's hw/ide/qdev.c, device half): the "unit" property and the
 * placement on the bus, the drive and block properties (drive,
 * write-cache, rerror/werror, block sizes, ver/serial/model/wwn), and
 * ide_dev_initfn(), which checks them and sets up the bus's IDEState.
 * Threads: main thread (big lock).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "block/aio.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-properties-block.h"
#include "hw/ide/internal.h"

/* QAPI's BlockdevOnError as a device property ("auto": keep the drive's) */
static const char *const blockdev_on_error_names[] = {
    [BLOCKDEV_ON_ERROR_REPORT] = "report",
    [BLOCKDEV_ON_ERROR_IGNORE] = "ignore",
    [BLOCKDEV_ON_ERROR_ENOSPC] = "enospc",
    [BLOCKDEV_ON_ERROR_STOP] = "stop",
    [IDE_ON_ERROR_AUTO] = "auto",
};

static const QEnumLookup blockdev_on_error_lookup = {
    .array = blockdev_on_error_names,
    .size = G_N_ELEMENTS(blockdev_on_error_names),
};

static const PropertyInfo ide_prop_blockdev_on_error = {
    .name = "BlockdevOnError",
    .description = "Error handling policy, report/ignore/enospc/stop/auto",
    .enum_table = &blockdev_on_error_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

#define DEFINE_PROP_BLOCKDEV_ON_ERROR(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, ide_prop_blockdev_on_error, int)

static Property ide_props[] = {
    DEFINE_PROP_UINT32("unit", IDEDevice, unit, -1),
    DEFINE_PROP_DRIVE("drive", IDEDevice, conf.blk),
    DEFINE_PROP_ON_OFF_AUTO("backend_defaults", IDEDevice,
                            conf.backend_defaults, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_SIZE("logical_block_size", IDEDevice,
                     conf.logical_block_size, 0),
    DEFINE_PROP_SIZE("physical_block_size", IDEDevice,
                     conf.physical_block_size, 0),
    DEFINE_PROP_SIZE("min_io_size", IDEDevice, conf.min_io_size, 0),
    DEFINE_PROP_SIZE("opt_io_size", IDEDevice, conf.opt_io_size, 0),
    DEFINE_PROP_SIZE("discard_granularity", IDEDevice,
                     conf.discard_granularity, 0xffffffffu),
    DEFINE_PROP_ON_OFF_AUTO("write-cache", IDEDevice, conf.wce,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BOOL("share-rw", IDEDevice, conf.share_rw, false),
    DEFINE_PROP_ON_OFF_AUTO("account-invalid", IDEDevice,
                            conf.account_invalid, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_ON_OFF_AUTO("account-failed", IDEDevice,
                            conf.account_failed, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BLOCKDEV_ON_ERROR("rerror", IDEDevice, conf.rerror,
                                  IDE_ON_ERROR_AUTO),
    DEFINE_PROP_BLOCKDEV_ON_ERROR("werror", IDEDevice, conf.werror,
                                  IDE_ON_ERROR_AUTO),
    DEFINE_PROP_STRING("ver", IDEDevice, version),
    DEFINE_PROP_UINT64("wwn", IDEDevice, wwn, 0),
    DEFINE_PROP_STRING("serial", IDEDevice, serial),
    DEFINE_PROP_STRING("model", IDEDevice, model),
    DEFINE_PROP_INT32("bootindex", IDEDevice, conf.bootindex, -1),
    DEFINE_PROP_END_OF_LIST(),
};

static IDEBus *ide_device_bus(IDEDevice *dev)
{
    return IDE_BUS(qdev_get_parent_bus(DEVICE(dev)));
}

static bool ide_device_realize(DeviceState *qdev, Error **errp)
{
    IDEDevice *dev = IDE_DEVICE(qdev);
    IDEDeviceClass *dc = IDE_DEVICE_GET_CLASS(dev);
    IDEBus *bus = ide_device_bus(dev);
    IDEDevice **slot;

    if (dev->unit == (uint32_t)-1) {
        dev->unit = bus->master ? 1 : 0;
    }

    if (dev->unit >= (uint32_t)bus->max_units) {
        error_setg(errp, "Can't create IDE unit %d, bus supports only %d units",
                   dev->unit, bus->max_units);
        return false;
    }

    switch (dev->unit) {
    case 0:
        slot = &bus->master;
        break;
    case 1:
        slot = &bus->slave;
        break;
    default:
        error_setg(errp, "Invalid IDE unit %d", dev->unit);
        return false;
    }
    if (*slot) {
        error_setg(errp, "IDE unit %d is in use", dev->unit);
        return false;
    }
    if (!bus->ifs[dev->unit].io_buffer) {
        error_setg(errp, "IDE bus '%s' has no drives (the controller did "
                   "not call ide_bus_init_output_irq)", bus->qbus.name);
        return false;
    }
    *slot = dev;
    if (!dc->realize(dev, errp)) {
        *slot = NULL;
        return false;
    }
    return true;
}

static void ide_device_unrealize(DeviceState *qdev)
{
    IDEDevice *dev = IDE_DEVICE(qdev);
    IDEBus *bus = ide_device_bus(dev);

    if (dev->unit <= 1) {
        ide_drive_detach(&bus->ifs[dev->unit]);
        if (dev->unit == 0 && bus->master == dev) {
            bus->master = NULL;
        } else if (dev->unit == 1 && bus->slave == dev) {
            bus->slave = NULL;
        }
    }
}

/* QEMU's blkconf_blocksizes() for IDE (no backend defaults to probe) */
static bool ide_blkconf_blocksizes(IDEBlockConf *conf, Error **errp)
{
    if (!conf->logical_block_size) {
        conf->logical_block_size = 512;
    }
    if (!conf->physical_block_size) {
        /* what QEMU probes for an image file */
        conf->physical_block_size = 512;
    }
    if (conf->logical_block_size < 512 ||
        conf->logical_block_size > 2 * 1024 * 1024 ||
        (conf->logical_block_size & (conf->logical_block_size - 1))) {
        error_setg(errp, "Property .logical_block_size doesn't take value %"
                   PRIu64, conf->logical_block_size);
        return false;
    }
    if (conf->physical_block_size < 512 ||
        conf->physical_block_size > 2 * 1024 * 1024 ||
        (conf->physical_block_size & (conf->physical_block_size - 1))) {
        error_setg(errp, "Property .physical_block_size doesn't take value %"
                   PRIu64, conf->physical_block_size);
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

/* QEMU's blkconf_geometry() */
static bool ide_blkconf_geometry(IDEBlockConf *conf, int *ptrans,
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

/* QEMU's blkconf_apply_backend_options() */
static bool ide_blkconf_apply_backend_options(IDEBlockConf *conf,
                                              bool readonly, Error **errp)
{
    BlockBackend *blk = conf->blk;
    BlockdevOnError rerror, werror;
    bool wce;

    if (!readonly && blk_is_inserted(blk) && blk_is_read_only(blk)) {
        /* QEMU's write permission request fails */
        error_setg(errp, "Block node is read-only");
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

    rerror = conf->rerror;
    if (conf->rerror == IDE_ON_ERROR_AUTO) {
        rerror = blk_get_on_error(blk, true);
    }
    werror = conf->werror;
    if (conf->werror == IDE_ON_ERROR_AUTO) {
        werror = blk_get_on_error(blk, false);
    }

    blk_set_enable_write_cache(blk, wce);
    blk_set_on_error(blk, rerror, werror);
    return true;
}

bool ide_dev_initfn(IDEDevice *dev, IDEDriveKind kind, Error **errp)
{
    IDEBus *bus = ide_device_bus(dev);
    IDEState *s = bus->ifs + dev->unit;
    Error *local_err = NULL;

    if (!dev->conf.blk) {
        if (kind != IDE_CD) {
            error_setg(errp, "No drive specified");
            return false;
        } else {
            /* Anonymous BlockBackend for an empty drive */
            BlockBackend *blk = blk_new_empty(0);

            if (blk_attach_dev(blk, DEVICE(dev)) < 0) {
                blk_unref(blk);
                error_setg(errp, "Can't attach an empty drive");
                return false;
            }
            blk_unref(blk);     /* the attachment holds it */
            dev->conf.blk = blk;
        }
    }

    if (dev->conf.discard_granularity == 0xffffffffu) {
        dev->conf.discard_granularity = 512;
    } else if (dev->conf.discard_granularity &&
               dev->conf.discard_granularity != 512) {
        error_setg(errp, "discard_granularity must be 512 for ide");
        return false;
    }

    if (!ide_blkconf_blocksizes(&dev->conf, errp)) {
        return false;
    }

    if (dev->conf.logical_block_size != 512) {
        error_setg(errp, "logical_block_size must be 512 for IDE");
        return false;
    }

    if (kind != IDE_CD) {
        if (!blk_is_inserted(dev->conf.blk)) {
            error_setg(errp, "Device needs media, but drive is empty");
            return false;
        }
        if (!ide_blkconf_geometry(&dev->conf, &dev->chs_trans, 65535, 16,
                                  255, errp)) {
            return false;
        }
    }
    if (!ide_blkconf_apply_backend_options(&dev->conf, kind == IDE_CD,
                                           errp)) {
        return false;
    }

    if (ide_init_drive(s, dev->conf.blk, kind,
                       dev->version, dev->serial, dev->model, dev->wwn,
                       dev->conf.cyls, dev->conf.heads, dev->conf.secs,
                       dev->chs_trans, &local_err) < 0) {
        error_propagate(errp, local_err);
        return false;
    }

    if (!dev->version) {
        dev->version = g_strdup(s->version);
    }
    if (!dev->serial) {
        dev->serial = g_strdup(s->drive_serial_str);
    }
    return true;
}

static void ide_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *k = DEVICE_CLASS(klass);

    k->realize = ide_device_realize;
    k->unrealize = ide_device_unrealize;
    device_class_set_category(k, DEVICE_CATEGORY_STORAGE);
    k->bus_type = TYPE_IDE_BUS;
    device_class_set_props(k, ide_props);
}

static const TypeInfo ide_device_type_info = {
    .name = TYPE_IDE_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(IDEDevice),
    .abstract = true,
    .class_size = sizeof(IDEDeviceClass),
    .class_init = ide_device_class_init,
};

static void ide_device_register_types(void)
{
    type_register_static(&ide_device_type_info);
}

type_init(ide_device_register_types)
