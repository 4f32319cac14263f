#!/usr/bin/env bash
# boot.sh - boot Debian's cloud kernel under qomu and watch ttyS0.
#
#   tests/linux/boot.sh [-k bzimage|pvh] [-t SECS] [-s] [-- QOMU-ARGS...]
#   make check-linux               (runs "boot.sh" as a run-tests program)
#
#   -k pvh      boot the uncompressed vmlinux through its PVH note
#               (default: much faster where CPL 0 is emulated, as the
#               decompressor is skipped)
#   -k bzimage  boot the bzImage through the 64-bit entry
#   -t SECS     how long to wait (default 1500: the first driver
#               messages come after 5-10 minutes where CPL 0 is emulated)
#   -s          interactive: the initramfs ends in a busybox shell on
#               ttyS0 (stdin is the terminal); no checks
#
# What it does:
#  1. fetches linux-image-cloud-amd64 and busybox-static with
#     `apt-get download` (Debian's registry) and unpacks them with
#     `dpkg -x` into build/linux/ (kept: later runs reuse them);
#  2. pulls the uncompressed vmlinux out of the bzImage (the payload named
#     by the setup header, decompressed with the host's tool for its
#     format: lz4 for the cloud kernel; gzip/xz/zstd/bzip2/lzma too);
#  3. builds an initramfs: busybox with links for the applets /init uses
#     (never modprobe: the kernel would spawn it), an /init that prints
#     "qomu-linux: userspace reached", then powers off (or starts a shell);
#     a newc cpio archive written by python3 (no cpio package needed),
#     gzip'd;
#  4. boots
#       qomu -machine pc,acpi=off -accel kvm -m 256 -nodefaults
#            -display none -no-reboot -serial stdio
#            -kernel vmlinux -initrd initramfs.gz
#            -append "console=ttyS0 acpi=off noxsave reboot=t panic=-1 ..."
#     and checks that ttyS0 shows, within -t seconds, the banner ("Linux
#     version ...") and the first driver messages: the PCI core probing
#     the i440FX host bridge ("pci 0000:00:00.0: [8086:1237] ...").
#     Later milestones are reported when reached and skipped otherwise:
#     the 8250 driver finding ttyS0, and userspace (/init's line).
# On a host with hardware virtualization the whole boot to userspace takes
# seconds.  Here (GUEST.md: CPL 0 emulated) the banner comes within a
# minute, the first drivers after 5-10 minutes.
#
# Follows scripts/run-tests.sh's protocol: "PASS|FAIL <test>" lines, then
# "check-linux: N passed, N failed"; exit 0, 1, or 77 (skipped: no
# /dev/kvm, or the packages cannot be fetched).
# Environment: QOMU (the binary), LINUX_BUILD_DIR (default build/linux).
set -uo pipefail

name=check-linux
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
qomu=${QOMU:-$top/build/qomu}
dir=${LINUX_BUILD_DIR:-$top/build/linux}
kind=pvh
wait_s=1500
shell=false

usage() {
    echo "usage: $0 [-k bzimage|pvh] [-t SECS] [-s] [-- QOMU-ARGS...]" >&2
    exit 2
}
while getopts k:t:sh opt; do
    case $opt in
    k) kind=$OPTARG ;;
    t) wait_s=$OPTARG ;;
    s) shell=true ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
[[ $kind == pvh || $kind == bzimage ]] || usage

skip() { echo "$name: skipped: $*"; exit 77; }
die() { echo "$name: $*" >&2; echo "$name: 0 passed, 1 failed"; exit 1; }

