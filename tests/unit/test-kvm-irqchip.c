/*
 * test-kvm-irqchip.c - the GSI routing table and irqfds
 * (accel/kvm/kvm-irqchip.c) on a real VM without running a guest: the
 * pc's pin routes and MSI routes in one table, virqs from 24 up and
 * reused lowest first, updates, releases, what is refused; an irqfd on
 * an MSI route and KVM_SIGNAL_MSI reaching a vCPU's local APIC (its IRR
 * read with KVM_GET_LAPIC), a removed irqfd reaching nothing.  Without
 * KVM: everything refuses.  The KVM cases skip when /dev/kvm cannot be
 * opened.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "hw/core/memory.h"
#include "hw/i386/ioapic.h"
#include "../../accel/kvm/kvm-internal.h"
#include "harness.h"
#include "vcpu-helper.h"

#include <sys/eventfd.h>
#include <sys/ioctl.h>

#define APIC_SVR 0xf0
#define APIC_IRR 0x200

static struct {
    MemoryRegion sysmem, sysio, ram;
    AddressSpace as_mem, as_io;
    int vcpu;
} vm;

static MSIMessage apic_msg(uint8_t vector)
{
    return (MSIMessage) { .address = MSI_ADDR_APIC_BASE, .data = vector };
}

static void vm_init(void)
{
    memory_map_init(&vm.sysmem, &vm.sysio, &vm.as_mem, &vm.as_io);
    memory_region_init_ram(&vm.ram, NULL, "ram", 0x100000, &error_abort);
    memory_region_add_subregion(&vm.sysmem, 0, &vm.ram);
    bql_lock();
    accel_init_machine("kvm", NULL, &error_abort);
    bql_unlock();
    vm.vcpu = -1;
}

static void vm_destroy(void)
{
    if (vm.vcpu >= 0) {
        close(vm.vcpu);
    }
    bql_lock();
    accel_cleanup();
    bql_unlock();
    memory_region_del_subregion(&vm.sysmem, &vm.ram);
    object_unparent(OBJECT(&vm.ram));
    memory_map_cleanup(&vm.sysmem, &vm.sysio, &vm.as_mem, &vm.as_io);
}

/* vCPU 0 (no thread, never run) with its local APIC software-enabled. */
static void vm_add_vcpu(void)
{
    struct kvm_lapic_state lapic;

    vm.vcpu = ioctl(kvm_state()->vmfd, KVM_CREATE_VCPU, 0);
    CU_ASSERT_FATAL(vm.vcpu >= 0);
    CU_ASSERT_EQUAL_FATAL(ioctl(vm.vcpu, KVM_GET_LAPIC, &lapic), 0);
    *(uint32_t *)&lapic.regs[APIC_SVR] = 0x1ff;
    CU_ASSERT_EQUAL_FATAL(ioctl(vm.vcpu, KVM_SET_LAPIC, &lapic), 0);
}

static bool irr(uint8_t vector)
{
    struct kvm_lapic_state lapic;
    uint32_t v;

    if (ioctl(vm.vcpu, KVM_GET_LAPIC, &lapic) < 0) {
        return false;
    }
    memcpy(&v, &lapic.regs[APIC_IRR + 0x10 * (vector / 32)], 4);
    return v & (1u << (vector % 32));
}

