/*
 * block.h - what block device models share (QEMU 7.2's
 * include/hw/block/block.h): BlockConf, the drive and block properties
 * every disk offers (DEFINE_BLOCK_PROPERTIES, DEFINE_BLOCK_ERROR_PROPERTIES,
 * DEFINE_BLOCK_CHS_PROPERTIES) and the realize-time helpers that check
 * and apply them (hw/block/block.c).
 *
 *   struct FooState { DeviceState parent_obj; BlockConf conf; };
 *   static Property foo_props[] = {
 *       DEFINE_BLOCK_PROPERTIES(FooState, conf),
 *       DEFINE_BLOCK_ERROR_PROPERTIES(FooState, conf),
 *       ...
 *   };
 *   realize: blkconf_apply_backend_options(), blkconf_geometry(),
 *            blkconf_blocksizes() - each false with *errp set.
 *
 * Threads: main thread (big lock).
 */
#ifndef HW_BLOCK_BLOCK_H
#define HW_BLOCK_BLOCK_H

#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-properties-block.h"
#include "block/block-backend.h"

/* QAPI's BlockdevOnError "auto" (not in the block layer's enum): the
 * device property that leaves the drive's own setting. */
#define BLOCKDEV_ON_ERROR_AUTO (BLOCKDEV_ON_ERROR_STOP + 1)

/* QAPI's BiosAtaTranslation (ide-hd's bios-chs-trans) */
#define BIOS_ATA_TRANSLATION_AUTO   0
#define BIOS_ATA_TRANSLATION_NONE   1
#define BIOS_ATA_TRANSLATION_LBA    2
#define BIOS_ATA_TRANSLATION_LARGE  3
#define BIOS_ATA_TRANSLATION_RECHS  4

typedef struct BlockConf {
    BlockBackend *blk;
    OnOffAuto backend_defaults;
    uint64_t physical_block_size;
    uint64_t logical_block_size;
    uint64_t min_io_size;
    uint64_t opt_io_size;
    int32_t bootindex;
    uint64_t discard_granularity;   /* 0xffffffff: the device's default */
    OnOffAuto wce;                  /* write-cache */
    bool share_rw;
    OnOffAuto account_invalid, account_failed;
    int rerror, werror;             /* BlockdevOnError or ..._AUTO */
    uint32_t cyls, heads, secs;     /* DEFINE_BLOCK_CHS_PROPERTIES */
    uint32_t lcyls, lheads, lsecs;
} BlockConf;

/* rerror/werror: report/ignore/enospc/stop/auto */
extern const PropertyInfo qdev_prop_blockdev_on_error;
#define DEFINE_PROP_BLOCKDEV_ON_ERROR(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_blockdev_on_error, int)

/* QEMU 7.2's order: `info qtree` lists them so. */
#define DEFINE_BLOCK_PROPERTIES_BASE(_state, _conf)                        \
    DEFINE_PROP_ON_OFF_AUTO("backend_defaults", _state,                    \
                            _conf.backend_defaults, ON_OFF_AUTO_AUTO),     \
    DEFINE_PROP_SIZE("logical_block_size", _state,                         \
                     _conf.logical_block_size, 0),                         \
    DEFINE_PROP_SIZE("physical_block_size", _state,                        \
                     _conf.physical_block_size, 0),                        \
    DEFINE_PROP_SIZE("min_io_size", _state, _conf.min_io_size, 0),         \
    DEFINE_PROP_SIZE("opt_io_size", _state, _conf.opt_io_size, 0),         \
    DEFINE_PROP_SIZE("discard_granularity", _state,                        \
                     _conf.discard_granularity, 0xffffffffu),              \
    DEFINE_PROP_ON_OFF_AUTO("write-cache", _state, _conf.wce,              \
                            ON_OFF_AUTO_AUTO),                             \
    DEFINE_PROP_BOOL("share-rw", _state, _conf.share_rw, false),           \
    DEFINE_PROP_ON_OFF_AUTO("account-invalid", _state,                     \
                            _conf.account_invalid, ON_OFF_AUTO_AUTO),      \
    DEFINE_PROP_ON_OFF_AUTO("account-failed", _state,                      \
                            _conf.account_failed, ON_OFF_AUTO_AUTO)

#define DEFINE_BLOCK_PROPERTIES(_state, _conf)                             \
    DEFINE_PROP_DRIVE("drive", _state, _conf.blk),                         \
    DEFINE_BLOCK_PROPERTIES_BASE(_state, _conf)

#define DEFINE_BLOCK_ERROR_PROPERTIES(_state, _conf)                       \
    DEFINE_PROP_BLOCKDEV_ON_ERROR("rerror", _state, _conf.rerror,          \
                                  BLOCKDEV_ON_ERROR_AUTO),                 \
    DEFINE_PROP_BLOCKDEV_ON_ERROR("werror", _state, _conf.werror,          \
                                  BLOCKDEV_ON_ERROR_AUTO)

#define DEFINE_BLOCK_CHS_PROPERTIES(_state, _conf)                         \
    DEFINE_PROP_UINT32("cyls", _state, _conf.cyls, 0),                     \
    DEFINE_PROP_UINT32("heads", _state, _conf.heads, 0),                   \
    DEFINE_PROP_UINT32("secs", _state, _conf.secs, 0),                     \
    DEFINE_PROP_UINT32("lcyls", _state, _conf.lcyls, 0),                   \
    DEFINE_PROP_UINT32("lheads", _state, _conf.lheads, 0),                 \
    DEFINE_PROP_UINT32("lsecs", _state, _conf.lsecs, 0)

/*
 * Fill in the block sizes left 0 (512: what QEMU probes for an image
 * file) and check them: powers of two in [512, 2 MiB], logical <=
 * physical, min_io_size/opt_io_size/discard_granularity multiples of
 * logical_block_size.
 */
bool blkconf_blocksizes(BlockConf *conf, Error **errp);

/*
 * Guess cyls/heads/secs when none is set (QEMU's guess for a disk
 * without a partition table: 16 heads, 63 sectors, 2..16383 cylinders)
 * and check them against the maxima.  With @ptrans, an "auto"
 * translation is resolved too.
 */
bool blkconf_geometry(BlockConf *conf, int *ptrans,
                      unsigned cyls_max, unsigned heads_max,
                      unsigned secs_max, Error **errp);

/*
 * Take the device's permissions on the drive (QEMU's): consistent read,
 * and write unless @readonly; it shares consistent read and write
 * unchanged, resize if @resizable, write with share-rw=on.  Conflicts
 * with another user of the image fail with the file driver's lock
 * message ("Failed to get shared \"write\" lock").  Then apply
 * write-cache and rerror/werror ("auto" keeps the drive's).  A device
 * that writes (!@readonly) refuses a read-only medium: "Block node is
 * read-only".
 */
bool blkconf_apply_backend_options(BlockConf *conf, bool readonly,
                                   bool resizable, Error **errp);

#endif /* HW_BLOCK_BLOCK_H */
