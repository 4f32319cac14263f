/*
 * pci.c - the PCI function, TYPE_PCI_DEVICE (QEMU 7.2's hw/pci/pci.c):
 * configuration space with write masks, BARs and their mapping, the
 * capability list, INTx, placement on the bus ("addr", "multifunction").
 * See include/hw/pci/pci.h.  The bus type is in pci-bus.c, the host
 * bridge's 0xCF8/0xCFC in pci-host.c, `info pci` in pci-info.c.
 *
 * What is modelled and what is not: see pci.h.  Guest-facing paths (the
 * config accessors) never trust the guest: every offset is checked, a
 * BAR whose address is invalid stays unmapped (pci_bar_address).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "util/error-report.h"
#include "hw/core/qdev-properties.h"
#include "hw/core/qdev-properties-system.h"
#include "hw/pci/pci-bus.h"
#include "hw/pci/pci-host.h"

/* QEMU's default subsystem ids for non-bridge functions. */
static const uint16_t pci_default_sub_vendor_id =
    PCI_SUBVENDOR_ID_REDHAT_QUMRANET;
static const uint16_t pci_default_sub_device_id = PCI_SUBDEVICE_ID_QEMU;

/* --- helpers -------------------------------------------------------------- */

PCIBus *pci_get_bus(const PCIDevice *d)
{
    return PCI_BUS(qdev_get_parent_bus(DEVICE(d)));
}

int pci_dev_bus_num(const PCIDevice *d)
{
    return pci_bus_num(pci_get_bus(d));
}

MemoryRegion *pci_address_space(PCIDevice *dev)
{
    return pci_get_bus(dev)->address_space_mem;
}

MemoryRegion *pci_address_space_io(PCIDevice *dev)
{
    return pci_get_bus(dev)->address_space_io;
}

/* Config offset of BAR @reg. */
static int pci_bar(PCIDevice *d, int reg)
{
    uint8_t type;

    if (reg != PCI_ROM_SLOT) {
        return PCI_BASE_ADDRESS_0 + reg * 4;
    }
    type = d->config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MULTI_FUNCTION;
    return type == PCI_HEADER_TYPE_BRIDGE ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
}

static bool ranges_overlap(uint32_t first1, uint32_t len1, uint32_t first2,
                           uint32_t len2)
{
    return first1 < first2 + len2 && first2 < first1 + len1;
}

static bool range_covers_byte(uint32_t offset, uint32_t len, uint32_t byte)
{
    return offset <= byte && byte < offset + len;
}

static int pci_irq_state(PCIDevice *d, int irq_num)
{
    return (d->irq_state >> irq_num) & 1;
}

static int pci_irq_disabled(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
}

/* --- INTx ------------------------------------------------------------------ */

/* One pin of @dev changed by @change (+1/-1) on line map_irq(pin). */
static void pci_change_irq_level(PCIDevice *dev, int irq_num, int change)
{
    PCIBus *bus = pci_get_bus(dev);

    if (!bus->map_irq || !bus->set_irq) {
        return;             /* nothing routes INTx on this bus */
    }
    irq_num = bus->map_irq(dev, irq_num);
    assert(irq_num >= 0 && irq_num < bus->nirq);
    bus->irq_count[irq_num] += change;
    bus->set_irq(bus->irq_opaque, irq_num, bus->irq_count[irq_num] != 0);
}

static void pci_update_irq_status(PCIDevice *dev)
{
    if (dev->irq_state) {
        dev->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        dev->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
}

static void pci_irq_handler(void *opaque, int irq_num, int level)
{
    PCIDevice *pci_dev = opaque;
    int change;

    assert(irq_num >= 0 && irq_num < PCI_NUM_PINS);
    assert(level == 0 || level == 1);
    change = level - pci_irq_state(pci_dev, irq_num);
    if (!change) {
        return;
    }
    pci_dev->irq_state &= ~(1u << irq_num);
    pci_dev->irq_state |= level << irq_num;
    pci_update_irq_status(pci_dev);
    if (pci_irq_disabled(pci_dev)) {
        return;
    }
    pci_change_irq_level(pci_dev, irq_num, change);
}

static int pci_intx(PCIDevice *pci_dev)
{
    return pci_get_byte(pci_dev->config + PCI_INTERRUPT_PIN) - 1;
}

void pci_set_irq(PCIDevice *pci_dev, int level)
{
    pci_irq_handler(pci_dev, pci_intx(pci_dev), level);
}

qemu_irq pci_allocate_irq(PCIDevice *pci_dev)
{
    int intx = pci_intx(pci_dev);

    assert(intx >= 0 && intx < PCI_NUM_PINS);
    return qemu_allocate_irq(pci_irq_handler, pci_dev, intx);
}

void pci_device_deassert_intx(PCIDevice *dev)
{
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        pci_irq_handler(dev, i, 0);
    }
}

