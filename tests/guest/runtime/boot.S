/*
 * boot.S - Multiboot v1 entry: 32-bit protected mode -> 64-bit CPL 3.
 *
 * The loader (QEMU's multiboot.bin option ROM, or qomu) jumps to _start
 * in flat 32-bit protected mode, paging off, IF=0, EAX = 0x2BADB002 and
 * EBX = physical address of the Multiboot information. Every instruction
 * we run at CPL 0 is emulated by KVM on the nested hosts we develop on
 * (0.4 us for a plain one, several us for a CR or MSR write), while CPL 3
 * runs natively, so the path to CPL 3 is 19 straight-line instructions
 * over tables built at link time (page tables, GDT, TSS with I/O bitmap,
 * IDT, the iretq frame). Measured here: ~60 us from _start to iretq,
 * ~50 us for iretq itself, ~20 us of first-touch faults before main().
 *
 * Layout (see guest.ld): the image is linked at 1 MiB; the first 4 GiB
 * are identity mapped with 2 MiB pages, U/S=1 everywhere so CPL 3 may
 * touch all of it (RAM, PCI BARs, IOAPIC, LAPIC).
 *
 * Not done: SMP, interrupts (IF stays 0 at CPL 3), SYSCALL. An exception
 * at CPL 3 lands on the kernel stack (TSS.RSP0) and in guest_trap(),
 * which reports it and exits; one at CPL 0 before lidt triple-faults
 * (QEMU with -no-reboot then exits with status 0).
 */

#define MULTIBOOT_MAGIC     0x1BADB002
#define MULTIBOOT_MEMINFO   (1 << 1)            /* ask for mem_lower/upper */

#define CR0_PE  (1 << 0)
#define CR0_MP  (1 << 1)                        /* with TS: wait/fwait trap */
#define CR0_ET  (1 << 4)
#define CR0_NE  (1 << 5)                        /* native x87 error reporting */
#define CR0_WP  (1 << 16)
#define CR0_PG  (1 << 31)
#define CR4_PAE         (1 << 5)
#define CR4_OSFXSR      (1 << 9)                /* SSE usable (fxsave aware) */
#define CR4_OSXMMEXCPT  (1 << 10)
#define MSR_EFER        0xc0000080
#define EFER_LME        (1 << 8)

#define PTE_P   0x001
#define PTE_RW  0x002
#define PTE_US  0x004                           /* user (CPL 3) may access */
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS  0x080                           /* 2 MiB page in a PDE */

/* GDT selectors; the order (kernel CS, kernel DS, user DS, user CS) is
 * the one SYSCALL/SYSRET would need, should a test ever want them. */
#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define USER_DS     (0x18 | 3)
#define USER_CS     (0x20 | 3)
#define TSS_SEL     0x28

#define RFLAGS_USER 0x3002                      /* IOPL=3, IF=0; bit 1 is fixed */

/* ------------------------------------------------------------------ */
/* Multiboot header: QEMU looks for it in the first 8 KiB of the file. */

        .section .multiboot, "a"
        .balign 4
        .long   MULTIBOOT_MAGIC
        .long   MULTIBOOT_MEMINFO
        .long   -(MULTIBOOT_MAGIC + MULTIBOOT_MEMINFO)  /* checksum */

/* ------------------------------------------------------------------ */
/* The boot path (CPL 0, emulated: keep it short). */

        .section .text.boot, "ax"
        .code32
        .globl  _start
