/*
 * keyval.c - the KEY=VALUE,... parser, after QEMU 7.2 util/keyval.c.
 *
 * Modelled: QEMU's grammar and semantics (below), its error messages
 * verbatim, the implied first key, ",," escapes, dotted keys into nested
 * dictionaries, numeric keys into lists ("listify"), and help requests.
 * Not modelled: keyval_merge()/keyval_parse_into() (merging several option
 * strings into one dictionary), and the QObject input visitor: callers get
 * a GVariant a{sv} and convert strings to their property types themselves.
 *
 * Parsing builds a small mutable tree (GVariant is immutable), then turns
 * it into the GVariant in one pass that also does QEMU's listify step.
 */

/*
 * Syntax (QEMU's comment, abridged):
 *
 *   key-vals     = [ key-val { ',' key-val } [ ',' ] ]
 *   key-val      = key '=' val | help
 *   key          = key-fragment { '.' key-fragment }
 *   key-fragment = qapi-name | index
 *   qapi-name    = '__' / [a-z0-9.-]+ / '_' / [A-Za-z][A-Za-z0-9_-]* /
 *   index        = / [0-9]+ /
 *   val          = { / [^,]+ / | ',,' }
 *   help         = 'help' | '?'
 *
 * With an implied key:
 *   key-vals-ik  = val-no-key [ ',' key-vals ]
 *   val-no-key   = / [^=,]+ / - help
 *
 * Each key-val is a path from the root to a leaf: a numeric fragment makes
 * its parent a list, any other fragment makes its parent a dictionary; the
 * constraints must be satisfiable ("a.b=1,a=2" is not) and list indexes
 * must have no gaps.  If several key-vals denote the same leaf, the last
 * one wins.  The first fragment of a key is never an index (the root is a
 * dictionary).  Fragments are 1..127 characters.
 */

#include "util/osdep.h"
#include "util/keyval.h"
#include "util/help-option.h"

/* QEMU's key_in_cur[128]: fragments must be shorter than this. */
#define KEYVAL_FRAGMENT_MAX 128

/* --- the mutable parse tree --- */

typedef struct KvNode KvNode;

/* One member of a dictionary: exactly one of @str and @dict is set. */
typedef struct KvEntry {
    char *key;
    char *str;          /* leaf value */
    KvNode *dict;       /* inner node (a list if all its keys are indexes) */
} KvEntry;

struct KvNode {
    GPtrArray *entries; /* of KvEntry *, in order of first appearance */
};

static void kv_node_free(KvNode *node);

static void kv_entry_free(gpointer p)
{
    KvEntry *ent = p;

    g_free(ent->key);
    g_free(ent->str);
    kv_node_free(ent->dict);
    g_free(ent);
}

static KvNode *kv_node_new(void)
{
    KvNode *node = g_new0(KvNode, 1);

    node->entries = g_ptr_array_new_with_free_func(kv_entry_free);
    return node;
}

static void kv_node_free(KvNode *node)
{
    if (node) {
        g_ptr_array_free(node->entries, TRUE);
        g_free(node);
    }
}

/* Linear search: option strings have a handful of keys per level. */
static KvEntry *kv_node_find(KvNode *node, const char *key)
{
    for (guint i = 0; i < node->entries->len; i++) {
        KvEntry *ent = g_ptr_array_index(node->entries, i);

        if (!strcmp(ent->key, key)) {
            return ent;
        }
    }
    return NULL;
}

/* --- lexical helpers (QEMU's parse_qapi_name, key_to_index) --- */

/*
 * Length of the QAPI name at the start of @str, or -1 if there is none.
 * A name is letters, digits, '-' and '_', starting with a letter, optionally
 * prefixed by a downstream "__RFQDN_" (letters, digits, '-' and '.').
 */
