/*
 * test-pc-legacy.c - the PC's legacy devices as the board builds them
 * (machine/pc-legacy.c, machine/pc.c): the CMOS bytes QEMU's
 * pc_cmos_init sets, ports 0x80/0xf0 and unassigned ports reading
 * all-ones, one isa-serial per -serial chardev, the i8042 and port 0x92
 * in place, system_reset resetting the devices and loading -kernel
 * again.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/keyval.h"
#include "util/main-loop.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "hw/core/qdev.h"
#include "hw/i386/multiboot.h"
#include "machine/machine.h"
#include "machine/machine-init.h"
#include "system/runstate.h"
#include "capture.h"
#include "tmpfile.h"
#include "harness.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static char *tmpdir;

/* A null chardev @id, as "-serial null" makes it. */
static Chardev *null_chardev(const char *id)
{
    return qemu_chr_new(id, "null", &error_abort);
}

/* The "pc" machine with -m @mem (and -kernel @kernel), dummy accel. */
static MachineState *build_pc(const char *mem, const char *kernel)
{
    g_autofree char *size = g_strdup_printf("size=%s", mem);
    g_autoptr(GVariant) dict = keyval_parse(size, NULL, NULL, &error_abort);
    MachineState *ms = machine_create(machine_find_class("pc"));
    g_autofree char *printed = NULL;
    StderrCapture cap;

    object_property_set(OBJECT(ms), "memory", dict, &error_abort);
    if (kernel) {
        object_property_set_str(OBJECT(ms), "kernel", kernel, &error_abort);
    }
    stderr_capture_begin(&cap);
    CU_ASSERT_TRUE(accel_init_machine("dummy", ms, &error_abort));
    phase_advance(PHASE_ACCEL_CREATED);
    CU_ASSERT_TRUE(machine_run_board_init(ms, &error_abort));
    machine_creation_done(ms);
    printed = stderr_capture_end(&cap);
    return ms;
}

static void teardown(void)
{
    qomu_machine_teardown();
    serial_hds_clear();
    runstate_reset_for_test();
}

static uint32_t in(uint16_t port, unsigned size)
{
    uint32_t v = 0;

    address_space_read(address_space_io_get(), port, &v, size);
    return v;
}

static void out(uint16_t port, uint32_t v, unsigned size)
{
    address_space_write(address_space_io_get(), port, &v, size);
}

static uint8_t cmos(uint8_t index)
{
    out(0x70, index, 1);
    return in(0x71, 1);
}

/* QEMU's numbers for -m 64 and for 4 GiB (3 GiB low, 1 GiB high). */
static void test_cmos(void)
{
    bql_lock();
    build_pc("64M", NULL);
    CU_ASSERT_EQUAL(cmos(0x15) | cmos(0x16) << 8, 640);
    CU_ASSERT_EQUAL(cmos(0x17) | cmos(0x18) << 8, 63 * 1024);
    CU_ASSERT_EQUAL(cmos(0x30) | cmos(0x31) << 8, 63 * 1024);
    CU_ASSERT_EQUAL(cmos(0x34) | cmos(0x35) << 8, 48 * 16);
    CU_ASSERT_EQUAL(cmos(0x5b) | cmos(0x5c) << 8 | cmos(0x5d) << 16, 0);
    CU_ASSERT_EQUAL(cmos(0x14), 0x06);          /* FPU, PS/2 mouse */
    CU_ASSERT_EQUAL(cmos(0x10), 0x00);          /* no floppy */
    CU_ASSERT_EQUAL(cmos(0x12), 0x00);          /* no IDE disk */
    CU_ASSERT_EQUAL(cmos(0x3d), 0x12);          /* boot: disk, floppy */
    CU_ASSERT_EQUAL(cmos(0x38), 0x30);          /* then CD-ROM */
    CU_ASSERT_EQUAL(cmos(0x5f), 0x00);          /* 1 CPU */
    CU_ASSERT_EQUAL(cmos(0x0a), 0x26);
    CU_ASSERT_EQUAL(cmos(0x0b), 0x02);
    CU_ASSERT_EQUAL(cmos(0x0d), 0x80);
    CU_ASSERT_EQUAL(cmos(0x32), 0x20);          /* base_year 2000: 20xx */
    teardown();

    build_pc("4G", NULL);
    CU_ASSERT_EQUAL(cmos(0x17) | cmos(0x18) << 8, 65535);
    CU_ASSERT_EQUAL(cmos(0x34) | cmos(0x35) << 8, (3 * 1024 - 16) * 16);
    CU_ASSERT_EQUAL(cmos(0x5b) | cmos(0x5c) << 8 | cmos(0x5d) << 16,
                    GiB / (64 * 1024));
    teardown();
    bql_unlock();
}

static void test_ports(void)
{
    bql_lock();
    build_pc("64M", NULL);
    CU_ASSERT_EQUAL(in(0x80, 1), 0xff);
    out(0x80, 0x12, 1);                         /* POST code: ignored */
    CU_ASSERT_EQUAL(in(0x80, 1), 0xff);
    CU_ASSERT_EQUAL(in(0xf0, 1), 0xff);
    /* Unassigned ports: all-ones at every width. */
    CU_ASSERT_EQUAL(in(0x1234, 1), 0xff);
    CU_ASSERT_EQUAL(in(0x1234, 2), 0xffff);
    CU_ASSERT_EQUAL(in(0x1234, 4), 0xffffffff);
    CU_ASSERT_EQUAL(in(0x64, 1), 0x18);         /* i8042 status */
    CU_ASSERT_EQUAL(in(0x92, 1), 0x00);         /* port 0x92 */
    CU_ASSERT_EQUAL(in(0x3fa, 1), 0xff);        /* no -serial: no COM1 */
    teardown();
    bql_unlock();
}

