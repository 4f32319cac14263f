/*
 * kvm-x86.c - the x86 half of the KVM accelerator (QEMU 7.2's
 * target/i386/kvm/kvm.c: kvm_arch_init, kvm_arch_init_vcpu,
 * kvm_arch_put_registers at reset level, x86_cpu_dump_state).
 *
 * Modelled: the identity map and TSS pages KVM needs on older Intel
 * hosts (QEMU's 0xfeffc000), the in-kernel irqchip (PIC, IOAPIC, LAPIC:
 * QEMU's kernel-irqchip=on, so APs wait for INIT/SIPI in the kernel),
 * KVM_GET_SUPPORTED_CPUID once per VM, per-vCPU KVM_SET_CPUID2 from
 * x86_cpu_build_cpuid(), and loading X86CPU.env at reset: GPRs, x87/SSE
 * control, segments and control registers, the MSRs a reset clears and
 * those firmware sets (MTRRs, IA32_MISC_ENABLE; the TSC starts at 0), the
 * LAPIC (reset values; virtual-wire mode on the BSP when no firmware will
 * run), the MP state, cleared pending events; and a few instructions
 * KVM's emulator fails on at CPL 0 where it runs all CPL-0 code (int3,
 * clac, stac, swapgs: kvm_arch_handle_emulation_failure).
 * Not modelled: xsave/XCR0, debug registers, TSC frequency, nested state,
 * Hyper-V, SMM, MSR save/restore (no migration).
 * Deviation: failures of the setup ioctls QEMU reports only as strerror
 * name the ioctl ("KVM_SET_TSS_ADDR: Invalid argument").
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "hw/i386/x86-cpu.h"
#include "kvm-internal.h"

#include <sys/ioctl.h>

typedef struct KVMX86State {
    X86CPUIDTable supported;    /* KVM_GET_SUPPORTED_CPUID */
    GArray *msr_list;           /* uint32_t: KVM_GET_MSR_INDEX_LIST */
} KVMX86State;

static int kvm_vm_ioctl_s(KVMState *s, unsigned long type, void *arg)
{
    int ret = ioctl(s->vmfd, type, arg);

    return ret == -1 ? -errno : ret;
}

/* --- VM setup ------------------------------------------------------------ */

static bool kvm_get_supported_cpuid(KVMState *s, X86CPUIDTable *t,
                                    Error **errp)
{
    g_autofree struct kvm_cpuid2 *c =
        g_malloc0(sizeof(*c) +
                  X86_CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    int ret;

    c->nent = X86_CPUID_MAX_ENTRIES;
    ret = kvm_ioctl(s, KVM_GET_SUPPORTED_CPUID, c);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "KVM_GET_SUPPORTED_CPUID");
        return false;
    }
    t->nent = MIN(c->nent, X86_CPUID_MAX_ENTRIES);
    for (unsigned i = 0; i < t->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];

        t->entries[i] = (X86CPUIDEntry) {
            .function = e->function, .index = e->index,
            .flags = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX ?
                     X86_CPUID_FLAG_SIGNIFICANT_INDEX : 0,
            .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
        };
    }
    return true;
}

/* The MSRs KVM saves and restores (QEMU's kvm_get_supported_msrs): the
 * paravirtual ones are written at reset only if listed. */
static bool kvm_get_msr_list(KVMState *s, KVMX86State *arch, Error **errp)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    g_autofree struct kvm_msr_list *list = NULL;
    int ret = kvm_ioctl(s, KVM_GET_MSR_INDEX_LIST, &probe);

    if (ret < 0 && ret != -E2BIG) {
        error_setg_errno(errp, -ret, "KVM_GET_MSR_INDEX_LIST");
        return false;
    }
    list = g_malloc0(sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
    list->nmsrs = probe.nmsrs;
    ret = kvm_ioctl(s, KVM_GET_MSR_INDEX_LIST, list);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "KVM_GET_MSR_INDEX_LIST");
        return false;
    }
    arch->msr_list = g_array_sized_new(false, false, sizeof(uint32_t),
                                       list->nmsrs);
    g_array_append_vals(arch->msr_list, list->indices, list->nmsrs);
    return true;
}

static bool kvm_has_msr(KVMState *s, uint32_t index)
{
    GArray *l = ((KVMX86State *)s->arch)->msr_list;

    for (guint i = 0; l && i < l->len; i++) {
        if (g_array_index(l, uint32_t, i) == index) {
            return true;
        }
    }
    return false;
}

