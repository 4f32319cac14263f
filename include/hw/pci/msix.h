/*
 * msix.h - MSI-X for PCI functions (QEMU 7.2's hw/pci/msix.c, with the
 * state in an MSIXState the device embeds instead of in PCIDevice).
 *
 * msix_init_exclusive_bar() adds the MSI-X capability (12 bytes, at the
 * head of the capability list) and a memory BAR of its own holding the
 * vector table (16 bytes per vector, at 0) and the pending bit array (at
 * half the BAR, 4 KiB for up to 128 vectors), as QEMU.  The guest enables
 * MSI-X and masks the whole function through the capability's control
 * word (the device's config_write must call msix_write_config()), and
 * masks single vectors in the table.  msix_notify() sends vector @v's
 * message - with KVM through KVM_SIGNAL_MSI, otherwise as a bus-master
 * write of the data to the address - or sets its pending bit while it
 * is masked; unmasking a pending vector sends it then.  A vector the
 * device has not msix_vector_use()d is never sent.
 *
 * While MSI-X is enabled the function does not use INTx.
 *
 * Vector notifiers (QEMU's msix_set_vector_notifiers): a device that
 * delivers some vectors itself (virtio-pci: KVM irqfds) is told when a
 * vector becomes unmasked (use, with its message; also when the guest
 * rewrites the address or data of an unmasked entry, where QEMU waits
 * for the next unmask) or masked (release), and is polled before the
 * guest reads the PBA so that it can set the pending bits of what it
 * held back (poll).  use/release run before msix delivers a pending
 * vector on unmask.
 *
 * A message to the local APICs (0xfee00000-0xfeefffff) is sent with
 * KVM_SIGNAL_MSI under KVM; any other address gets a bus-master write of
 * the data, as QEMU's msi_send_message; nothing with bus mastering off.
 *
 * Threads: big lock (config space, table accesses, vector use); notify
 * and the pending bits (atomic) also from the thread completing a
 * device's requests.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

#define PCI_MSIX_FLAGS          2       /* control word, in the cap */
#define  PCI_MSIX_FLAGS_QSIZE   0x07ff
#define  PCI_MSIX_FLAGS_MASKALL 0x4000
#define  PCI_MSIX_FLAGS_ENABLE  0x8000
#define PCI_MSIX_TABLE          4
#define PCI_MSIX_PBA            8
#define PCI_MSIX_ENTRY_SIZE     16
#define PCI_MSIX_ENTRY_LOWER_ADDR  0
#define PCI_MSIX_ENTRY_UPPER_ADDR  4
#define PCI_MSIX_ENTRY_DATA        8
#define PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 1
#define MSIX_CAP_LENGTH         12

#include "accel/kvm.h"

/* QEMU's notifier types (hw/pci/pci.h) */
typedef int (*MSIVectorUseNotifier)(PCIDevice *dev, unsigned int vector,
                                    MSIMessage msg);
typedef void (*MSIVectorReleaseNotifier)(PCIDevice *dev, unsigned int vector);
typedef void (*MSIVectorPollNotifier)(PCIDevice *dev,
                                      unsigned int vector_start,
                                      unsigned int vector_end);

typedef struct MSIXState {
    PCIDevice *dev;
    unsigned nentries;                  /* 0: no MSI-X */
    uint8_t cap;                        /* capability offset */
    uint8_t *table;                     /* nentries * 16 bytes */
    uint8_t *pba;                       /* pending bits */
    unsigned *used;                     /* msix_vector_use counts */
    bool function_masked;               /* !enabled || MASKALL */
    MemoryRegion bar;                   /* the exclusive BAR */
    MemoryRegion table_mmio;
    MemoryRegion pba_mmio;
    MSIVectorUseNotifier vector_use_notifier;
    MSIVectorReleaseNotifier vector_release_notifier;
    MSIVectorPollNotifier vector_poll_notifier;
} MSIXState;

/*
 * msix_init_exclusive_bar: @nentries vectors (1-2048) in BAR @bar_nr of
 * @dev.  Call from realize.  Returns 0, or -EINVAL with @errp set ("The
 * number of MSI-X vectors is invalid").
 */
int msix_init_exclusive_bar(MSIXState *m, PCIDevice *dev,
                            unsigned short nentries, uint8_t bar_nr,
                            Error **errp);
/* Undo it (the capability and the BAR's regions). */
void msix_uninit_exclusive_bar(MSIXState *m);

static inline bool msix_present(const MSIXState *m)
{
    return m->nentries != 0;
}

/* MSI-X enabled by the guest (control word bit 15). */
bool msix_enabled(const MSIXState *m);
/* Whether vector @vector is masked (function or vector mask). */
bool msix_is_masked(const MSIXState *m, unsigned vector);
/* The pending bit of @vector. */
bool msix_is_pending(const MSIXState *m, unsigned vector);

/* Send @vector (or mark it pending while masked). */
void msix_notify(MSIXState *m, unsigned vector);
/* The message of @vector's table entry (in range: the caller checks). */
MSIMessage msix_get_message(const MSIXState *m, unsigned vector);
/* Set @vector's pending bit (a device holding a masked vector back). */
void msix_set_pending(MSIXState *m, unsigned vector);

/*
 * Install the notifiers (all three; poll may be NULL).  If MSI-X is
 * enabled and the function unmasked, @use is called for each unmasked
 * vector at once; a failure undoes that and returns its -errno.
 */
int msix_set_vector_notifiers(MSIXState *m, MSIVectorUseNotifier use,
                              MSIVectorReleaseNotifier release,
                              MSIVectorPollNotifier poll);
/* Remove them, calling @release for each vector they had in use. */
void msix_unset_vector_notifiers(MSIXState *m);

/* The device uses @vector / no longer does (its pending bit is then
 * cleared).  use: -EINVAL if @vector is out of range. */
int msix_vector_use(MSIXState *m, unsigned vector);
void msix_vector_unuse(MSIXState *m, unsigned vector);
void msix_unuse_all_vectors(MSIXState *m);

/* The device's config_write, after pci_default_write_config. */
void msix_write_config(MSIXState *m, uint32_t addr, uint32_t val, int len);

/* Reset: disabled, unmasked function, every vector masked, nothing
 * pending, table zero. */
void msix_reset(MSIXState *m);

#endif /* HW_PCI_MSIX_H */
