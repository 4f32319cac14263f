/*
 * main-loop.c - the main event loop, after QEMU 7.2 util/main-loop.c,
 * util/async.c (bottom halves), util/qemu-timer.c and os-posix.c (signals).
 *
 * Modelled: QEMU's BH semantics (schedule from any thread, coalescing, one
 * run per pass), qemu_set_fd_handler(), deadline-sorted timer lists on
 * QEMU_CLOCK_REALTIME/VIRTUAL with timer_mod() from any thread, and
 * SIGTERM/SIGINT/SIGHUP ending the loop.  Not modelled: AioContext (one
 * GMainContext is the loop), QEMU_CLOCK_HOST/VIRTUAL_RT, timer scales and
 * attributes, icount.  Deviation: GLib polls with ms timeouts, so a timer
 * fires up to 1 ms late (QEMU: ppoll, ns); never early.
 *
 * Our state rides on GSources of the default context: one for all BHs,
 * one for all timers, one per watched fd.
 */
#include "util/osdep.h"
#include "util/main-loop.h"

#include <glib-unix.h>
#include <signal.h>
#include <time.h>

static GThread *main_thread;        /* set by main_loop_init() */

/*
 * The locks below are GMutexes taken by other threads too.  GLib's GMutex
 * is a bare futex that ThreadSanitizer cannot see, so under
 * -fsanitize=thread we tell it that lock and unlock order memory;
 * otherwise every shared list is reported as a race.  No-ops otherwise.
 */
#ifdef __SANITIZE_THREAD__
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define tsan_acquire(addr) __tsan_acquire(addr)
#define tsan_release(addr) __tsan_release(addr)
#else
#define tsan_acquire(addr) ((void)(addr))
#define tsan_release(addr) ((void)(addr))
#endif

static void ml_lock(GMutex *lock)
{
    g_mutex_lock(lock);
    tsan_acquire(lock);
}

static void ml_unlock(GMutex *lock)
{
    tsan_release(lock);
    g_mutex_unlock(lock);
}

/* --- the loop --- */

static int quit_requested;          /* atomic: main_loop_quit() latch */
static int quit_signal;             /* atomic: signal that asked to quit */

bool qomu_in_main_thread(void)
{
    return main_thread && g_thread_self() == main_thread;
}

void main_loop_quit(void)
{
    g_atomic_int_set(&quit_requested, 1);
    /* Ends the poll() the main thread may be sleeping in */
    g_main_context_wakeup(g_main_context_default());
}

int main_loop_run(void)
{
    GMainContext *ctx = g_main_context_default();

    assert(qomu_in_main_thread());
    while (!g_atomic_int_get(&quit_requested)) {
        g_main_context_iteration(ctx, TRUE);
    }
    g_atomic_int_set(&quit_requested, 0);
    return g_atomic_int_exchange(&quit_signal, 0);
}

/* Runs in the main loop (GLib defers it from the real signal handler). */
static gboolean termsig_handler(gpointer opaque)
{
    g_atomic_int_set(&quit_signal, GPOINTER_TO_INT(opaque));
    main_loop_quit();
    return G_SOURCE_CONTINUE;
}

/* --- bottom halves --- */

struct QomuBH {
    QomuBHFunc *cb;
    void *opaque;
    bool scheduled;                 /* in bh_pending; under bh_lock */
};

static GMutex bh_lock;
static GQueue bh_pending = G_QUEUE_INIT;   /* QomuBH *, in schedule order */

QomuBH *qomu_bh_new(QomuBHFunc *cb, void *opaque)
{
    QomuBH *bh = g_new0(QomuBH, 1);

    bh->cb = cb;
    bh->opaque = opaque;
    return bh;
}

void qomu_bh_schedule(QomuBH *bh)
{
    bool wake = false;

    ml_lock(&bh_lock);
    if (!bh->scheduled) {
        bh->scheduled = true;
        g_queue_push_tail(&bh_pending, bh);
        wake = true;
    }
    ml_unlock(&bh_lock);
    if (wake) {
        g_main_context_wakeup(g_main_context_default());
    }
}

void qomu_bh_delete(QomuBH *bh)
{
    assert(qomu_in_main_thread());
    ml_lock(&bh_lock);
    if (bh->scheduled) {
        g_queue_remove(&bh_pending, bh);
    }
    ml_unlock(&bh_lock);
    g_free(bh);
}

