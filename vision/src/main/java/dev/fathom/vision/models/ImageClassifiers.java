package dev.fathom.vision.models;

import dev.fathom.nn.Linear;
import dev.fathom.nn.Sequential;
import dev.fathom.tensor.Rng;

/**
 * Builds vision classifiers from an {@link ImageClassifierConfig}: the backbone (entry 0) and a
 * linear head (entry 1) as a {@link Sequential}, like core's CLI classifiers, so training,
 * evaluation, prediction and the explainability commands treat them alike. State-dict keys are
 * the backbone's under "0." ({@code 0.blocks.0.attn.q_proj.weight}) and "1.weight", "1.bias".
 */
public final class ImageClassifiers {
  private ImageClassifiers() {}

  public static Sequential build(ImageClassifierConfig c, Rng rng) {
    Encoder encoder = encoder(c, rng);
    return new Sequential(encoder, new Linear(encoder.featureDim(), c.numClasses(), rng));
  }

  /** The backbone alone. */
  public static Encoder encoder(ImageClassifierConfig c, Rng rng) {
    return switch (c.model()) {
      case "vit" -> new Vit(c.vit(), rng);
      case "hybrid" -> new Hybrid(c.hybrid(), rng);
      default -> new ResNet(c.resnet(), rng);
    };
  }

  /** The backbone of a classifier {@link #build} made. */
  public static Encoder encoderOf(Sequential classifier) {
    if (classifier.size() != 2 || !(classifier.get(0) instanceof Encoder e)) {
      throw new IllegalArgumentException("not a vision classifier (an encoder and a head): " + classifier.layers().size() + " layers");
    }
    return e;
  }

  /** Forward FLOPs per image of the classifier (backbone under its current token reduction, plus the head). */
  public static long flops(Sequential classifier, int[] inputShape) {
    Encoder e = encoderOf(classifier);
    long head = 2L * e.featureDim() * ((Linear) classifier.get(1)).outFeatures;
    if (e instanceof Vit v) return v.flops() + head;
    return ((ResNet) e).flops(inputShape[1], inputShape[2]) + head;
  }
}
