/*
 * test-multiboot.c - Multiboot v1 loading (hw/i386/multiboot.c and the
 * ELF parser in hw/core/loader.c).  Kernels are built here, byte by byte,
 * as ELF32 files or a.out-kludge images in a temporary directory, and
 * loaded into 16 MiB of RAM (pre-filled with 0xaa so that zeroing and
 * untouched memory both show).  Checked: the header search (8 KiB limit,
 * checksum, alignment), the loaded bytes, the entry state, every field of
 * the information structure and the memory map, modules, and that each
 * kind of broken or hostile file is refused with its message and with
 * guest memory left as it was.
 */
#include "util/osdep.h"
#include <elf.h>
#include "hw/i386/multiboot.h"
#include "harness.h"
#include "tmpfile.h"
#include "error-text.h"

#define RAM_SIZE (16 * 1024 * 1024)
#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

static char *tmpdir;

/* --- fixture: 16 MiB of RAM at 0 -------------------------------------- */

static struct {
    MemoryRegion sysmem, sysio, ram, high_alias;
    AddressSpace as_mem, as_io;
    bool high;                  /* high_alias mapped at 4 GiB */
    uint8_t *host;
} fx;

static void fx_begin(void)
{
    memset(&fx, 0, sizeof(fx));
    memory_map_init(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
    memory_region_init_ram(&fx.ram, NULL, "ram", RAM_SIZE, &error_abort);
    memory_region_add_subregion(&fx.sysmem, 0, &fx.ram);
    fx.host = memory_region_get_ram_ptr(&fx.ram);
    memset(fx.host, 0xaa, RAM_SIZE);
}

/* The PC's layout for big guests: the top of RAM moved above 4 GiB. */
static void fx_add_high_ram(void)
{
    memory_region_init_alias(&fx.high_alias, NULL, "ram-above-4g", &fx.ram,
                             8 * 1024 * 1024, 8 * 1024 * 1024);
    memory_region_add_subregion(&fx.sysmem, UINT64_C(1) << 32,
                                &fx.high_alias);
    fx.high = true;
}

static void fx_end(void)
{
    if (fx.high) {
        memory_region_del_subregion(&fx.sysmem, &fx.high_alias);
        object_unparent(OBJECT(&fx.high_alias));
    }
    memory_region_del_subregion(&fx.sysmem, &fx.ram);
    object_unparent(OBJECT(&fx.ram));
    memory_map_cleanup(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
}

static uint32_t ram32(uint32_t addr)
{
    const uint8_t *p = fx.host + addr;

    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t mbi(unsigned off)
{
    return ram32(MULTIBOOT_INFO_ADDR + off);
}

/* True if [addr, addr + len) still holds the 0xaa fill. */
static bool untouched(uint32_t addr, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (fx.host[addr + i] != 0xaa) {
            return false;
        }
    }
    return true;
}

/* --- building images ---------------------------------------------------- */

static void put32(GByteArray *f, size_t off, uint32_t v)
{
    if (f->len < off + 4) {
        size_t old = f->len;

        g_byte_array_set_size(f, off + 4);
        memset(f->data + old, 0, f->len - old);
    }
    for (int i = 0; i < 4; i++) {
        f->data[off + i] = v >> (8 * i);
    }
}

static void put16(GByteArray *f, size_t off, uint16_t v)
{
    put32(f, off & ~(size_t)3, 0);      /* make room */
    f->data[off] = v;
    f->data[off + 1] = v >> 8;
}

/* The three mandatory header words at @off. */
static void put_mb_header(GByteArray *f, size_t off, uint32_t flags)
{
    put32(f, off, MULTIBOOT_HEADER_MAGIC);
    put32(f, off + 4, flags);
    put32(f, off + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
}

typedef struct Seg {
    uint32_t paddr, vaddr, offset, filesz, memsz, flags;
} Seg;

/*
 * An ELF32 executable: header, @n program headers at 64, the Multiboot
 * header at 0x100, and each segment's file bytes (a pattern: byte i of
 * the file is i & 0xff) up to the largest offset + filesz.
 */
static GByteArray *elf32(uint16_t machine, uint32_t entry, const Seg *segs,
                         int n)
{
    GByteArray *f = g_byte_array_new();
    size_t end = 0x200;

    for (int i = 0; i < n; i++) {
        end = MAX(end, (size_t)segs[i].offset + segs[i].filesz);
    }
    g_byte_array_set_size(f, end);
    for (size_t i = 0; i < end; i++) {
        f->data[i] = i;
    }
    memset(f->data, 0, 0x100);
    memcpy(f->data, ELFMAG, SELFMAG);
    f->data[EI_CLASS] = ELFCLASS32;
    f->data[EI_DATA] = ELFDATA2LSB;
    f->data[EI_VERSION] = EV_CURRENT;
    put16(f, offsetof(Elf32_Ehdr, e_type), ET_EXEC);
    put16(f, offsetof(Elf32_Ehdr, e_machine), machine);
    put32(f, offsetof(Elf32_Ehdr, e_version), EV_CURRENT);
    put32(f, offsetof(Elf32_Ehdr, e_entry), entry);
    put32(f, offsetof(Elf32_Ehdr, e_phoff), 64);
    put16(f, offsetof(Elf32_Ehdr, e_ehsize), sizeof(Elf32_Ehdr));
    put16(f, offsetof(Elf32_Ehdr, e_phentsize), sizeof(Elf32_Phdr));
    put16(f, offsetof(Elf32_Ehdr, e_phnum), n);
    for (int i = 0; i < n; i++) {
        size_t ph = 64 + i * sizeof(Elf32_Phdr);

        put32(f, ph + offsetof(Elf32_Phdr, p_type), PT_LOAD);
        put32(f, ph + offsetof(Elf32_Phdr, p_offset), segs[i].offset);
        put32(f, ph + offsetof(Elf32_Phdr, p_vaddr),
              segs[i].vaddr ? segs[i].vaddr : segs[i].paddr);
        put32(f, ph + offsetof(Elf32_Phdr, p_paddr), segs[i].paddr);
        put32(f, ph + offsetof(Elf32_Phdr, p_filesz), segs[i].filesz);
        put32(f, ph + offsetof(Elf32_Phdr, p_memsz), segs[i].memsz);
        put32(f, ph + offsetof(Elf32_Phdr, p_flags),
              segs[i].flags ? segs[i].flags : PF_R | PF_X);
    }
    put_mb_header(f, 0x100, MB_FLAGS);
    return f;
}

/* The usual kernel: 0x1000 bytes of file at 1 MiB, 0x3000 of memory. */
static GByteArray *simple_elf(void)
{
    Seg s = { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x1000,
              .memsz = 0x3000 };

    return elf32(EM_386, 0x100010, &s, 1);
}

/* Write @f (consumed) to a temporary file; returns its path. */
static char *save(GByteArray *f, const char *name)
{
    char *path = tmp_file_write(tmpdir, name, f->data, f->len);

    g_byte_array_unref(f);
    return path;
}

/* multiboot_load with no modules; the error text or NULL. */
static char *load(const char *path, const char *cmdline, const char *initrd,
                  X86BootState *bs)
{
    MachineState ms = { .ram_size = RAM_SIZE,
                        .initrd_filename = (char *)initrd };
    Error *err = NULL;

    multiboot_load(&ms, path, cmdline, bs, &err);
    return error_take_text(err);
}

/* Load @f expecting failure with @expected; memory must be untouched. */
static void check_refused(GByteArray *f, const char *expected)
{
    g_autofree char *path = save(f, "bad.elf");
    g_autofree char *msg = NULL;
    X86BootState bs = { 0 };

    fx_begin();
    msg = load(path, "", NULL, &bs);
    CU_ASSERT_STRING_EQUAL(msg ? msg : "(loaded)", expected);
    CU_ASSERT_TRUE(untouched(0, RAM_SIZE));
    CU_ASSERT_EQUAL(bs.mode, X86_BOOT_RESET);
    fx_end();
}

/* --- the header ---------------------------------------------------------- */

static void test_header_search(void)
{
    g_autoptr(GByteArray) f = g_byte_array_new();
    MultibootHeader mh;

    /* The last place QEMU looks: 8192 - 52. */
    put_mb_header(f, 8192 - 52, MB_FLAGS);
    CU_ASSERT_TRUE(multiboot_find_header(f->data, f->len, &mh));
    CU_ASSERT_EQUAL(mh.offset, 8192 - 52);
    CU_ASSERT_EQUAL(mh.flags, MB_FLAGS);
    g_byte_array_set_size(f, 0);
    put_mb_header(f, 8192 - 48, MB_FLAGS);
    CU_ASSERT_FALSE(multiboot_find_header(f->data, f->len, &mh));
    g_byte_array_set_size(f, 0);
    put_mb_header(f, 8192, MB_FLAGS);           /* past 8 KiB */
    CU_ASSERT_FALSE(multiboot_find_header(f->data, f->len, &mh));
    g_byte_array_set_size(f, 0);
    put_mb_header(f, 0x20, MB_FLAGS);
    put32(f, 0x28, 0x12345678);                 /* bad checksum */
    CU_ASSERT_FALSE(multiboot_find_header(f->data, f->len, &mh));
    /* Only 4-byte aligned offsets count. */
    g_byte_array_set_size(f, 0);
    put32(f, 0x30, 0);
    memmove(f->data + 2, (uint8_t[]){ 0x02, 0xb0, 0xad, 0x1b, 0x03, 0, 0, 0,
                                      0xfb, 0x4f, 0x52, 0xe4 }, 12);
    CU_ASSERT_FALSE(multiboot_find_header(f->data, f->len, &mh));
    /* A file too short for the three words. */
    CU_ASSERT_FALSE(multiboot_find_header(f->data, 8, &mh));
}

static void test_probe(void)
{
    g_autofree char *good = save(simple_elf(), "good.elf");
    g_autofree char *plain = NULL;
    GByteArray *f = g_byte_array_new();
    Error *err = NULL;

    put32(f, 0x1000, 0x90909090);
    plain = save(f, "plain.bin");
    CU_ASSERT_EQUAL(multiboot_probe(good, &error_abort), 1);
    CU_ASSERT_EQUAL(multiboot_probe(plain, &error_abort), 0);
    CU_ASSERT_EQUAL(multiboot_probe("/nonexistent/kernel", &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "could not open kernel "
                           "file '/nonexistent/kernel': No such file or "
                           "directory");
    error_free(err);
}

/* --- ELF kernels ----------------------------------------------------------- */

static void test_elf_load(void)
{
    g_autofree char *path = save(simple_elf(), "k.elf");
    g_autofree char *msg = NULL;
    g_autofree char *cmdline = g_strdup_printf("%s console=ttyS0", path);
    X86BootState bs = { 0 };
    uint32_t info, mmap;

    fx_begin();
    msg = load(path, "console=ttyS0", NULL, &bs);
    CU_ASSERT_PTR_NULL_FATAL(msg);

    /* The entry state (Multiboot spec 3.2). */
    CU_ASSERT_EQUAL(bs.mode, X86_BOOT_PROTECTED32);
    CU_ASSERT_EQUAL(bs.eip, 0x100010);
    CU_ASSERT_EQUAL(bs.eax, 0x2BADB002);
    CU_ASSERT_EQUAL(bs.ebx, 0x9500);

    /* The segment: file bytes 0x1000.. (pattern i & 0xff), then zeroes. */
    CU_ASSERT_EQUAL(fx.host[0x100000], 0x00);
    CU_ASSERT_EQUAL(fx.host[0x100001], 0x01);
    CU_ASSERT_EQUAL(fx.host[0x100fff], 0xff);
    CU_ASSERT_EQUAL(fx.host[0x101000], 0);
    CU_ASSERT_EQUAL(fx.host[0x102fff], 0);
    CU_ASSERT_TRUE(untouched(0x0fff00, 0x100));
    CU_ASSERT_TRUE(untouched(0x200000, 0x100));

    /* The information structure, as QEMU + SeaBIOS fill it. */
    CU_ASSERT_EQUAL(mbi(MBI_FLAGS), 0x24f);
    CU_ASSERT_EQUAL(mbi(MBI_MEM_LOWER), 639);
    CU_ASSERT_EQUAL(mbi(MBI_MEM_UPPER), (RAM_SIZE - 0x100000) / 1024);
    CU_ASSERT_EQUAL(mbi(MBI_BOOT_DEVICE), 0x8000ffff);
    CU_ASSERT_STRING_EQUAL((char *)fx.host + mbi(MBI_CMDLINE), cmdline);
    CU_ASSERT_STRING_EQUAL((char *)fx.host + mbi(MBI_BOOT_LOADER_NAME),
                           "qemu");
    CU_ASSERT_EQUAL(mbi(MBI_MODS_COUNT), 0);
    /* After the kernel, at the next page: 0x100000 + 0x3000. */
    info = mbi(MBI_MODS_ADDR);
    CU_ASSERT_EQUAL(info, 0x103000);
    CU_ASSERT(mbi(MBI_CMDLINE) >= info && mbi(MBI_CMDLINE) < 0x104000);

    /* The memory map: 24-byte entries, "size" first. */
    mmap = mbi(MBI_MMAP_ADDR);
    CU_ASSERT_EQUAL(mmap, 0x9000);
    CU_ASSERT_EQUAL(mbi(MBI_MMAP_LENGTH), 4 * 24);
    {
        static const uint32_t want[4][4] = {
            /* base, length, type */
            { 0x0, 0x9fc00, 1 },
            { 0x9fc00, 0x400, 2 },
            { 0xf0000, 0x10000, 2 },
            { 0x100000, RAM_SIZE - 0x100000, 1 },
        };

        for (int i = 0; i < 4; i++) {
            uint32_t e = mmap + 24 * i;

            CU_ASSERT_EQUAL(ram32(e), 20);
            CU_ASSERT_EQUAL(ram32(e + 4), want[i][0]);
            CU_ASSERT_EQUAL(ram32(e + 8), 0);
            CU_ASSERT_EQUAL(ram32(e + 12), want[i][1]);
            CU_ASSERT_EQUAL(ram32(e + 16), 0);
            CU_ASSERT_EQUAL(ram32(e + 20), want[i][2]);
        }
    }
    fx_end();
}

/* No -append: QEMU passes "PATH " (with the blank). */
static void test_elf_empty_cmdline(void)
{
    g_autofree char *path = save(simple_elf(), "k.elf");
    g_autofree char *msg = NULL;
    g_autofree char *want = g_strdup_printf("%s ", path);
    X86BootState bs;

    fx_begin();
    msg = load(path, "", NULL, &bs);
    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_STRING_EQUAL((char *)fx.host + mbi(MBI_CMDLINE), want);
    fx_end();
}

/* RAM above 4 GiB is in the map; mem_upper counts only up to the hole. */
static void test_high_ram(void)
{
    g_autofree char *path = save(simple_elf(), "k.elf");
    g_autofree char *msg = NULL;
    X86BootState bs;
    uint32_t e;

    fx_begin();
    /* The machine's layout: 8 MiB below the hole, 8 MiB above 4 GiB. */
    fx_add_high_ram();
    {
        /* Cover the upper half of the low RAM with a higher priority hole
         * of nothing: an I/O region stands for the PCI hole. */
        static MemoryRegion hole;

        memory_region_init_io(&hole, NULL, NULL, NULL, "hole",
                              8 * 1024 * 1024);
        memory_region_add_subregion_overlap(&fx.sysmem, 8 * 1024 * 1024,
                                            &hole, 1);
        msg = load(path, "", NULL, &bs);
        memory_region_del_subregion(&fx.sysmem, &hole);
        object_unparent(OBJECT(&hole));
    }
    CU_ASSERT_PTR_NULL_FATAL(msg);
    CU_ASSERT_EQUAL(mbi(MBI_MEM_UPPER), 7 * 1024);
    CU_ASSERT_EQUAL(mbi(MBI_MMAP_LENGTH), 5 * 24);
    e = 0x9000 + 3 * 24;
    CU_ASSERT_EQUAL(ram32(e + 12), 7 * 1024 * 1024);
    e += 24;
    CU_ASSERT_EQUAL(ram32(e + 4), 0);
    CU_ASSERT_EQUAL(ram32(e + 8), 1);               /* base 4 GiB */
    CU_ASSERT_EQUAL(ram32(e + 12), 8 * 1024 * 1024);
    CU_ASSERT_EQUAL(ram32(e + 20), 1);
    fx_end();
}

/* e_entry is virtual: translated through the executable segment. */
static void test_elf_entry_translation(void)
{
    Seg s = { .paddr = 0x100000, .vaddr = 0xc0100000, .offset = 0x1000,
              .filesz = 0x100, .memsz = 0x100, .flags = PF_R | PF_X };
    g_autofree char *path = save(elf32(EM_386, 0xc0100020, &s, 1),
                                 "high.elf");
    g_autofree char *msg = NULL;
    X86BootState bs;

    fx_begin();
    msg = load(path, "", NULL, &bs);
    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_EQUAL(bs.eip, 0x100020);
    fx_end();
}

static void test_elf64(void)
{
    GByteArray *f = simple_elf();

    f->data[EI_CLASS] = ELFCLASS64;
    put16(f, offsetof(Elf32_Ehdr, e_machine), EM_X86_64);
    check_refused(f, "Cannot load x86-64 image, give a 32bit one.");
    /* An ELF64 file of another machine is not an x86-64 one, but still
     * not 32-bit. */
    f = simple_elf();
    f->data[EI_CLASS] = ELFCLASS64;
    check_refused(f, "Error while loading elf kernel: wrong ELF class "
                  "(64-bit)");
}

static void test_elf_wrong_machine(void)
{
    Seg s = { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x10,
              .memsz = 0x10 };

    check_refused(elf32(EM_ARM, 0x100000, &s, 1),
                  "Error while loading elf kernel: wrong machine type 40");
}

static void test_elf_outside_ram(void)
{
    Seg s = { .paddr = 0x2000000, .offset = 0x1000, .filesz = 0x1000,
              .memsz = 0x1000 };
    /* Starts in RAM, ends past it. */
    Seg t = { .paddr = RAM_SIZE - 0x800, .offset = 0x1000, .filesz = 0x1000,
              .memsz = 0x1000 };

    check_refused(elf32(EM_386, 0x2000000, &s, 1),
                  "kernel (0x2000000..0x2000fff) is not in guest RAM");
    check_refused(elf32(EM_386, 0x100000, &t, 1),
                  "kernel (0xfff800..0x10007ff) is not in guest RAM");
}

static void test_elf_overlap(void)
{
    Seg s[2] = {
        { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x1000,
          .memsz = 0x2000 },
        { .paddr = 0x101800, .offset = 0x2000, .filesz = 0x100,
          .memsz = 0x100 },
    };

    check_refused(elf32(EM_386, 0x100000, s, 2),
                  "Error while loading elf kernel: segments overlap at "
                  "0x101800..0x1018ff");
}

static void test_elf_oversized(void)
{
    Seg big = { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x10,
                .memsz = 0xfffff000 };
    Seg fat = { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x2000,
                .memsz = 0x1000 };

    check_refused(elf32(EM_386, 0x100000, &big, 1),
                  "Error while loading elf kernel: segment 0: "
                  "0x100000+0xfffff000 does not fit in the address space");
    check_refused(elf32(EM_386, 0x100000, &fat, 1),
                  "Error while loading elf kernel: segment 0: file size "
                  "0x2000 is larger than its memory size 0x1000");
}

static void test_elf_truncated(void)
{
    Seg s = { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x1000,
              .memsz = 0x1000 };
    GByteArray *f = elf32(EM_386, 0x100000, &s, 1);

    /* Segment data cut short. */
    g_byte_array_set_size(f, 0x1800);
    check_refused(f, "Error while loading elf kernel: segment 0: file range "
                  "0x1000+0x1000 is outside the file (0x1800 bytes)");

    /* Program headers past the end. */
    f = elf32(EM_386, 0x100000, &s, 1);
    put32(f, offsetof(Elf32_Ehdr, e_phoff), 0x7fffffff);
    check_refused(f, "Error while loading elf kernel: program headers are "
                  "outside the file");

    /* Too many program headers for the file. */
    f = elf32(EM_386, 0x100000, &s, 1);
    put16(f, offsetof(Elf32_Ehdr, e_phnum), 0xffff);
    check_refused(f, "Error while loading elf kernel: program headers are "
                  "outside the file");

    /* The ELF header itself cut short (the Multiboot header inside it). */
    f = g_byte_array_new();
    put_mb_header(f, 20, MB_FLAGS);
    memcpy(f->data, ELFMAG, SELFMAG);
    f->data[EI_CLASS] = ELFCLASS32;
    f->data[EI_DATA] = ELFDATA2LSB;
    f->data[18] = EM_386;
    check_refused(f, "Error while loading elf kernel: ELF header is "
                  "truncated");

    /* A bad program header size. */
    f = elf32(EM_386, 0x100000, &s, 1);
    put16(f, offsetof(Elf32_Ehdr, e_phentsize), 16);
    check_refused(f, "Error while loading elf kernel: unexpected program "
                  "header size");

    /* Nothing to load. */
    f = elf32(EM_386, 0x100000, &s, 0);
    check_refused(f, "Error while loading elf kernel: no loadable segment");
}

static void test_not_elf(void)
{
    GByteArray *f = g_byte_array_new();

    put_mb_header(f, 0x40, MB_FLAGS);
    check_refused(f, "Error while loading elf kernel: not an ELF file, and "
                  "the Multiboot header has no address fields (flag 16)");
}

/* A kernel on top of where the information structure goes (0x9000). */
static void test_on_info(void)
{
    Seg s = { .paddr = 0x8000, .offset = 0x1000, .filesz = 0x100,
              .memsz = 0x2000 };

    check_refused(elf32(EM_386, 0x8000, &s, 1),
                  "memory map (0x9000) overlaps kernel (0x8000..0x9fff)");
}

static void test_no_header(void)
{
    GByteArray *f = g_byte_array_new();
    g_autofree char *path = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *want = NULL;
    X86BootState bs;

    put32(f, 0x3000, 1);
    path = save(f, "nohdr.bin");
    fx_begin();
    msg = load(path, "", NULL, &bs);
    want = g_strdup_printf("'%s' has no Multiboot header in its first 8 KiB",
                           path);
    CU_ASSERT_STRING_EQUAL(msg, want);
    g_free(msg);
    msg = load("/nonexistent/k", "", NULL, &bs);
    CU_ASSERT_STRING_EQUAL(msg, "could not open kernel file '/nonexistent/k'"
                           ": No such file or directory");
    fx_end();
}

/* --- the a.out kludge -------------------------------------------------------- */

/* A 0x3000-byte flat image, header at 0x40, loaded at 2 MiB. */
static GByteArray *aout(uint32_t header_addr, uint32_t load_addr,
                        uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    GByteArray *f = g_byte_array_new();

    g_byte_array_set_size(f, 0x3000);
    for (unsigned i = 0; i < f->len; i++) {
        f->data[i] = i * 7;
    }
    put_mb_header(f, 0x40, MB_FLAGS | MULTIBOOT_AOUT_KLUDGE);
    put32(f, 0x4c, header_addr);
    put32(f, 0x50, load_addr);
    put32(f, 0x54, load_end);
    put32(f, 0x58, bss_end);
    put32(f, 0x5c, entry);
    return f;
}

static void test_aout_load(void)
{
    g_autofree char *path = save(aout(0x200040, 0x200000, 0, 0x205000,
                                      0x200100), "aout.bin");
    g_autofree char *msg = NULL;
    X86BootState bs;

    fx_begin();
    msg = load(path, "", NULL, &bs);
    CU_ASSERT_PTR_NULL_FATAL(msg);
    CU_ASSERT_EQUAL(bs.eip, 0x200100);
    /* load_end_addr 0: the rest of the file from the text start. */
    CU_ASSERT_EQUAL(fx.host[0x200000], 0);
    CU_ASSERT_EQUAL(fx.host[0x200005], (uint8_t)(5 * 7));
    CU_ASSERT_EQUAL(fx.host[0x202fff], (uint8_t)(0x2fff * 7));
    CU_ASSERT_EQUAL(fx.host[0x203000], 0);          /* bss */
    CU_ASSERT_EQUAL(fx.host[0x204fff], 0);
    CU_ASSERT_EQUAL(mbi(MBI_MODS_ADDR), 0x205000);  /* the next page */
    fx_end();

    /* The text may start before the header: header_addr - load_addr. */
    g_free(path);
    path = save(aout(0x200040, 0x200020, 0x201020, 0, 0x200020),
                "aout2.bin");
    fx_begin();
    g_free(msg);
    msg = load(path, "", NULL, &bs);
    CU_ASSERT_PTR_NULL_FATAL(msg);
    CU_ASSERT_EQUAL(fx.host[0x200020], (uint8_t)(0x20 * 7));
    CU_ASSERT_TRUE(untouched(0x200000, 0x20));      /* before load_addr */
    /* QEMU's offsets are page aligned from the load address, not in
     * absolute terms: the module list follows at load_addr + 0x1000. */
    CU_ASSERT_EQUAL(mbi(MBI_MODS_ADDR), 0x201020);
    fx_end();
}

static void test_aout_errors(void)
{
    check_refused(aout(0x200000, 0x200040, 0, 0, 0),
                  "invalid load_addr address");
    check_refused(aout(0x200080, 0x200000, 0, 0, 0),
                  "invalid header_addr address");
    check_refused(aout(0x200040, 0x200000, 0x100000, 0, 0),
                  "invalid load_end_addr address");
    check_refused(aout(0x200040, 0x200000, 0, 0x201000, 0),
                  "invalid bss_end_addr address");
    check_refused(aout(0x200040, 0x200000, 0x210000, 0, 0),
                  "kernel file is truncated: 0x10000 bytes at offset 0x0 "
                  "expected");
    check_refused(aout(0xffffff40, 0xffffff00, 0, 0, 0),
                  "kernel does not fit in address space");
    check_refused(aout(0x20000040, 0x20000000, 0, 0, 0),
                  "kernel (0x20000000..0x20002fff) is not in guest RAM");
    /* The header's address words beyond the end of the file. */
    {
        GByteArray *f = g_byte_array_new();

        put_mb_header(f, 0x0, MB_FLAGS | MULTIBOOT_AOUT_KLUDGE);
        check_refused(f, "multiboot header at offset 0x0 is truncated");
    }
}

/* --- modules ------------------------------------------------------------------ */

static void test_modules(void)
{
    g_autofree char *path = save(simple_elf(), "k.elf");
    g_autofree char *m1 = g_build_filename(tmpdir, "mod1", NULL);
    g_autofree char *m2 = g_build_filename(tmpdir, "mod,2", NULL);
    g_autofree char *m2esc = g_build_filename(tmpdir, "mod,,2", NULL);
    g_autofree char *initrd = g_strdup_printf("%s arg=1,%s", m1, m2esc);
    g_autofree char *want1 = g_strdup_printf("%s arg=1", m1);
    g_autofree char *msg = NULL;
    X86BootState bs;
    uint32_t mods;

    g_file_set_contents(m1, "first module", -1, NULL);
    g_file_set_contents(m2, "second", -1, NULL);
    fx_begin();
    msg = load(path, "", initrd, &bs);
    CU_ASSERT_PTR_NULL_FATAL(msg);
    CU_ASSERT_EQUAL(mbi(MBI_MODS_COUNT), 2);
    mods = mbi(MBI_MODS_ADDR);
    CU_ASSERT_EQUAL(mods, 0x103000);
    /* Each module page aligned, after the info pages. */
    CU_ASSERT_EQUAL(ram32(mods), 0x104000);
    CU_ASSERT_EQUAL(ram32(mods + 4), 0x104000 + strlen("first module"));
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x104000, "first module", 12), 0);
    CU_ASSERT_STRING_EQUAL((char *)fx.host + ram32(mods + 8), want1);
    CU_ASSERT_EQUAL(ram32(mods + 16), 0x105000);
    CU_ASSERT_EQUAL(ram32(mods + 20), 0x105000 + 6);
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x105000, "second", 6), 0);
    CU_ASSERT_STRING_EQUAL((char *)fx.host + ram32(mods + 24), m2);
    fx_end();

    fx_begin();
    g_free(msg);
    msg = load(path, "", "/nonexistent/mod arg", &bs);
    CU_ASSERT_STRING_EQUAL(msg, "Failed to open file '/nonexistent/mod'");
    CU_ASSERT_TRUE(untouched(0, RAM_SIZE));
    fx_end();
}

