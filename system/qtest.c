/*
 * qtest.c - the qtest protocol server (QEMU 7.2's softmmu/qtest.c).  See
 * include/system/qtest.h and docs/devel/qtest-protocol.md.
 *
 * The command set, the reply texts and the log format are QEMU's.  Where
 * QEMU asserts on a malformed command (a missing argument, a number that
 * does not parse, a port above 0xffff, a read of 0 bytes, an IRQ line
 * that does not exist, a path that is not a device), the reply here is
 * "FAIL <reason>" and the machine goes on.  Other deliberate differences:
 *  - sizes of read/write/b64read/b64write/memset are capped at
 *    QTEST_MAX_XFER (QEMU allocates whatever it is asked for);
 *  - write and b64write check their data (hex digits; the base64
 *    alphabet) and answer FAIL, not QEMU's "ERR invalid argument size"
 *    (which has no log prefix and which libqtest cannot parse);
 *  - b64write with fewer decoded bytes than SIZE writes only those
 *    (QEMU writes SIZE bytes, reading past its buffer);
 *  - a trailing '\r' is dropped from each line; an empty line is FAIL;
 *  - a line longer than QTEST_MAX_LINE is discarded and answered FAIL;
 *  - extra arguments are FAIL (QEMU ignores them), except that
 *    clock_step takes its optional NS.
 * Interception uses the IRQ observers of hw/core/irq.h for inputs (the
 * line's own handler still runs first, as QEMU's forwarding handler does)
 * and qdev_intercept_gpio_out() for outputs; both are undone when the
 * server goes, so a device never calls into a server that is gone.
 */
#include "util/osdep.h"
#include "util/cutils.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "chardev/char-fe.h"
#include "hw/core/irq.h"
#include "hw/core/memory.h"
#include "hw/core/qdev.h"
#include "accel/qtest.h"
#include "system/qtest.h"

OBJECT_DECLARE_SIMPLE_TYPE(QTest, QTEST)

struct QTest {
    Object parent_obj;
    CharBackend chr;
};

#define MAX_IRQ 256
/* The longest command line: "write ADDR SIZE 0x" + 2 digits per byte. */
#define QTEST_MAX_LINE (2 * (size_t)QTEST_MAX_XFER + 4096)
/* What qtest_can_read offers per read (QEMU's). */
#define QTEST_READ_CHUNK 1024

#define FMT_timeval "%.06f"

/* An intercepted output: the line that now sits on the device's output
 * and the line it was connected to, which it forwards to. */
typedef struct QtestOutIntercept {
    qemu_irq icpt;              /* ours (referenced) */
    qemu_irq old;               /* the original connection (referenced),
                                 * or NULL */
    int n;
} QtestOutIntercept;

/* The server's state: one server per process, as in QEMU. */
static struct {
    QTest *obj;                 /* the -qtest server, or NULL */
    FILE *log;                  /* -qtest-log, or NULL */
    GTimer *timer;              /* since the client connected */
    bool opened;                /* the chardev is open (QEMU's) */
    GString *inbuf;             /* input not yet a complete line */
    bool discarding;            /* inside a line that was too long */
    void (*send)(void *opaque, const char *text);
    void *send_opaque;
    DeviceState *icpt_dev;      /* intercepted device (referenced) */
    GPtrArray *icpt_outs;       /* QtestOutIntercept *, or NULL */
    int irq_levels[MAX_IRQ];
} qts;

/* --- sending and logging ------------------------------------------------- */

static double qtest_elapsed(void)
{
    return qts.timer ? g_timer_elapsed(qts.timer, NULL) : 0.0;
}

/* QEMU's qtest_send_prefix + send: the log shows "[S +t] " and the text. */
static void qtest_send(const char *str)
{
    if (qts.log && qts.opened) {
        fprintf(qts.log, "[S +" FMT_timeval "] %s", qtest_elapsed(), str);
    }
    if (qts.send) {
        qts.send(qts.send_opaque, str);
    } else if (qts.obj) {
        qemu_chr_fe_write_all(&qts.obj->chr, (const uint8_t *)str,
                              strlen(str));
    }
}

