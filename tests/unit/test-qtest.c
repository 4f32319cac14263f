/*
 * test-qtest.c - the qtest accelerator (accel/qtest/qtest-accel.c) and
 * the qtest protocol server (system/qtest.c), in process: a pc machine
 * with the qtest accelerator and a small ISA device whose GPIO output is
 * ISA IRQ 14; commands go in through qtest_server_inproc_recv() (and,
 * for the chardev path, through a real Unix socket), replies are checked
 * word for word.  docs/devel/qtest-protocol.md is the reference.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/main-loop.h"
#include "accel/accel.h"
#include "accel/qtest.h"
#include "chardev/char.h"
#include "hw/core/irq.h"
#include "hw/isa/isa.h"
#include "machine/machine.h"
#include "machine/machine-init.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "capture.h"
#include "error-text.h"
#include "vcpu-helper.h"
#include "harness.h"

#include <sys/socket.h>
#include <sys/un.h>

/* --- a device with one GPIO output on ISA IRQ 14 ------------------------- */

#define TYPE_QTEST_IRQ_DEV "qtest-irq-dev"
#define QTEST_IRQ_DEV_PORT 0x5f0
#define QTEST_IRQ_DEV_IRQ 14

typedef struct QtestIrqDev {
    ISADevice parent_obj;
    MemoryRegion io;
    qemu_irq out;               /* unnamed-gpio-out[0] */
} QtestIrqDev;

#define QTEST_IRQ_DEV(obj) OBJECT_CHECK(QtestIrqDev, (obj), TYPE_QTEST_IRQ_DEV)

/* A write of V to the port sets the output to V & 1. */
static void irq_dev_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    qemu_set_irq(((QtestIrqDev *)opaque)->out, val & 1);
}

static const MemoryRegionOps irq_dev_ops = {
    .write = irq_dev_write,
    .valid.min_access_size = 1,
    .valid.max_access_size = 1,
};

static void irq_dev_init(Object *obj)
{
    qdev_init_gpio_out(DEVICE(obj), &QTEST_IRQ_DEV(obj)->out, 1);
}

static bool irq_dev_realize(DeviceState *d, Error **errp)
{
    QtestIrqDev *s = QTEST_IRQ_DEV(d);

    memory_region_init_io(&s->io, OBJECT(d), &irq_dev_ops, s,
                          TYPE_QTEST_IRQ_DEV, 1);
    isa_register_ioport(ISA_DEVICE(d), &s->io, QTEST_IRQ_DEV_PORT);
    isa_connect_gpio_out(ISA_DEVICE(d), 0, QTEST_IRQ_DEV_IRQ);
    return true;
}

static void irq_dev_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->realize = irq_dev_realize;
}

static const TypeInfo irq_dev_info = {
    .name = TYPE_QTEST_IRQ_DEV,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(QtestIrqDev),
    .instance_init = irq_dev_init,
    .class_init = irq_dev_class_init,
};

/* --- the machine --------------------------------------------------------- */

/* "-machine pc -accel ACCEL -S" plus the IRQ device as
 * /machine/unattached/qtest-irqdev; big lock held on return. */
static MachineState *machine_begin(const char *accel)
{
    StderrCapture cap;
    MachineState *ms;
    DeviceState *dev;

    bql_lock();
    runstate_reset_for_test();
    stderr_capture_begin(&cap);
    ms = machine_create(machine_find_class("pc"));
    accel_init_machine(accel, ms, &error_abort);
    phase_advance(PHASE_ACCEL_CREATED);
    machine_run_board_init(ms, &error_abort);
    dev = qdev_new(TYPE_QTEST_IRQ_DEV);
    object_property_add_child(container_get(qdev_get_machine(),
                                            "/unattached"),
                              "qtest-irqdev", OBJECT(dev));
    qdev_realize_and_unref(dev, BUS(isa_bus_get()), &error_abort);
    machine_creation_done(ms);
    g_free(stderr_capture_end(&cap));
    return ms;
}

static void machine_end(void)
{
    qtest_server_reset();
    qomu_machine_teardown();
    runstate_reset_for_test();
    bql_unlock();
}

static qemu_irq ioapic_in(int n)
{
    Object *ioapic = object_resolve_path("/machine/i440fx/ioapic", NULL);

    return qdev_get_gpio_in(DEVICE(ioapic), n);
}

static DeviceState *irq_dev(void)
{
    return DEVICE(object_resolve_path("qtest-irqdev", NULL));
}

/* --- talking to the server in process ------------------------------------ */

