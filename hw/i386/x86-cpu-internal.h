/*
 * x86-cpu-internal.h - what x86-cpu.c (the type) and x86-cpuid.c (the
 * CPUID a model shows) share: QEMU's feature words and CPU models.
 */
#ifndef HW_I386_X86_CPU_INTERNAL_H
#define HW_I386_X86_CPU_INTERNAL_H

#include "hw/i386/x86-cpu.h"

/* The CPUID registers QEMU's models are made of (QEMU's FeatureWord). */
typedef enum FeatureWord {
    FEAT_1_EDX,                 /* CPUID.01H:EDX */
    FEAT_1_ECX,                 /* CPUID.01H:ECX */
    FEAT_8000_0001_EDX,         /* CPUID.80000001H:EDX */
    FEAT_8000_0001_ECX,         /* CPUID.80000001H:ECX */
    FEAT_KVM,                   /* CPUID.40000001H:EAX (KVM PV features) */
    FEATURE_WORDS,
} FeatureWord;

struct X86CPUModel {
    const char *name;           /* "qemu64" */
    uint32_t level;             /* highest basic leaf */
    uint32_t xlevel;            /* highest extended leaf */
    const char *vendor;         /* 12 characters */
    int family, model, stepping;
    uint32_t features[FEATURE_WORDS];
    const char *model_id;       /* brand string, <= 48 characters */
};

/* QEMU 7.2's builtin "qemu64", with the properties QEMU applies under
 * KVM (kvm_default_props: x2apic and the KVM PV features on, svm off). */
extern const X86CPUModel x86_model_qemu64;

/* Bits an APIC id uses for @count items of one topology level (QEMU's
 * apicid_bitwidth_for_count). */
static inline unsigned apicid_bitwidth(unsigned count)
{
    return count <= 1 ? 0 : 32 - __builtin_clz(count - 1);
}

#endif /* HW_I386_X86_CPU_INTERNAL_H */
