/**
 * Seeded, composable image augmentations for small grayscale and colour images (C, H, W float
 * arrays), named as torchvision's transforms. Start at {@link dev.fathom.vision.augment.Augmentation}
 * (the contract: all randomness from the given generator), {@link
 * dev.fathom.vision.augment.Augmentations} (presets) and {@link
 * dev.fathom.vision.augment.AugmentedDataset} (runs them inside {@code Dataset.batch}, so in the
 * DataLoader's workers, with per-(seed, epoch, example, view) generators).
 */
package dev.fathom.vision.augment;
