package dev.fathom.insight.dynamics;

/**
 * A (prompt, response) pair of token ids whose response log-probability log π(y|x) is followed.
 *
 * @param kind what the response is (for tables: "gold", "greedy", "shuffled", "random", ...)
 * @param prompt x, at least one token
 * @param response y, at least one token
 */
public record LmProbe(String kind, int[] prompt, int[] response) {
  public LmProbe {
    if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("probe '" + kind + "': the prompt is empty");
    if (response == null || response.length == 0) throw new IllegalArgumentException("probe '" + kind + "': the response is empty");
  }

  /** The same prompt with another response. */
  public LmProbe with(String newKind, int[] newResponse) {
    return new LmProbe(newKind, prompt, newResponse);
  }
}
