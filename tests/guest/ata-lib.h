/*
 * ata-lib.h - a small ATA/ATAPI host driver for test guests: the PIIX3
 * IDE function (00:01.1, 8086:7010) of the pc machine, its two legacy
 * channels (0x1f0/0x3f6 and 0x170/0x376) and its bus-master DMA engine
 * (BMDMA, BAR4: 16 ports, 8 per channel).
 *
 * References: ATA/ATAPI-6 (T13/1410D: taskfile, protocols, IDENTIFY),
 * SFF-8038i (bus-master DMA: command/status/PRD registers, PRD format),
 * Intel 82371SB (PIIX3) datasheet (IDETIM decode enable), MMC/SPC (the
 * ATAPI packets). QEMU 7.2's hw/ide/{core,atapi,pci,piix}.c is the
 * behaviour the tests hold qomu to.
 *
 * Link it into a guest with `guest-lib-NAME += ata-lib` in
 * tests/guest/Makefile.objs.
 *
 * Everything runs at CPL 3 with interrupts off, so the library polls:
 * the ATA status register for PIO, the BMDMA status register (INTR or
 * ACTIVE falling) for DMA. Each port access is one exit (~20-30 us), so:
 * - the data port is read/written 32 bits at a time (inl/outl: 128 exits
 *   per 512-byte sector instead of 256);
 * - the device register is written only when the selection changes;
 * - every wait is bounded (ATA_POLL_MAX status reads, i.e. several
 *   seconds): running out is a test failure (ATA_ETIMEDOUT), never a
 *   hang.
 * The device's INTRQ is left enabled (nIEN = 0): QEMU sets the BMDMA
 * INTR bit only when the IDE interrupt is raised. The CPU never takes it
 * (IF = 0); reading the status register acknowledges it.
 *
 * Buffers: physical = virtual in a test guest, so any pointer to guest
 * RAM below 4 GiB (a static array, a fixed address such as 0x01000000)
 * is a DMA address. A DMA buffer must be 2-byte aligned (PRD rule);
 * buffers in this API are byte counts rounded to whole sectors.
 *
 * Error convention: functions return 0 on success or a negative
 * ATA_E* code; the registers seen at the end of the last command are in
 * the drive's `last` (struct ata_regs), whatever the outcome, so a test
 * can print what the controller said (QEMU's answer is the expected
 * output).
 */
#ifndef TESTS_GUEST_ATA_LIB_H
#define TESTS_GUEST_ATA_LIB_H

#include "guest.h"

/* --- PCI --- */

#define ATA_PCI_DEV         1       /* 00:01.1 */
#define ATA_PCI_FN          1
#define ATA_PCI_ID          0x70108086u
/* Where ata_init() puts BAR4 (16 ports) when it has to program it. */
#define ATA_BMDMA_DEFAULT   0xc000

/* --- taskfile registers (offset from the channel's command block) --- */

#define ATA_REG_DATA        0
#define ATA_REG_ERROR       1       /* read */
#define ATA_REG_FEATURE     1       /* write */
#define ATA_REG_NSECT       2       /* ATAPI: interrupt reason (read) */
#define ATA_REG_LBAL        3
#define ATA_REG_LBAM        4       /* ATAPI: byte count low */
#define ATA_REG_LBAH        5       /* ATAPI: byte count high */
#define ATA_REG_DEVICE      6
#define ATA_REG_STATUS      7       /* read: acknowledges INTRQ */
#define ATA_REG_COMMAND     7       /* write */
/* control block: alternate status (read) / device control (write) */

/* status register */
#define ATA_SR_ERR          0x01
#define ATA_SR_IDX          0x02
#define ATA_SR_CORR         0x04
#define ATA_SR_DRQ          0x08
#define ATA_SR_DSC          0x10
#define ATA_SR_DF           0x20
#define ATA_SR_DRDY         0x40
#define ATA_SR_BSY          0x80

/* error register */
#define ATA_ER_AMNF         0x01
#define ATA_ER_TK0NF        0x02
#define ATA_ER_ABRT         0x04
#define ATA_ER_MCR          0x08
#define ATA_ER_IDNF         0x10
#define ATA_ER_MC           0x20
#define ATA_ER_UNC          0x40
#define ATA_ER_ICRC         0x80
/* ATAPI: the error register's high nibble is the sense key */

/* device control register */
#define ATA_DC_NIEN         0x02
#define ATA_DC_SRST         0x04
#define ATA_DC_HOB          0x80

/* device register */
#define ATA_DEV_LBA         0x40
#define ATA_DEV_OBS         0xa0    /* obsolete bits 7 and 5, set by convention */