bool kvm_arch_init(KVMState *s, Error **errp)
{
    uint64_t identity_base = KVM_IDENTITY_MAP_BASE;
    KVMX86State *arch = g_new0(KVMX86State, 1);
    int ret;

    s->arch = arch;
    /* QEMU: on Intel hosts without unrestricted guest, KVM runs real
     * mode in vm86 mode and needs these pages; harmless elsewhere. */
    if (kvm_check_extension(s, KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        ret = kvm_vm_ioctl_s(s, KVM_SET_IDENTITY_MAP_ADDR, &identity_base);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "KVM_SET_IDENTITY_MAP_ADDR");
            return false;
        }
    }
    ret = ioctl(s->vmfd, KVM_SET_TSS_ADDR, identity_base + 0x1000);
    if (ret < 0) {
        error_setg_errno(errp, errno, "KVM_SET_TSS_ADDR");
        return false;
    }
    ret = kvm_vm_ioctl_s(s, KVM_CREATE_IRQCHIP, NULL);
    if (ret < 0) {
        error_setg(errp, "Create kernel irqchip failed: %s", strerror(-ret));
        return false;
    }
    s->irqchip = true;
    return kvm_get_supported_cpuid(s, &arch->supported, errp) &&
           kvm_get_msr_list(s, arch, errp);
}

void kvm_arch_destroy(KVMState *s)
{
    KVMX86State *arch = s->arch;

    if (arch && arch->msr_list) {
        g_array_unref(arch->msr_list);
    }
    g_free(s->arch);
    s->arch = NULL;
}

/* --- vCPU setup ----------------------------------------------------------- */

bool kvm_arch_init_vcpu(KVMVCPU *v, Error **errp)
{
    KVMX86State *arch = v->s->arch;
    g_autofree X86CPUIDTable *t = g_new(X86CPUIDTable, 1);
    g_autofree struct kvm_cpuid2 *c = NULL;
    int ret;

    x86_cpu_build_cpuid(X86_CPU(v->cpu), &arch->supported, t);
    c = g_malloc0(sizeof(*c) + t->nent * sizeof(struct kvm_cpuid_entry2));
    c->nent = t->nent;
    for (unsigned i = 0; i < t->nent; i++) {
        const X86CPUIDEntry *e = &t->entries[i];

        c->entries[i] = (struct kvm_cpuid_entry2) {
            .function = e->function, .index = e->index,
            .flags = e->flags & X86_CPUID_FLAG_SIGNIFICANT_INDEX ?
                     KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
            .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
        };
    }
    ret = kvm_vcpu_ioctl(v, KVM_SET_CPUID2, c);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "KVM_SET_CPUID2");
        return false;
    }
    return true;
}

/* --- loading the reset state (QEMU's kvm_arch_put_registers) -------------- */

static int kvm_put_fail(KVMVCPU *v, const char *what, int ret)
{
    error_report("kvm_arch_put_registers: %s failed on CPU %d: %s", what,
                 v->cpu->cpu_index, strerror(-ret));
    return ret;
}

static int kvm_put_regs(KVMVCPU *v, const CPUX86State *env)
{
    const uint64_t *r = env->regs;
    struct kvm_regs regs = {
        .rax = r[R_EAX], .rbx = r[R_EBX], .rcx = r[R_ECX], .rdx = r[R_EDX],
        .rsi = r[R_ESI], .rdi = r[R_EDI], .rsp = r[R_ESP], .rbp = r[R_EBP],
        .r8 = r[8], .r9 = r[9], .r10 = r[10], .r11 = r[11],
        .r12 = r[12], .r13 = r[13], .r14 = r[14], .r15 = r[15],
        .rip = env->rip, .rflags = env->rflags,
    };
    struct kvm_fpu fpu = { .fcw = env->fpuc, .mxcsr = env->mxcsr };
    int ret = kvm_vcpu_ioctl(v, KVM_SET_REGS, &regs);

    if (ret < 0) {
        return kvm_put_fail(v, "KVM_SET_REGS", ret);
    }
    ret = kvm_vcpu_ioctl(v, KVM_SET_FPU, &fpu);     /* ftwx 0: all empty */
    return ret < 0 ? kvm_put_fail(v, "KVM_SET_FPU", ret) : 0;
}

static struct kvm_segment kvm_seg(const X86Segment *seg)
{
    return (struct kvm_segment) {
        .base = seg->base, .limit = seg->limit, .selector = seg->selector,
        .type = seg->type, .present = seg->present, .dpl = seg->dpl,
        .db = seg->db, .s = seg->s, .l = seg->l, .g = seg->g,
    };
}

