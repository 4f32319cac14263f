/*
 * serial.c - "serial": the 16550A UART core (QEMU 7.2's hw/char/serial.c;
 * National Semiconductor PC16550D datasheet, June 1995).
 *
 * Modelled as QEMU does, register for register: RBR/THR, IER (with the
 * "THRI" quirk: enabling THRI while THR is empty re-raises THRE), IIR
 * with the FIFO bits, FCR (16-byte FIFOs, trigger levels 1/4/8/14,
 * character timeout after 4 character times on QEMU_CLOCK_VIRTUAL), LCR
 * with DLAB and the divisor latch, MCR and loopback (TX goes to RX, the
 * modem outputs drive the inputs), LSR, MSR, SCR; breaks received
 * (CHR_EVENT_BREAK).  Transmission is instantaneous, as in QEMU: THR is
 * empty again by the time the write returns.
 * Not modelled: modem lines of a host tty (our chardevs have no ioctls,
 * so MSR is DCD|DSR|CTS outside loopback, as QEMU's with a non-tty
 * backend), sending breaks, wakeup from suspend, migration.
 *
 * Output: QEMU writes one byte at a time and retries from a watch when
 * the backend is full; qomu's chardevs have no watches, so each byte is
 * written with qemu_chr_fe_write_all() in the vCPU thread, which may
 * block (big lock held) while a terminal or socket client is not
 * reading.  A backend that fails (a closed socket) drops the byte.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/qdev-properties-system.h"
#include "system/runstate.h"
#include "hw/char/serial.h"

#define NANOSECONDS_PER_SECOND  1000000000LL

#define UART_LCR_DLAB   0x80    /* divisor latch access */
#define UART_LCR_BREAK  0x40    /* set break */

#define UART_IER_MSI    0x08    /* modem status interrupt */
#define UART_IER_RLSI   0x04    /* receiver line status interrupt */
#define UART_IER_THRI   0x02    /* transmitter holding register empty */
#define UART_IER_RDI    0x01    /* received data available */

#define UART_IIR_NO_INT 0x01    /* no interrupt pending */
#define UART_IIR_ID     0x06    /* mask for the interrupt id */
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c    /* character timeout */
#define UART_IIR_FE     0xc0    /* FIFOs enabled */

#define UART_MCR_LOOP   0x10
#define UART_MCR_OUT2   0x08
#define UART_MCR_OUT1   0x04
#define UART_MCR_RTS    0x02
#define UART_MCR_DTR    0x01

#define UART_MSR_DCD    0x80
#define UART_MSR_RI     0x40
#define UART_MSR_DSR    0x20
#define UART_MSR_CTS    0x10
#define UART_MSR_ANY_DELTA 0x0f

#define UART_LSR_TEMT   0x40    /* transmitter empty */
#define UART_LSR_THRE   0x20    /* transmit holding register empty */
#define UART_LSR_BI     0x10    /* break interrupt */
#define UART_LSR_FE     0x08    /* framing error */
#define UART_LSR_PE     0x04    /* parity error */
#define UART_LSR_OE     0x02    /* overrun error */
#define UART_LSR_DR     0x01    /* data ready */
#define UART_LSR_INT_ANY 0x1e   /* bits that raise a line status int */

#define UART_FCR_ITL_MASK 0xc0  /* receiver trigger level */
#define UART_FCR_DMS    0x08    /* DMA mode select */
#define UART_FCR_XFR    0x04    /* transmit FIFO reset */
#define UART_FCR_RFR    0x02    /* receive FIFO reset */
#define UART_FCR_FE     0x01    /* FIFO enable */
#define UART_FCR_STICKY 0xc9    /* what FCR keeps: ITL, DMS, FE */

/* --- FIFOs ----------------------------------------------------------- */

static void fifo_reset(SerialFifo *f)
{
    f->head = 0;
    f->num = 0;
}

static bool fifo_is_full(const SerialFifo *f)
{
    return f->num == UART_FIFO_LENGTH;
}

static void fifo_push(SerialFifo *f, uint8_t b)
{
    assert(!fifo_is_full(f));
    f->data[(f->head + f->num) % UART_FIFO_LENGTH] = b;
    f->num++;
}

static uint8_t fifo_pop(SerialFifo *f)
{
    uint8_t b;

    assert(f->num > 0);
    b = f->data[f->head];
    f->head = (f->head + 1) % UART_FIFO_LENGTH;
    f->num--;
    return b;
}

/* Receive overruns keep what the FIFO holds (datasheet: "the character
 * in the shift register is overwritten, but not transferred"). */
