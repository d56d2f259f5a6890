package dev.fathom.vision.ssl;

/**
 * How the {@link Pretrainer} runs: AdamW with linear warmup and cosine decay, over shuffled
 * batches whose views are augmented in the DataLoader's workers.
 *
 * @param epochs passes over the unlabelled images
 * @param batchSize images per batch (each gives {@code viewCount} views)
 * @param lr peak learning rate
 * @param weightDecay AdamW's decoupled weight decay
 * @param warmupEpochs epochs of linear warmup (may be fractional)
 * @param numWorkers DataLoader workers that augment
 * @param seed shuffle and augmentation seed
 */
public record PretrainConfig(int epochs, int batchSize, double lr, double weightDecay, double warmupEpochs, int numWorkers, long seed) {
  public PretrainConfig {
    if (epochs <= 0) throw new IllegalArgumentException("PretrainConfig: epochs must be > 0, got " + epochs);
    if (batchSize < 2) throw new IllegalArgumentException("PretrainConfig: batchSize must be >= 2, got " + batchSize);
    if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("PretrainConfig: lr must be finite and > 0, got " + lr);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("PretrainConfig: weightDecay must be >= 0, got " + weightDecay);
    if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) {
      throw new IllegalArgumentException("PretrainConfig: warmupEpochs must be in [0, epochs = " + epochs + "], got " + warmupEpochs);
    }
    if (numWorkers < 0) throw new IllegalArgumentException("PretrainConfig: numWorkers must be >= 0, got " + numWorkers);
  }
}
