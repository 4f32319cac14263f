/*
 * pc.c - "pc-i440fx-7.2" (alias "pc"), the default x86 machine (QEMU
 * 7.2's hw/i386/pc_piix.c pc_init1 and hw/i386/pc.c pc_memory_init).
 *
 * What is modelled: QEMU's guest physical memory layout (RAM below
 * 3.5 GiB, or below 3 GiB with the rest above 4 GiB for larger guests,
 * as "ram-below-4g"/"ram-above-4g" aliases of "pc.ram"); the CPUs with
 * QEMU's APIC ids; the ISA bus; -kernel with a Multiboot v1 image, a
 * Linux bzImage or a PVH ELF kernel, loaded directly (QEMU goes through
 * SeaBIOS and an option ROM; the guest sees the same entry state, and
 * for Linux the e820 map and MP table SeaBIOS would give it).
 * The chipset: i440FX host bridge (/machine/i440fx, bus pci.0, 00:00.0),
 * PIIX3 (00:01.0, the ISA bus isa.0, PIRQ routing, 0xCF9), the in-kernel
 * IOAPIC (/machine/i440fx/ioapic: GSIs 0-23, ISA IRQ n = GSI n), the
 * in-kernel PIT ("kvm-pit") and 8259s, with QEMU's KVM GSI routing; after
 * each reset, the PCI interrupt setup SeaBIOS would do (pc_machine_reset).
 * Not modelled (yet): firmware (without -kernel there is nothing to
 * run), ACPI ("acpi=on" is refused; auto/off build no tables), USB,
 * vmport, the userspace irqchip (kernel-irqchip=off/split), HPET, SMM.
 */
#include "util/osdep.h"
#include "util/error-report.h"
#include "accel/qtest.h"
#include "hw/core/loader.h"
#include "hw/core/qdev-properties.h"
#include "hw/i386/linux-boot.h"
#include "hw/i386/mptable.h"
#include "hw/i386/multiboot.h"
#include "hw/i386/x86-cpu.h"
#include "hw/isa/isa.h"
#include "hw/isa/piix3.h"
#include "hw/ide/pci.h"
#include "hw/i386/ioapic.h"
#include "hw/pci-host/i440fx.h"
#include "machine/machine.h"
#include "block/drive.h"
#include "system/runstate.h"
#include "pc-legacy.h"

#define TYPE_PC_MACHINE MACHINE_TYPE_NAME("pc-i440fx-7.2")
OBJECT_DECLARE_SIMPLE_TYPE(PCMachineState, PC_MACHINE)

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)

/* Where RAM above 4 GiB starts (QEMU's x86ms->above_4g_mem_start). */
#define PC_ABOVE_4G_START (4 * GiB)
/* QEMU's default max_ram_below_4g: the PCI hole starts at 3.5 GiB. */
#define PC_DEFAULT_MAX_RAM_BELOW_4G UINT64_C(0xe0000000)

struct PCMachineState {
    MachineState parent_obj;

    uint64_t max_ram_below_4g;  /* "max-ram-below-4g", bytes; 0: default */
    OnOffAuto acpi;             /* "acpi": auto/off; on is refused */
    OnOffAuto vmport;           /* "vmport": auto/off; on is refused */
    bool usb;                   /* "usb": off only */
    int kernel_irqchip;         /* "kernel-irqchip": 0 on, 1 off, 2 split
                                 * (OnOffSplit_names); on only */
    MemoryRegion pci_memory;    /* "pci": the PCI memory space */
    PCIBus *pci_bus;            /* pci.0 (the host bridge owns it) */
    PIIX3State *piix3;          /* 00:01.0 (the bus owns it) */
    qemu_irq gsi[IOAPIC_NUM_PINS];  /* the ioapic's inputs; ISA IRQs are
                                     * the first 16 (borrowed) */
    uint64_t below_4g_mem_size; /* computed by pc_memory_init */
    uint64_t above_4g_mem_size;
    MemoryRegion ram_below_4g;  /* aliases of ms->ram */
    MemoryRegion ram_above_4g;
    PCLegacyState legacy;       /* machine/pc-legacy.c */
    BusState *idebus[2];        /* piix3-ide's ide.0, ide.1 (borrowed) */
    bool cmos_ide_done;         /* pc_cmos_init_ide ran (first reset) */
    bool kernel_fresh;          /* -kernel just loaded, not run yet */
};

