/*
 * qomu-img - create, inspect, check and convert disk images (QEMU 7.2's
 * qemu-img.c, the subset qomu needs): raw and qcow2.
 *
 *   qomu-img create [-q] [-f fmt] [-o options] [-b backing [-F fmt]] [-u]
 *                   FILE [SIZE]
 *   qomu-img info [-f fmt] [--output human|json] [-U] FILE
 *   qomu-img check [-q] [-f fmt] [-r leaks|all] [--output human|json] [-U]
 *                  FILE
 *   qomu-img convert [-q] [-p] [-f fmt] [-O fmt] [-o options] IN OUT
 *
 * Output text, JSON key order (QEMU's QDict hash order) and exit codes
 * are qemu-img's: check exits 0 (clean), 1 (the check could not run),
 * 2 (corruptions), 3 (leaks only), 63 (the format has no check).
 *
 * The qcow2 functions (include/block/qcow2.h) are weak references: a
 * build without the qcow2 driver still links, and qcow2 is then an
 * unknown format here as in the block layer.
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <getopt.h>
#include "util/cutils.h"
#include "util/error-report.h"
#include "util/main-loop.h"
#include "block/block-int.h"
#include "block/block-backend.h"
#include "block/file-posix.h"
#include "block/qcow2.h"

#pragma weak qcow2_create
#pragma weak qcow2_probe
#pragma weak qcow2_check
#pragma weak qcow2_get_info

#define PROG "qomu-img"

static bool quiet;

static bool have_qcow2(void)
{
    return qcow2_create && qcow2_probe && qcow2_check && qcow2_get_info &&
           bdrv_find_format(QCOW2_FORMAT_NAME);
}

static void G_GNUC_PRINTF(1, 2) qprintf(const char *fmt, ...)
{
    va_list ap;

    if (quiet) {
        return;
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static void G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) error_exit(const char *fmt,
                                                           ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    error_printf("Try '" PROG " --help' for more information\n");
    exit(EXIT_FAILURE);
}

static void G_GNUC_NORETURN help(void)
{
    printf("qomu-img - QEMU 7.2's qemu-img for qomu (raw, qcow2)\n"
           "usage: " PROG " [standard options] command [command options]\n"
           "\n"
           "Command syntax:\n"
           "  check [-q] [-f fmt] [--output=ofmt] [-r [leaks | all]] [-U] "
           "filename\n"
           "  convert [-p] [-q] [-f fmt] [-O output_fmt] [-o options] "
           "filename output_filename\n"
           "  create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] "
           "[-o options] filename [size]\n"
           "  info [-f fmt] [--output=ofmt] [-U] filename\n"
           "\n"
           "Supported formats: raw%s\n", have_qcow2() ? " qcow2" : "");
    exit(EXIT_SUCCESS);
}

/*
 * getopt_long with what every command does alike (qemu-img.c's loops):
 * a missing argument or an unknown option ends the program with
 * qemu-img's message, -h/--help prints the help.  Returns the option, or
 * -1 after the last one.
 */
static int img_getopt(int argc, char **argv, const char *shortopts,
                      const struct option *longopts)
{
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);

    switch (c) {
    case ':':
        error_exit("missing argument for option '%s'", argv[optind - 1]);
    case '?':
        error_exit("unrecognized option '%s'", argv[optind - 1]);
    case 'h':
        help();
    }
    return c;
}

/* --- JSON and dumps in QEMU's QDict order -------------------------------- */

/*
 * QEMU's QDict: 512 buckets by tdb_hash(key), each a list with the newest
 * entry first; qdict_first/next (and so the JSON printer and
 * dump_qdict) walk buckets in order.
 */
typedef enum { JV_INT, JV_BOOL, JV_STR, JV_DICT } JKind;

typedef struct JDict JDict;
typedef struct JEntry {
    char *key;
    JKind kind;
    int64_t i;
    char *s;
    JDict *d;
    unsigned seq;
} JEntry;

struct JDict {
    GPtrArray *entries;
};

static unsigned tdb_hash(const char *name)
{
    unsigned value, i;

    for (value = 0x238F13AF * strlen(name), i = 0; name[i]; i++) {
        value = value + (((const unsigned char *)name)[i] << (i * 5 % 24));
    }
    return 1103515243 * value + 12345;
}

static void jentry_free(gpointer p)
{
    JEntry *e = p;

    g_free(e->key);
    g_free(e->s);
    if (e->d) {
        g_ptr_array_free(e->d->entries, TRUE);
        g_free(e->d);
    }
    g_free(e);
}

static JDict *jdict_new(void)
{
    JDict *d = g_new0(JDict, 1);

    d->entries = g_ptr_array_new_with_free_func(jentry_free);
    return d;
}

static void jdict_free(JDict *d)
{
    g_ptr_array_free(d->entries, TRUE);
    g_free(d);
}

