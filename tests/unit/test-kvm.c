/*
 * test-kvm.c - the KVM accelerator with real guests (accel/kvm/): memory
 * slots from the memory API, PIO (single and string) and MMIO exits
 * dispatched to memory regions, a triple fault becoming a reset request
 * (a shutdown with -no-reboot), emulation failures stopping the VM with
 * QEMU's report, reset reloading registers, an AP waiting for SIPI, the
 * cost of an exit, and forged kvm_run pages that the exit checks must
 * refuse.  Skipped (77) only when /dev/kvm cannot be opened.
 *
 * Guests are a few instructions assembled into this binary (.rodata) and
 * copied to guest RAM at LOAD; the boot CPU enters them in 32-bit
 * protected mode (X86_BOOT_PROTECTED32), EBX selecting the test and EAX
 * a count.  Ports: 0x10 data, 0x11 string data, 0x12 input (reads 0x5a),
 * 0x13 "done": its handler stops the vCPU (cpu_stop_current, as a device
 * stopping the VM would) and wakes the test.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "accel/accel.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/x86-boot.h"
#include "hw/i386/x86-cpu.h"
#include "system/cpus.h"
#include "system/runstate.h"
#include "../../accel/kvm/kvm-internal.h"
#include "harness.h"
#include "vcpu-helper.h"

#include <fcntl.h>

#define LOAD 0x1000
#define RAM_SIZE (2 * 1024 * 1024)
#define MMIO_BASE 0xd0000000ULL

/* --- the guests ------------------------------------------------------- */

enum { G_OUT = 1, G_OUTSB, G_IN, G_MMIO, G_TRIPLE, G_LOOP, G_COUNT };

__asm__(
    ".pushsection .rodata.guest32, \"a\"\n"
    ".code32\n"
    ".globl guest32_start, guest32_end\n"
    "guest32_start:\n"
    "    cmp $1, %ebx\n jne 2f\n"
    "    mov $0x42, %al\n out %al, $0x10\n jmp 9f\n"
    "2:  cmp $2, %ebx\n jne 3f\n"
    "    mov $(msg - guest32_start + 0x1000), %esi\n"
    "    mov $5, %ecx\n mov $0x11, %dx\n cld\n rep outsb\n jmp 9f\n"
    "3:  cmp $3, %ebx\n jne 4f\n"
    "    in $0x12, %al\n out %al, $0x10\n jmp 9f\n"
    "4:  cmp $4, %ebx\n jne 5f\n"
    "    movl $0xdeadbeef, 0xd0000000\n"
    "    mov 0xd0000004, %eax\n out %eax, $0x10\n jmp 9f\n"
    "5:  cmp $5, %ebx\n jne 6f\n"
    "    lidt (zero_idt - guest32_start + 0x1000)\n"
    "    lgdt (zero_idt - guest32_start + 0x1000)\n"
    "    mov $8, %ax\n mov %ax, %ds\n"
    "6:  cmp $6, %ebx\n jne 7f\n"
    "    mov %eax, %ecx\n"
    "1:  out %al, $0x10\n loop 1b\n jmp 9f\n"
    "7:  incl (counter - guest32_start + 0x1000)\n"
    "    mov (counter - guest32_start + 0x1000), %eax\n out %al, $0x10\n"
    "9:  out %al, $0x13\n"
    "8:  hlt\n jmp 8b\n"
    "msg: .ascii \"hello\"\n"
    "zero_idt: .word 0\n .long 0\n"
    "counter: .long 0\n"
    "guest32_end:\n"
    ".code64\n"
    ".popsection\n");

/*
 * Long mode, then CPL 3 with IOPL 3 (docs GUEST.md: CPL 3 runs natively
 * here, CPL 0 is emulated).  A TSS at LOAD, a GDT, identity-mapped 2 MiB
 * page with U/S set (tables at 0x10000).  EBX 1: EAX port writes from
 * CPL 3; 2: `lock cmpxchg16b` at CPL 0.
 */