static GString *sent;

static void collect(void *opaque, const char *text)
{
    g_string_append(sent, text);
}

static void inproc_begin(void)
{
    sent = g_string_new(NULL);
    qtest_server_set_send_handler(collect, NULL);
}

/* Send @line (a '\n' is added); everything the server sent back. */
static char *qt(const char *line)
{
    g_autofree char *text = g_strconcat(line, "\n", NULL);

    g_string_truncate(sent, 0);
    qtest_server_inproc_recv(NULL, text);
    return g_strdup(sent->str);
}

#define CHECK_QT(line, expected) do {                                   \
        g_autofree char *reply_ = qt(line);                             \
        if (strcmp(reply_, expected)) {                                 \
            fprintf(stderr, "\n%s:%d: '%s' -> '%s', expected '%s'\n",   \
                    __FILE__, __LINE__, line, reply_, expected);        \
        }                                                               \
        CU_ASSERT_STRING_EQUAL(reply_, expected);                       \
    } while (0)

static void inproc_end(void)
{
    qtest_server_reset();
    g_string_free(sent, true);
    sent = NULL;
}

/* --- the accelerator ----------------------------------------------------- */

static void test_accel(void)
{
    g_autoptr(GString) help = g_string_new(NULL);

    machine_begin("qtest");
    CU_ASSERT_STRING_EQUAL(current_accel_name(), "qtest");
    CU_ASSERT_TRUE(qtest_enabled());
    /* The virtual clock starts at 0 and stands still. */
    CU_ASSERT_EQUAL(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL), 0);
    g_usleep(2000);
    CU_ASSERT_EQUAL(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL), 0);
    /* The vCPU threads are the dummy accelerator's (QEMU's names too). */
    CU_ASSERT_EQUAL(count_threads("CPU 0/DUMMY"), 1);
    vm_start();
    g_usleep(2000);
    CU_ASSERT_EQUAL(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL), 0);
    machine_end();
    CU_ASSERT_TRUE(threads_gone("CPU "));
    /* Host time again once the accelerator is gone. */
    CU_ASSERT_TRUE(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL) > 0);
    CU_ASSERT_FALSE(qtest_enabled());
    /* For tests only: not in -accel help (QEMU). */
    accel_help(help);
    CU_ASSERT_PTR_NULL(strstr(help->str, "qtest"));
    CU_ASSERT_PTR_NOT_NULL(accel_find("qtest"));
}

/* --- commands ------------------------------------------------------------ */

static void test_pio(void)
{
    machine_begin("qtest");
    inproc_begin();
    CHECK_QT("endianness", "OK little\n");
    /* 00:00.0 is the i440FX: vendor 8086, device 1237 */
    CHECK_QT("outl 0xcf8 0x80000000", "OK\n");
    CHECK_QT("inl 0xcfc", "OK 0x12378086\n");
    CHECK_QT("inw 0xcfc", "OK 0x8086\n");
    CHECK_QT("inb 0xcfe", "OK 0x0037\n");
    CHECK_QT("outw 0xcf8 0", "OK\n");
    /* CMOS through the RTC's index/data ports: register 0x0e */
    CHECK_QT("outb 0x70 0x0e", "OK\n");
    CHECK_QT("outb 0x71 0xa5", "OK\n");
    CHECK_QT("outb 0x70 0x0e", "OK\n");
    CHECK_QT("inb 0x71", "OK 0x00a5\n");
    /* Nothing there: all-ones of the width */
    CHECK_QT("inb 0x1234", "OK 0x00ff\n");
    CHECK_QT("inw 0x1234", "OK 0xffff\n");
    CHECK_QT("inl 0x1234", "OK 0xffffffff\n");
    /* Values wider than the access are truncated, as QEMU does */
    CHECK_QT("outb 0x70 0x10e", "OK\n");
    CHECK_QT("inb 0x71", "OK 0x00a5\n");
    CHECK_QT("inb 65535", "OK 0x00ff\n");
    inproc_end();
    machine_end();
}

