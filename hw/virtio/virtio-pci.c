/*
 * virtio-pci.c - the abstract "virtio-pci" transport and its bus
 * "virtio-pci-bus" (QEMU 7.2's hw/virtio/virtio-pci.c).  See
 * include/hw/virtio/virtio-pci.h.
 *
 * Every register value the guest writes is checked where it is used: the
 * queue select register keeps its old value when out of range, queue
 * sizes and ring addresses are validated by the core, MSI-X vector numbers
 * out of range read back as VIRTIO_NO_VECTOR (QEMU), the PCI_CFG window
 * only reaches BAR 4's regions with 1, 2 or 4 aligned bytes.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "accel/kvm.h"
#include "block/aio.h"
#include "hw/core/qdev-properties.h"
#include "hw/virtio/virtio-pci.h"
#include "machine/machine.h"

#include <linux/virtio_pci.h>
#include <linux/kvm.h>
#include <sys/eventfd.h>

#define VIRTIO_PCI_ABI_VERSION 0
#define QUEUE_MEM_MULT 4                /* notify_off_multiplier */
#define VIRTIO_PCI_CFG_DATA_OFF 16      /* pci_cfg_data in the cap */

static VirtIODevice *virtio_pci_vdev(VirtIOPCIProxy *proxy)
{
    return virtio_bus_get_device(&proxy->bus);
}

/* ------------------------------------------------------------------ */
/* ioeventfd                                                            */
/* ------------------------------------------------------------------ */

static bool virtio_pci_ioeventfd_enabled(DeviceState *d)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);

    return (proxy->flags & VIRTIO_PCI_FLAG_USE_IOEVENTFD) && kvm_enabled();
}

/*
 * One queue's ioeventfd: KVM signals @fd on a notify write (legacy: a
 * 16-bit write of the queue number to BAR 0 + 16; modern: any write to
 * notify + 4 * n) and the main loop runs the queue.  fd watches can only
 * be changed in the main thread: a start or stop from a vCPU thread
 * assigns/deassigns with KVM at once and leaves the watch (and the
 * close) to a main-loop bottom half.  A stopped ioeventfd is "dead": its
 * watch, if it fires before the bottom half, does nothing.
 */
static void virtio_pci_ioeventfd_read(void *opaque)
{
    VirtIOPCIIoeventfd *e = opaque;
    uint64_t count;

    if (read(e->fd, &count, sizeof(count)) != sizeof(count) ||
        __atomic_load_n(&e->dead, __ATOMIC_ACQUIRE)) {
        return;
    }
    virtio_queue_notify(virtio_pci_vdev(e->proxy), e->n);
}

static int virtio_pci_kvm_ioeventfd(VirtIOPCIIoeventfd *e, bool legacy,
                                    bool assign)
{
    struct kvm_ioeventfd io = {
        .fd = e->fd,
        .flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
    };

    if (legacy) {
        io.addr = e->legacy_addr;
        io.len = 2;
        io.datamatch = e->n;
        io.flags |= KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH;
    } else {
        io.addr = e->modern_addr;
        io.len = 0;                     /* any length, no data match */
    }
    return kvm_vm_ioctl(KVM_IOEVENTFD, &io);
}

/* Main thread.  An iothread's context may be watched from here: GLib's
 * source attach is thread-safe, and @e lives until it is unwatched. */
static void virtio_pci_ioeventfd_watch(VirtIOPCIIoeventfd *e)
{
    if (!e->watched && !e->dead) {
        qomu_set_fd_handler_ctx(e->ctx ? aio_get_g_main_context(e->ctx)
                                       : NULL,
                                e->fd, virtio_pci_ioeventfd_read, NULL, e);
        e->watched = true;
    }
}

static void virtio_pci_ioeventfd_free_now(void *opaque)
{
    VirtIOPCIIoeventfd *e = opaque;
    AioContext *ctx = e->ctx;

    if (e->watched) {
        qomu_set_fd_handler_ctx(ctx ? aio_get_g_main_context(ctx) : NULL,
                                e->fd, NULL, NULL, NULL);
    }
    close(e->fd);
    g_free(e);
    if (ctx) {
        aio_context_unref(ctx);
    }
}

/*
 * One watched on an iothread's context is unwatched and freed by that
 * thread (a BH): its handler may be running there right now, and after
 * the BH it cannot be.  The dataplane's stop waits for the thread's BHs.
 */
static void virtio_pci_ioeventfd_free(VirtIOPCIIoeventfd *e)
{
    if (e->ctx) {
        aio_bh_schedule_oneshot(e->ctx, virtio_pci_ioeventfd_free_now, e);
    } else {
        virtio_pci_ioeventfd_free_now(e);
    }
}

/* Main thread: watch the live ones, free the dead ones. */
static void virtio_pci_ioeventfd_bh(void *opaque)
{
    VirtIOPCIProxy *proxy = opaque;

    proxy->ioeventfd_bh_scheduled = false;
    for (guint i = 0; i < proxy->ioeventfd_dead->len; i++) {
        virtio_pci_ioeventfd_free(g_ptr_array_index(proxy->ioeventfd_dead,
                                                    i));
    }
    g_ptr_array_set_size(proxy->ioeventfd_dead, 0);
    if (proxy->ioeventfds) {
        for (int n = 0; n < VIRTIO_QUEUE_MAX; n++) {
            if (proxy->ioeventfds[n]) {
                virtio_pci_ioeventfd_watch(proxy->ioeventfds[n]);
            }
        }
    }
    object_unref(OBJECT(proxy));
}

static void virtio_pci_ioeventfd_sync(VirtIOPCIProxy *proxy)
{
    if (qomu_in_main_thread()) {
        proxy->ioeventfd_bh_scheduled = true;
        object_ref(OBJECT(proxy));
        virtio_pci_ioeventfd_bh(proxy);
    } else if (!proxy->ioeventfd_bh_scheduled) {
        proxy->ioeventfd_bh_scheduled = true;
        object_ref(OBJECT(proxy));
        aio_bh_schedule_oneshot(qemu_get_aio_context(),
                                virtio_pci_ioeventfd_bh, proxy);
    }
}

static void virtio_pci_stop_ioeventfd(VirtIOPCIProxy *proxy)
{
    if (!proxy->ioeventfd_started) {
        return;
    }
    proxy->ioeventfd_started = false;
    for (int n = 0; n < VIRTIO_QUEUE_MAX; n++) {
        VirtIOPCIIoeventfd *e = proxy->ioeventfds[n];
        uint64_t count;

        if (!e) {
            continue;
        }
        proxy->ioeventfds[n] = NULL;
        if (e->legacy_assigned) {
            virtio_pci_kvm_ioeventfd(e, true, false);
        }
        if (e->modern_assigned) {
            virtio_pci_kvm_ioeventfd(e, false, false);
        }
        __atomic_store_n(&e->dead, true, __ATOMIC_RELEASE);
        /* a kick that raced with the removal is not lost */
        if (read(e->fd, &count, sizeof(count)) == sizeof(count)) {
            virtio_queue_notify(virtio_pci_vdev(proxy), n);
        }
        g_ptr_array_add(proxy->ioeventfd_dead, e);
    }
    virtio_pci_ioeventfd_sync(proxy);
}

