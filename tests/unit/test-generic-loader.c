/*
 * test-generic-loader.c - "-device loader" (hw/core/generic-loader.c):
 * QEMU's properties and messages, raw files (into RAM only, again at each
 * system reset, and no more once the device is gone), data= values in
 * both byte orders, ELF files, force-raw, cpu-num.
 */
#include "util/osdep.h"
#include <elf.h>
#include "hw/core/qdev-properties.h"
#include "hw/core/memory.h"
#include "system/runstate.h"
#include "harness.h"
#include "tmpfile.h"
#include "error-text.h"

#define RAM_SIZE (1024 * 1024)

static char *tmpdir;

static struct {
    MemoryRegion sysmem, sysio, ram, io;
    AddressSpace as_mem, as_io;
    uint8_t *host;
    uint64_t io_written;
    GPtrArray *devs;            /* loaders created, destroyed by fx_end */
} fx;

static void io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    fx.io_written = val;
}

static const MemoryRegionOps io_ops = { .write = io_write };

/* 1 MiB of RAM (0xaa-filled) at 0, and a device register at 0x200000. */
static void fx_begin(void)
{
    memset(&fx, 0, sizeof(fx));
    runstate_reset_for_test();
    memory_map_init(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
    memory_region_init_ram(&fx.ram, NULL, "ram", RAM_SIZE, &error_abort);
    memory_region_add_subregion(&fx.sysmem, 0, &fx.ram);
    memory_region_init_io(&fx.io, NULL, &io_ops, NULL, "reg", 0x1000);
    memory_region_add_subregion(&fx.sysmem, 0x200000, &fx.io);
    fx.host = memory_region_get_ram_ptr(&fx.ram);
    memset(fx.host, 0xaa, RAM_SIZE);
    fx.devs = g_ptr_array_new();
}

static void fx_end(void)
{
    for (guint i = 0; i < fx.devs->len; i++) {
        object_unparent(g_ptr_array_index(fx.devs, i));
    }
    g_ptr_array_unref(fx.devs);
    memory_region_del_subregion(&fx.sysmem, &fx.io);
    memory_region_del_subregion(&fx.sysmem, &fx.ram);
    object_unparent(OBJECT(&fx.io));
    object_unparent(OBJECT(&fx.ram));
    memory_map_cleanup(&fx.sysmem, &fx.sysio, &fx.as_mem, &fx.as_io);
    runstate_reset_for_test();
}

/*
 * Create and realize a loader from "name=value" pairs (NULL-terminated),
 * set as -device would.  Returns the device (its parent holds it) or NULL
 * with the error text in *@msg.
 */
static DeviceState *new_loader(char **msg, ...)
{
    DeviceState *dev = qdev_new("loader");
    Error *err = NULL;
    const char *name;
    va_list ap;

    va_start(ap, msg);
    while ((name = va_arg(ap, const char *))) {
        object_property_parse_keyval(OBJECT(dev), name,
                                     va_arg(ap, const char *), &error_abort);
    }
    va_end(ap);
    g_free(*msg);
    *msg = NULL;
    if (!qdev_realize_and_unref(dev, NULL, &err)) {
        *msg = error_take_text(err);
        return NULL;
    }
    g_ptr_array_add(fx.devs, dev);
    return dev;
}

/* --- tests --------------------------------------------------------------- */

static void test_defaults(void)
{
    Object *obj = object_new("loader");
    DeviceClass *dc = DEVICE_GET_CLASS(obj);
    g_autofree char *file = object_property_get_str(obj, "file", &error_abort);

    CU_ASSERT_EQUAL(object_property_get_uint(obj, "addr", &error_abort), 0);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "data", &error_abort), 0);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "data-len", &error_abort),
                    0);
    CU_ASSERT_FALSE(object_property_get_bool(obj, "data-be", &error_abort));
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "cpu-num", &error_abort),
                    0xffffffff);
    CU_ASSERT_FALSE(object_property_get_bool(obj, "force-raw", &error_abort));
    CU_ASSERT_STRING_EQUAL(file, "");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "data-len",
                                                    &error_abort), "uint8");
    CU_ASSERT_STRING_EQUAL(dc->desc, "Generic Loader");
    CU_ASSERT_PTR_NULL(dc->bus_type);
    CU_ASSERT_TRUE(dc->user_creatable);
    object_unref(obj);
}

