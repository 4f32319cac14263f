/*
 * test-serial.c - the 16550A core and "isa-serial" (hw/char/serial.c,
 * hw/char/serial-isa.c): QEMU 7.2's properties and per-index defaults,
 * register reset values, scratch, DLAB, FIFO detection through IIR bits
 * 6-7, LSR as bytes go out, the THRE interrupt (raised, cleared by an
 * IIR read, re-raised by the IER quirk), loopback, input with overrun,
 * FIFO trigger level and character timeout, break, system reset.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "chardev/char-fe.h"
#include "hw/char/serial.h"
#include "legacy-helper.h"
#include "tmpfile.h"
#include "harness.h"

/* Registers, from the base port */
enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
       MSR = 6, SCR = 7 };
#define COM1 0x3f8

static char *tmpdir;
static char *out_path;
static Chardev *chr;            /* the device's file chardev "ser" */

static Chardev *new_file_chardev(const char *id)
{
    GVariantBuilder b;
    g_autoptr(GVariant) opts = NULL;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&b, "{sv}", "backend", g_variant_new_string("file"));
    g_variant_builder_add(&b, "{sv}", "id", g_variant_new_string(id));
    g_variant_builder_add(&b, "{sv}", "path", g_variant_new_string(out_path));
    opts = g_variant_ref_sink(g_variant_builder_end(&b));
    return qemu_chr_new_from_opts(opts, &error_abort);
}

static char *out_contents(void)
{
    gchar *s = NULL;

    g_file_get_contents(out_path, &s, NULL, NULL);
    return s;
}

static uint8_t rd(unsigned reg)
{
    return port_read(COM1 + reg, 1);
}

static void wr(unsigned reg, uint8_t val)
{
    port_write(COM1 + reg, val, 1);
}

/* A fixture with COM1 on a file chardev. */
static DeviceState *com1_begin(void)
{
    DeviceState *dev;

    legacy_fixture_begin();
    chr = new_file_chardev("ser");
    dev = qdev_new(TYPE_ISA_SERIAL);
    object_property_set_str(OBJECT(dev), "chardev", "ser", &error_abort);
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    return dev;
}

static void com1_end(void)
{
    legacy_fixture_end();
    chr = NULL;
}

/* Input from the host, as the chardev delivers it. */
static void host_send(const char *s)
{
    qemu_chr_be_write(chr, (const uint8_t *)s, strlen(s));
}

/* --- properties and defaults ------------------------------------------ */

static void test_properties(void)
{
    Object *obj = object_new(TYPE_ISA_SERIAL);
    g_autofree char *label = object_property_get_str(obj, "chardev",
                                                     &error_abort);

    CU_ASSERT_EQUAL(object_property_get_uint(obj, "index", &error_abort),
                    UINT32_MAX);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "iobase", &error_abort),
                    UINT32_MAX);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "irq", &error_abort),
                    UINT32_MAX);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "baudbase", &error_abort),
                    115200);
    CU_ASSERT_FALSE(object_property_get_bool(obj, "wakeup", &error_abort));
    CU_ASSERT_STRING_EQUAL(label, "");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "serial",
                                                    &error_abort),
                           "child<serial>");
    CU_ASSERT_STRING_EQUAL(DEVICE_GET_CLASS(obj)->bus_type, "ISA");
    /* The core alone is not for -device. */
    CU_ASSERT_FALSE(DEVICE_CLASS(object_class_by_name(TYPE_SERIAL))->
                    user_creatable);
    object_unref(obj);
}

static uint32_t prop(DeviceState *dev, const char *name)
{
    return object_property_get_uint(OBJECT(dev), name, &error_abort);
}

