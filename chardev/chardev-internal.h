/*
 * chardev-internal.h - what the backends in chardev/ share and nobody
 * else needs: watching an input fd with the frontend's flow control
 * (char-io.c, QEMU's chardev/char-io.c) and the abstract fd-based
 * backend that stdio and file derive from (char-fd.c, QEMU's
 * include/chardev/char-fd.h).
 *
 * Threads: main thread (big lock), except FDChardev's write path.
 */
#ifndef CHARDEV_INTERNAL_H
#define CHARDEV_INTERNAL_H

#include "chardev/char.h"
#include "util/main-loop.h"

/* Bytes read from an input fd per main-loop callback. */
#define CHR_READ_BUF_LEN 4096
/* How often input is re-offered to a frontend that said it was full. */
#define CHR_INPUT_RETRY_NS (10 * 1000 * 1000)

/*
 * ChrInput: the main-loop watch on a chardev's input fd.  The fd is
 * watched only while the frontend can take data (can_read > 0); while it
 * cannot, a timer re-asks every CHR_INPUT_RETRY_NS.  With @discard, input
 * is read and dropped when no frontend reads at all, so that the end of
 * the stream (a socket client leaving) is still seen.
 */
typedef struct ChrInput {
    Chardev *chr;
    int fd;                     /* -1: stopped; not owned */
    bool discard;
    bool watched;               /* fd handler installed */
    QomuTimer *retry;           /* NULL until first needed */
    void (*on_eof)(Chardev *chr);   /* EOF or read error, watch stopped */
} ChrInput;

/* Start watching @fd for @chr (updates at once: see chr_input_update). */
void chr_input_start(ChrInput *in, Chardev *chr, int fd, bool discard,
                     void (*on_eof)(Chardev *chr));
/* Stop watching (the fd is not closed); may be called when stopped. */
void chr_input_stop(ChrInput *in);
/* Re-evaluate after the frontend's handlers or its appetite changed. */
void chr_input_update(ChrInput *in);

/* --- the fd backend (abstract "chardev-fd") --- */

#define TYPE_CHARDEV_FD "chardev-fd"
OBJECT_DECLARE_SIMPLE_TYPE(FDChardev, CHARDEV_FD)

struct FDChardev {
    Chardev parent;
    int fd_in;                  /* -1: no input */
    int fd_out;                 /* -1: output discarded */
    bool own_fds;               /* close them at finalize */
    ChrInput input;
};

/* Set up @chr's fds (called from a subtype's open). */
void fd_chr_init(Chardev *chr, int fd_in, int fd_out, bool own_fds);

#endif /* CHARDEV_INTERNAL_H */
