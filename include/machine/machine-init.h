/*
 * machine-init.h - building the machine the command line describes, and
 * tearing it down (QEMU 7.2's qemu_init() after the option loop:
 * qemu_create_machine, qemu_apply_machine_options, configure_accelerators,
 * qemu_init_board, qemu_create_cli_devices, qemu_machine_creation_done;
 * and qemu_cleanup()).
 *
 * main() is then:
 *     qomu_options_parse -> qomu_options_finish -> qomu_machine_init
 *     -> vm_start (unless -S) -> qomu_main_loop -> qomu_machine_teardown
 *
 * Threads: main thread, big lock held.
 */
#ifndef MACHINE_MACHINE_INIT_H
#define MACHINE_MACHINE_INIT_H

#include "system/options.h"
#include "chardev/char.h"

/**
 * qomu_machine_init: build everything @o asks for, in QEMU's order:
 * help options that need the device/CPU types (-device help, -device
 * DRIVER,help, -cpu help); the machine (-machine/-M type, "unsupported
 * machine type"); chardevs; the machine's properties (-machine keys,
 * -smp, -m, -kernel/-initrd/-append); the accelerator (-accel,
 * -machine accel=, -enable-kvm); -debugcon; the CPU type (-cpu); the
 * board; -device; then the machine is ready (PHASE_MACHINE_READY) and
 * reset once.  vCPUs exist but are paused.
 * Every error is reported (error_report, with the option's location
 * where QEMU gives one).
 * Returns -1 when the machine is ready, else the status to exit with (0
 * after printing help, 1 after an error); the caller then still calls
 * qomu_machine_teardown() to free what was built.
 */
int qomu_machine_init(QomuOptions *o);

/**
 * qomu_machine_teardown: stop the vCPUs (vm_shutdown), join their
 * threads, drop the accelerator (which unregisters its memory listener),
 * then destroy the machine and everything below /machine.  Safe to call
 * after a partial qomu_machine_init, and when nothing was built.
 */
void qomu_machine_teardown(void);

/*
 * serial_hd: the chardev -serial gave serial port @i (QEMU's
 * serial_hd()), borrowed; NULL if none ("-serial none" keeps the
 * index, as in QEMU).  Filled by qomu_machine_init() before the board
 * is built, so that boards create one serial device per port.
 * serial_hds_add() appends a port (NULL for none) and returns its
 * index; serial_hds_clear() forgets them (teardown, tests).
 */
Chardev *serial_hd(int i);
int serial_hds_add(Chardev *chr);
void serial_hds_clear(void);

#endif /* MACHINE_MACHINE_INIT_H */
