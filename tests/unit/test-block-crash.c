/*
 * test-block-crash.c - a flushed write survives the VMM being SIGKILLed:
 * for every cache mode and AIO engine, a child process writes through
 * the block layer, flushes, says so over a pipe, and is killed at once;
 * the parent then checks the image.
 *
 * What this can and cannot prove, honestly:
 *  - After SIGKILL the kernel still has the process's writes in the page
 *    cache, so finding the bytes in the file afterwards does not show
 *    that anything reached the disk; what it does show is that the block
 *    layer did not report a write or flush complete while the data was
 *    still only in the VMM (a user-space cache, a request still queued
 *    in an engine, a bounce buffer not yet written): that would be lost
 *    by the kill.  It is checked for every mode but unsafe, which makes
 *    no promise.
 *  - The real guarantee is that a completed guest flush implied a
 *    successful fdatasync of the image.  That is observed in the kernel:
 *    the ext4_sync_file_exit tracepoint (sync-count.h), filtered on the
 *    image's inode and ret == 0, read by the parent, which the child
 *    cannot influence.  The parent reads the count when the child
 *    reports "written" and again when it reports "flushed": with cache=
 *    writeback and none the flush must have added a sync; with
 *    writethrough and directsync the write itself must have (it is not
 *    reported before its fdatasync), the flush then has nothing to do;
 *    with unsafe neither syncs.  The same holds for io_uring's
 *    IORING_OP_FSYNC, which is not a system call: the tracepoint sees it
 *    anyway.  Without tracefs (not root, not ext4) the child's
 *    interposed fdatasync count stands in, for the engines whose syncs
 *    are system calls, and io_uring is left out of that part.
 *  - Not covered: what the disk does with an fdatasync (its volatile
 *    cache, power loss).  That needs a VM or a dm-log-writes device.
 * The guest-driven version (a guest writing through IDE) comes with the
 * IDE device.
 */
#include "util/osdep.h"
#include "util/qemu-opts.h"
#include "block/drive.h"
#include "block-helper.h"
#include "sync-count.h"

#include <signal.h>
#include <sys/wait.h>

#define WRITE_OFFSET (128 * 1024)
#define WRITE_SIZE (64 * 1024)

typedef struct Mode {
    const char *name;
    bool direct;
    bool writethrough;
    bool unsafe;
} Mode;

static const Mode modes[] = {
    { "writeback", false, false, false },
    { "none", true, false, false },
    { "writethrough", false, true, false },
    { "directsync", true, true, false },
    { "unsafe", false, false, true },
};

static const char *const engines[] = { "threads", "io_uring", "native" };

/* The data of case @seed. */
static void fill(uint8_t *buf, int seed)
{
    for (int i = 0; i < WRITE_SIZE; i++) {
        buf[i] = (uint8_t)(i * 7 + seed * 31 + (i >> 12));
    }
}

/* --- the child: the VMM ------------------------------------------------ */

static void say(int fd, const char *fmt, ...) QOMU_PRINTF(2, 3);
static void say(int fd, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (write(fd, msg, strlen(msg)) < 0) {
        _exit(3);
    }
}

static void await_go(int fd)
{
    char c;

    if (read(fd, &c, 1) != 1) {
        _exit(4);
    }
}

QOMU_NORETURN static void child(const char *path, const Mode *m,
                                const char *engine, int seed, int to_parent,
                                int from_parent)
{
    static QemuOptsList drives = DRIVE_OPTS_LIST_INIT;
    static QemuOptsList devices = { .name = "device" };
    g_autofree char *spec = g_strdup_printf(
        "file=%s,format=raw,if=none,id=d0,cache=%s,aio=%s", path, m->name,
        engine);
    QemuOpts *opts;
    DriveInfo *dinfo;
    BlockBackend *blk;
    uint8_t *buf;
    int ret;

    main_loop_init();
    sc_watch(path);
    opts = qemu_opts_parse(&drives, spec, false, &error_abort);
    dinfo = drive_new(opts, IF_NONE, &devices, &error_abort);
    blk = blk_by_legacy_dinfo(dinfo);
    buf = blk_blockalign(blk, WRITE_SIZE);
    fill(buf, seed);
    say(to_parent, "R\n");
    await_go(from_parent);
    ret = blk_pwrite(blk, WRITE_OFFSET, WRITE_SIZE, buf, 0);
    say(to_parent, "W %d %u\n", ret, sc_count());
    await_go(from_parent);
    ret = blk_flush(blk);
    say(to_parent, "F %d %u\n", ret, sc_count());
    /* Wait for the kill: no exit path (atexit, close, flush) runs */
    for (;;) {
        pause();
    }
}