static bool bh_any_pending(void)
{
    bool pending;

    ml_lock(&bh_lock);
    pending = !g_queue_is_empty(&bh_pending);
    ml_unlock(&bh_lock);
    return pending;
}

static gboolean bh_source_prepare(GSource *source QOMU_UNUSED,
                                  gint *timeout)
{
    *timeout = -1;
    return bh_any_pending();
}

static gboolean bh_source_check(GSource *source QOMU_UNUSED)
{
    return bh_any_pending();
}

static gboolean bh_source_dispatch(GSource *source QOMU_UNUSED,
                                   GSourceFunc cb QOMU_UNUSED,
                                   gpointer data QOMU_UNUSED)
{
    /*
     * Run only the BHs scheduled before this pass: one that reschedules
     * itself (or another) waits for the next pass instead of starving the
     * loop.  Pop them one at a time under the lock, so that a callback may
     * delete any BH, its own included; @bh is not touched after its
     * callback.
     */
    ml_lock(&bh_lock);
    guint n = g_queue_get_length(&bh_pending);
    ml_unlock(&bh_lock);

    for (guint i = 0; i < n; i++) {
        QomuBH *bh;
        QomuBHFunc *cb = NULL;
        void *opaque = NULL;

        ml_lock(&bh_lock);
        bh = g_queue_pop_head(&bh_pending);
        if (bh) {
            bh->scheduled = false;
            cb = bh->cb;
            opaque = bh->opaque;
        }
        ml_unlock(&bh_lock);
        if (!bh) {
            break;                  /* some were deleted meanwhile */
        }
        cb(opaque);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs bh_source_funcs = {
    .prepare = bh_source_prepare,
    .check = bh_source_check,
    .dispatch = bh_source_dispatch,
};

/* --- file descriptors --- */

typedef struct FdHandler {
    GSource source;
    gpointer tag;                   /* from g_source_add_unix_fd() */
    IOHandler *fd_read;
    IOHandler *fd_write;
    void *opaque;
} FdHandler;

static GMutex fd_lock;
static GHashTable *fd_handlers;     /* fd -> FdHandler *; under fd_lock */

/* No prepare/check: GLib dispatches a source when one of its fds is ready. */
static gboolean fd_source_dispatch(GSource *source,
                                   GSourceFunc cb QOMU_UNUSED,
                                   gpointer data QOMU_UNUSED)
{
    FdHandler *h = (FdHandler *)source;
    GIOCondition revents = g_source_query_unix_fd(source, h->tag);

    /* The same conditions as QEMU's main-loop iohandler */
    if (h->fd_read && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
        h->fd_read(h->opaque);
    }
    /* fd_read may have removed the handler: GLib keeps @source alive
     * during dispatch, but it must not call fd_write any more. */
    if (!g_source_is_destroyed(source) && h->fd_write &&
        (revents & (G_IO_OUT | G_IO_ERR))) {
        h->fd_write(h->opaque);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs fd_source_funcs = {
    .dispatch = fd_source_dispatch,
};

void qomu_set_fd_handler_ctx(GMainContext *ctx, int fd, IOHandler *fd_read,
                             IOHandler *fd_write, void *opaque)
{
    GIOCondition cond = (fd_read ? G_IO_IN | G_IO_HUP | G_IO_ERR : 0) |
                        (fd_write ? G_IO_OUT | G_IO_ERR : 0);
    FdHandler *h;

    if (!ctx) {
        ctx = g_main_context_default();
    }
    ml_lock(&fd_lock);
    if (!fd_handlers) {
        fd_handlers = g_hash_table_new(NULL, NULL);
    }
    h = g_hash_table_lookup(fd_handlers, GINT_TO_POINTER(fd));
    if (h) {
        assert(g_source_get_context(&h->source) == ctx);
    }
    if (!cond) {
        if (h) {
            g_hash_table_remove(fd_handlers, GINT_TO_POINTER(fd));
            g_source_destroy(&h->source);
            g_source_unref(&h->source);
        }
    } else if (h) {
        h->fd_read = fd_read;
        h->fd_write = fd_write;
        h->opaque = opaque;
        g_source_modify_unix_fd(&h->source, h->tag, cond);
    } else {
        h = (FdHandler *)g_source_new(&fd_source_funcs, sizeof(FdHandler));
        g_source_set_name(&h->source, "qomu-fd-handler");
        h->fd_read = fd_read;
        h->fd_write = fd_write;
        h->opaque = opaque;
        h->tag = g_source_add_unix_fd(&h->source, fd, cond);
        /* GLib blocks a source that cannot recurse while dispatching it,
         * removing and re-adding its fd: two wake-ups of the context (an
         * eventfd write each) and an extra poll per dispatch.  No handler
         * iterates the loop, so let it "recurse" (QEMU's AioContext
         * source does the same). */
        g_source_set_can_recurse(&h->source, TRUE);
        g_source_attach(&h->source, ctx);
        g_hash_table_insert(fd_handlers, GINT_TO_POINTER(fd), h);
    }
    ml_unlock(&fd_lock);
}

void qomu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque)
{
    assert(qomu_in_main_thread());
    qomu_set_fd_handler_ctx(NULL, fd, fd_read, fd_write, opaque);
}

/* --- clocks --- */

static struct {
    QomuClockSource *get_ns;        /* NULL: host monotonic time */
    void *opaque;
    bool manual;
} virtual_source;

static int64_t get_clock_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t qomu_clock_get_ns(QomuClockType type)
{
    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return get_clock_monotonic();
    case QEMU_CLOCK_VIRTUAL:
        if (virtual_source.get_ns) {
            return virtual_source.get_ns(virtual_source.opaque);
        }
        return get_clock_monotonic();
    default:
        g_assert_not_reached();
    }
}

void qomu_clock_set_virtual_source(QomuClockSource *get_ns, void *opaque,
                                   bool manual)
{
    assert(qomu_in_main_thread());
    virtual_source.get_ns = get_ns;
    virtual_source.opaque = opaque;
    virtual_source.manual = get_ns && manual;
}

void qomu_clock_notify(QomuClockType type)
{
    (void)type;                     /* one source watches every clock */
    g_main_context_wakeup(g_main_context_default());
}

/* --- timers --- */

struct QomuTimer {
    QomuClockType type;
    QomuTimerCB *cb;
    void *opaque;
    int64_t expire_time;            /* -1 if not armed; under timer_lock */
    uint64_t arm_seq;               /* timer_arm_seq when last armed */
    QomuTimer *next;                /* in active_timers[type] */
};

/*
 * One lock for all timer lists: timer_mod() comes from vCPU threads
 * (device registers), the expiry runs in the main thread.
 */
static GMutex timer_lock;
static QomuTimer *active_timers[QEMU_CLOCK_MAX];  /* sorted by expiry */
/* Counts timer_mod() calls, so that qomu_clock_run_timers() can leave a
 * timer armed during its own run for the next call (under timer_lock). */
static uint64_t timer_arm_seq;

QomuTimer *timer_new_ns(QomuClockType type, QomuTimerCB *cb, void *opaque)
{
    QomuTimer *ts = g_new0(QomuTimer, 1);

    assert(type >= 0 && type < QEMU_CLOCK_MAX);
    ts->type = type;
    ts->cb = cb;
    ts->opaque = opaque;
    ts->expire_time = -1;
    return ts;
}

static void timer_del_locked(QomuTimer *ts)
{
    QomuTimer **pt;

    ts->expire_time = -1;
    for (pt = &active_timers[ts->type]; *pt; pt = &(*pt)->next) {
        if (*pt == ts) {
            *pt = ts->next;
            break;
        }
    }
    ts->next = NULL;
}

void timer_mod(QomuTimer *ts, int64_t expire_time)
{
    QomuTimer **pt;
    bool rearm;

    expire_time = MAX(expire_time, 0);
    ml_lock(&timer_lock);
    timer_del_locked(ts);
    /* After every timer expiring at or before us: equal deadlines FIFO */
    for (pt = &active_timers[ts->type]; *pt; pt = &(*pt)->next) {
        if ((*pt)->expire_time > expire_time) {
            break;
        }
    }
    ts->expire_time = expire_time;
    ts->arm_seq = ++timer_arm_seq;
    ts->next = *pt;
    *pt = ts;
    rearm = pt == &active_timers[ts->type];
    ml_unlock(&timer_lock);

    if (rearm) {
        /* The loop may be sleeping towards a later deadline */
        qomu_clock_notify(ts->type);
    }
}

void timer_del(QomuTimer *ts)
{
    ml_lock(&timer_lock);
    timer_del_locked(ts);
    ml_unlock(&timer_lock);
}

bool timer_pending(QomuTimer *ts)
{
    bool pending;

    ml_lock(&timer_lock);
    pending = ts->expire_time >= 0;
    ml_unlock(&timer_lock);
    return pending;
}

void timer_free(QomuTimer *ts)
{
    if (ts) {
        assert(qomu_in_main_thread());
        timer_del(ts);
        g_free(ts);
    }
}

int64_t qomu_clock_next_deadline_ns(QomuClockType type)
{
    int64_t deadline;

    ml_lock(&timer_lock);
    deadline = active_timers[type] ? active_timers[type]->expire_time : -1;
    ml_unlock(&timer_lock);
    return deadline;
}

bool qomu_clock_run_timers(QomuClockType type)
{
    int64_t now = qomu_clock_get_ns(type);
    bool progress = false;
    uint64_t seq;

    assert(qomu_in_main_thread());
    ml_lock(&timer_lock);
    seq = timer_arm_seq;
    ml_unlock(&timer_lock);
    for (;;) {
        QomuTimer *ts;
        QomuTimerCB *cb;
        void *opaque;

        /* Unlink under the lock, call without it: the callback may
         * timer_mod()/timer_free() any timer, its own included. */
        ml_lock(&timer_lock);
        ts = active_timers[type];
        /* A timer (re-)armed since we started waits for the next call,
         * as the header says: one that keeps re-arming itself for "now"
         * must not hold the loop for ever. */
        if (!ts || ts->expire_time > now || ts->arm_seq > seq) {
            ml_unlock(&timer_lock);
            break;
        }
        active_timers[type] = ts->next;
        ts->next = NULL;
        ts->expire_time = -1;
        cb = ts->cb;
        opaque = ts->opaque;
        ml_unlock(&timer_lock);

        cb(opaque);
        progress = true;
    }
    return progress;
}

/*
 * The timer GSource: ready when some clock has an expired timer; else the
 * poll timeout is the time to the earliest deadline, in whole ms rounded
 * up (never early).  A manual virtual clock is checked but never waited
 * for: it only moves when someone advances it and calls
 * qomu_clock_notify().
 */
static gboolean timer_source_prepare(GSource *source QOMU_UNUSED,
                                     gint *timeout)
{
    int64_t wait_ns = -1;

    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        int64_t deadline = qomu_clock_next_deadline_ns(type);
        int64_t delta;

        if (deadline < 0) {
            continue;
        }
        delta = deadline - qomu_clock_get_ns(type);
        if (delta <= 0) {
            *timeout = 0;
            return TRUE;
        }
        if (type == QEMU_CLOCK_VIRTUAL && virtual_source.manual) {
            continue;
        }
        if (wait_ns < 0 || delta < wait_ns) {
            wait_ns = delta;
        }
    }
    *timeout = wait_ns < 0 ? -1 : (gint)MIN((wait_ns + 999999) / 1000000,
                                            G_MAXINT);
    return FALSE;
}

static gboolean timer_source_check(GSource *source)
{
    gint unused;

    return timer_source_prepare(source, &unused);
}

static gboolean timer_source_dispatch(GSource *source QOMU_UNUSED,
                                      GSourceFunc cb QOMU_UNUSED,
                                      gpointer data QOMU_UNUSED)
{
    for (int type = 0; type < QEMU_CLOCK_MAX; type++) {
        qomu_clock_run_timers(type);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
    .prepare = timer_source_prepare,
    .check = timer_source_check,
    .dispatch = timer_source_dispatch,
};

/* --- setup --- */

static void attach_source(GSourceFuncs *funcs, const char *name)
{
    GSource *source = g_source_new(funcs, sizeof(GSource));

    g_source_set_name(source, name);
    g_source_attach(source, g_main_context_default());
    g_source_unref(source);         /* the context keeps it for good */
}

void main_loop_init(void)
{
    static const int termsigs[] = { SIGTERM, SIGINT, SIGHUP };

    if (main_thread) {
        assert(qomu_in_main_thread());
        return;
    }
    main_thread = g_thread_self();

    attach_source(&bh_source_funcs, "qomu-bh");
    attach_source(&timer_source_funcs, "qomu-timers");
    for (size_t i = 0; i < ARRAY_SIZE(termsigs); i++) {
        g_unix_signal_add(termsigs[i], termsig_handler,
                          GINT_TO_POINTER(termsigs[i]));
    }
}
