/*
 * test-dma-helpers.c - hw/core/dma-helpers.c: scatter-gather lists,
 * dma_buf_read/write and dma_blk_io over a space with RAM, MMIO,
 * unassigned space and ROM; zero-copy RAM, bounces, alignment, the
 * callback contract, cancel.
 *
 * The space ("test", memory-fixture.h):
 *   0x00000 - 0x0ffff  RAM "ram0"
 *   0x10000 - 0x10fff  MMIO "mmio" (reads 0xa0 + offset, writes logged)
 *   0x11000 - 0x1ffff  nothing
 *   0x20000 - 0x2ffff  RAM "ram1"
 *   0x40000 - 0x40fff  ROM "rom"
 *   4 GiB and up       nothing (BIG)
 */
#include "util/osdep.h"
#include "util/main-loop.h"
#include "hw/core/dma.h"
#include "harness.h"
#include "memory-fixture.h"
#include "block-helper.h"

#define RAM0    0x00000
#define MMIO    0x10000
#define HOLE    0x11000
#define RAM1    0x20000
#define ROM     0x40000
#define BIG     UINT64_C(0x100000000)     /* nothing, for GiBs */

static MemoryRegion *ram0, *ram1, *rom, *mmio;
static uint8_t hole_byte;       /* what the memory core reads in a hole */
static uint8_t mmio_log[0x1000];
static int mmio_writes;

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    return (0xa0 + addr) & 0xff;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    mmio_log[addr] = val;
    mmio_writes++;
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

static uint8_t *ram_ptr(hwaddr addr)
{
    if (addr >= RAM1) {
        return (uint8_t *)memory_region_get_ram_ptr(ram1) + addr - RAM1;
    }
    return (uint8_t *)memory_region_get_ram_ptr(ram0) + addr;
}

static void space_init(void)
{
    fixture_init();
    ram0 = mr_alloc();
    memory_region_init_ram(ram0, NULL, "ram0", 0x10000, &error_abort);
    memory_region_add_subregion(root, RAM0, ram0);
    mmio = mr_alloc();
    memory_region_init_io(mmio, NULL, &mmio_ops, NULL, "mmio", 0x1000);
    memory_region_add_subregion(root, MMIO, mmio);
    ram1 = mr_alloc();
    memory_region_init_ram(ram1, NULL, "ram1", 0x10000, &error_abort);
    memory_region_add_subregion(root, RAM1, ram1);
    rom = mr_alloc();
    memory_region_init_rom(rom, NULL, "rom", 0x1000, &error_abort);
    memory_region_add_subregion(root, ROM, rom);
    memset(mmio_log, 0, sizeof(mmio_log));
    mmio_writes = 0;
    /* 0, as QEMU 7.2's unassigned_mem_read: DMA bounces read whatever
     * the memory core says */
    hole_byte = 0xee;
    address_space_read(&test_as, HOLE, &hole_byte, 1);
    g_assert(hole_byte == 0);
}

static void space_done(void)
{
    memory_region_del_subregion(root, ram0);
    memory_region_del_subregion(root, mmio);
    memory_region_del_subregion(root, ram1);
    memory_region_del_subregion(root, rom);
    fixture_done();
}

/* --- a fake device: io_func completing from the loop ------------------- */

typedef struct FakeReq {
    int64_t offset;
    size_t size;
    int niov;
    void *base[64];
    size_t len[64];
} FakeReq;

typedef struct FakeDev {
    uint8_t disk[8 << 20];      /* what the "device" holds */
    FakeReq reqs[16];
    int nreqs;
    int fail;                   /* complete the next request with this */
    bool hold;                  /* don't complete until released */
    BlockCompletionFunc *held_cb;
    void *held_opaque;
    int held_ret;
} FakeDev;

static FakeDev *fake;
static DMADirection fake_dir;

typedef struct FakeAIOCB {
    BlockAIOCB common;
    int ret;
} FakeAIOCB;

static AioContext *fake_get_ctx(BlockAIOCB *acb)
{
    return qemu_get_aio_context();
}

static const AIOCBInfo fake_aiocb_info = {
    .aiocb_size = sizeof(FakeAIOCB),
    .get_aio_context = fake_get_ctx,
};

static void fake_complete_bh(void *opaque)
{
    FakeAIOCB *acb = opaque;

    acb->common.cb(acb->common.opaque, acb->ret);
    qemu_aio_unref(acb);
}

