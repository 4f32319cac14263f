/*
 * ide-cd.c - "ide-cd", a virtual IDE CD-ROM (QEMU 7.2's hw/ide/qdev.c):
 * an ATAPI device (hw/ide/atapi.c) with removable media.  Without a
 * drive it gets an empty anonymous one (no medium): ATAPI commands that
 * need a medium then fail with NOT READY / MEDIUM NOT PRESENT.
 * Threads: main thread (big lock).
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/ide/internal.h"

#define TYPE_IDE_CD "ide-cd"

static bool ide_cd_realize(IDEDevice *dev, Error **errp)
{
    return ide_dev_initfn(dev, IDE_CD, errp);
}

static Property ide_cd_properties[] = {
    DEFINE_IDE_DEV_PROPERTIES(),
    DEFINE_PROP_END_OF_LIST(),
};

static void ide_cd_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    IDEDeviceClass *k = IDE_DEVICE_CLASS(klass);

    k->realize  = ide_cd_realize;
    dc->desc    = "virtual IDE CD-ROM";
    device_class_set_props(dc, ide_cd_properties);
}

static const TypeInfo ide_cd_info = {
    .name          = TYPE_IDE_CD,
    .parent        = TYPE_IDE_DEVICE,
    .instance_size = sizeof(IDEDevice),
    .class_init    = ide_cd_class_init,
};

static void ide_cd_register_types(void)
{
    type_register_static(&ide_cd_info);
}

type_init(ide_cd_register_types)