static int parse_qapi_name(const char *str)
{
    const char *p = str;

    if (*p == '_') {
        p++;
        if (*p != '_') {
            return -1;
        }
        while (*++p) {
            if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.') {
                break;
            }
        }
        if (*p != '_') {
            return -1;
        }
        p++;
    }
    if (!g_ascii_isalpha(*p)) {
        return -1;
    }
    while (*++p) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') {
            break;
        }
    }
    return p - str;
}

/*
 * Convert the leading decimal digits of @key to a list index, capped at
 * INT_MAX.  If @end is non-NULL, store the first character after the digits
 * there; else fail if anything follows the digits.  Returns the index, or a
 * negative value if @key doesn't start with a digit (or has trailing junk).
 * Only digits are converted, so "1" and "01" are the same index: callers
 * must cope with duplicate indexes.
 */
static int key_to_index(const char *key, const char **end)
{
    const char *p = key;
    int64_t index = 0;

    if (!g_ascii_isdigit(*p)) {
        return -EINVAL;
    }
    for (; g_ascii_isdigit(*p); p++) {
        index = index * 10 + (*p - '0');
        if (index > INT_MAX) {
            index = INT_MAX;    /* saturate; keep consuming the digits */
        }
    }
    if (end) {
        *end = p;
    } else if (*p) {
        return -EINVAL;
    }
    return index;
}

/* --- parsing --- */

/*
 * Make @cur map @key_in_cur to a leaf @value (if non-NULL) or to a
 * dictionary (if @value is NULL).  An existing dictionary is reused; an
 * existing leaf is replaced (last one wins); a leaf where a dictionary is
 * wanted, or vice versa, is an error naming @key up to @key_cursor.
 * Always takes ownership of @value.  Returns the entry, or NULL on error.
 */
static KvEntry *keyval_parse_put(KvNode *cur, const char *key_in_cur,
                                 char *value, const char *key,
                                 const char *key_cursor, Error **errp)
{
    KvEntry *ent = kv_node_find(cur, key_in_cur);

    if (ent) {
        if (value ? !ent->str : !ent->dict) {
            error_setg(errp, "Parameters '%.*s.*' used inconsistently",
                       (int)(key_cursor - key), key);
            g_free(value);
            return NULL;
        }
        if (value) {
            g_free(ent->str);
            ent->str = value;
        }
        return ent;
    }
    ent = g_new0(KvEntry, 1);
    ent->key = g_strdup(key_in_cur);
    if (value) {
        ent->str = value;
    } else {
        ent->dict = kv_node_new();
    }
    g_ptr_array_add(cur->entries, ent);
    return ent;
}

/*
 * Parse one parameter at @params into @root: KEY=VALUE, an implied-key
 * VALUE, or a help request (sets *@help).  Returns a pointer to the next
 * parameter (or to the terminating NUL), or NULL on error.
 */
