/*
 * virtio-blk-fuzz.c - libFuzzer target for virtio-blk request handling
 * (hw/virtio/virtio-blk.c over the real virtio core): a hostile guest's
 * descriptor chains, indirect tables, ring indices and request headers
 * (type, sector, data lengths, discard/write-zeroes segments, where the
 * status byte lands) against the fake transport and guest RAM of
 * tests/unit/virtio-fake.h and a 128 KiB raw image on tmpfs (created once
 * per process, its contents restored before every input).
 *
 * Guest RAM layout (queue 0): desc 0x1000, avail 0x2000, used 0x3000,
 * indirect tables 0x4000-0x7fff, request headers 0x8000 + 32 * slot
 * (16 bytes of header, then a 16-byte discard/write-zeroes segment),
 * status bytes 0x9000-0x9fff, data 0x10000-0x1ffff (ram1).
 *
 * The input is a small program.  Byte 0 chooses the driver's features
 * (bit 0 EVENT_IDX, 1 INDIRECT_DESC, 2 VERSION_1, 3 FLUSH, 4 DISCARD,
 * 5 WRITE_ZEROES, 6 CONFIG_WCE, 7 ANY_LAYOUT), byte 1 the queue size
 * (2 << (b & 7)) and request merging (bit 3); then each operation is an
 * opcode byte and its operands (missing bytes read as 0): raw
 * descriptors, avail entries and indices, raw bytes, headers and
 * segments, whole well-formed-ish requests (header, data split in
 * pieces, status separate or the last byte of the data, optionally in an
 * indirect table), kicks with or without running the block layer, the
 * WCE config byte, resets.  At the end everything runs to completion.
 *
 * Checks (abort on a violation; ASan/UBSan do the rest):
 *  - every chain the device pops (virtqueue_pop is wrapped at link time,
 *    -Wl,--wrap=virtqueue_pop, see tests/fuzz/Makefile.objs) lies in guest RAM, device-writable parts in
 *    writable RAM;
 *  - once idle, the only guest bytes that changed behind the guest's back
 *    are inside the in-buffers of chains popped since the last check or
 *    in the used ring (a shadow copy of RAM tracks the guest's writes);
 *  - a used length never exceeds the chain's in-buffers (virtqueue_fill
 *    wrapped too);
 *  - once idle and not broken, every popped chain was completed and
 *    published (virtqueue_flush wrapped too).
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "block/aio.h"
#include "block/block-backend.h"
#include "block/block.h"
#include "hw/virtio/virtio-blk.h"
#include "../unit/virtio-fake.h"

#include <fcntl.h>
#include <sys/vfs.h>
#include "fuzz-input.h"

#define F_DESC      0x1000
#define F_AVAIL     0x2000
#define F_USED      0x3000
#define F_ITABLE    0x4000      /* indirect tables: 0x4000 - 0x7fff */
#define F_HDR       0x8000      /* 128 slots of 32 bytes */
#define F_STATUS    0x9000
#define F_DATA      0x10000
#define RAM_SIZE    0x20000
#define DISK        (128 * 1024)
#define DISK_SECTORS (DISK / 512)

static DeviceState *proxy;
static VirtIODevice *vdev;
static VirtIOBlock *vblk;
static BlockBackend *blk;
static char *img_path;
static int img_fd = -1;
static uint8_t *img_pattern;
static unsigned qsz;
static uint64_t features;
static uint16_t next_desc;      /* the structured requests' next slot */
static uint16_t next_itable;    /* ... and indirect table */

static uint8_t shadow[RAM_SIZE];        /* what the guest wrote */
static uint8_t allowed[RAM_SIZE / 8];   /* device may write (bitmap) */
static unsigned pops;                   /* chains popped since the check */
static unsigned fills, flushed;         /* ... completed, published */

static void quiet(const char *text, void *opaque)
{
}

/* --- guest RAM -------------------------------------------------------- */

static uint8_t *ram_ptr(hwaddr a)
{
    return tv_ram(a);
}