/* Unset, index counts the ports before; it picks iobase and irq. */
static void test_index_defaults(void)
{
    static const uint32_t io[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    static const uint32_t irq[] = { 4, 3, 4, 3 };
    DeviceState *dev[4];
    char *msg;

    legacy_fixture_begin();
    for (int i = 0; i < 4; i++) {
        dev[i] = qdev_new(TYPE_ISA_SERIAL);
        if (i == 3) {
            qdev_prop_set_uint32(dev[i], "index", 3);
        }
        object_ref(dev[i]);
        CU_ASSERT_PTR_NULL(isa_realize(dev[i]));
        CU_ASSERT_EQUAL(prop(dev[i], "index"), i);
        CU_ASSERT_EQUAL(prop(dev[i], "iobase"), io[i]);
        CU_ASSERT_EQUAL(prop(dev[i], "irq"), irq[i]);
        /* the port answers: IIR reads "no interrupt" */
        CU_ASSERT_EQUAL(port_read(io[i] + IIR, 1), 0x01);
    }
    /* A fifth: QEMU's message. */
    msg = isa_realize(qdev_new(TYPE_ISA_SERIAL));
    CU_ASSERT_STRING_EQUAL(msg, "Max. supported number of ISA serial ports "
                           "is 4.");
    g_free(msg);
    for (int i = 0; i < 4; i++) {
        object_unref(dev[i]);
    }
    legacy_fixture_end();
}

static void test_realize_errors(void)
{
    DeviceState *dev;
    char *msg;

    legacy_fixture_begin();
    dev = qdev_new(TYPE_ISA_SERIAL);
    qdev_prop_set_uint32(dev, "irq", 16);
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "Maximum value for \"irq\" is: 15");
    g_free(msg);

    dev = qdev_new(TYPE_ISA_SERIAL);
    qdev_prop_set_uint32(dev, "iobase", 0xfffa);
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "I/O ports 0xfffa..0x10001 are outside "
                           "the I/O space (0x0..0xffff)");
    g_free(msg);

    dev = qdev_new(TYPE_ISA_SERIAL);
    qdev_prop_set_uint32(dev, "baudbase", 0);
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "baudbase must be greater than 0");
    g_free(msg);

    /* None of them took a port. */
    CU_ASSERT_EQUAL(port_read(COM1 + IIR, 1), 0xff);
    legacy_fixture_end();
}

/* --- registers -------------------------------------------------------- */

static void test_reset_values(void)
{
    com1_begin();
    CU_ASSERT_EQUAL(rd(IER), 0x00);
    CU_ASSERT_EQUAL(rd(IIR), 0x01);
    CU_ASSERT_EQUAL(rd(LCR), 0x00);
    CU_ASSERT_EQUAL(rd(MCR), 0x08);             /* OUT2 */
    CU_ASSERT_EQUAL(rd(LSR), 0x60);             /* THRE | TEMT */
    CU_ASSERT_EQUAL(rd(MSR), 0xb0);             /* DCD | DSR | CTS */
    CU_ASSERT_EQUAL(rd(SCR), 0x00);
    wr(LCR, 0x80);
    CU_ASSERT_EQUAL(rd(RBR), 0x0c);             /* divisor 12: 9600 baud */
    CU_ASSERT_EQUAL(rd(IER), 0x00);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    com1_end();
}

static void test_scratch(void)
{
    com1_begin();
    wr(SCR, 0xa5);
    CU_ASSERT_EQUAL(rd(SCR), 0xa5);
    wr(SCR, 0x5a);
    CU_ASSERT_EQUAL(rd(SCR), 0x5a);
    com1_end();
}

/* DLAB switches offsets 0 and 1 to the divisor latch and back. */
static void test_dlab(void)
{
    g_autofree char *text = NULL;

    com1_begin();
    wr(IER, 0x05);
    wr(LCR, 0x83);
    wr(RBR, 0x01);                              /* DLL: 115200 baud */
    wr(IER, 0x00);                              /* DLM */
    CU_ASSERT_EQUAL(rd(RBR), 0x01);
    CU_ASSERT_EQUAL(rd(IER), 0x00);
    CU_ASSERT_EQUAL(rd(LCR), 0x83);
    wr(LCR, 0x03);
    CU_ASSERT_EQUAL(rd(IER), 0x05);             /* IER kept */
    wr(LCR, 0x80);
    CU_ASSERT_EQUAL(rd(RBR), 0x01);
    wr(IER, 0x12);
    CU_ASSERT_EQUAL(rd(IER), 0x12);             /* DLM is 8 bits */
    wr(LCR, 0x00);
    /* IER keeps bits 0-3 only */
    wr(IER, 0xff);
    CU_ASSERT_EQUAL(rd(IER), 0x0f);
    /* nothing was transmitted while DLAB was set */
    text = out_contents();
    CU_ASSERT_STRING_EQUAL(text, "");
    com1_end();
}

