/*
 * libqos-pci.h - PCI configuration space over a qtest connection: the PC's
 * configuration mechanism #1 (0xcf8 address, 0xcfc-0xcff data), finding
 * functions on bus 0, sizing and mapping BARs. A small cut of QEMU's
 * tests/qtest/libqos/pci.h, on a plain QTestState.
 *
 * Functions are named by devfn (QPCI_DEVFN(slot, fn)) on bus 0.
 */
#ifndef TESTS_QTEST_LIBQOS_PCI_H
#define TESTS_QTEST_LIBQOS_PCI_H

#include "libqtest.h"

#define QPCI_DEVFN(slot, fn)    (((slot) << 3) | (fn))
#define QPCI_SLOT(devfn)        ((devfn) >> 3)
#define QPCI_FN(devfn)          ((devfn) & 7)

/* Configuration registers used by the tests (pci_regs.h names). */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO         0x1
#define  PCI_COMMAND_MEMORY     0x2
#define  PCI_COMMAND_MASTER     0x4
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_MULTI  0x80
#define PCI_BIST                0x0f
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO      0x1
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x4
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d

uint8_t qpci_config_readb(QTestState *s, int devfn, uint8_t offset);
uint16_t qpci_config_readw(QTestState *s, int devfn, uint8_t offset);
uint32_t qpci_config_readl(QTestState *s, int devfn, uint8_t offset);
void qpci_config_writeb(QTestState *s, int devfn, uint8_t offset,
                        uint8_t value);
void qpci_config_writew(QTestState *s, int devfn, uint8_t offset,
                        uint16_t value);
void qpci_config_writel(QTestState *s, int devfn, uint8_t offset,
                        uint32_t value);

/* qpci_device_exists: a function answers at @devfn (vendor != 0xffff). */
bool qpci_device_exists(QTestState *s, int devfn);

/*
 * qpci_find_device: the first function on bus 0 from @start_devfn on with
 * @vendor:@device (0xffff for either: any), or -1. To iterate, call again
 * with the last result + 1.
 */
int qpci_find_device(QTestState *s, uint16_t vendor, uint16_t device,
                     int start_devfn);

/*
 * qpci_bar_size: BAR @bar's size in bytes (0: not implemented), found the
 * usual way (write all ones, read back; the BAR is restored). *@is_io
 * (may be NULL) says whether it is an I/O BAR.
 */
uint64_t qpci_bar_size(QTestState *s, int devfn, int bar, bool *is_io);

/*
 * qpci_map_bar: give BAR @bar an address from a simple allocator (I/O from
 * 0xc000, memory from 0xe0000000, each naturally aligned), enable I/O or
 * memory decoding in the command register, and return the address
 * (0 if the BAR is not implemented).
 */
uint64_t qpci_map_bar(QTestState *s, int devfn, int bar);

#endif /* TESTS_QTEST_LIBQOS_PCI_H */