static void G_GNUC_PRINTF(1, 2) qtest_sendf(const char *fmt, ...)
{
    g_autofree char *buf = NULL;
    va_list ap;

    va_start(ap, fmt);
    buf = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(buf);
}

/* "FAIL <reason>\n" */
static void G_GNUC_PRINTF(1, 2) qtest_fail(const char *fmt, ...)
{
    g_autofree char *reason = NULL;
    va_list ap;

    va_start(ap, fmt);
    reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_sendf("FAIL %s\n", reason);
}

/* --- IRQ interception ---------------------------------------------------- */

/* Report line @n's new @level, if it changed (QEMU's qtest_irq_handler). */
static void qtest_irq_report(int n, int level)
{
    if (n >= 0 && n < MAX_IRQ) {
        if (qts.irq_levels[n] == level) {
            return;
        }
        qts.irq_levels[n] = level;
    }
    qtest_sendf("IRQ %s %d\n", level ? "raise" : "lower", n);
}

/* Observer of an intercepted input: its handler has already run. */
static void qtest_irq_in_observer(void *opaque, int n, int level)
{
    qtest_irq_report(n, level);
}

/* Handler of the line put on an intercepted output. */
static void qtest_irq_out_handler(void *opaque, int n, int level)
{
    QtestOutIntercept *oi = opaque;

    qemu_set_irq(oi->old, level);
    qtest_irq_report(n, level);
}

static void qtest_out_intercept_free(gpointer p)
{
    QtestOutIntercept *oi = p;

    oi->icpt->handler = NULL;       /* inert if anything still holds it */
    object_unref(oi->icpt);
    if (oi->old) {
        object_unref(oi->old);
    }
    g_free(oi);
}

/* The number of @dev's unnamed outputs ("unnamed-gpio-out[i]" links). */
static int qtest_gpio_out_count(DeviceState *dev)
{
    int n = 0;

    for (;; n++) {
        g_autofree char *name = g_strdup_printf("unnamed-gpio-out[%d]", n);

        if (!object_property_find(OBJECT(dev), name)) {
            return n;
        }
    }
}

static void qtest_intercept_out(DeviceState *dev)
{
    int count = qtest_gpio_out_count(dev);

    qts.icpt_outs = g_ptr_array_new_with_free_func(qtest_out_intercept_free);
    for (int i = 0; i < count; i++) {
        QtestOutIntercept *oi = g_new0(QtestOutIntercept, 1);

        oi->n = i;
        oi->icpt = qemu_allocate_irq(qtest_irq_out_handler, oi, i);
        oi->old = qdev_intercept_gpio_out(dev, oi->icpt, NULL, i);
        if (oi->old) {
            object_ref(oi->old);
        }
        g_ptr_array_add(qts.icpt_outs, oi);
    }
}

/* Undo the interception: observers off, original connections back. */
static void qtest_release_intercepts(void)
{
    DeviceState *dev = qts.icpt_dev;

    if (!dev) {
        return;
    }
    qdev_intercept_gpio_in(dev, NULL, NULL, NULL);
    if (qts.icpt_outs) {
        for (guint i = 0; i < qts.icpt_outs->len; i++) {
            QtestOutIntercept *oi = g_ptr_array_index(qts.icpt_outs, i);

            qdev_connect_gpio_out_named(dev, NULL, oi->n, oi->old);
        }
        g_clear_pointer(&qts.icpt_outs, g_ptr_array_unref);
    }
    qts.icpt_dev = NULL;
    object_unref(dev);
}

/* --- argument parsing ---------------------------------------------------- */

/* A command: its name, argument counts and usage, and its handler. */
typedef struct QtestCommand {
    const char *name;
    int min_args, max_args;
    const char *usage;          /* "outb ADDR VALUE" */
    bool needs_accel;           /* only with the qtest accelerator */
    void (*fn)(const struct QtestCommand *cmd, char **args, int nargs);
} QtestCommand;

/* A number argument: qemu_strto*()'s @ret (base 0, nothing after the
 * number), or FAIL naming the argument. */
