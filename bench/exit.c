/*
 * bench/exit.c - what a guest exit costs in qomu, beside QEMU and beside
 * the floor (a bare loop around KVM_RUN), on the same guest.
 *
 * The guest is tests/guest/exit-bench.elf: at CPL 3 it runs n of each of
 * cpuid (handled inside KVM: the control line, no VMM involved), out to
 * an unassigned port (0x1000), out to a device port (0x80, QEMU's
 * ioport80), in from a device (isa-debugcon's readback at 0xe9) and an
 * unassigned MMIO read, and times each loop with rdtsc.  Only those guest
 * measurements count: boot time (QEMU's SeaBIOS takes seconds under this
 * host's kvm_pvm) is left out, and printed apart as wall-clock time.
 *
 * Three VMMs boot it, with "n=N batches=B" on its command line:
 *   qomu   build/qomu and QEMU get the same command line as
 *   QEMU   tests/guest/vmm-run.sh's: -machine pc -accel kvm -m 64
 *          -nodefaults -display none -no-reboot -device
 *          isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio -kernel
 *          exit-bench.elf -append "n=N batches=B"
 *   floor  build/bench/exit-floor (bench/exit-floor.c): /dev/kvm driven
 *          directly, a switch on the port per exit, nothing else
 * Each run must end with status 1 (the guest's success), and its output,
 * minus the "bench:"/"info:" lines, must be QEMU's; so the floor is known
 * to give the guest what QEMU gives it.
 *
 * Method: R repetitions; in each, the three VMMs run one after the other,
 * in an order rotated every repetition so that noise on this shared
 * machine hits each alike.  The guest times each kind in B batches of
 * n/B exits and prints the mean cycles per exit and the best batch's.
 * Microseconds are at the vCPU's TSC rate (KVM_GET_TSC_KHZ: the rate the
 * guest's rdtsc counts at).  Two tables:
 *   - the median over the runs of each run's mean: what an exit costs on
 *     this machine as it is.  "spread" is the largest (max - min) /
 *     median of a VMM's runs over the lines; differences below it are
 *     noise.
 *   - the fastest batch of all the runs: the cost undisturbed.  Here the
 *     noise is not a small jitter: an exit costs ~20 or ~27 us depending
 *     on the host's state, which flips every few hundred ms whatever runs
 *     (the cpuid line, which no VMM sees, flips too), so a median of 5
 *     can land in either mode for each VMM.  With R * B batches per VMM
 *     each gets batches in the fast state; their minimum compares like
 *     with like.
 * "goal" (the issue's): qomu within 10% of the floor and not behind QEMU;
 * "~ok" when it misses by less than the noise, as the control line (no
 * VMM involved, so the VMMs should agree) or the spread shows it.
 *
 *   build/bench/exit [-n N] [-B BATCHES] [-r R] [-q QOMU] [-Q QEMU]
 *                    [-b BIOS] [-t SECS] [-f FLOOR] [-g GUEST.elf]
 *
 * Defaults: n=10000 exits per kind in 50 batches, 7 repetitions,
 * build/qomu,
 * $QEMU or qemu-system-x86_64, build/bench/exit-floor and
 * build/tests/guest/exit-bench.elf (found next to this program).
 *
 * -b gives QEMU (only) another firmware, e.g. /usr/share/qemu/qboot.rom,
 * to shorten its boot; the measured loops are unaffected.  Exits 77
 * (skipped) without /dev/kvm or QEMU, 1 if a run fails.
 */
#include "util/osdep.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

enum { VMM_QOMU, VMM_QEMU, VMM_FLOOR, NR_VMMS };
static const char *const vmm_names[NR_VMMS] = { "qomu", "QEMU", "floor" };

#define MAX_KINDS 8

typedef struct Kind {
    char *label;                        /* e.g. "out 0x80 (ioport80)" */
    GArray *mean[NR_VMMS];              /* double: cycles/exit, per run */
    GArray *best[NR_VMMS];              /* double: best batch's, per run */
} Kind;

static struct {
    unsigned n, batches, reps, timeout_s;
    const char *vmm_path[NR_VMMS];
    const char *bios;                   /* QEMU only, or NULL */
    const char *guest;
    Kind kinds[MAX_KINDS];
    unsigned nr_kinds;
    GArray *wall[NR_VMMS];              /* double: seconds per run */
    char *expected;                     /* QEMU's deterministic lines */
} b = { .n = 10000, .batches = 50, .reps = 7, .timeout_s = 300 };

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- environment ---------------------------------------------------------- */

