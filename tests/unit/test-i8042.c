/*
 * test-i8042.c - "i8042" (hw/input/i8042.c) and the PS/2 devices behind
 * it (hw/input/ps2.c): what Linux's i8042, atkbd and psmouse probes do
 * (self test 0x55, the command byte, port disable/enable, the AUX loop
 * test, keyboard and mouse IDs), IRQ 1/12 per the command byte, the
 * output port and A20, and the reset requests (0xfe, pulse commands,
 * output port bit 0).
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/input/i8042.h"
#include "legacy-helper.h"
#include "harness.h"

#define DATA 0x60
#define CMD 0x64

/* Status bits */
#define OBF 0x01
#define SELFTEST 0x04
#define MOUSE_OBF 0x20

static DeviceState *kbc;

static void kbc_begin(void)
{
    legacy_fixture_begin();
    kbc = qdev_new(TYPE_I8042);
    CU_ASSERT_PTR_NULL(isa_realize(kbc));
}

static uint8_t status(void)
{
    return port_read(CMD, 1);
}

static void command(uint8_t cmd)
{
    port_write(CMD, cmd, 1);
}

static uint8_t data(void)
{
    return port_read(DATA, 1);
}

static void send(uint8_t b)
{
    port_write(DATA, b, 1);
}

/* The controller's answer to @cmd (one byte). */
static uint8_t ask(uint8_t cmd)
{
    command(cmd);
    CU_ASSERT(status() & OBF);
    return data();
}

static void test_properties(void)
{
    Object *obj = object_new(TYPE_I8042);

    CU_ASSERT_EQUAL(object_property_get_uint(obj, "kbd-irq", &error_abort),
                    1);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "mouse-irq", &error_abort),
                    12);
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "a20[0]",
                                                    &error_abort),
                           "link<irq>");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj,
                                                    "unnamed-gpio-out[1]",
                                                    &error_abort),
                           "link<irq>");
    object_unref(obj);
}

static void test_realize_errors(void)
{
    DeviceState *dev;
    char *msg;

    legacy_fixture_begin();
    dev = qdev_new(TYPE_I8042);
    qdev_prop_set_uint8(dev, "kbd-irq", 16);
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "Maximum value for \"kbd-irq\" is: 15");
    g_free(msg);
    dev = qdev_new(TYPE_I8042);
    qdev_prop_set_uint8(dev, "mouse-irq", 255);
    msg = isa_realize(dev);
    CU_ASSERT_STRING_EQUAL(msg, "Maximum value for \"mouse-irq\" is: 15");
    g_free(msg);
    legacy_fixture_end();
}

/* After reset: command byte 0x03 (both interrupts on), status 0x18. */
static void test_reset_state(void)
{
    kbc_begin();
    CU_ASSERT_EQUAL(status(), 0x18);
    command(0x20);
    CU_ASSERT_EQUAL(status(), 0x19);
    CU_ASSERT_EQUAL(legacy_fx.level[1], 1);
    CU_ASSERT_EQUAL(data(), 0x03);
    CU_ASSERT_EQUAL(status(), 0x18);
    CU_ASSERT_EQUAL(legacy_fx.level[1], 0);
    /* An empty buffer reads the last byte again. */
    CU_ASSERT_EQUAL(data(), 0x03);
    legacy_fixture_end();
}

static void test_self_tests(void)
{
    kbc_begin();
    CU_ASSERT_EQUAL(ask(0xaa), 0x55);           /* controller OK */
    CU_ASSERT(status() & SELFTEST);
    CU_ASSERT_EQUAL(ask(0xab), 0x00);           /* keyboard interface */
    CU_ASSERT_EQUAL(ask(0xa9), 0x00);           /* mouse interface */
    CU_ASSERT_EQUAL(ask(0xc0), 0x80);           /* input port */
    legacy_fixture_end();
}

/* What Linux's i8042_controller_init and i8042_check_aux do. */
static void test_command_byte(void)
{
    kbc_begin();
    command(0x60);
    send(0x47);
    CU_ASSERT_EQUAL(ask(0x20), 0x47);
    command(0xad);                              /* keyboard off */
    CU_ASSERT_EQUAL(ask(0x20), 0x57);
    command(0xae);
    command(0xa7);                              /* mouse off */
    CU_ASSERT_EQUAL(ask(0x20), 0x67);
    command(0xa8);
    CU_ASSERT_EQUAL(ask(0x20), 0x47);
    legacy_fixture_end();
}

