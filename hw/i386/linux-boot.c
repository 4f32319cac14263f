/*
 * linux-boot.c - Linux kernels without firmware: bzImage through the
 * 32- or 64-bit boot protocol, vmlinux through PVH (QEMU 7.2's
 * hw/i386/x86.c x86_load_linux/load_elfboot, plus what its option ROMs
 * linuxboot_dma.bin and pvh.bin, and SeaBIOS before them, leave for the
 * kernel).  Layout and interface: include/hw/i386/linux-boot.h.
 *
 * Modelled (Documentation/x86/boot.rst): the setup header of protocols
 * 2.02-2.15, the zero page (struct boot_params) with the header copied,
 * command line, initrd, vid_mode from "vga=", heap, type_of_loader 0xb0
 * (QEMU's), and the e820 table; the 64-bit entry ("64-bit Boot
 * Protocol": identity page tables, GDT, RSI) for kernels with
 * XLF_KERNEL_64, the 32-bit entry ("32-bit Boot Protocol") otherwise.
 * PVH (xen/include/public/arch-x86/hvm/start_info.h): PT_LOAD segments
 * at p_paddr, hvm_start_info version 1 with the command line, the initrd
 * as module 0 and the memory map, entry at XEN_ELFNOTE_PHYS32_ENTRY in
 * 32-bit protected mode with EBX = start_info.
 * Not modelled: the 16-bit entry (real-mode setup code needs BIOS
 * services: protocols before 2.02 are refused), -dtb (setup_data), EFI
 * handover, initrds above 4 GiB (ext_ramdisk_image; QEMU does not use it
 * either), ACPI (rsdp_paddr 0).  At system_reset the machine loads
 * the files again (QEMU re-copies its ROM blobs).
 *
 * The files are untrusted: every offset and size is checked against the
 * file, the plan (what goes where) is checked against guest RAM and for
 * overlaps in full, and only then is anything written.
 */
#include "util/osdep.h"
#include <elf.h>
#include "accel/kvm.h"
#include "hw/core/loader.h"
#include "hw/i386/linux-boot.h"

#define KiB             UINT64_C(1024)
#define MiB             (KiB * 1024)
#define GiB4            (UINT64_C(1) << 32)
#define PAGE_SIZE       4096u
#define EBDA_ADDR       0x9fc00u
#define BIOS_AREA_ADDR  0xf0000u

/* --- little-endian access ------------------------------------------------ */

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v);
    wr16(p + 2, v >> 16);
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, v);
    wr32(p + 4, v >> 32);
}

/* --- the setup header (boot.rst "The Real-Mode Kernel Header") ----------- */

int linux_parse_setup_header(const uint8_t *buf, size_t len,
                             LinuxSetupHeader *h, Error **errp)
{
    uint8_t setup_sects;

    memset(h, 0, sizeof(*h));
    if (len < LH_HEADER + 4 || rd32(buf + LH_HEADER) != LINUX_HDRS_MAGIC) {
        return 0;
    }
    if (len < LH_VERSION + 2) {
        error_setg(errp, "invalid kernel header");
        return -1;
    }
    h->version = rd16(buf + LH_VERSION);
    /* "If this field is 0, the real value is 4." */
    setup_sects = buf[LH_SETUP_SECTS] ?: 4;
    h->setup_size = (setup_sects + 1) * 512;
    if (h->setup_size > len) {
        error_setg(errp, "invalid kernel header");     /* QEMU's */
        return -1;
    }
    h->kernel_size = len - h->setup_size;
    /* The jump at 0x200 skips the header: 0x202 + its 8-bit offset (at
     * most 0x290, inside the >= 1024 bytes of setup just checked). */
    h->header_end = MIN(LH_HEADER + buf[LH_JUMP + 1], LH_END);
#define FIELD(off, n) ((off) + (n) <= h->header_end)
    h->loadflags = FIELD(LH_LOADFLAGS, 1) ? buf[LH_LOADFLAGS] : 0;
    h->code32_start = FIELD(LH_CODE32_START, 4) ?
                      rd32(buf + LH_CODE32_START) : 0;
    /* QEMU: 0x37ffffff before 2.03, where the field appeared. */
    h->initrd_addr_max = h->version >= 0x203 && FIELD(LH_INITRD_ADDR_MAX, 4)
                         ? rd32(buf + LH_INITRD_ADDR_MAX) : 0x37ffffff;
    h->cmdline_size = h->version >= 0x206 && FIELD(LH_CMDLINE_SIZE, 4) ?
                      rd32(buf + LH_CMDLINE_SIZE) : 255;
    h->xloadflags = h->version >= 0x20c && FIELD(LH_XLOADFLAGS, 2) ?
                    rd16(buf + LH_XLOADFLAGS) : 0;
    h->init_size = h->version >= 0x20a && FIELD(LH_INIT_SIZE, 4) ?
                   rd32(buf + LH_INIT_SIZE) : 0;
    /* syssize (2.04+): the protected-mode code, in 16-byte units. */
    if (h->version >= 0x204 && FIELD(LH_SYSSIZE, 4) &&
        (uint64_t)rd32(buf + LH_SYSSIZE) * 16 > h->kernel_size) {
        error_setg(errp, "kernel file is truncated: the header says 0x%"
                   PRIx64 " bytes of protected-mode code, the file has 0x%"
                   PRIx64, (uint64_t)rd32(buf + LH_SYSSIZE) * 16,
                   h->kernel_size);
        return -1;
    }
#undef FIELD
    return 1;
}