__asm__(
    ".pushsection .rodata.guest64, \"a\"\n"
    ".globl guest64_start, guest64_entry, guest64_end\n"
    "guest64_start:\n"
    "tss: .long 0\n .quad 0x90000\n .fill 92, 1, 0\n"
    ".balign 8\n"
    "gdt: .quad 0\n"
    "    .quad 0x00209a0000000000\n"        /* 0x08 code64, DPL 0 */
    "    .quad 0x00cf92000000ffff\n"        /* 0x10 data, DPL 0 */
    "    .quad 0x0020fa0000000000\n"        /* 0x18 code64, DPL 3 */
    "    .quad 0x00cff2000000ffff\n"        /* 0x20 data, DPL 3 */
    "    .quad 0x0000890010000067\n"        /* 0x28 TSS at 0x1000 */
    "    .quad 0\n"
    "gdt_end:\n"
    "gdtr: .word gdt_end - gdt - 1\n .long gdt - guest64_start + 0x1000\n"
    ".code32\n"
    "guest64_entry:\n"
    "    mov %eax, %esi\n"
    "    lgdtl (gdtr - guest64_start + 0x1000)\n"
    "    movl $0x11007, 0x10000\n movl $0x12007, 0x11000\n"
    "    movl $0x87, 0x12000\n"
    "    mov $0x10000, %eax\n mov %eax, %cr3\n"
    "    mov %cr4, %eax\n or $0x20, %eax\n mov %eax, %cr4\n"
    "    mov $0xc0000080, %ecx\n rdmsr\n or $0x100, %eax\n wrmsr\n"
    "    mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
    "    ljmp $0x08, $(lm64 - guest64_start + 0x1000)\n"
    ".code64\n"
    "lm64:\n"
    "    mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "    mov $0x28, %ax\n ltr %ax\n mov $0x90000, %rsp\n"
    "    cmp $2, %ebx\n je cx16\n"
    "    pushq $0x23\n pushq $0x80000\n pushq $0x3002\n pushq $0x1b\n"
    "    pushq $(user - guest64_start + 0x1000)\n iretq\n"
    "user:\n"
    "    mov %esi, %ecx\n mov $0x10, %dx\n"
    "1:  out %al, (%dx)\n dec %ecx\n jnz 1b\n"
    "    mov $0x13, %dx\n out %al, (%dx)\n"
    "2:  jmp 2b\n"
    "cx16:\n"
    "    mov $0x20000, %rdi\n xor %eax, %eax\n xor %edx, %edx\n"
    "    xor %ebx, %ebx\n xor %ecx, %ecx\n lock cmpxchg16b (%rdi)\n"
    "    mov $0x13, %dx\n out %al, (%dx)\n"
    "3:  hlt\n jmp 3b\n"
    "guest64_end:\n"
    ".popsection\n");

extern const uint8_t guest32_start[], guest32_end[];
extern const uint8_t guest64_start[], guest64_entry[], guest64_end[];

/* --- the test VM -------------------------------------------------------- */

typedef struct TestVM {
    MemoryRegion sysmem, sysio;
    AddressSpace as_mem, as_io;
    MemoryRegion ram, ports, mmio;
    CPUState *cpu[2];
    int ncpus;

    GMutex lock;                /* guards the fields below */
    GCond cond;
    GString *log;               /* "10:42 " per write to port 0x10 ... */
    GString *mmio_log;
    int done;                   /* writes to port 0x13 */
    uint64_t writes;            /* port 0x10 writes, not logged */
    gint64 first_write_us;      /* when the first of them came */
    gint64 done_us;             /* when "done" came */
    bool quiet;                 /* perf runs: count, don't log */
} TestVM;

static TestVM vm;

static uint64_t port_read(void *opaque, hwaddr addr, unsigned size)
{
    return addr == 2 ? 0x5a : ~0ULL;
}

