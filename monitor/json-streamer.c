/*
 * json-streamer.c - QMP's JSON lexer, streamer and checking parser, with
 * QEMU 7.2's exact behaviour and messages.  See json-streamer.h.
 *
 * Three stages, as in QEMU:
 *  1. the lexer (a table-driven DFA, the same automaton as QEMU's
 *     json-lexer.c) turns bytes into tokens; besides RFC 8259 it accepts
 *     QEMU's extensions: single-quoted strings and the \' escape;
 *  2. the streamer counts braces and brackets and hands a complete group
 *     of tokens on when they balance (or go negative), enforcing limits;
 *  3. the parser walks the group as QEMU's recursive descent does, so
 *     the first error is QEMU's first error, and writes the normalized
 *     text the codec gives json-glib.
 */
#include "util/osdep.h"
#include "json-streamer.h"

/* --- tokens ----------------------------------------------------------- */

/*
 * Lexer states and token types share one number space, as in QEMU:
 * JSON_ERROR is 0 (the default of the table), states are small, token
 * types start at 100, and LOOKAHEAD marks a transition that does not
 * consume the character (it ends the token before it).
 */
enum {
    JSON_ERROR = 0,
    IN_RECOVERY,
    IN_DQ_STRING_ESCAPE,
    IN_DQ_STRING,
    IN_SQ_STRING_ESCAPE,
    IN_SQ_STRING,
    IN_ZERO,
    IN_EXP_DIGITS,
    IN_EXP_SIGN,
    IN_EXP_E,
    IN_MANTISSA,
    IN_MANTISSA_DIGITS,
    IN_DIGITS,
    IN_SIGN,
    IN_KEYWORD,
    IN_START,
    JSON_LCURLY = 100,
    JSON_RCURLY,
    JSON_LSQUARE,
    JSON_RSQUARE,
    JSON_COLON,
    JSON_COMMA,
    JSON_INTEGER,
    JSON_FLOAT,
    JSON_KEYWORD,
    JSON_STRING,
};

#define LOOKAHEAD 0x80
#define TERMINAL(state) [0 ... 0xFF] = ((state) | LOOKAHEAD)

