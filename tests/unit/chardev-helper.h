/*
 * chardev-helper.h - what the chardev tests share (test-chardev.c,
 * test-chardev-socket.c): -chardev options as a dictionary, creating a
 * chardev with its error text, a frontend that records what it is told,
 * and running the main loop until something happened.
 */
#ifndef TESTS_UNIT_CHARDEV_HELPER_H
#define TESTS_UNIT_CHARDEV_HELPER_H

#include "util/osdep.h"
#include "chardev/char-fe.h"
#include "error-text.h"

/* --- creating --- */

/* Build an a{sv} of strings from "key", "value" pairs (NULL-terminated). */
static inline GVariant *opts_new(const char *key, ...)
{
    GVariantBuilder b;
    va_list ap;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    va_start(ap, key);
    for (const char *k = key; k; k = va_arg(ap, const char *)) {
        g_variant_builder_add(&b, "{sv}", k,
                              g_variant_new_string(va_arg(ap, const char *)));
    }
    va_end(ap);
    return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* qemu_chr_new_from_opts on @opts (consumed); returns the chardev or NULL
 * and the error text in *@msg (replacing what was there; g_free'd by the
 * caller). */
static inline Chardev *chr_new(GVariant *opts, char **msg)
{
    Error *err = NULL;
    Chardev *chr = qemu_chr_new_from_opts(opts, &err);

    g_variant_unref(opts);
    g_free(*msg);
    *msg = error_take_text(err);
    return chr;
}

/* The error qemu_chr_new_from_opts gives for @opts (consumed). */
static inline void check_opts_error(GVariant *opts, const char *expected)
{
    g_autofree char *msg = NULL;

    CU_ASSERT_PTR_NULL(chr_new(opts, &msg));
    CU_ASSERT_STRING_EQUAL(msg ? msg : "(no error)", expected);
}

/* --- waiting --- */

/* Run the main loop until @done(opaque) or 5 s pass. */
static inline bool pump_until(bool (*done)(void *), void *opaque)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (!done(opaque)) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(100);
    }
    return true;
}

/* --- a frontend --- */

/* A frontend that records what it is told: pass fe_can_read, fe_read,
 * fe_event and the TestFE to qemu_chr_fe_set_handlers. */
typedef struct TestFE {
    CharBackend be;
    GString *input;             /* what was read (allocate it to read) */
    int can_read;               /* what can_read answers */
    int opened, closed;         /* CHR_EVENT_OPENED / _CLOSED seen */
} TestFE;

static inline int fe_can_read(void *opaque)
{
    return ((TestFE *)opaque)->can_read;
}

/* Appends to input; asserts the backend respected can_read. */
static inline void fe_read(void *opaque, const uint8_t *buf, int size)
{
    TestFE *fe = opaque;

    g_assert(size <= fe->can_read);
    g_string_append_len(fe->input, (const char *)buf, size);
}

static inline void fe_event(void *opaque, QEMUChrEvent event)
{
    TestFE *fe = opaque;

    fe->opened += event == CHR_EVENT_OPENED;
    fe->closed += event == CHR_EVENT_CLOSED;
}

#endif /* TESTS_UNIT_CHARDEV_HELPER_H */
