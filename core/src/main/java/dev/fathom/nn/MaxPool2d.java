package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Max pooling over (N, C, H, W); stride defaults to the kernel size as in PyTorch. */
public class MaxPool2d extends Pool2dLayer {
  public MaxPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxPool2d(int kernelSize, int stride, int padding) {
    super("MaxPool2d", kernelSize, stride, padding);
  }

  @Override
  Tensor pool(Tensor x) {
    return F.maxPool2d(x, kernelSize, stride, padding);
  }
}
