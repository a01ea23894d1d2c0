#!/bin/bash
# A long fuzzing campaign, resumable across sessions: fuzzes the TARGETs at
# the lowest priority, one slice of at most 5 minutes each in turn, until
# each has had CPU_SECONDS of CPU in all (summed over every run into the same
# OUTDIR), keeping its corpus in OUTDIR/corpus-<target>.  Each slice appends
# a line to OUTDIR/campaign.tsv: time, target, CPU seconds of the slice and
# in all, executions, coverage (cov, ft), corpus size, status.  A crash stops
# that target (its input is in OUTDIR/<target>/, the log in
# OUTDIR/<target>.crash.log: delete that file to fuzz it again once fixed)
# and the others go on.  The binaries come from run-fuzz.sh:
#   tests/fuzz/run-fuzz.sh 0 OUTDIR                # build them all
#   tests/fuzz/campaign.sh 3600 OUTDIR modbus dnp3 # an hour of CPU each
#   tests/fuzz/campaign-table.py OUTDIR/campaign.tsv  # the figures, per target
# Run two campaigns with different targets to use two cores.
set -u
cpu_goal=${1:?usage: campaign.sh CPU_SECONDS OUTDIR TARGET...}
out=${2:?usage: campaign.sh CPU_SECONDS OUTDIR TARGET...}
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$top/tests/fuzz/corpus
slice_max=300
tsv=$out/campaign.tsv
[ -f "$tsv" ] || printf 'time\ttarget\tslice_cpu_s\ttotal_cpu_s\texecs\tcov\tft\tcorpus\tstatus\n' >"$tsv"

# one_slice TARGET: fuzzes it for one slice; returns 1 when it is done (goal
# reached, crashed, or no binary)
one_slice() {
    local t=$1
    local bin=$out/fuzz-$t
    if [ ! -x "$bin" ]; then
        echo "campaign: $bin missing (run-fuzz.sh 0 $out first)" >&2
        return 1
    fi
    [ -f "$out/$t.crash.log" ] && return 1
    local done_s
    done_s=$(cat "$out/$t.cpu" 2>/dev/null || echo 0)
    [ "$done_s" -lt "$cpu_goal" ] || return 1
    mkdir -p "$out/corpus-$t" "$out/$t"
    local seeds=() dirs=() dictopt=()
    case $t in
        pipeline) seeds=("$corpus/pipeline" "$top/tests/pcaps") ;;
        *) seeds=("$corpus/$t") ;;
    esac
    # dissector corpora are named for the dissector's .name (pndcp: profinet_dcp)
    [ "$t" = pndcp ] && seeds+=("$corpus/profinet_dcp")
    for s in "${seeds[@]}"; do [ -d "$s" ] && dirs+=("$s"); done
    [ -f "$top/tests/fuzz/dict/$t.dict" ] && dictopt=(-dict="$top/tests/fuzz/dict/$t.dict")
    local left=$((cpu_goal - done_s))
    local slice=$((left < slice_max ? left : slice_max))
    [ "$slice" -ge 10 ] || slice=10
    local log=$out/$t.campaign.log
    /usr/bin/time -f '%U %S' -o "$out/$t.time" nice -n 19 "$bin" -max_total_time="$slice" \
        -artifact_prefix="$out/$t/" -print_final_stats=1 -rss_limit_mb=2048 -timeout=20 \
        "${dictopt[@]}" "$out/corpus-$t" "${dirs[@]}" >"$log" 2>&1
    local rc=$?
    local cpu
    cpu=$(awk 'END {printf "%d", $(NF-1) + $NF}' "$out/$t.time")
    echo $((done_s + cpu)) >"$out/$t.cpu"
    local execs cov ft n st=ok
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    n=$(find "$out/corpus-$t" -type f | wc -l)
    [ $rc -eq 0 ] || st="crash rc=$rc: $(ls -t "$out/$t" | head -1)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$cpu" \
        $((done_s + cpu)) "${execs:-?}" "${cov:-?}" "${ft:-?}" "$n" "$st" >>"$tsv"
    if [ $rc -ne 0 ]; then
        cp "$log" "$out/$t.crash.log"
        return 1
    fi
    return 0
}

# round robin: one slice of each target in turn, so all of them progress
busy=1
while [ $busy -eq 1 ]; do
    busy=0
    for t in "$@"; do
        one_slice "$t" && busy=1
    done
done