static void test_errors(void)
{
    g_autofree char *msg = NULL;
    g_autofree char *path = tmp_file_write(tmpdir, "one.bin", "x", 1);

    fx_begin();
    CU_ASSERT_PTR_NULL(new_loader(&msg, NULL));
    CU_ASSERT_STRING_EQUAL(msg, "please include valid arguments");
    new_loader(&msg, "data", "1", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "Both data and data-len must be specified");
    new_loader(&msg, "data", "1", "data-len", "9", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "data-len cannot be greater then 8 bytes");
    new_loader(&msg, "data", "1", "data-len", "4", "file", path, NULL);
    CU_ASSERT_STRING_EQUAL(msg, "Specifying a file is not supported when "
                           "loading memory values");
    new_loader(&msg, "data", "1", "data-len", "4", "force-raw", "on", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "Specifying force-raw is not supported when "
                           "loading memory values");
    new_loader(&msg, "addr", "0x1000", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "cpu_num must be specified when setting a "
                           "program counter");
    new_loader(&msg, "addr", "0x1000", "cpu-num", "3", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "Specified boot CPU#3 is nonexistent");
    new_loader(&msg, "file", path, "cpu-num", "0", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "Specified boot CPU#0 is nonexistent");
    new_loader(&msg, "file", "/nonexistent/blob", NULL);
    CU_ASSERT_STRING_EQUAL(msg, "Cannot load specified image "
                           "/nonexistent/blob");
    /* Nothing was written by any of them. */
    for (int i = 0; i < RAM_SIZE; i++) {
        if (fx.host[i] != 0xaa) {
            CU_FAIL("memory written");
            break;
        }
    }
    fx_end();
}

static void test_raw_file(void)
{
    g_autofree char *msg = NULL;
    g_autofree char *path = tmp_file_write(tmpdir, "raw.bin", "raw data!",
                                           9);
    DeviceState *dev;

    fx_begin();
    dev = new_loader(&msg, "file", path, "addr", "0x1000", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x1000, "raw data!", 9), 0);
    CU_ASSERT_EQUAL(fx.host[0x1009], 0xaa);
    CU_ASSERT_EQUAL(fx.host[0xfff], 0xaa);

    /* Written again at every system reset, as QEMU's ROM blobs. */
    memset(fx.host + 0x1000, 0, 9);
    qomu_devices_reset();
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x1000, "raw data!", 9), 0);

    /* Gone with the device. */
    g_ptr_array_remove(fx.devs, dev);
    object_unparent(OBJECT(dev));
    memset(fx.host + 0x1000, 0, 9);
    qomu_devices_reset();
    CU_ASSERT_EQUAL(fx.host[0x1000], 0);
    fx_end();
}

/* A file straddling the end of RAM and a device register: like a ROM
 * blob, only RAM gets bytes, and no device callback runs. */
static void test_raw_partial(void)
{
    g_autofree char *msg = NULL;
    g_autofree char *path = NULL;
    uint8_t blob[0x20];

    memset(blob, 0x5c, sizeof(blob));
    path = tmp_file_write(tmpdir, "edge.bin", blob, sizeof(blob));
    fx_begin();
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "file", path, "addr", "0xffff0",
                                      NULL));
    CU_ASSERT_EQUAL(fx.host[RAM_SIZE - 16], 0x5c);
    CU_ASSERT_EQUAL(fx.host[RAM_SIZE - 1], 0x5c);
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "file", path, "addr",
                                      "0x1ffff0", NULL));
    CU_ASSERT_EQUAL(fx.io_written, 0);
    /* At the very top of the address space: nothing, and no wrap. */
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "file", path, "addr",
                                      "0xfffffffffffffff0", NULL));
    CU_ASSERT_EQUAL(fx.host[0], 0xaa);
    fx_end();
}

