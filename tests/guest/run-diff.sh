#!/usr/bin/env bash
# run-diff.sh - does qomu run a test guest exactly as QEMU does?
#
#   tests/guest/run-diff.sh [--serial] [--reboot] GUEST.elf [APPEND] [-- ARGS...]
#   tests/guest/run-diff.sh --probe
#
# Boots GUEST.elf under QEMU ($QEMU, default qemu-system-x86_64) and under
# qomu ($QOMU, default build/qomu) with the same arguments (vmm-run.sh),
# both at once, and compares the exit statuses and the debug console
# output. Lines starting with "bench: " (measurements) or "info: "
# (firmware-dependent facts) are left out of the comparison.
#
# Prints one line, "PASS|FAIL GUEST.elf 'APPEND' ..." (with a diff on
# failure), and exits 0 (same), 1 (different) or 77 (skipped: QEMU, KVM or
# qomu cannot run guests here; the reason is printed). --probe only does
# the skip checks: 0 if both VMMs look able to run guests, else 77.
# --serial gives both "-serial file:F" (vmm-run.sh -s) and compares what
# the guest wrote to COM1 too; --reboot runs them without -no-reboot
# (vmm-run.sh -R), for guests that reset and boot again.
#
# GUEST_QEMU_BIOS=FILE gives QEMU (only) another firmware, e.g.
# /usr/share/qemu/qboot.rom, which boots in ~0.2 s instead of SeaBIOS's ~5 s.
#
# qomu is considered able once it answers like QEMU: "-machine help"
# lists pc, "-accel help" lists kvm, "-device help" lists isa-debugcon and
# isa-debug-exit. Until then the test is skipped, not failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# QEMU's firmware for these runs: qboot when Debian ships it. SeaBIOS boots
# the same Multiboot guests but takes 5-60 s per run under emulation here
# (qboot: 0.2 s); the guest program, not the firmware, is what is compared.
# GUEST_QEMU_BIOS= (empty) selects SeaBIOS.
default_qemu_bios() {
    [[ -r /usr/share/qemu/qboot.rom ]] && echo /usr/share/qemu/qboot.rom
    return 0
}
qemu=${QEMU:-qemu-system-x86_64}
qomu=${QOMU:-$(cd "$here/../.." && pwd)/build/qomu}

skip() {
    echo "run-diff: skipped: $*"
    exit 77
}

# Can $1 run our guests? Prints the reason if not. (Outputs are captured
# first: with pipefail, "vmm | grep -q" could fail on SIGPIPE. The timeout
# is for a half-built VMM that starts a machine instead of answering.)
vmm_lacks() {
    local vmm=$1 machines accels devices
    ask() { timeout 10 "$vmm" "$@" < /dev/null 2> /dev/null; }
    machines=$(ask -machine help)
    accels=$(ask -accel help)
    devices=$(ask -device help)
    if ! grep -q '^pc ' <<< "$machines"; then
        echo "$vmm -machine help does not list pc"
    elif ! grep -qx kvm <<< "$accels"; then
        echo "$vmm -accel help does not list kvm"
    elif ! grep -q '"isa-debugcon"' <<< "$devices"; then
        echo "$vmm -device help does not list isa-debugcon"
    elif ! grep -q '"isa-debug-exit"' <<< "$devices"; then
        echo "$vmm -device help does not list isa-debug-exit"
    fi
}

probe() {
    local why
    command -v "$qemu" > /dev/null || skip "$qemu not found (apt-get install qemu-system-x86)"
    [[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not accessible"
    [[ -x $qomu ]] || skip "$qomu not built yet"
    why=$(vmm_lacks "$qomu")
    [[ -z $why ]] || skip "qomu cannot run test guests yet: $why"
}

if [[ ${1:-} == --probe ]]; then
    probe
    exit 0
fi
run_opts=()
serial=
while [[ ${1:-} == --serial || ${1:-} == --reboot ]]; do
    case $1 in
    --serial) serial=1 ;;
    --reboot) run_opts+=(-R) ;;
    esac
    shift
done
if [[ $# -lt 1 ]]; then
    echo "usage: $0 [--serial] [--reboot] GUEST.elf [APPEND] [-- ARGS...] | --probe" >&2
    exit 2
fi
elf=$1
append=${2:-}
[[ $append == -- ]] && append=
label="$(basename "$elf") '$append'${serial:+ (serial)}${run_opts[*]:+ (reboot)}"
probe

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Both at once: each run is seconds of firmware under emulation.
for vmm in qemu qomu; do
    : > "$tmp/$vmm.serial"
done
serial_opt() {  # serial_opt VMM: vmm-run.sh's -s, if asked for
    [[ -z $serial ]] || printf '%s\n' -s "$tmp/$1.serial"
}
bash "$here/vmm-run.sh" -q "$qemu" -b "${GUEST_QEMU_BIOS-$(default_qemu_bios)}" -o "$tmp/qemu.out" \
    $(serial_opt qemu) "${run_opts[@]}" "$@" 2> "$tmp/qemu.err" &
qemu_pid=$!
bash "$here/vmm-run.sh" -q "$qomu" -o "$tmp/qomu.out" $(serial_opt qomu) \
    "${run_opts[@]}" "$@" 2> "$tmp/qomu.err" &
qomu_pid=$!
wait "$qemu_pid"
qemu_status=$?
wait "$qomu_pid"
qomu_status=$?

elapsed() {
    sed -n 's/^vmm-run: .*, \([0-9.]*\) s$/\1/p' "$1" | tail -n 1
}
times="qemu $(elapsed "$tmp/qemu.err") s, qomu $(elapsed "$tmp/qomu.err") s"

for vmm in qemu qomu; do
    grep -Ev '^(bench|info): ' "$tmp/$vmm.out" > "$tmp/$vmm.cmp"
    if [[ -n $serial ]]; then
        sed 's/^/serial| /' "$tmp/$vmm.serial" >> "$tmp/$vmm.cmp"
    fi
done

if [[ $qemu_status -eq $qomu_status ]] && cmp -s "$tmp/qemu.cmp" "$tmp/qomu.cmp"; then
    echo "PASS $label: status $qemu_status ($times)"
    exit 0
fi

echo "FAIL $label: status qemu $qemu_status, qomu $qomu_status ($times)"
diff -u --label qemu --label qomu "$tmp/qemu.cmp" "$tmp/qomu.cmp"
for vmm in qemu qomu; do
    echo "--- $vmm stderr"
    cat "$tmp/$vmm.err"
done
exit 1
