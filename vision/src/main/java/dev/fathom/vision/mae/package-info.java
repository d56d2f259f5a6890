/**
 * Masked autoencoders (He et al., 2022, "Masked Autoencoders Are Scalable Vision Learners"): hide
 * most patches of an image, encode the visible ones with a ViT, and reconstruct the hidden ones
 * with a light decoder. Pretraining needs no labels; the encoder is then fine-tuned or probed.
 */
package dev.fathom.vision.mae;
