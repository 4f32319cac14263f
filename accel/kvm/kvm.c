/*
 * kvm.c - the "kvm" accelerator: the VM and its memory slots (QEMU 7.2's
 * accel/kvm/kvm-all.c kvm_init and the kvm_set_phys_mem listener).
 *
 * Modelled: opening /dev/kvm (property "device", default from
 * $QOMU_KVM_DEVICE for tests, else "/dev/kvm"), API version 12, the
 * capabilities QEMU requires, KVM_CREATE_VM, vCPU count limits, and a
 * MemoryListener on the memory address space that maps each RAM range
 * (trimmed to whole pages) into a memory slot, ROM with KVM_MEM_READONLY.
 * QEMU's messages, printed as QEMU prints them (no program name).
 * Not modelled: dirty logging, the dirty ring, coalesced MMIO/PIO,
 * multiple address spaces (SMM), kernel-irqchip=split.  GSI routing and
 * irqfds: kvm-irqchip.c.
 * vCPUs: kvm-vcpu.c; x86 specifics: kvm-x86.c.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "machine/machine.h"
#include "kvm-internal.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#define KVM_API_VERSION_WANTED 12

static KVMState *kvm_current;           /* set once initialised */

KVMState *kvm_state(void)
{
    return __atomic_load_n(&kvm_current, __ATOMIC_ACQUIRE);
}

bool kvm_enabled(void)
{
    return kvm_state() != NULL;
}

int kvm_ioctl(KVMState *s, unsigned long type, void *arg)
{
    int ret = ioctl(s->fd, type, arg);

    return ret == -1 ? -errno : ret;
}

int kvm_check_extension(KVMState *s, int extension)
{
    int ret = ioctl(s->vmfd >= 0 ? s->vmfd : s->fd, KVM_CHECK_EXTENSION,
                    extension);

    return ret < 0 ? 0 : ret;
}

int kvm_vm_ioctl(unsigned long type, void *arg)
{
    KVMState *s = kvm_state();
    int ret;

    if (!s) {
        return -ENODEV;
    }
    ret = ioctl(s->vmfd, type, arg);
    return ret == -1 ? -errno : ret;
}

int kvm_set_irq(int irq, int level)
{
    struct kvm_irq_level event = { .irq = irq, .level = level };

    return kvm_vm_ioctl(KVM_IRQ_LINE, &event);
}

/* --- memory slots ------------------------------------------------------ */

static int kvm_set_user_memory_region(KVMState *s, int id, KVMSlot *slot)
{
    struct kvm_userspace_memory_region mem = {
        .slot = id,
        .flags = slot->flags,
        .guest_phys_addr = slot->start_addr,
        .memory_size = slot->memory_size,
        .userspace_addr = (uintptr_t)slot->ram,
    };
    int ret = ioctl(s->vmfd, KVM_SET_USER_MEMORY_REGION, &mem);

    return ret == -1 ? -errno : 0;
}

/* The whole pages of @fr (KVM maps pages; the ragged ends, if any, are
 * left to MMIO exits, which address_space_rw serves from RAM).  False if
 * no whole page remains. */
static bool kvm_align_range(const FlatRange *fr, uint64_t *start,
                            uint64_t *size)
{
    unsigned __int128 page = getpagesize();
    unsigned __int128 begin = ((unsigned __int128)fr->start + page - 1) /
                              page * page;
    unsigned __int128 end = ((unsigned __int128)fr->last + 1) / page * page;

    if (end <= begin) {
        return false;
    }
    *start = begin;
    *size = end - begin;
    return true;
}

/* A free slot id (QEMU's kvm_alloc_slot).  Running out is fatal there
 * too: the guest's RAM layout cannot be honoured. */
static int kvm_alloc_slot(KVMState *s)
{
    int old = s->slots_len;

    for (int i = 0; i < old; i++) {
        if (!s->slots[i].memory_size) {
            return i;
        }
    }
    if (old == s->nr_slots) {
        error_report("kvm_alloc_slot: no free slot available");
        abort();
    }
    s->slots_len = MIN(MAX(old * 2, 16), s->nr_slots);
    s->slots = g_renew(KVMSlot, s->slots, s->slots_len);
    memset(&s->slots[old], 0, (s->slots_len - old) * sizeof(KVMSlot));
    return old;
}

