/*
 * iothread.c - "iothread", an I/O thread with its own event loop (QEMU
 * 7.2's iothread.c and the polling part of util/aio-posix.c).  See
 * include/system/iothread.h for the threads and locks.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/bql.h"
#include "util/main-loop.h"
#include "qom/user-creatable.h"
#include "monitor/qmp-commands.h"
#include "system/iothread.h"

/* QEMU's aio_poll: the first step when growing from 0 */
#define POLL_NS_INITIAL 4000

static int64_t iothread_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* The thread                                                           */
/* ------------------------------------------------------------------ */

void iothread_add_poll_handler(IOThread *iothread, IOThreadPollHandler *h)
{
    assert(iothread_is_self(iothread));
    h->next = iothread->poll_handlers;
    iothread->poll_handlers = h;
}

void iothread_remove_poll_handler(IOThread *iothread, IOThreadPollHandler *h)
{
    assert(iothread_is_self(iothread));
    for (IOThreadPollHandler **p = &iothread->poll_handlers; *p;
         p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            h->next = NULL;
            return;
        }
    }
}

/*
 * Busy-poll the handlers for up to poll_ns with their notifications
 * suppressed.  Returns true if one had work (it ran).  Before returning
 * false, notifications are back on and each handler was checked once
 * more, so nothing that arrived meanwhile waits for a kick that the
 * guest will not send.
 */
static bool iothread_try_poll(IOThread *iothread)
{
    int64_t deadline = iothread_now_ns() + iothread->poll_ns;
    bool progress = false;
    IOThreadPollHandler *h, *next;

    for (h = iothread->poll_handlers; h; h = h->next) {
        h->begin(h->opaque);
    }
    iothread->poll_iterations++;
    do {
        for (h = iothread->poll_handlers; h; h = next) {
            next = h->next;             /* ready() may remove @h */
            if (h->poll(h->opaque)) {
                h->ready(h->opaque);
                progress = true;
            }
        }
        /* A request completed (its used entry is due now) or a BH
         * waits: stop polling, the loop runs them.  Not from here: a BH
         * may remove a poll handler between its begin() and end(). */
        progress |= aio_has_ready_work(iothread->ctx);
    } while (!progress && iothread_now_ns() < deadline &&
             !g_atomic_int_get(&iothread->stopping));
    for (h = iothread->poll_handlers; h; h = next) {
        next = h->next;
        if (h->end(h->opaque)) {
            h->ready(h->opaque);
            progress = true;
        }
    }
    if (progress) {
        iothread->poll_successes++;
    }
    return progress;
}

/* QEMU's adaptive rule, on how long the last wait for work took. */
static void iothread_adjust_poll(IOThread *iothread, int64_t block_ns)
{
    int64_t max_ns = __atomic_load_n(&iothread->poll_max_ns,
                                     __ATOMIC_RELAXED);
    int64_t grow = __atomic_load_n(&iothread->poll_grow, __ATOMIC_RELAXED);
    int64_t shrink = __atomic_load_n(&iothread->poll_shrink,
                                     __ATOMIC_RELAXED);

    if (!max_ns) {
        iothread->poll_ns = 0;
    } else if (block_ns <= iothread->poll_ns) {
        /* the sweet spot */
    } else if (block_ns > max_ns) {
        iothread->poll_ns = shrink ? iothread->poll_ns / shrink : 0;
    } else if (iothread->poll_ns < max_ns && block_ns < max_ns) {
        int64_t ns = iothread->poll_ns;

        ns = ns ? (ns > INT64_MAX / (grow ? grow : 2) ? max_ns
                                                      : ns * (grow ? grow : 2))
                : POLL_NS_INITIAL;
        iothread->poll_ns = MIN(ns, max_ns);
    }
}

static void *iothread_run(void *opaque)
{
    IOThread *iothread = opaque;
    AioContext *ctx = iothread->ctx;

    g_main_context_acquire(iothread->worker_context);
    while (!g_atomic_int_get(&iothread->stopping)) {
        int64_t start = iothread_now_ns();

        if (iothread->poll_handlers && iothread->poll_ns > 0 &&
            iothread_try_poll(iothread)) {
            /* run what the work completed, without sleeping */
            g_main_context_iteration(iothread->worker_context, FALSE);
            iothread_adjust_poll(iothread, iothread_now_ns() - start);
            continue;
        }
        g_main_context_iteration(iothread->worker_context, TRUE);
        if (iothread->poll_handlers) {
            iothread_adjust_poll(iothread, iothread_now_ns() - start);
        }
    }
    /* What was scheduled before the stop still runs (QEMU drains the
     * context's BHs before destroying it). */
    while (aio_poll(ctx, false)) {
        /* run them */
    }
    iothread->ctx = NULL;
    aio_context_unref(ctx);
    g_main_context_release(iothread->worker_context);
    return NULL;
}

static void iothread_stop_bh(void *opaque)
{
    /* only wakes the loop: it looks at 'stopping' after this dispatch */
}

static void iothread_stop(IOThread *iothread)
{
    if (!iothread->running) {
        return;
    }
    g_atomic_int_set(&iothread->stopping, 1);
    aio_bh_schedule_oneshot(iothread->ctx, iothread_stop_bh, iothread);
    g_main_context_wakeup(iothread->worker_context);
    qomu_thread_join(iothread->thread);
    iothread->thread = NULL;
    iothread->running = false;
}

bool iothread_is_self(IOThread *iothread)
{
    return iothread->thread && qomu_thread_is_self(iothread->thread);
}

