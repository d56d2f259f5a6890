#!/usr/bin/env python3
"""Pearson correlation of predicted vs actual change in a `fathom dynamics` dynamics.csv, by subset.

Usage: python3 bench/dynamics_correlation.py OUT/dynamics.csv

For the LM modes it splits the probes into those on the update's own prompt ("update ...") and
those on other prompts, and by response kind, so that a few large points (the update's own
response) cannot carry the correlation alone. For the classifier mode it reports all entries and
the entries with |actual| below the median (the small changes).
"""
import csv
import math
import sys


def pearson(a, b):
    n = len(a)
    if n < 2:
        return float("nan")
    ma, mb = sum(a) / n, sum(b) / n
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb)


def report(name, rows):
    p = [float(r["predicted"]) for r in rows]
    a = [float(r["actual"]) for r in rows]
    print(f"{name:32s} n={len(rows):6d}  pearson={pearson(p, a):.6f}")


def main(path):
    rows = list(csv.DictReader(open(path)))
    report("all", rows)
    if "kind" in rows[0]:
        report("other prompts (not the update's)", [r for r in rows if not r["kind"].startswith("update")])
        for kind in sorted({r["kind"] for r in rows}):
            report("kind: " + kind, [r for r in rows if r["kind"] == kind])
    else:
        med = sorted(abs(float(r["actual"])) for r in rows)[len(rows) // 2]
        report("|actual| below the median", [r for r in rows if abs(float(r["actual"])) < med])


if __name__ == "__main__":
    main(sys.argv[1])
