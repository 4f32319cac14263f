/*
 * test-cpu.c - TYPE_CPU and the vCPU thread protocol (hw/core/cpu.c,
 * system/cpus.c) over both accelerators: cpu_index assignment, thread
 * names as the kernel shows them, pause/resume of two running KVM vCPUs
 * (a pause from a vCPU thread included), teardown joining every thread,
 * a vCPU whose creation fails, machine_create_cpus.  KVM cases are
 * skipped one by one when /dev/kvm cannot be opened.
 *
 * The KVM guest is `1: out %al, $0x10; jmp 1b` in 32-bit protected mode:
 * it exits forever, so a vCPU is always either in KVM_RUN or dispatching
 * when the test pauses it.  APs wait for SIPI inside KVM_RUN.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "hw/core/memory.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/x86-boot.h"
#include "hw/i386/x86-cpu.h"
#include "machine/machine.h"
#include "system/cpus.h"
#include "harness.h"
#include "vcpu-helper.h"

/* --- fixture ------------------------------------------------------------ */

static struct {
    MemoryRegion sysmem, sysio, ram, port;
    AddressSpace as_mem, as_io;
    bool memory;
    uint64_t writes;            /* atomic: guest writes to port 0x10 */
    bool pause_from_vcpu;       /* port 0x11 write: pause everyone */
    bool paused_from_vcpu;
} fx;

static const uint8_t spin_guest[] = {
    0xe6, 0x11,                 /* out %al, $0x11 (if asked to pause) */
    0xe6, 0x10,                 /* 1: out %al, $0x10 */
    0xeb, 0xfc,                 /* jmp 1b */
};

static void port_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    if (addr == 0) {
        __atomic_add_fetch(&fx.writes, 1, __ATOMIC_RELAXED);
    } else if (fx.pause_from_vcpu) {
        /* a device asking for a VM stop, in the vCPU thread */
        pause_all_vcpus();
        fx.paused_from_vcpu = all_vcpus_paused();
    }
}

static const MemoryRegionOps port_ops = {
    .write = port_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
};

/* The accelerator (and for kvm, memory and the guest). */
static void fx_init(const char *accel)
{
    memset(&fx, 0, sizeof(fx));
    if (!strcmp(accel, "kvm")) {
        if (!kvm_usable()) {
            harness_skip("/dev/kvm not accessible");
        }
        memory_map_init(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
        memory_region_init_ram(&fx.ram, NULL, "ram", 0x100000, &error_abort);
        memory_region_add_subregion(&fx.sysmem, 0, &fx.ram);
        memory_region_init_io(&fx.port, NULL, &port_ops, NULL, "port", 2);
        memory_region_add_subregion(&fx.sysio, 0x10, &fx.port);
        memcpy((uint8_t *)memory_region_get_ram_ptr(&fx.ram) + 0x1000,
               spin_guest, sizeof(spin_guest));
        *x86_boot_state() = (X86BootState) {
            .mode = X86_BOOT_PROTECTED32, .eip = 0x1002,
        };
        fx.memory = true;
    }
    accel_init_machine(accel, NULL, &error_abort);
}

static void fx_done(void)
{
    bql_lock();
    accel_cleanup();
    bql_unlock();
    if (fx.memory) {
        memory_region_del_subregion(&fx.sysio, &fx.port);
        memory_region_del_subregion(&fx.sysmem, &fx.ram);
        object_unparent(OBJECT(&fx.port));
        object_unparent(OBJECT(&fx.ram));
        memory_map_cleanup(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
    }
    *x86_boot_state() = (X86BootState) { .mode = X86_BOOT_RESET };
}

static CPUState *new_cpu(uint32_t apic_id, Error **errp)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");
    DeviceState *dev = qdev_new(type);

    qdev_prop_set_uint32(dev, "apic-id", apic_id);
    qdev_prop_set_bit(dev, "check", false);
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        return NULL;                    /* freed: it was unattached */
    }
    return CPU(dev);                    /* /machine/unattached owns it */
}

static uint64_t writes(void)
{
    return __atomic_load_n(&fx.writes, __ATOMIC_RELAXED);
}

static bool paused(void *opaque)
{
    bool p;

    bql_lock();
    p = all_vcpus_paused();
    bql_unlock();
    return p;
}