/* --- PVH: the entry note -------------------------------------------------- */

int pvh_find_entry(const uint8_t *buf, size_t len, uint32_t *entry,
                   Error **errp)
{
    bool is64;
    uint64_t phoff;
    size_t phentsize;
    unsigned phnum;

    if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0) {
        return 0;
    }
    is64 = buf[EI_CLASS] == ELFCLASS64;
    if ((!is64 && buf[EI_CLASS] != ELFCLASS32) ||
        len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
        error_setg(errp, "ELF header is truncated or of unknown class");
        return -1;
    }
    phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    phoff = is64 ? rd64(buf + offsetof(Elf64_Ehdr, e_phoff))
                 : rd32(buf + offsetof(Elf32_Ehdr, e_phoff));
    phnum = rd16(buf + (is64 ? offsetof(Elf64_Ehdr, e_phnum)
                             : offsetof(Elf32_Ehdr, e_phnum)));
    if (phnum && rd16(buf + (is64 ? offsetof(Elf64_Ehdr, e_phentsize)
                                  : offsetof(Elf32_Ehdr, e_phentsize)))
                 != phentsize) {
        error_setg(errp, "unexpected program header size");
        return -1;
    }
    if (phoff > len || (uint64_t)phnum * phentsize > len - phoff) {
        error_setg(errp, "program headers are outside the file");
        return -1;
    }
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + phoff + (uint64_t)i * phentsize;
        uint64_t off, size, end;

        if (rd32(ph) != PT_NOTE) {
            continue;
        }
        off = is64 ? rd64(ph + offsetof(Elf64_Phdr, p_offset))
                   : rd32(ph + offsetof(Elf32_Phdr, p_offset));
        size = is64 ? rd64(ph + offsetof(Elf64_Phdr, p_filesz))
                    : rd32(ph + offsetof(Elf32_Phdr, p_filesz));
        if (off > len || size > len - off) {
            error_setg(errp, "note segment %u is outside the file", i);
            return -1;
        }
        end = off + size;
        /* Notes (ELF gABI): namesz, descsz, type, then name and desc,
         * each padded to 4 bytes (Linux's notes are 4-aligned in ELF64
         * too, as QEMU assumes for this one). */
        while (end - off >= 12) {
            uint32_t namesz = rd32(buf + off), descsz = rd32(buf + off + 4);
            uint32_t type = rd32(buf + off + 8);
            uint64_t name = off + 12;
            uint64_t desc = name + ((namesz + UINT64_C(3)) & ~UINT64_C(3));
            uint64_t next = desc + ((descsz + UINT64_C(3)) & ~UINT64_C(3));

            if (desc > end || next > end) {
                error_setg(errp, "ELF note at 0x%" PRIx64 " is truncated",
                           off);
                return -1;
            }
            if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
                memcmp(buf + name, "Xen", 4) == 0) {
                uint64_t v;

                if (descsz != 4 && descsz != 8) {
                    error_setg(errp, "PVH entry note has a %u-byte "
                               "descriptor", descsz);
                    return -1;
                }
                v = descsz == 4 ? rd32(buf + desc) : rd64(buf + desc);
                if (v == 0 || v >= GiB4) {
                    error_setg(errp, "PVH entry point 0x%" PRIx64 " is not "
                               "a 32-bit address", v);
                    return -1;
                }
                *entry = v;
                return 1;
            }
            off = next;
        }
    }
    return 0;
}

