package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;
import java.util.List;

/**
 * One recorded operation in the define-by-run graph: the output's {@code gradFn}. It holds the
 * inputs and the derivative rule.
 */
public final class Node {
  private final String name;
  private final Tensor[] inputs;
  final BackwardFn fn;

  Node(String name, Tensor[] inputs, BackwardFn fn) {
    this.name = name;
    this.inputs = inputs;
    this.fn = fn;
  }

  /** Name of the operation ("matmul", "conv2d", a custom function's class name). */
  public String name() {
    return name;
  }

  /** The operation's inputs, in order. */
  public List<Tensor> inputs() {
    return List.of(inputs);
  }

  Tensor[] inputArray() {
    return inputs;
  }

  @Override
  public String toString() {
    return name + "Backward";
  }
}