/*
 * Hostile files: a valid kernel with random bytes of its headers changed
 * and a random length, many times over (a fixed seed, so a failure
 * reproduces).  Each must load or be refused with a message; with
 * SANITIZE=address any read or write out of bounds fails the run.
 */
static void test_fuzz(void)
{
    g_autoptr(GByteArray) good = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x4d42);
    Seg s[2] = {
        { .paddr = 0x100000, .offset = 0x1000, .filesz = 0x800,
          .memsz = 0x1000 },
        { .paddr = 0x200000, .offset = 0x1800, .filesz = 0x100,
          .memsz = 0x2000 },
    };
    g_autofree char *path = g_build_filename(tmpdir, "fuzz.elf", NULL);
    int loaded = 0, refused = 0;

    good = elf32(EM_386, 0x100000, s, 2);
    fx_begin();
    for (int i = 0; i < 2000; i++) {
        g_autoptr(GByteArray) f = g_byte_array_new();
        g_autofree char *msg = NULL;
        X86BootState bs;
        int flips = g_rand_int_range(rand, 1, 8);

        g_byte_array_append(f, good->data, good->len);
        for (int j = 0; j < flips; j++) {
            /* Mostly the ELF and program headers, sometimes anywhere. */
            uint32_t at = g_rand_boolean(rand)
                          ? g_rand_int_range(rand, 0, 0x80)
                          : g_rand_int_range(rand, 0, f->len);

            f->data[at] = g_rand_int(rand);
        }
        if (g_rand_int_range(rand, 0, 4) == 0) {
            g_byte_array_set_size(f, g_rand_int_range(rand, 0, f->len));
        }
        g_assert(g_file_set_contents(path, (char *)f->data, f->len, NULL));
        msg = load(path, "", NULL, &bs);
        if (msg) {
            CU_ASSERT(strlen(msg) > 0);
            refused++;
        } else {
            CU_ASSERT_EQUAL(bs.ebx, MULTIBOOT_INFO_ADDR);
            loaded++;
        }
    }
    fx_end();
    /* Both outcomes happened: the mutations are neither all fatal nor
     * all harmless. */
    CU_ASSERT(loaded > 0);
    CU_ASSERT(refused > 0);
}

