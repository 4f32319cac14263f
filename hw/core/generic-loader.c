/*
 * generic-loader.c - "loader", the generic loader (QEMU 7.2's
 * hw/core/generic-loader.c): a device with no hardware interface that
 * puts something into guest memory.
 *
 *   -device loader,file=blob.bin,addr=0x100000   a raw file at addr
 *   -device loader,file=image.elf                an ELF's segments
 *   -device loader,data=0x12345678,data-len=4,addr=0x1000
 *                                                a 1..8 byte value
 * (QEMU's properties and messages: addr, data, data-len, data-be,
 * cpu-num, force-raw, file.)  As in QEMU, memory is (re)written at every
 * system reset; we also write it at realize, because the machine may
 * start its vCPUs without a reset first.  Files go in like QEMU's ROM
 * blobs: only into RAM, bytes that fall elsewhere are dropped; data= is
 * a normal write, which may reach a device register.
 *
 * Differences from QEMU:
 *  - cpu-num is checked ("Specified boot CPU#N is nonexistent"), but
 *    setting a CPU's program counter is refused: on x86 QEMU sets EIP
 *    in the reset state (CS base 0xffff0000), which is not useful.
 *  - A file that starts like an ELF but is malformed is an error; QEMU
 *    then loads it as a raw image.
 *  - Not modelled: uImage and Intel HEX files, per-CPU address spaces.
 */
#include "util/osdep.h"
#include <elf.h>
#include "hw/core/qdev-properties.h"
#include "hw/core/loader.h"
#include "hw/core/cpu.h"
#include "machine/machine.h"
#include "system/runstate.h"

#define TYPE_GENERIC_LOADER "loader"
OBJECT_DECLARE_SIMPLE_TYPE(GenericLoaderState, GENERIC_LOADER)

#define CPU_NONE 0xFFFFFFFF

struct GenericLoaderState {
    DeviceState parent_obj;

    /* Properties. */
    uint64_t addr;              /* "addr": where (ELF: becomes the entry) */
    uint64_t data;              /* "data": the value to store */
    uint8_t data_len;           /* "data-len": its size, 1..8 */
    bool data_be;               /* "data-be": store it big-endian */
    uint32_t cpu_num;           /* "cpu-num": CPU_NONE if not given */
    bool force_raw;             /* "force-raw": no ELF detection */
    char *file;                 /* "file" */

    /* State: what to write at each reset. */
    GBytes *image;              /* the file's contents, or NULL */
    GArray *segments;           /* ELF: ElfSegment into @image */
};

static AddressSpace *loader_as(void)
{
    return address_space_memory_get();
}

static void generic_loader_reset(void *opaque)
{
    GenericLoaderState *s = GENERIC_LOADER(opaque);
    AddressSpace *as = loader_as();

    if (!as) {
        return;                 /* no machine memory: nothing to fill */
    }
    if (s->segments) {
        for (guint i = 0; i < s->segments->len; i++) {
            ElfSegment *seg = &g_array_index(s->segments, ElfSegment, i);
            g_autofree uint8_t *buf = g_malloc0(seg->memsz);

            memcpy(buf, seg->data, seg->filesz);
            loader_write_rom(as, seg->addr, buf, seg->memsz);
        }
    } else if (s->image) {
        gsize size;
        const uint8_t *p = g_bytes_get_data(s->image, &size);

        loader_write_rom(as, s->addr, p, size);
    }
    if (s->data_len) {
        assert(s->data_len <= sizeof(s->data));
        address_space_write(as, s->addr, &s->data, s->data_len);
    }
}

/* QEMU's checks of the combination of options, with its messages. */
static bool generic_loader_check_args(GenericLoaderState *s, bool *set_pc,
                                      Error **errp)
{
    *set_pc = false;
    if (s->data || s->data_len || s->data_be) {
        if (s->file) {
            error_setg(errp, "Specifying a file is not supported when "
                       "loading memory values");
            return false;
        } else if (s->force_raw) {
            error_setg(errp, "Specifying force-raw is not supported when "
                       "loading memory values");
            return false;
        } else if (!s->data_len) {
            /* data 0 is a valid value, so only data-len can be checked. */
            error_setg(errp, "Both data and data-len must be specified");
            return false;
        } else if (s->data_len > 8) {
            error_setg(errp, "data-len cannot be greater then 8 bytes");
            return false;
        }
    } else if (s->file || s->force_raw) {
        /* Loading an image; the PC is set only if a CPU was named. */
        *set_pc = s->cpu_num != CPU_NONE;
    } else if (s->addr) {
        if (s->cpu_num == CPU_NONE) {
            error_setg(errp, "cpu_num must be specified when setting a "
                       "program counter");
            return false;
        }
        *set_pc = true;
    } else {
        error_setg(errp, "please include valid arguments");
        return false;
    }
    return true;
}

