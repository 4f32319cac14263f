/*
 * ide-helper.h - what the IDE tests share (test-ide-hd, test-ide-cd,
 * test-ide-bus): an IDE bus with no controller (a root bus "ide.N" whose
 * interrupt output is a recorded line), disk images in a temporary
 * directory opened as named drives, the ATA registers driven through
 * the ioport functions a controller maps, and a fake IDEDMA (one PRD
 * region in a RAM address space) for the DMA commands.
 *
 *   IdeFx fx;
 *   ide_fx_init(&fx);
 *   ide_fx_drive(&fx, "d0", 8 << 20, "");      image + drive "d0"
 *   ide_fx_add(&fx, "ide-hd", "drive=d0", &error_abort);
 *   ata_w(&fx, ATA_IOPORT_WR_SECTOR_COUNT, 1); ... ata_cmd(&fx, WIN_READ);
 *   ide_fx_wait(&fx);                          until BSY clears
 *   ide_fx_done(&fx);
 */
#ifndef TESTS_UNIT_IDE_HELPER_H
#define TESTS_UNIT_IDE_HELPER_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/keyval.h"
#include "util/bql.h"
#include "block/aio.h"
#include "block/blkdebug.h"
#include "system/runstate.h"
#include "hw/core/qdev-properties.h"
#include "hw/ide/internal.h"
#include "block-helper.h"

#define FX_RAM_SIZE (1 << 20)

typedef struct IdeFx {
    IDEBus *bus;
    qemu_irq irq;
    int irq_level;
    int irq_raises;             /* 0 -> 1 edges */
    DeviceState *dev[4];
    int ndev;
    BlockBackend *blk[4];       /* drives we opened (named) */
    char *paths[4];
    int nblk;
    /* fake DMA */
    IDEDMA dma;
    IDEState *dma_s;
    BlockCompletionFunc *dma_cb;
    bool dma_active;            /* between start_dma and set_inactive */
    int dma_starts;
    int dma_restarts;
    MemoryRegion ram;
    AddressSpace as;
    uint8_t *ram_ptr;
    uint64_t prd_addr;          /* the one PRD region */
    uint32_t prd_len;
    uint32_t prd_pos;           /* consumed so far */
    uint32_t rw_pos;            /* ATAPI rw_buf cursor */
} IdeFx;

static const char *ide_fx_dir;

static void ide_fx_irq(void *opaque, int n, int level)
{
    IdeFx *fx = opaque;

    if (level && !fx->irq_level) {
        fx->irq_raises++;
    }
    fx->irq_level = level;
}

/* --- fake DMA ------------------------------------------------------------ */

static IdeFx *fx_of_dma(const IDEDMA *dma)
{
    return container_of(dma, IdeFx, dma);
}

static void fx_start_dma(const IDEDMA *dma, IDEState *s,
                         BlockCompletionFunc *cb)
{
    IdeFx *fx = fx_of_dma(dma);

    fx->dma_s = s;
    fx->dma_cb = cb;
    fx->dma_active = true;
    fx->dma_starts++;
    fx->prd_pos = 0;
    fx->rw_pos = 0;
}

/* bmdma_prepare_buf with a one-entry PRD table */
static int32_t fx_prepare_buf(const IDEDMA *dma, int32_t limit)
{
    IdeFx *fx = fx_of_dma(dma);
    IDEState *s = fx->dma_s;
    uint32_t left = fx->prd_len - fx->prd_pos;
    uint32_t sg_len = MIN((uint32_t)limit, left);

    qemu_sglist_init(&s->sg, NULL, 1, &fx->as);
    s->io_buffer_size = 0;
    if (left) {
        if (sg_len) {
            qemu_sglist_add(&s->sg, fx->prd_addr + fx->prd_pos, sg_len);
        }
        s->io_buffer_size = left;
        fx->prd_pos = fx->prd_len;
    }
    return s->sg.size;
}

