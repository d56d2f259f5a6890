package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Called after a module's forward with its input and output; may return a replacement output, or null. */
@FunctionalInterface
public interface ForwardHook {
  Tensor apply(Module module, Tensor input, Tensor output);
}