/* COMMAND.INTX_DISABLE changed: take the device's pins off (or put them
 * back on) the bus's lines. */
static void pci_update_irq_disabled(PCIDevice *d, int was_irq_disabled)
{
    int disabled = pci_irq_disabled(d);

    if (!disabled == !was_irq_disabled) {
        return;
    }
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        int state = pci_irq_state(d, i);

        if (state) {
            pci_change_irq_level(d, i, disabled ? -state : state);
        }
    }
}

PCIINTxRoute pci_device_route_intx_to_irq(PCIDevice *dev, int pin)
{
    PCIBus *bus = pci_get_bus(dev);
    PCIINTxRoute none = { PCI_INTX_DISABLED, -1 };

    if (!bus->map_irq || !bus->route_intx_to_irq) {
        return none;
    }
    return bus->route_intx_to_irq(bus->irq_opaque, bus->map_irq(dev, pin));
}

/* --- BARs -------------------------------------------------------------------- */

/*
 * QEMU's pci_bar_address(): where BAR @reg should be mapped now, or
 * PCI_BAR_UNMAPPED: decode disabled in COMMAND, the ROM's enable bit
 * clear, address 0 (the PC does not allow it), a range that wraps, a
 * 32-bit BAR reaching 4 GiB, or a 64-bit one reaching 2^64 - 1.
 */
static pcibus_t pci_bar_address(PCIDevice *d, int reg, uint8_t type,
                                pcibus_t size)
{
    pcibus_t new_addr, last_addr;
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);

    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        new_addr = pci_get_long(d->config + pci_bar(d, reg));
        new_addr &= ~(size - 1);
        last_addr = new_addr + size - 1;
        if (last_addr <= new_addr || last_addr >= UINT32_MAX ||
            new_addr == 0) {
            return PCI_BAR_UNMAPPED;
        }
        return new_addr;
    }

    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        new_addr = pci_get_quad(d->config + pci_bar(d, reg));
    } else {
        new_addr = pci_get_long(d->config + pci_bar(d, reg));
    }
    /* the ROM slot has its own enable bit */
    if (reg == PCI_ROM_SLOT && !(new_addr & PCI_ROM_ADDRESS_ENABLE)) {
        return PCI_BAR_UNMAPPED;
    }
    new_addr &= ~(size - 1);
    last_addr = new_addr + size - 1;
    if (last_addr <= new_addr || last_addr == PCI_BAR_UNMAPPED ||
        new_addr == 0) {
        return PCI_BAR_UNMAPPED;
    }
    /* QEMU: "Check if 32 bit BAR wraps around explicitly." */
    if (!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last_addr >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return new_addr;
}

/* Map/unmap every BAR whose address changed (QEMU's pci_update_mappings). */
static void pci_update_mappings(PCIDevice *d)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        pcibus_t new_addr;

        if (!r->size) {
            continue;
        }
        new_addr = pci_bar_address(d, i, r->type, r->size);
        if (new_addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(r->address_space, r->memory);
        }
        r->addr = new_addr;
        if (r->addr != PCI_BAR_UNMAPPED) {
            /* Priority 1, as QEMU: BARs win over the bus's background. */
            memory_region_add_subregion_overlap(r->address_space, r->addr,
                                                r->memory, 1);
        }
    }
    memory_region_transaction_commit();
}

