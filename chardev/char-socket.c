/*
 * char-socket.c - "chardev-socket": a stream socket, Unix (path=) or TCP
 * (host=, port=), as a server (server=on) or a client (QEMU 7.2's
 * chardev/char-socket.c).
 *
 * Server: listens (backlog 1) and accepts one client at a time on the
 * main loop; while a client is connected no other is accepted; when it
 * leaves (CHR_EVENT_CLOSED) the next one may connect (CHR_EVENT_OPENED).
 * wait=on (the default for a server) blocks creation until the first
 * client connects, printing "qomu waiting for connection on: ...".
 * Client: connects at creation; if the server goes away the chardev
 * stays closed (reconnect= is not modelled).
 * Output while no client is connected is dropped, as QEMU does.
 *
 * Deliberate differences from QEMU:
 *  - A Unix socket is created with mode 0600 (QEMU: 0777 less the umask),
 *    so that only the VMM's user can talk to a monitor or console.
 *  - An existing file at path= is replaced only if it is a socket (QEMU
 *    unlinks whatever is there); the socket file is removed when the
 *    chardev is destroyed.
 *  - Without path= or host= the message says so (QEMU falls back to fd=,
 *    which is not modelled, and reports "Unable to parse FD number").
 * Not modelled: fd=, telnet, tn3270, websocket, TLS, nodelay, ipv4/ipv6,
 * to=, abstract/tight Unix names, reconnect=, fd passing.
 *
 * Threads: the connection fd changes only in the main thread, under
 * chr_write_lock, so a vCPU writing concurrently sees either the old
 * connection or none.  Writes never block: a client that stops reading
 * makes a send fail with EAGAIN; qemu_chr_fe_write_all() then retries
 * (stalling that writer, as QEMU's write_all retry loop does), while
 * qemu_chr_fe_write() returns and lets the caller retry (the monitor).
 */
#include "util/osdep.h"
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "util/error-report.h"
#include "chardev-internal.h"

OBJECT_DECLARE_SIMPLE_TYPE(SocketChardev, CHARDEV_SOCKET)

struct SocketChardev {
    Chardev parent;
    bool is_listen;             /* server=on */
    bool is_unix;               /* path= */
    char *path;                 /* Unix: the socket file; owned */
    bool unlink_path;           /* we created it (server) */
    char *addr_str;             /* "unix:P" / "tcp:H:P" for filenames */
    int listen_fd;              /* server: -1 if none */
    int fd;                     /* the connection, -1 if none */
    ChrInput input;
};

/* --- filenames for "info chardev" (QEMU's) ----------------------------- */

static void socket_set_disconnected_filename(SocketChardev *s)
{
    Chardev *chr = CHARDEV(s);

    g_free(chr->filename);
    chr->filename = g_strdup_printf("disconnected:%s%s", s->addr_str,
                                    s->is_listen ? ",server=on" : "");
}

static char *sockaddr_host_port(const struct sockaddr_storage *ss,
                                socklen_t len)
{
    char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";

    getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv,
                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
    if (ss->ss_family == AF_INET6) {
        return g_strdup_printf("[%s]:%s", host, serv);
    }
    return g_strdup_printf("%s:%s", host, serv);
}

static void socket_set_connected_filename(SocketChardev *s)
{
    Chardev *chr = CHARDEV(s);
    struct sockaddr_storage local, peer;
    socklen_t llen = sizeof(local), plen = sizeof(peer);
    g_autofree char *l = NULL, *p = NULL;

    g_free(chr->filename);
    if (s->is_unix) {
        chr->filename = g_strdup_printf("unix:%s%s", s->path,
                                        s->is_listen ? ",server=on" : "");
        return;
    }
    getsockname(s->fd, (struct sockaddr *)&local, &llen);
    getpeername(s->fd, (struct sockaddr *)&peer, &plen);
    l = sockaddr_host_port(&local, llen);
    p = sockaddr_host_port(&peer, plen);
    chr->filename = g_strdup_printf("tcp:%s%s <-> %s", l,
                                    s->is_listen ? ",server=on" : "", p);
}

/* --- connection -------------------------------------------------------- */

static void socket_accept(void *opaque);

static void socket_listen_watch(SocketChardev *s, bool on)
{
    qomu_set_fd_handler(s->listen_fd, on ? socket_accept : NULL, NULL,
                        on ? s : NULL);
}

static void socket_disconnect(Chardev *chr)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);

    chr_input_stop(&s->input);
    g_mutex_lock(&chr->chr_write_lock);
    close(s->fd);
    s->fd = -1;
    g_mutex_unlock(&chr->chr_write_lock);
    socket_set_disconnected_filename(s);
    if (s->is_listen) {
        socket_listen_watch(s, true);   /* the next client may come */
    }
    qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
}