static bool writes_above(void *opaque)
{
    return writes() > GPOINTER_TO_UINT(opaque);
}

/* --- tests ---------------------------------------------------------------- */

/* The lowest free index; the list stays sorted; names follow. */
static void test_index_lowest_free(void)
{
    CPUState *c[3], *again;
    g_autofree char *name = NULL;

    fx_init("dummy");
    for (int i = 0; i < 3; i++) {
        c[i] = new_cpu(i, &error_abort);
        CU_ASSERT_EQUAL(c[i]->cpu_index, i);
    }
    object_unparent(OBJECT(c[1]));
    CU_ASSERT_EQUAL(cpus->len, 2);
    again = new_cpu(7, &error_abort);
    CU_ASSERT_EQUAL(again->cpu_index, 1);
    CU_ASSERT_PTR_EQUAL(g_ptr_array_index(cpus, 1), again);
    name = thread_comm(again->thread_id);
    CU_ASSERT_STRING_EQUAL(name, "CPU 1/DUMMY");
    object_unparent(OBJECT(c[0]));
    object_unparent(OBJECT(again));
    object_unparent(OBJECT(c[2]));
    CU_ASSERT_PTR_NULL(cpus);
    fx_done();
}

static void test_thread_name_kvm(void)
{
    CPUState *cpu;
    g_autofree char *name = NULL;

    fx_init("kvm");
    cpu = new_cpu(0, &error_abort);
    name = thread_comm(cpu->thread_id);
    CU_ASSERT_STRING_EQUAL(name, "CPU 0/KVM");
    object_unparent(OBJECT(cpu));
    CU_ASSERT_TRUE(threads_gone("CPU "));
    fx_done();
}

static void test_thread_name_dummy(void)
{
    CPUState *c0, *c1;
    g_autofree char *name = NULL;

    fx_init("dummy");
    c0 = new_cpu(0, &error_abort);
    c1 = new_cpu(1, &error_abort);
    name = thread_comm(c1->thread_id);
    CU_ASSERT_STRING_EQUAL(name, "CPU 1/DUMMY");
    object_unparent(OBJECT(c0));
    object_unparent(OBJECT(c1));
    fx_done();
}

/* Two running KVM vCPUs (a BSP exiting non-stop, an AP waiting for SIPI
 * in the kernel): after pause_all_vcpus() both are stopped and the guest
 * makes no progress; resume lets it run again. */
static void test_pause_resume_kvm(void)
{
    CPUState *c0, *c1;
    uint64_t n;

    fx_init("kvm");
    c0 = new_cpu(0, &error_abort);
    c1 = new_cpu(1, &error_abort);
    for (int round = 0; round < 3; round++) {
        bql_lock();
        resume_all_vcpus();
        bql_unlock();
        n = writes();
        CU_ASSERT_TRUE(wait_until(writes_above, GUINT_TO_POINTER(n + 10),
                                  20000));
        bql_lock();
        pause_all_vcpus();
        CU_ASSERT_TRUE(c0->stopped && c1->stopped);
        bql_unlock();
        n = writes();
        g_usleep(20000);
        CU_ASSERT_EQUAL(writes(), n);
    }
    object_unparent(OBJECT(c1));
    object_unparent(OBJECT(c0));
    fx_done();
}

/* A device stopping the VM from a vCPU thread (vm_stop on an internal
 * error does this): that vCPU stops itself, the other is waited for. */
static void test_pause_from_vcpu(void)
{
    CPUState *c0, *c1;

    fx_init("kvm");
    x86_boot_state()->eip = 0x1000;
    fx.pause_from_vcpu = true;
    c0 = new_cpu(0, &error_abort);
    c1 = new_cpu(1, &error_abort);
    bql_lock();
    resume_all_vcpus();
    bql_unlock();
    CU_ASSERT_TRUE(wait_until(paused, NULL, 20000));
    CU_ASSERT_TRUE(fx.paused_from_vcpu);
    CU_ASSERT_EQUAL(writes(), 0);
    object_unparent(OBJECT(c1));
    object_unparent(OBJECT(c0));
    fx_done();
}

