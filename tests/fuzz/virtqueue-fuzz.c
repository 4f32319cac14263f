/*
 * virtqueue-fuzz.c - libFuzzer target for the virtqueue walker
 * (hw/virtio/virtio.c): a hostile guest's rings, descriptor chains,
 * indirect tables and indices against the fake transport and guest RAM of
 * tests/unit/virtio-fake.h.
 *
 * The input is a small program.  Byte 0 chooses the features (bit 0
 * EVENT_IDX, 1 INDIRECT_DESC, 2 VERSION_1, 3 NOTIFY_ON_EMPTY) and bits 4-6
 * the queue size (2 << n); then each operation is one opcode byte and its
 * operands (missing bytes read as 0).  The guest side writes descriptors
 * (with addresses aimed at RAM, region boundaries, ROM, MMIO or anywhere),
 * avail entries and indices, raw ring bytes and the used event; the
 * device side pops (keeping up to 64 elements in flight), pushes,
 * fills/flushes, detaches, unpops, notifies, resets, and re-places the
 * rings.  After each pop every iovec must lie inside guest RAM (writable
 * RAM for device-writable buffers): the target touches each byte of them
 * and aborts on a violation.  ASan/UBSan do the rest.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "../unit/virtio-fake.h"
#include "fuzz-input.h"

#define F_DESC      0x1000
#define F_AVAIL     0x2000      /* 4 + 2 * 256 + 2 bytes max */
#define F_USED      0x3000      /* 4 + 8 * 256 + 2 bytes max */
#define F_ITABLE    0x4000      /* indirect tables: 0x4000 - 0x7fff */
#define MAX_INFLIGHT 64

static DeviceState *proxy;
static VirtIODevice *vdev;
static TvDev *tv;
static VirtQueueElement *inflight[MAX_INFLIGHT];
static unsigned ninflight;
static unsigned qsz;
static uint64_t features;

static void quiet(const char *text, void *opaque)
{
}

/* A guest address from a selector byte and an offset. */
static uint64_t guest_addr(uint8_t sel, uint32_t off)
{
    switch (sel % 8) {
    case 0:
        return TV_RAM0 + (off % 0x10000);           /* ram0 */
    case 1:
        return TV_RAM1 - 0x100 + (off % 0x200);     /* ram0|ram1 border */
    case 2:
        return TV_RAM_END - 0x100 + (off % 0x200);  /* end of RAM, ROM */
    case 3:
        return TV_ROM + (off % 0x1000);
    case 4:
        return TV_MMIO - 0x10 + (off % 0x1020);
    case 5:
        return UINT64_MAX - (off % 0x1000);         /* wraps */
    case 6:
        return F_ITABLE + (off % 0x4000);
    default:
        return ((uint64_t)off << 32) | off;         /* anywhere */
    }
}

static bool in_ram(const void *p, size_t len, bool writable)
{
    const uint8_t *b = p;
    const uint8_t *r0 = memory_region_get_ram_ptr(tv_ram0);
    const uint8_t *r1 = memory_region_get_ram_ptr(tv_ram1);
    const uint8_t *rom = memory_region_get_ram_ptr(tv_rom);

    if (b >= r0 && b + len <= r0 + 0x10000 && b + len >= b) {
        return true;
    }
    if (b >= r1 && b + len <= r1 + 0x10000 && b + len >= b) {
        return true;
    }
    return !writable && b >= rom && b + len <= rom + 0x1000 && b + len >= b;
}

static void check_elem(VirtQueueElement *e)
{
    volatile uint8_t sink = 0;

    if (e->index >= qsz || e->out_num + e->in_num > VIRTQUEUE_MAX_SIZE) {
        abort();
    }
    for (unsigned i = 0; i < e->out_num; i++) {
        if (!e->out_sg[i].iov_len ||
            !in_ram(e->out_sg[i].iov_base, e->out_sg[i].iov_len, false)) {
            abort();
        }
        sink ^= ((uint8_t *)e->out_sg[i].iov_base)[0];
        sink ^= ((uint8_t *)e->out_sg[i].iov_base)[e->out_sg[i].iov_len - 1];
    }
    for (unsigned i = 0; i < e->in_num; i++) {
        if (!e->in_sg[i].iov_len ||
            !in_ram(e->in_sg[i].iov_base, e->in_sg[i].iov_len, true)) {
            abort();
        }
        memset(e->in_sg[i].iov_base, 0xa5, MIN(e->in_sg[i].iov_len, 64));
    }
    (void)sink;
}

static void drop_inflight(void)
{
    for (unsigned i = 0; i < ninflight; i++) {
        g_free(inflight[i]);
    }
    ninflight = 0;
}

static VirtQueueElement *take_oldest(void)
{
    VirtQueueElement *e;

    if (!ninflight) {
        return NULL;
    }
    e = inflight[0];
    memmove(&inflight[0], &inflight[1], --ninflight * sizeof(inflight[0]));
    return e;
}

static void driver_setup(hwaddr desc, hwaddr avail, hwaddr used)
{
    drop_inflight();
    virtio_reset(vdev);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                            VIRTIO_CONFIG_S_DRIVER);
    virtio_set_features(vdev, features);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                            VIRTIO_CONFIG_S_DRIVER |
                            VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_num(vdev, 1, qsz);
    virtio_queue_set_rings(vdev, 1, desc, avail, used);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                            VIRTIO_CONFIG_S_DRIVER |
                            VIRTIO_CONFIG_S_FEATURES_OK |
                            VIRTIO_CONFIG_S_DRIVER_OK);
}

