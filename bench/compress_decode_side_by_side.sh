#!/usr/bin/env bash
# Quantized decode, Fathom against PyTorch on the same checkpoint: batch 1, 2 threads, greedy, a
# 16-token prompt then 128 decode steps. Fathom: float32, q8_0 and int8 (weight-only; embedding and
# head quantized too, the defaults) and w8a8 (int8 weights × int8 activations per token), all in one
# `compress report`; PyTorch 1.13 (Debian's python3-torch): the eager float model of
# bench/llm_generate_torch.py, and the same with torch.ao's dynamic int8 quantization of every
# projection and the head, on each quantized engine this build has (onednn, qnnpack; no fbgemm).
# Rounds alternate Fathom and PyTorch; prints every run, then medians and ratios.
#   bash bench/compress_decode_side_by_side.sh MODEL_DIR OUT_DIR [FATHOM]   (ROUNDS=3)
set -euo pipefail
MODEL=${1:?model directory}; OUT=${2:?output directory}; FATHOM=${3:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}; ROUNDS=${ROUNDS:-3}
mkdir -p "$OUT"; log="$OUT/runs.txt"; : > "$log"
$FATHOM compress quantize --model "$MODEL" --method rtn --format q8_0 --out "$OUT/q8_0" 2>&1 | grep -v WARN
$FATHOM compress quantize --model "$MODEL" --method rtn --format int8 --out "$OUT/int8" 2>&1 | grep -v WARN
$FATHOM compress quantize --model "$MODEL" --method w8a8 --format int8 --out "$OUT/w8a8" 2>&1 | grep -v WARN
torch() { OMP_NUM_THREADS=2 /usr/bin/python3 bench/llm_generate_torch.py "$MODEL" --prompt 16 --new 128 --reps 2 --threads 2 "$@" 2>/dev/null; }
for r in $(seq 1 "$ROUNDS"); do
  FATHOM_THREADS=2 $FATHOM compress report --models "$MODEL" "$OUT/q8_0" "$OUT/int8" "$OUT/w8a8" --text "$TEXT" --eval-tokens 64 \
    --rounds 5 --decode-tokens 128 --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for line, name in zip(sys.stdin, ["float32", "q8_0", "int8", "w8a8"]):
    print("fathom-%s decode_tok_s=%.1f" % (name, json.loads(line)["decode_tokens_per_second"]))' | tee -a "$log"
  torch | tee -a "$log"
  torch --int8 --qengine onednn | tee -a "$log"
  torch --int8 --qengine qnnpack | tee -a "$log"
done
/usr/bin/python3 - "$log" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+?) (?:prefill_tok_s=[\d.]+ )?decode_tok_s=([\d.]+)", line)
    if m:
        runs.setdefault(m[1], []).append(float(m[2]))
ref = statistics.median(runs["torch"])
print("== decode tokens/s at batch 1, medians over %d runs each (ratio to eager PyTorch float32)" % len(runs["torch"]))
for k, v in runs.items():
    print("%-22s %8.1f  %5.2fx  (runs: %s)" % (k, statistics.median(v), statistics.median(v) / ref, ", ".join("%.1f" % x for x in v)))
PY
