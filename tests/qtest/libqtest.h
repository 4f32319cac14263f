/*
 * libqtest.h - the qtest client: start qomu under the qtest accelerator
 * and drive it from a test program, as QEMU 7.2's tests/qtest/libqtest.h.
 *
 *     QTestState *s = qtest_init("-machine pc -nodefaults");
 *     qtest_outl(s, 0xcf8, 0x80000000);
 *     CU_ASSERT_EQUAL(qtest_inl(s, 0xcfc), 0x12378086);
 *     qtest_quit(s);
 *
 * qtest_init() runs $QTEST_QEMU_BINARY (default: the build's qomu, compiled
 * in by the Makefile) through /bin/sh with QEMU's libqtest command line:
 *
 *     exec BINARY -qtest unix:SOCK -qtest-log /dev/null
 *         -chardev socket,path=QMPSOCK,id=char0
 *         -mon chardev=char0,mode=control -display none EXTRA_ARGS -accel qtest
 *
 * (-qtest-log /dev/fd/2 when QTEST_LOG is set), accepts qomu's two
 * connections, reads the QMP greeting and negotiates capabilities.
 *
 * Failures. Whatever goes wrong - qomu exits or does not connect, a reply
 * does not come within the timeout (QTEST_TIMEOUT seconds, default 60), a
 * reply is malformed or not "OK" - the client SIGKILLs qomu, prints what
 * happened on stderr, and ends the running CUnit test with a fatal failure
 * (outside a CUnit test: abort()). States left behind by such a failure are
 * killed and freed at exit; qomu also gets SIGKILL if the test program dies
 * (PR_SET_PDEATHSIG), so a broken qomu never hangs `make check`.
 *
 * QMP values are json-glib objects (JsonObject *, release with
 * json_object_unref()).
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-glib/json-glib.h>

typedef struct QTestState QTestState;

/* --- starting and stopping --------------------------------------------- */

/*
 * qtest_init: start qomu with @extra_args (shell words, may be NULL) and
 * complete the QMP handshake.
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* qtest_init_without_qmp_handshake: as qtest_init, but leave the QMP
 * greeting unread (read it with qtest_qmp_receive()). */
QTestState *qtest_init_without_qmp_handshake(const char *extra_args);

/*
 * qtest_quit: SIGTERM qomu, wait for it (SIGKILL after 30 s), close the
 * sockets, free @s. qomu must have exited with the expected status (0, or
 * what qtest_set_expected_status() said) and not by a signal: otherwise
 * the running test fails (after @s is freed).
 */
void qtest_quit(QTestState *s);

/* qtest_set_expected_status: the exit status qtest_quit() expects. */
void qtest_set_expected_status(QTestState *s, int status);

/*
 * qtest_probe_child: true while qomu is running. When it has exited, it is
 * reaped, and qtest_quit() then only checks its status.
 */
bool qtest_probe_child(QTestState *s);

/*
 * qtest_wait_qemu: wait (up to the timeout) for qomu to exit on its own
 * (e.g. after a QMP "quit") and check its status as qtest_quit does.
 */
void qtest_wait_qemu(QTestState *s);

/* qtest_pid: qomu's process id (-1 once reaped). */
int qtest_pid(QTestState *s);

/* qtest_qemu_binary: what qtest_init runs ($QTEST_QEMU_BINARY or the
 * build's qomu). */
const char *qtest_qemu_binary(void);

/* --- the qtest protocol ------------------------------------------------ */

uint8_t qtest_inb(QTestState *s, uint16_t addr);
uint16_t qtest_inw(QTestState *s, uint16_t addr);
uint32_t qtest_inl(QTestState *s, uint16_t addr);
void qtest_outb(QTestState *s, uint16_t addr, uint8_t value);
void qtest_outw(QTestState *s, uint16_t addr, uint16_t value);
void qtest_outl(QTestState *s, uint16_t addr, uint32_t value);

uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);

/* Guest memory in bulk: hex ("read"/"write") or base64 ("b64read"/
 * "b64write"); size 0 does nothing. */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size);

/* The virtual clock (ns). Each returns the clock after the command. */
int64_t qtest_clock_step_next(QTestState *s);   /* to the next deadline */
int64_t qtest_clock_step(QTestState *s, int64_t step);
int64_t qtest_clock_set(QTestState *s, int64_t val);

/*
 * IRQs. After qtest_irq_intercept_in(s, "ioapic") (a QOM path, partial
 * paths allowed), qomu reports every level change of the device's GPIO
 * inputs as "IRQ raise N"/"IRQ lower N" lines, which the client records
 * as they arrive, ahead of any reply.
 */
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/* qtest_get_irq: line @num's level as last reported (after a round trip,
 * so that every notification qomu sent before is in). */
bool qtest_get_irq(QTestState *s, int num);
/* qtest_irq_count: how many "IRQ raise @num" lines have arrived so far
 * (qomu reports changes only, so each is one rising edge). */
unsigned qtest_irq_count(QTestState *s, int num);
/* qtest_set_irq_in: set GPIO input @num of list @name (NULL: the unnamed
 * list) of the device at @qom_path to @level. */
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level);

void qtest_module_load(QTestState *s, const char *prefix, const char *libname);
bool qtest_big_endian(QTestState *s);

/*
 * qtest_raw: send @line (no newline) as is and return qomu's reply line
 * (IRQ notifications are recorded and skipped), whatever it is - for
 * testing the protocol's error replies. g_free() it.
 */
char *qtest_raw(QTestState *s, const char *line);
char *qtest_rawf(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* qtest_raw_send: send @line (no newline) and read nothing, e.g. a write
 * that makes qomu exit. */
void qtest_raw_send(QTestState *s, const char *line);

/* --- QMP ------------------------------------------------------------------ */

/*
 * qtest_qmp: send a command and return its reply ("return" or "error"),
 * recording events that arrive first (see qtest_qmp_eventwait()).
 * @fmt is printf-formatted; the text is sent as is, so strings inside it
 * must be JSON-quoted by the caller (qomu's parser, like QEMU's, accepts
 * 'single-quoted' strings).
 */
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);
/* qtest_qmp_send: send only; qtest_qmp_receive: the next non-event
 * message; qtest_qmp_receive_dict: the next message, event or not. */
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
JsonObject *qtest_qmp_receive(QTestState *s);
JsonObject *qtest_qmp_receive_dict(QTestState *s);
/* qtest_qmp_assert_success: the command must succeed (fails the test
 * with the error otherwise). */
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Events: qtest_qmp_eventwait_ref returns the first event named @event,
 * taken from those recorded so far or else read (up to the timeout);
 * events before it are dropped. qtest_qmp_event_ref looks at the recorded
 * ones only (NULL if none matches).
 */
void qtest_qmp_eventwait(QTestState *s, const char *event);
JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event);
JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event);

/* qtest_hmp: run an HMP command through human-monitor-command; returns its
 * output (g_free() it). */
char *qtest_hmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* qtest_json_str: @obj serialized on one line (g_free() it). */
char *qtest_json_str(JsonObject *obj);

#endif /* TESTS_QTEST_LIBQTEST_H */
