package dev.fathom.nn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/** 2-D convolution over (N, C, H, W) with stride, padding, dilation and groups; PyTorch's default init. */
public class Conv2d extends Module {
  public final int inChannels, outChannels, groups;
  public final int[] kernelSize, stride, padding, dilation;
  public final Tensor weight, bias;

  public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng) {
    this(inChannels, outChannels, new int[] {kernelSize, kernelSize}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true, rng);
  }

  public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, Rng rng) {
    this(inChannels, outChannels, F.pair(kernelSize), F.pair(stride), F.pair(padding), F.pair(1), 1, true, rng);
  }

  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      int groups, boolean bias, Rng rng) {
    if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("Conv2d: channels must be positive and divisible by groups, got in=" + inChannels
          + ", out=" + outChannels + ", groups=" + groups);
    }
    for (int[] p : new int[][] {kernelSize, stride, dilation}) {
      if (p.length != 2 || p[0] <= 0 || p[1] <= 0) throw new IllegalArgumentException("Conv2d: kernel, stride, dilation need 2 positive values, got " + java.util.Arrays.toString(p));
    }
    if (padding.length != 2 || padding[0] < 0 || padding[1] < 0) {
      throw new IllegalArgumentException("Conv2d: padding needs 2 non-negative values, got " + java.util.Arrays.toString(padding));
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = kernelSize.clone();
    this.stride = stride.clone();
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.weight = param("weight", Tensor.zeros(outChannels, inChannels / groups, kernelSize[0], kernelSize[1]));
    this.bias = bias ? param("bias", Tensor.zeros(outChannels)) : null;
    Init.pytorchDefault(weight, this.bias, rng);
  }

  @Override
  public Tensor forward(Tensor x) {
    return F.conv2d(x, weight, bias, stride, padding, dilation, groups);
  }

  @Override
  protected String extraRepr() {
    return inChannels + ", " + outChannels + ", kernelSize=" + java.util.Arrays.toString(kernelSize) + ", stride="
        + java.util.Arrays.toString(stride) + ", padding=" + java.util.Arrays.toString(padding)
        + (groups > 1 ? ", groups=" + groups : "");
  }
}