static void test_mmio(void)
{
    machine_begin("qtest");
    inproc_begin();
    CHECK_QT("writeq 0x1000 0x1122334455667788", "OK\n");
    CHECK_QT("readq 0x1000", "OK 0x1122334455667788\n");
    CHECK_QT("readl 0x1000", "OK 0x0000000055667788\n");
    CHECK_QT("readw 0x1004", "OK 0x0000000000003344\n");
    CHECK_QT("readb 0x1007", "OK 0x0000000000000011\n");
    CHECK_QT("writeb 0x1000 0x1ff", "OK\n");
    CHECK_QT("writew 0x1002 0xabcd", "OK\n");
    CHECK_QT("writel 0x1004 0", "OK\n");
    CHECK_QT("readq 0x1000", "OK 0x00000000abcd77ff\n");
    CHECK_QT("writel 4096 -1", "OK\n");
    CHECK_QT("readq 010000", "OK 0x00000000ffffffff\n");
    /* Unassigned (in the PCI hole): 0 as QEMU's unassigned_mem_read,
     * writes ignored */
    CHECK_QT("writel 0xf0000000 0x12345678", "OK\n");
    CHECK_QT("readl 0xf0000000", "OK 0x0000000000000000\n");
    CHECK_QT("readq 0xf0000000", "OK 0x0000000000000000\n");
    CHECK_QT("readq 0xfffffffffffffff8", "OK 0x0000000000000000\n");
    inproc_end();
    machine_end();
}

static void test_bulk(void)
{
    g_autofree char *big = NULL;

    machine_begin("qtest");
    inproc_begin();
    CHECK_QT("write 0x2000 4 0xdeadBEEF", "OK\n");
    CHECK_QT("read 0x2000 4", "OK 0xdeadbeef\n");
    CHECK_QT("readl 0x2000", "OK 0x00000000efbeadde\n");
    /* DATA shorter than SIZE: zero-filled */
    CHECK_QT("write 0x2000 4 0x11", "OK\n");
    CHECK_QT("read 0x2000 4", "OK 0x11000000\n");
    CHECK_QT("b64write 0x2000 4 AQIDBA==", "OK\n");
    CHECK_QT("read 0x2000 5", "OK 0x0102030400\n");
    CHECK_QT("b64read 0x2000 4", "OK AQIDBA==\n");
    CHECK_QT("b64read 0x2000 0", "OK \n");
    /* decoded data longer than SIZE: truncated */
    CHECK_QT("b64write 0x2000 2 BQYHCA==", "OK\n");
    CHECK_QT("read 0x2000 4", "OK 0x05060304\n");
    /* ... shorter: only what there is */
    CHECK_QT("b64write 0x2000 4 CQ==", "OK\n");
    CHECK_QT("read 0x2000 4", "OK 0x09060304\n");
    CHECK_QT("memset 0x2000 3 0x15a", "OK\n");
    CHECK_QT("read 0x2000 4", "OK 0x5a5a5a04\n");
    CHECK_QT("memset 0x2000 0 0", "OK\n");
    CHECK_QT("write 0x2000 0 0x", "FAIL write: DATA must have two hex "
             "digits per byte\n");
    /* Unassigned memory: zeros (QEMU) */
    CHECK_QT("read 0xf0000000 3", "OK 0x000000\n");
    /* The largest transfer goes in one reply line */
    CHECK_QT("memset 0 0x1000000 0x33", "OK\n");
    big = qt("read 0 0x1000000");
    CU_ASSERT_EQUAL(strlen(big), 5 + 2 * 0x1000000 + 1);
    CU_ASSERT_TRUE(g_str_has_prefix(big, "OK 0x333333"));
    CU_ASSERT_TRUE(g_str_has_suffix(big, "3333\n"));
    inproc_end();
    machine_end();
}

