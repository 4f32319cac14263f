#!/usr/bin/env bash
# run-tests.sh - run test programs, sum their results.
#
#   scripts/run-tests.sh LABEL PROGRAM...
#
# Each program follows the harness protocol (tests/unit/harness.h): it
# prints "<name>: N passed, N failed" (and "<name>: skipped <path>: <why>"
# per skipped test) and exits 0 (no failure), 77 (skipped as a whole, with a
# "<name>: skipped: <why>" line) or anything else (failed). A program that
# crashes, times out, or exits without a summary line counts as one failed
# test. Output of each program goes to <program>.log; it is shown when the
# program fails, or always with V=1. The last line printed is
#     LABEL: N passed, N failed, N skipped
# and the exit status is 0 only if nothing failed.
#
# Environment: V=1 (show all output), QOMU_TEST_TIMEOUT (seconds per
# program, default 300); ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS given by the
# caller are appended to (so override) the defaults below.
set -uo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 LABEL PROGRAM..." >&2
    exit 2
fi
label=$1
shift

# Sanitizers (make check SANITIZE=...): stop at the first error, with a
# stack, and look for leaks at exit. The environment is harmless for
# programs built without them.
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:halt_on_error=1:abort_on_error=0:print_stacktrace=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# GLib: plain malloc (so sanitizers and valgrind see every block), freed
# memory cleared; glibc malloc scribbles on allocated/freed memory.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
export MALLOC_PERTURB_=$((RANDOM % 255 + 1))

timeout_s=${QOMU_TEST_TIMEOUT:-300}
total_pass=0 total_fail=0 total_skip=0

for prog in "$@"; do
    name=$(basename "$prog")
    log=$prog.log
    # (The outer 2>/dev/null only silences bash's own "Segmentation fault"
    # notice; the program's output all goes to the log.)
    if [[ ${V:-} == 1 ]]; then
        { timeout -k 10 "$timeout_s" "$prog" 2>&1 | tee "$log"
          status=${PIPESTATUS[0]}; } 2> /dev/null
    else
        { timeout -k 10 "$timeout_s" "$prog" > "$log" 2>&1; } 2> /dev/null
        status=$?
    fi

    if [[ $status -eq 77 ]]; then
        reason=$(sed -n "s/^$name: skipped: //p" "$log" | tail -n 1)
        [[ -n $reason ]] || reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
        printf '  %-7s %s: %s\n' SKIP "$name" "${reason:-no reason given}"
        total_skip=$((total_skip + 1))
        continue
    fi

    summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed\$" "$log" | tail -n 1)
    pass=0 fail=0 problem=
    if [[ -n $summary ]]; then
        read -r pass fail <<< "$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1 \2/' <<< "$summary")"
    fi
    skip=$(grep -c "^$name: skipped /" "$log")

    if [[ $status -eq 124 || $status -eq 137 ]]; then
        problem="timed out after ${timeout_s}s"
    elif [[ $status -gt 128 ]]; then
        problem="killed by signal $((status - 128))"
    elif [[ -z $summary ]]; then
        problem="exited with status $status and no summary line"
    elif [[ $status -ne 0 && $fail -eq 0 ]]; then
        problem="exited with status $status"   # e.g. a sanitizer report at exit
    elif [[ $status -eq 0 && $fail -ne 0 ]]; then
        problem="exited with status 0 despite failures"
    fi
    if [[ -n $problem ]]; then
        fail=$((fail + 1))
    fi

    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_skip=$((total_skip + skip))

    if [[ $fail -ne 0 ]]; then
        if [[ ${V:-} != 1 ]]; then
            echo "--- $log"
            cat "$log"
            [[ -z $(tail -c 1 "$log") ]] || echo
            echo "---"
        fi
        printf '  %-7s %s: %s passed, %s failed%s (log: %s)\n' FAIL "$name" \
            "$pass" "$fail" "${problem:+, $problem}" "$log"
    else
        printf '  %-7s %s: %s passed%s\n' PASS "$name" "$pass" \
            "$( ((skip)) && echo ", $skip skipped")"
    fi
done

echo "$label: $total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 ]]