void pci_register_bar(PCIDevice *pci_dev, int region_num, uint8_t type,
                      MemoryRegion *memory)
{
    PCIBus *bus = pci_get_bus(pci_dev);
    PCIIORegion *r;
    pcibus_t size = memory_region_size(memory);
    uint64_t wmask;
    int addr;

    assert(region_num >= 0 && region_num < PCI_NUM_REGIONS);
    assert(size && !(size & (size - 1)));
    /* a 64-bit BAR takes two registers */
    assert(!(type & PCI_BASE_ADDRESS_MEM_TYPE_64) ||
           (!(type & PCI_BASE_ADDRESS_SPACE_IO) && region_num < 5));

    r = &pci_dev->io_regions[region_num];
    r->addr = PCI_BAR_UNMAPPED;
    r->size = size;
    r->type = type;
    r->memory = memory;
    r->address_space = type & PCI_BASE_ADDRESS_SPACE_IO
                       ? bus->address_space_io : bus->address_space_mem;

    wmask = ~(size - 1);
    if (region_num == PCI_ROM_SLOT) {
        wmask |= PCI_ROM_ADDRESS_ENABLE;    /* the enable bit is writable */
    }
    addr = pci_bar(pci_dev, region_num);
    pci_set_long(pci_dev->config + addr, type);
    if (!(type & PCI_BASE_ADDRESS_SPACE_IO) &&
        (type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
        pci_set_quad(pci_dev->wmask + addr, wmask);
    } else {
        pci_set_long(pci_dev->wmask + addr, wmask & 0xffffffff);
    }
}

pcibus_t pci_get_bar_addr(PCIDevice *pci_dev, int region_num)
{
    return pci_dev->io_regions[region_num].addr;
}

static void pci_unregister_io_regions(PCIDevice *pci_dev)
{
    memory_region_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &pci_dev->io_regions[i];

        /* machine_destroy() removes the address spaces first */
        if (r->size && r->addr != PCI_BAR_UNMAPPED &&
            memory_region_is_mapped(r->memory)) {
            memory_region_del_subregion(r->address_space, r->memory);
        }
    }
    memory_region_transaction_commit();
    memset(pci_dev->io_regions, 0, sizeof(pci_dev->io_regions));
}

/* --- config space ---------------------------------------------------------- */

uint32_t pci_default_read_config(PCIDevice *d, uint32_t address, int len)
{
    uint32_t val = 0;

    assert(len >= 1 && len <= 4 && address + len <= PCI_CONFIG_SPACE_SIZE);
    for (int i = 0; i < len; i++) {
        val |= (uint32_t)d->config[address + i] << (8 * i);
    }
    return val;
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val_in,
                              int l)
{
    int was_irq_disabled = pci_irq_disabled(d);
    uint32_t val = val_in;

    assert(l >= 1 && l <= 4 && addr + l <= PCI_CONFIG_SPACE_SIZE);
    for (int i = 0; i < l; val >>= 8, i++) {
        uint8_t wmask = d->wmask[addr + i];
        uint8_t w1cmask = d->w1cmask[addr + i];

        assert(!(wmask & w1cmask));
        d->config[addr + i] = (d->config[addr + i] & ~wmask) | (val & wmask);
        d->config[addr + i] &= ~(val & w1cmask);   /* write 1 to clear */
    }
    if (ranges_overlap(addr, l, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, l, PCI_ROM_ADDRESS, 4) ||
        ranges_overlap(addr, l, PCI_ROM_ADDRESS1, 4) ||
        range_covers_byte(addr, l, PCI_COMMAND)) {
        pci_update_mappings(d);
    }
    if (range_covers_byte(addr, l, PCI_COMMAND)) {
        pci_update_irq_disabled(d, was_irq_disabled);
        if (d->bus_master_ready) {
            memory_region_set_enabled(&d->bus_master_enable_region,
                                      pci_get_word(d->config + PCI_COMMAND)
                                      & PCI_COMMAND_MASTER);
        }
    }
}

