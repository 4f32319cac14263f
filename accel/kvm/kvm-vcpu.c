/*
 * kvm-vcpu.c - vCPU threads and the KVM_RUN loop (QEMU 7.2's
 * accel/kvm/kvm-accel-ops.c kvm_vcpu_thread_fn, kvm-all.c kvm_init_vcpu,
 * kvm_cpu_exec, kvm_handle_io, kvm_handle_internal_error; an emulation
 * failure is first offered to kvm_arch_handle_emulation_failure).
 *
 * One thread per vCPU, "CPU n/KVM", creates its vCPU (KVM_CREATE_VCPU
 * with the APIC id, the kvm_run mapping, CPUID) and runs it.  Every exit
 * is checked before it is trusted (Firecracker's rule: the run page is
 * shared with the kernel, and its sizes and offsets decide where we write):
 * PIO sizes/counts/offsets must lie within the mapping, MMIO lengths
 * within run->mmio.data, internal-error data counts within their array.
 *
 * Kicks (QEMU's SIG_IPI): SIGUSR1 is blocked in the thread, and unblocked
 * only inside KVM_RUN through KVM_SET_SIGNAL_MASK, so a kick either
 * interrupts guest mode (-EINTR) or stays pending and makes the next
 * KVM_RUN return at once; kvm_run->immediate_exit (KVM_CAP_IMMEDIATE_EXIT)
 * is set first so the kernel does not even enter the guest.  A kick
 * between the exit_request check and KVM_RUN is therefore never lost.
 * The pending signal is consumed with sigtimedwait() after an -EINTR:
 * the only syscall besides KVM_RUN, and only on kicks.
 *
 * Locking: KVM_RUN runs without the big lock.  An exit's dispatch runs
 * under it: address_space_rw takes it around non-lockless regions' ops
 * (memory.h); string PIO takes it once around all its accesses.
 * Not modelled: KVM_EXIT_DEBUG (gdbstub), coalesced MMIO, dirty ring
 * exits, SIGBUS/MCE forwarding, the "no immediate_exit" kernel path
 * beyond the signal itself (it still works, one exit later).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "system/cpus.h"
#include "system/runstate.h"
#include "kvm-internal.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define SIG_IPI SIGUSR1

int kvm_vcpu_ioctl(KVMVCPU *v, unsigned long type, void *arg)
{
    int ret = ioctl(v->fd, type, arg);

    return ret == -1 ? -errno : ret;
}

/* --- exits (vCPU thread, big lock not held) ------------------------------ */

static int kvm_bad_exit(KVMVCPU *v, const char *what)
{
    error_report("KVM: malformed %s exit on CPU %d: rejected", what,
                 v->cpu->cpu_index);
    return -1;
}

/* KVM_EXIT_IO: @count accesses of @size bytes at @port, data in the run
 * page at data_offset (QEMU's kvm_handle_io). */
static int kvm_handle_io(KVMVCPU *v)
{
    struct kvm_run *run = v->run;
    uint64_t offset = run->io.data_offset;
    uint32_t size = run->io.size, count = run->io.count;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
    uint8_t *data;

    if ((size != 1 && size != 2 && size != 4) || count == 0 ||
        run->io.direction > KVM_EXIT_IO_OUT ||
        offset < sizeof(*run) || offset > v->run_size ||
        (uint64_t)size * count > v->run_size - offset) {
        return kvm_bad_exit(v, "KVM_EXIT_IO");
    }
    data = (uint8_t *)run + offset;
    if (count == 1) {
        address_space_rw(v->s->as_io, run->io.port, data, size, is_write);
        return 0;
    }
    bql_lock();                         /* once for the whole string */
    for (uint32_t i = 0; i < count; i++, data += size) {
        address_space_rw(v->s->as_io, run->io.port, data, size, is_write);
    }
    bql_unlock();
    return 0;
}