/* commands */
#define ATA_CMD_NOP                 0x00
#define ATA_CMD_DEVICE_RESET        0x08
#define ATA_CMD_READ_SECTORS        0x20
#define ATA_CMD_READ_SECTORS_EXT    0x24
#define ATA_CMD_READ_DMA_EXT        0x25
#define ATA_CMD_WRITE_SECTORS       0x30
#define ATA_CMD_WRITE_SECTORS_EXT   0x34
#define ATA_CMD_WRITE_DMA_EXT       0x35
#define ATA_CMD_READ_VERIFY         0x40
#define ATA_CMD_PACKET              0xa0
#define ATA_CMD_IDENTIFY_PACKET     0xa1
#define ATA_CMD_READ_DMA            0xc8
#define ATA_CMD_WRITE_DMA           0xca
#define ATA_CMD_CHECK_POWER_MODE    0xe5
#define ATA_CMD_FLUSH_CACHE         0xe7
#define ATA_CMD_FLUSH_CACHE_EXT     0xea
#define ATA_CMD_IDENTIFY            0xec
#define ATA_CMD_SET_FEATURES        0xef

/* SET FEATURES subcommands (feature register) */
#define ATA_SF_ENABLE_WCACHE        0x02
#define ATA_SF_SET_XFER_MODE        0x03    /* count: ATA_XFER_* | mode */
#define ATA_SF_DISABLE_WCACHE       0x82
#define ATA_XFER_PIO                0x08    /* PIO flow control mode n */
#define ATA_XFER_MWDMA              0x20
#define ATA_XFER_UDMA               0x40

/* --- BMDMA (SFF-8038i): BAR4 + 8 * channel + --- */

#define ATA_BM_CMD          0       /* command: START, READ */
#define ATA_BM_STATUS       2       /* status: ACTIVE, ERR, INTR, capable bits */
#define ATA_BM_PRDT         4       /* PRD table address (32-bit, 4-aligned) */

#define ATA_BM_CMD_START    0x01
#define ATA_BM_CMD_READ     0x08    /* bus master writes memory (disk read) */

#define ATA_BM_SR_ACTIVE    0x01
#define ATA_BM_SR_ERR       0x02    /* write 1 to clear */
#define ATA_BM_SR_INTR      0x04    /* write 1 to clear */
#define ATA_BM_SR_DRV0_DMA  0x20    /* software-set "drive 0 DMA capable" */
#define ATA_BM_SR_DRV1_DMA  0x40
#define ATA_BM_SR_SIMPLEX   0x80

/* One Physical Region Descriptor: 2-byte aligned address, byte count in
 * bits 0-15 (0 means 64 KiB), EOT in bit 31 of the second dword. A region
 * must not cross a 64 KiB boundary; the table must be 4-byte aligned and
 * must not cross one either. */
struct ata_prd {
    uint32_t addr;
    uint32_t len;           /* byte count | ATA_PRD_EOT */
};
#define ATA_PRD_EOT         0x80000000u

/* Entries in the library's own PRD table (4 KiB, 4 KiB aligned): enough
 * for any transfer of up to 32 MiB from one contiguous buffer. */
#define ATA_PRD_MAX         512

/* --- error codes (negative return values) --- */

#define ATA_ETIMEDOUT   (-1)    /* BSY/DRQ/DMA wait ran out of polls */
#define ATA_EDEVICE     (-2)    /* ERR or DF set in status: see last.error */
#define ATA_ENODRQ      (-3)    /* data phase expected, DRQ not set */
#define ATA_EBMDMA      (-4)    /* BMDMA ERR, or ACTIVE fell without INTR
                                   (PRD list shorter than the transfer) */
#define ATA_EINVAL      (-5)    /* bad argument (count 0, too big, no drive) */
#define ATA_ENODEV      (-6)    /* no 8086:7010 at 00:01.1, or no drive */

/* Status polls before a wait gives up. Each is an exit (>= 20 us here),
 * so this is several seconds: a flush under cache=none is fdatasync. */
#define ATA_POLL_MAX        400000

/* --- state --- */

/* Registers as read at the end of the last command on a drive. */
struct ata_regs {
    uint8_t status;         /* status register (INTRQ acknowledged) */
    uint8_t error;          /* error register (only meaningful if ERR) */
    uint8_t nsect;          /* sector count / ATAPI interrupt reason */
    uint8_t lbal, lbam, lbah;
    uint8_t bm_status;      /* BMDMA status before the library cleared it
                               (DMA commands only, else 0) */
};

struct ata_drive {
    int channel;            /* 0 primary, 1 secondary */
    int unit;               /* 0 master, 1 slave */
    bool present;           /* answered IDENTIFY (DEVICE or PACKET DEVICE) */
    bool atapi;             /* packet device (ide-cd) */
    bool lba48;             /* IDENTIFY word 83 bit 10 */
    bool use_ext;           /* force the 48-bit (EXT) commands; else only
                               when LBA/count need them (default false) */
    uint64_t sectors;       /* user-addressable sectors (words 100-103 if
                               lba48, else 60-61); 0 for ATAPI */
    char model[41];         /* words 27-46, trailing blanks removed */
    char serial[21];        /* words 10-19, leading/trailing blanks removed */
    char firmware[9];       /* words 23-26 */
    uint16_t id[256];       /* IDENTIFY (PACKET) DEVICE data, as read */
    struct ata_regs last;   /* registers after the last command */
};