static FakeAIOCB *held;

static BlockAIOCB *fake_io(int64_t offset, QEMUIOVector *iov,
                           BlockCompletionFunc *cb, void *cb_opaque,
                           void *opaque)
{
    FakeAIOCB *acb = qemu_aio_get(&fake_aiocb_info, NULL, cb, cb_opaque);
    FakeReq *r = &fake->reqs[fake->nreqs++ % 16];

    r->offset = offset;
    r->size = iov->size;
    r->niov = iov->niov;
    for (int i = 0; i < iov->niov && i < 64; i++) {
        r->base[i] = iov->iov[i].iov_base;
        r->len[i] = iov->iov[i].iov_len;
    }
    g_assert(offset >= 0 && offset + iov->size <= sizeof(fake->disk));
    if (fake_dir == DMA_DIRECTION_FROM_DEVICE) {
        qemu_iovec_from_buf(iov, 0, fake->disk + offset, iov->size);
    } else {
        qemu_iovec_to_buf(iov, 0, fake->disk + offset, iov->size);
    }
    acb->ret = fake->fail;
    if (fake->hold) {
        held = acb;
    } else {
        aio_bh_schedule_oneshot(qemu_get_aio_context(), fake_complete_bh,
                                acb);
    }
    return &acb->common;
}

static void fake_release(void)
{
    FakeAIOCB *acb = held;

    held = NULL;
    aio_bh_schedule_oneshot(qemu_get_aio_context(), fake_complete_bh, acb);
}

static BtCompletion done;

static BlockAIOCB *fake_dma(QEMUSGList *sg, uint64_t offset, uint32_t align,
                            DMADirection dir)
{
    BlockAIOCB *acb;

    fake_dir = dir;
    memset(&done, 0, sizeof(done));
    bt_submitting = true;
    acb = dma_blk_io(qemu_get_aio_context(), sg, offset, align, fake_io,
                     NULL, bt_complete, &done, dir);
    bt_submitting = false;
    return acb;
}

static void wait_done(void)
{
    CU_ASSERT_TRUE(bt_wait_flag(qemu_get_aio_context(), &done.done));
    /* let anything else scheduled run: a second call would show */
    while (aio_poll(qemu_get_aio_context(), false)) {
    }
    CU_ASSERT_EQUAL(done.calls, 1);
    CU_ASSERT_FALSE(done.inside_submit);
}

static void fake_begin(void)
{
    fake = g_new0(FakeDev, 1);
    for (size_t i = 0; i < sizeof(fake->disk); i++) {
        fake->disk[i] = bt_pattern(i, 7);
    }
    space_init();
}

static void fake_end(void)
{
    space_done();
    g_free(fake);
    fake = NULL;
}

/* --- scatter-gather lists ----------------------------------------------- */

static void test_sglist(void)
{
    QEMUSGList sg;

    space_init();
    qemu_sglist_init(&sg, NULL, 0, &test_as);
    CU_ASSERT_EQUAL(sg.nsg, 0);
    CU_ASSERT_EQUAL(sg.size, 0);
    for (int i = 0; i < 100; i++) {
        qemu_sglist_add(&sg, i * 0x100, i & 1 ? 0 : 0x80);
    }
    CU_ASSERT_EQUAL(sg.nsg, 100);
    CU_ASSERT(sg.nalloc >= 100);
    CU_ASSERT_EQUAL(sg.size, 50 * 0x80);
    CU_ASSERT_EQUAL(sg.sg[98].base, 98 * 0x100);
    CU_ASSERT_EQUAL(sg.sg[99].len, 0);
    CU_ASSERT_PTR_EQUAL(sg.as, &test_as);
    qemu_sglist_destroy(&sg);
    CU_ASSERT_PTR_NULL(sg.sg);
    CU_ASSERT_EQUAL(sg.nsg, 0);
    space_done();
}

/* --- dma_buf_read / dma_buf_write ---------------------------------------- */

