#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# summary: regenerate every real-stack capture of tests/pcaps (not part of make check).
#
# Usage: sudo tests/peers/capture-all.sh [NAME...]
#   NAME: modbus-libmodbus modbus-pymodbus mqtt-mosquitto s7comm-snap7
#         opcua-node-opcua bacnet-bacnet-js enip-st-ethernet-ip (default: all)
#   enip-st-ethernet-ip needs OPENER=/path/to/OpENer (see capture-enip-peer.sh);
#   without it that capture is skipped with a message.
# Each capture differs from run to run (timestamps, ports, sequence numbers,
# certificates): after regenerating, run tests/peers/check-peers.py on the build
# (it checks the sensor reports what each script asked its stack to do), then
# tests/update-golden on the matching TESTLIST lines, and review both diffs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- modbus-libmodbus modbus-pymodbus mqtt-mosquitto s7comm-snap7 \
    opcua-node-opcua bacnet-bacnet-js enip-st-ethernet-ip
failed=
for name in "$@"; do
    echo "== $name"
    case $name in
    modbus-libmodbus) "$here/capture-modbus-peer.sh" libmodbus || failed="$failed $name" ;;
    modbus-pymodbus) "$here/capture-modbus-peer.sh" pymodbus || failed="$failed $name" ;;
    mqtt-mosquitto) "$here/capture-mqtt-peer.sh" || failed="$failed $name" ;;
    s7comm-snap7 | opcua-node-opcua | bacnet-bacnet-js)
        "$here/capture-node-peer.sh" "$name" || failed="$failed $name"
        ;;
    enip-st-ethernet-ip)
        if [ -n "${OPENER:-}" ]; then
            "$here/capture-enip-peer.sh" || failed="$failed $name"
        else
            echo "skipped: set OPENER to an OpENer binary (see capture-enip-peer.sh)"
        fi
        ;;
    *)
        echo "unknown capture '$name'" >&2
        failed="$failed $name"
        ;;
    esac
done
if [ -n "$failed" ]; then
    echo "failed:$failed" >&2
    exit 1
fi
