/*
 * bench/exit-floor.c - the least a VMM can do per guest exit: a bare loop
 * around KVM_RUN, the floor that bench/exit holds qomu and QEMU against.
 *
 *   build/bench/exit-floor -kernel GUEST.elf [-append ARGS]
 *
 * It boots a Multiboot test guest (tests/guest/, docs/devel/test-guests.md)
 * the way the pc machine's loader does, with nothing of qomu linked in:
 *  - one VM with what both VMMs also create (the in-kernel irqchip, the
 *    TSS address) and 64 MiB of RAM at 0 in one memory slot;
 *  - the ELF32's PT_LOAD segments copied to their p_paddr;
 *  - a Multiboot information structure at 0x9500 (QEMU's place) with the
 *    memory sizes and the command line "<kernel path> <append>";
 *  - CPUID = KVM_GET_SUPPORTED_CPUID as is (the guest needs long mode);
 *  - flat 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = info.
 * Then KVM_RUN in a loop, each exit handled by a switch on its port, with
 * no lock, no lookup and no allocation:
 *   out 0xe9     debug console: the bytes go to stdout (stdio-buffered)
 *   in 0xe9      reads 0xe9 (isa-debugcon's readback)
 *   out 0xf4     isa-debug-exit: exit with status (value << 1) | 1
 *   other ports  writes ignored, reads all-ones
 *   MMIO         writes ignored, reads 0 (QEMU's unassigned memory)
 *   HLT, triple fault: exit 0 (what -no-reboot gives)
 * So the guest sees what it sees under QEMU and prints the same lines.
 * Exit status 2: a setup or KVM error (on stderr).
 */
#include "util/osdep.h"     /* headers only: nothing of qomu is linked in */

#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define RAM_SIZE        (64u << 20)
#define MB_INFO_ADDR    0x9500u         /* QEMU's multiboot.c puts it here */
#define MB_CMDLINE_ADDR 0x9600u
#define MB_CMDLINE_MAX  0x0a00u         /* up to 0xa000 */
#define MB_MAGIC        0x2badb002u
#define DEBUGCON_PORT   0xe9
#define DEBUG_EXIT_PORT 0xf4
#define TSS_ADDR        0xfffbd000u     /* what QEMU and qomu use */

static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "exit-floor: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
    int ret = ioctl(fd, req, arg);

    if (ret < 0) {
        die("%s: %s", what, strerror(errno));
    }
    return ret;
}

/* Copies the ELF32's PT_LOAD segments into @ram; returns the entry. */
static uint32_t load_elf32(const char *path, uint8_t *ram)
{
    FILE *f = fopen(path, "rb");
    Elf32_Ehdr eh;

    if (!f) {
        die("%s: %s", path, strerror(errno));
    }
    if (fread(&eh, sizeof(eh), 1, f) != 1 ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_machine != EM_386 ||
        eh.e_phentsize != sizeof(Elf32_Phdr)) {
        die("%s: not an i386 ELF32 file", path);
    }
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf32_Phdr ph;

        if (fseek(f, eh.e_phoff + i * sizeof(ph), SEEK_SET) ||
            fread(&ph, sizeof(ph), 1, f) != 1) {
            die("%s: short program header table", path);
        }
        if (ph.p_type != PT_LOAD) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz || ph.p_paddr >= RAM_SIZE ||
            ph.p_memsz > RAM_SIZE - ph.p_paddr) {
            die("%s: segment %u does not fit in RAM", path, i);
        }
        /* The tail up to p_memsz stays zero: fresh anonymous memory. */
        if (ph.p_filesz && (fseek(f, ph.p_offset, SEEK_SET) ||
                            fread(ram + ph.p_paddr, ph.p_filesz, 1, f) != 1)) {
            die("%s: short segment %u", path, i);
        }
    }
    fclose(f);
    return eh.e_entry;
}

/* The Multiboot v1 information: memory sizes and the command line. */
static void setup_multiboot_info(uint8_t *ram, const char *kernel,
                                 const char *append)
{
    uint32_t info[4] = {
        (1u << 0) | (1u << 2),          /* flags: mem_*, cmdline */
        640,                            /* mem_lower, KiB */
        (RAM_SIZE >> 10) - 1024,        /* mem_upper, KiB above 1 MiB */
        0,                              /* boot_device */
    };
    uint32_t cmdline = MB_CMDLINE_ADDR;
    int len = snprintf((char *)ram + cmdline, MB_CMDLINE_MAX, "%s%s%s",
                       kernel, *append ? " " : "", append);

    if (len < 0 || len >= (int)MB_CMDLINE_MAX) {
        die("command line too long");
    }
    memcpy(ram + MB_INFO_ADDR, info, sizeof(info));
    memcpy(ram + MB_INFO_ADDR + 16, &cmdline, sizeof(cmdline));
}

