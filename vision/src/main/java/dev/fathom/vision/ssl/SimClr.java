package dev.fathom.vision.ssl;

import dev.fathom.nn.Module;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import dev.fathom.vision.models.Encoder;

/**
 * SimCLR (Chen et al. 2020): two augmented views of each image go through the encoder f and a
 * projection head g (an MLP); {@link NtXent} pulls the two projections of an image together and
 * pushes the other 2N − 2 apart. After pretraining the head is dropped and f's features are used.
 */
public final class SimClr extends Module implements SslMethod {
  private final SimClrConfig config;
  private final Encoder encoder;
  private final Sequential projector;

  public SimClr(Encoder encoder, SimClrConfig config, Rng rng) {
    this.config = config;
    this.encoder = child("encoder", encoder);
    this.projector = child("projector", Heads.mlp(encoder.featureDim(), config.hiddenDim(), config.projectionDim(), rng));
  }

  public SimClrConfig config() {
    return config;
  }

  @Override
  public String name() {
    return "simclr";
  }

  @Override
  public Encoder encoder() {
    return encoder;
  }

  @Override
  public Module model() {
    return this;
  }

  /** Projections g(f(x)) of images (M, C, H, W) → (M, projectionDim). */
  @Override
  public Tensor forward(Tensor x) {
    return projector.call(encoder.call(x));
  }

  @Override
  public Tensor loss(Tensor views, int viewCount) {
    if (viewCount != 2) throw new IllegalArgumentException("SimCLR: expected 2 views per example, got " + viewCount);
    return NtXent.loss(call(views), config.temperature());
  }
}