/* Linux's autoconfig: FCR.FE reads back as IIR bits 6-7 = 3: 16550A. */
static void test_fifo_detect(void)
{
    com1_begin();
    wr(FCR, 0x01);
    CU_ASSERT_EQUAL(rd(IIR), 0xc1);
    wr(FCR, 0x21);                              /* 64-byte FIFO: no */
    CU_ASSERT_EQUAL(rd(IIR) & 0xe0, 0xc0);
    wr(FCR, 0x00);
    CU_ASSERT_EQUAL(rd(IIR), 0x01);
    com1_end();
}

static void test_lsr_output(void)
{
    g_autofree char *text = NULL;

    com1_begin();
    wr(LCR, 0x03);
    for (const char *p = "hi\n"; *p; p++) {
        CU_ASSERT_EQUAL(rd(LSR) & 0x60, 0x60);
        wr(RBR, *p);
    }
    CU_ASSERT_EQUAL(rd(LSR), 0x60);             /* sent at once */
    wr(FCR, 0x07);                              /* FIFOs on, cleared */
    wr(RBR, '!');
    CU_ASSERT_EQUAL(rd(LSR), 0x60);
    text = out_contents();
    CU_ASSERT_STRING_EQUAL(text, "hi\n!");
    /* LSR and MSR ignore writes */
    wr(LSR, 0x00);
    wr(MSR, 0x00);
    CU_ASSERT_EQUAL(rd(LSR), 0x60);
    CU_ASSERT_EQUAL(rd(MSR), 0xb0);
    com1_end();
}

/* --- interrupts ------------------------------------------------------- */

static void test_thre_irq(void)
{
    com1_begin();
    /* Enabling THRI with THR empty: IIR says THRE, IRQ 4 rises. */
    wr(IER, 0x02);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(rd(IIR), 0x02);
    /* Reading IIR that reported it clears it. */
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    CU_ASSERT_EQUAL(rd(IIR), 0x01);
    /* Writing IER with THRI unchanged does not bring it back ... */
    wr(IER, 0x02);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    /* ... toggling THRI does (QEMU's quirk, which Windows relies on). */
    wr(IER, 0x00);
    wr(IER, 0x02);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(legacy_fx.raises[4], 2);
    /* A THR write drops it, the byte leaves, THRE rises again. */
    wr(RBR, 'x');
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(legacy_fx.raises[4], 3);
    CU_ASSERT_EQUAL(rd(IIR), 0x02);
    /* Masked: the line falls. */
    wr(IER, 0x02);
    wr(RBR, 'y');
    wr(IER, 0x00);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    CU_ASSERT_EQUAL(rd(IIR), 0x01);
    com1_end();
}