/* --- the parent: the observer -------------------------------------------- */

/* One line from the child ("X ret count"). */
static bool hear(FILE *f, char *tag, int *ret, unsigned *count)
{
    char line[64];

    *ret = 0;
    *count = 0;
    if (!fgets(line, sizeof(line), f)) {
        return false;
    }
    return sscanf(line, "%c %d %u", tag, ret, count) >= 1;
}

static void go(int fd)
{
    g_assert(write(fd, "g", 1) == 1);
}

static void run_case(const char *dir, const Mode *m, const char *engine,
                     int seed)
{
    g_autofree char *path = bt_image(dir, "crash.img", 1 << 20, 0);
    int up[2], down[2];
    TraceCounter tc;
    const char *why = NULL;
    bool kernel;
    unsigned k0 = 0, k1 = 0, k2 = 0, c1, c2;
    int ret_w, ret_f, wstatus;
    char tag;
    FILE *from_child;
    pid_t pid;

    if (!strcmp(engine, "native") && !m->direct) {
        return;                 /* refused at open: test-drive covers it */
    }
    kernel = tc_start(&tc, path, &why);
    g_assert(pipe(up) == 0 && pipe(down) == 0);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        child(path, m, engine, seed, up[1], down[0]);
    }
    close(up[1]);
    close(down[0]);
    from_child = fdopen(up[0], "r");

    CU_ASSERT_TRUE(hear(from_child, &tag, &ret_w, &c1) && tag == 'R');
    k0 = kernel ? tc_count(&tc) : 0;
    go(down[1]);
    CU_ASSERT_TRUE(hear(from_child, &tag, &ret_w, &c1) && tag == 'W');
    CU_ASSERT_EQUAL(ret_w, 0);
    k1 = kernel ? tc_count(&tc) : c1;
    go(down[1]);
    CU_ASSERT_TRUE(hear(from_child, &tag, &ret_f, &c2) && tag == 'F');
    CU_ASSERT_EQUAL(ret_f, 0);
    k2 = kernel ? tc_count(&tc) : c2;
    /* Right after the completion was reported */
    kill(pid, SIGKILL);
    waitpid(pid, &wstatus, 0);
    CU_ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    fclose(from_child);
    close(down[1]);
    tc_stop(&tc);

    /* The data: in the file for every mode that promises it */
    if (!m->unsafe) {
        g_autofree uint8_t *host = bt_file_read(path, WRITE_OFFSET,
                                                WRITE_SIZE);
        g_autofree uint8_t *want = g_malloc(WRITE_SIZE);

        fill(want, seed);
        CU_ASSERT_EQUAL(memcmp(host, want, WRITE_SIZE), 0);
    }
    /* The syncs, as the kernel saw them (or the child counted them) */
    if (kernel || strcmp(engine, "io_uring")) {
        unsigned on_write = m->writethrough ? 1 : 0;
        unsigned on_flush = (m->writethrough || m->unsafe) ? 0 : 1;

        if (!kernel) {
            k0 = 0;
        }
        CU_ASSERT_EQUAL(k1 - k0, on_write);
        CU_ASSERT_EQUAL(k2 - k1, on_flush);
        printf("  %s/%s: %u sync(s) by the write, %u by the flush (%s)\n",
               m->name, engine, k1 - k0, k2 - k1,
               kernel ? "kernel tracepoint" : "fdatasync calls");
    } else {
        printf("  %s/%s: syncs not observable (%s)\n", m->name, engine,
               why ? why : "no tracepoint");
    }
    unlink(path);
}

static void test_crash(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    int seed = 1;

    if (!dir) {
        harness_skip(why);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        if (modes[i].direct && !bt_dir_odirect(dir)) {
            printf("  %s: O_DIRECT refused by %s, not run\n", modes[i].name,
                   dir);
            continue;
        }
        for (size_t j = 0; j < G_N_ELEMENTS(engines); j++) {
            run_case(dir, &modes[i], engines[j], seed++);
        }
    }
}

int main(int argc, char **argv)
{
    const char *why;
    int ret;

    error_init("qomu");
    /* Before any thread: tracefs may need a private mount namespace */
    tc_find_tracefs(&why);
    harness_add("/block-crash/sigkill-after-flush", test_crash);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
