#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# summary: capture st-ethernet-ip (scanner) talking EtherNet/IP to an OpENer adapter
# across a veth pair between two network namespaces the script makes.
#
# Usage: OPENER=/path/to/OpENer tests/peers/capture-enip-peer.sh
#   Writes tests/pcaps/enip-st-ethernet-ip.pcap (OUT=FILE overrides).  Needs root
#   (ip netns, tcpdump), iproute2, node and npm (st-ethernet-ip from
#   tests/peers/package.json, see capture-node-peer.sh), and OPENER: the POSIX
#   sample application of OpENer (github.com/EIPStackGroup/OpENer), built by you
#   beforehand: its README's "Compile for Linux/POSIX" (cmake, make; Debian's
#   libcap-dev).  This script does not fetch or build it.  The captures in the
#   tree were made with OpENer at commit 36943e6.
#
# Two namespaces, otsensor-enip-a-PID (the adapter, 192.0.2.2/24 on veth "enip-a")
# and otsensor-enip-s-PID (the scanner, 192.0.2.1/24 on "enip-s"): nothing leaves
# them; both are deleted at exit (which also removes the veth pair).  OpENer binds
# all addresses of its namespace; tcpdump listens on the scanner's veth; the
# client (tests/peers/enip-st-ethernet-ip.js) runs in the scanner's namespace.
set -eu

# shellcheck disable=SC2034 # read by peerlib.sh
peer_name=capture-enip-peer
# shellcheck source-path=SCRIPTDIR source=peerlib.sh
. "$(dirname "$0")/peerlib.sh"
peer_init
out=${OUT:-$peer_here/../pcaps/enip-st-ethernet-ip.pcap}
if [ -z "${OPENER:-}" ] || [ ! -x "$OPENER" ]; then
    die "set OPENER to an OpENer binary (EIPStackGroup/OpENer, bin/posix build)"
fi
command -v ip >/dev/null || die "ip (iproute2) not found"
node_peers

nsa=otsensor-enip-a-$$
nss=otsensor-enip-s-$$
netns_cleanup() {
    peer_cleanup
    ip netns del "$nsa" 2>/dev/null || true
    ip netns del "$nss" 2>/dev/null || true
}
trap netns_cleanup EXIT
ip netns add "$nsa"
ip netns add "$nss"
ip link add enip-s netns "$nss" type veth peer name enip-a netns "$nsa"
ip -n "$nsa" addr add 192.0.2.2/24 brd 192.0.2.255 dev enip-a
ip -n "$nss" addr add 192.0.2.1/24 brd 192.0.2.255 dev enip-s
for ns in "$nsa" "$nss"; do
    ip -n "$ns" link set lo up
done
ip -n "$nsa" link set enip-a up
ip -n "$nss" link set enip-s up
# a default route in each, so that 255.255.255.255 (ListIdentity) has a way out
ip -n "$nsa" route add default dev enip-a
ip -n "$nss" route add default dev enip-s

peer_capture "tcp port 44818 or udp port 44818 or udp port 2222" enip-s "$nss"
# OpENer keeps its non-volatile data (nvdata/) in its working directory
mkdir "$work/opener"
(cd "$work/opener" && exec timeout "${PEER_TIMEOUT:-120}" ip netns exec "$nsa" "$OPENER" enip-a) \
    >"$work/server.out" 2>&1 &
pid_server=$!
peer_pids="$peer_pids $pid_server"
i=0
until ip netns exec "$nsa" ss -ltn | grep -q ':44818'; do
    i=$((i + 1))
    [ $i -le 100 ] || die "OpENer did not start: $(cat "$work/server.out")"
    sleep 0.1
done

status=0
timeout "${PEER_TIMEOUT:-120}" ip netns exec "$nss" node "$peer_here/enip-st-ethernet-ip.js" \
    client 192.0.2.2 192.0.2.1 >"$work/client.out" 2>&1 || status=$?
sed 's/^/client: /' "$work/client.out"
peer_stop server
tail -n 20 "$work/server.out" | sed 's/^/server: /'
peer_finish "$work/final.pcap"
[ $status -eq 0 ] || die "the EtherNet/IP peers failed (status $status); capture not written"
cat "$work/final.pcap" >"$out"
echo "$out written"
