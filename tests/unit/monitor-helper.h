/*
 * monitor-helper.h - what the monitor tests share: an in-process machine
 * (dummy accelerator, so no /dev/kvm is needed) and a QMP/HMP client on
 * a real Unix socket, served by the main loop that the test turns.
 *
 * The test thread holds the big lock, as the VMM's main thread does; the
 * loop releases it while it polls.  main() must call
 * monitor_helper_main_init() before harness_run().
 */
#ifndef TESTS_UNIT_MONITOR_HELPER_H
#define TESTS_UNIT_MONITOR_HELPER_H

#include "util/osdep.h"
#include "util/bql.h"
#include "util/main-loop.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "hw/core/cpu.h"
#include "hw/isa/isa.h"
#include "machine/machine.h"
#include "machine/machine-init.h"
#include "monitor/monitor.h"
#include "monitor/qmp-json.h"
#include "system/qdev-monitor.h"
#include "system/runstate.h"
#include "capture.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* Process-lifetime objects and the main loop (see the header comment). */
static inline void monitor_helper_main_init(void)
{
    object_get_root();
    get_chardevs_root();
    runstate_init();
}

/* --- machines --------------------------------------------------------- */

/* Add "-device" @spec (keyval text) to the machine being built. */
static inline void helper_device_add(const char *spec)
{
    QemuOptsList list = { .name = "device", .implied_opt_name = "driver" };
    QemuOpts *opts = qemu_opts_parse_noisily(&list, spec, true);
    g_autoptr(GVariant) dict = qemu_opts_to_keyval(opts);
    DeviceState *dev = qdev_device_add_from_keyval(dict, &error_abort);

    object_unref(OBJECT(dev));
    qemu_opts_reset(&list);
}

/*
 * "-machine pc -smp @cpus -accel dummy -S", up to a ready machine (what
 * it prints is swallowed).  Big lock held on return; tear down with
 * helper_machine_end().
 */
static inline MachineState *helper_pc_machine(int cpus)
{
    MachineState *ms;
    StderrCapture cap;
    g_autofree char *smp = g_strdup_printf("%d", cpus);
    g_autoptr(GVariant) smpv = NULL;

    bql_lock();
    runstate_reset_for_test();
    stderr_capture_begin(&cap);
    ms = machine_create(machine_find_class("pc"));
    smpv = g_variant_ref_sink(g_variant_new_parsed("{'cpus': <%s>}", smp));
    object_property_set(OBJECT(ms), "smp", smpv, &error_abort);
    accel_init_machine("dummy", ms, &error_abort);
    phase_advance(PHASE_ACCEL_CREATED);
    machine_run_board_init(ms, &error_abort);
    helper_device_add("isa-debug-exit,iobase=0xf4,iosize=4");
    machine_creation_done(ms);
    g_free(stderr_capture_end(&cap));
    return ms;
}

/*
 * The machine of the HMP golden texts: "-M none -m 16M -cpu qemu64" with
 * an ISA bus and two debug devices, so that the text does not change
 * when the pc board grows.  Big lock held on return.
 */
static inline MachineState *helper_golden_machine(void)
{
    MachineState *ms;
    StderrCapture cap;
    g_autoptr(GVariant) mem = g_variant_ref_sink(
        g_variant_new_parsed("{'size': <'16M'>}"));

    bql_lock();
    runstate_reset_for_test();
    stderr_capture_begin(&cap);
    ms = machine_create(machine_find_class("none"));
    object_property_set(OBJECT(ms), "memory", mem, &error_abort);
    ms->cpu_type = g_strdup("qemu64-x86_64-cpu");
    accel_init_machine("dummy", ms, &error_abort);
    phase_advance(PHASE_ACCEL_CREATED);
    machine_run_board_init(ms, &error_abort);
    isa_bus_create_default(&error_abort);
    qemu_chr_new("dc", "null", &error_abort);
    helper_device_add("isa-debug-exit,iobase=0xf4,iosize=4");
    helper_device_add("isa-debugcon,chardev=dc,id=dbg");
    machine_creation_done(ms);
    g_free(stderr_capture_end(&cap));
    return ms;
}

