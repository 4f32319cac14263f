/*
 * irq.c - IRQ lines (TYPE_IRQ) and device GPIOs (QEMU 7.2's hw/core/irq.c
 * and the GPIO part of hw/core/qdev.c).  See include/hw/core/irq.h.
 *
 * GPIOs live entirely in QOM properties, as QEMU lays them out: an input
 * line is a child<irq> "NAME[i]" of its device; an output is a
 * link<irq> "NAME[i]" whose storage is the device's own qemu_irq array.
 * The output links are our own small property kind (not
 * object_property_add_link) so that a board can connect a line that is
 * not in the tree yet, by pointer, before either device is realized.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/irq.h"

#define UNNAMED_GPIO_IN "unnamed-gpio-in"
#define UNNAMED_GPIO_OUT "unnamed-gpio-out"

/* --- lines --------------------------------------------------------------- */

void qemu_set_irq(qemu_irq irq, int level)
{
    if (!irq) {
        return;
    }
    irq->level = level;
    if (irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
    if (irq->observer) {
        irq->observer(irq->observer_opaque, irq->n, level);
    }
}

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    IRQState *irq = IRQ(object_new(TYPE_IRQ));

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq *s = g_new0(qemu_irq, n);

    for (int i = 0; i < n; i++) {
        s[i] = qemu_allocate_irq(handler, opaque, i);
    }
    return s;
}

void qemu_free_irq(qemu_irq irq)
{
    if (irq) {
        object_unref(irq);
    }
}

void qemu_free_irqs(qemu_irq *s, int n)
{
    if (!s) {
        return;
    }
    for (int i = 0; i < n; i++) {
        qemu_free_irq(s[i]);
    }
    g_free(s);
}

void qemu_irq_set_observer(qemu_irq irq, qemu_irq_handler fn, void *opaque)
{
    irq->observer = fn;
    irq->observer_opaque = fn ? opaque : NULL;
}

void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           int n)
{
    /* QEMU's: the copies are never freed (qtest runs until exit). */
    qemu_irq *old_irqs = qemu_allocate_irqs(NULL, NULL, n);

    for (int i = 0; i < n; i++) {
        old_irqs[i]->handler = gpio_in[i]->handler;
        old_irqs[i]->opaque = gpio_in[i]->opaque;
        old_irqs[i]->n = gpio_in[i]->n;
        gpio_in[i]->handler = handler;
        gpio_in[i]->opaque = old_irqs;
    }
}

/* --- GPIO inputs ---------------------------------------------------------- */

static char *gpio_prop_name(const char *name, bool in, int i)
{
    return g_strdup_printf("%s[%d]",
                           name ? name : in ? UNNAMED_GPIO_IN
                                            : UNNAMED_GPIO_OUT, i);
}

int qdev_get_gpio_in_count(DeviceState *dev, const char *name)
{
    int n = 0;

    for (;; n++) {
        g_autofree char *prop = gpio_prop_name(name, true, n);
        Object *child = object_resolve_path_component(OBJECT(dev), prop);

        if (!child || !object_dynamic_cast(child, TYPE_IRQ)) {
            return n;
        }
    }
}

void qdev_init_gpio_in_named_with_opaque(DeviceState *dev,
                                         qemu_irq_handler handler,
                                         void *opaque, const char *name,
                                         int n)
{
    int base = qdev_get_gpio_in_count(dev, name);

    assert(n >= 0);
    for (int i = 0; i < n; i++) {
        g_autofree char *prop = gpio_prop_name(name, true, base + i);
        qemu_irq irq = qemu_allocate_irq(handler, opaque, base + i);

        irq->gpio_in = true;
        object_property_add_child(OBJECT(dev), prop, OBJECT(irq));
        object_unref(irq);              /* the child property keeps it */
    }
}

void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n)
{
    qdev_init_gpio_in_named_with_opaque(dev, handler, dev, name, n);
}

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n)
{
    qdev_init_gpio_in_named(dev, handler, NULL, n);
}

qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n)
{
    g_autofree char *prop = gpio_prop_name(name, true, n);
    Object *child = object_resolve_path_component(OBJECT(dev), prop);

    assert(child && object_dynamic_cast(child, TYPE_IRQ));
    return IRQ(child);
}

qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    return qdev_get_gpio_in_named(dev, NULL, n);
}

int qdev_intercept_gpio_in(DeviceState *dev, const char *name,
                           qemu_irq_handler fn, void *opaque)
{
    int n = qdev_get_gpio_in_count(dev, name);

    for (int i = 0; i < n; i++) {
        qemu_irq_set_observer(qdev_get_gpio_in_named(dev, name, i), fn,
                              opaque);
    }
    return n;
}

/* --- GPIO outputs --------------------------------------------------------- */

/* A link<irq> whose storage (prop->opaque) is one qemu_irq of the device;
 * it holds a reference on the line it points to. */
static GVariant *gpio_out_get(Object *obj, ObjectProperty *prop,
                              Error **errp)
{
    qemu_irq *pin = prop->opaque;
    g_autofree char *path = *pin ? object_get_canonical_path(OBJECT(*pin))
                                 : NULL;

    return g_variant_ref_sink(g_variant_new_string(path ? path : ""));
}

static void gpio_out_store(qemu_irq *pin, qemu_irq irq)
{
    qemu_irq old = *pin;

    *pin = irq ? IRQ(object_ref(irq)) : NULL;
    if (old) {
        object_unref(old);
    }
}

static bool gpio_out_set(Object *obj, ObjectProperty *prop, GVariant *value,
                         Error **errp)
{
    const char *path;
    Object *target = NULL;
    bool ambiguous = false;

    if (!prop_value_str(value, prop->name, &path, errp)) {
        return false;
    }
    if (*path) {
        target = object_resolve_path_type(path, TYPE_IRQ, &ambiguous);
        if (ambiguous) {
            error_setg(errp, "Path '%s' does not uniquely identify an object",
                       path);
            return false;
        }
        if (!target) {
            if (object_resolve_path(path, NULL)) {
                error_setg(errp, "Invalid parameter type for '%s', "
                           "expected: %s", prop->name, TYPE_IRQ);
            } else {
                error_setg(errp, "Device '%s' not found", path);
            }
            return false;
        }
    }
    gpio_out_store(prop->opaque, target ? IRQ(target) : NULL);
    return true;
}

static void gpio_out_release(Object *obj, const char *name, void *opaque)
{
    gpio_out_store(opaque, NULL);
}

void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n)
{
    for (int i = 0; i < n; i++) {
        g_autofree char *prop = gpio_prop_name(name, false, i);

        object_property_add(OBJECT(dev), prop, "link<" TYPE_IRQ ">",
                            gpio_out_get, gpio_out_set, gpio_out_release,
                            &pins[i]);
    }
}

void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n)
{
    qdev_init_gpio_out_named(dev, pins, NULL, n);
}

static qemu_irq *gpio_out_pin(DeviceState *dev, const char *name, int n)
{
    g_autofree char *propname = gpio_prop_name(name, false, n);
    ObjectProperty *prop = object_property_find(OBJECT(dev), propname);

    assert(prop && prop->get == gpio_out_get);     /* a board bug */
    return prop->opaque;
}

void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq input_pin)
{
    if (input_pin && !OBJECT(input_pin)->parent) {
        /* QEMU's: give it a name, so the link can be shown. */
        object_property_add_child(container_get(qdev_get_machine(),
                                                "/unattached"),
                                  "non-qdev-gpio[*]", OBJECT(input_pin));
    }
    gpio_out_store(gpio_out_pin(dev, name, n), input_pin);
}

void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq input_pin)
{
    qdev_connect_gpio_out_named(dev, NULL, n, input_pin);
}