static void port_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    g_mutex_lock(&vm.lock);
    if (addr == 3) {
        vm.done++;
        vm.done_us = g_get_monotonic_time();
        cpu_stop_current();             /* big lock held: we are a device */
        g_cond_broadcast(&vm.cond);
    } else if (addr == 0 && vm.quiet) {
        if (!vm.writes++) {
            vm.first_write_us = g_get_monotonic_time();
        }
    } else if (addr == 1) {
        g_string_append_c(vm.log, (char)val);
    } else {
        g_string_append_printf(vm.log, "%x:%" PRIx64 "/%u ",
                               0x10 + (unsigned)addr, val, size);
    }
    g_mutex_unlock(&vm.lock);
}

static const MemoryRegionOps port_ops = {
    .read = port_read, .write = port_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x12345678;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    g_mutex_lock(&vm.lock);
    g_string_append_printf(vm.mmio_log, "%" PRIx64 ":%" PRIx64 "/%u ",
                           (uint64_t)addr, val, size);
    g_mutex_unlock(&vm.lock);
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read, .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void vm_init(void)
{
    vm.log = g_string_new("");
    vm.mmio_log = g_string_new("");
    vm.done = 0;
    vm.writes = 0;
    vm.quiet = false;
    vm.ncpus = 0;
    memory_map_init(&vm.sysmem, &vm.sysio, &vm.as_mem, &vm.as_io);
    memory_region_init_ram(&vm.ram, NULL, "ram", RAM_SIZE, &error_abort);
    memory_region_add_subregion(&vm.sysmem, 0, &vm.ram);
    memory_region_init_io(&vm.ports, NULL, &port_ops, NULL, "test-ports", 4);
    memory_region_add_subregion(&vm.sysio, 0x10, &vm.ports);
    memory_region_init_io(&vm.mmio, NULL, &mmio_ops, NULL, "test-mmio",
                          0x1000);
    memory_region_add_subregion(&vm.sysmem, MMIO_BASE, &vm.mmio);
    accel_init_machine("kvm", NULL, &error_abort);
}

/* Copy a guest to LOAD; the BSP enters it at @entry with EBX/EAX. */
static void vm_load(const uint8_t *start, const uint8_t *end,
                    const uint8_t *entry, uint32_t ebx, uint32_t eax)
{
    uint8_t *ram = memory_region_get_ram_ptr(&vm.ram);

    memcpy(ram + LOAD, start, end - start);
    *x86_boot_state() = (X86BootState) {
        .mode = X86_BOOT_PROTECTED32, .eip = LOAD + (entry - start),
        .eax = eax, .ebx = ebx, .esp = 0x8000,
    };
}

static void vm_load32(uint32_t test, uint32_t count)
{
    vm_load(guest32_start, guest32_end, guest32_start, test, count);
}

static CPUState *vm_add_cpu(uint32_t apic_id)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");
    DeviceState *dev = qdev_new(type);

    qdev_prop_set_uint32(dev, "apic-id", apic_id);
    qdev_prop_set_bit(dev, "check", false);     /* no "pni" warning */
    qdev_realize(dev, NULL, &error_abort);
    vm.cpu[vm.ncpus++] = CPU(dev);
    return CPU(dev);
}

static void vm_resume(void)
{
    bql_lock();
    resume_all_vcpus();
    bql_unlock();
}

static void vm_pause(void)
{
    bql_lock();
    pause_all_vcpus();
    bql_unlock();
}

/* Wait (up to 20 s: CPL 0 code is emulated here) for @n "done" writes. */
static bool vm_wait_done(int n)
{
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    bool ok = true;

    g_mutex_lock(&vm.lock);
    while (vm.done < n && ok) {
        ok = g_cond_wait_until(&vm.cond, &vm.lock, deadline);
    }
    ok = vm.done >= n;
    g_mutex_unlock(&vm.lock);
    return ok;
}

static bool cpu_is_stopped(void *opaque)
{
    CPUState *cpu = opaque;
    bool stopped;

    bql_lock();
    stopped = cpu->stopped;
    bql_unlock();
    return stopped;
}

