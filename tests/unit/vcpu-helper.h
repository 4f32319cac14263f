/*
 * vcpu-helper.h - what the accelerator and CPU tests share: capturing
 * stderr (StderrCapture from capture.h: messages are checked as the user
 * sees them, program name and all), whether /dev/kvm is usable, finding
 * threads by name in /proc/self/task, waiting with a deadline.
 */
#ifndef TESTS_UNIT_VCPU_HELPER_H
#define TESTS_UNIT_VCPU_HELPER_H

#include "util/osdep.h"
#include "util/error-report.h"
#include "capture.h"

#include <fcntl.h>

/* --- /dev/kvm --- */

/* True if /dev/kvm can be opened read-write (else skip the kvm tests). */
static inline bool kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

/* --- threads --- */

/* The kernel's name of thread @tid of this process (g_free), or NULL. */
static inline char *thread_comm(pid_t tid)
{
    g_autofree char *path = g_strdup_printf("/proc/self/task/%d/comm", tid);
    char *comm = NULL;

    if (!g_file_get_contents(path, &comm, NULL, NULL)) {
        return NULL;
    }
    g_strchomp(comm);
    return comm;
}

/* How many threads of this process have a name starting with @prefix. */
static inline int count_threads(const char *prefix)
{
    GDir *dir = g_dir_open("/proc/self/task", 0, NULL);
    const char *name;
    int n = 0;

    g_assert(dir);
    while ((name = g_dir_read_name(dir))) {
        g_autofree char *comm = thread_comm(atoi(name));

        n += comm && g_str_has_prefix(comm, prefix);
    }
    g_dir_close(dir);
    return n;
}

/*
 * True once no thread named "@prefix..." is left, polling for up to 1 s:
 * pthread_join returns when the thread has cleared its tid, a moment
 * before the kernel removes it from /proc/self/task.
 */
static inline bool threads_gone(const char *prefix)
{
    for (int i = 0; i < 1000; i++) {
        if (count_threads(prefix) == 0) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

/* Poll @cond(@opaque) every millisecond for up to @ms; its last value. */
static inline bool wait_until(bool (*cond)(void *), void *opaque, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (cond(opaque)) {
            return true;
        }
        g_usleep(1000);
    }
    return cond(opaque);
}

#endif /* TESTS_UNIT_VCPU_HELPER_H */
