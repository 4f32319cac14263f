/*
 * test-linux-boot.c - Linux kernels without firmware (hw/i386/
 * linux-boot.c): the setup header parser, the zero page, the e820 map,
 * the 32- and 64-bit entry states, the PVH note and hvm_start_info, and
 * every kind of broken file refused with its message and with guest
 * memory left as it was.  Images are synthetic, built byte by byte into
 * a temporary directory, and loaded into RAM pre-filled with 0xaa.
 */
#include "util/osdep.h"
#include <elf.h>
#include "hw/i386/linux-boot.h"
#include "harness.h"

#define MiB (1024 * 1024)

static char *tmpdir;

/* --- fixture: RAM at 0 (and optionally an alias at 4 GiB) --------------- */

static struct {
    MemoryRegion sysmem, sysio, ram, high_alias;
    AddressSpace as_mem, as_io;
    uint64_t size;
    bool high;
    uint8_t *host;
} fx;

static void fx_begin_size(uint64_t size)
{
    memset(&fx, 0, sizeof(fx));
    memory_map_init(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
    memory_region_init_ram(&fx.ram, NULL, "ram", size, &error_abort);
    memory_region_add_subregion(&fx.sysmem, 0, &fx.ram);
    fx.size = size;
    fx.host = memory_region_get_ram_ptr(&fx.ram);
    memset(fx.host, 0xaa, size);
}

static void fx_begin(void)
{
    fx_begin_size(32 * MiB);
}

/* The PC's layout for big guests: the top 8 MiB also at 4 GiB. */
static void fx_add_high_ram(void)
{
    memory_region_init_alias(&fx.high_alias, NULL, "ram-above-4g", &fx.ram,
                             fx.size - 8 * MiB, 8 * MiB);
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

static uint16_t ram16(uint64_t a)
{
    return fx.host[a] | fx.host[a + 1] << 8;
}

static uint32_t ram32(uint64_t a)
{
    return ram16(a) | (uint32_t)ram16(a + 2) << 16;
}

static uint64_t ram64(uint64_t a)
{
    return ram32(a) | (uint64_t)ram32(a + 4) << 32;
}

/* True if all of guest RAM still holds the 0xaa fill. */
static bool ram_untouched(void)
{
    for (uint64_t i = 0; i < fx.size; i++) {
        if (fx.host[i] != 0xaa) {
            return false;
        }
    }
    return true;
}

/* --- building files ------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v);
    put32(p + 4, v >> 32);
}

/*
 * A bzImage: setup_sects 1 (1024 bytes of setup), protocol @version, the
 * header up to 0x26c, then @kernel_size bytes of kernel (byte i is
 * (i * 7) & 0xff).  Caller may patch it before writing.
 */
static GByteArray *bzimage(uint16_t version, uint16_t xloadflags,
                           size_t kernel_size)
{
    GByteArray *f = g_byte_array_sized_new(1024 + kernel_size);
    uint8_t *b;

    g_byte_array_set_size(f, 1024 + kernel_size);
    b = f->data;
    memset(b, 0, 1024);
    b[LH_SETUP_SECTS] = 1;
    put32(b + LH_SYSSIZE, kernel_size / 16);
    put16(b + LH_BOOT_FLAG, 0xaa55);
    b[LH_JUMP] = 0xeb;
    b[LH_JUMP + 1] = 0x26c - 0x202;
    memcpy(b + LH_HEADER, "HdrS", 4);
    put16(b + LH_VERSION, version);
    b[LH_LOADFLAGS] = LINUX_LOADED_HIGH;
    put32(b + LH_CODE32_START, 0x100000);
    put32(b + LH_INITRD_ADDR_MAX, 0x7fffffff);
    put32(b + LH_KERNEL_ALIGNMENT, 0x200000);
    put16(b + LH_XLOADFLAGS, xloadflags);
    put32(b + LH_CMDLINE_SIZE, 2047);
    put64(b + LH_PREF_ADDRESS, 0x1000000);
    put32(b + LH_INIT_SIZE, 0x400000);
    for (size_t i = 0; i < kernel_size; i++) {
        b[1024 + i] = (i * 7) & 0xff;
    }
    return f;
}

static GByteArray *bzimage64(size_t kernel_size)
{
    return bzimage(0x20f, LINUX_XLF_KERNEL_64 |
                   LINUX_XLF_CAN_BE_LOADED_ABOVE_4G, kernel_size);
}

/* Write @len bytes to tmpdir/@name; returns the path (g_free). */
static char *write_file(const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(tmpdir, name, NULL);

    g_assert(g_file_set_contents(path, data, len, NULL));
    return path;
}

static char *write_array(const char *name, GByteArray *f)
{
    char *path = write_file(name, f->data, f->len);

    g_byte_array_unref(f);
    return path;
}

/* Load @kernel (with @initrd, @cmdline) into the fixture. */
static bool load(const char *kernel, const char *initrd, const char *cmdline,
                 X86BootState *bs, Error **errp)
{
    LinuxBootConfig cfg = {
        .kernel_filename = kernel,
        .initrd_filename = initrd,
        .cmdline = cmdline,
    };

    memset(bs, 0, sizeof(*bs));
    return x86_load_linux(&fx.as_mem, &cfg, bs, errp);
}

/* Expect loading to fail with exactly @msg, leaving RAM untouched. */
static void expect_error(const char *kernel, const char *initrd,
                         const char *cmdline, const char *msg)
{
    X86BootState bs;
    Error *err = NULL;

    CU_ASSERT_FALSE(load(kernel, initrd, cmdline, &bs, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (strcmp(error_get_pretty(err), msg) != 0) {
        fprintf(stderr, "\nexpected: %s\n     got: %s\n", msg,
                error_get_pretty(err));
    }
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), msg);
    error_free(err);
    CU_ASSERT_TRUE(ram_untouched());
    CU_ASSERT_EQUAL(bs.mode, X86_BOOT_RESET);
}

/* --- the setup header ------------------------------------------------------ */

static void test_header_parse(void)
{
    g_autoptr(GByteArray) f = bzimage64(0x2000);
    LinuxSetupHeader h;

    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len, &h,
                                             &error_abort), 1);
    CU_ASSERT_EQUAL(h.version, 0x20f);
    CU_ASSERT_EQUAL(h.setup_size, 1024);
    CU_ASSERT_EQUAL(h.kernel_size, 0x2000);
    CU_ASSERT_EQUAL(h.header_end, 0x26c);
    CU_ASSERT_EQUAL(h.loadflags, LINUX_LOADED_HIGH);
    CU_ASSERT_EQUAL(h.xloadflags, 3);
    CU_ASSERT_EQUAL(h.code32_start, 0x100000);
    CU_ASSERT_EQUAL(h.initrd_addr_max, 0x7fffffff);
    CU_ASSERT_EQUAL(h.cmdline_size, 2047);
    CU_ASSERT_EQUAL(h.init_size, 0x400000);
}

