package dev.fathom.xai.shap;

import dev.fathom.tensor.Rng;
import dev.fathom.xai.Predictor;
import java.util.Arrays;
import java.util.Objects;

/**
 * LIME for tabular rows (Ribeiro, Singh and Guestrin, "Why Should I Trust You?", KDD 2016):
 * a weighted linear surrogate fitted to the model's outputs on random perturbations of one row.
 *
 * <p>The recipe, as the lime package's {@code LimeTabularExplainer} with
 * {@code discretize_continuous=False}:
 *
 * <ol>
 *   <li>From the training rows, each feature's mean μ_j and population standard deviation s_j
 *       (s_j = 1 where it is 0, as scikit-learn's StandardScaler).
 *   <li>Draw z ~ N(0, I) in standardized space, around 0 (the training mean, lime's default) or
 *       around the row's own z_0 = (x − μ) / s; the model sees μ + s·z. The first sample is the
 *       row itself.
 *   <li>Weight each sample by the exponential kernel on its Euclidean distance D to z_0:
 *       π = exp(−D² / (2σ²)) (lime writes √(exp(−D²/σ²))), σ = 0.75·√d by default.
 *   <li>Keep k features: the largest |coefficients| of a weighted ridge fit (alpha 0.01) on all
 *       of them (lime's {@code highest_weights} selection).
 *   <li>Fit weighted ridge regression (alpha 1, intercept unpenalized) of the outputs on the kept
 *       z columns; report its coefficients, intercept and weighted R².
 * </ol>
 *
 * <p>Why continuous sampling rather than lime's default quartile discretization: the
 * coefficients then have one meaning for every feature (output change per training standard
 * deviation, at the explained row's neighbourhood), a linear model is recovered exactly
 * (coefficient w_j·s_j, R² → 1), and no bin edges are estimated from the training data.
 * Discretized LIME explains a different surrogate (on "is in the row's quartile" indicators) and
 * its coefficients are not comparable with SHAP values or gradients. lime's forward-selection
 * option for k &le; 6 is not implemented; the selection is always by largest weights.
 */
public final class Lime {
  private static final String WHO = "LIME";

  private final Predictor model;
  private final LimeConfig config;
  private final double[] mean, scale;

