/*
 * virtio.c - the virtio device core and TYPE_VIRTIO_DEVICE
 * "virtio-device" (QEMU 7.2's hw/virtio/virtio.c, split rings only).
 * See include/hw/virtio/virtio.h and docs/devel/virtio.md.
 *
 * Hardening.  Every value read from guest memory is copied once into a
 * local and validated before use:
 *   - rings: mapped once (when their addresses are set) as host pointers
 *     on a pinned FlatView; each must be aligned (16/2/4) and wholly in
 *     guest RAM, else virtio_error();
 *   - avail->idx at most the queue size ahead of last_avail_idx;
 *   - heads and next indices below the table size; chains no longer than
 *     the table (a loop is an error); in buffers after out buffers;
 *   - indirect tables: non-zero multiple of 16 bytes, at most
 *     VIRTQUEUE_MAX_SIZE entries, one piece of RAM, never nested;
 *   - buffers: non-empty, (addr, len) without wrap-around, every byte
 *     RAM (writable RAM for device-writable buffers), split at region
 *     boundaries; at most VIRTQUEUE_MAX_SIZE pieces per chain.
 * Ring entries the device writes (used ring, avail_event) are written
 * with 16/32-bit relaxed atomics, ring entries it reads with relaxed
 * atomic loads, descriptors with a copy followed by a compiler barrier,
 * so a guest changing them concurrently cannot make a validated value
 * change under our feet.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "util/log.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio-bus.h"

#define smp_mb()   __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()  __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()  __atomic_thread_fence(__ATOMIC_RELEASE)
#define barrier()  __asm__ __volatile__("" ::: "memory")

/* @n rounded up to a multiple of @m (a power of two). */
#define VIRTIO_ALIGN_UP(n, m) (((n) + (m) - 1) & ~((__typeof__(n))(m) - 1))

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

G_STATIC_ASSERT(sizeof(VRingDesc) == 16);

/* Offsets in the avail ring: flags, idx, ring[num], used_event. */
#define VRING_AVAIL_FLAGS   0
#define VRING_AVAIL_IDX     2
#define VRING_AVAIL_RING    4
/* Offsets in the used ring: flags, idx, ring[num] (8 bytes each),
 * avail_event. */
#define VRING_USED_FLAGS    0
#define VRING_USED_IDX      2
#define VRING_USED_RING     4

/* A FlatView that elements popped from a queue point into. */
typedef struct VirtQueueView {
    FlatView *fv;               /* referenced */
    unsigned inflight;          /* elements popped with it, not returned */
} VirtQueueView;

typedef struct VRing {
    unsigned int num;           /* current size (0: no queue) */
    unsigned int num_default;   /* the device's maximum */
    unsigned int align;         /* legacy layout */
    hwaddr desc;
    hwaddr avail;
    hwaddr used;
    /* Host mappings, valid while @fv is held; all NULL or all set. */
    FlatView *fv;
    const uint8_t *desc_p;
    uint8_t *avail_p;
    uint8_t *used_p;
    unsigned int mapped_num;    /* num when mapped */
} VRing;

struct VirtQueue {
    VRing vring;
    /* Next avail entry to pop. */
    uint16_t last_avail_idx;
    /* Last avail->idx read (validated: at most num ahead). */
    uint16_t shadow_avail_idx;
    uint16_t used_idx;
    /* Last used index value we notified about (event index). */
    uint16_t signalled_used;
    bool signalled_used_valid;
    bool notification;
    uint16_t queue_index;
    unsigned int inuse;
    uint16_t vector;
    VirtIOHandleOutput handle_output;
    VirtIODevice *vdev;
    /* Scratch space of pop: out pieces from 0 up, in pieces after them. */
    struct iovec *iov;
    hwaddr *addr;
    /* Views elements point into; the last one is the current view. */
    VirtQueueView *views;
    unsigned int nviews;
    unsigned int nviews_alloc;
};

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

static const char *const virtio_device_names[] = {
    [VIRTIO_ID_NET] = "virtio-net",
    [VIRTIO_ID_BLOCK] = "virtio-blk",
    [VIRTIO_ID_CONSOLE] = "virtio-serial",
    [VIRTIO_ID_RNG] = "virtio-rng",
    [VIRTIO_ID_BALLOON] = "virtio-balloon",
    [VIRTIO_ID_SCSI] = "virtio-scsi",
    [VIRTIO_ID_9P] = "virtio-9p",
    [VIRTIO_ID_GPU] = "virtio-gpu",
    [VIRTIO_ID_INPUT] = "virtio-input",
    [VIRTIO_ID_VSOCK] = "vhost-vsock",
    [VIRTIO_ID_CRYPTO] = "virtio-crypto",
    [VIRTIO_ID_IOMMU] = "virtio-iommu",
    [VIRTIO_ID_MEM] = "virtio-mem",
    [VIRTIO_ID_FS] = "virtio-user-fs",
    [VIRTIO_ID_PMEM] = "virtio-pmem",
};

