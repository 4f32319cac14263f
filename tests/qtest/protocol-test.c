/*
 * protocol-test.c - the qtest protocol itself (QEMU 7.2's softmmu/qtest.c),
 * command by command, on a pc machine: port and memory access in every
 * width, bulk memory in hex and base64, memset, the clock commands, IRQ
 * interception and set_irq_in, and the replies to unknown commands and
 * malformed arguments, after which the machine must still answer. Also
 * the QMP side of libqtest: commands, events, quit.
 */
#include "util/osdep.h"
#include "libqtest.h"
#include "harness.h"

#define ARGS "-machine pc -nodefaults -m 64"
#define RAM_ADDR 0x100000

/* Reply of a raw command line. */
static void check_raw(QTestState *s, const char *line, const char *want)
{
    g_autofree char *r = qtest_raw(s, line);

    if (strcmp(r, want)) {
        fprintf(stderr, "'%s' -> '%s', want '%s'\n", line, r, want);
    }
    CU_ASSERT_STRING_EQUAL(r, want);
}

/* The reply to a bad command: a FAIL line (QEMU writes ERR for a
 * too-short write/b64write argument). */
static void check_rejected(QTestState *s, const char *line)
{
    g_autofree char *r = qtest_raw(s, line);
    bool ok = g_str_has_prefix(r, "FAIL") || g_str_has_prefix(r, "ERR");

    if (!ok) {
        fprintf(stderr, "'%s' -> '%s', want FAIL\n", line, r);
    }
    CU_ASSERT(ok);
}

/* The machine still works: PCI config of 00:00.0 and QMP. */
static void check_alive(QTestState *s)
{
    JsonObject *r;

    qtest_outl(s, 0xcf8, 0x80000000);
    CU_ASSERT_EQUAL(qtest_inl(s, 0xcfc), 0x12378086);
    r = qtest_qmp(s, "{'execute': 'query-status'}");
    CU_ASSERT(json_object_has_member(r, "return"));
    json_object_unref(r);
    CU_ASSERT(qtest_probe_child(s));
}

static void test_endianness(void)
{
    QTestState *s = qtest_init(ARGS);

    check_raw(s, "endianness", "OK little");
    CU_ASSERT_FALSE(qtest_big_endian(s));
    qtest_quit(s);
}

static void test_pio(void)
{
    QTestState *s = qtest_init(ARGS);

    /* byte: CMOS RAM byte 0x50 */
    qtest_outb(s, 0x70, 0x50);
    qtest_outb(s, 0x71, 0x5a);
    qtest_outb(s, 0x70, 0x50);
    CU_ASSERT_EQUAL(qtest_inb(s, 0x71), 0x5a);
    /* long and word: PCI configuration of 00:00.0 */
    qtest_outl(s, 0xcf8, 0x80000000);
    CU_ASSERT_EQUAL(qtest_inl(s, 0xcf8), 0x80000000);
    CU_ASSERT_EQUAL(qtest_inl(s, 0xcfc), 0x12378086);
    CU_ASSERT_EQUAL(qtest_inw(s, 0xcfc), 0x8086);
    CU_ASSERT_EQUAL(qtest_inw(s, 0xcfe), 0x1237);
    qtest_outl(s, 0xcf8, 0x8000005c);     /* PAM3, PAM4 */
    qtest_outw(s, 0xcfc, 0x1133);
    CU_ASSERT_EQUAL(qtest_inw(s, 0xcfc), 0x1133);
    CU_ASSERT_EQUAL(qtest_inb(s, 0xcfd), 0x11);
    qtest_outw(s, 0xcfc, 0);
    /* QEMU's reply formats */
    check_raw(s, "outl 0xcf8 0x80000000", "OK");
    check_raw(s, "inl 0xcfc", "OK 0x12378086");
    check_raw(s, "inw 0xcfc", "OK 0x8086");
    check_raw(s, "outb 0x70 0x50", "OK");
    check_raw(s, "inb 0x71", "OK 0x005a");
    /* decimal arguments (strtoul base 0) */
    check_raw(s, "outb 112 80", "OK");
    check_raw(s, "inb 113", "OK 0x005a");
    /* nothing at 0x5555 */
    CU_ASSERT_EQUAL(qtest_inb(s, 0x5555), 0xff);
    qtest_quit(s);
}

