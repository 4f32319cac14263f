/*
 * test-block-cache-modes.c - cache=writeback|none|writethrough|directsync|
 * unsafe and snapshot=on, each checked from the host side, for every AIO
 * engine, on tmpfs and on a real disk.
 *
 * What "from the host side" means here:
 *   - how the image is open: the flags field of /proc/self/fdinfo for
 *     the fd the block layer holds (O_DIRECT, O_RDWR/O_RDONLY);
 *   - when data is synced: successful fsyncs of the image as the kernel
 *     records them (ext4 tracepoint, sync-count.h), else fdatasync()
 *     calls counted by interposing the symbol (not visible for io_uring,
 *     whose fsync is not a system call: that combination then checks only
 *     the rest);
 *   - what the guest is told: the write-cache bit, and `info block`'s
 *     "Cache mode:" line, QEMU's text.
 * QEMU's table: writeback = cache, flushes sync; none = O_DIRECT, flushes
 * sync; writethrough = every write synced before it completes, no cache
 * for the guest; directsync = both; unsafe = flushes do nothing.
 */
#include "util/osdep.h"
#include "util/qemu-opts.h"
#include "block/drive.h"
#include "block/qapi.h"
#include "block-helper.h"
#include "sync-count.h"

#include <fcntl.h>

typedef struct CacheMode {
    const char *name;
    bool direct;
    bool writethrough;
    bool no_flush;
    const char *info_line;          /* `info block`, QEMU 7.2 */
} CacheMode;

static const CacheMode modes[] = {
    { "writeback", false, false, false, "writeback" },
    { "none", true, false, false, "writeback, direct" },
    { "writethrough", false, true, false, "writethrough" },
    { "directsync", true, true, false, "writethrough, direct" },
    { "unsafe", false, false, true, "writeback, ignore flushes" },
};

static const char *const engines[] = { "threads", "io_uring", "native" };

static QemuOptsList drives = DRIVE_OPTS_LIST_INIT;
static QemuOptsList devices = { .name = "device" };

/* A drive from a -drive string, as the command line makes it. */
static BlockBackend *drive(const char *spec, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(&drives, spec, false, errp);
    DriveInfo *dinfo;

    if (!opts) {
        return NULL;
    }
    dinfo = drive_new(opts, IF_NONE, &devices, errp);
    return dinfo ? blk_by_legacy_dinfo(dinfo) : NULL;
}

static void drives_close(void)
{
    blockdev_close_all();
    qemu_opts_reset(&drives);
    qemu_opts_reset(&devices);
    CU_ASSERT_EQUAL(blk_live_count(), 0);
    CU_ASSERT_EQUAL(bdrv_live_count(), 0);
}

/* The "    Cache mode:       ..." text of `info block ID`. */
static char *info_cache_line(const char *id)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p;

    hmp_info_block(out, id, false, false);
    p = strstr(out->str, "    Cache mode:       ");
    if (!p) {
        return g_strdup("");
    }
    p += strlen("    Cache mode:       ");
    return g_strndup(p, strcspn(p, "\n"));
}

/* --- the counters: the kernel's if possible, else the interposed one --- */

typedef struct Counter {
    TraceCounter tc;
    bool kernel;
    bool usable;
    const char *why;
} Counter;

static void counter_start(Counter *c, const char *path, const char *engine)
{
    const char *why = NULL;

    sc_watch(path);
    c->kernel = tc_start(&c->tc, path, &why);
    /* The interposed counter does not see io_uring's fsync */
    c->usable = c->kernel || strcmp(engine, "io_uring");
    c->why = why;
}

static unsigned counter_read(Counter *c)
{
    return c->kernel ? tc_count(&c->tc) : sc_count();
}

static void counter_stop(Counter *c)
{
    tc_stop(&c->tc);
    sc_watch_ino = 0;
}

/* --- one mode, one engine, one directory --- */

