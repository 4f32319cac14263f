/*
 * i8042.c - "i8042": the PC/AT keyboard controller on ports 0x60/0x64
 * (QEMU 7.2's hw/input/pckbd.c, with its "extended state"; IBM PS/2
 * "Keyboard/Auxiliary Device Controller" technical reference).
 *
 * Modelled: the status register, the command byte ("mode"), the
 * controller commands QEMU knows (read/write mode, self tests, port
 * enable/disable, input/output port, write to the output buffer as the
 * keyboard or the mouse, write to the mouse, A20, pulse output bits),
 * the output buffer shared by the controller, the keyboard and the
 * mouse (controller replies first), IRQ 1/12 per the mode byte, and a
 * reset request when output port bit 0 is pulsed low (0xfe, 0xf0-0xff
 * with bit 0 clear, or 0xd1 with bit 0 clear).  The keyboard and the
 * mouse answer commands (hw/input/ps2.c) but have no input.
 * Not modelled: the keyboard throttle ("kbd-throttle"), the pre-2.x
 * state layout ("extended-state"), keylock, the MMIO variant.
 *
 * Everything runs with the big lock held: port accesses in a vCPU
 * thread, reset from the main thread.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/qdev-properties.h"
#include "hw/isa/isa.h"
#include "hw/input/ps2.h"
#include "hw/input/i8042.h"
#include "system/runstate.h"

OBJECT_DECLARE_SIMPLE_TYPE(I8042State, I8042)

/* Controller commands (port 0x64) */
#define KBD_CCMD_READ_MODE      0x20
#define KBD_CCMD_WRITE_MODE     0x60
#define KBD_CCMD_MOUSE_DISABLE  0xa7
#define KBD_CCMD_MOUSE_ENABLE   0xa8
#define KBD_CCMD_TEST_MOUSE     0xa9
#define KBD_CCMD_SELF_TEST      0xaa
#define KBD_CCMD_KBD_TEST       0xab
#define KBD_CCMD_KBD_DISABLE    0xad
#define KBD_CCMD_KBD_ENABLE     0xae
#define KBD_CCMD_READ_INPORT    0xc0
#define KBD_CCMD_READ_OUTPORT   0xd0
#define KBD_CCMD_WRITE_OUTPORT  0xd1
#define KBD_CCMD_WRITE_OBUF     0xd2
#define KBD_CCMD_WRITE_AUX_OBUF 0xd3
#define KBD_CCMD_WRITE_MOUSE    0xd4
#define KBD_CCMD_DISABLE_A20    0xdd
#define KBD_CCMD_ENABLE_A20     0xdf
#define KBD_CCMD_PULSE_BITS_3_0 0xf0    /* 0xf0-0xff: pulse bits 3-0 */
#define KBD_CCMD_RESET          0xfe    /* pulse bit 0: CPU reset */
#define KBD_CCMD_NO_OP          0xff

/* Status register (port 0x64 read) */
#define KBD_STAT_OBF            0x01    /* output buffer full */
#define KBD_STAT_SELFTEST       0x04    /* system flag: self test passed */
#define KBD_STAT_CMD            0x08    /* last write was a command */
#define KBD_STAT_UNLOCKED       0x10    /* keyboard not inhibited */
#define KBD_STAT_MOUSE_OBF      0x20    /* the byte is from the mouse */

/* Command byte ("mode") */
#define KBD_MODE_KBD_INT        0x01    /* keyboard data raises IRQ 1 */
#define KBD_MODE_MOUSE_INT      0x02    /* mouse data raises IRQ 12 */
#define KBD_MODE_DISABLE_KBD    0x10
#define KBD_MODE_DISABLE_MOUSE  0x20
#define KBD_MODE_KCC            0x40    /* translate to scan code set 1 */

/* Output port */
#define KBD_OUT_RESET           0x01    /* 0 resets the CPU */
#define KBD_OUT_A20             0x02
#define KBD_OUT_OBF             0x10
#define KBD_OUT_MOUSE_OBF       0x20
#define KBD_OUT_ONES            0xcc    /* QEMU's default for the rest */

/* Who has a byte for the output buffer (QEMU's "pending" bits; the
 * device bits equal the mode's disable bits, which mask them). */
#define KBD_PENDING_CTRL_KBD    0x04
#define KBD_PENDING_CTRL_AUX    0x08
#define KBD_PENDING_KBD         KBD_MODE_DISABLE_KBD
#define KBD_PENDING_AUX         KBD_MODE_DISABLE_MOUSE

