"""Golden LoRA adapters in PEFT's layout, with the logits of base + adapter, for the Fathom LoRA tests.

  /usr/bin/python3 tools/golden/make_lora_golden.py

For each case, loads a base checkpoint written by make_llama_golden.py, draws random non-zero A (r, in)
and B (out, r) for the targeted projections, and writes llm/src/test/resources/golden/lora/<case>/:
  adapter_config.json        PEFT's fields (peft_type LORA, r, lora_alpha, target_modules, ...)
  adapter_model.safetensors  base_model.model.<module path>.lora_A.weight / .lora_B.weight (F32)
  expected.json              input ids and the float64 logits of the base model with every adapted
                             weight replaced by W + scale * B @ A (scale = alpha / r, or alpha / sqrt(r)
                             with use_rslora), computed in float64.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_reference as ref  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BASES = os.path.join(ROOT, "llm", "src", "test", "resources", "golden", "llama")
OUT = os.path.join(ROOT, "llm", "src", "test", "resources", "golden", "lora")

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

CASES = {
    # GQA base, attention and one MLP projection, alpha / r scaling
    "gqa_qvo_down": dict(base="llama_gqa_rope3", r=4, alpha=8, targets=["q_proj", "v_proj", "o_proj", "down_proj"],
                         rslora=False),
    # Qwen2 base (q/k/v biases, tied embeddings, BF16 weights), every linear layer, rank-stabilised scaling
    "qwen2_all_linear_rslora": dict(base="qwen2_bias_tied", r=8, alpha=16, targets="all-linear", rslora=True),
}

IDS = [[5, 17, 42, 3, 96, 0, 11, 23, 58, 7, 81, 33, 2, 64],
       [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]]


def main():
    torch.set_num_threads(1)
    for seed, (name, case) in enumerate(CASES.items()):
        base_dir = os.path.join(BASES, case["base"])
        m = ref.load_hf(base_dir)
        g = torch.Generator().manual_seed(100 + seed)
        r, alpha = case["r"], case["alpha"]
        scale = alpha / math.sqrt(r) if case["rslora"] else alpha / r
        targets = ALL_LINEAR if case["targets"] == "all-linear" else case["targets"]
        adapter = {}
        for k in list(m.p):
            if not k.endswith(".weight"):
                continue
            module = k[: -len(".weight")]
            if module.split(".")[-1] not in targets:
                continue
            w = m.p[k]
            out_f, in_f = w.shape
            a = torch.randn(r, in_f, generator=g) / math.sqrt(in_f)
            b = torch.randn(out_f, r, generator=g) * 0.05
            adapter["base_model.model." + module + ".lora_A.weight"] = a
            adapter["base_model.model." + module + ".lora_B.weight"] = b
            m.p[k] = w.double() + scale * (b.double() @ a.double())
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        ref.write_safetensors(os.path.join(d, "adapter_model.safetensors"), adapter, "F32")
        cfg = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": case["base"],
               "inference_mode": True, "r": r, "lora_alpha": alpha, "lora_dropout": 0.05,
               "target_modules": case["targets"], "bias": "none", "fan_in_fan_out": False,
               "modules_to_save": None, "use_rslora": case["rslora"], "init_lora_weights": True,
               "revision": None}
        with open(os.path.join(d, "adapter_config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        logits = m.forward(torch.tensor(IDS))
        with open(os.path.join(d, "expected.json"), "w") as f:
            json.dump({"generator": {"script": "tools/golden/make_lora_golden.py", "torch": torch.__version__},
                       "base": case["base"], "scale": scale,
                       "cases": {"main": {"ids": IDS, "logits": {"shape": list(logits.shape),
                                                                  "data": [float(v) for v in logits.reshape(-1).tolist()]}}}},
                      f)
        print("wrote", name, "with", len(adapter), "tensors, scale", scale)


if __name__ == "__main__":
    main()
