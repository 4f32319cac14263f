/*
 * block-backend.h - BlockBackend, what a guest device attaches to (QEMU
 * 7.2's include/sysemu/block-backend*.h).  "-drive id=foo" names one.
 *
 * A BlockBackend holds the root node of a graph (block.h) - or none: an
 * empty CD-ROM drive - and everything that belongs to the guest's view
 * of the disk rather than to the image: its name, the device attached
 * to it, whether the guest has a write cache (cache.writeback), what to
 * do on I/O errors (werror/rerror), the I/O status, and the requests in
 * flight.
 *
 * For a device model (IDE, virtio-blk):
 *
 *   realize:   blk = the "drive" property (DEFINE_PROP_DRIVE) or
 *              blk_by_name(); blk_attach_dev() is done by the property;
 *              blk_set_dev_ops() for removable media; blk_iostatus_enable().
 *   a request: build a QEMUIOVector over guest RAM, then
 *                  blk_aio_preadv(blk, offset, &qiov, 0, done_cb, s);
 *              and return to the guest.  done_cb(s, ret) runs later.
 *   errors:    in done_cb, if ret < 0:
 *                  action = blk_get_error_action(blk, is_read, -ret);
 *                  blk_error_action(blk, action, is_read, -ret);
 *              then STOP: keep the request and re-issue it when the VM
 *              runs again; REPORT: fail it to the guest; IGNORE: complete
 *              it as if it had worked.
 *   batching:  blk_io_plug(); submit several; blk_io_unplug().
 *   reset:     blk_drain() waits for every request in flight.
 *   WCE:       blk_enable_write_cache() is the guest-visible write cache
 *              bit (IDENTIFY word 85 bit 5, virtio-blk WCE); the guest may
 *              change it with blk_set_enable_write_cache().
 *
 * The callback contract of every blk_aio_*() function: the call cannot
 * fail - every error, including a request beyond the end of the medium
 * or a missing medium, is reported through @cb; @cb runs exactly once,
 * later (never inside the call), in the home thread of the BlockBackend's
 * AioContext (the main loop, with the big lock held, unless the backend
 * was moved to an I/O thread with blk_set_aio_context()).  Submit from
 * that home thread too: for the main context, any thread holding the big
 * lock (a vCPU thread dispatching MMIO/PIO).
 *
 * Threads: everything here in the home thread of the backend's
 * AioContext; creation, naming and attachment in the main thread.
 */
#ifndef BLOCK_BLOCK_BACKEND_H
#define BLOCK_BLOCK_BACKEND_H

#include "block/block.h"

typedef struct BlockBackend BlockBackend;
typedef struct DeviceState DeviceState;
typedef struct DriveInfo DriveInfo;

/* werror/rerror (QEMU's BlockdevOnError) */
typedef enum BlockdevOnError {
    BLOCKDEV_ON_ERROR_REPORT,
    BLOCKDEV_ON_ERROR_IGNORE,
    BLOCKDEV_ON_ERROR_ENOSPC,       /* stop on ENOSPC, else report */
    BLOCKDEV_ON_ERROR_STOP,
} BlockdevOnError;

/* What to do about one failed request (QEMU's BlockErrorAction) */
typedef enum BlockErrorAction {
    BLOCK_ERROR_ACTION_IGNORE,
    BLOCK_ERROR_ACTION_REPORT,
    BLOCK_ERROR_ACTION_STOP,
} BlockErrorAction;

/* query-block's io-status */
typedef enum BlockDeviceIoStatus {
    BLOCK_DEVICE_IO_STATUS_OK,
    BLOCK_DEVICE_IO_STATUS_FAILED,
    BLOCK_DEVICE_IO_STATUS_NOSPACE,
} BlockDeviceIoStatus;

const char *block_error_action_name(BlockErrorAction action);
const char *block_device_io_status_name(BlockDeviceIoStatus status);

/* Callbacks a device with removable media gives (QEMU's BlockDevOps).
 * Any may be NULL.  Main thread. */
typedef struct BlockDevOps {
    /* The medium changed (@load: a medium is now in). */
    void (*change_media_cb)(void *opaque, bool load);
    /* Whether the tray is open (query-block tray_open). */
    bool (*is_tray_open)(void *opaque);
    /* Whether the guest locked the medium in. */
    bool (*is_medium_locked)(void *opaque);
} BlockDevOps;

/* --- life --- */

