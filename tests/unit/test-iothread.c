/*
 * test-iothread.c - "iothread" (system/iothread.c) and the user-creatable
 * path (qom/user-creatable.c): create/delete, properties and QEMU's
 * messages, a BH runs in the thread, polling, the thread is joined.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/main-loop.h"
#include "qom/user-creatable.h"
#include "system/iothread.h"
#include "harness.h"
#include "object-helper.h"

#include <dirent.h>

static IOThread *make(const char *spec, Error **errp)
{
    return (IOThread *)object_helper_add(spec, errp);
}

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d))) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

static void test_create_delete(void)
{
    int before = count_threads();
    IOThread *t = make("iothread,id=io0", &error_abort);
    g_autofree char *comm_path = NULL;
    g_autofree char *comm = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_EQUAL(iothread_by_id("io0"), t);
    CU_ASSERT_STRING_EQUAL(iothread_get_id(t), "io0");
    CU_ASSERT_EQUAL(count_threads(), before + 1);
    CU_ASSERT(t->thread_id > 0);
    CU_ASSERT_PTR_NOT_NULL(iothread_get_aio_context(t));
    /* QEMU's name, "IO <id>" */
    comm_path = g_strdup_printf("/proc/self/task/%d/comm", (int)t->thread_id);
    CU_ASSERT_TRUE(g_file_get_contents(comm_path, &comm, NULL, NULL));
    CU_ASSERT_STRING_EQUAL(comm, "IO io0\n");
    CU_ASSERT_TRUE(user_creatable_del("io0", &error_abort));
    /* Joined.  The kernel wakes the joiner (clearing the tid) a moment
     * before it drops the task from /proc/self/task: allow it 2 s. */
    for (int i = 0; i < 2000 && count_threads() != before; i++) {
        g_usleep(1000);
    }
    CU_ASSERT_EQUAL(count_threads(), before);
    CU_ASSERT_PTR_NULL(iothread_by_id("io0"));
}

