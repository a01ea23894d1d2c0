#!/bin/sh
# The README's first command: install what is needed, build, and replay the
# bundled demo capture with the embedded default configuration.
set -e
cd "$(dirname "$0")/.."
sh contrib/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
[ -f Makefile ] || ./configure >/dev/null
make -j"$(nproc)" otsensor >/dev/null
./otsensor -r tests/pcaps/modbus-libmodbus.pcap -e -