/* Every malformed command: FAIL with a reason, and the machine lives. */
static void test_fail(void)
{
    static const struct {
        const char *cmd, *reply;
    } cases[] = {
        { "", "FAIL empty command\n" },
        { "\r", "FAIL empty command\n" },
        { "bogus 1 2", "FAIL Unknown command 'bogus'\n" },
        { "OUTB 0x80 1", "FAIL Unknown command 'OUTB'\n" },
        { "endianness x", "FAIL usage: endianness\n" },
        { "outb 0x80", "FAIL usage: outb ADDR VALUE\n" },
        { "outw", "FAIL usage: outw ADDR VALUE\n" },
        { "outl 1 2 3", "FAIL usage: outl ADDR VALUE\n" },
        { "inb", "FAIL usage: inb ADDR\n" },
        { "inw 1 2", "FAIL usage: inw ADDR\n" },
        { "inl", "FAIL usage: inl ADDR\n" },
        { "outb 0x80  1", "FAIL usage: outb ADDR VALUE\n" },
        { "outb 0x80 1 ", "FAIL usage: outb ADDR VALUE\n" },
        { "outb 0x10000 1", "FAIL outb: port 0x10000 is out of range "
          "(at most 0xffff)\n" },
        { "inl -1", "FAIL inl: port 0xffffffffffffffff is out of range "
          "(at most 0xffff)\n" },
        { "outb x80 1", "FAIL outb: ADDR 'x80' is not a number\n" },
        { "outb 0x80 1z", "FAIL outb: VALUE '1z' is not a number\n" },
        { "inw 0x", "FAIL inw: ADDR '0x' is not a number\n" },
        { "writeb 0", "FAIL usage: writeb ADDR VALUE\n" },
        { "writeq 0 0x10000000000000000", "FAIL writeq: VALUE "
          "'0x10000000000000000' is out of range\n" },
        { "writel 0x1g 0", "FAIL writel: ADDR '0x1g' is not a number\n" },
        { "readq", "FAIL usage: readq ADDR\n" },
        { "readb 1 2", "FAIL usage: readb ADDR\n" },
        { "readw 99999999999999999999", "FAIL readw: ADDR "
          "'99999999999999999999' is out of range\n" },
        { "read 0", "FAIL usage: read ADDR SIZE\n" },
        { "read 0 0", "FAIL read: SIZE must be at least 1\n" },
        { "read 0 0x1000001", "FAIL read: SIZE 0x1000001 is too large "
          "(at most 0x1000000)\n" },
        { "read 0 -1", "FAIL read: SIZE 0xffffffffffffffff is too large "
          "(at most 0x1000000)\n" },
        { "b64read 0 0x1000001", "FAIL b64read: SIZE 0x1000001 is too "
          "large (at most 0x1000000)\n" },
        { "b64read 0", "FAIL usage: b64read ADDR SIZE\n" },
        { "write 0 4", "FAIL usage: write ADDR SIZE DATA\n" },
        { "write 0 4 1234", "FAIL write: DATA must start with 0x\n" },
        { "write 0 4 0x123", "FAIL write: DATA must have two hex digits "
          "per byte\n" },
        { "write 0 1 0x1234", "FAIL write: DATA has 2 bytes, more than "
          "SIZE (1)\n" },
        { "write 0 2 0x12zz", "FAIL write: DATA has a character that is "
          "not a hex digit: 'z'\n" },
        { "write 0 0x2000000 0x00", "FAIL write: SIZE 0x2000000 is too "
          "large (at most 0x1000000)\n" },
        { "b64write 0 4", "FAIL usage: b64write ADDR SIZE B64DATA\n" },
        { "b64write 0 4 AQI*BA==", "FAIL b64write: B64DATA has a "
          "character that is not base64: '*'\n" },
        { "b64write 0 4 AQIDB", "FAIL b64write: B64DATA length 5 is not "
          "a multiple of 4\n" },
        { "b64write 0 0x1000001 AAAA", "FAIL b64write: SIZE 0x1000001 is "
          "too large (at most 0x1000000)\n" },
        { "memset 0 4", "FAIL usage: memset ADDR SIZE VALUE\n" },
        { "memset 0 0x1000001 0", "FAIL memset: SIZE 0x1000001 is too "
          "large (at most 0x1000000)\n" },
        { "memset 0 4 q", "FAIL memset: VALUE 'q' is not a number\n" },
        { "clock_step 1 2", "FAIL usage: clock_step [NS]\n" },
        { "clock_step 1.5", "FAIL clock_step: NS '1.5' is not a number\n" },
        { "clock_step 0x8000000000000000", "FAIL clock_step: NS "
          "'0x8000000000000000' is out of range\n" },
        { "clock_set", "FAIL usage: clock_set NS\n" },
        { "clock_set ten", "FAIL clock_set: NS 'ten' is not a number\n" },
        { "irq_intercept_in", "FAIL usage: irq_intercept_in PATH\n" },
        { "irq_intercept_out a b", "FAIL usage: irq_intercept_out PATH\n" },
        { "irq_intercept_in /machine/nowhere", "FAIL Unknown device\n" },
        { "irq_intercept_in nowhere", "FAIL Unknown device\n" },
        /* not a device: a container, the machine itself */
        { "irq_intercept_in /machine/unattached", "FAIL Unknown device\n" },
        { "irq_intercept_out /machine", "FAIL Unknown device\n" },
        /* an ambiguous partial path (and an IRQ line, not a device) */
        { "irq_intercept_in unnamed-gpio-in[0]", "FAIL Unknown device\n" },
        { "set_irq_in ioapic unnamed-gpio-in 14", "FAIL usage: set_irq_in "
          "PATH NAME NUM LEVEL\n" },
        { "set_irq_in nowhere unnamed-gpio-in 14 1", "FAIL Unknown "
          "device\n" },
        { "set_irq_in ioapic unnamed-gpio-in 24 1", "FAIL set_irq_in: "
          "device has no input unnamed-gpio-in[24] (it has 24)\n" },
        { "set_irq_in ioapic unnamed-gpio-in -1 1", "FAIL set_irq_in: "
          "device has no input unnamed-gpio-in[-1] (it has 24)\n" },
        { "set_irq_in ioapic other 0 1", "FAIL set_irq_in: device has no "
          "input other[0] (it has 0)\n" },
        { "set_irq_in ioapic unnamed-gpio-in x 1", "FAIL set_irq_in: NUM "
          "'x' is not a number\n" },
        { "set_irq_in ioapic unnamed-gpio-in 1 0x100000000", "FAIL "
          "set_irq_in: LEVEL '0x100000000' is out of range\n" },
        { "module_load", "FAIL usage: module_load PREFIX NAME\n" },
        { "module_load block- iscsi", "FAIL\n" },
    };

    machine_begin("qtest");
    inproc_begin();
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        CHECK_QT(cases[i].cmd, cases[i].reply);
    }
    /* The clock did not move, no interception was set up. */
    CU_ASSERT_EQUAL(qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL), 0);
    CHECK_QT("irq_intercept_in ioapic", "OK\n");
    /* Still serving */
    CHECK_QT("outl 0xcf8 0x80000000", "OK\n");
    CHECK_QT("inl 0xcfc", "OK 0x12378086\n");
    inproc_end();
    machine_end();
}

