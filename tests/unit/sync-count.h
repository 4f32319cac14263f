/*
 * sync-count.h - observing, from outside the block layer, that a flush
 * reached the kernel as fdatasync: two independent counters.
 *
 * 1. The kernel's own record: the ext4_sync_file_exit tracepoint fires in
 *    ext4's fsync handler, whoever called it - fdatasync(2) from a thread
 *    pool worker, or IORING_OP_FSYNC inside io_uring.  It is counted in
 *    a private tracefs instance filtered on the image's device and inode
 *    (only successful syncs, ret == 0).  Needs root, a kernel with
 *    tracing, and an ext4 image (a real disk: tmpfs has no such event).
 *    tracefs is mounted in a private mount namespace if it is not
 *    mounted, so the host's mounts are untouched.
 * 2. An interposed fdatasync(): the test program defines the symbol, so
 *    file-posix's calls (from the thread pool) land here first; counted
 *    per inode, then passed to the kernel with syscall(2).  It cannot see
 *    io_uring's fsync, which is not a system call.  It can also make the
 *    next N calls fail with a chosen errno without calling the kernel
 *    (fault injection for the fdatasync error path).
 *
 * Include in exactly one file of a test program (it defines fdatasync).
 */
#ifndef TESTS_UNIT_SYNC_COUNT_H
#define TESTS_UNIT_SYNC_COUNT_H

#include "util/osdep.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

/* --- 2. the interposed fdatasync --- */

static ino_t sc_watch_ino;              /* 0: count nothing */
static dev_t sc_watch_dev;
static unsigned sc_calls;               /* atomic */
static int sc_fail_errno;               /* atomic, with sc_fail_left */
static int sc_fail_left;

int fdatasync(int fd)
{
    struct stat st;

    if (sc_watch_ino && fstat(fd, &st) == 0 && st.st_ino == sc_watch_ino &&
        st.st_dev == sc_watch_dev) {
        g_atomic_int_inc(&sc_calls);
        if (g_atomic_int_add(&sc_fail_left, -1) > 0) {
            errno = g_atomic_int_get(&sc_fail_errno);
            return -1;
        }
        g_atomic_int_set(&sc_fail_left, 0);
    }
    return syscall(SYS_fdatasync, fd);
}

/* Count fdatasync() calls on @path's inode from now on. */
static inline void sc_watch(const char *path)
{
    struct stat st;

    g_assert(stat(path, &st) == 0);
    sc_watch_ino = st.st_ino;
    sc_watch_dev = st.st_dev;
    g_atomic_int_set(&sc_calls, 0);
    g_atomic_int_set(&sc_fail_left, 0);
}

static inline unsigned sc_count(void)
{
    return g_atomic_int_get(&sc_calls);
}

/* Make the next @n watched fdatasync() calls fail with @err. */
static inline void sc_fail_next(int n, int err)
{
    g_atomic_int_set(&sc_fail_errno, err);
    g_atomic_int_set(&sc_fail_left, n);
}

/* --- 1. the kernel's tracepoint --- */

typedef struct TraceCounter {
    char *instance;             /* tracefs instance directory */
} TraceCounter;

static const char *tc_tracefs;  /* mount point, once found */

/* A plain write(2): tracefs files cannot be replaced, which is what
 * g_file_set_contents() does. */
static bool tc_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    bool ok;

    if (fd < 0) {
        return false;
    }
    ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

/* Find (or, as root, privately mount) tracefs.  NULL and *why if not. */
static inline const char *tc_find_tracefs(const char **why)
{
    static const char *const places[] = { "/sys/kernel/tracing",
                                          "/sys/kernel/debug/tracing" };

    if (tc_tracefs) {
        return tc_tracefs;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(places); i++) {
        g_autofree char *inst = g_build_filename(places[i], "instances",
                                                 NULL);

        if (g_file_test(inst, G_FILE_TEST_IS_DIR)) {
            return tc_tracefs = places[i];
        }
    }
    if (geteuid() != 0) {
        *why = "tracefs is not mounted and we are not root";
        return NULL;
    }
    /* A private mount: invisible outside this process */
    if (unshare(CLONE_NEWNS) < 0 ||
        mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tracefs", places[0], "tracefs", 0, NULL) < 0) {
        *why = "cannot mount tracefs (no CAP_SYS_ADMIN, or no tracing)";
        return NULL;
    }
    return tc_tracefs = places[0];
}

/*
 * Start counting successful ext4 syncs of @path.  Returns false with
 * *@why when not possible (not ext4, no tracefs, not root).
 */
static inline bool tc_start(TraceCounter *tc, const char *path,
                            const char **why)
{
    static int serial;
    const char *tracefs = tc_find_tracefs(why);
    g_autofree char *ev = NULL;
    g_autofree char *filter = NULL;
    g_autofree char *fpath = NULL;
    g_autofree char *epath = NULL;
    struct stat st;

    struct statfs fs;

    tc->instance = NULL;
    if (statfs(path, &fs) < 0 || fs.f_type != 0xEF53) {
        *why = "the image is not on ext4 (the tracepoint is ext4's)";
        return false;
    }
    if (!tracefs) {
        return false;
    }
    g_assert(stat(path, &st) == 0);
    tc->instance = g_strdup_printf("%s/instances/qomu-test-%d-%d", tracefs,
                                   (int)getpid(), serial++);
    ev = g_build_filename(tc->instance, "events", "ext4",
                          "ext4_sync_file_exit", NULL);
    if (mkdir(tc->instance, 0700) < 0 || !g_file_test(ev,
                                                      G_FILE_TEST_IS_DIR)) {
        *why = "no ext4_sync_file_exit tracepoint";
        rmdir(tc->instance);
        g_clear_pointer(&tc->instance, g_free);
        return false;
    }
    /* The kernel's dev_t is MAJOR << 20 | MINOR */
    filter = g_strdup_printf("dev == %lu && ino == %lu && ret == 0",
                             (unsigned long)major(st.st_dev) << 20 |
                             minor(st.st_dev), (unsigned long)st.st_ino);
    fpath = g_build_filename(ev, "filter", NULL);
    epath = g_build_filename(ev, "enable", NULL);
    if (!tc_write(fpath, filter) || !tc_write(epath, "1")) {
        *why = "cannot enable the ext4_sync_file_exit tracepoint";
        rmdir(tc->instance);
        g_clear_pointer(&tc->instance, g_free);
        return false;
    }
    return true;
}

/* Successful syncs of the file seen so far. */
static inline unsigned tc_count(TraceCounter *tc)
{
    g_autofree char *path = g_build_filename(tc->instance, "trace", NULL);
    g_autofree char *text = NULL;
    unsigned n = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return 0;
    }
    for (const char *p = text; (p = strstr(p, "ext4_sync_file_exit:"));
         p++) {
        n++;
    }
    return n;
}

static inline void tc_stop(TraceCounter *tc)
{
    if (tc->instance) {
        g_autofree char *epath = g_build_filename(
            tc->instance, "events", "ext4", "ext4_sync_file_exit", "enable",
            NULL);

        tc_write(epath, "0");
        rmdir(tc->instance);
        g_clear_pointer(&tc->instance, g_free);
    }
}

#endif /* TESTS_UNIT_SYNC_COUNT_H */
