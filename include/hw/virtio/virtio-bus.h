/*
 * virtio-bus.h - the bus between a virtio transport (virtio-pci) and the
 * virtio device plugged into it (QEMU 7.2's include/hw/virtio/virtio-bus.h).
 *
 * A transport creates one VirtioBusState (a subclass of TYPE_VIRTIO_BUS,
 * e.g. "virtio-pci-bus", with its VirtioBusClass hooks filled in) as its
 * child bus; exactly one TYPE_VIRTIO_DEVICE plugs into it.  When that
 * device is realized the core calls virtio_bus_device_plugged(): the
 * transport's pre_plugged, the device's get_features (host_features),
 * the transport's device_plugged, and the DMA address space.
 */
#ifndef HW_VIRTIO_VIRTIO_BUS_H
#define HW_VIRTIO_VIRTIO_BUS_H

#include "hw/core/qdev.h"
#include "hw/virtio/virtio.h"
#include "block/aio.h"

#define TYPE_VIRTIO_BUS "virtio-bus"
OBJECT_DECLARE_TYPE(VirtioBusState, VirtioBusClass, VIRTIO_BUS)

struct VirtioBusClass {
    /* private: */
    BusClass parent;
    /* public: what a transport implements; @d is the transport device
     * (the bus's parent).  All optional. */

    /* Interrupt the guest on @vector (VIRTIO_NO_VECTOR: INTx / none).
     * May be called from the thread processing a queue (iothread). */
    void (*notify)(DeviceState *d, uint16_t vector);
    /* Before / after the device's features are known (errp: refuse). */
    void (*pre_plugged)(DeviceState *d, Error **errp);
    void (*device_plugged)(DeviceState *d, Error **errp);
    void (*device_unplugged)(DeviceState *d);
    int (*query_nvectors)(DeviceState *d);
    /* Is ioeventfd in use for @d's queues. */
    bool (*ioeventfd_enabled)(DeviceState *d);
    /* Watch the queues' ioeventfds on @ctx (an iothread's; NULL: the
     * main loop) from now on; restarts them if they run (dataplane). */
    void (*set_ioeventfd_ctx)(DeviceState *d, AioContext *ctx);
    /* Queue @n enabled by the driver (modern queue_enable). */
    bool (*queue_enabled)(DeviceState *d, int n);
    /* Legacy layout with a variable alignment (not virtio-pci). */
    bool has_variable_vring_alignment;
    /* The address space ring and buffer addresses refer to; NULL: the
     * machine's memory (address_space_memory_get()). */
    AddressSpace *(*get_dma_as)(DeviceState *d);
};

struct VirtioBusState {
    /* private: */
    BusState parent_obj;
    /* public: */
    int ioeventfd_grabbed;
};

/* Called by virtio-device's realize once the device's own realize ran. */
bool virtio_bus_device_plugged(VirtIODevice *vdev, Error **errp);
/* Reset the plugged device (virtio_reset), if any. */
void virtio_bus_reset(VirtioBusState *bus);
void virtio_bus_device_unplugged(VirtIODevice *vdev);
/* The device on @bus (borrowed), or NULL. */
VirtIODevice *virtio_bus_get_device(VirtioBusState *bus);
uint16_t virtio_bus_get_vdev_id(VirtioBusState *bus);
size_t virtio_bus_get_vdev_config_len(VirtioBusState *bus);
void virtio_bus_get_vdev_config(VirtioBusState *bus, uint8_t *config);
void virtio_bus_set_vdev_config(VirtioBusState *bus, uint8_t *config);
bool virtio_bus_ioeventfd_enabled(VirtioBusState *bus);
/* The transport's set_ioeventfd_ctx; false if it has none. */
bool virtio_bus_set_ioeventfd_ctx(VirtioBusState *bus, AioContext *ctx);

#endif /* HW_VIRTIO_VIRTIO_BUS_H */
