package dev.fathom.insight.sensitivity;

import dev.fathom.nn.LayerNorm;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LayerNorm blow-up: how strongly the LayerNorms of a model amplify their input. A LayerNorm maps
 * a row x ∈ ℝᴰ to γ ⊙ (x − mean x)/√(var x + ε) + β; its scaling factor
 *
 * <pre>
 *   N(x) = 1 / √(var(x) + ε)      (var with divisor D, as the forward uses)
 * </pre>
 *
 * is large when the residual stream entering it has a small spread. Hahn and Rofin (ACL 2024,
 * Corollary 5) show that representing a function of high average sensitivity needs large
 * parameter norms or such a blow-up, growing with the input length.
 *
 * <p>Attach with {@link #attach}; every forward through a LayerNorm of the model then records
 * N for each row (or, with a position, only for the rows of that sequence position of a
 * (B, T, D) input, e.g. the position the answer is read from) until {@link #close}. Statistics per LayerNorm (by its dotted name): the mean
 * of N over all rows seen and the largest N.
 */
public final class LayerNormBlowup implements AutoCloseable {
  private final Map<String, double[]> stats = new LinkedHashMap<>();  // name -> {sum N, rows, max N}
  private final List<Runnable> handles = new ArrayList<>();

  private LayerNormBlowup() {}

  /**
   * Starts recording at every {@link LayerNorm} inside {@code model}.
   *
   * @throws IllegalArgumentException when the model has no LayerNorm
   */
  public static LayerNormBlowup attach(Module model) {
    return attach(model, -1);
  }

  /**
   * Starts recording at every {@link LayerNorm} inside {@code model}, only at sequence position
   * {@code position} of inputs (..., T, D), or at every row when it is −1.
   *
   * @throws IllegalArgumentException when the model has no LayerNorm or position < −1
   */
  public static LayerNormBlowup attach(Module model, int position) {
    if (position < -1) throw new IllegalArgumentException("LayerNormBlowup: position must be >= 0, or -1 for all, got " + position);
    LayerNormBlowup probe = new LayerNormBlowup();
    for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
      if (!(e.getValue() instanceof LayerNorm ln)) continue;
      if (ln.normalizedShape.length != 1) {
        throw new IllegalArgumentException("LayerNormBlowup: '" + e.getKey() + "' normalizes " + ln.normalizedShape.length
            + " dims, only LayerNorms over the last dim are supported");
      }
      double[] s = {0, 0, 0};
      probe.stats.put(e.getKey(), s);
      probe.handles.add(ln.registerForwardPreHook((m, x) -> {
        record(x, ln.normalizedShape[0], ln.eps, position, s);
        return null;
      }));
    }
    if (probe.stats.isEmpty()) throw new IllegalArgumentException("LayerNormBlowup: the model has no LayerNorm");
    return probe;
  }

  private static void record(Tensor x, int d, double eps, int position, double[] s) {
    float[] v = x.data();
    int t = x.dim() >= 2 ? x.size(x.dim() - 2) : 1;
    if (position >= t) throw new IllegalArgumentException("LayerNormBlowup: position " + position + " but the input has T = " + t);
    for (int r = 0; r + d <= v.length; r += d) {
      if (position >= 0 && (r / d) % t != position) continue;
      double mean = 0;
      for (int i = 0; i < d; i++) mean += v[r + i];
      mean /= d;
      double var = 0;
      for (int i = 0; i < d; i++) var += (v[r + i] - mean) * (v[r + i] - mean);
      double n = 1 / Math.sqrt(var / d + eps);
      s[0] += n;
      s[1]++;
      s[2] = Math.max(s[2], n);
    }
  }

  /** Mean of N over the rows each LayerNorm saw, by the LayerNorm's dotted name. */
  public Map<String, Double> meanFactors() {
    Map<String, Double> out = new LinkedHashMap<>();
    stats.forEach((k, s) -> out.put(k, s[1] == 0 ? Double.NaN : s[0] / s[1]));
    return out;
  }

  /** The largest per-LayerNorm mean of N: the blow-up of the most amplifying LayerNorm on typical rows. */
  public double meanBlowup() {
    return meanFactors().values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** The largest N seen on any row at any LayerNorm. */
  public double maxBlowup() {
    double m = 0;
    for (double[] s : stats.values()) m = Math.max(m, s[2]);
    return m;
  }

  /** Stops recording (removes the hooks); the statistics stay readable. */
  @Override
  public void close() {
    handles.forEach(Runnable::run);
    handles.clear();
  }
}