_start:
        mov     %eax, %esi              /* arg 2 of guest_start: the magic */
        mov     %ebx, %edi              /* arg 1: Multiboot info address */
        lgdt    gdt_ptr                 /* the loader's GDT may be anywhere */
        mov     $pml4, %eax
        mov     %eax, %cr3
        mov     $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
        mov     %eax, %cr4
        mov     $MSR_EFER, %ecx
        mov     $EFER_LME, %eax
        xor     %edx, %edx
        wrmsr
        /* Paging on with EFER.LME set: long mode, still 32-bit code
         * (compatibility mode) until CS is reloaded. A whole value, not
         * an OR: also clears CD/NW/EM/TS, whatever the loader left. */
        mov     $(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
        mov     %eax, %cr0
        ljmp    $KERNEL_CS, $start64

        .code64
start64:
        /* DS/ES/SS still hold the loader's selectors; 64-bit mode ignores
         * their bases, and iretq below loads SS and nulls DS/ES, so no
         * segment register is reloaded here. */
        lidt    idt_ptr
        mov     $TSS_SEL, %eax
        ltr     %ax                     /* RSP0 and the I/O bitmap */
        /* Pop the prebuilt frame: guest_start at CPL 3, IOPL=3, IF=0.
         * RDI/RSI (EBX/EAX above) survive and are its two arguments;
         * bits 63:32 may be junk, and the uint32_t parameters ignore them. */
        mov     $iret_frame, %esp
        iretq

/* ------------------------------------------------------------------ */
/* Exception entry (CPL 0). One 16-byte stub per vector, so the IDT can
 * be built by the linker from one base address (guest.ld computes the
 * 16-bit pieces of isr_stubs that a gate descriptor wants). */

        .section .text.isr, "ax"
        .balign 1024                    /* the 33 stubs never cross 64 KiB */
        .globl  isr_stubs               /* guest.ld splits its address */
isr_stubs:
        .irp    vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .org    isr_stubs + \vec * 16
        /* Vectors 8, 10-14, 17, 21, 29, 30 push an error code; push a
         * dummy for the others so every frame looks the same. */
        .if     !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
        pushq   $0
        .endif
        pushq   $\vec
        jmp     trap_common
        .endr

trap_common:
        /* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS: the
         * struct trap_frame guest_trap() takes. */
        mov     %rsp, %rdi
        and     $-16, %rsp              /* the ABI wants 16-byte alignment */
        call    guest_trap              /* prints, exits; does not return */
1:      hlt
        jmp     1b

/* ------------------------------------------------------------------ */
/* Tables, all built at link time. */

        .section .data.boot, "aw"

        .balign 8
gdt:
        .quad   0                       /* null */
        .quad   0x00af9a000000ffff      /* 0x08 kernel code: L=1, DPL 0 */
        .quad   0x00cf92000000ffff      /* 0x10 kernel data */
        .quad   0x00cff2000000ffff      /* 0x18 user data: DPL 3 */
        .quad   0x00affa000000ffff      /* 0x20 user code: L=1, DPL 3 */
        /* 0x28 TSS (16 bytes); the base pieces come from guest.ld. */
        .word   tss_end - tss - 1       /* limit 15:0 */
        .word   __tss_base_0_15
        .byte   __tss_base_16_23
        .byte   0x89                    /* P=1, DPL 0, available 64-bit TSS */
        .byte   0                       /* limit 19:16, G=0 */
        .byte   __tss_base_24_31
        .long   0                       /* base 63:32 */
        .long   0                       /* reserved */
gdt_end:

        .balign 4
        .word   0                       /* align the base of gdt_ptr */
gdt_ptr:
        .word   gdt_end - gdt - 1
        .long   gdt                     /* 32-bit base: lgdt runs in 32-bit mode */

        /* The TSS, with an I/O permission bitmap that allows every port.
         * IOPL=3 alone should be enough, and is on VT-x/SVM, but kvm_pvm
         * (the nested KVM we develop on) drops IOPL on the way to CPL 3
         * (an exception frame shows IOPL=0) while it honours this bitmap. */
        .balign 16
        .globl  tss                     /* guest.ld splits its address */
tss:
        .long   0
        .quad   kstack_top              /* RSP0: stack for traps from CPL 3 */
        .fill   11, 8, 0                /* RSP1, RSP2, reserved, IST1-7, reserved */
        .word   0
        .word   iomap - tss             /* I/O bitmap offset */
iomap:
        .fill   65536 / 8, 1, 0         /* one bit per port, 0 = allowed */
        .byte   0xff                    /* the CPU wants a final all-ones byte */
tss_end:

        /* IDT: 32 exception gates. DPL 0, except where CPL 3 may raise
         * the vector itself: int3 (#BP) and into (#OF). A vector above
         * the limit, or int $n for a DPL 0 gate, becomes a #GP, which is
         * reported. (Software interrupts are no way out of CPL 3 here:
         * the nested hypervisor on our CI machines answers int $n at
         * CPL 3 with #UD; exceptions are delivered normally.) */
        .balign 16
idt:
        .irp    vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .word   __isr_base_0_15 + \vec * 16    /* offset 15:0 */
        .word   KERNEL_CS
        .byte   0                               /* IST: none */
        .if     \vec == 3 || \vec == 4
        .byte   0xee                            /* P, DPL 3, interrupt gate */
        .else
        .byte   0x8e                            /* P, DPL 0, interrupt gate */
        .endif
        .word   __isr_base_16_31                /* offset 31:16 */
        .long   0                               /* offset 63:32 */
        .long   0
        .endr
idt_end:

        .balign 4
        .word   0
idt_ptr:
        .word   idt_end - idt - 1
        .quad   idt

        /* What iretq pops: RIP, CS, RFLAGS, RSP, SS. RSP is the stack
         * top minus 8, as if guest_start had been called. */
        .balign 16
iret_frame:
        .quad   guest_start
        .quad   USER_CS
        .quad   RFLAGS_USER
        .quad   ustack_top - 8
        .quad   USER_DS

/* Identity map of the first 4 GiB: PML4[0] -> PDPT[0..3] -> 4 page
 * directories of 512 2-MiB pages. U/S is set at every level. The top
 * GiB (PCI hole, IOAPIC, LAPIC) is uncached, as MTRRs would make it. */
        .section .data.pagetables, "aw"
        .balign 4096
pml4:
        .quad   pdpt + (PTE_P | PTE_RW | PTE_US)
        .fill   511, 8, 0
pdpt:
        .quad   pd + 0x0000 + (PTE_P | PTE_RW | PTE_US)
        .quad   pd + 0x1000 + (PTE_P | PTE_RW | PTE_US)
        .quad   pd + 0x2000 + (PTE_P | PTE_RW | PTE_US)
        .quad   pd + 0x3000 + (PTE_P | PTE_RW | PTE_US)
        .fill   508, 8, 0
pd:
        .set    addr, 0
        .rept   3 * 512
        .quad   addr + (PTE_P | PTE_RW | PTE_US | PTE_PS)
        .set    addr, addr + 0x200000
        .endr
        .rept   512
        .quad   addr + (PTE_P | PTE_RW | PTE_US | PTE_PS | PTE_PCD | PTE_PWT)
        .set    addr, addr + 0x200000
        .endr

/* Stacks: after __bss_end (guest.ld), so guest_start() can clear .bss
 * while running on one of them. */
        .section .stack, "aw", @nobits
        .balign 16
        .space  4096
kstack_top:                             /* CPL 0: exception reports only */
        .space  65536
ustack_top:                             /* CPL 3: main() */
