/*
 * libqtest.c - the qtest client (see libqtest.h), after QEMU 7.2's
 * tests/qtest/libqtest.c: the same command line, protocol and API, with
 * json-glib for QMP and timeouts on every wait.
 *
 * Sockets: qtest_init() makes a private directory (g_dir_make_tmp), listens
 * on SOCK and QMPSOCK in it, starts qomu (which connects to both as a
 * client), accepts with a deadline while watching the child, then removes
 * the directory. All I/O is non-blocking behind poll() with a deadline.
 */
#include "util/osdep.h"
#include "libqtest.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <CUnit/CUnit.h>

#ifndef QTEST_QEMU_BINARY_DEFAULT
#define QTEST_QEMU_BINARY_DEFAULT "build/qomu"
#endif

#define MAX_IRQ 256
#define WAITPID_TIMEOUT_S 30
#define DEFAULT_TIMEOUT_S 60

struct QTestState {
    int fd;                     /* qtest socket */
    int qmp_fd;
    pid_t pid;                  /* qomu; -1 once reaped */
    int wstatus;
    int expected_status;
    bool big_endian;
    bool irq_level[MAX_IRQ];
    unsigned irq_raised[MAX_IRQ];
    GString *rx;                /* qtest bytes not yet split into lines */
    GString *qmp_rx;
    GQueue events;              /* JsonObject *: events not yet consumed */
    char *last;                 /* the last request, for messages */
    /* while starting: the listening sockets and their directory */
    int listen_fd[2];
    char *sock_dir, *sock_path[2];
};

static GList *live_states;      /* QTestState * not yet quit */
static bool cleanup_registered;
static struct sigaction old_sigabrt;

/* --- failures -------------------------------------------------------------- */

static int timeout_ms(void)
{
    const char *t = g_getenv("QTEST_TIMEOUT");
    int sec = t ? atoi(t) : 0;

    return (sec > 0 ? sec : DEFAULT_TIMEOUT_S) * 1000;
}

static void describe_status(GString *out, int wstatus)
{
    if (WIFEXITED(wstatus)) {
        g_string_append_printf(out, "exited with status %d",
                               WEXITSTATUS(wstatus));
    } else if (WIFSIGNALED(wstatus)) {
        g_string_append_printf(out, "killed by signal %d (%s)%s",
                               WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)),
                               WCOREDUMP(wstatus) ? ", core dumped" : "");
    } else {
        g_string_append_printf(out, "wait status 0x%x", wstatus);
    }
}

static void close_fds(QTestState *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->qmp_fd >= 0) {
        close(s->qmp_fd);
        s->qmp_fd = -1;
    }
}

/* Close and remove the listening sockets and their directory. */
static void remove_sockets(QTestState *s)
{
    for (int i = 0; i < 2; i++) {
        if (s->listen_fd[i] >= 0) {
            close(s->listen_fd[i]);
            s->listen_fd[i] = -1;
        }
        if (s->sock_path[i]) {
            unlink(s->sock_path[i]);
            g_clear_pointer(&s->sock_path[i], g_free);
        }
    }
    if (s->sock_dir) {
        rmdir(s->sock_dir);
        g_clear_pointer(&s->sock_dir, g_free);
    }
}

/* SIGKILL and reap qomu, if it still runs. */
static void kill_child(QTestState *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, &s->wstatus, 0) < 0 && errno == EINTR) {
        }
        s->pid = -1;
    }
}

/*
 * fail: kill qomu, say what happened, and end the current CUnit test
 * (abort() outside one). The message is kept in a static buffer: CUnit
 * copies it, and nothing allocated here would be freed across the jump.
 */
