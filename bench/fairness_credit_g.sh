#!/usr/bin/env bash
# Fairness mitigation on German credit over several seeds: for each seed, trains the checkpoint
# (fathom train --model mlp, reused when already there), runs fathom fairness --json with each
# mitigation, and prints per seed and as mean ± sd over the seeds the demographic-parity
# difference and the accuracy on the test split, before (the checkpoint) and after.
#   bash bench/fairness_credit_g.sh                                  # age split at 25, seeds 1-5, all mitigations
#   SEEDS="1 2 3" MITIGATIONS="expgrad" bash bench/fairness_credit_g.sh --sensitive age --threshold 25
# The arguments after the script name go to fathom fairness (default: --sensitive age --threshold 25).
# credit-g.arff comes from $WEKA_EXAMPLES, else /usr/share/doc/weka/examples (Debian's weka package).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
data="${WEKA_EXAMPLES:-/usr/share/doc/weka/examples}/credit-g.arff"
[[ -f "$data" ]] || { echo "no $data: set WEKA_EXAMPLES to the folder holding credit-g.arff" >&2; exit 2; }
seeds="${SEEDS:-1 2 3 4 5}"
mitigations="${MITIGATIONS:-reweigh threshold expgrad expgrad+group}"  # +group: the learner also sees the group
epochs="${EPOCHS:-4}"
args=("$@")
[[ ${#args[@]} -gt 0 ]] || args=(--sensitive age --threshold 25)
runs="runs/fairness"
mkdir -p "$runs"
results="$runs/results.jsonl"
: > "$results"
for s in $seeds; do
  model="$runs/credit-g-mlp-e$epochs-s$s"
  if [[ ! -f "$model/config.json" ]]; then
    ./fathom train --data "$data" --model mlp --epochs "$epochs" --batch 32 --seed "$s" --out "$model" | tail -n 2 | head -n 1
  fi
  for m in $mitigations; do
    extra=()
    [[ "$m" == *+group ]] && extra=(--group-feature)
    ./fathom fairness --model "$model" --data "$data" --seed "$s" --mitigate "${m%+group}" "${extra[@]}" --json "${args[@]}" >> "$results"
  done
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def ms(v):
    return f"{statistics.mean(v):.3f} ± {statistics.stdev(v) if len(v) > 1 else 0:.3f}"
def pooled(results):
    """DP difference and accuracy of the union of the seeds' test predictions (each seed's own model and split)."""
    n, sel, correct = {}, {}, 0.0
    for r in results:
        for g in r["groups"]:
            n[g["group"]] = n.get(g["group"], 0) + g["count"]
            sel[g["group"]] = sel.get(g["group"], 0) + g["selection_rate"] * g["count"]
            correct += g["accuracy"] * g["count"]
    rates = [sel[k] / n[k] for k in n]
    return max(rates) - min(rates), correct / sum(n.values())
first = rows[0]
print(f"sensitive {first['sensitive']} (threshold {first['threshold']}), groups {first['groups']} {first['group_sizes']}, "
      f"favorable '{first['favorable']}', test rows {first['test_rows']}")
print("| mitigation | seed | DP difference before | after | chance level after | accuracy before | after |")
print("|---|---|---|---|---|---|---|")
by = {}
for r in rows:
    c = r["comparison"]
    name = r["mitigation"] + ("+group" if r.get("group_feature") else "")
    by.setdefault(name, []).append(r)
    a = r["results"][c["after"]]
    print(f"| {name} | {r['seed']} | {c['dp_difference_before']:.3f} | {c['dp_difference_after']:.3f} | "
          f"{a['dp_difference_chance_level']:.3f} | {c['accuracy_before']:.3f} | {c['accuracy_after']:.3f} |")
print()
print("Mean ± sd over the seeds; 'chance' is the mean permutation chance level of the mitigated decisions.")
print("| mitigation | seeds | DP difference before | after | reduction | chance after | accuracy before | after | cost (points) |")
print("|---|---|---|---|---|---|---|---|---|")
for m, rs in by.items():
    cs = [r["comparison"] for r in rs]
    b = [c["dp_difference_before"] for c in cs]; a = [c["dp_difference_after"] for c in cs]
    ab = [c["accuracy_before"] for c in cs]; aa = [c["accuracy_after"] for c in cs]
    chance = [r["results"][r["comparison"]["after"]]["dp_difference_chance_level"] for r in rs]
    red = statistics.mean(b) / statistics.mean(a) if statistics.mean(a) > 0 else float("inf")
    print(f"| {m} | {len(cs)} | {ms(b)} | {ms(a)} | {red:.1f}x | {statistics.mean(chance):.3f} | {ms(ab)} | {ms(aa)} | "
          f"{100 * (statistics.mean(ab) - statistics.mean(aa)):.1f} |")
print()
print("Pooled: the seeds' test predictions taken together (each row judged by the model of its seed); the chance level of")
print("the pooled gap is about the per-seed chance level / sqrt(seeds), and a reduction to below it is noise.")
print("| mitigation | test predictions | DP difference before | after | reduction | chance after | accuracy before | after | cost (points) |")
print("|---|---|---|---|---|---|---|---|---|")
for m, rs in by.items():
    db, accb = pooled([r["results"]["model"] for r in rs])
    da, acca = pooled([r["results"][r["comparison"]["after"]] for r in rs])
    total = sum(r["test_rows"] for r in rs)
    chance = statistics.mean(r["results"][r["comparison"]["after"]]["dp_difference_chance_level"] for r in rs) / len(rs) ** 0.5
    print(f"| {m} | {total} | {db:.3f} | {da:.3f} | {db / da if da > 0 else float('inf'):.1f}x | {chance:.3f} | {accb:.3f} | {acca:.3f} | "
          f"{100 * (accb - acca):.1f} |")
PY