static int kvm_put_sregs(KVMVCPU *v, const CPUX86State *env)
{
    struct kvm_sregs sregs = {
        .es = kvm_seg(&env->segs[R_ES]), .cs = kvm_seg(&env->segs[R_CS]),
        .ss = kvm_seg(&env->segs[R_SS]), .ds = kvm_seg(&env->segs[R_DS]),
        .fs = kvm_seg(&env->segs[R_FS]), .gs = kvm_seg(&env->segs[R_GS]),
        .tr = kvm_seg(&env->tr), .ldt = kvm_seg(&env->ldt),
        .gdt = { .base = env->gdt.base, .limit = env->gdt.limit },
        .idt = { .base = env->idt.base, .limit = env->idt.limit },
        .cr0 = env->cr[0], .cr2 = env->cr[2], .cr3 = env->cr[3],
        .cr4 = env->cr[4], .efer = env->efer, .apic_base = env->apic_base,
    };
    int ret = kvm_vcpu_ioctl(v, KVM_SET_SREGS, &sregs);

    return ret < 0 ? kvm_put_fail(v, "KVM_SET_SREGS", ret) : 0;
}

#define KVM_PUT_MSRS_MAX 64

typedef struct KVMMsrs {
    struct kvm_msrs head;
    struct kvm_msr_entry e[KVM_PUT_MSRS_MAX];
} KVMMsrs;

static void kvm_msr_add(KVMMsrs *m, uint32_t index, uint64_t data)
{
    assert(m->head.nmsrs < KVM_PUT_MSRS_MAX);
    m->e[m->head.nmsrs++] = (struct kvm_msr_entry) {
        .index = index, .data = data,
    };
}

/* The MSRs a guest programs that a reset must clear, and what firmware
 * would set (QEMU's kvm_put_msrs at reset level): SYSENTER/SYSCALL
 * state, PAT, the TSC (0, as QEMU's reset: all vCPUs in step), the
 * MTRRs and IA32_MISC_ENABLE (x86-cpu.h), and KVM's paravirtual MSRs
 * (kvmclock, async PF, PV EOI, steal time: off, or KVM would keep
 * writing into memory a rebooted guest has reused). */
static int kvm_put_msrs(KVMVCPU *v, const CPUX86State *env)
{
    static const uint32_t zeroed[] = {
        0x174, 0x175, 0x176,            /* IA32_SYSENTER_CS/ESP/EIP */
        0xc0000081, 0xc0000082,         /* STAR, LSTAR */
        0xc0000083, 0xc0000084,         /* CSTAR, FMASK */
        0xc0000102,                     /* KERNEL_GS_BASE */
        0x10,                           /* IA32_TSC */
    };
    static const uint32_t kvm_pv[] = {
        0x11, 0x12,                     /* MSR_KVM_WALL_CLOCK/SYSTEM_TIME */
        0x4b564d00, 0x4b564d01,         /* the same, "new" numbers */
        0x4b564d02, 0x4b564d03,         /* ASYNC_PF_EN, STEAL_TIME */
        0x4b564d04,                     /* PV_EOI_EN */
    };
    g_autofree KVMMsrs *msrs = g_new0(KVMMsrs, 1);
    int ret;

    for (size_t i = 0; i < ARRAY_SIZE(zeroed); i++) {
        kvm_msr_add(msrs, zeroed[i], 0);
    }
    kvm_msr_add(msrs, 0x277, env->pat);                 /* IA32_PAT */
    kvm_msr_add(msrs, X86_MSR_MISC_ENABLE, env->misc_enable);
    /* MTRRs: the ranges first, then the default type that enables them. */
    for (int i = 0; i < X86_MTRR_NR_FIXED; i++) {
        kvm_msr_add(msrs, x86_mtrr_fixed_msrs[i], env->mtrr_fixed[i]);
    }
    for (int i = 0; i < 2 * X86_MTRR_NR_VAR; i++) {
        kvm_msr_add(msrs, X86_MSR_MTRR_PHYSBASE0 + i, env->mtrr_var[i]);
    }
    kvm_msr_add(msrs, X86_MSR_MTRR_DEF_TYPE, env->mtrr_deftype);
    for (size_t i = 0; i < ARRAY_SIZE(kvm_pv); i++) {
        if (kvm_has_msr(v->s, kvm_pv[i])) {
            kvm_msr_add(msrs, kvm_pv[i], 0);
        }
    }
    ret = kvm_vcpu_ioctl(v, KVM_SET_MSRS, msrs);
    if (ret >= 0 && ret < (int)msrs->head.nmsrs) {
        error_report("kvm_arch_put_registers: MSR 0x%x refused on CPU %d",
                     msrs->e[ret].index, v->cpu->cpu_index);
        return -EINVAL;
    }
    return ret < 0 ? kvm_put_fail(v, "KVM_SET_MSRS", ret) : 0;
}

#define APIC_LVT_MASKED 0x10000u