/* --- the e820 map ---------------------------------------------------------- */

/* End of the writable RAM contiguous from @start (up to @limit). */
static uint64_t ram_end(FlatView *fv, uint64_t start, uint64_t limit)
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

uint64_t x86_low_ram_end(AddressSpace *as)
{
    FlatView *fv = address_space_get_flatview(as);
    uint64_t end = ram_end(fv, MiB, GiB4);

    flatview_unref(fv);
    return end > MiB ? end : 0;
}

static unsigned e820_add(E820Entry *e, unsigned n, unsigned max,
                         uint64_t addr, uint64_t size, uint32_t type)
{
    if (size && n < max) {
        e[n] = (E820Entry) { addr, size, type };
    }
    return size ? n + 1 : n;
}

unsigned x86_e820_build(AddressSpace *as, E820Entry *e, unsigned max)
{
    FlatView *fv = address_space_get_flatview(as);
    uint64_t low = ram_end(fv, 0, EBDA_ADDR);
    /* RAM never reaches into KVM's pages (the PC's low RAM ends by
     * 3.5 GiB), but a map must not say RAM where they are. */
    uint64_t below = ram_end(fv, MiB, KVM_IDENTITY_MAP_BASE);
    uint64_t above = ram_end(fv, GiB4, UINT64_MAX);
    unsigned n = 0;

    flatview_unref(fv);
    n = e820_add(e, n, max, 0, low, E820_RAM);
    if (low == EBDA_ADDR) {
        n = e820_add(e, n, max, EBDA_ADDR, 0xa0000 - EBDA_ADDR,
                     E820_RESERVED);
    }
    n = e820_add(e, n, max, BIOS_AREA_ADDR, MiB - BIOS_AREA_ADDR,
                 E820_RESERVED);
    n = e820_add(e, n, max, MiB, below - MiB, E820_RAM);
    n = e820_add(e, n, max, KVM_IDENTITY_MAP_BASE, KVM_IDENTITY_MAP_SIZE,
                 E820_RESERVED);
    n = e820_add(e, n, max, GiB4, above - GiB4, E820_RAM);
    return MIN(n, max);
}

/* --- the plan: pieces of guest memory ------------------------------------- */

typedef struct Piece {
    char *what;                 /* for errors: "kernel", "initrd" (owned) */
    hwaddr addr;
    const uint8_t *data;        /* filesz bytes (borrowed from the plan) */
    uint64_t filesz, memsz;     /* zero-filled from filesz to memsz */
} Piece;

typedef struct Plan {
    GArray *pieces;             /* Piece */
    GPtrArray *owned;           /* buffers the pieces point into */
    GPtrArray *mapped;          /* GMappedFile */
} Plan;

static void plan_init(Plan *p)
{
    p->pieces = g_array_new(false, false, sizeof(Piece));
    p->owned = g_ptr_array_new_with_free_func(g_free);
    p->mapped = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_mapped_file_unref);
}

static void plan_clear(Plan *p)
{
    for (guint i = 0; i < p->pieces->len; i++) {
        g_free(g_array_index(p->pieces, Piece, i).what);
    }
    g_array_unref(p->pieces);
    g_ptr_array_unref(p->owned);
    g_ptr_array_unref(p->mapped);
}

/* Add a piece; @data is borrowed (it must live as long as the plan). */
static void plan_add(Plan *p, const char *what, hwaddr addr,
                     const void *data, uint64_t filesz, uint64_t memsz)
{
    Piece piece = { g_strdup(what), addr, data, filesz, memsz };

    if (memsz) {
        g_array_append_val(p->pieces, piece);
    } else {
        g_free(piece.what);
    }
}

