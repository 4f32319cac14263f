/*
 * x86-cpu.c - TYPE_X86_CPU and its models (QEMU 7.2's target/i386/cpu.c:
 * x86_cpu_realizefn, x86_cpu_reset, the type registration).
 *
 * Modelled: the abstract "x86_64-cpu", "qemu64-x86_64-cpu" and
 * "host-x86_64-cpu"; properties "apic-id", "cx16", "check"; the
 * architectural reset state (SDM vol. 3, 9.1.1 "Processor State After
 * Reset") as QEMU sets it, the entry states of the loaders (Multiboot,
 * Linux 32/64-bit, PVH) for the BSP, and with a loader the MTRRs
 * firmware would set (SeaBIOS's).
 * Not modelled: other models, "enforce", feature properties other than
 * "cx16", socket/core/thread-id properties, hotplug, SMM, MSRs beyond
 * IA32_APIC_BASE, IA32_PAT, the MTRRs and IA32_MISC_ENABLE, DR6/DR7 and
 * XCR0 (left to KVM's reset values).  The CPUID a model shows: x86-cpuid.c.
 */
#include "util/osdep.h"
#include "accel/kvm.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/x86-boot.h"
#include "machine/machine.h"
#include "x86-cpu-internal.h"

/* --- reset state ------------------------------------------------------- */

/* A segment as QEMU's cpu_x86_load_seg_cache leaves it in real mode. */
static X86Segment real_mode_seg(uint16_t selector, uint8_t type)
{
    return (X86Segment) {
        .selector = selector, .base = (uint64_t)selector << 4,
        .limit = 0xffff, .type = type, .present = true, .s = true,
    };
}

/* A flat 4 GiB 32-bit segment (Multiboot spec 3.2, "Machine state"). */
static X86Segment flat32_seg(uint16_t selector, uint8_t type)
{
    return (X86Segment) {
        .selector = selector, .limit = 0xffffffff, .type = type,
        .present = true, .s = true, .db = true, .g = true,
    };
}

/* 32-bit entry (Multiboot v1, Linux 32-bit, PVH).  Multiboot: the CS/DS
 * selectors are ours to choose (the guest must load its own GDT before
 * reloading a segment register); Linux and PVH bring a GDT (bs->gdt_*)
 * whose selectors bs->cs/ds name. */
static void x86_cpu_boot_protected32(CPUX86State *env,
                                     const X86BootState *bs)
{
    env->segs[R_CS] = flat32_seg(bs->cs ?: 0x08, 0xb); /* exec/read, acc. */
    for (int i = 0; i < X86_NR_SEGS; i++) {
        if (i != R_CS) {
            env->segs[i] = flat32_seg(bs->ds ?: 0x10, 0x3); /* r/w, acc. */
        }
    }
    if (bs->gdt_limit) {
        env->gdt.base = bs->gdt_base;
        env->gdt.limit = bs->gdt_limit;
    }
    if (bs->pvh_tr) {
        /* The PVH ABI: "TR: must be a 32-bit TSS (active) with a base of
         * '0' and a limit of '0x67'". */
        env->tr = (X86Segment) { .limit = 0x67, .type = 11,
                                 .present = true };
    }
    /* Firmware would have enabled the caches: CD and NW clear. */
    env->cr[0] = X86_CR0_PE | X86_CR0_ET;
    env->rip = bs->eip;
    env->regs[R_EAX] = bs->eax;
    env->regs[R_EBX] = bs->ebx;
    env->regs[R_ESI] = bs->esi;
    if (bs->esp) {
        env->regs[R_ESP] = bs->esp;
    }
    env->lapic_virtual_wire = true;
}

#define X86_CR0_PG      (1u << 31)
#define X86_CR4_PAE     (1u << 5)
#define X86_EFER_LME    (1u << 8)
#define X86_EFER_LMA    (1u << 10)

/* Linux 64-bit entry (Documentation/x86/boot.rst, "64-bit Boot
 * Protocol"): long mode with the loader's identity page tables and GDT,
 * CS = __BOOT_CS (64-bit code), DS/ES/SS = __BOOT_DS (flat), interrupts
 * off, RSI = the zero page. */
static void x86_cpu_boot_long64(CPUX86State *env, const X86BootState *bs)
{
    x86_cpu_boot_protected32(env, bs);
    env->segs[R_CS].db = false;                 /* L=1 requires D=0 */
    env->segs[R_CS].l = true;
    env->cr[0] = X86_CR0_PG | X86_CR0_PE | X86_CR0_ET;
    env->cr[3] = bs->cr3;
    env->cr[4] = X86_CR4_PAE;
    env->efer = X86_EFER_LME | X86_EFER_LMA;
    /* A 64-bit busy TSS for TR (VM entry checks it in long mode). */
    env->tr = (X86Segment) { .limit = 0x67, .type = 11, .present = true };
}

