/*
 * bzimage64.S - a synthetic bzImage (protocol 2.15, XLF_KERNEL_64) for
 * the 64-bit entry (boot.rst "64-bit Boot Protocol").  At 1 MiB + 0x200
 * it checks what the protocol promises - RSI = the zero page with the
 * header copied and type_of_loader set, CS = __BOOT_CS (0x10), DS =
 * __BOOT_DS (0x18), long mode (EFER.LMA), a usable stack, the identity
 * map (it reads the initrd near the top of RAM) - and prints the command
 * line, the e820 map, the initrd and the MP table to the debug console.
 * Then an int3 at CPL 0 must reach its #BP handler with RIP after the
 * instruction, swapgs must swap GS.base with IA32_KERNEL_GS_BASE, popcnt
 * must count, fwait pass, ldmxcsr/stmxcsr move MXCSR through memory
 * (KVM's emulator can do none of these; qomu completes them where it
 * fails).
 * Exit 0 (status 1) if all holds, else "FAIL" and exit N (status 2N+1).
 * The 32-bit entry at 1 MiB must not be used: exit 99.
 */
#define REG_AX rax
#define REG_CX rcx
#define REG_DX rdx
#define REG_SI rsi
#include "stub-print.h"
#include "bzimage-header.h"

    BZ_HEADER 0x020f, 0x3, 0x1000

    .section .kernel, "ax"
    .code32
startup_32:
    EXIT 99

    .org 0x200
    .code64
startup_64:
    mov %rsi, %rbx                  /* the zero page */
    PUTS s_hello
    cmp $0x10000, %rbx
    CHECK e, 2
    cmpl $0x53726448, 0x202(%rbx)   /* "HdrS" */
    CHECK e, 3
    cmpb $0xb0, 0x210(%rbx)         /* type_of_loader: QEMU's */
    CHECK e, 4
    mov %cs, %eax
    cmp $0x10, %eax
    CHECK e, 5
    mov %ds, %eax
    cmp $0x18, %eax
    CHECK e, 6
    mov $0xc0000080, %ecx           /* EFER */
    rdmsr
    bt $10, %eax                    /* LMA */
    CHECK c, 7
    testb $0x80, 0x211(%rbx)        /* loadflags: CAN_USE_HEAP */
    CHECK nz, 8

    PUTS s_cmdline
    mov 0x228(%rbx), %esi           /* cmd_line_ptr */
    call puts
    PUTS s_nl

    movzbl 0x1e8(%rbx), %r12d       /* e820_entries */
    lea 0x2d0(%rbx), %r13
1:  test %r12d, %r12d
    jz 2f
    PUTS s_e820
    mov 4(%r13), %eax
    call puthex
    mov 0(%r13), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 12(%r13), %eax
    call puthex
    mov 8(%r13), %eax
    call puthex
    mov $' ', %al
    call putc
    mov 16(%r13), %eax
    call puthex
    PUTS s_nl
    add $20, %r13
    dec %r12d
    jmp 1b
2:
    PUTS s_initrd
    mov 0x218(%rbx), %eax           /* ramdisk_image */
    call puthex
    mov $' ', %al
    call putc
    mov 0x21c(%rbx), %eax           /* ramdisk_size */
    call puthex
    mov $' ', %al
    call putc
    mov 0x218(%rbx), %esi           /* its first 8 bytes, through the */
    mov $8, %ecx                    /* identity map */
    cmpl $8, 0x21c(%rbx)
    jae 3f
    mov 0x21c(%rbx), %ecx
3:  jrcxz 4f
    lodsb
    call putc
    dec %ecx
    jmp 3b
