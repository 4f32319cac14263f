#!/usr/bin/env bash
# check-crash.sh - is what the guest was told is on the disk in the host
# file when the VMM dies right afterwards?
#
#   tests/guest/check-crash.sh [-q VMM] [-b BIOS]     (or build/tests/guest/check-crash)
#
# The virtio-blk runs (cache=none,aio=io_uring; writeback/threads;
# directsync/native) boot tests/guest/vblk.elf with "crash=1" instead:
# VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, "vblk: flushed", spin.
#
# For each cache mode and AIO engine, boots tests/guest/ata.elf with
# "op=crash": it writes a pattern by bus-master DMA, sends FLUSH CACHE,
# prints "ata: flushed" on the debug console once the flush has completed,
# and spins. This script waits for that line, SIGKILLs the VMM process
# (no exit path, no atexit, no drain), and checks with cmp that the
# pattern is in the image file.
#
# - cache=writeback, none, writethrough, directsync, with threads and
#   io_uring, and native where it is allowed (cache.direct=on: none and
#   directsync): after a completed FLUSH CACHE the data must be in the file.
# - cache=writethrough and directsync without FLUSH CACHE ("ata: written"
#   after the WRITE DMA completed): the drive reports its write cache off
#   (IDENTIFY word 85 bit 5 = 0) and every write is flushed before it
#   completes, so the data must be in the file without a flush too.
# - cache=unsafe is run (the guest must get as far as "ata: flushed") but
#   nothing is asserted about the file: unsafe means FLUSH CACHE is ignored
#   (QEMU's cache.no-flush=on), so the VMM makes no durability promise.
#
# What this checks is the VMM's side of the contract: a process crash (not
# a host power cut), so "in the file" means in the host's page cache at
# least. A VMM that completed the guest's write or flush while the data
# still sat in its own buffers, or in a request not yet submitted to the
# host, fails here.
#
# Follows scripts/run-tests.sh's protocol: "PASS|FAIL <case>" lines, then
# "check-crash: N passed, N failed"; exit 0, 1, or 77 (skipped: no KVM, or
# the VMM has no piix3-ide yet). VMM defaults to $QOMU, else build/qomu.
# -b BIOS: firmware for the VMM (QEMU: /usr/share/qemu/qboot.rom), to
# check this script against QEMU.
set -uo pipefail

name=check-crash
here=$(cd "$(dirname "$0")" && pwd)
elf_dir=${GUEST_ELF_DIR:-$(cd "$here/../.." && pwd)/build/tests/guest}
vmm=${QOMU:-$(cd "$here/../.." && pwd)/build/qomu}
bios=()

while getopts q:b: opt; do
    case $opt in
    q) vmm=$OPTARG ;;
    b) [[ -z $OPTARG ]] || bios=(-bios "$OPTARG") ;;
    *) echo "usage: $0 [-q VMM] [-b BIOS]" >&2; exit 2 ;;
    esac
done

source "$here/check-lib.sh"
need_kvm
[[ -x $(command -v "$vmm") ]] || skip "$vmm not built yet"
[[ -f $elf_dir/ata.elf ]] || skip "$elf_dir/ata.elf not built (make guests)"
devices=$(timeout 10 "$vmm" -device help < /dev/null 2> /dev/null)
for dev in piix3-ide ide-hd; do
    grep -q "\"$dev\"" <<< "$devices" || skip "$vmm has no $dev yet"
done