/* A guest write: RAM and its shadow. */
static void wr(hwaddr a, const void *v, size_t n)
{
    if (a >= RAM_SIZE || n > RAM_SIZE - a) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        *ram_ptr(a + i) = ((const uint8_t *)v)[i];
        shadow[a + i] = ((const uint8_t *)v)[i];
    }
}

static void wr8(hwaddr a, uint8_t v) { wr(a, &v, 1); }
static void wr16(hwaddr a, uint16_t v) { wr(a, &v, 2); }
static void wr32(hwaddr a, uint32_t v) { wr(a, &v, 4); }
static void wr64(hwaddr a, uint64_t v) { wr(a, &v, 8); }

static uint16_t rd16(hwaddr a)
{
    uint16_t v;

    memcpy(&v, ram_ptr(a), 2);
    return v;
}

static void allow(hwaddr a, size_t n)
{
    for (size_t i = 0; i < n && a + i < RAM_SIZE; i++) {
        allowed[(a + i) / 8] |= 1u << ((a + i) % 8);
    }
}

/* The guest address of host range [p, p + len) in writable RAM, or -1. */
static int64_t ram_offset(const void *p, size_t len, bool writable)
{
    const uint8_t *b = p;
    const uint8_t *r0 = memory_region_get_ram_ptr(tv_ram0);
    const uint8_t *r1 = memory_region_get_ram_ptr(tv_ram1);
    const uint8_t *rom = memory_region_get_ram_ptr(tv_rom);

    if (b >= r0 && b <= r0 + 0x10000 && len <= 0x10000 - (size_t)(b - r0)) {
        return TV_RAM0 + (b - r0);
    }
    if (b >= r1 && b <= r1 + 0x10000 && len <= 0x10000 - (size_t)(b - r1)) {
        return TV_RAM1 + (b - r1);
    }
    if (!writable && b >= rom && b <= rom + 0x1000 &&
        len <= 0x1000 - (size_t)(b - rom)) {
        return RAM_SIZE;        /* readable, never written */
    }
    return -1;
}

/* --- the device's side, observed ---------------------------------------- */

void *__real_virtqueue_pop(VirtQueue *vq, size_t sz);
void *__wrap_virtqueue_pop(VirtQueue *vq, size_t sz);

void *__wrap_virtqueue_pop(VirtQueue *vq, size_t sz)
{
    VirtQueueElement *e = __real_virtqueue_pop(vq, sz);
    volatile uint8_t sink = 0;

    if (!e || !vdev) {
        return e;
    }
    pops++;
    if (e->index >= qsz || e->out_num + e->in_num > VIRTQUEUE_MAX_SIZE) {
        abort();
    }
    for (unsigned i = 0; i < e->out_num; i++) {
        const struct iovec *v = &e->out_sg[i];

        if (!v->iov_len || ram_offset(v->iov_base, v->iov_len, false) < 0) {
            abort();
        }
        sink ^= ((uint8_t *)v->iov_base)[v->iov_len - 1];
    }
    for (unsigned i = 0; i < e->in_num; i++) {
        const struct iovec *v = &e->in_sg[i];
        int64_t a = ram_offset(v->iov_base, v->iov_len, true);

        if (!v->iov_len || a < 0) {
            abort();
        }
        allow(a, v->iov_len);
    }
    (void)sink;
    return e;
}

void __real_virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                           unsigned int len, unsigned int idx);
void __wrap_virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                           unsigned int len, unsigned int idx);
void __real_virtqueue_flush(VirtQueue *vq, unsigned int count);
void __wrap_virtqueue_flush(VirtQueue *vq, unsigned int count);

void __wrap_virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                           unsigned int len, unsigned int idx)
{
    /* the used length never claims more than the in-buffers hold */
    if (vdev && len > iov_size(elem->in_sg, elem->in_num)) {
        fprintf(stderr, "virtio-blk-fuzz: used len %u > in-buffers %zu\n",
                len, iov_size(elem->in_sg, elem->in_num));
        abort();
    }
    fills++;
    __real_virtqueue_fill(vq, elem, len, idx);
}

void __wrap_virtqueue_flush(VirtQueue *vq, unsigned int count)
{
    flushed += count;
    __real_virtqueue_flush(vq, count);
}

