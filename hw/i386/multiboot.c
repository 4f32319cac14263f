/*
 * multiboot.c - Multiboot v1 kernels (-kernel), loaded straight into
 * guest RAM (QEMU 7.2's hw/i386/multiboot.c plus the work of its
 * pc-bios/optionrom/multiboot.S: memory map, mem_lower/upper, entry).
 * See include/hw/i386/multiboot.h for the layout and the interface.
 *
 * Modelled (Multiboot spec 0.6.96): the header search, ELF32 kernels
 * (p_paddr of each PT_LOAD), the a.out kludge (header address fields),
 * modules from -initrd, the information structure with memory, boot
 * device, command line, modules, memory map and boot loader name ("qemu",
 * QEMU's, so that guests print the same under both).
 * Not modelled: video mode (QEMU warns "multiboot knows VBE. we don't."
 * and so do we), a.out symbol tables, ELF section headers, drives,
 * APM, Multiboot2.
 *
 * The kernel file is untrusted: the plan (what goes where) is computed
 * and checked in full before the first byte is written.  QEMU exits on
 * errors; we return them.
 */
#include "util/osdep.h"
#include <elf.h>
#include <fcntl.h>
#include "util/error-report.h"
#include "hw/core/loader.h"
#include "hw/i386/multiboot.h"

#define MB_PAGE_SIZE    4096u
#define MB_MOD_SIZE     16u             /* mod_start, mod_end, cmdline, 0 */
#define MB_MMAP_ENTRY   24u             /* size, base (8), length (8), type */
#define E820_RAM        1
#define E820_RESERVED   2
#define KiB             UINT64_C(1024)
#define MiB             (KiB * 1024)
#define GiB4            (UINT64_C(1) << 32)

static const char bootloader_name[] = "qemu";

/* A piece of guest memory to fill. */
typedef struct MbPiece {
    const char *what;           /* for errors: "kernel", "module 'm'" */
    hwaddr addr;
    const uint8_t *data;        /* @filesz bytes (borrowed) */
    uint64_t filesz, memsz;     /* zero-filled from filesz to memsz */
} MbPiece;

static uint32_t rd32(const uint8_t *buf, size_t len, size_t off)
{
    uint32_t v = 0;

    for (int i = 3; i >= 0; i--) {
        v = v << 8 | (off + i < len ? buf[off + i] : 0);
    }
    return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static uint64_t page_align(uint64_t v)
{
    return (v + MB_PAGE_SIZE - 1) & ~(uint64_t)(MB_PAGE_SIZE - 1);
}

/* --- finding the header ------------------------------------------------- */

bool multiboot_find_header(const uint8_t *buf, size_t len,
                           MultibootHeader *mh)
{
    /* QEMU: "The header is 12x32bit long, so the latest entry may be
     * 8192 - 48." */
    for (size_t i = 0; i < MULTIBOOT_SEARCH - 48 && i + 12 <= len; i += 4) {
        uint32_t flags = rd32(buf, len, i + 4);

        if (rd32(buf, len, i) != MULTIBOOT_HEADER_MAGIC ||
            MULTIBOOT_HEADER_MAGIC + flags + rd32(buf, len, i + 8) != 0) {
            continue;
        }
        *mh = (MultibootHeader) {
            .offset = i,
            .flags = flags,
            .header_addr = rd32(buf, len, i + 12),
            .load_addr = rd32(buf, len, i + 16),
            .load_end_addr = rd32(buf, len, i + 20),
            .bss_end_addr = rd32(buf, len, i + 24),
            .entry_addr = rd32(buf, len, i + 28),
        };
        return true;
    }
    return false;
}

/* Read the whole file; QEMU's message if it cannot be opened. */
static bool mb_read_file(const char *filename, uint8_t **buf, size_t *len,
                         Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    gchar *contents;
    gsize size;
    int fd = open(filename, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open kernel file '%s'",
                         filename);
        return false;
    }
    close(fd);
    if (!g_file_get_contents(filename, &contents, &size, &gerr)) {
        error_setg(errp, "could not read kernel file '%s': %s", filename,
                   gerr->message);
        return false;
    }
    *buf = (uint8_t *)contents;
    *len = size;
    return true;
}

