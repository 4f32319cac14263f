/*
 * irq.h - interrupt lines and device GPIOs (QEMU 7.2's include/hw/irq.h,
 * hw/core/irq.c and the GPIO half of hw/core/qdev.c).
 *
 * An IRQ line (qemu_irq, a TYPE_IRQ object) is the *input* end of a wire:
 * a handler plus an opaque and a line number.  qemu_set_irq(irq, level)
 * calls the handler.  Level semantics, as in QEMU: the value passed is the
 * line's new level (0 or 1; qemu_irq_pulse = raise then lower), the
 * source holds it until it changes it, and a NULL qemu_irq (an output
 * that is not connected) swallows every call.  The line remembers the last
 * level set (irq->level), for tests and for `qtest`-style observers.
 *
 * A device's lines are GPIOs (QEMU's names and QOM layout):
 *  - inputs: qdev_init_gpio_in[_named](dev, handler, n) creates n lines,
 *    QOM children of the device named "unnamed-gpio-in[i]" (or "NAME[i]");
 *    the handler gets (dev, i, level).  qdev_get_gpio_in[_named] returns
 *    line i, for another device's output to be connected to.  When the
 *    device goes, its input lines go inert (no handler) even if an output
 *    still references one (QEMU would call into the freed device).
 *  - outputs: qdev_init_gpio_out[_named](dev, pins, n) declares the
 *    device's qemu_irq array @pins (n entries, in its state struct) as
 *    link properties "unnamed-gpio-out[i]" (or "NAME[i]");
 *    qdev_connect_gpio_out[_named](dev, name, i, input) stores @input in
 *    pins[i] (a strong link: the output holds a reference on the line).
 *    The device raises its output with qemu_set_irq(pins[i], level).
 *
 * Observing lines (tests; qtest's irq_intercept_in/out):
 *  - qemu_irq_set_observer(irq, fn, opaque): fn(opaque, irq->n, level) is
 *    called on every qemu_set_irq of @irq, after its handler;
 *  - qdev_intercept_gpio_in(dev, name, fn, opaque): the same on all of a
 *    device's inputs called @name (NULL: the unnamed ones), e.g. the
 *    machine's "ioapic": "IRQ raise 14" when ISA IRQ 14 (GSI 14) rises;
 *  - qemu_irq_intercept_in(): QEMU's form (handler replaced, old line
 *    passed as opaque), kept for code written against QEMU.
 *
 * Not modelled: qemu_irq_split/qemu_irq_invert's QOM-less variants
 * beyond what is below, GPIO aliasing (qdev_pass_gpios), named-GPIO
 * "[*]" dynamic growth after realize.
 *
 * Threads: an IRQ line is set from whichever thread runs the device code
 * that drives it (the vCPU thread for PIO handlers, the main loop for
 * timers and chardevs) with the big lock held; handlers run in that
 * thread.  Creating and connecting lines: main thread, before realize or
 * at machine init.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include "hw/core/qdev.h"

#define TYPE_IRQ "irq"
OBJECT_DECLARE_SIMPLE_TYPE(IRQState, IRQ)

typedef struct IRQState *qemu_irq;

/* Called with the line's number @n and the new @level (0/1). */
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

struct IRQState {
    /* private: */
    Object parent_obj;
    /* public (read only outside irq.c): */
    qemu_irq_handler handler;   /* NULL: the line ignores what it gets */
    void *opaque;               /* the handler's first argument */
    int n;                      /* line number passed to the handler */
    int level;                  /* last level set with qemu_set_irq */
    /* private: */
    qemu_irq_handler observer;  /* qemu_irq_set_observer */
    void *observer_opaque;
    bool gpio_in;               /* a device's input: when it leaves the
                                 * device, the handler is cleared, so an
                                 * output still holding the line cannot
                                 * call into a device that is gone */
};

/* ------------------------------------------------------------------ */
/* Lines                                                                */
/* ------------------------------------------------------------------ */

/**
 * qemu_set_irq: set @irq to @level (records it, calls the handler, then
 * the observer).  @irq may be NULL: nothing happens (an unconnected
 * output).  Any thread holding the big lock.
 */
void qemu_set_irq(qemu_irq irq, int level);

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}

static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}

/* An edge: raise then lower (what an edge-triggered ISA device does). */
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

/**
 * qemu_allocate_irq: a new line calling @handler(@opaque, @n, level).
 * Returns a new reference (free with qemu_free_irq or object_unref).
 * The line has no QOM parent; put it in the tree with
 * object_property_add_child if it should show in `info qom-tree`.
 */
qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);

/**
 * qemu_allocate_irqs: @n lines numbered 0..@n-1, in a g_new array.
 * Free with qemu_free_irqs (drops each line and frees the array).
 */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);