qemu_irq qdev_get_gpio_out_connector(DeviceState *dev, const char *name,
                                     int n)
{
    return *gpio_out_pin(dev, name, n);
}

qemu_irq qdev_intercept_gpio_out(DeviceState *dev, qemu_irq icpt,
                                 const char *name, int n)
{
    qemu_irq *pin = gpio_out_pin(dev, name, n);
    qemu_irq old = *pin;

    /* The caller gets the old line borrowed: keep it alive through the
     * swap, then let the interceptor's reference replace ours. */
    if (old) {
        object_ref(old);
    }
    qdev_connect_gpio_out_named(dev, name, n, icpt);
    if (old) {
        object_unref(old);
    }
    return old;
}

/* --- info qtree ------------------------------------------------------------ */

/* The GPIO list name of property @pname if it is line 0 of a GPIO ("X[0]"
 * child<irq> or our output link), else NULL (g_free). */
static char *gpio_list_name(Object *obj, ObjectProperty *prop, bool *in)
{
    size_t len = strlen(prop->name);
    char *name;

    if (len < 4 || strcmp(prop->name + len - 3, "[0]") != 0) {
        return NULL;
    }
    if (prop->get == gpio_out_get) {
        *in = false;
    } else if (object_property_is_child(prop) &&
               object_dynamic_cast(prop->opaque, TYPE_IRQ)) {
        *in = true;
    } else {
        return NULL;
    }
    name = g_strndup(prop->name, len - 3);
    if (!strcmp(name, *in ? UNNAMED_GPIO_IN : UNNAMED_GPIO_OUT)) {
        name[0] = '\0';
    }
    return name;
}

static int gpio_out_count(DeviceState *dev, const char *name)
{
    int n = 0;

    for (;; n++) {
        g_autofree char *pname = gpio_prop_name(name, false, n);
        ObjectProperty *prop = object_property_find(OBJECT(dev), pname);

        if (!prop || prop->get != gpio_out_get) {
            return n;
        }
    }
}

void qdev_print_gpios(GString *out, DeviceState *dev, int indent)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    /* One list per name, in order of creation (QEMU keys a list by name
     * and prints the newest first). */
    object_property_iter_init(&iter, OBJECT(dev));
    while ((prop = object_property_iter_next(&iter))) {
        bool in;
        char *name = gpio_list_name(OBJECT(dev), prop, &in);
        bool seen = false;

        if (!name) {
            continue;
        }
        for (guint i = 0; i < names->len && !seen; i++) {
            seen = !strcmp(names->pdata[i], name);
        }
        if (seen) {
            g_free(name);
        } else {
            g_ptr_array_add(names, name);
        }
    }
    for (guint i = names->len; i-- > 0;) {
        const char *name = names->pdata[i];
        const char *lookup = *name ? name : NULL;
        int nin = qdev_get_gpio_in_count(dev, lookup);
        int nout = gpio_out_count(dev, lookup);

        if (nin) {
            g_string_append_printf(out, "%*sgpio-in \"%s\" %d\n", indent, "",
                                   name, nin);
        }
        if (nout) {
            g_string_append_printf(out, "%*sgpio-out \"%s\" %d\n", indent,
                                   "", name, nout);
        }
    }
    g_ptr_array_free(names, true);
}

/* --- the type -------------------------------------------------------------- */

/* A device's input line leaving the device (it is being destroyed). */
static void irq_unparent(Object *obj)
{
    IRQState *irq = IRQ(obj);

    if (irq->gpio_in) {
        irq->handler = NULL;
        irq->opaque = NULL;
    }
}

static void irq_class_init(ObjectClass *oc, void *data)
{
    oc->unparent = irq_unparent;
}

static const TypeInfo irq_type_info = {
    .name = TYPE_IRQ,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(IRQState),
    .class_init = irq_class_init,
};

static void irq_register_types(void)
{
    type_register_static(&irq_type_info);
}

type_init(irq_register_types)
