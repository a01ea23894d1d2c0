#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""compare-events: the protocol records of the normal conversations must be the
same with and without a flood.

usage: compare-events.py REFERENCE.json FLOODED.json

REFERENCE holds the EVE output of the normal conversations alone (gen-floods.py
--reference); FLOODED the output of the same conversations under a flood.  Every
protocol record (event types other than flow, stats, alert, asset and the like)
of REFERENCE is looked for in FLOODED, on the same addresses and ports, with the
same content except what depends on packet timing (timestamp, flow_id,
latency_us).  Exit 0 when the two sets are equal; otherwise the differences."""

import collections
import json
import sys

NOT_RECORDS = {"flow", "stats", "alert", "asset", "anomaly", "baseline", "inventory", "device"}
TIMING = {"latency_us"}


def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in TIMING}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


def records(path, tuples=None):
    out = collections.Counter()
    seen = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            t = ev.get("event_type")
            if t in NOT_RECORDS or t not in ev:
                continue
            tup = (ev.get("src_ip"), ev.get("src_port"), ev.get("dest_ip"), ev.get("dest_port"))
            if tuples is not None and tup not in tuples:
                continue
            seen.add(tup)
            out[(t, tup, json.dumps(strip(ev[t]), sort_keys=True))] += 1
    return out, seen


def main():
    ref, tuples = records(sys.argv[1])
    got, _ = records(sys.argv[2], tuples)
    if not ref:
        print("no protocol records in the reference")
        return 1
    missing = ref - got
    extra = got - ref
    print("%d records on %d flows in the reference; %d missing, %d unexpected under the flood" %
          (sum(ref.values()), len(tuples), sum(missing.values()), sum(extra.values())))
    for label, c in (("missing", missing), ("unexpected", extra)):
        for k, n in list(c.items())[:5]:
            print("  %s x%d: %s %s %s" % (label, n, k[0], k[1], k[2][:300]))
    return 0 if not missing and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
