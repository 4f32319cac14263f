/*
 * char-io.c - reading a chardev's input fd on the main loop, paced by the
 * frontend (QEMU 7.2's chardev/char-io.c io_watch_poll, which asks
 * can_read before every poll).
 *
 * Our fd handlers are level triggered (util/main-loop.h), so a readable
 * fd that nobody reads would wake the loop forever.  The watch is
 * therefore installed only while the frontend wants data; while it is
 * full a timer re-asks it, and qemu_chr_fe_accept_input() re-asks at once.
 */
#include "util/osdep.h"
#include "chardev/char-fe.h"
#include "chardev-internal.h"

/* How many bytes to read now: the frontend's appetite, or a buffer's
 * worth to throw away, or 0. */
static int chr_input_wanted(ChrInput *in)
{
    CharBackend *be = in->chr->be;

    if (be && be->chr_read) {
        return MIN(qemu_chr_be_can_write(in->chr), CHR_READ_BUF_LEN);
    }
    return in->discard ? CHR_READ_BUF_LEN : 0;
}

static bool chr_input_frontend_reads(ChrInput *in)
{
    CharBackend *be = in->chr->be;

    return be && be->chr_read;
}

static void chr_input_readable(void *opaque)
{
    ChrInput *in = opaque;
    uint8_t buf[CHR_READ_BUF_LEN];
    int want = chr_input_wanted(in);
    ssize_t n;

    if (want <= 0) {
        chr_input_update(in);       /* the frontend filled up meanwhile */
        return;
    }
    n = read(in->fd, buf, want);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        chr_input_stop(in);
        if (in->on_eof) {
            in->on_eof(in->chr);
        }
        return;
    }
    if (chr_input_frontend_reads(in)) {
        qemu_chr_be_write(in->chr, buf, n);
    }
}

static void chr_input_retry(void *opaque)
{
    chr_input_update(opaque);
}

void chr_input_update(ChrInput *in)
{
    bool want = in->fd >= 0 && chr_input_wanted(in) > 0;

    if (want != in->watched) {
        qomu_set_fd_handler(in->fd, want ? chr_input_readable : NULL, NULL,
                            in);
        in->watched = want;
    }
    if (!want && in->fd >= 0 && chr_input_frontend_reads(in)) {
        /* The frontend is full: ask again later. */
        if (!in->retry) {
            in->retry = timer_new_ns(QEMU_CLOCK_REALTIME, chr_input_retry,
                                     in);
        }
        timer_mod(in->retry, qomu_clock_get_ns(QEMU_CLOCK_REALTIME) +
                             CHR_INPUT_RETRY_NS);
    } else if (in->retry) {
        timer_del(in->retry);
    }
}

void chr_input_start(ChrInput *in, Chardev *chr, int fd, bool discard,
                     void (*on_eof)(Chardev *chr))
{
    chr_input_stop(in);
    in->chr = chr;
    in->fd = fd;
    in->discard = discard;
    in->on_eof = on_eof;
    chr_input_update(in);
}

void chr_input_stop(ChrInput *in)
{
    if (in->watched) {
        qomu_set_fd_handler(in->fd, NULL, NULL, NULL);
        in->watched = false;
    }
    g_clear_pointer(&in->retry, timer_free);
    in->fd = -1;
}