static void recv_fifo_put(SerialState *s, uint8_t b)
{
    if (!fifo_is_full(&s->recv_fifo)) {
        fifo_push(&s->recv_fifo, b);
    } else {
        s->lsr |= UART_LSR_OE;
    }
}

/* --- interrupts and timing ------------------------------------------ */

/* The highest-priority pending interrupt into IIR, and the line (QEMU's
 * serial_update_irq: its priorities, including CTI masked by RDI). */
static void serial_update_irq(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_INT_ANY)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR) &&
               (!(s->fcr & UART_FCR_FE) ||
                s->recv_fifo.num >= s->recv_fifo_itl)) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA)) {
        id = UART_IIR_MSI;
    }
    s->iir = id | (s->iir & 0xf0);
    qemu_set_irq(s->irq, id != UART_IIR_NO_INT);
}

/* Frame length and speed from LCR and the divisor: the character time
 * that paces the receive timeout (QEMU's serial_update_parameters; a
 * divisor of 0 runs at about 3500 baud). */
static void serial_update_parameters(SerialState *s)
{
    int frame = 1 + (s->lcr & 0x03) + 5 + ((s->lcr & 0x04) ? 2 : 1);

    if (s->lcr & 0x08) {
        frame++;                            /* parity bit */
    }
    if (s->divider == 0) {
        s->char_transmit_time = NANOSECONDS_PER_SECOND / 3500 * frame;
    } else {
        s->char_transmit_time = NANOSECONDS_PER_SECOND * frame *
                                s->divider / s->baudbase;
    }
}

static void serial_arm_timeout(SerialState *s)
{
    timer_mod(s->fifo_timeout_timer, qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                     s->char_transmit_time * 4);
}

/* Data has sat in the receive FIFO for 4 character times. */
static void serial_fifo_timeout(void *opaque)
{
    SerialState *s = opaque;

    if (s->recv_fifo.num) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

/* --- receive --------------------------------------------------------- */

/* How many bytes the UART takes now (QEMU's serial_can_receive: up to
 * the trigger level, then one at a time, so the guest sees its ITL). */
static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    if (!(s->fcr & UART_FCR_FE)) {
        return !(s->lsr & UART_LSR_DR);
    }
    if (s->recv_fifo.num >= UART_FIFO_LENGTH) {
        return 0;
    }
    return s->recv_fifo.num <= s->recv_fifo_itl ?
           s->recv_fifo_itl - s->recv_fifo.num : 1;
}

static void serial_receive(void *opaque, const uint8_t *buf, int size)
{
    SerialState *s = opaque;

    if (size <= 0) {
        return;
    }
    if (s->fcr & UART_FCR_FE) {
        for (int i = 0; i < size; i++) {
            recv_fifo_put(s, buf[i]);
        }
        s->lsr |= UART_LSR_DR;
        serial_arm_timeout(s);
    } else {
        /* Without FIFOs a second byte before RBR was read is an overrun;
         * the new byte wins, as in QEMU. */
        if (s->lsr & UART_LSR_DR) {
            s->lsr |= UART_LSR_OE;
        }
        s->rbr = buf[0];
        s->lsr |= UART_LSR_DR;
    }
    serial_update_irq(s);
}

/* A break on the line: a NUL byte with BI (datasheet: LSR bit 4). */
static void serial_receive_break(SerialState *s)
{
    s->rbr = 0;
    recv_fifo_put(s, 0);
    s->lsr |= UART_LSR_BI | UART_LSR_DR;
    serial_update_irq(s);
}

static void serial_event(void *opaque, QEMUChrEvent event)
{
    if (event == CHR_EVENT_BREAK) {
        serial_receive_break(opaque);
    }
}

/* Main thread: let the chardev deliver input again. */
static void serial_accept_input(void *opaque)
{
    SerialState *s = opaque;

    qemu_chr_fe_accept_input(&s->chr);
}

/* --- transmit -------------------------------------------------------- */

/* Move THR (or the transmit FIFO) through the shift register to the
 * chardev, or to the receiver in loopback mode, until it is empty. */
static void serial_xmit(SerialState *s)
{
    do {
        if (s->fcr & UART_FCR_FE) {
            s->tsr = fifo_pop(&s->xmit_fifo);
            if (!s->xmit_fifo.num) {
                s->lsr |= UART_LSR_THRE;
            }
        } else {
            s->tsr = s->thr;
            s->lsr |= UART_LSR_THRE;
        }
        if ((s->lsr & UART_LSR_THRE) && !s->thr_ipending) {
            s->thr_ipending = true;
            serial_update_irq(s);
        }
        if (s->mcr & UART_MCR_LOOP) {
            serial_receive(s, &s->tsr, 1);
        } else {
            qemu_chr_fe_write_all(&s->chr, &s->tsr, 1);
        }
    } while (!(s->lsr & UART_LSR_THRE));
    s->lsr |= UART_LSR_TEMT;
}

