/*
 * linux-boot.h - booting Linux without firmware (-kernel bzImage, or
 * -kernel vmlinux through its PVH ELF note), QEMU 7.2's x86_load_linux()
 * together with what its option ROMs (linuxboot_dma.bin, pvh.bin) and
 * SeaBIOS do: the memory map, the boot parameters, the CPU's entry state.
 *
 * The PC machine, given -kernel FILE that is not Multiboot, calls
 * x86_load_linux(), which picks by content (QEMU's order):
 *   "HdrS" at 0x202   a bzImage (Documentation/x86/boot.rst): the
 *                     protected-mode kernel at 1 MiB, a zero page, and
 *                     - protocol >= 2.12 with XLF_KERNEL_64: the 64-bit
 *                       entry (boot.rst "64-bit Boot Protocol"): long
 *                       mode, identity page tables, RIP = 1 MiB + 0x200;
 *                     - protocol >= 2.02 otherwise: the 32-bit entry
 *                       (boot.rst "32-bit Boot Protocol") at code32_start;
 *   an ELF file       a kernel with a XEN_ELFNOTE_PHYS32_ENTRY note, entered
 *                     in 32-bit protected mode with EBX = hvm_start_info
 *                     (xen/include/public/arch-x86/hvm/start_info.h);
 *                     without the note QEMU's "Error loading uncompressed
 *                     kernel without PVH ELF Note".
 *
 * Guest memory after loading (the boot structures sit below 640 KiB, in
 * RAM the e820 map calls usable: Linux copies what it needs first thing):
 *   0x00400  BIOS data area: EBDA segment (0x40e), base memory KiB (0x413)
 *   0x01000  GDT: 0x10 = __BOOT_CS, 0x18 = __BOOT_DS (flat 4 GiB)
 *   0x02000  page tables (64-bit entry): PML4, PDPT, 4 page directories
 *            identity-mapping 4 GiB with 2 MiB pages
 *   0x08000  boot stack (top 0x9000; the 64-bit entry pushes before it
 *            sets its own)
 *   0x10000  zero page (struct boot_params) or hvm_start_info + module
 *            list + memory map (QEMU's real_addr)
 *   0x20000  command line (QEMU's cmdline_addr), up to 0x9fc00
 *   0xf0000  MP table (hw/i386/mptable.c), e820 reserved
 *   1 MiB    bzImage: the protected-mode kernel (QEMU's prot_addr);
 *            ELF: each PT_LOAD at its p_paddr
 *   initrd   page aligned below min(initrd_addr_max, end of low RAM -
 *            0x28000 - 1), QEMU's formula (it leaves room for SeaBIOS's
 *            ACPI tables; kept so the guest sees the same addresses)
 *
 * The e820 map (SeaBIOS's for QEMU's pc, without its own areas):
 *   RAM 0..0x9fc00, reserved 0x9fc00..0xa0000 (EBDA) and 0xf0000..1 MiB,
 *   RAM 1 MiB..end of low RAM, reserved 0xfeffc000..0xff000000 (KVM's
 *   identity map and TSS, KVM_IDENTITY_MAP_BASE), RAM from 4 GiB.
 *   The PCI hole is absent, as with SeaBIOS.
 *
 * Every size and offset in the files is checked; nothing is written to
 * guest memory unless all of it fits in RAM without overlaps.
 * Threads: main thread, big lock, vCPUs not running.
 */
#ifndef HW_I386_LINUX_BOOT_H
#define HW_I386_LINUX_BOOT_H

#include "hw/core/memory.h"
#include "hw/i386/x86-boot.h"

/* --- addresses (see the header comment) ---------------------------------- */

#define LINUX_BDA_ADDR          0x400u
#define LINUX_GDT_ADDR          0x1000u
#define LINUX_PAGE_TABLES_ADDR  0x2000u     /* PML4; PDPT at +0x1000 ... */
#define LINUX_PAGE_TABLES_SIZE  0x6000u
#define LINUX_STACK_TOP         0x9000u
#define LINUX_ZERO_PAGE_ADDR    0x10000u    /* also hvm_start_info */
#define LINUX_CMDLINE_ADDR      0x20000u
#define LINUX_CMDLINE_END       0x9fc00u
#define LINUX_KERNEL_ADDR       0x100000u   /* bzImage protected-mode part */
/* QEMU's pc acpi_data_size: room x86_load_linux leaves below the initrd. */
#define LINUX_ACPI_DATA_SIZE    0x28000u

