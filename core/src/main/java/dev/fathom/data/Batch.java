package dev.fathom.data;

import dev.fathom.tensor.Tensor;

/** A batch: inputs (N, ...) and targets (N) or (N, ...). */
public record Batch(Tensor inputs, Tensor targets) {
  /** Number of examples. */
  public int size() {
    return inputs.size(0);
  }
}
