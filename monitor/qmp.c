/*
 * qmp.c - the QMP monitor: greeting, capabilities negotiation, requests
 * and responses, events (QEMU 7.2's monitor/qmp.c).
 *
 * On each connection (CHR_EVENT_OPENED) the monitor sends the greeting
 *   {"QMP": {"version": {...}, "capabilities": []}}
 * and accepts only qmp_capabilities until negotiation is done; then all
 * commands, and events flow.  A disconnect resets it for the next client.
 *
 * Requests are read through the codec's streaming reader into a queue
 * that holds one at a time (QEMU without OOB); while it is busy (or
 * output waits for the client) nothing more is read.  A bottom half runs them one at a
 * time, in order, as QEMU's dispatcher coroutine does, and sends each
 * response on its next run: so whatever the command asked the main loop
 * to do (a reset, a shutdown) happens first and its event precedes the
 * response, exactly as in QEMU's transcripts:
 *   -> {"execute": "system_reset"}
 *   <- {"timestamp": ..., "event": "RESET", "data": {...}}
 *   <- {"return": {}}
 * The reply to "quit" goes out from monitor_cleanup(), after SHUTDOWN.
 *
 * Not modelled: out-of-band commands (the greeting offers no "oob"),
 * event rate limiting, the "exec-oob" member (refused as unexpected).
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "chardev/char.h"
#include "system/options.h"
#include "monitor/qmp-commands.h"
#include "monitor-internal.h"

typedef struct QMPRequest {
    GVariant *req;              /* the parsed value, or NULL if... */
    Error *err;                 /* ...it did not parse */
} QMPRequest;

typedef struct MonitorQMP {
    Monitor common;
    bool pretty;                /* -qmp-pretty / -mon pretty=on */
    bool negotiated;            /* qmp_capabilities accepted */
    QmpJsonReader *reader;
    GQueue requests;            /* QMPRequest *, parsed, not yet run */
    GQueue replies;             /* GString *, run, not yet sent */
    QomuBH *dispatch_bh;
} MonitorQMP;

/* --- output --------------------------------------------------------- */

/* QEMU's qmp_send_response(): one value per line. */
static void qmp_send(MonitorQMP *mon, GVariant *rsp)
{
    g_autoptr(GString) json = g_string_new(NULL);

    qmp_json_append(json, rsp, mon->pretty);
    g_string_append_c(json, '\n');
    monitor_puts(&mon->common, json->str);
}

static void qmp_send_greeting(MonitorQMP *mon)
{
    QmpDict qemu, version, qmp, greeting;

    qmp_dict_init(&qemu);
    qmp_dict_add_int(&qemu, "major", QOMU_QEMU_VERSION_MAJOR);
    qmp_dict_add_int(&qemu, "minor", QOMU_QEMU_VERSION_MINOR);
    qmp_dict_add_int(&qemu, "micro", QOMU_QEMU_VERSION_MICRO);
    qmp_dict_init(&version);
    qmp_dict_add(&version, "qemu", qmp_dict_end(&qemu));
    qmp_dict_add_str(&version, "package", "qomu " QOMU_VERSION);
    qmp_dict_init(&qmp);
    qmp_dict_add(&qmp, "version", qmp_dict_end(&version));
    qmp_dict_add(&qmp, "capabilities",
                 g_variant_new_array(G_VARIANT_TYPE_VARIANT, NULL, 0));
    qmp_dict_init(&greeting);
    qmp_dict_add(&greeting, "QMP", qmp_dict_end(&qmp));
    {
        g_autoptr(GVariant) g = g_variant_ref_sink(qmp_dict_end(&greeting));

        qmp_send(mon, g);
    }
}

/* --- input ---------------------------------------------------------- */

static void qmp_request_free(gpointer p)
{
    QMPRequest *r = p;

    if (r->req) {
        g_variant_unref(r->req);
    }
    error_free(r->err);
    g_free(r);
}

/*
 * Without out-of-band commands QEMU queues one request at a time and
 * reads no more input until it has run (handle_qmp_command suspends the
 * monitor).  Here a request also holds the input until its response is
 * out: so the end of the client's input (`echo ... | qomu -qmp stdio`)
 * is read only after every command before it has been answered.
 */
static bool qmp_input_blocked(MonitorQMP *mon)
{
    return mon->common.suspend_cnt > 0 ||
           !g_queue_is_empty(&mon->requests) ||
           !g_queue_is_empty(&mon->replies) ||
           monitor_outbuf_pending(&mon->common) > MONITOR_OUTBUF_PAUSE;
}

/* Move complete values from the reader to the queue while it has room. */
static void qmp_pump(MonitorQMP *mon)
{
    while (!qmp_input_blocked(mon)) {
        QMPRequest *r = g_new0(QMPRequest, 1);

        if (!qmp_json_reader_next(mon->reader, &r->req, &r->err)) {
            g_free(r);
            break;
        }
        g_queue_push_tail(&mon->requests, r);
        qomu_bh_schedule(mon->dispatch_bh);
    }
}

