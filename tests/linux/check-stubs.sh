#!/usr/bin/env bash
# check-stubs.sh - the Linux boot protocol entries, end to end under KVM:
# qomu boots three synthetic kernels (tests/linux/*.S) that check their
# entry state from the inside and print what the loader gave them.
#
#   build/tests/linux/check-stubs      (make check-boot; part of make check)
#
#   bzimage64.bin  bzImage 2.15, XLF_KERNEL_64: the 64-bit entry
#   bzimage32.bin  bzImage 2.11: the 32-bit entry at code32_start
#   pvh.elf        ELF64 with a XEN_ELFNOTE_PHYS32_ENTRY note: PVH
#
# Each prints to the debug console and exits through isa-debug-exit
# (status 1 = passed).  Their code runs at CPL 0 (emulated here), a few
# hundred instructions: well under a second each.
# Follows scripts/run-tests.sh's protocol: "PASS|FAIL <test>" lines, then
# "check-stubs: N passed, N failed"; exit 0, 1, or 77 (no /dev/kvm).
# Environment: QOMU (the binary), LINUX_STUB_DIR (where the stubs are).
set -uo pipefail

name=check-stubs
here=$(cd "$(dirname "$0")" && pwd)
stub_dir=${LINUX_STUB_DIR:-$(cd "$here/../.." && pwd)/build/tests/linux}
qomu=${QOMU:-$(cd "$here/../.." && pwd)/build/qomu}

[[ -r /dev/kvm && -w /dev/kvm ]] ||
    { echo "$name: skipped: /dev/kvm is not accessible"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
printf 'INITRD-0123456789' > "$tmp/initrd"

# boot ID KERNEL APPEND: output in $tmp/ID.out, status in $tmp/ID.status
boot() {
    timeout -k 5 60 "$qomu" -machine pc -accel kvm -m 64 -nodefaults \
        -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio \
        -kernel "$stub_dir/$2" -initrd "$tmp/initrd" -append "$3" \
        < /dev/null > "$tmp/$1.out" 2> "$tmp/$1.err"
    echo $? > "$tmp/$1.status"
}

# check TEST ID REGEX...: status 1 and a line matching each REGEX
check() {
    local test=$1 id=$2 why='' re status
    shift 2
    status=$(cat "$tmp/$id.status")
    [[ $status == 1 ]] || why="status $status, expected 1"
    for re in "$@"; do
        [[ -n $why ]] && break
        grep -Eq -- "$re" "$tmp/$id.out" || why="no line matching '$re'"
    done
    if [[ -z $why ]]; then
        echo "PASS $test"
        pass=$((pass + 1))
    else
        echo "FAIL $test: $why"
        sed 's/^/    /' "$tmp/$id.out" "$tmp/$id.err"
        fail=$((fail + 1))
    fi
}

boot b64 bzimage64.bin "console=ttyS0 stub=64" &
boot b32 bzimage32.bin "stub=32" &
boot pvh pvh.elf "pvh=yes" &
wait

# 64 MiB of RAM: the initrd page-aligned under 64 MiB - 0x28000 - 1.
check linux/bzimage/64-bit b64 '^bzImage64: ok$' \
    '^cmdline: console=ttyS0 stub=64$' \
    '^e820: 0000000000000000 000000000009fc00 00000001$' \
    '^e820: 0000000000100000 0000000003f00000 00000001$' \
    '^e820: 00000000feffc000 0000000000004000 00000002$' \
    '^initrd: 03fd7000 00000011 INITRD-0$' \
    '^mptable: entries 00000091$' \
    '^int3: #BP after the instruction$' '^swapgs: GS.base swapped$' \
    '^popcnt: ok$' '^fwait: ok$' \
    '^mxcsr: ok$'
check linux/bzimage/32-bit b32 '^bzImage32: ok$' '^cmdline: stub=32$'
check linux/pvh pvh '^pvh: ok$' '^cmdline: pvh=yes$' \
    '^memmap: 0000000000100000 0000000003f00000 00000001$' \
    '^modules: 00000001$' '^module 0: 03fd7000 00000011 INITRD-0$'

echo "$name: $pass passed, $fail failed"
[[ $fail == 0 ]]
