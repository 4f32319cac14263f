/*
 * main-loop.h - the main thread's event loop: bottom halves, fd handlers,
 * timers on QEMU's clocks, and the host signals that end it.
 *
 * The loop is GLib's default GMainContext (g_main_context_default()), so
 * any GSource attached there (json-glib streams, g_timeout_add...) runs
 * in it too.  Callbacks registered here always run in the main thread
 * (the thread that called main_loop_init()), one at a time.
 */
#ifndef UTIL_MAIN_LOOP_H
#define UTIL_MAIN_LOOP_H

#include "util/osdep.h"

/*
 * Which thread may call what:
 *  - main thread only: main_loop_init(), main_loop_run(), qomu_bh_delete(),
 *    timer_free(), qomu_clock_run_timers(),
 *    qomu_clock_set_virtual_source(), qomu_set_fd_handler();
 *  - any thread: main_loop_quit(), qomu_bh_new(), qomu_bh_schedule(),
 *    timer_new_ns(), timer_mod(), timer_del(), timer_pending(),
 *    qomu_clock_get_ns(), qomu_clock_next_deadline_ns(),
 *    qomu_clock_notify(), qomu_in_main_thread();
 *  - the thread that runs @ctx: qomu_set_fd_handler_ctx().
 */

/* --- the loop --- */

/**
 * main_loop_init: set up the main loop on GLib's default context, and make
 * SIGTERM, SIGINT and SIGHUP end main_loop_run() (as QEMU's termsig
 * handler does).  Call in the main thread before anything else here.
 * Calling it again does nothing.
 */
void main_loop_init(void);

/**
 * main_loop_run: dispatch events until main_loop_quit() is called or a
 * termination signal arrives.
 *
 * A quit requested before the call (even from another thread) is not lost:
 * the loop then returns after at most one non-blocking pass.  The return
 * consumes every quit requested so far, so the loop may be run again.
 *
 * Returns: the signal number (SIGTERM, SIGINT, SIGHUP) that ended the loop,
 * or 0 if main_loop_quit() did.  The caller reports it (QEMU: "terminating
 * on signal 15").  Main thread only.
 */
int main_loop_run(void);

/**
 * main_loop_quit: make main_loop_run() return (0) once the loop iteration
 * under way, if any, has dispatched its callbacks.  Any thread; e.g. a
 * vCPU thread whose guest asked for shutdown.
 */
void main_loop_quit(void);

/** qomu_in_main_thread: whether the caller is the main thread. */
bool qomu_in_main_thread(void);

/* --- bottom halves: "run this soon, on the main loop" --- */

typedef struct QomuBH QomuBH;
typedef void QomuBHFunc(void *opaque);

/**
 * qomu_bh_new: create a bottom half that calls @cb(@opaque) on the main
 * loop each time it is scheduled.  Not scheduled initially.
 * Returns: the BH, owned by the caller until qomu_bh_delete().  Any thread.
 */
QomuBH *qomu_bh_new(QomuBHFunc *cb, void *opaque);

/**
 * qomu_bh_schedule: make @bh's callback run once on the main loop, soon.
 * Scheduling a BH that is already scheduled and has not run yet does
 * nothing (QEMU semantics): N schedules before it runs give one call.  A
 * callback may reschedule its own BH; it then runs in a later pass, so a
 * self-rescheduling BH does not starve the loop.  BHs run in the order
 * they were scheduled.  Any thread; wakes the main loop.
 */
void qomu_bh_schedule(QomuBH *bh);

/**
 * qomu_bh_delete: cancel @bh if scheduled and free it.  Main thread
 * (including from @bh's own callback).  No other thread may schedule @bh
 * concurrently or afterwards.
 */
void qomu_bh_delete(QomuBH *bh);

/* --- file descriptors --- */

typedef void IOHandler(void *opaque);

/**
 * qomu_set_fd_handler: watch @fd on the main loop (QEMU's
 * qemu_set_fd_handler()).
 * @fd: a file descriptor, not owned (the caller closes it, after removing
 *   the handler).
 * @fd_read: called while @fd is readable (or hung up / in error); NULL to
 *   not watch for input.
 * @fd_write: called while @fd is writable (or in error); NULL to not
 *   watch for output.
 * @opaque: passed to both.
 *
 * Replaces any handlers @fd had; both NULL removes the watch.  Level
 * triggered: a handler that leaves data unread is called again.  A
 * handler may change or remove its own fd's handlers.  Main thread.
 */
