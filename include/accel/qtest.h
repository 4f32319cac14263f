/*
 * qtest.h - the "qtest" accelerator (type "qtest-accel",
 * accel/qtest/qtest-accel.c; QEMU 7.2's accel/qtest/qtest.c and the
 * clock half of softmmu/qtest.c).
 *
 * `-accel qtest` / `-machine accel=qtest` (the default when -qtest is
 * given without an accelerator): the machine is built as usual and its
 * RAM exists, but no vCPU runs guest code (the vCPU threads are the
 * dummy accelerator's, "CPU n/DUMMY", as in QEMU).  QEMU_CLOCK_VIRTUAL
 * becomes a clock that starts at 0 and moves only when the qtest client
 * says so (clock_step, clock_set: qtest_clock_warp()); the main loop
 * never waits for a virtual deadline.  The realtime clock, and with it
 * chardev and block I/O completions, runs as usual.
 *
 * Threads: main thread (big lock), except qtest_get_virtual_clock() and
 * qtest_enabled(), which any thread may call.
 */
#ifndef ACCEL_QTEST_H
#define ACCEL_QTEST_H

#include "util/osdep.h"

#define TYPE_QTEST_ACCEL "qtest-accel"

/* Whether the accelerator in use is qtest (QEMU's qtest_enabled()). */
bool qtest_enabled(void);

/* The qtest virtual clock, in ns (what QEMU_CLOCK_VIRTUAL reads while the
 * qtest accelerator is in use). */
int64_t qtest_get_virtual_clock(void);

/**
 * qtest_clock_warp: QEMU's: advance the virtual clock to @dest (nothing
 * if it is already there or past), deadline by deadline: at each virtual
 * timer's deadline on the way the clock stops and the timers due run,
 * so that a callback sees the time it asked for.  When this returns, every
 * timer due at or before @dest has run.  Main thread, big lock held, the
 * qtest accelerator in use.
 */
void qtest_clock_warp(int64_t dest);

#endif /* ACCEL_QTEST_H */
