/*
 * char-stdio.c - "chardev-stdio": the VMM's own stdin and stdout (QEMU
 * 7.2's chardev/char-stdio.c).
 *
 * If stdin is a terminal it is put in raw mode (no echo, no line editing,
 * characters delivered one by one), keeping ^C as a signal unless
 * signal=off, exactly as QEMU sets it; the previous settings come back
 * when the chardev is destroyed and, in case the VMM exits without
 * destroying it, at exit().  A non-terminal stdin (a pipe, /dev/null) is
 * left alone; its end is a CHR_EVENT_CLOSED.  Only one stdio chardev may
 * exist: "cannot use stdio by multiple character devices".
 *
 * Not modelled: stdin is not made non-blocking (it is only read when poll
 * says it is readable, so it need not be, and the shell that started us
 * keeps a sane stdin), -daemonize checks, echo control (no mux).
 *
 * The terminal state is process-global because stdin is.
 */
#include "util/osdep.h"
#include <termios.h>
#include "chardev-internal.h"

static bool stdio_in_use;
static bool stdio_tty_saved;            /* stdio_oldtty is valid */
static struct termios stdio_oldtty;

static void stdio_term_restore(void)
{
    if (stdio_tty_saved) {
        tcsetattr(0, TCSANOW, &stdio_oldtty);
        stdio_tty_saved = false;
    }
}

/* QEMU's qemu_chr_set_echo_stdio(chr, false) with stdio_allow_signal. */
static void stdio_term_raw(bool allow_signal)
{
    static bool atexit_done;
    struct termios tty;

    if (!isatty(0) || tcgetattr(0, &stdio_oldtty) < 0) {
        return;
    }
    stdio_tty_saved = true;
    if (!atexit_done) {
        atexit(stdio_term_restore);
        atexit_done = true;
    }
    tty = stdio_oldtty;
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                     ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    if (!allow_signal) {
        tty.c_lflag &= ~ISIG;
    }
    tcsetattr(0, TCSANOW, &tty);
}

static bool stdio_chr_open(Chardev *chr, GVariant *opts, bool *be_opened,
                           Error **errp)
{
    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    stdio_in_use = true;
    fd_chr_init(chr, 0, 1, false);
    stdio_term_raw(qemu_chr_opt_get_bool(opts, "signal", true));
    chr->filename = g_strdup("stdio");
    return true;
}

static void stdio_chr_finalize(Object *obj)
{
    /* Only an opened stdio chardev owns the terminal. */
    if (CHARDEV_FD(obj)->fd_out == 1) {
        stdio_term_restore();
        stdio_in_use = false;
    }
}

static void stdio_chr_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->open = stdio_chr_open;
}

static const TypeInfo stdio_chr_type_info = {
    .name = TYPE_CHARDEV_STDIO,
    .parent = TYPE_CHARDEV_FD,
    .instance_finalize = stdio_chr_finalize,
    .class_init = stdio_chr_class_init,
};

static void stdio_chr_register_types(void)
{
    type_register_static(&stdio_chr_type_info);
}

type_init(stdio_chr_register_types)