void qomu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque);

/**
 * qomu_set_fd_handler_ctx: as qomu_set_fd_handler(), on @ctx instead of
 * the main loop (e.g. a block-layer event loop thread's context); NULL
 * means the main loop.  An fd is watched on at most one context at a
 * time.  Call from the thread that runs @ctx, or before it runs.
 */
void qomu_set_fd_handler_ctx(GMainContext *ctx, int fd, IOHandler *fd_read,
                             IOHandler *fd_write, void *opaque);

/* --- clocks --- */

typedef enum QomuClockType {
    /* Host monotonic time: runs whatever the VM does (monitor, UI) */
    QEMU_CLOCK_REALTIME,
    /* Guest time: devices' timers.  Host monotonic time by default; an
     * accelerator may take it over (qtest advances it by command). */
    QEMU_CLOCK_VIRTUAL,
    QEMU_CLOCK_MAX
} QomuClockType;

/** qomu_clock_get_ns: the current time of clock @type, in ns.  Any thread. */
int64_t qomu_clock_get_ns(QomuClockType type);

typedef int64_t QomuClockSource(void *opaque);

/**
 * qomu_clock_set_virtual_source: take over QEMU_CLOCK_VIRTUAL.
 * @get_ns: returns the virtual time in ns, never going backwards; NULL
 *   restores the default (host monotonic time).
 * @opaque: passed to @get_ns.
 * @manual: true if the clock does not advance by itself (qtest): the loop
 *   then never sleeps waiting for a virtual deadline; whoever advances the
 *   clock calls qomu_clock_notify() (the loop runs the due timers) or
 *   qomu_clock_run_timers() (run them now).
 *
 * Main thread, before other threads start and before any virtual timer is
 * armed (armed deadlines are in the old clock's time).
 */
void qomu_clock_set_virtual_source(QomuClockSource *get_ns, void *opaque,
                                   bool manual);

/**
 * qomu_clock_next_deadline_ns: the expiry time (absolute, in @type's ns)
 * of the earliest pending timer on @type, or -1 if none.  For an
 * accelerator that warps a manual clock from deadline to deadline.  Any
 * thread.
 */
int64_t qomu_clock_next_deadline_ns(QomuClockType type);

/**
 * qomu_clock_run_timers: run, in deadline order, @type's timers that have
 * expired at the clock's current time (read once, on entry).  A timer
 * re-armed by its callback for that time or earlier runs in the next call.
 * Returns: true if any timer ran.  Main thread.
 */
bool qomu_clock_run_timers(QomuClockType type);

/**
 * qomu_clock_notify: wake the main loop to re-check @type's timers, e.g.
 * after a manual clock was advanced.  Any thread.
 */
void qomu_clock_notify(QomuClockType type);

/* --- timers (QEMU's names) --- */

typedef struct QomuTimer QomuTimer;
typedef void QomuTimerCB(void *opaque);

/**
 * timer_new_ns: create a timer on clock @type calling @cb(@opaque) on the
 * main loop when it expires.  Not armed initially.
 * Returns: the timer, owned by the caller until timer_free().  Any thread.
 */
QomuTimer *timer_new_ns(QomuClockType type, QomuTimerCB *cb, void *opaque);

/**
 * timer_mod: (re)arm @ts to fire once the clock reaches @expire_time
 * (absolute ns on the timer's clock; negative is taken as 0).  An armed
 * timer is moved.  Timers with equal deadlines fire in arming order.
 * Any thread; wakes the main loop if this is now the earliest deadline.
 */
void timer_mod(QomuTimer *ts, int64_t expire_time);

/**
 * timer_del: disarm @ts (no-op if not armed).  Any thread; if the
 * callback is running in the main thread at that moment it completes.
 */
void timer_del(QomuTimer *ts);

/** timer_pending: whether @ts is armed and has not fired yet.  Any thread. */
bool timer_pending(QomuTimer *ts);

/**
 * timer_free: disarm and free @ts (NULL is ignored).  Main thread (also
 * from @ts's own callback); no other thread may use @ts concurrently.
 */
void timer_free(QomuTimer *ts);

#endif /* UTIL_MAIN_LOOP_H */