/*
 * An ioeventfd for each queue with a ring, at the addresses the BARs have
 * now: started when the driver sets DRIVER_OK, stopped when it clears it,
 * and redone when a BAR or COMMAND changes.
 */
static void virtio_pci_start_ioeventfd(VirtIOPCIProxy *proxy)
{
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    pcibus_t io_bar, mem_bar;

    if (!vdev || proxy->ioeventfd_started || !proxy->ioeventfds ||
        !virtio_pci_ioeventfd_enabled(DEVICE(proxy))) {
        return;
    }
    io_bar = virtio_pci_legacy(proxy)
             ? pci_get_bar_addr(&proxy->pci_dev, proxy->legacy_io_bar_idx)
             : PCI_BAR_UNMAPPED;
    mem_bar = virtio_pci_modern(proxy)
              ? pci_get_bar_addr(&proxy->pci_dev, proxy->modern_mem_bar_idx)
              : PCI_BAR_UNMAPPED;
    proxy->ioeventfd_started = true;
    for (int n = 0; n < VIRTIO_QUEUE_MAX; n++) {
        VirtIOPCIIoeventfd *e;
        int fd;

        if (!virtio_queue_get_num(vdev, n) ||
            !virtio_queue_enabled(vdev, n)) {
            continue;
        }
        fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        e = g_new0(VirtIOPCIIoeventfd, 1);
        e->proxy = proxy;
        e->n = n;
        e->fd = fd;
        e->ctx = proxy->ioeventfd_ctx;
        if (e->ctx) {
            aio_context_ref(e->ctx);
        }
        if (io_bar != PCI_BAR_UNMAPPED) {
            e->legacy_addr = io_bar + VIRTIO_PCI_QUEUE_NOTIFY;
            e->legacy_assigned = virtio_pci_kvm_ioeventfd(e, true, true) == 0;
        }
        if (mem_bar != PCI_BAR_UNMAPPED) {
            e->modern_addr = mem_bar + proxy->notify.offset +
                             (uint64_t)n * QUEUE_MEM_MULT;
            e->modern_assigned = virtio_pci_kvm_ioeventfd(e, false,
                                                          true) == 0;
        }
        proxy->ioeventfds[n] = e;
    }
    virtio_pci_ioeventfd_sync(proxy);
}

/* VirtioBusClass::set_ioeventfd_ctx: serve the ioeventfds on @ctx from
 * now on (restarting them if they run).  Main thread, big lock. */
static void virtio_pci_set_ioeventfd_ctx(DeviceState *d, AioContext *ctx)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);
    bool started = proxy->ioeventfd_started;

    if (proxy->ioeventfd_ctx == ctx) {
        return;
    }
    virtio_pci_stop_ioeventfd(proxy);
    proxy->ioeventfd_ctx = ctx;
    if (started) {
        virtio_pci_start_ioeventfd(proxy);
    }
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                           */
/* ------------------------------------------------------------------ */

/*
 * irqfds (QEMU 7.2's kvm_virtio_pci_vector_use/_release, virtio_pci_
 * vector_unmask/_mask/_poll, for every device rather than only vhost and
 * dataplane).  One per MSI-X vector, kept in step with the guest by
 * virtio_pci_vector_sync() (big lock) whenever something it depends on
 * changes: MSI-X enable and function mask, the entry's mask bit and
 * message, whether a queue or the config uses the vector.  A vector has
 * a route while MSI-X is on, the device uses it and its message points
 * at the local APICs; its eventfd is bound to the route while unmasked.
 * virtio_pci_notify() writes the eventfd of an active vector from any
 * thread; irqfd_lock orders that against a route going away, so that no
 * write lands after the last drain.
 */
static bool virtio_pci_irqfd_allowed(VirtIOPCIProxy *proxy)
{
    return proxy->vector_irqfd && kvm_msi_via_irqfd_enabled() &&
           (proxy->flags & VIRTIO_PCI_FLAG_USE_IOEVENTFD);
}

/* What the eventfd holds (0 if nothing), emptied. */
static uint64_t virtio_pci_irqfd_drain(VirtIOIRQFD *irqfd)
{
    uint64_t count = 0;

    if (irqfd->fd < 0 ||
        read(irqfd->fd, &count, sizeof(count)) != sizeof(count)) {
        return 0;
    }
    return count;
}

static void virtio_pci_irqfd_set_active(VirtIOPCIProxy *proxy,
                                        VirtIOIRQFD *irqfd, bool active)
{
    if (irqfd->active != active) {
        g_mutex_lock(&proxy->irqfd_lock);
        irqfd->active = active;
        g_mutex_unlock(&proxy->irqfd_lock);
    }
}

/* Back to msix_notify for @v: unbind, hand on what the eventfd held,
 * free the route. */
static void virtio_pci_irqfd_release(VirtIOPCIProxy *proxy, unsigned v)
{
    VirtIOIRQFD *irqfd = &proxy->vector_irqfd[v];

    if (irqfd->virq < 0) {
        return;
    }
    virtio_pci_irqfd_set_active(proxy, irqfd, false);
    if (irqfd->assigned) {
        kvm_irqchip_remove_irqfd_notifier_gsi(irqfd->fd, irqfd->virq);
        irqfd->assigned = false;
    }
    if (virtio_pci_irqfd_drain(irqfd) && msix_enabled(&proxy->msix)) {
        msix_notify(&proxy->msix, v);   /* sent, or pending if masked */
    }
    kvm_irqchip_release_virq(irqfd->virq);
    kvm_irqchip_commit_routes();
    irqfd->virq = -1;
}

/* A route and an eventfd for @v, pointing at @msg.  False: none (the
 * vector stays on msix_notify). */
static bool virtio_pci_irqfd_setup(VirtIOPCIProxy *proxy, unsigned v,
                                   MSIMessage msg)
{
    VirtIOIRQFD *irqfd = &proxy->vector_irqfd[v];
    KVMRouteChange c = kvm_irqchip_begin_route_changes();
    int virq;

    if (irqfd->fd < 0) {
        irqfd->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (irqfd->fd < 0) {
            return false;
        }
    }
    virq = kvm_irqchip_add_msi_route(&c, msg);
    if (virq < 0) {
        return false;
    }
    if (kvm_irqchip_commit_route_changes(&c) < 0) {
        kvm_irqchip_release_virq(virq);
        return false;
    }
    irqfd->virq = virq;
    irqfd->msg = msg;
    irqfd->assigned = false;
    return true;
}

