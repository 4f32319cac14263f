/*
 * test-machine.c - TYPE_MACHINE and the two boards: finding a machine by
 * name, alias and default; `-machine help` and `-machine pc,help`
 * verbatim (QEMU 7.2's format, restricted to qomu's machines); the
 * common properties and QEMU's messages for them; the life cycle from
 * machine_create() to machine_destroy(); the PC's memory layout (QEMU's
 * split around the PCI hole) and "none"'s RAM.
 * The worked example of docs/devel/machine.md is test-doc-machine.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/keyval.h"
#include "util/main-loop.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "hw/core/qdev.h"
#include "machine/machine.h"
#include "machine/machine-init.h"
#include "vcpu-helper.h"
#include "harness.h"
#include "error-text.h"

#define PC MACHINE_TYPE_NAME("pc-i440fx-7.2")
#define NONE MACHINE_TYPE_NAME("none")

/* --- finding machines ---------------------------------------------------- */

static void test_find_by_name_alias(void)
{
    MachineClass *pc = MACHINE_CLASS(object_class_by_name(PC));
    MachineClass *none = MACHINE_CLASS(object_class_by_name(NONE));

    CU_ASSERT_PTR_EQUAL(machine_find_class("pc-i440fx-7.2"), pc);
    CU_ASSERT_PTR_EQUAL(machine_find_class("pc"), pc);
    CU_ASSERT_PTR_EQUAL(machine_find_class("none"), none);
    CU_ASSERT_PTR_NULL(machine_find_class("pc-i440fx-7.2-machine"));
    CU_ASSERT_PTR_NULL(machine_find_class("q35"));
    CU_ASSERT_PTR_NULL(machine_find_class(""));
    CU_ASSERT_STRING_EQUAL(pc->name, "pc-i440fx-7.2");
    CU_ASSERT_STRING_EQUAL(none->name, "none");
}

static void test_find_default(void)
{
    CU_ASSERT_PTR_EQUAL(machine_find_default(),
                        MACHINE_CLASS(object_class_by_name(PC)));
}

/* The class fields that QEMU's boards have. */
static void test_find_class_fields(void)
{
    MachineClass *pc = machine_find_class("pc");
    MachineClass *none = machine_find_class("none");

    CU_ASSERT_EQUAL(pc->max_cpus, 255);
    CU_ASSERT_EQUAL(pc->min_cpus, 1);
    CU_ASSERT_EQUAL(pc->default_cpus, 1);
    CU_ASSERT_EQUAL(pc->default_ram_size, 128 << 20);
    CU_ASSERT_STRING_EQUAL(pc->default_ram_id, "pc.ram");
    CU_ASSERT_STRING_EQUAL(pc->default_cpu_type, "qemu64-x86_64-cpu");
    CU_ASSERT_TRUE(pc->smp_props.dies_supported);
    CU_ASSERT_EQUAL(none->max_cpus, 1);
    CU_ASSERT_EQUAL(none->default_ram_size, 0);
    CU_ASSERT_STRING_EQUAL(none->default_ram_id, "ram");
    CU_ASSERT_PTR_NULL(none->default_cpu_type);
}

/* --- help ---------------------------------------------------------------- */

static void test_help_list(void)
{
    g_autoptr(GString) out = g_string_new(NULL);

    machine_help(out);
    CU_ASSERT_STRING_EQUAL(out->str,
        "Supported machines are:\n"
        "pc                   Standard PC (i440FX + PIIX, 1996) (alias of "
        "pc-i440fx-7.2)\n"
        "pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)\n"
        "none                 empty machine\n");
}

