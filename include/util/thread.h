/*
 * thread.h - named, joinable threads and a one-shot event, over GThread.
 *
 * What QEMU's qemu-thread-posix.c gives a vCPU and what GLib does not:
 *  - the thread's name reaches the kernel (/proc/self/task/<tid>/comm, top,
 *    gdb) even past 15 characters, where GLib silently gives up;
 *  - the OS thread id (gettid()), which query-cpus-fast reports as
 *    "thread-id";
 *  - the new thread starts with asynchronous signals blocked, so that
 *    SIGTERM/SIGINT/SIGHUP land on the main thread (see main-loop.h);
 *  - QomuEvent, QEMU's QemuEvent: "start the vCPU thread and wait until it
 *    has created its vCPU".
 * Locks are plain GMutex/GCond/GRecMutex: no wrapper here.
 */
#ifndef UTIL_THREAD_H
#define UTIL_THREAD_H

#include "util/osdep.h"
#include "util/error.h"

#include <sys/types.h>

typedef struct QomuThread QomuThread;

/**
 * qomu_thread_create: start a joinable thread running @fn(@arg).
 * @name: the thread's name, e.g. "CPU 0/KVM" (copied).  The kernel keeps
 *   the first 15 characters; that prefix is what ps/top/gdb show.
 * @fn: the thread body; its return value is what qomu_thread_join()
 *   returns.
 * @arg: passed to @fn.
 * @errp: set when the OS refuses a new thread ("Failed to create thread
 *   'NAME': Resource temporarily unavailable").
 *
 * The new thread has every signal blocked except the synchronous ones
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL), as in QEMU: process-directed signals
 * are then delivered to the main thread.  A thread that wants a signal
 * (e.g. a vCPU's kick signal) unblocks it itself.
 *
 * Any thread may call this.  Returns the thread (owned by the caller, who
 * must qomu_thread_join() it exactly once), or NULL with *@errp set; then
 * @fn never runs.
 */
QomuThread *qomu_thread_create(const char *name, void *(*fn)(void *),
                               void *arg, Error **errp);

/**
 * qomu_thread_join: wait for @thread to return, and free it.
 * @thread: from qomu_thread_create(); not the calling thread itself.
 *
 * Returns: what the thread's function returned.  Any thread but @thread
 * may call this, once.
 */
void *qomu_thread_join(QomuThread *thread);

/**
 * qomu_thread_get_tid: the OS thread id (as gettid() in that thread).
 * @thread: a thread from qomu_thread_create(), not yet joined.
 *
 * Waits, if need be, until @thread has started running (microseconds).
 * Any thread may call this.  Returns: the id, > 0.
 */
pid_t qomu_thread_get_tid(QomuThread *thread);

/**
 * qomu_thread_is_self: whether the calling thread is @thread.
 * Any thread may call this.
 */
bool qomu_thread_is_self(QomuThread *thread);

/**
 * qomu_get_thread_id: the calling thread's OS thread id (gettid()); for
 * the main thread this equals getpid().  QEMU's qemu_get_thread_id().
 */
pid_t qomu_get_thread_id(void);

/*
 * QomuEvent: a latch that threads wait on until another thread sets it
 * (QEMU's QemuEvent).  Unlike a bare GCond it remembers being set, so a
 * set that happens before the wait is not lost.  Embed it in a struct;
 * all functions may be called from any thread.
 */
typedef struct QomuEvent {
    GMutex lock;
    GCond cond;
    int set;            /* atomic (read lock-free), changed under lock */
} QomuEvent;

/** qomu_event_init: initialise @ev, set if @init is true. */
void qomu_event_init(QomuEvent *ev, bool init);

/** qomu_event_destroy: release @ev; no thread may be waiting on it. */
void qomu_event_destroy(QomuEvent *ev);

/** qomu_event_set: set @ev and wake every waiter; idempotent. */
void qomu_event_set(QomuEvent *ev);

/** qomu_event_reset: clear @ev so that later waits block again. */
void qomu_event_reset(QomuEvent *ev);

/** qomu_event_wait: block until @ev is set (returns at once if it is). */
void qomu_event_wait(QomuEvent *ev);

#endif /* UTIL_THREAD_H */
