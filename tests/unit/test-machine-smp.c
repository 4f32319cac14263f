/*
 * test-machine-smp.c - the "smp" machine property (-smp): every case's
 * resulting topology or message, verbatim as QEMU 7.2 prints it for the
 * same command line (each expected message was checked against Debian's
 * qemu-system-x86_64 7.2).
 *
 * The value goes through what -smp goes through: keyval_parse() with
 * implied key "cpus", then object_property_set(machine, "smp", dict).
 * Machines: "pc" (dies, max 255 CPUs), "none" (max 1), and test-smp,
 * a throwaway board with the pre-6.2 socket preference, clusters and
 * min_cpus 2, for the branches the real boards do not take.
 */
#include "util/osdep.h"
#include "util/keyval.h"
#include "machine/machine.h"
#include "vcpu-helper.h"
#include "harness.h"
#include "error-text.h"

/* --- a board with the other knobs set ------------------------------------ */

static void test_smp_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "test board for -smp";
    mc->min_cpus = 2;
    mc->max_cpus = 16;
    mc->default_cpus = 2;
    mc->smp_props.prefer_sockets = true;
    mc->smp_props.clusters_supported = true;
}

static const TypeInfo test_smp_info = {
    .name = MACHINE_TYPE_NAME("test-smp"),
    .parent = TYPE_MACHINE,
    .class_init = test_smp_class_init,
};

/* --- helpers ------------------------------------------------------------- */

/*
 * -smp @arg on a new machine of type @machine; returns the error message
 * (g_free) or NULL on success, with the topology in *@topo and whatever
 * was printed (warnings) in *@printed (g_free; may be NULL).
 */
static char *smp_try(const char *machine, const char *arg, CpuTopology *topo,
                     char **printed)
{
    Object *obj = object_new(machine);
    g_autoptr(GVariant) dict = keyval_parse(arg, "cpus", NULL, &error_abort);
    StderrCapture cap;
    Error *err = NULL;
    char *msg;
    char *out;

    stderr_capture_begin(&cap);
    object_property_set(obj, "smp", dict, &err);
    msg = error_take_text(err);
    out = stderr_capture_end(&cap);
    if (printed) {
        *printed = out;
    } else {
        g_free(out);
    }
    if (topo) {
        *topo = MACHINE(obj)->smp;
    }
    object_unref(obj);
    return msg;
}

#define PC MACHINE_TYPE_NAME("pc-i440fx-7.2")
#define NONE MACHINE_TYPE_NAME("none")
#define TEST MACHINE_TYPE_NAME("test-smp")

/* Expect @arg to fail on @machine with @expected, and print nothing. */
static void check_error(const char *machine, const char *arg,
                        const char *expected)
{
    g_autofree char *printed = NULL;
    g_autofree char *msg = smp_try(machine, arg, NULL, &printed);

    CU_ASSERT_STRING_EQUAL(msg ? msg : "(no error)", expected);
    CU_ASSERT_STRING_EQUAL(printed, "");
}

/* Expect @arg to give cpus/sockets/dies/clusters/cores/threads/max. */
static void check_topo(const char *machine, const char *arg,
                       unsigned cpus, unsigned sockets, unsigned dies,
                       unsigned clusters, unsigned cores, unsigned threads,
                       unsigned max_cpus)
{
    g_autofree char *printed = NULL;
    CpuTopology t;
    g_autofree char *msg = smp_try(machine, arg, &t, &printed);

    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_STRING_EQUAL(printed, "");
    CU_ASSERT_EQUAL(t.cpus, cpus);
    CU_ASSERT_EQUAL(t.sockets, sockets);
    CU_ASSERT_EQUAL(t.dies, dies);
    CU_ASSERT_EQUAL(t.clusters, clusters);
    CU_ASSERT_EQUAL(t.cores, cores);
    CU_ASSERT_EQUAL(t.threads, threads);
    CU_ASSERT_EQUAL(t.max_cpus, max_cpus);
}

/* --- the value's syntax -------------------------------------------------- */

static void test_syntax_not_integer(void)
{
    check_error(PC, "x", "Parameter 'smp.cpus' expects integer");
    check_error(PC, "1.5", "Parameter 'smp.cpus' expects integer");
    check_error(PC, "cpus=", "Parameter 'smp.cpus' expects integer");
    check_error(PC, "cpus=99999999999999999999",
                "Parameter 'smp.cpus' expects integer");
    check_error(PC, "sockets=two", "Parameter 'smp.sockets' expects integer");
}

static void test_syntax_unexpected(void)
{
    check_error(PC, "foo=1", "Parameter 'smp.foo' is unexpected");
    check_error(PC, "cpus.x=1", "Parameters 'smp.cpus.*' are unexpected");
    /* QEMU's visitor checks the members first, then leftovers. */
    check_error(PC, "foo=1,cores=x", "Parameter 'smp.cores' expects integer");
}

