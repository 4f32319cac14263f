#!/usr/bin/env bash
# check-diff.sh - qomu against QEMU on every test guest (run-diff.sh per case).
#
#   tests/guest/check-diff.sh        (or build/tests/guest/check-diff)
#
# Follows scripts/run-tests.sh's protocol: "check-diff: N passed, N failed",
# exit 0 or 1; exit 77 with "check-diff: skipped: <why>" while qomu (or
# QEMU, or /dev/kvm) cannot run test guests. Environment: QEMU, QOMU,
# GUEST_ELF_DIR (default build/tests/guest).
set -uo pipefail

name=check-diff
here=$(cd "$(dirname "$0")" && pwd)
elf_dir=${GUEST_ELF_DIR:-$(cd "$here/../.." && pwd)/build/tests/guest}

# One case per line: guest, then its -append text, then (optionally)
# run-diff.sh options: --serial (compare COM1's output too), --reboot,
# --needs DEV (skip while qomu has no DEV); then (optionally) extra VMM
# arguments (split at blanks), then (optionally) a --prep command making
# the starting disk images: each VMM gets its own copy, and the images
# must be the same bytes afterwards; then (optionally) a --check command
# run in each VMM's directory after the run.
cases=(
    "hello|"
    "hello|exit=5"
    "exit-bench|n=1000"
    "trap|vector=6"
    "trap|vector=14"
    # skip=: functions QEMU has and qomu does not, left out of both
    # outputs so that everything else is compared: 01.3 is the PIIX4 ACPI
    # function, which QEMU's pc has with acpi=on, the default, and qomu
    # never will.  (01.1, the PIIX3 IDE, is compared since issue 7.)
    "pci|skip=01.3"
    "pci|skip=01.3 reset=1"
    # the legacy devices (issue 5): COM1 probed as Linux does and written
    # to, the CMOS bytes, and guest resets (i8042 0xfe, port 0x92; the
    # other i8042 ways, method=2 and 3, are in tests/unit/test-i8042.c)
    # ending the VMM under -no-reboot, or rebooting the kernel without it
    "serial||--serial"
    "cmos|"
    # the IDE bytes (0x12) with two disks on ide.0 (issue 7)
    "cmos||--needs piix3-ide --needs ide-hd|-drive file=a.img,format=raw,if=ide -drive file=b.img,format=raw,if=ide,index=1|truncate -s 1M a.img && truncate -s 40M b.img"
    "reset|method=0"
    "reset|method=1"
    "reset|resets=1|--reboot"
    # their interrupts (COM1 THRE, i8042, RTC periodic) through the IOAPIC
    "isa-irq||--serial"
)

# The PIIX3 IDE (issue 7) with tests/guest/ata.c. Every cache mode, every
# AIO engine (native needs cache.direct=on: cache=none and directsync);
# check-crash.sh covers the whole matrix on qomu alone.
ide_needs="--needs piix3-ide --needs ide-hd --needs ide-cd"
disk="-drive file=disk.img,format=raw,if=ide"
cd="-drive file=cd.iso,format=raw,if=ide,index=2,media=cdrom"
cases+=(
    # the done-when of the issue: a pattern written by DMA, in the file
    "ata|op=rw lba=100 count=16 pattern=0x600d|$ide_needs|$disk,cache=none,aio=io_uring|truncate -s 4M disk.img|ata-pattern.py check disk.img 100 16 0x600d"
    # 300 sectors: the 48-bit commands, PRDs across 64 KiB boundaries
    "ata|op=write-dma lba=7 count=300 pio=0|$ide_needs|$disk,cache=writeback,aio=threads|truncate -s 4M disk.img|ata-pattern.py check disk.img 7 300 0x1234"
    "ata|op=write-dma lba=2000 count=24|$ide_needs|$disk,cache=writethrough,aio=io_uring|truncate -s 4M disk.img"
    "ata|op=write-pio lba=1 count=9 flush=0|$ide_needs|$disk,cache=directsync,aio=native|truncate -s 4M disk.img"
    "ata|op=rw lba=8000 count=16|$ide_needs|$disk,cache=unsafe,aio=threads|truncate -s 4M disk.img"
    "ata|op=write-dma lba=33 count=5|$ide_needs|$disk,cache=none,aio=native|truncate -s 4M disk.img"
    # what the host wrote, read by the guest
    "ata|op=verify lba=10 count=20 pattern=0xfeed|$ide_needs|$disk,cache=writeback|truncate -s 1M disk.img && ata-pattern.py write disk.img 10 20 0xfeed"
    # IDENTIFY and SET FEATURES; write cache off; all four positions
    "ata|op=identify|$ide_needs|$disk,cache=writeback|truncate -s 4M disk.img"
    "ata|op=identify drive=1|$ide_needs|-drive file=a.img,format=raw,if=ide,cache=writethrough -drive file=b.img,format=raw,if=ide,index=1 $cd -drive if=ide,index=3,media=cdrom|truncate -s 1M a.img && truncate -s 40M b.img && truncate -s 2M cd.iso"
    # error paths: past the end, unknown commands, odd PRD tables
    "ata|op=errors|$ide_needs|$disk,cache=writeback|truncate -s 2M disk.img"
    # ATAPI: a medium with the pattern, and none
    "ata|op=cdrom drive=2 lba=8 count=16 pattern=0x55|$ide_needs|$disk $cd|truncate -s 1M disk.img && ata-pattern.py write cd.iso 0 400 0x55"
    "ata|op=cdrom drive=3|$ide_needs|$disk -drive if=ide,index=3,media=cdrom|truncate -s 1M disk.img"
)

cases+=(
)

why=$(bash "$here/run-diff.sh" --probe)
if [[ $? -eq 77 ]]; then
    echo "$name: skipped: ${why#run-diff: skipped: }"
    exit 77
fi

pass=0 fail=0 skipped=0
for c in "${cases[@]}"; do
    IFS='|' read -r guest append opts args prep post <<< "$c"
    prep_opt=()
    [[ -z $prep ]] || prep_opt=(--prep "$prep")
    [[ -z $post ]] || prep_opt+=(--check "$post")
    # shellcheck disable=SC2086  # opts, args: zero or more words
    out=$(bash "$here/run-diff.sh" $opts "${prep_opt[@]}" "$elf_dir/$guest.elf" \
          "$append" ${args:+-- $args})
    status=$?
    if [[ $status -eq 77 ]]; then
        echo "$name: skipped /$guest '$append': ${out#run-diff: skipped: }"
        skipped=$((skipped + 1))
        continue
    fi
    printf '%s\n' "$out"
    if [[ $status -eq 0 ]]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done
echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
