package dev.fathom.llm.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Hyper-parameters of next-token training (names after PyTorch / Hugging Face's Trainer).
 *
 * @param maxSteps optimizer steps (0: no step limit, then {@code maxMinutes} must be set)
 * @param maxMinutes wall-clock budget in minutes (0: none); the schedule follows whichever of
 *     steps and time is further along
 * @param batchSize sequences per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param contextLength tokens per sequence
 * @param lr peak learning rate; {@code minLr} at the end of the cosine decay
 * @param warmupSteps linear warmup from 0
 * @param weightDecay AdamW decay on matrices (norm weights and biases are not decayed)
 * @param beta1 AdamW β1; {@code beta2} β2
 * @param maxGradNorm clip the global gradient norm (0: no clipping)
 * @param evalEvery evaluate on the validation text every this many steps (0: only at the end)
 * @param evalTokens tokens of validation text per evaluation (0: all)
 * @param saveEvery write a resumable checkpoint every this many steps (0: only at the end)
 * @param logEvery print a progress line every this many steps
 * @param seed data order and initialisation
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LmTrainConfig(
    @JsonProperty("max_steps") long maxSteps,
    @JsonProperty("max_minutes") double maxMinutes,
    @JsonProperty("batch_size") int batchSize,
    @JsonProperty("gradient_accumulation_steps") int gradientAccumulationSteps,
    @JsonProperty("context_length") int contextLength,
    @JsonProperty("lr") double lr,
    @JsonProperty("min_lr") double minLr,
    @JsonProperty("warmup_steps") long warmupSteps,
    @JsonProperty("weight_decay") double weightDecay,
    @JsonProperty("beta1") double beta1,
    @JsonProperty("beta2") double beta2,
    @JsonProperty("max_grad_norm") double maxGradNorm,
    @JsonProperty("eval_every") long evalEvery,
    @JsonProperty("eval_tokens") long evalTokens,
    @JsonProperty("save_every") long saveEvery,
    @JsonProperty("log_every") long logEvery,
    @JsonProperty("seed") long seed) {

  public LmTrainConfig {
    if (maxSteps < 0 || maxMinutes < 0 || (maxSteps == 0 && maxMinutes == 0)) {
      throw new IllegalArgumentException("LmTrainConfig: expected max_steps > 0 or max_minutes > 0, got " + maxSteps + " and " + maxMinutes);
    }
    if (batchSize <= 0 || gradientAccumulationSteps <= 0 || contextLength <= 1) {
      throw new IllegalArgumentException("LmTrainConfig: expected batch_size > 0, gradient_accumulation_steps > 0, context_length > 1; got "
          + batchSize + ", " + gradientAccumulationSteps + ", " + contextLength);
    }
    if (!(lr > 0) || minLr < 0 || minLr > lr) {
      throw new IllegalArgumentException("LmTrainConfig: expected 0 <= min_lr <= lr and lr > 0, got lr=" + lr + ", min_lr=" + minLr);
    }
    if (warmupSteps < 0 || weightDecay < 0 || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || maxGradNorm < 0) {
      throw new IllegalArgumentException("LmTrainConfig: expected warmup_steps >= 0, weight_decay >= 0, betas in [0, 1), "
          + "max_grad_norm >= 0; got " + warmupSteps + ", " + weightDecay + ", " + beta1 + ", " + beta2 + ", " + maxGradNorm);
    }
    if (evalEvery < 0 || evalTokens < 0 || saveEvery < 0 || logEvery <= 0) {
      throw new IllegalArgumentException("LmTrainConfig: expected eval_every, eval_tokens, save_every >= 0 and log_every > 0");
    }
  }

  /** nanoGPT-like defaults for small character/byte models: batch 16 × 256, lr 1e-3 → 1e-4, warmup 100, decay 0.1, β2 0.99, clip 1. */
  public static LmTrainConfig defaults(long maxSteps, double maxMinutes) {
    return new LmTrainConfig(maxSteps, maxMinutes, 16, 1, 256, 1e-3, 1e-4, 100, 0.1, 0.9, 0.99, 1.0, 250, 200_000, 0, 10, 1337);
  }

  public LmTrainConfig withSteps(long steps, double minutes) {
    return new LmTrainConfig(steps, minutes, batchSize, gradientAccumulationSteps, contextLength, lr, minLr, warmupSteps, weightDecay,
        beta1, beta2, maxGradNorm, evalEvery, evalTokens, saveEvery, logEvery, seed);
  }

  public LmTrainConfig withBatch(int batch, int accumulation, int context) {
    return new LmTrainConfig(maxSteps, maxMinutes, batch, accumulation, context, lr, minLr, warmupSteps, weightDecay,
        beta1, beta2, maxGradNorm, evalEvery, evalTokens, saveEvery, logEvery, seed);
  }

  public LmTrainConfig withLr(double peak, double min, long warmup) {
    return new LmTrainConfig(maxSteps, maxMinutes, batchSize, gradientAccumulationSteps, contextLength, peak, min, warmup, weightDecay,
        beta1, beta2, maxGradNorm, evalEvery, evalTokens, saveEvery, logEvery, seed);
  }

  public LmTrainConfig withEval(long every, long tokens, long save, long log) {
    return new LmTrainConfig(maxSteps, maxMinutes, batchSize, gradientAccumulationSteps, contextLength, lr, minLr, warmupSteps,
        weightDecay, beta1, beta2, maxGradNorm, every, tokens, save, log, seed);
  }

  public LmTrainConfig withSeed(long newSeed) {
    return new LmTrainConfig(maxSteps, maxMinutes, batchSize, gradientAccumulationSteps, contextLength, lr, minLr, warmupSteps,
        weightDecay, beta1, beta2, maxGradNorm, evalEvery, evalTokens, saveEvery, logEvery, newSeed);
  }

  /** Schedule position in [0, 1]: the further of step/maxSteps and elapsed/maxMinutes. */
  double progress(long step, double elapsedSeconds) {
    double p = 0;
    if (maxSteps > 0) p = (double) step / maxSteps;
    if (maxMinutes > 0) p = Math.max(p, elapsedSeconds / (maxMinutes * 60));
    return Math.min(1, p);
  }

  /** Learning rate at a step: linear warmup over warmupSteps, then cosine from lr to minLr by progress. */
  double lrAt(long step, double elapsedSeconds) {
    if (step < warmupSteps) return lr * (step + 1) / warmupSteps;
    double p = progress(step, elapsedSeconds);
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * p));
  }
}
