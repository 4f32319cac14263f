/*
 * test-chardev.c - chardevs (chardev/char.c and the null, file and stdio
 * backends) and the frontend API (chardev/char-fe.c): -chardev option
 * checking with QEMU's messages, /chardevs, the legacy short forms,
 * output to files (also from several threads at once), input with flow
 * control and end of file (stdio over a pipe), frontend ownership.
 * Sockets are in test-chardev-socket.c.
 *
 * Every test destroys the chardevs it made (qemu_chr_cleanup), so the
 * harness sees no leaked object; /chardevs itself is created in main().
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "chardev/char-fe.h"
#include "util/main-loop.h"
#include "harness.h"
#include "chardev-helper.h"
#include "tmpfile.h"

static char *tmpdir;

/* --- helpers ------------------------------------------------------------ */

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* --- option checking ------------------------------------------------------ */

static void test_opts_no_id(void)
{
    check_opts_error(opts_new("backend", "null", NULL),
                     "chardev: no id specified");
}

static void test_opts_missing_backend(void)
{
    check_opts_error(opts_new("id", "x", NULL),
                     "chardev: \"x\" missing backend");
}

static void test_opts_bad_backend(void)
{
    check_opts_error(opts_new("backend", "foo", "id", "x", NULL),
                     "'foo' is not a valid char driver name");
    /* Abstract types and non-chardev types are not backends either. */
    check_opts_error(opts_new("backend", "fd", "id", "x", NULL),
                     "'fd' is not a valid char driver name");
    check_opts_error(opts_new("backend", "pty", "id", "x", NULL),
                     "'pty' is not a valid char driver name");
}

static void test_opts_invalid_parameter(void)
{
    check_opts_error(opts_new("backend", "null", "id", "x", "bogus", "1",
                              NULL),
                     "Invalid parameter 'bogus'");
    /* QEMU options we do not implement are refused, not ignored. */
    check_opts_error(opts_new("backend", "null", "id", "x", "mux", "on",
                              NULL),
                     "Invalid parameter 'mux'");
}

static void test_opts_bad_bool(void)
{
    g_autofree char *path = tmp_path("bool");

    check_opts_error(opts_new("backend", "file", "id", "x", "path", path,
                              "append", "maybe", NULL),
                     "Parameter 'append' expects 'on' or 'off'");
}

static void test_opts_duplicate_id(void)
{
    g_autofree char *msg = NULL;
    Chardev *chr = chr_new(opts_new("backend", "null", "id", "x", NULL),
                           &msg);

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    check_opts_error(opts_new("backend", "null", "id", "x", NULL),
                     "Duplicate ID 'x' for chardev");
    qemu_chr_cleanup();
}

static void test_opts_boolean_values(void)
{
    /* A JSON-style dictionary may carry real booleans. */
    g_autofree char *path = tmp_path("boolvalue");
    GVariantBuilder b;
    Error *err = NULL;
    Chardev *chr;
    GVariant *opts;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&b, "{sv}", "backend", g_variant_new_string("file"));
    g_variant_builder_add(&b, "{sv}", "id", g_variant_new_string("b"));
    g_variant_builder_add(&b, "{sv}", "path", g_variant_new_string(path));
    g_variant_builder_add(&b, "{sv}", "append", g_variant_new_boolean(true));
    opts = g_variant_ref_sink(g_variant_builder_end(&b));
    chr = qemu_chr_new_from_opts(opts, &err);
    CU_ASSERT_PTR_NOT_NULL(chr);
    CU_ASSERT_PTR_NULL(err);
    g_variant_unref(opts);
    qemu_chr_cleanup();
}

static void test_opts_help(void)
{
    g_autoptr(GString) help = g_string_new(NULL);
    Error *err = NULL;
    GVariant *opts = opts_new("backend", "help", NULL);

    /* Prints to stdout, returns NULL without an error: the CLI exits 0. */
    CU_ASSERT_PTR_NULL(qemu_chr_new_from_opts(opts, &err));
    CU_ASSERT_PTR_NULL(err);
    g_variant_unref(opts);
    qemu_chr_help(help);
    CU_ASSERT_STRING_EQUAL(help->str, "Available chardev backend types: "
                           "\n  file\n  null\n  socket\n  stdio\n");
}