/* Lines: split anyhow, several per chunk, CR LF, too long. */
static void test_lines(void)
{
    g_autofree char *huge = NULL;
    size_t huge_len = 2 * (size_t)QTEST_MAX_XFER + 8192;

    machine_begin("qtest");
    inproc_begin();
    qtest_server_inproc_recv(NULL, "outl 0xcf8 0x8000");
    CU_ASSERT_STRING_EQUAL(sent->str, "");
    qtest_server_inproc_recv(NULL, "0000\ninl 0x");
    CU_ASSERT_STRING_EQUAL(sent->str, "OK\n");
    qtest_server_inproc_recv(NULL, "cfc\r\nendianness\nendianness\n");
    CU_ASSERT_STRING_EQUAL(sent->str,
                           "OK\nOK 0x12378086\nOK little\nOK little\n");
    /* A line too long is dropped, and answered once it ends. */
    huge = g_malloc(huge_len + 1);
    memset(huge, 'a', huge_len);
    huge[huge_len] = '\0';
    g_string_truncate(sent, 0);
    qtest_server_inproc_recv(NULL, huge);
    qtest_server_inproc_recv(NULL, huge);
    CU_ASSERT_STRING_EQUAL(sent->str, "");
    qtest_server_inproc_recv(NULL, "aaa\nendianness\n");
    CU_ASSERT_STRING_EQUAL(sent->str, "FAIL command line too long (more "
                           "than 33558528 bytes)\nOK little\n");
    inproc_end();
    machine_end();
}

/* --- the clock ----------------------------------------------------------- */

typedef struct ClockProbe {
    QomuTimer *timer;
    int64_t period;             /* re-arm after this much, 0: once */
    int64_t seen[16];           /* the clock at each call */
    int calls;
    int max_calls;              /* stop re-arming after this many */
} ClockProbe;

static void probe_cb(void *opaque)
{
    ClockProbe *p = opaque;
    int64_t now = qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    if (p->calls < (int)G_N_ELEMENTS(p->seen)) {
        p->seen[p->calls] = now;
    }
    p->calls++;
    if (p->period && p->calls < p->max_calls) {
        timer_mod(p->timer, now + p->period);
    }
}

