/*
 * ps2.c - the PS/2 keyboard and mouse command protocol (QEMU 7.2's
 * hw/input/ps2.c, ps2_write_keyboard/ps2_write_mouse; IBM "Keyboard and
 * Auxiliary Device Controller" technical reference).  See
 * include/hw/input/ps2.h for what is and is not modelled.
 *
 * Every command is answered as QEMU answers it, so a guest's probe
 * (Linux's atkbd and psmouse) finds an MF2 keyboard and a PS/2 mouse
 * (IntelliMouse after the sample-rate knock); unknown keyboard commands
 * get RESEND, unknown mouse commands nothing, as in QEMU.
 */
#include "util/osdep.h"
#include "hw/input/ps2.h"

/* Keyboard commands and replies */
#define KBD_CMD_SET_LEDS        0xed
#define KBD_CMD_ECHO            0xee
#define KBD_CMD_SCANCODE        0xf0
#define KBD_CMD_GET_ID          0xf2
#define KBD_CMD_SET_RATE        0xf3
#define KBD_CMD_ENABLE          0xf4
#define KBD_CMD_RESET_DISABLE   0xf5
#define KBD_CMD_RESET_ENABLE    0xf6
#define KBD_CMD_SET_TYPEMATIC   0xfa
#define KBD_CMD_SET_MAKE_BREAK  0xfc
#define KBD_CMD_RESET           0xff
#define KBD_REPLY_POR           0xaa
#define KBD_REPLY_ID            0xab
#define KBD_REPLY_ACK           0xfa
#define KBD_REPLY_RESEND        0xfe

/* Mouse commands */
#define AUX_SET_SCALE11         0xe6
#define AUX_SET_SCALE21         0xe7
#define AUX_SET_RES             0xe8
#define AUX_GET_SCALE           0xe9    /* status request */
#define AUX_SET_STREAM          0xea
#define AUX_POLL                0xeb
#define AUX_RESET_WRAP          0xec
#define AUX_SET_WRAP            0xee
#define AUX_SET_REMOTE          0xf0
#define AUX_GET_TYPE            0xf2
#define AUX_SET_SAMPLE          0xf3
#define AUX_ENABLE_DEV          0xf4
#define AUX_DISABLE_DEV         0xf5
#define AUX_SET_DEFAULT         0xf6
#define AUX_RESET               0xff
#define AUX_ACK                 0xfa

#define MOUSE_STATUS_REMOTE     0x40
#define MOUSE_STATUS_ENABLED    0x20
#define MOUSE_STATUS_SCALE21    0x10

/* --- the queue -------------------------------------------------------- */

static void ps2_queue_reset(PS2Port *p)
{
    p->rptr = 0;
    p->count = 0;
}

/* Queue up to 4 reply bytes at once (all or nothing, as QEMU's
 * ps2_queue_N, which drops a reply that does not fit). */
static void ps2_queue(PS2Port *p, int n, const uint8_t *b)
{
    if (p->count + n > PS2_QUEUE_SIZE) {
        return;
    }
    for (int i = 0; i < n; i++) {
        p->data[(p->rptr + p->count) % PS2_QUEUE_SIZE] = b[i];
        p->count++;
    }
    p->update_irq(p->opaque, 1);
}

#define PS2_QUEUE(p, ...) \
    ps2_queue((p), sizeof((uint8_t[]){ __VA_ARGS__ }), \
              (const uint8_t[]){ __VA_ARGS__ })

uint8_t ps2_read_data(PS2Port *p)
{
    if (p->count == 0) {
        /* QEMU: "if no data left, we return the last keyboard one
         * (needed for EMM386)" */
        return p->last;
    }
    p->last = p->data[p->rptr];
    p->rptr = (p->rptr + 1) % PS2_QUEUE_SIZE;
    p->count--;
    /* Reading lowers the line; it rises again if bytes are left. */
    p->update_irq(p->opaque, 0);
    if (p->count) {
        p->update_irq(p->opaque, 1);
    }
    return p->last;
}