static void test_buf_read(void)
{
    QEMUSGList sg;
    uint8_t buf[0x400];
    dma_addr_t residual = 12345;
    MemTxResult res;

    space_init();
    for (int i = 0; i < (int)sizeof(buf); i++) {
        buf[i] = i * 3;
    }
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, RAM0 + 0x100, 0x100);
    qemu_sglist_add(&sg, MMIO + 0x10, 0x10);
    qemu_sglist_add(&sg, RAM0 + 0x300, 0);
    qemu_sglist_add(&sg, HOLE, 0x20);
    qemu_sglist_add(&sg, RAM1 + 0x10, 0x200);

    /* device -> memory: 0x100 to RAM, 0x10 to MMIO, 0x20 dropped, then
     * the rest of @len (0x400 - 0x130 = 0x2d0 > 0x200: the list ends) */
    res = dma_buf_read(buf, sizeof(buf), &residual, &sg);
    CU_ASSERT_EQUAL(residual, 0);
    CU_ASSERT(res & MEMTX_DECODE_ERROR);        /* the hole */
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM0 + 0x100), buf, 0x100), 0);
    CU_ASSERT_EQUAL(mmio_writes, 0x10);
    CU_ASSERT_EQUAL(mmio_log[0x10], buf[0x100]);
    CU_ASSERT_EQUAL(mmio_log[0x1f], buf[0x10f]);
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM1 + 0x10), buf + 0x130, 0x200), 0);

    /* a shorter @len: the residual is what the list had left */
    res = dma_buf_read(buf, 0x50, &residual, &sg);
    CU_ASSERT_EQUAL(res, MEMTX_OK);
    CU_ASSERT_EQUAL(residual, sg.size - 0x50);
    qemu_sglist_destroy(&sg);
    space_done();
}

static void test_buf_write(void)
{
    QEMUSGList sg;
    uint8_t buf[0x40];
    dma_addr_t residual;

    space_init();
    memset(ram_ptr(RAM1), 0x5a, 0x10);
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, MMIO + 4, 8);
    qemu_sglist_add(&sg, HOLE + 0x100, 8);
    qemu_sglist_add(&sg, RAM1, 0x10);
    memset(buf, 0, sizeof(buf));

    /* memory -> device: MMIO reads, the hole reads as the space says */
    dma_buf_write(buf, sizeof(buf), &residual, &sg);
    CU_ASSERT_EQUAL(residual, 0);
    CU_ASSERT_EQUAL(buf[0], 0xa4);
    CU_ASSERT_EQUAL(buf[7], 0xab);
    CU_ASSERT_EQUAL(buf[8], hole_byte);
    CU_ASSERT_EQUAL(buf[15], hole_byte);
    CU_ASSERT_EQUAL(buf[16], 0x5a);
    CU_ASSERT_EQUAL(buf[31], 0x5a);
    CU_ASSERT_EQUAL(buf[32], 0);                /* past the list */
    CU_ASSERT_EQUAL(mmio_writes, 0);
    qemu_sglist_destroy(&sg);
    space_done();
}

/* --- dma_blk_io with the fake device ------------------------------------- */

/* RAM is handed to the device as it is: zero copy. */
static void test_blk_zero_copy(void)
{
    QEMUSGList sg;

    fake_begin();
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, RAM0 + 0x1000, 0x800);
    qemu_sglist_add(&sg, RAM1 + 0x200, 0x200);
    fake_dma(&sg, 4096, 512, DMA_DIRECTION_FROM_DEVICE);
    CU_ASSERT_EQUAL(done.calls, 0);         /* never inside the call */
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->nreqs, 1);
    CU_ASSERT_EQUAL(fake->reqs[0].offset, 4096);
    CU_ASSERT_EQUAL(fake->reqs[0].size, 0xa00);
    CU_ASSERT_EQUAL(fake->reqs[0].niov, 2);
    CU_ASSERT_PTR_EQUAL(fake->reqs[0].base[0], ram_ptr(RAM0 + 0x1000));
    CU_ASSERT_PTR_EQUAL(fake->reqs[0].base[1], ram_ptr(RAM1 + 0x200));
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM0 + 0x1000), fake->disk + 4096, 0x800),
                    0);
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM1 + 0x200), fake->disk + 4096 + 0x800,
                           0x200), 0);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* Device -> memory across RAM, MMIO, nothing, the end of RAM, ROM. */