static void virtio_pci_vector_sync(VirtIOPCIProxy *proxy, unsigned v)
{
    VirtIOIRQFD *irqfd;
    MSIMessage msg;
    bool masked, want;

    if (!proxy->vector_irqfd || v >= proxy->msix.nentries) {
        return;
    }
    irqfd = &proxy->vector_irqfd[v];
    msg = msix_get_message(&proxy->msix, v);
    masked = msix_is_masked(&proxy->msix, v);
    /* a masked vector keeps its route until unmasked (QEMU updates the
     * route at unmask); an unmasked one needs an APIC message */
    want = virtio_pci_irqfd_allowed(proxy) && msix_enabled(&proxy->msix) &&
           proxy->msix.used[v] &&
           (msi_message_is_apic(msg) || (masked && irqfd->virq >= 0));
    if (!want) {
        virtio_pci_irqfd_release(proxy, v);
        return;
    }
    if (irqfd->virq < 0) {
        if (!virtio_pci_irqfd_setup(proxy, v, msg)) {
            return;
        }
    } else if (!masked && (irqfd->msg.address != msg.address ||
                           irqfd->msg.data != msg.data)) {
        /* QEMU's "If the vector has changed, update the route." */
        if (kvm_irqchip_update_msi_route(irqfd->virq, msg) < 0 ||
            kvm_irqchip_commit_routes() < 0) {
            virtio_pci_irqfd_release(proxy, v);
            return;
        }
        irqfd->msg = msg;
    }
    if (!masked && !irqfd->assigned) {
        /* what came while masked and was not polled into the PBA */
        uint64_t held = virtio_pci_irqfd_drain(irqfd);

        if (kvm_irqchip_add_irqfd_notifier_gsi(irqfd->fd, -1,
                                               irqfd->virq) < 0) {
            if (held) {
                msix_set_pending(&proxy->msix, v);
            }
            virtio_pci_irqfd_release(proxy, v);
            return;
        }
        irqfd->assigned = true;
        if (held) {
            uint64_t one = 1;

            /* through the irqfd: KVM sends it now */
            if (write(irqfd->fd, &one, sizeof(one)) != sizeof(one)) {
                msix_set_pending(&proxy->msix, v);
            }
        }
    } else if (masked && irqfd->assigned) {
        kvm_irqchip_remove_irqfd_notifier_gsi(irqfd->fd, irqfd->virq);
        irqfd->assigned = false;
    }
    virtio_pci_irqfd_set_active(proxy, irqfd, true);
}

static void virtio_pci_vectors_sync_all(VirtIOPCIProxy *proxy)
{
    for (unsigned v = 0; proxy->vector_irqfd && v < proxy->msix.nentries;
         v++) {
        virtio_pci_vector_sync(proxy, v);
    }
}

/* msix's vector notifiers: whatever changed, get back in step */
static int virtio_pci_vector_unmask(PCIDevice *dev, unsigned vector,
                                    MSIMessage msg)
{
    virtio_pci_vector_sync(VIRTIO_PCI(dev), vector);
    return 0;
}

static void virtio_pci_vector_mask(PCIDevice *dev, unsigned vector)
{
    virtio_pci_vector_sync(VIRTIO_PCI(dev), vector);
}

/* The guest reads the PBA: masked vectors' held notifications become
 * pending bits (QEMU's virtio_pci_vector_poll). */
static void virtio_pci_vector_poll(PCIDevice *dev, unsigned vector_start,
                                   unsigned vector_end)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(dev);

    for (unsigned v = vector_start;
         proxy->vector_irqfd && v < vector_end && v < proxy->msix.nentries;
         v++) {
        VirtIOIRQFD *irqfd = &proxy->vector_irqfd[v];

        if (irqfd->virq >= 0 && !irqfd->assigned &&
            msix_is_masked(&proxy->msix, v) &&
            virtio_pci_irqfd_drain(irqfd)) {
            msix_set_pending(&proxy->msix, v);
        }
    }
}

/* An active vector's eventfd written; false: use msix_notify.  Any
 * thread. */
static bool virtio_pci_irqfd_notify(VirtIOPCIProxy *proxy, uint16_t vector)
{
    VirtIOIRQFD *irqfd;
    bool sent = false;

    if (!proxy->vector_irqfd || vector >= proxy->msix.nentries) {
        return false;
    }
    irqfd = &proxy->vector_irqfd[vector];
    g_mutex_lock(&proxy->irqfd_lock);
    if (irqfd->active) {
        uint64_t one = 1;

        sent = write(irqfd->fd, &one, sizeof(one)) == sizeof(one);
    }
    g_mutex_unlock(&proxy->irqfd_lock);
    if (sent) {
        __atomic_fetch_add(&proxy->irqfd_notifies, 1, __ATOMIC_RELAXED);
    }
    return sent;
}

/*
 * VirtioBusClass::notify.  Threads: any - the main loop (big lock held)
 * or the thread completing the device's requests (an iothread, without
 * the big lock).  With an irqfd this is one eventfd write; the fallbacks
 * (msix_notify's KVM_SIGNAL_MSI, INTx through pci_set_irq) are safe
 * there too: the pending bits and the ISR are atomic.
 */
static void virtio_pci_notify(DeviceState *d, uint16_t vector)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);

    if (msix_enabled(&proxy->msix)) {
        if (vector != VIRTIO_NO_VECTOR &&
            !virtio_pci_irqfd_notify(proxy, vector)) {
            __atomic_fetch_add(&proxy->msix_notifies, 1, __ATOMIC_RELAXED);
            msix_notify(&proxy->msix, vector);
        }
    } else {
        VirtIODevice *vdev = virtio_pci_vdev(proxy);

        pci_set_irq(&proxy->pci_dev,
                    __atomic_load_n(&vdev->isr, __ATOMIC_SEQ_CST) & 1);
    }
}

/* Use @val as a vector: VIRTIO_NO_VECTOR if MSI-X cannot (QEMU). */
static uint16_t virtio_pci_vector_use(VirtIOPCIProxy *proxy, uint16_t old,
                                      uint32_t val)
{
    if (old != VIRTIO_NO_VECTOR) {
        msix_vector_unuse(&proxy->msix, old);
        virtio_pci_vector_sync(proxy, old);
    }
    if (msix_vector_use(&proxy->msix, val) < 0) {
        return VIRTIO_NO_VECTOR;
    }
    virtio_pci_vector_sync(proxy, val);
    return val;
}

/* ------------------------------------------------------------------ */
/* Reset                                                                */
/* ------------------------------------------------------------------ */

static void virtio_pci_reset_state(VirtIOPCIProxy *proxy)
{
    virtio_pci_stop_ioeventfd(proxy);
    virtio_bus_reset(&proxy->bus);
    msix_unuse_all_vectors(&proxy->msix);
    virtio_pci_vectors_sync_all(proxy);
    for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        memset(&proxy->vqs[i], 0, sizeof(proxy->vqs[i]));
    }
}

/* ------------------------------------------------------------------ */
/* Legacy: BAR 0                                                        */
/* ------------------------------------------------------------------ */

