/*
 * accel.h - accelerators are types (QEMU's include/qemu/accel.h and
 * AccelOpsClass, folded into one class).
 *
 * "kvm" (type "kvm-accel") runs guest code with /dev/kvm; "dummy"
 * ("dummy-accel") creates vCPU threads that run no guest code (what is
 * left when KVM is unavailable; QEMU would use TCG); "qtest"
 * ("qtest-accel", include/accel/qtest.h) is dummy plus a virtual clock
 * that the qtest protocol drives.
 * -accel NAME and -machine accel=a:b choose; see accel_init_machine().
 *
 * Threads: everything here is main thread (big lock), except the
 * kick_vcpu hook (see AccelClass).
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "qom/object.h"

typedef struct MachineState MachineState;
typedef struct CPUState CPUState;

#define TYPE_ACCEL "accel"
OBJECT_DECLARE_TYPE(AccelState, AccelClass, ACCEL)

/* "kvm" -> "kvm-accel" */
#define ACCEL_CLASS_SUFFIX "-accel"
#define ACCEL_CLASS_NAME(a) (a ACCEL_CLASS_SUFFIX)

struct AccelState {
    Object parent_obj;
};

struct AccelClass {
    ObjectClass parent_class;

    const char *name;           /* "kvm" */
    /* Set up the VM for @ms (called before the machine's init: memory
     * listeners, VM fd).  @ms may be NULL (unit tests).  False + errp if
     * this accelerator cannot run here; errp is the reason alone (QEMU's
     * strerror), "failed to initialize kvm: " is added by the caller. */
    bool (*init_machine)(AccelState *accel, MachineState *ms, Error **errp);
    /* Start @cpu's thread; return once it is created (cpu->created). */
    bool (*start_vcpu)(AccelState *accel, CPUState *cpu, Error **errp);
    /* Make @cpu's thread leave guest mode / its wait.  Big lock held or
     * the vCPU's own thread. */
    void (*kick_vcpu)(AccelState *accel, CPUState *cpu);
    /* Join @cpu's thread, which has been told to exit (cpu->unplug set,
     * kicked: cpu_stop_vcpu), and free the per-vCPU state.  Called
     * without the big lock. */
    void (*stop_vcpu)(AccelState *accel, CPUState *cpu);
    /* Reload register state on system_reset (vCPUs are paused). */
    void (*reset_vcpu)(AccelState *accel, CPUState *cpu);
};

/* The accelerator in use (borrowed), or NULL before accel_init_machine. */
AccelState *current_accel(void);
/* Its name ("kvm"), or NULL. */
const char *current_accel_name(void);

/* The accelerator class called @name ("kvm"), or NULL if none. */
AccelClass *accel_find(const char *name);

/**
 * accel_init_machine: choose and initialise the accelerator.
 * @names: "kvm", "dummy", or a colon-separated list tried in order
 *   ("kvm:dummy"), as -machine accel= and -accel take them.
 *   NULL means the default: kvm if it initialises, else dummy with a
 *   one-line warning saying why and that no guest code will run.
 * @ms: the machine (may be NULL in unit tests).
 *
 * QEMU 7.2's messages (softmmu/vl.c configure_accelerators): every
 * unknown name gives "invalid accelerator NAME", every accelerator that
 * fails "failed to initialize NAME: REASON" (kvm first prints QEMU's
 * "Could not access KVM kernel module: No such file or directory"
 * itself); if a later one works, "falling back to NAME" follows.  These
 * go through error_report(), except the last failure when nothing
 * worked: that one is returned in @errp, so the caller's error_fatal
 * prints it and the output is QEMU's.  A list without any name gives
 * "no accelerator found".
 * Returns true with current_accel() set.  Main thread, once (until
 * accel_cleanup).
 */
bool accel_init_machine(const char *names, MachineState *ms, Error **errp);

/* Drop the accelerator at exit (after every vCPU has been stopped:
 * cpus_stop_all_and_join()).  No-op without one. */
void accel_cleanup(void);

/* `-accel help`: QEMU's "Accelerators supported in QEMU binary:" list,
 * one name per line, appended to @out. */
void accel_help(GString *out);

#endif /* ACCEL_ACCEL_H */