static void check_mode(const CacheMode *m, const char *engine,
                       const char *dir, const char *label)
{
    g_autofree char *path = bt_image(dir, "cache.img", 1 << 20, 0);
    g_autofree char *spec = g_strdup_printf(
        "file=%s,format=raw,if=none,id=d0,cache=%s,aio=%s", path, m->name,
        engine);
    g_autofree uint8_t *buf = g_malloc(4096);
    g_autofree char *line = NULL;
    Error *err = NULL;
    BlockBackend *blk;
    unsigned c0, c1, c2, c3;
    Counter counter;
    int flags;

    if (m->direct && !bt_dir_odirect(dir)) {
        printf("  %s/%s/%s: O_DIRECT refused by this filesystem, not run\n",
               label, m->name, engine);
        return;
    }
    blk = drive(spec, &err);
    if (!strcmp(engine, "native") && !m->direct) {
        /* QEMU: Linux AIO needs O_DIRECT */
        CU_ASSERT_PTR_NULL(blk);
        CU_ASSERT_STRING_EQUAL(err ? error_get_pretty(err) : "",
                               "aio=native was specified, but it requires "
                               "cache.direct=on, which was not specified.");
        error_free(err);
        drives_close();
        return;
    }
    if (!blk) {
        printf("  %s/%s/%s: %s\n", label, m->name, engine,
               error_get_pretty(err));
        error_free(err);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(blk);

    /* How the file is open */
    flags = bt_fd_flags(path);
    CU_ASSERT(flags >= 0);
    CU_ASSERT_EQUAL(!!(flags & O_DIRECT), m->direct);
    CU_ASSERT_EQUAL(flags & O_ACCMODE, O_RDWR);
    /* What the guest and the monitor are told */
    CU_ASSERT_EQUAL(blk_enable_write_cache(blk), !m->writethrough);
    CU_ASSERT_EQUAL(!!(blk_get_flags(blk) & BDRV_O_NO_FLUSH), m->no_flush);
    line = info_cache_line("d0");
    CU_ASSERT_STRING_EQUAL(line, m->info_line);

    /* When data is synced */
    counter_start(&counter, path, engine);
    c0 = counter_read(&counter);
    memset(buf, 0x5a, 4096);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 8192, 4096, buf, 0), 0);
    c1 = counter_read(&counter);
    CU_ASSERT_EQUAL(blk_flush(blk), 0);
    c2 = counter_read(&counter);
    /* A flush with nothing new written skips the sync (QEMU's
     * write generations) */
    CU_ASSERT_EQUAL(blk_flush(blk), 0);
    c3 = counter_read(&counter);
    if (counter.usable) {
        unsigned on_write = m->writethrough ? 1 : 0;
        unsigned on_flush = (m->writethrough || m->no_flush) ? 0 : 1;

        CU_ASSERT_EQUAL(c1 - c0, on_write);
        CU_ASSERT_EQUAL(c2 - c1, on_flush);
        CU_ASSERT_EQUAL(c3, c2);
        /* Both counters saw the same syncs where both can see them */
        if (counter.kernel && strcmp(engine, "io_uring")) {
            CU_ASSERT_EQUAL(sc_count(), c3 - c0);
        }
        if (c1 - c0 != on_write || c2 - c1 != on_flush || c3 != c2) {
            printf("  %s/%s/%s: syncs %u/%u/%u/%u (%s counter)\n", label,
                   m->name, engine, c0, c1, c2, c3,
                   counter.kernel ? "kernel" : "fdatasync");
        }
    } else {
        printf("  %s/%s/%s: sync count not observable (%s; io_uring's "
               "fsync is not a system call)\n", label, m->name, engine,
               counter.why ? counter.why : "no tracepoint");
    }
    counter_stop(&counter);

    /* And the data is there, for the host too */
    memset(buf, 0, 4096);
    CU_ASSERT_EQUAL(blk_pread(blk, 8192, 4096, buf, 0), 0);
    CU_ASSERT_EQUAL(buf[0], 0x5a);
    CU_ASSERT_EQUAL(buf[4095], 0x5a);
    drives_close();
    {
        g_autofree uint8_t *host = bt_file_read(path, 8192, 4096);

        CU_ASSERT_EQUAL(host[100], 0x5a);
    }
    unlink(path);
}

static void run_modes(const char *dir, const char *label)
{
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(engines); j++) {
            check_mode(&modes[i], engines[j], dir, label);
        }
    }
}

static void test_modes_tmpfs(void)
{
    const char *why;
    const char *dir = bt_dir_tmpfs(&why);

    if (!dir) {
        harness_skip(why);
    }
    run_modes(dir, "tmpfs");
}

static void test_modes_disk(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);

    if (!dir) {
        harness_skip(why);
    }
    run_modes(dir, "disk");
}

/* The guest turns its write cache off (IDE SET FEATURES, virtio-blk
 * WCE): from then on, writes are synced before they complete. */
static void test_wce_toggle(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *spec = NULL;
    uint8_t buf[512] = { 1 };
    BlockBackend *blk;
    unsigned before;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "wce.img", 65536, 0);
    spec = g_strdup_printf("file=%s,format=raw,if=none,id=d0", path);
    blk = drive(spec, &error_abort);
    sc_watch(path);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 0, 512, buf, 0), 0);
    CU_ASSERT_EQUAL(sc_count(), 0);
    blk_set_enable_write_cache(blk, false);
    before = sc_count();
    CU_ASSERT_EQUAL(blk_pwrite(blk, 512, 512, buf, 0), 0);
    CU_ASSERT_EQUAL(sc_count(), before + 1);
    {
        g_autofree char *line = info_cache_line("d0");

        CU_ASSERT_STRING_EQUAL(line, "writethrough");
    }
    sc_watch_ino = 0;
    drives_close();
}

