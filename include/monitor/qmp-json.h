/*
 * qmp-json.h - the QMP codec: JSON text <-> GVariant, as QEMU 7.2 reads
 * and writes QMP (qobject/json-*.c, qobject/qjson.c).  monitor/qmp-json.c
 * is the only user of json-glib in qomu; everything else in the monitor
 * works on GVariants:
 *
 *   JSON          GVariant
 *   object        a{sv}, members in document order (duplicates refused)
 *   array         av
 *   string        s
 *   integer       x, or t if above INT64_MAX (QEMU's QNum rules)
 *   float         d (and integers beyond uint64)
 *   true/false    b
 *   null          mv (nothing)
 *
 * Reading: a streaming reader that accepts bytes as they arrive (a value
 * may be split across reads, several may come in one) and yields each
 * complete value or QEMU's error for it ("JSON parse error, ...").
 * Writing: QEMU's wire format byte for byte: ", " and ": " separators,
 * members in the order QEMU's QDict would list them (its hash order, so
 * that {"return": {}, "id": 1} and {"id": 1, "error": ...} come out as
 * QEMU's do), non-ASCII as \uXXXX, floats as %.17g; "pretty" is QEMU's
 * 4-space layout used by HMP qom-get and -qmp-pretty.
 *
 * Threads: a reader belongs to its caller; the functions have no state.
 */
#ifndef MONITOR_QMP_JSON_H
#define MONITOR_QMP_JSON_H

#include "util/osdep.h"
#include "util/error.h"

/* QEMU allows 64 MiB per value; qomu, whose commands are all small,
 * 1 MiB.  A larger value is refused with QEMU's message. */
#define QMP_JSON_MAX_VALUE_SIZE (1024 * 1024)

typedef struct QmpJsonReader QmpJsonReader;

/* A reader whose values may hold up to @max_value_size bytes of tokens. */
QmpJsonReader *qmp_json_reader_new(size_t max_value_size);
void qmp_json_reader_free(QmpJsonReader *r);
/* Forget buffered input and any partial value (client disconnected). */
void qmp_json_reader_reset(QmpJsonReader *r);

/* How many more bytes qmp_json_reader_feed() takes now (bounded buffer:
 * 0 until qmp_json_reader_next() has consumed what is buffered). */
size_t qmp_json_reader_space(QmpJsonReader *r);
/* Buffer @len bytes (at most qmp_json_reader_space()). */
void qmp_json_reader_feed(QmpJsonReader *r, const void *buf, size_t len);
/* End of input: what is buffered is complete (QEMU's flush). */
void qmp_json_reader_flush(QmpJsonReader *r);

/**
 * qmp_json_reader_next: the next complete value.  Returns false if more
 * input is needed; else true with either *@value (a new reference) or
 * *@errp set.  Only as much input is consumed as that value needed, so a
 * caller that stops calling applies back-pressure.
 */
bool qmp_json_reader_next(QmpJsonReader *r, GVariant **value,
                          Error **errp);

/**
 * qmp_json_parse: one value from a complete string (QEMU's
 * qobject_from_json: "Expecting at most one JSON value" if there are
 * more, "JSON parse error, expecting value" if there is none).
 * Returns a new reference or NULL with @errp set.
 */
GVariant *qmp_json_parse(const char *text, Error **errp);

/* Append @value's JSON (compact, or QEMU's pretty layout) to @out. */
void qmp_json_append(GString *out, GVariant *value, bool pretty);
/* The same as a new string (g_free). */
char *qmp_json_to_string(GVariant *value, bool pretty);

/*
 * The keys of the dictionary @dict (a{s*}) in the order QEMU 7.2's QDict
 * iterates them (a 512-bucket hash; within a bucket, newest first), as
 * indices into @dict.  QMP's checks report the first offending member
 * in this order, as QEMU does.  g_array_unref the result (guint).
 */
GArray *qmp_json_dict_order(GVariant *dict);

#endif /* MONITOR_QMP_JSON_H */
