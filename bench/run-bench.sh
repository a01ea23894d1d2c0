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
[ -s "$big" ] || python3 "$top/tests/gen/gen-bench.py" "$big" "$packets"
[ -s "$small" ] || python3 "$top/tests/gen/gen-bench.py" "$small" 10
ots=$build/otsensor
loop=$build/bench/pcap-loop

# CPU seconds (every thread, perf's task-clock) of one run of a command:
# what the work costs, far less disturbed than wall time by whatever else
# the machine is doing
seconds() {
    perf stat -x, -e task-clock -o "$work/perf.out" "$@" >/dev/null 2>&1
    awk -F, '$3 == "task-clock" || $3 ~ /^task-clock/ {print $1 / 1000}' "$work/perf.out"
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


results=$work/results.txt
: >"$results"
rate pcap_loop "$loop" >>"$results"
rate otsensor_alerts_flows "$ots" -e /dev/null --eve-types alert,asset,flow,stats -r >>"$results"
rate otsensor_all_records "$ots" -e /dev/null -r >>"$results"
command -v ndpiReader >/dev/null && rate ndpiReader ndpiReader -q -i >>"$results"
command -v tcpdump >/dev/null && rate tcpdump_w_devnull tcpdump -w /dev/null -r >>"$results"

/usr/bin/time -o "$work/time.out" -f '%M' "$ots" -e /dev/null -r "$big" >/dev/null 2>&1
rss=$(tail -1 "$work/time.out")
base=$(awk '$1 == "pcap_loop" {print $2}' "$results")
echo "capture: $big ($packets packets), median of $runs runs, CPU time (user+system), start-up subtracted"
printf '%-24s %14s %10s\n' tool packets/s vs_loop
while read -r name r; do
    printf '%-24s %14.0f %9.1f%%\n' "$name" "$r" "$(echo "100 * $r / $base" | bc -l)"
done <"$results"
echo "otsensor peak RSS (all records): $((rss / 1024)) MiB"
