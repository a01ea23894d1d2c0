#!/bin/sh
# make soak: every flood large, at two sizes, with the small caps of
# caps.yaml and with the embedded defaults; prints the figures of each run
# (run-flood.sh) and checks that the replay's CPU time grows linearly with the
# packets: time(2N) / time(N) at most 2.6.  Not part of make check.
#   usage: soak.sh [N]     (default 500000: runs N and 2N packets of each flood)
# Needs OTSENSOR, top_srcdir, top_builddir (make soak sets them).
set -u
n=${1:-500000}
kinds="syn scan udp modbus-tids dnp3-storm goose arp s7-tiny overlap"
work=$(mktemp -d "${TMPDIR:-/tmp}/otsensor-soak.XXXXXX")
trap 'rm -rf "$work"' EXIT
defaults=$work/defaults.yaml
printf 'sensor:\n  name: soak\n' >"$defaults"
fail=0
for conf in "$top_srcdir/tests/robustness/caps.yaml" "$defaults"; do
    echo "== $(basename "$conf"): $("$top_builddir/tests/robustness/memory-bound" "$conf" |
        awk '$1 == "total" {printf "caps allow %.1f MB", $2 / 1048576}')"
    for kind in $kinds; do
        t1= t2=
        for size in "$n" $((2 * n)); do
            if ! out=$(sh "$top_srcdir/tests/robustness/run-flood.sh" "$kind" "$size" "$conf" \
                "$work/run" 2>&1); then
                fail=1
            fi
            echo "$out"
            t=$(echo "$out" | sed -n 's/.* cpu_s=\([0-9.]*\).*/\1/p' | head -1)
            [ -z "$t1" ] && t1=$t || t2=$t
            rm -f "$work/run/$kind"-*.pcap
        done
        ratio=$(echo "$t1 $t2" | awk '{printf "%.2f", ($1 > 0 ? $2 / $1 : 0)}')
        if awk -v r="$ratio" 'BEGIN {exit !(r > 2.6)}'; then
            echo "  $kind: time(2N)/time(N) = $ratio: NOT linear"
            fail=1
        else
            echo "  $kind: time(2N)/time(N) = $ratio"
        fi
    done
done
[ $fail -eq 0 ] && echo "soak: all good" || echo "soak: FAILED"
exit $fail
