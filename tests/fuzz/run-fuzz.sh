#!/bin/bash
# Builds every libFuzzer target (clang) and runs each for SECONDS, seeded from
# tests/fuzz/corpus/<target>/ (and tests/pcaps for the pipeline), with
# tests/fuzz/dict/<target>.dict when there is one.  A crash fails the run and
# leaves its input in OUTDIR/<target>/ -- add it to the corpus as crash-<id>
# once fixed.
#   usage: run-fuzz.sh SECONDS OUTDIR [TARGET...]
# SECONDS 0 only builds.  TARGETs (default: all) are dissector names as in
# dissectors/registry-private.h (modbus, pndcp, ...) and decode, reasm, conf,
# rules (rule and tuning files), ioc, baseline, pipeline.
# The project's libraries come from a clang build tree in OUTDIR/build
# (configure CC=clang, instrumented for libFuzzer, ASan and UBSan), so the
# targets link exactly what the binary links.
set -eu
seconds=${1:-10}
out=${2:-/tmp/otsensor-fuzz}
shift 2 || shift $#
only=" $* "
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
build=$out/build
san="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"

if [ ! -f "$build/Makefile" ]; then
    mkdir -p "$build"
    if ! (cd "$build" && "$top/configure" CC=clang CFLAGS="$san -fsanitize=fuzzer-no-link" \
        --enable-sanitizers >configure.log 2>&1); then
        tail -20 "$build/configure.log"
        echo "fuzz: configure (clang) failed"
        exit 1
    fi
fi
if ! make -C "$build" -j2 otsensor >"$build/make.log" 2>&1; then
    grep -E 'error' "$build/make.log" | head -20
    echo "fuzz: the clang build failed (see $build/make.log)"
    exit 1
fi
# FUZZ_CPPFLAGS, FUZZ_LIBS: what the binary is compiled and linked with
eval "$(make -C "$build" -s fuzz-flags)"

wanted() { [ "$only" = "  " ] || [[ $only == *" $1 "* ]]; }

# link NAME SOURCE [CFLAGS...]: builds $out/fuzz-NAME
link() {
    local name=$1 src=$2
    shift 2
    (cd "$build" && clang $san -fsanitize=fuzzer $FUZZ_CPPFLAGS -I"$top/tests/unit" "$@" \
        "$top/tests/fuzz/$src" $FUZZ_LIBS -o "$out/fuzz-$name")
}

status=0
# run NAME SEEDS...: fuzzes $out/fuzz-NAME for $seconds into $out/corpus-NAME
run() {
    local t=$1
    shift
    [ "$seconds" -gt 0 ] || return 0
    local corpus="$out/corpus-$t"
    mkdir -p "$corpus" "$out/$t"
    local seeds=()
    for s in "$@"; do [ -d "$s" ] && seeds+=("$s"); done
    local dictopt=()
    [ -f "$top/tests/fuzz/dict/$t.dict" ] && dictopt=(-dict="$top/tests/fuzz/dict/$t.dict")
    if "$out/fuzz-$t" -max_total_time="$seconds" -artifact_prefix="$out/$t/" \
        -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 "${dictopt[@]}" "$corpus" \
        "${seeds[@]}" >"$out/$t.log" 2>&1; then
        local execs cov
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$out/$t.log" | tail -1)
        echo "target $t: ok, ${execs:-?} executions, $cov"
    else
        echo "target $t: CRASH (see $out/$t.log and $out/$t/)"
        tail -30 "$out/$t.log"
        status=1
    fi
}

corpus=$top/tests/fuzz/corpus
# One target per dissector of the registry.
for t in $(sed -n 's/^extern const struct ot_dissector \([a-z0-9_]*\)_dissector;/\1/p' \
    "$top/dissectors/registry-private.h"); do
    wanted "$t" || continue
    name=$(grep -h -A2 "^const struct ot_dissector ${t}_dissector" "$top"/dissectors/*.c |
        sed -n 's/.*\.name = "\([a-z0-9_]*\)".*/\1/p' | head -1)
    link "$t" fuzz-dissector.c -DFUZZ_DISSECTOR="${t}_dissector"
    run "$t" "$corpus/${name:-$t}" "$corpus/$t"
done
# The engine's parsers, and the whole engine fed a pcap.
if wanted decode; then link decode fuzz-decode.c && run decode "$corpus/decode"; fi
if wanted reasm; then link reasm fuzz-reasm.c && run reasm "$corpus/reasm"; fi
if wanted conf; then link conf fuzz-conf.c && run conf "$corpus/conf"; fi
# The rule language and tuning files, IOC lists, baseline files.
if wanted rules; then link rules fuzz-rules.c && run rules "$corpus/rules"; fi
if wanted ioc; then link ioc fuzz-ioc.c && run ioc "$corpus/ioc"; fi
if wanted baseline; then link baseline fuzz-baseline.c && run baseline "$corpus/baseline"; fi
if wanted pipeline; then
    link pipeline fuzz-pipeline.c && run pipeline "$corpus/pipeline" "$top/tests/pcaps"
fi
echo "fuzz: done"
exit $status
