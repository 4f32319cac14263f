/*
 * test-options.c - the command line: every message a user sees, verbatim,
 * with its "qomu: -opt arg: " location, and the exit status.  Expected
 * texts are QEMU 7.2's for the same command line (checked against
 * Debian's qemu-system-x86_64; "qemu-system-x86_64" reads "qomu"),
 * except where the test says qomu differs and why.
 *
 * Each case runs in a child process, as main() would: parse the options,
 * finish them, build the machine (when the case gets that far) and tear
 * it down; stdout, stderr and the status are compared.  The last tests
 * run build/qomu itself.
 */
#include "util/osdep.h"
#include "util/main-loop.h"
#include "chardev/char.h"
#include "cmdline-helper.h"
#include "vcpu-helper.h"
#include "harness.h"

#include <signal.h>
#include <sys/wait.h>

static const char size_hint[] =
    "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, "
    "peta-\nand exabytes, respectively.\n";

/* --- running a command line ---------------------------------------------- */

/* Run "qomu ARGS..." (NULL-terminated) in a child process. */
static Run run_args(const char *first, ...)
{
    va_list ap;
    Run r;

    va_start(ap, first);
    r = run_args_va(NULL, NULL, first, ap);
    va_end(ap);
    return r;
}

/* Expect status @status, stderr @err and stdout @out (NULL: empty),
 * then free @r.  On a mismatch, says which command line it was. */
static void check_run(Run *r, int status, const char *err, const char *out,
                      int line)
{
    CU_ASSERT_EQUAL(r->status, status);
    CU_ASSERT_STRING_EQUAL(r->err, err ? err : "");
    CU_ASSERT_STRING_EQUAL(r->out, out ? out : "");
    if (r->status != status || strcmp(r->err, err ? err : "") ||
        strcmp(r->out, out ? out : "")) {
        fprintf(stderr, "line %d: status %d\nstderr: %s\nstdout: %s\n",
                line, r->status, r->err, r->out);
    }
    run_free(r);
}
#define CHECK(r, st, err, out) check_run(&(r), (st), (err), (out), __LINE__)

/* --- the option loop ----------------------------------------------------- */

static void test_loop_invalid_option(void)
{
    Run r = run_args("-foo", NULL);
    CHECK(r, 1, "qomu: -foo: invalid option\n", NULL);
    r = run_args("--foo", NULL);
    CHECK(r, 1, "qomu: --foo: invalid option\n", NULL);
    /* The first pass checks every option before any is handled. */
    r = run_args("-m", "x", "-foo", NULL);
    CHECK(r, 1, "qomu: -foo: invalid option\n", NULL);
    r = run_args("-version", "-foo", NULL);
    CHECK(r, 1, "qomu: -foo: invalid option\n", NULL);
}

static void test_loop_requires_argument(void)
{
    Run r = run_args("-m", NULL);
    CHECK(r, 1, "qomu: -m: requires an argument\n", NULL);
    r = run_args("-accel", "dummy", "-device", NULL);
    CHECK(r, 1, "qomu: -device: requires an argument\n", NULL);
}

/* "--m" is "-m", as in QEMU. */
static void test_loop_double_dash(void)
{
    Run r = run_args("--m", "x", NULL);
    g_autofree char *err = g_strdup_printf(
        "qomu: --m x: Parameter 'size' expects a non-negative number below "
        "2^64\n%s", size_hint);

    CHECK(r, 1, err, NULL);
}

/* QEMU options qomu lacks say so, with QEMU's message for a build
 * without them (QEMU itself would take the argument as a disk image). */
static void test_loop_unsupported(void)
{
    Run r = run_args("-netdev", "user,id=n0", NULL);
    CHECK(r, 1, "qomu: -netdev user,id=n0: Option not supported in this "
          "build\n", NULL);
    r = run_args("-no-hpet", NULL);
    CHECK(r, 1, "qomu: -no-hpet: Option not supported in this build\n",
          NULL);
    /* (-drive, -snapshot and disk images are block/drive.c's:
     * tests/unit/test-drive.c) */
}