static G_NORETURN G_GNUC_PRINTF(2, 3)
void fail(QTestState *s, const char *fmt, ...)
{
    static char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "libqtest: %s\n", msg);
    if (s) {
        bool running = s->pid > 0 && waitpid(s->pid, &s->wstatus, WNOHANG) == 0;

        if (s->pid > 0) {
            g_autoptr(GString) st = g_string_new("");

            if (running) {
                kill_child(s);
                fprintf(stderr, "libqtest: killed qomu (SIGKILL)\n");
            } else {
                s->pid = -1;
                describe_status(st, s->wstatus);
                fprintf(stderr, "libqtest: qomu had %s\n", st->str);
            }
        }
        close_fds(s);
        remove_sockets(s);
    }
    fflush(stderr);
    if (CU_is_test_running()) {
        CU_assertImplementation(CU_FALSE, 0, msg, "libqtest", "", CU_TRUE);
    }
    abort();
}

static void check_usable(QTestState *s)
{
    if (s->fd < 0) {
        fail(s, "qomu is gone (an earlier failure killed it)");
    }
}

/* At exit (and on SIGABRT): no qomu outlives the test program. */
static void cleanup_at_exit(void)
{
    while (live_states) {
        QTestState *s = live_states->data;

        live_states = g_list_delete_link(live_states, live_states);
        kill_child(s);
        close_fds(s);
        remove_sockets(s);
        g_string_free(s->rx, true);
        g_string_free(s->qmp_rx, true);
        g_queue_clear_full(&s->events, (GDestroyNotify)json_object_unref);
        g_free(s->last);
        g_free(s);
    }
}

static void sigabrt_handler(int sig)
{
    /* async-signal-safe: kill() only */
    for (GList *l = live_states; l; l = l->next) {
        QTestState *s = l->data;

        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
        }
    }
    sigaction(SIGABRT, &old_sigabrt, NULL);
    raise(sig);
}

/* --- starting ------------------------------------------------------------- */

const char *qtest_qemu_binary(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");

    return bin && *bin ? bin : QTEST_QEMU_BINARY_DEFAULT;
}

static int listen_unix(QTestState *s, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        fail(s, "socket path too long: %s", path);
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        int err = errno;

        if (fd >= 0) {
            close(fd);
        }
        fail(s, "cannot listen on %s: %s", path, strerror(err));
    }
    return fd;
}

/* Accept on @lfd by @deadline (monotonic us), failing if qomu exits. */
static int accept_child(QTestState *s, int lfd, gint64 deadline,
                        const char *what)
{
    for (;;) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        int fd;

        if (poll(&p, 1, 100) > 0) {
            fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd >= 0) {
                return fd;
            }
            if (errno != EAGAIN && errno != EINTR) {
                fail(s, "accept (%s): %s", what, strerror(errno));
            }
        }
        if (waitpid(s->pid, &s->wstatus, WNOHANG) == s->pid) {
            g_autoptr(GString) st = g_string_new("");

            s->pid = -1;
            describe_status(st, s->wstatus);
            fail(s, "%s %s before connecting its %s socket (its messages "
                 "are above)", qtest_qemu_binary(), st->str, what);
        }
        if (g_get_monotonic_time() > deadline) {
            fail(s, "%s did not connect its %s socket within %d s",
                 qtest_qemu_binary(), what, timeout_ms() / 1000);
        }
    }
}

static void endianness(QTestState *s);

