package dev.fathom.compress;

import dev.fathom.autograd.Grad;
import dev.fathom.kernel.Gemm;
import dev.fathom.llm.LlamaConfig;
import dev.fathom.llm.LlamaDecoderLayer;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Linear;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structured pruning of a Llama-family model: MLP neurons or attention heads, the same number in
 * every layer, removed from the matrices so the result is a smaller ordinary float model
 * ({@code intermediate_size} or {@code num_attention_heads} shrink; {@code head_dim} stays explicit).
 *
 * <p>Units are ranked by a {@link UnitScore}. With the calibrated score the layers go in order
 * ({@link LayerwiseCalibration}): layer l is scored on the hidden states that the already-pruned
 * layers before it produce. Within the run a removed unit is zeroed in place (neuron j: row j of
 * gate_proj and up_proj, column j of down_proj; head h: its rows of q/k/v_proj and its columns of
 * o_proj), which computes exactly what the smaller model computes; at the end the kept rows and
 * columns are copied into a model of the smaller config. The input model is left so masked.
 */
public final class LlamaStructuredPruner {
  /**
   * @param model the smaller model
   * @param kept per decoder layer, the indices (ascending) of the neurons or heads that stayed
   * @param unitsBefore neurons or heads per layer before pruning
   */
  public record Result(LlamaForCausalLM model, List<int[]> kept, int unitsBefore) {}

  private static final Pattern LAYER_KEY = Pattern.compile("model\\.layers\\.(\\d+)\\.(mlp|self_attn)\\.(\\w+)\\.(weight|bias)");

  private LlamaStructuredPruner() {}

  /**
   * @param calibration calibration windows (needed by the activation score; null otherwise)
   * @throws IllegalArgumentException for a quantized model, the channels method, missing calibration, grouped-query
   *     heads, or a sparsity that would remove every unit
   */
  public static Result prune(LlamaForCausalLM model, StructuredPruneConfig config, CalibrationSet calibration) {
    LlamaConfig c = model.config();
    StructuredMethod m = config.method();
    if (!m.forLanguageModels()) {
      throw new IllegalArgumentException("method " + m + " prunes " + m.units() + " of a CNN classifier; a language model takes "
          + StructuredMethod.NEURONS + " or " + StructuredMethod.HEADS);
    }
    if (model.quantization() != null) {
      throw new IllegalArgumentException("the model is quantized (" + model.quantization().format() + "); prune a float model");
    }
    if (m == StructuredMethod.HEADS && c.numKeyValueHeads().intValue() != c.numAttentionHeads().intValue()) {
      throw new IllegalArgumentException("heads: expected num_key_value_heads equal to num_attention_heads (no grouped-query attention), got "
          + c.numAttentionHeads() + " query heads sharing " + c.numKeyValueHeads() + " key/value heads");
    }
    if (config.score() == UnitScore.ACTIVATION && calibration == null) {
      throw new IllegalArgumentException("score 'activation' needs calibration data (--calib FILE), none was given; score 'weight' needs none");
    }
    int units = m == StructuredMethod.NEURONS ? c.intermediateSize() : c.numAttentionHeads();
    int kept = config.kept(units, "each layer");
    List<int[]> keep = new ArrayList<>();
    LayerwiseCalibration.LayerStep step = (i, layer, inputs) -> {
      Map<String, Linear> lin = LayerwiseCalibration.linears(layer);
      double[] score = m == StructuredMethod.NEURONS ? neuronScores(layer, lin, inputs, config.score()) : headScores(layer, lin, inputs, c, config.score());
      int[] k = UnitSelection.keep(score, kept);
      mask(lin, m, UnitSelection.removed(k, units), c.headDim());
      keep.add(k);
    };
    if (config.score() == UnitScore.ACTIVATION) {
      LayerwiseCalibration.run(model, calibration, PostTrainingQuantizer.CALIBRATION_BATCH, step);
    } else {
      int i = 0;
      for (LlamaDecoderLayer layer : model.model().layers()) step.apply(i++, layer, List.of());
    }
    LlamaConfig small = m == StructuredMethod.NEURONS ? resized(c, kept, c.numAttentionHeads(), c.numKeyValueHeads()) : resized(c, c.intermediateSize(), kept, kept);
    LlamaForCausalLM out = new LlamaForCausalLM(small, new Rng(0));
    out.loadStateDict(shrink(model.stateDict(), m, keep, units, c.headDim()), true);
    return new Result(out, List.copyOf(keep), units);
  }

  /** A copy of {@code c} with other MLP and head counts; head_dim stays as it was (explicit). */
  static LlamaConfig resized(LlamaConfig c, int intermediate, int heads, int kvHeads) {
    return c.withWidths(intermediate, heads, kvHeads);
  }

  // ------------------------------------------------------------ scores

  private static double[] neuronScores(LlamaDecoderLayer layer, Map<String, Linear> lin, List<Tensor> inputs, UnitScore score) {
    Linear gate = lin.get("mlp.gate_proj"), up = lin.get("mlp.up_proj"), down = lin.get("mlp.down_proj");
    int f = down.inFeatures, d = down.outFeatures;
    double[] downNorm = columnNorms(down.weight.data(), d, f);
    double[] s = new double[f];
    if (score == UnitScore.WEIGHT) {
      double[] g = rowNorms(gate.weight.data(), f, d), u = rowNorms(up.weight.data(), f, d);
      for (int j = 0; j < f; j++) s[j] = g[j] * u[j] * downNorm[j];
      return s;
    }
    double[] sumSq = new double[f];
    run(layer, down, inputs, x -> {
      for (int r = 0; r < x.length / f; r++) {
        for (int j = 0; j < f; j++) {
          double v = x[r * f + j];
          sumSq[j] += v * v;
        }
      }
    });
    for (int j = 0; j < f; j++) s[j] = downNorm[j] * Math.sqrt(sumSq[j]);
    return s;
  }

