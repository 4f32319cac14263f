/*
 * virtio.h - the virtio device core: device status, feature negotiation,
 * config space, split virtqueues (QEMU 7.2's include/hw/virtio/virtio.h,
 * same names and contracts; packed rings, vhost, migration and IOMMUs are
 * not modelled).
 *
 * A virtio device (virtio-blk-device, ...) is a TYPE_VIRTIO_DEVICE
 * plugged into a virtio bus that a transport (virtio-pci) provides.  The
 * device calls virtio_init() and virtio_add_queue() in its realize; the
 * transport turns guest register accesses into virtio_set_status(),
 * virtio_set_features(), virtio_queue_set_num()/set_rings()/set_addr(),
 * virtio_queue_notify() and the config accessors; the core calls the
 * transport's VirtioBusClass::notify(vector) to interrupt the guest.
 *
 * Everything the guest controls is validated here (docs/devel/virtio.md):
 * a bad ring, index, chain, indirect table or buffer makes the device
 * "broken" through virtio_error() (DEVICE_NEEDS_RESET when VERSION_1 was
 * negotiated, as QEMU), after which virtqueue_pop() returns NULL until
 * the guest resets the device.  The VMM never crashes, hangs or accesses
 * memory outside guest RAM.
 *
 * Threads: one queue is processed by one thread at a time (the main loop
 * with the big lock, or the device's iothread); status, feature and
 * config changes come from the transport under the big lock.  The device
 * must stop its queue processing (drain) in its VirtioDeviceClass::reset
 * before the core forgets the rings.  ISR bits are set atomically.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "hw/core/qdev.h"
#include "hw/core/memory.h"
#include "hw/core/qdev-properties.h"

#include <sys/uio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_ids.h>

/* Queues per device, and entries per queue (QEMU's limits). */
#define VIRTIO_QUEUE_MAX 1024
#define VIRTQUEUE_MAX_SIZE 1024

/* No MSI-X vector (QEMU's VIRTIO_NO_VECTOR == VIRTIO_MSI_NO_VECTOR). */
#define VIRTIO_NO_VECTOR 0xffff

/* Legacy ring alignment (virtio-pci legacy: 4096, QEMU's
 * VIRTIO_PCI_VRING_ALIGN). */
#define VIRTIO_LEGACY_VRING_ALIGN 4096

/* Feature bit 30, "UNUSED", refused by QEMU (VIRTIO_F_BAD_FEATURE). */
#ifndef VIRTIO_F_BAD_FEATURE
#define VIRTIO_F_BAD_FEATURE 30
#endif

/* Features every device offers unless the transport / device clears them
 * (QEMU: VIRTIO_LEGACY_FEATURES and the common properties). */
#define VIRTIO_LEGACY_FEATURES ((0x1ULL << VIRTIO_F_BAD_FEATURE) | \
                                (0x1ULL << VIRTIO_F_NOTIFY_ON_EMPTY) | \
                                (0x1ULL << VIRTIO_F_ANY_LAYOUT))

#define TYPE_VIRTIO_DEVICE "virtio-device"
OBJECT_DECLARE_TYPE(VirtIODevice, VirtioDeviceClass, VIRTIO_DEVICE)

typedef struct VirtQueue VirtQueue;

/*
 * VirtQueueElement: one descriptor chain popped from the avail ring.
 * out_* are the buffers the device reads (driver -> device), in_* those it
 * writes; each buffer of the chain gives one or more iovecs (one per
 * piece of guest RAM it spans), with in_addr/out_addr the guest address
 * of each piece.  A device embeds the element at offset 0 of its request
 * (virtqueue_pop(vq, sizeof(MyReq))) and g_free()s the whole after
 * virtqueue_push()/virtqueue_detach_element()/virtqueue_unpop().
 */
