/*
 * aio-native.c - aio=native: Linux AIO (io_setup/io_submit/io_getevents),
 * one kernel AIO context per AioContext (QEMU 7.2's block/linux-aio.c).
 *
 * QEMU links libaio for this; qomu makes the four system calls itself
 * (<linux/aio_abi.h>): libaio is a thin wrapper over them, and this
 * keeps the build free of one more library.  Linux AIO is only
 * asynchronous with O_DIRECT; file-posix refuses aio=native without
 * cache.direct=on, with QEMU's message.  It has reads and writes only:
 * file-posix sends flushes, discards and write-zeroes to the thread pool,
 * as QEMU does.
 *
 * Each iocb carries the context's eventfd (IOCB_FLAG_RESFD), so a
 * completion wakes the context's loop; laio_poll() then collects events
 * with a zero-timeout io_getevents.  Requests beyond the kernel context's
 * MAX_EVENTS, or refused with EAGAIN, wait in a queue (QEMU's
 * io_q.pending) and are submitted as completions make room.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "block/aio.h"
#include "block/raw-aio.h"

#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <time.h>

#define MAX_EVENTS 1024             /* per kernel context, as QEMU */
#define MAX_BATCH 128               /* iocbs per io_submit */

typedef struct LinuxAioCB {
    struct iocb iocb;
    RawAioCompletionFunc *cb;
    void *opaque;
} LinuxAioCB;

struct LinuxAioState {
    AioContext *ctx;
    aio_context_t kctx;
    int notify_fd;
    unsigned plugged;
    unsigned in_flight;         /* submitted to the kernel */
    GQueue pending;             /* LinuxAioCB * not yet submitted */
    uint64_t submit_calls;
};

/* --- the system calls --- */

static int sys_io_setup(unsigned nr, aio_context_t *ctxp)
{
    return syscall(__NR_io_setup, nr, ctxp) < 0 ? -errno : 0;
}

static int sys_io_destroy(aio_context_t ctx)
{
    return syscall(__NR_io_destroy, ctx) < 0 ? -errno : 0;
}

/* Returns the number of iocbs taken, or -errno. */
static int sys_io_submit(aio_context_t ctx, long nr, struct iocb **iocbs)
{
    long ret = syscall(__NR_io_submit, ctx, nr, iocbs);

    return ret < 0 ? -errno : (int)ret;
}

static int sys_io_getevents(aio_context_t ctx, long min_nr, long nr,
                            struct io_event *events, struct timespec *t)
{
    long ret = syscall(__NR_io_getevents, ctx, min_nr, nr, events, t);

    return ret < 0 ? -errno : (int)ret;
}

/* --- submission --- */

typedef struct LaioFailed {
    LinuxAioCB *acb;
    int ret;
} LaioFailed;

static void laio_fail_bh(void *opaque)
{
    LaioFailed *f = opaque;

    f->acb->cb(f->acb->opaque, f->ret);
    g_free(f->acb);
    g_free(f);
}

/*
 * Submit pending iocbs while the kernel takes them.  On a hard error the
 * first iocb fails with it (its callback runs from a BH: we may be inside
 * laio_submit) and the rest are retried.  -EAGAIN with nothing in flight
 * is treated as hard too: no completion would come to retry it.
 */
static void laio_submit_pending(LinuxAioState *s)
{
    while (!g_queue_is_empty(&s->pending) && s->in_flight < MAX_EVENTS) {
        struct iocb *batch[MAX_BATCH];
        long n = 0;
        int ret;

        for (GList *l = s->pending.head;
             l && n < MAX_BATCH && s->in_flight + n < MAX_EVENTS;
             l = l->next) {
            batch[n++] = &((LinuxAioCB *)l->data)->iocb;
        }
        do {
            s->submit_calls++;
            ret = sys_io_submit(s->kctx, n, batch);
        } while (ret == -EINTR);
        if (ret == -EAGAIN && s->in_flight > 0) {
            return;                 /* retried when completions arrive */
        }
        if (ret < 0) {
            LaioFailed *f = g_new(LaioFailed, 1);

            f->acb = g_queue_pop_head(&s->pending);
            f->ret = ret;
            aio_bh_schedule_oneshot(s->ctx, laio_fail_bh, f);
            continue;
        }
        for (int i = 0; i < ret; i++) {
            g_queue_pop_head(&s->pending);
        }
        s->in_flight += ret;
        if (ret < n) {
            return;                 /* the kernel is full for now */
        }
    }
}

