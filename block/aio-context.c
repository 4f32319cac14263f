/*
 * aio-context.c - AioContext: the event loop block requests complete on,
 * and the per-context AIO engines (QEMU 7.2's util/async.c and
 * util/aio-posix.c, reduced).  See include/block/aio.h.
 *
 * One eventfd per context carries the wake-ups: one-shot BHs scheduled
 * from worker threads, Linux AIO completions (IOCB_FLAG_RESFD).  The
 * order that makes this lossless: read (clear) the eventfd first, then
 * look at the queues; anything that arrives after the look sets the
 * eventfd again.  The io_uring ring's own fd is watched beside it (it
 * polls readable while completions wait, level-triggered: nothing to
 * clear, QEMU's way).
 *
 * Not modelled: QEMU's AioContext fd handlers, polling mode, the
 * aio_context_acquire lock (qomu uses the big lock for the main context
 * and thread ownership for the others).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "block/aio.h"
#include "block/raw-aio.h"

#include <poll.h>
#include <sys/eventfd.h>

struct AioContext {
    GMainContext *gctx;         /* owned reference; NULL for the main one */
    bool is_main;
    int refcnt;
    int notify_fd;              /* eventfd, non-blocking */

    GMutex bh_lock;
    GQueue bhs;                 /* OneshotBH *, in schedule order */
    /* The thread inside aio_dispatch() (its round loop runs what it
     * schedules itself: no wake-up needed), or NULL.  Atomic. */
    GThread *dispatching;

    int64_t aio_max_batch;      /* aio-max-batch; atomic */

    ThreadPool *thread_pool;
    LinuxAioState *linux_aio;
    LuringState *linux_io_uring;
};

typedef struct OneshotBH {
    QEMUBHFunc *cb;
    void *opaque;
} OneshotBH;

/*
 * Rounds of reaping in one dispatch before yielding to the rest of the
 * loop: a callback that keeps submitting requests that complete at once
 * must not starve timers and the monitor.
 */
#define AIO_DISPATCH_MAX_ROUNDS 64

static AioContext *main_aio_context;

/* --- parameters --- */

void aio_context_set_aio_params(AioContext *ctx, int64_t max_batch)
{
    __atomic_store_n(&ctx->aio_max_batch, max_batch, __ATOMIC_RELAXED);
}

unsigned aio_context_max_batch(AioContext *ctx, unsigned engine_default,
                               unsigned limit)
{
    int64_t max = __atomic_load_n(&ctx->aio_max_batch, __ATOMIC_RELAXED);

    if (!max) {
        max = engine_default;
    }
    return MIN(max, (int64_t)limit);
}

/* --- wake-ups --- */

void aio_notify(AioContext *ctx)
{
    uint64_t one = 1;

    /* EAGAIN means the counter is saturated: it is set, which is all we
     * need. */
    if (write(ctx->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
        error_report_once("aio_notify: %s", strerror(errno));
    }
}

static void aio_notify_clear(AioContext *ctx)
{
    uint64_t value;

    while (read(ctx->notify_fd, &value, sizeof(value)) < 0 &&
           errno == EINTR) {
        /* retry */
    }
}

void aio_bh_schedule_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    OneshotBH *bh = g_new(OneshotBH, 1);
    bool was_empty;

    bh->cb = cb;
    bh->opaque = opaque;
    g_mutex_lock(&ctx->bh_lock);
    was_empty = g_queue_is_empty(&ctx->bhs);
    g_queue_push_tail(&ctx->bhs, bh);
    g_mutex_unlock(&ctx->bh_lock);
    /* A non-empty queue was already announced and not yet run; a BH
     * scheduled from inside the context's own dispatch runs in its next
     * round (QEMU's notify_me: no eventfd write, no extra wake-up). */
    if (was_empty &&
        __atomic_load_n(&ctx->dispatching, __ATOMIC_RELAXED) !=
        g_thread_self()) {
        aio_notify(ctx);
    }
}

typedef struct AioWaitBH {
    QEMUBHFunc *cb;
    void *opaque;
    bool with_bql;
    bool done;
    GMutex lock;
    GCond cond;
} AioWaitBH;

