/*
 * runstate.h - the VM's run state and the requests that change it:
 * start, pause (stop/cont), reset, shutdown (QEMU's softmmu/runstate.c
 * and cpus.c).
 *
 * Requests may come from any thread (a vCPU that exits on a debug-exit
 * port, a signal handler, the monitor); they are recorded atomically and
 * the main loop is woken; the main thread then handles them, with the
 * big lock held, in main_loop_should_exit().  qomu_main_loop() is that
 * loop: main_loop_run() until a request, handle it, repeat.
 *
 * Exit status, as QEMU's: 0 after a shutdown of any kind (guest,
 * monitor quit, SIGTERM/SIGINT/SIGHUP), except that a guest asking for a
 * particular status (isa-debug-exit: qomu_system_exit_request) gets it.
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

/* QMP's ShutdownCause ("host-signal", "guest-reset", ...). */
typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,   /* the monitor's system_reset */
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE__MAX
} ShutdownCause;

/* QEMU's shutdown_caused_by_guest(): the "guest" of SHUTDOWN/RESET. */
bool shutdown_caused_by_guest(ShutdownCause cause);

/*
 * What the run state machinery reports, for QMP's events of the same
 * names (the monitor listens): STOP when vm_stop() paused running vCPUs
 * (not at vm_shutdown(), as QEMU), RESUME when vm_start() resumes them,
 * RESET after a system reset with a cause other than NONE or
 * SUBSYSTEM_RESET, SHUTDOWN when a shutdown request is handled.  @cause
 * is meaningful for RESET and SHUTDOWN.  Listeners run in the thread
 * that caused the event, big lock held, in registration order.
 */
typedef enum RunStateEvent {
    RUNSTATE_EVENT_STOP,
    RUNSTATE_EVENT_RESUME,
    RUNSTATE_EVENT_RESET,
    RUNSTATE_EVENT_SHUTDOWN,
} RunStateEvent;

typedef void RunStateEventFn(RunStateEvent event, ShutdownCause cause,
                             void *opaque);
/* Add / remove a listener (kept across runstate_reset_for_test). */
void runstate_add_event_listener(RunStateEventFn *fn, void *opaque);
void runstate_remove_event_listener(RunStateEventFn *fn, void *opaque);

/* --- the state (main thread, big lock) --- */

RunState runstate_get(void);
/* Set the state (no vCPU is touched: see vm_start/vm_stop). */
void runstate_set(RunState state);
/* "prelaunch", "running", ... */
const char *runstate_name(RunState state);
/* "host-signal", "guest-shutdown", ... (QMP's names). */
const char *shutdown_cause_name(ShutdownCause cause);
bool runstate_is_running(void);

/* Start (or resume) every vCPU and enter "running": "cont".  No-op if
 * already running.  Big lock held. */
void vm_start(void);
/* Pause every vCPU and wait until each has stopped, then enter @state:
 * "stop".  If not running, only the state changes.  Big lock held;
 * returns with every vCPU outside guest mode. */
void vm_stop(RunState state);
/* vm_stop(RUN_STATE_SHUTDOWN): what the VMM does before tearing down. */
void vm_shutdown(void);

/* --- requests (any thread) --- */

/* Ask for a shutdown; async-signal-safe.  The first cause wins until the
 * request is handled. */
void qomu_system_shutdown_request(ShutdownCause cause);
/* Ask for a system reset (with -no-reboot: a shutdown instead, except
 * SHUTDOWN_CAUSE_SUBSYSTEM_RESET). */
void qomu_system_reset_request(ShutdownCause cause);
/* Ask the VMM to exit with @status after an orderly shutdown (what
 * isa-debug-exit does: status = (value << 1) | 1). */
void qomu_system_exit_request(int status);
/* The exit status requested so far (0 if none). */
int qomu_system_exit_status(void);
/* A termination signal arrived: QEMU's qemu_system_killed().  @pid is the
 * sender (0 if unknown, e.g. ^C at the terminal); the shutdown reports
 * "terminating on signal N from pid P (NAME)".  Async-signal-safe. */
void qomu_system_killed(int signal, pid_t pid);
/* -no-reboot: a guest reset becomes a shutdown.  Main thread, before
 * the vCPUs start. */
void qomu_set_no_reboot(bool no_reboot);

/* --- the main loop (main thread, big lock) --- */

/*
 * runstate_init: set up the main loop (main_loop_init()) so that a
 * termination signal becomes a shutdown request naming its sender, and
 * so that the loop sleeps without the big lock.  Call early in main(),
 * before other threads exist; calling it again does nothing.
 */
void runstate_init(void);

/*
 * main_loop_should_exit: handle pending requests: a shutdown request
 * reports a signal if one caused it and returns true; a reset request
 * pauses the vCPUs, resets the machine (qomu_system_reset) and resumes
 * them.  Returns true when the VMM should exit.
 */
bool main_loop_should_exit(void);

/*
 * qomu_main_loop: run the main loop (util/main-loop.h) until
 * main_loop_should_exit() says so; termination signals (SIGTERM, SIGINT,
 * SIGHUP) become a host-signal shutdown.  Returns the exit status for
 * main(): qomu_system_exit_status().
 */
int qomu_main_loop(void);

/* --- reset --- */

/* Hooks run by qomu_devices_reset(), in registration order (QEMU's
 * qemu_register_reset).  Unregistering removes the first match. */
void qomu_register_reset(void (*fn)(void *opaque), void *opaque);
void qomu_unregister_reset(void (*fn)(void *opaque), void *opaque);
/* Run every reset hook. */
void qomu_devices_reset(void);
/* system_reset: the machine's reset (MachineClass reset, or every hook).
 * vCPUs must be paused.  Big lock. */
void qomu_system_reset(ShutdownCause cause);

/* Tests only: forget requests, hooks, -no-reboot and the state. */
void runstate_reset_for_test(void);

#endif /* SYSTEM_RUNSTATE_H */
