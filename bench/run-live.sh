#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# make bench-live: live capture on a veth pair between two network namespaces
# made here (removed by the trap), as in tests/live.test.  tcpreplay pushes a
# small-packet OT capture (tests/gen/gen-bench.py) into one end; on the other,
# in the same run and at the same rates:
#   tcpdump -w /dev/null          the reference (libpcap, default buffer)
#   otsensor --capture pcap       libpcap live mode, full dissection
#   otsensor --capture afpacket   the TPACKET_V3 ring, 1 and 2 workers
# For each: at each offered rate (tcpreplay --pps steps, then --topspeed) the
# share of packets lost (sent - captured), CPU per packet (user + system of
# the whole process, every thread), and the highest rate with nothing lost.
# First, what tcpreplay alone can push (--topspeed, nobody listening).
# Needs root.  The machine is shared: runs are short.
#   usage: run-live.sh BUILDDIR [PACKETS] [RATES]
set -u
build=$(cd "${1:-.}" && pwd)
packets=${2:-200000}
rates=${3:-"25000 50000 100000 200000 400000"}
top=$(cd "$(dirname "$0")/.." && pwd)
ots=$build/otsensor
work=${BENCH_DIR:-/tmp/otsensor-bench}
mkdir -p "$work"
[ "$(id -u)" = 0 ] || { echo "run-live.sh: needs root (network namespaces)"; exit 1; }
for c in ip tcpreplay tcpdump python3; do
    command -v "$c" >/dev/null || { echo "run-live.sh: $c is not installed"; exit 1; }
done
cap=$work/live-$packets.pcap
[ -s "$cap" ] || python3 "$top/tests/gen/gen-bench.py" "$cap" "$packets" >/dev/null
tag=$$
nsa=otb${tag}a
nsb=otb${tag}b
va=otb${tag}x
vb=otb${tag}y
pid=""
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    ip netns del "$nsa" 2>/dev/null
    ip netns del "$nsb" 2>/dev/null
    [ -n "$cg" ] && rmdir "$cg" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$nsa" && ip netns add "$nsb" || exit 1
ip link add "$va" netns "$nsa" type veth peer name "$vb" netns "$nsb" || exit 1
for ns in $nsa $nsb; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
done
ip -n "$nsa" link set "$va" up
ip -n "$nsb" link set "$vb" up
sleep 1
conf=$work/live-bench.yaml
# BENCH_BUFFER_MB: the same capture buffer for every contender (tcpdump -B);
# unset: each its default (tcpdump 2 MB, otsensor from the link speed)
buffer=${BENCH_BUFFER_MB:-}
{
    printf 'outputs:\n  http:\n    enabled: "false"\n'
    if [ -n "$buffer" ]; then
        printf 'capture:\n  buffer_mb: %s\n  afpacket:\n    block_size_kb: 256\n' "$buffer"
    fi
} >"$conf"
tcpdump_b=${buffer:+-B $((buffer * 1024))}
# BENCH_CPU_PCT: the contender gets this share of one CPU (a cgroup v1 CFS
# quota), to see the engines lose packets when the consumer is the slower
# side: on a small machine tcpreplay itself is (the sensor needs about
# 1.2 us a packet, tcpreplay several)
cpu_pct=${BENCH_CPU_PCT:-}
cg=""
if [ -n "$cpu_pct" ]; then
    cg=/sys/fs/cgroup/cpu/otsensor-bench-$tag
    mkdir "$cg" || exit 1
    echo 100000 >"$cg/cpu.cfs_period_us"
    echo $((cpu_pct * 1000)) >"$cg/cpu.cfs_quota_us"
fi

# CPU seconds of a running process, every thread (schedstat: nanoseconds)
cpu_of() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.6f", s / 1e9}'
}
# packets the interface received (what reached the tap) since "$1"
rx_now() { ip netns exec "$nsb" cat "/sys/class/net/$vb/statistics/rx_packets"; }

