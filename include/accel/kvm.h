/*
 * kvm.h - what board code may ask of the KVM accelerator (QEMU's
 * include/sysemu/kvm.h, the few calls a KVM-only pc needs).
 *
 * The accelerator itself is accel/kvm/: kvm.c (the VM and its memory
 * slots), kvm-vcpu.c (vCPU threads and the KVM_RUN loop), kvm-x86.c
 * (x86 registers, CPUID, in-kernel irqchip).
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include "util/osdep.h"

#define TYPE_KVM_ACCEL "kvm-accel"

/*
 * Guest-physical pages KVM needs for real-mode emulation on older Intel
 * hosts (an EPT identity page table and a TSS: 4 pages below the BIOS,
 * QEMU's values).  The machine must mark them reserved in its e820 map.
 */
#define KVM_IDENTITY_MAP_BASE 0xfeffc000ULL
#define KVM_IDENTITY_MAP_SIZE 0x4000ULL

/* True once the KVM accelerator is initialised.  Any thread. */
bool kvm_enabled(void);

/**
 * kvm_set_irq: drive input @irq (a GSI: 0-15 reach both the in-kernel
 * 8259 pair and IOAPIC pins 0-15, 16-23 the IOAPIC only) to @level.
 * Returns 0 or -errno (-ENODEV without KVM).  Any thread.
 */
int kvm_set_irq(int irq, int level);

/**
 * kvm_vm_ioctl: an ioctl on the VM fd (e.g. KVM_CREATE_PIT2,
 * KVM_SET_GSI_ROUTING).  Returns the ioctl's result (>= 0) or -errno
 * (-ENODEV without KVM).  Any thread.
 */
int kvm_vm_ioctl(unsigned long type, void *arg);

#endif /* ACCEL_KVM_H */
