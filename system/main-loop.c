/*
 * main-loop.c - "main-loop", the user-creatable handle on the main
 * thread's event loop (QEMU 7.2's TYPE_MAIN_LOOP in util/main-loop.c;
 * the loop itself is util/main-loop.c):
 *
 *   -object main-loop,id=ID[,aio-max-batch=N][,thread-pool-min=N]
 *           [,thread-pool-max=N]
 *
 * aio-max-batch applies to the main AioContext, where devices without an
 * iothread submit their block requests (include/system/event-loop-base.h).
 * There is one main loop: a second object is refused with QEMU's "only
 * one main-loop instance allowed", and object-del always with "object
 * 'ID' is in use, can not be deleted".
 */
#include "util/osdep.h"
#include "util/error.h"
#include "block/aio.h"
#include "system/event-loop-base.h"

#define TYPE_MAIN_LOOP "main-loop"
OBJECT_DECLARE_SIMPLE_TYPE(MainLoop, MAIN_LOOP)

struct MainLoop {
    EventLoopBase parent_obj;
};

static MainLoop *mloop;             /* the one instance, once complete */

static bool main_loop_init(EventLoopBase *base, Error **errp)
{
    if (mloop) {
        error_setg(errp, "only one main-loop instance allowed");
        return false;
    }
    mloop = MAIN_LOOP(base);
    return true;
}

static void main_loop_update_params(EventLoopBase *base)
{
    aio_context_set_aio_params(qemu_get_aio_context(), base->aio_max_batch);
}

static bool main_loop_can_be_deleted(EventLoopBase *base)
{
    return false;
}

/* Only at exit (user_creatable_cleanup) or in a test's teardown. */
static void main_loop_instance_finalize(Object *obj)
{
    if (mloop == MAIN_LOOP(obj)) {
        mloop = NULL;
        aio_context_set_aio_params(qemu_get_aio_context(), 0);
    }
}

static void main_loop_class_init(ObjectClass *klass, void *data)
{
    EventLoopBaseClass *bc = EVENT_LOOP_BASE_CLASS(klass);

    bc->init = main_loop_init;
    bc->update_params = main_loop_update_params;
    bc->can_be_deleted = main_loop_can_be_deleted;
}

static const TypeInfo main_loop_info = {
    .name = TYPE_MAIN_LOOP,
    .parent = TYPE_EVENT_LOOP_BASE,
    .instance_size = sizeof(MainLoop),
    .instance_finalize = main_loop_instance_finalize,
    .class_init = main_loop_class_init,
};

static void main_loop_register_types(void)
{
    type_register_static(&main_loop_info);
}

type_init(main_loop_register_types)