static inline void helper_machine_end(void)
{
    qomu_machine_teardown();
    runstate_reset_for_test();
    bql_unlock();
}

/* --- the main loop ---------------------------------------------------- */

/* One non-blocking pass of the main loop, then the requests it got (as
 * qomu_main_loop() does).  Returns true if one was a shutdown. */
static inline bool helper_loop_once(void)
{
    g_main_context_iteration(NULL, false);
    return main_loop_should_exit();
}

/* --- a client on a Unix socket ----------------------------------------- */

typedef struct TestClient {
    int fd;
    GString *in;                /* received, not yet taken */
} TestClient;

/* A monitor (QMP or HMP) on chardev @id, a server socket at a fresh
 * path; *@path (g_free) gets that path. */
static inline void helper_monitor_socket(const char *id, bool qmp,
                                         char **path)
{
    g_autoptr(GVariant) opts = NULL;
    Chardev *chr;

    *path = g_strdup_printf("%s/qomu-test-%d-%s.sock", g_get_tmp_dir(),
                            (int)getpid(), id);
    opts = g_variant_ref_sink(g_variant_new_parsed(
        "{'backend': <'socket'>, 'id': <%s>, 'path': <%s>, "
        "'server': <'on'>, 'wait': <'off'>}", id, *path));
    chr = qemu_chr_new_from_opts(opts, &error_abort);
    g_assert(qmp ? monitor_init_qmp(chr, false, &error_abort)
                 : monitor_init_hmp(chr, &error_abort));
}

static inline TestClient *client_connect(const char *path)
{
    TestClient *c = g_new0(TestClient, 1);
    struct sockaddr_un un = { .sun_family = AF_UNIX };

    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert(connect(c->fd, (struct sockaddr *)&un, sizeof(un)) == 0);
    c->in = g_string_new(NULL);
    return c;
}

static inline void client_close(TestClient *c)
{
    close(c->fd);
    g_string_free(c->in, true);
    g_free(c);
}

/* Send all of @len bytes, turning the loop while the socket is full. */
static inline void client_send_len(TestClient *c, const void *buf,
                                   size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n > 0) {
            p += n;
            len -= n;
        } else {
            g_assert(errno == EAGAIN);
            helper_loop_once();
        }
    }
}

static inline void client_send(TestClient *c, const char *text)
{
    client_send_len(c, text, strlen(text));
}

/* Take what arrived without blocking. */
static inline void client_pull(TestClient *c)
{
    char buf[65536];
    ssize_t n;

    while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        g_string_append_len(c->in, buf, n);
    }
}

/* The next "\r\n"-terminated line (without it, g_free), turning the
 * loop up to 5 s; NULL on timeout. */
static inline char *client_line(TestClient *c)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    for (;;) {
        char *nl;

        client_pull(c);
        nl = strstr(c->in->str, "\r\n");
        if (nl) {
            char *line = g_strndup(c->in->str, nl - c->in->str);

            g_string_erase(c->in, 0, nl - c->in->str + 2);
            return line;
        }
        if (g_get_monotonic_time() > deadline) {
            return NULL;
        }
        helper_loop_once();
    }
}

/* Send @request and return the next line that is not an event. */
static inline char *client_cmd(TestClient *c, const char *request)
{
    client_send(c, request);
    for (;;) {
        char *line = client_line(c);

        if (!line || !g_str_has_prefix(line, "{\"timestamp\"")) {
            return line;
        }
        g_free(line);
    }
}

/* A QMP client past the greeting and negotiation. */
static inline TestClient *qmp_client_negotiated(const char *path)
{
    TestClient *c = client_connect(path);
    g_autofree char *greeting = client_line(c);
    g_autofree char *ok = client_cmd(c, "{\"execute\": "
                                        "\"qmp_capabilities\"}");

    g_assert(greeting && g_str_has_prefix(greeting, "{\"QMP\""));
    g_assert_cmpstr(ok, ==, "{\"return\": {}}");
    return c;
}

/* The JSON value of a reply line (new reference). */
static inline GVariant *reply_value(const char *line)
{
    return qmp_json_parse(line, &error_abort);
}

#endif /* TESTS_UNIT_MONITOR_HELPER_H */
