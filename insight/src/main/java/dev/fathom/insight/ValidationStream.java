package dev.fathom.insight;

import dev.fathom.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation batches for In-Run Data Shapley: consecutive windows of a shuffled validation order
 * whose classes are interleaved round-robin, so every batch holds the classes in nearly their
 * overall proportions and every row is used equally often (a fresh order when one runs out).
 * Both cut the noise of the per-step validation gradient compared with independent draws. When
 * the batch is not smaller than the set, every batch is the whole set.
 */
final class ValidationStream {
  private final Examples valid;
  private final int batch;
  private final Rng rng;
  private int[] order;
  private int pos;

  ValidationStream(Examples valid, int batch, long seed) {
    this.valid = valid;
    this.batch = batch;
    this.rng = new Rng(seed);
  }

  Examples next() {
    if (batch >= valid.size()) return valid;
    return valid.rows(nextIndices(), 0, batch);
  }

  /** The rows of the next batch, as indices into the validation set. */
  int[] nextIndices() {
    if (batch >= valid.size()) {
      int[] all = new int[valid.size()];
      for (int i = 0; i < all.length; i++) all[i] = i;
      return all;
    }
    if (order == null || pos + batch > order.length) {
      order = interleaved();
      pos = 0;
    }
    int[] b = java.util.Arrays.copyOfRange(order, pos, pos + batch);
    pos += batch;
    return b;
  }

  /** A random permutation rearranged so that the classes take turns. */
  private int[] interleaved() {
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < valid.classes(); c++) byClass.add(new ArrayList<>());
    for (int i : rng.permutation(valid.size())) byClass.get(valid.y()[i]).add(i);
    int[] out = new int[valid.size()];
    int k = 0;
    for (int round = 0; k < out.length; round++) {
      for (List<Integer> members : byClass) if (round < members.size()) out[k++] = members.get(round);
    }
    return out;
  }
}