static void test_syntax_not_object(void)
{
    Object *obj = object_new(PC);
    Error *err = NULL;

    /* "-machine smp=2" */
    CU_ASSERT_FALSE(object_property_set(obj, "smp",
                                        g_variant_new_string("2"), &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'smp', expected: "
                           "object");
    error_free(err);
    object_unref(obj);
}

/* From JSON (QMP later) the members are numbers, not strings. */
static void test_syntax_json_numbers(void)
{
    Object *obj = object_new(PC);
    GVariantDict d;

    g_variant_dict_init(&d, NULL);
    g_variant_dict_insert(&d, "cpus", "x", (int64_t)4);
    g_variant_dict_insert(&d, "sockets", "x", (int64_t)2);
    CU_ASSERT_TRUE(object_property_set(obj, "smp", g_variant_dict_end(&d),
                                       NULL));
    CU_ASSERT_EQUAL(MACHINE(obj)->smp.cpus, 4);
    CU_ASSERT_EQUAL(MACHINE(obj)->smp.cores, 2);
    object_unref(obj);
}

/* --- computing the omitted members --------------------------------------- */

/* Without -smp: default_cpus.  An empty -smp is not "no -smp": every
 * member omitted gives one CPU, whatever default_cpus says. */
static void test_compute_defaults(void)
{
    Object *obj = object_new(TEST);

    CU_ASSERT_EQUAL(MACHINE(obj)->smp.cpus, 2);
    CU_ASSERT_EQUAL(MACHINE(obj)->smp.max_cpus, 2);
    object_unref(obj);
    check_topo(PC, "", 1, 1, 1, 1, 1, 1, 1);
    check_error(TEST, "", "Invalid SMP CPUs 1. The min CPUs supported by "
                "machine 'test-smp' is 2");
}

/* Since QEMU 6.2 cores are preferred over sockets. */
static void test_compute_prefer_cores(void)
{
    check_topo(PC, "2", 2, 1, 1, 1, 2, 1, 2);
    check_topo(PC, "255", 255, 1, 1, 1, 255, 1, 255);
    check_topo(PC, "maxcpus=4", 4, 1, 1, 1, 4, 1, 4);
    check_topo(PC, "sockets=2,threads=2", 4, 2, 1, 1, 1, 2, 4);
    check_topo(PC, "1,maxcpus=2", 1, 1, 1, 1, 2, 1, 2);
    check_topo(PC, "8,sockets=2", 8, 2, 1, 1, 4, 1, 8);
    check_topo(PC, "8,cores=2", 8, 4, 1, 1, 2, 1, 8);
    check_topo(PC, "8,sockets=2,cores=2", 8, 2, 1, 1, 2, 2, 8);
    check_topo(PC, "dies=2,cpus=4", 4, 1, 2, 1, 2, 1, 4);
}

/* Before 6.2 (and for test-smp) sockets were filled first. */
static void test_compute_prefer_sockets(void)
{
    check_topo(TEST, "4", 4, 4, 1, 1, 1, 1, 4);
    check_topo(TEST, "8,cores=2", 8, 4, 1, 1, 2, 1, 8);
    check_topo(TEST, "8,sockets=2", 8, 2, 1, 1, 4, 1, 8);
    check_topo(TEST, "8,clusters=2", 8, 4, 1, 2, 1, 1, 8);
}

/* "cpus=4294967297": QEMU assigns the int64 to an unsigned int. */
static void test_compute_truncated(void)
{
    check_topo(PC, "cpus=4294967297", 1, 1, 1, 1, 1, 1, 1);
}

/* QEMU 7.2 only warns about zeros, and treats them as omitted. */
static void test_compute_zero_deprecated(void)
{
    static const char warning[] =
        "qomu: warning: Deprecated CPU topology (considered invalid): "
        "CPU topology parameters must be greater than zero\n";
    g_autofree char *printed = NULL;
    g_autofree char *printed2 = NULL;
    CpuTopology t;
    g_autofree char *msg = smp_try(PC, "0", &t, &printed);
    g_autofree char *msg2 = smp_try(PC, "4,sockets=0", &t, &printed2);

    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_STRING_EQUAL(printed, warning);
    CU_ASSERT_PTR_NULL(msg2);
    CU_ASSERT_STRING_EQUAL(printed2, warning);
    CU_ASSERT_EQUAL(t.cpus, 4);
    CU_ASSERT_EQUAL(t.cores, 4);
}

/* --- invalid topologies -------------------------------------------------- */

static void test_invalid_product(void)
{
    check_error(PC, "cpus=4,sockets=3",
                "Invalid CPU topology: product of the hierarchy must match "
                "maxcpus: sockets (3) * dies (1) * cores (1) * threads (1) "
                "!= maxcpus (4)");
    check_error(PC, "sockets=2,cores=3,cpus=5",
                "Invalid CPU topology: product of the hierarchy must match "
                "maxcpus: sockets (2) * dies (1) * cores (3) * threads (0) "
                "!= maxcpus (5)");
    check_error(PC, "cores=2,maxcpus=5",
                "Invalid CPU topology: product of the hierarchy must match "
                "maxcpus: sockets (2) * dies (1) * cores (2) * threads (1) "
                "!= maxcpus (5)");
    /* Levels the machine does not model are not printed. */
    check_error(NONE, "cpus=4,sockets=3",
                "Invalid CPU topology: product of the hierarchy must match "
                "maxcpus: sockets (3) * cores (1) * threads (1) "
                "!= maxcpus (4)");
    check_error(TEST, "cpus=4,sockets=3",
                "Invalid CPU topology: product of the hierarchy must match "
                "maxcpus: sockets (3) * clusters (1) * cores (1) * "
                "threads (1) != maxcpus (4)");
}

/* A product that wraps to 0: QEMU divides by it (SIGFPE); qomu reports
 * the mismatch instead. */
static void test_invalid_product_wraps(void)
{
    check_error(PC, "cpus=2,sockets=65536,threads=65536",
                "Invalid CPU topology: product of the hierarchy must match "
                "maxcpus: sockets (65536) * dies (1) * cores (0) * "
                "threads (65536) != maxcpus (2)");
}

static void test_invalid_maxcpus(void)
{
    check_error(PC, "cpus=2,maxcpus=1",
                "Invalid CPU topology: maxcpus must be equal to or greater "
                "than smp: sockets (1) * dies (1) * cores (1) * threads (1) "
                "== maxcpus (1) < smp_cpus (2)");
}

static void test_invalid_unsupported_level(void)
{
    check_error(PC, "clusters=2",
                "clusters not supported by this machine's CPU topology");
    check_error(NONE, "dies=2",
                "dies not supported by this machine's CPU topology");
    check_error(NONE, "clusters=2,cpus=1",
                "clusters not supported by this machine's CPU topology");
    /* 1 is accepted for a level the machine lacks. */
    check_topo(NONE, "dies=1,clusters=1", 1, 1, 1, 1, 1, 1, 1);
}

static void test_invalid_cpu_count(void)
{
    check_error(PC, "256", "Invalid SMP CPUs 256. The max CPUs supported by "
                "machine 'pc-i440fx-7.2' is 255");
    check_error(PC, "-1", "Invalid SMP CPUs -1. The max CPUs supported by "
                "machine 'pc-i440fx-7.2' is 255");
    check_error(PC, "maxcpus=300,cpus=2", "Invalid SMP CPUs 300. The max "
                "CPUs supported by machine 'pc-i440fx-7.2' is 255");
    check_error(NONE, "2", "Invalid SMP CPUs 2. The max CPUs supported by "
                "machine 'none' is 1");
    check_error(NONE, "cpus=2,maxcpus=2", "Invalid SMP CPUs 2. The max CPUs "
                "supported by machine 'none' is 1");
    check_error(TEST, "1", "Invalid SMP CPUs 1. The min CPUs supported by "
                "machine 'test-smp' is 2");
}

/* --- reading it back ----------------------------------------------------- */

static void test_get(void)
{
    Object *obj = object_new(PC);
    g_autoptr(GVariant) dict = keyval_parse("8,sockets=2,maxcpus=16",
                                            "cpus", NULL, &error_abort);
    g_autoptr(GVariant) v = NULL;
    int64_t n;

    CU_ASSERT_TRUE(object_property_set(obj, "smp", dict, NULL));
    v = object_property_get(obj, "smp", &error_abort);
    CU_ASSERT_TRUE(g_variant_lookup(v, "cpus", "x", &n) && n == 8);
    CU_ASSERT_TRUE(g_variant_lookup(v, "sockets", "x", &n) && n == 2);
    CU_ASSERT_TRUE(g_variant_lookup(v, "cores", "x", &n) && n == 8);
    CU_ASSERT_TRUE(g_variant_lookup(v, "maxcpus", "x", &n) && n == 16);
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "smp", NULL),
                           "SMPConfiguration");
    object_unref(obj);
}

