/*
 * test-dummy-accel.c - the "dummy" accelerator (accel/dummy/dummy.c):
 * its vCPU threads exist under their names, sleep while "running",
 * pause and resume, and are joined at teardown; no /dev/kvm needed.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/x86-cpu.h"
#include "system/cpus.h"
#include "harness.h"
#include "vcpu-helper.h"

static CPUState *new_cpu(uint32_t apic_id)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");
    DeviceState *dev = qdev_new(type);

    qdev_prop_set_uint32(dev, "apic-id", apic_id);
    qdev_realize(dev, NULL, &error_abort);
    return CPU(dev);
}

static void free_cpu(CPUState *cpu)
{
    object_unparent(OBJECT(cpu));
    object_unref(cpu);
}

/* The thread's scheduler state letter in /proc (R, S, ...). */
static char thread_state(pid_t tid)
{
    g_autofree char *path = g_strdup_printf("/proc/self/task/%d/stat", tid);
    g_autofree char *stat = NULL;
    const char *p;

    if (!g_file_get_contents(path, &stat, NULL, NULL) ||
        !(p = strrchr(stat, ')'))) {
        return '?';
    }
    return p[2];
}

static bool is_sleeping(void *opaque)
{
    return thread_state(GPOINTER_TO_INT(opaque)) == 'S';
}

static void test_threads_named(void)
{
    CPUState *c0, *c1;
    g_autofree char *n0 = NULL, *n1 = NULL;

    accel_init_machine("dummy", NULL, &error_abort);
    c0 = new_cpu(0);
    c1 = new_cpu(1);
    n0 = thread_comm(c0->thread_id);
    n1 = thread_comm(c1->thread_id);
    CU_ASSERT_STRING_EQUAL(n0, "CPU 0/DUMMY");
    CU_ASSERT_STRING_EQUAL(n1, "CPU 1/DUMMY");
    CU_ASSERT_NOT_EQUAL(c0->thread_id, getpid());
    CU_ASSERT_EQUAL(count_threads("CPU "), 2);
    free_cpu(c1);
    free_cpu(c0);
    CU_ASSERT_TRUE(threads_gone("CPU "));
    CU_ASSERT_PTR_NULL(cpus);
    accel_cleanup();
}

/* "Running" runs nothing: the thread sleeps; pause and resume work. */
static void test_pause_resume(void)
{
    CPUState *c0, *c1;

    accel_init_machine("dummy", NULL, &error_abort);
    c0 = new_cpu(0);
    c1 = new_cpu(1);
    CU_ASSERT_TRUE(c0->stopped && c1->stopped);     /* created stopped */
    for (int round = 0; round < 3; round++) {
        bql_lock();
        resume_all_vcpus();
        CU_ASSERT_FALSE(c0->stopped || c1->stopped);
        bql_unlock();
        CU_ASSERT_TRUE(wait_until(is_sleeping,
                                  GINT_TO_POINTER(c0->thread_id), 2000));
        bql_lock();
        pause_all_vcpus();
        CU_ASSERT_TRUE(all_vcpus_paused());
        CU_ASSERT_FALSE(c0->stop || c1->stop);      /* acknowledged */
        bql_unlock();
    }
    free_cpu(c0);
    free_cpu(c1);
    accel_cleanup();
}

/* Teardown while running: every thread joined, nothing left. */
static void test_teardown_running(void)
{
    CPUState *c0;

    accel_init_machine("dummy", NULL, &error_abort);
    c0 = new_cpu(0);
    bql_lock();
    resume_all_vcpus();
    bql_unlock();
    cpus_stop_all_and_join();
    CU_ASSERT_TRUE(threads_gone("CPU "));
    CU_ASSERT_PTR_NULL(c0->thread);
    CU_ASSERT_TRUE(c0->stopped);
    bql_lock();
    pause_all_vcpus();                  /* nothing to wait for */
    cpu_reset(c0);                      /* no thread: no-op */
    bql_unlock();
    free_cpu(c0);
    accel_cleanup();
}

int main(int argc, char **argv)
{
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/dummy-accel/threads/named", test_threads_named);
    harness_add("/dummy-accel/pause-resume", test_pause_resume);
    harness_add("/dummy-accel/teardown/running", test_teardown_running);
    return harness_run(argc, argv);
}
