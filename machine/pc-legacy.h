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

#endif /* MACHINE_PC_LEGACY_H */
