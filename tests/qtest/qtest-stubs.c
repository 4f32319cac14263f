/*
 * qtest-stubs.c - what tests/unit/harness.c needs from qom/, for the qtest
 * programs. They test qomu from outside and link none of it, so no QOM
 * object ever lives in them: the harness's leak check sees 0 throughout.
 */
#include "util/osdep.h"
#include "qom/object.h"

unsigned object_live_count(void)
{
    return 0;
}