static void test_loop_version_help(void)
{
    Run r = run_args("-version", NULL);
    CHECK(r, 0, NULL, "qomu version " QOMU_VERSION
          " (QEMU 7.2 command line)\n");
    r = run_args("-h", NULL);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_TRUE(g_str_has_prefix(r.out, "qomu version " QOMU_VERSION
                                    " (QEMU 7.2 command line)\n"
                                    "usage: qomu [options]\n\n"
                                    "Standard options:\n"
                                    "-h or -help     display this help and "
                                    "exit\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n-device driver[,prop[=value]"
                                         "[,...]]\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n-no-reboot      exit instead of "
                                         "rebooting\n"));
    run_free(&r);
    r = run_args("-help", NULL);
    CU_ASSERT_EQUAL(r.status, 0);
    run_free(&r);
}

/* --- -m ------------------------------------------------------------------ */

static void test_m_errors(void)
{
    g_autofree char *bad = g_strdup_printf(
        "qomu: -m x: Parameter 'size' expects a non-negative number below "
        "2^64\n%s", size_hint);
    g_autofree char *help = g_strdup_printf(
        "qomu: -m help: Parameter 'size' expects a non-negative number "
        "below 2^64\n%s", size_hint);
    Run r = run_args("-m", "x", NULL);

    CHECK(r, 1, bad, NULL);
    r = run_args("-m", "help", NULL);   /* the implied key takes it */
    CHECK(r, 1, help, NULL);
    r = run_args("-m", "foo=1", NULL);
    CHECK(r, 1, "qomu: -m foo=1: Invalid parameter 'foo'\n", NULL);
    r = run_args("-m", "100000000000000000000", NULL);
    CHECK(r, 1, "qomu: -m 100000000000000000000: Value "
          "'100000000000000000000' is out of range for parameter 'size'\n",
          NULL);
    r = run_args("-m", "64,64", NULL);
    CHECK(r, 1, "qomu: -m 64,64: warning: short-form boolean option '64' "
          "deprecated\nPlease use 64=on instead\n"
          "qomu: -m 64,64: Invalid parameter '64'\n", NULL);
    r = run_args("-m", "id=x", NULL);
    CHECK(r, 1, "qomu: -m id=x: Invalid parameter 'id'\n", NULL);
}

/* "...,help" prints the options and fails, as QEMU (status 1). */
static void test_m_help(void)
{
    Run r = run_args("-m", "size=1G,help", NULL);
    CHECK(r, 1, NULL, "memory options:\n  maxmem=<size>\n  size=<size>\n"
          "  slots=<num>\n");
}

/* Checked when the machine gets it (no location: QEMU's is gone). */
static void test_m_machine_errors(void)
{
    Run r = run_args("-accel", "dummy", "-M", "none", "-m",
                     "size=64M,slots=2", NULL);
    CHECK(r, 1, "qomu: slots specified but no max-size\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-m",
                 "size=64M,maxmem=32M", NULL);
    CHECK(r, 1, "qomu: invalid value of maxmem: maximum memory size "
          "(0x2000000) must be at least the initial memory size "
          "(0x4000000)\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-m",
                 "size=64M,slots=2,maxmem=64M", NULL);
    CHECK(r, 1, "qomu: invalid value of maxmem: memory slots were "
          "specified but maximum memory size (0x4000000) is equal to the "
          "initial memory size (0x4000000)\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-m", "64",
                 "-machine", "memory=2", NULL);
    CHECK(r, 1, "qomu: -m 64: Parameter 'memory' used inconsistently\n",
          NULL);
    r = run_args("-machine", "memory=2", NULL);
    CHECK(r, 1, "qomu: Parameter 'memory' used inconsistently\n", NULL);
}

static void test_m_accepted(void)
{
    static const char *const sizes[] = {
        "64", "64M", "64m", "1G", "0", "", "size=64", "2k", "1b",
        "size=64M,maxmem=2G", "size=64M,slots=2,maxmem=2G", "maxmem=1G",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        Run r = run_args("-accel", "dummy", "-M", "none", "-m", sizes[i],
                         NULL);
        CHECK(r, 0, NULL, NULL);
    }
}

