package dev.fathom.data;

/**
 * Indexed examples that can be gathered into a {@link Batch}. Batching is the dataset's job (one
 * copy into contiguous arrays), so a loader never boxes single examples.
 */
public interface Dataset {
  /** Number of examples. */
  int size();

  /** The examples at {@code indices}, in that order, as one batch. */
  Batch batch(int[] indices);

  /**
   * The examples at {@code indices} as served in epoch {@code epoch}. The {@link DataLoader} calls
   * this form, so a dataset whose examples depend on the epoch (random augmentations) can derive
   * its randomness from (epoch, index) and stay independent of which thread builds the batch.
   * The default ignores the epoch.
   */
  default Batch batch(int[] indices, int epoch) {
    return batch(indices);
  }
}
