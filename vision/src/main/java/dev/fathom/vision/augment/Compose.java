package dev.fathom.vision.augment;

import dev.fathom.tensor.Rng;
import java.util.List;

/** Applies transforms in order, all drawing from the same generator (torchvision's {@code Compose}). */
public record Compose(List<Augmentation> transforms) implements Augmentation {
  public Compose {
    if (transforms == null || transforms.isEmpty()) throw new IllegalArgumentException("Compose: expected at least one transform, got none");
    transforms = List.copyOf(transforms);
  }

  public static Compose of(Augmentation... transforms) {
    return new Compose(List.of(transforms));
  }

  @Override
  public Image apply(Image image, Rng rng) {
    Image out = image;
    for (Augmentation t : transforms) out = t.apply(out, rng);
    return out;
  }
}
