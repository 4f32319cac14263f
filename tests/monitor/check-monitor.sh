#!/usr/bin/env bash
# check-monitor.sh - the monitor end to end: build/qomu with -qmp and
# -monitor on Unix sockets, driven with socat (the transcript a QMP user
# sees) and with tests/monitor/qmp-client.py (what QEMU's Python QMP
# library and qmp-shell do); the "Done when" of the monitor issue.
#
#   tests/monitor/check-monitor.sh     (or build/tests/monitor/check-monitor)
#
# Follows scripts/run-tests.sh's protocol: "PASS|FAIL <test>" lines, then
# "check-monitor: N passed, N failed"; exit 0, 1, or 77 (skipped: no
# socat).  Uses KVM when /dev/kvm is usable, else the dummy accelerator.
# Environment: QOMU (the binary, default build/qomu).
set -uo pipefail

name=check-monitor
here=$(cd "$(dirname "$0")" && pwd)
qomu=${QOMU:-$(cd "$here/../.." && pwd)/build/qomu}

command -v socat > /dev/null ||
    { echo "$name: skipped: socat not found (apt-get install socat)"; exit 77; }
[[ -x $qomu ]] || { echo "$name: skipped: $qomu not built"; exit 77; }
accel=dummy
[[ -r /dev/kvm && -w /dev/kvm ]] && accel=kvm

tmp=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
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

# start ACCEL: qomu with a QMP and an HMP socket; wait for both.
start() {
    rm -f "$tmp/q.sock" "$tmp/h.sock"
    "$qomu" -machine pc -accel "$1" -smp 2 -S -nodefaults \
        -qmp unix:"$tmp/q.sock",server=on,wait=off \
        -monitor unix:"$tmp/h.sock",server,nowait > "$tmp/out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        [[ -S $tmp/q.sock && -S $tmp/h.sock ]] && return 0
        sleep 0.05
    done
    return 1
}

# qmp REQUESTS...: send them (one per line) on a fresh connection,
# print what came back; stays connected ~1 s for events and replies.
qmp() {
    { printf '%s\n' "$@"; sleep 1; } |
        socat -t 2 - UNIX-CONNECT:"$tmp/q.sock" | tr -d '\r'
}

hmp() {
    { printf '%s\n' "$@"; sleep 1; } |
        socat -t 2 - UNIX-CONNECT:"$tmp/h.sock" |
        sed 's/\x1b\[[0-9]*[A-Z]//g' | tr -d '\r'
}

# --- the session of the issue's "Done when" (KVM if usable) ---
if ! start $accel; then
    result start "qomu did not create its sockets: $(cat "$tmp/out")"
    echo "$name: $pass passed, $fail failed"
    exit 1
fi
mode=$(stat -c %a "$tmp/q.sock")
result socket-mode "$([[ $mode == 600 ]] || echo "mode $mode, not 600")"

out=$(qmp '{"execute":"qmp_capabilities"}' \
          '{"execute":"qom-list","arguments":{"path":"/machine"}}' \
          '{"execute":"query-cpus-fast","id":"cpus"}')
greeting='{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "qomu 0.1"}, "capabilities": []}}'
result greeting "$([[ $(sed -n 1p <<< "$out") == "$greeting" ]] || echo "got: $(sed -n 1p <<< "$out")")"
result negotiate "$([[ $(sed -n 2p <<< "$out") == '{"return": {}}' ]] || echo "got: $(sed -n 2p <<< "$out")")"
list=$(sed -n 3p <<< "$out")
result qom-list "$(grep -q '{"name": "unattached", "type": "child<container>"}' <<< "$list" || echo "got: $list")"
cpus=$(sed -n 4p <<< "$out")
tids=$(grep -o '"thread-id": [0-9]*, "props"' <<< "$cpus" | grep -o '[0-9]*')
ok=
[[ $(wc -w <<< "$tids") == 2 ]] || ok="got: $cpus"
for t in $tids; do
    [[ -d /proc/$pid/task/$t ]] || ok="thread $t is not a thread of qomu"
