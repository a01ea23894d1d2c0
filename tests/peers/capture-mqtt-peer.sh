#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# summary: capture Eclipse Mosquitto and its clients talking MQTT on the loopback.
#
# Usage: tests/peers/capture-mqtt-peer.sh [PORT]
#   Writes tests/pcaps/mqtt-mosquitto.pcap (OUT=FILE overrides).  Needs root
#   (tcpdump), and Debian's mosquitto and mosquitto-clients.  PORT: default 1883.
#
# The broker listens on 127.0.0.1 only, with a password file (user "operator",
# password "s3cret") and anonymous access allowed.  The clients, in order
# (tests/peers/check-peers.py checks the sensor reports each of them):
#   1. sub-all (anonymous, MQTT 3.1.1) subscribes to plant/# at QoS 2
#   2. pub-q0 / pub-q1 / pub-q2 (anonymous, 3.1.1) publish to plant/line1/temp
#      at QoS 0, 1, 2 (payloads 20.5, 21.5, 22.5)
#   3. pub-retain publishes "42" retained at QoS 1 to plant/line1/setpoint
#   4. pub-user (user operator, MQTT 5.0) publishes "start" at QoS 1 to plant/line2/cmd
#   5. pub-badpw (user operator, wrong password, 3.1.1) is refused (CONNACK 5)
#   6. sub-will (anonymous, 3.1.1) connects with a will (plant/status, "offline",
#      QoS 1, retained), subscribes to plant/line3/#, and is killed: the broker
#      publishes the will
#   7. sub-retained (MQTT 5.0) subscribes to plant/line1/setpoint and receives
#      the retained message
set -eu

# shellcheck disable=SC2034 # read by peerlib.sh
peer_name=capture-mqtt-peer
# shellcheck source-path=SCRIPTDIR source=peerlib.sh
. "$(dirname "$0")/peerlib.sh"
peer_init
port=${1:-1883}
out=${OUT:-$peer_here/../pcaps/mqtt-mosquitto.pcap}
host=127.0.0.1

for p in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd; do
    command -v $p >/dev/null || die "$p not found (Debian: mosquitto, mosquitto-clients)"
done

mosquitto_passwd -b -c "$work/passwd" operator s3cret
cat >"$work/mosquitto.conf" <<EOF
user root
per_listener_settings false
listener $port $host
allow_anonymous true
password_file $work/passwd
persistence false
log_dest stderr
log_type all
EOF

peer_capture "tcp port $port"
peer_bg broker mosquitto -c "$work/mosquitto.conf"
wait_for "$work/broker.out" "Opening ipv4 listen socket on port $port" ||
    die "mosquitto did not start: $(cat "$work/broker.out")"

pub() { mosquitto_pub -h $host -p "$port" "$@"; }

# 1. a subscriber to everything under plant/, kept until the end
peer_bg suball mosquitto_sub -h $host -p "$port" -V mqttv311 -i sub-all -q 2 -t 'plant/#' -v
wait_for "$work/broker.out" "New client connected.* as sub-all" || die "sub-all did not connect"
sleep 0.3

# 2. QoS 0, 1, 2
pub -V mqttv311 -i pub-q0 -q 0 -t plant/line1/temp -m 20.5
pub -V mqttv311 -i pub-q1 -q 1 -t plant/line1/temp -m 21.5
pub -V mqttv311 -i pub-q2 -q 2 -t plant/line1/temp -m 22.5
# 3. retained
pub -V mqttv311 -i pub-retain -q 1 -r -t plant/line1/setpoint -m 42
# 4. credentials, MQTT 5.0
pub -V mqttv5 -i pub-user -u operator -P s3cret -q 1 -t plant/line2/cmd -m start
# 5. a wrong password: mosquitto_pub must fail
if pub -V mqttv311 -i pub-badpw -u operator -P wrong -q 0 -t plant/line2/cmd -m stop \
    2>"$work/badpw.err"; then
    die "the broker accepted a wrong password"
fi
# 6. a will, published when the client dies
peer_bg subwill mosquitto_sub -h $host -p "$port" -V mqttv311 -i sub-will -q 1 \
    -t 'plant/line3/#' --will-topic plant/status --will-payload offline --will-qos 1 \
    --will-retain
wait_for "$work/broker.out" "New client connected.* as sub-will" || die "sub-will did not connect"
sleep 0.3
eval "kill -KILL \$pid_subwill"
wait_for "$work/suball.out" "plant/status offline" 30 || die "the will was not delivered"
# 7. the retained message, MQTT 5.0
mosquitto_sub -h $host -p "$port" -V mqttv5 -i sub-retained -q 1 -t plant/line1/setpoint \
    -C 1 -W 5 -v >"$work/retained.out"
grep -q "plant/line1/setpoint 42" "$work/retained.out" || die "no retained message"

sleep 0.3
for m in "plant/line1/temp 20.5" "plant/line1/temp 21.5" "plant/line1/temp 22.5" \
    "plant/line2/cmd start"; do
    grep -q "$m" "$work/suball.out" || die "sub-all did not receive '$m'"
done
peer_stop suball
sleep 0.2
peer_stop broker
peer_finish "$out"
