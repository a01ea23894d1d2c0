#!/bin/bash
# A long fuzzing campaign, resumable across sessions: fuzzes each TARGET at
# the lowest priority until it has had CPU_SECONDS of CPU in all (summed over
# every run into the same OUTDIR), in slices of at most 10 minutes, keeping
# its corpus in OUTDIR/corpus-<target>.  Each slice appends a line to
# OUTDIR/campaign.tsv: time, target, CPU seconds of the slice and in all,
# executions, coverage (cov, ft), corpus size, status.  A crash stops that
# target (its input is in OUTDIR/<target>/) and the campaign goes on with the
# next one.  The binaries come from run-fuzz.sh:
#   tests/fuzz/run-fuzz.sh 0 OUTDIR                # build them all
#   tests/fuzz/campaign.sh 3600 OUTDIR modbus dnp3 # an hour of CPU each
# Run two campaigns with different targets to use two cores.
set -u
cpu_goal=${1:?usage: campaign.sh CPU_SECONDS OUTDIR TARGET...}
out=${2:?usage: campaign.sh CPU_SECONDS OUTDIR TARGET...}
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$top/tests/fuzz/corpus
slice_max=600
tsv=$out/campaign.tsv
[ -f "$tsv" ] || printf 'time\ttarget\tslice_cpu_s\ttotal_cpu_s\texecs\tcov\tft\tcorpus\tstatus\n' >"$tsv"

for t in "$@"; do
    bin=$out/fuzz-$t
    if [ ! -x "$bin" ]; then
        echo "campaign: $bin missing (run-fuzz.sh 0 $out first)" >&2
        continue
    fi
    mkdir -p "$out/corpus-$t" "$out/$t"
    seeds=()
    case $t in
        pipeline) seeds=("$corpus/pipeline" "$top/tests/pcaps") ;;
        *) seeds=("$corpus/$t") ;;
    esac
    # dissector corpora are named for the dissector's .name (pndcp: profinet_dcp)
    [ "$t" = pndcp ] && seeds+=("$corpus/profinet_dcp")
    dirs=()
    for s in "${seeds[@]}"; do [ -d "$s" ] && dirs+=("$s"); done
    dictopt=()
    [ -f "$top/tests/fuzz/dict/$t.dict" ] && dictopt=(-dict="$top/tests/fuzz/dict/$t.dict")
    while :; do
        done_s=$(cat "$out/$t.cpu" 2>/dev/null || echo 0)
        [ "$done_s" -lt "$cpu_goal" ] || break
        left=$((cpu_goal - done_s))
        slice=$((left < slice_max ? left : slice_max))
        [ "$slice" -ge 10 ] || slice=10
        log=$out/$t.campaign.log
        /usr/bin/time -f '%U %S' -o "$out/$t.time" nice -n 19 "$bin" -max_total_time="$slice" \
            -artifact_prefix="$out/$t/" -print_final_stats=1 -rss_limit_mb=2048 -timeout=20 \
            "${dictopt[@]}" "$out/corpus-$t" "${dirs[@]}" >"$log" 2>&1
        rc=$?
        cpu=$(awk 'END {printf "%d", $(NF-1) + $NF}' "$out/$t.time")
        echo $((done_s + cpu)) >"$out/$t.cpu"
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        n=$(find "$out/corpus-$t" -type f | wc -l)
        st=ok
        [ $rc -eq 0 ] || st="crash rc=$rc: $(ls -t "$out/$t" | head -1)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$cpu" \
            $((done_s + cpu)) "${execs:-?}" "${cov:-?}" "${ft:-?}" "$n" "$st" >>"$tsv"
        if [ $rc -ne 0 ]; then
            cp "$log" "$out/$t.crash.log"
            break
        fi
    done
done