/* --- MSRs firmware sets up ---------------------------------------------- */

const uint32_t x86_mtrr_fixed_msrs[X86_MTRR_NR_FIXED] = {
    0x250,                              /* FIX64K_00000 */
    0x258, 0x259,                       /* FIX16K_80000, FIX16K_A0000 */
    0x268, 0x269, 0x26a, 0x26b,         /* FIX4K_C0000 .. FIX4K_D8000 */
    0x26c, 0x26d, 0x26e, 0x26f,         /* FIX4K_E0000 .. FIX4K_F8000 */
};

#define MTRR_TYPE_UC    0
#define MTRR_TYPE_WP    5
#define MTRR_TYPE_WB    6
#define MTRR_DEF_TYPE_E     (1u << 11)  /* MTRRs enabled */
#define MTRR_DEF_TYPE_FE    (1u << 10)  /* fixed ranges enabled */
#define MTRR_PHYSMASK_V     (1u << 11)
/* SeaBIOS's BUILD_PCIMEM_START: the UC range for the PCI hole. */
#define MTRR_PCI_HOLE_START UINT64_C(0xe0000000)
#define MTRR_PHYS_BITS      40          /* qemu64's CPUID.80000008H */

/* One fixed-range MTRR: 8 ranges of @unit bytes from @base, each @type if
 * RAM (@ram_size bytes from 0) covers it, else UC (SeaBIOS's rule). */
static uint64_t mtrr_fixed_value(uint64_t ram_size, uint64_t base,
                                 uint64_t unit, uint8_t type)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        if (ram_size >= base + unit * (i + 1)) {
            v |= (uint64_t)type << (8 * i);
        }
    }
    return v;
}

/* What SeaBIOS's mtrr_setup() writes on every CPU: WB below 640 KiB,
 * UC for the VGA window, WP for the option ROM/BIOS area, variable range
 * 0 UC over the 512 MiB below 4 GiB (the PCI hole), default type WB with
 * fixed and variable ranges enabled (0xc06). */
static void x86_cpu_firmware_msrs(CPUX86State *env)
{
    MachineState *ms = current_machine_get();
    uint64_t ram = ms ? ms->ram_size : UINT64_MAX;
    uint64_t phys_mask = (UINT64_C(1) << MTRR_PHYS_BITS) - 1;

    env->mtrr_fixed[0] = mtrr_fixed_value(ram, 0, 0x10000, MTRR_TYPE_WB);
    env->mtrr_fixed[1] = mtrr_fixed_value(ram, 0x80000, 0x4000,
                                          MTRR_TYPE_WB);
    env->mtrr_fixed[2] = 0;                     /* 0xa0000: uncached */
    for (int j = 0; j < 8; j++) {
        env->mtrr_fixed[3 + j] = mtrr_fixed_value(ram, 0xc0000 + j * 0x8000,
                                                  0x1000, MTRR_TYPE_WP);
    }
    env->mtrr_var[0] = MTRR_PCI_HOLE_START | MTRR_TYPE_UC;
    env->mtrr_var[1] = (-((UINT64_C(1) << 32) - MTRR_PCI_HOLE_START) &
                        phys_mask) | MTRR_PHYSMASK_V;
    env->mtrr_deftype = MTRR_DEF_TYPE_E | MTRR_DEF_TYPE_FE | MTRR_TYPE_WB;
}

void x86_cpu_reset_state(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    bool bsp = CPU(cpu)->apic_id == 0;
    const X86BootState *bs = x86_boot_state();
    uint32_t version = env->cpuid_version;

    memset(env, 0, sizeof(*env));
    env->cpuid_version = version;
    env->cr[0] = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;     /* 0x60000010 */
    env->idt.limit = 0xffff;
    env->gdt.limit = 0xffff;
    env->ldt = (X86Segment) { .limit = 0xffff, .type = 2, .present = true };
    /* a busy 32-bit TSS, as QEMU's reset leaves TR */
    env->tr = (X86Segment) { .limit = 0xffff, .type = 11, .present = true };
    env->segs[R_CS] = real_mode_seg(0xf000, 0xb);
    env->segs[R_CS].base = 0xffff0000;          /* the reset vector page */
    for (int i = 0; i < X86_NR_SEGS; i++) {
        if (i != R_CS) {
            env->segs[i] = real_mode_seg(0, 0x3);
        }
    }
    env->rip = 0xfff0;
    env->regs[R_EDX] = env->cpuid_version;
    env->rflags = 0x2;
    env->fpuc = 0x37f;
    env->mxcsr = 0x1f80;
    env->pat = 0x0007040600070406ULL;
    env->apic_base = X86_APIC_DEFAULT_ADDR | X86_APICBASE_ENABLE |
                     (bsp ? X86_APICBASE_BSP : 0);
    env->misc_enable = X86_MISC_ENABLE_FAST_STRING;
    env->wait_for_sipi = !bsp;
    if (bs->mode != X86_BOOT_RESET) {
        x86_cpu_firmware_msrs(env);
    }
    if (bsp && bs->mode == X86_BOOT_PROTECTED32) {
        x86_cpu_boot_protected32(env, bs);
    } else if (bsp && bs->mode == X86_BOOT_LONG64) {
        x86_cpu_boot_long64(env, bs);
    }
}

