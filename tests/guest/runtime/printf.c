/*
 * printf.c - a small printf for test guests, writing to isa-debugcon.
 *
 * Supports %d %i %u %x %X %p %s %c %%, the flags '-', '0' and '#', a
 * field width (digits or '*'), and the length modifiers l, ll, z. No
 * precision, no floating point. Output goes byte by byte to port 0xe9:
 * one exit per byte, which is ~20 us here, so keep messages short.
 */
#include "guest.h"

void putchar_guest(char c)
{
    outb(DEBUGCON_PORT, c);
}

/* Write @c @n times (none if @n <= 0); returns how many were written. */
static int pad(char c, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        putchar_guest(c);
    }
    return i;
}

/* One field: optional prefix ("-", "0x"), then the body, padded to @width. */
static int emit(const char *prefix, const char *body, int len, int width,
                bool left, bool zero)
{
    int plen = strlen(prefix);
    int fill = width - plen - len;
    int n = 0;

    if (!left && !zero) {
        n += pad(' ', fill);
    }
    for (const char *p = prefix; *p; p++) {
        putchar_guest(*p);
    }
    if (!left && zero) {
        n += pad('0', fill);                /* zeros go after the sign/0x */
    }
    for (int i = 0; i < len; i++) {
        putchar_guest(body[i]);
    }
    if (left) {
        n += pad(' ', fill);
    }
    return n + plen + len;
}

int vprintf(const char *fmt, va_list ap)
{
    int n = 0;

    for (; *fmt; fmt++) {
        bool left = false, zero = false, alt = false;
        int width = 0, lng = 0;
        char buf[24];                       /* 2^64 in decimal: 20 digits */
        const char *prefix = "";
        unsigned base = 10;
        bool upper = false;
        uint64_t u;
        int len;

        if (*fmt != '%') {
            putchar_guest(*fmt);
            n++;
            continue;
        }

        for (;; fmt++) {                    /* flags */
            if (fmt[1] == '-') {
                left = true;
            } else if (fmt[1] == '0') {
                zero = true;
            } else if (fmt[1] == '#') {
                alt = true;
            } else {
                break;
            }
        }
        if (fmt[1] == '*') {
            width = va_arg(ap, int);
            fmt++;
        }
        while (fmt[1] >= '0' && fmt[1] <= '9') {
            width = width * 10 + (*++fmt - '0');
        }
        while (fmt[1] == 'l' || fmt[1] == 'z') {
            lng++;
            fmt++;
        }
        fmt++;

        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

            if (v < 0) {
                prefix = "-";
                u = -(uint64_t)v;
            } else {
                u = v;
            }
            break;
        }
        case 'u':
            u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            break;
        case 'X':
            upper = true;
            /* fall through */
        case 'x':
            u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            base = 16;
            if (alt && u) {
                prefix = upper ? "0X" : "0x";
            }
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            base = 16;
            prefix = "0x";
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);

            if (!s) {
                s = "(null)";
            }
            n += emit("", s, strlen(s), width, left, false);
            continue;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            n += emit("", buf, 1, width, left, false);
            continue;
        case '%':
            putchar_guest('%');
            n++;
            continue;
        default:                            /* unknown: print it as is */
            putchar_guest('%');
            if (!*fmt) {
                return n + 1;
            }
            putchar_guest(*fmt);
            n += 2;
            continue;
        }

        /* A number: digits into the end of buf, most significant first. */
        len = 0;
        do {
            unsigned d = u % base;

            buf[sizeof(buf) - 1 - len++] = d < 10 ? '0' + d
                                                  : (upper ? 'A' : 'a') + d - 10;
            u /= base;
        } while (u);
        n += emit(prefix, buf + sizeof(buf) - len, len, width, left, zero);
    }
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    return printf("%s\n", s);
}
