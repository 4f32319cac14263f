/*
 * iothread.h - "iothread", the user-creatable I/O thread object (QEMU 7.2's
 * include/sysemu/iothread.h and iothread.c).
 *
 *   -object iothread,id=io0[,poll-max-ns=N][,poll-grow=N][,poll-shrink=N]
 *           [,aio-max-batch=N][,thread-pool-min=N][,thread-pool-max=N]
 *
 * An IOThread is a thread named "IO <id>" running its own GMainContext
 * with an AioContext on it (iothread_get_aio_context()).  A device with
 * an iothread= link (virtio-blk) moves its BlockBackend there
 * (blk_set_aio_context) and watches its queues' ioeventfds on that
 * context, so that queue processing and block completions run in the
 * thread, not in the main loop.
 *
 * Adaptive polling (QEMU's aio_poll with poll-max-ns): before sleeping,
 * the thread calls the poll handlers registered on it
 * (iothread_add_poll_handler: virtio-blk's virtqueues) for up to poll_ns
 * nanoseconds, with their guest notifications suppressed (begin/end).
 * poll_ns adapts as in QEMU: it starts at 0, grows (x poll-grow, default
 * 2, from 4 us) when the thread blocked for less than poll-max-ns, and
 * shrinks (/ poll-shrink, default: to 0) when it blocked for longer.
 * poll-max-ns=0 disables polling.
 *
 * Threads and locks:
 *  - creation (complete), property access, finalize: main thread, big
 *    lock held.  The poll properties are read by the thread with atomic
 *    loads; aio-max-batch goes to the AioContext (its engines' batch
 *    limit, aio_context_set_aio_params); the thread-pool sizes are
 *    stored only.
 *  - the GMainContext is owned (g_main_context_acquire) by the thread
 *    for its whole life: everything dispatched on it runs there.
 *  - the poll handler list and the adaptive state belong to the thread:
 *    add and remove handlers only from the thread itself (e.g. from a BH
 *    scheduled on iothread_get_aio_context()).
 *  - finalize stops the loop (a BH), joins the thread, and the thread
 *    drops its AioContext reference on its way out.
 */
#ifndef SYSTEM_IOTHREAD_H
#define SYSTEM_IOTHREAD_H

#include "qom/object.h"
#include "util/thread.h"
#include "block/aio.h"

#include "system/event-loop-base.h"

#define TYPE_IOTHREAD "iothread"
OBJECT_DECLARE_SIMPLE_TYPE(IOThread, IOTHREAD)

/* QEMU's defaults */
#define IOTHREAD_POLL_MAX_NS_DEFAULT 32768

typedef struct IOThreadPollHandler IOThreadPollHandler;
struct IOThreadPollHandler {
    /* true if there is work (e.g. the avail ring is not empty); cheap,
     * called in a loop */
    bool (*poll)(void *opaque);
    /* do the work poll() found */
    void (*ready)(void *opaque);
    /* polling starts: suppress guest notifications */
    void (*begin)(void *opaque);
    /* polling ends, the thread may sleep: re-enable notifications, and
     * return true if work arrived meanwhile (then ready() is called) */
    bool (*end)(void *opaque);
    void *opaque;
    /* private */
    IOThreadPollHandler *next;
};

struct IOThread {
    EventLoopBase parent_obj;       /* aio-max-batch, thread-pool-* */

    QomuThread *thread;
    GMainContext *worker_context;
    AioContext *ctx;
    pid_t thread_id;
    int stopping;                       /* atomic */
    bool running;                       /* thread started (main thread) */

    /* properties (main thread writes; poll_* read atomically) */
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;

    /* the thread's own */
    IOThreadPollHandler *poll_handlers;
    int64_t poll_ns;                    /* current polling time */
    uint64_t poll_iterations;           /* stats, for tests */
    uint64_t poll_successes;
};

/* The thread's AioContext (borrowed; valid while @iothread lives). */
AioContext *iothread_get_aio_context(IOThread *iothread);
GMainContext *iothread_get_g_main_context(IOThread *iothread);
/* "io0" (borrowed). */
const char *iothread_get_id(IOThread *iothread);
/* The IOThread under /objects named @id, or NULL. */
IOThread *iothread_by_id(const char *id);
/* True in the iothread itself. */
bool iothread_is_self(IOThread *iothread);

/* Poll handlers: from the iothread only (see above). */
void iothread_add_poll_handler(IOThread *iothread, IOThreadPollHandler *h);
void iothread_remove_poll_handler(IOThread *iothread, IOThreadPollHandler *h);

/**
 * iothread_run_sync: run @cb(@opaque) in @iothread and wait for it to
 * return (QEMU's aio_wait_bh_oneshot).  Called with the big lock held,
 * it is released while waiting, so that the thread may take it.  In the
 * iothread itself it calls @cb directly.
 */
void iothread_run_sync(IOThread *iothread, void (*cb)(void *), void *opaque);

/* QMP query-iothreads: [{id, thread-id, poll-max-ns, poll-grow,
 * poll-shrink, aio-max-batch}], QEMU's order and keys. */
GVariant *qmp_query_iothreads(GVariant *args, Error **errp);

#endif /* SYSTEM_IOTHREAD_H */
