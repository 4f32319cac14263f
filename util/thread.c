/*
 * thread.c - named threads and QomuEvent, after QEMU 7.2
 * util/qemu-thread-posix.c.
 *
 * Modelled: qemu_thread_create()'s signal blocking, thread naming (QEMU
 * names threads only with -name debug-threads=on; we always do, it is
 * free), qemu_get_thread_id(), and QemuEvent's set/reset/wait semantics.
 * Not modelled: detached threads (no qomu thread may outlive the machine),
 * qemu_thread_exit(), atexit notifiers, CPU affinity.  QemuEvent's futex
 * fast path is replaced by a GMutex: events are not on any hot path.
 */
#include "util/osdep.h"
#include "util/thread.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

struct QomuThread {
    GThread *gthread;           /* set by the creator once GLib returns */
    char *name;
    void *(*fn)(void *);
    void *arg;
    pid_t tid;                  /* written by the thread before @started */
    QomuEvent started;
};

pid_t qomu_get_thread_id(void)
{
    /* glibc has gettid() only with _GNU_SOURCE; the syscall is the same */
    return syscall(SYS_gettid);
}

/* The first code the new thread runs. */
static gpointer qomu_thread_start(gpointer opaque)
{
    QomuThread *thread = opaque;

    /*
     * GLib names the thread only if the name fits the kernel's 16-byte
     * comm (pthread_setname_np() fails with ERANGE otherwise, and GLib
     * ignores that).  PR_SET_NAME truncates instead: "CPU 12/KVM" and
     * longer names still show their prefix.
     */
    prctl(PR_SET_NAME, thread->name);

    thread->tid = qomu_get_thread_id();
    qomu_event_set(&thread->started);   /* publishes tid (mutex ordering) */

    return thread->fn(thread->arg);
}

QomuThread *qomu_thread_create(const char *name, void *(*fn)(void *),
                               void *arg, Error **errp)
{
    QomuThread *thread = g_new0(QomuThread, 1);
    g_autoptr(GError) gerr = NULL;
    sigset_t set, oldset;

    thread->name = g_strdup(name);
    thread->fn = fn;
    thread->arg = arg;
    qomu_event_init(&thread->started, false);

    /*
     * The new thread inherits our signal mask: block everything around its
     * creation so that process-directed signals go to the main thread
     * (QEMU: "Leave signal handling to the iothread").  Synchronous
     * signals stay unblocked: a blocked SIGSEGV/SIGBUS kills the process
     * without running its handler (ASan's, or a guest-RAM SIGBUS handler).
     */
    sigfillset(&set);
    sigdelset(&set, SIGSEGV);
    sigdelset(&set, SIGBUS);
    sigdelset(&set, SIGFPE);
    sigdelset(&set, SIGILL);
    pthread_sigmask(SIG_SETMASK, &set, &oldset);

    thread->gthread = g_thread_try_new(name, qomu_thread_start, thread, &gerr);

    pthread_sigmask(SIG_SETMASK, &oldset, NULL);

    if (!thread->gthread) {
        /* GLib reports only EAGAIN (G_THREAD_ERROR_AGAIN); others abort */
        error_setg_errno(errp, EAGAIN, "Failed to create thread '%s'", name);
        qomu_event_destroy(&thread->started);
        g_free(thread->name);
        g_free(thread);
        return NULL;
    }
    return thread;
}

void *qomu_thread_join(QomuThread *thread)
{
    void *ret;

    assert(!qomu_thread_is_self(thread));
    ret = g_thread_join(thread->gthread);     /* drops GLib's reference */
    qomu_event_destroy(&thread->started);
    g_free(thread->name);
    g_free(thread);
    return ret;
}

pid_t qomu_thread_get_tid(QomuThread *thread)
{
    qomu_event_wait(&thread->started);
    return thread->tid;
}

bool qomu_thread_is_self(QomuThread *thread)
{
    /* Not thread->gthread: the thread itself may run before its creator
     * has stored it. */
    return qomu_thread_get_tid(thread) == qomu_get_thread_id();
}

/* --- QomuEvent --- */

/*
 * The flag is atomic so that waiting on an event that is already set costs
 * one load, and so that the set -> wait ordering is visible to
 * ThreadSanitizer (GLib's GMutex is a bare futex it cannot see).
 */

void qomu_event_init(QomuEvent *ev, bool init)
{
    g_mutex_init(&ev->lock);
    g_cond_init(&ev->cond);
    ev->set = init;
}

void qomu_event_destroy(QomuEvent *ev)
{
    g_cond_clear(&ev->cond);
    g_mutex_clear(&ev->lock);
}

void qomu_event_set(QomuEvent *ev)
{
    g_mutex_lock(&ev->lock);
    g_atomic_int_set(&ev->set, 1);
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);
}

void qomu_event_reset(QomuEvent *ev)
{
    g_mutex_lock(&ev->lock);
    g_atomic_int_set(&ev->set, 0);
    g_mutex_unlock(&ev->lock);
}

void qomu_event_wait(QomuEvent *ev)
{
    if (g_atomic_int_get(&ev->set)) {
        return;
    }
    g_mutex_lock(&ev->lock);
    while (!g_atomic_int_get(&ev->set)) {   /* wakeups may be spurious */
        g_cond_wait(&ev->cond, &ev->lock);
    }
    g_mutex_unlock(&ev->lock);
}
