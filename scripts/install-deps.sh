#!/usr/bin/env bash
# install-deps.sh - make sure the Debian packages qomu needs are installed.
#
# Checks every package with dpkg-query. If some are missing: as root, runs
# "apt-get update" once and installs them; otherwise prints the apt-get
# command to run and exits 1. Prints nothing when everything is installed.
# The Makefile runs this before the first build (stamp build/.deps-ok) and
# on "make deps".
#
# Environment (for testing this script without touching the system):
#   QOMU_DEPS_PACKAGES  space-separated list replacing the one below
#   QOMU_DEPS_DRY_RUN=1 print the apt-get commands instead of running them
set -euo pipefail

packages=(
    gcc make libc6-dev pkg-config   # toolchain
    libglib2.0-dev                  # glib-2.0, gthread-2.0; gobject-2.0 for bench/
    libjson-glib-dev                # json-glib-1.0: the QMP codec
    liburing-dev                    # liburing: the io_uring block engine
    libcunit1-dev                   # CUnit: tests/unit/
    python3-kconfiglib              # Kconfig: make defconfig, menuconfig
    qemu-system-x86                 # QEMU: reference for guest tests and bench/
    qemu-utils                      # qemu-img: disk images for tests
    zlib1g-dev                      # zlib: qcow2 compressed clusters
    socat                           # tests/monitor: talks to QMP/HMP sockets
    clang-14 libclang-rt-14-dev     # make fuzz: libFuzzer targets (tests/fuzz/)
)
if [[ -n "${QOMU_DEPS_PACKAGES:-}" ]]; then
    read -r -a packages <<< "$QOMU_DEPS_PACKAGES"
fi

if ! command -v dpkg-query > /dev/null; then
    echo "install-deps: no dpkg-query (not Debian?); install the equivalents of:" \
         "${packages[*]}" >&2
    exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
    # One line per installed architecture; "installed" on any of them is enough.
    if ! dpkg-query -W -f='${db:Status-Status}\n' "$pkg" 2> /dev/null |
            grep -qx installed; then
        missing+=("$pkg")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages; as root run:" \
         "apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
if [[ -n "${QOMU_DEPS_DRY_RUN:-}" ]]; then
    echo "install-deps: dry run: apt-get update"
    echo "install-deps: dry run: DEBIAN_FRONTEND=noninteractive ${install[*]}"
    exit 0
fi
apt-get update
DEBIAN_FRONTEND=noninteractive "${install[@]}"
