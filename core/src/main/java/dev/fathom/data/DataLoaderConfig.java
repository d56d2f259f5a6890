package dev.fathom.data;

/**
 * How a {@link DataLoader} walks a dataset (names as torch.utils.data.DataLoader).
 *
 * @param batchSize examples per batch
 * @param shuffle reshuffle every epoch (seeded: epoch e uses a permutation derived from seed and e)
 * @param dropLast drop the final incomplete batch
 * @param seed shuffle seed
 * @param prefetch batches prepared ahead on a background thread (0 = none)
 */
public record DataLoaderConfig(int batchSize, boolean shuffle, boolean dropLast, long seed, int prefetch) {
  public DataLoaderConfig {
    if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batchSize must be > 0, got " + batchSize);
    if (prefetch < 0) throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, got " + prefetch);
  }

  /** Shuffled training batches with two batches of prefetch. */
  public static DataLoaderConfig train(int batchSize, long seed) {
    return new DataLoaderConfig(batchSize, true, false, seed, 2);
  }

  /** In-order evaluation batches. */
  public static DataLoaderConfig eval(int batchSize) {
    return new DataLoaderConfig(batchSize, false, false, 0, 2);
  }
}
