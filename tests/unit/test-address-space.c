/*
 * test-address-space.c - address spaces (hw/core/address-space.c): guest
 * accesses (RAM, I/O with QEMU's access-size rules, holes, ROM), the big
 * lock around callbacks, memory listeners, the DMA fast path, the
 * machine's spaces, and readers racing a remapping main thread (run it
 * under ASan: make check SANITIZE=address,undefined).
 *
 * guest_errors messages are captured in a log file, with a fake clock so
 * that the rate limiter never drops one.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "util/main-loop.h"
#include "util/thread.h"
#include "hw/core/memory.h"
#include "harness.h"
#include "memory-fixture.h"

/* --- fixture ---------------------------------------------------------- */

/* RAM filled with @fill, mapped in the root at @addr. */
static MemoryRegion *map_ram(const char *name, hwaddr addr, uint64_t size,
                             int fill)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init_ram(mr, NULL, name, size, &error_abort);
    memset(memory_region_get_ram_ptr(mr), fill, size);
    memory_region_add_subregion(root, addr, mr);
    return mr;
}

/* --- a device that records its callbacks ------------------------------ */

typedef struct IoCall {
    bool is_write;
    hwaddr addr;
    unsigned size;
    uint64_t val;
    bool bql;                   /* was the big lock held */
} IoCall;

static GArray *calls;           /* IoCall */

static void calls_reset(void)
{
    if (calls) {
        g_array_set_size(calls, 0);
    } else {
        calls = g_array_new(false, true, sizeof(IoCall));
    }
}

static IoCall *call(guint i)
{
    return i < calls->len ? &g_array_index(calls, IoCall, i) : NULL;
}

/* Byte at offset o reads as 0xa0 + o, so pieces reassemble visibly. */
static uint64_t rec_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t val = 0;
    IoCall c = { false, addr, size, 0, bql_locked() };

    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)(uint8_t)(0xa0 + addr + i) << (i * 8);
    }
    c.val = val;
    g_array_append_val(calls, c);
    return val;
}

static void rec_write(void *opaque, hwaddr addr, uint64_t val,
                      unsigned size)
{
    IoCall c = { true, addr, size, val, bql_locked() };

    g_array_append_val(calls, c);
}

static const MemoryRegionOps ops_default = {
    .read = rec_read, .write = rec_write,
};
static const MemoryRegionOps ops_valid8_impl4 = {
    .read = rec_read, .write = rec_write,
    .valid.max_access_size = 8,
    .impl.max_access_size = 4,
};
static const MemoryRegionOps ops_impl_min4 = {
    .read = rec_read, .write = rec_write,
    .impl.min_access_size = 4,
    .impl.max_access_size = 4,
};
static const MemoryRegionOps ops_valid_4only = {
    .read = rec_read, .write = rec_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
};
static const MemoryRegionOps ops_aligned_only = {
    .read = rec_read, .write = rec_write,
    .valid = { .max_access_size = 4, .unaligned = false },
    .impl = { .max_access_size = 4, .unaligned = true },
};

static bool refuse_writes(void *opaque, hwaddr addr, unsigned size,
                          bool is_write)
{
    return !is_write;
}

static const MemoryRegionOps ops_read_only = {
    .read = rec_read, .write = rec_write,
    .valid.accepts = refuse_writes,
};
static const MemoryRegionOps ops_null = { 0 };

static MemoryRegion *map_io(const char *name, const MemoryRegionOps *ops,
                            hwaddr addr, uint64_t size)
{
    MemoryRegion *mr = mr_alloc();

    memory_region_init_io(mr, NULL, ops, NULL, name, size);
    memory_region_add_subregion(root, addr, mr);
    return mr;
}

/* --- guest_errors capture --------------------------------------------- */

static char *log_dir;
static char *log_path;
static int64_t fake_ns;
static bool fake_ticks = true;  /* each reading opens a new window */

static int64_t fake_clock(void)
{
    if (fake_ticks) {
        fake_ns += 2 * QOMU_LOG_RATELIMIT_WINDOW_NS;
    }
    return fake_ns;
}

static void log_start(void)
{
    if (!log_path) {
        log_dir = g_dir_make_tmp("test-address-space-XXXXXX", NULL);
        g_assert(log_dir);
        log_path = g_build_filename(log_dir, "guest-errors.log", NULL);
    }
    /* Never behind the real clock, which an earlier test may have used:
     * the limiter's windows must only move forward. */
    fake_ns = MAX(fake_ns, g_get_monotonic_time() * 1000) +
              2 * QOMU_LOG_RATELIMIT_WINDOW_NS;
    fake_ticks = true;
    qomu_log_set_clock_for_test(fake_clock);
    qomu_set_log_filename_flags(log_path, LOG_GUEST_ERROR, &error_abort);
}

/* What was logged since log_start (g_free it). */
static char *log_stop(void)
{
    char *text = NULL;

    qomu_set_log_filename_flags(NULL, 0, &error_abort);
    qomu_log_set_clock_for_test(NULL);
    g_assert(g_file_get_contents(log_path, &text, NULL, NULL));
    return text;
}

