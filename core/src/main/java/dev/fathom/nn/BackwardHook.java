package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/**
 * Called during backward with the gradients w.r.t. a module's input and output (like PyTorch's
 * full backward hook). {@code gradInput} is null when the input does not require grad.
 */
@FunctionalInterface
public interface BackwardHook {
  void apply(Module module, Tensor gradInput, Tensor gradOutput);
}
