/*
 * file-posix.h - the file protocol driver's few entry points beyond the
 * BlockDriver table (block/file-posix.c): its alignment probe, for tests.
 */
#ifndef BLOCK_FILE_POSIX_H
#define BLOCK_FILE_POSIX_H

#include "util/osdep.h"

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
