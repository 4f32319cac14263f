/*
 * virtio-fake.h - a fake virtio transport and device on a RAM address
 * space, for test-virtio.c and the virtqueue fuzzer (tests/fuzz/).
 *
 * Types (registered by a constructor in each including file):
 *   "tv-proxy"  a plain device providing a "tv-bus" (a virtio bus whose
 *               notify records the vector and whose DMA space is tv_as)
 *   "tv-dev"    a virtio device (id VIRTIO_ID_BLOCK, 8 bytes of config,
 *               queue 0 of TV_QSZ entries, queue 1 of 256), features
 *               requested | TV_DEV_FEATURE
 *
 * The space (tv_as, "tv"):
 *   0x00000 - 0x0ffff  RAM "tv-ram0"
 *   0x10000 - 0x1ffff  RAM "tv-ram1" (right after ram0: buffers can span)
 *   0x20000 - 0x20fff  ROM "tv-rom"
 *   0x30000 - 0x30fff  MMIO "tv-mmio" (reads 0, ignores writes)
 *   elsewhere          nothing
 */
#ifndef TESTS_UNIT_VIRTIO_FAKE_H
#define TESTS_UNIT_VIRTIO_FAKE_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/memory.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"

#define TYPE_TV_BUS "tv-bus"
#define TYPE_TV_PROXY "tv-proxy"
#define TYPE_TV_DEV "tv-dev"

#define TV_RAM0     0x00000
#define TV_RAM1     0x10000
#define TV_RAM_END  0x20000
#define TV_ROM      0x20000
#define TV_MMIO     0x30000

#define TV_QSZ      8
#define TV_DEV_FEATURE 5            /* a device-specific feature bit */

typedef struct TvDev {
    VirtIODevice parent_obj;
    VirtQueue *vq[2];
    int kicks[2];
    uint8_t cfg[8];
    int set_config_calls;
    int resets;
    bool refuse_features;           /* validate_features fails */
    /* handle_output: pop and push (len 1) everything (fuzzer) */
    bool auto_complete;
} TvDev;
#define TV_DEV(obj) OBJECT_CHECK(TvDev, (obj), TYPE_TV_DEV)

/* What the transport saw. */
static int tv_notifies;
static uint16_t tv_last_vector;

static AddressSpace tv_as;
static MemoryRegion *tv_root, *tv_ram0, *tv_ram1, *tv_rom, *tv_mmio;

static inline uint8_t *tv_ram(hwaddr addr)
{
    if (addr >= TV_RAM1) {
        return (uint8_t *)memory_region_get_ram_ptr(tv_ram1) +
               (addr - TV_RAM1);
    }
    return (uint8_t *)memory_region_get_ram_ptr(tv_ram0) + addr;
}

static inline void tv_space_init(void)
{
    static const MemoryRegionOps mmio_ops = { 0 };

    tv_root = g_new0(MemoryRegion, 1);
    memory_region_init(tv_root, NULL, "tv-root", UINT64_MAX);
    tv_ram0 = g_new0(MemoryRegion, 1);
    memory_region_init_ram(tv_ram0, NULL, "tv-ram0", 0x10000, &error_abort);
    memory_region_add_subregion(tv_root, TV_RAM0, tv_ram0);
    tv_ram1 = g_new0(MemoryRegion, 1);
    memory_region_init_ram(tv_ram1, NULL, "tv-ram1", 0x10000, &error_abort);
    memory_region_add_subregion(tv_root, TV_RAM1, tv_ram1);
    tv_rom = g_new0(MemoryRegion, 1);
    memory_region_init_rom(tv_rom, NULL, "tv-rom", 0x1000, &error_abort);
    memory_region_add_subregion(tv_root, TV_ROM, tv_rom);
    tv_mmio = g_new0(MemoryRegion, 1);
    memory_region_init_io(tv_mmio, NULL, &mmio_ops, NULL, "tv-mmio", 0x1000);
    memory_region_add_subregion(tv_root, TV_MMIO, tv_mmio);
    address_space_init(&tv_as, tv_root, "tv");
}

static inline void tv_space_done(void)
{
    MemoryRegion *mrs[] = { tv_mmio, tv_rom, tv_ram1, tv_ram0, tv_root };

    address_space_destroy(&tv_as);
    for (unsigned i = 0; i < G_N_ELEMENTS(mrs); i++) {
        object_unparent(OBJECT(mrs[i]));
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(mrs); i++) {
        g_free(mrs[i]);
    }
}

/* --- the transport ----------------------------------------------------- */

static void tv_bus_notify(DeviceState *d, uint16_t vector)
{
    tv_notifies++;
    tv_last_vector = vector;
}

static AddressSpace *tv_bus_get_dma_as(DeviceState *d)
{
    return &tv_as;
}