static JEntry *jdict_add(JDict *d, const char *key, JKind kind)
{
    JEntry *e = g_new0(JEntry, 1);

    e->key = g_strdup(key);
    e->kind = kind;
    e->seq = d->entries->len;
    g_ptr_array_add(d->entries, e);
    return e;
}

static void jput_int(JDict *d, const char *key, int64_t v)
{
    jdict_add(d, key, JV_INT)->i = v;
}

static void jput_bool(JDict *d, const char *key, bool v)
{
    jdict_add(d, key, JV_BOOL)->i = v;
}

static void jput_str(JDict *d, const char *key, const char *v)
{
    jdict_add(d, key, JV_STR)->s = g_strdup(v);
}

static void jput_dict(JDict *d, const char *key, JDict *v)
{
    jdict_add(d, key, JV_DICT)->d = v;
}

static gint jentry_cmp(gconstpointer a, gconstpointer b)
{
    const JEntry *x = *(JEntry *const *)a, *y = *(JEntry *const *)b;
    unsigned bx = tdb_hash(x->key) % 512, by = tdb_hash(y->key) % 512;

    if (bx != by) {
        return bx < by ? -1 : 1;
    }
    return x->seq > y->seq ? -1 : 1;
}

static void jdict_sort(JDict *d)
{
    g_ptr_array_sort(d->entries, jentry_cmp);
}

static void json_str(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;

        switch (c) {
        case '"':  g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                g_string_append_printf(out, "\\u%04X", c);
            } else {
                g_string_append_c(out, c);
            }
        }
    }
    g_string_append_c(out, '"');
}

/* QEMU's qobject_to_json_pretty() */
static void json_dict(GString *out, JDict *d, int level)
{
    jdict_sort(d);
    g_string_append_c(out, '{');
    for (guint i = 0; i < d->entries->len; i++) {
        JEntry *e = d->entries->pdata[i];

        g_string_append(out, i ? ",\n" : "\n");
        g_string_append_printf(out, "%*s", (level + 1) * 4, "");
        json_str(out, e->key);
        g_string_append(out, ": ");
        switch (e->kind) {
        case JV_INT:
            g_string_append_printf(out, "%" PRId64, e->i);
            break;
        case JV_BOOL:
            g_string_append(out, e->i ? "true" : "false");
            break;
        case JV_STR:
            json_str(out, e->s);
            break;
        case JV_DICT:
            json_dict(out, e->d, level + 1);
            break;
        }
    }
    if (d->entries->len) {
        g_string_append_printf(out, "\n%*s", level * 4, "");
    }
    g_string_append_c(out, '}');
}

/* QEMU's dump_qdict() (block/qapi.c): "key with spaces: value" */
static void dump_dict(GString *out, JDict *d, int indent)
{
    jdict_sort(d);
    for (guint i = 0; i < d->entries->len; i++) {
        JEntry *e = d->entries->pdata[i];
        g_autofree char *key = g_strdup(e->key);

        g_strdelimit(key, "-", ' ');
        if (e->kind == JV_DICT) {
            g_string_append_printf(out, "%*s%s:\n", indent, "", key);
            dump_dict(out, e->d, indent + 4);
            continue;
        }
        g_string_append_printf(out, "%*s%s: ", indent, "", key);
        switch (e->kind) {
        case JV_INT:
            g_string_append_printf(out, "%" PRId64, e->i);
            break;
        case JV_BOOL:
            g_string_append(out, e->i ? "true" : "false");
            break;
        default:
            g_string_append(out, e->s);
            break;
        }
        g_string_append_c(out, '\n');
    }
}

/* --- opening ------------------------------------------------------------- */

/* The format of @filename's contents as qemu-img would probe it: qcow2 by
 * header, else NULL (the block layer probes the rest). */
static const char *probe_qcow2(const char *filename)
{
    uint8_t buf[BLOCK_PROBE_BUF_SIZE] = { 0 };
    int fd;
    ssize_t n;

    if (!have_qcow2()) {
        return NULL;
    }
    fd = open(filename, O_RDONLY);
    if (fd < 0) {
        return NULL;
    }
    n = pread(fd, buf, sizeof(buf), 0);
    close(fd);
    if (n > 0 && qcow2_probe(buf, n, filename) > 0) {
        return QCOW2_FORMAT_NAME;
    }
    return NULL;
}

static bool check_format(const char *fmt, Error **errp)
{
    if (strcmp(fmt, "raw") && !(have_qcow2() && !strcmp(fmt, "qcow2"))) {
        error_setg(errp, "Unknown file format '%s'", fmt);
        return false;
    }
    return true;
}

/* The BlockBackend of each image img_open() opened: its permissions
 * are the image locks qemu-img holds (BlockDriverState * -> blk) */
static GHashTable *img_blks;

/*
 * qemu-img's img_open(): @fmt NULL probes.  @no_backing: do not open the
 * backing file of a qcow2 image (BDRV_O_NO_BACKING).  @force_share: -U
 * (force-share=on: take the image even if another process does not
 * share it).  Opened through a BlockBackend as qemu-img does, so the
 * image locks are QEMU's.  Reports the error.  img_close() it.
 */
