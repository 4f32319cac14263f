/*
 * cpu.h - TYPE_CPU, the abstract vCPU device (QEMU's hw/core/cpu-common.c
 * and include/hw/core/cpu.h, reduced to what a KVM-only VMM needs).
 *
 * A CPU is a device: the machine creates it with object_new, sets
 * "apic-id" and realizes it.  The architecture's realize (x86: hw/i386/
 * x86-cpu.c) ends by calling cpu_start_vcpu(), which asks the current
 * accelerator to start the vCPU thread and returns once the thread exists
 * (QEMU's qemu_init_vcpu).  The thread runs the accelerator's loop; the
 * pause/resume protocol below is shared by every accelerator.
 *
 * Threads: fields marked (vcpu) belong to the vCPU thread; (bql) are
 * changed under the big lock; the stop/stopped handshake is documented at
 * pause_all_vcpus() in system/runstate.h.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "hw/core/qdev.h"
#include "util/thread.h"

#define TYPE_CPU "cpu"
OBJECT_DECLARE_TYPE(CPUState, CPUClass, CPU)

struct CPUClass {
    DeviceClass parent_class;
    /* Architecture hooks, called in the vCPU thread by the accelerator. */
    /* Load the reset (or boot) register state into the accelerator. */
    void (*cpu_reset)(CPUState *cpu);
    DeviceRealize parent_realize;
};

struct CPUState {
    DeviceState parent_obj;

    int cpu_index;              /* 0.. in creation order (bql) */
    uint32_t apic_id;           /* property "apic-id" */
    QomuThread *thread;
    pid_t thread_id;            /* kernel tid, for query-cpus-fast */
    QomuEvent created;          /* set by the thread once it runs */

    /* Pause protocol: see pause_all_vcpus(). */
    bool stop;                  /* (bql) requested */
    bool stopped;               /* (bql) acknowledged by the thread */
    bool unplug;                /* (bql) thread must exit */
    bool exit_request;          /* atomic: leave the run loop soon */
    bool halted;                /* (vcpu) in HLT */
    GCond halt_cond;            /* the thread sleeps here when idle */

    void *accel;                /* accelerator's per-vCPU state */
};

/* The first/next CPU and iteration over all (bql). */
extern GPtrArray *cpus;         /* CPUState *, by cpu_index */
#define CPU_FOREACH(cpu) \
    for (guint cpu##_i_ = 0; \
         cpu##_i_ < (cpus ? cpus->len : 0) && \
         ((cpu) = g_ptr_array_index(cpus, cpu##_i_), true); \
         cpu##_i_++)

/* Called by the architecture's realize: start the vCPU through the
 * accelerator and wait until its thread is running.  False + errp if the
 * accelerator cannot create it (e.g. KVM_CREATE_VCPU fails). */
bool cpu_start_vcpu(CPUState *cpu, Error **errp);

/* Make the vCPU leave KVM_RUN (or its idle wait) soon.  Any thread. */
void cpu_kick(CPUState *cpu);

/* For the vCPU thread: true while it must not run guest code. */
bool cpu_should_wait(CPUState *cpu);
/* For the vCPU thread, big lock held: sleep until it may run again,
 * acknowledging a stop request on the way. */
void cpu_wait_io_event(CPUState *cpu);

#endif /* HW_CORE_CPU_H */
