/*
 * event-loop-base.h - "event-loop-base": what an event loop object has
 * in common (QEMU 7.2's qom/event-loop-base.h), the parent of "iothread"
 * and "main-loop".
 *
 *   -object iothread|main-loop,id=ID[,aio-max-batch=N]
 *           [,thread-pool-min=N][,thread-pool-max=N]
 *
 * aio-max-batch: the most requests the loop's io_uring and Linux AIO
 * engines queue while plugged before handing them to the kernel (0, the
 * default: each engine's own, include/block/raw-aio.h).  thread-pool-min
 * and -max are QEMU's and are stored only: qomu's pool sizes itself.
 * Each is an int64 of at least 0 (QEMU's "P value must be in range
 * [0, 9223372036854775807]"); at creation and at every later change,
 * 0 < thread-pool-max <= INT_MAX and thread-pool-min <= thread-pool-max,
 * else "bad thread-pool-min/thread-pool-max values" (QEMU checks the
 * pair when it applies it; the values stay set).
 *
 * A subclass fills init (its user-creatable complete) and update_params,
 * which puts the properties into effect: after init, and again whenever
 * one is set (qom-set).  Threads: main thread, big lock held.
 */
#ifndef SYSTEM_EVENT_LOOP_BASE_H
#define SYSTEM_EVENT_LOOP_BASE_H

#include "qom/object.h"

#define TYPE_EVENT_LOOP_BASE "event-loop-base"
OBJECT_DECLARE_TYPE(EventLoopBase, EventLoopBaseClass, EVENT_LOOP_BASE)

/* QEMU's default */
#define EVENT_LOOP_BASE_THREAD_POOL_MAX_DEFAULT 64

struct EventLoopBaseClass {
    ObjectClass parent_class;
    /* Bring the loop to life (false with *errp set refuses the object). */
    bool (*init)(EventLoopBase *base, Error **errp);
    /* Apply the properties; called after init and on every change. */
    void (*update_params)(EventLoopBase *base);
    /* object-del: false refuses ("object 'ID' is in use, ..."). */
    bool (*can_be_deleted)(EventLoopBase *base);
};

struct EventLoopBase {
    Object parent_obj;

    bool initialized;                   /* init succeeded */
    /* properties; atomic where a loop thread reads them */
    int64_t aio_max_batch;
    int64_t thread_pool_min;
    int64_t thread_pool_max;
};

typedef struct EventLoopParamInfo {
    const char *name;
    ptrdiff_t offset;
} EventLoopParamInfo;

/*
 * Add @n int64 properties, each the field at its offset in the instance,
 * to @klass: QEMU's checks and messages on set, then update_params once
 * the object is initialized.  For the subclasses' own properties too
 * (iothread's poll-*).
 */
void event_loop_base_add_params(ObjectClass *klass,
                                const EventLoopParamInfo *params, size_t n);

#endif /* SYSTEM_EVENT_LOOP_BASE_H */