QTestState *qtest_init_without_qmp_handshake(const char *extra_args)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *command = NULL;
    QTestState *s;
    gint64 deadline;

    s = g_new0(QTestState, 1);
    s->fd = s->qmp_fd = -1;
    s->listen_fd[0] = s->listen_fd[1] = -1;
    s->pid = -1;
    s->rx = g_string_new("");
    s->qmp_rx = g_string_new("");
    g_queue_init(&s->events);
    s->last = g_strdup("(start)");

    if (!cleanup_registered) {
        struct sigaction sa = { .sa_handler = sigabrt_handler };

        atexit(cleanup_at_exit);
        sigaction(SIGABRT, &sa, &old_sigabrt);
        cleanup_registered = true;
    }
    live_states = g_list_prepend(live_states, s);

    s->sock_dir = g_dir_make_tmp("qtest-XXXXXX", &err);
    if (!s->sock_dir) {
        fail(s, "cannot make a socket directory: %s", err->message);
    }
    s->sock_path[0] = g_build_filename(s->sock_dir, "qtest.sock", NULL);
    s->sock_path[1] = g_build_filename(s->sock_dir, "qmp.sock", NULL);
    for (int i = 0; i < 2; i++) {
        s->listen_fd[i] = listen_unix(s, s->sock_path[i]);
    }

    command = g_strdup_printf("exec %s "
                              "-qtest unix:%s "
                              "-qtest-log %s "
                              "-chardev socket,path=%s,id=char0 "
                              "-mon chardev=char0,mode=control "
                              "-display none "
                              "%s"
                              " -accel qtest",
                              qtest_qemu_binary(), s->sock_path[0],
                              g_getenv("QTEST_LOG") ? "/dev/fd/2" : "/dev/null",
                              s->sock_path[1], extra_args ? extra_args : "");

    fprintf(stderr, "libqtest: starting: %s\n", command);
    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) {
        fail(s, "fork: %s", strerror(errno));
    }
    if (s->pid == 0) {
        /* A test program that dies takes qomu with it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        g_setenv("QEMU_AUDIO_DRV", "none", true);
        execlp("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }

    deadline = g_get_monotonic_time() + (gint64)timeout_ms() * 1000;
    s->fd = accept_child(s, s->listen_fd[0], deadline, "qtest");
    s->qmp_fd = accept_child(s, s->listen_fd[1], deadline, "QMP");
    remove_sockets(s);

    if (g_getenv("QTEST_STOP")) {
        kill(s->pid, SIGSTOP);
    }
    endianness(s);
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    QTestState *s = qtest_init_without_qmp_handshake(extra_args);
    JsonObject *greeting = qtest_qmp_receive(s);

    if (!json_object_has_member(greeting, "QMP")) {
        g_autofree char *j = qtest_json_str(greeting);

        fail(s, "expected the QMP greeting, got %s", j);
    }
    json_object_unref(greeting);
    qtest_qmp_assert_success(s, "{ 'execute': 'qmp_capabilities' }");
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *args = NULL;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

/* --- stopping ------------------------------------------------------------- */

int qtest_pid(QTestState *s)
{
    return s->pid;
}

void qtest_set_expected_status(QTestState *s, int status)
{
    s->expected_status = status;
}

bool qtest_probe_child(QTestState *s)
{
    if (s->pid > 0) {
        if (waitpid(s->pid, &s->wstatus, WNOHANG) == 0) {
            return true;
        }
        s->pid = -1;
    }
    return false;
}

/* Wait up to @ms for qomu to exit; true if it did (and was reaped). */
static bool wait_child(QTestState *s, int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (s->pid > 0) {
        pid_t r = waitpid(s->pid, &s->wstatus, WNOHANG);

        if (r == s->pid || (r < 0 && errno != EINTR)) {
            s->pid = -1;
            break;
        }
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(10 * 1000);
    }
    return true;
}

/* NULL if qomu exited as expected, else what it did instead. */
static char *bad_status(QTestState *s)
{
    GString *out;

    if (WIFEXITED(s->wstatus) &&
        WEXITSTATUS(s->wstatus) == s->expected_status) {
        return NULL;
    }
    out = g_string_new("");
    describe_status(out, s->wstatus);
    g_string_append_printf(out, " (expected exit status %d)",
                           s->expected_status);
    return g_string_free(out, false);
}

static void free_state(QTestState *s)
{
    live_states = g_list_remove(live_states, s);
    close_fds(s);
    remove_sockets(s);
    g_string_free(s->rx, true);
    g_string_free(s->qmp_rx, true);
    g_queue_clear_full(&s->events, (GDestroyNotify)json_object_unref);
    g_free(s->last);
    g_free(s);
}

void qtest_wait_qemu(QTestState *s)
{
    char *bad;

    if (!wait_child(s, timeout_ms())) {
        fail(s, "qomu did not exit within %d s", timeout_ms() / 1000);
    }
    bad = bad_status(s);
    if (bad) {
        static char msg[256];

        snprintf(msg, sizeof(msg), "%s", bad);
        g_free(bad);
        fail(NULL, "qomu %s", msg);
    }
}

void qtest_quit(QTestState *s)
{
    char *bad = NULL;
    bool killed = false;

    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        if (!wait_child(s, WAITPID_TIMEOUT_S * 1000)) {
            kill_child(s);
            killed = true;
        }
    }
    bad = bad_status(s);
    free_state(s);
    if (killed) {
        g_free(bad);
        fail(NULL, "qomu ignored SIGTERM for %d s: killed it",
             WAITPID_TIMEOUT_S);
    }
    if (bad) {
        static char msg[256];

        snprintf(msg, sizeof(msg), "%s", bad);
        g_free(bad);
        fail(NULL, "qomu %s", msg);
    }
}