/* --- memory -------------------------------------------------------------- */

/*
 * QEMU's split (pc_init1, gigabyte_align on): up to max_ram_below_4g
 * below 4 GiB; a guest that large keeps only 3 GiB low (1 GiB aligned,
 * which KVM and the host's huge pages like) and the rest goes above.
 */
static void pc_split_ram(PCMachineState *pcms)
{
    MachineState *ms = MACHINE(pcms);
    uint64_t lowmem = pcms->max_ram_below_4g ?: PC_DEFAULT_MAX_RAM_BELOW_4G;

    if (ms->ram_size >= lowmem) {
        if (lowmem > 3 * GiB) {
            lowmem = 3 * GiB;
        }
        if (lowmem & (GiB - 1)) {
            warn_report("Large machine and max_ram_below_4g (%" PRIu64
                        ") not a multiple of 1G; possible bad performance.",
                        pcms->max_ram_below_4g);
        }
    }
    if (ms->ram_size >= lowmem) {
        pcms->above_4g_mem_size = ms->ram_size - lowmem;
        pcms->below_4g_mem_size = lowmem;
    } else {
        pcms->above_4g_mem_size = 0;
        pcms->below_4g_mem_size = ms->ram_size;
    }
}

/* QEMU's pc_memory_init(), the RAM part. */
static void pc_memory_init(PCMachineState *pcms)
{
    MachineState *ms = MACHINE(pcms);
    MemoryRegion *system_memory = get_system_memory();

    pc_split_ram(pcms);
    memory_region_init_alias(&pcms->ram_below_4g, NULL, "ram-below-4g",
                             ms->ram, 0, pcms->below_4g_mem_size);
    memory_region_add_subregion(system_memory, 0, &pcms->ram_below_4g);
    if (pcms->above_4g_mem_size > 0) {
        memory_region_init_alias(&pcms->ram_above_4g, NULL, "ram-above-4g",
                                 ms->ram, pcms->below_4g_mem_size,
                                 pcms->above_4g_mem_size);
        memory_region_add_subregion(system_memory, PC_ABOVE_4G_START,
                                    &pcms->ram_above_4g);
    }
}

/* --- the board ----------------------------------------------------------- */

/*
 * The MP table SeaBIOS builds (hw/i386/mptable.c), in the BIOS area: one
 * processor entry per CPU, the IOAPIC, ISA IRQs, and every PCI slot's
 * INTx through the PIRQ routing pc_firmware_pci_setup programs (SeaBIOS's:
 * PIRQ A-D -> IRQ 10, 10, 11, 11), and ISA IRQ 0 on IOAPIC pin 2 (QEMU's
 * GSI routing of the in-kernel PIT).
 */
static bool pc_write_mptable(MachineState *ms, Error **errp)
{
    g_autofree uint32_t *apic_ids = g_new0(uint32_t, ms->smp.cpus);
    g_autoptr(GByteArray) table = NULL;
    MPTableConfig cfg = {
        .nr_cpus = ms->smp.cpus,
        .apic_ids = apic_ids,
        .cpu_signature = 0,
        .pci = true,
        .irq0_override = true,
        .pirq_irq = PIIX3_BIOS_PIRQ_IRQS,   /* pc_firmware_pci_setup's */
        .pci_irq_mask = MPTABLE_SEABIOS_PCI_IRQ_MASK,
    };
    CPUState *cpu;
    unsigned n = 0;

    CPU_FOREACH(cpu) {
        if (n < ms->smp.cpus) {
            apic_ids[n++] = cpu->apic_id;
        }
        if (!cfg.cpu_signature) {
            cfg.cpu_signature = X86_CPU(cpu)->env.cpuid_version;
        }
    }
    cfg.nr_cpus = n;
    table = mptable_build(&cfg, MPTABLE_ADDR);
    if (!loader_check_ram(address_space_memory_get(), MPTABLE_ADDR,
                          table->len, "MP table", errp)) {
        return false;
    }
    return loader_write(address_space_memory_get(), MPTABLE_ADDR,
                        table->data, table->len, table->len, errp);
}

/*
 * -kernel: QEMU's x86_load_linux() order: Multiboot first, then a bzImage
 * ("HdrS"), then an ELF with a PVH note (hw/i386/linux-boot.c).  A Linux
 * kernel also gets what SeaBIOS would have left it: an MP table.
 */