4:  PUTS s_nl

    cmpl $0x5f504d5f, 0xf0000       /* "_MP_" */
    CHECK e, 9
    mov 0xf0004, %esi               /* the configuration table */
    cmpl $0x504d4350, (%rsi)        /* "PCMP" */
    CHECK e, 10
    PUTS s_mp
    movzwl 34(%rsi), %eax           /* entry count */
    call puthex
    PUTS s_nl

    /* int3 at CPL 0 (Linux's int3_selftest() does it on every boot):
     * #BP must arrive with RIP after the instruction.  Gate 3 of a small
     * IDT, built here (a 64-bit interrupt gate, CS 0x10). */
    mov $bp_handler, %eax
    mov %ax, idt + 3 * 16
    movw $0x10, idt + 3 * 16 + 2
    movw $0x8e00, idt + 3 * 16 + 4  /* present, DPL 0, interrupt gate */
    shr $16, %eax
    mov %ax, idt + 3 * 16 + 6
    lidt idt_desc
    movl $0, bp_count
    int3
after_int3:
    cmpl $1, bp_count
    CHECK e, 12

    /* swapgs at CPL 0 (every kernel entry from user space): GS.base and
     * IA32_KERNEL_GS_BASE trade places. */
    mov $0xc0000102, %ecx           /* IA32_KERNEL_GS_BASE */
    mov $0x5a5a0000, %eax
    mov $0x1, %edx
    wrmsr
    swapgs
    mov $0xc0000101, %ecx           /* IA32_GS_BASE */
    rdmsr
    cmp $0x5a5a0000, %eax
    CHECK e, 13
    cmp $0x1, %edx
    CHECK e, 13
    mov $0xc0000102, %ecx
    rdmsr
    or %edx, %eax                   /* the old GS.base: 0 */
    CHECK z, 14
    PUTS s_swapgs

    /* popcnt, as Linux's hweight64 once alternatives patch it in. */
    mov $0x8000f0f000000001, %rdi
    popcnt %rdi, %rax
    cmp $10, %rax
    CHECK e, 15
    xor %edi, %edi
    popcnt %edi, %eax
    CHECK z, 16                     /* ZF: the source was 0 */
    PUTS s_popcnt
    fwait                           /* nothing pending: a no-op */
    PUTS s_fwait

    /* ldmxcsr/stmxcsr with memory operands (kernel_fpu_begin): through
     * the stack (SIB + disp8) and RIP-relative. */
    mov %cr4, %rax
    or $0x200, %eax                 /* CR4.OSFXSR */
    mov %rax, %cr4
    sub $16, %rsp
    movl $0x1f80 | 0x6000, 4(%rsp)  /* default, rounding toward zero */
    ldmxcsr 4(%rsp)
    stmxcsr mxcsr_out(%rip)
    add $16, %rsp
    cmpl $0x7f80, mxcsr_out
    CHECK e, 17
    PUTS s_mxcsr
    PUTS s_ok
    EXIT 0

bp_handler:
    cmpq $after_int3, (%rsp)        /* the pushed RIP */
    CHECK e, 11
    incl bp_count
    PUTS s_int3
    iretq

    PRINT_ROUTINES

s_hello:    .asciz "bzImage64: 64-bit entry\n"
s_cmdline:  .asciz "cmdline: "
s_e820:     .asciz "e820: "
s_initrd:   .asciz "initrd: "
s_mp:       .asciz "mptable: entries "
s_ok:       .asciz "bzImage64: ok\n"
s_int3:     .asciz "int3: #BP after the instruction\n"
s_swapgs:   .asciz "swapgs: GS.base swapped\n"
s_popcnt:   .asciz "popcnt: ok\n"
s_fwait:    .asciz "fwait: ok\n"
s_mxcsr:    .asciz "mxcsr: ok\n"
s_nl:       .asciz "\n"
fail_msg:   .asciz "FAIL\n"
    .p2align 4
idt:        .fill 4 * 16, 1, 0      /* vectors 0-3 */
idt_desc:   .word 4 * 16 - 1
            .quad idt
bp_count:   .long 0
mxcsr_out:  .long 0
    .org 0x1000
