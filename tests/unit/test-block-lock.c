/*
 * test-block-lock.c - image locking (QEMU 7.2's, block/file-posix.c):
 * the permissions of the users of an image (include/block/block.h
 * BLK_PERM_*) as OFD locks on bytes 100+ (held) and 200+ (not shared),
 * two opens in one process conflicting or not as the permission table
 * says, QEMU's messages, force-share, locking=off, and qcow2's file
 * node taking the format's permissions.
 *
 * The lock bytes are looked at from a separate open file description
 * with F_OFD_GETLK, as another process (QEMU) would see them.
 */
#include "util/osdep.h"
#include "block-helper.h"
#include "block/qcow2.h"

#include <fcntl.h>

/* qcow2 may not be built (Kconfig) */
#pragma weak qcow2_create

#define CHECK_ERR_TEXT(err, expected)                                   \
    do {                                                                \
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);                              \
        CU_ASSERT_STRING_EQUAL(error_get_pretty(err), expected);        \
    } while (0)

static char *img_dir;

static char *make_image(const char *name)
{
    char *path = g_build_filename(img_dir, name, NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, 1 << 20), 0);
    close(fd);
    return path;
}

/* The lock bytes someone holds on @path: bit i = byte 100 + i, bit 4 + i
 * = byte 200 + i (seen from a fresh open file description). */
static unsigned lock_bytes(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned bits = 0;

    CU_ASSERT_FATAL(fd >= 0);
    for (int i = 0; i < 8; i++) {
        struct flock fl = {
            .l_type = F_WRLCK,
            .l_whence = SEEK_SET,
            .l_start = (i < 4 ? 100 : 196) + i,
            .l_len = 1,
        };

        CU_ASSERT_EQUAL(fcntl(fd, F_OFD_GETLK, &fl), 0);
        if (fl.l_type != F_UNLCK) {
            bits |= 1u << i;
            /* QEMU's locks are shared (read) locks */
            CU_ASSERT_EQUAL(fl.l_type, F_RDLCK);
        }
    }
    close(fd);
    return bits;
}

#define HELD(p)     ((p) & 0xf)
#define UNSHARED(p) (((p) & 0xf) << 4)

static BlockBackend *open_blk(const char *path, const char *spec, int flags,
                              Error **errp)
{
    return blk_new_open(path, bt_opts(spec), flags, errp);
}

/* What a device does at realize (blkconf_apply_backend_options) */
static const uint64_t dev_rw = BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE;
static const uint64_t dev_shared = BLK_PERM_CONSISTENT_READ |
                                   BLK_PERM_WRITE_UNCHANGED |
                                   BLK_PERM_RESIZE;

static void test_perm_names(void)
{
    g_autofree char *a = bdrv_perm_names(BLK_PERM_WRITE);
    g_autofree char *b = bdrv_perm_names(BLK_PERM_ALL);

    CU_ASSERT_STRING_EQUAL(a, "write");
    CU_ASSERT_STRING_EQUAL(b, "consistent read, write, write unchanged, "
                           "resize");
}

/* A raw image: -drive takes consistent read; qemu-io's rw open read and
 * write; a device restricts sharing; closing drops everything. */
static void test_bytes_raw(void)
{
    g_autofree char *path = make_image("raw.img");
    BlockBackend *blk;

    blk = open_blk(path, "driver=raw", 0, &error_abort);
    CU_ASSERT_EQUAL(lock_bytes(path), HELD(BLK_PERM_CONSISTENT_READ));
    blk_unref(blk);
    CU_ASSERT_EQUAL(lock_bytes(path), 0);

    blk = open_blk(path, "driver=raw", BDRV_O_RDWR, &error_abort);
    CU_ASSERT_EQUAL(lock_bytes(path), HELD(dev_rw));
    CU_ASSERT_EQUAL(blk_set_perm(blk, dev_rw, dev_shared, &error_abort), 0);
    CU_ASSERT_EQUAL(lock_bytes(path),
                    HELD(dev_rw) | UNSHARED(BLK_PERM_WRITE));
    /* share-rw=on */
    CU_ASSERT_EQUAL(blk_set_perm(blk, dev_rw, dev_shared | BLK_PERM_WRITE,
                                 &error_abort), 0);
    CU_ASSERT_EQUAL(lock_bytes(path), HELD(dev_rw));
    blk_unref(blk);
    CU_ASSERT_EQUAL(lock_bytes(path), 0);
}

