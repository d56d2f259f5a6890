package dev.fathom.compress;

/**
 * What to prune and how much.
 *
 * @param sparsity the share of weights set to zero, in [0, 1); with an n:m pattern it must be 1 − n/m
 * @param keep n of an n:m pattern (at most n non-zeros in every m consecutive weights of a row); 0 for unstructured
 * @param group m of an n:m pattern; 0 for unstructured
 * @param scope which weights compete for removal in unstructured pruning ({@link PruneScope}); null:
 *     the method's default. n:m patterns compete within each group of m and take only the default
 */
public record PruneConfig(PruningMethod method, double sparsity, int keep, int group, PruneScope scope) {
  public PruneConfig {
    if (method == null) throw new IllegalArgumentException("pruning: expected a method, got none");
    PruneScope own = PruneScope.defaultFor(method);
    if (scope == null) scope = own;
    if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity: expected a value in [0, 1), got " + sparsity);
    if (keep != 0 || group != 0) {
      if (keep < 1 || group <= keep) throw new IllegalArgumentException("pattern: expected n:m with 1 <= n < m, got " + keep + ":" + group);
      double implied = 1 - (double) keep / group;
      if (Math.abs(sparsity - implied) > 1e-9) {
        throw new IllegalArgumentException("sparsity: the pattern " + keep + ":" + group + " means sparsity " + implied + ", got " + sparsity);
      }
    }
    if (scope == PruneScope.GLOBAL && method != PruningMethod.MAGNITUDE) {
      throw new IllegalArgumentException("global scope: expected method magnitude, got " + method);
    }
    if (method == PruningMethod.SPARSEGPT && scope != own) {
      throw new IllegalArgumentException("sparsegpt chooses its masks per block of columns: expected scope layer, got " + scope);
    }
    if (group != 0 && scope != own) {
      throw new IllegalArgumentException(scope + " scope: expected unstructured sparsity, got the pattern " + keep + ":" + group);
    }
  }

  /** Unstructured sparsity, per matrix. */
  public static PruneConfig unstructured(PruningMethod method, double sparsity) {
    return new PruneConfig(method, sparsity, 0, 0, null);
  }

  /** Unstructured sparsity within the given comparison group. */
  public static PruneConfig unstructured(PruningMethod method, double sparsity, PruneScope scope) {
    return new PruneConfig(method, sparsity, 0, 0, scope);
  }

  /** n:m semi-structured sparsity (2:4: two non-zeros in every four). */
  public static PruneConfig nOfM(PruningMethod method, int n, int m) {
    return new PruneConfig(method, 1 - (double) n / m, n, m, null);
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

  public boolean global() {
    return scope == PruneScope.GLOBAL;
  }
}
