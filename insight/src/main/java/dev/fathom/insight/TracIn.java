package dev.fathom.insight;

import dev.fathom.nn.F;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TracIn (Pruthi, Liu, Kale and Sundararajan, NeurIPS 2020), the checkpoint version TracInCP:
 * the influence of training example z_i on the validation loss, summed over saved checkpoints,
 *
 * <pre>
 *   TracIn(z_i) = Σ_k η_k ∇ℓ(z_i; θ_k) · ∇L_val(θ_k)          (influence on the validation loss)
 *   self(z_i)   = Σ_k η_k ‖∇ℓ(z_i; θ_k)‖²                      (self-influence, for mislabel search)
 * </pre>
 *
 * The baseline In-Run Data Shapley refines: TracIn looks at a few checkpoints after the fact and
 * at every example at each of them; In-Run takes every step, but only the examples the step
 * used. Dots come from the same {@link GhostDot} captures, with parameters frozen so the
 * backward passes compute activation gradients only.
 */
public final class TracIn {
  private TracIn() {}

  /** Rows per forward/backward chunk. */
  static final int CHUNK = 512;

  /**
   * @param values influence on the validation loss per training example (positive: lowers it)
   * @param selfInfluence Σ_k η_k ‖∇ℓ_i‖² per training example
   */
  public record Result(double[] values, double[] selfInfluence) {}

  /**
   * @param model the architecture; its parameters are set to each checkpoint in turn and
   *     restored at the end
   * @param checkpoints parameter states by name
   * @param lr η_k of each checkpoint
   */
  public static Result values(Module model, List<Map<String, Tensor>> checkpoints, double[] lr, Examples train, Examples valid) {
    if (checkpoints.isEmpty()) throw new IllegalArgumentException("tracin: needs at least one checkpoint");
    if (lr.length != checkpoints.size()) {
      throw new IllegalArgumentException("tracin: expected one learning rate per checkpoint (" + checkpoints.size() + "), got " + lr.length);
    }
    int n = train.size();
    double[] value = new double[n], self = new double[n];
    Map<String, Tensor> saved = new LinkedHashMap<>();
    model.namedParameters().forEach((k, v) -> saved.put(k, v.detach().copy()));
    List<Tensor> params = model.parameters();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    try (GhostDot ghost = new GhostDot(model)) {
      for (int c = 0; c < checkpoints.size(); c++) {
        model.loadStateDict(checkpoints.get(c), true);
        GhostDot.Capture val = InRunShapley.validationCapture(model, params, ghost, valid);
        for (int s = 0; s < n; s += CHUNK) {
          int e = Math.min(n, s + CHUNK);
          GhostDot.Capture tr = perExample(model, params, ghost, train.rows(all, s, e));
          double[] dot = tr.dotsWith(val), sq = tr.squaredNorms();
          for (int k = 0; k < dot.length; k++) {
            value[s + k] += lr[c] * dot[k];
            self[s + k] += lr[c] * sq[k];
          }
        }
      }
    } finally {
      model.loadStateDict(saved, true);
    }
    return new Result(value, self);
  }

  /** Captures with each row's output gradient that of its own loss ℓ_i (the summed loss, not the mean). */
  private static GhostDot.Capture perExample(Module model, List<Tensor> params, GhostDot ghost, Examples rows) {
    params.forEach(p -> p.requiresGrad(false));
    try {
      Tensor loss = F.crossEntropy(model.call(InRunShapley.input(rows, true)), InRunShapley.labels(rows)).mul(rows.size());
      loss.backward();
      return ghost.take();
    } finally {
      params.forEach(p -> p.requiresGrad(true));
    }
  }
}