int multiboot_probe(const char *kernel_filename, Error **errp)
{
    g_autofree uint8_t *buf = NULL;
    MultibootHeader mh;
    size_t len;

    if (!mb_read_file(kernel_filename, &buf, &len, errp)) {
        return -1;
    }
    return multiboot_find_header(buf, len, &mh);
}

/* --- the kernel ---------------------------------------------------------- */

/* ELF kernel: its segments, load range and entry (QEMU: load_elf). */
static bool mb_plan_elf(const uint8_t *buf, size_t len, ElfImage *img,
                        GArray *pieces, uint32_t *load_addr,
                        uint32_t *kernel_size, uint32_t *entry, Error **errp)
{
    Error *local_err = NULL;

    if (len >= 20 && (buf[18] | buf[19] << 8) == EM_X86_64) {
        error_setg(errp, "Cannot load x86-64 image, give a 32bit one.");
        return false;
    }
    if (elf_parse(buf, len, ELFCLASS32, EM_386, img, &local_err) <= 0) {
        if (!local_err) {
            error_setg(&local_err, "not an ELF file, and the Multiboot "
                       "header has no address fields (flag 16)");
        }
        error_propagate_prepend(errp, local_err,
                                "Error while loading elf kernel: ");
        return false;
    }
    for (guint i = 0; i < img->segments->len; i++) {
        ElfSegment *s = &g_array_index(img->segments, ElfSegment, i);
        MbPiece p = { "kernel", s->addr, s->data, s->filesz, s->memsz };

        g_array_append_val(pieces, p);
    }
    *load_addr = img->low;
    *kernel_size = img->high - img->low;
    *entry = img->entry;
    return true;
}

/* a.out kludge: the header's address fields (QEMU's checks, then ours). */
static bool mb_plan_aout(const uint8_t *buf, size_t len,
                         const MultibootHeader *mh, GArray *pieces,
                         uint32_t *load_addr, uint32_t *kernel_size,
                         uint32_t *entry, Error **errp)
{
    uint32_t text_offset, load_size;
    MbPiece p = { .what = "kernel" };

    if (mh->offset + 32 > len) {
        error_setg(errp, "multiboot header at offset 0x%" PRIx32 " is "
                   "truncated", mh->offset);
        return false;
    }
    if (mh->header_addr < mh->load_addr) {
        error_setg(errp, "invalid load_addr address");
        return false;
    }
    if (mh->header_addr - mh->load_addr > mh->offset) {
        error_setg(errp, "invalid header_addr address");
        return false;
    }
    text_offset = mh->offset - (mh->header_addr - mh->load_addr);
    if (mh->load_end_addr) {
        if (mh->load_end_addr < mh->load_addr) {
            error_setg(errp, "invalid load_end_addr address");
            return false;
        }
        load_size = mh->load_end_addr - mh->load_addr;
    } else {
        load_size = len - text_offset;  /* text_offset <= offset < len */
    }
    if (load_size > UINT32_MAX - mh->load_addr) {
        error_setg(errp, "kernel does not fit in address space");
        return false;
    }
    if (load_size > len - text_offset) {
        /* QEMU: fread() comes back short. */
        error_setg(errp, "kernel file is truncated: 0x%" PRIx32 " bytes "
                   "at offset 0x%" PRIx32 " expected", load_size,
                   text_offset);
        return false;
    }
    if (mh->bss_end_addr) {
        if (mh->bss_end_addr < mh->load_addr + load_size) {
            error_setg(errp, "invalid bss_end_addr address");
            return false;
        }
        *kernel_size = mh->bss_end_addr - mh->load_addr;
    } else {
        *kernel_size = load_size;
    }
    p.addr = mh->load_addr;
    p.data = buf + text_offset;
    p.filesz = load_size;
    p.memsz = *kernel_size;
    if (p.memsz) {
        g_array_append_val(pieces, p);
    }
    *load_addr = mh->load_addr;
    *entry = mh->entry_addr;
    return true;
}

