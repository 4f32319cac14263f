/*
 * test-mc146818rtc.c - "mc146818rtc" (hw/rtc/mc146818rtc.c) on a virtual
 * clock the test moves: QEMU 7.2's properties, registers A-D at
 * realize, the time in BCD and binary, 12/24-hour mode, SET, the time
 * running, UIP in the last 244 us of a second, update-ended, alarm and
 * periodic interrupts on IRQ 8 and register C clearing them, the divider
 * reset, CMOS RAM with the NMI bit and the PS/2 century alias, reset.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/rtc/mc146818rtc.h"
#include "legacy-helper.h"
#include "harness.h"

#define NS 1000000000LL

enum { SEC = 0, SEC_ALARM = 1, MIN = 2, MIN_ALARM = 3, HOUR = 4,
       HOUR_ALARM = 5, DOW = 6, DAY = 7, MONTH = 8, YEAR = 9, REG_A = 10,
       REG_B = 11, REG_C = 12, REG_D = 13, CENTURY = 0x32 };

static uint8_t cmos_read(uint8_t index)
{
    port_write(0x70, index, 1);
    return port_read(0x71, 1);
}

static void cmos_write(uint8_t index, uint8_t val)
{
    port_write(0x70, index, 1);
    port_write(0x71, val, 1);
}

/* An RTC as the PC has it (base_year 2000, i.e. 0). */
static MC146818RtcState *rtc_begin(int32_t base_year)
{
    DeviceState *dev;

    legacy_fixture_begin();
    dev = qdev_new(TYPE_MC146818_RTC);
    qdev_prop_set_int32(dev, "base_year", base_year);
    CU_ASSERT_PTR_NULL(isa_realize(dev));
    return MC146818_RTC(dev);
}

/* 2026-11-22 (a Sunday) 12:34:56, BCD, 24-hour, set with SET. */
static void set_test_time(void)
{
    cmos_write(REG_B, 0x82);
    cmos_write(SEC, 0x56);
    cmos_write(MIN, 0x34);
    cmos_write(HOUR, 0x12);
    cmos_write(DOW, 0x01);
    cmos_write(DAY, 0x22);
    cmos_write(MONTH, 0x11);
    cmos_write(YEAR, 0x26);
    cmos_write(CENTURY, 0x20);
    cmos_write(REG_B, 0x02);
}

static void test_properties(void)
{
    Object *obj = object_new(TYPE_MC146818_RTC);
    g_autofree char *policy = object_property_get_str(obj,
                                                      "lost_tick_policy",
                                                      &error_abort);

    CU_ASSERT_EQUAL(object_property_get_int(obj, "base_year", &error_abort),
                    1980);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "iobase", &error_abort),
                    0x70);
    CU_ASSERT_EQUAL(object_property_get_uint(obj, "irq", &error_abort), 8);
    CU_ASSERT_STRING_EQUAL(policy, "discard");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(obj, "lost_tick_policy",
                                                    &error_abort),
                           "LostTickPolicy");
    object_unref(obj);
}

static void test_realize_errors(void)
{
    static const struct {
        const char *prop, *value, *msg;
    } cases[] = {
        { "irq", "16", "Maximum value for \"irq\" is: 15" },
        { "iobase", "0xffff", "I/O ports 0xffff..0x10000 are outside the "
          "I/O space (0x0..0xffff)" },
        { "lost_tick_policy", "delay", "Invalid lost tick policy." },
        { "lost_tick_policy", "slew", "lost_tick_policy=slew is not "
          "supported in this build" },
    };

    legacy_fixture_begin();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        DeviceState *dev = qdev_new(TYPE_MC146818_RTC);
        char *msg;

        object_property_parse(OBJECT(dev), cases[i].prop, cases[i].value,
                              &error_abort);
        msg = isa_realize(dev);
        CU_ASSERT_STRING_EQUAL(msg, cases[i].msg);
        g_free(msg);
    }
    legacy_fixture_end();
}

static int from_bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0xf);
}

/* Registers A-D as QEMU leaves them, and the host's UTC time. */
static void test_realize_state(void)
{
    time_t now = time(NULL);
    struct tm tm, got = { 0 };
    time_t t;

    rtc_begin(2000);
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0x26);
    CU_ASSERT_EQUAL(cmos_read(REG_B), 0x02);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0x00);
    CU_ASSERT_EQUAL(cmos_read(REG_D), 0x80);
    CU_ASSERT_EQUAL(port_read(0x70, 1), 0xff);  /* index: write-only */

    got.tm_sec = from_bcd(cmos_read(SEC));
    got.tm_min = from_bcd(cmos_read(MIN));
    got.tm_hour = from_bcd(cmos_read(HOUR));
    got.tm_mday = from_bcd(cmos_read(DAY));
    got.tm_mon = from_bcd(cmos_read(MONTH)) - 1;
    got.tm_year = from_bcd(cmos_read(YEAR)) +
                  100 * from_bcd(cmos_read(CENTURY)) - 1900;
    t = timegm(&got);
    CU_ASSERT(t >= now - 5 && t <= now + 5);
    gmtime_r(&t, &tm);
    CU_ASSERT_EQUAL(cmos_read(DOW), tm.tm_wday + 1);
    legacy_fixture_end();
}

