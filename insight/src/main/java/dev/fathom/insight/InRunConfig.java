package dev.fathom.insight;

/**
 * Settings of a training run that values its own data (In-Run Data Shapley) or a plain run of
 * the same loop.
 *
 * @param epochs passes over the training set
 * @param batchSize training rows per SGD step
 * @param lr plain SGD step size η (no momentum: the first-order term assumes Δθ = −η·∇L_batch)
 * @param cosine decay η_t = η·(1 + cos(πt/T))/2 over the T steps of the run (the values use η_t)
 * @param validBatch validation rows whose loss gradient each step is measured against; rows are
 *     drawn afresh each step, or the whole validation set is used when it is not larger
 * @param secondOrder also add the second-order term −(η²/2)·∇ℓ_iᵀ H_val ∇L_batch (two more
 *     validation backward passes per step, a finite-difference Hessian-vector product)
 * @param trackEvery every this many steps, measure the actual change of the whole validation
 *     loss across the step beside the predicted one (0: never)
 * @param checkpoints keep a copy of the parameters at the end of each epoch (for TracIn)
 * @param seed seed of the batch order and the validation draws
 */
public record InRunConfig(int epochs, int batchSize, double lr, boolean cosine, int validBatch, boolean secondOrder, int trackEvery,
    boolean checkpoints, long seed) {
  public InRunConfig {
    if (epochs < 1) throw new IllegalArgumentException("in-run: epochs must be >= 1, got " + epochs);
    if (batchSize < 1) throw new IllegalArgumentException("in-run: batchSize must be >= 1, got " + batchSize);
    if (!(lr > 0)) throw new IllegalArgumentException("in-run: lr must be > 0, got " + lr);
    if (validBatch < 1) throw new IllegalArgumentException("in-run: validBatch must be >= 1, got " + validBatch);
    if (trackEvery < 0) throw new IllegalArgumentException("in-run: trackEvery must be >= 0, got " + trackEvery);
  }

  public static InRunConfig of(int epochs, int batchSize, double lr, int validBatch, long seed) {
    return new InRunConfig(epochs, batchSize, lr, false, validBatch, false, 0, false, seed);
  }

  public InRunConfig withSecondOrder(boolean on) {
    return new InRunConfig(epochs, batchSize, lr, cosine, validBatch, on, trackEvery, checkpoints, seed);
  }

  public InRunConfig withTrackEvery(int every) {
    return new InRunConfig(epochs, batchSize, lr, cosine, validBatch, secondOrder, every, checkpoints, seed);
  }

  public InRunConfig withCheckpoints(boolean on) {
    return new InRunConfig(epochs, batchSize, lr, cosine, validBatch, secondOrder, trackEvery, on, seed);
  }

  public InRunConfig withCosine(boolean on) {
    return new InRunConfig(epochs, batchSize, lr, on, validBatch, secondOrder, trackEvery, checkpoints, seed);
  }

  public InRunConfig withLr(double newLr) {
    return new InRunConfig(epochs, batchSize, newLr, cosine, validBatch, secondOrder, trackEvery, checkpoints, seed);
  }
}
