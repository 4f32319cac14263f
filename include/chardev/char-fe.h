/*
 * char-fe.h - the frontend side of a chardev: what a device (a serial
 * port, the debug console, a monitor) holds to talk to its chardev
 * (QEMU 7.2's include/chardev/char-fe.h, chardev/char-fe.c).
 *
 * A frontend embeds a CharBackend and attaches it to a chardev with
 * qemu_chr_fe_init() (devices do it through their "chardev" property,
 * hw/core/qdev-properties-system.h).  A chardev serves at most one
 * frontend: a second fails with "Device 'ID' is in use".  The chardev
 * points back at the CharBackend (Chardev.be), not the other way round
 * with a reference: chardevs belong to /chardevs, and a chardev that goes
 * away detaches its frontend (b->chr becomes NULL).
 *
 * Input flow control, as QEMU: the backend asks @fd_can_read how many
 * bytes the frontend takes now and delivers at most that many to
 * @fd_read.  When it returns 0 the backend stops reading; it checks again
 * every 10 ms, or at once when the frontend calls qemu_chr_fe_accept_input().
 *
 * Not modelled: the mux tag and focus, be_change (chardev hot-swap),
 * per-frontend GMainContext, qemu_chr_fe_add_watch, ioctls, msgfds.
 *
 * Threads: qemu_chr_fe_write / _write_all: any thread (they take the
 * chardev's write lock; see each backend for whether they may block).
 * Everything else, and every handler call: main thread (big lock).
 */
#ifndef CHARDEV_CHAR_FE_H
#define CHARDEV_CHAR_FE_H

#include "chardev/char.h"

typedef int IOCanReadHandler(void *opaque);
typedef void IOReadHandler(void *opaque, const uint8_t *buf, int size);
typedef void IOEventHandler(void *opaque, QEMUChrEvent event);

/* The frontend's end; embed it in the device state, zeroed. */
struct CharBackend {
    Chardev *chr;                   /* NULL: not connected to a chardev */
    IOEventHandler *chr_event;
    IOCanReadHandler *chr_can_read;
    IOReadHandler *chr_read;
    void *opaque;
    bool fe_open;                   /* qemu_chr_fe_set_open() */
};

/**
 * qemu_chr_fe_init: connect @b to chardev @s (which may be NULL: @b is
 * then initialised unconnected).  Fails with "Device 'ID' is in use" if
 * @s already has a frontend.  Main thread.
 */
bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp);

/**
 * qemu_chr_fe_deinit: remove @b's handlers and disconnect it from its
 * chardev.  With @del, also destroy the chardev.  No-op if unconnected.
 */
void qemu_chr_fe_deinit(CharBackend *b, bool del);

/* The chardev (borrowed) or NULL. */
Chardev *qemu_chr_fe_get_driver(CharBackend *be);
/* True if @be is connected to a chardev. */
bool qemu_chr_fe_backend_connected(CharBackend *be);
/* True if connected and the chardev is open (e.g. a client is there). */
bool qemu_chr_fe_backend_open(CharBackend *be);

/**
 * qemu_chr_fe_set_handlers: install the frontend's callbacks (any may be
 * NULL; all NULL removes them).  @opaque is passed to each.  With
 * @set_open, the frontend is marked open if any handler is set, closed
 * otherwise.  If the chardev is already open and @fd_event is set,
 * @fd_event(CHR_EVENT_OPENED) is called before this returns, as QEMU
 * does, so the frontend learns it missed the event.
 */
void qemu_chr_fe_set_handlers(CharBackend *b,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              void *opaque, bool set_open);

/* The frontend can take input again: resume reading now. */
void qemu_chr_fe_accept_input(CharBackend *be);

/* Record whether the frontend is open (QEMU's qemu_chr_fe_set_open). */
void qemu_chr_fe_set_open(CharBackend *be, bool fe_open);

/**
 * qemu_chr_fe_write: one write attempt of up to @len bytes; returns the
 * number written (maybe fewer), or -1 with errno.  Unconnected: 0.
 * qemu_chr_fe_write_all: retry until all @len bytes are written or the
 * backend fails; returns @len, or -1.  Unconnected: 0.
 * Any thread.  A backend that is not open (a socket without client)
 * drops the data and reports it written, as QEMU does.
 */
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len);
int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);

#endif /* CHARDEV_CHAR_FE_H */
