#!/bin/bash
# The README's second command, and what CI runs: installs what is needed,
# then runs the whole test suite twice -- a -Werror build and an
# ASan+UBSan build -- plus make distcheck and a brief fuzzing pass of every
# fuzz target.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
sh contrib/install-deps.sh || { echo "installing packages failed"; echo "0 passed, 1 failed"; exit 1; }
[ -x configure ] || ./autogen.sh >/dev/null 2>&1
jobs=$(nproc)
passed=0
failed=0
work=$(mktemp -d /tmp/otsensor-test.XXXXXX)

# Adds the PASS/FAIL/ERROR/XPASS counts of an automake test-suite.log.
count() {
    local log=$1
    local p f
    p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
    f=$(awk '/^# (FAIL|ERROR|XPASS):/ {s += $3} END {print s + 0}' "$log")
    passed=$((passed + ${p:-0}))
    failed=$((failed + f))
}

suite() {
    local name=$1
    shift
    local dir=$work/$name
    mkdir -p "$dir"
    echo "== $name: configure $*"
    if ! (cd "$dir" && "$top/configure" "$@" >configure.out 2>&1); then
        tail -20 "$dir/configure.out"
        failed=$((failed + 1))
        return
    fi
    if ! make -C "$dir" -j"$jobs" >"$dir/build.out" 2>&1; then
        grep -E 'error|warning' "$dir/build.out" | head -40
        failed=$((failed + 1))
        return
    fi
    make -C "$dir" -j"$jobs" check >"$dir/check.out" 2>&1
    grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$dir/check.out" | sed "s/^/$name: /"
    if [ -f "$dir/test-suite.log" ]; then
        count "$dir/test-suite.log"
        grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' "$dir/test-suite.log" | sed "s/^/$name: /"
        awk '/^(FAIL|ERROR):/,/^$/' "$dir/test-suite.log" | head -200
    else
        tail -30 "$dir/check.out"
        failed=$((failed + 1))
    fi
}

suite werror --enable-werror
suite sanitizers --enable-werror --enable-sanitizers

echo "== distcheck"
if make -C "$work/werror" distcheck >"$work/distcheck.out" 2>&1; then
    passed=$((passed + 1))
    echo "PASS: distcheck"
else
    tail -40 "$work/distcheck.out"
    # the check inside distcheck runs in the unpacked tarball's build folder
    sub=$(echo "$work"/werror/otsensor-*/_build/sub)
    [ -f "$sub/test-suite.log" ] && awk '/^(FAIL|ERROR):/,/^$/' "$sub/test-suite.log" | head -100
    sed -n 's/.*failed to create \(.*\)\.trs$/\1/p' "$work/distcheck.out" | sort -u |
        while read -r t; do
            echo "-- $t: what is left of it"
            ls -la "$sub/$(dirname "$t")" 2>&1 | head -30
            grep -E "^[A-Z]+: $t " "$work/distcheck.out" | tail -5
        done
    failed=$((failed + 1))
    echo "FAIL: distcheck"
fi

echo "== brief fuzzing (libFuzzer, ${FUZZ_SECONDS:-10} s per target)"
if tests/fuzz/run-fuzz.sh "${FUZZ_SECONDS:-10}" "$work/fuzz" >"$work/fuzz.out" 2>&1; then
    passed=$((passed + 1))
    echo "PASS: fuzz"
else
    tail -40 "$work/fuzz.out"
    failed=$((failed + 1))
    echo "FAIL: fuzz"
fi
grep -E '^(fuzz|target)' "$work/fuzz.out" || true

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