static BlockDriverState *img_open(const char *filename, const char *fmt,
                                  bool writable, bool no_backing,
                                  bool force_share)
{
    Error *err = NULL;
    BlockOptions *opts = bopts_new();
    BlockBackend *blk;
    BlockDriverState *bs;

    if (!fmt) {
        fmt = probe_qcow2(filename);
    } else if (!check_format(fmt, &err)) {
        error_report_err(err);
        bopts_free(opts);
        return NULL;
    }
    if (fmt) {
        bopts_set(opts, "driver", fmt);
        if (no_backing && !strcmp(fmt, QCOW2_FORMAT_NAME)) {
            bopts_set(opts, "backing", "null");
        }
    }
    if (force_share) {
        bopts_set(opts, "force-share", "on");
    }
    blk = blk_new_open(filename, opts, writable ? BDRV_O_RDWR : 0, &err);
    if (!blk) {
        error_reportf_err(err, "Could not open '%s': ", filename);
        return NULL;
    }
    bs = blk_bs(blk);
    if (!img_blks) {
        img_blks = g_hash_table_new(NULL, NULL);
    }
    g_hash_table_insert(img_blks, bs, blk);
    return bs;
}

static void img_close(BlockDriverState *bs)
{
    BlockBackend *blk = g_hash_table_lookup(img_blks, bs);

    g_hash_table_remove(img_blks, bs);
    blk_unref(blk);
}

static bool is_qcow2(BlockDriverState *bs)
{
    return have_qcow2() && !strcmp(bdrv_get_format_name(bs),
                                   QCOW2_FORMAT_NAME);
}

/* QEMU's path_combine(): @name relative to the directory of @base */
static char *path_combine(const char *base, const char *name)
{
    const char *slash;

    if (g_path_is_absolute(name) || !(slash = strrchr(base, '/'))) {
        return g_strdup(name);
    }
    return g_strdup_printf("%.*s%s", (int)(slash - base + 1), base, name);
}

/* --- create -------------------------------------------------------------- */

typedef struct CreateOpts {
    const char *fmt;
    bool has_size;
    uint64_t size;
    char *backing_file;
    char *backing_fmt;
    uint32_t cluster_size;
    char *compat;
    bool lazy_refcounts;
    int refcount_bits;          /* 0: default (16); -1: invalid */
    char *refcount_bits_str;    /* as qemu-img prints it */
} CreateOpts;

static void create_opts_free(CreateOpts *o)
{
    g_free(o->backing_file);
    g_free(o->backing_fmt);
    g_free(o->compat);
    g_free(o->refcount_bits_str);
}

/* "-o size=1M,cluster_size=4k": QemuOpts syntax (",," is a comma). */
static bool parse_create_options(CreateOpts *o, const char *options,
                                 const char *filename, Error **errp)
{
    const char *p = options;
    bool qcow2 = !strcmp(o->fmt, "qcow2");

    while (*p) {
        GString *key = g_string_new(NULL), *val = g_string_new(NULL);
        bool has_val = false;
        g_autofree char *k = NULL, *v = NULL;
        uint64_t n;

        while (*p && *p != '=' && *p != ',') {
            g_string_append_c(key, *p++);
        }
        if (*p == '=') {
            has_val = true;
            p++;
            while (*p) {
                if (*p == ',') {
                    if (p[1] != ',') {
                        break;
                    }
                    p++;
                }
                g_string_append_c(val, *p++);
            }
        }
        if (*p == ',') {
            p++;
        }
        k = g_string_free(key, FALSE);
        v = g_string_free(val, FALSE);
        if (!has_val) {
            g_free(v);
            v = g_strdup("on");
        }
        if (!strcmp(k, "size")) {
            if (qemu_strtosz(v, NULL, &n) < 0) {
                error_setg(errp, "Parameter 'size' expects a non-negative "
                           "number below 2^64");
                error_append_hint(errp, "Optional suffix k, M, G, T, P or E "
                                  "means kilo-, mega-, giga-, tera-, peta-\n"
                                  "and exabytes, respectively.\n");
                return false;
            }
            o->has_size = true;
            o->size = n;
        } else if (qcow2 && !strcmp(k, "backing_file")) {
            g_free(o->backing_file);
            o->backing_file = g_strdup(v);
        } else if (qcow2 && !strcmp(k, "backing_fmt")) {
            g_free(o->backing_fmt);
            o->backing_fmt = g_strdup(v);
        } else if (qcow2 && !strcmp(k, "cluster_size")) {
            if (qemu_strtosz(v, NULL, &n) < 0 || n > UINT32_MAX) {
                error_setg(errp, "Parameter 'cluster_size' expects a "
                           "non-negative number below 2^64");
                return false;
            }
            o->cluster_size = n;
        } else if (qcow2 && !strcmp(k, "compat")) {
            if (strcmp(v, "0.10") && strcmp(v, "v2") && strcmp(v, "1.1") &&
                strcmp(v, "v3")) {
                error_setg(errp, "Invalid compatibility level: '%s'", v);
                return false;
            }
            g_free(o->compat);
            o->compat = g_strdup(v);
        } else if (qcow2 && !strcmp(k, "lazy_refcounts")) {
            bool b;

            if (!qapi_bool_parse(k, v, &b, errp)) {
                return false;
            }
            o->lazy_refcounts = b;
        } else if (qcow2 && !strcmp(k, "refcount_bits")) {
            /* QemuOpts number: checked by qcow2_create (after the
             * "Formatting" line, as qemu-img does) */
            if (qemu_strtou64(v, NULL, 0, &n) < 0) {
                error_setg(errp, "Parameter 'refcount_bits' expects a "
                           "number");
                return false;
            }
            o->refcount_bits_str = g_strdup_printf("%" PRId64, (int64_t)n);
            o->refcount_bits = n >= 1 && n <= 64 ? (int)n : -1;
        } else {
            error_setg(errp, "Invalid parameter '%s'", k);
            return false;
        }
    }
    (void)filename;
    return true;
}

