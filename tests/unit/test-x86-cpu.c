/*
 * test-x86-cpu.c - the x86 CPU models (hw/i386/x86-cpu.c, x86-cpuid.c):
 * the CPUID each model shows and its per-vCPU patches (APIC ids,
 * hypervisor bit, CX16 hidden), QEMU's warning for features the host
 * lacks, the reset register state in both boot modes, APIC ids from the
 * topology, and realize's refusals.  No accelerator is needed: CPUID is
 * built from a fabricated "supported" table, as KVM would return it.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/x86-boot.h"
#include "hw/i386/x86-cpu.h"
#include "harness.h"
#include "vcpu-helper.h"

/* What KVM on this kind of host reports: everything the models ask for,
 * minus what a test removes. */
static void fake_supported(X86CPUIDTable *t)
{
    static const X86CPUIDEntry entries[] = {
        { 0, 0, 0, 0x20, 0x756e6547, 0x6c65746e, 0x49656e69 },
        { 1, 0, 0, 0x000a0678, 0x01020800, 0xffffffff, 0xffffffff },
        { 0xb, 0, 1, 0, 1, 0x100, 0 },
        { 0xb, 1, 1, 0, 2, 0x201, 0 },
        { 0x40000001, 0, 0, 0xffffffff, 0, 0, 0 },
        { 0x80000001, 0, 0, 0, 0, 0xffffffff, 0x20100800 },
    };

    t->nent = ARRAY_SIZE(entries);
    memcpy(t->entries, entries, sizeof(entries));
}

static X86CPU *new_cpu(const char *model, uint32_t apic_id)
{
    g_autofree char *type = x86_cpu_type_name(model);
    X86CPU *cpu = X86_CPU(object_new(type));

    qdev_prop_set_uint32(DEVICE(cpu), "apic-id", apic_id);
    return cpu;
}

/* Builds @cpu's CPUID from @supported with stderr captured. */
static char *build(X86CPU *cpu, const X86CPUIDTable *supported,
                   X86CPUIDTable *out)
{
    StderrCapture cap;

    stderr_capture_begin(&cap);
    x86_cpu_build_cpuid(cpu, supported, out);
    return stderr_capture_end(&cap);
}

static char *reg_str(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t regs[3] = { a, b, c };

    return g_strndup((const char *)regs, sizeof(regs));
}

/* --- CPUID ---------------------------------------------------------- */

static void test_type_names(void)
{
    g_autofree char *name = x86_cpu_type_name("qemu64");
    ObjectClass *oc;

    CU_ASSERT_STRING_EQUAL(name, "qemu64-x86_64-cpu");
    oc = object_class_by_name(TYPE_X86_CPU);
    CU_ASSERT_TRUE(object_class_is_abstract(oc));
    oc = object_class_by_name("host-x86_64-cpu");
    CU_ASSERT_PTR_NOT_NULL(object_class_dynamic_cast(oc, TYPE_CPU));
    CU_ASSERT_PTR_NULL(object_class_by_name("max-x86_64-cpu"));
}

