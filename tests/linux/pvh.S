/*
 * pvh.S - a synthetic PVH kernel: an ELF64 file (like vmlinux) whose
 * XEN_ELFNOTE_PHYS32_ENTRY note names a 32-bit entry.  It checks the PVH
 * ABI (xen/include/public/arch-x86/hvm/start_info.h): 32-bit protected
 * mode without paging, EBX = hvm_start_info with magic 0x336ec578 and
 * version >= 1; prints the command line, the memory map and module 0
 * (the initrd) to the debug console.  Exit 0 (status 1), or "FAIL" and
 * exit N (status 2N+1).
 */
#define REG_AX eax
#define REG_CX ecx
#define REG_DX edx
#define REG_SI esi
#include "stub-print.h"

    .section .note.Xen, "a", @note
    .p2align 2
    .long 4, 4, 18                  /* namesz, descsz, PHYS32_ENTRY */
    .asciz "Xen"
    .long pvh_start

    .text
    .code32
pvh_start:
    PUTS s_hello
    cmpl $0x336ec578, (%ebx)        /* magic */
    CHECK e, 2
    cmpl $1, 4(%ebx)                /* version */
    CHECK ae, 3
    mov %cr0, %eax
    test $0x80000000, %eax          /* paging off */
    CHECK z, 4
    test $1, %eax                   /* protected mode */
    CHECK nz, 5
    PUTS s_cmdline
    mov 24(%ebx), %esi              /* cmdline_paddr */
    call puts
    PUTS s_nl

    mov 48(%ebx), %edi              /* memmap_entries */
    mov 40(%ebx), %ebp              /* memmap_paddr */
1:  test %edi, %edi
    jz 2f
    PUTS s_memmap
    mov 4(%ebp), %eax
    call puthex
    mov 0(%ebp), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 12(%ebp), %eax
    call puthex
    mov 8(%ebp), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 16(%ebp), %eax
    call puthex
    PUTS s_nl
    add $24, %ebp
    dec %edi
    jmp 1b
2:
    PUTS s_modules
    mov 12(%ebx), %eax              /* nr_modules */
    call puthex
    PUTS s_nl
    cmpl $0, 12(%ebx)
    je 4f
    mov 16(%ebx), %ebp              /* modlist_paddr */
    PUTS s_module
    mov 0(%ebp), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 8(%ebp), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 0(%ebp), %esi
    mov 8(%ebp), %ecx
    cmp $8, %ecx
    jbe 3f
    mov $8, %ecx
3:  jecxz 5f
    lodsb
    call putc
    dec %ecx
    jmp 3b
5:  PUTS s_nl
4:  PUTS s_ok
    EXIT 0

    PRINT_ROUTINES

s_hello:    .asciz "pvh: 32-bit entry\n"
s_cmdline:  .asciz "cmdline: "
s_memmap:   .asciz "memmap: "
s_modules:  .asciz "modules: "
s_module:   .asciz "module 0: "
s_ok:       .asciz "pvh: ok\n"
s_nl:       .asciz "\n"
fail_msg:   .asciz "FAIL\n"
