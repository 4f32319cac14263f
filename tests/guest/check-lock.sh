#!/usr/bin/env bash
# check-lock.sh - image locking against Debian's QEMU 7.2: both hold the
# same OFD lock bytes (block/file-posix.c), so each refuses an image the
# other uses incompatibly, with QEMU's own messages.
# (build/tests/guest/check-lock)
#
# 1. Same lock bytes (/proc/locks) as qemu-system-x86_64 for -drive alone,
#    a virtio-blk device rw / read-only / share-rw=on, ide-hd, qcow2,
#    snapshot=on, file.locking=off.
# 2. One process, two drives on one image (rw + read-only): qomu's
#    message is QEMU's.
# 3. qemu-io holding the image rw / qemu-system-x86_64 -S with a device:
#    qomu refuses with QEMU's message; locking=off and share-rw=on work.
# 4. qomu -S holding a qcow2 image: `qemu-img info` and `qemu-io` are
#    refused with their own messages, `qemu-img info -U` works; same for
#    qomu-img against qemu-system-x86_64.
# 5. qemu-system-x86_64 -S holding a raw image: `qomu-img create` and
#    `convert` onto it (raw, qcow2) are refused as qemu-img's are, and
#    the image is unchanged.
#
# run-tests.sh protocol: "PASS|FAIL <case>", "check-lock: N passed, N
# failed"; exit 0, 1 or 77 (skipped: no KVM, no QEMU).
set -uo pipefail

name=check-lock
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vmm=$(realpath "${QOMU:-$top/build/qomu}")
img=$(realpath "${QOMU_IMG:-$(dirname "$vmm")/qomu-img}")
qemu=qemu-system-x86_64

source "$here/check-lib.sh"
need_kvm
[[ -x $vmm ]] || skip "$vmm not built yet"
[[ -x $img ]] || skip "$img not built yet"
for t in $qemu qemu-img qemu-io; do
    command -v $t > /dev/null || skip "no $t"
done

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2> /dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; printf '  %s\n' "$@"; failed=$((failed + 1)); }

opts=(-M pc -accel kvm -S -display none -nodefaults)
qemu-img create -q -f raw r.img 1M
qemu-img create -q -f qcow2 q.qcow2 1M
ino_r=$(stat -c %i r.img)
ino_q=$(stat -c %i q.qcow2)

# The OFD lock bytes on r.img and q.qcow2, sorted (/proc/locks is the
# whole host's: other files are not ours)
locks() {
    awk -v a="$ino_r" -v b="$ino_q" '$2 == "OFDLCK" {
        split($6, x, ":");
        if (x[3] == a) print "r:" $7 "-" $8;
        if (x[3] == b) print "q:" $7 "-" $8 }' /proc/locks | sort | tr '\n' ' '
}

# Start a VMM ("$@") in the background, with QMP on stdio, and wait for
# its answer to query-status: the main loop runs, the devices are there.
# Other programs (qemu-io): until their locks on the images are there.
# Sets $bg.  The write end of its stdin stays open (fd leaked on
# purpose) so that it does not see EOF.
nstart=0
start() {
    local out=$tmp/out.$nstart in=$tmp/in.$nstart fd
    nstart=$((nstart + 1))
    case $1 in
    */qomu|$qemu)
        mkfifo "$in"
        exec {fd}<> "$in"
        "$@" -qmp stdio < "$in" > "$out" 2> /dev/null &
        bg=$!
        pids+=("$bg")
        printf '%s\n' '{"execute":"qmp_capabilities"}' \
            '{"execute":"query-status"}' >&$fd
        for _ in $(seq 250); do
            grep -q '"status"' "$out" 2> /dev/null && return
            kill -0 "$bg" 2> /dev/null || return
            sleep 0.02
        done
        ;;
    *)
        # interactive (qemu-io): stdin open, nothing on it
        mkfifo "$in"
        exec {fd}<> "$in"
        "$@" < "$in" > /dev/null 2>&1 &
        bg=$!
        pids+=("$bg")
        for _ in $(seq 100); do
            [[ -n $(locks) ]] && return
            sleep 0.02
        done
        ;;
    esac
}
stop() {
    kill "$bg" 2> /dev/null
    wait "$bg" 2> /dev/null
}