static int img_create(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, 0, 'h' },
        { "object", required_argument, 0, 1 },
        { 0, 0, 0, 0 }
    };
    CreateOpts o = { .fmt = "raw" };
    GString *options = g_string_new(NULL);
    const char *filename;
    Error *err = NULL;
    int c, ret = EXIT_FAILURE;

    while ((c = img_getopt(argc, argv, ":F:b:f:ho:qu", long_options)) != -1) {
        switch (c) {
        case 'F':
            g_free(o.backing_fmt);
            o.backing_fmt = g_strdup(optarg);
            break;
        case 'b':
            g_free(o.backing_file);
            o.backing_file = g_strdup(optarg);
            break;
        case 'f':
            o.fmt = optarg;
            break;
        case 'o':
            if (!strcmp(optarg, "help") || !strcmp(optarg, "?")) {
                printf("Supported options:\n  size=<size>\n");
                if (!strcmp(o.fmt, "qcow2")) {
                    printf("  backing_file=<str>\n  backing_fmt=<str>\n"
                           "  cluster_size=<size>\n  compat=<str>\n"
                           "  lazy_refcounts=<bool (on/off)>\n"
                           "  refcount_bits=<num>\n");
                }
                g_string_free(options, TRUE);
                return EXIT_SUCCESS;
            }
            if (options->len) {
                g_string_append_c(options, ',');
            }
            g_string_append(options, optarg);
            break;
        case 'q':
            quiet = true;
            break;
        case 'u':
            break;      /* no backing file is opened unless size is absent */
        case 1:
            break;
        }
    }
    if (optind >= argc) {
        error_exit("Expecting image file name");
    }
    filename = argv[optind++];

    if (optind < argc) {
        int64_t sval;
        uint64_t usval;

        if (qemu_strtosz(argv[optind], NULL, &usval) < 0 ||
            usval > INT64_MAX) {
            error_report("Invalid image size specified. You may use k, M, "
                         "G, T, P or E suffixes for");
            error_report("kilobytes, megabytes, gigabytes, terabytes, "
                         "petabytes and exabytes.");
            goto out;
        }
        sval = usval;
        o.has_size = true;
        o.size = sval;
        optind++;
    }
    if (optind != argc) {
        error_exit("Unexpected argument: %s", argv[optind]);
    }

    if (!check_format(o.fmt, &err)) {
        error_reportf_err(err, "%s: ", filename);
        goto out;
    }
    {
        /* QEMU's bdrv_img_create(): -o first, then SIZE, -b, -F */
        g_autofree char *cmdline_bf = o.backing_file;
        g_autofree char *cmdline_bfmt = o.backing_fmt;
        bool pos_size = o.has_size;
        uint64_t size = o.size;

        o.backing_file = NULL;
        o.backing_fmt = NULL;
        o.has_size = false;
        if (options->len && !parse_create_options(&o, options->str, filename,
                                                  &err)) {
            error_reportf_err(err, "%s: ", filename);
            goto out;
        }
        if (pos_size && o.has_size) {
            error_report("%s: The image size must be specified only once",
                         filename);
            goto out;
        }
        if (pos_size) {
            o.has_size = true;
            o.size = size;
        }
        if (cmdline_bf) {
            if (strcmp(o.fmt, "qcow2")) {
                error_report("%s: Backing file not supported for file "
                             "format '%s'", filename, o.fmt);
                goto out;
            }
            g_free(o.backing_file);
            o.backing_file = g_steal_pointer(&cmdline_bf);
        }
        if (cmdline_bfmt) {
            if (strcmp(o.fmt, "qcow2")) {
                error_report("%s: Backing file format not supported for "
                             "file format '%s'", filename, o.fmt);
                goto out;
            }
            g_free(o.backing_fmt);
            o.backing_fmt = g_steal_pointer(&cmdline_bfmt);
        }
    }
    if (o.backing_file && strcmp(o.fmt, "qcow2")) {
        error_report("%s: Invalid parameter 'backing_file'", filename);
        goto out;
    }
    if (o.backing_fmt && !o.backing_file) {
        error_report("%s: Backing format cannot be used without backing "
                     "file", filename);
        goto out;
    }
    if (o.backing_file && !o.backing_fmt) {
        /* QEMU 7.2 requires it; it names what it would have probed */
        g_autofree char *full = NULL;
        const char *guess;

        full = path_combine(filename, o.backing_file);
        guess = probe_qcow2(full);
        error_report("%s: Backing file specified without backing format",
                     filename);
        error_printf("Detected format of %s.", guess ? guess : "raw");
        goto out;
    }
    if (o.backing_file && !o.has_size) {
        /* the size of the backing file */
        g_autofree char *full = path_combine(filename, o.backing_file);
        BlockDriverState *bbs = img_open(full, o.backing_fmt, false, false,
                                         true);
        int64_t len;

        if (!bbs) {
            goto out;
        }
        len = bdrv_getlength(bbs);
        img_close(bbs);
        if (len < 0) {
            error_report("%s: Could not get size of '%s': %s", filename,
                         full, strerror(-len));
            goto out;
        }
        o.has_size = true;
        o.size = len;
    }
    if (!o.has_size) {
        error_report("%s: Image creation needs a size parameter", filename);
        goto out;
    }

    if (!strcmp(o.fmt, "raw")) {
        int fd;

        qprintf("Formatting '%s', fmt=raw size=%" PRIu64 "\n", filename,
                o.size);
        fflush(stdout);             /* before any error, as QEMU */
        fd = file_posix_create(filename, o.size, &err);
        if (fd < 0) {
            error_reportf_err(err, "%s: ", filename);
            goto out;
        }
        /* QEMU's allocate_first_block(): "disk size: 4 KiB" */
        if (o.size) {
            static const uint8_t zeroes[4096];

            if (pwrite(fd, zeroes, MIN(o.size, sizeof(zeroes)), 0) < 0) {
                error_report("%s: Could not write to '%s': %s", filename,
                             filename, strerror(errno));
                close(fd);
                goto out;
            }
        }
        close(fd);
    } else {
        Qcow2CreateOptions q = {
            .size = o.size,
            .cluster_size = o.cluster_size,
            .version = o.compat && (!strcmp(o.compat, "0.10") ||
                                    !strcmp(o.compat, "v2")) ? 2 : 3,
            .backing_file = o.backing_file,
            .backing_fmt = o.backing_fmt,
            .lazy_refcounts = o.lazy_refcounts,
            .refcount_bits = o.refcount_bits,
        };

        qprintf("Formatting '%s', fmt=qcow2 cluster_size=%u extended_l2=off "
                "compression_type=zlib size=%" PRIu64, filename,
                o.cluster_size ? o.cluster_size : QCOW2_DEFAULT_CLUSTER_SIZE,
                o.size);
        if (o.backing_file) {
            qprintf(" backing_file=%s", o.backing_file);
        }
        if (o.backing_fmt) {
            qprintf(" backing_fmt=%s", o.backing_fmt);
        }
        if (o.compat) {
            qprintf(" compat=%s", o.compat);
        }
        qprintf(" lazy_refcounts=%s refcount_bits=%s\n",
                o.lazy_refcounts ? "on" : "off",
                o.refcount_bits_str ? o.refcount_bits_str : "16");
        fflush(stdout);             /* before any error, as QEMU */
        if (!qcow2_create(filename, &q, &err)) {
            error_reportf_err(err, "%s: ", filename);
            goto out;
        }
    }
    ret = EXIT_SUCCESS;
