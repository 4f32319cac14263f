/*
 * aio-threads.c - aio=threads: a pool of worker threads that run
 * blocking syscalls (preadv, pwritev, fdatasync, fallocate) and post the
 * result back to their AioContext (QEMU 7.2's util/thread-pool.c).
 *
 * One pool per AioContext.  Workers ("worker" in ps/top, as in QEMU) are
 * started when a request finds none idle, up to THREAD_POOL_MAX_WORKERS,
 * and leave after WORKER_IDLE_SECONDS without work.  A worker that left
 * is joined by the next submission or by thread_pool_free(), so no
 * thread outlives the pool.  The result goes back as a one-shot BH on
 * the context: the completion runs in the context's home thread, never
 * in the worker.
 *
 * Not modelled: cancellation of queued requests (QEMU's
 * thread_pool_cancel); the pool's min/max properties.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "util/thread.h"
#include "block/aio.h"
#include "block/raw-aio.h"

#define WORKER_IDLE_SECONDS 10

typedef struct ThreadPoolElement {
    ThreadPool *pool;
    ThreadPoolFunc *func;
    void *arg;
    RawAioCompletionFunc *cb;
    void *opaque;
    int64_t ret;
} ThreadPoolElement;

struct ThreadPool {
    AioContext *ctx;

    GMutex lock;                /* everything below */
    GCond request_cond;         /* a request was queued, or stopping */
    GCond exit_cond;            /* a worker left (thread_pool_free) */
    GQueue requests;            /* ThreadPoolElement *, FIFO */
    GQueue workers;             /* QomuThread * of live workers */
    GQueue exited;              /* QomuThread * of workers to join */
    unsigned idle;              /* workers waiting for a request */
    bool stopping;
};

/* --- the worker --- */

/* Called by a worker, lock held: move itself to the exited list. */
static void worker_leave(ThreadPool *pool)
{
    for (GList *l = pool->workers.head; l; l = l->next) {
        if (qomu_thread_is_self(l->data)) {
            g_queue_push_tail(&pool->exited, l->data);
            g_queue_delete_link(&pool->workers, l);
            break;
        }
    }
    g_cond_broadcast(&pool->exit_cond);
}

static void thread_pool_complete(void *opaque)
{
    ThreadPoolElement *elem = opaque;

    elem->cb(elem->opaque, elem->ret);
    g_free(elem);
}

static void *worker_thread(void *opaque)
{
    ThreadPool *pool = opaque;

    g_mutex_lock(&pool->lock);
    for (;;) {
        ThreadPoolElement *elem;

        while (g_queue_is_empty(&pool->requests) && !pool->stopping) {
            gint64 deadline = g_get_monotonic_time() +
                              WORKER_IDLE_SECONDS * G_TIME_SPAN_SECOND;
            bool woken;

            pool->idle++;
            woken = g_cond_wait_until(&pool->request_cond, &pool->lock,
                                      deadline);
            pool->idle--;
            if (!woken && g_queue_is_empty(&pool->requests)) {
                goto leave;
            }
        }
        if (pool->stopping && g_queue_is_empty(&pool->requests)) {
            break;
        }
        elem = g_queue_pop_head(&pool->requests);
        g_mutex_unlock(&pool->lock);

        elem->ret = elem->func(elem->arg);
        aio_bh_schedule_oneshot(pool->ctx, thread_pool_complete, elem);

        g_mutex_lock(&pool->lock);
    }
leave:
    worker_leave(pool);
    g_mutex_unlock(&pool->lock);
    return NULL;
}

/* Join workers that left; called without the lock. */
static void join_exited(ThreadPool *pool)
{
    for (;;) {
        QomuThread *t;

        g_mutex_lock(&pool->lock);
        t = g_queue_pop_head(&pool->exited);
        g_mutex_unlock(&pool->lock);
        if (!t) {
            return;
        }
        qomu_thread_join(t);
    }
}

/* --- the pool --- */

ThreadPool *thread_pool_new(AioContext *ctx)
{
    ThreadPool *pool = g_new0(ThreadPool, 1);

    pool->ctx = ctx;
    g_mutex_init(&pool->lock);
    g_cond_init(&pool->request_cond);
    g_cond_init(&pool->exit_cond);
    g_queue_init(&pool->requests);
    g_queue_init(&pool->workers);
    g_queue_init(&pool->exited);
    return pool;
}

int thread_pool_submit_aio(ThreadPool *pool, ThreadPoolFunc *func,
                           void *arg, RawAioCompletionFunc *cb,
                           void *opaque)
{
    ThreadPoolElement *elem;
    bool spawn;
    int ret = 0;

    assert(aio_context_in_home_thread(pool->ctx));
    join_exited(pool);

    elem = g_new0(ThreadPoolElement, 1);
    elem->pool = pool;
    elem->func = func;
    elem->arg = arg;
    elem->cb = cb;
    elem->opaque = opaque;

    g_mutex_lock(&pool->lock);
    /* Idle workers that have not yet taken earlier requests count as
     * busy: start one per request beyond them. */
    spawn = pool->idle <= g_queue_get_length(&pool->requests) &&
            g_queue_get_length(&pool->workers) < THREAD_POOL_MAX_WORKERS;
    if (spawn) {
        Error *err = NULL;
        QomuThread *t = qomu_thread_create("worker", worker_thread, pool,
                                           &err);

        if (t) {
            g_queue_push_tail(&pool->workers, t);
        } else {
            if (g_queue_is_empty(&pool->workers)) {
                /* Nobody would ever run the request. */
                ret = -EAGAIN;
            }
            warn_report_err(err);
        }
    }
    if (ret == 0) {
        g_queue_push_tail(&pool->requests, elem);
        g_cond_signal(&pool->request_cond);
    }
    g_mutex_unlock(&pool->lock);
    if (ret < 0) {
        g_free(elem);
    }
    return ret;
}

unsigned thread_pool_worker_count(ThreadPool *pool)
{
    unsigned n;

    g_mutex_lock(&pool->lock);
    n = g_queue_get_length(&pool->workers);
    g_mutex_unlock(&pool->lock);
    return n;
}

void thread_pool_free(ThreadPool *pool)
{
    g_mutex_lock(&pool->lock);
    assert(g_queue_is_empty(&pool->requests));
    pool->stopping = true;
    g_cond_broadcast(&pool->request_cond);
    while (!g_queue_is_empty(&pool->workers)) {
        g_cond_wait(&pool->exit_cond, &pool->lock);
    }
    g_mutex_unlock(&pool->lock);
    join_exited(pool);

    g_mutex_clear(&pool->lock);
    g_cond_clear(&pool->request_cond);
    g_cond_clear(&pool->exit_cond);
    g_free(pool);
}