/* LAPIC registers are 32 bits at 16-byte strides of a char array. */
static uint32_t apic_get(const struct kvm_lapic_state *l, unsigned off)
{
    uint32_t val;

    memcpy(&val, &l->regs[off], sizeof(val));
    return val;
}

static void apic_set(struct kvm_lapic_state *l, unsigned off, uint32_t val)
{
    memcpy(&l->regs[off], &val, sizeof(val));
}

/* The LAPIC's power-up register values (SDM vol. 3, 11.4.7.1), and the
 * virtual-wire mode firmware would set up on the BSP: LINT0 ExtINT (the
 * 8259's output), LINT1 NMI, software enabled. */
static int kvm_put_lapic(KVMVCPU *v, const CPUX86State *env)
{
    struct kvm_lapic_state lapic;
    uint32_t version;
    int ret = kvm_vcpu_ioctl(v, KVM_GET_LAPIC, &lapic);

    if (ret < 0) {
        return kvm_put_fail(v, "KVM_GET_LAPIC", ret);
    }
    version = apic_get(&lapic, 0x30);
    memset(&lapic, 0, sizeof(lapic));
    apic_set(&lapic, 0x20, v->cpu->apic_id << 24);     /* ID */
    apic_set(&lapic, 0x30, version);
    apic_set(&lapic, 0xe0, 0xffffffff);                /* DFR: flat */
    apic_set(&lapic, 0xf0, 0xff);                      /* SVR: disabled */
    for (unsigned off = 0x320; off <= 0x370; off += 0x10) {
        apic_set(&lapic, off, APIC_LVT_MASKED);        /* LVTs */
    }
    if (env->lapic_virtual_wire) {
        apic_set(&lapic, 0xf0, 0x1ff);
        apic_set(&lapic, 0x350, 0x700);                /* LINT0: ExtINT */
        apic_set(&lapic, 0x360, 0x400);                /* LINT1: NMI */
    }
    ret = kvm_vcpu_ioctl(v, KVM_SET_LAPIC, &lapic);
    return ret < 0 ? kvm_put_fail(v, "KVM_SET_LAPIC", ret) : 0;
}

static int kvm_put_mp_state_events(KVMVCPU *v, const CPUX86State *env)
{
    struct kvm_mp_state mp = {
        .mp_state = env->wait_for_sipi ? KVM_MP_STATE_UNINITIALIZED
                                       : KVM_MP_STATE_RUNNABLE,
    };
    /* No exception, interrupt or NMI left over from before the reset (a
     * triple fault leaves one). */
    struct kvm_vcpu_events events = {
        .flags = KVM_VCPUEVENT_VALID_NMI_PENDING,
    };
    int ret = kvm_vcpu_ioctl(v, KVM_SET_MP_STATE, &mp);

    if (ret < 0) {
        return kvm_put_fail(v, "KVM_SET_MP_STATE", ret);
    }
    ret = kvm_vcpu_ioctl(v, KVM_SET_VCPU_EVENTS, &events);
    return ret < 0 ? kvm_put_fail(v, "KVM_SET_VCPU_EVENTS", ret) : 0;
}

int kvm_arch_put_reset_state(KVMVCPU *v)
{
    CPUState *cpu = v->cpu;
    const CPUX86State *env = &X86_CPU(cpu)->env;
    int ret;

    assert(bql_locked());
    CPU_GET_CLASS(cpu)->cpu_reset(cpu);
    ret = kvm_put_regs(v, env);
    if (!ret) {
        ret = kvm_put_sregs(v, env);
    }
    if (!ret) {
        ret = kvm_put_msrs(v, env);
    }
    if (!ret && v->s->irqchip) {
        ret = kvm_put_lapic(v, env);
    }
    if (!ret) {
        ret = kvm_put_mp_state_events(v, env);
    }
    return ret;
}

/* --- instructions KVM's emulator gives up on ----------------------------- */

