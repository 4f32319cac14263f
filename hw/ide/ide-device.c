/*
 * ide-device.c - the abstract "ide-device": what ide-hd and ide-cd share
 * (QEMU 7.2's hw/ide/qdev.c, device half): the "unit" property and the
 * placement on the bus, the drive and block properties (drive,
 * write-cache, rerror/werror, block sizes, ver/serial/model/wwn), and
 * ide_dev_initfn(), which checks them (hw/block/block.c's blkconf_*) and
 * sets up the bus's IDEState.
 * Threads: main thread (big lock).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "block/aio.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-properties-block.h"
#include "hw/ide/internal.h"

/* Only "unit" belongs to the base, as in QEMU 7.2: the drive and block
 * properties are the leaf types' own (DEFINE_IDE_DEV_PROPERTIES), which
 * is why `info qtree` lists them first and "unit" last. */
static Property ide_props[] = {
    DEFINE_PROP_UINT32("unit", IDEDevice, unit, -1),
    DEFINE_PROP_END_OF_LIST(),
};

/* "bootindex": a plain QOM property as QEMU's
 * device_add_bootindex_property makes it (settable, absent from `info
 * qtree`).  qomu has no boot order: the value is only kept. */
static GVariant *ide_device_get_bootindex(Object *obj, ObjectProperty *prop,
                                          Error **errp)
{
    return g_variant_new_int32(IDE_DEVICE(obj)->conf.bootindex);
}

static bool ide_device_set_bootindex(Object *obj, ObjectProperty *prop,
                                     GVariant *value, Error **errp)
{
    int64_t v;

    if (!prop_value_int_range(value, "bootindex", INT32_MIN, INT32_MAX,
                              "int32_t", &v, errp)) {
        return false;
    }
    IDE_DEVICE(obj)->conf.bootindex = v;
    return true;
}

static void ide_device_instance_init(Object *obj)
{
    IDE_DEVICE(obj)->conf.bootindex = -1;
}

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

    if (!blkconf_blocksizes(&dev->conf, errp)) {
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
        if (!blkconf_geometry(&dev->conf, &dev->chs_trans, 65535, 16, 255,
                              errp)) {
            return false;
        }
    }
    if (!blkconf_apply_backend_options(&dev->conf, kind == IDE_CD,
                                       kind != IDE_CD, errp)) {
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
    object_class_property_add(klass, "bootindex", "int32",
                              ide_device_get_bootindex,
                              ide_device_set_bootindex, NULL, NULL);
}

static const TypeInfo ide_device_type_info = {
    .name = TYPE_IDE_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(IDEDevice),
    .instance_init = ide_device_instance_init,
    .abstract = true,
    .class_size = sizeof(IDEDeviceClass),
    .class_init = ide_device_class_init,
};

static void ide_device_register_types(void)
{
    type_register_static(&ide_device_type_info);
}

type_init(ide_device_register_types)
