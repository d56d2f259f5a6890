package dev.fathom.xai.shap;

import dev.fathom.tensor.Rng;
import dev.fathom.xai.Predictor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * KernelSHAP (Lundberg and Lee, "A Unified Approach to Interpreting Model Predictions",
 * NeurIPS 2017): Shapley values of any {@link Predictor}'s output, estimated by a weighted linear
 * regression over feature coalitions.
 *
 * <p>The game: the players are the d features of the explained row x; the value of a coalition
 * S is the interventional expectation
 *
 * <pre>
 *   v(S) = (1/N) Σ_b f(x_S, b_S̄)
 * </pre>
 *
 * over N background rows b (features in S taken from x, the rest from b), so v(∅) = E_b f(b) =
 * φ_0 (the base value) and v(all) = f(x). The Shapley value φ_i averages i's marginal
 * contribution over all orders. Lundberg and Lee show that φ is the solution of
 *
 * <pre>
 *   min_φ  Σ_S π(S) (v(S) − φ_0 − Σ_{i∈S} φ_i)²   subject to   Σ_i φ_i = f(x) − φ_0,
 *   π(S) = (M − 1) / (C(M, |S|) · |S| · (M − |S|)),
 * </pre>
 *
 * exactly when every coalition is in the sum, and a consistent estimate when a sample of them
 * is ({@link Coalitions} chooses them as the shap package does: complete small and large sizes
 * first, then paired random draws). The constraint is enforced exactly by eliminating the last
 * varying feature, as shap does: φ_M = (f(x) − φ_0) − Σ_{i&lt;M} φ_i, and the regression on the
 * others has targets v(S) − φ_0 − z_M (f(x) − φ_0) and inputs z_i − z_M.
 *
 * <p>Features on which x equals every background row cannot change any v(S); they get φ = 0
 * and are left out of the game (M counts the others), again as shap does. Cost: one predictor
 * call for x, then the coalitions × N synthetic rows in batches of at most 4M values. On a
 * linear model f(x) = w·x + c the values are w_i (x_i − mean_b b_i), the test of this class.
 *
 * <p>Use: {@code KernelShap.explain(f, background, x, 0, KernelShapConfig.defaults())}, or one
 * {@code new KernelShap(f, background, config)} for many rows (the background is scored once).
 * Keep the background small (shap suggests 100 rows or fewer; {@link Background#sample}):
 * the cost grows linearly with it.
 */
public final class KernelShap {
  private static final String WHO = "KernelSHAP";
  /** The most feature values built into one batch of synthetic rows (32 MiB of doubles). */
  static final int MAX_BATCH_VALUES = 1 << 22;

  private final Predictor model;
  private final double[][] background;
  private final KernelShapConfig config;
  private final int width, outputs, budget;
  private final double[] baseValues;

  /**
   * Scores the background once and checks the settings against its width.
   *
   * @param model the model to explain
   * @param background (N, d) reference rows, N &ge; 1, finite; copied
   * @param config the settings
   * @throws IllegalArgumentException if the background is empty, ragged or not finite, or the
   *     budget is below d + 2 without reaching 2^d − 2
   * @throws IllegalStateException if the predictor returns a wrong number of rows or scores
   */
  public KernelShap(Predictor model, double[][] background, KernelShapConfig config) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    this.width = Rows.checkMatrix(WHO, "background", background);
    this.background = new double[background.length][];
    for (int b = 0; b < background.length; b++) this.background[b] = background[b].clone();
    this.budget = config.budget(width);
    long all = width <= 30 ? (1L << width) - 2 : Long.MAX_VALUE;
    if (budget < all && budget < width + 2) {
      throw new IllegalArgumentException(WHO + ": nsamples must be at least d + 2 = " + (width + 2) + " for " + width
          + " features (or at least 2^d - 2 = " + all + " to enumerate every coalition), got " + budget);
    }
    double[][] out = Rows.predict(WHO, model, this.background);
    this.outputs = out[0].length;
    this.baseValues = new double[outputs];
    for (double[] row : out) for (int c = 0; c < outputs; c++) baseValues[c] += row[c];
    for (int c = 0; c < outputs; c++) baseValues[c] /= out.length;
  }

  /**
   * Explains one row with a fresh explainer; see {@link #explain(double[], int)}.
   *
   * @param model the model to explain
   * @param background (N, d) reference rows
   * @param x (d) the row to explain
   * @param outputIndex the output column to explain
   * @param config the settings
   * @return the Shapley values and base value
   */
  public static ShapExplanation explain(Predictor model, double[][] background, double[] x, int outputIndex,
      KernelShapConfig config) {
    return new KernelShap(model, background, config).explain(x, outputIndex);
  }

  /**
   * The Shapley values of {@code x} for one output column.
   *
   * @param x (d) the row to explain, finite
   * @param outputIndex the output column, in [0, k)
   * @return φ (d), φ_0 and f(x); Σ φ = f(x) − φ_0
   * @throws IllegalArgumentException if x does not have d finite features or the column is
   *     out of range
   * @throws IllegalStateException if the predictor misbehaves, or sampled coalitions do not
   *     determine the values (raise nsamples)
   */
  public ShapExplanation explain(double[] x, int outputIndex) {
    Rows.checkRow(WHO, x, width, "background");
    Rows.checkOutput(WHO, outputIndex, outputs);
    double fx = Rows.predict(WHO, model, new double[][] {x.clone()}, outputs)[0][outputIndex];
    double base = baseValues[outputIndex];
    int[] varying = varying(x);
    int m = varying.length;
    double[] phi = new double[width];
    if (m <= 1) {  // no game to estimate: all of f(x) − φ_0 is the one varying feature's
      if (m == 1) phi[varying[0]] = fx - base;
      return new ShapExplanation(phi, base, fx, outputIndex, 0, true);
    }
    Coalitions c = Coalitions.draw(m, budget, config.paired(), new Rng(config.seed()));
    boolean[][] z = c.masks();
    double[] v = coalitionValues(z, varying, x, outputIndex);
    double delta = fx - base;
    int last = m - 1;
    double[][] a = new double[z.length][last];
    double[] y = new double[z.length];
    for (int r = 0; r < z.length; r++) {
      double zl = z[r][last] ? 1 : 0;
      y[r] = v[r] - base - zl * delta;
      for (int i = 0; i < last; i++) a[r][i] = (z[r][i] ? 1 : 0) - zl;
    }
    double[] beta = WeightedLeastSquares.solve(a, y, c.weights(), null, WHO);
    double rest = delta;
    for (int i = 0; i < last; i++) {
      phi[varying[i]] = beta[i];
      rest -= beta[i];
    }
    phi[varying[last]] = rest;
    return new ShapExplanation(phi, base, fx, outputIndex, z.length, c.exhaustive());
  }

  /**
   * Explains several rows, each as {@link #explain(double[], int)} (each with the configured
   * seed, so a row's values do not depend on its neighbours).
   *
   * @param rows (n, d) rows to explain
   * @param outputIndex the output column
   * @return n explanations in row order
   */
  public List<ShapExplanation> explain(double[][] rows, int outputIndex) {
    List<ShapExplanation> out = new ArrayList<>(rows.length);
    for (double[] x : rows) out.add(explain(x, outputIndex));
    return out;
  }

  /**
   * φ_0 for an output column: the mean output over the background.
   *
   * @param outputIndex the output column, in [0, k)
   * @return E_b f(b)
   */
  public double baseValue(int outputIndex) {
    Rows.checkOutput(WHO, outputIndex, outputs);
    return baseValues[outputIndex];
  }

  /** The features on which x differs from at least one background row. */
  private int[] varying(double[] x) {
    int[] idx = new int[width];
    int m = 0;
    for (int j = 0; j < width; j++) {
      for (double[] b : background) {
        if (b[j] != x[j]) {
          idx[m++] = j;
          break;
        }
      }
    }
    return Arrays.copyOf(idx, m);
  }

  /** v(S) for each coalition: the mean output over the background with the coalition's features taken from x. */
  private double[] coalitionValues(boolean[][] z, int[] varying, double[] x, int outputIndex) {
    int n = background.length;
    int perBatch = Math.max(1, MAX_BATCH_VALUES / (n * width));
    double[] v = new double[z.length];
    for (int start = 0; start < z.length; start += perBatch) {
      int count = Math.min(perBatch, z.length - start);
      double[][] rows = new double[count * n][];
      for (int s = 0; s < count; s++) {
        boolean[] mask = z[start + s];
        for (int b = 0; b < n; b++) {
          double[] row = background[b].clone();
          for (int i = 0; i < varying.length; i++) if (mask[i]) row[varying[i]] = x[varying[i]];
          rows[s * n + b] = row;
        }
      }
      double[][] out = Rows.predict(WHO, model, rows, outputs);
      for (int s = 0; s < count; s++) {
        double sum = 0;
        for (int b = 0; b < n; b++) sum += out[s * n + b][outputIndex];
        v[start + s] = sum / n;
      }
    }
    return v;
  }
}