/* MCR bit 4: TX comes back as RX, the modem outputs drive the inputs. */
static void test_loopback(void)
{
    g_autofree char *text = NULL;

    com1_begin();
    wr(MCR, 0x10 | 0x0a);                       /* LOOP | OUT2 | RTS */
    CU_ASSERT_EQUAL(rd(MSR) & 0xf0, 0x90);      /* Linux's test: DCD|CTS */
    wr(MCR, 0x1f);
    CU_ASSERT_EQUAL(rd(MSR), 0xf0);
    wr(MCR, 0x10);
    CU_ASSERT_EQUAL(rd(MSR), 0x00);

    wr(IER, 0x01);
    wr(RBR, 0x55);
    CU_ASSERT_EQUAL(rd(LSR) & 0x01, 0x01);      /* DR */
    CU_ASSERT_EQUAL(rd(IIR), 0x04);             /* received data */
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(rd(RBR), 0x55);
    CU_ASSERT_EQUAL(rd(LSR), 0x60);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);

    /* With FIFOs: 16 bytes fit, the 17th overruns. */
    wr(FCR, 0x01);
    for (int i = 0; i < 17; i++) {
        wr(RBR, 'a' + i);
    }
    CU_ASSERT_EQUAL(rd(LSR) & 0x03, 0x03);      /* DR | OE */
    CU_ASSERT_EQUAL(rd(LSR) & 0x03, 0x01);      /* OE cleared by the read */
    for (int i = 0; i < 16; i++) {
        CU_ASSERT_EQUAL(rd(RBR), 'a' + i);
    }
    CU_ASSERT_EQUAL(rd(LSR) & 0x01, 0x00);
    wr(MCR, 0x08);
    CU_ASSERT_EQUAL(rd(MSR), 0xb0);
    /* nothing reached the chardev */
    text = out_contents();
    CU_ASSERT_STRING_EQUAL(text, "");
    com1_end();
}

static void test_receive(void)
{
    com1_begin();
    /* Without FIFOs one byte at a time. */
    CU_ASSERT_EQUAL(qemu_chr_be_can_write(chr), 1);
    wr(IER, 0x05);                              /* RDI | RLSI */
    host_send("x");
    CU_ASSERT_EQUAL(qemu_chr_be_can_write(chr), 0);
    CU_ASSERT_EQUAL(rd(LSR), 0x61);
    CU_ASSERT_EQUAL(rd(IIR), 0x04);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(rd(RBR), 'x');
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    /* A second byte before the first was read: overrun, the new byte
     * wins, and RLSI (highest priority) is reported. */
    host_send("1");
    host_send("2");
    CU_ASSERT_EQUAL(rd(IIR), 0x06);
    CU_ASSERT_EQUAL(rd(LSR), 0x63);
    CU_ASSERT_EQUAL(rd(IIR), 0x04);             /* OE gone: RDI left */
    CU_ASSERT_EQUAL(rd(RBR), '2');
    com1_end();
}

/* Trigger level 8; below it, the character timeout (4 character
 * times on the virtual clock) reports the rest. */
static void test_fifo_trigger_timeout(void)
{
    /* 8N1 at 9600 baud: 10 bits of 104166 ns */
    const int64_t char_time = 1000000000LL * 10 * 12 / 115200;

    com1_begin();
    wr(LCR, 0x03);
    wr(FCR, 0x81);                              /* FIFO, ITL 8 */
    wr(IER, 0x01);
    CU_ASSERT_EQUAL(qemu_chr_be_can_write(chr), 8);
    host_send("abcd");
    CU_ASSERT_EQUAL(qemu_chr_be_can_write(chr), 4);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    CU_ASSERT_EQUAL(rd(IIR), 0xc1);
    host_send("efgh");
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(rd(IIR), 0xc4);
    /* at the trigger level QEMU takes no more until the guest reads */
    CU_ASSERT_EQUAL(qemu_chr_be_can_write(chr), 0);
    CU_ASSERT_EQUAL(rd(RBR), 'a');              /* 7 left: below ITL */
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    CU_ASSERT_EQUAL(qemu_chr_be_can_write(chr), 1);
    legacy_clock_step(4 * char_time - 1);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    legacy_clock_step(1);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(rd(IIR), 0xcc);             /* character timeout */
    CU_ASSERT_EQUAL(rd(RBR), 'b');              /* a read clears it */
    CU_ASSERT_EQUAL(rd(IIR), 0xc1);
    /* FCR RFR empties the receive FIFO. */
    wr(FCR, 0x83);
    CU_ASSERT_EQUAL(rd(LSR) & 0x01, 0);
    legacy_clock_step(10 * char_time);
    CU_ASSERT_EQUAL(rd(IIR), 0xc1);
    com1_end();
}