static void test_blk_read_mixed(void)
{
    QEMUSGList sg;
    uint8_t rom_before[0x100];

    fake_begin();
    memcpy(rom_before, memory_region_get_ram_ptr(rom), sizeof(rom_before));
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    /* RAM0's last 0x100 bytes, then MMIO's first 0x100: one entry
     * crossing from RAM into MMIO */
    qemu_sglist_add(&sg, MMIO - 0x100, 0x200);
    /* nothing there */
    qemu_sglist_add(&sg, HOLE + 0x800, 0x1000);
    /* RAM1's end into the hole after it */
    qemu_sglist_add(&sg, RAM1 + 0xff00, 0x200);
    /* ROM: writes are dropped */
    qemu_sglist_add(&sg, ROM, 0x200);
    fake_dma(&sg, 0, 512, DMA_DIRECTION_FROM_DEVICE);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->nreqs, 1);
    CU_ASSERT_EQUAL(fake->reqs[0].size, 0x1600);
    /* RAM0's part zero-copy, MMIO bounced */
    CU_ASSERT_PTR_EQUAL(fake->reqs[0].base[0], ram_ptr(MMIO - 0x100));
    CU_ASSERT_EQUAL(fake->reqs[0].len[0], 0x100);
    CU_ASSERT_EQUAL(memcmp(ram_ptr(MMIO - 0x100), fake->disk, 0x100), 0);
    CU_ASSERT_EQUAL(mmio_writes, 0x100);
    CU_ASSERT_EQUAL(mmio_log[0], fake->disk[0x100]);
    CU_ASSERT_EQUAL(mmio_log[0xff], fake->disk[0x1ff]);
    /* RAM1's end */
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM1 + 0xff00), fake->disk + 0x1200,
                           0x100), 0);
    /* ROM unchanged */
    CU_ASSERT_EQUAL(memcmp(memory_region_get_ram_ptr(rom), rom_before,
                           sizeof(rom_before)), 0);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* Memory -> device: MMIO is read, nothing reads as zeros, ROM reads
 * (and is mapped directly). */
static void test_blk_write_mixed(void)
{
    QEMUSGList sg;

    fake_begin();
    memset(ram_ptr(RAM0), 0x11, 0x200);
    memset(memory_region_get_ram_ptr(rom), 0x22, 0x200);
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, RAM0, 0x200);
    qemu_sglist_add(&sg, MMIO, 0x200);
    qemu_sglist_add(&sg, HOLE, 0x200);
    qemu_sglist_add(&sg, ROM, 0x200);
    fake_dma(&sg, 0x10000, 512, DMA_DIRECTION_TO_DEVICE);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->reqs[0].size, 0x800);
    CU_ASSERT_EQUAL(fake->disk[0x10000], 0x11);
    CU_ASSERT_EQUAL(fake->disk[0x101ff], 0x11);
    CU_ASSERT_EQUAL(fake->disk[0x10200], 0xa0);
    CU_ASSERT_EQUAL(fake->disk[0x10201], 0xa1);
    CU_ASSERT_EQUAL(fake->disk[0x10400], hole_byte);
    CU_ASSERT_EQUAL(fake->disk[0x105ff], hole_byte);
    CU_ASSERT_EQUAL(fake->disk[0x10600], 0x22);
    CU_ASSERT_PTR_EQUAL(fake->reqs[0].base[3],
                        memory_region_get_ram_ptr(rom));
    CU_ASSERT_EQUAL(mmio_writes, 0);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* Only whole multiples of @align are transferred; the tail is not. */
static void test_blk_align(void)
{
    QEMUSGList sg;

    fake_begin();
    memset(ram_ptr(RAM0), 0, 0x2000);
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, RAM0, 0x300);
    qemu_sglist_add(&sg, RAM0 + 0x1000, 0x1e8);     /* 0x4e8 in all */
    fake_dma(&sg, 0, 512, DMA_DIRECTION_FROM_DEVICE);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->nreqs, 1);
    CU_ASSERT_EQUAL(fake->reqs[0].size, 0x400);
    CU_ASSERT_EQUAL(fake->reqs[0].len[1], 0x100);
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM0 + 0x1000), fake->disk + 0x300,
                           0x100), 0);
    CU_ASSERT_EQUAL(ram_ptr(RAM0 + 0x1100)[0], 0);  /* tail untouched */

    /* a list shorter than @align: no request at all */
    qemu_sglist_destroy(&sg);
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, RAM0, 0x100);
    fake->nreqs = 0;
    fake_dma(&sg, 0, 512, DMA_DIRECTION_FROM_DEVICE);
    CU_ASSERT_EQUAL(done.calls, 0);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->nreqs, 0);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* Empty lists and zero-length entries: the callback still comes once,
 * later. */