/* 0xd3: a byte "from the mouse" (Linux's AUX loop test), on IRQ 12. */
static void test_aux_loop(void)
{
    kbc_begin();
    command(0xd3);
    send(0x5a);
    CU_ASSERT_EQUAL(status() & (OBF | MOUSE_OBF), OBF | MOUSE_OBF);
    CU_ASSERT_EQUAL(legacy_fx.level[12], 1);
    CU_ASSERT_EQUAL(legacy_fx.level[1], 0);
    CU_ASSERT_EQUAL(data(), 0x5a);
    CU_ASSERT_EQUAL(legacy_fx.level[12], 0);
    /* 0xd2: as from the keyboard */
    command(0xd2);
    send(0xa5);
    CU_ASSERT_EQUAL(status() & (OBF | MOUSE_OBF), OBF);
    CU_ASSERT_EQUAL(legacy_fx.level[1], 1);
    CU_ASSERT_EQUAL(data(), 0xa5);
    /* Interrupts off in the command byte: no IRQ, data still there. */
    command(0x60);
    send(0x00);
    command(0xd3);
    send(0x11);
    CU_ASSERT_EQUAL(legacy_fx.level[12], 0);
    CU_ASSERT_EQUAL(data(), 0x11);
    legacy_fixture_end();
}

/* Read @n reply bytes into @buf, each with OBF set. */
static void replies(uint8_t *buf, int n, bool mouse)
{
    for (int i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(status() & (OBF | MOUSE_OBF),
                        mouse ? OBF | MOUSE_OBF : OBF);
        buf[i] = data();
    }
    CU_ASSERT_EQUAL(status() & OBF, 0);
}

static void test_keyboard(void)
{
    uint8_t r[4];

    kbc_begin();
    send(0xf2);                                 /* get ID */
    CU_ASSERT_EQUAL(legacy_fx.level[1], 1);
    replies(r, 3, false);
    CU_ASSERT_EQUAL(r[0], 0xfa);
    CU_ASSERT_EQUAL(r[1], 0xab);
    CU_ASSERT_EQUAL(r[2], 0x83);
    CU_ASSERT_EQUAL(legacy_fx.raises[1], 3);
    send(0xff);                                 /* reset: ACK, BAT OK */
    replies(r, 2, false);
    CU_ASSERT_EQUAL(r[0], 0xfa);
    CU_ASSERT_EQUAL(r[1], 0xaa);
    send(0xed);                                 /* LEDs: ACK, ACK */
    send(0x07);
    replies(r, 2, false);
    CU_ASSERT_EQUAL(r[0], 0xfa);
    CU_ASSERT_EQUAL(r[1], 0xfa);
    send(0xee);                                 /* echo */
    replies(r, 1, false);
    CU_ASSERT_EQUAL(r[0], 0xee);
    send(0x99);                                 /* unknown: resend */
    replies(r, 1, false);
    CU_ASSERT_EQUAL(r[0], 0xfe);
    /* With translation (command byte bit 6) the ID is 0x41. */
    command(0x60);
    send(0x43);
    send(0xf2);
    replies(r, 3, false);
    CU_ASSERT_EQUAL(r[2], 0x41);
    send(0xf0);                                 /* which scan code set? */
    send(0x00);
    replies(r, 3, false);
    CU_ASSERT_EQUAL(r[2], 0x41);                /* set 2, translated */
    legacy_fixture_end();
}

static void mouse_send(uint8_t b)
{
    command(0xd4);
    send(b);
}

static void test_mouse(void)
{
    uint8_t r[4];

    kbc_begin();
    mouse_send(0xff);                           /* reset */
    CU_ASSERT_EQUAL(legacy_fx.level[12], 1);
    replies(r, 3, true);
    CU_ASSERT_EQUAL(r[0], 0xfa);
    CU_ASSERT_EQUAL(r[1], 0xaa);
    CU_ASSERT_EQUAL(r[2], 0x00);
    mouse_send(0xf2);                           /* a plain PS/2 mouse */
    replies(r, 2, true);
    CU_ASSERT_EQUAL(r[1], 0x00);
    /* The IntelliMouse knock: rates 200, 100, 80 */
    for (int i = 0; i < 3; i++) {
        static const uint8_t rate[] = { 200, 100, 80 };

        mouse_send(0xf3);
        mouse_send(rate[i]);
        replies(r, 2, true);
        CU_ASSERT_EQUAL(r[0], 0xfa);
        CU_ASSERT_EQUAL(r[1], 0xfa);
    }
    mouse_send(0xf2);
    replies(r, 2, true);
    CU_ASSERT_EQUAL(r[1], 0x03);
    mouse_send(0xe9);                           /* status request */
    replies(r, 4, true);
    CU_ASSERT_EQUAL(r[0], 0xfa);
    CU_ASSERT_EQUAL(r[3], 80);                  /* the last sample rate */
    /* Writing to the mouse enables its interface. */
    command(0xa7);
    mouse_send(0xf4);
    replies(r, 1, true);
    CU_ASSERT_EQUAL(ask(0x20) & 0x20, 0);
    legacy_fixture_end();
}