#define ASSERT_TEXT(got, want) \
    do { \
        CU_ASSERT_STRING_EQUAL(got, want); \
        if (strcmp(got, want)) { \
            fprintf(stderr, "\n--- got:\n%s--- want:\n%s---\n", got, want); \
        } \
    } while (0)

/* --- RAM and mixed accesses --------------------------------------------- */

static void test_rw_ram_across_boundary(void)
{
    uint8_t out[16], in[16];
    uint8_t *a, *b;

    fixture_init();
    a = memory_region_get_ram_ptr(map_ram("a", 0x1000, 0x1000, 0));
    b = memory_region_get_ram_ptr(map_ram("b", 0x2000, 0x1000, 0));
    for (int i = 0; i < 16; i++) {
        out[i] = i + 1;
    }
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x1ff8, out, 16),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(memcmp(a + 0xff8, out, 8), 0);
    CU_ASSERT_EQUAL(memcmp(b, out + 8, 8), 0);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x1ff8, in, 16), MEMTX_OK);
    CU_ASSERT_EQUAL(memcmp(in, out, 16), 0);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x1000, in, 0), MEMTX_OK);
    fixture_done();
}

/* One access over RAM, I/O and a hole: each piece its own way. */
static void test_rw_mixed(void)
{
    uint8_t buf[12];
    static const uint8_t want[12] = {
        0x55, 0x55, 0x55, 0x55, 0xa0, 0xa1, 0xa2, 0xa3,
        0x00, 0x00, 0x00, 0x00,             /* a hole reads 0, as QEMU */
    };
    memset(buf, 0xee, sizeof(buf));

    fixture_init();
    calls_reset();
    map_ram("ram", 0x0, 0x1000, 0x55);
    map_io("dev", &ops_default, 0x1000, 4);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0xffc, buf, 12),
                    MEMTX_DECODE_ERROR);    /* the hole */
    CU_ASSERT_EQUAL(memcmp(buf, want, 12), 0);
    CU_ASSERT_EQUAL(calls->len, 1);
    CU_ASSERT_EQUAL(call(0)->size, 4);
    fixture_done();
}

/* An access running past 2^64 - 1 continues at 0, as QEMU's. */
static void test_rw_wrap(void)
{
    uint8_t out[4] = { 1, 2, 3, 4 }, in[4];
    uint8_t *top, *bottom;

    fixture_init();
    top = memory_region_get_ram_ptr(
        map_ram("top", UINT64_C(0xfffffffffffff000), 0x1000, 0));
    bottom = memory_region_get_ram_ptr(map_ram("bottom", 0, 0x1000, 0));
    CU_ASSERT_EQUAL(address_space_write(&test_as, UINT64_MAX - 1, out, 4),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(top[0xffe], 1);
    CU_ASSERT_EQUAL(top[0xfff], 2);
    CU_ASSERT_EQUAL(bottom[0], 3);
    CU_ASSERT_EQUAL(bottom[1], 4);
    CU_ASSERT_EQUAL(address_space_read(&test_as, UINT64_MAX - 1, in, 4),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(memcmp(in, out, 4), 0);
    fixture_done();
}

/* --- I/O ------------------------------------------------------------------ */

static void test_io_callbacks(void)
{
    uint8_t buf[4];
    uint32_t v32 = 0x12345678;
    uint16_t v16;

    fixture_init();
    calls_reset();
    map_io("dev", &ops_default, 0x10000, 0x100);
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x10010, &v32, 4),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x10022, &v16, 2),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x10005, buf, 1),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(calls->len, 3);
    CU_ASSERT_TRUE(call(0)->is_write);
    CU_ASSERT_EQUAL(call(0)->addr, 0x10);      /* offset in the region */
    CU_ASSERT_EQUAL(call(0)->size, 4);
    CU_ASSERT_EQUAL(call(0)->val, 0x12345678);
    CU_ASSERT_FALSE(call(1)->is_write);
    CU_ASSERT_EQUAL(call(1)->addr, 0x22);
    CU_ASSERT_EQUAL(call(1)->size, 2);
    CU_ASSERT_EQUAL(v16, 0xc3c2);
    CU_ASSERT_EQUAL(buf[0], 0xa5);
    fixture_done();
}

/* valid.max 8, impl.max 4: one dispatch, two callback calls
 * (access_with_adjusted_size). */
static void test_io_split_impl_max(void)
{
    uint64_t v = UINT64_C(0x1122334455667788);

    fixture_init();
    calls_reset();
    map_io("dev", &ops_valid8_impl4, 0, 0x100);
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x8, &v, 8), MEMTX_OK);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x10, &v, 8), MEMTX_OK);
    CU_ASSERT_EQUAL(calls->len, 4);
    CU_ASSERT_EQUAL(call(0)->addr, 0x8);
    CU_ASSERT_EQUAL(call(0)->size, 4);
    CU_ASSERT_EQUAL(call(0)->val, 0x55667788);
    CU_ASSERT_EQUAL(call(1)->addr, 0xc);
    CU_ASSERT_EQUAL(call(1)->val, 0x11223344);
    CU_ASSERT_EQUAL(call(2)->addr, 0x10);
    CU_ASSERT_EQUAL(call(3)->addr, 0x14);
    CU_ASSERT_EQUAL(v, UINT64_C(0xb7b6b5b4b3b2b1b0));
    fixture_done();
}