/* --- the tree ------------------------------------------------------------- */

static void test_tree(void)
{
    g_autofree char *msg = NULL;
    g_autofree char *path = NULL;
    Chardev *chr = chr_new(opts_new("backend", "null", "id", "n0", NULL),
                           &msg);
    unsigned live;

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    path = object_get_canonical_path(OBJECT(chr));
    CU_ASSERT_STRING_EQUAL(path, "/chardevs/n0");
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(chr)), "chardev-null");
    CU_ASSERT_STRING_EQUAL(chr->label, "n0");
    CU_ASSERT_STRING_EQUAL(chr->filename, "null");
    CU_ASSERT_PTR_EQUAL(qemu_chr_find("n0"), chr);
    CU_ASSERT_PTR_NULL(qemu_chr_find("n1"));
    live = object_live_count();
    object_unparent(OBJECT(chr));           /* /chardevs held the only ref */
    CU_ASSERT_EQUAL(object_live_count(), live - 1);
    CU_ASSERT_PTR_NULL(qemu_chr_find("n0"));
}

/* --- null ----------------------------------------------------------------- */

static void test_null(void)
{
    g_autofree char *msg = NULL;
    Chardev *chr = chr_new(opts_new("backend", "null", "id", "n", NULL),
                           &msg);
    TestFE fe = { .input = g_string_new(NULL) };

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_TRUE(qemu_chr_fe_init(&fe.be, chr, &error_abort));
    qemu_chr_fe_set_handlers(&fe.be, fe_can_read, fe_read, fe_event, &fe,
                             true);
    /* As QEMU: a null chardev is never open. */
    CU_ASSERT_EQUAL(fe.opened, 0);
    CU_ASSERT_FALSE(qemu_chr_fe_backend_open(&fe.be));
    CU_ASSERT_EQUAL(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"abc", 3), 3);
    CU_ASSERT_EQUAL(qemu_chr_fe_write(&fe.be, (uint8_t *)"abc", 3), 3);
    qemu_chr_fe_deinit(&fe.be, true);
    CU_ASSERT_PTR_NULL(qemu_chr_find("n"));
    g_string_free(fe.input, true);
}

/* --- file ----------------------------------------------------------------- */

static void test_file_write(void)
{
    g_autofree char *path = tmp_path("out.txt");
    g_autofree char *msg = NULL;
    g_autofree char *text = NULL;
    TestFE fe = { 0 };
    Chardev *chr;
    struct stat st;
    mode_t mask;

    g_file_set_contents(path, "old contents\n", -1, NULL);
    chr = chr_new(opts_new("backend", "file", "id", "f", "path", path, NULL),
                  &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_STRING_EQUAL(chr->filename, "file");
    CU_ASSERT_TRUE(chr->be_open);
    text = tmp_file_read(path);
    CU_ASSERT_STRING_EQUAL(text, "");       /* truncated */
    CU_ASSERT_TRUE(qemu_chr_fe_init(&fe.be, chr, &error_abort));
    CU_ASSERT_EQUAL(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"hello ", 6), 6);
    CU_ASSERT_EQUAL(qemu_chr_fe_write(&fe.be, (uint8_t *)"world\n", 6), 6);
    g_free(text);
    text = tmp_file_read(path);             /* unbuffered: there already */
    CU_ASSERT_STRING_EQUAL(text, "hello world\n");
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    mask = umask(0);
    umask(mask);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0666 & ~mask);
    qemu_chr_fe_deinit(&fe.be, true);
}

