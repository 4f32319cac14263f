/*
 * json-streamer.h - QMP's JSON front end, private to monitor/: splitting a
 * byte stream into JSON values and checking each one exactly as QEMU 7.2
 * does (qobject/json-lexer.c, json-streamer.c, json-parser.c), so that
 * every malformed input gets QEMU's message ("JSON parse error, ...").
 *
 * The streamer does not build values: a value that passes is handed on
 * as standard JSON text ("normalized": double-quoted strings, escapes
 * decoded and re-encoded, every number replaced by 0) plus its numbers,
 * already converted as QEMU converts them, in document order.  The QMP
 * codec (qmp-json.c) then lets json-glib build the value from that text
 * and puts the numbers back.  Why numbers travel apart: json-glib reads
 * every integer as a gint64 and silently wraps larger ones.
 *
 * Limits, as QEMU's: a value's tokens may not exceed @max_size bytes
 * ("JSON token size limit exceeded"), nesting is limited to 1024
 * ("JSON nesting depth limit exceeded").  After any error the streamer
 * starts afresh with the following input, as QEMU's does (the lexer
 * skips to the next structural character first).
 *
 * Not modelled: QEMU's '%' interpolation (only its internal callers use
 * it) and the token count limit (unreachable under qomu's size limit).
 */
#ifndef MONITOR_JSON_STREAMER_H
#define MONITOR_JSON_STREAMER_H

#include "util/osdep.h"
#include "util/error.h"

/* QEMU's MAX_NESTING. */
#define JSON_MAX_NESTING 1024

typedef struct JsonStreamer JsonStreamer;

/*
 * Called once per complete value or error, in input order.  Exactly one
 * of @json (with @numbers: GVariant * "x", "t" or "d", one per number in
 * @json) and @err is set; the callee owns all three.
 */
typedef void JsonEmitFn(void *opaque, GString *json, GPtrArray *numbers,
                        Error *err);

JsonStreamer *json_streamer_new(size_t max_size, JsonEmitFn *emit,
                                void *opaque);
void json_streamer_free(JsonStreamer *s);

/* Lex one more byte (values it completes are emitted before return). */
void json_streamer_feed_char(JsonStreamer *s, char ch);
/* End of input: finish a pending token and value (QEMU's flush). */
void json_streamer_flush(JsonStreamer *s);
/* Forget everything pending (a client went away). */
void json_streamer_reset(JsonStreamer *s);

/*
 * QEMU's mod_utf8_codepoint(): decode the UTF-8 sequence at @s (at most
 * @n bytes); *@end points past it.  Returns the code point, or -1 for an
 * invalid sequence, a surrogate, a noncharacter or an overlong form
 * (QEMU accepts "\xC0\x80" as U+0000; so does this).
 */
int json_utf8_codepoint(const char *s, size_t n, const char **end);

#endif /* MONITOR_JSON_STREAMER_H */