struct ata_ctrl {
    uint16_t cmd_base[2];   /* 0x1f0, 0x170 */
    uint16_t ctl_base[2];   /* 0x3f6, 0x376 (alt status / device control) */
    uint16_t bmdma;         /* BAR4 I/O base */
    int selected[2];        /* last unit written to each device register
                               (-1: unknown) */
    uint32_t prdt[2];       /* last PRD table address written to each
                               channel's BMDMA (0: unknown) */
    struct ata_drive drive[4];  /* index channel * 2 + unit */
};

/* The controller; ata_init() fills it. */
extern struct ata_ctrl ata;

/* --- setup --- */

/*
 * Find 8086:7010 at 00:01.1, set IDETIM decode enable (0x40/0x42 bit 15)
 * for both channels, give BAR4 the I/O base @bmdma (ATA_BMDMA_DEFAULT if
 * 0; firmware's assignment is never relied upon), enable I/O space and
 * bus master in COMMAND, clear both device control registers (nIEN = 0),
 * and reset the library state (no drive probed yet). Returns 0 or
 * ATA_ENODEV.
 */
int ata_init(uint16_t bmdma);

/* PCI config access (mechanism #1), bus 0. */
uint32_t ata_pci_read32(int dev, int fn, int reg);
void ata_pci_write32(int dev, int fn, int reg, uint32_t v);
uint16_t ata_pci_read16(int dev, int fn, int reg);
void ata_pci_write16(int dev, int fn, int reg, uint16_t v);

/*
 * Probe drive @index (channel * 2 + unit): select it, IDENTIFY DEVICE, and
 * if that aborts with the packet signature (LBA mid/high 0x14/0xeb),
 * IDENTIFY PACKET DEVICE. Fills ata.drive[index] and returns it, or NULL
 * if nothing answers (its `present` is then false). Does not print.
 */
struct ata_drive *ata_probe(int index);

/* ata_probe() all four positions; returns how many drives answered. */
int ata_probe_all(void);

/* IDENTIFY again into d->id (e.g. after SET FEATURES changed word 85). */
int ata_identify(struct ata_drive *d);

/* Write-cache enabled: IDENTIFY word 85 bit 5 (from d->id). */
static inline bool ata_wcache_enabled(const struct ata_drive *d)
{
    return d->id[85] & (1u << 5);
}

/* --- low level --- */

static inline uint16_t ata_port(const struct ata_drive *d, int reg)
{
    return ata.cmd_base[d->channel] + reg;
}

static inline uint16_t ata_bm_port(const struct ata_drive *d, int reg)
{
    return ata.bmdma + 8 * d->channel + reg;
}

/* Select @d: write the device register and wait for BSY to clear, unless
 * @d is already the selected drive (then no exit at all). 0, or
 * ATA_ETIMEDOUT. */
int ata_select(struct ata_drive *d);

/*
 * Poll the alternate status register until (status & @mask) == @want, or
 * ERR/DF with BSY clear (then ATA_EDEVICE). Returns 0, ATA_EDEVICE or
 * ATA_ETIMEDOUT; the last status read in *st if st is not NULL.
 */
int ata_wait(struct ata_drive *d, uint8_t mask, uint8_t want, uint8_t *st);

/*
 * Load the taskfile for @cmd and issue it: LBA @lba, sector count @count
 * (28-bit form: 0 means 256; 48-bit form when @ext: 0 means 65536, the
 * high-order bytes written first), feature @feature. Selects @d first.
 * LBA mode is set in the device register. Does not wait for completion.
 */
int ata_issue(struct ata_drive *d, uint8_t cmd, uint8_t feature,
              uint64_t lba, uint32_t count, bool ext);

/*
 * Record the end of a command in d->last: the status register (which
 * acknowledges INTRQ) and, only if ERR is set, the error register (else
 * last.error = 0). Two exits at most; last.nsect/lbal/lbam/lbah are left
 * alone (ata_read_taskfile() reads them).
 */
void ata_read_regs(struct ata_drive *d);

/* All of d->last from the taskfile: error, count, LBA low/mid/high, then
 * status (6 exits). */
void ata_read_taskfile(struct ata_drive *d);

/*
 * Software reset of @channel (device control SRST set, then cleared;
 * nIEN stays 0), then wait for BSY to clear on the master. Selects the
 * master (what reset does). 0 or ATA_ETIMEDOUT.
 */