static bool qtest_arg_number(const QtestCommand *cmd, const char *what,
                             const char *arg, int ret)
{
    if (ret == -ERANGE) {
        qtest_fail("%s: %s '%s' is out of range", cmd->name, what, arg);
        return false;
    }
    if (ret < 0) {
        qtest_fail("%s: %s '%s' is not a number", cmd->name, what, arg);
        return false;
    }
    return true;
}

static bool qtest_arg_u64(const QtestCommand *cmd, const char *what,
                          const char *arg, uint64_t *value)
{
    return qtest_arg_number(cmd, what, arg,
                            qemu_strtou64(arg, NULL, 0, value));
}

static bool qtest_arg_i64(const QtestCommand *cmd, const char *what,
                          const char *arg, int64_t *value)
{
    return qtest_arg_number(cmd, what, arg,
                            qemu_strtoi64(arg, NULL, 0, value));
}

static bool qtest_arg_int(const QtestCommand *cmd, const char *what,
                          const char *arg, int *value)
{
    return qtest_arg_number(cmd, what, arg, qemu_strtoi(arg, NULL, 0, value));
}

/* SIZE of a bulk command: at most QTEST_MAX_XFER, at least @min. */
static bool qtest_arg_size(const QtestCommand *cmd, const char *arg,
                           uint64_t min, uint64_t *size)
{
    if (!qtest_arg_u64(cmd, "SIZE", arg, size)) {
        return false;
    }
    if (*size < min) {
        qtest_fail("%s: SIZE must be at least %" PRIu64, cmd->name, min);
        return false;
    }
    if (*size > QTEST_MAX_XFER) {
        qtest_fail("%s: SIZE 0x%" PRIx64 " is too large (at most 0x%x)",
                   cmd->name, *size, QTEST_MAX_XFER);
        return false;
    }
    return true;
}

/* A device by QOM path (absolute or partial), or QEMU's FAIL. */
static DeviceState *qtest_arg_device(const char *path)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    Object *dev = obj ? object_dynamic_cast(obj, TYPE_DEVICE) : NULL;

    if (!dev) {
        qtest_send("FAIL Unknown device\n");
        return NULL;
    }
    return DEVICE(dev);
}

static AddressSpace *qtest_as_memory(void)
{
    AddressSpace *as = address_space_memory_get();

    if (!as) {
        qtest_send("FAIL no machine memory\n");
    }
    return as;
}

/* The I/O space for PORT (at most 0xffff), or FAIL. */
static AddressSpace *qtest_as_port(const QtestCommand *cmd, uint64_t addr)
{
    AddressSpace *as = address_space_io_get();

    if (addr > 0xffff) {
        qtest_fail("%s: port 0x%" PRIx64 " is out of range (at most 0xffff)",
                   cmd->name, addr);
        return NULL;
    }
    if (!as) {
        qtest_send("FAIL no machine I/O space\n");
    }
    return as;
}

/* The access size a command's suffix names: b, w, l, q */
static unsigned qtest_width(char c)
{
    switch (c) {
    case 'b':
        return 1;
    case 'w':
        return 2;
    case 'l':
        return 4;
    default:
        return 8;
    }
}

/* --- commands ------------------------------------------------------------ */

static void cmd_endianness(const QtestCommand *cmd, char **args, int nargs)
{
    qtest_send("OK little\n");
}

/* outb/outw/outl ADDR VALUE */
static void cmd_out(const QtestCommand *cmd, char **args, int nargs)
{
    unsigned size = qtest_width(cmd->name[3]);
    AddressSpace *as;
    uint64_t addr, value;
    uint8_t buf[4];

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_u64(cmd, "VALUE", args[1], &value) ||
        !(as = qtest_as_port(cmd, addr))) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        buf[i] = value >> (8 * i);
    }
    address_space_write(as, addr, buf, size);
    qtest_send("OK\n");
}

