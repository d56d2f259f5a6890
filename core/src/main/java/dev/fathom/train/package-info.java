/**
 * The training loop: {@link dev.fathom.train.Trainer} with {@link dev.fathom.train.Callback}s for
 * progress, metrics.jsonl, resumable checkpoints and loss/accuracy curves;
 * {@link dev.fathom.train.Evaluator} for accuracy and confusion matrices.
 */
package dev.fathom.train;
