/*
 * block-backend.c - BlockBackend: the guest device's end of the block
 * layer (QEMU 7.2's block/block-backend.c, reduced).  See
 * include/block/block-backend.h.
 *
 * What lives here rather than in the node graph: the name, the attached
 * device, the guest's write cache (with it off, writes become FUA), the
 * bounds check against the medium, werror/rerror and the I/O status, and
 * the in-flight count that blk_drain() waits on.  A request's callback
 * runs before the count drops, so a drain also waits for the device's
 * completion handler (as QEMU).
 *
 * When the VM stops, every backend is drained and flushed (QEMU's
 * do_vm_stop).
 *
 * Permissions (QEMU's): a backend takes perm and shares shared_perm on
 * its root node through a root BdrvChild.  blk_new_open() takes what
 * its flags say (consistent read, write with BDRV_O_RDWR) and shares
 * everything; a device then sets its own with blk_set_perm()
 * (blkconf_apply_backend_options), and detaching resets them.
 *
 * Not modelled: throttling, accounting statistics, media change
 * (blk_insert_bs/blk_remove_bs).
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "util/bql.h"
#include "util/id.h"
#include "hw/core/qdev.h"
#include "system/runstate.h"
#include "block/block-int.h"
#include "block/block-backend.h"
#include "block/aiocb.h"

struct BlockBackend {
    char *name;                     /* NULL: unnamed */
    int refcnt;
    BlockDriverState *root;         /* holds a reference; NULL: empty */
    BdrvChild *root_child;          /* root's link: the perms below */
    uint64_t perm, shared_perm;
    AioContext *ctx;
    int empty_open_flags;           /* flags a medium would get */

    DeviceState *dev;               /* attached device (not a QOM ref) */
    const BlockDevOps *dev_ops;
    void *dev_opaque;
    DriveInfo *legacy_dinfo;        /* owned by block/drive.c */

    bool enable_write_cache;
    BlockdevOnError on_read_error, on_write_error;
    bool iostatus_enabled;
    BlockDeviceIoStatus iostatus;
    int in_flight;
};

/* A request's handle (QEMU's BlkAioEmAIOCB); common.refcnt: the
 * request's, and cancel's (block/aiocb.c). */
typedef struct BlkAIOCB {
    BlockAIOCB common;
    BlockBackend *blk;
    int ret;                        /* for a completion decided early */
} BlkAIOCB;

static GList *all_blks;             /* BlockBackend *, creation order */
static GList *named_blks;           /* the named ones, in naming order */
static unsigned live_blks;

static BlockEventHandler *event_handler;
static void *event_opaque;

static const char *const error_action_names[] = {
    [BLOCK_ERROR_ACTION_IGNORE] = "ignore",
    [BLOCK_ERROR_ACTION_REPORT] = "report",
    [BLOCK_ERROR_ACTION_STOP] = "stop",
};

static const char *const io_status_names[] = {
    [BLOCK_DEVICE_IO_STATUS_OK] = "ok",
    [BLOCK_DEVICE_IO_STATUS_FAILED] = "failed",
    [BLOCK_DEVICE_IO_STATUS_NOSPACE] = "nospace",
};

const char *block_error_action_name(BlockErrorAction action)
{
    return error_action_names[action];
}

const char *block_device_io_status_name(BlockDeviceIoStatus status)
{
    return io_status_names[status];
}

/* --- life ---------------------------------------------------------------- */

/*
 * QEMU's do_vm_stop(): a stopped VM has nothing in flight and its drives
 * flushed (bdrv_drain_all, bdrv_flush_all), so that "stop", copy the
 * image, "cont" works.  Errors are not reported here (QEMU's "stop"
 * ignores them too); a failed flush fails again at the guest's next one.
 */
static void blk_stop_flush(void *opaque)
{
    BlockBackend *blk = opaque;

    bdrv_flush(blk->root);
}

static void blk_runstate_event(RunStateEvent event, ShutdownCause cause,
                               void *opaque)
{
    if (event != RUNSTATE_EVENT_STOP) {
        return;
    }
    blk_drain_all();
    for (GList *l = all_blks; l; l = l->next) {
        BlockBackend *blk = l->data;

        if (blk_is_inserted(blk)) {
            /* in the drive's thread (an iothread's drive: there) */
            aio_wait_bh_oneshot(blk->ctx, blk_stop_flush, blk);
        }
    }
}