/*
 * On the hosts qomu is tested on, guest code at CPL 0 runs in KVM's
 * instruction emulator (docs GUEST.md), whose tables lack a few
 * instructions every Linux boot executes: `int3` (it cannot deliver an
 * exception outside real mode; int3_selftest() runs one), `swapgs`
 * (every entry from and exit to user space), and what Linux patches in
 * for CPU features - which it sees here whatever KVM_SET_CPUID2 said,
 * as CPL-0 `cpuid` shows the host's: `clac`/`stac` (SMAP), `popcnt`
 * (hweight), `rd/wr{fs,gs}base` (FSGSBASE, context switches).  Each ends
 * in KVM_EXIT_INTERNAL_ERROR (emulation failure) with the instruction's
 * bytes.  Their effect at CPL 0 is simple, so the VMM completes them
 * (SDM vol. 2), register forms only, as Linux uses them:
 *   int3          #BP, a trap: RIP past the 0xcc, then vector 3 injected;
 *   clac, stac    RFLAGS.AC = 0 / 1 (with CR4.SMAP; else #UD: left alone);
 *   swapgs        GS.base <-> IA32_KERNEL_GS_BASE (64-bit mode);
 *   popcnt r, r   [F3] [REX] 0F B8 /r: bit count, ZF if the source is 0,
 *                 the other arithmetic flags clear;
 *   rdfsbase .. wrgsbase   F3 [REX] 0F AE /0../3, mod 3 (64-bit mode,
 *                 CR4.FSGSBASE);
 *   fwait         nothing, unless CR0.TS and MP (#NM) or an unmasked x87
 *                 exception is pending (#MF): those are left alone;
 *   ldmxcsr, stmxcsr m32   [REX] 0F AE /2, /3 (kernel_fpu_begin): any
 *                 64-bit ModRM memory operand (SIB, RIP-relative, FS/GS
 *                 override) within one page, translated with
 *                 KVM_TRANSLATE (CR4.OSFXSR, CR0.EM/TS clear; reserved
 *                 MXCSR bits: #GP, left alone).
 * Anything else (or any of these at CPL 3, which the CPU runs itself)
 * stays an error.  QEMU has no such path; where the CPU runs the
 * guest's kernel code, it never runs.
 */
#define X86_RFLAGS_AC       (1u << 18)
#define X86_RFLAGS_ARITH    0x8d5u      /* CF PF AF ZF SF OF */
#define X86_RFLAGS_ZF       (1u << 6)
#define X86_CR0_MP_BIT      (1u << 1)
#define X86_CR0_TS_BIT      (1u << 3)
#define X86_CR4_FSGSBASE    (1u << 16)
#define X86_CR4_SMAP        (1u << 21)
#define MSR_KERNEL_GS_BASE  0xc0000102

/* The GPR numbered @n in ModRM/REX order (rax, rcx, rdx, rbx, rsp, rbp,
 * rsi, rdi, r8..r15). */
static uint64_t *kvm_gpr(struct kvm_regs *r, unsigned n)
{
    uint64_t *const gprs[16] = {
        (uint64_t *)&r->rax, (uint64_t *)&r->rcx, (uint64_t *)&r->rdx,
        (uint64_t *)&r->rbx, (uint64_t *)&r->rsp, (uint64_t *)&r->rbp,
        (uint64_t *)&r->rsi, (uint64_t *)&r->rdi, (uint64_t *)&r->r8,
        (uint64_t *)&r->r9, (uint64_t *)&r->r10, (uint64_t *)&r->r11,
        (uint64_t *)&r->r12, (uint64_t *)&r->r13, (uint64_t *)&r->r14,
        (uint64_t *)&r->r15,
    };

    return gprs[n & 15];
}

/* Write @val to a GPR with @bytes operand size: 4 zero-extends (64-bit
 * mode), 2 keeps the upper bits. */
static void kvm_gpr_write(uint64_t *reg, uint64_t val, unsigned bytes)
{
    if (bytes == 8) {
        *reg = val;
    } else if (bytes == 4) {
        *reg = (uint32_t)val;
    } else {
        *reg = (*reg & ~UINT64_C(0xffff)) | (uint16_t)val;
    }
}

#define X86_CR0_EM_BIT      (1u << 2)
#define X86_CR4_OSFXSR      (1u << 9)

/*
 * The address of a ModRM memory operand in 64-bit mode (SDM vol. 2,
 * 2.1.5 and 2.2.1.6): @p is the ModRM byte, @avail bytes from it, @rex
 * the REX prefix (or 0), @seg_base an FS/GS override's base (or 0); the
 * instruction starts at @insn_start with @prefix_len bytes before @p and
 * @tail bytes of immediate after the operand (RIP-relative addresses
 * count from its end).  Returns the bytes consumed from @p
 * (ModRM, SIB, displacement), 0 for a register operand or a short
 * buffer.
 */