AioContext *iothread_get_aio_context(IOThread *iothread)
{
    return iothread->ctx;
}

GMainContext *iothread_get_g_main_context(IOThread *iothread)
{
    return iothread->worker_context;
}

const char *iothread_get_id(IOThread *iothread)
{
    return object_get_canonical_path_component(OBJECT(iothread));
}

IOThread *iothread_by_id(const char *id)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                id);

    return obj ? (IOThread *)object_dynamic_cast(obj, TYPE_IOTHREAD) : NULL;
}

void iothread_run_sync(IOThread *iothread, void (*cb)(void *), void *opaque)
{
    if (iothread_is_self(iothread)) {
        cb(opaque);
        return;
    }
    assert(iothread->running);
    aio_wait_bh_oneshot(iothread->ctx, cb, opaque);
}

/* ------------------------------------------------------------------ */
/* user-creatable                                                       */
/* ------------------------------------------------------------------ */

static bool iothread_init(EventLoopBase *base, Error **errp)
{
    IOThread *iothread = IOTHREAD(base);
    g_autofree char *name = NULL;

    iothread->ctx = aio_context_new(iothread->worker_context, errp);
    if (!iothread->ctx) {
        return false;
    }
    /* QEMU's name (it shows it with -name debug-threads=on) */
    name = g_strdup_printf("IO %s", iothread_get_id(iothread));
    iothread->thread = qomu_thread_create(name, iothread_run, iothread,
                                          errp);
    if (!iothread->thread) {
        aio_context_unref(iothread->ctx);
        iothread->ctx = NULL;
        return false;
    }
    iothread->running = true;
    iothread->thread_id = qomu_thread_get_tid(iothread->thread);
    return true;
}

static void iothread_instance_init(Object *obj)
{
    IOThread *iothread = IOTHREAD(obj);

    iothread->poll_max_ns = IOTHREAD_POLL_MAX_NS_DEFAULT;
    iothread->thread_id = -1;
    iothread->worker_context = g_main_context_new();
}

static void iothread_instance_finalize(Object *obj)
{
    IOThread *iothread = IOTHREAD(obj);

    iothread_stop(iothread);
    g_main_context_unref(iothread->worker_context);
}

/* --- properties (QEMU's PollParamInfo), after event-loop-base's --- */

/* Registered last first: qom-list then shows QEMU's order. */
static const EventLoopParamInfo iothread_params[] = {
    { "poll-shrink", offsetof(IOThread, poll_shrink) },
    { "poll-grow", offsetof(IOThread, poll_grow) },
    { "poll-max-ns", offsetof(IOThread, poll_max_ns) },
};

/* The thread reads the poll-* fields itself; wake it to take them. */
static void iothread_update_params(EventLoopBase *base)
{
    IOThread *iothread = IOTHREAD(base);

    aio_context_set_aio_params(iothread->ctx,
                               __atomic_load_n(&base->aio_max_batch,
                                               __ATOMIC_RELAXED));
    g_main_context_wakeup(iothread->worker_context);
}

static void iothread_class_init(ObjectClass *klass, void *data)
{
    EventLoopBaseClass *bc = EVENT_LOOP_BASE_CLASS(klass);

    bc->init = iothread_init;
    bc->update_params = iothread_update_params;
    event_loop_base_add_params(klass, iothread_params,
                               G_N_ELEMENTS(iothread_params));
}

static const TypeInfo iothread_info = {
    .name = TYPE_IOTHREAD,
    .parent = TYPE_EVENT_LOOP_BASE,
    .instance_size = sizeof(IOThread),
    .instance_init = iothread_instance_init,
    .instance_finalize = iothread_instance_finalize,
    .class_init = iothread_class_init,
};

static void iothread_register_types(void)
{
    type_register_static(&iothread_info);
}

type_init(iothread_register_types)

/* ------------------------------------------------------------------ */
/* The monitor                                                          */
/* ------------------------------------------------------------------ */

static int iothread_collect(Object *child, void *opaque)
{
    if (object_dynamic_cast(child, TYPE_IOTHREAD)) {
        g_ptr_array_add(opaque, child);
    }
    return 0;
}

/*
 * QEMU walks /objects in its hash table's order; for the usual one or two
 * iothreads that is the reverse of creation, which is what we give.
 * Keys in QEMU's QDict order (qmp_dict sorts them).
 */
GVariant *qmp_query_iothreads(GVariant *args, Error **errp)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GVariantBuilder b;

    object_child_foreach(object_get_objects_root(), iothread_collect, all);
    g_variant_builder_init(&b, G_VARIANT_TYPE("av"));
    for (guint i = all->len; i-- > 0;) {
        IOThread *iothread = all->pdata[i];
        QmpDict d;

        qmp_dict_init(&d);
        qmp_dict_add_str(&d, "id", iothread_get_id(iothread));
        qmp_dict_add_int(&d, "thread-id", iothread->thread_id);
        qmp_dict_add_int(&d, "poll-max-ns", iothread->poll_max_ns);
        qmp_dict_add_int(&d, "poll-grow", iothread->poll_grow);
        qmp_dict_add_int(&d, "poll-shrink", iothread->poll_shrink);
        qmp_dict_add_int(&d, "aio-max-batch",
                         EVENT_LOOP_BASE(iothread)->aio_max_batch);
        g_variant_builder_add(&b, "v", qmp_dict_end(&d));
    }
    return g_variant_builder_end(&b);
}
