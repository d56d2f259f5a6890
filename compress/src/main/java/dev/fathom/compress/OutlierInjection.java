package dev.fathom.compress;

import dev.fathom.llm.LlamaDecoderLayer;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.RMSNorm;
import dev.fathom.tensor.Rng;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Injects activation outliers into a float Llama model without changing the function it
 * computes: in every decoder layer, for each of the four linear-layer inputs, a seeded
 * {@code fraction} of the channels j is multiplied by a factor k_j drawn uniformly from
 * [minFactor, maxFactor], and the weights that read channel j are divided by k_j:
 * <ul>
 *   <li>q/k/v input: {@code input_layernorm.weight[j]·k}, columns j of q, k, v ·1/k;
 *   <li>gate/up input: {@code post_attention_layernorm.weight[j]·k}, columns j of gate, up ·1/k;
 *   <li>o input: row j of v ·k, column j of o ·1/k (only without grouped-query heads);
 *   <li>down input: row j of up ·k (h = silu(gate)·up scales with it), column j of down ·1/k.
 * </ul>
 * The logits are unchanged up to float rounding, while the activations now carry the few large
 * channels that make per-token int8 activations fail in billion-parameter LLMs (Dettmers et al.
 * 2022): the test bed for SmoothQuant and LLM.int8 on a small model that has none of its own.
 *
 * @param fraction share of the channels of each input, in (0, 1]; at least one channel is picked
 * @param minFactor smallest factor (&ge; 1)
 * @param maxFactor largest factor (&ge; minFactor)
 * @param seed picks the channels and the factors
 */
public record OutlierInjection(double fraction, double minFactor, double maxFactor, long seed) {
  public OutlierInjection {
    if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("outlier fraction: expected a number in (0, 1], got " + fraction);
    if (!(minFactor >= 1 && maxFactor >= minFactor && Double.isFinite(maxFactor))) {
      throw new IllegalArgumentException("outlier factor: expected 1 <= min <= max (finite), got " + minFactor + ":" + maxFactor);
    }
  }

  /**
   * Applies the injection to {@code model} in place.
   *
   * @return the number of channels scaled, over all layers and inputs
   * @throws IllegalArgumentException if the model is quantized
   */
  public int apply(LlamaForCausalLM model) {
    if (model.quantization() != null) throw new IllegalArgumentException("outlier injection: expected a float model, got " + model.quantization().format());
    Rng rng = new Rng(seed);
    int n = 0;
    for (LlamaDecoderLayer layer : model.model().layers()) {
      Map<String, Module> mods = layer.namedModules();
      Map<String, Linear> lin = LayerwiseCalibration.linears(layer);
      Linear q = lin.get("self_attn.q_proj"), k = lin.get("self_attn.k_proj"), v = lin.get("self_attn.v_proj"), o = lin.get("self_attn.o_proj");
      Linear gate = lin.get("mlp.gate_proj"), up = lin.get("mlp.up_proj"), down = lin.get("mlp.down_proj");
      float[] s = inverseFactors(q.inFeatures, rng);
      Awq.foldIntoVector(((RMSNorm) mods.get("input_layernorm")).weight, s);
      for (Linear l : List.of(q, k, v)) Awq.scaleColumns(l, s);
      n += picked(s);
      if (v.outFeatures == o.inFeatures) {
        s = inverseFactors(o.inFeatures, rng);
        Awq.scaleRows(v, s);
        Awq.scaleColumns(o, s);
        n += picked(s);
      }
      s = inverseFactors(gate.inFeatures, rng);
      Awq.foldIntoVector(((RMSNorm) mods.get("post_attention_layernorm")).weight, s);
      for (Linear l : List.of(gate, up)) Awq.scaleColumns(l, s);
      n += picked(s);
      s = inverseFactors(down.inFeatures, rng);
      Awq.scaleRows(up, s);
      Awq.scaleColumns(down, s);
      n += picked(s);
    }
    return n;
  }

  /** 1/k_j on the picked channels, 1 elsewhere (the fold helpers divide by s). */
  private float[] inverseFactors(int channels, Rng rng) {
    int count = Math.max(1, (int) Math.round(fraction * channels));
    int[] perm = rng.permutation(channels);
    float[] s = new float[channels];
    Arrays.fill(s, 1f);
    for (int i = 0; i < count; i++) s[perm[i]] = (float) (1 / (minFactor + (maxFactor - minFactor) * rng.nextDouble()));
    return s;
  }

  private static int picked(float[] s) {
    int n = 0;
    for (float v : s) if (v != 1f) n++;
    return n;
  }
}
