/*
 * test-thread.c - named threads, thread ids, signal mask, QomuEvent.
 *
 * The names are checked where users see them: the kernel's
 * /proc/self/task/<tid>/comm.  Thread creation failure is provoked in a
 * forked child by capping its address space (RLIMIT_AS), so that no new
 * thread stack can be mapped.
 */
#include "util/osdep.h"
#include "util/thread.h"
#include "harness.h"
#include "vcpu-helper.h"            /* thread_comm() */

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* A thread that records what it sees, then waits to be released. */
typedef struct Probe {
    QomuThread *self;           /* set by the creator before @go */
    QomuEvent ready;            /* the thread has filled in the fields */
    QomuEvent go;               /* the thread may return */
    pid_t tid;
    bool is_self;
    bool sigterm_blocked;
    bool sigsegv_blocked;
} Probe;

static void *probe_fn(void *opaque)
{
    Probe *p = opaque;
    sigset_t mask;

    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    p->sigterm_blocked = sigismember(&mask, SIGTERM);
    p->sigsegv_blocked = sigismember(&mask, SIGSEGV);
    p->tid = qomu_get_thread_id();
    qomu_event_set(&p->ready);
    qomu_event_wait(&p->go);
    p->is_self = qomu_thread_is_self(p->self);
    return p;
}

static void probe_start(Probe *p, const char *name)
{
    memset(p, 0, sizeof(*p));
    qomu_event_init(&p->ready, false);
    qomu_event_init(&p->go, false);
    p->self = qomu_thread_create(name, probe_fn, p, &error_abort);
    qomu_event_wait(&p->ready);
}

static void probe_finish(Probe *p)
{
    qomu_event_set(&p->go);
    CU_ASSERT_PTR_EQUAL(qomu_thread_join(p->self), p);
    qomu_event_destroy(&p->ready);
    qomu_event_destroy(&p->go);
}

/* --- /thread/create --- */

static void test_create_name(void)
{
    Probe p;
    g_autofree char *comm = NULL;

    probe_start(&p, "CPU 0/KVM");
    comm = thread_comm(qomu_thread_get_tid(p.self));
    CU_ASSERT_STRING_EQUAL(comm ? comm : "(none)", "CPU 0/KVM");
    probe_finish(&p);
}

static void test_create_long_name(void)
{
    /* GLib alone would leave the name unset past 15 characters */
    Probe p;
    g_autofree char *comm = NULL;

    probe_start(&p, "IO iothread-block0");
    comm = thread_comm(qomu_thread_get_tid(p.self));
    CU_ASSERT_STRING_EQUAL(comm ? comm : "(none)", "IO iothread-blo");
    probe_finish(&p);
}

static void *return_arg_plus_one(void *arg)
{
    return (char *)arg + 1;
}

static void test_join_value(void)
{
    static char buf[2];
    QomuThread *t = qomu_thread_create("join", return_arg_plus_one, buf,
                                       &error_abort);

    CU_ASSERT_PTR_EQUAL(qomu_thread_join(t), buf + 1);
}

static void *block_forever(void *opaque)
{
    qomu_event_wait(opaque);
    return NULL;
}

static void test_create_failure(void)
{
    pid_t pid;
    int status;

#ifdef __SANITIZE_THREAD__
    /* TSan's shadow memory cannot live under an RLIMIT_AS cap */
    harness_skip("ThreadSanitizer cannot run under RLIMIT_AS");
#endif
    fflush(NULL);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        /* Child: room for small allocations, none for an 8 MiB stack.
         * Threads are created until the OS refuses: stacks cached from
         * earlier threads may satisfy the first ones. */
        g_autofree char *statm = NULL;
        QomuEvent never;
        Error *err = NULL;
        struct rlimit rl;
        int i;

        qomu_event_init(&never, false);
        if (!g_file_get_contents("/proc/self/statm", &statm, NULL, NULL)) {
            _exit(3);
        }
        rl.rlim_cur = rl.rlim_max = atol(statm) * sysconf(_SC_PAGESIZE) +
                                    4 * 1024 * 1024;
        if (setrlimit(RLIMIT_AS, &rl)) {
            _exit(3);
        }
        for (i = 0; i < 64; i++) {
            if (!qomu_thread_create("doomed", block_forever, &never,
                                    &err)) {
                break;
            }
        }
        if (i == 64 || !err) {
            _exit(4);
        }
        if (strcmp(error_get_pretty(err), "Failed to create thread "
                   "'doomed': Resource temporarily unavailable")) {
            fprintf(stderr, "unexpected: %s\n", error_get_pretty(err));
            _exit(5);
        }
        _exit(0);
    }
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

/* --- /thread/id --- */

static void test_id_main(void)
{
    CU_ASSERT_EQUAL(qomu_get_thread_id(), getpid());
}