/* inb/inw/inl ADDR */
static void cmd_in(const QtestCommand *cmd, char **args, int nargs)
{
    unsigned size = qtest_width(cmd->name[2]);
    AddressSpace *as;
    uint8_t buf[4] = { 0 };
    uint32_t value = 0;
    uint64_t addr;

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !(as = qtest_as_port(cmd, addr))) {
        return;
    }
    address_space_read(as, addr, buf, size);
    for (unsigned i = 0; i < size; i++) {
        value |= (uint32_t)buf[i] << (8 * i);
    }
    qtest_sendf("OK 0x%04x\n", value);
}

/* writeb/writew/writel/writeq ADDR VALUE (guest little-endian) */
static void cmd_write_n(const QtestCommand *cmd, char **args, int nargs)
{
    unsigned size = qtest_width(cmd->name[5]);
    AddressSpace *as;
    uint64_t addr, value;
    uint8_t buf[8];

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_u64(cmd, "VALUE", args[1], &value) ||
        !(as = qtest_as_memory())) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        buf[i] = value >> (8 * i);
    }
    address_space_write(as, addr, buf, size);
    qtest_send("OK\n");
}

/* readb/readw/readl/readq ADDR */
static void cmd_read_n(const QtestCommand *cmd, char **args, int nargs)
{
    unsigned size = qtest_width(cmd->name[4]);
    uint8_t buf[8] = { 0 };
    uint64_t addr, value = 0;
    AddressSpace *as;

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !(as = qtest_as_memory())) {
        return;
    }
    address_space_read(as, addr, buf, size);
    for (unsigned i = 0; i < size; i++) {
        value |= (uint64_t)buf[i] << (8 * i);
    }
    qtest_sendf("OK 0x%016" PRIx64 "\n", value);
}

/* read ADDR SIZE: "OK 0x<2 hex digits per byte>" */
static void cmd_read(const QtestCommand *cmd, char **args, int nargs)
{
    static const char hex[] = "0123456789abcdef";
    g_autofree uint8_t *data = NULL;
    g_autofree char *enc = NULL;
    uint64_t addr, len;
    AddressSpace *as;

    /* QEMU asserts SIZE != 0: "We'd send garbage to libqtest" */
    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_size(cmd, args[1], 1, &len) ||
        !(as = qtest_as_memory())) {
        return;
    }
    data = g_malloc(len);
    address_space_read(as, addr, data, len);
    enc = g_malloc(5 + 2 * len + 2);        /* "OK 0x" HEX "\n" NUL */
    memcpy(enc, "OK 0x", 5);
    for (uint64_t i = 0; i < len; i++) {
        enc[5 + 2 * i] = hex[data[i] >> 4];
        enc[5 + 2 * i + 1] = hex[data[i] & 15];
    }
    enc[5 + 2 * len] = '\n';
    enc[6 + 2 * len] = '\0';
    qtest_send(enc);
}

/* b64read ADDR SIZE */
static void cmd_b64read(const QtestCommand *cmd, char **args, int nargs)
{
    g_autofree uint8_t *data = NULL;
    g_autofree char *b64 = NULL;
    uint64_t addr, len;
    AddressSpace *as;

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_size(cmd, args[1], 0, &len) ||
        !(as = qtest_as_memory())) {
        return;
    }
    data = g_malloc(len ? len : 1);
    if (len) {
        address_space_read(as, addr, data, len);
    }
    b64 = g_base64_encode(data, len);
    qtest_sendf("OK %s\n", b64);
}

static int hex2nib(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
        return 10 + (ch - 'a');
    } else if (ch >= 'A' && ch <= 'F') {
        return 10 + (ch - 'A');
    }
    return -1;
}