[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not accessible"
[[ -x $qomu ]] || die "$qomu not built (make)"

# --- 1. the packages -------------------------------------------------------
mkdir -p "$dir/debs" "$dir/root"
fetch() {       # fetch PACKAGE: its .deb in $dir/debs (apt-get download)
    ls "$dir/debs/$1"_*.deb > /dev/null 2>&1 && return 0
    (cd "$dir/debs" && apt-get download "$1" > /dev/null 2>&1) && return 0
    # An old or missing package list: refresh it once (as root).
    if [[ $(id -u) == 0 && -z ${apt_updated:-} ]]; then
        apt_updated=1
        apt-get update > /dev/null 2>&1
        (cd "$dir/debs" && apt-get download "$1" > /dev/null 2>&1) && return 0
    fi
    return 1
}
fetch linux-image-cloud-amd64 || skip "apt-get download linux-image-cloud-amd64 failed"
# The meta package names the real one: linux-image-6.1.0-N-cloud-amd64.
image_pkg=$(dpkg-deb -f "$(ls "$dir"/debs/linux-image-cloud-amd64_*.deb | tail -1)" Depends |
            grep -o 'linux-image-[0-9][^ ,]*-cloud-amd64' | head -1)
[[ -n $image_pkg ]] || die "cannot tell which kernel linux-image-cloud-amd64 depends on"
fetch "$image_pkg" || skip "apt-get download $image_pkg failed"
fetch busybox-static || skip "apt-get download busybox-static failed"
for deb in "$dir"/debs/"$image_pkg"_*.deb "$dir"/debs/busybox-static_*.deb; do
    stamp="$dir/root/.$(basename "$deb").unpacked"
    [[ -f $stamp ]] || { dpkg -x "$deb" "$dir/root" && touch "$stamp"; } ||
        die "dpkg -x $deb failed"
done
bzimage=$(ls "$dir"/root/boot/vmlinuz-*-cloud-amd64 | tail -1)
[[ -f $bzimage ]] || die "no vmlinuz in $image_pkg"

# --- 2. vmlinux out of the bzImage ----------------------------------------
vmlinux=$dir/vmlinux
if [[ ! -s $vmlinux || $vmlinux -ot $bzimage ]]; then
    # The compressed payload: setup header payload_offset/payload_length
    # (boot protocol 2.08+), from the end of the setup sectors.
    read -r magic off len < <(/usr/bin/python3 - "$bzimage" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
setup = ((d[0x1f1] or 4) + 1) * 512
off, length = struct.unpack_from("<II", d, 0x248)
p = d[setup + off:setup + off + 6]
print(p.hex(), setup + off, length)
PY
)
    case $magic in
    1f8b*)          tool="gzip -dc" ;;
    fd377a585a00)   tool="xz -dc" ;;
    28b52ffd*)      tool="zstd -dc" ;;
    02214c18*)      tool="lz4 -dc" ;;
    425a68*)        tool="bzip2 -dc" ;;
    5d0000*)        tool="xz -dc --format=lzma" ;;
    *)              die "unknown compression of the kernel payload (magic $magic)" ;;
    esac
    if ! command -v "${tool%% *}" > /dev/null; then
        pkg=${tool%% *}; [[ $pkg == xz ]] && pkg=xz-utils
        [[ $(id -u) == 0 ]] && apt-get install -y "$pkg" > /dev/null 2>&1
        command -v "${tool%% *}" > /dev/null || skip "${tool%% *} not installed (apt-get install $pkg)"
    fi
    # The payload is followed by the kernel's own data: decompressors stop
    # at their stream's end (lz4 may complain about the rest: ignored).
    tail -c +$((off + 1)) "$bzimage" | head -c "$len" | $tool > "$vmlinux.tmp" 2> /dev/null
    [[ $(head -c 4 "$vmlinux.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
        die "the decompressed payload is not an ELF file"
    mv -f "$vmlinux.tmp" "$vmlinux"
fi

# --- 3. the initramfs --------------------------------------------------------
initramfs=$dir/initramfs.gz
/usr/bin/python3 - "$dir/root/bin/busybox" "$initramfs" <<'PY' || die "initramfs failed"
import gzip, os, sys, time
busybox, out = sys.argv[1], sys.argv[2]
init = b"""#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "qomu-linux: userspace reached"
cat /proc/version
if grep -q qomu.shell /proc/cmdline; then
    exec setsid cttyhack sh
fi
# -no-reboot: a reboot ends the VMM (reboot=t: through a triple fault).
reboot -f
"""
applets = ["sh", "mount", "echo", "cat", "grep", "reboot", "setsid",
           "cttyhack", "ls", "dmesg", "uname", "poweroff", "ps", "mkdir"]
ino = [0]
def entry(name, mode, data=b"", nlink=1, rdev=(0, 0)):
    """One newc member: header, name, data, each padded to 4 bytes."""
    ino[0] += 1
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino[0], mode, 0, 0, nlink, int(time.time()), len(data), 0, 0,
        rdev[0], rdev[1], len(name_b), 0))
    b = hdr.encode() + name_b
    b += b"\0" * (-len(b) % 4) + data
    return b + b"\0" * (-len(b) % 4)
arc = b""
for d in ("bin", "dev", "proc", "sys", "tmp"):
    arc += entry(d, 0o40755, nlink=2)
# The console (5:1), for the kernel's first open before devtmpfs.
arc += entry("dev/console", 0o20600, rdev=(5, 1))
arc += entry("bin/busybox", 0o100755, open(busybox, "rb").read())
for a in applets:
    arc += entry("bin/" + a, 0o120777, b"busybox")
arc += entry("init", 0o100755, init)
arc += entry("TRAILER!!!", 0)
with gzip.open(out, "wb", compresslevel=6) as f:
    f.write(arc + b"\0" * (-len(arc) % 512))
PY

# --- 4. boot -------------------------------------------------------------------
if [[ $kind == pvh ]]; then kernel=$vmlinux; else kernel=$bzimage; fi
# earlyprintk=ttyS0: the banner as soon as the kernel prints it (the
# console proper starts much later); noxsave: KVM's emulator stalls on
# xrstor here (GUEST.md); tsc=reliable spares the clocksource watchdog;
# reboot=t panic=-1: a reboot or a panic ends the VMM (-no-reboot).
append="console=ttyS0 earlyprintk=ttyS0 acpi=off noxsave tsc=reliable reboot=t panic=-1"
$shell && append+=" qomu.shell"
cmd=("$qomu" -machine pc,acpi=off -accel kvm -m 256 -nodefaults
     -display none -no-reboot -serial stdio
     -kernel "$kernel" -initrd "$initramfs" -append "$append" "$@")
if $shell; then
    echo "+ ${cmd[*]}" >&2
    exec "${cmd[@]}"
fi

log=$dir/console-$kind.log
"${cmd[@]}" < /dev/null > "$log" 2> "$log.err" &
pid=$!
start=$SECONDS
banner_t='' driver_t='' serial_t='' user_t=''
while (( SECONDS - start < wait_s )); do
    sleep 1
    t=$((SECONDS - start))
    [[ -z $banner_t ]] && grep -q '^\[ *[0-9.]*\] Linux version ' "$log" && banner_t=$t
    # The first drivers: PCI probes the host bridge; later the 8250
    # driver finds ttyS0.
    [[ -z $driver_t ]] && grep -q 'pci 0000:00:00.0: \[8086:1237\]' "$log" && driver_t=$t
    [[ -z $serial_t ]] && grep -q 'serial8250: ttyS0 at I/O 0x3f8' "$log" && serial_t=$t
    [[ -z $user_t ]] && grep -q '^qomu-linux: userspace reached' "$log" && user_t=$t
    [[ -n $user_t ]] && break
    kill -0 "$pid" 2> /dev/null || break
    # A stopped VM (qomu, like QEMU, pauses on an internal error).
    grep -q '^KVM internal error' "$log.err" && break
done
kill "$pid" 2> /dev/null
wait "$pid" 2> /dev/null

pass=0 fail=0
result() {      # result TEST SECONDS-OR-EMPTY WHAT
    if [[ -n $2 ]]; then
        echo "PASS $1 (${2} s)"
        pass=$((pass + 1))
    else
        echo "FAIL $1: no $3 within ${wait_s} s (console: $log)"
        fail=$((fail + 1))
    fi
}
echo "console ($log):"
grep -E 'Linux version|Command line|PCI host bridge|pci 0000:00:00.0: \[|serial8250|Run /init|qomu-linux|Kernel panic|KVM internal' "$log" "$log.err" | head -20 | sed 's/^/    /'
result linux/$kind/banner "$banner_t" '"Linux version" banner'
result linux/$kind/drivers "$driver_t" 'PCI probe of 00:00.0 (the first driver messages)'
milestone() {   # milestone TEST SECONDS-OR-EMPTY: passed if reached
    if [[ -n $2 ]]; then
        echo "PASS $1 (${2} s)"
        pass=$((pass + 1))
    else
        echo "$name: skipped $1: not reached in ${wait_s} s (expected where CPL 0 is emulated)"
    fi
}
milestone linux/$kind/serial8250 "$serial_t"
milestone linux/$kind/userspace "$user_t"
echo "$name: $pass passed, $fail failed"
[[ $fail == 0 ]]
