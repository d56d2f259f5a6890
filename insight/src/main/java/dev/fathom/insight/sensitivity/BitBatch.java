package dev.fathom.insight.sensitivity;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * A batch of bit strings laid out for the {@link BitTransformer}, in one of two formats.
 *
 * <ul>
 *   <li><b>direct</b>: {@code [CLS, x₁, …, xₙ]} (T = n + 1), one target f(x) at position 0;
 *   <li><b>scratchpad</b> (parity only): {@code [x₁, …, xₙ, SEP, s₁, …, sₙ₋₁]} (T = 2n) with
 *       the running parities sᵢ = x₁ ⊕ … ⊕ xᵢ; position n − 1 + i predicts sᵢ (teacher forcing
 *       feeds the true sᵢ₋₁ back in), and the answer is sₙ at the last position, T − 1.
 * </ul>
 *
 * @param ids token ids (B, T), INT64
 * @param targets (B·T) class per position, {@link #IGNORE} where nothing is predicted
 * @param answerPosition the position whose prediction is the task's answer
 * @param answers f(x) per example (B)
 */
public record BitBatch(Tensor ids, Tensor targets, int answerPosition, int[] answers) {
  /** The target index that cross-entropy skips (PyTorch's ignore_index). */
  public static final int IGNORE = -100;

  /** Sequence length of a format at input length n. */
  public static int sequenceLength(int n, boolean scratchpad) {
    return scratchpad ? 2 * n : n + 1;
  }

  /** The direct format of {@code inputs} (bit i = position i) for {@code task}. */
  public static BitBatch direct(BooleanTask task, long[] inputs) {
    int n = task.length(), t = n + 1, b = inputs.length;
    long[] ids = new long[b * t], tg = new long[b * t];
    int[] answers = new int[b];
    java.util.Arrays.fill(tg, IGNORE);
    for (int r = 0; r < b; r++) {
      ids[r * t] = BitTransformer.CLS;
      for (int i = 0; i < n; i++) ids[r * t + 1 + i] = (inputs[r] >>> i) & 1;
      answers[r] = task.apply(inputs[r]);
      tg[r * t] = answers[r];
    }
    return new BitBatch(Tensor.ofLongs(ids, b, t), Tensor.ofLongs(tg, b * t), 0, answers);
  }

  /** The scratchpad format of {@code inputs} for parity of length n, with the true running parities filled in. */
  public static BitBatch scratchpad(int n, long[] inputs) {
    BooleanTask.checkLength("scratchpad parity", n);
    int t = 2 * n, b = inputs.length;
    long[] ids = new long[b * t], tg = new long[b * t];
    int[] answers = new int[b];
    java.util.Arrays.fill(tg, IGNORE);
    for (int r = 0; r < b; r++) {
      int s = 0;
      for (int i = 0; i < n; i++) {
        int x = (int) (inputs[r] >>> i) & 1;
        ids[r * t + i] = x;
        s ^= x;
        tg[r * t + n + i] = s;                      // position n + i predicts s_{i+1}
        if (i < n - 1) ids[r * t + n + 1 + i] = s;  // and s_{i+1} is fed back at n + 1 + i
      }
      ids[r * t + n] = BitTransformer.SEP;
      answers[r] = s;
    }
    return new BitBatch(Tensor.ofLongs(ids, b, t), Tensor.ofLongs(tg, b * t), t - 1, answers);
  }

  /** {@code count} uniformly random n-bit strings. */
  public static long[] sample(int n, int count, Rng rng) {
    long mask = Parity.mask(n);
    long[] x = new long[count];
    for (int i = 0; i < count; i++) x[i] = rng.nextLong() & mask;
    return x;
  }

  /** All 2ⁿ n-bit strings in order (n ≤ 30). */
  public static long[] all(int n) {
    if (n < 1 || n > 30) throw new IllegalArgumentException("all: n must be in [1, 30], got " + n);
    long[] x = new long[1 << n];
    for (int i = 0; i < x.length; i++) x[i] = i;
    return x;
  }
}