typedef struct VirtQueueElement {
    unsigned int index;         /* head descriptor: the used-ring id */
    unsigned int len;           /* (unused by the core, as QEMU) */
    unsigned int ndescs;        /* descriptors of the chain (1 for split) */
    unsigned int out_num;
    unsigned int in_num;
    hwaddr *in_addr;
    hwaddr *out_addr;
    struct iovec *in_sg;
    struct iovec *out_sg;
    /* private: the memory view the iovecs point into, pinned until the
     * element is pushed, detached or unpopped. */
    FlatView *fv;
} VirtQueueElement;

typedef void (*VirtIOHandleOutput)(VirtIODevice *vdev, VirtQueue *vq);

struct VirtIODevice {
    /* private: */
    DeviceState parent_obj;
    /* public: */
    const char *name;           /* "virtio-blk" (virtio_init) */
    uint8_t status;             /* VIRTIO_CONFIG_S_* */
    uint8_t isr;                /* atomic; bit 0 queue, bit 1 config */
    uint16_t queue_sel;         /* the transport's queue select register */
    uint64_t guest_features;    /* negotiated (driver's subset of host) */
    uint64_t host_features;     /* offered */
    uint64_t backend_features;
    size_t config_len;
    void *config;               /* config_len bytes, get_config fills it */
    uint16_t config_vector;
    uint32_t generation;        /* config generation (modern) */
    int nvectors;               /* MSI-X vectors (the transport's) */
    VirtQueue *vq;              /* VIRTIO_QUEUE_MAX queues */
    uint16_t device_id;
    bool vm_running;
    bool broken;                /* virtio_error() was called: no more pops */
    bool use_started;
    bool started;
    bool start_on_kick;         /* legacy: started when first kicked */
    bool disabled;
    bool use_disabled_flag;     /* "use-disabled-flag" */
    bool disable_legacy_check;  /* "x-disable-legacy-check" */
    AddressSpace *dma_as;       /* where ring and buffer addresses are */
    char *bus_name;
};

struct VirtioDeviceClass {
    /* private: */
    DeviceClass parent;
    /* public: */

    /* The device's realize/unrealize (the virtio-device's own realize
     * calls them, then plugs the device into its transport). */
    DeviceRealize realize;
    DeviceUnrealize unrealize;
    /* Features the device offers, given those the transport and the
     * properties allow (@requested_features); required. */
    uint64_t (*get_features)(VirtIODevice *vdev, uint64_t requested_features,
                             Error **errp);
    uint64_t (*bad_features)(VirtIODevice *vdev);
    /* The driver's choice (already masked with host_features). */
    void (*set_features)(VirtIODevice *vdev, uint64_t val);
    /* Called when the driver sets FEATURES_OK: non-zero refuses it. */
    int (*validate_features)(VirtIODevice *vdev);
    /* Fill / take the config_len bytes of config space. */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    /* Device reset: stop (drain) queue processing, reset device state.
     * Called by virtio_reset() before the queues are forgotten. */
    void (*reset)(VirtIODevice *vdev);
    /* Called on every status write, before vdev->status changes. */
    void (*set_status)(VirtIODevice *vdev, uint8_t val);
    /* VIRTIO_F_RING_RESET: stop using queue @queue_index (before the core
     * forgets it) / it was enabled again. */
    void (*queue_reset)(VirtIODevice *vdev, uint32_t queue_index);
    void (*queue_enable)(VirtIODevice *vdev, uint32_t queue_index);
};

/* --- device life cycle ---------------------------------------------- */

/* Initialise the core part of @vdev: name from @device_id (QEMU 7.2's
 * signature), @config_size bytes of config space, no queues. */
void virtio_init(VirtIODevice *vdev, uint16_t device_id, size_t config_size);
/* Undo virtio_init (deletes every queue left). */
void virtio_cleanup(VirtIODevice *vdev);
/* "virtio-blk" for VIRTIO_ID_BLOCK, ...; NULL if unknown. */
const char *virtio_id_to_name(uint16_t device_id);

/*
 * virtio_error: the guest did something the device cannot recover from
 * (a bad ring, chain, index or buffer).  Reports the message
 * (error_report), and, with VERSION_1 negotiated, sets DEVICE_NEEDS_RESET
 * and sends a config interrupt; then marks the device broken (QEMU): no
 * more pops, fills, flushes or interrupts (virtio_device_disabled) until
 * the guest resets it (virtio_reset clears it).
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* --- queues (device side) ------------------------------------------- */

