/*
 * kvm-internal.h - what the KVM accelerator's files share: the VM
 * (KVMState), a vCPU (KVMVCPU), and the hooks between the generic part
 * (kvm.c, kvm-vcpu.c) and the x86 part (kvm-x86.c), kvmtool style.
 */
#ifndef ACCEL_KVM_INTERNAL_H
#define ACCEL_KVM_INTERNAL_H

#include "accel/accel.h"
#include "accel/kvm.h"
#include "hw/core/cpu.h"
#include "hw/core/memory.h"

#include <linux/kvm.h>

OBJECT_DECLARE_SIMPLE_TYPE(KVMState, KVM_ACCEL)

/* One KVM memory slot: a page-aligned piece of a RAM FlatRange. */
typedef struct KVMSlot {
    uint64_t start_addr;        /* guest physical, page aligned */
    uint64_t memory_size;       /* bytes; 0 = slot free */
    void *ram;                  /* host address of start_addr */
    uint32_t flags;             /* KVM_MEM_READONLY */
} KVMSlot;

struct KVMState {
    AccelState parent_obj;

    char *device;               /* property "device": "/dev/kvm" */
    int fd;                     /* /dev/kvm, or -1 */
    int vmfd;                   /* KVM_CREATE_VM, or -1 */
    int vcpu_mmap_size;         /* KVM_GET_VCPU_MMAP_SIZE, bytes */
    bool immediate_exit;        /* KVM_CAP_IMMEDIATE_EXIT */
    bool readonly_mem;          /* KVM_CAP_READONLY_MEM */
    bool irqchip;               /* in-kernel PIC/IOAPIC/LAPIC created */

    /* Memory slots, by slot id; grows up to nr_slots (big lock). */
    int nr_slots;               /* KVM_CAP_NR_MEMSLOTS */
    KVMSlot *slots;
    int slots_len;
    MemoryListener listener;
    AddressSpace *as_memory;    /* listened to; MMIO exits go here */
    AddressSpace *as_io;        /* PIO exits go here */

    void *arch;                 /* kvm-x86.c's state (supported CPUID) */
    struct KVMIrqRouting *irq_routing;  /* kvm-irqchip.c: the GSI routing
                                         * table, its one owner */
};

/* A vCPU: created and run by its thread (kvm-vcpu.c). */
typedef struct KVMVCPU {
    CPUState *cpu;
    KVMState *s;
    int fd;                     /* KVM_CREATE_VCPU, or -1 */
    struct kvm_run *run;        /* mmap'ed, run_size bytes */
    size_t run_size;
    bool reset_pending;         /* (bql) load reset state before running */
    Error *init_err;            /* set by the thread if creation failed */
    uint64_t exits;             /* (vcpu, read relaxed) exits handled */
    uint64_t emulated_insns;    /* (vcpu) instructions completed for
                                 * KVM's emulator (kvm-x86.c) */
} KVMVCPU;

/* The current KVM accelerator, or NULL. */
KVMState *kvm_state(void);

/* ioctl on /dev/kvm: the result, or -errno. */
int kvm_ioctl(KVMState *s, unsigned long type, void *arg);
/* KVM_CHECK_EXTENSION on the VM (on /dev/kvm before it exists); 0 when
 * absent. */
int kvm_check_extension(KVMState *s, int extension);
/* ioctl on the vCPU fd: the result, or -errno. */
int kvm_vcpu_ioctl(KVMVCPU *v, unsigned long type, void *arg);

/* --- kvm-vcpu.c --------------------------------------------------------- */

bool kvm_start_vcpu(AccelState *accel, CPUState *cpu, Error **errp);
void kvm_kick_vcpu(AccelState *accel, CPUState *cpu);
void kvm_stop_vcpu(AccelState *accel, CPUState *cpu);
void kvm_reset_vcpu(AccelState *accel, CPUState *cpu);

/*
 * kvm_handle_exit: act on the exit described by @v->run (run->exit_reason
 * and its union), checking everything the kernel wrote before trusting
 * it.  Returns 0 to re-enter the guest, 1 to leave the run loop (stop,
 * halt, reset/shutdown request), -1 on an error the VM must stop for
 * (already reported).  vCPU thread, big lock not held.  Exposed for
 * tests, which feed it forged kvm_run pages.
 */
int kvm_handle_exit(KVMVCPU *v);

/* --- kvm-irqchip.c ------------------------------------------------------- */

/* QEMU's kvm_init_irq_routing: the capabilities (KVM_CAP_IRQ_ROUTING,
 * KVM_CAP_IRQFD, KVM_CAP_SIGNAL_MSI) and an empty table.  After
 * kvm_arch_init (the irqchip exists). */
void kvm_init_irq_routing(KVMState *s);
void kvm_irq_routing_destroy(KVMState *s);

/* --- kvm-x86.c (the arch hooks) ------------------------------------------ */

/* VM-wide setup after KVM_CREATE_VM: identity map/TSS, irqchip, the
 * supported CPUID.  False with errp set (the reason alone). */
bool kvm_arch_init(KVMState *s, Error **errp);
void kvm_arch_destroy(KVMState *s);
/* Per-vCPU setup in the vCPU thread: CPUID.  False with errp set. */
bool kvm_arch_init_vcpu(KVMVCPU *v, Error **errp);
/* Compute (CPUClass cpu_reset) and load the reset state.  vCPU thread,
 * big lock held.  0 or -errno, reported. */
int kvm_arch_put_reset_state(KVMVCPU *v);
/* KVM_EXIT_INTERNAL_ERROR with suberror KVM_INTERNAL_ERROR_EMULATION:
 * complete the instruction if it is one KVM's emulator cannot do and the
 * VMM can (at CPL 0: int3, clac, stac, swapgs, fwait, ldmxcsr/stmxcsr,
 * popcnt and rd/wr{fs,gs}base register forms).  0 if done (re-enter the guest), -1 to report the
 * error.  vCPU thread, big lock not held. */
int kvm_arch_handle_emulation_failure(KVMVCPU *v);
/* QEMU's cpu_dump_state for an error report ("RAX=..." lines). */
void kvm_arch_dump_state(KVMVCPU *v);

#endif /* ACCEL_KVM_INTERNAL_H */