/* --- I/O ----------------------------------------------------------------- */

static void send_all(QTestState *s, int fd, const char *buf, size_t len)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms() * 1000;

    check_usable(s);
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n > 0) {
            buf += n;
            len -= n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int left = (deadline - g_get_monotonic_time()) / 1000;

            if (left <= 0 || poll(&p, 1, left) == 0) {
                fail(s, "qomu did not take '%s' within %d s", s->last,
                     timeout_ms() / 1000);
            }
            continue;
        }
        fail(s, "sending '%s': %s", s->last, strerror(errno));
    }
}

/* One line from @fd (without the newline and any \r), within the timeout. */
static char *recv_line(QTestState *s, int fd, GString *rx, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms() * 1000;

    check_usable(s);
    for (;;) {
        char *eol = memchr(rx->str, '\n', rx->len);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[4096];
        ssize_t n;
        int left;

        if (eol) {
            size_t len = eol - rx->str;
            char *line = g_strndup(rx->str, len);

            g_string_erase(rx, 0, len + 1);
            if (len && line[len - 1] == '\r') {
                line[len - 1] = 0;
            }
            return line;
        }
        n = recv(fd, buf, sizeof(buf), 0);
        if (n > 0) {
            g_string_append_len(rx, buf, n);
            continue;
        }
        if (n == 0) {
            fail(s, "qomu closed its %s connection waiting for the reply to "
                 "'%s'", what, s->last);
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            fail(s, "reading from the %s socket: %s", what, strerror(errno));
        }
        left = (deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0 || poll(&p, 1, left) == 0) {
            fail(s, "no %s reply to '%s' within %d s", what, s->last,
                 timeout_ms() / 1000);
        }
    }
}

static void set_last(QTestState *s, const char *cmd)
{
    size_t len = strcspn(cmd, "\n");

    g_free(s->last);
    s->last = len > 100 ? g_strdup_printf("%.100s...", cmd)
                        : g_strndup(cmd, len);
}

static void qtest_send(QTestState *s, const char *cmd)
{
    set_last(s, cmd);
    send_all(s, s->fd, cmd, strlen(cmd));
}

static G_GNUC_PRINTF(2, 3) void qtest_sendf(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *str = NULL;

    va_start(ap, fmt);
    str = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(s, str);
}

/* Record an "IRQ raise N"/"IRQ lower N" line; false if @line is not one. */
static bool irq_line(QTestState *s, const char *line)
{
    char dir[8], end;
    int n;

    if (strncmp(line, "IRQ ", 4)) {
        return false;
    }
    if (sscanf(line, "IRQ %7s %d%c", dir, &n, &end) != 2 ||
        n < 0 || n >= MAX_IRQ ||
        (strcmp(dir, "raise") && strcmp(dir, "lower"))) {
        fail(s, "malformed IRQ notification '%s'", line);
    }
    if (!strcmp(dir, "raise")) {
        s->irq_level[n] = true;
        s->irq_raised[n]++;
    } else {
        s->irq_level[n] = false;
    }
    return true;
}

