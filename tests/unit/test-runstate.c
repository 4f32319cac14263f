/*
 * test-runstate.c - run states, requests from other threads and signal
 * handlers, the main loop that handles them, exit status, reset
 * handlers, -no-reboot, and vm_start/vm_stop with real (dummy
 * accelerator) vCPU threads.
 *
 * Every test runs the main loop itself in the main thread, with the big
 * lock held as the VMM's main thread does; a helper thread plays the
 * vCPU or the monitor.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/main-loop.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "hw/core/cpu.h"
#include "hw/i386/x86-cpu.h"
#include "machine/machine.h"
#include "machine/machine-init.h"
#include "system/runstate.h"
#include "vcpu-helper.h"
#include "harness.h"

#include <signal.h>
#include <sys/wait.h>

static void setup(void)
{
    runstate_reset_for_test();
    main_loop_init();
    bql_lock();
}

static void teardown(void)
{
    bql_unlock();
    runstate_reset_for_test();
}

/* --- names and states ---------------------------------------------------- */

static void test_state_names(void)
{
    CU_ASSERT_STRING_EQUAL(runstate_name(RUN_STATE_PRELAUNCH), "prelaunch");
    CU_ASSERT_STRING_EQUAL(runstate_name(RUN_STATE_RUNNING), "running");
    CU_ASSERT_STRING_EQUAL(runstate_name(RUN_STATE_PAUSED), "paused");
    CU_ASSERT_STRING_EQUAL(runstate_name(RUN_STATE_SHUTDOWN), "shutdown");
    CU_ASSERT_STRING_EQUAL(runstate_name(RUN_STATE_INTERNAL_ERROR),
                           "internal-error");
    CU_ASSERT_STRING_EQUAL(runstate_name(RUN_STATE_IO_ERROR), "io-error");
    CU_ASSERT_STRING_EQUAL(shutdown_cause_name(SHUTDOWN_CAUSE_HOST_SIGNAL),
                           "host-signal");
    CU_ASSERT_STRING_EQUAL(shutdown_cause_name(SHUTDOWN_CAUSE_GUEST_RESET),
                           "guest-reset");
}

/* Without vCPUs, start and stop only change the state. */
static void test_state_start_stop(void)
{
    setup();
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_PRELAUNCH);
    CU_ASSERT_FALSE(runstate_is_running());
    vm_start();
    CU_ASSERT_TRUE(runstate_is_running());
    vm_stop(RUN_STATE_PAUSED);
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_PAUSED);
    vm_start();
    vm_shutdown();
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_SHUTDOWN);
    teardown();
}

/* --- requests from another thread ---------------------------------------- */

typedef struct Requester {
    void (*fn)(void *opaque);
    void *opaque;
    unsigned delay_ms;
} Requester;

static void *requester_thread(void *p)
{
    Requester *r = p;

    g_usleep(r->delay_ms * 1000);
    r->fn(r->opaque);
    return NULL;
}

/* Run the main loop while a thread calls @fn(@opaque); its status. */
static int run_loop_with(void (*fn)(void *), void *opaque)
{
    Requester r = { fn, opaque, 20 };
    QomuThread *t = qomu_thread_create("requester", requester_thread, &r,
                                       &error_abort);
    int status = qomu_main_loop();

    qomu_thread_join(t);
    return status;
}

static void request_shutdown(void *opaque)
{
    qomu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
}

static void request_exit(void *opaque)
{
    qomu_system_exit_request(GPOINTER_TO_INT(opaque));
}

static void test_request_shutdown(void)
{
    setup();
    CU_ASSERT_EQUAL(run_loop_with(request_shutdown, NULL), 0);
    teardown();
}

/* isa-debug-exit: the status is the guest's. */
static void test_request_exit_status(void)
{
    setup();
    CU_ASSERT_EQUAL(run_loop_with(request_exit, GINT_TO_POINTER(7)), 7);
    CU_ASSERT_EQUAL(qomu_system_exit_status(), 7);
    teardown();
}