static void test_properties(void)
{
    IOThread *t = make("iothread,id=io1,poll-max-ns=0,poll-grow=3,"
                       "poll-shrink=4,aio-max-batch=5", &error_abort);
    Error *err = NULL;

    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(t), "poll-max-ns",
                                            &error_abort), 0);
    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(t), "poll-grow",
                                            &error_abort), 3);
    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(t), "poll-shrink",
                                            &error_abort), 4);
    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(t), "aio-max-batch",
                                            &error_abort), 5);
    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(t), "thread-pool-max",
                                            &error_abort), 64);
    /* aio-max-batch is the batch limit of the thread's engines */
    CU_ASSERT_EQUAL(aio_context_max_batch(iothread_get_aio_context(t), 32,
                                          128), 5);
    /* qom-set at run time */
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(t), "poll-max-ns", 1000,
                                           &error_abort));
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(t), "aio-max-batch", 0,
                                           &error_abort));
    CU_ASSERT_EQUAL(aio_context_max_batch(iothread_get_aio_context(t), 32,
                                          128), 32);
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(t), "aio-max-batch",
                                           1000, &error_abort));
    CU_ASSERT_EQUAL(aio_context_max_batch(iothread_get_aio_context(t), 32,
                                          128), 128);
    /* a bad pool pair at run time: refused, and (as QEMU) kept */
    CU_ASSERT_FALSE(object_property_set_int(OBJECT(t), "thread-pool-max", 0,
                                            &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "bad thread-pool-min/thread-pool-max values");
    error_free(err);
    err = NULL;
    CU_ASSERT_EQUAL(object_property_get_int(OBJECT(t), "thread-pool-max",
                                            &error_abort), 0);
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(t), "thread-pool-max", 8,
                                           &error_abort));
    CU_ASSERT_FALSE(object_property_set_int(OBJECT(t), "poll-grow", -1,
                                            &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "poll-grow value must be in range "
                           "[0, 9223372036854775807]");
    error_free(err);
    err = NULL;
    /* a duplicate id, as object-add says it */
    CU_ASSERT_PTR_NULL(make("iothread,id=io1", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "attempt to add duplicate property 'io1' to "
                           "object (type 'container')");
    error_free(err);
    CU_ASSERT_TRUE(user_creatable_del("io1", &error_abort));
    err = NULL;
    CU_ASSERT_FALSE(user_creatable_del("io1", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "object 'io1' not found");
    error_free(err);
}

static void test_bad_options(void)
{
    static const struct {
        const char *spec, *msg;
    } cases[] = {
        { "iothread", "Parameter 'id' is missing" },
        { "id=x", "Parameter 'qom-type' is missing" },
        { "foo,id=x", "Parameter 'qom-type' does not accept value 'foo'" },
        { "iothread,id=1x", "Parameter 'id' expects an identifier" },
        { "iothread,id=x,foo=1", "Invalid parameter 'foo'" },
        { "iothread,id=x,poll-grow=abc",
          "Parameter 'poll-grow' expects an int64 value" },
        { "iothread,id=x,poll-max-ns=1k",
          "Parameter 'poll-max-ns' expects an int64 value" },
        { "iothread,id=x,poll-max-ns=-1",
          "poll-max-ns value must be in range [0, 9223372036854775807]" },
        { "iothread,id=x,aio-max-batch=-1",
          "aio-max-batch value must be in range [0, 9223372036854775807]" },
        /* event-loop-base's pool check, in either order, and 0 */
        { "iothread,id=x,thread-pool-min=65",
          "bad thread-pool-min/thread-pool-max values" },
        { "iothread,id=x,thread-pool-max=3,thread-pool-min=4",
          "bad thread-pool-min/thread-pool-max values" },
        { "iothread,id=x,thread-pool-max=0",
          "bad thread-pool-min/thread-pool-max values" },
        { "iothread,id=x,thread-pool-max=2147483648",
          "bad thread-pool-min/thread-pool-max values" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Error *err = NULL;

        CU_ASSERT_PTR_NULL(make(cases[i].spec, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_STRING_EQUAL(error_get_pretty(err), cases[i].msg);
        error_free(err);
    }
    CU_ASSERT_PTR_NULL(iothread_by_id("x"));
}

typedef struct BHState {
    GThread *thread;
    int runs;
} BHState;

static void record_bh(void *opaque)
{
    BHState *st = opaque;

    st->thread = g_thread_self();
    st->runs++;
}

static void test_bh_runs_in_thread(void)
{
    IOThread *t = make("iothread,id=io2", &error_abort);
    BHState st = { 0 };

    iothread_run_sync(t, record_bh, &st);
    CU_ASSERT_EQUAL(st.runs, 1);
    CU_ASSERT_PTR_NOT_NULL(st.thread);
    CU_ASSERT_PTR_NOT_EQUAL(st.thread, g_thread_self());
    /* a second one: the same thread */
    GThread *first = st.thread;
    iothread_run_sync(t, record_bh, &st);
    CU_ASSERT_EQUAL(st.runs, 2);
    CU_ASSERT_PTR_EQUAL(st.thread, first);
    /* a plain one-shot BH, waited for at deletion (the thread drains) */
    aio_bh_schedule_oneshot(iothread_get_aio_context(t), record_bh, &st);
    user_creatable_cleanup();
    CU_ASSERT_EQUAL(st.runs, 3);
}

/* A poll handler whose "ring" is a counter the test thread bumps. */
typedef struct FakeQueue {
    IOThreadPollHandler h;
    int avail;                          /* atomic */
    int served;                         /* atomic */
    bool notify_off;                    /* iothread */
    int begins, ends;
} FakeQueue;

static bool fq_poll(void *opaque)
{
    FakeQueue *q = opaque;

    return g_atomic_int_get(&q->avail) > g_atomic_int_get(&q->served);
}

static void fq_ready(void *opaque)
{
    FakeQueue *q = opaque;

    g_atomic_int_set(&q->served, g_atomic_int_get(&q->avail));
}

static void fq_begin(void *opaque)
{
    FakeQueue *q = opaque;

    q->notify_off = true;
    q->begins++;
}

static bool fq_end(void *opaque)
{
    FakeQueue *q = opaque;

    q->notify_off = false;
    q->ends++;
    return fq_poll(q);
}

static void fq_add(void *opaque)
{
    FakeQueue *q = opaque;

    iothread_add_poll_handler(IOTHREAD(object_resolve_path_component(
        object_get_objects_root(), "io3")), &q->h);
}

static void fq_remove(void *opaque)
{
    FakeQueue *q = opaque;

    iothread_remove_poll_handler(IOTHREAD(object_resolve_path_component(
        object_get_objects_root(), "io3")), &q->h);
}

static void wake(void *opaque)
{
}

static void test_polling(void)
{
    IOThread *t = make("iothread,id=io3,poll-max-ns=2000000", &error_abort);
    FakeQueue q = { .h = { .poll = fq_poll, .ready = fq_ready,
                           .begin = fq_begin, .end = fq_end } };

    q.h.opaque = &q;
    iothread_run_sync(t, fq_add, &q);
    /* Short waits between requests: polling grows and then finds them
     * without any notification (no BH, no fd) */
    for (int i = 1; i <= 100; i++) {
        gint64 deadline = g_get_monotonic_time() + 200;

        g_atomic_int_set(&q.avail, i);
        while (g_atomic_int_get(&q.served) < i) {
            if (g_get_monotonic_time() > deadline) {
                /* not found by polling: kick, as a guest would */
                aio_bh_schedule_oneshot(iothread_get_aio_context(t), wake,
                                        NULL);
                deadline = g_get_monotonic_time() + 1000;
            }
        }
        g_usleep(20);
    }
    iothread_run_sync(t, fq_remove, &q);
    CU_ASSERT_EQUAL(q.begins, q.ends);
    CU_ASSERT_FALSE(q.notify_off);
    CU_ASSERT(t->poll_successes > 0);
    CU_ASSERT(t->poll_ns > 0 && t->poll_ns <= 2000000);
    /* poll-max-ns=0 turns it off */
    CU_ASSERT_TRUE(object_property_set_int(OBJECT(t), "poll-max-ns", 0,
                                           &error_abort));
    user_creatable_cleanup();
}

int main(int argc, char **argv)
{
    main_loop_init();
    object_get_objects_root();
    harness_add("/iothread/create-delete", test_create_delete);
    harness_add("/iothread/properties", test_properties);
    harness_add("/iothread/bad-options", test_bad_options);
    harness_add("/iothread/bh", test_bh_runs_in_thread);
    harness_add("/iothread/polling", test_polling);
    return harness_run(argc, argv);
}
