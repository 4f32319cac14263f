/*
 * hmp-tree.c - the text of `info qtree` and `info qom-tree` (QEMU 7.2's
 * qdev_print/qbus_print in softmmu/qdev-monitor.c and
 * print_qom_composition in monitor/hmp-cmds.c).
 *
 * info qtree, from the main system bus down:
 *   bus: main-system-bus
 *     type System
 *     dev: isabus-bridge, id ""
 *       bus: isa.0
 *         type ISA
 *         dev: isa-debug-exit, id ""
 *           iobase = 244 (0xf4)
 * A device prints its GPIOs, its static properties class by class from
 * the leaf up (in QEMU's human text form, see qtree_prop_value), then
 * what its bus adds (BusClass print_dev: PCI class and BARs, sysbus
 * mmio), then its child buses.
 *
 * info qom-tree: every child below an object, sorted by name (strcmp,
 * so "device[10]" sorts before "device[1]", as in QEMU).
 */
#include "util/osdep.h"
#include "hw/core/irq.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/sysbus.h"
#include "util/cutils.h"
#include "monitor/hmp.h"

static void qbus_print(GString *out, BusState *bus, int indent);

/*
 * A property's value as QEMU's string output visitor prints it in human
 * mode: integers "233 (0xe9)" (unsigned ones through int64, so
 * UINT64_MAX is "-1 (0xffffffffffffffff)"), sizes "2147483648 (2 GiB)",
 * strings and enums quoted, booleans bare.  A property with its own text
 * form (a PCI devfn's "04.0") prints that.  NULL if it cannot be read.
 */
static char *qtree_prop_value(DeviceState *dev, const char *name)
{
    ObjectProperty *op = object_property_find(OBJECT(dev), name);
    g_autoptr(GVariant) v = op ? object_property_get(OBJECT(dev), name,
                                                     NULL)
                               : NULL;
    int64_t i;

    if (!v) {
        return NULL;
    }
    if (op->print) {
        return op->print(OBJECT(dev), op, v);
    }
    if (!strcmp(op->type, "size") &&
        g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
        g_autofree char *human = size_to_str(g_variant_get_uint64(v));

        return g_strdup_printf("%" PRIu64 " (%s)", g_variant_get_uint64(v),
                               human);
    }
    switch (g_variant_classify(v)) {
    case G_VARIANT_CLASS_BOOLEAN:
        return g_strdup(g_variant_get_boolean(v) ? "true" : "false");
    case G_VARIANT_CLASS_INT64:
        i = g_variant_get_int64(v);
        break;
    case G_VARIANT_CLASS_UINT64:
        i = (int64_t)g_variant_get_uint64(v);
        break;
    case G_VARIANT_CLASS_STRING:
        return g_strdup_printf("\"%s\"", g_variant_get_string(v, NULL));
    default:
        return object_property_print(OBJECT(dev), name, true, NULL);
    }
    return g_strdup_printf("%" PRId64 " (0x%" PRIx64 ")", i, (uint64_t)i);
}

static void qdev_print_props(GString *out, DeviceState *dev,
                             const Property *props, int indent)
{
    for (; props && props->name; props++) {
        g_autofree char *value = NULL;

        /* QEMU 7.2 prints no link<> property (virtio-blk's iothread):
         * its string output visitor cannot print one */
        if (props->info == &qdev_prop_link) {
            continue;
        }
        value = qtree_prop_value(dev, props->name);
        if (!value) {
            continue;           /* unreadable: QEMU skips it too */
        }
        g_string_append_printf(out, "%*s%s = %s\n", indent, "", props->name,
                               *value ? value : "<null>");
    }
}

static void qdev_print(GString *out, DeviceState *dev, int indent)
{
    ObjectClass *class = object_get_class(OBJECT(dev));
    ObjectClass *device_class = object_class_by_name(TYPE_DEVICE);
    BusClass *bc;

    g_string_append_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
                           object_get_typename(OBJECT(dev)),
                           dev->id ? dev->id : "");
    indent += 2;
    qdev_print_gpios(out, dev, indent);
    do {
        qdev_print_props(out, dev, DEVICE_CLASS(class)->props_, indent);
        class = object_class_get_parent(class);
    } while (class != device_class);
    bc = dev->parent_bus ? BUS_GET_CLASS(dev->parent_bus) : NULL;
    if (bc && bc->print_dev) {
        bc->print_dev(out, dev, indent);
    }
    /* child_bus is newest first, QEMU's QLIST_INSERT_HEAD order too. */
    for (GList *l = dev->child_bus; l; l = l->next) {
        qbus_print(out, l->data, indent);
    }
}

static void qbus_print(GString *out, BusState *bus, int indent)
{
    g_string_append_printf(out, "%*sbus: %s\n", indent, "", bus->name);
    indent += 2;
    g_string_append_printf(out, "%*stype %s\n", indent, "",
                           object_get_typename(OBJECT(bus)));
    for (GList *l = bus->children; l; l = l->next) {
        qdev_print(out, ((BusChild *)l->data)->child, indent);
    }
}

void hmp_format_qtree(GString *out)
{
    qbus_print(out, sysbus_get_default(), 0);
}

static int collect_child(Object *child, void *opaque)
{
    g_ptr_array_add(opaque, child);
    return 0;
}

static int qom_composition_compare(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(
        object_get_canonical_path_component(*(Object *const *)a),
        object_get_canonical_path_component(*(Object *const *)b));
}

static void print_qom_composition(GString *out, Object *obj, int indent)
{
    g_autoptr(GPtrArray) children = g_ptr_array_new();
    const char *name = obj == object_get_root() ? ""
                       : object_get_canonical_path_component(obj);

    g_string_append_printf(out, "%*s/%s (%s)\n", indent, "", name,
                           object_get_typename(obj));
    object_child_foreach(obj, collect_child, children);
    g_ptr_array_sort(children, qom_composition_compare);
    for (guint i = 0; i < children->len; i++) {
        print_qom_composition(out, children->pdata[i], indent + 2);
    }
}

void hmp_format_qom_tree(GString *out, Object *obj)
{
    print_qom_composition(out, obj, 0);
}
