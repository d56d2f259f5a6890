package dev.fathom.compress;

/**
 * AWQ's search settings.
 *
 * @param gridSize α is tried at 0, 1/gridSize, ..., (gridSize−1)/gridSize (20 in the paper's code)
 * @param searchBatches calibration batches (of the layerwise run) whose block outputs score each α
 */
public record AwqConfig(int gridSize, int searchBatches) {
  public AwqConfig {
    if (gridSize < 1) throw new IllegalArgumentException("AWQ gridSize: expected >= 1, got " + gridSize);
    if (searchBatches < 1) throw new IllegalArgumentException("AWQ searchBatches: expected >= 1, got " + searchBatches);
  }

  /** A grid of 20 values of α, scored on the first 2 calibration batches. */
  public static AwqConfig defaults() {
    return new AwqConfig(20, 2);
  }
}