static void kvm_region_add(MemoryListener *l, const FlatRange *fr)
{
    KVMState *s = container_of(l, KVMState, listener);
    uint64_t start, size;
    KVMSlot *slot;
    int id, ret;

    if (!memory_region_is_ram(fr->mr) || !kvm_align_range(fr, &start, &size)) {
        return;
    }
    id = kvm_alloc_slot(s);
    slot = &s->slots[id];
    slot->start_addr = start;
    slot->memory_size = size;
    slot->ram = (uint8_t *)memory_region_get_ram_ptr(fr->mr) +
                fr->offset_in_region + (start - fr->start);
    /* Without the capability a ROM is mapped writable, as QEMU does. */
    slot->flags = fr->readonly && s->readonly_mem ? KVM_MEM_READONLY : 0;
    ret = kvm_set_user_memory_region(s, id, slot);
    if (ret < 0) {
        /* QEMU aborts here too: the guest would run without this RAM. */
        error_report("kvm_set_phys_mem: error registering slot: %s",
                     strerror(-ret));
        abort();
    }
}

static void kvm_region_del(MemoryListener *l, const FlatRange *fr)
{
    KVMState *s = container_of(l, KVMState, listener);
    uint64_t start, size;

    if (!memory_region_is_ram(fr->mr) || !kvm_align_range(fr, &start, &size)) {
        return;
    }
    for (int id = 0; id < s->slots_len; id++) {
        KVMSlot *slot = &s->slots[id];
        int ret;

        if (slot->start_addr != start || slot->memory_size != size) {
            continue;
        }
        slot->memory_size = 0;          /* KVM: size 0 deletes the slot */
        ret = kvm_set_user_memory_region(s, id, slot);
        if (ret < 0) {
            error_report("kvm_set_phys_mem: error unregistering slot: %s",
                         strerror(-ret));
            abort();
        }
        memset(slot, 0, sizeof(*slot));
        return;
    }
}

/* --- init (QEMU's kvm_init) -------------------------------------------- */

static bool kvm_open_device(KVMState *s, Error **errp)
{
    int ret;

    s->fd = open(s->device, O_RDWR | O_CLOEXEC);
    if (s->fd < 0) {
        int err = errno;

        /* QEMU 7.2 prints this with fprintf: no program name. */
        error_printf("Could not access KVM kernel module: %s\n",
                     strerror(err));
        error_setg(errp, "%s", strerror(err));
        return false;
    }
    ret = kvm_ioctl(s, KVM_GET_API_VERSION, NULL);
    if (ret != KVM_API_VERSION_WANTED) {
        error_printf("%s\n", ret < KVM_API_VERSION_WANTED ?
                     "kvm version too old" : "kvm version not supported");
        error_setg(errp, "%s", strerror(ret < 0 ? -ret : EINVAL));
        return false;
    }
    return true;
}

static bool kvm_create_vm(KVMState *s, Error **errp)
{
    int ret;

    do {
        ret = kvm_ioctl(s, KVM_CREATE_VM, 0);
    } while (ret == -EINTR);
    if (ret < 0) {
        error_printf("ioctl(KVM_CREATE_VM) failed: %d %s\n", -ret,
                     strerror(-ret));
        error_setg(errp, "%s", strerror(-ret));
        return false;
    }
    s->vmfd = ret;
    return true;
}