int main(int argc, char **argv)
{
    type_register_static(&test_smp_info);
    harness_add("/machine-smp/syntax/not-integer", test_syntax_not_integer);
    harness_add("/machine-smp/syntax/unexpected", test_syntax_unexpected);
    harness_add("/machine-smp/syntax/not-object", test_syntax_not_object);
    harness_add("/machine-smp/syntax/json-numbers", test_syntax_json_numbers);
    harness_add("/machine-smp/compute/defaults", test_compute_defaults);
    harness_add("/machine-smp/compute/prefer-cores",
                test_compute_prefer_cores);
    harness_add("/machine-smp/compute/prefer-sockets",
                test_compute_prefer_sockets);
    harness_add("/machine-smp/compute/truncated", test_compute_truncated);
    harness_add("/machine-smp/compute/zero-deprecated",
                test_compute_zero_deprecated);
    harness_add("/machine-smp/invalid/product", test_invalid_product);
    harness_add("/machine-smp/invalid/product-wraps",
                test_invalid_product_wraps);
    harness_add("/machine-smp/invalid/maxcpus", test_invalid_maxcpus);
    harness_add("/machine-smp/invalid/unsupported-level",
                test_invalid_unsupported_level);
    harness_add("/machine-smp/invalid/cpu-count", test_invalid_cpu_count);
    harness_add("/machine-smp/get", test_get);
    return harness_run(argc, argv);
}
