/*
 * test-main-loop.c - the main loop: quit, bottom halves, fd handlers,
 * timers on the realtime and a hooked virtual clock, termination signals;
 * and "main-loop" (system/main-loop.c), the -object that tunes it.
 *
 * Every main_loop_run() here is guarded by a watchdog timer, so a broken
 * wakeup fails the test in seconds instead of hanging the suite.
 */
#include "util/osdep.h"
#include "util/main-loop.h"
#include "util/thread.h"
#include "block/aio.h"
#include "harness.h"
#include "object-helper.h"

#include <signal.h>
#include <sys/socket.h>

#define MS 1000000LL            /* ns per ms */

static int64_t now_ns(void)
{
    return qomu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

/* --- watchdog --- */

static bool watchdog_fired;

static void watchdog_cb(void *opaque QOMU_UNUSED)
{
    watchdog_fired = true;
    main_loop_quit();
}

/* main_loop_run(), failing the test if it takes longer than @ms. */
static int run_loop(int64_t ms)
{
    QomuTimer *wd = timer_new_ns(QEMU_CLOCK_REALTIME, watchdog_cb, NULL);
    int ret;

    watchdog_fired = false;
    timer_mod(wd, now_ns() + ms * MS);
    ret = main_loop_run();
    timer_free(wd);
    CU_ASSERT_FALSE(watchdog_fired);
    return ret;
}

/* A timer that just quits the loop: "run for @ms, then stop". */
static void quit_cb(void *opaque QOMU_UNUSED)
{
    main_loop_quit();
}

static void run_for(int64_t ms)
{
    QomuTimer *t = timer_new_ns(QEMU_CLOCK_REALTIME, quit_cb, NULL);

    timer_mod(t, now_ns() + ms * MS);
    CU_ASSERT_EQUAL(run_loop(ms + 2000), 0);
    timer_free(t);
}

/* --- /main-loop/quit --- */

static void test_quit_before_run(void)
{
    /* A quit requested before the loop runs is not lost */
    main_loop_quit();
    CU_ASSERT_EQUAL(run_loop(2000), 0);
}

/* CUnit is not thread-safe: threads report through their return value */
static void *quit_thread_fn(void *opaque QOMU_UNUSED)
{
    bool in_main = qomu_in_main_thread();

    g_usleep(10000);
    main_loop_quit();
    return GINT_TO_POINTER(in_main);
}

static void test_quit_from_thread(void)
{
    QomuThread *t = qomu_thread_create("quitter", quit_thread_fn, NULL,
                                       &error_abort);

    CU_ASSERT_TRUE(qomu_in_main_thread());
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_FALSE(GPOINTER_TO_INT(qomu_thread_join(t)));
}

/* --- /main-loop/bh --- */

typedef struct BHCount {
    QomuBH *bh;
    int count;                  /* atomic */
    bool wrong_thread;
    QomuEvent ran;
} BHCount;

static void count_cb(void *opaque)
{
    BHCount *c = opaque;

    if (!qomu_in_main_thread()) {
        c->wrong_thread = true;
    }
    g_atomic_int_inc(&c->count);
    qomu_event_set(&c->ran);
}

enum { BH_ROUNDS = 100 };

static void *bh_thread_fn(void *opaque)
{
    BHCount *c = opaque;

    /* One schedule at a time: each must give exactly one run */
    for (int i = 0; i < BH_ROUNDS; i++) {
        qomu_event_reset(&c->ran);
        qomu_bh_schedule(c->bh);
        qomu_event_wait(&c->ran);
    }
    main_loop_quit();
    return NULL;
}

static void test_bh_from_thread(void)
{
    BHCount c = { .count = 0 };
    QomuThread *t;

    qomu_event_init(&c.ran, false);
    c.bh = qomu_bh_new(count_cb, &c);
    t = qomu_thread_create("bh-scheduler", bh_thread_fn, &c, &error_abort);
    CU_ASSERT_EQUAL(run_loop(5000), 0);
    qomu_thread_join(t);
    CU_ASSERT_EQUAL(c.count, BH_ROUNDS);
    CU_ASSERT_FALSE(c.wrong_thread);
    qomu_bh_delete(c.bh);
    qomu_event_destroy(&c.ran);
}

static void quit_bh_cb(void *opaque QOMU_UNUSED)
{
    main_loop_quit();
}

static void test_bh_coalesce(void)
{
    BHCount c = { .count = 0 };
    QomuBH *quit = qomu_bh_new(quit_bh_cb, NULL);

    qomu_event_init(&c.ran, false);
    c.bh = qomu_bh_new(count_cb, &c);
    qomu_bh_schedule(c.bh);
    qomu_bh_schedule(c.bh);     /* still pending: no second run */
    qomu_bh_schedule(quit);     /* runs after c.bh: BHs run in order */
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(c.count, 1);
    qomu_bh_delete(c.bh);
    qomu_bh_delete(quit);
    qomu_event_destroy(&c.ran);
}

typedef struct Resched {
    QomuBH *self;
    int runs;
} Resched;

static void resched_self_cb(void *opaque)
{
    Resched *r = opaque;

    r->runs++;
    if (r->runs == 1 || r->runs == 5) {
        main_loop_quit();
    }
    if (r->runs < 5) {
        qomu_bh_schedule(r->self);
    }
}

static void test_bh_reschedule_self(void)
{
    /* A BH rescheduling itself runs again in a later pass, not in the
     * same one: the loop gets to check for quit (and for I/O) between
     * runs instead of spinning in the BH. */
    Resched r = { 0 };

    r.self = qomu_bh_new(resched_self_cb, &r);
    qomu_bh_schedule(r.self);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(r.runs, 1);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(r.runs, 5);
    qomu_bh_delete(r.self);
}

static void test_bh_delete_scheduled(void)
{
    BHCount c = { .count = 0 };
    QomuBH *quit = qomu_bh_new(quit_bh_cb, NULL);

    qomu_event_init(&c.ran, false);
    c.bh = qomu_bh_new(count_cb, &c);
    qomu_bh_schedule(c.bh);
    qomu_bh_delete(c.bh);       /* cancels: never runs */
    qomu_bh_schedule(quit);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(c.count, 0);
    qomu_bh_delete(quit);
    qomu_event_destroy(&c.ran);
}

static void delete_self_cb(void *opaque)
{
    QomuBH **bh = opaque;

    qomu_bh_delete(*bh);        /* ASan: not touched afterwards */
    *bh = NULL;
    main_loop_quit();
}

static void test_bh_delete_in_callback(void)
{
    QomuBH *bh = NULL;

    bh = qomu_bh_new(delete_self_cb, &bh);
    qomu_bh_schedule(bh);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_PTR_NULL(bh);
}

/* --- /main-loop/fd --- */

typedef struct Pipe {
    int fds[2];                 /* [0] read end, [1] write end */
    int reads;
    int writes;
    char last;
    ssize_t last_len;
} Pipe;

static void pipe_open(Pipe *p)
{
    memset(p, 0, sizeof(*p));
    CU_ASSERT_EQUAL_FATAL(pipe(p->fds), 0);
}

static void pipe_close(Pipe *p)
{
    if (p->fds[0] >= 0) {
        close(p->fds[0]);
    }
    if (p->fds[1] >= 0) {
        close(p->fds[1]);
    }
}

static void pipe_read_cb(void *opaque)
{
    Pipe *p = opaque;

    CU_ASSERT_TRUE(qomu_in_main_thread());
    p->reads++;
    p->last_len = read(p->fds[0], &p->last, 1);
    qomu_set_fd_handler(p->fds[0], NULL, NULL, NULL);
    main_loop_quit();
}

static void *writer_thread_fn(void *opaque)
{
    Pipe *p = opaque;

    g_usleep(5000);
    return GINT_TO_POINTER(write(p->fds[1], "x", 1) == 1);
}

static void test_fd_read(void)
{
    Pipe p;
    QomuThread *t;

    pipe_open(&p);
    qomu_set_fd_handler(p.fds[0], pipe_read_cb, NULL, &p);
    t = qomu_thread_create("writer", writer_thread_fn, &p, &error_abort);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_TRUE(GPOINTER_TO_INT(qomu_thread_join(t)));
    CU_ASSERT_EQUAL(p.reads, 1);
    CU_ASSERT_EQUAL(p.last_len, 1);
    CU_ASSERT_EQUAL(p.last, 'x');
    pipe_close(&p);
}

static void pipe_write_cb(void *opaque)
{
    Pipe *p = opaque;

    p->writes++;
    qomu_set_fd_handler(p->fds[1], NULL, NULL, NULL);
    main_loop_quit();
}

static void test_fd_write(void)
{
    Pipe p;

    pipe_open(&p);
    qomu_set_fd_handler(p.fds[1], NULL, pipe_write_cb, &p);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(p.writes, 1);
    pipe_close(&p);
}

static void test_fd_removed(void)
{
    Pipe p;

    pipe_open(&p);
    qomu_set_fd_handler(p.fds[0], pipe_read_cb, NULL, &p);
    qomu_set_fd_handler(p.fds[0], NULL, NULL, NULL);
    CU_ASSERT_EQUAL(write(p.fds[1], "x", 1), 1);
    run_for(30);
    CU_ASSERT_EQUAL(p.reads, 0);
    pipe_close(&p);
}

static void test_fd_replace(void)
{
    /* Setting handlers again replaces them: write watch -> read watch */
    Pipe p;

    pipe_open(&p);
    qomu_set_fd_handler(p.fds[0], NULL, pipe_write_cb, &p);
    qomu_set_fd_handler(p.fds[0], pipe_read_cb, NULL, &p);
    CU_ASSERT_EQUAL(write(p.fds[1], "y", 1), 1);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(p.reads, 1);
    CU_ASSERT_EQUAL(p.writes, 0);
    CU_ASSERT_EQUAL(p.last, 'y');
    pipe_close(&p);
}

static void test_fd_hangup(void)
{
    /* The peer closing counts as readable: read() then returns 0 */
    Pipe p;

    pipe_open(&p);
    qomu_set_fd_handler(p.fds[0], pipe_read_cb, NULL, &p);
    close(p.fds[1]);
    p.fds[1] = -1;
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(p.reads, 1);
    CU_ASSERT_EQUAL(p.last_len, 0);
    pipe_close(&p);
}

static void test_fd_remove_in_read(void)
{
    /* A socket both readable and writable: the read handler removes the
     * watch, so the write handler of the same pass must not run. */
    Pipe p;

    memset(&p, 0, sizeof(p));
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, p.fds), 0);
    CU_ASSERT_EQUAL(write(p.fds[1], "z", 1), 1);
    qomu_set_fd_handler(p.fds[0], pipe_read_cb, pipe_write_cb, &p);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(p.reads, 1);
    CU_ASSERT_EQUAL(p.writes, 0);
    pipe_close(&p);
}

