/*
 * isa.h - the ISA bus and ISA devices (QEMU 7.2's include/hw/isa/isa.h,
 * hw/isa/isa-bus.c).
 *
 * A PC has one ISA bus, "isa.0", provided by the PCI-to-ISA bridge (the
 * PIIX3).  Its I/O ports are the machine's I/O address space: an ISA
 * device maps its port ranges there with isa_register_ioport().
 *
 * Until the PIIX3 exists, the PC machine creates the bus with
 * isa_bus_create_default(): a stand-in "isabus-bridge" sysbus device
 * (QEMU has the same type, for boards without PCI) provides it.
 *
 * Not modelled (yet): ISA IRQs (isa_init_irq, isa_connect_gpio_out: the
 * "isa irq N" line of `info qtree` is printed already, from isairq[]),
 * ISA DMA, isa_register_portio_list, the memory address space.
 * Difference from QEMU: unrealizing an ISA device unmaps the port ranges
 * it registered (a mapped region keeps its owner alive).
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_ISA_ISA_H
#define HW_ISA_ISA_H

#include "hw/core/sysbus.h"

#define TYPE_ISA_BUS "ISA"
#define TYPE_ISA_DEVICE "isa-device"
#define TYPE_ISABUS_BRIDGE "isabus-bridge"

OBJECT_DECLARE_SIMPLE_TYPE(ISABus, ISA_BUS)
OBJECT_DECLARE_TYPE(ISADevice, ISADeviceClass, ISA_DEVICE)

struct ISABus {
    BusState parent_obj;
    MemoryRegion *address_space_io;     /* the ports; not referenced */
};

struct ISADeviceClass {
    DeviceClass parent_class;
    DeviceUnrealize parent_unrealize;   /* (private) */
};

struct ISADevice {
    DeviceState parent_obj;
    int isairq[2];              /* `info qtree`'s "isa irq"; -1: none */
    uint16_t ioport_id;         /* lowest registered port (fw path) */
    GSList *ioports;            /* (private) MemoryRegion *s mapped by
                                 * isa_register_ioport, for unrealize */
};

/**
 * isa_bus_new: create the ISA bus "isa.0" as a child bus of @dev, whose
 * ports live in @address_space_io (usually get_system_io()).  With @dev
 * NULL, an "isabus-bridge" is created and realized on the system bus to
 * provide it (as QEMU).  There may be one ISA bus at a time: otherwise
 * "Can't create a second ISA bus".
 * Returns the bus, owned by @dev (borrowed), or NULL with @errp set.
 * The bus is realized when @dev is (the bridge: already).
 */
ISABus *isa_bus_new(DeviceState *dev, MemoryRegion *address_space_io,
                    Error **errp);

/**
 * isa_bus_create_default: what the PC machine calls until the PIIX3 ISA
 * bridge exists: isa_bus_new(NULL, get_system_io(), errp).  The bridge
 * is /machine/unattached/device[N]; destroying the machine destroys it.
 */
ISABus *isa_bus_create_default(Error **errp);

/* The ISA bus, or NULL if none exists (borrowed). */
ISABus *isa_bus_get(void);

/* The I/O space @dev's bus decodes (with @dev NULL: the ISA bus's). */
MemoryRegion *isa_address_space_io(ISADevice *dev);

/**
 * isa_register_ioport: map @io at port @start of the bus's I/O space,
 * on behalf of @dev (whose lowest port becomes its ioport_id).  The
 * region is unmapped when @dev is unrealized.  A realize that fails is
 * not followed by unrealize, so register ports after the last check
 * that can fail.
 */
void isa_register_ioport(ISADevice *dev, MemoryRegion *io, uint16_t start);

#endif /* HW_ISA_ISA_H */
