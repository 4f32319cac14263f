/*
 * aio.h - AioContext: an event loop the block layer completes requests
 * on, and the AIO engines that belong to it (QEMU 7.2's include/block/
 * aio.h, reduced to what qomu's block layer needs).
 *
 * An AioContext wraps a GLib GMainContext.  The main loop has one,
 * qemu_get_aio_context() ("the block event loop" of docs DESIGN.md); an
 * I/O thread that runs its own GMainContext can have another
 * (aio_context_new()), and a BlockBackend moved there completes its
 * requests in that thread.
 *
 * Each AioContext owns, created on first use:
 *  - one eventfd (the "notifier") watched on its GMainContext: the
 *    thread pool's workers write it, Linux AIO iocbs carry it
 *    (IOCB_FLAG_RESFD), BHs scheduled from outside the context's own
 *    dispatch signal it.  The io_uring ring's fd is watched beside it.
 *    When either fires, aio_dispatch() reaps all engines and runs the
 *    one-shot bottom halves;
 *  - a thread pool (aio=threads, and every operation the other engines
 *    cannot do: discard, write-zeroes, fdatasync for aio=native);
 *  - one io_uring ring (aio=io_uring), one Linux AIO context
 *    (aio=native).
 *
 * The home thread of a context is where its callbacks run and where its
 * users may call into it: for the main context, the main thread or any
 * thread holding the big lock (a vCPU thread dispatching an MMIO exit),
 * since the main loop runs its handlers under the big lock; for another
 * context, the thread that owns (g_main_context_acquire) its GMainContext.
 * aio_bh_schedule_oneshot() and aio_notify() may be called from any
 * thread.
 */
#ifndef BLOCK_AIO_H
#define BLOCK_AIO_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct AioContext AioContext;
typedef struct ThreadPool ThreadPool;
typedef struct LinuxAioState LinuxAioState;
typedef struct LuringState LuringState;

typedef void QEMUBHFunc(void *opaque);

/* --- contexts --- */

/**
 * qemu_get_aio_context: the main loop's context, created on first use
 * (in the main thread: main_loop_init() must have run).  Never freed
 * before exit except by qemu_aio_context_cleanup().
 */
AioContext *qemu_get_aio_context(void);

/**
 * aio_context_new: a context on @gctx (e.g. an I/O thread's
 * GMainContext; takes a reference to it).  Call from the thread that
 * will run @gctx, or before it runs.
 * Returns the context (owned by the caller: aio_context_unref()), or
 * NULL with @errp set if the eventfd cannot be created.
 */
AioContext *aio_context_new(GMainContext *gctx, Error **errp);

/* References: a BlockBackend or node living in a context holds one. */
void aio_context_ref(AioContext *ctx);
/* Drop a reference; the last one frees the context and its engines
 * (nothing may be in flight).  Home thread. */
void aio_context_unref(AioContext *ctx);

/**
 * qemu_aio_context_cleanup: free the main context's engines (joins the
 * thread pool's workers, closes the ring) once nothing is in flight, so
 * that a clean exit leaves no thread behind.  The context itself stays
 * usable: engines are re-created on demand.  Main thread.
 */
void qemu_aio_context_cleanup(void);

/* The GMainContext @ctx runs on (borrowed). */
GMainContext *aio_get_g_main_context(AioContext *ctx);

/* Whether the caller may use @ctx now (see "home thread" above). */
bool aio_context_in_home_thread(AioContext *ctx);

/* --- running things on a context --- */

/**
 * aio_bh_schedule_oneshot: run @cb(@opaque) once, soon, in @ctx's home
 * thread, from its event loop (never from inside this call).  One-shot
 * BHs run in the order they were scheduled.  Any thread; cannot fail.
 */
void aio_bh_schedule_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque);

/**
 * aio_wait_bh_oneshot: run @cb(@opaque) in @ctx's home thread and wait
 * until it returned (QEMU's aio_wait_bh_oneshot).  From another thread
 * (the main thread driving an iothread's context): holding the big
 * lock, it is released while waiting, so that the home thread may take
 * it.  In the home thread, @cb runs at once.
 */
void aio_wait_bh_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque);

/**
 * aio_context_set_aio_params: the most requests @ctx's io_uring and
 * Linux AIO engines queue while plugged before handing them to the
 * kernel (QEMU's aio-max-batch; 0, the default: each engine's own
 * default, see raw-aio.h).  Any thread: it applies from the next request.
 */
void aio_context_set_aio_params(AioContext *ctx, int64_t max_batch);

/* The batch limit in force: @ctx's aio-max-batch, else @engine_default,
 * never more than @limit (what the engine can hold).  Home thread. */
unsigned aio_context_max_batch(AioContext *ctx, unsigned engine_default,
                               unsigned limit);

/* Wake @ctx's loop (its notifier fires).  Any thread. */
void aio_notify(AioContext *ctx);

/**
 * aio_poll: reap completed I/O of every engine of @ctx and run its
 * one-shot BHs, once; if nothing was ready and @blocking, first wait for
 * the notifier.  Callbacks run inside this call.  Re-entrant: a callback
 * may call aio_poll again (blk_drain does).  Only block-layer work runs
 * here, not the other sources of the GMainContext (timers, chardevs).
 * Home thread.  Returns: whether any callback ran.
 *
 * A blocking call with nothing in flight would wait forever: loop on a
 * condition that the I/O changes (AIO_WAIT_WHILE).
 */
bool aio_poll(AioContext *ctx, bool blocking);

/**
 * aio_has_ready_work: whether @ctx has work that needs no waiting
 * (completions in its io_uring ring, scheduled BHs), found without a
 * system call.  What an iothread looks at while it busy-polls (QEMU's
 * io_uring poll handler), so that a request completing meanwhile is not
 * left until the poll ends; it stops polling and then runs the loop.
 * Home thread.
 */
bool aio_has_ready_work(AioContext *ctx);

/* Run @ctx's loop until @cond is false (QEMU's AIO_WAIT_WHILE). */
#define AIO_WAIT_WHILE(ctx, cond)           \
    do {                                    \
        while (cond) {                      \
            aio_poll((ctx), true);          \
        }                                   \
    } while (0)

/* --- engines (see include/block/raw-aio.h for their request API) --- */

/* @ctx's thread pool, created on first use.  Home thread. */
ThreadPool *aio_get_thread_pool(AioContext *ctx);

/* @ctx's Linux AIO context, created on first use; NULL with @errp set if
 * the kernel refuses (io_setup).  Home thread. */
LinuxAioState *aio_get_linux_aio(AioContext *ctx, Error **errp);

/* @ctx's io_uring ring, created on first use; NULL with @errp set if the
 * kernel refuses (io_uring_queue_init).  Home thread. */
LuringState *aio_get_linux_io_uring(AioContext *ctx, Error **errp);

#endif /* BLOCK_AIO_H */
