/*
 * mptable.h - the Intel MultiProcessor Specification 1.4 tables firmware
 * leaves for the OS (chapter 4, "MP Configuration Table"): a floating
 * pointer structure and the configuration table it points to, as
 * SeaBIOS's mptable_setup() builds them for QEMU's pc.
 *
 * Built here (QEMU's pc through SeaBIOS; differences noted):
 *   floating pointer   "_MP_", spec 1.4, feature byte 2 bit 7 (IMCRP)
 *                      clear: virtual wire mode
 *   config header      "PCMP", OEM "BOCHSCPU", product "0.1", LAPIC at
 *                      0xfee00000
 *   processors         one per CPU, by APIC id (SeaBIOS lists the first
 *                      thread of each package only; we list every CPU,
 *                      as the spec asks), the first one the BSP
 *   buses              PCI (id 0) if there is PCI, ISA (id 1, else 0)
 *   I/O APIC           id 0, version 0x11, at 0xfec00000
 *   I/O interrupts     PCI: every slot (0-31) x INTA-D: source IRQ
 *                      (slot << 2) | pin, routed through the PIIX3's PIRQ
 *                      links (piix3_pci_slot_get_pirq: (slot - 1 + pin) & 3,
 *                      QEMU's) to the link's ISA IRQ,
 *                      active high, level (QEMU's, and what SeaBIOS lists
 *                      for the devices present; the kernel needs every
 *                      INTx it may meet, GUEST.md);
 *                      ISA: IRQs 0-15 identity, minus the PCI IRQs, IRQ 0
 *                      on pin 2 (QEMU's irq0 override) and no IRQ 2
 *   local interrupts   ExtINT to LINT0 of the BSP, NMI to LINT1 of all
 * Not modelled: the extended table (bus hierarchy, address space
 * mapping), more than one IOAPIC, APIC ids above 254 (left out: MP
 * tables have 8-bit ids; such CPUs need ACPI/x2APIC).
 */
#ifndef HW_I386_MPTABLE_H
#define HW_I386_MPTABLE_H

#include "util/osdep.h"

/* Where the pc puts the tables: the start of the BIOS area, reserved in
 * its e820 map, scanned by Linux (mpparse.c: 0xf0000, 64 KiB).  The EBDA
 * (1 KiB) is too small for 128 PCI entries. */
#define MPTABLE_ADDR                0xf0000u

#define MPTABLE_FLOATING_SIZE       16
#define MPTABLE_HEADER_SIZE         44
#define MPTABLE_CPU_ENTRY_SIZE      20
#define MPTABLE_ENTRY_SIZE          8   /* every other entry type */

/* Entry types (MP spec table 4-3) */
enum {
    MPT_TYPE_CPU = 0, MPT_TYPE_BUS = 1, MPT_TYPE_IOAPIC = 2,
    MPT_TYPE_INTSRC = 3, MPT_TYPE_LOCAL_INT = 4,
};
/* Interrupt types (table 4-8) and flags (table 4-9) */
enum { MP_INT_INT = 0, MP_INT_NMI = 1, MP_INT_SMI = 2, MP_INT_EXTINT = 3 };
#define MP_IRQ_POLARITY_HIGH    0x1
#define MP_IRQ_POLARITY_LOW     0x3
#define MP_IRQ_TRIGGER_EDGE     (0x1 << 2)
#define MP_IRQ_TRIGGER_LEVEL    (0x3 << 2)

#define MPTABLE_IOAPIC_ADDR     0xfec00000u
#define MPTABLE_LAPIC_ADDR      0xfee00000u
#define MPTABLE_PCI_SLOTS       32

/* SeaBIOS's PIIX3 routing: PIRQA-D -> ISA IRQ 10, 10, 11, 11, and the
 * ISA IRQs it keeps for PCI (BUILD_PCI_IRQS: 5, 9, 10, 11). */
#define MPTABLE_SEABIOS_PIRQ_IRQS       { 10, 10, 11, 11 }
#define MPTABLE_SEABIOS_PCI_IRQ_MASK    0x0e20

typedef struct MPTableConfig {
    unsigned nr_cpus;
    const uint32_t *apic_ids;   /* nr_cpus; the first is the BSP */
    uint32_t cpu_signature;     /* CPUID.01H:EAX; 0: SeaBIOS's 0x600 */
    uint32_t cpu_features;      /* CPUID.01H:EDX; 0: SeaBIOS's 0x201 */
    uint8_t lapic_version;      /* 0: KVM's 0x14 */
    uint8_t ioapic_id;
    bool pci;                   /* a PCI bus 0: list its INTx */
    bool irq0_override;         /* ISA IRQ 0 on IOAPIC pin 2 */
    uint8_t pirq_irq[4];        /* PIRQ A-D: their ISA IRQs */
    uint16_t pci_irq_mask;      /* ISA IRQs given to PCI: no ISA entry */
} MPTableConfig;

/**
 * mptable_build: the floating pointer (at @addr) followed by the
 * configuration table (at @addr + 16), checksums filled in.  Returns the
 * bytes to place at @addr (g_byte_array_unref).
 */
GByteArray *mptable_build(const MPTableConfig *cfg, uint32_t addr);

#endif /* HW_I386_MPTABLE_H */