# Expected message for a refused -device/open, minus the program name
msg_shared_w() { printf '%s: Failed to get shared "write" lock\nIs another process using the image [%s]?' "$1" "$2"; }
msg_w() { printf '%s: Failed to get "write" lock\nIs another process using the image [%s]?' "$1" "$2"; }

# Run a VMM that must fail at once; its stderr minus warnings
run_err() {
    timeout 10 "$@" 2>&1 > /dev/null | grep -v ': warning: '
}

# 1. lock bytes
bytes_case() {
    local label=$1
    shift
    start $qemu "${opts[@]}" "$@"
    local want=$(locks)
    stop
    start "$vmm" "${opts[@]}" "$@"
    local got=$(locks)
    stop
    if [[ $got == "$want" ]]; then
        pass "bytes/$label"
    else
        fail "bytes/$label" "qemu: $want" "qomu: $got"
    fi
}
bytes_case drive-only -drive file=r.img,if=none,id=d0,format=raw
bytes_case virtio-rw -drive file=r.img,if=none,id=d0,format=raw \
    -device virtio-blk-pci,drive=d0
bytes_case virtio-ro -drive file=r.img,if=none,id=d0,format=raw,readonly=on \
    -device virtio-blk-pci,drive=d0
bytes_case share-rw -drive file=r.img,if=none,id=d0,format=raw \
    -device virtio-blk-pci,drive=d0,share-rw=on
bytes_case ide-hd -drive file=r.img,if=ide,format=raw
bytes_case qcow2 -drive file=q.qcow2,if=none,id=d0 \
    -device virtio-blk-pci,drive=d0
bytes_case snapshot -drive file=r.img,if=none,id=d0,format=raw,snapshot=on \
    -device virtio-blk-pci,drive=d0
bytes_case locking-off \
    -drive file=r.img,if=none,id=d0,format=raw,file.locking=off \
    -device virtio-blk-pci,drive=d0

# 2. one process, two drives
two=(-drive file=r.img,if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0
     -drive file=r.img,if=none,id=d1,format=raw,readonly=on
     -device virtio-blk-pci,drive=d1)
want=$(run_err $qemu "${opts[@]}" "${two[@]}" | sed 's/^qemu-system-x86_64: //')
got=$(run_err "$vmm" "${opts[@]}" "${two[@]}" | sed 's/^qomu: //')
exp=$(msg_shared_w "-device virtio-blk-pci,drive=d1" r.img)
if [[ $got == "$exp" && $want == "$exp" ]]; then
    pass same-process
else
    fail same-process "qemu: $want" "qomu: $got"
fi

# 3. QEMU holds the image, qomu is refused
dev=(-drive file=r.img,if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0)
start qemu-io -f raw r.img
got=$(run_err "$vmm" "${opts[@]}" "${dev[@]}" | sed 's/^qomu: //')
exp=$(msg_w "-device virtio-blk-pci,drive=d0" r.img)
stop
# qemu-io shares everything (bytes 100-101): the device may write, but
# it does not share writing with qemu-io
exp2=$(msg_shared_w "-device virtio-blk-pci,drive=d0" r.img)
if [[ $got == "$exp2" ]]; then
    pass qemu-io-holds
else
    fail qemu-io-holds "want: $exp2" "got: $got"
fi

start $qemu "${opts[@]}" "${dev[@]}"
got=$(run_err "$vmm" "${opts[@]}" "${dev[@]}" | sed 's/^qomu: //')
if [[ $got == "$exp" ]]; then
    pass qemu-holds
else
    fail qemu-holds "want: $exp" "got: $got"
fi
# locking=off and share-rw=on (the holder does not share write: only
# locking=off gets past it)
# Start a second VMM that must keep running; $bg2
start2() {
    local bg1=$bg
    start "$@"
    bg2=$bg
    bg=$bg1
    kill -0 "$bg2" 2> /dev/null
}
if start2 "$vmm" "${opts[@]}" \
    -drive file=r.img,if=none,id=d0,format=raw,file.locking=off \
    -device virtio-blk-pci,drive=d0; then
    pass qemu-holds/locking-off
