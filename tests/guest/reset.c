/*
 * reset.c - a guest-requested system reset.
 *
 *   method=0  i8042 command 0xfe (pulse output port bit 0), as Linux's
 *             "reboot=k"
 *   method=1  port 0x92 bit 0 (fast reset)
 *   method=2  i8042 command 0xd1, output port written with bit 0 clear
 *   method=3  i8042 command 0xf0 (pulse output bits 3-0)
 *
 * With -no-reboot the VMM exits with status 0 (QEMU's, and the run's
 * command line has it).  Without -no-reboot (vmm-run.sh -R) the machine
 * resets and boots the kernel again: resets=N asks N times, counting in
 * CMOS byte 0x50 (RAM, which a reset keeps), and the boot after the
 * last one exits with 0.
 * If the reset never comes, the guest says so and fails.
 */
#include "guest.h"

#define BOOT_COUNTER 0x50

static uint8_t cmos_read(uint8_t index)
{
    outb(0x70, index);
    return inb(0x71);
}

static void cmos_write(uint8_t index, uint8_t v)
{
    outb(0x70, index);
    outb(0x71, v);
}

static void request_reset(unsigned method)
{
    switch (method) {
    case 0:
        outb(0x64, 0xfe);
        break;
    case 1:
        outb(0x92, inb(0x92) | 1);
        break;
    case 2:
        outb(0x64, 0xd1);
        outb(0x60, 0xce);
        break;
    case 3:
        outb(0x64, 0xf0);
        break;
    }
}

int main(void)
{
    unsigned method = cmdline_uint("method", 0);
    unsigned resets = cmdline_uint("resets", 1);
    unsigned done = cmos_read(BOOT_COUNTER);

    if (done >= resets) {
        printf("reset: boot %u, after %u resets: done\n", done + 1, done);
        cmos_write(BOOT_COUNTER, 0);
        return 0;
    }
    cmos_write(BOOT_COUNTER, done + 1);
    printf("reset: boot %u, method %u\n", done + 1, method);
    request_reset(method);
    /* The VMM stops this vCPU at once: nothing below should run. */
    for (volatile unsigned long i = 0; i < 200000000; i++) {
        cpu_relax();
    }
    printf("reset: no reset happened\n");
    return 1;
}
