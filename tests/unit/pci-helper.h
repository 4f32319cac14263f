/*
 * pci-helper.h - what the PCI unit tests share: a machine's address
 * spaces with 1 MiB of RAM at 0 (so DMA and PAM have something to hit),
 * config cycles through the 0xCF8/0xCFC ports, and the PC chipset built
 * as machine/pc.c builds it (i440FX, PIIX3, GSI lines that record their
 * levels).  main() must call pci_helper_main_init() first.
 */
#ifndef TESTS_UNIT_PCI_HELPER_H
#define TESTS_UNIT_PCI_HELPER_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/pci/pci-host.h"
#include "hw/pci-host/i440fx.h"
#include "hw/isa/piix3.h"

#define PCI_FX_RAM_SIZE (1u << 20)

typedef struct PciFixture {
    MemoryRegion sysmem, sysio, ram, pci_memory;
    AddressSpace as_mem, as_io;
    PCIBus *bus;                /* the i440FX's, when built */
    PIIX3State *piix3;
    int gsi_level[16];          /* what the PIIX3 drove each ISA IRQ to */
    int gsi_calls[16];
    qemu_irq *gsi;
} PciFixture;

static PciFixture pci_fx;

static inline void pci_helper_main_init(void)
{
    container_get(object_get_root(), "/machine/unattached");
    sysbus_get_default();
}

static void pci_fx_gsi(void *opaque, int n, int level)
{
    pci_fx.gsi_level[n] = level;
    pci_fx.gsi_calls[n]++;
}

/* Address spaces with RAM at 0. */
static inline void pci_fixture_begin(void)
{
    memset(&pci_fx, 0, sizeof(pci_fx));
    memory_map_init(&pci_fx.sysmem, &pci_fx.sysio, &pci_fx.as_mem,
                    &pci_fx.as_io);
    memory_region_init_ram(&pci_fx.ram, NULL, "test.ram", PCI_FX_RAM_SIZE,
                           &error_abort);
    memory_region_add_subregion(&pci_fx.sysmem, 0, &pci_fx.ram);
}

/* ... plus the PC chipset: i440FX (pci.N, 00.0) and PIIX3 (01.0). */
static inline void pci_fixture_begin_pc(void)
{
    PCIDevice *d;

    pci_fixture_begin();
    memory_region_init(&pci_fx.pci_memory, NULL, "pci", UINT64_MAX);
    pci_fx.bus = i440fx_init(&pci_fx.sysmem, &pci_fx.sysio,
                             PCI_FX_RAM_SIZE, PCI_FX_RAM_SIZE, 0,
                             &pci_fx.pci_memory, &pci_fx.ram, &error_abort);
    pci_fx.gsi = qemu_allocate_irqs(pci_fx_gsi, NULL, 16);
    d = pci_new_multifunction(-1, true, TYPE_PIIX3_DEVICE);
    PIIX3_PCI_DEVICE(d)->pic = pci_fx.gsi;
    pci_realize_and_unref(d, pci_fx.bus, &error_abort);
    pci_fx.piix3 = PIIX3_PCI_DEVICE(d);
    isa_bus_irqs(isa_bus_get(), pci_fx.gsi);
}

static inline void pci_fixture_end(void)
{
    Object *host = object_resolve_path("/machine/i440fx", NULL);

    if (host) {
        object_unparent(host);
    }
    qemu_free_irqs(pci_fx.gsi, 16);
    memory_region_del_subregion(&pci_fx.sysmem, &pci_fx.ram);
    object_unparent(OBJECT(&pci_fx.ram));
    if (pci_fx.bus) {
        object_unparent(OBJECT(&pci_fx.pci_memory));
    }
    memory_map_cleanup(&pci_fx.sysmem, &pci_fx.sysio, &pci_fx.as_mem,
                       &pci_fx.as_io);
}

/* Port and memory accesses as a vCPU makes them. */
static inline void port_out(uint16_t port, uint32_t val, unsigned size)
{
    address_space_write(&pci_fx.as_io, port, &val, size);
}

static inline uint32_t port_in(uint16_t port, unsigned size)
{
    uint32_t val = 0xa5a5a5a5;      /* poison: a read must store */

    address_space_read(&pci_fx.as_io, port, &val, size);
    return size >= 4 ? val : val & ((1u << (size * 8)) - 1);
}

/* Config mechanism #1: @size bytes at @reg of 00:@slot.@fn. */
static inline uint32_t cfg_rd(int slot, int fn, int reg, unsigned size)
{
    port_out(0xcf8, 0x80000000u | slot << 11 | fn << 8 | (reg & 0xfc), 4);
    return port_in(0xcfc + (reg & 3), size);
}

static inline void cfg_wr(int slot, int fn, int reg, uint32_t val,
                          unsigned size)
{
    port_out(0xcf8, 0x80000000u | slot << 11 | fn << 8 | (reg & 0xfc), 4);
    port_out(0xcfc + (reg & 3), val, size);
}

/* Realize @dev on @bus (any bus type); the error text (g_free) or NULL. */
static inline char *pci_fx_realize(DeviceState *dev, void *bus)
{
    Error *err = NULL;
    char *msg = NULL;

    if (!qdev_realize_and_unref(dev, BUS(bus), &err)) {
        msg = g_strdup(error_get_pretty(err));
        error_free(err);
    }
    return msg;
}

#endif /* TESTS_UNIT_PCI_HELPER_H */
