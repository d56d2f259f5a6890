package dev.fathom.vision.models;

import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** The transformer MLP {@code fc2(GELU(fc1(x)))} (timm's {@code mlp.fc1}, {@code mlp.fc2}); fc1 and GELU run fused. */
final class Mlp extends Module {
  final Linear fc1, fc2;

  Mlp(int dim, int hidden, Rng rng) {
    this.fc1 = child("fc1", new Linear(dim, hidden, rng));
    this.fc2 = child("fc2", new Linear(hidden, dim, rng));
  }

  /** @param x (..., D) @return (..., D) */
  @Override
  public Tensor forward(Tensor x) {
    return fc2.call(F.linearAct(x, fc1.weight, fc1.bias, F.Act.GELU));
  }
}
