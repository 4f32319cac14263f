#!/usr/bin/env bash
# check-qcow2.sh - qcow2 interoperability with Debian's qemu-img 7.2, and
# crash consistency.  (build/tests/guest/check-qcow2; issue 9)
#
#   tests/guest/check-qcow2.sh [-k KILLS]
#
# 1. Images qemu-img made (64 KiB and 4 KiB clusters, compat=0.10, a
#    backing file) written by qomu through tests/guest/ata.elf
#    (op=write-dma on if=ide, format=qcow2 and probed): then
#    `qemu-img check` is clean and `qemu-img compare` equals a raw image
#    holding the expected pattern (ata-pattern.py).
# 2. snapshot=on: the guest's writes go to a temporary qcow2 overlay; the
#    image is unchanged afterwards.
# 3. qomu-img: `create`, `info`, `check` print what qemu-img prints for
#    the same files (byte for byte); its images pass `qemu-img check`;
#    `convert` raw <-> qcow2 both ways gives what `qemu-img compare`
#    accepts.
# 4. Crash consistency: KILLS times (default $QCOW2_CRASH_KILLS or 10;
#    `make check-qcow2-crash` runs 50), a fresh qcow2 image (64 KiB or
#    4 KiB clusters, cache=writeback or none), ata.elf op=crash-loop (write
#    a region, FLUSH CACHE, print "ata: flushed I.", next region), SIGKILL
#    of the qomu process at a random moment; then `qemu-img check` must
#    find no corruption (exit 0, or 3: leaks only) and every region whose
#    flush the guest saw must hold its pattern.
#
# run-tests.sh protocol: "PASS|FAIL <case>" lines, "check-qcow2: N passed,
# N failed"; exit 0, 1 or 77 (skipped: no KVM, no qemu-img, no qcow2).
set -uo pipefail

name=check-qcow2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
elf_dir=${GUEST_ELF_DIR:-$top/build/tests/guest}
vmm=${QOMU:-$top/build/qomu}
img=${QOMU_IMG:-$(dirname "$vmm")/qomu-img}
kills=${QCOW2_CRASH_KILLS:-10}
py=/usr/bin/python3
pattern_py=$here/ata-pattern.py

while getopts k: opt; do
    case $opt in
    k) kills=$OPTARG ;;
    *) echo "usage: $0 [-k KILLS]" >&2; exit 2 ;;
    esac
done

source "$here/check-lib.sh"
need_kvm
[[ -x $vmm ]] || skip "$vmm not built yet"
[[ -x $img ]] || skip "$img not built yet"
[[ -f $elf_dir/ata.elf ]] || skip "$elf_dir/ata.elf not built (make guests)"
command -v qemu-img > /dev/null || skip "no qemu-img (apt-get install qemu-utils)"

