/**
 * Image backbones behind the {@link dev.fathom.vision.models.Encoder} contract: a small
 * {@link dev.fathom.vision.models.ResNet}, the Vision Transformer {@link dev.fathom.vision.models.Vit}
 * (start reading there: {@code PatchEmbed} → {@code VitBlock} → {@code Vit}), the conv-stem
 * {@link dev.fathom.vision.models.Hybrid}, token pruning and ToMe merging
 * ({@link dev.fathom.vision.models.TokenReduction}; the per-forward bookkeeping is in
 * {@code TokenSchedule}, the analytic FLOPs in {@code VitFlops}), and the checkpoint config and
 * builder of the CLI's vision classifiers ({@link dev.fathom.vision.models.ImageClassifierConfig},
 * {@link dev.fathom.vision.models.ImageClassifiers}).
 *
 * <p>Shape letters: N batch, C channels, H/W image height/width, S image side, p patch side,
 * P patch tokens, T tokens in a sequence (P + 1 with the class token), D token width, H heads
 * (in attention shapes), Dh = D / H head width.
 */
package dev.fathom.vision.models;