void ps2_init(PS2Port *p, PS2UpdateIrq *update_irq, void *opaque)
{
    memset(p, 0, sizeof(*p));
    p->update_irq = update_irq;
    p->opaque = opaque;
    p->write_cmd = -1;
}

/* --- keyboard --------------------------------------------------------- */

/* What the keyboard does on RESET commands (QEMU's ps2_reset_keyboard). */
static void ps2_reset_keyboard(PS2Port *p)
{
    p->scan_enabled = true;
    p->scancode_set = 2;
    p->ledstate = 0;
}

void ps2_keyboard_reset(PS2Port *p)
{
    p->write_cmd = -1;
    ps2_queue_reset(p);
    p->update_irq(p->opaque, 0);
    p->translate = false;
    ps2_reset_keyboard(p);
}

void ps2_keyboard_set_translation(PS2Port *p, bool translate)
{
    p->translate = translate;
}

static void ps2_keyboard_command(PS2Port *p, uint8_t val)
{
    switch (val) {
    case 0x00:
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    case 0x05:
        PS2_QUEUE(p, KBD_REPLY_RESEND);
        break;
    case KBD_CMD_GET_ID:
        /* an MF2 AT keyboard */
        PS2_QUEUE(p, KBD_REPLY_ACK, KBD_REPLY_ID,
                  p->translate ? 0x41 : 0x83);
        break;
    case KBD_CMD_ECHO:
        PS2_QUEUE(p, KBD_CMD_ECHO);
        break;
    case KBD_CMD_ENABLE:
        p->scan_enabled = true;
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    case KBD_CMD_SCANCODE:
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_SET_RATE:
    case KBD_CMD_SET_MAKE_BREAK:
        p->write_cmd = val;
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    case KBD_CMD_RESET_DISABLE:
        ps2_reset_keyboard(p);
        p->scan_enabled = false;
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    case KBD_CMD_RESET_ENABLE:
        ps2_reset_keyboard(p);
        p->scan_enabled = true;
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    case KBD_CMD_RESET:
        ps2_reset_keyboard(p);
        PS2_QUEUE(p, KBD_REPLY_ACK, KBD_REPLY_POR);
        break;
    case KBD_CMD_SET_TYPEMATIC:
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    default:
        PS2_QUEUE(p, KBD_REPLY_RESEND);
        break;
    }
}

void ps2_write_keyboard(PS2Port *p, uint8_t val)
{
    /* Scan code set as reported through the i8042's translation. */
    static const uint8_t translate_table[4] = { 0, 0x43, 0x41, 0x3f };
    int cmd = p->write_cmd;

    p->write_cmd = -1;
    switch (cmd) {
    case KBD_CMD_SET_MAKE_BREAK:
    case KBD_CMD_SET_RATE:
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    case KBD_CMD_SCANCODE:
        if (val == 0) {
            PS2_QUEUE(p, KBD_REPLY_ACK, p->translate ?
                      translate_table[p->scancode_set] : p->scancode_set);
        } else if (val >= 1 && val <= 3) {
            p->scancode_set = val;
            PS2_QUEUE(p, KBD_REPLY_ACK);
        } else {
            PS2_QUEUE(p, KBD_REPLY_RESEND);
        }
        break;
    case KBD_CMD_SET_LEDS:
        p->ledstate = val;
        PS2_QUEUE(p, KBD_REPLY_ACK);
        break;
    default:
        ps2_keyboard_command(p, val);
        break;
    }
}

/* --- mouse ------------------------------------------------------------ */

void ps2_mouse_reset(PS2Port *p)
{
    p->write_cmd = -1;
    ps2_queue_reset(p);
    p->update_irq(p->opaque, 0);
    p->mouse_status = 0;
    p->mouse_resolution = 0;
    p->mouse_sample_rate = 0;
    p->mouse_wrap = false;
    p->mouse_type = 0;
    p->mouse_detect_state = 0;
}

