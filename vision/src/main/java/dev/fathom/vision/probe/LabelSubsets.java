package dev.fathom.vision.probe;

import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/** Seeded labelled subsets for few-label evaluation: exactly k examples of every class. */
public final class LabelSubsets {
  private LabelSubsets() {}

  /**
   * Draws k examples of each class 0..numClasses−1 without replacement; draw d of an evaluation
   * uses seed d, so draws differ and repeat.
   *
   * @param labels class of every example, in [0, numClasses)
   * @param k examples per class, >= 1
   * @return indices into {@code labels}, class by class (k·numClasses of them)
   * @throws IllegalArgumentException if a class has fewer than k examples or a label is out of range
   */
  public static int[] perClass(int[] labels, int numClasses, int k, long seed) {
    if (k < 1) throw new IllegalArgumentException("label subset: expected k >= 1 labels per class, got " + k);
    if (numClasses < 1) throw new IllegalArgumentException("label subset: expected numClasses >= 1, got " + numClasses);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < numClasses; c++) byClass.add(new ArrayList<>());
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException("label subset: expected labels in [0, " + numClasses + "), got " + labels[i] + " at " + i);
      }
      byClass.get(labels[i]).add(i);
    }
    Rng rng = new Rng(seed);
    int[] out = new int[k * numClasses];
    for (int c = 0; c < numClasses; c++) {
      List<Integer> members = byClass.get(c);
      if (members.size() < k) {
        throw new IllegalArgumentException("label subset: expected at least " + k + " examples of class " + c + ", got " + members.size());
      }
      int[] perm = rng.permutation(members.size());
      for (int j = 0; j < k; j++) out[c * k + j] = members.get(perm[j]);
    }
    return out;
  }
}
