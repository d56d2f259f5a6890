package dev.fathom.insight;

import java.util.Arrays;

/** Area under the ROC curve, as the Mann–Whitney statistic with ties counted one half. */
public final class Auc {
  private Auc() {}

  /**
   * @param score higher means "more likely positive"
   * @param positive the true class of each item
   * @return P(score of a random positive > score of a random negative) + ½ P(tie)
   */
  public static double of(double[] score, boolean[] positive) {
    if (score.length != positive.length) throw new IllegalArgumentException("auc: " + score.length + " scores for " + positive.length + " labels");
    int n = score.length;
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    Arrays.sort(idx, (a, b) -> Double.compare(score[a], score[b]));
    double rankSum = 0;
    long pos = 0;
    for (int i = 0; i < n;) {
      int j = i;
      while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) j++;
      double avg = (i + j) / 2.0 + 1;
      for (int q = i; q <= j; q++) {
        if (positive[idx[q]]) {
          rankSum += avg;
          pos++;
        }
      }
      i = j + 1;
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) throw new IllegalArgumentException("auc: need both classes, got " + pos + " positives and " + neg + " negatives");
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }
}