static void virtio_pci_set_status(VirtIOPCIProxy *proxy, VirtIODevice *vdev,
                                  uint32_t val)
{
    if (!(val & VIRTIO_CONFIG_S_DRIVER_OK)) {
        virtio_pci_stop_ioeventfd(proxy);
    }
    virtio_set_status(vdev, val & 0xff);
    if (val & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_pci_start_ioeventfd(proxy);
    }
    if (vdev->status == 0) {
        virtio_pci_reset_state(proxy);
    }
}

static uint32_t virtio_ioport_read(VirtIOPCIProxy *proxy, uint32_t addr)
{
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    uint32_t ret = 0xffffffff;

    switch (addr) {
    case VIRTIO_PCI_HOST_FEATURES:
        ret = vdev->host_features;
        break;
    case VIRTIO_PCI_GUEST_FEATURES:
        ret = vdev->guest_features;
        break;
    case VIRTIO_PCI_QUEUE_PFN:
        ret = virtio_queue_get_addr(vdev, vdev->queue_sel) >>
              VIRTIO_PCI_QUEUE_ADDR_SHIFT;
        break;
    case VIRTIO_PCI_QUEUE_NUM:
        ret = virtio_queue_get_num(vdev, vdev->queue_sel);
        break;
    case VIRTIO_PCI_QUEUE_SEL:
        ret = vdev->queue_sel;
        break;
    case VIRTIO_PCI_STATUS:
        ret = vdev->status;
        break;
    case VIRTIO_PCI_ISR:
        /* reading the ISR clears it, and the interrupt */
        ret = virtio_isr_read_and_clear(vdev);
        pci_irq_deassert(&proxy->pci_dev);
        break;
    case VIRTIO_MSI_CONFIG_VECTOR:
        ret = vdev->config_vector;
        break;
    case VIRTIO_MSI_QUEUE_VECTOR:
        ret = virtio_queue_vector(vdev, vdev->queue_sel);
        break;
    default:
        break;
    }
    return ret;
}

static void virtio_ioport_write(VirtIOPCIProxy *proxy, uint32_t addr,
                                uint32_t val)
{
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    hwaddr pa;

    switch (addr) {
    case VIRTIO_PCI_GUEST_FEATURES:
        /* A driver that sets bit 30 does not negotiate: assume nothing */
        if (val & (1u << VIRTIO_F_BAD_FEATURE)) {
            val = 0;
        }
        virtio_set_features(vdev, val);
        break;
    case VIRTIO_PCI_QUEUE_PFN:
        pa = (hwaddr)val << VIRTIO_PCI_QUEUE_ADDR_SHIFT;
        if (pa == 0) {
            virtio_pci_reset_state(proxy);
        } else {
            virtio_queue_set_addr(vdev, vdev->queue_sel, pa);
        }
        break;
    case VIRTIO_PCI_QUEUE_SEL:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case VIRTIO_PCI_QUEUE_NOTIFY:
        val &= 0xffff;
        if (val < VIRTIO_QUEUE_MAX && virtio_queue_get_num(vdev, val)) {
            virtio_queue_notify(vdev, val);
        }
        break;
    case VIRTIO_PCI_STATUS:
        virtio_pci_set_status(proxy, vdev, val);
        /* Linux before 2.6.34 drives the device without setting bus
         * master: set it for the driver (QEMU) */
        if ((val & 0xff) == (VIRTIO_CONFIG_S_ACKNOWLEDGE |
                             VIRTIO_CONFIG_S_DRIVER)) {
            pci_default_write_config(&proxy->pci_dev, PCI_COMMAND,
                                     proxy->pci_dev.config[PCI_COMMAND] |
                                     PCI_COMMAND_MASTER, 1);
        }
        break;
    case VIRTIO_MSI_CONFIG_VECTOR:
        vdev->config_vector = virtio_pci_vector_use(proxy,
                                                    vdev->config_vector,
                                                    val & 0xffff);
        break;
    case VIRTIO_MSI_QUEUE_VECTOR:
        virtio_queue_set_vector(vdev, vdev->queue_sel,
            virtio_pci_vector_use(proxy,
                                  virtio_queue_vector(vdev, vdev->queue_sel),
                                  val & 0xffff));
        break;
    default:
        qomu_log_mask(LOG_GUEST_ERROR, "%s: unexpected address 0x%x value "
                      "0x%x\n", __func__, addr, val);
        break;
    }
}

static uint64_t virtio_pci_config_read(void *opaque, hwaddr addr,
                                       unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    uint32_t config = VIRTIO_PCI_CONFIG_OFF(msix_enabled(&proxy->msix));

    if (!vdev) {
        return UINT64_MAX;
    }
    if (addr < config) {
        return virtio_ioport_read(proxy, addr);
    }
    addr -= config;
    switch (size) {
    case 1:
        return virtio_config_readb(vdev, addr);
    case 2:
        return virtio_config_readw(vdev, addr);
    case 4:
        return virtio_config_readl(vdev, addr);
    }
    return 0;
}

static void virtio_pci_config_write(void *opaque, hwaddr addr,
                                    uint64_t val, unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    uint32_t config = VIRTIO_PCI_CONFIG_OFF(msix_enabled(&proxy->msix));

    if (!vdev) {
        return;
    }
    if (addr < config) {
        virtio_ioport_write(proxy, addr, val);
        return;
    }
    addr -= config;
    switch (size) {
    case 1:
        virtio_config_writeb(vdev, addr, val);
        break;
    case 2:
        virtio_config_writew(vdev, addr, val);
        break;
    case 4:
        virtio_config_writel(vdev, addr, val);
        break;
    }
}

