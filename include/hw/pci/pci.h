/*
 * pci.h - PCI devices (QEMU 7.2's include/hw/pci/pci.h, hw/pci/pci.c).
 *
 * A PCI function is a TYPE_PCI_DEVICE: 256 bytes of configuration space
 * with a per-byte write mask (wmask: bits the guest may change) and a
 * write-one-to-clear mask (w1cmask, the status error bits), up to six
 * BARs plus the expansion ROM BAR, one INTx pin, and a capability list.
 * It plugs into a TYPE_PCI_BUS ("PCI", see pci-bus.h) at devfn = slot << 3
 * | function, chosen with the "addr" property ("04.1", "0x4", "4"; QEMU's
 * DEFINE_PROP_PCI_DEVFN) or the first free slot.
 *
 * BARs: a device declares a region with pci_register_bar(); the guest
 * sizes it by writing all-ones and reading back (the low bits are not in
 * wmask), and the region is mapped into the bus's memory or I/O space
 * only while the command register enables that decode and the address is
 * valid (QEMU's pci_bar_address rules: no wrap, not 0, 32-bit BARs below
 * 4 GiB, the ROM needs its enable bit).
 *
 * INTx: pci_set_irq(dev, level) drives the pin in PCI_INTERRUPT_PIN (1-4
 * = INTA-D); the bus's map_irq turns (device, pin) into one of the host's
 * lines, and set_irq gets the line's level: asserted while any device
 * asserts it (per-line counts, as QEMU).  COMMAND.INTX_DISABLE masks the
 * device; STATUS.INTERRUPT shows its pin.  On the PC, see hw/isa/piix3.h.
 *
 * Not modelled: PCI Express (extended config space, AER), MSI/MSI-X,
 * bridges and secondary buses, hotplug, power states, option ROM
 * loading ("romfile" is accepted and ignored), IOMMUs, SR-IOV, VGA
 * legacy ranges, vmstate.
 *
 * Deviation: PCIDeviceClass realize returns bool (qomu's convention).
 *
 * Threads: config space is accessed from vCPU threads (0xCF8/0xCFC) and
 * the main thread, always under the big lock.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/core/qdev.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/pci/pci-regs.h"

#define TYPE_PCI_DEVICE "pci-device"
#define TYPE_PCI_BUS "PCI"

typedef struct PCIBus PCIBus;                   /* hw/pci/pci-bus.h */
OBJECT_DECLARE_TYPE(PCIDevice, PCIDeviceClass, PCI_DEVICE)
#define PCI_BUS(obj) OBJECT_CHECK(PCIBus, (obj), TYPE_PCI_BUS)

/* devfn = slot (0-31) << 3 | function (0-7) */
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
#define PCI_DEVFN(slot, func)   ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT_MAX            32
#define PCI_FUNC_MAX            8
#define PCI_DEVFN_MAX           256

#define PCI_ROM_SLOT            6               /* io_regions[] index */
#define PCI_NUM_REGIONS         7
#define PCI_NUM_PINS            4               /* INTA-D */

typedef uint64_t pcibus_t;
#define FMT_PCIBUS              PRIx64
#define PCI_BAR_UNMAPPED        (~(pcibus_t)0)

/* cap_present bits (QEMU's numbers: "multifunction" is bit 3). */
enum {
    QEMU_PCI_CAP_MULTIFUNCTION_BITNR = 3,
    QEMU_PCI_CAP_SERR_BITNR = 4,
    QEMU_PCIE_LNKSTA_DLLLA_BITNR = 8,
    QEMU_PCIE_EXTCAP_INIT_BITNR = 9,
};
#define QEMU_PCI_CAP_MULTIFUNCTION (1u << QEMU_PCI_CAP_MULTIFUNCTION_BITNR)

typedef void PCIConfigWriteFunc(PCIDevice *pci_dev, uint32_t address,
                                uint32_t data, int len);
typedef uint32_t PCIConfigReadFunc(PCIDevice *pci_dev, uint32_t address,
                                   int len);

