/*
 * bzimage32.S - a synthetic bzImage of protocol 2.11 (no 64-bit entry)
 * for the 32-bit entry (boot.rst "32-bit Boot Protocol"): at
 * code32_start it checks protected mode without paging, CS = __BOOT_CS,
 * DS = __BOOT_DS, ESI = the zero page ("HdrS", type_of_loader 0xb0),
 * and prints the command line.  Exit 0 (status 1), or "FAIL" and exit N.
 */
#define REG_AX eax
#define REG_CX ecx
#define REG_DX edx
#define REG_SI esi
#include "stub-print.h"
#include "bzimage-header.h"

    BZ_HEADER 0x020b, 0, 0x1000

    .section .kernel, "ax"
    .code32
startup_32:
    mov %esi, %ebx
    PUTS s_hello
    cmp $0x10000, %ebx
    CHECK e, 2
    cmpl $0x53726448, 0x202(%ebx)
    CHECK e, 3
    cmpb $0xb0, 0x210(%ebx)
    CHECK e, 4
    mov %cs, %eax
    cmp $0x10, %eax
    CHECK e, 5
    mov %ds, %eax
    cmp $0x18, %eax
    CHECK e, 6
    mov %cr0, %eax
    test $0x80000000, %eax          /* paging off */
    CHECK z, 7
    test %ebp, %ebp                 /* EBP, EDI (and EBX: ours now) zero */
    CHECK z, 8
    test %edi, %edi
    CHECK z, 8
    PUTS s_cmdline
    mov 0x228(%ebx), %esi
    call puts
    PUTS s_nl
    PUTS s_ok
    EXIT 0

    PRINT_ROUTINES

s_hello:    .asciz "bzImage32: 32-bit entry\n"
s_cmdline:  .asciz "cmdline: "
s_ok:       .asciz "bzImage32: ok\n"
s_nl:       .asciz "\n"
fail_msg:   .asciz "FAIL\n"
    .org 0x1000
