/*
 * ide-hd.c - "ide-hd", a virtual IDE disk (QEMU 7.2's hw/ide/qdev.c):
 * the shared ide-device properties plus the geometry (cyls/heads/secs,
 * lcyls/lheads/lsecs, bios-chs-trans) and rotation_rate.  Needs a drive
 * with a medium ("No drive specified", "Device needs media, but drive is
 * empty"); a read-only drive is refused ("Block node is read-only").
 * Threads: main thread (big lock).
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/ide/internal.h"

#define TYPE_IDE_HD "ide-hd"

/* QAPI's BiosAtaTranslation */
static const char *const bios_ata_translation_names[] = {
    [BIOS_ATA_TRANSLATION_AUTO] = "auto",
    [BIOS_ATA_TRANSLATION_NONE] = "none",
    [BIOS_ATA_TRANSLATION_LBA] = "lba",
    [BIOS_ATA_TRANSLATION_LARGE] = "large",
    [BIOS_ATA_TRANSLATION_RECHS] = "rechs",
};

static const QEnumLookup bios_ata_translation_lookup = {
    .array = bios_ata_translation_names,
    .size = G_N_ELEMENTS(bios_ata_translation_names),
};

static const PropertyInfo ide_hd_prop_bios_chs_trans = {
    .name = "BiosAtaTranslation",
    .description = "Logical CHS translation algorithm, "
                   "auto/none/lba/large/rechs",
    .enum_table = &bios_ata_translation_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

static Property ide_hd_properties[] = {
    DEFINE_IDE_DEV_PROPERTIES(),
    DEFINE_BLOCK_CHS_PROPERTIES(IDEDevice, conf),
    DEFINE_PROP_SIGNED("bios-chs-trans", IDEDevice, chs_trans,
                       BIOS_ATA_TRANSLATION_AUTO, ide_hd_prop_bios_chs_trans,
                       int),
    DEFINE_PROP_UINT16("rotation_rate", IDEDevice, rotation_rate, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static bool ide_hd_realize(IDEDevice *dev, Error **errp)
{
    return ide_dev_initfn(dev, IDE_HD, errp);
}

static void ide_hd_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    IDEDeviceClass *k = IDE_DEVICE_CLASS(klass);

    k->realize  = ide_hd_realize;
    dc->desc    = "virtual IDE disk";
    device_class_set_props(dc, ide_hd_properties);
}

static const TypeInfo ide_hd_info = {
    .name          = TYPE_IDE_HD,
    .parent        = TYPE_IDE_DEVICE,
    .instance_size = sizeof(IDEDevice),
    .class_init    = ide_hd_class_init,
};

static void ide_hd_register_types(void)
{
    type_register_static(&ide_hd_info);
}

type_init(ide_hd_register_types)
