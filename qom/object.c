/*
 * object.c - instances: creation, reference counting, finalization, casts.
 *
 * Modelled on QEMU's qom/object.c (the Object half).  Creation zeroes the
 * instance, applies class property defaults, runs instance_init from the
 * root type down and instance_post_init from the leaf up (QEMU 7.2's
 * order).  The last object_unref deletes every property (releasing
 * children and strong links) and runs instance_finalize leaf to root.
 *
 * Casts keep QEMU's per-class cache of type-name pointers: a cast written
 * as FOO(obj) passes the same string literal every time, so a hit is four
 * pointer compares.  Unlike QEMU we also remember misses, which makes
 * object_dynamic_cast() cheap when it is used as a test.
 */
#include "util/osdep.h"
#include "qom-internal.h"

static unsigned live_objects;

unsigned object_live_count(void)
{
    return g_atomic_int_get(&live_objects);
}

static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (type_get_parent(ti)) {
        object_init_with_type(obj, type_get_parent(ti));
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->instance_post_init) {
        ti->instance_post_init(obj);
    }
    if (type_get_parent(ti)) {
        object_post_init_with_type(obj, type_get_parent(ti));
    }
}

static void object_deinit(Object *obj, TypeImpl *ti)
{
    if (ti->instance_finalize) {
        ti->instance_finalize(obj);
    }
    if (type_get_parent(ti)) {
        object_deinit(obj, type_get_parent(ti));
    }
}

static void object_initialize_with_type(Object *obj, size_t size,
                                        TypeImpl *ti)
{
    type_initialize(ti);
    if (ti->abstract) {
        /* User input is checked before it gets here: this is a bug. */
        fprintf(stderr, "qomu: cannot instantiate abstract type '%s'\n",
                ti->name);
        abort();
    }
    g_assert(ti->instance_size >= sizeof(Object));
    g_assert(size >= ti->instance_size);

    memset(obj, 0, ti->instance_size);
    obj->class = ti->class;
    obj->ref = 1;
    g_atomic_int_inc(&live_objects);
    object_class_property_init_all(obj);
    object_init_with_type(obj, ti);
    object_post_init_with_type(obj, ti);
}

static TypeImpl *type_get_or_die(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    if (!ti) {
        fprintf(stderr, "qomu: unknown type '%s'\n", typename);
        abort();
    }
    return ti;
}

void object_initialize(void *data, size_t size, const char *typename)
{
    object_initialize_with_type(data, size, type_get_or_die(typename));
}

void object_initialize_child(Object *parentobj, const char *propname,
                             void *childobj, size_t size, const char *type)
{
    object_initialize(childobj, size, type);
    object_property_add_child(parentobj, propname, OBJECT(childobj));
    /* The child property now holds a reference; drop the initial one so
     * that unparenting alone finalizes the child. */
    object_unref(childobj);
}

static Object *object_new_with_type(TypeImpl *ti)
{
    Object *obj;

    type_initialize(ti);
    if (ti->instance_align > G_MEM_ALIGN) {
        obj = g_aligned_alloc(1, ti->instance_size, ti->instance_align);
        object_initialize_with_type(obj, ti->instance_size, ti);
        obj->free = g_aligned_free;
    } else {
        obj = g_malloc(ti->instance_size);
        object_initialize_with_type(obj, ti->instance_size, ti);
        obj->free = g_free;
    }
    return obj;
}

Object *object_new(const char *typename)
{
    return object_new_with_type(type_get_or_die(typename));
}

Object *object_new_with_class(ObjectClass *klass)
{
    return object_new_with_type(klass->type);
}

Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
{
    va_list ap;
    Object *obj = object_new(typename);
    const char *name;
    bool ok = true;

    va_start(ap, errp);
    while (ok && (name = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);

        ok = object_property_parse(obj, name, value, errp);
    }
    va_end(ap);
    if (ok && !object_property_try_add_child(parent, id, obj, errp)) {
        ok = false;
    }
    object_unref(obj);      /* the parent holds it now, or it dies */
    return ok ? obj : NULL;
}

static void object_finalize(Object *obj)
{
    ObjectFree *free_fn = obj->free;

    g_assert(obj->ref == 0);
    g_assert(obj->parent == NULL);
    object_property_del_all(obj);
    object_deinit(obj, obj->class->type);
    g_atomic_int_dec_and_test(&live_objects);
    if (free_fn) {
        free_fn(obj);
    }
}

Object *object_ref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return NULL;
    }
    g_atomic_int_inc(&obj->ref);
    return obj;
}

void object_unref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (g_atomic_int_dec_and_test(&obj->ref)) {
        object_finalize(obj);
    }
}

void object_unparent(Object *obj)
{
    if (obj->parent) {
        const char *name = object_get_canonical_path_component(obj);

        g_assert(name);
        object_property_del(obj->parent, name);
    }
}

ObjectClass *object_get_class(Object *obj)
{
    return obj->class;
}

const char *object_get_typename(const Object *obj)
{
    return obj->class->type->name;
}

/* ------------------------------------------------------------------ */
/* Instance casts                                                       */
/* ------------------------------------------------------------------ */

/* Answers from the per-class caches: 1 = is-a, 0 = is not, -1 = unknown.
 * Entries are single pointers, so concurrent readers and writers (vCPU
 * threads cast too) can never see a torn entry; at worst a hit is lost. */
static inline int object_cast_cache_lookup(ObjectClass *klass,
                                           const char *typename)
{
#pragma GCC unroll 4
    for (int i = 0; i < OBJECT_CLASS_CAST_CACHE; i++) {
        if (qom_cache_get(&klass->object_cast_cache[i]) == typename) {
            return 1;
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < OBJECT_CLASS_CAST_CACHE; i++) {
        if (qom_cache_get(&klass->class_cast_cache[i]) == typename) {
            return 1;
        }
    }
#pragma GCC unroll 4
    for (int i = 0; i < OBJECT_CLASS_CAST_CACHE; i++) {
        if (qom_cache_get(&klass->object_miss_cache[i]) == typename) {
            return 0;
        }
    }
    return -1;
}

static void cast_cache_insert(const char **cache, const char *typename)
{
    int i;

    for (i = 1; i < OBJECT_CLASS_CAST_CACHE; i++) {
        qom_cache_set(&cache[i - 1], qom_cache_get(&cache[i]));
    }
    qom_cache_set(&cache[i - 1], typename);
}

/* Out of line, so that the cached path needs no stack frame. */
static G_GNUC_NO_INLINE Object *object_dynamic_cast_slow(Object *obj,
                                                        const char *typename)
{
    ObjectClass *klass = obj->class;
    bool canonical;

    /* The caches are keyed by address, so only a registered name (which
     * is never freed) may go in: a heap copy could be freed and its
     * address reused for another name, turning a cached hit into a
     * wrong answer. */
    if (type_class_cast(klass, typename, &canonical)) {
        if (canonical) {
            cast_cache_insert(klass->object_cast_cache, typename);
        }
        return obj;
    }
    /* Types are never unregistered, so a miss stays a miss. */
    if (canonical) {
        cast_cache_insert(klass->object_miss_cache, typename);
    }
    return NULL;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (!obj) {
        return NULL;
    }
    switch (object_cast_cache_lookup(obj->class, typename)) {
    case 1:
        return obj;
    case 0:
        return NULL;
    }
    return object_dynamic_cast_slow(obj, typename);
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func)
{
    if (obj && !object_dynamic_cast(obj, typename)) {
        fprintf(stderr, "%s:%d:%s: Object %p is not an instance of type %s\n",
                file, line, func, (void *)obj, typename);
        abort();
    }
    return obj;
}