static void test_break(void)
{
    com1_begin();
    wr(IER, 0x04);
    qemu_chr_be_event(chr, CHR_EVENT_BREAK);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    CU_ASSERT_EQUAL(rd(IIR), 0x06);
    CU_ASSERT_EQUAL(rd(LSR), 0x71);             /* BI | DR */
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    CU_ASSERT_EQUAL(rd(RBR), 0x00);
    CU_ASSERT_EQUAL(rd(LSR), 0x60);
    com1_end();
}

/* A system reset puts the registers back (the core's own reset hook). */
static void test_system_reset(void)
{
    com1_begin();
    wr(LCR, 0x83);
    wr(RBR, 0x01);
    wr(LCR, 0x03);
    wr(IER, 0x0f);
    wr(MCR, 0x1f);
    wr(SCR, 0x42);
    CU_ASSERT_EQUAL(legacy_fx.level[4], 1);
    qomu_devices_reset();
    CU_ASSERT_EQUAL(legacy_fx.level[4], 0);
    CU_ASSERT_EQUAL(rd(IER), 0x00);
    CU_ASSERT_EQUAL(rd(LCR), 0x00);
    CU_ASSERT_EQUAL(rd(MCR), 0x08);
    CU_ASSERT_EQUAL(rd(SCR), 0x00);
    wr(LCR, 0x80);
    CU_ASSERT_EQUAL(rd(RBR), 0x0c);
    com1_end();
}

/* Destroying the device frees the chardev for another frontend. */
static void test_unrealize(void)
{
    DeviceState *dev = com1_begin();

    CU_ASSERT_PTR_NOT_NULL(chr->be);
    object_unparent(OBJECT(dev));
    CU_ASSERT_PTR_NULL(chr->be);
    CU_ASSERT_EQUAL(port_read(COM1 + LSR, 1), 0xff);
    com1_end();
}

/* A hostile guest: random values to random registers, with input and
 * time passing; the UART must stay consistent (UBSan, the FIFO asserts). */
static void test_garbage(void)
{
    uint32_t x = 777;

    com1_begin();
    for (int i = 0; i < 50000; i++) {
        x = x * 1103515245 + 12345;
        if ((x >> 28) < 5) {
            rd((x >> 8) & 7);
        } else {
            wr((x >> 8) & 7, x >> 16);      /* loopback, DLAB, FIFOs... */
        }
        if (i % 97 == 0 && qemu_chr_be_can_write(chr) > 0) {
            host_send("z");
        }
        if (i % 1000 == 0) {
            legacy_clock_step(x % 10000000);
        }
        CU_ASSERT((rd(IIR) & 0x30) == 0);   /* bits 4-5 always 0 */
    }
    com1_end();
}

int main(int argc, char **argv)
{
    int ret;

    legacy_helper_main_init();
    tmpdir = tmp_dir_new("test-serial");
    out_path = g_build_filename(tmpdir, "out.txt", NULL);

    harness_add("/serial/properties", test_properties);
    harness_add("/serial/index-defaults", test_index_defaults);
    harness_add("/serial/realize-errors", test_realize_errors);
    harness_add("/serial/registers/reset-values", test_reset_values);
    harness_add("/serial/registers/scratch", test_scratch);
    harness_add("/serial/registers/dlab", test_dlab);
    harness_add("/serial/registers/fifo-detect", test_fifo_detect);
    harness_add("/serial/registers/lsr-output", test_lsr_output);
    harness_add("/serial/irq/thre", test_thre_irq);
    harness_add("/serial/loopback", test_loopback);
    harness_add("/serial/receive/overrun", test_receive);
    harness_add("/serial/receive/fifo-trigger-timeout",
                test_fifo_trigger_timeout);
    harness_add("/serial/receive/break", test_break);
    harness_add("/serial/reset", test_system_reset);
    harness_add("/serial/unrealize", test_unrealize);
    harness_add("/serial/garbage", test_garbage);
    ret = harness_run(argc, argv);

    g_free(out_path);
    tmp_dir_remove(tmpdir);
    return ret;
}
