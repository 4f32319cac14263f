/*
 * msix.c - MSI-X capability, vector table and pending bit array (QEMU
 * 7.2's hw/pci/msix.c).  See include/hw/pci/msix.h.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "accel/kvm.h"
#include "hw/pci/msix.h"

#define MSIX_CONTROL_OFFSET (PCI_MSIX_FLAGS + 1)   /* the high byte */
#define MSIX_ENABLE_MASK (PCI_MSIX_FLAGS_ENABLE >> 8)
#define MSIX_MASKALL_MASK (PCI_MSIX_FLAGS_MASKALL >> 8)

bool msix_enabled(const MSIXState *m)
{
    return msix_present(m) &&
           (m->dev->config[m->cap + MSIX_CONTROL_OFFSET] & MSIX_ENABLE_MASK);
}

static bool msix_vector_masked(const MSIXState *m, unsigned vector,
                               bool fmask)
{
    unsigned offset = vector * PCI_MSIX_ENTRY_SIZE;

    return fmask || (m->table[offset + PCI_MSIX_ENTRY_VECTOR_CTRL] &
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

bool msix_is_masked(const MSIXState *m, unsigned vector)
{
    return msix_vector_masked(m, vector, m->function_masked);
}

/* The pending bits are atomic: a device may notify (set one) from the
 * thread completing its requests while a vCPU unmasks (clears one). */
bool msix_is_pending(const MSIXState *m, unsigned vector)
{
    return __atomic_load_n(&m->pba[vector / 8], __ATOMIC_SEQ_CST) &
           (1u << (vector % 8));
}

void msix_set_pending(MSIXState *m, unsigned vector)
{
    if (vector < m->nentries) {
        __atomic_fetch_or(&m->pba[vector / 8], 1u << (vector % 8),
                          __ATOMIC_SEQ_CST);
    }
}

static void msix_clr_pending(MSIXState *m, unsigned vector)
{
    __atomic_fetch_and(&m->pba[vector / 8], ~(1u << (vector % 8)),
                       __ATOMIC_SEQ_CST);
}

MSIMessage msix_get_message(const MSIXState *m, unsigned vector)
{
    const uint8_t *e = &m->table[vector * PCI_MSIX_ENTRY_SIZE];

    return (MSIMessage) {
        .address = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR),
        .data = pci_get_long(e + PCI_MSIX_ENTRY_DATA),
    };
}

static void msix_send_message(MSIXState *m, unsigned vector)
{
    MSIMessage msg = msix_get_message(m, vector);

    if (kvm_enabled() && msi_message_is_apic(msg)) {
        /* QEMU: the write reaches the APIC window through the bus master
         * address space, which is off with bus mastering off */
        if (m->dev->config[PCI_COMMAND] & PCI_COMMAND_MASTER) {
            kvm_irqchip_send_msi(msg);
        }
        return;
    }
    /* QEMU's msi_send_message: a 32-bit write through the bus master */
    pci_dma_write(m->dev, msg.address, &msg.data, sizeof(msg.data));
}

void msix_notify(MSIXState *m, unsigned vector)
{
    if (vector >= m->nentries || !m->used[vector]) {
        return;
    }
    if (msix_is_masked(m, vector)) {
        msix_set_pending(m, vector);
        return;
    }
    msix_send_message(m, vector);
}

/* QEMU's msix_fire_vector_notifier */
static void msix_fire_vector_notifier(MSIXState *m, unsigned vector,
                                      bool is_masked)
{
    if (!m->vector_use_notifier) {
        return;
    }
    if (is_masked) {
        m->vector_release_notifier(m->dev, vector);
    } else {
        m->vector_use_notifier(m->dev, vector, msix_get_message(m, vector));
    }
}

static void msix_handle_mask_update(MSIXState *m, unsigned vector,
                                    bool was_masked)
{
    bool is_masked = msix_is_masked(m, vector);

    if (is_masked == was_masked) {
        return;
    }
    msix_fire_vector_notifier(m, vector, is_masked);
    if (!is_masked && msix_is_pending(m, vector)) {
        msix_clr_pending(m, vector);
        msix_notify(m, vector);
    }
}

static void msix_update_function_masked(MSIXState *m)
{
    uint8_t ctrl = m->dev->config[m->cap + MSIX_CONTROL_OFFSET];

    m->function_masked = !(ctrl & MSIX_ENABLE_MASK) ||
                         (ctrl & MSIX_MASKALL_MASK);
}

void msix_write_config(MSIXState *m, uint32_t addr, uint32_t val, int len)
{
    unsigned enable_pos;
    bool was_masked;

    if (!msix_present(m)) {
        return;
    }
    enable_pos = m->cap + MSIX_CONTROL_OFFSET;
    if (!(addr <= enable_pos && enable_pos < addr + len)) {
        return;
    }
    was_masked = m->function_masked;
    msix_update_function_masked(m);
    if (!msix_enabled(m)) {
        return;
    }
    pci_device_deassert_intx(m->dev);
    if (m->function_masked == was_masked) {
        return;
    }
    for (unsigned v = 0; v < m->nentries; v++) {
        msix_handle_mask_update(m, v,
                                msix_vector_masked(m, v, was_masked));
    }
}

/* --- the table and the PBA -------------------------------------------- */

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    MSIXState *m = opaque;

    return pci_get_long(&m->table[addr & ~3ULL]);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    MSIXState *m = opaque;
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;
    bool was_masked = msix_is_masked(m, vector);
    MSIMessage old = msix_get_message(m, vector);
    MSIMessage new;

    pci_set_long(&m->table[addr & ~3ULL], val);
    new = msix_get_message(m, vector);
    /* A new message for an unmasked vector: tell the notifier (QEMU only
     * tells it at the next unmask; the spec leaves this undefined) */
    if (!was_masked && !msix_is_masked(m, vector) &&
        (old.address != new.address || old.data != new.data)) {
        msix_fire_vector_notifier(m, vector, false);
    }
    msix_handle_mask_update(m, vector, was_masked);
}

