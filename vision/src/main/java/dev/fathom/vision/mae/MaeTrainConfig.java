package dev.fathom.vision.mae;

/**
 * How MAE pretraining runs (the reference recipe's names: AdamW with betas (0.9, 0.95), weight
 * decay 0.05, linear warm-up then cosine decay).
 *
 * @param epochs passes over the unlabelled images
 * @param batchSize images per step
 * @param lr peak learning rate
 * @param weightDecay AdamW weight decay
 * @param warmupEpochs epochs of linear warm-up
 * @param seed seed for shuffling and masks
 */
public record MaeTrainConfig(int epochs, int batchSize, double lr, double weightDecay, int warmupEpochs, long seed) {
  public MaeTrainConfig {
    if (epochs <= 0 || batchSize <= 0) throw new IllegalArgumentException("epochs and batchSize must be > 0, got " + epochs + ", " + batchSize);
    if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
    if (weightDecay < 0) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    if (warmupEpochs < 0 || warmupEpochs > epochs) {
      throw new IllegalArgumentException("warmupEpochs must be in [0, epochs=" + epochs + "], got " + warmupEpochs);
    }
  }
}
