package dev.fathom.vision.models;

import dev.fathom.nn.Activation;
import dev.fathom.nn.BatchNorm2d;
import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The hybrid's tokenizer (timm's {@code HybridEmbed}): {@code backbone}, 3×3 stride-2
 * conv-BN-ReLU layers, then {@code proj}, a 1×1 conv to the token width; each cell of the final
 * feature map is one token, in row-major order.
 */
final class ConvStem extends Module {
  private final Sequential backbone;
  private final Conv2d proj;
  private final int[] channels;
  private final int inChannels, dim;

  ConvStem(int inChannels, int[] channels, int dim, Rng rng) {
    this.inChannels = inChannels;
    this.channels = channels.clone();
    this.dim = dim;
    List<Module> layers = new ArrayList<>();
    int in = inChannels;
    for (int c : channels) {
      layers.add(BasicBlock.conv(in, c, 3, 2, rng));
      layers.add(new BatchNorm2d(c));
      layers.add(Activation.relu());
      in = c;
    }
    this.backbone = child("backbone", new Sequential(layers.toArray(new Module[0])));
    this.proj = child("proj", new Conv2d(in, dim, 1, rng));
  }

  /** @param x (N, C, S, S) @return tokens (N, (S/2^k)², D) */
  @Override
  public Tensor forward(Tensor x) {
    Tensor y = proj.call(backbone.call(x));        // (N, D, S/2^k, S/2^k)
    int n = y.size(0), p = y.size(2) * y.size(3);
    return y.reshape(n, dim, p).transpose(1, 2);   // (N, P, D)
  }

  /** Multiply-adds per image of size s×s: each stride-2 3×3 conv at its output size, then the 1×1 projection. */
  long macs(int s) {
    long total = 0;
    int in = inChannels;
    for (int c : channels) {
      s = BasicBlock.outSize(s, 2);
      total += (long) s * s * c * 9L * in;
      in = c;
    }
    return total + (long) s * s * dim * in;
  }
}
