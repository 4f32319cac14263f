/*
 * file-posix.h - the file protocol driver's few entry points beyond the
 * BlockDriver table (block/file-posix.c): image creation with QEMU's
 * locks, and its alignment probe, for tests.
 */
#ifndef BLOCK_FILE_POSIX_H
#define BLOCK_FILE_POSIX_H

#include "util/osdep.h"
#include "util/error.h"

/*
 * file_posix_create: create (or empty) the image file @filename, @size
 * bytes, as QEMU's file protocol creates one (raw_co_create): it is not
 * truncated before its lock bytes say nobody else uses it, so a running
 * VM's disk is refused, not destroyed ('Failed to get "write" lock',
 * with the hint "Is another process using the image [FILE]?").  Returns
 * an fd that holds the write lock until it is closed, or -1 with *errp
 * set.  qemu-img create/convert and qcow2_create use it.
 */
int file_posix_create(const char *filename, int64_t size, Error **errp);

/*
 * file_posix_probe_alignment_io: QEMU's raw_probe_alignment() fallback,
 * for an @fd opened with O_DIRECT whose filesystem says nothing
 * (no BLKSSZGET, no statx STATX_DIOALIGN, e.g. tmpfs): try reads at
 * offset 0 of 1, 512, 1024, 2048 and 4096 bytes into an aligned buffer
 * (the first the kernel takes is the request alignment; 1 means
 * "unknown", taken as 4096), then reads from buffers offset by those
 * amounts (the memory alignment; unknown: the request alignment).
 */
void file_posix_probe_alignment_io(int fd, uint32_t *request_alignment,
                                   size_t *buf_align);

#endif /* BLOCK_FILE_POSIX_H */
