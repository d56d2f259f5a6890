package dev.fathom.vision.augment;

/**
 * Preset pipelines. The SimCLR recipe (Chen et al. 2020) is random resized crop, flip, colour
 * jitter and blur; for 28x28 grayscale images the crop keeps at least a fifth of the area (at
 * 0.08 a crop is a few pixels of a garment), colour jitter is brightness and contrast only, and
 * the blur kernel is 3 pixels wide.
 */
public final class Augmentations {
  private Augmentations() {}

  /** Strong two-view augmentations for contrastive and BYOL pretraining on small images. */
  public static Augmentation simclr(int height, int width) {
    return Compose.of(
        new RandomResizedCrop(height, width, 0.2, 1, 3.0 / 4, 4.0 / 3),
        new RandomHorizontalFlip(0.5),
        new RandomApply(new ColorJitter(0.4, 0.4), 0.8),
        new RandomApply(new GaussianBlur(3, 0.1, 1.0), 0.5),
        new RandomErasing(0.25, 0.02, 0.15, 0.3, 3.3, 0f));
  }

  /** Light augmentations for supervised training and fine-tuning on few labels. */
  public static Augmentation light(int height, int width) {
    return Compose.of(
        new RandomResizedCrop(height, width, 0.7, 1, 3.0 / 4, 4.0 / 3),
        new RandomHorizontalFlip(0.5));
  }
}