/* "If this field is 0, the real value is 4." */
static void test_header_setup_sects_zero(void)
{
    g_autoptr(GByteArray) f = bzimage64(0x2000);
    LinuxSetupHeader h;

    f->data[LH_SETUP_SECTS] = 0;
    put32(f->data + LH_SYSSIZE, 0x1a00 / 16);
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len, &h,
                                             &error_abort), 1);
    CU_ASSERT_EQUAL(h.setup_size, 5 * 512);
    CU_ASSERT_EQUAL(h.kernel_size, 1024 + 0x2000 - 5 * 512);
}

/* Fields newer than the version, or past the header's end, are defaults
 * (QEMU's for initrd_addr_max). */
static void test_header_old_versions(void)
{
    g_autoptr(GByteArray) f = bzimage64(0x2000);
    LinuxSetupHeader h;

    put16(f->data + LH_VERSION, 0x202);
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len, &h,
                                             &error_abort), 1);
    CU_ASSERT_EQUAL(h.initrd_addr_max, 0x37ffffff);
    CU_ASSERT_EQUAL(h.cmdline_size, 255);
    CU_ASSERT_EQUAL(h.xloadflags, 0);
    CU_ASSERT_EQUAL(h.init_size, 0);
    put16(f->data + LH_VERSION, 0x20f);
    f->data[LH_JUMP + 1] = 0x230 - 0x202;   /* header ends before 0x236 */
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len, &h,
                                             &error_abort), 1);
    CU_ASSERT_EQUAL(h.header_end, 0x230);
    CU_ASSERT_EQUAL(h.initrd_addr_max, 0x7fffffff);
    CU_ASSERT_EQUAL(h.xloadflags, 0);
    CU_ASSERT_EQUAL(h.cmdline_size, 255);
}

static void test_header_not_bzimage(void)
{
    g_autoptr(GByteArray) f = bzimage64(0x2000);
    LinuxSetupHeader h;

    f->data[LH_HEADER] = 'X';
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len, &h, NULL), 0);
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, 0x205, &h, NULL), 0);
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, 0, &h, NULL), 0);
}

static void test_header_corrupt(void)
{
    g_autoptr(GByteArray) f = bzimage64(0x2000);
    LinuxSetupHeader h;
    Error *err = NULL;

    /* Setup sectors past the end of the file (QEMU's message). */
    f->data[LH_SETUP_SECTS] = 255;
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len, &h, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "invalid kernel header");
    g_clear_pointer(&err, error_free);
    /* Truncated right after the magic: no version. */
    f->data[LH_SETUP_SECTS] = 1;
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, 0x207, &h, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "invalid kernel header");
    g_clear_pointer(&err, error_free);
    /* syssize says more than the file has. */
    CU_ASSERT_EQUAL(linux_parse_setup_header(f->data, f->len - 16, &h,
                                             &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "kernel file is truncated: the header says "
                           "0x2000 bytes of protected-mode code, the file "
                           "has 0x1ff0");
    g_clear_pointer(&err, error_free);
}