static void set_cpuid(int kvm, int vcpu)
{
    for (int nent = 64; nent <= 4096; nent *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
                                      nent * sizeof(c->entries[0]));

        if (!c) {
            die("out of memory");
        }
        c->nent = nent;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            xioctl(vcpu, KVM_SET_CPUID2, c, "KVM_SET_CPUID2");
            free(c);
            return;
        }
        free(c);
        if (errno != E2BIG) {
            die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
        }
    }
    die("KVM_GET_SUPPORTED_CPUID: too many entries");
}

/* Multiboot's entry state: flat 4 GiB segments, CR0.PE, paging off. */
static void set_entry_state(int vcpu, uint32_t entry)
{
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 0xb,
        .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    struct kvm_segment data = code;
    struct kvm_sregs sregs;
    struct kvm_regs regs = {
        .rip = entry, .rax = MB_MAGIC, .rbx = MB_INFO_ADDR, .rflags = 0x2,
    };

    xioctl(vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
    data.selector = 0x18;
    data.type = 0x3;
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    sregs.cr0 = 0x11;                   /* PE, ET */
    sregs.cr4 = 0;
    sregs.efer = 0;
    xioctl(vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
    xioctl(vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");
}

/* The hot loop.  Returns the exit status. */
static int run(int vcpu, struct kvm_run *r, size_t run_size)
{
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            die("KVM_RUN: %s", strerror(errno));
        }
        switch (r->exit_reason) {
        case KVM_EXIT_IO: {
            uint8_t *data = (uint8_t *)r + r->io.data_offset;
            size_t bytes = (size_t)r->io.size * r->io.count;

            if (r->io.data_offset > run_size ||
                bytes > run_size - r->io.data_offset) {
                die("malformed KVM_EXIT_IO");
            }
            if (r->io.direction == KVM_EXIT_IO_IN) {
                memset(data, r->io.port == DEBUGCON_PORT ? 0xe9 : 0xff, bytes);
            } else if (r->io.port == DEBUGCON_PORT) {
                fwrite(data, 1, bytes, stdout);
            } else if (r->io.port == DEBUG_EXIT_PORT) {
                uint32_t v = 0;

                memcpy(&v, data, r->io.size);
                return (v << 1 | 1) & 0xff;
            }
            break;
        }
        case KVM_EXIT_MMIO:
            if (!r->mmio.is_write) {
                memset(r->mmio.data, 0, sizeof(r->mmio.data));
            }
            break;
        case KVM_EXIT_HLT:
        case KVM_EXIT_SHUTDOWN:
            return 0;
        case KVM_EXIT_INTR:
            break;
        default:
            die("unexpected exit reason %u", r->exit_reason);
        }
    }
}

int main(int argc, char **argv)
{
    const char *kernel = NULL, *append = "";
    int kvm, vm, vcpu, status;
    long run_size;
    struct kvm_run *r;
    uint8_t *ram;
    struct kvm_userspace_memory_region slot = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = RAM_SIZE,
    };

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-kernel")) {
            kernel = argv[i + 1];
        } else if (!strcmp(argv[i], "-append")) {
            append = argv[i + 1];
        } else {
            die("unknown option %s", argv[i]);
        }
    }
    if (!kernel || argc % 2 == 0) {
        fprintf(stderr, "usage: %s -kernel GUEST.elf [-append ARGS]\n",
                argv[0]);
        return 2;
    }

    kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        die("/dev/kvm: %s", strerror(errno));
    }
    vm = xioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
    xioctl(vm, KVM_SET_TSS_ADDR, (void *)(uintptr_t)TSS_ADDR,
           "KVM_SET_TSS_ADDR");
    xioctl(vm, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");

    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        die("mmap RAM: %s", strerror(errno));
    }
    slot.userspace_addr = (uintptr_t)ram;
    xioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot, "KVM_SET_USER_MEMORY_REGION");

    vcpu = xioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
    run_size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    r = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (r == MAP_FAILED) {
        die("mmap kvm_run: %s", strerror(errno));
    }
    set_cpuid(kvm, vcpu);
    setup_multiboot_info(ram, kernel, append);
    set_entry_state(vcpu, load_elf32(kernel, ram));

    status = run(vcpu, r, run_size);
    fflush(stdout);
    return status;
}
