/*
 * i440fx.h - the Intel 440FX PCI host bridge (QEMU 7.2's
 * include/hw/pci-host/i440fx.h, hw/pci-host/i440fx.c).
 *
 * Two objects, as QEMU: "i440FX-pcihost", the sysbus host bridge that
 * owns bus "pci.0" and the 0xCF8/0xCFC ports (/machine/i440fx on the
 * PC), and "i440FX", PCI function 00:00.0 (8086:1237, class 0600, rev 2)
 * holding the chipset registers: PAM0-6 (0x59-0x5f, which of RAM or PCI
 * answers at 0xc0000-0xfffff) and SMRAM (0x72).  See i440fx.c.
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci-host.h"

#define TYPE_I440FX_PCI_HOST_BRIDGE "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"

/* Config registers of the 82441FX (datasheet 290549, 3.2). */
#define I440FX_PAM              0x59    /* PAM0..PAM6 */
#define I440FX_PAM_SIZE         7
#define I440FX_SMRAM            0x72
#define I440FX_COREBOOT_RAM_SIZE 0x57   /* RAM size in 8 MiB units */

/* The 13 PAM segments: 0xf0000 (64 KiB, PAM0 high nibble), then 0xc0000
 * + 16 KiB * i for PAM1..6, low nibble first. */
#define PAM_REGIONS_COUNT       13
#define PAM_BIOS_BASE           0xf0000
#define PAM_BIOS_SIZE           0x10000
#define PAM_EXPAN_BASE          0xc0000
#define PAM_EXPAN_SIZE          0x4000

/* Where the IOAPIC is and where the 32-bit PCI hole ends (QEMU's
 * IO_APIC_DEFAULT_ADDRESS, the "pci-hole-end" property). */
#define IO_APIC_DEFAULT_ADDRESS 0xfec00000

/**
 * i440fx_init: QEMU's i440fx_init(): create the host bridge as
 * /machine/i440fx (with the root bus "pci.0" whose memory space is
 * @pci_address_space and I/O space @address_space_io), put
 * @pci_address_space into @address_space_mem below everything else
 * (priority -1: RAM wins), create the "i440FX" function at 00.0 with its
 * PAM and SMRAM windows over @ram_memory, and record the RAM layout for
 * the "pci-hole-*" properties.  Returns the bus (owned by the host
 * bridge, which /machine owns), or NULL with @errp set.
 */
PCIBus *i440fx_init(MemoryRegion *address_space_mem,
                    MemoryRegion *address_space_io, uint64_t ram_size,
                    uint64_t below_4g_mem_size, uint64_t above_4g_mem_size,
                    MemoryRegion *pci_address_space,
                    MemoryRegion *ram_memory, Error **errp);

#endif /* HW_PCI_HOST_I440FX_H */
