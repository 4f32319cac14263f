/*
 * x86-cpuid.c - the CPUID table an x86 CPU shows its guest (QEMU 7.2's
 * target/i386/cpu.c cpu_x86_cpuid and x86_cpu_filter_features, for the
 * qemu64 and host models only).
 *
 * Modelled: qemu64's leaves as QEMU builds them under KVM (vendor,
 * family/model/stepping, feature words, brand string, QEMU's legacy AMD
 * cache leaves, leaf 0BH topology, the KVM PV leaves), filtered by what
 * KVM supports with QEMU's warning per missing feature; "host" as KVM
 * reports it.  Both get the per-vCPU patches (APIC ids, hypervisor bit,
 * CX16 policy: see x86_cpu_build_cpuid in x86-cpu.h).
 * Not modelled: other CPU models, feature flags on -cpu (+feat/-feat),
 * "enforce", leaf 4/7/0DH contents for qemu64 (all zero, as QEMU's for an
 * AMD model without those features), phys-bits other than 40.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "x86-cpu-internal.h"

/* --- feature words ----------------------------------------------------- */

enum { REG_EAX, REG_EBX, REG_ECX, REG_EDX };
static const char *const reg_names[] = { "EAX", "EBX", "ECX", "EDX" };

typedef struct FeatureWordInfo {
    uint32_t function;
    int reg;
    const char *names[32];      /* QEMU's feature names (NULL: unnamed) */
} FeatureWordInfo;