/* cpus_stop_all_and_join() with vCPUs in the guest: every thread is
 * gone, the CPUs stay until unrealized. */
static void test_teardown_joins(void)
{
    CPUState *c0, *c1;

    fx_init("kvm");
    c0 = new_cpu(0, &error_abort);
    c1 = new_cpu(1, &error_abort);
    bql_lock();
    resume_all_vcpus();
    bql_unlock();
    CU_ASSERT_TRUE(wait_until(writes_above, GUINT_TO_POINTER(5), 20000));
    CU_ASSERT_EQUAL(count_threads("CPU "), 2);
    cpus_stop_all_and_join();
    CU_ASSERT_TRUE(threads_gone("CPU "));
    CU_ASSERT_EQUAL(cpus->len, 2);
    CU_ASSERT_PTR_NULL(c0->thread);
    CU_ASSERT_PTR_NULL(c1->accel);
    object_unparent(OBJECT(c1));
    object_unparent(OBJECT(c0));
    CU_ASSERT_PTR_NULL(cpus);
    fx_done();
}

/* KVM refuses a second vCPU with the same id: realize fails with QEMU's
 * message and leaves nothing behind (list, thread, object). */
static void test_start_failure(void)
{
    CPUState *c0;
    Error *err = NULL;

    fx_init("kvm");
    c0 = new_cpu(0, &error_abort);
    CU_ASSERT_PTR_NULL(new_cpu(0, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "kvm_init_vcpu: kvm_get_vcpu failed (0): "
                           "File exists");
    error_free(err);
    CU_ASSERT_EQUAL(cpus->len, 1);
    CU_ASSERT_EQUAL(count_threads("CPU "), 1);
    object_unparent(OBJECT(c0));
    fx_done();
}

static void test_stop_current_elsewhere(void)
{
    CPUState *c0;

    fx_init("dummy");
    c0 = new_cpu(0, &error_abort);
    bql_lock();
    resume_all_vcpus();
    cpu_stop_current();                 /* main thread: no vCPU, no-op */
    CU_ASSERT_FALSE(c0->stopped);
    bql_unlock();
    object_unparent(OBJECT(c0));
    fx_done();
}

/* -smp 4,cores=2,threads=2: APIC ids 0-3, topology recorded. */
static void test_machine_create_cpus(void)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");
    MachineState ms = {
        .smp = { .cpus = 4, .sockets = 1, .dies = 1, .cores = 2,
                 .threads = 2, .max_cpus = 4 },
        .cpu_type = type,
    };
    CPUState *cpu;
    unsigned i = 0;

    fx_init("dummy");
    machine_create_cpus(&ms);
    CU_ASSERT_EQUAL(cpus->len, 4);
    CPU_FOREACH(cpu) {
        g_autofree char *path = object_get_canonical_path(OBJECT(cpu));

        CU_ASSERT_EQUAL(cpu->cpu_index, (int)i);
        CU_ASSERT_EQUAL(cpu->apic_id, i);
        CU_ASSERT_EQUAL(cpu->nr_cores, 2);
        CU_ASSERT_EQUAL(cpu->nr_threads, 2);
        CU_ASSERT_TRUE(g_str_has_prefix(path, "/machine/unattached/device["));
        i++;
    }
    while (cpus) {
        object_unparent(OBJECT(g_ptr_array_index(cpus, 0)));
    }
    fx_done();
}

int main(int argc, char **argv)
{
    g_unsetenv("QOMU_KVM_DEVICE");
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/cpu/index/lowest-free", test_index_lowest_free);
    harness_add("/cpu/thread-name/kvm", test_thread_name_kvm);
    harness_add("/cpu/thread-name/dummy", test_thread_name_dummy);
    harness_add("/cpu/pause-resume/kvm-two-vcpus", test_pause_resume_kvm);
    harness_add("/cpu/pause/from-vcpu-thread", test_pause_from_vcpu);
    harness_add("/cpu/teardown/joins-threads", test_teardown_joins);
    harness_add("/cpu/start/failure-leaves-nothing", test_start_failure);
    harness_add("/cpu/stop-current/not-a-vcpu", test_stop_current_elsewhere);
    harness_add("/cpu/machine-create-cpus", test_machine_create_cpus);
    return harness_run(argc, argv);
}