int main(int argc, char **argv)
{
    int ret;

    container_get(object_get_root(), "/machine/unattached");
    tmpdir = tmp_dir_new("test-multiboot");

    harness_add("/multiboot/header/search", test_header_search);
    harness_add("/multiboot/header/probe", test_probe);
    harness_add("/multiboot/header/none", test_no_header);
    harness_add("/multiboot/elf/load", test_elf_load);
    harness_add("/multiboot/elf/empty-cmdline", test_elf_empty_cmdline);
    harness_add("/multiboot/elf/high-ram", test_high_ram);
    harness_add("/multiboot/elf/entry-translation",
                test_elf_entry_translation);
    harness_add("/multiboot/elf/elf64", test_elf64);
    harness_add("/multiboot/elf/wrong-machine", test_elf_wrong_machine);
    harness_add("/multiboot/elf/outside-ram", test_elf_outside_ram);
    harness_add("/multiboot/elf/overlap", test_elf_overlap);
    harness_add("/multiboot/elf/oversized", test_elf_oversized);
    harness_add("/multiboot/elf/truncated", test_elf_truncated);
    harness_add("/multiboot/elf/not-elf", test_not_elf);
    harness_add("/multiboot/elf/on-info", test_on_info);
    harness_add("/multiboot/aout/load", test_aout_load);
    harness_add("/multiboot/aout/errors", test_aout_errors);
    harness_add("/multiboot/modules", test_modules);
    harness_add("/multiboot/fuzz", test_fuzz);
    ret = harness_run(argc, argv);

    tmp_dir_remove(tmpdir);
    return ret;
}