int ata_soft_reset(int channel);

/*
 * Finish a command: wait BSY clear, record d->last, return 0 or
 * ATA_EDEVICE (ERR/DF) or ATA_ETIMEDOUT.
 */
int ata_finish(struct ata_drive *d);

/* A non-data command (FLUSH CACHE, SET FEATURES, NOP, anything). */
int ata_cmd_nodata(struct ata_drive *d, uint8_t cmd, uint8_t feature,
                   uint64_t lba, uint32_t count, bool ext);

/*
 * PIO data-in / data-out commands with @nsect 512-byte sectors of data
 * (the taskfile count is @count, which is normally nsect; passing both
 * lets a test send odd taskfiles). Data moves with inl/outl.
 */
int ata_cmd_pio_in(struct ata_drive *d, uint8_t cmd, uint64_t lba,
                   uint32_t count, bool ext, void *buf, uint32_t nsect);
int ata_cmd_pio_out(struct ata_drive *d, uint8_t cmd, uint64_t lba,
                    uint32_t count, bool ext, const void *buf,
                    uint32_t nsect);

/*
 * A DMA command with a caller-built PRD table @prd (any address, so a
 * test may pass a deliberately bad table): point BMDMA at it (skipped if
 * it already is), clear ERR/INTR, set direction (@to_memory: a read),
 * issue @cmd, start the engine, poll BMDMA status until INTR is set or
 * ACTIVE falls, stop the engine, read the ATA status (and error). About
 * 12 exits plus the polls with a 28-bit command. d->last.bm_status is
 * the BMDMA status seen at the end (INTR/ERR are cleared at the start of
 * the next DMA command). Returns 0 (INTR,
 * no ERR, ATA status without ERR), ATA_EDEVICE, ATA_EBMDMA (BMDMA ERR, or
 * ACTIVE fell without INTR: PRD list too short) or ATA_ETIMEDOUT (the
 * engine is stopped anyway).
 */
int ata_cmd_dma(struct ata_drive *d, uint8_t cmd, uint64_t lba,
                uint32_t count, bool ext, const struct ata_prd *prd,
                bool to_memory);

/*
 * Fill the library's PRD table for @len bytes at @buf (split at 64 KiB
 * boundaries and into 64 KiB pieces; the last entry gets EOT). Returns
 * the table, or NULL if it does not fit ATA_PRD_MAX entries / len is 0
 * or buf is odd or above 4 GiB.
 */
const struct ata_prd *ata_prd_build(const void *buf, uint32_t len);

/* The library's PRD table, for tests that write entries by hand. */
struct ata_prd *ata_prd_table(void);

/* --- high level: sectors (28-bit commands unless d->use_ext or the LBA/
 * count need 48-bit; count 1..256 (28-bit) or 1..65536) --- */

int ata_read_pio(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf);
int ata_write_pio(struct ata_drive *d, uint64_t lba, uint32_t count,
                  const void *buf);
int ata_read_dma(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf);
int ata_write_dma(struct ata_drive *d, uint64_t lba, uint32_t count,
                  const void *buf);
/* FLUSH CACHE (EXT if d->use_ext). */
int ata_flush(struct ata_drive *d);
/* SET FEATURES @feature with sector count @count. */
int ata_set_features(struct ata_drive *d, uint8_t feature, uint8_t count);

/* --- ATAPI (PACKET, PIO or DMA) --- */

/* Sense data after a CHECK CONDITION, from REQUEST SENSE. */
struct atapi_sense {
    uint8_t key, asc, ascq;
};

/*
 * Send the 12-byte @cdb by PACKET. PIO (@dma false): byte count limit
 * @len rounded up to even (max 0xfffe), data read into @buf in as many
 * DRQ blocks as the device makes, each block's size from LBA mid/high;
 * bytes beyond @len are read and dropped. DMA (@dma true): the PRD table
 * covers @buf for @len bytes. *@got (may be NULL) = bytes transferred
 * (PIO: counted; DMA: @len on success). Returns 0, ATA_EDEVICE (CHECK
 * CONDITION: sense key in d->last.error >> 4), or another ATA_E*.
 * Data-out packets are not needed by the tests and not provided.
 */
int atapi_packet(struct ata_drive *d, const uint8_t cdb[12], void *buf,
                 uint32_t len, uint32_t *got, bool dma);

/* REQUEST SENSE (fixed format, 18 bytes) into *s. */
int atapi_request_sense(struct ata_drive *d, struct atapi_sense *s);

/* --- helpers --- */

/* Human name of a return code: "ok", "timeout", "device error", ... */
const char *ata_strerror(int err);

/* Big-endian loads for SCSI data. */
static inline uint32_t ata_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t ata_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

#endif /* TESTS_GUEST_ATA_LIB_H */
