/*
 * test-irq.c - IRQ lines and device GPIOs (hw/core/irq.c): level
 * semantics, NULL lines, GPIO inputs/outputs as QOM children and links,
 * observers and QEMU's intercept, `info qtree`'s gpio lines.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/irq.h"
#include "harness.h"

/* --- a throwaway device: 3 inputs, 2 outputs, a named pair ------------- */

#define TYPE_TEST_GPIO_DEV "test-gpio-dev"
OBJECT_DECLARE_SIMPLE_TYPE(TestGpioDev, TEST_GPIO_DEV)

struct TestGpioDev {
    DeviceState parent_obj;
    int level[3];               /* last level seen per unnamed input */
    int calls;                  /* handler calls, all inputs */
    int named_level;            /* the "wake" input */
    qemu_irq out[2];            /* unnamed outputs */
    qemu_irq alarm;             /* output "alarm" */
};

static void test_gpio_in(void *opaque, int n, int level)
{
    TestGpioDev *s = opaque;

    s->level[n] = level;
    s->calls++;
}

static void test_gpio_wake(void *opaque, int n, int level)
{
    TEST_GPIO_DEV(opaque)->named_level = level;
}

static void test_gpio_init(Object *obj)
{
    TestGpioDev *s = TEST_GPIO_DEV(obj);

    qdev_init_gpio_in(DEVICE(obj), test_gpio_in, 3);
    qdev_init_gpio_out(DEVICE(obj), s->out, 2);
    qdev_init_gpio_in_named(DEVICE(obj), test_gpio_wake, "wake", 1);
    qdev_init_gpio_out_named(DEVICE(obj), &s->alarm, "alarm", 1);
}

static const TypeInfo test_gpio_dev_info = {
    .name = TYPE_TEST_GPIO_DEV,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(TestGpioDev),
    .instance_init = test_gpio_init,
};

/* --- lines ------------------------------------------------------------- */

static int seen_n, seen_level, seen_calls;

static void record(void *opaque, int n, int level)
{
    seen_n = n;
    seen_level = level;
    seen_calls++;
    if (opaque) {
        (*(int *)opaque)++;
    }
}

static void test_line_level(void)
{
    qemu_irq irq = qemu_allocate_irq(record, NULL, 7);

    seen_calls = 0;
    qemu_irq_raise(irq);
    CU_ASSERT_EQUAL(seen_n, 7);
    CU_ASSERT_EQUAL(seen_level, 1);
    CU_ASSERT_EQUAL(irq->level, 1);
    qemu_irq_lower(irq);
    CU_ASSERT_EQUAL(seen_level, 0);
    CU_ASSERT_EQUAL(irq->level, 0);
    qemu_irq_pulse(irq);            /* raise, then lower */
    CU_ASSERT_EQUAL(seen_calls, 4);
    CU_ASSERT_EQUAL(irq->level, 0);
    qemu_free_irq(irq);
}

static void test_line_null(void)
{
    /* An unconnected output swallows everything. */
    qemu_set_irq(NULL, 1);
    qemu_irq_pulse(NULL);
    qemu_free_irq(NULL);
    qemu_free_irqs(NULL, 4);
}

static void test_line_array(void)
{
    qemu_irq *irqs = qemu_allocate_irqs(record, NULL, 4);

    for (int i = 0; i < 4; i++) {
        qemu_set_irq(irqs[i], 1);
        CU_ASSERT_EQUAL(seen_n, i);
    }
    CU_ASSERT_EQUAL(object_live_count() >= 4, true);
    qemu_free_irqs(irqs, 4);
}

static void test_line_observer(void)
{
    int handled = 0, observed = 0;
    qemu_irq irq = qemu_allocate_irq(record, &handled, 3);

    qemu_irq_set_observer(irq, record, &observed);
    qemu_irq_raise(irq);
    CU_ASSERT_EQUAL(handled, 1);
    CU_ASSERT_EQUAL(observed, 1);
    qemu_irq_set_observer(irq, NULL, NULL);
    qemu_irq_lower(irq);
    CU_ASSERT_EQUAL(handled, 2);
    CU_ASSERT_EQUAL(observed, 1);
    qemu_free_irq(irq);
}

/* QEMU's qtest intercept: the handler gets the original lines to forward. */
static int icpt_raises;

static void icpt_handler(void *opaque, int n, int level)
{
    qemu_irq *old = opaque;

    icpt_raises += level;
    qemu_set_irq(old[n], level);
}

static void test_line_intercept_in(void)
{
    int handled = 0;
    qemu_irq *irqs = qemu_allocate_irqs(record, &handled, 2);
    qemu_irq *old;

    icpt_raises = 0;
    qemu_irq_intercept_in(irqs, icpt_handler, 2);
    old = irqs[0]->opaque;
    qemu_irq_raise(irqs[1]);
    CU_ASSERT_EQUAL(icpt_raises, 1);
    CU_ASSERT_EQUAL(handled, 1);            /* forwarded */
    CU_ASSERT_EQUAL(seen_n, 1);
    qemu_free_irqs(irqs, 2);
    qemu_free_irqs(old, 2);                 /* QEMU leaks these */
}

