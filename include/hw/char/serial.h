/*
 * serial.h - the 16550A UART core, "serial" (QEMU 7.2's
 * include/hw/char/serial.h, hw/char/serial.c).  The chardevs -serial
 * gives are serial_hd(i), machine/machine-init.h.
 *
 * The core is a device without a bus of its own: a bus binding embeds a
 * SerialState as its QOM child "serial", forwards the properties
 * "chardev", "baudbase" and "wakeup" to it, sets @irq before realizing
 * it, and maps @io (8 ports, serial_io_ops) where its bus decodes
 * (hw/char/serial-isa.c: "isa-serial").  The core registers its own
 * system-reset hook, as QEMU's does, because no bus walk reaches it.
 *
 * Threads: register accesses run in a vCPU thread, chardev input and
 * timers in the main thread, all with the big lock held; the lock is
 * what serialises them.  Output is written in the vCPU thread (see
 * serial.c).
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "hw/core/qdev.h"
#include "hw/core/irq.h"
#include "hw/core/memory.h"
#include "chardev/char-fe.h"
#include "util/main-loop.h"

#define TYPE_SERIAL "serial"
OBJECT_DECLARE_SIMPLE_TYPE(SerialState, SERIAL)

/* The ISA binding (hw/char/serial-isa.c). */
#define TYPE_ISA_SERIAL "isa-serial"

/* Both FIFOs of a 16550A hold 16 bytes. */
#define UART_FIFO_LENGTH 16

/* A byte FIFO (QEMU's Fifo8, fixed at 16 bytes). */
typedef struct SerialFifo {
    uint8_t data[UART_FIFO_LENGTH];
    uint8_t head;               /* index of the oldest byte, 0..15 */
    uint8_t num;                /* bytes held, 0..16 */
} SerialFifo;

struct SerialState {
    DeviceState parent_obj;

    /* --- registers (16550A datasheet, section "Registers") --- */
    uint16_t divider;           /* DLL/DLM: baud = baudbase / divider;
                                 * 0 behaves as ~3500 baud (QEMU) */
    uint8_t rbr;                /* receive buffer, non-FIFO mode */
    uint8_t thr;                /* last byte written to THR */
    uint8_t tsr;                /* transmit shift register */
    uint8_t ier;                /* interrupt enable, bits 0-3 */
    uint8_t iir;                /* interrupt identification; bits 6-7
                                 * mirror FCR.FE */
    uint8_t lcr;                /* line control; bit 7 = DLAB */
    uint8_t mcr;                /* modem control, bits 0-4 */
    uint8_t lsr;                /* line status */
    uint8_t msr;                /* modem status; no host lines: DCD, DSR,
                                 * CTS always on (QEMU without a tty) */
    uint8_t scr;                /* scratch */
    uint8_t fcr;                /* FIFO control, the bits that stick
                                 * (0xc9: trigger level, DMA mode, FE) */

    /* --- internal state --- */
    bool thr_ipending;          /* THRE interrupt pending (cleared by an
                                 * IIR read that reports it) */
    bool timeout_ipending;      /* character timeout interrupt pending */
    bool last_break_enable;     /* LCR bit 6 as last written */
    unsigned recv_fifo_itl;     /* receive trigger level: 1, 4, 8, 14 */
    int64_t char_transmit_time; /* ns per character at the current
                                 * speed and frame (start+data+parity+
                                 * stop bits), for the timeout */
    SerialFifo recv_fifo;
    SerialFifo xmit_fifo;

    /* --- wiring, set by the bus binding and properties --- */
    qemu_irq irq;               /* the interrupt line (not referenced) */
    CharBackend chr;            /* "chardev": where bytes go and come from */
    uint32_t baudbase;          /* "baudbase": input clock / 16, Hz;
                                 * default 115200, must not be 0 */
    bool wakeup;                /* "wakeup": accepted; qomu has no
                                 * suspend, so input never wakes anything */
    MemoryRegion io;            /* 8 ports; the binding inits and maps it */
    QomuTimer *fifo_timeout_timer;  /* QEMU_CLOCK_VIRTUAL */
    QomuBH *accept_input_bh;    /* qemu_chr_fe_accept_input() is for the
                                 * main thread: RBR reads schedule it */
};

/*
 * The register file, for serial_io_ops: offset 0-7 from the base port;
 * byte accesses (wider ones are split by the memory core, as in QEMU).
 * The opaque is the SerialState.
 */
extern const MemoryRegionOps serial_io_ops;

/* QEMU's MAX_ISA_SERIAL_PORTS: the ports a PC has (COM1-COM4). */
#define MAX_ISA_SERIAL_PORTS 4

#endif /* HW_CHAR_SERIAL_H */
