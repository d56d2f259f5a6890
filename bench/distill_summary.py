"""Mean and sample std of the distill.json files written by `fathom compress distill`, per arm.

Usage: python3 bench/distill_summary.py /tmp/distill-runs/cnn-*-s* /tmp/distill-runs/lm-*-s*
An arm is the run directory name without its -sSEED suffix.
"""
import json
import os
import re
import statistics
import sys

arms = {}
for d in sys.argv[1:]:
    f = os.path.join(d, "distill.json")
    if not os.path.isfile(f):
        continue
    j = json.load(open(f))
    arm = re.sub(r"-s\d+$", "", os.path.basename(d.rstrip("/")))
    key = "test_accuracy" if "test_accuracy" in j else "val_loss"
    arms.setdefault(arm, []).append((j["seed"], j[key], key, j["temperature"], j["alpha"]))
for arm, rows in sorted(arms.items()):
    vals = [v for _, v, _, _, _ in sorted(rows)]
    sd = statistics.stdev(vals) if len(vals) > 1 else float("nan")
    scale = 100 if rows[0][2] == "test_accuracy" else 1
    per = ", ".join(f"s{s}: {v * scale:.4g}" for s, v, _, _, _ in sorted(rows))
    print(f"{arm:16s} T={rows[0][3]:g} alpha={rows[0][4]:g} {rows[0][2]}: mean {statistics.mean(vals) * scale:.4f} "
          f"± {sd * scale:.4f} (n={len(vals)}; {per})")