static void aio_wait_bh(void *opaque)
{
    AioWaitBH *w = opaque;

    w->cb(w->opaque);
    if (w->with_bql) {
        bql_lock();
    } else {
        g_mutex_lock(&w->lock);
    }
    w->done = true;
    g_cond_broadcast(&w->cond);
    if (w->with_bql) {
        bql_unlock();
    } else {
        g_mutex_unlock(&w->lock);
    }
}

void aio_wait_bh_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    AioWaitBH w = { .cb = cb, .opaque = opaque };

    if (aio_context_in_home_thread(ctx)) {
        cb(opaque);
        return;
    }
    w.with_bql = bql_locked();
    g_mutex_init(&w.lock);
    g_cond_init(&w.cond);
    if (!w.with_bql) {
        g_mutex_lock(&w.lock);
    }
    aio_bh_schedule_oneshot(ctx, aio_wait_bh, &w);
    while (!w.done) {
        if (w.with_bql) {
            bql_cond_wait(&w.cond);
        } else {
            g_cond_wait(&w.cond, &w.lock);
        }
    }
    if (!w.with_bql) {
        g_mutex_unlock(&w.lock);
    }
    g_cond_clear(&w.cond);
    g_mutex_clear(&w.lock);
}

/* Run the BHs queued so far (not those they schedule: next round). */
static bool aio_bh_poll(AioContext *ctx)
{
    GQueue batch = G_QUEUE_INIT;
    OneshotBH *bh;

    g_mutex_lock(&ctx->bh_lock);
    batch = ctx->bhs;
    g_queue_init(&ctx->bhs);
    g_mutex_unlock(&ctx->bh_lock);

    if (g_queue_is_empty(&batch)) {
        return false;
    }
    while ((bh = g_queue_pop_head(&batch))) {
        QEMUBHFunc *cb = bh->cb;
        void *opaque = bh->opaque;

        g_free(bh);
        cb(opaque);
    }
    return true;
}

/* Reap every engine and run BHs until nothing is left (bounded); first
 * clear the eventfd if @clear (a wake-up by the io_uring fd need not). */
static bool aio_dispatch_common(AioContext *ctx, bool clear)
{
    bool progress = false;
    int round;
    GThread *outer = __atomic_load_n(&ctx->dispatching, __ATOMIC_RELAXED);

    if (clear) {
        aio_notify_clear(ctx);
    }
    __atomic_store_n(&ctx->dispatching, g_thread_self(), __ATOMIC_RELAXED);
    for (round = 0; round < AIO_DISPATCH_MAX_ROUNDS; round++) {
        bool p = false;

        if (ctx->linux_io_uring) {
            p |= luring_poll(ctx->linux_io_uring);
        }
        if (ctx->linux_aio) {
            p |= laio_poll(ctx->linux_aio);
        }
        p |= aio_bh_poll(ctx);
        if (!p) {
            break;
        }
        progress = true;
    }
    __atomic_store_n(&ctx->dispatching, outer, __ATOMIC_RELAXED);
    if (round == AIO_DISPATCH_MAX_ROUNDS) {
        aio_notify(ctx);            /* more to do: come back next pass */
    }
    return progress;
}

static bool aio_dispatch(AioContext *ctx)
{
    return aio_dispatch_common(ctx, true);
}

bool aio_poll(AioContext *ctx, bool blocking)
{
    struct pollfd pfd[2] = {
        { .fd = ctx->notify_fd, .events = POLLIN },
        { .fd = -1, .events = POLLIN },     /* the io_uring ring */
    };
    bool progress;

    assert(aio_context_in_home_thread(ctx));
    progress = aio_dispatch(ctx);
    if (progress || !blocking) {
        return progress;
    }
    if (ctx->linux_io_uring) {
        pfd[1].fd = luring_get_fd(ctx->linux_io_uring);
    }
    while (poll(pfd, 2, -1) < 0 && errno == EINTR) {
        /* retry */
    }
    return aio_dispatch(ctx);
}

bool aio_has_ready_work(AioContext *ctx)
{
    bool ready = ctx->linux_io_uring &&
                 luring_cq_ready(ctx->linux_io_uring);

    if (!ready) {
        g_mutex_lock(&ctx->bh_lock);
        ready = !g_queue_is_empty(&ctx->bhs);
        g_mutex_unlock(&ctx->bh_lock);
    }
    return ready;
}