/* bmdma_rw_buf for ATAPI DMA: device buffer -> PRD region */
static int fx_rw_buf(const IDEDMA *dma, bool is_write)
{
    IdeFx *fx = fx_of_dma(dma);
    IDEState *s = fx->dma_s;
    uint32_t n = s->io_buffer_size - s->io_buffer_index;

    if (fx->rw_pos + n > fx->prd_len) {
        n = fx->prd_len - fx->rw_pos;
    }
    if (!n) {
        return 0;
    }
    memcpy(fx->ram_ptr + fx->prd_addr + fx->rw_pos,
           s->io_buffer + s->io_buffer_index, n);
    fx->rw_pos += n;
    s->io_buffer_index += n;
    return 1;
}

static void fx_set_inactive(const IDEDMA *dma, bool more)
{
    fx_of_dma(dma)->dma_active = false;
}

static void fx_restart_dma(const IDEDMA *dma)
{
    fx_of_dma(dma)->dma_restarts++;
}

static const IDEDMAOps fx_dma_ops = {
    .start_dma = fx_start_dma,
    .prepare_buf = fx_prepare_buf,
    .rw_buf = fx_rw_buf,
    .set_inactive = fx_set_inactive,
    .restart_dma = fx_restart_dma,
};

/* The guest sets the bus master's start bit: run the DMA callback. */
static inline void ide_fx_dma_go(IdeFx *fx, uint64_t addr, uint32_t len)
{
    g_assert(fx->dma_cb);
    fx->prd_addr = addr;
    fx->prd_len = len;
    fx->prd_pos = 0;
    fx->dma_cb(fx->dma_s, 0);
}

/* --- the fixture ----------------------------------------------------------- */

static inline void ide_fx_init(IdeFx *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->bus = g_new0(IDEBus, 1);
    ide_bus_init(fx->bus, sizeof(IDEBus), NULL, 0, 2);
    qbus_realize(&fx->bus->qbus, &error_abort);
    fx->irq = qemu_allocate_irq(ide_fx_irq, fx, 0);
    ide_bus_init_output_irq(fx->bus, fx->irq);
    ide_bus_register_restart_cb(fx->bus);

    g_assert(memory_region_init_ram(&fx->ram, NULL, "ide-fx-ram",
                                    FX_RAM_SIZE, &error_abort));
    address_space_init(&fx->as, &fx->ram, "ide-fx");
    fx->ram_ptr = memory_region_get_ram_ptr(&fx->ram);
    fx->dma.ops = &fx_dma_ops;
}

/* Use the fake DMA engine (the core's no-op one otherwise). */
static inline void ide_fx_use_dma(IdeFx *fx)
{
    fx->bus->dma = &fx->dma;
}

/* A @size-byte image whose sector i is filled with (i & 0xff), opened as
 * drive @name with node options @spec ("" = raw; blkdebug below raw with
 * "debug"), read-write unless @ro. */
static inline BlockBackend *ide_fx_drive_full(IdeFx *fx, const char *name,
                                              int64_t size, bool debug,
                                              bool ro)
{
    g_autofree char *file = g_strdup_printf("%s.img", name);
    char *path = g_build_filename(ide_fx_dir, file, NULL);
    g_autofree char *spec = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    uint8_t sec[512];
    BlockBackend *blk;

    g_assert(fd >= 0);
    g_assert(ftruncate(fd, size) == 0);
    for (int i = 0; i < 64 && i * 512 < size; i++) {
        memset(sec, i & 0xff, sizeof(sec));
        g_assert(pwrite(fd, sec, 512, i * 512) == 512);
    }
    close(fd);
    if (debug) {
        spec = g_strdup_printf("driver=raw,discard=unmap,"
                               "file.driver=blkdebug,"
                               "file.image.filename=%s", path);
        blk = blk_new_open(NULL, bt_opts(spec), ro ? 0 : BDRV_O_RDWR,
                           &error_abort);
    } else {
        blk = blk_new_open(path, bt_opts("driver=raw"), ro ? 0 : BDRV_O_RDWR,
                           &error_abort);
    }
    g_assert(monitor_add_blk(blk, name, &error_abort));
    fx->blk[fx->nblk] = blk;
    fx->paths[fx->nblk++] = path;
    return blk;
}

