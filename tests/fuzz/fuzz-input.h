/*
 * fuzz-input.h - reading a fuzzer's input as a stream of little-endian
 * numbers, shared by every target under tests/fuzz/.
 *
 * Past the end the stream reads as zeros, so any input is a whole
 * program.  The bytes of a multi-byte value are consumed low byte first
 * in sequenced statements: "in8() | in8() << 8" would leave the order to
 * the compiler, and a corpus file could then mean different things to
 * the clang fuzzer and to the gcc replay.
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct Input {
    const uint8_t *p;
    size_t left;
} Input;

static inline uint8_t in8(Input *in)
{
    if (!in->left) {
        return 0;
    }
    in->left--;
    return *in->p++;
}

static inline uint16_t in16(Input *in)
{
    uint16_t lo = in8(in);

    return lo | (uint16_t)in8(in) << 8;
}

static inline uint32_t in32(Input *in)
{
    uint32_t lo = in16(in);

    return lo | (uint32_t)in16(in) << 16;
}

static inline uint64_t in64(Input *in)
{
    uint64_t lo = in32(in);

    return lo | (uint64_t)in32(in) << 32;
}

#endif /* TESTS_FUZZ_FUZZ_INPUT_H */
