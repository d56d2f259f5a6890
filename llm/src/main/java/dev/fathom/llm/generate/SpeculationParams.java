package dev.fathom.llm.generate;

/**
 * How many draft tokens a round of speculative decoding proposes.
 *
 * @param gamma draft tokens per round (the starting value when adaptive), in [1, maxGamma]
 * @param adaptive after a round whose proposals were all accepted γ grows by 2 (up to maxGamma),
 *     after a rejection it shrinks by 1 (down to 1), as Hugging Face's "heuristic" schedule
 * @param maxGamma upper bound of γ, in [1, 32]; the target scores up to maxGamma + 1 positions at once
 */
public record SpeculationParams(int gamma, boolean adaptive, int maxGamma) {
  public static final int MAX_GAMMA = 32;

  public SpeculationParams {
    if (maxGamma < 1 || maxGamma > MAX_GAMMA) {
      throw new IllegalArgumentException("max_gamma: expected a value in [1, " + MAX_GAMMA + "], got " + maxGamma);
    }
    if (gamma < 1 || gamma > maxGamma) {
      throw new IllegalArgumentException("gamma: expected a value in [1, max_gamma=" + maxGamma + "], got " + gamma);
    }
  }

  /** A fixed γ. */
  public static SpeculationParams fixed(int gamma) {
    return new SpeculationParams(gamma, false, Math.max(gamma, 1));
  }

  /** γ adapted to the acceptance, starting at {@code gamma}, at most {@code maxGamma}. */
  public static SpeculationParams adaptive(int gamma, int maxGamma) {
    return new SpeculationParams(gamma, true, maxGamma);
  }

  /** γ for the next round after one that proposed {@code proposed} and kept {@code accepted} of them. */
  int next(int current, int proposed, int accepted) {
    if (!adaptive || proposed < current) return current;
    return accepted == proposed ? Math.min(maxGamma, current + 2) : Math.max(1, current - 1);
  }
}
