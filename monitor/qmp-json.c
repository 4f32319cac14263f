/*
 * qmp-json.c - the QMP codec, the one place json-glib is used.  See
 * include/monitor/qmp-json.h.
 *
 * Reading: json-streamer.c frames and checks each value with QEMU's
 * rules and hands over standard JSON with its numbers set apart;
 * json-glib's JsonParser builds the tree, which becomes a GVariant with
 * the numbers put back in document order.
 * Writing: QEMU's json-writer.c layout (json-glib's generator differs in
 * spacing, escapes non-ASCII differently and prints 1e3 as "1000.0").
 */
#include "util/osdep.h"
#include <json-glib/json-glib.h>
#include "monitor/qmp-json.h"
#include "json-streamer.h"

/* Raw input buffered ahead of the lexer (the reader's read size). */
#define QMP_JSON_READ_BUF 4096

struct QmpJsonReader {
    JsonStreamer *streamer;
    GByteArray *in;             /* fed, not yet lexed */
    guint in_pos;               /* lexed up to here */
    GQueue results;             /* QmpJsonResult *, complete, in order */
};

typedef struct QmpJsonResult {
    GVariant *value;
    Error *err;
} QmpJsonResult;

/* --- json-glib tree -> GVariant --------------------------------------- */

typedef struct NumberCursor {
    GPtrArray *numbers;
    guint next;
} NumberCursor;

static GVariant *node_to_variant(JsonNode *node, NumberCursor *nums)
{
    GVariantBuilder b;

    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT: {
        JsonObjectIter iter;
        const char *key;
        JsonNode *member;

        g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
        json_object_iter_init_ordered(&iter, json_node_get_object(node));
        while (json_object_iter_next_ordered(&iter, &key, &member)) {
            g_variant_builder_add(&b, "{sv}", key,
                                  node_to_variant(member, nums));
        }
        return g_variant_builder_end(&b);
    }
    case JSON_NODE_ARRAY: {
        JsonArray *array = json_node_get_array(node);
        guint n = json_array_get_length(array);

        g_variant_builder_init(&b, G_VARIANT_TYPE("av"));
        for (guint i = 0; i < n; i++) {
            g_variant_builder_add(&b, "v", node_to_variant(
                json_array_get_element(array, i), nums));
        }
        return g_variant_builder_end(&b);
    }
    case JSON_NODE_NULL:
        return g_variant_new_maybe(G_VARIANT_TYPE_VARIANT, NULL);
    case JSON_NODE_VALUE:
    default:
        break;
    }
    switch (json_node_get_value_type(node) == G_TYPE_BOOLEAN ? 'b' :
            json_node_get_value_type(node) == G_TYPE_STRING ? 's' : 'n') {
    case 'b':
        return g_variant_new_boolean(json_node_get_boolean(node));
    case 's':
        return g_variant_new_string(json_node_get_string(node));
    default:
        /* A number: the streamer replaced each by 0, in order. */
        assert(nums->next < nums->numbers->len);
        return nums->numbers->pdata[nums->next++];
    }
}

/* The streamer's callback: build the value and queue it. */
static void reader_emit(void *opaque, GString *json, GPtrArray *numbers,
                        Error *err)
{
    QmpJsonReader *r = opaque;
    QmpJsonResult *res = g_new0(QmpJsonResult, 1);

    if (err) {
        res->err = err;
    } else {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        GError *gerr = NULL;
        NumberCursor nums = { numbers, 0 };

        /* The text is standard JSON by construction: a failure here is
         * a bug in the streamer, reported rather than hidden. */
        if (json_parser_load_from_data(parser, json->str, json->len,
                                       &gerr)) {
            res->value = g_variant_ref_sink(
                node_to_variant(json_parser_get_root(parser), &nums));
        } else {
            error_setg(&res->err, "JSON parse error, %s", gerr->message);
            g_error_free(gerr);
        }
        g_string_free(json, true);
        g_ptr_array_unref(numbers);
    }
    g_queue_push_tail(&r->results, res);
}

/* --- the reader ------------------------------------------------------- */

