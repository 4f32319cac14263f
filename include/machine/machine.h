/*
 * machine.h - machines are types (QEMU's include/hw/boards.h, without its
 * macro towers).
 *
 * A machine type is one file: a TypeInfo with parent TYPE_MACHINE (or a
 * board family such as TYPE_X86_MACHINE), a class_init that fills in the
 * MachineClass below, and an init function that builds the board in plain
 * C with object_new + property setters + realize.  The type name is
 * "<name>-machine" (MACHINE_TYPE_NAME); -machine NAME and the alias find
 * it.  See docs/devel/machine.md.
 *
 * The machine object is /machine; it owns /machine/peripheral (-device
 * with id=), /machine/peripheral-anon (-device without id) and
 * /machine/unattached (devices the board created without a parent).
 */
#ifndef MACHINE_MACHINE_H
#define MACHINE_MACHINE_H

#include "qom/object.h"
#include "hw/core/memory.h"

#define TYPE_MACHINE "machine"
#define TYPE_MACHINE_SUFFIX "-machine"
#define MACHINE_TYPE_NAME(machinename) (machinename TYPE_MACHINE_SUFFIX)
OBJECT_DECLARE_TYPE(MachineState, MachineClass, MACHINE)

typedef struct CPUState CPUState;
typedef struct GlobalProperty GlobalProperty;

/* -smp, after validation: cpus = sockets * dies * cores * threads
 * (possibly fewer: cpus <= max_cpus). */
typedef struct CpuTopology {
    unsigned int cpus;
    unsigned int sockets;
    unsigned int dies;
    unsigned int cores;
    unsigned int threads;
    unsigned int max_cpus;
} CpuTopology;

struct MachineClass {
    ObjectClass parent_class;

    const char *name;           /* "pc-i440fx-7.2" (derived from the type) */
    const char *alias;          /* "pc", or NULL */
    const char *desc;           /* "Standard PC (i440FX + PIIX, 1996)" */
    bool is_default;            /* chosen without -machine */
    /* Build the board: RAM, CPUs, buses, on-board devices.  Fatal errors
     * go through &error_fatal; the machine is torn down by the caller. */
    void (*init)(MachineState *ms);
    void (*reset)(MachineState *ms);
    unsigned int max_cpus;      /* -smp maxcpus may not exceed it */
    unsigned int min_cpus;
    unsigned int default_cpus;
    const char *default_cpu_type;   /* "qemu64-x86_64-cpu" */
    uint64_t default_ram_size;  /* bytes */
    const char *default_ram_id; /* "pc.ram"; NULL: no RAM */
    bool no_serial, no_parallel, no_floppy, no_cdrom; /* -nodefaults */
    /* Compat globals applied before user -global (qdev-globals.h). */
    GPtrArray *compat_props;
};

struct MachineState {
    Object parent_obj;

    /* From the command line: */
    uint64_t ram_size;          /* -m, bytes */
    uint64_t maxram_size;
    CpuTopology smp;            /* -smp */
    char *cpu_type;             /* -cpu, resolved to a type name */
    char *kernel_filename;      /* -kernel / "kernel" property */
    char *initrd_filename;
    char *kernel_cmdline;       /* -append */
    char *accel_names;          /* -machine accel= (deprecated form) */
    bool nodefaults;

    /* Built by init: */
    MemoryRegion *ram;          /* "pc.ram" etc., or NULL */
    MemoryRegion system_memory; /* root of address_space_memory */
    MemoryRegion system_io;     /* root of address_space_io */
    AddressSpace as_memory;
    AddressSpace as_io;
};

/* The machine, or NULL before it is created. */
MachineState *current_machine_get(void);

/* Finds a machine class by name or alias (NULL if none). */
MachineClass *machine_find_class(const char *name);
/* The class marked is_default. */
MachineClass *machine_find_default(void);
/* `-machine help`: QEMU's list, sorted as QEMU sorts it. */
void machine_help(GString *out);

/* Creates the CPUs of ms->smp (type ms->cpu_type) with apic-id set,
 * realized in order.  For machine init functions. */
void machine_create_cpus(MachineState *ms);

#endif /* MACHINE_MACHINE_H */