/* --- the e820 map ------------------------------------------------------------ */

static void test_e820_low(void)
{
    E820Entry e[16];
    unsigned n;

    fx_begin();
    n = x86_e820_build(&fx.as_mem, e, 16);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    CU_ASSERT(e[0].addr == 0 && e[0].size == 0x9fc00 &&
              e[0].type == E820_RAM);
    CU_ASSERT(e[1].addr == 0x9fc00 && e[1].size == 0x400 &&
              e[1].type == E820_RESERVED);
    CU_ASSERT(e[2].addr == 0xf0000 && e[2].size == 0x10000 &&
              e[2].type == E820_RESERVED);
    CU_ASSERT(e[3].addr == MiB && e[3].size == 31 * MiB &&
              e[3].type == E820_RAM);
    CU_ASSERT(e[4].addr == 0xfeffc000 && e[4].size == 0x4000 &&
              e[4].type == E820_RESERVED);
    CU_ASSERT_EQUAL(x86_low_ram_end(&fx.as_mem), 32 * MiB);
    /* A short table gets the first entries; the count is still right. */
    CU_ASSERT_EQUAL(x86_e820_build(&fx.as_mem, e, 2), 2);
    fx_end();
}

static void test_e820_high(void)
{
    E820Entry e[16];
    unsigned n;

    fx_begin();
    fx_add_high_ram();
    n = x86_e820_build(&fx.as_mem, e, 16);
    CU_ASSERT_EQUAL_FATAL(n, 6);
    CU_ASSERT(e[5].addr == UINT64_C(1) << 32 && e[5].size == 8 * MiB &&
              e[5].type == E820_RAM);
    fx_end();
}

/* Less than 640 KiB of RAM: no EBDA, no RAM above 1 MiB. */
static void test_e820_tiny(void)
{
    E820Entry e[16];
    unsigned n;

    fx_begin_size(512 * 1024);
    n = x86_e820_build(&fx.as_mem, e, 16);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT(e[0].addr == 0 && e[0].size == 512 * 1024);
    CU_ASSERT(e[1].addr == 0xf0000 && e[1].type == E820_RESERVED);
    CU_ASSERT(e[2].addr == 0xfeffc000);
    CU_ASSERT_EQUAL(x86_low_ram_end(&fx.as_mem), 0);
    fx_end();
}

/* --- bzImage ------------------------------------------------------------------ */

/* Check the e820 table of a 32 MiB fixture at @table (20-byte entries,
 * or 24-byte PVH entries with @stride). */
static void check_e820_table(uint64_t table, unsigned stride, unsigned n)
{
    CU_ASSERT_EQUAL_FATAL(n, 5);
    CU_ASSERT_EQUAL(ram64(table), 0);
    CU_ASSERT_EQUAL(ram64(table + 8), 0x9fc00);
    CU_ASSERT_EQUAL(ram32(table + 16), E820_RAM);
    CU_ASSERT_EQUAL(ram64(table + 3 * stride), MiB);
    CU_ASSERT_EQUAL(ram64(table + 3 * stride + 8), 31 * MiB);
    CU_ASSERT_EQUAL(ram32(table + 4 * stride + 16), E820_RESERVED);
}