/* QEMU's pci_init_wmask / pci_init_w1cmask. */
static void pci_init_masks(PCIDevice *dev)
{
    dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(dev->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_SERR);
    /* the device-specific area is the device's to restrict */
    memset(dev->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_word(dev->w1cmask + PCI_STATUS,
                 PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
                 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
                 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY);
}

void pci_device_reset(PCIDevice *dev)
{
    pci_device_deassert_intx(dev);
    assert(dev->irq_state == 0);

    /* Clear all writable bits of COMMAND and STATUS */
    pci_set_word(dev->config + PCI_COMMAND,
                 pci_get_word(dev->config + PCI_COMMAND) &
                 ~(pci_get_word(dev->wmask + PCI_COMMAND) |
                   pci_get_word(dev->w1cmask + PCI_COMMAND)));
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) &
                 ~(pci_get_word(dev->wmask + PCI_STATUS) |
                   pci_get_word(dev->w1cmask + PCI_STATUS)));
    dev->config[PCI_CACHE_LINE_SIZE] = 0;
    dev->config[PCI_INTERRUPT_LINE] = 0;
    for (int r = 0; r < PCI_NUM_REGIONS; r++) {
        PCIIORegion *region = &dev->io_regions[r];

        if (!region->size) {
            continue;
        }
        if (!(region->type & PCI_BASE_ADDRESS_SPACE_IO) &&
            (region->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            pci_set_quad(dev->config + pci_bar(dev, r), region->type);
        } else {
            pci_set_long(dev->config + pci_bar(dev, r), region->type);
        }
    }
    pci_update_mappings(dev);
    if (dev->bus_master_ready) {
        memory_region_set_enabled(&dev->bus_master_enable_region, false);
    }
}

/* --- capabilities ---------------------------------------------------------- */

/* First free @size bytes at or after 0x40 (QEMU's pci_find_space). */
static int pci_find_space(PCIDevice *pdev, uint8_t size)
{
    int offset = PCI_CONFIG_HEADER_SIZE;

    for (int i = PCI_CONFIG_HEADER_SIZE; i < PCI_CONFIG_SPACE_SIZE; i++) {
        if (pdev->used[i]) {
            offset = i + 1;
        } else if (i - offset + 1 == size) {
            return offset;
        }
    }
    return 0;
}

/* Offset of the capability containing @offset, or 0. */
static uint8_t pci_find_capability_at_offset(PCIDevice *pdev, uint8_t offset)
{
    uint8_t next, prev, found = 0;
    int guard = 0;

    if (!pdev->used[offset]) {
        return 0;
    }
    for (prev = PCI_CAPABILITY_LIST; (next = pdev->config[prev]) &&
         guard < PCI_CONFIG_SPACE_SIZE; prev = next + PCI_CAP_LIST_NEXT,
         guard++) {
        if (next <= offset && next > found) {
            found = next;
        }
    }
    return found;
}

/* Where the link to @cap_id is stored (list head or a next byte), and
 * the capability's offset, or 0. */