static BlockBackend *blk_new(void)
{
    static bool listening;
    BlockBackend *blk = g_new0(BlockBackend, 1);

    if (!listening) {
        runstate_add_event_listener(blk_runstate_event, NULL);
        listening = true;
    }

    blk->refcnt = 1;
    blk->ctx = qemu_get_aio_context();
    blk->enable_write_cache = true;
    blk->on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    blk->on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    blk->shared_perm = BLK_PERM_ALL;
    all_blks = g_list_append(all_blks, blk);
    live_blks++;
    return blk;
}

BlockBackend *blk_new_open(const char *filename, BlockOptions *options,
                           int flags, Error **errp)
{
    BlockDriverState *bs = bdrv_open(filename, options, flags, errp);
    /* QEMU's blk_new_open(): what the flags say, everything shared (the
     * device adds its own restrictions).  -drive passes no BDRV_O_RDWR
     * (read-only=off is an option), so its backend only reads until a
     * device takes the write permission. */
    uint64_t perm = BLK_PERM_CONSISTENT_READ;
    BdrvChild *root_child;
    BlockBackend *blk;

    if (!bs) {
        return NULL;
    }
    if ((flags & BDRV_O_RDWR) && !bdrv_is_read_only(bs)) {
        perm |= BLK_PERM_WRITE;
    }
    root_child = bdrv_root_attach_child(bs, perm, BLK_PERM_ALL, errp);
    if (!root_child) {
        bdrv_unref(bs);
        return NULL;
    }
    blk = blk_new();
    blk->root = bs;
    blk->root_child = root_child;
    blk->perm = perm;
    blk->shared_perm = BLK_PERM_ALL;
    blk->ctx = bdrv_get_aio_context(bs);
    return blk;
}

BlockBackend *blk_new_with_bs(BlockDriverState *bs)
{
    BlockBackend *blk = blk_new();

    bdrv_ref(bs);
    blk->root = bs;
    /* Takes nothing yet: cannot fail */
    blk->root_child = bdrv_root_attach_child(bs, 0, BLK_PERM_ALL,
                                             &error_abort);
    blk->ctx = bdrv_get_aio_context(bs);
    return blk;
}

int blk_set_perm(BlockBackend *blk, uint64_t perm, uint64_t shared_perm,
                 Error **errp)
{
    if (blk->root_child) {
        int ret = bdrv_child_try_set_perm(blk->root_child, perm, shared_perm,
                                          errp);

        if (ret < 0) {
            return ret;
        }
    }
    blk->perm = perm;
    blk->shared_perm = shared_perm;
    return 0;
}

void blk_get_perm(BlockBackend *blk, uint64_t *perm, uint64_t *shared_perm)
{
    *perm = blk->perm;
    *shared_perm = blk->shared_perm;
}

BlockBackend *blk_new_empty(int open_flags)
{
    BlockBackend *blk = blk_new();

    blk->empty_open_flags = open_flags;
    return blk;
}

void blk_ref(BlockBackend *blk)
{
    blk->refcnt++;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk) {
        return;
    }
    assert(blk->refcnt > 0);
    if (--blk->refcnt > 0) {
        return;
    }
    assert(!blk->dev);
    blk_drain(blk);
    monitor_remove_blk(blk);
    if (blk->root_child) {
        bdrv_root_detach_child(g_steal_pointer(&blk->root_child));
    }
    bdrv_unref(blk->root);          /* flushes and closes the graph */
    all_blks = g_list_remove(all_blks, blk);
    live_blks--;
    g_free(blk);
}

unsigned blk_live_count(void)
{
    return live_blks;
}

bool monitor_add_blk(BlockBackend *blk, const char *name, Error **errp)
{
    assert(!blk->name && name && name[0]);
    if (!id_wellformed(name)) {
        error_setg(errp, "Invalid device name");
        return false;
    }
    if (blk_by_name(name)) {
        error_setg(errp, "Device with id '%s' already exists", name);
        return false;
    }
    if (bdrv_find_node(name)) {
        error_setg(errp, "Device name '%s' conflicts with an existing node "
                   "name", name);
        return false;
    }
    blk->name = g_strdup(name);
    named_blks = g_list_append(named_blks, blk);
    return true;
}