static int kvm_handle_mmio(KVMVCPU *v)
{
    struct kvm_run *run = v->run;

    if (run->mmio.len == 0 || run->mmio.len > sizeof(run->mmio.data)) {
        return kvm_bad_exit(v, "KVM_EXIT_MMIO");
    }
    address_space_rw(v->s->as_memory, run->mmio.phys_addr, run->mmio.data,
                     run->mmio.len, run->mmio.is_write);
    return 0;
}

/* A guest reset or shutdown: ask the main loop, and run no further until
 * it has handled the request (QEMU's qemu_system_*_request do this). */
static int kvm_request(bool reset, ShutdownCause cause)
{
    bql_lock();
    if (reset) {
        qomu_system_reset_request(cause);
    } else {
        qomu_system_shutdown_request(cause);
    }
    cpu_stop_current();
    bql_unlock();
    return 1;
}

static int kvm_handle_system_event(KVMVCPU *v)
{
    switch (v->run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        return kvm_request(false, SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    case KVM_SYSTEM_EVENT_RESET:
        return kvm_request(true, SHUTDOWN_CAUSE_GUEST_RESET);
    case KVM_SYSTEM_EVENT_CRASH:
        return kvm_request(false, SHUTDOWN_CAUSE_GUEST_PANIC);
    default:
        error_printf("KVM: unknown system event %u\n",
                     v->run->system_event.type);
        return -1;
    }
}

/* QEMU's kvm_handle_internal_error, with its output. */
static int kvm_handle_internal_error(KVMVCPU *v)
{
    struct kvm_run *run = v->run;

    if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
        run->internal.ndata <= ARRAY_SIZE(run->internal.data) &&
        kvm_arch_handle_emulation_failure(v) == 0) {
        return 0;
    }
    error_printf("KVM internal error. Suberror: %d\n", run->internal.suberror);
    if (run->internal.ndata > ARRAY_SIZE(run->internal.data)) {
        return kvm_bad_exit(v, "KVM_EXIT_INTERNAL_ERROR");
    }
    for (uint32_t i = 0; i < run->internal.ndata; i++) {
        error_printf("extra data[%u]: 0x%016" PRIx64 "\n", i,
                     (uint64_t)run->internal.data[i]);
    }
    if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
        error_printf("emulation failure\n");
    }
    return -1;
}

int kvm_handle_exit(KVMVCPU *v)
{
    struct kvm_run *run = v->run;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return kvm_handle_io(v);
    case KVM_EXIT_MMIO:
        return kvm_handle_mmio(v);
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_INTR:
        return 0;
    case KVM_EXIT_HLT:
        /* Only without an in-kernel LAPIC, which qomu always creates:
         * nothing could wake this vCPU but a reset. */
        bql_lock();
        v->cpu->halted = true;
        bql_unlock();
        return 1;
    case KVM_EXIT_SHUTDOWN:             /* triple fault */
        return kvm_request(true, SHUTDOWN_CAUSE_GUEST_RESET);
    case KVM_EXIT_SYSTEM_EVENT:
        return kvm_handle_system_event(v);
    case KVM_EXIT_INTERNAL_ERROR:
        return kvm_handle_internal_error(v);
    case KVM_EXIT_FAIL_ENTRY:
        error_printf("KVM: entry failed, hardware error 0x%" PRIx64 "\n",
                     (uint64_t)run->fail_entry.hardware_entry_failure_reason);
        return -1;
    case KVM_EXIT_UNKNOWN:
        error_printf("KVM: unknown exit, hardware reason %" PRIx64 "\n",
                     (uint64_t)run->hw.hardware_exit_reason);
        return -1;
    default:
        error_printf("KVM: unknown exit reason %d\n", run->exit_reason);
        return -1;
    }
}

/* --- the run loop --------------------------------------------------------- */

/* After -EINTR: drop the kick so the next KVM_RUN enters the guest. */
static void kvm_eat_kick(KVMVCPU *v)
{
    static const struct timespec zero;
    sigset_t set;

    __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    sigemptyset(&set);
    sigaddset(&set, SIG_IPI);
    /* Standard signals do not queue: at most one is pending. */
    while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR) {
    }
}

