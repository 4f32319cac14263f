/*
 * aio-context.c - AioContext: the event loop block requests complete on,
 * and the per-context AIO engines (QEMU 7.2's util/async.c and
 * util/aio-posix.c, reduced).  See include/block/aio.h.
 *
 * One eventfd per context carries every wake-up: one-shot BHs scheduled
 * from worker threads, io_uring completions (registered eventfd), Linux
 * AIO completions (IOCB_FLAG_RESFD).  The order that makes this lossless:
 * read (clear) the eventfd first, then look at the queues; anything that
 * arrives after the look sets the eventfd again.
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
    /* A non-empty queue was already announced and not yet run. */
    if (was_empty) {
        aio_notify(ctx);
    }
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

/* Reap every engine and run BHs until nothing is left (bounded). */
static bool aio_dispatch(AioContext *ctx)
{
    bool progress = false;
    int round;

    aio_notify_clear(ctx);
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
    if (round == AIO_DISPATCH_MAX_ROUNDS) {
        aio_notify(ctx);            /* more to do: come back next pass */
    }
    return progress;
}

bool aio_poll(AioContext *ctx, bool blocking)
{
    struct pollfd pfd = { .fd = ctx->notify_fd, .events = POLLIN };
    bool progress;

    assert(aio_context_in_home_thread(ctx));
    progress = aio_dispatch(ctx);
    if (progress || !blocking) {
        return progress;
    }
    while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
        /* retry */
    }
    return aio_dispatch(ctx);
}

/* The notifier's handler on the GMainContext. */
static void aio_notifier_read(void *opaque)
{
    aio_dispatch(opaque);
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
        ctx->linux_io_uring = luring_init(ctx, ctx->notify_fd, errp);
    }
    return ctx->linux_io_uring;
}
