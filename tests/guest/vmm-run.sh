#!/usr/bin/env bash
# vmm-run.sh - boot one test guest under one VMM, with the one command line
# that QEMU and qomu must both accept.
#
#   tests/guest/vmm-run.sh [-q VMM] [-a ACCEL] [-b BIOS] [-o FILE] [-s FILE] [-R] [-t SECS] GUEST.elf [APPEND] [-- ARGS...]
#
#   -q VMM   the VMM binary (default $QEMU, else qemu-system-x86_64);
#            build/qomu takes exactly the same arguments
#   -a ACCEL kvm (default) or, for debugging with QEMU, tcg: a whole run
#            then takes ~0.15 s instead of ~5 s, and gdb breakpoints work
#   -b BIOS  QEMU only: firmware instead of SeaBIOS, e.g.
#            /usr/share/qemu/qboot.rom: ~0.2 s per run instead of ~5 s
#            (SeaBIOS is what takes the time under emulation)
#   -o FILE  write the guest's debug console output to FILE (default stdout)
#   -s FILE  add "-serial file:FILE": COM1's output goes to FILE
#   -R       leave out -no-reboot: a guest reset reboots (reset.c's resets=N)
#   -t SECS  kill the VMM after SECS seconds (default 60; status 124)
#   APPEND   the guest's command line (-append), e.g. "exit=5" or "n=1000"
#   ARGS     extra VMM arguments (devices a test needs), after a "--"
#
# The command line (see docs/devel/test-guests.md):
#   VMM -machine pc -accel ACCEL -m 64 -nodefaults -display none -no-reboot
#       -device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio
#       -kernel GUEST.elf -append APPEND [ARGS...]
# -no-reboot turns a guest triple fault into an exit (status 0) rather
# than an endless reboot loop.
#
# Prints "vmm-run: VMM GUEST.elf 'APPEND': status N, T s" on stderr, after
# the VMM's own stderr, and exits with the VMM's status: (code << 1) | 1
# when the guest called exit_guest(code).
set -uo pipefail

vmm=${QEMU:-qemu-system-x86_64}
accel=kvm
bios=()
out=
serial=()
noreboot=(-no-reboot)
timeout_s=60

usage() {
    echo "usage: $0 [-q VMM] [-a ACCEL] [-b BIOS] [-o FILE] [-s FILE] [-R] [-t SECS] GUEST.elf [APPEND] [-- ARGS...]" >&2
    exit 2
}

while getopts q:a:b:o:s:Rt:h opt; do
    case $opt in
    q) vmm=$OPTARG ;;
    a) accel=$OPTARG ;;
    b) [[ -z $OPTARG ]] || bios=(-bios "$OPTARG") ;;
    o) out=$OPTARG ;;
    s) serial=(-serial "file:$OPTARG") ;;
    R) noreboot=() ;;
    t) timeout_s=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[[ $# -ge 1 ]] || usage
elf=$1
shift
append=
if [[ $# -gt 0 && $1 != -- ]]; then
    append=$1
    shift
fi
if [[ $# -gt 0 ]]; then
    [[ $1 == -- ]] || usage
    shift
fi

[[ -f $elf ]] || { echo "vmm-run: $elf: no such file (make guests?)" >&2; exit 2; }

# Guest output on fd 3: FILE, or our own stdout as is (reopening
# /dev/stdout would give a shared log file a second, clobbering offset).
if [[ -n $out ]]; then
    exec 3> "$out" || exit 2
else
    exec 3>&1
fi

start=$EPOCHREALTIME
# stdin from /dev/null: "-debugcon stdio" must not put a terminal into raw mode.
timeout -k 5 "$timeout_s" "$vmm" -machine pc -accel "$accel" -m 64 -nodefaults \
    -display none "${noreboot[@]}" \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio \
    -kernel "$elf" -append "$append" "${bios[@]}" "${serial[@]}" "$@" \
    < /dev/null >&3
status=$?
end=$EPOCHREALTIME

# $EPOCHREALTIME is "seconds.microseconds"; bash has no floats, so awk.
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
echo "vmm-run: $(basename "$vmm") $(basename "$elf") '$append': status $status, $elapsed s" >&2
exit "$status"
