package dev.fathom.insight.dynamics;

/**
 * One preference triple (x, y⁺, y⁻) of DPO: a prompt with a chosen and a rejected response.
 *
 * @param prompt x, at least one token
 * @param chosen y⁺, at least one token
 * @param rejected y⁻, at least one token
 */
public record DpoPair(int[] prompt, int[] chosen, int[] rejected) {
  public DpoPair {
    if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("dpo pair: the prompt is empty");
    if (chosen == null || chosen.length == 0) throw new IllegalArgumentException("dpo pair: the chosen response is empty");
    if (rejected == null || rejected.length == 0) throw new IllegalArgumentException("dpo pair: the rejected response is empty");
  }

  /** (x, y⁺) as a probe. */
  public LmProbe chosenProbe() {
    return new LmProbe("chosen", prompt, chosen);
  }

  /** (x, y⁻) as a probe. */
  public LmProbe rejectedProbe() {
    return new LmProbe("rejected", prompt, rejected);
  }
}
