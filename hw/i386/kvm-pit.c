/*
 * kvm-pit.c - the in-kernel Intel 8254 PIT as an ISA device, "kvm-pit"
 * (QEMU 7.2's hw/i386/kvm/i8254.c and hw/timer/i8254_common.c).
 *
 * Modelled: creating KVM's PIT (KVM_CREATE_PIT2: ports 0x40-0x43 and
 * the speaker gate at 0x61 are then handled in the kernel, which raises
 * GSI 0); QEMU's reset state written back at every system reset (all
 * three channels mode 3, count 0x10000, gate on except channel 2, so
 * channel 0 ticks at 18.2 Hz as after firmware); "lost_tick_policy"
 * (delay: KVM re-injects missed ticks; discard: KVM_REINJECT_CONTROL
 * off); the GPIO input that disables the PIT's output (HPET legacy
 * replacement, KVM_PIT_FLAGS_HPET_LEGACY).  The 4 ports at "iobase"
 * are in the memory map only: KVM answers them.  Not modelled: migrating
 * the counters, the userspace PIT, "slew".  Without KVM: records only.
 */
#include "util/osdep.h"
#include "util/error.h"
#include "accel/kvm.h"
#include "hw/core/qdev-properties.h"
#include "hw/isa/isa.h"
#include "hw/i386/ioapic.h"

#include <linux/kvm.h>

OBJECT_DECLARE_SIMPLE_TYPE(KVMPITState, KVM_PIT)

/* QAPI's LostTickPolicy. */
typedef enum LostTickPolicy {
    LOST_TICK_POLICY_DISCARD,
    LOST_TICK_POLICY_DELAY,
    LOST_TICK_POLICY_SLEW,
    LOST_TICK_POLICY__MAX,
} LostTickPolicy;

static const char *const LostTickPolicy_names[] = {
    "discard", "delay", "slew",
};

static const QEnumLookup LostTickPolicy_lookup = {
    .array = LostTickPolicy_names,
    .size = LOST_TICK_POLICY__MAX,
};

struct KVMPITState {
    ISADevice parent_obj;
    MemoryRegion ioports;       /* "kvm-pit", 4 ports at iobase */
    uint32_t iobase;            /* "iobase" (0x40 on the PC) */
    LostTickPolicy lost_tick_policy;    /* "lost_tick_policy" */
    bool irq_disabled;          /* channel 0 output off (HPET legacy) */
    bool created;               /* KVM_CREATE_PIT2 done */
};

/* Write QEMU's pit_reset_common() state into KVM's PIT. */
static void kvm_pit_put_reset_state(KVMPITState *s)
{
    struct kvm_pit_state2 st;

    if (!s->created) {
        return;
    }
    memset(&st, 0, sizeof(st));
    for (int i = 0; i < 3; i++) {
        st.channels[i].count = 0x10000;
        st.channels[i].mode = 3;
        st.channels[i].gate = i != 2;
    }
    st.flags = s->irq_disabled ? KVM_PIT_FLAGS_HPET_LEGACY : 0;
    kvm_vm_ioctl(KVM_SET_PIT2, &st);
}

/* GPIO input 0: @enable = the PIT may drive IRQ 0 (QEMU's
 * kvm_pit_irq_control). */
static void kvm_pit_irq_control(void *opaque, int n, int enable)
{
    KVMPITState *s = opaque;
    struct kvm_pit_state2 st;

    s->irq_disabled = !enable;
    if (!s->created || kvm_vm_ioctl(KVM_GET_PIT2, &st) < 0) {
        return;
    }
    st.flags = s->irq_disabled ? KVM_PIT_FLAGS_HPET_LEGACY : 0;
    kvm_vm_ioctl(KVM_SET_PIT2, &st);
}

static void kvm_pit_reset(DeviceState *dev)
{
    KVMPITState *s = KVM_PIT(dev);

    s->irq_disabled = false;
    kvm_pit_put_reset_state(s);
}

static bool kvm_pit_realize(DeviceState *dev, Error **errp)
{
    KVMPITState *s = KVM_PIT(dev);
    struct kvm_pit_config config = { .flags = 0 };
    int ret;

    if (s->lost_tick_policy == LOST_TICK_POLICY_SLEW) {
        error_setg(errp, "Lost tick policy not supported.");
        return false;
    }
    if (s->iobase > 0xfffc) {
        error_setg(errp, "kvm-pit: iobase 0x%x out of range", s->iobase);
        return false;
    }
    if (kvm_enabled()) {
        ret = kvm_vm_ioctl(KVM_CREATE_PIT2, &config);
        if (ret < 0) {
            error_setg(errp, "Create kernel PIC irqchip failed: %s",
                       strerror(-ret));
            return false;
        }
        s->created = true;
        if (s->lost_tick_policy == LOST_TICK_POLICY_DISCARD) {
            struct kvm_reinject_control control = { .pit_reinject = 0 };

            ret = kvm_vm_ioctl(KVM_REINJECT_CONTROL, &control);
            if (ret < 0) {
                error_setg(errp, "Can't disable in-kernel PIT reinjection: "
                           "%s", strerror(-ret));
                return false;
            }
        }
    }
    memory_region_init_io(&s->ioports, OBJECT(dev), NULL, NULL, "kvm-pit",
                          4);
    isa_register_ioport(ISA_DEVICE(dev), &s->ioports, s->iobase);
    qdev_init_gpio_in(dev, kvm_pit_irq_control, 1);
    return true;
}

static const PropertyInfo qdev_prop_losttickpolicy = {
    .name = "LostTickPolicy",
    .description = "discard/delay/slew",
    .enum_table = &LostTickPolicy_lookup,
    .get = qdev_propinfo_get_enum,
    .set = qdev_propinfo_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

static Property kvm_pit_properties[] = {
    DEFINE_PROP_UINT32("iobase", KVMPITState, iobase, -1),
    DEFINE_PROP_SIGNED("lost_tick_policy", KVMPITState, lost_tick_policy,
                       LOST_TICK_POLICY_DELAY, qdev_prop_losttickpolicy,
                       LostTickPolicy),
    DEFINE_PROP_END_OF_LIST(),
};

static void kvm_pit_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = kvm_pit_realize;
    dc->reset = kvm_pit_reset;
    device_class_set_props(dc, kvm_pit_properties);
    /* Reason: one per VM, created by the board (KVM allows one PIT). */
    dc->user_creatable = false;
}

static const TypeInfo kvm_pit_info = {
    .name = TYPE_KVM_PIT,
    .parent = TYPE_ISA_DEVICE,
    .instance_size = sizeof(KVMPITState),
    .class_init = kvm_pit_class_init,
};

static void kvm_pit_register_types(void)
{
    type_register_static(&kvm_pit_info);
}

type_init(kvm_pit_register_types)
