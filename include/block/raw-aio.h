/*
 * raw-aio.h - the AIO engines' request interface, used by the file
 * protocol driver (block/file-posix.c) and by the engines' tests
 * (QEMU 7.2's include/block/raw-aio.h and include/block/thread-pool.h).
 *
 * Three engines, each one instance per AioContext (include/block/aio.h):
 *   threads   block/aio-threads.c   a pool of worker threads running
 *                                   blocking syscalls
 *   io_uring  block/aio-io-uring.c  one ring per context (liburing)
 *   native    block/aio-native.c    Linux AIO (io_submit), O_DIRECT only
 *
 * The callback contract, for every submit function here: if it returns
 * a negative errno the request was not submitted and @cb never runs;
 * if it returns 0, @cb runs exactly once, later (never inside the submit
 * call), in the context's home thread, from its event loop.
 *
 * The engines do no retrying of their own: @cb receives what the kernel
 * said, a byte count (which may be short) for reads and writes, 0 for a
 * flush, or -errno.  The caller (file-posix) turns short transfers into
 * resubmissions, zero-fill or -ENOSPC, the same way for every engine.
 */
#ifndef BLOCK_RAW_AIO_H
#define BLOCK_RAW_AIO_H

#include "util/osdep.h"
#include "util/iov.h"
#include "block/aio.h"

typedef enum RawAioType {
    QEMU_AIO_READ = 1,          /* preadv */
    QEMU_AIO_WRITE,             /* pwritev */
    QEMU_AIO_FLUSH,             /* fdatasync (io_uring only) */
} RawAioType;

/* @ret: bytes transferred (>= 0), or -errno. */
typedef void RawAioCompletionFunc(void *opaque, int64_t ret);

/* --- thread pool --- */

/* Runs in a worker thread; returns a result for the completion. */
typedef int64_t ThreadPoolFunc(void *opaque);

/**
 * thread_pool_submit_aio: run @func(@arg) in one of @pool's workers,
 * then @cb(@opaque, result) in the pool's context.  Workers are started
 * on demand, up to THREAD_POOL_MAX_WORKERS, and leave after 10 s idle.
 * Returns 0, or -EAGAIN if no worker exists and none can be started
 * (then @cb never runs).  Home thread of the pool's context.
 */
int thread_pool_submit_aio(ThreadPool *pool, ThreadPoolFunc *func,
                           void *arg, RawAioCompletionFunc *cb,
                           void *opaque);

#define THREAD_POOL_MAX_WORKERS 64

/* Workers alive now (tests). */
unsigned thread_pool_worker_count(ThreadPool *pool);

/* --- Linux AIO (aio=native) --- */

/**
 * laio_submit: queue a read or write of @qiov at @offset of @fd (opened
 * with O_DIRECT: without it the kernel does the I/O inside io_submit).
 * @qiov must stay valid until @cb runs.  Not plugged: submitted at once;
 * plugged: in batches (below).  Requests the kernel
 * cannot take yet (io_submit -EAGAIN, more than the context's 1024
 * events in flight) wait in a queue and go when others complete.
 * Returns 0, or -EINVAL for a type other than read/write.
 */
int laio_submit(LinuxAioState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                RawAioType type, RawAioCompletionFunc *cb, void *opaque);

/* --- io_uring --- */

/**
 * luring_submit: as laio_submit, for read, write and flush
 * (IORING_OP_READV/WRITEV/FSYNC with IORING_FSYNC_DATASYNC; @qiov and
 * @offset unused for a flush).  Works with or without O_DIRECT.
 */
int luring_submit(LuringState *s, int fd, int64_t offset, QEMUIOVector *qiov,
                  RawAioType type, RawAioCompletionFunc *cb, void *opaque);

/*
 * Batching (QEMU's bdrv_io_plug): between plug and the matching unplug,
 * requests are queued and handed to the kernel in batches, one
 * io_submit / io_uring_enter each: whenever the context's aio-max-batch
 * requests wait (aio_context_set_aio_params; 0 means the engine's
 * default below), and what is left at the last unplug.  Plugs nest (a
 * count).  Home thread.
 *
 * Linux AIO's default is QEMU's (DEFAULT_MAX_BATCH).  QEMU's io_uring
 * engine waits for the unplug whatever the batch; qomu's submits every
 * LURING_DEFAULT_MAX_BATCH requests.  Measured with bench/disk
 * (virtio-blk, 32 random 4 KiB reads in flight, a guest that reposts a
 * slot as soon as it completes) on a host whose disk is itself a virtio
 * device: a batch of 32 reached that disk through one doorbell and came
 * back as one burst, every time, and the guest's 32 requests then moved
 * in lockstep with nothing in flight while a burst went round; batches
 * of 2 to 8 let the disk start before the rest arrived: 10-25% more
 * IOPS, for a few more system calls per batch.
 */
#define LAIO_DEFAULT_MAX_BATCH 32
#define LURING_DEFAULT_MAX_BATCH 4
void laio_io_plug(LinuxAioState *s);
void laio_io_unplug(LinuxAioState *s);
void luring_io_plug(LuringState *s);
void luring_io_unplug(LuringState *s);

/* Number of io_uring_enter/io_submit calls made so far (tests of
 * batching). */
uint64_t laio_submit_calls(LinuxAioState *s);
uint64_t luring_submit_calls(LuringState *s);

/* --- for block/aio-context.c only --- */

ThreadPool *thread_pool_new(AioContext *ctx);
/* Join every worker; nothing may be queued or running. */
void thread_pool_free(ThreadPool *pool);

LinuxAioState *laio_init(AioContext *ctx, int notify_fd, Error **errp);
void laio_cleanup(LinuxAioState *s);
/* Reap completions, run their callbacks; returns whether any ran. */
bool laio_poll(LinuxAioState *s);

/* The ring does not signal the context's eventfd: the context watches
 * luring_get_fd() (readable while completions wait: QEMU's way, no
 * eventfd read per wake-up). */
LuringState *luring_init(AioContext *ctx, Error **errp);
int luring_get_fd(LuringState *s);
void luring_cleanup(LuringState *s);
bool luring_poll(LuringState *s);
/* Whether completions wait in the ring (a memory read, no system call:
 * what an iothread's busy-poll looks at). */
bool luring_cq_ready(LuringState *s);

#endif /* BLOCK_RAW_AIO_H */
