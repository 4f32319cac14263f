/*
 * serial.c - COM1 (isa-serial, a 16550A at 0x3f8) probed as Linux's 8250
 * driver probes it (drivers/tty/serial/8250/8250_port.c: autoconfig and
 * autoconfig_16550a, serial8250_startup's THRE test), then a line
 * written to the port; every result goes to the debug console.
 *
 * Run with "-serial file:F": run-diff.sh --serial compares F too.
 * Everything printed is deterministic under QEMU and qomu alike.
 */
#include "guest.h"

#define COM1 0x3f8
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2,
       EFR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static uint16_t base = COM1;

static uint8_t in(unsigned reg)
{
    return inb(base + reg);
}

static void out(unsigned reg, uint8_t v)
{
    outb(base + reg, v);
}

/* autoconfig's existence test: IER keeps 0 and then 0x0f. */
static int probe_ier(void)
{
    uint8_t save = in(IER), s2, s3;

    out(IER, 0);
    outb(0x80, 0xff);               /* Linux: defeat ISA bus float */
    s2 = in(IER) & 0x0f;
    out(IER, 0x0f);
    outb(0x80, 0);
    s3 = in(IER) & 0x0f;
    out(IER, save);
    printf("ier test: %02x %02x\n", s2, s3);
    return s2 == 0 && s3 == 0x0f ? 0 : 1;
}

/* Loopback with OUT2 and RTS: MSR must read DCD and CTS (0x90). */
static int probe_loop(void)
{
    uint8_t save = in(MCR), msr;

    out(MCR, 0x10 | 0x0a);
    msr = in(MSR) & 0xf0;
    out(MCR, save);
    printf("loopback msr: %02x (mcr was %02x)\n", msr, save);
    return msr == 0x90 ? 0 : 1;
}

/* The FIFO type from IIR bits 6-7, then autoconfig_16550a's checks for
 * the EFR and a 64-byte FIFO, and the scratch register. */
static int probe_type(void)
{
    static const char *const types[] = { "8250/16450", "unknown", "16550",
                                         "16550A" };
    uint8_t iir, efr_a, efr_b, iir64, iir64_dlab, scr1, scr2;

    out(LCR, 0xbf);
    out(EFR, 0);
    out(LCR, 0);
    out(FCR, 0x01);
    iir = in(IIR);
    out(LCR, 0x80);
    efr_a = in(EFR);
    out(LCR, 0xbf);
    efr_b = in(EFR);
    out(LCR, 0);
    out(FCR, 0x21);                 /* enable + 64-byte FIFO */
    iir64 = in(IIR) & 0xe0;
    out(FCR, 0x01);
    out(LCR, 0x80);
    out(FCR, 0x21);
    iir64_dlab = in(IIR) & 0xe0;
    out(FCR, 0x01);
    out(LCR, 0);
    out(SCR, 0xa5);
    scr1 = in(SCR);
    out(SCR, 0x5a);
    scr2 = in(SCR);
    printf("iir after fcr: %02x: %s\n", iir, types[iir >> 6]);
    printf("efr probes: %02x %02x; 64-byte fifo: %02x %02x\n", efr_a, efr_b,
           iir64, iir64_dlab);
    printf("scratch: %02x %02x\n", scr1, scr2);
    out(FCR, 0);
    return iir >> 6 == 3 && scr1 == 0xa5 && scr2 == 0x5a ? 0 : 1;
}

/* The divisor latch: 115200 baud (1), then 9600 (12), 8N1. */
static int probe_dlab(void)
{
    uint8_t ier, dll, dlm;

    out(IER, 0x05);
    out(LCR, 0x83);
    out(DLL, 0x01);
    out(DLM, 0x00);
    dll = in(DLL);
    dlm = in(DLM);
    out(LCR, 0x03);
    ier = in(IER);
    printf("dlab: dll %02x dlm %02x, ier after %02x, lcr %02x\n", dll, dlm,
           ier, in(LCR));
    out(IER, 0);
    return dll == 1 && dlm == 0 && ier == 0x05 ? 0 : 1;
}

/* Loopback data: a byte sent comes back, LSR shows it. */
static int probe_loop_data(void)
{
    uint8_t lsr1, lsr2, rbr, lsr3;

    out(FCR, 0x07);
    out(MCR, 0x10);
    out(THR, 0x5a);
    lsr1 = in(LSR);
    rbr = in(RBR);
    lsr2 = in(LSR);
    for (int i = 0; i < 17; i++) {
        out(THR, 'a' + i);
    }
    lsr3 = in(LSR);
    printf("loopback data: lsr %02x rbr %02x lsr %02x, 17 bytes: lsr %02x "
           "lsr %02x\n", lsr1, rbr, lsr2, lsr3, in(LSR));
    for (int i = 0; i < 16; i++) {
        if (in(RBR) != 'a' + i) {
            printf("loopback data: byte %d wrong\n", i);
            return 1;
        }
    }
    printf("loopback data: lsr %02x at the end\n", in(LSR));
    out(MCR, 0x08);
    out(FCR, 0x00);
    return rbr == 0x5a ? 0 : 1;
}

/* serial8250_startup's test: THRE is re-asserted when THRI goes 0->1. */
static int probe_thre(void)
{
    uint8_t iir1, iir2, iir3;

    out(IER, 0x02);
    iir1 = in(IIR);
    iir2 = in(IIR);                 /* the first read cleared it */
    out(IER, 0);
    out(IER, 0x02);
    iir3 = in(IIR);
    out(IER, 0);
    printf("thre: iir %02x %02x %02x\n", iir1, iir2, iir3);
    return iir1 == 0x02 && iir2 == 0x01 && iir3 == 0x02 ? 0 : 1;
}

static void serial_puts(const char *s)
{
    for (; *s; s++) {
        for (int i = 0; i < 100000 && !(in(LSR) & 0x20); i++) {
            cpu_relax();
        }
        out(THR, *s);
    }
}

int main(void)
{
    int bad = 0;

    base = cmdline_uint("port", COM1);
    printf("serial: port %x\n", base);
    printf("reset values: ier %02x iir %02x lcr %02x mcr %02x lsr %02x "
           "msr %02x\n", in(IER), in(IIR), in(LCR), in(MCR), in(LSR),
           in(MSR));
    bad |= probe_ier();
    bad |= probe_loop();
    bad |= probe_type();
    bad |= probe_dlab();
    bad |= probe_loop_data();
    bad |= probe_thre();
    serial_puts("Hello from COM1\r\n");
    printf("after writing: lsr %02x iir %02x\n", in(LSR), in(IIR));
    printf("serial: %s\n", bad ? "FAILED" : "ok");
    return bad;
}
