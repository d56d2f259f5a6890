package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

/**
 * The derivative rule of one recorded operation: given the gradient of the loss with respect to
 * the operation's output, returns the gradients with respect to each input (same order as the
 * inputs; {@code null} where an input needs none). Runs with gradient recording disabled.
 */
@FunctionalInterface
public interface BackwardFn {
  Tensor[] apply(Tensor gradOutput);
}
