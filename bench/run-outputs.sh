#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# make bench-outputs: what the output side delivers, against a real
# redis-server and a real rsyslog started here on loopback (stopped by the
# trap):
#   - events/s delivered to Redis (stream) and to syslog (TCP, RFC 5424,
#     JSON), from a fast replay, as a ratio to the same replay writing only
#     eve.json to /dev/null (the baseline measured in the same run);
#   - packet-to-Redis latency (median, p99) of events fed live on stdin;
#   - the peak spool size while Redis is down for 2 s of a --realtime replay,
#     read from /metrics every 50 ms, and that everything arrived after.
# The capture raises alerts once detections exist; until then every event
# type goes through the sinks (the same code path: the type only picks the
# sinks).  usage: run-outputs.sh BUILDDIR [EVENTS]
set -eu
build=$(cd "${1:-.}" && pwd)
events=${2:-100000}
top=$(cd "$(dirname "$0")/.." && pwd)
ots=$build/otsensor
work=$(mktemp -d /tmp/otsensor-bench-outputs.XXXXXX)
pids=""
stop_all() {
    set +e # a server already gone must not stop the others from being stopped
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "$work"
}
trap stop_all EXIT
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
wait_for() { local end=$(($(date +%s) + $1)); shift; while [ "$(date +%s)" -le $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.02; done; return 1; }

rport=$(port)
start_redis() {
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly yes --dir "$work" --daemonize no \
        >>"$work/redis.log" 2>&1 &
    rpid=$!
    pids="$pids $rpid"
    wait_for 10 redis-cli -p "$rport" ping
}
start_redis
sport=$(port)
mkdir -p "$work/rs"
cat >"$work/rs.conf" <<EOF
global(workDirectory="$work/rs" maxMessageSize="64k")
module(load="imtcp")
template(name="m" type="string" string="%msg%\n")
input(type="imtcp" address="127.0.0.1" port="$sport" ruleset="r")
ruleset(name="r") { action(type="omfile" file="$work/syslog.out" template="m" asyncWriting="on" flushOnTXEnd="off" ioBufferSize="1m") }
EOF
# a second rsyslog that takes and throws away: what otsensor can send when
# the receiver's disk is not the limit
dport=$(port)
mkdir -p "$work/rs2"
cat >"$work/rs2.conf" <<EOF
global(workDirectory="$work/rs2")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$dport" ruleset="r")
ruleset(name="r") { action(type="omfile" file="/dev/null") }
EOF
rsyslogd -n -f "$work/rs2.conf" -i "$work/rs2.pid" >"$work/rs2.log" 2>&1 &
pids="$pids $!"
rsyslogd -n -f "$work/rs.conf" -i "$work/rs.pid" >"$work/rs.log" 2>&1 &
pids="$pids $!"
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $sport)).close()"
wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $dport)).close()"

cap=$work/bench.pcap
python3 "$top/tests/outputs/gen-traffic.py" "$cap" "$events" 60 --clients 16 --alerts $((events / 5))
types=all
"$ots" -r "$cap" -e - 2>/dev/null | grep -q '"event_type":"alert"' && types=alert
# BENCH_TYPES=all measures every event type through the same sinks
types=${BENCH_TYPES:-$types}
n=$("$ots" -r "$cap" -e - --eve-types "$types" 2>/dev/null | grep -c .)
echo "capture: $events Modbus transactions and $((events / 5)) restart requests from distinct hosts; $n events of type '$types' per run"

run_time() { # seconds of one run of the command
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    echo "$t1 - $t0" | bc -l
}
base=$(run_time "$ots" -r "$cap" -e /dev/null --eve-types "$types")
mkdir -p "$work/redis-run" "$work/syslog-run" "$work/lat"
tr=$(run_time "$ots" -r "$cap" -l "$work/redis-run" -e /dev/null --eve-types "$types" \
    --redis "redis://127.0.0.1:$rport/0?mode=stream&key=bench&types=$types&maxlen=0")
got=$(redis-cli -p "$rport" xlen bench)
t0=$(now)
"$ots" -r "$cap" -l "$work/syslog-run" -e /dev/null --eve-types "$types" \
    --syslog "tcp://127.0.0.1:$sport" --syslog-types "$types" >/dev/null 2>&1 &
