/*
 * ioapic.h - the PC's interrupt inputs: the in-kernel IOAPIC as a device
 * ("kvm-ioapic", QEMU 7.2's hw/i386/kvm/ioapic.c) whose 24 GPIO inputs
 * are the machine's GSIs, KVM's GSI routing as QEMU sets it up, and the
 * in-kernel 8254 PIT ("kvm-pit", QEMU's hw/i386/kvm/i8254.c).
 *
 * GSI n (input n of /machine/i440fx/ioapic; ISA IRQ n for n < 16) is
 * driven with qemu_set_irq(); the device passes the level to KVM with
 * KVM_IRQ_LINE and KVM holds it until it is lowered (level semantics).
 * With the dummy accelerator the inputs only record their levels
 * (irq->level; tests and qtest-style observers see them, see irq.h).
 *
 * KVM's GSI routing (kvm_pc_setup_irq_routing, QEMU's): GSI 0-7 except 2
 * -> master 8259 pin n; GSI 8-15 -> slave 8259 pin n-8; with PCI, GSI 0 ->
 * IOAPIC pin 2 and GSI 1, 3-23 -> IOAPIC pin n.  (IOAPIC pin 0 and GSI 2
 * are unused: the timer's ISA IRQ 0 is IOAPIC INTIN2, as in the ACPI
 * MADT override / MP table every PC firmware writes.)
 */
#ifndef HW_I386_IOAPIC_H
#define HW_I386_IOAPIC_H

#include "hw/core/sysbus.h"
#include "hw/core/irq.h"

#define TYPE_KVM_IOAPIC "kvm-ioapic"
#define TYPE_KVM_PIT "kvm-pit"

#define IOAPIC_NUM_PINS         24
#define IO_APIC_DEFAULT_ADDRESS 0xfec00000
#define PIT_IOBASE              0x40

/**
 * kvm_pc_setup_irq_routing: install QEMU's GSI routing (above) with
 * KVM_SET_GSI_ROUTING.  Without KVM: does nothing, returns 0.
 * Returns 0 or -errno.  Main thread, once, before the vCPUs run.
 */
int kvm_pc_setup_irq_routing(bool pci_enabled);

/**
 * kvm_pc_set_elcr: set the in-kernel 8259 pair's edge/level control
 * registers (ports 0x4d0/0x4d1; bit n = ISA IRQ n level-triggered), as
 * firmware does for the IRQs PCI INTx are routed to.  Without KVM: 0.
 * Returns 0 or -errno.  Main thread, vCPUs stopped.
 */
int kvm_pc_set_elcr(uint16_t elcr);

/**
 * ioapic_init_gsi: QEMU's: create the "kvm-ioapic" as child "ioapic" of
 * @parent (the PC: /machine/i440fx), realize it, map it at
 * IO_APIC_DEFAULT_ADDRESS, and store its inputs in @gsi[0..23]
 * (borrowed: they live as long as the device).  Returns the device
 * (owned by @parent) or NULL with @errp set.
 */
DeviceState *ioapic_init_gsi(qemu_irq gsi[IOAPIC_NUM_PINS], Object *parent,
                             Error **errp);

#endif /* HW_I386_IOAPIC_H */
