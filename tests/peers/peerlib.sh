# SPDX-License-Identifier: BSD-3-Clause
# summary: shell helpers shared by the capture-*-peer.sh scripts (sourced, not run).
#
# A script sets `peer_name` and calls:
#   peer_init                  temp folder $work, EXIT/INT/TERM trap that stops
#                              every process registered with peer_bg and removes $work
#   peer_capture FILTER [IFACE [NETNS]]
#                              tcpdump -i lo (or IFACE in the network namespace
#                              NETNS) into $work/cap.pcap (bounded by timeout)
#   peer_bg NAME CMD...        start CMD in the background, output in $work/NAME.out
#   peer_stop NAME             SIGTERM, then SIGKILL after 2 s, the process NAME
#   peer_finish OUT            stop tcpdump, check the capture, copy it to OUT
#   node_peers                 install tests/peers/package.json (npm ci, pinned by
#                              package-lock.json) into $NODE_PEERS and export NODE_PATH
# Every process is started by the script itself and stopped by its pid.
# shellcheck shell=sh disable=SC2154 # peer_name: set by the sourcing script

die() {
    echo "$peer_name: $*" >&2
    exit 1
}

# wait_for FILE PATTERN [TENTHS]: up to TENTHS/10 s (default 10 s) for PATTERN in FILE
wait_for() {
    _i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        _i=$((_i + 1))
        [ $_i -le "${3:-100}" ] || return 1
        sleep 0.1
    done
}

peer_cleanup() {
    for _p in $peer_pids; do
        kill "$_p" 2>/dev/null || true
    done
    rm -rf "$work"
}

peer_init() {
    command -v tcpdump >/dev/null || die "tcpdump not found"
    command -v timeout >/dev/null || die "timeout (coreutils) not found"
    peer_here=$(cd "$(dirname "$0")" && pwd)
    peer_pids=
    work=$(mktemp -d "${TMPDIR:-/tmp}/$peer_name.XXXXXX")
    chmod 755 "$work" # daemons that drop privileges (mosquitto) read their files here
    trap peer_cleanup EXIT
    trap 'exit 1' INT TERM
}

# peer_bg NAME CMD...: the pid goes to the variable pid_NAME and to the cleanup list
peer_bg() {
    _n=$1
    shift
    "$@" >"$work/$_n.out" 2>&1 &
    eval "pid_$_n=$!"
    peer_pids="$peer_pids $!"
}

peer_stop() {
    eval "_p=\${pid_$1:-}"
    [ -n "$_p" ] || return 0
    kill -TERM "$_p" 2>/dev/null || true
    _i=0
    while kill -0 "$_p" 2>/dev/null && [ $_i -lt 20 ]; do
        _i=$((_i + 1))
        sleep 0.1
    done
    kill -KILL "$_p" 2>/dev/null || true
    wait "$_p" 2>/dev/null || true
    eval "pid_$1="
}

# --immediate-mode: without it the last packets can still sit in an unretired
# TPACKET_V3 block when tcpdump is stopped, and never reach the file
# peer_capture FILTER [IFACE [NETNS]]: on lo by default; on IFACE inside NETNS
peer_capture() {
    if [ -n "${3:-}" ]; then
        peer_bg tcpdump timeout "${PEER_TIMEOUT:-120}" ip netns exec "$3" tcpdump -i "$2" \
            --immediate-mode -U -n -w "$work/cap.pcap" "$1"
    else
        peer_bg tcpdump timeout "${PEER_TIMEOUT:-120}" tcpdump -i "${2:-lo}" --immediate-mode \
            -U -n -w "$work/cap.pcap" "$1"
    fi
    wait_for "$work/tcpdump.out" "listening on" ||
        die "tcpdump did not start: $(cat "$work/tcpdump.out")"
}

peer_finish() {
    sleep 0.5 # let the last FIN/ACK reach tcpdump
    eval "_p=\$pid_tcpdump"
    kill -INT "$_p" 2>/dev/null || true
    wait "$_p" 2>/dev/null || true
    # shellcheck disable=SC2034 # pid_NAME variables are read through eval
    pid_tcpdump=
    _n=$(tcpdump -r "$work/cap.pcap" -n 2>/dev/null | wc -l)
    [ "$_n" -gt 0 ] || die "empty capture"
    cat "$work/cap.pcap" >"$1" # not mv: tcpdump created it as its own user
    echo "$1: $_n packets"
}

# The npm packages of tests/peers/package.json, at the versions its lockfile
# pins, in $NODE_PEERS (default /tmp/otsensor-node-peers); installed once, again
# when the lockfile changes.  Native modules (node-snap7) are built from source
# against the system Node headers: prebuilt binaries are not downloaded.
node_peers() {
    command -v node >/dev/null || die "node not found (Debian: nodejs)"
    command -v npm >/dev/null || die "npm not found"
    NODE_PEERS=${NODE_PEERS:-/tmp/otsensor-node-peers}
    mkdir -p "$NODE_PEERS"
    if ! cmp -s "$peer_here/package-lock.json" "$NODE_PEERS/package-lock.json" ||
        [ ! -d "$NODE_PEERS/node_modules" ]; then
        cp "$peer_here/package.json" "$peer_here/package-lock.json" "$NODE_PEERS/"
        (cd "$NODE_PEERS" && npm_config_nodedir=${npm_config_nodedir:-/usr} \
            npm_config_build_from_source=true npm ci --no-audit --no-fund) ||
            die "npm ci in $NODE_PEERS failed"
    fi
    NODE_PATH=$NODE_PEERS/node_modules
    export NODE_PATH
}