const char *virtio_id_to_name(uint16_t device_id)
{
    if (device_id < G_N_ELEMENTS(virtio_device_names)) {
        return virtio_device_names[device_id];
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Ring access (host pointers into guest RAM)                           */
/* ------------------------------------------------------------------ */

static inline uint16_t ring_ld16(const uint8_t *p)
{
    return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static inline void ring_st16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

static inline void ring_st32(uint8_t *p, uint32_t v)
{
    __atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

static inline uint16_t vring_avail_flags(VirtQueue *vq)
{
    return ring_ld16(vq->vring.avail_p + VRING_AVAIL_FLAGS);
}

static inline uint16_t vring_avail_idx(VirtQueue *vq)
{
    return ring_ld16(vq->vring.avail_p + VRING_AVAIL_IDX);
}

static inline uint16_t vring_avail_ring(VirtQueue *vq, unsigned int i)
{
    return ring_ld16(vq->vring.avail_p + VRING_AVAIL_RING + 2 * i);
}

/* used_event: the avail ring's last entry (mapped whenever the host
 * offers RING_EVENT_IDX, so whenever the guest may negotiate it). */
static inline uint16_t vring_get_used_event(VirtQueue *vq)
{
    return vring_avail_ring(vq, vq->vring.mapped_num);
}

static inline void vring_set_avail_event(VirtQueue *vq, uint16_t val)
{
    ring_st16(vq->vring.used_p + VRING_USED_RING + 8 * vq->vring.mapped_num,
              val);
}

static inline void vring_used_write(VirtQueue *vq, uint32_t id,
                                    uint32_t len, unsigned int i)
{
    uint8_t *p = vq->vring.used_p + VRING_USED_RING + 8 * i;

    ring_st32(p, id);
    ring_st32(p + 4, len);
}

static inline uint16_t vring_used_flags(VirtQueue *vq)
{
    return ring_ld16(vq->vring.used_p + VRING_USED_FLAGS);
}

static inline void vring_used_flags_set(VirtQueue *vq, uint16_t flags)
{
    ring_st16(vq->vring.used_p + VRING_USED_FLAGS, flags);
}

/* Copy descriptor @i of @table; the barrier makes the copy the only
 * read of guest memory (no re-load after validation). */
static inline void vring_desc_read(const uint8_t *table, unsigned int i,
                                   VRingDesc *desc)
{
    memcpy(desc, table + (size_t)i * sizeof(VRingDesc), sizeof(*desc));
    barrier();
    desc->addr = le64toh(desc->addr);
    desc->len = le32toh(desc->len);
    desc->flags = le16toh(desc->flags);
    desc->next = le16toh(desc->next);
}

/* ------------------------------------------------------------------ */
/* Ring mapping                                                         */
/* ------------------------------------------------------------------ */

static bool virtio_event_idx_possible(VirtIODevice *vdev)
{
    return virtio_host_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX) ||
           virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX);
}

static hwaddr vring_desc_size(unsigned int num)
{
    return (hwaddr)sizeof(VRingDesc) * num;
}

static hwaddr vring_avail_size(VirtIODevice *vdev, unsigned int num)
{
    return VRING_AVAIL_RING + 2 * (hwaddr)num +
           (virtio_event_idx_possible(vdev) ? 2 : 0);
}

static hwaddr vring_used_size(VirtIODevice *vdev, unsigned int num)
{
    return VRING_USED_RING + 8 * (hwaddr)num +
           (virtio_event_idx_possible(vdev) ? 2 : 0);
}

static void virtio_vring_unmap(VirtQueue *vq)
{
    VRing *vr = &vq->vring;

    vr->desc_p = NULL;
    vr->avail_p = NULL;
    vr->used_p = NULL;
    vr->mapped_num = 0;
    if (vr->fv) {
        flatview_unref(vr->fv);
        vr->fv = NULL;
    }
}

/*
 * Map the three rings of queue @n (QEMU's virtio_init_region_cache).
 * Not mapped (and a virtio_error) unless each is aligned and wholly in
 * RAM.  A desc address of 0 leaves the queue unmapped (disabled).
 */
static void virtio_vring_map(VirtIODevice *vdev, int n)
{
    VirtQueue *vq = &vdev->vq[n];
    VRing *vr = &vq->vring;
    FlatView *fv;
    const void *desc_p;
    void *avail_p, *used_p;

    virtio_vring_unmap(vq);
    if (!vr->desc || !vr->num || !vdev->dma_as) {
        return;
    }
    if ((vr->desc & 15) || (vr->avail & 1) || (vr->used & 3)) {
        virtio_error(vdev, "virtio: queue %d: misaligned ring "
                     "(desc 0x%" HWADDR_PRIx ", avail 0x%" HWADDR_PRIx
                     ", used 0x%" HWADDR_PRIx ")", n, vr->desc, vr->avail,
                     vr->used);
        return;
    }
    fv = address_space_get_flatview(vdev->dma_as);
    desc_p = flatview_map_ram(fv, vr->desc, vring_desc_size(vr->num), false);
    if (!desc_p) {
        virtio_error(vdev, "Cannot map desc");
        goto fail;
    }
    avail_p = flatview_map_ram(fv, vr->avail,
                               vring_avail_size(vdev, vr->num), false);
    if (!avail_p) {
        virtio_error(vdev, "Cannot map avail");
        goto fail;
    }
    used_p = flatview_map_ram(fv, vr->used, vring_used_size(vdev, vr->num),
                              true);
    if (!used_p) {
        virtio_error(vdev, "Cannot map used");
        goto fail;
    }
    vr->fv = fv;
    vr->desc_p = desc_p;
    vr->avail_p = avail_p;
    vr->used_p = used_p;
    vr->mapped_num = vr->num;
    return;

fail:
    flatview_unref(fv);
}

/* ------------------------------------------------------------------ */
/* Views of popped elements                                             */
/* ------------------------------------------------------------------ */

/* The current view of the device's space, for translating a new chain. */
static FlatView *virtqueue_current_view(VirtQueue *vq)
{
    AddressSpace *as = vq->vdev->dma_as;
    FlatView *fv;

    /* Fast path: the space still shows the view we hold a reference on
     * (comparing pointers only; ours cannot be freed, so no ABA). */
    if (vq->nviews &&
        __atomic_load_n(&as->current, __ATOMIC_ACQUIRE) ==
        vq->views[vq->nviews - 1].fv) {
        return vq->views[vq->nviews - 1].fv;
    }
    fv = address_space_get_flatview(as);
    /* Drop the previous current view if nothing points into it. */
    if (vq->nviews && vq->views[vq->nviews - 1].inflight == 0) {
        flatview_unref(vq->views[vq->nviews - 1].fv);
        vq->nviews--;
    }
    if (vq->nviews == vq->nviews_alloc) {
        vq->nviews_alloc = vq->nviews_alloc ? 2 * vq->nviews_alloc : 2;
        vq->views = g_renew(VirtQueueView, vq->views, vq->nviews_alloc);
    }
    vq->views[vq->nviews].fv = fv;
    vq->views[vq->nviews].inflight = 0;
    vq->nviews++;
    return fv;
}

static void virtqueue_view_get(VirtQueue *vq, FlatView *fv)
{
    for (unsigned int i = vq->nviews; i-- > 0;) {
        if (vq->views[i].fv == fv) {
            vq->views[i].inflight++;
            return;
        }
    }
}

/* An element of @fv came back: drop old views nothing points into. */
static void virtqueue_view_put(VirtQueue *vq, FlatView *fv)
{
    unsigned int i;

    if (!fv) {
        return;
    }
    for (i = vq->nviews; i-- > 0;) {
        if (vq->views[i].fv == fv) {
            break;
        }
    }
    if (i == (unsigned int)-1) {
        return;                 /* popped before a reset */
    }
    if (vq->views[i].inflight) {
        vq->views[i].inflight--;
    }
    if (vq->views[i].inflight == 0 && i != vq->nviews - 1) {
        flatview_unref(vq->views[i].fv);
        memmove(&vq->views[i], &vq->views[i + 1],
                (vq->nviews - i - 1) * sizeof(vq->views[0]));
        vq->nviews--;
    }
}

static void virtqueue_views_release(VirtQueue *vq)
{
    for (unsigned int i = 0; i < vq->nviews; i++) {
        flatview_unref(vq->views[i].fv);
    }
    vq->nviews = 0;
}

/* ------------------------------------------------------------------ */
/* Errors, interrupts                                                   */
/* ------------------------------------------------------------------ */

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);

    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        vdev->status = vdev->status | VIRTIO_CONFIG_S_NEEDS_RESET;
        virtio_notify_config(vdev);
    }
    vdev->broken = true;
}