static unsigned kvm_decode_ea(const uint8_t *p, unsigned avail, unsigned rex,
                              const struct kvm_regs *regs, uint64_t seg_base,
                              uint64_t insn_start, unsigned prefix_len,
                              unsigned tail, uint64_t *ea)
{
    unsigned mod = p[0] >> 6, rm = p[0] & 7, n = 1;
    uint64_t addr = 0;
    int64_t disp = 0;
    bool rip_rel = false;

    if (mod == 3) {
        return 0;
    }
    if (rm == 4) {                                      /* SIB */
        unsigned sib, index, base;

        if (avail < 2) {
            return 0;
        }
        sib = p[1];
        index = ((sib >> 3) & 7) | (rex & 2) << 2;
        base = (sib & 7) | (rex & 1) << 3;
        n = 2;
        if (index != 4) {
            addr = *kvm_gpr((struct kvm_regs *)regs, index) << (sib >> 6);
        }
        if ((sib & 7) == 5 && mod == 0) {
            mod = 2;                                    /* disp32, no base */
        } else {
            addr += *kvm_gpr((struct kvm_regs *)regs, base);
        }
    } else if (rm == 5 && mod == 0) {
        rip_rel = true;
        mod = 2;
    } else {
        addr = *kvm_gpr((struct kvm_regs *)regs, rm | (rex & 1) << 3);
    }
    if (mod == 1) {
        if (avail < n + 1) {
            return 0;
        }
        disp = (int8_t)p[n];
        n += 1;
    } else if (mod == 2) {
        if (avail < n + 4) {
            return 0;
        }
        disp = (int32_t)(p[n] | p[n + 1] << 8 | p[n + 2] << 16 |
                         (uint32_t)p[n + 3] << 24);
        n += 4;
    }
    if (rip_rel) {
        addr = insn_start + prefix_len + n + tail;
    }
    *ea = addr + disp + seg_base;
    return n;
}

/* Guest-virtual @len bytes at @gva, within one page: read or write. */
static int kvm_guest_virt_rw(KVMVCPU *v, uint64_t gva, void *buf,
                             unsigned len, bool is_write)
{
    struct kvm_translation tr = { .linear_address = gva };

    if ((gva & 0xfff) + len > 0x1000 ||
        kvm_vcpu_ioctl(v, KVM_TRANSLATE, &tr) < 0 || !tr.valid ||
        (is_write && !tr.writeable)) {
        return -1;
    }
    return address_space_rw(v->s->as_memory, tr.physical_address, buf, len,
                            is_write) == MEMTX_OK ? 0 : -1;
}

/* ldmxcsr/stmxcsr m32 (0F AE /2, /3) after @plen prefix bytes; returns
 * the instruction's length or 0. */
static unsigned kvm_emulate_mxcsr(KVMVCPU *v, const uint8_t *insn,
                                  unsigned size, struct kvm_regs *regs,
                                  const struct kvm_sregs *sregs)
{
    g_autofree struct kvm_xsave *xs = g_new0(struct kvm_xsave, 1);
    unsigned i = 0, rex = 0, n, op;
    uint64_t seg_base = 0, ea;
    uint32_t val;

    for (; i < size && (insn[i] == 0x64 || insn[i] == 0x65); i++) {
        seg_base = insn[i] == 0x64 ? sregs->fs.base : sregs->gs.base;
    }
    if (i < size && (insn[i] & 0xf0) == 0x40) {
        rex = insn[i++];
    }
    if (!sregs->cs.l || i + 3 > size || insn[i] != 0x0f ||
        insn[i + 1] != 0xae) {
        return 0;
    }
    op = (insn[i + 2] >> 3) & 7;
    if ((op != 2 && op != 3) || !(sregs->cr4 & X86_CR4_OSFXSR) ||
        (sregs->cr0 & (X86_CR0_EM_BIT | X86_CR0_TS_BIT))) {
        return 0;
    }
    n = kvm_decode_ea(insn + i + 2, size - i - 2, rex, regs, seg_base,
                      regs->rip, i + 2, 0, &ea);
    /* MXCSR through KVM_GET/SET_XSAVE (the FXSAVE area's word at byte
     * 24): KVM_GET/SET_FPU's mxcsr is not the guest's on every host. */
    if (!n || kvm_vcpu_ioctl(v, KVM_GET_XSAVE, xs) < 0) {
        return 0;
    }
    if (op == 2) {                                      /* ldmxcsr */
        if (kvm_guest_virt_rw(v, ea, &val, 4, false) < 0 ||
            (GUINT32_FROM_LE(val) & ~UINT32_C(0xffff))) {
            return 0;
        }
        xs->region[6] = GUINT32_FROM_LE(val);
        /* XSTATE_BV (byte 512): MXCSR is taken only with SSE state. */
        xs->region[128] |= 1u << 1;
        if (kvm_vcpu_ioctl(v, KVM_SET_XSAVE, xs) < 0) {
            return 0;
        }
    } else {                                            /* stmxcsr */
        /* Without SSE/AVX state in XSTATE_BV, MXCSR is its init value. */
        val = GUINT32_TO_LE(xs->region[128] & 6 ? xs->region[6] : 0x1f80);
        if (kvm_guest_virt_rw(v, ea, &val, 4, true) < 0) {
            return 0;
        }
    }
    return i + 2 + n;
}

