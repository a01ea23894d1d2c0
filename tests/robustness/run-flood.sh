#!/bin/sh
# One flood: generates it (tests/gen/gen-floods.py) with its reference (the
# normal conversations alone), replays both with CONFIG, and prints one line of
# figures:
#   KIND flood= packets= COUNTER=... caps_hit=... rss_kb= bound_kb= cpu_s=
#        events_correct=yes|no
# (COUNTER: each counter this flood must raise; caps_hit: the other non-zero
# counters of a cap reached)
# (cpu_s: user + system seconds of the replay)
# Exit status 1 when the sensor failed, the peak RSS went over the bound (not
# checked in a sanitizer build)
# (resident size on an empty capture + what CONFIG's caps allow: memory-bound),
# the normal conversations' records differ from the reference, or a counter
# the flood must raise stayed at zero.
#   usage: run-flood.sh KIND PACKETS CONFIG WORKDIR [EVERY]
# Needs: OTSENSOR (the binary), top_srcdir, top_builddir.
set -u
kind=$1 n=$2 conf=$3 work=$4 every=${5:-100}
gen=$top_srcdir/tests/gen/gen-floods.py
here=$top_srcdir/tests/robustness
mkdir -p "$work"
cap=$work/$kind-$n.pcap
ref=$work/$kind-$n-ref.pcap
terms=$("$top_builddir/tests/robustness/memory-bound" "$conf")
# idle-conns: half as many connections again as there are dissector states,
# and fewer than flows (evicting a flow would free its state)
conns=$(echo "$terms" | awk '$1 == "dissector_state" {d = $(NF - 2)} $1 == "flows" {f = $(NF - 2)}
    END {c = int(d * 3 / 2); if (c > f - 64) c = f - 64; print c}')
python3 "$gen" "$kind" "$cap" --packets "$n" --every "$every" --conns "$conns" || exit 1
python3 "$gen" "$kind" "$ref" --packets "$n" --every "$every" --reference || exit 1
rm -f "$work/$kind.json" "$work/$kind-ref.json"
"$OTSENSOR" -c "$conf" -r "$ref" -e "$work/$kind-ref.json" || exit 1
if [ ! -f "$work/empty.pcap" ]; then
    printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' \
        >"$work/empty.pcap"
fi
base=$(/usr/bin/time -f %M "$OTSENSOR" -c "$conf" -r "$work/empty.pcap" -e /dev/null 2>&1 >/dev/null |
    tail -1)
caps=$(echo "$terms" | awk '$1 == "total" {print int($2 / 1024)}')
# fixed tables the tool cannot see (alert aggregation, JSON and EVE buffers,
# allocator arenas): 8 MB
bound=$((base + caps + 8192))
/usr/bin/time -f '%M %U %S' -o "$work/$kind.time" "$OTSENSOR" -c "$conf" -r "$cap" \
    -e "$work/$kind.json" 2>"$work/$kind.err"
rc=$?
set -- $(tail -1 "$work/$kind.time")
rss=$1 usr=$2 sys=$3
secs=$(echo "$usr $sys" | awk '{printf "%.2f", $1 + $2}')
python3 "$here/compare-events.py" "$work/$kind-ref.json" "$work/$kind.json" >"$work/$kind.cmp"
cmp_rc=$?
figures=$(python3 - "$work/$kind.json" "$kind" <<'PY'
import json, sys
# the counters this flood must raise (all of them non-zero)
MUST_RAISE = {
    "syn": ["flows.evicted"],
    "scan": ["flows.evicted"],
    "udp": ["flows.evicted"],
    "modbus-tids": ["dissect.pending_evicted"],
    "dnp3-storm": ["dissect.dnp3.anomalies"],
    "goose": ["dissect.goose.records"],
    "arp": ["baseline.overflow.devices", "rules.threshold_evictions"],
    "s7-tiny": ["dissect.s7comm.records"],
    "overlap": ["tcp.reordered_segments", "tcp.retransmitted_bytes"],
    "tls-hold": ["flows.ndpi_over_memory"],
    "idle-conns": ["dissect.flow_state_reclaimed"],
}
# counters that say a cap was reached, shown when non-zero
CAP_WORDS = ("evict", "overflow", "no_buffer", "no_flow_state", "reclaimed", "dropped", "lost", "timed_out")


def flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flat(v, prefix + k + ".")
        elif isinstance(v, list):
            yield from flat({"%s[%d]" % (k, i): x for i, x in enumerate(v)}, prefix)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield prefix + k, v


stats = None
for line in open(sys.argv[1], encoding="utf-8"):
    ev = json.loads(line)
    if ev.get("event_type") == "stats" and ev["stats"].get("final"):
        stats = ev["stats"]
counters = dict(flat(stats or {}))
must = MUST_RAISE.get(sys.argv[2], [])
caps = [k for k, v in counters.items() if v and any(w in k for w in CAP_WORDS) and k not in must]
print(" ".join(["packets=%d" % counters.get("packets", 0)] +
               ["%s=%d" % (k, counters.get(k, 0)) for k in must] +
               ["caps_hit=" + (",".join("%s=%d" % (k, counters[k]) for k in caps) or "none")]))
sys.exit(0 if stats and all(counters.get(k) for k in must) else 3)
PY
)
fig_rc=$?
ok=yes
[ $cmp_rc -eq 0 ] || ok=no
echo "$kind flood=$n $figures rss_kb=$rss bound_kb=$bound cpu_s=$secs events_correct=$ok"
status=0
if [ $rc -ne 0 ]; then
    echo "  otsensor exited $rc: $(head -3 "$work/$kind.err")"
    status=1
fi
# AddressSanitizer's shadow memory and quarantine make RSS meaningless
sanitized=no
if ldd "$OTSENSOR" 2>/dev/null | grep -q 'lib[at]san'; then sanitized=yes; fi
if [ $sanitized = no ] && [ "$rss" -gt "$bound" ]; then
    echo "  peak RSS $rss KB over the bound $bound KB (empty capture $base KB + caps $caps KB + 8 MB)"
    status=1
fi
[ $cmp_rc -eq 0 ] || { sed 's/^/  /' "$work/$kind.cmp"; status=1; }
[ $fig_rc -eq 0 ] || { echo "  a counter this flood must raise stayed at zero"; status=1; }
exit $status