/* A zeroed buffer of @size bytes the plan owns. */
static uint8_t *plan_alloc(Plan *p, size_t size)
{
    uint8_t *b = g_malloc0(size);

    g_ptr_array_add(p->owned, b);
    return b;
}

static gint piece_cmp(gconstpointer a, gconstpointer b)
{
    const Piece *x = a, *y = b;

    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Every piece in RAM and none overlapping another; then write them. */
static bool plan_write(Plan *p, AddressSpace *as, Error **errp)
{
    g_array_sort(p->pieces, piece_cmp);
    for (guint i = 0; i < p->pieces->len; i++) {
        Piece *x = &g_array_index(p->pieces, Piece, i);

        if (x->memsz > UINT64_MAX - x->addr) {
            error_setg(errp, "%s does not fit in the address space",
                       x->what);
            return false;
        }
        if (!loader_check_ram(as, x->addr, x->memsz, x->what, errp)) {
            return false;
        }
        if (i > 0) {
            Piece *y = &g_array_index(p->pieces, Piece, i - 1);

            if (x->addr - y->addr < y->memsz) {
                error_setg(errp, "%s (0x%" HWADDR_PRIx "..0x%" HWADDR_PRIx
                           ") overlaps %s (0x%" HWADDR_PRIx "..0x%"
                           HWADDR_PRIx ")", x->what, x->addr,
                           x->addr + x->memsz - 1, y->what, y->addr,
                           y->addr + y->memsz - 1);
                return false;
            }
        }
    }
    for (guint i = 0; i < p->pieces->len; i++) {
        Piece *x = &g_array_index(p->pieces, Piece, i);

        if (!loader_write(as, x->addr, x->data, x->filesz, x->memsz, errp)) {
            return false;
        }
    }
    return true;
}

/* --- what every entry needs: BDA, GDT, command line, initrd --------------- */

/* The BIOS data area words Linux reads (SeaBIOS's values): the EBDA
 * segment at 0x40e and the base memory size in KiB at 0x413. */
static void plan_bda(Plan *p, AddressSpace *as)
{
    uint8_t *ebda = plan_alloc(p, 2), *basemem = plan_alloc(p, 2);
    FlatView *fv = address_space_get_flatview(as);
    uint64_t low_ram = ram_end(fv, 0, EBDA_ADDR);

    flatview_unref(fv);
    if (low_ram < EBDA_ADDR) {
        return;                 /* RAM below 640 KiB is short: no EBDA */
    }
    wr16(ebda, EBDA_ADDR >> 4);
    wr16(basemem, EBDA_ADDR / KiB);
    plan_add(p, "BIOS data area", LINUX_BDA_ADDR + 0x0e, ebda, 2, 2);
    plan_add(p, "BIOS data area", LINUX_BDA_ADDR + 0x13, basemem, 2, 2);
}

/* The boot GDT (boot.rst: "__BOOT_CS must have execute/read permission,
 * and __BOOT_DS must have read/write permission"; both flat 4 GiB). */
static void plan_gdt(Plan *p, bool long_mode, X86BootState *bs)
{
    uint8_t *gdt = plan_alloc(p, 32);

    wr64(gdt + LINUX_BOOT_CS, long_mode ? UINT64_C(0x00af9b000000ffff)
                                        : UINT64_C(0x00cf9b000000ffff));
    wr64(gdt + LINUX_BOOT_DS, UINT64_C(0x00cf93000000ffff));
    plan_add(p, "boot GDT", LINUX_GDT_ADDR, gdt, 32, 32);
    bs->cs = LINUX_BOOT_CS;
    bs->ds = LINUX_BOOT_DS;
    bs->gdt_base = LINUX_GDT_ADDR;
    bs->gdt_limit = 32 - 1;
}

/* Identity page tables for the first 4 GiB, 2 MiB pages: PML4, PDPT, four
 * page directories (boot.rst 64-bit: "the range with setup_header.
 * init_size from start address of loaded kernel and zero page and command
 * line buffer get ident mapping" - all of it is below 4 GiB). */
static void plan_page_tables(Plan *p)
{
    enum { P = 1, RW = 2, PS = 0x80 };
    uint8_t *pt = plan_alloc(p, LINUX_PAGE_TABLES_SIZE);
    uint8_t *pml4 = pt, *pdpt = pt + 0x1000, *pd = pt + 0x2000;

    wr64(pml4, (LINUX_PAGE_TABLES_ADDR + 0x1000) | P | RW);
    for (uint64_t i = 0; i < 4; i++) {
        wr64(pdpt + 8 * i, (LINUX_PAGE_TABLES_ADDR + 0x2000 + 0x1000 * i) |
                           P | RW);
    }
    for (uint64_t i = 0; i < 4 * 512; i++) {
        wr64(pd + 8 * i, (i << 21) | P | RW | PS);
    }
    plan_add(p, "page tables", LINUX_PAGE_TABLES_ADDR, pt,
             LINUX_PAGE_TABLES_SIZE, LINUX_PAGE_TABLES_SIZE);
}

static bool plan_cmdline(Plan *p, const char *cmdline, Error **errp)
{
    size_t len = strlen(cmdline) + 1;

    if (len > LINUX_CMDLINE_END - LINUX_CMDLINE_ADDR) {
        error_setg(errp, "kernel command line is too long (%zu bytes, at "
                   "most %u)", len - 1,
                   LINUX_CMDLINE_END - LINUX_CMDLINE_ADDR - 1);
        return false;
    }
    plan_add(p, "kernel command line", LINUX_CMDLINE_ADDR,
             memcpy(plan_alloc(p, len), cmdline, len), len, len);
    return true;
}

/*
 * -initrd: QEMU's placement, page aligned right below @initrd_max (which
 * is capped at the end of low RAM - LINUX_ACPI_DATA_SIZE - 1), and its
 * messages.  Sets *@addr and *@size (0 without an initrd).
 */
static bool plan_initrd(Plan *p, const char *filename, uint32_t initrd_max,
                        uint64_t low_ram, uint32_t *addr, uint32_t *size,
                        Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    GMappedFile *mf;
    uint64_t len;

    *addr = *size = 0;
    if (!filename) {
        return true;
    }
    if (low_ram > LINUX_ACPI_DATA_SIZE &&
        initrd_max >= low_ram - LINUX_ACPI_DATA_SIZE) {
        initrd_max = low_ram - LINUX_ACPI_DATA_SIZE - 1;
    }
    mf = g_mapped_file_new(filename, false, &gerr);
    if (!mf) {
        error_setg(errp, "error reading initrd %s: %s", filename,
                   gerr->message);
        return false;
    }
    g_ptr_array_add(p->mapped, mf);
    len = g_mapped_file_get_length(mf);
    if (len >= initrd_max) {
        error_setg(errp, "initrd is too large, cannot support.(max: %"
                   PRIu32 ", need %" PRIu64 ")", initrd_max, len);
        return false;
    }
    *addr = (initrd_max - len) & ~(PAGE_SIZE - 1);
    *size = len;
    plan_add(p, "initrd", *addr, g_mapped_file_get_contents(mf), len, len);
    return true;
}

/* --- bzImage ---------------------------------------------------------------- */

/* QEMU's "vga=" handling: the video mode for the setup header. */
static bool parse_vga(const char *cmdline, bool *found, uint16_t *mode,
                      Error **errp)
{
    const char *v = strstr(cmdline, "vga=");
    char *end;
    unsigned long n;

    *found = v != NULL;
    if (!v) {
        return true;
    }
    v += 4;
    if (!strncmp(v, "normal", 6)) {
        *mode = 0xffff;
    } else if (!strncmp(v, "ext", 3)) {
        *mode = 0xfffe;
    } else if (!strncmp(v, "ask", 3)) {
        *mode = 0xfffd;
    } else {
        errno = 0;
        n = strtoul(v, &end, 0);
        if (errno || end == v || n > UINT_MAX || (*end && *end != ' ') ||
            *v == '-' || *v == ' ') {
            error_setg(errp, "invalid 'vga=' kernel parameter.");
            return false;
        }
        *mode = n;
    }
    return true;
}

static bool load_bzimage(AddressSpace *as, const LinuxBootConfig *cfg,
                         const uint8_t *buf, size_t len,
                         const LinuxSetupHeader *h, Plan *p,
                         X86BootState *bs, Error **errp)
{
    const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
    uint64_t low_ram = x86_low_ram_end(as);
    E820Entry e820[LINUX_E820_MAX_ZEROPAGE];
    unsigned n820 = x86_e820_build(as, e820, ARRAY_SIZE(e820));
    bool long_mode = h->version >= 0x20c &&
                     (h->xloadflags & LINUX_XLF_KERNEL_64);
    uint32_t initrd_max, initrd_addr, initrd_size;
    uint8_t *zp;
    uint16_t vga_mode = 0;
    bool vga;

    if (!parse_vga(cmdline, &vga, &vga_mode, errp)) {
        return false;
    }
    if (h->version < 0x200 && cfg->initrd_filename) {
        error_setg(errp, "linux kernel too old to load a ram disk");
        return false;
    }
    if (h->version < 0x202 || !(h->loadflags & LINUX_LOADED_HIGH)) {
        /* QEMU runs such kernels' real-mode setup code on SeaBIOS. */
        error_setg(errp, "linux kernel too old: boot protocol %u.%02u%s "
                   "has no 32-bit entry", h->version >> 8, h->version & 0xff,
                   h->loadflags & LINUX_LOADED_HIGH ? "" : " (zImage)");
        error_append_hint(errp, "qomu boots bzImages of boot protocol 2.02 "
                          "and later (Linux 2.4 on), without firmware\n");
        return false;
    }
    /* Highest address for the initrd (QEMU's rule). */
    initrd_max = h->version >= 0x20c &&
                 (h->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G) ?
                 UINT32_MAX : h->initrd_addr_max;
    if (!plan_initrd(p, cfg->initrd_filename, initrd_max, low_ram,
                     &initrd_addr, &initrd_size, errp)) {
        return false;
    }

    /* The zero page: the header as in the file, then what a boot loader
     * fills in (boot.rst "Details of Header Fields", "write" fields). */
    zp = plan_alloc(p, BP_SIZE);
    memcpy(zp + LH_SETUP_SECTS, buf + LH_SETUP_SECTS,
           h->header_end - LH_SETUP_SECTS);
    if (vga) {
        wr16(zp + LH_VID_MODE, vga_mode);
    }
    zp[LH_TYPE_OF_LOADER] = LINUX_TYPE_OF_LOADER;
    zp[LH_LOADFLAGS] |= LINUX_CAN_USE_HEAP;
    /* QEMU's heap_end_ptr: up to the command line, from the setup code
     * (real_addr 0x10000 + 0x200). */
    wr16(zp + LH_HEAP_END_PTR, LINUX_CMDLINE_ADDR - LINUX_ZERO_PAGE_ADDR -
                               0x200);
    wr32(zp + LH_CODE32_START, LINUX_KERNEL_ADDR);
    wr32(zp + LH_CMD_LINE_PTR, LINUX_CMDLINE_ADDR);
    wr32(zp + LH_RAMDISK_IMAGE, initrd_addr);
    wr32(zp + LH_RAMDISK_SIZE, initrd_size);
    zp[BP_E820_ENTRIES] = n820;
    for (unsigned i = 0; i < n820; i++) {
        uint8_t *ent = zp + BP_E820_TABLE + 20 * i;

        wr64(ent, e820[i].addr);
        wr64(ent + 8, e820[i].size);
        wr32(ent + 16, e820[i].type);
    }
    plan_add(p, "zero page", LINUX_ZERO_PAGE_ADDR, zp, BP_SIZE, BP_SIZE);
    plan_add(p, "kernel", LINUX_KERNEL_ADDR, buf + h->setup_size,
             h->kernel_size, h->kernel_size);
    if (!plan_cmdline(p, cmdline, errp)) {
        return false;
    }
    plan_bda(p, as);
    plan_gdt(p, long_mode, bs);
    plan_add(p, "boot stack", LINUX_STACK_TOP - 0x1000, zp, 0, 0x1000);
    if (long_mode) {
        plan_page_tables(p);
    }
    if (!plan_write(p, as, errp)) {
        return false;
    }
    /* boot.rst: 64-bit entry at the load address + 0x200, RSI = zero
     * page; 32-bit entry at code32_start, ESI = zero page, EBP, EDI and
     * EBX zero. */
    bs->mode = long_mode ? X86_BOOT_LONG64 : X86_BOOT_PROTECTED32;
    bs->eip = LINUX_KERNEL_ADDR + (long_mode ? 0x200 : 0);
    bs->esi = LINUX_ZERO_PAGE_ADDR;
    bs->esp = LINUX_STACK_TOP;
    bs->cr3 = long_mode ? LINUX_PAGE_TABLES_ADDR : 0;
    return true;
}

/* --- PVH -------------------------------------------------------------------- */

static bool load_pvh(AddressSpace *as, const LinuxBootConfig *cfg,
                     const uint8_t *buf, size_t len, Plan *p,
                     X86BootState *bs, Error **errp)
{
    const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
    uint64_t low_ram = x86_low_ram_end(as);
    E820Entry e820[LINUX_E820_MAX_ZEROPAGE];
    unsigned n820 = x86_e820_build(as, e820, ARRAY_SIZE(e820));
    Error *local_err = NULL;
    ElfImage img;
    uint32_t entry, flags, initrd_addr, initrd_size;
    uint8_t *si, *mod, *map;
    int ret;

    /* QEMU's load_elfboot: these ELF header flags are refused. */
    flags = buf[EI_CLASS] == ELFCLASS64 && len >= sizeof(Elf64_Ehdr) ?
            rd32(buf + offsetof(Elf64_Ehdr, e_flags)) :
            len >= sizeof(Elf32_Ehdr) ?
            rd32(buf + offsetof(Elf32_Ehdr, e_flags)) : 0;
    if (flags & 0x00010004) {
        error_setg(errp, "elfboot unsupported flags = %x", flags);
        return false;
    }
    ret = elf_parse(buf, len, 0, 0, &img, &local_err);
    if (ret > 0 && img.machine != EM_X86_64 && img.machine != EM_386) {
        error_setg(&local_err, "wrong machine type %u", img.machine);
        ret = -1;
    }
    if (ret <= 0) {
        error_propagate_prepend(errp, local_err,
                                "Error while loading elf kernel: ");
        elf_image_clear(&img);
        return false;
    }
    for (guint i = 0; i < img.segments->len; i++) {
        ElfSegment *s = &g_array_index(img.segments, ElfSegment, i);
        g_autofree char *what = g_strdup_printf("kernel segment %u", i);

        plan_add(p, what, s->addr, s->data, s->filesz, s->memsz);
    }
    elf_image_clear(&img);
    ret = pvh_find_entry(buf, len, &entry, errp);
    if (ret == 0) {
        error_setg(errp, "Error loading uncompressed kernel without PVH "
                   "ELF Note");
    }
    if (ret <= 0) {
        return false;
    }
    if (!plan_initrd(p, cfg->initrd_filename, UINT32_MAX, low_ram,
                     &initrd_addr, &initrd_size, errp) ||
        !plan_cmdline(p, cmdline, errp)) {
        return false;
    }

    /* hvm_start_info (version 1), then the module list and memory map. */
    si = plan_alloc(p, HSI_SIZE);
    wr32(si + HSI_MAGIC, XEN_HVM_START_MAGIC_VALUE);
    wr32(si + HSI_VERSION, 1);
    wr64(si + HSI_CMDLINE_PADDR, LINUX_CMDLINE_ADDR);
    wr64(si + HSI_MEMMAP_PADDR, LINUX_PVH_MEMMAP_ADDR);
    wr32(si + HSI_MEMMAP_ENTRIES, n820);
    plan_add(p, "hvm_start_info", LINUX_ZERO_PAGE_ADDR, si, HSI_SIZE,
             HSI_SIZE);
    if (initrd_size) {
        /* Linux: "The first module is always ramdisk." */
        mod = plan_alloc(p, HVM_MODLIST_ENTRY_SIZE);
        wr64(mod, initrd_addr);
        wr64(mod + 8, initrd_size);
        wr32(si + HSI_NR_MODULES, 1);
        wr64(si + HSI_MODLIST_PADDR, LINUX_PVH_MODLIST_ADDR);
        plan_add(p, "PVH module list", LINUX_PVH_MODLIST_ADDR, mod,
                 HVM_MODLIST_ENTRY_SIZE, HVM_MODLIST_ENTRY_SIZE);
    }
    map = plan_alloc(p, n820 * HVM_MEMMAP_ENTRY_SIZE);
    for (unsigned i = 0; i < n820; i++) {
        uint8_t *ent = map + HVM_MEMMAP_ENTRY_SIZE * i;

        wr64(ent, e820[i].addr);
        wr64(ent + 8, e820[i].size);
        wr32(ent + 16, e820[i].type);
    }
    plan_add(p, "PVH memory map", LINUX_PVH_MEMMAP_ADDR, map,
             n820 * HVM_MEMMAP_ENTRY_SIZE, n820 * HVM_MEMMAP_ENTRY_SIZE);
    plan_bda(p, as);
    plan_gdt(p, false, bs);
    plan_add(p, "boot stack", LINUX_STACK_TOP - 0x1000, si, 0, 0x1000);
    if (!plan_write(p, as, errp)) {
        return false;
    }
    /* The PVH ABI: 32-bit protected mode, paging off, EBX = start_info,
     * flat CS/DS/ES/SS, TR a 32-bit TSS (base 0, limit 0x67).  It says
     * nothing of ESP; QEMU's pvh.bin leaves SeaBIOS's stack, we give one. */
    bs->mode = X86_BOOT_PROTECTED32;
    bs->eip = entry;
    bs->ebx = LINUX_ZERO_PAGE_ADDR;
    bs->esp = LINUX_STACK_TOP;
    bs->pvh_tr = true;
    return true;
}

/* --- choosing ---------------------------------------------------------------- */

bool x86_load_linux(AddressSpace *as, const LinuxBootConfig *cfg,
                    X86BootState *bs, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    X86BootState new_bs = { 0 };
    LinuxSetupHeader h;
    GMappedFile *mf;
    const uint8_t *buf;
    size_t len;
    Plan plan;
    bool ok = false;
    int ret;

    mf = g_mapped_file_new(cfg->kernel_filename, false, &gerr);
    if (!mf) {
        error_setg(errp, "could not open kernel file '%s': %s",
                   cfg->kernel_filename, gerr->message);
        return false;
    }
    plan_init(&plan);
    g_ptr_array_add(plan.mapped, mf);
    buf = (const uint8_t *)g_mapped_file_get_contents(mf);
    len = g_mapped_file_get_length(mf);
    if (len == 0) {
        error_setg(errp, "could not load kernel '%s': the file is empty",
                   cfg->kernel_filename);
        goto out;
    }
    ret = linux_parse_setup_header(buf, len, &h, errp);
    if (ret > 0) {
        ok = load_bzimage(as, cfg, buf, len, &h, &plan, &new_bs, errp);
    } else if (ret == 0 && len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG)) {
        ok = load_pvh(as, cfg, buf, len, &plan, &new_bs, errp);
    } else if (ret == 0) {
        /* QEMU would take it for a zImage of protocol 0 (its checks
         * first). */
        if (cfg->initrd_filename) {
            error_setg(errp, "linux kernel too old to load a ram disk");
        } else if (len <= LH_SETUP_SECTS ||
                   len < (unsigned)((buf[LH_SETUP_SECTS] ?: 4) + 1) * 512) {
            error_setg(errp, "invalid kernel header");
        } else {
            error_setg(errp, "could not load kernel '%s': not a bzImage "
                       "(no \"HdrS\" header), a PVH ELF or a Multiboot "
                       "kernel", cfg->kernel_filename);
        }
    }
    if (ok) {
        *bs = new_bs;
    }
out:
    plan_clear(&plan);
    return ok;
}
