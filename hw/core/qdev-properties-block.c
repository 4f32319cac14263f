/*
 * qdev-properties-block.c - the "drive" static property (QEMU 7.2's
 * set_drive_helper/release_drive, without iothreads or changing the
 * node of an attached backend).  See
 * include/hw/core/qdev-properties-block.h.
 */
#include "util/osdep.h"
#include "block/drive.h"
#include "hw/core/qdev-properties-block.h"

static GVariant *get_drive(Object *obj, ObjectProperty *op, Error **errp)
{
    BlockBackend **ptr = object_field_prop_ptr(obj, op->opaque);
    const char *value = "";

    if (*ptr) {
        value = blk_name(*ptr);
        if (!*value && blk_bs(*ptr)) {
            value = bdrv_get_node_name(blk_bs(*ptr));
        }
    }
    return g_variant_take_ref(g_variant_new_string(value));
}

static bool set_drive(Object *obj, ObjectProperty *op, GVariant *value,
                      Error **errp)
{
    DeviceState *dev = DEVICE(obj);
    BlockBackend **ptr = object_field_prop_ptr(obj, op->opaque);
    BlockBackend *blk;
    BlockDriverState *bs;
    bool created = false;
    const char *str;

    if (!prop_value_str(value, op->name, &str, errp)) {
        return false;
    }
    if (*ptr) {
        /* QEMU would move the backend to another node here */
        error_setg(errp, "Changing the node of a drive property is not "
                   "supported in this build");
        return false;
    }
    if (!*str) {
        return true;
    }
    blk = blk_by_name(str);
    if (!blk && (bs = bdrv_find_node(str))) {
        /* A node: an anonymous backend of its own (QEMU's blk_new +
         * blk_insert_bs) */
        blk = blk_new_with_bs(bs);
        created = true;
    }
    if (!blk) {
        error_setg(errp, "Property '%s.%s' can't find value '%s'",
                   object_get_typename(obj), op->name, str);
        return false;
    }
    if (blk_attach_dev(blk, dev) < 0) {
        DriveInfo *dinfo = blk_legacy_dinfo(blk);

        if (dinfo && dinfo->type != IF_NONE) {
            error_setg(errp, "Drive '%s' is already in use because it has "
                       "been automatically connected to another device (did "
                       "you need 'if=none' in the drive options?)", str);
        } else {
            error_setg(errp, "Drive '%s' is already in use by another device",
                       str);
        }
        if (created) {
            blk_unref(blk);
        }
        return false;
    }
    /* blk_attach_dev() took the reference we keep */
    if (created) {
        blk_unref(blk);
    }
    *ptr = blk;
    return true;
}

static void release_drive(Object *obj, const char *name, void *opaque)
{
    BlockBackend **ptr = object_field_prop_ptr(obj, opaque);

    if (*ptr) {
        blk_detach_dev(*ptr, DEVICE(obj));
        *ptr = NULL;
    }
}

const PropertyInfo qdev_prop_drive = {
    .name = "str",
    .description = "Node name or ID of a block device to use as a backend",
    .get = get_drive,
    .set = set_drive,
    .release = release_drive,
};