/* The first request wins: a later exit or signal does not change it. */
static void request_exit_twice_then_signal(void *opaque)
{
    qomu_system_exit_request(3);
    qomu_system_exit_request(5);
    qomu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

static void test_request_first_wins(void)
{
    setup();
    CU_ASSERT_EQUAL(run_loop_with(request_exit_twice_then_signal, NULL), 3);
    teardown();
}

/* A shutdown already asked for (e.g. by a signal) keeps status 0. */
static void test_request_exit_after_shutdown(void)
{
    setup();
    qomu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
    qomu_system_exit_request(9);
    CU_ASSERT_EQUAL(qomu_main_loop(), 0);
    teardown();
}

/* A request made before the loop runs is not lost. */
static void test_request_before_loop(void)
{
    setup();
    qomu_system_exit_request(11);
    CU_ASSERT_EQUAL(qomu_main_loop(), 11);
    teardown();
}

/* The loop sleeps without the big lock: a thread that needs it (as a
 * vCPU dispatching a port write) gets it and can ask to exit. */
static void request_exit_under_bql(void *opaque)
{
    bql_lock();
    qomu_system_exit_request(13);
    bql_unlock();
}

static void test_request_loop_drops_bql(void)
{
    setup();
    CU_ASSERT_EQUAL(run_loop_with(request_exit_under_bql, NULL), 13);
    CU_ASSERT_TRUE(bql_locked());
    teardown();
}

/* --- reset --------------------------------------------------------------- */

static GString *reset_log;

static void log_reset(void *opaque)
{
    g_string_append_printf(reset_log, "%s;", (const char *)opaque);
}

static void unregister_self(void *opaque)
{
    log_reset(opaque);
    qomu_unregister_reset(unregister_self, opaque);
}

static void test_reset_handlers_order(void)
{
    setup();
    reset_log = g_string_new(NULL);
    qomu_register_reset(log_reset, "a");
    qomu_register_reset(unregister_self, "b");
    qomu_register_reset(log_reset, "c");
    qomu_register_reset(log_reset, "d");
    qomu_unregister_reset(log_reset, "c");
    qomu_devices_reset();
    CU_ASSERT_STRING_EQUAL(reset_log->str, "a;b;d;");
    g_string_truncate(reset_log, 0);
    qomu_system_reset(SHUTDOWN_CAUSE_NONE);     /* no machine: the hooks */
    CU_ASSERT_STRING_EQUAL(reset_log->str, "a;d;");
    g_string_free(reset_log, true);
    teardown();
}

/* A guest reset resets and goes on; then a shutdown ends the loop. */
static void request_reset_then_shutdown(void *opaque)
{
    qomu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    g_usleep(50 * 1000);
    qomu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
}

static void test_reset_request(void)
{
    setup();
    reset_log = g_string_new(NULL);
    qomu_register_reset(log_reset, "r");
    CU_ASSERT_EQUAL(run_loop_with(request_reset_then_shutdown, NULL), 0);
    CU_ASSERT_STRING_EQUAL(reset_log->str, "r;");
    /* Never started: a reset leaves it in prelaunch. */
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_PRELAUNCH);
    g_string_free(reset_log, true);
    teardown();
}

/* -no-reboot: the guest's reset is a shutdown, no reset happens. */
static void request_reset(void *opaque)
{
    qomu_system_reset_request(GPOINTER_TO_INT(opaque));
}

static void test_reset_no_reboot(void)
{
    setup();
    reset_log = g_string_new(NULL);
    qomu_register_reset(log_reset, "r");
    qomu_set_no_reboot(true);
    CU_ASSERT_EQUAL(run_loop_with(request_reset,
                                  GINT_TO_POINTER(SHUTDOWN_CAUSE_GUEST_RESET)),
                    0);
    CU_ASSERT_STRING_EQUAL(reset_log->str, "");
    g_string_free(reset_log, true);
    teardown();
}

/* ... except a subsystem reset, which QEMU still performs. */
static void request_subsystem_reset_then_exit(void *opaque)
{
    qomu_system_reset_request(SHUTDOWN_CAUSE_SUBSYSTEM_RESET);
    g_usleep(50 * 1000);
    qomu_system_exit_request(21);
}

static void test_reset_no_reboot_subsystem(void)
{
    setup();
    reset_log = g_string_new(NULL);
    qomu_register_reset(log_reset, "r");
    qomu_set_no_reboot(true);
    CU_ASSERT_EQUAL(run_loop_with(request_subsystem_reset_then_exit, NULL),
                    21);
    CU_ASSERT_STRING_EQUAL(reset_log->str, "r;");
    g_string_free(reset_log, true);
    teardown();
}

/* --- signals ------------------------------------------------------------- */

/* SIGTERM from this very process: QEMU names the sender. */
static void test_signal_from_self(void)
{
    g_autofree char *self = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *printed = NULL;
    StderrCapture cap;

    g_file_get_contents("/proc/self/cmdline", &self, NULL, NULL);
    expected = g_strdup_printf("qomu: terminating on signal 15 from pid %d "
                               "(%s)\n", (int)getpid(), self);
    setup();
    stderr_capture_begin(&cap);
    kill(getpid(), SIGTERM);
    CU_ASSERT_EQUAL(qomu_main_loop(), 0);
    printed = stderr_capture_end(&cap);
    CU_ASSERT_STRING_EQUAL(printed, expected);
    teardown();
}