/* --- -smp ---------------------------------------------------------------- */

static void test_smp(void)
{
    Run r = run_args("-smp", "help", NULL);
    CHECK(r, 0, NULL, "smp-opts options:\n  clusters=<num>\n  cores=<num>\n"
          "  cpus=<num>\n  dies=<num>\n  maxcpus=<num>\n  sockets=<num>\n"
          "  threads=<num>\n");
    r = run_args("-smp", "2,2", NULL);
    CHECK(r, 1, "qomu: -smp 2,2: Invalid parameter '2'\n", NULL);
    r = run_args("-accel", "dummy", "-smp", "x", NULL);
    CHECK(r, 1, "qomu: Parameter 'smp.cpus' expects integer\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-smp", "2", NULL);
    CHECK(r, 1, "qomu: Invalid SMP CPUs 2. The max CPUs supported by "
          "machine 'none' is 1\n", NULL);
    /* -smp options merge, and -machine smp.X= joins them. */
    r = run_args("-accel", "dummy", "-M", "none", "-smp", "2", "-smp",
                 "maxcpus=1", NULL);
    CHECK(r, 1, "qomu: Invalid CPU topology: maxcpus must be equal to or "
          "greater than smp: sockets (1) * cores (1) * threads (1) == "
          "maxcpus (1) < smp_cpus (2)\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none,smp.cpus=2", "-smp",
                 "maxcpus=1", NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "< smp_cpus (2)"));
    run_free(&r);
    r = run_args("-machine", "smp=2", "-smp", "2", NULL);
    CHECK(r, 1, "qomu: -smp 2: Parameter 'smp' used inconsistently\n", NULL);
}

/* --- -machine ------------------------------------------------------------ */

static const char machine_list[] =
    "Supported machines are:\n"
    "pc                   Standard PC (i440FX + PIIX, 1996) (alias of "
    "pc-i440fx-7.2)\n"
    "pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)\n"
    "none                 empty machine\n";

static void test_machine_help(void)
{
    Run r = run_args("-machine", "help", NULL);
    CHECK(r, 0, NULL, machine_list);
    r = run_args("-M", "help", NULL);
    CHECK(r, 0, NULL, machine_list);
    r = run_args("-machine", "foo,help", NULL);    /* unknown: the list */
    CHECK(r, 0, NULL, machine_list);
    r = run_args("-machine", "help,foo=1", NULL);
    CHECK(r, 0, NULL, machine_list);
    /* The type may come from an earlier -machine. */
    r = run_args("-M", "none", "-M", "help", NULL);
    CHECK(r, 0, NULL, "none-machine options:\n"
          "  append=<string>        - Linux kernel command line\n"
          "  graphics=<bool>        - Set on/off to enable/disable graphics "
          "emulation\n"
          "  initrd=<string>        - Linux initial ramdisk file\n"
          "  kernel=<string>        - Linux kernel image file\n"
          "  memory=<MemorySizeConfiguration> - Memory size configuration\n"
          "  smp=<SMPConfiguration> - CPU topology\n");
}

