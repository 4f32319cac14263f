/*
 * exit-bench.c - what one guest exit costs, measured with the TSC.
 *
 * Three loops of n iterations (n=N on the command line, default 10000),
 * each one instruction that leaves the guest:
 *   cpuid            handled inside KVM; never reaches the VMM
 *   out 0x1000       a port nothing in the pc machine decodes (QEMU's
 *                    "info mtree": the ISA devices sit below 0x600 and
 *                    firmware puts PCI I/O BARs at 0xc000 and up), so
 *                    this is the VMM's bare exit + dispatch-miss path
 *   in 0xe9          isa-debugcon's readback register (returns 0xe9):
 *                    exit + dispatch to a real device handler
 * Writes to 0xe9 or 0xf4 would print or end the run, hence the read.
 *
 * Lines starting with "bench:" carry the numbers (they vary from run to
 * run, and run-diff.sh ignores them); the rest is deterministic. With
 * tsc_khz=K on the command line (run scripts pass the host's TSC rate,
 * which KVM gives the guest unscaled) each line also shows microseconds.
 */
#include "guest.h"

#define UNASSIGNED_PORT 0x1000

static uint64_t n, tsc_khz;

static void report(const char *what, uint64_t cycles)
{
    uint64_t per = cycles / n;

    if (tsc_khz) {
        uint64_t ns = cycles * 1000000 / tsc_khz / n;

        printf("bench: %-28s %8lu cycles %5lu.%02lu us per exit\n", what,
               per, ns / 1000, ns % 1000 / 10);
    } else {
        printf("bench: %-28s %8lu cycles per exit\n", what, per);
    }
}

static void bench_cpuid(void)
{
    uint64_t t0 = rdtsc();

    for (uint64_t i = 0; i < n; i++) {
        uint32_t a = 0, b, c = 0, d;

        __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    }
    report("cpuid (in KVM)", rdtsc() - t0);
}

static void bench_out_unassigned(void)
{
    uint64_t t0 = rdtsc();

    for (uint64_t i = 0; i < n; i++) {
        outb(UNASSIGNED_PORT, 0);
    }
    report("out 0x1000 (unassigned)", rdtsc() - t0);
}

static void bench_in_debugcon(void)
{
    unsigned bad = 0;
    uint8_t v = 0;
    uint64_t t0 = rdtsc();

    for (uint64_t i = 0; i < n; i++) {
        v = inb(DEBUGCON_PORT);
        bad += v != 0xe9;
    }
    report("in 0xe9 (isa-debugcon)", rdtsc() - t0);
    printf("debugcon readback: %#x, %u mismatches\n", v, bad);
}

int main(void)
{
    n = cmdline_uint("n", 10000);
    tsc_khz = cmdline_uint("tsc_khz", 0);
    if (!n) {
        n = 1;
    }
    printf("exit-bench: %lu exits per loop\n", n);
    bench_cpuid();
    bench_out_unassigned();
    bench_in_debugcon();
    return 0;
}