/* Where the byte in the output buffer came from */
typedef enum I8042Source {
    I8042_SRC_KBD,
    I8042_SRC_MOUSE,
    I8042_SRC_CTRL,
} I8042Source;

enum { I8042_KBD_IRQ, I8042_MOUSE_IRQ };

struct I8042State {
    ISADevice parent_obj;

    uint8_t write_cmd;          /* command awaiting its data byte, or 0 */
    uint8_t status;             /* status register */
    uint8_t mode;               /* command byte */
    uint8_t outport;            /* output port */
    uint8_t pending;            /* KBD_PENDING_* */
    uint8_t obdata;             /* the byte in the output buffer */
    uint8_t cbdata;             /* the controller's own reply */
    I8042Source obsrc;
    PS2Port kbd, mouse;

    uint8_t kbd_irq;            /* "kbd-irq": ISA IRQ, default 1 */
    uint8_t mouse_irq;          /* "mouse-irq": ISA IRQ, default 12 */
    qemu_irq irqs[2];           /* unnamed GPIO outputs */
    qemu_irq a20_out;           /* GPIO output "a20" */
    MemoryRegion io[2];         /* 0x60 data, 0x64 command/status */
};

/* --- the output buffer and the interrupt lines ------------------------- */

static void i8042_update_irq_lines(I8042State *s)
{
    int kbd = 0, mouse = 0;

    if (s->status & KBD_STAT_OBF) {
        if (s->status & KBD_STAT_MOUSE_OBF) {
            mouse = (s->mode & KBD_MODE_MOUSE_INT) != 0;
        } else {
            /* QEMU: no IRQ while the keyboard interface is disabled */
            kbd = (s->mode & KBD_MODE_KBD_INT) &&
                  !(s->mode & KBD_MODE_DISABLE_KBD);
        }
    }
    qemu_set_irq(s->irqs[I8042_KBD_IRQ], kbd);
    qemu_set_irq(s->irqs[I8042_MOUSE_IRQ], mouse);
}

static void i8042_deassert_irq(I8042State *s)
{
    s->status &= ~(KBD_STAT_OBF | KBD_STAT_MOUSE_OBF);
    s->outport &= ~(KBD_OUT_OBF | KBD_OUT_MOUSE_OBF);
    i8042_update_irq_lines(s);
}

/* Sources with a byte, minus the devices whose interface is disabled. */
static uint8_t i8042_pending(I8042State *s)
{
    return s->pending & (~s->mode | ~(KBD_PENDING_KBD | KBD_PENDING_AUX));
}

/* Fill the output buffer from the highest-priority source. */
static void i8042_update_irq(I8042State *s)
{
    uint8_t pending = i8042_pending(s);

    s->status &= ~(KBD_STAT_OBF | KBD_STAT_MOUSE_OBF);
    s->outport &= ~(KBD_OUT_OBF | KBD_OUT_MOUSE_OBF);
    if (pending) {
        s->status |= KBD_STAT_OBF;
        s->outport |= KBD_OUT_OBF;
        if (pending & KBD_PENDING_CTRL_KBD) {
            s->obsrc = I8042_SRC_CTRL;
        } else if (pending & KBD_PENDING_CTRL_AUX) {
            s->status |= KBD_STAT_MOUSE_OBF;
            s->outport |= KBD_OUT_MOUSE_OBF;
            s->obsrc = I8042_SRC_CTRL;
        } else if (pending & KBD_PENDING_KBD) {
            s->obsrc = I8042_SRC_KBD;
        } else {
            s->status |= KBD_STAT_MOUSE_OBF;
            s->outport |= KBD_OUT_MOUSE_OBF;
            s->obsrc = I8042_SRC_MOUSE;
        }
    }
    i8042_update_irq_lines(s);
}

/* Load the output buffer unless a byte is already there (the guest's
 * read of port 0x60 loads the next one). */
static void i8042_safe_update_irq(I8042State *s)
{
    if (!(s->status & KBD_STAT_OBF) && i8042_pending(s)) {
        i8042_update_irq(s);
    }
}

static void i8042_update_pending(I8042State *s, uint8_t bit, int level)
{
    if (level) {
        s->pending |= bit;
    } else {
        s->pending &= ~bit;
    }
    i8042_safe_update_irq(s);
}

static void i8042_kbd_irq(void *opaque, int level)
{
    i8042_update_pending(opaque, KBD_PENDING_KBD, level);
}

static void i8042_mouse_irq(void *opaque, int level)
{
    i8042_update_pending(opaque, KBD_PENDING_AUX, level);
}