  /**
   * Fits the training statistics.
   *
   * @param model the model to explain
   * @param training (n, d) training rows, n &ge; 1, finite
   * @param config the settings
   * @throws IllegalArgumentException if the training rows are empty, ragged or not finite
   */
  public Lime(Predictor model, double[][] training, LimeConfig config) {
    this.model = Objects.requireNonNull(model, "model");
    this.config = Objects.requireNonNull(config, "config");
    int d = Rows.checkMatrix(WHO, "training data", training);
    mean = new double[d];
    scale = new double[d];
    for (double[] row : training) for (int j = 0; j < d; j++) mean[j] += row[j];
    for (int j = 0; j < d; j++) mean[j] /= training.length;
    for (double[] row : training) for (int j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
    for (int j = 0; j < d; j++) {
      double s = Math.sqrt(scale[j] / training.length);
      scale[j] = s > 0 ? s : 1;
    }
  }

  /**
   * Explains one row with a fresh explainer; see {@link #explain(double[], int)}.
   *
   * @param model the model to explain
   * @param training (n, d) training rows
   * @param x (d) the row to explain
   * @param outputIndex the output column to explain
   * @param config the settings
   * @return the surrogate
   */
  public static LimeExplanation explain(Predictor model, double[][] training, double[] x, int outputIndex, LimeConfig config) {
    return new Lime(model, training, config).explain(x, outputIndex);
  }

  /**
   * Fits the local surrogate around {@code x} for one output column.
   *
   * @param x (d) the row to explain, finite
   * @param outputIndex the output column
   * @return the kept features, their coefficients, the intercept and the weighted R²
   * @throws IllegalArgumentException if x does not have d finite features or the column is
   *     out of range
   * @throws IllegalStateException if the predictor misbehaves, or with alpha 0 the samples do
   *     not determine the surrogate
   */
  public LimeExplanation explain(double[] x, int outputIndex) {
    int d = mean.length;
    Rows.checkRow(WHO, x, d, "training data");
    int n = config.numSamples();
    double[] z0 = new double[d];
    for (int j = 0; j < d; j++) z0[j] = (x[j] - mean[j]) / scale[j];
    Rng rng = new Rng(config.seed());
    double[][] z = new double[n][];
    double[][] inputs = new double[n][];
    z[0] = z0;
    inputs[0] = x.clone();
    for (int r = 1; r < n; r++) {
      double[] zr = new double[d];
      double[] xr = new double[d];
      for (int j = 0; j < d; j++) {
        zr[j] = rng.nextGaussian() + (config.sampleAroundInstance() ? z0[j] : 0);
        xr[j] = mean[j] + scale[j] * zr[j];
      }
      z[r] = zr;
      inputs[r] = xr;
    }
    double[][] out = Rows.predict(WHO, model, inputs);
    Rows.checkOutput(WHO, outputIndex, out[0].length);
    double[] y = new double[n];
    for (int r = 0; r < n; r++) y[r] = out[r][outputIndex];
    double width = config.width(d);
    double[] w = new double[n];
    for (int r = 0; r < n; r++) {
      double dist2 = 0;
      for (int j = 0; j < d; j++) dist2 += (z[r][j] - z0[j]) * (z[r][j] - z0[j]);
      w[r] = Math.exp(-dist2 / (2 * width * width));
    }

    int[] kept = select(z, y, w, Math.min(config.numFeatures(), d));
    double[] coef = ridge(z, y, w, kept, config.alpha());
    int k = kept.length;
    double[] fitted = new double[n];
    for (int r = 0; r < n; r++) {
      double g = coef[k];
      for (int j = 0; j < k; j++) g += coef[j] * z[r][kept[j]];
      fitted[r] = g;
    }
    int[] order = Rows.byMagnitude(Arrays.copyOf(coef, k));
    int[] features = new int[k];
    double[] weights = new double[k];
    for (int i = 0; i < k; i++) {
      features[i] = kept[order[i]];
      weights[i] = coef[order[i]];
    }
    return new LimeExplanation(features, weights, coef[k], weightedR2(y, fitted, w), fitted[0], y[0], outputIndex);
  }

  /** lime's {@code highest_weights}: the k largest |coefficients| of a ridge (alpha 0.01) fit on every feature. */
  private static int[] select(double[][] z, double[] y, double[] w, int k) {
    int d = z[0].length;
    int[] all = new int[d];
    for (int j = 0; j < d; j++) all[j] = j;
    if (k == d) return all;
    double[] coef = ridge(z, y, w, all, 0.01);
    int[] top = Arrays.copyOf(Rows.byMagnitude(Arrays.copyOf(coef, d)), k);
    Arrays.sort(top);
    return top;
  }

  /** Weighted ridge on the columns {@code cols} of z plus an unpenalized intercept; returns (coefficients..., intercept). */
  private static double[] ridge(double[][] z, double[] y, double[] w, int[] cols, double alpha) {
    int k = cols.length;
    double[][] a = new double[z.length][k + 1];
    for (int r = 0; r < z.length; r++) {
      for (int j = 0; j < k; j++) a[r][j] = z[r][cols[j]];
      a[r][k] = 1;
    }
    double[] penalty = new double[k + 1];
    Arrays.fill(penalty, 0, k, alpha);
    return WeightedLeastSquares.solve(a, y, w, penalty, WHO);
  }

  /** scikit-learn's weighted r2_score: 1 − SS_res/SS_tot, 1 for a perfect fit of a constant, 0 for an imperfect one. */
  static double weightedR2(double[] y, double[] fitted, double[] w) {
    double sw = 0, swy = 0;
    for (int r = 0; r < y.length; r++) {
      sw += w[r];
      swy += w[r] * y[r];
    }
    double ybar = swy / sw, res = 0, tot = 0;
    for (int r = 0; r < y.length; r++) {
      res += w[r] * (y[r] - fitted[r]) * (y[r] - fitted[r]);
      tot += w[r] * (y[r] - ybar) * (y[r] - ybar);
    }
    if (tot == 0) return res == 0 ? 1 : 0;
    return 1 - res / tot;
  }
}