/* base_year 1980 (the device's default): the year register counts from
 * it and the century byte stays 0, as QEMU. */
static void test_base_year(void)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    rtc_begin(1980);
    CU_ASSERT_EQUAL(from_bcd(cmos_read(YEAR)), tm.tm_year + 1900 - 1980);
    CU_ASSERT_EQUAL(cmos_read(CENTURY), 0x00);
    legacy_fixture_end();
}

static void test_bcd_binary(void)
{
    rtc_begin(2000);
    set_test_time();
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x56);
    CU_ASSERT_EQUAL(cmos_read(MIN), 0x34);
    CU_ASSERT_EQUAL(cmos_read(HOUR), 0x12);
    CU_ASSERT_EQUAL(cmos_read(DOW), 0x01);
    CU_ASSERT_EQUAL(cmos_read(DAY), 0x22);
    CU_ASSERT_EQUAL(cmos_read(MONTH), 0x11);
    CU_ASSERT_EQUAL(cmos_read(YEAR), 0x26);
    CU_ASSERT_EQUAL(cmos_read(CENTURY), 0x20);
    /* Binary mode: the next read rewrites the registers in binary. */
    cmos_write(REG_B, 0x06);
    CU_ASSERT_EQUAL(cmos_read(SEC), 56);
    CU_ASSERT_EQUAL(cmos_read(MIN), 34);
    CU_ASSERT_EQUAL(cmos_read(HOUR), 12);
    CU_ASSERT_EQUAL(cmos_read(DAY), 22);
    CU_ASSERT_EQUAL(cmos_read(MONTH), 11);
    CU_ASSERT_EQUAL(cmos_read(YEAR), 26);
    CU_ASSERT_EQUAL(cmos_read(CENTURY), 20);
    legacy_fixture_end();
}

/* 12-hour mode: 1..12, bit 7 for PM; midnight is 12 AM. */
static void test_12_hour(void)
{
    static const struct {
        uint8_t h24, h12;
    } hours[] = {
        { 0x00, 0x12 }, { 0x01, 0x01 }, { 0x11, 0x11 }, { 0x12, 0x92 },
        { 0x13, 0x81 }, { 0x23, 0x91 },
    };

    rtc_begin(2000);
    for (size_t i = 0; i < ARRAY_SIZE(hours); i++) {
        cmos_write(REG_B, 0x82);
        cmos_write(HOUR, hours[i].h24);
        cmos_write(REG_B, 0x00);                /* BCD, 12-hour */
        CU_ASSERT_EQUAL(cmos_read(HOUR), hours[i].h12);
        cmos_write(REG_B, 0x02);                /* and back */
        CU_ASSERT_EQUAL(cmos_read(HOUR), hours[i].h24);
    }
    /* Written in 12-hour mode: 1 PM is 13:00. */
    cmos_write(REG_B, 0x80);
    cmos_write(HOUR, 0x81);
    cmos_write(REG_B, 0x02);
    CU_ASSERT_EQUAL(cmos_read(HOUR), 0x13);
    legacy_fixture_end();
}

/* The clock runs on the virtual clock; SET freezes it. */
static void test_time_runs(void)
{
    rtc_begin(2000);
    set_test_time();
    legacy_clock_step(3 * NS + NS / 2);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x59);
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x00);
    CU_ASSERT_EQUAL(cmos_read(MIN), 0x35);
    /* 11 h 25 min later: the next day, a Monday */
    legacy_clock_step((11 * 3600 + 25 * 60) * NS);
    CU_ASSERT_EQUAL(cmos_read(HOUR), 0x00);
    CU_ASSERT_EQUAL(cmos_read(DAY), 0x23);
    CU_ASSERT_EQUAL(cmos_read(DOW), 0x02);
    /* SET: frozen */
    cmos_write(REG_B, 0x82);
    legacy_clock_step(10 * NS);
    CU_ASSERT_EQUAL(cmos_read(MIN), 0x00);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x00);
    legacy_fixture_end();
}