static void test_machine_errors(void)
{
    Run r = run_args("-machine", ",", NULL);
    CHECK(r, 1, "qomu: -machine ,: Invalid parameter ''\n", NULL);
    r = run_args("-machine", "pc,pc", NULL);
    CHECK(r, 1, "qomu: -machine pc,pc: Expected '=' after parameter 'pc'\n",
          NULL);
    r = run_args("-machine", "foo", NULL);
    CHECK(r, 1, "qomu: unsupported machine type\n"
          "Use -machine help to list supported machines\n", NULL);
    r = run_args("-machine", "pc,foo=1", NULL);
    CHECK(r, 1, "qomu: Property 'pc-i440fx-7.2-machine.foo' not found\n",
          NULL);
    r = run_args("-machine", "smp=2", NULL);
    CHECK(r, 1, "qomu: Invalid parameter type for 'smp', expected: "
          "object\n", NULL);
    r = run_args("-machine", "kernel.x=1", NULL);
    CHECK(r, 1, "qomu: Parameters 'kernel.*' are unexpected\n", NULL);
    r = run_args("-machine", "pc,dump_guest_core=off,dump-guest-core=on",
                 NULL);
    CHECK(r, 1, "qomu: Conflict between 'dump_guest_core' and "
          "'dump-guest-core'\n", NULL);
    r = run_args("-machine", "kernel=x", "-machine", "kernel.a=1", NULL);
    CHECK(r, 1, "qomu: -machine kernel.a=1: Parameters 'kernel.*' used "
          "inconsistently\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none,kernel=x", NULL);
    CHECK(r, 1, "qomu: The -kernel parameter is not supported (use the "
          "generic 'loader' device instead).\n", NULL);
    r = run_args("-accel", "dummy", "-machine", "pc,max-ram-below-4g=5G",
                 NULL);
    CHECK(r, 1, "qomu: Machine option 'max-ram-below-4g=5368709120' "
          "expects size less than or equal to 4G\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none,acpi=off", NULL);
    CHECK(r, 1, "qomu: Property 'none-machine.acpi' not found\n", NULL);
}

/* --- -kernel, -append, -initrd ------------------------------------------- */

static void test_kernel(void)
{
    Run r = run_args("-append", "x", NULL);
    CHECK(r, 1, "qomu: -append only allowed with -kernel option\n", NULL);
    r = run_args("-initrd", "x", NULL);
    CHECK(r, 1, "qomu: -initrd only allowed with -kernel option\n", NULL);
    /* QEMU prints "qemu: could not open kernel file ..." with fprintf. */
    r = run_args("-accel", "dummy", "-kernel", "/nonexistent", NULL);
    CHECK(r, 1, "qomu: could not open kernel file '/nonexistent': No such "
          "file or directory\n", NULL);
    /* Size 0 to stat() (QEMU's fseek finds 0 too): nothing to load. */
    r = run_args("-accel", "dummy", "-kernel", "/proc/self/cmdline", NULL);
    CHECK(r, 1, "qomu: could not load kernel '/proc/self/cmdline': the "
          "file is empty\n", NULL);
}

/* --- -accel -------------------------------------------------------------- */

static void test_accel(void)
{
    Run r = run_args("-accel", "help", NULL);
    CHECK(r, 0, NULL, "Accelerators supported in QEMU binary:\ndummy\n"
          "kvm\n");
    r = run_args("-accel", "thread=single", NULL);     /* no name: list */
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_TRUE(g_str_has_prefix(r.out, "Accelerators supported"));
    run_free(&r);
    r = run_args("-accel", "foo", NULL);
    CHECK(r, 1, "qomu: -accel foo: invalid accelerator foo\n", NULL);
    r = run_args("-accel", "foo", "-accel", "dummy", "-M", "none", NULL);
    CHECK(r, 0, "qomu: -accel foo: invalid accelerator foo\n"
          "qomu: falling back to dummy\n", NULL);
    r = run_args("-accel", "dummy,foo=1", NULL);
    CHECK(r, 1, "qomu: -accel dummy,foo=1: Property 'dummy-accel.foo' not "
          "found\n", NULL);
    r = run_args("-accel", "dummy,help", NULL);
    CHECK(r, 1, "qomu: -accel dummy,help: Property 'dummy-accel.help' not "
          "found\n", NULL);
    r = run_args("-accel", "dummy", "-machine", "accel=kvm", NULL);
    CHECK(r, 1, "qomu: The -accel and \"-machine accel=\" options are "
          "incompatible\n", NULL);
    r = run_args("-enable-kvm", "-accel", "dummy", NULL);
    CHECK(r, 1, "qomu: The -accel and \"-machine accel=\" options are "
          "incompatible\n", NULL);
    r = run_args("-machine", "none,accel=dummy", NULL);
    CHECK(r, 0, NULL, NULL);
}

/* --- -cpu ---------------------------------------------------------------- */

