/*
 * drive.h - -drive, -hda..-hdd, -cdrom, -snapshot: QEMU 7.2's legacy
 * drive options (blockdev.c's drive_new/blockdev_init, vl.c's
 * configure_blockdev) and the DriveInfo table boards use to find them.
 *
 * Each -drive becomes a named BlockBackend ("-drive id=foo", or QEMU's
 * generated "ide0-hd0", "ide1-cd0", "virtio0", "none0"...) with a
 * DriveInfo recording the interface (if=), bus and unit.  A board or a
 * controller claims its drives with drive_get(IF_IDE, bus, unit) and
 * attaches a device to blk_by_legacy_dinfo(dinfo); if=virtio drives get
 * "-device virtio-blk,drive=ID" added, as in QEMU.  After -device,
 * drive_check_orphans() fails for drives nothing claimed ("machine type
 * does not support if=ide,bus=0,unit=0").
 *
 * Every message is QEMU's, with the option's location
 * ("qomu: -drive file=x,if=foo: unsupported bus type 'foo'").
 * Threads: main thread.
 */
#ifndef BLOCK_DRIVE_H
#define BLOCK_DRIVE_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/qemu-opts.h"
#include "block/block-backend.h"

/* if= (QEMU's BlockInterfaceType, same values) */
typedef enum BlockInterfaceType {
    IF_DEFAULT = -1,                /* the machine's block_default_type */
    IF_NONE = 0,
    IF_IDE, IF_SCSI, IF_FLOPPY, IF_PFLASH, IF_MTD, IF_SD, IF_VIRTIO, IF_XEN,
    IF_COUNT
} BlockInterfaceType;

struct DriveInfo {
    BlockInterfaceType type;
    int bus;
    int unit;
    bool is_default;                /* a default drive (ide1-cd0) */
    bool media_cd;                  /* media=cdrom */
    QemuOpts *opts;                 /* the -drive option (borrowed) */
};

/* "none", "ide", ... */
const char *if_name(BlockInterfaceType type);

/* The drive at @type/@bus/@unit, or NULL. */
DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit);
/* index= numbering: IDE has 2 units per bus, so index 2 is bus 1 unit 0. */
DriveInfo *drive_get_by_index(BlockInterfaceType type, int index);
/* The highest bus with a drive of @type, or -1. */
int drive_get_max_bus(BlockInterfaceType type);
/* The backend of @dinfo.  Borrowed. */
BlockBackend *blk_by_legacy_dinfo(DriveInfo *dinfo);

/*
 * drive_add: what -hda FILE (@type IF_DEFAULT, @index 0, "media=disk")
 * and -cdrom FILE (index 2, "media=cdrom") add to @list, QEMU's
 * drive_add().  Returns the options, or NULL after reporting an error.
 */
QemuOpts *drive_add(QemuOptsList *list, BlockInterfaceType type, int index,
                    const char *file, const char *optstr);

/*
 * drive_new: create the drive one -drive option asks for (QEMU's
 * drive_new + blockdev_init).  @device_opts: where an if=virtio drive's
 * "-device virtio-blk" goes.  Returns the DriveInfo, or NULL: with
 * @errp set on error, or not set after printing format=help.
 */
DriveInfo *drive_new(QemuOpts *opts, BlockInterfaceType block_default_type,
                     QemuOptsList *device_opts, Error **errp);

/*
 * configure_blockdev: every -drive in @drive_opts in order, each
 * reported with its location (QEMU's configure_blockdev): with
 * @snapshot (-snapshot) drives default to snapshot=on; then, if
 * @default_cdrom, an empty CD-ROM at if=@default_type index 2 unless a
 * drive is there.  Returns -1 if all went well, 0 after format=help, 1
 * after an error (reported).
 */
int configure_blockdev(QemuOptsList *drive_opts, QemuOptsList *device_opts,
                       BlockInterfaceType default_type, bool snapshot,
                       bool default_cdrom);

/*
 * drive_check_orphans: report every drive with an interface that no
 * device took ("machine type does not support if=IF,bus=B,unit=U", with
 * the drive's location); default drives are exempt.  Returns false if
 * there was one (QEMU then exits with status 1).
 */
bool drive_check_orphans(void);

/* Close every drive (flushing what the guest wrote) and forget them.
 * Devices must be gone.  Then the main AioContext's engines are freed. */
void blockdev_close_all(void);

/* The -drive option list QEMU parses -drive into (no descriptions: any
 * key is accepted there and checked by drive_new). */
#define DRIVE_OPTS_LIST_INIT { .name = "drive" }

#endif /* BLOCK_DRIVE_H */
