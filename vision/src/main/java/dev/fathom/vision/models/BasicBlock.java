package dev.fathom.vision.models;

import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * The basic residual block of He et al. 2016 ("Deep Residual Learning for Image Recognition"):
 * {@code y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, both convs 3×3 without bias,
 * conv1 carrying the stride; the shortcut is the identity, or a 1×1 strided conv + batch norm
 * ({@code downsample.0}, {@code downsample.1}, torchvision's names) when the shape changes.
 */
public final class BasicBlock extends Module {
  public final int inChannels, outChannels, stride;
  private final Conv2d conv1, conv2;
  private final BatchNorm2d bn1, bn2;
  private final Sequential downsample;

  public BasicBlock(int inChannels, int outChannels, int stride, Rng rng) {
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = stride;
    this.conv1 = child("conv1", conv(inChannels, outChannels, 3, stride, rng));
    this.bn1 = child("bn1", new BatchNorm2d(outChannels));
    this.conv2 = child("conv2", conv(outChannels, outChannels, 3, 1, rng));
    this.bn2 = child("bn2", new BatchNorm2d(outChannels));
    this.downsample = stride != 1 || inChannels != outChannels
        ? child("downsample", new Sequential(conv(inChannels, outChannels, 1, stride, rng), new BatchNorm2d(outChannels)))
        : null;
  }

  /** A bias-free k×k conv with "same" padding (k / 2), as torchvision's conv3x3 / conv1x1. */
  static Conv2d conv(int in, int out, int k, int stride, Rng rng) {
    return new Conv2d(in, out, new int[] {k, k}, new int[] {stride, stride}, new int[] {k / 2, k / 2}, new int[] {1, 1}, 1, false, rng);
  }

  /** @param x (N, inChannels, H, W) @return (N, outChannels, ⌈H/stride⌉, ⌈W/stride⌉) */
  @Override
  public Tensor forward(Tensor x) {
    Tensor y = bn1.call(conv1.call(x)).relu();
    y = bn2.call(conv2.call(y));
    Tensor shortcut = downsample == null ? x : downsample.call(x);
    return y.add(shortcut).relu();
  }

  /** Forward multiply-adds of this block on an h×w input (convolutions only), times 2. */
  public long flops(int h, int w) {
    int oh = outSize(h, stride), ow = outSize(w, stride);
    long macs = (long) oh * ow * outChannels * 9L * (inChannels + outChannels);
    if (downsample != null) macs += (long) oh * ow * outChannels * inChannels;
    return 2 * macs;
  }

  /** Output size of a "same"-padded conv with this stride: ⌊(n − 1) / stride⌋ + 1. */
  static int outSize(int n, int stride) {
    return (n - 1) / stride + 1;
  }

  @Override
  protected String extraRepr() {
    return inChannels + " -> " + outChannels + ", stride=" + stride;
  }
}
