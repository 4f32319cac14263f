/*
 * virtio-pci.h - the virtio PCI transport, abstract "virtio-pci" (QEMU
 * 7.2's hw/virtio/virtio-pci.h).
 *
 * A VirtIOPCIProxy is a PCI function carrying one virtio device on its
 * child bus "virtio-bus" (type "virtio-pci-bus").  A concrete transport
 * (virtio-blk-pci) embeds the device as child "virtio-backend"
 * (virtio_instance_init_common, which also makes the device's properties
 * the proxy's) and realizes it on the bus in its VirtioPCIClass realize.
 *
 * Layout, as QEMU's:
 *   BAR 0  legacy I/O registers + device config (transitional devices:
 *          1af4:1000 + n, subsystem id = the virtio device id)
 *   BAR 1  MSI-X table and PBA ("vectors" > 0)
 *   BAR 4  64-bit prefetchable memory, 16 KiB: common config at 0,
 *          ISR at 0x1000, device config at 0x2000, notify at 0x3000
 *          (4 bytes per queue), described by vendor capabilities
 *          COMMON/ISR/DEVICE/NOTIFY and the PCI_CFG window (modern:
 *          disable-modern=off; modern-only devices are 1af4:1040 + id,
 *          revision 1)
 * Interrupts: MSI-X when the guest enabled it, else INTx A through the
 * PCI core (pci_set_irq) following ISR bit 0.  With KVM's irqfd (and
 * ioeventfd=on), each MSI-X vector a queue or the config uses gets a KVM
 * MSI route and an eventfd bound to it with KVM_IRQFD (QEMU's
 * kvm_virtio_pci_vector_use / virtio_pci_vector_unmask / _mask /
 * _poll): a notification is one write to the eventfd, from any thread,
 * and a masked vector's writes wait in the eventfd until the guest
 * reads the PBA or unmasks.  Otherwise msix_notify (KVM_SIGNAL_MSI).
 * Notifications: with ioeventfd=on and KVM, a KVM ioeventfd on each
 * queue's notify address (legacy and modern), served in the main loop.
 *
 * Not modelled: PCI Express (the PC has none), modern-pio-notify's I/O
 * BAR, page-per-vq, ats, aer, vmstate, irqfds for INTx.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/virtio/virtio-bus.h"
#include "block/aio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"
OBJECT_DECLARE_TYPE(VirtIOPCIProxy, VirtioPCIClass, VIRTIO_PCI)

#define TYPE_VIRTIO_PCI_BUS "virtio-pci-bus"
OBJECT_DECLARE_SIMPLE_TYPE(VirtioPCIBusState, VIRTIO_PCI_BUS)

struct VirtioPCIBusState {
    VirtioBusState parent_obj;
};

/* "vectors" unset: the device picks (virtio-blk-pci: num-queues + 1). */
#define DEV_NVECTORS_UNSPECIFIED UINT32_MAX

/* PCI ids (QEMU's hw/pci/pci.h) */
#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_DEVICE_ID_VIRTIO_BLOCK 0x1001
#define PCI_DEVICE_ID_VIRTIO_10_BASE 0x1040
#define PCI_CLASS_STORAGE_SCSI 0x0100

/* flags bits (QEMU's VIRTIO_PCI_FLAG_*) */
enum {
    VIRTIO_PCI_FLAG_BUS_MASTER_BUG_MIGRATION_BIT = 0,
    VIRTIO_PCI_FLAG_USE_IOEVENTFD_BIT = 1,
    VIRTIO_PCI_FLAG_MIGRATE_EXTRA_BIT = 4,
    VIRTIO_PCI_FLAG_MODERN_PIO_NOTIFY_BIT = 5,
    VIRTIO_PCI_FLAG_DISABLE_PCIE_BIT = 6,
    VIRTIO_PCI_FLAG_PAGE_PER_VQ_BIT = 7,
    VIRTIO_PCI_FLAG_ATS_BIT = 8,
    VIRTIO_PCI_FLAG_INIT_DEVERR_BIT = 9,
    VIRTIO_PCI_FLAG_INIT_LNKCTL_BIT = 10,
    VIRTIO_PCI_FLAG_INIT_PM_BIT = 11,
    VIRTIO_PCI_FLAG_INIT_FLR_BIT = 12,
    VIRTIO_PCI_FLAG_AER_BIT = 13,
    VIRTIO_PCI_FLAG_ATS_PAGE_ALIGNED_BIT = 14,
};
#define VIRTIO_PCI_FLAG_USE_IOEVENTFD (1u << VIRTIO_PCI_FLAG_USE_IOEVENTFD_BIT)

/* One of BAR 4's regions */
typedef struct VirtIOPCIRegion {
    MemoryRegion mr;
    uint32_t offset;
    uint32_t size;
    uint32_t type;                      /* VIRTIO_PCI_CAP_* */
} VirtIOPCIRegion;