static void virtio_set_isr(VirtIODevice *vdev, int value)
{
    uint8_t old = __atomic_load_n(&vdev->isr, __ATOMIC_RELAXED);

    /* Don't dirty the cache line when the bits are set already. */
    if ((old & value) != value) {
        __atomic_fetch_or(&vdev->isr, value, __ATOMIC_SEQ_CST);
    }
}

uint8_t virtio_isr_read_and_clear(VirtIODevice *vdev)
{
    return __atomic_exchange_n(&vdev->isr, 0, __ATOMIC_SEQ_CST);
}

static void virtio_notify_vector(VirtIODevice *vdev, uint16_t vector)
{
    BusState *qbus = qdev_get_parent_bus(DEVICE(vdev));
    VirtioBusClass *k;

    if (virtio_device_disabled(vdev) || !qbus) {
        return;
    }
    k = VIRTIO_BUS_GET_CLASS(qbus);
    if (k->notify) {
        k->notify(qbus->parent, vector);
    }
}

void virtio_update_irq(VirtIODevice *vdev)
{
    virtio_notify_vector(vdev, VIRTIO_NO_VECTOR);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    virtio_set_isr(vdev, 0x3);
    vdev->generation++;
    virtio_notify_vector(vdev, vdev->config_vector);
}

int virtio_queue_empty(VirtQueue *vq)
{
    if (!vq->vring.avail_p || vq->vdev->broken) {
        return 1;
    }
    if (vq->shadow_avail_idx != vq->last_avail_idx) {
        return 0;
    }
    /* Not validated here: a bad index is reported when popping. */
    return vring_avail_idx(vq) == vq->last_avail_idx;
}

bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    uint16_t old, new;
    bool v;

    if (!vq->vring.avail_p) {
        return false;
    }
    /* Expose the used entries before reading the used event. */
    smp_mb();
    /* Always notify when the queue is empty (when acknowledged). */
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_NOTIFY_ON_EMPTY) &&
        !vq->inuse && virtio_queue_empty(vq)) {
        return true;
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return !(vring_avail_flags(vq) & VRING_AVAIL_F_NO_INTERRUPT);
    }
    v = vq->signalled_used_valid;
    vq->signalled_used_valid = true;
    old = vq->signalled_used;
    new = vq->signalled_used = vq->used_idx;
    return !v || vring_need_event(vring_get_used_event(vq), new, old);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (!virtio_should_notify(vdev, vq)) {
        return;
    }
    virtio_set_isr(vdev, 0x1);
    virtio_notify_vector(vdev, vq->vector);
}

void virtio_queue_set_notification(VirtQueue *vq, int enable)
{
    vq->notification = enable;
    if (!vq->vring.used_p) {
        return;
    }
    if (virtio_vdev_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_set_avail_event(vq, vring_avail_idx(vq));
    } else if (enable) {
        vring_used_flags_set(vq, vring_used_flags(vq) &
                                 ~VRING_USED_F_NO_NOTIFY);
    } else {
        vring_used_flags_set(vq, vring_used_flags(vq) |
                                 VRING_USED_F_NO_NOTIFY);
    }
    if (enable) {
        /* Expose avail event / used flags before the caller checks the
         * avail index again. */
        smp_mb();
    }
}

bool virtio_queue_get_notification(VirtQueue *vq)
{
    return vq->notification;
}

int virtio_queue_ready(VirtQueue *vq)
{
    return vq->vring.avail != 0;
}

/* ------------------------------------------------------------------ */
/* Popping                                                              */
/* ------------------------------------------------------------------ */

/* Available chains, after validating avail->idx (QEMU's
 * virtqueue_num_heads); -EINVAL if the guest moved it too far. */
