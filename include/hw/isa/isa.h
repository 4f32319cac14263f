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
 * ISA IRQs: the bus has 16 lines (ISA_NUM_IRQS), given by the board or
 * the bridge with isa_bus_irqs(); on the PC they are the machine's
 * "ioapic" inputs (GSIs 0-15, which KVM also feeds to its 8259 pair).
 * A device takes one with isa_init_irq() (also recorded for `info
 * qtree`'s "isa irq N") or wires a GPIO output with isa_connect_gpio_out().
 * Not modelled (yet): ISA DMA, isa_register_portio_list, the memory
 * address space.
 * Difference from QEMU: unrealizing an ISA device unmaps the port ranges
 * it registered (a mapped region keeps its owner alive).
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_ISA_ISA_H
#define HW_ISA_ISA_H

#include "hw/core/sysbus.h"
#include "hw/core/irq.h"

#define ISA_NUM_IRQS 16

#define TYPE_ISA_BUS "ISA"
#define TYPE_ISA_DEVICE "isa-device"
#define TYPE_ISABUS_BRIDGE "isabus-bridge"

OBJECT_DECLARE_SIMPLE_TYPE(ISABus, ISA_BUS)
OBJECT_DECLARE_TYPE(ISADevice, ISADeviceClass, ISA_DEVICE)

struct ISABus {
    BusState parent_obj;
    MemoryRegion *address_space_io;     /* the ports; not referenced */
    qemu_irq *irqs;             /* ISA_NUM_IRQS lines (isa_bus_irqs), or
                                 * NULL: no interrupt controller */
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

/**
 * isa_bus_irqs: the bus's ISA_NUM_IRQS interrupt lines: @irqs is an
 * array of 16 lines owned by the caller (it must outlive the bus).
 */
void isa_bus_irqs(ISABus *bus, qemu_irq *irqs);

/**
 * isa_get_irq: ISA IRQ @isairq (0-15) of @dev's bus (@dev NULL: the ISA
 * bus's), borrowed; NULL if the bus has no interrupt lines (then setting
 * it does nothing).  @isairq >= 16 is a bug.
 */
qemu_irq isa_get_irq(ISADevice *dev, unsigned isairq);

/**
 * isa_init_irq: *@p = isa_get_irq(@dev, @isairq), and record @isairq
 * for `info qtree` (at most two per device, as QEMU).
 */
void isa_init_irq(ISADevice *dev, qemu_irq *p, unsigned isairq);

/**
 * isa_connect_gpio_out: connect @isadev's unnamed GPIO output @gpioirq
 * to ISA IRQ @isairq (recorded as isa_init_irq does).
 */
void isa_connect_gpio_out(ISADevice *isadev, int gpioirq, unsigned isairq);

#endif /* HW_ISA_ISA_H */