/* What the driver wrote for a queue (modern), until queue_enable */
typedef struct VirtIOPCIQueue {
    uint16_t num;
    bool enabled;
    uint32_t desc[2];
    uint32_t avail[2];
    uint32_t used[2];
    uint16_t reset;
} VirtIOPCIQueue;

/* A KVM ioeventfd for one queue */
typedef struct VirtIOPCIIoeventfd {
    struct VirtIOPCIProxy *proxy;
    int n;                              /* the queue */
    int fd;
    bool legacy_assigned;
    bool modern_assigned;
    bool watched;                       /* on the main loop or ctx */
    bool dead;                          /* (atomic) stopped, to be closed */
    AioContext *ctx;                    /* watched there (a reference:
                                         * an iothread's), NULL: main loop */
    uint64_t legacy_addr;
    uint64_t modern_addr;
} VirtIOPCIIoeventfd;

/*
 * A vector's KVM irqfd (QEMU's VirtIOIRQFD): a route (virq) to the
 * message of the vector's table entry, an eventfd bound to it while the
 * vector is unmasked.  All but "active" change under the big lock.
 */
typedef struct VirtIOIRQFD {
    MSIMessage msg;                     /* what the route says */
    int virq;                           /* -1: no route */
    int fd;                             /* eventfd; -1 until first used */
    bool assigned;                      /* KVM_IRQFD'd to virq */
    bool active;                        /* (irqfd_lock) notify writes fd */
} VirtIOIRQFD;

struct VirtioPCIClass {
    PCIDeviceClass parent_class;
    DeviceReset parent_reset;
    /* The concrete device: realize the backend on proxy->bus. */
    bool (*realize)(VirtIOPCIProxy *proxy, Error **errp);
};

struct VirtIOPCIProxy {
    PCIDevice pci_dev;
    MemoryRegion bar;                   /* legacy BAR 0 */
    union {
        struct {
            VirtIOPCIRegion common;
            VirtIOPCIRegion isr;
            VirtIOPCIRegion device;
            VirtIOPCIRegion notify;
        };
        VirtIOPCIRegion regs[4];
    };
    MemoryRegion modern_bar;
    uint32_t legacy_io_bar_idx;
    uint32_t msix_bar_idx;
    uint32_t modern_mem_bar_idx;
    int config_cap;                     /* the PCI_CFG capability */
    uint32_t flags;
    bool disable_modern;
    bool ignore_backend_features;
    OnOffAuto disable_legacy;
    uint32_t class_code;
    uint32_t nvectors;
    uint32_t dfselect;
    uint32_t gfselect;
    uint32_t guest_features[2];
    VirtIOPCIQueue vqs[VIRTIO_QUEUE_MAX];
    MSIXState msix;
    VirtIOPCIIoeventfd **ioeventfds;    /* per queue, while started */
    GPtrArray *ioeventfd_dead;          /* stopped, to close (main loop) */
    bool ioeventfd_started;
    bool ioeventfd_bh_scheduled;
    AioContext *ioeventfd_ctx;          /* where the next start watches
                                         * (dataplane), NULL: main loop */
    VirtIOIRQFD *vector_irqfd;          /* nvectors, with MSI-X */
    GMutex irqfd_lock;                  /* vector_irqfd[].active vs notify */
    uint64_t irqfd_notifies;            /* (relaxed) eventfd writes */
    uint64_t msix_notifies;             /* (relaxed) msix_notify calls */
    VirtioBusState bus;                 /* really a VirtioPCIBusState */
};

static inline bool virtio_pci_modern(VirtIOPCIProxy *proxy)
{
    return !proxy->disable_modern;
}

static inline bool virtio_pci_legacy(VirtIOPCIProxy *proxy)
{
    return proxy->disable_legacy == ON_OFF_AUTO_OFF;
}

static inline void virtio_pci_force_virtio_1(VirtIOPCIProxy *proxy)
{
    proxy->disable_modern = false;
    proxy->disable_legacy = ON_OFF_AUTO_ON;
}

static inline void virtio_pci_disable_modern(VirtIOPCIProxy *proxy)
{
    proxy->disable_modern = true;
}

/*
 * virtio_instance_init_common: initialise @vdev (@vdev_size bytes of
 * type @vdev_name) as the child "virtio-backend" of @proxy_obj and alias
 * its static properties on the proxy (QEMU's function of that name).
 */
void virtio_instance_init_common(Object *proxy_obj, void *vdev,
                                 size_t vdev_size, const char *vdev_name);

/* Queues for a multiqueue device: one per vCPU, within the MSI-X and
 * queue limits (QEMU's virtio_pci_optimal_num_queues). */
unsigned virtio_pci_optimal_num_queues(unsigned fixed_queues);

#endif /* HW_VIRTIO_VIRTIO_PCI_H */