void monitor_remove_blk(BlockBackend *blk)
{
    if (blk->name) {
        named_blks = g_list_remove(named_blks, blk);
        g_clear_pointer(&blk->name, g_free);
    }
}

BlockBackend *blk_by_name(const char *name)
{
    for (GList *l = named_blks; l; l = l->next) {
        BlockBackend *blk = l->data;

        if (!strcmp(blk->name, name)) {
            return blk;
        }
    }
    return NULL;
}

static BlockBackend *list_next(GList *list, BlockBackend *blk)
{
    GList *l;

    if (!blk) {
        return list ? list->data : NULL;
    }
    l = g_list_find(list, blk);
    return l && l->next ? l->next->data : NULL;
}

BlockBackend *blk_next(BlockBackend *blk)
{
    return list_next(named_blks, blk);
}

BlockBackend *blk_all_next(BlockBackend *blk)
{
    return list_next(all_blks, blk);
}

const char *blk_name(const BlockBackend *blk)
{
    return blk->name ? blk->name : "";
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->root;
}

DriveInfo *blk_legacy_dinfo(BlockBackend *blk)
{
    return blk->legacy_dinfo;
}

void blk_set_legacy_dinfo(BlockBackend *blk, DriveInfo *dinfo)
{
    assert(!blk->legacy_dinfo || !dinfo);
    blk->legacy_dinfo = dinfo;
}

/* --- the device ---------------------------------------------------------- */

int blk_attach_dev(BlockBackend *blk, DeviceState *dev)
{
    if (blk->dev) {
        return -EBUSY;
    }
    blk_ref(blk);
    blk->dev = dev;
    blk_iostatus_reset(blk);
    return 0;
}

void blk_detach_dev(BlockBackend *blk, DeviceState *dev)
{
    assert(blk->dev == dev);
    blk->dev = NULL;
    blk->dev_ops = NULL;
    blk->dev_opaque = NULL;
    blk->iostatus_enabled = false;
    /* QEMU's blk_detach_dev(): the device's perms go with it */
    blk_set_perm(blk, 0, BLK_PERM_ALL, NULL);
    blk_unref(blk);
}

DeviceState *blk_get_attached_dev(BlockBackend *blk)
{
    return blk->dev;
}

char *blk_get_attached_dev_id(BlockBackend *blk)
{
    if (!blk->dev) {
        return NULL;
    }
    if (blk->dev->id) {
        return g_strdup(blk->dev->id);
    }
    return object_get_canonical_path(OBJECT(blk->dev));
}

void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque)
{
    blk->dev_ops = ops;
    blk->dev_opaque = opaque;
}

bool blk_dev_has_removable_media(BlockBackend *blk)
{
    return !blk->dev || (blk->dev_ops && blk->dev_ops->change_media_cb);
}

bool blk_dev_has_tray(BlockBackend *blk)
{
    return blk->dev_ops && blk->dev_ops->is_tray_open;
}

bool blk_dev_is_tray_open(BlockBackend *blk)
{
    return blk_dev_has_tray(blk) &&
           blk->dev_ops->is_tray_open(blk->dev_opaque);
}

bool blk_dev_is_medium_locked(BlockBackend *blk)
{
    return blk->dev_ops && blk->dev_ops->is_medium_locked &&
           blk->dev_ops->is_medium_locked(blk->dev_opaque);
}

/* --- properties ---------------------------------------------------------- */

bool blk_is_inserted(BlockBackend *blk)
{
    return blk->root && blk->root->drv;
}

bool blk_is_read_only(BlockBackend *blk)
{
    return blk->root ? bdrv_is_read_only(blk->root)
                     : !(blk->empty_open_flags & BDRV_O_RDWR);
}

bool blk_is_writable(BlockBackend *blk)
{
    return blk_is_inserted(blk) && !blk_is_read_only(blk);
}

int64_t blk_getlength(BlockBackend *blk)
{
    return blk_is_inserted(blk) ? bdrv_getlength(blk->root) : -ENOMEDIUM;
}

void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors)
{
    int64_t len = blk_getlength(blk);

    *nb_sectors = len < 0 ? 0 : len / BDRV_SECTOR_SIZE;
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    return blk->enable_write_cache;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool wce)
{
    blk->enable_write_cache = wce;
}