/* Default ops (valid.max 0 = 4): address_space_rw cuts the access in
 * 4-byte dispatches (memory_access_size), and at the address's alignment. */
static void test_io_split_valid_max(void)
{
    uint64_t v = 0;
    uint8_t buf[6];

    fixture_init();
    calls_reset();
    map_io("dev", &ops_default, 0, 0x100);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x20, &v, 8), MEMTX_OK);
    CU_ASSERT_EQUAL(v, UINT64_C(0xa7a6a5a4a3a2a1a0) + UINT64_C(0x2020202020202020));
    CU_ASSERT_EQUAL(calls->len, 2);
    CU_ASSERT_EQUAL(call(0)->size, 4);
    CU_ASSERT_EQUAL(call(1)->addr, 0x24);
    calls_reset();
    /* 6 bytes at 0x2: 2 (alignment), 4 */
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x2, buf, 6), MEMTX_OK);
    CU_ASSERT_EQUAL(calls->len, 2);
    CU_ASSERT_EQUAL(call(0)->addr, 0x2);
    CU_ASSERT_EQUAL(call(0)->size, 2);
    CU_ASSERT_EQUAL(call(1)->addr, 0x4);
    CU_ASSERT_EQUAL(call(1)->size, 4);
    CU_ASSERT_EQUAL(buf[0], 0xa2);
    CU_ASSERT_EQUAL(buf[5], 0xa7);
    calls_reset();
    /* 3 bytes at 0x1: 1, 2 */
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x1, buf, 3), MEMTX_OK);
    CU_ASSERT_EQUAL(calls->len, 2);
    CU_ASSERT_EQUAL(call(0)->size, 1);
    CU_ASSERT_EQUAL(call(1)->size, 2);
    fixture_done();
}

/* impl.min 4: a 1-byte access becomes a 4-byte call at the same address
 * (QEMU 7.2 does not align it down); the read extracts the low byte, the
 * write sends the byte in a 4-byte value. */
static void test_io_widen_impl_min(void)
{
    uint8_t b = 0;
    uint8_t w = 0xab;

    fixture_init();
    calls_reset();
    map_io("dev", &ops_impl_min4, 0, 0x100);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x0, &b, 1), MEMTX_OK);
    CU_ASSERT_EQUAL(call(0)->addr, 0);
    CU_ASSERT_EQUAL(call(0)->size, 4);
    CU_ASSERT_EQUAL(call(0)->val, 0xa3a2a1a0);
    CU_ASSERT_EQUAL(b, 0xa0);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x2, &b, 1), MEMTX_OK);
    CU_ASSERT_EQUAL(call(1)->addr, 2);
    CU_ASSERT_EQUAL(call(1)->size, 4);
    CU_ASSERT_EQUAL(b, 0xa2);
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x1, &w, 1), MEMTX_OK);
    CU_ASSERT_EQUAL(call(2)->addr, 1);
    CU_ASSERT_EQUAL(call(2)->size, 4);
    CU_ASSERT_EQUAL(call(2)->val, 0xab);
    CU_ASSERT_EQUAL(calls->len, 3);
    fixture_done();
}

/* valid.min 4: narrower accesses never reach the device. */
static void test_io_invalid_size(void)
{
    uint16_t v = 0;
    uint32_t v32 = 0;
    g_autofree char *log = NULL;

    fixture_init();
    calls_reset();
    map_io("dev", &ops_valid_4only, 0x1000, 0x100);
    log_start();
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x1010, &v, 2),
                    MEMTX_DECODE_ERROR);
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x1011, &v, 1),
                    MEMTX_DECODE_ERROR);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x1010, &v32, 4),
                    MEMTX_OK);
    log = log_stop();
    CU_ASSERT_EQUAL(v, 0);          /* refused: unassigned_mem_read's 0 */
    CU_ASSERT_EQUAL(calls->len, 1);
    ASSERT_TEXT(log,
        "Invalid read at addr 0x10, size 2, region 'dev', reason: "
        "invalid size (min:4 max:4)\n"
        "Invalid write at addr 0x11, size 1, region 'dev', reason: "
        "invalid size (min:4 max:4)\n");
    fixture_done();
}

/* impl.unaligned lets the access through memory_access_size whole;
 * valid.unaligned false then refuses it. */
static void test_io_unaligned_refused(void)
{
    uint32_t v = 0;
    g_autofree char *log = NULL;

    fixture_init();
    calls_reset();
    map_io("dev", &ops_aligned_only, 0, 0x100);
    log_start();
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x6, &v, 4),
                    MEMTX_DECODE_ERROR);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x8, &v, 4), MEMTX_OK);
    log = log_stop();
    CU_ASSERT_EQUAL(calls->len, 1);
    ASSERT_TEXT(log, "Invalid read at addr 0x6, size 4, region 'dev', "
                     "reason: unaligned\n");
    fixture_done();
}