static int qmp_can_read(void *opaque)
{
    MonitorQMP *mon = opaque;

    return qmp_input_blocked(mon) ? 0
                                  : (int)qmp_json_reader_space(mon->reader);
}

static void qmp_read(void *opaque, const uint8_t *buf, int size)
{
    MonitorQMP *mon = opaque;

    qmp_json_reader_feed(mon->reader, buf, size);
    qmp_pump(mon);
}

static void qmp_update_input(Monitor *common)
{
    MonitorQMP *mon = (MonitorQMP *)common;

    qmp_pump(mon);
    if (!qmp_input_blocked(mon)) {
        qemu_chr_fe_accept_input(&common->chr);
    }
}

/* --- dispatch ------------------------------------------------------- */

/* An error response without id (for input that did not parse). */
static GVariant *qmp_error_response(Error *err)
{
    /* "stray '\xff'" quotes the client's bytes: a GVariant string must be
     * UTF-8, and QEMU's writer prints invalid bytes as U+FFFD anyway. */
    g_autofree char *desc = g_utf8_make_valid(error_get_pretty(err), -1);
    QmpDict e, rsp;

    qmp_dict_init(&e);
    qmp_dict_add_str(&e, "class", error_class_name(error_get_class(err)));
    qmp_dict_add_str(&e, "desc", desc);
    qmp_dict_init(&rsp);
    qmp_dict_add(&rsp, "error", qmp_dict_end(&e));
    return g_variant_ref_sink(qmp_dict_end(&rsp));
}

/* Before negotiation only qmp_capabilities exists (QEMU's
 * qmp_cap_negotiation_commands), and a CommandNotFound says why. */
static GVariant *qmp_dispatch_negotiation(GVariant *req)
{
    GVariant *rsp = qmp_dispatch_only(req, "qmp_capabilities");
    g_autoptr(GVariant) error = g_variant_lookup_value(rsp, "error", NULL);
    g_autoptr(GVariant) cls = error ? g_variant_lookup_value(error, "class",
                                                             NULL) : NULL;
    GVariantBuilder b;
    GVariantIter iter;
    const char *key;
    GVariant *value;

    if (!cls || strcmp(g_variant_get_string(cls, NULL), "CommandNotFound")) {
        return rsp;
    }
    /* QEMU replaces the message of any CommandNotFound here. */
    g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
    g_variant_iter_init(&iter, rsp);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        if (strcmp(key, "error")) {
            g_variant_builder_add(&b, "{sv}", key, value);
        } else {
            QmpDict e;

            qmp_dict_init(&e);
            qmp_dict_add(&e, "class", cls);
            qmp_dict_add_str(&e, "desc", "Expecting capabilities "
                             "negotiation with 'qmp_capabilities'");
            g_variant_builder_add(&b, "{sv}", key, qmp_dict_end(&e));
        }
    }
    g_variant_unref(rsp);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

static GVariant *qmp_run_request(MonitorQMP *mon, QMPRequest *r)
{
    Monitor *old;
    GVariant *rsp;

    if (r->err) {
        return qmp_error_response(r->err);
    }
    old = monitor_set_cur(&mon->common);
    rsp = mon->negotiated ? qmp_dispatch(r->req)
                          : qmp_dispatch_negotiation(r->req);
    monitor_set_cur(old);
    return rsp;
}

/*
 * The dispatcher: first send the reply of the request run last time
 * (the main loop has since handled what it requested), then run the
 * next request and keep its reply for the next run.
 */
static void qmp_dispatch_bh(void *opaque)
{
    MonitorQMP *mon = opaque;
    QMPRequest *r;

    while (!g_queue_is_empty(&mon->replies)) {
        GString *reply = g_queue_pop_head(&mon->replies);

        monitor_puts(&mon->common, reply->str);
        g_string_free(reply, true);
    }
    r = g_queue_pop_head(&mon->requests);
    if (r) {
        g_autoptr(GVariant) rsp = qmp_run_request(mon, r);
        GString *reply = g_string_new(NULL);

        qmp_request_free(r);
        qmp_json_append(reply, rsp, mon->pretty);
        g_string_append_c(reply, '\n');
        g_queue_push_tail(&mon->replies, reply);
        qomu_bh_schedule(mon->dispatch_bh);
    }
    qmp_update_input(&mon->common);
}

/* --- negotiation ---------------------------------------------------- */