out:
    g_string_free(options, TRUE);
    create_opts_free(&o);
    return ret;
}

/* --- info ---------------------------------------------------------------- */

typedef enum { OFORMAT_HUMAN, OFORMAT_JSON } OutputFormat;

static OutputFormat parse_output(const char *arg)
{
    if (!strcmp(arg, "json")) {
        return OFORMAT_JSON;
    }
    if (!strcmp(arg, "human")) {
        return OFORMAT_HUMAN;
    }
    error_report("--output must be used with human or json as argument.");
    exit(EXIT_FAILURE);
}

/* QEMU's ImageInfo of @bs, opened from @filename; *@spec the "data" of
 * "format-specific" (borrowed from the result), or NULL. */
static JDict *image_info(BlockDriverState *bs, const char *filename,
                         JDict **spec)
{
    JDict *d = jdict_new();
    int64_t actual = bdrv_get_allocated_file_size(bs);
    Qcow2Info qi;
    bool qcow2 = is_qcow2(bs) && qcow2_get_info(bs, &qi);

    *spec = NULL;
    jput_str(d, "filename", filename);
    jput_str(d, "format", bdrv_get_format_name(bs));
    jput_bool(d, "dirty-flag", qcow2 && qi.dirty);
    if (actual >= 0) {
        jput_int(d, "actual-size", actual);
    }
    jput_int(d, "virtual-size", bdrv_getlength(bs));
    if (qcow2) {
        JDict *fs = jdict_new(), *data = jdict_new();

        jput_int(d, "cluster-size", qi.cluster_size);
        if (qi.backing_file) {
            g_autofree char *full = path_combine(filename, qi.backing_file);

            jput_str(d, "backing-filename", qi.backing_file);
            jput_str(d, "full-backing-filename", full);
            if (qi.backing_fmt) {
                jput_str(d, "backing-filename-format", qi.backing_fmt);
            }
        }
        /* ImageInfoSpecificQCow2, in the schema's order */
        jput_str(data, "compat", qi.compat);
        if (qi.version >= 3) {
            jput_bool(data, "extended-l2", false);
            jput_bool(data, "lazy-refcounts", qi.lazy_refcounts);
            jput_bool(data, "corrupt", qi.corrupt);
        }
        jput_int(data, "refcount-bits", qi.refcount_bits);
        jput_str(data, "compression-type", "zlib");
        jput_str(fs, "type", "qcow2");
        jput_dict(fs, "data", data);
        jput_dict(d, "format-specific", fs);
        *spec = data;
    }
    return d;
}