/* The notifier's handler on the GMainContext. */
static void aio_notifier_read(void *opaque)
{
    aio_dispatch(opaque);
}

/* The io_uring ring fd's handler: completions wait. */
static void aio_ring_read(void *opaque)
{
    aio_dispatch_common(opaque, false);
}

/* --- contexts --- */

static AioContext *aio_context_create(GMainContext *gctx, bool is_main,
                                      Error **errp)
{
    AioContext *ctx;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create an event notifier");
        return NULL;
    }
    ctx = g_new0(AioContext, 1);
    ctx->is_main = is_main;
    ctx->gctx = gctx ? g_main_context_ref(gctx) : NULL;
    ctx->refcnt = 1;
    ctx->notify_fd = fd;
    g_mutex_init(&ctx->bh_lock);
    g_queue_init(&ctx->bhs);
    qomu_set_fd_handler_ctx(ctx->gctx, fd, aio_notifier_read, NULL, ctx);
    return ctx;
}

AioContext *qemu_get_aio_context(void)
{
    if (!main_aio_context) {
        assert(qomu_in_main_thread());
        main_aio_context = aio_context_create(NULL, true, &error_abort);
    }
    return main_aio_context;
}

AioContext *aio_context_new(GMainContext *gctx, Error **errp)
{
    assert(gctx);
    return aio_context_create(gctx, false, errp);
}

void aio_context_ref(AioContext *ctx)
{
    g_atomic_int_inc(&ctx->refcnt);
}

static void aio_context_free_engines(AioContext *ctx)
{
    if (ctx->linux_io_uring) {
        qomu_set_fd_handler_ctx(ctx->gctx,
                                luring_get_fd(ctx->linux_io_uring),
                                NULL, NULL, NULL);
        luring_cleanup(ctx->linux_io_uring);
        ctx->linux_io_uring = NULL;
    }
    if (ctx->linux_aio) {
        laio_cleanup(ctx->linux_aio);
        ctx->linux_aio = NULL;
    }
    if (ctx->thread_pool) {
        thread_pool_free(ctx->thread_pool);
        ctx->thread_pool = NULL;
    }
    /* Completions the engines posted last. */
    while (aio_bh_poll(ctx)) {
        /* run them */
    }
}

void aio_context_unref(AioContext *ctx)
{
    if (!g_atomic_int_dec_and_test(&ctx->refcnt)) {
        return;
    }
    assert(!ctx->is_main);
    aio_context_free_engines(ctx);
    qomu_set_fd_handler_ctx(ctx->gctx, ctx->notify_fd, NULL, NULL, NULL);
    close(ctx->notify_fd);
    g_mutex_clear(&ctx->bh_lock);
    g_main_context_unref(ctx->gctx);
    g_free(ctx);
}

void qemu_aio_context_cleanup(void)
{
    if (main_aio_context) {
        aio_context_free_engines(main_aio_context);
    }
}

GMainContext *aio_get_g_main_context(AioContext *ctx)
{
    return ctx->gctx ? ctx->gctx : g_main_context_default();
}

bool aio_context_in_home_thread(AioContext *ctx)
{
    if (ctx->is_main) {
        return qomu_in_main_thread() || bql_locked();
    }
    return g_main_context_is_owner(ctx->gctx);
}

/* --- engines --- */

ThreadPool *aio_get_thread_pool(AioContext *ctx)
{
    if (!ctx->thread_pool) {
        ctx->thread_pool = thread_pool_new(ctx);
    }
    return ctx->thread_pool;
}

LinuxAioState *aio_get_linux_aio(AioContext *ctx, Error **errp)
{
    if (!ctx->linux_aio) {
        ctx->linux_aio = laio_init(ctx, ctx->notify_fd, errp);
    }
    return ctx->linux_aio;
}

LuringState *aio_get_linux_io_uring(AioContext *ctx, Error **errp)
{
    if (!ctx->linux_io_uring) {
        ctx->linux_io_uring = luring_init(ctx, errp);
        if (ctx->linux_io_uring) {
            qomu_set_fd_handler_ctx(ctx->gctx,
                                    luring_get_fd(ctx->linux_io_uring),
                                    aio_ring_read, NULL, ctx);
        }
    }
    return ctx->linux_io_uring;
}
