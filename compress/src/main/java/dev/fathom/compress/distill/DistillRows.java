package dev.fathom.compress.distill;

import dev.fathom.kernel.Parallel;

/**
 * The row kernel of {@link DistillationLoss}: for each row, the temperature-softened KL divergence
 * of the student from the teacher, the cross-entropy of the student at its label, and the gradient
 * of α·T²·KL + (1−α)·CE with respect to the student logits, in one pass over three log-sum-exps.
 *
 * <p>Plain scalar code in double (no Vector API, so no twin): each element's three exponentials
 * (e^{(s−max s)/T}, e^{(t−max t)/T}, e^{s−max s}) are computed once into a per-chunk scratch row and
 * reused for the normalisers, the KL and the gradient, so no probability is formed twice.
 */
final class DistillRows {
  private static final int GRAIN = 8192;

  private DistillRows() {}

  /**
   * @param s student logits (n·c), row-major
   * @param t teacher logits (n·c), or null when {@code alpha} is 0
   * @param y labels (n); rows whose label is {@code ignoreIndex} get zero loss and gradient
   * @param kl out: KL(softmax(t/T) ‖ softmax(s/T)) per row (0 when t is null)
   * @param ce out: −log softmax(s)[y] per row
   * @param grad out, or null: ∂(α·T²·KL + (1−α)·CE)/∂s per row (not divided by the row count)
   */
  static void rows(float[] s, float[] t, int n, int c, int[] y, int ignoreIndex, double temperature, double alpha, double[] kl,
      double[] ce, float[] grad) {
    Parallel.forRange(n, Math.max(1, GRAIN / c), (r0, r1) -> {
      double[] es = new double[c], et = new double[c], e1 = new double[c];
      for (int r = r0; r < r1; r++) row(s, t, r, c, y[r], ignoreIndex, temperature, alpha, kl, ce, grad, es, et, e1);
    });
  }

  private static void row(float[] s, float[] t, int r, int c, int label, int ignoreIndex, double temp, double alpha, double[] kl,
      double[] ce, float[] grad, double[] es, double[] et, double[] e1) {
    int off = r * c;
    if (label == ignoreIndex) {
      kl[r] = 0;
      ce[r] = 0;
      if (grad != null) java.util.Arrays.fill(grad, off, off + c, 0f);
      return;
    }
    double ms = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < c; j++) ms = Math.max(ms, s[off + j]);
    double z1 = 0;
    for (int j = 0; j < c; j++) z1 += e1[j] = Math.exp(s[off + j] - ms);
    ce[r] = ms + Math.log(z1) - s[off + label];
    if (t == null) {
      kl[r] = 0;
      if (grad != null) {
        for (int j = 0; j < c; j++) grad[off + j] = (float) ((1 - alpha) * (e1[j] / z1 - (j == label ? 1 : 0)));
      }
      return;
    }
    double mt = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < c; j++) mt = Math.max(mt, t[off + j]);
    double zs = 0, zt = 0;
    for (int j = 0; j < c; j++) {
      zs += es[j] = Math.exp((s[off + j] - ms) / temp);
      zt += et[j] = Math.exp((t[off + j] - mt) / temp);
    }
    double logZs = Math.log(zs), logZt = Math.log(zt);
    double sum = 0;
    for (int j = 0; j < c; j++) {
      double pt = et[j] / zt;
      // log p_t − log p_s at temperature T, from the shifted logits (no log of a probability)
      double diff = ((t[off + j] - mt) - (s[off + j] - ms)) / temp - logZt + logZs;
      if (pt > 0) sum += pt * diff;
      if (grad != null) {
        double soft = alpha * temp * (es[j] / zs - pt);
        double hard = (1 - alpha) * (e1[j] / z1 - (j == label ? 1 : 0));
        grad[off + j] = (float) (soft + hard);
      }
    }
    kl[r] = sum;
  }
}