/*
 * The table relies on later designated initializers overriding a range
 * given first ([0x20 ... 0xFD] then the special characters), as QEMU's
 * does; -Wextra warns about exactly that.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const uint8_t json_lexer[][256] = {
    /*
     * After an error, skip to a structural character, an ASCII control
     * character other than tab, or the impossible bytes 0xFE/0xFF: the
     * points where a client can resynchronise (QEMU's IN_RECOVERY).
     */
    [IN_RECOVERY] = {
        [0 ... 0x1F] = IN_START | LOOKAHEAD,
        [0x20 ... 0xFD] = IN_RECOVERY,
        [0xFE ... 0xFF] = IN_START | LOOKAHEAD,
        ['\t'] = IN_RECOVERY,
        ['['] = IN_START | LOOKAHEAD,
        [']'] = IN_START | LOOKAHEAD,
        ['{'] = IN_START | LOOKAHEAD,
        ['}'] = IN_START | LOOKAHEAD,
        [':'] = IN_START | LOOKAHEAD,
        [','] = IN_START | LOOKAHEAD,
    },
    [IN_DQ_STRING_ESCAPE] = { [0x20 ... 0xFD] = IN_DQ_STRING },
    [IN_DQ_STRING] = {
        [0x20 ... 0xFD] = IN_DQ_STRING,
        ['\\'] = IN_DQ_STRING_ESCAPE,
        ['"'] = JSON_STRING,
    },
    [IN_SQ_STRING_ESCAPE] = { [0x20 ... 0xFD] = IN_SQ_STRING },
    [IN_SQ_STRING] = {
        [0x20 ... 0xFD] = IN_SQ_STRING,
        ['\\'] = IN_SQ_STRING_ESCAPE,
        ['\''] = JSON_STRING,
    },
    [IN_ZERO] = {
        TERMINAL(JSON_INTEGER),
        ['0' ... '9'] = JSON_ERROR,
        ['a' ... 'z'] = JSON_ERROR,
        ['A' ... 'Z'] = JSON_ERROR,
        ['.'] = IN_MANTISSA,
        ['e'] = IN_EXP_E,
        ['E'] = IN_EXP_E,
    },
    [IN_EXP_DIGITS] = {
        TERMINAL(JSON_FLOAT),
        ['0' ... '9'] = IN_EXP_DIGITS,
    },
    [IN_EXP_SIGN] = { ['0' ... '9'] = IN_EXP_DIGITS },
    [IN_EXP_E] = {
        ['-'] = IN_EXP_SIGN,
        ['+'] = IN_EXP_SIGN,
        ['0' ... '9'] = IN_EXP_DIGITS,
    },
    [IN_MANTISSA_DIGITS] = {
        TERMINAL(JSON_FLOAT),
        ['0' ... '9'] = IN_MANTISSA_DIGITS,
        ['e'] = IN_EXP_E,
        ['E'] = IN_EXP_E,
    },
    [IN_MANTISSA] = { ['0' ... '9'] = IN_MANTISSA_DIGITS },
    [IN_DIGITS] = {
        TERMINAL(JSON_INTEGER),
        ['0' ... '9'] = IN_DIGITS,
        ['e'] = IN_EXP_E,
        ['E'] = IN_EXP_E,
        ['.'] = IN_MANTISSA,
    },
    [IN_SIGN] = {
        ['0'] = IN_ZERO,
        ['1' ... '9'] = IN_DIGITS,
    },
    [IN_KEYWORD] = {
        TERMINAL(JSON_KEYWORD),
        ['a' ... 'z'] = IN_KEYWORD,
    },
    [IN_START] = {
        ['"'] = IN_DQ_STRING,
        ['\''] = IN_SQ_STRING,
        ['0'] = IN_ZERO,
        ['1' ... '9'] = IN_DIGITS,
        ['-'] = IN_SIGN,
        ['{'] = JSON_LCURLY,
        ['}'] = JSON_RCURLY,
        ['['] = JSON_LSQUARE,
        [']'] = JSON_RSQUARE,
        [','] = JSON_COMMA,
        [':'] = JSON_COLON,
        ['a' ... 'z'] = IN_KEYWORD,
        [' '] = IN_START,
        ['\t'] = IN_START,
        ['\r'] = IN_START,
        ['\n'] = IN_START,
    },
};
#pragma GCC diagnostic pop

typedef struct JsonToken {
    int type;                   /* JSON_LCURLY ... JSON_STRING */
    char *str;                  /* the token's text, as lexed */
} JsonToken;

struct JsonStreamer {
    /* lexer */
    int state;
    GString *token;             /* the token being lexed */
    /* streamer */
    GPtrArray *tokens;          /* JsonToken *, the value being collected */
    int brace_count;
    int bracket_count;
    size_t token_size;          /* bytes of token text in @tokens */
    size_t max_size;
    JsonEmitFn *emit;
    void *opaque;
};

static void json_token_free(gpointer p)
{
    JsonToken *t = p;

    g_free(t->str);
    g_free(t);
}

/* --- UTF-8 (QEMU's util/unicode.c) ------------------------------------ */

static bool is_valid_codepoint(int codepoint)
{
    if ((unsigned)codepoint > 0x10FFFFu) {
        return false;           /* beyond Unicode, or -1 */
    }
    if ((codepoint >= 0xFDD0 && codepoint <= 0xFDEF) ||
        (codepoint & 0xFFFE) == 0xFFFE) {
        return false;           /* noncharacter */
    }
    if (codepoint >= 0xD800 && codepoint <= 0xDFFF) {
        return false;           /* surrogate */
    }
    return true;
}