static void tv_bus_class_init(ObjectClass *oc, void *data)
{
    VirtioBusClass *k = VIRTIO_BUS_CLASS(oc);

    k->notify = tv_bus_notify;
    k->get_dma_as = tv_bus_get_dma_as;
}

static const TypeInfo tv_bus_info = {
    .name = TYPE_TV_BUS,
    .parent = TYPE_VIRTIO_BUS,
    .instance_size = sizeof(VirtioBusState),
    .class_size = sizeof(VirtioBusClass),
    .class_init = tv_bus_class_init,
};

static const TypeInfo tv_proxy_info = {
    .name = TYPE_TV_PROXY,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(DeviceState),
};

/* --- the device -------------------------------------------------------- */

static void tv_dev_handle(VirtIODevice *vdev, VirtQueue *vq)
{
    TvDev *s = TV_DEV(vdev);
    VirtQueueElement *elem;

    s->kicks[virtio_get_queue_index(vq)]++;
    if (!s->auto_complete) {
        return;
    }
    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        virtqueue_push(vq, elem, 1);
        g_free(elem);
    }
    virtio_notify(vdev, vq);
}

static uint64_t tv_dev_get_features(VirtIODevice *vdev, uint64_t f,
                                    Error **errp)
{
    return f | (1ULL << TV_DEV_FEATURE);
}

static int tv_dev_validate_features(VirtIODevice *vdev)
{
    return TV_DEV(vdev)->refuse_features ? -EINVAL : 0;
}

static void tv_dev_get_config(VirtIODevice *vdev, uint8_t *config)
{
    memcpy(config, TV_DEV(vdev)->cfg, sizeof(TV_DEV(vdev)->cfg));
}

static void tv_dev_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    TvDev *s = TV_DEV(vdev);

    memcpy(s->cfg, config, sizeof(s->cfg));
    s->set_config_calls++;
}

static void tv_dev_reset(VirtIODevice *vdev)
{
    TV_DEV(vdev)->resets++;
}

static bool tv_dev_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    TvDev *s = TV_DEV(dev);

    virtio_init(vdev, VIRTIO_ID_BLOCK, sizeof(s->cfg));
    s->vq[0] = virtio_add_queue(vdev, TV_QSZ, tv_dev_handle);
    s->vq[1] = virtio_add_queue(vdev, 256, tv_dev_handle);
    return true;
}

static void tv_dev_unrealize(DeviceState *dev)
{
    virtio_cleanup(VIRTIO_DEVICE(dev));
}

static void tv_dev_class_init(ObjectClass *oc, void *data)
{
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(oc);

    vdc->realize = tv_dev_realize;
    vdc->unrealize = tv_dev_unrealize;
    vdc->get_features = tv_dev_get_features;
    vdc->validate_features = tv_dev_validate_features;
    vdc->get_config = tv_dev_get_config;
    vdc->set_config = tv_dev_set_config;
    vdc->reset = tv_dev_reset;
}

static const TypeInfo tv_dev_info = {
    .name = TYPE_TV_DEV,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(TvDev),
    .class_init = tv_dev_class_init,
};

static void __attribute__((constructor)) tv_register_types(void)
{
    type_register_static(&tv_bus_info);
    type_register_static(&tv_proxy_info);
    type_register_static(&tv_dev_info);
}

/* --- the guest's side of a split ring ---------------------------------- */

typedef struct TvRing {
    hwaddr desc, avail, used;
    unsigned num;
    uint16_t avail_idx;             /* the driver's next avail index */
} TvRing;

static inline void tv_desc(TvRing *r, hwaddr table, unsigned i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t *p = tv_ram(table + 16 * (hwaddr)i);

    memcpy(p, &addr, 8);
    memcpy(p + 8, &len, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
}

static inline void tv_st16(hwaddr a, uint16_t v)
{
    memcpy(tv_ram(a), &v, 2);
}

static inline uint16_t tv_ld16(hwaddr a)
{
    uint16_t v;

    memcpy(&v, tv_ram(a), 2);
    return v;
}

static inline uint32_t tv_ld32(hwaddr a)
{
    uint32_t v;

    memcpy(&v, tv_ram(a), 4);
    return v;
}

/* Make @head available (no kick). */
static inline void tv_avail_add(TvRing *r, uint16_t head)
{
    tv_st16(r->avail + 4 + 2 * (r->avail_idx % r->num), head);
    r->avail_idx++;
    tv_st16(r->avail + 2, r->avail_idx);
}

static inline uint16_t tv_used_idx(TvRing *r)
{
    return tv_ld16(r->used + 2);
}

static inline void tv_used_elem(TvRing *r, unsigned i, uint32_t *id,
                                uint32_t *len)
{
    *id = tv_ld32(r->used + 4 + 8 * (i % r->num));
    *len = tv_ld32(r->used + 4 + 8 * (i % r->num) + 4);
}

#endif /* TESTS_UNIT_VIRTIO_FAKE_H */
