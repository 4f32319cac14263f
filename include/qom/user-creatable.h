/*
 * user-creatable.h - the "user-creatable" interface: objects made with
 * -object and QMP object-add, living under /objects (QEMU 7.2's
 * include/qom/object_interfaces.h, reduced).
 *
 * A type implements TYPE_USER_CREATABLE (interfaces = { { ... }, { } })
 * and may fill UserCreatableClass::complete, which runs once every
 * property has been set and the object is in the tree (QEMU's order:
 * object_new, properties, add as child "ID" of /objects, complete; on
 * failure the child is removed again).
 *
 * Threads: main thread, big lock held.
 */
#ifndef QOM_USER_CREATABLE_H
#define QOM_USER_CREATABLE_H

#include "qom/object.h"

#define TYPE_USER_CREATABLE "user-creatable"

typedef struct UserCreatable UserCreatable;     /* never defined */

typedef struct UserCreatableClass {
    InterfaceClass parent_class;
    /* After the properties: false with *errp set refuses the object. */
    bool (*complete)(UserCreatable *uc, Error **errp);
    /* False: object-del refuses (e.g. still in use). NULL: true. */
    bool (*can_be_deleted)(UserCreatable *uc);
} UserCreatableClass;

#define USER_CREATABLE_GET_CLASS(obj) \
    ((UserCreatableClass *)object_class_dynamic_cast( \
        object_get_class(OBJECT(obj)), TYPE_USER_CREATABLE))

/* Whether @typename is a concrete type implementing the interface. */
bool user_creatable_type_ok(const char *typename);

/**
 * user_creatable_print_help: QEMU's user_creatable_print_help, for
 * -object and HMP object_add.  @type "help" (or "?"): appends "List of
 * user creatable objects:" and the types, sorted; a user-creatable
 * @type with @help (TYPE,help): "TYPE options:" and its settable
 * properties as "  NAME=<TYPE>", sorted.  Returns whether it appended
 * anything (false: not a help request).
 */
bool user_creatable_print_help(const char *type, bool help, GString *out);

/**
 * user_creatable_check_option: the parse-time checks of QEMU's
 * object_option_parse() on the keyval dictionary of one -object (with
 * its location current): "Parameter 'qom-type' is missing", "Parameter
 * 'qom-type' does not accept value 'T'", "Parameter 'id' is missing",
 * "Parameter 'id' expects an identifier", an unknown property ("Invalid
 * parameter 'P'"), and values of "int" properties ("Parameter 'P' expects
 * an int64 value").  Duplicate ids are the caller's (it has the list).
 */
bool user_creatable_check_option(GVariant *dict, Error **errp);

/**
 * user_creatable_add_dict: create the object @dict (a keyval a{sv} with
 * "qom-type", "id" and properties as strings) describes, as child "ID"
 * of /objects.  Returns the object (borrowed: /objects holds it) or NULL
 * with *errp set ("attempt to add duplicate property 'ID' to object
 * (type 'container')", a property's error, complete's error).
 */
Object *user_creatable_add_dict(GVariant *dict, Error **errp);

/* Runs complete (if any). */
bool user_creatable_complete(UserCreatable *uc, Error **errp);

/* QMP object-del: "object 'ID' not found"; "object 'ID' is in use, can
 * not be deleted". */
bool user_creatable_del(const char *id, Error **errp);

/* Unparent every object under /objects (QEMU's user_creatable_cleanup,
 * at exit). */
void user_creatable_cleanup(void);

#endif /* QOM_USER_CREATABLE_H */