/* --- /main-loop/timer --- */

typedef struct Fired {
    int order[8];
    int n;
    int quit_after;             /* quit when n reaches this */
} Fired;

typedef struct TimerProbe {
    QomuTimer *timer;
    Fired *fired;
    int id;
    int64_t deadline;
    int64_t fired_at;           /* clock value seen in the callback */
    QomuClockType clock;
} TimerProbe;

static void probe_cb(void *opaque)
{
    TimerProbe *tp = opaque;
    Fired *f = tp->fired;

    CU_ASSERT_TRUE(qomu_in_main_thread());
    tp->fired_at = qomu_clock_get_ns(tp->clock);
    if (f->n < (int)ARRAY_SIZE(f->order)) {
        f->order[f->n] = tp->id;
    }
    if (++f->n == f->quit_after) {
        main_loop_quit();
    }
}

static void probe_init(TimerProbe *tp, QomuClockType clock, Fired *f, int id)
{
    memset(tp, 0, sizeof(*tp));
    tp->clock = clock;
    tp->fired = f;
    tp->id = id;
    tp->fired_at = -1;
    tp->timer = timer_new_ns(clock, probe_cb, tp);
}

static void probe_arm(TimerProbe *tp, int64_t deadline)
{
    tp->deadline = deadline;
    timer_mod(tp->timer, deadline);
}