static void test_qemu64_identity(void)
{
    X86CPU *cpu = new_cpu("qemu64", 0);
    g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
    g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
    g_autofree char *out = NULL, *vendor = NULL, *xvendor = NULL;
    GString *brand = g_string_new(NULL);
    X86CPUIDEntry *e;

    fake_supported(sup);
    out = build(cpu, sup, t);
    CU_ASSERT_STRING_EQUAL(out, "");
    e = x86_cpuid_find(t, 0, 0);
    vendor = reg_str(e->ebx, e->edx, e->ecx);
    CU_ASSERT_STRING_EQUAL(vendor, "AuthenticAMD");
    CU_ASSERT_EQUAL(e->eax, 0xd);                       /* level */
    /* family 15, model 107 (0x6b), stepping 1 */
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 1, 0)->eax, 0x00060fb1);
    CU_ASSERT_EQUAL(cpu->env.cpuid_version, 0x00060fb1);
    e = x86_cpuid_find(t, 0x80000000, 0);
    CU_ASSERT_EQUAL(e->eax, 0x8000000a);
    xvendor = reg_str(e->ebx, e->edx, e->ecx);
    CU_ASSERT_STRING_EQUAL(xvendor, "AuthenticAMD");
    for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
        e = x86_cpuid_find(t, leaf, 0);
        g_string_append_len(brand, (const char *)&e->eax, 16);
    }
    CU_ASSERT_STRING_EQUAL(brand->str, "QEMU Virtual CPU version 2.5+");
    /* lm, syscall, nx and the AMD aliases of fpu.. */
    e = x86_cpuid_find(t, 0x80000001, 0);
    CU_ASSERT_EQUAL(e->edx & 0x20100800, 0x20100800);
    CU_ASSERT_EQUAL(e->edx & 1, 1);
    /* sse3 (pni) x2apic; no svm under KVM */
    e = x86_cpuid_find(t, 1, 0);
    CU_ASSERT_EQUAL(e->ecx & (CPUID_EXT_SSE3 | CPUID_EXT_X2APIC),
                    CPUID_EXT_SSE3 | CPUID_EXT_X2APIC);
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 0x80000001, 0)->ecx & 4, 0);
    g_string_free(brand, true);
    object_unref(cpu);
}

static void check_apic_id(const char *model)
{
    X86CPU *cpu = new_cpu(model, 5);
    g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
    g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
    g_autofree char *out = NULL;
    int levels = 0;

    fake_supported(sup);
    out = build(cpu, sup, t);
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 1, 0)->ebx >> 24, 5);
    for (unsigned i = 0; i < t->nent; i++) {
        if (t->entries[i].function == 0xb) {
            CU_ASSERT_EQUAL(t->entries[i].edx, 5);
            CU_ASSERT_TRUE(t->entries[i].flags &
                           X86_CPUID_FLAG_SIGNIFICANT_INDEX);
            levels++;
        }
    }
    CU_ASSERT_TRUE(levels >= 2);
    object_unref(cpu);
}

static void test_apic_id_qemu64(void)
{
    check_apic_id("qemu64");
}

static void test_apic_id_host(void)
{
    check_apic_id("host");
}

/* The hypervisor bit is set even where the host table lacks it. */
static void test_hypervisor_bit(void)
{
    const char *models[] = { "qemu64", "host" };

    for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
        X86CPU *cpu = new_cpu(models[i], 0);
        g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
        g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
        g_autofree char *out = NULL;

        fake_supported(sup);
        x86_cpuid_find(sup, 1, 0)->ecx &= ~CPUID_EXT_HYPERVISOR;
        out = build(cpu, sup, t);
        CU_ASSERT_TRUE(x86_cpuid_find(t, 1, 0)->ecx & CPUID_EXT_HYPERVISOR);
        object_unref(cpu);
    }
}

/* CX16 hidden by default (docs GUEST.md), shown with cx16=on. */
static void test_cx16_hidden(void)
{
    const char *models[] = { "qemu64", "host" };

    for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
        X86CPU *cpu = new_cpu(models[i], 0);
        g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
        g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
        g_autofree char *out = NULL;

        fake_supported(sup);
        out = build(cpu, sup, t);
        CU_ASSERT_FALSE(x86_cpuid_find(t, 1, 0)->ecx & CPUID_EXT_CX16);
        qdev_prop_set_bit(DEVICE(cpu), "cx16", true);
        g_free(out);
        out = build(cpu, sup, t);
        CU_ASSERT_TRUE(x86_cpuid_find(t, 1, 0)->ecx & CPUID_EXT_CX16);
        object_unref(cpu);
    }
}

