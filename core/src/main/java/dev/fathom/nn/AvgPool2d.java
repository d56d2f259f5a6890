package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Average pooling over (N, C, H, W) (count_include_pad); stride defaults to the kernel size as in PyTorch. */
public class AvgPool2d extends Pool2dLayer {
  public AvgPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public AvgPool2d(int kernelSize, int stride, int padding) {
    super("AvgPool2d", kernelSize, stride, padding);
  }

  @Override
  Tensor pool(Tensor x) {
    return F.avgPool2d(x, kernelSize, stride, padding);
  }
}
