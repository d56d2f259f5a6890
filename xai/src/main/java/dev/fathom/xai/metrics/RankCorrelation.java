package dev.fathom.xai.metrics;

/** Spearman's rank correlation, ties given their average rank (as scipy.stats.spearmanr). */
public final class RankCorrelation {
  private RankCorrelation() {}

  /** Spearman's ρ of a[off, off+len) and b[off, off+len): Pearson's r of the ranks; NaN when either is constant. */
  public static double spearman(float[] a, float[] b, int off, int len) {
    return pearson(ranks(a, off, len), ranks(b, off, len));
  }

  /** Pearson's r; NaN when either input is constant. */
  public static double pearson(double[] x, double[] y) {
    if (x.length != y.length) throw new IllegalArgumentException("pearson: lengths differ: " + x.length + " vs " + y.length);
    int n = x.length;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx, dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
  }

  /** Ranks 1..len of v[off, off+len), ties averaged. */
  public static double[] ranks(float[] v, int off, int len) {
    Integer[] idx = new Integer[len];
    for (int i = 0; i < len; i++) idx[i] = i;
    java.util.Arrays.sort(idx, (p, q) -> Float.compare(v[off + p], v[off + q]));
    double[] r = new double[len];
    for (int i = 0; i < len;) {
      int j = i;
      while (j + 1 < len && v[off + idx[j + 1]] == v[off + idx[i]]) j++;
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) r[idx[k]] = avg;
      i = j + 1;
    }
    return r;
  }
}
