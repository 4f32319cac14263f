/*
 * qdev-globals.h - global properties: defaults for every device of a type,
 * applied when such a device is created (QEMU 7.2's GlobalProperty,
 * object_apply_global_props() in qom/object.c, qdev_prop_set_globals()
 * and qdev_prop_check_globals() in hw/core/qdev-properties.c,
 * qemu_global_option() in softmmu/qdev-monitor.c).
 *
 * Four lists, applied in this order by device instance_post_init, so a
 * later one overrides an earlier one (the user wins):
 *   1. accelerator compat props   object_set_accelerator_compat_props()
 *   2. machine compat props       object_set_machine_compat_props()
 *      (e.g. pc-i440fx-7.1's differences from 7.2)
 *   3. "sugar" props              object_register_sugar_prop()
 *      (legacy options that are really globals)
 *   4. user globals               -global, qdev_prop_register_global()
 * A global applies to a device whose type is, or derives from, its
 * driver.  Failure to apply one is a bug for 1-2 (abort), fatal for 3
 * and for 4 at cold plug ("can't apply global D.P=V: why"), and a warning
 * for 4 on a hot-plugged device.
 *
 * Threads: main thread (big lock) only.
 */
#ifndef HW_CORE_QDEV_GLOBALS_H
#define HW_CORE_QDEV_GLOBALS_H

#include "hw/core/qdev.h"

/**
 * GlobalProperty: "@driver.@property=@value".
 * @used: set once the global has been applied to some object (or tried).
 * @optional: skip objects that lack @property instead of failing.
 * Compat tables: write entries with designated initializers
 * ({ .driver = "x", .property = "y", .value = "z" }); QEMU's positional
 * { "x", "y", "z" } trips -Wextra's missing-field-initializers here.
 */
typedef struct GlobalProperty {
    const char *driver;
    const char *property;
    const char *value;
    bool used;
    bool optional;
} GlobalProperty;

/* Append the @nelem entries of @props to @arr (machine compat tables). */
static inline void compat_props_add(GPtrArray *arr, GlobalProperty props[],
                                    size_t nelem)
{
    for (size_t i = 0; i < nelem; i++) {
        g_ptr_array_add(arr, &props[i]);
    }
}

/**
 * object_apply_global_props: apply each global of @props whose driver
 * @obj is an instance of, in order, with object_property_parse.  Marks
 * each as used.  On failure the error reads "can't apply global
 * D.P=V: <reason>"; with @errp non-NULL it is returned (false) and later
 * globals are skipped; with @errp NULL it is warned about and the walk
 * goes on.  @props may be NULL (true).
 */
bool object_apply_global_props(Object *obj, const GPtrArray *props,
                               Error **errp);

/**
 * object_apply_compat_props: apply lists 1-3 above to @obj (devices do
 * this in instance_post_init; other types may too).
 */
void object_apply_compat_props(Object *obj);

/*
 * object_set_machine_compat_props / object_set_accelerator_compat_props:
 * install the machine's / accelerator's compat list (GlobalProperty *,
 * borrowed: it must outlive every device).  Once each; a second call is a
 * bug.
 */
void object_set_machine_compat_props(GPtrArray *compat_props);
void object_set_accelerator_compat_props(GPtrArray *compat_props);

/* Add a sugar global (strings copied). */
void object_register_sugar_prop(const char *driver, const char *prop,
                                const char *value, bool optional);

/**
 * qdev_prop_register_global: append @prop to the user globals.  @prop is
 * borrowed and must stay valid until qdev_globals_reset_for_test() (in
 * practice: forever).
 */
void qdev_prop_register_global(GlobalProperty *prop);

/**
 * qemu_global_option: parse a -global argument and register it.
 * Accepts "DRIVER.PROPERTY=VALUE" (DRIVER and PROPERTY at most 63
 * characters, DRIVER without '.' or '=') or QemuOpts syntax
 * "driver=D,property=P,value=V" (",," is a literal comma; an "id=ID"
 * must be well-formed and unique, as for any QemuOpts).  Errors, as
 * QEMU's: "Invalid parameter 'KEY'", "options 'driver', 'property', and
 * 'value' are required", "Duplicate ID 'ID' for global".  A bare "KEY"
 * counts as KEY=on after QEMU's short-form boolean deprecation warning.
 * Strings are copied.
 * QEMU returns an int and reports itself; this returns false with @errp
 * set.
 */
bool qemu_global_option(const char *str, Error **errp);

/* The first user global for @obj's type named @name, or NULL. */
const GlobalProperty *qdev_find_global_prop(Object *obj, const char *name);

/**
 * qdev_prop_check_globals: after machine creation, warn (warn_report) for
 * each user global never used:
 *   "global D.P has invalid class name"   (D is not a device type)
 *   "global D.P=V not used"   (D is a device type that cannot be
 *                              hot-plugged, so no later device will use it)
 * Returns 1 if it warned, else 0.
 */
int qdev_prop_check_globals(void);

/* Apply the user globals to @dev (device instance_post_init does). */
void qdev_prop_set_globals(DeviceState *dev);

/* Forget every global list (freeing copies made here): unit tests only. */
void qdev_globals_reset_for_test(void);

#endif /* HW_CORE_QDEV_GLOBALS_H */
