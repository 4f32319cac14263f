/*
 * ata-lib.c - ATA/ATAPI host driver for test guests (see ata-lib.h):
 * PIIX3 IDE legacy channels, PIO with 32-bit data transfers, SFF-8038i
 * bus-master DMA, the ATAPI PACKET protocol. Everything polls.
 */
#include "ata-lib.h"

#define CONFIG_ADDRESS  0xcf8
#define CONFIG_DATA     0xcfc

#define PCI_COMMAND         0x04
#define PCI_COMMAND_IO      0x0001
#define PCI_COMMAND_MASTER  0x0004
#define PCI_BAR4            0x20
#define PIIX_IDETIM_PRI     0x40
#define PIIX_IDETIM_SEC     0x42
#define PIIX_IDETIM_IDE     0x8000  /* IDE decode enable */

struct ata_ctrl ata;

/* 4 KiB, 4 KiB aligned: never crosses a 64 KiB boundary. */
static struct ata_prd prd_table[ATA_PRD_MAX] __attribute__((aligned(4096)));

/* --- PCI --- */

static uint32_t cfg_addr(int dev, int fn, int reg)
{
    return 0x80000000u | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (reg & 0xfc);
}

uint32_t ata_pci_read32(int dev, int fn, int reg)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    return inl(CONFIG_DATA);
}

void ata_pci_write32(int dev, int fn, int reg, uint32_t v)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    outl(CONFIG_DATA, v);
}

uint16_t ata_pci_read16(int dev, int fn, int reg)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    return inw(CONFIG_DATA + (reg & 2));
}

void ata_pci_write16(int dev, int fn, int reg, uint16_t v)
{
    outl(CONFIG_ADDRESS, cfg_addr(dev, fn, reg));
    outw(CONFIG_DATA + (reg & 2), v);
}

