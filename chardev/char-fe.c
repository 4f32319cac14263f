/*
 * char-fe.c - the frontend API (QEMU 7.2's chardev/char-fe.c, without
 * the mux).  See include/chardev/char-fe.h.
 */
#include "util/osdep.h"
#include "chardev/char-fe.h"

bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp)
{
    if (s) {
        if (s->be) {
            error_setg(errp, "Device '%s' is in use", s->label);
            return false;
        }
        s->be = b;
    }
    b->fe_open = false;
    b->chr = s;
    return true;
}

void qemu_chr_fe_deinit(CharBackend *b, bool del)
{
    Chardev *chr = b->chr;

    if (!chr) {
        return;
    }
    qemu_chr_fe_set_handlers(b, NULL, NULL, NULL, NULL, true);
    if (chr->be == b) {
        chr->be = NULL;
    }
    b->chr = NULL;
    if (del) {
        Object *obj = OBJECT(chr);

        if (obj->parent) {
            object_unparent(obj);
        } else {
            object_unref(obj);
        }
    }
}

Chardev *qemu_chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}

bool qemu_chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}

bool qemu_chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

void qemu_chr_fe_set_handlers(CharBackend *b,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              void *opaque, bool set_open)
{
    Chardev *s = b->chr;
    ChardevClass *cc;
    bool fe_open;

    if (!s) {
        return;
    }
    fe_open = fd_can_read || fd_read || fd_event;
    b->chr_can_read = fd_can_read;
    b->chr_read = fd_read;
    b->chr_event = fd_event;
    b->opaque = fe_open ? opaque : NULL;

    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_update_read_handler) {
        cc->chr_update_read_handler(s);
    }
    if (set_open) {
        qemu_chr_fe_set_open(b, fe_open);
    }
    /* Connecting to an already open chardev: the frontend missed the
     * OPENED event, so send it now (QEMU does the same). */
    if (fe_open && s->be_open && fd_event) {
        fd_event(opaque, CHR_EVENT_OPENED);
    }
}

void qemu_chr_fe_accept_input(CharBackend *be)
{
    Chardev *s = be->chr;

    if (s && CHARDEV_GET_CLASS(s)->chr_update_read_handler) {
        CHARDEV_GET_CLASS(s)->chr_update_read_handler(s);
    }
}

void qemu_chr_fe_set_open(CharBackend *be, bool fe_open)
{
    be->fe_open = fe_open;
}

int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    Chardev *s = be->chr;

    return s ? qemu_chr_write(s, buf, len, false) : 0;
}

int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    Chardev *s = be->chr;

    return s ? qemu_chr_write(s, buf, len, true) : 0;
}