done
result query-cpus-fast-thread-ids "$ok"
path0=$(grep -o '"qom-path": "[^"]*"' <<< "$cpus" | head -1 | cut -d'"' -f4)

out=$(qmp '{"execute":"qmp_capabilities"}' \
          "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$path0\",\"property\":\"realized\"}}" \
          '{"execute":"qom-set","arguments":{"path":"/machine","property":"graphics","value":false}}' \
          '{"execute":"qom-get","arguments":{"path":"/machine","property":"graphics"}}' \
          '{"execute":"query-status"}')
expect='{"return": {}}
{"return": true}
{"return": {}}
{"return": false}
{"return": {"status": "prelaunch", "singlestep": false, "running": false}}'
got=$(tail -n +2 <<< "$out")
result get-set "$([[ $got == "$expect" ]] || printf 'got:\n%s' "$got")"

# --- HMP on the same VMM ---
out=$(hmp 'info status' 'info cpus' 'info qtree' 'info qom-tree' 'info mtree')
result hmp-banner "$(grep -q "^QEMU 7.2.0 monitor - type 'help' for more information$" <<< "$out" || echo "$out" | head -3)"
result hmp-info-status "$(grep -qx 'VM status: paused (prelaunch)' <<< "$out" || echo "no status line")"
result hmp-info-cpus "$(grep -qE '^\* CPU #0: thread_id=[0-9]+$' <<< "$out" &&
                       grep -qE '^  CPU #1: thread_id=[0-9]+$' <<< "$out" || echo "no cpu lines")"
result hmp-info-qtree "$(grep -qx 'bus: main-system-bus' <<< "$out" &&
                         grep -qx '  type System' <<< "$out" || echo "no qtree")"
result hmp-info-qom-tree "$(grep -q '^/machine (pc-i440fx-7.2-machine)$' <<< "$out" || echo "no qom-tree")"
result hmp-info-mtree "$(grep -qx 'address-space: memory' <<< "$out" || echo "no mtree")"

out=$(qmp '{"execute":"qmp_capabilities"}' '{"execute":"quit"}')
kill -0 "$pid" 2> /dev/null && sleep 0.5
wait "$pid"
status=$?
pid=
result quit "$([[ $status == 0 ]] || echo "exit status $status")"
result quit-transcript "$([[ $(sed 's/^{"timestamp": {[^}]*}, //' <<< "$out" | tail -n 2) == '"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}
{"return": {}}' ]] || echo "got: $out")"
result socket-removed "$([[ ! -e $tmp/q.sock ]] || echo "socket left behind")"

# --- run state (the dummy accelerator: without firmware a KVM guest
# would run into an internal error and stop by itself) ---
start dummy || result start-dummy "no sockets: $(cat "$tmp/out")"
out=$(qmp '{"execute":"qmp_capabilities"}' '{"execute":"cont"}' \
          '{"execute":"stop"}' '{"execute":"system_reset"}' \
          '{"execute":"query-status"}')
expect='"event": "RESUME"}
{"return": {}}
"event": "STOP"}
{"return": {}}
"event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}
{"return": {}}
{"return": {"status": "prelaunch", "singlestep": false, "running": false}}'
got=$(sed 's/^{"timestamp": {[^}]*}, //' <<< "$out" | tail -n +3)
result stop-cont-reset "$([[ $got == "$expect" ]] || printf 'got:\n%s' "$got")"

# --- QEMU's Python client, mirrored (it ends with quit) ---
if command -v /usr/bin/python3 > /dev/null; then
    out=$(/usr/bin/python3 "$here/qmp-client.py" "$tmp/q.sock" 2>&1)
    result python-client "$([[ $(tail -1 <<< "$out") == ok ]] || echo "$out")"
fi

# quit (from the client above): the VMM exits with status 0
for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2> /dev/null; then
    result python-client-quit "qomu still running"
else
    wait "$pid"
    status=$?
    result python-client-quit "$([[ $status == 0 ]] || echo "exit status $status")"
    pid=
fi

