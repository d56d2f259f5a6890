package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Called before a module's forward; may return a replacement input, or null. */
@FunctionalInterface
public interface ForwardPreHook {
  Tensor apply(Module module, Tensor input);
}