/* @fd is connected: use it (and, if the chardev exists yet, say so). */
static void socket_set_connection(SocketChardev *s, int fd, bool announce)
{
    Chardev *chr = CHARDEV(s);

    g_mutex_lock(&chr->chr_write_lock);
    s->fd = fd;
    g_mutex_unlock(&chr->chr_write_lock);
    socket_set_connected_filename(s);
    if (s->is_listen) {
        socket_listen_watch(s, false);  /* one client at a time */
    }
    /* Watch even without a reader: that is how we see the client leave. */
    chr_input_start(&s->input, chr, fd, true, socket_disconnect);
    if (announce) {
        qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    }
}

static void socket_accept(void *opaque)
{
    SocketChardev *s = opaque;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0) {
        return;     /* EAGAIN, or the client gave up: keep listening */
    }
    socket_set_connection(s, fd, true);
}

static int socket_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);

    if (s->fd < 0) {
        return len;     /* no client: dropped (QEMU: "XXX: indicate an error?") */
    }
    /* MSG_NOSIGNAL: a client that left is an EPIPE, not a SIGPIPE.  The
     * main loop then sees the end of the stream and disconnects.
     * MSG_DONTWAIT: a client that stops reading gives EAGAIN instead of
     * stalling the writer (QEMU's sockets are non-blocking too):
     * qemu_chr_write(write_all) retries, and a monitor keeps its output
     * and retries later, so the main loop never blocks on a client. */
    return send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void socket_chr_update_read_handler(Chardev *chr)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);

    if (s->fd >= 0) {
        chr_input_update(&s->input);
    }
}

/* --- opening ----------------------------------------------------------- */

static int socket_unix_addr(const char *path, struct sockaddr_un *un,
                            Error **errp)
{
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(un->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(un->sun_path, path);
    return 0;
}

static bool socket_listen_unix(SocketChardev *s, Error **errp)
{
    struct sockaddr_un un;
    struct stat st;
    int fd;

    if (socket_unix_addr(s->path, &un, errp) < 0) {
        return false;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create Unix socket");
        return false;
    }
    /* On Linux a Unix socket file takes the mode of the socket's inode:
     * setting it before bind() leaves no window where others may connect. */
    fchmod(fd, 0600);
    if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(s->path);        /* a stale socket of an earlier run */
    }
    if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s",
                         s->path);
        close(fd);
        return false;
    }
    s->unlink_path = true;
    if (listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket");
        close(fd);
        return false;
    }
    s->listen_fd = fd;
    return true;
}

static struct addrinfo *socket_resolve(const char *host, const char *port,
                                       bool passive, Error **errp)
{
    struct addrinfo hints = {
        .ai_flags = AI_ADDRCONFIG | (passive ? AI_PASSIVE : 0),
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
    };
    struct addrinfo *res = NULL;
    int rc;

    /* QEMU binds an empty host as 0.0.0.0 (IPv4 any). */
    if (!*host) {
        host = passive ? "0.0.0.0" : "localhost";
    }
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        error_setg(errp, "address resolution failed for %s:%s: %s", host,
                   port, gai_strerror(rc));
        return NULL;
    }
    return res;
}

static bool socket_listen_inet(SocketChardev *s, const char *host,
                               const char *port, Error **errp)
{
    struct addrinfo *res = socket_resolve(host, port, true, errp);
    int saved_errno = EADDRNOTAVAIL;

    if (!res) {
        return false;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                        ai->ai_protocol);
        int on = 1;

        if (fd < 0) {
            saved_errno = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, 1) == 0) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof(ss);
            g_autofree char *bound = NULL;

            /* Name what we really bound ("0.0.0.0:4444"), as QEMU. */
            getsockname(fd, (struct sockaddr *)&ss, &len);
            bound = sockaddr_host_port(&ss, len);
            g_free(s->addr_str);
            s->addr_str = g_strdup_printf("tcp:%s", bound);
            s->listen_fd = fd;
            freeaddrinfo(res);
            return true;
        }
        saved_errno = errno;
        close(fd);
    }
    freeaddrinfo(res);
    error_setg_errno(errp, saved_errno, "Failed to find an available port");
    return false;
}