/* --- memory map ---------------------------------------------------------- */

/* End of the RAM that runs contiguously from @start (up to @limit). */
static uint64_t mb_ram_end(FlatView *fv, uint64_t start, uint64_t limit)
{
    uint64_t addr = start;

    while (addr < limit) {
        const FlatRange *fr = flatview_lookup(fv, addr);

        if (!fr || !memory_region_is_ram(fr->mr) || fr->readonly) {
            break;
        }
        if (fr->last >= limit - 1) {
            return limit;
        }
        addr = fr->last + 1;
    }
    return addr;
}

static void mb_mmap_add(GByteArray *mmap, uint64_t base, uint64_t length,
                        uint32_t type)
{
    uint8_t e[MB_MMAP_ENTRY];

    wr32(e, MB_MMAP_ENTRY - 4);         /* size, not counting itself */
    wr32(e + 4, base);
    wr32(e + 8, base >> 32);
    wr32(e + 12, length);
    wr32(e + 16, length >> 32);
    wr32(e + 20, type);
    g_byte_array_append(mmap, e, sizeof(e));
}

/*
 * The map SeaBIOS would give through int 15h/e820, for the RAM in @as:
 * fills @mmap and the info's mem_lower/mem_upper (KiB), as multiboot.S
 * derives them (int 12h; RAM contiguous from 1 MiB).
 */
static void mb_build_mmap(AddressSpace *as, GByteArray *mmap, uint8_t *mbi)
{
    FlatView *fv = address_space_get_flatview(as);
    uint64_t low = mb_ram_end(fv, 0, 0x9fc00);
    uint64_t below_4g = mb_ram_end(fv, MiB, GiB4);
    uint64_t above_4g = mb_ram_end(fv, GiB4, UINT64_MAX) - GiB4;

    flatview_unref(fv);
    mb_mmap_add(mmap, 0, low, E820_RAM);
    if (low == 0x9fc00) {
        mb_mmap_add(mmap, 0x9fc00, 0x400, E820_RESERVED);   /* EBDA */
    }
    mb_mmap_add(mmap, 0xf0000, 0x10000, E820_RESERVED);     /* BIOS */
    if (below_4g > MiB) {
        mb_mmap_add(mmap, MiB, below_4g - MiB, E820_RAM);
    }
    if (above_4g) {
        mb_mmap_add(mmap, GiB4, above_4g, E820_RAM);
    }
    wr32(mbi + MBI_MEM_LOWER, low / KiB);
    wr32(mbi + MBI_MEM_UPPER, (below_4g - MiB) / KiB);
}

/* --- modules and the info area (QEMU's MultibootState) ------------------ */

typedef struct MbLayout {
    uint32_t buf_phys;          /* QEMU's mb_buf_phys: the load address */
    uint64_t buf_size;          /* QEMU's mb_buf_size: grows with modules */
    uint64_t offset_mbinfo;     /* module list, from buf_phys */
    uint64_t offset_cmdlines;
    uint64_t offset_bootloader;
    GByteArray *info;           /* bytes from offset_mbinfo on */
    GPtrArray *modules;         /* file contents, g_free'd */
    uint32_t mods_count;
} MbLayout;

/* Split -initrd at single commas (",," is a comma), as get_opt_value. */
static GPtrArray *mb_split_modules(const char *initrd)
{
    GPtrArray *mods = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);

    for (const char *p = initrd;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            g_ptr_array_add(mods, g_string_free(cur, false));
            if (!*p) {
                break;
            }
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    return mods;
}

static uint32_t mb_add_string(MbLayout *l, uint64_t *offset, const char *s)
{
    uint64_t at = *offset;

    memcpy(l->info->data + (at - l->offset_mbinfo), s, strlen(s) + 1);
    *offset += strlen(s) + 1;
    return l->buf_phys + at;
}

