package dev.fathom.compress;

import dev.fathom.autograd.Grad;
import dev.fathom.llm.LlamaDecoderLayer;
import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs calibration windows through a Llama model one decoder layer at a time, as the GPTQ and
 * SparseGPT references do: the hidden states entering layer l are kept (B, T, hidden) per batch,
 * a {@link LayerStep} compresses layer l seeing them, and only then are they pushed through the
 * (now compressed) layer to become layer l+1's inputs. So every layer is calibrated on what the
 * already-compressed layers before it really produce.
 */
public final class LayerwiseCalibration {
  /** What happens to one layer: {@code inputs} are its input hidden states, one tensor (B, T, hidden) per batch. */
  @FunctionalInterface
  public interface LayerStep {
    void apply(int index, LlamaDecoderLayer layer, List<Tensor> inputs);
  }

  private LayerwiseCalibration() {}

  /** Runs {@code step} on every decoder layer in order, with batches of {@code batch} windows. */
  public static void run(LlamaForCausalLM model, CalibrationSet calib, int batch, LayerStep step) {
    if (batch < 1) throw new IllegalArgumentException("calibration batch: expected >= 1, got " + batch);
    if (calib.context() > model.config().maxPositionEmbeddings()) {
      throw new IllegalArgumentException("calibration windows of " + calib.context() + " tokens exceed max_position_embeddings="
          + model.config().maxPositionEmbeddings());
    }
    boolean wasTraining = model.isTraining();
    model.eval();
    try (var g = Grad.disabled()) {
      List<Tensor> hs = new ArrayList<>();
      List<int[]> w = calib.windows();
      for (int b0 = 0; b0 < w.size(); b0 += batch) {
        int n = Math.min(batch, w.size() - b0), t = calib.context();
        long[] ids = new long[n * t];
        for (int i = 0; i < n; i++) for (int j = 0; j < t; j++) ids[i * t + j] = w.get(b0 + i)[j];
        hs.add(model.model().embedTokens().call(Tensor.ofLongs(ids, n, t)));  // (B, T, hidden)
      }
      int index = 0;
      for (LlamaDecoderLayer layer : model.model().layers()) {
        step.apply(index++, layer, hs);
        hs.replaceAll(layer::call);
      }
    } finally {
      if (wasTraining) model.train();
    }
  }

  /** The linear projections of {@code layer} by their names inside it ({@code self_attn.q_proj}, ...), in registration order. */
  public static Map<String, Linear> linears(Module layer) {
    Map<String, Linear> out = new LinkedHashMap<>();
    for (Map.Entry<String, Module> e : layer.namedModules().entrySet()) if (e.getValue() instanceof Linear l) out.put(e.getKey(), l);
    return out;
  }

  /**
   * Input statistics of every linear projection of {@code layer} over {@code inputs}, by name.
   * Projections fed the very same tensor (q, k, v; gate, up) share one {@link LinearStats}.
   */
  public static Map<String, LinearStats> collect(Module layer, List<Tensor> inputs) {
    Map<String, Linear> lin = linears(layer);
    Map<String, LinearStats> stats = new LinkedHashMap<>();
    Map<Tensor, LinearStats> seen = new IdentityHashMap<>();
    List<Runnable> handles = new ArrayList<>();
    for (Map.Entry<String, Linear> e : lin.entrySet()) {
      handles.add(e.getValue().registerForwardPreHook((m, x) -> {
        LinearStats s = seen.get(x);
        if (s == null) {
          s = stats.getOrDefault(e.getKey(), new LinearStats(e.getValue().inFeatures));
          s.add(x);
          seen.put(x, s);
        }
        stats.put(e.getKey(), s);
        return null;
      }));
    }
    try (var g = Grad.disabled()) {
      for (Tensor x : inputs) {
        layer.call(x);
        seen.clear();
      }
    } finally {
      handles.forEach(Runnable::run);
    }
    return stats;
  }
}