static void vm_destroy(void)
{
    vm_pause();
    for (int i = 0; i < vm.ncpus; i++) {
        object_unparent(OBJECT(vm.cpu[i]));
        object_unref(vm.cpu[i]);
    }
    bql_lock();
    accel_cleanup();
    bql_unlock();
    memory_region_del_subregion(&vm.sysmem, &vm.mmio);
    memory_region_del_subregion(&vm.sysio, &vm.ports);
    memory_region_del_subregion(&vm.sysmem, &vm.ram);
    object_unparent(OBJECT(&vm.mmio));
    object_unparent(OBJECT(&vm.ports));
    object_unparent(OBJECT(&vm.ram));
    memory_map_cleanup(&vm.sysmem, &vm.sysio, &vm.as_mem, &vm.as_io);
    g_string_free(vm.log, true);
    g_string_free(vm.mmio_log, true);
    *x86_boot_state() = (X86BootState) { .mode = X86_BOOT_RESET };
    runstate_reset_for_test();
}

/* Run guest test @test with one CPU until it writes "done". */
static void run32(uint32_t test, uint32_t count)
{
    vm_init();
    vm_load32(test, count);
    vm_add_cpu(0);
    vm_resume();
    CU_ASSERT_TRUE(vm_wait_done(1));
}

/* --- memory slots --------------------------------------------------------- */

static KVMSlot *find_slot(uint64_t start)
{
    KVMState *s = kvm_state();

    for (int i = 0; i < s->slots_len; i++) {
        if (s->slots[i].memory_size && s->slots[i].start_addr == start) {
            return &s->slots[i];
        }
    }
    return NULL;
}