static const MemoryRegionOps virtio_pci_config_ops = {
    .read = virtio_pci_config_read,
    .write = virtio_pci_config_write,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

/* ------------------------------------------------------------------ */
/* Modern: BAR 4                                                        */
/* ------------------------------------------------------------------ */

static uint64_t virtio_pci_common_read(void *opaque, hwaddr addr,
                                       unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    uint16_t sel;
    uint32_t val = 0;

    if (!vdev) {
        return UINT64_MAX;
    }
    sel = vdev->queue_sel;
    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        val = proxy->dfselect;
        break;
    case VIRTIO_PCI_COMMON_DF:
        if (proxy->dfselect <= 1) {
            val = (vdev->host_features & ~VIRTIO_LEGACY_FEATURES) >>
                  (32 * proxy->dfselect);
        }
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        val = proxy->gfselect;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (proxy->gfselect < G_N_ELEMENTS(proxy->guest_features)) {
            val = proxy->guest_features[proxy->gfselect];
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        val = vdev->config_vector;
        break;
    case VIRTIO_PCI_COMMON_NUMQ:
        for (int i = 0; i < VIRTIO_QUEUE_MAX; i++) {
            if (virtio_queue_get_num(vdev, i)) {
                val = i + 1;
            }
        }
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        val = vdev->status;
        break;
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        val = vdev->generation;
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        val = sel;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        val = virtio_queue_get_num(vdev, sel);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        val = virtio_queue_vector(vdev, sel);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        val = proxy->vqs[sel].enabled;
        break;
    case VIRTIO_PCI_COMMON_Q_NOFF:
        /* queues in order */
        val = sel;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        val = proxy->vqs[sel].desc[0];
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        val = proxy->vqs[sel].desc[1];
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        val = proxy->vqs[sel].avail[0];
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        val = proxy->vqs[sel].avail[1];
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        val = proxy->vqs[sel].used[0];
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        val = proxy->vqs[sel].used[1];
        break;
    case VIRTIO_PCI_COMMON_Q_RESET:
        val = proxy->vqs[sel].reset;
        break;
    default:
        val = 0;
    }
    return val;
}

static void virtio_pci_common_write(void *opaque, hwaddr addr, uint64_t val,
                                    unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    uint16_t sel;
    VirtIOPCIQueue *q;

    if (!vdev) {
        return;
    }
    sel = vdev->queue_sel;
    q = &proxy->vqs[sel];
    switch (addr) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        proxy->dfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        proxy->gfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (proxy->gfselect < G_N_ELEMENTS(proxy->guest_features)) {
            proxy->guest_features[proxy->gfselect] = val;
            virtio_set_features(vdev,
                                ((uint64_t)proxy->guest_features[1] << 32) |
                                proxy->guest_features[0]);
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        vdev->config_vector = virtio_pci_vector_use(proxy,
                                                    vdev->config_vector,
                                                    val & 0xffff);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        virtio_pci_set_status(proxy, vdev, val);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        q->num = val;
        virtio_queue_set_num(vdev, sel, q->num);
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        virtio_queue_set_vector(vdev, sel,
            virtio_pci_vector_use(proxy, virtio_queue_vector(vdev, sel),
                                  val & 0xffff));
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        if (val == 1) {
            virtio_queue_set_num(vdev, sel, q->num);
            virtio_queue_set_rings(vdev, sel,
                                   (uint64_t)q->desc[1] << 32 | q->desc[0],
                                   (uint64_t)q->avail[1] << 32 | q->avail[0],
                                   (uint64_t)q->used[1] << 32 | q->used[0]);
            q->enabled = 1;
            q->reset = 0;
            virtio_queue_enable(vdev, sel);
        } else {
            virtio_error(vdev, "wrong value for queue_enable %" PRIx64, val);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        q->desc[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        q->desc[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        q->avail[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        q->avail[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        q->used[0] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        q->used[1] = val;
        break;
    case VIRTIO_PCI_COMMON_Q_RESET:
        if (val == 1) {
            q->reset = 1;
            virtio_queue_reset(vdev, sel);
            q->reset = 0;
            q->enabled = 0;
        }
        break;
    default:
        break;
    }
}

static uint64_t virtio_pci_isr_read(void *opaque, hwaddr addr,
                                    unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    uint64_t val;

    if (!vdev) {
        return 0;
    }
    val = virtio_isr_read_and_clear(vdev);
    pci_irq_deassert(&proxy->pci_dev);
    return val;
}

static uint64_t virtio_pci_device_read(void *opaque, hwaddr addr,
                                       unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);

    if (!vdev) {
        return UINT64_MAX;
    }
    switch (size) {
    case 1:
        return virtio_config_modern_readb(vdev, addr);
    case 2:
        return virtio_config_modern_readw(vdev, addr);
    case 4:
        return virtio_config_modern_readl(vdev, addr);
    }
    return 0;
}

static void virtio_pci_device_write(void *opaque, hwaddr addr, uint64_t val,
                                    unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);

    if (!vdev) {
        return;
    }
    switch (size) {
    case 1:
        virtio_config_modern_writeb(vdev, addr, val);
        break;
    case 2:
        virtio_config_modern_writew(vdev, addr, val);
        break;
    case 4:
        virtio_config_modern_writel(vdev, addr, val);
        break;
    }
}

static uint64_t virtio_pci_notify_read(void *opaque, hwaddr addr,
                                       unsigned size)
{
    return 0;
}

static void virtio_pci_notify_write(void *opaque, hwaddr addr, uint64_t val,
                                    unsigned size)
{
    VirtIOPCIProxy *proxy = opaque;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    unsigned queue = addr / QUEUE_MEM_MULT;

    if (vdev && queue < VIRTIO_QUEUE_MAX) {
        virtio_queue_notify(vdev, queue);
    }
}

static const MemoryRegionOps virtio_pci_common_ops = {
    .read = virtio_pci_common_read,
    .write = virtio_pci_common_write,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps virtio_pci_isr_ops = {
    .read = virtio_pci_isr_read,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps virtio_pci_device_ops = {
    .read = virtio_pci_device_read,
    .write = virtio_pci_device_write,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps virtio_pci_notify_ops = {
    .read = virtio_pci_notify_read,
    .write = virtio_pci_notify_write,
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static const MemoryRegionOps *const virtio_pci_region_ops[4] = {
    &virtio_pci_common_ops, &virtio_pci_isr_ops, &virtio_pci_device_ops,
    &virtio_pci_notify_ops,
};

static const char *const virtio_pci_region_names[4] = {
    "virtio-pci-common", "virtio-pci-isr", "virtio-pci-device",
    "virtio-pci-notify",
};

/* A vendor capability describing @region (struct virtio_pci_cap, or
 * virtio_pci_notify_cap with its multiplier).  Returns its offset. */
static int virtio_pci_add_mem_cap(VirtIOPCIProxy *proxy, uint8_t cfg_type,
                                  uint8_t bar, uint32_t offset,
                                  uint32_t length, uint8_t cap_len,
                                  uint32_t notify_mult)
{
    PCIDevice *dev = &proxy->pci_dev;
    int cap = pci_add_capability(dev, PCI_CAP_ID_VNDR, 0, cap_len,
                                 &error_abort);
    uint8_t *c = dev->config + cap;

    c[VIRTIO_PCI_CAP_LEN] = cap_len;
    c[VIRTIO_PCI_CAP_CFG_TYPE] = cfg_type;
    c[VIRTIO_PCI_CAP_BAR] = bar;
    pci_set_long(c + VIRTIO_PCI_CAP_OFFSET, offset);
    pci_set_long(c + VIRTIO_PCI_CAP_LENGTH, length);
    if (cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
        pci_set_long(c + 16, notify_mult);
    }
    return cap;
}

/* ------------------------------------------------------------------ */
/* PCI config space                                                     */
/* ------------------------------------------------------------------ */

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b,
                           uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* The region of BAR 4 that [*off, *off + len) is in; *off becomes the
 * offset within it.  NULL if none (QEMU: the cap's "bar" is not
 * checked). */
static VirtIOPCIRegion *virtio_pci_cfg_lookup(VirtIOPCIProxy *proxy,
                                              uint32_t *off, uint32_t len)
{
    for (int i = 0; i < 4; i++) {
        VirtIOPCIRegion *reg = &proxy->regs[i];

        if (*off >= reg->offset &&
            (uint64_t)*off + len <= (uint64_t)reg->offset + reg->size) {
            *off -= reg->offset;
            return reg;
        }
    }
    return NULL;
}

/* The PCI_CFG window: an access of cap.length (1, 2, 4) bytes at
 * cap.offset in BAR 4, with the data in pci_cfg_data. */
static void virtio_pci_cfg_access(VirtIOPCIProxy *proxy, bool is_write)
{
    uint8_t *cfg = proxy->pci_dev.config + proxy->config_cap;
    uint32_t off = pci_get_long(cfg + VIRTIO_PCI_CAP_OFFSET);
    uint32_t len = pci_get_long(cfg + VIRTIO_PCI_CAP_LENGTH);
    uint8_t *data = cfg + VIRTIO_PCI_CFG_DATA_OFF;
    VirtIOPCIRegion *reg;
    int idx;

    if (len != 1 && len != 2 && len != 4) {
        return;
    }
    off &= ~(len - 1);
    reg = virtio_pci_cfg_lookup(proxy, &off, len);
    if (!reg) {
        return;
    }
    idx = reg - proxy->regs;
    if (is_write) {
        uint32_t val = len == 1 ? pci_get_byte(data) :
                       len == 2 ? pci_get_word(data) : pci_get_long(data);

        if (virtio_pci_region_ops[idx]->write) {
            virtio_pci_region_ops[idx]->write(proxy, off, val, len);
        }
    } else {
        uint32_t val = virtio_pci_region_ops[idx]->read(proxy, off, len);

        if (len == 1) {
            pci_set_byte(data, val);
        } else if (len == 2) {
            pci_set_word(data, val);
        } else {
            pci_set_long(data, val);
        }
    }
}

static void virtio_write_config(PCIDevice *pci_dev, uint32_t address,
                                uint32_t val, int len)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    bool bars_change = ranges_overlap(address, len, PCI_COMMAND, 1) ||
                       ranges_overlap(address, len, PCI_BASE_ADDRESS_0, 24);

    /* The ioeventfds follow the BARs: drop them before a move */
    if (bars_change) {
        virtio_pci_stop_ioeventfd(proxy);
    }
    pci_default_write_config(pci_dev, address, val, len);
    msix_write_config(&proxy->msix, address, val, len);
    /* MSI-X switched off: msix tells no notifier; the irqfds go too */
    if (msix_present(&proxy->msix) &&
        ranges_overlap(address, len,
                       proxy->msix.cap + PCI_MSIX_FLAGS + 1, 1)) {
        virtio_pci_vectors_sync_all(proxy);
    }

    if (vdev && ranges_overlap(address, len, PCI_COMMAND, 1)) {
        if (!(pci_dev->config[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
            virtio_set_disabled(vdev, true);
            virtio_set_status(vdev,
                              vdev->status & ~VIRTIO_CONFIG_S_DRIVER_OK);
        } else {
            virtio_set_disabled(vdev, false);
        }
    }
    if (vdev && bars_change &&
        (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        virtio_pci_start_ioeventfd(proxy);
    }
    if (vdev && proxy->config_cap &&
        ranges_overlap(address, len,
                       proxy->config_cap + VIRTIO_PCI_CFG_DATA_OFF, 4)) {
        virtio_pci_cfg_access(proxy, true);
    }
}

static uint32_t virtio_read_config(PCIDevice *pci_dev, uint32_t address,
                                   int len)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);

    if (virtio_pci_vdev(proxy) && proxy->config_cap &&
        ranges_overlap(address, len,
                       proxy->config_cap + VIRTIO_PCI_CFG_DATA_OFF, 4)) {
        virtio_pci_cfg_access(proxy, false);
    }
    return pci_default_read_config(pci_dev, address, len);
}

/* ------------------------------------------------------------------ */
/* The bus hooks                                                        */
/* ------------------------------------------------------------------ */

static void virtio_pci_pre_plugged(DeviceState *d, Error **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);
    VirtIODevice *vdev = virtio_pci_vdev(proxy);

    if (virtio_pci_modern(proxy)) {
        virtio_add_feature(&vdev->host_features, VIRTIO_F_VERSION_1);
    }
    virtio_add_feature(&vdev->host_features, VIRTIO_F_BAD_FEATURE);
}

static uint32_t pow2ceil32(uint32_t v)
{
    uint32_t p = 1;

    while (p < v) {
        p <<= 1;
    }
    return p;
}

static void virtio_pci_device_plugged(DeviceState *d, Error **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);
    VirtioBusState *bus = &proxy->bus;
    VirtIODevice *vdev = virtio_pci_vdev(proxy);
    bool legacy = virtio_pci_legacy(proxy);
    uint8_t *config = proxy->pci_dev.config;

    if (legacy && !virtio_legacy_allowed(vdev)) {
        /* QEMU keeps x-disable-legacy-check for machine types < 5.1 */
        if (!vdev->disable_legacy_check) {
            error_setg(errp, "device is modern-only, use disable-legacy=on");
            return;
        }
        warn_report("device is modern-only, but for backward "
                    "compatibility legacy is allowed");
    }
    /* Modern capabilities without VERSION_1 confuse guests */
    if (!proxy->ignore_backend_features &&
        !virtio_has_feature(vdev->host_features, VIRTIO_F_VERSION_1)) {
        virtio_pci_disable_modern(proxy);
        if (!legacy) {
            error_setg(errp, "Device doesn't support modern mode, and "
                       "legacy mode is disabled");
            error_append_hint(errp, "Set disable-legacy to off\n");
            return;
        }
    }
    if (proxy->class_code) {
        pci_config_set_class(config, proxy->class_code);
    }
    if (legacy) {
        if (virtio_host_has_feature(vdev, VIRTIO_F_IOMMU_PLATFORM)) {
            error_setg(errp, "VIRTIO_F_IOMMU_PLATFORM was supported by"
                       " neither legacy nor transitional device");
            return;
        }
        /* transitional: the legacy subsystem id is the device id */
        pci_set_word(config + PCI_SUBSYSTEM_ID, virtio_bus_get_vdev_id(bus));
    } else {
        /* pure virtio-1.0 */
        pci_set_word(config + PCI_VENDOR_ID, PCI_VENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(config + PCI_DEVICE_ID, PCI_DEVICE_ID_VIRTIO_10_BASE +
                     virtio_bus_get_vdev_id(bus));
        pci_config_set_revision(config, 1);
    }
    config[PCI_INTERRUPT_PIN] = 1;

    if (virtio_pci_modern(proxy)) {
        int bar = proxy->modern_mem_bar_idx;
        uint8_t *cfg_mask;

        for (int i = 0; i < 4; i++) {
            VirtIOPCIRegion *r = &proxy->regs[i];

            memory_region_init_io(&r->mr, OBJECT(proxy),
                                  virtio_pci_region_ops[i], proxy,
                                  virtio_pci_region_names[i], r->size);
            memory_region_add_subregion(&proxy->modern_bar, r->offset,
                                        &r->mr);
            virtio_pci_add_mem_cap(proxy, r->type, bar, r->offset, r->size,
                                   r->type == VIRTIO_PCI_CAP_NOTIFY_CFG
                                   ? 20 : 16, QUEUE_MEM_MULT);
        }
        pci_register_bar(&proxy->pci_dev, bar,
                         PCI_BASE_ADDRESS_SPACE_MEMORY |
                         PCI_BASE_ADDRESS_MEM_PREFETCH |
                         PCI_BASE_ADDRESS_MEM_TYPE_64, &proxy->modern_bar);
        /* the PCI_CFG window: bar, offset, length and data writable */
        proxy->config_cap = virtio_pci_add_mem_cap(proxy,
                                                   VIRTIO_PCI_CAP_PCI_CFG,
                                                   0, 0, 0, 20, 0);
        cfg_mask = proxy->pci_dev.wmask + proxy->config_cap;
        pci_set_byte(cfg_mask + VIRTIO_PCI_CAP_BAR, 0xff);
        pci_set_long(cfg_mask + VIRTIO_PCI_CAP_OFFSET, 0xffffffff);
        pci_set_long(cfg_mask + VIRTIO_PCI_CAP_LENGTH, 0xffffffff);
        pci_set_long(cfg_mask + VIRTIO_PCI_CFG_DATA_OFF, 0xffffffff);
    }

    if (proxy->nvectors) {
        if (msix_init_exclusive_bar(&proxy->msix, &proxy->pci_dev,
                                    proxy->nvectors, proxy->msix_bar_idx,
                                    NULL)) {
            warn_report("unable to init msix vectors to %" PRIu32,
                        proxy->nvectors);
            proxy->nvectors = 0;
        }
    }
    if (msix_present(&proxy->msix)) {
        proxy->vector_irqfd = g_new0(VirtIOIRQFD, proxy->nvectors);
        for (unsigned v = 0; v < proxy->nvectors; v++) {
            proxy->vector_irqfd[v].virq = -1;
            proxy->vector_irqfd[v].fd = -1;
        }
        g_mutex_init(&proxy->irqfd_lock);
        msix_set_vector_notifiers(&proxy->msix, virtio_pci_vector_unmask,
                                  virtio_pci_vector_mask,
                                  virtio_pci_vector_poll);
    }

    if (legacy) {
        uint32_t size = VIRTIO_PCI_CONFIG_OFF(msix_present(&proxy->msix)) +
                        virtio_bus_get_vdev_config_len(bus);

        memory_region_init_io(&proxy->bar, OBJECT(proxy),
                              &virtio_pci_config_ops, proxy, "virtio-pci",
                              pow2ceil32(size));
        pci_register_bar(&proxy->pci_dev, proxy->legacy_io_bar_idx,
                         PCI_BASE_ADDRESS_SPACE_IO, &proxy->bar);
    }
    vdev->nvectors = proxy->nvectors;
}

static void virtio_pci_device_unplugged(DeviceState *d)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);

    virtio_pci_stop_ioeventfd(proxy);
}

static int virtio_pci_query_nvectors(DeviceState *d)
{
    return VIRTIO_PCI(d)->nvectors;
}

static AddressSpace *virtio_pci_get_dma_as(DeviceState *d)
{
    return pci_get_address_space(PCI_DEVICE(d));
}

static bool virtio_pci_queue_enabled(DeviceState *d, int n)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(d);
    VirtIODevice *vdev = virtio_pci_vdev(proxy);

    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        return proxy->vqs[n].enabled;
    }
    return virtio_queue_enabled(vdev, n);
}

/* ------------------------------------------------------------------ */
/* The device                                                           */
/* ------------------------------------------------------------------ */

static bool virtio_pci_realize(PCIDevice *pci_dev, Error **errp)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);
    VirtioPCIClass *k = VIRTIO_PCI_GET_CLASS(pci_dev);

    /*
     * QEMU's layout: BAR 0 legacy I/O, BAR 1 MSI-X, BAR 4+5 modern
     * memory (64-bit); BAR 2 (modern PIO notify) is not modelled.
     */
    proxy->legacy_io_bar_idx = 0;
    proxy->msix_bar_idx = 1;
    proxy->modern_mem_bar_idx = 4;

    proxy->common.offset = 0x0;
    proxy->common.size = 0x1000;
    proxy->common.type = VIRTIO_PCI_CAP_COMMON_CFG;
    proxy->isr.offset = 0x1000;
    proxy->isr.size = 0x1000;
    proxy->isr.type = VIRTIO_PCI_CAP_ISR_CFG;
    proxy->device.offset = 0x2000;
    proxy->device.size = 0x1000;
    proxy->device.type = VIRTIO_PCI_CAP_DEVICE_CFG;
    proxy->notify.offset = 0x3000;
    proxy->notify.size = QUEUE_MEM_MULT * VIRTIO_QUEUE_MAX;
    proxy->notify.type = VIRTIO_PCI_CAP_NOTIFY_CFG;

    /* subclasses can enforce modern: set it up unconditionally */
    memory_region_init(&proxy->modern_bar, OBJECT(proxy), "virtio-pci",
                       pow2ceil32(proxy->notify.offset + proxy->notify.size));

    /* conventional PCI (the PC has no PCIe ports): legacy stays on */
    if (proxy->disable_legacy == ON_OFF_AUTO_AUTO) {
        proxy->disable_legacy = ON_OFF_AUTO_OFF;
    }
    if (!virtio_pci_modern(proxy) && !virtio_pci_legacy(proxy)) {
        error_setg(errp, "device cannot work as neither modern nor legacy "
                   "mode is enabled");
        error_append_hint(errp, "Set either disable-modern or "
                          "disable-legacy to off\n");
        return false;
    }
    proxy->ioeventfds = g_new0(VirtIOPCIIoeventfd *, VIRTIO_QUEUE_MAX);
    proxy->ioeventfd_dead = g_ptr_array_new();
    qbus_init(&proxy->bus, sizeof(VirtioPCIBusState), TYPE_VIRTIO_PCI_BUS,
              DEVICE(proxy), "virtio-bus");
    if (k->realize && !k->realize(proxy, errp)) {
        g_free(proxy->ioeventfds);
        proxy->ioeventfds = NULL;
        g_ptr_array_free(proxy->ioeventfd_dead, true);
        proxy->ioeventfd_dead = NULL;
        return false;
    }
    return true;
}

static void virtio_pci_exit(PCIDevice *pci_dev)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(pci_dev);

    virtio_pci_stop_ioeventfd(proxy);
    if (proxy->vector_irqfd) {
        msix_unset_vector_notifiers(&proxy->msix);
        for (unsigned v = 0; v < proxy->msix.nentries; v++) {
            virtio_pci_irqfd_release(proxy, v);
            if (proxy->vector_irqfd[v].fd >= 0) {
                close(proxy->vector_irqfd[v].fd);
            }
        }
        g_free(proxy->vector_irqfd);
        proxy->vector_irqfd = NULL;
        g_mutex_clear(&proxy->irqfd_lock);
    }
    msix_uninit_exclusive_bar(&proxy->msix);
    g_free(proxy->ioeventfds);
    proxy->ioeventfds = NULL;
    /* main thread: nothing is left for the bottom half */
    for (guint i = 0; i < proxy->ioeventfd_dead->len; i++) {
        virtio_pci_ioeventfd_free(g_ptr_array_index(proxy->ioeventfd_dead,
                                                    i));
    }
    g_ptr_array_free(proxy->ioeventfd_dead, true);
    proxy->ioeventfd_dead = NULL;
}

