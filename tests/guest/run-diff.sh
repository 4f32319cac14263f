#!/usr/bin/env bash
# run-diff.sh - does qomu run a test guest exactly as QEMU does?
#
#   tests/guest/run-diff.sh [--serial] [--reboot] [--needs DEV]... [--prep CMD]
#                           [--check CMD] GUEST.elf [APPEND] [-- ARGS...]
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
# Disk images: each VMM runs in its own working directory, so relative
# file names in ARGS ("-drive file=disk.img,...") are that VMM's own
# files. --prep CMD runs CMD (bash, PATH starting with tests/guest, so
# ata-pattern.py is there) once in an empty directory to make the starting
# images; each VMM gets its own copy of every file it made, and after the
# runs each file is compared between the two with cmp (a difference is a
# failure, shown with cmp -l's first bytes). --check CMD runs CMD the same
# way in each VMM's directory after its run: it must succeed for both
# (e.g. "ata-pattern.py check disk.img 100 16 0x600d": the data the guest
# wrote is in the file). --needs DEV skips (77) the
# case while qomu's "-device help" does not list "DEV" (a device still
# being written).
#
# GUEST_QEMU_BIOS=FILE gives QEMU (only) another firmware, e.g.
# /usr/share/qemu/qboot.rom, which boots in ~0.2 s instead of SeaBIOS's ~5 s.
#
# qomu is considered able once it answers like QEMU: "-machine help"
# lists pc, "-accel help" lists kvm, "-device help" lists isa-debugcon and
# isa-debug-exit. Until then the test is skipped, not failed.
set -uo pipefail

name=run-diff
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

source "$here/check-lib.sh"

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
    need_kvm
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
prep=
post=
needs=()
usage() {
    echo "usage: $0 [--serial] [--reboot] [--needs DEV]... [--prep CMD] [--check CMD] GUEST.elf [APPEND] [-- ARGS...] | --probe" >&2
    exit 2
}
while [[ ${1:-} == --* && ${1:-} != -- ]]; do
    case $1 in
    --serial) serial=1 ;;
    --reboot) run_opts+=(-R) ;;
    --needs) [[ $# -ge 2 ]] || usage; needs+=("$2"); shift ;;
    --prep) [[ $# -ge 2 ]] || usage; prep=$2; shift ;;
    --check) [[ $# -ge 2 ]] || usage; post=$2; shift ;;
    *) usage ;;
    esac
    shift
done
[[ $# -ge 1 ]] || usage
elf=$(realpath "$1")
append=${2:-}
[[ $append == -- ]] && append=
# The drives (or other extra arguments) are part of what a case is.
extra=()
if [[ ${2:-} == -- ]]; then
    extra=("${@:3}")
elif [[ ${3:-} == -- ]]; then
    extra=("${@:4}")
fi
label="$(basename "$elf") '$append'${extra[*]:+ [${extra[*]}]}${serial:+ (serial)}${run_opts[*]:+ (reboot)}"
probe
if [[ ${#needs[@]} -gt 0 ]]; then
    qomu_devices=$(timeout 10 "$qomu" -device help < /dev/null 2> /dev/null)
    for dev in "${needs[@]}"; do
        grep -q "\"$dev\"" <<< "$qomu_devices" ||
            skip "$label: qomu has no $dev yet"
    done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The working directories, with the starting images if there are any.
mkdir "$tmp/prep" "$tmp/qemu.d" "$tmp/qomu.d"
if [[ -n $prep ]]; then
    if ! (cd "$tmp/prep" && PATH="$here:$PATH" bash -euo pipefail -c "$prep") \
            > "$tmp/prep.log" 2>&1; then
        echo "FAIL $label: --prep '$prep' failed:"
        cat "$tmp/prep.log"
        exit 1
    fi
    for vmm in qemu qomu; do
        cp -a --sparse=always "$tmp/prep/." "$tmp/$vmm.d/"
    done
fi

# Both at once: each run is seconds of firmware under emulation.
for vmm in qemu qomu; do
    : > "$tmp/$vmm.serial"
done
serial_opt() {  # serial_opt VMM: vmm-run.sh's -s, if asked for
    [[ -z $serial ]] || printf '%s\n' -s "$tmp/$1.serial"
}
shift     # GUEST.elf, now absolute: the VMMs run in their own directories
(cd "$tmp/qemu.d" && exec bash "$here/vmm-run.sh" -q "$qemu" \
    -b "${GUEST_QEMU_BIOS-$(default_qemu_bios)}" -o "$tmp/qemu.out" \
    $(serial_opt qemu) "${run_opts[@]}" "$elf" "$@") 2> "$tmp/qemu.err" &
qemu_pid=$!
(cd "$tmp/qomu.d" && exec bash "$here/vmm-run.sh" -q "$qomu" -o "$tmp/qomu.out" \
    $(serial_opt qomu) "${run_opts[@]}" "$elf" "$@") 2> "$tmp/qomu.err" &
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

# The images the runs started from: the same bytes afterwards?
images_differ=
for f in $(cd "$tmp/prep" && find . -type f | sort); do
    if ! cmp -s "$tmp/qemu.d/$f" "$tmp/qomu.d/$f"; then
        images_differ+=" ${f#./}"
    fi
done
images=
[[ -z $prep ]] || images=", images same"
checks_failed=
if [[ -n $post ]]; then
    for vmm in qemu qomu; do
        if ! (cd "$tmp/$vmm.d" && PATH="$here:$PATH" bash -euo pipefail -c "$post") \
                > "$tmp/$vmm.check" 2>&1; then
            checks_failed+=" $vmm"
        fi
    done
    images+=", --check passed"
fi

if [[ $qemu_status -eq $qomu_status && -z $images_differ && -z $checks_failed ]] &&
        cmp -s "$tmp/qemu.cmp" "$tmp/qomu.cmp"; then
    echo "PASS $label: status $qemu_status$images ($times)"
    exit 0
fi

echo "FAIL $label: status qemu $qemu_status, qomu $qomu_status ($times)"
diff -u --label qemu --label qomu "$tmp/qemu.cmp" "$tmp/qomu.cmp"
for vmm in $checks_failed; do
    echo "--- --check '$post' failed for $vmm:"
    cat "$tmp/$vmm.check"
done
for f in $images_differ; do
    echo "--- image $f differs (cmp -l: offset, qemu byte, qomu byte; octal):"
    cmp -l "$tmp/qemu.d/$f" "$tmp/qomu.d/$f" 2>&1 | head -n 10
done
for vmm in qemu qomu; do
    echo "--- $vmm stderr"
    cat "$tmp/$vmm.err"
done
exit 1
