package dev.fathom.data;

/**
 * How a {@link DataLoader} walks a dataset (names as torch.utils.data.DataLoader).
 *
 * @param batchSize examples per batch
 * @param shuffle reshuffle every epoch (seeded: epoch e uses a permutation derived from seed and e)
 * @param dropLast drop the final incomplete batch
 * @param seed shuffle seed
 * @param prefetch batches each background worker prepares ahead (torch's {@code prefetch_factor});
 *     0 exactly when {@code numWorkers} is 0
 * @param numWorkers background threads that build batches (torch's {@code num_workers}); 0 builds
 *     them in the consumer's thread. Batches are delivered in order whatever the count.
 */
public record DataLoaderConfig(int batchSize, boolean shuffle, boolean dropLast, long seed, int prefetch, int numWorkers) {
  public DataLoaderConfig {
    if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batchSize must be > 0, got " + batchSize);
    if (prefetch < 0) throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, got " + prefetch);
    if (numWorkers < 0) throw new IllegalArgumentException("DataLoader: numWorkers must be >= 0, got " + numWorkers);
    if ((numWorkers == 0) != (prefetch == 0)) {
      throw new IllegalArgumentException("DataLoader: prefetch must be > 0 with background workers and 0 without, got prefetch "
          + prefetch + " with numWorkers " + numWorkers);
    }
  }

  /** One background worker when {@code prefetch > 0} (the original form), none when it is 0. */
  public DataLoaderConfig(int batchSize, boolean shuffle, boolean dropLast, long seed, int prefetch) {
    this(batchSize, shuffle, dropLast, seed, prefetch, prefetch > 0 ? 1 : 0);
  }

  /** Shuffled training batches with two batches of prefetch. */
  public static DataLoaderConfig train(int batchSize, long seed) {
    return new DataLoaderConfig(batchSize, true, false, seed, 2);
  }

  /** In-order evaluation batches. */
  public static DataLoaderConfig eval(int batchSize) {
    return new DataLoaderConfig(batchSize, false, false, 0, 2);
  }

  /** This config with {@code workers} background workers (two batches of prefetch each; 0: none). */
  public DataLoaderConfig withWorkers(int workers) {
    return new DataLoaderConfig(batchSize, shuffle, dropLast, seed, workers == 0 ? 0 : Math.max(prefetch, 2), workers);
  }
}