/* The next reply line, IRQ notifications recorded and skipped. */
static char *reply_line(QTestState *s)
{
    for (;;) {
        char *line = recv_line(s, s->fd, s->rx, "qtest");

        if (!irq_line(s, line)) {
            return line;
        }
        g_free(line);
    }
}

/* The reply's words; it must be "OK" with at least @nargs more words. */
static char **rsp_args(QTestState *s, int nargs)
{
    g_autofree char *line = reply_line(s);
    char **words = g_strsplit(line, " ", 0);

    if (!words[0] || strcmp(words[0], "OK") ||
        g_strv_length(words) < (guint)nargs + 1) {
        static char copy[256];

        snprintf(copy, sizeof(copy), "%s", line);
        g_strfreev(words);
        fail(s, "'%s' got the reply '%s'", s->last, copy);
    }
    return words;
}

static void rsp(QTestState *s)
{
    g_strfreev(rsp_args(s, 0));
}

static uint64_t rsp_u64(QTestState *s, uint64_t max)
{
    char **words = rsp_args(s, 1);
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(words[1], &end, 0);
    if (errno || *end || end == words[1] || v > max) {
        static char copy[128];

        snprintf(copy, sizeof(copy), "%s", words[1]);
        g_strfreev(words);
        fail(s, "'%s': bad value '%s' in the reply", s->last, copy);
    }
    g_strfreev(words);
    return v;
}

static void endianness(QTestState *s)
{
    char **words;

    qtest_send(s, "endianness\n");
    words = rsp_args(s, 1);
    if (strcmp(words[1], "big") && strcmp(words[1], "little")) {
        g_strfreev(words);
        fail(s, "'endianness' got neither 'big' nor 'little'");
    }
    s->big_endian = !strcmp(words[1], "big");
    g_strfreev(words);
}

bool qtest_big_endian(QTestState *s)
{
    return s->big_endian;
}

char *qtest_raw(QTestState *s, const char *line)
{
    g_autofree char *cmd = g_strconcat(line, "\n", NULL);

    qtest_send(s, cmd);
    return reply_line(s);
}

void qtest_raw_send(QTestState *s, const char *line)
{
    g_autofree char *cmd = g_strconcat(line, "\n", NULL);

    qtest_send(s, cmd);
}

char *qtest_rawf(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_raw(s, line);
}

/* --- the commands ------------------------------------------------------- */

static void out(QTestState *s, const char *cmd, uint16_t addr, uint32_t value)
{
    qtest_sendf(s, "%s 0x%x 0x%x\n", cmd, addr, value);
    rsp(s);
}

void qtest_outb(QTestState *s, uint16_t addr, uint8_t value)
{
    out(s, "outb", addr, value);
}

void qtest_outw(QTestState *s, uint16_t addr, uint16_t value)
{
    out(s, "outw", addr, value);
}

void qtest_outl(QTestState *s, uint16_t addr, uint32_t value)
{
    out(s, "outl", addr, value);
}

static uint32_t in(QTestState *s, const char *cmd, uint16_t addr, uint32_t max)
{
    qtest_sendf(s, "%s 0x%x\n", cmd, addr);
    return rsp_u64(s, max);
}

uint8_t qtest_inb(QTestState *s, uint16_t addr)
{
    return in(s, "inb", addr, UINT8_MAX);
}

uint16_t qtest_inw(QTestState *s, uint16_t addr)
{
    return in(s, "inw", addr, UINT16_MAX);
}

uint32_t qtest_inl(QTestState *s, uint16_t addr)
{
    return in(s, "inl", addr, UINT32_MAX);
}

static void write_n(QTestState *s, const char *cmd, uint64_t addr,
                    uint64_t value)
{
    qtest_sendf(s, "%s 0x%" PRIx64 " 0x%" PRIx64 "\n", cmd, addr, value);
    rsp(s);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value)
{
    write_n(s, "writeb", addr, value);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t value)
{
    write_n(s, "writew", addr, value);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t value)
{
    write_n(s, "writel", addr, value);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value)
{
    write_n(s, "writeq", addr, value);
}