/* One BAR (QEMU's PCIIORegion). */
typedef struct PCIIORegion {
    pcibus_t addr;              /* where mapped; PCI_BAR_UNMAPPED if not */
    pcibus_t size;              /* bytes, a power of two; 0: no such BAR */
    uint8_t type;               /* PCI_BASE_ADDRESS_SPACE_IO or MEM_TYPE_*
                                 * | MEM_PREFETCH: the BAR's low bits */
    MemoryRegion *memory;       /* the device's region (it owns it) */
    MemoryRegion *address_space; /* bus space it maps into */
} PCIIORegion;

/* How a pin reaches the interrupt controller (QEMU's PCIINTxRoute). */
typedef enum PCIINTxMode {
    PCI_INTX_ENABLED,
    PCI_INTX_INVERTED,
    PCI_INTX_DISABLED,
} PCIINTxMode;

typedef struct PCIINTxRoute {
    PCIINTxMode mode;
    int irq;                    /* the ISA IRQ / GSI, -1 when disabled */
} PCIINTxRoute;

struct PCIDeviceClass {
    DeviceClass parent_class;

    /* Called by the PCI core's realize once the function is on the bus
     * with its identity bytes written; may fail (the function is then
     * removed from the bus again).  NULL: nothing to do. */
    bool (*realize)(PCIDevice *dev, Error **errp);
    /* Undo realize (before the function leaves the bus). */
    void (*exit)(PCIDevice *dev);
    /* Config space accessors; NULL: pci_default_read/write_config.
     * Overrides call the defaults for the standard behaviour. */
    PCIConfigReadFunc *config_read;
    PCIConfigWriteFunc *config_write;

    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;          /* class << 8 | subclass (0x0601) */
    uint16_t subsystem_vendor_id;   /* 0 with subsystem_id 0: 1af4:1100 */
    uint16_t subsystem_id;
    bool is_bridge;             /* type 1 header (not modelled yet) */
    const char *romfile;        /* default "romfile" (ignored) */
};

struct PCIDevice {
    /* private: */
    DeviceState qdev;
    /* public: */

    uint8_t config[PCI_CONFIG_SPACE_SIZE];  /* what the guest reads */
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];   /* writable bits */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE]; /* write-1-to-clear bits */
    uint8_t used[PCI_CONFIG_SPACE_SIZE];    /* bytes taken by capabilities */

    int32_t devfn;              /* property "addr"; -1: first free slot */
    char name[64];              /* the type name (QEMU's pci_dev->name) */
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    PCIConfigReadFunc *config_read;     /* the class's, or the default */
    PCIConfigWriteFunc *config_write;

    uint8_t irq_state;          /* bit n: INTx pin n asserted */
    uint32_t cap_present;       /* QEMU_PCI_CAP_*; "multifunction" etc. */

    /* Bus mastering (DMA): QEMU's "bus master container" holding the
     * "bus master" alias of system memory, enabled by COMMAND.MASTER. */
    MemoryRegion bus_master_container_region;
    MemoryRegion bus_master_enable_region;
    AddressSpace bus_master_as;
    bool bus_master_ready;      /* the three above are initialised */

    /* Static properties shown by `info qtree` (QEMU's pci_props). */
    char *romfile;              /* "romfile": accepted, not loaded */
    uint32_t romsize;           /* "romsize": -1 or a power of two */
    uint32_t rom_bar;           /* "rombar" */
    char *failover_pair_id;     /* "failover_pair_id": accepted */
    uint32_t acpi_index;        /* "acpi-index": accepted */
};

/* ------------------------------------------------------------------ */
/* Config space byte helpers (little-endian, unaligned)                 */
/* ------------------------------------------------------------------ */

static inline void pci_set_byte(uint8_t *config, uint8_t val)
{
    *config = val;
}

static inline uint8_t pci_get_byte(const uint8_t *config)
{
    return *config;
}

static inline void pci_set_word(uint8_t *config, uint16_t val)
{
    config[0] = val;
    config[1] = val >> 8;
}

static inline uint16_t pci_get_word(const uint8_t *config)
{
    return config[0] | (uint16_t)config[1] << 8;
}

static inline void pci_set_long(uint8_t *config, uint32_t val)
{
    pci_set_word(config, val);
    pci_set_word(config + 2, val >> 16);
}

