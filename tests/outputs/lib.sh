# SPDX-License-Identifier: BSD-3-Clause
# Shared by the output tests (sourced): TAP helpers, a private temporary
# directory, free loopback ports, bounded waits, and the servers a test
# starts, each stopped by the EXIT trap whatever happens.
set -u
ots=${OTSENSOR:-otsensor}
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
outdir=$top/tests/outputs
tmp=$(mktemp -d /tmp/otsensor-outputs.XXXXXX) || exit 99
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }
check() { # description, then a command whose success is the test
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
finish() { [ "$fails" -eq 0 ]; exit $?; }
need() { # skip the whole test when a tool is missing
    for c in "$@"; do
        if ! command -v "$c" >/dev/null 2>&1; then
            echo "1..0 # SKIP $c is not installed (contrib/debian-packages.txt)"
            exit 0
        fi
    done
}
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_for SECONDS CMD...: until CMD succeeds, at most SECONDS
wait_for() {
    local t=$1
    shift
    local end=$(($(date +%s) + t))
    while [ "$(date +%s)" -le "$end" ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
track() { pids="$pids $1"; }
# serve CMD...: a server in the background, bounded in time even if this
# script is killed before its trap runs; sets spid (the timeout wrapper,
# which passes SIGTERM on) and server_pid (the server itself, for SIGKILL)
SERVER_SECONDS=${SERVER_SECONDS:-600}
serve() {
    timeout --kill-after=5 "$SERVER_SECONDS" "$@" &
    spid=$!
    track $spid
    server_pid=""
    for _ in $(seq 50); do
        server_pid=$(pgrep -P "$spid" | head -1)
        [ -n "$server_pid" ] && break
        sleep 0.02
    done
}
untrack() { pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' '); }
# the event types a sink must carry to compare something: alerts when the
# capture raises any, otherwise every type through the same code path
types_for() { # CAPTURE
    "$ots" -r "$1" -e - 2>/dev/null | grep -q '"event_type":"alert"' && echo alert || echo all
}
