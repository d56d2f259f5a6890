package dev.fathom.xai.attention;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * The synthetic task of docs/xai/attention-rollout.md: sequences of {@link #LENGTH} tokens drawn
 * uniformly from {@link #FILLERS} filler ids, one position (uniform) replaced by a key token
 * from {@link #KEYS} special ids; the label is which key it is. Exactly one token decides the
 * label, so a faithful relevance map must put that position first.
 */
final class KeyTokenTask {
  static final int LENGTH = 16, FILLERS = 20, KEYS = 4, VOCAB = FILLERS + KEYS;

  /** ids (n, LENGTH) INT32, labels (n) INT32, keyPositions (n). */
  record Batch(Tensor ids, Tensor labels, int[] keyPositions) {}

  static Batch sample(int n, Rng rng) {
    int[] ids = new int[n * LENGTH], labels = new int[n], key = new int[n];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < LENGTH; t++) ids[i * LENGTH + t] = rng.nextInt(FILLERS);
      labels[i] = rng.nextInt(KEYS);
      key[i] = rng.nextInt(LENGTH);
      ids[i * LENGTH + key[i]] = FILLERS + labels[i];
    }
    return new Batch(Tensor.ofInts(ids, n, LENGTH), Tensor.ofInts(labels, n), key);
  }

  private KeyTokenTask() {}
}