static uint64_t read_n(QTestState *s, const char *cmd, uint64_t addr,
                       uint64_t max)
{
    qtest_sendf(s, "%s 0x%" PRIx64 "\n", cmd, addr);
    return rsp_u64(s, max);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return read_n(s, "readb", addr, UINT8_MAX);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return read_n(s, "readw", addr, UINT16_MAX);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return read_n(s, "readl", addr, UINT32_MAX);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return read_n(s, "readq", addr, UINT64_MAX);
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;
    char **words;

    if (!size) {
        return;
    }
    qtest_sendf(s, "read 0x%" PRIx64 " 0x%zx\n", addr, size);
    words = rsp_args(s, 1);
    if (strncmp(words[1], "0x", 2) || strlen(words[1]) != 2 + 2 * size) {
        g_strfreev(words);
        fail(s, "'%s': the reply is not %zu bytes of hex", s->last, size);
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(words[1][2 + 2 * i]);
        int lo = g_ascii_xdigit_value(words[1][3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            g_strfreev(words);
            fail(s, "'%s': the reply is not hex", s->last);
        }
        p[i] = hi << 4 | lo;
    }
    g_strfreev(words);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    const uint8_t *p = data;
    GString *cmd;

    if (!size) {
        return;
    }
    cmd = g_string_sized_new(32 + 2 * size);
    g_string_printf(cmd, "write 0x%" PRIx64 " 0x%zx 0x", addr, size);
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(cmd, "%02x", p[i]);
    }
    g_string_append_c(cmd, '\n');
    qtest_send(s, cmd->str);
    g_string_free(cmd, true);
    rsp(s);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    char **words;
    gsize len;

    if (!size) {
        return;
    }
    qtest_sendf(s, "b64read 0x%" PRIx64 " 0x%zx\n", addr, size);
    words = rsp_args(s, 1);
    g_base64_decode_inplace(words[1], &len);
    if (len != size) {
        g_strfreev(words);
        fail(s, "'%s': decoded %zu bytes", s->last, (size_t)len);
    }
    memcpy(data, words[1], size);
    g_strfreev(words);
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    g_autofree char *b64 = NULL;
    g_autofree char *cmd = NULL;

    if (!size) {
        return;
    }
    b64 = g_base64_encode(data, size);
    cmd = g_strdup_printf("b64write 0x%" PRIx64 " 0x%zx %s\n", addr, size, b64);
    qtest_send(s, cmd);
    rsp(s);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    qtest_sendf(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x\n", addr, size, pattern);
    rsp(s);
}

static int64_t clock_rsp(QTestState *s)
{
    char **words = rsp_args(s, 1);
    char *end;
    int64_t v;

    errno = 0;
    v = g_ascii_strtoll(words[1], &end, 0);
    if (errno || *end || end == words[1]) {
        g_strfreev(words);
        fail(s, "'%s': bad clock value in the reply", s->last);
    }
    g_strfreev(words);
    return v;
}

int64_t qtest_clock_step_next(QTestState *s)
{
    qtest_send(s, "clock_step\n");
    return clock_rsp(s);
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    qtest_sendf(s, "clock_step %" PRIi64 "\n", step);
    return clock_rsp(s);
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    qtest_sendf(s, "clock_set %" PRIi64 "\n", val);
    return clock_rsp(s);
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    qtest_sendf(s, "irq_intercept_in %s\n", qom_path);
    rsp(s);
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    qtest_sendf(s, "irq_intercept_out %s\n", qom_path);
    rsp(s);
}

bool qtest_get_irq(QTestState *s, int num)
{
    g_assert(num >= 0 && num < MAX_IRQ);
    qtest_inb(s, 0);                    /* a round trip: notifications in */
    return s->irq_level[num];
}

unsigned qtest_irq_count(QTestState *s, int num)
{
    g_assert(num >= 0 && num < MAX_IRQ);
    qtest_inb(s, 0);
    return s->irq_raised[num];
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level)
{
    qtest_sendf(s, "set_irq_in %s %s %d %d\n", qom_path,
                name ? name : "unnamed-gpio-in", num, level);
    rsp(s);
}

void qtest_module_load(QTestState *s, const char *prefix, const char *libname)
{
    qtest_sendf(s, "module_load %s %s\n", prefix, libname);
    rsp(s);
}

/* --- QMP ------------------------------------------------------------------ */

char *qtest_json_str(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

    json_node_set_object(node, obj);
    return json_to_string(node, false);
}

JsonObject *qtest_qmp_receive_dict(QTestState *s)
{
    for (;;) {
        g_autofree char *line = recv_line(s, s->qmp_fd, s->qmp_rx, "QMP");
        g_autoptr(JsonParser) parser = NULL;
        g_autoptr(GError) err = NULL;
        JsonNode *root;

        if (!*g_strstrip(line)) {
            continue;
        }
        parser = json_parser_new_immutable();
        if (!json_parser_load_from_data(parser, line, -1, &err)) {
            static char msg[512];

            snprintf(msg, sizeof(msg), "%s: %s", err->message, line);
            fail(s, "QMP sent bad JSON (%s)", msg);
        }
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
            fail(s, "QMP sent a non-object: %.200s", line);
        }
        return json_object_ref(json_node_get_object(root));
    }
}

