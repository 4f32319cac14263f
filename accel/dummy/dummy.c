/*
 * dummy.c - the "dummy" accelerator: vCPU threads that exist, pause and
 * resume, and run no guest code (QEMU's accel/dummy-cpus.c, which backs
 * qtest, without the virtual clock it drives).
 *
 * What is left when KVM is not available: the machine can be built,
 * inspected (info qtree, info cpus with real thread ids) and torn down,
 * but a running guest never executes an instruction.  Each vCPU thread,
 * "CPU n/DUMMY", sleeps on its halt condition; it wakes only to
 * acknowledge a stop or to exit.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "hw/core/cpu.h"

#define TYPE_DUMMY_ACCEL ACCEL_CLASS_NAME("dummy")

static void *dummy_vcpu_thread_fn(void *opaque)
{
    CPUState *cpu = opaque;

    current_cpu = cpu;
    qomu_event_set(&cpu->created);
    bql_lock();
    while (!cpu->unplug) {
        cpu_wait_io_event(cpu);
        /* "Running" is sleeping too: there is no guest code to run. */
        if (!cpu->unplug && !cpu_should_wait(cpu)) {
            bql_cond_wait(&cpu->halt_cond);
        }
    }
    bql_unlock();
    current_cpu = NULL;
    return NULL;
}

static bool dummy_init_machine(AccelState *accel, MachineState *ms,
                               Error **errp)
{
    return true;
}

static bool dummy_start_vcpu(AccelState *accel, CPUState *cpu, Error **errp)
{
    g_autofree char *name = g_strdup_printf("CPU %d/DUMMY", cpu->cpu_index);

    qomu_event_reset(&cpu->created);
    cpu->thread = qomu_thread_create(name, dummy_vcpu_thread_fn, cpu, errp);
    if (!cpu->thread) {
        return false;
    }
    qomu_event_wait(&cpu->created);
    cpu->thread_id = qomu_thread_get_tid(cpu->thread);
    return true;
}

static void dummy_kick_vcpu(AccelState *accel, CPUState *cpu)
{
    /* cpu_kick() already broadcast halt_cond, where the thread sleeps. */
}

static void dummy_stop_vcpu(AccelState *accel, CPUState *cpu)
{
    qomu_thread_join(cpu->thread);
}

static void dummy_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);

    ac->name = "dummy";
    ac->init_machine = dummy_init_machine;
    ac->start_vcpu = dummy_start_vcpu;
    ac->kick_vcpu = dummy_kick_vcpu;
    ac->stop_vcpu = dummy_stop_vcpu;
}

static const TypeInfo dummy_accel_type = {
    .name = TYPE_DUMMY_ACCEL,
    .parent = TYPE_ACCEL,
    .class_init = dummy_accel_class_init,
};

static void dummy_accel_register_types(void)
{
    type_register_static(&dummy_accel_type);
}

type_init(dummy_accel_register_types)
