package dev.fathom.vision.ssl;

import dev.fathom.nn.F;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * The normalized temperature-scaled cross-entropy loss of SimCLR (Chen et al. 2020), built from
 * differentiable ops (so its gradient is autograd's). For 2N embeddings where rows i and i + N
 * are the two views of one example, with ẑ = z/‖z‖ and s_ij = ẑ_i·ẑ_j / τ:
 *
 * <pre>
 *   ℓ_i = −log( exp(s_{i,p(i)}) / Σ_{k≠i} exp(s_ik) ),   p(i) = (i + N) mod 2N
 *   L   = (1/2N) Σ_i ℓ_i
 * </pre>
 *
 * i.e. a (2N − 1)-way classification of the positive among all other rows, the self-similarity
 * excluded (masked to −∞ before the softmax).
 */
public final class NtXent {
  private NtXent() {}

  /**
   * @param z embeddings (2N, D), view-major (rows [0, N) view 1, [N, 2N) view 2)
   * @param temperature τ > 0
   * @return the scalar loss
   */
  public static Tensor loss(Tensor z, double temperature) {
    if (z.dim() != 2 || z.size(0) < 2 || z.size(0) % 2 != 0) {
      throw new ShapeException("NtXent: expected embeddings (2N, D) with N >= 1, got " + Shape.str(z.shape()));
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("NtXent: expected a finite temperature > 0, got " + temperature);
    }
    int m = z.size(0), n = m / 2;
    Tensor zn = normalize(z);                                     // (2N, D)
    Tensor sim = zn.matmul(zn.t()).div((float) temperature);      // (2N, 2N)
    sim = sim.maskedFill(Tensor.eye(m).gt(0.5f), Float.NEGATIVE_INFINITY);
    long[] positive = new long[m];
    for (int i = 0; i < m; i++) positive[i] = (i + n) % m;
    return F.crossEntropy(sim, Tensor.ofLongs(positive, m));
  }

  /** Rows scaled to unit L2 norm: z / √(Σ z² + 1e-12), (M, D) → (M, D). */
  public static Tensor normalize(Tensor z) {
    return z.div(z.mul(z).sum(1, true).add(1e-12f).sqrt());
  }
}
