/*
 * rtc-test.c - the MC146818 RTC and CMOS RAM of the pc machine, driven
 * over qtest: the CMOS bytes QEMU's pc sets (as tests/guest/cmos.c checks
 * them under KVM, here without a guest), the registers at reset, the time
 * moving with the virtual clock and nothing else, and its interrupts on
 * ISA IRQ 8 seen through an intercepted IOAPIC: periodic and
 * update-ended.
 */
#include "util/osdep.h"
#include "libqtest.h"
#include "harness.h"

#define ARGS "-machine pc -nodefaults -m 64"
#define RTC_IRQ 8
#define NS_PER_SEC 1000000000LL

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

static unsigned cmos_word(QTestState *s, uint8_t lo)
{
    return cmos_read(s, lo) | cmos_read(s, lo + 1) << 8;
}

static bool bcd_ok(uint8_t v, unsigned max)
{
    return (v & 0x0f) <= 9 && (v >> 4) <= 9 &&
           (unsigned)((v >> 4) * 10 + (v & 0x0f)) <= max;
}

/* QEMU's pc_cmos_init() for -m 64, one CPU, -nodefaults. */
static void test_cmos_bytes(void)
{
    QTestState *s = qtest_init(ARGS);

    CU_ASSERT_EQUAL(cmos_word(s, 0x15), 640);           /* base memory KiB */
    CU_ASSERT_EQUAL(cmos_word(s, 0x17), 64512);         /* extended KiB */
    CU_ASSERT_EQUAL(cmos_word(s, 0x30), 64512);
    CU_ASSERT_EQUAL(cmos_word(s, 0x34), 768);           /* 16M-4G, 64 KiB */
    CU_ASSERT_EQUAL(cmos_word(s, 0x5b), 0);             /* above 4G */
    CU_ASSERT_EQUAL(cmos_read(s, 0x5d), 0);
    CU_ASSERT_EQUAL(cmos_read(s, 0x14), 0x06);          /* equipment */
    CU_ASSERT_EQUAL(cmos_read(s, 0x10), 0x00);          /* floppy */
    CU_ASSERT_EQUAL(cmos_read(s, 0x12), 0x00);          /* hard disks */
    CU_ASSERT_EQUAL(cmos_read(s, 0x3d), 0x12);          /* boot order */
    CU_ASSERT_EQUAL(cmos_read(s, 0x38), 0x30);
    CU_ASSERT_EQUAL(cmos_read(s, 0x5f), 0x00);          /* CPUs - 1 */
    CU_ASSERT_EQUAL(cmos_read(s, 0x32), 0x20);          /* century, BCD */
    CU_ASSERT_EQUAL(cmos_read(s, 0x37), 0x20);          /* its PS/2 alias */
    qtest_quit(s);
}

static void test_cmos_ram(void)
{
    QTestState *s = qtest_init(ARGS);

    cmos_write(s, 0x50, 0x5a);
    cmos_write(s, 0x7f, 0xa5);
    qtest_outb(s, 0x70, 0xd1);          /* bit 7 is the NMI mask */
    qtest_outb(s, 0x71, 0x3c);
    CU_ASSERT_EQUAL(cmos_read(s, 0x50), 0x5a);
    CU_ASSERT_EQUAL(cmos_read(s, 0x51), 0x3c);
    CU_ASSERT_EQUAL(cmos_read(s, 0x7f), 0xa5);
    qtest_quit(s);
}

static void test_registers(void)
{
    QTestState *s = qtest_init(ARGS);
    uint8_t b = cmos_read(s, 0x0b);

    CU_ASSERT_EQUAL(cmos_read(s, 0x0a) & 0x7f, 0x26);   /* 32768 Hz, 1024 */
    CU_ASSERT_EQUAL(b, 0x02);                           /* 24h, BCD */
    CU_ASSERT_EQUAL(cmos_read(s, 0x0d), 0x80);          /* VRT */
    CU_ASSERT(bcd_ok(cmos_read(s, 0x00), 59));
    CU_ASSERT(bcd_ok(cmos_read(s, 0x02), 59));
    CU_ASSERT(bcd_ok(cmos_read(s, 0x04), 23));
    CU_ASSERT(bcd_ok(cmos_read(s, 0x07), 31));
    CU_ASSERT(bcd_ok(cmos_read(s, 0x08), 12));
    CU_ASSERT(bcd_ok(cmos_read(s, 0x09), 99));
    qtest_quit(s);
}