static inline uint32_t pci_get_long(const uint8_t *config)
{
    return pci_get_word(config) | (uint32_t)pci_get_word(config + 2) << 16;
}

static inline void pci_set_quad(uint8_t *config, uint64_t val)
{
    pci_set_long(config, val);
    pci_set_long(config + 4, val >> 32);
}

static inline uint64_t pci_get_quad(const uint8_t *config)
{
    return pci_get_long(config) | (uint64_t)pci_get_long(config + 4) << 32;
}

static inline void pci_config_set_vendor_id(uint8_t *config, uint16_t val)
{
    pci_set_word(config + PCI_VENDOR_ID, val);
}

static inline void pci_config_set_device_id(uint8_t *config, uint16_t val)
{
    pci_set_word(config + PCI_DEVICE_ID, val);
}

static inline void pci_config_set_revision(uint8_t *config, uint8_t val)
{
    pci_set_byte(config + PCI_REVISION_ID, val);
}

static inline void pci_config_set_class(uint8_t *config, uint16_t val)
{
    pci_set_word(config + PCI_CLASS_DEVICE, val);
}

static inline void pci_config_set_prog_interface(uint8_t *config,
                                                 uint8_t val)
{
    pci_set_byte(config + PCI_CLASS_PROG, val);
}

/* @val: 1-4 for INTA-D, 0 for none. */
static inline void pci_config_set_interrupt_pin(uint8_t *config, uint8_t val)
{
    pci_set_byte(config + PCI_INTERRUPT_PIN, val);
}

/* ------------------------------------------------------------------ */
/* Creating and finding devices                                         */
/* ------------------------------------------------------------------ */

/* The bus @d is plugged into (borrowed). */
PCIBus *pci_get_bus(const PCIDevice *d);

/**
 * pci_new / pci_new_multifunction: qdev_new(@name) with "addr" = @devfn
 * (-1: first free slot) and "multifunction" set.  A new reference.
 * pci_realize_and_unref: realize on @bus, dropping the reference.
 * pci_create_simple[_multifunction]: both, aborting on failure (boards).
 */
PCIDevice *pci_new(int devfn, const char *name);
PCIDevice *pci_new_multifunction(int devfn, bool multifunction,
                                 const char *name);
bool pci_realize_and_unref(PCIDevice *dev, PCIBus *bus, Error **errp);
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *name);
PCIDevice *pci_create_simple_multifunction(PCIBus *bus, int devfn,
                                           bool multifunction,
                                           const char *name);

/* The function at @devfn of bus number @bus_num below @bus (only the
 * root, number 0, exists), or NULL.  Borrowed. */
PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn);

/* Calls @fn on each function of bus @bus_num, in devfn order. */
void pci_for_each_device(PCIBus *bus, int bus_num,
                         void (*fn)(PCIBus *bus, PCIDevice *d, void *opaque),
                         void *opaque);

/* The bus number of @d's bus (0: the root). */
int pci_dev_bus_num(const PCIDevice *d);

/* ------------------------------------------------------------------ */
/* Config space                                                         */
/* ------------------------------------------------------------------ */

/**
 * pci_default_read_config / pci_default_write_config: the standard
 * accessors.  Writes go through wmask/w1cmask byte by byte; touching a
 * BAR or COMMAND re-evaluates the BAR mappings, COMMAND the INTx disable
 * and bus-master bits.  @address + @len must be within 256 bytes (the
 * host bridge guarantees it).
 */
uint32_t pci_default_read_config(PCIDevice *d, uint32_t address, int len);
void pci_default_write_config(PCIDevice *d, uint32_t address, uint32_t val,
                              int len);

/* Reset what a PCI reset resets (QEMU's pci_do_device_reset): INTx
 * deasserted, writable COMMAND/STATUS bits, cache line size and interrupt
 * line cleared, BARs back to their type bits and unmapped. */
void pci_device_reset(PCIDevice *dev);

/* ------------------------------------------------------------------ */
/* BARs                                                                 */
/* ------------------------------------------------------------------ */

