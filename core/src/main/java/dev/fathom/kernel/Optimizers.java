package dev.fathom.kernel;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused one-pass optimizer updates on a flat parameter array: every element of the parameter,
 * its gradient and its state is read once and written once. The formulas are those of
 * {@code torch.optim.Adam}, {@code AdamW} and {@code SGD} (single-tensor path, no amsgrad, no
 * maximize), applied in the same order with float arithmetic; step-dependent scalars (bias
 * corrections) are computed in double and rounded once.
 */
public final class Optimizers {

  /*
   * Design. The vector bodies use mul and add, never fma, in the scalar twins' order, so the
   * Vector API path and the twins agree bitwise, and the split into parallel chunks (static,
   * element-wise) cannot change a result. Arrays of at least PARALLEL_MIN elements are split
   * across the shared pool; the update is memory-bound, so the grain is large.
   */

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();
  private static final int GRAIN = 1 << 15;
  private static final int PARALLEL_MIN = 2 * GRAIN;

  private Optimizers() {}

  /**
   * One Adam or AdamW step, in place on {@code p}, {@code m} and {@code v}:
   *
   * <pre>
   *   if weightDecay ≠ 0 and not decoupled:  g ← g + weightDecay·p          (Adam, L2)
   *   if decoupled:                          p ← p·(1 − lr·weightDecay)      (AdamW)
   *   m ← β1·m + (1 − β1)·g
   *   v ← β2·v + (1 − β2)·g²
   *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
   * </pre>
   *
   * The gradient array is not modified. Kingma and Ba, "Adam", 2015; Loshchilov and Hutter,
   * "Decoupled Weight Decay Regularization", 2019.
   *
   * @param p parameters, (n)
   * @param g gradient, (n)
   * @param m first-moment state, (n), zero before step 1
   * @param v second-moment state, (n), zero before step 1
   * @param step the 1-based step number t, after incrementing
   * @throws IllegalArgumentException if step &lt; 1
   * @throws IndexOutOfBoundsException if an array is shorter than n
   */
  public static void adamStep(float[] p, float[] g, float[] m, float[] v, int n,
      float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
      int step) {
    checkAdam(p, g, m, v, n, step);
    Adam a = Adam.of(lr, beta1, beta2, eps, weightDecay, decoupled, step);
    if (Kernels.scalarOnly()) {
      adamScalar(p, g, m, v, a, 0, n);
    } else if (n < PARALLEL_MIN) {
      adamVector(p, g, m, v, a, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> adamVector(p, g, m, v, a, s, e));
    }
  }

  /**
   * One SGD step, in place on {@code p} and the momentum buffer:
   *
   * <pre>
   *   d ← g + weightDecay·p                      (if weightDecay ≠ 0)
   *   if momentum ≠ 0:
   *     buf ← d                                  (first step)
   *     buf ← momentum·buf + (1 − dampening)·d   (later steps)
   *     d ← nesterov ? d + momentum·buf : buf
   *   p ← p − lr·d
   * </pre>
   *
   * The gradient array is not modified.
   *
   * @param p parameters, (n)
   * @param g gradient, (n)
   * @param momentumBufOrNull momentum buffer, (n); required when momentum ≠ 0, ignored otherwise
   * @param firstStep true on the first step (the buffer is initialised to d, as PyTorch does)
   * @throws IllegalArgumentException if momentum ≠ 0 and the buffer is null, or nesterov is
   *     requested with momentum 0 or dampening ≠ 0 (PyTorch's rule)
   * @throws IndexOutOfBoundsException if an array is shorter than n
   */
  public static void sgdStep(float[] p, float[] g, float[] momentumBufOrNull, int n,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean firstStep) {
    checkSgd(p, g, momentumBufOrNull, n, momentum, dampening, nesterov);
    Sgd c = new Sgd(lr, momentum, dampening, weightDecay, nesterov, firstStep);
    float[] buf = momentumBufOrNull;
    if (Kernels.scalarOnly()) {
      sgdScalar(p, g, buf, c, 0, n);
    } else if (n < PARALLEL_MIN) {
      sgdVector(p, g, buf, c, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> sgdVector(p, g, buf, c, s, e));
    }
  }

  /** The scalar twin of {@link #adamStep}, single-threaded. */
  static void adamStepScalar(float[] p, float[] g, float[] m, float[] v, int n,
      float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
      int step) {
    checkAdam(p, g, m, v, n, step);
    adamScalar(p, g, m, v, Adam.of(lr, beta1, beta2, eps, weightDecay, decoupled, step), 0, n);
  }

  /** The scalar twin of {@link #sgdStep}, single-threaded. */
  static void sgdStepScalar(float[] p, float[] g, float[] momentumBufOrNull, int n,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean firstStep) {
    checkSgd(p, g, momentumBufOrNull, n, momentum, dampening, nesterov);
    Sgd c = new Sgd(lr, momentum, dampening, weightDecay, nesterov, firstStep);
    sgdScalar(p, g, momentumBufOrNull, c, 0, n);
  }

