/*
 * test-chardev-socket.c - "chardev-socket" (chardev/char-socket.c):
 * Unix and TCP (loopback only) servers accepting on the main loop, data
 * both ways, a client leaving and the next arriving, the socket file's
 * mode and removal, wait=on, client mode, and the option errors.
 */
#include "util/osdep.h"
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
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

static bool is_connected(void *opaque)
{
    return object_property_get_bool(opaque, "connected", &error_abort);
}

static bool is_disconnected(void *opaque)
{
    return !is_connected(opaque);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read exactly @len bytes from @fd (blocking, with a 5 s timeout). */
static char *read_n(int fd, size_t len)
{
    struct timeval tv = { .tv_sec = 5 };
    char *buf = g_malloc0(len + 1);
    size_t got = 0;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n <= 0) {
            break;
        }
        got += n;
    }
    return buf;
}

static bool fe_got_abc(void *opaque)
{
    return ((TestFE *)opaque)->input->len >= 3;
}

/* --- Unix server ---------------------------------------------------------- */

static void test_unix_server(void)
{
    g_autofree char *path = tmp_path("s.sock");
    g_autofree char *msg = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;
    TestFE fe = { .input = g_string_new(NULL), .can_read = 64 };
    struct stat st;
    Chardev *chr;
    int c;

    chr = chr_new(opts_new("backend", "socket", "id", "s", "path", path,
                           "server", "on", "wait", "off", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    want = g_strdup_printf("disconnected:unix:%s,server=on", path);
    CU_ASSERT_STRING_EQUAL(chr->filename, want);
    CU_ASSERT_FALSE(is_connected(chr));
    CU_ASSERT_FALSE(chr->be_open);
    /* Only our user may connect. */
    CU_ASSERT_EQUAL_FATAL(lstat(path, &st), 0);
    CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

    qemu_chr_fe_init(&fe.be, chr, &error_abort);
    qemu_chr_fe_set_handlers(&fe.be, fe_can_read, fe_read, fe_event, &fe,
                             true);
    CU_ASSERT_EQUAL(fe.opened, 0);
    /* Output without a client is dropped, reported written (QEMU). */
    CU_ASSERT_EQUAL(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"lost", 4), 4);

    c = unix_connect(path);
    CU_ASSERT_FATAL(c >= 0);
    CU_ASSERT_TRUE(pump_until(is_connected, chr));
    CU_ASSERT_EQUAL(fe.opened, 1);
    g_free(want);
    want = g_strdup_printf("unix:%s,server=on", path);
    CU_ASSERT_STRING_EQUAL(chr->filename, want);

    /* Both directions. */
    CU_ASSERT_EQUAL(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"hello", 5), 5);
    got = read_n(c, 5);
    CU_ASSERT_STRING_EQUAL(got, "hello");
    CU_ASSERT_EQUAL(write(c, "abc", 3), 3);
    CU_ASSERT_TRUE(pump_until(fe_got_abc, &fe));
    CU_ASSERT_STRING_EQUAL(fe.input->str, "abc");

    /* The client leaves: CLOSED, and the next one may come. */
    close(c);
    CU_ASSERT_TRUE(pump_until(is_disconnected, chr));
    CU_ASSERT_EQUAL(fe.closed, 1);
    CU_ASSERT_TRUE(g_str_has_prefix(chr->filename, "disconnected:"));
    c = unix_connect(path);
    CU_ASSERT_FATAL(c >= 0);
    CU_ASSERT_TRUE(pump_until(is_connected, chr));
    CU_ASSERT_EQUAL(fe.opened, 2);
    close(c);

    qemu_chr_fe_deinit(&fe.be, true);
    /* The socket file goes with the chardev. */
    CU_ASSERT_FALSE(g_file_test(path, G_FILE_TEST_EXISTS));
    g_string_free(fe.input, true);
}

/* A frontend that does not read (the debug console) still sees the
 * client leave, so the next client can connect. */