static QOMU_NORETURN void skip(const char *why)
{
    printf("bench/exit: skipped: %s\n", why);
    exit(77);
}

/* The vCPU's TSC rate in kHz from a throwaway VM; skips without KVM. */
static unsigned kvm_tsc_khz(void)
{
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, vcpu, khz;

    if (kvm < 0) {
        g_autofree char *why = g_strdup_printf("/dev/kvm: %s",
                                               g_strerror(errno));
        skip(why);
    }
    vm = ioctl(kvm, KVM_CREATE_VM, 0);
    vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
    khz = vcpu < 0 ? -1 : ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0) {
        fprintf(stderr, "bench/exit: KVM_GET_TSC_KHZ: %s\n",
                g_strerror(errno));
        exit(1);
    }
    close(vcpu);
    close(vm);
    close(kvm);
    return khz;
}

/* The first line of "@vmm --version", "?" if none. */
static char *vmm_version(const char *vmm)
{
    const char *argv[] = { vmm, "--version", NULL };
    g_autofree char *text = NULL, *err = NULL;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                      NULL, &text, &err, NULL, NULL) || !*text) {
        return g_strdup("?");
    }
    return g_strndup(text, strcspn(text, "\n"));
}

/* "kvm_pvm kvm" etc: the kvm modules loaded (from /sys/module). */
static char *kvm_modules(void)
{
    GDir *d = g_dir_open("/sys/module", 0, NULL);
    GString *s = g_string_new(NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        if (g_str_has_prefix(name, "kvm")) {
            g_string_append_printf(s, "%s%s", s->len ? " " : "", name);
        }
    }
    if (d) {
        g_dir_close(d);
    }
    return g_string_free(s, false);
}

static char *cpu_model(void)
{
    g_autofree char *text = NULL;
    char *p, *nl;

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL) ||
        !(p = strstr(text, "model name")) || !(p = strchr(p, ':'))) {
        return g_strdup("?");
    }
    p = g_strchug(p + 1);
    nl = strchr(p, '\n');
    return g_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
}

static void print_environment(unsigned tsc_khz)
{
    struct utsname u;
    g_autofree char *mods = kvm_modules(), *cpu = cpu_model();
    g_autofree char *qemu = vmm_version(b.vmm_path[VMM_QEMU]);

    uname(&u);
    printf("env: Linux %s, modules: %s, %s, %ld CPUs, TSC %u kHz\n",
           u.release, *mods ? mods : "?", cpu, sysconf(_SC_NPROCESSORS_ONLN),
           tsc_khz);
    printf("env: %s%s%s\n", qemu, b.bios ? ", firmware " : "",
           b.bios ? b.bios : "");
}

/* --- running one VMM ------------------------------------------------------ */

/* Runs @argv with stdin /dev/null; returns its stdout (NULL on a failure,
 * reported with its stderr).  A run must exit with status 1. */
static char *run_capture(char **argv, double *wall)
{
    int out[2], err = memfd_create("stderr", MFD_CLOEXEC), status;
    GString *buf = g_string_new(NULL);
    double start = now_s(), deadline = start + b.timeout_s;
    bool timed_out = false;
    pid_t pid;

    if (err < 0 || pipe2(out, O_CLOEXEC) < 0) {
        perror("bench/exit: pipe");
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        perror("bench/exit: fork");
        exit(1);
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);

        dup2(null, 0);
        dup2(out[1], 1);
        dup2(err, 2);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    for (;;) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        char chunk[4096];
        int left_ms = (deadline - now_s()) * 1000, ready;
        ssize_t n;

        ready = left_ms > 0 ? poll(&p, 1, left_ms) : 0;
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready == 0) {
            kill(pid, SIGKILL);
            timed_out = true;
            break;
        }
        n = read(out[0], chunk, sizeof(chunk));
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            break;
        }
        g_string_append_len(buf, chunk, n);
    }
    close(out[0]);
    waitpid(pid, &status, 0);
    *wall = now_s() - start;
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 1) {
        char chunk[4096];
        ssize_t n;

        fprintf(stderr, "bench/exit: %s: %s\n", argv[0],
                timed_out ? "timed out" : "did not exit with status 1 "
                "(the guest's success)");
        if (WIFEXITED(status)) {
            fprintf(stderr, "  exit status %d\n", WEXITSTATUS(status));
        }
        fprintf(stderr, "  stdout:\n%s  stderr:\n", buf->str);
        lseek(err, 0, SEEK_SET);
        while ((n = read(err, chunk, sizeof(chunk))) > 0) {
            fwrite(chunk, 1, n, stderr);
        }
        close(err);
        g_string_free(buf, true);
        return NULL;
    }
    close(err);
    return g_string_free(buf, false);
}