QmpJsonReader *qmp_json_reader_new(size_t max_value_size)
{
    QmpJsonReader *r = g_new0(QmpJsonReader, 1);

    r->streamer = json_streamer_new(max_value_size, reader_emit, r);
    r->in = g_byte_array_new();
    g_queue_init(&r->results);
    return r;
}

static void result_free(gpointer p)
{
    QmpJsonResult *res = p;

    if (res->value) {
        g_variant_unref(res->value);
    }
    error_free(res->err);
    g_free(res);
}

void qmp_json_reader_reset(QmpJsonReader *r)
{
    json_streamer_reset(r->streamer);
    g_byte_array_set_size(r->in, 0);
    r->in_pos = 0;
    g_queue_clear_full(&r->results, result_free);
}

void qmp_json_reader_free(QmpJsonReader *r)
{
    if (r) {
        qmp_json_reader_reset(r);
        json_streamer_free(r->streamer);
        g_byte_array_unref(r->in);
        g_free(r);
    }
}

size_t qmp_json_reader_space(QmpJsonReader *r)
{
    guint pending = r->in->len - r->in_pos;

    return pending >= QMP_JSON_READ_BUF ? 0 : QMP_JSON_READ_BUF - pending;
}

void qmp_json_reader_feed(QmpJsonReader *r, const void *buf, size_t len)
{
    if (r->in_pos == r->in->len) {
        g_byte_array_set_size(r->in, 0);
        r->in_pos = 0;
    }
    g_byte_array_append(r->in, buf, len);
}

void qmp_json_reader_flush(QmpJsonReader *r)
{
    /* Lex what is buffered first: flushing applies after it. */
    while (r->in_pos < r->in->len) {
        json_streamer_feed_char(r->streamer, r->in->data[r->in_pos++]);
    }
    json_streamer_flush(r->streamer);
}

bool qmp_json_reader_next(QmpJsonReader *r, GVariant **value, Error **errp)
{
    QmpJsonResult *res;

    /* Lex only until a result appears: the rest waits (back-pressure). */
    while (g_queue_is_empty(&r->results) && r->in_pos < r->in->len) {
        json_streamer_feed_char(r->streamer, r->in->data[r->in_pos++]);
    }
    res = g_queue_pop_head(&r->results);
    if (!res) {
        return false;
    }
    *value = res->value;
    if (res->err) {
        error_propagate(errp, res->err);
    }
    g_free(res);
    return true;
}

GVariant *qmp_json_parse(const char *text, Error **errp)
{
    QmpJsonReader *r = qmp_json_reader_new(QMP_JSON_MAX_VALUE_SIZE);
    GVariant *result = NULL, *value;
    Error *err = NULL, *one = NULL;

    g_byte_array_append(r->in, (const guint8 *)text, strlen(text));
    qmp_json_reader_flush(r);
    /* QEMU's consume_json(): the first error wins; a second value is an
     * error of its own. */
    while (qmp_json_reader_next(r, &value, &one)) {
        if (result) {
            g_clear_pointer(&result, g_variant_unref);
            error_setg(&err, "Expecting at most one JSON value");
        }
        if (err) {
            if (value) {
                g_variant_unref(value);
            }
            error_free(one);
        } else {
            result = value;
            err = one;
        }
        one = NULL;
    }
    qmp_json_reader_free(r);
    if (!result && !err) {
        error_setg(&err, "JSON parse error, expecting value");
    }
    error_propagate(errp, err);
    return result;
}

/* --- writing: QEMU's json-writer.c ------------------------------------ */

/* QEMU's qdict.c tdb_hash() and bucket count. */
#define QDICT_BUCKET_MAX 512

static unsigned qdict_bucket(const char *name)
{
    unsigned value = 0x238F13AF * strlen(name);

    for (unsigned i = 0; name[i]; i++) {
        value += (unsigned)(unsigned char)name[i] << (i * 5 % 24);
    }
    return (1103515243 * value + 12345) % QDICT_BUCKET_MAX;
}

typedef struct DictSlot {
    unsigned bucket;
    guint index;
} DictSlot;

