/*
 * msix.c - MSI-X capability, vector table and pending bit array (QEMU
 * 7.2's hw/pci/msix.c).  See include/hw/pci/msix.h.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "accel/kvm.h"
#include "hw/pci/msix.h"

#include <linux/kvm.h>

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

bool msix_is_pending(const MSIXState *m, unsigned vector)
{
    return m->pba[vector / 8] & (1u << (vector % 8));
}

static void msix_set_pending(MSIXState *m, unsigned vector)
{
    m->pba[vector / 8] |= 1u << (vector % 8);
}

static void msix_clr_pending(MSIXState *m, unsigned vector)
{
    m->pba[vector / 8] &= ~(1u << (vector % 8));
}

static void msix_send_message(MSIXState *m, unsigned vector)
{
    const uint8_t *e = &m->table[vector * PCI_MSIX_ENTRY_SIZE];
    uint64_t address = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR);
    uint32_t data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);

    if (kvm_enabled()) {
        struct kvm_msi msi = {
            .address_lo = (uint32_t)address,
            .address_hi = address >> 32,
            .data = data,
        };

        kvm_vm_ioctl(KVM_SIGNAL_MSI, &msi);
        return;
    }
    /* QEMU's msi_send_message: a 32-bit write through the bus master */
    pci_dma_write(m->dev, address, &data, sizeof(data));
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

static void msix_handle_mask_update(MSIXState *m, unsigned vector,
                                    bool was_masked)
{
    bool is_masked = msix_is_masked(m, vector);

    if (is_masked == was_masked) {
        return;
    }
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

    pci_set_long(&m->table[addr & ~3ULL], val);
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

    for (unsigned i = 0; i < size && addr + i < pba_size; i++) {
        val |= (uint32_t)m->pba[addr + i] << (8 * i);
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
