/*
 * cpus.h - pausing and resuming all vCPUs (QEMU's softmmu/cpus.c).
 *
 * The stop/stopped handshake, under the big lock:
 *   pause:   the main thread sets cpu->stop and kicks the vCPU; the vCPU
 *            thread leaves guest mode, clears stop, sets stopped and
 *            broadcasts the pause condition; the main thread waits (the
 *            big lock released meanwhile) until every CPU is stopped.
 *   resume:  the main thread clears stop and stopped and kicks; the vCPU
 *            thread wakes and runs guest code again.
 * vm_stop()/vm_start() (runstate.h) call these; so may tests.
 */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include "util/osdep.h"

/**
 * pause_all_vcpus: stop every vCPU and wait until each has acknowledged
 * (it is then outside guest mode and stays so until resumed).  Big lock
 * held; it is released while waiting.  May be called from a vCPU thread
 * (vm_stop on an internal error): that vCPU stops itself at once.
 */
void pause_all_vcpus(void);

/* Let every vCPU run again (they start stopped).  Big lock held. */
void resume_all_vcpus(void);

/* True if every vCPU is stopped.  Big lock held. */
bool all_vcpus_paused(void);

/* For vCPU threads: the vCPU just set cpu->stopped; wake pausers.  Big
 * lock held. */
void cpus_notify_stopped(void);

/**
 * cpus_stop_all_and_join: make every vCPU thread exit and join it (the
 * CPUs stay in @cpus until unrealized).  For teardown, before
 * accel_cleanup().  Main thread, big lock held or not.
 */
void cpus_stop_all_and_join(void);

#endif /* SYSTEM_CPUS_H */
