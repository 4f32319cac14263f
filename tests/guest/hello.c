/*
 * hello.c - the smallest useful test guest: proves the boot path, the
 * debug console, the Multiboot information and isa-debug-exit.
 *
 * Prints a greeting, the -append text and the memory size, then exits
 * with the code given as exit=N on the command line (default 0), so
 * "-append exit=5" makes the VMM exit with status 11 ((5 << 1) | 1).
 * Its whole output is deterministic: run-diff.sh compares it byte for
 * byte between QEMU and qomu.
 */
#include "guest.h"

int main(void)
{
    const struct multiboot_info *mb = multiboot_info();
    uint64_t code = cmdline_uint("exit", 0);

    printf("Hello from the guest\n");
    if (!mb) {
        printf("not started by a Multiboot loader\n");
        return 1;
    }
    printf("cmdline: \"%s\"\n", guest_cmdline());
    if (mb->flags & MULTIBOOT_INFO_MEMORY) {
        printf("memory: %u KiB low, %u KiB above 1 MiB\n",
               mb->mem_lower, mb->mem_upper);
    } else {
        printf("memory: not given\n");
    }
    printf("exit code: %lu\n", code);
    return code;
}