/* System reset: the PCI function's, then the transport's and the
 * device's (QEMU's virtio_pci_reset + msix_reset). */
static void virtio_pci_qdev_reset(DeviceState *qdev)
{
    VirtIOPCIProxy *proxy = VIRTIO_PCI(qdev);
    VirtioPCIClass *k = VIRTIO_PCI_GET_CLASS(qdev);

    if (k->parent_reset) {
        k->parent_reset(qdev);
    }
    if (!qdev->realized) {
        return;
    }
    virtio_pci_reset_state(proxy);
    msix_reset(&proxy->msix);
    virtio_pci_vectors_sync_all(proxy);
}

static Property virtio_pci_properties[] = {
    DEFINE_PROP_BIT("virtio-pci-bus-master-bug-migration", VirtIOPCIProxy,
                    flags, VIRTIO_PCI_FLAG_BUS_MASTER_BUG_MIGRATION_BIT,
                    false),
    DEFINE_PROP_BIT("migrate-extra", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_MIGRATE_EXTRA_BIT, true),
    DEFINE_PROP_BIT("modern-pio-notify", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_MODERN_PIO_NOTIFY_BIT, false),
    DEFINE_PROP_BIT("x-disable-pcie", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_DISABLE_PCIE_BIT, false),
    DEFINE_PROP_BIT("page-per-vq", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_PAGE_PER_VQ_BIT, false),
    DEFINE_PROP_BOOL("x-ignore-backend-features", VirtIOPCIProxy,
                     ignore_backend_features, false),
    DEFINE_PROP_BIT("ats", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_ATS_BIT, false),
    DEFINE_PROP_BIT("x-ats-page-aligned", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_ATS_PAGE_ALIGNED_BIT, true),
    DEFINE_PROP_BIT("x-pcie-deverr-init", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_INIT_DEVERR_BIT, true),
    DEFINE_PROP_BIT("x-pcie-lnkctl-init", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_INIT_LNKCTL_BIT, true),
    DEFINE_PROP_BIT("x-pcie-pm-init", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_INIT_PM_BIT, true),
    DEFINE_PROP_BIT("x-pcie-flr-init", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_INIT_FLR_BIT, true),
    DEFINE_PROP_BIT("aer", VirtIOPCIProxy, flags,
                    VIRTIO_PCI_FLAG_AER_BIT, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_pci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    VirtioPCIClass *vpciklass = VIRTIO_PCI_CLASS(klass);

    device_class_set_props(dc, virtio_pci_properties);
    k->realize = virtio_pci_realize;
    k->exit = virtio_pci_exit;
    k->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    k->revision = VIRTIO_PCI_ABI_VERSION;
    k->class_id = 0xff00;               /* PCI_CLASS_OTHERS */
    k->config_write = virtio_write_config;
    k->config_read = virtio_read_config;
    device_class_set_parent_reset(dc, virtio_pci_qdev_reset,
                                  &vpciklass->parent_reset);
}

static const TypeInfo virtio_pci_info = {
    .name = TYPE_VIRTIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VirtIOPCIProxy),
    .class_init = virtio_pci_class_init,
    .class_size = sizeof(VirtioPCIClass),
    .abstract = true,
};

