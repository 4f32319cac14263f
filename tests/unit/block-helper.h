/*
 * block-helper.h - what the block-layer tests share: images with known
 * contents, directories on tmpfs and on a real disk, opening a
 * BlockBackend from a "key=value,..." string, the open flags of a file
 * as /proc/self/fdinfo shows them, and waiting for callbacks.
 *
 * Two places for images, because they behave differently:
 *   - tmpfs (/dev/shm): page cache only; older kernels refuse O_DIRECT
 *     there (EINVAL at open), newer ones take it; fsync does nothing;
 *   - a real disk (/var/tmp, else $TMPDIR): O_DIRECT with the device's
 *     alignment, fdatasync reaches the device.
 * bt_dir_tmpfs()/bt_dir_disk() return a fresh directory in each (NULL,
 * with the reason in *why, if there is none); bt_dirs_cleanup() removes
 * them.
 */
#ifndef TESTS_UNIT_BLOCK_HELPER_H
#define TESTS_UNIT_BLOCK_HELPER_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "block/block-backend.h"
#include "block/block-int.h"
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define TMPFS_MAGIC_ 0x01021994

/* --- directories --- */

static char *bt_dirs[2];

static char *bt_dir_in(int slot, const char *base)
{
    if (!bt_dirs[slot]) {
        g_autofree char *tmpl = g_build_filename(base, "qomu-blk-XXXXXX",
                                                 NULL);

        bt_dirs[slot] = g_mkdtemp(g_steal_pointer(&tmpl));
    }
    return bt_dirs[slot];
}

/* A directory on tmpfs, or NULL (*why says why). */
static inline const char *bt_dir_tmpfs(const char **why)
{
    struct statfs st;

    if (statfs("/dev/shm", &st) < 0 || st.f_type != TMPFS_MAGIC_) {
        *why = "/dev/shm is not a tmpfs";
        return NULL;
    }
    return bt_dir_in(0, "/dev/shm");
}

/* A directory on a disk filesystem (not tmpfs), or NULL. */
static inline const char *bt_dir_disk(const char **why)
{
    const char *candidates[] = { "/var/tmp", g_get_tmp_dir() };

    for (size_t i = 0; i < G_N_ELEMENTS(candidates); i++) {
        struct statfs st;

        if (statfs(candidates[i], &st) == 0 && st.f_type != TMPFS_MAGIC_ &&
            access(candidates[i], W_OK) == 0) {
            return bt_dir_in(1, candidates[i]);
        }
    }
    *why = "no writable disk-backed directory (/var/tmp, $TMPDIR)";
    return NULL;
}

static inline void bt_dirs_cleanup(void)
{
    for (int i = 0; i < 2; i++) {
        GDir *d;
        const char *name;

        if (!bt_dirs[i]) {
            continue;
        }
        d = g_dir_open(bt_dirs[i], 0, NULL);
        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *path = g_build_filename(bt_dirs[i], name, NULL);

            unlink(path);
        }
        if (d) {
            g_dir_close(d);
        }
        rmdir(bt_dirs[i]);
        g_clear_pointer(&bt_dirs[i], g_free);
    }
}

/* Whether files in @dir can be opened with O_DIRECT (tmpfs before Linux
 * 6.6 says EINVAL). */
static inline bool bt_dir_odirect(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "odirect-probe", NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_DIRECT, 0600);

    if (fd >= 0) {
        close(fd);
    }
    unlink(path);
    return fd >= 0;
}

/* --- images --- */

/* The byte a pattern image has at @offset. */
static inline uint8_t bt_pattern(int64_t offset, int seed)
{
    return (uint8_t)(offset * 131 + offset / 4096 + seed);
}

/* Create @dir/@name, @size bytes of bt_pattern(seed).  Returns the path
 * (g_free). */