static Kind *kind_get(const char *label)
{
    for (unsigned i = 0; i < b.nr_kinds; i++) {
        if (!strcmp(b.kinds[i].label, label)) {
            return &b.kinds[i];
        }
    }
    if (b.nr_kinds == MAX_KINDS) {
        return NULL;
    }
    b.kinds[b.nr_kinds].label = g_strdup(label);
    for (int v = 0; v < NR_VMMS; v++) {
        b.kinds[b.nr_kinds].mean[v] = g_array_new(false, false,
                                                  sizeof(double));
        b.kinds[b.nr_kinds].best[v] = g_array_new(false, false,
                                                  sizeof(double));
    }
    return &b.kinds[b.nr_kinds++];
}

/*
 * Records the "bench: LABEL  mean C cycles[ T us], best C cycles..."
 * lines of @out for @vmm; returns the other lines but the "info:" ones
 * (what must match QEMU's).
 */
static char *parse_output(const char *out, int vmm)
{
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    GString *rest = g_string_new(NULL);

    for (char **l = lines; *l; l++) {
        char *mean, *best;
        double cycles, best_cycles;

        if (g_str_has_prefix(*l, "info: ")) {
            continue;
        }
        if (!g_str_has_prefix(*l, "bench: ")) {
            g_string_append_printf(rest, "%s\n", *l);
            continue;
        }
        mean = strstr(*l, " mean ");
        best = strstr(*l, ", best ");
        if (mean && best && sscanf(mean, " mean %lf cycles", &cycles) == 1 &&
            sscanf(best, ", best %lf cycles", &best_cycles) == 1) {
            g_autofree char *label = g_strndup(*l + 7, mean - (*l + 7));
            Kind *k = kind_get(g_strstrip(label));

            if (k) {
                g_array_append_val(k->mean[vmm], cycles);
                g_array_append_val(k->best[vmm], best_cycles);
            }
        }
    }
    return g_string_free(rest, false);
}

static bool run_one(int vmm)
{
    g_autofree char *append = g_strdup_printf("n=%u batches=%u", b.n,
                                              b.batches);
    g_autofree char *out = NULL, *rest = NULL;
    GPtrArray *argv = g_ptr_array_new();
    double wall;

    g_ptr_array_add(argv, (char *)b.vmm_path[vmm]);
    if (vmm != VMM_FLOOR) {
        const char *common[] = {
            "-machine", "pc", "-accel", "kvm", "-m", "64", "-nodefaults",
            "-display", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-debugcon", "stdio",
        };

        for (size_t i = 0; i < ARRAY_SIZE(common); i++) {
            g_ptr_array_add(argv, (char *)common[i]);
        }
    }
    g_ptr_array_add(argv, "-kernel");
    g_ptr_array_add(argv, (char *)b.guest);
    g_ptr_array_add(argv, "-append");
    g_ptr_array_add(argv, append);
    if (vmm == VMM_QEMU && b.bios) {
        g_ptr_array_add(argv, "-bios");
        g_ptr_array_add(argv, (char *)b.bios);
    }
    g_ptr_array_add(argv, NULL);
    out = run_capture((char **)argv->pdata, &wall);
    g_ptr_array_free(argv, true);
    if (!out) {
        return false;
    }
    g_array_append_val(b.wall[vmm], wall);
    rest = parse_output(out, vmm);
    if (vmm == VMM_QEMU && !b.expected) {
        b.expected = g_strdup(rest);
    }
    if (b.expected && strcmp(rest, b.expected)) {
        fprintf(stderr, "bench/exit: %s's guest output differs from QEMU's:\n"
                "%s---- QEMU:\n%s", vmm_names[vmm], rest, b.expected);
        return false;
    }
    return true;
}

/* --- the table ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Median of @a (sorted in place); NAN if empty.  *spread, if given, gets
 * (max - min) / median. */
