/*
 * kvm-irqchip.c - the VM's GSI routing table and irqfds (QEMU 7.2's
 * accel/kvm/kvm-all.c: kvm_init_irq_routing, kvm_irqchip_add_irq_route,
 * kvm_irqchip_get_virq, kvm_irqchip_add_msi_route,
 * kvm_irqchip_update_msi_route, kvm_irqchip_release_virq,
 * kvm_irqchip_commit_routes, kvm_irqchip_assign_irqfd,
 * kvm_irqchip_send_msi).  See include/accel/kvm.h.
 *
 * KVM_SET_GSI_ROUTING replaces the whole table, so this file is its one
 * writer: the board's PIC/IOAPIC routes (hw/i386/kvm-ioapic.c) and the
 * MSI routes of irqfds (hw/virtio/virtio-pci.c) are entries here, and
 * every commit sends all of them.  A bitmap of used GSIs (gsi_count =
 * KVM_CAP_IRQ_ROUTING - 1, QEMU's) hands out the lowest free one above
 * the IOAPIC's pins (24 and up).
 *
 * Threads: any (the table has its own lock; callers normally hold the
 * big lock).  Not modelled: kvm_gsi_direct_mapping (not x86), MSI route
 * fixups for an IOMMU, flushing dynamic MSI routes (KVM_SIGNAL_MSI is
 * required: see kvm_irqchip_send_msi), resample irqfds' EOI notifier.
 */
#include "util/osdep.h"
#include "kvm-internal.h"

#include <sys/ioctl.h>

typedef struct KVMIrqRouting {
    GMutex lock;                /* everything below */
    struct kvm_irq_routing *routes;     /* routes->nr entries in use */
    int nr_allocated;
    unsigned long *used_gsi;    /* gsi_count bits */
    int gsi_count;
    bool irqfd;                 /* KVM_CAP_IRQFD */
    bool direct_msi;            /* KVM_CAP_SIGNAL_MSI */
} KVMIrqRouting;

static KVMIrqchipStats kvm_irq_stats;   /* relaxed atomics */

#define BITS_PER_UL (8 * sizeof(unsigned long))

