/*
 * qtest-accel.c - the "qtest" accelerator (QEMU 7.2's accel/qtest/qtest.c
 * and qtest_clock_warp() from softmmu/qtest.c).  See include/accel/qtest.h.
 *
 * A subclass of "dummy-accel": its vCPU threads ("CPU n/DUMMY", QEMU's
 * name for qtest's threads too) exist, pause and resume, and never run
 * guest code.  What it adds is the clock: while it is the accelerator,
 * QEMU_CLOCK_VIRTUAL reads a counter that starts at 0 and that only
 * qtest_clock_warp() moves (the protocol's clock_step and clock_set).
 *
 * The loop of qtest_clock_warp() is QEMU's: step to the earlier of the
 * destination and the next virtual deadline, run the timers due, repeat.
 * QEMU loops for ever if a timer keeps re-arming itself for the current
 * time; here, after QTEST_WARP_MAX_STALLS such rounds in a row the clock
 * jumps to the destination (the remaining timers run when they are due,
 * i.e. at once, one round per call).
 */
#include "util/osdep.h"
#include "util/main-loop.h"
#include "accel/accel.h"
#include "accel/qtest.h"

#define TYPE_DUMMY_ACCEL ACCEL_CLASS_NAME("dummy")

/* Rounds without progress of the clock before qtest_clock_warp gives up
 * stopping at deadlines (see the header comment). */
#define QTEST_WARP_MAX_STALLS 100000

typedef struct QtestAccelState {
    AccelState parent_obj;
    bool owns_clock;            /* we took over QEMU_CLOCK_VIRTUAL */
} QtestAccelState;

#define QTEST_ACCEL(obj) OBJECT_CHECK(QtestAccelState, (obj), TYPE_QTEST_ACCEL)

/* The virtual clock (QEMU's qtest_clock_counter); atomic. */
static int64_t qtest_clock_counter;

int64_t qtest_get_virtual_clock(void)
{
    return __atomic_load_n(&qtest_clock_counter, __ATOMIC_SEQ_CST);
}

static void qtest_set_virtual_clock(int64_t count)
{
    __atomic_store_n(&qtest_clock_counter, count, __ATOMIC_SEQ_CST);
}

static int64_t qtest_clock_source(void *opaque)
{
    return qtest_get_virtual_clock();
}

bool qtest_enabled(void)
{
    AccelState *accel = current_accel();

    return accel && object_dynamic_cast(OBJECT(accel), TYPE_QTEST_ACCEL);
}

void qtest_clock_warp(int64_t dest)
{
    int64_t clock = qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int stalls = 0;

    assert(qtest_enabled());
    while (clock < dest) {
        int64_t deadline = qomu_clock_next_deadline_ns(QEMU_CLOCK_VIRTUAL);
        int64_t warp = dest - clock;

        if (deadline >= 0) {
            warp = MIN(warp, MAX(deadline - clock, 0));
        }
        if (warp == 0 && ++stalls > QTEST_WARP_MAX_STALLS) {
            warp = dest - clock;
        } else if (warp > 0) {
            stalls = 0;
        }
        qtest_set_virtual_clock(qtest_get_virtual_clock() + warp);
        qomu_clock_run_timers(QEMU_CLOCK_VIRTUAL);
        clock = qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    }
    qomu_clock_notify(QEMU_CLOCK_VIRTUAL);
}

static bool qtest_accel_init_machine(AccelState *accel, MachineState *ms,
                                     Error **errp)
{
    /* QEMU's clock starts at 0 for each run; so does ours, per machine. */
    qtest_set_virtual_clock(0);
    qomu_clock_set_virtual_source(qtest_clock_source, NULL, true);
    QTEST_ACCEL(accel)->owns_clock = true;
    return true;
}

static void qtest_accel_finalize(Object *obj)
{
    if (QTEST_ACCEL(obj)->owns_clock) {
        /* Back to host time for whatever runs next (unit tests build
         * several machines in one process). */
        qomu_clock_set_virtual_source(NULL, NULL, false);
    }
}

static void qtest_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);

    /* start/kick/stop_vcpu are the dummy accelerator's (inherited). */
    ac->name = "qtest";
    ac->init_machine = qtest_accel_init_machine;
}

static const TypeInfo qtest_accel_type = {
    .name = TYPE_QTEST_ACCEL,
    .parent = TYPE_DUMMY_ACCEL,
    .instance_size = sizeof(QtestAccelState),
    .instance_finalize = qtest_accel_finalize,
    .class_init = qtest_accel_class_init,
};

static void qtest_accel_register_types(void)
{
    type_register_static(&qtest_accel_type);
}

type_init(qtest_accel_register_types)