static int virtqueue_num_heads(VirtQueue *vq, unsigned int idx)
{
    uint16_t avail_idx = vring_avail_idx(vq);
    uint16_t num_heads = avail_idx - idx;

    if (num_heads > vq->vring.mapped_num) {
        virtio_error(vq->vdev, "Guest moved used index from %u to %u",
                     idx, avail_idx);
        return -EINVAL;
    }
    vq->shadow_avail_idx = avail_idx;
    /* Read the ring entries only after the index. */
    if (num_heads) {
        smp_rmb();
    }
    return num_heads;
}

/*
 * Translate the buffer [pa, pa + sz) to host pieces appended at
 * iov[*p_num_sg], at most @max_num_sg in all (QEMU's virtqueue_map_desc,
 * on a pinned view: every byte must be RAM, writable if @is_write).
 */
static bool virtqueue_map_desc(VirtIODevice *vdev, FlatView *fv,
                               unsigned int *p_num_sg, hwaddr *addr,
                               struct iovec *iov, unsigned int max_num_sg,
                               bool is_write, hwaddr pa, uint32_t sz)
{
    unsigned int num_sg = *p_num_sg;
    hwaddr left = sz;

    if (!sz) {
        virtio_error(vdev, "virtio: zero sized buffers are not allowed");
        return false;
    }
    if (sz - 1 > UINT64_MAX - pa) {
        virtio_error(vdev, "virtio: bogus descriptor or out of resources");
        return false;
    }
    while (left) {
        const FlatRange *fr;
        hwaddr len = left;
        void *p;

        if (num_sg == max_num_sg) {
            virtio_error(vdev, "virtio: too many write descriptors in "
                         "indirect table");
            return false;
        }
        /* Common case: the whole rest is one piece of RAM. */
        p = flatview_map_ram(fv, pa, len, is_write);
        if (!p) {
            fr = flatview_lookup(fv, pa);
            if (fr) {
                len = MIN(len - 1, fr->last - pa) + 1;
                p = flatview_map_ram(fv, pa, len, is_write);
            }
            if (!p) {
                virtio_error(vdev,
                             "virtio: bogus descriptor or out of resources");
                return false;
            }
        }
        iov[num_sg].iov_base = p;
        iov[num_sg].iov_len = len;
        addr[num_sg] = pa;
        num_sg++;
        left -= len;
        pa += len;
    }
    *p_num_sg = num_sg;
    return true;
}

static void *virtqueue_alloc_element(size_t sz, unsigned out_num,
                                     unsigned in_num)
{
    VirtQueueElement *elem;
    size_t in_addr_ofs = VIRTIO_ALIGN_UP(sz, __alignof__(elem->in_addr[0]));
    size_t out_addr_ofs = in_addr_ofs + in_num * sizeof(elem->in_addr[0]);
    size_t out_addr_end = out_addr_ofs + out_num * sizeof(elem->out_addr[0]);
    size_t in_sg_ofs = VIRTIO_ALIGN_UP(out_addr_end,
                                     __alignof__(elem->in_sg[0]));
    size_t out_sg_ofs = in_sg_ofs + in_num * sizeof(elem->in_sg[0]);
    size_t out_sg_end = out_sg_ofs + out_num * sizeof(elem->out_sg[0]);

    g_assert(sz >= sizeof(VirtQueueElement));
    elem = g_malloc(out_sg_end);
    elem->out_num = out_num;
    elem->in_num = in_num;
    elem->in_addr = (void *)elem + in_addr_ofs;
    elem->out_addr = (void *)elem + out_addr_ofs;
    elem->in_sg = (void *)elem + in_sg_ofs;
    elem->out_sg = (void *)elem + out_sg_ofs;
    return elem;
}

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned int out_num = 0, in_num = 0, elem_entries = 0;
    unsigned int i, head, max, num;
    const uint8_t *table;
    bool indirect = false;
    VirtQueueElement *elem;
    VRingDesc desc;
    FlatView *fv;

    if (vdev->broken || !vq->vring.desc_p) {
        return NULL;
    }
    num = vq->vring.mapped_num;
    if (vq->shadow_avail_idx == vq->last_avail_idx) {
        int heads = virtqueue_num_heads(vq, vq->last_avail_idx);

        if (heads <= 0) {
            return NULL;
        }
    } else {
        smp_rmb();  /* entries after the index read earlier */
    }
    if (vq->inuse >= num) {
        virtio_error(vdev, "Virtqueue size exceeded");
        return NULL;
    }

    head = vring_avail_ring(vq, vq->last_avail_idx & (num - 1));
    if (head >= num) {
        virtio_error(vdev, "Guest says index %u is available", head);
        return NULL;
    }

    fv = virtqueue_current_view(vq);
    table = vq->vring.desc_p;
    max = num;
    i = head;
    vring_desc_read(table, i, &desc);
    if (desc.flags & VRING_DESC_F_INDIRECT) {
        if (!desc.len || (desc.len % sizeof(VRingDesc))) {
            virtio_error(vdev, "Invalid size for indirect buffer table");
            return NULL;
        }
        if (desc.len / sizeof(VRingDesc) > VIRTQUEUE_MAX_SIZE) {
            virtio_error(vdev, "Indirect buffer table too large: %u "
                         "descriptors", desc.len / (unsigned)sizeof(VRingDesc));
            return NULL;
        }
        table = flatview_map_ram(fv, desc.addr, desc.len, false);
        if (!table) {
            virtio_error(vdev, "Cannot map indirect buffer");
            return NULL;
        }
        max = desc.len / sizeof(VRingDesc);
        indirect = true;
        i = 0;
        vring_desc_read(table, i, &desc);
    }

    /* Collect all the descriptors. */
    for (;;) {
        bool map_ok;

        if (indirect && (desc.flags & VRING_DESC_F_INDIRECT)) {
            virtio_error(vdev, "Nested indirect descriptor");
            return NULL;
        }
        if (desc.flags & VRING_DESC_F_WRITE) {
            map_ok = virtqueue_map_desc(vdev, fv, &in_num,
                                        vq->addr + out_num,
                                        vq->iov + out_num,
                                        VIRTQUEUE_MAX_SIZE - out_num, true,
                                        desc.addr, desc.len);
        } else {
            if (in_num) {
                virtio_error(vdev, "Incorrect order for descriptors");
                return NULL;
            }
            map_ok = virtqueue_map_desc(vdev, fv, &out_num, vq->addr,
                                        vq->iov, VIRTQUEUE_MAX_SIZE, false,
                                        desc.addr, desc.len);
        }
        if (!map_ok) {
            return NULL;
        }
        /* More descriptors than the table holds: a loop. */
        if (++elem_entries >= max && (desc.flags & VRING_DESC_F_NEXT)) {
            virtio_error(vdev, "Looped descriptor");
            return NULL;
        }
        if (!(desc.flags & VRING_DESC_F_NEXT)) {
            break;
        }
        if (desc.next >= max) {
            virtio_error(vdev, "Desc next is %u", desc.next);
            return NULL;
        }
        i = desc.next;
        vring_desc_read(table, i, &desc);
    }

    /* Now copy what we have collected and mapped. */
    elem = virtqueue_alloc_element(sz, out_num, in_num);
    elem->index = head;
    elem->len = 0;
    elem->ndescs = 1;
    elem->fv = fv;
    memcpy(elem->out_addr, vq->addr, out_num * sizeof(hwaddr));
    memcpy(elem->out_sg, vq->iov, out_num * sizeof(struct iovec));
    memcpy(elem->in_addr, vq->addr + out_num, in_num * sizeof(hwaddr));
    memcpy(elem->in_sg, vq->iov + out_num, in_num * sizeof(struct iovec));
    virtqueue_view_get(vq, fv);

    vq->last_avail_idx++;
    if (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_set_avail_event(vq, vq->last_avail_idx);
    }
    vq->inuse++;
    return elem;
}

