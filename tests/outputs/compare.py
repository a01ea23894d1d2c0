#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""compare: do the events a sink delivered equal the EVE file's, once each, in order?

Usage: compare.py EVE SINK_FILE KIND TYPES [--allow-duplicates] [-q]

KIND says how SINK_FILE holds the events (redis-cli output on a pipe, one
value a line): lines or list (LRANGE), stream (XRANGE: id, "event", value),
channel (subscribe.py: one value a line), json-lines (one event a
line).  TYPES: "all" or a comma list of event types kept from EVE.  The
events are compared byte for byte (the whole EVE line is the identity).
Prints a one-line summary; exit 0 when equal (with --allow-duplicates:
when every EVE event arrived, in order of first arrival)."""
import sys


def sink_values(path, kind):
    lines = open(path, encoding="utf-8", errors="surrogateescape").read().split("\n")
    if kind in ("lines", "list", "json-lines"):
        return [l for l in lines if l.startswith("{")]
    out = []
    if kind == "stream":
        for i in range(len(lines) - 1):
            if lines[i] == "event" and lines[i + 1].startswith("{"):
                out.append(lines[i + 1])
    elif kind == "channel":
        out = [l for l in lines if l.startswith("{")]
    return out


def main():
    eve, sink, kind, types = sys.argv[1:5]
    dup_ok = "--allow-duplicates" in sys.argv
    if "-q" in sys.argv:
        sys.stdout = open("/dev/null", "w")
    want_types = None if types == "all" else set(types.split(","))
    expected = []
    for l in open(eve, encoding="utf-8", errors="surrogateescape"):
        l = l.rstrip("\n")
        if not l:
            continue
        if want_types is not None:
            t = l.split('"event_type":"', 1)[1].split('"', 1)[0] if '"event_type":"' in l else ""
            if t not in want_types:
                continue
        expected.append(l)
    got = sink_values(sink, kind)
    dups = len(got) - len(set(got))
    if dup_ok:
        seen = set()
        firsts = []
        for g in got:
            if g not in seen:
                seen.add(g)
                firsts.append(g)
        got_cmp = firsts
    else:
        got_cmp = got
    if got_cmp == expected:
        print("%d events, equal, in order%s" % (len(expected),
              (", %d duplicates" % dups) if dups else ""))
        return 0
    exp_set, got_set = set(expected), set(got)
    missing = [e for e in expected if e not in got_set]
    extra = [g for g in got if g not in exp_set]
    print("EVE %d events, sink %d (%d duplicates); missing %d, unexpected %d%s" % (
        len(expected), len(got), dups, len(missing), len(extra),
        "; same set, different order" if not missing and not extra else ""))
    for m in missing[:3]:
        print("  missing: " + m[:160])
    for x in extra[:3]:
        print("  unexpected: " + x[:160])
    return 1


if __name__ == "__main__":
    sys.exit(main())
