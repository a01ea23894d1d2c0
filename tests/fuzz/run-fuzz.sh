#!/bin/bash
# Builds a libFuzzer target (clang) for every dissector in the registry and
# runs each for SECONDS, seeded from tests/fuzz/corpus/<name>/.  A crash fails
# the run and leaves its input in OUTDIR/<name>/ -- add it to the corpus as
# crash-<id> once fixed.   usage: run-fuzz.sh SECONDS OUTDIR
set -eu
seconds=${1:-10}
out=${2:-/tmp/otsensor-fuzz}
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out/obj"
flags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -DOT_SANITIZERS -I$top/dissectors"
objs=""
for src in "$top"/dissectors/*.c; do
    obj="$out/obj/$(basename "$src" .c).o"
    clang $flags -c "$src" -o "$obj"
    objs="$objs $obj"
done
# The entries of the table, as registry-private.h declares them.
targets=$(sed -n 's/^extern const struct ot_dissector \([a-z0-9_]*\)_dissector;/\1/p' \
    "$top/dissectors/registry-private.h")
status=0
run_target() { # name binary seeds...
    local t=$1 bin=$2
    shift 2
    local corpus="$out/corpus-$t"
    mkdir -p "$corpus" "$out/$t"
    local dictopt=""
    [ -f "$top/tests/fuzz/dict/$t.dict" ] && dictopt="-dict=$top/tests/fuzz/dict/$t.dict"
    if "$bin" -max_total_time="$seconds" -artifact_prefix="$out/$t/" -print_final_stats=1 \
        -rss_limit_mb=4096 $dictopt "$corpus" "$@" >"$out/$t.log" 2>&1; then
        local execs cov
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
        cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -1)
        echo "target $t: ok, ${execs:-?} executions, $cov"
    else
        echo "target $t: CRASH (see $out/$t.log and $out/$t/)"
        tail -30 "$out/$t.log"
        status=1
    fi
}
for t in $targets; do
    name=$(grep -A2 "^const struct ot_dissector ${t}_dissector" "$top"/dissectors/*.c |
        sed -n 's/.*\.name = "\([a-z0-9_]*\)".*/\1/p' | head -1)
    name=${name:-$t}
    bin="$out/fuzz-$t"
    clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -I"$top/dissectors" -DFUZZ_DISSECTOR="${t}_dissector" \
        "$top/tests/fuzz/fuzz-dissector.c" $objs -o "$bin"
    seeds="$top/tests/fuzz/corpus/$name"
    if [ -d "$seeds" ]; then run_target "$t" "$bin" "$seeds"; else run_target "$t" "$bin"; fi
done
# The whole engine fed a pcap, seeded with the golden captures.
engine=$(ls "$top"/sensor/*.c | grep -v '/main\.c$')
deps=$(pkg-config --cflags --libs libpcap libndpi yaml-0.1 jansson libevent)
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$top/dissectors" -I"$top/sensor" "$top/tests/fuzz/fuzz-pipeline.c" $engine $objs \
    $deps -lm -lpthread -o "$out/fuzz-pipeline"
run_target pipeline "$out/fuzz-pipeline" "$top/tests/pcaps"
echo "fuzz: done"
exit $status
