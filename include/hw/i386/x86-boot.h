/*
 * x86-boot.h - the register state the boot CPU starts in.
 *
 * Without firmware, the loader (-kernel) decides where the boot CPU
 * begins; the CPU's reset applies it.  X86_BOOT_RESET is the architectural
 * reset state (real mode, CS:IP = f000:fff0): what firmware would expect.
 * X86_BOOT_PROTECTED32 is the Multiboot v1 entry state (Multiboot spec
 * 3.2): flat 32-bit code and data segments (base 0, limit 4 GiB), CR0.PE
 * set, paging off, interrupts off, EAX = magic, EBX = info address.
 * The Linux boot protocol and PVH (hw/i386/linux-boot.c) use it too, with
 * their own GDT and selectors (cs/ds, gdt_base), ESI = zero page (Linux
 * 32-bit entry) and, for PVH, TR = a 32-bit TSS with base 0, limit 0x67.
 * X86_BOOT_LONG64 is the Linux 64-bit entry (boot.rst "64-bit Boot
 * Protocol"): CR0.PG|PE, CR4.PAE, EFER.LME|LMA, CR3 = identity page
 * tables, CS a 64-bit code segment, interrupts off, RSI = zero page.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "util/osdep.h"

typedef enum X86BootMode {
    X86_BOOT_RESET,
    X86_BOOT_PROTECTED32,
    X86_BOOT_LONG64,
} X86BootMode;

typedef struct X86BootState {
    X86BootMode mode;
    uint32_t eip;
    uint32_t eax;
    uint32_t ebx;
    uint32_t esp;           /* 0: leave as reset (the guest sets its own) */
    uint32_t esi;           /* Linux: the zero page */
    uint16_t cs, ds;        /* selectors; 0: 0x08 and 0x10 (Multiboot's) */
    uint32_t gdt_base;      /* with gdt_limit != 0: the GDT to load */
    uint16_t gdt_limit;
    uint32_t cr3;           /* X86_BOOT_LONG64: the PML4 */
    bool pvh_tr;            /* TR base 0 limit 0x67 (the PVH ABI's) */
} X86BootState;

/* The machine's boot state (set by the loader before the CPUs start,
 * read by every x86 CPU reset; only the BSP, apic-id 0, uses it: the
 * others wait for INIT/SIPI in the in-kernel LAPIC). */
X86BootState *x86_boot_state(void);

#endif /* HW_I386_X86_BOOT_H */
