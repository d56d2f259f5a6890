package dev.fathom.compress;

/**
 * AWQ's search settings.
 *
 * @param gridSize α is tried at 0, 1/gridSize, ..., (gridSize−1)/gridSize (20 in the paper's code)
 * @param searchBatches calibration batches (of the layerwise run) whose block outputs score each α
 * @param clipQueryKey whether q_proj and k_proj get the weight-clipping search too; the authors'
 *     code skips them ("due to qk bmm, it is hard to clip precisely") and rounds them to nearest
 * @param duoScaling whether the search also tries s_j = mean|X_j|^α / mean_r(|W_rj| / max|W_group|)^(1−α)
 *     beside the activation-only s_j = mean|X_j|^α (AutoAWQ's default, "duo scaling"); the best
 *     candidate of either family wins, so the search stays at least as good as the activation-only one
 */
public record AwqConfig(int gridSize, int searchBatches, boolean clipQueryKey, boolean duoScaling) {
  /** With q_proj and k_proj clipped like every other projection, activation-only scales. */
  public AwqConfig(int gridSize, int searchBatches) {
    this(gridSize, searchBatches, true, false);
  }

  public AwqConfig {
    if (gridSize < 1) throw new IllegalArgumentException("AWQ gridSize: expected >= 1, got " + gridSize);
    if (searchBatches < 1) throw new IllegalArgumentException("AWQ searchBatches: expected >= 1, got " + searchBatches);
  }

  /** A grid of 20 values of α, scored on the first 2 calibration batches. */
  public static AwqConfig defaults() {
    return new AwqConfig(20, 2);
  }
}
