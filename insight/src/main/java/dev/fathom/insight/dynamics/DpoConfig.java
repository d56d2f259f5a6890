package dev.fathom.insight.dynamics;

import java.util.Locale;

/**
 * Hyper-parameters of multi-step DPO ({@link DpoTraining}), named as TRL's DPOConfig and torch.optim.
 *
 * @param beta β of the DPO loss (TRL's default 0.1)
 * @param lr learning rate
 * @param optimizer "adamw" (torch.optim.AdamW, betas 0.9/0.999, eps 1e-8) or "sgd" (plain, no momentum)
 * @param weightDecay AdamW's decoupled weight decay (0 for sgd)
 * @param batchSize preference pairs per step; the loss is their mean
 * @param steps optimizer steps
 * @param evalEvery steps between two measurements of the probes (the first at step 0, the last at {@code steps})
 * @param seed seed of the order in which the training pairs are drawn
 */
public record DpoConfig(double beta, double lr, String optimizer, double weightDecay, int batchSize, int steps, int evalEvery, long seed) {
  public DpoConfig {
    if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("dpo: beta must be a positive number, got " + beta);
    if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("dpo: lr must be a positive number, got " + lr);
    optimizer = optimizer == null ? "" : optimizer.toLowerCase(Locale.ROOT);
    if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) {
      throw new IllegalArgumentException("dpo: unknown optimizer '" + optimizer + "': expected one of adamw, sgd");
    }
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("dpo: weightDecay must be >= 0, got " + weightDecay);
    if (optimizer.equals("sgd") && weightDecay != 0) throw new IllegalArgumentException("dpo: weightDecay is for adamw, got " + weightDecay + " with sgd");
    if (batchSize < 1) throw new IllegalArgumentException("dpo: batchSize must be >= 1, got " + batchSize);
    if (steps < 1) throw new IllegalArgumentException("dpo: steps must be >= 1, got " + steps);
    if (evalEvery < 1 || evalEvery > steps) throw new IllegalArgumentException("dpo: evalEvery must be in [1, steps = " + steps + "], got " + evalEvery);
  }

  /** TRL's defaults where they apply: β = 0.1, AdamW without weight decay. */
  public static DpoConfig adamW(double lr, int batchSize, int steps, int evalEvery, long seed) {
    return new DpoConfig(0.1, lr, "adamw", 0, batchSize, steps, evalEvery, seed);
  }
}