int blk_get_flags(BlockBackend *blk)
{
    return blk->root ? bdrv_get_flags(blk->root) : blk->empty_open_flags;
}

uint32_t blk_get_request_alignment(BlockBackend *blk)
{
    return blk->root ? bdrv_get_request_alignment(blk->root) : 1;
}

uint32_t blk_get_max_transfer(BlockBackend *blk)
{
    uint32_t max = INT_MAX, align = blk_get_request_alignment(blk);

    if (blk->root && blk->root->bl.max_transfer) {
        max = MIN(blk->root->bl.max_transfer, (uint32_t)INT_MAX);
    }
    return max / align * align;
}

int blk_get_max_iov(BlockBackend *blk)
{
    return blk->root && blk->root->bl.max_iov ? blk->root->bl.max_iov
                                               : IOV_MAX;
}

void *blk_blockalign(BlockBackend *blk, size_t size)
{
    return blk->root ? qemu_blockalign(blk->root, size)
                     : qemu_memalign(getpagesize(), size);
}

AioContext *blk_get_aio_context(BlockBackend *blk)
{
    return blk->ctx;
}

void blk_set_aio_context(BlockBackend *blk, AioContext *ctx)
{
    blk_drain(blk);
    if (blk->root) {
        bdrv_set_aio_context(blk->root, ctx);
    }
    blk->ctx = ctx;
}

/* --- requests ------------------------------------------------------------ */

static AioContext *blk_aiocb_get_aio_context(BlockAIOCB *acb)
{
    return ((BlkAIOCB *)acb)->blk->ctx;
}

/* Host I/O cannot be recalled: no cancel_async, cancel waits. */
static const AIOCBInfo blk_aiocb_info = {
    .aiocb_size = sizeof(BlkAIOCB),
    .get_aio_context = blk_aiocb_get_aio_context,
};

static BlkAIOCB *blk_acb_new(BlockBackend *blk, BlockCompletionFunc *cb,
                             void *opaque)
{
    BlkAIOCB *acb;

    assert(aio_context_in_home_thread(blk->ctx));
    acb = qemu_aio_get(&blk_aiocb_info, NULL, cb, opaque);
    acb->blk = blk;
    blk->in_flight++;
    return acb;
}

static void blk_aio_complete(void *opaque, int ret)
{
    BlkAIOCB *acb = opaque;
    BlockBackend *blk = acb->blk;

    acb->common.cb(acb->common.opaque, ret);
    /* After the callback: blk_drain() waits for the device's handler. */
    blk->in_flight--;
    qemu_aio_unref(acb);
}

static void blk_aio_complete_bh(void *opaque)
{
    BlkAIOCB *acb = opaque;

    blk_aio_complete(acb, acb->ret);
}

/* Fail @acb with @ret from the loop (never inside the caller's call). */
static BlockAIOCB *blk_aio_fail(BlkAIOCB *acb, int ret)
{
    acb->ret = ret;
    aio_bh_schedule_oneshot(acb->blk->ctx, blk_aio_complete_bh, acb);
    return &acb->common;
}

/* QEMU's blk_check_byte_request(). */
static int blk_check_request(BlockBackend *blk, int64_t offset,
                             int64_t bytes)
{
    int64_t len;

    if (!blk_is_inserted(blk)) {
        return -ENOMEDIUM;
    }
    if (offset < 0 || bytes < 0) {
        return -EIO;
    }
    len = blk_getlength(blk);
    if (len < 0) {
        return len;
    }
    if (offset > len || len - offset < bytes) {
        return -EIO;
    }
    return 0;
}

/* blk_check_request() for a request that writes: a read-only drive
 * refuses it with -EPERM. */
