/*
 * bql.c - the big lock: a GMutex plus a per-thread "held" flag, which
 * makes bql_locked() exact for the calling thread (GMutex cannot say who
 * holds it).
 */
#include "util/osdep.h"
#include "util/bql.h"

static GMutex bql;
static __thread bool bql_held;

void bql_lock(void)
{
    g_assert(!bql_held);        /* not recursive: a double lock is a bug */
    g_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    g_assert(bql_held);
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}