static const char *keyval_parse_one(KvNode *root, const char *params,
                                    const char *implied_key, bool *help,
                                    Error **errp)
{
    const char *key, *key_end, *val_end = NULL, *s, *end;
    char key_in_cur[KEYVAL_FRAGMENT_MAX];
    KvNode *cur;
    char *val;
    size_t len;
    int ret;

    key = params;
    len = strcspn(params, "=,");
    if (len && key[len] != '=') {
        if (starts_with_help_option(key) == len) {
            *help = true;
            s = key + len;
            return *s == ',' ? s + 1 : s;
        }
        if (implied_key) {
            /* Desugar: the whole parameter is the implied key's value */
            key = implied_key;
            val_end = params + len;
            len = strlen(implied_key);
        }
    }
    key_end = key + len;

    /* Walk the fragments: @s is the current one, it applies to @cur;
     * key_in_cur[] holds the previous fragment. */
    cur = root;
    s = key;
    for (;;) {
        /* An index (except first) or a QAPI name */
        if (s != key && key_to_index(s, &end) >= 0) {
            len = end - s;
        } else {
            ret = parse_qapi_name(s);
            len = ret < 0 ? 0 : ret;
        }
        assert(s + len <= key_end);
        if (!len || (s + len < key_end && s[len] != '.')) {
            assert(key != implied_key);     /* implied key must be valid */
            error_setg(errp, "Invalid parameter '%.*s'",
                       (int)(key_end - key), key);
            return NULL;
        }
        if (len >= sizeof(key_in_cur)) {
            assert(key != implied_key);
            error_setg(errp, "Parameter%s '%.*s' is too long",
                       s != key || s + len != key_end ? " fragment" : "",
                       (int)len, s);
            return NULL;
        }

        if (s != key) {
            KvEntry *next = keyval_parse_put(cur, key_in_cur, NULL,
                                             key, s - 1, errp);
            if (!next) {
                return NULL;
            }
            cur = next->dict;
        }

        memcpy(key_in_cur, s, len);
        key_in_cur[len] = 0;
        s += len;
        if (*s != '.') {
            break;
        }
        s++;
    }

    if (key == implied_key) {
        assert(!*s);
        val = g_strndup(params, val_end - params);
        s = val_end;
        if (*s == ',') {
            s++;
        }
    } else {
        GString *buf;

        if (*s != '=') {
            error_setg(errp, "Expected '=' after parameter '%.*s'",
                       (int)(s - key), key);
            return NULL;
        }
        s++;
        /* The value runs to the next single ',': ",," is a literal comma */
        buf = g_string_new(NULL);
        while (*s) {
            if (*s == ',') {
                s++;
                if (*s != ',') {
                    break;
                }
            }
            g_string_append_c(buf, *s++);
        }
        val = g_string_free(buf, FALSE);
    }

    if (!keyval_parse_put(cur, key_in_cur, val, key, key_end, errp)) {
        return NULL;
    }
    return s;
}

/* --- tree to GVariant, with QEMU's listify --- */

/* "a.b." for the key fragments @key_of_cur (innermost first), as QEMU. */
static char *reassemble_key(GSList *key_of_cur)
{
    GString *s = g_string_new("");

    for (GSList *p = key_of_cur; p; p = p->next) {
        g_string_prepend_c(s, '.');
        g_string_prepend(s, p->data);
    }
    return g_string_free(s, FALSE);
}

/*
 * Build the list 'av' from @vals, the converted values of @node's members,
 * whose keys are all list indexes.  Indexes may repeat ("1" and "01"): the
 * later one wins.  A gap is an error naming the first missing index.
 */
static GVariant *kv_make_list(KvNode *node, GVariant **vals,
                              GSList *key_of_node, Error **errp)
{
    guint n = node->entries->len;
    /* One spare slot: if some index is >= n, a slot below n stays empty
     * and the gap check stops there, never past elt[n]. */
    g_autofree GVariant **elt = g_new0(GVariant *, n + 1);
    int max_index = -1;
    GVariantBuilder builder;

    for (guint i = 0; i < n; i++) {
        KvEntry *ent = g_ptr_array_index(node->entries, i);
        int index = key_to_index(ent->key, NULL);

        assert(index >= 0);
        max_index = MAX(max_index, index);
        if ((guint)index < n) {
            elt[index] = vals[i];
        }
    }

    for (int i = 0; i <= max_index; i++) {
        if (!elt[i]) {
            g_autofree char *key = reassemble_key(key_of_node);

            error_setg(errp, "Parameter '%s%d' missing", key, i);
            return NULL;
        }
    }

    g_variant_builder_init(&builder, G_VARIANT_TYPE("av"));
    for (int i = 0; i <= max_index; i++) {
        g_variant_builder_add(&builder, "v", elt[i]);
    }
    return g_variant_builder_end(&builder);
}

/*
 * Convert @node to a dictionary a{sv}, or to a list av if all its keys are
 * list indexes (QEMU's keyval_listify).  Like QEMU, members are converted
 * first, so an error deep down is reported before one at this level.
 * @key_of_node lists the key fragments leading to @node, innermost first,
 * for error messages.  Returns a floating GVariant, or NULL on error.
 */