/* Two users in one process: the brief's -drive d0 + -drive d1,readonly */
static void test_conflict_same_process(void)
{
    g_autofree char *path = make_image("two.img");
    BlockBackend *d0, *d1;
    Error *err = NULL;

    d0 = open_blk(path, "driver=raw", 0, &error_abort);
    d1 = open_blk(path, "driver=raw,read-only=on", 0, &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(d0, dev_rw, dev_shared, &error_abort), 0);
    /* the read-only device does not share write: d0 writes */
    CU_ASSERT(blk_set_perm(d1, BLK_PERM_CONSISTENT_READ, dev_shared,
                           &err) < 0);
    CHECK_ERR_TEXT(err, "Failed to get shared \"write\" lock");
    error_free(err);
    err = NULL;
    /* nothing of the failed attempt stays locked */
    CU_ASSERT_EQUAL(lock_bytes(path),
                    HELD(dev_rw) | UNSHARED(BLK_PERM_WRITE));
    /* sharing write (share-rw=on), it works */
    CU_ASSERT_EQUAL(blk_set_perm(d1, BLK_PERM_CONSISTENT_READ,
                                 dev_shared | BLK_PERM_WRITE,
                                 &error_abort), 0);
    blk_unref(d1);

    /* a second writer: d0 does not share write */
    d1 = open_blk(path, "driver=raw", 0, &error_abort);
    CU_ASSERT(blk_set_perm(d1, dev_rw, dev_shared | BLK_PERM_WRITE,
                           &err) < 0);
    CHECK_ERR_TEXT(err, "Failed to get \"write\" lock");
    error_free(err);
    err = NULL;
    /* ... nor may a rw open take write at all */
    CU_ASSERT_PTR_NULL(open_blk(path, "driver=raw", BDRV_O_RDWR, &err));
    CHECK_ERR_TEXT(err, "Failed to get \"write\" lock");
    error_free(err);
    err = NULL;
    blk_unref(d1);

    /* readers get along */
    d1 = open_blk(path, "driver=raw,read-only=on", 0, &error_abort);
    blk_unref(d1);
    blk_unref(d0);
    CU_ASSERT_EQUAL(lock_bytes(path), 0);

    /* a reader first: a writer that does not share write is refused
     * while the reader does not share write either */
    d1 = open_blk(path, "driver=raw,read-only=on", 0, &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(d1, BLK_PERM_CONSISTENT_READ, dev_shared,
                                 &error_abort), 0);
    d0 = open_blk(path, "driver=raw", 0, &error_abort);
    CU_ASSERT(blk_set_perm(d0, dev_rw, dev_shared, &err) < 0);
    CHECK_ERR_TEXT(err, "Failed to get \"write\" lock");
    error_free(err);
    blk_unref(d0);
    blk_unref(d1);
}

/* locking=off: takes and checks nothing */
static void test_locking_off(void)
{
    g_autofree char *path = make_image("off.img");
    BlockBackend *d0, *d1;
    Error *err = NULL;

    d0 = open_blk(path, "driver=raw,file.locking=off", BDRV_O_RDWR,
                  &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(d0, dev_rw, dev_shared, &error_abort), 0);
    CU_ASSERT_EQUAL(lock_bytes(path), 0);
    d1 = open_blk(path, "driver=raw", BDRV_O_RDWR, &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(d1, dev_rw, dev_shared, &error_abort), 0);
    blk_unref(d1);
    blk_unref(d0);

    /* locking=on works like auto here; a bad value is QEMU's error */
    d0 = open_blk(path, "driver=raw,file.locking=on", BDRV_O_RDWR,
                  &error_abort);
    CU_ASSERT_EQUAL(lock_bytes(path), HELD(dev_rw));
    blk_unref(d0);
    CU_ASSERT_PTR_NULL(open_blk(path, "driver=raw,file.locking=maybe",
                                BDRV_O_RDWR, &err));
    CHECK_ERR_TEXT(err, "invalid parameter value: maybe");
    error_free(err);
}