int laio_submit(LinuxAioState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                RawAioType type, RawAioCompletionFunc *cb, void *opaque)
{
    LinuxAioCB *acb;

    assert(aio_context_in_home_thread(s->ctx));
    if (type != QEMU_AIO_READ && type != QEMU_AIO_WRITE) {
        return -EINVAL;
    }
    acb = g_new0(LinuxAioCB, 1);
    acb->cb = cb;
    acb->opaque = opaque;
    acb->iocb.aio_data = (uintptr_t)acb;
    acb->iocb.aio_lio_opcode = type == QEMU_AIO_READ ? IOCB_CMD_PREADV
                                                     : IOCB_CMD_PWRITEV;
    acb->iocb.aio_fildes = fd;
    acb->iocb.aio_buf = (uintptr_t)qiov->iov;
    acb->iocb.aio_nbytes = qiov->niov;
    acb->iocb.aio_offset = offset;
    acb->iocb.aio_flags = IOCB_FLAG_RESFD;
    acb->iocb.aio_resfd = s->notify_fd;
    g_queue_push_tail(&s->pending, acb);
    if (!s->plugged ||
        g_queue_get_length(&s->pending) >=
        aio_context_max_batch(s->ctx, LAIO_DEFAULT_MAX_BATCH, MAX_BATCH)) {
        laio_submit_pending(s);
    }
    return 0;
}

/* --- completion --- */

bool laio_poll(LinuxAioState *s)
{
    struct io_event events[64];
    bool progress = false;

    while (s->in_flight) {
        struct timespec zero = { 0, 0 };
        int n = sys_io_getevents(s->kctx, 0, G_N_ELEMENTS(events), events,
                                 &zero);

        if (n == -EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        s->in_flight -= n;
        /* Room in the kernel context: send what waits before running
         * callbacks, which may queue more. */
        if (!s->plugged) {
            laio_submit_pending(s);
        }
        for (int i = 0; i < n; i++) {
            LinuxAioCB *acb = (LinuxAioCB *)(uintptr_t)events[i].data;

            /* res is the byte count or -errno, in a 64-bit field */
            acb->cb(acb->opaque, (int64_t)events[i].res);
            g_free(acb);
        }
        progress = true;
    }
    return progress;
}

void laio_io_plug(LinuxAioState *s)
{
    assert(aio_context_in_home_thread(s->ctx));
    s->plugged++;
}

void laio_io_unplug(LinuxAioState *s)
{
    assert(s->plugged > 0);
    if (--s->plugged == 0) {
        laio_submit_pending(s);
    }
}

uint64_t laio_submit_calls(LinuxAioState *s)
{
    return s->submit_calls;
}

/* --- set-up --- */

LinuxAioState *laio_init(AioContext *ctx, int notify_fd, Error **errp)
{
    LinuxAioState *s = g_new0(LinuxAioState, 1);
    int ret = sys_io_setup(MAX_EVENTS, &s->kctx);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to create linux AIO context");
        g_free(s);
        return NULL;
    }
    s->ctx = ctx;
    s->notify_fd = notify_fd;
    g_queue_init(&s->pending);
    return s;
}

void laio_cleanup(LinuxAioState *s)
{
    assert(s->in_flight == 0 && g_queue_is_empty(&s->pending));
    sys_io_destroy(s->kctx);
    g_free(s);
}
