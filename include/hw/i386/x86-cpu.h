/*
 * x86-cpu.h - TYPE_X86_CPU (QEMU's target/i386/cpu.h, the part a KVM-only
 * VMM needs): the CPU models, their CPUID, and the register state a CPU
 * is reset to.
 *
 * Types: "x86_64-cpu" (abstract), "qemu64-x86_64-cpu" (QEMU's qemu64
 * model: AuthenticAMD, family 15 model 107 stepping 1) and
 * "host-x86_64-cpu" (what KVM supports, as is).  -cpu NAME maps to a type
 * with x86_cpu_type_name().
 *
 * The state here is plain data: hw/i386/x86-cpu.c fills it, the
 * accelerator (accel/kvm/kvm-x86.c) loads it into the vCPU.
 */
#ifndef HW_I386_X86_CPU_H
#define HW_I386_X86_CPU_H

#include "hw/core/cpu.h"

#define TYPE_X86_CPU "x86_64-cpu"
#define X86_CPU_TYPE_SUFFIX "-" TYPE_X86_CPU
#define X86_CPU_TYPE_NAME(name) (name X86_CPU_TYPE_SUFFIX)
OBJECT_DECLARE_TYPE(X86CPU, X86CPUClass, X86_CPU)

/* --- CPUID ------------------------------------------------------------ */

/* One CPUID leaf (function, sub-leaf index) and its four registers. */
typedef struct X86CPUIDEntry {
    uint32_t function;
    uint32_t index;
    uint32_t flags;             /* X86_CPUID_FLAG_* */
    uint32_t eax, ebx, ecx, edx;
} X86CPUIDEntry;

/* The sub-leaf index matters for this leaf (KVM's SIGNIFCANT_INDEX). */
#define X86_CPUID_FLAG_SIGNIFICANT_INDEX 1u

#define X86_CPUID_MAX_ENTRIES 256

typedef struct X86CPUIDTable {
    unsigned nent;
    X86CPUIDEntry entries[X86_CPUID_MAX_ENTRIES];
} X86CPUIDTable;

/* The entry for (@function, @index), or NULL.  @index is ignored for
 * leaves without X86_CPUID_FLAG_SIGNIFICANT_INDEX. */
X86CPUIDEntry *x86_cpuid_find(X86CPUIDTable *t, uint32_t function,
                              uint32_t index);

/* CPUID.01H:ECX / EDX bits used outside the model tables. */
#define CPUID_EXT_SSE3        (1u << 0)
#define CPUID_EXT_CX16        (1u << 13)
#define CPUID_EXT_X2APIC      (1u << 21)
#define CPUID_EXT_HYPERVISOR  (1u << 31)
#define CPUID_HT              (1u << 28)

/**
 * x86_cpu_build_cpuid: the CPUID table @cpu shows its guest.
 * @supported: what the accelerator can run (KVM_GET_SUPPORTED_CPUID).
 * @out: filled in.
 *
 * "host": @supported as is.  qemu64: QEMU's model, each feature the host
 * lacks dropped with QEMU's warning ("host doesn't support requested
 * feature: CPUID.01H:ECX.pni [bit 0]") when "check" is on (default).
 * Then, for every model: the APIC id in CPUID.01H:EBX[31:24] and the
 * x2APIC id in leaves 0BH/1FH EDX, the hypervisor bit CPUID.01H:ECX[31]
 * set, and CMPXCHG16B (CPUID.01H:ECX.cx16) hidden unless "cx16=on": on
 * the hosts qomu is tested on, guest code at CPL 0 runs in KVM's
 * instruction emulator, which fails on `lock cmpxchg16b` ("KVM internal
 * error. Suberror: 1", docs GUEST.md); a guest told CX16 is absent
 * (Linux is) does without it.  Also records env.cpuid_version.
 * Thread: the vCPU thread (or any, on a CPU not running).
 */
void x86_cpu_build_cpuid(X86CPU *cpu, const X86CPUIDTable *supported,
                         X86CPUIDTable *out);

/* --- register state --------------------------------------------------- */

/* A segment register as the CPU caches it (base/limit/attributes). */
typedef struct X86Segment {
    uint64_t base;
    uint32_t limit;             /* in bytes - 1, already scaled by g */
    uint16_t selector;
    uint8_t type;               /* descriptor type field (4 bits) */
    uint8_t dpl;
    bool present, s, db, l, g;
} X86Segment;

enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, X86_NR_SEGS };
enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    X86_NR_GPRS = 16,
};

#define X86_CR0_PE  (1u << 0)
#define X86_CR0_ET  (1u << 4)
#define X86_CR0_NW  (1u << 29)
#define X86_CR0_CD  (1u << 30)
#define X86_APIC_DEFAULT_ADDR   0xfee00000u
#define X86_APICBASE_BSP        (1u << 8)
#define X86_APICBASE_ENABLE     (1u << 11)

