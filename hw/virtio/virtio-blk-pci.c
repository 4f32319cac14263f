/*
 * virtio-blk-pci.c - "virtio-blk-pci", virtio-blk on the PCI transport
 * (QEMU 7.2's hw/virtio/virtio-blk-pci.c and virtio_pci_types_register):
 *
 *   virtio-pci (abstract)
 *    └─ virtio-blk-pci-base (abstract): "class", "ioeventfd", "vectors"
 *        ├─ virtio-blk-pci: "disable-legacy", "disable-modern"
 *        ├─ virtio-blk-pci-transitional: legacy and modern
 *        └─ virtio-blk-pci-non-transitional: modern only
 *
 * 1af4:1001 (transitional; modern-only 1af4:1042), class 0100, the
 * virtio-blk-device as child "virtio-backend" on the bus "virtio-bus",
 * its properties (drive, serial, num-queues, ...) aliased on the proxy.
 * num-queues defaults to one queue per vCPU, vectors to num-queues + 1.
 * "-device virtio-blk" is this type (qdev's alias table), and so is
 * -drive if=virtio.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/qdev-properties.h"
#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-blk.h"

#define TYPE_VIRTIO_BLK_PCI "virtio-blk-pci-base"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOBlkPCI, VIRTIO_BLK_PCI)

struct VirtIOBlkPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOBlock vdev;
};

static Property virtio_blk_pci_properties[] = {
    DEFINE_PROP_UINT32("class", VirtIOPCIProxy, class_code, 0),
    DEFINE_PROP_BIT("ioeventfd", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_USE_IOEVENTFD_BIT, true),
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors,
                       DEV_NVECTORS_UNSPECIFIED),
    DEFINE_PROP_END_OF_LIST(),
};

static bool virtio_blk_pci_realize(VirtIOPCIProxy *vpci_dev, Error **errp)
{
    VirtIOBlkPCI *dev = VIRTIO_BLK_PCI(vpci_dev);
    VirtIOBlkConf *conf = &dev->vdev.conf;

    if (conf->num_queues == VIRTIO_BLK_AUTO_NUM_QUEUES) {
        conf->num_queues = virtio_pci_optimal_num_queues(0);
    }
    if (vpci_dev->nvectors == DEV_NVECTORS_UNSPECIFIED) {
        vpci_dev->nvectors = conf->num_queues + 1;
    }
    return qdev_realize(DEVICE(&dev->vdev), BUS(&vpci_dev->bus), errp);
}

static void virtio_blk_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    device_class_set_category(dc, DEVICE_CATEGORY_STORAGE);
    device_class_set_props(dc, virtio_blk_pci_properties);
    k->realize = virtio_blk_pci_realize;
    pcidev_k->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pcidev_k->device_id = PCI_DEVICE_ID_VIRTIO_BLOCK;
    pcidev_k->revision = 0;
    pcidev_k->class_id = PCI_CLASS_STORAGE_SCSI;
}

static void virtio_blk_pci_instance_init(Object *obj)
{
    VirtIOBlkPCI *dev = VIRTIO_BLK_PCI(obj);

    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VIRTIO_BLK);
}

static const TypeInfo virtio_blk_pci_base_info = {
    .name = TYPE_VIRTIO_BLK_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOBlkPCI),
    .instance_init = virtio_blk_pci_instance_init,
    .class_init = virtio_blk_pci_class_init,
    .abstract = true,
};

/* --- the generic, transitional and non-transitional types --- */

static Property virtio_pci_generic_properties[] = {
    DEFINE_PROP_ON_OFF_AUTO("disable-legacy", VirtIOPCIProxy, disable_legacy,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BOOL("disable-modern", VirtIOPCIProxy, disable_modern, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_pci_generic_class_init(ObjectClass *klass, void *data)
{
    device_class_set_props(DEVICE_CLASS(klass),
                           virtio_pci_generic_properties);
}

static void virtio_pci_transitional_instance_init(Object *obj)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(obj);

    proxy->disable_legacy = ON_OFF_AUTO_OFF;
    proxy->disable_modern = false;
}

static void virtio_pci_non_transitional_instance_init(Object *obj)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(obj);

    proxy->disable_legacy = ON_OFF_AUTO_ON;
    proxy->disable_modern = false;
}

static const TypeInfo virtio_blk_pci_generic_info = {
    .name = "virtio-blk-pci",
    .parent = TYPE_VIRTIO_BLK_PCI,
    .instance_size = sizeof(VirtIOBlkPCI),
    .class_init = virtio_pci_generic_class_init,
};

static const TypeInfo virtio_blk_pci_transitional_info = {
    .name = "virtio-blk-pci-transitional",
    .parent = TYPE_VIRTIO_BLK_PCI,
    .instance_size = sizeof(VirtIOBlkPCI),
    .instance_init = virtio_pci_transitional_instance_init,
};

static const TypeInfo virtio_blk_pci_non_transitional_info = {
    .name = "virtio-blk-pci-non-transitional",
    .parent = TYPE_VIRTIO_BLK_PCI,
    .instance_size = sizeof(VirtIOBlkPCI),
    .instance_init = virtio_pci_non_transitional_instance_init,
};

static void virtio_blk_pci_register_types(void)
{
    type_register_static(&virtio_blk_pci_base_info);
    type_register_static(&virtio_blk_pci_generic_info);
    type_register_static(&virtio_blk_pci_transitional_info);
    type_register_static(&virtio_blk_pci_non_transitional_info);
}

type_init(virtio_blk_pci_register_types)