static void test_cpu(void)
{
    Run r = run_args("-accel", "dummy", "-cpu", "foo", NULL);
    CHECK(r, 1, "qomu: unable to find CPU model 'foo'\n", NULL);
    r = run_args("-cpu", "help", NULL);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_TRUE(g_str_has_prefix(r.out, "Available CPUs:\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\nx86 qemu64  "));
    run_free(&r);
    r = run_args("-accel", "dummy", "-M", "none", "-cpu", "qemu64", NULL);
    CHECK(r, 0, NULL, NULL);
}

/* --- -device, -global ---------------------------------------------------- */

static void test_device_help(void)
{
    Run r = run_args("-device", "isa-debug-exit,help", NULL);
    CHECK(r, 0, NULL, "isa-debug-exit options:\n"
          "  iobase=<uint32>        -  (default: 1281)\n"
          "  iosize=<uint32>        -  (default: 2)\n");
    r = run_args("-device", "isa-debugcon,iobase=3,help", NULL);
    CHECK(r, 0, NULL, "isa-debugcon options:\n"
          "  chardev=<str>          - ID of a chardev to use as a backend\n"
          "  iobase=<uint32>        -  (default: 233)\n"
          "  readback=<uint32>      -  (default: 233)\n");
    r = run_args("-device", "help", NULL);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Misc devices:\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "name \"isa-debug-exit\", bus ISA\n"));
    run_free(&r);
    r = run_args("-device", "foo,help", NULL);
    CHECK(r, 0, "qomu: Device 'foo' not found\n", NULL);
}

static void test_device_errors(void)
{
    Run r = run_args("-accel", "dummy", "-M", "none", "-device", "foo", NULL);
    CHECK(r, 1, "qomu: -device foo: 'foo' is not a valid device model "
          "name\n", NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-device", ",", NULL);
    CHECK(r, 1, "qomu: -device ,: '' is not a valid device model name\n",
          NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-device",
                 "isa-debug-exit", NULL);
    CHECK(r, 1, "qomu: -device isa-debug-exit: No 'ISA' bus found for "
          "device 'isa-debug-exit'\n", NULL);
    r = run_args("-device", "isa-debug-exit,id=1a", NULL);
    CHECK(r, 1, "qomu: -device isa-debug-exit,id=1a: Parameter 'id' expects "
          "an identifier\nIdentifiers consist of letters, digits, '-', '.', "
          "'_', starting with a letter.\n", NULL);
    r = run_args("-device", "isa-debug-exit,id=a", "-device",
                 "isa-debug-exit,id=a", NULL);
    CHECK(r, 1, "qomu: -device isa-debug-exit,id=a: Duplicate ID 'a' for "
          "device\n", NULL);
    r = run_args("-device", "{\"driver\":\"x\"}", NULL);
    CHECK(r, 1, "qomu: -device {\"driver\":\"x\"}: JSON syntax for -device "
          "is not supported in this build\n", NULL);
}

/* On the PC, after the board (whose warning about firmware comes
 * first: it has no -kernel here). */
static void test_device_errors_pc(void)
{
    static const char firmware[] = "qomu: warning: no firmware: without "
        "-kernel the guest has nothing to run\n";
    g_autofree char *e1 = g_strconcat(firmware, "qomu: -device "
        "isa-debug-exit,iobase=x: Parameter 'iobase' expects integer\n",
        NULL);
    g_autofree char *e2 = g_strconcat(firmware, "qomu: -device "
        "isa-debug-exit,foo=1: Property 'isa-debug-exit.foo' not found\n",
        NULL);
    g_autofree char *e3 = g_strconcat(firmware, "qomu: -device "
        "isa-debug-exit,bus=foo: Bus 'foo' not found\n", NULL);
    g_autofree char *e4 = g_strconcat(firmware, "qomu: -device "
        "isa-debugcon,chardev=zz: Property 'isa-debugcon.chardev' can't "
        "find value 'zz'\n", NULL);
    Run r = run_args("-accel", "dummy", "-device", "isa-debug-exit,iobase=x",
                     NULL);

    CHECK(r, 1, e1, NULL);
    r = run_args("-accel", "dummy", "-device", "isa-debug-exit,foo=1", NULL);
    CHECK(r, 1, e2, NULL);
    r = run_args("-accel", "dummy", "-device", "isa-debug-exit,bus=foo",
                 NULL);
    CHECK(r, 1, e3, NULL);
    r = run_args("-accel", "dummy", "-device", "isa-debugcon,chardev=zz",
                 NULL);
    CHECK(r, 1, e4, NULL);
    r = run_args("-accel", "dummy", "-device", "isa-debug-exit,id=x",
                 "-device", "isa-debug-exit,id=y,iobase=0x600", NULL);
    CHECK(r, 0, firmware, NULL);
}

static void test_global(void)
{
    Run r = run_args("-global", "foo", NULL);
    CHECK(r, 1, "qomu: -global foo: warning: short-form boolean option "
          "'foo' deprecated\nPlease use foo=on instead\n"
          "qomu: -global foo: Invalid parameter 'foo'\n", NULL);
    r = run_args("-accel", "dummy", "-global", "isa-debug-exit.iobase=x",
                 "-device", "isa-debug-exit", NULL);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "qomu: -device isa-debug-exit: "
                                  "can't apply global isa-debug-exit.iobase=x: "
                                  "Parameter 'iobase' expects "));
    run_free(&r);
}