static uint8_t pci_find_capability_list(PCIDevice *pdev, uint8_t cap_id,
                                        uint8_t *prev_p)
{
    uint8_t next, prev;
    int guard = 0;

    if (!(pdev->config[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    /* The list is ours (capabilities are read-only to the guest), but
     * bound the walk anyway. */
    for (prev = PCI_CAPABILITY_LIST; (next = pdev->config[prev]) &&
         guard < PCI_CONFIG_SPACE_SIZE; prev = next + PCI_CAP_LIST_NEXT,
         guard++) {
        if (pdev->config[next + PCI_CAP_LIST_ID] == cap_id) {
            break;
        }
    }
    if (prev_p) {
        *prev_p = prev;
    }
    return next;
}

uint8_t pci_find_capability(PCIDevice *pdev, uint8_t cap_id)
{
    return pci_find_capability_list(pdev, cap_id, NULL);
}

int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp)
{
    uint8_t *config;

    assert(size >= 2);
    if (!offset) {
        offset = pci_find_space(pdev, (size + 3) & ~3);
        assert(offset);     /* out of config space is a device bug */
    } else {
        assert(offset >= PCI_CONFIG_HEADER_SIZE &&
               offset + size <= PCI_CONFIG_SPACE_SIZE);
        for (int i = offset; i < offset + size; i++) {
            uint8_t overlapping_cap = pci_find_capability_at_offset(pdev, i);

            if (overlapping_cap) {
                error_setg(errp, "%s:%02x:%02x.%x "
                           "Attempt to add PCI capability %x at offset "
                           "%x overlaps existing capability %x at offset %x",
                           pci_root_bus_path(pdev), pci_dev_bus_num(pdev),
                           PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn),
                           cap_id, offset, overlapping_cap, i);
                return -EINVAL;
            }
        }
    }
    config = pdev->config + offset;
    config[PCI_CAP_LIST_ID] = cap_id;
    config[PCI_CAP_LIST_NEXT] = pdev->config[PCI_CAPABILITY_LIST];
    pdev->config[PCI_CAPABILITY_LIST] = offset;
    pdev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    memset(pdev->used + offset, 0xff, MIN((size + 3) & ~3,
                                          PCI_CONFIG_SPACE_SIZE - offset));
    /* read-only by default: the device opens what it implements */
    memset(pdev->wmask + offset, 0, size);
    return offset;
}

void pci_del_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t size)
{
    uint8_t prev, offset = pci_find_capability_list(pdev, cap_id, &prev);

    if (!offset) {
        return;
    }
    pdev->config[prev] = pdev->config[offset + PCI_CAP_LIST_NEXT];
    /* Make capability writable again */
    memset(pdev->wmask + offset, 0xff, size);
    memset(pdev->w1cmask + offset, 0, size);
    memset(pdev->used + offset, 0, (size + 3) & ~3);
    if (!pdev->config[PCI_CAPABILITY_LIST]) {
        pdev->config[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
    }
}

/* --- placement on the bus ------------------------------------------------ */

static bool pci_bus_devfn_reserved(PCIBus *bus, int devfn)
{
    return bus->slot_reserved_mask & (1u << PCI_SLOT(devfn));
}

/*
 * QEMU's pci_init_multifunction(): function 0 decides.  A function > 0
 * needs a multifunction function 0 (if one is there yet), a single
 * function 0 refuses to join functions already in its slot.
 */
static bool pci_init_multifunction(PCIBus *bus, PCIDevice *dev, Error **errp)
{
    uint8_t slot = PCI_SLOT(dev->devfn);

    if (dev->cap_present & QEMU_PCI_CAP_MULTIFUNCTION) {
        dev->config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
    if (PCI_FUNC(dev->devfn)) {
        PCIDevice *f0 = bus->devices[PCI_DEVFN(slot, 0)];

        if (f0 && !(f0->cap_present & QEMU_PCI_CAP_MULTIFUNCTION)) {
            error_setg(errp, "PCI: single function device can't be "
                       "populated in function %x.%x", slot,
                       PCI_FUNC(dev->devfn));
            return false;
        }
        return true;
    }
    if (dev->cap_present & QEMU_PCI_CAP_MULTIFUNCTION) {
        return true;
    }
    for (int func = 1; func < PCI_FUNC_MAX; func++) {
        if (bus->devices[PCI_DEVFN(slot, func)]) {
            error_setg(errp, "PCI: %x.0 indicates single function, "
                       "but %x.%x is already populated.", slot, slot, func);
            return false;
        }
    }
    return true;
}

/* Bus mastering: "bus master container" > "bus master" alias of system
 * memory, enabled by COMMAND.MASTER (QEMU's pci_init_bus_master). */
static void pci_init_bus_master(PCIDevice *pci_dev)
{
    MemoryRegion *sysmem = get_system_memory();

    if (!sysmem) {
        return;             /* unit tests without a memory map */
    }
    memory_region_init(&pci_dev->bus_master_container_region,
                       OBJECT(pci_dev), "bus master container", UINT64_MAX);
    memory_region_init_alias(&pci_dev->bus_master_enable_region,
                             OBJECT(pci_dev), "bus master", sysmem, 0,
                             UINT64_MAX);
    memory_region_set_enabled(&pci_dev->bus_master_enable_region, false);
    memory_region_add_subregion(&pci_dev->bus_master_container_region, 0,
                                &pci_dev->bus_master_enable_region);
    address_space_init(&pci_dev->bus_master_as,
                       &pci_dev->bus_master_container_region, pci_dev->name);
    pci_dev->bus_master_ready = true;
}

static void pci_destroy_bus_master(PCIDevice *pci_dev)
{
    if (!pci_dev->bus_master_ready) {
        return;
    }
    pci_dev->bus_master_ready = false;
    address_space_destroy(&pci_dev->bus_master_as);
    memory_region_del_subregion(&pci_dev->bus_master_container_region,
                                &pci_dev->bus_master_enable_region);
    object_unparent(OBJECT(&pci_dev->bus_master_enable_region));
    object_unparent(OBJECT(&pci_dev->bus_master_container_region));
}

AddressSpace *pci_get_address_space(PCIDevice *dev)
{
    return dev->bus_master_ready ? &dev->bus_master_as
                                 : address_space_memory_get();
}

/* QEMU's do_pci_register_device(): pick the devfn, check it, fill the
 * identity bytes and masks, take the slot. */
static bool do_pci_register_device(PCIDevice *pci_dev, const char *name,
                                   int devfn, Error **errp)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pci_dev);
    DeviceState *dev = DEVICE(pci_dev);
    PCIBus *bus = pci_get_bus(pci_dev);

    if (devfn < 0) {
        for (devfn = bus->devfn_min; devfn < PCI_DEVFN_MAX;
             devfn += PCI_FUNC_MAX) {
            if (!bus->devices[devfn] && !pci_bus_devfn_reserved(bus, devfn)) {
                goto found;
            }
        }
        error_setg(errp, "PCI: no slot/function available for %s, all in use "
                   "or reserved", name);
        return false;
    found: ;
    } else if (pci_bus_devfn_reserved(bus, devfn)) {
        error_setg(errp, "PCI: slot %d function %d not available for %s,"
                   " reserved", PCI_SLOT(devfn), PCI_FUNC(devfn), name);
        return false;
    } else if (bus->devices[devfn]) {
        /* QEMU prints a NULL id with %s: glibc says "(null)". */
        error_setg(errp, "PCI: slot %d function %d not available for %s,"
                   " in use by %s,id=%s", PCI_SLOT(devfn), PCI_FUNC(devfn),
                   name, bus->devices[devfn]->name,
                   DEVICE(bus->devices[devfn])->id ?: "(null)");
        return false;
    } else if (dev->hotplugged &&
               bus->devices[PCI_DEVFN(PCI_SLOT(devfn), 0)]) {
        PCIDevice *f0 = bus->devices[PCI_DEVFN(PCI_SLOT(devfn), 0)];

        error_setg(errp, "PCI: slot %d function 0 already occupied by %s,"
                   " new func %s cannot be exposed to guest.",
                   PCI_SLOT(f0->devfn), f0->name, name);
        return false;
    }

    pci_dev->devfn = devfn;
    g_strlcpy(pci_dev->name, name, sizeof(pci_dev->name));
    pci_dev->irq_state = 0;
    memset(pci_dev->config, 0, sizeof(pci_dev->config));
    memset(pci_dev->wmask, 0, sizeof(pci_dev->wmask));
    memset(pci_dev->w1cmask, 0, sizeof(pci_dev->w1cmask));
    memset(pci_dev->used, 0, sizeof(pci_dev->used));
    memset(pci_dev->io_regions, 0, sizeof(pci_dev->io_regions));

    pci_config_set_vendor_id(pci_dev->config, pc->vendor_id);
    pci_config_set_device_id(pci_dev->config, pc->device_id);
    pci_config_set_revision(pci_dev->config, pc->revision);
    pci_config_set_class(pci_dev->config, pc->class_id);
    if (!pc->is_bridge) {
        if (pc->subsystem_vendor_id || pc->subsystem_id) {
            pci_set_word(pci_dev->config + PCI_SUBSYSTEM_VENDOR_ID,
                         pc->subsystem_vendor_id);
            pci_set_word(pci_dev->config + PCI_SUBSYSTEM_ID,
                         pc->subsystem_id);
        } else {
            pci_set_word(pci_dev->config + PCI_SUBSYSTEM_VENDOR_ID,
                         pci_default_sub_vendor_id);
            pci_set_word(pci_dev->config + PCI_SUBSYSTEM_ID,
                         pci_default_sub_device_id);
        }
    }
    pci_init_masks(pci_dev);
    if (!pci_init_multifunction(bus, pci_dev, errp)) {
        return false;
    }
    pci_dev->config_read = pc->config_read ?: pci_default_read_config;
    pci_dev->config_write = pc->config_write ?: pci_default_write_config;
    pci_init_bus_master(pci_dev);
    bus->devices[devfn] = pci_dev;
    return true;
}

