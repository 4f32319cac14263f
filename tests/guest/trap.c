/*
 * trap.c - checks the runtime's exception report: raises the exception
 * chosen by vector=N on the command line (default 6, #UD) at CPL 3.
 *
 * The runtime's handler (CPL 0) prints "guest: exception ..." and exits
 * with GUEST_EXIT_TRAP, so the VMM's status is 255. Supported vectors:
 * 0 (#DE, divide by zero), 3 (#BP, int3), 6 (#UD, ud2), 13 (#GP, hlt at
 * CPL 3), 14 (#PF, read of 4 GiB, just past the identity map).
 */
#include "guest.h"

int main(void)
{
    uint64_t vector = cmdline_uint("vector", 6);
    volatile unsigned zero = 0;

    printf("trap: raising vector %lu\n", vector);
    switch (vector) {
    case 0: {
        uint32_t lo = 1, hi = 0;

        /* asm: gcc would turn "1 / zero" into a compare, with no div. */
        __asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero));
        break;
    }
    case 3:
        __asm__ volatile("int3");
        break;
    case 6:
        __asm__ volatile("ud2");
        break;
    case 13:
        __asm__ volatile("hlt");
        break;
    case 14:
        mmio_read32(1ull << 32);
        break;
    default:
        printf("trap: vector %lu is not supported\n", vector);
        return 1;
    }
    printf("trap: still running after vector %lu\n", vector);
    return 2;
}