/* QEMU's kvm_required_capabilites and the x86 ones, with its message. */
static bool kvm_check_required(KVMState *s, Error **errp)
{
    static const struct { int cap; const char *name; } required[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_DESTROY_MEMORY_REGION_WORKS,
          "KVM_CAP_DESTROY_MEMORY_REGION_WORKS" },
        { KVM_CAP_JOIN_MEMORY_REGIONS_WORKS,
          "KVM_CAP_JOIN_MEMORY_REGIONS_WORKS" },
        { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
        { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
        { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
        if (!kvm_check_extension(s, required[i].cap)) {
            error_printf("kvm does not support %s\n%s", required[i].name,
                         "Please upgrade to at least kernel 2.6.29 or "
                         "recent kvm-kmod\n(see http://sourceforge.net/"
                         "projects/kvm).\n");
            error_setg(errp, "%s", strerror(EINVAL));
            return false;
        }
    }
    return true;
}

/* QEMU's vCPU limits: above the recommended count warn, above the
 * maximum refuse. */
static bool kvm_check_vcpus(KVMState *s, MachineState *ms, Error **errp)
{
    int soft = kvm_check_extension(s, KVM_CAP_NR_VCPUS) ?: 4;
    int hard = kvm_check_extension(s, KVM_CAP_MAX_VCPUS) ?: soft;
    const struct { const char *name; int num; } num_cpus[] = {
        { "SMP", ms->smp.cpus }, { "hotpluggable", ms->smp.max_cpus },
    };

    for (size_t i = 0; i < ARRAY_SIZE(num_cpus); i++) {
        if (num_cpus[i].num <= soft) {
            continue;
        }
        warn_report("Number of %s cpus requested (%d) exceeds the "
                    "recommended cpus supported by KVM (%d)",
                    num_cpus[i].name, num_cpus[i].num, soft);
        if (num_cpus[i].num > hard) {
            error_printf("Number of %s cpus requested (%d) exceeds the "
                         "maximum cpus supported by KVM (%d)\n",
                         num_cpus[i].name, num_cpus[i].num, hard);
            error_setg(errp, "%s", strerror(EINVAL));
            return false;
        }
    }
    return true;
}

static bool kvm_init_machine(AccelState *accel, MachineState *ms,
                             Error **errp)
{
    KVMState *s = KVM_ACCEL(accel);

    if (!kvm_open_device(s, errp) || !kvm_create_vm(s, errp) ||
        !kvm_check_required(s, errp) ||
        (ms && !kvm_check_vcpus(s, ms, errp))) {
        return false;
    }
    s->immediate_exit = kvm_check_extension(s, KVM_CAP_IMMEDIATE_EXIT) > 0;
    s->readonly_mem = kvm_check_extension(s, KVM_CAP_READONLY_MEM) > 0;
    s->nr_slots = kvm_check_extension(s, KVM_CAP_NR_MEMSLOTS) ?: 32;
    s->vcpu_mmap_size = kvm_ioctl(s, KVM_GET_VCPU_MMAP_SIZE, NULL);
    if (s->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        error_printf("KVM_GET_VCPU_MMAP_SIZE failed: %s\n",
                     strerror(s->vcpu_mmap_size < 0 ? -s->vcpu_mmap_size
                                                    : EINVAL));
        error_setg(errp, "%s", strerror(EINVAL));
        return false;
    }
    if (!kvm_arch_init(s, errp)) {
        return false;
    }
    kvm_init_irq_routing(s);
    /* The machine set these up first (memory_map_init), as QEMU's
     * cpu_exec_init_all runs before configure_accelerators. */
    s->as_memory = address_space_memory_get();
    s->as_io = address_space_io_get();
    assert(s->as_memory && s->as_io);
    memory_listener_register(&s->listener, s->as_memory);
    __atomic_store_n(&kvm_current, s, __ATOMIC_RELEASE);
    return true;
}

/* --- the type ------------------------------------------------------------ */

static char *kvm_get_device(Object *obj, Error **errp)
{
    return g_strdup(KVM_ACCEL(obj)->device);
}

static void kvm_set_device(Object *obj, const char *value, Error **errp)
{
    KVMState *s = KVM_ACCEL(obj);

    g_free(s->device);
    s->device = g_strdup(value);
}

static void kvm_accel_instance_init(Object *obj)
{
    KVMState *s = KVM_ACCEL(obj);
    const char *device = g_getenv("QOMU_KVM_DEVICE");

    s->device = g_strdup(device ? device : "/dev/kvm");
    s->fd = -1;
    s->vmfd = -1;
    s->listener = (MemoryListener) {
        .region_add = kvm_region_add,
        .region_del = kvm_region_del,
        .name = "kvm-memory",
    };
}

static void kvm_accel_instance_finalize(Object *obj)
{
    KVMState *s = KVM_ACCEL(obj);

    if (kvm_current == s) {
        __atomic_store_n(&kvm_current, NULL, __ATOMIC_RELEASE);
        memory_listener_unregister(&s->listener, s->as_memory);
    }
    kvm_arch_destroy(s);
    kvm_irq_routing_destroy(s);
    if (s->vmfd >= 0) {
        close(s->vmfd);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    g_free(s->slots);
    g_free(s->device);
}

static void kvm_accel_class_init(ObjectClass *oc, void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);

    ac->name = "kvm";
    ac->init_machine = kvm_init_machine;
    ac->start_vcpu = kvm_start_vcpu;
    ac->kick_vcpu = kvm_kick_vcpu;
    ac->stop_vcpu = kvm_stop_vcpu;
    ac->reset_vcpu = kvm_reset_vcpu;
    object_class_property_add_str(oc, "device", kvm_get_device,
                                  kvm_set_device);
    object_class_property_set_description(oc, "device",
                                          "Path to the device node to use "
                                          "(default: /dev/kvm)");
}

static const TypeInfo kvm_accel_type = {
    .name = TYPE_KVM_ACCEL,
    .parent = TYPE_ACCEL,
    .instance_size = sizeof(KVMState),
    .instance_init = kvm_accel_instance_init,
    .instance_finalize = kvm_accel_instance_finalize,
    .class_init = kvm_accel_class_init,
};

static void kvm_accel_register_types(void)
{
    type_register_static(&kvm_accel_type);
}

type_init(kvm_accel_register_types)
