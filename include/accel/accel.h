/*
 * accel.h - accelerators are types (QEMU's include/qemu/accel.h and
 * AccelOpsClass, folded into one class).
 *
 * "kvm" (type "kvm-accel") runs guest code with /dev/kvm; "dummy"
 * ("dummy-accel") creates vCPU threads that run no guest code (what is
 * left when KVM is unavailable; QEMU would use TCG).  Later: "qtest".
 * -accel NAME and -machine accel=a:b choose; see accel_init_machine().
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
     * listeners, VM fd).  False + errp if this accelerator cannot run
     * here ("failed to initialize kvm: ..." is added by the caller). */
    bool (*init_machine)(AccelState *accel, MachineState *ms, Error **errp);
    /* Start @cpu's thread; return once it is created (cpu->created). */
    bool (*start_vcpu)(AccelState *accel, CPUState *cpu, Error **errp);
    /* Make @cpu's thread leave guest mode / its wait.  Any thread. */
    void (*kick_vcpu)(AccelState *accel, CPUState *cpu);
    /* Tell the thread of @cpu to exit and join it (machine teardown). */
    void (*stop_vcpu)(AccelState *accel, CPUState *cpu);
    /* Reload register state on system_reset (vCPUs are paused). */
    void (*reset_vcpu)(AccelState *accel, CPUState *cpu);
};

/* The accelerator in use, or NULL before accel_init_machine. */
AccelState *current_accel(void);

/**
 * accel_init_machine: choose and initialise the accelerator.
 * @names: "kvm", "dummy", or a colon-separated list tried in order
 * ("kvm:dummy"); NULL means the default (kvm if /dev/kvm opens, else
 * dummy with a one-line note).  QEMU's messages: "invalid accelerator
 * NAME", "failed to initialize kvm: REASON", and "Back to dummy
 * accelerator" when falling back.  Returns false with errp set when no
 * accelerator could be initialised.
 */
bool accel_init_machine(const char *names, MachineState *ms, Error **errp);

/* Drop the accelerator at exit (after every vCPU has been stopped). */
void accel_cleanup(void);

#endif /* ACCEL_ACCEL_H */