static void test_blk_empty(void)
{
    QEMUSGList sg;

    fake_begin();
    qemu_sglist_init(&sg, NULL, 1, &test_as);
    fake_dma(&sg, 0, 512, DMA_DIRECTION_TO_DEVICE);
    CU_ASSERT_EQUAL(done.calls, 0);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->nreqs, 0);

    qemu_sglist_add(&sg, RAM0, 0);
    qemu_sglist_add(&sg, RAM0 + 0x200, 0x200);
    qemu_sglist_add(&sg, HOLE, 0);
    fake_dma(&sg, 512, 512, DMA_DIRECTION_TO_DEVICE);
    wait_done();
    CU_ASSERT_EQUAL(fake->nreqs, 1);
    CU_ASSERT_EQUAL(fake->reqs[0].niov, 1);
    CU_ASSERT_EQUAL(fake->reqs[0].size, 0x200);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* An error ends the transfer with it; nothing more is issued. */
static void test_blk_error(void)
{
    QEMUSGList sg;

    fake_begin();
    qemu_sglist_init(&sg, NULL, 1, &test_as);
    qemu_sglist_add(&sg, BIG, 3 << 20);        /* 3 bounce steps */
    fake->fail = -EIO;
    fake_dma(&sg, 0, 512, DMA_DIRECTION_TO_DEVICE);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, -EIO);
    CU_ASSERT_EQUAL(fake->nreqs, 1);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* Bounces are limited per step: a long list of non-RAM goes in steps,
 * at increasing offsets. */
static void test_blk_bounce_steps(void)
{
    QEMUSGList sg;

    fake_begin();
    qemu_sglist_init(&sg, NULL, 2, &test_as);
    qemu_sglist_add(&sg, BIG, (2 << 20) + 0x200);
    qemu_sglist_add(&sg, RAM0, 0x200);
    fake_dma(&sg, 0x1000, 512, DMA_DIRECTION_FROM_DEVICE);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(fake->nreqs, 3);
    CU_ASSERT_EQUAL(fake->reqs[0].offset, 0x1000);
    CU_ASSERT_EQUAL(fake->reqs[0].size, 1 << 20);
    CU_ASSERT_EQUAL(fake->reqs[1].offset, 0x1000 + (1 << 20));
    CU_ASSERT_EQUAL(fake->reqs[1].size, 1 << 20);
    CU_ASSERT_EQUAL(fake->reqs[2].offset, 0x1000 + (2 << 20));
    CU_ASSERT_EQUAL(fake->reqs[2].size, 0x400);
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM0), fake->disk + 0x1000 + (2 << 20) +
                           0x200, 0x200), 0);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* Cancel: the step in flight completes, no further step is issued, the
 * callback gets -ECANCELED once. */
