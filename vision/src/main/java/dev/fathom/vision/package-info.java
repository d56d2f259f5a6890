/**
 * Vision and self-supervised learning on images.
 *
 * <p>The data's path: {@code augment} (seeded, composable image transforms applied in the
 * DataLoader's background threads) → {@code models} (ViT, hybrid conv-stem transformer, small
 * ResNet; token pruning and merging) → {@code ssl} (SimCLR, MAE, BYOL: pretraining without
 * labels) → {@code probe} (linear, k-NN and fine-tuning evaluation with few labels).
 */
package dev.fathom.vision;
