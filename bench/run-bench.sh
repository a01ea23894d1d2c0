#!/bin/bash
# make bench: throughput of otsensor against a bare libpcap loop over the same
# capture, measured in the same run, plus the peers a user compares against
# (ndpiReader, tcpdump) and otsensor's peak RSS.  Start-up is subtracted for
# every tool with a run on a ten-packet capture.  Medians of RUNS runs.
#   usage: run-bench.sh BUILDDIR [PACKETS] [RUNS]
set -eu
build=$(cd "${1:-.}" && pwd)
packets=${2:-1000000}
runs=${3:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-/tmp/otsensor-bench}
mkdir -p "$work"
big=$work/bench-$packets.pcap
small=$work/bench-10.pcap
[ -s "$big" ] || python3 "$top/tests/gen/gen-bench.py" "$packets" "$big"
[ -s "$small" ] || python3 "$top/tests/gen/gen-bench.py" 10 "$small"
ots=$build/otsensor
loop=$build/bench/pcap-loop

# seconds of one run of a command (wall clock, as a user waits for it)
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

median() {
    sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# packets/s of a tool: (median time on the big capture - median on the small one)
rate() {
    local name=$1
    shift
    local tb ts
    tb=$(for _ in $(seq "$runs"); do seconds "$@" "$big"; done | median)
    ts=$(for _ in $(seq "$runs"); do seconds "$@" "$small"; done | median)
    local net
    net=$(echo "$tb - $ts" | bc -l)
    echo "$name $(echo "$packets / $net" | bc -l)"
}

run_ots_types() { "$ots" -e /dev/null --eve-types alert,asset,flow,stats -r "$1"; }
run_ots_all() { "$ots" -e /dev/null -r "$1"; }
run_ndpi() { ndpiReader -q -i "$1"; }
run_tcpdump() { tcpdump -r "$1" -w /dev/null; }

results=$work/results.txt
: >"$results"
rate pcap_loop "$loop" >>"$results"
rate otsensor_alerts_flows run_ots_types >>"$results"
rate otsensor_all_records run_ots_all >>"$results"
command -v ndpiReader >/dev/null && rate ndpiReader run_ndpi >>"$results"
command -v tcpdump >/dev/null && rate tcpdump_w_devnull run_tcpdump >>"$results"

rss=$( { /usr/bin/time -f '%M' "$ots" -e /dev/null -r "$big" >/dev/null; } 2>&1 | tail -1)
base=$(awk '$1 == "pcap_loop" {print $2}' "$results")
echo "capture: $big ($packets packets), median of $runs runs, start-up subtracted"
printf '%-24s %14s %10s\n' tool packets/s vs_loop
while read -r name r; do
    printf '%-24s %14.0f %9.1f%%\n' "$name" "$r" "$(echo "100 * $r / $base" | bc -l)"
done <"$results"
echo "otsensor peak RSS (all records): $((rss / 1024)) MiB"
