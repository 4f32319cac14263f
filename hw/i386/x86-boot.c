/*
 * x86-boot.c - storage for the boot CPU's entry state (x86-boot.h).
 *
 * One per process, like the machine: the loader writes it before the
 * vCPUs first run (and again on system_reset, if it reloads the kernel);
 * every x86 CPU reset reads it, with the big lock held.
 */
#include "util/osdep.h"
#include "hw/i386/x86-boot.h"

static X86BootState boot_state;     /* zero: X86_BOOT_RESET */

X86BootState *x86_boot_state(void)
{
    return &boot_state;
}
