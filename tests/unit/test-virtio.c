/*
 * test-virtio.c - the virtio core (hw/virtio/virtio.c, virtio-bus.c) on a
 * fake transport over a RAM address space (virtio-fake.h): plugging and
 * features, config space, queue setup and its validation, pop/push/flush,
 * buffers across regions, indirect tables, notification suppression
 * (flags and event index), index wrap-around, and every validation
 * failure: virtio_error, DEVICE_NEEDS_RESET, no more pops, and the device
 * usable again after a reset.
 *
 * Ring layout used by the tests (queue 0, TV_QSZ entries):
 *   desc 0x1000, avail 0x2000, used 0x3000; buffers from 0x8000.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "harness.h"
#include "virtio-fake.h"

#define DESC    0x1000
#define AVAIL   0x2000
#define USED    0x3000
#define BUF     0x8000
#define ITABLE  0x5000          /* indirect tables */

#define FEAT(b) (1ULL << (b))
#define MODERN  (FEAT(VIRTIO_F_VERSION_1) | FEAT(VIRTIO_RING_F_INDIRECT_DESC))

static DeviceState *proxy;
static VirtIODevice *vdev;
static TvDev *tv;
static TvRing ring;
static GString *errors;

static void capture(const char *text, void *opaque)
{
    g_string_append(errors, text);
}

/* The proxy, its bus and the device on it. */
static void fx_init_props(const char *prop, bool val)
{
    BusState *bus;
    DeviceState *dev;

    tv_space_init();
    proxy = qdev_new(TYPE_TV_PROXY);
    object_property_add_child(container_get(object_get_root(), "/test"),
                              "proxy", OBJECT(proxy));
    object_unref(proxy);
    qdev_realize(proxy, NULL, &error_abort);
    bus = qbus_new(TYPE_TV_BUS, proxy, "tv-bus.0");
    dev = qdev_new(TYPE_TV_DEV);
    if (prop) {
        object_property_set_bool(OBJECT(dev), prop, val, &error_abort);
    }
    qdev_realize_and_unref(dev, bus, &error_abort);
    vdev = VIRTIO_DEVICE(dev);
    tv = TV_DEV(dev);
    tv_notifies = 0;
    tv_last_vector = 0;
    memset(&ring, 0, sizeof(ring));
    ring = (TvRing){ .desc = DESC, .avail = AVAIL, .used = USED,
                     .num = TV_QSZ };
    g_string_truncate(errors, 0);
    error_report_set_sink(capture, NULL);
}

static void fx_init(void)
{
    fx_init_props(NULL, false);
}

static void fx_done(void)
{
    error_report_set_sink(NULL, NULL);
    object_unparent(container_get(object_get_root(), "/test"));
    tv_space_done();
}

/* The driver's start-up: features, then queue 0 on DESC/AVAIL/USED. */
static void drv_setup(uint64_t features)
{
    memset(tv_ram(0), 0, 0x10000);
    memset(tv_ram(0x10000), 0, 0x10000);
    ring.avail_idx = 0;
    CU_ASSERT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER), 0);
    CU_ASSERT_EQUAL(virtio_set_features(vdev, features), 0);
    CU_ASSERT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK), 0);
    virtio_queue_set_num(vdev, 0, TV_QSZ);
    virtio_queue_set_rings(vdev, 0, DESC, AVAIL, USED);
    CU_ASSERT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK |
                                      VIRTIO_CONFIG_S_DRIVER_OK), 0);
}

static VirtQueueElement *pop0(void)
{
    return virtqueue_pop(tv->vq[0], sizeof(VirtQueueElement));
}

/* One out buffer (16 bytes at BUF) and one in buffer (16 at BUF+0x100):
 * pop it, check it, push it. */
static void good_request(void)
{
    VirtQueueElement *e;
    uint32_t id, len;
    uint16_t used = tv_used_idx(&ring);

    tv_desc(&ring, DESC, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
    tv_desc(&ring, DESC, 1, BUF + 0x100, 16, VRING_DESC_F_WRITE, 0);
    tv_avail_add(&ring, 0);
    e = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->index, 0);
    CU_ASSERT_EQUAL(e->out_num, 1);
    CU_ASSERT_EQUAL(e->in_num, 1);
    CU_ASSERT_PTR_EQUAL(e->out_sg[0].iov_base, tv_ram(BUF));
    CU_ASSERT_EQUAL(e->out_sg[0].iov_len, 16);
    CU_ASSERT_PTR_EQUAL(e->in_sg[0].iov_base, tv_ram(BUF + 0x100));
    CU_ASSERT_EQUAL(e->in_addr[0], BUF + 0x100);
    virtqueue_push(tv->vq[0], e, 16);
    g_free(e);
    CU_ASSERT_EQUAL(tv_used_idx(&ring), (uint16_t)(used + 1));
    tv_used_elem(&ring, used, &id, &len);
    CU_ASSERT_EQUAL(id, 0);
    CU_ASSERT_EQUAL(len, 16);
}