/* ------------------------------------------------------------------ */
/* Helpers for the concrete transports                                  */
/* ------------------------------------------------------------------ */

void virtio_instance_init_common(Object *proxy_obj, void *vdev,
                                 size_t vdev_size, const char *vdev_name)
{
    ObjectClass *class;

    object_initialize_child(proxy_obj, "virtio-backend", vdev, vdev_size,
                            vdev_name);
    /* QEMU's qdev_alias_all_properties(vdev, proxy_obj) */
    class = object_get_class(OBJECT(vdev));
    do {
        DeviceClass *dc = DEVICE_CLASS(class);

        for (Property *prop = dc->props_; prop && prop->name; prop++) {
            object_property_add_alias(proxy_obj, prop->name, OBJECT(vdev),
                                      prop->name);
        }
        class = object_class_get_parent(class);
    } while (class != object_class_by_name(TYPE_DEVICE));
}

unsigned virtio_pci_optimal_num_queues(unsigned fixed_queues)
{
    MachineState *ms = current_machine_get();
    unsigned num_queues = ms ? ms->smp.cpus : 1;

    num_queues = MIN(num_queues, PCI_MSIX_FLAGS_QSIZE - fixed_queues);
    return MIN(num_queues, VIRTIO_QUEUE_MAX - fixed_queues);
}

