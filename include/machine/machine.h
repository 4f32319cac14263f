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
 *
 * Life of a machine (machine/machine-init.c drives it for the command
 * line; a test can do the same by hand):
 *   1. machine_create(class): object_new, /machine, the two address
 *      spaces (PHASE_MACHINE_CREATED)
 *   2. property setters: "smp", "memory", "kernel", ... (-machine, -smp, -m)
 *   3. accel_init_machine() (PHASE_ACCEL_CREATED)
 *   4. machine_run_board_init(): MachineClass init builds the board
 *      (PHASE_MACHINE_INITIALIZED)
 *   5. -device, then machine_creation_done() (PHASE_MACHINE_READY)
 *   6. machine_destroy(): vCPUs stopped, /machine unparented, freed.
 *
 * Threads: everything here is main thread (big lock) only.
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

/* -smp, after validation: cpus <= max_cpus =
 * sockets * dies * clusters * cores * threads. */
typedef struct CpuTopology {
    unsigned int cpus;          /* created at start-up */
    unsigned int sockets;
    unsigned int dies;          /* per socket; 1 unless dies_supported */
    unsigned int clusters;      /* per die; 1 unless clusters_supported */
    unsigned int cores;         /* per cluster */
    unsigned int threads;       /* per core */
    unsigned int max_cpus;      /* including hot-pluggable ones */
} CpuTopology;

/* Which -smp levels a machine models (QEMU's SMPCompatProps). */
typedef struct SMPCompatProps {
    bool prefer_sockets;        /* fill missing sockets before cores (<6.2) */
    bool dies_supported;        /* "dies=N" with N > 1 accepted */
    bool clusters_supported;    /* "clusters=N" with N > 1 accepted */
} SMPCompatProps;

struct MachineClass {
    ObjectClass parent_class;

    const char *name;           /* "pc-i440fx-7.2" (derived from the type) */
    const char *alias;          /* "pc", or NULL */
    const char *desc;           /* "Standard PC (i440FX + PIIX, 1996)" */
    /* Board family for `-machine help` ordering ("pc_piix"): families sort
     * alphabetically and, within one, newest version first; machines
     * without a family come after, by type name. */
    const char *family;
    const char *deprecation_reason;     /* NULL: not deprecated */
    bool is_default;            /* chosen without -machine */
    /*
     * Build the board: RAM, CPUs, buses, on-board devices.  Called once,
     * after the accelerator is initialised.  Returns false with @errp set
     * on failure; the caller then destroys the machine (everything the
     * init function created in the QOM tree below /machine goes with it).
     * (QEMU's init returns void and exits on error; a bool makes every
     * failure path testable.)
     */
    bool (*init)(MachineState *ms, Error **errp);
    /* system_reset: NULL resets every device (qomu_devices_reset). */
    void (*reset)(MachineState *ms);
    unsigned int max_cpus;      /* -smp maxcpus may not exceed it (>= 1) */
    unsigned int min_cpus;      /* >= 1 */
    unsigned int default_cpus;  /* without -smp (>= 1) */
    SMPCompatProps smp_props;
    const char *default_cpu_type;   /* "qemu64-x86_64-cpu"; NULL: no CPUs */
    uint64_t default_ram_size;  /* bytes, without -m */
    const char *default_ram_id; /* "pc.ram"; NULL: the board has no RAM */
    bool no_serial, no_parallel, no_floppy, no_cdrom; /* -nodefaults */
    /* -drive without if=: a BlockInterfaceType (block/drive.h); 0 is
     * IF_NONE, pc has IF_IDE. */
    int block_default_type;
    /* Compat globals applied before user -global (qdev-globals.h);
     * created empty for each concrete class. */
    GPtrArray *compat_props;
};

struct MachineState {
    Object parent_obj;

    /* From the command line: */
    uint64_t ram_size;          /* -m / "memory.size", bytes, 8 KiB aligned */
    uint64_t maxram_size;       /* "memory.max-size" (-m maxmem), bytes */
    uint64_t ram_slots;         /* "memory.slots" (-m slots) */
    CpuTopology smp;            /* -smp / "smp" */
    char *cpu_type;             /* -cpu, resolved to a type name */
    char *kernel_filename;      /* -kernel / "kernel" property */
    char *initrd_filename;      /* -initrd / "initrd" */
    char *kernel_cmdline;       /* -append / "append"; "" if none */
    bool enable_graphics;       /* "graphics"; -nographic clears it */

    /* Built by machine_create / init: */
    MemoryRegion *ram;          /* "pc.ram" etc. (&ram_storage), or NULL */
    MemoryRegion ram_storage;   /* what ram points to, once allocated */
    MemoryRegion system_memory; /* root of address_space_memory */
    MemoryRegion system_io;     /* root of address_space_io */
    AddressSpace as_memory;
    AddressSpace as_io;
    bool memory_initialized;    /* the four fields above are set up */
};

/* --- finding machine types --- */

/* The machine, or NULL before machine_create / after machine_destroy. */
MachineState *current_machine_get(void);

/* Finds a machine class by name ("pc-i440fx-7.2") or alias ("pc"); NULL
 * if none.  Borrowed. */