/* Add a queue of at most @queue_size entries (a power of two <=
 * VIRTQUEUE_MAX_SIZE), kicked into @handle_output.  Aborts if all
 * VIRTIO_QUEUE_MAX queues are used (a programming error, as QEMU). */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, int queue_size,
                            VirtIOHandleOutput handle_output);
void virtio_del_queue(VirtIODevice *vdev, int n);
void virtio_delete_queue(VirtQueue *vq);

/*
 * virtqueue_pop: the next available chain, validated and mapped, in a
 * g_malloc'ed block of @sz bytes (>= sizeof(VirtQueueElement), the
 * element at offset 0) followed by its arrays; NULL when the queue is
 * empty, not set up, or the device is (or has just become) broken.
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/* Put the used-ring entry for @elem (@len bytes written) at position
 * used_idx + @idx; virtqueue_flush(@count) publishes @count of them. */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx);
void virtqueue_flush(VirtQueue *vq, unsigned int count);
/* fill(idx 0) + flush(1).  Does not notify: call virtio_notify(). */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len);
/* Forget @elem without returning it to the guest (it stays "in use"
 * from the guest's point of view; QEMU's contract). */
void virtqueue_detach_element(VirtQueue *vq, const VirtQueueElement *elem,
                              unsigned int len);
/* Give @elem back: the next pop returns the same chain again. */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem,
                     unsigned int len);
/* Rewind the avail index by @num popped elements (false if more than in
 * use). */
bool virtqueue_rewind(VirtQueue *vq, unsigned int num);
/* Pop and push (len 0) every available chain; returns how many. */
unsigned int virtqueue_drop_all(VirtQueue *vq);

/*
 * Interrupt the guest for @vq unless it suppressed it (VRING_AVAIL_F_
 * NO_INTERRUPT, or the used event index with RING_EVENT_IDX).
 * Threads: the one processing @vq - the main loop with the big lock, or
 * the device's iothread without it (never two at once for one queue).
 * The transport must cope with either: virtio-pci writes the vector's
 * KVM irqfd (an eventfd write, under a lock of its own), or falls back to
 * msix_notify / INTx, whose state (PBA, ISR) is updated atomically.
 */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/* Should @vq's guest be interrupted now?  (Updates the event-index
 * bookkeeping: call only when about to notify.) */
bool virtio_should_notify(VirtIODevice *vdev, VirtQueue *vq);
/* A config interrupt (ISR bit 1, generation++), if DRIVER_OK. */
void virtio_notify_config(VirtIODevice *vdev);

/* Ask the guest for kicks (1) or not (0): VRING_USED_F_NO_NOTIFY, or the
 * avail event index with RING_EVENT_IDX. */
void virtio_queue_set_notification(VirtQueue *vq, int enable);
bool virtio_queue_get_notification(VirtQueue *vq);
/* Rings set up (avail ring address known). */
int virtio_queue_ready(VirtQueue *vq);
/* No chain available (also true when not set up or broken). */
int virtio_queue_empty(VirtQueue *vq);

VirtQueue *virtio_get_queue(VirtIODevice *vdev, int n);
uint16_t virtio_get_queue_index(VirtQueue *vq);
VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq);
/* Run @vq's handler now, as a kick would (transport's ioeventfd). */
void virtio_queue_notify_vq(VirtQueue *vq);

/* --- queues (transport side) ---------------------------------------- */

/* Queue size: ignored (logged under guest_errors) unless a power of two
 * no larger than the queue's maximum; a queue that does not exist (max
 * 0) cannot be given a size, nor an existing one size 0 (QEMU). */
void virtio_queue_set_num(VirtIODevice *vdev, int n, int num);
int virtio_queue_get_num(VirtIODevice *vdev, int n);
/* The size virtio_add_queue gave (0: no such queue). */
int virtio_queue_get_max_num(VirtIODevice *vdev, int n);
/* Queues added (the highest index in use + 1). */
int virtio_get_num_queues(VirtIODevice *vdev);

