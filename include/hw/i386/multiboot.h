/*
 * multiboot.h - loading a Multiboot v1 kernel (-kernel) without firmware
 * (QEMU 7.2's hw/i386/multiboot.c together with what its multiboot.bin
 * option ROM does: the memory map, mem_lower/mem_upper, the entry state).
 *
 * The PC machine, given -kernel FILE:
 *
 *   switch (multiboot_probe(FILE, errp)) {
 *   case 1:  multiboot_load(ms, FILE, ms->kernel_cmdline,
 *                           x86_boot_state(), errp);  ... boot it
 *   case 0:  not Multiboot: try the next format (Linux/PVH; QEMU then
 *            says "Error loading uncompressed kernel without PVH ELF
 *            Note" for an ELF it cannot boot)
 *   case -1: the file cannot be read (errp set)
 *   }
 *
 * Guest memory after multiboot_load (QEMU's layout):
 *   the kernel          at its load address (ELF: p_paddr of each
 *                       PT_LOAD segment; a.out kludge: header fields)
 *   module list, command lines, boot loader name "qemu"
 *                       from the first page boundary after the kernel
 *   modules (-initrd A,B: each "path args", ",," for a comma)
 *                       page aligned, after those
 *   memory map          at 0x9000 (MULTIBOOT_MMAP_ADDR)
 *   Multiboot info      at 0x9500 (MULTIBOOT_INFO_ADDR)
 * and the boot CPU's entry state: 32-bit protected mode, EIP = entry,
 * EAX = 0x2BADB002, EBX = 0x9500.
 *
 * Threads: main thread, vCPUs not running.
 */
#ifndef HW_I386_MULTIBOOT_H
#define HW_I386_MULTIBOOT_H

#include "machine/machine.h"
#include "hw/i386/x86-boot.h"

#define MULTIBOOT_HEADER_MAGIC      0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC  0x2BADB002u
/* The header must start in the first 8 KiB of the file (and fit there:
 * QEMU stops looking 48 bytes before the end). */
#define MULTIBOOT_SEARCH            8192
#define MULTIBOOT_MMAP_ADDR         0x9000u
#define MULTIBOOT_INFO_ADDR         0x9500u

/* Header flags (Multiboot spec 3.1.2) and info flags (3.3). */
#define MULTIBOOT_PAGE_ALIGN        (1u << 0)
#define MULTIBOOT_MEMORY_INFO       (1u << 1)
#define MULTIBOOT_VIDEO_MODE        (1u << 2)
#define MULTIBOOT_AOUT_KLUDGE       (1u << 16)

#define MULTIBOOT_INFO_MEMORY       (1u << 0)
#define MULTIBOOT_INFO_BOOTDEV      (1u << 1)
#define MULTIBOOT_INFO_CMDLINE      (1u << 2)
#define MULTIBOOT_INFO_MODS         (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP      (1u << 6)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME (1u << 9)

/* Byte offsets in the info structure (88 bytes, as QEMU fills it). */
enum {
    MBI_FLAGS = 0, MBI_MEM_LOWER = 4, MBI_MEM_UPPER = 8,
    MBI_BOOT_DEVICE = 12, MBI_CMDLINE = 16, MBI_MODS_COUNT = 20,
    MBI_MODS_ADDR = 24, MBI_MMAP_LENGTH = 44, MBI_MMAP_ADDR = 48,
    MBI_BOOT_LOADER_NAME = 64, MBI_SIZE = 88,
};

/* A Multiboot header as found in the file. */
typedef struct MultibootHeader {
    uint32_t offset;            /* in the file */
    uint32_t flags;
    /* With MULTIBOOT_AOUT_KLUDGE only: */
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
    uint32_t entry_addr;
} MultibootHeader;

/**
 * multiboot_find_header: QEMU's search: a 4-byte aligned magic followed
 * by flags and a checksum that make the three sum to 0, within the first
 * MULTIBOOT_SEARCH bytes of @buf (@len bytes).  Address fields past the
 * end of @buf read as 0.  Returns true and fills @mh if found.
 */
bool multiboot_find_header(const uint8_t *buf, size_t len,
                           MultibootHeader *mh);

/**
 * multiboot_probe: is @kernel_filename a Multiboot kernel?  Returns 1 if
 * it has a Multiboot header, 0 if not (another loader may try), -1 with
 * @errp set if it cannot be read ("could not open kernel file 'F': ...").
 */
int multiboot_probe(const char *kernel_filename, Error **errp);

/**
 * multiboot_load: load @kernel_filename, the modules of
 * @ms->initrd_filename (if any), and the Multiboot information into
 * guest RAM (address_space_memory_get()), and set @bs to enter the kernel.
 * @kernel_cmdline: -append ("" if none); the kernel sees
 *   "KERNEL_FILENAME KERNEL_CMDLINE", as with QEMU.
 * The memory map describes the RAM of the address space: [0, 0x9fc00)
 * and RAM from 1 MiB up to the first hole below 4 GiB as usable, 0x9fc00
 * (EBDA) and 0xf0000 (BIOS) reserved, RAM from 4 GiB usable.
 * Errors: QEMU's messages where QEMU checks ("Cannot load x86-64 image,
 * give a 32bit one.", "Error while loading elf kernel: ...", "invalid
 * load_addr address", "Failed to open file 'M'", ...), and for what
 * QEMU does not check, what is wrong: anything that would land outside
 * RAM or on the Multiboot information, overlapping segments, a file too
 * short for its header.  Nothing is written unless everything fits.
 */
bool multiboot_load(MachineState *ms, const char *kernel_filename,
                    const char *kernel_cmdline, X86BootState *bs,
                    Error **errp);

#endif /* HW_I386_MULTIBOOT_H */
