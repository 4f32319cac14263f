/*
 * type.c - type registration, lazy class initialisation and class casts.
 *
 * Modelled on QEMU's qom/object.c (the TypeImpl half): types are recorded
 * by name when registered, and a class is built only when first needed,
 * parent first, by copying the parent class, running every ancestor's
 * class_base_init and then the type's class_init.  An interface a class
 * implements gets a hidden per-class type "<class>::<interface>" whose
 * class (an InterfaceClass) is what a cast to the interface returns.
 *
 * Not modelled: module loading (QEMU's module_object_class_by_name loads
 * shared objects; here every type is linked in) and type unregistration.
 */
#include "util/osdep.h"
#include "qom-internal.h"

static GHashTable *type_table;      /* name -> TypeImpl, never freed */
static GPtrArray *all_types;        /* every TypeImpl, hidden ones too */
static TypeImpl *type_interface;    /* "interface" */

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

/*
 * Most lookups pass a TYPE_FOO literal, which (when the type was
 * registered with type_register_static) is the very pointer in ti->name:
 * remember those by address and skip hashing the string.  Only a hit on
 * ti->name itself counts, and TypeImpls and their names live for ever, so
 * a stale or racing entry can only cost a hash lookup, never a wrong type.
 */
#define TYPE_PTR_CACHE 256
static TypeImpl *type_ptr_cache[TYPE_PTR_CACHE];

static inline unsigned type_ptr_hash(const char *name)
{
    uintptr_t p = (uintptr_t)name;

    return (p ^ (p >> 8) ^ (p >> 16)) % TYPE_PTR_CACHE;
}

TypeImpl *type_get_by_name(const char *name)
{
    TypeImpl **slot, *ti;

    if (!name) {
        return NULL;
    }
    slot = &type_ptr_cache[type_ptr_hash(name)];
    ti = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (ti && ti->name == name) {
        return ti;
    }
    ti = g_hash_table_lookup(type_table_get(), name);
    if (ti && ti->name == name) {
        __atomic_store_n(slot, ti, __ATOMIC_RELEASE);
    }
    return ti;
}

/* @static_name: info->name lives for ever (type_register_static), so
 * keep the pointer itself; TYPE_FOO literals then compare equal to it. */
static TypeImpl *type_new(const TypeInfo *info, bool static_name)
{
    TypeImpl *ti = g_new0(TypeImpl, 1);
    int i;

    if (!all_types) {
        all_types = g_ptr_array_new();
    }
    g_ptr_array_add(all_types, ti);

    g_assert(info->name != NULL);
    ti->name = static_name ? info->name : g_strdup(info->name);
    ti->parent = g_strdup(info->parent);
    ti->class_size = info->class_size;
    ti->instance_size = info->instance_size;
    ti->instance_align = info->instance_align;
    ti->class_init = info->class_init;
    ti->class_base_init = info->class_base_init;
    ti->class_data = info->class_data;
    ti->instance_init = info->instance_init;
    ti->instance_post_init = info->instance_post_init;
    ti->instance_finalize = info->instance_finalize;
    ti->abstract = info->abstract;

    for (i = 0; info->interfaces && info->interfaces[i].type; i++) {
        g_assert(i < MAX_INTERFACES);
        ti->interfaces[i] = g_strdup(info->interfaces[i].type);
    }
    ti->num_interfaces = i;
    return ti;
}

static Type type_register_internal(const TypeInfo *info, bool static_name)
{
    TypeImpl *ti;

    if (g_hash_table_lookup(type_table_get(), info->name)) {
        fprintf(stderr, "Registering '%s' which already exists\n",
                info->name);
        abort();
    }
    ti = type_new(info, static_name);
    g_hash_table_insert(type_table_get(), (gpointer)ti->name, ti);
    return ti;
}

Type type_register_static(const TypeInfo *info)
{
    return type_register_internal(info, true);
}

Type type_register(const TypeInfo *info)
{
    /* @info may be temporary: type_new copies the name and the rest. */
    return type_register_internal(info, false);
}

