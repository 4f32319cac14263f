/*
 * pc-legacy.c - the PC's legacy ISA devices and what its CMOS says
 * (QEMU 7.2's hw/i386/pc.c: pc_basic_device_init, pc_superio_init,
 * pc_cmos_init, x86_rtc_set_cpus_count).
 *
 * Created here: ports 0x80 and 0xf0, the RTC, the serial ports, the
 * keyboard controller and port 0x92.  Not modelled (QEMU has them): the
 * 8254 PIT and 8259 PICs as devices (KVM's in-kernel ones are used), the
 * PC speaker, the parallel port, the floppy controller, vmport and
 * vmmouse, the HPET.  The A20 outputs of the i8042 and port 0x92 are
 * left unconnected: under KVM, QEMU's A20 handler changes nothing either.
 *
 * The CMOS bytes are QEMU's for this machine with -nodefaults: no floppy
 * drive (QEMU adds an empty 2.88 MB drive A without -nodefaults: 0x10 =
 * 0x50 and a drive in the equipment byte).  The IDE bytes (0x12, 0x19,
 * 0x1a, 0x1b-0x2c, 0x39) are pc_cmos_init_ide's, once the machine is
 * complete.
 */
#include "util/osdep.h"
#include "hw/core/qdev-properties.h"
#include "hw/char/serial.h"
#include "hw/input/i8042.h"
#include "hw/rtc/mc146818rtc.h"
#include "machine/machine-init.h"
#include "hw/ide/internal.h"
#include "pc-legacy.h"

#define TYPE_PORT92 "port92"

#define KiB     UINT64_C(1024)
#define MiB     (1024 * KiB)

/* CMOS bytes (the Bochs/SeaBIOS layout QEMU fills) */
#define CMOS_FLOPPY_TYPES       0x10
#define CMOS_HD_TYPES           0x12    /* ide.0 master << 4 | slave */
#define CMOS_HD0_EXT_TYPE       0x19    /* 47: "user defined" */
#define CMOS_HD1_EXT_TYPE       0x1a
#define CMOS_HD0_INFO           0x1b    /* 9 bytes of geometry each */
#define CMOS_HD1_INFO           0x24
#define CMOS_EQUIPMENT          0x14
#define CMOS_BASE_MEM_LO        0x15    /* KiB below 640 KiB */
#define CMOS_EXT_MEM_LO         0x17    /* KiB from 1 MiB, max 65535 */
#define CMOS_EXT_MEM2_LO        0x30    /* the same, again */
#define CMOS_MEM_16M_LO         0x34    /* 64 KiB units from 16 MiB */
#define CMOS_BOOT_DEV3          0x38    /* third boot device, fd check */
#define CMOS_HD_TRANSLATION     0x39
#define CMOS_BOOT_DEV12         0x3d    /* first and second boot devices */
#define CMOS_MEM_4G             0x5b    /* 64 KiB units above 4 GiB, 24 bits */
#define CMOS_CPUS               0x5f    /* CPUs - 1 */

#define EQUIPMENT_FPU           0x02
#define EQUIPMENT_PS2_MOUSE     0x04

/* --- ports 0x80 and 0xf0 ---------------------------------------------- */

static uint64_t ioport_ones_read(void *opaque, hwaddr addr, unsigned size)
{
    return UINT64_MAX;
}

static void ioport_ignore_write(void *opaque, hwaddr addr, uint64_t data,
                                unsigned size)
{
}

/* Port 0x80 (the POST code port guests write to as a delay) and 0xf0
 * (QEMU's "MSDOS compatibility mode FPU exception" port, which does
 * something only under TCG): claimed, so that the accesses reach no one
 * else; reads are all-ones, as unassigned ports. */
static const MemoryRegionOps ioport_dummy_ops = {
    .read = ioport_ones_read,
    .write = ioport_ignore_write,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

/* --- CMOS ---------------------------------------------------------------- */

static void cmos_set16(MC146818RtcState *rtc, unsigned addr, uint64_t val)
{
    mc146818rtc_set_cmos_data(rtc, addr, val);
    mc146818rtc_set_cmos_data(rtc, addr + 1, val >> 8);
}

/* QEMU's pc_cmos_init() and x86_rtc_set_cpus_count(). */
static void pc_cmos_init(MC146818RtcState *rtc, const PCLegacyConfig *cfg)
{
    uint64_t below = cfg->below_4g_mem_size;
    uint64_t val;

    cmos_set16(rtc, CMOS_BASE_MEM_LO, MIN(below / KiB, 640));
    val = below > 1 * MiB ? MIN((below - 1 * MiB) / KiB, 65535) : 0;
    cmos_set16(rtc, CMOS_EXT_MEM_LO, val);
    cmos_set16(rtc, CMOS_EXT_MEM2_LO, val);
    val = below > 16 * MiB ? MIN((below - 16 * MiB) / (64 * KiB), 65535) : 0;
    cmos_set16(rtc, CMOS_MEM_16M_LO, val);
    val = cfg->above_4g_mem_size / (64 * KiB);
    cmos_set16(rtc, CMOS_MEM_4G, val);
    mc146818rtc_set_cmos_data(rtc, CMOS_MEM_4G + 2, val >> 16);

    /* Boot order "cad" (QEMU's default for the PC): hard disk, floppy,
     * CD-ROM; nibbles 2, 1, 3; floppy boot signature checked. */
    mc146818rtc_set_cmos_data(rtc, CMOS_BOOT_DEV12, 0x1 << 4 | 0x2);
    mc146818rtc_set_cmos_data(rtc, CMOS_BOOT_DEV3, 0x3 << 4 | 0x0);

    mc146818rtc_set_cmos_data(rtc, CMOS_EQUIPMENT,
                              EQUIPMENT_FPU | EQUIPMENT_PS2_MOUSE);
    mc146818rtc_set_cmos_data(rtc, CMOS_FLOPPY_TYPES, 0);
    mc146818rtc_set_cmos_data(rtc, CMOS_HD_TYPES, 0);
    mc146818rtc_set_cmos_data(rtc, CMOS_HD_TRANSLATION, 0);

    /* More CPUs than a byte can say: 0, as QEMU (firmware asks fw_cfg) */
    mc146818rtc_set_cmos_data(rtc, CMOS_CPUS, cfg->boot_cpus > 0xff ? 0 :
                              cfg->boot_cpus - 1);
}

/* QEMU's cmos_init_hd(). */
static void cmos_init_hd(MC146818RtcState *rtc, int type_ofs, int info_ofs,
                         int16_t cylinders, int8_t heads, int8_t sectors)
{
    mc146818rtc_set_cmos_data(rtc, type_ofs, 47);
    mc146818rtc_set_cmos_data(rtc, info_ofs, cylinders);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 1, cylinders >> 8);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 2, heads);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 3, 0xff);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 4, 0xff);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 5, 0xc0 | ((heads > 8) << 3));
    mc146818rtc_set_cmos_data(rtc, info_ofs + 6, cylinders);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 7, cylinders >> 8);
    mc146818rtc_set_cmos_data(rtc, info_ofs + 8, sectors);
}