/* What QEMU 7.2 prints for qemu64 on the hosts qomu runs on. */
static void test_missing_feature_warning(void)
{
    X86CPU *cpu = new_cpu("qemu64", 0);
    g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
    g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
    g_autofree char *out = NULL, *quiet = NULL;

    fake_supported(sup);
    x86_cpuid_find(sup, 1, 0)->ecx &= ~CPUID_EXT_SSE3;
    x86_cpuid_find(sup, 0x80000001, 0)->edx &= ~(1u << 20);     /* nx */
    out = build(cpu, sup, t);
    CU_ASSERT_STRING_EQUAL(out,
        "qomu: warning: host doesn't support requested feature: "
        "CPUID.01H:ECX.pni [bit 0]\n"
        "qomu: warning: host doesn't support requested feature: "
        "CPUID.80000001H:EDX.nx [bit 20]\n");
    CU_ASSERT_FALSE(x86_cpuid_find(t, 1, 0)->ecx & CPUID_EXT_SSE3);
    CU_ASSERT_FALSE(x86_cpuid_find(t, 0x80000001, 0)->edx & (1u << 20));
    /* check=off: dropped silently */
    qdev_prop_set_bit(DEVICE(cpu), "check", false);
    quiet = build(cpu, sup, t);
    CU_ASSERT_STRING_EQUAL(quiet, "");
    CU_ASSERT_FALSE(x86_cpuid_find(t, 1, 0)->ecx & CPUID_EXT_SSE3);
    object_unref(cpu);
}

static void test_host_passthrough(void)
{
    X86CPU *cpu = new_cpu("host", 0);
    g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
    g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
    g_autofree char *out = NULL, *vendor = NULL;
    X86CPUIDEntry *e;

    fake_supported(sup);
    x86_cpuid_find(sup, 1, 0)->ecx &= ~CPUID_EXT_SSE3;
    out = build(cpu, sup, t);
    CU_ASSERT_STRING_EQUAL(out, "");    /* nothing requested, nothing missing */
    CU_ASSERT_EQUAL(t->nent, sup->nent);
    e = x86_cpuid_find(t, 0, 0);
    vendor = reg_str(e->ebx, e->edx, e->ecx);
    CU_ASSERT_STRING_EQUAL(vendor, "GenuineIntel");
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 1, 0)->eax, 0x000a0678);
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 1, 0)->ecx,
                    0xffffffff & ~CPUID_EXT_SSE3 & ~CPUID_EXT_CX16);
    object_unref(cpu);
}

/* Leaf 1 and 0BH count the logical processors of the package. */
static void test_topology_leaves(void)
{
    X86CPU *cpu = new_cpu("qemu64", 3);
    g_autofree X86CPUIDTable *sup = g_new0(X86CPUIDTable, 1);
    g_autofree X86CPUIDTable *t = g_new0(X86CPUIDTable, 1);
    g_autofree char *out = NULL;

    CPU(cpu)->nr_cores = 2;
    CPU(cpu)->nr_threads = 2;
    fake_supported(sup);
    out = build(cpu, sup, t);
    CU_ASSERT_EQUAL((x86_cpuid_find(t, 1, 0)->ebx >> 16) & 0xff, 4);
    CU_ASSERT_TRUE(x86_cpuid_find(t, 1, 0)->edx & CPUID_HT);
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 0xb, 0)->eax, 1);     /* SMT shift */
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 0xb, 0)->ebx, 2);
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 0xb, 1)->eax, 2);     /* core shift */
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 0xb, 1)->ebx, 4);
    CU_ASSERT_EQUAL(x86_cpuid_find(t, 0xb, 2)->ecx, 2);     /* invalid */
    object_unref(cpu);
}

/* --- reset state -------------------------------------------------------- */