static inline BlockBackend *ide_fx_drive(IdeFx *fx, const char *name,
                                         int64_t size)
{
    return ide_fx_drive_full(fx, name, size, false, false);
}

/* The blkdebug node of a drive opened with debug. */
static inline BlockDriverState *ide_fx_dbg(BlockBackend *blk)
{
    return bdrv_file_bs(blk_bs(blk));
}

/* Create @type with "k=v,..." @props on the bus; NULL with @errp set if
 * it cannot be realized. */
static inline DeviceState *ide_fx_add(IdeFx *fx, const char *type,
                                      const char *props, Error **errp)
{
    DeviceState *dev = qdev_new(type);
    g_auto(GStrv) kv = g_strsplit(props ? props : "", ",", -1);

    for (int i = 0; kv[i]; i++) {
        g_auto(GStrv) p = g_strsplit(kv[i], "=", 2);

        if (!p[0] || !*p[0]) {
            continue;
        }
        if (!object_property_parse(OBJECT(dev), p[0], p[1] ? p[1] : "",
                                   errp)) {
            object_unref(dev);
            return NULL;
        }
    }
    if (!qdev_realize(dev, &fx->bus->qbus, errp)) {
        object_unref(dev);
        return NULL;
    }
    object_unref(dev);          /* the bus (and /machine/unattached) hold it */
    fx->dev[fx->ndev++] = dev;
    return dev;
}