static void test_clock(void)
{
    ClockProbe once = { 0 }, periodic = { .period = 300, .max_calls = 5 };

    machine_begin("qtest");
    inproc_begin();
    once.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, probe_cb, &once);
    periodic.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, probe_cb, &periodic);
    timer_mod(once.timer, 1000);
    timer_mod(periodic.timer, 250);

    CHECK_QT("clock_step 200", "OK 200\n");
    CU_ASSERT_EQUAL(periodic.calls, 0);
    /* To the next deadline (the periodic one at 250), exactly */
    CHECK_QT("clock_step", "OK 250\n");
    CU_ASSERT_EQUAL(periodic.calls, 1);
    CU_ASSERT_EQUAL(periodic.seen[0], 250);
    /* Passing deadlines: each callback sees its own time */
    CHECK_QT("clock_step 800", "OK 1050\n");
    CU_ASSERT_EQUAL(periodic.calls, 3);
    CU_ASSERT_EQUAL(periodic.seen[1], 550);
    CU_ASSERT_EQUAL(periodic.seen[2], 850);
    CU_ASSERT_EQUAL(once.calls, 1);
    CU_ASSERT_EQUAL(once.seen[0], 1000);
    /* Backwards: no move; forwards: to NS */
    CHECK_QT("clock_set 100", "OK 1050\n");
    CHECK_QT("clock_step -5", "OK 1050\n");
    CHECK_QT("clock_step 0", "OK 1050\n");
    CHECK_QT("clock_set 0x4000", "OK 16384\n");
    CU_ASSERT_EQUAL(periodic.calls, 5);
    CU_ASSERT_EQUAL(periodic.seen[3], 1150);
    CU_ASSERT_EQUAL(periodic.seen[4], 1450);
    /* Nothing of ours pending: the next deadline is the RTC's (1 s) */
    CHECK_QT("clock_step", "OK 1000000000\n");
    timer_free(once.timer);
    timer_free(periodic.timer);
    inproc_end();
    machine_end();
}