/**
 * pci_register_bar: declare BAR @region_num (0-5, or PCI_ROM_SLOT) as
 * @memory (its size must be a power of two) of @type
 * (PCI_BASE_ADDRESS_SPACE_IO, or PCI_BASE_ADDRESS_MEM_TYPE_32/_64, maybe
 * | PCI_BASE_ADDRESS_MEM_PREFETCH).  A 64-bit BAR also takes the next
 * register.  Call from realize.  The region is mapped and unmapped as
 * the guest programs the BAR and COMMAND; the device keeps owning it.
 */
void pci_register_bar(PCIDevice *pci_dev, int region_num, uint8_t type,
                      MemoryRegion *memory);

/* Where BAR @region_num is mapped, or PCI_BAR_UNMAPPED. */
pcibus_t pci_get_bar_addr(PCIDevice *pci_dev, int region_num);

/* The memory and I/O spaces of @dev's bus (QEMU's pci_address_space*). */
MemoryRegion *pci_address_space(PCIDevice *dev);
MemoryRegion *pci_address_space_io(PCIDevice *dev);

/* ------------------------------------------------------------------ */
/* Capabilities                                                         */
/* ------------------------------------------------------------------ */

/**
 * pci_add_capability: link a capability @cap_id of @size bytes into the
 * list (at its head, as QEMU) at @offset, or at the first free
 * 4-byte-aligned space from 0x40 when @offset is 0 (running out is a
 * bug).  Its bytes become read-only (wmask cleared) for the device to
 * open up.  Returns the offset, or -EINVAL with QEMU's message
 * "... Attempt to add PCI capability %x at offset %x overlaps existing
 * capability %x at offset %x" if it overlaps another.
 */
int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp);
/* Unlink capability @cap_id and make its @size bytes free and writable. */
void pci_del_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t size);
/* The offset of capability @cap_id, or 0. */
uint8_t pci_find_capability(PCIDevice *pdev, uint8_t cap_id);

/* ------------------------------------------------------------------ */
/* INTx                                                                 */
/* ------------------------------------------------------------------ */

/* Drive @pci_dev's INTx pin (PCI_INTERRUPT_PIN, which must be set) to
 * @level (0/1). */
void pci_set_irq(PCIDevice *pci_dev, int level);

static inline void pci_irq_assert(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 1);
}

static inline void pci_irq_deassert(PCIDevice *pci_dev)
{
    pci_set_irq(pci_dev, 0);
}

/* A qemu_irq driving the device's pin (for code wired with GPIOs); a new
 * reference, freed with qemu_free_irq. */
qemu_irq pci_allocate_irq(PCIDevice *pci_dev);

/* Deassert all four pins (QEMU's pci_device_deassert_intx). */
void pci_device_deassert_intx(PCIDevice *dev);

/* Where pin @pin (0-3) of @dev ends up (the host's route_intx_to_irq,
 * through the bus's map_irq). */
PCIINTxRoute pci_device_route_intx_to_irq(PCIDevice *dev, int pin);

/* ------------------------------------------------------------------ */
/* DMA                                                                  */
/* ------------------------------------------------------------------ */

/* The space @dev's bus-master accesses go to: system memory while
 * COMMAND.MASTER is set, nothing (all-ones reads, ignored writes)
 * otherwise.  Borrowed; valid while @dev is realized. */
AddressSpace *pci_get_address_space(PCIDevice *dev);

static inline MemTxResult pci_dma_read(PCIDevice *dev, hwaddr addr,
                                       void *buf, hwaddr len)
{
    return address_space_read(pci_get_address_space(dev), addr, buf, len);
}

static inline MemTxResult pci_dma_write(PCIDevice *dev, hwaddr addr,
                                        const void *buf, hwaddr len)
{
    return address_space_write(pci_get_address_space(dev), addr, buf, len);
}

/* ------------------------------------------------------------------ */
/* Introspection                                                        */
/* ------------------------------------------------------------------ */

/* `info pci`/`info qtree`'s name for class @class_id ("Host bridge"),
 * or NULL when QEMU has none (it then prints "Class %04x"). */
const char *pci_class_desc(uint16_t class_id);

#endif /* HW_PCI_PCI_H */
