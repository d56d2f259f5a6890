package dev.fathom.compress;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Which units stay, from one score per unit: the {@code kept} highest, ties broken by position (earlier stays). */
final class UnitSelection {
  private UnitSelection() {}

  /** The indices of the {@code kept} highest scores, ascending. */
  static int[] keep(double[] score, int kept) {
    if (kept < 1 || kept > score.length) throw new IllegalArgumentException("keep: expected 1.." + score.length + " units, got " + kept);
    for (int i = 0; i < score.length; i++) {
      if (Double.isNaN(score[i])) throw new IllegalArgumentException("unit score " + i + " is NaN: the weights or activations are not finite");
    }
    Integer[] order = IntStream.range(0, score.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> i));
    int[] out = new int[kept];
    for (int i = 0; i < kept; i++) out[i] = order[i];
    Arrays.sort(out);
    return out;
  }

  /** Unit indices expanded to element indices: unit u covers [u·width, (u + 1)·width). */
  static int[] expand(int[] units, int width) {
    int[] out = new int[units.length * width];
    for (int i = 0; i < units.length; i++) for (int k = 0; k < width; k++) out[i * width + k] = units[i] * width + k;
    return out;
  }

  /** The complement of {@code kept} (ascending) in [0, n). */
  static int[] removed(int[] kept, int n) {
    boolean[] stays = new boolean[n];
    for (int k : kept) stays[k] = true;
    return IntStream.range(0, n).filter(i -> !stays[i]).toArray();
  }
}