static inline char *bt_image(const char *dir, const char *name,
                             int64_t size, int seed)
{
    char *path = g_build_filename(dir, name, NULL);
    uint8_t *buf = g_malloc(size);

    for (int64_t i = 0; i < size; i++) {
        buf[i] = bt_pattern(i, seed);
    }
    g_assert(g_file_set_contents(path, (char *)buf, size, NULL));
    g_free(buf);
    return path;
}

/* Whether @buf holds bt_pattern(seed) for image offsets [@offset, +@len). */
static inline bool bt_check_pattern(const uint8_t *buf, int64_t offset,
                                    int64_t len, int seed)
{
    for (int64_t i = 0; i < len; i++) {
        if (buf[i] != bt_pattern(offset + i, seed)) {
            return false;
        }
    }
    return true;
}

/* @len bytes of @path at @offset, read with plain pread (the host's
 * view).  g_free. */
static inline uint8_t *bt_file_read(const char *path, int64_t offset,
                                    int64_t len)
{
    uint8_t *buf = g_malloc0(len);
    int fd = open(path, O_RDONLY);

    g_assert(fd >= 0);
    g_assert(pread(fd, buf, len, offset) >= 0);
    close(fd);
    return buf;
}

/* --- opening --- */

/* "a=b,c=d" into BlockOptions (values without commas). */
static inline BlockOptions *bt_opts(const char *spec)
{
    BlockOptions *o = bopts_new();
    g_auto(GStrv) parts = g_strsplit(spec ? spec : "", ",", 0);

    for (int i = 0; parts[i]; i++) {
        char *eq = strchr(parts[i], '=');

        if (parts[i][0] && eq) {
            *eq = '\0';
            bopts_set(o, parts[i], eq + 1);
        }
    }
    return o;
}

/* A BlockBackend over @path with node options @spec (e.g.
 * "driver=raw,cache.direct=on,file.aio=io_uring"), writable. */
static inline BlockBackend *bt_open(const char *path, const char *spec,
                                    Error **errp)
{
    return blk_new_open(path, bt_opts(spec), BDRV_O_RDWR, errp);
}

/* --- the host's view of open files --- */

/*
 * The flags (octal field of /proc/self/fdinfo/N) of the first fd of
 * this process open on @path, or -1 if none is.
 */
static inline int bt_fd_flags(const char *path)
{
    g_autofree char *real = realpath(path, NULL);
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int flags = -1;

    while (d && real && (e = readdir(d)) && flags < 0) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%s",
                                                e->d_name);
        g_autofree char *target = g_file_read_link(link, NULL);
        g_autofree char *info = NULL;
        g_autofree char *info_path = NULL;
        const char *f;

        if (!target || strcmp(target, real)) {
            continue;
        }
        info_path = g_strdup_printf("/proc/self/fdinfo/%s", e->d_name);
        if (g_file_get_contents(info_path, &info, NULL, NULL) &&
            (f = strstr(info, "flags:"))) {
            flags = strtol(f + strlen("flags:"), NULL, 8);
        }
    }
    if (d) {
        closedir(d);
    }
    return flags;
}

/* --- waiting --- */

/* Run the backend's AioContext until *@flag is true (10 s at most). */
static inline bool bt_wait_flag(AioContext *ctx, bool *flag)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

    while (!*flag && g_get_monotonic_time() < deadline) {
        aio_poll(ctx, false);
        if (!*flag) {
            g_usleep(50);
        }
    }
    return *flag;
}

/* A completion record: how often the callback ran, with what, where. */
typedef struct BtCompletion {
    int calls;
    int ret;
    bool done;
    GThread *thread;
    bool inside_submit;         /* the callback ran before submit returned */
} BtCompletion;

static bool bt_submitting;      /* set around a submit call */

static inline void bt_complete(void *opaque, int ret)
{
    BtCompletion *c = opaque;

    c->calls++;
    c->ret = ret;
    c->done = true;
    c->thread = g_thread_self();
    c->inside_submit |= bt_submitting;
}

#endif /* TESTS_UNIT_BLOCK_HELPER_H */