static void test_io_accepts_and_null_callbacks(void)
{
    uint32_t v = 0x1234;
    g_autofree char *log = NULL;

    fixture_init();
    calls_reset();
    map_io("ro-dev", &ops_read_only, 0, 0x10);
    map_io("empty", &ops_null, 0x10, 0x10);
    log_start();
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x4, &v, 4),
                    MEMTX_DECODE_ERROR);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x4, &v, 4), MEMTX_OK);
    /* NULL callbacks: reads 0, writes vanish, nothing logged */
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0x14, &v, 4), MEMTX_OK);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x14, &v, 4), MEMTX_OK);
    CU_ASSERT_EQUAL(v, 0);
    log = log_stop();
    CU_ASSERT_EQUAL(calls->len, 1);
    ASSERT_TEXT(log, "Invalid write at addr 0x4, size 4, region 'ro-dev', "
                     "reason: rejected\n");
    fixture_done();
}

/* --- holes and ROM ------------------------------------------------------ */

static void test_unassigned_zero(void)
{
    uint8_t buf[8];
    uint64_t v = 0x1234;
    g_autofree char *log = NULL;

    fixture_init();
    log_start();
    memset(buf, 0xee, sizeof(buf));
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0x10000000, buf, 8),
                    MEMTX_DECODE_ERROR);
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0xfed00802, &v, 2),
                    MEMTX_DECODE_ERROR);
    log = log_stop();
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(buf[i], 0);     /* QEMU's unassigned_mem_read */
    }
    /* QEMU 7.2's words, unnamed region and upper-case hex included */
    ASSERT_TEXT(log,
        "Invalid read at addr 0x10000000, size 4, region '(null)', reason: rejected\n"
        "Invalid read at addr 0x10000004, size 4, region '(null)', reason: rejected\n"
        "Invalid write at addr 0xFED00802, size 2, region '(null)', reason: rejected\n");
    fixture_done();
}

/* Guest-triggered messages are rate limited (util/log.h). */
static void test_unassigned_rate_limited(void)
{
    uint8_t b;
    g_autofree char *log = NULL;
    g_autoptr(GString) want = g_string_new("");
    static const char line[] = "Invalid read at addr 0x5000, size 1, "
                               "region '(null)', reason: rejected\n";

    fixture_init();
    log_start();
    fake_ticks = false;             /* all in one window */
    b = 0xee;
    for (int i = 0; i < 100; i++) {
        address_space_read(&test_as, 0x5000, &b, 1);
    }
    fake_ns += 2 * QOMU_LOG_RATELIMIT_WINDOW_NS;
    address_space_read(&test_as, 0x5000, &b, 1);
    log = log_stop();
    for (int i = 0; i < QOMU_LOG_RATELIMIT_BURST; i++) {
        g_string_append(want, line);
    }
    g_string_append_printf(want, "... suppressed %d messages\n%s",
                           100 - QOMU_LOG_RATELIMIT_BURST, line);
    ASSERT_TEXT(log, want->str);
    CU_ASSERT_EQUAL(b, 0);
    fixture_done();
}

static void test_rom_write_ignored(void)
{
    uint32_t v = 0xdeadbeef, r = 0;
    MemoryRegion *rom = mr_alloc();
    uint8_t *p;
    g_autofree char *log = NULL;

    fixture_init();
    memory_region_init_rom(rom, NULL, "pc.bios", 0x1000, &error_abort);
    p = memory_region_get_ram_ptr(rom);
    memset(p, 0x90, 0x1000);
    memory_region_add_subregion(root, 0xfffc0000, rom);
    log_start();
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0xfffc0000, &v, 4),
                    MEMTX_DECODE_ERROR);
    CU_ASSERT_EQUAL(address_space_write(&test_as, 0xfffc0001, &v, 1),
                    MEMTX_DECODE_ERROR);
    log = log_stop();
    CU_ASSERT_EQUAL(p[0], 0x90);
    CU_ASSERT_EQUAL(p[1], 0x90);
    CU_ASSERT_EQUAL(address_space_read(&test_as, 0xfffc0000, &r, 4),
                    MEMTX_OK);
    CU_ASSERT_EQUAL(r, 0x90909090);
    /* What QEMU 7.2.22 logs for writel/writeb there (-machine pc) */
    ASSERT_TEXT(log,
        "Invalid write at addr 0x0, size 4, region 'pc.bios', reason: rejected\n"
        "Invalid write at addr 0x1, size 1, region 'pc.bios', reason: rejected\n");
    fixture_done();
}

/* --- the machine's spaces ------------------------------------------------ */

static void test_system_spaces(void)
{
    MemoryRegion sysmem, sysio;
    AddressSpace as_mem, as_io;
    uint32_t v = 0;
    uint8_t b = 0;
    g_autofree char *log = NULL;

    CU_ASSERT_PTR_NULL(address_space_memory_get());
    CU_ASSERT_PTR_NULL(get_system_memory());
    memory_map_init(&sysmem, &sysio, &as_mem, &as_io);
    CU_ASSERT_PTR_EQUAL(address_space_memory_get(), &as_mem);
    CU_ASSERT_PTR_EQUAL(address_space_io_get(), &as_io);
    CU_ASSERT_PTR_EQUAL(get_system_memory(), &sysmem);
    CU_ASSERT_PTR_EQUAL(get_system_io(), &sysio);
    CU_ASSERT_EQUAL(memory_region_size(&sysmem), UINT64_MAX);
    CU_ASSERT_EQUAL(memory_region_size(&sysio), 65536);
    log_start();
    /* unassigned ports: all-ones, silently (unassigned_io_ops) */
    CU_ASSERT_EQUAL(address_space_read(&as_io, 0x1234, &v, 4), MEMTX_OK);
    CU_ASSERT_EQUAL(address_space_write(&as_io, 0x80, &b, 1), MEMTX_OK);
    CU_ASSERT_EQUAL(v, 0xffffffff);
    /* past 0xffff there is nothing at all */
    b = 0xee;
    CU_ASSERT_EQUAL(address_space_read(&as_io, 0x10000, &b, 1),
                    MEMTX_DECODE_ERROR);
    log = log_stop();
    CU_ASSERT_EQUAL(b, 0);          /* beyond the io root: a hole */
    ASSERT_TEXT(log, "Invalid read at addr 0x10000, size 1, region "
                     "'(null)', reason: rejected\n");
    memory_map_cleanup(&sysmem, &sysio, &as_mem, &as_io);
    CU_ASSERT_PTR_NULL(address_space_io_get());
}

