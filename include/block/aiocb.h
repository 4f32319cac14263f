/*
 * aiocb.h - the handle of an asynchronous block request (QEMU 7.2's
 * BlockAIOCB, AIOCBInfo, qemu_aio_get/ref/unref and bdrv_aio_cancel from
 * include/block/aio.h and block/io.c).
 *
 * Every blk_aio_*() call returns a BlockAIOCB; code that builds a
 * request out of several (dma_blk_io, IDE's TRIM) makes its own with
 * qemu_aio_get() so that the device can cancel any of them the same way:
 *
 *     typedef struct MyAIOCB {
 *         BlockAIOCB common;          // first
 *         ...
 *     } MyAIOCB;
 *     static const AIOCBInfo my_aiocb_info = {
 *         .aiocb_size = sizeof(MyAIOCB),
 *         .cancel_async = my_cancel_async,    // optional
 *         .get_aio_context = my_get_aio_context,
 *     };
 *     MyAIOCB *acb = qemu_aio_get(&my_aiocb_info, NULL, cb, opaque);
 *     ...  later, exactly once:  acb->common.cb(acb->common.opaque, ret);
 *          then qemu_aio_unref(acb);
 *
 * The request holds the first reference and drops it after calling its
 * callback; bdrv_aio_cancel() holds another while it waits.
 *
 * Threads: the home thread of the request's AioContext.
 */
#ifndef BLOCK_AIOCB_H
#define BLOCK_AIOCB_H

#include "block/block.h"

typedef struct BlockAIOCB BlockAIOCB;

typedef struct AIOCBInfo {
    /* Ask the request to finish early (it still calls its callback
     * exactly once, maybe with -ECANCELED); NULL: it cannot. */
    void (*cancel_async)(BlockAIOCB *acb);
    /* The context its callback runs in; NULL: that of @acb->bs. */
    AioContext *(*get_aio_context)(BlockAIOCB *acb);
    size_t aiocb_size;
} AIOCBInfo;

struct BlockAIOCB {
    const AIOCBInfo *aiocb_info;
    BlockDriverState *bs;       /* may be NULL (then get_aio_context) */
    BlockCompletionFunc *cb;
    void *opaque;
    int refcnt;
};

/* A zeroed aiocb_info->aiocb_size block with the BlockAIOCB header
 * filled in and one reference. */
void *qemu_aio_get(const AIOCBInfo *aiocb_info, BlockDriverState *bs,
                   BlockCompletionFunc *cb, void *opaque);
void qemu_aio_ref(void *p);
void qemu_aio_unref(void *p);

/* Ask @acb to finish early; returns at once. */
void bdrv_aio_cancel_async(BlockAIOCB *acb);
/* Ask @acb to finish early and wait (aio_poll) until its callback has
 * run and returned.  @acb's callback must not have run yet. */
void bdrv_aio_cancel(BlockAIOCB *acb);

#endif /* BLOCK_AIOCB_H */
