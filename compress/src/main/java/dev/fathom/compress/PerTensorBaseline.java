package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;

/**
 * The per-tensor 4-bit baseline that block formats are measured against: Q4_0's rule
 * (d = m / −8 for the value m of largest magnitude, q = clamp(⌊x/d + 8.5⌋, 0, 15), x̂ = d·(q − 8))
 * with one d for a whole matrix instead of one per block of 32. Applied in place to the same
 * projections {@link PostTrainingQuantizer} quantizes ("fake quantization": the values land on
 * the grid and stay float; there is no packed format for it).
 */
public final class PerTensorBaseline {
  private PerTensorBaseline() {}

  /** Rounds every decoder projection of {@code model} to its per-tensor 4-bit grid, in place. */
  public static void apply(LlamaForCausalLM model) {
    apply(model, OuterTensors.floats());
  }

  /** As {@link #apply(LlamaForCausalLM)}, with the embedding and the head rounded in place as {@code outer} says. */
  public static void apply(LlamaForCausalLM model, OuterTensors outer) {
    if (model.quantization() != null) throw new IllegalArgumentException("the model is already quantized; start from a float model");
    outer.checkColumns(model);
    outer.roundEmbedding(model);
    PostTrainingQuantizer.forEachProjection(model, (name, t) -> roundToGrid(t.data()));
    outer.roundHead(model);
  }

  /** Q4_0's rounding with one scale for all of {@code w}, in place. */
  static void roundToGrid(float[] w) {
    float amax = 0f, m = 0f;
    for (float v : w) {
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        m = v;
      }
    }
    float d = m / -8f, inv = d != 0f ? 1f / d : 0f;
    for (int i = 0; i < w.length; i++) w[i] = d * (Math.clamp((int) Math.floor(w[i] * inv + 8.5f), 0, 15) - 8);
  }
}
