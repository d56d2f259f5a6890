package dev.fathom.autograd;

import dev.fathom.tensor.Tensor;

/**
 * A custom differentiable function: subclass, write {@link #forward} and {@link #backward}, call
 * {@link #apply}. This is the same mechanism the built-in operations use.
 *
 * <pre>{@code
 * class Cube extends Function {
 *   protected Tensor forward(FunctionContext ctx, Tensor... in) {
 *     ctx.saveForBackward(in[0]);
 *     return in[0].pow(3);
 *   }
 *   protected Tensor[] backward(FunctionContext ctx, Tensor g) {
 *     Tensor x = ctx.savedTensors()[0];
 *     return new Tensor[] {g.mul(x.mul(x).mul(3))};
 *   }
 * }
 * Tensor y = new Cube().apply(x);
 * }</pre>
 *
 * <p>Forward runs with recording disabled; backward runs with recording disabled and must
 * return one gradient per input (or {@code null}), each with its input's shape.
 */
public abstract class Function {

  /** Computes the output from the inputs; may save tensors and values in {@code ctx}. */
  protected abstract Tensor forward(FunctionContext ctx, Tensor... inputs);

  /** Gradients w.r.t. each input, given the gradient w.r.t. the output. */
  protected abstract Tensor[] backward(FunctionContext ctx, Tensor gradOutput);

  /** Runs forward and records the operation on the graph when any input requires grad. */
  public final Tensor apply(Tensor... inputs) {
    FunctionContext ctx = new FunctionContext();
    boolean[] needs = new boolean[inputs.length];
    for (int i = 0; i < inputs.length; i++) needs[i] = inputs[i] != null && inputs[i].requiresGrad();
    ctx.setNeedsInputGrad(needs);
    Tensor out;
    try (var g = Grad.disabled()) {
      out = forward(ctx, inputs);
    }
    return Autograd.record(getClass().getSimpleName(), out, go -> backward(ctx, go), inputs);
  }
}