/* MTRR MSRs (SDM vol. 3, 11.11.2): 11 fixed-range registers, and the
 * variable-range pairs KVM implements (KVM_NR_VAR_MTRR). */
#define X86_MTRR_NR_FIXED       11
#define X86_MTRR_NR_VAR         8
#define X86_MSR_MTRR_PHYSBASE0  0x200
#define X86_MSR_MTRR_DEF_TYPE   0x2ff
#define X86_MSR_MISC_ENABLE     0x1a0
#define X86_MISC_ENABLE_FAST_STRING 1u  /* QEMU's MSR_IA32_MISC_ENABLE_DEFAULT */
extern const uint32_t x86_mtrr_fixed_msrs[X86_MTRR_NR_FIXED];

/* QEMU's CPUX86State, what reset sets; loaded by the accelerator. */
typedef struct CPUX86State {
    uint64_t regs[X86_NR_GPRS];
    uint64_t rip;
    uint64_t rflags;
    X86Segment segs[X86_NR_SEGS];
    X86Segment ldt, tr;
    struct {
        uint64_t base;
        uint16_t limit;
    } gdt, idt;
    uint64_t cr[5];             /* cr[1] unused */
    uint64_t efer;
    uint64_t apic_base;         /* IA32_APIC_BASE MSR */
    uint64_t pat;               /* IA32_PAT MSR */
    uint16_t fpuc;              /* x87 control word */
    uint32_t mxcsr;
    /* MTRRs and IA32_MISC_ENABLE: the architectural reset values, or,
     * when a loader stands in for firmware (x86_boot_state() not
     * X86_BOOT_RESET), what SeaBIOS's mtrr_setup leaves on every CPU. */
    uint64_t mtrr_deftype;      /* IA32_MTRR_DEF_TYPE (0x2ff) */
    uint64_t mtrr_fixed[X86_MTRR_NR_FIXED];  /* x86_mtrr_fixed_msrs order */
    uint64_t mtrr_var[2 * X86_MTRR_NR_VAR];  /* PHYSBASE0, PHYSMASK0, ... */
    uint64_t misc_enable;       /* IA32_MISC_ENABLE (0x1a0) */
    bool wait_for_sipi;         /* APs: INIT-wait in the in-kernel LAPIC */
    bool lapic_virtual_wire;    /* LVT0 ExtINT/LVT1 NMI: no firmware will */
    uint32_t cpuid_version;     /* CPUID.01H:EAX, what reset puts in EDX */
} CPUX86State;

/* --- the type ---------------------------------------------------------- */

/* A CPU model: QEMU's X86CPUDefinition, cut down. */
typedef struct X86CPUModel X86CPUModel;

struct X86CPU {
    CPUState parent_obj;
    CPUX86State env;
    bool cx16;                  /* property "cx16": show CMPXCHG16B */
    bool check_cpuid;           /* property "check": warn what's missing */
};

struct X86CPUClass {
    CPUClass parent_class;
    const X86CPUModel *model;   /* NULL: "host" (KVM's CPUID as is) */
    bool host_cpuid_required;   /* "host": needs KVM */
    DeviceRealize parent_realize;
};

/* "qemu64" -> "qemu64-x86_64-cpu" (g_free).  Whether the type exists is
 * the caller's question (object_class_by_name). */
char *x86_cpu_type_name(const char *model_name);

/**
 * x86_cpu_reset_state: fill @cpu's env with what it starts in: QEMU's
 * x86_cpu_reset (real mode, CS:IP = f000:fff0, CR0 = 0x60000010, ...),
 * or for the BSP (apic-id 0) the entry state x86_boot_state() asks for
 * (X86_BOOT_PROTECTED32: Multiboot, Linux 32-bit, PVH; X86_BOOT_LONG64:
 * Linux 64-bit).  APs wait for INIT/SIPI.  With a loader (any mode but
 * X86_BOOT_RESET) every CPU also gets firmware's MTRRs (see env).
 * The CPUClass cpu_reset hook of every x86 CPU.
 */
void x86_cpu_reset_state(X86CPU *cpu);

/**
 * x86_apicid_from_cpu_idx: QEMU's x86_apicid_from_cpu_idx(): the APIC id
 * of the @cpu_index-th CPU of a topology of @dies dies per socket,
 * @cores cores per die, @threads threads per core (each level padded to
 * a power of two).
 */
uint32_t x86_apicid_from_cpu_idx(unsigned dies, unsigned cores,
                                 unsigned threads, unsigned cpu_index);

/*
 * machine_create_cpus (declared in machine/machine.h) is defined in
 * x86-cpu.c: ms->smp.cpus CPUs of type ms->cpu_type, "apic-id" from
 * x86_apicid_from_cpu_idx(), realized in order under /machine/unattached;
 * errors are fatal (&error_fatal), as in QEMU's x86_cpus_init.
 */

#endif /* HW_I386_X86_CPU_H */
