/*
 * char-fd.c - the abstract "chardev-fd": a chardev over an input and an
 * output file descriptor (QEMU 7.2's chardev/char-fd.c); stdio and file
 * are its subtypes.
 *
 * Output is a plain blocking write(2) on the caller's thread.  A vCPU
 * thread writing the debug console therefore waits, with the big lock
 * held, until the terminal or file takes the bytes: acceptable for a
 * terminal or a file (QEMU's write_all loop waits too), and it keeps the
 * guest's output in order without a buffer that could grow without bound.
 * Input is read on the main loop (char-io.c).
 */
#include "util/osdep.h"
#include "chardev-internal.h"

static int fd_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FDChardev *s = CHARDEV_FD(chr);

    if (s->fd_out < 0) {
        return len;
    }
    return write(s->fd_out, buf, len);
}

/* End of input: as QEMU, stop reading and tell the frontend. */
static void fd_chr_eof(Chardev *chr)
{
    qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
}

static void fd_chr_update_read_handler(Chardev *chr)
{
    FDChardev *s = CHARDEV_FD(chr);

    if (s->fd_in < 0) {
        return;
    }
    if (s->input.fd < 0) {
        chr_input_start(&s->input, chr, s->fd_in, false, fd_chr_eof);
    } else {
        chr_input_update(&s->input);
    }
}

void fd_chr_init(Chardev *chr, int fd_in, int fd_out, bool own_fds)
{
    FDChardev *s = CHARDEV_FD(chr);

    s->fd_in = fd_in;
    s->fd_out = fd_out;
    s->own_fds = own_fds;
}

static void fd_chr_instance_init(Object *obj)
{
    FDChardev *s = CHARDEV_FD(obj);

    s->fd_in = -1;
    s->fd_out = -1;
    s->input.fd = -1;
}

static void fd_chr_finalize(Object *obj)
{
    FDChardev *s = CHARDEV_FD(obj);

    chr_input_stop(&s->input);
    if (s->own_fds) {
        if (s->fd_in >= 0) {
            close(s->fd_in);
        }
        if (s->fd_out >= 0 && s->fd_out != s->fd_in) {
            close(s->fd_out);
        }
    }
}

static void fd_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->chr_write = fd_chr_write;
    cc->chr_update_read_handler = fd_chr_update_read_handler;
}

static const TypeInfo fd_chr_type_info = {
    .name = TYPE_CHARDEV_FD,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(FDChardev),
    .instance_init = fd_chr_instance_init,
    .instance_finalize = fd_chr_finalize,
    .class_init = fd_chr_class_init,
    .abstract = true,
};

static void fd_chr_register_types(void)
{
    type_register_static(&fd_chr_type_info);
}

type_init(fd_chr_register_types)
