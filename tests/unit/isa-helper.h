/*
 * isa-helper.h - what the sysbus, ISA bus and ISA device tests share: a
 * machine's worth of address spaces ("memory" and "I/O", registered as
 * the system ones, QEMU's memory_map_init), optionally the ISA bus on its
 * stand-in bridge, and port/memory accessors.  main() must create the
 * process-lifetime objects first: isa_helper_main_init().
 */
#ifndef TESTS_UNIT_ISA_HELPER_H
#define TESTS_UNIT_ISA_HELPER_H

#include "util/osdep.h"
#include "hw/isa/isa.h"

typedef struct IsaFixture {
    MemoryRegion sysmem, sysio;
    AddressSpace as_mem, as_io;
    ISABus *bus;                /* NULL unless asked for */
} IsaFixture;

static IsaFixture isa_fx;

/* Objects that live as long as the process: /machine/unattached and the
 * main system bus (created before harness_run, so not counted as leaks). */
static inline void isa_helper_main_init(void)
{
    container_get(object_get_root(), "/machine/unattached");
    sysbus_get_default();
}

static inline void isa_fixture_begin(bool with_isa_bus)
{
    memset(&isa_fx, 0, sizeof(isa_fx));
    memory_map_init(&isa_fx.sysmem, &isa_fx.sysio, &isa_fx.as_mem,
                    &isa_fx.as_io);
    if (with_isa_bus) {
        isa_fx.bus = isa_bus_create_default(&error_abort);
    }
}

/* Destroy the ISA bus's bridge (and so every ISA device), then the
 * address spaces. */
static inline void isa_fixture_end(void)
{
    if (isa_fx.bus) {
        object_unparent(OBJECT(BUS(isa_fx.bus)->parent));
        g_assert(isa_bus_get() == NULL);
        isa_fx.bus = NULL;
    }
    memory_map_cleanup(&isa_fx.sysmem, &isa_fx.sysio, &isa_fx.as_mem,
                       &isa_fx.as_io);
}

/* A port access of @size bytes, as a vCPU's IN/OUT would do. */
static inline void port_write(uint16_t port, uint32_t val, unsigned size)
{
    address_space_write(address_space_io_get(), port, &val, size);
}

static inline uint32_t port_read(uint16_t port, unsigned size)
{
    uint32_t val = 0;

    address_space_read(address_space_io_get(), port, &val, size);
    return val;
}

/* Realize ISA device @dev on the fixture's bus; the error text or NULL. */
static inline char *isa_realize(DeviceState *dev)
{
    Error *err = NULL;
    char *msg = NULL;

    if (!qdev_realize_and_unref(dev, BUS(isa_fx.bus), &err)) {
        msg = g_strdup(error_get_pretty(err));
        error_free(err);
    }
    return msg;
}

#endif /* TESTS_UNIT_ISA_HELPER_H */
