/*
 * loader.h - putting images into guest memory: ELF executables and raw
 * blobs (the parts of QEMU 7.2's hw/core/loader.c and
 * include/hw/elf_ops.h that -kernel and -device loader need).
 *
 * Images are untrusted input.  An ELF file is parsed completely before
 * anything is written: every header, offset and size is checked against
 * the file and for overflow, segments may not overlap, and every byte
 * must land in guest RAM (address_space_map_ram); a file that fails any
 * check is refused with an error and guest memory is left untouched.
 *
 * Differences from QEMU: QEMU turns images into "ROM blobs" copied into
 * RAM at every system reset, and silently drops bytes that land outside
 * RAM; here images are written when loaded (callers that must survive a
 * reset write them again), and a segment outside RAM is an error.
 * Not modelled: big-endian ELF, relocation, symbols, notes (PVH), uImage,
 * Intel HEX, compressed images.
 *
 * Threads: main thread (big lock), before or while the vCPUs are paused.
 */
#ifndef HW_CORE_LOADER_H
#define HW_CORE_LOADER_H

#include "hw/core/memory.h"

/* One PT_LOAD segment to place: @filesz bytes of @data, then zeroes up to
 * @memsz, at guest physical address @addr. */
typedef struct ElfSegment {
    hwaddr addr;
    const uint8_t *data;        /* into the file buffer (borrowed) */
    uint64_t filesz;
    uint64_t memsz;             /* >= filesz, > 0 */
} ElfSegment;

/* A parsed ELF image (elf_parse); release with elf_image_clear. */
typedef struct ElfImage {
    int elf_class;              /* ELFCLASS32 or ELFCLASS64 */
    uint16_t machine;           /* e_machine */
    uint64_t entry;             /* physical, adjusted as QEMU's load_elf */
    uint64_t low, high;         /* [low, high): all segments */
    GArray *segments;           /* ElfSegment, sorted by addr */
} ElfImage;

/**
 * elf_parse: check and index the little-endian ELF file in @buf (@len
 * bytes; it must outlive @img).  Only PT_LOAD segments with a non-zero
 * memory size count; they are placed at their physical addresses.
 * @elf_class: ELFCLASS32 or ELFCLASS64 to require one, 0 for either.
 * @machine: the e_machine to require, or 0 for any.
 * Returns 1 (parsed), 0 if @buf is not an ELF file at all (no magic;
 * @errp untouched), or -1 with @errp set, e.g. "program headers are
 * outside the file", "segment 1 (0x200000..0x2fffff) overlaps segment 0",
 * "wrong ELF class", "wrong machine type 62".
 */
int elf_parse(const uint8_t *buf, size_t len, int elf_class,
              uint16_t machine, ElfImage *img, Error **errp);

/* Free what elf_parse allocated (idempotent). */
void elf_image_clear(ElfImage *img);

/**
 * loader_check_ram: true if [@addr, @addr + @len) is writable guest RAM
 * in @as (one contiguous RAM region), else false with @errp set to
 * "WHAT (0xA..0xB) is not in guest RAM".  @len 0 is true.
 */
bool loader_check_ram(AddressSpace *as, hwaddr addr, uint64_t len,
                      const char *what, Error **errp);

/* Write @filesz bytes of @data then zeroes up to @memsz at @addr, which
 * loader_check_ram accepted.  Returns false with @errp if it is no
 * longer RAM. */
bool loader_write(AddressSpace *as, hwaddr addr, const uint8_t *data,
                  uint64_t filesz, uint64_t memsz, Error **errp);

/**
 * loader_write_rom: QEMU's address_space_write_rom(), how its ROM blobs
 * reach memory: the parts of [@addr, @addr + @len) that are RAM or ROM
 * get @data, the rest (I/O, unassigned) is skipped - no device callback
 * runs.  A range past 2^64 - 1 is cut there.
 */
void loader_write_rom(AddressSpace *as, hwaddr addr, const uint8_t *data,
                      uint64_t len);

/**
 * elf_image_load: check that every segment of @img is in RAM of @as,
 * then write them all.  Returns false with @errp set ("segment N
 * (0xA..0xB) is not in guest RAM") before writing anything.
 */
bool elf_image_load(ElfImage *img, AddressSpace *as, Error **errp);

#endif /* HW_CORE_LOADER_H */
