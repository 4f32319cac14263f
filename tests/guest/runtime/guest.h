/*
 * guest.h - the API a test guest program sees.
 *
 * A test guest is a freestanding 64-bit program booted by Multiboot v1
 * (QEMU's or qomu's -kernel). boot.S enters long mode and drops to CPL 3
 * with every I/O port allowed (IOPL=3 and a TSS I/O bitmap) before calling
 * main(), so everything here runs at CPL 3: ordinary instructions run
 * natively, and each port or MMIO access to a device is one exit to the
 * VMM (~30 us on the nested KVM we develop on; docs/devel/test-guests.md).
 *
 * Not provided: interrupts (IF stays 0; poll), a heap, floating point in
 * the runtime itself (it is built -mgeneral-regs-only; SSE is enabled in
 * CR0/CR4, so a test may use it), more than one CPU.
 */
#ifndef TESTS_GUEST_GUEST_H
#define TESTS_GUEST_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* --- what the runtime expects from the program --- */

/*
 * The test. Its return value is passed to exit_guest(), so returning 0
 * ends the VMM with status 1 ("guest passed", see exit_guest()).
 */
int main(void);

/* --- ports (IOPL=3, so these are legal at CPL 3) --- */

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* --- MMIO: the first 4 GiB are identity mapped, so a physical address
 * (a PCI BAR, the IOAPIC at 0xfec00000) is usable as a pointer. The
 * volatile access is one mov of exactly that width, which is what the VMM
 * decodes. --- */

static inline uint8_t mmio_read8(uint64_t addr)
{
    return *(volatile uint8_t *)addr;
}

static inline uint16_t mmio_read16(uint64_t addr)
{
    return *(volatile uint16_t *)addr;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline uint64_t mmio_read64(uint64_t addr)
{
    return *(volatile uint64_t *)addr;
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
    *(volatile uint8_t *)addr = v;
}

static inline void mmio_write16(uint64_t addr, uint16_t v)
{
    *(volatile uint16_t *)addr = v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
    *(volatile uint64_t *)addr = v;
}

/* --- time --- */

/* The TSC. Under KVM it runs at the host's TSC rate unless the VMM scales it. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
    __asm__ volatile("pause");
}

/* --- strings (libc semantics; the compiler may also call the mem* ones) --- */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* --- console: isa-debugcon at port 0xe9 (QEMU's -debugcon) --- */

#define DEBUGCON_PORT 0xe9

/*
 * printf to the debug console: %d %i %u %x %X %p %s %c %%, the l and ll
 * length modifiers, a field width and the 0 and - flags (e.g. "%08lx",
 * "%-10s"). Each byte is one port write, i.e. one exit.
 * Returns the number of bytes written.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);        /* s and a newline, like libc */
void putchar_guest(char c);     /* one byte, one exit */

/* --- ending the test --- */

#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_PORT_DEFAULT 0x501   /* isa-debug-exit's default iobase */

/*
 * Write @code to isa-debug-exit (-device isa-debug-exit,iobase=0xf4,iosize=4);
 * the VMM then exits with status (code << 1) | 1, so 0 -> 1, 1 -> 3,
 * 5 -> 11. Status 1 therefore means "guest passed", anything else odd is a
 * guest-chosen failure, and an even status comes from the VMM itself.
 * The same code is also written to port 0x501, where a plain
 * "-device isa-debug-exit" sits. If neither device is there the guest
 * stops (hlt at CPL 0) and the run ends at the script's timeout.
 */
__attribute__((noreturn)) void exit_guest(uint32_t code);

/* Code used when an unexpected exception ends the guest (status 255). */
#define GUEST_EXIT_TRAP 0x7f

/* --- Multiboot v1 information (from the loader, EBX at entry) --- */

/* The fields of the Multiboot information structure the runtime reads. */
struct multiboot_info {
    uint32_t flags;         /* which of the fields below are valid */
    uint32_t mem_lower;     /* KiB below 1 MiB (flags bit 0) */
    uint32_t mem_upper;     /* KiB from 1 MiB to the first hole (flags bit 0) */
    uint32_t boot_device;   /* flags bit 1 */
    uint32_t cmdline;       /* physical address of a C string (flags bit 2) */
    uint32_t mods_count;    /* flags bit 3 */
    uint32_t mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length;   /* flags bit 6 */
    uint32_t mmap_addr;
};

#define MULTIBOOT_INFO_MEMORY  (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)

/* The structure, or NULL if the guest was not started by a Multiboot loader. */
const struct multiboot_info *multiboot_info(void);

/*
 * The -append text. Multiboot passes "<kernel path> <append>" (QEMU builds
 * it that way, as GRUB does), so this skips the first word. Never NULL:
 * "" when there is no command line.
 */
const char *guest_cmdline(void);

/*
 * Value of "key=value" in guest_cmdline() as an unsigned number (decimal,
 * or hex with 0x), or @def if the key is absent or the value is not a
 * number.
 */
uint64_t cmdline_uint(const char *key, uint64_t def);

/* The benchmarks' PRNG (xorshift64*): the same sequence under every
 * VMM for the same seed (non-zero). */
void guest_rng_seed(uint64_t seed);
uint64_t guest_rng_next(void);

/*
 * The TSC rate in kHz, measured against the RTC: the TSC at one change
 * of the seconds register and at the change @secs seconds later.  Each
 * poll is two exits (~50 us here), which bounds the error at ~0.005%.
 * Needs the RTC running (firmware and both VMMs leave it so).
 */
uint64_t guest_tsc_khz_from_rtc(unsigned secs);

#endif /* TESTS_GUEST_GUEST_H */