static void test_timer_order(void)
{
    /* Deadline order; equal deadlines in arming order */
    static const int64_t offset_ms[] = { 30, 10, 20, 40, 40 };
    static const int expected[] = { 1, 2, 0, 3, 4 };
    TimerProbe tp[ARRAY_SIZE(offset_ms)];
    Fired f = { .quit_after = ARRAY_SIZE(offset_ms) };
    int64_t base = now_ns();

    for (size_t i = 0; i < ARRAY_SIZE(tp); i++) {
        probe_init(&tp[i], QEMU_CLOCK_REALTIME, &f, i);
        probe_arm(&tp[i], base + offset_ms[i] * MS);
    }
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(f.n, ARRAY_SIZE(expected));
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        CU_ASSERT_EQUAL(f.order[i], expected[i]);
        /* Never early */
        CU_ASSERT(tp[i].fired_at >= tp[i].deadline);
        CU_ASSERT_FALSE(timer_pending(tp[i].timer));
        timer_free(tp[i].timer);
    }
}

static void test_timer_del(void)
{
    Fired f = { .quit_after = 1 };
    TimerProbe tp;

    probe_init(&tp, QEMU_CLOCK_REALTIME, &f, 0);
    CU_ASSERT_FALSE(timer_pending(tp.timer));
    probe_arm(&tp, now_ns() + 5 * MS);
    CU_ASSERT_TRUE(timer_pending(tp.timer));
    timer_del(tp.timer);
    CU_ASSERT_FALSE(timer_pending(tp.timer));
    timer_del(tp.timer);        /* twice is fine */
    run_for(30);
    CU_ASSERT_EQUAL(f.n, 0);
    timer_free(tp.timer);
    timer_free(NULL);
}