static void test_bzimage_load64(void)
{
    g_autofree char *kernel = write_array("bz64", bzimage64(0x3000));
    g_autofree char *initrd = write_file("initrd", "INITRD!", 7);
    const uint64_t zp = LINUX_ZERO_PAGE_ADDR;
    uint32_t initrd_addr = ((32 * MiB - 0x28000 - 1) - 7) & ~0xfffu;
    X86BootState bs;
    bool kernel_ok = true;

    fx_begin();
    CU_ASSERT_TRUE_FATAL(load(kernel, initrd, "console=ttyS0 root=/dev/sda",
                              &bs, &error_abort));
    /* The entry state (boot.rst "64-bit Boot Protocol"). */
    CU_ASSERT_EQUAL(bs.mode, X86_BOOT_LONG64);
    CU_ASSERT_EQUAL(bs.eip, 0x100200);
    CU_ASSERT_EQUAL(bs.esi, zp);
    CU_ASSERT_EQUAL(bs.cr3, LINUX_PAGE_TABLES_ADDR);
    CU_ASSERT_EQUAL(bs.cs, 0x10);
    CU_ASSERT_EQUAL(bs.ds, 0x18);
    CU_ASSERT_EQUAL(bs.gdt_base, LINUX_GDT_ADDR);
    CU_ASSERT_EQUAL(bs.gdt_limit, 31);
    CU_ASSERT_EQUAL(bs.esp, LINUX_STACK_TOP);
    /* The zero page: header copied, loader fields filled, rest zero. */
    CU_ASSERT_EQUAL(ram32(zp + LH_HEADER), LINUX_HDRS_MAGIC);
    CU_ASSERT_EQUAL(ram16(zp + LH_VERSION), 0x20f);
    CU_ASSERT_EQUAL(fx.host[zp + LH_SETUP_SECTS], 1);
    CU_ASSERT_EQUAL(ram16(zp + LH_BOOT_FLAG), 0xaa55);
    CU_ASSERT_EQUAL(fx.host[zp + LH_TYPE_OF_LOADER], 0xb0);
    CU_ASSERT_EQUAL(fx.host[zp + LH_LOADFLAGS],
                    LINUX_LOADED_HIGH | LINUX_CAN_USE_HEAP);
    CU_ASSERT_EQUAL(ram16(zp + LH_HEAP_END_PTR), 0xfe00);
    CU_ASSERT_EQUAL(ram32(zp + LH_CMD_LINE_PTR), LINUX_CMDLINE_ADDR);
    CU_ASSERT_EQUAL(ram32(zp + LH_CODE32_START), 0x100000);
    CU_ASSERT_EQUAL(ram32(zp + LH_RAMDISK_IMAGE), initrd_addr);
    CU_ASSERT_EQUAL(ram32(zp + LH_RAMDISK_SIZE), 7);
    CU_ASSERT_EQUAL(fx.host[zp + BP_SENTINEL], 0);
    CU_ASSERT_EQUAL(ram64(zp), 0);                      /* screen_info */
    CU_ASSERT_EQUAL(ram32(zp + 0x26c), 0);              /* past header */
    check_e820_table(zp + BP_E820_TABLE, 20, fx.host[zp + BP_E820_ENTRIES]);
    /* Command line, initrd, kernel. */
    CU_ASSERT_STRING_EQUAL((char *)fx.host + LINUX_CMDLINE_ADDR,
                           "console=ttyS0 root=/dev/sda");
    CU_ASSERT_EQUAL(memcmp(fx.host + initrd_addr, "INITRD!", 7), 0);
    for (unsigned i = 0; i < 0x3000; i++) {
        kernel_ok &= fx.host[0x100000 + i] == ((i * 7) & 0xff);
    }
    CU_ASSERT_TRUE(kernel_ok);
    CU_ASSERT_EQUAL(fx.host[0x103000], 0xaa);           /* nothing past */
    /* GDT: __BOOT_CS 64-bit code, __BOOT_DS flat data. */
    CU_ASSERT_EQUAL(ram64(LINUX_GDT_ADDR + 0x10), 0x00af9b000000ffffULL);
    CU_ASSERT_EQUAL(ram64(LINUX_GDT_ADDR + 0x18), 0x00cf93000000ffffULL);
    /* Identity map: PML4 -> PDPT -> 4 PDs of 2 MiB pages. */
    CU_ASSERT_EQUAL(ram64(0x2000), 0x3003);
    CU_ASSERT_EQUAL(ram64(0x3000 + 8 * 3), 0x7003);
    CU_ASSERT_EQUAL(ram64(0x4000), 0x83);
    CU_ASSERT_EQUAL(ram64(0x4000 + 8 * 5), (5 << 21) | 0x83);
    CU_ASSERT_EQUAL(ram64(0x7ff8), 0xffe00083ULL);
    /* BIOS data area: EBDA segment, base memory. */
    CU_ASSERT_EQUAL(ram16(0x40e), 0x9fc0);
    CU_ASSERT_EQUAL(ram16(0x413), 639);
    fx_end();
}

/* Protocol 2.11, no XLF_KERNEL_64: the 32-bit entry, no page tables. */
static void test_bzimage_load32(void)
{
    g_autofree char *kernel = write_array("bz32",
                                          bzimage(0x20b, 0, 0x1000));
    X86BootState bs;

    fx_begin();
    CU_ASSERT_TRUE_FATAL(load(kernel, NULL, NULL, &bs, &error_abort));
    CU_ASSERT_EQUAL(bs.mode, X86_BOOT_PROTECTED32);
    CU_ASSERT_EQUAL(bs.eip, 0x100000);
    CU_ASSERT_EQUAL(bs.esi, LINUX_ZERO_PAGE_ADDR);
    CU_ASSERT_EQUAL(bs.ebx, 0);
    CU_ASSERT_EQUAL(bs.cs, 0x10);
    CU_ASSERT_EQUAL(ram64(LINUX_GDT_ADDR + 0x10), 0x00cf9b000000ffffULL);
    CU_ASSERT_EQUAL(fx.host[0x2000], 0xaa);             /* no page tables */
    CU_ASSERT_EQUAL(fx.host[LINUX_CMDLINE_ADDR], 0);    /* "" */
    CU_ASSERT_EQUAL(ram32(LINUX_ZERO_PAGE_ADDR + LH_RAMDISK_SIZE), 0);
    fx_end();
}

