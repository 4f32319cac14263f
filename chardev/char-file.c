/*
 * char-file.c - "chardev-file": output to a file, path= and append=
 * (QEMU 7.2's chardev/char-file.c).
 *
 * The file is created (mode 0666 less the umask, as QEMU) and truncated
 * unless append=on.  Not modelled: input-path= (no input at all).
 */
#include "util/osdep.h"
#include <fcntl.h>
#include "chardev-internal.h"

static bool file_chr_open(Chardev *chr, GVariant *opts, bool *be_opened,
                          Error **errp)
{
    const char *path = qemu_chr_opt_get(opts, "path");
    bool append = qemu_chr_opt_get_bool(opts, "append", false);
    int fd;

    if (!path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
                    (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg_file_open(errp, errno, path);
        return false;
    }
    fd_chr_init(chr, -1, fd, true);
    return true;
}

static void file_chr_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->open = file_chr_open;
}

static const TypeInfo file_chr_type_info = {
    .name = TYPE_CHARDEV_FILE,
    .parent = TYPE_CHARDEV_FD,
    .class_init = file_chr_class_init,
};

static void file_chr_register_types(void)
{
    type_register_static(&file_chr_type_info);
}

type_init(file_chr_register_types)
