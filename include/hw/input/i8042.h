/*
 * i8042.h - the PC's keyboard controller, "i8042" (QEMU 7.2's
 * include/hw/input/i8042.h, hw/input/pckbd.c).  See hw/input/i8042.c.
 *
 * Outputs (GPIOs), for the board to wire:
 *   unnamed 0, 1   the keyboard and mouse interrupts; realize connects
 *                  them to ISA IRQs "kbd-irq" (1) and "mouse-irq" (12)
 *   "a20"          the A20 gate (output port bit 1)
 * A guest that pulses output port bit 0 (command 0xfe, or 0xd1 with bit
 * 0 clear) asks for a system reset.
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#define TYPE_I8042 "i8042"
#define I8042_A20_LINE "a20"

#endif /* HW_INPUT_I8042_H */
