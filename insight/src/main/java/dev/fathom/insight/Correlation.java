package dev.fathom.insight;

import java.util.Arrays;

/** Pearson and Spearman correlation of two equally long samples. */
public final class Correlation {
  private Correlation() {}

  /** Pearson's r; NaN when either sample is constant. */
  public static double pearson(double[] a, double[] b) {
    check(a, b);
    double ma = 0, mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= a.length;
    mb /= b.length;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < a.length; i++) {
      double da = a[i] - ma, db = b[i] - mb;
      sab += da * db;
      saa += da * da;
      sbb += db * db;
    }
    return sab / Math.sqrt(saa * sbb);
  }

  /** Spearman's ρ: Pearson's r of the ranks, ties given their average rank. */
  public static double spearman(double[] a, double[] b) {
    check(a, b);
    return pearson(ranks(a), ranks(b));
  }

  /** 1-based ranks, ties averaged. */
  static double[] ranks(double[] v) {
    int n = v.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
    double[] r = new double[n];
    for (int i = 0; i < n; ) {
      int j = i;
      while (j + 1 < n && v[order[j + 1]] == v[order[i]]) j++;
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) r[order[k]] = avg;
      i = j + 1;
    }
    return r;
  }

  private static void check(double[] a, double[] b) {
    if (a.length != b.length) throw new IllegalArgumentException("correlation: samples differ in length, " + a.length + " vs " + b.length);
    if (a.length < 2) throw new IllegalArgumentException("correlation: needs at least 2 pairs, got " + a.length);
  }
}