static const MemoryRegionOps msix_table_mmio_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    MSIXState *m = opaque;
    uint32_t val = 0;
    unsigned pba_size = ((m->nentries + 63) / 64) * 8;

    /* QEMU: let the device set the bits of what it held back */
    if (m->vector_poll_notifier && addr < pba_size) {
        unsigned vector_start = addr * 8;
        unsigned vector_end = MIN(m->nentries, (addr + size) * 8);

        m->vector_poll_notifier(m->dev, vector_start, vector_end);
    }
    for (unsigned i = 0; i < size && addr + i < pba_size; i++) {
        val |= (uint32_t)__atomic_load_n(&m->pba[addr + i],
                                         __ATOMIC_SEQ_CST) << (8 * i);
    }
    return val;
}

static const MemoryRegionOps msix_pba_mmio_ops = {
    .read = msix_pba_read,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .max_access_size = 4 },
};

/* --- life cycle --------------------------------------------------------- */

static void msix_mask_all(MSIXState *m)
{
    for (unsigned v = 0; v < m->nentries; v++) {
        m->table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] |=
            PCI_MSIX_ENTRY_CTRL_MASKBIT;
    }
}

static uint32_t pow2ceil32(uint32_t v)
{
    uint32_t p = 1;

    while (p < v) {
        p <<= 1;
    }
    return p;
}

int msix_init_exclusive_bar(MSIXState *m, PCIDevice *dev,
                            unsigned short nentries, uint8_t bar_nr,
                            Error **errp)
{
    uint32_t bar_size = 4096;
    uint32_t pba_offset = bar_size / 2;
    uint32_t pba_size = ((nentries + 63) / 64) * 8;
    uint32_t table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    g_autofree char *name = NULL;
    uint8_t *config;
    int cap;

    if (nentries < 1 || nentries > PCI_MSIX_FLAGS_QSIZE + 1) {
        error_setg(errp, "The number of MSI-X vectors is invalid");
        return -EINVAL;
    }
    /* QEMU: a 4 KiB BAR, table in the lower half, PBA in the upper */
    if (table_size > pba_offset) {
        pba_offset = table_size;
    }
    if (pba_offset + pba_size > 4096) {
        bar_size = pba_offset + pba_size;
    }
    bar_size = pow2ceil32(bar_size);

    cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, 0, MSIX_CAP_LENGTH, errp);
    if (cap < 0) {
        return cap;
    }
    m->dev = dev;
    m->cap = cap;
    m->nentries = nentries;
    m->function_masked = true;
    config = dev->config + cap;
    pci_set_word(config + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(config + PCI_MSIX_TABLE, 0 | bar_nr);
    pci_set_long(config + PCI_MSIX_PBA, pba_offset | bar_nr);
    /* enable and function mask are writable */
    dev->wmask[cap + MSIX_CONTROL_OFFSET] |= MSIX_ENABLE_MASK |
                                            MSIX_MASKALL_MASK;
    m->table = g_malloc0(table_size);
    m->pba = g_malloc0(pba_size);
    m->used = g_new0(unsigned, nentries);
    msix_mask_all(m);

    name = g_strdup_printf("%s-msix", dev->name);
    memory_region_init(&m->bar, OBJECT(dev), name, bar_size);
    memory_region_init_io(&m->table_mmio, OBJECT(dev), &msix_table_mmio_ops,
                          m, "msix-table", table_size);
    memory_region_add_subregion(&m->bar, 0, &m->table_mmio);
    memory_region_init_io(&m->pba_mmio, OBJECT(dev), &msix_pba_mmio_ops, m,
                          "msix-pba", pba_size);
    memory_region_add_subregion(&m->bar, pba_offset, &m->pba_mmio);
    pci_register_bar(dev, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY, &m->bar);
    return 0;
}