/*
 * After something bad: the error was reported (containing @msg), the
 * device is broken with NEEDS_RESET (@modern), pops return NULL; then a
 * reset and a new setup make it work again.
 */
static void expect_broken(const char *msg, bool modern)
{
    if (!strstr(errors->str, msg)) {
        fprintf(stderr, "expected \"%s\", got \"%s\"\n", msg, errors->str);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(errors->str, msg));
    CU_ASSERT_TRUE(vdev->broken);
    CU_ASSERT_EQUAL(!!(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET), modern);
    CU_ASSERT_PTR_NULL(pop0());
    CU_ASSERT_TRUE(virtio_queue_empty(tv->vq[0]));
    g_string_truncate(errors, 0);
    virtio_reset(vdev);
    CU_ASSERT_FALSE(vdev->broken);
    CU_ASSERT_EQUAL(vdev->status, 0);
    CU_ASSERT_FALSE(virtio_queue_enabled(vdev, 0));
    drv_setup(modern ? MODERN : FEAT(VIRTIO_RING_F_INDIRECT_DESC));
    good_request();
    CU_ASSERT_EQUAL(errors->len, 0);
}

/* --- plugging, features, status ------------------------------------- */

static void test_plug_features(void)
{
    fx_init();
    CU_ASSERT_STRING_EQUAL(vdev->name, "virtio-blk");
    CU_ASSERT_EQUAL(vdev->device_id, VIRTIO_ID_BLOCK);
    CU_ASSERT_PTR_EQUAL(vdev->dma_as, &tv_as);
    CU_ASSERT_PTR_EQUAL(virtio_bus_get_device(VIRTIO_BUS(
                            qdev_get_parent_bus(DEVICE(vdev)))), vdev);
    CU_ASSERT_EQUAL(virtio_get_num_queues(vdev), 2);
    CU_ASSERT_EQUAL(virtio_queue_get_max_num(vdev, 1), 256);
    /* the common properties (QEMU 7.2 defaults) and the device's bit */
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC));
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_F_NOTIFY_ON_EMPTY));
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_F_ANY_LAYOUT));
    CU_ASSERT_FALSE(virtio_host_has_feature(vdev, VIRTIO_F_RING_PACKED));
    CU_ASSERT_FALSE(virtio_host_has_feature(vdev, VIRTIO_F_IOMMU_PLATFORM));
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, TV_DEV_FEATURE));
    /* the transport (here: the test) offers VERSION_1 */
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);

    /* bits not offered are dropped, and said so */
    CU_ASSERT_EQUAL(virtio_set_features(vdev, FEAT(VIRTIO_F_VERSION_1) |
                                        FEAT(50)), -1);
    CU_ASSERT_EQUAL(vdev->guest_features, FEAT(VIRTIO_F_VERSION_1));
    CU_ASSERT_EQUAL(virtio_set_features(vdev, FEAT(VIRTIO_F_VERSION_1) |
                                        FEAT(VIRTIO_RING_F_EVENT_IDX)), 0);
    CU_ASSERT_TRUE(virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    /* FEATURES_OK refused by the device: status unchanged */
    tv->refuse_features = true;
    CU_ASSERT_NOT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                          VIRTIO_CONFIG_S_DRIVER |
                                          VIRTIO_CONFIG_S_FEATURES_OK), 0);
    CU_ASSERT_FALSE(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    tv->refuse_features = false;
    CU_ASSERT_EQUAL(virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                                      VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK), 0);
    /* no more changes after FEATURES_OK */
    CU_ASSERT_EQUAL(virtio_set_features(vdev, 0), -EINVAL);
    CU_ASSERT_TRUE(virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    /* reset: device reset called, everything back */
    virtio_reset(vdev);
    CU_ASSERT_EQUAL(tv->resets, 1);
    CU_ASSERT_EQUAL(vdev->guest_features, 0);
    CU_ASSERT_EQUAL(vdev->status, 0);
    CU_ASSERT_EQUAL(vdev->config_vector, VIRTIO_NO_VECTOR);
    fx_done();

    /* a common property turned off */
    fx_init_props("indirect_desc", false);
    CU_ASSERT_FALSE(virtio_host_has_feature(vdev,
                                            VIRTIO_RING_F_INDIRECT_DESC));
    CU_ASSERT_TRUE(virtio_host_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX));
    fx_done();
}

