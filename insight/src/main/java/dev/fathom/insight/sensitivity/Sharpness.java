package dev.fathom.insight.sensitivity;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Sharpness as the expected loss increase under random Gaussian parameter noise of a fixed
 * relative radius ρ (the "average-direction" sharpness of Keskar et al. 2017 and Jiang et al.
 * 2020, in the per-tensor relative form that makes it invariant to rescaling a weight matrix):
 *
 * <pre>
 *   S_ρ(θ) = E_Δ[ L(θ + Δ) ] − L(θ),   Δ_p ~ N(0, σ_p² I),   σ_p = ρ·‖θ_p‖₂ / √(numel θ_p)
 * </pre>
 *
 * for every parameter tensor θ_p, so E‖Δ_p‖² = ρ²‖θ_p‖²: each tensor is moved by about ρ of its
 * own length. The expectation is a Monte-Carlo mean over {@code draws} antithetic pairs ±Δ,
 *
 * <pre>
 *   Ŝ = (1/K) Σ_k [ L(θ + Δ_k) + L(θ − Δ_k) ] / 2 − L(θ)  ≈  (1/K) Σ_k ½ Δ_kᵀ ∇²L(θ) Δ_k,
 * </pre>
 *
 * so the first-order term cancels in every pair (a trained model is never exactly at a
 * stationary point; without the pairing its gradient adds noise of either sign) and what is left
 * is curvature: Ŝ = 0 at ρ = 0 and ≥ 0 where the Hessian is positive semi-definite. The loss is
 * evaluated on the same data each time. Hahn and Rofin (ACL 2024) prove that a transformer fitting a function of high average
 * sensitivity must sit in a sharp minimum, S growing with the sensitivity.
 */
public final class Sharpness {
  private Sharpness() {}

  /**
   * S_ρ(θ) by Monte Carlo. The parameters are perturbed in place and restored bit-exactly before
   * returning (also when the loss throws).
   *
   * @param params the parameter tensors θ_p (float32)
   * @param loss L at the current parameter values (evaluated with gradients off by the caller)
   * @param radius ρ ≥ 0
   * @param draws number of antithetic pairs ≥ 1 (2·draws + 1 loss evaluations)
   * @param rng source of the perturbations
   * @return the mean loss increase over the draws
   * @throws IllegalArgumentException for a negative or non-finite radius, no draws or no parameters
   */
  public static double expectedLossIncrease(List<Tensor> params, DoubleSupplier loss, double radius, int draws, Rng rng) {
    if (!(radius >= 0) || Double.isInfinite(radius)) throw new IllegalArgumentException("sharpness: radius must be finite and >= 0, got " + radius);
    if (draws < 1) throw new IllegalArgumentException("sharpness: draws must be >= 1, got " + draws);
    if (params.isEmpty()) throw new IllegalArgumentException("sharpness: no parameters to perturb");
    double base = loss.getAsDouble();
    float[][] saved = new float[params.size()][];
    double[] sigma = new double[params.size()];
    for (int p = 0; p < params.size(); p++) {
      float[] d = params.get(p).data();
      saved[p] = d.clone();
      double sq = 0;
      for (float v : d) sq += (double) v * v;
      sigma[p] = radius * Math.sqrt(sq / d.length);
    }
    double sum = 0;
    try {
      for (int k = 0; k < draws; k++) {
        float[][] delta = new float[params.size()][];
        for (int p = 0; p < params.size(); p++) {
          float[] d = params.get(p).data();
          delta[p] = new float[d.length];
          for (int i = 0; i < d.length; i++) {
            delta[p][i] = (float) (sigma[p] * rng.nextGaussian());
            d[i] = saved[p][i] + delta[p][i];
          }
        }
        double plus = loss.getAsDouble();
        for (int p = 0; p < params.size(); p++) {
          float[] d = params.get(p).data();
          for (int i = 0; i < d.length; i++) d[i] = saved[p][i] - delta[p][i];
        }
        sum += (plus + loss.getAsDouble()) / 2;
      }
    } finally {
      for (int p = 0; p < params.size(); p++) System.arraycopy(saved[p], 0, params.get(p).data(), 0, saved[p].length);
    }
    return sum / draws - base;
  }
}
