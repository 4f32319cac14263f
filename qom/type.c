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
static TypeImpl *type_interface;    /* "interface" */

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

TypeImpl *type_get_by_name(const char *name)
{
    return name ? g_hash_table_lookup(type_table_get(), name) : NULL;
}

static TypeImpl *type_new(const TypeInfo *info)
{
    TypeImpl *ti = g_new0(TypeImpl, 1);
    int i;

    g_assert(info->name != NULL);
    ti->name = g_strdup(info->name);
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

Type type_register_static(const TypeInfo *info)
{
    TypeImpl *ti;

    if (g_hash_table_lookup(type_table_get(), info->name)) {
        fprintf(stderr, "Registering '%s' which already exists\n",
                info->name);
        abort();
    }
    ti = type_new(info);
    g_hash_table_insert(type_table_get(), (gpointer)ti->name, ti);
    return ti;
}

Type type_register(const TypeInfo *info)
{
    /* type_new copies everything it keeps, so the two are the same. */
    return type_register_static(info);
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
    iface_impl = type_new(&info);       /* not in the table: private */
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
    /* Each class owns only the properties it adds; lookups walk up. */
    ti->class->properties = g_hash_table_new(g_str_hash, g_str_equal);
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

ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename)
{
    TypeImpl *type, *target;
    ObjectClass *ret = NULL;

    if (!klass) {
        return NULL;
    }
    type = klass->type;
    if (type->name == typename) {
        return klass;       /* leaf fast path: same string literal */
    }
    target = type_get_by_name(typename);
    if (!target) {
        return NULL;
    }
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

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func)
{
    ObjectClass *ret;
    int i;

    if (!klass) {
        return NULL;
    }
    /* The cache holds names for which the cast returns klass itself. */
    for (i = 0; i < OBJECT_CLASS_CAST_CACHE; i++) {
        if (g_atomic_pointer_get(&klass->class_cast_cache[i]) == typename) {
            return klass;
        }
    }
    ret = object_class_dynamic_cast(klass, typename);
    if (!ret) {
        fprintf(stderr, "%s:%d:%s: Object %p is not an instance of type %s\n",
                file, line, func, (void *)klass, typename);
        abort();
    }
    if (ret == klass) {
        for (i = 1; i < OBJECT_CLASS_CAST_CACHE; i++) {
            g_atomic_pointer_set(&klass->class_cast_cache[i - 1],
                g_atomic_pointer_get(&klass->class_cast_cache[i]));
        }
        g_atomic_pointer_set(&klass->class_cast_cache[i - 1], typename);
    }
    return ret;
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