static const FeatureWordInfo feature_words[FEATURE_WORDS] = {
    [FEAT_1_EDX] = { 1, REG_EDX, {
        "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
        "cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
        "pat", "pse36", "pn", "clflush", NULL, "ds", "acpi", "mmx",
        "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
    [FEAT_1_ECX] = { 1, REG_ECX, {
        "pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx",
        "est", "tm2", "ssse3", "cid", NULL, "fma", "cx16", "xtpr", "pdcm",
        NULL, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe",
        "popcnt", "tsc-deadline", "aes", "xsave", NULL, "avx", "f16c",
        "rdrand", "hypervisor" } },
    [FEAT_8000_0001_EDX] = { 0x80000001, REG_EDX, {
        [11] = "syscall", [20] = "nx", [22] = "mmxext", [25] = "fxsr-opt",
        [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm", [30] = "3dnowext",
        [31] = "3dnow" } },
    [FEAT_8000_0001_ECX] = { 0x80000001, REG_ECX, {
        "lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm",
        "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop",
        "skinit", "wdt", NULL, "lwp", "fma4", "tce", NULL, "nodeid-msr",
        NULL, "tbm", "topoext", "perfctr-core", "perfctr-nb" } },
    [FEAT_KVM] = { 0x40000001, REG_EAX, {
        "kvmclock", "kvm-nopiodelay", "kvm-mmu", "kvmclock", "kvm-asyncpf",
        "kvm-steal-time", "kvm-pv-eoi", "kvm-pv-unhalt", NULL,
        "kvm-pv-tlb-flush", NULL, "kvm-pv-ipi", "kvm-poll-control",
        "kvm-pv-sched-yield", "kvm-asyncpf-int", "kvm-msi-ext-dest-id",
        [24] = "kvmclock-stable-bit" } },
};

/* Bits of CPUID.01H:EDX that AMD repeats in CPUID.80000001H:EDX. */
#define CPUID_EXT2_AMD_ALIASES 0x0183f3ffu

/* QEMU's PPRO_FEATURES: fpu de pse tsc msr mce cx8 pge cmov pat fxsr mmx
 * sse sse2 pae sep apic. */
#define PPRO_FEATURES 0x0781e3fdu
#define CPUID_MTRR    (1u << 12)
#define CPUID_MCA     (1u << 14)
#define CPUID_PSE36   (1u << 17)
#define CPUID_CLFLUSH (1u << 19)

const X86CPUModel x86_model_qemu64 = {
    .name = "qemu64",
    .level = 0xd,
    .xlevel = 0x8000000a,
    .vendor = "AuthenticAMD",
    .family = 15,
    .model = 107,
    .stepping = 1,
    .features = {
        [FEAT_1_EDX] = PPRO_FEATURES | CPUID_MTRR | CPUID_CLFLUSH |
                       CPUID_MCA | CPUID_PSE36,
        [FEAT_1_ECX] = CPUID_EXT_SSE3 | CPUID_EXT_CX16 | CPUID_EXT_X2APIC,
        /* lm syscall nx; AMD aliases of FEAT_1_EDX added at build */
        [FEAT_8000_0001_EDX] = (1u << 29) | (1u << 11) | (1u << 20),
        [FEAT_8000_0001_ECX] = 1u << 0,     /* lahf-lm; svm off (KVM) */
        /* kvmclock (both bits), nopiodelay, asyncpf, steal-time, pv-eoi,
         * asyncpf-int, kvmclock-stable-bit */
        [FEAT_KVM] = (1u << 0) | (1u << 3) | (1u << 1) | (1u << 4) |
                     (1u << 5) | (1u << 6) | (1u << 14) | (1u << 24),
    },
    .model_id = "QEMU Virtual CPU version 2.5+",
};

/* --- table helpers ------------------------------------------------------ */

static bool leaf_has_index(uint32_t function)
{
    switch (function) {
    case 4: case 7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12:
    case 0x14: case 0x17: case 0x18: case 0x1d: case 0x1e: case 0x1f:
    case 0x24: case 0x8000001d:
        return true;
    default:
        return false;
    }
}

X86CPUIDEntry *x86_cpuid_find(X86CPUIDTable *t, uint32_t function,
                              uint32_t index)
{
    for (unsigned i = 0; i < t->nent; i++) {
        X86CPUIDEntry *e = &t->entries[i];

        if (e->function == function &&
            (!(e->flags & X86_CPUID_FLAG_SIGNIFICANT_INDEX) ||
             e->index == index)) {
            return e;
        }
    }
    return NULL;
}

static X86CPUIDEntry *cpuid_add(X86CPUIDTable *t, uint32_t function,
                                uint32_t index)
{
    X86CPUIDEntry *e;

    assert(t->nent < X86_CPUID_MAX_ENTRIES);
    e = &t->entries[t->nent++];
    *e = (X86CPUIDEntry) { .function = function, .index = index };
    if (leaf_has_index(function)) {
        e->flags = X86_CPUID_FLAG_SIGNIFICANT_INDEX;
    }
    return e;
}

static uint32_t *entry_reg(X86CPUIDEntry *e, int reg)
{
    uint32_t *regs[] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

    return regs[reg];
}

/* Four characters of @s as a little-endian register (CPUID strings). */
static uint32_t str_reg(const char *s)
{
    return (uint8_t)s[0] | (uint8_t)s[1] << 8 | (uint8_t)s[2] << 16 |
           (uint32_t)(uint8_t)s[3] << 24;
}

/* Vendor strings go in EBX, EDX, ECX, in that order. */
static void set_vendor(X86CPUIDEntry *e, const char *vendor)
{
    e->ebx = str_reg(vendor);
    e->edx = str_reg(vendor + 4);
    e->ecx = str_reg(vendor + 8);
}

/* CPUID.01H:EAX from family/model/stepping (QEMU's cpuid_version). */
static uint32_t model_version(const X86CPUModel *m)
{
    uint32_t v = (m->family > 0x0f) ?
        0xf00 | (uint32_t)(m->family - 0x0f) << 20 :
        (uint32_t)m->family << 8;

    return v | (m->model & 0xf) << 4 | (m->model >> 4) << 16 | m->stepping;
}

/* --- filtering (QEMU's x86_cpu_filter_features) -------------------------- */

/* What the accelerator supports for feature word @w.  KVM on Intel hosts
 * reports CPUID.80000001H:EDX by Intel's spec; AMD models repeat the
 * CPUID.01H:EDX bits there, so count those as supported (as QEMU's
 * kvm_arch_get_supported_cpuid does). */
static uint32_t supported_word(const X86CPUIDTable *supported, FeatureWord w)
{
    X86CPUIDTable *t = (X86CPUIDTable *)supported;
    const FeatureWordInfo *f = &feature_words[w];
    X86CPUIDEntry *e = x86_cpuid_find(t, f->function, 0);
    uint32_t r = e ? *entry_reg(e, f->reg) : 0;

    if (w == FEAT_8000_0001_EDX) {
        X86CPUIDEntry *e1 = x86_cpuid_find(t, 1, 0);

        r |= e1 ? e1->edx & CPUID_EXT2_AMD_ALIASES : 0;
    }
    return r;
}

/* QEMU's mark_unavailable_features, with its warning per bit. */
static void warn_unavailable(FeatureWord w, uint32_t mask)
{
    const FeatureWordInfo *f = &feature_words[w];

    for (int i = 0; i < 32; i++) {
        if (mask & (1u << i)) {
            warn_report("host doesn't support requested feature: "
                        "CPUID.%02XH:%s%s%s [bit %d]", f->function,
                        reg_names[f->reg], f->names[i] ? "." : "",
                        f->names[i] ? f->names[i] : "", i);
        }
    }
}

static void filter_features(X86CPU *cpu, const X86CPUIDTable *supported,
                            uint32_t features[FEATURE_WORDS])
{
    for (int w = 0; w < FEATURE_WORDS; w++) {
        uint32_t missing = features[w] & ~supported_word(supported, w);

        if (missing && cpu->check_cpuid) {
            warn_unavailable(w, missing);
        }
        features[w] &= ~missing;
    }
}

/* --- qemu64 (QEMU's cpu_x86_cpuid for the leaves a model defines) --------- */

static void build_basic_leaves(X86CPU *cpu, const X86CPUModel *m,
                               const uint32_t *features, X86CPUIDTable *t)
{
    CPUState *cs = CPU(cpu);
    unsigned logical = cs->nr_cores * cs->nr_threads;
    X86CPUIDEntry *e;

    e = cpuid_add(t, 0, 0);
    e->eax = m->level;
    set_vendor(e, m->vendor);

    e = cpuid_add(t, 1, 0);
    e->eax = model_version(m);
    e->ebx = 8 << 8;                    /* CLFLUSH line size: 64 bytes */
    e->ecx = features[FEAT_1_ECX];
    e->edx = features[FEAT_1_EDX];
    if (logical > 1) {
        e->ebx |= (logical & 0xff) << 16;
        e->edx |= CPUID_HT;
    }
    /* Leaves 2..0AH: zero for this AMD model without those features
     * (QEMU with x-vendor-cpuid-only, its 7.2 default). */
    for (uint32_t leaf = 2; leaf <= 0xa; leaf++) {
        cpuid_add(t, leaf, 0);
    }
    /* Leaf 0BH: SMT and core levels, then the terminating level. */
    for (uint32_t i = 0; i <= 2; i++) {
        e = cpuid_add(t, 0xb, i);
        e->ecx = i | (i < 2 ? (i + 1) << 8 : 0);
        e->ebx = i == 0 ? cs->nr_threads : i == 1 ? logical : 0;
        e->eax = i == 0 ? apicid_bitwidth(cs->nr_threads) :
                 i == 1 ? apicid_bitwidth(cs->nr_threads) +
                          apicid_bitwidth(cs->nr_cores) : 0;
    }
    cpuid_add(t, 0xc, 0);
    cpuid_add(t, 0xd, 0);               /* no xsave */
    cpuid_add(t, 0xd, 1);
}

/* QEMU's legacy AMD cache and TLB description (legacy-cache=on). */
static void build_amd_cache_leaves(X86CPUIDTable *t, unsigned logical)
{
    X86CPUIDEntry *e = cpuid_add(t, 0x80000005, 0);

    e->eax = 0x01ff01ff;                /* 2M/4M TLBs: 255 entries */
    e->ebx = 0x01ff01ff;                /* 4K TLBs */
    e->ecx = 0x40020140;                /* L1d: 64K, 2-way, 64-byte lines */
    e->edx = 0x40020140;                /* L1i: the same */
    e = cpuid_add(t, 0x80000006, 0);
    e->ebx = 0x42004200;                /* L2 TLBs: 512 entries, 4-way */
    e->ecx = 0x02008140;                /* L2: 512K, 16-way */
    e->edx = 0x00808140;                /* L3: 16M, 16-way */
    cpuid_add(t, 0x80000007, 0);
    e = cpuid_add(t, 0x80000008, 0);
    e->eax = 0x3028;                    /* 40 physical, 48 virtual bits */
    e->ecx = logical > 1 ? logical - 1 : 0;
}

static void build_extended_leaves(X86CPU *cpu, const X86CPUModel *m,
                                  const uint32_t *features, X86CPUIDTable *t)
{
    CPUState *cs = CPU(cpu);
    X86CPUIDEntry *e;
    char brand[48] = { 0 };

    e = cpuid_add(t, 0x80000000, 0);
    e->eax = m->xlevel;
    set_vendor(e, m->vendor);
    e = cpuid_add(t, 0x80000001, 0);
    e->eax = model_version(m);
    e->ecx = features[FEAT_8000_0001_ECX];
    e->edx = features[FEAT_8000_0001_EDX];
    memcpy(brand, m->model_id, MIN(strlen(m->model_id), sizeof(brand)));
    for (uint32_t leaf = 0; leaf < 3; leaf++) {
        const char *p = brand + leaf * 16;

        e = cpuid_add(t, 0x80000002 + leaf, 0);
        e->eax = str_reg(p);
        e->ebx = str_reg(p + 4);
        e->ecx = str_reg(p + 8);
        e->edx = str_reg(p + 12);
    }
    build_amd_cache_leaves(t, cs->nr_cores * cs->nr_threads);
    cpuid_add(t, 0x80000009, 0);
    cpuid_add(t, 0x8000000a, 0);        /* svm off under KVM */
}

static void build_kvm_leaves(const uint32_t *features, X86CPUIDTable *t)
{
    X86CPUIDEntry *e = cpuid_add(t, 0x40000000, 0);

    e->eax = 0x40000001;
    e->ebx = str_reg("KVMK");           /* "KVMKVMKVM\0\0\0" */
    e->ecx = str_reg("VMKV");
    e->edx = str_reg("M\0\0\0");
    e = cpuid_add(t, 0x40000001, 0);
    e->eax = features[FEAT_KVM];
}

static void build_model(X86CPU *cpu, const X86CPUModel *m,
                        const X86CPUIDTable *supported, X86CPUIDTable *t)
{
    uint32_t features[FEATURE_WORDS];

    memcpy(features, m->features, sizeof(features));
    /* AMD models repeat the CPUID.01H:EDX bits (QEMU: x86_cpu_realizefn) */
    features[FEAT_8000_0001_EDX] |= features[FEAT_1_EDX] &
                                    CPUID_EXT2_AMD_ALIASES;
    filter_features(cpu, supported, features);
    build_basic_leaves(cpu, m, features, t);
    build_kvm_leaves(features, t);
    build_extended_leaves(cpu, m, features, t);
}

/* --- per-vCPU patches, every model ---------------------------------------- */

static void patch_vcpu(X86CPU *cpu, X86CPUIDTable *t)
{
    uint32_t apic_id = CPU(cpu)->apic_id;

    for (unsigned i = 0; i < t->nent; i++) {
        X86CPUIDEntry *e = &t->entries[i];

        if (e->function == 1) {
            e->ebx = (e->ebx & 0x00ffffff) | apic_id << 24;
            e->ecx |= CPUID_EXT_HYPERVISOR;
            if (!cpu->cx16) {
                e->ecx &= ~CPUID_EXT_CX16;
            }
            cpu->env.cpuid_version = e->eax;
        } else if (e->function == 0xb || e->function == 0x1f) {
            e->edx = apic_id;           /* the x2APIC id, every level */
        }
    }
}

void x86_cpu_build_cpuid(X86CPU *cpu, const X86CPUIDTable *supported,
                         X86CPUIDTable *out)
{
    const X86CPUModel *model = X86_CPU_GET_CLASS(cpu)->model;

    out->nent = 0;
    if (model) {
        build_model(cpu, model, supported, out);
    } else {
        *out = *supported;
    }
    patch_vcpu(cpu, out);
}
