/*
 * qtest.h - the qtest protocol server (QEMU 7.2's softmmu/qtest.c):
 * `-qtest CHARDEV [-qtest-log FILE]` lets a test program drive the machine
 * line by line: port and memory accesses, the virtual clock, IRQ lines.
 * The protocol, as implemented, is docs/devel/qtest-protocol.md.
 *
 * -qtest unix:PATH connects to PATH as a client (QEMU's libqtest listens
 * there); any chardev spec qemu_chr_new() takes works.  The server is a
 * QOM object, /machine/qtest (type "qtest"), which goes with the machine.
 * Commands run on the main loop, big lock held, in the order they come;
 * each gets exactly one reply line, "OK ..." or "FAIL ...", and
 * "IRQ raise N" / "IRQ lower N" lines may come in between.  Replies are
 * written completely (qemu_chr_fe_write_all), however slowly the client
 * reads.  Malformed commands are answered with FAIL and a reason, never
 * with an abort (QEMU asserts on many of them).
 *
 * Threads: main thread, big lock held (IRQ notifications: whichever
 * thread sets the line, with the big lock).
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "util/osdep.h"
#include "accel/qtest.h"

#define TYPE_QTEST "qtest"

/* Largest SIZE read, write, b64read, b64write and memset accept. */
#define QTEST_MAX_XFER (16u << 20)

/**
 * qtest_server_init: start the server on chardev @chrdev_spec (created as
 * chardev "qtest", QEMU's label) and make it /machine/qtest.
 * @log: -qtest-log: NULL logs to stderr (QEMU's default), "none" not at
 *   all, anything else is a file, truncated ("/dev/null" works).
 * Errors, QEMU's: the chardev's own error is reported at once, then
 * "Failed to initialize device for qtest: \"SPEC\"" is returned;
 * "Only one instance of qtest can be created".  qomu also fails, unlike
 * QEMU, when the log file cannot be opened ("Could not open qtest log
 * 'FILE': REASON").  Main thread, with a machine (/machine exists).
 */
bool qtest_server_init(const char *chrdev_spec, const char *log,
                       Error **errp);

/* Remove the server (/machine/qtest), undoing its IRQ interceptions;
 * no-op without one.  qomu_machine_teardown() calls it before the
 * machine goes. */
void qtest_server_cleanup(void);

/* True while a -qtest server is attached to a chardev (QEMU's
 * qtest_driver()). */
bool qtest_driver(void);

/*
 * In-process use (QEMU's fuzzer interface, and the unit tests): feed
 * command text with qtest_server_inproc_recv() (complete lines are run
 * at once; a partial line waits for its end) and receive every reply and
 * notification through the send handler instead of a chardev.
 * qtest_server_reset() drops the handler, the IRQ interceptions and the
 * buffered input (what the server's removal does, too).
 */
void qtest_server_set_send_handler(void (*send)(void *opaque,
                                                const char *text),
                                   void *opaque);
void qtest_server_inproc_recv(void *opaque, const char *buf);
void qtest_server_reset(void);

#endif /* SYSTEM_QTEST_H */