int json_utf8_codepoint(const char *s, size_t n, const char **end)
{
    static const int min_cp[5] = { 0x80, 0x800, 0x10000, 0x200000,
                                   0x4000000 };
    const unsigned char *p = (const unsigned char *)s;
    unsigned byte, mask, len;
    int cp;

    if (n == 0 || *s == 0) {
        *end = s;
        return -1;
    }
    byte = *p++;
    if (byte < 0x80) {
        cp = byte;
    } else if (byte >= 0xFE || (byte & 0x40) == 0) {
        cp = -1;                /* impossible byte, stray continuation */
    } else {
        len = 0;
        for (mask = 0x80; byte & mask; mask >>= 1) {
            len++;
        }
        cp = byte & (mask - 1);
        for (unsigned i = 1; i < len; i++) {
            byte = i < n ? *p : 0;
            if ((byte & 0xC0) != 0x80) {
                cp = -1;        /* continuation byte missing */
                goto out;
            }
            p++;
            cp = (cp << 6) | (byte & 0x3F);
        }
        if (!is_valid_codepoint(cp)) {
            cp = -1;
        } else if (cp < min_cp[len - 2] && !(cp == 0 && len == 2)) {
            cp = -1;            /* overlong, other than "\xC0\x80" */
        }
    }
out:
    *end = (const char *)p;
    return cp;
}

/* Append @cp as UTF-8; false if it is not a valid code point. */
static bool utf8_append(GString *out, int cp)
{
    if (!is_valid_codepoint(cp)) {
        return false;
    }
    g_string_append_unichar(out, cp);
    return true;
}

/* --- the parser: QEMU's json-parser.c, checking and normalizing ------- */

typedef struct JsonParser {
    JsonToken **tokens;
    guint n;
    guint pos;
    Error *err;                 /* the first error; later ones are dropped */
    GString *out;               /* normalized JSON */
    GPtrArray *numbers;         /* GVariant * */
} JsonParser;

static void G_GNUC_PRINTF(2, 3) parse_error(JsonParser *p, const char *fmt,
                                            ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (p->err) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(&p->err, "JSON parse error, %s", msg);
}

static JsonToken *peek_token(JsonParser *p)
{
    return p->pos < p->n ? p->tokens[p->pos] : NULL;
}

static JsonToken *pop_token(JsonParser *p)
{
    return p->pos < p->n ? p->tokens[p->pos++] : NULL;
}

static bool parse_value(JsonParser *p, GString **string);

/* QEMU's cvt4hex: four hex digits, or -1. */
static int cvt4hex(const char *s)
{
    int cp = 0;

    for (int i = 0; i < 4; i++) {
        if (!g_ascii_isxdigit(s[i])) {
            return -1;
        }
        cp = (cp << 4) | g_ascii_xdigit_value(s[i]);
    }
    return cp;
}

/*
 * QEMU's parse_string(): decode @token (quotes included) into a new
 * GString, or NULL with the parse error set.  One deviation: U+0000
 * (QEMU keeps it as modified UTF-8 "\xC0\x80") is refused, because a
 * GVariant string cannot hold it; "\u0000" gets QEMU's message for an
 * invalid character, a raw "\xC0\x80" the one for invalid UTF-8.
 */
static GString *parse_string(JsonParser *p, JsonToken *token)
{
    const char *ptr = token->str;
    GString *str = g_string_new(NULL);
    char quote = *ptr++;

    while (*ptr != quote) {
        const char *beg = ptr;
        int cp, trailing;

        if (*ptr != '\\') {
            const char *end;

            cp = json_utf8_codepoint(ptr, 6, &end);
            if (cp <= 0) {
                parse_error(p, "invalid UTF-8 sequence in string");
                goto fail;
            }
            ptr = end;
            utf8_append(str, cp);
            continue;
        }
        ptr++;
        switch (*ptr++) {
        case '"':
            g_string_append_c(str, '"');
            break;
        case '\'':
            g_string_append_c(str, '\'');
            break;
        case '\\':
            g_string_append_c(str, '\\');
            break;
        case '/':
            g_string_append_c(str, '/');
            break;
        case 'b':
            g_string_append_c(str, '\b');
            break;
        case 'f':
            g_string_append_c(str, '\f');
            break;
        case 'n':
            g_string_append_c(str, '\n');
            break;
        case 'r':
            g_string_append_c(str, '\r');
            break;
        case 't':
            g_string_append_c(str, '\t');
            break;
        case 'u':
            /* The lexer guarantees the closing quote, so 4 bytes of
             * text follow unless the string ends first: stop there. */
            cp = strnlen(ptr, 4) == 4 ? cvt4hex(ptr) : -1;
            ptr += strnlen(ptr, 4);
            if (cp >= 0xD800 && cp <= 0xDBFF && ptr[0] == '\\' &&
                ptr[1] == 'u') {
                cp = 0x10000 + ((cp & 0x3FF) << 10);
                trailing = strnlen(ptr + 2, 4) == 4 ? cvt4hex(ptr + 2) : -1;
                if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
                    cp |= trailing & 0x3FF;
                    ptr += 6;
                } else {
                    cp = -1;
                }
            }
            if (cp == 0 || !utf8_append(str, cp)) {
                parse_error(p, "%.*s is not a valid Unicode character",
                            (int)(ptr - beg), beg);
                goto fail;
            }
            break;
        default:
            parse_error(p, "invalid escape sequence in string");
            goto fail;
        }
    }
    return str;

