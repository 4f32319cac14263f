/*
 * x86-boot.h - the register state the boot CPU starts in.
 *
 * Without firmware, the loader (-kernel) decides where the boot CPU
 * begins; the CPU's reset applies it.  X86_BOOT_RESET is the architectural
 * reset state (real mode, CS:IP = f000:fff0): what firmware would expect.
 * X86_BOOT_PROTECTED32 is the Multiboot v1 entry state (Multiboot spec
 * 3.2): flat 32-bit code and data segments (base 0, limit 4 GiB), CR0.PE
 * set, paging off, interrupts off, EAX = magic, EBX = info address.
 */
#ifndef HW_I386_X86_BOOT_H
#define HW_I386_X86_BOOT_H

#include "util/osdep.h"

typedef enum X86BootMode {
    X86_BOOT_RESET,
    X86_BOOT_PROTECTED32,
} X86BootMode;

typedef struct X86BootState {
    X86BootMode mode;
    uint32_t eip;
    uint32_t eax;
    uint32_t ebx;
    uint32_t esp;           /* 0: leave as reset (the guest sets its own) */
} X86BootState;

/* The machine's boot state (set by the loader before the CPUs start,
 * read by every x86 CPU reset; only the BSP, apic-id 0, uses it: the
 * others wait for INIT/SIPI in the in-kernel LAPIC). */
X86BootState *x86_boot_state(void);

#endif /* HW_I386_X86_BOOT_H */