/*
 * Run until exit_request, an exit that leaves the loop, or an error.
 * Big lock not held.  The hot path: one atomic load, KVM_RUN, the
 * dispatch; nothing allocates.  Returns 0, or -1 on an error (reported).
 */
static int kvm_run_loop(KVMVCPU *v)
{
    CPUState *cpu = v->cpu;

    for (;;) {
        int ret;

        if (__atomic_load_n(&cpu->exit_request, __ATOMIC_SEQ_CST)) {
            return 0;
        }
        ret = ioctl(v->fd, KVM_RUN, 0);
        if (ret < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                kvm_eat_kick(v);
                continue;
            }
            error_printf("error: kvm run failed %s\n", strerror(errno));
            return -1;
        }
        __atomic_store_n(&v->exits, v->exits + 1, __ATOMIC_RELAXED);
        ret = kvm_handle_exit(v);
        if (ret) {
            return ret < 0 ? -1 : 0;
        }
    }
}

/* One stint of guest execution (QEMU's kvm_cpu_exec).  Big lock held on
 * entry and exit, dropped in between. */
static void kvm_cpu_exec(KVMVCPU *v)
{
    CPUState *cpu = v->cpu;
    int ret = 0;

    if (v->reset_pending) {
        v->reset_pending = false;
        ret = kvm_arch_put_reset_state(v);
    }
    if (ret == 0) {
        bql_unlock();
        ret = kvm_run_loop(v);
        bql_lock();
    }
    __atomic_store_n(&cpu->exit_request, false, __ATOMIC_SEQ_CST);
    if (ret < 0) {
        kvm_arch_dump_state(v);
        /* Stop this vCPU whatever the run state (vm_stop pauses only a
         * running VM), then the others (QEMU's kvm_cpu_exec). */
        cpu_stop_current();
        vm_stop(RUN_STATE_INTERNAL_ERROR);
    }
}

/* --- creating the vCPU (in its thread) ------------------------------------ */

/* KVM unblocks SIG_IPI only while in KVM_RUN (the header says why). */
static int kvm_set_signal_mask(KVMVCPU *v)
{
    struct {
        struct kvm_signal_mask head;
        uint8_t set[8];                 /* the kernel's sigset: 64 bits */
    } mask = { .head.len = 8 };
    sigset_t set;

    pthread_sigmask(SIG_BLOCK, NULL, &set);
    sigdelset(&set, SIG_IPI);
    memcpy(mask.set, &set, sizeof(mask.set));
    return kvm_vcpu_ioctl(v, KVM_SET_SIGNAL_MASK, &mask);
}

/* QEMU's kvm_init_vcpu, with its messages. */
static bool kvm_create_vcpu(KVMVCPU *v, Error **errp)
{
    unsigned long id = v->cpu->apic_id;
    int ret;

    ret = ioctl(v->s->vmfd, KVM_CREATE_VCPU, id);
    if (ret < 0) {
        error_setg_errno(errp, errno,
                         "kvm_init_vcpu: kvm_get_vcpu failed (%lu)", id);
        return false;
    }
    v->fd = ret;
    v->run_size = v->s->vcpu_mmap_size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                  v->fd, 0);
    if (v->run == MAP_FAILED) {
        v->run = NULL;
        error_setg_errno(errp, errno,
                         "kvm_init_vcpu: mmap'ing vcpu state failed (%lu)",
                         id);
        return false;
    }
    ret = kvm_set_signal_mask(v);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "kvm_set_signal_mask");
        return false;
    }
    if (!kvm_arch_init_vcpu(v, errp)) {
        error_prepend(errp, "kvm_init_vcpu: kvm_arch_init_vcpu failed "
                      "(%lu): ", id);
        return false;
    }
    return true;
}

