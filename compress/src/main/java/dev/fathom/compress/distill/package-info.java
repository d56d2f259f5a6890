/**
 * Knowledge distillation (Hinton, Vinyals and Dean 2015, "Distilling the Knowledge in a Neural
 * Network"): a small student learns from a frozen teacher's softened logits plus the hard labels.
 * Start at {@link dev.fathom.compress.distill.DistillationLoss} (the fused loss, forward and
 * backward, configured by {@link dev.fathom.compress.distill.DistillConfig}); the classifier side
 * plugs into core's {@code Trainer} through {@link dev.fathom.compress.distill.ClassifierDistillation},
 * the language-model side into {@code LmTrainer} through
 * {@link dev.fathom.compress.distill.LmDistillation}. Shapes: N rows (examples, or B·T tokens), C
 * classes (or the vocabulary V).
 */
package dev.fathom.compress.distill;