/* QEMU's "vga=" handling. */
static void test_bzimage_vga(void)
{
    g_autofree char *kernel = write_array("bzvga", bzimage64(0x1000));
    static const struct {
        const char *cmdline;
        uint16_t mode;
    } cases[] = {
        { "vga=normal", 0xffff }, { "quiet vga=ext", 0xfffe },
        { "vga=ask", 0xfffd }, { "vga=0x317 quiet", 0x317 },
        { "vga=791", 791 },
    };
    X86BootState bs;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        fx_begin();
        CU_ASSERT_TRUE(load(kernel, NULL, cases[i].cmdline, &bs,
                            &error_abort));
        CU_ASSERT_EQUAL(ram16(LINUX_ZERO_PAGE_ADDR + LH_VID_MODE),
                        cases[i].mode);
        fx_end();
    }
    fx_begin();
    expect_error(kernel, NULL, "vga=foo", "invalid 'vga=' kernel parameter.");
    expect_error(kernel, NULL, "vga=12x", "invalid 'vga=' kernel parameter.");
    fx_end();
}

static void test_bzimage_initrd_errors(void)
{
    g_autofree char *kernel = write_array("bzi", bzimage64(0x1000));
    g_autofree char *missing = g_build_filename(tmpdir, "nothere", NULL);
    g_autofree char *big = NULL;
    g_autofree uint8_t *data = g_malloc0(32 * MiB);
    g_autofree char *msg = NULL;
    g_autofree char *msg2 = NULL;

    big = write_file("big-initrd", data, 32 * MiB);
    fx_begin();
    /* QEMU's message, QEMU's max: RAM end - 0x28000 - 1. */
    msg = g_strdup_printf("initrd is too large, cannot support.(max: %u, "
                          "need %u)", 32 * MiB - 0x28000 - 1, 32 * MiB);
    expect_error(kernel, big, NULL, msg);
    msg2 = g_strdup_printf("error reading initrd %s: Failed to open file "
                           "\u201c%s\u201d: open() failed: No such file or "
                           "directory", missing, missing);
    expect_error(kernel, missing, NULL, msg2);
    fx_end();
}

/* An initrd that fits under initrd_max but lands on the kernel. */
static void test_bzimage_initrd_overlap(void)
{
    g_autofree char *kernel = write_array("bzo", bzimage64(2 * MiB));
    g_autofree uint8_t *data = g_malloc0(MiB + MiB / 2);
    g_autofree char *initrd = write_file("initrd-o", data, MiB + MiB / 2);

    fx_begin_size(4 * MiB);
    expect_error(kernel, initrd, NULL,
                 "initrd (0x257000..0x3d6fff) overlaps kernel "
                 "(0x100000..0x2fffff)");
    fx_end();
}

static void test_bzimage_too_big(void)
{
    g_autofree char *kernel = write_array("bzbig", bzimage64(40 * MiB));

    fx_begin();
    expect_error(kernel, NULL, NULL,
                 "kernel (0x100000..0x28fffff) is not in guest RAM");
    fx_end();
}

static void test_bzimage_corrupt(void)
{
    GByteArray *f = bzimage64(0x1000);
    g_autofree char *truncated = NULL, *sects = NULL, *old = NULL;
    g_autofree char *zimage = NULL, *older = NULL;

    truncated = write_file("bz-trunc", f->data, f->len - 0x100);
    f->data[LH_SETUP_SECTS] = 200;
    sects = write_file("bz-sects", f->data, f->len);
    f->data[LH_SETUP_SECTS] = 1;
    put16(f->data + LH_VERSION, 0x201);
    old = write_file("bz-old", f->data, f->len);
    put16(f->data + LH_VERSION, 0x105);
    older = write_file("bz-older", f->data, f->len);
    put16(f->data + LH_VERSION, 0x204);
    f->data[LH_LOADFLAGS] = 0;
    zimage = write_array("bz-zimage", f);

    fx_begin();
    expect_error(truncated, NULL, NULL,
                 "kernel file is truncated: the header says 0x1000 bytes "
                 "of protected-mode code, the file has 0xf00");
    expect_error(sects, NULL, NULL, "invalid kernel header");
    expect_error(old, NULL, NULL, "linux kernel too old: boot protocol "
                 "2.01 has no 32-bit entry");
    expect_error(older, truncated, NULL,
                 "linux kernel too old to load a ram disk");
    expect_error(zimage, NULL, NULL, "linux kernel too old: boot protocol "
                 "2.04 (zImage) has no 32-bit entry");
    fx_end();
}

