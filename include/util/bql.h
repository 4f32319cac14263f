/*
 * bql.h - the big lock (QEMU's "BQL", the iothread mutex).
 *
 * Device models are written as if single-threaded: every MMIO/PIO
 * callback, every monitor command and every main-loop handler runs with
 * the big lock held.  The main loop drops it only while it sleeps in
 * poll(); a vCPU thread takes it around the dispatch of one exit (unless
 * the region is lockless).  Anything that blocks for long must not hold it.
 */
#ifndef UTIL_BQL_H
#define UTIL_BQL_H

#include "util/osdep.h"

void bql_lock(void);
void bql_unlock(void);
/* True if the calling thread holds the big lock (for assertions). */
bool bql_locked(void);

/* Wait on @cond, releasing the big lock meanwhile (it must be held). */
void bql_cond_wait(GCond *cond);

#endif /* UTIL_BQL_H */
