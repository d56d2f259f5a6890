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
}