static GVariant *kv_to_variant(KvNode *node, GSList *key_of_node,
                               Error **errp)
{
    guint n = node->entries->len;
    GVariant **vals = g_new0(GVariant *, n);
    bool has_index = false, has_member = false;
    GVariant *result = NULL;
    GVariantBuilder builder;

    for (guint i = 0; i < n; i++) {
        KvEntry *ent = g_ptr_array_index(node->entries, i);
        GSList key_node = { .data = ent->key, .next = key_of_node };

        if (key_to_index(ent->key, NULL) >= 0) {
            has_index = true;
        } else {
            has_member = true;
        }
        vals[i] = ent->str ? g_variant_new_string(ent->str)
                           : kv_to_variant(ent->dict, &key_node, errp);
        if (!vals[i]) {
            goto out;
        }
        /* Hold our own reference until the builder takes one */
        g_variant_ref_sink(vals[i]);
    }

    if (has_index && has_member) {
        g_autofree char *key = reassemble_key(key_of_node);

        error_setg(errp, "Parameters '%s*' used inconsistently", key);
        goto out;
    }
    if (has_index) {
        result = kv_make_list(node, vals, key_of_node, errp);
        goto out;
    }

    g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
    for (guint i = 0; i < n; i++) {
        KvEntry *ent = g_ptr_array_index(node->entries, i);

        g_variant_builder_add(&builder, "{sv}", ent->key, vals[i]);
    }
    result = g_variant_builder_end(&builder);

out:
    for (guint i = 0; i < n; i++) {
        if (vals[i]) {
            g_variant_unref(vals[i]);
        }
    }
    g_free(vals);
    return result;
}

GVariant *keyval_parse(const char *params, const char *implied_key,
                       bool *p_help, Error **errp)
{
    KvNode *root = kv_node_new();
    GVariant *dict = NULL;
    bool help = false;
    const char *s = params;

    while (*s) {
        s = keyval_parse_one(root, s, implied_key, &help, errp);
        if (!s) {
            goto out;
        }
        implied_key = NULL;
    }

    if (p_help) {
        *p_help = help;
    } else if (help) {
        error_setg(errp, "Help is not available for this option");
        goto out;
    }

    dict = kv_to_variant(root, NULL, errp);
    if (dict) {
        /* The root has only QAPI-name keys, so it is never listified. */
        assert(g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT));
        dict = g_variant_ref_sink(dict);
    }
out:
    kv_node_free(root);
    return dict;
}

/* --- lookup --- */

GVariant *keyval_get(GVariant *dict, const char *path)
{
    g_auto(GStrv) frags = g_strsplit(path, ".", -1);
    GVariant *cur = g_variant_ref(dict);

    for (int i = 0; frags[i]; i++) {
        GVariant *next = NULL;

        if (g_variant_is_of_type(cur, G_VARIANT_TYPE_VARDICT)) {
            /* For a{sv} this already unboxes the 'v' */
            next = g_variant_lookup_value(cur, frags[i], NULL);
        } else if (g_variant_is_of_type(cur, G_VARIANT_TYPE("av"))) {
            int index = key_to_index(frags[i], NULL);

            if (index >= 0 && (gsize)index < g_variant_n_children(cur)) {
                GVariant *box = g_variant_get_child_value(cur, index);

                next = g_variant_get_variant(box);
                g_variant_unref(box);
            }
        }
        g_variant_unref(cur);
        if (!next) {
            return NULL;
        }
        cur = next;
    }
    return cur;
}

const char *keyval_get_str(GVariant *dict, const char *path)
{
    GVariant *v;
    const char *str = NULL;

    /*
     * Serialise @dict (once; GVariant caches it) so that every child we
     * extract is a view into @dict's own buffer: the string then outlives
     * the child references we drop below, for as long as @dict lives.
     */
    g_variant_get_data(dict);
    v = keyval_get(dict, path);
    if (!v) {
        return NULL;
    }
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
        str = g_variant_get_string(v, NULL);
    }
    g_variant_unref(v);
    return str;
}