/* ------------------------------------------------------------------ */
/* Returning                                                            */
/* ------------------------------------------------------------------ */

static void virtqueue_release_element(VirtQueue *vq,
                                      const VirtQueueElement *elem)
{
    VirtQueueElement *e = (VirtQueueElement *)elem;

    virtqueue_view_put(vq, e->fv);
    e->fv = NULL;
}

void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned int len)
{
    if (vq->inuse) {
        vq->inuse--;
    }
    virtqueue_release_element(vq, elem);
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned int len)
{
    vq->last_avail_idx--;
    virtqueue_detach_element(vq, elem, len);
}

bool virtqueue_rewind(VirtQueue *vq, unsigned int num)
{
    if (num > vq->inuse) {
        return false;
    }
    vq->last_avail_idx -= num;
    vq->inuse -= num;
    return true;
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx)
{
    virtqueue_release_element(vq, elem);
    if (virtio_device_disabled(vq->vdev) || !vq->vring.used_p) {
        return;
    }
    idx = (idx + vq->used_idx) & (vq->vring.mapped_num - 1);
    vring_used_write(vq, elem->index, len, idx);
}

void virtqueue_flush(VirtQueue *vq, unsigned int count)
{
    uint16_t old, new;

    if (virtio_device_disabled(vq->vdev) || !vq->vring.used_p) {
        vq->inuse -= MIN(count, vq->inuse);
        return;
    }
    /* The entries before the index. */
    smp_wmb();
    old = vq->used_idx;
    new = old + count;
    __atomic_store_n((uint16_t *)(vq->vring.used_p + VRING_USED_IDX),
                     htole16(new), __ATOMIC_RELEASE);
    vq->used_idx = new;
    vq->inuse -= MIN(count, vq->inuse);
    if ((int16_t)(new - vq->signalled_used) < (uint16_t)(new - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

unsigned int virtqueue_drop_all(VirtQueue *vq)
{
    unsigned int dropped = 0;
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        virtqueue_push(vq, elem, 0);
        g_free(elem);
        dropped++;
    }
    return dropped;
}

/* ------------------------------------------------------------------ */
/* Queues                                                               */
/* ------------------------------------------------------------------ */

static bool virtio_queue_index_ok(VirtIODevice *vdev, int n)
{
    return vdev->vq && n >= 0 && n < VIRTIO_QUEUE_MAX;
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size,
                            VirtIOHandleOutput handle_output)
{
    VirtQueue *vq;
    int i;

    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (vdev->vq[i].vring.num_default == 0) {
            break;
        }
    }
    if (i == VIRTIO_QUEUE_MAX || queue_size <= 0 ||
        queue_size > VIRTQUEUE_MAX_SIZE || (queue_size & (queue_size - 1))) {
        abort();                /* a device bug, as QEMU */
    }
    vq = &vdev->vq[i];
    vq->vring.num = queue_size;
    vq->vring.num_default = queue_size;
    vq->vring.align = VIRTIO_LEGACY_VRING_ALIGN;
    vq->handle_output = handle_output;
    vq->iov = g_new(struct iovec, VIRTQUEUE_MAX_SIZE);
    vq->addr = g_new(hwaddr, VIRTQUEUE_MAX_SIZE);
    return vq;
}

static void virtio_queue_forget(VirtQueue *vq)
{
    virtio_vring_unmap(vq);
    virtqueue_views_release(vq);
    vq->vring.desc = 0;
    vq->vring.avail = 0;
    vq->vring.used = 0;
    vq->last_avail_idx = 0;
    vq->shadow_avail_idx = 0;
    vq->used_idx = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->notification = true;
    vq->inuse = 0;
    vq->vector = VIRTIO_NO_VECTOR;
}

void virtio_delete_queue(VirtQueue *vq)
{
    virtio_queue_forget(vq);
    vq->vring.num = 0;
    vq->vring.num_default = 0;
    vq->handle_output = NULL;
    g_free(vq->iov);
    g_free(vq->addr);
    g_free(vq->views);
    vq->iov = NULL;
    vq->addr = NULL;
    vq->views = NULL;
    vq->nviews_alloc = 0;
}

void virtio_del_queue(VirtIODevice *vdev, int n)
{
    if (!virtio_queue_index_ok(vdev, n)) {
        abort();
    }
    virtio_delete_queue(&vdev->vq[n]);
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n)
{
    return vdev->vq + n;
}

uint16_t virtio_get_queue_index(VirtQueue *vq)
{
    return vq->queue_index;
}

VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq)
{
    return vq->vdev;
}