/* --- the big lock ------------------------------------------------------- */

static void test_bql_around_callbacks(void)
{
    uint8_t b;
    MemoryRegion *fast;

    fixture_init();
    calls_reset();
    map_io("dev", &ops_default, 0, 0x10);
    fast = map_io("notify", &ops_default, 0x10, 0x10);
    memory_region_set_lockless(fast, true);

    CU_ASSERT_FALSE(bql_locked());
    address_space_read(&test_as, 0x0, &b, 1);   /* taken for the call */
    CU_ASSERT_FALSE(bql_locked());
    address_space_read(&test_as, 0x10, &b, 1);  /* lockless: not taken */
    bql_lock();
    address_space_read(&test_as, 0x0, &b, 1);   /* held: not retaken */
    bql_unlock();
    CU_ASSERT_EQUAL(calls->len, 3);
    CU_ASSERT_TRUE(call(0)->bql);
    CU_ASSERT_FALSE(call(1)->bql);
    CU_ASSERT_TRUE(call(2)->bql);
    fixture_done();
}

/* --- listeners --------------------------------------------------------- */

typedef struct RecListener {
    MemoryListener l;
    GString *log;
} RecListener;

static void rec_region(MemoryListener *l, const FlatRange *fr,
                       const char *what)
{
    RecListener *r = container_of(l, RecListener, l);

    g_string_append_printf(r->log, "%s:%s %" PRIx64 "-%" PRIx64 " %s",
                           l->name, what, fr->start, fr->last,
                           memory_region_name(fr->mr));
    if (fr->offset_in_region) {
        g_string_append_printf(r->log, "@%" PRIx64, fr->offset_in_region);
    }
    g_string_append(r->log, fr->readonly ? " ro\n" : "\n");
}

static void rec_add(MemoryListener *l, const FlatRange *fr)
{
    rec_region(l, fr, "add");
}

static void rec_del(MemoryListener *l, const FlatRange *fr)
{
    rec_region(l, fr, "del");
}

static void rec_begin(MemoryListener *l)
{
    g_string_append_printf(container_of(l, RecListener, l)->log,
                           "%s:begin\n", l->name);
}

static void rec_commit(MemoryListener *l)
{
    g_string_append_printf(container_of(l, RecListener, l)->log,
                           "%s:commit\n", l->name);
}

static GString *rec_log;

static RecListener rec_listener(const char *name, bool bracket)
{
    return (RecListener) {
        .l = {
            .begin = bracket ? rec_begin : NULL,
            .commit = bracket ? rec_commit : NULL,
            .region_add = rec_add, .region_del = rec_del, .name = name,
        },
        .log = rec_log,
    };
}

/* The log so far, then cleared. */
static char *rec_take(void)
{
    char *s = g_strdup(rec_log->str);

    g_string_truncate(rec_log, 0);
    return s;
}

#define ASSERT_EVENTS(want) \
    do { \
        g_autofree char *got_ = rec_take(); \
        ASSERT_TEXT(got_, want); \
    } while (0)

static void test_listener_replay_and_unregister(void)
{
    RecListener kvm;

    rec_log = g_string_new("");
    kvm = rec_listener("kvm", true);
    fixture_init();
    map_ram("ram", 0, 0x1000, 0);
    map_io("dev", &ops_default, 0x1000, 0x10);
    memory_listener_register(&kvm.l, &test_as);
    /* only RAM; replayed between begin and commit */
    ASSERT_EVENTS("kvm:begin\nkvm:add 0-fff ram\nkvm:commit\n");
    memory_listener_unregister(&kvm.l, &test_as);
    ASSERT_EVENTS("kvm:begin\nkvm:del 0-fff ram\nkvm:commit\n");
    CU_ASSERT_PTR_NULL(kvm.l.address_space);
    fixture_done();
    g_string_free(rec_log, true);
}

