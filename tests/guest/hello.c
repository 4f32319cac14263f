/*
 * hello.c - the smallest useful test guest: proves the boot path, the
 * debug console, the Multiboot information and isa-debug-exit.
 *
 * Prints a greeting, the -append text and the memory size, then exits
 * with the code given as exit=N on the command line (default 0), so
 * "-append exit=5" makes the VMM exit with status 11 ((5 << 1) | 1).
 * Its output is deterministic: run-diff.sh compares it byte for byte
 * between QEMU and qomu, except "info:" lines (firmware-dependent).
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
        /* The exact KiB depend on the firmware: SeaBIOS keeps 1 KiB of
         * low memory and the top 128 KiB of RAM for itself. Rounded up
         * to whole MiB they give -m's size under any loader. */
        printf("memory: %u MiB\n", (mb->mem_upper + 1024 + 1023) / 1024);
        printf("info: mem_lower %u KiB, mem_upper %u KiB\n",
               mb->mem_lower, mb->mem_upper);
    } else {
        printf("memory: not given\n");
    }
    printf("exit code: %lu\n", code);
    return code;
}
