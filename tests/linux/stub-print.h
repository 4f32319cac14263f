/*
 * stub-print.h - output helpers shared by the Linux boot stubs (GNU as,
 * included by bzimage-stub.S and pvh-stub.S): bytes to the debug console
 * (isa-debugcon, port 0xe9), the exit code to isa-debug-exit (port 0xf4).
 * Every macro keeps all registers but the ones it names.
 */
#define DEBUGCON    0xe9
#define DEBUG_EXIT  0xf4

/* PUTS label: print the NUL-terminated string at label (clobbers
 * eax/rax... through the subroutine: see puts below). */
.macro PUTS str
    push %REG_SI
    mov $\str, %REG_SI
    call puts
    pop %REG_SI
.endm

/* EXIT code: write it to isa-debug-exit (the VMM exits with code*2+1),
 * and halt if nothing is there. */
.macro EXIT code
    mov $\code, %eax
    out %eax, $DEBUG_EXIT
    cli
.Lhalt\@:
    hlt
    jmp .Lhalt\@
.endm

/* CHECK cond, code: if the flags say "not \cond", print "FAIL code" and
 * exit with \code. */
.macro CHECK cond, code
    j\cond .Lok\@
    PUTS fail_msg
    EXIT \code
.Lok\@:
.endm

/* The subroutines, emitted once per file with PRINT_ROUTINES. */
.macro PRINT_ROUTINES
/* puts: print the string at SI. Clobbers AX, SI. */
puts:
    push %REG_AX
1:  lodsb
    test %al, %al
    jz 2f
    out %al, $DEBUGCON
    jmp 1b
2:  pop %REG_AX
    ret

/* puthex: print EAX as 8 hex digits. */
puthex:
    push %REG_AX
    push %REG_CX
    push %REG_DX
    mov %eax, %edx
    mov $8, %ecx
1:  rol $4, %edx
    mov %edx, %eax
    and $0xf, %eax
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $('a' - '9' - 1), %al
2:  out %al, $DEBUGCON
    loop 1b
    pop %REG_DX
    pop %REG_CX
    pop %REG_AX
    ret

/* putc: print AL. */
putc:
    out %al, $DEBUGCON
    ret
.endm