void type_register_static_array(const TypeInfo *infos, int nr_infos)
{
    for (int i = 0; i < nr_infos; i++) {
        type_register_static(&infos[i]);
    }
}

bool type_exists(const char *typename)
{
    return type_get_by_name(typename) != NULL;
}

TypeImpl *type_get_parent(TypeImpl *ti)
{
    if (!ti->parent_type && ti->parent) {
        ti->parent_type = type_get_by_name(ti->parent);
        if (!ti->parent_type) {
            fprintf(stderr, "Type '%s' is missing its parent '%s'\n",
                    ti->name, ti->parent);
            abort();
        }
    }
    return ti->parent_type;
}

bool type_is_ancestor(TypeImpl *type, TypeImpl *target)
{
    for (; type; type = type_get_parent(type)) {
        if (type == target) {
            return true;
        }
    }
    return false;
}

static size_t type_class_get_size(TypeImpl *ti)
{
    if (ti->class_size) {
        return ti->class_size;
    }
    if (type_get_parent(ti)) {
        return type_class_get_size(type_get_parent(ti));
    }
    return sizeof(ObjectClass);
}

static size_t type_object_get_size(TypeImpl *ti)
{
    if (ti->instance_size) {
        return ti->instance_size;
    }
    if (type_get_parent(ti)) {
        return type_object_get_size(type_get_parent(ti));
    }
    return 0;
}

/* Adds to @ti's class the InterfaceClass for @iface_type, whose parent is
 * @parent_type (the interface itself, or the parent class's view of it). */
static void type_initialize_interface(TypeImpl *ti, TypeImpl *iface_type,
                                      TypeImpl *parent_type)
{
    TypeInfo info = { 0 };
    TypeImpl *iface_impl;
    InterfaceClass *new_iface;
    char *name = g_strdup_printf("%s::%s", ti->name, iface_type->name);

    info.name = name;
    info.parent = parent_type->name;
    info.abstract = true;
    iface_impl = type_new(&info, false);    /* not in the table: private */
    iface_impl->hidden = true;
    iface_impl->parent_type = parent_type;
    type_initialize(iface_impl);
    g_free(name);

    new_iface = (InterfaceClass *)iface_impl->class;
    new_iface->concrete_class = ti->class;
    new_iface->interface_type = iface_type;
    ti->class->interfaces = g_slist_append(ti->class->interfaces, new_iface);
}

static void type_initialize_interfaces(TypeImpl *ti, TypeImpl *parent)
{
    GSList *e;

    /* Interfaces the parent implements are implemented here too. */
    for (e = parent->class->interfaces; e; e = e->next) {
        InterfaceClass *iface = e->data;
        type_initialize_interface(ti, iface->interface_type,
                                  OBJECT_CLASS(iface)->type);
    }
    for (int i = 0; i < ti->num_interfaces; i++) {
        TypeImpl *t = type_get_by_name(ti->interfaces[i]);

        if (!t) {
            fprintf(stderr, "missing interface '%s' for object '%s'\n",
                    ti->interfaces[i], parent->name);
            abort();
        }
        if (!type_is_ancestor(t, type_interface)) {
            fprintf(stderr, "'%s' is not an interface (in '%s')\n",
                    ti->interfaces[i], ti->name);
            abort();
        }
        for (e = ti->class->interfaces; e; e = e->next) {
            if (type_is_ancestor(OBJECT_CLASS(e->data)->type, t)) {
                break;      /* already inherited */
            }
        }
        if (!e) {
            type_initialize_interface(ti, t, t);
        }
    }
}