fail:
    g_string_free(str, true);
    return NULL;
}

/* Append @s as a JSON string for json-glib (only " \ and controls need
 * escaping; the rest is valid UTF-8 by construction). */
static void normalized_string(GString *out, const GString *s)
{
    g_string_append_c(out, '"');
    for (gsize i = 0; i < s->len; i++) {
        unsigned char c = s->str[i];

        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, c);
        } else if (c < 0x20) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    g_string_append_c(out, '"');
}

/* QEMU's parse_literal() for numbers: int64 if it fits, else uint64,
 * else double. */
static GVariant *parse_number(JsonToken *token)
{
    int64_t i;
    uint64_t u;

    if (token->type == JSON_INTEGER) {
        errno = 0;
        i = g_ascii_strtoll(token->str, NULL, 10);
        if (errno == 0) {
            return g_variant_ref_sink(g_variant_new_int64(i));
        }
        if (token->str[0] != '-') {
            errno = 0;
            u = g_ascii_strtoull(token->str, NULL, 10);
            if (errno == 0) {
                return g_variant_ref_sink(g_variant_new_uint64(u));
            }
        }
    }
    return g_variant_ref_sink(
        g_variant_new_double(g_ascii_strtod(token->str, NULL)));
}

/* A literal or keyword; a string's decoded text goes to *@string. */
static bool parse_scalar(JsonParser *p, GString **string)
{
    JsonToken *token = pop_token(p);
    GString *s;

    switch (token->type) {
    case JSON_STRING:
        s = parse_string(p, token);
        if (!s) {
            return false;
        }
        normalized_string(p->out, s);
        if (string) {
            *string = s;
        } else {
            g_string_free(s, true);
        }
        return true;
    case JSON_INTEGER:
    case JSON_FLOAT:
        /* json-glib sees 0; the codec substitutes the real number. */
        g_string_append_c(p->out, '0');
        g_ptr_array_add(p->numbers, parse_number(token));
        return true;
    default:    /* JSON_KEYWORD */
        if (strcmp(token->str, "true") && strcmp(token->str, "false") &&
            strcmp(token->str, "null")) {
            parse_error(p, "invalid keyword '%s'", token->str);
            return false;
        }
        g_string_append(p->out, token->str);
        return true;
    }
}

/* QEMU's parse_pair(); @keys detects duplicates. */
static bool parse_pair(JsonParser *p, GHashTable *keys)
{
    GString *key = NULL;
    JsonToken *peek = peek_token(p), *token;
    bool ok = false;

    if (!peek) {
        parse_error(p, "premature EOI");
        return false;
    }
    if (!parse_value(p, &key) || !key) {
        parse_error(p, "key is not a string in object");
        goto out;
    }
    token = pop_token(p);
    if (!token) {
        parse_error(p, "premature EOI");
        goto out;
    }
    if (token->type != JSON_COLON) {
        parse_error(p, "missing : in object pair");
        goto out;
    }
    g_string_append_c(p->out, ':');
    if (!parse_value(p, NULL)) {
        parse_error(p, "Missing value in dict");
        goto out;
    }
    if (g_hash_table_contains(keys, key->str)) {
        parse_error(p, "duplicate key");
        goto out;
    }
    g_hash_table_add(keys, g_string_free(key, false));
    return true;
out:
    if (key) {
        g_string_free(key, true);
    }
    return ok;
}

