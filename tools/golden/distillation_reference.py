"""Reference values for dev.fathom.compress.distill.DistillationLoss (PyTorch, float64).

L = alpha * T^2 * kl_div(log_softmax(s/T), log_softmax(t/T), log_target=True, reduction='batchmean')
    + (1 - alpha) * cross_entropy(s, y)
and dL/ds by autograd. Writes compress/src/test/resources/golden/distillation.json.

Run: /usr/bin/python3 tools/golden/distillation_reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

CASES = [  # (rows, classes, temperature, alpha, logit scale)
    (4, 10, 1.0, 1.0, 2.0),
    (4, 10, 4.0, 1.0, 2.0),
    (5, 7, 2.0, 0.5, 3.0),
    (3, 13, 4.0, 0.3, 40.0),  # large logits: needs the max-shifted log-sum-exp
    (6, 5, 1.0, 0.0, 2.0),
]


def main():
    torch.manual_seed(1234)
    out = []
    for n, c, temp, alpha, scale in CASES:
        s = (torch.randn(n, c, dtype=torch.float64) * scale).float().double()  # values exact in float32
        t = (torch.randn(n, c, dtype=torch.float64) * scale).float().double()
        y = torch.randint(0, c, (n,))
        s.requires_grad_(True)
        kl = F.kl_div(F.log_softmax(s / temp, dim=1), F.log_softmax(t / temp, dim=1), log_target=True, reduction="batchmean")
        loss = alpha * temp * temp * kl + (1 - alpha) * F.cross_entropy(s, y)
        loss.backward()
        out.append({
            "rows": n, "classes": c, "temperature": temp, "alpha": alpha,
            "student": s.detach().flatten().tolist(), "teacher": t.flatten().tolist(), "targets": y.tolist(),
            "kl": kl.item(), "loss": loss.item(), "grad": s.grad.flatten().tolist(),
        })
    path = os.path.join(os.path.dirname(__file__), "..", "..", "compress", "src", "test", "resources", "golden", "distillation.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/golden/distillation_reference.py", "torch": torch.__version__, "cases": out}, f, indent=1)
    print("wrote", os.path.normpath(path), len(out), "cases")


if __name__ == "__main__":
    main()
