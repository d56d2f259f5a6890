package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Max pooling over (N, C, H, W); stride defaults to the kernel size as in PyTorch. */
public class MaxPool2d extends Module {
  public final int[] kernelSize, stride, padding;

  public MaxPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxPool2d(int kernelSize, int stride, int padding) {
    if (kernelSize <= 0 || stride <= 0 || padding < 0 || padding > kernelSize / 2) {
      throw new IllegalArgumentException("MaxPool2d: need kernel > 0, stride > 0, 0 <= padding <= kernel/2, got kernel="
          + kernelSize + ", stride=" + stride + ", padding=" + padding);
    }
    this.kernelSize = F.pair(kernelSize);
    this.stride = F.pair(stride);
    this.padding = F.pair(padding);
  }

  @Override
  public Tensor forward(Tensor x) {
    return F.maxPool2d(x, kernelSize, stride, padding);
  }

  @Override
  protected String extraRepr() {
    return "kernelSize=" + kernelSize[0] + ", stride=" + stride[0] + ", padding=" + padding[0];
  }
}