/* One member of a container: a "key": value pair of an object (@keys:
 * the keys seen so far), or a value of an array (@keys NULL). */
static bool parse_member(JsonParser *p, GHashTable *keys)
{
    if (keys) {
        return parse_pair(p, keys);
    }
    if (!parse_value(p, NULL)) {
        parse_error(p, "expecting value");
        return false;
    }
    return true;
}

/* QEMU's parse_object() (@keys non-NULL) and parse_array() (@keys NULL):
 * the opening token, members separated by commas, the closing token. */
static bool parse_container(JsonParser *p, GHashTable *keys)
{
    int close = keys ? JSON_RCURLY : JSON_RSQUARE;
    char close_c = keys ? '}' : ']';
    JsonToken *token, *peek;

    pop_token(p);               /* '{' or '[' */
    g_string_append_c(p->out, keys ? '{' : '[');
    peek = peek_token(p);
    if (!peek) {
        parse_error(p, "premature EOI");
        return false;
    }
    if (peek->type == close) {
        pop_token(p);
        g_string_append_c(p->out, close_c);
        return true;
    }
    if (!parse_member(p, keys)) {
        return false;
    }
    for (;;) {
        token = pop_token(p);
        if (!token) {
            parse_error(p, "premature EOI");
            return false;
        }
        if (token->type == close) {
            g_string_append_c(p->out, close_c);
            return true;
        }
        if (token->type != JSON_COMMA) {
            parse_error(p, keys ? "expected separator in dict"
                                : "expected separator in list");
            return false;
        }
        g_string_append_c(p->out, ',');
        if (!parse_member(p, keys)) {
            return false;
        }
    }
}

static bool parse_object(JsonParser *p)
{
    g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash,
                                                       g_str_equal,
                                                       g_free, NULL);

    return parse_container(p, keys);
}

static bool parse_array(JsonParser *p)
{
    return parse_container(p, NULL);
}

/* QEMU's parse_value().  *@string (may be NULL) receives a string
 * value's decoded text, and stays NULL for other values. */
static bool parse_value(JsonParser *p, GString **string)
{
    JsonToken *token = peek_token(p);

    if (string) {
        *string = NULL;
    }
    if (!token) {
        parse_error(p, "premature EOI");
        return false;
    }
    switch (token->type) {
    case JSON_LCURLY:
        return parse_object(p);
    case JSON_LSQUARE:
        return parse_array(p);
    case JSON_INTEGER:
    case JSON_FLOAT:
    case JSON_STRING:
    case JSON_KEYWORD:
        return parse_scalar(p, string);
    default:
        parse_error(p, "expecting value");
        return false;
    }
}

/* --- the streamer: QEMU's json-streamer.c ----------------------------- */

static void streamer_clear(JsonStreamer *s)
{
    s->brace_count = 0;
    s->bracket_count = 0;
    s->token_size = 0;
    g_ptr_array_set_size(s->tokens, 0);
}

static void streamer_emit_error(JsonStreamer *s, Error *err)
{
    streamer_clear(s);
    s->emit(s->opaque, NULL, NULL, err);
}

/* Parse the collected group and emit the result. */
static void streamer_emit_group(JsonStreamer *s)
{
    JsonParser p = {
        .tokens = (JsonToken **)s->tokens->pdata,
        .n = s->tokens->len,
        .out = g_string_new(NULL),
        .numbers = g_ptr_array_new_with_free_func(
            (GDestroyNotify)g_variant_unref),
    };

    parse_value(&p, NULL);
    streamer_clear(s);
    if (p.err) {
        g_string_free(p.out, true);
        g_ptr_array_unref(p.numbers);
        s->emit(s->opaque, NULL, NULL, p.err);
    } else {
        s->emit(s->opaque, p.out, p.numbers, NULL);
    }
}