static int blk_check_write_request(BlockBackend *blk, int64_t offset,
                                   int64_t bytes)
{
    int ret = blk_check_request(blk, offset, bytes);

    if (ret == 0 && blk_is_read_only(blk)) {
        ret = -EPERM;
    }
    return ret;
}

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, BdrvRequestFlags flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    BlkAIOCB *acb = blk_acb_new(blk, cb, opaque);
    int ret = blk_check_request(blk, offset, qiov->size);

    if (ret < 0) {
        return blk_aio_fail(acb, ret);
    }
    bdrv_aio_preadv(blk->root, offset, qiov->size, qiov, flags,
                    blk_aio_complete, acb);
    return &acb->common;
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque)
{
    BlkAIOCB *acb = blk_acb_new(blk, cb, opaque);
    int ret = blk_check_write_request(blk, offset, qiov->size);

    if (ret < 0) {
        return blk_aio_fail(acb, ret);
    }
    /* No write cache for the guest: every write is stable when it
     * completes (QEMU's blk_co_do_pwritev_part). */
    if (!blk->enable_write_cache) {
        flags |= BDRV_REQ_FUA;
    }
    bdrv_aio_pwritev(blk->root, offset, qiov->size, qiov, flags,
                     blk_aio_complete, acb);
    return &acb->common;
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque)
{
    BlkAIOCB *acb = blk_acb_new(blk, cb, opaque);

    if (!blk_is_inserted(blk)) {
        return blk_aio_fail(acb, -ENOMEDIUM);
    }
    bdrv_aio_flush(blk->root, blk_aio_complete, acb);
    return &acb->common;
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque)
{
    BlkAIOCB *acb = blk_acb_new(blk, cb, opaque);
    int ret = blk_check_write_request(blk, offset, bytes);

    if (ret < 0) {
        return blk_aio_fail(acb, ret);
    }
    bdrv_aio_pdiscard(blk->root, offset, bytes, blk_aio_complete, acb);
    return &acb->common;
}

BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, BdrvRequestFlags flags,
                                  BlockCompletionFunc *cb, void *opaque)
{
    BlkAIOCB *acb = blk_acb_new(blk, cb, opaque);
    int ret = blk_check_write_request(blk, offset, bytes);

    if (ret < 0) {
        return blk_aio_fail(acb, ret);
    }
    if (!blk->enable_write_cache) {
        flags |= BDRV_REQ_FUA;
    }
    bdrv_aio_pwrite_zeroes(blk->root, offset, bytes, flags,
                           blk_aio_complete, acb);
    return &acb->common;
}

void blk_aio_cancel(BlockAIOCB *acb)
{
    bdrv_aio_cancel(acb);
}

void blk_aio_cancel_async(BlockAIOCB *acb)
{
    bdrv_aio_cancel_async(acb);
}

void blk_io_plug(BlockBackend *blk)
{
    if (blk->root) {
        bdrv_io_plug(blk->root);
    }
}

void blk_io_unplug(BlockBackend *blk)
{
    if (blk->root) {
        bdrv_io_unplug(blk->root);
    }
}

int blk_in_flight(BlockBackend *blk)
{
    return blk->in_flight;
}

static void blk_drain_bh(void *opaque)
{
    blk_drain(opaque);
}

/* From another thread than the context's (the main thread, for a drive
 * an iothread serves), the drain runs in that thread. */
void blk_drain(BlockBackend *blk)
{
    if (!aio_context_in_home_thread(blk->ctx)) {
        aio_wait_bh_oneshot(blk->ctx, blk_drain_bh, blk);
        return;
    }
    AIO_WAIT_WHILE(blk->ctx, blk->in_flight > 0);
    if (blk->root) {
        bdrv_drain(blk->root);
    }
}

void blk_drain_all(void)
{
    for (GList *l = all_blks; l; l = l->next) {
        blk_drain(l->data);
    }
}

/* --- synchronous --------------------------------------------------------- */

int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags)
{
    QEMUIOVector qiov;
    BdrvSyncOp op = { 0 };

    qemu_iovec_init_buf(&qiov, buf, bytes);
    blk_aio_preadv(blk, offset, &qiov, flags, bdrv_sync_op_done, &op);
    return bdrv_sync_op_wait(blk->ctx, &op);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf, BdrvRequestFlags flags)
{
    QEMUIOVector qiov;
    BdrvSyncOp op = { 0 };

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    blk_aio_pwritev(blk, offset, &qiov, flags, bdrv_sync_op_done, &op);
    return bdrv_sync_op_wait(blk->ctx, &op);
}

int blk_flush(BlockBackend *blk)
{
    BdrvSyncOp op = { 0 };

    blk_aio_flush(blk, bdrv_sync_op_done, &op);
    return bdrv_sync_op_wait(blk->ctx, &op);
}

/* --- errors -------------------------------------------------------------- */

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error)
{
    blk->on_read_error = on_read_error;
    blk->on_write_error = on_write_error;
}

BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read)
{
    return is_read ? blk->on_read_error : blk->on_write_error;
}

BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read,
                                      int error)
{
    switch (blk_get_on_error(blk, is_read)) {
    case BLOCKDEV_ON_ERROR_ENOSPC:
        return error == ENOSPC ? BLOCK_ERROR_ACTION_STOP
                               : BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_STOP:
        return BLOCK_ERROR_ACTION_STOP;
    case BLOCKDEV_ON_ERROR_REPORT:
        return BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_IGNORE:
        return BLOCK_ERROR_ACTION_IGNORE;
    }
    g_assert_not_reached();
}

void blk_iostatus_enable(BlockBackend *blk)
{
    blk->iostatus_enabled = true;
    blk->iostatus = BLOCK_DEVICE_IO_STATUS_OK;
}

bool blk_iostatus_is_enabled(BlockBackend *blk)
{
    return blk->iostatus_enabled;
}

BlockDeviceIoStatus blk_iostatus(BlockBackend *blk)
{
    return blk->iostatus;
}

void blk_iostatus_reset(BlockBackend *blk)
{
    blk->iostatus = BLOCK_DEVICE_IO_STATUS_OK;
}

void blk_iostatus_reset_all(void)
{
    for (GList *l = all_blks; l; l = l->next) {
        blk_iostatus_reset(l->data);
    }
}

static void blk_iostatus_set_err(BlockBackend *blk, int error)
{
    if (blk->iostatus_enabled &&
        blk->iostatus == BLOCK_DEVICE_IO_STATUS_OK) {
        blk->iostatus = error == ENOSPC ? BLOCK_DEVICE_IO_STATUS_NOSPACE
                                        : BLOCK_DEVICE_IO_STATUS_FAILED;
    }
}

void block_event_set_handler(BlockEventHandler *fn, void *opaque)
{
    event_handler = fn;
    event_opaque = opaque;
}

/* QEMU's send_qmp_error_event(): members in QAPI order. */
static void send_qmp_error_event(BlockBackend *blk, BlockErrorAction action,
                                 bool is_read, int error)
{
    GVariantBuilder b;
    GVariant *data;

    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add(&b, "{sv}", "device",
                          g_variant_new_string(blk_name(blk)));
    if (blk->root) {
        g_variant_builder_add(&b, "{sv}", "node-name", g_variant_new_string(
                              bdrv_get_node_name(blk->root)));
    }
    g_variant_builder_add(&b, "{sv}", "operation",
                          g_variant_new_string(is_read ? "read" : "write"));
    g_variant_builder_add(&b, "{sv}", "action", g_variant_new_string(
                          block_error_action_name(action)));
    if (blk->iostatus_enabled) {
        g_variant_builder_add(&b, "{sv}", "nospace",
                              g_variant_new_boolean(error == ENOSPC));
    }
    g_variant_builder_add(&b, "{sv}", "reason",
                          g_variant_new_string(strerror(error)));
    data = g_variant_ref_sink(g_variant_builder_end(&b));
    if (event_handler) {
        event_handler("BLOCK_IO_ERROR", data, event_opaque);
    }
    g_variant_unref(data);
}

/* The VM stops from the main loop, not inside the device's completion
 * (QEMU's qemu_system_vmstop_request).  Only a running VM stops. */
static void blk_vmstop_bh(void *opaque)
{
    QomuBH **bh = opaque;

    qomu_bh_delete(*bh);
    g_free(bh);
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_IO_ERROR);
    }
}

void blk_error_action(BlockBackend *blk, BlockErrorAction action,
                      bool is_read, int error)
{
    /* The I/O status and the monitor are big-lock state, and a drive
     * moved to an iothread completes (and fails) there. */
    bool lock = !bql_locked();

    assert(error >= 0);
    if (lock) {
        bql_lock();
    }
    if (action == BLOCK_ERROR_ACTION_STOP) {
        QomuBH **bh = g_new(QomuBH *, 1);

        /* The status first, so that `info block` never shows a stop
         * without its cause (QEMU's order). */
        blk_iostatus_set_err(blk, error);
        send_qmp_error_event(blk, action, is_read, error);
        *bh = qomu_bh_new(blk_vmstop_bh, bh);
        qomu_bh_schedule(*bh);
    } else {
        send_qmp_error_event(blk, action, is_read, error);
    }
    if (lock) {
        bql_unlock();
    }
}
