package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Average pooling over (N, C, H, W) (count_include_pad); stride defaults to the kernel size as in PyTorch. */
public class AvgPool2d extends Module {
  public final int[] kernelSize, stride, padding;

  public AvgPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public AvgPool2d(int kernelSize, int stride, int padding) {
    if (kernelSize <= 0 || stride <= 0 || padding < 0 || padding > kernelSize / 2) {
      throw new IllegalArgumentException("AvgPool2d: need kernel > 0, stride > 0, 0 <= padding <= kernel/2, got kernel="
          + kernelSize + ", stride=" + stride + ", padding=" + padding);
    }
    this.kernelSize = F.pair(kernelSize);
    this.stride = F.pair(stride);
    this.padding = F.pair(padding);
  }

  @Override
  public Tensor forward(Tensor x) {
    return F.avgPool2d(x, kernelSize, stride, padding);
  }

  @Override
  protected String extraRepr() {
    return "kernelSize=" + kernelSize[0] + ", stride=" + stride[0] + ", padding=" + padding[0];
  }
}
