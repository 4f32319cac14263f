/*
 * loader.c - ELF and raw images into guest RAM (QEMU 7.2's
 * hw/core/loader.c and include/hw/elf_ops.h, reduced to what we load).
 * See include/hw/core/loader.h for the rules.
 *
 * The file is read whole by the caller; here every field is checked
 * before use, in this order: identification, header sizes, program
 * header table bounds, then each PT_LOAD segment (sizes, file range,
 * address range), then overlaps between segments.  Arithmetic that could
 * overflow is done as "a > limit - b" comparisons.
 */
#include "util/osdep.h"
#include <elf.h>
#include "hw/core/loader.h"

/* The fields we use of either class's program header. */
typedef struct Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz;
} Phdr;

static uint16_t le16(const uint8_t *p)
{
    return p[0] | (uint16_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Decode program header @p (of class @cls). */
static void phdr_read(const uint8_t *p, int cls, Phdr *ph)
{
    if (cls == ELFCLASS32) {
        ph->type = le32(p + offsetof(Elf32_Phdr, p_type));
        ph->offset = le32(p + offsetof(Elf32_Phdr, p_offset));
        ph->vaddr = le32(p + offsetof(Elf32_Phdr, p_vaddr));
        ph->paddr = le32(p + offsetof(Elf32_Phdr, p_paddr));
        ph->filesz = le32(p + offsetof(Elf32_Phdr, p_filesz));
        ph->memsz = le32(p + offsetof(Elf32_Phdr, p_memsz));
        ph->flags = le32(p + offsetof(Elf32_Phdr, p_flags));
    } else {
        ph->type = le32(p + offsetof(Elf64_Phdr, p_type));
        ph->flags = le32(p + offsetof(Elf64_Phdr, p_flags));
        ph->offset = le64(p + offsetof(Elf64_Phdr, p_offset));
        ph->vaddr = le64(p + offsetof(Elf64_Phdr, p_vaddr));
        ph->paddr = le64(p + offsetof(Elf64_Phdr, p_paddr));
        ph->filesz = le64(p + offsetof(Elf64_Phdr, p_filesz));
        ph->memsz = le64(p + offsetof(Elf64_Phdr, p_memsz));
    }
}

static gint segment_cmp(gconstpointer a, gconstpointer b)
{
    const ElfSegment *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Check one PT_LOAD segment and add it to @img. */
static bool elf_add_segment(ElfImage *img, const uint8_t *buf, size_t len,
                            unsigned idx, const Phdr *ph, uint64_t e_entry,
                            Error **errp)
{
    /* ELF32 addresses are 32-bit: a segment must end by 4 GiB. */
    uint64_t limit = img->elf_class == ELFCLASS32 ? UINT64_C(1) << 32
                                                  : UINT64_MAX;
    ElfSegment seg;

    if (ph->filesz > ph->memsz) {
        error_setg(errp, "segment %u: file size 0x%" PRIx64 " is larger "
                   "than its memory size 0x%" PRIx64, idx, ph->filesz,
                   ph->memsz);
        return false;
    }
    if (ph->offset > len || ph->filesz > len - ph->offset) {
        error_setg(errp, "segment %u: file range 0x%" PRIx64 "+0x%" PRIx64
                   " is outside the file (0x%zx bytes)", idx, ph->offset,
                   ph->filesz, len);
        return false;
    }
    if (ph->paddr > limit || ph->memsz > limit - ph->paddr) {
        error_setg(errp, "segment %u: 0x%" PRIx64 "+0x%" PRIx64 " does not "
                   "fit in the address space", idx, ph->paddr, ph->memsz);
        return false;
    }
    seg = (ElfSegment) {
        .addr = ph->paddr,
        .data = buf + ph->offset,
        .filesz = ph->filesz,
        .memsz = ph->memsz,
    };
    g_array_append_val(img->segments, seg);
    img->low = MIN(img->low, seg.addr);
    img->high = MAX(img->high, seg.addr + seg.memsz);
    /* QEMU's elf_ops.h: e_entry is virtual; if this executable segment's
     * virtual and physical addresses differ, translate it. */
    if (ph->vaddr != ph->paddr && (ph->flags & PF_X) &&
        e_entry >= ph->vaddr && e_entry - ph->vaddr < ph->filesz) {
        img->entry = e_entry - ph->vaddr + ph->paddr;
    }
    return true;
}

static bool elf_check_overlaps(ElfImage *img, Error **errp)
{
    g_array_sort(img->segments, segment_cmp);
    for (guint i = 1; i < img->segments->len; i++) {
        ElfSegment *a = &g_array_index(img->segments, ElfSegment, i - 1);
        ElfSegment *b = &g_array_index(img->segments, ElfSegment, i);

        if (b->addr - a->addr < a->memsz) {
            error_setg(errp, "segments overlap at 0x%" HWADDR_PRIx "..0x%"
                       HWADDR_PRIx, b->addr,
                       MIN(a->addr + a->memsz, b->addr + b->memsz) - 1);
            return false;
        }
    }
    return true;
}

int elf_parse(const uint8_t *buf, size_t len, int elf_class,
              uint16_t machine, ElfImage *img, Error **errp)
{
    uint64_t phoff, e_entry;
    size_t ehsize, phentsize;
    unsigned phnum;
    int cls;

    memset(img, 0, sizeof(*img));
    if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0) {
        return 0;
    }
    cls = buf[EI_CLASS];
    if (cls != ELFCLASS32 && cls != ELFCLASS64) {
        error_setg(errp, "unknown ELF class %d", cls);
        return -1;
    }
    if (elf_class && cls != elf_class) {
        error_setg(errp, "wrong ELF class (%d-bit)",
                   cls == ELFCLASS32 ? 32 : 64);
        return -1;
    }
    if (buf[EI_DATA] != ELFDATA2LSB) {
        error_setg(errp, "not a little-endian ELF file");
        return -1;
    }
    ehsize = cls == ELFCLASS32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr);
    phentsize = cls == ELFCLASS32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
    if (len < ehsize) {
        error_setg(errp, "ELF header is truncated");
        return -1;
    }
    img->elf_class = cls;
    img->machine = le16(buf + offsetof(Elf32_Ehdr, e_machine));
    if (machine && img->machine != machine) {
        error_setg(errp, "wrong machine type %u", img->machine);
        return -1;
    }
    if (cls == ELFCLASS32) {
        e_entry = le32(buf + offsetof(Elf32_Ehdr, e_entry));
        phoff = le32(buf + offsetof(Elf32_Ehdr, e_phoff));
        phnum = le16(buf + offsetof(Elf32_Ehdr, e_phnum));
        if (le16(buf + offsetof(Elf32_Ehdr, e_phentsize)) != phentsize &&
            phnum) {
            goto bad_phentsize;
        }
    } else {
        e_entry = le64(buf + offsetof(Elf64_Ehdr, e_entry));
        phoff = le64(buf + offsetof(Elf64_Ehdr, e_phoff));
        phnum = le16(buf + offsetof(Elf64_Ehdr, e_phnum));
        if (le16(buf + offsetof(Elf64_Ehdr, e_phentsize)) != phentsize &&
            phnum) {
            goto bad_phentsize;
        }
    }
    /* phnum <= 0xffff and phentsize <= 56: the product cannot overflow. */
    if (phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
        error_setg(errp, "program headers are outside the file");
        return -1;
    }

    img->entry = e_entry;
    img->low = UINT64_MAX;
    img->high = 0;
    img->segments = g_array_new(false, false, sizeof(ElfSegment));
    for (unsigned i = 0; i < phnum; i++) {
        Phdr ph;

        phdr_read(buf + phoff + (uint64_t)i * phentsize, cls, &ph);
        if (ph.type != PT_LOAD || ph.memsz == 0) {
            continue;
        }
        if (!elf_add_segment(img, buf, len, i, &ph, e_entry, errp)) {
            goto fail;
        }
    }
    if (img->segments->len == 0) {
        error_setg(errp, "no loadable segment");
        goto fail;
    }
    if (!elf_check_overlaps(img, errp)) {
        goto fail;
    }
    return 1;

bad_phentsize:
    error_setg(errp, "unexpected program header size");
    return -1;
fail:
    elf_image_clear(img);
    return -1;
}

void elf_image_clear(ElfImage *img)
{
    g_clear_pointer(&img->segments, g_array_unref);
}

bool loader_check_ram(AddressSpace *as, hwaddr addr, uint64_t len,
                      const char *what, Error **errp)
{
    if (len == 0) {
        return true;
    }
    if (!as || !address_space_map_ram(as, addr, len, true)) {
        error_setg(errp, "%s (0x%" HWADDR_PRIx "..0x%" HWADDR_PRIx ") is "
                   "not in guest RAM", what, addr, addr + (len - 1));
        return false;
    }
    return true;
}

bool loader_write(AddressSpace *as, hwaddr addr, const uint8_t *data,
                  uint64_t filesz, uint64_t memsz, Error **errp)
{
    uint8_t *host;

    if (memsz == 0) {
        return true;
    }
    host = address_space_map_ram(as, addr, memsz, true);
    if (!host) {
        return loader_check_ram(as, addr, memsz, "image", errp);
    }
    memcpy(host, data, filesz);
    memset(host + filesz, 0, memsz - filesz);
    return true;
}

void loader_write_rom(AddressSpace *as, hwaddr addr, const uint8_t *data,
                      uint64_t len)
{
    FlatView *fv = address_space_get_flatview(as);

    if (len && addr + (len - 1) < addr) {
        len = -addr;                    /* stop at the top of the space */
    }
    while (len) {
        const FlatRange *fr = flatview_lookup(fv, addr);
        uint64_t chunk = len;

        if (fr) {
            uint64_t room = fr->last - addr;     /* bytes left - 1 */

            chunk = room >= len - 1 ? len : room + 1;
            if (memory_region_is_ram(fr->mr)) {
                uint8_t *host = memory_region_get_ram_ptr(fr->mr);

                memcpy(host + fr->offset_in_region + (addr - fr->start), data,
                       chunk);
            }
        } else {
            /* Unassigned: skip to the next range, or to the end. */
            for (unsigned i = 0; i < fv->nr; i++) {
                if (fv->ranges[i].start > addr) {
                    chunk = MIN(len, fv->ranges[i].start - addr);
                    break;
                }
            }
        }
        data += chunk;
        addr += chunk;
        len -= chunk;
    }
    flatview_unref(fv);
}

bool elf_image_load(ElfImage *img, AddressSpace *as, Error **errp)
{
    for (guint i = 0; i < img->segments->len; i++) {
        ElfSegment *s = &g_array_index(img->segments, ElfSegment, i);
        g_autofree char *what = g_strdup_printf("ELF segment %u", i);

        if (!loader_check_ram(as, s->addr, s->memsz, what, errp)) {
            return false;
        }
    }
    for (guint i = 0; i < img->segments->len; i++) {
        ElfSegment *s = &g_array_index(img->segments, ElfSegment, i);

        if (!loader_write(as, s->addr, s->data, s->filesz, s->memsz, errp)) {
            return false;
        }
    }
    return true;
}
