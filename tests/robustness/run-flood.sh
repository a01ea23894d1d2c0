#!/bin/sh
# One flood: generates it (tests/gen/gen-floods.py) with its reference (the
# normal conversations alone), replays both with CONFIG, and prints one line of
# figures:
#   KIND flood= packets= evicted= pending_evicted= no_flow_state= rss_kb=
#        bound_kb= cpu_s= events_correct=yes|no
# (cpu_s: user + system seconds of the replay)
# Exit status 1 when the sensor failed, the peak RSS went over the bound (not
# checked in a sanitizer build)
# (resident size on an empty capture + what CONFIG's caps allow: memory-bound),
# the normal conversations' records differ from the reference, or the
# counter the flood must raise stayed at zero.
#   usage: run-flood.sh KIND PACKETS CONFIG WORKDIR [EVERY]
# Needs: OTSENSOR (the binary), top_srcdir, top_builddir.
set -u
kind=$1 n=$2 conf=$3 work=$4 every=${5:-100}
gen=$top_srcdir/tests/gen/gen-floods.py
here=$top_srcdir/tests/robustness
mkdir -p "$work"
cap=$work/$kind-$n.pcap
ref=$work/$kind-$n-ref.pcap
python3 "$gen" "$kind" "$cap" --packets "$n" --every "$every" || exit 1
python3 "$gen" "$kind" "$ref" --packets "$n" --every "$every" --reference || exit 1
rm -f "$work/$kind.json" "$work/$kind-ref.json"
"$OTSENSOR" -c "$conf" -r "$ref" -e "$work/$kind-ref.json" || exit 1
if [ ! -f "$work/empty.pcap" ]; then
    printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' \
        >"$work/empty.pcap"
fi
base=$(/usr/bin/time -f %M "$OTSENSOR" -c "$conf" -r "$work/empty.pcap" -e /dev/null 2>&1 >/dev/null |
    tail -1)
caps=$("$top_builddir/tests/robustness/memory-bound" "$conf" | awk '$1 == "total" {print int($2 / 1024)}')
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
stats = None
for line in open(sys.argv[1], encoding="utf-8"):
    ev = json.loads(line)
    if ev.get("event_type") == "stats" and ev["stats"].get("final"):
        stats = ev["stats"]
s = stats or {}
d = s.get("dissect", {})
tcp = s.get("tcp", {})
kind = sys.argv[2]
print("packets=%s evicted=%s pending_evicted=%s no_flow_state=%s" % (
    s.get("packets", 0), s.get("flows", {}).get("evicted", 0), d.get("pending_evicted", 0),
    d.get("no_flow_state", 0)))
# the counter this flood must raise
need = {
    "syn": s.get("flows", {}).get("evicted", 0),
    "scan": s.get("flows", {}).get("evicted", 0),
    "udp": s.get("flows", {}).get("evicted", 0),
    "modbus-tids": d.get("pending_evicted", 0),
    "dnp3-storm": d.get("dnp3", {}).get("pdus", 0),
    "goose": d.get("goose", {}).get("pdus", 0),
    "arp": s.get("packets", 0),
    "s7-tiny": d.get("s7comm", {}).get("records", 0),
    "overlap": tcp.get("reordered_segments", 0) and tcp.get("retransmitted_bytes", 0),
}.get(kind, 1)
sys.exit(0 if stats and need else 3)
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
[ $fig_rc -eq 0 ] || { echo "  the counter this flood must raise stayed at zero"; status=1; }
exit $status
