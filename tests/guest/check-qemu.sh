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

# QEMU's firmware for these runs: qboot when Debian ships it. SeaBIOS boots
# the same Multiboot guests but takes 5-60 s per run under emulation here
# (qboot: 0.2 s); the guest program, not the firmware, is what is compared.
# GUEST_QEMU_BIOS= (empty) selects SeaBIOS.
default_qemu_bios() {
    [[ -r /usr/share/qemu/qboot.rom ]] && echo /usr/share/qemu/qboot.rom
    return 0
}
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
run() {         # run ID GUEST APPEND [VMM-RUN OPTS...]: output in $tmp/ID.out, status in ID.status
    local id=$1 guest=$2 append=$3
    shift 3
    bash "$here/vmm-run.sh" -b "${GUEST_QEMU_BIOS-$(default_qemu_bios)}" -o "$tmp/$id.out" "$@" \
        "$elf_dir/$guest.elf" "$append" 2> "$tmp/$id.err"
    echo $? > "$tmp/$id.status"
}
run hello hello "" &
run hello5 hello "exit=5" &
run bench exit-bench "n=1000" &
run pf trap "vector=14" &
run pci pci "" &
run pcireset pci "reset=1" &
run serial serial "" -s "$tmp/serial.com1" &
run cmos cmos "" &
run reset0 reset "method=0" &
run reboot reset "resets=1" -R &
run isairq isa-irq "" -s "$tmp/isairq.com1" &

# The IDE guest (ata.c) with disk images: PREP makes them in $tmp/ID.d
# (PATH has tests/guest, for ata-pattern.py), where the VMM then runs, so
# "-drive file=NAME" is relative. Output and status as for run().
run_disk() {    # run_disk ID APPEND PREP VMM-ARGS...
    local id=$1 append=$2 prep=$3
    shift 3
    mkdir "$tmp/$id.d"
    (cd "$tmp/$id.d" && PATH="$here:$PATH" bash -euo pipefail -c "$prep" &&
     exec bash "$here/vmm-run.sh" -b "${GUEST_QEMU_BIOS-$(default_qemu_bios)}" \
        -o "$tmp/$id.out" "$elf_dir/ata.elf" "$append" -- "$@") 2> "$tmp/$id.err"
    echo $? > "$tmp/$id.status"
}
run_disk ata-id "op=identify" "truncate -s 4M d.img" \
    -drive file=d.img,format=raw,if=ide,cache=writeback \
    -drive if=ide,index=2,media=cdrom &
run_disk ata-wt "op=identify" "truncate -s 1M d.img" \
    -drive file=d.img,format=raw,if=ide,cache=writethrough &
run_disk ata-rw "op=rw lba=100 count=16 pattern=0x600d" "truncate -s 4M d.img" \
    -drive file=d.img,format=raw,if=ide,cache=none,aio=io_uring &
run_disk ata-verify "op=verify lba=10 count=20 pattern=0xfeed" \
    "truncate -s 1M d.img && ata-pattern.py write d.img 10 20 0xfeed" \
    -drive file=d.img,format=raw,if=ide &
run_disk ata-errors "op=errors" "truncate -s 2M d.img" \
    -drive file=d.img,format=raw,if=ide &
run_disk ata-cd "op=cdrom drive=2 lba=8 count=16 pattern=0x55" \
    "truncate -s 1M d.img && ata-pattern.py write cd.iso 0 400 0x55" \
    -drive file=d.img,format=raw,if=ide \
    -drive file=cd.iso,format=raw,if=ide,index=2,media=cdrom &
run_disk ata-nocd "op=cdrom drive=3" "truncate -s 1M d.img" \
    -drive file=d.img,format=raw,if=ide -drive if=ide,index=3,media=cdrom &
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
    '^bench: out 0x1000 .* cycles' '^bench: out 0x80 .* cycles' \
    '^bench: in 0xe9 .* cycles' \
    '^bench: mmio read .* cycles' '^debugcon readback: 0xe9, 0 mismatches$' \
    '^info: unassigned mmio reads as 0$'