static JEntry *jget(JDict *d, const char *key)
{
    for (guint i = 0; i < d->entries->len; i++) {
        JEntry *e = d->entries->pdata[i];

        if (!strcmp(e->key, key)) {
            return e;
        }
    }
    return NULL;
}

/* QEMU's bdrv_image_info_dump() */
static void image_info_dump(GString *out, JDict *d, JDict *spec)
{
    JEntry *e = jget(d, "actual-size");
    int64_t vsize = jget(d, "virtual-size")->i;
    g_autofree char *vs = size_to_str(vsize);
    g_autofree char *ds = e ? size_to_str(e->i) : g_strdup("unavailable");

    g_string_append_printf(out, "image: %s\nfile format: %s\n"
                           "virtual size: %s (%" PRId64 " bytes)\n"
                           "disk size: %s\n", jget(d, "filename")->s,
                           jget(d, "format")->s, vs, vsize, ds);
    if ((e = jget(d, "cluster-size"))) {
        g_string_append_printf(out, "cluster_size: %" PRId64 "\n", e->i);
    }
    if (jget(d, "dirty-flag")->i) {
        g_string_append(out, "cleanly shut down: no\n");
    }
    if ((e = jget(d, "backing-filename"))) {
        JEntry *full = jget(d, "full-backing-filename");

        g_string_append_printf(out, "backing file: %s", e->s);
        if (!full) {
            g_string_append(out, " (cannot determine actual path)");
        } else if (strcmp(e->s, full->s)) {
            g_string_append_printf(out, " (actual path: %s)", full->s);
        }
        g_string_append(out, "\n");
        if ((e = jget(d, "backing-filename-format"))) {
            g_string_append_printf(out, "backing file format: %s\n", e->s);
        }
    }
    if (spec) {
        g_string_append(out, "Format specific information:\n");
        dump_dict(out, spec, 4);
    }
}

