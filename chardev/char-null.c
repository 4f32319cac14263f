/*
 * char-null.c - "chardev-null": output is discarded, there is no input
 * (QEMU 7.2's chardev/char-null.c).  As in QEMU it never reports itself
 * open: a frontend gets no CHR_EVENT_OPENED.
 */
#include "util/osdep.h"
#include "chardev/char.h"

static bool null_chr_open(Chardev *chr, GVariant *opts, bool *be_opened,
                          Error **errp)
{
    *be_opened = false;
    return true;
}

static void null_chr_class_init(ObjectClass *oc, void *data)
{
    /* No chr_write: qemu_chr_write() then reports everything written. */
    CHARDEV_CLASS(oc)->open = null_chr_open;
}

static const TypeInfo null_chr_type_info = {
    .name = TYPE_CHARDEV_NULL,
    .parent = TYPE_CHARDEV,
    .class_init = null_chr_class_init,
};

static void null_chr_register_types(void)
{
    type_register_static(&null_chr_type_info);
}

type_init(null_chr_register_types)