static void x86_cpu_reset_hook(CPUState *cs)
{
    x86_cpu_reset_state(X86_CPU(cs));
}

/* --- topology ----------------------------------------------------------- */

uint32_t x86_apicid_from_cpu_idx(unsigned dies, unsigned cores,
                                 unsigned threads, unsigned cpu_index)
{
    unsigned core_offset = apicid_bitwidth(threads);
    unsigned die_offset = core_offset + apicid_bitwidth(cores);
    unsigned pkg_offset = die_offset + apicid_bitwidth(dies);
    unsigned smt_id = cpu_index % threads;
    unsigned core_id = cpu_index / threads % cores;
    unsigned die_id = cpu_index / (cores * threads) % dies;
    unsigned pkg_id = cpu_index / (dies * cores * threads);

    return pkg_id << pkg_offset | die_id << die_offset |
           core_id << core_offset | smt_id;
}

/* machine.h; QEMU's x86_cpus_init + x86_cpu_new. */
void machine_create_cpus(MachineState *ms)
{
    const CpuTopology *smp = &ms->smp;

    for (unsigned i = 0; i < smp->cpus; i++) {
        Object *obj = object_new(ms->cpu_type);
        CPUState *cpu = CPU(obj);

        object_property_set_uint(obj, "apic-id",
                                 x86_apicid_from_cpu_idx(smp->dies,
                                                         smp->cores,
                                                         smp->threads, i),
                                 &error_fatal);
        cpu->nr_cores = smp->dies * smp->cores;
        cpu->nr_threads = smp->threads;
        qdev_realize_and_unref(DEVICE(obj), NULL, &error_fatal);
    }
}

char *x86_cpu_type_name(const char *model_name)
{
    return g_strdup_printf(X86_CPU_TYPE_NAME("%s"), model_name);
}

/* --- realize ------------------------------------------------------------- */

static bool x86_cpu_realize(DeviceState *dev, Error **errp)
{
    X86CPUClass *xcc = X86_CPU_GET_CLASS(dev);
    CPUState *cs = CPU(dev);

    if (xcc->host_cpuid_required && !kvm_enabled()) {
        const char *type = object_get_typename(OBJECT(dev));
        g_autofree char *name =
            g_strndup(type, strlen(type) - strlen(X86_CPU_TYPE_SUFFIX));

        error_setg(errp, "CPU model '%s' requires KVM or HVF", name);
        return false;
    }
    if (cs->apic_id == UNASSIGNED_APIC_ID) {
        error_setg(errp, "apic-id property was not initialized properly");
        return false;
    }
    return cpu_start_vcpu(cs, errp);
}

/* --- types ---------------------------------------------------------------- */

static Property x86_cpu_properties[] = {
    DEFINE_PROP_UINT32("apic-id", X86CPU, parent_obj.apic_id,
                       UNASSIGNED_APIC_ID),
    /* Off by default: see x86_cpu_build_cpuid() in x86-cpu.h. */
    DEFINE_PROP_BOOL("cx16", X86CPU, cx16, false),
    DEFINE_PROP_BOOL("check", X86CPU, check_cpuid, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void x86_cpu_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    CPUClass *cc = CPU_CLASS(oc);
    X86CPUClass *xcc = X86_CPU_CLASS(oc);

    device_class_set_parent_realize(dc, x86_cpu_realize,
                                    &xcc->parent_realize);
    device_class_set_props(dc, x86_cpu_properties);
    cc->cpu_reset = x86_cpu_reset_hook;
}

static void x86_cpu_model_class_init(ObjectClass *oc, void *data)
{
    X86CPUClass *xcc = X86_CPU_CLASS(oc);

    xcc->model = data;
    xcc->host_cpuid_required = !data;
}

static const TypeInfo x86_cpu_types[] = {
    {
        .name = TYPE_X86_CPU,
        .parent = TYPE_CPU,
        .instance_size = sizeof(X86CPU),
        .class_size = sizeof(X86CPUClass),
        .class_init = x86_cpu_class_init,
        .abstract = true,
    }, {
        .name = X86_CPU_TYPE_NAME("qemu64"),
        .parent = TYPE_X86_CPU,
        .class_init = x86_cpu_model_class_init,
        .class_data = (void *)&x86_model_qemu64,
    }, {
        .name = X86_CPU_TYPE_NAME("host"),
        .parent = TYPE_X86_CPU,
        .class_init = x86_cpu_model_class_init,
    },
};

DEFINE_TYPES(x86_cpu_types)
