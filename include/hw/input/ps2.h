/*
 * ps2.h - a PS/2 keyboard and mouse as the i8042 sees them: the command
 * protocol and the reply queue, without input (QEMU 7.2's hw/input/ps2.c,
 * the command half).
 *
 * A PS2Port is embedded in the controller (hw/input/i8042.c), one for
 * the keyboard, one for the mouse.  The controller writes the bytes the
 * guest sends to the device with ps2_write_keyboard()/ps2_write_mouse()
 * and takes the replies with ps2_read_data(); @update_irq tells it when
 * the device has bytes for it (level 1) or no longer has (level 0),
 * QEMU's ps2 "irq" into the i8042.
 *
 * Deviation from QEMU: these are plain structs, not the QOM devices
 * "ps2-kbd"/"ps2-mouse" (they have no properties, and nothing but the
 * i8042 talks to them); there is no input from a host keyboard or mouse,
 * so the devices only ever answer commands.
 *
 * Threads: as the controller's (big lock).
 */
#ifndef HW_INPUT_PS2_H
#define HW_INPUT_PS2_H

#include "util/osdep.h"

/* Replies queued at most (QEMU's queue holds 256; replies are <= 4). */
#define PS2_QUEUE_SIZE 16

typedef void PS2UpdateIrq(void *opaque, int level);

typedef struct PS2Port {
    /* the reply queue */
    uint8_t data[PS2_QUEUE_SIZE];
    uint8_t rptr;               /* oldest byte */
    uint8_t count;              /* bytes queued, 0..PS2_QUEUE_SIZE */
    uint8_t last;               /* last byte read (returned when empty) */
    int write_cmd;              /* command awaiting its argument, or -1 */
    PS2UpdateIrq *update_irq;
    void *opaque;

    /* keyboard */
    bool scan_enabled;
    bool translate;             /* i8042 mode bit 6: set 2 -> set 1 */
    uint8_t scancode_set;       /* 1..3, default 2 */
    uint8_t ledstate;

    /* mouse */
    uint8_t mouse_status;       /* bits: remote, enabled, scaling 2:1 */
    uint8_t mouse_resolution;   /* counts/mm code, 0..3 */
    uint8_t mouse_sample_rate;  /* reports per second */
    uint8_t mouse_type;         /* 0 PS/2, 3 IntelliMouse, 4 Explorer */
    uint8_t mouse_detect_state; /* progress of the 200,100/200,80 knock */
    bool mouse_wrap;
} PS2Port;

/* Set up @p (reset state) reporting through @update_irq(@opaque, lvl). */
void ps2_init(PS2Port *p, PS2UpdateIrq *update_irq, void *opaque);

/* Device reset: QEMU's ps2_kbd_reset / ps2_mouse_reset. */
void ps2_keyboard_reset(PS2Port *p);
void ps2_mouse_reset(PS2Port *p);

/* A byte from the host (the guest, through the controller). */
void ps2_write_keyboard(PS2Port *p, uint8_t val);
void ps2_write_mouse(PS2Port *p, uint8_t val);

/* The next reply byte; with none queued, the last one again (QEMU). */
uint8_t ps2_read_data(PS2Port *p);

/* i8042 mode bit 6 (KCC): translate scan codes to set 1. */
void ps2_keyboard_set_translation(PS2Port *p, bool translate);

#endif /* HW_INPUT_PS2_H */