# one run: NAME RATE (pps, or "top") ->
#   "sent captured reached_tap cpu_before cpu_after achieved_pps kernel_drops"
run() {
    local name=$1 rate=$2 log=$work/run.$tag.log eve=$work/eve.$tag.json
    rm -f "$log" "$eve"
    case $name in
        tcpdump)
            ip netns exec "$nsb" tcpdump -n -i "$vb" -w /dev/null -s 65535 $tcpdump_b 2>"$log" &
            ;;
        *)
            local engine=${name%-*} workers=${name#*-}
            ip netns exec "$nsb" "$ots" -v -c "$conf" -i "$vb" --capture "$engine" \
                --workers "$workers" -e "$eve" 2>"$log" &
            ;;
    esac
    pid=$!
    [ -n "$cg" ] && echo "$pid" >"$cg/cgroup.procs"
    for _ in $(seq 200); do
        grep -q "listening on\|capturing (" "$log" 2>/dev/null && break
        sleep 0.05
    done
    sleep 0.3
    local rx0 c0 c1 rx1
    rx0=$(rx_now)
    c0=$(cpu_of "$pid")
    local opt="--pps=$rate"
    [ "$rate" = top ] && opt="--topspeed"
    ip netns exec "$nsa" tcpreplay -q $opt -i "$va" "$cap" >"$work/replay.$tag" 2>&1
    sleep 1
    c1=$(cpu_of "$pid")
    rx1=$(rx_now)
    kill -INT "$pid"
    wait "$pid" 2>/dev/null
    pid=""
    local sent got achieved kdrops
    sent=$(awk '/Actual:/ {print $2}' "$work/replay.$tag")
    achieved=$(awk '/Rated:/ {for (i = 1; i <= NF; i++) if ($i ~ /pps/) print $(i - 1)}' \
        "$work/replay.$tag" | head -1)
    if [ "$name" = tcpdump ]; then
        got=$(awk '/packets captured/ {print $1}' "$log")
        kdrops=$(awk '/dropped by kernel/ {print $1}' "$log")
    else
        got=$(grep '"final":true' "$eve" | grep -o '"packets":[0-9]*' | cut -d: -f2 |
            awk '{s += $1} END {print s + 0}')
        kdrops=$(grep '"final":true' "$eve" | grep -o '"kernel_drops":[0-9]*' | cut -d: -f2 |
            awk '{s += $1} END {print s + 0}')
    fi
    echo "$sent ${got:-0} $((rx1 - rx0)) $c0 $c1 ${achieved:-0} ${kdrops:-0}"
}

bufs="defaults"
[ -n "$buffer" ] && bufs="$buffer MB each"
cpus="a whole CPU"
[ -n "$cpu_pct" ] && cpus="$cpu_pct % of a CPU (cgroup quota)"
printf 'capture: %s (%s packets), tcpreplay %s; capture buffers: %s; contenders get %s\n' \
    "$(basename "$cap")" "$packets" "$(tcpreplay --version 2>&1 | head -1 | awk '{print $3}')" \
    "$bufs" "$cpus"
# what tcpreplay alone can push into the veth pair
ip netns exec "$nsa" tcpreplay -q --topspeed -i "$va" "$cap" >"$work/replay.$tag" 2>&1
echo "tcpreplay --topspeed alone: $(awk '/Rated:/ {for (i = 1; i <= NF; i++) if ($i ~ /pps/) print $(i - 1)}' "$work/replay.$tag" | head -1) packets/s"
echo
printf '%-12s %8s %9s %9s %9s %9s %7s %10s\n' contender offered achieved sent reached captured lost% "CPU ns/pkt"
for name in tcpdump pcap-1 afpacket-1 afpacket-2; do
    best=none
    for rate in $rates top; do
        set -- $(run "$name" "$rate")
        sent=$1 got=$2 rx=$3 c0=$4 c1=$5 achieved=$6 kdrops=$7
        lost=$(echo "$sent $got" | awk '{printf "%.2f", $1 ? 100 * ($1 - $2) / $1 : 0}')
        nspp=$(echo "$c0 $c1 $got" | awk '{printf "%.0f", $3 ? ($2 - $1) * 1e9 / $3 : 0}')
        printf '%-12s %8s %9s %9s %9s %9s %7s %10s   (kernel drops %s)\n' "$name" "$rate" \
            "$achieved" "$sent" "$rx" "$got" "$lost" "$nspp" "$kdrops"
        if [ "$got" = "$sent" ]; then
            [ "$rate" = top ] && best="topspeed ($achieved pps)" || best="$rate pps"
        fi
    done
    echo "$name: highest offered rate with nothing lost: $best"
done