/**
 * blk_new_open: open the image (bdrv_open, which see: @options are
 * consumed) and put a new, unnamed BlockBackend on it.  The guest sees
 * a write cache (writeback) until blk_set_enable_write_cache().
 * Returns the backend (one reference, the caller's: blk_unref()), or
 * NULL with @errp set.  Main thread.
 */
BlockBackend *blk_new_open(const char *filename, BlockOptions *options,
                           int flags, Error **errp);

/* An empty backend (no medium): an empty CD-ROM drive.  @open_flags are
 * those a medium would be opened with.  New reference. */
BlockBackend *blk_new_empty(int open_flags);

/* A new, unnamed backend over the node @bs (which gets a reference of
 * its own), in @bs's AioContext.  New reference. */
BlockBackend *blk_new_with_bs(BlockDriverState *bs);

void blk_ref(BlockBackend *blk);
/* Drop a reference: the last one drains, closes the graph (flushing it)
 * and removes the name. */
void blk_unref(BlockBackend *blk);

/**
 * monitor_add_blk: give @blk the name @name, visible to -device
 * drive=, query-block and info block (QEMU's function of that name).
 * Errors: "Invalid device name", "Device with id 'X' already exists",
 * "Device name 'X' conflicts with an existing node name".
 */
bool monitor_add_blk(BlockBackend *blk, const char *name, Error **errp);
/* Remove the name (the backend stays). */
void monitor_remove_blk(BlockBackend *blk);

/* The backend named @name, or NULL.  Borrowed. */
BlockBackend *blk_by_name(const char *name);
/* The named backends in creation order (NULL starts); borrowed. */
BlockBackend *blk_next(BlockBackend *blk);
/* Every backend, named or not (QEMU's blk_all_next). */
BlockBackend *blk_all_next(BlockBackend *blk);
/* "" if unnamed.  Borrowed. */
const char *blk_name(const BlockBackend *blk);
/* The root node, or NULL when empty.  Borrowed. */
BlockDriverState *blk_bs(BlockBackend *blk);
/* Live backends (tests check for leaks). */
unsigned blk_live_count(void);

/* -drive's record (block/drive.c), or NULL. */
DriveInfo *blk_legacy_dinfo(BlockBackend *blk);
void blk_set_legacy_dinfo(BlockBackend *blk, DriveInfo *dinfo);

/*
 * blk_set_perm: what the backend's user takes on the image and what it
 * lets others do (BLK_PERM_*, QEMU's): a device's realize sets them
 * (blkconf_apply_backend_options).  Fails with the file driver's lock
 * message when another user conflicts; then nothing changed.
 */
int blk_set_perm(BlockBackend *blk, uint64_t perm, uint64_t shared_perm,
                 Error **errp);
void blk_get_perm(BlockBackend *blk, uint64_t *perm, uint64_t *shared_perm);

/* --- the device --- */

/*
 * blk_attach_dev: @dev now uses @blk.  Returns 0, or -EBUSY if another
 * device has it.  Takes a reference on @blk, dropped by detach.
 */
int blk_attach_dev(BlockBackend *blk, DeviceState *dev);
void blk_detach_dev(BlockBackend *blk, DeviceState *dev);
DeviceState *blk_get_attached_dev(BlockBackend *blk);
/* The device's id, else its QOM path (g_free); NULL if none. */
char *blk_get_attached_dev_id(BlockBackend *blk);
void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque);
/* query-block's "removable": no device, or one with change_media_cb. */
bool blk_dev_has_removable_media(BlockBackend *blk);
bool blk_dev_has_tray(BlockBackend *blk);
bool blk_dev_is_tray_open(BlockBackend *blk);
bool blk_dev_is_medium_locked(BlockBackend *blk);

/* --- properties --- */

/* Whether a medium is in. */
bool blk_is_inserted(BlockBackend *blk);
/* Whether the guest may write (a medium is in and it is not read-only). */
bool blk_is_writable(BlockBackend *blk);
bool blk_is_read_only(BlockBackend *blk);
/* Length in bytes, or -ENOMEDIUM. */
int64_t blk_getlength(BlockBackend *blk);
/* Length in 512-byte sectors; 0 when empty. */
void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors);
/* The guest-visible write cache (WCE). */
bool blk_enable_write_cache(BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool wce);
/* BDRV_O_* of the root node (or of the medium to come). */
int blk_get_flags(BlockBackend *blk);
/* Alignment requests are cheapest at (the root's request alignment;
 * others work, with padding). */