static void wr(hwaddr a, const void *v, size_t n)
{
    memcpy(tv_ram(a), v, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    BusState *bus;
    DeviceState *dev;

    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");
    tv_space_init();
    proxy = qdev_new(TYPE_TV_PROXY);
    qdev_realize(proxy, NULL, &error_abort);
    bus = qbus_new(TYPE_TV_BUS, proxy, "tv-bus.0");
    dev = qdev_new(TYPE_TV_DEV);
    qdev_realize_and_unref(dev, bus, &error_abort);
    vdev = VIRTIO_DEVICE(dev);
    tv = TV_DEV(dev);
    virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    error_report_set_sink(quiet, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    uint8_t cfg = in8(&in);
    VirtQueue *vq = tv->vq[1];
    unsigned ops = 0;

    features = 0;
    if (cfg & 1) {
        features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
    }
    if (cfg & 2) {
        features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
    }
    if (cfg & 4) {
        features |= 1ULL << VIRTIO_F_VERSION_1;
    }
    if (cfg & 8) {
        features |= 1ULL << VIRTIO_F_NOTIFY_ON_EMPTY;
    }
    qsz = 2u << ((cfg >> 4) & 7);
    memset(tv_ram(TV_RAM0), 0, 0x10000);
    memset(tv_ram(TV_RAM1), 0, 0x10000);
    driver_setup(F_DESC, F_AVAIL, F_USED);

    while (in.left && ops++ < 4096) {
        uint8_t op = in8(&in);

        switch (op % 16) {
        case 0: {                               /* pop */
            VirtQueueElement *e = virtqueue_pop(vq, sizeof(*e) + in8(&in));

            if (e) {
                check_elem(e);
                if (ninflight == MAX_INFLIGHT) {
                    VirtQueueElement *old = take_oldest();

                    virtqueue_push(vq, old, 0);
                    g_free(old);
                }
                inflight[ninflight++] = e;
            }
            break;
        }
        case 1: {                               /* push the oldest */
            VirtQueueElement *e = take_oldest();
            uint32_t len = in32(&in);

            if (e) {
                virtqueue_push(vq, e, len);
                g_free(e);
            }
            break;
        }
        case 2: {                               /* fill several, flush */
            unsigned k = in8(&in) % 8 + 1, n = 0;
            VirtQueueElement *e;

            while (n < k && (e = take_oldest())) {
                virtqueue_fill(vq, e, n, n);
                g_free(e);
                n++;
            }
            virtqueue_flush(vq, n);
            break;
        }
        case 3:                                 /* interrupt */
            virtio_notify(vdev, vq);
            break;
        case 4:
            virtio_queue_set_notification(vq, in8(&in) & 1);
            break;
        case 5: {                               /* a descriptor */
            uint16_t slot = in16(&in);
            uint8_t sel = in8(&in);
            uint32_t off = in32(&in);
            uint64_t addr = guest_addr(sel, off);
            uint32_t len = (sel & 0x80) ? in32(&in) : in8(&in) * 16u;
            uint16_t flags = in8(&in) & 7;
            uint16_t next = (sel & 0x40) ? in16(&in) : in8(&in) % qsz;
            /* the main table, or an entry of the indirect area */
            hwaddr table = (slot & 0x8000) ? F_ITABLE : F_DESC;
            unsigned max = (slot & 0x8000) ? 0x400 : qsz;
            hwaddr a = table + 16 * (hwaddr)((slot & 0x7fff) % max);

            wr(a, &addr, 8);
            wr(a + 8, &len, 4);
            wr(a + 12, &flags, 2);
            wr(a + 14, &next, 2);
            break;
        }
        case 6: {                               /* make a head available */
            uint16_t idx, head = in8(&in);

            if (head & 0x80) {
                head = in16(&in);
            } else {
                head %= qsz;
            }
            memcpy(&idx, tv_ram(F_AVAIL + 2), 2);
            wr(F_AVAIL + 4 + 2 * (idx % qsz), &head, 2);
            idx++;
            wr(F_AVAIL + 2, &idx, 2);
            break;
        }
        case 7: {                               /* avail->idx, any value */
            uint16_t idx = in16(&in);

            wr(F_AVAIL + 2, &idx, 2);
            break;
        }
        case 8: {                               /* raw bytes in the rings */
            uint16_t off = in16(&in) % 0x7ff8;
            uint64_t v = in64(&in);

            wr(off, &v, 8);
            break;
        }
        case 9:                                 /* device reset */
            driver_setup(F_DESC, F_AVAIL, F_USED);
            break;
        case 10:                                /* kick: pop all, push */
            tv->auto_complete = true;
            virtio_queue_notify(vdev, 1);
            tv->auto_complete = false;
            break;
        case 11:                                /* unpop the newest */
            if (ninflight) {
                VirtQueueElement *e = inflight[--ninflight];

                virtqueue_unpop(vq, e, 0);
                g_free(e);
            }
            break;
        case 12: {                              /* rings elsewhere */
            uint8_t s = in8(&in);
            uint64_t d = guest_addr(s, in16(&in) << 4);
            uint64_t a = guest_addr(s >> 3, in16(&in));
            uint64_t u = guest_addr(s >> 5, in16(&in));

            driver_setup(d, a, u);
            break;
        }
        case 13: {                              /* used_event */
            uint16_t ev = in16(&in);

            wr(F_AVAIL + 4 + 2 * qsz, &ev, 2);
            break;
        }
        case 14: {                              /* detach the oldest */
            VirtQueueElement *e = take_oldest();

            if (e) {
                virtqueue_detach_element(vq, e, 0);
                g_free(e);
            }
            break;
        }
        default:                                /* queue size change */
            virtio_queue_set_num(vdev, 1, in16(&in));
            break;
        }
    }
    drop_inflight();
    virtio_reset(vdev);
    return 0;
}
