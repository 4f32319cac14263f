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
 * The thread's loop, for every accelerator (QEMU's kvm_vcpu_thread_fn):
 *
 *     bql_lock();
 *     while (!cpu->unplug) {
 *         if (!cpu_should_wait(cpu)) {
 *             ... run guest code, big lock dropped, until cpu->exit_request
 *         }
 *         cpu_wait_io_event(cpu);   sleeps; acknowledges stop requests
 *     }
 *
 * A new vCPU starts stopped (cpu->stopped): it runs once resume_all_vcpus()
 * (vm_start) says so.  Pausing: see pause_all_vcpus() in system/cpus.h.
 *
 * Threads: fields marked (vcpu) belong to the vCPU thread; (bql) are
 * changed under the big lock; (atomic) may be set from any thread.
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "hw/core/qdev.h"
#include "util/thread.h"

#define TYPE_CPU "cpu"
OBJECT_DECLARE_TYPE(CPUState, CPUClass, CPU)

typedef struct MachineState MachineState;

#define UNASSIGNED_CPU_INDEX -1
#define UNASSIGNED_APIC_ID UINT32_MAX

struct CPUClass {
    DeviceClass parent_class;
    /*
     * Compute the architectural reset state into the CPU object (x86:
     * X86CPU.env: real mode at f000:fff0, or the boot state for the BSP).
     * The accelerator calls it in the vCPU thread, big lock held, before
     * the first run and after each cpu_reset(), then loads that state
     * (KVM: KVM_SET_REGS/SREGS...).
     */
    void (*cpu_reset)(CPUState *cpu);
    DeviceRealize parent_realize;
};

struct CPUState {
    DeviceState parent_obj;

    int cpu_index;              /* 0.. in creation order, or UNASSIGNED
                                 * (bql); names the thread "CPU n/KVM" */
    uint32_t apic_id;           /* property "apic-id" (x86) */
    unsigned nr_cores;          /* cores per socket (-smp), default 1 */
    unsigned nr_threads;        /* threads per core (-smp), default 1 */
    QomuThread *thread;         /* NULL until started and after joined */
    pid_t thread_id;            /* kernel tid, for query-cpus-fast */
    QomuEvent created;          /* set by the thread once it runs */

    /* Pause protocol: see pause_all_vcpus() in system/cpus.h. */
    bool stop;                  /* (bql) requested */
    bool stopped;               /* (bql) acknowledged by the thread */
    bool unplug;                /* (bql) thread must exit */
    bool exit_request;          /* (atomic) leave the run loop soon */
    bool halted;                /* (bql) in HLT with nothing to wake it */
    GCond halt_cond;            /* the thread sleeps here when idle */

    void *accel;                /* accelerator's per-vCPU state */
};

/* All realized CPUs, sorted by cpu_index (bql). */
extern GPtrArray *cpus;
#define CPU_FOREACH(cpu) \
    for (guint cpu##_i_ = 0; \
         cpu##_i_ < (cpus ? cpus->len : 0) && \
         ((cpu) = g_ptr_array_index(cpus, cpu##_i_), true); \
         cpu##_i_++)

/* The CPU whose vCPU thread is calling, or NULL in any other thread. */
extern __thread CPUState *current_cpu;

/**
 * cpu_start_vcpu: give @cpu its cpu_index, add it to @cpus, and start its
 * thread through the current accelerator; returns once the thread runs
 * (QEMU's qemu_init_vcpu).  The vCPU starts stopped.
 * @cpu: not started yet.
 * Returns false with @errp set if there is no accelerator or it cannot
 * create the vCPU ("kvm_init_vcpu: kvm_get_vcpu failed (0): ..."); @cpu
 * is then as before.  Called by the architecture's realize, main thread,
 * big lock held or not.
 */
bool cpu_start_vcpu(CPUState *cpu, Error **errp);

/**
 * cpu_stop_vcpu: make @cpu's thread exit and join it (QEMU's
 * cpu_remove_sync).  No-op if it is not running.  Drops the big lock
 * while joining if the caller holds it.  Main thread.
 */
void cpu_stop_vcpu(CPUState *cpu);

/**
 * cpu_kick: make @cpu leave guest mode (or its idle wait) soon, to look
 * at stop/unplug/exit_request.  Sets exit_request.  Big lock held, or
 * the vCPU's own thread.
 */
void cpu_kick(CPUState *cpu);

/**
 * cpu_reset: system_reset of @cpu: the accelerator reloads the reset
 * state (CPUClass cpu_reset) before the vCPU next runs.  Big lock held;
 * normally with the vCPUs paused.  Registered as a reset handler
 * (runstate.h) by cpu_start_vcpu().
 */
void cpu_reset(CPUState *cpu);

/* For the vCPU thread, big lock held: true while it must not run guest
 * code (stop requested or acknowledged, unplug, halted). */
bool cpu_should_wait(CPUState *cpu);

/* For the vCPU thread, big lock held: acknowledge a stop request, then
 * sleep on halt_cond while cpu_should_wait() and not unplugged. */
void cpu_wait_io_event(CPUState *cpu);

/**
 * cpu_stop_current: in a vCPU thread, stop that vCPU as a pause would
 * (QEMU's cpu_stop_current): used after the guest asked for a reset or
 * shutdown, so it runs no further until resume_all_vcpus().  No-op in
 * other threads.  Big lock held.
 */
void cpu_stop_current(void);

#endif /* HW_CORE_CPU_H */
