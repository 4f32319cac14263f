/*
 * kvm-ioapic.c - the in-kernel IOAPIC as a device, "kvm-ioapic" (QEMU
 * 7.2's hw/i386/kvm/ioapic.c), and the PC's KVM GSI routing
 * (kvm_pc_setup_irq_routing).  See include/hw/i386/ioapic.h.
 *
 * Modelled: 24 GPIO inputs, GSI gsi_base + n, passed to KVM_IRQ_LINE
 * with the level held until lowered (PCI INTx and IDE stay asserted);
 * the 4 KiB MMIO window at 0xfec00000 (KVM answers guest accesses in the
 * kernel, so the region itself never sees one: it refuses accesses, as
 * QEMU's does); "gsi_base".  Not modelled: reading the redirection table
 * back for `info ioapic` / migration (KVM_GET_IRQCHIP), the userspace
 * IOAPIC (kernel-irqchip=off/split).
 */
#include "util/osdep.h"
#include "util/error.h"
#include "accel/kvm.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/ioapic.h"

#include <linux/kvm.h>

OBJECT_DECLARE_SIMPLE_TYPE(KVMIOAPICState, KVM_IOAPIC)

struct KVMIOAPICState {
    SysBusDevice parent_obj;
    MemoryRegion io_memory;     /* "kvm-ioapic", 0x1000 bytes */
    uint32_t kvm_gsi_base;      /* "gsi_base": GSI of input 0 */
    uint8_t version;            /* 0x11: what KVM's IOAPIC reports */
};

/* --- GSI routing ---------------------------------------------------------- */

/*
 * QEMU's kvm_pc_setup_irq_routing: the pin routes are entries of the one
 * routing table accel/kvm/kvm-irqchip.c owns (MSI routes of irqfds join
 * them later, on GSIs above these), committed once here.
 */
int kvm_pc_setup_irq_routing(bool pci_enabled)
{
    int ret = 0;

    if (!kvm_enabled()) {
        return 0;
    }
    if (!kvm_gsi_routing_enabled()) {
        return -ENOSYS;
    }
    for (int i = 0; i < 8 && !ret; i++) {
        if (i != 2) {
            ret = kvm_irqchip_add_irq_route(i, KVM_IRQCHIP_PIC_MASTER, i);
        }
    }
    for (int i = 8; i < 16 && !ret; i++) {
        ret = kvm_irqchip_add_irq_route(i, KVM_IRQCHIP_PIC_SLAVE, i - 8);
    }
    if (pci_enabled) {
        for (int i = 0; i < IOAPIC_NUM_PINS && !ret; i++) {
            if (i == 0) {
                ret = kvm_irqchip_add_irq_route(i, KVM_IRQCHIP_IOAPIC, 2);
            } else if (i != 2) {
                ret = kvm_irqchip_add_irq_route(i, KVM_IRQCHIP_IOAPIC, i);
            }
        }
    }
    return ret < 0 ? ret : kvm_irqchip_commit_routes();
}

int kvm_pc_set_elcr(uint16_t elcr)
{
    struct kvm_irqchip chip;
    int ret;

    if (!kvm_enabled()) {
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        memset(&chip, 0, sizeof(chip));
        chip.chip_id = i ? KVM_IRQCHIP_PIC_SLAVE : KVM_IRQCHIP_PIC_MASTER;
        ret = kvm_vm_ioctl(KVM_GET_IRQCHIP, &chip);
        if (ret < 0) {
            return ret;
        }
        chip.chip.pic.elcr = (elcr >> (8 * i)) & chip.chip.pic.elcr_mask;
        ret = kvm_vm_ioctl(KVM_SET_IRQCHIP, &chip);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* --- the device ---------------------------------------------------------------- */

/* Input @irq changed: tell KVM (the line keeps the level for observers). */
static void kvm_ioapic_set_irq(void *opaque, int irq, int level)
{
    KVMIOAPICState *s = opaque;

    if (kvm_enabled()) {
        kvm_set_irq(s->kvm_gsi_base + irq, level);
    }
}

static bool kvm_ioapic_realize(DeviceState *dev, Error **errp)
{
    KVMIOAPICState *s = KVM_IOAPIC(dev);

    memory_region_init_io(&s->io_memory, OBJECT(dev), NULL, NULL,
                          "kvm-ioapic", 0x1000);
    sysbus_init_mmio(SYS_BUS_DEVICE(dev), &s->io_memory);
    /* QEMU: "KVM ioapic only supports 0x11 now." */
    s->version = 0x11;
    qdev_init_gpio_in(dev, kvm_ioapic_set_irq, IOAPIC_NUM_PINS);
    return true;
}

static Property kvm_ioapic_properties[] = {
    DEFINE_PROP_UINT32("gsi_base", KVMIOAPICState, kvm_gsi_base, 0),
    DEFINE_PROP_END_OF_LIST()
};

static void kvm_ioapic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = kvm_ioapic_realize;
    device_class_set_props(dc, kvm_ioapic_properties);
    /* Reason: the board wires its inputs (ioapic_init_gsi) */
    dc->user_creatable = false;
}

/* --- board helper ---------------------------------------------------------------- */

DeviceState *ioapic_init_gsi(qemu_irq gsi[IOAPIC_NUM_PINS], Object *parent,
                             Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_KVM_IOAPIC);

    object_property_add_child(parent, "ioapic", OBJECT(dev));
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, IO_APIC_DEFAULT_ADDRESS);
    for (int i = 0; i < IOAPIC_NUM_PINS; i++) {
        gsi[i] = qdev_get_gpio_in(dev, i);
    }
    return dev;
}

static const TypeInfo kvm_ioapic_info = {
    .name = TYPE_KVM_IOAPIC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(KVMIOAPICState),
    .class_init = kvm_ioapic_class_init,
};

static void kvm_ioapic_register_types(void)
{
    type_register_static(&kvm_ioapic_info);
}

type_init(kvm_ioapic_register_types)
