/*
 * blkdebug.h - fault injection: the "blkdebug" filter driver's rules
 * (block/blkdebug.c).  A test puts the filter between a format and its
 * file, e.g. with the options
 *     driver=raw,file.driver=blkdebug,file.image.filename=disk.img
 * and then tells the filter node which requests to fail.
 */
#ifndef BLOCK_BLKDEBUG_H
#define BLOCK_BLKDEBUG_H

#include "block/block.h"

typedef enum BlkdebugIOType {
    BLKDEBUG_IO_TYPE_READ = 1 << 0,
    BLKDEBUG_IO_TYPE_WRITE = 1 << 1,
    BLKDEBUG_IO_TYPE_FLUSH = 1 << 2,
    BLKDEBUG_IO_TYPE_DISCARD = 1 << 3,
    BLKDEBUG_IO_TYPE_WRITE_ZEROES = 1 << 4,
    BLKDEBUG_IO_TYPE_ALL = 0x1f,
} BlkdebugIOType;

/*
 * blkdebug_inject_error: make requests of the types in @iotypes that
 * overlap [@offset, @offset + @bytes) (@bytes < 0: anywhere; flushes
 * always match the range) fail with -@error, without reaching the image.
 * @once: only the first matching request fails.  Rules are checked in
 * the order added.  @bs must be a blkdebug node.  Home thread.
 */
void blkdebug_inject_error(BlockDriverState *bs, unsigned iotypes,
                           int error, int64_t offset, int64_t bytes,
                           bool once);

/* Remove every rule. */
void blkdebug_clear_rules(BlockDriverState *bs);

/* Requests of @iotype the node has seen (failed or passed on). */
unsigned blkdebug_request_count(BlockDriverState *bs, BlkdebugIOType iotype);

#endif /* BLOCK_BLKDEBUG_H */