static void test_mmio(void)
{
    QTestState *s = qtest_init(ARGS);

    qtest_writeq(s, RAM_ADDR, 0x1122334455667788ull);
    CU_ASSERT_EQUAL(qtest_readq(s, RAM_ADDR), 0x1122334455667788ull);
    CU_ASSERT_EQUAL(qtest_readl(s, RAM_ADDR), 0x55667788);
    CU_ASSERT_EQUAL(qtest_readl(s, RAM_ADDR + 4), 0x11223344);
    CU_ASSERT_EQUAL(qtest_readw(s, RAM_ADDR + 2), 0x5566);
    CU_ASSERT_EQUAL(qtest_readb(s, RAM_ADDR), 0x88);
    CU_ASSERT_EQUAL(qtest_readb(s, RAM_ADDR + 7), 0x11);
    qtest_writeb(s, RAM_ADDR + 1, 0xab);
    qtest_writew(s, RAM_ADDR + 2, 0xcdef);
    qtest_writel(s, RAM_ADDR + 4, 0xdeadbeef);
    CU_ASSERT_EQUAL(qtest_readq(s, RAM_ADDR), 0xdeadbeefcdefab88ull);
    check_raw(s, "readb 0x100000", "OK 0x0000000000000088");
    check_raw(s, "readq 0x100000", "OK 0xdeadbeefcdefab88");
    check_raw(s, "writel 0x100000 0x01020304", "OK");
    check_raw(s, "readl 0x100000", "OK 0x0000000001020304");
    qtest_quit(s);
}

static void test_bulk(void)
{
    QTestState *s = qtest_init(ARGS);
    uint8_t buf[300], back[300];

    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = i * 7 + 3;
    }
    /* write (hex), read back both ways */
    qtest_memwrite(s, RAM_ADDR, buf, sizeof(buf));
    memset(back, 0, sizeof(back));
    qtest_memread(s, RAM_ADDR, back, sizeof(back));
    CU_ASSERT_EQUAL(memcmp(buf, back, sizeof(buf)), 0);
    memset(back, 0, sizeof(back));
    qtest_bufread(s, RAM_ADDR, back, sizeof(back));
    CU_ASSERT_EQUAL(memcmp(buf, back, sizeof(buf)), 0);

    /* b64write, read back as hex */
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = 255 - i;
    }
    qtest_bufwrite(s, RAM_ADDR + 0x1000, buf, sizeof(buf));
    qtest_memread(s, RAM_ADDR + 0x1000, back, sizeof(back));
    CU_ASSERT_EQUAL(memcmp(buf, back, sizeof(buf)), 0);

    /* memset, and memset of 0 bytes */
    qtest_memset(s, RAM_ADDR + 0x2000, 0x5a, 100);
    qtest_memset(s, RAM_ADDR + 0x2000, 0xff, 0);
    qtest_memread(s, RAM_ADDR + 0x1fff, back, 102);
    CU_ASSERT_EQUAL(back[0], 0);
    CU_ASSERT_EQUAL(back[1], 0x5a);
    CU_ASSERT_EQUAL(back[100], 0x5a);
    CU_ASSERT_EQUAL(back[101], 0);
    check_raw(s, "memset 0x102000 0 0x11", "OK");

    /* the wire formats: hex data shorter than SIZE is zero-filled */
    check_raw(s, "write 0x103000 0x4 0xaabb", "OK");
    check_raw(s, "read 0x103000 0x4", "OK 0xaabb0000");
    check_raw(s, "read 0x103000 2", "OK 0xaabb");
    check_raw(s, "b64write 0x103000 0x3 AQID", "OK");
    check_raw(s, "b64read 0x103000 0x3", "OK AQID");
    check_raw(s, "read 0x103000 0x4", "OK 0x01020300");
    qtest_quit(s);
}

static void test_clock(void)
{
    QTestState *s = qtest_init(ARGS);
    int64_t t0 = qtest_clock_step(s, 0);
    g_autofree char *r = NULL;

    CU_ASSERT(t0 >= 0);
    CU_ASSERT_EQUAL(qtest_clock_step(s, 1000), t0 + 1000);
    CU_ASSERT_EQUAL(qtest_clock_set(s, t0 + 5000), t0 + 5000);
    /* clock_set into the past does nothing */
    CU_ASSERT_EQUAL(qtest_clock_set(s, t0), t0 + 5000);
    /* the next deadline is ahead (the RTC's update timer at least) */
    CU_ASSERT(qtest_clock_step_next(s) > t0 + 5000);
    r = qtest_raw(s, "clock_step 10");
    CU_ASSERT(g_str_has_prefix(r, "OK "));
    qtest_quit(s);
}