/* --- GPIOs ------------------------------------------------------------- */

static void test_gpio_in_children(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_GPIO_DEV);
    TestGpioDev *s = TEST_GPIO_DEV(dev);
    Object *child;

    CU_ASSERT_EQUAL(qdev_get_gpio_in_count(dev, NULL), 3);
    CU_ASSERT_EQUAL(qdev_get_gpio_in_count(dev, "wake"), 1);
    CU_ASSERT_EQUAL(qdev_get_gpio_in_count(dev, "nope"), 0);
    child = object_resolve_path_component(OBJECT(dev),
                                          "unnamed-gpio-in[2]");
    CU_ASSERT_PTR_EQUAL(child, OBJECT(qdev_get_gpio_in(dev, 2)));
    CU_ASSERT_STRING_EQUAL(object_property_get_type(OBJECT(dev),
                                                    "unnamed-gpio-in[0]",
                                                    &error_abort),
                           "child<irq>");
    qemu_irq_raise(qdev_get_gpio_in(dev, 2));
    CU_ASSERT_EQUAL(s->level[2], 1);
    qemu_irq_raise(qdev_get_gpio_in_named(dev, "wake", 0));
    CU_ASSERT_EQUAL(s->named_level, 1);

    /* A second call for the same name numbers after the existing lines. */
    qdev_init_gpio_in(dev, test_gpio_in, 1);
    CU_ASSERT_EQUAL(qdev_get_gpio_in_count(dev, NULL), 4);
    CU_ASSERT_EQUAL(qdev_get_gpio_in(dev, 3)->n, 3);
    object_unref(dev);
}

static void test_gpio_connect(void)
{
    DeviceState *src = qdev_new(TYPE_TEST_GPIO_DEV);
    DeviceState *dst = qdev_new(TYPE_TEST_GPIO_DEV);
    TestGpioDev *d = TEST_GPIO_DEV(dst);

    /* Neither device is in the tree: connecting works by pointer. */
    qdev_connect_gpio_out(src, 1, qdev_get_gpio_in(dst, 0));
    qdev_connect_gpio_out_named(src, "alarm", 0,
                                qdev_get_gpio_in_named(dst, "wake", 0));
    CU_ASSERT_PTR_EQUAL(qdev_get_gpio_out_connector(src, NULL, 1),
                        qdev_get_gpio_in(dst, 0));
    CU_ASSERT_PTR_NULL(qdev_get_gpio_out_connector(src, NULL, 0));

    qemu_irq_raise(TEST_GPIO_DEV(src)->out[1]);
    CU_ASSERT_EQUAL(d->level[0], 1);
    qemu_irq_raise(TEST_GPIO_DEV(src)->out[0]);   /* unconnected */
    CU_ASSERT_EQUAL(d->calls, 1);
    qemu_irq_raise(TEST_GPIO_DEV(src)->alarm);
    CU_ASSERT_EQUAL(d->named_level, 1);

    /* The output holds a reference on the line: dst can go first, and
     * its line goes inert rather than calling into a freed device. */
    object_unref(dst);
    CU_ASSERT_PTR_NULL(TEST_GPIO_DEV(src)->out[1]->handler);
    qemu_irq_lower(TEST_GPIO_DEV(src)->out[1]);
    qdev_connect_gpio_out(src, 1, NULL);
    object_unref(src);
}