static void test_config(void)
{
    fx_init();
    memcpy(tv->cfg, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    CU_ASSERT_EQUAL(virtio_config_readb(vdev, 0), 0x01);
    CU_ASSERT_EQUAL(virtio_config_readw(vdev, 2), 0x0403);
    CU_ASSERT_EQUAL(virtio_config_readl(vdev, 4), 0x08070605);
    CU_ASSERT_EQUAL(virtio_config_modern_readl(vdev, 0), 0x04030201);
    /* out of range: all ones, writes ignored */
    CU_ASSERT_EQUAL(virtio_config_readl(vdev, 5), 0xffffffff);
    CU_ASSERT_EQUAL(virtio_config_readb(vdev, 8), 0xffffffff);
    CU_ASSERT_EQUAL(virtio_config_readl(vdev, 0xfffffffe), 0xffffffff);
    virtio_config_writel(vdev, 6, 0);
    virtio_config_modern_writel(vdev, UINT32_MAX, 0);
    CU_ASSERT_EQUAL(tv->set_config_calls, 0);
    virtio_config_writew(vdev, 0, 0xbeef);
    CU_ASSERT_EQUAL(tv->set_config_calls, 1);
    CU_ASSERT_EQUAL(tv->cfg[0], 0xef);
    CU_ASSERT_EQUAL(tv->cfg[1], 0xbe);
    virtio_config_modern_writeb(vdev, 7, 0x77);
    CU_ASSERT_EQUAL(tv->cfg[7], 0x77);

    /* config interrupts only once DRIVER_OK */
    vdev->config_vector = 3;
    virtio_notify_config(vdev);
    CU_ASSERT_EQUAL(tv_notifies, 0);
    CU_ASSERT_EQUAL(vdev->isr, 0);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_DRIVER_OK);
    virtio_notify_config(vdev);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    CU_ASSERT_EQUAL(tv_last_vector, 3);
    CU_ASSERT_EQUAL(vdev->generation, 1);
    CU_ASSERT_EQUAL(virtio_isr_read_and_clear(vdev), 3);
    CU_ASSERT_EQUAL(vdev->isr, 0);
    fx_done();
}

/* --- queue setup ---------------------------------------------------- */

static void test_queue_setup(void)
{
    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    /* sizes: a power of two within the maximum; never 0 */
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 1), 256);
    virtio_queue_set_num(vdev, 1, 100);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 1), 256);
    virtio_queue_set_num(vdev, 1, 512);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 1), 256);
    virtio_queue_set_num(vdev, 1, 0);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 1), 256);
    virtio_queue_set_num(vdev, 1, -4);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 1), 256);
    virtio_queue_set_num(vdev, 1, 64);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 1), 64);
    /* a queue that does not exist stays so; bad indices are ignored */
    virtio_queue_set_num(vdev, 2, 8);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 2), 0);
    virtio_queue_set_num(vdev, -1, 8);
    virtio_queue_set_num(vdev, VIRTIO_QUEUE_MAX, 8);
    virtio_queue_set_rings(vdev, VIRTIO_QUEUE_MAX + 5, DESC, AVAIL, USED);
    virtio_queue_set_rings(vdev, 7, DESC, AVAIL, USED);
    virtio_queue_notify(vdev, -1);
    virtio_queue_notify(vdev, 7);
    virtio_queue_notify(vdev, 65535);
    CU_ASSERT_FALSE(virtio_queue_enabled(vdev, 7));
    CU_ASSERT_EQUAL(errors->len, 0);

    /* good rings; sizes as QEMU reports them */
    drv_setup(MODERN);
    CU_ASSERT_TRUE(virtio_queue_enabled(vdev, 0));
    CU_ASSERT_EQUAL(virtio_queue_get_desc_size(vdev, 0), 16 * TV_QSZ);
    CU_ASSERT_EQUAL(virtio_queue_get_avail_size(vdev, 0), 4 + 2 * TV_QSZ);
    CU_ASSERT_EQUAL(virtio_queue_get_used_size(vdev, 0), 4 + 8 * TV_QSZ);
    good_request();
    /* a live ring is neither resized nor moved */
    virtio_queue_set_num(vdev, 0, 4);
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 0), TV_QSZ);
    virtio_queue_set_rings(vdev, 0, 0x4000, AVAIL, USED);
    CU_ASSERT_EQUAL(virtio_queue_get_desc_addr(vdev, 0), DESC);
    good_request();
    CU_ASSERT_EQUAL(errors->len, 0);
    virtio_reset(vdev);

    /* misaligned rings */
    drv_setup(MODERN);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, DESC + 8, AVAIL, USED);
    expect_broken("misaligned ring", true);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, DESC, AVAIL + 1, USED);
    expect_broken("misaligned ring", true);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, DESC, AVAIL, USED + 2);
    expect_broken("misaligned ring", true);

    /* rings not wholly in RAM: MMIO, a hole, past the end, ROM for used,
     * wrapping around */
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, TV_MMIO, AVAIL, USED);
    expect_broken("Cannot map desc", true);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, DESC, 0x40000, USED);
    expect_broken("Cannot map avail", true);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, DESC, AVAIL, TV_RAM_END - 4 * 8);
    expect_broken("Cannot map used", true);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, DESC, AVAIL, TV_ROM);
    expect_broken("Cannot map used", true);
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, UINT64_MAX - 15, AVAIL, USED);
    expect_broken("Cannot map desc", true);
    /* rings across the two RAM regions are not one piece of memory */
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, TV_RAM1 - 64, AVAIL, USED);
    expect_broken("Cannot map desc", true);
    /* the desc ring may be in ROM (read only) */
    virtio_reset(vdev);
    virtio_set_features(vdev, MODERN);
    virtio_queue_set_rings(vdev, 0, TV_ROM, AVAIL, USED);
    CU_ASSERT_FALSE(vdev->broken);
    virtio_reset(vdev);
    fx_done();
}