  private static double[] headScores(LlamaDecoderLayer layer, Map<String, Linear> lin, List<Tensor> inputs, LlamaConfig c, UnitScore score) {
    Linear v = lin.get("self_attn.v_proj"), o = lin.get("self_attn.o_proj");
    int h = c.numAttentionHeads(), dh = c.headDim(), d = o.outFeatures, q = h * dh;
    float[] wo = o.weight.data();  // (d, H·Dh)
    double[] s = new double[h];
    if (score == UnitScore.WEIGHT) {
      float[] wv = v.weight.data();  // (H·Dh, d)
      for (int k = 0; k < h; k++) {
        double vs = 0, os = 0;
        for (int i = k * dh * d; i < (k + 1) * dh * d; i++) vs += (double) wv[i] * wv[i];
        for (int r = 0; r < d; r++) for (int a = k * dh; a < (k + 1) * dh; a++) os += (double) wo[r * q + a] * wo[r * q + a];
        s[k] = Math.sqrt(vs * os);
      }
      return s;
    }
    // Σ_t ‖W_h y_h(t)‖² = Σ_ab (W_hᵀW_h)_ab (Σ_t y_h y_hᵀ)_ab with W_h = W_o[:, h·Dh:(h+1)·Dh]
    double[][] gram = new double[h][dh * dh];
    float[] batch = new float[dh * dh];
    run(layer, o, inputs, y -> {
      int rows = y.length / q;
      for (int k = 0; k < h; k++) {
        Gemm.sgemm(true, false, dh, dh, rows, 1f, y, k * dh, q, y, k * dh, q, 0f, batch, 0, dh);
        for (int i = 0; i < batch.length; i++) gram[k][i] += batch[i];
      }
    });
    for (int k = 0; k < h; k++) {
      double sum = 0;
      for (int a = 0; a < dh; a++) {
        for (int b = 0; b < dh; b++) {
          double w = 0;
          for (int r = 0; r < d; r++) w += (double) wo[r * q + k * dh + a] * wo[r * q + k * dh + b];
          sum += w * gram[k][a * dh + b];
        }
      }
      s[k] = Math.sqrt(Math.max(0, sum));
    }
    return s;
  }

  /** Runs the layer on every input with a pre-hook handing {@code target}'s input (rows, in) to {@code sink}. */
  private static void run(LlamaDecoderLayer layer, Linear target, List<Tensor> inputs, java.util.function.Consumer<float[]> sink) {
    Runnable handle = target.registerForwardPreHook((mod, x) -> {
      sink.accept(x.toFloatArray());
      return null;
    });
    try (var g = Grad.disabled()) {
      for (Tensor x : inputs) layer.call(x);
    } finally {
      handle.run();
    }
  }

  private static double[] rowNorms(float[] w, int rows, int cols) {
    double[] n = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int j = 0; j < cols; j++) s += (double) w[r * cols + j] * w[r * cols + j];
      n[r] = Math.sqrt(s);
    }
    return n;
  }

  private static double[] columnNorms(float[] w, int rows, int cols) {
    double[] n = new double[cols];
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) n[j] += (double) w[r * cols + j] * w[r * cols + j];
    for (int j = 0; j < cols; j++) n[j] = Math.sqrt(n[j]);
    return n;
  }

  // ------------------------------------------------------------ masking and shrinking

  private static void mask(Map<String, Linear> lin, StructuredMethod m, int[] drop, int dh) {
    boolean neurons = m == StructuredMethod.NEURONS;
    int width = neurons ? 1 : dh;
    int[] elems = UnitSelection.expand(drop, width);
    for (String name : neurons ? List.of("mlp.gate_proj", "mlp.up_proj") : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj")) {
      Linear l = lin.get(name);
      Slicing.zero(l.weight.data(), 1, l.outFeatures, l.inFeatures, elems);
      if (l.bias != null) Slicing.zero(l.bias.data(), 1, l.outFeatures, 1, elems);
    }
    Linear last = lin.get(neurons ? "mlp.down_proj" : "self_attn.o_proj");
    Slicing.zero(last.weight.data(), last.outFeatures, last.inFeatures, 1, elems);
  }

  /** The state dict of the smaller model: every layer's projections keep the rows/columns of its kept units. */
  private static Map<String, Tensor> shrink(Map<String, Tensor> state, StructuredMethod m, List<int[]> keep, int units, int dh) {
    boolean neurons = m == StructuredMethod.NEURONS;
    int width = neurons ? 1 : dh, n = units * width;
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      Tensor t = e.getValue();
      Matcher k = LAYER_KEY.matcher(e.getKey());
      if (!k.matches() || !k.group(2).equals(neurons ? "mlp" : "self_attn")) {
        out.put(e.getKey(), t);
        continue;
      }
      int[] idx = UnitSelection.expand(keep.get(Integer.parseInt(k.group(1))), width);
      String proj = k.group(3);
      boolean columns = proj.equals("down_proj") || proj.equals("o_proj");
      boolean weight = k.group(4).equals("weight");
      if (columns && !weight) {
        out.put(e.getKey(), t);  // down/o bias: (hidden), untouched
      } else if (columns) {
        out.put(e.getKey(), Slicing.keep(t, t.size(0), n, 1, idx, t.size(0), idx.length));
      } else if (weight) {
        out.put(e.getKey(), Slicing.keep(t, 1, n, t.size(1), idx, idx.length, t.size(1)));
      } else {
        out.put(e.getKey(), Slicing.keep(t, 1, n, 1, idx, idx.length));
      }
    }
    return out;
  }
}
