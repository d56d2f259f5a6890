package dev.fathom.xai;

import dev.fathom.tensor.Tensor;

/**
 * Integrated gradients (Sundararajan, Taly &amp; Yan 2017):
 * IG_i(x) = (x_i − x'_i) ∫₀¹ ∂f/∂x_i(x' + α(x − x')) dα, evaluated with a {@link Quadrature}.
 *
 * <p>Completeness: Σ_i IG_i = f(x) − f(x') exactly for the integral; the quadrature's gap is the
 * convergence delta of {@link #explain}. The interpolated inputs of a few examples go through the
 * model together, {@code maxRows} at a time.
 */
public final class IntegratedGradients implements Attribution {
  private final Baseline baseline;
  private final Quadrature quadrature;

  public IntegratedGradients(Baseline baseline, Quadrature quadrature) {
    this.baseline = baseline;
    this.quadrature = quadrature;
  }

  /** Zero baseline, n-point Gauss–Legendre. */
  public IntegratedGradients(int steps) {
    this(Baseline.zeros(), Quadrature.gaussLegendre(steps));
  }

  /**
   * The attributions with their completeness check.
   *
   * @param attributions (B, inputShape...)
   * @param delta Σ_i IG_i − (f(x) − f(x')) per example
   * @param outputGap f(x) − f(x') per example
   */
  public record Result(Tensor attributions, double[] delta, double[] outputGap) {
    /** |delta| / |f(x) − f(x')| of example i (the completeness error; 0 when the gap is 0 and so is delta). */
    public double relativeError(int i) {
      double gap = Math.abs(outputGap[i]);
      return gap == 0 ? Math.abs(delta[i]) : Math.abs(delta[i]) / gap;
    }
  }

  @Override
  public Tensor attribute(GradientModel model, Tensor x, int[] targets) {
    return explain(model, x, targets).attributions();
  }

  /** Attributions plus the completeness check per example. */
  public Result explain(GradientModel model, Tensor x, int[] targets) {
    model.checkInput(x);
    int n = x.size(0), f = model.features(), steps = quadrature.alphas().length;
    float[] base = baseline.row(model);
    float[] xd = x.data();
    float[] out = new float[n * f];
    // examples per pass, so each pass holds about maxRows interpolated inputs
    int per = Math.max(1, model.maxRows() / steps);
    for (int s = 0; s < n; s += per) {
      int len = Math.min(per, n - s);
      float[] path = new float[len * steps * f];
      int[] t = new int[len * steps];
      for (int i = 0; i < len; i++) {
        for (int k = 0; k < steps; k++) {
          float a = (float) quadrature.alphas()[k];
          int row = (i * steps + k) * f, src = (s + i) * f;
          for (int j = 0; j < f; j++) path[row + j] = base[j] + a * (xd[src + j] - base[j]);
          t[i * steps + k] = targets[s + i];
        }
      }
      float[] g = model.gradient(Tensor.of(path, model.batchShape(len * steps)), t).data();
      for (int i = 0; i < len; i++) {
        int dst = (s + i) * f;
        double[] acc = new double[f];
        for (int k = 0; k < steps; k++) {
          double w = quadrature.weights()[k];
          int row = (i * steps + k) * f;
          for (int j = 0; j < f; j++) acc[j] += w * g[row + j];
        }
        for (int j = 0; j < f; j++) out[dst + j] = (float) ((xd[dst + j] - base[j]) * acc[j]);
      }
    }
    float[] fx = model.score(x, targets);
    float[] fb = model.score(baseline.batch(model, n), targets);
    double[] delta = new double[n], gap = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < f; j++) sum += out[i * f + j];
      gap[i] = (double) fx[i] - fb[i];
      delta[i] = sum - gap[i];
    }
    return new Result(Tensor.of(out, model.batchShape(n)), delta, gap);
  }
}
