/*
 * machine-smp.c - the "smp" machine property: -smp parsing and topology
 * validation (QEMU 7.2's hw/core/machine-smp.c, and the SMPConfiguration
 * half of hw/core/machine.c).
 *
 * QEMU turns "-smp 4,sockets=2" into the keyval dictionary
 * {cpus: "4", sockets: "2"}, merges it into the -machine options as
 * "smp", and the machine's "smp" property setter reads it with the
 * keyval input visitor into an SMPConfiguration, then computes the
 * omitted members.  The messages a user sees come from those two steps
 * and are reproduced verbatim; so is QEMU 7.2's leniency (zero values
 * only warn; values are truncated to unsigned int).
 * Not modelled: the s390 books/drawers and "modules" levels of later
 * QEMU versions.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/error-report.h"
#include "machine/machine.h"

/* --- reading the property value ------------------------------------------ */

/* One member of SMPConfiguration, in QAPI declaration order (the order
 * QEMU's visitor checks them, hence which error is reported first). */
typedef struct SMPMember {
    const char *name;
    size_t has_offset;
    size_t value_offset;
} SMPMember;

#define SMP_MEMBER(m) { #m, offsetof(SMPConfiguration, has_##m), \
                        offsetof(SMPConfiguration, m) }
static const SMPMember smp_members[] = {
    SMP_MEMBER(cpus), SMP_MEMBER(sockets), SMP_MEMBER(dies),
    SMP_MEMBER(clusters), SMP_MEMBER(cores), SMP_MEMBER(threads),
    SMP_MEMBER(maxcpus),
};
#undef SMP_MEMBER

/* The keyval visitor's int64 member: a string to parse, or (from JSON)
 * an integer. */
static bool smp_member_int(GVariant *v, const char *full_name, int64_t *out,
                           Error **errp)
{
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        return input_keyval_int64(full_name, g_variant_get_string(v, NULL),
                                  out, errp);
    }
    if (g_variant_is_container(v)) {
        error_setg(errp, "Parameters '%s.*' are unexpected", full_name);
        return false;
    }
    return prop_value_int64(v, full_name, out, errp);
}

bool smp_config_from_variant(GVariant *value, const char *name,
                             SMPConfiguration *config, Error **errp)
{
    GVariantIter iter;
    const char *key;
    GVariant *member;

    memset(config, 0, sizeof(*config));
    if (!g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: object",
                   name);
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(smp_members); i++) {
        const SMPMember *m = &smp_members[i];
        g_autoptr(GVariant) v = g_variant_lookup_value(value, m->name, NULL);
        g_autofree char *full_name = NULL;

        if (!v) {
            continue;
        }
        full_name = g_strdup_printf("%s.%s", name, m->name);
        if (!smp_member_int(v, full_name,
                            (int64_t *)((char *)config + m->value_offset),
                            errp)) {
            return false;
        }
        *(bool *)((char *)config + m->has_offset) = true;
    }
    /* Then, as QEMU's visit_check_struct: anything left over. */
    g_variant_iter_init(&iter, value);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &member)) {
        bool known = false;

        for (size_t i = 0; i < G_N_ELEMENTS(smp_members); i++) {
            known |= strcmp(key, smp_members[i].name) == 0;
        }
        if (!known) {
            error_setg(errp, "Parameter '%s.%s' is unexpected", name, key);
            g_variant_unref(member);
            return false;
        }
    }
    return true;
}

/* --- the topology -------------------------------------------------------- */

/* "sockets (2) * dies (1) * cores (3) * threads (1)": the levels @ms's
 * class models, largest first.  g_free the result. */
static char *cpu_hierarchy_to_string(MachineState *ms)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "sockets (%u)", ms->smp.sockets);
    if (mc->smp_props.dies_supported) {
        g_string_append_printf(s, " * dies (%u)", ms->smp.dies);
    }
    if (mc->smp_props.clusters_supported) {
        g_string_append_printf(s, " * clusters (%u)", ms->smp.clusters);
    }
    g_string_append_printf(s, " * cores (%u)", ms->smp.cores);
    g_string_append_printf(s, " * threads (%u)", ms->smp.threads);
    return g_string_free(s, false);
}

/* A member as QEMU reads it: omitted or 0 both mean "compute it".  The
 * int64 is truncated to unsigned, as QEMU's assignment does. */
static unsigned smp_get(bool has, int64_t value)
{
    return has ? (unsigned)value : 0;
}

/* @n / @d, where a product that wrapped to 0 gives 0 (QEMU would trap;
 * the topology check then reports the mismatch). */
static unsigned smp_div(unsigned n, unsigned d)
{
    return d ? n / d : 0;
}

/*
 * Fill in omitted sockets/cores/threads from maxcpus (or cpus).  Since
 * QEMU 6.2 cores are preferred over sockets; threads are computed last.
 */