/* A timer that re-arms itself for "now" for ever cannot hang clock_step. */
static void stuck_cb(void *opaque)
{
    ClockProbe *p = opaque;

    p->calls++;
    timer_mod(p->timer, qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void test_clock_stuck_timer(void)
{
    ClockProbe stuck = { 0 };

    machine_begin("qtest");
    inproc_begin();
    stuck.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, stuck_cb, &stuck);
    timer_mod(stuck.timer, 10);
    CHECK_QT("clock_step 100", "OK 100\n");
    CU_ASSERT_TRUE(stuck.calls > 100000);
    timer_free(stuck.timer);
    inproc_end();
    machine_end();
}

/* Without the qtest accelerator the clock commands do not exist (QEMU). */
static void test_clock_needs_accel(void)
{
    machine_begin("dummy");
    inproc_begin();
    CU_ASSERT_FALSE(qtest_enabled());
    CHECK_QT("clock_step", "FAIL Unknown command 'clock_step'\n");
    CHECK_QT("clock_set 10", "FAIL Unknown command 'clock_set'\n");
    CHECK_QT("endianness", "OK little\n");
    inproc_end();
    machine_end();
}

/* --- IRQs ---------------------------------------------------------------- */

static void test_irq_intercept_in(void)
{
    machine_begin("qtest");
    inproc_begin();
    /* Before interception: nothing is reported */
    CHECK_QT("outb 0x5f0 1", "OK\n");
    CHECK_QT("outb 0x5f0 0", "OK\n");
    /* The PC's IOAPIC by its partial path (unambiguous) */
    CHECK_QT("irq_intercept_in ioapic", "OK\n");
    CHECK_QT("outb 0x5f0 1", "IRQ raise 14\nOK\n");
    /* The line's own handler still ran */
    CU_ASSERT_EQUAL(ioapic_in(14)->level, 1);
    /* Same level again: no new notification */
    CHECK_QT("outb 0x5f0 1", "OK\n");
    CHECK_QT("outb 0x5f0 0", "IRQ lower 14\nOK\n");
    CU_ASSERT_EQUAL(ioapic_in(14)->level, 0);
    CHECK_QT("set_irq_in ioapic unnamed-gpio-in 3 1", "IRQ raise 3\nOK\n");
    CHECK_QT("set_irq_in /machine/i440fx/ioapic unnamed-gpio-in 3 0",
             "IRQ lower 3\nOK\n");
    /* Again on the same device: OK; on another: refused (QEMU's texts) */
    CHECK_QT("irq_intercept_in /machine/i440fx/ioapic", "OK\n");
    CHECK_QT("irq_intercept_out ioapic", "OK\n");
    CHECK_QT("irq_intercept_in qtest-irqdev",
             "FAIL IRQ intercept already enabled\n");
    /* Released: silent again */
    qtest_server_reset();
    qtest_server_set_send_handler(collect, NULL);
    CHECK_QT("outb 0x5f0 1", "OK\n");
    CU_ASSERT_EQUAL(ioapic_in(14)->level, 1);
    CHECK_QT("outb 0x5f0 0", "OK\n");
    inproc_end();
    machine_end();
}

static void test_irq_intercept_out(void)
{
    machine_begin("qtest");
    inproc_begin();
    CU_ASSERT_PTR_EQUAL(qdev_get_gpio_out_connector(irq_dev(), NULL, 0),
                        ioapic_in(14));
    CHECK_QT("irq_intercept_out qtest-irqdev", "OK\n");
    /* Output 0 is reported as 0, and still reaches IOAPIC pin 14 */
    CHECK_QT("outb 0x5f0 1", "IRQ raise 0\nOK\n");
    CU_ASSERT_EQUAL(ioapic_in(14)->level, 1);
    CHECK_QT("outb 0x5f0 0", "IRQ lower 0\nOK\n");
    CU_ASSERT_EQUAL(ioapic_in(14)->level, 0);
    /* set_irq_in drives inputs: the IOAPIC's is not intercepted */
    CHECK_QT("set_irq_in ioapic unnamed-gpio-in 14 1", "OK\n");
    CHECK_QT("set_irq_in ioapic unnamed-gpio-in 14 0", "OK\n");
    /* The original wiring is back after the server goes */
    qtest_server_reset();
    CU_ASSERT_PTR_EQUAL(qdev_get_gpio_out_connector(irq_dev(), NULL, 0),
                        ioapic_in(14));
    inproc_end();
    machine_end();
}

/* --- over a chardev ------------------------------------------------------ */

typedef struct Client {
    int fd;
    GString *in;                /* what the reader thread received */
    GMutex lock;
    int want_lines;             /* the reader stops after this many */
    GThread *reader;
} Client;

static gpointer client_reader(gpointer opaque)
{
    Client *c = opaque;
    char buf[65536];
    int lines = 0;

    while (lines < c->want_lines) {
        ssize_t n = read(c->fd, buf, sizeof(buf));

        if (n <= 0) {
            break;
        }
        g_mutex_lock(&c->lock);
        g_string_append_len(c->in, buf, n);
        g_mutex_unlock(&c->lock);
        for (ssize_t i = 0; i < n; i++) {
            lines += buf[i] == '\n';
        }
    }
    return NULL;
}

/* Send @text; run the main loop until the reader has @lines lines. */
static char *client_exchange(Client *c, const char *text, int lines)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    char *got;

    g_string_truncate(c->in, 0);
    c->want_lines = lines;
    c->reader = g_thread_new("qtest-client", client_reader, c);
    CU_ASSERT_EQUAL(write(c->fd, text, strlen(text)), (ssize_t)strlen(text));
    for (;;) {
        int n = 0;

        g_mutex_lock(&c->lock);
        for (gsize i = 0; i < c->in->len; i++) {
            n += c->in->str[i] == '\n';
        }
        g_mutex_unlock(&c->lock);
        if (n >= lines || g_get_monotonic_time() > deadline) {
            break;
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(100);
    }
    g_thread_join(c->reader);
    got = g_strdup(c->in->str);
    return got;
}

static void test_chardev(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-qtest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qtest.sock", NULL);
    g_autofree char *log = g_build_filename(dir, "qtest.log", NULL);
    g_autofree char *spec = g_strconcat("unix:", path, NULL);
    g_autofree char *reply = NULL, *big = NULL, *logtext = NULL;
    g_autofree char *msg = NULL;
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    Error *err = NULL;
    Client c = { .in = g_string_new(NULL) };
    int lfd;

    g_mutex_init(&c.lock);
    /* libqtest listens; the VMM connects */
    strcpy(un.sun_path, path);
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    CU_ASSERT_EQUAL(bind(lfd, (struct sockaddr *)&un, sizeof(un)), 0);
    CU_ASSERT_EQUAL(listen(lfd, 1), 0);

    machine_begin("qtest");
    CU_ASSERT_FALSE(qtest_driver());
    CU_ASSERT_TRUE(qtest_server_init(spec, log, &error_abort));
    CU_ASSERT_TRUE(qtest_driver());
    c.fd = accept(lfd, NULL, NULL);
    CU_ASSERT_TRUE(c.fd >= 0);
    CU_ASSERT_PTR_NOT_NULL(object_resolve_path_type("/machine/qtest",
                                                    TYPE_QTEST, NULL));
    CU_ASSERT_PTR_NOT_NULL(qemu_chr_find("qtest"));
    /* One instance only */
    CU_ASSERT_FALSE(qtest_server_init(spec, log, &err));
    msg = error_take_text(err);
    CU_ASSERT_STRING_EQUAL(msg, "Only one instance of qtest can be "
                           "created");

    reply = client_exchange(&c, "outl 0xcf8 0x80000000\ninl 0xcfc\n"
                            "irq_intercept_in ioapic\noutb 0x5f0 1\n", 5);
    CU_ASSERT_STRING_EQUAL(reply, "OK\nOK 0x12378086\nOK\nIRQ raise 14\n"
                           "OK\n");
    /* A reply far larger than the socket buffer arrives whole */
    big = client_exchange(&c, "read 0 0x400000\nendianness\n", 2);
    CU_ASSERT_EQUAL(strlen(big), 5 + 2 * 0x400000 + 1 + 10);
    CU_ASSERT_TRUE(g_str_has_suffix(big, "\nOK little\n"));

    qtest_server_cleanup();
    CU_ASSERT_FALSE(qtest_driver());
    CU_ASSERT_PTR_NULL(object_resolve_path("/machine/qtest", NULL));
    CU_ASSERT_TRUE(g_file_get_contents(log, &logtext, NULL, NULL));
    /* OPENED, 6 commands and their 7 lines, CLOSED */
    check_whole_lines(logtext,
        "^(\\[I 0\\.[0-9]{6}\\] OPENED"
        "|\\[R \\+[0-9]+\\.[0-9]{6}\\] .*"
        "|\\[S \\+[0-9]+\\.[0-9]{6}\\] (OK|IRQ raise 14).*"
        "|\\[I \\+[0-9]+\\.[0-9]{6}\\] CLOSED)$", 1 + 6 + 7 + 1);
    CU_ASSERT_TRUE(g_str_has_prefix(logtext, "[I 0."));
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "] inl 0xcfc\n[S +"));
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "] OK 0x12378086\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "] IRQ raise 14\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "] CLOSED\n"));
    machine_end();

    close(c.fd);
    close(lfd);
    g_mutex_clear(&c.lock);
    g_string_free(c.in, true);
    unlink(path);
    unlink(log);
    rmdir(dir);
}