void qemu_free_irqs(qemu_irq *s, int n);
void qemu_free_irq(qemu_irq irq);

/**
 * qemu_irq_set_observer: call @fn(@opaque, irq->n, level) after every
 * qemu_set_irq on @irq (NULL @fn removes it).  One observer per line.
 */
void qemu_irq_set_observer(qemu_irq irq, qemu_irq_handler fn, void *opaque);

/**
 * qemu_irq_intercept_in: QEMU's qtest hook: each of the @n lines gets
 * @handler, with opaque = a qemu_irq array holding copies of the
 * original lines, so @handler can forward with
 * qemu_set_irq(((qemu_irq *)opaque)[n], level).  The copies live as long
 * as the process (as in QEMU).  Prefer qemu_irq_set_observer.
 */
void qemu_irq_intercept_in(qemu_irq *gpio_in, qemu_irq_handler handler,
                           int n);

/* ------------------------------------------------------------------ */
/* Device GPIOs                                                         */
/* ------------------------------------------------------------------ */

/**
 * qdev_init_gpio_in_named: create @n input lines of @dev, children
 * "@name[0]".."@name[n-1]" (name NULL: "unnamed-gpio-in[i]"), each
 * calling @handler(@dev, i, level).  Call from instance_init or realize.
 * May be called again for the same name: the new lines are numbered
 * after the existing ones (QEMU).  The lines die with @dev.
 * qdev_init_gpio_in: @name NULL.
 */
void qdev_init_gpio_in_named(DeviceState *dev, qemu_irq_handler handler,
                             const char *name, int n);
void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n);

/* The same with an opaque other than @dev. */
void qdev_init_gpio_in_named_with_opaque(DeviceState *dev,
                                         qemu_irq_handler handler,
                                         void *opaque, const char *name,
                                         int n);

/**
 * qdev_init_gpio_out_named: declare @pins[0..@n-1] (in @dev's state,
 * initially NULL) as @dev's outputs @name (NULL: "unnamed-gpio-out[i]"),
 * link<irq> properties.  qdev_init_gpio_out: @name NULL.
 */
void qdev_init_gpio_out_named(DeviceState *dev, qemu_irq *pins,
                              const char *name, int n);
void qdev_init_gpio_out(DeviceState *dev, qemu_irq *pins, int n);

/**
 * qdev_get_gpio_in_named: input line @n of @dev (borrowed: it lives as
 * long as @dev).  Asserts that it exists (a board bug otherwise).
 */
qemu_irq qdev_get_gpio_in_named(DeviceState *dev, const char *name, int n);
qemu_irq qdev_get_gpio_in(DeviceState *dev, int n);

/**
 * qdev_connect_gpio_out_named: connect @dev's output @n to @input_pin
 * (NULL disconnects).  The output takes a reference on the line; a line
 * with no QOM parent is first made a child of /machine/unattached
 * ("non-qdev-gpio[*]"), as QEMU does, so it shows in the tree.
 */
void qdev_connect_gpio_out_named(DeviceState *dev, const char *name, int n,
                                 qemu_irq input_pin);
void qdev_connect_gpio_out(DeviceState *dev, int n, qemu_irq input_pin);

/* What @dev's output @n is connected to (borrowed), or NULL. */
qemu_irq qdev_get_gpio_out_connector(DeviceState *dev, const char *name,
                                     int n);

/* Number of input lines @dev has called @name (NULL: unnamed). */
int qdev_get_gpio_in_count(DeviceState *dev, const char *name);

/**
 * qdev_intercept_gpio_in: qemu_irq_set_observer(@fn, @opaque) on every
 * input line of @dev called @name (NULL: the unnamed ones).  Returns the
 * number of lines (0: @dev has none, nothing done).  @fn NULL removes.
 */
int qdev_intercept_gpio_in(DeviceState *dev, const char *name,
                           qemu_irq_handler fn, void *opaque);

/**
 * qdev_intercept_gpio_out: QEMU's: put @icpt between @dev's output @n and
 * what it was connected to; returns the old connection (borrowed, may be
 * NULL) for @icpt's handler to forward to.
 */
qemu_irq qdev_intercept_gpio_out(DeviceState *dev, qemu_irq icpt,
                                 const char *name, int n);

/**
 * qdev_print_gpios: append `info qtree`'s GPIO lines for @dev, QEMU 7.2's
 * format and order (the most recently created name first; per name the
 * inputs, then the outputs; "" for unnamed):
 *     gpio-in "" 24
 *     gpio-out "sysbus-irq" 1
 * each indented by @indent spaces.  For the qtree printer (qdev_print).
 */
void qdev_print_gpios(GString *out, DeviceState *dev, int indent);

#endif /* HW_CORE_IRQ_H */
