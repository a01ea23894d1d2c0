#!/bin/sh
# make soak: every flood large, at two sizes, with the small caps of
# caps.yaml and with the embedded defaults; prints the figures of each run
# (run-flood.sh: peak RSS against the bound, evictions, the normal
# conversations' records) and checks that the replay's CPU time grows
# linearly with the packets: t(2N) / t(N) at most 2.6, where t is the least
# user + system time of three replays less that of an empty capture (the
# start-up: nDPI's and the inventory's tables).  Not part of make check.
#   usage: soak.sh [N]     (default 500000: runs N and 2N packets of each flood)
# Needs OTSENSOR, top_srcdir, top_builddir (make soak sets them).
set -u
n=${1:-500000}
kinds="syn scan udp modbus-tids dnp3-storm goose arp s7-tiny overlap tls-hold idle-conns"
work=$(mktemp -d "${TMPDIR:-/tmp}/otsensor-soak.XXXXXX")
trap 'rm -rf "$work"' EXIT
defaults=$work/defaults.yaml
printf 'sensor:\n  name: soak\n' >"$defaults"
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' \
    >"$work/empty.pcap"
# cpu CONFIG CAPTURE: the least user + system seconds of three replays
cpu() {
    best=
    for _ in 1 2 3; do
        /usr/bin/time -f '%U %S' -o "$work/t" "$OTSENSOR" -c "$1" -r "$2" -e /dev/null 2>/dev/null
        t=$(awk 'END {printf "%.3f", $(NF-1) + $NF}' "$work/t")
        best=$(echo "${best:-$t} $t" | awk '{print ($2 < $1) ? $2 : $1}')
    done
    echo "$best"
}
fail=0
for conf in "$top_srcdir/tests/robustness/caps.yaml" "$defaults"; do
    echo "== $(basename "$conf"): $("$top_builddir/tests/robustness/memory-bound" "$conf" |
        awk '$1 == "total" {printf "caps allow %.1f MB", $2 / 1e6}')"
    t0=$(cpu "$conf" "$work/empty.pcap")
    for kind in $kinds; do
        for size in "$n" $((2 * n)); do
            if ! sh "$top_srcdir/tests/robustness/run-flood.sh" "$kind" "$size" "$conf" \
                "$work/run"; then
                fail=1
            fi
        done
        t1=$(cpu "$conf" "$work/run/$kind-$n.pcap")
        t2=$(cpu "$conf" "$work/run/$kind-$((2 * n)).pcap")
        rm -f "$work/run/$kind"-*.pcap "$work/run/$kind"*.json
        ratio=$(echo "$t0 $t1 $t2" | awk '{a = $2 - $1; b = $3 - $1; printf "%.2f", (a > 0 ? b / a : 0)}')
        verdict=linear
        if awk -v r="$ratio" 'BEGIN {exit !(r > 2.6)}'; then
            verdict="NOT linear"
            fail=1
        fi
        echo "  $kind: CPU $t1 s for N, $t2 s for 2N (start-up $t0 s): ratio $ratio, $verdict"
    done
done
[ $fail -eq 0 ] && echo "soak: all good" || echo "soak: FAILED"
exit $fail