/* UIP: the last 244 us before the registers change. */
static void test_uip(void)
{
    const int64_t hold = 8 * NS / 32768;
    int64_t start;

    rtc_begin(2000);
    start = legacy_fx.clock_ns;                 /* a second starts here */
    legacy_clock_set(start + NS - hold - 1000);
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0x26);
    legacy_clock_set(start + NS - hold + 1000);
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0xa6);
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0xa6);    /* latched */
    legacy_clock_set(start + NS);               /* the update happens */
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0x26);
    /* UIP cannot be written */
    cmos_write(REG_A, 0xa6);
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0x26);
    /* SET: no updates, no UIP */
    cmos_write(REG_B, 0x82);
    legacy_clock_set(start + 2 * NS - hold / 2);
    CU_ASSERT_EQUAL(cmos_read(REG_A), 0x26);
    legacy_fixture_end();
}

/* Update-ended interrupt once a second; reading C acknowledges. */
static void test_update_irq(void)
{
    rtc_begin(2000);
    set_test_time();
    cmos_write(REG_B, 0x12);                    /* UIE */
    CU_ASSERT_EQUAL(legacy_fx.level[8], 0);
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 1);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0x90);    /* IRQF | UF */
    CU_ASSERT_EQUAL(legacy_fx.level[8], 0);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0x00);
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(legacy_fx.raises[8], 2);
    /* Disabling the interrupt lowers the line; UF stays. */
    cmos_write(REG_B, 0x02);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 0);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0x10);
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 0);
    /* A flag set while its interrupt was off fires when enabled. */
    cmos_write(REG_B, 0x12);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 1);
    CU_ASSERT_EQUAL(legacy_fx.raises[8], 3);
    /* C and D are read-only */
    cmos_write(REG_C, 0x00);
    cmos_write(REG_D, 0x00);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0x90);
    CU_ASSERT_EQUAL(cmos_read(REG_D), 0x80);
    legacy_fixture_end();
}

static void test_alarm(void)
{
    rtc_begin(2000);
    set_test_time();                            /* 12:34:56 */
    cmos_write(SEC_ALARM, 0x58);
    cmos_write(MIN_ALARM, 0x34);
    cmos_write(HOUR_ALARM, 0x12);
    cmos_write(REG_B, 0x22);                    /* AIE */
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 0);     /* UF only */
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 1);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0xb0);    /* IRQF | AF | UF */
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x58);
    /* Don't-care in all three: every second. */
    cmos_write(SEC_ALARM, 0xc0);
    cmos_write(MIN_ALARM, 0xff);
    cmos_write(HOUR_ALARM, 0xc0);
    for (int i = 0; i < 3; i++) {
        legacy_clock_step(NS);
        CU_ASSERT_EQUAL(cmos_read(REG_C), 0xb0);
    }
    legacy_fixture_end();
}

/* Count periodic interrupts over @ns, acknowledging each. */
static int count_periodic(int64_t ns)
{
    int n = 0;

    for (int64_t t = 0; t < ns; t += 50000) {
        legacy_clock_step(50000);
        if (legacy_fx.level[8]) {
            CU_ASSERT_EQUAL(cmos_read(REG_C) & 0xc0, 0xc0);  /* IRQF|PF */
            CU_ASSERT_EQUAL(legacy_fx.level[8], 0);
            n++;
        }
    }
    return n;
}

static void test_periodic(void)
{
    int n;

    rtc_begin(2000);
    CU_ASSERT_EQUAL(count_periodic(NS / 10), 0);    /* PIE off */
    cmos_write(REG_B, 0x42);                    /* PIE, rate 6: 1024 Hz */
    n = count_periodic(NS);
    CU_ASSERT(n >= 1023 && n <= 1024);
    cmos_write(REG_A, 0x2f);                    /* rate 15: 2 Hz */
    n = count_periodic(2 * NS);
    CU_ASSERT(n >= 3 && n <= 4);
    cmos_write(REG_A, 0x21);                    /* rate 1: 256 Hz */
    n = count_periodic(NS);
    CU_ASSERT(n >= 255 && n <= 256);
    cmos_write(REG_A, 0x20);                    /* rate 0: off */
    CU_ASSERT_EQUAL(count_periodic(NS / 10), 0);
    cmos_write(REG_A, 0x26);
    cmos_write(REG_B, 0x02);                    /* PIE off */
    CU_ASSERT_EQUAL(count_periodic(NS / 10), 0);
    legacy_fixture_end();
}

/* DV = 11x holds the divider in reset: the time stops; leaving reset,
 * the first update comes half a second later. */