static void do_pci_unregister_device(PCIDevice *pci_dev)
{
    PCIBus *bus = pci_get_bus(pci_dev);

    pci_device_deassert_intx(pci_dev);
    pci_unregister_io_regions(pci_dev);
    pci_destroy_bus_master(pci_dev);
    if (bus->devices[pci_dev->devfn] == pci_dev) {
        bus->devices[pci_dev->devfn] = NULL;
    }
}

/* --- the device: realize, reset, properties, type ------------------------ */

static bool pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *pci_dev = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pci_dev);
    uint32_t romsize = pci_dev->romsize;

    if (romsize != UINT32_MAX && (romsize == 0 || (romsize & (romsize - 1)))) {
        error_setg(errp, "ROM size %u is not a power of two", romsize);
        return false;
    }
    if (!do_pci_register_device(pci_dev, object_get_typename(OBJECT(qdev)),
                                pci_dev->devfn, errp)) {
        return false;
    }
    if (pc->realize && !pc->realize(pci_dev, errp)) {
        do_pci_unregister_device(pci_dev);
        return false;
    }
    /* Option ROMs (romfile, rombar) are not loaded: see pci.h. */
    return true;
}

static void pci_qdev_unrealize(DeviceState *dev)
{
    PCIDevice *pci_dev = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pci_dev);

    /* QEMU's order: the BARs leave the address spaces before exit frees
     * their regions (a mapped MSI-X BAR, virtio-pci's) */
    pci_unregister_io_regions(pci_dev);
    if (pc->exit) {
        pc->exit(pci_dev);
    }
    do_pci_unregister_device(pci_dev);
}