/*
 * The register forms of popcnt and rd/wr{fs,gs}base, in 64-bit mode:
 * [66] F3 [REX] 0F (B8|AE) ModRM(mod 3).  Returns the instruction's
 * length, or 0 if it is not one of them.  @sregs may be updated (FS/GS
 * base); the caller writes regs and sregs back.
 */
static unsigned kvm_emulate_f3_0f(const uint8_t *insn, unsigned size,
                                  struct kvm_regs *regs,
                                  struct kvm_sregs *sregs, bool *sregs_dirty)
{
    unsigned i = 0, rex = 0, opsize = 4, modrm, reg, rm;
    bool rep = false;
    uint64_t src, val;

    for (; i < size && (insn[i] == 0x66 || insn[i] == 0xf3); i++) {
        rep |= insn[i] == 0xf3;
        opsize = insn[i] == 0x66 ? 2 : opsize;
    }
    if (i < size && (insn[i] & 0xf0) == 0x40) {
        rex = insn[i++];
    }
    if (!rep || !sregs->cs.l || i + 3 > size || insn[i] != 0x0f ||
        (insn[i + 2] & 0xc0) != 0xc0) {
        return 0;
    }
    opsize = rex & 8 ? 8 : opsize;
    modrm = insn[i + 2];
    reg = ((modrm >> 3) & 7) | (rex & 4) << 1;
    rm = (modrm & 7) | (rex & 1) << 3;
    if (insn[i + 1] == 0xb8) {                          /* popcnt */
        src = *kvm_gpr(regs, rm);
        src &= opsize == 8 ? UINT64_MAX : opsize == 4 ? UINT32_MAX : 0xffff;
        val = __builtin_popcountll(src);
        kvm_gpr_write(kvm_gpr(regs, reg), val, opsize);
        regs->rflags &= ~(uint64_t)X86_RFLAGS_ARITH;
        regs->rflags |= src ? 0 : X86_RFLAGS_ZF;
        return i + 3;
    }
    if (insn[i + 1] == 0xae && ((modrm >> 3) & 7) <= 3 && opsize != 2 &&
        (sregs->cr4 & X86_CR4_FSGSBASE)) {              /* rd/wr{fs,gs}base */
        unsigned op = (modrm >> 3) & 7;
        struct kvm_segment *seg = op & 1 ? &sregs->gs : &sregs->fs;
        uint64_t *r = kvm_gpr(regs, rm);

        if (op < 2) {
            kvm_gpr_write(r, seg->base, opsize);
        } else {
            seg->base = opsize == 8 ? *r : (uint32_t)*r;
            *sregs_dirty = true;
        }
        return i + 3;
    }
    return 0;
}

static int kvm_emulate_swapgs(KVMVCPU *v, struct kvm_sregs *sregs)
{
    struct {
        struct kvm_msrs head;
        struct kvm_msr_entry e;
    } msr = { .head.nmsrs = 1, .e.index = MSR_KERNEL_GS_BASE };
    uint64_t gs_base = sregs->gs.base;

    if (!sregs->cs.l || kvm_vcpu_ioctl(v, KVM_GET_MSRS, &msr) != 1) {
        return -1;
    }
    sregs->gs.base = msr.e.data;
    msr.e.data = gs_base;
    if (kvm_vcpu_ioctl(v, KVM_SET_MSRS, &msr) != 1 ||
        kvm_vcpu_ioctl(v, KVM_SET_SREGS, sregs) < 0) {
        return -1;
    }
    return 0;
}