int ata_init(uint16_t bmdma)
{
    if (ata_pci_read32(ATA_PCI_DEV, ATA_PCI_FN, 0) != ATA_PCI_ID) {
        return ATA_ENODEV;
    }
    memset(&ata, 0, sizeof(ata));
    ata.cmd_base[0] = 0x1f0;
    ata.cmd_base[1] = 0x170;
    ata.ctl_base[0] = 0x3f6;
    ata.ctl_base[1] = 0x376;
    ata.bmdma = bmdma ? bmdma : ATA_BMDMA_DEFAULT;
    ata.selected[0] = ata.selected[1] = -1;
    for (int i = 0; i < 4; i++) {
        ata.drive[i].channel = i >> 1;
        ata.drive[i].unit = i & 1;
    }

    /* The PIIX decodes the legacy ports only with IDETIM bit 15 set
     * (QEMU decodes them regardless). */
    ata_pci_write16(ATA_PCI_DEV, ATA_PCI_FN, PIIX_IDETIM_PRI,
                    ata_pci_read16(ATA_PCI_DEV, ATA_PCI_FN, PIIX_IDETIM_PRI) |
                    PIIX_IDETIM_IDE);
    ata_pci_write16(ATA_PCI_DEV, ATA_PCI_FN, PIIX_IDETIM_SEC,
                    ata_pci_read16(ATA_PCI_DEV, ATA_PCI_FN, PIIX_IDETIM_SEC) |
                    PIIX_IDETIM_IDE);
    ata_pci_write32(ATA_PCI_DEV, ATA_PCI_FN, PCI_BAR4, ata.bmdma | 1);
    /* nIEN off (firmware such as SeaBIOS leaves it set): QEMU sets the
     * BMDMA INTR bit only when the drive raises INTRQ. */
    outb(ata.ctl_base[0], 0);
    outb(ata.ctl_base[1], 0);
    ata_pci_write16(ATA_PCI_DEV, ATA_PCI_FN, PCI_COMMAND,
                    ata_pci_read16(ATA_PCI_DEV, ATA_PCI_FN, PCI_COMMAND) |
                    PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    return 0;
}

/* --- low level --- */

static uint8_t alt_status(const struct ata_drive *d)
{
    return inb(ata.ctl_base[d->channel]);
}

int ata_wait(struct ata_drive *d, uint8_t mask, uint8_t want, uint8_t *st)
{
    uint8_t s = 0;

    for (long i = 0; i < ATA_POLL_MAX; i++) {
        s = alt_status(d);
        if (!(s & ATA_SR_BSY) && (s & (ATA_SR_ERR | ATA_SR_DF))) {
            if (st) {
                *st = s;
            }
            return ATA_EDEVICE;
        }
        if ((s & mask) == want) {
            if (st) {
                *st = s;
            }
            return 0;
        }
    }
    if (st) {
        *st = s;
    }
    return ATA_ETIMEDOUT;
}

/* Wait for BSY to clear; ERR does not matter here. */
static int wait_not_busy(struct ata_drive *d, uint8_t *st)
{
    uint8_t s = 0;

    for (long i = 0; i < ATA_POLL_MAX; i++) {
        s = alt_status(d);
        if (!(s & ATA_SR_BSY)) {
            if (st) {
                *st = s;
            }
            return 0;
        }
    }
    if (st) {
        *st = s;
    }
    return ATA_ETIMEDOUT;
}

int ata_select(struct ata_drive *d)
{
    /* Already selected: the library leaves a drive idle after every
     * command (or reports a failure), so there is nothing to wait for. */
    if (ata.selected[d->channel] == d->unit) {
        return 0;
    }
    outb(ata_port(d, ATA_REG_DEVICE), ATA_DEV_OBS | ATA_DEV_LBA | d->unit << 4);
    ata.selected[d->channel] = d->unit;
    return wait_not_busy(d, NULL);
}

int ata_soft_reset(int channel)
{
    struct ata_drive *d = &ata.drive[channel * 2];

    outb(ata.ctl_base[channel], ATA_DC_SRST);
    outb(ata.ctl_base[channel], 0);
    ata.selected[channel] = 0;
    return wait_not_busy(d, NULL);
}

void ata_read_regs(struct ata_drive *d)
{
    d->last.status = inb(ata_port(d, ATA_REG_STATUS));
    d->last.error = d->last.status & ATA_SR_ERR ?
                    inb(ata_port(d, ATA_REG_ERROR)) : 0;
}

void ata_read_taskfile(struct ata_drive *d)
{
    d->last.error = inb(ata_port(d, ATA_REG_ERROR));
    d->last.nsect = inb(ata_port(d, ATA_REG_NSECT));
    d->last.lbal = inb(ata_port(d, ATA_REG_LBAL));
    d->last.lbam = inb(ata_port(d, ATA_REG_LBAM));
    d->last.lbah = inb(ata_port(d, ATA_REG_LBAH));
    d->last.status = inb(ata_port(d, ATA_REG_STATUS));
}

int ata_issue(struct ata_drive *d, uint8_t cmd, uint8_t feature,
              uint64_t lba, uint32_t count, bool ext)
{
    uint16_t base = ata.cmd_base[d->channel];
    int ret = ata_select(d);

    d->last = (struct ata_regs){ 0 };
    if (ret) {
        d->last.status = alt_status(d);
        return ret;
    }
    if (ext) {
        /* High-order bytes first: each register is a 2-deep FIFO. */
        outb(base + ATA_REG_FEATURE, 0);
        outb(base + ATA_REG_NSECT, count >> 8);
        outb(base + ATA_REG_LBAL, lba >> 24);
        outb(base + ATA_REG_LBAM, lba >> 32);
        outb(base + ATA_REG_LBAH, lba >> 40);
        outb(base + ATA_REG_FEATURE, feature);
        outb(base + ATA_REG_NSECT, count);
        outb(base + ATA_REG_LBAL, lba);
        outb(base + ATA_REG_LBAM, lba >> 8);
        outb(base + ATA_REG_LBAH, lba >> 16);
        outb(base + ATA_REG_DEVICE, ATA_DEV_OBS | ATA_DEV_LBA | d->unit << 4);
    } else {
        outb(base + ATA_REG_FEATURE, feature);
        outb(base + ATA_REG_NSECT, count);
        outb(base + ATA_REG_LBAL, lba);
        outb(base + ATA_REG_LBAM, lba >> 8);
        outb(base + ATA_REG_LBAH, lba >> 16);
        outb(base + ATA_REG_DEVICE, ATA_DEV_OBS | ATA_DEV_LBA | d->unit << 4 |
                                    ((lba >> 24) & 0xf));
    }
    outb(base + ATA_REG_COMMAND, cmd);
    return 0;
}

int ata_finish(struct ata_drive *d)
{
    int ret = wait_not_busy(d, NULL);

    ata_read_regs(d);
    if (ret) {
        return ret;
    }
    return d->last.status & (ATA_SR_ERR | ATA_SR_DF) ? ATA_EDEVICE : 0;
}

int ata_cmd_nodata(struct ata_drive *d, uint8_t cmd, uint8_t feature,
                   uint64_t lba, uint32_t count, bool ext)
{
    int ret = ata_issue(d, cmd, feature, lba, count, ext);

    return ret ? ret : ata_finish(d);
}

/* A failed data phase: record the registers, keep the wait's verdict. */
static int data_phase_failed(struct ata_drive *d, int ret)
{
    ata_read_regs(d);
    return ret;
}

int ata_cmd_pio_in(struct ata_drive *d, uint8_t cmd, uint64_t lba,
                   uint32_t count, bool ext, void *buf, uint32_t nsect)
{
    uint16_t data = ata_port(d, ATA_REG_DATA);
    uint32_t *p = buf;
    int ret = ata_issue(d, cmd, 0, lba, count, ext);

    if (ret) {
        return ret;
    }
    for (uint32_t s = 0; s < nsect; s++) {
        ret = ata_wait(d, ATA_SR_BSY | ATA_SR_DRQ, ATA_SR_DRQ, NULL);
        if (ret) {
            return data_phase_failed(d, ret);
        }
        for (int i = 0; i < 128; i++) {
            *p++ = inl(data);
        }
    }
    return ata_finish(d);
}

int ata_cmd_pio_out(struct ata_drive *d, uint8_t cmd, uint64_t lba,
                    uint32_t count, bool ext, const void *buf,
                    uint32_t nsect)
{
    uint16_t data = ata_port(d, ATA_REG_DATA);
    const uint32_t *p = buf;
    int ret = ata_issue(d, cmd, 0, lba, count, ext);

    if (ret) {
        return ret;
    }
    for (uint32_t s = 0; s < nsect; s++) {
        ret = ata_wait(d, ATA_SR_BSY | ATA_SR_DRQ, ATA_SR_DRQ, NULL);
        if (ret) {
            return data_phase_failed(d, ret);
        }
        for (int i = 0; i < 128; i++) {
            outl(data, *p++);
        }
    }
    return ata_finish(d);
}

/* --- DMA --- */

struct ata_prd *ata_prd_table(void)
{
    return prd_table;
}

const struct ata_prd *ata_prd_build(const void *buf, uint32_t len)
{
    uint64_t addr = (uintptr_t)buf;
    int n = 0;

    if (!len || (addr & 1) || addr + len > 0x100000000ull) {
        return NULL;
    }
    while (len) {
        /* Up to the next 64 KiB boundary, at most 64 KiB. */
        uint32_t chunk = 0x10000 - (addr & 0xffff);

        if (chunk > len) {
            chunk = len;
        }
        if (n == ATA_PRD_MAX) {
            return NULL;
        }
        prd_table[n].addr = addr;
        prd_table[n].len = chunk & 0xffff;      /* 64 KiB is written as 0 */
        n++;
        addr += chunk;
        len -= chunk;
    }
    prd_table[n - 1].len |= ATA_PRD_EOT;
    return prd_table;
}

/* Point the engine at @prd, clear ERR/INTR, set the direction. The
 * engine is stopped: bm_run() always stops it. */
static void bm_setup(struct ata_drive *d, const struct ata_prd *prd,
                     bool to_memory)
{
    uint16_t bm = ata_bm_port(d, 0);
    uint32_t addr = (uint32_t)(uintptr_t)prd;

    if (ata.prdt[d->channel] != addr) {
        outl(bm + ATA_BM_PRDT, addr);
        ata.prdt[d->channel] = addr;
    }
    outb(bm + ATA_BM_STATUS, ATA_BM_SR_DRV0_DMA | ATA_BM_SR_DRV1_DMA |
                             ATA_BM_SR_ERR | ATA_BM_SR_INTR);
    outb(bm + ATA_BM_CMD, to_memory ? ATA_BM_CMD_READ : 0);
}

/* Start, poll until INTR or ACTIVE falls, stop; then the ATA side. */
static int bm_run(struct ata_drive *d, bool to_memory)
{
    uint16_t bm = ata_bm_port(d, 0);
    uint8_t dir = to_memory ? ATA_BM_CMD_READ : 0;
    uint8_t s = 0;
    bool done = false;
    int ret;

    outb(bm + ATA_BM_CMD, dir | ATA_BM_CMD_START);
    for (long i = 0; i < ATA_POLL_MAX; i++) {
        s = inb(bm + ATA_BM_STATUS);
        if ((s & ATA_BM_SR_INTR) || !(s & ATA_BM_SR_ACTIVE)) {
            done = true;
            break;
        }
    }
    outb(bm + ATA_BM_CMD, dir);
    ata_read_regs(d);
    ret = 0;
    if (d->last.status & ATA_SR_BSY) {
        ret = wait_not_busy(d, NULL);
        ata_read_regs(d);
    }
    d->last.bm_status = s;
    if (!done || ret) {
        return ATA_ETIMEDOUT;
    }
    if (d->last.status & (ATA_SR_ERR | ATA_SR_DF)) {
        return ATA_EDEVICE;
    }
    if ((s & ATA_BM_SR_ERR) || !(s & ATA_BM_SR_INTR)) {
        return ATA_EBMDMA;
    }
    return 0;
}

int ata_cmd_dma(struct ata_drive *d, uint8_t cmd, uint64_t lba,
                uint32_t count, bool ext, const struct ata_prd *prd,
                bool to_memory)
{
    int ret;

    bm_setup(d, prd, to_memory);
    ret = ata_issue(d, cmd, 0, lba, count, ext);
    if (ret) {
        return ret;
    }
    return bm_run(d, to_memory);
}

/* --- high level --- */

/* Which form for (lba, count): 0 = 28-bit, 1 = 48-bit, <0 = error. */
static int want_ext(const struct ata_drive *d, uint64_t lba, uint32_t count)
{
    bool ext;

    if (!d->present || d->atapi || count == 0 || count > 65536) {
        return ATA_EINVAL;
    }
    ext = d->use_ext || count > 256 || lba + count > 0x0fffffff;
    if (ext && (!d->lba48 || lba + count > (1ull << 48))) {
        return ATA_EINVAL;
    }
    return ext;
}

int ata_read_pio(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf)
{
    int ext = want_ext(d, lba, count);

    if (ext < 0) {
        return ext;
    }
    return ata_cmd_pio_in(d, ext ? ATA_CMD_READ_SECTORS_EXT : ATA_CMD_READ_SECTORS,
                          lba, count, ext, buf, count);
}

int ata_write_pio(struct ata_drive *d, uint64_t lba, uint32_t count,
                  const void *buf)
{
    int ext = want_ext(d, lba, count);

    if (ext < 0) {
        return ext;
    }
    return ata_cmd_pio_out(d, ext ? ATA_CMD_WRITE_SECTORS_EXT : ATA_CMD_WRITE_SECTORS,
                           lba, count, ext, buf, count);
}

int ata_read_dma(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf)
{
    int ext = want_ext(d, lba, count);
    const struct ata_prd *prd;

    if (ext < 0) {
        return ext;
    }
    prd = ata_prd_build(buf, count * 512);
    if (!prd) {
        return ATA_EINVAL;
    }
    return ata_cmd_dma(d, ext ? ATA_CMD_READ_DMA_EXT : ATA_CMD_READ_DMA,
                       lba, count, ext, prd, true);
}

int ata_write_dma(struct ata_drive *d, uint64_t lba, uint32_t count,
                  const void *buf)
{
    int ext = want_ext(d, lba, count);
    const struct ata_prd *prd;

    if (ext < 0) {
        return ext;
    }
    prd = ata_prd_build(buf, count * 512);
    if (!prd) {
        return ATA_EINVAL;
    }
    return ata_cmd_dma(d, ext ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_WRITE_DMA,
                       lba, count, ext, prd, false);
}

int ata_flush(struct ata_drive *d)
{
    return ata_cmd_nodata(d, d->use_ext ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE,
                          0, 0, 0, false);
}

int ata_set_features(struct ata_drive *d, uint8_t feature, uint8_t count)
{
    return ata_cmd_nodata(d, ATA_CMD_SET_FEATURES, feature, 0, count, false);
}

/* --- IDENTIFY --- */

/* IDENTIFY strings: two characters per word, the first in the high byte. */
static void id_string(char *dst, const uint16_t *id, int first, int words)
{
    int n = 0, start = 0;

    for (int w = first; w < first + words; w++) {
        dst[n++] = id[w] >> 8;
        dst[n++] = id[w] & 0xff;
    }
    dst[n] = 0;
    while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == 0)) {
        dst[--n] = 0;
    }
    while (dst[start] == ' ') {
        start++;
    }
    if (start) {
        memmove(dst, dst + start, n - start + 1);
    }
}

