/*
 * iov.h - scatter/gather vectors: struct iovec arrays and QEMUIOVector
 * (QEMU 7.2's include/qemu/iov.h, the part the block layer and its
 * devices use).
 *
 * A QEMUIOVector is a growable struct iovec array plus its total size in
 * bytes.  It describes memory, it does not own it: a device builds one
 * over guest RAM it has mapped (IDE's PRD table, a virtqueue descriptor
 * chain) and hands it to blk_aio_preadv()/pwritev(); the buffers must
 * stay valid until the request completes.  Only the iovec array itself
 * is allocated (qemu_iovec_init/destroy).
 *
 * All functions are pure (no global state): any thread may call them on
 * vectors it owns.
 */
#ifndef UTIL_IOV_H
#define UTIL_IOV_H

#include "util/osdep.h"

#include <sys/uio.h>

/* --- plain struct iovec arrays --- */

/* Total bytes in @iov[0..@iov_cnt). */
size_t iov_size(const struct iovec *iov, unsigned int iov_cnt);

/*
 * iov_from_buf / iov_to_buf: copy @bytes between @buf and the vector,
 * starting @offset bytes into the vector.  Copies less if the vector
 * ends first.  Returns the number of bytes copied.
 */
size_t iov_from_buf(const struct iovec *iov, unsigned int iov_cnt,
                    size_t offset, const void *buf, size_t bytes);
size_t iov_to_buf(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, void *buf, size_t bytes);

/* Set @bytes of the vector to @fillc, from @offset; returns bytes set. */
size_t iov_memset(const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes);

/* --- QEMUIOVector --- */

typedef struct QEMUIOVector {
    struct iovec *iov;          /* the elements */
    int niov;                   /* elements in use */
    /*
     * Allocated elements, or -1 for an external vector whose iov points
     * at local_iov or at memory the vector does not own
     * (qemu_iovec_init_buf, qemu_iovec_init_external): it cannot grow.
     */
    int nalloc;
    struct iovec local_iov;     /* the one element of qemu_iovec_init_buf */
    size_t size;                /* sum of the elements' lengths, bytes */
} QEMUIOVector;

/* An empty vector with room for @alloc_hint elements (it grows). */
void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint);

/* A vector of the one buffer @buf of @len bytes (no allocation; it must
 * not be grown, and need not be destroyed). */
void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len);

/* A vector over the caller's @iov array (not copied, not freed). */
void qemu_iovec_init_external(QEMUIOVector *qiov, struct iovec *iov,
                              int niov);

/* Append @len bytes at @base (a zero @len is not added). */
void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len);

/*
 * qemu_iovec_concat: append to @dst the part [@soffset, @soffset +
 * @sbytes) of @src's memory, as elements of @dst (no data is copied).
 * The range must lie within @src.
 */
void qemu_iovec_concat(QEMUIOVector *dst, const QEMUIOVector *src,
                       size_t soffset, size_t sbytes);

/* Forget the elements (keeps the allocation). */
void qemu_iovec_reset(QEMUIOVector *qiov);

/* Free the element array of a vector made by qemu_iovec_init (no-op for
 * external ones); the vector must be re-initialised before reuse. */
void qemu_iovec_destroy(QEMUIOVector *qiov);

/* Copy between a flat buffer and the vector (see iov_to_buf). */
size_t qemu_iovec_to_buf(const QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes);
size_t qemu_iovec_from_buf(const QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes);
size_t qemu_iovec_memset(const QEMUIOVector *qiov, size_t offset,
                         int fillc, size_t bytes);

/* Whether @bytes of the vector from @offset are all zero. */
bool qemu_iovec_is_zero(const QEMUIOVector *qiov, size_t offset,
                        size_t bytes);

/*
 * qemu_iovec_is_aligned: whether every element's address and length is a
 * multiple of @align (a power of two), as O_DIRECT wants of the memory.
 */
bool qemu_iovec_is_aligned(const QEMUIOVector *qiov, size_t align);

/* Whether all of @buf[0..@len) is zero. */
bool buffer_is_zero(const void *buf, size_t len);

#endif /* UTIL_IOV_H */