static double median(GArray *a, double *spread)
{
    double *v = (double *)a->data, m;

    if (!a->len) {
        return NAN;
    }
    qsort(v, a->len, sizeof(double), cmp_double);
    m = a->len % 2 ? v[a->len / 2] : (v[a->len / 2 - 1] + v[a->len / 2]) / 2;
    if (spread) {
        *spread = (v[a->len - 1] - v[0]) / m;
    }
    return m;
}

static double min_of(GArray *a)
{
    double m = NAN;

    for (unsigned i = 0; i < a->len; i++) {
        double v = g_array_index(a, double, i);

        m = i == 0 || v < m ? v : m;
    }
    return m;
}

/* A kind's figure for @v in us: the median of the runs' means, or the
 * fastest batch of all the runs; *spread as median() gives it, or 0. */
static double figure(Kind *k, int v, bool fastest, unsigned tsc_khz,
                     double *spread)
{
    *spread = 0;
    return (fastest ? min_of(k->best[v]) : median(k->mean[v], spread)) *
           1000.0 / tsc_khz;
}

/* Exits that KVM handles itself: no VMM code runs for them, so any
 * difference between the VMMs on such a line is noise. */
static bool is_control(const Kind *k)
{
    return strstr(k->label, "in KVM") != NULL;
}

/*
 * One table, in us per exit: for each kind, the median over the runs of
 * their means (@fastest false), or the fastest batch of all the runs.
 * "goal": "ok" if qomu is within 10% of the floor and not behind QEMU;
 * "~ok" if it misses by less than the noise: the control line's
 * disagreement between the VMMs, or in the median table the runs'
 * spread, whichever is larger; else "MISSED".  "-" on the control line.
 */
static void print_table(const char *title, bool fastest, unsigned tsc_khz)
{
    double worst_spread[NR_VMMS] = { 0 }, control = 0, spread[NR_VMMS];

    for (unsigned i = 0; i < b.nr_kinds; i++) {
        Kind *k = &b.kinds[i];
        double q, us[NR_VMMS];

        if (!is_control(k)) {
            continue;
        }
        for (int v = 0; v < NR_VMMS; v++) {
            us[v] = figure(k, v, fastest, tsc_khz, &spread[v]);
        }
        q = us[VMM_QOMU];
        control = MAX(control, MAX(fabs(q / us[VMM_FLOOR] - 1),
                                   fabs(q / us[VMM_QEMU] - 1)));
    }

    printf("\n%s\n", title);
    printf("  %-26s %8s %8s %8s %11s %10s  %s\n", "exit", "qomu", "QEMU",
           "floor", "qomu/floor", "qomu/QEMU", "goal");
    for (unsigned i = 0; i < b.nr_kinds; i++) {
        Kind *k = &b.kinds[i];
        double us[NR_VMMS], noise = control, over_floor, over_qemu;
        const char *goal;

        for (int v = 0; v < NR_VMMS; v++) {
            us[v] = figure(k, v, fastest, tsc_khz, &spread[v]);
            worst_spread[v] = MAX(worst_spread[v], spread[v]);
            noise = MAX(noise, spread[v]);
        }
        /* How far past each goal qomu is (<= 0: met), against the noise. */
        over_floor = us[VMM_QOMU] / us[VMM_FLOOR] - 1.10;
        over_qemu = us[VMM_QOMU] / us[VMM_QEMU] - 1.0;
        goal = is_control(k) ? "-" :
               over_floor <= 0 && over_qemu <= 0 ? "ok" :
               over_floor < noise && over_qemu < noise ? "~ok" : "MISSED";
        printf("  %-26s %8.2f %8.2f %8.2f %11.3f %10.3f  %s\n", k->label,
               us[VMM_QOMU], us[VMM_QEMU], us[VMM_FLOOR],
               us[VMM_QOMU] / us[VMM_FLOOR], us[VMM_QOMU] / us[VMM_QEMU],
               goal);
    }
    printf("  noise: control line off by %.0f%%", control * 100);
    if (!fastest) {
        printf("; spread of the runs, (max - min) / median, worst line: "
               "qomu %.0f%%, QEMU %.0f%%, floor %.0f%%",
               worst_spread[VMM_QOMU] * 100, worst_spread[VMM_QEMU] * 100,
               worst_spread[VMM_FLOOR] * 100);
    }
    printf("\n");
}

