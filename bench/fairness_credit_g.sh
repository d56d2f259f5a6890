#!/usr/bin/env bash
# Fairness mitigation on German credit over several seeds: for each seed, trains the checkpoint
# (fathom train --model mlp, reused when already there), runs fathom fairness --json with each
# mitigation, and prints per seed and as mean ± sd over the seeds the demographic-parity
# difference and the accuracy on the test split, before (the checkpoint) and after.
#   bash bench/fairness_credit_g.sh                                  # age split at 25, seeds 1-5, all mitigations
#   SEEDS="1 2 3" MITIGATIONS="expgrad" bash bench/fairness_credit_g.sh --sensitive age --threshold 25
#   FOLDS=5 bash bench/fairness_credit_g.sh     # cross-validated: per seed, 5 models (fathom train --fold K/5), and the
#                                               # seed's figures are over the 1000 out-of-fold predictions
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
folds="${FOLDS:-}"
for s in $seeds; do
  for k in $(if [[ -n "$folds" ]]; then seq 1 "$folds"; else echo 0; fi); do
    model="$runs/credit-g-mlp-e$epochs-s$s"
    split=()
    if [[ "$k" != 0 ]]; then model="$model-f$k-of-$folds"; split=(--fold "$k/$folds"); fi
    if [[ ! -f "$model/config.json" ]]; then
      ./fathom train --data "$data" --model mlp --epochs "$epochs" --batch 32 --seed "$s" "${split[@]}" --out "$model" | tail -n 2 | head -n 1
    fi
    for m in $mitigations; do
      extra=()
      [[ "$m" == *+group ]] && extra=(--group-feature)
      ./fathom fairness --model "$model" --data "$data" --seed "$s" "${split[@]}" --mitigate "${m%+group}" "${extra[@]}" --json "${args[@]}" >> "$results"
    done
  done
done
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def ms(v):
    return f"{statistics.mean(v):.3f} ± {statistics.stdev(v) if len(v) > 1 else 0:.3f}"
def pooled(results):
    """DP difference and accuracy of the union of several runs' test predictions (each judged by its own model)."""
    n, sel, correct = {}, {}, 0.0
    for r in results:
        for g in r["groups"]:
            n[g["group"]] = n.get(g["group"], 0) + g["count"]
            sel[g["group"]] = sel.get(g["group"], 0) + g["selection_rate"] * g["count"]
            correct += g["accuracy"] * g["count"]
    rates = [sel[k] / n[k] for k in n]
    return max(rates) - min(rates), correct / sum(n.values()), sum(n.values())
first = rows[0]
cv = first.get("fold") is not None
print(f"sensitive {first['sensitive']} (threshold {first['threshold']}), groups {first['groups']} {first['group_sizes']}, "
      f"favorable '{first['favorable']}', " + ("cross-validated: each seed's figures are over its folds' out-of-fold predictions"
      if cv else f"test rows {first['test_rows']}"))
# per (mitigation, seed): the runs of that seed (one, or one per fold), pooled
by = {}
for r in rows:
    name = r["mitigation"] + ("+group" if r.get("group_feature") else "")
    by.setdefault(name, {}).setdefault(r["seed"], []).append(r)
def after(r):
    return r["results"][r["comparison"]["after"]]
def chance(rs):
    """The permutation chance level of a seed's pooled gap: the runs' mean level / sqrt(runs)."""
    return statistics.mean(after(r)["dp_difference_chance_level"] for r in rs) / len(rs) ** 0.5
print("| mitigation | seed | predictions | DP difference before | after | chance level after | accuracy before | after |")
print("|---|---|---|---|---|---|---|---|")
per = {}
for m, seeds in by.items():
    for s, rs in seeds.items():
        db, ab, n = pooled([r["results"]["model"] for r in rs])
        da, aa, _ = pooled([after(r) for r in rs])
        per.setdefault(m, []).append((db, da, ab, aa, chance(rs), n))
        print(f"| {m} | {s} | {n} | {db:.3f} | {da:.3f} | {chance(rs):.3f} | {ab:.3f} | {aa:.3f} |")
print()
print("Mean ± sd over the seeds; 'chance' is the mean permutation chance level of the mitigated decisions.")
print("| mitigation | seeds | DP difference before | after | reduction | chance after | accuracy before | after | cost (points) |")
print("|---|---|---|---|---|---|---|---|---|")
for m, v in per.items():
    b = [x[0] for x in v]; a = [x[1] for x in v]; ab = [x[2] for x in v]; aa = [x[3] for x in v]
    red = statistics.mean(b) / statistics.mean(a) if statistics.mean(a) > 0 else float("inf")
    print(f"| {m} | {len(v)} | {ms(b)} | {ms(a)} | {red:.1f}x | {statistics.mean(x[4] for x in v):.3f} | {ms(ab)} | {ms(aa)} | "
          f"{100 * (statistics.mean(ab) - statistics.mean(aa)):.1f} |")
print()
print("Pooled: every seed's test predictions taken together (each row judged by the model of its seed and fold); the chance")
print("level of the pooled gap is about the per-run chance level / sqrt(runs), and a reduction to below it is noise.")
print("| mitigation | test predictions | DP difference before | after | reduction | chance after | accuracy before | after | cost (points) |")
print("|---|---|---|---|---|---|---|---|---|")
for m, seeds in by.items():
    rs = [r for v in seeds.values() for r in v]
    db, accb, total = pooled([r["results"]["model"] for r in rs])
    da, acca, _ = pooled([after(r) for r in rs])
    print(f"| {m} | {total} | {db:.3f} | {da:.3f} | {db / da if da > 0 else float('inf'):.1f}x | {chance(rs):.3f} | {accb:.3f} | {acca:.3f} | "
          f"{100 * (accb - acca):.1f} |")
PY
