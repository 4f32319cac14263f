/*
 * cpus.c - pause and resume every vCPU (QEMU 7.2's softmmu/cpus.c:
 * pause_all_vcpus, resume_all_vcpus, all_vcpus_paused).
 *
 * The handshake is in include/system/cpus.h; the vCPU side of it is
 * cpu_wait_io_event() in hw/core/cpu.c.  Everything runs under the big
 * lock, which bql_cond_wait() releases while the pauser sleeps.
 * Not modelled: the virtual clock stopping with the vCPUs (QEMU's
 * cpu_disable_ticks; our QEMU_CLOCK_VIRTUAL is host time), replay.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "hw/core/cpu.h"
#include "system/cpus.h"

/* Broadcast when a vCPU acknowledges a stop (QEMU's qemu_pause_cond). */
static GCond pause_cond;

void cpus_notify_stopped(void)
{
    g_cond_broadcast(&pause_cond);
}

bool all_vcpus_paused(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        if (!cpu->stopped) {
            return false;
        }
    }
    return true;
}

void pause_all_vcpus(void)
{
    CPUState *cpu;

    assert(bql_locked());
    CPU_FOREACH(cpu) {
        if (cpu == current_cpu) {
            /* A vCPU pausing everyone (vm_stop on an internal error)
             * cannot wait for itself: it stops now (QEMU: qemu_cpu_stop). */
            cpu_stop_current();
        } else {
            cpu->stop = true;
            cpu_kick(cpu);
        }
    }
    while (!all_vcpus_paused()) {
        bql_cond_wait(&pause_cond);
        /* Kick again: a vCPU may have re-entered KVM_RUN after reading
         * exit_request but before seeing stop (QEMU does the same). */
        CPU_FOREACH(cpu) {
            if (!cpu->stopped) {
                cpu_kick(cpu);
            }
        }
    }
}

void resume_all_vcpus(void)
{
    CPUState *cpu;

    assert(bql_locked());
    CPU_FOREACH(cpu) {
        cpu->stop = false;
        cpu->stopped = false;
        cpu_kick(cpu);
    }
}

void cpus_stop_all_and_join(void)
{
    CPUState *cpu;

    CPU_FOREACH(cpu) {
        cpu_stop_vcpu(cpu);
    }
}