static void test_legacy_layout(void)
{
    fx_init();
    /* no VERSION_1: the legacy layout, 4096-byte aligned used ring */
    CU_ASSERT_EQUAL(virtio_set_features(vdev,
                    FEAT(VIRTIO_RING_F_INDIRECT_DESC)), 0);
    virtio_queue_set_addr(vdev, 0, 0x4000);
    CU_ASSERT_EQUAL(virtio_queue_get_addr(vdev, 0), 0x4000);
    CU_ASSERT_EQUAL(virtio_queue_get_avail_addr(vdev, 0), 0x4000 + 16 * 8);
    CU_ASSERT_EQUAL(virtio_queue_get_used_addr(vdev, 0), 0x5000);
    ring.desc = 0x4000;
    ring.avail = 0x4000 + 16 * 8;
    ring.used = 0x5000;
    virtio_set_status(vdev, VIRTIO_CONFIG_S_DRIVER_OK);
    tv_desc(&ring, ring.desc, 0, BUF, 100, 0, 0);
    tv_avail_add(&ring, 0);
    /* a kick runs the handler */
    virtio_queue_notify(vdev, 0);
    CU_ASSERT_EQUAL(tv->kicks[0], 1);
    {
        VirtQueueElement *e = pop0();

        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        CU_ASSERT_EQUAL(e->out_num, 1);
        CU_ASSERT_EQUAL(e->in_num, 0);
        virtqueue_push(tv->vq[0], e, 0);
        g_free(e);
    }
    CU_ASSERT_EQUAL(tv_used_idx(&ring), 1);
    /* address 0 unmaps */
    virtio_queue_set_addr(vdev, 0, 0);
    CU_ASSERT_FALSE(virtio_queue_enabled(vdev, 0));
    CU_ASSERT_PTR_NULL(pop0());
    /* a legacy device is broken without NEEDS_RESET (QEMU) */
    virtio_queue_set_addr(vdev, 0, 0x40000000);
    CU_ASSERT_TRUE(vdev->broken);
    CU_ASSERT_FALSE(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
    virtio_reset(vdev);
    /* a page frame number near 2^64 does not wrap */
    virtio_queue_set_addr(vdev, 0, UINT64_MAX & ~0xfffULL);
    CU_ASSERT_TRUE(vdev->broken);
    virtio_reset(vdev);
    /* a kick on a broken device does nothing */
    virtio_queue_set_addr(vdev, 0, 0x4000);
    vdev->broken = true;
    virtio_queue_notify(vdev, 0);
    CU_ASSERT_EQUAL(tv->kicks[0], 1);
    virtio_reset(vdev);
    fx_done();
}

/* --- pop / push ----------------------------------------------------- */

static void test_pop_push(void)
{
    VirtQueueElement *e[3];
    uint32_t id, len;

    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN);
    CU_ASSERT_TRUE(virtio_queue_empty(tv->vq[0]));
    CU_ASSERT_PTR_NULL(pop0());
    good_request();
    CU_ASSERT_EQUAL(tv_notifies, 0);

    /* three chains, completed out of order with fill/flush */
    tv_desc(&ring, DESC, 2, BUF, 8, 0, 0);
    tv_desc(&ring, DESC, 3, BUF + 8, 8, VRING_DESC_F_NEXT, 4);
    tv_desc(&ring, DESC, 4, BUF + 16, 8, VRING_DESC_F_NEXT, 5);
    tv_desc(&ring, DESC, 5, BUF + 24, 8, VRING_DESC_F_WRITE, 0);
    tv_desc(&ring, DESC, 6, BUF + 32, 8, VRING_DESC_F_WRITE, 0);
    tv_avail_add(&ring, 2);
    tv_avail_add(&ring, 3);
    tv_avail_add(&ring, 6);
    CU_ASSERT_FALSE(virtio_queue_empty(tv->vq[0]));
    for (int i = 0; i < 3; i++) {
        e[i] = virtqueue_pop(tv->vq[0], sizeof(VirtQueueElement) + 100);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e[i]);
    }
    CU_ASSERT_PTR_NULL(pop0());
    CU_ASSERT_EQUAL(e[1]->index, 3);
    CU_ASSERT_EQUAL(e[1]->out_num, 2);
    CU_ASSERT_EQUAL(e[1]->in_num, 1);
    CU_ASSERT_EQUAL(e[1]->out_addr[1], BUF + 16);
    CU_ASSERT_EQUAL(e[2]->out_num, 0);
    CU_ASSERT_EQUAL(e[2]->in_num, 1);
    virtqueue_fill(tv->vq[0], e[2], 5, 0);
    virtqueue_fill(tv->vq[0], e[0], 6, 1);
    CU_ASSERT_EQUAL(tv_used_idx(&ring), 1);     /* not yet published */
    virtqueue_flush(tv->vq[0], 2);
    CU_ASSERT_EQUAL(tv_used_idx(&ring), 3);
    tv_used_elem(&ring, 1, &id, &len);
    CU_ASSERT_EQUAL(id, 6);
    CU_ASSERT_EQUAL(len, 5);
    tv_used_elem(&ring, 2, &id, &len);
    CU_ASSERT_EQUAL(id, 2);
    virtqueue_push(tv->vq[0], e[1], 1);
    g_free(e[1]);
    /* unpop gives the last chain back */
    tv_avail_add(&ring, 3);
    e[1] = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e[1]);
    virtqueue_unpop(tv->vq[0], e[1], 0);
    g_free(e[1]);
    e[1] = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e[1]);
    CU_ASSERT_EQUAL(e[1]->index, 3);
    CU_ASSERT_PTR_NULL(pop0());
    virtqueue_push(tv->vq[0], e[1], 1);
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    CU_ASSERT_EQUAL(virtio_isr_read_and_clear(vdev), 1);
    for (int i = 0; i < 3; i++) {
        g_free(e[i]);
    }
    CU_ASSERT_EQUAL(errors->len, 0);
    virtio_reset(vdev);
    fx_done();
}