static void test_listener_only_changes(void)
{
    RecListener kvm;
    MemoryRegion *b, *hole, *rom = mr_alloc();

    rec_log = g_string_new("");
    kvm = rec_listener("kvm", false);
    fixture_init();
    map_ram("a", 0, 0x1000, 0);
    b = map_ram("b", 0x10000, 0x1000, 0);
    memory_listener_register(&kvm.l, &test_as);
    ASSERT_EVENTS("kvm:add 0-fff a\nkvm:add 10000-10fff b\n");

    memory_region_set_address(b, 0x20000);      /* a is not reported */
    ASSERT_EVENTS("kvm:del 10000-10fff b\nkvm:add 20000-20fff b\n");

    map_io("dev", &ops_default, 0x30000, 0x10); /* I/O: nothing */
    ASSERT_EVENTS("");

    /* I/O over the middle of RAM: the range is replaced by two */
    hole = mr_alloc();
    memory_region_init_io(hole, NULL, &ops_default, NULL, "hole", 0x100);
    memory_region_add_subregion_overlap(root, 0x20400, hole, 1);
    ASSERT_EVENTS("kvm:del 20000-20fff b\n"
                  "kvm:add 20000-203ff b\nkvm:add 20500-20fff b@500\n");

    /* ROM is RAM for the listener, read-only */
    memory_region_init_rom(rom, NULL, "rom", 0x1000, &error_abort);
    memory_region_add_subregion(root, 0xf0000, rom);
    ASSERT_EVENTS("kvm:add f0000-f0fff rom ro\n");
    memory_region_set_readonly(rom, false);     /* attribute change */
    ASSERT_EVENTS("kvm:del f0000-f0fff rom ro\nkvm:add f0000-f0fff rom\n");

    memory_listener_unregister(&kvm.l, &test_as);
    g_string_truncate(rec_log, 0);
    fixture_done();
    g_string_free(rec_log, true);
}

/* Every deletion of a commit comes before its additions; deletions go to
 * listeners in reverse registration order, additions in order (QEMU). */
static void test_listener_order(void)
{
    RecListener first, second;
    MemoryRegion *a;

    rec_log = g_string_new("");
    first = rec_listener("first", true);
    second = rec_listener("second", false);
    fixture_init();
    a = map_ram("a", 0, 0x1000, 0);
    memory_listener_register(&first.l, &test_as);
    memory_listener_register(&second.l, &test_as);
    g_string_truncate(rec_log, 0);
    memory_region_transaction_begin();
    memory_region_set_address(a, 0x1000);
    map_ram("b", 0, 0x1000, 0);
    memory_region_transaction_commit();
    ASSERT_EVENTS("first:begin\n"
                  "second:del 0-fff a\nfirst:del 0-fff a\n"
                  "first:add 0-fff b\nsecond:add 0-fff b\n"
                  "first:add 1000-1fff a\nsecond:add 1000-1fff a\n"
                  "first:commit\n");
    memory_listener_unregister(&second.l, &test_as);
    memory_listener_unregister(&first.l, &test_as);
    fixture_done();
    g_string_free(rec_log, true);
}

/* --- the DMA fast path ------------------------------------------------- */

static void test_map_ram_contiguous(void)
{
    MemoryRegion *ram;
    uint8_t *p;

    fixture_init();
    ram = map_ram("ram", 0x1000, 0x2000, 0);
    p = memory_region_get_ram_ptr(ram);
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x1000, 0x2000,
                                              true), p);
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x1800, 0x800,
                                              false), p + 0x800);
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x2fff, 1, true),
                        p + 0x1fff);
    fixture_done();
}

static void test_map_ram_noncontiguous(void)
{
    MemoryRegion *ram, *rom = mr_alloc();
    uint8_t *p;

    fixture_init();
    ram = map_ram("ram", 0, 0x2000, 0);
    map_ram("other", 0x2000, 0x1000, 0);
    map_io("dev", &ops_default, 0x4000, 0x10);
    memory_region_init_rom(rom, NULL, "rom", 0x1000, &error_abort);
    memory_region_add_subregion(root, 0x8000, rom);
    p = memory_region_get_ram_ptr(ram);

    /* into another region, into a hole, I/O, a hole: no */
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x1000, 0x1001,
                                             false));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x2800, 0x1000,
                                             false));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x4000, 4, false));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x5000, 4, false));
    /* ROM: for reading only */
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x8000, 4, true));
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x8000, 4, false),
                        memory_region_get_ram_ptr(rom));

    /* one region through two aliases: contiguous in the guest, but in the
     * host only if the offsets follow */
    memory_region_add_subregion(root, 0x10000,
                                new_alias("hi", ram, 0x1000, 0x1000));
    memory_region_add_subregion(root, 0x11000,
                                new_alias("lo", ram, 0, 0x1000));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x10800, 0x1000,
                                             false));
    memory_region_add_subregion(root, 0x20000,
                                new_alias("lo2", ram, 0, 0x1000));
    memory_region_add_subregion(root, 0x21000,
                                new_alias("hi2", ram, 0x1000, 0x1000));
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x20800, 0x1000,
                                              true), p + 0x800);
    fixture_done();
}

/* Ranges of one region that differ only in read-only stay separate in
 * the view, but are one piece of host memory for a read. */
static void test_map_ram_readonly_split(void)
{
    MemoryRegion *ram, *ro;
    uint8_t *p;

    fixture_init();
    ram = map_ram("ram", 0, 0x2000, 0);
    ro = new_alias("ro", ram, 0x1000, 0x1000);
    memory_region_set_readonly(ro, true);
    memory_region_add_subregion_overlap(root, 0x1000, ro, 1);
    p = memory_region_get_ram_ptr(ram);
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x800, 0x1000,
                                              false), p + 0x800);
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x800, 0x1000, true));
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, 0x800, 0x800, true),
                        p + 0x800);
    fixture_done();
}