static void test_reset_real_mode(void)
{
    X86CPU *bsp = new_cpu("qemu64", 0);
    X86CPU *ap = new_cpu("qemu64", 1);
    CPUX86State *env = &bsp->env;

    x86_boot_state()->mode = X86_BOOT_RESET;
    bsp->env.cpuid_version = 0x00060fb1;
    x86_cpu_reset_state(bsp);
    CU_ASSERT_EQUAL(env->segs[R_CS].selector, 0xf000);
    CU_ASSERT_EQUAL(env->segs[R_CS].base, 0xffff0000);
    CU_ASSERT_EQUAL(env->segs[R_CS].limit, 0xffff);
    CU_ASSERT_EQUAL(env->segs[R_CS].type, 0xb);
    CU_ASSERT_EQUAL(env->segs[R_DS].selector, 0);
    CU_ASSERT_EQUAL(env->segs[R_DS].base, 0);
    CU_ASSERT_EQUAL(env->segs[R_DS].type, 0x3);
    CU_ASSERT_EQUAL(env->rip, 0xfff0);
    CU_ASSERT_EQUAL(env->cr[0], 0x60000010);
    CU_ASSERT_EQUAL(env->rflags, 0x2);
    CU_ASSERT_EQUAL(env->regs[R_EDX], 0x00060fb1);   /* the signature */
    CU_ASSERT_EQUAL(env->idt.limit, 0xffff);
    CU_ASSERT_EQUAL(env->gdt.limit, 0xffff);
    CU_ASSERT_EQUAL(env->tr.type, 11);
    CU_ASSERT_EQUAL(env->fpuc, 0x37f);
    CU_ASSERT_EQUAL(env->mxcsr, 0x1f80);
    CU_ASSERT_EQUAL(env->pat, 0x0007040600070406ULL);
    CU_ASSERT_EQUAL(env->apic_base, 0xfee00900);     /* enabled, BSP */
    CU_ASSERT_FALSE(env->wait_for_sipi);
    CU_ASSERT_FALSE(env->lapic_virtual_wire);        /* firmware's job */
    x86_cpu_reset_state(ap);
    CU_ASSERT_EQUAL(ap->env.apic_base, 0xfee00800);  /* not the BSP */
    CU_ASSERT_TRUE(ap->env.wait_for_sipi);
    object_unref(bsp);
    object_unref(ap);
}

/* Multiboot v1 entry (spec 3.2) for the BSP; APs still wait for SIPI. */
static void test_reset_protected32(void)
{
    X86CPU *bsp = new_cpu("qemu64", 0);
    X86CPU *ap = new_cpu("qemu64", 1);
    CPUX86State *env = &bsp->env;
    X86BootState *bs = x86_boot_state();

    *bs = (X86BootState) {
        .mode = X86_BOOT_PROTECTED32, .eip = 0x100000,
        .eax = 0x2badb002, .ebx = 0x9000, .esp = 0x7000,
    };
    x86_cpu_reset_state(bsp);
    CU_ASSERT_EQUAL(env->cr[0] & 0x80000001, 1);     /* PE, no paging */
    CU_ASSERT_EQUAL(env->cr[0] & 0x60000000, 0);     /* caches on */
    CU_ASSERT_EQUAL(env->rip, 0x100000);
    CU_ASSERT_EQUAL(env->regs[R_EAX], 0x2badb002);
    CU_ASSERT_EQUAL(env->regs[R_EBX], 0x9000);
    CU_ASSERT_EQUAL(env->regs[R_ESP], 0x7000);
    CU_ASSERT_EQUAL(env->rflags & 0x200, 0);         /* IF clear */
    for (int i = 0; i < X86_NR_SEGS; i++) {
        X86Segment *s = &env->segs[i];

        CU_ASSERT_EQUAL(s->base, 0);
        CU_ASSERT_EQUAL(s->limit, 0xffffffff);
        CU_ASSERT_TRUE(s->db && s->g && s->present && s->s);
        CU_ASSERT_EQUAL(s->type, i == R_CS ? 0xb : 0x3);
    }
    CU_ASSERT_TRUE(env->lapic_virtual_wire);
    x86_cpu_reset_state(ap);
    CU_ASSERT_EQUAL(ap->env.rip, 0xfff0);
    CU_ASSERT_TRUE(ap->env.wait_for_sipi);
    *bs = (X86BootState) { .mode = X86_BOOT_RESET };
    object_unref(bsp);
    object_unref(ap);
}