/* More than 65536 requests: the 16-bit indices wrap. */
static void test_wrap(void)
{
    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN | FEAT(VIRTIO_RING_F_EVENT_IDX));
    tv_desc(&ring, DESC, 0, BUF, 16, 0, 0);
    for (unsigned i = 0; i < 70000; i++) {
        VirtQueueElement *e;

        tv_avail_add(&ring, 0);
        e = pop0();
        if (!e) {
            CU_FAIL("pop failed");
            break;
        }
        virtqueue_push(tv->vq[0], e, 1);
        g_free(e);
    }
    CU_ASSERT_EQUAL(tv_used_idx(&ring), (uint16_t)70000);
    CU_ASSERT_EQUAL(virtio_queue_get_last_avail_idx(vdev, 0),
                    (uint16_t)70000);
    CU_ASSERT_EQUAL(errors->len, 0);
    virtio_reset(vdev);
    fx_done();
}

static void test_buffers(void)
{
    VirtQueueElement *e;

    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN);
    /* a buffer over both RAM regions: two pieces */
    tv_desc(&ring, DESC, 0, TV_RAM1 - 16, 48, VRING_DESC_F_WRITE, 0);
    tv_avail_add(&ring, 0);
    e = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->in_num, 2);
    CU_ASSERT_PTR_EQUAL(e->in_sg[0].iov_base, tv_ram(TV_RAM1 - 16));
    CU_ASSERT_EQUAL(e->in_sg[0].iov_len, 16);
    CU_ASSERT_PTR_EQUAL(e->in_sg[1].iov_base, tv_ram(TV_RAM1));
    CU_ASSERT_EQUAL(e->in_sg[1].iov_len, 32);
    CU_ASSERT_EQUAL(e->in_addr[1], TV_RAM1);
    virtqueue_push(tv->vq[0], e, 0);
    g_free(e);
    /* read-only buffers may be in ROM */
    tv_desc(&ring, DESC, 0, TV_ROM, 4096, 0, 0);
    tv_avail_add(&ring, 0);
    e = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    virtqueue_push(tv->vq[0], e, 0);
    g_free(e);
    CU_ASSERT_EQUAL(errors->len, 0);

    /* device-writable buffer in ROM */
    tv_desc(&ring, DESC, 0, TV_ROM, 16, VRING_DESC_F_WRITE, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("bogus descriptor", true);
    /* buffer in MMIO */
    tv_desc(&ring, DESC, 0, TV_MMIO, 16, 0, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("bogus descriptor", true);
    /* buffer running off the end of RAM into ROM, for writing */
    tv_desc(&ring, DESC, 0, TV_RAM_END - 8, 16, VRING_DESC_F_WRITE, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("bogus descriptor", true);
    /* buffer in a hole */
    tv_desc(&ring, DESC, 0, 0x100000, 16, 0, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("bogus descriptor", true);
    /* (addr, len) wrapping around 2^64 */
    tv_desc(&ring, DESC, 0, UINT64_MAX - 3, 16, 0, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("bogus descriptor", true);
    tv_desc(&ring, DESC, 0, UINT64_MAX, 0xffffffff, 0, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("bogus descriptor", true);
    /* zero-sized buffer */
    tv_desc(&ring, DESC, 0, BUF, 0, 0, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("zero sized buffers are not allowed", true);
    /* out after in */
    tv_desc(&ring, DESC, 0, BUF, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
            1);
    tv_desc(&ring, DESC, 1, BUF, 16, 0, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Incorrect order for descriptors", true);
    virtio_reset(vdev);
    fx_done();
}

/* --- ring indices and chains ---------------------------------------- */

static void test_bad_chains(void)
{
    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN);

    /* avail->idx more than the queue size ahead */
    tv_st16(AVAIL + 2, TV_QSZ + 1);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Guest moved used index from 0 to 9", true);
    /* ... also backwards (seen as 65535 ahead) */
    good_request();
    tv_st16(AVAIL + 2, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Guest moved used index from 2 to 0", true);
    /* exactly the queue size ahead is fine */
    for (int i = 0; i < TV_QSZ; i++) {
        tv_desc(&ring, DESC, i, BUF + 16 * i, 16, 0, 0);
        tv_avail_add(&ring, i);
    }
    {
        VirtQueueElement *e[TV_QSZ];

        for (int i = 0; i < TV_QSZ; i++) {
            e[i] = pop0();
            CU_ASSERT_PTR_NOT_NULL_FATAL(e[i]);
        }
        CU_ASSERT_PTR_NULL(pop0());
        /* more in flight than the ring holds */
        tv_avail_add(&ring, 0);
        CU_ASSERT_PTR_NULL(pop0());
        for (int i = 0; i < TV_QSZ; i++) {
            g_free(e[i]);
        }
        expect_broken("Virtqueue size exceeded", true);
    }
    /* head index out of range */
    tv_avail_add(&ring, TV_QSZ);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Guest says index 8 is available", true);
    tv_avail_add(&ring, 0xffff);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Guest says index 65535 is available", true);
    /* next out of range */
    tv_desc(&ring, DESC, 0, BUF, 16, VRING_DESC_F_NEXT, TV_QSZ);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Desc next is 8", true);
    /* a loop: 0 -> 1 -> 0 */
    tv_desc(&ring, DESC, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
    tv_desc(&ring, DESC, 1, BUF, 16, VRING_DESC_F_NEXT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Looped descriptor", true);
    /* a self loop */
    tv_desc(&ring, DESC, 3, BUF, 16, VRING_DESC_F_NEXT, 3);
    tv_avail_add(&ring, 3);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Looped descriptor", true);
    /* a chain using every descriptor once is fine */
    for (int i = 0; i < TV_QSZ; i++) {
        tv_desc(&ring, DESC, i, BUF + 16 * i, 16,
                i < TV_QSZ - 1 ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    tv_avail_add(&ring, 0);
    {
        VirtQueueElement *e = pop0();

        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        CU_ASSERT_EQUAL(e->out_num, TV_QSZ);
        virtqueue_push(tv->vq[0], e, 0);
        g_free(e);
    }
    CU_ASSERT_EQUAL(errors->len, 0);
    virtio_reset(vdev);
    fx_done();
}

static void test_indirect(void)
{
    VirtQueueElement *e;

    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN);
    /* a table of three: out, out, in */
    tv_desc(&ring, ITABLE, 0, BUF, 16, VRING_DESC_F_NEXT, 2);
    tv_desc(&ring, ITABLE, 2, BUF + 16, 16, VRING_DESC_F_NEXT, 1);
    tv_desc(&ring, ITABLE, 1, BUF + 32, 16, VRING_DESC_F_WRITE, 0);
    tv_desc(&ring, DESC, 5, ITABLE, 48, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 5);
    e = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->index, 5);
    CU_ASSERT_EQUAL(e->out_num, 2);
    CU_ASSERT_EQUAL(e->in_num, 1);
    CU_ASSERT_EQUAL(e->out_addr[1], BUF + 16);
    CU_ASSERT_EQUAL(e->in_addr[0], BUF + 32);
    virtqueue_push(tv->vq[0], e, 16);
    g_free(e);
    /* a table of 1024 entries (the maximum) */
    for (int i = 0; i < VIRTQUEUE_MAX_SIZE; i++) {
        tv_desc(&ring, 0x4000, i, BUF, 4,
                i < VIRTQUEUE_MAX_SIZE - 1 ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    tv_desc(&ring, DESC, 0, 0x4000, 16 * VIRTQUEUE_MAX_SIZE,
            VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    e = pop0();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->out_num, VIRTQUEUE_MAX_SIZE);
    virtqueue_push(tv->vq[0], e, 0);
    g_free(e);
    CU_ASSERT_EQUAL(errors->len, 0);

    /* sizes: 0, not a multiple of 16, more than VIRTQUEUE_MAX_SIZE */
    tv_desc(&ring, DESC, 0, ITABLE, 0, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Invalid size for indirect buffer table", true);
    tv_desc(&ring, DESC, 0, ITABLE, 40, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Invalid size for indirect buffer table", true);
    tv_desc(&ring, DESC, 0, ITABLE, 16 * (VIRTQUEUE_MAX_SIZE + 1),
            VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Indirect buffer table too large", true);
    /* table not in RAM, or over two regions */
    tv_desc(&ring, DESC, 0, TV_MMIO, 32, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Cannot map indirect buffer", true);
    tv_desc(&ring, DESC, 0, TV_RAM1 - 16, 32, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Cannot map indirect buffer", true);
    tv_desc(&ring, DESC, 0, UINT64_MAX - 15, 32, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Cannot map indirect buffer", true);
    /* nested */
    tv_desc(&ring, ITABLE, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
    tv_desc(&ring, ITABLE, 1, ITABLE, 32, VRING_DESC_F_INDIRECT, 0);
    tv_desc(&ring, DESC, 0, ITABLE, 32, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Nested indirect descriptor", true);
    /* next beyond the table (but within the queue) */
    tv_desc(&ring, ITABLE, 0, BUF, 16, VRING_DESC_F_NEXT, 2);
    tv_desc(&ring, DESC, 0, ITABLE, 32, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Desc next is 2", true);
    /* a loop inside the table */
    tv_desc(&ring, ITABLE, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
    tv_desc(&ring, ITABLE, 1, BUF, 16, VRING_DESC_F_NEXT, 0);
    tv_desc(&ring, DESC, 0, ITABLE, 32, VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("Looped descriptor", true);
    /* more than VIRTQUEUE_MAX_SIZE pieces: 1024 buffers each over two
     * regions */
    for (int i = 0; i < VIRTQUEUE_MAX_SIZE; i++) {
        tv_desc(&ring, 0x4000, i, TV_RAM1 - 8, 16,
                i < VIRTQUEUE_MAX_SIZE - 1 ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    tv_desc(&ring, DESC, 0, 0x4000, 16 * VIRTQUEUE_MAX_SIZE,
            VRING_DESC_F_INDIRECT, 0);
    tv_avail_add(&ring, 0);
    CU_ASSERT_PTR_NULL(pop0());
    expect_broken("too many write descriptors", true);
    virtio_reset(vdev);
    fx_done();
}

/* --- notification suppression --------------------------------------- */

static void test_notify_flags(void)
{
    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN);
    virtio_queue_set_vector(vdev, 0, 2);
    CU_ASSERT_EQUAL(virtio_queue_vector(vdev, 0), 2);
    good_request();
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    CU_ASSERT_EQUAL(tv_last_vector, 2);
    /* the driver asks for no interrupts */
    tv_st16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    good_request();
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    tv_st16(AVAIL, 0);
    /* the device asks for no kicks */
    virtio_queue_set_notification(tv->vq[0], 0);
    CU_ASSERT_EQUAL(tv_ld16(USED), VRING_USED_F_NO_NOTIFY);
    CU_ASSERT_FALSE(virtio_queue_get_notification(tv->vq[0]));
    virtio_queue_set_notification(tv->vq[0], 1);
    CU_ASSERT_EQUAL(tv_ld16(USED), 0);
    /* NOTIFY_ON_EMPTY overrides NO_INTERRUPT when nothing is left */
    virtio_reset(vdev);
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN | FEAT(VIRTIO_F_NOTIFY_ON_EMPTY));
    tv_st16(AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    good_request();
    tv_notifies = 0;
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    /* no interrupts from a broken device */
    virtio_error(vdev, "test");
    tv_notifies = 0;
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 0);
    virtio_reset(vdev);
    fx_done();
}

static void test_event_idx(void)
{
    const hwaddr used_event = AVAIL + 4 + 2 * TV_QSZ;
    const hwaddr avail_event = USED + 4 + 8 * TV_QSZ;

    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN | FEAT(VIRTIO_RING_F_EVENT_IDX));
    CU_ASSERT_EQUAL(virtio_queue_get_avail_size(vdev, 0), 6 + 2 * TV_QSZ);
    CU_ASSERT_EQUAL(virtio_queue_get_used_size(vdev, 0), 6 + 8 * TV_QSZ);
    /* the first completion always interrupts */
    good_request();
    CU_ASSERT_EQUAL(tv_ld16(avail_event), 1);   /* pop: last_avail_idx */
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    /* the driver wants an interrupt after used index 3 (i.e. when it
     * becomes 4): completions 2 and 3 are quiet, 4 interrupts */
    tv_st16(used_event, 3);
    good_request();
    virtio_notify(vdev, tv->vq[0]);
    good_request();
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    good_request();
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 2);
    good_request();
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 2);
    /* batches: two completions, one interrupt when the event is inside */
    tv_st16(used_event, 5);
    tv_desc(&ring, DESC, 2, BUF, 16, 0, 0);
    tv_desc(&ring, DESC, 3, BUF, 16, 0, 0);
    tv_avail_add(&ring, 2);
    tv_avail_add(&ring, 3);
    {
        VirtQueueElement *a = pop0(), *b = pop0();

        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        virtqueue_fill(tv->vq[0], a, 0, 0);
        virtqueue_fill(tv->vq[0], b, 0, 1);
        virtqueue_flush(tv->vq[0], 2);
        g_free(a);
        g_free(b);
    }
    virtio_notify(vdev, tv->vq[0]);
    CU_ASSERT_EQUAL(tv_notifies, 3);
    /* set_notification publishes the avail index as the avail event */
    tv_st16(AVAIL + 2, ring.avail_idx);
    virtio_queue_set_notification(tv->vq[0], 1);
    CU_ASSERT_EQUAL(tv_ld16(avail_event), ring.avail_idx);
    CU_ASSERT_EQUAL(tv_ld16(USED), 0);      /* flags untouched */
    CU_ASSERT_EQUAL(errors->len, 0);
    virtio_reset(vdev);
    fx_done();
}

static void test_kick_handler(void)
{
    fx_init();
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    drv_setup(MODERN);
    tv->auto_complete = true;
    tv_desc(&ring, DESC, 0, BUF, 16, 0, 0);
    tv_avail_add(&ring, 0);
    tv_avail_add(&ring, 0);
    virtio_queue_notify(vdev, 0);
    CU_ASSERT_EQUAL(tv->kicks[0], 1);
    CU_ASSERT_EQUAL(tv_used_idx(&ring), 2);
    CU_ASSERT_EQUAL(tv_notifies, 1);
    /* queue 1 not set up: no handler call */
    virtio_queue_notify(vdev, 1);
    CU_ASSERT_EQUAL(tv->kicks[1], 0);
    /* queue reset (RING_RESET) forgets one queue */
    virtio_queue_reset(vdev, 0);
    CU_ASSERT_FALSE(virtio_queue_enabled(vdev, 0));
    CU_ASSERT_EQUAL(virtio_queue_get_num(vdev, 0), TV_QSZ);
    virtio_queue_reset(vdev, VIRTIO_QUEUE_MAX);
    virtio_reset(vdev);
    fx_done();
}

int main(int argc, char **argv)
{
    errors = g_string_new(NULL);
    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");

    harness_add("/virtio/plug-features", test_plug_features);
    harness_add("/virtio/config", test_config);
    harness_add("/virtio/queue/setup", test_queue_setup);
    harness_add("/virtio/queue/legacy-layout", test_legacy_layout);
    harness_add("/virtio/pop/push", test_pop_push);
    harness_add("/virtio/pop/wrap", test_wrap);
    harness_add("/virtio/pop/buffers", test_buffers);
    harness_add("/virtio/pop/bad-chains", test_bad_chains);
    harness_add("/virtio/pop/indirect", test_indirect);
    harness_add("/virtio/notify/flags", test_notify_flags);
    harness_add("/virtio/notify/event-idx", test_event_idx);
    harness_add("/virtio/notify/kick", test_kick_handler);
    return harness_run(argc, argv);
}