# --- block devices: query-block and info block for -drive if=none in
# several cache modes, read-only, an empty CD-ROM drive, against QEMU
# 7.2's answers for the same command line (block-qemu-7.2.txt: Debian's
# qemu-system-x86_64 -qmp stdio given the requests below, node names'
# digits removed: QEMU's are partly random).  The images live on a disk
# filesystem (cache=none needs O_DIRECT). ---
imgdir=$(mktemp -d /var/tmp/qomu-mon-XXXXXX 2> /dev/null || mktemp -d)
(cd "$imgdir" && truncate -s 1M a.img b.img c.img d.img e.img)
blockreqs=(
    '{"execute":"qmp_capabilities"}'
    '{"execute":"query-block"}'
)
for c in 'info block' 'info block -v d3' 'info block -n' 'info block cd0' \
         'info block -v' 'info block -n -v d4' 'info block nosuch' \
         'info block -x' 'help info block'; do
    blockreqs+=("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"$c\"}}")
done
blockreqs+=('{"execute":"quit"}')
# run_block ARGS...: qomu (run in $imgdir) with -qmp stdio given
# blockreqs; its answers without events, node names' digits removed.
# (The end of input is read only once every request is answered.)
run_block() {
    printf '%s\n' "${blockreqs[@]}" |
        (cd "$imgdir" && timeout 20 "$qomu" -M pc -accel dummy -S \
             -display none -nodefaults -qmp stdio "$@" 2> "$tmp/block-err") |
        tr -d '\r' | sed -E 's/#block[0-9]+/#block/g' |
        grep -v '^{"QMP"\|^{"timestamp"'
}
# (the golden file keeps QEMU's \r\n inside the HMP strings; tr -d '\r'
# above only drops the line ends' \r)
out=$(run_block -drive file=a.img,format=raw,if=none,id=d0 \
          -drive file=b.img,format=raw,if=none,id=d1,cache=none \
          -drive file=c.img,format=raw,if=none,id=d2,cache=writethrough,readonly=on \
          -drive file=d.img,format=raw,if=none,id=d3,cache=directsync \
          -drive file=e.img,format=raw,if=none,id=d4,cache=unsafe,detect-zeroes=on \
          -drive if=none,id=cd0,media=cdrom)
expect=$(cat "$here/block-qemu-7.2.txt")
result block-query-and-info "$([[ $out == "$expect" ]] ||
    { diff <(echo "$expect") <(echo "$out") | head -20; cat "$tmp/block-err"; })"

# snapshot=on: a temporary qcow2 overlay, as QEMU prints it
out=$(run_block -drive file=a.img,format=raw,if=none,id=d0,snapshot=on)
info=$(sed -n 3p <<< "$out")
want='{"return": "d0 (#block): json:{\"backing\": {\"driver\": \"raw\", \"file\": {\"driver\": \"file\", \"filename\": \"a.img\"}}, \"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\": \"/var/tmp/vl.'
tail='} (qcow2)\r\n    Removable device: not locked, tray closed\r\n    Cache mode:       writeback, ignore flushes\r\n    Backing file:     a.img (chain depth: 1)\r\n"}'
result block-snapshot "$([[ $info == "$want"* && $info == *"$tail" ]] || echo "got: $info")"
query=$(sed -n 2p <<< "$out")
result block-snapshot-query "$(grep -q '"backing_file_depth": 1, "drv": "qcow2", .*"backing_file": "a.img", .*"cache": {"no-flush": true, "direct": false, "writeback": true}' <<< "$query" || echo "got: $query")"