/* --- -chardev, -debugcon ------------------------------------------------- */

static void test_chardev(void)
{
    Run r = run_args("-chardev", "null", NULL);
    CHECK(r, 1, "qomu: -chardev null: chardev: no id specified\n", NULL);
    r = run_args("-chardev", "null,id=a", "-chardev", "null,id=a", NULL);
    CHECK(r, 1, "qomu: -chardev null,id=a: Duplicate ID 'a' for chardev\n",
          NULL);
    r = run_args("-chardev", "foo,id=a", NULL);
    CHECK(r, 1, "qomu: -chardev foo,id=a: 'foo' is not a valid char driver "
          "name\n", NULL);
    r = run_args("-chardev", "null,id=a,x=1", NULL);
    CHECK(r, 1, "qomu: -chardev null,id=a,x=1: Invalid parameter 'x'\n",
          NULL);
    r = run_args("-chardev", "help", NULL);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_TRUE(g_str_has_prefix(r.out, "Available chardev backend "
                                    "types: \n"));
    run_free(&r);
    r = run_args("-accel", "dummy", "-M", "none", "-chardev", "null,id=c0",
                 NULL);
    CHECK(r, 0, NULL, NULL);
}

static void test_debugcon(void)
{
    Run r = run_args("-accel", "dummy", "-debugcon", "foo", NULL);
    CHECK(r, 1, "qomu: -debugcon foo: 'foo' is not a valid char driver\n"
          "qomu: -debugcon foo: invalid character backend 'foo'\n", NULL);
    r = run_args("-accel", "dummy", "-debugcon", "file:/nonexistent/x", NULL);
    CHECK(r, 1, "qomu: -debugcon file:/nonexistent/x: Could not open "
          "'/nonexistent/x': No such file or directory\n"
          "qomu: -debugcon file:/nonexistent/x: invalid character backend "
          "'file:/nonexistent/x'\n", NULL);
    r = run_args("-accel", "dummy", "-debugcon", "null", "-debugcon", "null",
                 NULL);
    CHECK(r, 1, "qomu: -debugcon null: invalid character backend 'null'\n",
          NULL);
    r = run_args("-accel", "dummy", "-M", "none", "-debugcon", "null", NULL);
    CHECK(r, 1, "qomu: -debugcon null: No 'ISA' bus found for device "
          "'isa-debugcon'\n", NULL);
}

/* --- -name, -display, -msg, -d/-D ---------------------------------------- */