static void test_divider_reset(void)
{
    rtc_begin(2000);
    set_test_time();
    cmos_write(REG_A, 0x66);
    legacy_clock_step(10 * NS);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x56);
    cmos_write(REG_A, 0x26);
    legacy_clock_step(NS / 2 - 1000);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x56);
    legacy_clock_step(2000);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x57);
    legacy_fixture_end();
}

static void test_cmos_ram(void)
{
    rtc_begin(2000);
    cmos_write(0x40, 0x5a);
    CU_ASSERT_EQUAL(cmos_read(0x40), 0x5a);
    CU_ASSERT_EQUAL(cmos_read(0xc0), 0x5a);     /* bit 7: NMI mask */
    cmos_write(0xff, 0x77);
    CU_ASSERT_EQUAL(cmos_read(0x7f), 0x77);
    /* 0x37, the PS/2 century byte, is 0x32 */
    CU_ASSERT_EQUAL(cmos_read(0x37), 0x20);
    cmos_write(0x37, 0x21);
    CU_ASSERT_EQUAL(cmos_read(CENTURY), 0x21);
    legacy_fixture_end();
}

/* system_reset: PIE, AIE, SQWE and the flags go, the RAM stays. */
static void test_reset(void)
{
    rtc_begin(2000);
    cmos_write(0x40, 0x5a);
    cmos_write(0x0f, 0x05);
    cmos_write(REG_B, 0x7a);                    /* PIE AIE UIE SQWE 24H */
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(legacy_fx.level[8], 1);
    qbus_reset_all(BUS(isa_fx.bus));
    CU_ASSERT_EQUAL(legacy_fx.level[8], 0);
    CU_ASSERT_EQUAL(cmos_read(REG_B), 0x12);
    CU_ASSERT_EQUAL(cmos_read(REG_C), 0x00);
    CU_ASSERT_EQUAL(cmos_read(0x40), 0x5a);
    CU_ASSERT_EQUAL(cmos_read(0x0f), 0x00);
    /* 0xfe in 0x0f (resume from S3) survives */
    cmos_write(0x0f, 0xfe);
    qbus_reset_all(BUS(isa_fx.bus));
    CU_ASSERT_EQUAL(cmos_read(0x0f), 0xfe);
    legacy_fixture_end();
}

/* A hostile guest: every value into every clock register, in every
 * mode, with time passing; nothing may crash or misbehave (UBSan). */
static void test_garbage(void)
{
    static const uint8_t regs[] = { SEC, SEC_ALARM, MIN, MIN_ALARM, HOUR,
                                    HOUR_ALARM, DOW, DAY, MONTH, YEAR,
                                    CENTURY, REG_A, REG_B, REG_C, REG_D };
    uint32_t x = 12345;

    rtc_begin(1980);
    for (int i = 0; i < 20000; i++) {
        uint8_t reg = regs[(x >> 8) % ARRAY_SIZE(regs)];

        x = x * 1103515245 + 12345;
        cmos_write(reg, x >> 16);
        cmos_read(regs[(x >> 4) % ARRAY_SIZE(regs)]);
        if (i % 64 == 0) {
            legacy_clock_step((x >> 3) % (3 * NS));
        }
    }
    /* and it still keeps time once set properly */
    cmos_write(REG_A, 0x26);
    cmos_write(REG_B, 0x02);
    set_test_time();
    legacy_clock_step(NS);
    CU_ASSERT_EQUAL(cmos_read(SEC), 0x57);
    legacy_fixture_end();
}

int main(int argc, char **argv)
{
    legacy_helper_main_init();
    harness_add("/mc146818rtc/properties", test_properties);
    harness_add("/mc146818rtc/realize-errors", test_realize_errors);
    harness_add("/mc146818rtc/realize-state", test_realize_state);
    harness_add("/mc146818rtc/base-year", test_base_year);
    harness_add("/mc146818rtc/time/bcd-binary", test_bcd_binary);
    harness_add("/mc146818rtc/time/12-hour", test_12_hour);
    harness_add("/mc146818rtc/time/runs", test_time_runs);
    harness_add("/mc146818rtc/time/uip", test_uip);
    harness_add("/mc146818rtc/irq/update", test_update_irq);
    harness_add("/mc146818rtc/irq/alarm", test_alarm);
    harness_add("/mc146818rtc/irq/periodic", test_periodic);
    harness_add("/mc146818rtc/divider-reset", test_divider_reset);
    harness_add("/mc146818rtc/cmos-ram", test_cmos_ram);
    harness_add("/mc146818rtc/reset", test_reset);
    harness_add("/mc146818rtc/garbage", test_garbage);
    return harness_run(argc, argv);
}
