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

# One case per line: guest, then its -append text.
cases=(
    "hello|"
    "hello|exit=5"
    "exit-bench|n=1000"
    "trap|vector=6"
    "trap|vector=14"
)

why=$(bash "$here/run-diff.sh" --probe)
if [[ $? -eq 77 ]]; then
    echo "$name: skipped: ${why#run-diff: skipped: }"
    exit 77
fi

pass=0 fail=0
for c in "${cases[@]}"; do
    if bash "$here/run-diff.sh" "$elf_dir/${c%%|*}.elf" "${c#*|}"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done
echo "$name: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
