# check-lib.sh - what the guest check scripts share; sourced after they
# set $name (check-crash.sh, check-lock.sh, check-qcow2.sh, run-diff.sh).
#
# run-tests.sh protocol: a check that cannot run here says why and exits
# 77 ("NAME: skipped: WHY").

skip() {
    echo "$name: skipped: $*"
    exit 77
}

# The checks that boot guests need KVM.
need_kvm() {
    [[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not accessible"
}
