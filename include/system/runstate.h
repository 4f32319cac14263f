/*
 * runstate.h - the VM's run state and the requests that change it:
 * start, pause (stop/cont), reset, shutdown (QEMU's softmmu/runstate.c
 * and cpus.c).
 *
 * Requests may come from any thread (a vCPU that exits on a debug-exit
 * port, a signal handler, the monitor); they are recorded and handled on
 * the main loop, with the big lock held, by main_loop_should_exit().
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "util/osdep.h"

/* QMP's RunState names (query-status). */
typedef enum RunState {
    RUN_STATE_PRELAUNCH,        /* "prelaunch": -S, never run */
    RUN_STATE_RUNNING,          /* "running" */
    RUN_STATE_PAUSED,           /* "paused": stop */
    RUN_STATE_SHUTDOWN,         /* "shutdown" */
    RUN_STATE_INTERNAL_ERROR,   /* "internal-error" */
    RUN_STATE_IO_ERROR,         /* "io-error" */
    RUN_STATE__MAX
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
} ShutdownCause;

RunState runstate_get(void);
const char *runstate_name(RunState state);
bool runstate_is_running(void);

/* Start (or resume) every vCPU: "cont".  Big lock held. */
void vm_start(void);
/* Pause every vCPU and wait until each has stopped: "stop".  Big lock
 * held; returns with every vCPU outside guest mode. */
void vm_stop(RunState state);

/* Requests, any thread (async-signal-safe for shutdown). */
void qomu_system_shutdown_request(ShutdownCause cause);
void qomu_system_reset_request(ShutdownCause cause);
/* Ask the VMM to exit with @status after an orderly shutdown (what
 * isa-debug-exit does). */
void qomu_system_exit_request(int status);
/* The exit status requested so far (0 if none). */
int qomu_system_exit_status(void);
/* -no-reboot: a guest reset becomes a shutdown. */
void qomu_set_no_reboot(bool no_reboot);

/* Called by the main loop after each iteration: handles pending
 * requests; returns true when the VMM should exit. */
bool main_loop_should_exit(void);

/* Hooks the machine installs: what "reset" and "shutdown" mean. */
void qomu_register_reset(void (*fn)(void *opaque), void *opaque);
void qomu_unregister_reset(void (*fn)(void *opaque), void *opaque);
void qomu_devices_reset(void);

#endif /* SYSTEM_RUNSTATE_H */
