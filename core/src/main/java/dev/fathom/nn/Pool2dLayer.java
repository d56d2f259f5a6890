package dev.fathom.nn;

import dev.fathom.tensor.Tensor;

/** Shared configuration of the 2-D pooling layers: a square kernel, stride (default: the kernel) and padding. */
abstract class Pool2dLayer extends Module {
  public final int[] kernelSize, stride, padding;

  Pool2dLayer(String name, int kernelSize, int stride, int padding) {
    if (kernelSize <= 0 || stride <= 0 || padding < 0 || padding > kernelSize / 2) {
      throw new IllegalArgumentException(name + ": need kernel > 0, stride > 0, 0 <= padding <= kernel/2, got kernel="
          + kernelSize + ", stride=" + stride + ", padding=" + padding);
    }
    this.kernelSize = F.pair(kernelSize);
    this.stride = F.pair(stride);
    this.padding = F.pair(padding);
  }

  /** The pooling function applied by {@link #forward}. */
  abstract Tensor pool(Tensor x);

  @Override
  public Tensor forward(Tensor x) {
    return pool(x);
  }

  @Override
  protected String extraRepr() {
    return "kernelSize=" + kernelSize[0] + ", stride=" + stride[0] + ", padding=" + padding[0];
  }
}
