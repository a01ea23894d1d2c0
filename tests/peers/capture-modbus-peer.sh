#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# summary: capture a real Modbus/TCP stack talking to itself on the loopback.
#
# Usage: tests/peers/capture-modbus-peer.sh [libmodbus|pymodbus] [PORT]
#   libmodbus (default): builds tests/peers/modbus-libmodbus.c against the
#       system libmodbus (Debian: libmodbus-dev) and writes
#       tests/pcaps/modbus-libmodbus.pcap
#   pymodbus: runs tests/peers/modbus-pymodbus.py with Debian's python3-pymodbus
#       ($PYTHON, default /usr/bin/python3) and writes tests/pcaps/modbus-pymodbus.pcap
#   PORT: default 502 (the sensor's port for Modbus; binding it needs root, as
#       does tcpdump).  OUT=FILE overrides the output path.
#
# It starts `tcpdump -i lo -w ... 'tcp port PORT'` (bounded by timeout), the
# server, then the client (which runs its fixed script and exits 0 only if
# every step answered as expected), stops the server and tcpdump by their pids,
# and moves the capture into place.  Each run gives different timestamps,
# ports and sequence numbers: commit the capture with its expected output,
# do not regenerate it in CI.
set -eu

peer=${1:-libmodbus}
port=${2:-502}
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/../pcaps/modbus-$peer.pcap}
PYTHON=${PYTHON:-/usr/bin/python3}

die() { echo "capture-modbus-peer: $*" >&2; exit 1; }

command -v tcpdump >/dev/null || die "tcpdump not found"
command -v timeout >/dev/null || die "timeout (coreutils) not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/modbus-peer.XXXXXX")
tcpd=
srv=
cleanup() {
    if [ -n "$srv" ]; then kill "$srv" 2>/dev/null || true; fi
    if [ -n "$tcpd" ]; then kill "$tcpd" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

case $peer in
libmodbus)
    pkg-config --exists libmodbus ||
        die "libmodbus not found (Debian: apt-get install libmodbus-dev)"
    # shellcheck disable=SC2046 # pkg-config output is meant to be split
    ${CC:-cc} -std=gnu11 -O1 -g -Wall -Wextra -Werror -o "$work/peer" \
        "$here/modbus-libmodbus.c" $(pkg-config --cflags --libs libmodbus)
    set -- "$work/peer"
    ;;
pymodbus)
    "$PYTHON" -c 'import pymodbus' 2>/dev/null ||
        die "pymodbus not importable by $PYTHON (Debian: apt-get install python3-pymodbus)"
    set -- "$PYTHON" "$here/modbus-pymodbus.py"
    ;;
*)
    die "unknown peer '$peer' (libmodbus or pymodbus)"
    ;;
esac

# wait_for FILE PATTERN: up to 10 s for PATTERN to appear in FILE
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || return 1
        sleep 0.1
    done
}

# --immediate-mode: without it the last packets can still sit in an unretired
# TPACKET_V3 block when tcpdump is stopped, and never reach the file
timeout 60 tcpdump -i lo --immediate-mode -U -n -w "$work/cap.pcap" "tcp port $port" \
    2>"$work/tcpdump.err" &
tcpd=$!
wait_for "$work/tcpdump.err" "listening on" ||
    die "tcpdump did not start: $(cat "$work/tcpdump.err")"

"$@" server "$port" >"$work/server.out" 2>&1 &
srv=$!
if ! wait_for "$work/server.out" "^listening"; then
    die "server did not start: $(cat "$work/server.out")"
fi

status=0
"$@" client "$port" || status=$?

# libmodbus's server exits when the client closes; pymodbus's on SIGTERM
i=0
while kill -0 "$srv" 2>/dev/null && [ $i -lt 20 ]; do
    i=$((i + 1))
    [ $i -eq 5 ] && kill -TERM "$srv" 2>/dev/null
    sleep 0.1
done
wait "$srv" || status=$?
srv=
sed 's/^/server: /' "$work/server.out"

sleep 0.5 # let the last FIN/ACK reach tcpdump
kill -INT "$tcpd" 2>/dev/null || true
wait "$tcpd" || true
tcpd=
[ $status -eq 0 ] || die "the $peer peers failed (status $status); capture not written"

n=$(tcpdump -r "$work/cap.pcap" -n 2>/dev/null | wc -l)
[ "$n" -gt 0 ] || die "empty capture"
cat "$work/cap.pcap" >"$out" # not mv: tcpdump created it as its own user
echo "$out: $n packets"
