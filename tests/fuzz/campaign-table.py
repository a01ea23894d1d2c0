#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""campaign-table: the figures of a fuzzing campaign, as a Markdown table.

Usage: campaign-table.py CAMPAIGN.TSV [MORE.TSV ...]

Reads the lines campaign.sh appends (one per slice: time, target, CPU
seconds of the slice and in all, executions, cov, ft, corpus size, status)
and prints, per target: CPU time in all, executions summed over the slices,
the coverage of the last slice (libFuzzer's cov = edges, ft = features),
the corpus size, and the slices that stopped on a crash.  Several files
(campaigns run into different folders) add up.
"""

import sys


def main(paths):
    targets = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 9 or cols[0] == "time":
                    continue
                _, name, slice_cpu, _, execs, cov, ft, corpus, status = cols[:9]
                t = targets.setdefault(name, {"cpu": 0, "execs": 0, "slices": 0, "crashes": []})
                t["cpu"] += int(slice_cpu)
                t["execs"] += int(execs) if execs.isdigit() else 0
                t["slices"] += 1
                t["cov"], t["ft"], t["corpus"] = cov, ft, corpus
                if status != "ok":
                    t["crashes"].append(status)
    print("| target | CPU time | executions | cov | ft | corpus | crashes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name in sorted(targets):
        t = targets[name]
        h, m = divmod(t["cpu"] // 60, 60)
        crashes = "; ".join(t["crashes"]) or "none"
        print(f"| {name} | {h} h {m:02d} min | {t['execs']:,} | {t['cov']} | {t['ft']} "
              f"| {t['corpus']} | {crashes} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