static bool pc_load_kernel(MachineState *ms, Error **errp)
{
    LinuxBootConfig cfg = {
        .kernel_filename = ms->kernel_filename,
        .initrd_filename = ms->initrd_filename,
        .cmdline = ms->kernel_cmdline,
    };

    switch (multiboot_probe(ms->kernel_filename, errp)) {
    case 1:
        return multiboot_load(ms, ms->kernel_filename, ms->kernel_cmdline,
                              x86_boot_state(), errp);
    case 0:
        return x86_load_linux(address_space_memory_get(), &cfg,
                              x86_boot_state(), errp) &&
               pc_write_mptable(ms, errp);
    default:
        return false;
    }
}

/*
 * The chipset, as QEMU's pc_init1 builds it with kernel-irqchip=on:
 * KVM's GSI routing, the i440FX and its PCI memory space, the PIIX3 with
 * the ISA bus, the IOAPIC whose inputs are the GSIs (and the ISA bus's
 * IRQs), the in-kernel PIT.
 */
static bool pc_chipset_init(PCMachineState *pcms, Error **errp)
{
    MachineState *ms = MACHINE(pcms);
    PCIDevice *pci_dev;
    DeviceState *dev;
    ISABus *isa_bus;
    int ret;

    ret = kvm_pc_setup_irq_routing(true);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "KVM_SET_GSI_ROUTING");
        return false;
    }
    memory_region_init(&pcms->pci_memory, NULL, "pci", UINT64_MAX);
    pcms->pci_bus = i440fx_init(get_system_memory(), get_system_io(),
                                ms->ram_size, pcms->below_4g_mem_size,
                                pcms->above_4g_mem_size, &pcms->pci_memory,
                                ms->ram, errp);
    if (!pcms->pci_bus) {
        return false;
    }
    pci_dev = pci_new_multifunction(-1, true, TYPE_PIIX3_DEVICE);
    PIIX3_PCI_DEVICE(pci_dev)->pic = pcms->gsi;
    if (!pci_realize_and_unref(pci_dev, pcms->pci_bus, errp)) {
        return false;
    }
    pcms->piix3 = PIIX3_PCI_DEVICE(pci_dev);
    isa_bus = isa_bus_get();            /* "isa.0", the PIIX3's */
    if (!ioapic_init_gsi(pcms->gsi, OBJECT(BUS(pcms->pci_bus)->parent),
                         errp)) {
        return false;
    }
    isa_bus_irqs(isa_bus, pcms->gsi);

    dev = qdev_new(TYPE_KVM_PIT);
    qdev_prop_set_uint32(dev, "iobase", PIT_IOBASE);
    return qdev_realize_and_unref(dev, BUS(isa_bus), errp);
}

/*
 * After a device reset, what SeaBIOS does on every boot for PCI
 * interrupts, since qomu runs no firmware: PIRQA-D -> IRQ 10, 10, 11,
 * 11, each function's interrupt line, and those IRQs level-triggered in
 * the 8259s' ELCR (include/hw/isa/piix3.h has the whole picture).
 */
static void pc_firmware_pci_setup(PCMachineState *pcms)
{
    static const uint8_t pirq_irqs[4] = PIIX3_BIOS_PIRQ_IRQS;
    uint16_t elcr = 0;

    if (!pcms->piix3) {
        return;
    }
    piix3_bios_setup_irqs(pcms->piix3, pirq_irqs);
    for (int i = 0; i < 4; i++) {
        elcr |= 1u << pirq_irqs[i];
    }
    if (kvm_pc_set_elcr(elcr) < 0) {
        warn_report("could not set the 8259 ELCR for PCI interrupts");
    }
}

/*
 * The IDE controller, function 1 of the PIIX3 (00:01.1), with the
 * -drive if=ide drives (and the default CD-ROM, ide1-cd0) on its buses,
 * as QEMU's pc_init1.  Its CMOS bytes are written at the first reset,
 * once -device has added its own drives (QEMU's machine-done hook).
 */
static bool pc_ide_init(PCMachineState *pcms, Error **errp)
{
    PCIDevice *dev;

    if (!object_class_by_name("piix3-ide")) {
        return true;                    /* not in this build */
    }
    dev = pci_new(pcms->piix3->dev.devfn + 1, "piix3-ide");
    if (!pci_realize_and_unref(dev, pcms->pci_bus, errp)) {
        return false;
    }
    pci_ide_create_devs(dev);
    pcms->idebus[0] = qdev_get_child_bus(DEVICE(dev), "ide.0");
    pcms->idebus[1] = qdev_get_child_bus(DEVICE(dev), "ide.1");
    return true;
}