void msix_uninit_exclusive_bar(MSIXState *m)
{
    if (!msix_present(m)) {
        return;
    }
    pci_del_capability(m->dev, PCI_CAP_ID_MSIX, MSIX_CAP_LENGTH);
    memory_region_del_subregion(&m->bar, &m->table_mmio);
    memory_region_del_subregion(&m->bar, &m->pba_mmio);
    object_unparent(OBJECT(&m->table_mmio));
    object_unparent(OBJECT(&m->pba_mmio));
    object_unparent(OBJECT(&m->bar));
    g_free(m->table);
    g_free(m->pba);
    g_free(m->used);
    m->table = m->pba = NULL;
    m->used = NULL;
    m->nentries = 0;
}

int msix_vector_use(MSIXState *m, unsigned vector)
{
    if (vector >= m->nentries) {
        return -EINVAL;
    }
    m->used[vector]++;
    return 0;
}

void msix_vector_unuse(MSIXState *m, unsigned vector)
{
    if (vector >= m->nentries || !m->used[vector]) {
        return;
    }
    if (--m->used[vector]) {
        return;
    }
    msix_clr_pending(m, vector);
}

void msix_unuse_all_vectors(MSIXState *m)
{
    for (unsigned v = 0; v < m->nentries; v++) {
        m->used[v] = 0;
        msix_clr_pending(m, v);
    }
}

void msix_reset(MSIXState *m)
{
    if (!msix_present(m)) {
        return;
    }
    msix_unuse_all_vectors(m);
    m->dev->config[m->cap + MSIX_CONTROL_OFFSET] &=
        ~m->dev->wmask[m->cap + MSIX_CONTROL_OFFSET];
    memset(m->table, 0, m->nentries * PCI_MSIX_ENTRY_SIZE);
    memset(m->pba, 0, ((m->nentries + 63) / 64) * 8);
    msix_mask_all(m);
    msix_update_function_masked(m);
}

/* --- vector notifiers (QEMU's msix_set_vector_notifiers) ---------------- */

static bool msix_function_unmasked_enabled(const MSIXState *m)
{
    return msix_enabled(m) && !m->function_masked;
}

int msix_set_vector_notifiers(MSIXState *m, MSIVectorUseNotifier use,
                              MSIVectorReleaseNotifier release,
                              MSIVectorPollNotifier poll)
{
    assert(use && release);
    m->vector_use_notifier = use;
    m->vector_release_notifier = release;
    m->vector_poll_notifier = poll;
    if (!msix_function_unmasked_enabled(m)) {
        return 0;
    }
    for (unsigned v = 0; v < m->nentries; v++) {
        int ret;

        if (msix_is_masked(m, v)) {
            continue;
        }
        ret = use(m->dev, v, msix_get_message(m, v));
        if (ret < 0) {
            while (v-- > 0) {
                if (!msix_is_masked(m, v)) {
                    release(m->dev, v);
                }
            }
            m->vector_use_notifier = NULL;
            m->vector_release_notifier = NULL;
            m->vector_poll_notifier = NULL;
            return ret;
        }
    }
    return 0;
}

void msix_unset_vector_notifiers(MSIXState *m)
{
    if (!m->vector_use_notifier) {
        return;
    }
    if (msix_function_unmasked_enabled(m)) {
        for (unsigned v = 0; v < m->nentries; v++) {
            if (!msix_is_masked(m, v)) {
                m->vector_release_notifier(m->dev, v);
            }
        }
    }
    m->vector_use_notifier = NULL;
    m->vector_release_notifier = NULL;
    m->vector_poll_notifier = NULL;
}
