/*
 * bzimage-header.h - the setup sector of a synthetic bzImage (GNU as):
 * one 512-byte boot sector holding the setup header at 0x1f1
 * (Documentation/x86/boot.rst, "The Real-Mode Kernel Header"), then one
 * setup sector of nothing: setup_sects = 1, so the protected-mode kernel
 * starts at file offset 0x400.  No real-mode code: only the 32- and
 * 64-bit entries can boot it.
 *
 * BZ_HEADER version, xloadflags, kernel_size: kernel_size (bytes, a
 * multiple of 16) becomes syssize.
 */
.macro BZ_HEADER version, xloadflags, kernel_size
    .section .setup, "a"
    .org 0x1f1
    .byte 1                         /* setup_sects */
    .word 0                         /* root_flags */
    .long \kernel_size / 16         /* syssize */
    .word 0, 0, 0                   /* ram_size, vid_mode, root_dev */
    .word 0xaa55                    /* boot_flag */
    .byte 0xeb, 0x26c - 0x202       /* jump over the header */
    .ascii "HdrS"
    .word \version
    .long 0                         /* realmode_swtch */
    .word 0, 0                      /* start_sys_seg, kernel_version */
    .byte 0                         /* type_of_loader: the loader's */
    .byte 0x01                      /* loadflags: LOADED_HIGH */
    .word 0                         /* setup_move_size */
    .long 0x100000                  /* code32_start */
    .long 0, 0                      /* ramdisk_image, ramdisk_size */
    .long 0                         /* bootsect_kludge */
    .word 0                         /* heap_end_ptr */
    .byte 0, 0                      /* ext_loader_ver, ext_loader_type */
    .long 0                         /* cmd_line_ptr */
    .long 0x7fffffff                /* initrd_addr_max */
    .long 0x200000                  /* kernel_alignment */
    .byte 0, 0                      /* relocatable_kernel, min_alignment */
    .word \xloadflags
    .long 2047                      /* cmdline_size */
    .long 0                         /* hardware_subarch */
    .quad 0                         /* hardware_subarch_data */
    .long 0, 0                      /* payload_offset, payload_length */
    .quad 0                         /* setup_data */
    .quad 0x100000                  /* pref_address */
    .long \kernel_size              /* init_size */
    .long 0                         /* handover_offset */
    .long 0                         /* kernel_info_offset */
    .org 0x400
.endm