/* QEMU's json_message_process_token(). */
static void streamer_process_token(JsonStreamer *s, int type,
                                   const GString *text)
{
    JsonToken *token;
    Error *err = NULL;

    switch (type) {
    case JSON_LCURLY:
        s->brace_count++;
        break;
    case JSON_RCURLY:
        s->brace_count--;
        break;
    case JSON_LSQUARE:
        s->bracket_count++;
        break;
    case JSON_RSQUARE:
        s->bracket_count--;
        break;
    case JSON_ERROR:
        error_setg(&err, "JSON parse error, stray '%s'", text->str);
        streamer_emit_error(s, err);
        return;
    default:
        break;
    }
    if (s->token_size + text->len + 1 > s->max_size) {
        error_setg(&err, "JSON token size limit exceeded");
        streamer_emit_error(s, err);
        return;
    }
    if (s->bracket_count + s->brace_count > JSON_MAX_NESTING) {
        error_setg(&err, "JSON nesting depth limit exceeded");
        streamer_emit_error(s, err);
        return;
    }
    token = g_new(JsonToken, 1);
    token->type = type;
    token->str = g_strndup(text->str, text->len);
    s->token_size += text->len;
    g_ptr_array_add(s->tokens, token);

    if ((s->brace_count > 0 || s->bracket_count > 0) &&
        s->brace_count >= 0 && s->bracket_count >= 0) {
        return;                 /* the value goes on */
    }
    streamer_emit_group(s);
}

/* QEMU's json_lexer_feed_char(). */
static void lexer_feed_char(JsonStreamer *s, char ch, bool flush)
{
    bool consumed = false;

    while (flush ? s->state != IN_START : !consumed) {
        int next = json_lexer[s->state][(uint8_t)ch];

        consumed = !flush && !(next & LOOKAHEAD);
        next &= ~LOOKAHEAD;
        if (consumed) {
            g_string_append_c(s->token, ch);
        }
        switch (next) {
        case JSON_LCURLY:
        case JSON_RCURLY:
        case JSON_LSQUARE:
        case JSON_RSQUARE:
        case JSON_COLON:
        case JSON_COMMA:
        case JSON_INTEGER:
        case JSON_FLOAT:
        case JSON_KEYWORD:
        case JSON_STRING:
            streamer_process_token(s, next, s->token);
            /* fall through */
        case IN_START:
            g_string_truncate(s->token, 0);
            next = IN_START;
            break;
        case JSON_ERROR:
            streamer_process_token(s, JSON_ERROR, s->token);
            next = IN_RECOVERY;
            /* fall through */
        case IN_RECOVERY:
            g_string_truncate(s->token, 0);
            break;
        default:
            break;
        }
        s->state = next;
    }
    /* A single token may not grow without bound either. */
    if (s->token->len > s->max_size) {
        Error *err = NULL;

        error_setg(&err, "JSON token size limit exceeded");
        streamer_emit_error(s, err);
        g_string_truncate(s->token, 0);
        s->state = IN_START;
    }
}

/* --- public ---------------------------------------------------------- */

JsonStreamer *json_streamer_new(size_t max_size, JsonEmitFn *emit,
                                void *opaque)
{
    JsonStreamer *s = g_new0(JsonStreamer, 1);

    s->state = IN_START;
    s->token = g_string_new(NULL);
    s->tokens = g_ptr_array_new_with_free_func(json_token_free);
    s->max_size = max_size;
    s->emit = emit;
    s->opaque = opaque;
    return s;
}

void json_streamer_free(JsonStreamer *s)
{
    if (s) {
        g_string_free(s->token, true);
        g_ptr_array_unref(s->tokens);
        g_free(s);
    }
}

void json_streamer_feed_char(JsonStreamer *s, char ch)
{
    lexer_feed_char(s, ch, false);
}

void json_streamer_flush(JsonStreamer *s)
{
    lexer_feed_char(s, 0, true);
    /* QEMU's JSON_END_OF_INPUT: an unfinished value is parsed as is. */
    if (s->tokens->len) {
        streamer_emit_group(s);
    }
}

void json_streamer_reset(JsonStreamer *s)
{
    s->state = IN_START;
    g_string_truncate(s->token, 0);
    streamer_clear(s);
}