static bool virtio_queue_mapped(VirtQueue *vq)
{
    return vq->vring.desc_p != NULL;
}

void virtio_queue_set_num(VirtIODevice *vdev, int n, int num)
{
    VirtQueue *vq;

    if (!virtio_queue_index_ok(vdev, n)) {
        return;
    }
    vq = &vdev->vq[n];
    /* Don't let the guest flip a queue between existent and nonexistent,
     * nor give it an invalid size (QEMU), nor resize a live ring. */
    if (!!num != !!vq->vring.num || num < 0 ||
        (unsigned)num > vq->vring.num_default || (num & (num - 1))) {
        qomu_log_mask(LOG_GUEST_ERROR, "%s: queue %d: invalid size %d "
                      "(maximum %u)\n", vdev->name, n, num,
                      vq->vring.num_default);
        return;
    }
    if (virtio_queue_mapped(vq) && (unsigned)num != vq->vring.num) {
        qomu_log_mask(LOG_GUEST_ERROR, "%s: queue %d: size changed while "
                      "the queue is enabled\n", vdev->name, n);
        return;
    }
    vq->vring.num = num;
}

int virtio_queue_get_num(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? (int)vdev->vq[n].vring.num : 0;
}

int virtio_queue_get_max_num(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ?
           (int)vdev->vq[n].vring.num_default : 0;
}

int virtio_get_num_queues(VirtIODevice *vdev)
{
    int i;

    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (!virtio_queue_get_num(vdev, i)) {
            break;
        }
    }
    return i;
}

void virtio_queue_set_rings(VirtIODevice *vdev, int n, hwaddr desc,
                            hwaddr avail, hwaddr used)
{
    VirtQueue *vq;

    if (!virtio_queue_index_ok(vdev, n) || !vdev->vq[n].vring.num) {
        return;
    }
    vq = &vdev->vq[n];
    if (virtio_queue_mapped(vq)) {
        if (desc == vq->vring.desc && avail == vq->vring.avail &&
            used == vq->vring.used) {
            return;
        }
        qomu_log_mask(LOG_GUEST_ERROR, "%s: queue %d: rings moved while "
                      "the queue is enabled\n", vdev->name, n);
        return;
    }
    vq->vring.desc = desc;
    vq->vring.avail = avail;
    vq->vring.used = used;
    virtio_vring_map(vdev, n);
}

/* Legacy layout: avail right after desc, used aligned after avail. */
static void virtio_queue_update_rings(VirtIODevice *vdev, int n)
{
    VRing *vring = &vdev->vq[n].vring;

    if (!vring->num || !vring->desc || !vring->align) {
        /* Not yet set up or not a legacy layout. */
        return;
    }
    vring->avail = vring->desc + vring_desc_size(vring->num);
    vring->used = VIRTIO_ALIGN_UP(vring->avail + VRING_AVAIL_RING +
                                2 * (hwaddr)vring->num, vring->align);
    virtio_vring_map(vdev, n);
}

void virtio_queue_set_addr(VirtIODevice *vdev, int n, hwaddr addr)
{
    VirtQueue *vq;

    if (!virtio_queue_index_ok(vdev, n) || !vdev->vq[n].vring.num) {
        return;
    }
    vq = &vdev->vq[n];
    if (virtio_queue_mapped(vq) && addr) {
        if (addr != vq->vring.desc) {
            qomu_log_mask(LOG_GUEST_ERROR, "%s: queue %d: rings moved "
                          "while the queue is enabled\n", vdev->name, n);
        }
        return;
    }
    if (addr > UINT64_MAX - (1ULL << 32)) {
        /* Out of any RAM; keeps the layout arithmetic from wrapping. */
        virtio_error(vdev, "Cannot map desc");
        return;
    }
    vq->vring.desc = addr;
    if (!addr) {
        virtio_vring_unmap(vq);
        vq->vring.avail = 0;
        vq->vring.used = 0;
        return;
    }
    virtio_queue_update_rings(vdev, n);
}

hwaddr virtio_queue_get_addr(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? vdev->vq[n].vring.desc : 0;
}

void virtio_queue_set_align(VirtIODevice *vdev, int n, int align)
{
    if (!virtio_queue_index_ok(vdev, n) || align <= 0 ||
        (align & (align - 1))) {
        return;
    }
    vdev->vq[n].vring.align = align;
    if (!virtio_queue_mapped(&vdev->vq[n])) {
        virtio_queue_update_rings(vdev, n);
    }
}

hwaddr virtio_queue_get_desc_addr(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? vdev->vq[n].vring.desc : 0;
}

hwaddr virtio_queue_get_avail_addr(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? vdev->vq[n].vring.avail : 0;
}

hwaddr virtio_queue_get_used_addr(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? vdev->vq[n].vring.used : 0;
}

hwaddr virtio_queue_get_desc_size(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ?
           vring_desc_size(vdev->vq[n].vring.num) : 0;
}

hwaddr virtio_queue_get_avail_size(VirtIODevice *vdev, int n)
{
    if (!virtio_queue_index_ok(vdev, n)) {
        return 0;
    }
    return VRING_AVAIL_RING + 2 * (hwaddr)vdev->vq[n].vring.num +
           (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX) ? 2 : 0);
}

