/*
 * clock-test.c - the qtest virtual clock: under -accel qtest only the
 * client moves QEMU_CLOCK_VIRTUAL (clock_step, clock_set), and a device
 * timer fires exactly when the clock passes its deadline, never before.
 * The device timer is the RTC's periodic interrupt (1024 Hz: 32 ticks of
 * 32768 Hz, 976562.5 ns), seen on IOAPIC input 8 through irq_intercept_in.
 */
#include "util/osdep.h"
#include "libqtest.h"
#include "harness.h"

#define ARGS "-machine pc -nodefaults"
#define RTC_IRQ 8
#define PERIOD_NS 976562            /* 976562.5, rounded down */

static uint8_t cmos_read(QTestState *s, uint8_t reg)
{
    qtest_outb(s, 0x70, reg);
    return qtest_inb(s, 0x71);
}

static void cmos_write(QTestState *s, uint8_t reg, uint8_t val)
{
    qtest_outb(s, 0x70, reg);
    qtest_outb(s, 0x71, val);
}

/* Start qomu, intercept the IOAPIC, turn the periodic interrupt on
 * (register A 0x26: 1024 Hz; B: PIE | 24h). */
static QTestState *start_periodic(void)
{
    QTestState *s = qtest_init(ARGS);

    qtest_irq_intercept_in(s, "ioapic");
    cmos_write(s, 0x0a, 0x26);
    cmos_read(s, 0x0c);
    cmos_write(s, 0x0b, 0x42);
    return s;
}

/* Step to deadlines until the RTC's line goes up (the update timer's
 * deadline may come first); the clock then. */
static int64_t step_to_irq(QTestState *s)
{
    int64_t t = -1;

    for (int i = 0; i < 4 && !qtest_get_irq(s, RTC_IRQ); i++) {
        t = qtest_clock_step_next(s);
    }
    CU_ASSERT_FATAL(qtest_get_irq(s, RTC_IRQ));
    return t;
}

static void test_step_set(void)
{
    QTestState *s = qtest_init(ARGS);
    int64_t t0 = qtest_clock_step(s, 0);

    /* the clock stands still between commands */
    g_usleep(20 * 1000);
    CU_ASSERT_EQUAL(qtest_clock_step(s, 0), t0);
    CU_ASSERT_EQUAL(qtest_clock_step(s, 1), t0 + 1);
    CU_ASSERT_EQUAL(qtest_clock_step(s, 1000000000), t0 + 1000000001);
    CU_ASSERT_EQUAL(qtest_clock_set(s, t0 + 3000000000), t0 + 3000000000);
    CU_ASSERT_EQUAL(qtest_clock_set(s, t0 + 3000000000), t0 + 3000000000);
    CU_ASSERT_EQUAL(qtest_clock_set(s, t0 + 5), t0 + 3000000000);
    qtest_quit(s);
}

static void test_step_next(void)
{
    QTestState *s = start_periodic();
    int64_t t0 = qtest_clock_step(s, 0);
    int64_t t1, t2;

    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    t1 = step_to_irq(s);
    /* the first period starts when PIE was set (at most a tick early) */
    CU_ASSERT(t1 > t0 && t1 <= t0 + PERIOD_NS + 1);
    cmos_read(s, 0x0c);
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    /* the next deadline is the next period, to the nanosecond */
    t2 = step_to_irq(s);
    CU_ASSERT(t2 - t1 == PERIOD_NS || t2 - t1 == PERIOD_NS + 1);
    qtest_quit(s);
}

static void test_timer_fires_when_passed(void)
{
    QTestState *s = start_periodic();
    int64_t t = step_to_irq(s);

    cmos_read(s, 0x0c);
    /* just short of the next deadline: nothing */
    qtest_clock_set(s, t + PERIOD_NS - 100);
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    CU_ASSERT_EQUAL(cmos_read(s, 0x0c) & 0x40, 0);
    /* past it: the interrupt, and register C says PF | IRQF */
    qtest_clock_step(s, 200);
    CU_ASSERT_TRUE(qtest_get_irq(s, RTC_IRQ));
    CU_ASSERT_EQUAL(cmos_read(s, 0x0c), 0xc0);
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    qtest_quit(s);
}

static void test_big_step_runs_every_timer(void)
{
    QTestState *s = start_periodic();
    int64_t t = step_to_irq(s);
    unsigned before;

    cmos_read(s, 0x0c);
    before = qtest_irq_count(s, RTC_IRQ);
    /* one step over 10 periods: the line rises once (C is not read, so
     * it stays up), and C has the flag */
    qtest_clock_set(s, t + 10 * PERIOD_NS + 100);
    CU_ASSERT_EQUAL(qtest_irq_count(s, RTC_IRQ), before + 1);
    CU_ASSERT_EQUAL(cmos_read(s, 0x0c), 0xc0);
    /* reading C each period: one rising edge per period */
    before = qtest_irq_count(s, RTC_IRQ);
    for (int i = 0; i < 10; i++) {
        qtest_clock_step(s, PERIOD_NS + 1);
        CU_ASSERT_EQUAL(cmos_read(s, 0x0c), 0xc0);
    }
    CU_ASSERT_EQUAL(qtest_irq_count(s, RTC_IRQ), before + 10);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    harness_add("/qtest/clock/step-set", test_step_set);
    harness_add("/qtest/clock/step-next", test_step_next);
    harness_add("/qtest/clock/timer-fires-when-passed",
                test_timer_fires_when_passed);
    harness_add("/qtest/clock/big-step", test_big_step_runs_every_timer);
    return harness_run(argc, argv);
}