static int dict_slot_cmp(gconstpointer a, gconstpointer b)
{
    const DictSlot *x = a, *y = b;

    if (x->bucket != y->bucket) {
        return x->bucket < y->bucket ? -1 : 1;
    }
    /* QLIST_INSERT_HEAD: the newest entry of a bucket comes first. */
    return x->index > y->index ? -1 : x->index < y->index;
}

GArray *qmp_json_dict_order(GVariant *dict)
{
    gsize n = g_variant_n_children(dict);
    g_autofree DictSlot *slots = g_new(DictSlot, n ? n : 1);
    GArray *order = g_array_sized_new(false, false, sizeof(guint), n);

    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) entry = g_variant_get_child_value(dict, i);
        g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);

        slots[i].bucket = qdict_bucket(g_variant_get_string(key, NULL));
        slots[i].index = i;
    }
    qsort(slots, n, sizeof(*slots), dict_slot_cmp);
    for (gsize i = 0; i < n; i++) {
        g_array_append_val(order, slots[i].index);
    }
    return order;
}

typedef struct JsonWriter {
    GString *out;
    gsize start;                /* where our text begins in @out */
    bool pretty;
    int depth;                  /* containers open */
    bool need_comma;            /* a value precedes in this container */
} JsonWriter;

static void pretty_newline(JsonWriter *w)
{
    if (w->pretty) {
        g_string_append_printf(w->out, "\n%*s", 4 * w->depth, "");
    }
}

/* QEMU's maybe_comma_before_value(). */
static void before_value(JsonWriter *w)
{
    if (w->need_comma) {
        g_string_append_c(w->out, ',');
        if (w->pretty) {
            pretty_newline(w);
        } else {
            g_string_append_c(w->out, ' ');
        }
    } else {
        if (w->out->len > w->start) {
            pretty_newline(w);
        }
        w->need_comma = true;
    }
}

