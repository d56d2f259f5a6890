package dev.fathom.insight.dynamics;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One-step learning dynamics of a causal language model under SFT, DPO or a pure negative
 * gradient (Ren &amp; Sutherland, ICLR 2025, Sec. 3): the change of the sequence log-probability
 * log π(y_o|x_o) of each probe after one plain SGD step of learning rate η on an update loss L.
 *
 * <p>Per token the decomposition is the classifier's, Δ log π(y_o,t) ≈ −η Σ_s A_t·K_ts·G_s over
 * the update's positions s, with a V×V kernel K_ts = J_t·J_sᵀ for every pair of positions. Summed
 * over the probe's tokens and contracted with the one-hot rows of y_o, the A·K·G chain collapses
 * to an inner product of two parameter gradients:
 *
 * <pre>
 * Δ log π(y_o|x_o) ≈ −η · ∇_θ log π(y_o|x_o) · ∇_θ L(x_u)
 * </pre>
 *
 * so the prediction costs two backward passes per (probe, update) pair (the update's gradient is
 * shared by all probes) instead of a V×V×T×T kernel. This is what {@link #firstOrder} computes;
 * {@link #actualChange} takes the real step and restores the parameters.
 */
public final class LmDynamics {
  private final Module lm;
  private final List<Tensor> params;

  /** @param lm token ids (1, T) → logits (1, T, V); set to eval mode here */
  public LmDynamics(Module lm) {
    this.lm = lm;
    lm.eval();
    this.params = Params.trainable(lm);
  }

  public Module model() {
    return lm;
  }

  /**
   * d Δlog π(y_o|x_o) / dη at η = 0 for every probe: −∇ log π(y_o|x_o)·∇L(x_u).
   *
   * @return (N)
   */
  public double[] firstOrder(LmUpdate update, List<LmProbe> probes) {
    double[] gu = Params.gradient(update.loss(lm), null, params);
    double[] out = new double[probes.size()];
    for (int i = 0; i < out.length; i++) out[i] = -Params.dot(Params.gradient(SequenceLogProb.of(lm, probes.get(i)), null, params), gu);
    return out;
  }

  /** Per-position log-probabilities (R, V) of every probe at the current parameters. */
  public List<double[][]> positions(List<LmProbe> probes) {
    List<double[][]> out = new ArrayList<>(probes.size());
    for (LmProbe p : probes) out.add(SequenceLogProb.positions(lm, p));
    return out;
  }

  /** {@link #positions} after one SGD step of learning rate {@code eta} on the update (parameters restored). */
  public List<double[][]> positionsAfter(LmUpdate update, List<LmProbe> probes, double eta) {
    if (!(eta > 0) || Double.isInfinite(eta)) throw new IllegalArgumentException("eta: expected a positive learning rate, got " + eta);
    float[][] saved = Params.save(params);
    try {
      Params.sgdStep(params, update.loss(lm), eta);
      return positions(probes);
    } finally {
      Params.restore(params, saved);
    }
  }

  /** log π(y_o|x_o) of every probe from its per-position table. */
  public static double[] logProbs(List<LmProbe> probes, List<double[][]> positions) {
    double[] out = new double[probes.size()];
    for (int i = 0; i < out.length; i++) out[i] = SequenceLogProb.sum(positions.get(i), probes.get(i).response());
    return out;
  }

  /** The actual Δ log π(y_o|x_o) of every probe after one SGD step of learning rate {@code eta}. */
  public double[] actualChange(LmUpdate update, List<LmProbe> probes, double eta) {
    double[] before = logProbs(probes, positions(probes));
    double[] after = logProbs(probes, positionsAfter(update, probes, eta));
    for (int i = 0; i < after.length; i++) after[i] -= before[i];
    return after;
  }
}