/* A system reset: the generic part of every PCI function (subclasses
 * chain theirs after it with device_class_set_parent_reset). */
static void pci_qdev_reset(DeviceState *dev)
{
    PCIDevice *pci_dev = PCI_DEVICE(dev);

    if (dev->realized) {
        pci_device_reset(pci_dev);
    }
}

static Property pci_props[] = {
    DEFINE_PROP_PCI_DEVFN("addr", PCIDevice, devfn, -1),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("romsize", PCIDevice, romsize, UINT32_MAX),
    DEFINE_PROP_UINT32("rombar", PCIDevice, rom_bar, 1),
    DEFINE_PROP_BIT("multifunction", PCIDevice, cap_present,
                    QEMU_PCI_CAP_MULTIFUNCTION_BITNR, false),
    DEFINE_PROP_BIT("x-pcie-lnksta-dllla", PCIDevice, cap_present,
                    QEMU_PCIE_LNKSTA_DLLLA_BITNR, true),
    DEFINE_PROP_BIT("x-pcie-extcap-init", PCIDevice, cap_present,
                    QEMU_PCIE_EXTCAP_INIT_BITNR, true),
    DEFINE_PROP_STRING("failover_pair_id", PCIDevice, failover_pair_id),
    DEFINE_PROP_UINT32("acpi-index", PCIDevice, acpi_index, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_device_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *k = DEVICE_CLASS(klass);

    k->realize = pci_qdev_realize;
    k->unrealize = pci_qdev_unrealize;
    k->reset = pci_qdev_reset;
    k->bus_type = TYPE_PCI_BUS;
    device_class_set_props(k, pci_props);
}

/* --- creating devices ------------------------------------------------------ */

PCIDevice *pci_new_multifunction(int devfn, bool multifunction,
                                 const char *name)
{
    DeviceState *dev = qdev_new(name);

    qdev_prop_set_int32(dev, "addr", devfn);
    qdev_prop_set_bit(dev, "multifunction", multifunction);
    return PCI_DEVICE(dev);
}

PCIDevice *pci_new(int devfn, const char *name)
{
    return pci_new_multifunction(devfn, false, name);
}

bool pci_realize_and_unref(PCIDevice *dev, PCIBus *bus, Error **errp)
{
    return qdev_realize_and_unref(DEVICE(dev), &bus->qbus, errp);
}

PCIDevice *pci_create_simple_multifunction(PCIBus *bus, int devfn,
                                           bool multifunction,
                                           const char *name)
{
    PCIDevice *dev = pci_new_multifunction(devfn, multifunction, name);

    pci_realize_and_unref(dev, bus, &error_fatal);
    return dev;
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *name)
{
    return pci_create_simple_multifunction(bus, devfn, false, name);
}

PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn)
{
    if (!bus || pci_bus_num(bus) != bus_num) {
        return NULL;        /* no bridges: only the root bus exists */
    }
    return bus->devices[devfn];
}