static void type_build_cast_tables(TypeImpl *ti)
{
    GArray *ifaces = g_array_new(false, false, sizeof(struct TypeIfaceCast));
    int n = 0;

    /* Hidden types are not in the table: no cast can name them. */
    for (TypeImpl *t = ti; t; t = t->parent_type) {
        n += !t->hidden;
    }
    ti->ancestor_names = g_new(const char *, n);
    n = 0;
    for (TypeImpl *t = ti; t; t = t->parent_type) {
        if (!t->hidden) {
            ti->ancestor_names[n++] = t->name;
        }
    }
    ti->num_ancestor_names = n;

    for (GSList *e = ti->class->interfaces; e; e = e->next) {
        InterfaceClass *iface = e->data;

        for (TypeImpl *t = iface->interface_type; t; t = t->parent_type) {
            struct TypeIfaceCast c = { t->name, OBJECT_CLASS(iface) };
            guint i;

            for (i = 0; i < ifaces->len; i++) {
                if (g_array_index(ifaces, struct TypeIfaceCast, i).name ==
                    t->name) {
                    break;
                }
            }
            if (i < ifaces->len) {
                /* Two interfaces match this name: ambiguous. */
                g_array_index(ifaces, struct TypeIfaceCast, i).iface = NULL;
            } else {
                g_array_append_val(ifaces, c);
            }
        }
    }
    ti->num_iface_casts = ifaces->len;
    ti->iface_casts = (struct TypeIfaceCast *)g_array_free(ifaces, false);
}

void type_initialize(TypeImpl *ti)
{
    TypeImpl *parent;

    if (ti->class) {
        return;
    }
    ti->class_size = type_class_get_size(ti);
    ti->instance_size = type_object_get_size(ti);
    if (ti->instance_size == 0) {
        ti->abstract = true;    /* no instance size, nothing to instantiate */
    }
    if (!type_interface) {
        type_interface = type_get_by_name(TYPE_INTERFACE);
    }
    ti->is_interface = type_is_ancestor(ti, type_interface);
    if (ti->is_interface) {
        /* Interfaces are classes only: no state, no constructors. */
        g_assert(ti->instance_size == 0 && ti->abstract);
        g_assert(!ti->instance_init && !ti->instance_post_init &&
                 !ti->instance_finalize && !ti->num_interfaces);
    }

    ti->class = g_malloc0(ti->class_size);
    parent = type_get_parent(ti);
    if (parent) {
        type_initialize(parent);
        g_assert(parent->class_size <= ti->class_size);
        g_assert(parent->instance_size <= ti->instance_size);
        memcpy(ti->class, parent->class, parent->class_size);
        ti->class->interfaces = NULL;
        type_initialize_interfaces(ti, parent);
    }
    /* property_order holds only the properties this class adds, but the
     * lookup table starts as a copy of the parent's, which already holds
     * every ancestor's: a lookup is one hash probe, not one per level.
     * (object_class_property_add keeps descendants up to date.) */
    ti->class->properties = g_hash_table_new(g_str_hash, g_str_equal);
    if (parent) {
        GHashTableIter iter;
        gpointer key, value;

        g_hash_table_iter_init(&iter, parent->class->properties);
        while (g_hash_table_iter_next(&iter, &key, &value)) {
            g_hash_table_insert(ti->class->properties, key, value);
        }
        parent->subclassed = true;
    }
    ti->class->property_order = g_ptr_array_new_with_free_func(
        object_property_free);
    memset(ti->class->object_cast_cache, 0,
           sizeof(ti->class->object_cast_cache));
    memset(ti->class->class_cast_cache, 0,
           sizeof(ti->class->class_cast_cache));
    memset(ti->class->object_miss_cache, 0,
           sizeof(ti->class->object_miss_cache));
    ti->class->type = ti;

    for (; parent; parent = type_get_parent(parent)) {
        if (parent->class_base_init) {
            parent->class_base_init(ti->class, ti->class_data);
        }
    }
    if (ti->class_init) {
        ti->class_init(ti->class, ti->class_data);
    }
    type_build_cast_tables(ti);
}

/* ------------------------------------------------------------------ */
/* Class lookups and casts                                              */
/* ------------------------------------------------------------------ */

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_get_by_name(typename);

    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->class;
}