static void test_timer_mod_moves(void)
{
    /* Re-arming moves the timer: it fires once, at the new deadline */
    Fired f = { .quit_after = 1 };
    TimerProbe tp;

    probe_init(&tp, QEMU_CLOCK_REALTIME, &f, 0);
    probe_arm(&tp, now_ns() + 10000 * MS);
    probe_arm(&tp, now_ns() + 5 * MS);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    run_for(20);
    CU_ASSERT_EQUAL(f.n, 1);
    timer_free(tp.timer);
}

static void *arm_thread_fn(void *opaque)
{
    TimerProbe *tp = opaque;

    g_usleep(10000);            /* let the loop go to sleep first */
    probe_arm(tp, now_ns() + 5 * MS);
    return NULL;
}

static void test_timer_from_thread(void)
{
    /* timer_mod() from another thread wakes the sleeping loop */
    Fired f = { .quit_after = 1 };
    TimerProbe tp;
    QomuThread *t;
    int64_t start = now_ns();

    probe_init(&tp, QEMU_CLOCK_REALTIME, &f, 0);
    t = qomu_thread_create("armer", arm_thread_fn, &tp, &error_abort);
    CU_ASSERT_EQUAL(run_loop(5000), 0);
    qomu_thread_join(t);
    CU_ASSERT_EQUAL(f.n, 1);
    CU_ASSERT(now_ns() - start < 1000 * MS);
    timer_free(tp.timer);
}

static void free_self_cb(void *opaque)
{
    QomuTimer **ts = opaque;

    timer_free(*ts);            /* ASan: not touched afterwards */
    *ts = NULL;
    main_loop_quit();
}

