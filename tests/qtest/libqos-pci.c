/*
 * libqos-pci.c - PCI configuration space through 0xcf8/0xcfc over qtest
 * (see libqos-pci.h).
 */
#include "util/osdep.h"
#include "libqos-pci.h"

#define PCI_CONFIG_ADDR 0xcf8
#define PCI_CONFIG_DATA 0xcfc

static void config_addr(QTestState *s, int devfn, uint8_t offset)
{
    g_assert(devfn >= 0 && devfn < 256);
    qtest_outl(s, PCI_CONFIG_ADDR,
               0x80000000u | (uint32_t)devfn << 8 | (offset & 0xfc));
}

uint8_t qpci_config_readb(QTestState *s, int devfn, uint8_t offset)
{
    config_addr(s, devfn, offset);
    return qtest_inb(s, PCI_CONFIG_DATA + (offset & 3));
}

uint16_t qpci_config_readw(QTestState *s, int devfn, uint8_t offset)
{
    config_addr(s, devfn, offset);
    return qtest_inw(s, PCI_CONFIG_DATA + (offset & 2));
}

uint32_t qpci_config_readl(QTestState *s, int devfn, uint8_t offset)
{
    config_addr(s, devfn, offset);
    return qtest_inl(s, PCI_CONFIG_DATA);
}

void qpci_config_writeb(QTestState *s, int devfn, uint8_t offset,
                        uint8_t value)
{
    config_addr(s, devfn, offset);
    qtest_outb(s, PCI_CONFIG_DATA + (offset & 3), value);
}

void qpci_config_writew(QTestState *s, int devfn, uint8_t offset,
                        uint16_t value)
{
    config_addr(s, devfn, offset);
    qtest_outw(s, PCI_CONFIG_DATA + (offset & 2), value);
}

void qpci_config_writel(QTestState *s, int devfn, uint8_t offset,
                        uint32_t value)
{
    config_addr(s, devfn, offset);
    qtest_outl(s, PCI_CONFIG_DATA, value);
}

bool qpci_device_exists(QTestState *s, int devfn)
{
    return qpci_config_readw(s, devfn, PCI_VENDOR_ID) != 0xffff;
}

int qpci_find_device(QTestState *s, uint16_t vendor, uint16_t device,
                     int start_devfn)
{
    for (int devfn = MAX(start_devfn, 0); devfn < 256; devfn++) {
        uint32_t id;

        if (QPCI_FN(devfn) && !(qpci_config_readb(s, QPCI_DEVFN(QPCI_SLOT(devfn), 0),
                                                  PCI_HEADER_TYPE) &
                                PCI_HEADER_TYPE_MULTI)) {
            continue;           /* functions 1-7 of a single-function slot */
        }
        id = qpci_config_readl(s, devfn, PCI_VENDOR_ID);
        if ((id & 0xffff) == 0xffff) {
            continue;
        }
        if ((vendor == 0xffff || (id & 0xffff) == vendor) &&
            (device == 0xffff || id >> 16 == device)) {
            return devfn;
        }
    }
    return -1;
}

uint64_t qpci_bar_size(QTestState *s, int devfn, int bar, bool *is_io)
{
    uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;
    uint32_t old = qpci_config_readl(s, devfn, reg);
    uint32_t mask;
    uint64_t size;

    g_assert(bar >= 0 && bar < 6);
    qpci_config_writel(s, devfn, reg, 0xffffffff);
    mask = qpci_config_readl(s, devfn, reg);
    qpci_config_writel(s, devfn, reg, old);
    if (is_io) {
        *is_io = mask & PCI_BASE_ADDRESS_SPACE_IO;
    }
    if (!mask) {
        return 0;
    }
    if (mask & PCI_BASE_ADDRESS_SPACE_IO) {
        return (uint16_t)~(mask & ~3u) + 1;
    }
    size = ~(uint64_t)(mask & ~0xfu) + 1;
    if (mask & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        uint32_t old_hi = qpci_config_readl(s, devfn, reg + 4);
        uint64_t full;

        qpci_config_writel(s, devfn, reg + 4, 0xffffffff);
        full = (uint64_t)qpci_config_readl(s, devfn, reg + 4) << 32 |
               (mask & ~0xfu);
        qpci_config_writel(s, devfn, reg + 4, old_hi);
        size = ~full + 1;
    } else {
        size &= 0xffffffffu;
    }
    return size;
}

uint64_t qpci_map_bar(QTestState *s, int devfn, int bar)
{
    static uint64_t next_io = 0xc000, next_mem = 0xe0000000;
    uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * bar;
    bool is_io;
    uint64_t size = qpci_bar_size(s, devfn, bar, &is_io);
    uint64_t *next = is_io ? &next_io : &next_mem;
    uint64_t addr;
    uint16_t cmd;

    if (!size) {
        return 0;
    }
    addr = (*next + size - 1) & ~(size - 1);
    *next = addr + size;
    qpci_config_writel(s, devfn, reg, (uint32_t)addr);
    if (!is_io && (qpci_config_readl(s, devfn, reg) &
                   PCI_BASE_ADDRESS_MEM_TYPE_64)) {
        qpci_config_writel(s, devfn, reg + 4, addr >> 32);
    }
    cmd = qpci_config_readw(s, devfn, PCI_COMMAND);
    qpci_config_writew(s, devfn, PCI_COMMAND,
                       cmd | (is_io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY));
    return addr;
}
