package dev.fathom.compress;

import dev.fathom.llm.LlamaDecoderLayer;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.RMSNorm;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SmoothQuant (Xiao et al. 2023) on one Llama decoder layer: activation outliers are migrated
 * into the weights with a per-input-channel scale
 * <pre>  s_j = max|X_j|^α / max|W_j|^(1−α)   (max over calibration tokens, resp. over the rows of every
 *                                        weight that reads input j)</pre>
 * X·diag(s)⁻¹ is folded into the op before the projections and diag(s)·W into the projections
 * (W[:, j] ·= s_j), so the float layer computes the same function while X/s has a flatter range
 * per token for int8. Four places, as {@link Awq} folds its scales:
 * <ol>
 *   <li>q, k, v: 1/s into {@code input_layernorm.weight};
 *   <li>o: 1/s into the rows of v (attention output is linear in v per channel), only when v's
 *       outputs are o's inputs one to one (no grouped-query heads);
 *   <li>gate, up: 1/s into {@code post_attention_layernorm.weight};
 *   <li>down: 1/s into the rows of up (h = silu(gate)·up is linear in up's row j).
 * </ol>
 * A channel that never fires or whose weights are all zero keeps s_j = 1.
 */
public final class SmoothQuant {
  private SmoothQuant() {}

  /**
   * Computes and folds the four smoothing scales of {@code layer} in place, from the activation
   * maxima over {@code inputs} (its input hidden states, (B, T, hidden) per batch).
   *
   * @return the scales in the order above (o's is null when the shapes do not allow it)
   */
  public static List<float[]> smoothLayer(LlamaDecoderLayer layer, List<Tensor> inputs, double alpha) {
    new W8A8Config(alpha, W8A8Config.DEFAULT_THRESHOLD);
    Map<String, float[]> act = ActivationMax.collect(layer, inputs);
    Map<String, Module> mods = layer.namedModules();
    Map<String, Linear> lin = LayerwiseCalibration.linears(layer);
    RMSNorm inNorm = (RMSNorm) mods.get("input_layernorm"), postNorm = (RMSNorm) mods.get("post_attention_layernorm");
    Linear q = lin.get("self_attn.q_proj"), k = lin.get("self_attn.k_proj"), v = lin.get("self_attn.v_proj"), o = lin.get("self_attn.o_proj");
    Linear gate = lin.get("mlp.gate_proj"), up = lin.get("mlp.up_proj"), down = lin.get("mlp.down_proj");
    List<float[]> out = new ArrayList<>();
    float[] s = scales(act.get("self_attn.q_proj"), ActivationMax.columnMax(List.of(q, k, v)), alpha);
    Awq.foldIntoVector(inNorm.weight, s);
    for (Linear l : List.of(q, k, v)) Awq.scaleColumns(l, s);
    out.add(s);
    if (v.outFeatures == o.inFeatures) {
      s = scales(act.get("self_attn.o_proj"), ActivationMax.columnMax(List.of(o)), alpha);
      Awq.scaleColumns(o, s);
      Awq.scaleRows(v, s);
      out.add(s);
    } else {
      out.add(null);
    }
    s = scales(act.get("mlp.gate_proj"), ActivationMax.columnMax(List.of(gate, up)), alpha);
    Awq.foldIntoVector(postNorm.weight, s);
    for (Linear l : List.of(gate, up)) Awq.scaleColumns(l, s);
    out.add(s);
    s = scales(act.get("mlp.down_proj"), ActivationMax.columnMax(List.of(down)), alpha);
    Awq.scaleColumns(down, s);
    Awq.scaleRows(up, s);
    out.add(s);
    return out;
  }

  /** s_j = xMax_j^α / wMax_j^(1−α), or 1 where either range is 0 or the result is not a positive finite number. */
  public static float[] scales(float[] xMax, float[] wMax, double alpha) {
    float[] s = new float[xMax.length];
    for (int j = 0; j < s.length; j++) {
      double v = Math.pow(xMax[j], alpha) / Math.pow(wMax[j], 1 - alpha);
      s[j] = xMax[j] > 0 && wMax[j] > 0 && v > 0 && Double.isFinite(v) && (float) v > 0 && Float.isFinite((float) v) ? (float) v : 1f;
    }
    return s;
  }
}
