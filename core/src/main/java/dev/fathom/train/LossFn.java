package dev.fathom.train;

import dev.fathom.tensor.Tensor;

/** A training objective: model output and batch targets → scalar loss. */
@FunctionalInterface
public interface LossFn {
  Tensor apply(Tensor output, Tensor targets);
}