/* force-share=on (qemu-img -U): shares everything, read-only only */
static void test_force_share(void)
{
    g_autofree char *path = make_image("fs.img");
    BlockBackend *d0, *d1;
    Error *err = NULL;

    d0 = open_blk(path, "driver=raw", 0, &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(d0, dev_rw, dev_shared, &error_abort), 0);
    d1 = open_blk(path, "driver=raw,read-only=on,force-share=on", 0,
                  &error_abort);
    CU_ASSERT_EQUAL(lock_bytes(path), HELD(dev_rw) | UNSHARED(BLK_PERM_WRITE));
    blk_unref(d1);
    CU_ASSERT_PTR_NULL(open_blk(path, "driver=raw,force-share=on",
                                BDRV_O_RDWR, &err));
    CHECK_ERR_TEXT(err, "force-share=on can only be used with read-only "
                   "images");
    error_free(err);
    blk_unref(d0);
}

/* qcow2: the file node gets the format's (storage) permissions at
 * open: read, write and resize, sharing neither write nor resize */
static void test_qcow2(void)
{
    g_autofree char *path = g_build_filename(img_dir, "q.qcow2", NULL);
    Qcow2CreateOptions copts = { .size = 1 << 20 };
    BlockBackend *blk, *ro;
    Error *err = NULL;

    if (!qcow2_create || !bdrv_find_format(QCOW2_FORMAT_NAME)) {
        printf("  no qcow2 driver in this build, not run\n");
        return;
    }
    CU_ASSERT_FATAL(qcow2_create(path, &copts, &error_abort));
    blk = open_blk(path, "driver=qcow2,read-only=off", 0, &error_abort);
    CU_ASSERT_EQUAL(lock_bytes(path),
                    HELD(dev_rw | BLK_PERM_RESIZE) |
                    UNSHARED(BLK_PERM_WRITE | BLK_PERM_RESIZE));
    /* qemu-img info without -U is refused */
    CU_ASSERT_PTR_NULL(open_blk(path, "driver=qcow2,read-only=on", 0,
                                &err));
    CHECK_ERR_TEXT(err, "Failed to get shared \"write\" lock");
    error_free(err);
    /* with -U it is not */
    ro = open_blk(path, "driver=qcow2,read-only=on,force-share=on", 0,
                  &error_abort);
    blk_unref(ro);
    blk_unref(blk);
    CU_ASSERT_EQUAL(lock_bytes(path), 0);

    /* read-only: reads, shares neither write nor resize */
    ro = open_blk(path, "driver=qcow2,read-only=on", 0, &error_abort);
    CU_ASSERT_EQUAL(lock_bytes(path),
                    HELD(BLK_PERM_CONSISTENT_READ) |
                    UNSHARED(BLK_PERM_WRITE | BLK_PERM_RESIZE));
    blk_unref(ro);
    unlink(path);
}

/* snapshot=on: the image is the overlay's backing node, read only,
 * sharing neither write nor resize once a device restricts sharing */
static void test_snapshot(void)
{
    g_autofree char *path = make_image("snap.img");
    BlockBackend *a, *b;

    a = open_blk(path, "driver=raw", BDRV_O_SNAPSHOT, &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(a, dev_rw, dev_shared, &error_abort), 0);
    CU_ASSERT_EQUAL(lock_bytes(path),
                    HELD(BLK_PERM_CONSISTENT_READ) |
                    UNSHARED(BLK_PERM_WRITE | BLK_PERM_RESIZE));
    /* a second snapshot=on user of the image is fine */
    b = open_blk(path, "driver=raw", BDRV_O_SNAPSHOT, &error_abort);
    CU_ASSERT_EQUAL(blk_set_perm(b, dev_rw, dev_shared, &error_abort), 0);
    blk_unref(b);
    blk_unref(a);
    CU_ASSERT_EQUAL(lock_bytes(path), 0);
}

int main(int argc, char **argv)
{
    const char *why;
    int ret;

    main_loop_init();
    img_dir = (char *)bt_dir_disk(&why);
    if (!img_dir) {
        img_dir = (char *)bt_dir_tmpfs(&why);
    }
    harness_add("/block-lock/perm-names", test_perm_names);
    harness_add("/block-lock/bytes/raw", test_bytes_raw);
    harness_add("/block-lock/conflict/same-process",
                test_conflict_same_process);
    harness_add("/block-lock/locking-off", test_locking_off);
    harness_add("/block-lock/force-share", test_force_share);
    harness_add("/block-lock/qcow2", test_qcow2);
    harness_add("/block-lock/snapshot", test_snapshot);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
