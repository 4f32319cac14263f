/*
 * qdev-monitor.c - creating devices from user options (-device, and
 * device_add once there is a monitor), bus paths, and `-device help`
 * (QEMU 7.2's softmmu/qdev-monitor.c).  See
 * include/system/qdev-monitor.h.
 *
 * Not modelled: failover (hidden devices), the machine's hotplug
 * handler (a device without a bus cannot be hot-plugged), migration
 * checks, JSON -device, dynamic sysbus devices (no sysbus device is
 * user-creatable yet, so qdev_get_device_class already refuses them).
 */
#include "util/osdep.h"
#include "util/keyval.h"
#include "hw/core/qdev-user.h"
#include "hw/core/sysbus.h"
#include "machine/machine.h"
#include "system/qom-help.h"
#include "system/qdev-monitor.h"

/* --- -device help -------------------------------------------------------- */

static void qdev_print_devinfo(GString *out, DeviceClass *dc)
{
    const char *alias = qdev_class_get_alias(dc);

    g_string_append_printf(out, "name \"%s\"",
                           object_class_get_name(OBJECT_CLASS(dc)));
    if (dc->bus_type) {
        g_string_append_printf(out, ", bus %s", dc->bus_type);
    }
    if (alias) {
        g_string_append_printf(out, ", alias \"%s\"", alias);
    }
    if (dc->desc) {
        g_string_append_printf(out, ", desc \"%s\"", dc->desc);
    }
    if (!dc->user_creatable) {
        g_string_append(out, ", no-user");
    }
    g_string_append_c(out, '\n');
}

/* QEMU sorts device types case-insensitively (object_class_cmp). */
static gint class_name_casecmp(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(object_class_get_name((ObjectClass *)a),
                              object_class_get_name((ObjectClass *)b));
}

void qdev_print_devinfos(GString *out, bool show_no_user)
{
    static const char *const cat_name[DEVICE_CATEGORY_MAX + 1] = {
        [DEVICE_CATEGORY_BRIDGE] = "Controller/Bridge/Hub",
        [DEVICE_CATEGORY_USB] = "USB",
        [DEVICE_CATEGORY_STORAGE] = "Storage",
        [DEVICE_CATEGORY_NETWORK] = "Network",
        [DEVICE_CATEGORY_INPUT] = "Input",
        [DEVICE_CATEGORY_DISPLAY] = "Display",
        [DEVICE_CATEGORY_SOUND] = "Sound",
        [DEVICE_CATEGORY_MISC] = "Misc",
        [DEVICE_CATEGORY_CPU] = "CPU",
        [DEVICE_CATEGORY_WATCHDOG] = "Watchdog",
        [DEVICE_CATEGORY_MAX] = "Uncategorized",
    };
    GSList *list = g_slist_sort(object_class_get_list(TYPE_DEVICE, false),
                                class_name_casecmp);

    for (int i = 0; i <= DEVICE_CATEGORY_MAX; i++) {
        bool cat_printed = false;

        for (GSList *elt = list; elt; elt = elt->next) {
            DeviceClass *dc = DEVICE_CLASS(elt->data);
            bool in_cat = i < DEVICE_CATEGORY_MAX
                          ? device_class_has_category(dc, i)
                          : dc->categories == 0;

            if (!in_cat || (!show_no_user && !dc->user_creatable)) {
                continue;
            }
            if (!cat_printed) {
                g_string_append_printf(out, "%s%s devices:\n",
                                       i ? "\n" : "", cat_name[i]);
                cat_printed = true;
            }
            qdev_print_devinfo(out, dc);
        }
    }
    g_slist_free(list);
}

bool qdev_device_help(QemuOpts *opts)
{
    const char *driver = qemu_opt_get(opts, "driver");
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GPtrArray) props = NULL;
    g_autoptr(GPtrArray) lines = NULL;
    Error *err = NULL;

    if (driver && (!strcmp(driver, "help") || !strcmp(driver, "?"))) {
        qdev_print_devinfos(out, false);
        fputs(out->str, stdout);
        return true;
    }
    if (!driver || !qemu_opt_has_help_opt(opts)) {
        return false;
    }
    if (!object_class_by_name(driver) &&
        qdev_find_typename_by_alias(driver)) {
        driver = qdev_find_typename_by_alias(driver);
    }
    props = qdev_device_list_properties(driver, &err);
    if (!props) {
        error_report_err(err);
        return true;
    }
    lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < props->len; i++) {
        DevicePropertyInfo *info = props->pdata[i];

        g_ptr_array_add(lines, object_property_help(info->name, info->type,
                                                    info->default_value,
                                                    info->description));
    }
    help_print_sorted(out, driver, lines);
    fputs(out->str, stdout);
    return true;
}

