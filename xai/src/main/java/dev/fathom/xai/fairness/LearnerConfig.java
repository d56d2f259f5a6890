package dev.fathom.xai.fairness;

import java.util.Arrays;

/**
 * Hyper-parameters of the {@link WeightedLearner}: its architecture and its AdamW training run.
 *
 * @param hidden hidden layer sizes of the MLP (ReLU between layers); empty for logistic
 *     regression, a single {@code Linear(d, 2)}
 * @param epochs passes over the training data
 * @param batchSize examples per step
 * @param lr AdamW learning rate (constant)
 * @param weightDecay AdamW decoupled weight decay
 */
public record LearnerConfig(int[] hidden, int epochs, int batchSize, double lr, double weightDecay) {
  /**
   * Validates the hyper-parameters.
   *
   * @throws IllegalArgumentException if a hidden size, epochs or batch size is not positive, lr
   *     is not a finite positive number, or weight decay is negative
   */
  public LearnerConfig {
    hidden = hidden == null ? new int[0] : hidden.clone();
    if (Arrays.stream(hidden).anyMatch(h -> h <= 0)) {
      throw new IllegalArgumentException("LearnerConfig: hidden sizes must be positive, got " + Arrays.toString(hidden));
    }
    if (epochs <= 0 || batchSize <= 0) {
      throw new IllegalArgumentException("LearnerConfig: epochs and batchSize must be positive, got " + epochs + " and " + batchSize);
    }
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("LearnerConfig: lr must be a finite number > 0, got " + lr);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("LearnerConfig: weightDecay must be >= 0, got " + weightDecay);
    }
  }

  /**
   * Logistic regression: 40 epochs of batches of 64 at lr 0.01, weight decay 0.01.
   *
   * @return the config
   */
  public static LearnerConfig logisticRegression() {
    return new LearnerConfig(new int[0], 40, 64, 0.01, 0.01);
  }

  /**
   * A one-hidden-layer MLP: 40 epochs of batches of 64 at lr 0.005, weight decay 0.01.
   *
   * @param width the hidden layer's size
   * @return the config
   */
  public static LearnerConfig mlp(int width) {
    return new LearnerConfig(new int[] {width}, 40, 64, 0.005, 0.01);
  }

  /**
   * Whether this is logistic regression (no hidden layer).
   *
   * @return true if {@link #hidden()} is empty
   */
  public boolean isLinear() {
    return hidden.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LearnerConfig c && Arrays.equals(hidden, c.hidden) && epochs == c.epochs && batchSize == c.batchSize
        && lr == c.lr && weightDecay == c.weightDecay;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hidden) * 31 + Double.hashCode(lr) + 7 * epochs;
  }

  @Override
  public String toString() {
    return "LearnerConfig[hidden=" + Arrays.toString(hidden) + ", epochs=" + epochs + ", batchSize=" + batchSize + ", lr=" + lr
        + ", weightDecay=" + weightDecay + "]";
  }
}