tmp=$(mktemp -d)
vmm_pid=
cleanup() {
    [[ -z $vmm_pid ]] || kill -KILL "$vmm_pid" 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0

result() {      # result CASE [WHY]
    if [[ -z ${2:-} ]]; then
        echo "PASS $1"
        pass=$((pass + 1))
    else
        echo "FAIL $1: $2"
        fail=$((fail + 1))
        sed 's/^/  | /' "$tmp/out" "$tmp/err"
    fi
}

# crash CACHE AIO FLUSH ASSERT [GUEST]: one run. FLUSH 1/0: FLUSH CACHE or
# not; ASSERT 1/0: the pattern must be in the file or nothing is asserted.
# GUEST: ata (default, the IDE disk) or vblk (virtio-blk-pci, legacy).
n=0
crash() {
    local cache=$1 aio=$2 flush=$3 assert=$4 guest=${5:-ata}
    local lba=$((64 + 40 * n)) count=24 pattern=$((0xc0de0000 + n))
    local label="cache=$cache aio=$aio, flush" line="$guest: flushed" why='' i
    local append="op=crash" drive=(-drive "file=disk.img,format=raw,if=ide,cache=$cache,aio=$aio")
    if [[ $flush != 1 ]]; then
        label="cache=$cache aio=$aio, no flush"
        line="$guest: written"
    fi
    if [[ $guest == vblk ]]; then
        label="virtio-blk $label"
        append="crash=1"
        drive=(-drive "file=disk.img,format=raw,if=none,id=d0,cache=$cache,aio=$aio"
               -device virtio-blk-pci,drive=d0)
    fi
    n=$((n + 1))

    rm -f "$tmp/disk.img" "$tmp/expect.img"
    truncate -s 4M "$tmp/disk.img"
    : > "$tmp/out"
    # vmm-run.sh's command line, with the VMM started here so that the
    # SIGKILL goes to the VMM process itself, not to a wrapper.
    (cd "$tmp" && exec "$vmm" -machine pc -accel kvm -m 64 -nodefaults \
        -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio \
        -kernel "$elf_dir/$guest.elf" "${bios[@]}" \
        -append "$append lba=$lba count=$count pattern=$pattern flush=$flush" \
        "${drive[@]}" \
        < /dev/null > "$tmp/out" 2> "$tmp/err") &
    vmm_pid=$!
    # Up to 30 s for the line (a loaded CI machine); the guest spins after it.
    for ((i = 0; i < 600; i++)); do
        grep -qx "$line" "$tmp/out" && break
        kill -0 "$vmm_pid" 2> /dev/null || break
        sleep 0.05
    done
    if grep -qx "$line" "$tmp/out"; then
        kill -KILL "$vmm_pid" 2> /dev/null
        wait "$vmm_pid" 2> /dev/null
        vmm_pid=
    else
        kill -KILL "$vmm_pid" 2> /dev/null
        wait "$vmm_pid" 2> /dev/null
        vmm_pid=
        result "$label" "no \"$line\" line from the guest"
        return
    fi
    if [[ $assert == 1 ]]; then
        /usr/bin/python3 "$here/ata-pattern.py" write "$tmp/expect.img" "$lba" "$count" "$pattern" ||
            why="ata-pattern.py failed"
        if [[ -z $why ]] && ! cmp -s -i $((lba * 512)):$((lba * 512)) -n $((count * 512)) \
                "$tmp/disk.img" "$tmp/expect.img"; then
            why="after SIGKILL, sectors $lba..$((lba + count - 1)) of the image do not hold the pattern"
        fi
        result "$label: pattern in the file after SIGKILL" "$why"
    else
        result "$label: guest got \"$line\" (no durability promised: exempt)"
    fi
}

for aio in threads io_uring; do
    for cache in writeback none writethrough directsync; do
        crash "$cache" "$aio" 1 1
    done
done
for cache in none directsync; do
    crash "$cache" native 1 1
done
# Write cache off: each write is on disk when it completes.
for aio in threads io_uring; do
    for cache in writethrough directsync; do
        crash "$cache" "$aio" 0 1
    done
done
crash directsync native 0 1
# cache=unsafe: exempt (see above).
for aio in threads io_uring; do
    crash unsafe "$aio" 1 0
done

# The same through virtio-blk-pci (issue 8): tests/guest/vblk.elf crash=1
# writes, FLUSHes, prints "vblk: flushed" and spins.
if ! grep -q '"virtio-blk-pci"' <<< "$devices"; then
    echo "$name: skipped virtio-blk cases: $vmm has no virtio-blk-pci yet"
elif [[ ! -f $elf_dir/vblk.elf ]]; then
    echo "$name: skipped virtio-blk cases: $elf_dir/vblk.elf not built"
else
    crash none io_uring 1 1 vblk
    crash writeback threads 1 1 vblk
    crash directsync native 1 1 vblk
fi

echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