/* --- bus paths ----------------------------------------------------------- */

static void qbus_error_append_bus_list_hint(DeviceState *dev, Error **errp)
{
    const char *sep = " ";

    error_append_hint(errp, "child buses at \"%s\":",
                      dev->id ? dev->id : object_get_typename(OBJECT(dev)));
    for (GList *l = dev->child_bus; l; l = l->next) {
        error_append_hint(errp, "%s\"%s\"", sep, ((BusState *)l->data)->name);
        sep = ", ";
    }
    error_append_hint(errp, "\n");
}

static void qbus_error_append_dev_list_hint(BusState *bus, Error **errp)
{
    const char *sep = " ";

    error_append_hint(errp, "devices at \"%s\":", bus->name);
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = ((BusChild *)l->data)->child;

        error_append_hint(errp, "%s\"%s\"", sep,
                          object_get_typename(OBJECT(dev)));
        if (dev->id) {
            error_append_hint(errp, "/\"%s\"", dev->id);
        }
        sep = ", ";
    }
    error_append_hint(errp, "\n");
}

static BusState *qbus_find_bus(DeviceState *dev, const char *elem)
{
    for (GList *l = dev->child_bus; l; l = l->next) {
        BusState *child = l->data;

        if (!strcmp(child->name, elem)) {
            return child;
        }
    }
    return NULL;
}

/* A device on @bus by id, then type name, then legacy alias. */
static DeviceState *qbus_find_dev(BusState *bus, const char *elem)
{
    for (int pass = 0; pass < 3; pass++) {
        for (GList *l = bus->children; l; l = l->next) {
            DeviceState *dev = ((BusChild *)l->data)->child;
            const char *name =
                pass == 0 ? dev->id :
                pass == 1 ? object_get_typename(OBJECT(dev)) :
                qdev_class_get_alias(DEVICE_GET_CLASS(dev));

            if (name && !strcmp(name, elem)) {
                return dev;
            }
        }
    }
    return NULL;
}

/*
 * QEMU's qbus_find_recursive(): below @bus, the bus named @name, or (name
 * NULL) the first bus of type @bus_typename, preferring one that is not
 * full.  Bus names need not be unique; the first match wins.
 */
static BusState *qbus_find_recursive(BusState *bus, const char *name,
                                     const char *bus_typename)
{
    BusState *pick;
    bool match = name ? !strcmp(bus->name, name)
                      : !!object_dynamic_cast(OBJECT(bus), bus_typename);

    if (match && !qbus_is_full(bus)) {
        return bus;
    }
    pick = match ? bus : NULL;
    for (GList *l = bus->children; l; l = l->next) {
        DeviceState *dev = ((BusChild *)l->data)->child;

        for (GList *c = dev->child_bus; c; c = c->next) {
            BusState *ret = qbus_find_recursive(c->data, name, bus_typename);

            if (ret && !qbus_is_full(ret)) {
                return ret;
            }
            if (ret && !pick) {
                pick = ret;
            }
        }
    }
    return pick;
}

/* The next '/'-separated element of @path at *@pos; *@pos moves past it
 * and the slashes after it. */
static char *path_next(const char *path, int *pos)
{
    int len = strcspn(path + *pos, "/");
    char *elem = g_strndup(path + *pos, len);

    *pos += len;
    while (path[*pos] == '/') {
        (*pos)++;
    }
    return elem;
}

/* From a device at the end of the path: its only child bus. */
static BusState *qbus_of_last_device(DeviceState *dev, const char *elem,
                                     Error **errp)
{
    if (dev->num_child_bus == 1) {
        return dev->child_bus->data;
    }
    if (dev->num_child_bus) {
        error_setg(errp, "Device '%s' has multiple child buses", elem);
        qbus_error_append_bus_list_hint(dev, errp);
    } else {
        error_setg(errp, "Device '%s' has no child bus", elem);
    }
    return NULL;
}