grep '^bench: ' "$tmp/bench.out" | sed 's/^/  /'
check "trap/page-fault" pf 255 '^trap: raising vector 14$' \
    '^guest: exception #PF \(vector 14, error 0x4\) at rip 0x[0-9a-f]+ cpl 3 .* cr2 0x100000000$'

# QEMU 7.2 -machine pc (ACPI on): 00:00.0 i440FX, 00:01.0 PIIX3, 00:01.1
# IDE, 00:01.3 PIIX4 PM; no BAR but the IDE's BAR4 (16 ports); QEMU's
# write masks (COMMAND 0x0507 writable).
check "pci/enumerate" pci 1 \
    '^00:00.0 8086:1237 class 0600 prog 00 rev 02 hdr 00 sub 1af4:1100 pin 0$' \
    '^00:01.0 8086:7000 class 0601 prog 00 rev 00 hdr 80 sub 1af4:1100 pin 0$' \
    '^00:01.1 8086:7010 class 0101 prog 80 rev 00 hdr 00 sub 1af4:1100 pin 0$' \
    '^  bars 0 0 0 0 fffffff1 0 rom 0$' \
    '^00:01.3 8086:7113 class 0680 prog 00 rev 03 hdr 00 sub 1af4:1100 pin 1$' \
    '^  command ffff -> 0507 sticky 0000 status after w1c 0200 line 5a id ro$' \
    '^cf8 80000000 words 8086 1237 bytes 80 12 disabled ffffffff absent ffffffff bus1 ffffffff$' \
    '^pirq 8f80050b disabled 80808080 restored yes$' '^rcr 00 02 00$'
# Bits 2 and 1 of 0xCF9: a hard reset, which -no-reboot makes an exit (0).
check "pci/cf9-reset" pcireset 0 '^rcr 00 02 00$'

# The legacy devices: COM1 as Linux's 8250 driver finds it (a 16550A
# that passes the IER, loopback and scratch tests), and what the guest
# wrote to it in the -serial file; the CMOS bytes QEMU's pc sets for
# -m 64; guest resets ending the run under -no-reboot (status 0) or
# rebooting the kernel without it.
check "serial/probe" serial 1 '^ier test: 00 0f$' \
    '^loopback msr: 90 \(mcr was 08\)$' '^iir after fcr: c1: 16550A$' \
    '^scratch: a5 5a$' '^thre: iir 02 01 02$' '^serial: ok$'
why=
grep -q 'Hello from COM1' "$tmp/serial.com1" 2> /dev/null ||
    why='no "Hello from COM1" in the -serial file'
result "serial/com1-output" "$why"
check "cmos/bytes" cmos 1 \
    '^base memory 640 KiB, extended 64512 KiB \(0x30: 64512\), 16M-4G 768 x 64 KiB, above 4G 0 x 64 KiB$' \
    '^equipment 06 floppy 00 hd 00 boot 12 30 cpus-1 00 ' \
    '^time valid bcd: yes$' '^seconds advanced by 1: yes$' \
    '^i8042: self test 55, status 1c, command byte 47$'
check "reset/i8042-0xfe" reset0 0 '^reset: boot 1, method 0$'
check "reset/reboot" reboot 1 '^reset: boot 1, method 0$' \
    '^reset: boot 2, after 1 resets: done$'
# The IRQs reach the local APIC through the IOAPIC (pending in its IRR).
check "isa-irq/ioapic" isairq 1 \
    '^irq 4 \(serial THRE\) -> vector 0x40: pending no -> yes$' \
    '^irq 1 \(i8042 output buffer\) -> vector 0x41: pending no -> yes$' \
    '^irq 8 \(RTC periodic\) -> vector 0x42: pending no -> yes$'