static void test_timer_free_in_callback(void)
{
    QomuTimer *ts = NULL;

    ts = timer_new_ns(QEMU_CLOCK_REALTIME, free_self_cb, &ts);
    timer_mod(ts, now_ns());
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_PTR_NULL(ts);
}

static void test_timer_negative(void)
{
    /* A negative deadline is 0: already expired */
    Fired f = { .quit_after = 1 };
    TimerProbe tp;

    probe_init(&tp, QEMU_CLOCK_REALTIME, &f, 0);
    timer_mod(tp.timer, -5);
    CU_ASSERT_EQUAL(qomu_clock_next_deadline_ns(QEMU_CLOCK_REALTIME), 0);
    CU_ASSERT_EQUAL(run_loop(2000), 0);
    CU_ASSERT_EQUAL(f.n, 1);
    timer_free(tp.timer);
}

/* A manual virtual clock, as a qtest accelerator would drive it */
static int64_t fake_virtual_ns;

static int64_t fake_virtual_clock(void *opaque QOMU_UNUSED)
{
    return fake_virtual_ns;
}

typedef struct Advance {
    TimerProbe *vprobe;
    bool fired_early;
} Advance;

static void advance_cb(void *opaque)
{
    Advance *a = opaque;

    /* 20 ms of real time passed, the virtual clock did not move */
    a->fired_early = a->vprobe->fired_at >= 0;
    fake_virtual_ns = 1000;
    qomu_clock_notify(QEMU_CLOCK_VIRTUAL);
}

static void test_timer_virtual_hook(void)
{
    Fired f = { .quit_after = 1 };
    TimerProbe vtp;
    Advance a = { .vprobe = &vtp };
    QomuTimer *advance = timer_new_ns(QEMU_CLOCK_REALTIME, advance_cb, &a);

    fake_virtual_ns = 0;
    qomu_clock_set_virtual_source(fake_virtual_clock, NULL, true);
    CU_ASSERT_EQUAL(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL), 0);

    probe_init(&vtp, QEMU_CLOCK_VIRTUAL, &f, 0);
    probe_arm(&vtp, 1000);
    timer_mod(advance, now_ns() + 20 * MS);
    CU_ASSERT_EQUAL(run_loop(2000), 0);

    CU_ASSERT_FALSE(a.fired_early);
    CU_ASSERT_EQUAL(f.n, 1);
    CU_ASSERT_EQUAL(vtp.fired_at, 1000);

    qomu_clock_set_virtual_source(NULL, NULL, false);
    CU_ASSERT(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL) > 1000);
    timer_free(vtp.timer);
    timer_free(advance);
}

/* qtest_clock_warp(): step the clock deadline by deadline up to @dest */
static void warp_virtual_clock(int64_t dest)
{
    for (;;) {
        int64_t deadline = qomu_clock_next_deadline_ns(QEMU_CLOCK_VIRTUAL);

        if (deadline < 0 || deadline > dest) {
            break;
        }
        fake_virtual_ns = MAX(fake_virtual_ns, deadline);
        qomu_clock_run_timers(QEMU_CLOCK_VIRTUAL);
    }
    fake_virtual_ns = dest;
}