# --- info qtree for virtio-blk-pci, with and without an iothread, as
# QEMU 7.2 prints it (virtio-qtree-qemu-7.2.txt: its lines from the first
# virtio-blk-pci to the next device, for the same command line) ---
qtree=$(echo '{"execute":"qmp_capabilities"}{"execute":"human-monitor-command","arguments":{"command-line":"info qtree"}}{"execute":"quit"}' |
        (cd "$imgdir" && timeout 20 "$qomu" -M pc -accel dummy -S -display none \
             -nodefaults -qmp stdio -drive file=a.img,if=none,id=d0,format=raw \
             -device virtio-blk-pci,drive=d0 -object iothread,id=io0 \
             -drive file=b.img,if=none,id=d1,format=raw \
             -device virtio-blk-pci,drive=d1,iothread=io0 2> /dev/null) |
        grep '^{"return": "' | sed 's/^{"return": "//; s/"}\r$//' |
        sed 's/\\r\\n/\n/g; s/\\"/"/g' |
        awk '/dev: virtio-blk-pci/{p=1} /dev: piix3-ide/{p=0} p')
result virtio-qtree "$([[ $qtree == "$(cat "$here/virtio-qtree-qemu-7.2.txt")" ]] ||
    diff <(cat "$here/virtio-qtree-qemu-7.2.txt") <(echo "$qtree") | head -20)"
rm -rf "$imgdir"

# --- object-add/object-del and HMP object_add/object_del: iothreads made
# and deleted at run time, the main-loop object, every error path, as
# QEMU 7.2 answers the same requests (objects-qemu-7.2.txt; thread ids
# and events left out) ---
out=$(timeout 20 "$qomu" -machine none -display none -qmp stdio \
          < "$here/objects-requests.txt" 2> /dev/null | tr -d '\r' |
      sed -E 's/"thread-id": [0-9]+/"thread-id": N/g; s/thread_id=[0-9]+/thread_id=N/g' |
      grep -v '^{"QMP"\|^{"timestamp"')
result object-add-del "$([[ $out == "$(cat "$here/objects-qemu-7.2.txt")" ]] ||
    diff "$here/objects-qemu-7.2.txt" <(echo "$out") | head -20)"
# (QEMU lists its own many types here; qomu's are its own)
out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
          '{"execute":"human-monitor-command","arguments":{"command-line":"object_add help"}}' |
      timeout 20 "$qomu" -machine none -display none -qmp stdio 2> /dev/null |
      sed -n 3p)
result object-add-help "$([[ $out == '{"return": "List of user creatable objects:\r\n  iothread\r\n  main-loop\r\n"}'* ]] ||
    echo "got: $out")"

# --- a malformed flood does not hurt: the VMM keeps answering ---
if start dummy; then
    # (a client that sends and never reads stalls itself, not the VMM:
    # this one reads and discards its error replies)
    head -c 300000 /dev/urandom |
        socat -t 2 - UNIX-CONNECT:"$tmp/q.sock" > /dev/null 2>&1
    out=$(qmp '{"execute":"qmp_capabilities"}' '{"execute":"query-kvm"}')
    result no-glib-warnings "$(! grep -q GLib "$tmp/out" || grep GLib "$tmp/out" | head -3)"
    result garbage-then-query "$(grep -q '"present": true' <<< "$out" || echo "got: $out")"
    kill "$pid"; wait "$pid" 2> /dev/null; pid=
fi

# --- -qmp stdio given all its input at once: every command is answered
# before the end of input is seen; events still go out after it (QEMU;
# stdio lines end in CRLF, as QEMU's) ---
out=$(echo '{"execute":"qmp_capabilities"}{"execute":"query-status"}{"execute":"quit"}' |
      timeout 20 "$qomu" -M none -display none -nodefaults -qmp stdio 2> /dev/null |
      tr -d '\r' | sed 's/^{"timestamp": {[^}]*}, //')
expect='{"return": {}}
{"return": {"status": "running", "singlestep": false, "running": true}}
"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}
{"return": {}}'
result stdio-eof-answered "$([[ $(tail -n +2 <<< "$out") == "$expect" ]] || printf 'got:\n%s' "$out")"
out=$(echo '{"execute":"qmp_capabilities"}' |
      timeout 2 "$qomu" -M none -display none -nodefaults -qmp stdio 2> /dev/null |
      tr -d '\r' | sed 's/^{"timestamp": {[^}]*}, //')
result stdio-eof-events "$([[ $(tail -n 1 <<< "$out") == '"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-signal"}}' ]] || printf 'got:\n%s' "$out")"

echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