# The PIIX3 IDE (00:01.1) and its drives, as QEMU 7.2 has them: the
# IDENTIFY data, the write cache (word 85 bit 5) following cache= and SET
# FEATURES, transfer modes in words 63/88.
check "ata/identify" ata-id 1 \
    '^drive 0 \(primary master\): ata model "QEMU HARDDISK" serial "QM00001" firmware "2.5\+"$' \
    '^  sectors 8192 lba48 1 write cache on \(supported 1\)$' \
    '^drive 1 \(primary slave\): none$' \
    '^drive 2 \(secondary master\): atapi model "QEMU DVD-ROM" serial "QM00003"' \
    '^2 drives$' '^set features: write cache off -> word 85 4001$' \
    '^set features: write cache on -> word 85 4021$' \
    '^set features: udma2 -> mwdma 0007 udma 043f$' \
    '^set features 0x77: device error, status 41 error 04$'
check "ata/identify-writethrough" ata-wt 1 \
    '^  sectors 2048 lba48 1 write cache off \(supported 1\)$'
# The issue's done-when: written by DMA, read back by PIO and DMA, and in
# the image file.
check "ata/rw" ata-rw 1 \
    '^write dma: pattern 0000600d at lba 100 count 16: ok$' \
    '^read pio: pattern 0000600d at lba 100 count 16: ok$' \
    '^read dma: pattern 0000600d at lba 100 count 16: ok$' \
    '^write pio: pattern 0000600e at lba 116 count 16: ok$' \
    '^read dma: pattern 0000600e at lba 116 count 16: ok$' \
    '^flush cache: status 50 error 00$'
why=
for p in "100 16 0x600d" "116 16 0x600e"; do
    # shellcheck disable=SC2086  # three words
    /usr/bin/python3 "$here/ata-pattern.py" check "$tmp/ata-rw.d/d.img" $p > /dev/null ||
        why="the pattern ($p) is not in the image file"
done
result "ata/rw-image" "$why"
check "ata/verify" ata-verify 1 \
    '^read pio: pattern 0000feed at lba 10 count 20: ok$' \
    '^read dma: pattern 0000feed at lba 10 count 20: ok$'
# Error paths: ABRT past the end (status 41 error 04; DMA: BMDMA INTR,
# not ACTIVE), a PRD of length 0 moving 64 KiB, PRDs shorter than the
# transfer (ACTIVE falls, no INTR, nothing moved), longer (ACTIVE stays).
check "ata/errors" ata-errors 1 \
    '^read pio at the end: device error, status 41 error 04 bm 00$' \
    '^read dma at the end: device error, status 41 error 04 bm 64$' \
    '^write dma ext at the end: device error, status 41 error 04 bm 64$' \
    '^command 0x00 \(nop\): device error, status 41 error 04 bm 00$' \
    '^read dma, one prd of length 0 \(64 KiB\): ok, status 50 error 00 bm 64$' \
    '^read dma, prd length 0: pattern 00001234 at lba 64 count 128: ok$' \
    '^byte after 64 KiB: ee$' \
    '^read dma into unassigned space: ok, status 50 error 00 bm 64$' \
    '^read dma, prds for 2 of 8 sectors: bmdma error, status 50 error 00 bm 60$' \
    '^buffer: sectors 0-1 untouched, sector 2 untouched$' \
    '^read dma, prds for 8 sectors, 1 read: ok, status 50 error 00 bm 65$' \
    '^read dma, split prds: pattern 00001234 at lba 64 count 4: ok$'
check "ata/cdrom" ata-cd 1 \
    '^test unit ready: ok, status 50 error 00 ireason 03, 0 bytes$' \
    '^inquiry: type 05 rmb 80 version 00 format 21 additional 31 vendor "QEMU    " product "QEMU DVD-ROM    " revision "2.5\+"$' \
    '^read capacity: last lba 99 block size 2048$' \
    '^read\(10\) pio: pattern 00000055 at lba 8 count 16: ok$' \
    '^read\(10\) dma: pattern 00000055 at lba 8 count 16: ok$' \
    '^read\(10\) past the end: request sense ok: key 5 asc 21 ascq 00$'
check "ata/cdrom-no-medium" ata-nocd 1 \
    '^test unit ready: device error, status 41 error 20 ireason 03, 0 bytes$' \
    '^test unit ready: request sense ok: key 2 asc 3a ascq 00$' \
    '^read capacity: request sense ok: key 2 asc 3a ascq 00$'

echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