static void test_memslots(void)
{
    MemoryRegion rom, odd, tiny;
    KVMSlot *slot;

    vm_init();
    slot = find_slot(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(slot);
    CU_ASSERT_EQUAL(slot->memory_size, RAM_SIZE);
    CU_ASSERT_PTR_EQUAL(slot->ram, memory_region_get_ram_ptr(&vm.ram));
    CU_ASSERT_EQUAL(slot->flags, 0);
    CU_ASSERT_PTR_NULL(find_slot(MMIO_BASE));       /* I/O: no slot */

    memory_region_init_rom(&rom, NULL, "rom", 0x10000, &error_abort);
    memory_region_add_subregion(&vm.sysmem, 0xfff00000, &rom);
    slot = find_slot(0xfff00000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(slot);
    CU_ASSERT_EQUAL(slot->flags, KVM_MEM_READONLY);
    /* ragged ends are left to MMIO exits; less than a page: no slot */
    memory_region_init_ram(&odd, NULL, "odd", 0x1800, &error_abort);
    memory_region_add_subregion(&vm.sysmem, 0x300000, &odd);
    CU_ASSERT_EQUAL(find_slot(0x300000)->memory_size, 0x1000);
    memory_region_init_ram(&tiny, NULL, "tiny", 0x800, &error_abort);
    memory_region_add_subregion(&vm.sysmem, 0x400800, &tiny);
    CU_ASSERT_PTR_NULL(find_slot(0x400800));

    memory_region_del_subregion(&vm.sysmem, &rom);
    memory_region_del_subregion(&vm.sysmem, &odd);
    memory_region_del_subregion(&vm.sysmem, &tiny);
    CU_ASSERT_PTR_NULL(find_slot(0xfff00000));
    CU_ASSERT_PTR_NULL(find_slot(0x300000));
    object_unparent(OBJECT(&rom));
    object_unparent(OBJECT(&odd));
    object_unparent(OBJECT(&tiny));
    vm_destroy();
}

/* --- exits dispatched ----------------------------------------------------- */

static void test_pio_out(void)
{
    run32(G_OUT, 0);
    CU_ASSERT_STRING_EQUAL(vm.log->str, "10:42/1 ");
    vm_destroy();
}

static void test_pio_string(void)
{
    run32(G_OUTSB, 0);
    CU_ASSERT_STRING_EQUAL(vm.log->str, "hello");
    vm_destroy();
}

static void test_pio_in(void)
{
    run32(G_IN, 0);
    CU_ASSERT_STRING_EQUAL(vm.log->str, "10:5a/1 ");
    vm_destroy();
}

static void test_mmio(void)
{
    run32(G_MMIO, 0);
    CU_ASSERT_STRING_EQUAL(vm.mmio_log->str, "0:deadbeef/4 ");
    CU_ASSERT_STRING_EQUAL(vm.log->str, "10:12345678/4 ");
    vm_destroy();
}

/* --- reset and shutdown --------------------------------------------------- */

static int resets;

static void count_reset(void *opaque)
{
    resets++;
}

/* A triple fault (no IDT, no GDT, a segment load: #GP, #DF, shutdown;
 * not int3, which KVM's emulator here cannot run) asks for a reset; the
 * main loop does it: the vCPU reloads its registers and runs the (new)
 * boot code. */
static void test_triple_fault_reset(void)
{
    vm_init();
    vm_load32(G_TRIPLE, 0);
    vm_add_cpu(0);
    qomu_register_reset(count_reset, NULL);
    resets = 0;
    vm_resume();
    CU_ASSERT_TRUE_FATAL(wait_until(cpu_is_stopped, vm.cpu[0], 20000));
    CU_ASSERT_EQUAL(vm.done, 0);
    vm_load32(G_OUT, 0);               /* what "firmware" runs next */
    bql_lock();
    runstate_set(RUN_STATE_RUNNING);
    CU_ASSERT_FALSE(main_loop_should_exit());       /* reset, not exit */
    bql_unlock();
    CU_ASSERT_EQUAL(resets, 1);
    CU_ASSERT_TRUE(vm_wait_done(1));
    CU_ASSERT_STRING_EQUAL(vm.log->str, "10:42/1 ");
    qomu_unregister_reset(count_reset, NULL);
    vm_destroy();
}

/* With -no-reboot the same fault is a shutdown request. */
static void test_triple_fault_no_reboot(void)
{
    vm_init();
    vm_load32(G_TRIPLE, 0);
    vm_add_cpu(0);
    qomu_set_no_reboot(true);
    vm_resume();
    CU_ASSERT_TRUE_FATAL(wait_until(cpu_is_stopped, vm.cpu[0], 20000));
    bql_lock();
    CU_ASSERT_TRUE(main_loop_should_exit());
    bql_unlock();
    vm_destroy();
}

/* cpu_reset(): the next run starts from the boot state again (the guest
 * counts its runs in memory). */
static void test_reset_reloads_registers(void)
{
    run32(G_COUNT, 0);
    bql_lock();
    cpu_reset(vm.cpu[0]);
    resume_all_vcpus();
    bql_unlock();
    CU_ASSERT_TRUE(vm_wait_done(2));
    CU_ASSERT_STRING_EQUAL(vm.log->str, "10:1/1 10:2/1 ");
    vm_destroy();
}

/* `lock cmpxchg16b` at CPL 0 fails in KVM's emulator on the hosts of
 * docs/GUEST.md: QEMU's report, the VM stopped, nothing crashes. */
static void test_internal_error_stops_vm(void)
{
    StderrCapture cap;
    g_autofree char *out = NULL;
    bool stopped;

    vm_init();
    vm_load(guest64_start, guest64_end, guest64_entry, 2, 0);
    vm_add_cpu(0);
    bql_lock();
    runstate_set(RUN_STATE_RUNNING);
    bql_unlock();
    stderr_capture_begin(&cap);
    vm_resume();
    stopped = wait_until(cpu_is_stopped, vm.cpu[0], 20000);
    out = stderr_capture_end(&cap);
    CU_ASSERT_TRUE(stopped);
    if (vm.done) {
        vm_destroy();
        harness_skip("lock cmpxchg16b is not emulated here: no error");
    }
    CU_ASSERT_TRUE(g_str_has_prefix(out, "KVM internal error. Suberror: 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "emulation failure\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nRIP="));
    CU_ASSERT_EQUAL(runstate_get(), RUN_STATE_INTERNAL_ERROR);
    vm_destroy();
}

/* --- SMP: the AP waits in the in-kernel LAPIC for INIT/SIPI --------------- */

static void test_ap_waits_for_sipi(void)
{
    KVMVCPU *ap;

    vm_init();
    vm_load32(G_OUT, 0);
    vm_add_cpu(0);
    vm_add_cpu(1);
    ap = vm.cpu[1]->accel;
    vm_resume();
    CU_ASSERT_TRUE(vm_wait_done(1));
    g_usleep(50000);
    CU_ASSERT_STRING_EQUAL(vm.log->str, "10:42/1 ");     /* the BSP only */
    CU_ASSERT_EQUAL(__atomic_load_n(&ap->exits, __ATOMIC_RELAXED), 0);
    vm_destroy();
}

/* --- the cost of an exit -------------------------------------------------- */

/* Microseconds per exit round trip: guest loop, KVM, dispatch, back
 * (from the first write to "done", so set-up does not count). */
static double run_loop(const uint8_t *start, const uint8_t *end,
                       const uint8_t *entry, uint32_t test, uint32_t n)
{
    double us;

    vm_init();
    vm.quiet = true;
    vm_load(start, end, entry, test, n);
    vm_add_cpu(0);
    vm_resume();
    CU_ASSERT_TRUE(vm_wait_done(1));
    us = (double)(vm.done_us - vm.first_write_us) / n;
    CU_ASSERT_EQUAL(vm.writes, n);
    vm_destroy();
    return us;
}

/* The VMM's own share of an exit: kvm_handle_exit() on a forged PIO
 * exit, dispatch to the test region included (no KVM_RUN). */
static void test_dispatch_cost(void)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");
    const int n = 200000;
    KVMVCPU v;
    gint64 t0;

    vm_init();
    vm.quiet = true;
    v = (KVMVCPU) {
        .cpu = CPU(object_new(type)), .s = kvm_state(), .fd = -1,
        .run_size = 3 * 4096, .run = g_malloc0(3 * 4096),
    };
    v.run->exit_reason = KVM_EXIT_IO;
    v.run->io = (typeof(v.run->io)) {
        .direction = KVM_EXIT_IO_OUT, .size = 1, .port = 0x10,
        .count = 1, .data_offset = 4096,
    };
    t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        kvm_handle_exit(&v);
    }
    printf("\n    %.0f ns of VMM work per PIO exit ",
           (double)(g_get_monotonic_time() - t0) * 1000 / n);
    CU_ASSERT_EQUAL(vm.writes, n);
    object_unref(v.cpu);
    g_free(v.run);
    vm_destroy();
}

static void test_exit_cost_cpl0(void)
{
    double us = run_loop(guest32_start, guest32_end, guest32_start,
                         G_LOOP, 5000);

    printf("\n    %.2f us per PIO exit round trip, CPL 0 guest ", us);
}

static void test_exit_cost_cpl3(void)
{
    double us = run_loop(guest64_start, guest64_end, guest64_entry, 1, 2000);

    printf("\n    %.2f us per PIO exit round trip, CPL 3 guest ", us);
}

/* --- forged exits: what the checks must refuse ---------------------------- */

typedef struct Forged {
    KVMVCPU v;
    CPUState *cpu;
} Forged;

static void forged_init(Forged *f)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");

    vm_init();
    f->cpu = CPU(object_new(type));
    f->cpu->cpu_index = 0;
    f->v = (KVMVCPU) {
        .cpu = f->cpu, .s = kvm_state(), .fd = -1,
        .run_size = 3 * 4096,
        .run = g_malloc0(3 * 4096),
    };
}

static void forged_done(Forged *f)
{
    f->cpu->cpu_index = UNASSIGNED_CPU_INDEX;
    object_unref(f->cpu);
    g_free(f->v.run);
    vm_destroy();
}

/* kvm_handle_exit on the forged page, stderr captured. */
static int forged_exit(Forged *f, char **out)
{
    StderrCapture cap;
    int ret;

    stderr_capture_begin(&cap);
    ret = kvm_handle_exit(&f->v);
    *out = stderr_capture_end(&cap);
    return ret;
}

static void forge_io(Forged *f, uint8_t dir, uint8_t size, uint16_t port,
                     uint32_t count, uint64_t offset)
{
    struct kvm_run *run = f->v.run;

    run->exit_reason = KVM_EXIT_IO;
    run->io.direction = dir;
    run->io.size = size;
    run->io.port = port;
    run->io.count = count;
    run->io.data_offset = offset;
}

static void test_forged_io(void)
{
    static const struct {
        uint8_t dir, size;
        uint32_t count;
        uint64_t offset;
    } bad[] = {
        { KVM_EXIT_IO_OUT, 3, 1, 4096 },            /* size */
        { KVM_EXIT_IO_OUT, 8, 1, 4096 },
        { KVM_EXIT_IO_OUT, 1, 0, 4096 },            /* count */
        { 2, 1, 1, 4096 },                          /* direction */
        { KVM_EXIT_IO_OUT, 1, 1, 16 },              /* inside struct kvm_run */
        { KVM_EXIT_IO_OUT, 4, 1, 3 * 4096 - 2 },    /* past the end */
        { KVM_EXIT_IO_IN, 4, 0x40000000, 4096 },    /* 4 GiB of data */
        { KVM_EXIT_IO_OUT, 1, 1, UINT64_MAX },      /* wraps */
        { KVM_EXIT_IO_IN, 2, 4097, 4096 },          /* one past a page pair */
    };
    Forged f;

    forged_init(&f);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *out = NULL;

        forge_io(&f, bad[i].dir, bad[i].size, 0x11, bad[i].count,
                 bad[i].offset);
        CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
        CU_ASSERT_STRING_EQUAL(out, "qomu: KVM: malformed KVM_EXIT_IO exit "
                                    "on CPU 0: rejected\n");
    }
    CU_ASSERT_STRING_EQUAL(vm.log->str, "");       /* nothing dispatched */
    forged_done(&f);
}