/* cache.* given one by one win over cache= (QEMU). */
static void test_cache_specific_options(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *spec = NULL;
    g_autofree char *line = NULL;
    BlockBackend *blk;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "specific.img", 65536, 0);
    spec = g_strdup_printf("file=%s,format=raw,if=none,id=d0,cache=none,"
                           "cache.direct=off,cache.writeback=off", path);
    blk = drive(spec, &error_abort);
    CU_ASSERT_FALSE(bt_fd_flags(path) & O_DIRECT);
    CU_ASSERT_FALSE(blk_enable_write_cache(blk));
    line = info_cache_line("d0");
    CU_ASSERT_STRING_EQUAL(line, "writethrough");
    drives_close();
}

/* --- snapshot=on ------------------------------------------------------ */

/* Whether this process holds an fd on an unlinked "vl.*" file. */
static bool holds_deleted_overlay(void)
{
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    const char *name;
    bool found = false;

    while (d && (name = g_dir_read_name(d)) && !found) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%s", name);
        g_autofree char *target = g_file_read_link(link, NULL);

        found = target && strstr(target, "/vl.") &&
                g_str_has_suffix(target, " (deleted)");
    }
    if (d) {
        g_dir_close(d);
    }
    return found;
}

static void test_snapshot(void)
{
    const char *why;
    const char *dir = bt_dir_disk(&why);
    g_autofree char *path = NULL;
    g_autofree char *spec = NULL;
    g_autofree char *line = NULL;
    g_autoptr(GString) info = g_string_new(NULL);
    uint8_t buf[4096], *host;
    BlockBackend *blk;

    if (!dir) {
        harness_skip(why);
    }
    path = bt_image(dir, "snap.img", 1 << 20, 3);
    spec = g_strdup_printf("file=%s,format=raw,if=none,id=s0,snapshot=on",
                           path);
    blk = drive(spec, &error_abort);
    /* The image is only read; the overlay is already unlinked */
    CU_ASSERT_EQUAL(bt_fd_flags(path) & O_ACCMODE, O_RDONLY);
    CU_ASSERT_TRUE(holds_deleted_overlay());
    line = info_cache_line("s0");
    CU_ASSERT_STRING_EQUAL(line, "writeback, ignore flushes");
    hmp_info_block(info, "s0", false, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(info->str, "(qcow2)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(info->str, "    Backing file:     "));

    /* Writes (whole and partial clusters) are seen by the guest ... */
    sc_watch(path);
    memset(buf, 0xee, sizeof(buf));
    CU_ASSERT_EQUAL(blk_pwrite(blk, 4096, 4096, buf, 0), 0);
    CU_ASSERT_EQUAL(blk_pwrite(blk, 10000, 100, buf, 0), 0);
    CU_ASSERT_EQUAL(blk_flush(blk), 0);
    CU_ASSERT_EQUAL(blk_pread(blk, 4096, 4096, buf, 0), 0);
    CU_ASSERT_EQUAL(buf[0], 0xee);
    CU_ASSERT_EQUAL(blk_pread(blk, 8192, 4096, buf, 0), 0);
    CU_ASSERT_TRUE(bt_check_pattern(buf, 8192, 10000 - 8192, 3));
    CU_ASSERT_EQUAL(buf[10000 - 8192], 0xee);
    CU_ASSERT_TRUE(bt_check_pattern(buf + 10100 - 8192, 10100,
                                    12288 - 10100, 3));
    /* ... never by the image, and nothing is synced */
    host = bt_file_read(path, 0, 16384);
    CU_ASSERT_TRUE(bt_check_pattern(host, 0, 16384, 3));
    g_free(host);
    CU_ASSERT_EQUAL(sc_count(), 0);
    sc_watch_ino = 0;
    drives_close();
    /* Closed: the overlay is gone, the image is untouched */
    CU_ASSERT_FALSE(holds_deleted_overlay());
    host = bt_file_read(path, 0, 1 << 20);
    CU_ASSERT_TRUE(bt_check_pattern(host, 0, 1 << 20, 3));
    g_free(host);
}

int main(int argc, char **argv)
{
    const char *why;
    int ret;

    error_init("qomu");
    main_loop_init();
    /* Before any thread exists: tracefs may need a private mount */
    tc_find_tracefs(&why);
    harness_add("/block-cache-modes/tmpfs", test_modes_tmpfs);
    harness_add("/block-cache-modes/disk", test_modes_disk);
    harness_add("/block-cache-modes/wce-toggle", test_wce_toggle);
    harness_add("/block-cache-modes/specific-options",
                test_cache_specific_options);
    harness_add("/block-cache-modes/snapshot", test_snapshot);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
