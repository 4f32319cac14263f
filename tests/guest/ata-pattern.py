#!/usr/bin/python3
"""ata-pattern.py - the ata guest's data pattern (tests/guest/ata.c), host side.

    ata-pattern.py write FILE LBA COUNT PATTERN   put it into FILE (in place)
    ata-pattern.py check FILE LBA COUNT PATTERN   is it there? (exit 0 / 1)

Word k (0..127, 32-bit little-endian) of 512-byte sector L is
PATTERN ^ (L * 0x9e3779b1) ^ (k * 0x85ebca77), mod 2^32. Numbers are
decimal or 0x-prefixed hex.
"""
import os
import struct
import sys


def sectors(lba, count, pattern):
    out = bytearray()
    for sec in range(lba, lba + count):
        base = pattern ^ ((sec * 0x9E3779B1) & 0xFFFFFFFF)
        out += struct.pack("<128I", *[(base ^ ((k * 0x85EBCA77) & 0xFFFFFFFF))
                                      & 0xFFFFFFFF for k in range(128)])
    return bytes(out)


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("write", "check"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    op, path = sys.argv[1], sys.argv[2]
    lba, count, pattern = (int(a, 0) for a in sys.argv[3:6])
    want = sectors(lba, count, pattern)
    if op == "write":
        with open(path, "r+b" if os.path.exists(path) else "w+b") as f:
            f.seek(lba * 512)
            f.write(want)
        return 0
    with open(path, "rb") as f:
        f.seek(lba * 512)
        got = f.read(len(want))
    if got == want:
        print(f"{path}: pattern {pattern:#x} at lba {lba} count {count}: ok")
        return 0
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            break
    else:
        i = len(got)
    print(f"{path}: pattern {pattern:#x} at lba {lba} count {count}: "
          f"MISMATCH at byte {i} (lba {lba + i // 512}), file has "
          f"{len(got)} of {len(want)} bytes")
    return 1


sys.exit(main())