hwaddr virtio_queue_get_used_size(VirtIODevice *vdev, int n)
{
    if (!virtio_queue_index_ok(vdev, n)) {
        return 0;
    }
    return VRING_USED_RING + 8 * (hwaddr)vdev->vq[n].vring.num +
           (virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX) ? 2 : 0);
}

bool virtio_queue_enabled(VirtIODevice *vdev, int n)
{
    return virtio_queue_get_desc_addr(vdev, n) != 0;
}

unsigned int virtio_queue_get_last_avail_idx(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? vdev->vq[n].last_avail_idx : 0;
}

void virtio_queue_notify_vq(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;

    if (!vq->vring.desc || vdev->broken) {
        return;
    }
    if (vq->handle_output) {
        vq->handle_output(vdev, vq);
        if (vdev->start_on_kick) {
            virtio_set_started(vdev, true);
        }
    }
}

void virtio_queue_notify(VirtIODevice *vdev, int n)
{
    if (!virtio_queue_index_ok(vdev, n)) {
        return;
    }
    virtio_queue_notify_vq(&vdev->vq[n]);
}

uint16_t virtio_queue_vector(VirtIODevice *vdev, int n)
{
    return virtio_queue_index_ok(vdev, n) ? vdev->vq[n].vector
                                          : VIRTIO_NO_VECTOR;
}

void virtio_queue_set_vector(VirtIODevice *vdev, int n, uint16_t vector)
{
    if (virtio_queue_index_ok(vdev, n)) {
        vdev->vq[n].vector = vector;
    }
}

static void virtio_queue_reset_one(VirtIODevice *vdev, int i)
{
    VirtQueue *vq = &vdev->vq[i];

    virtio_queue_forget(vq);
    vq->vring.num = vq->vring.num_default;
}

void virtio_queue_reset(VirtIODevice *vdev, uint32_t queue_index)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (queue_index >= VIRTIO_QUEUE_MAX || !vdev->vq) {
        return;
    }
    if (k->queue_reset) {
        k->queue_reset(vdev, queue_index);
    }
    virtio_queue_reset_one(vdev, queue_index);
}

void virtio_queue_enable(VirtIODevice *vdev, uint32_t queue_index)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (queue_index >= VIRTIO_QUEUE_MAX) {
        return;
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        error_report("queue_enable is only suppported in devices of virtio "
                     "1.0 or later.");
    }
    if (k->queue_enable) {
        k->queue_enable(vdev, queue_index);
    }
}

/* ------------------------------------------------------------------ */
/* Status, features, reset                                              */
/* ------------------------------------------------------------------ */

static int virtio_validate_features(VirtIODevice *vdev)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (virtio_host_has_feature(vdev, VIRTIO_F_IOMMU_PLATFORM) &&
        !virtio_vdev_has_feature(vdev, VIRTIO_F_IOMMU_PLATFORM)) {
        return -EFAULT;
    }
    if (k->validate_features) {
        return k->validate_features(vdev);
    }
    return 0;
}

int virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);

    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        if (!(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
            (val & VIRTIO_CONFIG_S_FEATURES_OK)) {
            int ret = virtio_validate_features(vdev);

            if (ret) {
                return ret;
            }
        }
    }
    if ((vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) !=
        (val & VIRTIO_CONFIG_S_DRIVER_OK)) {
        virtio_set_started(vdev, val & VIRTIO_CONFIG_S_DRIVER_OK);
    }
    if (k->set_status) {
        k->set_status(vdev, val);
    }
    vdev->status = val;
    return 0;
}

int virtio_set_features(VirtIODevice *vdev, uint64_t val)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    bool bad;

    /* The driver must not change features after FEATURES_OK. */
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return -EINVAL;
    }
    if (val & (1ULL << VIRTIO_F_BAD_FEATURE)) {
        qomu_log_mask(LOG_GUEST_ERROR, "%s: guest driver for %s has enabled "
                      "UNUSED(30) feature bit!\n", __func__, vdev->name);
    }
    bad = (val & ~vdev->host_features) != 0;
    val &= vdev->host_features;
    if (k->set_features) {
        k->set_features(vdev, val);
    }
    vdev->guest_features = val;
    if (!bad && !virtio_device_started(vdev, vdev->status) &&
        !virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        vdev->start_on_kick = true;
    }
    return bad ? -1 : 0;
}

void virtio_reset(void *opaque)
{
    VirtIODevice *vdev = opaque;
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    int i;

    virtio_set_status(vdev, 0);
    if (k->reset) {
        k->reset(vdev);
    }
    vdev->start_on_kick = false;
    vdev->started = false;
    vdev->broken = false;
    vdev->guest_features = 0;
    vdev->queue_sel = 0;
    vdev->status = 0;
    vdev->disabled = false;
    __atomic_store_n(&vdev->isr, 0, __ATOMIC_SEQ_CST);
    vdev->config_vector = VIRTIO_NO_VECTOR;
    virtio_notify_vector(vdev, vdev->config_vector);
    for (i = 0; vdev->vq && i < VIRTIO_QUEUE_MAX; i++) {
        virtio_queue_reset_one(vdev, i);
    }
}

/* ------------------------------------------------------------------ */
/* Config space                                                         */
/* ------------------------------------------------------------------ */

static bool virtio_config_in_range(VirtIODevice *vdev, uint32_t addr,
                                   unsigned size)
{
    return vdev->config && (uint64_t)addr + size <= vdev->config_len;
}

static uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr,
                                   unsigned size)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    uint8_t *p = vdev->config;

    if (!virtio_config_in_range(vdev, addr, size)) {
        return (uint32_t)-1;
    }
    if (k->get_config) {
        k->get_config(vdev, vdev->config);
    }
    switch (size) {
    case 1:
        return p[addr];
    case 2:
        return p[addr] | (uint32_t)p[addr + 1] << 8;
    default:
        return p[addr] | (uint32_t)p[addr + 1] << 8 |
               (uint32_t)p[addr + 2] << 16 | (uint32_t)p[addr + 3] << 24;
    }
}

