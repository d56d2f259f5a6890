package dev.fathom.insight;

/**
 * Leave-one-out values: v_i = U(N) − U(N ∖ {i}), n + 1 utility calls. The classic baseline;
 * it misses examples whose contribution a near-duplicate can take over (Ghorbani and Zou 2019).
 */
public final class LeaveOneOut {
  private LeaveOneOut() {}

  /** @return n values in player order */
  public static double[] values(Utility u) {
    int n = u.size();
    if (n < 1) throw new IllegalArgumentException("leave-one-out: needs at least 1 player, got " + n);
    int[] all = new int[n];
    for (int i = 0; i < n; i++) all[i] = i;
    double full = u.of(all, n);
    double[] v = new double[n];
    int[] rest = new int[n];
    for (int i = 0; i < n; i++) {
      int c = 0;
      for (int j = 0; j < n; j++) if (j != i) rest[c++] = j;
      v[i] = full - u.of(rest, c);
    }
    return v;
  }
}
