/*
 * qdev-user.c - the qdev side of -device / device_add / device-list-
 * properties: driver lookup with QEMU's legacy aliases, placement of
 * user-created devices, property listing.  After QEMU 7.2's
 * softmmu/qdev-monitor.c and qom/qom-qmp-cmds.c; see
 * include/hw/core/qdev-user.h.
 */
#include "util/osdep.h"
#include "hw/core/qdev-user.h"

/* --- aliases ---------------------------------------------------------- */

/*
 * QEMU's qdev_alias_table, the entries that apply to x86 (the only
 * target here).  "Aliases were a bad idea from the start.  Let's keep
 * them from spreading further."
 */
static const struct {
    const char *typename;
    const char *alias;
} qdev_alias_table[] = {
    { "AC97", "ac97" },
    { "e1000", "e1000-82540em" },
    { "ES1370", "es1370" },
    { "ich9-ahci", "ahci" },
    { "lsi53c895a", "lsi" },
    { "virtio-9p-pci", "virtio-9p" },
    { "virtio-balloon-pci", "virtio-balloon" },
    { "virtio-blk-pci", "virtio-blk" },
    { "virtio-gpu-pci", "virtio-gpu" },
    { "virtio-input-host-pci", "virtio-input-host" },
    { "virtio-iommu-pci", "virtio-iommu" },
    { "virtio-keyboard-pci", "virtio-keyboard" },
    { "virtio-mouse-pci", "virtio-mouse" },
    { "virtio-net-pci", "virtio-net" },
    { "virtio-rng-pci", "virtio-rng" },
    { "virtio-scsi-pci", "virtio-scsi" },
    { "virtio-serial-pci", "virtio-serial" },
    { "virtio-tablet-pci", "virtio-tablet" },
};

const char *qdev_class_get_alias(DeviceClass *dc)
{
    const char *typename = object_class_get_name(OBJECT_CLASS(dc));

    for (size_t i = 0; i < G_N_ELEMENTS(qdev_alias_table); i++) {
        if (strcmp(qdev_alias_table[i].typename, typename) == 0) {
            return qdev_alias_table[i].alias;
        }
    }
    return NULL;
}

const char *qdev_find_typename_by_alias(const char *alias)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qdev_alias_table); i++) {
        if (strcmp(qdev_alias_table[i].alias, alias) == 0) {
            return qdev_alias_table[i].typename;
        }
    }
    return NULL;
}

DeviceClass *qdev_get_device_class(const char **driver, Error **errp)
{
    const char *original_name = *driver;
    ObjectClass *oc = module_object_class_by_name(*driver);
    DeviceClass *dc;

    if (!oc) {
        const char *typename = qdev_find_typename_by_alias(*driver);

        if (typename) {
            *driver = typename;
            oc = module_object_class_by_name(*driver);
        }
    }
    if (!object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        if (*driver != original_name) {
            error_setg(errp, "'%s' (alias '%s') is not a valid device model"
                       " name", original_name, *driver);
        } else {
            error_setg(errp, "'%s' is not a valid device model name",
                       *driver);
        }
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter '%s' expects %s", "driver",
                   "a non-abstract device type");
        return NULL;
    }
    dc = DEVICE_CLASS(oc);
    if (!dc->user_creatable ||
        (phase_check(PHASE_MACHINE_READY) && !dc->hotpluggable)) {
        error_setg(errp, "Parameter '%s' expects %s", "driver",
                   "a pluggable device type");
        return NULL;
    }
    return dc;
}

/* --- placement -------------------------------------------------------- */

Object *qdev_get_peripheral(void)
{
    return container_get(qdev_get_machine(), "/peripheral");
}

Object *qdev_get_peripheral_anon(void)
{
    return container_get(qdev_get_machine(), "/peripheral-anon");
}

const char *qdev_set_id(DeviceState *dev, char *id, Error **errp)
{
    /* N of the next peripheral-anon/device[N]; never reused, as QEMU. */
    static int anon_count;
    ObjectProperty *prop;

    assert(!dev->id && !dev->realized);
    /* object_property_[try_]add_child() asserts @dev has no parent. */
    if (id) {
        prop = object_property_try_add_child(qdev_get_peripheral(), id,
                                             OBJECT(dev), NULL);
        if (!prop) {
            error_setg(errp, "Duplicate device ID '%s'", id);
            g_free(id);
            return NULL;
        }
        dev->id = id;
    } else {
        g_autofree char *name = g_strdup_printf("device[%d]", anon_count++);

        prop = object_property_add_child(qdev_get_peripheral_anon(), name,
                                         OBJECT(dev));
    }
    return prop->name;
}

/* --- device-list-properties ------------------------------------------- */

static void device_property_info_free(gpointer p)
{
    DevicePropertyInfo *info = p;

    g_free(info->name);
    g_free(info->type);
    g_free(info->description);
    if (info->default_value) {
        g_variant_unref(info->default_value);
    }
    g_free(info);
}

/* Properties every device has, which say nothing about this one. */
static bool device_property_is_generic(const char *name)
{
    return strcmp(name, "type") == 0 ||
           strcmp(name, "realized") == 0 ||
           strcmp(name, "hotpluggable") == 0 ||
           strcmp(name, "hotplugged") == 0 ||
           strcmp(name, "parent_bus") == 0 ||
           /* string versions of properties already listed */
           g_str_has_prefix(name, "legacy-");
}

GPtrArray *qdev_device_list_properties(const char *typename, Error **errp)
{
    ObjectClass *klass = module_object_class_by_name(typename);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    GPtrArray *list;
    Object *obj;

    if (!klass) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(klass, TYPE_DEVICE) ||
        object_class_is_abstract(klass)) {
        error_setg(errp, "Parameter '%s' expects %s", "typename",
                   "a non-abstract device type");
        return NULL;
    }

    list = g_ptr_array_new_with_free_func(device_property_info_free);
    obj = object_new_with_class(klass);
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        DevicePropertyInfo *info;

        if (device_property_is_generic(prop->name)) {
            continue;
        }
        info = g_new0(DevicePropertyInfo, 1);
        info->name = g_strdup(prop->name);
        info->type = g_strdup(prop->type);
        info->description = g_strdup(prop->description);
        info->default_value = prop->defval ? g_variant_ref(prop->defval)
                                           : NULL;
        g_ptr_array_add(list, info);
    }
    object_unref(obj);
    return list;
}