static void test_bzimage_cmdline_too_long(void)
{
    g_autofree char *kernel = write_array("bzc", bzimage64(0x1000));
    g_autofree char *cmdline = g_strnfill(LINUX_CMDLINE_END -
                                          LINUX_CMDLINE_ADDR, 'x');

    fx_begin();
    expect_error(kernel, NULL, cmdline, "kernel command line is too long "
                 "(523264 bytes, at most 523263)");
    fx_end();
}

/* Neither bzImage nor ELF: QEMU's messages for a "protocol 0" kernel. */
static void test_not_a_kernel(void)
{
    g_autofree uint8_t *junk = g_malloc(4096);
    g_autofree char *kernel = NULL, *small = NULL, *empty = NULL;
    g_autofree char *initrd = write_file("initrd-j", "x", 1);
    g_autofree char *msg = NULL, *msg2 = NULL;

    memset(junk, 0x01, 4096);
    kernel = write_file("junk", junk, 4096);
    small = write_file("junk-small", junk, 200);
    empty = write_file("empty", junk, 0);
    fx_begin();
    expect_error(kernel, initrd, NULL,
                 "linux kernel too old to load a ram disk");
    expect_error(small, NULL, NULL, "invalid kernel header");
    msg = g_strdup_printf("could not load kernel '%s': not a bzImage (no "
                          "\"HdrS\" header), a PVH ELF or a Multiboot "
                          "kernel", kernel);
    expect_error(kernel, NULL, NULL, msg);
    msg2 = g_strdup_printf("could not load kernel '%s': the file is empty",
                           empty);
    expect_error(empty, NULL, NULL, msg2);
    fx_end();
}

/* --- PVH -------------------------------------------------------------------- */

/*
 * An ELF64 (or ELF32) x86-64 executable: one PT_LOAD of 0x1000 bytes at
 * paddr 0x200000 (file offset 0x1000), and a PT_NOTE at 0x200 holding a
 * "Xen" note of @type whose descriptor is @desc_size bytes of @entry.
 */
static GByteArray *pvh_elf(bool is64, uint32_t type, unsigned desc_size,
                           uint64_t entry)
{
    GByteArray *f = g_byte_array_new();
    uint8_t *b, *ph;
    unsigned phoff = is64 ? 64 : 52, phsize = is64 ? 56 : 32;

    g_byte_array_set_size(f, 0x2000);
    b = f->data;
    memset(b, 0, f->len);
    memcpy(b, ELFMAG, SELFMAG);
    b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
    b[EI_DATA] = ELFDATA2LSB;
    b[EI_VERSION] = EV_CURRENT;
    put16(b + 16, ET_EXEC);
    put16(b + 18, is64 ? EM_X86_64 : EM_386);
    put32(b + 20, EV_CURRENT);
    if (is64) {
        put64(b + 24, 0x200000);                /* e_entry */
        put64(b + 32, phoff);                   /* e_phoff */
        put16(b + 52, 64);                      /* e_ehsize */
        put16(b + 54, phsize);
        put16(b + 56, 2);                       /* e_phnum */
    } else {
        put32(b + 24, 0x200000);
        put32(b + 28, phoff);
        put16(b + 40, 52);
        put16(b + 42, phsize);
        put16(b + 44, 2);
    }
    /* PT_LOAD */
    ph = b + phoff;
    put32(ph, PT_LOAD);
    if (is64) {
        put32(ph + 4, PF_R | PF_X);
        put64(ph + 8, 0x1000);                  /* p_offset */
        put64(ph + 16, 0x200000);               /* p_vaddr */
        put64(ph + 24, 0x200000);               /* p_paddr */
        put64(ph + 32, 0x1000);                 /* p_filesz */
        put64(ph + 40, 0x1000);                 /* p_memsz */
    } else {
        put32(ph + 4, 0x1000);
        put32(ph + 8, 0x200000);
        put32(ph + 12, 0x200000);
        put32(ph + 16, 0x1000);
        put32(ph + 20, 0x1000);
        put32(ph + 24, PF_R | PF_X);
    }
    /* PT_NOTE: one unrelated note, then ours. */
    ph += phsize;
    put32(ph, PT_NOTE);
    if (is64) {
        put64(ph + 8, 0x200);
        put64(ph + 32, 20 + 12 + 4 + ((desc_size + 3) & ~3));
    } else {
        put32(ph + 4, 0x200);
        put32(ph + 16, 20 + 12 + 4 + ((desc_size + 3) & ~3));
    }
    put32(b + 0x200, 4);                        /* "GNU" note, type 3 */
    put32(b + 0x204, 4);
    put32(b + 0x208, 3);
    memcpy(b + 0x20c, "GNU", 4);
    put32(b + 0x214, 4);
    put32(b + 0x200 + 20, 4);                   /* the Xen note */
    put32(b + 0x200 + 24, desc_size);
    put32(b + 0x200 + 28, type);
    memcpy(b + 0x200 + 32, "Xen", 4);
    if (desc_size == 8) {
        put64(b + 0x200 + 36, entry);
    } else if (desc_size == 4) {
        put32(b + 0x200 + 36, entry);
    }
    for (unsigned i = 0; i < 0x1000; i++) {
        b[0x1000 + i] = i ^ 0x5a;
    }
    return f;
}

