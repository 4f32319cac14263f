/*
 * guest.c - the C half of the test-guest runtime: the CPL-3 entry point,
 * exiting, the Multiboot information, exception reports, string helpers.
 *
 * Everything here runs at CPL 3 (natively) except guest_trap(), which the
 * exception stubs in boot.S call at CPL 0 (emulated, slow: it only ever
 * runs once, to report a failure).
 */
#include "guest.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

extern char __bss_start[], __bss_end[];     /* guest.ld */

static const struct multiboot_info *mbi;    /* NULL: not booted by Multiboot */

/* --- entry and exit --- */

/*
 * boot.S irets here at CPL 3 with the loader's EBX and EAX as arguments.
 * The loader should have zeroed .bss, but clearing it here costs nothing
 * (native code) and makes a VMM that reuses guest RAM harmless.
 */
__attribute__((noreturn, used))
void guest_start(uint32_t mbi_addr, uint32_t magic)
{
    memset(__bss_start, 0, __bss_end - __bss_start);
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC) {
        mbi = (const struct multiboot_info *)(uintptr_t)mbi_addr;
    }
    exit_guest(main());
}

/* Set once the guest has nothing left to do: guest_trap() then halts. */
static volatile int guest_halting;

void exit_guest(uint32_t code)
{
    /* isa-debug-exit takes any width up to its iosize; a 32-bit write
     * passes the whole code (the VMM's exit status keeps the low 7 bits). */
    outl(DEBUG_EXIT_PORT, code);
    /* The same device where "-device isa-debug-exit" puts it by default
     * (iobase 0x501, iosize 2): a port nothing else decodes. */
    outw(DEBUG_EXIT_PORT_DEFAULT, code);
    /* Still running: no such device. Halt for good (IF=0). At CPL 3 hlt
     * is privileged and raises #GP, whose handler then halts at CPL 0. */
    guest_halting = 1;
    for (;;) {
        __asm__ volatile("hlt");
    }
}

/* --- exception reports (CPL 0) --- */

/* What the stub in boot.S and the CPU pushed, lowest address first. */
struct trap_frame {
    uint64_t vector;
    uint64_t error;     /* 0 for vectors without an error code */
    uint64_t rip, cs, rflags, rsp, ss;
};

static const char *const trap_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#MP", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
    "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

__attribute__((noreturn, used))
void guest_trap(const struct trap_frame *f)
{
    uint64_t cr2;

    while (guest_halting) {
        __asm__ volatile("hlt");        /* exit_guest()'s final stop */
    }
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    printf("\nguest: exception %s (vector %lu, error %#lx) at rip %#lx "
           "cpl %lu rsp %#lx rflags %#lx cr2 %#lx\n",
           trap_names[f->vector & 31], f->vector, f->error, f->rip,
           f->cs & 3, f->rsp, f->rflags, cr2);
    exit_guest(GUEST_EXIT_TRAP);
}

/* --- Multiboot information --- */

const struct multiboot_info *multiboot_info(void)
{
    return mbi;
}

const char *guest_cmdline(void)
{
    const char *s;

    if (!mbi || !(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline) {
        return "";
    }
    /* Skip the kernel path, then the blanks after it. */
    s = (const char *)(uintptr_t)mbi->cmdline;
    while (*s && *s != ' ') {
        s++;
    }
    while (*s == ' ') {
        s++;
    }
    return s;
}

/* Parse a decimal or 0x-prefixed hex number ending at a blank or NUL. */
static bool parse_uint(const char *s, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s || *s == ' ') {
        return false;
    }
    for (; *s && *s != ' '; s++) {
        unsigned d;

        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
        } else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') {
            d = (*s | 0x20) - 'a' + 10;
        } else {
            return false;
        }
        v = v * base + d;
    }
    *out = v;
    return true;
}

uint64_t cmdline_uint(const char *key, uint64_t def)
{
    size_t len = strlen(key);
    const char *s = guest_cmdline();

    while (*s) {
        uint64_t v;

        if (!strncmp(s, key, len) && s[len] == '=') {
            return parse_uint(s + len + 1, &v) ? v : def;
        }
        while (*s && *s != ' ') {       /* next word */
            s++;
        }
        while (*s == ' ') {
            s++;
        }
    }
    return def;
}

/* --- strings --- */

/* rep movsb/stosb: short, and fast on any CPU with ERMS. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d <= s || d >= s + n) {
        return memcpy(dst, src, n);
    }
    while (n--) {                       /* overlapping, dst above src */
        d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n; n--, p++, q++) {
        if (*p != *q) {
            return *p - *q;
        }
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b || !*a) {
            return (unsigned char)*a - (unsigned char)*b;
        }
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, SIZE_MAX);
}

static uint64_t rng_state;

void guest_rng_seed(uint64_t seed)
{
    rng_state = seed;
}

uint64_t guest_rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint8_t rtc_seconds(void)
{
    outb(0x70, 0x00);
    return inb(0x71);
}

uint64_t guest_tsc_khz_from_rtc(unsigned secs)
{
    uint8_t s = rtc_seconds(), now;
    uint64_t t0, t1;

    while ((now = rtc_seconds()) == s) {
    }
    t0 = rdtsc();
    for (unsigned i = 0; i < secs; i++) {
        s = now;
        while ((now = rtc_seconds()) == s) {
        }
    }
    t1 = rdtsc();
    return (t1 - t0) / (secs * 1000ull);
}