static void test_file_append(void)
{
    g_autofree char *path = tmp_path("append.txt");
    g_autofree char *msg = NULL;
    g_autofree char *text = NULL;
    Chardev *chr;

    g_file_set_contents(path, "line 1\n", -1, NULL);
    chr = chr_new(opts_new("backend", "file", "id", "f", "path", path,
                           "append", "on", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_EQUAL(qemu_chr_write(chr, (uint8_t *)"line 2\n", 7, true), 7);
    text = tmp_file_read(path);
    CU_ASSERT_STRING_EQUAL(text, "line 1\nline 2\n");
    qemu_chr_cleanup();
}

static void test_file_errors(void)
{
    check_opts_error(opts_new("backend", "file", "id", "f", NULL),
                     "chardev: file: no filename given");
    check_opts_error(opts_new("backend", "file", "id", "f", "path",
                              "/nonexistent-dir/x", NULL),
                     "Could not open '/nonexistent-dir/x': No such file or "
                     "directory");
    /* A failed open leaves nothing behind. */
    CU_ASSERT_PTR_NULL(qemu_chr_find("f"));
}

#define WRITERS 4
#define WRITES 200
#define CHUNK 64

static void *writer_thread(void *opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[CHUNK];

    for (int i = 0; i < WRITES; i++) {
        /* Each chunk is one letter, so interleaving would show. */
        memset(buf, 'a' + (i % 26), CHUNK - 1);
        buf[CHUNK - 1] = '\n';
        g_assert(qemu_chr_write(chr, buf, CHUNK, true) == CHUNK);
    }
    return NULL;
}

/* Writes from several threads (vCPUs) at once: nothing lost or mixed. */
static void test_file_threads(void)
{
    g_autofree char *path = tmp_path("threads.txt");
    g_autofree char *msg = NULL;
    g_autofree char *text = NULL;
    GThread *t[WRITERS];
    g_auto(GStrv) lines = NULL;
    Chardev *chr;

    chr = chr_new(opts_new("backend", "file", "id", "f", "path", path, NULL),
                  &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    for (int i = 0; i < WRITERS; i++) {
        t[i] = g_thread_new("writer", writer_thread, chr);
    }
    for (int i = 0; i < WRITERS; i++) {
        g_thread_join(t[i]);
    }
    text = tmp_file_read(path);
    CU_ASSERT_EQUAL(strlen(text), WRITERS * WRITES * CHUNK);
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i] && lines[i][0]; i++) {
        CU_ASSERT_EQUAL(strspn(lines[i], (char[]){ lines[i][0], 0 }),
                        CHUNK - 1);
    }
    qemu_chr_cleanup();
}

/* --- stdio (input over a pipe as stdin) ----------------------------------- */

typedef struct StdinFixture {
    int saved_stdin;
    int pipe_w;
} StdinFixture;

static void stdin_pipe_begin(StdinFixture *f)
{
    int p[2];

    g_assert(pipe(p) == 0);
    f->saved_stdin = dup(0);
    dup2(p[0], 0);
    close(p[0]);
    f->pipe_w = p[1];
}

static void stdin_pipe_end(StdinFixture *f)
{
    if (f->pipe_w >= 0) {
        close(f->pipe_w);
    }
    dup2(f->saved_stdin, 0);
    close(f->saved_stdin);
}

static bool fe_has_input(void *opaque)
{
    TestFE *fe = opaque;

    return fe->input->len >= 5 || fe->closed;
}

static bool fe_closed(void *opaque)
{
    return ((TestFE *)opaque)->closed > 0;
}

static void test_stdio_input(void)
{
    StdinFixture f;
    g_autofree char *msg = NULL;
    TestFE fe = { .input = g_string_new(NULL), .can_read = 2 };
    Chardev *chr;

    stdin_pipe_begin(&f);
    chr = chr_new(opts_new("backend", "stdio", "id", "s", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_STRING_EQUAL(chr->filename, "stdio");
    CU_ASSERT_TRUE(qemu_chr_fe_init(&fe.be, chr, &error_abort));
    qemu_chr_fe_set_handlers(&fe.be, fe_can_read, fe_read, fe_event, &fe,
                             true);
    /* Already open when the frontend arrived: it gets OPENED now. */
    CU_ASSERT_EQUAL(fe.opened, 1);
    CU_ASSERT_EQUAL(write(f.pipe_w, "hello", 5), 5);
    /* fe_read asserts it never gets more than can_read (2) at a time. */
    CU_ASSERT_TRUE(pump_until(fe_has_input, &fe));
    CU_ASSERT_STRING_EQUAL(fe.input->str, "hello");

    /* A full frontend gets nothing until it accepts input again. */
    fe.can_read = 0;
    CU_ASSERT_EQUAL(write(f.pipe_w, "xyz", 3), 3);
    for (int i = 0; i < 50; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(100);
    }
    CU_ASSERT_STRING_EQUAL(fe.input->str, "hello");
    fe.can_read = 16;
    qemu_chr_fe_accept_input(&fe.be);
    close(f.pipe_w);                        /* then end of input */
    f.pipe_w = -1;
    CU_ASSERT_TRUE(pump_until(fe_closed, &fe));
    CU_ASSERT_STRING_EQUAL(fe.input->str, "helloxyz");
    CU_ASSERT_EQUAL(fe.closed, 1);
    CU_ASSERT_FALSE(chr->be_open);

    qemu_chr_fe_deinit(&fe.be, true);
    stdin_pipe_end(&f);
    g_string_free(fe.input, true);
}

/* A frontend that stops being full sees the rest without being asked:
 * the backend re-polls it. */
static void test_stdio_retry(void)
{
    StdinFixture f;
    g_autofree char *msg = NULL;
    TestFE fe = { .input = g_string_new(NULL), .can_read = 0 };
    Chardev *chr;

    stdin_pipe_begin(&f);
    chr = chr_new(opts_new("backend", "stdio", "id", "s", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    qemu_chr_fe_init(&fe.be, chr, &error_abort);
    qemu_chr_fe_set_handlers(&fe.be, fe_can_read, fe_read, fe_event, &fe,
                             true);
    CU_ASSERT_EQUAL(write(f.pipe_w, "hello", 5), 5);
    fe.can_read = 8;                        /* no accept_input call */
    CU_ASSERT_TRUE(pump_until(fe_has_input, &fe));
    CU_ASSERT_STRING_EQUAL(fe.input->str, "hello");
    qemu_chr_fe_deinit(&fe.be, true);
    stdin_pipe_end(&f);
    g_string_free(fe.input, true);
}

static void test_stdio_twice(void)
{
    g_autofree char *msg = NULL;
    Chardev *chr = chr_new(opts_new("backend", "stdio", "id", "s0", NULL),
                           &msg);

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    check_opts_error(opts_new("backend", "stdio", "id", "s1", NULL),
                     "cannot use stdio by multiple character devices");
    object_unparent(OBJECT(chr));
    /* Free again once the first one is gone. */
    chr = chr_new(opts_new("backend", "stdio", "id", "s1", "signal", "off",
                           NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL(chr);
    qemu_chr_cleanup();
}

/* --- the legacy short forms ----------------------------------------------- */

/* qemu_chr_new(@label, @filename): the chardev, or NULL and *@msg. */
static Chardev *legacy(const char *label, const char *filename, char **msg)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new(label, filename, &err);

    g_free(*msg);
    *msg = error_take_text(err);
    return chr;
}

static void test_legacy_forms(void)
{
    g_autofree char *path = tmp_path("legacy.txt");
    g_autofree char *spec = g_strdup_printf("file:%s", path);
    g_autofree char *msg = NULL;
    g_autofree char *text = NULL;
    Chardev *chr;

    chr = legacy("debugcon", "null", &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(chr)), "chardev-null");
    CU_ASSERT_STRING_EQUAL(chr->label, "debugcon");

    chr = legacy("serial0", spec, &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(chr)), "chardev-file");
    qemu_chr_write(chr, (uint8_t *)"x", 1, true);
    text = tmp_file_read(path);
    CU_ASSERT_STRING_EQUAL(text, "x");

    chr = legacy("compat_monitor0", "stdio", &msg);
    CU_ASSERT_PTR_NOT_NULL(chr);

    /* "chardev:ID" names an existing one. */
    CU_ASSERT_PTR_EQUAL(legacy("serial1", "chardev:serial0", &msg),
                        qemu_chr_find("serial0"));
    CU_ASSERT_PTR_NULL(legacy("serial1", "chardev:nope", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "chardev 'nope' not found");

    /* The label is the id: a second one is a duplicate. */
    CU_ASSERT_PTR_NULL(legacy("debugcon", "null", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "Duplicate ID 'debugcon' for chardev");
    qemu_chr_cleanup();
}

static void test_legacy_errors(void)
{
    g_autofree char *msg = NULL;

    CU_ASSERT_PTR_NULL(legacy("x", "foo:bar", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "'foo:bar' is not a valid char driver");
    /* "none" is the caller's business, as in QEMU's vl.c. */
    CU_ASSERT_PTR_NULL(legacy("x", "none", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "'none' is not a valid char driver");
    CU_ASSERT_PTR_NULL(legacy("x", "tcp:127.0.0.1", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "'tcp:127.0.0.1' is not a valid char driver");
    CU_ASSERT_PTR_NULL(legacy("x", "file:", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "Could not open '': No such file or "
                           "directory");
    CU_ASSERT_PTR_NULL(legacy("x", "unix:/tmp/x,bogus=1", &msg));
    CU_ASSERT_STRING_EQUAL(msg, "Invalid parameter 'bogus'");
    CU_ASSERT_PTR_NULL(legacy("x", "mon:stdio", &msg));
    CU_ASSERT_PTR_NOT_NULL(msg);
    CU_ASSERT_PTR_NULL(qemu_chr_find("x"));
}

static void test_legacy_socket(void)
{
    g_autofree char *path = tmp_path("legacy.sock");
    g_autofree char *spec = g_strdup_printf("unix:%s,server,nowait", path);
    g_autofree char *spec2 = g_strdup_printf("unix:%s,server=on,wait=off",
                                             path);
    g_autofree char *expect = g_strdup_printf("disconnected:unix:%s,server=on",
                                              path);
    g_autofree char *msg = NULL;
    Chardev *chr;

    /* The deprecated flags work (QEMU's warning goes to stderr). */
    chr = legacy("serial0", spec, &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_STRING_EQUAL(object_get_typename(OBJECT(chr)),
                           "chardev-socket");
    CU_ASSERT_STRING_EQUAL(chr->filename, expect);
    CU_ASSERT_TRUE(g_file_test(path, G_FILE_TEST_EXISTS));
    qemu_chr_cleanup();
    CU_ASSERT_FALSE(g_file_test(path, G_FILE_TEST_EXISTS));

    chr = legacy("serial0", spec2, &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_STRING_EQUAL(chr->filename, expect);
    qemu_chr_cleanup();

    chr = legacy("debugcon", "tcp:127.0.0.1:0,server=on,wait=off", &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_TRUE(g_str_has_prefix(chr->filename,
                                    "disconnected:tcp:127.0.0.1:"));
    CU_ASSERT_TRUE(g_str_has_suffix(chr->filename, ",server=on"));
    qemu_chr_cleanup();
}

/* --- frontends ------------------------------------------------------------ */

static void test_fe_in_use(void)
{
    g_autofree char *msg = NULL;
    Chardev *chr = chr_new(opts_new("backend", "null", "id", "c0", NULL),
                           &msg);
    CharBackend a = { 0 }, b = { 0 };
    Error *err = NULL;

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_TRUE(qemu_chr_fe_init(&a, chr, &error_abort));
    CU_ASSERT_PTR_EQUAL(chr->be, &a);
    CU_ASSERT_FALSE(qemu_chr_fe_init(&b, chr, &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err), "Device 'c0' is in use");
    error_free(err);
    CU_ASSERT_FALSE(qemu_chr_fe_backend_connected(&b));

    /* Released: another frontend may take it. */
    qemu_chr_fe_deinit(&a, false);
    CU_ASSERT_PTR_NULL(chr->be);
    CU_ASSERT_PTR_EQUAL(qemu_chr_find("c0"), chr);
    CU_ASSERT_TRUE(qemu_chr_fe_init(&b, chr, &error_abort));
    CU_ASSERT_PTR_EQUAL(qemu_chr_fe_get_driver(&b), chr);
    qemu_chr_fe_deinit(&b, false);
    qemu_chr_cleanup();
}

static void test_fe_chardev_destroyed(void)
{
    g_autofree char *path = tmp_path("gone.txt");
    g_autofree char *msg = NULL;
    Chardev *chr = chr_new(opts_new("backend", "file", "id", "c0", "path",
                                    path, NULL), &msg);
    CharBackend be = { 0 };

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    qemu_chr_fe_init(&be, chr, &error_abort);
    object_unparent(OBJECT(chr));
    /* The frontend is left unconnected; writes go nowhere. */
    CU_ASSERT_PTR_NULL(be.chr);
    CU_ASSERT_EQUAL(qemu_chr_fe_write_all(&be, (uint8_t *)"x", 1), 0);
    qemu_chr_fe_deinit(&be, false);          /* a no-op now */
}

static void test_fe_unconnected(void)
{
    CharBackend be = { 0 };

    CU_ASSERT_TRUE(qemu_chr_fe_init(&be, NULL, &error_abort));
    CU_ASSERT_FALSE(qemu_chr_fe_backend_connected(&be));
    CU_ASSERT_FALSE(qemu_chr_fe_backend_open(&be));
    CU_ASSERT_EQUAL(qemu_chr_fe_write(&be, (uint8_t *)"x", 1), 0);
    qemu_chr_fe_set_handlers(&be, NULL, NULL, NULL, NULL, true);
    qemu_chr_fe_deinit(&be, true);
}

static void test_fe_events(void)
{
    g_autofree char *path = tmp_path("events.txt");
    g_autofree char *msg = NULL;
    Chardev *chr = chr_new(opts_new("backend", "file", "id", "c0", "path",
                                    path, NULL), &msg);
    TestFE fe = { 0 };

    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    qemu_chr_fe_init(&fe.be, chr, &error_abort);
    /* Handlers without an event callback: nothing to tell. */
    qemu_chr_fe_set_handlers(&fe.be, NULL, NULL, NULL, &fe, true);
    CU_ASSERT_FALSE(fe.be.fe_open);
    qemu_chr_fe_set_handlers(&fe.be, NULL, NULL, fe_event, &fe, true);
    CU_ASSERT_TRUE(fe.be.fe_open);
    CU_ASSERT_EQUAL(fe.opened, 1);
    CU_ASSERT_TRUE(qemu_chr_fe_backend_open(&fe.be));
    qemu_chr_fe_deinit(&fe.be, true);
    CU_ASSERT_EQUAL(fe.closed, 0);
}

int main(int argc, char **argv)
{
    int ret;

    /* The stdio tests swap fd 0; CI may start us with it closed. */
    if (fcntl(0, F_GETFD) < 0) {
        g_assert(open("/dev/null", O_RDONLY) == 0);
    }
    main_loop_init();
    get_chardevs_root();
    tmpdir = tmp_dir_new("test-chardev");

    harness_add("/chardev/opts/no-id", test_opts_no_id);
    harness_add("/chardev/opts/missing-backend", test_opts_missing_backend);
    harness_add("/chardev/opts/bad-backend", test_opts_bad_backend);
    harness_add("/chardev/opts/invalid-parameter",
                test_opts_invalid_parameter);
    harness_add("/chardev/opts/bad-bool", test_opts_bad_bool);
    harness_add("/chardev/opts/duplicate-id", test_opts_duplicate_id);
    harness_add("/chardev/opts/boolean-values", test_opts_boolean_values);
    harness_add("/chardev/opts/help", test_opts_help);
    harness_add("/chardev/tree", test_tree);
    harness_add("/chardev/null", test_null);
    harness_add("/chardev/file/write", test_file_write);
    harness_add("/chardev/file/append", test_file_append);
    harness_add("/chardev/file/errors", test_file_errors);
    harness_add("/chardev/file/threads", test_file_threads);
    harness_add("/chardev/stdio/input", test_stdio_input);
    harness_add("/chardev/stdio/retry", test_stdio_retry);
    harness_add("/chardev/stdio/twice", test_stdio_twice);
    harness_add("/chardev/legacy/forms", test_legacy_forms);
    harness_add("/chardev/legacy/errors", test_legacy_errors);
    harness_add("/chardev/legacy/socket", test_legacy_socket);
    harness_add("/chardev/frontend/in-use", test_fe_in_use);
    harness_add("/chardev/frontend/chardev-destroyed",
                test_fe_chardev_destroyed);
    harness_add("/chardev/frontend/unconnected", test_fe_unconnected);
    harness_add("/chardev/frontend/events", test_fe_events);
    ret = harness_run(argc, argv);

    qemu_chr_cleanup();
    tmp_dir_remove(tmpdir);
    return ret;
}