static void test_name(void)
{
    Run r = run_args("-name", "guest=a,foo=1", NULL);
    CHECK(r, 1, "qomu: -name guest=a,foo=1: Invalid parameter 'foo'\n", NULL);
    r = run_args("-name", "a,debug-threads=x", NULL);
    CHECK(r, 1, "qomu: -name a,debug-threads=x: Parameter 'debug-threads' "
          "expects 'on' or 'off'\n", NULL);
    r = run_args("-name", "guest=x,help", NULL);
    CHECK(r, 1, NULL, "name options:\n"
          "  debug-threads=<bool (on/off)> - When enabled, name the "
          "individual threads; defaults off.\nNOTE: The thread names are "
          "for debugging and not a\nstable API.\n"
          "  guest=<str>            - Sets the name of the guest.\nThis name "
          "will be displayed in the SDL window caption.\nThe name will also "
          "be used for the VNC server\n"
          "  process=<str>          - Sets the name of the QEMU process, as "
          "shown in top etc\n");
    r = run_args("-accel", "dummy", "-M", "none", "-name",
                 "vm1,debug-threads=on", NULL);
    CHECK(r, 0, NULL, NULL);
}

static void test_display(void)
{
    Run r = run_args("-display", "help", NULL);
    CHECK(r, 0, NULL, "Available display backend types:\nnone\n");
    r = run_args("-display", "foo", NULL);
    CHECK(r, 1, "qomu: -display foo: Parameter 'type' does not accept value "
          "'foo'\n", NULL);
    r = run_args("-display", "none,foo=1", NULL);
    CHECK(r, 1, "qomu: -display none,foo=1: Parameter 'foo' is unexpected\n",
          NULL);
    r = run_args("-display", "none,help", NULL);
    CHECK(r, 1, "qomu: -display none,help: Help is not available for this "
          "option\n", NULL);
    r = run_args("-display", "full-screen=on", NULL);
    CHECK(r, 1, "qomu: -display full-screen=on: Parameter 'type' is "
          "missing\n", NULL);
    r = run_args("-display", "vnc", NULL);
    CHECK(r, 1, "qomu: -display vnc: VNC requires a display argument "
          "vnc=<display>\n", NULL);
    /* QEMU: a display type whose module is missing. */
    r = run_args("-display", "gtk", NULL);
    CHECK(r, 1, "qomu: Display 'gtk' is not available.\n", NULL);
    /* The last -display wins. */
    r = run_args("-accel", "dummy", "-M", "none", "-display", "gtk",
                 "-display", "none", "-nographic", NULL);
    CHECK(r, 0, NULL, NULL);
}

static void test_msg_log(void)
{
    Run r = run_args("-msg", "timestamp=x", NULL);
    CHECK(r, 1, "qomu: -msg timestamp=x: Parameter 'timestamp' expects 'on' "
          "or 'off'\n", NULL);
    r = run_args("-d", "foo", NULL);             /* the list, to stdout */
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_TRUE(g_str_has_prefix(r.out, "Log items (comma separated):\n"));
    run_free(&r);
    r = run_args("-D", "/nonexistent/x", "-d", "guest_errors", NULL);
    CHECK(r, 1, "qomu: Error opening logfile /nonexistent/x: No such file or "
          "directory\n", NULL);
}

/* --- build/qomu itself --------------------------------------------------- */

static char *qomu_path;

static bool threads_up(void *opaque)
{
    pid_t pid = GPOINTER_TO_INT(opaque);
    g_autofree char *c0 = g_strdup_printf("/proc/%d/task", (int)pid);
    GDir *dir = g_dir_open(c0, 0, NULL);
    const char *name;
    int n = 0;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_strdup_printf("%s/%s/comm", c0, name);
        g_autofree char *comm = NULL;

        if (g_file_get_contents(path, &comm, NULL, NULL)) {
            g_strchomp(comm);
            n += !strcmp(comm, "CPU 0/DUMMY") || !strcmp(comm, "CPU 1/DUMMY");
        }
    }
    if (dir) {
        g_dir_close(dir);
    }
    return n == 2;
}

/* "qomu -machine pc -accel dummy -smp 2 -m 64 -nodefaults -display none"
 * runs two vCPU threads and exits 0 on SIGTERM, saying who sent it. */
