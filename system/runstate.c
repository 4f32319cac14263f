/*
 * runstate.c - run state, shutdown/reset/exit requests and the main loop
 * that handles them (QEMU 7.2's softmmu/runstate.c, the vm_start/vm_stop
 * half of softmmu/cpus.c, hw/core/reset.c and the main loop of
 * softmmu/main.c).
 *
 * A request is a few atomics plus a wake-up of the main loop
 * (main_loop_quit(), which only writes to GLib's wake-up fd, so it is
 * safe in a signal handler and in a vCPU thread).  The main thread, big
 * lock held, picks requests up in main_loop_should_exit().
 *
 * The sender of a termination signal: GLib's signal sources do not say
 * who sent it, and QEMU's message names the sender ("terminating on
 * signal 15 from pid 1234 (bash)").  So qomu_main_loop() installs a
 * small SA_SIGINFO handler in front of GLib's that records si_pid and
 * then calls GLib's handler.
 * Events (STOP, RESUME, RESET, SHUTDOWN) go to listeners: the monitor
 * turns them into QMP events.
 * Not modelled: the run states of migration, debugging, suspend and
 * watchdogs; -action.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "hw/core/cpu.h"
#include "system/cpus.h"
#include "machine/machine.h"
#include "system/runstate.h"

#include <signal.h>

static RunState current_run_state = RUN_STATE_PRELAUNCH;
static bool no_reboot;                  /* -no-reboot */

/* Requests: atomics, set from any thread (see the header comment). */
static int shutdown_requested;          /* ShutdownCause, 0: none */
static int reset_requested;             /* ShutdownCause, 0: none */
static int exit_status;                 /* qomu_system_exit_request */
static int shutdown_signal;             /* signal that asked, 0: none */
static int shutdown_pid;                /* its sender, 0: unknown */

/* --- states -------------------------------------------------------------- */

static const char *const runstate_names[RUN_STATE__MAX] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_IO_ERROR] = "io-error",
};

static const char *const shutdown_cause_names[SHUTDOWN_CAUSE__MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
};

RunState runstate_get(void)
{
    return current_run_state;
}

void runstate_set(RunState state)
{
    assert(state < RUN_STATE__MAX);
    current_run_state = state;
}

const char *runstate_name(RunState state)
{
    assert(state < RUN_STATE__MAX);
    return runstate_names[state];
}

const char *shutdown_cause_name(ShutdownCause cause)
{
    assert(cause < SHUTDOWN_CAUSE__MAX);
    return shutdown_cause_names[cause];
}

bool runstate_is_running(void)
{
    return current_run_state == RUN_STATE_RUNNING;
}

/* --- events (for QMP: see runstate.h) ------------------------------------ */

typedef struct EventListener {
    RunStateEventFn *fn;
    void *opaque;
} EventListener;

static GArray *event_listeners;         /* EventListener */

void runstate_add_event_listener(RunStateEventFn *fn, void *opaque)
{
    EventListener l = { fn, opaque };

    if (!event_listeners) {
        event_listeners = g_array_new(false, false, sizeof(EventListener));
    }
    g_array_append_val(event_listeners, l);
}

void runstate_remove_event_listener(RunStateEventFn *fn, void *opaque)
{
    for (guint i = 0; event_listeners && i < event_listeners->len; i++) {
        EventListener *l = &g_array_index(event_listeners, EventListener, i);

        if (l->fn == fn && l->opaque == opaque) {
            g_array_remove_index(event_listeners, i);
            return;
        }
    }
}

static void runstate_notify(RunStateEvent event, ShutdownCause cause)
{
    for (guint i = 0; event_listeners && i < event_listeners->len; i++) {
        EventListener *l = &g_array_index(event_listeners, EventListener, i);

        l->fn(event, cause, l->opaque);
    }
}

bool shutdown_caused_by_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN &&
           cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET;
}

/* --- start and stop ------------------------------------------------------ */

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    /* QEMU's vm_prepare_start(): the event comes first. */
    runstate_notify(RUNSTATE_EVENT_RESUME, SHUTDOWN_CAUSE_NONE);
    runstate_set(RUN_STATE_RUNNING);
    resume_all_vcpus();
}

/* QEMU's do_vm_stop(): STOP only if vCPUs were running, and only when
 * asked (not at shutdown). */
static void do_vm_stop(RunState state, bool send_stop)
{
    bool was_running = runstate_is_running();

    if (was_running) {
        pause_all_vcpus();
    }
    runstate_set(state);
    if (was_running && send_stop) {
        runstate_notify(RUNSTATE_EVENT_STOP, SHUTDOWN_CAUSE_NONE);
    }
}

