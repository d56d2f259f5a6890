package dev.fathom.llm;

import dev.fathom.nn.ForwardHook;
import dev.fathom.nn.Linear;
import dev.fathom.quant.W8A8Matrix;
import dev.fathom.tensor.Tensor;

/**
 * The forward hook that makes a {@link Linear}'s output the W8A8 product (int8 activations per
 * token × int8 weights, plus float outlier columns) instead of the float GEMM on dequantized
 * weights, so the autograd forward ({@code lm eval}, {@code compress report}) runs the very
 * arithmetic the decode engine runs. The float GEMM still runs first and is discarded: this is an
 * inference path (the result has no gradient).
 */
final class W8A8Forward implements ForwardHook {
  private final W8A8Matrix m;

  W8A8Forward(W8A8Matrix m) {
    this.m = m;
  }

  @Override
  public Tensor apply(dev.fathom.nn.Module module, Tensor input, Tensor output) {
    Linear l = (Linear) module;
    int batch = input.numel() / m.cols();
    float[] y = new float[batch * m.rows()];
    m.apply(input.toFloatArray(), batch, l.bias == null ? null : l.bias.data(), y, false);  // (N, out)
    return Tensor.of(y, output.shape());
  }
}