/* write ADDR SIZE 0xDATA: DATA shorter than SIZE is zero-filled (QEMU) */
static void cmd_write(const QtestCommand *cmd, char **args, int nargs)
{
    const char *hexdata = args[2];
    g_autofree uint8_t *data = NULL;
    uint64_t addr, len;
    size_t digits;
    AddressSpace *as;

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_size(cmd, args[1], 0, &len)) {
        return;
    }
    if (hexdata[0] != '0' || (hexdata[1] != 'x' && hexdata[1] != 'X')) {
        qtest_fail("write: DATA must start with 0x");
        return;
    }
    hexdata += 2;
    digits = strlen(hexdata);
    if (digits == 0 || digits % 2) {
        qtest_fail("write: DATA must have two hex digits per byte");
        return;
    }
    if (digits / 2 > len) {
        qtest_fail("write: DATA has %zu bytes, more than SIZE (%" PRIu64 ")",
                   digits / 2, len);
        return;
    }
    for (size_t i = 0; i < digits; i++) {
        if (hex2nib(hexdata[i]) < 0) {
            qtest_fail("write: DATA has a character that is not a hex "
                       "digit: '%c'", hexdata[i]);
            return;
        }
    }
    if (!(as = qtest_as_memory())) {
        return;
    }
    data = g_malloc0(len ? len : 1);
    for (size_t i = 0; i < digits / 2; i++) {
        data[i] = hex2nib(hexdata[2 * i]) << 4 | hex2nib(hexdata[2 * i + 1]);
    }
    if (len) {
        address_space_write(as, addr, data, len);
    }
    qtest_send("OK\n");
}

/* b64write ADDR SIZE B64DATA: writes min(decoded, SIZE) bytes */
static void cmd_b64write(const QtestCommand *cmd, char **args, int nargs)
{
    char *b64 = args[2];
    size_t b64len = strlen(b64);
    uint64_t addr, len;
    gsize out_len;
    AddressSpace *as;
    guchar *data;

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_size(cmd, args[1], 0, &len)) {
        return;
    }
    for (size_t i = 0; i < b64len; i++) {
        char c = b64[i];

        if (!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=') {
            qtest_fail("b64write: B64DATA has a character that is not "
                       "base64: '%c'", c);
            return;
        }
    }
    if (b64len % 4) {
        qtest_fail("b64write: B64DATA length %zu is not a multiple of 4",
                   b64len);
        return;
    }
    if (!(as = qtest_as_memory())) {
        return;
    }
    data = g_base64_decode_inplace(b64, &out_len);
    if (out_len != len) {
        /* QEMU's log line (no reply: the write goes ahead, truncated) */
        if (qts.log && qts.opened) {
            fprintf(qts.log, "[S +" FMT_timeval "] b64write: data length "
                    "mismatch (told %" PRIu64 ", found %zu)\n",
                    qtest_elapsed(), len, (size_t)out_len);
        }
        out_len = MIN(out_len, len);
    }
    if (out_len) {
        address_space_write(as, addr, data, out_len);
    }
    qtest_send("OK\n");
}

/* memset ADDR SIZE VALUE */
static void cmd_memset(const QtestCommand *cmd, char **args, int nargs)
{
    g_autofree uint8_t *data = NULL;
    uint64_t addr, len, pattern;
    AddressSpace *as;

    if (!qtest_arg_u64(cmd, "ADDR", args[0], &addr) ||
        !qtest_arg_size(cmd, args[1], 0, &len) ||
        !qtest_arg_u64(cmd, "VALUE", args[2], &pattern) ||
        !(as = qtest_as_memory())) {
        return;
    }
    if (len) {
        data = g_malloc(len);
        memset(data, (uint8_t)pattern, len);
        address_space_write(as, addr, data, len);
    }
    qtest_send("OK\n");
}

