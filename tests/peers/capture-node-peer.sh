#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# summary: capture a real protocol stack from npm talking to itself on the loopback.
#
# Usage: tests/peers/capture-node-peer.sh PEER
#   s7comm-snap7        node-snap7 S7Server and S7Client (tests/peers/s7comm-snap7.js),
#                       TCP 102                        -> tests/pcaps/s7comm-snap7.pcap
#   opcua-node-opcua    node-opcua server and client (tests/peers/opcua-node-opcua.js),
#                       TCP 4840                       -> tests/pcaps/opcua-node-opcua.pcap
#   bacnet-bacnet-js    @bacnet-js/client as a device and as a client
#                       (tests/peers/bacnet-bacnet-js.js), UDP 47808/47809
#                                                      -> tests/pcaps/bacnet-bacnet-js.pcap
# OUT=FILE overrides the output.  Needs root (tcpdump, port 102), node and npm
# (Node 20), a C++ compiler and Python 3 (node-gyp builds node-snap7 from source
# against /usr/include/node).  The packages come from tests/peers/package.json at
# the versions package-lock.json pins, installed with `npm ci` into $NODE_PEERS
# (default /tmp/otsensor-node-peers).
#
# The server starts first and prints "listening"; the client runs its fixed
# script, prints one "step NAME ok|error" line per step and exits 0 only if every
# step that must succeed did; then the server and tcpdump are stopped by their
# pids.  Each run gives different timestamps, ports and sequence numbers: commit
# the capture with its expected output, do not regenerate it in CI.
set -eu

# shellcheck disable=SC2034 # read by peerlib.sh
peer_name=capture-node-peer
# shellcheck source-path=SCRIPTDIR source=peerlib.sh
. "$(dirname "$0")/peerlib.sh"
peer_init
peer=${1:-}
case $peer in
s7comm-snap7) filter="tcp port 102" ;;
opcua-node-opcua) filter="tcp port 4840" ;;
bacnet-bacnet-js) filter="udp port 47808 or udp port 47809" ;;
*) die "unknown peer '$peer' (s7comm-snap7, opcua-node-opcua or bacnet-bacnet-js)" ;;
esac
out=${OUT:-$peer_here/../pcaps/$peer.pcap}
script=$peer_here/$peer.js

node_peers
# opcua: keep the PKI (certificates made by the server and client) out of the tree
export OPCUA_PEER_DIR="$work"

peer_capture "$filter"
peer_bg server timeout "${PEER_TIMEOUT:-120}" node "$script" server
wait_for "$work/server.out" "^listening" 600 ||
    die "server did not start: $(cat "$work/server.out")"

status=0
timeout "${PEER_TIMEOUT:-120}" node "$script" client >"$work/client.out" 2>&1 || status=$?
sed 's/^/client: /' "$work/client.out"
peer_stop server
sed 's/^/server: /' "$work/server.out" | tail -n 40
peer_finish "$work/final.pcap"
[ $status -eq 0 ] || die "the $peer peers failed (status $status); capture not written"
cat "$work/final.pcap" >"$out"
echo "$out written"