static void test_unix_no_reader(void)
{
    g_autofree char *path = tmp_path("noreader.sock");
    g_autofree char *msg = NULL;
    CharBackend be = { 0 };
    Chardev *chr;
    int c;

    chr = chr_new(opts_new("backend", "socket", "id", "s", "path", path,
                           "server", "on", "wait", "off", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    qemu_chr_fe_init(&be, chr, &error_abort);
    c = unix_connect(path);
    CU_ASSERT_TRUE(pump_until(is_connected, chr));
    CU_ASSERT_EQUAL(write(c, "ignored", 7), 7);
    close(c);
    CU_ASSERT_TRUE(pump_until(is_disconnected, chr));
    c = unix_connect(path);
    CU_ASSERT_TRUE(pump_until(is_connected, chr));
    close(c);
    qemu_chr_fe_deinit(&be, true);
}

/* A stale socket file is replaced; any other file is not touched. */
static void test_unix_existing_path(void)
{
    g_autofree char *path = tmp_path("regular");
    g_autofree char *msg = NULL;
    g_autofree char *expect = NULL;
    Chardev *chr;

    g_file_set_contents(path, "keep me", -1, NULL);
    expect = g_strdup_printf("Failed to bind socket to %s: Address already "
                             "in use", path);
    check_opts_error(opts_new("backend", "socket", "id", "s", "path", path,
                              "server", "on", "wait", "off", NULL), expect);
    CU_ASSERT_TRUE(g_file_test(path, G_FILE_TEST_IS_REGULAR));

    g_free(path);
    path = tmp_path("stale.sock");
    /* A crashed run leaves its socket file behind. */
    {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un un = { .sun_family = AF_UNIX };

        g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
        CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *)&un, sizeof(un)), 0);
        close(fd);                          /* file left behind */
    }
    chr = chr_new(opts_new("backend", "socket", "id", "s", "path", path,
                           "server", "on", "wait", "off", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL(chr);
    qemu_chr_cleanup();
}

/* --- wait=on and client mode ---------------------------------------------- */

static void *connect_later(void *opaque)
{
    const char *path = opaque;

    for (int i = 0; i < 500; i++) {
        int fd;

        g_usleep(10 * 1000);
        fd = unix_connect(path);
        if (fd >= 0) {
            return GINT_TO_POINTER(fd);
        }
    }
    return GINT_TO_POINTER(-1);
}

static void test_unix_wait(void)
{
    g_autofree char *path = tmp_path("wait.sock");
    g_autofree char *msg = NULL;
    GThread *t = g_thread_new("client", connect_later, path);
    TestFE fe = { 0 };
    Chardev *chr;
    int c;

    /* Blocks until the thread's client connects ("qomu waiting for
     * connection on: ..." on stderr meanwhile). */
    chr = chr_new(opts_new("backend", "socket", "id", "s", "path", path,
                           "server", "on", NULL), &msg);
    c = GPOINTER_TO_INT(g_thread_join(t));
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT(c >= 0);
    CU_ASSERT_TRUE(is_connected(chr));
    CU_ASSERT_TRUE(chr->be_open);
    qemu_chr_fe_init(&fe.be, chr, &error_abort);
    qemu_chr_fe_set_handlers(&fe.be, NULL, NULL, fe_event, &fe, true);
    CU_ASSERT_EQUAL(fe.opened, 1);
    close(c);
    qemu_chr_fe_deinit(&fe.be, true);
}

static void test_client(void)
{
    g_autofree char *path = tmp_path("client.sock");
    g_autofree char *msg = NULL;
    g_autofree char *expect = NULL;
    TestFE sfe = { .input = g_string_new(NULL), .can_read = 64 };
    Chardev *server, *client;

    expect = g_strdup_printf("Failed to connect to '%s': No such file or "
                             "directory", path);
    check_opts_error(opts_new("backend", "socket", "id", "c", "path", path,
                              NULL), expect);

    server = chr_new(opts_new("backend", "socket", "id", "s", "path", path,
                              "server", "on", "wait", "off", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    qemu_chr_fe_init(&sfe.be, server, &error_abort);
    qemu_chr_fe_set_handlers(&sfe.be, fe_can_read, fe_read, fe_event, &sfe,
                             true);
    client = chr_new(opts_new("backend", "socket", "id", "c", "path", path,
                              NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    CU_ASSERT_TRUE(client->be_open);
    g_free(expect);
    expect = g_strdup_printf("unix:%s", path);
    CU_ASSERT_STRING_EQUAL(client->filename, expect);
    CU_ASSERT_TRUE(pump_until(is_connected, server));
    CU_ASSERT_EQUAL(qemu_chr_write(client, (uint8_t *)"abc", 3, true), 3);
    CU_ASSERT_TRUE(pump_until(fe_got_abc, &sfe));
    CU_ASSERT_STRING_EQUAL(sfe.input->str, "abc");

    /* The server goes: the client sees its end and stays closed. */
    qemu_chr_fe_deinit(&sfe.be, true);
    CU_ASSERT_TRUE(pump_until(is_disconnected, client));
    CU_ASSERT_FALSE(client->be_open);
    qemu_chr_cleanup();
    g_string_free(sfe.input, true);
}

/* --- TCP -------------------------------------------------------------------- */

static void test_tcp_server(void)
{
    g_autofree char *msg = NULL;
    g_autofree char *got = NULL;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    CharBackend be = { 0 };
    Chardev *chr;
    unsigned port;
    int c;

    /* Port 0: the kernel picks one; the filename tells which. */
    chr = chr_new(opts_new("backend", "socket", "id", "t", "host",
                           "127.0.0.1", "port", "0", "server", "on", "wait",
                           "off", NULL), &msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chr);
    CU_ASSERT_EQUAL_FATAL(sscanf(chr->filename,
                                 "disconnected:tcp:127.0.0.1:%u,server=on",
                                 &port), 1);
    CU_ASSERT(port > 0);
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_EQUAL_FATAL(connect(c, (struct sockaddr *)&sin, sizeof(sin)),
                          0);
    CU_ASSERT_TRUE(pump_until(is_connected, chr));
    CU_ASSERT_TRUE(g_str_has_prefix(chr->filename, "tcp:127.0.0.1:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(chr->filename, ",server=on <-> "
                                  "127.0.0.1:"));
    qemu_chr_fe_init(&be, chr, &error_abort);
    CU_ASSERT_EQUAL(qemu_chr_fe_write_all(&be, (uint8_t *)"tcp!", 4), 4);
    got = read_n(c, 4);
    CU_ASSERT_STRING_EQUAL(got, "tcp!");
    close(c);
    qemu_chr_fe_deinit(&be, true);
}

/* --- option errors ----------------------------------------------------------- */

static void test_errors(void)
{
    g_autofree char *path = tmp_path("err.sock");

    check_opts_error(opts_new("backend", "socket", "id", "s", NULL),
                     "chardev: socket: no path or host given");
    check_opts_error(opts_new("backend", "socket", "id", "s", "path", path,
                              "host", "127.0.0.1", NULL),
                     "None or one of 'path', 'fd' or 'host' option "
                     "required.");
    check_opts_error(opts_new("backend", "socket", "id", "s", "host",
                              "127.0.0.1", NULL),
                     "chardev: socket: no port given");
    check_opts_error(opts_new("backend", "socket", "id", "s", "path", path,
                              "wait", "off", NULL),
                     "'wait' option is incompatible with socket in client "
                     "connect mode");
    check_opts_error(opts_new("backend", "socket", "id", "s", "path",
                              "/nonexistent-dir/s", "server", "on", "wait",
                              "off", NULL),
                     "Failed to bind socket to /nonexistent-dir/s: No such "
                     "file or directory");
    check_opts_error(opts_new("backend", "socket", "id", "s", "path", path,
                              "server", "yes please", NULL),
                     "Parameter 'server' expects 'on' or 'off'");
    check_opts_error(opts_new("backend", "socket", "id", "s", "path", path,
                              "reconnect", "1", NULL),
                     "Invalid parameter 'reconnect'");
    CU_ASSERT_FALSE(g_file_test(path, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv)
{
    int ret;

    main_loop_init();
    get_chardevs_root();
    tmpdir = tmp_dir_new("test-chardev-socket");

    harness_add("/chardev-socket/unix/server", test_unix_server);
    harness_add("/chardev-socket/unix/no-reader", test_unix_no_reader);
    harness_add("/chardev-socket/unix/existing-path",
                test_unix_existing_path);
    harness_add("/chardev-socket/unix/wait", test_unix_wait);
    harness_add("/chardev-socket/unix/client", test_client);
    harness_add("/chardev-socket/tcp/server", test_tcp_server);
    harness_add("/chardev-socket/errors", test_errors);
    ret = harness_run(argc, argv);

    qemu_chr_cleanup();
    tmp_dir_remove(tmpdir);
    return ret;
}