static void test_gpio_out_link_in_tree(void)
{
    DeviceState *src = qdev_new(TYPE_TEST_GPIO_DEV);
    DeviceState *dst = qdev_new(TYPE_TEST_GPIO_DEV);
    Error *err = NULL;
    g_autofree char *path = NULL;

    CU_ASSERT_TRUE(qdev_realize(src, NULL, &error_abort));
    CU_ASSERT_TRUE(qdev_realize(dst, NULL, &error_abort));
    qdev_connect_gpio_out(src, 0, qdev_get_gpio_in(dst, 1));
    path = object_property_get_str(OBJECT(src), "unnamed-gpio-out[0]",
                                   &error_abort);
    CU_ASSERT_STRING_EQUAL(path, "/machine/unattached/device[1]/"
                                 "unnamed-gpio-in[1]");
    CU_ASSERT_STRING_EQUAL(object_property_get_type(OBJECT(src),
                                                    "unnamed-gpio-out[0]",
                                                    &error_abort),
                           "link<irq>");

    /* Set through QOM, as qom-set would. */
    CU_ASSERT_TRUE(object_property_set_str(OBJECT(src), "unnamed-gpio-out[1]",
                                           path, &error_abort));
    CU_ASSERT_PTR_EQUAL(TEST_GPIO_DEV(src)->out[1], qdev_get_gpio_in(dst, 1));
    CU_ASSERT_FALSE(object_property_set_str(OBJECT(src), "alarm[0]",
                                            "/machine/nowhere", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Device '/machine/nowhere' not found");
    error_free(err);
    err = NULL;
    CU_ASSERT_FALSE(object_property_set_str(OBJECT(src), "alarm[0]",
                                            "/machine/unattached", &err));
    CU_ASSERT_STRING_EQUAL(error_get_pretty(err),
                           "Invalid parameter type for 'alarm[0]', "
                           "expected: irq");
    error_free(err);
    CU_ASSERT_TRUE(object_property_set_str(OBJECT(src), "unnamed-gpio-out[1]",
                                           "", &error_abort));
    CU_ASSERT_PTR_NULL(TEST_GPIO_DEV(src)->out[1]);

    object_unparent(OBJECT(src));
    object_unparent(OBJECT(dst));
    object_unref(src);
    object_unref(dst);
}

static void test_gpio_connect_parentless_line(void)
{
    DeviceState *src = qdev_new(TYPE_TEST_GPIO_DEV);
    qemu_irq irq = qemu_allocate_irq(record, NULL, 0);
    g_autofree char *path = NULL;

    qdev_connect_gpio_out(src, 0, irq);
    path = object_get_canonical_path(OBJECT(irq));
    CU_ASSERT_STRING_EQUAL(path, "/machine/unattached/non-qdev-gpio[0]");
    object_unparent(OBJECT(irq));
    qemu_free_irq(irq);
    object_unref(src);
}

static int observed_n[4], observed_level[4];

static void observe(void *opaque, int n, int level)
{
    observed_n[0] = n;
    observed_level[0] = level;
    (*(int *)opaque)++;
}

static void test_gpio_intercept(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_GPIO_DEV);
    DeviceState *src = qdev_new(TYPE_TEST_GPIO_DEV);
    int count = 0;
    qemu_irq icpt, old;

    CU_ASSERT_EQUAL(qdev_intercept_gpio_in(dev, NULL, observe, &count), 3);
    qemu_irq_raise(qdev_get_gpio_in(dev, 2));
    CU_ASSERT_EQUAL(count, 1);
    CU_ASSERT_EQUAL(observed_n[0], 2);
    CU_ASSERT_EQUAL(observed_level[0], 1);
    CU_ASSERT_EQUAL(TEST_GPIO_DEV(dev)->level[2], 1);  /* still delivered */
    CU_ASSERT_EQUAL(qdev_intercept_gpio_in(dev, "nope", observe, &count), 0);

    /* Outputs: QEMU's form, the old connection is returned. */
    qdev_connect_gpio_out(src, 0, qdev_get_gpio_in(dev, 0));
    icpt = qemu_allocate_irq(record, NULL, 9);
    object_property_add_child(OBJECT(src), "icpt", OBJECT(icpt));
    old = qdev_intercept_gpio_out(src, icpt, NULL, 0);
    CU_ASSERT_PTR_EQUAL(old, qdev_get_gpio_in(dev, 0));
    seen_n = -1;
    qemu_irq_raise(TEST_GPIO_DEV(src)->out[0]);
    CU_ASSERT_EQUAL(seen_n, 9);
    qemu_free_irq(icpt);
    object_unref(src);
    object_unref(dev);
}

static void test_gpio_qtree(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_GPIO_DEV);
    GString *out = g_string_new(NULL);

    qdev_print_gpios(out, dev, 4);
    /* Newest list first; per list, inputs then outputs. */
    CU_ASSERT_STRING_EQUAL(out->str,
                           "    gpio-out \"alarm\" 1\n"
                           "    gpio-in \"wake\" 1\n"
                           "    gpio-in \"\" 3\n"
                           "    gpio-out \"\" 2\n");
    g_string_free(out, true);
    object_unref(dev);
}

int main(int argc, char **argv)
{
    type_register_static(&test_gpio_dev_info);
    container_get(object_get_root(), "/machine/unattached");

    harness_add("/irq/line/level", test_line_level);
    harness_add("/irq/line/null", test_line_null);
    harness_add("/irq/line/array", test_line_array);
    harness_add("/irq/line/observer", test_line_observer);
    harness_add("/irq/line/intercept-in", test_line_intercept_in);
    harness_add("/irq/gpio/in-children", test_gpio_in_children);
    harness_add("/irq/gpio/connect", test_gpio_connect);
    harness_add("/irq/gpio/out-link-in-tree", test_gpio_out_link_in_tree);
    harness_add("/irq/gpio/connect-parentless-line",
                test_gpio_connect_parentless_line);
    harness_add("/irq/gpio/intercept", test_gpio_intercept);
    harness_add("/irq/gpio/qtree", test_gpio_qtree);
    return harness_run(argc, argv);
}