static void test_blk_cancel_async(void)
{
    QEMUSGList sg;
    BlockAIOCB *acb;

    fake_begin();
    qemu_sglist_init(&sg, NULL, 1, &test_as);
    qemu_sglist_add(&sg, BIG, 3 << 20);
    fake->hold = true;
    acb = fake_dma(&sg, 0, 512, DMA_DIRECTION_FROM_DEVICE);
    CU_ASSERT_PTR_NOT_NULL(held);
    blk_aio_cancel_async(acb);
    CU_ASSERT_EQUAL(done.calls, 0);
    fake->hold = false;
    fake_release();
    wait_done();
    CU_ASSERT_EQUAL(done.ret, -ECANCELED);
    CU_ASSERT_EQUAL(fake->nreqs, 1);
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* A cancelled last step keeps its own result; blk_aio_cancel waits. */
static void test_blk_cancel_last(void)
{
    QEMUSGList sg;
    BlockAIOCB *acb;

    fake_begin();
    qemu_sglist_init(&sg, NULL, 1, &test_as);
    qemu_sglist_add(&sg, RAM0, 0x1000);
    acb = fake_dma(&sg, 0, 512, DMA_DIRECTION_FROM_DEVICE);
    blk_aio_cancel(acb);
    CU_ASSERT_EQUAL(done.calls, 1);
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_EQUAL(memcmp(ram_ptr(RAM0), fake->disk, 0x1000), 0);

    /* an empty list, cancelled before its completion ran */
    qemu_sglist_destroy(&sg);
    qemu_sglist_init(&sg, NULL, 1, &test_as);
    acb = fake_dma(&sg, 0, 512, DMA_DIRECTION_FROM_DEVICE);
    blk_aio_cancel(acb);
    CU_ASSERT_EQUAL(done.calls, 1);
    CU_ASSERT_EQUAL(done.ret, -ECANCELED);
    wait_done();
    qemu_sglist_destroy(&sg);
    fake_end();
}

/* --- dma_blk_read/write over a real file backend ------------------------- */

static void test_blk_file(void)
{
    const char *why;
    const char *dir = bt_dir_tmpfs(&why);
    g_autofree char *path = NULL;
    BlockBackend *blk;
    QEMUSGList sg;
    g_autofree uint8_t *back = NULL;

    if (!dir) {
        dir = bt_dir_disk(&why);
    }
    g_assert(dir);
    path = bt_image(dir, "dma.img", 1 << 20, 3);
    blk = bt_open(path, "driver=raw", &error_abort);
    space_init();

    /* disk -> RAM0 + MMIO + hole */
    qemu_sglist_init(&sg, NULL, 4, &test_as);
    qemu_sglist_add(&sg, RAM0 + 0x800, 0x400);
    qemu_sglist_add(&sg, MMIO + 0x200, 0x200);
    qemu_sglist_add(&sg, HOLE, 0x200);
    memset(&done, 0, sizeof(done));
    bt_submitting = true;
    dma_blk_read(blk, &sg, 0x4000, 512, bt_complete, &done);
    bt_submitting = false;
    CU_ASSERT_EQUAL(done.calls, 0);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    CU_ASSERT_TRUE(bt_check_pattern(ram_ptr(RAM0 + 0x800), 0x4000, 0x400, 3));
    CU_ASSERT_EQUAL(mmio_log[0x200], bt_pattern(0x4400, 3));
    CU_ASSERT_EQUAL(mmio_log[0x3ff], bt_pattern(0x45ff, 3));
    CU_ASSERT_EQUAL(mmio_writes, 0x200);

    /* RAM0 + MMIO + hole -> disk at 0x8000 */
    memset(ram_ptr(RAM0 + 0x800), 0x77, 0x400);
    memset(&done, 0, sizeof(done));
    dma_blk_write(blk, &sg, 0x8000, 512, bt_complete, &done);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, 0);
    blk_drain(blk);
    back = bt_file_read(path, 0x8000, 0x800);
    CU_ASSERT_EQUAL(back[0], 0x77);
    CU_ASSERT_EQUAL(back[0x3ff], 0x77);
    CU_ASSERT_EQUAL(back[0x400], 0xa0);
    CU_ASSERT_EQUAL(back[0x401], 0xa1);
    CU_ASSERT_EQUAL(back[0x600], hole_byte);
    CU_ASSERT_EQUAL(back[0x7ff], hole_byte);

    /* beyond the end of the disk: the block layer's -EIO, once */
    memset(&done, 0, sizeof(done));
    dma_blk_read(blk, &sg, (1 << 20) - 512, 512, bt_complete, &done);
    wait_done();
    CU_ASSERT_EQUAL(done.ret, -EIO);

    /* cancel on a real backend waits for the callback */
    memset(&done, 0, sizeof(done));
    blk_aio_cancel(dma_blk_read(blk, &sg, 0, 512, bt_complete, &done));
    CU_ASSERT_EQUAL(done.calls, 1);
    CU_ASSERT_EQUAL(blk_in_flight(blk), 0);

    qemu_sglist_destroy(&sg);
    space_done();
    blk_unref(blk);
    unlink(path);
}

int main(int argc, char **argv)
{
    int ret;

    main_loop_init();
    container_get(object_get_root(), "/machine/unattached");
    harness_add("/dma/sglist/basic", test_sglist);
    harness_add("/dma/buf/read", test_buf_read);
    harness_add("/dma/buf/write", test_buf_write);
    harness_add("/dma/blk/zero-copy", test_blk_zero_copy);
    harness_add("/dma/blk/read-mixed", test_blk_read_mixed);
    harness_add("/dma/blk/write-mixed", test_blk_write_mixed);
    harness_add("/dma/blk/align", test_blk_align);
    harness_add("/dma/blk/empty", test_blk_empty);
    harness_add("/dma/blk/error", test_blk_error);
    harness_add("/dma/blk/bounce-steps", test_blk_bounce_steps);
    harness_add("/dma/blk/cancel-async", test_blk_cancel_async);
    harness_add("/dma/blk/cancel-last", test_blk_cancel_last);
    harness_add("/dma/blk/file", test_blk_file);
    ret = harness_run(argc, argv);
    bt_dirs_cleanup();
    return ret;
}
