package dev.fathom.llm;

import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** The SwiGLU feed-forward block: down_proj(silu(gate_proj(x)) * up_proj(x)). */
public final class LlamaMlp extends Module {
  final Linear gateProj, upProj, downProj;

  LlamaMlp(LlamaConfig c, Rng rng) {
    int d = c.hiddenSize(), f = c.intermediateSize();
    this.gateProj = child("gate_proj", LlamaInit.linear(d, f, c.mlpBias(), c, rng));
    this.upProj = child("up_proj", LlamaInit.linear(d, f, c.mlpBias(), c, rng));
    this.downProj = child("down_proj", LlamaInit.linear(f, d, c.mlpBias(), c, rng));
  }

  @Override
  public Tensor forward(Tensor x) {
    return downProj.call(F.swiglu(gateProj.call(x), upProj.call(x)));
  }
}