/* QEMU's quoted_str(): ASCII out, \uXXXX (upper case) for the rest. */
static void write_string(JsonWriter *w, const char *str)
{
    const char *end;

    g_string_append_c(w->out, '"');
    for (const char *p = str; *p; p = end) {
        int cp = json_utf8_codepoint(p, 6, &end);

        switch (cp) {
        case '"':
            g_string_append(w->out, "\\\"");
            break;
        case '\\':
            g_string_append(w->out, "\\\\");
            break;
        case '\b':
            g_string_append(w->out, "\\b");
            break;
        case '\f':
            g_string_append(w->out, "\\f");
            break;
        case '\n':
            g_string_append(w->out, "\\n");
            break;
        case '\r':
            g_string_append(w->out, "\\r");
            break;
        case '\t':
            g_string_append(w->out, "\\t");
            break;
        default:
            if (cp < 0) {
                cp = 0xFFFD;    /* replacement character */
                if (end == p) {
                    end = p + 1;
                }
            }
            if (cp > 0xFFFF) {
                g_string_append_printf(w->out, "\\u%04X\\u%04X",
                                       0xD800 + ((cp - 0x10000) >> 10),
                                       0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else if (cp < 0x20 || cp >= 0x7F) {
                g_string_append_printf(w->out, "\\u%04X", cp);
            } else {
                g_string_append_c(w->out, cp);
            }
        }
    }
    g_string_append_c(w->out, '"');
}

static bool is_object_type(const GVariantType *t)
{
    return g_variant_type_is_array(t) &&
           g_variant_type_is_dict_entry(g_variant_type_element(t)) &&
           g_variant_type_equal(g_variant_type_key(
                                    g_variant_type_element(t)),
                                G_VARIANT_TYPE_STRING);
}

/* Numbers, booleans and strings. */
static void write_scalar(JsonWriter *w, GVariant *v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    switch (g_variant_classify(v)) {
    case G_VARIANT_CLASS_BOOLEAN:
        g_string_append(w->out, g_variant_get_boolean(v) ? "true" : "false");
        break;
    case G_VARIANT_CLASS_BYTE:
        g_string_append_printf(w->out, "%u", g_variant_get_byte(v));
        break;
    case G_VARIANT_CLASS_INT16:
        g_string_append_printf(w->out, "%d", g_variant_get_int16(v));
        break;
    case G_VARIANT_CLASS_UINT16:
        g_string_append_printf(w->out, "%u", g_variant_get_uint16(v));
        break;
    case G_VARIANT_CLASS_INT32:
        g_string_append_printf(w->out, "%d", g_variant_get_int32(v));
        break;
    case G_VARIANT_CLASS_UINT32:
        g_string_append_printf(w->out, "%u", g_variant_get_uint32(v));
        break;
    case G_VARIANT_CLASS_INT64:
        g_string_append_printf(w->out, "%" PRId64, g_variant_get_int64(v));
        break;
    case G_VARIANT_CLASS_UINT64:
        g_string_append_printf(w->out, "%" PRIu64, g_variant_get_uint64(v));
        break;
    case G_VARIANT_CLASS_HANDLE:
        g_string_append_printf(w->out, "%d", g_variant_get_handle(v));
        break;
    case G_VARIANT_CLASS_DOUBLE:
        /* QEMU's "%.17g", in the C locale whatever ours is. */
        g_string_append(w->out, g_ascii_formatd(buf, sizeof(buf), "%.17g",
                                                g_variant_get_double(v)));
        break;
    default:    /* strings, object paths, signatures */
        write_string(w, g_variant_get_string(v, NULL));
        break;
    }
}

/* One value, as member @key of the enclosing object (or NULL). */
static void write_any(JsonWriter *w, const char *key, GVariant *v)
{
    g_autoptr(GVariant) inner = NULL;
    bool object;
    gsize n;

    /* Variants and maybes are transparent: write what they hold. */
    while (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT) ||
           g_variant_type_is_maybe(g_variant_get_type(v))) {
        GVariant *next = g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)
                         ? g_variant_get_variant(v) : g_variant_get_maybe(v);

        g_clear_pointer(&inner, g_variant_unref);
        if (!next) {
            break;              /* null */
        }
        inner = next;
        v = next;
    }
    before_value(w);
    if (key) {
        write_string(w, key);
        g_string_append(w->out, ": ");
    }
    if (g_variant_type_is_maybe(g_variant_get_type(v))) {
        g_string_append(w->out, "null");
        w->need_comma = true;
        return;
    }
    if (g_variant_type_is_basic(g_variant_get_type(v))) {
        write_scalar(w, v);
        w->need_comma = true;
        return;
    }

    /* Containers: QEMU's json_writer_start/end_object/list. */
    object = is_object_type(g_variant_get_type(v));
    n = g_variant_n_children(v);
    g_string_append_c(w->out, object ? '{' : '[');
    w->depth++;
    w->need_comma = false;
    if (object) {
        g_autoptr(GArray) order = qmp_json_dict_order(v);

        for (gsize i = 0; i < n; i++) {
            g_autoptr(GVariant) entry = g_variant_get_child_value(
                v, g_array_index(order, guint, i));
            g_autoptr(GVariant) k = g_variant_get_child_value(entry, 0);
            g_autoptr(GVariant) value = g_variant_get_child_value(entry, 1);

            write_any(w, g_variant_get_string(k, NULL), value);
        }
    } else {
        for (gsize i = 0; i < n; i++) {
            g_autoptr(GVariant) child = g_variant_get_child_value(v, i);

            write_any(w, NULL, child);
        }
    }
    w->depth--;
    if (w->need_comma) {
        pretty_newline(w);
    }
    g_string_append_c(w->out, object ? '}' : ']');
    w->need_comma = true;
}

void qmp_json_append(GString *out, GVariant *value, bool pretty)
{
    JsonWriter w = { .out = out, .start = out->len, .pretty = pretty };

    write_any(&w, NULL, value);
}

char *qmp_json_to_string(GVariant *value, bool pretty)
{
    GString *out = g_string_new(NULL);

    qmp_json_append(out, value, pretty);
    return g_string_free(out, false);
}