/* Run the block layer and bottom halves until nothing is left. */
static void run_idle(void)
{
    AioContext *ctx = qemu_get_aio_context();

    for (int i = 0; i < 1000; i++) {
        blk_drain(blk);
        if (!aio_poll(ctx, false) && !blk_in_flight(blk)) {
            return;
        }
    }
    abort();                    /* never idle: a hang */
}

/* Idle: compare RAM with what the guest wrote. */
static void check_idle(void)
{
    allow(F_USED, 6 + 8 * qsz);
    for (hwaddr a = 0; a < RAM_SIZE; a += 0x1000) {
        if (!memcmp(ram_ptr(a), &shadow[a], 0x1000)) {
            continue;
        }
        for (hwaddr b = a; b < a + 0x1000; b++) {
            if (*ram_ptr(b) != shadow[b]) {
                if (!(allowed[b / 8] & (1u << (b % 8)))) {
                    fprintf(stderr, "virtio-blk-fuzz: device wrote guest "
                            "byte 0x%" PRIx64 " outside its in-buffers\n",
                            (uint64_t)b);
                    abort();
                }
                shadow[b] = *ram_ptr(b);
            }
        }
    }
    if (!vdev->broken && (fills != pops || flushed != fills)) {
        fprintf(stderr, "virtio-blk-fuzz: %u chains popped, %u completed, "
                "%u published\n", pops, fills, flushed);
        abort();
    }
    memset(allowed, 0, sizeof(allowed));
    pops = fills = flushed = 0;
}

static void kick(bool run)
{
    bql_lock();
    virtio_queue_notify(vdev, 0);
    if (run) {
        run_idle();
        check_idle();
    }
    bql_unlock();
}

/* --- the driver ---------------------------------------------------------- */

static void driver_setup(void)
{
    bql_lock();
    virtio_reset(vdev);
    run_idle();
    bql_unlock();
    /* the reset forgets in-flight state: start over */
    memset(allowed, 0, sizeof(allowed));
    pops = fills = flushed = 0;
    for (hwaddr a = 0; a < 0x10000; a += 0x1000) {
        if (a < F_ITABLE) {
            memset(ram_ptr(a), 0, 0x1000);
            memset(&shadow[a], 0, 0x1000);
        }
    }
    memcpy(shadow, ram_ptr(0), 0x10000);
    memcpy(&shadow[0x10000], ram_ptr(0x10000), 0x10000);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                            VIRTIO_CONFIG_S_DRIVER);
    virtio_set_features(vdev, features);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                            VIRTIO_CONFIG_S_DRIVER |
                            VIRTIO_CONFIG_S_FEATURES_OK);
    virtio_queue_set_num(vdev, 0, qsz);
    virtio_queue_set_rings(vdev, 0, F_DESC, F_AVAIL, F_USED);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                            VIRTIO_CONFIG_S_DRIVER |
                            VIRTIO_CONFIG_S_FEATURES_OK |
                            VIRTIO_CONFIG_S_DRIVER_OK);
    next_desc = 0;
    next_itable = 0;
}

static void set_features(uint8_t f)
{
    static const unsigned bits[8] = {
        VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC,
        VIRTIO_F_VERSION_1, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_DISCARD,
        VIRTIO_BLK_F_WRITE_ZEROES, VIRTIO_BLK_F_CONFIG_WCE,
        VIRTIO_F_ANY_LAYOUT,
    };

    features = 0;
    for (int i = 0; i < 8; i++) {
        if (f & (1u << i)) {
            features |= 1ULL << bits[i];
        }
    }
}

/* A guest address from a selector byte and an offset. */
static uint64_t guest_addr(uint8_t sel, uint32_t off)
{
    switch (sel % 8) {
    case 0:
        return F_HDR + (off % 0x1000);
    case 1:
        return F_STATUS + (off % 0x1000);
    case 2:
    case 3:
        return F_DATA + (off % 0x10000);
    case 4:
        return TV_RAM1 - 0x100 + (off % 0x200);     /* ram0|ram1 border */
    case 5:
        return TV_RAM_END - 0x100 + (off % 0x200);  /* end of RAM, ROM */
    case 6:
        return F_ITABLE + (off % 0x4000);
    default:
        switch (off % 4) {
        case 0:
            return TV_MMIO - 0x10 + (off >> 2) % 0x1020;
        case 1:
            return UINT64_MAX - (off >> 2) % 0x1000;
        case 2:
            return F_DESC + (off >> 2) % 0x3000;    /* the rings */
        default:
            return ((uint64_t)off << 32) | off;     /* anywhere */
        }
    }
}