void vm_stop(RunState state)
{
    do_vm_stop(state, true);
}

void vm_shutdown(void)
{
    do_vm_stop(RUN_STATE_SHUTDOWN, false);
}

/* --- requests ------------------------------------------------------------ */

/* Record @cause unless a request is already pending (the first wins,
 * so "guest asked for status 3" is not overwritten by a later signal). */
static void request_set(int *slot, ShutdownCause cause)
{
    int expected = 0;

    __atomic_compare_exchange_n(slot, &expected, (int)cause, false,
                                __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    main_loop_quit();
}

void qomu_system_shutdown_request(ShutdownCause cause)
{
    assert(cause != SHUTDOWN_CAUSE_NONE && cause < SHUTDOWN_CAUSE__MAX);
    request_set(&shutdown_requested, cause);
}

/* The guest asked: keep this vCPU from running on (QEMU's
 * cpu_stop_current), if it is one and holds the lock it needs. */
static void stop_current_vcpu(void)
{
    if (current_cpu && bql_locked()) {
        cpu_stop_current();
    }
}

void qomu_system_reset_request(ShutdownCause cause)
{
    assert(cause != SHUTDOWN_CAUSE_NONE && cause < SHUTDOWN_CAUSE__MAX);
    if (__atomic_load_n(&no_reboot, __ATOMIC_RELAXED) &&
        cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        request_set(&shutdown_requested, cause);
    } else {
        request_set(&reset_requested, cause);
    }
    stop_current_vcpu();
}

void qomu_system_exit_request(int status)
{
    int expected = 0;

    /* The first status wins, as the first request does. */
    if (__atomic_load_n(&shutdown_requested, __ATOMIC_SEQ_CST) == 0) {
        __atomic_compare_exchange_n(&exit_status, &expected, status, false,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    }
    request_set(&shutdown_requested, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    stop_current_vcpu();
}

int qomu_system_exit_status(void)
{
    return __atomic_load_n(&exit_status, __ATOMIC_SEQ_CST);
}

void qomu_system_killed(int signal, pid_t pid)
{
    __atomic_store_n(&shutdown_signal, signal, __ATOMIC_SEQ_CST);
    __atomic_store_n(&shutdown_pid, (int)pid, __ATOMIC_SEQ_CST);
    request_set(&shutdown_requested, SHUTDOWN_CAUSE_HOST_SIGNAL);
}

void qomu_set_no_reboot(bool value)
{
    __atomic_store_n(&no_reboot, value, __ATOMIC_RELAXED);
}

/* --- reset --------------------------------------------------------------- */

typedef struct ResetEntry {
    void (*fn)(void *opaque);
    void *opaque;
} ResetEntry;

static GQueue reset_handlers = G_QUEUE_INIT;   /* ResetEntry *, in order */

void qomu_register_reset(void (*fn)(void *opaque), void *opaque)
{
    ResetEntry *e = g_new(ResetEntry, 1);

    e->fn = fn;
    e->opaque = opaque;
    g_queue_push_tail(&reset_handlers, e);
}

void qomu_unregister_reset(void (*fn)(void *opaque), void *opaque)
{
    for (GList *l = reset_handlers.head; l; l = l->next) {
        ResetEntry *e = l->data;

        if (e->fn == fn && e->opaque == opaque) {
            g_queue_delete_link(&reset_handlers, l);
            g_free(e);
            return;
        }
    }
}

void qomu_devices_reset(void)
{
    /* A handler may unregister itself: walk with a saved next link. */
    for (GList *l = reset_handlers.head, *next; l; l = next) {
        ResetEntry *e = l->data;

        next = l->next;
        e->fn(e->opaque);
    }
}

void qomu_system_reset(ShutdownCause cause)
{
    MachineState *ms = current_machine_get();
    MachineClass *mc = ms ? MACHINE_GET_CLASS(ms) : NULL;

    if (mc && mc->reset) {
        mc->reset(ms);
    } else {
        qomu_devices_reset();
    }
    if (cause != SHUTDOWN_CAUSE_NONE &&
        cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        runstate_notify(RUNSTATE_EVENT_RESET, cause);
    }
}

/* --- the main loop ------------------------------------------------------- */

/* argv[0] of process @pid, as QEMU's qemu_get_pid_name(); NULL if it is
 * gone.  g_free the result. */
static char *get_pid_name(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    char *name = NULL;

    g_file_get_contents(path, &name, NULL, NULL);
    return name;
}

/* QEMU's qemu_kill_report(). */
static void kill_report(void)
{
    int sig = __atomic_exchange_n(&shutdown_signal, 0, __ATOMIC_SEQ_CST);
    pid_t pid = __atomic_exchange_n(&shutdown_pid, 0, __ATOMIC_SEQ_CST);

    if (!sig) {
        return;
    }
    if (pid == 0) {
        /* e.g. ^C at the terminal: no odd "from pid 0" */
        error_report("terminating on signal %d", sig);
    } else {
        g_autofree char *cmd = get_pid_name(pid);

        error_report("terminating on signal %d from pid %d (%s)", sig,
                     (int)pid, cmd ? cmd : "<unknown process>");
    }
}

bool main_loop_should_exit(void)
{
    int request;

    request = __atomic_exchange_n(&shutdown_requested, 0, __ATOMIC_SEQ_CST);
    if (request) {
        kill_report();
        /* QEMU's qemu_system_shutdown(): the SHUTDOWN event. */
        runstate_notify(RUNSTATE_EVENT_SHUTDOWN, request);
        return true;
    }
    request = __atomic_exchange_n(&reset_requested, 0, __ATOMIC_SEQ_CST);
    if (request) {
        pause_all_vcpus();
        qomu_system_reset(request);
        /* QEMU's resume_all_vcpus() does nothing unless running: a VM
         * reset while stopped (or never started, -S) stays stopped, in
         * "prelaunch". */
        if (runstate_is_running()) {
            resume_all_vcpus();
        } else {
            runstate_set(RUN_STATE_PRELAUNCH);
        }
    }
    return false;
}

/* --- who sent the signal ------------------------------------------------- */

static const int termsigs[] = { SIGTERM, SIGINT, SIGHUP };
static struct sigaction glib_action[G_N_ELEMENTS(termsigs)];
static int last_signal_pid;             /* atomic */

/* In front of GLib's handler: remember the sender, then chain. */
static void termsig_info_handler(int sig, siginfo_t *info, void *ctx)
{
    for (size_t i = 0; i < G_N_ELEMENTS(termsigs); i++) {
        const struct sigaction *old = &glib_action[i];

        if (termsigs[i] != sig) {
            continue;
        }
        __atomic_store_n(&last_signal_pid, info ? (int)info->si_pid : 0,
                         __ATOMIC_SEQ_CST);
        if (old->sa_flags & SA_SIGINFO) {
            old->sa_sigaction(sig, info, ctx);
        } else if (old->sa_handler != SIG_DFL &&
                   old->sa_handler != SIG_IGN) {
            old->sa_handler(sig);
        }
    }
}

/* Install the handler above once, after main_loop_init() put GLib's. */
static void termsig_info_install(void)
{
    static bool installed;

    if (installed) {
        return;
    }
    installed = true;
    for (size_t i = 0; i < G_N_ELEMENTS(termsigs); i++) {
        struct sigaction act = { 0 };

        act.sa_sigaction = termsig_info_handler;
        act.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&act.sa_mask);
        sigaction(termsigs[i], &act, &glib_action[i]);
    }
}

/*
 * The main loop sleeps in poll() without the big lock (bql.h), so that
 * vCPU threads can dispatch PIO/MMIO meanwhile; its callbacks run with
 * it.  util/main-loop.c does not do this (yet), so the VMM installs the
 * poll function on GLib's default context; it only unlocks if the
 * calling thread holds the lock, so it is harmless either way.
 */
static gint bql_poll(GPollFD *fds, guint nfds, gint timeout)
{
    bool locked = bql_locked();
    gint ret;

    if (locked) {
        bql_unlock();
    }
    ret = g_poll(fds, nfds, timeout);
    if (locked) {
        bql_lock();
    }
    return ret;
}

void runstate_init(void)
{
    main_loop_init();
    termsig_info_install();
    g_main_context_set_poll_func(g_main_context_default(), bql_poll);
}

int qomu_main_loop(void)
{
    runstate_init();
    for (;;) {
        int sig = main_loop_run();

        if (sig) {
            qomu_system_killed(sig, __atomic_exchange_n(&last_signal_pid, 0,
                                                        __ATOMIC_SEQ_CST));
        }
        if (main_loop_should_exit()) {
            break;
        }
    }
    return qomu_system_exit_status();
}

void runstate_reset_for_test(void)
{
    current_run_state = RUN_STATE_PRELAUNCH;
    no_reboot = false;
    shutdown_requested = reset_requested = exit_status = 0;
    shutdown_signal = shutdown_pid = 0;
    while (!g_queue_is_empty(&reset_handlers)) {
        g_free(g_queue_pop_head(&reset_handlers));
    }
}