/* --- registers ------------------------------------------------------- */

static void serial_write_thr(SerialState *s, uint8_t val)
{
    s->thr = val;
    if (s->fcr & UART_FCR_FE) {
        /* Transmit overruns overwrite the oldest byte (QEMU). */
        if (fifo_is_full(&s->xmit_fifo)) {
            fifo_pop(&s->xmit_fifo);
        }
        fifo_push(&s->xmit_fifo, val);
    }
    s->thr_ipending = false;
    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    serial_update_irq(s);
    serial_xmit(s);
}

static void serial_write_ier(SerialState *s, uint8_t val)
{
    uint8_t changed = (s->ier ^ val) & 0x0f;

    s->ier = val & 0x0f;
    /*
     * Turning THRI on while THR is empty raises THRE again, even if an
     * IIR read had cleared it: not in the datasheet, but Windows relies
     * on it and QEMU (after Bochs) does it on the rising edge.
     */
    if (changed & UART_IER_THRI) {
        s->thr_ipending = (s->ier & UART_IER_THRI) &&
                          (s->lsr & UART_LSR_THRE);
    }
    if (changed) {
        serial_update_irq(s);
    }
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    /* Switching the FIFOs on or off empties them. */
    if ((val ^ s->fcr) & UART_FCR_FE) {
        val |= UART_FCR_XFR | UART_FCR_RFR;
    }
    if (val & UART_FCR_RFR) {
        s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        timer_del(s->fifo_timeout_timer);
        s->timeout_ipending = false;
        fifo_reset(&s->recv_fifo);
    }
    if (val & UART_FCR_XFR) {
        s->lsr |= UART_LSR_THRE;
        s->thr_ipending = true;
        fifo_reset(&s->xmit_fifo);
    }
    s->fcr = val & UART_FCR_STICKY;
    if (s->fcr & UART_FCR_FE) {
        static const uint8_t itl[4] = { 1, 4, 8, 14 };

        s->iir |= UART_IIR_FE;
        s->recv_fifo_itl = itl[s->fcr >> 6];
    } else {
        s->iir &= ~UART_IIR_FE;
    }
    serial_update_irq(s);
}

static void serial_ioport_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    SerialState *s = opaque;

    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | (uint8_t)val;
            serial_update_parameters(s);
        } else {
            serial_write_thr(s, val);
        }
        break;
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (uint8_t)val << 8;
            serial_update_parameters(s);
        } else {
            serial_write_ier(s, val);
        }
        break;
    case 2:
        serial_write_fcr(s, val);
        break;
    case 3:
        s->lcr = val;
        serial_update_parameters(s);
        /* Sending a break needs a tty backend (QEMU's ioctl): noted only. */
        s->last_break_enable = (val & UART_LCR_BREAK) != 0;
        break;
    case 4:
        s->mcr = val & 0x1f;
        break;
    case 5:
    case 6:
        /* LSR and MSR are read-only (datasheet: writes are for factory
         * test); QEMU ignores them too. */
        qomu_log_mask(LOG_GUEST_ERROR, "serial: write 0x%02x to read-only "
                      "register %u ignored\n", (unsigned)(val & 0xff),
                      (unsigned)(addr & 7));
        break;
    case 7:
        s->scr = val;
        break;
    }
}

static uint8_t serial_read_rbr(SerialState *s)
{
    uint8_t ret;

    if (s->fcr & UART_FCR_FE) {
        ret = s->recv_fifo.num ? fifo_pop(&s->recv_fifo) : 0;
        if (s->recv_fifo.num == 0) {
            s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
        } else {
            serial_arm_timeout(s);
        }
        s->timeout_ipending = false;
    } else {
        ret = s->rbr;
        s->lsr &= ~(UART_LSR_DR | UART_LSR_BI);
    }
    serial_update_irq(s);
    if (!(s->mcr & UART_MCR_LOOP)) {
        /* In loopback mode the line is disconnected: no input. */
        qomu_bh_schedule(s->accept_input_bh);
    }
    return ret;
}