uint32_t blk_get_request_alignment(BlockBackend *blk);
/* The largest request worth making, in bytes: the root's max_transfer,
 * or INT_MAX, rounded down to the request alignment (QEMU's
 * blk_get_max_transfer; what virtio-blk merges requests up to). */
uint32_t blk_get_max_transfer(BlockBackend *blk);
/* The most iovec elements a request should have (QEMU's
 * blk_get_max_iov: IOV_MAX unless a node says less). */
int blk_get_max_iov(BlockBackend *blk);
/* Memory for I/O on @blk, aligned for O_DIRECT; qemu_vfree() it. */
void *blk_blockalign(BlockBackend *blk, size_t size);

AioContext *blk_get_aio_context(BlockBackend *blk);
/* Move @blk and its graph to @ctx (an I/O thread's), from its current
 * home thread, with nothing in flight. */
void blk_set_aio_context(BlockBackend *blk, AioContext *ctx);

/* --- requests (see the contract at the top) --- */

typedef struct BlockAIOCB BlockAIOCB;

/* Read qiov->size bytes at @offset into @qiov. */
BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, BdrvRequestFlags flags,
                           BlockCompletionFunc *cb, void *opaque);
/* Write @qiov at @offset.  With the write cache off, completes only once
 * the data is stable (FUA: write + flush). */
BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque);
/* Everything written before this call is stable when @cb gets 0
 * (cache=unsafe: ignored). */
BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque);
BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque);
BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, BdrvRequestFlags flags,
                                  BlockCompletionFunc *cb, void *opaque);

/*
 * blk_aio_cancel: wait until @acb's callback has run (host I/O cannot be
 * called back; QEMU's blk_aio_cancel also waits).  @acb must be one whose
 * callback has not run yet.  Home thread.  Works on any BlockAIOCB
 * (block/aiocb.h: dma_blk_io's too), as QEMU's.
 * blk_aio_cancel_async: ask @acb to finish early and return at once
 * (does nothing for a blk_aio_*() request itself).
 */
void blk_aio_cancel(BlockAIOCB *acb);
void blk_aio_cancel_async(BlockAIOCB *acb);

/* Batch: requests between plug and unplug go to the kernel together.
 * Nests. */
void blk_io_plug(BlockBackend *blk);
void blk_io_unplug(BlockBackend *blk);

/* Requests started and not completed (their callback has not returned). */
int blk_in_flight(BlockBackend *blk);
/* Wait until nothing is in flight (runs the AioContext meanwhile). */
void blk_drain(BlockBackend *blk);
/* blk_drain() every backend. */
void blk_drain_all(void);

/* Synchronous: issue and wait (aio_poll).  Return 0 or -errno. */
int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags);
int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf, BdrvRequestFlags flags);
int blk_flush(BlockBackend *blk);

/* --- errors --- */

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error);
BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read);

/* What werror/rerror say about errno @error (positive). */
BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read,
                                      int error);

/*
 * blk_error_action: carry out @action for a request that failed with
 * @error (positive): emit BLOCK_IO_ERROR (block_event_set_handler); for
 * STOP, first set the I/O status, then stop the VM
 * (vm_stop(RUN_STATE_IO_ERROR), from a main-loop bottom half, as QEMU's
 * vmstop request: never inside the caller's completion).
 */
void blk_error_action(BlockBackend *blk, BlockErrorAction action,
                      bool is_read, int error);

/* The I/O status is kept once a device enables it (QEMU). */
void blk_iostatus_enable(BlockBackend *blk);
bool blk_iostatus_is_enabled(BlockBackend *blk);
BlockDeviceIoStatus blk_iostatus(BlockBackend *blk);
void blk_iostatus_reset(BlockBackend *blk);
/* "cont" resets every backend's status (QEMU's qmp_cont). */
void blk_iostatus_reset_all(void);

/*
 * QMP events.  The block layer emits BLOCK_IO_ERROR as @name plus an
 * a{sv} @data dictionary with QEMU's members ("device", "node-name",
 * "operation", "action", "nospace" when the I/O status is enabled,
 * "reason"); the monitor installs the handler that sends it.  @data is
 * borrowed (floating references are sunk by the caller).  Main thread.
 */
typedef void BlockEventHandler(const char *name, GVariant *data,
                               void *opaque);
void block_event_set_handler(BlockEventHandler *fn, void *opaque);

#endif /* BLOCK_BLOCK_BACKEND_H */
