"""Golden Llama-family checkpoints and logits for the Fathom LLM tests (both directions).

  /usr/bin/python3 tools/golden/make_llama_golden.py
      writes reference checkpoints in Hugging Face layout (config.json + safetensors, F32/F16/BF16,
      one file or shards) under llm/src/test/resources/golden/llama/<case>/ with expected.json:
      input ids, logits (float64 reference) and a greedy continuation.
  /usr/bin/python3 tools/golden/make_llama_golden.py --fathom-dir DIR
      reads the checkpoints Fathom wrote into DIR (by dev.fathom.llm.WriteGoldenCheckpoints, a
      test-scope main) and records the SHA-256 of their files with the reference logits and greedy
      continuation in llm/src/test/resources/golden/llama/fathom_written.json.
"""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_reference as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "llm", "src", "test", "resources", "golden", "llama")

BASE = dict(vocab_size=97, hidden_size=32, intermediate_size=72, num_hidden_layers=2, num_attention_heads=4,
            max_position_embeddings=64, rms_norm_eps=1e-5)

CASES = {
    # GQA (4 query heads over 2 kv heads), llama3 rope scaling with a short original context so it bites
    "llama_gqa_rope3": (dict(BASE, num_key_value_heads=2, rope_theta=500000.0,
                             rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                               original_max_position_embeddings=16)), "F32", 1),
    # Qwen2: q/k/v biases (no o bias), tied embeddings, BF16 weights
    "qwen2_bias_tied": (dict(BASE, model_type="qwen2", num_key_value_heads=1, tie_word_embeddings=True, rope_theta=1000000.0),
                        "BF16", 1),
    # Mistral: sliding window shorter than the sequence, F16 weights, three shards
    "mistral_window": (dict(BASE, model_type="mistral", num_key_value_heads=2, sliding_window=5), "F16", 3),
    # Llama with attention_bias + mlp_bias and linear rope scaling
    "llama_bias_linear": (dict(BASE, num_key_value_heads=4, attention_bias=True, mlp_bias=True,
                               rope_scaling=dict(rope_type="linear", factor=2.0)), "F32", 1),
}

IDS = [[5, 17, 42, 3, 96, 0, 11, 23, 58, 7, 81, 33, 2, 64],
       [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]
PROMPT = [12, 40, 7, 7, 91]
GREEDY = 10


def logits_and_greedy(model):
    logits = model.forward(torch.tensor(IDS))
    return {"ids": IDS, "logits": {"shape": list(logits.shape), "data": [float(v) for v in logits.reshape(-1).tolist()]},
            "prompt": PROMPT, "greedy": model.greedy(PROMPT, GREEDY)}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fathom-dir")
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    gen = {"script": "tools/golden/make_llama_golden.py", "torch": torch.__version__}
    if a.fathom_dir:
        cases = {}
        for name in sorted(os.listdir(a.fathom_dir)):
            d = os.path.join(a.fathom_dir, name)
            files = sorted(f for f in os.listdir(d) if f.endswith(".safetensors") or f == "config.json")
            case = logits_and_greedy(ref.load_hf(d))
            case["sha256"] = {f: sha256(os.path.join(d, f)) for f in files}
            cases[name] = case
        with open(os.path.join(OUT, "fathom_written.json"), "w") as f:
            json.dump({"generator": gen, "cases": cases}, f)
        print("wrote fathom_written.json with", sorted(cases))
        return
    for seed, (name, (cfg, dtype, shards)) in enumerate(CASES.items()):
        m = ref.Llama(cfg, seed=seed + 1)
        d = os.path.join(OUT, name)
        ref.save_hf(m, d, dtype=dtype, shards=shards)
        m = ref.load_hf(d)  # the weights as stored (rounded to the file's dtype)
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump({"generator": gen, "cases": {"main": logits_and_greedy(m)}}, f)
        print("wrote", name)


if __name__ == "__main__":
    main()
