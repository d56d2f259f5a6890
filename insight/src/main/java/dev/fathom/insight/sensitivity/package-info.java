/**
 * The sensitivity probe of Hahn and Rofin, "Why are Sensitive Functions Hard for Transformers?"
 * (ACL 2024): Boolean tasks with their exact average sensitivity, and, for small transformers
 * trained on them, the accuracy, sharpness, parameter norm and LayerNorm blow-up as the input
 * length grows.
 *
 * <p>Start with {@link dev.fathom.insight.sensitivity.SensitivityProbe#run}; the tasks are the
 * implementations of {@link dev.fathom.insight.sensitivity.BooleanTask}, checked against
 * {@link dev.fathom.insight.sensitivity.AverageSensitivity#enumerate}.
 *
 * <p>Shape letters: B batch, T tokens (n + 1 direct, 2n with the scratchpad), D model width,
 * n input bits.
 */
package dev.fathom.insight.sensitivity;