/* Up to 1 s: an irqfd may inject from a kernel worker. */
static bool wait_irr(uint8_t vector)
{
    for (int i = 0; i < 1000; i++) {
        if (irr(vector)) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

static void test_without_kvm(void)
{
    KVMRouteChange c = kvm_irqchip_begin_route_changes();
    KVMIrqchipStats st;

    CU_ASSERT_FALSE(kvm_gsi_routing_enabled());
    CU_ASSERT_FALSE(kvm_msi_via_irqfd_enabled());
    CU_ASSERT_EQUAL(kvm_irqchip_add_msi_route(&c, apic_msg(0x40)), -ENOSYS);
    CU_ASSERT_EQUAL(c.changes, 0);
    CU_ASSERT_EQUAL(kvm_irqchip_add_irq_route(1, KVM_IRQCHIP_IOAPIC, 1),
                    -ENOSYS);
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(24, apic_msg(0x40)),
                    -ENOSYS);
    kvm_irqchip_release_virq(24);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_routes(), -ENODEV);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_route_changes(&c), 0);
    CU_ASSERT_EQUAL(kvm_irqchip_add_irqfd_notifier_gsi(3, -1, 24), -ENODEV);
    CU_ASSERT_EQUAL(kvm_irqchip_remove_irqfd_notifier_gsi(3, 24), -ENODEV);
    CU_ASSERT_EQUAL(kvm_irqchip_send_msi(apic_msg(0x40)), -ENODEV);
    kvm_irqchip_get_stats(&st);
    CU_ASSERT_EQUAL(st.routes, 0);
    /* only the APIC window is an interrupt */
    CU_ASSERT_TRUE(msi_message_is_apic(apic_msg(0)));
    CU_ASSERT_TRUE(msi_message_is_apic((MSIMessage) { 0xfeeff00c, 0 }));
    CU_ASSERT_FALSE(msi_message_is_apic((MSIMessage) { 0xfef00000, 0 }));
    CU_ASSERT_FALSE(msi_message_is_apic((MSIMessage) { 0xfedffffc, 0 }));
    CU_ASSERT_FALSE(msi_message_is_apic((MSIMessage) { 0x1fee00000ULL, 0 }));
}

static void test_table(void)
{
    KVMRouteChange c;
    KVMIrqchipStats st0, st;
    int a, b, d;

    vm_init();
    CU_ASSERT_TRUE(kvm_gsi_routing_enabled());
    kvm_irqchip_get_stats(&st0);
    CU_ASSERT_EQUAL(st0.routes, 0);
    /* the pc's routes: PIC 0-7 but 2, 8-15, IOAPIC 0-23 but 2 */
    CU_ASSERT_EQUAL(kvm_pc_setup_irq_routing(true), 0);
    kvm_irqchip_get_stats(&st);
    CU_ASSERT_EQUAL(st.routes, 7 + 8 + 23);
    CU_ASSERT_EQUAL(st.commits, st0.commits + 1);

    /* MSI routes join the same table, above the IOAPIC's pins (GSI 2,
     * unrouted, is not handed out) */
    c = kvm_irqchip_begin_route_changes();
    a = kvm_irqchip_add_msi_route(&c, apic_msg(0x41));
    b = kvm_irqchip_add_msi_route(&c, apic_msg(0x42));
    CU_ASSERT_EQUAL(a, 24);
    CU_ASSERT_EQUAL(b, 25);
    CU_ASSERT_EQUAL(c.changes, 2);
    /* not a message to the APICs: no route */
    CU_ASSERT_EQUAL(kvm_irqchip_add_msi_route(&c, (MSIMessage) { 0x1000, 1 }),
                    -EINVAL);
    CU_ASSERT_EQUAL(c.changes, 2);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_route_changes(&c), 0);
    CU_ASSERT_EQUAL(c.changes, 0);
    kvm_irqchip_get_stats(&st);
    CU_ASSERT_EQUAL(st.routes, 38 + 2);
    CU_ASSERT_EQUAL(st.commits, st0.commits + 2);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_route_changes(&c), 0);   /* none */
    kvm_irqchip_get_stats(&st);
    CU_ASSERT_EQUAL(st.commits, st0.commits + 2);

    /* the lowest free one is reused */
    kvm_irqchip_release_virq(a);
    c = kvm_irqchip_begin_route_changes();
    d = kvm_irqchip_add_msi_route(&c, apic_msg(0x43));
    CU_ASSERT_EQUAL(d, 24);
    CU_ASSERT_EQUAL(kvm_irqchip_add_msi_route(&c, apic_msg(0x44)), 26);
    kvm_irqchip_release_virq(26);

    /* updates: an MSI route only, an APIC message only */
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(b, apic_msg(0x45)), 0);
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(100, apic_msg(0x45)),
                    -ESRCH);
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(5, apic_msg(0x45)), -ESRCH);
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(b, (MSIMessage) { 0, 0 }),
                    -EINVAL);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_routes(), 0);
    /* out-of-range GSIs are refused or ignored */
    CU_ASSERT_EQUAL(kvm_irqchip_add_irq_route(-1, KVM_IRQCHIP_IOAPIC, 0),
                    -EINVAL);
    CU_ASSERT_EQUAL(kvm_irqchip_add_irq_route(1 << 30, KVM_IRQCHIP_IOAPIC, 0),
                    -EINVAL);
    kvm_irqchip_release_virq(-5);
    kvm_irqchip_release_virq(1 << 30);
    kvm_irqchip_release_virq(b);
    kvm_irqchip_release_virq(d);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_routes(), 0);
    kvm_irqchip_get_stats(&st);
    CU_ASSERT_EQUAL(st.routes, 38);
    vm_destroy();
}