static int img_info(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, 0, 'h' },
        { "format", required_argument, 0, 'f' },
        { "output", required_argument, 0, 2 },
        { "force-share", no_argument, 0, 'U' },
        { "image-opts", no_argument, 0, 3 },
        { "backing-chain", no_argument, 0, 4 },
        { 0, 0, 0, 0 }
    };
    OutputFormat ofmt = OFORMAT_HUMAN;
    const char *fmt = NULL, *filename;
    BlockDriverState *bs;
    bool force_share = false;
    JDict *d, *spec;
    GString *out;
    int c;

    while ((c = img_getopt(argc, argv, ":f:hU", long_options)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'U':
            force_share = true;
            break;
        case 2:
            ofmt = parse_output(optarg);
            break;
        case 3:
            error_exit("--image-opts is not supported");
        case 4:
            error_exit("--backing-chain is not supported");
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    filename = argv[optind];
    bs = img_open(filename, fmt, false, true, force_share);
    if (!bs) {
        return EXIT_FAILURE;
    }
    d = image_info(bs, filename, &spec);
    out = g_string_new(NULL);
    if (ofmt == OFORMAT_JSON) {
        json_dict(out, d, 0);
        g_string_append_c(out, '\n');
    } else {
        image_info_dump(out, d, spec);
    }
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    jdict_free(d);
    img_close(bs);
    return EXIT_SUCCESS;
}

/* --- check --------------------------------------------------------------- */

static void dump_human_check(const Qcow2CheckResult *r)
{
    if (!(r->corruptions || r->leaks || r->check_errors)) {
        qprintf("No errors were found on the image.\n");
    } else {
        if (r->corruptions) {
            qprintf("\n%d errors were found on the image.\n"
                    "Data may be corrupted, or further writes to the image "
                    "may corrupt it.\n", r->corruptions);
        }
        if (r->leaks) {
            qprintf("\n%d leaked clusters were found on the image.\n"
                    "This means waste of disk space, but no harm to data.\n",
                    r->leaks);
        }
        if (r->check_errors) {
            qprintf("\n%d internal errors have occurred during the check.\n",
                    r->check_errors);
        }
    }
    if (r->total_clusters != 0 && r->allocated_clusters != 0) {
        qprintf("%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, %0.2f%% "
                "fragmented, %0.2f%% compressed clusters\n",
                r->allocated_clusters, r->total_clusters,
                r->allocated_clusters * 100.0 / r->total_clusters,
                r->fragmented_clusters * 100.0 / r->allocated_clusters,
                r->compressed_clusters * 100.0 / r->allocated_clusters);
    }
    if (r->image_end_offset) {
        qprintf("Image end offset: %" PRId64 "\n", r->image_end_offset);
    }
}

static void dump_json_check(const Qcow2CheckResult *r, const char *filename,
                            const char *format)
{
    JDict *d = jdict_new();
    GString *out = g_string_new(NULL);

    /* ImageCheck, in the schema's order; optional ones when non-zero */
    jput_str(d, "filename", filename);
    jput_str(d, "format", format);
    jput_int(d, "check-errors", r->check_errors);
#define OPT(key, v) do { if (v) { jput_int(d, key, v); } } while (0)
    OPT("image-end-offset", r->image_end_offset);
    OPT("corruptions", r->corruptions);
    OPT("leaks", r->leaks);
    OPT("corruptions-fixed", r->corruptions_fixed);
    OPT("leaks-fixed", r->leaks_fixed);
    OPT("total-clusters", (int64_t)r->total_clusters);
    OPT("allocated-clusters", (int64_t)r->allocated_clusters);
    OPT("fragmented-clusters", (int64_t)r->fragmented_clusters);
    OPT("compressed-clusters", (int64_t)r->compressed_clusters);
#undef OPT
    json_dict(out, d, 0);
    qprintf("%s\n", out->str);
    g_string_free(out, TRUE);
    jdict_free(d);
}

static int img_check(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, 0, 'h' },
        { "format", required_argument, 0, 'f' },
        { "repair", required_argument, 0, 'r' },
        { "output", required_argument, 0, 2 },
        { "force-share", no_argument, 0, 'U' },
        { "object", required_argument, 0, 3 },
        { "image-opts", no_argument, 0, 4 },
        { 0, 0, 0, 0 }
    };
    OutputFormat ofmt = OFORMAT_HUMAN;
    const char *fmt = NULL, *filename;
    bool fix = false, force_share = false;
    BlockDriverState *bs;
    Qcow2CheckResult r;
    Error *err = NULL;
    int c, ret;

    while ((c = img_getopt(argc, argv, ":hf:r:T:qU", long_options)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'r':
            if (!strcmp(optarg, "leaks") || !strcmp(optarg, "all")) {
                fix = true;
            } else {
                error_exit("Unknown option value for -r "
                           "(expecting 'leaks' or 'all'): %s", optarg);
            }
            break;
        case 'U':
            force_share = true;
            break;
        case 'T':
        case 3:
            break;
        case 'q':
            quiet = true;
            break;
        case 2:
            ofmt = parse_output(optarg);
            break;
        case 4:
            error_exit("--image-opts is not supported");
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    filename = argv[optind];
    bs = img_open(filename, fmt, fix, true, force_share);
    if (!bs) {
        return EXIT_FAILURE;
    }
    if (!is_qcow2(bs)) {
        error_report("This image format does not support checks");
        img_close(bs);
        return 63;
    }
    ret = qcow2_check(bs, &r, fix, &err);
    if (ret == 0 && (r.corruptions_fixed || r.leaks_fixed)) {
        Qcow2CheckResult again;

        if (ofmt == OFORMAT_HUMAN) {
            qprintf("The following inconsistencies were found and "
                    "repaired:\n\n    %d leaked clusters\n    %d "
                    "corruptions\n\nDouble checking the fixed image now...\n",
                    r.leaks_fixed, r.corruptions_fixed);
        }
        ret = qcow2_check(bs, &again, false, &err);
        again.leaks_fixed = r.leaks_fixed;
        again.corruptions_fixed = r.corruptions_fixed;
        r = again;
    }
    if (ret == 0) {
        if (ofmt == OFORMAT_HUMAN) {
            dump_human_check(&r);
        } else {
            dump_json_check(&r, filename, bdrv_get_format_name(bs));
        }
    }
    if (ret || r.check_errors) {
        if (ret) {
            error_free(err);
            error_report("Check failed: %s", strerror(-ret));
        } else {
            error_report("Check failed");
        }
        ret = 1;
    } else if (r.corruptions) {
        ret = 2;
    } else if (r.leaks) {
        ret = 3;
    }
    img_close(bs);
    return ret;
}

/* --- convert ------------------------------------------------------------- */

static int img_convert(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, 0, 'h' },
        { "object", required_argument, 0, 1 },
        { "force-share", no_argument, 0, 'U' },
        { 0, 0, 0, 0 }
    };
    const char *fmt = NULL, *out_fmt = "raw", *in, *out;
    GString *options = g_string_new(NULL);
    BlockDriverState *src = NULL, *dst = NULL;
    CreateOpts o = { 0 };
    Error *err = NULL;
    const size_t chunk = 1 << 20, block = 64 * 1024;
    uint8_t *buf = NULL;
    bool force_share = false;
    int64_t len;
    int c, ret = EXIT_FAILURE;

    while ((c = img_getopt(argc, argv, ":hf:O:o:pqUn", long_options)) != -1) {
        switch (c) {
        case 'f':
            fmt = optarg;
            break;
        case 'O':
            out_fmt = optarg;
            break;
        case 'o':
            if (options->len) {
                g_string_append_c(options, ',');
            }
            g_string_append(options, optarg);
            break;
        case 'q':
            quiet = true;
            break;
        case 'n':
            error_exit("-n is not supported");
        case 'U':
            force_share = true;
            break;
        case 'p':
        case 1:
            break;
        }
    }
    if (argc - optind < 2) {
        error_exit("Must specify image file name");
    }
    if (argc - optind > 2) {
        error_exit("Only one input image is supported");
    }
    in = argv[optind];
    out = argv[optind + 1];

    if (!check_format(out_fmt, &err)) {
        error_report_err(err);
        goto out;
    }
    src = img_open(in, fmt, false, false, force_share);
    if (!src) {
        goto out;
    }
    len = bdrv_getlength(src);
    if (len < 0) {
        error_report("Could not get size of %s: %s", in, strerror(-len));
        goto out;
    }
    o.fmt = out_fmt;
    if (options->len && !parse_create_options(&o, options->str, out, &err)) {
        error_report_err(err);
        goto out;
    }
    if (o.backing_file) {
        error_report("Backing files are not supported by convert here");
        goto out;
    }
    if (!strcmp(out_fmt, "raw")) {
        int fd = file_posix_create(out, len, &err);

        if (fd < 0) {
            error_reportf_err(err, "%s: error while converting %s: ", out,
                              out_fmt);
            goto out;
        }
        close(fd);
    } else {
        Qcow2CreateOptions q = {
            .size = len,
            .cluster_size = o.cluster_size,
            .version = o.compat && (!strcmp(o.compat, "0.10") ||
                                    !strcmp(o.compat, "v2")) ? 2 : 3,
            .lazy_refcounts = o.lazy_refcounts,
            .refcount_bits = o.refcount_bits,
        };

        if (!qcow2_create(out, &q, &err)) {
            error_reportf_err(err, "%s: error while converting %s: ", out,
                              out_fmt);
            goto out;
        }
    }
    /* Through a BlockBackend, as qemu-img: the write lock is held while
     * the data goes in. */
    dst = img_open(out, out_fmt, true, false, false);
    if (!dst) {
        goto out;
    }
    buf = qemu_blockalign(src, chunk);
    for (int64_t off = 0; off < len; off += chunk) {
        int64_t n = MIN((int64_t)chunk, len - off);
        int r = bdrv_pread(src, off, n, buf, 0);

        if (r < 0) {
            error_report("error while reading at byte %" PRId64 ": %s", off,
                         strerror(-r));
            goto out;
        }
        for (int64_t b = 0; b < n; b += block) {
            int64_t bn = MIN((int64_t)block, n - b);

            if (buffer_is_zero(buf + b, bn)) {
                continue;
            }
            r = bdrv_pwrite(dst, off + b, bn, buf + b, 0);
            if (r < 0) {
                error_report("error while writing at byte %" PRId64 ": %s",
                             off + b, strerror(-r));
                goto out;
            }
        }
    }
    if (bdrv_flush(dst) < 0) {
        error_report("error while flushing %s", out);
        goto out;
    }
    ret = EXIT_SUCCESS;
out:
    if (buf) {
        qemu_vfree(buf);
    }
    if (dst) {
        img_close(dst);
    }
    if (src) {
        img_close(src);
    }
    create_opts_free(&o);
    g_string_free(options, TRUE);
    return ret;
}

/* --- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        { "create", img_create },
        { "info", img_info },
        { "check", img_check },
        { "convert", img_convert },
    };
    const char *cmd;

    error_init(argv[0]);
    main_loop_init();
    if (argc < 2) {
        error_exit("Not enough arguments");
    }
    cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        help();
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        printf(PROG " version 7.2 (qomu)\n");
        return EXIT_SUCCESS;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        if (!strcmp(cmd, cmds[i].name)) {
            /* getopt from the command's own arguments */
            optind = 0;
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    error_exit("Command not found: %s", cmd);
}