static uint8_t serial_read_msr(SerialState *s)
{
    uint8_t ret;

    if (s->mcr & UART_MCR_LOOP) {
        /* Loopback: OUT2 -> DCD, OUT1 -> RI, RTS -> CTS, DTR -> DSR. */
        ret = (s->mcr & 0x0c) << 4;
        ret |= (s->mcr & UART_MCR_RTS) << 3;
        ret |= (s->mcr & UART_MCR_DTR) << 5;
        return ret;
    }
    ret = s->msr;
    if (s->msr & UART_MSR_ANY_DELTA) {
        s->msr &= 0xf0;
        serial_update_irq(s);
    }
    return ret;
}

static uint64_t serial_ioport_read(void *opaque, hwaddr addr, unsigned size)
{
    SerialState *s = opaque;
    uint8_t ret = 0;

    switch (addr & 7) {
    case 0:
        ret = (s->lcr & UART_LCR_DLAB) ? s->divider & 0xff
                                       : serial_read_rbr(s);
        break;
    case 1:
        ret = (s->lcr & UART_LCR_DLAB) ? s->divider >> 8 : s->ier;
        break;
    case 2:
        ret = s->iir;
        /* Reading IIR while it reports THRE clears that interrupt. */
        if ((ret & UART_IIR_ID) == UART_IIR_THRI) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        break;
    case 3:
        ret = s->lcr;
        break;
    case 4:
        ret = s->mcr;
        break;
    case 5:
        ret = s->lsr;
        /* Reading LSR clears break and overrun. */
        if (s->lsr & (UART_LSR_BI | UART_LSR_OE)) {
            s->lsr &= ~(UART_LSR_BI | UART_LSR_OE);
            serial_update_irq(s);
        }
        break;
    case 6:
        ret = serial_read_msr(s);
        break;
    case 7:
        ret = s->scr;
        break;
    }
    return ret;
}

const MemoryRegionOps serial_io_ops = {
    .read = serial_ioport_read,
    .write = serial_ioport_write,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

/* --- reset ----------------------------------------------------------- */

/* Master reset (datasheet table "UART Reset Configuration"; QEMU's
 * serial_reset, which leaves FCR alone). */
static void serial_reset(void *opaque)
{
    SerialState *s = opaque;

    s->rbr = 0;
    s->ier = 0;
    s->iir = UART_IIR_NO_INT;
    s->lcr = 0;
    s->lsr = UART_LSR_TEMT | UART_LSR_THRE;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->divider = 0x0c;                  /* 9600 baud with baudbase 115200 */
    s->mcr = UART_MCR_OUT2;
    s->scr = 0;
    s->char_transmit_time = NANOSECONDS_PER_SECOND / 9600 * 10;
    s->timeout_ipending = false;
    timer_del(s->fifo_timeout_timer);
    fifo_reset(&s->recv_fifo);
    fifo_reset(&s->xmit_fifo);
    s->thr_ipending = false;
    s->last_break_enable = false;
    qemu_irq_lower(s->irq);
}

/* --- the device ------------------------------------------------------ */

static bool serial_realize(DeviceState *dev, Error **errp)
{
    SerialState *s = SERIAL(dev);

    if (s->baudbase == 0) {
        error_setg(errp, "baudbase must be greater than 0");
        return false;
    }
    s->fifo_timeout_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                         serial_fifo_timeout, s);
    s->accept_input_bh = qomu_bh_new(serial_accept_input, s);
    qomu_register_reset(serial_reset, s);
    qemu_chr_fe_set_handlers(&s->chr, serial_can_receive, serial_receive,
                             serial_event, s, true);
    serial_reset(s);
    return true;
}

static void serial_unrealize(DeviceState *dev)
{
    SerialState *s = SERIAL(dev);

    qemu_chr_fe_set_handlers(&s->chr, NULL, NULL, NULL, NULL, true);
    qomu_unregister_reset(serial_reset, s);
    g_clear_pointer(&s->fifo_timeout_timer, timer_free);
    g_clear_pointer(&s->accept_input_bh, qomu_bh_delete);
}

static Property serial_properties[] = {
    DEFINE_PROP_CHR("chardev", SerialState, chr),
    DEFINE_PROP_UINT32("baudbase", SerialState, baudbase, 115200),
    DEFINE_PROP_BOOL("wakeup", SerialState, wakeup, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void serial_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    /* The core of isa-serial (and of future PCI/MMIO bindings), which
     * wire its interrupt and ports: not for -device (as QEMU). */
    dc->user_creatable = false;
    dc->realize = serial_realize;
    dc->unrealize = serial_unrealize;
    device_class_set_props(dc, serial_properties);
}

static const TypeInfo serial_info = {
    .name = TYPE_SERIAL,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(SerialState),
    .class_init = serial_class_init,
};

static void serial_register_types(void)
{
    type_register_static(&serial_info);
}

type_init(serial_register_types)