static void test_map_ram_wrap(void)
{
    uint8_t *top;

    fixture_init();
    top = memory_region_get_ram_ptr(
        map_ram("top", UINT64_C(0xfffffffffffff000), 0x1000, 0));
    map_ram("bottom", 0, 0x1000, 0);
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as,
                            UINT64_C(0xfffffffffffff000), 0x1000, true), top);
    CU_ASSERT_PTR_EQUAL(address_space_map_ram(&test_as, UINT64_MAX, 1, true),
                        top + 0xfff);
    /* wrapping to 0 is refused even though both ends are RAM */
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, UINT64_MAX, 2, true));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as,
                           UINT64_C(0xfffffffffffff000), 0x2000, true));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x10, UINT64_MAX,
                                             false));
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0, 0, false));
    fixture_done();
}

/* --- FlatView lifetime and concurrency ------------------------------- */

#define TYPE_AS_TEST_DEV "as-test-dev"

typedef struct AsTestDev {
    Object parent_obj;
    MemoryRegion ram;
} AsTestDev;

static int devs_finalized;

static void as_test_dev_finalize(Object *obj)
{
    devs_finalized++;
}

static const TypeInfo as_test_dev_info = {
    .name = TYPE_AS_TEST_DEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(AsTestDev),
    .instance_finalize = as_test_dev_finalize,
};

static void as_test_register(void)
{
    type_register_static(&as_test_dev_info);
}

type_init(as_test_register)

/* A pinned view keeps the device whose region it shows alive, and so its
 * RAM mapped, after the device is unplugged; dropping the pin only queues
 * the view, which the next commit frees (with the device). */
static void test_flatview_pin_keeps_device(void)
{
    AsTestDev *d = (AsTestDev *)object_new(TYPE_AS_TEST_DEV);
    FlatView *pinned;
    uint8_t *p;

    fixture_init();
    devs_finalized = 0;
    memory_region_init_ram(&d->ram, OBJECT(d), "dev-ram", 0x1000,
                           &error_abort);
    memory_region_add_subregion(root, 0x1000, &d->ram);
    pinned = address_space_get_flatview(&test_as);
    p = flatview_map_ram(pinned, 0x1000, 0x1000, true);
    CU_ASSERT_PTR_NOT_NULL(p);

    memory_region_del_subregion(root, &d->ram);    /* unplug */
    object_unref(d);
    CU_ASSERT_EQUAL(devs_finalized, 0);
    CU_ASSERT_PTR_NULL(address_space_map_ram(&test_as, 0x1000, 1, false));
    p[0xfff] = 42;                  /* still host memory of the guest */

    flatview_unref(pinned);
    CU_ASSERT_EQUAL(devs_finalized, 0);     /* queued, not freed here */
    memory_region_transaction_begin();
    memory_region_transaction_commit();
    CU_ASSERT_EQUAL(devs_finalized, 1);
    fixture_done();
}

static void *unref_thread(void *opaque)
{
    flatview_unref(opaque);
    return NULL;
}

static void quit_bh(void *opaque)
{
    main_loop_quit();
}

/* The last reference dropped by a thread without the big lock: the main
 * loop frees the view (and so the unplugged device) soon after. */
static void test_flatview_freed_by_main_loop(void)
{
    AsTestDev *d = (AsTestDev *)object_new(TYPE_AS_TEST_DEV);
    FlatView *pinned;
    QomuBH *quit;

    fixture_init();
    devs_finalized = 0;
    memory_region_init_ram(&d->ram, OBJECT(d), "dev-ram", 0x1000,
                           &error_abort);
    memory_region_add_subregion(root, 0x1000, &d->ram);
    pinned = address_space_get_flatview(&test_as);
    memory_region_del_subregion(root, &d->ram);
    object_unref(d);
    qomu_thread_join(qomu_thread_create("unref", unref_thread, pinned,
                                        &error_abort));
    CU_ASSERT_EQUAL(devs_finalized, 0);

    main_loop_init();
    quit = qomu_bh_new(quit_bh, NULL);
    qomu_bh_schedule(quit);         /* after the reclaim bottom half */
    main_loop_run();
    qomu_bh_delete(quit);
    CU_ASSERT_EQUAL(devs_finalized, 1);
    CU_ASSERT_FALSE(bql_locked());
    fixture_done();
}

typedef struct Reader {
    AddressSpace *as;
    hwaddr ram_addr;            /* RAM "a" (0xaa) or "b" (0xbb) */
    hwaddr io_addr;             /* an I/O register */
    int stop;                   /* atomic */
    int reads;                  /* atomic */
    int torn;                   /* reads that mixed old and new */
    int bad_io;                 /* I/O reads not under the big lock */
} Reader;

static uint64_t locked_read(void *opaque, hwaddr addr, unsigned size)
{
    return bql_locked() ? 0x5a5a5a5a : 0;
}

static const MemoryRegionOps ops_locked = { .read = locked_read };