/* The same page, well formed: dispatched, IN data written back. */
static void test_forged_io_valid(void)
{
    Forged f;
    g_autofree char *out = NULL, *out2 = NULL;
    uint8_t *data;

    forged_init(&f);
    data = (uint8_t *)f.v.run + 4096;
    memcpy(data, "abc", 3);
    forge_io(&f, KVM_EXIT_IO_OUT, 1, 0x11, 3, 4096);
    CU_ASSERT_EQUAL(forged_exit(&f, &out), 0);
    CU_ASSERT_STRING_EQUAL(vm.log->str, "abc");
    /* exactly up to the end of the mapping is allowed */
    forge_io(&f, KVM_EXIT_IO_IN, 1, 0x12, 1, 3 * 4096 - 1);
    CU_ASSERT_EQUAL(forged_exit(&f, &out2), 0);
    CU_ASSERT_EQUAL(((uint8_t *)f.v.run)[3 * 4096 - 1], 0x5a);
    forged_done(&f);
}

static void test_forged_mmio(void)
{
    struct kvm_run *run;
    Forged f;
    g_autofree char *out = NULL, *out2 = NULL, *out3 = NULL;

    forged_init(&f);
    run = f.v.run;
    run->exit_reason = KVM_EXIT_MMIO;
    run->mmio.phys_addr = MMIO_BASE + 8;
    run->mmio.len = 9;
    run->mmio.is_write = 1;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
    CU_ASSERT_STRING_EQUAL(out, "qomu: KVM: malformed KVM_EXIT_MMIO exit "
                                "on CPU 0: rejected\n");
    run->mmio.len = 0;
    CU_ASSERT_EQUAL(forged_exit(&f, &out2), -1);
    run->mmio.len = 4;
    memcpy(run->mmio.data, "\x01\x02\x03\x04", 4);
    CU_ASSERT_EQUAL(forged_exit(&f, &out3), 0);
    CU_ASSERT_STRING_EQUAL(vm.mmio_log->str, "8:4030201/4 ");
    forged_done(&f);
}

