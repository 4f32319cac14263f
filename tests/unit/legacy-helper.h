/*
 * legacy-helper.h - what the PC legacy device tests share (test-serial,
 * test-i8042, test-mc146818rtc, test-port92): the ISA fixture of
 * isa-helper.h with 16 ISA interrupt lines whose levels and rising
 * edges are recorded, a virtual clock the test moves by hand, and a
 * hook that counts system reset requests.
 *
 * main() calls legacy_helper_main_init() before harness_run(): the
 * virtual clock must be taken over before any timer is armed.
 */
#ifndef TESTS_UNIT_LEGACY_HELPER_H
#define TESTS_UNIT_LEGACY_HELPER_H

#include "util/osdep.h"
#include "util/main-loop.h"
#include "util/bql.h"
#include "hw/core/irq.h"
#include "chardev/char.h"
#include "system/runstate.h"
#include "isa-helper.h"

typedef struct LegacyFixture {
    qemu_irq *irqs;             /* ISA IRQ 0..15 */
    int level[ISA_NUM_IRQS];    /* last level set */
    int raises[ISA_NUM_IRQS];   /* 0 -> 1 transitions */
    int64_t clock_ns;           /* QEMU_CLOCK_VIRTUAL */
} LegacyFixture;

static LegacyFixture legacy_fx;

static int64_t legacy_clock(void *opaque)
{
    return legacy_fx.clock_ns;
}

static void legacy_irq_handler(void *opaque, int n, int level)
{
    if (level && !legacy_fx.level[n]) {
        legacy_fx.raises[n]++;
    }
    legacy_fx.level[n] = level;
}

/* Where the fixture's lines live: a process-lifetime container. */
static inline Object *legacy_irq_container(void)
{
    return container_get(object_get_root(), "/legacy-test-irqs");
}

static inline void legacy_helper_main_init(void)
{
    legacy_irq_container();
    main_loop_init();
    get_chardevs_root();
    isa_helper_main_init();
    qomu_clock_set_virtual_source(legacy_clock, NULL, true);
}

/* An ISA bus with recorded interrupt lines; the clock at 1 s. */
static inline void legacy_fixture_begin(void)
{
    runstate_reset_for_test();
    isa_fixture_begin(true);
    memset(legacy_fx.level, 0, sizeof(legacy_fx.level));
    memset(legacy_fx.raises, 0, sizeof(legacy_fx.raises));
    legacy_fx.clock_ns = 1000000000;
    legacy_fx.irqs = qemu_allocate_irqs(legacy_irq_handler, NULL,
                                        ISA_NUM_IRQS);
    /* In the tree (as a board's interrupt controller inputs are), so
     * that a device connecting a GPIO output to one does not adopt it. */
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        object_property_add_child(legacy_irq_container(), "isa-irq[*]",
                                  OBJECT(legacy_fx.irqs[i]));
    }
    isa_bus_irqs(isa_fx.bus, legacy_fx.irqs);
}

static inline void legacy_fixture_end(void)
{
    isa_fixture_end();
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        object_unparent(OBJECT(legacy_fx.irqs[i]));
    }
    qemu_free_irqs(legacy_fx.irqs, ISA_NUM_IRQS);
    legacy_fx.irqs = NULL;
    qemu_chr_cleanup();
    runstate_reset_for_test();
}

/* Move the virtual clock to @ns and run the timers that are due. */
static inline void legacy_clock_set(int64_t ns)
{
    legacy_fx.clock_ns = ns;
    qomu_clock_run_timers(QEMU_CLOCK_VIRTUAL);
}

static inline void legacy_clock_step(int64_t ns)
{
    legacy_clock_set(legacy_fx.clock_ns + ns);
}

/*
 * Act on what the devices asked of the run state, as the main loop
 * would: true if a shutdown is pending (with -no-reboot, a guest reset
 * is one); a reset request runs the reset hooks (there is no machine).
 */
static inline bool legacy_take_requests(void)
{
    bool shutdown;

    bql_lock();
    shutdown = main_loop_should_exit();
    bql_unlock();
    return shutdown;
}

#endif /* TESTS_UNIT_LEGACY_HELPER_H */