static void test_help_class(void)
{
    g_autoptr(GString) out = g_string_new(NULL);

    machine_class_help(machine_find_class("pc"), out);
    CU_ASSERT_STRING_EQUAL(out->str,
        "pc-i440fx-7.2-machine options:\n"
        "  acpi=<OnOffAuto>       - Enable ACPI\n"
        "  append=<string>        - Linux kernel command line\n"
        "  graphics=<bool>        - Set on/off to enable/disable graphics "
        "emulation\n"
        "  initrd=<string>        - Linux initial ramdisk file\n"
        /* QEMU takes kernel-irqchip too but forwards it to the KVM
         * accelerator, so its list does not show it; qomu's pc has it. */
        "  kernel-irqchip=<OnOffSplit> - Configure KVM in-kernel irqchip\n"
        "  kernel=<string>        - Linux kernel image file\n"
        "  max-ram-below-4g=<size> - Maximum ram below the 4G boundary "
        "(32bit boundary)\n"
        "  memory=<MemorySizeConfiguration> - Memory size configuration\n"
        "  smp=<SMPConfiguration> - CPU topology\n"
        "  usb=<bool>             - Set on/off to enable/disable usb\n"
        "  vmport=<OnOffAuto>     - Enable vmport (pc & q35)\n");
}

/* --- properties ---------------------------------------------------------- */

static void test_props_strings(void)
{
    Object *obj = object_new(PC);
    MachineState *ms = MACHINE(obj);
    g_autofree char *append = NULL;
    g_autofree char *kernel = NULL;

    CU_ASSERT_PTR_NULL(ms->kernel_filename);
    CU_ASSERT_PTR_NULL(ms->initrd_filename);
    CU_ASSERT_STRING_EQUAL(ms->kernel_cmdline, "");   /* QEMU's default */
    CU_ASSERT_TRUE(ms->enable_graphics);
    CU_ASSERT_TRUE(object_property_parse_keyval(obj, "kernel", "k.elf", NULL));
    CU_ASSERT_TRUE(object_property_parse_keyval(obj, "initrd", "m1,,a", NULL));
    CU_ASSERT_TRUE(object_property_parse_keyval(obj, "append", "x=1", NULL));
    CU_ASSERT_TRUE(object_property_parse_keyval(obj, "graphics", "off", NULL));
    CU_ASSERT_STRING_EQUAL(ms->kernel_filename, "k.elf");
    CU_ASSERT_STRING_EQUAL(ms->initrd_filename, "m1,,a");
    CU_ASSERT_FALSE(ms->enable_graphics);
    append = object_property_get_str(obj, "append", NULL);
    kernel = object_property_get_str(obj, "kernel", NULL);
    CU_ASSERT_STRING_EQUAL(append, "x=1");
    CU_ASSERT_STRING_EQUAL(kernel, "k.elf");
    object_unref(obj);
}

/* "memory" as -m sets it: a dictionary of strings. */
static char *mem_try(const char *machine, const char *arg, uint64_t *size)
{
    Object *obj = object_new(machine);
    g_autoptr(GVariant) dict = keyval_parse(arg, NULL, NULL, &error_abort);
    Error *err = NULL;
    char *msg;

    object_property_set(obj, "memory", dict, &err);
    msg = error_take_text(err);
    *size = MACHINE(obj)->ram_size;
    object_unref(obj);
    return msg;
}