/* -serial null -serial none -serial null: COM1 and COM3. */
static void test_serial_ports(void)
{
    bql_lock();
    serial_hds_add(null_chardev("serial0"));
    serial_hds_add(NULL);
    serial_hds_add(null_chardev("serial2"));
    build_pc("64M", NULL);
    CU_ASSERT_EQUAL(in(0x3fa, 1), 0x01);        /* IIR */
    CU_ASSERT_EQUAL(in(0x2fa, 1), 0xff);
    CU_ASSERT_EQUAL(in(0x3ea, 1), 0x01);
    CU_ASSERT_PTR_NOT_NULL(qemu_chr_find("serial2")->be);
    teardown();
    bql_unlock();
}

/* A chardev another device already uses cannot be a serial port. */
static void test_serial_in_use(void)
{
    g_autofree char *printed = NULL;
    Chardev *chr;
    MachineState *ms;
    StderrCapture cap;
    Error *err = NULL;

    bql_lock();
    chr = null_chardev("shared");
    serial_hds_add(chr);
    serial_hds_add(chr);
    ms = machine_create(machine_find_class("pc"));
    stderr_capture_begin(&cap);
    accel_init_machine("dummy", ms, &error_abort);
    phase_advance(PHASE_ACCEL_CREATED);
    CU_ASSERT_FALSE(machine_run_board_init(ms, &err));
    printed = stderr_capture_end(&cap);
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(error_get_pretty(err),
                                  "Device 'shared' is in use"));
    error_free(err);
    teardown();
    bql_unlock();
}

/* system_reset resets the devices (here: COM1's scratch register). */
static void test_reset_devices(void)
{
    bql_lock();
    serial_hds_add(null_chardev("serial0"));
    build_pc("64M", NULL);
    out(0x3ff, 0x42, 1);
    out(0x64, 0xdd, 1);                         /* A20 off */
    CU_ASSERT_EQUAL(in(0x3ff, 1), 0x42);
    qomu_system_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    CU_ASSERT_EQUAL(in(0x3ff, 1), 0x00);
    out(0x64, 0xd0, 1);
    CU_ASSERT_EQUAL(in(0x60, 1), 0xcf);         /* outport back to reset */
    teardown();
    bql_unlock();
}

/* An a.out-kludge Multiboot image: 0x1000 bytes loaded at 2 MiB. */
static char *kernel_file(void)
{
    g_autofree uint8_t *img = g_malloc(0x1000);
    const uint32_t flags = MULTIBOOT_AOUT_KLUDGE;
    const uint32_t hdr[] = {
        MULTIBOOT_HEADER_MAGIC, flags, -(MULTIBOOT_HEADER_MAGIC + flags),
        0x200040, 0x200000, 0, 0, 0x200100,
    };

    for (int i = 0; i < 0x1000; i++) {
        img[i] = i * 7;
    }
    memcpy(img + 0x40, hdr, sizeof(hdr));
    return tmp_file_write(tmpdir, "kernel.bin", img, 0x1000);
}

static bool kernel_intact(void)
{
    g_autofree uint8_t *ram = g_malloc(0x1000);
    g_autofree char *path = NULL;
    g_autofree char *orig = NULL;
    gsize len;

    address_space_read(address_space_memory_get(), 0x200000, ram, 0x1000);
    path = g_build_filename(tmpdir, "kernel.bin", NULL);
    g_file_get_contents(path, &orig, &len, NULL);
    return len == 0x1000 && !memcmp(ram, orig, len);
}

/* The guest may overwrite its kernel; a reset loads it again. */
static void test_reset_reloads_kernel(void)
{
    g_autofree char *path = kernel_file();
    uint8_t junk[64];

    memset(junk, 0xcc, sizeof(junk));
    bql_lock();
    build_pc("64M", path);
    CU_ASSERT_TRUE(kernel_intact());
    address_space_write(address_space_memory_get(), 0x200000, junk,
                        sizeof(junk));
    CU_ASSERT_FALSE(kernel_intact());
    qomu_system_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    CU_ASSERT_TRUE(kernel_intact());
    CU_ASSERT_EQUAL(x86_boot_state()->eip, 0x200100);
    teardown();
    bql_unlock();
}

int main(int argc, char **argv)
{
    int ret;

    main_loop_init();
    object_get_root();
    get_chardevs_root();
    tmpdir = tmp_dir_new("test-pc-legacy");
    if (!object_class_by_name("isa-serial") ||
        !object_class_by_name("i8042") ||
        !object_class_by_name("mc146818rtc")) {
        harness_skip("this configuration leaves out isa-serial, i8042 or "
                     "mc146818rtc");
    }
    harness_add("/pc-legacy/cmos", test_cmos);
    harness_add("/pc-legacy/ports", test_ports);
    harness_add("/pc-legacy/serial/ports", test_serial_ports);
    harness_add("/pc-legacy/serial/in-use", test_serial_in_use);
    harness_add("/pc-legacy/reset/devices", test_reset_devices);
    harness_add("/pc-legacy/reset/kernel", test_reset_reloads_kernel);
    ret = harness_run(argc, argv);
    tmp_dir_remove(tmpdir);
    return ret;
}