static bool mb_load_modules(MbLayout *l, GPtrArray *mods, GArray *pieces,
                            Error **errp)
{
    for (guint i = 0; i < mods->len; i++) {
        const char *spec = g_ptr_array_index(mods, i);
        g_autofree char *path = g_strndup(spec, strcspn(spec, " "));
        g_autoptr(GError) gerr = NULL;
        uint32_t cmdline = mb_add_string(l, &l->offset_cmdlines, spec);
        uint64_t offs = l->buf_size;
        uint8_t *entry;
        gchar *data;
        gsize size;
        MbPiece p;

        if (!g_file_get_contents(path, &data, &size, &gerr)) {
            error_setg(errp, "Failed to open file '%s'", path);
            return false;
        }
        g_ptr_array_add(l->modules, data);
        if (size > GiB4 || l->buf_phys + offs + size > GiB4) {
            error_setg(errp, "module '%s' does not fit below 4 GiB", path);
            return false;
        }
        l->buf_size = page_align(offs + size);
        entry = l->info->data + MB_MOD_SIZE * l->mods_count;
        wr32(entry + 0, l->buf_phys + offs);
        wr32(entry + 4, l->buf_phys + offs + size);
        wr32(entry + 8, cmdline);
        l->mods_count++;
        p = (MbPiece) { "module", l->buf_phys + offs, (uint8_t *)data,
                        size, size };
        g_array_append_val(pieces, p);
    }
    return true;
}

/* Lay out what follows the kernel, QEMU's way; fills @mbi's pointers. */
static bool mb_plan_info(MbLayout *l, uint32_t load_addr,
                         uint32_t kernel_size, const char *kernel_filename,
                         const char *kernel_cmdline, const char *initrd,
                         GArray *pieces, uint8_t *mbi, Error **errp)
{
    g_autoptr(GPtrArray) mods = initrd ? mb_split_modules(initrd)
                                       : g_ptr_array_new();
    g_autofree char *kcmdline = g_strdup_printf("%s %s", kernel_filename,
                                                kernel_cmdline);
    uint64_t cmdline_len = strlen(kcmdline) + 1;
    uint64_t info_end;
    MbPiece p;

    l->buf_phys = load_addr;
    l->offset_mbinfo = page_align(kernel_size);
    if (initrd) {
        cmdline_len += strlen(initrd) + 1;
    }
    l->offset_cmdlines = l->offset_mbinfo + MB_MOD_SIZE * mods->len;
    l->offset_bootloader = l->offset_cmdlines + cmdline_len;
    info_end = l->offset_bootloader + sizeof(bootloader_name);
    l->buf_size = page_align(info_end);
    if (load_addr + l->buf_size > GiB4) {
        error_setg(errp, "kernel does not fit in address space");
        return false;
    }
    l->info = g_byte_array_sized_new(info_end - l->offset_mbinfo);
    g_byte_array_set_size(l->info, info_end - l->offset_mbinfo);
    memset(l->info->data, 0, l->info->len);

    if (!mb_load_modules(l, mods, pieces, errp)) {
        return false;
    }
    wr32(mbi + MBI_CMDLINE, mb_add_string(l, &l->offset_cmdlines, kcmdline));
    wr32(mbi + MBI_BOOT_LOADER_NAME,
         mb_add_string(l, &l->offset_bootloader, bootloader_name));
    wr32(mbi + MBI_MODS_ADDR, load_addr + l->offset_mbinfo);
    wr32(mbi + MBI_MODS_COUNT, l->mods_count);

    p = (MbPiece) { "multiboot information", load_addr + l->offset_mbinfo,
                    l->info->data, l->info->len, l->info->len };
    g_array_append_val(pieces, p);
    return true;
}

/* --- checking and writing ------------------------------------------------ */