/* Boot GDT selectors (boot.rst: __BOOT_CS, __BOOT_DS). */
#define LINUX_BOOT_CS           0x10
#define LINUX_BOOT_DS           0x18

/* --- the setup header (boot.rst "The Real-Mode Kernel Header") ----------- */

#define LINUX_HDRS_MAGIC        0x53726448u /* "HdrS" at 0x202 */

/* loadflags */
#define LINUX_LOADED_HIGH       0x01
#define LINUX_CAN_USE_HEAP      0x80
/* xloadflags (2.12+) */
#define LINUX_XLF_KERNEL_64                 (1u << 0)
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G    (1u << 1)

/* type_of_loader: QEMU's (0xB = "Qemu", revision 0). */
#define LINUX_TYPE_OF_LOADER    0xb0

/* Offsets in the file and in struct boot_params (the header is copied to
 * the same offsets of the zero page). */
enum {
    LH_SETUP_SECTS = 0x1f1, LH_SYSSIZE = 0x1f4, LH_VID_MODE = 0x1fa,
    LH_BOOT_FLAG = 0x1fe, LH_JUMP = 0x200, LH_HEADER = 0x202,
    LH_VERSION = 0x206, LH_TYPE_OF_LOADER = 0x210, LH_LOADFLAGS = 0x211,
    LH_CODE32_START = 0x214, LH_RAMDISK_IMAGE = 0x218,
    LH_RAMDISK_SIZE = 0x21c, LH_HEAP_END_PTR = 0x224,
    LH_CMD_LINE_PTR = 0x228, LH_INITRD_ADDR_MAX = 0x22c,
    LH_KERNEL_ALIGNMENT = 0x230, LH_RELOCATABLE = 0x234,
    LH_XLOADFLAGS = 0x236, LH_CMDLINE_SIZE = 0x238,
    LH_PREF_ADDRESS = 0x258, LH_INIT_SIZE = 0x260,
    LH_END = 0x290,             /* end of struct setup_header's room */
    /* struct boot_params outside the header */
    BP_EXT_RAMDISK_IMAGE = 0x0c0, BP_EXT_RAMDISK_SIZE = 0x0c4,
    BP_EXT_CMD_LINE_PTR = 0x0c8, BP_ALT_MEM_K = 0x1e0,
    BP_E820_ENTRIES = 0x1e8, BP_SENTINEL = 0x1ef,
    BP_E820_TABLE = 0x2d0, BP_SIZE = 0x1000,
};
#define LINUX_E820_MAX_ZEROPAGE 128     /* entries in boot_params */

/* What x86_load_linux needs from a bzImage's header. */
typedef struct LinuxSetupHeader {
    uint16_t version;           /* boot protocol, 0x20f = 2.15 */
    uint32_t setup_size;        /* bytes: (setup_sects ?: 4) + 1 sectors */
    uint64_t kernel_size;       /* protected-mode part: file - setup */
    uint32_t header_end;        /* end of the header: 0x202 + byte 0x201 */
    uint8_t loadflags;
    uint16_t xloadflags;        /* 0 before 2.12 */
    uint32_t code32_start;
    uint32_t initrd_addr_max;   /* QEMU's: 0x37ffffff before 2.03 */
    uint32_t cmdline_size;      /* 255 before 2.06 */
    uint32_t init_size;         /* 0 before 2.10 */
} LinuxSetupHeader;

/**
 * linux_parse_setup_header: read the setup header of the @len-byte file
 * in @buf.  Returns 1 (filled @h), 0 if there is no "HdrS" magic (not a
 * bzImage; @errp untouched), -1 with @errp set if the header is unusable:
 * "invalid kernel header" (QEMU's: the setup sectors are longer than the
 * file), or a syssize (2.04+) past the end of the file ("kernel file is
 * truncated: ...").  Fields past the header's end (0x202 + the byte at
 * 0x201) or newer than its version read as their defaults.
 */