/* The output port: A20 and the buffer bits; 0xdd/0xdf switch A20. */
static void test_outport(void)
{
    kbc_begin();
    CU_ASSERT_EQUAL(ask(0xd0), 0xcf);           /* RESET | A20 | 0xcc */
    command(0xdd);
    CU_ASSERT_EQUAL(ask(0xd0), 0xcd);
    command(0xdf);
    CU_ASSERT_EQUAL(ask(0xd0), 0xcf);
    command(0xd1);
    send(0xcd);
    CU_ASSERT_EQUAL(ask(0xd0), 0xcd);
    CU_ASSERT_FALSE(legacy_take_requests());
    legacy_fixture_end();
}

/* 0xfe, 0xf0-0xfe with bit 0 clear, and 0xd1 with bit 0 clear ask for
 * a reset; with -no-reboot that is a shutdown. */
static void test_reset_requests(void)
{
    static const uint8_t resets[] = { 0xfe, 0xf0, 0xf6, 0xfc };
    static const uint8_t no_ops[] = { 0xff, 0xf1, 0xfd, 0x00 };

    kbc_begin();
    qomu_set_no_reboot(true);
    for (size_t i = 0; i < ARRAY_SIZE(resets); i++) {
        command(resets[i]);
        CU_ASSERT_TRUE(legacy_take_requests());
    }
    for (size_t i = 0; i < ARRAY_SIZE(no_ops); i++) {
        command(no_ops[i]);
        CU_ASSERT_FALSE(legacy_take_requests());
    }
    command(0xd1);
    send(0xce);                                 /* bit 0 clear */
    CU_ASSERT_TRUE(legacy_take_requests());
    legacy_fixture_end();
}

/* A device reset (the bus walk at system_reset) restores the state. */
static void test_device_reset(void)
{
    kbc_begin();
    command(0x60);
    send(0x40);
    command(0xd2);
    send(0x12);
    command(0xdd);
    qbus_reset_all(BUS(isa_fx.bus));
    CU_ASSERT_EQUAL(status(), 0x18);
    CU_ASSERT_EQUAL(ask(0x20), 0x03);
    CU_ASSERT_EQUAL(ask(0xd0), 0xcf);
    legacy_fixture_end();
}

/* A hostile guest: random commands and data (never the reset ones, which
 * only queue a request); the controller must stay consistent. */
static void test_garbage(void)
{
    uint32_t x = 4242;

    kbc_begin();
    qomu_set_no_reboot(true);
    for (int i = 0; i < 50000; i++) {
        x = x * 1103515245 + 12345;
        switch ((x >> 28) & 3) {
        case 0:
            command(x >> 16);
            break;
        case 1:
            send(x >> 16);
            break;
        default:
            status();
            data();
            break;
        }
        legacy_take_requests();
    }
    legacy_fixture_end();
}

int main(int argc, char **argv)
{
    legacy_helper_main_init();
    harness_add("/i8042/properties", test_properties);
    harness_add("/i8042/realize-errors", test_realize_errors);
    harness_add("/i8042/reset-state", test_reset_state);
    harness_add("/i8042/self-tests", test_self_tests);
    harness_add("/i8042/command-byte", test_command_byte);
    harness_add("/i8042/aux-loop", test_aux_loop);
    harness_add("/i8042/ps2/keyboard", test_keyboard);
    harness_add("/i8042/ps2/mouse", test_mouse);
    harness_add("/i8042/outport", test_outport);
    harness_add("/i8042/reset/requests", test_reset_requests);
    harness_add("/i8042/reset/device", test_device_reset);
    harness_add("/i8042/garbage", test_garbage);
    return harness_run(argc, argv);
}