static gint mb_piece_cmp(gconstpointer a, gconstpointer b)
{
    const MbPiece *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Every piece in RAM, none overlapping another. */
static bool mb_check_pieces(AddressSpace *as, GArray *pieces, Error **errp)
{
    g_array_sort(pieces, mb_piece_cmp);
    for (guint i = 0; i < pieces->len; i++) {
        MbPiece *p = &g_array_index(pieces, MbPiece, i);

        if (!loader_check_ram(as, p->addr, p->memsz, p->what, errp)) {
            return false;
        }
        if (i > 0) {
            MbPiece *q = &g_array_index(pieces, MbPiece, i - 1);

            if (p->addr - q->addr < q->memsz) {
                error_setg(errp, "%s (0x%" HWADDR_PRIx ") overlaps %s "
                           "(0x%" HWADDR_PRIx "..0x%" HWADDR_PRIx ")",
                           p->what, p->addr, q->what, q->addr,
                           q->addr + q->memsz - 1);
                return false;
            }
        }
    }
    return true;
}

bool multiboot_load(MachineState *ms, const char *kernel_filename,
                    const char *kernel_cmdline, X86BootState *bs,
                    Error **errp)
{
    AddressSpace *as = address_space_memory_get();
    g_autofree uint8_t *buf = NULL;
    g_autoptr(GArray) pieces = g_array_new(false, false, sizeof(MbPiece));
    g_autoptr(GByteArray) mmap = g_byte_array_new();
    MbLayout layout = { .modules = g_ptr_array_new_with_free_func(g_free) };
    ElfImage img = { 0 };
    uint8_t mbi[MBI_SIZE] = { 0 };
    uint32_t load_addr, kernel_size, entry;
    MultibootHeader mh;
    size_t len;
    bool ok = false;
    MbPiece p;

    if (!mb_read_file(kernel_filename, &buf, &len, errp)) {
        goto out;
    }
    if (!multiboot_find_header(buf, len, &mh)) {
        error_setg(errp, "'%s' has no Multiboot header in its first 8 KiB",
                   kernel_filename);
        goto out;
    }
    if (mh.flags & MULTIBOOT_VIDEO_MODE) {
        error_report("multiboot knows VBE. we don't.");
    }
    if (!(mh.flags & MULTIBOOT_AOUT_KLUDGE)
        ? !mb_plan_elf(buf, len, &img, pieces, &load_addr, &kernel_size,
                       &entry, errp)
        : !mb_plan_aout(buf, len, &mh, pieces, &load_addr, &kernel_size,
                        &entry, errp)) {
        goto out;
    }
    if (!mb_plan_info(&layout, load_addr, kernel_size, kernel_filename,
                      kernel_cmdline ? kernel_cmdline : "",
                      ms->initrd_filename, pieces, mbi, errp)) {
        goto out;
    }

    /* What multiboot.bin fills in from firmware: memory and the map. */
    mb_build_mmap(as, mmap, mbi);
    wr32(mbi + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_BOOTDEV |
                          MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
                          MULTIBOOT_INFO_MEM_MAP |
                          MULTIBOOT_INFO_BOOT_LOADER_NAME);
    wr32(mbi + MBI_BOOT_DEVICE, 0x8000ffff);    /* QEMU's: first disk */
    wr32(mbi + MBI_MMAP_ADDR, MULTIBOOT_MMAP_ADDR);
    wr32(mbi + MBI_MMAP_LENGTH, mmap->len);
    p = (MbPiece) { "memory map", MULTIBOOT_MMAP_ADDR, mmap->data,
                    mmap->len, MULTIBOOT_INFO_ADDR - MULTIBOOT_MMAP_ADDR };
    g_array_append_val(pieces, p);
    p = (MbPiece) { "multiboot information", MULTIBOOT_INFO_ADDR, mbi,
                    MBI_SIZE, MBI_SIZE };
    g_array_append_val(pieces, p);

    if (!mb_check_pieces(as, pieces, errp)) {
        goto out;
    }
    for (guint i = 0; i < pieces->len; i++) {
        MbPiece *q = &g_array_index(pieces, MbPiece, i);

        if (!loader_write(as, q->addr, q->data, q->filesz, q->memsz, errp)) {
            goto out;
        }
    }
    *bs = (X86BootState) {
        .mode = X86_BOOT_PROTECTED32,
        .eip = entry,
        .eax = MULTIBOOT_BOOTLOADER_MAGIC,
        .ebx = MULTIBOOT_INFO_ADDR,
    };
    ok = true;
out:
    elf_image_clear(&img);
    if (layout.info) {
        g_byte_array_unref(layout.info);
    }
    g_ptr_array_unref(layout.modules);
    return ok;
}