tmp=$(mktemp -d)
vmm_pid=
cleanup() {
    [[ -z $vmm_pid ]] || kill -KILL "$vmm_pid" 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
"$img" create -q -f qcow2 probe.qcow2 1M 2> /dev/null ||
    skip "$img has no qcow2 (the driver is not built)"
pass=0 fail=0

result() {      # result CASE [WHY [LOG...]]
    local label=$1 why=${2:-}
    if [[ -z $why ]]; then
        echo "PASS $label"
        pass=$((pass + 1))
    else
        echo "FAIL $label: $why"
        fail=$((fail + 1))
        shift 2
        for f in "$@"; do
            [[ -f $f ]] && sed 's/^/  | /' "$f" | tail -n 30
        done
    fi
}

# run_guest DRIVE-OPTS APPEND: boot ata.elf to completion; its status is in
# $status (1 = the guest passed), output in out/err.
run_guest() {
    status=0
    timeout 60 "$vmm" -machine pc -accel kvm -m 64 -nodefaults -display none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -debugcon stdio -kernel "$elf_dir/ata.elf" -append "$2" \
        -drive "$1" < /dev/null > out 2> err || status=$?
}

# expect_raw FILE SIZE [LBA COUNT PATTERN]...: the expected content
expect_raw() {
    local file=$1
    rm -f "$file"
    truncate -s "$2" "$file"
    shift 2
    while [[ $# -ge 3 ]]; do
        $py "$pattern_py" write "$file" "$1" "$2" "$3" || return 1
        shift 3
    done
}

# 1. qemu-img's images written by qomu
write_case() {     # write_case LABEL CREATE-OPTS DRIVE-EXTRA
    local label=$1 why=''
    rm -f w.qcow2
    qemu-img create -q -f qcow2 $2 w.qcow2 16M > /dev/null || {
        result "$label" "qemu-img create failed"; return; }
    run_guest "file=w.qcow2,if=ide$3" \
        "op=write-dma lba=100 count=200 pattern=0x51c0 pio=0"
    if [[ $status != 1 ]]; then
        result "$label" "guest status $status (1 = passed)" out err
        return
    fi
    if [[ $3 != *format=* ]] && grep -q "probing guessed raw" err; then
        why="probed as raw"
    elif ! qemu-img check -q w.qcow2 > check.out 2>&1; then
        why="qemu-img check: exit $?"
    elif ! expect_raw exp.raw 16M 100 200 0x51c0 ||
         ! qemu-img compare -q -f qcow2 -F raw w.qcow2 exp.raw > cmp.out 2>&1; then
        why="qemu-img compare: the image does not hold the pattern"
    fi
    result "$label" "$why" check.out cmp.out err
}
write_case "qemu-img qcow2 (64 KiB clusters) written by qomu" "" ",format=qcow2"
write_case "qemu-img qcow2 (4 KiB clusters) written by qomu" "-o cluster_size=4k" ",format=qcow2"
write_case "qemu-img qcow2 compat=0.10 written by qomu" "-o compat=0.10" ",format=qcow2"
write_case "qemu-img qcow2, format probed" "" ""
write_case "qemu-img qcow2, cache=none aio=io_uring" "" ",format=qcow2,cache=none,aio=io_uring"

# Backing chain: a raw base with one pattern, a qcow2 overlay, qomu
# writes a second pattern across cluster boundaries of the first.
{
    label="backing chain: raw base, qcow2 overlay written by qomu"
    why=''
    expect_raw base.raw 16M 0 300 0xba5e
    cp base.raw base.orig
    rm -f ov.qcow2
    qemu-img create -q -f qcow2 -b base.raw -F raw ov.qcow2 > /dev/null
    run_guest "file=ov.qcow2,format=qcow2,if=ide" \
        "op=write-dma lba=150 count=40 pattern=0x0e1a pio=0"
    if [[ $status != 1 ]]; then
        why="guest status $status"
    elif ! qemu-img check -q ov.qcow2 > check.out 2>&1; then
        why="qemu-img check failed"
    elif ! expect_raw exp.raw 16M 0 300 0xba5e 150 40 0x0e1a ||
         ! qemu-img compare -q ov.qcow2 exp.raw > cmp.out 2>&1; then
        why="qemu-img compare: overlay + base do not hold both patterns"
    elif ! cmp -s base.raw base.orig; then
        why="the backing file was written"
    fi
    result "$label" "$why" out err check.out cmp.out
}

# 2. snapshot=on
for fmt in qcow2 raw; do
    label="snapshot=on ($fmt image): the image is unchanged"
    why=''
    if [[ $fmt == qcow2 ]]; then
        qemu-img create -q -f qcow2 s.img 16M > /dev/null
    else
        rm -f s.img; truncate -s 16M s.img
    fi
    cp s.img s.orig
    run_guest "file=s.img,format=$fmt,if=ide,snapshot=on" \
        "op=write-dma lba=8 count=64 pattern=0x5a5a pio=0"
    if [[ $status != 1 ]]; then
        why="guest status $status"
    elif ! cmp -s s.img s.orig; then
        why="the image changed"
    fi
    result "$label" "$why" out err
done

# 3. qomu-img against qemu-img
same() {    # same LABEL CMD...: qomu-img and qemu-img print the same
    local label=$1
    shift
    "$img" "$@" > a.out 2> a.err; local ra=$?
    qemu-img "$@" > b.out 2> b.err; local rb=$?
    sed -i 's/qomu-img/qemu-img/g' a.err     # the program's own name
    if [[ $ra != "$rb" ]]; then
        result "$label" "exit $ra, qemu-img $rb" a.out a.err b.out b.err
    elif ! cmp -s a.out b.out || ! cmp -s a.err b.err; then
        diff a.out b.out > d.out; diff a.err b.err >> d.out
        result "$label" "output differs from qemu-img's" d.out
    else
        result "$label"
    fi
}
same "create raw: same output" create -f raw c1.raw 10M
same "create qcow2: same output" create -f qcow2 c1.qcow2 64M
same "create qcow2 -o cluster_size=4k,lazy_refcounts=on: same output" \
    create -f qcow2 -o cluster_size=4k,lazy_refcounts=on c2.qcow2 1000
same "create -o refcount_bits=1: same output" \
    create -f qcow2 -o refcount_bits=1 r1.qcow2 64M
"$img" create -q -f qcow2 -o refcount_bits=1 r1-qomu.qcow2 64M
cmp -s r1.qcow2 r1-qomu.qcow2 && result "create -o refcount_bits=1: same bytes" \
    || result "create -o refcount_bits=1: same bytes" "images differ"
same "create -o refcount_bits=64,cluster_size=512: same output" \
    create -f qcow2 -o refcount_bits=64,cluster_size=512 r64.qcow2 8M
"$img" create -q -f qcow2 -o refcount_bits=64,cluster_size=512 r64-qomu.qcow2 8M
cmp -s r64.qcow2 r64-qomu.qcow2 && result "create -o refcount_bits=64: same bytes" \
    || result "create -o refcount_bits=64: same bytes" "images differ"
same "create -o refcount_bits=3: same error" \
    create -f qcow2 -o refcount_bits=3 c3.qcow2 1M
same "create -o refcount_bits=abc: same error" \
    create -f qcow2 -o refcount_bits=abc c3.qcow2 1M
same "create -o refcount_bits=8,compat=0.10: same error" \
    create -f qcow2 -o refcount_bits=8,compat=0.10 c3.qcow2 1M
same "create without size: same error" create -f qcow2 c3.qcow2
same "create with a bad size: same error" create c3.raw 12Q
same "create without -F: same error" create -f qcow2 -b c1.qcow2 c3.qcow2
same "create -f without its argument: same error" create -f
same "an unknown option: same error" convert -X a b
same "info without a file: same error" info
same "check -r with a bad mode: same error" check -r some c1.qcow2
same "an unknown command: same error" frobnicate c1.qcow2
same "no command: same error"
qemu-img create -q -f qcow2 -b c1.qcow2 -F qcow2 back.qcow2
"$img" create -q -f qcow2 -b c1.qcow2 -F qcow2 back2.qcow2
expect_raw data.raw 8M 0 100 0x77 5000 300 0x88
"$img" convert -f raw -O qcow2 data.raw data.qcow2
"$img" convert -f raw -O qcow2 -o refcount_bits=1 data.raw data1.qcow2
"$img" convert -f raw -O qcow2 -o refcount_bits=64,cluster_size=512 \
    data.raw data64.qcow2
qemu-img create -q -f qcow2 -o compat=0.10 v2.qcow2 3M
for f in c1.raw c1.qcow2 c2.qcow2 back.qcow2 back2.qcow2 data.qcow2 v2.qcow2 \
         r1.qcow2 r64.qcow2 data1.qcow2 data64.qcow2; do
    same "info $f: same output" info "$f"
    same "info --output=json $f: same output" info --output=json "$f"
done
for f in c1.qcow2 c2.qcow2 back2.qcow2 data.qcow2 v2.qcow2 r1.qcow2 \
         r64.qcow2 data1.qcow2 data64.qcow2; do
    same "check $f: same output" check "$f"
    same "check --output=json $f: same output" check --output=json "$f"
done
same "check raw: same error" check c1.raw
same "info of a missing file: same error" info nosuch.qcow2
for f in c1.qcow2 c2.qcow2 back2.qcow2 data.qcow2; do
    label="qomu-img's $f passes qemu-img check"
    qemu-img check -q "$f" > check.out 2>&1
    rc=$?
    result "$label" "$([[ $rc == 0 ]] || echo "exit $rc")" check.out
done
label="qomu-img convert raw -> qcow2: qemu-img compare equal"
qemu-img compare -q -f raw -F qcow2 data.raw data.qcow2 > cmp.out 2>&1
result "$label" "$([[ $? == 0 ]] || echo different)" cmp.out
label="qomu-img convert qcow2 (qemu-img's) -> raw: equal"
qemu-img convert -f raw -O qcow2 data.raw qdata.qcow2
"$img" convert -f qcow2 -O raw qdata.qcow2 back.raw > conv.out 2>&1 &&
    cmp -s back.raw data.raw
result "$label" "$([[ $? == 0 ]] || echo different)" conv.out
label="qomu-img convert qcow2 -> qcow2 (probed): qemu-img compare equal"
"$img" convert -O qcow2 qdata.qcow2 q2.qcow2 > conv.out 2>&1 &&
    qemu-img compare -q qdata.qcow2 q2.qcow2 >> conv.out 2>&1
result "$label" "$([[ $? == 0 ]] || echo different)" conv.out

# 4. SIGKILL during write+flush rounds
slots=128 count=8 stride=136 base_lba=64
crash_round() {     # crash_round N
    local n=$1 cs=65536 cache=writeback why='' delay i at p
    (( n % 2 )) && cs=4096
    (( n % 3 == 2 )) && cache=none
    local label="crash $n (cluster_size=$cs, cache=$cache)"
    local pattern=$(( 0x3c000000 + n * 0x100 ))
    rm -f k.qcow2 k.raw
    qemu-img create -q -f qcow2 -o cluster_size=$cs k.qcow2 64M > /dev/null
    : > out
    "$vmm" -machine pc -accel kvm -m 64 -nodefaults -display none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -debugcon stdio -kernel "$elf_dir/ata.elf" \
        -append "op=crash-loop lba=$base_lba count=$count pattern=$pattern slots=$slots stride=$stride" \
        -drive "file=k.qcow2,format=qcow2,if=ide,cache=$cache" \
        < /dev/null > out 2> err &
    vmm_pid=$!
    for ((i = 0; i < 400; i++)); do
        grep -q "ata: op=crash-loop" out && break
        kill -0 "$vmm_pid" 2> /dev/null || break
        sleep 0.025
    done
    # somewhere in the ~0.7 s the 128 rounds take (sometimes after the last)
    delay=$(printf "0.%03d" $((RANDOM % 800)))
    sleep "$delay"
    kill -KILL "$vmm_pid" 2> /dev/null
    wait "$vmm_pid" 2> /dev/null
    vmm_pid=
    local flushed
    flushed=$(sed -n 's/^ata: flushed \([0-9]*\)\.$/\1/p' out)
    qemu-img check k.qcow2 > check.out 2>&1
    local rc=$?
    if ! grep -q "ata: op=crash-loop" out; then
        why="the guest did not start"
    elif [[ $rc != 0 && $rc != 3 ]]; then
        why="qemu-img check: exit $rc (corruption)"
    elif ! qemu-img convert -f qcow2 -O raw k.qcow2 k.raw 2> conv.out; then
        why="qemu-img convert failed"
    else
        why=$($py - "$pattern" $flushed <<EOF
import struct, sys
pattern = int(sys.argv[1])
slots, count, stride, base = $slots, $count, $stride, $base_lba
data = open("k.raw", "rb").read()
for i in map(int, sys.argv[2:]):
    lba = base + (i * 97 % slots) * stride
    p = (pattern + i) & 0xFFFFFFFF
    want = b"".join(struct.pack("<128I", *[(p ^ ((s * 0x9E3779B1) & 0xFFFFFFFF) ^ ((k * 0x85EBCA77) & 0xFFFFFFFF)) & 0xFFFFFFFF for k in range(128)]) for s in range(lba, lba + count))
    if data[lba * 512:(lba + count) * 512] != want:
        print("flushed write %d (lba %d) is not in the image" % (i, lba))
        break
EOF
)
    fi
    local nflushed
    nflushed=$(wc -w <<< "$flushed")
    result "$label: killed after ${delay}s, $nflushed flushes seen, check exit $rc" \
        "$why" check.out err
}
for ((k = 0; k < kills; k++)); do
    crash_round "$k"
done

echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