static void print_results(unsigned tsc_khz)
{
    g_autofree char *head = g_strdup_printf(
        "us per exit: median of %u runs of the run's mean over %u exits",
        b.reps, b.n / b.batches * b.batches);
    g_autofree char *head_fastest = g_strdup_printf(
        "us per exit: fastest batch of %u exits in all %u runs (%u batches "
        "per VMM; the cost undisturbed)", b.n / b.batches, b.reps,
        b.reps * b.batches);

    print_table(head, false, tsc_khz);
    print_table(head_fastest, true, tsc_khz);
    printf("\nwall clock per run (boot included), median: qomu %.2f s, "
           "QEMU %.2f s, floor %.2f s\n", median(b.wall[VMM_QOMU], NULL),
           median(b.wall[VMM_QEMU], NULL), median(b.wall[VMM_FLOOR], NULL));
}

/* --- main ----------------------------------------------------------------- */

static QOMU_NORETURN void usage(void)
{
    fprintf(stderr, "usage: bench/exit [-n EXITS] [-B BATCHES] [-r REPS] "
            "[-q QOMU] [-Q QEMU] [-b BIOS]\n"
            "                  [-t SECS] [-f FLOOR] [-g GUEST.elf]\n");
    exit(2);
}

/* Defaults next to this program: build/bench/exit -> build/... */
static char *build_path(const char *rel)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *bench_dir = g_path_get_dirname(self ? self : ".");

    return g_build_filename(bench_dir, "..", rel, NULL);
}

int main(int argc, char **argv)
{
    g_autofree char *qomu = build_path("qomu");
    g_autofree char *floor_path = build_path("bench/exit-floor");
    g_autofree char *guest = build_path("tests/guest/exit-bench.elf");
    g_autofree char *qemu_found = NULL;
    unsigned tsc_khz;
    int opt;

    b.vmm_path[VMM_QOMU] = qomu;
    b.vmm_path[VMM_QEMU] = getenv("QEMU") ? getenv("QEMU")
                                          : "qemu-system-x86_64";
    b.vmm_path[VMM_FLOOR] = floor_path;
    b.guest = guest;
    while ((opt = getopt(argc, argv, "n:B:r:q:Q:b:t:f:g:h")) != -1) {
        switch (opt) {
        case 'n': b.n = strtoul(optarg, NULL, 0); break;
        case 'B': b.batches = strtoul(optarg, NULL, 0); break;
        case 'r': b.reps = strtoul(optarg, NULL, 0); break;
        case 'q': b.vmm_path[VMM_QOMU] = optarg; break;
        case 'Q': b.vmm_path[VMM_QEMU] = optarg; break;
        case 'b': b.bios = optarg; break;
        case 't': b.timeout_s = strtoul(optarg, NULL, 0); break;
        case 'f': b.vmm_path[VMM_FLOOR] = optarg; break;
        case 'g': b.guest = optarg; break;
        default: usage();
        }
    }
    if (optind != argc || b.batches < 1 || b.n < b.batches || b.reps < 1) {
        usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    qemu_found = g_find_program_in_path(b.vmm_path[VMM_QEMU]);
    if (!qemu_found) {
        g_autofree char *why = g_strdup_printf(
            "%s not found (apt-get install qemu-system-x86)",
            b.vmm_path[VMM_QEMU]);
        skip(why);
    }
    tsc_khz = kvm_tsc_khz();
    for (int v = 0; v < NR_VMMS; v++) {
        if (v != VMM_QEMU && access(b.vmm_path[v], X_OK)) {
            fprintf(stderr, "bench/exit: %s: not built (make)\n",
                    b.vmm_path[v]);
            return 1;
        }
        b.wall[v] = g_array_new(false, false, sizeof(double));
    }
    if (access(b.guest, R_OK)) {
        fprintf(stderr, "bench/exit: %s: not built (make guests)\n", b.guest);
        return 1;
    }
    print_environment(tsc_khz);

    /* QEMU first in the first repetition: its output is the reference. */
    for (unsigned r = 0; r < b.reps; r++) {
        fprintf(stderr, "bench/exit: run %u/%u:", r + 1, b.reps);
        for (int i = 0; i < NR_VMMS; i++) {
            int v = (VMM_QEMU + r + i) % NR_VMMS;

            if (!run_one(v)) {
                return 1;
            }
            fprintf(stderr, " %s %.1f s", vmm_names[v],
                    g_array_index(b.wall[v], double, b.wall[v]->len - 1));
        }
        fprintf(stderr, "\n");
    }
    print_results(tsc_khz);
    return 0;
}
