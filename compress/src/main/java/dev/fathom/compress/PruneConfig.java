package dev.fathom.compress;

/**
 * What to prune and how much.
 *
 * @param sparsity the share of weights set to zero, in [0, 1); with an n:m pattern it must be 1 − n/m
 * @param keep n of an n:m pattern (at most n non-zeros in every m consecutive weights of a row); 0 for unstructured
 * @param group m of an n:m pattern; 0 for unstructured
 * @param global magnitude only: one threshold over all projections instead of one per matrix
 */
public record PruneConfig(PruningMethod method, double sparsity, int keep, int group, boolean global) {
  public PruneConfig {
    if (method == null) throw new IllegalArgumentException("pruning: expected a method, got none");
    if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity: expected a value in [0, 1), got " + sparsity);
    if (keep != 0 || group != 0) {
      if (keep < 1 || group <= keep) throw new IllegalArgumentException("pattern: expected n:m with 1 <= n < m, got " + keep + ":" + group);
      double implied = 1 - (double) keep / group;
      if (Math.abs(sparsity - implied) > 1e-9) {
        throw new IllegalArgumentException("sparsity: the pattern " + keep + ":" + group + " means sparsity " + implied + ", got " + sparsity);
      }
    }
    if (global && method != PruningMethod.MAGNITUDE) throw new IllegalArgumentException("global scope: expected method magnitude, got " + method);
    if (global && group != 0) throw new IllegalArgumentException("global scope: expected unstructured sparsity, got the pattern " + keep + ":" + group);
  }

  /** Unstructured sparsity, per matrix. */
  public static PruneConfig unstructured(PruningMethod method, double sparsity) {
    return new PruneConfig(method, sparsity, 0, 0, false);
  }

  /** n:m semi-structured sparsity (2:4: two non-zeros in every four). */
  public static PruneConfig nOfM(PruningMethod method, int n, int m) {
    return new PruneConfig(method, 1 - (double) n / m, n, m, false);
  }

  /**
   * Parses "n:m".
   *
   * @throws IllegalArgumentException for anything else
   */
  public static int[] parsePattern(String s) {
    String[] p = s.split(":");
    try {
      if (p.length == 2) return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("pattern: expected n:m such as 2:4, got '" + s + "'");
  }

  public boolean structured() {
    return group != 0;
  }
}