static void parse_identify(struct ata_drive *d)
{
    const uint16_t *id = d->id;

    id_string(d->serial, id, 10, 10);
    id_string(d->firmware, id, 23, 4);
    id_string(d->model, id, 27, 20);
    d->lba48 = !d->atapi && (id[83] & (1u << 10));
    if (d->atapi) {
        d->sectors = 0;
    } else if (d->lba48) {
        d->sectors = (uint64_t)id[100] | (uint64_t)id[101] << 16 |
                     (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
    } else {
        d->sectors = (uint32_t)id[60] | (uint32_t)id[61] << 16;
    }
}

int ata_identify(struct ata_drive *d)
{
    int ret = ata_cmd_pio_in(d, d->atapi ? ATA_CMD_IDENTIFY_PACKET : ATA_CMD_IDENTIFY,
                             0, 0, false, d->id, 1);

    if (!ret) {
        parse_identify(d);
    }
    return ret;
}

struct ata_drive *ata_probe(int index)
{
    struct ata_drive *d = &ata.drive[index & 3];
    uint8_t s;
    int ret;

    d->present = d->atapi = d->lba48 = false;
    d->sectors = 0;
    /* Select, then look: QEMU reads 0 from the status of a position
     * without a drive; a floating bus reads 0xff. */
    outb(ata_port(d, ATA_REG_DEVICE), ATA_DEV_OBS | d->unit << 4);
    ata.selected[d->channel] = d->unit;
    s = alt_status(d);
    if (s == 0 || s == 0xff) {
        d->last = (struct ata_regs){ .status = s };
        return NULL;
    }
    if (wait_not_busy(d, NULL)) {
        return NULL;
    }
    ret = ata_cmd_pio_in(d, ATA_CMD_IDENTIFY, 0, 0, false, d->id, 1);
    if (ret == ATA_EDEVICE) {
        ata_read_taskfile(d);
        if (d->last.lbam == 0x14 && d->last.lbah == 0xeb) {
            d->atapi = true;
            ret = ata_cmd_pio_in(d, ATA_CMD_IDENTIFY_PACKET, 0, 0, false,
                                 d->id, 1);
        }
    }
    if (ret) {
        d->atapi = false;
        return NULL;
    }
    d->present = true;
    parse_identify(d);
    return d;
}

int ata_probe_all(void)
{
    int n = 0;

    for (int i = 0; i < 4; i++) {
        n += ata_probe(i) != NULL;
    }
    return n;
}

/* --- ATAPI --- */

int atapi_packet(struct ata_drive *d, const uint8_t cdb[12], void *buf,
                 uint32_t len, uint32_t *got, bool dma)
{
    uint16_t base = ata.cmd_base[d->channel];
    uint16_t data = base + ATA_REG_DATA;
    uint32_t limit = len > 0xfffe ? 0xfffe : (len + 1) & ~1u;
    uint32_t done = 0;
    uint32_t words[3];
    const struct ata_prd *prd = NULL;
    uint8_t *out = buf;
    int ret;

    if (got) {
        *got = 0;
    }
    if (!d->present || !d->atapi) {
        return ATA_EINVAL;
    }
    if (dma) {
        prd = ata_prd_build(buf, len);
        if (!prd) {
            return ATA_EINVAL;
        }
        bm_setup(d, prd, true);
    }
    ret = ata_select(d);
    d->last = (struct ata_regs){ 0 };
    if (ret) {
        return ret;
    }
    outb(base + ATA_REG_FEATURE, dma ? 1 : 0);
    outb(base + ATA_REG_LBAM, limit);
    outb(base + ATA_REG_LBAH, limit >> 8);
    outb(base + ATA_REG_DEVICE, ATA_DEV_OBS | d->unit << 4);
    outb(base + ATA_REG_COMMAND, ATA_CMD_PACKET);
    ret = ata_wait(d, ATA_SR_BSY | ATA_SR_DRQ, ATA_SR_DRQ, NULL);
    if (ret) {
        ata_read_taskfile(d);
        return ret;
    }
    memcpy(words, cdb, 12);
    for (int i = 0; i < 3; i++) {
        outl(data, words[i]);
    }

    if (dma) {
        ret = bm_run(d, true);
        if (!ret && got) {
            *got = len;
        }
        if (ret == ATA_EDEVICE || ret == ATA_EBMDMA) {
            ata_read_taskfile(d);
        }
        return ret;
    }

    for (;;) {
        uint8_t s;
        uint32_t n;

        ret = wait_not_busy(d, &s);
        if (ret) {
            ata_read_taskfile(d);
            return ret;
        }
        if (!(s & ATA_SR_DRQ)) {
            break;
        }
        n = inb(base + ATA_REG_LBAM) | (uint32_t)inb(base + ATA_REG_LBAH) << 8;
        if (n == 0) {
            break;      /* DRQ without a byte count: not a data phase */
        }
        for (uint32_t i = 0; i < n; i += 4) {
            uint32_t v;
            uint32_t take = n - i >= 4 ? 4 : n - i;

            v = take == 4 ? inl(data) : inw(data);
            for (uint32_t b = 0; b < take; b++) {
                if (done < len) {
                    out[done] = v >> (8 * b);
                }
                done++;
            }
        }
    }
    ata_read_taskfile(d);
    if (got) {
        *got = done;
    }
    return d->last.status & (ATA_SR_ERR | ATA_SR_DF) ? ATA_EDEVICE : 0;
}

int atapi_request_sense(struct ata_drive *d, struct atapi_sense *s)
{
    static const uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 };
    uint8_t buf[18] = { 0 };
    int ret = atapi_packet(d, cdb, buf, sizeof(buf), NULL, false);

    s->key = buf[2] & 0x0f;
    s->asc = buf[12];
    s->ascq = buf[13];
    return ret;
}

const char *ata_strerror(int err)
{
    switch (err) {
    case 0:
        return "ok";
    case ATA_ETIMEDOUT:
        return "timeout";
    case ATA_EDEVICE:
        return "device error";
    case ATA_ENODRQ:
        return "no DRQ";
    case ATA_EBMDMA:
        return "bmdma error";
    case ATA_EINVAL:
        return "invalid argument";
    case ATA_ENODEV:
        return "no device";
    default:
        return "unknown error";
    }
}