ObjectClass *module_object_class_by_name(const char *typename)
{
    return object_class_by_name(typename);
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    TypeImpl *parent = type_get_parent(klass->type);

    if (!parent) {
        return NULL;
    }
    type_initialize(parent);
    return parent->class;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

/*
 * Fast path: @typename is, by address, the name of an ancestor of @klass
 * or of an interface it implements -- the usual case, as casts pass
 * TYPE_FOO literals and type_register_static keeps that very pointer.
 * No hashing: a scan of the type's flat tables of names (built with the
 * class).  Returns the answer (NULL for an ambiguous interface), or
 * CAST_NOT_FOUND if no name matched by address.
 */
#define CAST_NOT_FOUND ((ObjectClass *)1)

static inline __attribute__((always_inline)) ObjectClass *
class_cast_by_ancestor(ObjectClass *klass, const char *typename)
{
    TypeImpl *ti = klass->type;

    for (int i = 0; i < ti->num_ancestor_names; i++) {
        if (ti->ancestor_names[i] == typename) {
            return klass;
        }
    }
    return CAST_NOT_FOUND;
}

static inline __attribute__((always_inline)) ObjectClass *
class_cast_by_iface(ObjectClass *klass, const char *typename)
{
    TypeImpl *ti = klass->type;

    for (int i = 0; i < ti->num_iface_casts; i++) {
        if (ti->iface_casts[i].name == typename) {
            return ti->iface_casts[i].iface;    /* NULL if ambiguous */
        }
    }
    return CAST_NOT_FOUND;
}

/* A name is either a class or an interface, so the order of the two scans
 * only matters for speed: @iface_first when interfaces are likelier. */
static inline __attribute__((always_inline)) ObjectClass *
class_cast_by_address(ObjectClass *klass, const char *typename,
                      bool iface_first)
{
    ObjectClass *ret;

    if (iface_first) {
        ret = class_cast_by_iface(klass, typename);
        return ret != CAST_NOT_FOUND ? ret
                                     : class_cast_by_ancestor(klass, typename);
    }
    ret = class_cast_by_ancestor(klass, typename);
    return ret != CAST_NOT_FOUND ? ret : class_cast_by_iface(klass, typename);
}

ObjectClass *type_class_cast(ObjectClass *klass, const char *typename,
                             bool *canonical)
{
    TypeImpl *type, *target;
    ObjectClass *ret = NULL;

    *canonical = false;
    if (!klass) {
        return NULL;
    }
    ret = class_cast_by_address(klass, typename, false);
    if (ret != CAST_NOT_FOUND) {
        *canonical = true;
        return ret;
    }
    ret = NULL;
    type = klass->type;
    target = type_get_by_name(typename);
    if (!target) {
        return NULL;
    }
    *canonical = target->name == typename;
    type_initialize(target);
    if (klass->interfaces && target->is_interface) {
        int found = 0;

        for (GSList *i = klass->interfaces; i; i = i->next) {
            ObjectClass *iface = i->data;

            if (type_is_ancestor(iface->type, target)) {
                ret = iface;
                found++;
            }
        }
        if (found > 1) {
            ret = NULL;     /* ambiguous: refuse the cast, as QEMU does */
        }
    } else if (type_is_ancestor(type, target)) {
        ret = klass;
    }
    return ret;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename)
{
    bool canonical;

    return type_class_cast(klass, typename, &canonical);
}

static void class_cast_cache_insert(ObjectClass *klass, const char *typename)
{
    int i;

    for (i = 1; i < OBJECT_CLASS_CAST_CACHE; i++) {
        qom_cache_set(&klass->class_cast_cache[i - 1],
                      qom_cache_get(&klass->class_cast_cache[i]));
    }
    qom_cache_set(&klass->class_cast_cache[i - 1], typename);
}

/* Names not registered by address (heap copies), and failures. */
static G_GNUC_NO_INLINE ObjectClass *
class_cast_assert_slow(ObjectClass *klass, const char *typename,
                       const char *file, int line, const char *func)
{
    bool canonical;
    ObjectClass *ret = type_class_cast(klass, typename, &canonical);

    if (!ret) {
        fprintf(stderr, "%s:%d:%s: Object %p is not an instance of type %s\n",
                file, line, func, (void *)klass, typename);
        abort();
    }
    /* Only a registered name can be remembered by address: a caller's
     * heap copy may be freed and its address reused for another name. */
    if (ret == klass && canonical) {
        class_cast_cache_insert(klass, typename);
    }
    return ret;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func)
{
    ObjectClass *ret;

    if (!klass) {
        return NULL;
    }
    /* The cache holds names for which the cast returns klass itself. */
#pragma GCC unroll 4
    for (int i = 0; i < OBJECT_CLASS_CAST_CACHE; i++) {
        if (qom_cache_get(&klass->class_cast_cache[i]) == typename) {
            return klass;
        }
    }
    /* Interface views (FOO_GET_CLASS of an interface) are not cached,
     * but the name tables answer them without hashing; ancestors are
     * usually in the cache already, so look at interfaces first. */
    ret = class_cast_by_address(klass, typename, true);
    if (ret != CAST_NOT_FOUND && ret) {
        if (ret == klass) {
            class_cast_cache_insert(klass, typename);
        }
        return ret;
    }
    return class_cast_assert_slow(klass, typename, file, line, func);
}

/* ------------------------------------------------------------------ */
/* Enumerating classes                                                  */
/* ------------------------------------------------------------------ */

static gint type_name_cmp(gconstpointer a, gconstpointer b)
{
    const TypeImpl *ta = *(TypeImpl *const *)a;
    const TypeImpl *tb = *(TypeImpl *const *)b;

    return strcmp(ta->name, tb->name);
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque)
{
    /* Snapshot first: class_init of one type may register nothing, but
     * it may look other classes up, and a hash table must not change
     * while it is iterated. */
    GList *values = g_hash_table_get_values(type_table_get());
    GPtrArray *types = g_ptr_array_new();

    for (GList *l = values; l; l = l->next) {
        g_ptr_array_add(types, l->data);
    }
    g_list_free(values);
    g_ptr_array_sort(types, type_name_cmp);
    for (guint i = 0; i < types->len; i++) {
        TypeImpl *ti = types->pdata[i];

        type_initialize(ti);
        if (ti->abstract && !include_abstract) {
            continue;
        }
        if (implements_type &&
            !object_class_dynamic_cast(ti->class, implements_type)) {
            continue;
        }
        fn(ti->class, opaque);
    }
    g_ptr_array_unref(types);
}

static void object_class_get_list_tramp(ObjectClass *klass, void *opaque)
{
    GSList **list = opaque;

    *list = g_slist_prepend(*list, klass);
}

GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract)
{
    GSList *list = NULL;

    object_class_foreach(object_class_get_list_tramp, implements_type,
                         include_abstract, &list);
    return g_slist_reverse(list);
}

GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract)
{
    /* object_class_foreach already walks in name order. */
    return object_class_get_list(implements_type, include_abstract);
}

/* ------------------------------------------------------------------ */
/* The two root types                                                   */
/* ------------------------------------------------------------------ */

static char *object_get_type_prop(Object *obj, Error **errp)
{
    (void)errp;
    return g_strdup(object_get_typename(obj));
}

static void object_class_init(ObjectClass *klass, void *data)
{
    (void)data;
    object_class_property_add_str(klass, "type", object_get_type_prop, NULL);
}

static const TypeInfo object_root_types[] = {
    {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_init = object_class_init,
        .abstract = true,
    },
    {
        .name = TYPE_INTERFACE,
        .class_size = sizeof(InterfaceClass),
        .abstract = true,
    },
};

DEFINE_TYPES(object_root_types)

/* @prop was just added to @klass: descendants already initialised copied
 * @klass's table before it existed, so give it to those that do not have
 * their own property of that name (which shadows it). */
void type_class_property_added(ObjectClass *klass, ObjectProperty *prop)
{
    if (!klass->type->subclassed) {
        return;     /* the usual case: called from class_init */
    }
    for (guint i = 0; i < all_types->len; i++) {
        TypeImpl *ti = all_types->pdata[i];

        if (ti->class && ti != klass->type &&
            type_is_ancestor(ti, klass->type) &&
            !g_hash_table_lookup(ti->class->properties, prop->name)) {
            g_hash_table_insert(ti->class->properties, prop->name, prop);
        }
    }
}
