package dev.fathom.llm.generate;

/**
 * What a speculative generation did.
 *
 * @param targetCalls verification calls of the target (each scores the pending token and the
 *     proposals in one step; the prompt's prefill is not counted)
 * @param draftCalls forward calls of the draft model (0 for prompt lookup)
 * @param proposed draft tokens proposed
 * @param examined draft tokens the acceptance test ran on (up to and including the first
 *     rejection of each round)
 * @param accepted draft tokens kept
 * @param generated tokens produced by the verification calls (accepted plus one per call)
 * @param seconds wall-clock time of the generation, prompt prefill included
 * @param draftSeconds of which proposing (the drafter's calls)
 * @param targetSeconds of which verifying (the target's scoring calls)
 */
public record SpeculativeStats(long targetCalls, long draftCalls, long proposed, long examined, long accepted, long generated,
    double seconds, double draftSeconds, double targetSeconds) {

  /** α: the share of examined draft tokens that were accepted (NaN when none was examined). */
  public double acceptanceRate() {
    return examined == 0 ? Double.NaN : (double) accepted / examined;
  }

  /** Tokens produced per target call. */
  public double tokensPerTargetCall() {
    return targetCalls == 0 ? Double.NaN : (double) generated / targetCalls;
  }

  /**
   * (1 − α^(γ+1)) / (1 − α): the expected tokens per target call when each of γ proposals is
   * accepted independently with probability α (Leviathan et al. 2023, eq. 1); γ + 1 at α = 1.
   */
  public static double expectedTokensPerCall(double alpha, int gamma) {
    if (alpha >= 1) return gamma + 1;
    return (1 - Math.pow(alpha, gamma + 1)) / (1 - alpha);
  }

  /** Generated tokens per second. */
  public double tokensPerSecond() {
    return seconds > 0 ? generated / seconds : Double.NaN;
  }

  /** The sum of two runs' figures (for totals over prompts). */
  public SpeculativeStats plus(SpeculativeStats o) {
    return new SpeculativeStats(targetCalls + o.targetCalls, draftCalls + o.draftCalls, proposed + o.proposed,
        examined + o.examined, accepted + o.accepted, generated + o.generated, seconds + o.seconds, draftSeconds + o.draftSeconds,
        targetSeconds + o.targetSeconds);
  }
}
