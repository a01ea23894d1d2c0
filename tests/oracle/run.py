#!/usr/bin/env python3
"""Oracle tests: on the real captures of ../shared/pcaps, the operations
otsensor reports must equal what tshark dissects.

Each protocol has a module here (modbus.py, dnp3.py, ...) defining:
  PROTOCOLS   MANIFEST.tsv protocol names whose captures it checks
  FILTER      tshark display filter
  FIELDS      tshark fields (-T fields -e ...), one row per frame
  tshark_keys(row)   -> list of hashable keys for one frame (row: dict field -> list of values)
  eve_keys(event)    -> list of keys for one otsensor EVE record of this protocol
  TSHARK_OPTIONS  (optional) extra tshark arguments, e.g. ["-o", "uat:..."]
  EXCEPTIONS  {capture path: reason} where the two are known to differ, and why;
              or {capture: {"reason": ..., "only_tshark": {key: n}, "only_otsensor":
              {key: n}}} to accept exactly that difference and no other
Prints TAP: one test per (protocol, capture).  Prints a TAP skip when the
shared captures are missing, as in a distcheck tree.
"""
import collections
import glob
import importlib.util
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

HERE = os.path.dirname(os.path.abspath(__file__))


def load_modules(names):
    mods = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.py"))):
        name = os.path.basename(path)[:-3]
        if name in ("run", "common") or (names and name not in names):
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mods.append((name, mod))
    return mods


def manifest(shared):
    rows = []
    with open(os.path.join(shared, "MANIFEST.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def tshark_rows(path, display_filter, fields, options=()):
    cmd = ["tshark", "-r", path] + list(options) + [
        "-Y", display_filter, "-T", "fields", "-E", "separator=\t",
        "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        cols = line.split("\t")
        yield {f: [v for v in (cols[i] if i < len(cols) else "").split(",") if v != ""]
               for i, f in enumerate(fields)}


def otsensor_events(path, proto):
    binary = os.environ.get("OTSENSOR", "otsensor")
    out = subprocess.run([binary, "-r", path, "-e", "-", "--eve-types", proto],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        ev = json.loads(line)
        if ev.get("event_type") == proto:
            yield ev[proto]


def compare(mod, name, path):
    want = collections.Counter()
    for row in tshark_rows(path, mod.FILTER, mod.FIELDS, getattr(mod, "TSHARK_OPTIONS", ())):
        want.update(mod.tshark_keys(row))
    got = collections.Counter()
    for rec in otsensor_events(path, getattr(mod, "EVE_TYPE", name)):
        got.update(mod.eve_keys(rec))
    return want, got


def main():
    shared = os.environ.get("SHARED_PCAPS", os.path.join(HERE, "..", "..", "..", "shared", "pcaps"))
    if not os.path.exists(os.path.join(shared, "MANIFEST.tsv")):
        print("1..0 # SKIP shared captures not found at %s" % shared)
        return 0
    mods = load_modules(sys.argv[1:])
    rows = manifest(shared)
    tests = []
    for name, mod in mods:
        for r in rows:
            if r["protocol"] in mod.PROTOCOLS or r["file"] in getattr(mod, "EXTRA_CAPTURES", ()):
                tests.append((name, mod, r["file"]))
    print("1..%d" % len(tests))
    failed = 0
    agree_total = collections.Counter()
    for i, (name, mod, rel) in enumerate(tests, 1):
        path = os.path.join(shared, rel)
        want, got = compare(mod, name, path)
        same = sum((want & got).values())
        agree_total[name] += same
        agree_total[name + "/tshark"] += sum(want.values())
        reason = mod.EXCEPTIONS.get(rel)
        if isinstance(reason, dict):
            # a known difference stated exactly: any other difference fails
            exact = (dict(want - got) == reason.get("only_tshark", {}) and
                     dict(got - want) == reason.get("only_otsensor", {}))
            reason = reason["reason"] if exact else None
        if want == got:
            print("ok %d - %s %s (%d operations agree)" % (i, name, rel, same))
        elif reason:
            print("ok %d - %s %s # known difference: %s" % (i, name, rel, reason))
            print("#   only tshark: %s" % dict(want - got))
            print("#   only otsensor: %s" % dict(got - want))
        else:
            failed += 1
            print("not ok %d - %s %s: %d of %d tshark operations agree" %
                  (i, name, rel, same, sum(want.values())))
            print("#   only tshark: %s" % dict(want - got))
            print("#   only otsensor: %s" % dict(got - want))
    for name, _ in mods:
        total = agree_total[name + "/tshark"]
        print("# %s: %d of %d tshark operations matched" % (name, agree_total[name], total))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