/* clock_step [NS]: NS, or to the next virtual deadline (none: no move) */
static void cmd_clock_step(const QtestCommand *cmd, char **args, int nargs)
{
    int64_t now = qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t ns;

    if (nargs > 0) {
        if (!qtest_arg_i64(cmd, "NS", args[0], &ns)) {
            return;
        }
    } else {
        int64_t deadline = qomu_clock_next_deadline_ns(QEMU_CLOCK_VIRTUAL);

        /* QEMU's qemu_clock_deadline_ns_all: -1 without timers */
        ns = deadline < 0 ? -1 : MAX(deadline - now, 0);
    }
    /* Saturate rather than overflow: the clock stops at INT64_MAX. */
    qtest_clock_warp(ns > 0 && now > INT64_MAX - ns ? INT64_MAX : now + ns);
    qtest_sendf("OK %" PRIi64 "\n", qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

/* clock_set NS: to NS (nothing if already past) */
static void cmd_clock_set(const QtestCommand *cmd, char **args, int nargs)
{
    int64_t ns;

    if (!qtest_arg_i64(cmd, "NS", args[0], &ns)) {
        return;
    }
    qtest_clock_warp(ns);
    qtest_sendf("OK %" PRIi64 "\n", qomu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

/* irq_intercept_in PATH / irq_intercept_out PATH: the device's unnamed
 * GPIO inputs / outputs (QEMU: named ones are not supported yet). */
static void cmd_irq_intercept(const QtestCommand *cmd, char **args,
                              int nargs)
{
    bool out = !strcmp(cmd->name, "irq_intercept_out");
    DeviceState *dev = qtest_arg_device(args[0]);

    if (!dev) {
        return;
    }
    if (qts.icpt_dev) {
        qtest_send(qts.icpt_dev != dev
                   ? "FAIL IRQ intercept already enabled\n" : "OK\n");
        return;
    }
    qts.icpt_dev = dev;
    object_ref(OBJECT(dev));
    if (out) {
        qtest_intercept_out(dev);
    } else {
        qdev_intercept_gpio_in(dev, NULL, qtest_irq_in_observer, NULL);
    }
    qtest_send("OK\n");
}

/* set_irq_in PATH NAME NUM LEVEL */
static void cmd_set_irq_in(const QtestCommand *cmd, char **args, int nargs)
{
    const char *name = args[1];
    DeviceState *dev;
    int num, level, count;

    if (!qtest_arg_int(cmd, "NUM", args[2], &num) ||
        !qtest_arg_int(cmd, "LEVEL", args[3], &level)) {
        return;
    }
    dev = qtest_arg_device(args[0]);
    if (!dev) {
        return;
    }
    if (!strcmp(name, "unnamed-gpio-in")) {
        name = NULL;
    }
    count = qdev_get_gpio_in_count(dev, name);
    if (num < 0 || num >= count) {
        qtest_fail("set_irq_in: device has no input %s[%d] (it has %d)",
                   args[1], num, count);
        return;
    }
    qemu_set_irq(qdev_get_gpio_in_named(dev, name, num), level);
    qtest_send("OK\n");
}

/* module_load PREFIX NAME: qomu has no loadable modules (QEMU's reply
 * when the module is not found). */
static void cmd_module_load(const QtestCommand *cmd, char **args, int nargs)
{
    qtest_send("FAIL\n");
}

static const QtestCommand qtest_commands[] = {
    { "endianness", 0, 0, "endianness", false, cmd_endianness },
    { "outb", 2, 2, "outb ADDR VALUE", false, cmd_out },
    { "outw", 2, 2, "outw ADDR VALUE", false, cmd_out },
    { "outl", 2, 2, "outl ADDR VALUE", false, cmd_out },
    { "inb", 1, 1, "inb ADDR", false, cmd_in },
    { "inw", 1, 1, "inw ADDR", false, cmd_in },
    { "inl", 1, 1, "inl ADDR", false, cmd_in },
    { "writeb", 2, 2, "writeb ADDR VALUE", false, cmd_write_n },
    { "writew", 2, 2, "writew ADDR VALUE", false, cmd_write_n },
    { "writel", 2, 2, "writel ADDR VALUE", false, cmd_write_n },
    { "writeq", 2, 2, "writeq ADDR VALUE", false, cmd_write_n },
    { "readb", 1, 1, "readb ADDR", false, cmd_read_n },
    { "readw", 1, 1, "readw ADDR", false, cmd_read_n },
    { "readl", 1, 1, "readl ADDR", false, cmd_read_n },
    { "readq", 1, 1, "readq ADDR", false, cmd_read_n },
    { "read", 2, 2, "read ADDR SIZE", false, cmd_read },
    { "write", 3, 3, "write ADDR SIZE DATA", false, cmd_write },
    { "b64read", 2, 2, "b64read ADDR SIZE", false, cmd_b64read },
    { "b64write", 3, 3, "b64write ADDR SIZE B64DATA", false, cmd_b64write },
    { "memset", 3, 3, "memset ADDR SIZE VALUE", false, cmd_memset },
    { "clock_step", 0, 1, "clock_step [NS]", true, cmd_clock_step },
    { "clock_set", 1, 1, "clock_set NS", true, cmd_clock_set },
    { "irq_intercept_in", 1, 1, "irq_intercept_in PATH", false,
      cmd_irq_intercept },
    { "irq_intercept_out", 1, 1, "irq_intercept_out PATH", false,
      cmd_irq_intercept },
    { "set_irq_in", 4, 4, "set_irq_in PATH NAME NUM LEVEL", false,
      cmd_set_irq_in },
    { "module_load", 2, 2, "module_load PREFIX NAME", false,
      cmd_module_load },
};

/* One command line, without its '\n' (QEMU's qtest_process_command). */
static void qtest_process_command(char *line)
{
    size_t len = strlen(line);
    g_auto(GStrv) words = NULL;
    int nargs;

    if (len && line[len - 1] == '\r') {
        line[len - 1] = '\0';
    }
    words = g_strsplit(line, " ", 0);
    if (qts.log) {
        fprintf(qts.log, "[R +" FMT_timeval "]", qtest_elapsed());
        for (int i = 0; words[i]; i++) {
            fprintf(qts.log, " %s", words[i]);
        }
        fprintf(qts.log, "\n");
    }
    if (!words[0] || !words[0][0]) {
        qtest_fail("empty command");
        return;
    }
    nargs = g_strv_length(words) - 1;
    for (size_t i = 0; i < G_N_ELEMENTS(qtest_commands); i++) {
        const QtestCommand *cmd = &qtest_commands[i];

        if (strcmp(words[0], cmd->name) != 0 ||
            (cmd->needs_accel && !qtest_enabled())) {
            continue;
        }
        if (nargs < cmd->min_args || nargs > cmd->max_args) {
            qtest_fail("usage: %s", cmd->usage);
            return;
        }
        cmd->fn(cmd, words + 1, nargs);
        return;
    }
    qtest_sendf("FAIL Unknown command '%s'\n", words[0]);
}

/* Run every complete line in qts.inbuf (QEMU's qtest_process_inbuf). */
static void qtest_process_inbuf(void)
{
    char *end;

    while ((end = memchr(qts.inbuf->str, '\n', qts.inbuf->len)) != NULL) {
        size_t offset = end - qts.inbuf->str;
        g_autofree char *cmd = g_strndup(qts.inbuf->str, offset);

        g_string_erase(qts.inbuf, 0, offset + 1);
        if (qts.discarding) {
            qts.discarding = false;
            qtest_fail("command line too long (more than %zu bytes)",
                       QTEST_MAX_LINE);
            continue;
        }
        qtest_process_command(cmd);
    }
    if (qts.inbuf->len > QTEST_MAX_LINE) {
        /* No end in sight: drop it, answer when it ends. */
        g_string_truncate(qts.inbuf, 0);
        qts.discarding = true;
    }
}

static void qtest_input(const char *buf, size_t size)
{
    if (!qts.inbuf) {
        qts.inbuf = g_string_new(NULL);
    }
    g_string_append_len(qts.inbuf, buf, size);
    qtest_process_inbuf();
}

/* --- the chardev --------------------------------------------------------- */

static int qtest_can_read(void *opaque)
{
    return QTEST_READ_CHUNK;
}

static void qtest_read(void *opaque, const uint8_t *buf, int size)
{
    qtest_input((const char *)buf, size);
}

static void qtest_event(void *opaque, QEMUChrEvent event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        memset(qts.irq_levels, 0, sizeof(qts.irq_levels));
        g_clear_pointer(&qts.timer, g_timer_destroy);
        qts.timer = g_timer_new();
        qts.opened = true;
        if (qts.log) {
            fprintf(qts.log, "[I " FMT_timeval "] OPENED\n", qtest_elapsed());
        }
        break;
    case CHR_EVENT_CLOSED:
        qts.opened = false;
        if (qts.log) {
            fprintf(qts.log, "[I +" FMT_timeval "] CLOSED\n",
                    qtest_elapsed());
        }
        g_clear_pointer(&qts.timer, g_timer_destroy);
        break;
    default:
        break;
    }
}

static bool qtest_open_log(const char *log, Error **errp)
{
    if (!log) {
        qts.log = stderr;
        return true;
    }
    if (!strcmp(log, "none")) {
        return true;
    }
    qts.log = fopen(log, "w+");
    if (!qts.log) {
        error_setg_errno(errp, errno, "Could not open qtest log '%s'", log);
        return false;
    }
    /* A line at a time: the log is for reading while the test runs. */
    setvbuf(qts.log, NULL, _IOLBF, 0);
    return true;
}

static void qtest_close_log(void)
{
    if (qts.log && qts.log != stderr) {
        fclose(qts.log);
    }
    qts.log = NULL;
}

bool qtest_server_init(const char *chrdev_spec, const char *log,
                       Error **errp)
{
    Error *err = NULL;
    Chardev *chr;
    QTest *q;

    if (qts.obj) {
        error_setg(errp, "Only one instance of qtest can be created");
        return false;
    }
    chr = qemu_chr_new("qtest", chrdev_spec, &err);
    if (!chr) {
        error_report_err(err);
        error_setg(errp, "Failed to initialize device for qtest: \"%s\"",
                   chrdev_spec);
        return false;
    }
    if (!qtest_open_log(log, errp)) {
        object_unparent(OBJECT(chr));
        return false;
    }
    q = QTEST(object_new(TYPE_QTEST));
    if (!qemu_chr_fe_init(&q->chr, chr, errp)) {
        object_unref(q);
        qtest_close_log();
        return false;
    }
    object_property_add_child(qdev_get_machine(), "qtest", OBJECT(q));
    object_unref(q);                    /* /machine holds it */
    qts.obj = q;
    qemu_chr_fe_set_handlers(&q->chr, qtest_can_read, qtest_read,
                             qtest_event, q, true);
    return true;
}

void qtest_server_cleanup(void)
{
    if (qts.obj) {
        object_unparent(OBJECT(qts.obj));  /* qtest_unparent does it all */
    }
    qtest_server_reset();
}

bool qtest_driver(void)
{
    return qts.obj && qts.obj->chr.chr;
}

void qtest_server_set_send_handler(void (*send)(void *opaque,
                                                const char *text),
                                   void *opaque)
{
    qts.send = send;
    qts.send_opaque = opaque;
}

void qtest_server_inproc_recv(void *opaque, const char *buf)
{
    qtest_input(buf, strlen(buf));
}

void qtest_server_reset(void)
{
    qtest_release_intercepts();
    memset(qts.irq_levels, 0, sizeof(qts.irq_levels));
    qts.send = NULL;
    qts.send_opaque = NULL;
    if (qts.inbuf) {
        g_string_free(qts.inbuf, true);
        qts.inbuf = NULL;
    }
    qts.discarding = false;
}

/* Leaving /machine: the machine is going (QEMU's qtest_unparent). */
static void qtest_unparent(Object *obj)
{
    QTest *q = QTEST(obj);

    if (qts.obj != q) {
        return;
    }
    if (qts.opened) {
        qtest_event(q, CHR_EVENT_CLOSED);
    }
    qemu_chr_fe_deinit(&q->chr, false);
    qtest_server_reset();
    qtest_close_log();
    g_clear_pointer(&qts.timer, g_timer_destroy);
    qts.opened = false;
    qts.obj = NULL;
}

static void qtest_class_init(ObjectClass *oc, void *data)
{
    oc->unparent = qtest_unparent;
}

static const TypeInfo qtest_info = {
    .name = TYPE_QTEST,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(QTest),
    .class_init = qtest_class_init,
};

static void qtest_register_types(void)
{
    type_register_static(&qtest_info);
}

type_init(qtest_register_types)
