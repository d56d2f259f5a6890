package dev.fathom.vision.models;

import dev.fathom.nn.Module;
import dev.fathom.tensor.Tensor;

/**
 * An image encoder: {@link #forward} maps images (N, C, H, W) to features (N, {@link #featureDim()}).
 * The backbones (ViT, hybrid, ResNet) are encoders; a classifier is an encoder plus a linear head,
 * self-supervised methods train an encoder without labels, and the probes evaluate its features.
 */
public abstract class Encoder extends Module {
  /** Width of the feature vector {@link #forward} returns per image. */
  public abstract int featureDim();
}
