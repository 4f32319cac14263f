/*
 * pci-regs.h - PCI configuration space registers (PCI Local Bus
 * Specification 3.0, chapter 6; the names of Linux's
 * include/uapi/linux/pci_regs.h, which QEMU 7.2 uses too).  Only the
 * type 0 header and the few type 1 fields qomu needs.
 */
#ifndef HW_PCI_PCI_REGS_H
#define HW_PCI_PCI_REGS_H

#define PCI_CONFIG_HEADER_SIZE  0x40    /* type 0/1 header */
#define PCI_CONFIG_SPACE_SIZE   0x100   /* conventional PCI */

#define PCI_VENDOR_ID           0x00    /* 16 bits */
#define PCI_DEVICE_ID           0x02    /* 16 bits */
#define PCI_COMMAND             0x04    /* 16 bits */
#define  PCI_COMMAND_IO          0x1    /* enable I/O space decode */
#define  PCI_COMMAND_MEMORY      0x2    /* enable memory space decode */
#define  PCI_COMMAND_MASTER      0x4    /* enable bus mastering */
#define  PCI_COMMAND_SPECIAL     0x8
#define  PCI_COMMAND_INVALIDATE  0x10
#define  PCI_COMMAND_VGA_PALETTE 0x20
#define  PCI_COMMAND_PARITY      0x40
#define  PCI_COMMAND_WAIT        0x80
#define  PCI_COMMAND_SERR        0x100
#define  PCI_COMMAND_FAST_BACK   0x200
#define  PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS              0x06    /* 16 bits */
#define  PCI_STATUS_INTERRUPT    0x08   /* INTx asserted (read only) */
#define  PCI_STATUS_CAP_LIST     0x10   /* capability list at 0x34 */
#define  PCI_STATUS_66MHZ        0x20
#define  PCI_STATUS_FAST_BACK    0x80
#define  PCI_STATUS_PARITY       0x100  /* master data parity error */
#define  PCI_STATUS_DEVSEL_MEDIUM 0x200
#define  PCI_STATUS_DEVSEL_MASK  0x600
#define  PCI_STATUS_SIG_TARGET_ABORT 0x800
#define  PCI_STATUS_REC_TARGET_ABORT 0x1000
#define  PCI_STATUS_REC_MASTER_ABORT 0x2000
#define  PCI_STATUS_SIG_SYSTEM_ERROR 0x4000
#define  PCI_STATUS_DETECTED_PARITY  0x8000
#define PCI_CLASS_REVISION      0x08    /* revision (8) and class (24) */
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09    /* programming interface */
#define PCI_CLASS_DEVICE        0x0a    /* class and subclass, 16 bits */
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_NORMAL  0
#define  PCI_HEADER_TYPE_BRIDGE  1
#define  PCI_HEADER_TYPE_CARDBUS 2
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST                0x0f
#define PCI_BASE_ADDRESS_0      0x10    /* 6 BARs, 32 bits each */
#define PCI_BASE_ADDRESS_5      0x24
#define  PCI_BASE_ADDRESS_SPACE_IO     0x01
#define  PCI_BASE_ADDRESS_SPACE_MEMORY 0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_32  0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define  PCI_BASE_ADDRESS_MEM_MASK     (~0x0fULL)
#define  PCI_BASE_ADDRESS_IO_MASK      (~0x03ULL)
#define PCI_CARDBUS_CIS         0x28
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30    /* bit 0: decode enable */
#define  PCI_ROM_ADDRESS_ENABLE  0x01
#define PCI_CAPABILITY_LIST     0x34    /* first capability's offset */
#define PCI_INTERRUPT_LINE      0x3c    /* 8 bits, firmware's choice */
#define PCI_INTERRUPT_PIN       0x3d    /* 8 bits: 0 none, 1-4 INTA-D */
#define PCI_MIN_GNT             0x3e
#define PCI_MAX_LAT             0x3f

/* Type 1 (bridge) header fields that move things around. */
#define PCI_PRIMARY_BUS         0x18
#define PCI_SECONDARY_BUS       0x19
#define PCI_SUBORDINATE_BUS     0x1a
#define PCI_ROM_ADDRESS1        0x38

/* Capabilities: [id, next] at the offset the list points to. */
#define PCI_CAP_LIST_ID         0
#define PCI_CAP_LIST_NEXT       1
#define PCI_CAP_ID_PM           0x01
#define PCI_CAP_ID_VNDR         0x09
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_MSIX         0x11
#define PCI_CAP_ID_EXP          0x10

/* Vendors, devices and classes used in qomu. */
#define PCI_VENDOR_ID_INTEL             0x8086
#define PCI_DEVICE_ID_INTEL_82441       0x1237  /* i440FX host bridge */
#define PCI_DEVICE_ID_INTEL_82371SB_0   0x7000  /* PIIX3 ISA bridge */
#define PCI_DEVICE_ID_INTEL_82371SB_1   0x7010  /* PIIX3 IDE */
#define PCI_VENDOR_ID_REDHAT_QUMRANET   0x1af4
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU           0x1100

#define PCI_CLASS_STORAGE_IDE           0x0101
#define PCI_CLASS_STORAGE_SCSI          0x0100
#define PCI_CLASS_STORAGE_OTHER         0x0180
#define PCI_CLASS_NETWORK_ETHERNET      0x0200
#define PCI_CLASS_DISPLAY_VGA           0x0300
#define PCI_CLASS_BRIDGE_HOST           0x0600
#define PCI_CLASS_BRIDGE_ISA            0x0601
#define PCI_CLASS_BRIDGE_PCI            0x0604
#define PCI_CLASS_BRIDGE_OTHER          0x0680
#define PCI_CLASS_OTHERS                0xff

#endif /* HW_PCI_PCI_REGS_H */
