/*
 * piix3.h - the PIIX3 PCI-to-ISA bridge, function 00:01.0 of the PC
 * (QEMU 7.2's include/hw/southbridge/piix.h, hw/isa/piix3.c; Intel
 * 82371SB datasheet 290550), and the facts of PC PCI interrupt routing.
 *
 * === How a PCI INTx reaches the CPU on qomu's pc (as on QEMU's) ===
 *
 * 1. Device in slot S (bus 0) asserts its pin P (PCI_INTERRUPT_PIN:
 *    1 = INTA .. 4 = INTD).
 * 2. The bus maps it to PIRQ line  ((P - 1) + (S - 1)) & 3   (0 = PIRQA):
 *    piix3_pci_slot_get_pirq(); QEMU's pci_slot_get_pirq().  Slot 1
 *    INTA is PIRQA, slot 2 INTA is PIRQB, slot 3 INTA PIRQC, slot 0 INTA
 *    PIRQD; the lines are wire-ORed (a line is up while any pin holds it).
 * 3. PIRQx is routed to ISA IRQ  config[0x60 + x]  of the PIIX3 (PIRQRC
 *    registers, bits 3:0 = IRQ; a value >= 16, i.e. bit 7 set, disables
 *    the route; reset value 0x80 = disabled).  Firmware programs them:
 *    SeaBIOS writes PIRQA-D = 10, 10, 11, 11 (PIIX3_BIOS_PIRQ_IRQS) and
 *    sets each function's PCI_INTERRUPT_LINE to that IRQ; qomu boots
 *    without firmware, so whoever plays firmware (the Linux loader) must
 *    do the same: piix3_bios_setup_irqs().
 * 4. ISA IRQ n is GSI n: the machine's "ioapic" input n (/machine/i440fx/
 *    ioapic), which calls KVM_IRQ_LINE(n, level); KVM's routing (set up
 *    as QEMU's kvm_pc_setup_irq_routing) delivers GSI n to IOAPIC pin n
 *    and, for n < 16, to 8259 input n (n = 2 is the cascade and ISA IRQ 0
 *    goes to IOAPIC pin 2, as the MP table's ISA IRQ0 -> INTIN2 says).
 *    The level is held: PCI INTx are level-triggered, active high on the
 *    wire as KVM sees it; the 8259 must have ELCR set for IRQs 10/11
 *    (SeaBIOS writes ELCR 0x4d0/0x4d1 = 0x00/0x0c).
 * So an MP table lists, for each function with a pin: source bus PCI,
 * source IRQ (S << 2) | (P - 1), destination IOAPIC pin = the ISA IRQ of
 * its PIRQ (10 or 11 with SeaBIOS's choice), level-triggered.
 *
 * Registers modelled: PIRQRC[A-D] 0x60-0x63 and the rest of config space
 * as plain storage with QEMU's reset values; the Reset Control Register
 * at I/O port 0xCF9 (bit 2 = reset CPU: a system reset request, which
 * -no-reboot turns into a shutdown; bit 1 = hard reset, kept and read
 * back).  The ISA bus "isa.0" is a child bus of the PIIX3.
 * Not modelled: the rest of the southbridge function registers (APIC
 * chip select, mouse/serial IRQ, DMA, SMI), PIIX3-xen.
 */
#ifndef HW_ISA_PIIX3_H
#define HW_ISA_PIIX3_H

#include "hw/pci/pci.h"
#include "hw/isa/isa.h"

#define TYPE_PIIX3_PCI_DEVICE "pci-piix3"      /* abstract, as QEMU */
#define TYPE_PIIX3_DEVICE "PIIX3"
OBJECT_DECLARE_SIMPLE_TYPE(PIIX3State, PIIX3_PCI_DEVICE)

#define PIIX_NUM_PIC_IRQS       16      /* ISA IRQs (i8259 pair) */
#define PIIX_NUM_PIRQS          4       /* PIRQ[A-D] */
#define PIIX_PIRQCA             0x60    /* PIRQRC[A]; B-D follow */
#define PIIX_RCR_IOPORT         0xcf9   /* Reset Control Register */

/* What SeaBIOS routes PIRQA-D to (src/fw/pciinit.c pci_irqs[]). */
#define PIIX3_BIOS_PIRQ_IRQS    { 10, 10, 11, 11 }

struct PIIX3State {
    /* private: */
    PCIDevice dev;
    /* public: */

    /* Bit (isa_irq * 4 + pirq): PIRQ pirq is asserted and routed to ISA
     * IRQ isa_irq (QEMU's pic_levels); ISA IRQ n is up while any of its
     * four bits is set. */
    uint64_t pic_levels;
    qemu_irq *pic;              /* PIIX_NUM_PIC_IRQS lines, set by the
                                 * board (the GSIs); not owned */
    MemoryRegion rcr_mem;       /* "piix3-reset-control", 1 byte at 0xCF9 */
    uint8_t rcr;                /* RCR bit 1 (System Reset type) */
};

/* Which PIRQ (0-3) pin @pci_intx (0 = INTA) of a device in @slot uses. */
static inline int piix3_pci_slot_get_pirq(int slot, int pci_intx)
{
    return (pci_intx + slot - 1) & 3;
}

/**
 * piix3_bios_setup_irqs: do what SeaBIOS does for PCI interrupts: write
 * PIRQRC[A-D] = @irqs[0..3] (through the config space, so the routing
 * updates at once), and set PCI_INTERRUPT_LINE of every function on the
 * bus that has a pin to the IRQ its pin reaches.  The 8259's ELCR is
 * not touched (it lives in KVM's PIC; the caller sets it).  Main thread.
 */
void piix3_bios_setup_irqs(PIIX3State *piix3, const uint8_t irqs[4]);

#endif /* HW_ISA_PIIX3_H */
