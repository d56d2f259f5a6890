#!/usr/bin/env bash
# Fathom KV-cache generation vs eager PyTorch 1.13 on the same checkpoint, 2 threads, float32,
# batch 1, greedy: prefill of a 128-token prompt, then 256 decode steps. Runs alternate
# (Fathom, PyTorch, Fathom, ...) so that load on the shared machine hits both alike; prints
# every run, then best-of and median tokens/s and the ratios.
#   bash bench/llm_generate_side_by_side.sh [small|base ...]   (default: small base)
#   ROUNDS=3 REPS=2 PROMPT=128 NEW=256 bash bench/llm_generate_side_by_side.sh small
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
presets=("${@:-small base}"); [ $# -eq 0 ] && presets=(small base)
rounds="${ROUNDS:-3}"; reps="${REPS:-2}"; prompt="${PROMPT:-128}"; new="${NEW:-256}"
./mvnw -B -ntp -o -q -pl core,llm -am install -DskipTests
./mvnw -B -ntp -o -q -pl llm test-compile
jackson=$(find ~/.m2/repository/com/fasterxml/jackson/core -name 'jackson-*.jar' ! -name '*sources*' | tr '\n' ':')
cp="llm/target/test-classes:llm/target/classes:core/target/classes:$jackson"
java_run() { FATHOM_THREADS=2 "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp "$cp" \
  dev.fathom.llm.generate.GenerateBenchmark "$@" 2>&1 | grep -v "incubator modules"; }
for preset in "${presets[@]}"; do
  dir="runs/bench-generate-$preset"
  java_run write "$dir" "$preset" 512
  log="$dir/runs.txt"; : > "$log"
  for r in $(seq 1 "$rounds"); do
    java_run run "$dir" "$prompt" "$new" "$reps" | tee -a "$log"
    OMP_NUM_THREADS=2 /usr/bin/python3 bench/llm_generate_torch.py "$dir" --prompt "$prompt" --new "$new" --reps "$reps" --threads 2 | tee -a "$log"
  done
  /usr/bin/python3 - "$log" "$preset" <<'PY'
import re, statistics, sys
rows = {"fathom": {"prefill": [], "decode": []}, "torch": {"prefill": [], "decode": []}}
for line in open(sys.argv[1]):
    m = re.match(r"(fathom|torch) prefill_tok_s=([\d.]+) decode_tok_s=([\d.]+)", line)
    if m:
        rows[m[1]]["prefill"].append(float(m[2])); rows[m[1]]["decode"].append(float(m[3]))
print("== %s: tokens/s over %d Fathom and %d PyTorch runs" % (sys.argv[2], len(rows["fathom"]["decode"]), len(rows["torch"]["decode"])))
for k in ("prefill", "decode"):
    f, t = rows["fathom"][k], rows["torch"][k]
    print("%-8s best: fathom %8.1f  torch %8.1f  ratio %.2fx | median: fathom %8.1f  torch %8.1f  ratio %.2fx"
          % (k, max(f), max(t), max(f) / max(t), statistics.median(f), statistics.median(t), statistics.median(f) / statistics.median(t)))
PY
done
