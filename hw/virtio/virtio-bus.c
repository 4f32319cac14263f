/*
 * virtio-bus.c - TYPE_VIRTIO_BUS "virtio-bus", the abstract bus between a
 * virtio transport and its one device (QEMU 7.2's hw/virtio/virtio-bus.c).
 * See include/hw/virtio/virtio-bus.h.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/virtio/virtio-bus.h"

bool virtio_bus_device_plugged(VirtIODevice *vdev, Error **errp)
{
    DeviceState *qdev = DEVICE(vdev);
    BusState *qbus = qdev_get_parent_bus(qdev);
    VirtioBusClass *klass;
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(vdev);
    Error *local_err = NULL;

    if (!qbus) {
        error_setg(errp, "virtio device is not plugged into a virtio bus");
        return false;
    }
    klass = VIRTIO_BUS_GET_CLASS(qbus);

    if (klass->pre_plugged) {
        klass->pre_plugged(qbus->parent, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return false;
        }
    }

    /* The features of the plugged device. */
    if (vdc->get_features) {
        vdev->host_features = vdc->get_features(vdev, vdev->host_features,
                                                &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return false;
        }
    }

    if (klass->device_plugged) {
        klass->device_plugged(qbus->parent, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return false;
        }
    }

    vdev->dma_as = klass->get_dma_as ? klass->get_dma_as(qbus->parent)
                                     : address_space_memory_get();
    return true;
}

void virtio_bus_reset(VirtioBusState *bus)
{
    VirtIODevice *vdev = virtio_bus_get_device(bus);

    if (vdev) {
        virtio_reset(vdev);
    }
}

void virtio_bus_device_unplugged(VirtIODevice *vdev)
{
    BusState *qbus = qdev_get_parent_bus(DEVICE(vdev));
    VirtioBusClass *klass;

    if (!qbus) {
        return;
    }
    klass = VIRTIO_BUS_GET_CLASS(qbus);
    if (klass->device_unplugged) {
        klass->device_unplugged(qbus->parent);
    }
}

VirtIODevice *virtio_bus_get_device(VirtioBusState *bus)
{
    BusState *qbus = BUS(bus);
    BusChild *kid;

    if (!qbus->children) {
        return NULL;
    }
    kid = qbus->children->data;
    return kid ? VIRTIO_DEVICE(kid->child) : NULL;
}

uint16_t virtio_bus_get_vdev_id(VirtioBusState *bus)
{
    VirtIODevice *vdev = virtio_bus_get_device(bus);

    return vdev ? vdev->device_id : 0;
}

size_t virtio_bus_get_vdev_config_len(VirtioBusState *bus)
{
    VirtIODevice *vdev = virtio_bus_get_device(bus);

    return vdev ? vdev->config_len : 0;
}

void virtio_bus_get_vdev_config(VirtioBusState *bus, uint8_t *config)
{
    VirtIODevice *vdev = virtio_bus_get_device(bus);
    VirtioDeviceClass *k;

    if (vdev) {
        k = VIRTIO_DEVICE_GET_CLASS(vdev);
        if (k->get_config) {
            k->get_config(vdev, config);
        }
    }
}

void virtio_bus_set_vdev_config(VirtioBusState *bus, uint8_t *config)
{
    VirtIODevice *vdev = virtio_bus_get_device(bus);
    VirtioDeviceClass *k;

    if (vdev) {
        k = VIRTIO_DEVICE_GET_CLASS(vdev);
        if (k->set_config) {
            k->set_config(vdev, config);
        }
    }
}

bool virtio_bus_ioeventfd_enabled(VirtioBusState *bus)
{
    BusState *qbus = BUS(bus);
    VirtioBusClass *k = VIRTIO_BUS_GET_CLASS(bus);

    return k->ioeventfd_enabled && k->ioeventfd_enabled(qbus->parent);
}

bool virtio_bus_set_ioeventfd_ctx(VirtioBusState *bus, AioContext *ctx)
{
    BusState *qbus = BUS(bus);
    VirtioBusClass *k = VIRTIO_BUS_GET_CLASS(bus);

    if (!k->set_ioeventfd_ctx) {
        return false;
    }
    k->set_ioeventfd_ctx(qbus->parent, ctx);
    return true;
}

static void virtio_bus_class_init(ObjectClass *klass, void *data)
{
    BusClass *bc = BUS_CLASS(klass);

    /* One device per transport (QEMU: the proxy's bus holds one). */
    bc->max_dev = 1;
}

static const TypeInfo virtio_bus_info = {
    .name = TYPE_VIRTIO_BUS,
    .parent = TYPE_BUS,
    .instance_size = sizeof(VirtioBusState),
    .abstract = true,
    .class_size = sizeof(VirtioBusClass),
    .class_init = virtio_bus_class_init,
};

static void virtio_bus_register_types(void)
{
    type_register_static(&virtio_bus_info);
}

type_init(virtio_bus_register_types)
