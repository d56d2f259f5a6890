/**
 * Optimizers (SGD, Adam, AdamW) with validated config records named as torch.optim, learning-rate
 * schedules ({@link dev.fathom.optim.LrSchedule}) and gradient clipping. The update rules are the
 * fused kernels of {@link dev.fathom.kernel.Optimizers}.
 */
package dev.fathom.optim;