static uint32_t req_type(Input *in)
{
    static const uint32_t types[] = {
        VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
        VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES,
        VIRTIO_BLK_T_SCSI_CMD, VIRTIO_BLK_T_FLUSH | VIRTIO_BLK_T_OUT,
        VIRTIO_BLK_T_IN | VIRTIO_BLK_T_BARRIER,
        VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER,
        VIRTIO_BLK_T_DISCARD & ~VIRTIO_BLK_T_OUT,
        VIRTIO_BLK_T_WRITE_ZEROES & ~VIRTIO_BLK_T_OUT,
        VIRTIO_BLK_T_GET_ID | VIRTIO_BLK_T_OUT,
    };
    uint8_t s = in8(in);

    if (s & 0x80) {
        return in32(in);
    }
    return types[s % G_N_ELEMENTS(types)];
}

static uint64_t req_sector(Input *in)
{
    uint8_t s = in8(in);

    switch (s % 4) {
    case 0:
        return s >> 2;
    case 1:
        return DISK_SECTORS - (s >> 2);
    case 2:
        return in16(in);
    default:
        return in64(in);
    }
}

/* Header slot @slot: type, ioprio 0, sector. */
static void put_header(unsigned slot, uint32_t type, uint64_t sector)
{
    hwaddr h = F_HDR + 32 * (slot % 128);

    wr32(h, type);
    wr32(h + 4, 0);
    wr64(h + 8, sector);
}

static void put_desc(hwaddr table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    hwaddr a = table + 16 * (hwaddr)i;

    wr64(a, addr);
    wr32(a + 8, len);
    wr16(a + 12, flags);
    wr16(a + 14, next);
}

static void avail_add(uint16_t head)
{
    uint16_t idx = rd16(F_AVAIL + 2);

    wr16(F_AVAIL + 4 + 2 * (idx % qsz), head);
    wr16(F_AVAIL + 2, idx + 1);
}

/*
 * A whole request, mostly well formed: header at a slot (optionally split
 * in two descriptors), data of @len bytes at @data in up to 4 pieces, the
 * status byte separate or the last byte of the data; in the main table or
 * in an indirect table.
 */