/* A movement packet with no movement and no buttons (AUX_POLL): byte 0
 * always has bit 3 set; IntelliMice add a wheel byte. */
static void ps2_mouse_send_packet(PS2Port *p)
{
    if (p->mouse_type == 3 || p->mouse_type == 4) {
        PS2_QUEUE(p, 0x08, 0, 0, 0);
    } else {
        PS2_QUEUE(p, 0x08, 0, 0);
    }
}

/* Sample rates 200,100,80 make an IntelliMouse (type 3), 200,200,80 an
 * IntelliMouse Explorer (type 4): how drivers detect the wheel. */
static void ps2_mouse_detect(PS2Port *p, uint8_t rate)
{
    switch (p->mouse_detect_state) {
    case 0:
        if (rate == 200) {
            p->mouse_detect_state = 1;
        }
        break;
    case 1:
        p->mouse_detect_state = rate == 100 ? 2 : rate == 200 ? 3 : 0;
        break;
    case 2:
    case 3:
        if (rate == 80) {
            p->mouse_type = p->mouse_detect_state == 2 ? 3 : 4;
        }
        p->mouse_detect_state = 0;
        break;
    }
}

static void ps2_mouse_command(PS2Port *p, uint8_t val)
{
    switch (val) {
    case AUX_SET_SCALE11:
        p->mouse_status &= ~MOUSE_STATUS_SCALE21;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_SET_SCALE21:
        p->mouse_status |= MOUSE_STATUS_SCALE21;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_SET_STREAM:
        p->mouse_status &= ~MOUSE_STATUS_REMOTE;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_SET_WRAP:
        p->mouse_wrap = true;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_SET_REMOTE:
        p->mouse_status |= MOUSE_STATUS_REMOTE;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_GET_TYPE:
        PS2_QUEUE(p, AUX_ACK, p->mouse_type);
        break;
    case AUX_SET_RES:
    case AUX_SET_SAMPLE:
        p->write_cmd = val;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_GET_SCALE:
        PS2_QUEUE(p, AUX_ACK, p->mouse_status, p->mouse_resolution,
                  p->mouse_sample_rate);
        break;
    case AUX_POLL:
        PS2_QUEUE(p, AUX_ACK);
        ps2_mouse_send_packet(p);
        break;
    case AUX_ENABLE_DEV:
        p->mouse_status |= MOUSE_STATUS_ENABLED;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_DISABLE_DEV:
        p->mouse_status &= ~MOUSE_STATUS_ENABLED;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_SET_DEFAULT:
        p->mouse_sample_rate = 100;
        p->mouse_resolution = 2;
        p->mouse_status = 0;
        PS2_QUEUE(p, AUX_ACK);
        break;
    case AUX_RESET:
        p->mouse_sample_rate = 100;
        p->mouse_resolution = 2;
        p->mouse_status = 0;
        p->mouse_type = 0;
        ps2_queue_reset(p);
        PS2_QUEUE(p, AUX_ACK, 0xaa, p->mouse_type);
        break;
    default:
        /* QEMU answers nothing: the driver times out. */
        break;
    }
}

void ps2_write_mouse(PS2Port *p, uint8_t val)
{
    int cmd = p->write_cmd;

    p->write_cmd = -1;
    switch (cmd) {
    case AUX_SET_SAMPLE:
        p->mouse_sample_rate = val;
        ps2_mouse_detect(p, val);
        PS2_QUEUE(p, AUX_ACK);
        return;
    case AUX_SET_RES:
        p->mouse_resolution = val;
        PS2_QUEUE(p, AUX_ACK);
        return;
    }
    /* Wrap (echo) mode: everything but RESET and RESET_WRAP comes back. */
    if (p->mouse_wrap) {
        if (val == AUX_RESET_WRAP) {
            p->mouse_wrap = false;
            PS2_QUEUE(p, AUX_ACK);
            return;
        }
        if (val != AUX_RESET) {
            PS2_QUEUE(p, val);
            return;
        }
    }
    ps2_mouse_command(p, val);
}
