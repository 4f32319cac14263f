/*
 * cpu.c - TYPE_CPU, the abstract vCPU device (QEMU 7.2's
 * hw/core/cpu-common.c, cpu_list_add/remove of cpus-common.c, the
 * qemu_init_vcpu / cpu_remove_sync / qemu_wait_io_event parts of
 * softmmu/cpus.c).
 *
 * Modelled: cpu_index assignment (lowest free), the global CPU list, the
 * vCPU thread's start/stop/kick and its idle wait, reset through the
 * accelerator.  Not modelled: run_on_cpu work queues (no caller needs
 * them: register state is loaded by the vCPU thread itself), hotplug,
 * cluster/NUMA ids, gdbstub state.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "system/runstate.h"

GPtrArray *cpus;
__thread CPUState *current_cpu;

/* --- the CPU list ------------------------------------------------------ */

/* Lowest index not in use, and where it goes in the sorted list. */
static int cpu_list_free_index(guint *pos)
{
    int index = 0;
    guint i;

    for (i = 0; cpus && i < cpus->len; i++, index++) {
        if (CPU(g_ptr_array_index(cpus, i))->cpu_index != index) {
            break;
        }
    }
    *pos = i;
    return index;
}

/* The list is read under the big lock by vCPU threads too (a pause from
 * a vCPU walks it), so it changes under the lock, taken here if the
 * caller (machine init, unit tests) does not hold it. */
static bool cpu_list_lock(void)
{
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    return locked;
}

static void cpu_list_unlock(bool was_locked)
{
    if (!was_locked) {
        bql_unlock();
    }
}

static void cpu_list_add(CPUState *cpu)
{
    bool locked = cpu_list_lock();
    guint pos;

    if (!cpus) {
        cpus = g_ptr_array_new();
    }
    cpu->cpu_index = cpu_list_free_index(&pos);
    g_ptr_array_insert(cpus, pos, cpu);
    cpu_list_unlock(locked);
}

static void cpu_list_remove(CPUState *cpu)
{
    bool locked;

    if (cpu->cpu_index == UNASSIGNED_CPU_INDEX) {
        return;
    }
    locked = cpu_list_lock();
    g_ptr_array_remove(cpus, cpu);
    cpu->cpu_index = UNASSIGNED_CPU_INDEX;
    if (!cpus->len) {
        g_ptr_array_free(cpus, true);
        cpus = NULL;
    }
    cpu_list_unlock(locked);
}

/* --- starting, stopping, kicking ----------------------------------------- */

static void cpu_reset_cb(void *opaque)
{
    cpu_reset(opaque);
}

bool cpu_start_vcpu(CPUState *cpu, Error **errp)
{
    AccelState *accel = current_accel();

    assert(!cpu->thread);
    if (!accel) {
        error_setg(errp, "no accelerator is initialised");
        return false;
    }
    cpu_list_add(cpu);
    if (!ACCEL_GET_CLASS(accel)->start_vcpu(accel, cpu, errp)) {
        cpu_list_remove(cpu);
        return false;
    }
    assert(cpu->thread && cpu->thread_id > 0);
    qomu_register_reset(cpu_reset_cb, cpu);
    return true;
}

void cpu_stop_vcpu(CPUState *cpu)
{
    AccelState *accel = current_accel();
    bool locked = bql_locked();

    if (!cpu->thread) {
        return;
    }
    if (!locked) {
        bql_lock();
    }
    cpu->stop = true;
    cpu->unplug = true;
    cpu_kick(cpu);
    /* The thread needs the big lock to see unplug and leave its loop. */
    bql_unlock();
    ACCEL_GET_CLASS(accel)->stop_vcpu(accel, cpu);
    bql_lock();
    cpu->thread = NULL;
    cpu->thread_id = 0;
    cpu->stop = false;
    cpu->stopped = true;                /* pause_all_vcpus must not wait */
    if (!locked) {
        bql_unlock();
    }
}

void cpu_kick(CPUState *cpu)
{
    AccelState *accel = current_accel();

    __atomic_store_n(&cpu->exit_request, true, __ATOMIC_SEQ_CST);
    g_cond_broadcast(&cpu->halt_cond);
    if (cpu->thread && accel) {
        ACCEL_GET_CLASS(accel)->kick_vcpu(accel, cpu);
    }
}

void cpu_reset(CPUState *cpu)
{
    AccelState *accel = current_accel();

    cpu->halted = false;
    if (cpu->thread && ACCEL_GET_CLASS(accel)->reset_vcpu) {
        ACCEL_GET_CLASS(accel)->reset_vcpu(accel, cpu);
    }
}

void cpu_stop_current(void)
{
    if (current_cpu) {
        assert(bql_locked());
        current_cpu->stop = false;
        current_cpu->stopped = true;
        __atomic_store_n(&current_cpu->exit_request, true, __ATOMIC_SEQ_CST);
        cpus_notify_stopped();
    }
}

/* --- the vCPU thread's side ----------------------------------------------- */

bool cpu_should_wait(CPUState *cpu)
{
    return cpu->stop || cpu->stopped || cpu->unplug || cpu->halted;
}

void cpu_wait_io_event(CPUState *cpu)
{
    assert(bql_locked());
    for (;;) {
        if (cpu->stop) {
            cpu->stop = false;
            cpu->stopped = true;
            cpus_notify_stopped();
        }
        if (cpu->unplug || !cpu_should_wait(cpu)) {
            return;
        }
        bql_cond_wait(&cpu->halt_cond);
    }
}

/* --- the type ------------------------------------------------------------- */

static void cpu_unrealize(DeviceState *dev)
{
    CPUState *cpu = CPU(dev);

    if (cpu->cpu_index == UNASSIGNED_CPU_INDEX) {
        return;                         /* never started */
    }
    qomu_unregister_reset(cpu_reset_cb, cpu);
    cpu_stop_vcpu(cpu);
    cpu_list_remove(cpu);
}

static void cpu_instance_init(Object *obj)
{
    CPUState *cpu = CPU(obj);

    cpu->cpu_index = UNASSIGNED_CPU_INDEX;
    cpu->nr_cores = 1;
    cpu->nr_threads = 1;
    cpu->stopped = true;                /* runs once resumed (vm_start) */
    qomu_event_init(&cpu->created, false);
    g_cond_init(&cpu->halt_cond);
}

static void cpu_instance_finalize(Object *obj)
{
    CPUState *cpu = CPU(obj);

    assert(!cpu->thread);
    qomu_event_destroy(&cpu->created);
    g_cond_clear(&cpu->halt_cond);
}

static void cpu_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    device_class_set_category(dc, DEVICE_CATEGORY_CPU);
    dc->unrealize = cpu_unrealize;
    /* CPUs come from -smp, made by the machine; CPU hotplug (device_add
     * of a CPU) is not modelled. */
    dc->user_creatable = false;
    dc->hotpluggable = false;
}

static const TypeInfo cpu_type_info = {
    .name = TYPE_CPU,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(CPUState),
    .instance_init = cpu_instance_init,
    .instance_finalize = cpu_instance_finalize,
    .abstract = true,
    .class_size = sizeof(CPUClass),
    .class_init = cpu_class_init,
};

static void cpu_register_types(void)
{
    type_register_static(&cpu_type_info);
}

type_init(cpu_register_types)