BusState *qbus_find(const char *path, Error **errp)
{
    BusState *bus = sysbus_get_default();
    int pos = 0;

    if (path[0] != '/') {
        g_autofree char *elem = path_next(path, &pos);

        bus = qbus_find_recursive(bus, elem, NULL);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", elem);
            return NULL;
        }
    }
    while (path[pos] == '/') {
        pos++;
    }
    while (path[pos]) {
        g_autofree char *dev_elem = path_next(path, &pos);
        g_autofree char *bus_elem = NULL;
        DeviceState *dev = qbus_find_dev(bus, dev_elem);

        if (!dev) {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", dev_elem);
            qbus_error_append_dev_list_hint(bus, errp);
            return NULL;
        }
        if (!path[pos]) {
            bus = qbus_of_last_device(dev, dev_elem, errp);
            if (!bus) {
                return NULL;
            }
            break;
        }
        bus_elem = path_next(path, &pos);
        bus = qbus_find_bus(dev, bus_elem);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", bus_elem);
            qbus_error_append_bus_list_hint(dev, errp);
            return NULL;
        }
    }
    if (qbus_is_full(bus)) {
        error_setg(errp, "Bus '%s' is full", path);
        return NULL;
    }
    return bus;
}

/* --- creating a device --------------------------------------------------- */

/* The bus for a new @driver device: "bus=" or the first of its type. */
static bool device_find_bus(DeviceClass *dc, const char *driver,
                            const char *path, BusState **bus, Error **errp)
{
    *bus = NULL;
    if (path) {
        *bus = qbus_find(path, errp);
        if (!*bus) {
            return false;
        }
        if (!object_dynamic_cast(OBJECT(*bus), dc->bus_type)) {
            error_setg(errp, "Device '%s' can't go on %s bus", driver,
                       object_get_typename(OBJECT(*bus)));
            return false;
        }
    } else if (dc->bus_type) {
        *bus = qbus_find_recursive(sysbus_get_default(), NULL, dc->bus_type);
        if (!*bus || qbus_is_full(*bus)) {
            error_setg(errp, "No '%s' bus found for device '%s'",
                       dc->bus_type, driver);
            return false;
        }
    }
    if (phase_check(PHASE_MACHINE_READY) && *bus &&
        !qbus_is_hotpluggable(*bus)) {
        error_setg(errp, "Bus '%s' does not support hotplugging",
                   (*bus)->name);
        return false;
    }
    return true;
}

/* Set every property of @opts but driver, bus and id, in order. */
static bool device_set_props(DeviceState *dev, GVariant *opts, Error **errp)
{
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_variant_iter_init(&iter, opts);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        if (!strcmp(key, "driver") || !strcmp(key, "bus") ||
            !strcmp(key, "id")) {
            continue;
        }
        if (!object_property_parse_keyval(OBJECT(dev), key,
                                          g_variant_get_string(value, NULL),
                                          errp)) {
            g_variant_unref(value);
            return false;
        }
    }
    return true;
}

DeviceState *qdev_device_add_from_keyval(GVariant *opts, Error **errp)
{
    const char *driver = keyval_get_str(opts, "driver");
    DeviceClass *dc;
    BusState *bus;
    DeviceState *dev;

    if (!driver) {
        error_setg(errp, "Parameter '%s' is missing", "driver");
        return NULL;
    }
    dc = qdev_get_device_class(&driver, errp);
    if (!dc ||
        !device_find_bus(dc, driver, keyval_get_str(opts, "bus"), &bus,
                         errp)) {
        return NULL;
    }
    if (phase_check(PHASE_MACHINE_READY) && !bus) {
        /* No machine hotplug handler in qomu. */
        error_setg(errp, "Device '%s' can not be hotplugged on this machine",
                   driver);
        return NULL;
    }
    dev = qdev_new(driver);
    if (!qdev_set_id(dev, g_strdup(keyval_get_str(opts, "id")), errp) ||
        !device_set_props(dev, opts, errp) ||
        !qdev_realize(dev, bus, errp)) {
        object_unparent(OBJECT(dev));
        object_unref(OBJECT(dev));
        return NULL;
    }
    return dev;
}

DeviceState *qdev_device_add(QemuOpts *opts, Error **errp)
{
    g_autoptr(GVariant) dict = qemu_opts_to_keyval(opts);

    return qdev_device_add_from_keyval(dict, errp);
}
