/*
 * ide-bus.c - the IDE bus, type "IDE" (QEMU 7.2's hw/ide/qdev.c, bus
 * half).  A controller embeds one IDEBus per channel and initialises it
 * with ide_bus_init(); the bus is named "ide.N" ("<controller id>.N")
 * by qdev's rules.  Devices ("ide-hd", "ide-cd") plug in at unit 0
 * (master) or 1 (slave).
 * Threads: main thread (big lock).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/qdev-properties.h"
#include "hw/ide/internal.h"

static void ide_bus_unrealize(BusState *qbus)
{
    IDEBus *bus = IDE_BUS(qbus);

    ide_bus_unregister_restart_cb(bus);
    if (bus->portio_as) {
        /* machine_destroy() removes the address spaces first */
        if (memory_region_is_mapped(&bus->portio)) {
            memory_region_del_subregion(bus->portio_as, &bus->portio);
        }
        if (memory_region_is_mapped(&bus->portio2)) {
            memory_region_del_subregion(bus->portio_as, &bus->portio2);
        }
        bus->portio_as = NULL;
    }
}

static void ide_bus_instance_finalize(Object *obj)
{
    IDEBus *bus = IDE_BUS(obj);

    ide_bus_unregister_restart_cb(bus);
    ide_exit(&bus->ifs[0]);
    ide_exit(&bus->ifs[1]);
}

static void ide_bus_class_init(ObjectClass *klass, void *data)
{
    BusClass *k = BUS_CLASS(klass);

    k->unrealize = ide_bus_unrealize;
}

static const TypeInfo ide_bus_info = {
    .name = TYPE_IDE_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(IDEBus),
    .instance_finalize = ide_bus_instance_finalize,
    .class_init = ide_bus_class_init,
};

void ide_bus_init(IDEBus *idebus, size_t idebus_size, DeviceState *dev,
                  int bus_id, int max_units)
{
    qbus_init(idebus, idebus_size, TYPE_IDE_BUS, dev, NULL);
    idebus->bus_id = bus_id;
    idebus->max_units = max_units;
    idebus->retry_unit = -1;
}

IDEDevice *ide_bus_create_drive(IDEBus *bus, int unit, DriveInfo *drive)
{
    DeviceState *dev;
    BlockBackend *blk = blk_by_legacy_dinfo(drive);

    dev = qdev_new(drive->media_cd ? "ide-cd" : "ide-hd");
    qdev_prop_set_uint32(dev, "unit", unit);
    object_property_set_str(OBJECT(dev), "drive", blk_name(blk),
                            &error_fatal);
    qdev_realize_and_unref(dev, &bus->qbus, &error_fatal);
    return IDE_DEVICE(dev);
}

int ide_get_geometry(BusState *bus, int unit,
                     int16_t *cyls, int8_t *heads, int8_t *secs)
{
    IDEState *s;

    if (unit < 0 || unit > 1) {
        return -1;
    }
    s = &IDE_BUS(bus)->ifs[unit];
    if (s->drive_kind != IDE_HD || !s->blk) {
        return -1;
    }

    *cyls = s->cylinders;
    *heads = s->heads;
    *secs = s->sectors;
    return 0;
}

int ide_get_bios_chs_trans(BusState *bus, int unit)
{
    if (unit < 0 || unit > 1) {
        return BIOS_ATA_TRANSLATION_AUTO;
    }
    return IDE_BUS(bus)->ifs[unit].chs_trans;
}

static void ide_bus_register_types(void)
{
    type_register_static(&ide_bus_info);
}

type_init(ide_bus_register_types)