/* Errors print QEMU's text and ask the loop to stop the VM (-1). */
static void test_forged_errors(void)
{
    struct kvm_run *run;
    Forged f;
    char *out;

    forged_init(&f);
    run = f.v.run;
    run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
    run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
    run->internal.ndata = 2;
    run->internal.data[0] = 0x10;
    run->internal.data[1] = 0xabc;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
    CU_ASSERT_STRING_EQUAL(out, "KVM internal error. Suberror: 1\n"
                                "extra data[0]: 0x0000000000000010\n"
                                "extra data[1]: 0x0000000000000abc\n"
                                "emulation failure\n");
    g_free(out);
    run->internal.ndata = 17;           /* more than data[] holds */
    CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
    CU_ASSERT_STRING_EQUAL(out, "KVM internal error. Suberror: 1\n"
                                "qomu: KVM: malformed KVM_EXIT_INTERNAL_ERROR"
                                " exit on CPU 0: rejected\n");
    g_free(out);
    run->exit_reason = KVM_EXIT_FAIL_ENTRY;
    run->fail_entry.hardware_entry_failure_reason = 0x80000021;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
    CU_ASSERT_STRING_EQUAL(out, "KVM: entry failed, hardware error "
                                "0x80000021\n");
    g_free(out);
    run->exit_reason = 1234;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
    CU_ASSERT_STRING_EQUAL(out, "KVM: unknown exit reason 1234\n");
    g_free(out);
    run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
    run->system_event.type = 99;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), -1);
    CU_ASSERT_STRING_EQUAL(out, "KVM: unknown system event 99\n");
    g_free(out);
    forged_done(&f);
}

