#!/bin/sh
# Regenerates the build system from configure.ac and the Makefile.am files.
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
# automake does not install the TAP driver by itself
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/
