/*
 * sysbus.h - the system bus: where devices that sit directly in the
 * machine's address space plug in (QEMU 7.2's include/hw/sysbus.h,
 * hw/core/sysbus.c).
 *
 * There is one system bus, "main-system-bus", a QOM child "sysbus" of
 * /machine/unattached, created by sysbus_get_default() on first use.  It
 * is the root of `info qtree`.  A sysbus device (TYPE_SYS_BUS_DEVICE,
 * abstract) declares its MMIO regions with sysbus_init_mmio(); the board
 * places them with sysbus_mmio_map().  Sysbus devices are for boards to
 * create: they are not user_creatable (as in QEMU, where a board must
 * wire them).
 *
 * Not modelled (yet): IRQ and GPIO lines (sysbus_init_irq, sysbus_connect_
 * irq: hw/core/irq.h), dynamic sysbus devices (platform bus), fw paths.
 * Difference from QEMU: unrealizing a sysbus device unmaps the MMIO
 * regions sysbus_mmio_map() mapped, so that the device can be freed (a
 * mapped region keeps its owner alive).
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_SYSBUS_H
#define HW_CORE_SYSBUS_H

#include "hw/core/qdev.h"
#include "hw/core/memory.h"

#define TYPE_SYSTEM_BUS "System"
#define TYPE_SYS_BUS_DEVICE "sys-bus-device"
OBJECT_DECLARE_TYPE(SysBusDevice, SysBusDeviceClass, SYS_BUS_DEVICE)

#define QDEV_MAX_MMIO 32
#define QDEV_MAX_PIO 32

struct SysBusDeviceClass {
    DeviceClass parent_class;
    DeviceUnrealize parent_unrealize;   /* (private) */
};

struct SysBusDevice {
    DeviceState parent_obj;

    int num_mmio;
    struct {
        hwaddr addr;            /* where mapped; (hwaddr)-1: not mapped */
        MemoryRegion *memory;   /* not referenced: the device owns it */
    } mmio[QDEV_MAX_MMIO];
    int num_pio;
    uint32_t pio[QDEV_MAX_PIO]; /* I/O ports the device declared */
};

/**
 * sysbus_get_default: the main system bus, created (and realized) on
 * first use as /machine/unattached/sysbus, named "main-system-bus".
 * Borrowed.  It lives until /machine/unattached goes (machine teardown);
 * the next call then creates a new one.
 */
BusState *sysbus_get_default(void);

/* Declare @memory as the device's next MMIO region (index num_mmio). */
void sysbus_init_mmio(SysBusDevice *dev, MemoryRegion *memory);
/* MMIO region @n (borrowed); @n must exist. */
MemoryRegion *sysbus_mmio_get_region(SysBusDevice *dev, int n);
/* True if region @n exists and is mapped. */
bool sysbus_is_mmio_mapped(SysBusDevice *dev, int n);
/**
 * sysbus_mmio_map: (re)map region @n at @addr in system memory
 * (get_system_memory()); _overlap with a priority.  Main thread.
 */
void sysbus_mmio_map(SysBusDevice *dev, int n, hwaddr addr);
void sysbus_mmio_map_overlap(SysBusDevice *dev, int n, hwaddr addr,
                             int priority);
/* Record that the device uses I/O ports [@ioport, @ioport + @size). */
void sysbus_init_ioports(SysBusDevice *dev, uint32_t ioport, uint32_t size);

/**
 * sysbus_realize: qdev_realize(@dev, sysbus_get_default(), errp).
 * sysbus_realize_and_unref: the same, then drop the caller's reference.
 */
bool sysbus_realize(SysBusDevice *dev, Error **errp);
bool sysbus_realize_and_unref(SysBusDevice *dev, Error **errp);

#endif /* HW_CORE_SYSBUS_H */