int kvm_arch_handle_emulation_failure(KVMVCPU *v)
{
    struct kvm_run *run = v->run;
    const uint8_t *insn = run->emulation_failure.insn_bytes;
    unsigned size = run->emulation_failure.insn_size;
    struct kvm_vcpu_events events;
    struct kvm_sregs sregs;
    struct kvm_regs regs;

    if (run->emulation_failure.ndata < 3 ||
        !(run->emulation_failure.flags &
          KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) ||
        size < 1 || size > sizeof(run->emulation_failure.insn_bytes) ||
        kvm_vcpu_ioctl(v, KVM_GET_REGS, &regs) < 0 ||
        kvm_vcpu_ioctl(v, KVM_GET_SREGS, &sregs) < 0 ||
        sregs.cs.dpl != 0) {
        return -1;
    }
    if (insn[0] == 0xcc) {                              /* int3 */
        if (kvm_vcpu_ioctl(v, KVM_GET_VCPU_EVENTS, &events) < 0 ||
            events.exception.injected || events.exception.pending) {
            return -1;
        }
        regs.rip += 1;
        events.exception.injected = 1;
        events.exception.nr = 3;                        /* #BP */
        events.exception.has_error_code = 0;
        events.flags = 0;               /* leave NMI/SIPI/SMM state be */
        if (kvm_vcpu_ioctl(v, KVM_SET_REGS, &regs) < 0 ||
            kvm_vcpu_ioctl(v, KVM_SET_VCPU_EVENTS, &events) < 0) {
            return -1;
        }
    } else if (size >= 3 && insn[0] == 0x0f && insn[1] == 0x01 &&
               (insn[2] == 0xca || insn[2] == 0xcb) &&
               (sregs.cr4 & X86_CR4_SMAP)) {            /* clac, stac */
        regs.rflags = insn[2] == 0xcb ? regs.rflags | X86_RFLAGS_AC
                                      : regs.rflags & ~X86_RFLAGS_AC;
        regs.rip += 3;
        if (kvm_vcpu_ioctl(v, KVM_SET_REGS, &regs) < 0) {
            return -1;
        }
    } else if (insn[0] == 0x9b) {                       /* fwait */
        struct kvm_fpu fpu;

        if ((sregs.cr0 & (X86_CR0_TS_BIT | X86_CR0_MP_BIT)) ==
            (X86_CR0_TS_BIT | X86_CR0_MP_BIT) ||
            kvm_vcpu_ioctl(v, KVM_GET_FPU, &fpu) < 0 ||
            (fpu.fsw & 0x80)) {                         /* FSW.ES */
            return -1;
        }
        regs.rip += 1;
        if (kvm_vcpu_ioctl(v, KVM_SET_REGS, &regs) < 0) {
            return -1;
        }
    } else if (size >= 3 && insn[0] == 0x0f && insn[1] == 0x01 &&
               insn[2] == 0xf8) {                       /* swapgs */
        if (kvm_emulate_swapgs(v, &sregs) < 0) {
            return -1;
        }
        regs.rip += 3;
        if (kvm_vcpu_ioctl(v, KVM_SET_REGS, &regs) < 0) {
            return -1;
        }
    } else {
        bool sregs_dirty = false;
        unsigned len = kvm_emulate_f3_0f(insn, size, &regs, &sregs,
                                         &sregs_dirty);

        if (!len) {
            len = kvm_emulate_mxcsr(v, insn, size, &regs, &sregs);
        }
        if (!len) {
            return -1;
        }
        regs.rip += len;
        if ((sregs_dirty && kvm_vcpu_ioctl(v, KVM_SET_SREGS, &sregs) < 0) ||
            kvm_vcpu_ioctl(v, KVM_SET_REGS, &regs) < 0) {
            return -1;
        }
    }
    v->emulated_insns++;
    return 0;
}

/* --- QEMU's x86_cpu_dump_state (for KVM internal errors) ------------------ */

/* A segment in QEMU's dump format: selector base limit flags. */
static void dump_seg(const char *name, const struct kvm_segment *seg)
{
    uint32_t flags = seg->type << 8 | seg->s << 12 | seg->dpl << 13 |
                     seg->present << 15 | seg->avl << 20 | seg->l << 21 |
                     seg->db << 22 | seg->g << 23;

    error_printf("%-3s=%04x %016" PRIx64 " %08x %08x\n", name,
                 seg->selector, (uint64_t)seg->base, seg->limit, flags);
}

void kvm_arch_dump_state(KVMVCPU *v)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    uint64_t fl;

    if (kvm_vcpu_ioctl(v, KVM_GET_REGS, &r) < 0 ||
        kvm_vcpu_ioctl(v, KVM_GET_SREGS, &s) < 0) {
        error_printf("(CPU %d: registers unavailable: %s)\n",
                     v->cpu->cpu_index, strerror(errno));
        return;
    }
    fl = r.rflags;
    error_printf("RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
                 "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n"
                 "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
                 "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
                 r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp,
                 r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15);
    error_printf("RIP=%016llx RFL=%08llx [%c%c%c%c%c%c%c] CPL=%d\n",
                 r.rip, r.rflags, fl & 0x400 ? 'D' : '-',
                 fl & 0x800 ? 'O' : '-', fl & 0x80 ? 'S' : '-',
                 fl & 0x40 ? 'Z' : '-', fl & 0x10 ? 'A' : '-',
                 fl & 0x4 ? 'P' : '-', fl & 0x1 ? 'C' : '-', s.cs.dpl);
    dump_seg("ES", &s.es);
    dump_seg("CS", &s.cs);
    dump_seg("SS", &s.ss);
    dump_seg("DS", &s.ds);
    dump_seg("FS", &s.fs);
    dump_seg("GS", &s.gs);
    dump_seg("LDT", &s.ldt);
    dump_seg("TR", &s.tr);
    error_printf("GDT=     %016llx %08x\nIDT=     %016llx %08x\n",
                 s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
    error_printf("CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx\n"
                 "EFER=%016llx\n", s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}