/* The IDE part of QEMU's pc_cmos_init_late(). */
void pc_cmos_init_ide(PCLegacyState *pls, BusState *idebus0,
                      BusState *idebus1)
{
    BusState *idebus[2] = { idebus0, idebus1 };
    MC146818RtcState *rtc;
    int16_t cylinders;
    int8_t heads, sectors;
    int val = 0;

    if (!pls->rtc) {
        return;
    }
    rtc = MC146818_RTC(pls->rtc);
    if (idebus[0] &&
        ide_get_geometry(idebus[0], 0, &cylinders, &heads, &sectors) >= 0) {
        cmos_init_hd(rtc, CMOS_HD0_EXT_TYPE, CMOS_HD0_INFO, cylinders,
                     heads, sectors);
        val |= 0xf0;
    }
    if (idebus[0] &&
        ide_get_geometry(idebus[0], 1, &cylinders, &heads, &sectors) >= 0) {
        cmos_init_hd(rtc, CMOS_HD1_EXT_TYPE, CMOS_HD1_INFO, cylinders,
                     heads, sectors);
        val |= 0x0f;
    }
    mc146818rtc_set_cmos_data(rtc, CMOS_HD_TYPES, val);

    val = 0;
    for (int i = 0; i < 4; i++) {
        /* ide_get_geometry() gives the physical geometry: 1 <= sectors
         * <= 63, 1 <= heads <= 16, 1 <= cylinders <= 16383; the BIOS's
         * may differ if it translates. */
        if (idebus[i / 2] &&
            ide_get_geometry(idebus[i / 2], i % 2, &cylinders, &heads,
                             &sectors) >= 0) {
            int trans = ide_get_bios_chs_trans(idebus[i / 2], i % 2) - 1;

            val |= (trans & 3) << (i * 2);
        }
    }
    mc146818rtc_set_cmos_data(rtc, CMOS_HD_TRANSLATION, val);
}

/* --- devices ------------------------------------------------------------- */

/* One "isa-serial" per -serial chardev (QEMU's serial_hds_isa_init). */
static bool pc_serial_init(ISABus *bus, Error **errp)
{
    for (int i = 0; i < MAX_ISA_SERIAL_PORTS; i++) {
        Chardev *chr = serial_hd(i);
        DeviceState *dev;

        if (!chr) {
            continue;
        }
        dev = qdev_try_new(TYPE_ISA_SERIAL);
        if (!dev) {
            return true;                /* not in this build */
        }
        qdev_prop_set_uint32(dev, "index", i);
        if (!object_property_set_str(OBJECT(dev), "chardev", chr->label,
                                     errp)) {
            object_unref(OBJECT(dev));
            return false;
        }
        if (!qdev_realize_and_unref(dev, BUS(bus), errp)) {
            return false;
        }
    }
    return true;
}

/* Realize a device of @type on @bus if this build has the type. */
static bool pc_isa_create(ISABus *bus, const char *type, Error **errp)
{
    DeviceState *dev = qdev_try_new(type);

    return !dev || qdev_realize_and_unref(dev, BUS(bus), errp);
}

bool pc_legacy_init(PCLegacyState *pls, ISABus *bus,
                    const PCLegacyConfig *cfg, Error **errp)
{
    MemoryRegion *io = bus->address_space_io;
    DeviceState *rtc = qdev_try_new(TYPE_MC146818_RTC);

    memory_region_init_io(&pls->ioport80, NULL, &ioport_dummy_ops, NULL,
                          "ioport80", 1);
    memory_region_add_subregion(io, 0x80, &pls->ioport80);
    memory_region_init_io(&pls->ioportf0, NULL, &ioport_dummy_ops, NULL,
                          "ioportF0", 1);
    memory_region_add_subregion(io, 0xf0, &pls->ioportf0);

    if (rtc) {
        /* the PC's CMOS keeps the century in 0x32 */
        qdev_prop_set_int32(rtc, "base_year", 2000);
        if (!qdev_realize_and_unref(rtc, BUS(bus), errp)) {
            return false;
        }
        pls->rtc = rtc;
        pc_cmos_init(MC146818_RTC(rtc), cfg);
    }
    return pc_serial_init(bus, errp) &&
           pc_isa_create(bus, TYPE_I8042, errp) &&
           pc_isa_create(bus, TYPE_PORT92, errp);
}