static void test_irqfd(void)
{
    KVMRouteChange c;
    KVMIrqchipStats st0, st;
    uint64_t one = 1;
    int fd, virq;

    vm_init();
    CU_ASSERT_TRUE(kvm_msi_via_irqfd_enabled());
    CU_ASSERT_EQUAL(kvm_pc_setup_irq_routing(true), 0);
    vm_add_vcpu();
    kvm_irqchip_get_stats(&st0);

    fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    CU_ASSERT_FATAL(fd >= 0);
    c = kvm_irqchip_begin_route_changes();
    virq = kvm_irqchip_add_msi_route(&c, apic_msg(0x61));
    CU_ASSERT_EQUAL_FATAL(virq, 24);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_route_changes(&c), 0);
    CU_ASSERT_EQUAL(kvm_irqchip_add_irqfd_notifier_gsi(fd, -1, virq), 0);
    CU_ASSERT_FALSE(irr(0x61));
    CU_ASSERT_EQUAL(write(fd, &one, sizeof(one)), sizeof(one));
    CU_ASSERT_TRUE(wait_irr(0x61));

    /* the route moved: the same eventfd, the new vector */
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(virq, apic_msg(0x62)), 0);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_routes(), 0);
    CU_ASSERT_EQUAL(write(fd, &one, sizeof(one)), sizeof(one));
    CU_ASSERT_TRUE(wait_irr(0x62));

    /* removed: writes stay in the eventfd */
    CU_ASSERT_EQUAL(kvm_irqchip_update_msi_route(virq, apic_msg(0x63)), 0);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_routes(), 0);
    CU_ASSERT_EQUAL(kvm_irqchip_remove_irqfd_notifier_gsi(fd, virq), 0);
    CU_ASSERT_EQUAL(write(fd, &one, sizeof(one)), sizeof(one));
    g_usleep(20000);
    CU_ASSERT_FALSE(irr(0x63));
    /* ...and a pending count is sent when it is bound again (what
     * virtio-pci relies on at unmask) */
    CU_ASSERT_EQUAL(kvm_irqchip_add_irqfd_notifier_gsi(fd, -1, virq), 0);
    CU_ASSERT_TRUE(wait_irr(0x63));
    CU_ASSERT_EQUAL(kvm_irqchip_remove_irqfd_notifier_gsi(fd, virq), 0);

    /* KVM_SIGNAL_MSI, counted */
    CU_ASSERT_EQUAL(kvm_irqchip_send_msi(apic_msg(0x64)), 1);
    CU_ASSERT_TRUE(irr(0x64));
    kvm_irqchip_get_stats(&st);
    CU_ASSERT_EQUAL(st.signal_msi, st0.signal_msi + 1);
    CU_ASSERT_EQUAL(st.irqfd_assign, st0.irqfd_assign + 2);
    CU_ASSERT_EQUAL(st.irqfd_deassign, st0.irqfd_deassign + 2);

    kvm_irqchip_release_virq(virq);
    CU_ASSERT_EQUAL(kvm_irqchip_commit_routes(), 0);
    close(fd);
    vm_destroy();
}

int main(int argc, char **argv)
{
    g_unsetenv("QOMU_KVM_DEVICE");
    container_get(object_get_root(), "/machine/unattached");
    harness_add("/kvm-irqchip/without-kvm", test_without_kvm);
    if (!kvm_usable()) {
        harness_skip("cannot open /dev/kvm");
        return harness_run(argc, argv);
    }
    harness_add("/kvm-irqchip/table", test_table);
    harness_add("/kvm-irqchip/irqfd", test_irqfd);
    return harness_run(argc, argv);
}