/* Set 23:59:59 (SET, write, clear SET: the divider restarts), then the
 * virtual clock alone moves it: not before a second, at a second. */
static void test_time_follows_clock(void)
{
    QTestState *s = qtest_init(ARGS);

    cmos_write(s, 0x0b, 0x82);
    cmos_write(s, 0x00, 0x59);
    cmos_write(s, 0x02, 0x59);
    cmos_write(s, 0x04, 0x23);
    cmos_write(s, 0x0b, 0x02);
    g_usleep(1100 * 1000);              /* host time does not count */
    CU_ASSERT_EQUAL(cmos_read(s, 0x00), 0x59);
    qtest_clock_step(s, NS_PER_SEC - 1000000);
    CU_ASSERT_EQUAL(cmos_read(s, 0x00), 0x59);
    qtest_clock_step(s, 2000000);
    CU_ASSERT_EQUAL(cmos_read(s, 0x00), 0x00);
    CU_ASSERT_EQUAL(cmos_read(s, 0x02), 0x00);
    CU_ASSERT_EQUAL(cmos_read(s, 0x04), 0x00);
    qtest_clock_step(s, 61 * NS_PER_SEC);
    CU_ASSERT_EQUAL(cmos_read(s, 0x00), 0x01);
    CU_ASSERT_EQUAL(cmos_read(s, 0x02), 0x01);
    qtest_quit(s);
}

static void test_periodic_irq(void)
{
    QTestState *s = qtest_init(ARGS);

    qtest_irq_intercept_in(s, "ioapic");
    cmos_write(s, 0x0a, 0x26);          /* 1024 Hz */
    cmos_read(s, 0x0c);
    cmos_write(s, 0x0b, 0x42);          /* PIE */
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, 500000);        /* half a period: nothing yet */
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, 600000);
    CU_ASSERT_TRUE(qtest_get_irq(s, RTC_IRQ));
    CU_ASSERT_EQUAL(cmos_read(s, 0x0c), 0xc0);          /* IRQF | PF */
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));         /* read C: lowered */
    /* PIE off: the line stays down */
    cmos_write(s, 0x0b, 0x02);
    qtest_clock_step(s, 2000000);
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    qtest_quit(s);
}

static void test_update_ended_irq(void)
{
    QTestState *s = qtest_init(ARGS);
    unsigned raised;

    qtest_irq_intercept_in(s, "ioapic");
    cmos_read(s, 0x0c);
    cmos_write(s, 0x0b, 0x12);          /* UIE */
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    qtest_clock_step(s, NS_PER_SEC + NS_PER_SEC / 10);
    CU_ASSERT_TRUE(qtest_get_irq(s, RTC_IRQ));
    CU_ASSERT_EQUAL(cmos_read(s, 0x0c) & 0x90, 0x90);   /* IRQF | UF */
    CU_ASSERT_FALSE(qtest_get_irq(s, RTC_IRQ));
    /* once a second */
    raised = qtest_irq_count(s, RTC_IRQ);
    for (int i = 0; i < 3; i++) {
        qtest_clock_step(s, NS_PER_SEC);
        CU_ASSERT_EQUAL(cmos_read(s, 0x0c) & 0x90, 0x90);
    }
    CU_ASSERT_EQUAL(qtest_irq_count(s, RTC_IRQ), raised + 3);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    harness_add("/qtest/rtc/cmos-bytes", test_cmos_bytes);
    harness_add("/qtest/rtc/cmos-ram", test_cmos_ram);
    harness_add("/qtest/rtc/registers", test_registers);
    harness_add("/qtest/rtc/time-follows-clock", test_time_follows_clock);
    harness_add("/qtest/rtc/periodic-irq", test_periodic_irq);
    harness_add("/qtest/rtc/update-ended-irq", test_update_ended_irq);
    return harness_run(argc, argv);
}