static void test_binary_sigterm(void)
{
    char *argv[] = { qomu_path, "-machine", "pc", "-accel", "dummy", "-smp",
                     "2", "-m", "64", "-nodefaults", "-display", "none",
                     NULL };
    g_autofree char *err = NULL;
    g_autofree char *self = NULL;
    g_autofree char *expected = NULL;
    GError *gerr = NULL;
    int err_fd, wstatus;
    GPid pid;

    if (!g_file_test(qomu_path, G_FILE_TEST_IS_EXECUTABLE)) {
        harness_skip("build/qomu not built");
    }
    CU_ASSERT_FATAL(g_spawn_async_with_pipes(NULL, argv, NULL,
                                             G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                             NULL, &pid, NULL, NULL, &err_fd,
                                             &gerr));
    CU_ASSERT_TRUE(wait_until(threads_up, GINT_TO_POINTER(pid), 10000));
    kill(pid, SIGTERM);
    waitpid(pid, &wstatus, 0);
    CU_ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    {
        GString *s = g_string_new(NULL);
        char buf[256];
        ssize_t n;

        while ((n = read(err_fd, buf, sizeof(buf))) > 0) {
            g_string_append_len(s, buf, n);
        }
        close(err_fd);
        err = g_string_free(s, false);
    }
    g_file_get_contents("/proc/self/cmdline", &self, NULL, NULL);
    expected = g_strdup_printf("qomu: warning: no firmware: without -kernel "
                               "the guest has nothing to run\n"
                               "qomu: terminating on signal 15 from pid %d "
                               "(%s)\n", (int)getpid(), self);
    CU_ASSERT_STRING_EQUAL(err, expected);
}

/* Help and errors through the real main(). */
static void test_binary_status(void)
{
    char *help[] = { qomu_path, "-machine", "help", NULL };
    char *bad[] = { qomu_path, "-m", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int wstatus;

    if (!g_file_test(qomu_path, G_FILE_TEST_IS_EXECUTABLE)) {
        harness_skip("build/qomu not built");
    }
    CU_ASSERT_TRUE(g_spawn_sync(NULL, help, NULL, 0, NULL, NULL, &out, &err,
                                &wstatus, NULL));
    CU_ASSERT_STRING_EQUAL(out, machine_list);
    CU_ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    g_free(out);
    g_free(err);
    CU_ASSERT_TRUE(g_spawn_sync(NULL, bad, NULL, 0, NULL, NULL, &out, &err,
                                &wstatus, NULL));
    CU_ASSERT_STRING_EQUAL(err, "qomu: -m: requires an argument\n");
    CU_ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 1);
}

int main(int argc, char **argv)
{
    /* build/tests/unit/test-options -> build/qomu */
    g_autofree char *dir = g_path_get_dirname(argv[0]);

    qomu_path = g_build_filename(dir, "..", "..", "qomu", NULL);
    harness_add("/options/loop/invalid-option", test_loop_invalid_option);
    harness_add("/options/loop/requires-argument",
                test_loop_requires_argument);
    harness_add("/options/loop/double-dash", test_loop_double_dash);
    harness_add("/options/loop/unsupported", test_loop_unsupported);
    harness_add("/options/loop/version-help", test_loop_version_help);
    harness_add("/options/m/errors", test_m_errors);
    harness_add("/options/m/help", test_m_help);
    harness_add("/options/m/machine-errors", test_m_machine_errors);
    harness_add("/options/m/accepted", test_m_accepted);
    harness_add("/options/smp", test_smp);
    harness_add("/options/machine/help", test_machine_help);
    harness_add("/options/machine/errors", test_machine_errors);
    harness_add("/options/kernel", test_kernel);
    harness_add("/options/accel", test_accel);
    harness_add("/options/cpu", test_cpu);
    harness_add("/options/device/help", test_device_help);
    harness_add("/options/device/errors", test_device_errors);
    harness_add("/options/device/errors-pc", test_device_errors_pc);
    harness_add("/options/global", test_global);
    harness_add("/options/chardev", test_chardev);
    harness_add("/options/debugcon", test_debugcon);
    harness_add("/options/name", test_name);
    harness_add("/options/display", test_display);
    harness_add("/options/msg-log", test_msg_log);
    harness_add("/options/binary/sigterm", test_binary_sigterm);
    harness_add("/options/binary/status", test_binary_status);
    return harness_run(argc, argv);
}