MachineClass *machine_find_class(const char *name);
/* The class marked is_default, or NULL.  Two defaults is a bug. */
MachineClass *machine_find_default(void);

/**
 * machine_help: append `-machine help` to @out, as QEMU 7.2 prints it:
 * "Supported machines are:\n", then for each machine (sorted as
 * described at MachineClass family) an alias line
 * "%-20s %s (alias of %s)\n" if it has an alias, and
 * "%-20s %s%s%s\n" with " (default)" / " (deprecated)".
 */
void machine_help(GString *out);

/**
 * machine_class_help: `-machine NAME,help`: "TYPE options:\n" and one
 * sorted "  name=<type>  - description" line per settable property
 * (QEMU's type_print_class_properties), appended to @out.
 */
void machine_class_help(MachineClass *mc, GString *out);

/* --- life cycle (see the header comment) --- */

/**
 * machine_create: create the machine of class @mc as /machine, with its
 * empty "system" (memory) and "io" address spaces, and advance to
 * PHASE_MACHINE_CREATED.  The machine's compat properties are installed
 * as globals.  There may be only one machine at a time.
 * Returns the machine (borrowed: /machine holds it; machine_destroy
 * releases it).
 */
MachineState *machine_create(MachineClass *mc);

/**
 * machine_run_board_init: resolve the CPU type (ms->cpu_type, else the
 * class default), allocate the main RAM (ms->ram: ram_size bytes named
 * default_ram_id, if both are non-zero; not mapped), call MachineClass
 * init, and advance to PHASE_MACHINE_INITIALIZED.  The accelerator must
 * be initialised.
 * Returns false with @errp set if the board cannot be built.
 */
bool machine_run_board_init(MachineState *ms, Error **errp);

/**
 * machine_creation_done: the command-line devices exist; warn about
 * unused -global options, advance to PHASE_MACHINE_READY (later devices
 * are hot-plugged), register the reset of the system bus tree as a
 * system_reset hook and reset the machine once (QEMU's
 * qdev_machine_creation_done).  Big lock held.
 */
void machine_creation_done(MachineState *ms);

/**
 * machine_destroy: tear the machine down: drop the address spaces,
 * unparent everything below /machine (devices are unrealized on the
 * way), then /machine itself; forget it as the current machine and go
 * back to PHASE_NO_MACHINE with no compat or -global properties (QEMU
 * never does this; qomu does at exit and between tests).  vCPU threads
 * must have been joined (cpus_stop_all_and_join) and the accelerator
 * dropped (accel_cleanup: it listens to the address space) first;
 * qomu_machine_teardown() does all three.  No-op without a machine.
 */
void machine_destroy(void);

/* --- for board init functions --- */

/**
 * machine_memory_init_ram: allocate @ms's main RAM (ms->ram_size bytes,
 * named MachineClass default_ram_id) into ms->ram; machine_run_board_init
 * calls it.  It is not mapped: the board places it (or aliases of it) in
 * system_memory.  Fails with the memory API's "cannot set up guest
 * memory 'pc.ram': ..." message.
 */
bool machine_memory_init_ram(MachineState *ms, Error **errp);

/* Creates the CPUs of ms->smp (type ms->cpu_type) with apic-id set,
 * realized in order.  For machine init functions.  Errors are fatal, as
 * in QEMU's x86_cpus_init.  (Implemented with the CPUs: see
 * hw/core/cpu.h.) */
void machine_create_cpus(MachineState *ms);

/* --- -smp (machine/machine-smp.c) --- */

/*
 * SMPConfiguration: the "smp" property's members as the user gave them
 * (QEMU's qapi SMPConfiguration); has_X false if X was omitted.
 */
typedef struct SMPConfiguration {
    bool has_cpus, has_sockets, has_dies, has_clusters, has_cores,
         has_threads, has_maxcpus;
    int64_t cpus, sockets, dies, clusters, cores, threads, maxcpus;
} SMPConfiguration;

/**
 * smp_config_from_variant: read the "smp" property value @value (an a{sv}
 * dictionary: strings from -smp/-machine smp.X=, integers from JSON) into
 * @config, with QEMU's keyval-visitor messages for property @name:
 *   "Parameter 'smp.cpus' expects integer",
 *   "Parameters 'smp.cpus.*' are unexpected",
 *   "Parameter 'smp.foo' is unexpected",
 *   "Invalid parameter type for 'smp', expected: object".
 */
bool smp_config_from_variant(GVariant *value, const char *name,
                             SMPConfiguration *config, Error **errp);

/**
 * machine_parse_smp_config: QEMU 7.2's machine_parse_smp_config():
 * compute the omitted members of @config (cores are preferred over
 * sockets unless smp_props.prefer_sockets), validate the topology against
 * @ms's class and store it in ms->smp.  Zero values are accepted with
 * QEMU 7.2's deprecation warning and treated as omitted.  Errors are
 * QEMU's verbatim ("Invalid CPU topology: ...", "Invalid SMP CPUs N. The
 * max CPUs supported by machine 'NAME' is M", ...).  ms->smp may be
 * partly updated on failure (as in QEMU: the machine is then abandoned).
 */
bool machine_parse_smp_config(MachineState *ms,
                              const SMPConfiguration *config, Error **errp);

#endif /* MACHINE_MACHINE_H */