/* --- topology and realize ------------------------------------------------- */

static void test_apicid_from_index(void)
{
    /* 1 die, 3 cores, 1 thread: the core level is padded to 2 bits */
    CU_ASSERT_EQUAL(x86_apicid_from_cpu_idx(1, 3, 1, 2), 2);
    CU_ASSERT_EQUAL(x86_apicid_from_cpu_idx(1, 3, 1, 3), 4);
    /* 2 cores x 2 threads */
    for (unsigned i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(x86_apicid_from_cpu_idx(1, 2, 2, i), i);
    }
    /* -smp 4 with QEMU's pc default (sockets): apic id = index */
    CU_ASSERT_EQUAL(x86_apicid_from_cpu_idx(1, 1, 1, 3), 3);
}

static void test_realize_refusals(void)
{
    g_autofree char *type = x86_cpu_type_name("qemu64");
    Object *cpu = object_new(type);
    Error *err = NULL;

    /* no apic-id */
    CU_ASSERT_FALSE(qdev_realize(DEVICE(cpu), NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "apic-id property was not initialized properly");
    error_free(err);
    err = NULL;
    /* no accelerator yet */
    qdev_prop_set_uint32(DEVICE(cpu), "apic-id", 0);
    CU_ASSERT_FALSE(qdev_realize(DEVICE(cpu), NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "no accelerator is initialised");
    CU_ASSERT_EQUAL(CPU(cpu)->cpu_index, UNASSIGNED_CPU_INDEX);
    CU_ASSERT_PTR_NULL(cpus);
    error_free(err);
    err = NULL;
    object_unref(cpu);
    /* host needs KVM */
    cpu = OBJECT(new_cpu("host", 0));
    CU_ASSERT_FALSE(qdev_realize(DEVICE(cpu), NULL, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "CPU model 'host' requires KVM or HVF");
    error_free(err);
    object_unref(cpu);
}

static void test_properties(void)
{
    X86CPU *cpu = new_cpu("qemu64", 7);

    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(cpu), "apic-id",
                                             &error_abort), 7);
    CU_ASSERT_FALSE(object_property_get_bool(OBJECT(cpu), "cx16",
                                             &error_abort));
    CU_ASSERT_TRUE(object_property_get_bool(OBJECT(cpu), "check",
                                            &error_abort));
    CU_ASSERT_STRING_EQUAL(object_property_get_type(OBJECT(cpu), "apic-id",
                                                    &error_abort), "uint32");
    object_unref(cpu);
}

int main(int argc, char **argv)
{
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/x86-cpu/types", test_type_names);
    harness_add("/x86-cpu/properties", test_properties);
    harness_add("/x86-cpu/cpuid/qemu64/identity", test_qemu64_identity);
    harness_add("/x86-cpu/cpuid/apic-id/qemu64", test_apic_id_qemu64);
    harness_add("/x86-cpu/cpuid/apic-id/host", test_apic_id_host);
    harness_add("/x86-cpu/cpuid/hypervisor-bit", test_hypervisor_bit);
    harness_add("/x86-cpu/cpuid/cx16-hidden", test_cx16_hidden);
    harness_add("/x86-cpu/cpuid/qemu64/missing-feature-warning",
                test_missing_feature_warning);
    harness_add("/x86-cpu/cpuid/host/passthrough", test_host_passthrough);
    harness_add("/x86-cpu/cpuid/topology", test_topology_leaves);
    harness_add("/x86-cpu/reset/real-mode", test_reset_real_mode);
    harness_add("/x86-cpu/reset/protected32", test_reset_protected32);
    harness_add("/x86-cpu/apic-id/from-index", test_apicid_from_index);
    harness_add("/x86-cpu/realize/refusals", test_realize_refusals);
    return harness_run(argc, argv);
}