static void test_timer_virtual_warp(void)
{
    static const int64_t deadlines[] = { 500, 100, 500, 2000 };
    TimerProbe tp[ARRAY_SIZE(deadlines)];
    Fired f = { .quit_after = -1 };

    fake_virtual_ns = 0;
    qomu_clock_set_virtual_source(fake_virtual_clock, NULL, true);
    for (size_t i = 0; i < ARRAY_SIZE(tp); i++) {
        probe_init(&tp[i], QEMU_CLOCK_VIRTUAL, &f, i);
        probe_arm(&tp[i], deadlines[i]);
    }
    CU_ASSERT_FALSE(qomu_clock_run_timers(QEMU_CLOCK_VIRTUAL));
    CU_ASSERT_EQUAL(qomu_clock_next_deadline_ns(QEMU_CLOCK_VIRTUAL), 100);

    warp_virtual_clock(1000);

    /* Each timer saw the clock at its own deadline */
    CU_ASSERT_EQUAL(f.n, 3);
    CU_ASSERT_EQUAL(f.order[0], 1);
    CU_ASSERT_EQUAL(f.order[1], 0);
    CU_ASSERT_EQUAL(f.order[2], 2);
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(tp[i].fired_at, deadlines[i]);
    }
    CU_ASSERT_TRUE(timer_pending(tp[3].timer));
    CU_ASSERT_EQUAL(qomu_clock_next_deadline_ns(QEMU_CLOCK_VIRTUAL), 2000);

    qomu_clock_set_virtual_source(NULL, NULL, false);
    for (size_t i = 0; i < ARRAY_SIZE(tp); i++) {
        timer_free(tp[i].timer);
    }
    CU_ASSERT_EQUAL(qomu_clock_next_deadline_ns(QEMU_CLOCK_VIRTUAL), -1);
}

static void test_clock_monotonic(void)
{
    int64_t a = qomu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t b = qomu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t v1 = qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t v2 = qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    CU_ASSERT(a > 0 && b >= a);
    CU_ASSERT(v1 > 0 && v2 >= v1);
}

/* --- /main-loop/signal --- */

static void check_signal_quits(int sig)
{
    CU_ASSERT_EQUAL_FATAL(raise(sig), 0);
    CU_ASSERT_EQUAL(run_loop(2000), sig);
}

static void test_signal_sigterm(void)
{
    check_signal_quits(SIGTERM);
}

static void test_signal_sigint(void)
{
    check_signal_quits(SIGINT);
}

static void test_signal_sighup(void)
{
    check_signal_quits(SIGHUP);
}

static void *kill_thread_fn(void *opaque QOMU_UNUSED)
{
    g_usleep(5000);
    kill(getpid(), SIGTERM);
    return NULL;
}

static void test_signal_from_thread(void)
{
    /* kill(1) of the process while the loop sleeps, as the host would */
    QomuThread *t = qomu_thread_create("killer", kill_thread_fn, NULL,
                                       &error_abort);

    CU_ASSERT_EQUAL(run_loop(2000), SIGTERM);
    qomu_thread_join(t);
    /* Reported once: the next run ends by plain quit */
    main_loop_quit();
    CU_ASSERT_EQUAL(run_loop(2000), 0);
}

/* --- the main-loop object --- */

/* The main AioContext's batch limit, 32 when it has none of its own. */
static unsigned main_batch(void)
{
    return aio_context_max_batch(qemu_get_aio_context(), 32, 128);
}

