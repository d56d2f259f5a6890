package dev.fathom.compress;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaDecoderLayer;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.nn.RMSNorm;
import dev.fathom.quant.GroupGrid;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AWQ on one Llama decoder layer (Lin et al. 2024): four scale searches ({@link AwqSearch}), each
 * folded into the op before the scaled projections so the float layer computes the same function:
 * <ol>
 *   <li>q, k, v: scored on the attention output; 1/s folded into {@code input_layernorm.weight};
 *   <li>o: scored on o's output; 1/s folded into the rows of v (attention is linear in v per
 *       channel), only where v's outputs are o's inputs one to one (no grouped-query heads);
 *   <li>gate, up: scored on the MLP output; 1/s folded into {@code post_attention_layernorm.weight};
 *   <li>down: scored on down's output; 1/s folded into the rows of up (silu(g)·u is linear in u).
 * </ol>
 * Each search sees the earlier searches' (float) scales already applied. Rounding comes after
 * ({@link PostTrainingQuantizer} rounds the scaled weights with {@link AwqClip}'s per-group
 * clipping search).
 */
public final class Awq {
  private Awq() {}

  /**
   * Searches and folds the scales of {@code layer} in place, scoring on {@code inputs} (its input
   * hidden states, (B, T, hidden) per batch).
   *
   * @return the four search results in the order above (o's is null when the shapes do not allow it)
   */
  public static List<AwqSearch.Result> scaleLayer(LlamaDecoderLayer layer, List<Tensor> inputs, GroupGrid grid, AwqConfig config) {
    Map<String, Module> mods = layer.namedModules();
    Map<String, Linear> lin = LayerwiseCalibration.linears(layer);
    RMSNorm inNorm = (RMSNorm) mods.get("input_layernorm"), postNorm = (RMSNorm) mods.get("post_attention_layernorm");
    Module attn = mods.get("self_attn"), mlp = mods.get("mlp");
    Linear q = lin.get("self_attn.q_proj"), k = lin.get("self_attn.k_proj"), v = lin.get("self_attn.v_proj"), o = lin.get("self_attn.o_proj");
    Linear gate = lin.get("mlp.gate_proj"), up = lin.get("mlp.up_proj"), down = lin.get("mlp.down_proj");
    List<Tensor> xs = inputs.subList(0, Math.min(config.searchBatches(), inputs.size()));
    List<AwqSearch.Result> out = new ArrayList<>();
    try (var g = Grad.disabled()) {
      // 1. q, k, v against the attention output
      List<Tensor> a = map(xs, inNorm::call);
      AwqSearch.Result r = AwqSearch.search(List.of(q, k, v), AwqSearch.meanAbs(a, q.inFeatures), grid, config.gridSize(), config.duoScaling(),
          () -> map(a, attn::call), map(a, attn::call));
      foldIntoVector(inNorm.weight, r.scales());
      for (Linear l : List.of(q, k, v)) scaleColumns(l, r.scales());
      out.add(r);
      // 2. o against its own output, 1/s into v's rows
      List<Tensor> a2 = map(xs, inNorm::call);
      List<Tensor> y = captureInputs(o, a2, attn);
      if (v.outFeatures == o.inFeatures) {
        r = AwqSearch.search(List.of(o), AwqSearch.meanAbs(y, o.inFeatures), grid, config.gridSize(), config.duoScaling(), () -> map(y, o::call), map(y, o::call));
        scaleColumns(o, r.scales());
        scaleRows(v, r.scales());
        out.add(r);
      } else {
        out.add(null);
      }
      // 3. gate, up against the MLP output
      List<Tensor> m = map(xs, x -> postNorm.call(x.add(attn.call(inNorm.call(x)))));
      r = AwqSearch.search(List.of(gate, up), AwqSearch.meanAbs(m, gate.inFeatures), grid, config.gridSize(), config.duoScaling(), () -> map(m, mlp::call),
          map(m, mlp::call));
      foldIntoVector(postNorm.weight, r.scales());
      for (Linear l : List.of(gate, up)) scaleColumns(l, r.scales());
      out.add(r);
      // 4. down against its own output, 1/s into up's rows
      List<Tensor> m2 = map(xs, x -> postNorm.call(x.add(attn.call(inNorm.call(x)))));
      List<Tensor> z = captureInputs(down, m2, mlp);
      r = AwqSearch.search(List.of(down), AwqSearch.meanAbs(z, down.inFeatures), grid, config.gridSize(), config.duoScaling(), () -> map(z, down::call),
          map(z, down::call));
      scaleColumns(down, r.scales());
      scaleRows(up, r.scales());
      out.add(r);
    }
    return out;
  }

  /** The inputs {@code target} receives while {@code block} runs on each of {@code xs}. */
  private static List<Tensor> captureInputs(Linear target, List<Tensor> xs, Module block) {
    List<Tensor> seen = new ArrayList<>();
    Runnable h = target.registerForwardPreHook((mod, x) -> {
      seen.add(x);
      return null;
    });
    try {
      xs.forEach(block::call);
    } finally {
      h.run();
    }
    return seen;
  }

  private static List<Tensor> map(List<Tensor> xs, java.util.function.UnaryOperator<Tensor> f) {
    List<Tensor> out = new ArrayList<>(xs.size());
    for (Tensor x : xs) out.add(f.apply(x));
    return out;
  }

  /** v_j /= s_j (a norm's weight: its output channel j feeds input channel j of the scaled layers). */
  static void foldIntoVector(Tensor v, float[] s) {
    float[] d = v.data();
    for (int j = 0; j < s.length; j++) d[j] /= s[j];
  }

  /** W[:, j] *= s_j. */
  static void scaleColumns(Linear l, float[] s) {
    float[] w = l.weight.data();
    for (int r = 0; r < l.outFeatures; r++) for (int j = 0; j < l.inFeatures; j++) w[r * l.inFeatures + j] *= s[j];
  }

  /** W[j, :] /= s_j and b_j /= s_j: output channel j of this layer shrinks by s_j. */
  static void scaleRows(Linear l, float[] s) {
    float[] w = l.weight.data();
    for (int j = 0; j < l.outFeatures; j++) for (int i = 0; i < l.inFeatures; i++) w[j * l.inFeatures + i] /= s[j];
    if (l.bias != null) for (int j = 0; j < l.outFeatures; j++) l.bias.data()[j] /= s[j];
  }
}
