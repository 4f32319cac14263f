/*
 * vblk-xport.h - one setup path for the legacy (1af4:1001, BAR 0 at
 * VBLK_IO) and the modern (1af4:1042, disable-legacy=on, capabilities in
 * BAR 4 at VBLK_BAR4) interface of virtio-blk-pci, for the guests that
 * run the same checks through both (vblk-indirect, vblk-event-idx,
 * vblk-dwz).  Rings and requests are vblk-lib's; this file only finds
 * the device, negotiates 64-bit features, sets up queue 0 (legacy PFN or
 * modern addresses, the legacy layout either way) and gives the status,
 * ISR and config registers.  MSI-X stays disabled and INTx is masked
 * (command bit 10): an interrupt is seen only as ISR bit 0.
 */
#ifndef VBLK_XPORT_H
#define VBLK_XPORT_H

#include "vblk-lib.h"

#define VBLK_BAR4 0xfe000000u

#define F_INDIRECT_DESC 28
#define F_EVENT_IDX 29
#define F_VERSION_1 32
#define T_DISCARD 11
#define VRING_DESC_F_INDIRECT 4

extern bool vblk_modern;

/* Find the device (modern: 1af4:1042, else 1af4:1001), place its BAR,
 * find the capabilities; false (printed) if it is not there. */
bool vblk_open(bool modern);
/* Reset, ACK|DRIVER, features = offered & want (| VERSION_1 if modern),
 * FEATURES_OK (modern), queue 0, DRIVER_OK, ISR cleared.  Returns the
 * negotiated features, ~0 on failure (printed). */
uint64_t vblk_setup(uint64_t want);
/* What the device offers (valid after vblk_setup). */
extern uint64_t vblk_host_features;
uint8_t vblk_get_status(void);
void vblk_set_status(uint8_t st);
/* Read (and so clear) the ISR. */
uint8_t vblk_isr(void);
uint32_t vblk_cfg32(int off);
uint8_t vblk_cfg8(int off);
/* Poll the ISR (read-to-clear) up to max_cycles for bit 0; true if seen. */
bool vblk_isr_wait(uint64_t max_cycles);
/* "legacy" or "modern" */
const char *vblk_xport_name(void);

#endif