/* ------------------------------------------------------------------ */
/* virtio-pci-bus                                                       */
/* ------------------------------------------------------------------ */

static void virtio_pci_bus_class_init(ObjectClass *klass, void *data)
{
    BusClass *bus_class = BUS_CLASS(klass);
    VirtioBusClass *k = VIRTIO_BUS_CLASS(klass);

    bus_class->max_dev = 1;
    k->notify = virtio_pci_notify;
    k->pre_plugged = virtio_pci_pre_plugged;
    k->device_plugged = virtio_pci_device_plugged;
    k->device_unplugged = virtio_pci_device_unplugged;
    k->query_nvectors = virtio_pci_query_nvectors;
    k->ioeventfd_enabled = virtio_pci_ioeventfd_enabled;
    k->set_ioeventfd_ctx = virtio_pci_set_ioeventfd_ctx;
    k->queue_enabled = virtio_pci_queue_enabled;
    k->get_dma_as = virtio_pci_get_dma_as;
}

static const TypeInfo virtio_pci_bus_info = {
    .name = TYPE_VIRTIO_PCI_BUS,
    .parent = TYPE_VIRTIO_BUS,
    .instance_size = sizeof(VirtioPCIBusState),
    .class_size = sizeof(VirtioBusClass),
    .class_init = virtio_pci_bus_class_init,
};

static void virtio_pci_register_types(void)
{
    type_register_static(&virtio_pci_bus_info);
    type_register_static(&virtio_pci_info);
}

type_init(virtio_pci_register_types)