static void stat_inc(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

void kvm_init_irq_routing(KVMState *s)
{
    KVMIrqRouting *r;
    int gsi_count;

    if (!s->irqchip) {
        return;
    }
    gsi_count = kvm_check_extension(s, KVM_CAP_IRQ_ROUTING) - 1;
    if (gsi_count <= 0) {
        return;
    }
    r = g_new0(KVMIrqRouting, 1);
    g_mutex_init(&r->lock);
    r->gsi_count = gsi_count;
    r->used_gsi = g_new0(unsigned long,
                         (gsi_count + BITS_PER_UL - 1) / BITS_PER_UL);
    r->routes = g_malloc0(sizeof(*r->routes));
    r->irqfd = kvm_check_extension(s, KVM_CAP_IRQFD) > 0;
    r->direct_msi = kvm_check_extension(s, KVM_CAP_SIGNAL_MSI) > 0;
    s->irq_routing = r;
}

void kvm_irq_routing_destroy(KVMState *s)
{
    KVMIrqRouting *r = s->irq_routing;

    if (!r) {
        return;
    }
    s->irq_routing = NULL;
    g_mutex_clear(&r->lock);
    g_free(r->routes);
    g_free(r->used_gsi);
    g_free(r);
}

/* The routing table of the current VM, locked; NULL (unlocked) if none. */
static KVMIrqRouting *routing_lock(KVMState **sp)
{
    KVMState *s = kvm_state();
    KVMIrqRouting *r = s ? s->irq_routing : NULL;

    if (r) {
        g_mutex_lock(&r->lock);
    }
    if (sp) {
        *sp = s;
    }
    return r;
}

static void routing_unlock(KVMIrqRouting *r)
{
    g_mutex_unlock(&r->lock);
}

bool kvm_gsi_routing_enabled(void)
{
    KVMState *s = kvm_state();

    return s && s->irq_routing;
}

bool kvm_msi_via_irqfd_enabled(void)
{
    KVMState *s = kvm_state();

    return s && s->irq_routing && s->irq_routing->irqfd;
}

/* --- the table --------------------------------------------------------- */

static bool gsi_used(KVMIrqRouting *r, int gsi)
{
    return r->used_gsi[gsi / BITS_PER_UL] & (1UL << (gsi % BITS_PER_UL));
}

static void set_gsi(KVMIrqRouting *r, int gsi)
{
    r->used_gsi[gsi / BITS_PER_UL] |= 1UL << (gsi % BITS_PER_UL);
}

static void clear_gsi(KVMIrqRouting *r, int gsi)
{
    r->used_gsi[gsi / BITS_PER_UL] &= ~(1UL << (gsi % BITS_PER_UL));
}

/*
 * QEMU's kvm_irqchip_get_virq: the lowest unused GSI, above the in-kernel
 * IOAPIC's 24 pins (GSI 0-23) whether the board routed them all or not
 * (the pc leaves GSI 2 free; QEMU would hand it out).
 */
#define KVM_IRQCHIP_NUM_PINS 24

static int get_virq(KVMIrqRouting *r)
{
    for (int gsi = KVM_IRQCHIP_NUM_PINS; gsi < r->gsi_count; gsi++) {
        if (!gsi_used(r, gsi)) {
            return gsi;
        }
    }
    return -ENOSPC;
}

/* QEMU's kvm_add_routing_entry (the table grows by doubling). */
static void add_routing_entry(KVMIrqRouting *r,
                              const struct kvm_irq_routing_entry *entry)
{
    struct kvm_irq_routing_entry *e;

    if (r->routes->nr == (unsigned)r->nr_allocated) {
        int n = MAX(64, 2 * r->nr_allocated);

        r->routes = g_realloc(r->routes, sizeof(*r->routes) +
                              n * sizeof(r->routes->entries[0]));
        r->nr_allocated = n;
    }
    e = &r->routes->entries[r->routes->nr++];
    *e = *entry;
    memset(&e->pad, 0, sizeof(e->pad));
    set_gsi(r, entry->gsi);
}

int kvm_irqchip_add_irq_route(int gsi, int irqchip, int pin)
{
    struct kvm_irq_routing_entry e = {
        .gsi = gsi,
        .type = KVM_IRQ_ROUTING_IRQCHIP,
        .u.irqchip = { .irqchip = irqchip, .pin = pin },
    };
    KVMIrqRouting *r = routing_lock(NULL);

    if (!r) {
        return -ENOSYS;
    }
    if (gsi < 0 || gsi >= r->gsi_count) {
        routing_unlock(r);
        return -EINVAL;
    }
    add_routing_entry(r, &e);
    routing_unlock(r);
    return 0;
}

static void msi_route_fill(struct kvm_irq_routing_entry *e, int virq,
                           MSIMessage msg)
{
    *e = (struct kvm_irq_routing_entry) {
        .gsi = virq,
        .type = KVM_IRQ_ROUTING_MSI,
        .u.msi = {
            .address_lo = (uint32_t)msg.address,
            .address_hi = msg.address >> 32,
            .data = msg.data,
        },
    };
}

int kvm_irqchip_add_msi_route(KVMRouteChange *c, MSIMessage msg)
{
    struct kvm_irq_routing_entry e;
    KVMIrqRouting *r;
    int virq;

    /* A message outside the APIC window is a memory write: no route. */
    if (!msi_message_is_apic(msg)) {
        return -EINVAL;
    }
    r = routing_lock(NULL);
    if (!r) {
        return -ENOSYS;
    }
    virq = get_virq(r);
    if (virq >= 0) {
        msi_route_fill(&e, virq, msg);
        add_routing_entry(r, &e);
        c->changes++;
    }
    routing_unlock(r);
    return virq;
}

int kvm_irqchip_update_msi_route(int virq, MSIMessage msg)
{
    KVMIrqRouting *r;
    int ret = -ESRCH;

    if (!msi_message_is_apic(msg)) {
        return -EINVAL;
    }
    r = routing_lock(NULL);
    if (!r) {
        return -ENOSYS;
    }
    for (unsigned i = 0; i < r->routes->nr; i++) {
        struct kvm_irq_routing_entry *e = &r->routes->entries[i];

        if (e->gsi == (uint32_t)virq && e->type == KVM_IRQ_ROUTING_MSI) {
            msi_route_fill(e, virq, msg);
            ret = 0;
            break;
        }
    }
    routing_unlock(r);
    return ret;
}

void kvm_irqchip_release_virq(int virq)
{
    KVMIrqRouting *r = routing_lock(NULL);

    if (!r) {
        return;
    }
    if (virq >= 0 && virq < r->gsi_count) {
        for (unsigned i = 0; i < r->routes->nr;) {
            struct kvm_irq_routing_entry *e = &r->routes->entries[i];

            if (e->gsi == (uint32_t)virq) {
                *e = r->routes->entries[--r->routes->nr];
            } else {
                i++;
            }
        }
        clear_gsi(r, virq);
    }
    routing_unlock(r);
}

int kvm_irqchip_commit_routes(void)
{
    KVMState *s;
    KVMIrqRouting *r = routing_lock(&s);
    int ret;

    if (!r) {
        return s ? -ENOSYS : -ENODEV;
    }
    r->routes->flags = 0;
    ret = ioctl(s->vmfd, KVM_SET_GSI_ROUTING, r->routes);
    ret = ret < 0 ? -errno : 0;
    stat_inc(&kvm_irq_stats.commits);
    routing_unlock(r);
    return ret;
}

int kvm_irqchip_commit_route_changes(KVMRouteChange *c)
{
    int ret = 0;

    if (c->changes) {
        ret = kvm_irqchip_commit_routes();
        c->changes = 0;
    }
    return ret;
}

/* --- irqfds and direct MSIs --------------------------------------------- */

static int kvm_irqchip_assign_irqfd(int fd, int rfd, int virq, bool assign)
{
    struct kvm_irqfd irqfd = {
        .fd = fd,
        .gsi = virq,
        .flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
    };
    KVMState *s = kvm_state();
    int ret;

    if (!s) {
        return -ENODEV;
    }
    if (!s->irq_routing || !s->irq_routing->irqfd) {
        return -ENOSYS;
    }
    if (assign && rfd >= 0) {
        irqfd.flags |= KVM_IRQFD_FLAG_RESAMPLE;
        irqfd.resamplefd = rfd;
    }
    ret = ioctl(s->vmfd, KVM_IRQFD, &irqfd);
    if (ret < 0) {
        return -errno;
    }
    stat_inc(assign ? &kvm_irq_stats.irqfd_assign
                    : &kvm_irq_stats.irqfd_deassign);
    return 0;
}

int kvm_irqchip_add_irqfd_notifier_gsi(int fd, int rfd, int virq)
{
    return kvm_irqchip_assign_irqfd(fd, rfd, virq, true);
}

int kvm_irqchip_remove_irqfd_notifier_gsi(int fd, int virq)
{
    return kvm_irqchip_assign_irqfd(fd, -1, virq, false);
}

int kvm_irqchip_send_msi(MSIMessage msg)
{
    struct kvm_msi msi = {
        .address_lo = (uint32_t)msg.address,
        .address_hi = msg.address >> 32,
        .data = msg.data,
    };

    stat_inc(&kvm_irq_stats.signal_msi);
    return kvm_vm_ioctl(KVM_SIGNAL_MSI, &msi);
}

void kvm_irqchip_get_stats(KVMIrqchipStats *st)
{
    KVMIrqRouting *r = routing_lock(NULL);

    st->signal_msi = __atomic_load_n(&kvm_irq_stats.signal_msi,
                                     __ATOMIC_RELAXED);
    st->commits = __atomic_load_n(&kvm_irq_stats.commits, __ATOMIC_RELAXED);
    st->irqfd_assign = __atomic_load_n(&kvm_irq_stats.irqfd_assign,
                                       __ATOMIC_RELAXED);
    st->irqfd_deassign = __atomic_load_n(&kvm_irq_stats.irqfd_deassign,
                                         __ATOMIC_RELAXED);
    st->routes = r ? (int)r->routes->nr : 0;
    if (r) {
        routing_unlock(r);
    }
}
