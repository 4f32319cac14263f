/*
 * pc-legacy.h - the PC's legacy ISA devices and CMOS contents, for
 * machine/pc.c (private to machine/).  See pc-legacy.c.
 */
#ifndef MACHINE_PC_LEGACY_H
#define MACHINE_PC_LEGACY_H

#include "hw/isa/isa.h"

/* What the board keeps for them: embed in the machine state, zeroed. */
typedef struct PCLegacyState {
    MemoryRegion ioport80;      /* POST code port: writes ignored */
    MemoryRegion ioportf0;      /* FPU error reset (TCG only in QEMU) */
    DeviceState *rtc;           /* the RTC (the bus owns it), or NULL */
} PCLegacyState;

/* The amounts of RAM the CMOS reports. */
typedef struct PCLegacyConfig {
    uint64_t below_4g_mem_size; /* bytes */
    uint64_t above_4g_mem_size; /* bytes */
    unsigned boot_cpus;         /* -smp cpus */
} PCLegacyConfig;

/**
 * pc_legacy_init: what QEMU's pc_basic_device_init() and
 * pc_superio_init() put on the ISA bus @bus, in their order: ports 0x80
 * and 0xf0, the RTC ("mc146818rtc", base_year 2000) with the CMOS bytes
 * of pc_cmos_init(), one "isa-serial" per -serial chardev (serial_hd,
 * ports 0-3), the "i8042" and "port92".  A device whose type this build
 * lacks (Kconfig) is left out.  Returns false with @errp set if one
 * cannot be created (e.g. a -serial chardev another device uses).
 * Main thread, at board init.
 */
bool pc_legacy_init(PCLegacyState *pls, ISABus *bus,
                    const PCLegacyConfig *cfg, Error **errp);

/**
 * pc_cmos_init_ide: the IDE bytes of the CMOS (QEMU's pc_cmos_init_late,
 * a machine-done hook there, so that -device ide-hd counts): 0x12 the
 * disk types of ide.0's master (high nibble) and slave (low nibble), 0xf
 * each for a disk; 0x19/0x1a type 47 and 0x1b-0x23/0x24-0x2c their
 * geometry; 0x39 the BIOS translation of the four drives (2 bits each,
 * LBA/LARGE/RECHS - 1).  CD-ROMs and empty units count as absent.
 * @idebus0/@idebus1 may be NULL.  Does nothing without an RTC.
 */
void pc_cmos_init_ide(PCLegacyState *pls, BusState *idebus0,
                      BusState *idebus1);

#endif /* MACHINE_PC_LEGACY_H */