int linux_parse_setup_header(const uint8_t *buf, size_t len,
                             LinuxSetupHeader *h, Error **errp);

/* --- PVH (the x86/HVM direct boot ABI) ----------------------------------- */

#define XEN_ELFNOTE_PHYS32_ENTRY    18
#define XEN_HVM_START_MAGIC_VALUE   0x336ec578u

/* struct hvm_start_info (version 1), hvm_modlist_entry, and
 * hvm_memmap_table_entry: offsets and sizes. */
enum {
    HSI_MAGIC = 0, HSI_VERSION = 4, HSI_FLAGS = 8, HSI_NR_MODULES = 12,
    HSI_MODLIST_PADDR = 16, HSI_CMDLINE_PADDR = 24, HSI_RSDP_PADDR = 32,
    HSI_MEMMAP_PADDR = 40, HSI_MEMMAP_ENTRIES = 48, HSI_SIZE = 56,
    HVM_MODLIST_ENTRY_SIZE = 32,    /* paddr, size, cmdline_paddr, 0 */
    HVM_MEMMAP_ENTRY_SIZE = 24,     /* addr, size, type, 0 */
};
/* Where the module list and memory map follow hvm_start_info. */
#define LINUX_PVH_MODLIST_ADDR  (LINUX_ZERO_PAGE_ADDR + 0x40)
#define LINUX_PVH_MEMMAP_ADDR   (LINUX_ZERO_PAGE_ADDR + 0x80)

/**
 * pvh_find_entry: the PVH entry point of the ELF file in @buf: the
 * descriptor (4 or 8 bytes, little endian) of the first "Xen" note of
 * type XEN_ELFNOTE_PHYS32_ENTRY in a PT_NOTE segment.  Returns 1 (set
 * *@entry), 0 if @buf is an ELF file without such a note, -1 with @errp
 * set if the ELF or note headers are malformed or the entry is not a
 * 32-bit address.
 */
int pvh_find_entry(const uint8_t *buf, size_t len, uint32_t *entry,
                   Error **errp);

/* --- the e820 map -------------------------------------------------------- */

#define E820_RAM        1
#define E820_RESERVED   2

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} E820Entry;

/**
 * x86_e820_build: the map described in the header comment, for the RAM
 * mapped in @as (writable RAM regions contiguous from 0, from 1 MiB and
 * from 4 GiB).  Fills up to @max entries of @e, in address order; returns
 * how many.
 */
unsigned x86_e820_build(AddressSpace *as, E820Entry *e, unsigned max);

/* End of the writable RAM contiguous from 1 MiB below 4 GiB (QEMU's
 * below_4g_mem_size when RAM starts at 0), or 0 if there is none. */
uint64_t x86_low_ram_end(AddressSpace *as);

/* --- loading -------------------------------------------------------------- */

typedef struct LinuxBootConfig {
    const char *kernel_filename;
    const char *initrd_filename;    /* NULL: none */
    const char *cmdline;            /* -append; NULL or "" if none */
} LinuxBootConfig;

/**
 * x86_load_linux: load @cfg's kernel (bzImage or PVH ELF, see the header
 * comment), its initrd and command line into @as, write the boot
 * structures, and set @bs to enter the kernel (the BSP's reset applies
 * it).  Errors are QEMU's messages where QEMU has one ("invalid kernel
 * header", "linux kernel too old to load a ram disk", "initrd is too
 * large, cannot support.(max: M, need N)", "error reading initrd F: ...",
 * "invalid 'vga=' kernel parameter.", "Error loading uncompressed kernel
 * without PVH ELF Note", "Error while loading elf kernel: ..."), and
 * otherwise say what does not fit ("initrd (0xA..0xB) overlaps kernel
 * (...)", "kernel (0xA..0xB) is not in guest RAM", ...).  Nothing is
 * written on failure.  The machine calls it again at system_reset (the
 * guest may have overwritten what it wrote).
 */
bool x86_load_linux(AddressSpace *as, const LinuxBootConfig *cfg,
                    X86BootState *bs, Error **errp);

#endif /* HW_I386_LINUX_BOOT_H */