static void test_object_batch(void)
{
    Object *m = object_helper_add("main-loop,id=m,aio-max-batch=3",
                                  &error_abort);
    Error *err = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(main_batch(), 3);
    /* qom-set applies at once */
    CU_ASSERT_TRUE(object_property_set_int(m, "aio-max-batch", 7,
                                           &error_abort));
    CU_ASSERT_EQUAL(main_batch(), 7);
    CU_ASSERT_EQUAL(object_property_get_int(m, "thread-pool-max",
                                            &error_abort), 64);
    /* one main loop, which cannot be deleted (QEMU's words) */
    CU_ASSERT_PTR_NULL(object_helper_add("main-loop,id=m2", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "only one main-loop instance allowed");
    error_free(err);
    err = NULL;
    CU_ASSERT_PTR_NULL(object_resolve_path_component(
                           object_get_objects_root(), "m2"));
    CU_ASSERT_FALSE(user_creatable_del("m", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "object 'm' is in use, can not be deleted");
    error_free(err);
    err = NULL;
    /* the pool pair, checked when it changes */
    CU_ASSERT_FALSE(object_property_set_int(m, "thread-pool-min", 65, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "bad thread-pool-min/thread-pool-max values");
    error_free(err);
    CU_ASSERT_TRUE(object_property_set_int(m, "thread-pool-min", 0,
                                           &error_abort));
    /* at exit the object goes, and the loop has the engines' defaults */
    user_creatable_cleanup();
    CU_ASSERT_EQUAL(main_batch(), 32);
    m = object_helper_add("main-loop,id=m3", &error_abort);
    CU_ASSERT_PTR_NOT_NULL(m);
    CU_ASSERT_EQUAL(main_batch(), 32);
    user_creatable_cleanup();
}

static void test_object_bad_options(void)
{
    static const struct {
        const char *spec, *msg;
    } cases[] = {
        { "main-loop,id=x,aio-max-batch=-1",
          "aio-max-batch value must be in range [0, 9223372036854775807]" },
        { "main-loop,id=x,aio-max-batch=x",
          "Parameter 'aio-max-batch' expects an int64 value" },
        { "main-loop,id=x,thread-pool-max=3,thread-pool-min=4",
          "bad thread-pool-min/thread-pool-max values" },
        { "main-loop,id=x,poll-max-ns=1", "Invalid parameter 'poll-max-ns'" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Error *err = NULL;

        CU_ASSERT_PTR_NULL(object_helper_add(cases[i].spec, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_STRING_EQUAL(error_get_pretty(err), cases[i].msg);
        error_free(err);
    }
    /* a refused one leaves no instance behind */
    CU_ASSERT_PTR_NOT_NULL(object_helper_add("main-loop,id=y", &error_abort));
    user_creatable_cleanup();
}

int main(int argc, char **argv)
{
    main_loop_init();
    main_loop_init();           /* idempotent */
    object_get_objects_root();  /* /objects lives on: not a leak */

    harness_add("/main-loop/quit/before-run", test_quit_before_run);
    harness_add("/main-loop/quit/from-thread", test_quit_from_thread);
    harness_add("/main-loop/bh/from-thread", test_bh_from_thread);
    harness_add("/main-loop/bh/coalesce", test_bh_coalesce);
    harness_add("/main-loop/bh/reschedule-self", test_bh_reschedule_self);
    harness_add("/main-loop/bh/delete-scheduled", test_bh_delete_scheduled);
    harness_add("/main-loop/bh/delete-in-callback",
                test_bh_delete_in_callback);
    harness_add("/main-loop/fd/read", test_fd_read);
    harness_add("/main-loop/fd/write", test_fd_write);
    harness_add("/main-loop/fd/removed", test_fd_removed);
    harness_add("/main-loop/fd/replace", test_fd_replace);
    harness_add("/main-loop/fd/hangup", test_fd_hangup);
    harness_add("/main-loop/fd/remove-in-read", test_fd_remove_in_read);
    harness_add("/main-loop/timer/order", test_timer_order);
    harness_add("/main-loop/timer/del", test_timer_del);
    harness_add("/main-loop/timer/mod-moves", test_timer_mod_moves);
    harness_add("/main-loop/timer/from-thread", test_timer_from_thread);
    harness_add("/main-loop/timer/free-in-callback",
                test_timer_free_in_callback);
    harness_add("/main-loop/timer/negative", test_timer_negative);
    harness_add("/main-loop/timer/virtual-hook", test_timer_virtual_hook);
    harness_add("/main-loop/timer/virtual-warp", test_timer_virtual_warp);
    harness_add("/main-loop/clock/monotonic", test_clock_monotonic);
    harness_add("/main-loop/signal/sigterm", test_signal_sigterm);
    harness_add("/main-loop/signal/sigint", test_signal_sigint);
    harness_add("/main-loop/signal/sighup", test_signal_sighup);
    harness_add("/main-loop/signal/from-thread", test_signal_from_thread);
    harness_add("/main-loop/object/batch", test_object_batch);
    harness_add("/main-loop/object/bad-options", test_object_bad_options);
    return harness_run(argc, argv);
}
