/*
 * vblk-lib.h - a polling virtio-blk-pci driver for CPL-3 test guests,
 * through the legacy (virtio 0.9.5) interface of a transitional device
 * (1af4:1001): PCI setup, the status/feature handshake, queue 0 in the
 * legacy layout (PFN, 4 KiB aligned used ring) and one request at a time.
 * Shared by vblk.c and vblk-hostile.c (guest-lib-NAME += vblk-lib).
 *
 * The ring is laid out in vblk_ring_mem; vblk_desc/vblk_avail/vblk_used
 * point into it, so a test may also post chains of its own
 * (vblk_post()).  The device's registers are at VBLK_IO (BAR 0, placed
 * there by vblk_pci_setup()).
 */
#ifndef VBLK_LIB_H
#define VBLK_LIB_H

#include "guest.h"

#define VBLK_IO        0xc100

/* legacy registers (BAR 0) */
#define R_HOST_FEATURES  0
#define R_GUEST_FEATURES 4
#define R_QUEUE_PFN      8
#define R_QUEUE_NUM      12
#define R_QUEUE_SEL      14
#define R_QUEUE_NOTIFY   16
#define R_STATUS         18
#define R_ISR            19
#define R_CONFIG         20             /* MSI-X off */

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40
#define S_FAILED 0x80

#define F_SEG_MAX 2
#define F_BLK_SIZE 6
#define F_FLUSH 9
#define F_CONFIG_WCE 11
#define F_DISCARD 13
#define F_WRITE_ZEROES 14

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_WRITE_ZEROES 13

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2

#define QMAX 256
#define PAGE 4096

/* The modern interface: struct virtio_pci_common_cfg's field offsets */
#define C_DFSELECT  0
#define C_DF        4
#define C_GFSELECT  8
#define C_GF        12
#define C_NUMQ      18
#define C_STATUS    20
#define C_GEN       21
#define C_QSELECT   22
#define C_QSIZE     24
#define C_QENABLE   28
#define C_QNOFF     30
#define C_QDESC     32
#define C_QAVAIL    40
#define C_QUSED     48

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vblk_hdr {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
};

extern unsigned vblk_qnum;
extern struct vring_desc *vblk_desc;
extern volatile uint16_t *vblk_avail;   /* flags, idx, ring[] */
extern volatile uint8_t *vblk_used;     /* flags, idx, ring[] of {id, len} */
extern uint16_t vblk_avail_idx, vblk_used_seen;
extern int vblk_failures;

uint32_t vblk_pci_read32(int dev, int reg);
void vblk_pci_write32(int dev, int reg, uint32_t v);
/* The first 1af4:1001 on bus 0, or -1. */
int vblk_find_device(void);
/* BAR 0 at VBLK_IO, I/O + bus master. */
void vblk_pci_setup(int dev);
/* Prints "FAIL: what" and counts it unless ok. */
void vblk_check(bool ok, const char *what);
/* The pattern of ata.c / ata-pattern.py: word k of sector sec. */
uint32_t vblk_pattern_word(uint32_t pattern, uint64_t sec, unsigned k);

/* Clear the ring memory and the indices, lay out a queue of qnum
 * entries (legacy layout: used ring at the next 4 KiB). */
void vblk_ring_layout(unsigned qnum);
/* Notify queue 0: the legacy register unless a test points it elsewhere
 * (the modern interface's notify capability). */
extern void (*vblk_kick)(void);
/* Queue 0: select it, read its size, clear the ring memory and the
 * indices, lay the rings out and write the PFN.  Returns the size, or 0
 * (nothing set up) if it is 0 or above QMAX. */
unsigned vblk_queue_setup(void);
/* Reset, ACKNOWLEDGE|DRIVER, guest features = host & want, queue 0,
 * DRIVER_OK, all without printing.  Returns the guest features, or
 * 0xffffffff if queue 0 could not be set up. */
uint32_t vblk_init_quiet(uint32_t want);

/* Put head in the avail ring, advance avail->idx by 1 + extra, and
 * (unless kick is false) notify queue 0. */
void vblk_post(uint16_t head, uint16_t extra, bool kick);
/* Wait up to max_cycles TSC cycles for a used entry; true with its id
 * and len if one came. */
bool vblk_poll_used(uint64_t max_cycles, uint32_t *id, uint32_t *len);
/* One request with descriptors 0..2: header, optional data, status.
 * Returns the status byte, or 0xff on a timeout (printed, counted). */
uint8_t vblk_request(uint32_t type, uint64_t sector, void *buf, uint32_t len,
                     bool dev_writes);

#endif