static void smp_compute_missing(const SMPCompatProps *props,
                                unsigned maxcpus, unsigned dies,
                                unsigned clusters, unsigned *sockets,
                                unsigned *cores, unsigned *threads)
{
    if (props->prefer_sockets) {
        if (*sockets == 0) {
            *cores = *cores > 0 ? *cores : 1;
            *threads = *threads > 0 ? *threads : 1;
            *sockets = smp_div(maxcpus, dies * clusters * *cores * *threads);
        } else if (*cores == 0) {
            *threads = *threads > 0 ? *threads : 1;
            *cores = smp_div(maxcpus, *sockets * dies * clusters * *threads);
        }
    } else {
        if (*cores == 0) {
            *sockets = *sockets > 0 ? *sockets : 1;
            *threads = *threads > 0 ? *threads : 1;
            *cores = smp_div(maxcpus, *sockets * dies * clusters * *threads);
        } else if (*sockets == 0) {
            *threads = *threads > 0 ? *threads : 1;
            *sockets = smp_div(maxcpus, dies * clusters * *cores * *threads);
        }
    }
    if (*threads == 0) {
        *threads = smp_div(maxcpus, *sockets * dies * clusters * *cores);
    }
}

/* The checks on the computed topology, in QEMU's order. */
static bool smp_check(MachineState *ms, unsigned total_cpus, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    g_autofree char *topo = NULL;

    if (total_cpus != ms->smp.max_cpus) {
        topo = cpu_hierarchy_to_string(ms);
        error_setg(errp, "Invalid CPU topology: product of the hierarchy "
                   "must match maxcpus: %s != maxcpus (%u)",
                   topo, ms->smp.max_cpus);
        return false;
    }
    if (ms->smp.max_cpus < ms->smp.cpus) {
        topo = cpu_hierarchy_to_string(ms);
        error_setg(errp, "Invalid CPU topology: maxcpus must be equal to or "
                   "greater than smp: %s == maxcpus (%u) < smp_cpus (%u)",
                   topo, ms->smp.max_cpus, ms->smp.cpus);
        return false;
    }
    /* QEMU prints these unsigned counts with %d: "-smp -1" reads
     * "Invalid SMP CPUs -1". */
    if (ms->smp.cpus < mc->min_cpus) {
        error_setg(errp, "Invalid SMP CPUs %d. The min CPUs supported by "
                   "machine '%s' is %d", (int)ms->smp.cpus, mc->name,
                   (int)mc->min_cpus);
        return false;
    }
    if (ms->smp.max_cpus > mc->max_cpus) {
        error_setg(errp, "Invalid SMP CPUs %d. The max CPUs supported by "
                   "machine '%s' is %d", (int)ms->smp.max_cpus, mc->name,
                   (int)mc->max_cpus);
        return false;
    }
    return true;
}

bool machine_parse_smp_config(MachineState *ms,
                              const SMPConfiguration *config, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    unsigned cpus = smp_get(config->has_cpus, config->cpus);
    unsigned sockets = smp_get(config->has_sockets, config->sockets);
    unsigned dies = smp_get(config->has_dies, config->dies);
    unsigned clusters = smp_get(config->has_clusters, config->clusters);
    unsigned cores = smp_get(config->has_cores, config->cores);
    unsigned threads = smp_get(config->has_threads, config->threads);
    unsigned maxcpus = smp_get(config->has_maxcpus, config->maxcpus);
    unsigned total_cpus;

    /* QEMU 7.2 only deprecates "cpus=0" and friends (later versions
     * refuse them); the zero then means "omitted". */
    if ((config->has_cpus && config->cpus == 0) ||
        (config->has_sockets && config->sockets == 0) ||
        (config->has_dies && config->dies == 0) ||
        (config->has_clusters && config->clusters == 0) ||
        (config->has_cores && config->cores == 0) ||
        (config->has_threads && config->threads == 0) ||
        (config->has_maxcpus && config->maxcpus == 0)) {
        warn_report("Deprecated CPU topology (considered invalid): "
                    "CPU topology parameters must be greater than zero");
    }
    if (!mc->smp_props.dies_supported && dies > 1) {
        error_setg(errp, "dies not supported by this machine's CPU topology");
        return false;
    }
    if (!mc->smp_props.clusters_supported && clusters > 1) {
        error_setg(errp,
                   "clusters not supported by this machine's CPU topology");
        return false;
    }
    dies = dies > 0 ? dies : 1;
    clusters = clusters > 0 ? clusters : 1;

    if (cpus == 0 && maxcpus == 0) {
        sockets = sockets > 0 ? sockets : 1;
        cores = cores > 0 ? cores : 1;
        threads = threads > 0 ? threads : 1;
    } else {
        maxcpus = maxcpus > 0 ? maxcpus : cpus;
        smp_compute_missing(&mc->smp_props, maxcpus, dies, clusters,
                            &sockets, &cores, &threads);
    }

    total_cpus = sockets * dies * clusters * cores * threads;
    maxcpus = maxcpus > 0 ? maxcpus : total_cpus;
    cpus = cpus > 0 ? cpus : maxcpus;

    ms->smp = (CpuTopology) {
        .cpus = cpus, .sockets = sockets, .dies = dies,
        .clusters = clusters, .cores = cores, .threads = threads,
        .max_cpus = maxcpus,
    };
    return smp_check(ms, total_cpus, errp);
}