static void post_request(Input *in)
{
    uint8_t slot = in8(in) % 128;
    uint8_t ctl = in8(in);
    uint32_t type = req_type(in);
    uint64_t sector = req_sector(in);
    uint8_t ls = in8(in);
    uint32_t len = (ls & 0x80) ? in16(in) : (ls & 0x7f) * 512u;
    hwaddr data = F_DATA + (in8(in) & 0x7f) * 512u;
    bool indirect = ctl & 1;
    bool split_hdr = ctl & 2;
    bool status_in_data = ctl & 4;
    bool data_writable = (ctl & 8) ? true :
                         !(type & VIRTIO_BLK_T_OUT);
    unsigned pieces = ((ctl >> 4) & 3) + 1;
    bool dwz_segment = ctl & 0x40;
    hwaddr hdr = F_HDR + 32 * slot;
    uint64_t d[8];
    uint32_t l[8];
    uint16_t f[8];
    unsigned n = 0;

    len = MIN(len, (uint32_t)(RAM_SIZE - data));
    put_header(slot, type, sector);
    if (dwz_segment) {
        /* the segment follows the header: data is the segment */
        wr64(hdr + 16, req_sector(in));
        wr32(hdr + 24, (in8(in) & 1) ? in32(in) : in8(in));
        wr32(hdr + 28, in8(in) & 3);
        data = hdr + 16;
        len = 16;
        data_writable = false;
    }
    if (split_hdr) {
        d[n] = hdr; l[n] = 7; f[n++] = 0;
        d[n] = hdr + 7; l[n] = 9 + (dwz_segment ? 16 : 0); f[n++] = 0;
        len = dwz_segment ? 0 : len;
    } else {
        d[n] = hdr; l[n] = 16; f[n++] = 0;
    }
    if (len) {
        uint32_t piece = len / pieces, off = 0;

        for (unsigned i = 0; i < pieces && off < len; i++) {
            uint32_t pl = i + 1 == pieces ? len - off : MAX(piece, 1u);

            d[n] = data + off;
            l[n] = pl;
            f[n++] = data_writable ? VRING_DESC_F_WRITE : 0;
            off += pl;
        }
    }
    if (!status_in_data) {
        d[n] = F_STATUS + (slot * 8) % 0x1000;
        l[n] = 1 + (ctl >> 7);
        f[n++] = VRING_DESC_F_WRITE;
    }
    wr8(F_STATUS + (slot * 8) % 0x1000, 0xee);

    if (indirect) {
        hwaddr table = F_ITABLE + 16 * (next_itable % 0x400);
        uint16_t head = next_desc++ % qsz;

        if (table + 16 * n > F_HDR) {
            table = F_ITABLE;
            next_itable = 0;
        }
        next_itable += n;
        for (unsigned i = 0; i < n; i++) {
            put_desc(table, i, d[i], l[i],
                     f[i] | (i + 1 < n ? VRING_DESC_F_NEXT : 0), i + 1);
        }
        put_desc(F_DESC, head, table, 16 * n, VRING_DESC_F_INDIRECT, 0);
        avail_add(head);
    } else {
        uint16_t head = next_desc % qsz;

        for (unsigned i = 0; i < n; i++) {
            put_desc(F_DESC, (next_desc + i) % qsz, d[i], l[i],
                     f[i] | (i + 1 < n ? VRING_DESC_F_NEXT : 0),
                     (next_desc + i + 1) % qsz);
        }
        next_desc += n;
        avail_add(head);
    }
}