static void *reader_thread(void *opaque)
{
    Reader *r = opaque;

    while (!g_atomic_int_get(&r->stop)) {
        uint8_t buf[64];
        uint32_t v = 0;

        address_space_read(r->as, r->ram_addr, buf, sizeof(buf));
        for (size_t i = 1; i < sizeof(buf); i++) {
            if (buf[i] != buf[0] || (buf[0] != 0xaa && buf[0] != 0xbb)) {
                r->torn++;
                break;
            }
        }
        address_space_read(r->as, r->io_addr, &v, 4);
        if (v != 0x5a5a5a5a) {
            r->bad_io++;
        }
        g_atomic_int_inc(&r->reads);
    }
    return NULL;
}

/* A vCPU-like thread reads while the main thread, under the big lock,
 * moves a region back and forth over another: every read sees the old
 * or the new layout, never a mix, and never freed memory; its I/O
 * callbacks run under the big lock, taken for it. */
static void test_concurrency_move_while_reading(void)
{
    Reader r = { .as = &test_as, .ram_addr = 0x10000, .io_addr = 0x40000 };
    MemoryRegion *a, *io = mr_alloc();
    QomuThread *t;
    gint64 deadline;
    int moves = 0;

    fixture_init();
    map_ram("b", 0x10000, 0x1000, 0xbb);
    a = mr_alloc();
    memory_region_init_ram(a, NULL, "a", 0x1000, &error_abort);
    memset(memory_region_get_ram_ptr(a), 0xaa, 0x1000);
    memory_region_add_subregion_overlap(root, 0x10000, a, 1);
    memory_region_init_io(io, NULL, &ops_locked, NULL, "reg", 4);
    memory_region_add_subregion(root, 0x40000, io);

    t = qomu_thread_create("reader", reader_thread, &r, &error_abort);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while ((moves < 2000 || g_atomic_int_get(&r.reads) < 200) &&
           g_get_monotonic_time() < deadline) {
        bql_lock();
        memory_region_set_address(a, moves & 1 ? 0x10000 : 0x30000);
        if (moves % 7 == 0) {
            /* unmap and remap the I/O the reader uses: in a transaction,
             * or a reader could see the view in between */
            memory_region_transaction_begin();
            memory_region_del_subregion(root, io);
            memory_region_add_subregion(root, 0x40000, io);
            memory_region_transaction_commit();
        }
        bql_unlock();
        moves++;
    }
    g_atomic_int_set(&r.stop, 1);
    qomu_thread_join(t);
    CU_ASSERT_TRUE(g_atomic_int_get(&r.reads) > 0);
    CU_ASSERT_EQUAL(r.torn, 0);
    CU_ASSERT_EQUAL(r.bad_io, 0);
    fixture_done();
}

int main(int argc, char **argv)
{
    int ret;

    container_get(object_get_root(), "/machine/unattached");

    harness_add("/address-space/rw/ram-across-boundary",
                test_rw_ram_across_boundary);
    harness_add("/address-space/rw/mixed", test_rw_mixed);
    harness_add("/address-space/rw/wrap", test_rw_wrap);
    harness_add("/address-space/io/callbacks", test_io_callbacks);
    harness_add("/address-space/io/split-impl-max", test_io_split_impl_max);
    harness_add("/address-space/io/split-valid-max",
                test_io_split_valid_max);
    harness_add("/address-space/io/widen-impl-min", test_io_widen_impl_min);
    harness_add("/address-space/io/invalid-size", test_io_invalid_size);
    harness_add("/address-space/io/unaligned-refused",
                test_io_unaligned_refused);
    harness_add("/address-space/io/accepts-and-null-callbacks",
                test_io_accepts_and_null_callbacks);
    harness_add("/address-space/unassigned/zero", test_unassigned_zero);
    harness_add("/address-space/unassigned/rate-limited",
                test_unassigned_rate_limited);
    harness_add("/address-space/rom/write-ignored", test_rom_write_ignored);
    harness_add("/address-space/system/spaces", test_system_spaces);
    harness_add("/address-space/bql/around-callbacks",
                test_bql_around_callbacks);
    harness_add("/address-space/listener/replay-and-unregister",
                test_listener_replay_and_unregister);
    harness_add("/address-space/listener/only-changes",
                test_listener_only_changes);
    harness_add("/address-space/listener/order", test_listener_order);
    harness_add("/address-space/map-ram/contiguous",
                test_map_ram_contiguous);
    harness_add("/address-space/map-ram/noncontiguous",
                test_map_ram_noncontiguous);
    harness_add("/address-space/map-ram/readonly-split",
                test_map_ram_readonly_split);
    harness_add("/address-space/map-ram/wrap", test_map_ram_wrap);
    harness_add("/address-space/flatview/pin-keeps-device",
                test_flatview_pin_keeps_device);
    harness_add("/address-space/flatview/freed-by-main-loop",
                test_flatview_freed_by_main_loop);
    harness_add("/address-space/concurrency/move-while-reading",
                test_concurrency_move_while_reading);
    ret = harness_run(argc, argv);
    if (log_path) {
        unlink(log_path);
        rmdir(log_dir);
        g_free(log_path);
        g_free(log_dir);
    }
    g_clear_pointer(&calls, g_array_unref);
    return ret;
}