bool monitor_qmp_negotiate(Monitor *common, GVariant *args, Error **errp)
{
    MonitorQMP *mon = (MonitorQMP *)common;
    g_autoptr(GVariant) enable = qmp_arg_value(args, "enable");
    g_autoptr(GString) unavailable = NULL;

    if (mon->negotiated) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return false;
    }
    /* QEMU's QMPCapability has one value, "oob", which qomu does not
     * offer: any capability asked for is unavailable. */
    for (gsize i = 0; enable && i < g_variant_n_children(enable); i++) {
        g_autoptr(GVariant) v = g_variant_get_child_value(enable, i);
        g_autoptr(GVariant) s = g_variant_get_variant(v);
        const char *cap = g_variant_get_string(s, NULL);

        if (strcmp(cap, "oob")) {
            error_setg(errp, "Parameter 'null' does not accept value '%s'",
                       cap);
            return false;
        }
        if (!unavailable) {
            unavailable = g_string_new(cap);
        } else {
            g_string_append_printf(unavailable, ", %s", cap);
        }
    }
    if (unavailable) {
        error_setg(errp, "Capability %s not available", unavailable->str);
        return false;
    }
    mon->negotiated = true;
    return true;
}

/* --- events --------------------------------------------------------- */

void monitor_qapi_event_emit(const char *event, GVariant *data)
{
    gint64 now = g_get_real_time();
    QmpDict ts, ev;
    g_autoptr(GVariant) msg = NULL;

    if (data) {
        g_variant_ref_sink(data);
    }
    /* QEMU's qmp_event_build_dict(): event, timestamp, then data. */
    qmp_dict_init(&ts);
    qmp_dict_add_int(&ts, "seconds", now / G_USEC_PER_SEC);
    qmp_dict_add_int(&ts, "microseconds", now % G_USEC_PER_SEC);
    qmp_dict_init(&ev);
    qmp_dict_add_str(&ev, "event", event);
    qmp_dict_add(&ev, "timestamp", qmp_dict_end(&ts));
    if (data) {
        qmp_dict_add(&ev, "data", data);
    }
    msg = g_variant_ref_sink(qmp_dict_end(&ev));
    for (GList *l = monitor_list(); l; l = l->next) {
        Monitor *m = l->data;

        if (m->is_qmp && ((MonitorQMP *)m)->negotiated) {
            qmp_send((MonitorQMP *)m, msg);
        }
    }
    if (data) {
        g_variant_unref(data);
    }
}

/* --- connection ----------------------------------------------------- */

static void reply_free(gpointer p)
{
    g_string_free(p, true);
}

/* Forget the client's requests and replies, and its half-sent input. */
static void qmp_forget_client(MonitorQMP *mon)
{
    g_queue_clear_full(&mon->requests, qmp_request_free);
    g_queue_clear_full(&mon->replies, reply_free);
    qmp_json_reader_reset(mon->reader);
    mon->negotiated = false;
}

static void qmp_event(void *opaque, QEMUChrEvent event)
{
    MonitorQMP *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        qmp_forget_client(mon);
        monitor_reset_output(&mon->common);
        qmp_send_greeting(mon);
        break;
    case CHR_EVENT_CLOSED: {
        /* A client that left mid-command: its reply has nowhere to go.
         * Events still do (QEMU): stdio's stdout outlives its stdin. */
        bool negotiated = mon->negotiated;

        qmp_forget_client(mon);
        mon->negotiated = negotiated;
        monitor_reset_output(&mon->common);
        break;
    }
    default:
        break;
    }
}

static void qmp_destroy(Monitor *common)
{
    MonitorQMP *mon = (MonitorQMP *)common;

    qemu_chr_fe_set_handlers(&common->chr, NULL, NULL, NULL, NULL, true);
    /* Replies already earned go out (QEMU's monitor_cleanup flushes the
     * dispatcher: the reply to "quit" follows SHUTDOWN). */
    while (!g_queue_is_empty(&mon->replies)) {
        GString *reply = g_queue_pop_head(&mon->replies);

        monitor_puts(common, reply->str);
        g_string_free(reply, true);
    }
    g_queue_clear_full(&mon->requests, qmp_request_free);
    qomu_bh_delete(mon->dispatch_bh);
    mon->dispatch_bh = NULL;
    qmp_json_reader_free(mon->reader);
    mon->reader = NULL;
}

bool monitor_init_qmp(Chardev *chr, bool pretty, Error **errp)
{
    MonitorQMP *mon = g_new0(MonitorQMP, 1);

    if (!monitor_data_init(&mon->common, chr, true, errp)) {
        g_free(mon);
        return false;
    }
    monitor_events_init();
    mon->pretty = pretty;
    mon->reader = qmp_json_reader_new(QMP_JSON_MAX_VALUE_SIZE);
    g_queue_init(&mon->requests);
    g_queue_init(&mon->replies);
    mon->dispatch_bh = qomu_bh_new(qmp_dispatch_bh, mon);
    mon->common.update_input = qmp_update_input;
    mon->common.destroy = qmp_destroy;
    /* Sends the greeting now if the chardev is open (stdio). */
    qemu_chr_fe_set_handlers(&mon->common.chr, qmp_can_read, qmp_read,
                             qmp_event, mon, true);
    return true;
}
