/*
 * object-helper.h - make a user-creatable object from an -object string,
 * as the command line does (test-iothread.c, test-main-loop.c):
 *
 *   Object *o = object_helper_add("iothread,id=io0", &err);
 *
 * The string goes through QEMU's -object checks first
 * (user_creatable_check_option), then user_creatable_add_dict: NULL with
 * *errp set as qomu would report it.
 */
#ifndef TESTS_UNIT_OBJECT_HELPER_H
#define TESTS_UNIT_OBJECT_HELPER_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/keyval.h"
#include "qom/user-creatable.h"

static inline Object *object_helper_add(const char *spec, Error **errp)
{
    g_autoptr(GVariant) dict = keyval_parse(spec, "qom-type", NULL,
                                            &error_abort);

    if (!user_creatable_check_option(dict, errp)) {
        return NULL;
    }
    return user_creatable_add_dict(dict, errp);
}

#endif /* TESTS_UNIT_OBJECT_HELPER_H */