static void test_irq(void)
{
    QTestState *s = qtest_init(ARGS);

    check_raw(s, "irq_intercept_in nonexistent-device", "FAIL Unknown device");
    qtest_irq_intercept_in(s, "ioapic");
    /* again, the same device: OK; another: refused */
    check_raw(s, "irq_intercept_in ioapic", "OK");
    check_raw(s, "irq_intercept_in /machine/i440fx",
              "FAIL IRQ intercept already enabled");
    CU_ASSERT_FALSE(qtest_get_irq(s, 5));

    /* set_irq_in on an intercepted input: the change is reported */
    qtest_set_irq_in(s, "ioapic", NULL, 5, 1);
    CU_ASSERT_TRUE(qtest_get_irq(s, 5));
    check_raw(s, "set_irq_in ioapic unnamed-gpio-in 5 0", "OK");
    CU_ASSERT_FALSE(qtest_get_irq(s, 5));
    CU_ASSERT_EQUAL(qtest_irq_count(s, 5), 1);
    /* the same level twice: one notification */
    qtest_set_irq_in(s, "ioapic", NULL, 6, 1);
    qtest_set_irq_in(s, "ioapic", NULL, 6, 1);
    CU_ASSERT_EQUAL(qtest_irq_count(s, 6), 1);
    qtest_set_irq_in(s, "ioapic", NULL, 6, 0);
    check_raw(s, "set_irq_in nonexistent-device unnamed-gpio-in 5 1",
              "FAIL Unknown device");
    check_alive(s);
    qtest_quit(s);
}

static void test_module_load(void)
{
    QTestState *s = qtest_init(ARGS);

    /* qomu has no loadable modules: QEMU says FAIL for an unknown one */
    check_rejected(s, "module_load accel no-such-module");
    check_alive(s);
    qtest_quit(s);
}

static void test_errors(void)
{
    static const char *const bad[] = {
        "inb", "inb xyz", "inb 0x10000", "outb 0x80", "outb 0x80 junk",
        "outw 0x10000 1", "readb", "readq 0x100000x", "writeb 0x100000",
        "writel nope 1", "read 0x100000", "read 0x100000 0",
        "read 0x100000 size", "write 0x100000 4", "write 0x100000 4 0x",
        "b64read 0x100000", "b64write 0x100000 4", "memset 0x100000 4",
        "memset 0x100000 x 1", "clock_step abc", "clock_set",
        "clock_set 12abc", "irq_intercept_in", "irq_intercept_out",
        "set_irq_in ioapic", "set_irq_in ioapic unnamed-gpio-in x 1",
        "module_load", "", "write 0x100000 2 0xzzzz", "inb 0x71 extra",
    };
    QTestState *s = qtest_init(ARGS);

    check_raw(s, "no_such_command", "FAIL Unknown command 'no_such_command'");
    check_raw(s, "INB 0x71", "FAIL Unknown command 'INB'");
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        check_rejected(s, bad[i]);
    }
    check_alive(s);
    /* and still a working protocol: a write after the errors */
    qtest_writel(s, RAM_ADDR, 0x12345678);
    CU_ASSERT_EQUAL(qtest_readl(s, RAM_ADDR), 0x12345678);
    qtest_quit(s);
}

static void test_qmp(void)
{
    QTestState *s = qtest_init(ARGS);
    JsonObject *r, *ev;

    r = qtest_qmp(s, "{'execute': 'query-status'}");
    CU_ASSERT_STRING_EQUAL(json_object_get_string_member(
        json_object_get_object_member(r, "return"), "status"), "running");
    json_object_unref(r);

    r = qtest_qmp(s, "{'execute': 'no-such-command'}");
    CU_ASSERT(json_object_has_member(r, "error"));
    json_object_unref(r);

    /* events: STOP comes before the reply to "stop", and is kept */
    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    ev = qtest_qmp_eventwait_ref(s, "STOP");
    CU_ASSERT(json_object_has_member(ev, "timestamp"));
    json_object_unref(ev);
    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    qtest_qmp_eventwait(s, "RESUME");
    qtest_quit(s);
}

static void test_qmp_quit(void)
{
    QTestState *s = qtest_init(ARGS);

    qtest_qmp_send(s, "{'execute': 'quit'}");
    qtest_wait_qemu(s);
    CU_ASSERT_FALSE(qtest_probe_child(s));
    qtest_quit(s);
}

static void test_exit_status(void)
{
    QTestState *s = qtest_init(ARGS " -device isa-debug-exit,iobase=0xf4,"
                               "iosize=4");

    /* isa-debug-exit: status (value << 1) | 1 */
    qtest_set_expected_status(s, 7);
    qtest_raw_send(s, "outb 0xf4 3");   /* no reply: qomu exits */
    qtest_wait_qemu(s);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    harness_add("/qtest/protocol/endianness", test_endianness);
    harness_add("/qtest/protocol/pio", test_pio);
    harness_add("/qtest/protocol/mmio", test_mmio);
    harness_add("/qtest/protocol/bulk", test_bulk);
    harness_add("/qtest/protocol/clock", test_clock);
    harness_add("/qtest/protocol/irq", test_irq);
    harness_add("/qtest/protocol/module-load", test_module_load);
    harness_add("/qtest/protocol/errors", test_errors);
    harness_add("/qtest/qmp/commands-events", test_qmp);
    harness_add("/qtest/qmp/quit", test_qmp_quit);
    harness_add("/qtest/exit-status", test_exit_status);
    return harness_run(argc, argv);
}