static void test_chardev_fails(void)
{
    StderrCapture cap;
    g_autofree char *printed = NULL, *msg = NULL;
    Error *err = NULL;

    machine_begin("qtest");
    stderr_capture_begin(&cap);
    CU_ASSERT_FALSE(qtest_server_init("unix:/nonexistent/qtest.sock", NULL,
                                      &err));
    printed = stderr_capture_end(&cap);
    msg = error_take_text(err);
    CU_ASSERT_STRING_EQUAL(printed, "qomu: Failed to connect to "
                           "'/nonexistent/qtest.sock': No such file or "
                           "directory\n");
    CU_ASSERT_STRING_EQUAL(msg, "Failed to initialize device for qtest: "
                           "\"unix:/nonexistent/qtest.sock\"");
    CU_ASSERT_FALSE(qtest_driver());
    g_clear_pointer(&msg, g_free);
    err = NULL;
    CU_ASSERT_FALSE(qtest_server_init("null", "/nonexistent/dir/log",
                                      &err));
    msg = error_take_text(err);
    CU_ASSERT_STRING_EQUAL(msg, "Could not open qtest log "
                           "'/nonexistent/dir/log': No such file or "
                           "directory");
    CU_ASSERT_PTR_NULL(qemu_chr_find("qtest"));
    /* "none": no log at all; a null chardev works */
    CU_ASSERT_TRUE(qtest_server_init("null", "none", &error_abort));
    CU_ASSERT_TRUE(qtest_driver());
    machine_end();
    CU_ASSERT_FALSE(qtest_driver());
}

int main(int argc, char **argv)
{
    /* Process-lifetime objects, as tests/unit/monitor-helper.h */
    object_get_root();
    get_chardevs_root();
    runstate_init();
    type_register_static(&irq_dev_info);

    harness_add("/qtest/accel", test_accel);
    harness_add("/qtest/pio", test_pio);
    harness_add("/qtest/mmio", test_mmio);
    harness_add("/qtest/bulk", test_bulk);
    harness_add("/qtest/fail", test_fail);
    harness_add("/qtest/lines", test_lines);
    harness_add("/qtest/clock/step-set", test_clock);
    harness_add("/qtest/clock/stuck-timer", test_clock_stuck_timer);
    harness_add("/qtest/clock/needs-accel", test_clock_needs_accel);
    harness_add("/qtest/irq/intercept-in", test_irq_intercept_in);
    harness_add("/qtest/irq/intercept-out", test_irq_intercept_out);
    harness_add("/qtest/chardev/socket", test_chardev);
    harness_add("/qtest/chardev/fails", test_chardev_fails);
    return harness_run(argc, argv);
}
