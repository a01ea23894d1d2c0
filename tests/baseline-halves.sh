#!/bin/bash
# False alerts of the baselines on real traffic: every capture of the shared
# set (../shared/pcaps, MANIFEST.tsv) is cut in two halves by packet count
# (editcap, from tshark's package); the sensor learns on the first half
# (--mode learn) and detects on the second (--mode detect).  Every baseline
# alert in the second half is printed, with its evidence, for a person to
# judge: a real change in the traffic, or a weakness of the model.
#   usage: tests/baseline-halves.sh [OTSENSOR] [SHARED_PCAPS] [OUTDIR]
# Not part of make check: it reports, it does not judge.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ots=${1:-$top/otsensor}
pcaps=${2:-$top/../shared/pcaps}
out=${3:-$(mktemp -d /tmp/otsensor-halves.XXXXXX)}
mkdir -p "$out"
command -v editcap >/dev/null || { echo "editcap (tshark's package) is needed" >&2; exit 77; }
[ -f "$pcaps/MANIFEST.tsv" ] || { echo "$pcaps/MANIFEST.tsv: not found" >&2; exit 77; }
printf 'sensor:\n  name: halves\nstats:\n  interval: 0\n' >"$out/otsensor.yaml"

total=0
printf '%-58s %7s %7s %s\n' capture packets devices "baseline alerts in the second half"
tail -n +2 "$pcaps/MANIFEST.tsv" | cut -f1 | while read -r rel; do
    cap=$pcaps/$rel
    [ -f "$cap" ] || continue
    name=$(echo "$rel" | tr '/' '_')
    n=$(capinfos -c -M "$cap" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
    if [ -z "$n" ] || [ "$n" -lt 4 ]; then
        printf '%-58s %7s %7s %s\n' "$rel" "${n:-?}" - "(too short to cut)"
        continue
    fi
    half=$((n / 2))
    editcap -r "$cap" "$out/$name.1" "1-$half" >/dev/null 2>&1
    editcap -r "$cap" "$out/$name.2" "$((half + 1))-$n" >/dev/null 2>&1
    rm -f "$out/$name.json"
    "$ots" -c "$out/otsensor.yaml" -r "$out/$name.1" --mode learn -b "$out/$name.json" \
        -e /dev/null 2>/dev/null
    "$ots" -c "$out/otsensor.yaml" -r "$out/$name.2" --mode detect -b "$out/$name.json" \
        -e "$out/$name.eve" 2>/dev/null
    devices=$("$ots" inventory "$out/$name.json" 2>/dev/null | tail -1 | awk '{print $1}')
    summary=$(python3 - "$out/$name.eve" <<'PY'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event_type") == "alert" and e["alert"].get("source") == "baseline":
        a = e["alert"]
        c["%s/%d" % (a["kind"], a["severity"])] += a.get("count", 1) if a.get("aggregated") else 1
print(", ".join("%s x%d" % kv for kv in sorted(c.items())) or "none")
PY
)
    printf '%-58s %7s %7s %s\n' "$rel" "$n" "${devices:-?}" "$summary"
done
echo "details: $out/*.eve (alert evidence), $out/*.json (the baselines)"
