#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-syslog: did rsyslog receive and parse every event of an EVE file?

Usage: check-syslog.py EVE RSYSLOG_OUT FORMAT HEADER TYPES [--allow-duplicates] [-q]

RSYSLOG_OUT holds one JSON object a line, as the test's rsyslog writes it:
the header fields rsyslog parsed (pri, app, procid, msgid, proto) and under
"data" what its parsers made of the message: mmjsonparse's object (json),
mmnormalize's "cef" object (cef), the "attrs" list of the LEEF rulebase
(leef), and mmpstrucdata's "rfc5424-sd" (rfc5424).  Every EVE event of
TYPES must be there, parsed, with the fields that format promises equal to
the event's and PRI = local0 with the severity mapped from the alert's;
nothing else may be.  Prints a summary line; exit 0 when so."""
import json
import sys
from datetime import datetime, timezone


def ms(ts):
    d = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f%z")
    return int(d.astimezone(timezone.utc).timestamp() * 1000)


def cef_sev(ev):
    if ev.get("event_type") != "alert":
        return "0"
    return {1: "9", 2: "6"}.get(ev["alert"].get("severity"), "3")


def pri(ev):
    """local0 (16) * 8 + the severity: 1 critical, 2 error, 3 warning, else info."""
    if ev.get("event_type") != "alert":
        return str(16 * 8 + 6)
    return str(16 * 8 + {1: 2, 2: 3}.get(ev["alert"].get("severity"), 4))


def expected_fields(ev, fmt):
    """What the parsed message must say about ev, as a comparable tuple."""
    alert = ev.get("event_type") == "alert"
    sid = str(ev["alert"]["signature_id"]) if alert else ev["event_type"]
    common = (str(ms(ev["timestamp"])), ev.get("src_ip"), str(ev.get("src_port", "")) or None,
              ev.get("dest_ip"), str(ev.get("dest_port", "")) or None)
    if fmt == "cef":
        return ("cef", pri(ev), sid, cef_sev(ev)) + common
    if fmt == "leef":
        return ("leef", pri(ev), sid, cef_sev(ev)) + common
    return ("json", pri(ev), json.dumps(ev, sort_keys=True))


def got_fields(rec, fmt):
    d = rec.get("data", {})
    if fmt == "cef":
        c = d.get("cef")
        if not c or c.get("DeviceVendor") != "otsensor":
            return None
        x = c.get("Extensions", {})
        return ("cef", rec.get("pri"), c.get("SignatureID"), c.get("Severity"), x.get("rt"), x.get("src"),
                x.get("spt"), x.get("dst"), x.get("dpt"))
    if fmt == "leef":
        if d.get("vendor") != "otsensor":
            return None
        a = {kv["n"]: kv["v"] for kv in d.get("attrs", [])}
        return ("leef", rec.get("pri"), d.get("eventid"), a.get("sev"), a.get("devTime"), a.get("src"),
                a.get("srcPort"), a.get("dst"), a.get("dstPort"))
    body = {k: v for k, v in d.items() if k not in ("rfc5424-sd", "parse")}
    return ("json", rec.get("pri"), json.dumps(body, sort_keys=True))


def main():
    eve, out, fmt, header, types = sys.argv[1:6]
    dup_ok = "--allow-duplicates" in sys.argv
    if "-q" in sys.argv:
        sys.stdout = open("/dev/null", "w")
    want_types = None if types == "all" else set(types.split(","))
    events = []
    for l in open(eve):
        if l.strip():
            ev = json.loads(l)
            if want_types is None or ev.get("event_type") in want_types:
                events.append(ev)
    recs = [json.loads(l) for l in open(out) if l.strip()]
    problems = []
    for r in recs:
        d = r.get("data", {})
        if d.get("parse") != "OK":
            problems.append("not parsed by rsyslog: %s" % json.dumps(r)[:200])
        if r.get("app") != "otsensor":
            problems.append("app-name %r" % r.get("app"))
        if header == "rfc5424":
            sd = d.get("rfc5424-sd", {}).get("otsensor@32473")
            if r.get("proto") != "1" or not sd or sd.get("event_type") != r.get("msgid"):
                problems.append("RFC 5424 header or SD: %s" % json.dumps(r)[:200])
    exp = {}
    for ev in events:
        k = expected_fields(ev, fmt)
        exp[k] = exp.get(k, 0) + 1
    got = {}
    for r in recs:
        k = got_fields(r, fmt)
        got[k] = got.get(k, 0) + 1
    missing = sum(max(0, n - got.get(k, 0)) for k, n in exp.items())
    extra = sum(max(0, n - exp.get(k, 0)) for k, n in got.items() if k not in exp)
    dups = sum(max(0, n - exp[k]) for k, n in got.items() if k in exp)
    bad = missing or extra or problems or (dups and not dup_ok)
    print("%d events, rsyslog parsed %d messages: %d missing, %d unexpected, %d duplicates%s" % (
        len(events), len(recs), missing, extra, dups,
        ("; " + problems[0]) if problems else ""))
    if missing:
        for k, n in list(exp.items()):
            if got.get(k, 0) < n:
                print("  missing: %s" % (k,)[:200])
                break
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