opid=$!
wait_for 120 sh -c "test \$(wc -l <'$work/syslog.out' 2>/dev/null || echo 0) -ge $n"
t1=$(now)
wait $opid || true
ts=$(echo "$t1 - $t0" | bc -l)
gots=$(wc -l <"$work/syslog.out")
mkdir -p "$work/discard-run"
printf 'outputs:\n  syslog:\n    tcp_hold_ms: 0\n' >"$work/h0.yaml"
td=$(run_time "$ots" -r "$cap" -l "$work/discard-run" -e /dev/null --eve-types "$types" -c "$work/h0.yaml" \
    --syslog "tcp://127.0.0.1:$dport" --syslog-types "$types")
printf '%-34s %10s %12s %9s\n' run seconds events/s vs_eve
printf '%-34s %10.3f %12.0f %8.0f%%\n' "eve.json to /dev/null (baseline)" "$base" "$(echo "$n / $base" | bc -l)" 100
printf '%-34s %10.3f %12.0f %8.0f%%   (%s in Redis)\n' "+ Redis stream (XADD)" "$tr" "$(echo "$n / $tr" | bc -l)" "$(echo "100 * $base / $tr" | bc -l)" "$got"
printf '%-34s %10.3f %12.0f %8.0f%%   (%s in rsyslog'"'"'s file)\n' "+ syslog TCP (RFC 5424, JSON)" "$ts" "$(echo "$n / $ts" | bc -l)" "$(echo "100 * $base / $ts" | bc -l)" "$gots"
printf '%-34s %10.3f %12.0f %8.0f%%   (rsyslog not writing)\n' "+ syslog TCP, receiver discarding" "$td" "$(echo "$n / $td" | bc -l)" "$(echo "100 * $base / $td" | bc -l)"

echo "packet-to-Redis latency, 5000 transactions fed live at 1000/s:"
[ "$types" = alert ] && (cd "$work/lat" && python3 "$top/bench/output-latency.py" "$ots" "$rport" 5000 1000 alert)
(cd "$work/lat" && python3 "$top/bench/output-latency.py" "$ots" "$rport" 5000 1000 all)

# --- the spool during an outage ------------------------------------------------
hport=$(port)
slow=$work/slow.pcap
python3 "$top/tests/outputs/gen-traffic.py" "$slow" 12000 6
mkdir -p "$work/out"
printf 'outputs:\n  shutdown_timeout: 30\n  redis:\n    retry_max: 1\n' >"$work/c.yaml"
"$ots" -r "$slow" --realtime -l "$work/out" -e /dev/null -c "$work/c.yaml" --http "127.0.0.1:$hport" \
    --redis "redis://127.0.0.1:$rport/0?mode=list&key=outage&types=all" >/dev/null 2>"$work/outage.err" &
opid=$!
python3 - "$hport" "$work/peak" <<'EOF' &
import sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
peak_b = peak_e = 0
end = time.time() + 20
while time.time() < end:
    try:
        body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=1).read().decode()
    except Exception:
        time.sleep(0.05)
        continue
    for l in body.splitlines():
        if l.startswith('otsensor_sink_spool_bytes{sink="redis"}'):
            peak_b = max(peak_b, int(l.split()[-1]))
        if l.startswith('otsensor_sink_spool_events{sink="redis"}'):
            peak_e = max(peak_e, int(l.split()[-1]))
    open(out, "w").write("%d %d\n" % (peak_b, peak_e))
    time.sleep(0.05)
EOF
ppid=$!
pids="$pids $ppid"
sleep 2
kill $rpid
wait $rpid 2>/dev/null || true
sleep 2
start_redis
wait $opid || true
kill $ppid 2>/dev/null || true
read -r pb pe <"$work/peak"
delivered=$(redis-cli -p "$rport" llen outage)
total=$("$ots" -r "$slow" -e - 2>/dev/null | grep -c .)
echo "outage: Redis down 2 s of a 6 s --realtime replay (2000 events/s): peak spool $pe events, $pb bytes ($(echo "$pb / 1048576" | bc -l | cut -c1-5) MB); delivered afterwards $delivered of $total"