/* From a process that is gone by the time the loop reports it. */
static void test_signal_unknown_process(void)
{
    g_autofree char *expected = NULL;
    g_autofree char *printed = NULL;
    StderrCapture cap;
    pid_t child;

    setup();
    stderr_capture_begin(&cap);
    child = fork();
    if (child == 0) {
        kill(getppid(), SIGINT);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    CU_ASSERT_EQUAL(qomu_main_loop(), 0);
    printed = stderr_capture_end(&cap);
    expected = g_strdup_printf("qomu: terminating on signal 2 from pid %d "
                               "(<unknown process>)\n", (int)child);
    CU_ASSERT_STRING_EQUAL(printed, expected);
    teardown();
}

/* --- with vCPUs ---------------------------------------------------------- */

/* "-M none -cpu qemu64 -accel dummy": one vCPU thread, paused. */
static MachineState *machine_with_vcpu(void)
{
    MachineState *ms = machine_create(machine_find_class("none"));

    ms->cpu_type = g_strdup(X86_CPU_TYPE_NAME("qemu64"));
    CU_ASSERT_FATAL(accel_init_machine("dummy", ms, NULL));
    phase_advance(PHASE_ACCEL_CREATED);
    CU_ASSERT_FATAL(machine_run_board_init(ms, NULL));
    machine_creation_done(ms);
    return ms;
}

static void test_vcpus_start_stop(void)
{
    CPUState *cpu;

    setup();
    machine_with_vcpu();
    CU_ASSERT_EQUAL(count_threads("CPU 0/DUMMY"), 1);
    cpu = g_ptr_array_index(cpus, 0);
    CU_ASSERT_TRUE(cpu->stopped);               /* new vCPUs wait */
    vm_start();
    CU_ASSERT_FALSE(cpu->stopped);
    vm_stop(RUN_STATE_PAUSED);
    CU_ASSERT_TRUE(cpu->stopped);               /* acknowledged */
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_PAUSED);
    vm_start();
    CU_ASSERT_FALSE(cpu->stopped);
    qomu_machine_teardown();
    CU_ASSERT_TRUE(threads_gone("CPU "));
    CU_ASSERT_PTR_NULL(current_machine_get());
    teardown();
}

/* A reset while running pauses the vCPU, resets, and lets it run on. */
static void test_vcpus_reset_running(void)
{
    CPUState *cpu;

    setup();
    machine_with_vcpu();
    cpu = g_ptr_array_index(cpus, 0);
    vm_start();
    CU_ASSERT_EQUAL(run_loop_with(request_reset_then_shutdown, NULL), 0);
    CU_ASSERT_TRUE(runstate_is_running());
    CU_ASSERT_FALSE(cpu->stopped);
    qomu_machine_teardown();
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_SHUTDOWN);
    teardown();
}

int main(int argc, char **argv)
{
    /* Objects that live as long as the process, created on first use. */
    object_get_root();
    get_chardevs_root();
    harness_add("/runstate/state/names", test_state_names);
    harness_add("/runstate/state/start-stop", test_state_start_stop);
    harness_add("/runstate/request/shutdown", test_request_shutdown);
    harness_add("/runstate/request/exit-status", test_request_exit_status);
    harness_add("/runstate/request/first-wins", test_request_first_wins);
    harness_add("/runstate/request/exit-after-shutdown",
                test_request_exit_after_shutdown);
    harness_add("/runstate/request/before-loop", test_request_before_loop);
    harness_add("/runstate/request/loop-drops-bql",
                test_request_loop_drops_bql);
    harness_add("/runstate/reset/handlers-order", test_reset_handlers_order);
    harness_add("/runstate/reset/request", test_reset_request);
    harness_add("/runstate/reset/no-reboot", test_reset_no_reboot);
    harness_add("/runstate/reset/no-reboot-subsystem",
                test_reset_no_reboot_subsystem);
    harness_add("/runstate/signal/from-self", test_signal_from_self);
    harness_add("/runstate/signal/unknown-process",
                test_signal_unknown_process);
    harness_add("/runstate/vcpus/start-stop", test_vcpus_start_stop);
    harness_add("/runstate/vcpus/reset-running", test_vcpus_reset_running);
    return harness_run(argc, argv);
}