JsonObject *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        JsonObject *msg = qtest_qmp_receive_dict(s);

        if (!json_object_has_member(msg, "event")) {
            return msg;
        }
        g_queue_push_tail(&s->events, msg);
    }
}

static void qmp_vsend(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);

    set_last(s, cmd);
    send_all(s, s->qmp_fd, cmd, strlen(cmd));
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qmp_vsend(s, fmt, ap);
    va_end(ap);
}

JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
{
    qmp_vsend(s, fmt, ap);
    return qtest_qmp_receive(s);
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    JsonObject *r;

    va_start(ap, fmt);
    r = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    return r;
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    JsonObject *r;

    va_start(ap, fmt);
    r = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    if (!json_object_has_member(r, "return")) {
        static char msg[512];
        char *j = qtest_json_str(r);

        snprintf(msg, sizeof(msg), "%s", j);
        g_free(j);
        json_object_unref(r);
        fail(NULL, "QMP '%s' failed: %s", s->last, msg);
    }
    json_object_unref(r);
}

static bool is_event(JsonObject *msg, const char *event)
{
    return json_object_has_member(msg, "event") &&
           !g_strcmp0(json_object_get_string_member_with_default(msg, "event",
                                                                 NULL), event);
}

JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event)
{
    JsonObject *msg;

    while ((msg = g_queue_pop_head(&s->events))) {
        if (is_event(msg, event)) {
            return msg;
        }
        json_object_unref(msg);
    }
    return NULL;
}

JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event)
{
    JsonObject *msg = qtest_qmp_event_ref(s, event);

    set_last(s, event);
    while (!msg) {
        msg = qtest_qmp_receive_dict(s);
        if (!is_event(msg, event)) {
            json_object_unref(msg);
            msg = NULL;
        }
    }
    return msg;
}

void qtest_qmp_eventwait(QTestState *s, const char *event)
{
    json_object_unref(qtest_qmp_eventwait_ref(s, event));
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *cmd = NULL;
    g_autoptr(JsonNode) node = json_node_new(JSON_NODE_VALUE);
    g_autofree char *quoted = NULL;
    JsonObject *r;
    char *ret;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    json_node_set_string(node, cmd);
    quoted = json_to_string(node, false);
    r = qtest_qmp(s, "{\"execute\": \"human-monitor-command\", "
                  "\"arguments\": {\"command-line\": %s}}", quoted);
    if (!json_object_has_member(r, "return")) {
        json_object_unref(r);
        fail(NULL, "HMP '%s' failed", cmd);
    }
    ret = g_strdup(json_object_get_string_member(r, "return"));
    json_object_unref(r);
    return ret;
}