void pci_for_each_device(PCIBus *bus, int bus_num,
                         void (*fn)(PCIBus *b, PCIDevice *d, void *opaque),
                         void *opaque)
{
    if (!bus || pci_bus_num(bus) != bus_num) {
        return;
    }
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        if (bus->devices[devfn]) {
            fn(bus, bus->devices[devfn], opaque);
        }
    }
}

/* --- class names (QEMU's pci_class_descriptions) --------------------------- */

typedef struct PCIClassDesc {
    uint16_t class;
    const char *desc;
} PCIClassDesc;

static const PCIClassDesc pci_class_descriptions[] = {
    { 0x0001, "VGA controller" },
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0102, "Floppy controller" },
    { 0x0103, "IPI controller" },
    { 0x0104, "RAID controller" },
    { 0x0106, "SATA controller" },
    { 0x0107, "SAS controller" },
    { 0x0180, "Storage controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0201, "Token Ring controller" },
    { 0x0202, "FDDI controller" },
    { 0x0203, "ATM controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA controller" },
    { 0x0301, "XGA controller" },
    { 0x0302, "3D controller" },
    { 0x0380, "Display controller" },
    { 0x0400, "Video controller" },
    { 0x0401, "Audio controller" },
    { 0x0402, "Phone" },
    { 0x0403, "Audio controller" },
    { 0x0480, "Multimedia controller" },
    { 0x0500, "RAM controller" },
    { 0x0501, "Flash controller" },
    { 0x0580, "Memory controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0602, "EISA bridge" },
    { 0x0603, "MC bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0605, "PCMCIA bridge" },
    { 0x0606, "NUBUS bridge" },
    { 0x0607, "CARDBUS bridge" },
    { 0x0608, "RACEWAY bridge" },
    { 0x0680, "Bridge" },
    { 0x0700, "Serial port" },
    { 0x0701, "Parallel port" },
    { 0x0800, "Interrupt controller" },
    { 0x0801, "DMA controller" },
    { 0x0802, "Timer" },
    { 0x0803, "RTC" },
    { 0x0900, "Keyboard" },
    { 0x0901, "Pen" },
    { 0x0902, "Mouse" },
    { 0x0A00, "Dock station" },
    { 0x0B00, "i386 cpu" },
    { 0x0c00, "Firewire controller" },
    { 0x0c01, "Access bus controller" },
    { 0x0c02, "SSA controller" },
    { 0x0c03, "USB controller" },
    { 0x0c04, "Fibre channel controller" },
    { 0x0c05, "SMBus" },
};

const char *pci_class_desc(uint16_t class_id)
{
    for (size_t i = 0; i < ARRAY_SIZE(pci_class_descriptions); i++) {
        if (pci_class_descriptions[i].class == class_id) {
            return pci_class_descriptions[i].desc;
        }
    }
    return NULL;
}

static const TypeInfo pci_device_type_info = {
    .name = TYPE_PCI_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .abstract = true,
    .class_size = sizeof(PCIDeviceClass),
    .class_init = pci_device_class_init,
};

static void pci_register_types(void)
{
    type_register_static(&pci_device_type_info);
}

type_init(pci_register_types)