/* Guest-requested resets and shutdowns reach runstate.c. */
static void test_forged_requests(void)
{
    struct kvm_run *run;
    Forged f;
    char *out;

    forged_init(&f);
    run = f.v.run;
    run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
    run->system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), 1);
    g_free(out);
    bql_lock();
    CU_ASSERT_TRUE(main_loop_should_exit());
    bql_unlock();
    run->exit_reason = KVM_EXIT_SHUTDOWN;
    resets = 0;
    qomu_register_reset(count_reset, NULL);
    CU_ASSERT_EQUAL(forged_exit(&f, &out), 1);
    g_free(out);
    bql_lock();
    CU_ASSERT_FALSE(main_loop_should_exit());
    bql_unlock();
    CU_ASSERT_EQUAL(resets, 1);
    run->exit_reason = KVM_EXIT_HLT;
    CU_ASSERT_EQUAL(forged_exit(&f, &out), 1);
    g_free(out);
    CU_ASSERT_TRUE(f.cpu->halted);
    qomu_unregister_reset(count_reset, NULL);
    forged_done(&f);
}

int main(int argc, char **argv)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        g_autofree char *why = g_strdup_printf("cannot open /dev/kvm: %s",
                                               strerror(errno));

        harness_skip(why);
        return harness_run(argc, argv);
    }
    close(fd);
    g_unsetenv("QOMU_KVM_DEVICE");
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/kvm/memslots", test_memslots);
    harness_add("/kvm/exit/pio/out", test_pio_out);
    harness_add("/kvm/exit/pio/string", test_pio_string);
    harness_add("/kvm/exit/pio/in", test_pio_in);
    harness_add("/kvm/exit/mmio", test_mmio);
    harness_add("/kvm/exit/shutdown/triple-fault-reset",
                test_triple_fault_reset);
    harness_add("/kvm/exit/shutdown/no-reboot", test_triple_fault_no_reboot);
    harness_add("/kvm/exit/internal-error/stops-vm",
                test_internal_error_stops_vm);
    harness_add("/kvm/reset/reloads-registers", test_reset_reloads_registers);
    harness_add("/kvm/smp/ap-waits-for-sipi", test_ap_waits_for_sipi);
    harness_add("/kvm/forged/io-refused", test_forged_io);
    harness_add("/kvm/forged/io-valid", test_forged_io_valid);
    harness_add("/kvm/forged/mmio", test_forged_mmio);
    harness_add("/kvm/forged/errors", test_forged_errors);
    harness_add("/kvm/forged/requests", test_forged_requests);
    harness_add("/kvm/perf/dispatch-cost", test_dispatch_cost);
    harness_add("/kvm/perf/exit-cost/cpl0", test_exit_cost_cpl0);
    harness_add("/kvm/perf/exit-cost/cpl3", test_exit_cost_cpl3);
    return harness_run(argc, argv);
}