/* --- the target ----------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void restore_image(void)
{
    if (pwrite(img_fd, img_pattern, DISK, 0) != DISK) {
        abort();
    }
}

static void cleanup(void)
{
    if (img_path) {
        g_autofree char *dir = g_path_get_dirname(img_path);

        unlink(img_path);
        rmdir(dir);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct statfs st;
    const char *base = statfs("/dev/shm", &st) == 0 &&
                       st.f_type == 0x01021994 ? "/dev/shm" : g_get_tmp_dir();
    g_autofree char *tmpl = g_build_filename(base, "qomu-vblkfuzz-XXXXXX",
                                             NULL);
    g_autofree char *dir = NULL;
    g_autofree char *spec = NULL;
    BlockOptions *opts;
    BusState *bus;
    DeviceState *dev;

    error_init("virtio-blk-fuzz");
    main_loop_init();
    qdev_get_machine();
    container_get(qdev_get_machine(), "/unattached");

    dir = g_mkdtemp(g_steal_pointer(&tmpl));
    if (!dir) {
        perror("mkdtemp");
        exit(1);
    }
    img_path = g_build_filename(dir, "disk.img", NULL);
    img_pattern = g_malloc(DISK);
    for (int i = 0; i < DISK; i++) {
        img_pattern[i] = (uint8_t)(i * 131 + i / 4096 + 3);
    }
    img_fd = open(img_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (img_fd < 0) {
        perror(img_path);
        exit(1);
    }
    restore_image();
    atexit(cleanup);

    opts = bopts_new();
    bopts_set(opts, "driver", "raw");
    bopts_set(opts, "file.driver", "file");
    bopts_set(opts, "file.filename", img_path);
    blk = blk_new_open(NULL, opts, BDRV_O_RDWR, &error_abort);
    monitor_add_blk(blk, "vd0", &error_abort);

    tv_space_init();
    proxy = qdev_new(TYPE_TV_PROXY);
    qdev_realize(proxy, NULL, &error_abort);
    bus = qbus_new(TYPE_TV_BUS, proxy, "tv-bus.0");
    dev = qdev_new(TYPE_VIRTIO_BLK);
    object_property_parse(OBJECT(dev), "drive", "vd0", &error_abort);
    object_property_parse(OBJECT(dev), "serial", "QOMU-FUZZ", &error_abort);
    qdev_realize_and_unref(dev, bus, &error_abort);
    vdev = VIRTIO_DEVICE(dev);
    vblk = VIRTIO_BLK(dev);
    /* the fake transport is legacy: offer what a modern one would */
    vdev->host_features |= 1ULL << VIRTIO_F_VERSION_1;
    vdev->host_features &= ~(1ULL << VIRTIO_BLK_F_SCSI);
    error_report_set_sink(quiet, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    uint8_t b1;
    unsigned ops = 0;

    set_features(in8(&in));
    b1 = in8(&in);
    qsz = 2u << (b1 & 7);
    vblk->conf.request_merging = !(b1 & 8);
    restore_image();
    memset(ram_ptr(0), 0, 0x10000);
    memset(ram_ptr(0x10000), 0, 0x10000);
    driver_setup();

    while (in.left && ops++ < 1024) {
        uint8_t op = in8(&in);

        switch (op % 16) {
        case 0:
        case 1:                                 /* a structured request */
            post_request(&in);
            break;
        case 2: {                               /* a raw descriptor */
            uint16_t slot = in16(&in);
            uint8_t sel = in8(&in);
            uint32_t off = in32(&in);
            uint64_t addr = guest_addr(sel, off);
            uint32_t len = (sel & 0x80) ? in32(&in) : in8(&in);
            uint16_t flags = in8(&in) & 7;
            uint16_t next = (sel & 0x40) ? in16(&in) : in8(&in) % qsz;
            bool ind = slot & 0x8000;

            put_desc(ind ? F_ITABLE : F_DESC,
                     (slot & 0x7fff) % (ind ? 0x400 : qsz), addr, len, flags,
                     next);
            break;
        }
        case 3: {                               /* make a head available */
            uint16_t head = in8(&in);

            head = (head & 0x80) ? in16(&in) : head % qsz;
            avail_add(head);
            break;
        }
        case 4:                                 /* avail->idx, any value */
            wr16(F_AVAIL + 2, in16(&in));
            break;
        case 5:                                 /* raw bytes below data */
            wr64(in16(&in) % (F_DATA - 8), in64(&in));
            break;
        case 6: {                               /* a header */
            uint8_t slot = in8(&in);
            uint32_t type = req_type(&in);

            put_header(slot, type, req_sector(&in));
            break;
        }
        case 7: {                               /* a dwz segment */
            hwaddr h = F_HDR + 32 * (in8(&in) % 128) + 16;

            wr64(h, req_sector(&in));
            wr32(h + 8, (in8(&in) & 1) ? in32(&in) : in8(&in));
            wr32(h + 12, (in8(&in) & 1) ? in32(&in) : in8(&in) & 3);
            break;
        }
        case 8:
        case 9:
        case 10:                                /* kick, complete all */
            kick(true);
            break;
        case 11:                                /* kick, leave in flight */
            kick(false);
            break;
        case 12:                                /* used_event */
            wr16(F_AVAIL + 4 + 2 * qsz, in16(&in));
            break;
        case 13: {                              /* write cache switch */
            uint8_t v = in8(&in);

            bql_lock();
            if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
                virtio_config_modern_writeb(vdev, 32, v & 1);
            } else {
                virtio_config_writeb(vdev, 32, v & 1);
            }
            bql_unlock();
            break;
        }
        case 14: {                              /* data bytes */
            hwaddr a = F_DATA + in16(&in);
            uint8_t n = in8(&in), v = in8(&in);

            for (unsigned i = 0; i < n && a + i < RAM_SIZE; i++) {
                wr8(a + i, v);
            }
            break;
        }
        default: {                              /* reset, new features */
            bql_lock();
            run_idle();
            check_idle();
            bql_unlock();
            set_features(in8(&in));
            qsz = 2u << (in8(&in) & 7);
            driver_setup();
            break;
        }
        }
    }
    kick(true);
    driver_setup();
    bql_lock();
    virtio_reset(vdev);
    run_idle();
    bql_unlock();
    return 0;
}
