/*
 * aiocb.c - request handles and their cancellation (QEMU 7.2's
 * qemu_aio_get/qemu_aio_ref/qemu_aio_unref and bdrv_aio_cancel*).  See
 * include/block/aiocb.h.
 */
#include "util/osdep.h"
#include "block/aio.h"
#include "block/aiocb.h"

void *qemu_aio_get(const AIOCBInfo *aiocb_info, BlockDriverState *bs,
                   BlockCompletionFunc *cb, void *opaque)
{
    BlockAIOCB *acb;

    assert(aiocb_info->aiocb_size >= sizeof(BlockAIOCB));
    acb = g_malloc0(aiocb_info->aiocb_size);
    acb->aiocb_info = aiocb_info;
    acb->bs = bs;
    acb->cb = cb;
    acb->opaque = opaque;
    acb->refcnt = 1;
    return acb;
}

void qemu_aio_ref(void *p)
{
    BlockAIOCB *acb = p;

    assert(acb->refcnt >= 1);
    acb->refcnt++;
}

void qemu_aio_unref(void *p)
{
    BlockAIOCB *acb = p;

    assert(acb->refcnt > 0);
    if (--acb->refcnt == 0) {
        g_free(acb);
    }
}

void bdrv_aio_cancel_async(BlockAIOCB *acb)
{
    if (acb->aiocb_info->cancel_async) {
        acb->aiocb_info->cancel_async(acb);
    }
}

void bdrv_aio_cancel(BlockAIOCB *acb)
{
    AioContext *ctx = acb->aiocb_info->get_aio_context
        ? acb->aiocb_info->get_aio_context(acb)
        : bdrv_get_aio_context(acb->bs);

    qemu_aio_ref(acb);
    bdrv_aio_cancel_async(acb);
    /* The request drops its reference once its callback has returned. */
    AIO_WAIT_WHILE(ctx, acb->refcnt > 1);
    qemu_aio_unref(acb);
}