/* What qomu's pc cannot do, refused with the option's name. */
static bool pc_check_options(PCMachineState *pcms, Error **errp)
{
    if (pcms->acpi == ON_OFF_AUTO_ON) {
        error_setg(errp, "acpi=on is not supported: qomu builds no ACPI "
                   "tables");
        error_append_hint(errp, "Use acpi=off (or leave it unset); Linux "
                          "then uses the MP table\n");
        return false;
    }
    if (pcms->vmport == ON_OFF_AUTO_ON) {
        error_setg(errp, "vmport=on is not supported: qomu has no VMware "
                   "I/O port");
        return false;
    }
    if (pcms->usb) {
        error_setg(errp, "usb=on is not supported: qomu has no USB "
                   "controller");
        return false;
    }
    if (pcms->kernel_irqchip != 0) {
        error_setg(errp, "kernel-irqchip=%s is not supported: qomu uses "
                   "KVM's in-kernel irqchip (kernel-irqchip=on)",
                   pcms->kernel_irqchip == 1 ? "off" : "split");
        return false;
    }
    return true;
}

/* QEMU's pc_init1(), the parts qomu has (see the header comment). */
static bool pc_init1(MachineState *ms, Error **errp)
{
    PCMachineState *pcms = PC_MACHINE(ms);

    if (!pc_check_options(pcms, errp)) {
        return false;
    }
    machine_create_cpus(ms);
    pc_memory_init(pcms);
    /* The PIIX3 provides the ISA bus (isa-debugcon, isa-debug-exit and
     * the legacy devices plug in there). */
    if (!pc_chipset_init(pcms, errp)) {
        return false;
    }
    if (!pc_legacy_init(&pcms->legacy, isa_bus_get(), &(PCLegacyConfig) {
                            .below_4g_mem_size = pcms->below_4g_mem_size,
                            .above_4g_mem_size = pcms->above_4g_mem_size,
                            .boot_cpus = ms->smp.cpus,
                        }, errp)) {
        return false;
    }
    if (!pc_ide_init(pcms, errp)) {
        return false;
    }
    if (ms->kernel_filename) {
        pcms->kernel_fresh = true;
        return pc_load_kernel(ms, errp);
    }
    /* QEMU would run SeaBIOS here (under qtest no guest code runs, so
     * there is nothing to warn about). */
    if (!qtest_enabled()) {
        warn_report("no firmware: without -kernel the guest has nothing to "
                    "run");
    }
    return true;
}

/*
 * system_reset (QEMU's pc_machine_reset): every device and CPU, then
 * -kernel again, since the guest may have overwritten it (QEMU keeps
 * the images as ROM blobs and copies them back at each reset; qomu
 * reads the files again).  The first reset, at machine creation, finds
 * the image just loaded.  A kernel that can no longer be loaded ends the
 * VMM with status 1.
 */
static void pc_machine_reset(MachineState *ms)
{
    PCMachineState *pcms = PC_MACHINE(ms);
    Error *err = NULL;

    if (!pcms->cmos_ide_done) {
        pcms->cmos_ide_done = true;
        pc_cmos_init_ide(&pcms->legacy, pcms->idebus[0], pcms->idebus[1]);
    }
    qomu_devices_reset();
    pc_firmware_pci_setup(pcms);
    if (!ms->kernel_filename) {
        return;
    }
    if (pcms->kernel_fresh) {
        pcms->kernel_fresh = false;
        return;
    }
    if (!pc_load_kernel(ms, &err)) {
        error_prepend(&err, "system reset: ");
        error_report_err(err);
        qomu_system_exit_request(1);
    }
}

/* --- properties ---------------------------------------------------------- */

static GVariant *pc_get_max_ram_below_4g(Object *obj, ObjectProperty *prop,
                                         Error **errp)
{
    return g_variant_ref_sink(
        g_variant_new_uint64(PC_MACHINE(obj)->max_ram_below_4g));
}