static void test_pvh_note(void)
{
    uint32_t entry = 0;
    Error *err = NULL;
    GByteArray *f;

    f = pvh_elf(true, XEN_ELFNOTE_PHYS32_ENTRY, 8, 0x200010);
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, &error_abort), 1);
    CU_ASSERT_EQUAL(entry, 0x200010);
    /* Truncate the note segment into our note: malformed. */
    put64(f->data + 64 + 56 + 32, 20 + 12 + 2);
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "ELF note at 0x214 is truncated");
    g_clear_pointer(&err, error_free);
    /* The note segment past the end of the file. */
    put64(f->data + 64 + 56 + 8, 0x1ff0);
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "note segment 1 is outside the file");
    g_clear_pointer(&err, error_free);
    /* Program headers past the end of the file. */
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, 100, &entry, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "program headers are outside the file");
    g_clear_pointer(&err, error_free);
    g_byte_array_unref(f);

    f = pvh_elf(false, XEN_ELFNOTE_PHYS32_ENTRY, 4, 0x200020);
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, &error_abort), 1);
    CU_ASSERT_EQUAL(entry, 0x200020);
    g_byte_array_unref(f);

    f = pvh_elf(true, 17, 4, 0x200020);         /* another Xen note only */
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, NULL), 0);
    g_byte_array_unref(f);

    f = pvh_elf(true, XEN_ELFNOTE_PHYS32_ENTRY, 8, UINT64_C(0x100000000));
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "PVH entry point "
                           "0x100000000 is not a 32-bit address");
    g_clear_pointer(&err, error_free);
    g_byte_array_unref(f);

    f = pvh_elf(true, XEN_ELFNOTE_PHYS32_ENTRY, 2, 0);
    CU_ASSERT_EQUAL(pvh_find_entry(f->data, f->len, &entry, &err), -1);
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "PVH entry note has a 2-byte descriptor");
    g_clear_pointer(&err, error_free);
    CU_ASSERT_EQUAL(pvh_find_entry((const uint8_t *)"junk", 4, &entry, NULL),
                    0);
    g_byte_array_unref(f);
}

static void test_pvh_load(void)
{
    g_autofree char *kernel = write_array("pvh", pvh_elf(true,
                                          XEN_ELFNOTE_PHYS32_ENTRY, 8,
                                          0x200010));
    g_autofree char *initrd = write_file("initrd-p", "RAMDISK", 7);
    const uint64_t si = LINUX_ZERO_PAGE_ADDR;
    uint32_t initrd_addr = ((32 * MiB - 0x28000 - 1) - 7) & ~0xfffu;
    X86BootState bs;

    fx_begin();
    CU_ASSERT_TRUE_FATAL(load(kernel, initrd, "console=hvc0", &bs,
                              &error_abort));
    CU_ASSERT_EQUAL(bs.mode, X86_BOOT_PROTECTED32);
    CU_ASSERT_EQUAL(bs.eip, 0x200010);
    CU_ASSERT_EQUAL(bs.ebx, si);
    CU_ASSERT_TRUE(bs.pvh_tr);
    CU_ASSERT_EQUAL(bs.cs, 0x10);
    CU_ASSERT_EQUAL(ram64(LINUX_GDT_ADDR + 0x10), 0x00cf9b000000ffffULL);
    /* hvm_start_info */
    CU_ASSERT_EQUAL(ram32(si + HSI_MAGIC), XEN_HVM_START_MAGIC_VALUE);
    CU_ASSERT_EQUAL(ram32(si + HSI_VERSION), 1);
    CU_ASSERT_EQUAL(ram32(si + HSI_FLAGS), 0);
    CU_ASSERT_EQUAL(ram32(si + HSI_NR_MODULES), 1);
    CU_ASSERT_EQUAL(ram64(si + HSI_MODLIST_PADDR), LINUX_PVH_MODLIST_ADDR);
    CU_ASSERT_EQUAL(ram64(si + HSI_CMDLINE_PADDR), LINUX_CMDLINE_ADDR);
    CU_ASSERT_EQUAL(ram64(si + HSI_RSDP_PADDR), 0);
    CU_ASSERT_EQUAL(ram64(si + HSI_MEMMAP_PADDR), LINUX_PVH_MEMMAP_ADDR);
    check_e820_table(LINUX_PVH_MEMMAP_ADDR, 24,
                     ram32(si + HSI_MEMMAP_ENTRIES));
    CU_ASSERT_EQUAL(ram32(LINUX_PVH_MEMMAP_ADDR + 20), 0);  /* reserved */
    CU_ASSERT_EQUAL(ram64(LINUX_PVH_MODLIST_ADDR), initrd_addr);
    CU_ASSERT_EQUAL(ram64(LINUX_PVH_MODLIST_ADDR + 8), 7);
    CU_ASSERT_EQUAL(ram64(LINUX_PVH_MODLIST_ADDR + 16), 0);
    CU_ASSERT_EQUAL(memcmp(fx.host + initrd_addr, "RAMDISK", 7), 0);
    CU_ASSERT_STRING_EQUAL((char *)fx.host + LINUX_CMDLINE_ADDR,
                           "console=hvc0");
    CU_ASSERT_EQUAL(fx.host[0x200000], 0x5a);
    CU_ASSERT_EQUAL(fx.host[0x200fff], (0xfff ^ 0x5a) & 0xff);
    fx_end();
}

