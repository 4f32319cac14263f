/*
 * kvm.h - what board code may ask of the KVM accelerator (QEMU's
 * include/sysemu/kvm.h, the few calls a KVM-only pc needs).
 *
 * The accelerator itself is accel/kvm/: kvm.c (the VM and its memory
 * slots), kvm-vcpu.c (vCPU threads and the KVM_RUN loop), kvm-x86.c
 * (x86 registers, CPUID, in-kernel irqchip).
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include "util/osdep.h"

#define TYPE_KVM_ACCEL "kvm-accel"

/*
 * Guest-physical pages KVM needs for real-mode emulation on older Intel
 * hosts (an EPT identity page table and a TSS: 4 pages below the BIOS,
 * QEMU's values).  The machine must mark them reserved in its e820 map.
 */
#define KVM_IDENTITY_MAP_BASE 0xfeffc000ULL
#define KVM_IDENTITY_MAP_SIZE 0x4000ULL

/* True once the KVM accelerator is initialised.  Any thread. */
bool kvm_enabled(void);

/**
 * kvm_set_irq: drive input @irq (a GSI: 0-15 reach both the in-kernel
 * 8259 pair and IOAPIC pins 0-15, 16-23 the IOAPIC only) to @level.
 * Returns 0 or -errno (-ENODEV without KVM).  Any thread.
 */
int kvm_set_irq(int irq, int level);

/**
 * kvm_vm_ioctl: an ioctl on the VM fd (e.g. KVM_CREATE_PIT2,
 * KVM_SET_GSI_ROUTING).  Returns the ioctl's result (>= 0) or -errno
 * (-ENODEV without KVM).  Any thread.
 */
int kvm_vm_ioctl(unsigned long type, void *arg);

/*
 * --- GSI routing and irqfds (accel/kvm/kvm-irqchip.c) ---
 *
 * QEMU 7.2's kvm_irqchip_* API.  KVM_SET_GSI_ROUTING replaces the VM's
 * whole table, so there is one owner: the PIC/IOAPIC pin routes
 * (kvm_pc_setup_irq_routing) and the MSI routes that irqfds use are
 * entries of the same table, which each commit sends whole.  MSI routes
 * get the lowest free GSI ("virq") above the pin routes (24 and up on
 * the pc).  Deviation: no KVMState argument (there is one VM).
 *
 * Threads: any; the table has a lock of its own.  Without KVM (or the
 * capabilities) everything returns -ENOSYS / -ENODEV and callers fall
 * back (msix_notify's KVM_SIGNAL_MSI).
 */

/* An MSI message: what an MSI-X table entry holds (QEMU's MSIMessage). */
typedef struct MSIMessage {
    uint64_t address;
    uint32_t data;
} MSIMessage;

/* The local APICs' MSI window (QEMU's apic-msi region): messages to
 * other addresses are memory writes, not interrupts. */
#define MSI_ADDR_APIC_BASE 0xfee00000ULL
#define MSI_ADDR_APIC_SIZE 0x100000ULL

static inline bool msi_message_is_apic(MSIMessage msg)
{
    return msg.address >= MSI_ADDR_APIC_BASE &&
           msg.address < MSI_ADDR_APIC_BASE + MSI_ADDR_APIC_SIZE;
}

/* KVM_CAP_IRQ_ROUTING with the in-kernel irqchip. */
bool kvm_gsi_routing_enabled(void);
/* MSI routes + KVM_CAP_IRQFD: an eventfd can raise an MSI. */
bool kvm_msi_via_irqfd_enabled(void);

/* Batching route additions (QEMU 7.2's KVMRouteChange): begin, add,
 * commit once (only if something was added). */
typedef struct KVMRouteChange {
    int changes;
} KVMRouteChange;

static inline KVMRouteChange kvm_irqchip_begin_route_changes(void)
{
    return (KVMRouteChange) { 0 };
}
int kvm_irqchip_commit_route_changes(KVMRouteChange *c);

/* Route GSI @gsi to pin @pin of in-kernel chip @irqchip
 * (KVM_IRQCHIP_PIC_MASTER/SLAVE/IOAPIC); the GSI is marked used.
 * Not committed.  0 or -errno. */
int kvm_irqchip_add_irq_route(int gsi, int irqchip, int pin);
/* A new GSI routed to @msg: the virq (>= 0) or -errno (-ENOSPC: none
 * free, -ENOSYS: no routing, -EINVAL: not a message to the local
 * APICs).  Counted in @c; not committed. */
int kvm_irqchip_add_msi_route(KVMRouteChange *c, MSIMessage msg);
/* Point @virq at @msg (not committed): 0, -ESRCH (no such MSI route),
 * -EINVAL (@msg not to the local APICs). */
int kvm_irqchip_update_msi_route(int virq, MSIMessage msg);
/* Forget @virq's route and free the GSI (not committed; any irqfd on it
 * must be removed first). */
void kvm_irqchip_release_virq(int virq);
/* KVM_SET_GSI_ROUTING with the whole table.  0 or -errno. */
int kvm_irqchip_commit_routes(void);
/* KVM_IRQFD: writes to eventfd @fd raise GSI @virq (@rfd: resample fd
 * for level routes, or -1).  0 or -errno. */
int kvm_irqchip_add_irqfd_notifier_gsi(int fd, int rfd, int virq);
int kvm_irqchip_remove_irqfd_notifier_gsi(int fd, int virq);
/* KVM_SIGNAL_MSI: inject @msg once.  0 / 1 (delivered or not) or
 * -errno. */
int kvm_irqchip_send_msi(MSIMessage msg);

/* Counters for tests and debugging (monotonic, relaxed). */
typedef struct KVMIrqchipStats {
    uint64_t signal_msi;        /* KVM_SIGNAL_MSI ioctls */
    uint64_t commits;           /* KVM_SET_GSI_ROUTING ioctls */
    uint64_t irqfd_assign;      /* KVM_IRQFD assigns */
    uint64_t irqfd_deassign;    /* KVM_IRQFD deassigns */
    int routes;                 /* entries in the table now */
} KVMIrqchipStats;
void kvm_irqchip_get_stats(KVMIrqchipStats *st);

#endif /* ACCEL_KVM_H */