static bool pc_set_max_ram_below_4g(Object *obj, ObjectProperty *prop,
                                    GVariant *value, Error **errp)
{
    uint64_t v;

    if (!prop_value_uint64(value, prop->name, &v, errp)) {
        return false;
    }
    if (v > 4 * GiB) {
        error_setg(errp, "Machine option 'max-ram-below-4g=%" PRIu64
                   "' expects size less than or equal to 4G", v);
        return false;
    }
    if (v < 1 * MiB) {
        warn_report("Only %" PRIu64 " bytes of RAM below the 4GiB boundary,"
                    "BIOS may not work with less than 1MiB", v);
    }
    PC_MACHINE(obj)->max_ram_below_4g = v;
    return true;
}

static int pc_get_acpi(Object *obj, Error **errp)
{
    return PC_MACHINE(obj)->acpi;
}

static void pc_set_acpi(Object *obj, int value, Error **errp)
{
    PC_MACHINE(obj)->acpi = value;
}

static int pc_get_vmport(Object *obj, Error **errp)
{
    return PC_MACHINE(obj)->vmport;
}

static void pc_set_vmport(Object *obj, int value, Error **errp)
{
    PC_MACHINE(obj)->vmport = value;
}

static bool pc_get_usb(Object *obj, Error **errp)
{
    return PC_MACHINE(obj)->usb;
}

static void pc_set_usb(Object *obj, bool value, Error **errp)
{
    PC_MACHINE(obj)->usb = value;
}

/* QAPI's OnOffSplit, for "kernel-irqchip" (QEMU forwards it from
 * -machine to the KVM accelerator; qomu keeps it on the machine). */
static const char *const OnOffSplit_names[] = { "on", "off", "split" };
static const QEnumLookup OnOffSplit_lookup = {
    .array = OnOffSplit_names,
    .size = 3,
};

static int pc_get_kernel_irqchip(Object *obj, Error **errp)
{
    return PC_MACHINE(obj)->kernel_irqchip;
}

static void pc_set_kernel_irqchip(Object *obj, int value, Error **errp)
{
    PC_MACHINE(obj)->kernel_irqchip = value;
}

/* --- the type ------------------------------------------------------------ */

static void pc_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->alias = "pc";
    mc->desc = "Standard PC (i440FX + PIIX, 1996)";
    mc->family = "pc_piix";
    mc->is_default = true;
    mc->init = pc_init1;
    mc->reset = pc_machine_reset;
    mc->max_cpus = 255;
    mc->default_cpu_type = X86_CPU_TYPE_NAME("qemu64");
    mc->default_ram_id = "pc.ram";
    /* Since QEMU 4.1 a PC models dies; clusters are an ARM thing. */
    mc->smp_props.dies_supported = true;
    /* -drive/-hda without if= are IDE disks (QEMU's pc_piix) */
    mc->block_default_type = IF_IDE;

    object_class_property_add(oc, "max-ram-below-4g", "size",
                              pc_get_max_ram_below_4g,
                              pc_set_max_ram_below_4g, NULL, NULL);
    object_class_property_set_description(oc, "max-ram-below-4g",
        "Maximum ram below the 4G boundary (32bit boundary)");
    object_class_property_add_enum(oc, "acpi", "OnOffAuto",
                                   &OnOffAuto_lookup, pc_get_acpi,
                                   pc_set_acpi);
    object_class_property_set_description(oc, "acpi", "Enable ACPI");
    object_class_property_add_enum(oc, "vmport", "OnOffAuto",
                                   &OnOffAuto_lookup, pc_get_vmport,
                                   pc_set_vmport);
    object_class_property_set_description(oc, "vmport",
                                          "Enable vmport (pc & q35)");
    object_class_property_add_bool(oc, "usb", pc_get_usb, pc_set_usb);
    object_class_property_set_description(oc, "usb",
        "Set on/off to enable/disable usb");
    object_class_property_add_enum(oc, "kernel-irqchip", "OnOffSplit",
                                   &OnOffSplit_lookup, pc_get_kernel_irqchip,
                                   pc_set_kernel_irqchip);
    object_class_property_set_description(oc, "kernel-irqchip",
        "Configure KVM in-kernel irqchip");
}

static const TypeInfo pc_machine_info = {
    .name = TYPE_PC_MACHINE,
    .parent = TYPE_MACHINE,
    .instance_size = sizeof(PCMachineState),
    .class_init = pc_machine_class_init,
};

static void pc_machine_register_types(void)
{
    type_register_static(&pc_machine_info);
}

type_init(pc_machine_register_types)
