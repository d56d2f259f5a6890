package dev.fathom.insight.dynamics;

import dev.fathom.tensor.Tensor;

/**
 * Direct preference optimisation (Rafailov et al., NeurIPS 2023) for one (x, y⁺, y⁻) triple:
 *
 * <pre>
 * m = β·[(log π(y⁺|x) − log π_ref(y⁺|x)) − (log π(y⁻|x) − log π_ref(y⁻|x))]
 * L = −log σ(m) = softplus(−m)
 * ∂L/∂θ = −β·σ(−m)·(∇ log π(y⁺|x) − ∇ log π(y⁻|x))
 * </pre>
 *
 * so DPO is a positive gradient on the chosen response and a negative gradient on the rejected
 * one, of the same weight β·σ(−m) (β/2 at the start, where π = π_ref).
 */
public final class DpoLoss {
  private DpoLoss() {}

  /**
   * The loss with its graph.
   *
   * @param logpChosen log π(y⁺|x), a scalar with graph
   * @param logpRejected log π(y⁻|x), a scalar with graph
   * @param refChosen log π_ref(y⁺|x)
   * @param refRejected log π_ref(y⁻|x)
   * @param beta β &gt; 0
   */
  public static Tensor of(Tensor logpChosen, Tensor logpRejected, double refChosen, double refRejected, double beta) {
    checkBeta(beta);
    Tensor m = logpChosen.sub(logpRejected).sub((float) (refChosen - refRejected)).mul((float) beta);
    // softplus(−m) in the branch that does not overflow: log(1 + e^{−m}) for m ≥ 0, −m + log(1 + e^{m}) below
    return m.item() >= 0 ? m.neg().exp().add(1f).log() : m.neg().add(m.exp().add(1f).log());
  }

  /** The loss in double, from the four log-probabilities. */
  public static double value(double logpChosen, double logpRejected, double refChosen, double refRejected, double beta) {
    checkBeta(beta);
    double m = beta * ((logpChosen - refChosen) - (logpRejected - refRejected));
    return m >= 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
  }

  private static void checkBeta(double beta) {
    if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("dpo: beta must be a positive number, got " + beta);
  }
}
