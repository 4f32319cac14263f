/*
 * event-loop-base.c - "event-loop-base", the abstract parent of the
 * event loop objects (QEMU 7.2's qom/event-loop-base.c).  See
 * include/system/event-loop-base.h.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "qom/user-creatable.h"
#include "system/event-loop-base.h"

/* QEMU's aio_context_set_thread_pool_params check, on the pair. */
static bool event_loop_base_check_pool(EventLoopBase *base, Error **errp)
{
    if (base->thread_pool_min > base->thread_pool_max ||
        !base->thread_pool_max || base->thread_pool_min > INT_MAX ||
        base->thread_pool_max > INT_MAX) {
        error_setg(errp, "bad thread-pool-min/thread-pool-max values");
        return false;
    }
    return true;
}

static GVariant *event_loop_base_get_param(Object *obj, ObjectProperty *prop,
                                           Error **errp)
{
    const EventLoopParamInfo *info = prop->opaque;
    int64_t *field = (int64_t *)((char *)obj + info->offset);

    return g_variant_ref_sink(g_variant_new_int64(
        __atomic_load_n(field, __ATOMIC_RELAXED)));
}

static bool event_loop_base_set_param(Object *obj, ObjectProperty *prop,
                                      GVariant *value, Error **errp)
{
    const EventLoopParamInfo *info = prop->opaque;
    int64_t *field = (int64_t *)((char *)obj + info->offset);
    EventLoopBase *base = EVENT_LOOP_BASE(obj);
    EventLoopBaseClass *bc = EVENT_LOOP_BASE_GET_CLASS(obj);
    int64_t v;

    if (!prop_value_int64(value, info->name, &v, errp)) {
        return false;
    }
    if (v < 0) {
        error_setg(errp, "%s value must be in range [0, %" PRId64 "]",
                   info->name, INT64_MAX);
        return false;
    }
    /* As QEMU: stored even if the pool check then fails */
    __atomic_store_n(field, v, __ATOMIC_RELAXED);
    if (!base->initialized) {
        return true;
    }
    if (!event_loop_base_check_pool(base, errp)) {
        return false;
    }
    if (bc->update_params) {
        bc->update_params(base);
    }
    return true;
}

void event_loop_base_add_params(ObjectClass *klass,
                                const EventLoopParamInfo *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        object_class_property_add(klass, params[i].name, "int",
                                  event_loop_base_get_param,
                                  event_loop_base_set_param, NULL,
                                  (void *)&params[i]);
    }
}

static bool event_loop_base_complete(UserCreatable *uc, Error **errp)
{
    EventLoopBase *base = EVENT_LOOP_BASE(uc);
    EventLoopBaseClass *bc = EVENT_LOOP_BASE_GET_CLASS(uc);

    if (!event_loop_base_check_pool(base, errp) ||
        (bc->init && !bc->init(base, errp))) {
        return false;
    }
    base->initialized = true;
    if (bc->update_params) {
        bc->update_params(base);
    }
    return true;
}

static bool event_loop_base_can_be_deleted(UserCreatable *uc)
{
    EventLoopBaseClass *bc = EVENT_LOOP_BASE_GET_CLASS(uc);

    return !bc->can_be_deleted || bc->can_be_deleted(EVENT_LOOP_BASE(uc));
}

static void event_loop_base_instance_init(Object *obj)
{
    EVENT_LOOP_BASE(obj)->thread_pool_max =
        EVENT_LOOP_BASE_THREAD_POOL_MAX_DEFAULT;
}

/* Registered last first: qom-list then shows QEMU's order. */
static const EventLoopParamInfo event_loop_base_params[] = {
    { "thread-pool-max", offsetof(EventLoopBase, thread_pool_max) },
    { "aio-max-batch", offsetof(EventLoopBase, aio_max_batch) },
    { "thread-pool-min", offsetof(EventLoopBase, thread_pool_min) },
};

static void event_loop_base_class_init(ObjectClass *klass, void *data)
{
    UserCreatableClass *ucc = (UserCreatableClass *)
        object_class_dynamic_cast(klass, TYPE_USER_CREATABLE);

    ucc->complete = event_loop_base_complete;
    ucc->can_be_deleted = event_loop_base_can_be_deleted;
    event_loop_base_add_params(klass, event_loop_base_params,
                               G_N_ELEMENTS(event_loop_base_params));
}

static const TypeInfo event_loop_base_info = {
    .name = TYPE_EVENT_LOOP_BASE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(EventLoopBase),
    .instance_init = event_loop_base_instance_init,
    .class_size = sizeof(EventLoopBaseClass),
    .class_init = event_loop_base_class_init,
    .abstract = true,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { NULL }
    },
};

static void event_loop_base_register_types(void)
{
    type_register_static(&event_loop_base_info);
}

type_init(event_loop_base_register_types)