static bool generic_loader_check_cpu(GenericLoaderState *s, bool set_pc,
                                     Error **errp)
{
    CPUState *cpu;
    bool found = false;

    if (s->cpu_num == CPU_NONE) {
        return true;
    }
    CPU_FOREACH(cpu) {
        found |= cpu->cpu_index == (int)s->cpu_num;
    }
    if (!found) {
        error_setg(errp, "Specified boot CPU#%d is nonexistent",
                   (int)s->cpu_num);
        return false;
    }
    if (set_pc) {
        error_setg(errp, "setting the program counter of CPU#%d is not "
                   "supported on x86", (int)s->cpu_num);
        return false;
    }
    return true;
}

static bool generic_loader_load_file(GenericLoaderState *s, Error **errp)
{
    MachineState *ms = current_machine_get();
    uint64_t max_size = ms ? ms->ram_size : UINT64_MAX;
    gchar *contents;
    gsize size;
    ElfImage img;
    int rc = 0;

    if (!g_file_get_contents(s->file, &contents, &size, NULL)) {
        error_setg(errp, "Cannot load specified image %s", s->file);
        return false;
    }
    s->image = g_bytes_new_take(contents, size);
    if (!s->force_raw) {
        rc = elf_parse((const uint8_t *)contents, size, 0, 0, &img, errp);
        if (rc < 0) {
            error_prepend(errp, "Cannot load specified image %s: ", s->file);
            return false;
        }
    }
    if (rc > 0) {
        s->segments = img.segments;     /* they point into s->image */
        s->addr = img.entry;
        return true;
    }
    /* Raw: QEMU's load_image_targphys_as limit is the RAM size. */
    if (size > max_size) {
        error_setg(errp, "Cannot load specified image %s", s->file);
        return false;
    }
    return true;
}

static bool generic_loader_realize(DeviceState *dev, Error **errp)
{
    ERRP_GUARD();
    GenericLoaderState *s = GENERIC_LOADER(dev);
    bool set_pc;

    if (!generic_loader_check_args(s, &set_pc, errp) ||
        !generic_loader_check_cpu(s, set_pc, errp)) {
        return false;
    }
    if (s->file && !generic_loader_load_file(s, errp)) {
        g_clear_pointer(&s->image, g_bytes_unref);
        return false;
    }
    /* As QEMU: the value is stored in the chosen byte order, and the
     * first data-len bytes of the 64-bit result are written. */
    s->data = s->data_be ? GUINT64_TO_BE(s->data) : GUINT64_TO_LE(s->data);
    qomu_register_reset(generic_loader_reset, dev);
    generic_loader_reset(dev);
    return true;
}

static void generic_loader_unrealize(DeviceState *dev)
{
    GenericLoaderState *s = GENERIC_LOADER(dev);

    qomu_unregister_reset(generic_loader_reset, dev);
    g_clear_pointer(&s->segments, g_array_unref);
    g_clear_pointer(&s->image, g_bytes_unref);
}

static void generic_loader_finalize(Object *obj)
{
    GenericLoaderState *s = GENERIC_LOADER(obj);

    /* A device finalized without unrealize (never realized) holds none,
     * but be safe. */
    g_clear_pointer(&s->segments, g_array_unref);
    g_clear_pointer(&s->image, g_bytes_unref);
}

static Property generic_loader_props[] = {
    DEFINE_PROP_UINT64("addr", GenericLoaderState, addr, 0),
    DEFINE_PROP_UINT64("data", GenericLoaderState, data, 0),
    DEFINE_PROP_UINT8("data-len", GenericLoaderState, data_len, 0),
    DEFINE_PROP_BOOL("data-be", GenericLoaderState, data_be, false),
    DEFINE_PROP_UINT32("cpu-num", GenericLoaderState, cpu_num, CPU_NONE),
    DEFINE_PROP_BOOL("force-raw", GenericLoaderState, force_raw, false),
    DEFINE_PROP_STRING("file", GenericLoaderState, file),
    DEFINE_PROP_END_OF_LIST(),
};

static void generic_loader_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    /* The reset hook is registered at realize, not here, so that the
     * device also works when created with device_add (as QEMU). */
    dc->realize = generic_loader_realize;
    dc->unrealize = generic_loader_unrealize;
    device_class_set_props(dc, generic_loader_props);
    dc->desc = "Generic Loader";
    device_class_set_category(dc, DEVICE_CATEGORY_MISC);
}

static const TypeInfo generic_loader_info = {
    .name = TYPE_GENERIC_LOADER,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(GenericLoaderState),
    .instance_finalize = generic_loader_finalize,
    .class_init = generic_loader_class_init,
};

static void generic_loader_register_type(void)
{
    type_register_static(&generic_loader_info);
}

type_init(generic_loader_register_type)