static void test_pvh_errors(void)
{
    GByteArray *f = pvh_elf(true, 17, 8, 0x200010);
    g_autofree char *nonote = NULL, *flags = NULL, *machine = NULL;
    g_autofree char *outside = NULL;

    nonote = write_file("pvh-nonote", f->data, f->len);
    put32(f->data + 48, 0x10000);               /* e_flags */
    flags = write_file("pvh-flags", f->data, f->len);
    put32(f->data + 48, 0);
    put16(f->data + 18, EM_AARCH64);
    machine = write_file("pvh-machine", f->data, f->len);
    put16(f->data + 18, EM_X86_64);
    put32(f->data + 0x200 + 28, XEN_ELFNOTE_PHYS32_ENTRY);
    put64(f->data + 64 + 24, 0x3000000);        /* p_paddr past RAM */
    outside = write_array("pvh-outside", f);
    fx_begin();
    expect_error(nonote, NULL, NULL,
                 "Error loading uncompressed kernel without PVH ELF Note");
    expect_error(flags, NULL, NULL, "elfboot unsupported flags = 10000");
    expect_error(machine, NULL, NULL,
                 "Error while loading elf kernel: wrong machine type 183");
    expect_error(outside, NULL, NULL, "kernel segment 0 "
                 "(0x3000000..0x3000fff) is not in guest RAM");
    fx_end();
}

/* Remove the (flat) temporary directory. */
static void rm_tmpdir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        unlink(path);
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_autofree char *dir = g_dir_make_tmp("test-linux-boot-XXXXXX", NULL);
    int ret;

    tmpdir = dir;
    /* Created on first use and kept: ownerless regions live there. */
    container_get(object_get_root(), "/machine/unattached");
    harness_add("/linux-boot/header/parse", test_header_parse);
    harness_add("/linux-boot/header/setup-sects-zero",
                test_header_setup_sects_zero);
    harness_add("/linux-boot/header/old-versions", test_header_old_versions);
    harness_add("/linux-boot/header/not-bzimage", test_header_not_bzimage);
    harness_add("/linux-boot/header/corrupt", test_header_corrupt);
    harness_add("/linux-boot/e820/low", test_e820_low);
    harness_add("/linux-boot/e820/high", test_e820_high);
    harness_add("/linux-boot/e820/tiny", test_e820_tiny);
    harness_add("/linux-boot/bzimage/load64", test_bzimage_load64);
    harness_add("/linux-boot/bzimage/load32", test_bzimage_load32);
    harness_add("/linux-boot/bzimage/vga", test_bzimage_vga);
    harness_add("/linux-boot/bzimage/initrd-errors",
                test_bzimage_initrd_errors);
    harness_add("/linux-boot/bzimage/initrd-overlap",
                test_bzimage_initrd_overlap);
    harness_add("/linux-boot/bzimage/too-big", test_bzimage_too_big);
    harness_add("/linux-boot/bzimage/corrupt", test_bzimage_corrupt);
    harness_add("/linux-boot/bzimage/cmdline-too-long",
                test_bzimage_cmdline_too_long);
    harness_add("/linux-boot/not-a-kernel", test_not_a_kernel);
    harness_add("/linux-boot/pvh/note", test_pvh_note);
    harness_add("/linux-boot/pvh/load", test_pvh_load);
    harness_add("/linux-boot/pvh/errors", test_pvh_errors);
    ret = harness_run(argc, argv);
    rm_tmpdir(dir);
    return ret;
}