  /** Per-step constants of Adam, as floats. */
  private record Adam(float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps,
      float l2, float decay, float stepSize, float biasCorrection2Sqrt) {

    static Adam of(float lr, float beta1, float beta2, float eps, float weightDecay,
        boolean decoupled, int step) {
      double bc1 = 1.0 - Math.pow(beta1, step);
      double bc2 = 1.0 - Math.pow(beta2, step);
      return new Adam(beta1, 1f - beta1, beta2, 1f - beta2, eps,
          decoupled ? 0f : weightDecay,
          decoupled ? (float) (1.0 - (double) lr * weightDecay) : 1f,
          (float) (lr / bc1), (float) Math.sqrt(bc2));
    }
  }

  /** Constants of one SGD step. */
  private record Sgd(float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean firstStep) {}

  private static void adamScalar(float[] p, float[] g, float[] m, float[] v, Adam a,
      int from, int to) {
    for (int i = from; i < to; i++) {
      float pi = p[i], gi = g[i];
      if (a.l2 != 0f) gi = gi + a.l2 * pi;
      pi = pi * a.decay;
      float mi = a.beta1 * m[i] + a.oneMinusBeta1 * gi;
      float vi = a.beta2 * v[i] + a.oneMinusBeta2 * gi * gi;
      float denom = (float) Math.sqrt(vi) / a.biasCorrection2Sqrt + a.eps;
      m[i] = mi;
      v[i] = vi;
      p[i] = pi - a.stepSize * mi / denom;
    }
  }

  private static void adamVector(float[] p, float[] g, float[] m, float[] v, Adam a,
      int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector pi = FloatVector.fromArray(F, p, i);
      FloatVector gi = FloatVector.fromArray(F, g, i);
      if (a.l2 != 0f) gi = gi.add(pi.mul(a.l2));
      pi = pi.mul(a.decay);
      FloatVector mi = FloatVector.fromArray(F, m, i).mul(a.beta1).add(gi.mul(a.oneMinusBeta1));
      FloatVector vi = FloatVector.fromArray(F, v, i).mul(a.beta2)
          .add(gi.mul(a.oneMinusBeta2).mul(gi));
      FloatVector denom = vi.sqrt().div(a.biasCorrection2Sqrt).add(a.eps);
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      pi.sub(mi.mul(a.stepSize).div(denom)).intoArray(p, i);
    }
    adamScalar(p, g, m, v, a, i, to);
  }

  private static void sgdScalar(float[] p, float[] g, float[] buf, Sgd c, int from, int to) {
    for (int i = from; i < to; i++) {
      float d = g[i];
      if (c.weightDecay != 0f) d = d + c.weightDecay * p[i];
      if (c.momentum != 0f) {
        float b = c.firstStep ? d : c.momentum * buf[i] + (1f - c.dampening) * d;
        buf[i] = b;
        d = c.nesterov ? d + c.momentum * b : b;
      }
      p[i] = p[i] - c.lr * d;
    }
  }

  private static void sgdVector(float[] p, float[] g, float[] buf, Sgd c, int from, int to) {
    int i = from;
    float keep = 1f - c.dampening;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector pi = FloatVector.fromArray(F, p, i);
      FloatVector d = FloatVector.fromArray(F, g, i);
      if (c.weightDecay != 0f) d = d.add(pi.mul(c.weightDecay));
      if (c.momentum != 0f) {
        FloatVector b = c.firstStep
            ? d
            : FloatVector.fromArray(F, buf, i).mul(c.momentum).add(d.mul(keep));
        b.intoArray(buf, i);
        d = c.nesterov ? d.add(b.mul(c.momentum)) : b;
      }
      pi.sub(d.mul(c.lr)).intoArray(p, i);
    }
    sgdScalar(p, g, buf, c, i, to);
  }

  private static void checkAdam(float[] p, float[] g, float[] m, float[] v, int n, int step) {
    if (step < 1) {
      throw new IllegalArgumentException(
          "Adam step must be >= 1 (1-based, after incrementing), got " + step);
    }
    Objects.checkFromIndexSize(0, n, p.length);
    Objects.checkFromIndexSize(0, n, g.length);
    Objects.checkFromIndexSize(0, n, m.length);
    Objects.checkFromIndexSize(0, n, v.length);
  }

  private static void checkSgd(float[] p, float[] g, float[] buf, int n, float momentum,
      float dampening, boolean nesterov) {
    if (nesterov && (momentum <= 0f || dampening != 0f)) {
      throw new IllegalArgumentException("Nesterov momentum requires momentum > 0 and dampening 0,"
          + " got momentum " + momentum + ", dampening " + dampening);
    }
    Objects.checkFromIndexSize(0, n, p.length);
    Objects.checkFromIndexSize(0, n, g.length);
    if (momentum != 0f) {
      if (buf == null) {
        throw new IllegalArgumentException(
            "SGD with momentum " + momentum + " needs a momentum buffer, got null");
      }
      Objects.checkFromIndexSize(0, n, buf.length);
    }
  }
}