static inline void ide_fx_done(IdeFx *fx)
{
    for (int i = fx->ndev - 1; i >= 0; i--) {
        object_unparent(OBJECT(fx->dev[i]));
    }
    qbus_unrealize(&fx->bus->qbus);
    object_unref(OBJECT(fx->bus));
    g_free(fx->bus);
    qemu_free_irq(fx->irq);
    address_space_destroy(&fx->as);
    object_unparent(OBJECT(&fx->ram));
    for (int i = 0; i < fx->nblk; i++) {
        monitor_remove_blk(fx->blk[i]);
        blk_unref(fx->blk[i]);
        unlink(fx->paths[i]);
        g_free(fx->paths[i]);
    }
    /* let deferred frees (flat views, BHs) run */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* --- registers --------------------------------------------------------------- */

static inline void ata_w(IdeFx *fx, int reg, uint32_t val)
{
    ide_ioport_write(fx->bus, reg, val);
}

static inline uint32_t ata_r(IdeFx *fx, int reg)
{
    return ide_ioport_read(fx->bus, reg);
}

/* The alternate status: does not acknowledge the interrupt. */
static inline uint32_t ata_altstatus(IdeFx *fx)
{
    return ide_status_read(fx->bus, 0);
}

static inline void ata_cmd(IdeFx *fx, uint8_t cmd)
{
    ata_w(fx, ATA_IOPORT_WR_COMMAND, cmd);
}

/* LBA28 task file: device @unit, @lba, @count. */
static inline void ata_lba28(IdeFx *fx, int unit, uint32_t lba, uint8_t count)
{
    ata_w(fx, ATA_IOPORT_WR_DEVICE_HEAD,
          ATA_DEV_LBA | (unit ? ATA_DEV_SELECT : 0) | ((lba >> 24) & 0xf));
    ata_w(fx, ATA_IOPORT_WR_SECTOR_COUNT, count);
    ata_w(fx, ATA_IOPORT_WR_SECTOR_NUMBER, lba & 0xff);
    ata_w(fx, ATA_IOPORT_WR_CYLINDER_LOW, (lba >> 8) & 0xff);
    ata_w(fx, ATA_IOPORT_WR_CYLINDER_HIGH, (lba >> 16) & 0xff);
}

/* LBA48 task file: high bytes first (the "previous" register contents). */
static inline void ata_lba48(IdeFx *fx, int unit, uint64_t lba, uint16_t count)
{
    ata_w(fx, ATA_IOPORT_WR_DEVICE_HEAD,
          ATA_DEV_LBA | (unit ? ATA_DEV_SELECT : 0));
    ata_w(fx, ATA_IOPORT_WR_SECTOR_COUNT, count >> 8);
    ata_w(fx, ATA_IOPORT_WR_SECTOR_COUNT, count & 0xff);
    ata_w(fx, ATA_IOPORT_WR_SECTOR_NUMBER, (lba >> 24) & 0xff);
    ata_w(fx, ATA_IOPORT_WR_SECTOR_NUMBER, lba & 0xff);
    ata_w(fx, ATA_IOPORT_WR_CYLINDER_LOW, (lba >> 32) & 0xff);
    ata_w(fx, ATA_IOPORT_WR_CYLINDER_LOW, (lba >> 8) & 0xff);
    ata_w(fx, ATA_IOPORT_WR_CYLINDER_HIGH, (lba >> 40) & 0xff);
    ata_w(fx, ATA_IOPORT_WR_CYLINDER_HIGH, (lba >> 16) & 0xff);
}

/* Run the loops until @cond(fx) is false (10 s at most). */
static inline bool ide_fx_wait_cond(IdeFx *fx, bool (*cond)(IdeFx *fx))
{
    AioContext *ctx = qemu_get_aio_context();
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (cond(fx)) {
        bool progress = aio_poll(ctx, false);

        progress |= g_main_context_iteration(NULL, FALSE);
        if (g_get_monotonic_time() > end) {
            return false;
        }
        if (!progress) {
            g_usleep(200);
        }
    }
    return true;
}

static inline bool ide_fx_busy(IdeFx *fx)
{
    return ata_altstatus(fx) & BUSY_STAT;
}

/* Until the selected drive is no longer busy. */
static inline bool ide_fx_wait(IdeFx *fx)
{
    return ide_fx_wait_cond(fx, ide_fx_busy);
}

static inline bool ide_fx_dma_busy(IdeFx *fx)
{
    return fx->dma_active;
}

/* Until the DMA engine went inactive. */
static inline bool ide_fx_wait_dma(IdeFx *fx)
{
    return ide_fx_wait_cond(fx, ide_fx_dma_busy);
}

/* Read @n bytes of PIO data (16-bit accesses, or 32-bit with @dword). */
static inline void ata_pio_in(IdeFx *fx, void *buf, int n, bool dword)
{
    uint8_t *p = buf;

    for (int i = 0; i < n; i += dword ? 4 : 2) {
        if (dword) {
            uint32_t v = ide_data_readl(fx->bus, 0);
            memcpy(p + i, &v, 4);
        } else {
            uint16_t v = ide_data_readw(fx->bus, 0);
            memcpy(p + i, &v, 2);
        }
    }
}

static inline void ata_pio_out(IdeFx *fx, const void *buf, int n, bool dword)
{
    const uint8_t *p = buf;

    for (int i = 0; i < n; i += dword ? 4 : 2) {
        if (dword) {
            uint32_t v;
            memcpy(&v, p + i, 4);
            ide_data_writel(fx->bus, 0, v);
        } else {
            uint16_t v;
            memcpy(&v, p + i, 2);
            ide_data_writew(fx->bus, 0, v);
        }
    }
}

/* An ATA string (byte-swapped pairs) of IDENTIFY data, trailing blanks
 * removed. */
static inline char *ata_string(const uint16_t *words, int first, int nwords)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; i < nwords; i++) {
        uint16_t w = GUINT16_FROM_LE(words[first + i]);

        g_string_append_c(s, w >> 8);
        g_string_append_c(s, w & 0xff);
    }
    while (s->len && s->str[s->len - 1] == ' ') {
        g_string_truncate(s, s->len - 1);
    }
    return g_string_free(s, false);
}

static inline uint32_t ldl_be_p_(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* Common main(): the loop, the image directory. */
static inline int ide_fx_main_init(void)
{
    const char *why;

    error_init("qomu");
    main_loop_init();
    container_get(object_get_root(), "/machine/unattached");
    ide_fx_dir = bt_dir_disk(&why);
    if (!ide_fx_dir) {
        ide_fx_dir = bt_dir_tmpfs(&why);
    }
    if (!ide_fx_dir) {
        harness_skip(why);
        return -1;
    }
    return 0;
}

#endif /* TESTS_UNIT_IDE_HELPER_H */