/* Legacy: the descriptor table at @addr, avail right after it, used at
 * the next VIRTIO_LEGACY_VRING_ALIGN boundary; @addr 0 unmaps.  Maps the
 * rings (see virtio_queue_set_rings). */
void virtio_queue_set_addr(VirtIODevice *vdev, int n, hwaddr addr);
hwaddr virtio_queue_get_addr(VirtIODevice *vdev, int n);
/* Set the ring alignment for the legacy layout (power of two). */
void virtio_queue_set_align(VirtIODevice *vdev, int n, int align);
/*
 * Modern: set the three ring addresses and map them.  Each ring must be
 * aligned (desc 16, avail 2, used 4) and wholly in guest RAM (the used
 * ring writable), else virtio_error() (the queue stays unusable until
 * reset).  A desc address of 0 unmaps (queue disabled).  Call once the
 * driver enables the queue (QEMU's virtio-pci does it on queue_enable).
 */
void virtio_queue_set_rings(VirtIODevice *vdev, int n, hwaddr desc,
                            hwaddr avail, hwaddr used);
hwaddr virtio_queue_get_desc_addr(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_avail_addr(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_used_addr(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_desc_size(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_avail_size(VirtIODevice *vdev, int n);
hwaddr virtio_queue_get_used_size(VirtIODevice *vdev, int n);
/* Desc address set (QEMU 7.2: virtio_queue_enabled_legacy). */
bool virtio_queue_enabled(VirtIODevice *vdev, int n);
unsigned int virtio_queue_get_last_avail_idx(VirtIODevice *vdev, int n);

/* A kick for queue @n (range checked; nothing if not set up or broken). */
void virtio_queue_notify(VirtIODevice *vdev, int n);
uint16_t virtio_queue_vector(VirtIODevice *vdev, int n);
void virtio_queue_set_vector(VirtIODevice *vdev, int n, uint16_t vector);
/* Reset one queue (VIRTIO_F_RING_RESET) / re-enable it. */
void virtio_queue_reset(VirtIODevice *vdev, uint32_t queue_index);
void virtio_queue_enable(VirtIODevice *vdev, uint32_t queue_index);

/*
 * virtio_set_status: the driver writes the status byte.  With VERSION_1
 * negotiated, setting FEATURES_OK runs validate_features: a refusal
 * returns non-zero and leaves the status unchanged (so FEATURES_OK reads
 * back clear).  Writing 0 does NOT reset: the transport calls
 * virtio_reset().
 */
int virtio_set_status(VirtIODevice *vdev, uint8_t val);
/* Device reset: the device's reset, then status, features, ISR, vectors
 * and every queue back to their initial state; clears "broken".  @opaque
 * is the VirtIODevice (QEMU's signature). */
void virtio_reset(void *opaque);
/*
 * virtio_set_features: the driver's feature word (both halves).  Refused
 * (-EINVAL) once FEATURES_OK is set; bits not offered are dropped
 * (returns -1 then, as QEMU); bit 30 is logged as a guest error.
 */
int virtio_set_features(VirtIODevice *vdev, uint64_t val);
/* Re-raise the transport's interrupt for the current ISR (legacy INTx). */
void virtio_update_irq(VirtIODevice *vdev);
/* ISR read: returns and clears it (atomic). */
uint8_t virtio_isr_read_and_clear(VirtIODevice *vdev);

/* --- config space (range checked: out of range reads all-ones, writes
 * are ignored).  Legacy and modern are both little-endian here. --- */
uint32_t virtio_config_readb(VirtIODevice *vdev, uint32_t addr);
uint32_t virtio_config_readw(VirtIODevice *vdev, uint32_t addr);
uint32_t virtio_config_readl(VirtIODevice *vdev, uint32_t addr);
void virtio_config_writeb(VirtIODevice *vdev, uint32_t addr, uint32_t data);
void virtio_config_writew(VirtIODevice *vdev, uint32_t addr, uint32_t data);
void virtio_config_writel(VirtIODevice *vdev, uint32_t addr, uint32_t data);
uint32_t virtio_config_modern_readb(VirtIODevice *vdev, uint32_t addr);
uint32_t virtio_config_modern_readw(VirtIODevice *vdev, uint32_t addr);
uint32_t virtio_config_modern_readl(VirtIODevice *vdev, uint32_t addr);
void virtio_config_modern_writeb(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data);
void virtio_config_modern_writew(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data);
void virtio_config_modern_writel(VirtIODevice *vdev, uint32_t addr,
                                 uint32_t data);

/* --- features ------------------------------------------------------- */

/* The common feature properties of every virtio device (QEMU 7.2). */
#define DEFINE_VIRTIO_COMMON_FEATURES(_state, _field)                  \
    DEFINE_PROP_BIT64("indirect_desc", _state, _field,                 \
                      VIRTIO_RING_F_INDIRECT_DESC, true),              \
    DEFINE_PROP_BIT64("event_idx", _state, _field,                     \
                      VIRTIO_RING_F_EVENT_IDX, true),                  \
    DEFINE_PROP_BIT64("notify_on_empty", _state, _field,               \
                      VIRTIO_F_NOTIFY_ON_EMPTY, true),                 \
    DEFINE_PROP_BIT64("any_layout", _state, _field,                    \
                      VIRTIO_F_ANY_LAYOUT, true),                      \
    DEFINE_PROP_BIT64("iommu_platform", _state, _field,                \
                      VIRTIO_F_IOMMU_PLATFORM, false),                 \
    DEFINE_PROP_BIT64("packed", _state, _field,                        \
                      VIRTIO_F_RING_PACKED, false),                    \
    DEFINE_PROP_BIT64("queue_reset", _state, _field,                   \
                      VIRTIO_F_RING_RESET, true)

static inline void virtio_add_feature(uint64_t *features, unsigned int fbit)
{
    *features |= (1ULL << fbit);
}

static inline void virtio_clear_feature(uint64_t *features,
                                        unsigned int fbit)
{
    *features &= ~(1ULL << fbit);
}

static inline bool virtio_has_feature(uint64_t features, unsigned int fbit)
{
    return !!(features & (1ULL << fbit));
}

static inline bool virtio_vdev_has_feature(VirtIODevice *vdev,
                                           unsigned int fbit)
{
    return virtio_has_feature(vdev->guest_features, fbit);
}

static inline bool virtio_host_has_feature(VirtIODevice *vdev,
                                           unsigned int fbit)
{
    return virtio_has_feature(vdev->host_features, fbit);
}

/* x86 only: everything is little-endian (legacy and modern). */
static inline bool virtio_is_big_endian(VirtIODevice *vdev)
{
    return false;
}

static inline bool virtio_device_started(VirtIODevice *vdev, uint8_t status)
{
    if (vdev->use_started) {
        return vdev->started;
    }
    return status & VIRTIO_CONFIG_S_DRIVER_OK;
}

static inline void virtio_set_started(VirtIODevice *vdev, bool started)
{
    if (started) {
        vdev->start_on_kick = false;
    }
    if (vdev->use_started) {
        vdev->started = started;
    }
}

/* The transport turned the device off (bus mastering cleared); only
 * with use-disabled-flag=on, QEMU's default (off: pre-4.1 behaviour). */
static inline void virtio_set_disabled(VirtIODevice *vdev, bool disable)
{
    if (vdev->use_disabled_flag) {
        vdev->disabled = disable;
    }
}

/* QEMU's virtio_legacy_allowed: the device types that existed before
 * virtio 1.0 may have a legacy interface; the others are modern-only. */
bool virtio_legacy_allowed(VirtIODevice *vdev);

static inline bool virtio_device_disabled(VirtIODevice *vdev)
{
    return vdev->disabled || vdev->broken;
}

#endif /* HW_VIRTIO_VIRTIO_H */