static void test_data(void)
{
    g_autofree char *msg = NULL;

    fx_begin();
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "data", "0x11223344",
                                      "data-len", "4", "addr", "0x2000",
                                      NULL));
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x2000, "\x44\x33\x22\x11", 4), 0);
    CU_ASSERT_EQUAL(fx.host[0x2004], 0xaa);
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "data", "0x0102030405060708",
                                      "data-len", "8", "data-be", "on",
                                      "addr", "0x3000", NULL));
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x3000,
                           "\x01\x02\x03\x04\x05\x06\x07\x08", 8), 0);
    /* QEMU's quirk, kept: the first data-len bytes of the big-endian
     * 64-bit value, so a short big-endian value writes its high bytes. */
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "data", "0x1234", "data-len",
                                      "2", "data-be", "on", "addr",
                                      "0x4000", NULL));
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x4000, "\x00\x00", 2), 0);
    /* data 0 is a value like any other. */
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "data", "0", "data-len", "1",
                                      "addr", "0x5000", NULL));
    CU_ASSERT_EQUAL(fx.host[0x5000], 0);
    /* data= is an ordinary write: it may poke a device register. */
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "data", "0x77", "data-len", "4",
                                      "addr", "0x200000", NULL));
    CU_ASSERT_EQUAL(fx.io_written, 0x77);
    fx_end();
}

/* An ELF64 x86-64 file with one segment at 0x8000, entry 0x8010. */
static GByteArray *elf64(void)
{
    GByteArray *f = g_byte_array_new();
    Elf64_Ehdr eh = {
        .e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
        .e_entry = 0x8010, .e_phoff = sizeof(Elf64_Ehdr),
        .e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr),
        .e_phnum = 1,
    };
    Elf64_Phdr ph = {
        .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x100,
        .p_vaddr = 0x8000, .p_paddr = 0x8000, .p_filesz = 4, .p_memsz = 8,
    };

    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    g_byte_array_set_size(f, 0x104);
    memset(f->data, 0, f->len);
    memcpy(f->data, &eh, sizeof(eh));
    memcpy(f->data + sizeof(eh), &ph, sizeof(ph));
    memcpy(f->data + 0x100, "ELF!", 4);
    return f;
}

static void test_elf(void)
{
    g_autoptr(GByteArray) f = elf64();
    g_autofree char *path = tmp_file_write(tmpdir, "image.elf", f->data,
                                           f->len);
    g_autofree char *msg = NULL;
    DeviceState *dev;

    fx_begin();
    dev = new_loader(&msg, "file", path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x8000, "ELF!\0\0\0\0", 8), 0);
    /* As QEMU: addr becomes the entry point. */
    CU_ASSERT_EQUAL(object_property_get_uint(OBJECT(dev), "addr",
                                             &error_abort), 0x8010);
    memset(fx.host + 0x8000, 0xaa, 8);
    qomu_devices_reset();
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x8000, "ELF!\0\0\0\0", 8), 0);

    /* force-raw: the file as it is. */
    CU_ASSERT_PTR_NOT_NULL(new_loader(&msg, "file", path, "force-raw", "on",
                                      "addr", "0x10000", NULL));
    CU_ASSERT_EQUAL(memcmp(fx.host + 0x10000, ELFMAG, SELFMAG), 0);
    fx_end();
}

static void test_elf_bad(void)
{
    g_autoptr(GByteArray) f = elf64();
    g_autofree char *path = NULL;
    g_autofree char *msg = NULL;
    g_autofree char *want = NULL;

    ((Elf64_Ehdr *)f->data)->e_phoff = 0x7fffffff;
    path = tmp_file_write(tmpdir, "bad.elf", f->data, f->len);
    want = g_strdup_printf("Cannot load specified image %s: program headers "
                           "are outside the file", path);
    fx_begin();
    CU_ASSERT_PTR_NULL(new_loader(&msg, "file", path, NULL));
    CU_ASSERT_STRING_EQUAL(msg, want);
    fx_end();
}

int main(int argc, char **argv)
{
    int ret;

    container_get(object_get_root(), "/machine/unattached");
    tmpdir = tmp_dir_new("test-generic-loader");

    harness_add("/loader/defaults", test_defaults);
    harness_add("/loader/errors", test_errors);
    harness_add("/loader/raw/file", test_raw_file);
    harness_add("/loader/raw/partial", test_raw_partial);
    harness_add("/loader/data", test_data);
    harness_add("/loader/elf/load", test_elf);
    harness_add("/loader/elf/bad", test_elf_bad);
    ret = harness_run(argc, argv);

    tmp_dir_remove(tmpdir);
    return ret;
}
