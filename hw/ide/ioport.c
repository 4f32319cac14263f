/*
 * ioport.c - the legacy ISA-style ports of an IDE channel (QEMU 7.2's
 * hw/ide/ioport.c): the command block at iobase (8 ports; the data port
 * takes 16- and 32-bit accesses) and the control block at iobase2 (one
 * port: alternate status read, device control write).
 * Threads: big lock.
 */
#include "util/osdep.h"
#include "hw/isa/isa.h"
#include "hw/ide/internal.h"

static uint64_t ide_portio_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t val = 0;
    unsigned i;

    if (addr == 0 && size == 2) {
        return ide_data_readw(opaque, addr);
    }
    if (addr == 0 && size == 4) {
        return ide_data_readl(opaque, addr);
    }
    /* byte registers; wider accesses elsewhere read byte by byte */
    for (i = 0; i < size && addr + i < 8; i++) {
        val |= (uint64_t)(ide_ioport_read(opaque, addr + i) & 0xff) << (8 * i);
    }
    for (; i < size; i++) {
        val |= 0xffull << (8 * i);
    }
    return val;
}

static void ide_portio_write(void *opaque, hwaddr addr, uint64_t data,
                             unsigned size)
{
    unsigned i;

    if (addr == 0 && size == 2) {
        ide_data_writew(opaque, addr, data);
        return;
    }
    if (addr == 0 && size == 4) {
        ide_data_writel(opaque, addr, data);
        return;
    }
    for (i = 0; i < size && addr + i < 8; i++) {
        ide_ioport_write(opaque, addr + i, (data >> (8 * i)) & 0xff);
    }
}

static const MemoryRegionOps ide_portio_ops = {
    .read = ide_portio_read,
    .write = ide_portio_write,
    .valid = { .min_access_size = 1, .max_access_size = 4,
               .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 4,
              .unaligned = true },
};

static uint64_t ide_portio2_read(void *opaque, hwaddr addr, unsigned size)
{
    return ide_status_read(opaque, addr);
}

static void ide_portio2_write(void *opaque, hwaddr addr, uint64_t data,
                              unsigned size)
{
    ide_ctrl_write(opaque, addr, data & 0xff);
}

static const MemoryRegionOps ide_portio2_ops = {
    .read = ide_portio2_read,
    .write = ide_portio2_write,
    .valid = { .min_access_size = 1, .max_access_size = 1 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

int ide_init_ioport(IDEBus *bus, ISADevice *isa, int iobase, int iobase2)
{
    MemoryRegion *io = isa_address_space_io(isa);
    Object *owner = OBJECT(bus->qbus.parent);

    memory_region_init_io(&bus->portio, owner, &ide_portio_ops, bus,
                          "ide", 8);
    memory_region_add_subregion(io, iobase, &bus->portio);
    if (iobase2) {
        memory_region_init_io(&bus->portio2, owner, &ide_portio2_ops, bus,
                              "ide", 1);
        memory_region_add_subregion(io, iobase2, &bus->portio2);
    }
    bus->portio_as = io;
    return 0;
}