static void test_props_memory(void)
{
    static const struct {
        const char *arg;
        uint64_t size;
        const char *error;
    } cases[] = {
        { "", 128 << 20, NULL },                          /* the default */
        { "size=64M", 64 << 20, NULL },
        { "size=1b", 8192, NULL },                        /* 8 KiB aligned */
        { "size=8193", 16384, NULL },
        { "size=1G,max-size=2G,slots=2", 1 << 30, NULL },
        { "size=x", 0, "Parameter 'memory.size' expects size" },
        { "slots=x,max-size=1G", 0, "Parameter 'memory.slots' expects "
          "integer" },
        { "foo=1", 0, "Parameter 'memory.foo' is unexpected" },
        { "size.x=1", 0, "Parameters 'memory.size.*' are unexpected" },
        { "size=64M,slots=1", 0, "slots specified but no max-size" },
        { "size=64M,max-size=32M", 0, "invalid value of maxmem: maximum "
          "memory size (0x2000000) must be at least the initial memory "
          "size (0x4000000)" },
        { "size=64M,max-size=64M,slots=1", 0, "invalid value of maxmem: "
          "memory slots were specified but maximum memory size (0x4000000) "
          "is equal to the initial memory size (0x4000000)" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t size;
        g_autofree char *msg = mem_try(PC, cases[i].arg, &size);

        CU_ASSERT_STRING_EQUAL(msg ? msg : "",
                               cases[i].error ? cases[i].error : "");
        if (!cases[i].error) {
            CU_ASSERT_EQUAL(size, cases[i].size);
        }
    }
}

static void test_props_memory_get(void)
{
    Object *obj = object_new(PC);
    g_autoptr(GVariant) dict = keyval_parse("size=1G,max-size=4G,slots=3",
                                            NULL, NULL, &error_abort);
    g_autoptr(GVariant) v = NULL;
    uint64_t n;

    CU_ASSERT_TRUE(object_property_set(obj, "memory", dict, NULL));
    v = object_property_get(obj, "memory", &error_abort);
    CU_ASSERT_TRUE(g_variant_lookup(v, "size", "t", &n) && n == 1 << 30);
    CU_ASSERT_TRUE(g_variant_lookup(v, "max-size", "t", &n) &&
                   n == UINT64_C(4) << 30);
    CU_ASSERT_TRUE(g_variant_lookup(v, "slots", "t", &n) && n == 3);
    object_unref(obj);
}

static void test_props_pc(void)
{
    Object *obj = object_new(PC);
    Error *err = NULL;

    CU_ASSERT_TRUE(object_property_parse_keyval(obj, "acpi", "off", NULL));
    CU_ASSERT_FALSE(object_property_parse_keyval(obj, "acpi", "maybe",
                                                 &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Parameter 'acpi' does not accept value 'maybe'");
    error_free(err);
    err = NULL;
    CU_ASSERT_TRUE(object_property_parse_keyval(obj, "max-ram-below-4g",
                                                "2G", NULL));
    CU_ASSERT_FALSE(object_property_parse_keyval(obj, "max-ram-below-4g",
                                                 "5G", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Machine option 'max-ram-below-4g=5368709120' "
                           "expects size less than or equal to 4G");
    error_free(err);
    object_unref(obj);
}

/* --- life cycle ---------------------------------------------------------- */

static void test_life_create_destroy(void)
{
    MachineState *ms = machine_create(machine_find_class("none"));

    CU_ASSERT_PTR_EQUAL(current_machine_get(), ms);
    CU_ASSERT_PTR_EQUAL(object_resolve_path("/machine", NULL), OBJECT(ms));
    CU_ASSERT_PTR_EQUAL(qdev_get_machine(), OBJECT(ms));
    CU_ASSERT_PTR_NOT_NULL(object_resolve_path("/machine/peripheral", NULL));
    CU_ASSERT_PTR_NOT_NULL(object_resolve_path("/machine/peripheral-anon",
                                               NULL));
    CU_ASSERT_PTR_EQUAL(address_space_memory_get(), &ms->as_memory);
    CU_ASSERT_PTR_EQUAL(address_space_io_get(), &ms->as_io);
    CU_ASSERT_PTR_EQUAL(get_system_memory(), &ms->system_memory);
    CU_ASSERT_TRUE(phase_check(PHASE_MACHINE_CREATED));
    CU_ASSERT_FALSE(phase_check(PHASE_ACCEL_CREATED));
    machine_destroy();
    CU_ASSERT_PTR_NULL(current_machine_get());
    CU_ASSERT_PTR_NULL(address_space_memory_get());
    CU_ASSERT_FALSE(phase_check(PHASE_MACHINE_CREATED));
    machine_destroy();                          /* no machine: nothing */
}

/*
 * Build machine @type with its defaults as the command line would, with
 * the dummy accelerator; what it printed goes to *@printed (g_free).
 * Tear down with qomu_machine_teardown().
 */
static MachineState *build(const char *type, char **printed)
{
    MachineState *ms = machine_create(machine_find_class(type));
    StderrCapture cap;
    bool ok;

    stderr_capture_begin(&cap);
    ok = accel_init_machine("dummy", ms, &error_abort);
    phase_advance(PHASE_ACCEL_CREATED);
    ok = ok && machine_run_board_init(ms, &error_abort);
    machine_creation_done(ms);
    *printed = stderr_capture_end(&cap);
    CU_ASSERT_TRUE(ok);
    return ms;
}

/* The range of guest memory at @addr: which region, from where. */
static bool ram_at(hwaddr addr, MemoryRegion *mr, hwaddr start, hwaddr last,
                   hwaddr offset)
{
    FlatView *fv = address_space_get_flatview(address_space_memory_get());
    const FlatRange *fr = flatview_lookup(fv, addr);
    bool ok = fr && fr->mr == mr && fr->start == start && fr->last == last &&
              fr->offset_in_region == offset;

    flatview_unref(fv);
    return ok;
}

static bool nothing_at(hwaddr addr)
{
    FlatView *fv = address_space_get_flatview(address_space_memory_get());
    bool ok = flatview_lookup(fv, addr) == NULL;

    flatview_unref(fv);
    return ok;
}

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)

static void test_pc_memory_small(void)
{
    g_autofree char *printed = NULL;
    MachineState *ms;

    bql_lock();
    ms = build("pc", &printed);
    CU_ASSERT_STRING_EQUAL(printed, "qomu: warning: no firmware: without "
                           "-kernel the guest has nothing to run\n");
    CU_ASSERT_STRING_EQUAL(memory_region_name(ms->ram), "pc.ram");
    CU_ASSERT_TRUE(ram_at(0, ms->ram, 0, 128 * MiB - 1, 0));
    CU_ASSERT_TRUE(nothing_at(128 * MiB));
    CU_ASSERT_EQUAL(count_threads("CPU 0/DUMMY"), 1);
    qomu_machine_teardown();
    bql_unlock();
}

/* QEMU's split: more than max-ram-below-4g (3.5 GiB) keeps 3 GiB low and
 * puts the rest at 4 GiB. */
static void test_pc_memory_split(void)
{
    static const struct {
        const char *mem;            /* -m */
        const char *below4g;        /* max-ram-below-4g, or NULL */
        uint64_t low;               /* expected RAM below 4 GiB */
        const char *warning;
    } cases[] = {
        { "3G", NULL, 3 * GiB, NULL },
        { "3584M", NULL, 3 * GiB, NULL },             /* = 3.5 GiB: split */
        { "3583M", NULL, 3583 * MiB, NULL },          /* below it: no split */
        { "4G", NULL, 3 * GiB, NULL },
        { "3G", "2G", 2 * GiB, NULL },
        { "3G", "2560M", 2560 * MiB, "qomu: warning: Large machine and "
          "max_ram_below_4g (2684354560) not a multiple of 1G; possible bad "
          "performance.\n" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *printed = NULL;
        g_autofree char *expected = g_strconcat(
            cases[i].warning ? cases[i].warning : "",
            "qomu: warning: no firmware: without -kernel the guest has "
            "nothing to run\n", NULL);
        g_autofree char *mem = g_strdup_printf("size=%s", cases[i].mem);
        g_autoptr(GVariant) dict = keyval_parse(mem, NULL, NULL,
                                                &error_abort);
        MachineState *ms = machine_create(machine_find_class("pc"));
        StderrCapture cap;
        uint64_t size;

        bql_lock();
        object_property_set(OBJECT(ms), "memory", dict, &error_abort);
        if (cases[i].below4g) {
            object_property_parse_keyval(OBJECT(ms), "max-ram-below-4g",
                                         cases[i].below4g, &error_abort);
        }
        size = ms->ram_size;
        stderr_capture_begin(&cap);
        accel_init_machine("dummy", ms, &error_abort);
        phase_advance(PHASE_ACCEL_CREATED);
        CU_ASSERT_TRUE(machine_run_board_init(ms, &error_abort));
        machine_creation_done(ms);
        printed = stderr_capture_end(&cap);
        CU_ASSERT_STRING_EQUAL(printed, expected);
        CU_ASSERT_TRUE(ram_at(0, ms->ram, 0, cases[i].low - 1, 0));
        CU_ASSERT_TRUE(nothing_at(cases[i].low));
        if (size > cases[i].low) {
            CU_ASSERT_TRUE(ram_at(4 * GiB, ms->ram, 4 * GiB,
                                  4 * GiB + size - cases[i].low - 1,
                                  cases[i].low));
        } else {
            CU_ASSERT_TRUE(nothing_at(4 * GiB));
        }
        qomu_machine_teardown();
        bql_unlock();
    }
}

/* "none": RAM only with -m, at 0; a CPU only with -cpu. */
static void test_none(void)
{
    g_autofree char *printed = NULL;
    MachineState *ms;

    bql_lock();
    ms = build("none", &printed);
    CU_ASSERT_STRING_EQUAL(printed, "");
    CU_ASSERT_PTR_NULL(ms->ram);
    CU_ASSERT_TRUE(nothing_at(0));
    CU_ASSERT_TRUE(threads_gone("CPU "));
    qomu_machine_teardown();
    bql_unlock();
}

static void test_none_ram(void)
{
    g_autoptr(GVariant) dict = keyval_parse("size=2M", NULL, NULL,
                                            &error_abort);
    MachineState *ms;

    bql_lock();
    ms = machine_create(machine_find_class("none"));
    object_property_set(OBJECT(ms), "memory", dict, &error_abort);
    ms->cpu_type = g_strdup("qemu64-x86_64-cpu");
    CU_ASSERT_TRUE(accel_init_machine("dummy", ms, NULL));
    phase_advance(PHASE_ACCEL_CREATED);
    CU_ASSERT_TRUE(machine_run_board_init(ms, NULL));
    CU_ASSERT_STRING_EQUAL(memory_region_name(ms->ram), "ram");
    CU_ASSERT_TRUE(ram_at(0, ms->ram, 0, 2 * MiB - 1, 0));
    CU_ASSERT_EQUAL(count_threads("CPU 0/DUMMY"), 1);
    qomu_machine_teardown();
    bql_unlock();
}

int main(int argc, char **argv)
{
    /* Device timers and bottom halves (the pc's RTC, serial ports) are
     * freed in the main thread, which main_loop_init() records. */
    main_loop_init();
    /* Created on first use and kept for the whole process. */
    object_get_root();
    get_chardevs_root();
    harness_add("/machine/find/by-name-alias", test_find_by_name_alias);
    harness_add("/machine/find/default", test_find_default);
    harness_add("/machine/find/class-fields", test_find_class_fields);
    harness_add("/machine/help/list", test_help_list);
    harness_add("/machine/help/class", test_help_class);
    harness_add("/machine/props/strings", test_props_strings);
    harness_add("/machine/props/memory", test_props_memory);
    harness_add("/machine/props/memory-get", test_props_memory_get);
    harness_add("/machine/props/pc", test_props_pc);
    harness_add("/machine/life/create-destroy", test_life_create_destroy);
    harness_add("/machine/pc/memory-small", test_pc_memory_small);
    harness_add("/machine/pc/memory-split", test_pc_memory_split);
    harness_add("/machine/none/no-ram", test_none);
    harness_add("/machine/none/ram", test_none_ram);
    return harness_run(argc, argv);
}