static void *kvm_vcpu_thread_fn(void *opaque)
{
    KVMVCPU *v = opaque;
    CPUState *cpu = v->cpu;

    current_cpu = cpu;
    if (!kvm_create_vcpu(v, &v->init_err)) {
        qomu_event_set(&cpu->created);  /* the creator reports init_err */
        return NULL;
    }
    qomu_event_set(&cpu->created);

    bql_lock();
    while (!cpu->unplug) {
        if (!cpu_should_wait(cpu)) {
            kvm_cpu_exec(v);
        }
        cpu_wait_io_event(cpu);
    }
    bql_unlock();
    current_cpu = NULL;
    return NULL;
}

/* --- the AccelClass hooks (main thread) ----------------------------------- */

static void kvm_ipi_handler(int sig)
{
    /* Never runs in a vCPU thread (SIG_IPI stays blocked there outside
     * KVM_RUN); installed so that a stray SIGUSR1 cannot kill us. */
}

static gpointer kvm_install_ipi_handler(gpointer unused)
{
    struct sigaction sa = { .sa_handler = kvm_ipi_handler };

    sigemptyset(&sa.sa_mask);
    sigaction(SIG_IPI, &sa, NULL);
    return NULL;
}

static void kvm_vcpu_free(KVMVCPU *v)
{
    if (v->run) {
        munmap(v->run, v->run_size);
    }
    if (v->fd >= 0) {
        close(v->fd);
    }
    g_free(v);
}

/* Make @v visible to kickers (who hold the big lock). */
static void kvm_vcpu_publish(CPUState *cpu, KVMVCPU *v)
{
    bool locked = bql_locked();

    if (!locked) {
        bql_lock();
    }
    cpu->thread_id = qomu_thread_get_tid(cpu->thread);
    cpu->accel = v;
    if (!locked) {
        bql_unlock();
    }
}

bool kvm_start_vcpu(AccelState *accel, CPUState *cpu, Error **errp)
{
    static GOnce ipi_once = G_ONCE_INIT;
    g_autofree char *name = g_strdup_printf("CPU %d/KVM", cpu->cpu_index);
    KVMVCPU *v = g_new0(KVMVCPU, 1);

    g_once(&ipi_once, kvm_install_ipi_handler, NULL);
    v->cpu = cpu;
    v->s = KVM_ACCEL(accel);
    v->fd = -1;
    v->reset_pending = true;
    qomu_event_reset(&cpu->created);
    cpu->thread = qomu_thread_create(name, kvm_vcpu_thread_fn, v, errp);
    if (!cpu->thread) {
        goto fail;
    }
    qomu_event_wait(&cpu->created);
    if (v->init_err) {
        error_propagate(errp, v->init_err);
        qomu_thread_join(cpu->thread);
        cpu->thread = NULL;
        goto fail;
    }
    /* Published only now: kickers use cpu->accel and v->run. */
    kvm_vcpu_publish(cpu, v);
    return true;

fail:
    kvm_vcpu_free(v);
    return false;
}

void kvm_kick_vcpu(AccelState *accel, CPUState *cpu)
{
    KVMVCPU *v = cpu->accel;

    if (!v || cpu == current_cpu) {
        /* not running yet, or ourselves: the loop checks exit_request
         * before each KVM_RUN */
        return;
    }
    if (v->s->immediate_exit) {
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    }
    syscall(SYS_tgkill, getpid(), cpu->thread_id, SIG_IPI);
}

void kvm_stop_vcpu(AccelState *accel, CPUState *cpu)
{
    KVMVCPU *v = cpu->accel;

    qomu_thread_join(cpu->thread);
    /* Kickers hold the big lock and test cpu->accel: unpublish first. */
    bql_lock();
    cpu->accel = NULL;
    bql_unlock();
    kvm_vcpu_free(v);
}

void kvm_reset_vcpu(AccelState *accel, CPUState *cpu)
{
    KVMVCPU *v = cpu->accel;

    assert(bql_locked());
    if (!v) {
        return;                         /* being torn down */
    }
    v->reset_pending = true;
    cpu_kick(cpu);                      /* applied before it next runs */
}