static void virtio_config_write(VirtIODevice *vdev, uint32_t addr,
                                uint32_t data, unsigned size)
{
    VirtioDeviceClass *k = VIRTIO_DEVICE_GET_CLASS(vdev);
    uint8_t *p = vdev->config;

    if (!virtio_config_in_range(vdev, addr, size)) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        p[addr + i] = data >> (8 * i);
    }
    if (k->set_config) {
        k->set_config(vdev, vdev->config);
    }
}

uint32_t virtio_config_readb(VirtIODevice *vdev, uint32_t addr)
{
    return virtio_config_read(vdev, addr, 1);
}

uint32_t virtio_config_readw(VirtIODevice *vdev, uint32_t addr)
{
    return virtio_config_read(vdev, addr, 2);
}

uint32_t virtio_config_readl(VirtIODevice *vdev, uint32_t addr)
{
    return virtio_config_read(vdev, addr, 4);
}

void virtio_config_writeb(VirtIODevice *vdev, uint32_t addr, uint32_t data)
{
    virtio_config_write(vdev, addr, data, 1);
}

void virtio_config_writew(VirtIODevice *vdev, uint32_t addr, uint32_t data)
{
    virtio_config_write(vdev, addr, data, 2);
}

void virtio_config_writel(VirtIODevice *vdev, uint32_t addr, uint32_t data)
{
    virtio_config_write(vdev, addr, data, 4);
}

uint32_t virtio_config_modern_readb(VirtIODevice *vdev, uint32_t addr)
{
    return virtio_config_read(vdev, addr, 1);
}

uint32_t virtio_config_modern_readw(VirtIODevice *vdev, uint32_t addr)
{
    return virtio_config_read(vdev, addr, 2);
}

uint32_t virtio_config_modern_readl(VirtIODevice *vdev, uint32_t addr)
{
    return virtio_config_read(vdev, addr, 4);
}

void virtio_config_modern_writeb(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data)
{
    virtio_config_write(vdev, addr, data, 1);
}

void virtio_config_modern_writew(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data)
{
    virtio_config_write(vdev, addr, data, 2);
}

void virtio_config_modern_writel(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data)
{
    virtio_config_write(vdev, addr, data, 4);
}

/* ------------------------------------------------------------------ */
/* Device life cycle, the type                                          */
/* ------------------------------------------------------------------ */

void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_size)
{
    int i;

    vdev->device_id = device_id;
    vdev->status = 0;
    __atomic_store_n(&vdev->isr, 0, __ATOMIC_SEQ_CST);
    vdev->queue_sel = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    vdev->vm_running = true;
    vdev->broken = false;
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        vdev->vq[i].vector = VIRTIO_NO_VECTOR;
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].queue_index = i;
        vdev->vq[i].notification = true;
    }
    vdev->name = virtio_id_to_name(device_id);
    if (!vdev->name) {
        vdev->name = object_get_typename(OBJECT(vdev));
    }
    vdev->config_len = config_size;
    vdev->config = config_size ? g_malloc0(config_size) : NULL;
}

void virtio_cleanup(VirtIODevice *vdev)
{
    if (vdev->vq) {
        for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
            if (vdev->vq[i].vring.num_default || vdev->vq[i].nviews ||
                vdev->vq[i].vring.fv) {
                virtio_delete_queue(&vdev->vq[i]);
            }
        }
    }
    g_free(vdev->config);
    vdev->config = NULL;
    vdev->config_len = 0;
    g_free(vdev->vq);
    vdev->vq = NULL;
}

static bool virtio_device_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(dev);

    if (vdc->realize && !vdc->realize(dev, errp)) {
        return false;
    }
    if (!virtio_bus_device_plugged(vdev, errp)) {
        if (vdc->unrealize) {
            vdc->unrealize(dev);
        }
        return false;
    }
    return true;
}

static void virtio_device_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_GET_CLASS(dev);

    virtio_bus_device_unplugged(vdev);
    if (vdc->unrealize) {
        vdc->unrealize(dev);
    }
    g_free(vdev->bus_name);
    vdev->bus_name = NULL;
}

bool virtio_legacy_allowed(VirtIODevice *vdev)
{
    switch (vdev->device_id) {
    case 1:     /* net */
    case 2:     /* block */
    case 3:     /* console */
    case 4:     /* rng */
    case 5:     /* balloon */
    case 7:     /* rpmsg */
    case 8:     /* scsi */
    case 9:     /* 9p */
    case 11:    /* rproc-serial */
    case 12:    /* caif */
        return true;
    default:
        return false;
    }
}

static Property virtio_properties[] = {
    DEFINE_VIRTIO_COMMON_FEATURES(VirtIODevice, host_features),
    DEFINE_PROP_BOOL("use-started", VirtIODevice, use_started, true),
    DEFINE_PROP_BOOL("use-disabled-flag", VirtIODevice, use_disabled_flag,
                     true),
    DEFINE_PROP_BOOL("x-disable-legacy-check", VirtIODevice,
                     disable_legacy_check, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = virtio_device_realize;
    dc->unrealize = virtio_device_unrealize;
    dc->bus_type = TYPE_VIRTIO_BUS;
    device_class_set_props(dc, virtio_properties);
}

static void virtio_device_instance_finalize(Object *obj)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(obj);

    /* A device whose realize failed, or that forgot virtio_cleanup. */
    if (vdev->vq || vdev->config) {
        virtio_cleanup(vdev);
    }
}

static const TypeInfo virtio_device_info = {
    .name = TYPE_VIRTIO_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(VirtIODevice),
    .instance_finalize = virtio_device_instance_finalize,
    .class_init = virtio_device_class_init,
    .abstract = true,
    .class_size = sizeof(VirtioDeviceClass),
};

static void virtio_register_types(void)
{
    type_register_static(&virtio_device_info);
}

type_init(virtio_register_types)
