/*
 * x86-cpu.c - TYPE_X86_CPU and its models (QEMU 7.2's target/i386/cpu.c:
 * x86_cpu_realizefn, x86_cpu_reset, the type registration).
 *
 * Modelled: the abstract "x86_64-cpu", "qemu64-x86_64-cpu" and
 * "host-x86_64-cpu"; properties "apic-id", "cx16", "check"; the
 * architectural reset state (SDM vol. 3, 9.1.1 "Processor State After
 * Reset") as QEMU sets it, and the Multiboot entry state for the BSP.
 * Not modelled: other models, "enforce", feature properties other than
 * "cx16", socket/core/thread-id properties, hotplug, SMM, MSRs beyond
 * IA32_APIC_BASE and IA32_PAT, DR6/DR7 and XCR0 (left to KVM's reset
 * values), the TSC.  The CPUID a model shows: x86-cpuid.c.
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

/* Multiboot v1 entry: CS/DS selectors are ours to choose (the guest must
 * load its own GDT before reloading a segment register). */
static void x86_cpu_boot_protected32(CPUX86State *env,
                                     const X86BootState *bs)
{
    env->segs[R_CS] = flat32_seg(0x08, 0xb);    /* execute/read, accessed */
    for (int i = 0; i < X86_NR_SEGS; i++) {
        if (i != R_CS) {
            env->segs[i] = flat32_seg(0x10, 0x3); /* read/write, accessed */
        }
    }
    /* Firmware would have enabled the caches: CD and NW clear. */
    env->cr[0] = X86_CR0_PE | X86_CR0_ET;
    env->rip = bs->eip;
    env->regs[R_EAX] = bs->eax;
    env->regs[R_EBX] = bs->ebx;
    if (bs->esp) {
        env->regs[R_ESP] = bs->esp;
    }
    env->lapic_virtual_wire = true;
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
    env->wait_for_sipi = !bsp;
    if (bsp && bs->mode == X86_BOOT_PROTECTED32) {
        x86_cpu_boot_protected32(env, bs);
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