/* A reply from the controller itself, as from the keyboard or mouse. */
static void i8042_queue(I8042State *s, uint8_t b, bool aux)
{
    s->cbdata = b;
    s->pending &= ~(KBD_PENDING_CTRL_KBD | KBD_PENDING_CTRL_AUX);
    s->pending |= aux ? KBD_PENDING_CTRL_AUX : KBD_PENDING_CTRL_KBD;
    i8042_safe_update_irq(s);
}

static uint8_t i8042_dequeue(I8042State *s)
{
    s->pending &= ~(KBD_PENDING_CTRL_KBD | KBD_PENDING_CTRL_AUX);
    if (i8042_pending(s)) {
        i8042_update_irq(s);
    }
    return s->cbdata;
}

/* --- the output port --------------------------------------------------- */

static void i8042_outport_write(I8042State *s, uint8_t val)
{
    s->outport = val;
    qemu_set_irq(s->a20_out, (val >> 1) & 1);
    if (!(val & KBD_OUT_RESET)) {
        qomu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

/* --- port 0x64: status and commands ------------------------------------ */

static uint64_t i8042_read_status(void *opaque, hwaddr addr, unsigned size)
{
    I8042State *s = opaque;

    return s->status;
}

static void i8042_write_command(void *opaque, hwaddr addr, uint64_t val64,
                                unsigned size)
{
    I8042State *s = opaque;
    uint8_t val = val64;

    /* 0xf0-0xff pulse output port bits 3-0 where the command has a 0;
     * only bit 0 (CPU reset) does anything. */
    if ((val & KBD_CCMD_PULSE_BITS_3_0) == KBD_CCMD_PULSE_BITS_3_0) {
        val = (val & 1) ? KBD_CCMD_NO_OP : KBD_CCMD_RESET;
    }
    switch (val) {
    case KBD_CCMD_READ_MODE:
        i8042_queue(s, s->mode, false);
        break;
    case KBD_CCMD_WRITE_MODE:
    case KBD_CCMD_WRITE_OBUF:
    case KBD_CCMD_WRITE_AUX_OBUF:
    case KBD_CCMD_WRITE_MOUSE:
    case KBD_CCMD_WRITE_OUTPORT:
        s->write_cmd = val;
        break;
    case KBD_CCMD_MOUSE_DISABLE:
        s->mode |= KBD_MODE_DISABLE_MOUSE;
        break;
    case KBD_CCMD_MOUSE_ENABLE:
        s->mode &= ~KBD_MODE_DISABLE_MOUSE;
        i8042_safe_update_irq(s);
        break;
    case KBD_CCMD_TEST_MOUSE:
    case KBD_CCMD_KBD_TEST:
        i8042_queue(s, 0x00, false);    /* interface OK */
        break;
    case KBD_CCMD_SELF_TEST:
        s->status |= KBD_STAT_SELFTEST;
        i8042_queue(s, 0x55, false);    /* controller OK */
        break;
    case KBD_CCMD_KBD_DISABLE:
        s->mode |= KBD_MODE_DISABLE_KBD;
        break;
    case KBD_CCMD_KBD_ENABLE:
        s->mode &= ~KBD_MODE_DISABLE_KBD;
        i8042_safe_update_irq(s);
        break;
    case KBD_CCMD_READ_INPORT:
        i8042_queue(s, 0x80, false);    /* keyboard not inhibited */
        break;
    case KBD_CCMD_READ_OUTPORT:
        i8042_queue(s, s->outport, false);
        break;
    case KBD_CCMD_ENABLE_A20:
        qemu_irq_raise(s->a20_out);
        s->outport |= KBD_OUT_A20;
        break;
    case KBD_CCMD_DISABLE_A20:
        qemu_irq_lower(s->a20_out);
        s->outport &= ~KBD_OUT_A20;
        break;
    case KBD_CCMD_RESET:
        qomu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    case KBD_CCMD_NO_OP:
        break;
    default:
        qomu_log_mask(LOG_GUEST_ERROR, "unsupported keyboard cmd=0x%02x\n",
                      val);
        break;
    }
}

/* --- port 0x60: data --------------------------------------------------- */

static uint64_t i8042_read_data(void *opaque, hwaddr addr, unsigned size)
{
    I8042State *s = opaque;

    if (s->status & KBD_STAT_OBF) {
        i8042_deassert_irq(s);
        switch (s->obsrc) {
        case I8042_SRC_KBD:
            s->obdata = ps2_read_data(&s->kbd);
            break;
        case I8042_SRC_MOUSE:
            s->obdata = ps2_read_data(&s->mouse);
            break;
        case I8042_SRC_CTRL:
            s->obdata = i8042_dequeue(s);
            break;
        }
    }
    /* An empty buffer reads as the last byte again (QEMU). */
    return s->obdata;
}

static void i8042_write_data(void *opaque, hwaddr addr, uint64_t val64,
                             unsigned size)
{
    I8042State *s = opaque;
    uint8_t val = val64;

    switch (s->write_cmd) {
    case 0:
        ps2_write_keyboard(&s->kbd, val);
        /* sending to the keyboard re-enables its interface */
        s->mode &= ~KBD_MODE_DISABLE_KBD;
        i8042_safe_update_irq(s);
        break;
    case KBD_CCMD_WRITE_MODE:
        s->mode = val;
        ps2_keyboard_set_translation(&s->kbd, val & KBD_MODE_KCC);
        /* the interrupt enables act at once; enabling an interface may
         * deliver a byte it was holding */
        i8042_update_irq_lines(s);
        i8042_safe_update_irq(s);
        break;
    case KBD_CCMD_WRITE_OBUF:
        i8042_queue(s, val, false);
        break;
    case KBD_CCMD_WRITE_AUX_OBUF:
        i8042_queue(s, val, true);
        break;
    case KBD_CCMD_WRITE_OUTPORT:
        i8042_outport_write(s, val);
        break;
    case KBD_CCMD_WRITE_MOUSE:
        ps2_write_mouse(&s->mouse, val);
        s->mode &= ~KBD_MODE_DISABLE_MOUSE;
        i8042_safe_update_irq(s);
        break;
    }
    s->write_cmd = 0;
}

static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_read_data,
    .write = i8042_write_data,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_read_status,
    .write = i8042_write_command,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

/* --- the device -------------------------------------------------------- */

static void i8042_reset(DeviceState *dev)
{
    I8042State *s = I8042(dev);

    s->mode = KBD_MODE_KBD_INT | KBD_MODE_MOUSE_INT;
    s->status = KBD_STAT_CMD | KBD_STAT_UNLOCKED;
    s->outport = KBD_OUT_RESET | KBD_OUT_A20 | KBD_OUT_ONES;
    s->write_cmd = 0;
    s->pending = 0;
    ps2_keyboard_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    i8042_deassert_irq(s);
}

static void i8042_init(Object *obj)
{
    I8042State *s = I8042(obj);

    memory_region_init_io(&s->io[0], obj, &i8042_data_ops, s, "i8042-data",
                          1);
    memory_region_init_io(&s->io[1], obj, &i8042_cmd_ops, s, "i8042-cmd", 1);
    qdev_init_gpio_out_named(DEVICE(obj), &s->a20_out, I8042_A20_LINE, 1);
    qdev_init_gpio_out(DEVICE(obj), s->irqs, 2);
    ps2_init(&s->kbd, i8042_kbd_irq, s);
    ps2_init(&s->mouse, i8042_mouse_irq, s);
}

static bool i8042_realize(DeviceState *dev, Error **errp)
{
    ISADevice *isadev = ISA_DEVICE(dev);
    I8042State *s = I8042(dev);

    if (s->kbd_irq >= ISA_NUM_IRQS) {
        error_setg(errp, "Maximum value for \"kbd-irq\" is: %u",
                   ISA_NUM_IRQS - 1);
        return false;
    }
    if (s->mouse_irq >= ISA_NUM_IRQS) {
        error_setg(errp, "Maximum value for \"mouse-irq\" is: %u",
                   ISA_NUM_IRQS - 1);
        return false;
    }
    isa_connect_gpio_out(isadev, I8042_KBD_IRQ, s->kbd_irq);
    isa_connect_gpio_out(isadev, I8042_MOUSE_IRQ, s->mouse_irq);
    isa_register_ioport(isadev, &s->io[0], 0x60);
    isa_register_ioport(isadev, &s->io[1], 0x64);
    i8042_reset(dev);
    return true;
}

static Property i8042_properties[] = {
    DEFINE_PROP_UINT8("kbd-irq", I8042State, kbd_irq, 1),
    DEFINE_PROP_UINT8("mouse-irq", I8042State, mouse_irq, 12),
    DEFINE_PROP_END_OF_LIST(),
};

static void i8042_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = i8042_realize;
    dc->reset = i8042_reset;
    device_class_set_props(dc, i8042_properties);
    device_class_set_category(dc, DEVICE_CATEGORY_INPUT);
}

static const TypeInfo i8042_info = {
    .name = TYPE_I8042,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(I8042State),
    .instance_init = i8042_init,
    .class_init = i8042_class_init,
};

static void i8042_register_types(void)
{
    type_register_static(&i8042_info);
}

type_init(i8042_register_types)