static void test_id_thread(void)
{
    Probe p;

    probe_start(&p, "tid");
    CU_ASSERT(p.tid > 0);
    CU_ASSERT_NOT_EQUAL(p.tid, getpid());
    CU_ASSERT_EQUAL(qomu_thread_get_tid(p.self), p.tid);
    probe_finish(&p);
}

static void test_id_is_self(void)
{
    Probe p;

    probe_start(&p, "self");
    CU_ASSERT_FALSE(qomu_thread_is_self(p.self));
    qomu_event_set(&p.go);
    qomu_thread_join(p.self);
    CU_ASSERT_TRUE(p.is_self);
    qomu_event_destroy(&p.ready);
    qomu_event_destroy(&p.go);
}

/* --- /thread/signals --- */

static void test_signals_blocked(void)
{
    sigset_t before, after;
    Probe p;

    pthread_sigmask(SIG_BLOCK, NULL, &before);
    probe_start(&p, "sigmask");
    pthread_sigmask(SIG_BLOCK, NULL, &after);
    CU_ASSERT_TRUE(p.sigterm_blocked);
    CU_ASSERT_FALSE(p.sigsegv_blocked);
    /* The creator's own mask is restored */
    CU_ASSERT_EQUAL(sigismember(&before, SIGTERM),
                    sigismember(&after, SIGTERM));
    CU_ASSERT_FALSE(sigismember(&after, SIGTERM));
    probe_finish(&p);
}

/* --- /thread/event --- */

typedef struct Vcpu {
    QomuEvent created;
    int vcpu_fd;                /* "created" by the thread */
} Vcpu;

static void *vcpu_thread_fn(void *opaque)
{
    Vcpu *cpu = opaque;

    g_usleep(1000);             /* KVM_CREATE_VCPU takes a while */
    cpu->vcpu_fd = 42;
    qomu_event_set(&cpu->created);
    return NULL;
}

static void test_event_creation_wait(void)
{
    /* qemu_init_vcpu(): start the thread, wait until it has created */
    enum { N = 8 };
    Vcpu cpus[N];
    QomuThread *threads[N];

    for (int i = 0; i < N; i++) {
        g_autofree char *name = g_strdup_printf("CPU %d/KVM", i);

        cpus[i].vcpu_fd = -1;
        qomu_event_init(&cpus[i].created, false);
        threads[i] = qomu_thread_create(name, vcpu_thread_fn, &cpus[i],
                                        &error_abort);
        qomu_event_wait(&cpus[i].created);
        CU_ASSERT_EQUAL(cpus[i].vcpu_fd, 42);
    }
    for (int i = 0; i < N; i++) {
        qomu_thread_join(threads[i]);
        qomu_event_destroy(&cpus[i].created);
    }
}

static void test_event_latch(void)
{
    QomuEvent ev;

    /* A set before the wait is remembered; wait does not consume it */
    qomu_event_init(&ev, true);
    qomu_event_wait(&ev);
    qomu_event_wait(&ev);
    qomu_event_reset(&ev);
    qomu_event_set(&ev);
    qomu_event_set(&ev);
    qomu_event_wait(&ev);
    qomu_event_destroy(&ev);
}

typedef struct Waiter {
    QomuEvent *ev;
    int *woken;
} Waiter;

static void *waiter_fn(void *opaque)
{
    Waiter *w = opaque;

    qomu_event_wait(w->ev);
    g_atomic_int_inc(w->woken);
    return NULL;
}

static void test_event_broadcast(void)
{
    enum { N = 4 };
    QomuEvent ev;
    QomuThread *threads[N];
    int woken = 0;
    Waiter w = { &ev, &woken };

    qomu_event_init(&ev, false);
    for (int i = 0; i < N; i++) {
        threads[i] = qomu_thread_create("waiter", waiter_fn, &w,
                                        &error_abort);
    }
    g_usleep(10000);
    CU_ASSERT_EQUAL(g_atomic_int_get(&woken), 0);
    qomu_event_set(&ev);
    for (int i = 0; i < N; i++) {
        qomu_thread_join(threads[i]);
    }
    CU_ASSERT_EQUAL(woken, N);
    qomu_event_destroy(&ev);
}

int main(int argc, char **argv)
{
    harness_add("/thread/create/name", test_create_name);
    harness_add("/thread/create/long-name", test_create_long_name);
    harness_add("/thread/create/failure", test_create_failure);
    harness_add("/thread/join/value", test_join_value);
    harness_add("/thread/id/main", test_id_main);
    harness_add("/thread/id/thread", test_id_thread);
    harness_add("/thread/id/is-self", test_id_is_self);
    harness_add("/thread/signals/blocked", test_signals_blocked);
    harness_add("/thread/event/creation-wait", test_event_creation_wait);
    harness_add("/thread/event/latch", test_event_latch);
    harness_add("/thread/event/broadcast", test_event_broadcast);
    return harness_run(argc, argv);
}
