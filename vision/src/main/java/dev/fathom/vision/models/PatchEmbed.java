package dev.fathom.vision.models;

import dev.fathom.nn.Conv2d;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Cuts images into non-overlapping p×p patches and maps each linearly to a token of width D: a
 * convolution with kernel = stride = p ({@code proj}, timm's {@code patch_embed.proj}), whose
 * (N, D, H/p, W/p) output is read as (N, P, D) tokens in row-major patch order.
 */
public final class PatchEmbed extends Module {
  public final int inChannels, patchSize, dim;
  private final Conv2d proj;

  public PatchEmbed(int inChannels, int patchSize, int dim, Rng rng) {
    this.inChannels = inChannels;
    this.patchSize = patchSize;
    this.dim = dim;
    this.proj = child("proj", new Conv2d(inChannels, dim, patchSize, patchSize, 0, rng));
  }

  /** @param x images (N, C, H, W), H and W divisible by p @return tokens (N, (H/p)·(W/p), D) */
  @Override
  public Tensor forward(Tensor x) {
    if (x.dim() != 4 || x.size(1) != inChannels || x.size(2) % patchSize != 0 || x.size(3) % patchSize != 0) {
      throw new ShapeException("PatchEmbed: expected images (N, " + inChannels + ", H, W) with H and W divisible by " + patchSize
          + ", got " + Shape.str(x.shape()));
    }
    Tensor y = proj.call(x);                                    // (N, D, H/p, W/p)
    int n = y.size(0), p = y.size(2) * y.size(3);
    return y.reshape(n, dim, p).transpose(1, 2);                // (N, P, D)
  }

  /** The projection conv, for initialization. */
  Conv2d proj() {
    return proj;
  }
}
