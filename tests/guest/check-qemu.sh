#!/usr/bin/env bash
# check-qemu.sh - the test guests boot, print and exit as they should under
# QEMU alone (Debian's qemu-system-x86_64 with KVM): the reference that
# run-diff.sh later holds qomu to.
#
#   tests/guest/check-qemu.sh        (or build/tests/guest/check-qemu)
#
# Follows scripts/run-tests.sh's protocol: a "PASS|FAIL <test>" line per
# test, then "check-qemu: N passed, N failed"; exit 0, 1, or 77 (skipped:
# no QEMU or no /dev/kvm). Environment: QEMU (the binary), GUEST_ELF_DIR
# (where the *.elf are, default build/tests/guest), GUEST_QEMU_BIOS
# (firmware instead of SeaBIOS, see vmm-run.sh -b).
#
# The guests run in parallel: each takes ~5-6 s here, nearly all of it
# SeaBIOS under emulation (~0.2 s with GUEST_QEMU_BIOS=/usr/share/qemu/qboot.rom).
set -uo pipefail

name=check-qemu
here=$(cd "$(dirname "$0")" && pwd)
elf_dir=${GUEST_ELF_DIR:-$(cd "$here/../.." && pwd)/build/tests/guest}
qemu=${QEMU:-qemu-system-x86_64}

command -v "$qemu" > /dev/null ||
    { echo "$name: skipped: $qemu not found (apt-get install qemu-system-x86)"; exit 77; }
[[ -r /dev/kvm && -w /dev/kvm ]] ||
    { echo "$name: skipped: /dev/kvm is not accessible"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

result() {      # result TEST [WHY]: passed if WHY is empty
    if [[ -z ${2:-} ]]; then
        echo "PASS $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1: $2"
        fail=$((fail + 1))
    fi
}

# --- the ELF itself: what QEMU's Multiboot loader insists on ---
elf_problem=$(/usr/bin/python3 - "$elf_dir/hello.elf" <<'EOF'
import struct, sys
try:
    data = open(sys.argv[1], "rb").read()
except OSError as e:
    print(f"{e.strerror} (make guests?)")
    sys.exit()
if data[:4] != b"\x7fELF" or data[4] != 1:
    print("not an ELF32 file (QEMU: \"Cannot load x86-64 image\")")
elif struct.unpack_from("<H", data, 18)[0] != 3:
    print("e_machine is not EM_386")
else:
    # QEMU scans 4-byte aligned offsets below 8192 - 48 for magic + checksum.
    for off in range(0, 8192 - 48, 4):
        magic, flags, csum = struct.unpack_from("<III", data, off)
        if magic == 0x1BADB002 and (magic + flags + csum) & 0xffffffff == 0:
            break
    else:
        print("no Multiboot header in the first 8 KiB")
EOF
)
result "elf/multiboot-header" "$elf_problem"

# --- boot the guests (all at once), then look at what they did ---
run() {         # run ID GUEST APPEND: output in $tmp/ID.out, status in ID.status
    bash "$here/vmm-run.sh" -b "${GUEST_QEMU_BIOS:-}" -o "$tmp/$1.out" "$elf_dir/$2.elf" "$3" \
        2> "$tmp/$1.err"
    echo $? > "$tmp/$1.status"
}
run hello hello "" &
run hello5 hello "exit=5" &
run bench exit-bench "n=1000" &
run pf trap "vector=14" &
wait

check() {       # check TEST ID STATUS REGEX...: the status, and a line per REGEX
    local test=$1 id=$2 want=$3 got why='' re
    shift 3
    got=$(< "$tmp/$id.status")
    sed -n 's/^vmm-run: /  /p' "$tmp/$id.err"         # how long it took
    if [[ $got != "$want" ]]; then
        why="exit status $got, expected $want"
    else
        for re in "$@"; do
            grep -Eq -- "$re" "$tmp/$id.out" || { why="no output line matches /$re/"; break; }
        done
    fi
    result "$test" "$why"
    if [[ -n $why || ${V:-} == 1 ]]; then
        sed 's/^/  | /' "$tmp/$id.out" "$tmp/$id.err"
    fi
}

check "hello/default" hello 1 \
    '^Hello from the guest$' '^cmdline: ""$' '^memory: 64 MiB$' '^exit code: 0$'
check "hello/exit=5" hello5 11 '^cmdline: "exit=5"$' '^exit code: 5$'
check "exit-bench/n=1000" bench 1 \
    '^exit-bench: 1000 exits per loop$' '^bench: cpuid .* cycles' \
    '^bench: out 0x1000 .* cycles' '^bench: in 0xe9 .* cycles' \
    '^bench: mmio read .* cycles' '^debugcon readback: 0xe9, 0 mismatches$' \
    '^info: unassigned mmio reads as 0$'
grep '^bench: ' "$tmp/bench.out" | sed 's/^/  /'
check "trap/page-fault" pf 255 '^trap: raising vector 14$' \
    '^guest: exception #PF \(vector 14, error 0x4\) at rip 0x[0-9a-f]+ cpl 3 .* cr2 0x100000000$'

echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
