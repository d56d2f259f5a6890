package dev.fathom.compress;

/**
 * Settings of the W8A8 methods.
 *
 * @param alpha SmoothQuant's migration strength α in [0, 1]: s_j = max|X_j|^α / max|W_j|^(1−α)
 *     (0.5 in the paper; 0 leaves activations alone, 1 moves all their range into the weights)
 * @param threshold LLM.int8's outlier threshold (&gt; 0, 6.0 in the paper): an input column whose
 *     calibration activations reach |x| &gt; threshold is kept in float
 */
public record W8A8Config(double alpha, double threshold) {
  public static final double DEFAULT_ALPHA = 0.5, DEFAULT_THRESHOLD = 6.0;

  public W8A8Config {
    if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha: expected a number in [0, 1], got " + alpha);
    if (!(threshold > 0 && Double.isFinite(threshold))) throw new IllegalArgumentException("threshold: expected a finite number > 0, got " + threshold);
  }

  /** α = 0.5, threshold 6.0, as in the papers. */
  public static W8A8Config defaults() {
    return new W8A8Config(DEFAULT_ALPHA, DEFAULT_THRESHOLD);
  }
}