else
    fail qemu-holds/locking-off "qomu exited"
fi
kill $bg2 2> /dev/null; wait $bg2 2> /dev/null
stop

start $qemu "${opts[@]}" -drive file=r.img,if=none,id=d0,format=raw \
    -device virtio-blk-pci,drive=d0,share-rw=on
if start2 "$vmm" "${opts[@]}" -drive file=r.img,if=none,id=d0,format=raw \
    -device virtio-blk-pci,drive=d0,share-rw=on; then
    pass share-rw-both
else
    fail share-rw-both "qomu exited"
fi
kill $bg2 2> /dev/null; wait $bg2 2> /dev/null
stop

# 4. qomu holds a qcow2 image: QEMU's tools are refused with their own
# messages; -U works
start "$vmm" "${opts[@]}" -drive file=q.qcow2,if=none,id=d0 \
    -device virtio-blk-pci,drive=d0
got=$(qemu-img info q.qcow2 2>&1)
rc=$?
exp="qemu-img: Could not open 'q.qcow2': $(msg_shared_w x q.qcow2 | sed 's/^x: //')"
if [[ $rc == 1 && $got == "$exp" ]]; then
    pass qemu-img-refused
else
    fail qemu-img-refused "rc=$rc" "$got"
fi
got=$(qemu-io -c 'read 0 512' q.qcow2 2>&1)
exp="qemu-io: can't open device q.qcow2: $(msg_w x q.qcow2 | sed 's/^x: //')"
if [[ $got == "$exp" ]]; then
    pass qemu-io-refused
else
    fail qemu-io-refused "$got"
fi
if qemu-img info -U q.qcow2 > /dev/null 2>&1; then
    pass qemu-img-U
else
    fail qemu-img-U "qemu-img info -U failed"
fi
stop

# ... and qomu-img against QEMU, same messages
start $qemu "${opts[@]}" -drive file=q.qcow2,if=none,id=d0 \
    -device virtio-blk-pci,drive=d0
want=$(qemu-img info q.qcow2 2>&1 | sed 's/^qemu-img: //')
got=$("$img" info q.qcow2 2>&1)
rc=$?
got=${got#qomu-img: }
if [[ $rc == 1 && $got == "$want" ]]; then
    pass qomu-img-refused
else
    fail qomu-img-refused "rc=$rc" "qemu: $want" "qomu: $got"
fi
want=$(qemu-img info -U q.qcow2 2>&1)
got=$("$img" info -U q.qcow2 2>&1)
if [[ $got == "$want" ]]; then
    pass qomu-img-U
else
    fail qomu-img-U "qemu: $want" "qomu: $got"
fi
if "$img" check -U q.qcow2 > /dev/null 2>&1; then
    pass qomu-img-check-U
else
    fail qomu-img-check-U "qomu-img check -U failed"
fi
stop

# 5. create and convert onto an image a VM uses: refused before the file
# is truncated (QEMU's raw_co_create takes the lock bytes first), with
# qemu-img's words and status; the VM's image is left as it was
qemu-img create -q -f raw src.img 1M
start $qemu "${opts[@]}" -drive file=r.img,if=none,id=d0,format=raw \
    -device virtio-blk-pci,drive=d0
before=$(md5sum < r.img)
for cmd in "create -f raw r.img 2M" "create -f qcow2 r.img 1M" \
           "convert -O raw src.img r.img" "convert -O qcow2 src.img r.img"; do
    # shellcheck disable=SC2086
    want=$(qemu-img $cmd 2>&1; echo "rc=$?")
    # shellcheck disable=SC2086
    got=$("$img" $cmd 2>&1; echo "rc=$?")
    if [[ ${got//qomu-img: /} == "${want//qemu-img: /}" &&
          $(md5sum < r.img) == "$before" ]]; then
        pass "qomu-img-${cmd%% *}-refused ($cmd)"
    else
        fail "qomu-img-${cmd%% *}-refused ($cmd)" "qemu: $want" "qomu: $got"
    fi
done
stop

echo "$name: $passed passed, $failed failed"
[[ $failed == 0 ]]