/* Client: a connected fd, or -1 with @errp set. */
static int socket_connect(SocketChardev *s, const char *host,
                          const char *port, Error **errp)
{
    struct addrinfo *res;
    int saved_errno = ECONNREFUSED;

    if (s->is_unix) {
        struct sockaddr_un un;
        int fd;

        if (socket_unix_addr(s->path, &un, errp) < 0) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0) {
            return fd;
        }
        error_setg_errno(errp, errno, "Failed to connect to '%s'", s->path);
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    res = socket_resolve(host, port, false, errp);
    if (!res) {
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                        ai->ai_protocol);

        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            freeaddrinfo(res);
            return fd;
        }
        saved_errno = errno;
        if (fd >= 0) {
            close(fd);
        }
    }
    freeaddrinfo(res);
    error_setg_errno(errp, saved_errno, "Failed to connect to '%s:%s'", host,
                     port);
    return -1;
}

/* QEMU's qemu_chr_parse_socket + qmp_chardev_validate_socket checks. */
static bool socket_check_opts(GVariant *opts, Error **errp)
{
    const char *path = qemu_chr_opt_get(opts, "path");
    const char *host = qemu_chr_opt_get(opts, "host");

    if (path && host) {
        error_setg(errp,
                   "None or one of 'path', 'fd' or 'host' option required.");
        return false;
    }
    if (!path && !host) {
        error_setg(errp, "chardev: socket: no path or host given");
        return false;
    }
    if (host && !qemu_chr_opt_has(opts, "port")) {
        error_setg(errp, "chardev: socket: no port given");
        return false;
    }
    if (!qemu_chr_opt_get_bool(opts, "server", false) &&
        qemu_chr_opt_has(opts, "wait")) {
        error_setg(errp, "'wait' option is incompatible with "
                   "socket in client connect mode");
        return false;
    }
    return true;
}

static bool socket_chr_open(Chardev *chr, GVariant *opts, bool *be_opened,
                            Error **errp)
{
    SocketChardev *s = CHARDEV_SOCKET(chr);
    const char *path = qemu_chr_opt_get(opts, "path");
    const char *host = qemu_chr_opt_get(opts, "host");
    const char *port = qemu_chr_opt_get(opts, "port");
    bool wait;
    int fd;

    if (!socket_check_opts(opts, errp)) {
        return false;
    }
    s->is_listen = qemu_chr_opt_get_bool(opts, "server", false);
    wait = qemu_chr_opt_get_bool(opts, "wait", true);
    s->is_unix = path != NULL;
    s->path = g_strdup(path);
    s->addr_str = s->is_unix ? g_strdup_printf("unix:%s", path)
                             : g_strdup_printf("tcp:%s:%s", host, port);
    *be_opened = false;         /* open once a client is there */

    if (!s->is_listen) {
        fd = socket_connect(s, host, port, errp);
        if (fd < 0) {
            return false;
        }
        socket_set_connection(s, fd, false);
        *be_opened = true;
        return true;
    }
    if (!(s->is_unix ? socket_listen_unix(s, errp)
                     : socket_listen_inet(s, host, port, errp))) {
        return false;
    }
    socket_set_disconnected_filename(s);
    if (wait) {
        info_report("qomu waiting for connection on: %s", chr->filename);
        do {
            fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            error_setg_errno(errp, errno, "Failed to accept a connection");
            return false;
        }
        socket_set_connection(s, fd, false);
        *be_opened = true;
        return true;
    }
    socket_listen_watch(s, true);
    return true;
}

static void socket_chr_instance_init(Object *obj)
{
    SocketChardev *s = CHARDEV_SOCKET(obj);

    s->listen_fd = -1;
    s->fd = -1;
    s->input.fd = -1;
}

static void socket_chr_finalize(Object *obj)
{
    SocketChardev *s = CHARDEV_SOCKET(obj);

    chr_input_stop(&s->input);
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        socket_listen_watch(s, false);
        close(s->listen_fd);
    }
    if (s->unlink_path) {
        unlink(s->path);
    }
    g_free(s->path);
    g_free(s->addr_str);
}

static bool socket_chr_get_connected(Object *obj, Error **errp)
{
    return CHARDEV_SOCKET(obj)->fd >= 0;
}

static void socket_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = socket_chr_open;
    cc->chr_write = socket_chr_write;
    cc->chr_update_read_handler = socket_chr_update_read_handler;
    object_class_property_add_bool(oc, "connected", socket_chr_get_connected,
                                   NULL);
}

static const TypeInfo socket_chr_type_info = {
    .name = TYPE_CHARDEV_SOCKET,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(SocketChardev),
    .instance_init = socket_chr_instance_init,
    .instance_finalize = socket_chr_finalize,
    .class_init = socket_chr_class_init,
};

static void socket_chr_register_types(void)
{
    type_register_static(&socket_chr_type_info);
}

type_init(socket_chr_register_types)
