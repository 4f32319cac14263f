/*
 * error-text.h - checking the message of a failed call: tests compare
 * QEMU's messages verbatim, so a helper typically runs a call with a
 * local Error and hands back its text:
 *
 *     static char *parse_err(Object *obj, const char *name, const char *s)
 *     {
 *         Error *err = NULL;
 *
 *         object_property_parse(obj, name, s, &err);
 *         return error_take_text(err);
 *     }
 *     ...
 *     CHECK_ERR(parse_err(obj, "x", "y"), "Parameter 'x' expects ...");
 */
#ifndef TESTS_UNIT_ERROR_TEXT_H
#define TESTS_UNIT_ERROR_TEXT_H

#include "util/osdep.h"
#include "util/error.h"
#include <CUnit/CUnit.h>

/* The message of @err (NULL if @err is NULL), freeing @err; g_free it. */
static inline char *error_take_text(Error *err)
{
    char *msg = err ? g_strdup(error_get_pretty(err)) : NULL;

    error_free(err);
    return msg;
}

/* Assert that @call (a char * to g_free, NULL for "no error") is the
 * message @expected. */
#define CHECK_ERR(call, expected)                   \
    do {                                            \
        g_autofree char *msg_ = (call);             \
        CU_ASSERT_PTR_NOT_NULL(msg_);               \
        if (msg_) {                                 \
            CU_ASSERT_STRING_EQUAL(msg_, expected); \
        }                                           \
    } while (0)

#endif /* TESTS_UNIT_ERROR_TEXT_H */
