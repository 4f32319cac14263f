/*
 * serial-test.c - COM1 (a 16550A at 0x3f8, ISA IRQ 4) over qtest: the
 * transmitter-empty interrupt seen on the intercepted IOAPIC line as
 * "IRQ raise 4"/"IRQ lower 4", following IER and the IIR read that
 * acknowledges it, as Linux's 8250 driver relies on.
 */
#include "util/osdep.h"
#include "libqtest.h"
#include "harness.h"

#define COM1 0x3f8
#define COM1_IRQ 4
#define UART_IER 1
#define UART_IIR 2
#define UART_LSR 5

static QTestState *start(void)
{
    QTestState *s = qtest_init("-machine pc -nodefaults -serial null");

    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

static void test_thre_irq(void)
{
    QTestState *s = start();

    CU_ASSERT_EQUAL(qtest_inb(s, COM1 + UART_LSR) & 0x60, 0x60);
    CU_ASSERT_FALSE(qtest_get_irq(s, COM1_IRQ));
    CU_ASSERT_EQUAL(qtest_inb(s, COM1 + UART_IIR) & 0x0f, 0x01);
    /* THRI on with THR empty: THRE interrupt */
    qtest_outb(s, COM1 + UART_IER, 0x02);
    CU_ASSERT_TRUE(qtest_get_irq(s, COM1_IRQ));
    CU_ASSERT_EQUAL(qtest_irq_count(s, COM1_IRQ), 1);
    /* reading IIR (it says THRE) acknowledges it */
    CU_ASSERT_EQUAL(qtest_inb(s, COM1 + UART_IIR) & 0x0f, 0x02);
    CU_ASSERT_FALSE(qtest_get_irq(s, COM1_IRQ));
    CU_ASSERT_EQUAL(qtest_inb(s, COM1 + UART_IIR) & 0x0f, 0x01);
    /* a byte sent: THR empties again, the interrupt comes back */
    qtest_outb(s, COM1, 'x');
    CU_ASSERT_TRUE(qtest_get_irq(s, COM1_IRQ));
    CU_ASSERT_EQUAL(qtest_irq_count(s, COM1_IRQ), 2);
    /* IER cleared: the line goes down */
    qtest_outb(s, COM1 + UART_IER, 0);
    CU_ASSERT_FALSE(qtest_get_irq(s, COM1_IRQ));
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    harness_add("/qtest/serial/thre-irq", test_thre_irq);
    return harness_run(argc, argv);
}
